package stream_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// A new rule file is deployed while states sit in the key-value store.
// States stored under other event rules are refused with ErrModelChanged
// (they may lack events the new rules count): rebuild such a lead's state
// from its event history, once, and carry on.
func ExampleScorer_Load_modelChanged() {
	v1, err := leadscore.Load("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	v2, err := leadscore.Load("../../testdata/b2b-saas-v2.yaml") // webinars of 15 minutes count now
	if err != nil {
		log.Fatal(err)
	}
	history := []scoring.Event{ // the lead's events, as the event log has them
		{Type: "webinar_attended", At: time.Date(2026, 9, 10, 15, 0, 0, 0, time.UTC), Fields: map[string]any{"minutes": 18}},
		{Type: "demo_request", At: time.Date(2026, 9, 28, 9, 0, 0, 0, time.UTC)},
	}
	fields := map[string]any{"email": "ana@acme.com", "title": "VP Marketing", "industry": "software", "employees": 250, "country": "US"}

	// Before the deploy: the state took the events and was stored.
	st := stream.New(v1).NewState("L-1")
	for _, e := range history {
		if err := st.Add(e); err != nil {
			log.Fatal(err)
		}
	}
	stored, err := st.Marshal()
	if err != nil {
		log.Fatal(err)
	}

	// After it: the stored state no longer fits.
	sc := stream.New(v2)
	st, err = sc.Load(stored)
	if errors.Is(err, stream.ErrModelChanged) {
		fmt.Println("L-1: the event rules changed; rebuilding its state") // err names both fingerprints
		st = sc.NewState("L-1")
		for _, e := range history {
			if err := st.Add(e); err != nil {
				log.Fatal(err)
			}
		}
	} else if err != nil {
		log.Fatal(err)
	}
	res, err := st.Score(fields, st.Latest())
	if err != nil {
		log.Fatal(err)
	}
	// The 18-minute webinar, which the old rules dropped, counts now.
	for _, f := range res.Fired {
		if f.Category == "engagement" {
			fmt.Printf("%+.0f %s\n", f.Points, f.Rule)
		}
	}
	fmt.Println("engagement", res.Score("engagement"), res.Stage)
	// Output:
	// L-1: the event rules changed; rebuilding its state
	// +15 engagement.webinar
	// +40 engagement.demo-request
	// engagement 55 sql
}
