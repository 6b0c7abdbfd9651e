package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A CRM that sends a contact's fields in several updates gives the
// required email last: the first updates are kept, not refused, and the
// lead is scored once the email comes, with every field it was given, as
// score scores the whole lead; a run stopped before the email writes the
// same line after it. Only a missing required field is waited for.
func TestStreamLeadGivenInParts(t *testing.T) {
	first := `{"lead_id":"L-1","fields":{"title":"VP Marketing","industry":"software","employees":500,"country":"US","created_at":"2026-09-01T00:00:00Z"}}
{"lead_id":"L-1","id":"e1","type":"demo_request","at":"2026-09-02T10:00:00Z"}
`
	last := `{"lead_id":"L-1","id":"crm-9","fields":{"email":"ana@acme.com"}}
`
	model := td("b2b-saas.yaml")
	code, once, errOut := leadscore(t, first+last, "stream", "--model", model, "--state", t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "3 lines in: 3 applied, 0 duplicates skipped, 0 failed; 1 change written (seq 1 to 1,")
	assert.NotContains(t, errOut, "waits for a required field", "the lead is complete at the end")
	var c changeLine
	require.NoError(t, json.Unmarshal([]byte(once), &c))
	assert.Equal(t, "fields", c.Cause)
	assert.Equal(t, "crm-9", c.ID)
	assert.Nil(t, c.From)
	code, row, errOut := leadscore(t, `{"id":"L-1","email":"ana@acme.com","title":"VP Marketing","industry":"software","employees":500,"country":"US","created_at":"2026-09-01T00:00:00Z","events":[{"type":"demo_request","at":"2026-09-02T10:00:00Z"}]}`+"\n",
		"score", "--model", model, "--at", "2026-09-02T10:00:00Z", "--quiet")
	require.Equal(t, exitOK, code, errOut)
	got, err := json.Marshal(c.Result)
	require.NoError(t, err)
	assert.JSONEq(t, row, string(got), "the change line is score's row of the lead with all its parts")
	assert.Contains(t, string(got), `"fit.decision-maker"`, "the title of the first update counts")

	// Stopped before the email: the lead waits, said and counted; the dump
	// fails it as score would; the restarted run writes the same line.
	dir := t.TempDir()
	code, out, errOut := leadscore(t, first, "stream", "--model", model, "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "2 lines in: 2 applied, 0 duplicates skipped, 0 failed; 0 changes written; event clock 2026-09-02T10:00:00Z; 1 lead waits for a required field, kept unscored until a fields line gives it (L-1: email)\n")
	code, dump, errOut := leadscore(t, "", "stream", "--model", model, "--state", dir, "--dump", "--at", "2026-09-02T10:00:00Z")
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, `{"id":"L-1","error":"lead L-1: email: required but missing"}`+"\n", dump)
	assert.Contains(t, errOut, "1 lead: 0 scored, 1 failed")
	code, again, errOut := leadscore(t, last, "stream", "--model", model, "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, once, again)

	// A lead scored already is not waited for: an update that takes its
	// email away fails its line, and the lead stands as it was.
	code, _, errOut = leadscore(t, `{"lead_id":"L-1","fields":{"email":null}}`+"\n", "stream", "--model", model, "--state", dir)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "stdin:1: lead L-1: email: required but missing\n")
	code, dump, errOut = leadscore(t, "", "stream", "--model", model, "--state", dir, "--dump", "--at", "2026-09-02T10:00:00Z")
	require.Equal(t, exitOK, code, errOut)
	assert.JSONEq(t, row, dump)

	// A value of the wrong type is wrong whatever comes later: its line
	// fails, a missing email beside it or not.
	code, _, errOut = leadscore(t, `{"lead_id":"L-2","fields":{"employees":"many"}}`+"\n", "stream", "--model", model, "--state", dir)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "employees: want")
	assert.NotContains(t, errOut, "waits for a required field")
}

// With accounts, a lead waiting for a required field is counted apart
// (not as waiting for the first event), and matched once it comes.
func TestStreamAccountsLeadGivenInParts(t *testing.T) {
	model, accounts := td("accounts/model.yaml"), td("accounts/accounts.ndjson")
	in := `{"lead_id":"L-1","fields":{"title":"VP Engineering","country":"US","account_id":"A-ACME"}}
{"lead_id":"L-1","id":"e1","type":"demo_request","at":"2026-09-25T10:00:00Z"}
{"lead_id":"L-2","fields":{"email":"ben@acme.com","title":"Engineer","country":"US"}}
{"lead_id":"L-2","id":"e1","type":"page_view","at":"2026-09-26T10:00:00Z","url":"/pricing"}
`
	dir := t.TempDir()
	code, out, errOut := leadscore(t, in, "stream", "--model", model, "--accounts", accounts, "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, out, `"lead_id":"L-1"`, "L-1 is neither scored nor matched yet")
	assert.Contains(t, errOut, "2 leads in the store = 0 matched by id + 1 by domain + 0 to no account + 1 waiting for a required field\n")
	code, out, errOut = leadscore(t, `{"lead_id":"L-1","fields":{"email":"ana@acme.com"}}`+"\n", "stream", "--model", model, "--accounts", accounts, "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.NotEmpty(t, lines)
	var c changeLine
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &c))
	assert.Equal(t, "L-1", c.LeadID)
	assert.True(t, c.Result.SalesReady)
	assert.Contains(t, errOut, "2 leads in the store = 1 matched by id + 1 by domain + 0 to no account\n")
}

// The change line the streaming guide shows is the one its own command
// writes, seq included.
func TestStreamingGuideChangeLine(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guide", "streaming.md"))
	require.NoError(t, err)
	var shown string
	for _, l := range strings.Split(string(guide), "\n") {
		if strings.HasPrefix(l, `{"seq":`) && strings.Contains(l, `"id":"ev-103"`) {
			shown = l
		}
	}
	require.NotEmpty(t, shown, "the guide shows the change line of ev-103")
	code, out, errOut := leadscore(t, "", "stream", "--model", td("b2b-saas.yaml"), "--state", t.TempDir(), td(filepath.Join("stream", "events.ndjson")))
	require.Equal(t, exitOK, code, errOut)
	var written string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, `"id":"ev-103"`) {
			written = l
		}
	}
	assert.Equal(t, written, shown)
}
