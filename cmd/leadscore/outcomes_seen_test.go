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

// An outcome row whose lead id is in no row of the leads file (a typo, a
// lead missing from the export) is named at its line, with no
// did-you-mean (a near id is another lead), by every command that reads outcomes beside leads, and
// summed up with its won deals and revenue; the command exits 1 (a row
// failed) and the report's warnings say so. Before, attribute and feedback
// dropped the deal without a word.
func TestOutcomeRowNamingNoLeadIsReported(t *testing.T) {
	data, err := os.ReadFile(td("outcomes.csv"))
	require.NoError(t, err)
	dir := t.TempDir()
	outcomes := filepath.Join(dir, "outcomes.csv")
	// L0000088 is a lead of the bundled file; L000088 is no lead's id.
	withTypo := strings.TrimRight(string(data), "\n") + "\nL000088,2026-08-01,2026-09-01,100000\n"
	require.NoError(t, os.WriteFile(outcomes, []byte(withTypo), 0o644))
	line := strings.Count(withTypo, "\n")
	want := outcomes + ":" + strconv.Itoa(line) + `: no lead in the leads file has the id "L000088", so its outcome (a won deal of 100,000) counts nowhere in this report; check the lead_id, or give the file that holds that lead`
	summary := "1 outcome row of " + outcomes + " names no lead of the leads file (1 won deal, revenue 100,000): not counted in this report"

	code, stdout, stderr := leadscore(t, "", "attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", outcomes, "--at", "2027-02-01", "--models", "first_touch", "--format", "json")
	assert.Equal(t, exitProblem, code, stderr)
	assert.Contains(t, stderr, want)
	assert.Contains(t, stderr, summary)
	var rep struct {
		Warnings []string `json:"warnings"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.True(t, containsPrefix(rep.Warnings, summary), "the report's warnings: %q", rep.Warnings)

	code, _, stderr = leadscore(t, "", "feedback", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", outcomes, "--dispositions", td("dispositions.csv"), "--at", "2027-02-01")
	assert.Equal(t, exitProblem, code, stderr)
	assert.Contains(t, stderr, want)
	assert.Contains(t, stderr, summary)

	code, _, stderr = leadscore(t, "", "backtest", "--model", td("b2b-saas.yaml"), "--outcomes", outcomes, "--at", "2026-07-01", td("leads.ndjson"))
	assert.Equal(t, exitProblem, code, stderr)
	assert.Contains(t, stderr, want)
	assert.Contains(t, stderr, summary)

	// The bundled outcomes name only leads of the file: nothing is said.
	code, _, stderr = leadscore(t, "", "attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2027-02-01", "--models", "first_touch")
	assert.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stderr, "names no lead")
}

func containsPrefix(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// A lead row whose JSON fails to decode (a number out of range) keeps its
// id in its result row and its message, when the id comes first.
func TestBrokenRowKeepsItsID(t *testing.T) {
	leads := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(`{"id":"N1","email":"a@acme.io"}`+"\n"+`{"id":"N2","email":"b@acme.io","annual_revenue":1e400}`+"\n"), 0o644))
	code, stdout, stderr := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code, stderr)
	assert.Contains(t, stdout, `{"id":"N2","line":2,"error":"the number 1e400 at byte 54 is out of range`)
	assert.Contains(t, stderr, leads+":2: lead N2: the number 1e400")
}

// A lead whose row breaks (its id read before the break) failed; it is no
// missing lead: backtest counts its outcome row among the failed leads'
// (as the Beam pipeline does), names the lead in its message, and its
// report's warnings sum both kinds of uncounted rows; feedback says its
// verdict is left out with it. A row broken before its id is a lead the
// outcome rows may belong to, and the unmatched line says so.
func TestFailedLeadIsNoMissingLead(t *testing.T) {
	raw, err := os.ReadFile(td("backtest/leads.ndjson"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	require.True(t, strings.HasPrefix(lines[12], `{"id":"L0000013",`))
	lines[12] = strings.TrimSuffix(lines[12], "}")   // L0000013, won 4,200: its closing brace lost
	lines[18] = `{"email":"x@y.io" "id":"L0000019"}` // broken before its id
	leads := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(strings.Join(lines, "\n")+"\n"), 0o644))

	code, stdout, stderr := leadscore(t, "", "backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("backtest/outcomes.csv"),
		"--at", "2026-07-01", "--until", "2026-10-01", "--format", "json", leads)
	assert.Equal(t, exitProblem, code, stderr)
	assert.Contains(t, stderr, leads+":13: lead L0000013: broken JSON")
	assert.NotContains(t, stderr, `the id "L0000013"`, "L0000013 failed; it is not missing")
	var rep struct {
		Leads struct {
			WithoutLead int `json:"outcomes_without_lead"`
			OfFailed    int `json:"outcomes_of_failed_leads"`
		} `json:"leads"`
		Warnings []string `json:"warnings"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.Equal(t, 1, rep.Leads.OfFailed, "L0000013's row")
	assert.True(t, containsPrefix(rep.Warnings, "1 row of the outcomes file belongs to leads that failed (1 won deal, revenue 4,200)"), "%q", rep.Warnings)
	assert.Equal(t, 1, rep.Leads.WithoutLead, "L0000019's (won 4,800): its row broke before its id")
	assert.True(t, containsPrefix(rep.Warnings, "1 row of the outcomes file names no lead of the leads file (1 won deal, revenue 4,800)"), "%q", rep.Warnings)
	assert.Contains(t, stderr, "1 row of the leads file failed before their id could be read (named above), so an outcome row here may be one of theirs")
}
