package stats

import (
	"math"
	"sort"
)

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
