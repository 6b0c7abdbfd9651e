package scoring_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Cases a hostile review found the replay missing (a roll-up's window,
// events before a person's creation), and the replay against re-scoring
// every person at every hour on random accounts of two models.

const gateModel = `leadscore: 1
model: gate
fields: {email: string, created_at: time}
event_types: [demo_request, unsubscribe, visit]
scores:
  engagement: {min: -100, max: 100}
  optout: {min: 0, max: 10}
rules:
  - {id: demo, score: engagement, event: demo_request, points: 40, limit: 1, within: 30d}
  - {id: unsub, score: optout, event: unsubscribe, points: 1}
  - {id: visit, score: engagement, event: visit, points: 5, within: 3d}
stages:
  - {id: sql, sales_ready: true, when: engagement >= 40}
accounts:
  match: {domain_from: email}
  fields: {domain: string}
  scores:
    engagement: {max: 1000}
    risk: {max: 1000}
  engaged: {when: engagement >= 0}
  rules:
    - {id: people, score: engagement, people: sum, of: engagement}
    - {id: recent-optout, score: risk, people: count, when: optout >= 1, within: 5d, points: 1}
  stages:
    - {id: buying, sales_ready: true, when: people() >= 2 && risk == 0}
`

func compileAccounts(t *testing.T, src string) *scoring.AccountScorer {
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	return s
}

// bruteEveryStep scores every person present at every step from from to
// asOf and returns the first at which the account is sales-ready; a person
// with no moment of its own (no creation, no event) counts at every step
// when timeless is set, as in a snapshot, and never otherwise.
func bruteEveryStep(t *testing.T, s *scoring.AccountScorer, a scoring.Account, people []scoring.Lead, from, asOf time.Time, step time.Duration, timeless bool) (time.Time, bool) {
	for h := from; !h.After(asOf); h = h.Add(step) {
		var ps []*scoring.Person
		for _, l := range people {
			arrival := l.TimeField("created_at")
			if arrival.IsZero() {
				for _, e := range l.Events {
					if arrival.IsZero() || e.At.Before(arrival) {
						arrival = e.At
					}
				}
			}
			if (!arrival.IsZero() && arrival.After(h)) || (arrival.IsZero() && !timeless) {
				continue // not yet arrived
			}
			p, err := s.Person(l, h)
			require.NoError(t, err)
			ps = append(ps, p)
		}
		if len(ps) == 0 {
			continue
		}
		res, err := s.ScoreAccount(a, ps, h)
		require.NoError(t, err)
		if res.SalesReady {
			return h, true
		}
	}
	return time.Time{}, false
}

func sepAt(day, hour int) time.Time { return time.Date(2026, 9, day, hour, 0, 0, 0, time.UTC) }

// A roll-up's within: window ends with no event at that moment: the
// account becomes sales-ready then (an opt-out 5 days old stops counting).
func TestFirstSalesReadyRollupWindowEnds(t *testing.T) {
	s := compileAccounts(t, gateModel)
	a := scoring.Account{ID: "A", Fields: map[string]any{"domain": "acme.com"}}
	people := []scoring.Lead{
		{ID: "p1", Fields: map[string]any{"email": "p1@acme.com", "created_at": sepAt(1, 0)}, Events: []scoring.Event{{Type: "unsubscribe", At: sepAt(10, 10)}}},
		{ID: "p2", Fields: map[string]any{"email": "p2@acme.com", "created_at": sepAt(12, 0)}},
	}
	got, found, err := s.FirstSalesReady(context.Background(), a, people, "created_at", sepAt(30, 0))
	require.NoError(t, err)
	want, wantFound := bruteEveryStep(t, s, a, people, sepAt(1, 0), sepAt(30, 0), time.Hour, true)
	require.True(t, wantFound)
	require.True(t, found, "the replay must find the moment the opt-out leaves the roll-up's window")
	require.Equal(t, want, got)
}

// Events before a person's creation still leave their windows: a person
// engaged by an old event stops being engaged when it ends.
func TestFirstSalesReadyEventsBeforeArrival(t *testing.T) {
	for mi, src := range []string{readyModel, gateModel} {
		s := compileAccounts(t, src)
		rng := rand.New(rand.NewPCG(11, uint64(mi)))
		asOf := sepAt(30, 0)
		start := asOf.Add(-30 * 24 * time.Hour)
		for k := range 400 {
			a := scoring.Account{ID: "A", Fields: map[string]any{"domain": "acme.com"}}
			people := randomPeople(rng, start)
			got, found, err := s.FirstSalesReady(context.Background(), a, people, "created_at", asOf)
			require.NoError(t, err)
			want, wantFound := bruteEveryStep(t, s, a, people, start.Add(-24*time.Hour), asOf, time.Hour, true)
			timeless := false
			for _, p := range people {
				timeless = timeless || (p.Fields.(map[string]any)["created_at"] == nil && len(p.Events) == 0)
			}
			if timeless && wantFound && !found {
				// People with no moment of their own (no creation, no
				// event) make it sales-ready before any moment the
				// replay knows: when is unknown, and it says so.
				continue
			}
			require.Equal(t, wantFound, found, "model %d, case %d: %+v", mi, k, people)
			if found {
				require.True(t, want.Equal(got), "model %d, case %d: replay %v, every hour %v; %+v", mi, k, got, want, people)
			}
		}
	}
}
