package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Empty text in the field SetEmptyAbsent names is missing, through both
// ways of binding (BindJSON and BindMap), and still an error in another
// time field, or without SetEmptyAbsent.
func TestSetEmptyAbsent(t *testing.T) {
	m, err := CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields:
  created_at: time
  seen_at: time
scores: {fit: {}}
stages:
  - {id: s, sales_ready: true, when: has(created_at)}
`))
	require.NoError(t, err)
	i := m.fieldIndex["created_at"]
	e := m.newEvaluator()
	require.Error(t, e.BindMap(map[string]any{"created_at": ""}), "no SetEmptyAbsent: empty text is no time")

	e.SetEmptyAbsent("created_at")
	for _, v := range []string{"", "  "} {
		require.NoError(t, e.BindMap(map[string]any{"created_at": v}))
		assert.False(t, e.Present(i), "BindMap %q", v)
		_, _, ok := e.BindJSON([]byte(`{"id":"L1","created_at":"` + v + `"}`))
		require.True(t, ok, "BindJSON %q", v)
		assert.False(t, e.Present(i), "BindJSON %q", v)
	}
	require.NoError(t, e.BindMap(map[string]any{"created_at": "2026-09-01T00:00:00Z"}))
	assert.True(t, e.Present(i))
	assert.Error(t, e.BindMap(map[string]any{"seen_at": ""}), "another time field")
	assert.Error(t, e.BindMap(map[string]any{"created_at": "soon"}))
	e.SetEmptyAbsent("nope")
	assert.Error(t, e.BindMap(map[string]any{"created_at": ""}), "no such field: nothing is missing")
}
