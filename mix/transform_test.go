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

// The slope stays a number for every positive x, down to the denormals
// that many weeks of decay leave in an adstocked series: Shape·r once
// overflowed to +Inf where r is finite but near the largest float, and
// +Inf/+Inf made a channel's marginal ROAS NaN. Where it is finite, it
// agrees with S·r/(1+r)² worked in big steps.
func TestHillSlopeFiniteEverywhere(t *testing.T) {
	for _, h := range []Hill{{Half: 109, Shape: 2}, {Half: 1, Shape: 3}, {Half: 1e-3, Shape: 0.5}, {Half: 32.8, Shape: 1}} {
		for x := 5e-324; x < 1e300; x *= 7.3 {
			s, d := h.xSlope(x), h.Slope(x)
			require.False(t, math.IsNaN(s) || math.IsInf(s, 0), "xSlope(%g) of %+v = %v", x, h, s)
			require.False(t, math.IsNaN(d), "Slope(%g) of %+v = %v", x, h, d)
			require.GreaterOrEqual(t, s, 0.0)
		}
	}
	// r = (109/x)^2 = 1e308 exactly enough to overflow S·r: the slope is
	// S/r in effect, 2e-308.
	h := Hill{Half: 109, Shape: 2}
	x := 109 / math.Sqrt(1e308)
	assert.InEpsilon(t, 2e-308, h.xSlope(x), 1e-6)
	assert.InEpsilon(t, 0.5, h.xSlope(109), 1e-12) // r = 1: 2·1/4
}

// A channel's ROAS, ROI or marginal ROAS that is not a number is written
// null, the rest as they are: the JSON always marshals.
func TestChannelJSONNeverNaN(t *testing.T) {
	c := ChannelResult{Name: "search", Spend: 100, ROAS: Interval{Value: 2, Low: 1, High: 3}, ROI: Interval{Value: 1, Low: 0, High: 2}, MarginalROAS: Interval{Value: math.NaN(), Low: 0, High: 1}}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Nil(t, m["marginal_roas"])
	assert.Equal(t, map[string]any{"value": 2.0, "low": 1.0, "high": 3.0}, m["roas"])
	c.ROI.High = math.Inf(1)
	b, err = json.Marshal(c)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Nil(t, m["roi"])
}
