package review_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/review"
)

// A lead that moves down a stage names what moved it first: its grade, a
// recycle's hold-down or a gate, before the rules' points, which may have
// raised its total.
func TestMovedByNamesTheCause(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new scoring.Result
		want     []string
	}{
		{"the grade fell while the total rose",
			scoring.Result{Total: 97, Grade: "B", Stage: "sql", SalesReady: true, Fired: []scoring.Fired{{Rule: "fit.uses-crm", Points: 10}, {Rule: "engagement.webinar", Points: 30}}},
			scoring.Result{Total: 102, Grade: "C", Stage: "mql", Fired: []scoring.Fired{{Rule: "engagement.webinar", Points: 45}}},
			[]string{"grade B → C", "engagement.webinar (+30) → (+45)", "fit.uses-crm (+10) no longer fires"}},
		{"a hold-down now keeps it",
			scoring.Result{Total: 90, Grade: "A", Stage: "sql", SalesReady: true},
			scoring.Result{Total: 90, Grade: "A", Stage: "mql", Verdict: &scoring.Verdict{Held: "sql"}},
			[]string{"the recycle hold-down now keeps it from sql"}},
		{"a gate now disqualifies, another no longer",
			scoring.Result{Total: 90, Grade: "A", Stage: "sql", SalesReady: true, Gates: []scoring.Gate{{Rule: "gate.b"}}},
			scoring.Result{Total: 95, Grade: "A", Stage: "mql", Disqualified: true, Gates: []scoring.Gate{{Rule: "gate.a"}}},
			[]string{"gate.a now disqualifies", "gate.b no longer disqualifies"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im := review.NewImpact([]string{"mql", "sql"}, []string{"total"}, nil)
			im.Add(1, &tc.old, &tc.new)
			im.Finish()
			if assert.Len(t, im.Stopped, 1) {
				assert.Equal(t, tc.want, im.Stopped[0].Moved)
			}
		})
	}
}
