package backtest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

const startsModel = `leadscore: 1
model: h
fields:
  employees: int
  created_at: time
event_types: [visit]
scores:
  fit: {}
rules:
  - {id: big, score: fit, when: employees > 100, points: 10}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
holdout:
  share: 0.5
  seed: s
  withhold: handoff
`

// holdoutReport measures the leads with the model src and reports.
func holdoutReport(t *testing.T, src string, leads []scoring.Lead, outcomes map[string]backtest.Outcome) *backtest.HoldoutReport {
	t.Helper()
	m, err := rules.CompileBytes("h.yaml", []byte(src))
	require.NoError(t, err)
	h := backtest.NewHoldout(m.Holdout, "h.yaml", "")
	src2 := &backtest.HoldoutSource{Champion: scoring.New(m), Outcomes: outcomes, Until: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	for _, l := range leads {
		h.AddMeasured(h.Measure(context.Background(), src2, l))
	}
	return h.Report()
}

// pick returns the first id Pk whose group under seed s at 50% is control.
func pick(control bool, skip int) string {
	h := rules.NewHoldout(0.5, "s")
	for k := 0; ; k++ {
		if id := fmt.Sprintf("P%d", k); h.Control(id) == control {
			if skip == 0 {
				return id
			}
			skip--
		}
	}
}

// By hand, with starts 2026-09-01: a control lead created a second before
// the start (and won) is in neither group; one created at the start (and
// won) is a control lead; a treated lead whose first event, with no
// creation time, was before the start is in neither group; a treated
// lead created after it, and a control lead with no time at all, are in.
// So: 2 leads before the start; among all the leads 1 treated (not won)
// and 2 control (1 won); the split's test on 3 leads, 2 control.
func TestHoldoutStartLeavesOutTheLeadsBefore(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	c0, c1, c2 := pick(true, 0), pick(true, 1), pick(true, 2)
	t0, t1 := pick(false, 0), pick(false, 1)
	leads := []scoring.Lead{
		{ID: c0, Fields: map[string]any{"employees": 500, "created_at": at("2026-08-31T23:59:59Z")}},
		{ID: c1, Fields: map[string]any{"employees": 500, "created_at": at("2026-09-01T00:00:00Z")}},
		{ID: t0, Fields: map[string]any{"employees": 500}, Events: []scoring.Event{{Type: "visit", At: at("2026-09-20T00:00:00Z")}, {Type: "visit", At: at("2026-08-20T00:00:00Z")}}},
		{ID: t1, Fields: map[string]any{"employees": 500, "created_at": at("2026-09-02T00:00:00Z")}},
		{ID: c2, Fields: map[string]any{"employees": 500}},
	}
	won := backtest.Outcome{Won: at("2026-09-25T00:00:00Z"), Revenue: 100}
	outcomes := map[string]backtest.Outcome{c0: won, c1: won}

	r := holdoutReport(t, startsModel+"  starts: 2026-09-01\n", leads, outcomes)
	require.NotNil(t, r.BeforeStart)
	assert.Equal(t, 2, *r.BeforeStart)
	assert.Equal(t, "2026-09-01", r.Starts)
	all := r.Overall
	assert.Equal(t, []int{1, 0, 2, 1}, []int{all.Treated.Leads, all.Treated.Won, all.Control.Leads, all.Control.Won})
	assert.Equal(t, []int{3, 2}, []int{all.SampleRatio.Leads, all.SampleRatio.Control})
	assert.Equal(t, []int{1, 2}, []int{r.Treated.Leads, r.Control.Leads}, "the sales-ready leads: the same leads, each sales-ready")
	assert.Equal(t, 0, r.LeftOut)
	text := strings.Join(backtest.HoldoutSummary(r), "\n")
	assert.Contains(t, text, "2 leads created before the experiment started (2026-09-01) are in neither group, left out of both comparisons and the split's test")

	// Without the start every lead is in: 2 treated, 3 control, 2 won.
	r = holdoutReport(t, startsModel, leads, outcomes)
	assert.Nil(t, r.BeforeStart)
	assert.Equal(t, "", r.Starts)
	assert.Equal(t, []int{2, 0, 3, 2}, []int{r.Overall.Treated.Leads, r.Overall.Treated.Won, r.Overall.Control.Leads, r.Overall.Control.Won})
	assert.NotContains(t, strings.Join(backtest.HoldoutSummary(r), "\n"), "before the experiment")
}

// A start before every lead's arrival changes no figure of the report:
// only the start and its count (0) are added.
func TestHoldoutStartBeforeEveryLeadChangesNoFigure(t *testing.T) {
	var leads []scoring.Lead
	outcomes := map[string]backtest.Outcome{}
	base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 400; i++ {
		id := fmt.Sprintf("L%d", i)
		l := scoring.Lead{ID: id, Fields: map[string]any{"employees": 50 + 100*(i%3%2)}}
		came := base.Add(time.Duration(i) * 13 * time.Hour)
		if i%4 == 0 {
			l.Events = []scoring.Event{{Type: "visit", At: came}}
		} else if i%4 != 1 {
			l.Fields.(map[string]any)["created_at"] = came
		}
		if i%7 == 0 {
			outcomes[id] = backtest.Outcome{Won: came.Add(30 * 24 * time.Hour), Revenue: float64(100 * i)}
		}
		leads = append(leads, l)
	}
	without := holdoutReport(t, startsModel, leads, outcomes)
	with := holdoutReport(t, startsModel+"  starts: 2026-01-31\n", leads, outcomes)
	require.NotNil(t, with.BeforeStart)
	assert.Equal(t, 0, *with.BeforeStart)
	with.Starts, with.BeforeStart = "", nil
	assert.Equal(t, without, with)
	assert.Positive(t, without.Overall.Control.Won)
}
