// Package rules compiles a rule file (a dsl.Document) into a Model: every
// expression type-checked against the lead schema and compiled to expr
// bytecode once, so that scoring a lead only runs programs.
//
// A Model is immutable once compiled and safe for concurrent use. Expressions
// reach only the lead's fields, the model's lists and defines, and the
// functions of this package; they cannot read files, the network, the wall
// clock or anything by reflection. $env, in any form, and every name
// starting with "__" (the compiler's own, such as the evaluation frame) are
// refused when the file compiles.
//
// # Limits
//
// The size and the work of every expression are bounded (see Limits, set
// with WithLimits): what is statically too costly is refused when the file
// compiles (predicates nested more than 2 deep, constant ranges of more than
// 10,000 numbers, matches with a pattern not in quotes, reduce building a
// text or a list, replace of the empty text, division or remainder by a
// constant zero), and every lead has a budget at run time: a million steps
// (a predicate's body evaluated once costs its size; a built text or list
// costs a step per 64 bytes or items), texts and lists of at most 1 MiB,
// and expr's memory budget per run. A lead over budget fails alone with a
// *LimitError inside an *EvalError that names the rule and its position.
//
// # Numbers
//
// A whole-number field takes integers within Go's int (never wrapping
// around) and floats without fraction below 2^53; a number field takes
// finite numbers only. NaN and infinities are refused with the field's name.
package rules

import (
	"math"
	"reflect"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/leadscore/leadscore/dsl"
)

// Model is a compiled rule file. Its fields are read-only: a Model is shared
// by every goroutine that scores with it.
type Model struct {
	Name        string
	Description string
	Owners      []dsl.Owner

	Fields      []*Field // the lead schema, in file order
	EventFields []*Field
	EventTypes  []string // empty: any type allowed
	Defines     []*Define
	Categories  []*Category
	// Total computes the total from the categories; nil means their sum.
	Total *Expr
	// Rules are the scoring rules (lead and event rules) in file order.
	Rules []*Rule
	// Gates are the disqualifying rules in file order.
	Gates  []*Rule
	Grades []*Grade
	Stages []*Stage
	// SalesReady is the index in Stages of the sales-ready stage.
	SalesReady int
	// Handoff is the hand-off contract with sales; nil when the rule file
	// has no handoff section.
	Handoff *Handoff
	// Accounts is the compiled accounts section; nil when the rule file
	// has none.
	Accounts *AccountModel
	// Holdout is the holdout experiment: which leads are the control group
	// and what they do not get; nil when the rule file has no holdout
	// section.
	Holdout *Holdout

	// Document is the decoded rule file the model was compiled from, for
	// tools that report on it (diff, lint, fmt).
	Document *dsl.Document

	fieldIndex map[string]int
	eventIndex map[string]int
	// fieldNames and eventNames say what each name of lead data is: a
	// field, or a group of nested fields (company for company.size).
	fieldNames, eventNames names
	nested                 bool            // some field is nested (company.size)
	eventNested            bool            // some event field is nested
	eventTypeSet           map[string]bool // EventTypes as a set; nil: any type
	suggestions            suggestCache    // unknown name -> did-you-mean, by kind
	// leadRules and eventRules split Rules for evaluation; byEventType maps
	// an event type to the event rules (and event gates) that count it.
	byEventType map[string][]*Rule
	structPlans structPlanCache
	// What event filters read, so SetEvent binds only that.
	readsEventType, readsEventAt bool
	eventFieldsRead              []int // indexes in EventFields
	fused                        fusedPhases
	// slots name what expressions read (see slots.go); the others are
	// the slots of the categories (by Index), the total, the grade and
	// the event's type, time and fields (by index in EventFields).
	slots                      slotTable
	categorySlots, eventSlots  []int
	totalSlot, gradeSlot       int
	eventTypeSlot, eventAtSlot int
	// leadFast and ladderFast tell that the lead phase (defines, lead
	// gates and rules), or the ladder (grades and stages), runs expression
	// by expression, most of them on closures (see fast.go), rather than
	// as one fused program.
	leadFast, ladderFast bool
	// ladderReads are the slots the ladder phase reads besides the scores,
	// and ladderKept tells that SaveLadder can keep them (see keepLadder).
	ladderReads []int
	ladderKept  bool
	// counters are the event aggregates expressions use (events(),
	// daysSinceLast()), computed in one pass over a lead's events.
	counters       []counter
	countersByType map[string][]int
	// eventTypes joins, per event type, what the evaluator needs of it,
	// so that each event costs one lookup (see eventTypeInfo).
	eventTypes nameTable[*eventTypeInfo]
	// limits bound the work of every evaluation (see Limits).
	limits Limits
	// patterns are the model's matches patterns, compiled once.
	patterns []*pattern
}

// Field is one field of the lead or event schema.
type Field struct {
	Name        string
	Type        dsl.FieldType
	Description string
	Required    bool
	// Default is what rules see when a lead lacks the field: the declared
	// default, or the zero value of the type.
	Default any
	// Index is the field's position in Model.Fields (or EventFields).
	Index int
	// path is the field's name split at its dots, for a nested field
	// (company.size); nil for a flat one.
	path []string
	// joins holds every run of path's parts joined with dots, the run
	// path[i:j] at i*len(path)+j-1: the keys that may spell a part of the
	// way ("company.address", "address.country").
	joins []string
}

// Define is a named expression, evaluated once per lead before the rules.
type Define struct {
	Name string
	Expr *Expr
	slot int // where the evaluator keeps its value
}

// Category is a score category, clamped to [Min, Max] (infinite when the
// rule file gives no bound).
type Category struct {
	Name     string
	Min, Max float64
	Index    int
}

// Clamp limits v to the category's bounds.
func (c *Category) Clamp(v float64) float64 {
	return math.Min(math.Max(v, c.Min), c.Max)
}

// Rule is a compiled scoring rule or gate.
type Rule struct {
	ID string
	// Index is the rule's position in Model.Rules, or in Model.Gates for a gate.
	Index    int
	Pos      dsl.Pos
	Category *Category // nil for gates
	Owner    string
	Reason   string
	Reviewed string
	// When is the rule's condition; nil means always. For event rules it
	// filters events and may read event.type, event.at and event fields.
	When   *Expr
	Points float64

	Events   []string // event types; empty for lead rules
	Limit    int      // at most this many events count; 0 means no limit
	Within   time.Duration
	HalfLife time.Duration
	// WithinText and HalfLifeText are Within and HalfLife as the rule file
	// writes them ("14d", "2w"), for reviews; "" when unset.
	WithinText, HalfLifeText string

	Disqualify string // a gate's reason; empty for scoring rules
}

// IsGate reports whether the rule disqualifies rather than scores.
func (r *Rule) IsGate() bool { return r.Disqualify != "" }

// IsEvent reports whether the rule counts events.
func (r *Rule) IsEvent() bool { return len(r.Events) > 0 }

// Grade is a rung of the grade list.
type Grade struct {
	Name string
	When *Expr // nil: always
}

// Stage is a rung of the stage ladder.
type Stage struct {
	ID          string
	Description string
	When        *Expr
	SalesReady  bool
}

// Expr is a compiled expression with the text and position it came from.
type Expr struct {
	Source string
	Pos    dsl.Pos
	// program is the compiled expression that the evaluator runs.
	program *vm.Program
	// fast holds the closures that compute what program does, nil when
	// the expression has a shape they do not cover (see fast.go); reads
	// lists the slots the program reads.
	fast  *fastExpr
	reads []int
	// perRun lists the slots of whole texts and lists an event rule's
	// condition reads, once for each time it reads them, and runSize its
	// size: each of its runs, one per event, pays for both, as a
	// predicate's body does (see evaluator.runCost). Both are zero for
	// other expressions.
	perRun  []int
	runSize int64
	// Clause is a condition split into its parts, for explanations; nil
	// for expressions that are not conditions.
	Clause *Clause
	// Name says what the expression is, for errors: "rule fit.industry",
	// "gate gate.student", "define decision_maker", "total", "grade A",
	// "stage sql"; "" for the fused programs.
	Name string
	src  *dsl.Expr
}

// Type says what the expression gives, in the words of the rule file's
// schema: bool, int, float, string, time or list; any when the type is
// only known once a lead is read.
func (e *Expr) Type() string {
	if e == nil || e.program == nil {
		return "any"
	}
	rt := e.program.Node().Type()
	if rt == nil {
		return "any"
	}
	switch {
	case rt == reflect.TypeOf(time.Time{}):
		return "time"
	case rt.Kind() == reflect.Bool:
		return "bool"
	case rt.Kind() >= reflect.Int && rt.Kind() <= reflect.Uint64:
		return "int"
	case rt.Kind() == reflect.Float32 || rt.Kind() == reflect.Float64:
		return "float"
	case rt.Kind() == reflect.String:
		return "string"
	case rt.Kind() == reflect.Slice || rt.Kind() == reflect.Array:
		return "list"
	}
	return "any"
}

// PosAt returns the file position of the offset-th character of the source.
func (e *Expr) PosAt(offset int) dsl.Pos { return e.src.PosAt(offset) }

// Field returns the lead field with the given name, or nil.
func (m *Model) Field(name string) *Field {
	if i, ok := m.fieldIndex[name]; ok {
		return m.Fields[i]
	}
	return nil
}

// Rule returns the scoring rule or gate with the given id, or nil.
func (m *Model) Rule(id string) *Rule {
	for _, r := range m.Rules {
		if r.ID == id {
			return r
		}
	}
	for _, r := range m.Gates {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Category returns the category with the given name, or nil.
func (m *Model) Category(name string) *Category {
	for _, c := range m.Categories {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Stage returns the index of the stage with the given id, or -1.
func (m *Model) Stage(id string) int {
	for i, s := range m.Stages {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// RulesForEvent returns the event rules and event gates that count events of
// type t, in file order.
func (m *Model) RulesForEvent(t string) []*Rule { return m.byEventType[t] }

// eventFieldExample names an event field for advice: the first declared, or
// campaign when there is none.
func (m *Model) eventFieldExample() string {
	if len(m.EventFields) > 0 {
		return m.EventFields[0].Name
	}
	return "campaign"
}
