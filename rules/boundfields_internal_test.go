package rules

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/friend"
)

const boundModel = "leadscore: 1\nmodel: m\nfields:\n  employees: int\n  title: string\n  tags: list\n  created_at: time\nevents:\n  url: string\n  minutes: float\nevent_types: [page_view]\nscores:\n  s: {min: 0, max: 10}\nrules:\n  - {id: r, score: s, points: 1, when: employees > 10}\nstages:\n  - {id: hot, sales_ready: true, when: s > 5}\n"

// Taken fields are a copy: the next lead bound in the same evaluator (its
// list buffer reused) leaves them as they were, and binding them again
// gives every slot and its presence back.
func TestTakeFieldsIsACopy(t *testing.T) {
	m, err := CompileBytes("m.yaml", []byte(boundModel))
	require.NoError(t, err)
	e := m.NewEvaluator(friend.K(), false)
	_, _, ok := e.BindJSON([]byte(`{"id":"a","employees":250,"tags":["x","y"],"created_at":"2026-01-02T03:04:05Z"}`))
	require.True(t, ok)
	a := e.TakeFields()
	_, _, ok = e.BindJSON([]byte(`{"id":"b","title":"CTO","tags":["z","w","v"]}`))
	require.True(t, ok)
	b := e.TakeFields()

	assert.Equal(t, map[string]any{"employees": 250, "tags": []string{"x", "y"}, "created_at": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, a.Map())
	assert.Equal(t, map[string]any{"title": "CTO", "tags": []string{"z", "w", "v"}}, b.Map())
	v, present := a.Get("title")
	assert.Equal(t, "", v)
	assert.False(t, present, "a field the lead left out reads as its default, and not present")
	_, present = a.Get("no_such_field")
	assert.False(t, present)

	e.Begin(time.Time{}, nil)
	require.NoError(t, e.BindFields(a))
	assert.Equal(t, []string{"x", "y"}, e.Get("tags"))
	assert.Equal(t, 250, e.Get("employees"))
	assert.True(t, e.Present(0))
	assert.False(t, e.Present(1))

	// Another model with the same schema (a proposal changing points)
	// binds the slots as they are; one with another schema binds them as
	// BindMap binds the fields' map.
	same, err := CompileBytes("m.yaml", []byte(strings.Replace(boundModel, "points: 1", "points: 3", 1)))
	require.NoError(t, err)
	require.True(t, sameSchema(m, same))
	o := same.NewEvaluator(friend.K(), false)
	o.Begin(time.Time{}, nil)
	require.NoError(t, o.BindFields(a))
	assert.Equal(t, []string{"x", "y"}, o.Get("tags"))
	assert.Equal(t, 250, o.Get("employees"))
	wider, err := CompileBytes("m.yaml", []byte(strings.Replace(boundModel, "  employees: int\n", "  employees: int\n  country: {type: string, default: US}\n", 1)))
	require.NoError(t, err)
	require.False(t, sameSchema(m, wider))
	w := wider.NewEvaluator(friend.K(), false)
	w.Begin(time.Time{}, nil)
	require.NoError(t, w.BindFields(a))
	assert.Equal(t, "US", w.Get("country"))
	assert.Equal(t, 250, w.Get("employees"))
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), w.Get("created_at"))
	assert.Error(t, w.BindFields(nil))
}

// Two events whose keys and values, run together, would spell alike do
// not share a map (a key may hold any byte, \u0000 among them); long
// texts are neither kept to share nor looked up.
func TestShareEventFieldsUnambiguous(t *testing.T) {
	m, err := CompileBytes("m.yaml", []byte(boundModel))
	require.NoError(t, err)
	e := m.NewEvaluator(friend.K(), false)
	e.ShareEventFields(true)
	read := func(line string) []Event {
		t.Helper()
		_, events, ok := e.BindJSON([]byte(line))
		require.True(t, ok, line)
		e.TakeFields()
		return events
	}
	a := read(`{"id":"a","events":[{"type":"page_view","at":"2026-01-01T00:00:00Z","channel":"web","url":"/pricing"}]}`)
	b := read(`{"id":"b","events":[{"type":"page_view","at":"2026-01-01T00:00:00Z","channel\u0000\"web\"\u0000url":"/pricing"}]}`)
	assert.Equal(t, map[string]any{"channel": "web", "url": "/pricing"}, a[0].Fields)
	assert.Equal(t, map[string]any{"channel\x00\"web\"\x00url": "/pricing"}, b[0].Fields)
	long := strings.Repeat("x", maxSharedText+1)
	before := len(e.shared) + len(e.boxed)
	c := read(`{"id":"c","events":[{"type":"page_view","at":"2026-01-01T00:00:00Z","url":"` + long + `"}]}`)
	d := read(`{"id":"d","events":[{"type":"page_view","at":"2026-01-01T00:00:00Z","url":"` + long + `"}]}`)
	assert.Equal(t, long, c[0].Fields["url"])
	assert.Equal(t, c[0].Fields, d[0].Fields)
	assert.Equal(t, before, len(e.shared)+len(e.boxed), "a long text is not kept")
}

// With ShareEventFields, events whose fields are written alike (same keys,
// values and order) get one map, from lead to lead; any difference in how
// they are written gives a map of their own, with the values read alike.
func TestShareEventFields(t *testing.T) {
	m, err := CompileBytes("m.yaml", []byte(boundModel))
	require.NoError(t, err)
	e := m.NewEvaluator(friend.K(), false)
	e.ShareEventFields(true)
	read := func(line string) []Event {
		t.Helper()
		_, events, ok := e.BindJSON([]byte(line))
		require.True(t, ok, line)
		e.TakeFields()
		return events
	}
	first := read(`{"id":"a","events":[{"type":"page_view","at":"2026-01-01T00:00:00Z","url":"/p","minutes":1},{"at":"2026-01-02T00:00:00Z","url":"/p","type":"page_view","minutes":1}]}`)
	second := read(`{"id":"b","events":[{"type":"page_view","at":"2026-02-01T00:00:00Z","url":"/p","minutes":1},{"type":"page_view","at":"2026-02-01T00:00:00Z","url":"/p","minutes":1.0},{"type":"page_view","at":"2026-02-01T00:00:00Z","minutes":1,"url":"/p"},{"type":"page_view","at":"2026-02-01T00:00:00Z"}]}`)
	same := func(a, b map[string]any) bool { return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() }
	want := map[string]any{"url": "/p", "minutes": 1.0}
	for _, ev := range append(first, second[:3]...) {
		assert.Equal(t, want, ev.Fields)
	}
	assert.False(t, same(first[0].Fields, first[1].Fields), "an event with a number has a map of its own")
	texts := read(`{"id":"d","events":[{"type":"page_view","at":"2026-01-01T00:00:00Z","url":"/p"},{"at":"2026-01-02T00:00:00Z","url":"/p","type":"page_view"}]}`)
	again := read(`{"id":"e","events":[{"type":"page_view","at":"2026-03-01T00:00:00Z","url":"/p"},{"type":"page_view","at":"2026-03-01T00:00:00Z","url":"/q"}]}`)
	assert.True(t, same(texts[0].Fields, texts[1].Fields), "type and at are not part of the fields")
	assert.True(t, same(texts[0].Fields, again[0].Fields), "shared from lead to lead")
	assert.False(t, same(texts[0].Fields, again[1].Fields), "another value")
	assert.Equal(t, map[string]any{"url": "/q"}, again[1].Fields)
	assert.False(t, same(first[0].Fields, second[1].Fields), "an event with a number has a map of its own")
	assert.False(t, same(first[0].Fields, second[2].Fields), "keys in another order")
	assert.Nil(t, second[3].Fields)
	_, _, ok := e.BindJSON([]byte(`{"id":"c","events":[{"type":"page_view","at":"2026-02-01T00:00:00Z","url":"/p","url":"/q"}]}`))
	assert.False(t, ok, "a key twice in one event is not plain")
}

// GetString answers as Get(name).(string) does, whatever bound the lead
// (a JSON line, a map with values of the wrong type, a default) and
// whatever the name is (a text field, a field of another type, a name no
// field has): leads one after another in one evaluator, so that a value
// of the lead before cannot show through.
func TestGetStringIsGetOfAString(t *testing.T) {
	src := strings.Replace(boundModel, "  title: string\n", "  title: string\n  country: {type: string, default: US}\n  email: string\n", 1)
	m, err := CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	e := m.NewEvaluator(friend.K(), false)
	names := []string{"title", "country", "email", "employees", "tags", "created_at", "no_such_field"}
	check := func(what string) {
		t.Helper()
		for _, name := range names {
			want, wantOK := e.Get(name).(string)
			got, ok := e.GetString(name)
			assert.Equal(t, want, got, "%s: %s", what, name)
			assert.Equal(t, wantOK, ok, "%s: %s", what, name)
		}
	}
	for _, line := range []string{
		`{"id":"a","title":"CTO","email":"Ann <ann@acme.com>","country":"DE","employees":250}`,
		`{"id":"b","employees":3}`,
		`{"id":"c","title":"","email":"x@y.z","tags":["q"]}`,
	} {
		e.Begin(time.Time{}, nil)
		_, _, ok := e.BindJSON([]byte(line))
		require.True(t, ok, line)
		check(line)
	}
	for i, lead := range []map[string]any{
		{"title": "VP", "email": "a@b.c", "country": "GB"},
		{"title": 42, "email": true, "country": nil},
		{"employees": "many"},
		{},
	} {
		e.Begin(time.Time{}, nil)
		_ = e.BindMap(lead) // a value of the wrong type is an error, and the lead is bound still
		check(fmt.Sprintf("map %d", i))
	}
}
