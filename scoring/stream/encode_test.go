package stream_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// edit compiles the bundled model with one text replaced.
func edit(t *testing.T, old, new string) *scoring.Scorer {
	t.Helper()
	src, err := os.ReadFile("../../testdata/b2b-saas.yaml")
	require.NoError(t, err)
	require.Contains(t, string(src), old)
	lists, err := os.ReadFile("../../testdata/common/lists.yaml")
	require.NoError(t, err)
	m, err := rules.CompileFS(fstest.MapFS{
		"b2b-saas.yaml":     {Data: []byte(strings.Replace(string(src), old, new, 1))},
		"common/lists.yaml": {Data: lists},
	}, "b2b-saas.yaml")
	require.NoError(t, err)
	return scoring.New(m)
}

func TestStoredStateSurvivesAndDetectsAChangedModel(t *testing.T) {
	s := load(t, "../../testdata/b2b-saas.yaml")
	g := newGen(7, s.Model())
	evs := g.events(300, 200*24*time.Hour)
	st := stream.New(s).NewState("lead-42")
	for _, e := range evs {
		require.NoError(t, st.Add(e))
	}
	data, err := st.Marshal()
	require.NoError(t, err)
	var w struct {
		V           int    `json:"v"`
		Model       string `json:"model"`
		Fingerprint string `json:"fingerprint"`
		Lead        string `json:"lead"`
		Added       int    `json:"added"`
		Events      []json.RawMessage
	}
	require.NoError(t, json.Unmarshal(data, &w))
	assert.Equal(t, 1, w.V)
	assert.Equal(t, "b2b-saas", w.Model)
	assert.Len(t, w.Fingerprint, 16)
	assert.Equal(t, "lead-42", w.Lead)
	assert.Equal(t, 300, w.Added)
	assert.Equal(t, st.Kept(), len(w.Events))
	t.Logf("300 events, %d kept, %d bytes stored", st.Kept(), len(data))

	fields := g.lead()
	asOf := st.Latest().Add(36 * time.Hour)
	check := func(s *scoring.Scorer) {
		t.Helper()
		st2, err := stream.New(s).Load(data)
		require.NoError(t, err)
		got, err := st2.Score(fields, asOf)
		require.NoError(t, err)
		want, err := s.Score(scoring.Lead{ID: "lead-42", Fields: fields, Events: evs}, asOf)
		require.NoError(t, err)
		assert.Equal(t, viewOf(want), viewOf(got))
		again, err := st2.Marshal()
		require.NoError(t, err)
		assert.JSONEq(t, string(data), string(again), "stored, loaded and stored again")
	}
	check(s)
	// What the state does not depend on may change: points, decay, lead
	// rules, stages.
	check(edit(t, "points: 40\n    limit: 1", "points: 45\n    limit: 1"))
	check(edit(t, "half_life: 14d", "half_life: 21d"))
	check(edit(t, "engagement >= 50 || recent_demo", "engagement >= 60 || recent_demo"))

	// What it depends on may not: a limit, a window, a condition, an
	// aggregate's window.
	for _, c := range [][2]string{
		{"points: 10\n    limit: 3", "points: 10\n    limit: 4"},
		{"limit: 2\n    within: 90d", "limit: 2\n    within: 120d"},
		{`event.url contains "/pricing"`, `event.url contains "/pricing" || event.url contains "/plans"`},
		{`events("demo_request", "30d")`, `events("demo_request", "45d")`},
	} {
		_, err := stream.New(edit(t, c[0], c[1])).Load(data)
		require.ErrorIs(t, err, stream.ErrModelChanged, "%s -> %s", c[0], c[1])
		assert.Regexp(t, `^stored state of lead "lead-42" \(model b2b-saas, fingerprint [0-9a-f]{16}; now b2b-saas, fingerprint [0-9a-f]{16}\): the model's event rules changed since the state was stored; rebuild it from the lead's events$`, err.Error())
	}
}

func TestLoadRefusesWhatItCannotRead(t *testing.T) {
	sc := stream.New(load(t, "testdata/gates.yaml"))
	st := sc.NewState("l")
	require.NoError(t, st.Add(scoring.Event{Type: "page_view", At: base}))
	data, err := st.Marshal()
	require.NoError(t, err)
	for _, c := range []struct{ data, err string }{
		{`{"v":2}`, `stored state of lead "": format version 2, but this leadscore reads version 1; rebuild the state from the lead's events`},
		{`not json`, `stored state: invalid character 'o' in literal null (expecting 'u')`},
		{strings.Replace(string(data), `"r":[`, `"r":[99,`, 1), `stored state of lead "l" is damaged: events[0] (page_view at 2026-03-01T09:00:00Z) is kept for rule 99, the model has 5 event rules; rebuild it from the lead's events`},
	} {
		_, err := sc.Load([]byte(c.data))
		assert.EqualError(t, err, c.err)
	}
}

// FuzzLoad: whatever the stored bytes, Load and a score of what it loads
// return errors, never panic, and a state Load accepts loads again once
// stored. The seeds include the damaged states Load refuses.
func FuzzLoad(f *testing.F) {
	s := load(f, "testdata/windows.yaml")
	sc := stream.New(s)
	g := newGen(3, s.Model())
	st := sc.NewState("l")
	for _, e := range g.events(40, 60*24*time.Hour) {
		require.NoError(f, st.Add(e))
	}
	data, err := st.Marshal()
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte(`{"v":1}`))
	_, sampled := sample(f, "testdata/windows.yaml")
	f.Add(sampled)
	for _, c := range damages {
		if c.model == "windows" {
			f.Add(damage(f, sampled, c.edit))
		}
	}
	fields := g.lead()
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := sc.Load(data)
		if err != nil {
			return
		}
		again, err := st.Marshal()
		require.NoError(t, err)
		_, err = sc.Load(again)
		require.NoError(t, err, "a state Load accepts, stored again, loads")
		_, _ = st.Score(fields, st.Latest())
		_, _, _ = st.NextChange(fields, st.Latest())
	})
}
