package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accountStages scores the bundled accounts with score --accounts under
// model and gives each account's stage, total and sales-readiness.
func accountStages(t *testing.T, model, accounts string) map[string]struct {
	Stage      string
	Total      float64
	SalesReady bool `json:"sales_ready"`
} {
	t.Helper()
	code, out, errOut := leadscore(t, "", "score", "--model", model, "--accounts", accounts, "--at", "2026-10-01", td(filepath.Join("accounts", "leads.ndjson")))
	require.Equal(t, exitOK, code, errOut)
	rows := map[string]struct {
		Stage      string
		Total      float64
		SalesReady bool `json:"sales_ready"`
	}{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			ID         string
			Stage      string
			Total      float64
			SalesReady bool `json:"sales_ready"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		rows[r.ID] = struct {
			Stage      string
			Total      float64
			SalesReady bool `json:"sales_ready"`
		}{r.Stage, r.Total, r.SalesReady}
	}
	return rows
}

type accountImpactOut struct {
	AccountsFile  string `json:"accounts_file"`
	AccountImpact struct {
		Accounts      int
		Failed        int
		SalesReadyOld int `json:"sales_ready_old"`
		SalesReadyNew int `json:"sales_ready_new"`
		Moves         []struct {
			From, To string
			Accounts int
		}
		Started, Stopped []struct {
			ID       string
			Line     int
			OldTotal float64  `json:"old_total"`
			NewTotal float64  `json:"new_total"`
			Moved    []string `json:"moved_by"`
		}
	} `json:"account_impact"`
}

// The account impact of diff --accounts agrees with score --accounts run
// under each version: every account's move, the sales-ready counts, and
// the accounts that start being sales-ready.
func TestDiffAccountsAgreesWithScoringEachVersion(t *testing.T) {
	oldModel, newModel := td(filepath.Join("accounts", "model.yaml")), td(filepath.Join("accounts", "model-v2.yaml"))
	accounts := td(filepath.Join("accounts", "accounts.ndjson"))
	code, out, errOut := leadscore(t, "", "diff", oldModel, newModel, "--leads", td(filepath.Join("accounts", "leads.ndjson")),
		"--accounts", accounts, "--at", "2026-10-01", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "accounts: 5 accounts in "+accounts+": 5 compared, 0 left out; 14 leads: 11 matched (1 by account id, 10 by domain), 3 unmatched, 0 failed")
	var rep accountImpactOut
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	im := rep.AccountImpact
	assert.Equal(t, accounts, rep.AccountsFile)

	before, after := accountStages(t, oldModel, accounts), accountStages(t, newModel, accounts)
	require.Len(t, before, 5)
	moves := map[[2]string]int{}
	srOld, srNew := 0, 0
	var started []string
	for id, o := range before {
		n := after[id]
		moves[[2]string{o.Stage, n.Stage}]++
		if o.SalesReady {
			srOld++
		}
		if n.SalesReady {
			srNew++
			if !o.SalesReady {
				started = append(started, id)
			}
		}
	}
	assert.Equal(t, 5, im.Accounts)
	assert.Equal(t, 0, im.Failed)
	assert.Equal(t, srOld, im.SalesReadyOld)
	assert.Equal(t, srNew, im.SalesReadyNew)
	got := map[[2]string]int{}
	for _, m := range im.Moves {
		if m.Accounts > 0 {
			got[[2]string{m.From, m.To}] = m.Accounts
		}
	}
	assert.Equal(t, moves, got)
	require.Len(t, im.Started, len(started))
	assert.Equal(t, []string{"A-GLOBEX"}, started, "the v2 model's two-person buying group takes in A-GLOBEX")
	assert.Equal(t, "A-GLOBEX", im.Started[0].ID)
	assert.Equal(t, 2, im.Started[0].Line, "its line in the accounts file")
	assert.Equal(t, after["A-GLOBEX"].Total, im.Started[0].NewTotal)
	assert.Equal(t, []string{"the condition of stage buying-group changed"}, im.Started[0].Moved)
	assert.Empty(t, im.Stopped)

	code, md, _ := leadscore(t, "", "diff", oldModel, newModel, "--leads", td(filepath.Join("accounts", "leads.ndjson")), "--accounts", accounts, "--at", "2026-10-01")
	require.Equal(t, exitOK, code)
	assert.Contains(t, md, "and on 5 accounts from `"+accounts+"` as of 2026-10-01")
	assert.Contains(t, md, "\n\n## Impact on accounts\n\n**Sales-ready: 1 → 2 (+1, +100.0%)** of 5 accounts: 1 start, 0 stop being sales-ready.")
	assert.Contains(t, md, "| A-GLOBEX | 2 | 85 → 85 | aware → buying-group ↑ |")
	assert.Contains(t, md, "Bold cells are accounts that change stage.")
}

// An account the accounts file cannot give is left out of the account
// impact, named with its line, and the run says some could not be compared.
func TestDiffAccountsBadRowFailsAlone(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(td(filepath.Join("accounts", "accounts.ndjson")))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(src), "\n")
	lines[2] = strings.Replace(lines[2], `"employees":`, `"employees":"many","x_was":`, 1)
	bad := filepath.Join(dir, "accounts.ndjson")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Join(lines, "")), 0o644))
	code, out, errOut := leadscore(t, "", "diff", td(filepath.Join("accounts", "model.yaml")), td(filepath.Join("accounts", "model-v2.yaml")),
		"--leads", td(filepath.Join("accounts", "leads.ndjson")), "--accounts", bad, "--at", "2026-10-01", "--format", "json")
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, bad+":3: account ")
	assert.Contains(t, errOut, "left out of the account impact")
	var rep accountImpactOut
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, 4, rep.AccountImpact.Accounts)
	assert.Equal(t, 1, rep.AccountImpact.Failed)
}

func TestDiffAccountsNeedsLeadsAndAccountSections(t *testing.T) {
	code, _, errOut := leadscore(t, "", "diff", td(filepath.Join("accounts", "model.yaml")), td(filepath.Join("accounts", "model-v2.yaml")),
		"--accounts", td(filepath.Join("accounts", "accounts.ndjson")))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--accounts measures the change on accounts, whose people are leads; give the leads with --leads")
	code, _, errOut = leadscore(t, "", "diff", td("b2b-saas.yaml"), td(filepath.Join("accounts", "model.yaml")),
		"--leads", td(filepath.Join("accounts", "leads.ndjson")), "--accounts", td(filepath.Join("accounts", "accounts.ndjson")), "--at", "2026-10-01")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "has no accounts section, so its accounts cannot be scored")
}

// The account impact's page: every number is the JSON report's, at its path.
func TestDiffAccountsPageIsTheJSON(t *testing.T) {
	args := []string{"diff", td(filepath.Join("accounts", "model.yaml")), td(filepath.Join("accounts", "model-v2.yaml")),
		"--leads", td(filepath.Join("accounts", "leads.ndjson")), "--accounts", td(filepath.Join("accounts", "accounts.ndjson")), "--at", "2026-10-01", "--format"}
	code, page, errOut := leadscore(t, "", append(args, "html")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, _ := leadscore(t, "", append(args, "json")...)
	require.Equal(t, exitOK, code)
	checkPage(t, page, js, 80)
	assert.Contains(t, page, "What the proposed change does to accounts")
	assert.Contains(t, page, `data-path="account_impact.accounts"`)
	assert.Contains(t, page, `data-path="account_impact.moves.1.accounts"`)
	assert.Contains(t, page, "Accounts that start being sales-ready (1)")
}
