package scoring_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// readyModel: a demo gives 40 engagement for 30 days, an unsubscribe takes
// 40 for 7 days; an account is sales-ready with two people at 40.
const readyModel = `leadscore: 1
model: ready
fields: {email: string, created_at: time}
event_types: [demo_request, unsubscribe, visit]
scores:
  engagement: {min: -100, max: 100}
rules:
  - {id: demo, score: engagement, event: demo_request, points: 40, limit: 1, within: 30d}
  - {id: unsub, score: engagement, event: unsubscribe, points: -40, within: 7d}
  - {id: visit, score: engagement, event: visit, points: 5, within: 3d}
stages:
  - {id: sql, sales_ready: true, when: engagement >= 40}
accounts:
  match: {domain_from: email}
  fields: {domain: string}
  scores:
    engagement: {max: 1000}
  engaged: {when: engagement >= 40}
  rules:
    - {id: people, score: engagement, people: sum, of: engagement}
  stages:
    - {id: buying, sales_ready: true, when: engaged() >= 2}
`

func readyScorer(t testing.TB) *scoring.AccountScorer {
	t.Helper()
	m, err := rules.CompileBytes("ready.yaml", []byte(readyModel))
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	return s
}

func at(day, hour int) time.Time { return time.Date(2026, 9, day, hour, 0, 0, 0, time.UTC) }

// An account becomes sales-ready when a person's unsubscribe (09-19 10:00)
// leaves its 7-day window, 09-26 10:00, with no event then: the replay
// finds that moment (it tried only arrivals and events before).
func TestFirstSalesReadyWhenAWindowLapses(t *testing.T) {
	s := readyScorer(t)
	a := scoring.Account{ID: "A", Fields: map[string]any{"domain": "acme.com"}}
	lead := func(id string, events ...scoring.Event) scoring.Lead {
		return scoring.Lead{ID: id, Fields: map[string]any{"email": id + "@acme.com"}, Events: events}
	}
	people := []scoring.Lead{
		lead("u1", scoring.Event{Type: "unsubscribe", At: at(19, 10)}, scoring.Event{Type: "demo_request", At: at(20, 10)}),
		lead("u2", scoring.Event{Type: "demo_request", At: at(20, 10)}),
	}
	got, found, err := s.FirstSalesReady(context.Background(), a, people, "created_at", at(30, 0))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, at(26, 10), got)

	// Before the window lapses it is not.
	_, found, err = s.FirstSalesReady(context.Background(), a, people, "created_at", at(26, 9))
	require.NoError(t, err)
	assert.False(t, found)
}

// The incremental replay (only the people whose moment it is are scored
// again) agrees with a brute force that scores every person at every whole
// hour: events and creations fall on whole hours and windows are whole
// days, so a result can change only on the hour.
func TestFirstSalesReadyAgreesWithHourlyBruteForce(t *testing.T) {
	s := readyScorer(t)
	rng := rand.New(rand.NewPCG(7, 30))
	asOf := at(30, 0)
	start := asOf.Add(-30 * 24 * time.Hour)
	for k := range 60 {
		a := scoring.Account{ID: "A", Fields: map[string]any{"domain": "acme.com"}}
		people := randomPeople(rng, start)
		got, found, err := s.FirstSalesReady(context.Background(), a, people, "created_at", asOf)
		require.NoError(t, err)
		want, wantFound := bruteFirstSalesReady(t, s, a, people, start.Add(-24*time.Hour), asOf)
		require.Equal(t, wantFound, found, "case %d", k)
		if found {
			assert.Equal(t, want, got, "case %d", k)
		}
	}
}

// bruteFirstSalesReady scores every person present at every whole hour,
// leaving out the people with no moment of their own.
func bruteFirstSalesReady(t *testing.T, s *scoring.AccountScorer, a scoring.Account, people []scoring.Lead, from, asOf time.Time) (time.Time, bool) {
	return bruteEveryStep(t, s, a, people, from, asOf, time.Hour, false)
}

// randomPeople are up to four people of an account, each created on a
// whole hour of the 30 days from start or not at all, with up to four
// events on whole hours.
func randomPeople(rng *rand.Rand, start time.Time) []scoring.Lead {
	types := []string{"demo_request", "unsubscribe", "visit"}
	var people []scoring.Lead
	for i := range 1 + rng.IntN(4) {
		fields := map[string]any{"email": fmt.Sprintf("p%d@acme.com", i)}
		if rng.IntN(2) == 0 {
			fields["created_at"] = start.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
		}
		var evs []scoring.Event
		for range rng.IntN(5) {
			evs = append(evs, scoring.Event{Type: types[rng.IntN(3)], At: start.Add(time.Duration(rng.IntN(31*24)) * time.Hour)})
		}
		people = append(people, scoring.Lead{ID: fmt.Sprintf("p%d", i), Fields: fields, Events: evs})
	}
	return people
}

// SalesReadyAfter finds the first sales-ready moment after a given one
// (a recycle and its hold-down): two people with demos on 09-01 and 09-02
// make the account ready on 09-02. It is still ready on 09-10 (the demos
// count 30 days, to 10-01 and 10-02), so after 09-10 it is ready again at
// 09-10 itself, the end of the hold, with no event then. After 10-05 the
// replay's moments are none (the lapses are before), so it is not ready
// again by 10-30; with new demos on 10-20 and 10-21 it is, on 10-21 (on
// 10-20 only one person is engaged). AccountAt is the account at one
// moment, with the people arrived by then.
func TestSalesReadyAfterAndAccountAt(t *testing.T) {
	s := readyScorer(t)
	ctx := context.Background()
	a := scoring.Account{ID: "A", Fields: map[string]any{"domain": "acme.com"}}
	demo := func(t time.Time) scoring.Event { return scoring.Event{Type: "demo_request", At: t} }
	oct := func(day, hour int) time.Time { return time.Date(2026, 10, day, hour, 0, 0, 0, time.UTC) }
	people := []scoring.Lead{
		{ID: "p1", Fields: map[string]any{"email": "p1@acme.com"}, Events: []scoring.Event{demo(at(1, 10))}},
		{ID: "p2", Fields: map[string]any{"email": "p2@acme.com"}, Events: []scoring.Event{demo(at(2, 10))}},
	}
	first, found, err := s.FirstSalesReady(ctx, a, people, "", oct(30, 0))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, at(2, 10), first)

	again, found, err := s.SalesReadyAfter(ctx, a, people, "", at(10, 0), oct(30, 0))
	require.NoError(t, err)
	require.True(t, found, "ready through the hold's end")
	assert.Equal(t, at(10, 0), again)
	_, found, err = s.SalesReadyAfter(ctx, a, people, "", oct(5, 0), oct(30, 0))
	require.NoError(t, err)
	assert.False(t, found)

	more := []scoring.Lead{people[0], people[1]}
	more[0].Events = []scoring.Event{demo(at(1, 10)), demo(oct(20, 10))}
	more[1].Events = []scoring.Event{demo(at(2, 10)), demo(oct(21, 10))}
	again, found, err = s.SalesReadyAfter(ctx, a, more, "", oct(5, 0), oct(30, 0))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, oct(21, 10), again)
	// Bounded by its as-of time: not yet on 10-21 at 09:00.
	_, found, err = s.SalesReadyAfter(ctx, a, more, "", oct(5, 0), oct(21, 9))
	require.NoError(t, err)
	assert.False(t, found)

	res, err := s.AccountAt(ctx, a, people, "", at(1, 12))
	require.NoError(t, err)
	assert.Equal(t, 1, res.People, "p2 arrives on 09-02")
	assert.False(t, res.SalesReady)
	res, err = s.AccountAt(ctx, a, people, "", at(2, 10))
	require.NoError(t, err)
	assert.Equal(t, 2, res.People)
	assert.True(t, res.SalesReady)
}

// A person with no creation time and no event counts throughout. With a
// stage of two people: one such person and one created on 09-10 make the
// account ready on 09-10 (the moment is known: the timeless person alone
// does not); two such people make it ready before any moment the replay
// knows, with or without a later person: moment unknown, not never.
func TestSalesReadyMomentWithTimelessPeople(t *testing.T) {
	m, err := rules.CompileBytes("two.yaml", []byte(`leadscore: 1
model: two
fields: {email: string, created_at: time}
scores:
  fit: {min: 0, max: 10}
rules:
  - {id: any, score: fit, when: 'true', points: 1}
stages:
  - {id: sql, sales_ready: true, when: fit >= 1}
accounts:
  match: {domain_from: email}
  fields: {domain: string}
  scores:
    fit: {max: 10}
  stages:
    - {id: pair, sales_ready: true, when: people() >= 2}
`))
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	ctx := context.Background()
	a := scoring.Account{ID: "A", Fields: map[string]any{"domain": "acme.com"}}
	timeless := func(id string) scoring.Lead {
		return scoring.Lead{ID: id, Fields: map[string]any{"email": id + "@acme.com"}}
	}
	created := scoring.Lead{ID: "c", Fields: map[string]any{"email": "c@acme.com", "created_at": at(10, 0)}}
	asOf := at(30, 0)

	got, found, unknown, err := s.SalesReadyMoment(ctx, a, []scoring.Lead{timeless("t1"), created}, "created_at", asOf)
	require.NoError(t, err)
	assert.True(t, found)
	assert.False(t, unknown)
	assert.Equal(t, at(10, 0), got)
	got, found, err = s.FirstSalesReady(ctx, a, []scoring.Lead{timeless("t1"), created}, "created_at", asOf)
	require.NoError(t, err)
	assert.True(t, found, "the backtest's hand-off too")
	assert.Equal(t, at(10, 0), got)

	for _, people := range [][]scoring.Lead{{timeless("t1"), timeless("t2")}, {timeless("t1"), timeless("t2"), created}} {
		_, found, unknown, err = s.SalesReadyMoment(ctx, a, people, "created_at", asOf)
		require.NoError(t, err)
		assert.False(t, found)
		assert.True(t, unknown, "%d people", len(people))
	}
	// One timeless person alone: never.
	_, found, unknown, err = s.SalesReadyMoment(ctx, a, []scoring.Lead{timeless("t1")}, "created_at", asOf)
	require.NoError(t, err)
	assert.False(t, found)
	assert.False(t, unknown)
}
