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
	p := 1
	if len(x) > 0 {
		p += len(x[0])
	}
	beta := make([]float64, p)
	xi := make([]float64, p)
	var hess [][]float64
	for iter := 0; iter < 200; iter++ {
		grad := make([]float64, p)
		hess = make([][]float64, p)
		for j := range hess {
			hess[j] = make([]float64, p)
		}
		for i := range x {
			xi[0] = 1
			copy(xi[1:], x[i])
			z := 0.0
			for j := range xi {
				z += beta[j] * xi[j]
			}
			pi := 1 / (1 + math.Exp(-z))
			w := n[i] * pi * (1 - pi)
			for j := range xi {
				if xi[j] == 0 {
					continue
				}
				grad[j] += (k[i] - n[i]*pi) * xi[j]
				for l := range xi {
					hess[j][l] += w * xi[j] * xi[l]
				}
			}
		}
		for j := 1; j < p; j++ {
			grad[j] -= lambda * beta[j]
			hess[j][j] += lambda
		}
		step, err := Solve(hess, grad)
		if err != nil {
			return nil, err
		}
		largest := 0.0
		for j := range beta {
			s := math.Max(-5, math.Min(5, step[j])) // damped, as in FitLogistic
			beta[j] += s
			largest = math.Max(largest, math.Abs(s))
		}
		if largest < 1e-10 {
			break
		}
	}
	for _, b := range beta {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return nil, errors.New("the fit did not converge to finite numbers")
		}
	}
	inv, err := Invert(hess)
	if err != nil {
		return nil, err
	}
	return &Logistic{Coef: beta, Cov: inv}, nil
}
