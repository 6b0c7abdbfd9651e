package scoring_test

import (
	"maps"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A division whose right side comes out 0 for a lead fails the lead,
// naming the rule, the place and the divisor: expr's / would give an
// infinity (or no number, for 0/0) that the comparison around it reads as
// true or false without a word, so a lead lacking employees would be
// "high revenue per head". The closures and the VM give the same error.
func TestDivisionByZeroFailsTheLead(t *testing.T) {
	m, err := rules.CompileBytes("d.yaml", []byte(`leadscore: 1
model: d
fields:
  email: string
  employees: int
  seats: int
  revenue: float
scores:
  fit: {min: 0, max: 100}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
rules:
  - id: fit.per-head
    score: fit
    when: revenue / employees > 100000
    points: 10
  - id: fit.seats
    score: fit
    when: employees % seats == 1
    points: 1
  - id: fit.half
    score: fit
    when: revenue / 2 > 1
    points: 1
`))
	require.NoError(t, err)
	for name, s := range map[string]*scoring.Scorer{"closures": scoring.New(m), "VM": scoring.NewPlain(m)} {
		// employees missing: it reads as 0.
		_, err := s.Score(scoring.Lead{ID: "V1", Fields: map[string]any{"email": "a@b.io", "revenue": 5e6, "seats": 3}}, asOf)
		require.EqualError(t, err, `lead V1: d.yaml:15:19: rule fit.per-head: evaluating "revenue / employees > 100000": this divides by zero: employees is 0 here, which gives no number (a number the data lacks reads as 0); test it first, such as employees != 0 && ... in a condition, or (employees != 0 ? ... : 0) in a number`, name)
		_, err = s.Score(scoring.Lead{ID: "V2", Fields: map[string]any{"email": "a@b.io", "revenue": 5e6, "employees": 10}}, asOf)
		require.ErrorContains(t, err, `d.yaml:19:21: rule fit.seats: evaluating "employees % seats == 1": this takes the remainder of a division by zero: seats is 0 here`, name)
		res, err := s.Score(scoring.Lead{ID: "V3", Fields: map[string]any{"email": "a@b.io", "revenue": 5e6, "employees": 10, "seats": 3}}, asOf)
		require.NoError(t, err, name)
		require.Equal(t, 12.0, res.Total, name) // 500,000 a head, 10 % 3 == 1, 5e6/2 > 1
		res, err = s.Score(scoring.Lead{ID: "V4", Fields: map[string]any{"email": "a@b.io", "revenue": 5e6, "employees": 100, "seats": 7}}, asOf)
		require.NoError(t, err, name)
		require.Equal(t, 1.0, res.Total, name) // 50,000 a head, 100 % 7 == 2
	}
	// The division by a field still runs as closures.
	ev := m.NewEvaluator(friend.K(), false)
	for _, r := range m.Rules {
		if r.ID != "fit.seats" { // % by a field runs on the VM, as before
			require.True(t, ev.Compiled(r.When), r.ID)
		}
	}
}

// Every divisor the patcher rewrites before the type check is checked
// too: a nested field (a flat name by then), an event field, events(),
// daysSince(), a division inside the divisor, a ternary of an int and a
// float (no static type), and ** that gives no number. The error names the
// divisor as written. Closures and VM alike.
func TestDivisionByZeroEveryDivisor(t *testing.T) {
	m, err := rules.CompileBytes("d.yaml", []byte(`leadscore: 1
model: d
fields:
  email: string
  employees: int
  seats: int
  revenue: float
  created_at: time
  company.size: int
events:
  minutes: int
scores:
  fit: {}
stages:
  - {id: sql, sales_ready: true, when: fit >= 1000}
rules:
  - {id: nested, score: fit, when: "revenue / company.size > 1000", points: 1}
  - {id: counted, score: fit, when: "revenue / events(\"visit\", \"30d\") > 1000", points: 1}
  - {id: days, score: fit, when: "revenue / daysSince(created_at) > 1000", points: 1}
  - {id: inner, score: fit, when: "employees / (revenue / seats) > 1", points: 1}
  - {id: mixed, score: fit, when: "employees / (seats > 5 ? seats : 0.0) > 1", points: 1}
  - {id: power, score: fit, when: "seats ** -1 > 1", points: 1}
  - {id: visit, score: fit, event: visit, when: "100 / event.minutes > 1", points: 1}
`))
	require.NoError(t, err)
	ok := map[string]any{"email": "a@b.io", "employees": 10, "seats": 6, "revenue": 5e6, "created_at": "2026-09-01T00:00:00Z", "company": map[string]any{"size": 10}}
	visit := []scoring.Event{{Type: "visit", At: asOf.Add(-time.Hour), Fields: map[string]any{"minutes": 5}}}
	with := func(k string, v any) map[string]any {
		f := maps.Clone(ok)
		f[k] = v
		return f
	}
	cases := []struct {
		name   string
		fields map[string]any
		events []scoring.Event
		want   string
	}{
		{"nested", with("company", map[string]any{}), visit, `rule nested: evaluating "revenue / company.size > 1000": this divides by zero: company.size is 0 here`},
		{"counted", ok, nil, `rule counted: evaluating "revenue / events(\"visit\", \"30d\") > 1000": this divides by zero: events("visit", "30d") is 0 here`},
		{"days", with("created_at", asOf.Format(time.RFC3339)), visit, `rule days: evaluating "revenue / daysSince(created_at) > 1000": this divides by zero: daysSince(created_at) is 0 here`},
		{"inner", with("revenue", 0.0), visit, `this divides by zero: revenue / seats is 0 here, which gives no number (a number the data lacks reads as 0); test it first, such as (revenue / seats) != 0 && ...`},
		{"mixed", with("seats", 3), visit, `this divides by zero: seats > 5 ? seats : 0.0 is 0 here`},
		{"power", with("seats", 0), visit, `rule inner: evaluating "employees / (revenue / seats) > 1": this divides by zero: seats is 0 here`},
		{"event field", ok, []scoring.Event{{Type: "visit", At: asOf.Add(-time.Hour)}}, `rule visit: evaluating "100 / event.minutes > 1": this divides by zero: event.minutes is 0 here`},
	}
	for name, s := range map[string]*scoring.Scorer{"closures": scoring.New(m), "VM": scoring.NewPlain(m)} {
		res, err := s.Score(scoring.Lead{ID: "ok", Fields: ok, Events: visit}, asOf)
		require.NoError(t, err, name)
		require.Equal(t, 5.0, res.Total, name) // all but inner (10 / 833,333) and power (1/6)
		for _, c := range cases {
			_, err := s.Score(scoring.Lead{ID: c.name, Fields: c.fields, Events: c.events}, asOf)
			require.ErrorContains(t, err, c.want, name+" "+c.name)
		}
		_, err = s.Score(scoring.Lead{ID: "pow", Fields: with("seats", 0), Events: visit}, asOf)
		require.Error(t, err)
	}
	// ** alone: 0 to a negative power.
	p, err := rules.CompileBytes("p.yaml", []byte("leadscore: 1\nmodel: p\nfields: {seats: int}\nscores: {fit: {}}\nstages:\n  - {id: s, sales_ready: true, when: fit > 0}\nrules:\n  - {id: power, score: fit, when: \"seats ** -1 > 1\", points: 1}\n"))
	require.NoError(t, err)
	_, err = scoring.New(p).Score(scoring.Lead{ID: "z", Fields: map[string]any{"seats": 0}}, asOf)
	require.ErrorContains(t, err, `rule power: evaluating "seats ** -1 > 1": this raises seats (0 here) to the power -1, which gives no number`)
}
