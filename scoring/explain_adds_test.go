package scoring_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A candidate rule's Adds is what its points add to its category as the
// lead stands, the category's max applied: 25 points on a fit of 90 with
// a max of 100 add 10.
func TestCandidateAddsStopsAtTheMax(t *testing.T) {
	m, err := rules.CompileBytes("adds.yaml", []byte(`
leadscore: 1
model: adds
fields:
  a: bool
  b: bool
scores:
  fit: {min: 0, max: 100}
rules:
  - {id: fit.a, score: fit, points: 90, when: a}
  - {id: fit.b, score: fit, points: 25, when: b}
  - {id: fit.c, score: fit, points: 5, when: b}
stages:
  - {id: good, when: fit >= 100, sales_ready: true}
`))
	require.NoError(t, err)
	x, err := scoring.New(m).Explain(scoring.Lead{ID: "L", Fields: map[string]any{"a": true, "b": false}}, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.NotNil(t, x.Next)
	got := map[string][2]float64{}
	for _, c := range x.Next.Candidates {
		got[c.Rule] = [2]float64{c.Points, c.Adds}
	}
	assert.Equal(t, map[string][2]float64{"fit.b": {25, 10}, "fit.c": {5, 5}}, got)
}
