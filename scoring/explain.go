package scoring

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
)

// Explanation is a Result with its reasons: every rule and gate, fired or
// not, with each part of its condition (true, false, or not evaluated) and
// the lead values that part read; every stage's condition; and what the
// lead lacks for the next stage.
type Explanation struct {
	Result *Result            `json:"result"`
	Rules  []RuleExplanation  `json:"rules"`
	Gates  []RuleExplanation  `json:"gates"`
	Stages []StageExplanation `json:"stages"`
	Next   *NextStage         `json:"next,omitempty"`
	Values map[string]any     `json:"-"`
	model  *rules.Model       `json:"-"`
}

// RuleExplanation says why a rule or gate gave its points, or did not.
type RuleExplanation struct {
	Rule     string  `json:"rule"`
	Category string  `json:"category,omitempty"`
	Owner    string  `json:"owner,omitempty"`
	Reason   string  `json:"reason,omitempty"`
	Reviewed string  `json:"reviewed,omitempty"`
	Pos      string  `json:"pos"`
	Fired    bool    `json:"fired"`
	Points   float64 `json:"points"`
	// Condition is the rule's when, part by part (for a lead rule or gate).
	Condition *ClauseValue `json:"condition,omitempty"`
	// Events explains an event rule: how many events of its types there
	// were, and what became of each.
	Events *EventCount `json:"events,omitempty"`
}

// EventCount tells what an event rule made of the lead's events.
type EventCount struct {
	Of int `json:"of"` // events of the rule's types
	// Future is how many of them are dated after the as-of time: they
	// have not happened yet, as of then, and never count.
	Future   int `json:"future,omitempty"`
	InWindow int `json:"in_window"` // at or before the as-of time, and within the window
	// Window is the rule's within as the rule file writes it ("14d"); ""
	// when the rule has none.
	Window  string       `json:"window,omitempty"`
	Matched int          `json:"matched"` // ... whose when held
	Counted int          `json:"counted"` // ... kept by the limit
	Each    []EventPoint `json:"each,omitempty"`
}

// EventPoint is one event an event rule counted.
type EventPoint struct {
	Type    string    `json:"type"`
	At      time.Time `json:"at"`
	AgeDays float64   `json:"age_days"`
	Points  float64   `json:"points"`
}

// ClauseValue is one part of a condition as evaluated for a lead. Value is
// nil when the part was not evaluated (an earlier part of an and was false,
// or of an or true).
type ClauseValue struct {
	Op     string        `json:"op,omitempty"`
	Source string        `json:"source"`
	Pos    string        `json:"pos"`
	Value  *bool         `json:"value"`
	Reads  []Read        `json:"reads,omitempty"`
	Parts  []ClauseValue `json:"parts,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// Read is a lead value a condition read.
type Read struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// StageExplanation says whether a stage's condition holds.
type StageExplanation struct {
	Stage      string      `json:"stage"`
	SalesReady bool        `json:"sales_ready"`
	Holds      bool        `json:"holds"`
	Condition  ClauseValue `json:"condition"`
}

// NextStage is what the lead lacks for the stage above the one it stands on.
type NextStage struct {
	Stage string `json:"stage"`
	// Blocked is set when gates keep the lead from the stage whatever it scores.
	Blocked bool `json:"blocked,omitempty"`
	// HeldUntil is set when a recycle's hold-down keeps the lead from the
	// stage until then, whatever it scores.
	HeldUntil *time.Time `json:"held_until,omitempty"`
	// Unmet lists the parts of the stage's condition that do not hold.
	Unmet []string `json:"unmet"`
	// Missing is the points each category (or "total") lacks for a
	// threshold in the condition or in the grade it asks for.
	Missing map[string]float64 `json:"missing,omitempty"`
	// Candidates are rules that have not fired and would give the points,
	// best first.
	Candidates []Candidate `json:"candidates,omitempty"`
}

// Candidate is a rule that would help a lead to the next stage.
type Candidate struct {
	Rule     string  `json:"rule"`
	Category string  `json:"category"`
	Points   float64 `json:"points"`
	// Adds is what the rule's points add to its category's score as the
	// lead stands, the category's max applied: less than Points when the
	// category would pass its max. A change of the lead's data that fires
	// the rule may stop another rule, so the lead may gain less still.
	Adds   float64 `json:"adds"`
	Reason string  `json:"reason,omitempty"`
}

// Explain scores a lead and explains the score. It is slower than Score
// (every part of every condition is evaluated on its own) and meant for
// people: a rule review, a support question, a failing test.
func (s *Scorer) Explain(lead Lead, asOf time.Time) (*Explanation, error) {
	return s.ExplainContext(context.Background(), lead, asOf)
}

// ExplainContext is Explain, stopped when ctx is done (see ScoreContext).
// Explaining re-evaluates every part of every condition within a fresh
// budget of the model's limits; a part that goes past them shows the error
// in its place.
func (s *Scorer) ExplainContext(ctx context.Context, lead Lead, asOf time.Time) (x *Explanation, err error) {
	res, err := s.ScoreContext(ctx, lead, asOf)
	if err != nil {
		return nil, err
	}
	return s.explainResult(ctx, lead, asOf, res)
}

// explainResult explains res, the lead's result as of asOf (for an
// account, with its roll-ups' points in it).
func (s *Scorer) explainResult(ctx context.Context, lead Lead, asOf time.Time, res *Result) (x *Explanation, err error) {
	defer func() {
		if r := recover(); r != nil {
			x, err = nil, &Error{LeadID: lead.ID, Err: fmt.Errorf("internal error explaining (please report it): %v", r)}
		}
	}()
	m := s.model
	lead, _, _ = s.dispositions(lead, asOf, true) // the events the score counted
	ev := s.newEvaluation()
	env := ev.env
	env.SetContext(ctx)
	// Rebuild the state the score was computed in.
	if err := begin(env, lead, asOf, nil); err != nil {
		return nil, &Error{LeadID: lead.ID, Err: err}
	}
	if err := env.EvalDefines(); err != nil {
		return nil, &Error{LeadID: lead.ID, Err: err}
	}
	x = &Explanation{Result: res, model: m}
	for _, c := range res.Categories {
		env.Set(c.Name, c.Score)
	}
	env.Set("total", res.Total)
	env.Set("grade", res.Grade)

	fired := map[string]Fired{}
	for _, f := range res.Fired {
		fired[f.Rule] = f
	}
	for _, r := range m.Rules {
		re := RuleExplanation{Rule: r.ID, Category: r.Category.Name, Owner: r.Owner, Reason: r.Reason, Reviewed: r.Reviewed, Pos: r.Pos.String()}
		f, ok := fired[r.ID]
		re.Fired, re.Points = ok, f.Points
		if r.IsEvent() {
			re.Events = explainEvents(env, r, lead.Events, asOf)
		} else if r.When != nil {
			cv := evalClause(env, r.When.Clause)
			re.Condition = &cv
		}
		x.Rules = append(x.Rules, re)
	}
	gated := map[string]bool{}
	for _, g := range res.Gates {
		gated[g.Rule] = true
	}
	for _, g := range m.Gates {
		re := RuleExplanation{Rule: g.ID, Owner: g.Owner, Reason: g.Disqualify, Reviewed: g.Reviewed, Pos: g.Pos.String(), Fired: gated[g.ID]}
		if g.IsEvent() {
			re.Events = explainEvents(env, g, lead.Events, asOf)
		} else if g.When != nil {
			cv := evalClause(env, g.When.Clause)
			re.Condition = &cv
		}
		x.Gates = append(x.Gates, re)
	}
	for _, st := range m.Stages {
		cv := evalClause(env, st.When.Clause)
		x.Stages = append(x.Stages, StageExplanation{Stage: st.ID, SalesReady: st.SalesReady, Holds: cv.Value != nil && *cv.Value, Condition: cv})
	}
	x.Next = s.next(env, x)
	if err := env.Stopped(); err != nil {
		return nil, &Error{LeadID: lead.ID, Err: err}
	}
	return x, nil
}

// evalClause evaluates a clause tree left to right with expr's short-circuit
// rules, recording each part's value and the values its leaves read.
func evalClause(env evaluator, c *rules.Clause) ClauseValue {
	cv := ClauseValue{Op: c.Op, Source: c.Source, Pos: c.Pos.String()}
	set := func(b bool) { cv.Value = &b }
	switch c.Op {
	case "":
		for _, name := range c.Reads {
			cv.Reads = append(cv.Reads, Read{Name: name, Value: readable(env.Get(name))})
		}
		ok, err := env.Bool(c.Leaf)
		if err != nil {
			cv.Error = err.Error()
			return cv
		}
		set(ok)
	case "not":
		inner := evalClause(env, c.Parts[0])
		cv.Parts = []ClauseValue{inner}
		if inner.Value != nil {
			set(!*inner.Value)
		}
	case "and", "or":
		stop := c.Op == "or" // an or stops at the first true, an and at the first false
		decided := false
		for _, p := range c.Parts {
			if decided {
				cv.Parts = append(cv.Parts, ClauseValue{Op: p.Op, Source: p.Source, Pos: p.Pos.String()})
				continue
			}
			pv := evalClause(env, p)
			cv.Parts = append(cv.Parts, pv)
			if pv.Value == nil {
				return cv // an error: the whole is unknown
			}
			if *pv.Value == stop {
				decided = true
			}
		}
		set(decided == stop)
	}
	return cv
}

// readable makes values print well in text and JSON: times as RFC 3339,
// infinities as text.
//
// A long text or list is shown cut, with its size: an explanation shows
// what a condition read, and a value of megabytes, read by hundreds of
// leaves, would make the explanation itself gigabytes.
func readable(v any) any {
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return x.Format(time.RFC3339)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
	case string:
		if len(x) > maxShownText {
			cut := maxShownText
			for cut > 0 && !utf8.RuneStart(x[cut]) {
				cut--
			}
			return fmt.Sprintf("%s… (%s bytes in all)", x[:cut], numfmt.Thousands(len(x)))
		}
	case []string:
		if out, cut := shownItems(x); cut {
			return out
		}
	case []any:
		if out, cut := shownItems(x); cut {
			return out
		}
	case map[string]any:
		if len(x) > maxShownItems {
			return fmt.Sprintf("(a map of %s keys)", numfmt.Thousands(len(x)))
		}
		out := make(map[string]any, len(x))
		for k, v := range x {
			out[k] = readable(v)
		}
		return out
	}
	return v
}

// shownItems is a list as readable shows it when it is long or holds a
// long text: its first maxShownItems items, each readable, and its size;
// cut is false, and nothing made, when the list is shown as it is.
func shownItems[T any](x []T) (out []any, cut bool) {
	n := min(len(x), maxShownItems)
	cut = len(x) > n
	for _, v := range x[:n] {
		if s, ok := any(v).(string); ok && len(s) > maxShownText {
			cut = true
		}
	}
	if !cut {
		return nil, false
	}
	out = make([]any, 0, n+1)
	for _, v := range x[:n] {
		out = append(out, readable(v))
	}
	if len(x) > n {
		out = append(out, fmt.Sprintf("… (%s items in all)", numfmt.Thousands(len(x))))
	}
	return out, true
}

// maxShownText and maxShownItems bound a value an explanation shows.
const (
	maxShownText  = 256
	maxShownItems = 20
)

// explainEvents recounts an event rule's events, one by one.
func explainEvents(env evaluator, r *rules.Rule, events []Event, asOf time.Time) *EventCount {
	ec := &EventCount{Window: r.WithinText}
	if ec.Window == "" && r.Within > 0 {
		ec.Window = dsl.FormatDuration(r.Within)
	}
	type match struct {
		e   *Event
		age time.Duration
	}
	var matches []match
	for i := range events {
		e := &events[i]
		if !slices.Contains(r.Events, e.Type) {
			continue
		}
		ec.Of++
		if e.At.After(asOf) {
			ec.Future++
			continue
		}
		if !env.Counts(e.At, r.Within) {
			continue
		}
		ec.InWindow++
		if r.When != nil {
			if env.SetEvent(e) != nil {
				continue
			}
			if ok, err := env.Bool(r.When); err != nil || !ok {
				continue
			}
		}
		ec.Matched++
		matches = append(matches, match{e, asOf.Sub(e.At)})
	}
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].age < matches[j].age })
	if r.Limit > 0 && len(matches) > r.Limit {
		matches = matches[:r.Limit]
	}
	ec.Counted = len(matches)
	for _, mt := range matches {
		ec.Each = append(ec.Each, EventPoint{Type: mt.e.Type, At: mt.e.At, AgeDays: float64(mt.age) / float64(24*time.Hour), Points: worth(r, r.Points, mt.age)})
	}
	return ec
}

var thresholdRE = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$`)
var quotedRE = regexp.MustCompile(`"([^"]*)"|'([^']*)'`)

// next works out what the lead lacks for the stage above its own: the parts
// of that stage's condition that fail, the points each category misses for
// the thresholds in them (including those of a grade the stage asks for),
// and the unfired rules that would give those points.
func (s *Scorer) next(env evaluator, x *Explanation) *NextStage {
	m := s.model
	cur := m.Stage(x.Result.Stage)
	if cur+1 >= len(m.Stages) {
		return nil
	}
	target := x.Stages[cur+1]
	n := &NextStage{Stage: target.Stage, Blocked: x.Result.Disqualified && cur+1 >= m.SalesReady, Missing: map[string]float64{}}
	if v := x.Result.Verdict; v != nil && v.HeldUntil != nil && cur+1 >= m.SalesReady {
		n.HeldUntil = v.HeldUntil
	}
	var unmet []ClauseValue
	collectUnmet(target.Condition, &unmet)
	for _, u := range unmet {
		n.Unmet = append(n.Unmet, u.Source)
		s.missing(env, u.Source, n.Missing)
	}
	if len(n.Missing) == 0 {
		n.Missing = nil
	}
	fired := map[string]bool{}
	for _, f := range x.Result.Fired {
		fired[f.Rule] = true
	}
	for _, r := range m.Rules {
		if fired[r.ID] || r.Points <= 0 {
			continue
		}
		if _, ok := n.Missing[r.Category.Name]; ok || n.Missing["total"] > 0 {
			adds := r.Points
			for _, c := range x.Result.Categories {
				if c.Name == r.Category.Name {
					adds = r.Category.Clamp(c.Raw+r.Points) - c.Score
				}
			}
			n.Candidates = append(n.Candidates, Candidate{Rule: r.ID, Category: r.Category.Name, Points: r.Points, Adds: adds, Reason: r.Reason})
		}
	}
	sort.SliceStable(n.Candidates, func(i, j int) bool { return n.Candidates[i].Points > n.Candidates[j].Points })
	return n
}

// collectUnmet gathers the smallest parts of a condition that are false:
// the false leaves of a failing and, every part of a failing or.
func collectUnmet(cv ClauseValue, out *[]ClauseValue) {
	if cv.Value == nil || *cv.Value {
		return
	}
	switch cv.Op {
	case "and", "or":
		for _, p := range cv.Parts {
			collectUnmet(p, out)
		}
	default:
		*out = append(*out, cv)
	}
}

// missing adds the points a failing part lacks: "fit >= 40" with fit at 25
// lacks 15 fit points; a grade test such as `grade in ["A", "B"]` lacks what
// the nearest of those grades asks for.
func (s *Scorer) missing(env evaluator, source string, into map[string]float64) {
	if mt := thresholdRE.FindStringSubmatch(source); mt != nil {
		name := mt[1]
		if s.model.Category(name) == nil && name != "total" {
			return
		}
		want, _ := strconv.ParseFloat(mt[3], 64)
		have, _ := env.Get(name).(float64)
		gap := want - have
		if mt[2] == ">" {
			gap += 1
		}
		if gap > 0 && gap > into[name] && finite(gap) {
			into[name] = gap
		}
		return
	}
	// A grade test: the cheapest of the named grades whose conditions are thresholds.
	var best map[string]float64
	for _, q := range quotedRE.FindAllStringSubmatch(source, -1) {
		name := q[1] + q[2]
		for _, g := range s.model.Grades {
			if g.Name != name || g.When == nil {
				continue
			}
			need := map[string]float64{}
			s.missing(env, g.When.Source, need)
			if len(need) > 0 && (best == nil || sum(need) < sum(best)) {
				best = need
			}
		}
	}
	for k, v := range best {
		if v > into[k] {
			into[k] = v
		}
	}
}

func sum(m map[string]float64) float64 {
	t := 0.0
	for _, v := range m {
		t += v
	}
	return t
}
