package rules

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFrameFunctions(t *testing.T) {
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	f := &frame{AsOf: asOf, Events: []Event{
		{Type: "page_view", At: asOf.Add(-1 * day)},
		{Type: "page_view", At: asOf.Add(-30 * day)}, // exactly at the edge of a 30-day window: outside
		{Type: "page_view", At: asOf.Add(-29 * day)},
		{Type: "page_view", At: asOf.Add(2 * day)}, // after the as-of time: never counts
		{Type: "demo_request", At: asOf},           // at the as-of time: counts
	}}
	assert.Equal(t, 3, f.Count("page_view", 0))
	assert.Equal(t, 2, f.Count("page_view", 30*day))
	assert.Equal(t, 1, f.Count("demo_request", time.Hour))
	assert.Equal(t, 0, f.Count("webinar_attended", 0))
	assert.Equal(t, 1.0, f.DaysSinceLast("page_view"))
	assert.Equal(t, 0.0, f.DaysSinceLast("demo_request"))
	assert.True(t, math.IsInf(f.DaysSinceLast("trial_signup"), 1))
	assert.Equal(t, 1.5, f.DaysSince(asOf.Add(-36*time.Hour)))
	assert.Equal(t, -2.0, f.DaysSince(asOf.Add(2*day)))
	assert.True(t, math.IsInf(f.DaysSince(time.Time{}), 1), "a missing time is infinitely long ago")
}

func TestEvaluatorBindsAndEvaluates(t *testing.T) {
	m, err := CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields:
  annual_revenue: float
  http_source: string
define:
  big: annual_revenue > 1e6
scores: {fit: {}}
stages:
  - {id: s, sales_ready: true, when: big}
`))
	require.NoError(t, err)
	env := m.newEvaluator()
	env.Begin(time.Now(), nil)
	require.NoError(t, env.BindStruct(struct {
		AnnualRevenue float32 // snake_case: annual_revenue
		HTTPSource    string  // http_source
	}{2e6, "ads"}))
	require.NoError(t, env.EvalDefines())
	assert.Equal(t, true, env.Get("big"))
	assert.Equal(t, "ads", env.Get("http_source"))
	assert.True(t, env.Present(0))

	env.Begin(time.Now(), nil) // a new lead: fields back to their defaults
	require.NoError(t, env.BindMap(nil))
	assert.Equal(t, 0.0, env.Get("annual_revenue"))
	assert.False(t, env.Present(0))
}
