package backtest

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// byScore orders leads as a stable sort by score does: ties keep their
// places, -0 and 0 (equal to cmp.Compare) too, and NaNs first.
func TestByScoreIsAStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(28, 2))
	values := []float64{math.Copysign(0, -1), 0, math.NaN(), 1.5, -3, 7, 7.25, 100}
	xs := make([]scored, 3000)
	for i := range xs {
		xs[i] = scored{score: values[r.IntN(len(values))], pos: r.IntN(2) == 0, place: int32(i)}
	}
	want := append([]scored(nil), xs...)
	slices.SortStableFunc(want, func(a, b scored) int { return cmp.Compare(a.score, b.score) })
	got, pos, neg := byScore(xs)
	if int(pos+neg) != len(xs) {
		t.Fatalf("pos %v + neg %v, want %d", pos, neg, len(xs))
	}
	for i := range want {
		if math.Float64bits(got[i].score) != math.Float64bits(want[i].score) || got[i].pos != want[i].pos || got[i].place != want[i].place {
			t.Fatalf("place %d: %v, want %v", i, got[i], want[i])
		}
	}
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
