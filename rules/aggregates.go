package rules

import "time"

// EventAggregate is one of the event aggregates a model's expressions
// read: how many events of a type happened at or before the as-of time
// and, with a Window, less than Window before it; or, with Last, when the
// latest such event happened.
type EventAggregate struct {
	Type   string
	Window time.Duration
	Last   bool
}

// EventAggregates lists the model's event aggregates by slot: the order in
// which BeginCounted takes their values.
func (m *Model) EventAggregates() []EventAggregate {
	out := make([]EventAggregate, len(m.counters))
	for i, c := range m.counters {
		out[i] = EventAggregate{Type: c.typ, Window: c.window, Last: c.last}
	}
	return out
}

// ResetBudget gives the next evaluations a full budget of steps (see
// Limits), as Begin does, for callers that evaluate one condition at a time
// on a long-lived environment.
func (e *evaluator) ResetBudget() { e.frame.budget.reset() }

// BudgetLeft is how many steps are left of the lead's budget, and
// SetBudgetLeft puts it back there: for ranking one lead's evaluated
// conditions under several sets of points, each with the budget the
// conditions left, as a model with those points would have.
func (e *evaluator) BudgetLeft() int64 { return e.frame.budget.left }

// SetBudgetLeft sets the steps left of the lead's budget (see BudgetLeft).
func (e *evaluator) SetBudgetLeft(n int64) {
	e.frame.budget.left, e.frame.budget.check = n, n-ctxEvery
}

// Recount starts the next point of a timeline of the lead already bound:
// BeginCounted, with the fields left as BindMap or BindStruct set them
// (and the closures told of a field whose value did not fit its kind, as
// binding told them), so a timeline binds its lead once.
func (e *evaluator) Recount(asOf time.Time, events []Event, counts []int, lasts []time.Time) {
	e.BeginCounted(asOf, events, counts, lasts)
	e.mismatch = e.bindMismatch
}

// BeginCounted starts a lead as Begin does (with a full budget), but takes the event
// aggregates' values from counts and lasts (by slot, see EventAggregates)
// instead of counting events: for callers that keep them up to date event
// by event, such as score timelines. events are what event rules see.
func (e *evaluator) BeginCounted(asOf time.Time, events []Event, counts []int, lasts []time.Time) {
	e.mismatch = false
	e.frame.budget.reset()
	e.frame.AsOf = asOf
	e.frame.Events = events
	copy(e.frame.counts, counts)
	copy(e.frame.lasts, lasts)
	e.frame.types = e.frame.types[:0]
	for i := range events {
		e.frame.types = append(e.frame.types, e.model.eventTypeInfo(events[i].Type))
	}
}
