package leadscore_test

import (
	"fmt"
	"log"
	"time"

	"github.com/leadscore/leadscore"
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
