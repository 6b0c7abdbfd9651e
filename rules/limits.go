package rules

import (
	"context"
	"fmt"
	"reflect"

	"github.com/leadscore/leadscore/internal/friend"
)

// Limits bound the work a rule file can ask of the evaluator, so that a
// file that compiles cannot make scoring one lead run for minutes or grow
// memory without end. Some limits are checked when the file compiles (the
// file is refused, with the position of the expression); the others bound
// every lead at run time (the lead fails alone, with an error naming the
// rule and its position, and the next lead starts afresh).
//
// Compile time:
//
//   - MaxNesting: predicates (any, all, none, one, filter, map, count, sum,
//     find..., groupBy, sortBy, reduce) nested inside each other in one
//     expression; each level multiplies the work by the length of a list.
//   - MaxRange: a range with constant bounds (1..1000) may have at most this
//     many numbers; a range with other bounds is checked when it runs.
//   - MaxPattern: the program a matches pattern compiles to may have at
//     most this many instructions (Go's regexp/syntax); matching costs up
//     to the text's length times the program, and the program's size is
//     its memory.
//   - A matches whose pattern is not written in quotes is refused (a pattern
//     built per lead would be compiled per lead, or per step of a loop), as
//     are reduce building a text or a list (each step copies all the steps
//     before it), replace looking for the empty text, and division or
//     remainder by a constant zero. repeat() and now() do not exist.
//
// Run time, for each lead:
//
//   - MaxSteps: the work one lead may take. Each time a predicate evaluates
//     its body costs the size of the body (its syntax-tree nodes), plus a
//     step per item of each whole list and per 64 bytes of each whole text
//     the body reads by name (tech in count(tags, {# in tech}), title in
//     none(tags, {title contains #})); every text or list an expression
//     builds (+ on texts, join, replace, split, string, toJSON, concat,
//     flatten, a range) costs one step per 64 bytes or items; matches costs
//     one step per 8 of the text's length times its pattern's program
//     (a text of megabytes read by a few patterns can reach the limit).
//     An event rule's condition, which runs once per event, pays each
//     time for the whole texts and lists it reads, as a predicate's body.
//     Explain re-evaluates the parts of conditions, within the same budget.
//   - MaxText: the longest text (in bytes) or list (in items) an expression
//     may build. The builtins that build (join, replace, split, string,
//     toJSON, concat, flatten, toBase64) are measured from their arguments
//     before they run, so a text over the limit is never made; + on texts
//     and lists, whose result is at most twice its longest operand, is
//     checked once made.
//   - MaxMemory: expr's own memory budget for one run of one program: the
//     items of the lists and ranges it makes and of the loops it begins.
//
// A lead that exceeds a run-time limit gets a *LimitError (wrapped in an
// *EvalError naming the expression). When a phase's fused program fails,
// its expressions run again one by one to name the one at fault, each with
// the budget the phase started with, so a failing lead costs at most about
// twice its budget.
type Limits struct {
	MaxNesting int
	MaxRange   int
	MaxPattern int
	MaxSteps   int64
	MaxText    int
	MaxMemory  uint
}

// DefaultLimits are the limits a model has unless WithLimits says
// otherwise: two predicates deep, ranges of 10,000 numbers, patterns of
// 10,000 instructions, a million steps per lead (a tenth to a fifth of a
// second of the worst work a step can be, measured), texts and lists of
// 1 MiB, and expr's default memory budget.
func DefaultLimits() Limits {
	return Limits{MaxNesting: 2, MaxRange: 10_000, MaxPattern: 10_000, MaxSteps: 1_000_000, MaxText: 1 << 20, MaxMemory: 1_000_000}
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxNesting <= 0 {
		l.MaxNesting = d.MaxNesting
	}
	if l.MaxRange <= 0 {
		l.MaxRange = d.MaxRange
	}
	if l.MaxPattern <= 0 {
		l.MaxPattern = d.MaxPattern
	}
	if l.MaxSteps <= 0 {
		l.MaxSteps = d.MaxSteps
	}
	if l.MaxText <= 0 {
		l.MaxText = d.MaxText
	}
	if l.MaxMemory == 0 {
		l.MaxMemory = d.MaxMemory
	}
	return l
}

// Option changes how a rule file is compiled.
type Option func(*options)

type options struct {
	limits Limits
}

// WithLimits sets the model's limits; fields left zero keep their default.
func WithLimits(l Limits) Option {
	return func(o *options) { o.limits = l.withDefaults() }
}

func newOptions(opts []Option) options {
	o := options{limits: DefaultLimits()}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Limits returns the limits the model was compiled with.
func (m *Model) Limits() Limits { return m.limits }

// LimitError is a lead whose evaluation went past one of the model's
// run-time limits.
type LimitError struct {
	// Limit names the limit: "steps", "text", "range" or "memory".
	Limit string
	// Max is the limit's value; Got, when known, what the lead needed.
	Max, Got int64
}

// Error says which limit the lead reached and what to do about it, in the
// words of the people who write rule files.
func (e *LimitError) Error() string {
	switch e.Limit {
	case "steps":
		return fmt.Sprintf("this lead needs more than the %d steps of work a lead may take (Limits.MaxSteps): a predicate such as any or all over a long list, one inside another, texts built again and again, or a pattern matched against a long text; simplify the expression", e.Max)
	case "text":
		if e.Got <= 0 {
			return fmt.Sprintf("this builds a text or list longer than the %d bytes or items an expression may build (Limits.MaxText); build less", e.Max)
		}
		return fmt.Sprintf("this builds a text or list of %d bytes or items, more than the %d an expression may build (Limits.MaxText); build less", e.Got, e.Max)
	case "range":
		return fmt.Sprintf("this range has %d numbers, more than the %d a range may have (Limits.MaxRange); use a comparison such as x >= 1 && x <= 100", e.Got, e.Max)
	case "memory":
		return fmt.Sprintf("this needs more memory than an expression may use (%d list items and loop steps in one run, Limits.MaxMemory); loop over shorter lists", e.Max)
	}
	return "a limit was reached: " + e.Limit
}

// budget is what a lead has left of the model's run-time limits.
type budget struct {
	limits *Limits
	left   int64
	// ctx, when not nil, is checked each time left drops below check.
	ctx   context.Context
	check int64
}

// ctxEvery is how many steps may pass between two looks at the context.
const ctxEvery = 4096

func (b *budget) reset() {
	b.left = b.limits.MaxSteps
	b.check = b.left - ctxEvery
}

// spend takes n steps from the budget.
func (b *budget) spend(n int64) error {
	b.left -= n
	if b.left < 0 {
		return &LimitError{Limit: "steps", Max: b.limits.MaxSteps}
	}
	if b.ctx != nil && b.left < b.check {
		b.check = b.left - ctxEvery
		if err := b.ctx.Err(); err != nil {
			return friend.Stopped(b.ctx)
		}
	}
	return nil
}

// sizeOf returns the length of a text or list, -1 for other values.
func sizeOf(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []any:
		return len(x)
	case []string:
		return len(x)
	case []int:
		return len(x)
	case []float64:
		return len(x)
	case nil, bool, int, float64:
		return -1
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map {
		return rv.Len()
	}
	return -1
}

// grow charges a built text or list to the budget, or refuses it.
func (f *frame) grow(v any) error {
	n := sizeOf(v)
	if n < 0 {
		return nil
	}
	b := &f.budget
	if n > b.limits.MaxText {
		return &LimitError{Limit: "text", Max: int64(b.limits.MaxText), Got: int64(n)}
	}
	return b.spend(int64(n/64) + 1)
}

// makeRange builds the range from..to as expr does, within the limits.
func (f *frame) makeRange(from, to any) ([]int, error) {
	a, okA := asInt(from)
	z, okB := asInt(to)
	if !okA || !okB {
		return nil, fmt.Errorf("a range needs whole numbers, got %v..%v", from, to)
	}
	if z < a {
		return []int{}, nil
	}
	n := int64(z) - int64(a) + 1
	if z-a < 0 || n > int64(f.budget.limits.MaxRange) {
		if z-a < 0 { // overflow: more numbers than an int holds
			n = 1<<63 - 1
		}
		return nil, &LimitError{Limit: "range", Max: int64(f.budget.limits.MaxRange), Got: n}
	}
	if err := f.budget.spend(n/64 + 1); err != nil {
		return nil, err
	}
	out := make([]int, n)
	for i := range out {
		out[i] = a + i
	}
	return out, nil
}

func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case float64:
		if i, ok := intOf(x); ok {
			return i, true
		}
	}
	return 0, false
}

// memoryExceeded is the message of expr's memory budget.
const memoryExceeded = "memory budget exceeded"
