package rules

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
)

// The common shapes of expressions (a field compared with a constant, in a
// list, and/or/not, has(), matches with a constant pattern, any() over a
// list, the functions of the library) are compiled a second time, from the
// tree expr checked and optimised, to Go closures over the evaluator's
// slots. An expression with any other shape has no closures and runs on
// expr's VM. The closures compute exactly what the VM does (the tests
// check it lead by lead); the one failure they can meet, a predicate
// running out of the lead's budget of steps, makes them give up (bail),
// and the expression is run again on the VM from the budget it started
// with, so that the error is the VM's own.

// fastExpr holds an expression's closures: the one of its kind is set.
type fastExpr struct {
	k kind
	b func(*evaluator) bool
	i func(*evaluator) int
	f func(*evaluator) float64
	s func(*evaluator) string
	l func(*evaluator) []string
	t func(*evaluator) time.Time
}

// maxLoopDepth bounds the predicates nested in one another the closures
// handle; deeper ones run on the VM.
const maxLoopDepth = 8

// fastCompiler compiles one expression's tree to closures.
type fastCompiler struct {
	m     *Model
	depth int // predicates entered
}

// compileFast returns the closures for an expression's checked tree, or nil
// when some part of it has a shape the closures do not cover.
func (m *Model) compileFast(n ast.Node) *fastExpr {
	fc := &fastCompiler{m: m}
	x, ok := fc.node(n)
	if !ok {
		return nil
	}
	return x
}

func nodeKind(n ast.Node) kind { return kindOf(n.Type()) }

func (fc *fastCompiler) node(n ast.Node) (*fastExpr, bool) {
	switch n := n.(type) {
	case *ast.BoolNode:
		v := n.Value
		return &fastExpr{k: kindBool, b: func(*evaluator) bool { return v }}, true
	case *ast.IntegerNode:
		switch nodeKind(n) {
		case kindInt:
			v := n.Value
			return &fastExpr{k: kindInt, i: func(*evaluator) int { return v }}, true
		case kindFloat:
			v := float64(n.Value)
			return &fastExpr{k: kindFloat, f: func(*evaluator) float64 { return v }}, true
		}
	case *ast.FloatNode:
		if nodeKind(n) == kindFloat {
			v := n.Value
			return &fastExpr{k: kindFloat, f: func(*evaluator) float64 { return v }}, true
		}
	case *ast.StringNode:
		v := n.Value
		return &fastExpr{k: kindString, s: func(*evaluator) string { return v }}, true
	case *ast.ConstantNode:
		switch v := n.Value.(type) {
		case bool:
			return &fastExpr{k: kindBool, b: func(*evaluator) bool { return v }}, true
		case int:
			return &fastExpr{k: kindInt, i: func(*evaluator) int { return v }}, true
		case float64:
			return &fastExpr{k: kindFloat, f: func(*evaluator) float64 { return v }}, true
		case string:
			return &fastExpr{k: kindString, s: func(*evaluator) string { return v }}, true
		}
	case *ast.IdentifierNode:
		return fc.ident(n)
	case *ast.PointerNode:
		if n.Name != "" || fc.depth == 0 || nodeKind(n) != kindString {
			return nil, false
		}
		d := fc.depth - 1
		return &fastExpr{k: kindString, s: func(e *evaluator) string { return e.loop[d] }}, true
	case *ast.UnaryNode:
		return fc.unary(n)
	case *ast.BinaryNode:
		return fc.binary(n)
	case *ast.ConditionalNode:
		return fc.conditional(n)
	case *ast.CallNode:
		return fc.call(n)
	case *ast.BuiltinNode:
		return fc.builtin(n)
	case *ast.SequenceNode:
		return fc.sequence(n)
	case *ast.VariableDeclaratorNode:
		if strings.HasPrefix(n.Name, argVar) {
			return fc.caseChanged(n)
		}
		return fc.built(n)
	}
	return nil, false
}

// built covers what bound.go makes of a + whose type was not known yet:
// let __built = a + b; __grow(__frame, __built); __built. On numbers the
// size check does nothing (see sizeOf), so the sum is the value.
func (fc *fastCompiler) built(n *ast.VariableDeclaratorNode) (*fastExpr, bool) {
	seq, ok := n.Expr.(*ast.SequenceNode)
	if n.Name != growVar || !ok || len(seq.Nodes) != 2 {
		return nil, false
	}
	if !isIdent(seq.Nodes[1], growVar) {
		return nil, false
	}
	call, ok := seq.Nodes[0].(*ast.CallNode)
	if !ok || len(call.Arguments) != 2 {
		return nil, false
	}
	if !isIdent(call.Callee, growFunc) {
		return nil, false
	}
	if !isIdent(call.Arguments[1], growVar) {
		return nil, false
	}
	v, ok := fc.node(n.Value)
	if !ok || !isNumber(v.k) || nodeKind(n) != v.k {
		return nil, false
	}
	return v, true
}

// caseChanged covers what bound.go makes of lower(x), upper(x) and trim(x):
// (let __argK_0 = x; __ahead(__frame, "lower", __argK_0); lower(__argK_0)).
// It pays what __ahead makes the VM pay, and bails where the VM would
// fail, so that the error is the VM's own.
func (fc *fastCompiler) caseChanged(n *ast.VariableDeclaratorNode) (*fastExpr, bool) {
	seq, ok := n.Expr.(*ast.SequenceNode)
	if !ok || len(seq.Nodes) != 2 || nodeKind(n) != kindString {
		return nil, false
	}
	call, ok := seq.Nodes[0].(*ast.CallNode)
	if !ok || len(call.Arguments) != 3 {
		return nil, false
	}
	if !isIdent(call.Callee, aheadFunc) {
		return nil, false
	}
	b, ok := seq.Nodes[1].(*ast.BuiltinNode)
	if !ok || (b.Name != "lower" && b.Name != "upper" && b.Name != "trim") || len(b.Arguments) != 1 {
		return nil, false
	}
	if name, ok := call.Arguments[1].(*ast.StringNode); !ok || name.Value != b.Name {
		return nil, false
	}
	for _, a := range []ast.Node{call.Arguments[2], b.Arguments[0]} {
		if !isIdent(a, n.Name) {
			return nil, false
		}
	}
	x, ok := fc.node(n.Value)
	if !ok || x.k != kindString {
		return nil, false
	}
	f, name := x.s, b.Name
	return &fastExpr{k: kindString, s: func(e *evaluator) string {
		s := f(e)
		var built, scan int64
		if name == "trim" {
			scan = int64(len(s))
		} else {
			built, scan = caseCost(s)
		}
		b := &e.frame.budget
		if built > int64(b.limits.MaxText) || b.spend((built+scan)/64+1) != nil {
			e.bail = true
			return ""
		}
		switch name {
		case "lower":
			return strings.ToLower(s)
		case "upper":
			return strings.ToUpper(s)
		}
		return strings.TrimSpace(s)
	}}, true
}

func (fc *fastCompiler) ident(n *ast.IdentifierNode) (*fastExpr, bool) {
	k := nodeKind(n)
	slot, ok := fc.m.slots.index[n.Value]
	if !ok || k == kindOther || fc.m.slots.kinds[slot] != k {
		return nil, false
	}
	switch k {
	case kindBool:
		return &fastExpr{k: k, b: func(e *evaluator) bool { return e.vals[slot].b }}, true
	case kindInt:
		return &fastExpr{k: k, i: func(e *evaluator) int { return e.vals[slot].i }}, true
	case kindFloat:
		return &fastExpr{k: k, f: func(e *evaluator) float64 { return e.vals[slot].f }}, true
	case kindString:
		return &fastExpr{k: k, s: func(e *evaluator) string { return e.vals[slot].s }}, true
	case kindList:
		return &fastExpr{k: k, l: func(e *evaluator) []string { return e.vals[slot].l }}, true
	case kindTime:
		return &fastExpr{k: k, t: func(e *evaluator) time.Time { return e.vals[slot].t }}, true
	}
	return nil, false
}

func (fc *fastCompiler) unary(n *ast.UnaryNode) (*fastExpr, bool) {
	x, ok := fc.node(n.Node)
	if !ok {
		return nil, false
	}
	switch n.Operator {
	case "!", "not":
		if x.k != kindBool || nodeKind(n) != kindBool {
			return nil, false
		}
		f := x.b
		return &fastExpr{k: kindBool, b: func(e *evaluator) bool { return !f(e) }}, true
	case "-":
		switch {
		case x.k == kindInt && nodeKind(n) == kindInt:
			f := x.i
			return &fastExpr{k: kindInt, i: func(e *evaluator) int { return -f(e) }}, true
		case x.k == kindFloat && nodeKind(n) == kindFloat:
			f := x.f
			return &fastExpr{k: kindFloat, f: func(e *evaluator) float64 { return -f(e) }}, true
		}
	}
	return nil, false
}

// asFloat returns a number's closure as one giving float64.
func asFloat(x *fastExpr) func(*evaluator) float64 {
	switch x.k {
	case kindFloat:
		return x.f
	case kindInt:
		f := x.i
		return func(e *evaluator) float64 { return float64(f(e)) }
	}
	return nil
}

func isNumber(k kind) bool { return k == kindInt || k == kindFloat }

func (fc *fastCompiler) binary(n *ast.BinaryNode) (*fastExpr, bool) {
	op := n.Operator
	l, ok := fc.node(n.Left)
	if !ok {
		return nil, false
	}
	if op == "in" {
		return fc.in(n, l)
	}
	r, ok := fc.node(n.Right)
	if !ok {
		return nil, false
	}
	out := nodeKind(n)
	boolean := func(f func(*evaluator) bool) (*fastExpr, bool) {
		if out != kindBool {
			return nil, false
		}
		return &fastExpr{k: kindBool, b: f}, true
	}
	switch op {
	case "and", "&&", "or", "||":
		if l.k != kindBool || r.k != kindBool {
			return nil, false
		}
		a, b := l.b, r.b
		if op == "and" || op == "&&" {
			return boolean(func(e *evaluator) bool { return a(e) && b(e) })
		}
		return boolean(func(e *evaluator) bool { return a(e) || b(e) })
	case "==", "!=":
		eq, ok := equal(l, r)
		if !ok {
			return nil, false
		}
		if op == "!=" {
			return boolean(func(e *evaluator) bool { return !eq(e) })
		}
		return boolean(eq)
	case "<", "<=", ">", ">=":
		return fc.compare(op, l, r, out)
	case "+", "-", "*", "/":
		return arith(op, l, r, out)
	case "contains", "startsWith", "endsWith":
		if l.k != kindString || r.k != kindString {
			return nil, false
		}
		a, b := l.s, r.s
		switch op {
		case "contains":
			return boolean(func(e *evaluator) bool { return strings.Contains(a(e), b(e)) })
		case "startsWith":
			return boolean(func(e *evaluator) bool { return strings.HasPrefix(a(e), b(e)) })
		default:
			return boolean(func(e *evaluator) bool { return strings.HasSuffix(a(e), b(e)) })
		}
	}
	return nil, false
}

// equal is == as expr's runtime has it for the kinds the closures cover:
// numbers of either kind compare as float64 when their kinds differ.
func equal(l, r *fastExpr) (func(*evaluator) bool, bool) {
	switch {
	case l.k == kindInt && r.k == kindInt:
		a, b := l.i, r.i
		return func(e *evaluator) bool { return a(e) == b(e) }, true
	case isNumber(l.k) && isNumber(r.k):
		a, b := asFloat(l), asFloat(r)
		return func(e *evaluator) bool { return a(e) == b(e) }, true
	case l.k == kindString && r.k == kindString:
		a, b := l.s, r.s
		return func(e *evaluator) bool { return a(e) == b(e) }, true
	case l.k == kindBool && r.k == kindBool:
		a, b := l.b, r.b
		return func(e *evaluator) bool { return a(e) == b(e) }, true
	}
	return nil, false
}

func (fc *fastCompiler) compare(op string, l, r *fastExpr, out kind) (*fastExpr, bool) {
	if out != kindBool {
		return nil, false
	}
	var f func(*evaluator) bool
	switch {
	case l.k == kindInt && r.k == kindInt:
		a, b := l.i, r.i
		switch op {
		case "<":
			f = func(e *evaluator) bool { return a(e) < b(e) }
		case "<=":
			f = func(e *evaluator) bool { return a(e) <= b(e) }
		case ">":
			f = func(e *evaluator) bool { return a(e) > b(e) }
		case ">=":
			f = func(e *evaluator) bool { return a(e) >= b(e) }
		}
	case isNumber(l.k) && isNumber(r.k):
		a, b := asFloat(l), asFloat(r)
		switch op {
		case "<":
			f = func(e *evaluator) bool { return a(e) < b(e) }
		case "<=":
			f = func(e *evaluator) bool { return a(e) <= b(e) }
		case ">":
			f = func(e *evaluator) bool { return a(e) > b(e) }
		case ">=":
			f = func(e *evaluator) bool { return a(e) >= b(e) }
		}
	case l.k == kindString && r.k == kindString:
		a, b := l.s, r.s
		switch op {
		case "<":
			f = func(e *evaluator) bool { return a(e) < b(e) }
		case "<=":
			f = func(e *evaluator) bool { return a(e) <= b(e) }
		case ">":
			f = func(e *evaluator) bool { return a(e) > b(e) }
		case ">=":
			f = func(e *evaluator) bool { return a(e) >= b(e) }
		}
	default:
		return nil, false
	}
	return &fastExpr{k: kindBool, b: f}, true
}

// arith is + - * / as expr's runtime has them: int with int gives int
// (but / always gives float64), any float makes float64.
func arith(op string, l, r *fastExpr, out kind) (*fastExpr, bool) {
	if !isNumber(l.k) || !isNumber(r.k) {
		return nil, false
	}
	if l.k == kindInt && r.k == kindInt && op != "/" {
		if out != kindInt {
			return nil, false
		}
		a, b := l.i, r.i
		var f func(*evaluator) int
		switch op {
		case "+":
			f = func(e *evaluator) int { return a(e) + b(e) }
		case "-":
			f = func(e *evaluator) int { return a(e) - b(e) }
		case "*":
			f = func(e *evaluator) int { return a(e) * b(e) }
		}
		return &fastExpr{k: kindInt, i: f}, true
	}
	if out != kindFloat {
		return nil, false
	}
	a, b := asFloat(l), asFloat(r)
	var f func(*evaluator) float64
	switch op {
	case "+":
		f = func(e *evaluator) float64 { return a(e) + b(e) }
	case "-":
		f = func(e *evaluator) float64 { return a(e) - b(e) }
	case "*":
		f = func(e *evaluator) float64 { return a(e) * b(e) }
	case "/":
		f = func(e *evaluator) float64 { return a(e) / b(e) }
	}
	return &fastExpr{k: kindFloat, f: f}, true
}

// in covers a value in a constant set (the optimiser turns a list of
// constants into one) and a text in a list field.
func (fc *fastCompiler) in(n *ast.BinaryNode, l *fastExpr) (*fastExpr, bool) {
	if nodeKind(n) != kindBool {
		return nil, false
	}
	if c, ok := n.Right.(*ast.ConstantNode); ok {
		switch set := c.Value.(type) {
		case map[string]struct{}:
			if l.k != kindString {
				return nil, false
			}
			a := l.s
			if len(set) <= 8 {
				items := make([]string, 0, len(set))
				for s := range set {
					items = append(items, s)
				}
				return &fastExpr{k: kindBool, b: func(e *evaluator) bool {
					s := a(e)
					for _, x := range items {
						if x == s {
							return true
						}
					}
					return false
				}}, true
			}
			return &fastExpr{k: kindBool, b: func(e *evaluator) bool { _, ok := set[a(e)]; return ok }}, true
		case map[int]struct{}:
			if l.k != kindInt {
				return nil, false
			}
			a := l.i
			return &fastExpr{k: kindBool, b: func(e *evaluator) bool { _, ok := set[a(e)]; return ok }}, true
		}
		return nil, false
	}
	r, ok := fc.node(n.Right)
	if !ok || r.k != kindList || l.k != kindString {
		return nil, false
	}
	a, list := l.s, r.l
	return &fastExpr{k: kindBool, b: func(e *evaluator) bool {
		s := a(e)
		for _, x := range list(e) {
			if x == s {
				return true
			}
		}
		return false
	}}, true
}

// match covers __match (a matches with its pattern in quotes): the
// case-insensitive alternation of words that rule files use for titles
// has a matcher of its own (see wordMatcher); other patterns run on Go's
// regexp, as in the VM. Both pay the pattern's cost first; when the
// budget runs out they bail.
func (fc *fastCompiler) match(args []ast.Node) (*fastExpr, bool) {
	if len(args) != 3 {
		return nil, false
	}
	k, ok := args[2].(*ast.IntegerNode)
	if !ok || k.Value < 0 || k.Value >= len(fc.m.patterns) {
		return nil, false
	}
	l, ok := fc.node(args[1])
	if !ok || l.k != kindString {
		return nil, false
	}
	a, pat := l.s, fc.m.patterns[k.Value]
	return &fastExpr{k: kindBool, b: func(e *evaluator) bool {
		s := a(e)
		if e.frame.budget.spend(pat.cost(s)) != nil {
			e.bail = true
			return false
		}
		if pat.word != nil {
			return pat.word.match(s)
		}
		return pat.re.MatchString(s)
	}}, true
}

func (fc *fastCompiler) conditional(n *ast.ConditionalNode) (*fastExpr, bool) {
	c, ok := fc.node(n.Cond)
	if !ok || c.k != kindBool {
		return nil, false
	}
	a, ok := fc.node(n.Exp1)
	if !ok {
		return nil, false
	}
	b, ok := fc.node(n.Exp2)
	if !ok || a.k != b.k || nodeKind(n) != a.k {
		return nil, false
	}
	cond := c.b
	switch a.k {
	case kindBool:
		return &fastExpr{k: a.k, b: choose(cond, a.b, b.b)}, true
	case kindInt:
		return &fastExpr{k: a.k, i: choose(cond, a.i, b.i)}, true
	case kindFloat:
		return &fastExpr{k: a.k, f: choose(cond, a.f, b.f)}, true
	case kindString:
		return &fastExpr{k: a.k, s: choose(cond, a.s, b.s)}, true
	}
	return nil, false
}

// choose is cond ? x : y, for closures of any kind.
func choose[T any](cond func(*evaluator) bool, x, y func(*evaluator) T) func(*evaluator) T {
	return func(e *evaluator) T {
		if cond(e) {
			return x(e)
		}
		return y(e)
	}
}

// call covers the function library (see functions.go) and the step
// counter the compiler puts in predicates (see bound.go).
func (fc *fastCompiler) call(n *ast.CallNode) (*fastExpr, bool) {
	id, ok := n.Callee.(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	args := n.Arguments
	slotArg := func() (int, bool) {
		if len(args) != 2 {
			return 0, false
		}
		if !isIdent(args[0], frameVar) {
			return 0, false
		}
		i, ok := args[1].(*ast.IntegerNode)
		if !ok {
			return 0, false
		}
		return i.Value, true
	}
	switch id.Value {
	case "has":
		i, ok := slotArg()
		if !ok || i < 0 || i >= len(fc.m.Fields) {
			return nil, false
		}
		return &fastExpr{k: kindBool, b: func(e *evaluator) bool { return e.frame.present[i] }}, true
	case "events":
		k, ok := slotArg()
		if !ok || k < 0 || k >= len(fc.m.counters) {
			return nil, false
		}
		return &fastExpr{k: kindInt, i: func(e *evaluator) int { return e.frame.counts[k] }}, true
	case "daysSinceLast":
		k, ok := slotArg()
		if !ok || k < 0 || k >= len(fc.m.counters) {
			return nil, false
		}
		return &fastExpr{k: kindFloat, f: func(e *evaluator) float64 { return e.frame.DaysSince(e.frame.lasts[k]) }}, true
	case divFunc:
		// __div(a, b, "b"): a / b, and a bail where b is 0, for the VM to
		// give __div's error.
		if len(args) != 3 {
			return nil, false
		}
		l, okL := fc.node(args[0])
		r, okR := fc.node(args[1])
		if !okL || !okR || !isNumber(l.k) || !isNumber(r.k) {
			return nil, false
		}
		a, b := asFloat(l), asFloat(r)
		return &fastExpr{k: kindFloat, f: func(e *evaluator) float64 {
			d := b(e)
			if d == 0 {
				e.bail = true
				return 0
			}
			return a(e) / d
		}}, true
	case tickFunc:
		return fc.tick(args)
	case matchFunc:
		return fc.match(args)
	case "daysSince":
		if len(args) != 2 {
			return nil, false
		}
		if !isIdent(args[0], frameVar) {
			return nil, false
		}
		t, ok := fc.node(args[1])
		if !ok || t.k != kindTime {
			return nil, false
		}
		tf := t.t
		return &fastExpr{k: kindFloat, f: func(e *evaluator) float64 { return e.frame.DaysSince(tf(e)) }}, true
	case "emailDomain":
		if len(args) != 2 {
			return nil, false
		}
		if !isIdent(args[0], frameVar) {
			return nil, false
		}
		s, ok := fc.node(args[1])
		if !ok || s.k != kindString {
			return nil, false
		}
		sf := s.s
		return &fastExpr{k: kindString, s: func(e *evaluator) string {
			v := sf(e)
			if e.frame.budget.spend(emailCost(v)) != nil {
				e.bail = true
				return ""
			}
			return EmailDomain(v)
		}}, true
	}
	return nil, false
}

func (fc *fastCompiler) builtin(n *ast.BuiltinNode) (*fastExpr, bool) {
	args := n.Arguments
	switch n.Name {
	case "lower", "upper", "trim":
		if len(args) != 1 || nodeKind(n) != kindString {
			return nil, false
		}
		s, ok := fc.node(args[0])
		if !ok || s.k != kindString {
			return nil, false
		}
		f := s.s
		switch n.Name {
		case "lower":
			return &fastExpr{k: kindString, s: func(e *evaluator) string { return strings.ToLower(f(e)) }}, true
		case "upper":
			return &fastExpr{k: kindString, s: func(e *evaluator) string { return strings.ToUpper(f(e)) }}, true
		default:
			return &fastExpr{k: kindString, s: func(e *evaluator) string { return strings.TrimSpace(f(e)) }}, true
		}
	case "len":
		if len(args) != 1 || nodeKind(n) != kindInt {
			return nil, false
		}
		x, ok := fc.node(args[0])
		if !ok {
			return nil, false
		}
		switch x.k {
		case kindString:
			f := x.s
			return &fastExpr{k: kindInt, i: func(e *evaluator) int { return utf8.RuneCountInString(f(e)) }}, true
		case kindList:
			f := x.l
			return &fastExpr{k: kindInt, i: func(e *evaluator) int { return len(f(e)) }}, true
		}
	case "any", "all", "none":
		return fc.loop(n)
	}
	return nil, false
}

// loop covers any, all and none over a list field, stopping where the VM
// stops (at the first element that decides), so that both spend the same
// steps of the budget.
func (fc *fastCompiler) loop(n *ast.BuiltinNode) (*fastExpr, bool) {
	if len(n.Arguments) != 2 || n.Map != nil || nodeKind(n) != kindBool || fc.depth >= maxLoopDepth {
		return nil, false
	}
	list, ok := fc.node(n.Arguments[0])
	if !ok || list.k != kindList {
		return nil, false
	}
	pred, ok := n.Arguments[1].(*ast.PredicateNode)
	if !ok {
		return nil, false
	}
	fc.depth++
	body, ok := fc.node(pred.Node)
	fc.depth--
	if !ok || body.k != kindBool {
		return nil, false
	}
	d, items, p := fc.depth, list.l, body.b
	var want bool // the element's value that decides
	var found bool
	switch n.Name {
	case "any":
		want, found = true, true
	case "all":
		want, found = false, false
	case "none":
		want, found = true, false
	}
	return &fastExpr{k: kindBool, b: func(e *evaluator) bool {
		for _, x := range items(e) {
			e.loop[d] = x
			if p(e) == want {
				return found
			}
			if e.bail {
				return false
			}
		}
		return !found
	}}, true
}

// tick covers __tick(__frame, size, whole...): the body's size and the
// lengths of the whole texts and lists it reads (see tickCost).
func (fc *fastCompiler) tick(args []ast.Node) (*fastExpr, bool) {
	if len(args) < 2 {
		return nil, false
	}
	if !isIdent(args[0], frameVar) {
		return nil, false
	}
	size, ok := args[1].(*ast.IntegerNode)
	if !ok {
		return nil, false
	}
	var texts []func(*evaluator) string
	var lists []func(*evaluator) []string
	for _, a := range args[2:] {
		if p, ok := a.(*ast.PointerNode); ok && isNumberOrBool(nodeKind(p)) {
			continue // a number's or a boolean's cost is its size: nothing
		}
		x, ok := fc.node(a)
		switch {
		case !ok:
			return nil, false
		case x.k == kindString:
			texts = append(texts, x.s)
		case x.k == kindList:
			lists = append(lists, x.l)
		default:
			return nil, false
		}
	}
	n := int64(size.Value)
	return &fastExpr{k: kindBool, b: func(e *evaluator) bool {
		cost := n
		for _, t := range texts {
			cost += int64(len(t(e))) / 64
		}
		for _, l := range lists {
			cost += textsCost(l(e))
		}
		if e.frame.budget.spend(cost) != nil {
			e.bail = true
		}
		return true
	}}, true
}

// sequence covers what bound.go makes of a predicate's body: the step
// counter, then the body.
func (fc *fastCompiler) sequence(n *ast.SequenceNode) (*fastExpr, bool) {
	if len(n.Nodes) == 0 {
		return nil, false
	}
	var effects []func(*evaluator) bool
	for _, x := range n.Nodes[:len(n.Nodes)-1] {
		c, ok := x.(*ast.CallNode)
		if !ok {
			return nil, false
		}
		if !isIdent(c.Callee, tickFunc) {
			return nil, false
		}
		f, ok := fc.call(c)
		if !ok {
			return nil, false
		}
		effects = append(effects, f.b)
	}
	last, ok := fc.node(n.Nodes[len(n.Nodes)-1])
	if !ok || last.k != kindBool {
		return nil, false
	}
	body := last.b
	return &fastExpr{k: kindBool, b: func(e *evaluator) bool {
		for _, f := range effects {
			f(e)
		}
		return body(e)
	}}, true
}

func isNumberOrBool(k kind) bool { return k == kindInt || k == kindFloat || k == kindBool }

// isIdent reports whether n is the identifier name: the compiler's own
// names (__frame, __built, __argK_i, __tick, ...) in the shapes bound.go makes.
func isIdent(n ast.Node, name string) bool {
	id, ok := n.(*ast.IdentifierNode)
	return ok && id.Value == name
}
