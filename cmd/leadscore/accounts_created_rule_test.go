package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notATimeLeads are three leads of A1: one created 2026-09-01, and two
// whose created_at is no time ("soon", a number), each with an event.
func notATimeLeads(t *testing.T) (accounts, leads string) {
	accounts = writeTemp(t, "accounts.ndjson", `{"id":"A1","domain":"acme.com","industry":"Software","employees":1200}
`)
	leads = writeTemp(t, "leads.ndjson", `{"id":"L1","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-09-01T00:00:00Z","events":[{"type":"demo_request","at":"2026-09-20T10:00:00Z","campaign":"c1","channel":"paid"}]}
{"id":"L3","email":"cai@acme.com","title":"Data Analyst","country":"US","created_at":"soon","events":[{"type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}]}
{"id":"L5","email":"eve@acme.com","title":"Engineer","country":"US","created_at":1791158400,"events":[{"type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}]}
`)
	return accounts, leads
}

// A created_at that is no time fails its lead at its line in every
// command that applies the accounts' rule of membership, as in score
// --accounts (TestScoreAccountsCreatedAtNotATime); the others go on, the
// counts say 2 failed, and the run's status says some rows failed.
func TestAccountsCreatedAtNotATimeEverywhere(t *testing.T) {
	accounts, leads := notATimeLeads(t)
	model := td("accounts/attribution/model.yaml")
	disp := writeTemp(t, "disp.csv", "account_id,at,status,reason,owner\nA1,2026-09-25T09:00:00Z,accepted,,ana\n")
	outcomes := writeTemp(t, "outcomes.csv", "account_id,opportunity,won,revenue\nA1,2026-10-10,2026-11-20,48000\n")
	stream := writeTemp(t, "stream.ndjson", `{"lead_id":"L1","fields":{"email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-09-01T00:00:00Z"}}
{"lead_id":"L1","id":"e1","type":"demo_request","at":"2026-09-20T10:00:00Z"}
{"lead_id":"L3","fields":{"email":"cai@acme.com","title":"Data Analyst","country":"US","created_at":"soon"}}
{"lead_id":"L3","id":"e3","type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}
`)
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		counts string
	}{
		{"backtest", []string{"backtest", "--model", model, "--accounts", accounts, "--at", "2026-09-28", "--outcomes", outcomes, "--leads", leads}, "",
			"3 lead rows read: 0 could not be read, 3 leads = 1 matched (1 person at T0 + 0 created after T0) + 0 unmatched + 2 failed"},
		{"diff", []string{"diff", model, model, "--leads", leads, "--accounts", accounts, "--at", "2026-09-28", "--format", "json"}, "",
			"3 leads: under " + model + " 1 matched (0 by account id, 1 by domain), 0 unmatched, 2 failed"},
		{"explain", []string{"explain", "--model", model, "--account", "A1", "--accounts", accounts, "--at", "2026-09-28", leads}, "", ""},
		{"feedback", []string{"feedback", "--model", model, "--accounts", accounts, "--leads", leads, "--dispositions", disp, "--at", "2026-10-01"}, "",
			"3 lead rows: 0 could not be read, 2 failed, 1 matched to an account, 0 unmatched"},
		{"attribute", []string{"attribute", "--model", model, "--accounts", accounts, "--leads", leads, "--outcomes", outcomes, "--at", "2026-12-01"}, "",
			"3 lead rows read: 0 could not be read, 2 failed, 1 matched to an account, 0 unmatched"},
		{"stream", []string{"stream", "--model", model, "--accounts", accounts, "--state", t.TempDir()}, readFileT(t, stream),
			"4 lines in: 3 applied, 0 duplicates skipped, 1 failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := leadscore(t, tc.stdin, tc.args...)
			name := "leads.ndjson"
			if tc.name == "stream" {
				name = "stdin"
			}
			assert.Contains(t, errOut, name+`:`+map[bool]string{true: "3", false: "2"}[tc.name == "stream"]+`: lead L3: created_at is "soon", not a time`)
			if tc.name != "stream" {
				assert.Contains(t, errOut, `leads.ndjson:3: lead L5: created_at is 1791158400, not a time`)
			}
			assert.Contains(t, errOut, "write it as 2026-09-29T10:00:00Z (RFC 3339), or leave it out")
			if tc.counts != "" {
				assert.Contains(t, errOut, tc.counts)
			}
			// explain --account too: a lead that failed may be one of the
			// account's people (its status was 0).
			assert.Equal(t, exitProblem, code, errOut)
		})
	}
}

// The created field decides membership, so no account command calls it
// unknown data; other unknown keys are warned, by score --accounts too
// (it warned of none of its leads').
func TestAccountsUnknownDataConsistent(t *testing.T) {
	accounts := writeTemp(t, "accounts.ndjson", `{"id":"A1","domain":"acme.com","industry":"Software","employees":1200}
`)
	leads := writeTemp(t, "leads.ndjson", `{"id":"L1","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-09-01T00:00:00Z","events":[{"type":"demo_request","at":"2026-09-20T10:00:00Z","campaign":"c1","channel":"paid"}]}
{"id":"L2","email":"bo@acme.com","titel":"CTO","country":"US","created_at":"2026-09-02T00:00:00Z","events":[{"type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}]}
`)
	model := td("accounts/attribution/model.yaml")
	disp := writeTemp(t, "disp.csv", "account_id,at,status,reason,owner\nA1,2026-09-25T09:00:00Z,accepted,,ana\n")
	outcomes := writeTemp(t, "outcomes.csv", "account_id,opportunity,won,revenue\nA1,2026-10-10,2026-11-20,48000\n")

	code, _, errOut := leadscore(t, "", "score", "--model", model, "--accounts", accounts, "--at", "2026-09-28", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "leads: unknown key \"titel\" in 1 row; did you mean \"title\"?\n(no rule reads data the model does not declare")
	assert.NotContains(t, errOut, "created_at")
	// Scored as leads, created_at decides nothing: it is unknown.
	_, _, errOut = leadscore(t, "", "score", "--model", model, "--at", "2026-09-28", leads)
	assert.Contains(t, errOut, `unknown key "created_at" in 2 rows`)
	assert.Contains(t, errOut, `unknown key "titel" in 1 row`)

	for _, args := range [][]string{
		{"backtest", "--model", model, "--accounts", accounts, "--at", "2026-09-28", "--outcomes", outcomes, "--leads", leads},
		{"diff", model, model, "--leads", leads, "--accounts", accounts, "--at", "2026-09-28", "--format", "json"},
		{"feedback", "--model", model, "--accounts", accounts, "--leads", leads, "--dispositions", disp, "--at", "2026-10-01"},
		{"attribute", "--model", model, "--accounts", accounts, "--leads", leads, "--outcomes", outcomes, "--at", "2026-12-01"},
		{"score", "--model", model, "--accounts", accounts, "--at", "2026-09-28", "--strict-data", leads},
		// explain --account warned of none; at lead level, backtest and
		// attribute leave leads out by created_at, so it is known there.
		{"explain", "--model", model, "--account", "A1", "--accounts", accounts, "--at", "2026-09-28", leads},
		{"backtest", "--model", model, "--at", "2026-09-28", "--outcomes", writeTemp(t, "lout.csv", "lead_id,opportunity,won,revenue\nL1,2026-10-10,,\n"), leads},
		{"attribute", "--model", model, "--leads", leads, "--at", "2026-12-01"},
	} {
		_, _, errOut := leadscore(t, "", args...)
		assert.NotContains(t, errOut, `"created_at"`, strings.Join(args[:1], " "))
		assert.Contains(t, errOut, `"titel"`, args[0])
	}
	// stream --accounts: a lead's result lists its unknown keys, created_at
	// not among them.
	code, out, errOut := leadscore(t, `{"lead_id":"L2","fields":{"email":"bo@acme.com","titel":"CTO","created_at":"2026-09-02T00:00:00Z"}}
{"lead_id":"L2","id":"e2","type":"demo_request","at":"2026-09-21T10:00:00Z"}
`, "stream", "--model", model, "--accounts", accounts, "--state", t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `"unknown":[{"kind":"key","name":"titel","did_you_mean":"title"}]`)
	assert.NotContains(t, out, `"created_at"`)
}

// explain --account names the leads matched to the account but created
// after the as-of time, with their line and creation, among its people
// (it said "no lead matched this account"); its JSON lists them in
// not_yet_created. A Hooli CTO created 2026-12-01, explained at 2026-10-01.
func TestExplainAccountNamesNotYetCreated(t *testing.T) {
	src := readFileT(t, td("accounts/attribution/leads.ndjson"))
	leads := writeTemp(t, "leads.ndjson", src+`{"id":"L17","email":"cto@hooli.com","title":"CTO","country":"US","created_at":"2026-12-01T00:00:00Z","events":[]}
`)
	line := strings.Count(src, "\n") + 1
	args := []string{"explain", "--model", td("accounts/attribution/model.yaml"), "--account", "A-HOOLI", "--accounts", td("accounts/accounts.ndjson"), "--at", "2026-10-01", leads}
	code, out, errOut := leadscore(t, "", args...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "buying group: 0 people, 0 engaged\n")
	assert.Contains(t, out, "\npeople:\n  L17 ("+leads+":"+strconv.Itoa(line)+"): not yet a person of this account: created 2026-12-01T00:00:00Z, after the as-of time\n")
	assert.NotContains(t, out, "no lead matched this account")

	code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var r struct {
		People int `json:"people"`
		NotYet []struct {
			ID      string    `json:"id"`
			Line    int       `json:"line"`
			Created time.Time `json:"created"`
		} `json:"not_yet_created"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &r))
	assert.Zero(t, r.People)
	require.Len(t, r.NotYet, 1)
	assert.Equal(t, "L17", r.NotYet[0].ID)
	assert.Equal(t, line, r.NotYet[0].Line)
	assert.Equal(t, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), r.NotYet[0].Created)

	// A year later it is one of its people, and no longer named so.
	code, out, errOut = leadscore(t, "", "explain", "--model", td("accounts/attribution/model.yaml"), "--account", "A-HOOLI", "--accounts", td("accounts/accounts.ndjson"), "--at", "2027-10-01", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, out, "not yet a person")
	assert.Contains(t, out, "  L17 (by domain)")
}

// An accounts row that is JSON but no object is named as the account row
// (it said "for the lead"); an accounts file holding a byte-order mark
// alone is empty, as NDJSON (no accounts, an error: it failed a row as
// broken JSON, then scored no account) and as CSV (no header: the file is empty, where it read
// no accounts and said nothing).
func TestAccountsFileOddRows(t *testing.T) {
	model, leads := td("accounts/model.yaml"), td("accounts/leads.ndjson")
	list := writeTemp(t, "accounts.ndjson", "[1,2]\n"+`{"id":"A1","domain":"acme.com","industry":"Software","employees":1200}`+"\n")
	code, _, errOut := leadscore(t, "", "score", "--model", model, "--accounts", list, "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "accounts.ndjson:1: want a JSON object {...} for the account row, got a list [...]\n")
	assert.Contains(t, errOut, "2 accounts in: 1 scored, 1 failed")
	// A lead's row is still the lead's.
	code, _, errOut = leadscore(t, "[1]\n", "score", "--model", model, "--at", "2026-10-01")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "stdin:1: want a JSON object {...} for the lead, got a list [...]")

	bom := writeTemp(t, "bom.ndjson", "\ufeff")
	code, _, errOut = leadscore(t, "", "score", "--model", model, "--accounts", bom, "--at", "2026-10-01", leads)
	// No account is an error, as in CSV (it scored "0 accounts", status 0,
	// every lead unmatched).
	assert.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "bom.ndjson holds no account; an NDJSON accounts file holds one account a line")
	bomCSV := writeTemp(t, "bom.csv", "\ufeff\n")
	code, _, errOut = leadscore(t, "", "score", "--model", model, "--accounts", bomCSV, "--at", "2026-10-01", leads)
	assert.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "bom.csv: the file is empty (but for a byte-order mark); a CSV accounts file starts with a header row")
}
