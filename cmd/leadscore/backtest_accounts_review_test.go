package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accountsWithBadRows is the bundled accounts with A-HOOLI's row unreadable
// (line 5: an account has no events) and A-GLOBEX's employees 1e30 (line 2: read, but not scored, as
// a lead's would be).
const accountsWithBadRows = `{"id":"A-ACME","domain":"acme.com","industry":"Software","employees":1200}
{"id":"A-GLOBEX","domain":"globex.io","industry":"Fintech","employees":1e30}
{"id":"A-INITECH","domain":"initech.com","industry":"Manufacturing","employees":90}
{"id":"A-UMBRELLA","domain":"umbrella.com","industry":"SaaS","employees":5000,"customer":true}
{"id":"A-HOOLI","domain":"hooli.com","industry":"Software","employees":40,"events":[{"type":"visit","at":"2026-09-01T00:00:00Z"}]}
`

// A bad account row: its outcome is counted as the outcome of an account
// whose row failed (not "no account"), its leads say its row may be the
// one, and the account that failed to score is listed with its id, line
// and reason in the text report, the JSON and on stderr.
func TestBacktestAccountsBadAccountRows(t *testing.T) {
	dir := td("accounts")
	accounts := writeTemp(t, "accounts.ndjson", accountsWithBadRows)
	src, err := os.ReadFile(filepath.Join(dir, "leads.ndjson"))
	require.NoError(t, err)
	leads := writeTemp(t, "leads.ndjson", string(src)+`{"id":"L98","email":"x@hooli.com","created_at":"2026-09-01T00:00:00Z"}`+"\n"+
		`{"id":"L99","email":"y@gmail.com","account_id":"A-HOOLI","created_at":"2026-09-01T00:00:00Z"}`+"\n")
	args := []string{"backtest", "--model", filepath.Join(dir, "model.yaml"), "--accounts", accounts,
		"--outcomes", filepath.Join(dir, "outcomes.csv"), "--at", "2026-10-01", leads}
	code, out, errOut := leadscore(t, "", args...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, accounts+":5: account A-HOOLI: ")
	assert.Contains(t, errOut, accounts+":2: account A-GLOBEX failed to score: employees: want a whole number, got the number 1e+30; it is left out of the report\n")
	assert.Contains(t, errOut, "5 account rows read: 1 failed to read, 1 failed to score, 3 used = ")
	assert.Contains(t, out, "5 accounts: 2 in the backtest")
	assert.Contains(t, out, "1 failed to score, 1 row could not be read.")
	// The outcomes of A-HOOLI (won) and A-GLOBEX (lost) are not "no account".
	assert.Contains(t, out, "1 row of the outcomes file names no account of the accounts file; not used.", "A-WAYNE's row")
	assert.Contains(t, out, "2 rows of the outcomes file are for accounts whose row failed")
	assert.Contains(t, out, "ACCOUNTS THAT FAILED")
	assert.Regexp(t, `A-GLOBEX +2 +score +employees: want a whole number, got the number 1e\+30\n`, out)
	assert.Contains(t, out, "no account has the domain hooli.com, unless its account's row is one that could not be read (line 5 of the accounts file)")
	assert.Contains(t, out, "its account A-HOOLI's row could not be read (line 5 of the accounts file): fix the row and run again")

	code, out, _ = leadscore(t, "", append(args[:len(args)-1], "--format", "json", args[len(args)-1])...)
	assert.Equal(t, exitProblem, code)
	var j struct {
		Accounts map[string]int `json:"accounts"`
		Failed   []struct {
			ID         string `json:"id"`
			Line       int    `json:"line"`
			Reason     string `json:"reason"`
			Unreadable bool   `json:"unreadable"`
		} `json:"failed_accounts"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	assert.Equal(t, 2, j.Accounts["outcomes_of_failed_accounts"])
	assert.Equal(t, 1, j.Accounts["outcomes_without_account"])
	c := j.Accounts
	assert.Equal(t, c["added"], c["in_backtest"]+c["not_created"]+c["decided"]+c["open_opportunity"]+c["failed"]+c["unreadable"], "the accounts reconcile")
	require.Len(t, j.Failed, 2)
	assert.Equal(t, "A-GLOBEX", j.Failed[0].ID)
	assert.Equal(t, 2, j.Failed[0].Line)
	assert.False(t, j.Failed[0].Unreadable)
	assert.Equal(t, "A-HOOLI", j.Failed[1].ID)
	assert.Equal(t, 5, j.Failed[1].Line)
	assert.True(t, j.Failed[1].Unreadable)

	// attribute --accounts: the outcome of the unreadable account is named
	// with its line, not "the accounts file does not have".
	code, _, errOut = leadscore(t, "", "attribute", "--accounts", accounts, "--leads", td("accounts/attribution/leads.ndjson"),
		"--model", td("accounts/attribution/model.yaml"), "--outcomes", filepath.Join(dir, "outcomes.csv"), "--at", "2026-12-01")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "has outcomes for 1 account whose row could not be read: A-HOOLI ("+accounts+":5)")
	assert.Contains(t, errOut, "some may be of the 1 account row of "+accounts+" that could not be read (line 5)")
}

// Outcome rows: an account given twice keeps its first row, and says so;
// ids differing from an account's only in case or spaces are listed with
// the id meant, in both commands.
func TestAccountsOutcomeRows(t *testing.T) {
	dir := td("accounts")
	two := writeTemp(t, "two.csv", "account_id,opportunity,won,revenue,lost\nA-ACME,2026-10-05,,,2026-10-20\nA-ACME,2026-10-25,2026-12-01,48000,\nA-HOOLI,2026-11-02,2026-12-15,9000,\n")
	code, out, errOut := leadscore(t, "", "backtest", "--model", filepath.Join(dir, "model.yaml"), "--accounts", filepath.Join(dir, "accounts.ndjson"),
		"--outcomes", two, "--at", "2026-10-01", filepath.Join(dir, "leads.ndjson"))
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, two+":3: account A-ACME already has an outcome on line 2; the first row is used and this one is left out (counted as failed)")
	assert.Contains(t, errOut, "an account given twice keeps its first row")
	assert.Contains(t, out, "In the backtest: 1 won", "A-ACME's first row, lost, is used")

	cased := writeTemp(t, "case.csv", "account_id,opportunity,won,revenue,lost\na-acme,2026-10-10,2026-11-20,48000,\nA-HOOLI ,2026-11-02,2026-12-15,9000,\nA-WAYNE,2026-10-05,,,\n")
	code, out, _ = leadscore(t, "", "backtest", "--model", filepath.Join(dir, "model.yaml"), "--accounts", filepath.Join(dir, "accounts.ndjson"),
		"--outcomes", cased, "--at", "2026-10-01", filepath.Join(dir, "leads.ndjson"))
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, `"a-acme" (did you mean A-ACME?)`)
	code, _, errOut = leadscore(t, "", "attribute", "--accounts", filepath.Join(dir, "accounts.ndjson"), "--leads", td("accounts/attribution/leads.ndjson"),
		"--model", td("accounts/attribution/model.yaml"), "--outcomes", cased, "--at", "2026-12-01")
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, `"a-acme" (did you mean A-ACME?)`)
	assert.Contains(t, errOut, `has outcomes for 1 account the accounts file does not have, such as "A-WAYNE"`)
}
