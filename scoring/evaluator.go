package scoring

import (
	"context"
	"time"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
)

// evaluator is what scoring needs of the expression evaluator that package
// rules keeps to itself: one goroutine's reusable state for evaluating a
// model's expressions, lead after lead (rules.Model.NewEvaluator makes it;
// the compiler checks here that it has these methods).
type evaluator interface {
	// Begin starts a lead: as-of time, events (counted once for the
	// aggregates expressions read) and a full budget of steps.
	Begin(asOf time.Time, events []rules.Event)
	// BeginCounted starts a lead with the event aggregates' values given by
	// slot (see rules.Model.EventAggregates) instead of counted.
	BeginCounted(asOf time.Time, events []rules.Event, counts []int, lasts []time.Time)
	// Recount is BeginCounted for the next point of the lead bound last:
	// its fields stay as bound.
	Recount(asOf time.Time, events []rules.Event, counts []int, lasts []time.Time)
	// ResetBudget gives the next evaluations a full budget of steps.
	ResetBudget()
	// BudgetLeft and SetBudgetLeft read and put back the steps left.
	BudgetLeft() int64
	SetBudgetLeft(n int64)
	// BindMap and BindStruct set every field of the schema from the lead.
	BindMap(lead map[string]any) error
	BindStruct(lead any) error
	// BindJSON sets every field from one NDJSON line, without a map, and
	// returns the lead's id and events; false when the line needs BindMap.
	BindJSON(line []byte) (id string, events []rules.Event, ok bool)
	// BindCells sets every field from the cells of one CSV row, by field
	// index, without a map; false when the row needs BindMap.
	BindCells(cells []string) bool
	// TakeFields copies the fields bound last by BindJSON or BindCells,
	// and leaves BindJSON's events to the caller; BindFields binds them
	// again.
	TakeFields() *rules.Fields
	// ShareEventFields has BindJSON give events with the same fields one
	// Fields map, shared from lead to lead, only to be read.
	ShareEventFields(on bool)
	BindFields(f *rules.Fields) error
	// SetEmptyAbsent has empty text in the named time field read as
	// missing: the created field's, where empty text is no creation time.
	SetEmptyAbsent(name string)
	// Unknowns lists (unsorted) the data of the lead just bound and of its
	// events that the model does not declare; see rules.Model.Unknowns.
	Unknowns(structUnknowns []rules.Unknown, fields map[string]any, events []rules.Event) []rules.Unknown
	// EventRules returns the event rules and gates that count the i-th
	// event of the lead begun: Model.RulesForEvent of its type.
	EventRules(i int) []*rules.Rule
	// SetEvent sets the event that event rules' conditions read.
	SetEvent(e *rules.Event) error
	// EvalLead evaluates the defines and the lead gates and rules.
	EvalLead(gates, rules []bool) error
	// EvalDefines evaluates the defines only.
	EvalDefines() error
	// EvalLadder returns the grade and sets which stages' conditions hold.
	// SaveLadder keeps what it reads besides the scores, and LoadLadder
	// sets it again (see trace.go); LadderKept tells whether it can.
	SaveLadder(dst []byte) ([]byte, bool)
	LoadLadder(src []byte) ([]byte, bool)
	LadderKept() bool
	EvalLadder(stages []bool) (string, error)
	// Eval runs any expression; Bool a condition, Float a number.
	Eval(x *rules.Expr) (any, error)
	Bool(x *rules.Expr) (bool, error)
	Float(x *rules.Expr) (float64, error)
	Set(name string, v any)
	// SetCategory and SetTotal set the scores grades and stages read,
	// without boxing them.
	SetCategory(i int, score float64)
	SetTotal(total float64)
	Get(name string) any
	// GetString is Get(name).(string), without boxing the value.
	GetString(name string) (string, bool)
	// Counts reports whether an event at this time counts for a window.
	Counts(at time.Time, window time.Duration) bool
	SetContext(ctx context.Context)
	// Stopped returns the error for a stopped context, or nil.
	Stopped() error
	// Compiled reports whether an expression runs as Go closures rather
	// than on expr's VM.
	Compiled(x *rules.Expr) bool
	// Spend takes steps from the lead's budget, for work no expression
	// does (an event met by an event rule).
	Spend(n int64) error
}

// newEvaluator returns an evaluator for m.
func newEvaluator(m *rules.Model) evaluator {
	return m.NewEvaluator(friend.K(), false)
}

// newPlainEvaluator returns an evaluator for m that runs every expression
// on expr's VM: the reference of the differential tests.
func newPlainEvaluator(m *rules.Model) evaluator {
	return m.NewEvaluator(friend.K(), true)
}
