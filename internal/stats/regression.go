package stats

import (
	"errors"
	"math"
)

// Logistic is a fitted logistic regression: Coef[0] the intercept, then
// one per column; Cov their covariance (the inverse of the penalised
// information matrix).
type Logistic struct {
	Coef []float64
	Cov  [][]float64
}

// SE is the standard error of coefficient k.
func (l *Logistic) SE(k int) float64 { return math.Sqrt(math.Max(0, l.Cov[k][k])) }

// FitLogistic fits P(y=1) = 1/(1+exp(-(b0 + Σ bk xk))) by Newton's method,
// minimising the negative log-likelihood plus lambda/2 Σ bk² (b0 not
// penalised), and returns the coefficients with their covariance. It
// fails when x and y differ in length, the rows of x differ in length, a
// value is NaN or infinite, an outcome is outside [0, 1] (or NaN), lambda
// is negative or not finite, the system is singular (a constant or
// separated column with lambda 0), or Newton's method has not settled
// after 200 steps.
func FitLogistic(x [][]float64, y []float64, lambda float64) (*Logistic, error) {
	if len(y) != len(x) {
		return nil, errors.New("the fit needs one outcome per row")
	}
	if !(lambda >= 0) || math.IsInf(lambda, 0) {
		return nil, errors.New("the fit needs a finite penalty of at least 0")
	}
	p := 1
	if len(x) > 0 {
		p += len(x[0])
	}
	for i, row := range x {
		if len(row) != p-1 {
			return nil, errors.New("the fit needs rows of one length")
		}
		if !(y[i] >= 0 && y[i] <= 1) {
			return nil, errors.New("the fit needs outcomes between 0 and 1")
		}
		for _, v := range row {
			if !finite(v) {
				return nil, errors.New("the fit met a value that is not a finite number")
			}
		}
	}
	ones := make([]float64, len(y))
	for i := range ones {
		ones[i] = 1
	}
	return fitGrouped(x, y, ones, lambda)
}

// fitGrouped fits the logistic regression of FitLogistic on rows that
// stand for n[i] leads each, k[i] of them positive, by Newton's method.
// The inputs are checked by its callers.
func fitGrouped(x [][]float64, k, n []float64, lambda float64) (*Logistic, error) {
	p := 1
	if len(x) > 0 {
		p += len(x[0])
	}
	converged := false
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
			// Damped: a step of more than 5 log-odds is cut, so that a
			// nearly separated column cannot throw the fit off.
			s := math.Max(-5, math.Min(5, step[j]))
			beta[j] += s
			largest = math.Max(largest, math.Abs(s))
		}
		if largest < 1e-10 {
			converged = true
			break
		}
	}
	if !converged {
		return nil, errors.New("the fit did not converge")
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

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Solve solves a·x = b by Gaussian elimination with partial pivoting. a
// must be square with b's length.
func Solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	if len(a) != n {
		return nil, errors.New("the system's matrix and right-hand side differ in size")
	}
	for _, row := range a {
		if len(row) != n {
			return nil, errors.New("the system's matrix is not square")
		}
	}
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[piv][c]) {
				piv = r
			}
		}
		if math.Abs(m[piv][c]) < 1e-300 {
			return nil, errors.New("the fit met a singular system")
		}
		m[c], m[piv] = m[piv], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}

// Invert inverts a square matrix column by column.
func Invert(a [][]float64) ([][]float64, error) {
	n := len(a)
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, n)
	}
	e := make([]float64, n)
	for c := 0; c < n; c++ {
		clear(e)
		e[c] = 1
		col, err := Solve(a, e)
		if err != nil {
			return nil, err
		}
		for r := range col {
			out[r][c] = col[r]
		}
	}
	return out, nil
}

// Trend is a log-linear (Poisson) trend of counts over equal periods.
type Trend struct {
	// PerPeriod is the multiplicative change per period (1.05: 5% more a
	// period), with its 95% interval; P tests "no trend".
	PerPeriod, Low, High, P float64
	// Dispersion is the Pearson χ²/(n−2) the standard error was scaled by
	// when above 1 (counts more variable than Poisson); the interval and P
	// then use Student's t with n−2 degrees of freedom, as a quasi-Poisson
	// fit does, since the scale is estimated from the same n−2.
	Dispersion float64
}

// PoissonTrend fits log E[count_t] = a + b·t over t = 0..n-1 by iterated
// weighted least squares (quasi-Poisson: the standard error scaled by the
// dispersion, and the normal reference replaced by Student's t, when the
// dispersion is above 1). ok is false for fewer than 4 periods,
// no counts, a count that is negative, NaN or infinite, every count in the
// first period or every count in the last (no finite trend fits them: the
// likelihood grows without end), or a fit that does not settle.
func PoissonTrend(counts []float64) (Trend, bool) {
	n := len(counts)
	total := 0.0
	for _, c := range counts {
		if !(c >= 0) || math.IsInf(c, 0) {
			return Trend{}, false
		}
		total += c
	}
	if n < 4 || total == 0 || counts[0] == total || counts[n-1] == total {
		return Trend{}, false
	}
	a, b := math.Log(total/float64(n)), 0.0
	var h [2][2]float64
	converged := false
	for iter := 0; iter < 100; iter++ {
		var g [2]float64
		h = [2][2]float64{}
		for t, c := range counts {
			x := float64(t)
			mu := math.Exp(a + b*x)
			g[0] += c - mu
			g[1] += (c - mu) * x
			h[0][0] += mu
			h[0][1] += mu * x
			h[1][1] += mu * x * x
		}
		h[1][0] = h[0][1]
		det := h[0][0]*h[1][1] - h[0][1]*h[1][0]
		if det <= 0 {
			return Trend{}, false
		}
		da := (h[1][1]*g[0] - h[0][1]*g[1]) / det
		db := (-h[1][0]*g[0] + h[0][0]*g[1]) / det
		a, b = a+da, b+db
		if math.Abs(da) < 1e-12 && math.Abs(db) < 1e-12 {
			converged = true
			break
		}
	}
	if !converged {
		return Trend{}, false
	}
	chi := 0.0
	for t, c := range counts {
		mu := math.Exp(a + b*float64(t))
		chi += (c - mu) * (c - mu) / mu
	}
	disp := chi / float64(n-2)
	det := h[0][0]*h[1][1] - h[0][1]*h[1][0]
	se := math.Sqrt(h[0][0] / det * math.Max(1, disp))
	if math.IsNaN(b) || math.IsInf(b, 0) || !(se > 0) || math.IsInf(se, 0) {
		return Trend{}, false
	}
	crit, p := Z95, TwoSidedP(b/se)
	if disp > 1 {
		df := float64(n - 2)
		crit, p = studentQuantile975(df), studentTwoSidedP(b/se, df)
	}
	return Trend{PerPeriod: math.Exp(b), Low: math.Exp(b - crit*se), High: math.Exp(b + crit*se),
		P: p, Dispersion: disp}, true
}

// studentTwoSidedP is P(|T| ≥ |t|) for Student's t with df degrees of
// freedom: I_{df/(df+t²)}(df/2, ½).
func studentTwoSidedP(t, df float64) float64 {
	return betaI(df/2, 0.5, df/(df+t*t))
}

// studentQuantile975 is the 97.5th percentile of Student's t with df
// degrees of freedom, by bisection.
func studentQuantile975(df float64) float64 {
	lo, hi := 0.0, 2.0
	for studentTwoSidedP(hi, df) > 0.05 {
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if studentTwoSidedP(mid, df) > 0.05 {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-13*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// betaI is the regularised incomplete beta function I_x(a, b), by its
// continued fraction (modified Lentz) on the side where it converges fast.
func betaI(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(a*math.Log(x) + b*math.Log1p(-x) - la - lb + lab)
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m < 10000; m++ {
		fm := float64(m)
		for _, an := range [2]float64{
			fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm)),
			-(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1)),
		} {
			d = 1 + an*d
			if math.Abs(d) < tiny {
				d = tiny
			}
			c = 1 + an/c
			if math.Abs(c) < tiny {
				c = tiny
			}
			d = 1 / d
			h *= d * c
		}
		if math.Abs(d*c-1) < 1e-16 {
			break
		}
	}
	return h
}
