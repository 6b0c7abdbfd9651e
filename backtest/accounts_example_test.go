package backtest_test

import (
	"fmt"
	"time"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Backtest the sales-ready account definition: give the accounts and
// their outcomes (by account id), add the leads in any order, and read
// the report. An account is scored as it stood at T0, from its people then.
func ExampleNewAccounts() {
	m, err := rules.CompileBytes("accounts.yaml", []byte(`leadscore: 1
model: example
fields: {email: string}
event_types: [demo_request]
scores:
  engagement: {max: 100}
rules:
  - {id: demo, score: engagement, event: demo_request, points: 40}
stages:
  - {id: sql, sales_ready: true, when: engagement >= 40}
accounts:
  match: {domain_from: email}
  fields: {domain: string}
  scores:
    engagement: {max: 100}
  engaged: {when: engagement >= 40}
  rules:
    - {id: people, score: engagement, people: sum, of: engagement, max: 100}
  stages:
    - {id: buying, sales_ready: true, when: engaged() >= 2}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := scoring.NewAccountScorer(m)
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	demo := func(d int) []scoring.Event {
		return []scoring.Event{{Type: "demo_request", At: time.Date(2026, 9, d, 0, 0, 0, 0, time.UTC)}}
	}
	accounts := []scoring.Account{
		{ID: "acme", Fields: map[string]any{"domain": "acme.com"}},
		{ID: "globex", Fields: map[string]any{"domain": "globex.io"}},
		{ID: "initech", Fields: map[string]any{"domain": "initech.com"}},
	}
	outcomes := map[string]backtest.Outcome{
		"acme":    {Opportunity: t0.AddDate(0, 0, 10), Won: t0.AddDate(0, 1, 0), Revenue: 50000},
		"initech": {Opportunity: t0.AddDate(0, 0, 20), Won: t0.AddDate(0, 2, 0), Revenue: 8000},
	}
	b, err := backtest.NewAccounts(s, accounts, outcomes, backtest.AccountOptions{At: t0})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, l := range []scoring.Lead{
		{ID: "ana", Fields: map[string]any{"email": "ana@acme.com"}, Events: demo(20)},
		{ID: "ben", Fields: map[string]any{"email": "ben@acme.com"}, Events: demo(25)},
		{ID: "eve", Fields: map[string]any{"email": "eve@globex.io"}, Events: demo(10)},
		{ID: "lee", Fields: map[string]any{"email": "lee@gmail.com"}},
	} {
		if err := b.Add(i+1, l); err != nil {
			fmt.Println(err)
		}
	}
	// acme 80 (won), globex 40, initech 0 (won): of the two pairs of a won
	// and a not-won account, acme outscores globex and initech does not.
	r := b.Report()
	fmt.Printf("%d accounts in the backtest, %d won; AUC %.3f\n", r.Accounts.InBacktest, r.Won, *r.AUC)
	fmt.Printf("sales-ready: %d, %d won: precision %.2f, recall %.2f\n", r.SalesReady.Leads, r.SalesReady.Won, *r.SalesReady.Precision, *r.SalesReady.Recall)
	fmt.Printf("verdict: %s\n", r.Verdict)
	fmt.Printf("unmatched: %s (%s)\n", r.Unmatched[0].ID, r.Unmatched[0].Reason)
	// Output:
	// 3 accounts in the backtest, 2 won; AUC 0.500
	// sales-ready: 1, 1 won: precision 1.00, recall 0.50
	// verdict: too little data
	// unmatched: lee (no account has the domain gmail.com)
}
