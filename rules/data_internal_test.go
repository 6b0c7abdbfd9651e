package rules

import (
	"fmt"
	"strconv"
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

// lookup reads a nested field under each of its spellings (here the 8 of a
// four-part path), and refuses any two of them together, naming both, the
// first met (outer keys first) before the other.
func TestLookupEverySpelling(t *testing.T) {
	f := &Field{Name: "a.b.c.d", path: []string{"a", "b", "c", "d"}}
	f.joins = pathJoins(f.path)
	plain := &Field{Name: "a.b.c.d", path: f.path} // no joins: joined when needed
	var spelt []map[string]any
	var names []string
	for cuts := uint64(0); cuts < 8; cuts++ {
		mask := 1 | cuts<<1
		obj, leaf := map[string]any{}, map[string]any{}
		names = append(names, f.spelling(mask))
		cur := obj
		for i := 0; i < 4; {
			j := i + 1
			for j < 4 && mask&bitAt(j) == 0 {
				j++
			}
			if j == 4 {
				cur[f.joined(i, j)] = float64(cuts)
			} else {
				leaf = map[string]any{}
				cur[f.joined(i, j)] = leaf
				cur = leaf
			}
			i = j
		}
		spelt = append(spelt, obj)
		for _, g := range []*Field{f, plain} {
			v, found, err := lookup(obj, g)
			require.NoError(t, err, names[cuts])
			assert.True(t, found, names[cuts])
			assert.Equal(t, float64(cuts), v, names[cuts])
		}
	}
	assert.Equal(t, `{"a.b.c.d":…}`, names[0])
	assert.Equal(t, `{"a":{"b":{"c":{"d":…}}}}`, names[7])
	assert.Equal(t, `{"a":{"b.c":{"d":…}}}`, names[5])
	for i := range spelt {
		for j := range spelt {
			if i == j {
				continue
			}
			both := merge(spelt[i], spelt[j])
			_, found, err := lookup(both, f)
			assert.False(t, found)
			if assert.Error(t, err, "%s and %s", names[i], names[j]) {
				assert.Contains(t, err.Error(), "given twice, as {")
				assert.Contains(t, err.Error(), names[i])
				assert.Contains(t, err.Error(), names[j])
				assert.Contains(t, err.Error(), "keep one, since which one counts would be a guess")
			}
		}
	}
	_, _, err := lookup(map[string]any{"a": map[string]any{"b": 3.0}, "a.b.c.d": 1.0}, f)
	assert.EqualError(t, err, `want an object with c.d in a.b, got the number 3`)
	v, found, err := lookup(map[string]any{"a": nil, "a.b": map[string]any{"c.d": 1.0}}, f)
	assert.NoError(t, err, "null on the way is missing, not an object lacking")
	assert.True(t, found)
	assert.Equal(t, 1.0, v)
}

// merge joins two spellings into one object, sharing the objects on the
// way that both hold.
func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		x, ok1 := out[k].(map[string]any)
		y, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			out[k] = merge(x, y)
		} else {
			out[k] = v
		}
	}
	return out
}

// Unknown data is listed once per kind and name, however many events carry
// it, whether the list is short (a scan) or long (a map).
func TestUnknownsListedOnceWhenMany(t *testing.T) {
	m, err := CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields:
  title: string
event_types: [visit]
events:
  campaign: string
scores:
  fit: {}
rules:
  - {id: r, score: fit, owner: sales, reason: r, points: 1, when: title == "VP"}
stages:
  - {id: s, sales_ready: true, when: fit > 0}
`))
	require.NoError(t, err)
	for _, keys := range []int{5, 40, 3000} {
		fields := map[string]any{"title": "VP"}
		var events []Event
		want := map[string]bool{}
		for i := range keys {
			fields[fmt.Sprintf("f%d", i)] = 1
			want["key f"+strconv.Itoa(i)] = true
			// Each key in three events, and a type the model lacks in each.
			for range 3 {
				events = append(events, Event{Type: "call", Fields: map[string]any{fmt.Sprintf("e%d", i): 1}})
			}
			want["event key e"+strconv.Itoa(i)] = true
		}
		want["event type call"] = true
		got := map[string]bool{}
		for _, u := range m.Unknowns(nil, fields, events) {
			s := string(u.Kind) + " " + u.Name
			assert.False(t, got[s], "%s listed twice", s)
			got[s] = true
		}
		assert.Equal(t, want, got, "%d keys", keys)
	}
}
