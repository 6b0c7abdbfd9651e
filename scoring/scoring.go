// Package scoring evaluates a compiled model against leads: a Scorer takes a
// lead with its events and an as-of time, and returns a Result with the total
// and category scores, the grade, the stage, whether the lead is sales-ready,
// the gates that disqualified it and every rule that gave points.
//
// # Semantics
//
// Time is an input: every score is as of a time the caller gives, and events
// after it are ignored, so the same lead scored as of the same time always
// gets the same result.
//
// The order of evaluation is: lead fields (missing ones read as their
// default, or the zero value of their type; has(field) tells them apart),
// defines, gates, lead rules, event rules, clamping of each category, the
// total, the grade, the stage.
//
// An event rule gives its points for each event of its types that happened
// at or before the as-of time, less than `within` before it, and for which
// its when holds. With `limit`, only the most recent `limit` such events
// count. With `decay`, an event of age a is worth points × 0.5^(a/half_life).
//
// Each category is clamped to its [min, max]; the rules' own points are
// reported unclamped, so Raw and Score of a category show the clamping.
// The grade is the first in the list whose condition holds. The stage is the
// highest on the ladder whose condition holds; a lead a gate disqualified
// keeps its scores and grade but stands at most on the stage below the
// sales-ready one, and Result.Blocked names the stage it was kept from.
package scoring

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/leadscore/leadscore/rules"
)

// Event is something a lead did, at a time.
type Event = rules.Event

// Lead is a lead to score: its fields, as a map (decoded JSON) or a struct
// (see rules.Env.BindStruct for struct tags), and its events in any order.
type Lead struct {
	ID     string
	Fields any
	Events []Event
}

// Scorer scores leads with one model. It is safe for concurrent use: compile
// the model once at start-up, make one Scorer, and call Score from as many
// goroutines as you like.
type Scorer struct {
	model *rules.Model
	pool  sync.Pool // *evaluation
}

// New returns a Scorer for m.
func New(m *rules.Model) *Scorer {
	s := &Scorer{model: m}
	s.pool.New = func() any { return s.newEvaluation() }
	return s
}

// Model returns the model the scorer uses.
func (s *Scorer) Model() *rules.Model { return s.model }

// evaluation is the scratch state of one goroutine's scoring: the expression
// environment and, per event rule, the ages of the events that matched.
type evaluation struct {
	env      *rules.Env
	matches  [][]time.Duration // by rule index: ages of matching events
	gateHits []bool            // by gate index: the gate holds (lead gates) or an event matched it
	ruleHits []bool            // by rule index: a lead rule's condition holds
	stageOK  []bool            // by stage index: the stage's condition holds
	raw      []float64         // by category index: points before clamping
	// counted, when set, holds the event aggregates' values, kept up to
	// date by a timeline, in place of counting the events.
	counted *counted
}

func (s *Scorer) newEvaluation() *evaluation {
	return &evaluation{
		env:      s.model.NewEnv(),
		matches:  make([][]time.Duration, len(s.model.Rules)),
		gateHits: make([]bool, len(s.model.Gates)),
		ruleHits: make([]bool, len(s.model.Rules)),
		stageOK:  make([]bool, len(s.model.Stages)),
		raw:      make([]float64, len(s.model.Categories)),
	}
}

// Error is a lead that could not be scored: its data did not fit the schema
// (Err is a *rules.LeadError) or an expression failed on it (a *rules.EvalError).
type Error struct {
	LeadID string
	Err    error
}

// Error says which lead failed and why.
func (e *Error) Error() string {
	if e.LeadID == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("lead %s: %v", e.LeadID, e.Err)
}

// Unwrap returns the reason: a *rules.LeadError or a *rules.EvalError.
func (e *Error) Unwrap() error { return e.Err }

// Score scores one lead as of the given time. The error, when not nil, is an
// *Error; no panic escapes.
func (s *Scorer) Score(lead Lead, asOf time.Time) (res *Result, err error) {
	return s.score(lead, asOf, nil)
}

// score is Score, with the event aggregates' values from counted when set.
func (s *Scorer) score(lead Lead, asOf time.Time, counted *counted) (res *Result, err error) {
	ev := s.pool.Get().(*evaluation)
	ev.counted = counted
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &Error{LeadID: lead.ID, Err: fmt.Errorf("internal error (please report it): %v", r)}
			ev = s.newEvaluation() // the old one may be in a broken state
		}
		ev.counted = nil
		s.pool.Put(ev)
	}()
	res = &Result{LeadID: lead.ID, AsOf: asOf}
	if err := s.evaluate(ev, lead, asOf, res); err != nil {
		return nil, &Error{LeadID: lead.ID, Err: err}
	}
	return res, nil
}

func (s *Scorer) evaluate(ev *evaluation, lead Lead, asOf time.Time, res *Result) error {
	m, env := s.model, ev.env
	if err := begin(env, lead, asOf, ev.counted); err != nil {
		return err
	}
	var err error
	if err := s.events(ev, lead.Events, asOf); err != nil { // event gates and rules
		return err
	}
	if err := env.EvalLead(ev.gateHits, ev.ruleHits); err != nil { // defines, lead gates and rules
		return err
	}

	for _, g := range m.Gates {
		if ev.gateHits[g.Index] {
			res.Disqualified = true
			res.Gates = append(res.Gates, Gate{Rule: g.ID, Reason: g.Disqualify})
		}
	}

	// Which rules give points, and how many: Fired is allocated once, to size.
	fired := 0
	for _, r := range m.Rules {
		if r.IsEvent() && len(ev.matches[r.Index]) > 0 || !r.IsEvent() && ev.ruleHits[r.Index] {
			fired++
		}
	}
	if fired > 0 {
		res.Fired = make([]Fired, 0, fired)
	}
	raw := ev.raw
	clear(raw)
	for _, r := range m.Rules {
		var points float64
		var n int
		if r.IsEvent() {
			if points, n = eventPoints(r, ev.matches[r.Index]); n == 0 {
				continue
			}
		} else {
			if !ev.ruleHits[r.Index] {
				continue
			}
			points = r.Points
		}
		raw[r.Category.Index] += points
		res.Fired = append(res.Fired, Fired{Rule: r.ID, Category: r.Category.Name, Points: points, Reason: r.Reason, Events: n})
	}

	res.Categories = make([]CategoryScore, len(m.Categories))
	for i, c := range m.Categories {
		score := c.Clamp(raw[i])
		res.Categories[i] = CategoryScore{Name: c.Name, Raw: raw[i], Score: score}
		res.Total += score
		env.Set(c.Name, score)
	}
	if m.Total != nil {
		if res.Total, err = env.Float(m.Total); err != nil {
			return err
		}
	}
	env.Set("total", res.Total)

	if res.Grade, err = env.EvalLadder(ev.stageOK); err != nil {
		return err
	}
	for i := len(m.Stages) - 1; i >= 0; i-- {
		if !ev.stageOK[i] {
			continue
		}
		if res.Disqualified && i >= m.SalesReady {
			if res.Blocked == "" {
				res.Blocked = m.Stages[i].ID
			}
			continue
		}
		res.Stage = m.Stages[i].ID
		res.SalesReady = i >= m.SalesReady
		break
	}
	return nil
}

// begin starts a lead in env: its as-of time, its events (or the values of
// the event aggregates, when counted is set) and its fields.
func begin(env *rules.Env, lead Lead, asOf time.Time, counted *counted) error {
	if counted != nil {
		env.BeginCounted(asOf, lead.Events, counted.counts, counted.lasts)
	} else {
		env.Begin(asOf, lead.Events)
	}
	switch f := lead.Fields.(type) {
	case map[string]any:
		return env.BindMap(f)
	case nil:
		return env.BindMap(nil)
	default:
		return env.BindStruct(f)
	}
}

// events makes one pass over the lead's events, recording for each event
// rule the ages of the events that match it and, for each event gate,
// whether any event matched.
func (s *Scorer) events(ev *evaluation, events []Event, asOf time.Time) error {
	for i := range ev.matches {
		ev.matches[i] = ev.matches[i][:0]
	}
	clear(ev.gateHits)
	clear(ev.ruleHits)
	frame := ev.env.Frame()
	for i := range events {
		e := &events[i]
		rs := s.model.RulesForEvent(e.Type)
		if len(rs) == 0 || e.At.After(asOf) {
			continue
		}
		bound := false
		for _, r := range rs {
			if !frame.Counts(e.At, r.Within) {
				continue
			}
			if r.When != nil {
				if !bound {
					if err := ev.env.SetEvent(e); err != nil {
						return err
					}
					bound = true
				}
				ok, err := ev.env.Bool(r.When)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			if r.IsGate() {
				ev.gateHits[r.Index] = true
			} else {
				ev.matches[r.Index] = append(ev.matches[r.Index], asOf.Sub(e.At))
			}
		}
	}
	return nil
}

// eventPoints sums an event rule's points over the ages of its matching
// events, keeping the most recent Limit and applying decay. It returns the
// points and how many events counted.
func eventPoints(r *rules.Rule, ages []time.Duration) (float64, int) {
	n := len(ages)
	if n == 0 {
		return 0, 0
	}
	if r.Limit > 0 && n > r.Limit {
		n = r.Limit
	} else if r.HalfLife <= 0 {
		return r.Points * float64(n), n
	}
	// Youngest first: the limit keeps the most recent events, and a fixed
	// order of summation makes the points independent of the events' order.
	slices.Sort(ages)
	if r.HalfLife <= 0 {
		return r.Points * float64(n), n
	}
	var points float64
	for _, age := range ages[:n] {
		points += worth(r, age)
	}
	return points, n
}

// worth is what one event of an event rule is worth at an age: its points,
// halved for each half-life of age when the rule decays.
func worth(r *rules.Rule, age time.Duration) float64 {
	if r.HalfLife <= 0 {
		return r.Points
	}
	return r.Points * math.Exp2(-float64(age)/float64(r.HalfLife))
}
