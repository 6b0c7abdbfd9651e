package scoring_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Costs lists every step of the bundled model once, its steps add up to
// the time of a whole Score, and the number of times it says each step
// runs is the number an independent count of the leads gives.
func TestCostsTakeTheStepsScoreTakes(t *testing.T) {
	s := bundledScorer(t)
	m := s.Model()
	leads := benchLeads(t)[:600]
	rep := s.Costs(leads, asOf, 2)
	require.Equal(t, len(leads), rep.Leads)
	assert.Zero(t, rep.Failed)

	byName := map[string]scoring.Cost{}
	sum := 0.0
	for _, c := range rep.Costs {
		key := c.Kind + " " + c.Name
		assert.NotContains(t, byName, key, "listed twice")
		byName[key] = c
		sum += c.NsPerLead
	}
	assert.InDelta(t, rep.NsPerLead, sum, 1e-6*rep.NsPerLead, "the steps add up to a whole Score")
	assert.Equal(t, "other", rep.Costs[len(rep.Costs)-1].Kind)
	assert.Greater(t, rep.NsPerLead, 0.0)

	// Every step of the model, and the two of reading the data.
	want := 2 + len(m.Defines) + len(m.Gates) + len(m.Rules) + len(m.Stages) + 1 // + other
	for _, g := range m.Grades {
		if g.When != nil {
			want++
		}
	}
	assert.Len(t, rep.Costs, want)

	// Independent counts, from the leads and the scores.
	var grades = map[string]int{}
	events := map[string]int{} // rule id: events of its types in its window
	for _, lead := range leads {
		res, err := s.Score(lead, asOf)
		require.NoError(t, err)
		grades[res.Grade]++
		for _, r := range m.Rules {
			if !r.IsEvent() {
				continue
			}
			for _, e := range lead.Events {
				if !e.At.After(asOf) && (r.Within == 0 || asOf.Sub(e.At) < r.Within) && slices.Contains(r.Events, e.Type) {
					events[r.ID]++
				}
			}
		}
	}
	n := float64(len(leads))
	for _, d := range m.Defines {
		assert.Equal(t, 1.0, byName["define "+d.Name].Evaluations, d.Name)
	}
	for _, r := range m.Rules {
		kind := "rule"
		if r.IsEvent() {
			kind = "event rule"
			assert.InDelta(t, float64(events[r.ID])/n, byName[kind+" "+r.ID].Evaluations, 1e-9, r.ID)
			continue
		}
		assert.Equal(t, 1.0, byName[kind+" "+r.ID].Evaluations, r.ID)
	}
	// A grade runs for the leads that no earlier grade took.
	reached := n
	for _, g := range m.Grades {
		if g.When == nil {
			break
		}
		assert.InDelta(t, reached/n, byName["grade "+g.Name].Evaluations, 1e-9, g.Name)
		reached -= float64(grades[g.Name])
	}
	assert.Less(t, byName["grade C"].Evaluations, byName["grade A"].Evaluations, "grades stop at the first that holds")
}

// An event rule runs only on the events in its window: a costly condition
// on old events costs nothing, as in Score.
func TestCostsOfAnEventRuleOutsideItsWindow(t *testing.T) {
	m, err := rules.CompileBytes("window.yaml", []byte(`leadscore: 1
model: window
fields:
  email: string
events:
  url: string
scores:
  s: {min: 0, max: 100}
rules:
  - id: recent-views
    score: s
    points: 1
    event: page_view
    when: 'lower(event.url) contains "pricing"'
    within: 1d
  - id: all-views
    score: s
    points: 1
    event: page_view
    when: 'lower(event.url) contains "pricing"'
stages:
  - {id: hot, sales_ready: true, when: "s > 50"}
`))
	require.NoError(t, err)
	var leads []scoring.Lead
	for i := range 50 {
		lead := scoring.Lead{ID: "L", Fields: map[string]any{"email": "a@b.io"}}
		for d := range 20 { // 20 views, months before the as-of time
			lead.Events = append(lead.Events, scoring.Event{Type: "page_view",
				At: asOf.AddDate(0, -4, 0).Add(time.Duration(i*20+d) * time.Hour), Fields: map[string]any{"url": "/pricing"}})
		}
		leads = append(leads, lead)
	}
	rep := scoring.New(m).Costs(leads, asOf, 3)
	require.Equal(t, 50, rep.Leads)
	for _, c := range rep.Costs {
		switch c.Name {
		case "recent-views":
			assert.Zero(t, c.Evaluations)
			assert.Less(t, c.NsPerLead, rep.NsPerLead/4, "no event is in its window")
		case "all-views":
			assert.Equal(t, 20.0, c.Evaluations)
		}
	}
}
