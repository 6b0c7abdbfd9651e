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

// Costs lists every step of a model once, its steps add up to the time
// of a whole Score, and the number of times it says each step runs is the
// number an independent count of the leads gives: on the bundled models
// and on one with a total expression, event gates, an event rule of two
// types and a lead phase fused on expr's VM.
func TestCostsTakeTheStepsScoreTakes(t *testing.T) {
	leads := append(benchLeads(t)[:600:600], scoring.Lead{ID: "bad", Fields: map[string]any{"email": "a@b.io", "employees": "lots"}})
	for _, file := range []string{"../testdata/b2b-saas.yaml", "../testdata/b2b-saas-v2.yaml", "testdata/shapes.yaml"} {
		t.Run(file, func(t *testing.T) {
			m, err := rules.CompileFile(file)
			require.NoError(t, err)
			checkCosts(t, scoring.New(m), leads)
		})
	}
}

func checkCosts(t *testing.T, s *scoring.Scorer, leads []scoring.Lead) {
	m := s.Model()
	rep := s.Costs(leads, asOf, 2)

	// Independent counts, from the leads and their scores.
	failed := 0
	grades := map[string]int{}
	events := map[string]int{} // rule id: events of its types in its window
	for _, lead := range leads {
		res, err := s.Score(lead, asOf)
		if err != nil {
			failed++
			continue
		}
		grades[res.Grade]++
		for _, r := range append(slices.Clone(m.Gates), m.Rules...) {
			for _, e := range lead.Events {
				if r.IsEvent() && !e.At.After(asOf) && (r.Within == 0 || asOf.Sub(e.At) < r.Within) && slices.Contains(r.Events, e.Type) {
					events[r.ID]++
				}
			}
		}
	}
	require.Equal(t, failed, rep.Failed)
	require.Positive(t, failed, "a lead whose employees is a text fails, and is left out")
	require.Equal(t, len(leads)-failed, rep.Leads)
	require.Positive(t, rep.Leads)

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
	assert.Positive(t, rep.NsPerLead)

	// Every step of the model, and the two of reading the data.
	want := 2 + len(m.Defines) + len(m.Gates) + len(m.Rules) + len(m.Stages) + 1 // + other
	if m.Total != nil {
		want++
		assert.Equal(t, 1.0, byName["total total"].Evaluations)
	}
	for _, g := range m.Grades {
		if g.When != nil {
			want++
		}
	}
	assert.Len(t, rep.Costs, want)

	n := float64(rep.Leads)
	for _, d := range m.Defines {
		assert.Equal(t, 1.0, byName["define "+d.Name].Evaluations, d.Name)
	}
	for _, r := range append(slices.Clone(m.Gates), m.Rules...) {
		kind := "rule"
		if r.IsGate() {
			kind = "gate"
		}
		if r.IsEvent() {
			assert.InDelta(t, float64(events[r.ID])/n, byName["event "+kind+" "+r.ID].Evaluations, 1e-9, r.ID)
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
	for _, st := range m.Stages {
		assert.Equal(t, 1.0, byName["stage "+st.ID].Evaluations, st.ID)
	}
	if len(m.Grades) > 1 && m.Grades[1].When != nil {
		assert.Less(t, byName["grade "+m.Grades[1].Name].Evaluations, 1.0, "grades stop at the first that holds")
	}
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
			// No event is in its window, so its condition never runs. (Its
			// time is not compared here: a timing under -race or a loaded
			// machine is noise; the count is what the cost rests on.)
			assert.Zero(t, c.Evaluations, "no event is in its window")
		case "all-views":
			assert.Equal(t, 20.0, c.Evaluations)
		}
	}
}
