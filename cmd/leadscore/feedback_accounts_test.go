package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feedbackAccountsFixture is a tiny set of accounts of the bundled
// feedback model (testdata/accounts/feedback/model.yaml) whose hand-offs
// are worked out by hand: each account of three people is sales-ready
// (buying-group: three engaged people, a decision maker among them, grade
// not C) at the third person's event, when all three have engagement 10 or
// more within 30 days.
//
//	A1 software, 1200: events 09-01, 09-02, 09-03 10:00 → ready 09-03 10:00; accepted 09-04 10:00 (24h, ana)
//	A2 software, 1200: 09-10, 09-11, 09-12 → ready 09-12 10:00; rejected no_buying_group 09-15 10:00 (72h, dev: late)
//	A3 software, 150:  09-18, 09-19, 09-20 → ready 09-20 10:00 (grade B: no size); rejected too_small 09-20 22:00 (12h, ana)
//	A4 software, 1200: two people only → never ready; accepted 09-15 (a verdict outside the rates)
//	A5 software, 1200: 09-23, 09-24, 09-25 → ready 09-25 10:00; no verdict, 5.6 days by 10-01: overdue
//	A6 software, 1200: 09-28, 09-29, 09-30 12:00 → ready 09-30 12:00; no verdict, 12h: waiting
//	A7 software, 1200: 09-03, 09-04, 09-05 → ready 09-05 10:00; recycled bad_timing 09-06 10:00 (24h, ana);
//	   the 30-day hold runs past 10-01, so not ready again
//	A8 software, 1200: 07-28, 07-29, 07-30 → ready 07-30 10:00; recycled bad_timing 07-31 22:00 (36h, ben);
//	   again 09-08, 09-09, 09-10 (after the hold ends 08-30 22:00) → ready again 09-10; won 09-25
func feedbackAccountsFixture(t *testing.T) (accounts, leads, disp, outcomes string) {
	var acc, ld strings.Builder
	size := map[string]int{"A3": 150}
	days := map[string][]string{
		"A1": {"09-01T10:00", "09-02T10:00", "09-03T10:00"},
		"A2": {"09-10T10:00", "09-11T10:00", "09-12T10:00"},
		"A3": {"09-18T10:00", "09-19T10:00", "09-20T10:00"},
		"A4": {"09-10T10:00", "09-11T10:00"},
		"A5": {"09-23T10:00", "09-24T10:00", "09-25T10:00"},
		"A6": {"09-28T12:00", "09-29T12:00", "09-30T12:00"},
		"A7": {"09-03T10:00", "09-04T10:00", "09-05T10:00"},
		"A8": {"07-28T10:00", "07-29T10:00", "07-30T10:00"},
	}
	again := []string{"09-08T10:00", "09-09T10:00", "09-10T10:00"} // A8's second round
	for i := 1; i <= 8; i++ {
		id := fmt.Sprintf("A%d", i)
		employees := 1200
		if n, ok := size[id]; ok {
			employees = n
		}
		fmt.Fprintf(&acc, `{"id":%q,"domain":"a%d.com","industry":"Software","employees":%d}`+"\n", id, i, employees)
		// The decision maker asks for a demo (40 points); the others view
		// the pricing page (10 points): all engaged.
		titles := []string{"VP Sales", "Engineer", "Analyst"}
		for k, day := range days[id] {
			ev := fmt.Sprintf(`{"type":"page_view","at":"2026-%sZ","url":"/pricing"}`, day+":00")
			if k == 0 {
				ev = fmt.Sprintf(`{"type":"demo_request","at":"2026-%sZ"}`, day+":00")
			}
			if id == "A8" {
				if k == 0 {
					ev += fmt.Sprintf(`,{"type":"demo_request","at":"2026-%sZ"}`, again[k]+":00")
				} else {
					ev += fmt.Sprintf(`,{"type":"page_view","at":"2026-%sZ","url":"/pricing"}`, again[k]+":00")
				}
			}
			fmt.Fprintf(&ld, `{"id":"%s-P%d","email":"p%d@a%d.com","title":%q,"country":"US","events":[%s]}`+"\n", id, k+1, k+1, i, titles[k], ev)
		}
	}
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
		return p
	}
	accounts = write("accounts.ndjson", acc.String())
	leads = write("leads.ndjson", ld.String())
	disp = write("dispositions.csv", "account_id,at,status,reason,owner\n"+
		"A1,2026-09-04T10:00:00Z,accepted,,ana\n"+
		"A2,2026-09-15T10:00:00Z,rejected,no_buying_group,dev\n"+
		"A3,2026-09-20T22:00:00Z,rejected,too_small,ana\n"+
		"A4,2026-09-15T10:00:00Z,accepted,,ana\n"+
		"A7,2026-09-06T10:00:00Z,recycled,bad_timing,ana\n"+
		"A8,2026-07-31T22:00:00Z,recycled,bad_timing,ben\n")
	outcomes = write("outcomes.csv", "account_id,opportunity,won,revenue\nA8,2026-09-15,2026-09-25,10000\n")
	return accounts, leads, disp, outcomes
}

// The report on the fixture is the one worked out by hand: counts, rates,
// the SLA and its owners, weeks, grades, the evidence counts and recycles.
func TestFeedbackAccountsByHand(t *testing.T) {
	accounts, leads, disp, outcomes := feedbackAccountsFixture(t)
	code, out, errOut := leadscore(t, "", "feedback", "--accounts", accounts, "--leads", leads, "--model", td("accounts/feedback/model.yaml"),
		"--dispositions", disp, "--outcomes", outcomes, "--at", "2026-10-01", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "8 account rows: 0 could not be read, 0 failed to score, 8 used = 7 sales-ready by the as-of time + 1 not\n"+
		"23 lead rows: 0 could not be read, 0 failed, 23 matched to an account, 0 unmatched\n"+
		"6 disposition rows: 6 used, 0 failed\n", errOut)
	var r feedback.Report
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	assert.Equal(t, "accounts", r.Unit)
	assert.Equal(t, 8, r.Leads)
	assert.Equal(t, 7, r.SalesReady, "A1 A2 A3 A5 A6 A7 A8")
	assert.Equal(t, 5, r.Dispositioned, "A1 A2 A3 A7 A8")
	assert.Equal(t, [3]int{1, 2, 2}, [3]int{r.Accepted, r.Rejected, r.Recycled})
	assert.Equal(t, 2, r.NeverDispositioned, "A5 A6")
	assert.Equal(t, 1, r.NotHandedOff, "A4")
	assert.InDelta(t, 0.2, *r.AcceptanceRate, 1e-12)
	// Wilson's interval for 1 of 5, by its formula.
	z, n, p := 1.959963984540054, 5.0, 0.2
	mid, half := (p+z*z/(2*n))/(1+z*z/n), z*math.Sqrt(p*(1-p)/n+z*z/(4*n*n))/(1+z*z/n)
	assert.InDelta(t, mid-half, *r.AcceptanceRateLow, 1e-9)
	assert.InDelta(t, mid+half, *r.AcceptanceRateHigh, 1e-9)

	// SLA: waits 24, 72, 12, 24, 36 hours; 48h SLA.
	assert.Equal(t, 5, r.SLA.Measured)
	assert.Equal(t, 4, r.SLA.Within)
	assert.Equal(t, 1, r.SLA.Breached, "A2, 72h")
	assert.Equal(t, 1, r.SLA.Overdue, "A5")
	assert.Equal(t, 1, r.SLA.Waiting, "A6")
	assert.InDelta(t, 24, *r.SLA.MedianHours, 1e-9)
	assert.InDelta(t, 72, *r.SLA.P90Hours, 1e-9, "the 5th of 5 (nearest rank ceil(4.5))")
	owners := map[string][2]int{}
	medians := map[string]float64{}
	for _, o := range r.SLA.ByOwner {
		owners[o.Owner] = [2]int{o.Verdicts, o.Breached}
		if o.MedianHours != nil {
			medians[o.Owner] = *o.MedianHours
		}
	}
	assert.Equal(t, map[string][2]int{"ana": {3, 0}, "dev": {1, 1}, "ben": {1, 0}, "(nobody yet)": {0, 1}}, owners)
	assert.Equal(t, map[string]float64{"ana": 24, "dev": 72, "ben": 36}, medians)

	// Grades: A3 is B (industry only); stages: every hand-off at buying-group.
	type line = [5]int
	lines := func(gs []feedback.Group) map[string]line {
		m := map[string]line{}
		for _, g := range gs {
			m[g.Name] = line{g.SalesReady, g.Dispositioned, g.Accepted, g.Rejected, g.Recycled}
		}
		return m
	}
	assert.Equal(t, map[string]line{"A": {6, 4, 1, 1, 2}, "B": {1, 1, 0, 1, 0}}, lines(r.Grades))
	assert.Equal(t, map[string]line{"buying-group": {7, 5, 1, 2, 2}}, lines(r.Stages))
	// Weeks back from 10-01 00:00: A5, A6 in week 0; A3 in 1; A2 in 2; A1, A7 in 3; A8 in 8.
	assert.Equal(t, map[string]line{
		"week to 2026-10-01": {2, 0, 0, 0, 0}, "week to 2026-09-24": {1, 1, 0, 1, 0}, "week to 2026-09-17": {1, 1, 0, 1, 0},
		"week to 2026-09-10": {2, 2, 1, 0, 1}, "week to 2026-09-03": {0, 0, 0, 0, 0}, "week to 2026-08-27": {0, 0, 0, 0, 0},
		"week to 2026-08-20": {0, 0, 0, 0, 0}, "week to 2026-08-13": {0, 0, 0, 0, 0}, "week to 2026-08-06": {1, 1, 0, 0, 1},
	}, lines(r.Weeks))
	// Every hand-off has a decision maker and users; none a champion
	// (the decision maker is not one, the others have 10 points).
	assert.Equal(t, map[string]line{"decision_maker": {7, 5, 1, 2, 2}, "user": {7, 5, 1, 2, 2}}, lines(r.Roles))
	rules := lines(r.Rules)
	assert.Equal(t, line{6, 4, 1, 1, 2}, rules["account.size"], "all but A3")
	assert.Equal(t, line{7, 5, 1, 2, 2}, rules["account.breadth"])

	// Evidence: no_buying_group (A2) against account.breadth and the
	// decision maker role, both on all 5 with a verdict; too_small (A3)
	// against account.size, which fired on none of A3 and all 4 others.
	type ev struct {
		reason, rule                      string
		leads, fired, others, othersFired int
	}
	var got []ev
	for _, e := range r.Evidence {
		got = append(got, ev{e.Reason, e.Rule, e.Leads, e.Fired, e.Others, e.OthersFired})
		assert.Equal(t, "inconclusive", e.Verdict, "one account a reason is too few")
	}
	assert.Equal(t, []ev{
		{"no_buying_group", "account.breadth", 1, 1, 4, 4},
		{"no_buying_group", "role:decision_maker", 1, 1, 4, 4},
		{"too_small", "account.size", 1, 0, 4, 4},
	}, got)

	// Recycles: A7 (held past the as-of time) and A8 (ready again 09-10, won 09-25).
	assert.Equal(t, feedback.RecycleOutcome{Leads: 2, SalesReadyAgain: 1, WonLater: 1}, r.Recycle)
}

// A bad row of the account dispositions fails alone, with its line and a
// did-you-mean for a near account id or reason; a verdict on an account
// whose row could not be read names that row; the counts reconcile and
// the report says what it leaves out.
func TestFeedbackAccountsBadRows(t *testing.T) {
	accounts, leads, _, _ := feedbackAccountsFixture(t)
	src, err := os.ReadFile(accounts)
	require.NoError(t, err)
	accounts = writeTemp(t, "accounts.ndjson", string(src)+`{"id":"A9","domain":"a9.com","events":[{"type":"visit","at":"2026-09-01T00:00:00Z"}]}`+"\n")
	disp := writeTemp(t, "dispositions.csv", "account_id,at,status,reason,owner\n"+
		"A1,2026-09-04T10:00:00Z,accepted,,ana\n"+
		"a2,2026-09-15T10:00:00Z,rejected,no_buying_group,dev\n"+
		"A3,2026-09-20T22:00:00Z,rejected,to_small,ana\n"+
		"A9,2026-09-20T22:00:00Z,accepted,,ana\n"+
		",2026-09-20T22:00:00Z,accepted,,ana\n")
	code, out, errOut := leadscore(t, "", "feedback", "--accounts", accounts, "--leads", leads, "--model", td("accounts/feedback/model.yaml"),
		"--dispositions", disp, "--at", "2026-10-01")
	assert.Equal(t, exitProblem, code)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	require.Len(t, lines, 8, errOut)
	assert.Equal(t, accounts+`:9: account A9: an account carries no events (its engagement is its people's); move them to the leads of its people`, lines[0])
	assert.Equal(t, disp+`:4: account A3: unknown reason "to_small"; did you mean "too_small"?`, lines[1])
	assert.Equal(t, disp+`:6: account_id is empty; say which account the verdict is on`, lines[2])
	assert.Equal(t, disp+`:3: no account in the accounts file has the id "a2"; did you mean "A2"? (they differ only in case, spaces or how an accented letter is encoded); write the account_id as the accounts file does`, lines[3])
	assert.Equal(t, disp+`:5: account A9 is on `+accounts+`:9, a row that could not be read; fix that row and run again`, lines[4])
	assert.Equal(t, "9 account rows: 1 could not be read, 0 failed to score, 8 used = 7 sales-ready by the as-of time + 1 not", lines[5])
	assert.Equal(t, "23 lead rows: 0 could not be read, 0 failed, 23 matched to an account, 0 unmatched", lines[6])
	assert.Equal(t, "5 disposition rows: 1 used, 4 failed", lines[7])
	assert.Contains(t, out, "Warning: 4 of 5 disposition rows failed and are left out of every figure here")
	assert.Contains(t, out, "Warning: 1 of 9 account rows could not be read or scored and is left out")
	assert.Contains(t, out, "8 accounts; 7 became sales-ready and went to sales; 1 got a verdict, 6 none yet.")

	// Verdicts on leads are not verdicts on their account: the file fails
	// as a whole, saying so.
	leadDisp := writeTemp(t, "lead-dispositions.csv", "lead_id,at,status,reason\nA1-P1,2026-09-04T10:00:00Z,accepted,\n")
	code, _, errOut = leadscore(t, "", "feedback", "--accounts", accounts, "--leads", leads, "--model", td("accounts/feedback/model.yaml"), "--dispositions", leadDisp)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "these are verdicts on leads (lead_id), and --accounts reads verdicts on accounts: give account_id, at, status, reason")

	// Account verdicts need a file, a model with accounts, and no HTML yet.
	code, _, errOut = leadscore(t, "", "feedback", "--accounts", accounts, "--leads", leads, "--model", td("accounts/feedback/model.yaml"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--dispositions is required with --accounts")
	code, _, errOut = leadscore(t, "", "feedback", "--accounts", accounts, "--leads", leads, "--model", td("b2b-saas.yaml"), "--dispositions", disp)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "has no accounts section")
	code, _, errOut = leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", td("dispositions.csv"), "--created-field", "x")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--created-field is for the feedback on accounts")
}

// The feedback on the bundled accounts example is the golden one (go test
// ./cmd/leadscore -run TestFeedbackAccountsGolden -update rewrites it); its
// JSON agrees with it, and its CSV starts with the same totals.
func TestFeedbackAccountsGolden(t *testing.T) {
	dir := td("accounts")
	args := []string{"feedback", "--accounts", filepath.Join(dir, "accounts.ndjson"), "--leads", filepath.Join(dir, "leads.ndjson"),
		"--model", filepath.Join(dir, "feedback", "model.yaml"), "--dispositions", filepath.Join(dir, "feedback", "dispositions.csv"),
		"--outcomes", filepath.Join(dir, "outcomes.csv"), "--at", "2026-10-01"}
	code, md, errOut := leadscore(t, "", append(args, "--format", "markdown")...)
	require.Equal(t, exitOK, code, errOut)
	// A-WAYNE's outcome row names no account of the accounts file: said,
	// with its line, and summed (a warning, as backtest --accounts counts it).
	outcomes := filepath.Join(dir, "outcomes.csv")
	assert.Equal(t, outcomes+`:6: no account in the accounts file has the id "A-WAYNE", so its outcome (an opportunity) counts nowhere in this report; check the account_id, or give the file that holds that account`+"\n"+
		"1 outcome row of "+outcomes+" names no account of the accounts file (0 won deals, revenue 0): not counted in this report; check their ids (each is named with its line on stderr)\n"+
		"5 account rows: 0 could not be read, 0 failed to score, 5 used = 1 sales-ready by the as-of time + 4 not\n"+
		"14 lead rows: 0 could not be read, 0 failed, 11 matched to an account, 3 unmatched\n"+
		"2 disposition rows: 2 used, 0 failed\n", errOut)
	name := td(filepath.Join("golden", "feedback-accounts.md"))
	if *update {
		require.NoError(t, os.WriteFile(name, []byte(md), 0o644))
	}
	want, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, string(want), md)

	code, js, _ := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code)
	var r feedback.Report
	require.NoError(t, json.Unmarshal([]byte(js), &r))
	// A-ACME, sales-ready when its third engaged person (L03) viewed the
	// pricing page on 09-28 at 10:05, accepted 09-29 at 09:00: 22h55m.
	assert.Equal(t, [4]int{5, 1, 1, 1}, [4]int{r.Leads, r.SalesReady, r.Dispositioned, r.Accepted})
	assert.Equal(t, 1, r.NotHandedOff, "A-INITECH, rejected but never sales-ready")
	require.NotNil(t, r.SLA.MedianHours)
	assert.InDelta(t, 22+55.0/60, *r.SLA.MedianHours, 1e-9)
	assert.Contains(t, md, fmt.Sprintf("median %.1fh", 22+55.0/60))

	code, csvOut, _ := leadscore(t, "", append(args, "--format", "csv")...)
	require.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(csvOut, "section,name,sales_ready,dispositioned,accepted,rejected,recycled,acceptance_rate,rejection_rate,reasons,acceptance_rate_low,acceptance_rate_high,rejection_rate_low,rejection_rate_high,too_few_verdicts,recycle_rate,recycle_rate_low,recycle_rate_high\ntotal,total,1,1,1,0,0,1,0,,0.20654931437723745,1,0,0.7934506856227626,true,0,0,0.7934506856227626\n"), csvOut)
	// 1 of 1 accepted: Wilson's interval is 1/(1+z²) to 1; 0 of 1 rejected:
	// 0 to z²/(1+z²); one verdict is too few.
	const z = 1.959963984540054
	assert.InDelta(t, 1/(1+z*z), 0.20654931437723745, 1e-15)
	assert.InDelta(t, z*z/(1+z*z), 0.7934506856227626, 1e-15)
	assert.Contains(t, csvOut, "\nstage,buying-group,1,1,1,0,0,1,0,,0.20654931437723745,1,0,0.7934506856227626,true,0,0,0.7934506856227626\n")
	assert.Contains(t, csvOut, "\nrole,decision_maker,1,1,1,0,0,1,0,,0.20654931437723745,1,0,0.7934506856227626,true,0,0,0.7934506856227626\n")
}

// The HTML page of the feedback on accounts shows the JSON report's
// numbers (each at its path, shown as that number), its stage and role
// groups, and speaks of accounts.
func TestFeedbackAccountsHTML(t *testing.T) {
	accounts, leads, disp, outcomes := feedbackAccountsFixture(t)
	args := []string{"feedback", "--accounts", accounts, "--leads", leads, "--model", td("accounts/feedback/model.yaml"),
		"--dispositions", disp, "--outcomes", outcomes, "--at", "2026-10-01"}
	code, page, errOut := leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, _ := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code)
	checkPage(t, page, js, 100)
	for _, m := range kpiRE.FindAllStringSubmatch(page, -1) {
		var doc any
		require.NoError(t, json.Unmarshal([]byte(js), &doc))
		want, ok := lookup(doc, m[1])
		require.True(t, ok, m[1])
		assert.Equal(t, fmt.Sprint(want), m[2], "kpi %s", m[3])
	}
	assert.Contains(t, page, `data-kpi="acceptance_rate"`)
	assert.Contains(t, page, `data-path="stages.0.sales_ready" data-value="7"`)
	assert.Contains(t, page, `data-path="roles.0.sales_ready" data-value="7"`)
	for _, title := range []string{"What sales said about the sales-ready accounts", "Verdicts on sales-ready accounts", "By stage at the hand-off",
		"By buying-group role present at the hand-off", "Recycled accounts", "accounts given the reason", "role:decision_maker"} {
		assert.Contains(t, page, title)
	}
	// The fixture's leads all match, so no warning names them: every word
	// shown is of accounts (leads is a JSON key in data-path only).
	_, body, _ := strings.Cut(page, "<body>")
	assert.NotRegexp(t, `>[^<]*\blead`, body)
}
