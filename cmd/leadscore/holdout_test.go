package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func holdoutBacktest(t *testing.T, model string, args ...string) (int, string, string) {
	t.Helper()
	all := append([]string{"backtest", "--model", td(filepath.Join("holdout", model)), "--outcomes", td(filepath.Join("backtest", "outcomes.csv")),
		"--at", "2026-07-01", "--until", "2026-10-01", "--holdout"}, args...)
	return leadscore(t, "", append(all, td(filepath.Join("backtest", "leads.ndjson")))...)
}

// The bundled holdout (testdata/holdout/model.yaml): the report's holdout
// section, pinned in testdata/golden/backtest-holdout.md (go test -update
// rewrites it), whose groups add up to the backtest's own counts.
func TestBacktestHoldoutBundled(t *testing.T) {
	code, md, errOut := holdoutBacktest(t, "model.yaml", "--format", "markdown")
	require.Equal(t, exitOK, code, errOut)
	name := td(filepath.Join("golden", "backtest-holdout.md"))
	if *update {
		require.NoError(t, os.WriteFile(name, []byte(md), 0o644))
	}
	golden, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, string(golden), md)

	code, out, errOut := holdoutBacktest(t, "model.yaml", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var rep struct {
		Leads struct {
			InBacktest int `json:"in_backtest"`
		} `json:"leads"`
		Won        int     `json:"won"`
		Revenue    float64 `json:"revenue"`
		SalesReady struct {
			Leads, Won int
		} `json:"sales_ready"`
		Holdout map[string]json.RawMessage `json:"holdout"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	for _, key := range []string{"share", "seed", "withhold", "population", "treated", "control", "lift", "power", "decision", "withheld_reason", "overall"} {
		assert.Contains(t, rep.Holdout, key)
	}
	type arm struct {
		Leads, Won int
		Revenue    float64
		WinRate    struct{ Value, Low, High *float64 } `json:"win_rate"`
	}
	var treated, control arm
	var overall struct{ Treated, Control arm }
	require.NoError(t, json.Unmarshal(rep.Holdout["treated"], &treated))
	require.NoError(t, json.Unmarshal(rep.Holdout["control"], &control))
	require.NoError(t, json.Unmarshal(rep.Holdout["overall"], &overall))
	assert.Equal(t, rep.SalesReady.Leads, treated.Leads+control.Leads, "the sales-ready leads are split between the groups")
	assert.Equal(t, rep.SalesReady.Won, treated.Won+control.Won)
	assert.Equal(t, rep.Leads.InBacktest, overall.Treated.Leads+overall.Control.Leads, "every lead in the backtest is in one group")
	assert.Equal(t, rep.Won, overall.Treated.Won+overall.Control.Won)
	assert.InDelta(t, rep.Revenue, overall.Treated.Revenue+overall.Control.Revenue, 1e-6)
	// About a fifth of the leads are held out (share 0.2).
	assert.InDelta(t, 0.2*float64(rep.Leads.InBacktest), overall.Control.Leads, 4*17.1)
	require.NotNil(t, overall.Control.WinRate.Low)
}

func TestBacktestHoldoutChallenger(t *testing.T) {
	code, out, errOut := holdoutBacktest(t, "challenge.yaml")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "CHAMPION AND CHALLENGER")
	// Each definition judged on its own half: the 1818 leads in the backtest split 907 and 911.
	assert.Regexp(t, `challenge\.yaml +treated +907 +15 +3 +2 +66\.7%`, out)
	assert.Regexp(t, `challenger\.yaml +control +911 +10 +5 +1 +20\.0%`, out)
	assert.Contains(t, out, "Holdout (share 50.0%, seed q3-challenge, withhold challenger), all the leads: verdict withheld: the 95% interval of the difference")
}

func TestBacktestHoldoutRefusals(t *testing.T) {
	code, _, errOut := leadscore(t, "", "backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td(filepath.Join("backtest", "outcomes.csv")),
		"--at", "2026-07-01", "--holdout", td(filepath.Join("backtest", "leads.ndjson")))
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore backtest: --holdout: "+td("b2b-saas.yaml")+" has no holdout section; add one, such as holdout: {share: 0.1, seed: q3-holdout, withhold: handoff} (see docs/guide/holdouts.md)\n", errOut)

	dir := t.TempDir()
	src, err := os.ReadFile(td(filepath.Join("backtest", "small", "tiny.yaml")))
	require.NoError(t, err)
	model := filepath.Join(dir, "m.yaml")
	require.NoError(t, os.WriteFile(model, append(src, []byte("holdout: {share: 0.5, seed: s, withhold: {challenger: missing.yaml}}\n")...), 0o644))
	code, _, errOut = leadscore(t, "", "backtest", "--model", model, "--outcomes", td(filepath.Join("backtest", "small", "outcomes.csv")),
		"--at", "2026-07-01", "--holdout", td(filepath.Join("backtest", "small", "leads.ndjson")))
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, model+":42:55: challenger missing.yaml: no such file; name the challenger's rule file relative to this one\n"+
		"    holdout: {share: 0.5, seed: s, withhold: {challenger: missing.yaml}}\n"+
		"                                                          ^\n"+
		"leadscore backtest: --holdout: the holdout's challenger cannot be used\n", errOut)
}

func TestCheckHoldoutChallenger(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(td(filepath.Join("backtest", "small", "tiny.yaml")))
	require.NoError(t, err)
	model := filepath.Join(dir, "m.yaml")
	require.NoError(t, os.WriteFile(model, append(src, []byte("holdout: {share: 0.5, seed: s, withhold: {challenger: c.yaml}}\n")...), 0o644))
	code, out, _ := leadscore(t, "", "check", model)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, model+":42:55: challenger c.yaml: no such file; name the challenger's rule file relative to this one\n"+
		"    holdout: {share: 0.5, seed: s, withhold: {challenger: c.yaml}}\n"+
		"                                                          ^\n"+
		"FAIL "+model+"\n", out)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("leadscore: 1\nmodel: c\n"), 0o644))
	code, out, _ = leadscore(t, "", "check", model)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, "challenger c.yaml does not compile (2 errors); run leadscore check "+filepath.Join(dir, "c.yaml"))

	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.yaml"), src, 0o644))
	code, out, _ = leadscore(t, "", "check", model)
	assert.Equal(t, exitOK, code, out)
}

func TestScoreSummarySaysWhoIsHeldOut(t *testing.T) {
	code, out, errOut := leadscore(t, "", "score", "--model", td(filepath.Join("holdout", "model.yaml")), "--at", "2026-10-01", td(filepath.Join("backtest", "leads.ndjson")))
	require.Equal(t, exitOK, code, errOut)
	held, heldReady := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(line, `"holdout":true`) {
			held++
			if strings.Contains(line, `"sales_ready":true`) {
				heldReady++
				assert.Contains(t, line, `"handed_off":false`)
			}
		}
	}
	assert.Contains(t, errOut, "holdout (share 20%, seed q3-holdout): ")
	assert.Contains(t, errOut, strings.Join([]string{"", strconv.Itoa(held), "of 3000 scored leads in the control group;", strconv.Itoa(heldReady), "sales-ready leads held out of the hand-off (handed_off: false)"}, " "))
}

// The stream's change lines and --dump carry the holdout marks too (the
// stream is what routes leads to sales): --dump gives what score gives.
func TestStreamMarksTheHoldout(t *testing.T) {
	input, _ := streamLines(t, td("leads.ndjson"), 0)
	dir := t.TempDir()
	model := td(filepath.Join("holdout", "model.yaml"))
	code, out, errOut := leadscore(t, string(input), "stream", "--model", model, "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	handedOff := 0
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var c changeLine
		require.NoError(t, json.Unmarshal([]byte(line), &c))
		require.NotNil(t, c.Result.Holdout, line)
		require.NotNil(t, c.Result.HandedOff, line)
		assert.Equal(t, c.Result.SalesReady && !*c.Result.Holdout, *c.Result.HandedOff, line)
		if *c.Result.HandedOff {
			handedOff++
		}
	}
	assert.Positive(t, handedOff)
	code, dump, errOut := leadscore(t, "", "stream", "--model", model, "--state", dir, "--dump", "--at", "2026-10-01")
	require.Equal(t, exitOK, code, errOut)
	code, scores, errOut := leadscore(t, "", "score", "--model", model, "--at", "2026-10-01", td("leads.ndjson"))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, scores, `"holdout":true`)
	assert.Equal(t, sortedLines(scores), sortedLines(dump))
}
