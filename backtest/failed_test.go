package backtest_test

import (
	"testing"

	"github.com/leadscore/leadscore/backtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The small file's leads with L3 failing: its outcome row belongs to a
// lead that failed, and is counted so, not as a row that names no lead
// (L99's). The leads still reconcile: 11 added = 8 in the backtest + 1
// not created + 1 decided + 1 open opportunity.
func TestOutcomesOfFailedLeads(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	leads := readLeads(t, s, small("leads.ndjson"))
	b, err := backtest.New(s, readOutcomes(t, small("outcomes.csv")), backtest.Options{At: day(6, 1), Until: day(9, 1)})
	require.NoError(t, err)
	for _, l := range leads {
		if l.ID == "L3" {
			b.LeadFailed(l.ID)
			continue
		}
		require.NoError(t, b.Add(l))
	}
	r := b.Report()
	assert.Equal(t, backtest.Counts{Added: 11, InBacktest: 8, NotCreated: 1, Decided: 1, OpenOpportunity: 1, OutcomesWithoutLead: 1, OutcomesOfFailedLeads: 1}, r.Leads)
}
