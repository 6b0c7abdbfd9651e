package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// explain --id finds its lead when other rows cannot be read: broken
// JSON before and after it, and a row that is JSON but no lead, in NDJSON;
// a row cut short in CSV. Each is a warning on stderr with its line, and
// the lead is explained as from the file without them. The lead's own
// row broken still fails, with its line.
func TestExplainIDPastBrokenRows(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	args := []string{"explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--id", "L0000010"}
	_, want, _ := leadscore(t, "", append(args, td("leads.ndjson"))...)
	require.Contains(t, want, "lead L0000010")

	bad := append([]string{`{"id":"L0000001",`, `{"id": "X1", "events": "not a list"}`}, lines[:12]...)
	bad = append(bad, `{"id":"BROKEN",}`, "[1, 2")
	bad = append(bad, lines[12:20]...)
	name := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(name, []byte(strings.Join(bad, "\n")+"\n"), 0o644))
	code, out, errOut := leadscore(t, "", append(args, name)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, want, out)
	for _, line := range []string{":1: ", ":2: ", ":15: ", ":16: "} {
		assert.Contains(t, errOut, "leadscore explain: warning: "+name+line, "line %s", line)
	}
	assert.Equal(t, 4, strings.Count(errOut, "skipped, as it is not lead L0000010"), errOut)

	// The lead's own row broken: it fails, named.
	own := append([]string{}, lines[:20]...)
	own[9] = strings.Replace(own[9], `"events"`, `"events":,`, 1)
	require.NoError(t, os.WriteFile(name, []byte(strings.Join(own, "\n")+"\n"), 0o644))
	code, _, errOut = leadscore(t, "", append(args, name)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, name+":10: ")

	// CSV: a row cut short is said and skipped.
	csvLeads := filepath.Join(dir, "leads.csv")
	b, err := os.ReadFile(td("leads.csv"))
	require.NoError(t, err)
	rows := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	id := strings.Split(rows[5], ",")[0]
	rows = append(rows[:3], append([]string{"CUT,1"}, rows[3:]...)...)
	require.NoError(t, os.WriteFile(csvLeads, []byte(strings.Join(rows, "\n")+"\n"), 0o644))
	code, out, errOut = leadscore(t, "", "explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--id", id, "--events", td("events.csv"), csvLeads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "lead "+id)
	assert.Contains(t, errOut, csvLeads+":4: ")
}
