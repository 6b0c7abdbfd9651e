package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The feedback report on the bundled data is the golden one (go test
// ./scoring/feedback -update rewrites it), in every format.
func TestFeedbackGolden(t *testing.T) {
	args := []string{"feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", td("dispositions.csv"),
		"--outcomes", td("outcomes.csv"), "--at", "2026-10-01"}
	code, md, errOut := leadscore(t, "", append(args, "--format", "markdown")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "1000 lead rows: 1000 used, 0 failed; 40 disposition rows: 40 used, 0 failed\n", errOut)
	want, err := os.ReadFile(td(filepath.Join("golden", "feedback.md")))
	require.NoError(t, err)
	assert.Equal(t, string(want), md)

	code, js, _ := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code)
	var rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(js), &rep))
	assert.Equal(t, 10.0, rep["rejected"], "rejected not_decision_maker 4, too_small 4, no_budget 2")
	assert.Equal(t, 45.0, rep["sales_ready"])
	assert.NotContains(t, js, "NaN")

	code, text, _ := leadscore(t, "", args...)
	require.Equal(t, exitOK, code)
	// Four leads a reason are too few to judge a rule: the report says so,
	// and how far the bundled data is from enough.
	assert.Contains(t, text, "No rule is judged yet: each reason that contradicts a rule was given to fewer than 10 leads (at most 4); more verdicts are needed.\n")
	// Each share with its interval: 4 of 4 is 4/(4+z²) = 51.0% to 100%.
	assert.Contains(t, text, "not_decision_maker  fit.decision-maker                4 of 4: 100.0% (51.0% to 100.0%)                        12 of 36: 33.3% (20.2% to 49.7%)")
	var ev struct {
		Evidence []struct{ Reason, Rule, Verdict, Why string } `json:"evidence"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &ev))
	require.NotEmpty(t, ev.Evidence)
	for _, e := range ev.Evidence {
		assert.Equal(t, "inconclusive", e.Verdict, "%s/%s", e.Reason, e.Rule)
		assert.Equal(t, "too few leads: 4 leads given the reason, 6 more needed", e.Why)
	}
	code, csvOut, _ := leadscore(t, "", append(args, "--format", "csv")...)
	require.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(csvOut, "section,name,sales_ready,dispositioned,accepted,rejected,recycled,acceptance_rate,rejection_rate,reasons,acceptance_rate_low,acceptance_rate_high,rejection_rate_low,rejection_rate_high,too_few_verdicts,recycle_rate,recycle_rate_low,recycle_rate_high\ntotal,total,45,40,24,10,6,"), csvOut[:200])
}

// A bad disposition row fails alone, with its line and a did-you-mean; the
// counts reconcile and the exit status says something failed.
func TestFeedbackBadRows(t *testing.T) {
	disp := writeTemp(t, "dispositions.csv", "lead_id,at,status,reason,owner\n"+
		"L0000101,2026-09-20T10:00:00Z,rejected,not_decison_maker,ana\n"+
		"L0000186,2026-09-21,acepted,,ben\n"+
		"L0000370,,accepted,,ben\n"+
		"L000370,2026-09-22,accepted,,ben\n"+
		"L0000386,2026-09-22,rejected,not_decision_maker,ana\n")
	code, out, errOut := leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", disp, "--at", "2026-10-01", "--format", "json")
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, disp+`:2: lead L0000101: unknown reason "not_decison_maker"; did you mean "not_decision_maker"?
`+disp+`:3: lead L0000186: unknown status "acepted"; did you mean "accepted"?
`+disp+`:4: lead L0000370: at is empty; say when sales gave the verdict, such as 2026-09-14T10:00:00Z
`+disp+`:5: no lead in the leads file has the id "L000370"; check the lead_id, or score the file that holds that lead
1000 lead rows: 1000 used, 0 failed; 5 disposition rows: 1 used, 4 failed
`, errOut)
	var rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, 1.0, rep["rejected"], "the one good row")

	code, _, errOut = leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, `leadscore feedback: no verdict to report: give sales' verdicts with --dispositions FILE (a CSV with lead_id, at, status, reason), or in the leads themselves ("dispositions": [{"at", "status", "reason"}] beside "events")`+"\n", errOut)
	code, _, errOut = leadscore(t, "", "feedback", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "Usage: leadscore feedback --model FILE --leads FILE --dispositions FILE")
	assert.Contains(t, errOut, "Exit status: 0 every row was used, 1 some rows failed, 2 the report could not start.")
}

// score and explain take the dispositions too.
func TestScoreAndExplainWithDispositions(t *testing.T) {
	disp := writeTemp(t, "dispositions.csv", "lead_id,at,status,reason\nL0000031,2026-09-25,recycled,bad_timing\nL9,2026-09-25,accepted,\n")
	code, out, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--dispositions", disp, td("leads.ndjson"))
	assert.Equal(t, exitProblem, code, "the row for L9, which is not among the leads, failed")
	assert.Contains(t, out, `"disposition":"recycled:bad_timing"`)
	assert.Contains(t, errOut, disp+`:3: no lead in the leads file has the id "L9"; check the lead_id, or score the file that holds that lead
2 disposition rows: 1 used, 1 failed
`)
	lead := writeTemp(t, "lead.json", `{"id":"L0000031","email":"a@acme.io","title":"VP Sales","industry":"software","employees":250,"country":"US",
"events":[{"type":"demo_request","at":"2026-09-20T10:00:00Z"},{"type":"demo_request","at":"2026-09-27T10:00:00Z"},{"type":"page_view","at":"2026-09-28T10:00:00Z","url":"/pricing"}]}`)
	code, text, errOut := leadscore(t, "", "explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--dispositions", disp, "--brief", lead)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, text, "  sales: recycled on 2026-09-25T00:00:00Z as bad_timing (Interested, but not this quarter)\n"+
		"  recycled on 2026-09-25T00:00:00Z: 1 event of engagement (content_download, demo_request, email_click, page_view, trial_signup, webinar_attended) at or before it no longer counts\n"+
		"  HELD until 2026-10-25T00:00:00Z by the recycle hold-down, which keeps it from sql\n")
}

// The funnel counts the leads sales accepted when journeys carry the
// sales_accepted milestone: as many as the dispositions file has distinct
// leads accepted (counted here from the file itself).
func TestAttributeFunnelCountsSalesAccepted(t *testing.T) {
	data, err := os.ReadFile(td("dispositions.csv"))
	require.NoError(t, err)
	accepted := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		cells := strings.Split(line, ",")
		if cells[2] == "accepted" {
			accepted[cells[0]] = true
		}
	}
	code, out, errOut := leadscore(t, "", "attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"),
		"--dispositions", td("dispositions.csv"), "--at", "2026-10-01", "--format", "csv")
	require.Equal(t, exitOK, code, errOut)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	col := -1
	for i, h := range rows[0] {
		if h == "sales_accepted" {
			col = i
		}
	}
	require.GreaterOrEqual(t, col, 0, "a sales_accepted column")
	last := rows[len(rows)-1]
	require.Equal(t, "total", last[0])
	assert.Equal(t, strconv.Itoa(len(accepted)), last[col])

	code, out, _ = leadscore(t, "", "attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"),
		"--dispositions", td("dispositions.csv"), "--at", "2026-10-01", "--format", "markdown")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "| accepted by sales | rate |")
}

// Verdicts carried in the leads' own JSON give the same report as the same
// verdicts in a dispositions file, and a bad one fails its lead alone.
func TestFeedbackFromVerdictsInTheLeads(t *testing.T) {
	at := []string{"--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--format", "json"}
	code, fromFile, errOut := leadscore(t, "", append([]string{"feedback", "--leads", td("leads.ndjson"), "--dispositions", td("dispositions.csv")}, at...)...)
	require.Equal(t, exitOK, code, errOut)

	// The same verdicts, moved into each lead's JSON.
	carrying := withVerdictsInside(t)
	inside, err := os.ReadFile(carrying)
	require.NoError(t, err)
	data, err := os.ReadFile(td("dispositions.csv"))
	require.NoError(t, err)
	rows := strings.Split(strings.TrimSpace(string(data)), "\n")
	code, fromLeads, errOut := leadscore(t, "", append([]string{"feedback", "--leads", carrying}, at...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.JSONEq(t, fromFile, fromLeads)
	assert.Contains(t, errOut, fmt.Sprintf("%d verdicts carried by the leads", len(rows)-1))

	// A reason the catalogue does not know fails that lead, with a did-you-mean.
	bad := strings.Replace(string(inside), `"reason":"not_decision_maker"`, `"reason":"not_decison_maker"`, 1)
	require.NotEqual(t, string(inside), bad)
	require.NoError(t, os.WriteFile(carrying, []byte(bad), 0o644))
	code, _, errOut = leadscore(t, "", append([]string{"feedback", "--leads", carrying}, at...)...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, `unknown reason "not_decison_maker"; did you mean "not_decision_maker"?`)
}

// A recycle whose hold-down would end after year 9999 is refused with the
// lead, saying why, instead of breaking explain --format json.
func TestExplainRecycleHoldPastYear9999(t *testing.T) {
	disp := writeTemp(t, "dispositions.csv", "lead_id,at,status,reason\nL0000031,9999-12-20,recycled,bad_timing\n")
	lead := writeTemp(t, "lead.json", `{"id":"L0000031","email":"a@acme.io","title":"VP Sales","industry":"software","employees":250,"country":"US"}`)
	code, out, errOut := leadscore(t, "", "explain", "--model", td("b2b-saas.yaml"), "--at", "9999-12-31", "--dispositions", disp, "--format", "json", lead)
	assert.NotEqual(t, exitOK, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "disposition 1: recycled on 9999-12-20T00:00:00Z, so the model's recycle hold-down of 30d would end after year 9999, the last year leadscore reads or writes; check the disposition's date")
}

// A lead that was read but failed to score (a carried verdict with an
// unknown reason, a field of the wrong type) is still in the leads file:
// the file's verdicts for it are not "no lead has this id", and its
// carried verdicts count; the rows that failed are said in input order,
// as the serial reading did (the output is pinned from it), now that the
// leads are worked out on every core.
func TestFeedbackLeadsThatFailStillCount(t *testing.T) {
	raw, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	var lines []string
	for i, l := range strings.SplitN(string(raw), "\n", 7)[:6] {
		var lead map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &lead))
		switch i {
		case 1:
			lead["dispositions"] = []any{map[string]any{"at": "2026-05-02T00:00:00Z", "status": "rejected", "reason": "nope"},
				map[string]any{"at": "2026-05-03T00:00:00Z", "status": "accepted"}}
		case 3:
			lead["dispositions"] = []any{map[string]any{"at": "2026-05-02T00:00:00Z", "status": "accepted"}}
		case 4:
			lead["email"] = 5
		}
		b, err := json.Marshal(lead)
		require.NoError(t, err)
		lines = append(lines, string(b))
		if i == 1 {
			lines = append(lines, `{"id":"BROKEN", "events": [}`)
		}
	}
	dir := t.TempDir()
	leads, disp := filepath.Join(dir, "leads.ndjson"), filepath.Join(dir, "disp.csv")
	require.NoError(t, os.WriteFile(leads, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	csvText := "lead_id,at,status,reason,owner\n"
	for _, id := range []string{"L0000002", "L0000004", "L0000005", "L0000006", "NOSUCH"} {
		csvText += id + ",2026-06-01T00:00:00Z,recycled,bad_timing,ana\n"
	}
	require.NoError(t, os.WriteFile(disp, []byte(csvText), 0o644))
	code, _, errOut := leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--leads", leads, "--dispositions", disp, "--at", "2026-10-01", "--format", "json")
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, leads+`:2: lead L0000002: disposition 1: unknown reason "nope"; the reasons are not_decision_maker, too_small, not_icp, just_researching, no_budget, bad_timing, duplicate
`+leads+`:3: lead BROKEN: broken JSON at byte 28: invalid character '}' looking for beginning of value
`+leads+`:6: lead L0000005: email: want text, got the number 5
`+disp+`:6: no lead in the leads file has the id "NOSUCH"; check the lead_id, or score the file that holds that lead
7 lead rows: 4 used, 3 failed; 5 disposition rows: 4 used, 1 failed; 3 verdicts carried by the leads
`, errOut)
}

// Verdict rows that fail are left out of every figure, and the report
// says so beside the figures (text, JSON, and the HTML page's first
// screen), not only on stderr: here a model without reasons refuses the
// 16 rows that give one, so the acceptance rate would read 100%.
func TestFailedVerdictRowsAreNamedInTheReport(t *testing.T) {
	src, err := os.ReadFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(filepath.Join(dir, "common"), os.DirFS(td("common"))))
	s := string(src)
	model := filepath.Join(dir, "m.yaml")
	require.NoError(t, os.WriteFile(model, []byte(s[:strings.Index(s, "\n# The hand-off")]+"\n"), 0o644))
	args := []string{"feedback", "--model", model, "--leads", td("leads.ndjson"), "--dispositions", td("dispositions.csv"), "--at", "2026-10-01"}
	const warning = "16 of 40 disposition rows failed and are left out of every figure here (each is named with its line on stderr): fix them and run again"

	code, text, _ := leadscore(t, "", args...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, text, "Warning: "+warning+".\n")
	_, js, _ := leadscore(t, "", append(args, "--format", "json")...)
	var r struct {
		Warnings []string `json:"warnings"`
		Rejected int      `json:"rejected"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &r))
	assert.Equal(t, []string{warning}, r.Warnings)
	assert.Zero(t, r.Rejected, "every rejection gave a reason the model lacks")
	_, page, _ := leadscore(t, "", append(args, "--format", "html")...)
	glance := page[strings.Index(page, `<section id="summary"`):strings.Index(page, `<section id="feedback">`)]
	assert.Contains(t, glance, "<li><b>Warning:</b> What sales said: "+warning+"</li>")
	assert.Contains(t, glance, "Verdicts that accepted the hand-off (rows left out: see the warning)")
}

// Every warning attribution's JSON carries (wins after the as-of time
// left out, fields no rule reads) stands on its HTML page's first screen
// and above the funnel, and on the joint review's first screen.
func TestAttributionWarningsReachThePage(t *testing.T) {
	args := []string{"attribute", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--outcomes", td("outcomes.csv"), "--costs", td("costs.csv"), "--at", "2026-10-01"}
	_, js, _ := leadscore(t, "", append(args, "--format", "json")...)
	var r struct {
		Warnings []string `json:"warnings"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &r))
	require.NotEmpty(t, r.Warnings, "the bundled data has wins after the as-of time")
	_, page, _ := leadscore(t, "", append(args, "--format", "html")...)
	glance := page[strings.Index(page, `<section id="summary"`):strings.Index(page, `<section id="funnel">`)]
	funnel := page[strings.Index(page, `<section id="funnel">`):]
	review := []string{"report", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--outcomes", td("outcomes.csv"), "--costs", td("costs.csv"), "--at", "2026-10-01"}
	_, joint, _ := leadscore(t, "", review...)
	jointGlance := joint[strings.Index(joint, `<section id="summary"`):strings.Index(joint, `<nav>`)]
	for _, w := range r.Warnings {
		w = html.EscapeString(w)
		assert.Contains(t, glance, "<li><b>Warning:</b> Attribution: "+w+"</li>")
		assert.Contains(t, funnel, "<li><b>Warning:</b> "+w+"</li>")
		assert.Contains(t, jointGlance, "<li><b>Warning:</b> Attribution: "+w+"</li>")
	}
}

// A lead given twice counts once, at its first row: the later row fails
// with its line, and every figure is that of the file without it.
func TestFeedbackLeadGivenTwice(t *testing.T) {
	disp, err := os.ReadFile(td("dispositions.csv"))
	require.NoError(t, err)
	id := strings.Split(strings.Split(string(disp), "\n")[1], ",")[0] // a lead sales gave a verdict
	leads, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(leads)), "\n")
	first := -1
	for i, l := range lines {
		if strings.Contains(l, `"id":"`+id+`"`) {
			first = i
		}
	}
	require.GreaterOrEqual(t, first, 0, id)
	twice := filepath.Join(t.TempDir(), "twice.ndjson")
	require.NoError(t, os.WriteFile(twice, []byte(strings.Join(append(lines, lines[first]), "\n")+"\n"), 0o644))
	args := []string{"feedback", "--model", td("b2b-saas.yaml"), "--dispositions", td("dispositions.csv"), "--at", "2026-10-01", "--format", "json"}
	code, want, _ := leadscore(t, "", append(args, "--leads", td("leads.ndjson"))...)
	require.Equal(t, exitOK, code)
	code, got, errOut := leadscore(t, "", append(args, "--leads", twice)...)
	require.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, fmt.Sprintf("%s:%d: lead %s: appears twice (first on line %d); give each lead one row\n", twice, len(lines)+1, id, first+1))
	assert.Contains(t, errOut, fmt.Sprintf("%d lead rows: %d used, 1 failed;", len(lines)+1, len(lines)))
	var w, g map[string]any
	require.NoError(t, json.Unmarshal([]byte(want), &w))
	require.NoError(t, json.Unmarshal([]byte(got), &g))
	assert.Equal(t, []any{fmt.Sprintf("1 of %d lead rows failed and is left out (each is named with its line on stderr)", len(lines)+1)}, g["warnings"])
	delete(g, "warnings")
	assert.Equal(t, w, g, "the figures of the file without the second row")
}

// An accept dated 2.6 h before its lead's hand-off (L0000754's, at
// 2026-09-29T08:36:42Z; review rev15a 1) is left out with a warning in
// every format, and a verdict after the one that counts is counted as
// superseded; the footer reconciles: rows = used + left out + failed.
func TestFeedbackVerdictBeforeHandoff(t *testing.T) {
	data, err := os.ReadFile(td("dispositions.csv"))
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "d3.csv")
	require.NoError(t, os.WriteFile(file, append(data, "L0000754,2026-09-29T06:00:00Z,accepted,,ana.r\nL0000754,2026-09-30T06:00:00Z,rejected,too_small,ana.r\nL0000754,2026-09-30T07:00:00Z,rejected,too_small,ana.r\n"...), 0o644))
	rows := strings.Count(string(data), "\n") - 1 + 3
	for _, format := range []string{"text", "markdown", "json", "html"} {
		code, out, errOut := leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", file, "--at", "2026-10-01", "--format", format)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, "lead L0000754 was accepted on 2026-09-29T06:00:00Z, 2.6 h before its hand-off on 2026-09-29T08:36:42Z, so the verdict is left out of every figure", format)
		assert.Contains(t, out, "1 later verdict of leads that already had one: the first counts", format)
		assert.Contains(t, errOut, fmt.Sprintf("%d disposition rows: %d used, 1 dated before the hand-off (ignored), 1 later verdict of leads that already had one (the first counts), 0 failed\n", rows, rows-2), format)
		if format == "json" {
			assert.Contains(t, out, `"verdicts_before_handoff": [`)
		}
	}
}
