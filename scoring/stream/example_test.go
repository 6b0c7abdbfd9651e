package stream_test

import (
	"fmt"
	"log"
	"time"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// A lead's state takes its events one at a time, scores as a full re-score
// would, says when the lead's stage will next change with no new event,
// and is stored between events.
func ExampleState() {
	scorer, err := leadscore.Load("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	sc := stream.New(scorer) // once, at start-up
	fmt.Println("horizon:", sc.Horizon())

	fields := map[string]any{"email": "ana@acme.com", "title": "VP Marketing", "industry": "software", "employees": 250, "country": "US"}
	st := sc.NewState("L-1")
	for _, e := range []scoring.Event{
		{Type: "demo_request", At: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)},
		{Type: "webinar_attended", At: time.Date(2026, 9, 3, 15, 0, 0, 0, time.UTC), Fields: map[string]any{"minutes": 45}},
		{Type: "email_click", At: time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC)}, // late: arrives after the others
	} {
		if err := st.Add(e); err != nil {
			log.Fatal(err)
		}
	}
	res, err := st.Score(fields, st.Latest())
	if err != nil {
		log.Fatal(err)
	}
	// fit 70 (software 20, 250 employees 15, VP 25, US 10); engagement 58
	// (the demo 40, the webinar 15, the click 3): total 128, sales-ready.
	fmt.Println(res.Total, res.Stage, res.Grade)

	// The click leaves its 30-day window on 19 September (engagement 55:
	// still sales-ready); the demo leaves its own on 1 October (engagement
	// 15): the lead drops to engaged then.
	next, ok, err := st.NextChange(fields, st.Latest())
	if err != nil || !ok {
		log.Fatal(err)
	}
	data, err := st.Marshal() // into the key-value store until the next event or next
	if err != nil {
		log.Fatal(err)
	}
	st, err = sc.Load(data) // at the re-check
	if err != nil {
		log.Fatal(err)
	}
	res, err = st.Score(fields, next)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("at", next.Format(time.RFC3339), res.Total, res.Stage)
	// Output:
	// horizon: events matter for 90d; beyond that, the 3 most recent of engagement.pricing-page
	// 128 sql A
	// at 2026-10-01T10:00:00Z 85 engaged
}
