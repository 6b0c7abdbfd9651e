package scoring_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/scoring"
)

// fuzzLead makes a lead of two fuzzed texts: its fields, a JSON object (ok
// is false when it is not one), and its events, a JSON list of objects
// (anything else is no events), a day apart going back from asOf.
func fuzzLead(lead, events string) (scoring.Lead, bool) {
	var fields map[string]any
	if json.Unmarshal([]byte(lead), &fields) != nil {
		return scoring.Lead{}, false
	}
	var raw []map[string]any
	_ = json.Unmarshal([]byte(events), &raw)
	var evs []scoring.Event
	for i, e := range raw {
		typ, _ := e["type"].(string)
		evs = append(evs, scoring.Event{Type: typ, At: ago(float64(i)), Fields: e})
	}
	return scoring.Lead{ID: "f", Fields: fields, Events: evs}, true
}

// FuzzScoreJSON scores arbitrary JSON leads with the bundled model: a lead
// may be refused with an error, but nothing may panic or fail internally.
func FuzzScoreJSON(f *testing.F) {
	f.Add(`{"email":"a@b.io","title":"VP","employees":250,"tech_stack":["hubspot"],"created_at":"2026-01-01"}`,
		`[{"type":"page_view","url":"/pricing"},{"type":"webinar_attended","minutes":30}]`)
	f.Add(`{"email":null,"employees":"x","unsubscribed":"yes"}`, `[{"type":"demo_request","minutes":"a"}]`)
	f.Add(`{"email":"a@b","title":"(?i"}`, `[]`)
	s := bundledScorer(f)
	f.Fuzz(func(t *testing.T, lead, events string) {
		l, ok := fuzzLead(lead, events)
		if !ok {
			return
		}
		res, err := s.Score(l, asOf)
		if (res == nil) == (err == nil) {
			t.Fatalf("want a result or an error, got %v and %v", res, err)
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatal(err)
		}
	})
}
