package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A lead given twice fails its second row in diff, as in backtest and
// feedback: the impact is the one of the leads without it, and the row is
// named with the first.
func TestDiffLeadGivenTwice(t *testing.T) {
	leads, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	var again string
	for _, l := range strings.Split(string(leads), "\n") {
		if strings.HasPrefix(l, `{"id":"L0000093",`) {
			again = l
		}
	}
	require.NotEmpty(t, again)
	dup := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(dup, append(append([]byte(nil), leads...), again+"\n"...), 0o644))
	args := func(file string) []string {
		return []string{"diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--leads", file, "--at", "2026-10-01"}
	}
	code, once, errOut := leadscore(t, "", args(td("leads.ndjson"))...)
	require.Equal(t, exitOK, code, errOut)
	code, twice, errOut := leadscore(t, "", args(dup)...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, ":1001: lead L0000093 appears twice (first at line 93); give each lead one row")
	assert.Contains(t, once, "**Sales-ready: 21 → 23 (+2, +9.5%)** of 1,000 leads: 4 start, 2 stop being sales-ready.")
	assert.Contains(t, twice, "**Sales-ready: 21 → 23 (+2, +9.5%)** of 1,000 leads: 4 start, 2 stop being sales-ready. 1 lead could not be scored and is left out.")
}
