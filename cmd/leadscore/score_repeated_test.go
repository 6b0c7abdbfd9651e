package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A lead id given in two rows is scored twice and counted twice, as
// documented; stderr says so, naming the id and both lines.
func TestScoreWarnsOfARepeatedID(t *testing.T) {
	leads, err := os.ReadFile(td("leads.csv"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(leads), "\n")
	dir := t.TempDir()
	in := filepath.Join(dir, "leads.csv")
	// Lines 1 to 4, then line 3 (L0000002) again as line 5.
	require.NoError(t, os.WriteFile(in, []byte(strings.Join(append(lines[:4:4], lines[2]), "")), 0o644))
	code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--events", td("events.csv"), "-o", filepath.Join(dir, "o.ndjson"), in)
	assert.Equal(t, exitProblem, code) // the events of the leads not given
	assert.Contains(t, errOut, "warning: "+in+":5: lead L0000002 is given again (first on line 3): both rows are scored, each with all of the lead's events, and both count in the summary; remove one row, or merge the two in the CRM\n")
	assert.Contains(t, errOut, "4 rows in: 4 scored, 0 failed")

	// The first five rows that repeat an id are named, the rest counted.
	var b strings.Builder
	b.WriteString(lines[0])
	for range 4 { // rows on lines 2-4, 5-7, 8-10, 11-13: 9 rows repeat an id
		b.WriteString(strings.Join(lines[1:4], ""))
	}
	many := filepath.Join(dir, "many.csv")
	require.NoError(t, os.WriteFile(many, []byte(b.String()), 0o644))
	code, _, errOut = leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--events", td("events.csv"), "-o", filepath.Join(dir, "o.ndjson"), many)
	assert.Equal(t, exitProblem, code) // the events of the leads not given
	assert.Contains(t, errOut, "warning: "+many+":5: lead L0000001 is given again (first on line 2): both rows are scored, each with all of the lead's events")
	assert.Contains(t, errOut, "warning: "+many+":9: lead L0000002 is given again (first on line 3)")
	assert.NotContains(t, errOut, many+":10: lead")
	assert.Equal(t, 5, strings.Count(errOut, "is given again"))
	assert.Contains(t, errOut, "warning: 4 more rows repeat an earlier row's lead id (9 in all), not shown here; each is scored and counted\n")
	assert.Contains(t, errOut, "12 rows in: 12 scored, 0 failed")

	// Without an events file score keeps its memory flat: no id is kept,
	// and both rows are in its output.
	nd, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	first := strings.SplitAfter(string(nd), "\n")[:3]
	code, out, errOut := leadscore(t, strings.Repeat(strings.Join(first, ""), 2), "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01")
	assert.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, errOut, "given again")
	assert.Equal(t, 2, strings.Count(out, `{"id":"L0000001"`))
	assert.Contains(t, errOut, "6 rows in: 6 scored, 0 failed")

	// Distinct ids: no warning.
	_, _, errOut = leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", td("leads.ndjson"))
	assert.NotContains(t, errOut, "given again")
}
