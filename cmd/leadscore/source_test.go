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
	assert.Equal(t, bad+`:4:1: fields: model b2b-saas requires email, but no column is mapped to it, so every lead would fail; map the column that holds it
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

// leadscore check reports each class of mapping problem at its line and
// column, with and without --model: zone abbreviations in a layout or as
// the zone, an ambiguous number format, an empty list of words, one column
// for two of events' id, lead, type and at, one column for two fields (a
// warning), and an event type the model does not declare; a second YAML
// document on its own.
func TestCheckSourceMappingProblems(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(`leadscore: 1
source: crm
id: Record ID
timezone: EST
fields:
  email: Email
  title: Email
  created_at: {column: Created, layout: "2006-01-02 15:04 MST"}
  employees: {column: Employees, format: "1.234"}
  unsubscribed: {column: Unsub, "true": []}
events:
  id: Record ID
  lead: Record ID
  type: Type
  at: Date
`), 0o644))
	code, out, _ := leadscore(t, "", "check", bad)
	assert.Equal(t, exitProblem, code)
	for _, want := range []string{
		bad + `:4:11: timezone: "EST" is a fixed offset, -05:00 all year, not a place`,
		bad + `:8:41: fields.created_at.layout: "2006-01-02 15:04 MST" reads a zone abbreviation (MST)`,
		bad + `:9:42: fields.employees.format: "1.234" is ambiguous`,
		bad + `:10:41: fields.unsubscribed.true: an empty list`,
		bad + `:13:9: events.lead: column "Record ID" is also events.id (` + bad + `:12:7)`,
		"FAIL " + bad + "\n",
	} {
		assert.Contains(t, out, want)
	}

	second := filepath.Join(dir, "second.yaml")
	require.NoError(t, os.WriteFile(second, []byte("leadscore: 1\nsource: crm\nid: Record ID\nfields: {email: Email}\n---\nevents: {lead: Record ID, type: T, at: A}\n"), 0o644))
	code, out, _ = leadscore(t, "", "check", second)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, second+`:5:1: a second YAML document starts here (after ---)`)

	warn := filepath.Join(dir, "warn.yaml")
	require.NoError(t, os.WriteFile(warn, []byte("leadscore: 1\nsource: crm\nid: Record ID\nfields: {email: Email, title: Email}\nevents: {lead: Record ID, type: {column: T, values: {Demo: demo}}, at: A}\n"), 0o644))
	code, out, _ = leadscore(t, "", "check", warn)
	assert.Equal(t, exitOK, code, out)
	assert.Contains(t, out, warn+`:4:31: warning: fields.title: column "Email" is also mapped to fields.email (`+warn+`:4:17)`)
	code, out, _ = leadscore(t, "", "check", "--model", td("b2b-saas.yaml"), warn)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, warn+`:4:31: warning: fields.title: column "Email" is also mapped to fields.email`)
	assert.Contains(t, out, warn+`:5:60: events.type.values: "Demo" reads as event type "demo", which model b2b-saas does not declare; did you mean "demo_request"?`)
}

// The summary of a run counts the activities exported twice.
func TestScoreCountsRepeatedActivities(t *testing.T) {
	code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01",
		"--source", td("crm/hubspot.yaml"), "--events", td("crm/hubspot-activities.csv"), td("crm/hubspot-contacts.csv"))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "warning: "+td("crm/hubspot-activities.csv")+`:99: 54 activity rows repeat an earlier row's id (column "Activity ID") and content; counted once`)
	assert.Contains(t, errOut, "\n54 activity rows repeat an earlier row's id and content; counted once")
}
