package leadscore_test

import (
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/leadscore/leadscore"
)

// An HTTP handler's work: decode the request body straight into a Lead
// (fields side by side with "id" and "events"), score it, and answer with
// the compact Row the CLI writes too.
func ExampleScorer_Score_json() {
	scorer, err := leadscore.Load("testdata/b2b-saas.yaml") // at start-up
	if err != nil {
		log.Fatal(err)
	}
	body := []byte(`{"id":"L-1001","email":"dev@globex.com","title":"Platform Engineer","industry":"fintech",
		"employees":1800,"country":"DE","tech_stack":["HubSpot","Jira"],
		"events":[{"type":"webinar_attended","at":"2026-09-24T16:00:00Z","minutes":32},
		          {"type":"trial_signup","at":"2026-09-30T12:00:00Z"}]}`)
	var lead leadscore.Lead
	if err := json.Unmarshal(body, &lead); err != nil {
		log.Fatal(err) // a 400: the body is not a lead
	}
	res, err := scorer.Score(lead, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err) // a 422: the lead does not fit the schema
	}
	out, err := json.Marshal(res.Row())
	if err != nil {
		log.Fatal(err)
	}
	// fit 75 (fintech 20, 1,800 employees 25, an engineer 10, DE 10, HubSpot
	// 10), grade A; engagement 45 (the webinar 15, the trial 30) is short of
	// the 50 sales-ready asks without a demo: marketing qualified.
	fmt.Println(string(out))
	// Output:
	// {"id":"L-1001","total":120,"scores":{"fit":75,"engagement":45},"grade":"A","stage":"mql","sales_ready":false,"disqualified":false,"gates":[],"fired":["fit.industry","fit.enterprise","fit.practitioner","fit.target-country","fit.uses-crm","engagement.webinar","engagement.trial"]}
}
