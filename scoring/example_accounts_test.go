package scoring_test

import (
	"fmt"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Score the companies leads work at: compile the rule file once, make one
// AccountScorer (safe for concurrent use), and give it the accounts and
// the leads. Leads find their account by email domain here; free-mail
// addresses match none and are listed, not dropped.
func ExampleAccountScorer_Score() {
	m, err := rules.CompileBytes("accounts.yaml", []byte(`leadscore: 1
model: example
fields: {email: string, title: string}
event_types: [demo_request, page_view]
lists:
  free_mail: [gmail.com]
scores:
  engagement: {max: 100}
rules:
  - {id: demo, score: engagement, event: demo_request, points: 40, within: 30d}
  - {id: views, score: engagement, event: page_view, points: 5, within: 30d}
stages:
  - {id: sql, sales_ready: true, when: engagement >= 40}
accounts:
  match: {domain_from: email, free_mail: free_mail}
  fields: {domain: string, employees: int}
  scores:
    fit: {max: 50}
    engagement: {max: 100}
  roles:
    decision_maker: title matches "(?i)vp|director|chief"
  engaged: {when: engagement >= 10, within: 30d}
  rules:
    - {id: size, score: fit, when: employees >= 200, points: 50}
    - {id: top2, score: engagement, people: top, top: 2, of: engagement, max: 60}
  stages:
    - id: buying
      sales_ready: true
      when: 'engaged() >= 2 && engaged("decision_maker") >= 1 && fit >= 50'
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
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 9, d, 0, 0, 0, 0, time.UTC) }
	accounts := []scoring.Account{{ID: "acme", Fields: map[string]any{"domain": "acme.com", "employees": 1200}}}
	leads := []scoring.Lead{
		{ID: "ana", Fields: map[string]any{"email": "ana@acme.com", "title": "VP Sales"}, Events: []scoring.Event{{Type: "demo_request", At: day(25)}}},
		{ID: "ben", Fields: map[string]any{"email": "ben@acme.com", "title": "Analyst"}, Events: []scoring.Event{{Type: "page_view", At: day(20)}, {Type: "page_view", At: day(21)}}},
		{ID: "cy", Fields: map[string]any{"email": "cy@gmail.com"}},
	}
	out, err := s.Score(accounts, leads, asOf)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := out.Results[0]
	fmt.Printf("%s: total %v, stage %s, sales-ready %v, %d of %d people engaged\n", r.LeadID, r.Total, r.Stage, r.SalesReady, r.Engaged, r.People)
	for _, f := range r.Fired {
		fmt.Printf("  %s: %v\n", f.Rule, f.Points)
	}
	for _, p := range r.Members {
		fmt.Printf("  %s: total %v, roles %v, engaged %v\n", p.LeadID, p.Result.Total, p.Roles, p.Engaged)
	}
	for _, u := range out.Unmatched {
		fmt.Printf("unmatched %s: %s\n", u.LeadID, u.Reason)
	}
	// Output:
	// acme: total 100, stage buying, sales-ready true, 2 of 2 people engaged
	//   size: 50
	//   top2: 50
	//   ana: total 40, roles [decision_maker], engaged true
	//   ben: total 10, roles [], engaged true
	// unmatched cy: gmail.com is a free-mail domain
}
