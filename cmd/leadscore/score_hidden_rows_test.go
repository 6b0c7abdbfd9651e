package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Events rows whose lead no row has have no output row: past the first
// maxShownErrors, stderr says how many more and how to list them all,
// not that "every one has its error in the output".
func TestScoreSaysWhereUnshownEventRowsAre(t *testing.T) {
	leads, err := os.ReadFile(td("leads.csv"))
	require.NoError(t, err)
	three := strings.Join(strings.SplitAfterN(string(leads), "\n", 4)[:3], "")
	dir := t.TempDir()
	in := filepath.Join(dir, "three.csv")
	require.NoError(t, os.WriteFile(in, []byte(three), 0o644))
	args := []string{"score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--events", td("events.csv"), "-o", filepath.Join(dir, "o.ndjson"), in}

	code, _, errOut := leadscore(t, "", args...)
	assert.Equal(t, exitProblem, code)
	assert.NotContains(t, errOut, "every one has its error in the output")
	shown := strings.Count(errOut, "no lead in the leads file has lead_id")
	assert.Equal(t, maxShownErrors, shown)
	assert.Contains(t, errOut, "5283 event rows name a lead_id no lead row has")
	assert.Contains(t, errOut, fmt.Sprintf("(%d more events rows whose lead_id no lead row has are not shown here: they have no output row; --unmatched-events FILE writes them all)", 5283-maxShownErrors))

	list := filepath.Join(dir, "unmatched.txt")
	code, _, errOut = leadscore(t, "", append(args, "--unmatched-events", list)...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, list+" lists them all)")
	got, err := os.ReadFile(list)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	require.Len(t, lines, 5283)
	// Every row of events.csv but the header and the 2 leads' own rows.
	assert.True(t, strings.HasPrefix(lines[0], td("events.csv")+":"), lines[0])
	assert.True(t, strings.HasSuffix(lines[5282], "; the event was not used") && strings.Contains(lines[5282], ": no lead in the leads file has lead_id \""), lines[5282])
	for _, l := range lines[maxShownErrors : maxShownErrors+3] {
		assert.NotContains(t, errOut, l+"\n", "past the first %d, rows are in the file only", maxShownErrors)
	}
}

// Failed lead rows past the first maxShownErrors are counted on stderr,
// and each has its error in its output row.
func TestScoreCountsUnshownLeadRows(t *testing.T) {
	var b strings.Builder
	for i := range maxShownErrors + 7 {
		fmt.Fprintf(&b, "{\"id\":\"L%d\",\"employees\":\"many\"}\n", i)
	}
	code, out, errOut := leadscore(t, b.String(), "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "(7 more failed lead rows are not shown here; each has its error in its row of the output)")
	assert.Equal(t, maxShownErrors+7, strings.Count(out, `"error":`))
}
