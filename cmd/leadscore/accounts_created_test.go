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

// A lead created after the as-of time is not yet one of its account's
// people, in score --accounts as in backtest --accounts: the accounts
// example's leads plus a CTO of Hooli created 2026-12-01 and a user of
// Hooli with no created_at whose first event is 2026-11-05, scored at
// 2026-10-01, leave A-HOOLI with no people and no role present; a third
// Hooli lead created 2026-09-01 is its one person. Both ways of reading a
// lead are checked: created_at undeclared (the lead read into a map) and
// declared in the model (the line bound straight into the evaluator).
func TestScoreAccountsCreatedAfterAsOf(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	dir := t.TempDir()
	src, err := os.ReadFile(a("attribution/leads.ndjson"))
	require.NoError(t, err)
	extra := `{"id":"L17","email":"cto@hooli.com","title":"CTO","country":"US","created_at":"2026-12-01T00:00:00Z","events":[]}
{"id":"L18","email":"dev@hooli.com","title":"Engineer","country":"US","events":[{"type":"page_view","at":"2026-11-05T10:00:00Z","url":"/pricing"}]}
`
	leads := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, append(src, extra...), 0o644))
	early := filepath.Join(dir, "early.ndjson")
	require.NoError(t, os.WriteFile(early, append(src, `{"id":"L19","email":"vp@hooli.com","title":"VP Engineering","country":"US","created_at":"2026-09-01T00:00:00Z","events":[]}
`...), 0o644))
	model, err := os.ReadFile(a("attribution/model.yaml"))
	require.NoError(t, err)
	declared := filepath.Join(dir, "model.yaml")
	require.NoError(t, os.WriteFile(declared, []byte(strings.Replace(string(model), "  country: string\n", "  country: string\n  created_at: time\n", 1)), 0o644))
	require.Contains(t, string(model), "  country: string\n", "the model declares country, after which created_at goes")

	hooli := func(t *testing.T, out string) map[string]any {
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var r map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
			if r["id"] == "A-HOOLI" {
				return r
			}
		}
		t.Fatal("no row for A-HOOLI")
		return nil
	}
	for _, m := range []string{a("attribution/model.yaml"), declared} {
		code, out, errOut := leadscore(t, "", "score", "--model", m, "--accounts", a("accounts.ndjson"), "--at", "2026-10-01", leads)
		require.Equal(t, exitOK, code, errOut)
		r := hooli(t, out)
		assert.EqualValues(t, 0, r["people"], m)
		assert.Empty(t, r["present_roles"], m)
		assert.Contains(t, errOut, "16 leads: 1 matched by account_id, 12 by domain, 3 unmatched, 0 failed")
		assert.Contains(t, errOut, "(2 leads of the matched created after the as-of time, so not yet their account's people")

		code, out, errOut = leadscore(t, "", "score", "--model", m, "--accounts", a("accounts.ndjson"), "--at", "2026-10-01", early)
		require.Equal(t, exitOK, code, errOut)
		r = hooli(t, out)
		assert.EqualValues(t, 1, r["people"], "created before the as-of time: one of its people")
		assert.Equal(t, []any{"decision_maker"}, r["present_roles"])
		assert.NotContains(t, errOut, "created after the as-of time")

		// Scored a year later, both Hooli leads are its people.
		code, out, errOut = leadscore(t, "", "score", "--model", m, "--accounts", a("accounts.ndjson"), "--at", "2027-10-01", leads)
		require.Equal(t, exitOK, code, errOut)
		assert.EqualValues(t, 2, hooli(t, out)["people"])
	}

	// backtest --accounts at the same date counts the same two leads as
	// created after T0.
	code, _, errOut := leadscore(t, "", "backtest", "--model", a("attribution/model.yaml"), "--accounts", a("accounts.ndjson"), "--at", "2026-10-01",
		"--outcomes", a("outcomes.csv"), "--leads", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "(11 people at T0 + 2 created after T0)")
	// An account with a person at T0 stays in the backtest whatever
	// people come after it: Hooli's VP of 2026-09-01 keeps it in beside
	// its CTO of 2026-12-01 (with the CTO alone, every lead of Hooli came
	// after T0 and the account counts as having no person by T0).
	both := filepath.Join(dir, "both.ndjson")
	require.NoError(t, os.WriteFile(both, append([]byte(readFileT(t, early)), extra[:strings.Index(extra, "\n")+1]...), 0o644))
	code, _, errOut = leadscore(t, "", "backtest", "--model", a("attribution/model.yaml"), "--accounts", a("accounts.ndjson"), "--at", "2026-10-01",
		"--outcomes", a("outcomes.csv"), "--leads", both)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "5 used = 4 in the backtest + 0 with no person by T0")
	assert.Contains(t, errOut, "(12 people at T0 + 1 created after T0)")
	code, _, errOut = leadscore(t, "", "backtest", "--model", a("attribution/model.yaml"), "--accounts", a("accounts.ndjson"), "--at", "2026-10-01",
		"--outcomes", a("outcomes.csv"), "--leads", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "5 used = 3 in the backtest + 1 with no person by T0")

	// The joint review's account view: A-HOOLI's row is score's.
	code, js, errOut := leadscore(t, "", "report", "--model", a("attribution/model.yaml"), "--leads", leads, "--accounts", a("accounts.ndjson"),
		"--at", "2026-10-01", "--top", "10", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var joint struct {
		Accounts struct {
			Top []struct {
				ID      string   `json:"id"`
				People  int      `json:"people"`
				Present []string `json:"present_roles"`
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(js), &joint))
	found := false
	for _, r := range joint.Accounts.Top {
		if r.ID == "A-HOOLI" {
			found = true
			assert.Zero(t, r.People)
			assert.Empty(t, r.Present)
		}
	}
	assert.True(t, found)
}

// A created_at that is no time fails its lead at its line (final review:
// it was read as absent, the lead's first event taken instead, and the
// account made sales-ready by a person it may not have had yet); the
// other leads are scored.
func TestScoreAccountsCreatedAtNotATime(t *testing.T) {
	accounts := writeTemp(t, "accounts.ndjson", `{"id":"A1","domain":"acme.com","industry":"Software","employees":1200}
`)
	leads := writeTemp(t, "leads.ndjson", `{"id":"L1","email":"ana@acme.com","title":"VP Engineering","country":"US","created_at":"2026-09-01T00:00:00Z","events":[{"id":"e1","type":"demo_request","at":"2026-09-20T10:00:00Z"}]}
{"id":"L3","email":"cai@acme.com","title":"Data Analyst","country":"US","created_at":"soon","events":[{"id":"e3","type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}]}
{"id":"L5","email":"eve@acme.com","title":"Engineer","country":"US","created_at":1791158400,"events":[{"id":"e5","type":"page_view","at":"2026-09-21T10:00:00Z","url":"/pricing"}]}
`)
	code, out, errOut := leadscore(t, "", "score", "--model", td("accounts/model.yaml"), "--at", "2026-09-28T00:00:00Z", "--accounts", accounts, leads)
	require.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, `leads.ndjson:2: lead L3: created_at is "soon", not a time`)
	assert.Contains(t, errOut, `leads.ndjson:3: lead L5: created_at is 1791158400, not a time`)
	assert.Contains(t, errOut, "3 leads: 0 matched by account_id, 1 by domain, 0 unmatched, 2 failed")
	assert.Contains(t, out, `"people":1`)
}
