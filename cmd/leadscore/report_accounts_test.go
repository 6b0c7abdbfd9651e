package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accountReviewArgs are the joint review of the bundled accounts example
// (its attribution model: the one with campaigns, which report's funnel
// and attribution need), with a proposed change and the account backtest.
func accountReviewArgs(format string) []string {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	return []string{"report", "--model", a("attribution/model.yaml"), "--proposed", a("attribution/model-v2.yaml"), "--leads", a("attribution/leads.ndjson"),
		"--accounts", a("accounts.ndjson"), "--at", "2026-10-01", "--backtest-at", "2026-10-01", "--account-outcomes", a("outcomes.csv"), "--top", "3", "--format", format}
}

// The account view's figures are those of the standalone commands: the
// stage line and the rows of score --accounts, diff --accounts's account
// impact, backtest --accounts's report; the page shows the JSON's numbers.
func TestReportAccountViewIsTheStandaloneCommands(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	code, page, errOut := leadscore(t, "", accountReviewArgs("html")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, errOut := leadscore(t, "", accountReviewArgs("json")...)
	require.Equal(t, exitOK, code, errOut)
	checkPage(t, page, js, 100)
	for _, id := range []string{"accounts", "change-accounts", "backtest-accounts", "backtest-accounts-capacity"} {
		assert.Contains(t, page, `<section id="`+id+`">`)
	}
	assert.Contains(t, page, `data-kpi="sales_ready_accounts"`)
	assert.Contains(t, page, `data-kpi="auc"`, "the account backtest's AUC is on the first screen")

	var joint struct {
		Diff             json.RawMessage `json:"diff"`
		BacktestAccounts json.RawMessage `json:"backtest_accounts"`
		Accounts         struct {
			Rows, Scored, Failed, Disqualified, Unmatched int
			SalesReady                                    int `json:"sales_ready"`
			Stages                                        []struct {
				Stage      string `json:"stage"`
				SalesReady bool   `json:"sales_ready"`
				Accounts   int    `json:"accounts"`
			}
			Grades []struct {
				Grade    string `json:"grade"`
				Accounts int    `json:"accounts"`
			}
			Total map[string]float64
			Top   []struct {
				ID      string   `json:"id"`
				Total   float64  `json:"total"`
				Stage   string   `json:"stage"`
				People  int      `json:"people"`
				Engaged int      `json:"engaged"`
				Present []string `json:"present_roles"`
				Missing []string `json:"missing_roles"`
			}
			UnmatchedLeads []struct {
				ID   string `json:"id"`
				Line int    `json:"line"`
			} `json:"unmatched_leads"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(js), &joint))

	// diff --accounts and backtest --accounts, run alone, write the parts.
	code, out, errOut := leadscore(t, "", "diff", a("attribution/model.yaml"), a("attribution/model-v2.yaml"), "--leads", a("attribution/leads.ndjson"),
		"--accounts", a("accounts.ndjson"), "--at", "2026-10-01", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	assert.JSONEq(t, out, string(joint.Diff))
	assert.Contains(t, string(joint.Diff), `"account_impact"`)
	code, out, errOut = leadscore(t, "", "backtest", "--model", a("attribution/model.yaml"), "--accounts", a("accounts.ndjson"), "--outcomes", a("outcomes.csv"),
		"--at", "2026-10-01", "--format", "json", a("attribution/leads.ndjson"))
	require.Equal(t, exitOK, code, errOut)
	assert.JSONEq(t, out, string(joint.BacktestAccounts))

	// score --accounts: its stages line, and its rows.
	unmatched := filepath.Join(t.TempDir(), "unmatched.ndjson")
	code, out, errOut = leadscore(t, "", "score", "--model", a("attribution/model.yaml"), "--accounts", a("accounts.ndjson"), "--at", "2026-10-01",
		"--unmatched", unmatched, a("attribution/leads.ndjson"))
	require.Equal(t, exitOK, code, errOut)
	v := joint.Accounts
	stages := regexp.MustCompile(`(?m)^stages: (.*); disqualified (\d+)$`).FindStringSubmatch(errOut)
	require.NotNil(t, stages, errOut)
	var said []string
	for _, s := range v.Stages {
		name := s.Stage
		if name == "" {
			name = "no stage"
		} else if s.SalesReady {
			name += " (sales-ready)"
		}
		said = append(said, name+" "+strconv.Itoa(s.Accounts))
	}
	assert.Equal(t, stages[1], strings.Join(said, ", "), "the stage counts are score --accounts's")
	assert.Equal(t, stages[2], strconv.Itoa(v.Disqualified))
	assert.Regexp(t, `(?m)^5 accounts in: 5 scored, 0 failed`, errOut)
	assert.Equal(t, [4]int{5, 5, 0, 3}, [4]int{v.Rows, v.Scored, v.Failed, v.Unmatched})
	assert.Regexp(t, `, 3 unmatched, 0 failed`, errOut)

	type row struct {
		ID         string   `json:"id"`
		Total      float64  `json:"total"`
		Grade      string   `json:"grade"`
		Stage      string   `json:"stage"`
		SalesReady bool     `json:"sales_ready"`
		People     int      `json:"people"`
		Engaged    int      `json:"engaged"`
		Present    []string `json:"present_roles"`
		Missing    []string `json:"missing_roles"`
	}
	var rows []row
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	grades := map[string]int{}
	salesReady := 0
	for sc.Scan() {
		var r row
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		rows = append(rows, r)
		grades[r.Grade]++
		if r.SalesReady {
			salesReady++
		}
	}
	require.Len(t, rows, 5)
	assert.Equal(t, salesReady, v.SalesReady)
	for _, g := range v.Grades {
		assert.Equal(t, grades[g.Grade], g.Accounts, "grade %s", g.Grade)
	}
	// The totals, by hand from the rows: 145 (A-ACME), 125, 85, 25, 3.
	byID := map[string]row{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	assert.Equal(t, 145.0, byID["A-ACME"].Total)
	// Nearest rank of five: p10 the 1st, p25 the 2nd, the median the
	// 3rd, p75 the 4th, p90 the 5th; the mean (3+25+85+125+145)/5.
	assert.Equal(t, map[string]float64{"p10": 3, "p25": 25, "median": 85, "p75": 125, "p90": 145, "mean": 76.6}, v.Total)
	require.Len(t, v.Top, 3, "--top 3")
	for i, id := range []string{"A-ACME", "A-UMBRELLA", "A-GLOBEX"} {
		tp, r := v.Top[i], byID[id]
		assert.Equal(t, id, tp.ID)
		assert.Equal(t, r.Total, tp.Total)
		assert.Equal(t, r.Stage, tp.Stage)
		assert.Equal(t, [2]int{r.People, r.Engaged}, [2]int{tp.People, tp.Engaged})
		assert.Equal(t, r.Present, tp.Present)
		assert.Equal(t, r.Missing, tp.Missing)
	}
	assert.Equal(t, []string{"champion"}, v.Top[1].Missing)

	// The unmatched leads are score --unmatched's.
	want, err := os.ReadFile(unmatched)
	require.NoError(t, err)
	var ids []string
	for _, u := range v.UnmatchedLeads {
		ids = append(ids, u.ID)
		assert.Contains(t, string(want), `"id":"`+u.ID+`","line":`+strconv.Itoa(u.Line))
	}
	assert.Equal(t, []string{"L12", "L13", "L14"}, ids)
	assert.Contains(t, page, "gmail.com is a free-mail domain")
}

// A bad account row fails alone: the view counts it, names its line, and
// the rest are scored; report exits 1 as score does.
func TestReportAccountViewBadRow(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	src, err := os.ReadFile(a("accounts.ndjson"))
	require.NoError(t, err)
	accounts := filepath.Join(t.TempDir(), "accounts.ndjson")
	lines := strings.SplitAfter(string(src), "\n")
	bad := append(append(append([]string{}, lines[:2]...), "{\"id\": \"A-BAD\", \"employees\": \"many\"}\n"), lines[2:]...)
	require.NoError(t, os.WriteFile(accounts, []byte(strings.Join(bad, "")), 0o644))
	args := []string{"report", "--model", a("attribution/model.yaml"), "--leads", a("attribution/leads.ndjson"), "--accounts", accounts, "--at", "2026-10-01"}
	code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, accounts+":3:")
	var joint struct {
		Accounts struct {
			Rows, Scored, Failed int
			FailedRows           []struct {
				ID   string `json:"id"`
				Line int    `json:"line"`
			} `json:"failed_rows"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(js), &joint))
	v := joint.Accounts
	assert.Equal(t, [3]int{6, 5, 1}, [3]int{v.Rows, v.Scored, v.Failed}, "counts reconcile: rows = scored + failed")
	require.Len(t, v.FailedRows, 1)
	assert.Equal(t, 3, v.FailedRows[0].Line)
	code, page, _ := leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitProblem, code)
	checkPage(t, page, js, 20)
	assert.Contains(t, page, "Account rows left out")
	// The first screen says rows failed: on the tile and as a warning.
	g := glanceOf(t, page)
	assert.Regexp(t, `data-path="accounts\.failed" data-value="1"[^>]*>1</span> of <span[^>]*data-path="accounts\.rows" data-value="6"[^>]*>6</span> account rows failed`, g)
	assert.Contains(t, g, "Accounts: 1 of the 6 account rows of "+accounts+" could not be read or scored and is left out of the account view")
}

func TestReportAccountsFlags(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", a("attribution/model.yaml"), "--account-outcomes", a("outcomes.csv"), "--backtest-at", "2026-10-01"}, "--account-outcomes are outcomes by account: give the accounts file with --accounts"},
		{[]string{"--model", a("attribution/model.yaml"), "--accounts", a("accounts.ndjson"), "--account-outcomes", a("outcomes.csv")}, "--account-outcomes go with --backtest-at"},
		{[]string{"--model", td("b2b-saas.yaml"), "--accounts", a("accounts.ndjson")}, "has no accounts section"},
		{[]string{"--model", a("attribution/model.yaml"), "--accounts", a("accounts.ndjson"), "--account-outcomes", a("outcomes.csv"), "--backtest-at", "2026-10-01", "--capacity", "5/week"}, "--capacity and --holdout are for the backtest of leads"},
		{[]string{"--model", a("attribution/model.yaml"), "--accounts", a("accounts.ndjson"), "--top", "-1"}, "--top -1: give how many leads (and accounts) to list, 0 or more"},
		{[]string{"--model", a("attribution/model.yaml"), "--top", "-1"}, "--top -1: give how many"},
	} {
		code, _, errOut := leadscore(t, "", append(append([]string{"report", "--leads", a("attribution/leads.ndjson")}, c.args...), "--format", "json")...)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, errOut, c.want)
	}
	// A message of the account backtest names report's flags.
	code, _, errOut := leadscore(t, "", "report", "--model", a("attribution/model.yaml"), "--leads", a("attribution/leads.ndjson"), "--accounts", a("accounts.ndjson"),
		"--backtest-at", "2026-10-01", "--account-outcomes", filepath.Join(t.TempDir(), "missing.csv"), "--format", "json")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "missing.csv")
	assert.Contains(t, errOut, "the backtest-accounts part could not run")
}

// glanceOf is the page's first screen: its "At a glance" section.
func glanceOf(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `<section id="summary"`)
	require.GreaterOrEqual(t, i, 0, "the page has its summary")
	j := strings.Index(page[i:], "</section>")
	require.Greater(t, j, 0)
	return page[i : i+j]
}

// The first screen carries the account backtest's warnings (the example
// has 2 won accounts, under --min-won's 20: the verdict is withheld) and,
// with --proposed, a tile of the sales-ready accounts under the change:
// A-GLOBEX starts being sales-ready under model-v2 (diff --accounts says
// so), so 1 sales-ready account today becomes 2.
func TestReportAccountsFirstScreen(t *testing.T) {
	code, page, errOut := leadscore(t, "", accountReviewArgs("html")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, errOut := leadscore(t, "", accountReviewArgs("json")...)
	require.Equal(t, exitOK, code, errOut)
	g := glanceOf(t, page)
	assert.Contains(t, g, "Account backtest: Too few outcomes: the backtest has 2 won deals (at least 20 are needed, --min-won)")
	var joint struct {
		Diff struct {
			AccountImpact struct {
				Accounts      int `json:"accounts"`
				SalesReadyOld int `json:"sales_ready_old"`
				SalesReadyNew int `json:"sales_ready_new"`
				Started       []struct {
					ID string `json:"id"`
				} `json:"started"`
			} `json:"account_impact"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(js), &joint))
	im := joint.Diff.AccountImpact
	require.Len(t, im.Started, 1, "the example's change makes one account start being sales-ready")
	kpi := regexp.MustCompile(`data-path="diff\.account_impact\.sales_ready_new" data-value="(\d+)" data-format="int" data-kpi="proposed_sales_ready_accounts"`).FindStringSubmatch(g)
	require.NotNil(t, kpi, "the change tile for accounts is on the first screen")
	assert.Equal(t, strconv.Itoa(im.SalesReadyNew), kpi[1])
	assert.Equal(t, [2]int{1, 2}, [2]int{im.SalesReadyOld, im.SalesReadyNew})
	assert.Contains(t, g, "accounts; 1 start, 0 stop")
}

// Every lead is accounted for in the account view: the example's 14
// leads, plus L15 (created after the as-of time, of Hooli), L16 (an event
// with a bad date) and L17 (broken JSON), against an accounts file whose
// Globex row has a text for employees (it fails to score: its 2 people
// are matched but in no shown account), with a misspelt key "industy" on
// Hooli's row and a row that is not JSON. 17 leads = 1 by id + 8 by
// domain + 6 unmatched + 2 failed; of the 9 matched, 1 is not yet a person
// and 2 are Globex's, so the 3 scored accounts have 6 people (Acme's 4,
// Initech's 2, Hooli none). The
// did-you-mean and the hint that the unreadable row's people are among
// the unmatched reach report's stderr though it runs score --quiet, and
// the unmatched reason says the account may be that row.
func TestReportAccountViewCountsEveryLead(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	dir := t.TempDir()
	accounts := filepath.Join(dir, "accounts.ndjson")
	require.NoError(t, os.WriteFile(accounts, []byte(`{"id":"A-ACME","domain":"acme.com","industry":"Software","employees":1200}
{"id":"A-GLOBEX","domain":"globex.io","industry":"Fintech","employees":"many"}
{"id":"A-INITECH","domain":"initech.com","industry":"Manufacturing","employees":90}
not json
{"id":"A-HOOLI","domain":"hooli.com","industry":"Software","employees":40,"industy":"x"}
`), 0o644))
	src, err := os.ReadFile(a("attribution/leads.ndjson"))
	require.NoError(t, err)
	leads := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, append(src, `{"id":"L15","email":"cto@hooli.com","title":"CTO","country":"US","created_at":"2026-12-01T00:00:00Z","events":[]}
{"id":"L16","email":"x@acme.com","title":"CTO","country":"US","events":[{"type":"demo_request","at":"not-a-date"}]}
{bad
`...), 0o644))
	args := []string{"report", "--model", a("attribution/model.yaml"), "--leads", leads, "--accounts", accounts, "--at", "2026-10-01"}
	code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, `unknown key "industy" in 1 row; did you mean "industry"?`)
	assert.Contains(t, errOut, "(the people of the 1 account that could not be read are among the unmatched: fix its row and score again)")
	var joint struct {
		Accounts struct {
			Scored, Failed, People, Unmatched int
			Leads                             struct {
				Leads      int      `json:"leads"`
				ByID       int      `json:"matched_by_id"`
				ByDomain   int      `json:"matched_by_domain"`
				NotCreated int      `json:"created_after_as_of"`
				Unmatched  int      `json:"unmatched"`
				Failed     int      `json:"failed"`
				FailedRows []string `json:"failed_rows"`
			}
			UnmatchedLeads []struct {
				ID     string `json:"id"`
				Reason string `json:"reason"`
			} `json:"unmatched_leads"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(js), &joint))
	v, lc := joint.Accounts, joint.Accounts.Leads
	assert.Equal(t, [5]int{17, 1, 8, 6, 2}, [5]int{lc.Leads, lc.ByID, lc.ByDomain, lc.Unmatched, lc.Failed})
	assert.Equal(t, lc.Leads, lc.ByID+lc.ByDomain+lc.Unmatched+lc.Failed, "the leads reconcile")
	assert.Equal(t, 1, lc.NotCreated)
	assert.Equal(t, [3]int{3, 2, 6}, [3]int{v.Scored, v.Failed, v.People})
	assert.Equal(t, 6, v.Unmatched)
	require.Len(t, lc.FailedRows, 2)
	assert.Contains(t, lc.FailedRows[0], leads+":16: lead L16:")
	assert.Contains(t, lc.FailedRows[1], leads+":17:")
	reasons := map[string]string{}
	for _, u := range v.UnmatchedLeads {
		reasons[u.ID] = u.Reason
	}
	assert.Equal(t, "no account_id; no account has the domain umbrella.com; its account may be a row that could not be read ("+accounts+":4): fix those rows and score again", reasons["L09"])
	assert.Equal(t, "no account_id; gmail.com is a free-mail domain", reasons["L12"], "a free-mail lead could match no row")

	code, page, _ := leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitProblem, code)
	checkPage(t, page, js, 30)
	assert.Contains(t, page, "Leads and the accounts they match")
	assert.Contains(t, page, "Lead rows left out")
	assert.Contains(t, page, "of the matched, people of an account that failed to score")
	assert.Contains(t, page, `<td>of the matched, people of an account that failed to score</td><td class="n d" data-value="2" data-format="int">2</td>`)
}

// report's messages from its score part start "leadscore report:".
func TestReportAccountsMessagesAreReports(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	dup := filepath.Join(t.TempDir(), "dup.ndjson")
	require.NoError(t, os.WriteFile(dup, []byte(`{"id":"A-ACME","domain":"acme.com"}
{"id":"A-ACME","domain":"umbrella.com"}
`), 0o644))
	for _, file := range []string{dup, filepath.Join(t.TempDir(), "missing.ndjson")} {
		code, _, errOut := leadscore(t, "", "report", "--model", a("attribution/model.yaml"), "--leads", a("attribution/leads.ndjson"), "--accounts", file, "--format", "json")
		assert.Equal(t, exitUsage, code)
		assert.NotContains(t, errOut, "leadscore score")
		assert.Contains(t, errOut, "leadscore report: ")
	}
}

// The account outcome rows the account backtest leaves out (an account's
// second row, a bad date) are in report's JSON with their lines, and on
// the page: in the account backtest's section and on the first screen.
func TestReportAccountOutcomeRowsLeftOut(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	outcomes := filepath.Join(t.TempDir(), "outcomes.csv")
	require.NoError(t, os.WriteFile(outcomes, []byte("account_id,opportunity,won,revenue,lost\nA-ACME,2026-10-10,2026-11-20,48000,\nA-ACME,2026-10-11,,,\nA-INITECH,2026-10-10,not-a-date,,\n"), 0o644))
	args := []string{"report", "--model", a("attribution/model.yaml"), "--leads", a("attribution/leads.ndjson"), "--accounts", a("accounts.ndjson"),
		"--backtest-at", "2026-10-01", "--account-outcomes", outcomes}
	code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitProblem, code, errOut)
	var joint struct {
		Errors []string `json:"account_outcome_errors"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &joint))
	require.Len(t, joint.Errors, 2)
	assert.True(t, strings.HasPrefix(joint.Errors[0], outcomes+":3: account A-ACME already has an outcome on line 2"), joint.Errors[0])
	assert.True(t, strings.HasPrefix(joint.Errors[1], outcomes+":4: won: "), joint.Errors[1])
	_, page, _ := leadscore(t, "", append(args, "--format", "html")...)
	g := glanceOf(t, page)
	assert.Contains(t, g, "Account backtest: 2 outcome rows of "+outcomes+" could not be used and are left out")
	sec := page[strings.Index(page, `<section id="backtest-accounts">`):]
	assert.Contains(t, sec[:strings.Index(sec, "</section>")], outcomes+":4: won:")
}

// The top list says where it cuts: two accounts with the same fields and
// no people (A-H1, A-H2: 25 each, as Hooli in the example) tie, and --top
// 2 lists Acme (145) and A-H1, saying one account not listed has A-H1's
// total; --top 0 lists none of the 3 scored and says so.
func TestReportAccountViewTopCut(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	accounts := filepath.Join(t.TempDir(), "accounts.ndjson")
	require.NoError(t, os.WriteFile(accounts, []byte(`{"id":"A-ACME","domain":"acme.com","industry":"Software","employees":1200}
{"id":"A-H1","domain":"h1.com","industry":"Software","employees":40}
{"id":"A-H2","domain":"h2.com","industry":"Software","employees":40}
`), 0o644))
	args := []string{"report", "--model", a("attribution/model.yaml"), "--leads", a("attribution/leads.ndjson"), "--accounts", accounts, "--at", "2026-10-01"}
	code, js, errOut := leadscore(t, "", append(args, "--top", "2", "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var joint struct {
		Accounts struct {
			Top []struct {
				ID    string  `json:"id"`
				Total float64 `json:"total"`
			}
			Tied int `json:"tied_left_out"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(js), &joint))
	require.Len(t, joint.Accounts.Top, 2)
	assert.Equal(t, "A-H1", joint.Accounts.Top[1].ID)
	assert.Equal(t, [2]float64{145, 25}, [2]float64{joint.Accounts.Top[0].Total, joint.Accounts.Top[1].Total})
	assert.Equal(t, 1, joint.Accounts.Tied)
	_, page, _ := leadscore(t, "", append(args, "--top", "2")...)
	assert.Contains(t, page, "1 account not listed has the same total as the last one listed (25)")
	_, page, _ = leadscore(t, "", append(args, "--top", "0")...)
	assert.Contains(t, page, "None listed: --top 0 lists no account of the 3 accounts scored.")
	assert.NotContains(t, page, "None.<")
}

// An accounts file with no rows (empty, or a CSV header alone) is an
// error, named (it was warned of on the first screen, every lead
// unmatched, status 0).
func TestReportAccountViewNoAccounts(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	dir := t.TempDir()
	for name, body := range map[string]string{"empty.ndjson": "", "header.csv": "id,domain,industry,employees\n"} {
		accounts := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(accounts, []byte(body), 0o644))
		code, page, errOut := leadscore(t, "", "report", "--model", a("attribution/model.yaml"), "--leads", a("attribution/leads.ndjson"), "--accounts", accounts, "--at", "2026-10-01")
		require.Equal(t, exitUsage, code, errOut)
		assert.Empty(t, page)
		assert.Contains(t, errOut, accounts+" holds no account", name)
	}
}

// The page names the accounts file: in its subtitle and among the
// sources on the first screen; a tile counts one won account in the
// singular.
func TestReportAccountViewNamesItsFiles(t *testing.T) {
	a := func(name string) string { return td(filepath.Join("accounts", name)) }
	code, page, errOut := leadscore(t, "", accountReviewArgs("html")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, page, "; accounts from "+a("accounts.ndjson"))
	assert.Regexp(t, `Accounts: `+regexp.QuoteMeta(a("accounts.ndjson"))+`, <span[^>]*data-path="accounts\.rows" data-value="5"[^>]*>5</span> rows, <span[^>]*data-path="accounts\.scored" data-value="5"`, glanceOf(t, page))
	assert.Contains(t, page, `data-path="backtest_accounts.sales_ready.missed_won" data-value="1" data-format="int">1</span> won account not sales-ready at the snapshot`)
}
