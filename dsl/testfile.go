package dsl

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestFile is a file of test cases for a model: executable examples of what
// the definition means ("a VP at a SaaS company who asked for a demo is
// sales-ready"), which `leadscore test` and scoringtest.Run check.
//
//	model: b2b-saas.yaml          # relative to this file
//	as_of: 2026-10-01             # the default as-of time of the cases
//	fixtures:                     # named leads that cases extend
//	  vp:
//	    lead: {email: maria@acme.io, title: VP Engineering, industry: software}
//	    events: [{type: webinar_attended, ago: 10d, minutes: 45}]
//	cases:
//	  - name: A VP who asked for a demo is sales-ready
//	    extends: vp
//	    events: [{type: demo_request, ago: 2d}]
//	    expect: {stage: sql, sales_ready: true, fired: [engagement.demo-request]}
type TestFile struct {
	File     string
	Model    String
	AsOf     *TimeValue
	Fixtures []*Fixture
	Cases    []*TestCase
	sources  sources
}

// TimeValue is a time with its position.
type TimeValue struct {
	Value time.Time
	Pos   Pos
}

// Fixture is a named lead that cases extend.
type Fixture struct {
	Name   String
	Lead   []FieldValue
	Events []*TestEvent
}

// FieldValue is a field of a lead or an event as a test file gives it: the
// YAML value decoded to string, int, float64, bool, []any or nil (a null
// removes a field a fixture set).
type FieldValue struct {
	Name  String
	Value any
	Pos   Pos // of the value
}

// TestEvent is an event of a test lead, at a time or an age before the as-of time.
type TestEvent struct {
	Pos    Pos
	Type   String
	At     *TimeValue
	Ago    *Duration
	Fields []FieldValue
}

// TestCase is one example.
type TestCase struct {
	Pos     Pos
	Name    String
	Extends String
	AsOf    *TimeValue
	Lead    []FieldValue
	Events  []*TestEvent
	Expect  Expect
	// Pending, when set, is why the case is not run yet.
	Pending String
	// Dispositions are sales' verdicts on the lead (see TestDisposition).
	Dispositions []*TestDisposition

	// An account case (IsAccount) scores an account of the model's
	// accounts section: Account holds its fields, People its people,
	// given to it directly (no matching).
	IsAccount bool
	Account   []FieldValue
	People    []*TestPerson
}

// TestPerson is one of an account case's people: a lead, built as a
// case's lead is (a fixture it extends, its own fields and events).
type TestPerson struct {
	Pos     Pos
	ID      String
	Extends String
	Lead    []FieldValue
	Events  []*TestEvent
}

// Expect is what a case expects of the result; nil or empty means "not checked".
type Expect struct {
	Pos          Pos
	Stage        *String // "none" for no stage
	SalesReady   *BoolValue
	Grade        *String
	Total        *Range
	Scores       []ScoreExpect
	Fired        []String
	NotFired     []String
	Disqualified *BoolValue
	Gates        []String
	GatesSet     bool // gates: [] expects no gate to fire
	// Held expects a recycle's hold-down to keep the lead from the
	// sales-ready stage (or not); Reset, the number of events a recycle
	// took out.
	Held  *BoolValue
	Reset *Range
	// MissingRoles, for an account case, are the buying-group roles no
	// person holds (missing_roles: [] expects every role held).
	MissingRoles    []String
	MissingRolesSet bool
}

// BoolValue is a boolean with its position.
type BoolValue struct {
	Value bool
	Pos   Pos
}

// ScoreExpect is an expected category score.
type ScoreExpect struct {
	Category String
	Range    Range
}

// Range is an expected number: exact, or between Min and Max (inclusive).
type Range struct {
	Min, Max *float64
	Pos      Pos
}

// Holds reports whether v is in the range (exact values allow 1e-9 of rounding).
func (r Range) Holds(v float64) bool {
	const eps = 1e-9
	return (r.Min == nil || v >= *r.Min-eps) && (r.Max == nil || v <= *r.Max+eps)
}

// String says the range in words: "80", "at least 50", "between 10 and 20".
func (r Range) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	switch {
	case r.Min != nil && r.Max != nil && *r.Min == *r.Max:
		return f(*r.Min)
	case r.Min != nil && r.Max != nil:
		return "between " + f(*r.Min) + " and " + f(*r.Max)
	case r.Min != nil:
		return "at least " + f(*r.Min)
	case r.Max != nil:
		return "at most " + f(*r.Max)
	}
	return "any number"
}

// Diag returns an error diagnostic in the test file, with its snippet.
func (t *TestFile) Diag(pos Pos, msg string) *Diagnostic { return t.sources.diag(Error, pos, msg) }

// LoadTestFile reads and decodes a test file, of at most MaxFileSize bytes. Its model is named, not
// loaded: the runner compiles it and checks the cases against it.
func LoadTestFile(path string) (*TestFile, error) {
	src, err := ReadFile(path)
	if err != nil {
		return nil, Diagnostics{{Pos: Pos{File: path}, Message: fmt.Sprintf("cannot read the test file: %v", err)}}
	}
	return ParseTestFile(path, src)
}

// ParseTestFile decodes a test file held in memory.
func ParseTestFile(filename string, src []byte) (*TestFile, error) {
	t := &TestFile{File: filename, sources: sources{}}
	t.sources[filename] = splitLines(src)
	doc := &Document{sources: t.sources}
	var diags Diagnostics
	d := &decoder{file: filename, lines: t.sources[filename], doc: doc, diags: &diags}
	root, _, diag, err := decodeYAML(filename, src, t.sources[filename])
	if err == io.EOF {
		return t, Diagnostics{{Pos: Pos{File: filename}, Message: "the test file is empty; it starts with model: (the rule file it tests)"}}
	}
	if diag != nil {
		return t, Diagnostics{diag}
	}
	if len(root.Content) == 0 {
		return t, nil
	}
	d.untag(root)
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		// Not a test file at all (a text, a list): say so without showing it.
		return t, Diagnostics{{Pos: Pos{File: filename}, Message: "this is not a test file: a test file is a YAML mapping of keys to values, starting with model: (the rule file it tests)"}}
	}
	d.mapping(top, "the test file", []string{"model", "as_of", "fixtures", "cases"}, func(key string, k, v *yaml.Node) {
		switch key {
		case "model":
			t.Model = d.text(v, "model")
		case "as_of":
			t.AsOf = d.timeValue(v, "as_of")
		case "fixtures":
			d.mapping(v, "fixtures", nil, func(name string, k, v *yaml.Node) {
				f := &Fixture{Name: String{name, d.pos(k)}}
				d.mapping(v, "fixture "+name, []string{"lead", "events"}, func(key string, k, v *yaml.Node) {
					if key == "lead" {
						f.Lead = d.fieldValues(v, "lead")
					} else {
						f.Events = d.testEvents(v)
					}
				})
				t.Fixtures = append(t.Fixtures, f)
			})
		case "cases":
			d.seq(v, "cases", func(item *yaml.Node) {
				if c := d.testCase(item); c != nil {
					t.Cases = append(t.Cases, c)
				}
			})
		}
	})
	if top.Kind == yaml.MappingNode && t.Model.Value == "" {
		diags = append(diags, t.Diag(Pos{File: filename, Line: 1, Col: 1}, "the test file does not name its model; add model: followed by the rule file's path, relative to this file"))
	}
	if len(t.Cases) == 0 && top.Kind == yaml.MappingNode {
		diags = append(diags, t.Diag(Pos{File: filename, Line: 1, Col: 1}, "the test file has no cases; add cases: with at least one"))
	}
	seen := map[string]Pos{}
	for _, c := range t.Cases {
		if prev, ok := seen[c.Name.Value]; ok {
			diags = append(diags, t.Diag(c.Name.Pos, fmt.Sprintf("case %q appears twice (first at %s); give each case its own name", c.Name.Value, prev)))
		}
		seen[c.Name.Value] = c.Name.Pos
	}
	diags.Sort()
	return t, diags.Err()
}

func (d *decoder) timeValue(n *yaml.Node, what string) *TimeValue {
	if !d.isScalar(n, what) {
		return nil
	}
	v, err := ParseTime(n.Value)
	if err != nil {
		d.errorf(n, "%s: %v", what, err)
		return nil
	}
	return &TimeValue{Value: v, Pos: d.pos(n)}
}

// fieldValues reads a mapping of field names to values, keeping positions.
func (d *decoder) fieldValues(n *yaml.Node, what string) []FieldValue {
	return d.nestedValues(nil, n, what, "")
}

// nestedValues reads a mapping of field values; a nested mapping gives
// nested fields their dotted names ({company: {size: 250}} is company.size).
func (d *decoder) nestedValues(out []FieldValue, n *yaml.Node, what, prefix string) []FieldValue {
	d.mapping(n, what, nil, func(name string, k, v *yaml.Node) {
		name = prefix + name
		if v.Kind == yaml.MappingNode {
			out = d.nestedValues(out, v, what+" field "+name, name+".")
			return
		}
		val, ok := d.plainValue(v, what+" field "+name)
		if ok {
			out = append(out, FieldValue{Name: String{name, d.pos(k)}, Value: val, Pos: d.pos(v)})
		}
	})
	return out
}

// plainValue decodes a YAML value to string, int, float64, bool, []any or nil.
func (d *decoder) plainValue(n *yaml.Node, what string) (any, bool) {
	switch n.Kind {
	case yaml.SequenceNode:
		var items []any
		for _, item := range n.Content {
			v, ok := d.plainValue(item, what)
			if !ok {
				return nil, false
			}
			items = append(items, v)
		}
		if items == nil {
			items = []any{}
		}
		return items, true
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, true
		case "!!bool":
			return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
		case "!!int", "!!float":
			if !decimalRE.MatchString(n.Value) {
				d.errorf(n, "%s %s is not written in plain decimal; write it as 10, -3 or 2.5 (quote it only if the field is text): YAML readers disagree on numbers written otherwise (010 is 8 to some and 10 to others, 0x10 is 16)", what, n.Value)
				return nil, false
			}
			if n.Tag == "!!int" {
				if i, err := strconv.ParseInt(strings.TrimPrefix(n.Value, "+"), 10, 64); err == nil {
					return int(i), true
				}
			}
			if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
				return f, true
			}
		}
		return n.Value, true // text, and dates, which fields of type time read
	}
	d.errorf(n, "%s must be a value or a list, not %s", what, kindName(n))
	return nil, false
}

func (d *decoder) testEvents(n *yaml.Node) []*TestEvent {
	var out []*TestEvent
	d.seq(n, "events", func(item *yaml.Node) {
		e := &TestEvent{Pos: d.pos(item)}
		timeKeys := 0 // at: and ago: given, valid or not
		d.mapping(item, "an event", nil, func(key string, k, v *yaml.Node) {
			switch key {
			case "type":
				e.Type = d.id(v, "event type")
			case "at":
				e.At, timeKeys = d.timeValue(v, "at"), timeKeys+1
			case "ago":
				e.Ago, timeKeys = d.duration(v, "ago"), timeKeys+1
			default:
				if v.Kind == yaml.MappingNode {
					e.Fields = d.nestedValues(e.Fields, v, "event field "+key, key+".")
				} else if val, ok := d.plainValue(v, "event field "+key); ok {
					e.Fields = append(e.Fields, FieldValue{Name: String{key, d.pos(k)}, Value: val, Pos: d.pos(v)})
				}
			}
		})
		if item.Kind != yaml.MappingNode {
			return
		}
		if e.Type.Value == "" {
			d.errorf(item, "this event has no type; add type: such as demo_request")
		}
		switch timeKeys {
		case 0:
			d.errorf(item, "this event has no time; add ago: (such as 2d, before the as-of time) or at: (a date)")
		case 2:
			d.errorf(item, "this event has both at: and ago:; keep one")
		}
		out = append(out, e)
	})
	return out
}

var caseKeys = []string{"name", "extends", "as_of", "lead", "events", "dispositions", "expect", "pending", "account", "people"}
var expectKeys = []string{"stage", "sales_ready", "grade", "total", "scores", "fired", "not_fired", "disqualified", "gates", "held", "reset", "missing_roles"}
var personKeys = []string{"id", "extends", "lead", "events"}

func (d *decoder) testCase(n *yaml.Node) *TestCase {
	c := &TestCase{Pos: d.pos(n)}
	var leadKeys []*yaml.Node // lead, events, extends, dispositions: a lead case's
	ok := d.mapping(n, "a case", caseKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "lead", "events", "extends", "dispositions":
			leadKeys = append(leadKeys, k)
		}
		switch key {
		case "account":
			c.IsAccount = true
			if v.Tag != "!!null" {
				c.Account = d.fieldValues(v, "account")
			}
		case "people":
			c.IsAccount = true
			d.seq(v, "people", func(item *yaml.Node) {
				p := &TestPerson{Pos: d.pos(item)}
				d.mapping(item, "a person", personKeys, func(key string, k, v *yaml.Node) {
					switch key {
					case "id":
						p.ID = d.text(v, "id")
					case "extends":
						p.Extends = d.text(v, "extends")
					case "lead":
						p.Lead = d.fieldValues(v, "lead")
					case "events":
						p.Events = d.testEvents(v)
					}
				})
				c.People = append(c.People, p)
			})
		case "name":
			c.Name = d.text(v, "name")
		case "extends":
			c.Extends = d.text(v, "extends")
		case "as_of":
			c.AsOf = d.timeValue(v, "as_of")
		case "lead":
			c.Lead = d.fieldValues(v, "lead")
		case "events":
			c.Events = d.testEvents(v)
		case "dispositions":
			c.Dispositions = d.testDispositions(v)
		case "expect":
			c.Expect = d.expect(v)
		case "pending":
			c.Pending = d.text(v, "pending")
			if c.Pending.Value == "" {
				c.Pending.Value = "pending"
			}
		}
	})
	if !ok {
		return nil
	}
	if c.Name.Value == "" {
		d.errorf(n, "this case has no name; add name: saying what it shows, such as \"a student is never sales-ready\"")
		c.Name = String{Value: fmt.Sprintf("case at line %d", n.Line), Pos: c.Pos}
	}
	if c.Expect.Pos.Line == 0 && c.Pending.Value == "" {
		d.errorf(n, "case %q expects nothing; add expect: with what the result must be", c.Name.Value)
	}
	if c.IsAccount {
		for _, k := range leadKeys {
			d.errorf(k, "case %q scores an account, so it takes no %s; give each person its extends, lead and events under people:", c.Name.Value, k.Value)
		}
	} else if c.Expect.MissingRolesSet {
		d.errorAt(c.Expect.Pos, "case %q expects missing_roles, which only an account's result has; add account: and people: to make it an account case", c.Name.Value)
	}
	return c
}

func (d *decoder) expect(n *yaml.Node) Expect {
	e := Expect{Pos: d.pos(n)}
	ids := func(v *yaml.Node, what string) []String {
		var out []String
		if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			return []String{d.id(v, what)}
		}
		d.seq(v, what, func(item *yaml.Node) { out = append(out, d.id(item, what)) })
		return out
	}
	boolean := func(v *yaml.Node, what string) *BoolValue {
		b := d.boolean(v, what)
		return &BoolValue{Value: b, Pos: d.pos(v)}
	}
	d.mapping(n, "expect", expectKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "stage":
			s := d.text(v, "stage")
			e.Stage = &s
		case "sales_ready":
			e.SalesReady = boolean(v, "sales_ready")
		case "grade":
			s := d.text(v, "grade")
			e.Grade = &s
		case "total":
			e.Total = d.rangeValue(v, "total")
		case "scores":
			d.mapping(v, "scores", nil, func(name string, k, v *yaml.Node) {
				if r := d.rangeValue(v, "score "+name); r != nil {
					e.Scores = append(e.Scores, ScoreExpect{Category: String{name, d.pos(k)}, Range: *r})
				}
			})
		case "fired":
			e.Fired = ids(v, "rule id")
		case "not_fired":
			e.NotFired = ids(v, "rule id")
		case "disqualified":
			e.Disqualified = boolean(v, "disqualified")
		case "gates":
			e.Gates, e.GatesSet = ids(v, "gate id"), true
		case "held":
			e.Held = boolean(v, "held")
		case "reset":
			e.Reset = d.rangeValue(v, "reset")
		case "missing_roles":
			e.MissingRoles, e.MissingRolesSet = ids(v, "role"), true
		}
	})
	return e
}

// rangeValue reads 80 (exactly) or {min: 50, max: 80}.
func (d *decoder) rangeValue(n *yaml.Node, what string) *Range {
	r := &Range{Pos: d.pos(n)}
	if n.Kind == yaml.ScalarNode {
		if num := d.number(n, what); num != nil {
			r.Min, r.Max = &num.Value, &num.Value
			return r
		}
		return nil
	}
	var min, max *Number
	d.mapping(n, what, []string{"min", "max"}, func(key string, k, v *yaml.Node) {
		if num := d.number(v, what+" "+key); num != nil {
			if key == "min" {
				min, r.Min = num, &num.Value
			} else {
				max, r.Max = num, &num.Value
			}
		}
	})
	if r.Min == nil && r.Max == nil {
		d.errorf(n, "%s: give a number, or min: and/or max:", what)
		return nil
	}
	d.minAboveMax(what, min, max)
	return r
}
