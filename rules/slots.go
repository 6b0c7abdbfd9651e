package rules

import (
	"reflect"
	"time"

	"github.com/leadscore/leadscore/dsl"
)

// Every name an expression reads (a field, an event field, a define, a
// category, the total, the grade) has a slot: an index into the
// evaluator's values, fixed when the model is compiled. The closures of
// fast.go read slots by index; expr's VM reads the evaluator's map, which
// is brought up to date from the slots only for the names a VM program
// reads, and only when it runs.

// kind is the Go type of a slot's value, as expressions see it.
type kind uint8

const (
	kindOther  kind = iota // anything else: only the boxed value is kept
	kindBool               // bool
	kindInt                // int
	kindFloat              // float64
	kindString             // string
	kindTime               // time.Time
	kindList               // []string
)

var (
	timeGoType = reflect.TypeOf(time.Time{})
	listType   = reflect.TypeOf([]string{})
)

// kindOf returns the kind of values of type t.
func kindOf(t reflect.Type) kind {
	if t == nil {
		return kindOther
	}
	switch t {
	case timeGoType:
		return kindTime
	case listType:
		return kindList
	}
	switch t.Kind() {
	case reflect.Bool:
		if t == reflect.TypeOf(false) {
			return kindBool
		}
	case reflect.Int:
		if t == reflect.TypeOf(0) {
			return kindInt
		}
	case reflect.Float64:
		if t == reflect.TypeOf(0.0) {
			return kindFloat
		}
	case reflect.String:
		if t == reflect.TypeOf("") {
			return kindString
		}
	}
	return kindOther
}

// slotTable names the model's slots. Fields come first, so that field i of
// the schema is slot i.
type slotTable struct {
	names []string
	kinds []kind
	index map[string]int
}

func (t *slotTable) add(name string, k kind) int {
	if i, ok := t.index[name]; ok {
		t.kinds[i] = k
		return i
	}
	if t.index == nil {
		t.index = map[string]int{}
	}
	t.index[name] = len(t.names)
	t.names = append(t.names, name)
	t.kinds = append(t.kinds, k)
	return len(t.names) - 1
}

// value is one slot's value: the typed field of its kind, and the value
// boxed as the VM sees it (nil until someone needs it).
type value struct {
	b     bool
	i     int
	f     float64
	s     string
	t     time.Time
	l     []string
	boxed any
	// own is a list buffer the slot reuses from lead to lead.
	own []string
}

// set stores x, of the slot's kind k. It reports false when x is not of
// that kind (a default of another type, say), which the caller takes as
// a reason to leave the fast path for the rest of the lead.
func (v *value) set(k kind, x any) bool {
	v.boxed = x
	ok := true
	switch k {
	case kindBool:
		v.b, ok = x.(bool)
	case kindInt:
		v.i, ok = x.(int)
	case kindFloat:
		v.f, ok = x.(float64)
	case kindString:
		v.s, ok = x.(string)
	case kindTime:
		v.t, ok = x.(time.Time)
	case kindList:
		v.l, ok = x.([]string)
	}
	return ok
}

// box returns the value as the VM sees it.
func (v *value) box(k kind) any {
	if v.boxed == nil {
		switch k {
		case kindBool:
			v.boxed = v.b
		case kindInt:
			v.boxed = v.i
		case kindFloat:
			v.boxed = v.f
		case kindString:
			v.boxed = v.s
		case kindTime:
			v.boxed = v.t
		case kindList:
			v.boxed = v.l
		}
	}
	return v.boxed
}

// slots gives a slot to every name expressions read but the defines,
// which get theirs as they are compiled. Fields come first: field i is
// slot i.
func (c *compiler) slots() {
	m := c.m
	for _, f := range m.Fields {
		m.slots.add(f.Name, fieldKind(f.Type))
	}
	m.eventTypeSlot = m.slots.add("event.type", kindString)
	m.eventAtSlot = m.slots.add("event.at", kindTime)
	for _, f := range m.EventFields {
		m.eventSlots = append(m.eventSlots, m.slots.add("event."+f.Name, fieldKind(f.Type)))
	}
	for _, cat := range m.Categories {
		m.categorySlots = append(m.categorySlots, m.slots.add(cat.Name, kindFloat))
	}
	m.totalSlot = m.slots.add("total", kindFloat)
	m.gradeSlot = m.slots.add("grade", kindString)
	// A default of another type than its field's (which the schema's
	// checks should make impossible) would make the closures read the
	// wrong value: such a model runs on the VM alone.
	for _, f := range append(append([]*Field{}, m.Fields...), m.EventFields...) {
		var v value
		if !v.set(fieldKind(f.Type), f.Default) {
			c.noFast = true
		}
	}
}

// attachFast gives an expression its closures, when its shape allows, and
// the list of slots its program reads.
func (c *compiler) attachFast(x *Expr, want string) {
	node := x.program.Node()
	seen := map[int]bool{}
	for _, k := range c.m.slotReads(node) {
		if !seen[k] {
			seen[k] = true
			x.reads = append(x.reads, k)
		}
	}
	if c.noFast {
		return
	}
	f := c.m.compileFast(node)
	switch {
	case f == nil:
	case want == "bool" && f.k != kindBool:
	case want == "number" && f.k != kindFloat && f.k != kindInt:
	default:
		x.fast = f
	}
}

// fastPhases notes which phases of scoring run expression by expression,
// on closures where an expression has them, rather than as one fused VM
// program: those where at least half the expressions have closures.
func (c *compiler) fastPhases() {
	m := c.m
	fast, all := 0, 0
	count := func(x *Expr) {
		all++
		if x == nil || x.fast != nil {
			fast++
		}
	}
	for _, d := range m.Defines {
		count(d.Expr)
	}
	for _, r := range append(append([]*Rule{}, m.Gates...), m.Rules...) {
		if !r.IsEvent() {
			count(r.When)
		}
	}
	m.leadFast = !c.noFast && 2*fast >= all
	fast, all = 0, 0
	for _, g := range m.Grades {
		count(g.When)
	}
	for _, s := range m.Stages {
		count(s.When)
	}
	m.ladderFast = !c.noFast && 2*fast >= all
}

// fieldKind is the kind of a field of the schema.
func fieldKind(t dsl.FieldType) kind {
	switch t {
	case dsl.TypeString:
		return kindString
	case dsl.TypeInt:
		return kindInt
	case dsl.TypeFloat:
		return kindFloat
	case dsl.TypeBool:
		return kindBool
	case dsl.TypeTime:
		return kindTime
	case dsl.TypeList:
		return kindList
	}
	return kindOther
}
