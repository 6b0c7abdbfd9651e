package leadfile_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/source"
)

// A nightly job: score the whole NDJSON export on every core, write one
// result row per lead (to a file, or the warehouse's loader), and log what
// the run did.
func ExampleScore() {
	m, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	in, err := os.Open("../../testdata/leads.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	defer in.Close()
	sum, err := leadfile.Score(leadfile.Options{
		Scorer:    scoring.New(m),
		AsOf:      time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Input:     in,
		InputName: "leads.ndjson",
		Output:    io.Discard, // scores.ndjson, in input order
		OnError:   func(e leadfile.RowError) { fmt.Println(e) },
	})
	if err != nil {
		log.Fatal(err) // the run as a whole failed: unreadable input, a failed write
	}
	fmt.Printf("%d rows: %d scored, %d failed; %d sales-ready, %d disqualified\n",
		sum.Rows, sum.Scored, sum.Failed, sum.SalesReady, sum.Disqualified)
	stages := make([]string, 0, len(sum.Stages))
	for st := range sum.Stages {
		stages = append(stages, st)
	}
	slices.Sort(stages)
	for _, st := range stages {
		name := st
		if name == "" {
			name = "(none)"
		}
		fmt.Printf("  %-8s %4d\n", name, sum.Stages[st])
	}
	// Output:
	// 1000 rows: 1000 scored, 0 failed; 21 sales-ready, 130 disqualified
	//   (none)    784
	//   engaged   156
	//   mql        39
	//   sql        21
}

// Bad rows fail alone, each with its line and reason; the others are
// scored, and the output keeps one row per input row (an error row for a
// failed one) so it lines up with the input.
func ExampleScore_rowErrors() {
	m, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	in := strings.NewReader(`{"id":"A1","email":"ana@acme.io","title":"VP Sales","industry":"software","employees":300,"country":"US","events":[{"type":"demo_request","at":"2026-09-28T09:00:00Z"}]}
{"id":"A2","email":"bo@acme.io","employees":"lots"}
{"id":"A3","title":"Analyst"}
{"id":"A4","email":"cy@acme.io","title":"Engineer","events":[{"type":"webinar_attended","at":"2026-09-20T15:00:00Z","minutes":50}]}
`)
	var out bytes.Buffer
	sum, err := leadfile.Score(leadfile.Options{
		Scorer: scoring.New(m), AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Input: in, InputName: "leads.ndjson",
		Output: &out, OutputFormat: leadfile.CSV,
		OnError: func(e leadfile.RowError) { fmt.Println("skipped:", e) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(out.String())
	fmt.Println(sum.Scored, "scored,", sum.Failed, "failed")
	// Output:
	// skipped: leads.ndjson:2: lead A2: employees: want a whole number, got the text "lots"
	// skipped: leads.ndjson:3: lead A3: email: required but missing
	// id,total,fit,engagement,grade,stage,sales_ready,disqualified,gates,fired,unknown,error
	// A1,110,70,40,A,sql,true,false,,fit.industry fit.mid-market fit.decision-maker fit.target-country engagement.demo-request,,
	// A2,,,,,,,,,,,"employees: want a whole number, got the text ""lots"""
	// A3,,,,,,,,,,,email: required but missing
	// A4,25,10,15,D,engaged,false,false,,fit.practitioner engagement.webinar,,
	// 2 scored, 2 failed
}

// Score a CRM's exports as they come out of it: the contacts and their
// activities, read through the source mapping (package source) that says
// which column is which field, event type and time.
func ExampleScore_hubspot() {
	m, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	mapping, diags := source.CheckFile("../../testdata/crm/hubspot.yaml", m)
	if err := diags.Err(); err != nil {
		log.Fatal(err)
	}
	contacts, err := os.Open("../../testdata/crm/hubspot-contacts.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer contacts.Close()
	activities, err := os.Open("../../testdata/crm/hubspot-activities.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer activities.Close()
	sum, err := leadfile.Score(leadfile.Options{
		Scorer: scoring.New(m), AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Source: mapping,
		Input:  contacts, InputName: "hubspot-contacts.csv",
		Events: activities, EventsName: "hubspot-activities.csv",
		Output:  io.Discard,
		OnError: func(e leadfile.RowError) { fmt.Println(e) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d contacts scored, %d failed, %d sales-ready; %d activities exported twice, counted once\n",
		sum.Scored, sum.Failed, sum.SalesReady, sum.RepeatedEvents)
	// The export holds the leads of leads.ndjson: the same 21 are sales-ready.

	// Output:
	// 1000 contacts scored, 0 failed, 21 sales-ready; 54 activities exported twice, counted once
}

// A report that needs each lead's timeline: the replays run on every core,
// and the tally, which is not safe to share, is kept by the one goroutine
// Map hands the results to, in the file's order.
func ExampleMap() {
	m, err := rules.CompileFile("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	s := scoring.New(m)
	in, err := os.Open("../../testdata/leads.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	defer in.Close()
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	byMonth := map[string]int{} // leads by the month they first became sales-ready
	err = leadfile.Map(leadfile.Options{Scorer: s, Input: in, InputName: "leads.ndjson"},
		func(line int, lead scoring.Lead, err error) string { // on every core
			if err != nil {
				return ""
			}
			tl, err := s.Timeline(lead, asOf)
			if err != nil {
				return ""
			}
			if r, ready := tl.SalesReadyAt(s); ready {
				return r.At.Format("2006-01")
			}
			return ""
		},
		func(line int, month string) error { // one goroutine, in input order
			if month != "" {
				byMonth[month]++
			}
			return nil
		})
	if err != nil {
		log.Fatal(err)
	}
	months := slices.Sorted(maps.Keys(byMonth))
	for _, month := range months[len(months)-3:] {
		fmt.Printf("%s: %d leads became sales-ready\n", month, byMonth[month])
	}
	// Output:
	// 2026-07: 8 leads became sales-ready
	// 2026-08: 5 leads became sales-ready
	// 2026-09: 21 leads became sales-ready
}

// Reading leads as the people of accounts on every core: each person's
// roles and whether it is engaged, in input order, for a backend that
// keeps people by account itself (AccountScorer.ScoreAccount scores them).
func ExamplePeople() {
	m, err := rules.CompileFile("../../testdata/accounts/model.yaml")
	if err != nil {
		log.Fatal(err)
	}
	s, err := scoring.NewAccountScorer(m)
	if err != nil {
		log.Fatal(err)
	}
	in, err := os.Open("../../testdata/accounts/leads.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	defer in.Close()
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	type seen struct {
		id  string
		p   *scoring.Person
		err error
	}
	err = leadfile.People(leadfile.Options{Input: in, InputName: "leads.ndjson"}, s, asOf,
		func(line int, id string, p *scoring.Person, err error) seen { return seen{id, p, err} }, // on every core
		func(line int, r seen) error { // in input order
			if r.err == nil && line <= 4 {
				fmt.Printf("%d %s: total %v, engaged %v, roles %v\n", line, r.id, r.p.Result.Total, r.p.Engaged, r.p.Roles)
			}
			return nil
		})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1 L01: total 75, engaged true, roles [decision_maker]
	// 2 L02: total 45, engaged true, roles [champion user]
	// 3 L03: total 23, engaged true, roles [user]
	// 4 L04: total 10, engaged false, roles []
}
