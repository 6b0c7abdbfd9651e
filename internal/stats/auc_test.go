package stats

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// psi is the Mann–Whitney kernel: 1 when the positive outscores the
// negative, ½ on a tie.
func psi(x, y float64) float64 {
	switch {
	case x > y:
		return 1
	case x == y:
		return 0.5
	}
	return 0
}

// bruteComponents are DeLong's structural components by their O(m·n)
// definition: V10(Xi) = 1/n Σj ψ(Xi, Yj), V01(Yj) = 1/m Σi ψ(Xi, Yj), and
// the AUC as the mean of ψ over all m·n pairs.
func bruteComponents(scores []float64, pos []bool) (auc float64, v10, v01 []float64) {
	var xs, ys []float64
	for i, s := range scores {
		if pos[i] {
			xs = append(xs, s)
		} else {
			ys = append(ys, s)
		}
	}
	v10, v01 = make([]float64, len(xs)), make([]float64, len(ys))
	total := 0.0
	for i, x := range xs {
		for j, y := range ys {
			k := psi(x, y)
			total += k
			v10[i] += k
			v01[j] += k
		}
	}
	for i := range v10 {
		v10[i] /= float64(len(ys))
	}
	for j := range v01 {
		v01[j] /= float64(len(xs))
	}
	return total / float64(len(xs)*len(ys)), v10, v01
}

// sampleCov is Σ(x-x̄)(y-ȳ)/(n-1), written out again here.
func sampleCov(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	s := 0.0
	for i := range x {
		s += (x[i] - mx) * (y[i] - my)
	}
	return s / float64(len(x)-1)
}

// randomLabelled draws scores rounded to a few levels (many ties), the
// positives shifted up, with at least two of each class.
func randomLabelled(r *rand.Rand, n, levels int) ([]float64, []bool) {
	scores, pos := make([]float64, n), make([]bool, n)
	for i := range scores {
		pos[i] = i < 2 || (i >= 4 && r.IntN(3) == 0)
		x := r.NormFloat64()
		if pos[i] {
			x += 0.8
		}
		scores[i] = math.Round(x * float64(levels) / 4)
	}
	r.Shuffle(n, func(i, j int) { scores[i], scores[j], pos[i], pos[j] = scores[j], scores[i], pos[j], pos[i] })
	return scores, pos
}

func TestDeLongBruteForce(t *testing.T) {
	r := newRand(10)
	for trial := range 200 {
		n := 4 + r.IntN(120)
		scores, pos := randomLabelled(r, n, 1+r.IntN(12))
		if trial%20 == 0 { // no ties at all
			for i := range scores {
				scores[i] += 1e-3 * float64(i)
			}
		}
		auc, v10, v01 := bruteComponents(scores, pos)
		m, k := float64(len(v10)), float64(len(v01))
		variance := sampleCov(v10, v10)/m + sampleCov(v01, v01)/k
		a, ok := DeLong(scores, pos)
		if !ok {
			t.Fatalf("DeLong not ok for %d positives, %d negatives", len(v10), len(v01))
		}
		if a.Pos != len(v10) || a.Neg != len(v01) {
			t.Fatalf("classes %d/%d, want %d/%d", a.Pos, a.Neg, len(v10), len(v01))
		}
		near(t, "AUC", a.Value, auc, 1e-12)
		near(t, "DeLong variance", a.Variance, variance, 1e-14)
	}
}

func TestDeLongPairedBruteForce(t *testing.T) {
	r := newRand(11)
	for range 200 {
		n := 4 + r.IntN(100)
		sa, pos := randomLabelled(r, n, 1+r.IntN(10))
		sb := make([]float64, n)
		for i := range sb { // correlated with a, on a coarser grid
			sb[i] = math.Round(0.7*sa[i] + r.NormFloat64())
			if pos[i] && r.IntN(2) == 0 {
				sb[i]++
			}
		}
		aucA, a10, a01 := bruteComponents(sa, pos)
		aucB, b10, b01 := bruteComponents(sb, pos)
		m, k := float64(len(a10)), float64(len(a01))
		varA := sampleCov(a10, a10)/m + sampleCov(a01, a01)/k
		varB := sampleCov(b10, b10)/m + sampleCov(b01, b01)/k
		covAB := sampleCov(a10, b10)/m + sampleCov(a01, b01)/k
		p, ok := DeLongPaired(sa, sb, pos)
		if !ok {
			t.Fatal("DeLongPaired not ok")
		}
		near(t, "A", p.A.Value, aucA, 1e-12)
		near(t, "B", p.B.Value, aucB, 1e-12)
		near(t, "Diff", p.Diff, aucB-aucA, 1e-12)
		near(t, "Var A", p.A.Variance, varA, 1e-14)
		near(t, "Var B", p.B.Variance, varB, 1e-14)
		near(t, "Var(B-A)", p.Variance, math.Max(0, varA+varB-2*covAB), 1e-14)
		// Alone and paired agree on each score.
		alone, _ := DeLong(sb, pos)
		near(t, "DeLong(b) vs paired B", alone.Variance, p.B.Variance, 1e-15)
	}
}

func TestDeLongHand(t *testing.T) {
	// Positives 3, 2; negatives 1, 2. Pairs: (3,1) 1, (3,2) 1, (2,1) 1,
	// (2,2) ½: AUC 3.5/4. V10 = (1, ¾), V01 = (1, ¾); each sample variance
	// (¼)²/2 = 1/32, so the variance is 1/32/2 + 1/32/2 = 1/32.
	a, ok := DeLong([]float64{3, 1, 2, 2}, []bool{true, false, true, false})
	if !ok {
		t.Fatal("not ok")
	}
	near(t, "AUC", a.Value, 0.875, 1e-15)
	near(t, "variance", a.Variance, 1.0/32, 1e-15)

	// The logit interval, by hand: logit(0.8) ± 1.96·0.04/(0.8·0.2).
	lo, hi, ok := AUC{Value: 0.8, Variance: 0.0016, Pos: 10, Neg: 10}.Interval()
	if !ok {
		t.Fatal("interval not ok")
	}
	near(t, "AUC lo", lo, 0.7101892510, 1e-9)
	near(t, "AUC hi", hi, 0.8671838720, 1e-9)
	// The paired interval: 0.05 ± 1.96·0.02.
	lo, hi, ok = Paired{A: AUC{Pos: 5, Neg: 5}, Diff: 0.05, Variance: 0.0004}.Interval()
	if !ok {
		t.Fatal("paired interval not ok")
	}
	near(t, "diff lo", lo, 0.05-Z95*0.02, 1e-15)
	near(t, "diff hi", hi, 0.05+Z95*0.02, 1e-15)

	// Values no DeLong returns, built by hand: no interval, not NaN.
	nan, inf := math.NaN(), math.Inf(1)
	for _, a := range []AUC{
		{Value: nan, Variance: 0.01, Pos: 5, Neg: 5},
		{Value: 0.7, Variance: nan, Pos: 5, Neg: 5},
		{Value: 0.7, Variance: inf, Pos: 5, Neg: 5},
		{Value: 0.7, Variance: -0.01, Pos: 5, Neg: 5},
		{Value: 1.2, Variance: 0.01, Pos: 5, Neg: 5},
	} {
		if lo, hi, ok := a.Interval(); ok {
			t.Errorf("%+v: interval %v, %v ok", a, lo, hi)
		}
	}
	for _, p := range []Paired{
		{A: AUC{Pos: 5, Neg: 5}, Diff: nan, Variance: 0.01},
		{A: AUC{Pos: 5, Neg: 5}, Diff: 0.1, Variance: nan},
		{A: AUC{Pos: 5, Neg: 5}, Diff: 0.1, Variance: inf},
		{A: AUC{Pos: 5, Neg: 5}, Diff: 0.1, Variance: -1},
		{A: AUC{Pos: 5, Neg: 5}, Diff: 0.1, Variance: 0},
	} {
		if lo, hi, ok := p.Interval(); ok {
			t.Errorf("%+v: interval %v, %v ok", p, lo, hi)
		}
	}
}

func TestDeLongEdges(t *testing.T) {
	// One class empty, or nothing at all.
	for _, c := range []struct {
		s []float64
		p []bool
	}{{nil, nil}, {[]float64{1, 2}, []bool{true, true}}, {[]float64{1, 2}, []bool{false, false}}} {
		if _, ok := DeLong(c.s, c.p); ok {
			t.Errorf("DeLong(%v, %v) ok", c.s, c.p)
		}
		if _, ok := DeLongPaired(c.s, c.s, c.p); ok {
			t.Errorf("DeLongPaired(%v, %v) ok", c.s, c.p)
		}
	}
	// Lengths that differ: not ok, no panic.
	if _, ok := DeLong([]float64{1, 2, 3}, []bool{true, false}); ok {
		t.Error("DeLong with more scores than labels ok")
	}
	if _, ok := DeLong([]float64{1}, []bool{true, false}); ok {
		t.Error("DeLong with fewer scores than labels ok")
	}
	if _, ok := DeLongPaired([]float64{1, 2}, []float64{1}, []bool{true, false}); ok {
		t.Error("DeLongPaired with b shorter ok")
	}
	// A NaN score: not ok, and it must return (it used to loop forever
	// in placements, NaN never being equal to itself).
	done := make(chan bool, 2)
	go func() {
		_, ok := DeLong([]float64{1, math.NaN(), 3, 0.5}, []bool{true, false, true, false})
		done <- ok
		_, ok = DeLongPaired([]float64{1, 2, 3, 0.5}, []float64{1, 2, math.NaN(), 0.5}, []bool{true, false, true, false})
		done <- ok
	}()
	for range 2 {
		select {
		case ok := <-done:
			if ok {
				t.Error("a NaN score gave ok")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("DeLong with a NaN score does not return")
		}
	}
	// Infinite scores rank like any other.
	a, ok := DeLong([]float64{math.Inf(1), math.Inf(-1), math.Inf(1), 0}, []bool{true, false, false, true})
	if !ok {
		t.Fatal("infinite scores not ok")
	}
	near(t, "AUC with infinities", a.Value, (1+0.5+1+0)/4, 1e-15)

	// All ties: AUC ½, variance 0, no interval.
	a, ok = DeLong([]float64{2, 2, 2, 2, 2}, []bool{true, false, true, false, false})
	if !ok || a.Value != 0.5 || a.Variance != 0 {
		t.Errorf("all ties: %+v, %v", a, ok)
	}
	if _, _, ok := a.Interval(); ok {
		t.Error("all ties: interval ok")
	}
	// Perfect separation: AUC 1 (or 0), no interval.
	for _, flip := range []bool{false, true} {
		s := []float64{5, 6, 7, 1, 2, 3}
		if flip {
			s = []float64{1, 2, 3, 5, 6, 7}
		}
		a, ok = DeLong(s, []bool{true, true, true, false, false, false})
		want := 1.0
		if flip {
			want = 0
		}
		if !ok || a.Value != want || a.Variance != 0 {
			t.Errorf("separated: %+v, %v", a, ok)
		}
		if _, _, ok := a.Interval(); ok {
			t.Error("separated: interval ok")
		}
	}
	// One positive: an AUC and a variance, but no interval.
	a, ok = DeLong([]float64{3, 1, 2, 4, 0}, []bool{true, false, false, false, false})
	if !ok || a.Value != 0.75 || a.Pos != 1 {
		t.Errorf("one positive: %+v, %v", a, ok)
	}
	if _, _, ok := a.Interval(); ok {
		t.Error("one positive: interval ok")
	}
	p, ok := DeLongPaired([]float64{3, 1, 2, 4, 0}, []float64{0, 1, 2, 4, 3}, []bool{true, false, false, false, false})
	if !ok {
		t.Fatal("one positive paired not ok")
	}
	if _, _, ok := p.Interval(); ok {
		t.Error("one positive: paired interval ok")
	}
	// The same score twice: difference exactly 0 with no variance.
	s, pos := randomLabelled(newRand(12), 50, 6)
	p, ok = DeLongPaired(s, s, pos)
	if !ok || p.Diff != 0 || p.Variance != 0 {
		t.Errorf("same score: %+v, %v", p, ok)
	}
	if lo, hi, ok := p.Interval(); !ok || lo != 0 || hi != 0 {
		t.Errorf("same score: interval %v, %v, %v", lo, hi, ok)
	}
}

// binormal draws m positives N(d, 1) and n negatives N(0, 1): the true
// AUC is Φ(d/√2).
func binormal(r *rand.Rand, m, n int, d float64, scores []float64, pos []bool) {
	for i := range m + n {
		pos[i] = i < m
		scores[i] = r.NormFloat64()
		if pos[i] {
			scores[i] += d
		}
	}
}

func TestAUCCoverage(t *testing.T) {
	t.Parallel()
	r := newRand(13)
	R := reps(1000)
	for _, c := range []struct {
		m, n int
		d    float64
	}{
		{30, 300, 0.954}, // AUC 0.75
		{30, 300, 1.8},   // AUC 0.90: near the end, where the logit helps
	} {
		truth := NormalCDF(c.d / math.Sqrt2)
		scores, pos := make([]float64, c.m+c.n), make([]bool, c.m+c.n)
		cover, done := 0, 0
		var sumVar, sumA, sumA2 float64
		for range R {
			binormal(r, c.m, c.n, c.d, scores, pos)
			a, ok := DeLong(scores, pos)
			lo, hi, ok2 := a.Interval()
			if !ok || !ok2 {
				continue
			}
			done++
			if lo <= truth && truth <= hi {
				cover++
			}
			sumVar += a.Variance
			sumA += a.Value
			sumA2 += a.Value * a.Value
		}
		if done < R*99/100 {
			t.Fatalf("only %d of %d intervals", done, R)
		}
		within(t, "AUC logit interval coverage", float64(cover)/float64(done), 0.92, 0.975)
		// DeLong's variance estimates the variance of the AUC across samples.
		mean := sumA / float64(done)
		empirical := (sumA2 - sumA*mean) / float64(done-1)
		t.Logf("true AUC %.4f, mean %.4f, mean DeLong variance %.3g, empirical variance %.3g", truth, mean, sumVar/float64(done), empirical)
		nearRel(t, "mean DeLong variance / empirical", sumVar/float64(done)/empirical, 1, 0.15)
	}
}

func TestPairedCoverage(t *testing.T) {
	t.Parallel()
	r := newRand(14)
	R := reps(1000)
	const m, n, rho = 50, 200, 0.6
	// Each lead has two scores, correlated ρ; the positives are shifted
	// d1 and d2. Each difference positive − negative of a score has
	// variance 2, so the true AUCs are Φ(d/√2).
	for _, c := range [][2]float64{{0.8, 1.2}} {
		truth := NormalCDF(c[1]/math.Sqrt2) - NormalCDF(c[0]/math.Sqrt2)
		a, b, pos := make([]float64, m+n), make([]float64, m+n), make([]bool, m+n)
		cover, done := 0, 0
		for range R {
			for i := range a {
				pos[i] = i < m
				z1, z2 := r.NormFloat64(), r.NormFloat64()
				a[i], b[i] = z1, rho*z1+math.Sqrt(1-rho*rho)*z2
				if pos[i] {
					a[i] += c[0]
					b[i] += c[1]
				}
			}
			p, ok := DeLongPaired(a, b, pos)
			lo, hi, ok2 := p.Interval()
			if !ok || !ok2 {
				continue
			}
			done++
			if lo <= truth && truth <= hi {
				cover++
			}
		}
		if done != R {
			t.Fatalf("only %d of %d intervals", done, R)
		}
		within(t, "paired difference coverage", float64(cover)/float64(done), 0.92, 0.975)
	}
}
