package backtest_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring"
)

// truthModel is testdata/backtest/truth/truth.yaml: one rule for each
// trait leadgen.Truth draws, whose effect on winning is known (see the
// file's header).
var truthModel = func() string {
	b, err := os.ReadFile(bundled("backtest/truth/truth.yaml"))
	if err != nil {
		panic(err)
	}
	return string(b)
}()

var truthT0 = leadgen.TruthT0

// truthLeads draws n leads of the known-truth set and their outcomes.
func truthLeads(seed uint64, n int) ([]scoring.Lead, map[string]attribution.Outcome) {
	var leads []scoring.Lead
	outcomes := map[string]attribution.Outcome{}
	for _, l := range leadgen.Truth(seed, n) {
		var events []scoring.Event
		for _, v := range l.Visits {
			events = append(events, scoring.Event{Type: "visit", At: v})
		}
		leads = append(leads, scoring.Lead{ID: l.ID, Events: events, Fields: map[string]any{
			"a": l.A, "b": l.B, "c": l.C, "d": l.D, "e": l.E, "f": l.F, "created_at": l.Created.Format(time.RFC3339)}})
		if !l.Won.IsZero() {
			outcomes[l.ID] = attribution.Outcome{Opportunity: l.Opportunity, Won: l.Won, Revenue: 1000}
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
	// The bundled files are leadgen.Truth(1, 8000), as testdata/gen writes them.
	file := bundled("backtest/truth/truth.yaml")
	s := scorerOf(t, file)
	leads, outcomes := readLeads(t, s, bundled("backtest/truth/leads.ndjson")), readOutcomes(t, bundled("backtest/truth/outcomes.csv"))
	var wantLeads, wantOutcomes bytes.Buffer
	require.NoError(t, leadgen.WriteTruth(&wantLeads, &wantOutcomes, leadgen.Truth(1, 8000)))
	for name, want := range map[string]*bytes.Buffer{"leads.ndjson": &wantLeads, "outcomes.csv": &wantOutcomes} {
		got, err := os.ReadFile(bundled("backtest/truth/" + name))
		require.NoError(t, err)
		require.True(t, bytes.Equal(want.Bytes(), got), "testdata/backtest/truth/%s is not leadgen.Truth(1, 8000); regenerate it: go run ./testdata/gen -truth testdata/backtest/truth -n 8000", name)
	}
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
	// One scale, chosen to keep the hand-offs a week (within what whole
	// points allow).
	require.NotNil(t, sg.HandoffsPerWeek)
	assert.InEpsilon(t, *sg.HandoffsPerWeek, *sg.SuggestedHandoffsPerWeek, backtest.MaxVolumeChange)

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
