package scoring_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Score inside a request: give the scorer the request's context, with a
// budget of its own, so a client that hangs up (or a deadline that passes)
// stops the work; the error says which lead and wraps the context's error.
func ExampleScorer_ScoreContext() {
	m, err := rules.CompileFile("../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	s := scoring.New(m)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	lead := scoring.Lead{ID: "L-77", Fields: map[string]any{"email": "kim@initech.com", "title": "CTO", "industry": "software", "employees": 90},
		Events: []scoring.Event{{Type: "demo_request", At: asOf.AddDate(0, 0, -1)}}}

	reqCtx, hangUp := context.WithCancel(context.Background()) // r.Context() in a handler
	ctx, cancel := context.WithTimeout(reqCtx, time.Second)
	res, err := s.ScoreContext(ctx, lead, asOf)
	cancel()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.LeadID, res.Stage, res.SalesReady)

	hangUp() // the client went away: the next score stops at once
	_, err = s.ScoreContext(reqCtx, lead, asOf)
	var se *scoring.Error
	fmt.Println(errors.Is(err, context.Canceled), errors.As(err, &se) && se.LeadID == "L-77")
	// Output:
	// L-77 sql true
	// true true
}

// Explain a decaying rule: each pricing-page view is worth 10 points at
// first and half as much every 14 days (decay: {half_life: 14d}), and only
// the 3 most recent count (limit: 3).
func ExampleScorer_Explain_decay() {
	m, err := rules.CompileFile("../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	s := scoring.New(m)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var events []scoring.Event
	for _, days := range []int{42, 28, 14, 0} {
		events = append(events, scoring.Event{Type: "page_view", At: asOf.AddDate(0, 0, -days), Fields: map[string]any{"url": "/pricing"}})
	}
	x, err := s.Explain(scoring.Lead{ID: "L-8", Fields: map[string]any{"email": "lee@acme.io"}, Events: events}, asOf)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range x.Rules {
		if r.Rule != "engagement.pricing-page" {
			continue
		}
		ev := r.Events
		fmt.Printf("%d views, %d matched, %d counted: %v points\n", ev.Of, ev.Matched, ev.Counted, r.Points)
		for _, p := range ev.Each {
			fmt.Printf("  %-6s  %2.0f days old  %v\n", p.At.Format("Jan 2"), p.AgeDays, p.Points)
		}
	}
	// The view of 20 August is the fourth most recent: past the limit, it
	// gives nothing.
	fmt.Println("engagement:", x.Result.Score("engagement"))
	// Output:
	// 4 views, 4 matched, 3 counted: 17.5 points
	//   Oct 1    0 days old  10
	//   Sep 17  14 days old  5
	//   Sep 3   28 days old  2.5
	// engagement: 17.5
}
