package stream_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// TestNextChangeIsBruteForce checks NextChange against re-scoring the
// whole history: at the time it gives the stage or grade differs from now,
// a nanosecond before it does not, and no earlier time differs (every
// window expiry of every event, a nanosecond either side, and every three
// hours); when it says nothing changes, nothing does over three years.
func TestNextChangeIsBruteForce(t *testing.T) {
	if testing.Short() {
		t.Skip("re-scores thousands of times")
	}
	for _, path := range models {
		t.Run(path, func(t *testing.T) {
			s := load(t, path)
			sc := stream.New(s)
			m := s.Model()
			changes, none := 0, 0
			for seed := uint64(1); seed <= 8; seed++ {
				g := newGen(seed, m)
				span := time.Duration(20+g.r.IntN(120)) * 24 * time.Hour
				evs := g.events(10+g.r.IntN(60), span)
				ds := g.dispositions(span + 60*24*time.Hour)
				st := sc.NewState("l")
				fields := g.lead()
				for _, e := range evs {
					require.NoError(t, st.Add(e))
				}
				asOf := g.after(st.Latest())
				full := func(at time.Time) [2]string {
					r, err := s.Score(scoring.Lead{Fields: fields, Events: evs, Dispositions: ds}, at)
					require.NoError(t, err)
					return [2]string{r.Stage, r.Grade}
				}
				next, ok, err := st.NextChangeWithDispositions(context.Background(), fields, ds, asOf)
				require.NoError(t, err)
				now := full(asOf)
				end := asOf.Add(3 * 365 * 24 * time.Hour)
				if ok {
					require.True(t, next.After(asOf))
					assert.NotEqual(t, now, full(next), "seed %d: nothing changes at %s", seed, next)
					assert.Equal(t, now, full(next.Add(-1)), "seed %d: the change at %s came earlier", seed, next)
					end = next.Add(-1)
					changes++
				} else {
					none++
				}
				for _, at := range probes(m, evs, ds, asOf, end) {
					require.Equal(t, now, full(at), "seed %d: a change at %s before %s (ok=%v)", seed, at, next, ok)
				}
			}
			t.Logf("%d changes found, %d leads with none", changes, none)
			assert.Greater(t, changes, 0)
		})
	}
}

// probes returns the times in (from, to] at which a brute-force search
// looks for a change: every three hours, and around every moment an event
// leaves a rule's window or an events() count, and around each
// disposition and hold-down end.
func probes(m *rules.Model, evs []scoring.Event, ds []scoring.Disposition, from, to time.Time) []time.Time {
	var windows []time.Duration
	for _, r := range slices.Concat(m.Rules, m.Gates) {
		if r.Within > 0 {
			windows = append(windows, r.Within)
		}
	}
	for _, a := range m.EventAggregates() {
		if a.Window > 0 {
			windows = append(windows, a.Window)
		}
	}
	var out []time.Time
	for t := from.Add(time.Hour); !t.After(to); t = t.Add(3 * time.Hour) {
		out = append(out, t)
	}
	evs = slices.Clone(evs)
	for _, d := range ds {
		evs = append(evs, scoring.Event{At: d.At}) // the disposition, and the end of a hold-down
		if m.Handoff != nil && m.Handoff.Hold > 0 {
			windows = append(windows, m.Handoff.Hold)
		}
	}
	windows = append(windows, 0)
	for _, e := range evs {
		for _, w := range windows {
			for _, d := range []time.Duration{-1, 0, 1} {
				if t := e.At.Add(w + d); t.After(from) && !t.After(to) {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// TestNextChangeByHand: a demo request (60 points for 14 days) makes a
// fit lead sales-ready; it stops being so the moment the demo is 14 days
// old.
func TestNextChangeByHand(t *testing.T) {
	s := load(t, "testdata/gates.yaml")
	st := stream.New(s).NewState("l")
	fields := map[string]any{"employees": 50}
	require.NoError(t, st.Add(scoring.Event{Type: "demo", At: base}))
	res, err := st.Score(fields, base)
	require.NoError(t, err)
	assert.Equal(t, "sql", res.Stage)
	at, ok, err := st.NextChange(fields, base.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, base.Add(14*24*time.Hour), at)
	res, err = st.Score(fields, at)
	require.NoError(t, err)
	assert.Equal(t, "", res.Stage)
	_, ok, err = st.NextChange(fields, at)
	require.NoError(t, err)
	assert.False(t, ok, "nothing is left to expire")
}
