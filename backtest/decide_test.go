package backtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A suggestion that ranks better but would change the hand-offs a week
// beyond MaxVolumeChange (here: stop every hand-off) is not adopted, and
// says how the volume moves.
func TestDecideRefusesAChangeOfVolume(t *testing.T) {
	b := &Backtest{opts: Options{MinWon: 20}}
	f := func(v float64) *float64 { return &v }
	s := &Suggestion{HeldOut: HeldOut{Leads: 1000, Won: 100, CurrentAUC: f(0.7), SuggestedAUC: f(0.8), Difference: f(0.1), DifferenceLow: f(0.05), DifferenceHigh: f(0.15)}}
	s.handoffs, s.suggestedHandoffs = 121, 0
	s.HandoffsPerWeek, s.SuggestedHandoffsPerWeek = f(9.31), f(0)
	d, why := b.decide(s, 3)
	assert.Equal(t, Inconclusive, d)
	assert.Contains(t, why, "9.3 a week now, 0.0 with them (-100%)")

	s.suggestedHandoffs, s.SuggestedHandoffsPerWeek = 127, f(9.77) // +5%: within MaxVolumeChange
	d, why = b.decide(s, 3)
	assert.Equal(t, Adopt, d, why)
	assert.Contains(t, why, "hand-offs a week: 9.3 now, 9.8 with the suggested points")

	s.HeldOut.DifferenceLow = f(-0.01)
	d, _ = b.decide(s, 3)
	assert.Equal(t, Inconclusive, d, "the gain's interval includes zero")
	s.HeldOut.DifferenceHigh, s.HeldOut.Difference, s.HeldOut.DifferenceLow = f(-0.01), f(-0.05), f(-0.09)
	d, _ = b.decide(s, 3)
	assert.Equal(t, Keep, d)
	d, _ = b.decide(s, 0)
	assert.Equal(t, Keep, d, "nothing moves beyond noise")
}

// Equal volume means exactly n leads on both sides, whatever the ties.
func TestTopTakesExactlyN(t *testing.T) {
	scores := []float64{5, 9, 5, 5, 1, 5}
	got := top(scores, 3)
	assert.Equal(t, map[int]bool{1: true, 0: true, 2: true}, got, "9, then the first two 5s in order")
	assert.Len(t, top(scores, 10), len(scores))
	assert.Empty(t, top(scores, 0))
}

// A capacity is a finite number of leads above zero: NaN, infinities,
// zero, negatives and absurd sizes are refused, with what to write.
func TestParseCapacityRefusesWhatIsNotACount(t *testing.T) {
	for _, s := range []string{"NaN/week", "Inf/week", "+Inf/month", "-Inf/week", "0/week", "-5/week", "1e12/week", "40/day", "forty/week", "40", "0x28/week", "4_0/week", " 40/week", "40/week "} {
		_, err := ParseCapacity(s)
		assert.EqualError(t, err, `want how many leads sales can work, a number above 0 and at most a billion, such as 40/week or 160/month, got "`+s+`"`, s)
	}
	c, err := ParseCapacity("37.5/week")
	assert.NoError(t, err)
	assert.Equal(t, Capacity{Leads: 37.5, Unit: "week"}, *c)
}
