package stream_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// TestStateIsFullRescore is the state's contract: over random streams
// (events of every type the rules read, late events, ties, lead fields that
// change between scores, sales' dispositions, a state stored and loaded on
// the way), the
// state's result as of any time from its latest event on equals the full
// re-score of every event it took.
func TestStateIsFullRescore(t *testing.T) {
	for _, path := range models {
		t.Run(path, func(t *testing.T) {
			s := load(t, path)
			sc := stream.New(s)
			checks, kept, taken, held := 0, 0, 0, 0
			for seed := uint64(1); seed <= 40; seed++ {
				g := newGen(seed, s.Model())
				n := 20 + g.r.IntN(150)
				span := time.Duration(30+g.r.IntN(300)) * 24 * time.Hour
				evs := g.events(n, span)
				ds := g.dispositions(span)
				st := sc.NewState(fmt.Sprint("lead-", seed))
				fields := g.lead()
				var all []scoring.Event
				for i, e := range evs {
					require.NoError(t, st.Add(e))
					all = append(all, e)
					if g.r.IntN(4) == 0 {
						fields = g.lead() // the lead's fields change
					}
					if g.r.IntN(10) == 0 { // stored and loaded
						data, err := st.Marshal()
						require.NoError(t, err)
						st, err = sc.Load(data)
						require.NoError(t, err)
					}
					if i%3 != 0 && i != n-1 {
						continue
					}
					for range 2 {
						asOf := g.after(st.Latest())
						want, werr := s.Score(scoring.Lead{ID: st.LeadID(), Fields: fields, Events: all, Dispositions: ds}, asOf)
						got, gerr := st.ScoreWithDispositions(context.Background(), fields, ds, asOf)
						if werr != nil || gerr != nil {
							require.Equal(t, werr, gerr, "seed %d, event %d, as of %s", seed, i, asOf)
							continue
						}
						require.Equal(t, viewOf(want), viewOf(got), "seed %d, event %d, as of %s", seed, i, asOf)
						checks++
						if got.Verdict != nil && got.Verdict.Held != "" {
							held++
						}
					}
				}
				assert.Equal(t, n, st.Events())
				kept += st.Kept()
				taken += n
			}
			t.Logf("%d scores compared (%d kept from the sales-ready stage by a hold-down); the states kept %d of %d events", checks, held, kept, taken)
			assert.Greater(t, checks, 1000)
		})
	}
}

// TestStateKeepsOnlyWhatCounts checks by hand what a state keeps of one
// stream under the decay model.
func TestStateKeepsOnlyWhatCounts(t *testing.T) {
	s := load(t, "testdata/decay.yaml")
	st := stream.New(s).NewState("l")
	day := 24 * time.Hour
	view := func(d int, url string) scoring.Event {
		return scoring.Event{Type: "page_view", At: base.Add(time.Duration(d) * day), Fields: map[string]any{"url": url}}
	}
	// Five pricing views on days 0..4 and a blog view on day 1: e.pricing
	// (limit 3) keeps days 2, 3, 4; e.views (within 30d) keeps all six
	// until day 30.
	for d := range 5 {
		require.NoError(t, st.Add(view(d, "/pricing")))
	}
	require.NoError(t, st.Add(view(1, "/blog")))
	assert.Equal(t, 6, st.Kept())
	// A view on day 32 moves the window: days 0, 1, 2 leave e.views (day 2
	// is 30 days old: out); e.pricing still holds 2, 3, 4; the blog view
	// on day 1 leaves for good.
	require.NoError(t, st.Add(view(32, "/docs")))
	assert.Equal(t, 4, st.Kept()) // days 2, 3, 4 and 32
	// A late pricing view on day 1 is outranked by three newer: dropped.
	require.NoError(t, st.Add(view(1, "/pricing")))
	assert.Equal(t, 4, st.Kept())
	assert.Equal(t, 8, st.Events())

	res, err := st.Score(nil, base.Add(32*day))
	require.NoError(t, err)
	// e.pricing: 10 × (2^-(30/7) + 2^-(29/7) + 2^-(28/7)); e.views: the day-32 view, 2 points, and days 3 and 4 (ages 29, 28 < 30), 2 × 2^-(age/10).
	pricing := 10 * (pow2(-30.0/7) + pow2(-29.0/7) + pow2(-28.0/7))
	views := 2 * (1 + pow2(-2.9) + pow2(-2.8))
	assert.InDelta(t, pricing+views, res.Total, 1e-9)
}

func TestScoreBeforeLatestIsRefused(t *testing.T) {
	s := load(t, "testdata/decay.yaml")
	st := stream.New(s).NewState("l-7")
	require.NoError(t, st.Add(scoring.Event{Type: "page_view", At: base}))
	_, err := st.Score(nil, base.Add(-time.Hour))
	require.ErrorIs(t, err, stream.ErrBeforeLatest)
	assert.EqualError(t, err, "lead l-7: as of 2026-03-01T08:00:00Z: before the latest event taken (2026-03-01T09:00:00Z); score as of that time or later, as the state keeps only what counts from then on")
}

// TestBadEventFailsAlone: an event a rule cannot read is refused with the
// reason, and the state is as it was.
func TestBadEventFailsAlone(t *testing.T) {
	s := load(t, "testdata/decay.yaml")
	st := stream.New(s).NewState("l-9")
	require.NoError(t, st.Add(scoring.Event{Type: "webinar", At: base, Fields: map[string]any{"minutes": 30.0}}))
	err := st.Add(scoring.Event{Type: "webinar", At: base.Add(time.Hour), Fields: map[string]any{"minutes": "half an hour"}})
	var se *scoring.Error
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Contains(t, err.Error(), "minutes")
	assert.Equal(t, 1, st.Events())
	assert.Equal(t, base, st.Latest())
	err = st.Add(scoring.Event{Type: "webinar"})
	assert.EqualError(t, err, "lead l-9: event webinar has no time (at); every event needs one, such as 2026-03-01T09:30:00Z")
	res, err := st.Score(nil, base.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 15.0, res.Total)
}

func pow2(x float64) float64 { return math.Exp2(x) }

// TestStateStaysSmall: under the bundled model, whose every event rule has
// a limit, a state holds at most the sum of the limits (5 + 3 + 2 + 3 + 1 +
// 1 = 15 events) whatever the history, and its stored form does not grow
// with it (the events() windows hold times of the last 60 days only).
func TestStateStaysSmall(t *testing.T) {
	s := load(t, "../../testdata/b2b-saas.yaml")
	st := stream.New(s).NewState("l")
	evs := benchEvents(20000)
	sizes := map[int]int{}
	for i, e := range evs {
		require.NoError(t, st.Add(e))
		require.LessOrEqual(t, st.Kept(), 15)
		if i+1 == 2000 || i+1 == 20000 {
			data, err := st.Marshal()
			require.NoError(t, err)
			sizes[i+1] = len(data)
		}
	}
	assert.Equal(t, 15, st.Kept())
	assert.InDelta(t, sizes[2000], sizes[20000], float64(sizes[2000])/10, "stored bytes after 2,000 and 20,000 events: %v", sizes)
}

// TestRecycleThatResetsIsRefused: under the bundled model, whose recycle
// policy resets engagement, a state refuses a recycle, and takes the other
// dispositions.
func TestRecycleThatResetsIsRefused(t *testing.T) {
	s := load(t, "../../testdata/b2b-saas.yaml")
	st := stream.New(s).NewState("L-3")
	require.NoError(t, st.Add(scoring.Event{Type: "demo_request", At: base}))
	fields := map[string]any{"email": "ana@acme.com", "title": "CTO", "employees": 300, "industry": "software"}
	recycled := []scoring.Disposition{{At: base.Add(time.Hour), Status: scoring.Recycled, Reason: "bad_timing"}}
	_, err := st.ScoreWithDispositions(context.Background(), fields, recycled, base.Add(2*time.Hour))
	require.ErrorIs(t, err, stream.ErrRecycleResets)
	assert.EqualError(t, err, "lead L-3: the recycle of 2026-03-01T10:00:00Z: a recycle resets events, which a streaming state cannot take out (the model's recycle policy resets content_download, demo_request, email_click, page_view, trial_signup, webinar_attended events); score this lead with Scorer.Score over its events")
	_, _, err = st.NextChangeWithDispositions(context.Background(), fields, recycled, base)
	require.ErrorIs(t, err, stream.ErrRecycleResets, "the recycle comes after the as-of time, but before the next change")

	// Before the recycle, and with an acceptance, the state scores.
	accepted := []scoring.Disposition{{At: base.Add(time.Hour), Status: scoring.Accepted}}
	res, err := st.ScoreWithDispositions(context.Background(), fields, accepted, base.Add(2*time.Hour))
	require.NoError(t, err)
	require.NotNil(t, res.Verdict)
	assert.Equal(t, scoring.Accepted, res.Verdict.Latest.Status)
	_, err = st.ScoreWithDispositions(context.Background(), fields, recycled, base.Add(30*time.Minute))
	require.NoError(t, err)
}
