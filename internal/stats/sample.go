package stats

import (
	"errors"
	"math"
	"math/rand/v2"
)

// Gamma draws from a gamma distribution of the shape (scale 1), by
// Marsaglia and Tsang's method (shape below 1 by the boost u^(1/shape)).
func Gamma(r *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return Gamma(r, shape+1) * math.Pow(r.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// Beta draws from a beta distribution.
func Beta(r *rand.Rand, a, b float64) float64 {
	x := Gamma(r, a)
	return x / (x + Gamma(r, b))
}

// JeffreysDraws draws a rate of k successes in n trials from its Jeffreys
// posterior, Beta(k + ½, n − k + ½): the draws behind an interval of any
// function of rates (a lift, an information value) whose percentiles
// cover about as often as they claim.
func JeffreysDraws(r *rand.Rand, k, n float64) float64 { return Beta(r, k+0.5, n-k+0.5) }

// FitBinomial is FitLogistic for grouped rows: row i stands for n[i] leads
// with the same x[i], k[i] of them positive. Many leads share a pattern of
// rules, so grouping makes a fit over millions of leads cost as many rows
// as there are patterns.
func FitBinomial(x [][]float64, k, n []float64, lambda float64) (*Logistic, error) {
	if len(k) != len(x) || len(n) != len(x) {
		return nil, errors.New("the fit needs one count of leads and of positives per row")
	}
	if !(lambda >= 0) || math.IsInf(lambda, 0) {
		return nil, errors.New("the fit needs a finite penalty of at least 0")
	}
	for i, row := range x {
		if len(row) != len(x[0]) {
			return nil, errors.New("the fit needs rows of one length")
		}
		if !(n[i] > 0) || math.IsInf(n[i], 0) || !(k[i] >= 0 && k[i] <= n[i]) {
			return nil, errors.New("the fit needs, per row, some leads and at most as many positives")
		}
		for _, v := range row {
			if !finite(v) {
				return nil, errors.New("the fit met a value that is not a finite number")
			}
		}
	}
	return fitGrouped(x, k, n, lambda)
}
