package scoring_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring"
)

func TestTimelineByHand(t *testing.T) {
	s := bundledScorer(t)
	// A VP (fit 80, grade A) whose engagement grows event by event.
	lead := scoring.Lead{ID: "T", Fields: map[string]any{
		"email": "maria@acme.io", "title": "VP Engineering", "industry": "software", "employees": 250,
		"country": "US", "tech_stack": []any{"hubspot"}, "created_at": "2026-09-01",
	}, Events: []scoring.Event{
		ev("demo_request", 2),                       // day -2: +40, and recent_demo: sales-ready
		ev("email_click", 20),                       // day -20: +3
		ev("webinar_attended", 10, "minutes", 40.0), // day -10: +15 -> 18: engaged
		ev("content_download", 8),                   // day -8: +8 -> 26: mql (fit 80)
		ev("page_view", -3, "url", "/pricing"),      // after the as-of time: not replayed
	}}
	tl, err := s.Timeline(lead, asOf)
	require.NoError(t, err)
	var totals, deltas []float64
	var stages []string
	for _, p := range tl.Points {
		totals = append(totals, p.Total)
		deltas = append(deltas, p.Delta)
		stages = append(stages, p.Stage)
	}
	// Before any event: fit 80, engagement 0. Then click, webinar, download, demo, in time order.
	assert.Equal(t, []float64{80, 83, 98, 106, 146}, totals)
	assert.Equal(t, []float64{80, 3, 15, 8, 40}, deltas)
	assert.Equal(t, []string{"", "", "engaged", "mql", "sql"}, stages)
	require.Len(t, tl.Reached, 3)
	assert.Equal(t, "engaged", tl.Reached[0].Stage)
	assert.Equal(t, "webinar_attended", tl.Reached[0].Event.Type)
	assert.Equal(t, ago(10), tl.Reached[0].At)
	assert.Equal(t, "content_download", tl.Reached[1].Event.Type)
	sr, ok := tl.SalesReadyAt(s)
	require.True(t, ok)
	assert.Equal(t, "demo_request", sr.Event.Type, "the demo request pushed the lead over")
	assert.Equal(t, ago(2), sr.At)

	// The last point agrees with scoring the lead as of that event.
	res, err := s.Score(scoring.Lead{Fields: lead.Fields, Events: lead.Events}, ago(2))
	require.NoError(t, err)
	assert.Equal(t, res.Total, tl.Points[4].Total)
}

func TestTimelineFitAloneAndNever(t *testing.T) {
	s := bundledScorer(t)
	// Fit alone puts nobody on a stage in the bundled model, so a lead with no
	// events has one point and reaches nothing.
	tl, err := s.Timeline(scoring.Lead{Fields: map[string]any{"email": "a@b.io"}}, asOf)
	require.NoError(t, err)
	assert.Len(t, tl.Points, 1)
	assert.Empty(t, tl.Reached)
	_, ok := tl.SalesReadyAt(s)
	assert.False(t, ok)

	_, err = s.Timeline(scoring.Lead{ID: "bad", Fields: map[string]any{}}, asOf)
	assert.EqualError(t, err, "lead bad: email: required but missing")
}
