package backtest_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// truthModel reads the traits truthLeads draws, one rule each, so that the
// truth of every rule is known: fit.pred raises the odds of winning
// (+1.0 log-odds), fit.anti lowers them (−0.8) though its points are
// positive, fit.noise and fit.neighbour do nothing (fit.neighbour agrees
// with fit.pred's trait on 85% of leads), fit.rare raises them but fires on
// 0.3% of leads, fit.leak is filled in after the sale (on 95% of won leads
// and 1% of the rest), and engagement.visit counts visits with a 30-day
// half-life, as the truth weighs them (+0.8 log-odds a fresh visit).
const truthModel = `leadscore: 1
model: truth
fields: {a: bool, b: bool, c: bool, d: bool, e: bool, f: bool, created_at: time}
event_types: [visit]
scores:
  fit: {}
  engagement: {}
rules:
  - {id: fit.pred, score: fit, when: a, points: 20}
  - {id: fit.anti, score: fit, when: b, points: 15}
  - {id: fit.noise, score: fit, when: c, points: 10}
  - {id: fit.neighbour, score: fit, when: d, points: 10}
  - {id: fit.rare, score: fit, when: e, points: 25}
  - {id: fit.leak, score: fit, when: f, points: 5}
  - {id: engagement.visit, score: engagement, event: visit, points: 10, decay: {half_life: 30d}}
stages:
  - {id: sql, sales_ready: true, when: fit + engagement >= 45}
`

var truthT0 = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

// truthLeads draws n leads created in the 180 days before truthT0 and
// their outcomes (won in the 90 days after it) from the known propensity.
func truthLeads(seed uint64, n int) ([]scoring.Lead, map[string]attribution.Outcome) {
	r := rand.New(rand.NewPCG(seed, 7))
	day := 24 * time.Hour
	var leads []scoring.Lead
	outcomes := map[string]attribution.Outcome{}
	for i := 0; i < n; i++ {
		created := truthT0.Add(-time.Duration(r.Float64() * float64(180*day)))
		a := r.Float64() < 0.4
		d := r.Float64() < 0.15
		if a {
			d = r.Float64() < 0.85
		}
		fields := map[string]any{"a": a, "b": r.Float64() < 0.3, "c": r.Float64() < 0.5, "d": d, "e": r.Float64() < 0.003,
			"created_at": created.Format(time.RFC3339)}
		z := -2.6
		if a {
			z += 1.0
		}
		if fields["b"].(bool) {
			z -= 0.8
		}
		if fields["e"].(bool) {
			z += 1.0
		}
		var events []scoring.Event
		for k := r.IntN(5); k > 0; k-- {
			at := created.Add(time.Duration(r.Float64() * float64(truthT0.Sub(created))))
			events = append(events, scoring.Event{Type: "visit", At: at})
			z += 0.8 * math.Pow(0.5, float64(truthT0.Sub(at))/float64(30*day))
		}
		won := r.Float64() < 1/(1+math.Exp(-z))
		leak := r.Float64() < 0.01
		if won {
			leak = r.Float64() < 0.95
		}
		fields["f"] = leak
		id := fmt.Sprintf("T%05d", i)
		leads = append(leads, scoring.Lead{ID: id, Fields: fields, Events: events})
		if won {
			at := truthT0.Add(time.Duration(1+r.IntN(89)) * day)
			opp := at.Add(-5 * day)
			if !opp.After(truthT0) {
				opp = truthT0.Add(12 * time.Hour)
			}
			outcomes[id] = attribution.Outcome{Opportunity: opp, Won: at, Revenue: 1000}
		}
	}
	return leads, outcomes
}

// TestVerdictsComeOutAsTheTruthSays: on leads drawn from a known
// propensity, each rule gets the verdict its construction calls for, the
// suggestion fixes the rule whose points push the wrong way and is adopted,
// and the same data cut to a few won deals withholds every conclusion.
func TestVerdictsComeOutAsTheTruthSays(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 8,000 generated leads")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "truth.yaml")
	require.NoError(t, os.WriteFile(file, []byte(truthModel), 0o644))
	m, err := rules.CompileFile(file)
	require.NoError(t, err)
	s := scoring.New(m)
	leads, outcomes := truthLeads(1, 8000)
	b, err := backtest.New(s, outcomes, backtest.Options{At: truthT0, Suggest: true})
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, b.Add(l))
	}
	r := b.Report()
	verdicts := map[string]string{}
	for _, rs := range r.Rules {
		verdicts[rs.Rule] = rs.Verdict
		t.Logf("%-17s %-17s %s", rs.Rule, rs.Verdict, rs.Why)
	}
	// A rare rule with a real effect may be found predictive on a lucky
	// draw; it must never be called anything else.
	assert.Contains(t, []string{backtest.TooLittleData, backtest.Predictive}, verdicts["fit.rare"])
	delete(verdicts, "fit.rare")
	assert.Equal(t, map[string]string{
		"fit.pred":         backtest.Predictive,
		"fit.anti":         backtest.AntiPredictive,
		"fit.noise":        backtest.NoEvidence,
		"fit.neighbour":    backtest.NoEvidence,
		"fit.leak":         backtest.LeakageSuspected,
		"engagement.visit": backtest.Predictive,
	}, verdicts, "won %d of %d", r.Won, r.Leads.InBacktest)
	for _, rs := range r.Rules {
		switch rs.Rule {
		case "fit.neighbour":
			// Alone it looks like a signal; the joint fit names its neighbour.
			require.NotNil(t, rs.OneAtATime)
			assert.Greater(t, rs.OneAtATime.Low, 0.0, "alone, fit.neighbour carries fit.pred's signal")
			assert.Contains(t, rs.Why, "fit.pred")
		case "fit.pred", "fit.anti", "engagement.visit":
			want := map[string]float64{"fit.pred": 1.0, "fit.anti": -0.8, "engagement.visit": 0.8}[rs.Rule]
			require.NotNil(t, rs.Joint)
			assert.True(t, rs.Joint.Low <= want && want <= rs.Joint.High, "%s: the joint interval %.2f to %.2f covers the truth %.2f", rs.Rule, rs.Joint.Low, rs.Joint.High, want)
		}
	}

	src, err := os.ReadFile(file)
	require.NoError(t, err)
	sg, proposed, err := b.Suggest(context.Background(), file, src, nil)
	require.NoError(t, err)
	pts := map[string]backtest.Points{}
	for _, p := range sg.Rules {
		pts[p.Rule] = p
	}
	t.Logf("decision %s: %s; scale %.1f; %+v", sg.Decision, sg.Why, *sg.Scale, sg.Rules)
	assert.Equal(t, backtest.Adopt, sg.Decision, sg.Why)
	assert.Less(t, pts["fit.anti"].Suggested, 0.0, "the rule whose points push the wrong way is turned round")
	assert.Greater(t, pts["fit.pred"].Suggested, 0.0)
	assert.NotEqual(t, string(src), string(proposed))
	// One scale: the volume of sales-ready training leads is kept (within
	// what whole points allow).
	assert.InDelta(t, sg.TrainSalesReady, sg.SuggestedTrainSalesReady, 0.1*float64(sg.TrainSalesReady)+2)

	// The same leads with only the first 5 won deals kept as won: every
	// conclusion is withheld, and says how many more outcomes it needs.
	few := map[string]attribution.Outcome{}
	kept := 0
	for _, l := range leads {
		if o, ok := outcomes[l.ID]; ok && kept < 5 {
			few[l.ID] = o
			kept++
		}
	}
	b5, err := backtest.New(s, few, backtest.Options{At: truthT0, Suggest: true})
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, b5.Add(l))
	}
	r5 := b5.Report()
	assert.Equal(t, 5, r5.Won)
	for _, rs := range r5.Rules {
		assert.Equal(t, backtest.TooLittleData, rs.Verdict, rs.Rule)
	}
	assert.Nil(t, r5.Calibration)
	require.NotEmpty(t, r5.Warnings)
	assert.Contains(t, r5.Warnings[0], "15 won deals more")
	sg5, text, err := b5.Suggest(context.Background(), file, src, nil)
	require.NoError(t, err)
	assert.Equal(t, backtest.Inconclusive, sg5.Decision)
	assert.NotEmpty(t, sg5.Withheld)
	assert.Equal(t, string(src), string(text), "a withheld suggestion proposes no change")
}
