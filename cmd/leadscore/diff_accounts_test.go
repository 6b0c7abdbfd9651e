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
	assert.Contains(t, errOut, "accounts: 5 accounts in "+accounts+": 5 compared, 0 left out; 14 leads: under "+newModel+" 11 matched (1 by account id, 10 by domain), 3 unmatched, 0 failed; under "+oldModel+" 0 failed")
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

// An account is compared on the same people under both versions: one of
// its people that one version cannot score leaves the account out, named,
// rather than moving it for no change of rule (either way round).
func TestDiffAccountsLeavesOutAccountsWhosePeopleFailed(t *testing.T) {
	dir := t.TempDir()
	model, err := os.ReadFile(td(filepath.Join("accounts", "model-v2.yaml")))
	require.NoError(t, err)
	required := filepath.Join(dir, "model-v2-required.yaml")
	require.NoError(t, os.WriteFile(required, []byte(strings.Replace(string(model), "  country: string\n", "  country: {type: string, required: true}\n", 1)), 0o644))
	leads, err := os.ReadFile(td(filepath.Join("accounts", "leads.ndjson")))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(leads), "\n")
	at := -1
	for i, l := range lines {
		if strings.Contains(l, `"id":"L01"`) {
			at = i
		}
	}
	require.GreaterOrEqual(t, at, 0)
	require.Contains(t, lines[at], `"country":"US",`)
	lines[at] = strings.Replace(lines[at], `"country":"US",`, "", 1)
	noCountry := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(noCountry, []byte(strings.Join(lines, "")), 0o644))
	accounts := td(filepath.Join("accounts", "accounts.ndjson"))
	for _, versions := range [][2]string{{td(filepath.Join("accounts", "model.yaml")), required}, {required, td(filepath.Join("accounts", "model.yaml"))}} {
		code, out, errOut := leadscore(t, "", "diff", versions[0], versions[1], "--leads", noCountry, "--accounts", accounts, "--at", "2026-10-01", "--format", "json")
		assert.Equal(t, exitProblem, code, errOut)
		assert.Contains(t, errOut, accounts+":1: account A-ACME left out of the account impact: its person L01 ("+noCountry+" line ")
		assert.Contains(t, errOut, "could not be scored under "+required)
		var rep accountImpactOut
		require.NoError(t, json.Unmarshal([]byte(out), &rep))
		assert.Equal(t, 1, rep.AccountImpact.Failed)
		assert.Equal(t, 4, rep.AccountImpact.Accounts)
		for _, l := range append(rep.AccountImpact.Started, rep.AccountImpact.Stopped...) {
			assert.NotEqual(t, "A-ACME", l.ID)
		}
	}
}

// Rows without an id keep their own reasons; an empty accounts file has
// no distribution to show.
func TestDiffAccountsOddFiles(t *testing.T) {
	dir := t.TempDir()
	odd := filepath.Join(dir, "accounts.ndjson")
	require.NoError(t, os.WriteFile(odd, []byte("{\"id\":\"A-ACME\",\"domain\":\"acme.com\",\"industry\":\"Software\",\"employees\":1200}\nnot json\n{\"domain\":\"x.com\"}\n"), 0o644))
	old, new := td(filepath.Join("accounts", "model.yaml")), td(filepath.Join("accounts", "model-v2.yaml"))
	leads := td(filepath.Join("accounts", "leads.ndjson"))
	code, _, errOut := leadscore(t, "", "diff", old, new, "--leads", leads, "--accounts", odd, "--at", "2026-10-01")
	assert.Equal(t, exitProblem, code)
	var two, three string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, odd+":2: ") && strings.Contains(l, "left out of the account impact") {
			two = l
		}
		if strings.HasPrefix(l, odd+":3: ") && strings.Contains(l, "left out of the account impact") {
			three = l
		}
	}
	require.NotEmpty(t, two, errOut)
	require.NotEmpty(t, three, errOut)
	assert.NotContains(t, two, "no id", "line 2 is broken JSON, not a row without an id")
	assert.Contains(t, three, "id")

	empty := filepath.Join(dir, "empty.ndjson")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	// An accounts file with no account is an error (issue 30's review).
	code, _, errOut = leadscore(t, "", "diff", old, new, "--leads", leads, "--accounts", empty, "--at", "2026-10-01")
	require.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "empty.ndjson holds no account")
}
