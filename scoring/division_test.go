package scoring_test

import (
	"testing"

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
		require.EqualError(t, err, `lead V1: d.yaml:15:19: rule fit.per-head: evaluating "revenue / employees > 100000": this divides by zero: employees is 0 for this lead, which gives no number (a number the lead lacks reads as 0); test it first, such as employees > 0 && ... in a condition, or (employees > 0 ? ... : 0) in a number`, name)
		_, err = s.Score(scoring.Lead{ID: "V2", Fields: map[string]any{"email": "a@b.io", "revenue": 5e6, "employees": 10}}, asOf)
		require.ErrorContains(t, err, `d.yaml:19:21: rule fit.seats: evaluating "employees % seats == 1": this takes the remainder of a division by zero: seats is 0 for this lead`, name)
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
