package stream_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// sample is a small state of the model at path: opens, a click, a content
// view, a demo, a trial, a page view and a complaint (each model reads some
// of those types).
func sample(t testing.TB, path string) (*stream.Scorer, []byte) {
	t.Helper()
	sc := stream.New(load(t, path))
	st := sc.NewState("l")
	h := time.Hour
	for _, e := range []scoring.Event{
		{Type: "email_open", At: base}, {Type: "email_open", At: base.Add(h)}, {Type: "email_click", At: base.Add(24 * h)},
		{Type: "content", At: base.Add(48 * h), Fields: map[string]any{"channel": "web"}}, {Type: "demo", At: base.Add(72 * h)},
		{Type: "trial", At: base.Add(70 * h)},
		{Type: "page_view", At: base}, {Type: "complaint", At: base.Add(h), Fields: map[string]any{"reason": "spam"}},
	} {
		require.NoError(t, st.Add(e))
	}
	data, err := st.Marshal()
	require.NoError(t, err)
	return sc, data
}

// damage returns the stored state with an edit.
func damage(t testing.TB, data []byte, edit func(w map[string]any)) []byte {
	t.Helper()
	var w map[string]any
	require.NoError(t, json.Unmarshal(data, &w))
	edit(w)
	out, err := json.Marshal(w)
	require.NoError(t, err)
	return out
}

func event(w map[string]any, i int) map[string]any {
	return w["events"].([]any)[i].(map[string]any)["e"].(map[string]any)
}

// copies returns the events with the i-th copied n times more.
func copies(w map[string]any, i, n int) {
	evs := w["events"].([]any)
	for range n {
		evs = append(evs, evs[i])
	}
	w["events"] = evs
}

type damaged struct {
	name, model string
	edit        func(w map[string]any)
	err         string
}

// damages are states no sequence of Adds makes, and Load's message for each.
// The windows sample: events[0] and [1] are opens (rule e.open, limit 10,
// 7d), [2] a content view (e.content-same-channel), [3] a demo
// (e.demo-big, limit 1, and e.trial-active), [4] a trial (e.trial-active,
// every event in 30d); aggregates: 0 events("email_click", "14d"), 1
// events("content", "30d"), 2 events("email_open"), 3
// daysSinceLast("email_click"), 4 events("email_open", "3d").
var damages = []damaged{
	{"zero-time event", "windows", func(w map[string]any) { event(w, 0)["at"] = "0001-01-01T00:00:00Z" },
		`events[0] (email_open) has no time ("at"); Add refuses such an event`},
	{"undeclared event type", "windows", func(w map[string]any) { event(w, 0)["type"] = "webinar" },
		`events[0] (webinar at 2026-03-01T09:00:00Z): no event rule or gate of the model reads events of type "webinar", so none keeps one`},
	{"last time after the latest event", "windows", func(w map[string]any) { w["lasts"].([]any)[3] = "2026-03-05T09:00:00Z" },
		`lasts[3] (daysSinceLast("email_click")) is 2026-03-05T09:00:00Z, after the latest event ("latest" 2026-03-04T09:00:00Z)`},
	{"window time after the latest event", "windows", func(w map[string]any) {
		w["times"].([]any)[0] = []any{base.Add(96 * time.Hour).UnixNano()}
	}, `times[0][0] (events("email_click", "14d")) is 2026-03-05T09:00:00Z, after the latest event ("latest" 2026-03-04T09:00:00Z)`},
	{"an event copied 1,000 times under a limit", "windows", func(w map[string]any) { copies(w, 0, 1000) },
		`rule e.open keeps 1002 events (the stored events say), more than the 10 it can count`},
	{"an event copied 1,000 times without a limit", "windows", func(w map[string]any) { copies(w, 4, 1000) },
		`"added" is 8, fewer than the 1006 events the state keeps or counts`},
	{"an event kept twice by one rule", "windows", func(w map[string]any) {
		w["events"].([]any)[3].(map[string]any)["r"] = []any{2, 2, 3}
	}, `events[3] (demo at 2026-03-04T09:00:00Z) is kept twice by rule e.demo-big`},
	{"a count below the events kept", "windows", func(w map[string]any) { w["counts"].([]any)[2] = 1 },
		`counts[2] (events("email_open")) is 1, fewer than the 2 events of that type kept`},
	{"a count of more events than taken", "windows", func(w map[string]any) { w["counts"].([]any)[2] = 1000 },
		`counts[2] (events("email_open")) is 1000, more than the 8 events taken ("added")`},
	{"an undeclared event field", "windows", func(w map[string]any) { event(w, 0)["plan"] = "pro" },
		`events[0] (email_open at 2026-03-01T09:00:00Z) has the field "plan", which the model does not declare under events (Add drops it)`},
	{"an event outside its rule's window", "windows", func(w map[string]any) { event(w, 0)["at"] = "2026-02-22T09:00:00Z" },
		`events[0] (email_open at 2026-02-22T09:00:00Z) is kept by rule e.open, but it is 10d before the latest event ("latest" 2026-03-04T09:00:00Z), outside the rule's window of 7d`},
	{"an event not kept by a rule that takes it", "windows", func(w map[string]any) {
		w["events"].([]any)[3].(map[string]any)["r"] = []any{2}
	}, `events[3] (demo at 2026-03-04T09:00:00Z) is not kept by rule e.trial-active, though the rule takes it and it is within the rule's window: the rule keeps every event it takes`},
	{"window times out of order", "windows", func(w map[string]any) {
		w["times"].([]any)[1] = []any{base.Add(48 * time.Hour).UnixNano(), base.Add(47 * time.Hour).UnixNano()}
	}, `times[1][1] (2026-03-03T08:00:00Z) is before times[1][0]; a window's times are kept in time order`},
	{"a window time missing", "windows", func(w map[string]any) { w["times"].([]any)[1] = nil },
		`times[1] (events("content", "30d")) lacks the time of events[2] (content at 2026-03-03T09:00:00Z), which is within the window of the latest event`},
	{"no latest event", "windows", func(w map[string]any) { delete(w, "latest") },
		`times[0][0] (events("email_click", "14d")) is 2026-03-02T09:00:00Z, after the latest event (no "latest")`},
	{"a negative count of events taken", "windows", func(w map[string]any) { w["added"] = -1 },
		`"added" is -1; a count of events taken cannot be negative`},
	{"an event a condition on arrival refuses", "gates", func(w map[string]any) { event(w, 2)["reason"] = "other" },
		`events[2] (complaint at 2026-03-01T10:00:00Z) is kept by rule gate.complaint, whose condition (event.reason in bad_reasons) refuses it`},
	{"an event of a type its rule does not read", "gates", func(w map[string]any) {
		w["events"].([]any)[1].(map[string]any)["r"] = []any{0}
	}, `events[1] (page_view at 2026-03-01T09:00:00Z) is kept by rule e.demo, which reads events of type demo, not page_view`},
}

func TestLoadRefusesWhatAddCannotProduce(t *testing.T) {
	states := map[string][]byte{}
	scorers := map[string]*stream.Scorer{}
	for _, m := range []string{"windows", "gates"} {
		scorers[m], states[m] = sample(t, "testdata/"+m+".yaml")
		_, err := scorers[m].Load(states[m])
		require.NoError(t, err, "the sample itself")
	}
	for _, c := range damages {
		t.Run(c.name, func(t *testing.T) {
			_, err := scorers[c.model].Load(damage(t, states[c.model], c.edit))
			require.ErrorIs(t, err, stream.ErrDamaged)
			assert.EqualError(t, err, `stored state of lead "l" is damaged: `+c.err+`; rebuild it from the lead's events`)
		})
	}
}

// TestSavedStatesLoad: every state Marshal writes loads, stores the same
// again, and scores as the state it was.
func TestSavedStatesLoad(t *testing.T) {
	for _, path := range models {
		s := load(t, path)
		sc := stream.New(s)
		for seed := range uint64(25) {
			g := newGen(100+seed, s.Model())
			evs := g.events(1+g.r.IntN(150), time.Duration(1+g.r.IntN(300))*24*time.Hour)
			st := sc.NewState(fmt.Sprintf("lead-%d", seed))
			fields := g.lead()
			for i, e := range evs {
				if err := st.Add(e); err != nil {
					continue // a bad event fails alone
				}
				if i%7 != 0 && i != len(evs)-1 {
					continue
				}
				data, err := st.Marshal()
				require.NoError(t, err)
				got, err := sc.Load(data)
				require.NoError(t, err, "%s, seed %d, after %d events", path, seed, i+1)
				again, err := got.Marshal()
				require.NoError(t, err)
				require.JSONEq(t, string(data), string(again))
				asOf := g.after(st.Latest())
				want, err1 := st.Score(fields, asOf)
				have, err2 := got.Score(fields, asOf)
				require.Equal(t, err1, err2)
				if err1 == nil {
					require.Equal(t, viewOf(want), viewOf(have))
				}
			}
		}
	}
}

func TestLoadRefusesAStateOverTheLimit(t *testing.T) {
	s := load(t, "testdata/windows.yaml")
	_, data := sample(t, "testdata/windows.yaml")
	_, err := stream.New(s, stream.WithMaxStateBytes(100)).Load(data)
	assert.EqualError(t, err, fmt.Sprintf("stored state of %d bytes is over the limit of 100 bytes (stream.WithMaxStateBytes); raise the limit, or rebuild the state from the lead's events", len(data)))
	_, err = stream.New(s, stream.WithMaxStateBytes(len(data))).Load(data)
	assert.NoError(t, err)
	big := []byte(`{"v":1,"lead":"` + strings.Repeat("x", stream.DefaultMaxStateBytes) + `"}`)
	_, err = stream.New(s).Load(big)
	assert.ErrorContains(t, err, "over the limit of 8388608 bytes (stream.WithMaxStateBytes)")
}

// TestMarshalRefusesWhatItCannotStore: a time outside what the stored form
// holds is refused when stored, not loaded as another time.
func TestMarshalRefusesWhatItCannotStore(t *testing.T) {
	sc := stream.New(load(t, "testdata/windows.yaml"))
	for _, c := range []struct {
		at  time.Time
		err string
	}{
		{time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), `lead l: the email_open event of 3000-01-01T00:00:00Z cannot be stored: a stored state holds the years 1678 to 2261; such a time is likely a mistake in the event, so rebuild the state from the lead's events without it`},
		{time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC), `lead l: the email_open event of 1500-01-01T00:00:00Z cannot be stored: a stored state holds the years 1678 to 2261; such a time is likely a mistake in the event, so rebuild the state from the lead's events without it`},
		{time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), `lead l: the demo event of 12000-01-01T00:00:00Z cannot be stored: a stored state holds the years 0 to 9999; such a time is likely a mistake in the event, so rebuild the state from the lead's events without it`},
	} {
		st := sc.NewState("l")
		typ := "email_open"
		if c.at.Year() > 9999 {
			typ = "demo"
		}
		require.NoError(t, st.Add(scoring.Event{Type: typ, At: c.at}))
		_, err := st.Marshal()
		assert.EqualError(t, err, c.err)
	}
	// The same event copied, with the count of events taken raised to
	// match, is what Add makes of one event taken 1,001 times: it loads.
	_, data := sample(t, "testdata/windows.yaml")
	_, err := sc.Load(damage(t, data, func(w map[string]any) { copies(w, 4, 1000); w["added"] = 1008 }))
	assert.NoError(t, err)
}
