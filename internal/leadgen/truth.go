package leadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"
)

// TruthT0 is the snapshot of the known-truth set: leads are created in the
// 180 days before it, won deals fall in the 90 days after it.
var TruthT0 = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

// TruthLead is one lead of the known-truth set that
// testdata/backtest/truth/truth.yaml scores: six yes/no traits, its
// creation, its visits, and its outcome.
type TruthLead struct {
	ID                 string
	A, B, C, D, E, F   bool
	Created            time.Time
	Visits             []time.Time
	Opportunity, Won   time.Time // zero when not won
	TrueLogOdds, Truth float64   // the log-odds of winning by construction, and its chance
}

// Truth draws n leads from a known propensity (see truth.yaml's header):
// log-odds −2.6, +1.0 for trait A, −0.8 for B, +1.0 for the rare E, +0.8
// for each visit weighed by a 30-day half-life; C and D (which agrees with
// A on 85% of leads) count nothing; F is filled in after the outcome, on
// 95% of won leads and 1% of the rest. A won lead's opportunity opens 5
// days before the win, and never at or before TruthT0.
func Truth(seed uint64, n int) []TruthLead {
	r := rand.New(rand.NewPCG(seed, 7))
	day := 24 * time.Hour
	out := make([]TruthLead, 0, n)
	for i := 0; i < n; i++ {
		l := TruthLead{ID: fmt.Sprintf("T%05d", i)}
		l.Created = TruthT0.Add(-time.Duration(r.Float64() * float64(180*day))).Truncate(time.Second)
		l.A = r.Float64() < 0.4
		l.D = r.Float64() < 0.15
		if l.A {
			l.D = r.Float64() < 0.85
		}
		l.B, l.C, l.E = r.Float64() < 0.3, r.Float64() < 0.5, r.Float64() < 0.003
		z := -2.6
		if l.A {
			z += 1.0
		}
		if l.B {
			z -= 0.8
		}
		if l.E {
			z += 1.0
		}
		for k := r.IntN(5); k > 0; k-- {
			at := l.Created.Add(time.Duration(r.Float64() * float64(TruthT0.Sub(l.Created)))).Truncate(time.Second)
			l.Visits = append(l.Visits, at)
			z += 0.8 * math.Pow(0.5, float64(TruthT0.Sub(at))/float64(30*day))
		}
		l.TrueLogOdds, l.Truth = z, 1/(1+math.Exp(-z))
		won := r.Float64() < l.Truth
		l.F = r.Float64() < 0.01
		if won {
			l.F = r.Float64() < 0.95
			l.Won = TruthT0.Add(time.Duration(1+r.IntN(89)) * day)
			l.Opportunity = l.Won.Add(-5 * day)
			if !l.Opportunity.After(TruthT0) {
				l.Opportunity = TruthT0.Add(12 * time.Hour)
			}
		}
		out = append(out, l)
	}
	return out
}

// WriteTruth writes the leads as NDJSON for truth.yaml, and their outcomes
// as CSV (lead_id, opportunity, won, revenue).
func WriteTruth(leads, outcomes io.Writer, ls []TruthLead) error {
	enc := json.NewEncoder(leads)
	var os []Outcome
	for _, l := range ls {
		type event struct {
			Type string `json:"type"`
			At   string `json:"at"`
		}
		events := []event{}
		for _, v := range l.Visits {
			events = append(events, event{"visit", v.Format(time.RFC3339)})
		}
		if err := enc.Encode(map[string]any{"id": l.ID, "a": l.A, "b": l.B, "c": l.C, "d": l.D, "e": l.E, "f": l.F,
			"created_at": l.Created.Format(time.RFC3339), "events": events}); err != nil {
			return err
		}
		if !l.Won.IsZero() {
			os = append(os, Outcome{LeadID: l.ID, Opportunity: l.Opportunity, Won: l.Won, Revenue: 1000})
		}
	}
	return WriteOutcomes(outcomes, os)
}
