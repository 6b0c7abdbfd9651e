package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/leadscore/leadscore/dsl"
)

// Reads says what an event rule's condition reads besides constants (literals
// and lists), which decides when it can be evaluated: a condition that reads
// only the event gives the same answer for that event at every score, one
// that reads no event gives the same answer for every event of one score.
type Reads struct {
	// Event: the event (event.type, event.at, event fields).
	Event bool
	// Lead: what may differ from one score of the lead to the next: lead
	// fields, defines, category scores, the as-of time (now, daysSince) and
	// the event aggregates (events(), daysSinceLast()).
	Lead bool
}

// ConditionReads says what rule r's condition reads; a rule without a
// condition reads nothing. When in doubt it says both.
func (m *Model) ConditionReads(r *Rule) Reads {
	if r.When == nil {
		return Reads{}
	}
	tree, err := parser.Parse(r.When.Source)
	if err != nil {
		return Reads{Event: true, Lead: true}
	}
	callees := map[ast.Node]bool{}
	ast.Find(tree.Node, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallNode); ok {
			callees[c.Callee] = true
		}
		return false
	})
	lists := map[string]bool{}
	if m.Document != nil {
		for _, l := range m.Document.Lists {
			lists[l.Name.Value] = true
		}
	}
	var out Reads
	ast.Find(tree.Node, func(n ast.Node) bool {
		id, ok := n.(*ast.IdentifierNode)
		if !ok {
			return false
		}
		switch {
		case callees[n]:
			switch id.Value {
			case "now", "daysSince", "events", "daysSinceLast":
				out.Lead = true
			}
		case id.Value == "event":
			out.Event = true
		case !lists[id.Value]:
			out.Lead = true // a field, a define, a score, now, a variable
		}
		return false
	})
	return out
}

// Horizon says how far back a model's events can matter as of a time: the
// longest window of its event rules and event aggregates, and the rules and
// aggregates that no window bounds.
type Horizon struct {
	// Window is the longest `within` of the event rules and gates and the
	// longest window of events("type", "window"): an older event matters
	// only through Limited, Unbounded and Counters.
	Window time.Duration
	// Limited are the event rules and gates without `within` whose
	// condition does not read the event and the lead both, so a bounded
	// number of events can count at any age: the `limit` most recent
	// matching events (one for a gate).
	Limited []*Rule
	// Unbounded are the event rules and gates that keep every event of
	// their types relevant: without `within`, and without `limit` or with
	// a condition that reads the lead as well as the event (which events
	// match is known only when the lead is scored).
	Unbounded []*Rule
	// Counters are the event aggregates without a window (events("type"),
	// daysSinceLast("type")): every event counts for ever, but as a number
	// or a time, not as an event to keep.
	Counters []EventAggregate
}

// Horizon returns how far back the model's events can matter.
func (m *Model) Horizon() Horizon {
	var h Horizon
	for _, r := range slices.Concat(m.Rules, m.Gates) {
		if !r.IsEvent() {
			continue
		}
		if r.Within > 0 {
			h.Window = max(h.Window, r.Within)
			continue
		}
		reads := m.ConditionReads(r)
		if (r.Limit > 0 || r.IsGate()) && !(reads.Event && reads.Lead) {
			h.Limited = append(h.Limited, r)
		} else {
			h.Unbounded = append(h.Unbounded, r)
		}
	}
	for _, a := range m.EventAggregates() {
		if a.Window > 0 {
			h.Window = max(h.Window, a.Window)
		} else {
			h.Counters = append(h.Counters, a)
		}
	}
	return h
}

// Bounded reports whether an event older than Window never matters.
func (h Horizon) Bounded() bool {
	return len(h.Limited) == 0 && len(h.Unbounded) == 0 && len(h.Counters) == 0
}

// String says the horizon in a sentence:
//
//	events matter for 90d; beyond that, the 3 most recent of engagement.pricing-page
func (h Horizon) String() string {
	var beyond []string
	for _, r := range h.Limited {
		n := r.Limit
		if r.IsGate() {
			n = 1
		}
		what := fmt.Sprintf("the %d most recent of %s", n, r.ID)
		if n == 1 {
			what = "the most recent of " + r.ID
		}
		beyond = append(beyond, what)
	}
	for _, r := range h.Unbounded {
		beyond = append(beyond, "every event of "+r.ID)
	}
	for _, a := range h.Counters {
		if a.Last {
			beyond = append(beyond, fmt.Sprintf("the time of the latest %s", a.Type))
		} else {
			beyond = append(beyond, fmt.Sprintf("the number of %s events", a.Type))
		}
	}
	switch {
	case h.Window > 0 && len(beyond) > 0:
		return fmt.Sprintf("events matter for %s; beyond that, %s", dsl.FormatDuration(h.Window), strings.Join(beyond, ", "))
	case h.Window > 0:
		return fmt.Sprintf("events matter for %s", dsl.FormatDuration(h.Window))
	case len(beyond) > 0:
		return "no window bounds the events; what counts: " + strings.Join(beyond, ", ")
	}
	return "no rule reads events"
}

// horizon warns of the event rules that keep every event of their types
// relevant for ever: a streaming state must keep all of them.
func (l *linter) horizon() {
	for _, r := range l.m.Horizon().Unbounded {
		types := strings.Join(r.Events, ", ")
		if r.Limit > 0 || r.IsGate() {
			l.warn(r.Pos, "rule %s has no within:, and its condition reads the lead as well as the event, so which %s events count is known only when the lead is scored: every one stays relevant for ever and a streaming state keeps them all; give it a within: (such as 90d), or move the lead part into a lead rule", r.ID, types)
			continue
		}
		l.warn(r.Pos, "rule %s counts every %s event for ever (no within:, no limit:): a streaming state keeps them all; give it a within: (such as 90d) or a limit:", r.ID, types)
	}
}

// ReadsClock reports whether an expression of the model (a define, a
// rule's or gate's condition, the total, a grade, a stage) reads the
// as-of time: now, daysSince or daysSinceLast. Its results may then move
// between its events, as a decaying rule's do.
func (m *Model) ReadsClock() bool {
	var srcs []string
	for _, d := range m.Defines {
		srcs = append(srcs, d.Expr.Source)
	}
	for _, r := range slices.Concat(m.Rules, m.Gates) {
		if r.When != nil {
			srcs = append(srcs, r.When.Source)
		}
	}
	if m.Total != nil {
		srcs = append(srcs, m.Total.Source)
	}
	for _, g := range m.Grades {
		if g.When != nil {
			srcs = append(srcs, g.When.Source)
		}
	}
	for _, st := range m.Stages {
		if st.When != nil {
			srcs = append(srcs, st.When.Source)
		}
	}
	return slices.ContainsFunc(srcs, ExprReadsClock)
}

// ExprReadsClock reports whether the expression src reads the as-of time
// (now, daysSince, daysSinceLast); one that does not parse is said to.
func ExprReadsClock(src string) bool {
	tree, err := parser.Parse(src)
	if err != nil {
		return true
	}
	reads := false
	ast.Find(tree.Node, func(n ast.Node) bool {
		if id, ok := n.(*ast.IdentifierNode); ok {
			switch id.Value {
			case "now", "daysSince", "daysSinceLast":
				reads = true
			}
		}
		return false
	})
	return reads
}
