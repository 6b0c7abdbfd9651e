package backtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Leads read by intent to treat: a lead is sales-ready when the
// definition would have handed it over by T1, whatever sales did after
// (here a recycle that reset its engagement), and won when its deal was
// won after that moment.
func ExampleHoldout_Measure() {
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
handoff:
  sla: 48h
  reasons:
    - {code: no_budget, description: No budget}
  recycle: {resets: [engagement], hold: 180d}
holdout: {share: 0.5, seed: s, withhold: handoff}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	at := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	src := &backtest.HoldoutSource{Champion: scoring.New(m), Until: at("2026-10-01"),
		Outcomes: map[string]attribution.Outcome{"L1": {Won: at("2026-08-01"), Revenue: 1000}}}
	h := backtest.NewHoldout(m.Holdout, "m.yaml", "")
	for _, id := range []string{"L1", "L2"} {
		h.AddMeasured(h.Measure(context.Background(), src, scoring.Lead{
			ID:           id,
			Fields:       map[string]any{"created_at": "2026-02-01T00:00:00Z"},
			Events:       []scoring.Event{{Type: "demo_request", At: at("2026-02-10")}},
			Dispositions: []scoring.Disposition{{At: at("2026-06-15"), Status: scoring.Recycled, Reason: "no_budget"}},
		}))
	}
	r := h.Report()
	fmt.Println(r.Treated.Leads+r.Control.Leads, "sales-ready,", r.Treated.Won+r.Control.Won, "won")
	// Output: 2 sales-ready, 1 won
}
