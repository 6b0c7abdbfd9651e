package mix

import (
	"encoding/json"
	"testing"

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
