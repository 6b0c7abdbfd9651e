package backtest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Sales' verdicts in the backtest, worked out by hand on five leads.
func TestVerdictsByHand(t *testing.T) {
	m, err := rules.CompileBytes("v.yaml", []byte(`leadscore: 1
model: v
fields: {vp: bool}
scores: {fit: {}}
rules:
  - {id: fit.vp, score: fit, owner: sales, reason: VP, when: vp, points: 10}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
handoff:
  sla: 48h
  reasons:
    - {code: not_decision_maker, description: Cannot buy, contradicts: [fit.vp]}
`))
	require.NoError(t, err)
	t0 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	t1 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	bt, err := backtest.New(scoring.New(m), nil, backtest.Options{At: t0, Until: t1})
	require.NoError(t, err)
	in := t0.AddDate(0, 0, 10)
	verdict := func(s scoring.Status, reason string, at time.Time) []scoring.Disposition {
		return []scoring.Disposition{{At: at, Status: s, Reason: reason}}
	}
	for _, l := range []scoring.Lead{
		{ID: "A", Fields: map[string]any{"vp": true}, Dispositions: verdict(scoring.Accepted, "", in)},                    // sales-ready, accepted
		{ID: "B", Fields: map[string]any{"vp": true}, Dispositions: verdict(scoring.Rejected, "not_decision_maker", in)},  // sales-ready, rejected
		{ID: "C", Fields: map[string]any{"vp": false}, Dispositions: verdict(scoring.Accepted, "", in)},                   // not sales-ready, accepted
		{ID: "D", Fields: map[string]any{"vp": false}, Dispositions: verdict(scoring.Accepted, "", t0.AddDate(0, 0, -5))}, // before T0: no verdict in the window
		{ID: "E", Fields: map[string]any{"vp": true}},                                                                     // no verdict
		{ID: "F", Fields: map[string]any{"vp": true}, Dispositions: verdict(scoring.Accepted, "", t1.AddDate(0, 0, 1))},   // after T1: none
	} {
		require.NoError(t, bt.Add(l))
	}
	v := bt.Report().Verdicts
	require.NotNil(t, v)
	// A, B and C got a verdict in (T0, T1]: 2 accepted, 1 rejected.
	assert.Equal(t, 3, v.WithVerdict)
	assert.Equal(t, 2, v.Accepted)
	assert.Equal(t, 1, v.Rejected)
	// Of them, A and B were sales-ready at T0, and sales accepted A:
	// precision 1/2; of the 2 accepted, 1 was sales-ready: recall 1/2.
	assert.Equal(t, 2, v.SalesReady)
	assert.Equal(t, 1, v.SalesReadyAccepted)
	assert.InDelta(t, 0.5, *v.Precision, 1e-12)
	assert.InDelta(t, 0.5, *v.Recall, 1e-12)
	// not_decision_maker (B) against fit.vp: fired on 1 of 1, and on 2 of
	// the 3 with a verdict (A, B): lift 1 / (2/3) = 1.5; too few leads (under
	// feedback.MinEvidence) to call the rule wrong.
	require.Len(t, v.Evidence, 1)
	e := v.Evidence[0]
	assert.Equal(t, "not_decision_maker", e.Reason)
	assert.Equal(t, "fit.vp", e.Rule)
	assert.True(t, e.Contradicted)
	assert.Equal(t, [4]int{1, 1, 3, 2}, [4]int{e.Leads, e.Fired, e.Population, e.PopulationFired})
	assert.InDelta(t, 1.5, *e.Lift, 1e-12)
	assert.False(t, e.Suspect)

	// Without dispositions, there is no verdict view.
	plain, err := backtest.New(scoring.New(m), nil, backtest.Options{At: t0, Until: t1})
	require.NoError(t, err)
	require.NoError(t, plain.Add(scoring.Lead{ID: "A", Fields: map[string]any{"vp": true}}))
	assert.Nil(t, plain.Report().Verdicts)
}
