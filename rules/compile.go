package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/types"

	"github.com/leadscore/leadscore/dsl"
)

// Limits on what one expression may be.
const (
	// MaxExprLength is the longest expression text, in bytes.
	MaxExprLength = 8 << 10
	// MaxExprNodes bounds an expression's syntax tree.
	MaxExprNodes = 2000
)

// CompileFile loads a rule file with its includes and compiles it. The error,
// when not nil, is a dsl.Diagnostics with every problem found, positioned.
func CompileFile(path string, opts ...Option) (*Model, error) {
	doc, err := dsl.Load(path)
	return compileLoaded(doc, err, opts)
}

// CompileFS loads a rule file with its includes from fsys (an embed.FS, for
// rule files built into the binary) and compiles it.
func CompileFS(fsys fs.FS, name string, opts ...Option) (*Model, error) {
	doc, err := dsl.LoadFS(fsys, name)
	return compileLoaded(doc, err, opts)
}

// CompileBytes compiles one rule file held in memory (without includes),
// named filename in messages. It is for tests and tools.
func CompileBytes(filename string, src []byte, opts ...Option) (*Model, error) {
	doc, err := dsl.Parse(filename, src)
	return compileLoaded(doc, err, opts)
}

// compileLoaded compiles a loaded document. When loading found problems it
// compiles what could be read anyway, so one run reports every problem.
func compileLoaded(doc *dsl.Document, err error, opts []Option) (*Model, error) {
	if err == nil {
		return Compile(doc, opts...)
	}
	diags, ok := err.(dsl.Diagnostics)
	if !ok || doc == nil || len(doc.Files) == 0 {
		return nil, err
	}
	c := newCompiler(doc, newOptions(opts))
	c.broken = true
	c.compileSafely()
	diags = append(diags, c.diags...)
	diags.Sort()
	return nil, diags
}

// Compile type-checks and compiles a decoded rule file. The error, when not
// nil, is a dsl.Diagnostics listing every problem found. Options set the
// model's limits (see Limits); without them it has DefaultLimits.
func Compile(doc *dsl.Document, opts ...Option) (*Model, error) {
	c := newCompiler(doc, newOptions(opts))
	c.compileSafely()
	c.diags.Sort()
	if err := c.diags.Err(); err != nil {
		return nil, err
	}
	return c.m, nil
}

type compiler struct {
	doc    *dsl.Document
	m      *Model
	diags  dsl.Diagnostics
	opts   []expr.Option
	limits Limits

	lists     map[string][]string
	groups    map[string]bool       // the first names of nested lead fields (company in company.size)
	eventVars map[string]types.Type // event field name (and type, at) -> type
	eventRead map[string]bool       // event fields some expression reads
	base      types.Map             // fields and the frame
	lead      types.Map             // base + defines
	scored    types.Map             // lead + categories and total
	// notHere names what exists but cannot be read in some scopes, with why.
	notHere map[string]string
	// noClauses is set when compiling the leaves of a clause tree.
	noClauses bool
	// noFast keeps every expression on the VM (see slots).
	noFast bool
	// broken is set when the document had errors: it is compiled only to
	// report every problem at once, and never run.
	broken bool
	// account is set when compiling an account's own model, whose
	// conditions may count its people (people(), engaged()) by roles.
	account bool
	roles   []string
	// leadFields are the lead model's fields, named when an account's
	// condition reads one of them.
	leadFields []string
}

// scope is what an expression may read, and what it is called in messages.
type scope struct {
	env   types.Map
	event bool
	want  string // "bool" or "number"
	// name is what the expression is, in run-time errors: "rule fit.industry".
	name  string
	stage bool // a stage's when
}

func newCompiler(doc *dsl.Document, o options) *compiler {
	m := &Model{
		Name:           doc.Model.Value,
		Description:    doc.Description.Value,
		Owners:         doc.Owners,
		Document:       doc,
		SalesReady:     doc.SalesReadyStage(),
		fieldIndex:     map[string]int{},
		eventIndex:     map[string]int{},
		byEventType:    map[string][]*Rule{},
		countersByType: map[string][]int{},
		limits:         o.limits,
	}
	for _, t := range doc.EventTypes {
		m.EventTypes = append(m.EventTypes, t.Value)
	}
	c := &compiler{doc: doc, m: m, lists: map[string][]string{}, groups: map[string]bool{}, notHere: map[string]string{}, eventRead: map[string]bool{}, limits: o.limits}
	c.opts = append(append(functionOptions(), limitFunctions()...), expr.MaxNodes(MaxExprNodes))
	for _, b := range disabledBuiltins {
		c.opts = append(c.opts, expr.DisableBuiltin(b))
	}
	return c
}

func (c *compiler) errorAt(pos dsl.Pos, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if c.unreadCause(msg) {
		return
	}
	c.diags = append(c.diags, c.doc.Diag(pos, msg))
}

// unreadCause reports whether a problem follows from a section missing
// because a top-level key was misspelt (see dsl.Document.Unread): a name
// that section would have declared. The misspelt key is the one problem
// reported for that cause.
func (c *compiler) unreadCause(msg string) bool {
	switch {
	case strings.HasPrefix(msg, "unknown name "):
		return c.doc.Unread("fields", "lists", "define", "scores")
	case strings.HasPrefix(msg, "has() takes a lead field, and "):
		return c.doc.Unread("fields")
	case strings.HasPrefix(msg, "unknown event field "):
		return c.doc.Unread("events")
	case strings.Contains(msg, " is not a lead field"):
		return c.doc.Unread("fields")
	case strings.HasPrefix(msg, "free_mail: ") && strings.Contains(msg, " is not a list"):
		return c.doc.Unread("lists")
	case strings.Contains(msg, "unknown role "):
		return c.doc.Unread("accounts.roles")
	}
	return false
}

var fieldGoTypes = map[dsl.FieldType]types.Type{
	dsl.TypeString: types.String,
	dsl.TypeInt:    types.Int,
	dsl.TypeFloat:  types.Float64,
	dsl.TypeBool:   types.Bool,
	dsl.TypeTime:   types.TypeOf(time.Time{}),
	dsl.TypeList:   types.TypeOf([]string{}),
}

// goType is the type expressions see for a field; a field whose declared
// type was wrong (and reported) reads as any, so its uses do not add errors.
func goType(t dsl.FieldType) types.Type {
	if gt, ok := fieldGoTypes[t]; ok {
		return gt
	}
	return types.Any
}

// zeroValues are what a missing field reads as when it has no default.
var zeroValues = map[dsl.FieldType]any{
	dsl.TypeString: "",
	dsl.TypeInt:    0,
	dsl.TypeFloat:  0.0,
	dsl.TypeBool:   false,
	dsl.TypeTime:   time.Time{},
	dsl.TypeList:   []string{},
}

// reserved are names a field, list, define or category may not take:
// expr's keywords and the variables the model itself provides.
var reserved = []string{"true", "false", "nil", "in", "not", "and", "or", "matches", "contains",
	"startsWith", "endsWith", "let", "if", "else", "event", "total", "grade", "stage"}

// compileSafely compiles, turning a panic (a bug of ours) into a diagnostic
// so that none reaches the caller.
func (c *compiler) compileSafely() {
	defer func() {
		if r := recover(); r != nil {
			pos := dsl.Pos{}
			if len(c.doc.Files) > 0 {
				pos = dsl.Pos{File: c.doc.Files[0], Line: 1, Col: 1}
			}
			c.errorAt(pos, "internal error compiling this file (please report it with the file): %v", r)
		}
	}()
	c.compile()
}

func (c *compiler) compile() {
	doc, m := c.doc, c.m
	c.checkNames()

	c.base = types.Map{frameVar: types.TypeOf(&frame{})}
	for _, df := range doc.Fields {
		f := c.field(df)
		f.Index = len(m.Fields)
		m.fieldIndex[f.Name] = f.Index
		m.Fields = append(m.Fields, f)
		c.base[f.Name] = goType(f.Type)
		if root, _, nested := strings.Cut(f.Name, "."); nested {
			c.groups[root] = true
		}
	}
	m.fieldNames = newNames(m.Fields)
	m.nested = len(c.groups) > 0
	c.eventVars = map[string]types.Type{"type": types.String, "at": types.TypeOf(time.Time{})}
	for _, df := range doc.EventFields {
		f := c.field(df)
		f.Index = len(m.EventFields)
		m.eventIndex[f.Name] = f.Index
		m.EventFields = append(m.EventFields, f)
		c.eventVars[f.Name] = goType(f.Type)
	}
	m.eventNames = newNames(m.EventFields)
	for _, f := range m.EventFields {
		m.eventNested = m.eventNested || f.path != nil
	}
	if len(m.EventTypes) > 0 {
		m.eventTypeSet = map[string]bool{}
		for _, t := range m.EventTypes {
			m.eventTypeSet[t] = true
		}
	}
	for _, l := range doc.Lists {
		items := make([]string, len(l.Items))
		for i, s := range l.Items {
			items[i] = s.Value
		}
		c.lists[l.Name.Value] = items
	}
	for i, dc := range doc.Categories {
		cat := &Category{Name: dc.Name.Value, Min: math.Inf(-1), Max: math.Inf(1), Index: i}
		if dc.Min != nil {
			cat.Min = dc.Min.Value
		}
		if dc.Max != nil {
			cat.Max = dc.Max.Value
		}
		m.Categories = append(m.Categories, cat)
		c.notHere[cat.Name] = "score categories can be read only in total, grades and stages"
	}
	c.slots()
	c.notHere["total"] = "the total can be read only in grades and stages"
	c.notHere["grade"] = "the grade can be read only in stages"
	c.notHere["stage"] = "the stage is what the stages decide, last of all, so no rule, define or grade can read it"
	c.notHere["event"] = "event.* can be read only in the when of an event rule (a rule with event:)"

	c.defines()

	leadScope := &scope{env: c.lead, want: "bool"}
	eventEnv := copyMap(c.lead)
	for name, t := range c.eventVars {
		eventEnv["event."+name] = t
	}
	eventScope := &scope{env: eventEnv, event: true, want: "bool"}

	for _, dr := range doc.Rules {
		r := &Rule{
			ID: dr.ID.Value, Pos: dr.Pos, Owner: dr.Owner.Value, Reason: dr.Reason.Value,
			Reviewed: dr.Reviewed.Value, Limit: dr.Limit, Disqualify: dr.Disqualify.Value,
			Category: m.Category(dr.Category.Value),
		}
		if dr.Points != nil {
			r.Points = dr.Points.Value
		}
		if dr.Within != nil {
			r.Within, r.WithinText = dr.Within.Value, dr.Within.Source
		}
		if dr.HalfLife != nil {
			r.HalfLife, r.HalfLifeText = dr.HalfLife.Value, dr.HalfLife.Source
		}
		for _, t := range dr.Events {
			r.Events = append(r.Events, t.Value)
		}
		sc := *leadScope
		if r.IsEvent() {
			sc = *eventScope
		}
		sc.name = "rule " + r.ID
		if r.IsGate() {
			sc.name = "gate " + r.ID
		}
		r.When = c.expr(dr.When, &sc)
		if r.IsGate() {
			r.Index = len(m.Gates)
			m.Gates = append(m.Gates, r)
		} else {
			r.Index = len(m.Rules)
			m.Rules = append(m.Rules, r)
		}
		for _, t := range r.Events {
			if rs := m.byEventType[t]; len(rs) == 0 || rs[len(rs)-1] != r {
				m.byEventType[t] = append(rs, r)
			}
		}
	}

	m.readsEventType, m.readsEventAt = c.eventRead["type"], c.eventRead["at"]
	for i, f := range m.EventFields {
		if c.eventRead[f.Name] {
			m.eventFieldsRead = append(m.eventFieldsRead, i)
		}
	}

	scored := copyMap(c.lead)
	c.scored = scored
	for _, cat := range m.Categories {
		scored[cat.Name] = types.Float64
		delete(c.notHere, cat.Name)
	}
	if doc.Total != nil {
		m.Total = c.expr(doc.Total, &scope{env: scored, want: "number", name: "total"})
	}
	scored["total"] = types.Float64
	delete(c.notHere, "total")
	for _, dg := range doc.Grades {
		m.Grades = append(m.Grades, &Grade{Name: dg.Grade.Value, When: c.expr(dg.When, &scope{env: scored, want: "bool", name: "grade " + dg.Grade.Value})})
	}
	staged := copyMap(scored)
	staged["grade"] = types.String
	delete(c.notHere, "grade")
	for _, ds := range doc.Stages {
		m.Stages = append(m.Stages, &Stage{ID: ds.ID.Value, Description: ds.Description.Value,
			SalesReady: ds.SalesReady, When: c.expr(ds.When, &scope{env: staged, want: "bool", name: "stage " + ds.ID.Value, stage: true})})
	}
	c.compileHandoff()
	c.compileHoldout()
	if !c.account {
		c.compileAccounts(staged)
	}
	c.fuse()
	c.fastPhases()
	c.keepLadder()
	eventTypes := map[string]*eventTypeInfo{}
	info := func(t string) *eventTypeInfo {
		if eventTypes[t] == nil {
			eventTypes[t] = &eventTypeInfo{name: t, known: m.eventTypeSet == nil || m.eventTypeSet[t]}
		}
		return eventTypes[t]
	}
	for t, rs := range m.byEventType {
		info(t).rules = rs
	}
	for t, cs := range m.countersByType {
		info(t).counters = cs
	}
	for t := range m.eventTypeSet {
		info(t)
	}
	m.eventTypes = newNameTable(eventTypes)
}

// pathJoins joins every run of a nested field's parts (see Field.joins).
func pathJoins(path []string) []string {
	n := len(path)
	if n > 16 {
		return nil // joined when needed
	}
	out := make([]string, n*n)
	for i := range n {
		for j := i + 1; j <= n; j++ {
			out[i*n+j-1] = strings.Join(path[i:j], ".")
		}
	}
	return out
}

// field converts a declared field, filling in its default.
func (c *compiler) field(df *dsl.Field) *Field {
	f := &Field{Name: df.Name.Value, Type: df.Type, Description: df.Description.Value,
		Required: df.Required, Default: df.Default}
	if strings.Contains(f.Name, ".") {
		f.path = strings.Split(f.Name, ".")
		f.joins = pathJoins(f.path)
	}
	if f.Default == nil {
		f.Default = zeroValues[f.Type]
	}
	if f.Required && df.Default != nil {
		c.errorAt(df.DefaultPos, "field %s is required, so its default would never be used; remove one of the two", f.Name)
	}
	return f
}

// checkNames refuses names that collide with functions, builtins and keywords.
func (c *compiler) checkNames() {
	check := func(kind string, s dsl.String) {
		name, _, _ := strings.Cut(s.Value, ".") // company.size is read through company
		switch {
		case slices.Contains(reserved, name):
			c.errorAt(s.Pos, "%s %q uses a reserved word; rename it", kind, s.Value)
		case slices.Contains(functionNames, name) || isBuiltin(name):
			c.errorAt(s.Pos, "%s %q has the name of a built-in function; rename it", kind, s.Value)
		}
	}
	for _, f := range c.doc.Fields {
		check("field", f.Name)
	}
	for _, l := range c.doc.Lists {
		check("list", l.Name)
	}
	for _, d := range c.doc.Defines {
		check("define", d.Name)
	}
	for _, cat := range c.doc.Categories {
		check("score category", cat.Name)
	}
}

func isBuiltin(name string) bool {
	_, ok := builtin.Index[name]
	return ok
}

// defines compiles the defines in dependency order, refusing cycles, and
// builds the lead scope (fields, frame and defines).
func (c *compiler) defines() {
	byName := map[string]*dsl.Define{}
	for _, d := range c.doc.Defines {
		byName[d.Name.Value] = d
	}
	deps := map[string][]string{}
	for _, d := range c.doc.Defines {
		deps[d.Name.Value] = identifiers(d.Expr.Text, byName)
	}
	// Depth-first order; a define met again while being visited closes a cycle.
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	inCycle := map[string]bool{}
	var order []*dsl.Define
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		switch state[name] {
		case done:
			return
		case visiting:
			i := indexOf(stack, name)
			cycle := append(append([]string{}, stack[i:]...), name)
			for _, n := range cycle {
				inCycle[n] = true
			}
			d := byName[name]
			c.errorAt(d.Name.Pos, "defines refer to each other in a cycle: %s; a define cannot depend on itself", strings.Join(cycle, " -> "))
			return
		}
		state[name] = visiting
		stack = append(stack, name)
		for _, dep := range deps[name] {
			visit(dep)
		}
		stack = stack[:len(stack)-1]
		state[name] = done
		order = append(order, byName[name])
	}
	for _, d := range c.doc.Defines {
		visit(d.Name.Value)
	}

	c.lead = copyMap(c.base)
	for _, d := range order {
		if inCycle[d.Name.Value] {
			c.lead[d.Name.Value] = types.Any // reported above; no more errors from its uses
			continue
		}
		sc := &scope{env: c.lead, want: "any", name: "define " + d.Name.Value}
		x := c.expr(d.Expr, sc)
		var t types.Type = types.Any
		if x != nil {
			if rt := x.program.Node().Type(); rt != nil && rt.Kind() != reflect.Interface {
				t = types.TypeOf(reflect.Zero(rt).Interface())
			}
			slot := c.m.slots.add(d.Name.Value, kindOf(x.program.Node().Type()))
			c.m.Defines = append(c.m.Defines, &Define{Name: d.Name.Value, Expr: x, slot: slot})
		}
		c.lead[d.Name.Value] = t
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// identifiers returns the names in text that are keys of among, sorted.
func identifiers(text string, among map[string]*dsl.Define) []string {
	tree, err := parser.Parse(text)
	if err != nil {
		return nil // reported when the define is compiled
	}
	seen := map[string]bool{}
	ast.Find(tree.Node, func(n ast.Node) bool {
		if id, ok := n.(*ast.IdentifierNode); ok {
			if _, ok := among[id.Value]; ok {
				seen[id.Value] = true
			}
		}
		return false
	})
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func copyMap(m types.Map) types.Map {
	out := make(types.Map, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// expr compiles one expression in a scope; nil (and a diagnostic) on failure.
func (c *compiler) expr(e *dsl.Expr, sc *scope) (out *Expr) {
	if e == nil {
		return nil
	}
	if len(e.Text) > MaxExprLength {
		c.errorAt(e.Pos, "this expression is %d characters long, more than the %d allowed; split it into defines", len(e.Text), MaxExprLength)
		return nil
	}
	p := &patcher{c: c, scope: sc}
	opts := append([]expr.Option{expr.Env(sc.env), expr.Patch(p), expr.Patch(&divisions{src: []rune(e.Text)})}, c.opts...)
	switch sc.want {
	case "bool":
		opts = append(opts, expr.AsBool())
	case "number":
		opts = append(opts, expr.AsFloat64())
	}
	defer func() {
		// expr reports malformed input as errors, but a panic in a
		// dependency must not take the caller down with it.
		if r := recover(); r != nil {
			c.errorAt(e.Pos, "internal error compiling this expression (please report it): %v", r)
			out = nil
		}
	}()
	program, err := expr.Compile(e.Text, opts...)
	p.done()
	if len(p.errs) > 0 {
		for _, pe := range p.errs {
			c.errorAt(e.PosAt(pe.offset), "%s", pe.msg)
		}
		return nil
	}
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			if msg, at, ok := literalProblem(fe.Message, e.Text, fe.From); ok {
				c.errorAt(e.PosAt(at), "%s", msg)
			} else {
				c.errorAt(e.PosAt(fe.From), "%s", c.explainAt(fe.Message, sc, e.Text, fe.From))
			}
		} else {
			c.errorAt(e.Pos, "%s", c.explain(err.Error(), sc))
		}
		return nil
	}
	x := &Expr{Source: e.Text, Pos: e.Pos, program: program, Name: sc.name, src: e}
	c.attachFast(x, sc.want)
	if sc.event {
		node := x.program.Node()
		x.runSize = int64(max(countNodes(node), 1))
		x.perRun = c.m.wholeSlots(c.m.slotReads(node))
	}
	if sc.want == "bool" && !c.noClauses {
		x.Clause = c.clauses(x, sc)
	}
	return x
}

var (
	unknownNameRE = regexp.MustCompile(`^unknown name (\S+)$`)
	expectedRE    = regexp.MustCompile(`^expected (\w+), but got (.+)$`)
	argumentRE    = regexp.MustCompile(`^cannot use (\S+) as argument \(type (\S+)\) to call (\w+)\s*$`)
	mismatchRE    = regexp.MustCompile(`^invalid operation: (\S+) \(mismatched types (.+?) and (.+)\)$`)
)

// explain rewrites expr's messages in the words of the people who write rules.
// explainAt is explain for a message at an offset of the expression text,
// where the text itself says what was meant: the habits of spreadsheets
// and SQL (=, AND, <>, 1M, 1,000) and numbers in quotes.
func (c *compiler) explainAt(msg string, sc *scope, text string, offset int) string {
	src := []rune(text)
	at := func(i int) rune {
		if i >= 0 && i < len(src) {
			return src[i]
		}
		return 0
	}
	// call reports whether the text from i on, past spaces, opens a call.
	call := func(i int) bool {
		for unicode.IsSpace(at(i)) {
			i++
		}
		return at(i) == '('
	}
	if hint := c.unquotedHint(msg, sc, text, offset); hint != "" {
		return hint
	}
	if hint := c.operatorWordHint(msg, text, offset); hint != "" {
		return hint
	}
	if m := tokenRE.FindStringSubmatch(msg); m != nil {
		kind, tok := m[1], m[2]
		if m[3] != "" {
			kind = m[3]
		}
		switch {
		case kind == "Operator" && tok == "=" && at(offset+1) == '>':
			return "=> is not an operator; write >= for at least"
		case kind == "Operator" && tok == "=" && at(offset+1) == '<':
			return "=< is not an operator; write <= for at most"
		case kind == "Operator" && tok == "=":
			return "a single = does not compare; write == for is equal to (and != for is not equal to)"
		case kind == "Operator" && tok == ">" && at(offset-1) == '<':
			return "<> is not an operator; write != for is not equal to"
		case kind == "Identifier" && (tok == "AND" || tok == "And"):
			return "write and (or &&) in lower case to join two conditions"
		case kind == "Identifier" && (tok == "OR" || tok == "Or"):
			return "write or (or ||) in lower case for either of two conditions"
		case kind == "Identifier" && strings.EqualFold(tok, "like"):
			return fmt.Sprintf("like is not an operator; to find text within text write contains (or startsWith, endsWith, or matches for a pattern), such as: %s contains \"VP\"", c.exampleField("string"))
		case kind == "Identifier" && operatorWordNear(tok) != "":
			return fmt.Sprintf("%q is not an operator; did you mean %q?", tok, operatorWordNear(tok))
		case kind == "Operator" && tok == "," && unicode.IsDigit(at(offset-1)) && unicode.IsDigit(at(offset+1)):
			return "write numbers without thousands separators: 1000, not 1,000"
		case kind == "Operator" && tok == "," && strings.Contains(text, " in ("):
			return "write a list in square brackets: in [\"US\", \"CA\"], or name a list declared under lists"
		case kind == "EOF":
			return "the condition stops too soon: something is missing at its end (a comparison after && or ||, a closing bracket or quote)"
		}
	}
	if m := numberRE.FindStringSubmatch(msg); m != nil {
		if n, unit := m[1], m[2]; unit != "" {
			zeros := map[string]string{"k": "000", "K": "000", "m": "000000", "M": "000000", "b": "000000000", "B": "000000000"}[unit]
			if zeros != "" && !strings.Contains(n, ".") {
				return fmt.Sprintf("write numbers in full: %s%s for %s%s", n, zeros, n, unit)
			}
			return fmt.Sprintf("%s%s is not a number; write numbers in full, such as 1000000", n, unit)
		}
	}
	if m := mismatchRE.FindStringSubmatch(msg); m != nil {
		if (m[2] == "string") != (m[3] == "string") && m[2] != "time.Time" && m[3] != "time.Time" {
			if q := quotedNumberRE.FindString(text); q != "" {
				return fmt.Sprintf("%s is text, because of its quotes, and cannot be compared with a number; drop the quotes: %s", q, strings.Trim(q, `"'`))
			}
		}
		if hint := c.mismatchHint(text, offset, m[1], m[2], m[3]); hint != "" {
			return hint
		}
	}
	if m := unknownNameRE.FindStringSubmatch(msg); m != nil {
		if strings.EqualFold(m[1], "not") {
			return "write not (or !) in lower case to negate a condition"
		}
		if call(offset + len([]rune(m[1]))) {
			if m[1] == "now" {
				return "now() is not available: time is an input, the as-of time of each score; use daysSince(a time field) or daysSinceLast(\"type\")"
			}
			if slices.Contains(disabledBuiltins, m[1]) {
				return m[1] + "() is not available in a rule file"
			}
			return fmt.Sprintf("unknown function %q%s", m[1], dsl.DidYouMeanName(m[1], callable(), "the functions are "+strings.Join(functionNames, ", ")+" and expr's builtins, such as lower, trim, len and hasPrefix"))
		}
		if _, ok := c.eventVars[m[1]]; ok && !sc.event && m[1] != "type" && m[1] != "at" {
			return fmt.Sprintf("%s is an event field, not a lead field: read it in an event rule (add event: and the event type) as event.%s, or count events with events(\"type\", \"30d\")", m[1], m[1])
		}
		if hint := c.dashedName(sc, text, offset); hint != "" {
			return hint
		}
		return c.explainName(msg, sc, !comparedAsValue(text, offset))
	}
	return c.explain(msg, sc)
}

// known reports whether name is one the expression may use: a field, list,
// define or function.
func (c *compiler) known(name string) bool {
	if _, ok := c.lists[name]; ok {
		return true
	}
	if _, ok := c.m.fieldIndex[name]; ok {
		return true
	}
	return slices.Contains(callable(), name)
}

var (
	tokenRE        = regexp.MustCompile(`^unexpected token (\w+)\("?(.*?)"?\)$|^unexpected token (EOF)$`)
	numberRE       = regexp.MustCompile(`^bad number syntax: "([0-9.]+)([A-Za-z]*)"$`)
	quotedNumberRE = regexp.MustCompile(`"-?[0-9]+(\.[0-9]+)?"|'-?[0-9]+(\.[0-9]+)?'`)
)

func (c *compiler) explain(msg string, sc *scope) string {
	return c.explainName(msg, sc, true)
}

// explainName is explain; lists says whether an unknown name may be meant
// as a list or a function (not where it is compared with a value).
func (c *compiler) explainName(msg string, sc *scope, lists bool) string {
	if m := unknownNameRE.FindStringSubmatch(msg); m != nil {
		name := m[1]
		if c.groups[name] {
			return fmt.Sprintf("%s is a group of fields, not a value: name one of them, such as %s", name, nestedIn(name, c.fieldNames())[0])
		}
		if name == "event" && sc.event {
			return "event alone is not a value: name an event field, such as event." + c.m.eventFieldExample()
		}
		if name == "stage" && sc.stage {
			return "a stage's condition cannot read the stage: the stage is what the stages decide; " +
				"compare the scores (" + strings.Join(c.categoryNames(), ", ") + "), the total or the grade instead, such as: total >= 50"
		}
		if why, ok := c.notHere[name]; ok && sc.env[name] == nil {
			return fmt.Sprintf("%q cannot be used here: %s", name, why)
		}
		return c.unknownName(name, sc, lists)
	}
	if m := argumentRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s() needs %s here, not %s", m[3], typeName(m[2]), typeName(m[1]))
	}
	if m := mismatchRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s cannot combine %s with %s; check the field types under fields", m[1], typeName(m[2]), typeName(m[3]))
	}
	if m := expectedRE.FindStringSubmatch(msg); m != nil {
		switch m[1] {
		case "bool":
			return fmt.Sprintf("this condition must be true or false, but it gives %s; compare it, such as: employees >= 50", typeName(m[2]))
		case "float64":
			return fmt.Sprintf("this must give a number, but it gives %s", typeName(m[2]))
		}
	}
	return msg
}

// typeName says a Go type in the words of the schema.
func typeName(t string) string {
	switch t {
	case "string":
		return "text (string)"
	case "int":
		return "a whole number (int)"
	case "float64":
		return "a number (float)"
	case "[]string":
		return "a list (list)"
	case "time.Time":
		return "a time (time)"
	}
	return t
}

func (c *compiler) fieldNames() []string {
	out := make([]string, len(c.m.Fields))
	for i, f := range c.m.Fields {
		out[i] = f.Name
	}
	return out
}

func (c *compiler) categoryNames() []string {
	out := make([]string, len(c.m.Categories))
	for i, cat := range c.m.Categories {
		out[i] = cat.Name
	}
	return out
}

// callable lists the functions a rule file may call: the library's and
// expr's builtins, less the disabled ones.
var callable = sync.OnceValue(func() []string {
	out := slices.Clone(functionNames)
	for _, b := range builtin.Names {
		if !slices.Contains(disabledBuiltins, b) {
			out = append(out, b)
		}
	}
	return out
})

func (c *compiler) eventFieldNames() []string {
	out := make([]string, 0, len(c.eventVars))
	for k := range c.eventVars {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// NameTaken reports whether a field may not take name: a reserved word or
// the name of a function or builtin, which check refuses.
func NameTaken(name string) bool {
	return slices.Contains(reserved, name) || slices.Contains(functionNames, name) || isBuiltin(name)
}
