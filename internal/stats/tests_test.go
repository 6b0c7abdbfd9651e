package stats

import (
	"math"
	"math/big"
	"sort"
	"testing"
)

// bruteFisher enumerates every 2×2 table of n counts, keeps those with the
// observed margins, weighs each by its exact hypergeometric probability
// C(r1,a)·C(r2,c)/C(n,c1) in rational arithmetic, and sums the tails.
func bruteFisher(a, b, c, d int) Fisher {
	n := a + b + c + d
	r1, c1 := a+b, a+c
	binom := func(n, k int) *big.Int { return new(big.Int).Binomial(int64(n), int64(k)) }
	prob := func(a, c int) float64 {
		num := new(big.Int).Mul(binom(r1, a), binom(n-r1, c))
		f, _ := new(big.Rat).SetFrac(num, binom(n, c1)).Float64()
		return f
	}
	obs := prob(a, c)
	var f Fisher
	// x y
	// z w, w = n - x - y - z
	for x := 0; x <= n; x++ {
		for y := 0; x+y <= n; y++ {
			for z := 0; x+y+z <= n; z++ {
				if x+y != r1 || x+z != c1 {
					continue
				}
				p := prob(x, z)
				if x <= a {
					f.Less += p
				}
				if x >= a {
					f.Greater += p
				}
				// R's fisher.test: tables no more likely than the one seen,
				// with a relative tolerance of 1e-7.
				if p <= obs*(1+1e-7) {
					f.TwoSided += p
				}
			}
		}
	}
	return f
}

func TestFisherPublished(t *testing.T) {
	// Fisher's tea tasting, R's fisher.test(matrix(c(3,1,1,3),2)): the
	// tables with a = 0..4 have probabilities 1, 16, 36, 16, 1 over 70, so
	// two-sided 34/70 = 0.4857, greater 17/70 = 0.2429, less 69/70.
	f := FisherExact(3, 1, 1, 3)
	near(t, "tea two-sided", f.TwoSided, 34.0/70, 1e-12)
	near(t, "tea greater", f.Greater, 17.0/70, 1e-12)
	near(t, "tea less", f.Less, 69.0/70, 1e-12)
	near(t, "tea two-sided (R, 4 digits)", f.TwoSided, 0.4857, 5e-5)
	// R's fisher.test(Convictions, alternative = "less") with
	// Convictions <- matrix(c(2, 10, 15, 3), nrow = 2): p = 0.0004652.
	f = FisherExact(2, 15, 10, 3)
	near(t, "convictions less", f.Less, 0.0004652, 5e-8)
	// Symmetry: swapping the rows swaps the tails.
	g := FisherExact(10, 3, 2, 15)
	near(t, "swapped less/greater", g.Greater, f.Less, 1e-15)
	near(t, "swapped two-sided", g.TwoSided, f.TwoSided, 1e-15)
}

func TestFisherBruteForce(t *testing.T) {
	check := func(a, b, c, d int) {
		t.Helper()
		got, want := FisherExact(a, b, c, d), bruteFisher(a, b, c, d)
		near(t, "Less", got.Less, math.Min(1, want.Less), 1e-12)
		near(t, "Greater", got.Greater, math.Min(1, want.Greater), 1e-12)
		near(t, "TwoSided", got.TwoSided, math.Min(1, want.TwoSided), 1e-12)
		if t.Failed() {
			t.Fatalf("table %d %d %d %d: got %+v, want %+v", a, b, c, d, got, want)
		}
	}
	// Every table of up to 9 counts.
	for n := 0; n <= 9; n++ {
		for a := 0; a <= n; a++ {
			for b := 0; a+b <= n; b++ {
				for c := 0; a+b+c <= n; c++ {
					check(a, b, c, n-a-b-c)
				}
			}
		}
	}
	// Larger random tables.
	r := newRand(30)
	for range 40 {
		check(r.IntN(15), r.IntN(25), r.IntN(10), r.IntN(30))
	}
}

func TestFisherEdges(t *testing.T) {
	// No counts, or margins that allow a single table: every p is 1.
	for _, c := range [][4]int{{0, 0, 0, 0}, {5, 0, 0, 0}, {0, 3, 0, 4}, {2, 0, 3, 0}} {
		if f := FisherExact(c[0], c[1], c[2], c[3]); f != (Fisher{1, 1, 1}) {
			t.Errorf("FisherExact%v = %+v, want all 1", c, f)
		}
	}
	// A negative count is no table: NaN, which no level calls significant.
	for _, c := range [][4]int{{-1, 1, 1, 3}, {1, -1, 1, 3}, {1, 1, -1, 3}, {1, 1, 1, -3}} {
		f := FisherExact(c[0], c[1], c[2], c[3])
		if !math.IsNaN(f.Less) || !math.IsNaN(f.Greater) || !math.IsNaN(f.TwoSided) {
			t.Errorf("FisherExact%v = %+v, want NaN", c, f)
		}
	}
	// Huge counts: finite, in [0, 1], the obvious association very
	// significant and the null one not. (Lgamma of 4e4 carries an absolute
	// error near 1e-11, so the sums are good to about 1e-10 there.)
	f := FisherExact(12000, 8000, 8000, 12000)
	if !(f.TwoSided >= 0 && f.TwoSided < 1e-100 && f.Greater >= 0 && f.Greater < 1e-100 && math.Abs(f.Less-1) < 1e-8) {
		t.Errorf("FisherExact(12000, 8000, 8000, 12000) = %+v", f)
	}
	f = FisherExact(10000, 10000, 10000, 10000)
	near(t, "balanced huge two-sided", f.TwoSided, 1, 1e-9)
}

// TestFisherTypeI: under the null (both groups at the same rate) the
// two-sided test rejects at 5% at most 5% of the time, exactly (summing
// over every outcome) and in simulation.
func TestFisherTypeI(t *testing.T) {
	t.Parallel()
	const n1, n2 = 25, 35
	for _, p := range []float64{0.1, 0.3, 0.5} {
		exact := 0.0
		for k1 := 0; k1 <= n1; k1++ {
			for k2 := 0; k2 <= n2; k2++ {
				if FisherExact(k1, n1-k1, k2, n2-k2).TwoSided <= 0.05 {
					exact += math.Exp(logBinomPMF(k1, n1, p) + logBinomPMF(k2, n2, p))
				}
			}
		}
		t.Logf("p = %v: exact type I error %.4f", p, exact)
		if exact > 0.05 {
			t.Errorf("p = %v: exact type I error %.4f above 5%%", p, exact)
		}
	}
	r := newRand(31)
	R := reps(3000)
	reject := 0
	for range R {
		k1, k2 := Binomial(r, n1, 0.3), Binomial(r, n2, 0.3)
		if FisherExact(k1, n1-k1, k2, n2-k2).TwoSided <= 0.05 {
			reject++
		}
	}
	rate := float64(reject) / float64(R)
	within(t, "Fisher simulated type I error", rate, 0, 0.05+2*math.Sqrt(0.05*0.95/float64(R)))
	// And it has power: 0.15 against 0.5 is found most of the time.
	reject = 0
	for range R {
		k1, k2 := Binomial(r, n1, 0.15), Binomial(r, n2, 0.5)
		if FisherExact(k1, n1-k1, k2, n2-k2).TwoSided <= 0.05 {
			reject++
		}
	}
	within(t, "Fisher power (0.15 vs 0.5)", float64(reject)/float64(R), 0.6, 1)
}

func TestBHHand(t *testing.T) {
	// Sorted 0.005, 0.01, 0.03, 0.04, 0.2 with m = 5: p·m/rank = 0.025,
	// 0.025, 0.05, 0.05, 0.2; running minimum from the top leaves them.
	got := BH([]float64{0.01, 0.04, 0.03, 0.005, 0.2})
	for i, w := range []float64{0.025, 0.05, 0.05, 0.025, 0.2} {
		near(t, "q", got[i], w, 1e-15)
	}
	// The running minimum matters: 0.01, 0.02, 0.021, 0.5 with m = 4 give
	// 0.04, 0.04, 0.028, 0.5, so the first two come down to 0.028.
	got = BH([]float64{0.02, 0.5, 0.01, 0.021})
	for i, w := range []float64{0.028, 0.5, 0.028, 0.028} {
		near(t, "q (running minimum)", got[i], w, 1e-15)
	}
	// R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "BH") is 0.05 five times;
	// and q never exceeds 1.
	for _, q := range BH([]float64{0.01, 0.02, 0.03, 0.04, 0.05}) {
		near(t, "q (all 0.05)", q, 0.05, 1e-15)
	}
	for _, q := range BH([]float64{0.9, 0.95, 1}) {
		near(t, "q (capped)", q, 1, 1e-15)
	}
	if q := BH(nil); len(q) != 0 {
		t.Errorf("BH(nil) = %v", q)
	}
	if q := BH([]float64{0.3}); q[0] != 0.3 {
		t.Errorf("BH(0.3) = %v", q)
	}
}

// TestBHStepUp compares BH with the step-up rule itself: reject the k
// smallest p-values, k the largest rank with p(k) ≤ k·α/m.
func TestBHStepUp(t *testing.T) {
	r := newRand(32)
	for range 300 {
		m := 1 + r.IntN(40)
		p := make([]float64, m)
		for i := range p {
			p[i] = r.Float64() * r.Float64() // skewed to small values
			if r.IntN(8) == 0 && i > 0 {
				p[i] = p[r.IntN(i)] // ties
			}
		}
		q := BH(p)
		sorted := append([]float64(nil), p...)
		sort.Float64s(sorted)
		for _, alpha := range []float64{0.01, 0.05, 0.1, 0.25} {
			k := 0
			for i, v := range sorted {
				if v <= float64(i+1)*alpha/float64(m) {
					k = i + 1
				}
			}
			for i := range p {
				want := k > 0 && p[i] <= sorted[k-1]
				if got := q[i] <= alpha; got != want {
					t.Fatalf("p = %v, α = %v: q[%d] = %v rejects %v, step-up %v", p, alpha, i, q[i], got, want)
				}
			}
		}
		for i := range p {
			if q[i] < p[i]-1e-15 || q[i] > 1 {
				t.Fatalf("q[%d] = %v for p %v", i, q[i], p[i])
			}
		}
	}
}

func TestBHNaN(t *testing.T) {
	// A NaN is no test: its q is NaN; the others as if it were absent
	// (before, one NaN turned every smaller p's q into NaN).
	nan := math.NaN()
	got := BH([]float64{0.01, nan, 0.02, 0.04})
	want := BH([]float64{0.01, 0.02, 0.04})
	if !math.IsNaN(got[1]) {
		t.Errorf("q of NaN = %v", got[1])
	}
	for i, j := range []int{0, 2, 3} {
		near(t, "q beside a NaN", got[j], want[i], 1e-15)
	}
	for _, q := range BH([]float64{nan, nan}) {
		if !math.IsNaN(q) {
			t.Errorf("all NaN: q = %v", q)
		}
	}
}

// TestBHFDR simulates m = 20 one-sided z tests, 15 true nulls and 5 shifted
// by 3: BH at 5% keeps the false discovery rate at m0/m·5% = 3.75%
// (independent tests) while finding most of the real effects.
func TestBHFDR(t *testing.T) {
	r := newRand(33)
	R := reps(8000)
	const m, m0, alpha = 20, 15, 0.05
	p := make([]float64, m)
	var fdp, found float64
	for range R {
		for i := range p {
			z := r.NormFloat64()
			if i >= m0 {
				z += 3
			}
			p[i] = NormalCDF(-z)
		}
		var v, rej int
		for i, q := range BH(p) {
			if q <= alpha {
				rej++
				if i < m0 {
					v++
				} else {
					found++
				}
			}
		}
		if rej > 0 {
			fdp += float64(v) / float64(rej)
		}
	}
	fdr := fdp / float64(R)
	within(t, "BH false discovery rate", fdr, 0.0375-0.008, 0.05)
	within(t, "BH power (share of real effects found)", found/float64(R*(m-m0)), 0.5, 1)
}

func TestMantelHaenszelRabbits(t *testing.T) {
	// Penicillin and rabbits (Agresti 1990, pp. 231–237; the example of R's
	// mantelhaen.test): five penicillin levels, immediate or 1.5 h delayed
	// injection, cured or died. R reports Mantel-Haenszel X-squared =
	// 3.9286, p = 0.04747, common odds ratio 7. By hand: the informative
	// strata 2–4 give Σa = 14, ΣE = 1.5 + 4 + 5.5 = 11 and
	// ΣV = 0.61364 + 0.72727 + 0.25 = 35/22, so X² = (3 - ½)²/(35/22) = 55/14;
	// OR = (18/12 + 24/12)/(6/12) = 7.
	rabbits := []Table2{
		{A: 0, B: 6, C: 0, D: 5},
		{A: 3, B: 3, C: 0, D: 6},
		{A: 6, B: 0, C: 2, D: 4},
		{A: 5, B: 1, C: 6, D: 0},
		{A: 2, B: 0, C: 5, D: 0},
	}
	or, z, p, ok := MantelHaenszel(rabbits)
	if !ok {
		t.Fatal("not ok")
	}
	near(t, "odds ratio", or, 7, 1e-12)
	near(t, "z", z, math.Sqrt(55.0/14), 1e-12)
	near(t, "X²", z*z, 3.9286, 5e-5)
	near(t, "p", p, 0.04747, 5e-6)

	// Swapping the groups in every stratum flips z and inverts the ratio.
	swapped := make([]Table2, len(rabbits))
	for i, s := range rabbits {
		swapped[i] = Table2{A: s.C, B: s.D, C: s.A, D: s.B}
	}
	or2, z2, p2, _ := MantelHaenszel(swapped)
	near(t, "swapped odds ratio", or2, 1.0/7, 1e-12)
	near(t, "swapped z", z2, -z, 1e-12)
	near(t, "swapped p", p2, p, 1e-12)
}

func TestMantelHaenszelOneStratum(t *testing.T) {
	// One stratum: the odds ratio is ad/bc and the statistic the
	// continuity-corrected (|a - E| - ½)/√V with V = r1·r2·c1·c2/(n²(n-1)).
	or, z, _, ok := MantelHaenszel([]Table2{{A: 12, B: 8, C: 5, D: 15}})
	if !ok {
		t.Fatal("not ok")
	}
	near(t, "odds ratio", or, 12.0*15/(8*5), 1e-12)
	e, v := 20.0*17/40, 20.0*20*17*23/(40*40*39)
	near(t, "z", z, (12-e-0.5)/math.Sqrt(v), 1e-12)
	// No association beyond the correction: z = 0, p = 1.
	_, z, p, ok := MantelHaenszel([]Table2{{A: 5, B: 5, C: 5, D: 5}})
	if !ok || z != 0 || p != 1 {
		t.Errorf("null table: z = %v, p = %v, ok = %v", z, p, ok)
	}
	// BC = 0 in every stratum: infinite odds ratio.
	if or, _, _, ok := MantelHaenszel([]Table2{{A: 3, B: 0, C: 0, D: 4}}); !ok || !math.IsInf(or, 1) {
		t.Errorf("BC = 0: or = %v, ok = %v", or, ok)
	}
}

func TestMantelHaenszelInvalid(t *testing.T) {
	nan := math.NaN()
	for _, ts := range [][]Table2{
		nil,
		{{A: 1}},                   // fewer than 2
		{{A: 3, B: 4}},             // one column empty
		{{A: 0, B: 6, C: 0, D: 5}}, // no one cured
		{{A: nan, B: 1, C: 1, D: 1}},
		{{A: 3, B: 3, C: 0, D: 6}, {A: 1, B: -1, C: 1, D: 1}},
		{{A: 3, B: 3, C: 0, D: 6}, {A: 1, B: 1, C: math.Inf(1), D: 1}},
	} {
		if or, z, p, ok := MantelHaenszel(ts); ok || p != 1 {
			t.Errorf("MantelHaenszel(%v) = %v, %v, %v, %v; want not ok, p = 1", ts, or, z, p, ok)
		}
	}
}

// TestMantelHaenszelTypeI: strata with different base rates, the group
// unrelated to the outcome within each: the test rejects about 5% (a
// little less: the continuity correction is conservative).
func TestMantelHaenszelTypeI(t *testing.T) {
	r := newRand(34)
	R := reps(3000)
	rates := []float64{0.05, 0.2, 0.5}
	reject := 0
	for range R {
		ts := make([]Table2, len(rates))
		for i, q := range rates {
			a, c := Binomial(r, 40, q), Binomial(r, 60, q)
			ts[i] = Table2{A: float64(a), B: float64(40 - a), C: float64(c), D: float64(60 - c)}
		}
		if _, _, p, ok := MantelHaenszel(ts); ok && p <= 0.05 {
			reject++
		}
	}
	within(t, "Mantel–Haenszel type I error", float64(reject)/float64(R), 0.02, 0.06)
}
