package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScoreThroughASourceMapping(t *testing.T) {
	code, out, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01",
		"--source", td("crm/hubspot.yaml"), "--events", td("crm/hubspot-activities.csv"), td("crm/hubspot-contacts.csv"))
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, 1000, strings.Count(out, "\n"))
	assert.Contains(t, errOut, "1000 rows in: 1000 scored, 0 failed")
	assert.Contains(t, errOut, "stages: sql (sales-ready) 21, mql 39, engaged 156, no stage 784; disqualified 130")

	code, out, errOut = leadscore(t, "", "explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--brief",
		"--source", td("crm/salesforce.yaml"), "--events", td("crm/salesforce-tasks.csv"), "--id", "00QDn0000000003", td("crm/salesforce-leads.csv"))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "lead 00QDn0000000003, as of 2026-10-01T00:00:00Z: stage none, grade A, total 70")
}

func TestABrokenSourceMapping(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("leadscore: 1\nsource: crm\nid: Record ID\nfields:\n  emial: Email\n"), 0o644))
	code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--source", bad, td("crm/hubspot-contacts.csv"))
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, bad+`:4:1: warning: fields: model b2b-saas requires email, but no column is mapped to it, so every lead will fail; map the column that holds it
    fields:
    ^
`+bad+`:5:3: fields: "emial" is not a field of model b2b-saas; did you mean "email"?
      emial: Email
      ^
leadscore score: --source: `+bad+` has problems; fix them and run again
`, errOut)

	code, out, _ := leadscore(t, "", "check", "--model", td("b2b-saas.yaml"), bad, td("crm/hubspot.yaml"))
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, bad+`:5:3: fields: "emial" is not a field of model b2b-saas; did you mean "email"?`)
	assert.Contains(t, out, "FAIL "+bad+"\n")
	assert.Contains(t, out, "ok   "+td("crm/hubspot.yaml")+" (source mapping hubspot, for model b2b-saas)\n")
}
