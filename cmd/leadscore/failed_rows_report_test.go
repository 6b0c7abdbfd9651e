package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// badInputs writes the bundled leads with a row of broken JSON and a lead
// given twice, and the bundled outcomes with a row that names no lead.
func badInputs(t *testing.T) (leads, outcomes string) {
	t.Helper()
	dir := t.TempDir()
	raw, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	lines = append(lines, `{"id":"LBROKEN",}`, lines[3])
	leads = filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	out, err := os.ReadFile(td("outcomes.csv"))
	require.NoError(t, err)
	outcomes = filepath.Join(dir, "outcomes.csv")
	require.NoError(t, os.WriteFile(outcomes, append(out, "LNOBODY,2026-06-01T00:00:00Z,2026-07-01T00:00:00Z,500\n"...), 0o644))
	return leads, outcomes
}

// The backtest report says how many lead rows failed, as stderr does:
// the JSON's leads.failed, the sentence that counts the leads and one
// warning in text and markdown, a row of the HTML's counts and a warning
// on its first screen. The outcome row that names no lead is said once
// in each: the report's warnings and stderr.
func TestBacktestReportCountsFailedRows(t *testing.T) {
	leads, outcomes := badInputs(t)
	args := []string{"backtest", "--model", td("b2b-saas.yaml"), "--leads", leads, "--outcomes", outcomes, "--at", "2026-07-01"}
	code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitProblem, code, errOut)
	m := regexp.MustCompile(`(\d+) lead rows read: (\d+) failed, (\d+) used`).FindStringSubmatch(errOut)
	require.NotNil(t, m, errOut)
	read, _ := strconv.Atoi(m[1])
	failed, _ := strconv.Atoi(m[2])
	used, _ := strconv.Atoi(m[3])
	require.Equal(t, 2, failed, "the broken row and the second row of a lead")
	assert.Equal(t, 1, strings.Count(errOut, "names no lead of the leads file"), errOut)
	var rep struct {
		Leads struct {
			Added  int `json:"added"`
			Failed int `json:"failed"`
		} `json:"leads"`
		Warnings []string `json:"warnings"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &rep))
	assert.Equal(t, failed, rep.Leads.Failed)
	assert.Equal(t, used, rep.Leads.Added)
	assert.Equal(t, read, rep.Leads.Added+rep.Leads.Failed)
	assert.Contains(t, rep.Warnings, "Lead rows that failed: 2 of the "+strconv.Itoa(read)+" read (they could not be read or scored, or gave a lead a second time; each is named with its line on stderr): every figure here is over the "+strconv.Itoa(used)+" leads added, not the whole file; fix those rows and run again to count them.")

	for _, format := range []string{"table", "markdown"} {
		code, out, errOut := leadscore(t, "", append(args, "--format", format)...)
		require.Equal(t, exitProblem, code, errOut)
		assert.Contains(t, out, "; and 2 lead rows failed.", format)
		assert.Equal(t, 1, strings.Count(out, "Lead rows that failed: 2 of the"), format)
		assert.Equal(t, 1, strings.Count(out, "names no lead of the leads file"), format+": once, in the warnings")
	}
	code, page, errOut := leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitProblem, code, errOut)
	assert.Regexp(t, `lead rows that failed \(named on stderr\)</td><td[^>]*data-path="leads\.failed" data-value="2"`, page)
	glance := page[strings.Index(page, `<section id="summary"`):strings.Index(page, `<section id="backtest"`)]
	assert.Contains(t, glance, "<li><b>Warning:</b> Backtest: Lead rows that failed: 2 of the")
}

// report runs several commands on the same files: each line they write
// on stderr (a bad lead row, an outcome row that names no lead, their
// sum) is said once, and on the page's first screen a warning feedback
// and attribution both give is one line naming both.
func TestReportSaysEachLineOnce(t *testing.T) {
	leads, outcomes := badInputs(t)
	code, page, errOut := leadscore(t, "", "report", "--model", td("b2b-saas.yaml"), "--leads", leads, "--outcomes", outcomes, "--dispositions", td("dispositions.csv"),
		"--at", "2026-10-01", "--backtest-at", "2026-07-01")
	require.Equal(t, exitProblem, code, errOut)
	lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		if l != "" {
			assert.False(t, seen[l], "said twice on stderr: %s", l)
			seen[l] = true
		}
	}
	for _, want := range []string{`LBROKEN`, `no lead in the leads file has the id "LNOBODY"`, "1 outcome row of " + outcomes + " names no lead of the leads file"} {
		assert.Equal(t, 1, strings.Count(errOut, want), "%s in %s", want, errOut)
	}
	glance := page[strings.Index(page, `<section id="summary"`):strings.Index(page, `<nav>`)]
	assert.Equal(t, 1, strings.Count(glance, "names no lead of the leads file"), glance)
	assert.Contains(t, glance, "<li><b>Warning:</b> What sales said and attribution: 1 outcome row of ")
}
