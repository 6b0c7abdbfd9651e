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

// With --accounts, a lead given twice leaves its account's impact as it
// is with the lead once: the first row stands in its account, as in the
// leads' impact, and the account is not left out.
func TestDiffAccountsLeadGivenTwice(t *testing.T) {
	leads, err := os.ReadFile(td(filepath.Join("accounts", "leads.ndjson")))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(leads), "\n")
	dir := t.TempDir()
	once, twice := filepath.Join(dir, "once.ndjson"), filepath.Join(dir, "twice.ndjson")
	require.NoError(t, os.WriteFile(once, leads, 0o644))
	require.NoError(t, os.WriteFile(twice, append(append([]byte(nil), leads...), lines[2]...), 0o644))
	impact := func(file string) string {
		code, out, errOut := leadscore(t, "", "diff", td(filepath.Join("accounts", "model.yaml")), td(filepath.Join("accounts", "model-v2.yaml")), "--leads", file, "--accounts", td(filepath.Join("accounts", "accounts.ndjson")), "--at", "2026-10-01")
		require.NotEqual(t, exitUsage, code, errOut)
		assert.NotContains(t, errOut, "left out of the account impact")
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "accounts:") && strings.HasPrefix(l, "**Sales-ready:") {
				return l
			}
		}
		t.Fatalf("no account impact in %s", out)
		return ""
	}
	assert.Equal(t, impact(once), impact(twice))
}
