package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// NDJSON files and aggregated paths are told too: UTF-16 (with its mark or
// without) stops at line 1 with the fix, for leads, journeys and paths;
// a line with Windows-1252 bytes fails alone, saying what it reads as,
// where Go's JSON decoder read them as U+FFFD and the lead was scored as
// if its title were another. A file of NULs (/dev/zero) is no UTF-16.
func TestNotUTF8NDJSONAndPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		f := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(f, b, 0o644))
		return f
	}
	leads := mustRead(t, td("leads.ndjson"))
	first3 := strings.Join(strings.SplitN(leads, "\n", 4)[:3], "\n") + "\n"
	for _, bom := range []bool{true, false} {
		f := write("leads-u16.ndjson", utf16Bytes(first3, false, bom))
		code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", f)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, errOut, f+":1: the file is UTF-16 text")

		j := write("j-u16.ndjson", utf16Bytes(strings.SplitN(mustRead(t, td("journeys.ndjson")), "\n", 2)[0]+"\n", false, bom))
		code, _, errOut = leadscore(t, "", "attribute", "--journeys", j)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, errOut, j+": the file is UTF-16 text")

		p := write("paths-u16.csv", utf16Bytes("path,total_conversions,total_conversion_value,total_null\nA > B,1,10,2\n", false, bom))
		code, _, errOut = leadscore(t, "", "attribute", "--paths", p)
		assert.NotEqual(t, exitOK, code)
		assert.Contains(t, errOut, p+":1: the file is UTF-16 text")
	}

	// "Directeur Général" in Windows-1252: é is the one byte 0xE9.
	line := strings.Replace(strings.SplitN(leads, "\n", 2)[0], `"title":"Marketing Intern"`, "\"title\":\"Directeur G\xe9n\xe9ral\"", 1)
	require.Contains(t, line, "G\xe9n")
	f := write("leads-1252.ndjson", []byte(line+"\n"+strings.SplitN(leads, "\n", 3)[1]+"\n"))
	code, out, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", f)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, f+":1: lead L0000001: the line is not UTF-8 text (at byte ")
	assert.Contains(t, errOut, `Directeur Général`)
	assert.Contains(t, errOut, "2 rows in: 1 scored, 1 failed")
	assert.Contains(t, out, `"id":"L0000002","total"`)
}

// In a CRM's activities export read through a mapping, a cell that is not
// UTF-8 fails the lead its row names, as a cell that does not read fails
// it (and as in a plain events file), not the whole run.
func TestNotUTF8MappedActivityFailsItsLead(t *testing.T) {
	tasks := strings.SplitN(mustRead(t, td("crm/salesforce-tasks.csv")), "\n", 3)
	require.Len(t, tasks, 3)
	// The first activity row, one of its cells given a Windows-1252 é.
	bad := strings.Replace(tasks[1], "a", "\xe9", 1)
	require.NotEqual(t, tasks[1], bad)
	f := writeTemp(t, "tasks-1252.csv", tasks[0]+"\n"+bad+"\n"+tasks[2])
	code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--source", td("crm/salesforce.yaml"), "--events", f, "-o", filepath.Join(t.TempDir(), "o.ndjson"), td("crm/salesforce-leads.csv"))
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, f+":2: column ")
	assert.Contains(t, errOut, "is not UTF-8 text")
	assert.Contains(t, errOut, "1000 rows in: 999 scored, 1 failed")
}
