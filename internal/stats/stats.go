// Package stats holds the interval estimates and tests the backtest and
// feedback reports rest their conclusions on: Wilson intervals for rates,
// DeLong's variance of an AUC (alone and paired), exact Poisson intervals,
// Fisher's exact test, the Mantel–Haenszel test across strata,
// Benjamini–Hochberg adjustment, a two-proportion test with the Katz
// interval of a rate ratio, a penalised logistic fit with its covariance,
// and a Poisson trend test. Only the standard library: each method is a
// textbook formula, checked against independent computations and by
// simulation of its coverage in the tests.
package stats

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Z95 is the standard normal quantile for a two-sided 95% interval.
const Z95 = 1.959963984540054

// NormalCDF is the standard normal distribution function.
func NormalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// NormalQuantile is the inverse of NormalCDF, for p in (0, 1).
func NormalQuantile(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) }

// TwoSidedP is the two-sided p-value of a standard normal statistic.
func TwoSidedP(z float64) float64 { return math.Erfc(math.Abs(z) / math.Sqrt2) }

// Wilson is the 95% Wilson score interval of k successes in n trials; ok
// is false when n is zero, or k is not a count between 0 and n (negative,
// above n, NaN or infinite).
func Wilson(k, n float64) (lo, hi float64, ok bool) {
	if !(n > 0) || math.IsInf(n, 0) || !(k >= 0 && k <= n) {
		return 0, 0, false
	}
	const z = Z95
	p := k / n
	den := 1 + z*z/n
	centre := (p + z*z/(2*n)) / den
	half := z * math.Sqrt(math.Max(0, p*(1-p)/n+z*z/(4*n*n))) / den
	lo, hi = math.Max(0, centre-half), math.Min(1, centre+half)
	if k == 0 {
		lo = 0 // exactly: the formula leaves a rounding error's worth above it
	}
	if k == n {
		hi = 1
	}
	return lo, hi, true
}

// AUC is an area under the ROC curve with DeLong's variance.
type AUC struct {
	Value    float64
	Variance float64
	Pos, Neg int
}

// Interval is the 95% interval of the AUC, on the logit scale (so that it
// stays inside (0, 1) and covers well near the ends), back-transformed.
// ok is false when either class has fewer than two leads, or the AUC is 0
// or 1 (every pair ordered one way: DeLong's variance is then zero and no
// interval is honest), or the value or variance is not a finite number
// (NaN, infinite, a variance of zero or below).
func (a AUC) Interval() (lo, hi float64, ok bool) {
	if a.Pos < 2 || a.Neg < 2 || !(a.Value > 0 && a.Value < 1) || !(a.Variance > 0) || math.IsInf(a.Variance, 0) {
		return 0, 0, false
	}
	l := math.Log(a.Value / (1 - a.Value))
	se := math.Sqrt(a.Variance) / (a.Value * (1 - a.Value))
	inv := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	return inv(l - Z95*se), inv(l + Z95*se), true
}

// placements are DeLong's structural components: for each positive, the
// share of negatives it outscores (ties half); for each negative, the
// share of positives that outscore it.
func placements(scores []float64, pos []bool) (v10, v01 []float64, idxPos, idxNeg []int) {
	type lead struct {
		score float64
		i     int
	}
	order := make([]lead, len(scores))
	var nPos, nNeg float64
	for i, s := range scores {
		order[i] = lead{s, i}
		if pos[i] {
			nPos++
		} else {
			nNeg++
		}
	}
	slices.SortFunc(order, func(a, b lead) int { return cmp.Compare(a.score, b.score) })
	v10, v01 = make([]float64, len(scores)), make([]float64, len(scores))
	var negBelow, posBelow float64
	for i := 0; i < len(order); {
		j := i
		var p, n float64
		for ; j < len(order) && order[j].score == order[i].score; j++ {
			if pos[order[j].i] {
				p++
			} else {
				n++
			}
		}
		for _, l := range order[i:j] {
			if pos[l.i] {
				v10[l.i] = (negBelow + 0.5*n) / nNeg
			} else {
				v01[l.i] = (nPos - posBelow - p + 0.5*p) / nPos
			}
		}
		negBelow += n
		posBelow += p
		i = j
	}
	for i, p := range pos {
		if p {
			idxPos = append(idxPos, i)
		} else {
			idxNeg = append(idxNeg, i)
		}
	}
	return v10, v01, idxPos, idxNeg
}

// validScores reports whether every score slice has the labels' length
// and no score is NaN (a NaN has no place in the ranking).
func validScores(pos []bool, scores ...[]float64) bool {
	for _, s := range scores {
		if len(s) != len(pos) {
			return false
		}
		for _, x := range s {
			if math.IsNaN(x) {
				return false
			}
		}
	}
	return true
}

// DeLong returns the AUC of the scores for the label and DeLong's
// variance of it (DeLong, DeLong & Clarke-Pearson 1988), in O(n log n).
// ok is false when either class is empty, when scores and pos differ in
// length, or when a score is NaN.
func DeLong(scores []float64, pos []bool) (AUC, bool) {
	if !validScores(pos, scores) {
		return AUC{}, false
	}
	v10, v01, ip, in := placements(scores, pos)
	if len(ip) == 0 || len(in) == 0 {
		return AUC{Pos: len(ip), Neg: len(in)}, false
	}
	a := AUC{Pos: len(ip), Neg: len(in)}
	a.Value = mean(v10, ip)
	s10, s01 := cov(v10, v10, ip), cov(v01, v01, in)
	a.Variance = s10/float64(len(ip)) + s01/float64(len(in))
	return a, true
}

// Paired is the difference of two AUCs measured on the same leads.
type Paired struct {
	A, B AUC
	// Diff is B - A; Variance its DeLong variance, with the covariance of
	// the two scores on the same leads.
	Diff     float64
	Variance float64
}

// Interval is the 95% normal interval of B - A; ok is false when the
// variance cannot be measured (fewer than two leads in a class) or is zero
// with a difference (every pair ordered the same way by both), or the
// difference or variance is NaN, infinite or (the variance) negative.
func (p Paired) Interval() (lo, hi float64, ok bool) {
	if p.A.Pos < 2 || p.A.Neg < 2 || !(p.Variance >= 0) || math.IsInf(p.Variance, 0) || !finite(p.Diff) {
		return 0, 0, false
	}
	se := math.Sqrt(p.Variance)
	if se == 0 && p.Diff != 0 {
		return 0, 0, false
	}
	return p.Diff - Z95*se, p.Diff + Z95*se, true
}

// DeLongPaired compares two scores of the same leads (B against A). ok is
// false when either class is empty, when a, b and pos differ in length, or
// when a score is NaN.
func DeLongPaired(a, b []float64, pos []bool) (Paired, bool) {
	if !validScores(pos, a, b) {
		return Paired{}, false
	}
	a10, a01, ip, in := placements(a, pos)
	b10, b01, _, _ := placements(b, pos)
	if len(ip) == 0 || len(in) == 0 {
		return Paired{}, false
	}
	m, n := float64(len(ip)), float64(len(in))
	p := Paired{
		A: AUC{Value: mean(a10, ip), Pos: len(ip), Neg: len(in)},
		B: AUC{Value: mean(b10, ip), Pos: len(ip), Neg: len(in)},
	}
	saa, sbb, sab := cov(a10, a10, ip), cov(b10, b10, ip), cov(a10, b10, ip)
	taa, tbb, tab := cov(a01, a01, in), cov(b01, b01, in), cov(a01, b01, in)
	p.A.Variance = saa/m + taa/n
	p.B.Variance = sbb/m + tbb/n
	p.Diff = p.B.Value - p.A.Value
	p.Variance = math.Max(0, (saa+sbb-2*sab)/m+(taa+tbb-2*tab)/n)
	return p, true
}

func mean(v []float64, idx []int) float64 {
	s := 0.0
	for _, i := range idx {
		s += v[i]
	}
	return s / float64(len(idx))
}

// cov is the sample covariance (n-1) of x and y over idx; 0 for fewer than two.
func cov(x, y []float64, idx []int) float64 {
	if len(idx) < 2 {
		return 0
	}
	mx, my := mean(x, idx), mean(y, idx)
	s := 0.0
	for _, i := range idx {
		s += (x[i] - mx) * (y[i] - my)
	}
	return s / float64(len(idx)-1)
}

// PoissonInterval is the exact (Garwood) 95% interval of the mean of a
// Poisson count k. A k that is negative, NaN or infinite has no interval:
// both ends are NaN.
func PoissonInterval(k float64) (lo, hi float64) {
	if !(k >= 0) || math.IsInf(k, 0) {
		return math.NaN(), math.NaN()
	}
	if k > 0 {
		lo = gammaQuantile(0.025, k)
	}
	return lo, gammaQuantile(0.975, k+1)
}

// gammaQuantile is x with P(a, x) = p, the regularised lower incomplete
// gamma function (shape a, scale 1): Newton's method from the
// Wilson–Hilferty approximation, kept inside a bracket that shrinks with
// each step (bisection when Newton would leave it). A handful of
// evaluations of gammaP suffice, each O(√a) terms for large a.
func gammaQuantile(p, a float64) float64 {
	lo, hi := 0.0, math.Max(1, a)
	for gammaP(a, hi) < p {
		lo, hi = hi, 2*hi
	}
	x := a * math.Pow(1-1/(9*a)+NormalQuantile(p)/(3*math.Sqrt(a)), 3)
	if !(x > lo && x < hi) {
		x = (lo + hi) / 2
	}
	for range 200 {
		f := gammaP(a, x) - p
		if f < 0 {
			lo = x
		} else {
			hi = x
		}
		// dP/dx = xᵃ⁻¹e⁻ˣ/Γ(a).
		next := x - f*x/math.Exp(gammaLogPrefix(a, x))
		if !(next > lo && next < hi) {
			next = (lo + hi) / 2
		}
		if math.Abs(next-x) <= 1e-14*x || hi-lo <= 1e-14*hi {
			return next
		}
		x = next
	}
	return x
}

// gammaP is the regularised lower incomplete gamma function P(a, x): a
// series below a+1, a continued fraction (Lentz) above. Both need of the
// order of √a terms near x = a, so the cap on the terms grows with √a.
func gammaP(a, x float64) float64 {
	if x <= 0 {
		return 0
	}
	limit := 10000 + int(20*math.Sqrt(a))
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < limit; n++ {
			term *= x / (a + float64(n))
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-16 {
				break
			}
		}
		return sum * math.Exp(gammaLogPrefix(a, x))
	}
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < limit; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return 1 - math.Exp(gammaLogPrefix(a, x))*h
}

// gammaLogPrefix is ln(xᵃe⁻ˣ/Γ(a)). For large a its three terms are each
// near a·ln a and cancel, losing about a·1e-16 (a shift of the Garwood
// limits by thousands of counts at k = 1e12); it is then computed as
// a·(ln(1+d) − d) + ½·ln(a/2π) − (ln Γ(a)'s Stirling remainder), with
// d = (x−a)/a, which keeps its precision.
func gammaLogPrefix(a, x float64) float64 {
	if a < 100 {
		lg, _ := math.Lgamma(a)
		return -x + a*math.Log(x) - lg
	}
	d := (x - a) / a
	var l float64 // ln(1+d) − d
	if math.Abs(d) < 0.01 {
		pow := d
		for k := 2; k <= 12; k++ {
			pow *= -d // (−1)^(k+1)·d^k
			l += pow / float64(k)
		}
	} else {
		l = math.Log1p(d) - d
	}
	ia := 1 / a
	stirling := ia/12 - ia*ia*ia/360 + ia*ia*ia*ia*ia/1260
	return a*l + 0.5*math.Log(a/(2*math.Pi)) - stirling
}

// Fisher is Fisher's exact test of a 2×2 table
//
//	        with  without
//	group    a      b
//	rest     c      d
//
// Less is P(A ≤ a), Greater P(A ≥ a), TwoSided the sum of the
// probabilities of the tables no more likely than the one seen, all with
// the margins fixed.
type Fisher struct{ Less, Greater, TwoSided float64 }

// FisherExact tests a 2×2 table of counts (see Fisher). A negative count
// is no table: every p-value is then NaN (so that no comparison with a
// level finds it significant).
func FisherExact(a, b, c, d int) Fisher {
	if a < 0 || b < 0 || c < 0 || d < 0 {
		nan := math.NaN()
		return Fisher{nan, nan, nan}
	}
	r1, c1, n := a+b, a+c, a+b+c+d
	lo, hi := max(0, c1-(n-r1)), min(r1, c1)
	lf := func(v int) float64 { l, _ := math.Lgamma(float64(v + 1)); return l }
	// ln of C(r1, x)·C(n-r1, c1-x)/C(n, c1), the parts fixed by the
	// margins computed once.
	base := lf(r1) + lf(n-r1) - lchoose(n, c1)
	logp := func(x int) float64 {
		return base - lf(x) - lf(r1-x) - lf(c1-x) - lf(n-r1-c1+x)
	}
	obs := logp(a)
	var f Fisher
	for x := lo; x <= hi; x++ {
		lp := logp(x)
		p := math.Exp(lp)
		if x <= a {
			f.Less += p
		}
		if x >= a {
			f.Greater += p
		}
		if lp <= obs+1e-7 {
			f.TwoSided += p
		}
	}
	f.Less, f.Greater, f.TwoSided = math.Min(1, f.Less), math.Min(1, f.Greater), math.Min(1, f.TwoSided)
	return f
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// BH returns Benjamini–Hochberg adjusted p-values (q-values), in the order
// of p: reject the hypotheses whose q is at most the false discovery rate.
// A NaN p-value is no test: its q is NaN and the others are adjusted as if
// it were absent (as R's p.adjust does with NA).
func BH(p []float64) []float64 {
	q := make([]float64, len(p))
	idx := make([]int, 0, len(p))
	for i, v := range p {
		if math.IsNaN(v) {
			q[i] = math.NaN()
		} else {
			idx = append(idx, i)
		}
	}
	n := len(idx)
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	prev := 1.0
	for r := n - 1; r >= 0; r-- {
		v := math.Min(prev, p[idx[r]]*float64(n)/float64(r+1))
		q[idx[r]], prev = v, v
	}
	return q
}

// Table2 is one stratum's 2×2 table (see Fisher for the layout).
type Table2 struct{ A, B, C, D float64 }

// MantelHaenszel tests, across strata, whether the group is associated
// with the property once the strata are held fixed: the common odds ratio
// (Mantel–Haenszel estimate) and the continuity-corrected statistic as a
// signed z (positive when the group has the property more often), with
// its two-sided p. ok is false when no stratum carries information, or a
// count is negative, NaN or infinite.
func MantelHaenszel(ts []Table2) (or, z, p float64, ok bool) {
	var sa, se, sv, num, den float64
	for _, t := range ts {
		for _, x := range [...]float64{t.A, t.B, t.C, t.D} {
			if !(x >= 0) || math.IsInf(x, 0) {
				return 0, 0, 1, false
			}
		}
		n := t.A + t.B + t.C + t.D
		if n < 2 {
			continue
		}
		r1, r2, c1, c2 := t.A+t.B, t.C+t.D, t.A+t.C, t.B+t.D
		v := r1 * r2 * c1 * c2 / (n * n * (n - 1))
		if v == 0 {
			continue
		}
		sa += t.A
		se += r1 * c1 / n
		sv += v
		num += t.A * t.D / n
		den += t.B * t.C / n
	}
	if sv == 0 {
		return 0, 0, 1, false
	}
	d := math.Max(0, math.Abs(sa-se)-0.5)
	z = math.Copysign(d/math.Sqrt(sv), sa-se)
	or = math.Inf(1)
	if den > 0 {
		or = num / den
	}
	return or, z, TwoSidedP(z), true
}

// TwoProportions compares k1 of n1 with k2 of n2: the rate ratio
// (k1/n1)/(k2/n2) with its 95% Katz (log) interval, half a count added to
// every cell when one is zero, and the two-sided p of the pooled z test.
// ok is false when either n is zero, or a k is not a count between 0 and
// its n (negative, above n, NaN or infinite).
func TwoProportions(k1, n1, k2, n2 float64) (ratio, lo, hi, p float64, ok bool) {
	valid := func(k, n float64) bool { return n > 0 && !math.IsInf(n, 0) && k >= 0 && k <= n }
	if !valid(k1, n1) || !valid(k2, n2) {
		return 0, 0, 0, 1, false
	}
	a, b := k1, k2
	m1, m2 := n1, n2
	if a == 0 || b == 0 || a == m1 || b == m2 {
		a, b, m1, m2 = a+0.5, b+0.5, m1+1, m2+1
	}
	ratio = (a / m1) / (b / m2)
	se := math.Sqrt(1/a - 1/m1 + 1/b - 1/m2)
	lo, hi = ratio*math.Exp(-Z95*se), ratio*math.Exp(Z95*se)
	pool := (k1 + k2) / (n1 + n2)
	s := math.Sqrt(pool * (1 - pool) * (1/n1 + 1/n2))
	p = 1
	if s > 0 {
		p = TwoSidedP((k1/n1 - k2/n2) / s)
	}
	return ratio, lo, hi, p, true
}

// Binomial draws from Binomial(n, p): exactly by inversion when n·min(p,
// 1-p) is small, from the normal approximation (rounded, clamped)
// otherwise, where its error is far below a bootstrap's. A p at or below
// 0, or NaN, draws 0; at or above 1, n.
func Binomial(r *rand.Rand, n int, p float64) int {
	if n <= 0 || !(p > 0) {
		return 0
	}
	if p >= 1 {
		return n
	}
	if p > 0.5 {
		return n - Binomial(r, n, 1-p)
	}
	if float64(n)*p < 40 {
		u := r.Float64()
		q := math.Pow(1-p, float64(n))
		k := 0
		for cum := q; u > cum && k < n; cum += q {
			q *= (float64(n-k) / float64(k+1)) * (p / (1 - p))
			k++
		}
		return k
	}
	x := math.Round(float64(n)*p + math.Sqrt(float64(n)*p*(1-p))*r.NormFloat64())
	return int(math.Max(0, math.Min(float64(n), x)))
}

// Percentiles returns the 2.5th and 97.5th percentiles of xs (sorted in
// place), by linear interpolation (R's type 7). NaNs are left out (sorted
// to the front); with no other value both are NaN.
func Percentiles(xs []float64) (lo, hi float64) {
	sort.Float64s(xs)
	for len(xs) > 0 && math.IsNaN(xs[0]) {
		xs = xs[1:]
	}
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	at := func(q float64) float64 {
		pos := q * float64(len(xs)-1)
		i := int(pos)
		if i+1 >= len(xs) {
			return xs[len(xs)-1]
		}
		return xs[i] + (pos-float64(i))*(xs[i+1]-xs[i])
	}
	return at(0.025), at(0.975)
}

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
