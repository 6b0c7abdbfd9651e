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
	"math"
	"math/rand/v2"
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

// Band is the index of the band of the given width that holds v: the
// floor of v/width, except that a v on a band's lower edge in decimal
// (0.6 with width 0.2, which floating point divides to 2.9999999999999996)
// is in that band, not the one below.
func Band(v, width float64) float64 {
	q := v / width
	if r := math.Round(q); math.Abs(q-r) <= 1e-9*math.Max(1, math.Abs(q)) {
		return r
	}
	return math.Floor(q)
}
