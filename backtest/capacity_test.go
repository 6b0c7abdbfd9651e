package backtest_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/scoring"
)

// A lead with neither a creation time nor an event has no known arrival:
// it must not count as crossing every threshold at T0 (which would put
// them all in the last week and invent a trend), and the report says so.
func TestCapacityLeavesOutLeadsWithoutArrival(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	var leads []scoring.Lead
	for i := 0; i < 40; i++ {
		fields := map[string]any{"email": fmt.Sprintf("a%d@acme.io", i), "title": "VP"}
		if i%2 == 0 { // half created, one a week over the 13 weeks before T0
			fields["created_at"] = day(6, 1).AddDate(0, 0, -7*(i/2%13)-3).Format("2006-01-02T15:04:05Z")
		}
		leads = append(leads, scoring.Lead{ID: fmt.Sprintf("L%02d", i), Fields: fields})
	}
	r := run(t, s, leads, nil, backtest.Options{At: day(6, 1), Capacity: &backtest.Capacity{Leads: 100, Unit: "week"}}, nil, day(6, 1))
	c := r.Capacity
	require.NotNil(t, c)
	crossed := 0
	for _, w := range c.Weekly {
		crossed += w.Crossed
		assert.LessOrEqual(t, w.Crossed, 2, "week of %s: only leads with a creation time cross, at most two a week", w.From)
	}
	// The 20 created leads (fit 40: VP and a company address) cross at
	// their creation, 3 days into a week; the flows run over the whole
	// weeks since the first of them (87 days before T0: 12 weeks), so 19
	// of them count. The 20 without arrival do not cross at all.
	assert.Equal(t, 12.0, c.Periods)
	assert.Equal(t, 19, crossed)
	assert.Contains(t, fmt.Sprint(r.Warnings), "20 leads have neither a creation time (created_at) nor an event")
}
