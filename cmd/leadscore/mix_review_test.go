package main

import (
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The hostile review's daily run (issue 34): sales-ready leads from the
// bundled leads, spread costs; the fit is warned of (implausible_baseline,
// poor_fit), and with seed 5 the reallocation's effect interval is
// widened to reach its estimate.
func reviewDailyArgs(extra ...string) []string {
	return append([]string{"mix", "--period", "day", "--costs", td("mix/costs-2026.csv"), "--kpi-from", "sales-ready",
		"--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-12T00:00:00Z", "--kpi-value", "2000",
		"--bootstrap", "20", "--seed", "5"}, extra...)
}

// Finding 1: the CSV (the decomposition only) has no room for the
// warnings, so they go to stderr in every format, with the withheld
// verdicts said.
func TestMixReviewCSVWarnsOnStderr(t *testing.T) {
	code, out, errOut := leadscore(t, "", reviewDailyArgs("--format", "csv")...)
	require.Equal(t, exitOK, code, errOut)
	assert.True(t, strings.HasPrefix(out, "day,kpi,fitted,baseline,"), out[:40])
	assert.Contains(t, errOut, "leadscore mix: warning (implausible_baseline): the baseline is -")
	assert.Contains(t, errOut, "leadscore mix: warning (poor_fit): ")
	assert.Contains(t, errOut, "leadscore mix: every verdict is withheld (implausible_baseline)")
	assert.NotContains(t, out, "warning")
	// The bundled weekly example has no warning: its stderr is unchanged
	// (TestMixGolden holds it byte for byte).
}

// Findings 3 and 4: a withheld reallocation says so before its table and
// at its effect, in JSON (recommended: false) and on the HTML page's
// first screen; the effect's widened interval is marked in every format.
func TestMixReviewReallocationWithheldAndWidened(t *testing.T) {
	// The review's data by week: by day the effect's interval is no
	// longer widened since the channels' penalty was relaxed (mix's
	// channelRidge); by week, seed 5, it is.
	reviewArgs := func(extra ...string) []string {
		a := reviewDailyArgs(extra...)
		require.Equal(t, "day", a[2])
		a[2] = "week"
		return a
	}
	code, out, errOut := leadscore(t, "", reviewArgs()...)
	require.Equal(t, exitOK, code, errOut)
	sec := out[strings.Index(out, "\nReallocation:"):]
	not, table, effect := strings.Index(sec, "Not a recommendation"), strings.Index(sec, "channel      current"), strings.Index(sec, "expected effect")
	require.True(t, not > 0 && table > 0 && effect > 0, sec)
	assert.Less(t, not, table, "the withholding comes before the proposed split")
	eff := sec[effect : effect+strings.Index(sec[effect:], "\n")]
	assert.Contains(t, eff, "†", eff)
	assert.Contains(t, eff, "withheld (not a recommendation)")
	assert.Contains(t, sec, "† the refits' 2.5% to 97.5% range left the estimate out")

	code, out, errOut = leadscore(t, "", reviewArgs("--format", "markdown")...)
	require.Equal(t, exitOK, code, errOut)
	sec = out[strings.Index(out, "## Reallocation"):]
	assert.Less(t, strings.Index(sec, "Not a recommendation"), strings.Index(sec, "| channel | current |"))
	assert.Contains(t, sec, "†")

	code, out, errOut = leadscore(t, "", reviewArgs("--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		Reallocation struct {
			Effect      map[string]any `json:"effect"`
			Withheld    string         `json:"withheld"`
			Recommended *bool          `json:"recommended"`
		} `json:"reallocation"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.NotNil(t, doc.Reallocation.Recommended)
	assert.False(t, *doc.Reallocation.Recommended)
	assert.NotEmpty(t, doc.Reallocation.Withheld)
	assert.Equal(t, true, doc.Reallocation.Effect["widened"])

	code, out, errOut = leadscore(t, "", reviewArgs("--format", "html")...)
	require.Equal(t, exitOK, code, errOut)
	first := out[:strings.Index(out, `id="channels"`)]
	assert.Contains(t, first, "Reallocation: withheld")
	assert.Contains(t, first, "Not a recommendation: ")
	assert.NotContains(t, first, "Reallocation&#39;s expected effect")
	assert.Contains(t, first, "†")
}

// A recommended split says recommended: true.
func TestMixReviewWeeklyJSONKeys(t *testing.T) {
	code, out, errOut := leadscore(t, "", append(mixArgs, "--format", "json", "--bootstrap", "20")...)
	require.Equal(t, exitOK, code, errOut)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	re := doc["reallocation"].(map[string]any)
	assert.Equal(t, re["withheld"] == nil, re["recommended"], "recommended is the opposite of withheld")
}

// Finding 6: under poor_fit, the comparison with attribution and the
// calibration's agreement are withheld, not marked as disagreeing.
func TestMixReviewPoorFitWithholdsComparisons(t *testing.T) {
	args := []string{"mix", "--spend", td("mix/spend.csv"), "--kpi", td("mix/review/kpi-noise.csv"), "--lift-tests", td("mix/lifts.csv"),
		"--attribution", td("mix/attribution.json"), "--attribution-from", "2025-01-06", "--attribution-until", "2025-11-30", "--bootstrap", "20"}
	code, out, errOut := leadscore(t, "", args...)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "(poor_fit")
	beside := out[strings.Index(out, "Beside attribution"):]
	beside = beside[:strings.Index(beside, "Attribution intervals")]
	assert.NotContains(t, beside, " *", beside)
	assert.Contains(t, beside, " ?")
	cal := out[strings.Index(out, "Calibration with lift tests"):strings.Index(out, "Calibration's effect")]
	assert.NotContains(t, cal, "no, ")
	assert.NotContains(t, cal, "yes, ")
	assert.Contains(t, cal, "withheld")

	code, out, errOut = leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		Comparison []struct {
			Disagrees []string `json:"disagrees"`
			ByModel   []struct {
				Disagrees *bool  `json:"disagrees"`
				Withheld  string `json:"withheld"`
			} `json:"by_model"`
		} `json:"comparison"`
		Calibration []struct {
			AgreesBefore *bool  `json:"agrees_before"`
			AgreesAfter  *bool  `json:"agrees_after"`
			Withheld     string `json:"agreement_withheld"`
		} `json:"calibration"`
		Warnings []struct {
			Kind string `json:"kind"`
		} `json:"warnings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.NotEmpty(t, doc.Comparison)
	for _, c := range doc.Comparison {
		assert.Empty(t, c.Disagrees)
		for _, m := range c.ByModel {
			assert.Nil(t, m.Disagrees, "a withheld verdict is null, not false (an agreement)")
			assert.Contains(t, m.Withheld, "poor_fit")
		}
	}
	// The lift tests' agreement is withheld in the JSON and the warnings
	// too, not only in the table (final review): no disagreement verdict.
	require.NotEmpty(t, doc.Calibration)
	for _, c := range doc.Calibration {
		assert.Contains(t, c.Withheld, "poor_fit")
		assert.Nil(t, c.AgreesBefore, "a withheld verdict is null, not false (a disagreement)")
		assert.Nil(t, c.AgreesAfter)
	}
	for _, w := range doc.Warnings {
		assert.NotContains(t, w.Kind, "lift_test", "no verdict on a lift test under a bad fit")
	}
	assert.NotContains(t, errOut, "lift_test_disagrees")

	code, out, errOut = leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "Agreement withheld")
}

// Finding 5: a true baseline of 0 (zerobase-truth.json: tv ROAS 1.5,
// search 2.5, no baseline) fitted near 0 is no implausible baseline: no
// verdict is withheld for the baseline, and the intervals hold the truth.
// (Since the decays are refined, tv's decay is read as 0.3 and its
// interval, 0.708 to 2.05 at 50 refits, is wider than its estimate, so
// its verdict is withheld for that; search "pays back".)
func TestMixReviewBaselineNearZero(t *testing.T) {
	code, out, errOut := leadscore(t, "", "mix", "--spend", td("mix/review/zerobase-spend.csv"), "--kpi", td("mix/review/zerobase-kpi.csv"), "--bootstrap", "50")
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, errOut, "implausible_baseline")
	assert.NotContains(t, out, "baseline share is outside")
	assert.Contains(t, out, "pays back")
	code, out, errOut = leadscore(t, "", "mix", "--spend", td("mix/review/zerobase-spend.csv"), "--kpi", td("mix/review/zerobase-kpi.csv"), "--bootstrap", "50", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		Channels []struct {
			Name string
			ROAS struct{ Low, High float64 }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	truth := map[string]float64{"tv": 1.5, "search": 2.5}
	require.Len(t, doc.Channels, 2)
	for _, c := range doc.Channels {
		assert.True(t, c.ROAS.Low <= truth[c.Name] && truth[c.Name] <= c.ROAS.High, "%s: %v", c.Name, c.ROAS)
	}
}

// Finding 7: a daily file with a hole is told its days are missing, not
// sent to --period week (which sent it back to --period day); a file of
// weeks with one stray day is not sent to --period day.
func TestMixReviewHoleIsMissingDays(t *testing.T) {
	code, _, errOut := leadscore(t, "", "mix", "--period", "day", "--spend", td("mix/daily/spend.csv"), "--kpi", td("mix/review/l_daily_hole.csv"), "--bootstrap", "20")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "l_daily_hole.csv:101: cannot fit the model: days 2023-04-10 and 2023-04-17 are 7 days apart; days must follow each other 1 day apart with none missing: 6 days are missing, 2023-04-11 to 2023-04-16; give their rows")
	assert.NotContains(t, errOut, "--period week")
	code, _, errOut = leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi", td("mix/review/c_kpi_mixed.csv"), "--bootstrap", "20")
	assert.NotEqual(t, exitOK, code)
	assert.NotContains(t, errOut, "--period day")
}

// Finding 8: a tie between gaps (one of 7 days, one of 1) finds no
// period, rather than calling the file daily by "most of its dates"; a
// mistyped year is counted in calendar days (2025-12-15 to 2504-01-01 is
// 174,602 days), not the 106,751 a saturated duration gave.
func TestMixReviewDateMessages(t *testing.T) {
	_, _, errOut := leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi", td("mix/review/e_kpi3.csv"))
	assert.NotContains(t, errOut, "most of its dates are")
	assert.Contains(t, errOut, "3 weeks of data")
	_, _, errOut = leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi", td("mix/review/i_kpi_year.csv"))
	assert.Contains(t, errOut, "i_kpi_year.csv:157: cannot fit the model: weeks 2025-12-15 and 2504-01-01 are 174602 days apart")
}

// Finding 12: the help says the daily folds' length as the fit chooses
// it (31 days on the review's 251 days, 91 on two years), and that --kpi
// takes a date column in weekly runs.
func TestMixReviewHelp(t *testing.T) {
	_, _, errOut := leadscore(t, "", "mix", "-h")
	assert.NotContains(t, errOut, "folds\nare 91 days")
	assert.Contains(t, errOut, "an eighth of the days (28 to 91 days")
	assert.Contains(t, errOut, "CSV with week (or date, found weekly or daily by its dates")
}

// Finding 10: the guide's figure for a noise KPI on the bundled spend
// (docs/guide/mix.md, poor_fit) is this run's in-sample R², 0.056 (0.055 before the channels' penalty was relaxed).
func TestMixReviewNoiseR2(t *testing.T) {
	code, out, errOut := leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi", td("mix/review/kpi-noise.csv"), "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		InSample struct {
			R2 float64 `json:"r2"`
		} `json:"in_sample"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.InDelta(t, 0.056, doc.InSample.R2, 0.0005)
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guide", "mix.md"))
	require.NoError(t, err)
	assert.Contains(t, strings.Join(strings.Fields(string(guide)), " "), "and 0.056 on the bundled spend with a noise KPI")
}

// Finding 9: the guide's table beside Robyn's one-pager holds each
// channel's ROAS and interval as the guide's command prints them.
func TestMixReviewRobynTableIsTheOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("200 refits")
	}
	code, out, errOut := leadscore(t, "", "mix", "--spend", td("mix/robyn/spend.csv"), "--kpi", td("mix/robyn/kpi.csv"), "--controls", td("mix/robyn/controls.csv"), "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		Channels []struct {
			Name string
			ROAS struct{ Value, Low, High float64 }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guide", "mix.md"))
	require.NoError(t, err)
	require.Len(t, doc.Channels, 5)
	for _, c := range doc.Channels {
		cell := sig(c.ROAS.Value) + " (" + sig(c.ROAS.Low) + " to " + sig(c.ROAS.High) + ")"
		if c.ROAS.Value < 1 {
			cell = strconv.FormatFloat(c.ROAS.Value, 'f', 2, 64) + " (" + sig(c.ROAS.Low) + " to " + sig(c.ROAS.High) + ")"
		}
		assert.Contains(t, string(guide), "| "+cell+", ", "%s: paste the guide's Robyn row from the output", c.Name)
	}
}

// A ridge penalty at the top of its steps (testdata/mix/review/edge-*: a
// KPI of noise, the search walks past the grid to 24.3) is warned of in
// every format and withholds every verdict: the channels' reasons on the
// text report's first screen, the JSON's warnings, the HTML page's first
// screen, and stderr under --format csv.
func TestMixPenaltyAtEdge(t *testing.T) {
	args := []string{"mix", "--spend", td("mix/review/edge-spend.csv"), "--kpi", td("mix/review/edge-kpi.csv"), "--bootstrap", "20"}
	const reason = "no verdict: the ridge penalty is at the largest the search allows (see the warning)"
	code, out, errOut := leadscore(t, "", args...)
	require.Equal(t, exitOK, code, errOut)
	first := out[:strings.Index(out, "\nCarry-over and saturation")]
	for _, ch := range []string{"search", "tv"} {
		assert.Contains(t, first, "  "+ch+": "+reason+"\n")
	}
	assert.Contains(t, out, "the ridge penalty is 24.3, the largest the search allows")
	assert.Contains(t, errOut, "leadscore mix: warning (penalty_at_edge): the ridge penalty is 24.3")
	assert.Contains(t, out, "Not a recommendation: ")

	code, out, errOut = leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		Lambda   float64 `json:"ridge_lambda"`
		Warnings []struct {
			Kind string `json:"kind"`
		} `json:"warnings"`
		Channels []struct {
			Verdict string `json:"verdict"`
		} `json:"channels"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 24.3, doc.Lambda)
	require.NotEmpty(t, doc.Warnings)
	assert.Equal(t, "penalty_at_edge", doc.Warnings[0].Kind)
	for _, c := range doc.Channels {
		assert.Equal(t, "withheld", c.Verdict)
	}

	code, out, errOut = leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, html.UnescapeString(out[:strings.Index(out, `id="channels"`)]), "the ridge penalty is 24.3, the largest the search allows")

	code, out, errOut = leadscore(t, "", append(args, "--format", "csv")...)
	require.Equal(t, exitOK, code, errOut)
	assert.True(t, strings.HasPrefix(out, "week,kpi,fitted,baseline,"))
	assert.Contains(t, errOut, "leadscore mix: every verdict is withheld (penalty_at_edge)")
}
