package backtest

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// testBands makes bands, best first, of the leads and won deals given from
// the lowest band up.
func testBands(leads, won []int) []Band {
	out := make([]Band, len(leads))
	for k := range leads {
		i := len(leads) - 1 - k
		rate := 0.0
		if leads[k] > 0 {
			rate = float64(won[k]) / float64(leads[k])
		}
		out[i] = Band{Name: string(rune('A' + k)), Leads: leads[k], Won: won[k], WinRate: &rate}
	}
	return out
}

// The inversion verdict is a claim about the score, so it is made only
// beyond noise. Simulated: where the true win rate rises band by band (or
// stays flat, the hardest case), a run names an inversion in at most about
// 5% of runs; where one band truly wins a third as often as the band under
// it, with a few hundred leads each, nearly always.
func TestInversionsBeyondNoise(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	draw := func(n int, p float64) int {
		k := 0
		for range n {
			if r.Float64() < p {
				k++
			}
		}
		return k
	}
	const runs = 400
	for _, c := range []struct {
		name  string
		rates []float64
		most  float64 // at most this share of runs names an inversion
		least float64 // at least this share
	}{
		{"rising", []float64{0.02, 0.04, 0.06, 0.09, 0.12, 0.16}, 0.05, 0},
		{"flat", []float64{0.05, 0.05, 0.05, 0.05, 0.05, 0.05}, 0.07, 0},
		{"inverted", []float64{0.02, 0.04, 0.15, 0.05, 0.16, 0.2}, 1, 0.9},
	} {
		named, noisy := 0, 0
		for range runs {
			leads, won := make([]int, len(c.rates)), make([]int, len(c.rates))
			for k, p := range c.rates {
				leads[k] = 300
				won[k] = draw(300, p)
			}
			beyond, within := inversions(testBands(leads, won))
			if len(beyond) > 0 {
				named++
			}
			noisy += within
		}
		share := float64(named) / runs
		require.LessOrEqual(t, share, c.most, "%s: %d of %d runs named an inversion", c.name, named, runs)
		require.GreaterOrEqual(t, share, c.least, "%s: %d of %d runs named an inversion", c.name, named, runs)
		if c.name == "flat" {
			require.Greater(t, noisy, runs, "flat rates fall from band to band often, within noise")
		}
	}
}

// A hand-worked case: 2 of 100 above 20 of 100 is beyond noise (Fisher's
// one-sided p of table [[2 98] [20 80]] is about 0.00003); 4 of 100 above
// 5 of 100 is not. Empty bands are skipped, not compared.
func TestInversionsHandWorked(t *testing.T) {
	beyond, within := inversions(testBands([]int{100, 100, 0, 100}, []int{5, 4, 0, 2}))
	require.Empty(t, beyond)
	require.Equal(t, 2, within)
	beyond, within = inversions(testBands([]int{100, 100}, []int{20, 2}))
	require.Equal(t, []string{"B wins 2.0% of its leads (2 of 100), less than A below it (20.0%, 20 of 100; Fisher's exact test, one-sided: p < 0.001, q < 0.001 over 1 pair of bands)"}, beyond)
	require.Zero(t, within)
}
