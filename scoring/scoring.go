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
// defines, lead gates and rules, event gates and rules (whose conditions
// may read defines), clamping of each category, the
// total, the grade, the stage.
//
// An event rule gives its points for each event of its types that happened
// at or before the as-of time, less than `within` before it, and for which
// its when holds. With `limit`, only the most recent `limit` such events
// count. With `decay`, an event of age a is worth points × 0.5^(a/half_life).
//
// Each category is clamped to its [min, max]; the rules' own points are
// reported unclamped, so Raw and Score of a category show the clamping.
// The grade is the first in the list whose condition holds. The stages are
// a ladder listed from the lowest rung to the highest, and the sales-ready
// stage is its top (dsl.Check refuses a ladder listed the other way). The
// stage is the highest rung whose condition holds, and a result is
// sales-ready only on the sales-ready stage; a lead a gate disqualified
// keeps its scores and grade but stands at most on the stage below the
// sales-ready one, and Result.Blocked names the stage it was kept from.
//
// # Sales' verdicts
//
// A lead may carry sales' dispositions (Lead.Dispositions): accepted,
// rejected or recycled, each at a time; those after the as-of time are
// ignored. Rejections and acceptances leave the score alone. After a
// recycle, the events of the types the model's recycle policy resets
// (rules.Handoff.ResetTypes) at or before the recycle moment are taken
// out, for every rule and event function, and until the hold-down ends
// the lead stands at most on the stage below the sales-ready one, as a
// disqualified lead does. Result.Verdict says what the dispositions did.
//
// # Bounded work and cancellation
//
// Every lead is scored within the model's limits (rules.Limits): a lead
// that needs more work fails alone, with an error naming the rule and its
// file:line:col, and the next lead starts with a full budget. ScoreContext,
// ExplainContext and TimelineContext also stop when their context is done:
// the context is checked before each phase of scoring, every 64 events and
// within every 4,096 steps of work inside expressions (a step is one node
// of a predicate's body, evaluated once), so a cancelled lead stops within
// about a millisecond; the error wraps the context's error.
//
// # Numbers
//
// No result holds NaN or an infinity: a lead whose rule points, category
// sum or total would be one fails with an error naming the rule, the
// category or the total expression.
package scoring

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
)

// Event is something a lead did, at a time.
type Event = rules.Event

// Lead is a lead to score: its fields, as a map (decoded JSON) or a struct,
// and its events in any order.
//
// A map's keys are the schema's field names; a nested field (company.size)
// is read from nested maps ({"company": {"size": 250}}), a flat key
// "company.size", or a mix ({"company.address": {"country": "US"}}); two
// spellings of one path in one lead, or in one event, are an error, as a key
// given twice is. A struct field feeds the schema field named by its
// `lead:"name"` tag or, without a tag, the field whose name is the Go name in
// snake_case (AnnualRevenue feeds annual_revenue); a tag of "-" skips it; a
// nested field is fed by a struct field tagged "company" holding a struct, a
// pointer to one, or a map, whose field is tagged "size". Nil pointers,
// slices, maps and interfaces, the zero time.Time and JSON null all count as
// missing: the field reads as its default. Scorer.CheckType says once, at
// start-up, how a Go type fits the schema.
type Lead struct {
	ID     string
	Fields any
	Events []Event
	// Dispositions are sales' verdicts on the lead, in any order (see
	// Disposition): those at or before the as-of time count. After a
	// recycle, the events the model's recycle policy resets stop counting
	// and the hold-down applies; Result.Verdict says so. They are not part
	// of the lead's JSON shape: they come from the CRM, beside the lead.
	Dispositions []Disposition
}

// Scorer scores leads with one model. It is safe for concurrent use: compile
// the model once at start-up, make one Scorer, and call Score from as many
// goroutines as you like.
type Scorer struct {
	model   *rules.Model
	unknown UnknownData
	pool    sync.Pool // *evaluation
	// plain runs every expression on expr's VM (see newPlainEvaluator).
	plain bool
	// fixed is, by event rule, whether its condition reads nothing that
	// changes between a timeline's points (see newReplay); made once.
	fixedOnce sync.Once
	fixed     map[*rules.Rule]bool
	// keepsLadder tells whether a trace can keep what the ladder reads
	// (see ladderKept); worked out once.
	ladderOnce  sync.Once
	keepsLadder bool
	// aggs and aggsByType are the model's event aggregates, and their
	// slots by event type, that every replay reads; made once.
	aggsOnce   sync.Once
	aggs       []rules.EventAggregate
	aggsByType map[string][]int
	// matchers are evaluators with a lead's fields bound, that replays
	// test fixed conditions with, each lent to one replay at a time.
	matchers sync.Pool
	// replays are replays released, their room kept for the next.
	replays sync.Pool // *replay
	// created is the lead field that says when a lead was created, set by
	// WithCreatedField (and by NewAccountScorer for its people): it decides
	// who is one of an account's people, so it is not unknown data.
	created string
}

// Option configures a Scorer.
type Option func(*Scorer)

// UnknownData says what a Scorer does with data the model does not declare:
// lead keys (or struct fields, or CSV columns) that are not fields, event
// keys that are not event fields, event types outside event_types. Rules
// never read such data, so a misspelt key silently scores as if the lead
// lacked it; reporting it is the default.
type UnknownData int

// What a Scorer does with unknown data.
const (
	// ReportUnknown lists it on Result.Unknown (the default).
	ReportUnknown UnknownData = iota
	// RefuseUnknown fails the lead with an *UnknownDataError naming each.
	RefuseUnknown
	// IgnoreUnknown does not look for it, saving the time it takes.
	IgnoreUnknown
)

// WithUnknownData sets what the Scorer does with data the model does not
// declare. The default is ReportUnknown.
func WithUnknownData(u UnknownData) Option { return func(s *Scorer) { s.unknown = u } }

// WithCreatedField names the lead field that holds when a lead was
// created ("" for created_at). An AccountScorer reads it to leave out of an
// account the people created after the as-of time, and fails a lead whose
// value there is no time; since it decides that, a Scorer given it does
// not report the field as unknown data when the model does not declare it.
func WithCreatedField(name string) Option {
	return func(s *Scorer) {
		if name == "" {
			name = "created_at"
		}
		s.created = name
	}
}

// orCreatedAt is the created field's name: created_at for "".
func orCreatedAt(name string) string {
	if name == "" {
		return "created_at"
	}
	return name
}

// UnknownData returns what the Scorer does with data the model does not
// declare (see WithUnknownData).
func (s *Scorer) UnknownData() UnknownData { return s.unknown }

// CreatedField returns the field WithCreatedField named, "" for none.
func (s *Scorer) CreatedField() string { return s.created }

// New returns a Scorer for m.
func New(m *rules.Model, opts ...Option) *Scorer {
	s := &Scorer{model: m}
	for _, o := range opts {
		o(s)
	}
	s.pool.New = func() any { return s.newEvaluation() }
	return s
}

// CheckType says how a Go struct type fits the model's lead schema; see
// rules.Model.CheckType. Call it once at start-up, or in a test.
func (s *Scorer) CheckType(lead any) error { return s.model.CheckType(lead) }

// Model returns the model the scorer uses.
func (s *Scorer) Model() *rules.Model { return s.model }

// evaluation is the scratch state of one goroutine's scoring: the expression
// environment and, per event rule, the ages of the events that matched.
type evaluation struct {
	env      evaluator
	matches  [][]time.Duration // by rule index: ages of matching events
	gateHits []bool            // by gate index: the gate holds (lead gates) or an event matched it
	ruleHits []bool            // by rule index: a lead rule's condition holds
	stageOK  []bool            // by stage index: the stage's condition holds
	raw      []float64         // by category index: points before clamping
	// counted, when set, holds the event aggregates' values, kept up to
	// date by a timeline, in place of counting the events.
	counted *counted
	// held is set when a recycle's hold-down keeps the lead from the
	// sales-ready stage.
	held bool
	// bound is set when the lead's fields are already bound (BindJSON).
	bound bool
	// fieldsKept is set while a timeline's replay holds the evaluation
	// from point to point: the lead's fields, bound at the first point,
	// stay bound (they do not change between points), and each later
	// point only begins afresh with its time and events.
	fieldsKept bool
	// lean is set when the result needs no Fired, Categories or Unknown.
	lean bool
	// extra holds points given from outside the model's rules (an
	// account's roll-ups of its people), added before clamping.
	extra []extraPoints
}

// extraPoints is what a roll-up gives to category cat.
type extraPoints struct {
	cat   int
	fired Fired
}

func (s *Scorer) newEvaluation() *evaluation {
	env := newEvaluator
	if s.plain {
		env = newPlainEvaluator
	}
	ev := env(s.model)
	// Empty text in the created field is no creation time (as Lead.Created
	// reads it), not a value that is no time, though the field is
	// declared a time.
	ev.SetEmptyAbsent(orCreatedAt(s.created))
	return &evaluation{
		env:      ev,
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
// *Error; no panic escapes. The work is bounded by the model's limits (see
// rules.Limits): a lead that needs more fails alone, with an error naming
// the rule at fault.
func (s *Scorer) Score(lead Lead, asOf time.Time) (*Result, error) {
	return s.ScoreContext(context.Background(), lead, asOf)
}

// ScoreContext is Score, stopped when ctx is done: the context is checked
// before each phase (fields, events, lead rules, ladder), every 64 events,
// and within every 4,096 steps of the lead's budget inside expressions, so
// a cancelled lead stops within microseconds to a millisecond or so. The
// error then wraps the context's: errors.Is(err, context.Canceled) (or
// context.DeadlineExceeded) holds.
func (s *Scorer) ScoreContext(ctx context.Context, lead Lead, asOf time.Time) (*Result, error) {
	if len(lead.Dispositions) > 0 {
		if err := s.CheckDispositions(lead.Dispositions); err != nil {
			return nil, &Error{LeadID: lead.ID, Err: err}
		}
	}
	return s.score(ctx, lead, asOf, nil)
}

// score is ScoreContext, with the event aggregates' values from counted
// when set (a stream keeps them up to date).
func (s *Scorer) score(ctx context.Context, lead Lead, asOf time.Time, counted *counted) (*Result, error) {
	ev := s.pool.Get().(*evaluation)
	res, err, broken := s.scoreIn(ev, ctx, lead, asOf, counted, nil, func(lead Lead, res *Result) error {
		return s.evaluate(ev, lead, asOf, res)
	})
	if broken {
		ev = s.newEvaluation() // the old one may be in a broken state
	}
	s.pool.Put(ev)
	return res, err
}

// scoreIn runs eval in ev for the lead as of asOf: the caller's context
// and the event aggregates' values from counted (when set) for its
// duration, the lead's verdict from vs (a replay's) or from its
// dispositions, an evaluation error (or a panic) as the lead's *Error.
// broken reports a panic, which may have left ev in a broken state.
func (s *Scorer) scoreIn(ev *evaluation, ctx context.Context, lead Lead, asOf time.Time, counted *counted, vs *verdicts, eval func(Lead, *Result) error) (res *Result, err error, broken bool) {
	return s.scoreInto(ev, ctx, lead, asOf, counted, vs, nil, eval)
}

// scoreInto is scoreIn, with the result made in into when set (its old
// contents gone, its Gates' room reused), for a replay whose callers read
// each point's result before the next.
func (s *Scorer) scoreInto(ev *evaluation, ctx context.Context, lead Lead, asOf time.Time, counted *counted, vs *verdicts, into *Result, eval func(Lead, *Result) error) (res *Result, err error, broken bool) {
	ev.counted = counted
	defer func() {
		if r := recover(); r != nil {
			res, err, broken = nil, &Error{LeadID: lead.ID, Err: fmt.Errorf("internal error (please report it): %v", r)}, true
		}
		ev.env.SetContext(nil) // a pooled evaluation must not keep the caller's context
		ev.counted = nil
	}()
	ev.env.SetContext(ctx)
	if into != nil {
		gates := into.Gates[:0]
		*into = Result{LeadID: lead.ID, AsOf: asOf, Gates: gates}
		res = into
	} else {
		res = &Result{LeadID: lead.ID, AsOf: asOf}
	}
	if vs != nil {
		res.Verdict, ev.held = vs.at(asOf)
	} else {
		lead, res.Verdict, ev.held = s.dispositions(lead, asOf, counted == nil)
	}
	if err := eval(lead, res); err != nil {
		return nil, &Error{LeadID: lead.ID, Err: err}, false
	}
	return res, nil, false
}

// ScoreJSON is for package scoring/leadfile (the key closes it to other
// callers; see internal/friend): Score for a lead given as one NDJSON
// line, decoded straight into the evaluator when the line is plain (see
// rules' BindJSON); ok is false, and nothing done, when it is not.
func (s *Scorer) ScoreJSON(k friend.Key, line []byte, asOf time.Time) (res *Result, id string, ok bool, err error) {
	if err := k.Check(); err != nil {
		return nil, "", false, err
	}
	return s.scoreBound(asOf, func(env evaluator) (string, []Event, bool) { return env.BindJSON(line) }, nil, nil)
}

// ReadJSON is for package scoring/leadfile (the key closes it to other
// callers; see internal/friend): the lead of one NDJSON line, its fields
// read straight into the model's slots, as ScoreJSON reads them, and kept
// as a *rules.Fields in Lead.Fields, for a caller that scores the lead
// more than once (a backtest, a replay). Events with the same fields, as
// written, share one Fields map, from lead to lead: the caller only reads
// them. ok is false, and nothing done,
// when the line is not plain (see rules' BindJSON), and the caller then
// decodes it into a map.
func (s *Scorer) ReadJSON(k friend.Key, line []byte) (lead Lead, ok bool, err error) {
	if err := k.Check(); err != nil {
		return Lead{}, false, err
	}
	ev := s.pool.Get().(*evaluation)
	defer func() {
		if r := recover(); r != nil {
			lead, ok, err = Lead{}, false, nil // the map path reads it, and words any problem
			ev = s.newEvaluation()
		}
		s.pool.Put(ev)
	}()
	ev.env.ShareEventFields(true)
	id, events, ok := ev.env.BindJSON(line)
	ev.env.ShareEventFields(false)
	if !ok {
		return Lead{}, false, nil
	}
	return Lead{ID: id, Fields: ev.env.TakeFields(), Events: events}, true, nil
}

// ScoreCells is for package scoring/leadfile (the key closes it to other
// callers; see internal/friend): Score for a lead given as the cells of
// one CSV row, by field index, bound straight into the evaluator when the
// row is plain (see rules' BindCells); ok is false, and nothing done, when
// it is not.
func (s *Scorer) ScoreCells(k friend.Key, id string, cells []string, events []Event, asOf time.Time) (res *Result, ok bool, err error) {
	if err := k.Check(); err != nil {
		return nil, false, err
	}
	res, _, ok, err = s.scoreBound(asOf, func(env evaluator) (string, []Event, bool) { return id, events, env.BindCells(cells) }, nil, nil)
	return res, ok, err
}

// scoreBound scores the lead that bind sets straight into a pooled
// evaluator, giving its id and events; ok is false, and nothing done,
// when bind cannot. then, when set, runs in the evaluator after the
// lead's rules (an account's person expressions read it).
func (s *Scorer) scoreBound(asOf time.Time, bind func(evaluator) (string, []Event, bool), then func(*evaluation, Lead) error, into *Result) (res *Result, id string, ok bool, err error) {
	ev := s.pool.Get().(*evaluation)
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &Error{LeadID: id, Err: fmt.Errorf("internal error (please report it): %v", r)}
			ev = s.newEvaluation()
		}
		ev.bound = false
		s.pool.Put(ev)
	}()
	var events []Event
	if id, events, ok = bind(ev.env); !ok {
		return nil, "", false, nil
	}
	ev.env.SetContext(nil)
	lead := Lead{ID: id, Events: events}
	if into != nil {
		*into = Result{LeadID: id, AsOf: asOf} // a result no one reads any longer, made anew
		res = into
	} else {
		res = &Result{LeadID: id, AsOf: asOf}
	}
	lead, res.Verdict, ev.held = s.dispositions(lead, asOf, true)
	ev.bound = true
	if err := s.evaluate(ev, lead, asOf, res); err != nil {
		return nil, id, true, &Error{LeadID: id, Err: err}
	}
	if then != nil {
		if err := then(ev, lead); err != nil {
			return nil, id, true, &Error{LeadID: id, Err: err}
		}
	}
	return res, id, true, nil
}

func (s *Scorer) evaluate(ev *evaluation, lead Lead, asOf time.Time, res *Result) error {
	if err := s.conditions(ev, lead, asOf, res); err != nil {
		return err
	}
	return s.rank(ev, res, nil)
}

// conditions evaluates what does not depend on points: the defines, and
// the conditions of the gates and rules, with the gates that hold on res.
func (s *Scorer) conditions(ev *evaluation, lead Lead, asOf time.Time, res *Result) error {
	m, env := s.model, ev.env
	if err := env.Stopped(); err != nil {
		return err
	}
	switch {
	case ev.bound:
		env.Begin(asOf, lead.Events)
	case ev.fieldsKept && ev.counted != nil:
		env.Recount(asOf, lead.Events, ev.counted.counts, ev.counted.lasts)
	default:
		if err := begin(env, lead, asOf, ev.counted); err != nil {
			return err
		}
	}
	if s.unknown == RefuseUnknown || s.unknown != IgnoreUnknown && !ev.lean { // a lean result lists none
		if res.Unknown = s.known(boundUnknowns(env, m, lead)); len(res.Unknown) > 0 && s.unknown == RefuseUnknown {
			return &UnknownDataError{Unknown: res.Unknown}
		}
	}
	clear(ev.gateHits)
	clear(ev.ruleHits)
	// Defines first: an event rule's condition may read one.
	if err := env.EvalLead(ev.gateHits, ev.ruleHits); err != nil { // defines, lead gates and rules
		return err
	}
	if err := env.Stopped(); err != nil {
		return err
	}
	if err := s.events(ev, lead.Events, asOf); err != nil { // event gates and rules
		return err
	}

	for _, g := range m.Gates {
		if ev.gateHits[g.Index] {
			res.Disqualified = true
			res.Gates = append(res.Gates, Gate{Rule: g.ID, Reason: g.Disqualify})
		}
	}
	return nil
}

// rank gives the evaluated conditions of ev their points (the rules' own,
// or points[i] for rule i when points is set), adds up the categories and
// the total, and places the lead on the grade and stage ladders. With
// points set (a variant), res gets no Fired and no Categories.
func (s *Scorer) rank(ev *evaluation, res *Result, points []float64) error {
	m, env := s.model, ev.env
	var err error
	// Which rules give points, and how many: Fired is allocated once, to size.
	fired := 0
	for _, r := range m.Rules {
		if points == nil && (r.IsEvent() && len(ev.matches[r.Index]) > 0 || !r.IsEvent() && ev.ruleHits[r.Index]) {
			fired++
		}
	}
	if fired > 0 && !ev.lean {
		res.Fired = make([]Fired, 0, fired)
	}
	raw := ev.raw
	clear(raw)
	for _, r := range m.Rules {
		each := r.Points
		if points != nil {
			each = points[r.Index]
		}
		var given float64
		var n int
		if r.IsEvent() {
			if given, n = eventPoints(r, each, ev.matches[r.Index]); n == 0 {
				continue
			}
		} else {
			if !ev.ruleHits[r.Index] {
				continue
			}
			given = each
		}
		if !finite(given) {
			return ruleNotFinite(r, given, n, each)
		}
		raw[r.Category.Index] += given
		if points != nil || ev.lean {
			continue
		}
		res.Fired = append(res.Fired, Fired{Rule: r.ID, Category: r.Category.Name, Points: given, Reason: r.Reason, Events: n})
	}
	if points == nil {
		for _, x := range ev.extra {
			raw[x.cat] += x.fired.Points
			if !ev.lean {
				res.Fired = append(res.Fired, x.fired)
			}
		}
	}

	if points == nil && !ev.lean {
		res.Categories = make([]CategoryScore, len(m.Categories))
	}
	for i, c := range m.Categories {
		if !finite(raw[i]) {
			return categoryNotFinite(m, i, raw[i])
		}
		score := c.Clamp(raw[i])
		if points == nil && !ev.lean {
			res.Categories[i] = CategoryScore{Name: c.Name, Raw: raw[i], Score: score}
		}
		res.Total += score
		env.SetCategory(i, score)
	}
	if m.Total != nil {
		if res.Total, err = env.Float(m.Total); err != nil {
			return err
		}
		if !finite(res.Total) {
			return totalNotFinite(m, res.Total)
		}
	} else if !finite(res.Total) {
		return totalNotFinite(m, res.Total)
	}
	env.SetTotal(res.Total)
	if err := env.Stopped(); err != nil {
		return err
	}

	if res.Grade, err = env.EvalLadder(ev.stageOK); err != nil {
		return err
	}
	for i := len(m.Stages) - 1; i >= 0; i-- {
		if !ev.stageOK[i] {
			continue
		}
		if (res.Disqualified || ev.held) && i >= m.SalesReady {
			if res.Disqualified && res.Blocked == "" {
				res.Blocked = m.Stages[i].ID
			}
			if ev.held && !res.Disqualified && res.Verdict.Held == "" {
				// The hold-down kept the lead from a stage it would otherwise
				// stand on; a disqualified lead would not, so nothing is held.
				res.Verdict.Held = m.Stages[i].ID
			}
			continue
		}
		res.Stage = m.Stages[i].ID
		res.SalesReady = i == m.SalesReady // only the hand-off stage is sales-ready
		break
	}
	return nil
}

// Unknown lists, sorted, the data a lead carries that the model does not
// declare (see UnknownData), whatever the Scorer does with it: for tools
// that read leads without scoring them whole.
func (s *Scorer) Unknown(lead Lead) []rules.Unknown { return s.known(unknowns(s.model, lead)) }

// known drops from us the created field (see WithCreatedField): it is
// read, though the model does not declare it.
func (s *Scorer) known(us []rules.Unknown) []rules.Unknown {
	if s.created == "" || len(us) == 0 {
		return us
	}
	return slices.DeleteFunc(us, func(u rules.Unknown) bool { return u.Kind == rules.UnknownKey && u.Name == s.created })
}

// unknowns lists what the lead carries that m does not declare, sorted.
func unknowns(m *rules.Model, lead Lead) []rules.Unknown {
	return listUnknowns(m, lead, m.Unknowns)
}

// boundUnknowns is unknowns for the lead env has just bound, which may
// know already that every key of the lead's map is a field.
func boundUnknowns(env evaluator, m *rules.Model, lead Lead) []rules.Unknown {
	return listUnknowns(m, lead, env.Unknowns)
}

// listUnknowns lists, sorted, what list finds in the lead's fields (a map,
// nothing, or a struct) and events.
func listUnknowns(m *rules.Model, lead Lead, list func([]rules.Unknown, map[string]any, []rules.Event) []rules.Unknown) []rules.Unknown {
	var out []rules.Unknown
	switch f := lead.Fields.(type) {
	case map[string]any:
		out = list(nil, f, lead.Events)
	case *rules.Fields:
		if f.Fits(m) { // read straight into m's slots: every key was a field
			out = list(nil, nil, lead.Events)
		} else {
			out = list(nil, f.Map(), lead.Events)
		}
	case nil:
		out = list(nil, nil, lead.Events)
	default:
		out = list(m.StructUnknowns(f), nil, lead.Events)
	}
	if len(out) > 1 {
		rules.SortUnknowns(out)
	}
	return out
}

// begin starts a lead in env: its as-of time, its events (or the values of
// the event aggregates, when counted is set) and its fields.
func begin(env evaluator, lead Lead, asOf time.Time, counted *counted) error {
	if counted != nil {
		env.BeginCounted(asOf, lead.Events, counted.counts, counted.lasts)
	} else {
		env.Begin(asOf, lead.Events)
	}
	switch f := lead.Fields.(type) {
	case map[string]any:
		return env.BindMap(f)
	case *rules.Fields:
		return env.BindFields(f)
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
	for i := range events {
		if i&63 == 63 {
			if err := ev.env.Stopped(); err != nil {
				return err
			}
		}
		e := &events[i]
		rs := ev.env.EventRules(i)
		if len(rs) == 0 || e.At.After(asOf) {
			continue
		}
		bound := false
		for _, r := range rs {
			// Each event an event rule meets is a step, with or without a
			// condition: thousands of rules times thousands of events must
			// not outrun the budget (nor memory, one age kept per match).
			if err := ev.env.Spend(1); err != nil {
				return fmt.Errorf("%s: rule %s, at its event %d: %w", r.Pos, r.ID, i+1, err)
			}
			if !ev.env.Counts(e.At, r.Within) {
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
func eventPoints(r *rules.Rule, each float64, ages []time.Duration) (float64, int) {
	n := len(ages)
	if n == 0 {
		return 0, 0
	}
	if r.Limit > 0 && n > r.Limit {
		n = r.Limit
	} else if r.HalfLife <= 0 {
		return each * float64(n), n
	}
	// Youngest first: the limit keeps the most recent events, and a fixed
	// order of summation makes the points independent of the events' order.
	slices.Sort(ages)
	if r.HalfLife <= 0 {
		return each * float64(n), n
	}
	var points float64
	for _, age := range ages[:n] {
		points += worth(r, each, age)
	}
	return points, n
}

// worth is what one event of an event rule giving each points is worth at
// an age: its points, halved for each half-life of age when the rule decays.
func worth(r *rules.Rule, each float64, age time.Duration) float64 {
	if r.HalfLife <= 0 {
		return each
	}
	return each * math.Exp2(-float64(age)/float64(r.HalfLife))
}

// UnknownDataError is a lead refused for carrying data its model does not
// declare (see RefuseUnknown).
type UnknownDataError struct {
	Unknown []rules.Unknown
}

// Error names each unknown key or event type, with a did-you-mean.
func (e *UnknownDataError) Error() string {
	parts := make([]string, len(e.Unknown))
	for i, u := range e.Unknown {
		parts[i] = u.String()
	}
	return strings.Join(parts, "; ") + " (the model does not declare it, so no rule would read it)"
}

// UnknownTally counts, over many leads, how many carried each piece of
// unknown data: the summary that makes a misspelt CSV column visible. The
// zero value is ready to use; it is not safe for concurrent use (give each
// goroutine its own and Merge them).
type UnknownTally struct {
	Rows map[rules.Unknown]int
}

// Add counts one lead's unknown data (each piece once per lead).
func (t *UnknownTally) Add(us []rules.Unknown) {
	if len(us) == 0 {
		return
	}
	if t.Rows == nil {
		t.Rows = map[rules.Unknown]int{}
	}
	for _, u := range us {
		t.Rows[u]++
	}
}

// Merge adds another tally's counts.
func (t *UnknownTally) Merge(o UnknownTally) {
	for u, n := range o.Rows {
		if t.Rows == nil {
			t.Rows = map[rules.Unknown]int{}
		}
		t.Rows[u] += n
	}
}

// Lines says each piece of unknown data with the number of rows that
// carried it, most rows first: unknown key "Employees" in 1,000 rows; did
// you mean "employees"? Past maxUnknownLines names, one line counts the rest.
func (t UnknownTally) Lines() []string {
	us := make([]rules.Unknown, 0, len(t.Rows))
	for u := range t.Rows {
		us = append(us, u)
	}
	sort.Slice(us, func(i, j int) bool {
		if a, b := t.Rows[us[i]], t.Rows[us[j]]; a != b {
			return a > b
		}
		return us[i].Kind < us[j].Kind || us[i].Kind == us[j].Kind && us[i].Name < us[j].Name
	})
	more := 0
	if len(us) > maxUnknownLines+1 {
		// Past the most frequent, only those with a did-you-mean are named
		// (unless a single name is left: counting it would take a line too).
		kept := slices.Clone(us[:maxUnknownLines])
		for _, u := range us[maxUnknownLines:] {
			if u.DidYouMean != "" {
				kept = append(kept, u)
			} else {
				more++
			}
		}
		if more > 1 {
			us = kept
		} else {
			more = 0
		}
	}
	lines := make([]string, len(us), len(us)+1)
	for i, u := range us {
		n := t.Rows[u]
		rows := "rows"
		if n == 1 {
			rows = "row"
		}
		lines[i] = fmt.Sprintf("unknown %s %q in %s %s", u.Kind, u.Name, numfmt.Thousands(n), rows)
		if u.DidYouMean != "" {
			lines[i] += fmt.Sprintf("; did you mean %q?", u.DidYouMean)
		}
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("and %s more unknown names, none in more rows than those above", numfmt.Thousands(more)))
	}
	return lines
}

// maxUnknownLines is how many unknown names Lines writes one by one, the
// most frequent first; the rest are counted in one line, except those with
// a did-you-mean, which are always named.
const maxUnknownLines = 20

// finite reports whether v is neither NaN nor an infinity.
// ruleNotFinite, categoryNotFinite and totalNotFinite are ranking's
// errors for a rule, a category or a total that gives the lead a number
// no score can be (Scorer.rank's, and TraceRanker's in the same words).
func ruleNotFinite(r *rules.Rule, given float64, events int, each float64) error {
	return fmt.Errorf("%s: rule %s gives %v points to this lead (%d %s of %v points), which is not a number a score can be; lower its points or give it a limit", r.Pos, r.ID, given, events, numfmt.Noun(events, "event"), each)
}

func categoryNotFinite(m *rules.Model, i int, raw float64) error {
	return fmt.Errorf("%s: category %s adds up to %v for this lead, which is not a number a score can be; lower the points of its rules", m.Document.Categories[i].Name.Pos, m.Categories[i].Name, raw)
}

func totalNotFinite(m *rules.Model, total float64) error {
	if m.Total != nil {
		return &rules.EvalError{Expr: m.Total, Pos: m.Total.Pos, Err: fmt.Errorf("gives %v for this lead, which is not a number a score can be; check its arithmetic: a power (**), a division by a number near 0, or numbers near the largest a number can be (about 1.8e308)", total)}
	}
	return fmt.Errorf("the total, the sum of the categories, is %v for this lead, which is not a number a score can be; give the categories a max", total)
}

func finite(v float64) bool {
	return v-v == 0 // NaN - NaN and ±Inf - ±Inf are NaN; a finite v - v is 0
}
