package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createdLeadLevelInputs are five leads of a model that does not declare
// created_at: L1 created before the as-of time 2026-10-01, L2 after it,
// L3 with created_at "soon" (no time), L4 with created_at "" (no
// creation time, as an empty CSV cell: it exists from its first event,
// 2026-09-20) and L5 with the number 1727000000 (no time either).
func createdLeadLevelInputs(t *testing.T) (model, leads, outcomes string) {
	ev := `"events":[{"type":"demo_request","at":"2026-09-20T10:00:00Z"}]`
	leads = writeTemp(t, "leads.ndjson", strings.Join([]string{
		`{"id":"L1","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-09-01T00:00:00Z",` + ev + `}`,
		`{"id":"L2","email":"ben@acme.com","title":"VP Sales","country":"US","created_at":"2026-12-01T00:00:00Z",` + ev + `}`,
		`{"id":"L3","email":"cai@acme.com","title":"VP Data","country":"US","created_at":"soon",` + ev + `}`,
		`{"id":"L4","email":"dee@acme.com","title":"VP IT","country":"US","created_at":"",` + ev + `}`,
		`{"id":"L5","email":"eve@acme.com","title":"CTO","country":"US","created_at":1727000000,` + ev + `}`,
	}, "\n")+"\n")
	outcomes = writeTemp(t, "outcomes.csv", "lead_id,opportunity,won,revenue\nL1,2026-10-10T00:00:00Z,2026-11-01T00:00:00Z,1000\nL3,2026-10-10T00:00:00Z,2026-11-01T00:00:00Z,1000\n")
	return td("accounts/attribution/model.yaml"), leads, outcomes
}

// At lead level too (backtest, attribute), the created field is one rule
// with the account commands': a value that is no time fails the lead at
// its line (it was read as absent, so a lead of "soon" counted as won in
// the backtest), empty text is no creation time, and the field is known
// data though the model does not declare it (it was called an unknown
// key while it left leads out).
func TestCreatedFieldAtLeadLevel(t *testing.T) {
	model, leads, outcomes := createdLeadLevelInputs(t)
	soon := `leads.ndjson:3: lead L3: created_at is "soon", not a time: it says when the lead was created; write it as 2026-09-29T10:00:00Z (RFC 3339), or leave it out to take the lead's first event`
	number := `leads.ndjson:5: lead L5: created_at is 1727000000, not a time`

	code, out, errOut := leadscore(t, "", "backtest", "--model", model, "--at", "2026-10-01", "--outcomes", outcomes, "--format", "json", leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, soon)
	assert.Contains(t, errOut, number)
	assert.NotContains(t, errOut, "unknown key")
	// 5 rows = 2 failed (L3, L5) + 2 in the backtest (L1, L4) + 1 not
	// created by T0 (L2); L3's won deal is not counted.
	assert.Contains(t, errOut, "5 lead rows read: 2 failed, 3 used = 2 in the backtest + 1 not created by T0")
	var bt struct {
		Leads struct {
			Failed                int `json:"failed"`
			InBacktest            int `json:"in_backtest"`
			NotCreated            int `json:"not_created"`
			OutcomesWithoutLead   int `json:"outcomes_without_lead"`
			OutcomesOfFailedLeads int `json:"outcomes_of_failed_leads"`
		} `json:"leads"`
		Won int `json:"won"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &bt), out)
	assert.Equal(t, 2, bt.Leads.Failed, "as stderr counts them")
	assert.Equal(t, 2, bt.Leads.InBacktest)
	assert.Equal(t, 1, bt.Leads.NotCreated)
	// L3's outcome row belongs to a lead that failed: it names no lead
	// that is not in the file.
	assert.Equal(t, 0, bt.Leads.OutcomesWithoutLead)
	assert.Equal(t, 1, bt.Leads.OutcomesOfFailedLeads, "L3's, whose lead failed")
	assert.Equal(t, 1, bt.Won, "L1's deal only")
	code, out, _ = leadscore(t, "", "backtest", "--model", model, "--at", "2026-10-01", "--outcomes", outcomes, leads)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, 1, strings.Count(out, "1 row of the outcomes file belongs to leads that failed ("), "said once, in the warnings: "+out)
	assert.Contains(t, out, "; and 2 lead rows failed.")
	assert.Equal(t, 1, strings.Count(out, "Lead rows that failed: 2 of the 5 read"), out)
	assert.NotContains(t, out, "name no lead")
	assert.NotContains(t, out, "names no lead")

	code, _, errOut = leadscore(t, "", "attribute", "--model", model, "--at", "2026-10-01", "--outcomes", outcomes, "--leads", leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, soon)
	assert.Contains(t, errOut, number)
	assert.NotContains(t, errOut, "unknown key")
	assert.Contains(t, errOut, "5 lead rows read: 2 journeys used, 1 created after --at, 2 failed")

	// --strict-data refuses no lead for the created field.
	code, _, errOut = leadscore(t, "", "attribute", "--strict-data", "--model", model, "--at", "2026-10-01", "--outcomes", outcomes, "--leads", leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, "5 lead rows read: 2 journeys used, 1 created after --at, 2 failed")
}

// Empty text in the created field is no creation time in the account
// commands too (it failed the lead there, while an empty CSV cell was
// absent): L4 is one of acme's people from its first event; L3 and L5,
// no time, fail at their lines.
func TestCreatedFieldEmptyIsAbsent(t *testing.T) {
	model, leads, _ := createdLeadLevelInputs(t)
	accounts := writeTemp(t, "accounts.ndjson", `{"id":"A1","domain":"acme.com","industry":"Software","employees":1200}`+"\n")
	code, _, errOut := leadscore(t, "", "score", "--model", model, "--accounts", accounts, "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, `leads.ndjson:3: lead L3: created_at is "soon", not a time`)
	assert.Contains(t, errOut, `leads.ndjson:5: lead L5: created_at is 1727000000, not a time`)
	assert.NotContains(t, errOut, "leads.ndjson:4:")
	assert.Contains(t, errOut, "5 leads: 0 matched by account_id, 3 by domain, 0 unmatched, 2 failed")
}

// explain --account names the leads of the account that failed (their
// creation no time) and exits 1, as score --accounts does; it said
// "(no lead matched this account)" and exited 0.
func TestExplainAccountNamesItsFailedLeads(t *testing.T) {
	model, leads, _ := createdLeadLevelInputs(t)
	accounts := writeTemp(t, "accounts.ndjson", `{"id":"A1","domain":"acme.com","industry":"Software","employees":1200}
{"id":"A2","domain":"globex.com","industry":"Software","employees":1200}
`)
	code, out, errOut := leadscore(t, "", "explain", "--model", model, "--accounts", accounts, "--account", "A1", "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, out, "leads.ndjson:3): failed, so not counted: created_at is \"soon\", not a time")
	assert.Contains(t, out, "leads.ndjson:5): failed, so not counted: created_at is 1727000000, not a time")
	assert.Contains(t, out, "leads.ndjson:2): not yet a person of this account")
	assert.Contains(t, errOut, "leads.ndjson:3: lead L3: created_at is \"soon\"")

	code, out, _ = leadscore(t, "", "explain", "--format", "json", "--model", model, "--accounts", accounts, "--account", "A1", "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code)
	var x struct {
		People int `json:"people"`
		Failed []struct {
			ID   string `json:"id"`
			Line int    `json:"line"`
		} `json:"failed"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &x), out)
	assert.Equal(t, 2, x.People, "L1 and L4")
	require.Len(t, x.Failed, 2)
	assert.Equal(t, "L3", x.Failed[0].ID)
	assert.Equal(t, 5, x.Failed[1].Line)

	// A2 has none of them: no failed lead is named, but one failed.
	code, out, _ = leadscore(t, "", "explain", "--model", model, "--accounts", accounts, "--account", "A2", "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, "(no lead matched this account)")
	assert.NotContains(t, out, "failed, so not counted")
}

// explain --account's "not yet a person" line gives the creation to the
// nanosecond (1ns after the as-of time read as the as-of time itself)
// and says when it is the lead's first event, for want of a creation
// time.
func TestExplainAccountNotYetPrecise(t *testing.T) {
	model := td("accounts/attribution/model.yaml")
	accounts := writeTemp(t, "accounts.ndjson", `{"id":"A1","domain":"acme.com","industry":"Software","employees":1200}`+"\n")
	leads := writeTemp(t, "leads.ndjson", `{"id":"L1","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-10-01T00:00:00.000000001Z"}
{"id":"L2","email":"bo@acme.com","title":"CTO","country":"US","events":[{"type":"demo_request","at":"2026-10-02T10:00:00Z"}]}
`)
	code, out, errOut := leadscore(t, "", "explain", "--model", model, "--accounts", accounts, "--account", "A1", "--at", "2026-10-01", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "leads.ndjson:1): not yet a person of this account: created 2026-10-01T00:00:00.000000001Z, after the as-of time")
	assert.Contains(t, out, "leads.ndjson:2): not yet a person of this account: no creation time; first event at 2026-10-02T10:00:00Z, after the as-of time")
}

// An accounts file with no account is an error in either format (an
// empty or byte-order-mark-only NDJSON file gave "0 accounts" and status
// 0, every lead unmatched, where CSV failed with status 2).
func TestAccountsFileWithNoAccount(t *testing.T) {
	model, leads, _ := createdLeadLevelInputs(t)
	for _, tc := range []struct{ name, body, want string }{
		{"empty.ndjson", "", "holds no account; an NDJSON accounts file holds one account a line"},
		{"bom.ndjson", "\ufeff", "holds no account; an NDJSON accounts file holds one account a line"},
		{"blank.ndjson", "\n\n", "holds no account; an NDJSON accounts file holds one account a line"},
		{"empty.csv", "", "the file is empty; a CSV accounts file starts with a header row"},
		{"header.csv", "id,domain\n", "holds no account; a CSV accounts file has a header row, then one account a row"},
	} {
		accounts := writeTemp(t, tc.name, tc.body)
		code, _, errOut := leadscore(t, "", "score", "--model", model, "--accounts", accounts, "--at", "2026-10-01", leads)
		assert.Equal(t, exitUsage, code, "%s: %s", tc.name, errOut)
		assert.Contains(t, errOut, tc.want, tc.name)
	}
}
