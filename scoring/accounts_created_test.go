package scoring_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A lead created after the as-of time is not yet one of its account's
// people in the library, as in score --accounts and backtest --accounts:
// its demo request before its creation gives the account nothing then,
// and the same lead counts once the as-of time passes its creation.
func TestScoreAccountLeavesOutPeopleNotYetCreated(t *testing.T) {
	m, err := rules.CompileBytes("a.yaml", []byte(`leadscore: 1
model: example
fields: {email: string, title: string}
event_types: [demo_request, page_view]
scores:
  engagement: {max: 100}
rules:
  - {id: demo, score: engagement, event: demo_request, points: 40, within: 30d}
stages:
  - {id: sql, sales_ready: true, when: engagement >= 40}
accounts:
  match: {domain_from: email}
  fields: {domain: string, employees: int}
  scores:
    engagement: {max: 100}
  engaged: {when: engagement >= 10, within: 30d}
  rules:
    - {id: top2, score: engagement, people: top, top: 2, of: engagement, max: 60}
  stages:
    - {id: buying, sales_ready: true, when: 'engaged() >= 1'}
`))
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	accounts := []scoring.Account{{ID: "acme", Fields: map[string]any{"domain": "acme.com", "employees": 1200}}}
	leads := []scoring.Lead{{ID: "ana", Fields: map[string]any{"email": "ana@acme.com", "title": "VP", "created_at": "2026-10-05T00:00:00Z"},
		Events: []scoring.Event{{Type: "demo_request", At: time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC)}}}}

	before, err := s.Score(accounts, leads, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	r := before.Results[0]
	require.Equal(t, 0, r.People)
	require.Empty(t, r.Members)
	require.Equal(t, 0.0, r.Total)

	after, err := s.Score(accounts, leads, time.Date(2026, 10, 6, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	r = after.Results[0]
	require.Equal(t, 1, r.People)
	require.Equal(t, 40.0, r.Total, "top 2 of engagement: ana's demo, 40")
}
