package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A report written as CSV holds the figures alone: its warnings (too few
// won deals, verdicts withheld) and notes go to stderr, so that no figure
// reaches its reader without its caveat.
func TestCSVReportsSayTheirWarnings(t *testing.T) {
	code, out, errOut := leadscore(t, "", "backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-10-01", "--format", "csv", td("leads.ndjson"))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "leadscore backtest: warning: Too few outcomes: the backtest has 8 won deals")
	assert.Contains(t, errOut, "leadscore backtest: note: Snapshot view:")
	assert.NotContains(t, out, "Too few outcomes", "the CSV keeps its tables")

	// feedback: a report warning (verdict rows that failed) reaches stderr.
	dir := t.TempDir()
	verdicts := filepath.Join(dir, "verdicts.csv")
	require.NoError(t, os.WriteFile(verdicts, []byte("lead_id,at,status,reason\nL0000001,2026-09-20T00:00:00Z,accepted,\nL0000002,not a time,accepted,\n"), 0o644))
	code, _, errOut = leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--dispositions", verdicts, "--at", "2026-10-01", "--leads", td("leads.ndjson"), "--format", "csv")
	require.NotEqual(t, exitUsage, code, errOut)
	var warned []string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, "leadscore feedback: warning: ") {
			warned = append(warned, l)
		}
	}
	assert.NotEmpty(t, warned, "the report's warning on the failed verdict row: %s", errOut)
}

// An input with no lead rows (an export that failed) is said, even with
// --quiet: NDJSON and a CSV header alone alike.
func TestScoreSaysAnEmptyInput(t *testing.T) {
	dir := t.TempDir()
	empty, header := filepath.Join(dir, "leads.ndjson"), filepath.Join(dir, "leads.csv")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	require.NoError(t, os.WriteFile(header, []byte("id,email,title\n"), 0o644))
	for _, c := range [][]string{{empty}, {"--no-events", header}} {
		code, out, errOut := leadscore(t, "", append([]string{"score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--quiet"}, c...)...)
		require.Equal(t, exitOK, code, errOut)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "holds no lead rows, so nothing was scored; check that its export ran and wrote the leads")
	}
}

// --unmatched-events goes with an events file: without one it is refused,
// rather than writing an empty file.
func TestUnmatchedEventsNeedsEvents(t *testing.T) {
	out := filepath.Join(t.TempDir(), "um.txt")
	code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--unmatched-events", out, td("leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--unmatched-events lists the rows of an events file")
	_, err := os.Stat(out)
	assert.True(t, os.IsNotExist(err), "no file written")
}
