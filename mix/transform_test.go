package mix

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Adstock values worked by hand.
func TestAdstockByHand(t *testing.T) {
	// Geometric, decay 0.5: 100; 0+50; 0+25; 50+12.5.
	assert.InDeltaSlice(t, []float64{100, 50, 25, 62.5},
		Adstock{Kind: Geometric, Decay: 0.5}.Apply([]float64{100, 0, 0, 50}), 1e-12)
	// Decay 0 carries nothing over.
	assert.InDeltaSlice(t, []float64{3, 0, 7},
		Adstock{Kind: Geometric}.Apply([]float64{3, 0, 7}), 0)
	// Weibull shape 1, scale 1: weights e^0, e^-1, e^-2 (geometric, decay 1/e).
	assert.InDeltaSlice(t, []float64{100, 100 / math.E, 100 / (math.E * math.E)},
		Adstock{Kind: Weibull, Shape: 1, Scale: 1}.Apply([]float64{100, 0, 0}), 1e-12)
	// Weibull shape 2, scale 2: w1 = exp(-(1/2)^2) = 0.7788; 20 + 10*0.7788.
	assert.InDeltaSlice(t, []float64{10, 27.788007830714049},
		Adstock{Kind: Weibull, Shape: 2, Scale: 2}.Apply([]float64{10, 20}), 1e-12)
	// Weibull reads WeibullLags weeks and no more.
	x := make([]float64, WeibullLags+1)
	x[0] = 1
	a := Adstock{Kind: Weibull, Shape: 1, Scale: 100}.Apply(x)
	assert.Greater(t, a[WeibullLags-1], 0.0)
	assert.Equal(t, 0.0, a[WeibullLags])
}

// Hill values worked by hand: x^2/(x^2+100^2).
func TestHillByHand(t *testing.T) {
	h := Hill{Half: 100, Shape: 2}
	for _, c := range []struct{ x, want float64 }{
		{0, 0}, {-5, 0}, {50, 0.2}, {100, 0.5}, {200, 0.8}, {300, 0.9},
	} {
		assert.InDelta(t, c.want, h.At(c.x), 1e-12, "x=%v", c.x)
	}
	// Slope: 2*100^2*x/(x^2+100^2)^2 = 0.005 at x = 100.
	assert.InDelta(t, 0.005, h.Slope(100), 1e-15)
	// Shape 1 is x/(x+K): slope K/(x+K)^2, 1/K at zero.
	h1 := Hill{Half: 50, Shape: 1}
	assert.InDelta(t, 1.0/3, h1.At(25), 1e-12)
	assert.InDelta(t, 50.0/(75*75), h1.Slope(25), 1e-15)
	assert.InDelta(t, 1.0/50, h1.Slope(0), 1e-15)
	// The slope is the curve's derivative.
	for _, x := range []float64{10, 80, 250} {
		num := (h.At(x+1e-4) - h.At(x-1e-4)) / 2e-4
		assert.InDelta(t, num, h.Slope(x), 1e-9, "x=%v", x)
	}
}

// Weibull adstock can leave a week's adstocked spend tiny but above zero,
// where (Half/x)^Shape overflows: the marginal effect there is 0, never
// NaN, so every figure of a Weibull fit is a number and its JSON is
// written (it failed with "unsupported value: NaN" on every seed).
func TestWeibullFitHasNoNaN(t *testing.T) {
	assert.Equal(t, 0.0, Hill{Half: 100, Shape: 2}.xSlope(1e-300))
	assert.InDelta(t, 0.5, Hill{Half: 100, Shape: 2}.xSlope(100), 1e-12, "at Half: S·1/(1+1)² = 2/4")
	d, _, err := Simulate(exampleSim)
	require.NoError(t, err)
	for _, seed := range []uint64{1, 2, 3} {
		r, err := Fit(d, Options{Adstock: Weibull, Seed: seed, Bootstrap: 100})
		require.NoError(t, err)
		_, err = json.Marshal(r)
		require.NoError(t, err, "seed %d", seed)
	}
}
