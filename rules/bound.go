package rules

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
)

// The patcher bounds every expression (see Limits), after its other
// rewrites of a node:
//
//   - it refuses what reaches the evaluator's internals: $env in any form
//     ($env.x, $env["x"], keys($env), ...) and names starting with "__";
//   - it refuses what is statically too costly or has no value: predicates
//     nested too deep, ranges with constant bounds that are too long,
//     matches with a pattern not in quotes, reduce building a text or a
//     list, replace of the empty text, division or remainder by a constant
//     zero;
//   - it makes the rest pay, before the work is done: each predicate's
//     body starts with __tick(__frame, size, #, whole...), which pays for
//     the body's size, its element, and the whole texts and lists it reads
//     (see tickCost); each builtin that builds a text or a list (join, replace,
//     split, string, toJSON, concat, flatten, ...) has its arguments
//     measured by __ahead before it runs, which predicts the size of what
//     it would build (see frame.ahead); + on texts and lists, whose result
//     is at most the sum of two values already made, has its result
//     checked by __grow; ranges whose bounds are not constants are built by
//     __range, which checks their length; matches with its pattern in
//     quotes becomes __match(__frame, text, k), which pays for the text's
//     length times the pattern's program (a pattern whose program is over
//     MaxPattern is refused here).
//
// The names starting with "__" are the compiler's own: a rule file cannot
// write them, so it cannot call these functions or skip them.
const (
	tickFunc   = "__tick"
	growFunc   = "__grow"
	aheadFunc  = "__ahead"
	rangeFunc  = "__range"
	matchFunc  = "__match"
	zoneFunc   = "__zone"
	divFunc    = "__div"
	divAnyFunc = "__divAny"
	modFunc    = "__mod"
	modAnyFunc = "__modAny"
	powFunc    = "__pow"
	growVar    = "__built"
	argVar     = "__arg"
)

// limitFunctions are the functions the inserted calls reach.
func limitFunctions() []expr.Option {
	return []expr.Option{
		expr.Function(tickFunc, func(p ...any) (any, error) {
			return true, p[0].(*frame).budget.spend(int64(p[1].(int)) + tickCost(p[2:]))
		}, new(func(*frame, int, ...any) bool)),
		expr.Function(aheadFunc, func(p ...any) (any, error) {
			return true, p[0].(*frame).ahead(p[1].(string), p[2:])
		}, new(func(*frame, string, ...any) bool)),
		expr.Function(zoneFunc, func(p ...any) (any, error) {
			s, _ := p[1].(string)
			if err := checkZone(s); err != nil {
				return nil, err
			}
			return s, nil
		}, new(func(*frame, string) string)),
		expr.Function(matchFunc, func(p ...any) (any, error) {
			f := p[0].(*frame)
			s, ok := p[1].(string)
			if !ok {
				return nil, fmt.Errorf("matches needs a text on its left, got %s", describe(p[1]))
			}
			return f.match(f.patterns[p[2].(int)], s)
		}, new(func(*frame, string, int) bool)),
		expr.Function(growFunc, func(p ...any) (any, error) {
			return true, p[0].(*frame).grow(p[1])
		}, new(func(*frame, any) bool)),
		expr.Function(rangeFunc, func(p ...any) (any, error) {
			return p[0].(*frame).makeRange(p[1], p[2])
		}, new(func(*frame, any, any) []int)),
		expr.Function(divFunc, func(p ...any) (any, error) {
			return divide(p[0], p[1], p[2].(string))
		}, new(func(int, int, string) float64), new(func(int, float64, string) float64),
			new(func(float64, int, string) float64), new(func(float64, float64, string) float64)),
		expr.Function(divAnyFunc, func(p ...any) (any, error) {
			return divide(p[0], p[1], p[2].(string))
		}, new(func(any, any, string) float64)),
		expr.Function(modFunc, func(p ...any) (any, error) {
			return remainder(p[0], p[1], p[2].(string))
		}, new(func(int, int, string) int)),
		expr.Function(modAnyFunc, func(p ...any) (any, error) {
			return remainder(p[0], p[1], p[2].(string))
		}, new(func(any, any, string) int)),
		expr.Function(powFunc, func(p ...any) (any, error) {
			return power(p[0], p[1], p[2].(string), p[3].(string))
		}, new(func(any, any, string, string) float64)),
	}
}

// divide is a / b as expr's / has it (a float64), or an error when b is
// 0, or when a side is not a number (a value of no declared type).
func divide(a, b any, divisor string) (any, error) {
	x, okA := number(a)
	y, okB := number(b)
	if !okA || !okB {
		return nil, fmt.Errorf("cannot divide %s by %s; both sides of / must be numbers", describe(a), describe(b))
	}
	if y == 0 {
		return nil, divisionByZero("divides by", divisor)
	}
	return x / y, nil
}

// remainder is a %% b on whole numbers, or an error when b is 0.
func remainder(a, b any, divisor string) (any, error) {
	x, okA := a.(int)
	y, okB := b.(int)
	if !okA || !okB {
		return nil, fmt.Errorf("cannot take the remainder of %s by %s; both sides of %% must be whole numbers", describe(a), describe(b))
	}
	if y == 0 {
		return nil, divisionByZero("takes the remainder of a division by", divisor)
	}
	return x % y, nil
}

// power is a ** b as expr has it, or an error when it gives no number
// (0 to a negative power, a negative number to a fraction).
func power(a, b any, base, exp string) (any, error) {
	x, okA := number(a)
	y, okB := number(b)
	if !okA || !okB {
		return nil, fmt.Errorf("cannot raise %s to %s; both sides of ** must be numbers", describe(a), describe(b))
	}
	v := math.Pow(x, y)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		here := func(text string, v float64) string {
			if text == trimFloat(v) {
				return text
			}
			return fmt.Sprintf("%s (%s here)", text, trimFloat(v))
		}
		return nil, fmt.Errorf("this raises %s to the power %s, which gives no number (0 to a negative power is infinite, a negative number to a fraction has none); test them first", here(base, x), here(exp, y))
	}
	return v, nil
}

// number is an int or float64 as a float64.
func number(x any) (float64, bool) {
	switch v := x.(type) {
	case int:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// divisionByZero is the error of a / or % whose right side came out 0 for
// a lead: a number the lead lacks reads as 0, so it is most often a
// missing value, and an infinity or no number at all would silently
// decide the comparison it stands in.
func divisionByZero(what, divisor string) error {
	test := divisor
	if strings.ContainsAny(divisor, " +-*/%?:<>=!&|") {
		test = "(" + divisor + ")"
	}
	return fmt.Errorf("this %s zero: %s is 0 here, which gives no number (a number the data lacks reads as 0); test it first, such as %s != 0 && ... in a condition, or (%s != 0 ? ... : 0) in a number", what, divisor, test, test)
}

// builders are the builtins whose result can be longer than their longest
// argument, or that copy or walk an argument whole: __ahead measures their
// arguments before they run.
var builders = map[string]bool{
	"replace": true, "join": true, "split": true, "splitAfter": true, "string": true,
	"toJSON": true, "toBase64": true, "concat": true, "flatten": true, "repeat": true, "fromJSON": true,
	// These build no more than they are given, but copy or walk all of it
	// at each call: they pay for it before, as the builders do.
	"upper": true, "lower": true, "sort": true, "uniq": true, "reverse": true,
	"keys": true, "values": true, "toPairs": true, "indexOf": true, "lastIndexOf": true,
	"trim": true, "trimPrefix": true, "trimSuffix": true, "fromBase64": true,
}

// bound applies the limits to one node, after Visit's other rewrites.
func (p *patcher) bound(node *ast.Node) {
	lim := &p.c.limits
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if n.Value == "$env" {
			p.errorf(n, "$env is not available in rules; name the field, list or define itself, such as employees")
		}
	case *ast.VariableDeclaratorNode:
		if strings.HasPrefix(n.Name, "__") {
			p.errorf(n, "names starting with __ are reserved; rename %q", n.Name)
		}
	case *ast.MemberNode:
		if id, ok := n.Node.(*ast.IdentifierNode); ok && id.Value == "$env" {
			break // refused as $env
		}
		if s, ok := n.Property.(*ast.StringNode); ok && strings.HasPrefix(s.Value, "__") {
			p.errorf(n, "names starting with __ are reserved; rename %q", s.Value)
		}
	case *ast.PredicateNode:
		// The element (#) is read whole too: a list may hold the same huge
		// text many times over, at one step an item.
		args := append([]ast.Node{&ast.IntegerNode{Value: max(countNodes(n.Node), 1)}, &ast.PointerNode{}}, wholeValues(n.Node)...)
		tick := p.limitCall(n, tickFunc, args...)
		seq := &ast.SequenceNode{Nodes: []ast.Node{tick, n.Node}}
		seq.SetLocation(n.Node.Location())
		n.Node = seq
	case *ast.BuiltinNode:
		if chain := p.predicateChain(n); len(chain) == lim.MaxNesting+1 {
			p.errorf(n, "predicates nested %d deep (%s); at most %d may nest (Limits.MaxNesting), as each level multiplies the work for every lead: move the inner part into a define, or loop over a shorter list",
				len(chain), strings.Join(chain, " inside "), lim.MaxNesting)
		}
		switch {
		case n.Name == "reduce" && (isText(n.Type()) || len(n.Arguments) == 3 && isText(n.Arguments[2].Type())):
			p.errorf(n, "reduce() can add up numbers or decide true or false, not build a text or a list: each step would copy every step before it; to join texts use join(list, \", \")")
		case n.Name == "replace" && len(n.Arguments) == 3 && isEmptyText(n.Arguments[1]):
			p.errorf(n.Arguments[1], "replace() needs the text to look for; an empty one would put the new text between every two characters")
		case builders[n.Name]:
			p.checkAhead(node, n)
		case n.Name == "timezone" && len(n.Arguments) == 1:
			p.boundZone(&n.Arguments[0])
		case n.Name == "date" && len(n.Arguments) == 3:
			p.boundZone(&n.Arguments[2])
		}
	case *ast.BinaryNode:
		switch n.Operator {
		case "..":
			p.boundRange(node, n)
		case "matches":
			if _, ok := n.Right.(*ast.StringNode); !ok {
				p.errorf(n.Right, "matches needs its pattern written in quotes, such as title matches \"(?i)\\\\bvp\\\\b\"; a pattern read from the lead or built here would be compiled again for every lead")
				break
			}
			p.boundMatch(node, n)
		case "/", "%":
			if v, ok := constNumber(n.Right); ok && v == 0 {
				if n.Operator == "/" {
					p.errorf(n.Right, "this divides by zero, which gives no number; divide by something other than 0")
				} else {
					p.errorf(n.Right, "this takes the remainder of a division by zero, which has none; use a number other than 0")
				}
			}
		case "+":
			if isBuilt(n.Type()) {
				p.checkBuilt(node)
			}
		}
	}
}

// limitCall makes the call name(__frame, args...) located at n.
func (p *patcher) limitCall(n ast.Node, name string, args ...ast.Node) *ast.CallNode {
	frame := &ast.IdentifierNode{Value: frameVar}
	callee := &ast.IdentifierNode{Value: name}
	c := &ast.CallNode{Callee: callee, Arguments: append([]ast.Node{frame}, args...)}
	for _, x := range append([]ast.Node{frame, callee, c}, args...) {
		x.SetLocation(n.Location())
	}
	return c
}

// checkBuilt rewrites x into (let __built = x; __grow(__frame, __built); __built),
// which keeps x's type.
func (p *patcher) checkBuilt(node *ast.Node) {
	n := *node
	ref := &ast.IdentifierNode{Value: growVar}
	ref.SetLocation(n.Location())
	seq := &ast.SequenceNode{Nodes: []ast.Node{p.limitCall(n, growFunc, ref), ref}}
	seq.SetLocation(n.Location())
	let := &ast.VariableDeclaratorNode{Name: growVar, Value: n, Expr: seq}
	let.SetLocation(n.Location())
	ast.Patch(node, let)
}

// boundRange refuses a range with constant bounds that is too long, and
// has other ranges built by __range.
func (p *patcher) boundRange(node *ast.Node, n *ast.BinaryNode) {
	from, okA := constNumber(n.Left)
	to, okB := constNumber(n.Right)
	if okA && okB {
		if count := to - from + 1; count > float64(p.c.limits.MaxRange) {
			p.errorf(n, "this range has %s numbers, more than the %d a range may have (Limits.MaxRange); to test a number use a comparison, such as x >= 1 && x <= 100", trimFloat(count), p.c.limits.MaxRange)
		}
		return
	}
	ast.Patch(node, p.limitCall(n, rangeFunc, n.Left, n.Right))
}

// isBuilt reports whether values of type t may be texts or lists.
func isBuilt(t reflect.Type) bool {
	if t == nil {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Array, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// isText reports whether values of type t are texts or lists, for sure.
func isText(t reflect.Type) bool {
	return t != nil && t.Kind() != reflect.Interface && isBuilt(t)
}

func isEmptyText(n ast.Node) bool {
	s, ok := n.(*ast.StringNode)
	return ok && s.Value == ""
}

// constNumber returns the value of a number written with constants only:
// 0, -1, 2.5, (10 - 10), 2 * 3.
func constNumber(n ast.Node) (float64, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return float64(n.Value), true
	case *ast.FloatNode:
		return n.Value, true
	case *ast.UnaryNode:
		v, ok := constNumber(n.Node)
		switch {
		case !ok:
		case n.Operator == "-":
			return -v, true
		case n.Operator == "+":
			return v, true
		}
	case *ast.BinaryNode:
		a, okA := constNumber(n.Left)
		b, okB := constNumber(n.Right)
		if !okA || !okB {
			return 0, false
		}
		switch n.Operator {
		case "+":
			return a + b, true
		case "-":
			return a - b, true
		case "*":
			return a * b, true
		case "**", "^":
			return math.Pow(a, b), true
		}
	}
	return 0, false
}

// predicateChain names the deepest chain of predicates from n inward:
// ["any", "all"] for any(xs, all(ys, ...)). It is empty when n takes no
// predicate. Nodes are visited children first, so the chains of the
// predicates inside n are known.
func (p *patcher) predicateChain(n *ast.BuiltinNode) []string {
	if !hasClosure(n) {
		return nil
	}
	var deepest []string
	ast.Find(n, func(m ast.Node) bool {
		if c := p.chains[m]; m != ast.Node(n) && len(c) > len(deepest) {
			deepest = c
		}
		return false
	})
	chain := append([]string{n.Name}, deepest...)
	if p.chains == nil {
		p.chains = map[ast.Node][]string{}
	}
	p.chains[n] = chain
	return chain
}

func hasClosure(b *ast.BuiltinNode) bool {
	for _, a := range b.Arguments {
		if _, ok := a.(*ast.PredicateNode); ok {
			return true
		}
	}
	return false
}

// countNodes returns the number of nodes in a tree.
func countNodes(n ast.Node) int {
	count := 0
	ast.Find(n, func(ast.Node) bool {
		count++
		return false
	})
	return count
}

// checkAhead rewrites a builder f(a, b) into
// (let __argK_0 = a; let __argK_1 = b; __ahead(__frame, "f", __argK_0, __argK_1); f(__argK_0, __argK_1)),
// which measures what f will build before it is built and keeps f's type.
// Each call has names of its own (K), as a call may sit in another's
// arguments.
func (p *patcher) checkAhead(node *ast.Node, n *ast.BuiltinNode) {
	p.calls++
	args := n.Arguments
	refs := make([]ast.Node, len(args))
	for i := range args {
		refs[i] = &ast.IdentifierNode{Value: fmt.Sprintf("%s%d_%d", argVar, p.calls, i)}
		refs[i].SetLocation(args[i].Location())
	}
	name := &ast.StringNode{Value: n.Name}
	callRefs := make([]ast.Node, len(refs))
	for i, r := range refs {
		id := &ast.IdentifierNode{Value: r.(*ast.IdentifierNode).Value}
		id.SetLocation(r.Location())
		callRefs[i] = id
	}
	check := p.limitCall(n, aheadFunc, append([]ast.Node{name}, callRefs...)...)
	n.Arguments = refs
	var out ast.Node = &ast.SequenceNode{Nodes: []ast.Node{check, n}}
	out.SetLocation(n.Location())
	for i := len(args) - 1; i >= 0; i-- {
		let := &ast.VariableDeclaratorNode{Name: refs[i].(*ast.IdentifierNode).Value, Value: args[i], Expr: out}
		let.SetLocation(n.Location())
		out = let
	}
	ast.Patch(node, out)
}

// boundMatch refuses a pattern whose program is over MaxPattern, and
// rewrites text matches "pattern" into __match(__frame, text, k), k being
// the pattern's place in the model's patterns.
func (p *patcher) boundMatch(node *ast.Node, n *ast.BinaryNode) {
	src := n.Right.(*ast.StringNode).Value
	if i := strings.IndexAny(src, "\a\b\f\v"); i >= 0 {
		// In double quotes \b is a backspace, not a word boundary: the
		// pattern would look for a character no title holds, and the
		// rule would never fire.
		esc := map[byte]string{'\a': `\a`, '\b': `\b`, '\f': `\f`, '\v': `\v`}[src[i]]
		what := "a control character"
		if src[i] == '\b' {
			what = "a backspace character, not a word boundary"
		}
		p.errorf(n.Right, "the pattern holds %s, which in double quotes is %s, so the pattern would match no text and the rule never fire; write the backslash twice (\\%s), or put the whole pattern in backticks instead of double quotes, where a backslash stands for itself",
			esc, what, esc)
		return
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return // expr reports it
	}
	size, err := programSize(src)
	if err != nil {
		return
	}
	if size > p.c.limits.MaxPattern {
		p.errorf(n.Right, "this pattern compiles to %d steps of program, more than the %d a pattern may have (Limits.MaxPattern): matching it would cost that much for every character of every lead; use a shorter pattern, such as a list of words in (?i)\\b(vp|director)\\b", size, p.c.limits.MaxPattern)
		return
	}
	if t := n.Left.Type(); t == nil || t.Kind() == reflect.Interface {
		// The text's type is not known: the expression has an error (an
		// unknown name, say), which expr reports on matches itself but
		// not on an argument of the call that would replace it.
		return
	}
	k := p.c.m.patternIndex(src, re, size)
	ast.Patch(node, p.limitCall(n, matchFunc, n.Left, &ast.IntegerNode{Value: k}))
}

// patternIndex returns the place of a pattern in the model's patterns,
// adding it if it is new.
func (m *Model) patternIndex(src string, re *regexp.Regexp, size int) int {
	for i, x := range m.patterns {
		if x.re.String() == src {
			return i
		}
	}
	p := &pattern{re: re, insts: size}
	if wm := newWordMatcher(src); wm != nil {
		wm.re = re
		p.word = wm
	}
	m.patterns = append(m.patterns, p)
	return len(m.patterns) - 1
}

// wholeValues returns, for a predicate's tick, a reference to each text,
// list or map its body reads by name from outside itself (a field, a
// define, a variable of an enclosing let), as many times as it reads it:
// the body may go through each of them every time it reads it. Names the body declares, the element (#)
// and the compiler's own names are left out, as are numbers, booleans and
// times, which cost nothing to read.
func wholeValues(body ast.Node) []ast.Node {
	declared := map[string]bool{}
	ast.Find(body, func(n ast.Node) bool {
		if d, ok := n.(*ast.VariableDeclaratorNode); ok {
			declared[d.Name] = true
		}
		return false
	})
	var out []ast.Node
	ast.Find(body, func(n ast.Node) bool {
		id, ok := n.(*ast.IdentifierNode)
		if !ok || declared[id.Value] || strings.HasPrefix(id.Value, "__") || !isBuilt(id.Type()) {
			return false
		}
		ref := &ast.IdentifierNode{Value: id.Value}
		ref.SetLocation(id.Location())
		out = append(out, ref)
		return false
	})
	return out
}

// boundZone refuses a time zone that depends on the machine: "Local" (and
// "", which Go reads as UTC but a reader as "the machine's"). A zone
// written in quotes is checked here; one read from the lead is checked
// when it runs, by __zone.
func (p *patcher) boundZone(arg *ast.Node) {
	if s, ok := (*arg).(*ast.StringNode); ok {
		if err := checkZone(s.Value); err != nil {
			p.errorf(s, "%v", err)
		}
		return
	}
	ast.Patch(arg, p.limitCall(*arg, zoneFunc, *arg))
}

// checkZone returns why a time zone name cannot be used, or nil.
func checkZone(name string) error {
	switch strings.TrimSpace(name) {
	case "Local":
		return fmt.Errorf(`the time zone "Local" is the zone of the machine that scores, so the same lead would score differently on another; name the zone, such as "Europe/Paris" or "UTC"`)
	case "":
		return fmt.Errorf(`the time zone is empty; name one, such as "Europe/Paris" or "UTC"`)
	}
	return nil
}
