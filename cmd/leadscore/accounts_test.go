package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := td(filepath.Join("golden", name))
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "%s (rewrite it with -update after review)", path)
}

func TestScoreAccounts(t *testing.T) {
	unmatched := filepath.Join(t.TempDir(), "unmatched.ndjson")
	code, out, errOut := leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01",
		"--accounts", td("accounts/accounts.ndjson"), "--unmatched", unmatched, td("accounts/leads.ndjson"))
	assert.Equal(t, exitOK, code, errOut)
	golden(t, "accounts.ndjson", out)
	leads := td("accounts/leads.ndjson")
	assert.Equal(t, `5 accounts in: 5 scored, 0 failed (as of 2026-10-01T00:00:00Z)
stages: buying-group (sales-ready) 1, aware 2, no stage 2; disqualified 1
14 leads: 1 matched by account_id, 10 by domain, 3 unmatched, 0 failed
unmatched: `+leads+`:12: lead L12: no account_id; gmail.com is a free-mail domain
unmatched: `+leads+`:13: lead L13: no account_id; no account has the domain unknown-startup.com
unmatched: `+leads+`:14: lead L14: account_id A-NOPE is no account's id; hotmail.com is a free-mail domain
`, errOut)
	b, err := os.ReadFile(unmatched)
	require.NoError(t, err)
	assert.Equal(t, `{"id":"L12","line":12,"reason":"no account_id; gmail.com is a free-mail domain"}
{"id":"L13","line":13,"reason":"no account_id; no account has the domain unknown-startup.com"}
{"id":"L14","line":14,"reason":"account_id A-NOPE is no account's id; hotmail.com is a free-mail domain"}
`, string(b))

	// --unmatched is written while the leads are read: it may not name a
	// file the run reads, which it would cut short.
	copied := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(copied, []byte(mustRead(t, leads)), 0o644))
	code, _, errOut = leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01",
		"--accounts", td("accounts/accounts.ndjson"), "--unmatched", copied, copied)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--unmatched "+copied+" is one of the files read")
	assert.Equal(t, mustRead(t, leads), mustRead(t, copied), "the leads are left as they were")
}

// A bad account row and a bad lead row fail alone, with their line; the
// others are scored.
func TestScoreAccountsBadRows(t *testing.T) {
	accounts := writeTemp(t, "accounts.csv", "id,domain,industry,employees,customr\n"+
		"A-ACME,acme.com,Software,1200,\n"+
		"A-BAD,bad.com,Software,lots,\n")
	leads := writeTemp(t, "leads.ndjson", `{"id":"L1","email":"ana@acme.com","title":"VP"}`+"\n"+
		`{"id":"L2","email":"ben@acme.com","title":7}`+"\n"+
		`{"id":"L3","email":"cy@bad.com"}`+"\n")
	code, out, errOut := leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", accounts, leads)
	assert.Equal(t, exitProblem, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[0], `{"id":"A-ACME","total":50,`)
	assert.Equal(t, `{"id":"A-BAD","line":3,"error":"account A-BAD: employees: want a whole number, got \"lots\""}`, lines[1])
	assert.Equal(t, `warning: `+accounts+`:1: column "customr" is not in the model, so no rule reads it; did you mean "customer"?
`+accounts+`:3: account A-BAD: employees: want a whole number, got "lots"
`+leads+`:2: lead L2: title: want text, got the number 7
2 accounts in: 1 scored, 1 failed (as of 2026-10-01T00:00:00Z)
stages: buying-group (sales-ready) 0, aware 0, no stage 1; disqualified 0
3 leads: 0 matched by account_id, 1 by domain, 1 unmatched, 1 failed
(the people of the 1 account that could not be read are among the unmatched: fix its row and score again)
unmatched: `+leads+`:3: lead L3: no account_id; no account has the domain bad.com; its account may be a row that could not be read (`+accounts+`:3): fix those rows and score again
`, errOut)
}

func TestScoreAccountsRefusesWhatItCannotDo(t *testing.T) {
	code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--accounts", td("accounts/accounts.ndjson"), td("accounts/leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "has no accounts section")
	code, _, errOut = leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--format", "csv", "--accounts", td("accounts/accounts.ndjson"), td("accounts/leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--accounts writes NDJSON")
	code, _, errOut = leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--unmatched", "x", td("accounts/leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--unmatched goes with --accounts")
}

func TestExplainAccount(t *testing.T) {
	code, out, errOut := leadscore(t, "", "explain", "--model", td("accounts/model.yaml"), "--at", "2026-10-01",
		"--account", "A-ACME", "--accounts", td("accounts/accounts.ndjson"), td("accounts/leads.ndjson"))
	assert.Equal(t, exitOK, code, errOut)
	golden(t, "account-explain.txt", out)

	code, out, errOut = leadscore(t, "", "explain", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--format", "json",
		"--account", "A-UMBRELLA", "--accounts", td("accounts/accounts.ndjson"), td("accounts/leads.ndjson"))
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `"gates": [
    "gate.customer"
  ],`)
	assert.Contains(t, out, `"rule": "account.top-engagement",`)

	code, _, errOut = leadscore(t, "", "explain", "--model", td("accounts/model.yaml"), "--account", "A-UMBRELA", "--accounts", td("accounts/accounts.ndjson"), td("accounts/leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, `leadscore explain: `+td("accounts/accounts.ndjson")+` has no account with id "A-UMBRELA"; check the id, or name the file that holds that account`+"\n", errOut)

	code, _, errOut = leadscore(t, "", "explain", "--model", td("accounts/model.yaml"), "--account", "A-ACME", td("accounts/leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--account needs --accounts FILE")
}

// Two accounts with one id are named by the accounts file's lines, as
// every row error is (file:line).
func TestDuplicateAccountsNamedByLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accounts.ndjson")
	require.NoError(t, os.WriteFile(path, []byte("{\"id\":\"A1\",\"domain\":\"acme.com\"}\n{\"id\":\"A2\",\"domain\":\"x.com\"}\n{\"id\":\"A1\",\"domain\":\"y.com\"}\n"), 0o644))
	code, _, stderr := leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-10-01", "--accounts", path, td("accounts/leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, path+":3: account id A1 is given twice (first at line 1); keep one\n")
}
