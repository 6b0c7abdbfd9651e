package backtest_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/scoring"
)

func bundled(name string) string { return filepath.Join("..", "testdata", name) }

// TestAUCAgainstPairCount checks the O(n log n) AUC against counting every
// (positive, negative) pair, on random scores with many ties.
func TestAUCAgainstPairCount(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(60)
		scores, pos := make([]float64, n), make([]bool, n)
		for i := range scores {
			scores[i] = float64(r.IntN(8)) // few values: many ties
			if trial%2 == 0 {
				scores[i] += r.Float64()
			}
			pos[i] = r.IntN(3) == 0
		}
		var pairs, wins float64
		for i := range scores {
			for j := range scores {
				if !pos[i] || pos[j] {
					continue
				}
				pairs++
				switch {
				case scores[i] > scores[j]:
					wins++
				case scores[i] == scores[j]:
					wins += 0.5
				}
			}
		}
		got := backtest.AUC(scores, pos)
		if pairs == 0 {
			assert.Nil(t, got, "no pairs, no AUC")
			continue
		}
		require.NotNil(t, got)
		assert.InDelta(t, wins/pairs, *got, 1e-12)
	}
}

// bundledRun backtests the bundled example with MinWon 10: its 13 won
// deals fitted on are under the default minimum, and the tests that use
// it check the fitting itself.
func bundledRun(t *testing.T, leads []scoring.Lead, outcomes map[string]attribution.Outcome, suggest bool) (*backtest.Report, []byte) {
	return bundledRunMin(t, leads, outcomes, suggest, 10)
}

// bundledRunMin is bundledRun with a minimum of won deals (0: the default).
func bundledRunMin(t *testing.T, leads []scoring.Lead, outcomes map[string]attribution.Outcome, suggest bool, minWon int) (*backtest.Report, []byte) {
	t.Helper()
	s := scorerOf(t, bundled("b2b-saas.yaml"))
	opts := backtest.Options{At: day(7, 1), Until: day(10, 1), Capacity: &backtest.Capacity{Leads: 40, Unit: "week"}, Suggest: suggest, MinWon: minWon}
	b, err := backtest.New(s, outcomes, opts)
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, b.Add(l))
	}
	r := b.Report()
	var proposed []byte
	if suggest {
		src, err := os.ReadFile(bundled("b2b-saas.yaml"))
		require.NoError(t, err)
		var sg *backtest.Suggestion
		sg, proposed, err = b.Suggest(context.Background(), bundled("b2b-saas.yaml"), src, nil)
		require.NoError(t, err)
		r.SetSuggestion(sg)
	}
	return r, proposed
}

func jsonOf(t *testing.T, r *backtest.Report) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, r.WriteJSON(&buf))
	return buf.String()
}

// TestOrderAndRepeatDoNotChangeTheReport: the same leads in another order,
// and the same input twice, give the same report to the byte, suggested
// points and proposed file included.
func TestOrderAndRepeatDoNotChangeTheReport(t *testing.T) {
	s := scorerOf(t, bundled("b2b-saas.yaml"))
	leads := readLeads(t, s, bundled("backtest/leads.ndjson"))
	outcomes := readOutcomes(t, bundled("backtest/outcomes.csv"))
	r1, p1 := bundledRun(t, leads, outcomes, true)
	r2, p2 := bundledRun(t, leads, outcomes, true)
	assert.Equal(t, jsonOf(t, r1), jsonOf(t, r2), "same input, same output")
	assert.Equal(t, p1, p2)

	shuffled := append([]scoring.Lead(nil), leads...)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for i := range shuffled { // the order of a lead's events does not matter either
		ev := append([]scoring.Event(nil), shuffled[i].Events...)
		for a, b := 0, len(ev)-1; a < b; a, b = a+1, b-1 {
			ev[a], ev[b] = ev[b], ev[a]
		}
		shuffled[i].Events = ev
	}
	r3, p3 := bundledRun(t, shuffled, outcomes, true)
	assert.Equal(t, jsonOf(t, r1), jsonOf(t, r3), "the order of leads does not change the report")
	assert.Equal(t, p1, p3)
}

// TestNoHindsight: events after T0, and outcomes after T1, added to every
// lead, change nothing the report measures: what the model saw at T0 is
// the same, and so are the labels. (Outcomes after T1 are counted as
// WonAfterUntil, and nothing else.) An outcome between T0 and T1 does
// change the labels, as it should.
func TestNoHindsight(t *testing.T) {
	s := scorerOf(t, bundled("b2b-saas.yaml"))
	leads := readLeads(t, s, bundled("backtest/leads.ndjson"))
	outcomes := readOutcomes(t, bundled("backtest/outcomes.csv"))
	base, _ := bundledRun(t, leads, outcomes, false)

	t0, t1 := day(7, 1), day(10, 1)
	r := rand.New(rand.NewPCG(3, 4))
	later := make([]scoring.Lead, len(leads))
	types := []string{"demo_request", "trial_signup", "page_view", "webinar_attended", "email_click"}
	for i, l := range leads {
		l.Events = append([]scoring.Event(nil), l.Events...)
		for k := 0; k < 3; k++ {
			at := t0.Add(time.Duration(1+r.IntN(90*24)) * time.Hour)
			l.Events = append(l.Events, scoring.Event{Type: types[r.IntN(len(types))], At: at,
				Fields: map[string]any{"url": "/pricing", "minutes": 45.0, "campaign": "late", "channel": "email"}})
		}
		later[i] = l
	}
	withLater, _ := bundledRun(t, later, outcomes, false)
	assert.Equal(t, jsonOf(t, base), jsonOf(t, withLater), "events after T0 change nothing")

	more := map[string]attribution.Outcome{}
	for id, o := range outcomes {
		more[id] = o
	}
	added := 0
	for _, l := range leads {
		created, _ := time.Parse(time.RFC3339, l.Fields.(map[string]any)["created_at"].(string))
		if _, ok := more[l.ID]; !ok && created.Before(t0) && r.IntN(4) == 0 { // a lead of the backtest
			opp := t1.Add(time.Duration(1+r.IntN(100)) * 24 * time.Hour)
			more[l.ID] = attribution.Outcome{Opportunity: opp, Won: opp.Add(30 * 24 * time.Hour), Revenue: 1e6}
			added++
		}
	}
	require.Greater(t, added, 100)
	withLaterWins, _ := bundledRun(t, leads, more, false)
	assert.Equal(t, base.WonAfterUntil+added, withLaterWins.WonAfterUntil)
	withLaterWins.WonAfterUntil = base.WonAfterUntil
	withLaterWins.Notes = base.Notes
	assert.Equal(t, jsonOf(t, base), jsonOf(t, withLaterWins), "outcomes after T1 change nothing but the count of later wins")

	// The check has teeth: the same wins inside (T0, T1] change the report.
	inside := map[string]attribution.Outcome{}
	for id, o := range more {
		if o.Revenue == 1e6 {
			o.Opportunity, o.Won = t0.Add(24*time.Hour), t0.Add(48*time.Hour)
		}
		inside[id] = o
	}
	withWins, _ := bundledRun(t, leads, inside, false)
	assert.Equal(t, base.Won+added, withWins.Won)
}

// TestKnownPropensity: leads generated with a known chance of winning that
// depends on the traits three rules read (decision maker, target industry,
// a recent demo request) and on nothing else. The backtest ranks those
// rules above the uninformative ones, and the suggested points order them
// the same way.
func TestKnownPropensity(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and scores 12,000 leads")
	}
	s := scorerOf(t, bundled("b2b-saas.yaml"))
	leads, outcomes := knownLeads(t, s, 12000)
	b, err := backtest.New(s, outcomes, backtest.Options{At: leadgenBase, Suggest: true})
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, b.Add(l))
	}
	r := b.Report()
	src, err := os.ReadFile(bundled("b2b-saas.yaml"))
	require.NoError(t, err)
	sug, _, err := b.Suggest(context.Background(), bundled("b2b-saas.yaml"), src, nil)
	require.NoError(t, err)

	informative := []string{"fit.decision-maker", "fit.industry", "engagement.demo-request"}
	uninformative := []string{"fit.target-country", "fit.uses-crm", "engagement.email-click", "engagement.content", "engagement.webinar", "engagement.pricing-page"}
	iv := map[string]float64{}
	for _, s := range r.Rules {
		if s.IV != nil {
			iv[s.Rule] = *s.IV
		}
	}
	points := map[string]float64{}
	for _, p := range sug.Rules {
		points[p.Rule] = p.Suggested
	}
	t.Logf("won %d of %d; IV %v; suggested %v", r.Won, r.Leads.InBacktest, iv, points)
	for _, good := range informative {
		for _, bad := range uninformative {
			assert.Greater(t, iv[good], iv[bad], "IV of %s over %s", good, bad)
			assert.Greater(t, points[good], points[bad], "suggested points of %s over %s", good, bad)
		}
		assert.NotEqual(t, "no signal", signalOf(r, good))
	}
	for _, bad := range uninformative {
		assert.Less(t, iv[bad], 0.02, "%s carries no signal by construction", bad)
	}
}

func signalOf(r *backtest.Report, id string) string {
	for _, s := range r.Rules {
		if s.Rule == id {
			return s.Signal
		}
	}
	return ""
}
