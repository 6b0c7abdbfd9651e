package backtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Who is in the holdout's populations, lead by lead: the leads that came
// by T1 (or have no time at all); sales-ready when the definition would
// have handed them over by T1; won among the sales-ready only at or after
// that moment; nothing left out for an opportunity or a decision by T0.
func TestHoldoutMeasurePopulations(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields:
  created_at: time
event_types: [demo_request]
scores:
  engagement: {min: 0, max: 100}
rules:
  - id: demo
    score: engagement
    reason: asked for a demo
    event: demo_request
    points: 10
stages:
  - id: sql
    sales_ready: true
    when: engagement >= 10
holdout: {share: 0.5, seed: s, withhold: handoff}
`))
	require.NoError(t, err)
	at := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	lead := func(id, created string, demo string) scoring.Lead {
		l := scoring.Lead{ID: id, Fields: map[string]any{}}
		if created != "" {
			l.Fields = map[string]any{"created_at": created + "T00:00:00Z"}
		}
		if demo != "" {
			l.Events = []scoring.Event{{Type: "demo_request", At: at(demo)}}
		}
		return l
	}
	src := &backtest.HoldoutSource{Champion: scoring.New(m), Until: at("2026-10-01"), Outcomes: map[string]attribution.Outcome{
		"early":  {Opportunity: at("2026-03-01"), Won: at("2026-04-01"), Revenue: 500}, // decided by T0, before its hand-off
		"after":  {Opportunity: at("2026-03-01"), Won: at("2026-08-01"), Revenue: 700}, // an opportunity at T0, won after its hand-off
		"late":   {Won: at("2026-12-01"), Revenue: 900},                                // won after T1
		"future": {Won: at("2026-11-15"), Revenue: 900},
	}}
	h := backtest.NewHoldout(rules.NewHoldout(0.5, "s"), "m.yaml", "")
	for _, l := range []scoring.Lead{
		lead("early", "2026-01-01", "2026-05-01"),  // sales-ready 2026-05-01; won 2026-04-01: won among all, not among the sales-ready
		lead("after", "2026-01-01", "2026-02-01"),  // sales-ready, won after
		lead("late", "2026-01-01", "2026-09-30"),   // sales-ready, won after T1: not won
		lead("never", "2026-01-01", ""),            // never sales-ready
		lead("notime", "", ""),                     // no time at all: in
		lead("future", "2026-11-01", "2026-11-02"), // came after T1: not in
	} {
		h.AddMeasured(h.Measure(context.Background(), src, l))
	}
	r := h.Report()
	assert.Equal(t, 5, r.Overall.Treated.Leads+r.Overall.Control.Leads, "every lead that came by T1, and the one with no time")
	assert.Equal(t, 2, r.Overall.Treated.Won+r.Overall.Control.Won, "early and after, won by T1")
	assert.InDelta(t, 1200, r.Overall.Treated.Revenue+r.Overall.Control.Revenue, 1e-9)
	assert.Equal(t, 3, r.Treated.Leads+r.Control.Leads, "early, after and late would have been handed over by T1")
	assert.Equal(t, 1, r.Treated.Won+r.Control.Won, "only after was won at or after its hand-off")
	assert.InDelta(t, 700, r.Treated.Revenue+r.Control.Revenue, 1e-9)
	assert.Zero(t, r.LeftOut)
}
