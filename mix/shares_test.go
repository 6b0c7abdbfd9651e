package mix

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Shares among channels: the estimates are the channels' incremental KPI
// over their sum, so they add up to 1 over all channels; among two, each is
// its incremental over the two's; the intervals come from the refits'
// own shares, lie within 0 and 1 and hold the estimate (social's refits
// at 80 weeks mostly fall below its estimate, and the reflected interval
// alone would lie above it).
func TestSharesAmong(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 80
	d, _, err := Simulate(sim)
	require.NoError(t, err)
	r, err := Fit(d, Options{Bootstrap: 40})
	require.NoError(t, err)
	sum, total := 0.0, 0.0
	for _, ch := range r.Channels {
		sum += ch.ChannelShare.Value
		total += ch.Incremental.Value
	}
	assert.InDelta(t, 1, sum, 1e-12)
	for _, ch := range r.Channels {
		assert.InDelta(t, ch.Incremental.Value/total, ch.ChannelShare.Value, 1e-12)
		assert.True(t, 0 <= ch.ChannelShare.Low && ch.ChannelShare.Low < ch.ChannelShare.High && ch.ChannelShare.High <= 1, "%+v", ch.ChannelShare)
	}
	two, err := r.SharesAmong([]string{"social", "tv"})
	require.NoError(t, err)
	tv, social := r.Channels[0].Incremental.Value, r.Channels[2].Incremental.Value
	assert.InDelta(t, social/(tv+social), two[0].Value, 1e-12)
	assert.InDelta(t, tv/(tv+social), two[1].Value, 1e-12)
	for _, iv := range two {
		assert.True(t, iv.Low <= iv.Value && iv.Value <= iv.High, "the interval holds the estimate: %+v", iv)
	}
	_, err = r.SharesAmong([]string{"radio"})
	assert.EqualError(t, err, `no channel "radio" in the model`)
	var back Result
	js, err := json.Marshal(r)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &back))
	_, err = back.SharesAmong([]string{"tv"})
	assert.EqualError(t, err, "the result has no bootstrap refits to take intervals from (a result read back from JSON?); fit the model again", "no silent zeros")
}

// A refit's figures stay paired across channels: the shares' intervals
// are the quantiles of each refit's own shares, recomputed here from the
// refits' incremental KPI (taking intervals once sorted each channel's
// refits in place, pairing one refit's tv with another's search).
func TestSharesPairRefits(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 80
	d, _, err := Simulate(sim)
	require.NoError(t, err)
	r, err := Fit(d, Options{Bootstrap: 40})
	require.NoError(t, err)
	names := []string{r.Channels[0].Name, r.Channels[2].Name}
	got, err := r.SharesAmong(names)
	require.NoError(t, err)
	shares := make([]float64, 40)
	for b := range shares {
		s := 0.0
		for _, v := range r.weekly[0][b] {
			s += v
		}
		require.InDelta(t, r.incr[0][b], s, 1e-6*s, "refit %d's weekly figures add up to its total", b)
		shares[b] = r.incr[0][b] / (r.incr[0][b] + r.incr[2][b])
	}
	lo, hi := quantiles(shares)
	v := got[0].Value
	assert.InDelta(t, math.Min(lo, v), got[0].Low, 1e-12)
	assert.InDelta(t, math.Max(hi, v), got[0].High, 1e-12)

	// Over a period: the shares of the weeks in it, from the weekly
	// decomposition.
	from, to := d.Weeks[10].AddDate(0, 0, 3), d.Weeks[29]
	in, weeks, err := r.SharesIn(names, from, to)
	require.NoError(t, err)
	assert.Equal(t, 20, weeks)
	a, b := 0.0, 0.0
	for t := 10; t <= 29; t++ {
		a += r.Decomposition[t].Channels[0]
		b += r.Decomposition[t].Channels[2]
	}
	assert.InDelta(t, a/(a+b), in[0].Value, 1e-12)
	_, _, err = r.SharesIn(names, d.Weeks[79].AddDate(0, 0, 8), time.Time{})
	assert.ErrorContains(t, err, "no week of the model")
}
