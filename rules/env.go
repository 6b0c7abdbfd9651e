package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/friend"
)

// Event is something a lead did, at a time: a page view, a webinar, a demo
// request. Fields holds the event fields the model declares under events;
// others are ignored.
type Event struct {
	Type   string
	At     time.Time
	Fields map[string]any
}

// frame is what the function library knows about the evaluation under way:
// the as-of time and the lead's events. Nothing in an expression reads the
// wall clock; "now" is always AsOf.
type frame struct {
	AsOf   time.Time
	Events []Event
	// present[i] tells whether the lead carried Model.Fields[i].
	present []bool
	// counts and lasts hold the model's event aggregates for this lead,
	// by counter slot.
	counts []int
	lasts  []time.Time
	// budget is what the lead has left of the model's limits.
	budget budget
	// types[i] is what the model makes of Events[i].Type (nil: nothing).
	types []*eventTypeInfo
	// patterns are the model's matches patterns (see __match).
	patterns []*pattern
}

// eventTypeInfo is what a model makes of an event type: the counter
// slots it feeds, the event rules and gates that count it, and whether
// it is a declared type (or the model declares none).
type eventTypeInfo struct {
	name     string
	counters []int
	rules    []*Rule
	known    bool
}

// EventRules returns the event rules and event gates that count the i-th
// event of the lead begun (Model.RulesForEvent of its type).
func (e *evaluator) EventRules(i int) []*Rule {
	if info := e.frame.types[i]; info != nil {
		return info.rules
	}
	return nil
}

// frameVar is the environment name under which expressions reach the frame.
// Users cannot write it: names starting with "__" are refused at compile time.
const frameVar = "__frame"

// evaluator evaluates a model's expressions for one lead at a time. It holds the
// variables (the lead's fields, defines, scores) and a reusable VM, so it is
// not safe for concurrent use: give each goroutine its own (newEvaluator), and
// reuse it from lead to lead.
type evaluator struct {
	model *Model
	// vals holds the value of each slot (see slots.go); vars is the map
	// expr's VM reads, brought up to date from vals (where stale says so)
	// before a VM program runs.
	vals    []value
	stale   []bool
	vars    map[string]any
	frame   frame
	machine vm.VM
	// loop holds the element each enclosing predicate is at, for the
	// closures of fast.go; bail is set when a closure gives up.
	loop [maxLoopDepth]string
	bail bool
	// plain turns the closures off: every expression runs on the VM, as
	// the differential tests need. mismatch does so for the rest of a lead
	// when a slot received a value of another type than its kind.
	plain    bool
	mismatch bool
	// bindMismatch is mismatch as the last BindMap or BindStruct left it.
	bindMismatch bool
	// emptyAbsent is the index of the time field whose empty text is
	// missing (SetEmptyAbsent), -1 for none.
	emptyAbsent int
	// keysKnown is set by BindMap when every key of the lead's map is a
	// field of the schema, so Unknowns need not look at them again.
	keysKnown bool
	// seen is BindJSON's scratch: the fields a line gave; texts and boxed
	// are the texts it read before, shared from lead to lead (see intern).
	seen  []bool
	texts map[string]string
	boxed map[string]any
	// events and maps are BindJSON's events and their fields' maps,
	// reused from lead to lead (used: how many maps this lead took).
	events []Event
	maps   []map[string]any
	used   int
	// shareEvents has BindJSON give events with the same fields one map
	// from shared (see ShareEventFields); pairs, sig and unique (a value
	// other than text: not looked up) are its scratch.
	shareEvents bool
	unique      bool
	shared      map[string]map[string]any
	pairs       []eventPair
	sig         []byte
}

// Unknowns lists, unsorted, the data the lead just bound (by BindMap,
// with fields, or BindStruct, with structUnknowns) and its events carry
// that the model does not declare.
func (e *evaluator) Unknowns(structUnknowns []Unknown, fields map[string]any, events []Event) []Unknown {
	m := e.model
	if len(events) != len(e.frame.types) || len(events) > 0 && &events[0] != &e.frame.Events[0] {
		if e.keysKnown {
			fields = nil
		}
		return m.Unknowns(structUnknowns, fields, events)
	}
	// As Model.Unknowns does, with the event types looked up once (Begin).
	set := &unknownSet{list: structUnknowns, from: len(structUnknowns)}
	if !e.keysKnown {
		m.unknownKeys(set, UnknownKey, m.fieldNames, fields, "")
	}
	for i := range events {
		ev := &events[i]
		if info := e.frame.types[i]; m.eventTypeSet != nil && (info == nil || !info.known) {
			set.add(m, UnknownEventType, ev.Type)
		}
		if !m.eventKeysKnown(ev.Fields) {
			m.unknownKeys(set, UnknownEventKey, m.eventNames, ev.Fields, "")
		}
	}
	return set.list
}

// newEvaluator returns an environment for evaluating m's expressions.
func (m *Model) newEvaluator() *evaluator {
	e := &evaluator{
		model: m,
		vars:  make(map[string]any, len(m.Fields)+len(m.Defines)+len(m.EventFields)+len(m.Categories)+8),
	}
	e.frame.present = make([]bool, len(m.Fields))
	e.frame.counts = make([]int, len(m.counters))
	e.frame.lasts = make([]time.Time, len(m.counters))
	e.vars[frameVar] = &e.frame
	e.frame.budget.limits = &m.limits
	e.frame.budget.reset()
	e.frame.patterns = m.patterns
	e.machine.MemoryBudget = m.limits.MaxMemory
	e.vals = make([]value, len(m.slots.names))
	e.seen = make([]bool, len(m.Fields))
	e.stale = make([]bool, len(m.slots.names))
	e.emptyAbsent = -1
	return e
}

// SetEmptyAbsent has empty text (or spaces) in the time field name read as
// missing, as an empty CSV cell is, rather than as a value that is no
// time: the field that says when a lead was created, where empty text is
// no creation time. It does nothing when name is no time field.
func (e *evaluator) SetEmptyAbsent(name string) {
	e.emptyAbsent = -1
	if i, ok := e.model.fieldIndex[name]; ok && e.model.Fields[i].Type == dsl.TypeTime {
		e.emptyAbsent = i
	}
}

// blankAt reports whether v, given for field i, is empty text that
// SetEmptyAbsent says is missing.
func (e *evaluator) blankAt(i int, v any) bool {
	s, ok := v.(string)
	return ok && i == e.emptyAbsent && strings.TrimSpace(s) == ""
}

// NewEvaluator is for package scoring and scoring/stream, which drive the
// evaluator (the key closes it to other callers; see internal/friend): one
// goroutine's reusable state for evaluating m's expressions, lead after
// lead. With plain, every expression runs on expr's VM, none on the
// closures compiled for common shapes: the reference the differential
// tests compare the closures with.
func (m *Model) NewEvaluator(k friend.Key, plain bool) *evaluator {
	if err := k.Check(); err != nil {
		panic(err)
	}
	e := m.newEvaluator()
	e.plain = plain
	return e
}

// Compiled reports whether x runs as Go closures compiled from its shape
// rather than on expr's VM.
func (e *evaluator) Compiled(x *Expr) bool { return x.fast != nil }

// Spend takes n steps from the lead's budget: scoring pays with it for the
// work no expression does, such as an event met by an event rule.
func (e *evaluator) Spend(n int64) error { return e.frame.budget.spend(n) }

// fast reports whether the closures may run.
func (e *evaluator) fast() bool { return !e.plain && !e.mismatch }

// setSlot sets slot k to x, as the VM would see it.
func (e *evaluator) setSlot(k int, x any) {
	if !e.vals[k].set(e.model.slots.kinds[k], x) {
		e.mismatch = true
	}
	e.stale[k] = true
}

// sync brings the VM's map up to date for the slots a program reads.
func (e *evaluator) sync(reads []int) {
	for _, k := range reads {
		if e.stale[k] {
			e.vars[e.model.slots.names[k]] = e.vals[k].box(e.model.slots.kinds[k])
			e.stale[k] = false
		}
	}
}

// syncAll brings the VM's map up to date for every slot.
func (e *evaluator) syncAll() {
	for k, stale := range e.stale {
		if stale {
			e.vars[e.model.slots.names[k]] = e.vals[k].box(e.model.slots.kinds[k])
			e.stale[k] = false
		}
	}
}

// Model returns the model the environment evaluates.
func (e *evaluator) Model() *Model { return e.model }

// Begin starts a new lead: it sets the as-of time and the events, makes
// one pass over the events for the aggregates expressions use, and gives
// the lead a full budget of steps (see Limits). Follow it with BindMap or
// BindStruct, which set every field of the schema: the lead's value, or the
// field's default.
func (e *evaluator) Begin(asOf time.Time, events []Event) {
	e.mismatch, e.keysKnown = false, false
	e.frame.budget.reset()
	e.frame.AsOf = asOf
	e.frame.Events = events
	e.frame.countEvents(e.model)
}

func (e *evaluator) resetFields() {
	for i, f := range e.model.Fields {
		e.setSlot(i, f.Default)
		e.frame.present[i] = false
	}
}

// Counts reports whether an event at time at counts for a window (0: no
// window) as of the lead's as-of time.
func (e *evaluator) Counts(at time.Time, window time.Duration) bool {
	return e.frame.Counts(at, window)
}

// Set sets a variable that expressions read: a define's value, a category
// score, "total" or "grade".
func (e *evaluator) Set(name string, v any) {
	if k, ok := e.model.slots.index[name]; ok {
		e.setSlot(k, v)
		return
	}
	e.vars[name] = v
}

// setFloat sets a slot of kind float.
func (e *evaluator) setFloat(k int, v float64) {
	e.vals[k].f, e.vals[k].boxed, e.stale[k] = v, nil, true
}

// SetCategory sets the score of category i (by Index) that the total,
// grades and stages read.
func (e *evaluator) SetCategory(i int, score float64) { e.setFloat(e.model.categorySlots[i], score) }

// SetTotal sets the total that grades and stages read.
func (e *evaluator) SetTotal(total float64) { e.setFloat(e.model.totalSlot, total) }

// Get returns a variable's current value.
func (e *evaluator) Get(name string) any {
	if k, ok := e.model.slots.index[name]; ok {
		return e.vals[k].box(e.model.slots.kinds[k])
	}
	return e.vars[name]
}

// GetString is Get(name).(string) without boxing the value: what an
// account's matching reads of a lead (its account id, its email) costs
// no allocation.
func (e *evaluator) GetString(name string) (string, bool) {
	if k, ok := e.model.slots.index[name]; ok && e.model.slots.kinds[k] == kindString {
		// A text slot holds its text in s, "" when it was set to a value
		// of another kind (which Get returns boxed: not a string).
		v := &e.vals[k]
		if v.boxed != nil {
			s, ok := v.boxed.(string)
			return s, ok
		}
		return v.s, true
	}
	s, ok := e.Get(name).(string)
	return s, ok
}

// Present reports whether the current lead carried field i of the schema.
func (e *evaluator) Present(i int) bool { return e.frame.present[i] }

// FieldProblem is one field of a lead that could not be read.
type FieldProblem struct {
	Field   string
	Message string
}

// LeadError lists what is wrong with a lead's data: fields of the wrong type,
// required fields that are missing, events that cannot be read.
type LeadError struct {
	Problems []FieldProblem
}

// Error lists the problems, field by field.
func (e *LeadError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return strings.Join(parts, "; ")
}

func (e *LeadError) add(field, format string, args ...any) {
	e.Problems = append(e.Problems, FieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// requiredMissing is the message of a required field a lead lacks.
const requiredMissing = "required but missing"

// MissingRequired lists the required fields the lead lacks, in schema
// order, and whether they are all that is wrong with it: a lead given in
// parts (a stream's field updates) can wait for them, where a value of
// the wrong type is wrong whatever comes later.
func (e *LeadError) MissingRequired() (fields []string, only bool) {
	for _, p := range e.Problems {
		if p.Message == requiredMissing {
			fields = append(fields, p.Field)
		}
	}
	return fields, len(fields) > 0 && len(fields) == len(e.Problems)
}

// err returns the problems as an error, or nil when there are none.
func (e *LeadError) err() error {
	if len(e.Problems) == 0 {
		return nil
	}
	out := *e
	return &out
}

// coerceInto converts v for a field of type t into dst without boxing it,
// for the common cases, and reports whether it did; for the others, and
// for every value Coerce refuses, it leaves dst alone and the caller calls
// Coerce. A list is copied into a buffer the slot owns and reuses.
func (e *evaluator) coerceInto(t dsl.FieldType, v any, dst *value) bool {
	switch t {
	case dsl.TypeString:
		if x, ok := v.(string); ok {
			dst.s, dst.boxed = x, v
			return true
		}
	case dsl.TypeInt:
		if x, ok := v.(float64); ok {
			if i, ok := intOf(x); ok {
				dst.i, dst.boxed = i, nil
				return true
			}
		}
	case dsl.TypeFloat:
		if x, ok := v.(float64); ok && finite(x) {
			dst.f, dst.boxed = x, v
			return true
		}
	case dsl.TypeBool:
		if x, ok := v.(bool); ok {
			dst.b, dst.boxed = x, v
			return true
		}
	case dsl.TypeTime:
		if x, ok := v.(string); ok {
			if tm, err := dsl.ParseTime(x); err == nil {
				dst.t, dst.boxed = tm, nil
				return true
			}
		}
	case dsl.TypeList:
		if x, ok := v.([]any); ok {
			own := dst.own[:0]
			for _, item := range x {
				s, ok := item.(string)
				if !ok {
					return false
				}
				own = append(own, s)
			}
			if own == nil {
				own = []string{}
			}
			dst.own = own
			dst.l, dst.boxed = own, nil
			return true
		}
	}
	return false
}

// setField converts v for field i of the schema and sets it, or records why
// not and sets the default.
func (e *evaluator) setField(i int, v any, problems *LeadError) {
	f := e.model.Fields[i]
	if e.coerceInto(f.Type, v, &e.vals[i]) {
		e.stale[i] = true
		e.frame.present[i] = true
		return
	}
	cv, err := Coerce(f.Type, v)
	if err != nil {
		problems.add(f.Name, "%v", err)
		e.setSlot(i, f.Default)
		e.frame.present[i] = false
		return
	}
	e.setSlot(i, cv)
	e.frame.present[i] = true
}

// BindMap sets the lead's fields from a map, such as decoded JSON. A nested
// field (company.size) is read from nested maps ({"company": {"size": 250}}),
// from a flat key "company.size", or from a mix of the two; two spellings of
// one path are an error naming both (see lookup). Keys the schema does not
// declare are not read here (Model.Unknowns lists them); nil, and the zero
// time, count as missing. Missing fields read as their default; a missing required
// field, or a value of the wrong type, is an error naming the field.
func (e *evaluator) BindMap(lead map[string]any) error {
	var problems LeadError
	hits := 0
	for i, f := range e.model.Fields {
		v, ok, err := lookup(lead, f)
		if ok && f.path == nil {
			hits++
		}
		if err != nil {
			problems.add(f.Name, "%v", err)
		}
		if !ok || isMissing(v) || e.blankAt(i, v) {
			if f.Required && err == nil {
				problems.add(f.Name, requiredMissing)
			}
			e.setSlot(i, f.Default)
			e.frame.present[i] = false
			continue
		}
		e.setField(i, v, &problems)
	}
	// Every key of the lead is a field when as many fields were found
	// under their own key as the lead has keys (no key names a group).
	e.keysKnown = hits == len(lead) && !e.model.nested
	e.bindMismatch = e.mismatch
	return problems.err()
}

// SetEvent makes ev the event that event.* names in expressions read. Only
// the event fields some expression reads are converted and bound.
func (e *evaluator) SetEvent(ev *Event) error {
	m := e.model
	if m.readsEventType {
		k := m.eventTypeSlot
		e.vals[k].s, e.vals[k].boxed, e.stale[k] = ev.Type, nil, true
	}
	if m.readsEventAt {
		k := m.eventAtSlot
		e.vals[k].t, e.vals[k].boxed, e.stale[k] = ev.At, nil, true
	}
	var problems LeadError
	for _, i := range m.eventFieldsRead {
		f := m.EventFields[i]
		v, ok, err := lookup(ev.Fields, f)
		if !ok || isMissing(v) {
			if err != nil {
				problems.add(fmt.Sprintf("event %s at %s: %s", ev.Type, ev.At.Format(time.RFC3339), f.Name), "%v", err)
			}
			e.setSlot(m.eventSlots[i], f.Default)
			continue
		}
		cv, err := Coerce(f.Type, v)
		if err != nil {
			problems.add(fmt.Sprintf("event %s at %s: %s", ev.Type, ev.At.Format(time.RFC3339), f.Name), "%v", err)
			e.setSlot(m.eventSlots[i], f.Default)
			continue
		}
		e.setSlot(m.eventSlots[i], cv)
	}
	return problems.err()
}

// EvalDefines evaluates the model's defines in dependency order and sets
// their values, so rules that name them read them without recomputing.
func (e *evaluator) EvalDefines() error {
	for _, d := range e.model.Defines {
		if err := e.evalDefine(d); err != nil {
			return err
		}
	}
	return nil
}

// evalDefine evaluates a define into its slot.
func (e *evaluator) evalDefine(d *Define) error {
	k := d.slot
	if f := d.Expr.fast; f != nil && e.fast() {
		saved := e.frame.budget
		v := &e.vals[k]
		switch f.k {
		case kindBool:
			v.b = f.b(e)
		case kindInt:
			v.i = f.i(e)
		case kindFloat:
			v.f = f.f(e)
		case kindString:
			v.s = f.s(e)
		case kindList:
			v.l = f.l(e)
		case kindTime:
			v.t = f.t(e)
		}
		if !e.bail {
			v.boxed, e.stale[k] = nil, true
			return nil
		}
		e.bail = false
		e.frame.budget = saved
	}
	out, err := e.run(d.Expr)
	if err != nil {
		return err
	}
	e.setSlot(k, out)
	return nil
}

// EvalError is a failure while running an expression for a lead (a regular
// expression that does not compile, the memory limit reached, ...).
type EvalError struct {
	Expr *Expr
	Pos  dsl.Pos
	Err  error
}

// Error says where the expression is, what it is and what went wrong.
// maxErrorText bounds the part of an evaluation error that comes from the
// evaluation: date("…") quotes a text of megabytes it cannot parse.
const maxErrorText = 512

func (e *EvalError) Error() string {
	msg := e.Err.Error()
	var fe *file.Error
	if errors.As(e.Err, &fe) {
		msg = fe.Message
	}
	if len(msg) > maxErrorText { // expr quotes what it could not parse, whole
		cut := maxErrorText
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = fmt.Sprintf("%s… (%d bytes in all)", msg[:cut], len(msg))
	}
	if e.Expr.Name != "" {
		return fmt.Sprintf("%s: %s: evaluating %q: %s", e.Pos, e.Expr.Name, e.Expr.Source, msg)
	}
	return fmt.Sprintf("%s: evaluating %q: %s", e.Pos, e.Expr.Source, msg)
}

// Unwrap returns the error expr reported.
func (e *EvalError) Unwrap() error { return e.Err }

// Eval runs a compiled expression against the current lead.
func (e *evaluator) Eval(x *Expr) (any, error) {
	if f := x.fast; f != nil && e.fast() {
		saved := e.frame.budget
		var out any
		switch f.k {
		case kindBool:
			out = f.b(e)
		case kindInt:
			out = f.i(e)
		case kindFloat:
			out = f.f(e)
		case kindString:
			out = f.s(e)
		case kindList:
			out = f.l(e)
		case kindTime:
			out = f.t(e)
		}
		if !e.bail {
			return out, nil
		}
		e.bail = false
		e.frame.budget = saved
	}
	return e.run(x)
}

// run runs an expression's program on the VM.
func (e *evaluator) run(x *Expr) (any, error) {
	e.sync(x.reads)
	out, err := e.machine.Run(x.program, e.vars)
	if err != nil {
		pos := x.Pos
		var fe *file.Error
		if errors.As(err, &fe) {
			pos = x.PosAt(fe.From)
			if fe.Message == memoryExceeded {
				err = &LimitError{Limit: "memory", Max: int64(e.model.limits.MaxMemory)}
			}
		}
		return nil, &EvalError{Expr: x, Pos: pos, Err: err}
	}
	return out, nil
}

// Bool runs a condition. A nil expression is true.
func (e *evaluator) Bool(x *Expr) (bool, error) {
	if x == nil {
		return true, nil
	}
	if x.runSize > 0 {
		if err := e.frame.budget.spend(x.runSize + e.runCost(x.perRun)); err != nil {
			return false, &EvalError{Expr: x, Pos: x.Pos, Err: err}
		}
	}
	if f := x.fast; f != nil && f.k == kindBool && e.fast() {
		saved := e.frame.budget
		if b := f.b(e); !e.bail {
			return b, nil
		}
		e.bail = false
		e.frame.budget = saved
	}
	out, err := e.run(x)
	if err != nil {
		return false, err
	}
	b, _ := out.(bool) // the compiler checked the type
	return b, nil
}

// Float runs a numeric expression.
func (e *evaluator) Float(x *Expr) (float64, error) {
	if f := x.fast; f != nil && (f.k == kindFloat || f.k == kindInt) && e.fast() {
		saved := e.frame.budget
		var v float64
		if f.k == kindFloat {
			v = f.f(e)
		} else {
			v = float64(f.i(e))
		}
		if !e.bail {
			return v, nil
		}
		e.bail = false
		e.frame.budget = saved
	}
	out, err := e.run(x)
	if err != nil {
		return 0, err
	}
	switch v := out.(type) {
	case float64:
		return v, nil
	case int:
		return float64(v), nil
	}
	return 0, &EvalError{Expr: x, Pos: x.Pos, Err: fmt.Errorf("want a number, got %T", out)}
}

// EvalLead runs the lead phase: it evaluates the defines (setting their
// values), and sets gates[i] for each gate and rules[i] for each rule that
// reads only the lead (event gates and event rules are left alone), by
// their Index. It runs the fused program, or the separate ones when there
// is none or the fused one fails, so that a failure is reported with the
// position of the expression that failed.
func (e *evaluator) EvalLead(gates, rules []bool) error {
	f := &e.model.fused
	if e.model.leadFast && e.fast() {
		return e.evalLeadSeparately(gates, rules)
	}
	saved := e.frame.budget
	if f.lead != nil {
		e.syncAll()
		out, err := e.machine.Run(f.lead.program, e.vars)
		if vals, ok := out.([]any); err == nil && ok {
			i := 0
			for _, d := range e.model.Defines {
				e.setSlot(d.slot, vals[i])
				i++
			}
			for _, g := range f.leadGates {
				gates[g.Index], _ = vals[i].(bool)
				i++
			}
			for _, r := range f.leadRules {
				rules[r.Index], _ = vals[i].(bool)
				i++
			}
			return nil
		}
		if err := e.stopped(); err != nil {
			return err
		}
		e.frame.budget = saved // the separate programs redo the work, to name the one at fault
	}
	return e.evalLeadSeparately(gates, rules)
}

// evalLeadSeparately is the lead phase, expression by expression.
func (e *evaluator) evalLeadSeparately(gates, rules []bool) error {
	if err := e.EvalDefines(); err != nil {
		return err
	}
	for _, g := range e.model.Gates {
		if !g.IsEvent() {
			ok, err := e.Bool(g.When)
			if err != nil {
				return err
			}
			gates[g.Index] = ok
		}
	}
	for _, r := range e.model.Rules {
		if !r.IsEvent() {
			ok, err := e.Bool(r.When)
			if err != nil {
				return err
			}
			rules[r.Index] = ok
		}
	}
	return nil
}

// EvalLadder runs the ladder phase, once the categories and "total" are
// set: it returns the grade (the first that holds, "" for none) and sets
// stages[i] for each stage whose condition holds.
func (e *evaluator) EvalLadder(stages []bool) (string, error) {
	saved := e.frame.budget
	if f := e.model.fused.ladder; f != nil && !(e.model.ladderFast && e.fast()) {
		e.syncAll()
		out, err := e.machine.Run(f.program, e.vars)
		if vals, ok := out.([]any); err == nil && ok {
			grade, _ := vals[0].(string)
			for i := range e.model.Stages {
				stages[i], _ = vals[i+1].(bool)
			}
			e.setSlot(e.model.gradeSlot, vals[0]) // already boxed
			return grade, nil
		}
		if err := e.stopped(); err != nil {
			return "", err
		}
		e.frame.budget = saved
	}
	grade := ""
	for _, g := range e.model.Grades {
		ok, err := e.Bool(g.When)
		if err != nil {
			return "", err
		}
		if ok {
			grade = g.Name
			break
		}
	}
	k := e.model.gradeSlot
	e.vals[k].s, e.vals[k].boxed, e.stale[k] = grade, nil, true
	for i, s := range e.model.Stages {
		ok, err := e.Bool(s.When)
		if err != nil {
			return "", err
		}
		stages[i] = ok
	}
	return grade, nil
}

// SetContext makes ctx stop the evaluations that follow (until the next
// SetContext): within ctxEvery steps of the budget (see Limits) of its
// cancellation, an expression fails with an error for which
// errors.Is(err, context.Canceled) (or context.DeadlineExceeded) holds. A
// nil context, or one that is never done, stops nothing and costs nothing.
func (e *evaluator) SetContext(ctx context.Context) {
	if ctx != nil && ctx.Done() == nil {
		ctx = nil
	}
	e.frame.budget.ctx = ctx
	e.frame.budget.check = e.frame.budget.left - ctxEvery
}

// stopped returns the error of a cancelled context set with SetContext,
// or nil.
func (e *evaluator) stopped() error {
	if ctx := e.frame.budget.ctx; ctx != nil && ctx.Err() != nil {
		return friend.Stopped(ctx)
	}
	return nil
}

// Stopped returns the error for an evaluation its context stopped, or nil
// when the context (as SetContext set it) is not done: callers check it
// between phases.
func (e *evaluator) Stopped() error { return e.stopped() }
