package attribution_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/leadscore/leadscore/attribution"
)

// The revenue of outcome rows naming no lead adds exactly, as the report's
// revenue does: 100.1 + 200.2 + 0.1 + 0.2 is 300.6, where float64 addition
// gives 300.59999999999997. A row that was no win counts in the rows, not
// in the won deals; and the words read right in a report file.
func TestUnmatchedSummaryAddsExactly(t *testing.T) {
	won := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var un []attribution.UnmatchedOutcome
	for i, rev := range []float64{100.1, 200.2, 0.1, 0.2} {
		un = append(un, attribution.UnmatchedOutcome{Line: i + 2, ID: "x", Outcome: attribution.Outcome{Won: won, Revenue: rev}})
	}
	un = append(un, attribution.UnmatchedOutcome{Line: 9, ID: "y", Outcome: attribution.Outcome{Opportunity: won}})
	sum := 0.0
	for _, u := range un {
		sum += u.Outcome.Revenue
	}
	assert.NotEqual(t, 300.6, sum, "float64 addition is off")
	assert.Equal(t, "5 outcome rows of o.csv name no lead of the leads file (4 won deals, revenue 300.6): not counted in this report; check their ids (each is named with its line on stderr)",
		attribution.UnmatchedSummary(un, "o.csv"))
	big := []attribution.UnmatchedOutcome{{Outcome: attribution.Outcome{Won: won, Revenue: 1234567.89}}, {Outcome: attribution.Outcome{Won: won, Revenue: 0.11}}}
	assert.Contains(t, attribution.UnmatchedSummary(big, "o.csv"), "revenue 1,234,568)")
	assert.Equal(t, "", attribution.UnmatchedSummary(nil, "o.csv"))
	// An amount no reader lets by does not panic.
	assert.NotPanics(t, func() {
		attribution.UnmatchedSummary([]attribution.UnmatchedOutcome{{Outcome: attribution.Outcome{Won: won, Revenue: math.NaN()}}}, "o.csv")
	})
}
