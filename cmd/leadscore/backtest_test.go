package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// copyModel copies the bundled model and the file it includes to a
// temporary directory, so that a proposal can be written beside it.
func copyModel(t *testing.T) string {
	dir := t.TempDir()
	for _, name := range []string{"b2b-saas.yaml", filepath.Join("common", "lists.yaml")} {
		b, err := os.ReadFile(td(name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return filepath.Join(dir, "b2b-saas.yaml")
}

func TestBacktestBundled(t *testing.T) {
	model := copyModel(t)
	proposed := filepath.Join(filepath.Dir(model), "proposed.yaml")
	leads := td(filepath.Join("backtest", "leads.ndjson"))
	code, md, errOut := leadscore(t, "", "backtest", "--model", model, "--outcomes", td(filepath.Join("backtest", "outcomes.csv")),
		"--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week", "--suggest", "-o", proposed, "--format", "markdown", leads)
	require.Equal(t, exitOK, code, errOut)
	golden, err := os.ReadFile(td(filepath.Join("golden", "backtest.md")))
	require.NoError(t, err)
	assert.Equal(t, string(golden), md, "the same report as the backtest package's")
	// 13 won deals to fit on, under the default minimum of 20: withheld, not written.
	assert.Equal(t, "3000 lead rows read: 0 failed, 3000 used = 1818 in the backtest + 1097 not created by T0 + 52 won or lost by T0 + 33 open opportunities at T0\n"+
		proposed+" not written: suggested points withheld: the leads fitted on (the first 1212 created) have 13 won deals; fitting points needs at least 20 (--min-won), about 7 won deals more would let it speak\n", errOut)
	assert.NoFileExists(t, proposed)

	// With a lower minimum the points are fitted and the file written;
	// the proposal goes through the ordinary review.
	code, md, errOut = leadscore(t, "", "backtest", "--model", model, "--outcomes", td(filepath.Join("backtest", "outcomes.csv")),
		"--at", "2026-07-01", "--until", "2026-10-01", "--suggest", "-o", proposed, "--min-won", "10", "--format", "markdown", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "wrote "+proposed+": only points differ from "+model)
	assert.Contains(t, md, "Decision: ")
	code, _, errOut = leadscore(t, "", "diff", model, proposed, "--leads", leads, "--at", "2026-07-01")
	require.Equal(t, exitOK, code, errOut)

	// Where no temporary file can be made for the leads' traces, the
	// suggestion reads the leads again, says so, and comes out the same.
	want, err := os.ReadFile(proposed)
	require.NoError(t, err)
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "no-such-dir"))
	again := filepath.Join(filepath.Dir(model), "again.yaml")
	code, md2, errOut := leadscore(t, "", "backtest", "--model", model, "--outcomes", td(filepath.Join("backtest", "outcomes.csv")),
		"--at", "2026-07-01", "--until", "2026-10-01", "--suggest", "-o", again, "--min-won", "10", "--format", "markdown", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "leadscore backtest: warning: --suggest: the leads' traces could not all be kept in a temporary file (")
	assert.Contains(t, errOut, "so the suggestion reads again the leads whose traces it lacks: the same result, more slowly; set TMPDIR to a directory with room to write\n")
	assert.Equal(t, md, strings.ReplaceAll(md2, "again.yaml", "proposed.yaml"))
	got, err := os.ReadFile(again)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	code, out, _ := leadscore(t, "", "backtest", "--model", model, "--outcomes", td(filepath.Join("backtest", "outcomes.csv")),
		"--at", "2026-07-01", "--until", "2026-10-01", "--format", "json", leads)
	require.Equal(t, exitOK, code)
	var j map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	assert.IsType(t, 0.0, j["auc"])
	sr := j["sales_ready"].(map[string]any)
	for _, k := range []string{"leads", "won", "precision", "recall"} {
		assert.IsType(t, 0.0, sr[k], k)
	}
}

func TestBacktestBadRowsFailAlone(t *testing.T) {
	dir := t.TempDir()
	outcomes := filepath.Join(dir, "outcomes.csv")
	require.NoError(t, os.WriteFile(outcomes, []byte("lead_id,opportunity,won,revenue,lost\n"+
		"L1,2026-06-05,2026-07-01,1000,\n"+
		"L2,2026-06-20,2026-08-01,500,2026-08-02\n"+
		"L5,,2026-07-15,2000,\n"), 0o644))
	leads := filepath.Join(dir, "leads.ndjson")
	src, err := os.ReadFile(filepath.Join("..", "..", "testdata", "backtest", "small", "leads.ndjson"))
	require.NoError(t, err)
	bad := strings.Replace(string(src), `"title":"Engineer","created_at":"2026-05-13`, `"title":7,"created_at":"2026-05-13`, 1) + "{broken\n" +
		`{"id":"L1","email":"x@acme.io"}` + "\n"
	require.NoError(t, os.WriteFile(leads, []byte(bad), 0o644))
	code, out, errOut := leadscore(t, "", "backtest", "--model", td(filepath.Join("backtest", "small", "tiny.yaml")), "--outcomes", outcomes,
		"--at", "2026-06-01", "--until", "2026-09-01", leads)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, outcomes+":3: both won and lost are filled in; a deal is one or the other, so empty one of them\n"+
		outcomes+": 3 outcome rows: 2 read, 1 failed; a failed row is left out (its lead keeps the outcome of an earlier row of it that was read, and otherwise counts as having none: not won); fix the rows and run again\n"+
		leads+":4: lead L4: title: want text, got the number 7\n"+
		leads+":13: broken JSON at byte 2: invalid character 'b' looking for beginning of object key string\n"+
		leads+":14: lead L1 appears twice; give each lead one row\n"+
		"14 lead rows read: 3 failed, 11 used = 10 in the backtest + 1 not created by T0 + 0 won or lost by T0 + 0 open opportunities at T0\n", errOut)
	assert.Contains(t, out, "In the backtest: 2 won (20.0%)")
}

func TestBacktestUsage(t *testing.T) {
	small := func(name string) string { return td(filepath.Join("backtest", "small", name)) }
	base := []string{"backtest", "--model", small("tiny.yaml"), "--outcomes", small("outcomes.csv")}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{small("leads.ndjson")}, "leadscore backtest: --at is required: the snapshot time T0 every lead is scored at, such as --at 2026-07-01\n"},
		{[]string{"--at", "2026-06-01", "--until", "2026-05-01", small("leads.ndjson")}, "leadscore backtest: the end of the outcome window (--until 2026-05-01T00:00:00Z) must come after the snapshot (--at 2026-06-01T00:00:00Z)\n"},
		{[]string{"--at", "June", small("leads.ndjson")}, `leadscore backtest: --at: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got "June"` + "\n"},
		{[]string{"--at", "2026-06-01", "--capacity", "40", small("leads.ndjson")}, `leadscore backtest: --capacity: want how many leads sales can work, a number above 0 and at most a billion, such as 40/week or 160/month, got "40"` + "\n"},
		{[]string{"--at", "2026-06-01", "--on", "fit", small("leads.ndjson")}, "leadscore backtest: --on and --history go with --capacity, such as --capacity 40/week --on fit\n"},
		{[]string{"--at", "2026-06-01", "--capacity", "5/week", "--on", "fitt", small("leads.ndjson")}, `leadscore backtest: --on fitt: the model has no score category "fitt" to measure the capacity on; did you mean "fit"?` + "\n"},
		{[]string{"--at", "2026-06-01", "--suggest", small("leads.ndjson")}, "leadscore backtest: --suggest needs -o FILE, where to write the proposed rule file\n"},
		{[]string{"--at", "2026-06-01", "--suggest", "-o", small("tiny.yaml"), small("leads.ndjson")}, "leadscore backtest: -o " + small("tiny.yaml") + " is the model itself; write the proposal to another file, and review it with leadscore diff\n"},
		{[]string{"--at", "2026-06-01"}, "leadscore backtest: give the leads file, with their events (NDJSON, or CSV with --events)\n"},
	} {
		code, _, errOut := leadscore(t, "", append(base, c.args...)...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Equal(t, c.want, errOut, c.args)
	}
	code, _, errOut := leadscore(t, "", "backtest", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "Usage: leadscore backtest --model FILE --outcomes FILE --at T0")
	assert.Contains(t, errOut, "Exit status: 0 every row used, 1 some rows failed, 2 the run could not start.")
}

// TestBacktestDrift: with --reference, the JSON report's drift names each
// rule by id, with its counts in both sets and whether it shifted, the
// shifted first; the bundled leads a quarter earlier are the reference.
func TestBacktestDrift(t *testing.T) {
	leads := td(filepath.Join("backtest", "leads.ndjson"))
	args := []string{"backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td(filepath.Join("backtest", "outcomes.csv")),
		"--at", "2026-07-01", "--until", "2026-10-01", "--reference", leads, "--reference-at", "2026-04-01"}
	code, out, errOut := leadscore(t, "", append(args, "--format", "json", leads)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "3000 reference rows read: 0 failed, 746 scored\n")
	var j struct {
		Drift struct {
			Leads      int              `json:"leads"`
			Reference  int              `json:"reference_leads"`
			TotalShift map[string]any   `json:"total_shift"`
			Rules      []map[string]any `json:"rules"`
		} `json:"drift"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	require.NotEmpty(t, j.Drift.Rules)
	assert.Equal(t, 746, j.Drift.Reference)
	assert.IsType(t, 0.0, j.Drift.TotalShift["ks"])
	assert.IsType(t, "", j.Drift.TotalShift["verdict"])
	seenUnshifted := false
	for _, r := range j.Drift.Rules {
		assert.IsType(t, "", r["id"])
		assert.NotContains(t, r, "rule")
		shifted, ok := r["shifted"].(bool)
		require.True(t, ok, r["id"])
		assert.False(t, shifted && seenUnshifted, "%v: the shifted rules come first", r["id"])
		seenUnshifted = seenUnshifted || !shifted
		assert.Equal(t, float64(j.Drift.Leads), r["leads"])
		assert.Equal(t, float64(j.Drift.Reference), r["reference_leads"])
		assert.IsType(t, 0.0, r["fired"])
		assert.IsType(t, 0.0, r["reference_fired"])
	}
	assert.Equal(t, true, j.Drift.Rules[0]["shifted"])

	code, text, errOut := leadscore(t, "", append(args, leads)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Regexp(t, `engagement\.pricing-page +183 of 1903 \(9\.6%\) +23 of 746 \(3\.1%\) +3\.12 \(2\.04 to 4\.77\) +< 0\.001 +yes +rose +0\.077 +stable\n`, text,
		"a rate tripled: shifted, though PSI calls it stable")
}

// TestBacktestStability: --every and --from repeat the backtest at
// snapshots in one pass; the JSON report carries each snapshot's figures,
// the last snapshot is the main backtest, and the flags are checked.
func TestBacktestStability(t *testing.T) {
	leads := td(filepath.Join("backtest", "leads.ndjson"))
	base := []string{"backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td(filepath.Join("backtest", "outcomes.csv")), "--at", "2026-07-01", "--until", "2026-10-01"}
	code, out, errOut := leadscore(t, "", append(base, "--every", "4w", "--from", "2026-04-01", "--format", "json", leads)...)
	require.Equal(t, exitOK, code, errOut)
	var j struct {
		AUC         float64 `json:"auc"`
		AUCInterval struct {
			Low, High float64
		} `json:"auc_interval"`
		SalesReady struct {
			Precision float64 `json:"precision"`
		} `json:"sales_ready"`
		Warnings  []string `json:"warnings"`
		Stability struct {
			Snapshots []map[string]any `json:"snapshots"`
			Reading   string           `json:"reading"`
			AUCTest   map[string]any   `json:"auc_test"`
		} `json:"stability"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	snaps := j.Stability.Snapshots
	require.Len(t, snaps, 5)
	var ats []string
	for _, s := range snaps {
		ats = append(ats, s["at"].(string))
		for _, k := range []string{"until", "leads", "won", "auc", "auc_interval", "sales_ready", "sales_ready_won", "precision", "precision_interval", "recall", "recall_interval", "too_few_won", "cut_short"} {
			assert.Contains(t, s, k)
		}
		iv := s["auc_interval"].(map[string]any)
		assert.IsType(t, 0.0, iv["low"])
		assert.IsType(t, 0.0, iv["high"])
	}
	assert.Equal(t, []string{"2026-04-01T00:00:00Z", "2026-04-29T00:00:00Z", "2026-05-27T00:00:00Z", "2026-06-24T00:00:00Z", "2026-07-01T00:00:00Z"}, ats)
	last := snaps[len(snaps)-1]
	assert.Equal(t, "2026-10-01T00:00:00Z", last["until"])
	assert.Equal(t, j.AUC, last["auc"], "the last snapshot is the main backtest")
	assert.Equal(t, j.SalesReady.Precision, last["precision"])
	assert.Equal(t, "2026-07-02T00:00:00Z", snaps[0]["until"], "every window 92 days, as the main one")
	assert.NotEmpty(t, j.Stability.Reading)
	assert.NotNil(t, j.Stability.AUCTest)
	assert.Contains(t, strings.Join(j.Warnings, "\n"), "Stability over time: the snapshots at 2026-04-01")

	code, text, errOut := leadscore(t, "", append(base, "--every", "4w", "--from", "2026-04-01", leads)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, text, "\nSTABILITY OVER TIME\n")
	assert.Contains(t, text, "\nStability over time, 5 snapshots from 2026-04-01 to 2026-07-01: ")
	assert.Regexp(t, `\n2026-04-01 +2026-07-02 +\d+ +\d+ .*too few won deals\n`, text)
	code, text, _ = leadscore(t, "", append(base, leads)...)
	require.Equal(t, exitOK, code)
	assert.NotContains(t, text, "STABILITY", "no stability table without --every")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--every", "4w"}, "leadscore backtest: --every goes with --from: give the first snapshot, such as --from 2026-04-01 --every 4w\n"},
		{[]string{"--from", "2026-04-01"}, "leadscore backtest: --from goes with --every: give the step between snapshots, such as --from 2026-04-01 --every 4w\n"},
		{[]string{"--every", "0w", "--from", "2026-04-01"}, `leadscore backtest: --every: bad duration "0w": it must be longer than zero` + "\n"},
		{[]string{"--every", "-4w", "--from", "2026-04-01"}, `leadscore backtest: --every: bad duration "-4w": write a number and a unit, like 90d, 12h or 6mo; the units are y (years of 365 days), mo (months of 30 days), w (weeks), d (days), h (hours), min (minutes), s (seconds)` + "\n"},
		{[]string{"--every", "4 weeks", "--from", "2026-04-01"}, `leadscore backtest: --every: bad duration "4 weeks": write the number and its unit together, like 4w; the units are y (years of 365 days), mo (months of 30 days), w (weeks), d (days), h (hours), min (minutes), s (seconds)` + "\n"},
		{[]string{"--every", "4w", "--from", "April"}, `leadscore backtest: --from: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got "April"` + "\n"},
		{[]string{"--every", "4w", "--from", "2026-08-01"}, "leadscore backtest: --from 2026-08-01T00:00:00Z comes after --at 2026-07-01T00:00:00Z: the snapshots run from --from up to --at; choose a --from before --at\n"},
		{[]string{"--every", "1w", "--from", "2025-01-01"}, "leadscore backtest: --from 2025-01-01 --every 1w gives 79 snapshots up to --at, more than 52; choose a longer --every, such as 2w, or a later --from\n"},
	} {
		code, _, errOut := leadscore(t, "", append(append(base, c.args...), leads)...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Equal(t, c.want, errOut, c.args)
	}
}

func TestBacktestHistoryShorterThanAPeriod(t *testing.T) {
	code, _, errOut := leadscore(t, "", "backtest", "--model", td(filepath.Join("backtest", "small", "tiny.yaml")), "--outcomes", td(filepath.Join("backtest", "small", "outcomes.csv")),
		"--at", "2026-06-01", "--capacity", "1/week", "--history", "3d", td(filepath.Join("backtest", "small", "leads.ndjson")))
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore backtest: --history 3d is shorter than one week, the unit of --capacity; measure the flows over whole weeks, such as --history 13w\n", errOut)
}

// The hint backtest prints for reviewing a proposal repeats every input
// the review needs: with CSV leads, their events file; run as printed, it works.
func TestBacktestHintRepeatsItsInputs(t *testing.T) {
	model := copyModel(t)
	proposed := filepath.Join(filepath.Dir(model), "proposed.yaml")
	code, _, errOut := leadscore(t, "", "backtest", "--model", model, "--outcomes", td("outcomes.csv"), "--at", "2026-08-01",
		"--suggest", "-o", proposed, "--min-won", "1", "--events", td("events.csv"), td("leads.csv"))
	require.Equal(t, exitOK, code, errOut)
	_, hint, ok := strings.Cut(strings.TrimSpace(errOut), "review it with: leadscore ")
	require.True(t, ok, errOut)
	assert.Contains(t, hint, "--events "+td("events.csv"))
	code, review, errOut := leadscore(t, "", strings.Fields(hint)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, review, "Sales-ready")
}

// Sales' verdicts add the verdict view; they do not change the history
// before the snapshot: with a file of verdicts on none of these leads (or
// a file with no rows), the capacity curve and its answer are the same as
// without one.
func TestVerdictsLeaveTheCapacityAlone(t *testing.T) {
	args := []string{"backtest", "--model", td("b2b-saas.yaml"), "--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week",
		"--outcomes", td("backtest/outcomes.csv"), "--format", "json", td("backtest/leads.ndjson")}
	capacity := func(extra ...string) string {
		t.Helper()
		code, out, errOut := leadscore(t, "", append(args, extra...)...)
		require.Equal(t, exitOK, code, errOut)
		var r struct {
			Capacity json.RawMessage `json:"capacity"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &r))
		return string(r.Capacity)
	}
	without := capacity()
	require.Contains(t, without, `"threshold": 46`)
	empty := writeTemp(t, "verdicts.csv", "lead_id,at,status,reason\n")
	assert.JSONEq(t, without, capacity("--dispositions", empty), "a file with no verdicts")
	assert.JSONEq(t, without, capacity("--dispositions", td("dispositions.csv")), "verdicts on other leads")
}

// A leads file whose verdicts are found late (in its last row) is measured
// again from the start; the suggestion that then reads the leads again
// (no room for the traces) must place each lead as the second reading
// added it, not as the first one did: the same proposal as a run that
// asked for the verdict view from the start. (The lines the first,
// abandoned reading added were kept, so the lines were no longer sorted:
// a lead's place ran past the backtest's leads and the run panicked.)
func TestBacktestVerdictsFoundLateThenReadAgainForTheSuggestion(t *testing.T) {
	model := copyModel(t)
	lines := withVerdictInLastRow(t, td(filepath.Join("backtest", "leads.ndjson")))
	dir := filepath.Dir(model)
	file := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	empty := filepath.Join(dir, "dispositions.csv")
	require.NoError(t, os.WriteFile(empty, []byte("lead_id,at,status,reason\n"), 0o644))
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "no-such-dir"))

	args := []string{"backtest", "--model", model, "--outcomes", td(filepath.Join("backtest", "outcomes.csv")),
		"--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week", "--min-won", "10", "--format", "json", "--suggest"}
	asked := filepath.Join(dir, "asked.yaml")
	code, wantOut, errOut := leadscore(t, "", append(args, "-o", asked, "--dispositions", empty, file)...)
	require.Equal(t, exitOK, code, errOut)
	found := filepath.Join(dir, "found.yaml")
	code, gotOut, errOut := leadscore(t, "", append(args, "-o", found, file)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, wantOut, strings.ReplaceAll(gotOut, "found.yaml", "asked.yaml"))
	want, err := os.ReadFile(asked)
	require.NoError(t, err)
	got, err := os.ReadFile(found)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}
