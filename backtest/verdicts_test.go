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
	bt, err := backtest.New(scoring.New(m), nil, backtest.Options{At: t0, Until: t1, Dispositions: true})
	require.NoError(t, err)
	in := t0.AddDate(0, 0, 10)
	verdict := func(s scoring.Status, reason string, at time.Time) []scoring.Disposition {
		return []scoring.Disposition{{At: at, Status: s, Reason: reason}}
	}
	// The model has no created field and no events, so a lead's timeline
	// starts at its first disposition (or at T1 without one): a VP is
	// handed over then. The window of hand-offs is (T0 − 48h, T1].
	for _, l := range []scoring.Lead{
		{ID: "A", Fields: map[string]any{"vp": true}, Dispositions: verdict(scoring.Accepted, "", in)},                                                                                                                // handed over in the window, accepted
		{ID: "B", Fields: map[string]any{"vp": true}, Dispositions: verdict(scoring.Rejected, "not_decision_maker", in)},                                                                                              // handed over, rejected
		{ID: "C", Fields: map[string]any{"vp": false}, Dispositions: verdict(scoring.Accepted, "", in)},                                                                                                               // never handed over, accepted: a miss
		{ID: "D", Fields: map[string]any{"vp": false}, Dispositions: verdict(scoring.Accepted, "", t0.AddDate(0, 0, -5))},                                                                                             // before the window: not counted
		{ID: "E", Fields: map[string]any{"vp": true}},                                                                                                                                                                 // handed over at T1, no verdict: waiting
		{ID: "F", Fields: map[string]any{"vp": true}, Dispositions: verdict(scoring.Accepted, "", t1.AddDate(0, 0, 1))},                                                                                               // its verdict after T1: waiting
		{ID: "H", Fields: map[string]any{"vp": true}, Dispositions: verdict(scoring.Accepted, "", t0.Add(-24*time.Hour))},                                                                                             // handed over and accepted the day before T0, within the SLA
		{ID: "I", Fields: map[string]any{"vp": true}, Dispositions: verdict(scoring.Accepted, "", t0.Add(-72*time.Hour))},                                                                                             // handed over before the window
		{ID: "J", Fields: map[string]any{"vp": true}, Dispositions: []scoring.Disposition{{At: t0.Add(-72 * time.Hour), Status: scoring.Recycled, Reason: "not_decision_maker"}, {At: in, Status: scoring.Accepted}}}, // handed over before the window, a later verdict in it: neither judged nor a miss
	} {
		require.NoError(t, bt.Add(l))
	}
	v := bt.Report().Verdicts
	require.NotNil(t, v)
	assert.Equal(t, t0.Add(-48*time.Hour), v.From)
	assert.Equal(t, t1, v.To)
	// Handed over in the window: A, B, E, F, H; judged: A, B, H (A and H
	// accepted, B rejected); E and F wait.
	assert.Equal(t, []int{5, 3, 2, 1, 0, 2}, []int{v.HandedOver, v.Judged, v.Accepted, v.Rejected, v.Recycled, v.Waiting})
	// C got a verdict, accepted, without a hand-off.
	assert.Equal(t, []int{1, 1}, []int{v.NotHandedOver, v.AcceptedNotHandedOver})
	// Acceptance 2/3; recall: of the 3 accepted (A, H, C), 2 handed over.
	assert.InDelta(t, 2.0/3, *v.AcceptanceRate, 1e-12)
	assert.InDelta(t, 2.0/3, *v.Recall, 1e-12)
	// Wilson for 2 of 3: centre (2/3 + z²/6) / (1 + z²/3) = 1.30691 /
	// 2.28049 = 0.57308; half = z √(2/27 + z²/36) / 2.28049 = 0.83334 /
	// 2.28049 = 0.36543: 0.20766 to 0.93851.
	require.NotNil(t, v.AcceptanceRateInterval)
	assert.InDelta(t, 0.20766, v.AcceptanceRateInterval.Low, 1e-4)
	assert.InDelta(t, 0.93851, v.AcceptanceRateInterval.High, 1e-4)
	// not_decision_maker (B) against fit.vp, over the judged hand-offs
	// (A, B, H): fired on 1 of 1 given the reason, on 3 of 3 judged.
	require.NotEmpty(t, v.Evidence)
	e := v.Evidence[0]
	assert.Equal(t, "not_decision_maker", e.Reason)
	assert.Equal(t, "fit.vp", e.Rule)
	assert.True(t, e.Contradicted)
	assert.Equal(t, [4]int{1, 1, 3, 3}, [4]int{e.Leads, e.Fired, e.Population, e.PopulationFired})

	// Without dispositions, there is no verdict view.
	plain, err := backtest.New(scoring.New(m), nil, backtest.Options{At: t0, Until: t1})
	require.NoError(t, err)
	require.NoError(t, plain.Add(scoring.Lead{ID: "A", Fields: map[string]any{"vp": true}}))
	assert.Nil(t, plain.Report().Verdicts)
}
