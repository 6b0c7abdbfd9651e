package main

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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
	for _, key := range []string{"share", "seed", "withhold", "population", "treated", "control", "lift", "power", "decision", "withheld_reason", "overall", "sample_ratio", "left_out", "challenger_left_out"} {
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
	// Intent to treat: every lead that came by T1 is in one group, won when
	// its deal was won by T1, counted apart from the report from the files.
	came, won, revenue := holdoutLeadsByHand(t, "2026-10-01T00:00:00Z")
	assert.Equal(t, came, overall.Treated.Leads+overall.Control.Leads, "every lead that came by T1 is in one group")
	assert.Equal(t, won, overall.Treated.Won+overall.Control.Won)
	assert.InDelta(t, revenue, overall.Treated.Revenue+overall.Control.Revenue, 1e-6)
	// The sales-ready leads are among them, in the same groups.
	assert.LessOrEqual(t, treated.Leads, overall.Treated.Leads)
	assert.LessOrEqual(t, control.Leads, overall.Control.Leads)
	assert.GreaterOrEqual(t, treated.Leads+control.Leads, rep.SalesReady.Leads, "a lead sales-ready at T0 would have been handed off by T1")
	// About a fifth of the leads are held out (share 0.2).
	assert.InDelta(t, 0.2*float64(came), overall.Control.Leads, 4*math.Sqrt(0.2*0.8*float64(came)))
	require.NotNil(t, overall.Control.WinRate.Low)
}

func TestBacktestHoldoutChallenger(t *testing.T) {
	code, out, errOut := holdoutBacktest(t, "challenge.yaml")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "CHAMPION AND CHALLENGER")
	// Each definition judged on its own half: the 3000 leads that came by
	// T1 (68 won by T1, counted apart) split 1486 and 1514.
	came, won, _ := holdoutLeadsByHand(t, "2026-10-01T00:00:00Z")
	require.Equal(t, 3000, came)
	require.Equal(t, 68, won)
	assert.Regexp(t, `challenge\.yaml +treated +1486 +36 +72 +9 +12\.5%`, out)
	assert.Regexp(t, `challenger\.yaml +control +1514 +32 +89 +13 +14\.6%`, out)
	assert.Contains(t, out, "Holdout (share 50%, seed q3-challenge, withhold challenger), all the leads: verdict withheld: the 95% interval of the difference")
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

// holdoutLeadsByHand counts, from testdata/backtest's files, the leads
// created by t1 (every lead there has a creation time), those of them won
// by t1, and their revenue.
func holdoutLeadsByHand(t *testing.T, t1 string) (came, won int, revenue float64) {
	t.Helper()
	return holdoutLeadsFrom(t, time.Time{}, t1)
}

// holdoutLeadsFrom is holdoutLeadsByHand of the leads created at from or
// later.
func holdoutLeadsFrom(t *testing.T, from time.Time, t1 string) (came, won int, revenue float64) {
	t.Helper()
	end, err := time.Parse(time.RFC3339, t1)
	require.NoError(t, err)
	src, err := os.ReadFile(td(filepath.Join("backtest", "leads.ndjson")))
	require.NoError(t, err)
	in := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(src)), "\n") {
		var l struct {
			ID      string    `json:"id"`
			Created time.Time `json:"created_at"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &l))
		require.False(t, l.Created.IsZero(), l.ID)
		if !l.Created.After(end) && !l.Created.Before(from) {
			in[l.ID] = true
		}
	}
	f, err := os.Open(td(filepath.Join("backtest", "outcomes.csv")))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	for _, r := range rows[1:] {
		if !in[r[0]] || r[2] == "" {
			continue
		}
		at, err := time.Parse(time.RFC3339, r[2])
		require.NoError(t, err)
		if at.After(end) {
			continue
		}
		won++
		if r[3] != "" {
			v, err := strconv.ParseFloat(r[3], 64)
			require.NoError(t, err)
			revenue += v
		}
	}
	return len(in), won, revenue
}

// backtest --holdout --format html shows the holdout experiment: every
// number of the page is the JSON report's of the same run, and the page
// says what the text report says of it, in the same words.
func TestBacktestHoldoutHTML(t *testing.T) {
	for _, model := range []string{"model.yaml", "challenge.yaml"} {
		t.Run(model, func(t *testing.T) {
			code, page, errOut := holdoutBacktest(t, model, "--format", "html")
			require.Equal(t, exitOK, code, errOut)
			_, js, _ := holdoutBacktest(t, model, "--format", "json")
			_, text, _ := holdoutBacktest(t, model)
			checkPage(t, page, js, 100)
			start := strings.Index(page, `<section id="holdout">`)
			require.GreaterOrEqual(t, start, 0, "the page has the holdout section")
			sec := page[start : start+strings.Index(page[start:], "</section>")]
			words := strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(regexp.MustCompile(`</?span[^>]*>`).ReplaceAllString(sec, ""), " "))), " ")
			lines := 0
			for _, l := range strings.Split(text, "\n") {
				if strings.HasPrefix(l, "Holdout (") {
					lines++
					assert.Contains(t, words, l, "the page says the text report's line")
				}
			}
			assert.Positive(t, lines)
			for _, path := range []string{"holdout.treated.win_rate.value", "holdout.control.win_rate.low", "holdout.lift.win_rate_difference.high", "holdout.power.min_detectable_difference", "holdout.sample_ratio.p_value"} {
				assert.Contains(t, sec, `data-path="`+path+`"`)
			}
		})
	}
}

// report --holdout puts the holdout experiment in the joint review's
// backtest: its numbers are the JSON report's, whose backtest part is
// backtest --holdout's own report; without --backtest-at it is refused.
func TestReportHoldout(t *testing.T) {
	args := func(format string) []string {
		return []string{"report", "--model", td(filepath.Join("holdout", "model.yaml")), "--leads", td(filepath.Join("backtest", "leads.ndjson")),
			"--outcomes", td(filepath.Join("backtest", "outcomes.csv")), "--backtest-at", "2026-07-01", "--until", "2026-10-01", "--holdout", "--at", "2026-10-01", "--format", format}
	}
	code, page, errOut := leadscore(t, "", args("html")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, errOut := leadscore(t, "", args("json")...)
	require.Equal(t, exitOK, code, errOut)
	checkPage(t, page, js, 200)
	assert.Contains(t, page, `<section id="holdout">`)
	assert.Contains(t, page, `data-path="backtest.holdout.lift.win_rate_difference.low"`)
	var joint map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(js), &joint))
	_, own, _ := holdoutBacktest(t, "model.yaml", "--format", "json")
	assert.JSONEq(t, own, string(joint["backtest"]), "the backtest part is backtest --holdout's report")

	code, _, errOut = leadscore(t, "", "report", "--model", td(filepath.Join("holdout", "model.yaml")), "--leads", td(filepath.Join("backtest", "leads.ndjson")), "--holdout")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore report: --until, --capacity, --holdout, --backtest-leads and --backtest-outcomes go with --backtest-at\n", errOut)
}
