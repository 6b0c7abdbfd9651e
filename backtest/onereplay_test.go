package backtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A lead's score at T0 and its capacity timeline come from one replay;
// a lead that fails is measured again, so its error is the one the score
// at T0 gives, or else the timeline: here a condition that fails on an
// event long before T0 (out of its window at T0, so the score alone
// passes) or on one just before it (both fail), and a stopped context.
func TestMeasureErrorsAsScoreThenTimeline(t *testing.T) {
	m, err := rules.CompileBytes("fails.yaml", []byte(`leadscore: 1
model: fails
fields:
  title: string
events:
  n: int
scores:
  fit: {min: 0, max: 100}
  engagement: {min: 0, max: 100}
rules:
  - id: fit.vp
    score: fit
    when: title contains "VP"
    points: 40
  - id: e.mod
    score: engagement
    event: ping
    when: 10 % event.n == 0
    within: 7d
    points: 30
stages:
  - {id: mql, when: "total >= 50", sales_ready: true}
`))
	require.NoError(t, err)
	s := scoring.New(m)
	t0 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	lead := func(id string, n int, ago time.Duration) scoring.Lead {
		return scoring.Lead{ID: id, Fields: map[string]any{"title": "VP Sales"}, Events: []scoring.Event{
			{Type: "ping", At: t0.Add(-60 * 24 * time.Hour), Fields: map[string]any{"n": 5}},
			{Type: "ping", At: t0.Add(-ago), Fields: map[string]any{"n": n}},
		}}
	}
	leads := []scoring.Lead{lead("good", 5, 24*time.Hour), lead("old-bad", 0, 30*24*time.Hour), lead("new-bad", 0, 24*time.Hour)}
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	for _, ctx := range []context.Context{context.Background(), stopped} {
		b, err := backtest.New(s, map[string]backtest.Outcome{}, backtest.Options{At: t0, Capacity: &backtest.Capacity{Leads: 40, Unit: "week"}})
		require.NoError(t, err)
		for _, l := range leads {
			_, want := s.ScoreContext(ctx, l, t0)
			if want == nil {
				_, want = s.TimelineTotals(ctx, l, t0)
			}
			got := b.Measure(ctx, l).Err()
			if want == nil {
				require.NoError(t, got, l.ID)
				continue
			}
			require.EqualError(t, got, want.Error(), l.ID)
		}
	}
	// The first bad lead's timeline fails where its score at T0 does not:
	// the case the measure must not word as the score's.
	_, err = s.ScoreContext(context.Background(), leads[1], t0)
	require.NoError(t, err)
	_, err = s.TimelineTotals(context.Background(), leads[1], t0)
	require.Error(t, err)
}
