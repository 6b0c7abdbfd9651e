package backtest_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

var leadgenBase = leadgen.Base

// knownLeads generates n leads and draws their outcomes after leadgen.Base
// with leadgen.KnownPropensity.
func knownLeads(t testing.TB, s *scoring.Scorer, n int) ([]scoring.Lead, map[string]attribution.Outcome) {
	t.Helper()
	g := leadgen.New(99)
	var leads []scoring.Lead
	outcomes := map[string]attribution.Outcome{}
	for i := 0; i < n; i++ {
		l := g.Next()
		b, err := json.Marshal(l)
		require.NoError(t, err)
		lead, err := leadfile.DecodeJSON(b)
		require.NoError(t, err)
		leads = append(leads, lead)
		o := leadgen.KnownOutcome(99, l, leadgen.Base)
		if !o.Opportunity.IsZero() {
			outcomes[l.ID] = attribution.Outcome{Opportunity: o.Opportunity, Won: o.Won, Revenue: o.Revenue, Lost: o.Lost}
		}
	}
	return leads, outcomes
}
