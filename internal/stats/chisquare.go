package stats

// ChiSquareP is the upper tail of the chi-square distribution with df
// degrees of freedom at x: the p-value of a chi-square statistic x.
func ChiSquareP(x float64, df int) float64 {
	if df <= 0 {
		return 1
	}
	if x <= 0 {
		return 1
	}
	return 1 - gammaP(float64(df)/2, x/2)
}
