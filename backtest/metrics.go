package backtest

import (
	"math"
	"slices"
	"sort"

	"github.com/leadscore/leadscore/internal/stats"
)

// ratio is a/b, or nil when b is zero or the result is not a finite number.
func ratio(a, b float64) *float64 {
	if b == 0 {
		return nil
	}
	return finite(a / b)
}

// finite returns a pointer to v, or nil for NaN and infinities.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// scored is one lead's score and label, for the rank metrics.
type scored struct {
	score float64
	pos   bool
}

// AUC is the area under the ROC curve of the scores for the label: the
// chance that a positive lead outscores a negative one, a tie counting
// half. nil when either class is empty. It takes O(n log n): leads are
// sorted by score and each group of equal scores is counted at once.
func AUC(scores []float64, positive []bool) *float64 {
	xs := make([]scored, len(scores))
	for i := range scores {
		xs[i] = scored{score: scores[i], pos: positive[i]}
	}
	return auc(xs)
}

func auc(xs []scored) *float64 {
	gs, pos, neg := groups(xs)
	if pos == 0 || neg == 0 {
		return nil
	}
	var below, wins float64 // negatives with a lower score; pairs won
	for _, g := range gs {
		wins += g.P*below + 0.5*g.P*g.N
		below += g.N
	}
	return finite(wins / (pos * neg))
}

// groups are the leads' scores, lowest first, each with how many leads of
// each class have it (stats.Groups), and how many leads are positive and
// negative.
func groups(xs []scored) (gs []stats.Group, pos, neg float64) {
	np := 0
	for _, x := range xs {
		if x.pos {
			np++
		}
	}
	ps, ns := make([]float64, 0, np), make([]float64, 0, len(xs)-np)
	for _, x := range xs {
		if x.pos {
			ps = append(ps, x.score)
		} else {
			ns = append(ns, x.score)
		}
	}
	slices.Sort(ps)
	slices.Sort(ns)
	return stats.Groups(ps, ns), float64(len(ps)), float64(len(ns))
}

// ks is the Kolmogorov–Smirnov statistic: the largest gap between the
// share of positive and of negative leads scoring at or below a score, and
// that score. nil when either class is empty.
func ks(xs []scored) (*float64, float64) {
	gs, pos, neg := groups(xs)
	if pos == 0 || neg == 0 {
		return nil, 0
	}
	var p, n, best, at float64
	for _, g := range gs {
		p, n = p+g.P, n+g.N
		if d := math.Abs(n/neg - p/pos); d > best+1e-12 { // not a rounding error's worth more
			best, at = d, g.Score
		}
	}
	if best > 0 && at == 0 { // -0 or 0: the sign of the first lead scoring it
		for _, x := range xs {
			if x.score == 0 {
				at = x.score
				break
			}
		}
	}
	return finite(best), at
}

// deciles puts each lead in a decile of the score, best first: decile
// floor(10 × leads scoring strictly higher / leads), so that leads with the
// same score share a decile whatever their order (some deciles may be
// empty when many leads tie). It returns each lead's decile (0 to 9).
func deciles(scores []float64) []int {
	asc := slices.Clone(scores)
	slices.Sort(asc)
	out := make([]int, len(scores))
	n := len(scores)
	for i, s := range scores {
		higher := n - sort.Search(n, func(k int) bool { return asc[k] > s })
		out[i] = 10 * higher / n
	}
	return out
}

// wilson is the 95% Wilson score interval of k successes in n trials.
func wilson(k, n float64) (lo, hi *float64) {
	if n == 0 {
		return nil, nil
	}
	const z = 1.959963984540054
	p := k / n
	den := 1 + z*z/n
	centre := (p + z*z/(2*n)) / den
	half := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n)) / den
	return finite(math.Max(0, centre-half)), finite(math.Min(1, centre+half))
}

// woe is the smoothed weight of evidence of the leads with a property
// (wonWith won and notWith not won among them) against those without, and
// the information value of the property. Each of the two groups gets one
// pseudo-lead at the overall win rate p = won / (won + notWon), which pulls
// a small group's win rate towards the overall one and keeps a group with
// no won lead (or no other lead) finite:
//
//	g1 = (wonWith + p) / (won + 2p)           b1 = (notWith + 1-p) / (notWon + 2(1-p))
//	g0 = (won - wonWith + p) / (won + 2p)     b0 = (notWon - notWith + 1-p) / (notWon + 2(1-p))
//	WoE = ln(g1 / b1)    IV = (g1 - b1) ln(g1 / b1) + (g0 - b0) ln(g0 / b0)
func woe(wonWith, notWith, won, notWon float64) (w, iv *float64) {
	if won == 0 || notWon == 0 {
		return nil, nil
	}
	p := won / (won + notWon)
	g1, b1 := (wonWith+p)/(won+2*p), (notWith+1-p)/(notWon+2*(1-p))
	g0, b0 := (won-wonWith+p)/(won+2*p), (notWon-notWith+1-p)/(notWon+2*(1-p))
	return finite(math.Log(g1 / b1)), finite((g1-b1)*math.Log(g1/b1) + (g0-b0)*math.Log(g0/b0))
}

// plainIV is the information value of a property fired on a share g of the
// won leads and b of the rest, unsmoothed:
//
//	IV = (g - b) ln(g / b) + ((1-g) - (1-b)) ln((1-g) / (1-b))
//
// 0 when g = b; +Inf when one share is 0 or 1 and the other is not; NaN
// when g or b is not a share.
func plainIV(g, b float64) float64 {
	if !(g >= 0 && g <= 1 && b >= 0 && b <= 1) {
		return math.NaN()
	}
	term := func(x, y float64) float64 {
		if x == y {
			return 0
		}
		return (x - y) * math.Log(x/y) // +Inf when one of them is 0
	}
	return term(g, b) + term(1-g, 1-b)
}

// psi is the population stability index of the actual counts against the
// expected (reference) counts over the same bins, each share smoothed by
// half a lead: share = (count + 0.5) / (total + bins/2).
//
//	PSI = Σ (actual share - expected share) × ln(actual share / expected share)
func psi(actual, expected []float64) *float64 {
	var ta, te float64
	for i := range actual {
		ta += actual[i]
		te += expected[i]
	}
	if ta == 0 || te == 0 {
		return nil
	}
	k := float64(len(actual)) / 2
	sum := 0.0
	for i := range actual {
		a, e := (actual[i]+0.5)/(ta+k), (expected[i]+0.5)/(te+k)
		sum += (a - e) * math.Log(a/e)
	}
	return finite(sum)
}

// aucInterval is the 95% interval of the AUC (see stats.AUC.Interval);
// nil when it cannot be measured.
func aucInterval(xs []scored) *Interval {
	scores, pos := make([]float64, len(xs)), make([]bool, len(xs))
	for i, x := range xs {
		scores[i], pos[i] = x.score, x.pos
	}
	a, ok := stats.DeLong(scores, pos)
	if !ok {
		return nil
	}
	lo, hi, ok := a.Interval()
	if !ok {
		return nil
	}
	return &Interval{lo, hi}
}
