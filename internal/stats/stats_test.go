package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The tests compare each method with an independent computation (brute
// force, a closed form, a numeric integration or a published value) and
// check the interval estimates by simulation with a fixed seed. The
// repetitions are chosen so that the whole package runs in a few seconds
// under -race; -short cuts them further but still checks coverage.

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// reps is n, or a quarter of it under -short.
func reps(n int) int {
	if testing.Short() {
		return n / 4
	}
	return n
}

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.IsNaN(want) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g (±%g)", name, got, want, tol)
	}
}

// nearRel is near with a tolerance relative to want.
func nearRel(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	near(t, name, got, want, rel*math.Max(math.Abs(want), 1e-300))
}

// within checks a simulated rate against a band; under -short, with a
// quarter of the repetitions (twice the simulation error), the band is a
// point wider on each side.
func within(t *testing.T, name string, got, lo, hi float64) {
	t.Helper()
	if testing.Short() {
		lo, hi = math.Max(0, lo-0.01), math.Min(1, hi+0.01)
	}
	t.Logf("%s = %.4f (band [%.4g, %.4g])", name, got, lo, hi)
	if !(got >= lo && got <= hi) {
		t.Errorf("%s = %.4f, want within [%.4g, %.4g]", name, got, lo, hi)
	}
}

// logBinomPMF is log P(X = k) for X ~ Binomial(n, p), from Lgamma.
func logBinomPMF(k, n int, p float64) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p)
}

func TestNormal(t *testing.T) {
	// Φ(1.959963984540054) = 0.975 and Φ(1) = 0.8413447460685429 (tables).
	near(t, "NormalCDF(Z95)", NormalCDF(Z95), 0.975, 1e-15)
	near(t, "NormalCDF(1)", NormalCDF(1), 0.8413447460685429, 1e-15)
	near(t, "NormalCDF(-3)", NormalCDF(-3), 0.0013498980316301, 1e-15)
	near(t, "NormalQuantile(0.975)", NormalQuantile(0.975), Z95, 1e-13)
	near(t, "NormalQuantile(0.5)", NormalQuantile(0.5), 0, 1e-15)
	near(t, "TwoSidedP(Z95)", TwoSidedP(Z95), 0.05, 1e-15)
	near(t, "TwoSidedP(-Z95)", TwoSidedP(-Z95), 0.05, 1e-15)
	near(t, "TwoSidedP(0)", TwoSidedP(0), 1, 0)
	for _, p := range []float64{1e-10, 0.001, 0.2, 0.7, 0.999} {
		near(t, "NormalCDF(NormalQuantile(p))", NormalCDF(NormalQuantile(p)), p, 1e-12*math.Max(p, 1e-3))
	}
}

func TestWilsonHand(t *testing.T) {
	// Hand-computed from (p̂ + z²/2n ± z√(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n):
	// 0/10 has upper z²/(n+z²); 10/10 lower n/(n+z²).
	for _, c := range []struct{ k, n, lo, hi float64 }{
		{0, 10, 0, 0.2775327999},
		{10, 10, 0.7224672001, 1},
		{5, 10, 0.2365930905, 0.7634069095},
		{1, 20, 0.0088814488, 0.2361311934},
		{81, 263, 0.2552885199, 0.3662095770},
	} {
		lo, hi, ok := Wilson(c.k, c.n)
		if !ok {
			t.Fatalf("Wilson(%v, %v) not ok", c.k, c.n)
		}
		near(t, "Wilson lo", lo, c.lo, 1e-9)
		near(t, "Wilson hi", hi, c.hi, 1e-9)
	}
	// Property: the ends are the roots of (p̂-p)² = z²p(1-p)/n, solved here
	// as a quadratic in p.
	r := newRand(1)
	for range 200 {
		n := float64(1 + r.IntN(500))
		k := float64(r.IntN(int(n) + 1))
		ph, z2 := k/n, Z95*Z95
		a, b, c := 1+z2/n, -(2*ph + z2/n), ph*ph
		disc := math.Sqrt(b*b - 4*a*c)
		lo, hi, ok := Wilson(k, n)
		if !ok {
			t.Fatalf("Wilson(%v, %v) not ok", k, n)
		}
		near(t, "Wilson lo (quadratic)", lo, math.Max(0, (-b-disc)/(2*a)), 1e-12)
		near(t, "Wilson hi (quadratic)", hi, math.Min(1, (-b+disc)/(2*a)), 1e-12)
	}
}

func TestWilsonInvalid(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range [][2]float64{{0, 0}, {1, 0}, {0, -3}, {5, 3}, {-1, 3}, {nan, 3}, {1, nan}, {1, inf}, {inf, inf}} {
		if lo, hi, ok := Wilson(c[0], c[1]); ok {
			t.Errorf("Wilson(%v, %v) = %v, %v, ok; want not ok", c[0], c[1], lo, hi)
		}
	}
	// A weighted (non-integer) count inside [0, n] is fine.
	if lo, hi, ok := Wilson(2.5, 7.5); !ok || !(lo < 1.0/3 && 1.0/3 < hi) {
		t.Errorf("Wilson(2.5, 7.5) = %v, %v, %v", lo, hi, ok)
	}
	// Huge n: finite, tight, around p̂.
	if lo, hi, ok := Wilson(3e11, 1e12); !ok || !(lo < 0.3 && 0.3 < hi && hi-lo < 1e-5) {
		t.Errorf("Wilson(3e11, 1e12) = %v, %v, %v", lo, hi, ok)
	}
}

// TestWilsonCoverage measures the coverage of the 95% interval exactly
// (summing the binomial distribution) and by simulation with the package's
// Binomial sampler.
func TestWilsonCoverage(t *testing.T) {
	const n = 40
	r := newRand(2)
	for _, p := range []float64{0.1, 0.5} {
		exact := 0.0
		for k := 0; k <= n; k++ {
			if lo, hi, _ := Wilson(float64(k), n); lo <= p && p <= hi {
				exact += math.Exp(logBinomPMF(k, n, p))
			}
		}
		within(t, "Wilson exact coverage", exact, 0.92, 0.98)
		R, cover := reps(20000), 0
		for range R {
			k := Binomial(r, n, p)
			if lo, hi, _ := Wilson(float64(k), n); lo <= p && p <= hi {
				cover++
			}
		}
		sim := float64(cover) / float64(R)
		within(t, "Wilson simulated coverage", sim, 0.92, 0.98)
		// The simulation agrees with the exact figure (4 standard errors).
		near(t, "simulated - exact coverage", sim, exact, 4*math.Sqrt(exact*(1-exact)/float64(R)))
	}
}

func TestTwoProportionsHand(t *testing.T) {
	// 10/50 against 5/60: ratio 0.2/0.08333 = 2.4, Katz
	// se = √(1/10 - 1/50 + 1/5 - 1/60) = 0.513160, interval 2.4·e^(∓1.96·se);
	// pooled 15/110, z = (0.2 - 0.08333)/√(15/110·95/110·(1/50+1/60)) = 1.77537.
	ratio, lo, hi, p, ok := TwoProportions(10, 50, 5, 60)
	if !ok {
		t.Fatal("not ok")
	}
	near(t, "ratio", ratio, 2.4, 1e-12)
	near(t, "lo", lo, 0.8778261928, 1e-9)
	near(t, "hi", hi, 6.5616633993, 1e-9)
	near(t, "p", p, 0.07583178857, 1e-10)

	// A zero cell: half a count in every cell, (0.5/21)/(3.5/31).
	ratio, lo, hi, p, ok = TwoProportions(0, 20, 3, 30)
	if !ok {
		t.Fatal("not ok")
	}
	near(t, "ratio (zero cell)", ratio, (0.5/21)/(3.5/31), 1e-12)
	near(t, "lo (zero cell)", lo, 0.0114771651, 1e-9)
	near(t, "hi (zero cell)", hi, 3.8748427938, 1e-9)
	near(t, "p (zero cell)", p, 0.1446614878, 1e-9)

	// Equal rates: ratio 1, interval symmetric on the log scale, p = 1.
	ratio, lo, hi, p, _ = TwoProportions(7, 70, 7, 70)
	near(t, "ratio (equal)", ratio, 1, 1e-15)
	near(t, "lo·hi (equal)", lo*hi, 1, 1e-12)
	near(t, "p (equal)", p, 1, 0)
	// Nobody and everybody: no variance, p = 1, interval still finite.
	for _, c := range [][4]float64{{0, 10, 0, 20}, {10, 10, 20, 20}} {
		ratio, lo, hi, p, ok = TwoProportions(c[0], c[1], c[2], c[3])
		if !ok || p != 1 || !(lo < ratio && ratio < hi) || math.IsInf(hi, 0) {
			t.Errorf("TwoProportions%v = %v, %v, %v, %v, %v", c, ratio, lo, hi, p, ok)
		}
	}
}

func TestTwoProportionsInvalid(t *testing.T) {
	nan := math.NaN()
	for _, c := range [][4]float64{{0, 0, 1, 2}, {1, 2, 0, 0}, {5, 3, 1, 4}, {-1, 3, 1, 4}, {1, 3, 5, 4}, {nan, 3, 1, 4}, {1, 3, 1, nan}, {1, math.Inf(1), 1, 4}} {
		if _, _, _, p, ok := TwoProportions(c[0], c[1], c[2], c[3]); ok || p != 1 {
			t.Errorf("TwoProportions%v: ok = %v, p = %v; want not ok, p = 1", c, ok, p)
		}
	}
}

// TestTwoProportionsCoverage checks the Katz interval and the z test by
// simulation: equal rates (type I error) and a known ratio (coverage).
func TestTwoProportionsCoverage(t *testing.T) {
	r := newRand(3)
	R := reps(4000)
	const n1, n2, p1, p2 = 200, 300, 0.15, 0.1
	cover, reject := 0, 0
	for range R {
		k1, k2 := Binomial(r, n1, p1), Binomial(r, n2, p2)
		if _, lo, hi, _, _ := TwoProportions(float64(k1), n1, float64(k2), n2); lo <= p1/p2 && p1/p2 <= hi {
			cover++
		}
		k1 = Binomial(r, n1, p2)
		if _, _, _, p, _ := TwoProportions(float64(k1), n1, float64(k2), n2); p <= 0.05 {
			reject++
		}
	}
	within(t, "Katz coverage of the rate ratio", float64(cover)/float64(R), 0.93, 0.97)
	within(t, "z test type I error", float64(reject)/float64(R), 0.03, 0.07)
}

func TestBinomialMoments(t *testing.T) {
	r := newRand(4)
	R := reps(40000)
	for _, c := range []struct {
		n int
		p float64
	}{
		{50, 0.3},    // inversion
		{50, 0.8},    // inversion of the complement
		{1000, 0.01}, // inversion, n·p = 10
		{2000, 0.4},  // normal approximation
		{1e6, 0.75},  // normal approximation of the complement
	} {
		var s, ss float64
		for range R {
			k := float64(Binomial(r, c.n, c.p))
			if k < 0 || k > float64(c.n) {
				t.Fatalf("Binomial(%d, %v) = %v", c.n, c.p, k)
			}
			s += k
			ss += k * k
		}
		m := s / float64(R)
		v := (ss - s*m) / float64(R-1)
		mu, sigma2 := float64(c.n)*c.p, float64(c.n)*c.p*(1-c.p)
		t.Logf("Binomial(%d, %v): mean %.4f (n·p %.4f), variance %.4f (n·p·(1-p) %.4f)", c.n, c.p, m, mu, v, sigma2)
		// Mean within 4 standard errors, variance within 4 standard errors
		// of a sample variance (√(2/R) relative, near-normal counts).
		near(t, "mean", m, mu, 4*math.Sqrt(sigma2/float64(R)))
		nearRel(t, "variance", v, sigma2, 4*math.Sqrt(2/float64(R))+0.01)
	}
}

// TestBinomialExact checks the inversion branch against the exact
// distribution by a χ² goodness-of-fit statistic.
func TestBinomialExact(t *testing.T) {
	r := newRand(5)
	const n, p = 30, 0.2
	R := reps(40000)
	counts := make([]float64, n+1)
	for range R {
		counts[Binomial(r, n, p)]++
	}
	// Pool the tails so that every expected count is at least 5.
	chi, df, obs, exp := 0.0, -1, 0.0, 0.0
	for k := 0; k <= n; k++ {
		obs += counts[k]
		exp += float64(R) * math.Exp(logBinomPMF(k, n, p))
		if exp >= 5 && k < n-1 {
			chi += (obs - exp) * (obs - exp) / exp
			df++
			obs, exp = 0, 0
		}
	}
	chi += (obs - exp) * (obs - exp) / math.Max(exp, 1e-300)
	df++
	// Against the 99.9th percentile of χ² with df degrees of freedom
	// (Wilson–Hilferty: df·(1 - 2/9df + 3.09·√(2/9df))³).
	h := 2 / (9 * float64(df))
	limit := float64(df) * math.Pow(1-h+3.090232*math.Sqrt(h), 3)
	t.Logf("χ² = %.2f on %d df", chi, df)
	if chi > limit {
		t.Errorf("χ² = %.2f on %d df: the inversion sampler is not Binomial(%d, %v)", chi, df, n, p)
	}
}

func TestBinomialEdges(t *testing.T) {
	r := newRand(6)
	for _, c := range []struct {
		n    int
		p    float64
		want int
	}{
		{0, 0.5, 0}, {-3, 0.5, 0}, {10, 0, 0}, {10, -1, 0}, {10, 1, 10}, {10, 2, 10}, {10, math.NaN(), 0},
	} {
		if got := Binomial(r, c.n, c.p); got != c.want {
			t.Errorf("Binomial(%d, %v) = %d, want %d", c.n, c.p, got, c.want)
		}
	}
	// Huge n with a tiny p (inversion) and with p = 1/2 (normal): in range.
	for _, c := range []struct {
		n int
		p float64
	}{{1e12, 1e-11}, {1e12, 0.5}, {math.MaxInt32, 1 - 1e-9}} {
		k := Binomial(r, c.n, c.p)
		mu, sd := float64(c.n)*c.p, math.Sqrt(float64(c.n)*c.p*(1-c.p))
		if k < 0 || k > c.n || math.Abs(float64(k)-mu) > 8*sd+1 {
			t.Errorf("Binomial(%d, %v) = %d, far from %v", c.n, c.p, k, mu)
		}
	}
}

func TestPercentiles(t *testing.T) {
	// R's quantile(0:10, c(.025, .975)) (type 7) = 0.25, 9.75.
	xs := []float64{10, 3, 0, 7, 1, 9, 2, 5, 8, 6, 4}
	lo, hi := Percentiles(xs)
	near(t, "lo", lo, 0.25, 1e-15)
	near(t, "hi", hi, 9.75, 1e-15)
	// 1..41: positions 1 and 39 exactly.
	xs = make([]float64, 41)
	for i := range xs {
		xs[i] = float64(41 - i)
	}
	lo, hi = Percentiles(xs)
	near(t, "lo (1..41)", lo, 2, 0)
	near(t, "hi (1..41)", hi, 40, 0)
	lo, hi = Percentiles([]float64{1, 2})
	near(t, "lo (1, 2)", lo, 1.025, 1e-15)
	near(t, "hi (1, 2)", hi, 1.975, 1e-15)
	lo, hi = Percentiles([]float64{5})
	if lo != 5 || hi != 5 {
		t.Errorf("Percentiles([5]) = %v, %v", lo, hi)
	}
	// NaNs are left out; nothing else gives NaN, not a panic.
	nan := math.NaN()
	lo, hi = Percentiles([]float64{nan, 10, 3, 0, 7, nan, 1, 9, 2, 5, 8, 6, 4})
	near(t, "lo (with NaN)", lo, 0.25, 1e-15)
	near(t, "hi (with NaN)", hi, 9.75, 1e-15)
	for _, xs := range [][]float64{nil, {}, {nan, nan}} {
		if lo, hi := Percentiles(xs); !math.IsNaN(lo) || !math.IsNaN(hi) {
			t.Errorf("Percentiles(%v) = %v, %v; want NaN, NaN", xs, lo, hi)
		}
	}
}

func TestSolveInvert(t *testing.T) {
	// [[4 7] [2 6]]⁻¹ = [[0.6 -0.7] [-0.2 0.4]].
	inv, err := Invert([][]float64{{4, 7}, {2, 6}})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0.6, -0.7}, {-0.2, 0.4}}
	for i := range want {
		for j := range want[i] {
			near(t, "inverse", inv[i][j], want[i][j], 1e-15)
		}
	}
	// A zero first pivot needs the row swap.
	x, err := Solve([][]float64{{0, 2, 1}, {1, 1, 0}, {3, 0, 1}}, []float64{5, 3, 6})
	if err != nil {
		t.Fatal(err)
	}
	// By hand: x0 + x1 = 3 and 3x0 + x2 = 6 give x1 = 3 - x0 and
	// x2 = 6 - 3x0; then 2x1 + x2 = 12 - 5x0 = 5, so x0 = 7/5.
	near(t, "x0", x[0], 7.0/5, 1e-15)
	near(t, "x1", x[1], 8.0/5, 1e-15)
	near(t, "x2", x[2], 9.0/5, 1e-14)
	if _, err := Solve([][]float64{{1, 2}, {2, 4}}, []float64{1, 2}); err == nil {
		t.Error("singular system solved")
	}
	if _, err := Invert([][]float64{{0, 0}, {0, 0}}); err == nil {
		t.Error("zero matrix inverted")
	}
	// Shapes that do not fit: an error, not a panic.
	if _, err := Solve([][]float64{{1, 0}, {0, 1}}, []float64{1}); err == nil {
		t.Error("2×2 system with one right-hand side solved")
	}
	if _, err := Solve([][]float64{{1, 0}}, []float64{1, 2}); err == nil {
		t.Error("1×2 system with two right-hand sides solved")
	}
	if _, err := Invert([][]float64{{1, 0, 0}, {0, 1}}); err == nil {
		t.Error("ragged matrix inverted")
	}
}

// Wilson's ends are exact at the edges: 0 successes give a lower end of
// exactly 0 (not a rounding error above it), n successes an upper end of 1.
func TestWilsonEdgesAreExact(t *testing.T) {
	for _, n := range []float64{1, 3, 7, 40, 1e6} {
		lo, _, ok := Wilson(0, n)
		if !ok || lo != 0 {
			t.Errorf("Wilson(0, %v) lower end %v, want exactly 0", n, lo)
		}
		_, hi, ok := Wilson(n, n)
		if !ok || hi != 1 {
			t.Errorf("Wilson(%v, %v) upper end %v, want exactly 1", n, n, hi)
		}
	}
}

// FitBinomial on grouped rows is FitLogistic on the leads they stand for.
func TestFitBinomialIsFitLogisticOnTheLeads(t *testing.T) {
	x := [][]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0, 2.5}}
	k := []float64{3, 9, 4, 7, 6}
	n := []float64{40, 30, 25, 10, 12}
	var lx [][]float64
	var ly []float64
	for i := range x {
		for j := 0; j < int(n[i]); j++ {
			lx = append(lx, x[i])
			y := 0.0
			if j < int(k[i]) {
				y = 1
			}
			ly = append(ly, y)
		}
	}
	for _, lambda := range []float64{0, 1} {
		g, err := FitBinomial(x, k, n, lambda)
		if err != nil {
			t.Fatal(err)
		}
		l, err := FitLogistic(lx, ly, lambda)
		if err != nil {
			t.Fatal(err)
		}
		for j := range g.Coef {
			if math.Abs(g.Coef[j]-l.Coef[j]) > 1e-9 || math.Abs(g.SE(j)-l.SE(j)) > 1e-9 {
				t.Errorf("λ %v, coefficient %d: grouped %v ± %v, lead by lead %v ± %v", lambda, j, g.Coef[j], g.SE(j), l.Coef[j], l.SE(j))
			}
		}
	}
	if _, err := FitBinomial(x, []float64{3, 31, 4, 7, 6}, n, 0); err == nil {
		t.Error("more positives than leads in a row must be refused")
	}
}

// A total on a band's lower edge is in that band, whatever the width's
// binary rounding; one just under the edge is in the band below.
func TestBand(t *testing.T) {
	for _, c := range []struct{ v, w, want float64 }{
		{0.6, 0.2, 3}, {0.3, 0.1, 3}, {0.7, 0.1, 7}, {1.2, 0.4, 3}, {44, 22, 2}, {40, 20, 2},
		{0.5999, 0.2, 2}, {59.99, 20, 2}, {0, 5, 0}, {-0.2, 0.2, -1}, {-0.1, 0.2, -1}, {1e6 + 0.5, 0.5, 2000001},
	} {
		if got := Band(c.v, c.w); got != c.want {
			t.Errorf("Band(%v, %v) = %v, want %v", c.v, c.w, got, c.want)
		}
	}
}
