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

// TestBacktestAccountsBundled runs backtest --accounts on the bundled
// example: the same report as the backtest package's golden, counts on
// stderr that reconcile, and the JSON's keys.
func TestBacktestAccountsBundled(t *testing.T) {
	dir := td("accounts")
	args := []string{"backtest", "--model", filepath.Join(dir, "model.yaml"), "--accounts", filepath.Join(dir, "accounts.ndjson"),
		"--outcomes", filepath.Join(dir, "outcomes.csv"), "--at", "2026-10-01"}
	code, out, errOut := leadscore(t, "", append(args, filepath.Join(dir, "leads.ndjson"))...)
	require.Equal(t, exitOK, code, errOut)
	golden, err := os.ReadFile(td(filepath.Join("golden", "backtest-accounts.txt")))
	require.NoError(t, err)
	assert.Equal(t, string(golden), out, "the same report as the backtest package's")
	assert.Equal(t, "5 account rows read: 0 failed to read, 0 failed to score, 5 used = 4 in the backtest + 0 with no person by T0 + 1 won or lost by T0 + 0 open opportunities at T0\n"+
		"14 lead rows read: 0 could not be read, 14 leads = 11 matched (11 people at T0 + 0 created after T0) + 3 unmatched + 0 failed\n", errOut)

	code, out, errOut = leadscore(t, "", append(args, "--format", "json", filepath.Join(dir, "leads.ndjson"))...)
	require.Equal(t, exitOK, code, errOut)
	var j map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &j))
	assert.Equal(t, 0.75, j["auc"])
	assert.Equal(t, "too little data", j["verdict"])
	assert.Equal(t, "buying-group", j["sales_ready_stage"])
	sr := j["sales_ready"].(map[string]any)
	assert.Equal(t, 1.0, sr["precision"])
	assert.Equal(t, 0.5, sr["recall"])
	accounts := j["accounts"].(map[string]any)
	assert.Equal(t, 1.0, accounts["outcomes_without_account"])
	assert.Len(t, j["unmatched"], 3)

	code, out, errOut = leadscore(t, "", append(args, "--format", "markdown", filepath.Join(dir, "leads.ndjson"))...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "## Backtest of accounts\n")
	assert.Contains(t, out, "| sales-ready | 1 | 1 | 100.0% |")
}

// TestBacktestAccountsBadRows: a bad outcomes row fails alone, named by
// its line; the run goes on and exits 1.
func TestBacktestAccountsBadRows(t *testing.T) {
	dir := td("accounts")
	outcomes := filepath.Join(t.TempDir(), "outcomes.csv")
	require.NoError(t, os.WriteFile(outcomes, []byte("account_id,opportunity,won,revenue,lost\n"+
		"A-ACME,2026-10-10,2026-11-20,48000,\n"+
		"A-GLOBEX,2026-10-25,2026-11-01,,2026-12-05\n"+
		"A-HOOLI,2026-11-02,2026-12-15,9000,\n"+
		"A-ACME,2026-10-11,,,\n"), 0o644))
	code, out, errOut := leadscore(t, "", "backtest", "--model", filepath.Join(dir, "model.yaml"), "--accounts", filepath.Join(dir, "accounts.ndjson"),
		"--outcomes", outcomes, "--at", "2026-10-01", filepath.Join(dir, "leads.ndjson"))
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, outcomes+":3: both won and lost are filled in; a deal is one or the other, so empty one of them\n")
	assert.Contains(t, errOut, outcomes+":5: account A-ACME already has an outcome on line 2; the first row is used and this one is left out (counted as failed)")
	assert.Contains(t, errOut, outcomes+": 4 outcome rows: 2 read, 2 failed; the failed rows are not used (an account with no row read counts as not won; an account given twice keeps its first row)")
	assert.Contains(t, out, "5 accounts: 5 in the backtest (3 of them with no outcome row, counted as not won)")

	// A bad lead row fails alone, named by its line; the counts still reconcile.
	src, err := os.ReadFile(filepath.Join(dir, "leads.ndjson"))
	require.NoError(t, err)
	leads := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(strings.Replace(string(src), `"title":"Data Analyst"`, `"title":7`, 1)+"{broken\n"), 0o644))
	code, out, errOut = leadscore(t, "", "backtest", "--model", filepath.Join(dir, "model.yaml"), "--accounts", filepath.Join(dir, "accounts.ndjson"),
		"--outcomes", filepath.Join(dir, "outcomes.csv"), "--at", "2026-10-01", leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, leads+":3: ")
	assert.Contains(t, errOut, leads+":15: ")
	assert.Contains(t, errOut, "15 lead rows read: 1 could not be read, 14 leads = 10 matched (10 people at T0 + 0 created after T0) + 3 unmatched + 1 failed\n")
	assert.Contains(t, out, "14 leads: 10 matched (1 by account id, 9 by domain) = 10 people at T0 + 0 created after T0; 3 unmatched, 1 failed.")

	// Lead outcomes (lead_id) are not account outcomes: said at the header.
	code, _, errOut = leadscore(t, "", "backtest", "--model", filepath.Join(dir, "model.yaml"), "--accounts", filepath.Join(dir, "accounts.ndjson"),
		"--outcomes", td(filepath.Join("backtest", "outcomes.csv")), "--at", "2026-10-01", filepath.Join(dir, "leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "line 1 (the header): the outcomes file needs the column account_id")
}

// TestBacktestAccountsFlags: what backtest --accounts does not take is
// refused with the flag named.
func TestBacktestAccountsFlags(t *testing.T) {
	dir := td("accounts")
	base := []string{"backtest", "--model", filepath.Join(dir, "model.yaml"), "--accounts", filepath.Join(dir, "accounts.ndjson"),
		"--outcomes", filepath.Join(dir, "outcomes.csv"), "--at", "2026-10-01"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--capacity", "10/week"}, "--capacity is for the backtest of leads, not yet of accounts; leave it out with --accounts"},
		{[]string{"--format", "csv"}, "--format csv: the backtest of accounts is written as table, markdown, json or html"},
		{[]string{"--on", "fit"}, "--on is for the backtest of leads, not yet of accounts; leave it out with --accounts"},
		{[]string{"--history", "3d"}, "--history 3d is shorter than one week"},
	} {
		code, _, errOut := leadscore(t, "", append(append(base, c.args...), filepath.Join(dir, "leads.ndjson"))...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Contains(t, errOut, c.want)
	}
	// --history sets the hand-offs' history: 26 weeks asked, 17 whole weeks
	// from the first person's arrival (2026-06-01).
	code, out, errOut := leadscore(t, "", append(append(base, "--history", "26w"), filepath.Join(dir, "leads.ndjson"))...)
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "over the last 17 weeks (from 2026-06-04)")
	assert.Contains(t, out, "not the 26 weeks asked")
	code, _, errOut = leadscore(t, "", "backtest", "--model", td("b2b-saas.yaml"), "--accounts", filepath.Join(dir, "accounts.ndjson"),
		"--outcomes", filepath.Join(dir, "outcomes.csv"), "--at", "2026-10-01", filepath.Join(dir, "leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "has no accounts section")
}

// TestBacktestAccountsGuideQuotesTheReport: the guide's "Backtesting
// accounts" quotes lines of the golden report, which the test above holds
// to the command's output.
func TestBacktestAccountsGuideQuotesTheReport(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guide", "accounts.md"))
	require.NoError(t, err)
	golden, err := os.ReadFile(td(filepath.Join("golden", "backtest-accounts.txt")))
	require.NoError(t, err)
	_, sec, ok := strings.Cut(string(guide), "## Backtesting accounts\n")
	require.True(t, ok, "the guide has a section Backtesting accounts")
	_, block, ok := strings.Cut(sec, "```\n\n```\n") // the output block after the command
	require.True(t, ok, "the section quotes the report")
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	assert.GreaterOrEqual(t, len(lines), 5)
	for _, l := range lines {
		assert.Contains(t, strings.Split(string(golden), "\n"), l, "the guide quotes a line the report does not have")
	}
}

// The account backtest's page: every number is the JSON report's, at its path.
func TestAccountsBacktestPageIsTheJSON(t *testing.T) {
	args := []string{"backtest", "--model", td(filepath.Join("accounts", "model.yaml")), "--at", "2026-10-01", "--accounts", td(filepath.Join("accounts", "accounts.ndjson")),
		"--outcomes", td(filepath.Join("accounts", "outcomes.csv")), td(filepath.Join("accounts", "leads.ndjson")), "--format"}
	code, page, errOut := leadscore(t, "", append(args, "html", "--currency", "EUR")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, _ := leadscore(t, "", append(args, "json")...)
	require.Equal(t, exitOK, code)
	checkPage(t, page, js, 40)
	for _, want := range []string{"Does the definition pick the accounts that win?", `data-kpi="auc"`, `data-path="auc_interval.low"`, `data-path="sales_ready.recall"`,
		`data-path="capacity.accounts_per_week"`, "Conversion by account stage", "Each account rule and gate against won", "Leads that matched no account (3)", "EUR"} {
		assert.Contains(t, page, want)
	}
}
