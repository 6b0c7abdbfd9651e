package scoring_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// accountReplayModel has event rules with and without windows, an events()
// count in a window, an engaged window and a roll-up window: every kind
// of moment a person's result moves at.
const accountReplayModel = `leadscore: 1
model: m
fields: {email: string, title: string, created_at: time}
event_types: [visit, demo]
scores:
  eng: {max: 200}
rules:
  - {id: eng.visit, score: eng, event: visit, points: 3, within: 14d}
  - {id: eng.demo, score: eng, event: demo, points: 30, within: 30d}
  - {id: eng.busy, score: eng, when: 'events("visit", "7d") >= 3', points: 10}
stages:
  - {id: sql, sales_ready: true, when: eng >= 40}
accounts:
  match: {domain_from: email}
  fields: {domain: string}
  scores: {eng: {max: 300}}
  roles: {decision_maker: title == "VP"}
  engaged: {when: eng >= 10, within: 21d}
  rules:
    - {id: r.top, score: eng, people: top, top: 3, of: eng, max: 150}
    - {id: r.count, score: eng, people: count, points: 10, when: eng >= 10, within: 10d, max: 50}
  stages:
    - {id: aware, when: engaged() >= 1}
    - {id: buying, sales_ready: true, when: 'engaged() >= 2 && engaged("decision_maker") >= 1 && eng >= 60'}
`

// randomAccountPeople are n people of one account with random titles,
// creation times (some none) and visits and demos over 120 days.
func randomAccountPeople(rng *rand.Rand, n int) []scoring.Lead {
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	titles := []string{"VP", "Engineer", "Analyst"}
	out := make([]scoring.Lead, n)
	for i := range out {
		fields := map[string]any{"email": fmt.Sprintf("p%d@acme.com", i), "title": titles[rng.Intn(len(titles))]}
		if rng.Intn(3) > 0 {
			fields["created_at"] = t0.Add(time.Duration(rng.Intn(120*24)) * time.Hour).Format(time.RFC3339)
		}
		var events []scoring.Event
		for range rng.Intn(10) {
			typ := "visit"
			if rng.Intn(8) == 0 {
				typ = "demo"
			}
			events = append(events, scoring.Event{Type: typ, At: t0.Add(time.Duration(rng.Intn(120*24*60)) * time.Minute)})
		}
		out[i] = scoring.Lead{ID: fmt.Sprintf("L%03d", i), Fields: fields, Events: events}
	}
	return out
}

// The replay that scores again only the people with a moment of their own
// finds the same moments as the one that scores every person at every
// moment, on random accounts: when the account first became sales-ready,
// whether the moment is unknown, and when it is again after a moment.
func TestSalesReadyReplayKeepsPeopleAsFullReplay(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(accountReplayModel))
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	full := scoring.FullReplay(s)
	ctx := context.Background()
	acc := scoring.Account{ID: "acme", Fields: map[string]any{"domain": "acme.com"}}
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewSource(7))
	found := 0
	for trial := range 150 {
		people := randomAccountPeople(rng, 1+rng.Intn(12))
		at, ok, unknown, err := s.SalesReadyMoment(ctx, acc, people, "created_at", asOf)
		require.NoError(t, err)
		wantAt, wantOK, wantUnknown, err := full.SalesReadyMoment(ctx, acc, people, "created_at", asOf)
		require.NoError(t, err)
		require.Equal(t, [3]any{wantAt, wantOK, wantUnknown}, [3]any{at, ok, unknown}, "trial %d", trial)
		if ok {
			found++
			after := at.Add(time.Duration(1+rng.Intn(30*24)) * time.Hour)
			again, ok2, err := s.SalesReadyAfter(ctx, acc, people, "created_at", after, asOf)
			require.NoError(t, err)
			wantAgain, wantOK2, err := full.SalesReadyAfter(ctx, acc, people, "created_at", after, asOf)
			require.NoError(t, err)
			require.Equal(t, [2]any{wantAgain, wantOK2}, [2]any{again, ok2}, "trial %d after %s", trial, after)
		}
	}
	require.Greater(t, found, 20, "the trials reach sales-ready often enough to compare the moments")
	require.Less(t, found, 140, "and not always")
}

// BenchmarkSalesReadyReplayInterleaved replays one account of n people
// (accountReplayModel, random people as in the test above, the account's
// stage made out of reach so that every moment is replayed, as for an
// account never sales-ready) with the replay that keeps the people with
// no moment of their own and with the full one (every person scored
// again at every moment: the replay before), in turn within each op so
// both see the same load, and reports each one's time an op and their
// ratio. feedback and attribute --accounts run this replay once an
// account (and again after each verdict).
//
//	go test ./scoring -run '^$' -bench SalesReadyReplayInterleaved -benchtime 1x
func BenchmarkSalesReadyReplayInterleaved(b *testing.B) {
	src := strings.Replace(accountReplayModel, "eng >= 60'", "eng >= 1000'", 1)
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	s, err := scoring.NewAccountScorer(m)
	if err != nil {
		b.Fatal(err)
	}
	full := scoring.FullReplay(s)
	acc := scoring.Account{ID: "acme", Fields: map[string]any{"domain": "acme.com"}}
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{250, 2000} {
		b.Run(fmt.Sprintf("people=%d", n), func(b *testing.B) {
			people := randomAccountPeople(rand.New(rand.NewSource(3)), n)
			var took [2]time.Duration
			ops := 0
			for i := 0; b.Loop(); i++ {
				for k := range 2 {
					which := (i + k) % 2
					r := []*scoring.AccountScorer{s, full}[which]
					start := time.Now()
					if _, found, _, err := r.SalesReadyMoment(context.Background(), acc, people, "created_at", asOf); err != nil || found {
						b.Fatalf("found %v, err %v: the stage should be out of reach", found, err)
					}
					took[which] += time.Since(start)
				}
				ops++
			}
			b.ReportMetric(float64(took[0].Nanoseconds())/float64(ops), "kept-ns/op")
			b.ReportMetric(float64(took[1].Nanoseconds())/float64(ops), "full-ns/op")
			b.ReportMetric(float64(took[1])/float64(took[0]), "full/kept")
		})
	}
}
