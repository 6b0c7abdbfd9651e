package rules

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Data whose keys are ever new (an id used as a key, say) must not make a
// model grow without end: the did-you-mean of at most maxSuggestions names
// is kept, and the ones after are worked out each time, the same.
func TestSuggestionsKeptAreBounded(t *testing.T) {
	m, err := CompileBytes("m.yaml", []byte("leadscore: 1\nmodel: m\nfields:\n  employees: int\n  title: string\nevents:\n  url: string\nevent_types: [page_view]\nscores:\n  s: {min: 0, max: 10}\nrules:\n  - {id: r, score: s, points: 1, when: employees > 10}\nstages:\n  - {id: hot, sales_ready: true, when: s > 5}\n"))
	require.NoError(t, err)
	for i := range maxSuggestions + 500 {
		us := m.Unknowns(nil, map[string]any{fmt.Sprintf("k%d", i): 1, "Employees": 3},
			[]Event{{Type: fmt.Sprintf("t%d", i), Fields: map[string]any{fmt.Sprintf("e%d", i): 1}}})
		require.Len(t, us, 4)
	}
	kept := 0
	for _, mp := range []interface {
		Range(func(k, v any) bool)
	}{&m.suggestions.keys, &m.suggestions.eventKeys, &m.suggestions.eventTypes} {
		mp.Range(func(k, v any) bool { kept++; return true })
	}
	assert.Equal(t, maxSuggestions, kept)
	// Past the bound, the answers are the same as when kept.
	assert.Equal(t, "employees", m.Suggest(UnknownKey, "Employees"))
	assert.Equal(t, "title", m.Suggest(UnknownKey, "Job Title"))
	assert.Equal(t, "page_view", m.Suggest(UnknownEventType, "page-view"))
	assert.Equal(t, "url", m.Suggest(UnknownEventKey, "URL"))
}
