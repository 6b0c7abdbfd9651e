package leadscore_test

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"time"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Compile the bundled rule file once, then score a lead from a request.
func ExampleLoad() {
	scorer, err := leadscore.Load("testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	lead := scoring.Lead{
		ID: "lead-42",
		Fields: map[string]any{ // as decoded from JSON
			"email": "maria@acme.io", "title": "VP Engineering", "industry": "software",
			"employees": 250, "country": "US",
		},
		Events: []scoring.Event{
			{Type: "demo_request", At: asOf.Add(-48 * time.Hour)},
			{Type: "webinar_attended", At: asOf.Add(-10 * 24 * time.Hour), Fields: map[string]any{"minutes": 35}},
		},
	}
	res, err := scorer.Score(lead, asOf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("fit %.0f, engagement %.0f, grade %s, stage %s, sales-ready %v\n",
		res.Score("fit"), res.Score("engagement"), res.Grade, res.Stage, res.SalesReady)
	for _, f := range res.Fired {
		fmt.Printf("%+4.0f  %-24s %s\n", f.Points, f.Rule, f.Reason)
	}
	// Output:
	// fit 70, engagement 55, grade A, stage sql, sales-ready true
	//  +20  fit.industry             Target industry
	//  +15  fit.mid-market           Mid-market company (50 to 999 employees)
	//  +25  fit.decision-maker       Title of a decision maker
	//  +10  fit.target-country       Country we sell in
	//  +15  engagement.webinar       Attended a webinar for at least 20 minutes
	//  +40  engagement.demo-request  Asked for a demo
}

// A backend's own Go type feeds the schema by its lead tags; CheckType says
// at start-up whether it fits.
func ExampleScorer_Score_struct() {
	scorer, err := leadscore.Load("testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	type crmLead struct {
		Email     string    `lead:"email"`
		JobTitle  string    `lead:"title"`
		Industry  string    // feeds "industry"
		Employees *int      // feeds "employees"; nil is missing
		CreatedAt time.Time // feeds "created_at"; the zero time is missing
		Owner     string    `lead:"-"` // not lead data
	}
	if err := scorer.CheckType(crmLead{}); err != nil {
		fmt.Println(err)
	}
	employees := 250
	res, err := scorer.Score(leadscore.Lead{ID: "L7", Fields: crmLead{Email: "maria@acme.io", JobTitle: "VP Sales", Industry: "SaaS", Employees: &employees}},
		time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Score("fit"), res.Grade, res.RuleIDs())
	// Output:
	// lead type leadscore_test.crmLead does not fit model b2b-saas:
	//   no struct field feeds annual_revenue, country, source, tech_stack, unsubscribed; add fields tagged lead:"name", or remove them from the schema
	// 60 A [fit.industry fit.mid-market fit.decision-maker]
}

// A lead that does not fit the schema fails alone, with an error that says
// which lead and which field; errors.As finds the details.
func ExampleScorer_Score_errors() {
	scorer, err := leadscore.Load("testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	_, err = scorer.Score(leadscore.Lead{ID: "L9", Fields: map[string]any{"email": "a@b.io", "employees": "250"}}, time.Now())
	var se *leadscore.ScoreError
	var le *rules.LeadError
	if errors.As(err, &se) && errors.As(err, &le) {
		fmt.Println(se.LeadID, le.Problems[0].Field, "-", le.Problems[0].Message)
	}

	_, err = leadscore.Load("testdata/no-such-model.yaml")
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// L9 employees - want a whole number, got the text "250"
	// true
}

// Explain says why a lead scored as it did, rule by rule.
func ExampleScorer_Explain() {
	scorer, err := leadscore.Load("testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	x, err := scorer.Explain(leadscore.Lead{ID: "L3", Fields: map[string]any{"email": "jo@acme.io", "title": "Analyst", "employees": 40}}, asOf)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range x.Rules[:2] {
		fmt.Println(r.Rule, r.Fired, r.Condition.Source)
	}
	fmt.Println("next:", x.Next.Stage)
	// Output:
	// fit.industry false lower(industry) in target_industries
	// fit.mid-market false employees >= 50 && employees < 1000
	// next: engaged
}

// A timeline replays the events: when the lead became sales-ready, and
// which event made it so.
func ExampleScorer_Timeline() {
	scorer, err := leadscore.Load("testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	lead := leadscore.Lead{ID: "L4", Fields: map[string]any{"email": "maria@acme.io", "title": "VP Engineering", "industry": "software", "employees": 250, "country": "US"},
		Events: []leadscore.Event{
			{Type: "page_view", At: asOf.AddDate(0, 0, -20), Fields: map[string]any{"url": "/pricing"}},
			{Type: "demo_request", At: asOf.AddDate(0, 0, -3)},
		}}
	tl, err := scorer.Timeline(lead, asOf)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range tl.Reached {
		by := "its fit"
		if r.Event != nil {
			by = r.Event.Type
		}
		fmt.Println(r.Stage, r.At.Format("2006-01-02"), "by", by)
	}
	// Output:
	// engaged 2026-09-11 by page_view
	// mql 2026-09-28 by demo_request
	// sql 2026-09-28 by demo_request
}

//go:embed testdata/b2b-saas.yaml testdata/common/lists.yaml
var ruleFiles embed.FS

// Rule files built into the binary load the same way.
func ExampleLoadFS() {
	scorer, err := leadscore.LoadFS(ruleFiles, "testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(scorer.Model().Name, len(scorer.Model().Rules), "rules")
	// Output:
	// b2b-saas 15 rules
}
