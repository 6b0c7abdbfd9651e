package feedback_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// Sales' verdicts on accounts: each account is handed over at its first
// sales-ready moment (here, when its second engaged person arrives), and
// a reason's contradicts may name the account's roles.
func ExampleNewAccountBuilder() {
	m, err := rules.CompileBytes("acc.yaml", []byte(`leadscore: 1
model: acc
fields: {email: string, title: string}
event_types: [demo]
scores: {engagement: {min: 0, max: 100}}
rules:
  - {id: engagement.demo, score: engagement, event: demo, points: 50, limit: 1}
stages:
  - {id: hot, when: engagement >= 50, sales_ready: true}
accounts:
  match: {domain_from: email}
  fields: {domain: string}
  scores: {breadth: {min: 0, max: 10}}
  roles: {buyer: title == "CFO"}
  engaged: {when: engagement >= 50}
  rules:
    - {id: account.breadth, score: breadth, reason: Engaged people, people: count, points: 5, max: 10}
  stages:
    - {id: buying, when: engaged() >= 2, sales_ready: true}
handoff:
  sla: 24h
  reasons:
    - {code: no_buyer, description: Nobody who can sign, contradicts: [buyer]}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := scoring.NewAccountScorer(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	set, counts, err := feedback.ReadAccountDispositions(strings.NewReader("account_id,at,status,reason,owner\nA1,2026-09-03T06:00:00Z,rejected,no_buyer,ann\nA2,2026-09-04,accepted,,ann\n"),
		m.Handoff, 0, func(line int, err error) { fmt.Fprintf(os.Stdout, "line %d: %v\n", line, err) })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d rows: %d read, %d failed\n", counts.Rows, counts.Read, counts.Failed)

	day := func(d, h int) time.Time { return time.Date(2026, 9, d, h, 0, 0, 0, time.UTC) }
	person := func(id, email, title string, at time.Time) scoring.Lead {
		return scoring.Lead{ID: id, Fields: map[string]any{"email": email, "title": title}, Events: []scoring.Event{{Type: "demo", At: at}}}
	}
	b := feedback.NewAccountBuilder(s, feedback.Options{AsOf: day(30, 0)})
	for _, a := range []struct {
		acc    scoring.Account
		people []scoring.Lead
	}{
		{scoring.Account{ID: "A1", Fields: map[string]any{"domain": "a1.com"}}, []scoring.Lead{person("p1", "p1@a1.com", "CFO", day(1, 0)), person("p2", "p2@a1.com", "Analyst", day(2, 12))}},
		{scoring.Account{ID: "A2", Fields: map[string]any{"domain": "a2.com"}}, []scoring.Lead{person("p3", "p3@a2.com", "Analyst", day(3, 0))}},
	} {
		e, err := b.PrepareAccount(context.Background(), a.acc, a.people, set.For(a.acc.ID), time.Time{}, "")
		if err != nil {
			fmt.Println(err)
			continue
		}
		b.File(e)
	}
	r := b.Report()
	fmt.Printf("%d accounts, %d sales-ready, %d rejected; verdicts on accounts never sales-ready: %d\n", r.Leads, r.SalesReady, r.Rejected, r.NotHandedOff)
	fmt.Printf("SLA: %d within, median %.0fh\n", r.SLA.Within, *r.SLA.MedianHours)
	for _, e := range r.Evidence {
		fmt.Printf("%s against %s: %d of %d (%s)\n", e.Reason, e.Rule, e.Fired, e.Leads, e.Why)
	}
	// Output:
	// 2 rows: 2 read, 0 failed
	// 2 accounts, 1 sales-ready, 1 rejected; verdicts on accounts never sales-ready: 1
	// SLA: 1 within, median 18h
	// no_buyer against role:buyer: 1 of 1 (too few accounts: 1 account given the reason, 9 more needed)
}
