package backtest_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/scoring"
)

// leakModel is handModel with a customer field read by a gate and a
// flag field read by a rule.
var leakModel = strings.Replace(strings.Replace(handModel,
	"fields: {domain: string, employees: int}", "fields: {domain: string, employees: int, customer: bool, flag: bool}", 1),
	"    - {id: size, score: fit, when: employees >= 200, points: 50}\n",
	"    - {id: size, score: fit, when: employees >= 200, points: 50}\n    - {id: flagged, score: fit, when: flag, points: 1}\n    - {id: gate.customer, disqualify: Already a customer, when: customer}\n", 1)

func leakSignal(t *testing.T, r *backtest.AccountReport, id string) backtest.AccountRuleSignal {
	t.Helper()
	for _, s := range r.Rules {
		if s.Rule == id {
			return s
		}
	}
	t.Fatalf("no signal for %s in %+v", id, r.Rules)
	return backtest.AccountRuleSignal{}
}

// TestAccountsLeakageGate: A (won on 11-01) carries customer: true, as an
// accounts file exported after the win would; the gate stops it at T0, 1
// of 1 won where 2 of 4 won: too few won deals to suspect leakage (at
// least MinRuleWon), so a check to make, in the rules, the warnings and
// every format. The same gate on D (not won) needs no check.
func TestAccountsLeakageGate(t *testing.T) {
	s := accountScorer(t, leakModel)
	accounts, leads, outcomes := handAccounts()
	accounts[0].Fields["customer"] = true
	r := accountReport(t, s, accounts, leads, outcomes, backtest.AccountOptions{At: day(10, 1)})
	g := leakSignal(t, r, "gate.customer")
	assert.True(t, g.Gate)
	assert.Equal(t, 1, g.Fired)
	assert.Equal(t, 1, g.FiredWon)
	assert.Empty(t, g.Leakage, "1 won deal is too few to suspect leakage")
	assert.Contains(t, g.Check, "stopped 1 account at T0, 1 of them won after (100.0%), where 50.0% of all accounts won: too few won deals to suspect leakage (at least 5 are needed)")
	size := leakSignal(t, r, "size")
	assert.Equal(t, 1, size.Fired, "A is the only account in the backtest with 200 employees or more")
	assert.Empty(t, size.Leakage)
	assert.Contains(t, strings.Join(r.Warnings, "\n"), "Gate gate.customer stopped 1 account at T0")
	var text, md, js bytes.Buffer
	require.NoError(t, r.WriteText(&text))
	require.NoError(t, r.WriteMarkdown(&md))
	require.NoError(t, r.WriteJSON(&js))
	assert.Contains(t, text.String(), "check that the fields it reads are as they stood at T0")
	assert.Contains(t, md.String(), "| gate.customer | gate | 1 | 1 | 100.0% | too few to tell: check the fields |")
	assert.Contains(t, js.String(), `"check": "gate gate.customer stopped 1 account`)

	accounts, leads, outcomes = handAccounts()
	accounts[3].Fields["customer"] = true
	r = accountReport(t, s, accounts, leads, outcomes, backtest.AccountOptions{At: day(10, 1)})
	g = leakSignal(t, r, "gate.customer")
	assert.Equal(t, 1, g.Fired)
	assert.Zero(t, g.FiredWon)
	assert.Empty(t, g.Leakage, "a gate stopping a not-won account is what a gate is for")
	assert.Empty(t, g.Check)
	assert.NotContains(t, strings.Join(r.Warnings, "\n"), "leakage")
}

// TestAccountsLeakageRule: a rule that fires on 6 of the 6 won accounts
// and on none of the 14 others is too clean a split; one that fires on 3
// won and 3 not won is not suspected.
func TestAccountsLeakageRule(t *testing.T) {
	s := accountScorer(t, leakModel)
	var accounts []scoring.Account
	var leads []scoring.Lead
	outcomes := map[string]backtest.Outcome{}
	for i := range 20 {
		id := fmt.Sprintf("X%02d", i)
		accounts = append(accounts, scoring.Account{ID: id, Fields: map[string]any{"domain": id + ".com", "employees": 10, "flag": i < 6}})
		leads = append(leads, person("p"+id, "p@"+id+".com", day(9, 1)))
		if i < 6 {
			outcomes[id] = backtest.Outcome{Opportunity: day(10, 5), Won: day(11, 1), Revenue: 100}
		}
	}
	r := accountReport(t, s, accounts, leads, outcomes, backtest.AccountOptions{At: day(10, 1)})
	f := leakSignal(t, r, "flagged")
	assert.Equal(t, 6, f.Fired)
	assert.Equal(t, 6, f.FiredWon)
	assert.Contains(t, f.Leakage, "rule flagged fired on 6 accounts at T0, 6 of them won after (100.0%), where 30.0% of all accounts won")

	for i := range 20 {
		accounts[i].Fields["flag"] = i >= 3 && i < 9 // 3 won, 3 not
	}
	r = accountReport(t, s, accounts, leads, outcomes, backtest.AccountOptions{At: day(10, 1)})
	f = leakSignal(t, r, "flagged")
	assert.Equal(t, 6, f.Fired)
	assert.Equal(t, 3, f.FiredWon)
	assert.Empty(t, f.Leakage)
}

// People arriving exactly at T0 have arrived by T0 (their account is in
// the backtest), but the history has no length: the hand-offs say so,
// count none, and no warning speaks of the win rate of hand-offs.
func TestAccountsPeopleArrivingAtT0(t *testing.T) {
	s := accountScorer(t, handModel)
	t0 := day(10, 1)
	accounts := []scoring.Account{{ID: "A", Fields: map[string]any{"domain": "a.com", "employees": 1000}}}
	leads := []scoring.Lead{
		person("a1", "a1@a.com", t0, ev("demo_request", t0)),
		person("a2", "a2@a.com", t0, ev("demo_request", t0)),
	}
	r := accountReport(t, s, accounts, leads, map[string]backtest.Outcome{"A": {Opportunity: day(10, 5), Won: day(11, 1), Revenue: 1}}, backtest.AccountOptions{At: t0})
	assert.Equal(t, 2, r.Leads.People, "created at T0: people at T0")
	assert.Equal(t, 1, r.Accounts.InBacktest)
	assert.True(t, r.SalesReady.Leads == 1, "sales-ready at T0")
	require.NotNil(t, r.Capacity)
	assert.Zero(t, r.Capacity.HandedOver)
	assert.Equal(t, t0, r.Capacity.First)
	var buf bytes.Buffer
	require.NoError(t, r.WriteText(&buf))
	assert.Contains(t, buf.String(), "Hand-offs: the first person arrived at T0 itself (2026-10-01T00:00:00Z), so the history has no length to count accounts per week over.")
	assert.NotContains(t, buf.String(), "no person arrived by T0")
	assert.NotContains(t, strings.Join(r.Warnings, "\n"), "handed over in the history")
}

// Singular forms, and the Markdown summary as a list (its lines would run
// together as one paragraph otherwise); no leads and no accounts warn.
func TestAccountsWordingAndEmptyInputs(t *testing.T) {
	s := accountScorer(t, handModel)
	t0 := day(10, 1)
	accounts := []scoring.Account{{ID: "A", Fields: map[string]any{"domain": "a.com", "employees": 1000}}, {ID: "B", Fields: map[string]any{"domain": "b.com", "employees": 10}}}
	leads := []scoring.Lead{person("a1", "a1@a.com", t0.Add(-8*24*time.Hour), ev("demo_request", t0.Add(-2*24*time.Hour))), person("b1", "b1@b.com", t0.Add(-8*24*time.Hour))}
	outcomes := map[string]backtest.Outcome{"A": {Opportunity: day(10, 5), Won: day(11, 1), Revenue: 1}, "Z": {Opportunity: day(10, 5)}}
	r := accountReport(t, s, accounts, leads, outcomes, backtest.AccountOptions{At: t0})
	var text, md bytes.Buffer
	require.NoError(t, r.WriteText(&text))
	require.NoError(t, r.WriteMarkdown(&md))
	assert.Contains(t, text.String(), "1 won (50.0%), 1 became an opportunity, revenue 1.")
	assert.Contains(t, text.String(), "1 row of the outcomes file names no account")
	assert.Contains(t, text.String(), "over the last 1 week (from 2026-09-24)")
	assert.Contains(t, md.String(), "## Backtest of accounts\n\n- Model hand, accounts, snapshot at ")
	assert.Contains(t, md.String(), ".\n- In the backtest: 1 won")

	r = accountReport(t, s, accounts, nil, outcomes, backtest.AccountOptions{At: t0})
	assert.Contains(t, strings.Join(r.Warnings, "\n"), "No leads were given")
	r = accountReport(t, s, nil, leads, outcomes, backtest.AccountOptions{At: t0})
	assert.Contains(t, strings.Join(r.Warnings, "\n"), "No accounts were given")
}

// An account that becomes sales-ready as a penalty decays, between the
// moments the replay tries, is sales-ready at T0 with its moment unknown;
// the warning says so and why, not that no person has a creation time.
func TestAccountsHandOffMomentUnknown(t *testing.T) {
	src := strings.Replace(strings.Replace(handModel, "event_types: [demo_request, page_view]", "event_types: [demo_request, page_view, unsubscribe]", 1),
		"  - {id: view, score: engagement, event: page_view, points: 10}\n",
		"  - {id: view, score: engagement, event: page_view, points: 10}\n  - {id: unsub, score: engagement, event: unsubscribe, points: -40, decay: {half_life: 1d}}\n", 1)
	s := accountScorer(t, src)
	accounts := []scoring.Account{{ID: "A", Fields: map[string]any{"domain": "a.com", "employees": 10}}}
	leads := []scoring.Lead{
		// a1: 40 on 09-10, 0 on 09-20, back above 10 from about 09-20 10:00 as the -40 halves daily.
		person("a1", "a1@a.com", day(9, 1), ev("demo_request", day(9, 10)), ev("unsubscribe", day(9, 20))),
		// a2: 10 from 09-20 05:00, when a1 stands at 40-40·2^(-5/24) = 5.4.
		person("a2", "a2@a.com", day(9, 1), ev("page_view", day(9, 20).Add(5*time.Hour))),
	}
	r := accountReport(t, s, accounts, leads, nil, backtest.AccountOptions{At: day(10, 1)})
	assert.Equal(t, 1, r.SalesReady.Leads, "sales-ready at T0")
	require.NotNil(t, r.Capacity)
	assert.Equal(t, 1, r.Capacity.Unknown)
	assert.Zero(t, r.Capacity.HandedOver)
	w := strings.Join(r.Warnings, "\n")
	assert.Contains(t, w, "1 account sales-ready at T0 but at none of the moments the replay tried")
	assert.Contains(t, w, "Points that decay, or a condition on the clock")
	assert.NotContains(t, w, "with no person who has a creation time")
}
