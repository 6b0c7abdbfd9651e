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

// checkLeadsModel has a rule no lead can fire (lower(country) against
// capitalised names), rules that fire on some leads, a rule that fires on
// every lead, an event rule and a gate.
const checkLeadsModel = `leadscore: 1
model: m
fields:
  email: {type: string, required: true}
  country: string
  employees: int
event_types: [demo_request]
lists:
  target_countries: [Germany, France]
scores:
  fit: {min: 0, max: 100}
rules:
  - id: fit.target-country
    score: fit
    owner: sales
    reason: We sell in these countries
    when: lower(country) in target_countries
    points: 20
  - id: fit.mid-market
    score: fit
    owner: sales
    reason: Mid-market company
    when: employees >= 50
    points: 15
  - id: fit.any-email
    score: fit
    owner: sales
    reason: We can write to them
    when: email != ""
    points: 5
  - id: fit.demo
    score: fit
    owner: sales
    reason: Asked for a demo
    event: demo_request
    within: 30d
    points: 30
  - id: gate.competitor
    owner: sales
    disqualify: Works for a competitor
    when: email endsWith "@rival.com"
stages:
  - {id: sql, sales_ready: true, when: fit >= 50}
grades:
  - {grade: A, when: fit >= 50}
  - {grade: B}
`

// checkLeadsFile is 12 rows: 10 leads (the last with a misspelt key), a
// lead with a bad value (line 3) and a line that is not JSON (line 8).
const checkLeadsFile = `{"id":"L1","email":"a@acme.io","country":"Germany","employees":20}
{"id":"L2","email":"b@acme.io","country":"France","employees":80,"events":[{"type":"demo_request","at":"2026-09-20T10:00:00Z"}]}
{"id":"L3","email":"c@acme.io","employees":"many"}
{"id":"L4","email":"d@rival.com","country":"Germany","employees":300}
{"id":"L5","email":"e@acme.io","country":"Spain","employees":10}
{"id":"L6","email":"f@acme.io","country":"Germany","employees":60}
{"id":"L7","email":"g@acme.io","country":"France","employees":5}
not json
{"id":"L9","email":"i@acme.io","country":"Germany","employees":45}
{"id":"L10","email":"j@acme.io","country":"Germany","employees":500}
{"id":"L11","email":"k@acme.io","country":"France","employees":75}
{"id":"L12","email":"l@acme.io","country":"Germany","employees":15,"Employes":15}
`

func TestCheckLeads(t *testing.T) {
	dir := t.TempDir()
	model, leads := filepath.Join(dir, "m.yaml"), filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(model, []byte(checkLeadsModel), 0o644))
	require.NoError(t, os.WriteFile(leads, []byte(checkLeadsFile), 0o644))

	never := model + `:17:11: warning: rule fit.target-country fired on 0 of 10 leads in ` + leads + `: check its condition against the data (a value spelt or capitalised otherwise than the leads have it, a field they leave empty, a threshold none reaches); if such leads are only rare, add a test case that fires it
        when: lower(country) in target_countries
              ^
`
	always := model + `:29:11: warning: rule fit.any-email fired on all 10 leads in ` + leads + `: its 5 points go to every lead and put none above another; if its condition is true for every lead, narrow it or remove the rule
        when: email != ""
              ^
`
	summary := leads + ": 12 rows read, 2 failed (lines 3, 8), 10 used: scored as of 2026-10-01T00:00:00Z\n" +
		`unknown key "Employes" in 1 row; did you mean "employees"?` + "\n" +
		"(no rule reads data the model does not declare: rename it, or declare it under fields or events)\n"
	badRows := leads + `:3: lead L3: employees: want a whole number, got the text "many"` + "\n" +
		leads + `:8: broken JSON at byte 2: invalid character 'o' in literal null (expecting 'u')` + "\n"

	// Without --strict the warnings print and the check passes; the rules
	// that fire on some leads (mid-market, the demo, the gate) say nothing.
	code, out, errOut := leadscore(t, "", "check", "--leads", leads, "--at", "2026-10-01", model)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, never+always+"ok   "+model+" (model m)\n"+summary, out)
	assert.Equal(t, badRows, errOut, "each bad row is named with its line, and the check goes on")

	// With --strict they fail it, beside the lint that finds the cause.
	code, out, errOut = leadscore(t, "", "check", "--strict", "--leads", leads, "--at", "2026-10-01", model)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, never+model+`:17:29: warning: lower(country) is in lower case, so it never equals any item of list target_countries ("Germany", "France"); write "germany", "france", or compare without lower()
        when: lower(country) in target_countries
                                ^
`+always+"WARN "+model+" (model m)\n"+summary, out)
	assert.Equal(t, badRows, errOut)

	// Without --leads, check is as before: the model compiles, no lint.
	code, out, _ = leadscore(t, "", "check", model)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "ok   "+model+" (model m)\n", out)

	// JSON: the warnings, and counts that reconcile.
	code, out, _ = leadscore(t, "", "check", "--format", "json", "--leads", leads, "--at", "2026-10-01", model)
	assert.Equal(t, exitOK, code)
	var rep struct {
		OK          bool
		Diagnostics []struct{ Line, Col int }
		Leads       leadsReport
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.True(t, rep.OK)
	assert.Len(t, rep.Diagnostics, 2)
	assert.Equal(t, []int{12, 2, 10}, []int{rep.Leads.Rows, rep.Leads.Failed, rep.Leads.Used})
	assert.Equal(t, []failedRow{
		{3, `lead L3: employees: want a whole number, got the text "many"`},
		{8, `broken JSON at byte 2: invalid character 'o' in literal null (expecting 'u')`},
	}, rep.Leads.FailedRows)
	assert.Equal(t, []string{`unknown key "Employes" in 1 row; did you mean "employees"?`}, rep.Leads.Unknown)
}

func TestCheckLeadsWithTestCases(t *testing.T) {
	// No lead is a competitor, so the gate disqualifies none: a warning
	// that names the test file, until a test case there fires the gate.
	dir := t.TempDir()
	model, leads, tests := filepath.Join(dir, "m.yaml"), filepath.Join(dir, "leads.ndjson"), filepath.Join(dir, "m_test.yaml")
	require.NoError(t, os.WriteFile(model, []byte(checkLeadsModel), 0o644))
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(checkLeadsFile), "\n") {
		if !strings.Contains(line, "rival.com") {
			rows = append(rows, line)
		}
	}
	require.NoError(t, os.WriteFile(leads, []byte(strings.Join(rows, "\n")+"\n"), 0o644))
	testFile := func(email string) string {
		return "model: m.yaml\nas_of: 2026-10-01\ncases:\n  - name: a lead\n    lead: {email: " + email + ", country: germany, employees: 10}\n    expect: {sales_ready: false}\n"
	}
	require.NoError(t, os.WriteFile(tests, []byte(testFile("spy@acme.io")), 0o644))

	code, out, _ := leadscore(t, "", "check", "--strict", "--leads", leads, "--at", "2026-10-01", model)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, model+`:41:11: warning: gate gate.competitor disqualified 0 of 9 leads in `+leads+`, nor on the test case in `+tests+`: check its condition against the data (a value spelt or capitalised otherwise than the leads have it, a field they leave empty, a threshold none reaches); if such leads are only rare, add a test case it disqualifies
`)
	assert.Contains(t, out, "rule fit.target-country fired on 0 of 9 leads in "+leads+", nor on the test case in "+tests+": ",
		"the case's germany is lowered too, and no lower-case value is in the list")
	assert.Contains(t, out, leads+": 11 rows read, 2 failed (lines 3, 7), 9 used: scored as of 2026-10-01T00:00:00Z; with 1 test case of "+tests+"\n")

	require.NoError(t, os.WriteFile(tests, []byte(testFile("spy@rival.com")), 0o644))
	_, out, _ = leadscore(t, "", "check", "--strict", "--leads", leads, "--at", "2026-10-01", model)
	assert.NotContains(t, out, "gate gate.competitor disqualified 0", "the test case fires the gate")
}

func TestCheckLeadsUsage(t *testing.T) {
	dir := t.TempDir()
	model, other, leads := filepath.Join(dir, "m.yaml"), filepath.Join(dir, "n.yaml"), filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(model, []byte(checkLeadsModel), 0o644))
	require.NoError(t, os.WriteFile(other, []byte(checkLeadsModel), 0o644))
	require.NoError(t, os.WriteFile(leads, []byte("not json\n{\"id\":\"L2\"}\n"), 0o644))

	code, _, errOut := leadscore(t, "", "check", "--at", "2026-10-01", model)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore check: --at goes with --leads, the leads to check the rules against\n", errOut)

	code, _, errOut = leadscore(t, "", "check", "--leads", leads, dir)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore check: --leads scores the leads with one model; give one rule file, not 2 ("+model+", "+other+")\n", errOut)

	code, _, errOut = leadscore(t, "", "check", "--leads", filepath.Join(dir, "none.ndjson"), model)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "leadscore check: --leads "+filepath.Join(dir, "none.ndjson")+": open ")

	// No row can be scored: the rules were not checked, which fails.
	code, out, errOut := leadscore(t, "", "check", "--leads", leads, "--at", "2026-10-01", model)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, "ok   "+model+" (model m)\n"+leads+": 2 rows read, 2 failed (lines 1, 2), 0 used: scored as of 2026-10-01T00:00:00Z\n"+
		"no lead of "+leads+" could be scored, so the rules were not checked against it; fix the rows named above\n", out)
	assert.Equal(t, 2, strings.Count(errOut, leads+":"))
}
