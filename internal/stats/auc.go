package stats

import (
	"cmp"
	"math"
	"slices"
)

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

// Group is the leads of one score: P of them positive, N negative.
type Group struct{ Score, P, N float64 }

// Groups walks each class's scores, each sorted as slices.Sort sorts (a
// sort of plain numbers, much cheaper than one of the leads by score),
// together into the distinct scores, lowest first, each with how many of
// each class have it (equal as ==: -0 and 0 are one score).
func Groups(ps, ns []float64) []Group {
	gs := make([]Group, 0, 64)
	for i, j := 0, 0; i < len(ps) || j < len(ns); {
		var g Group
		if j == len(ns) || i < len(ps) && cmp.Compare(ps[i], ns[j]) <= 0 {
			g.Score, g.P, i = ps[i], 1, i+1
		} else {
			g.Score, g.N, j = ns[j], 1, j+1
		}
		for ; i < len(ps) && ps[i] == g.Score; i++ {
			g.P++
		}
		for ; j < len(ns) && ns[j] == g.Score; j++ {
			g.N++
		}
		gs = append(gs, g)
	}
	return gs
}

// placements are DeLong's structural components: for each positive, the
// share of negatives it outscores (ties half); for each negative, the
// share of positives that outscore it.
func placements(scores []float64, pos []bool) (v10, v01 []float64, idxPos, idxNeg []int) {
	// The distinct scores (Groups) with each class's count below each; a
	// lead then finds its score among the distinct ones.
	np := 0
	for _, p := range pos {
		if p {
			np++
		}
	}
	ps, ns := make([]float64, 0, np), make([]float64, 0, len(pos)-np)
	idxPos, idxNeg = make([]int, 0, np), make([]int, 0, len(pos)-np)
	for i, s := range scores {
		if pos[i] {
			ps, idxPos = append(ps, s), append(idxPos, i)
		} else {
			ns, idxNeg = append(ns, s), append(idxNeg, i)
		}
	}
	slices.Sort(ps)
	slices.Sort(ns)
	gs := Groups(ps, ns)
	negBelow, posBelow := make([]float64, len(gs)), make([]float64, len(gs))
	for k := 1; k < len(gs); k++ {
		negBelow[k], posBelow[k] = negBelow[k-1]+gs[k-1].N, posBelow[k-1]+gs[k-1].P
	}
	at := func(s float64) int { // the group of s: the first not below it
		lo, hi := 0, len(gs)
		for lo < hi {
			if mid := int(uint(lo+hi) >> 1); gs[mid].Score < s {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		return lo
	}
	nPos, nNeg := float64(len(ps)), float64(len(ns))
	v10, v01 = make([]float64, len(scores)), make([]float64, len(scores))
	for _, i := range idxPos {
		k := at(scores[i])
		v10[i] = (negBelow[k] + 0.5*gs[k].N) / nNeg
	}
	for _, i := range idxNeg {
		k := at(scores[i])
		v01[i] = (nPos - posBelow[k] - gs[k].P + 0.5*gs[k].P) / nPos
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
