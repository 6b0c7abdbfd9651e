package backtest

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// auc and ks give, bit for bit, what a stable sort of the leads by score
// walked a score at a time gives: ties, -0 beside 0, one class alone.
func TestAUCAndKSAsAStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(28, 2))
	values := []float64{math.Copysign(0, -1), 0, 1.5, -3, 7, 7.25, 100}
	for trial := 0; trial < 300; trial++ {
		xs := make([]scored, r.IntN(400))
		for i := range xs {
			xs[i] = scored{score: values[r.IntN(len(values))], pos: r.IntN(2+trial%5) == 0}
			if trial%3 == 0 {
				xs[i].score += float64(r.IntN(1000)) / 8
			}
		}
		wantAUC, best, at, pos, neg := referenceAUCKS(xs)
		gotAUC := auc(xs)
		gotKS, gotAt := ks(xs)
		if pos == 0 || neg == 0 {
			if gotAUC != nil || gotKS != nil {
				t.Fatalf("trial %d: one class alone gave AUC %v, KS %v", trial, gotAUC, gotKS)
			}
			continue
		}
		if math.Float64bits(*gotAUC) != math.Float64bits(wantAUC) {
			t.Fatalf("trial %d: AUC %v, want %v", trial, *gotAUC, wantAUC)
		}
		if math.Float64bits(*gotKS) != math.Float64bits(best) || math.Float64bits(gotAt) != math.Float64bits(at) {
			t.Fatalf("trial %d: KS %v at %v, want %v at %v", trial, *gotKS, gotAt, best, at)
		}
	}
}

// referenceAUCKS is the AUC and KS (with its score) as a stable sort of
// the leads by score, walked a score at a time, gives them, with the
// classes' sizes: the test's reference and the benchmark's baseline.
func referenceAUCKS(xs []scored) (aucValue, best, at, pos, neg float64) {
	sorted := slices.Clone(xs)
	slices.SortStableFunc(sorted, func(a, b scored) int { return cmp.Compare(a.score, b.score) })
	for _, x := range xs {
		if x.pos {
			pos++
		} else {
			neg++
		}
	}
	var below, wins, p, n float64
	for i := 0; i < len(sorted); {
		var gp, gn float64
		j := i
		for ; j < len(sorted) && sorted[j].score == sorted[i].score; j++ {
			if sorted[j].pos {
				gp++
			} else {
				gn++
			}
		}
		wins += gp*below + 0.5*gp*gn
		below += gn
		p, n = p+gp, n+gn
		if d := math.Abs(n/neg - p/pos); d > best+1e-12 {
			best, at = d, sorted[i].score
		}
		i = j
	}
	return wins / (pos * neg), best, at, pos, neg
}

// BenchmarkRankMetrics: the report's AUC and KS over 100,000 leads of
// continuous scores, against the stable sort of the leads they replace.
func BenchmarkRankMetrics(b *testing.B) {
	r := rand.New(rand.NewPCG(28, 9))
	xs := make([]scored, 100000)
	for i := range xs {
		xs[i] = scored{score: math.Round(r.NormFloat64()*3000) / 100, pos: r.IntN(10) == 0}
	}
	b.Run("groups", func(b *testing.B) {
		for range b.N {
			auc(xs)
			ks(xs)
		}
	})
	b.Run("stable-sort", func(b *testing.B) {
		for range b.N {
			referenceAUCKS(xs)
		}
	})
}

// deciles puts each lead in floor(10 × leads scoring strictly higher /
// leads), counted pair by pair here, ties and -0 among the scores.
func TestDecilesCountStrictlyHigher(t *testing.T) {
	r := rand.New(rand.NewPCG(28, 6))
	values := []float64{math.Copysign(0, -1), 0, 1.5, -3, 7, 7.25, 100}
	for trial := 0; trial < 100; trial++ {
		scores := make([]float64, 1+r.IntN(200))
		for i := range scores {
			scores[i] = values[r.IntN(len(values))]
			if trial%2 == 1 {
				scores[i] += float64(r.IntN(40))
			}
		}
		got := deciles(scores)
		for i, s := range scores {
			higher := 0
			for _, o := range scores {
				if o > s {
					higher++
				}
			}
			if want := 10 * higher / len(scores); got[i] != want {
				t.Fatalf("trial %d, lead %d (score %v): decile %d, want %d", trial, i, s, got[i], want)
			}
		}
	}
}

// A rule's signal is worded by its IV's 95% interval, at each boundary.
func TestSignalOfInterval(t *testing.T) {
	for _, c := range []struct {
		low, high float64
		want      string
	}{
		{0, 0.0199, "no signal"},
		{0, 0.02, "unclear"},
		{0.0199, 5, "unclear"},
		{0.02, 0.05, "weak"},
		{0.0999, 1, "weak"},
		{0.1, 1, "medium"},
		{0.2999, 1, "medium"},
		{0.3, 1, "strong"},
	} {
		assert.Equal(t, c.want, signalOf(&Interval{c.low, c.high}, nil), "%v to %v", c.low, c.high)
	}
	est := 0.5
	assert.Equal(t, "strong", signalOf(nil, &est), "no interval: the estimate's word")
	assert.Equal(t, "—", signalOf(nil, nil))
}
