package stream

import (
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"math"

	"github.com/leadscore/leadscore/rules"
)

// trend is how a value moves as time passes with no new event, the lead's
// fields and dispositions held: not at all, never down, never up, or
// either way (unknown).
type trend uint8

const (
	steady  trend = iota // does not move
	rising               // never goes down (false to true, for a condition)
	falling              // never goes up (true to false, for a condition)
	unknown              // may go either way
)

// join is the trend of a value that rises with both a and b (a sum, a
// conjunction, a disjunction).
func join(a, b trend) trend {
	switch {
	case a == steady:
		return b
	case b == steady, a == b:
		return a
	}
	return unknown
}

// flip is the trend of a value that falls as the one of t rises.
func flip(t trend) trend {
	switch t {
	case rising:
		return falling
	case falling:
		return rising
	}
	return t
}

// monotone reports whether, under m, a lead's stage and grade each move in
// one direction only as time passes with no new event, no disposition and
// its fields held: then once the result differs from what it is now, it
// never comes back, and the first change can be found by bisection over
// the times NextChange probes instead of a scan of all of them.
//
// Time moves a result through windows that expire and decay that ages
// events (a positive rule's points only fall, a negative one's only rise),
// events() counts (only fall), and daysSince, daysSinceLast and now (only
// rise). The trend of an expression is worked out from its syntax: sums,
// differences, products by a number, comparisons, &&, ||, ! and a count
// compared with 0 keep a known trend; anything else that reads something
// moving (a ternary, a function of it, a let) is unknown, and so is a model
// with one: NextChange then scans as before. An event rule or gate whose
// condition reads something moving is unknown too (which events match it
// could change). A decaying score is taken to fall at every nanosecond as
// the formula does; floating point could in principle hold it a last bit
// higher a nanosecond later, which would matter only for a score a last
// bit from a threshold.
func monotone(sc *Scorer) bool {
	m := sc.m
	a := &trends{m: m, defines: map[string]*rules.Define{}, memo: map[string]trend{}, busy: map[string]bool{}, cats: map[string]int{}}
	for _, d := range m.Defines {
		a.defines[d.Name] = d
	}
	for i, c := range m.Categories {
		a.cats[c.Name] = i
	}
	// Category scores: the sum of their rules' points, clamped.
	catTrend := make([]trend, len(m.Categories))
	for _, r := range m.Rules {
		var t trend
		if r.IsEvent() {
			if a.expr(r.When) != steady { // which events match could change
				return false
			}
			if r.Within > 0 || r.HalfLife > 0 {
				t = falling // events leave the window, decay ages them: fewer points
			}
		} else {
			t = a.expr(r.When)
		}
		switch {
		case r.Points < 0:
			t = flip(t)
		case r.Points == 0:
			t = steady
		}
		catTrend[r.Category.Index] = join(catTrend[r.Category.Index], t)
	}
	a.catTrend = catTrend
	if m.Total != nil {
		a.total = a.expr(m.Total)
	} else {
		a.total = steady
		for _, t := range catTrend {
			a.total = join(a.total, t)
		}
	}
	// Disqualification: any gate holds.
	disq := steady
	for _, g := range m.Gates {
		t := a.expr(g.When)
		if g.IsEvent() {
			if t != steady {
				return false
			}
			t = steady
			if g.Within > 0 {
				t = falling // the disqualifying event leaves the window
			}
		}
		disq = join(disq, t)
	}
	// Grades: the first whose condition holds. When every condition only
	// rises (or only falls) the grade moves one way down (or up) the list.
	grade := steady
	for _, g := range m.Grades {
		grade = join(grade, a.expr(g.When))
	}
	if grade == unknown {
		return false
	}
	a.grade = steady
	if grade != steady {
		a.grade = unknown // which grades a stage's `grade in [...]` names is not worked out
	}
	// Stages: the highest whose condition holds, the sales-ready ones
	// only when no gate does.
	stage := steady
	for i, s := range m.Stages {
		t := a.expr(s.When)
		if i >= m.SalesReady {
			t = join(t, flip(disq))
		}
		stage = join(stage, t)
	}
	return stage != unknown
}

// trends works out the trends of a model's expressions.
type trends struct {
	m        *rules.Model
	defines  map[string]*rules.Define
	memo     map[string]trend // defines' trends by name
	busy     map[string]bool  // defines being worked out (a cycle is unknown)
	cats     map[string]int
	catTrend []trend // nil while the rules' conditions are worked out
	total    trend
	grade    trend
}

// expr returns the trend of x; nil (always) is steady.
func (a *trends) expr(x *rules.Expr) trend {
	if x == nil {
		return steady
	}
	tree, err := parser.Parse(x.Source)
	if err != nil {
		return unknown
	}
	return a.node(tree.Node)
}

// name returns the trend of what a name reads; ok is false for names that
// do not move (fields, lists, event, a predicate's variables).
func (a *trends) name(n string) (t trend, ok bool) {
	if d, found := a.defines[n]; found {
		if t, done := a.memo[n]; done {
			return t, t != steady
		}
		if a.busy[n] {
			return unknown, true
		}
		a.busy[n] = true
		t := a.expr(d.Expr)
		delete(a.busy, n)
		a.memo[n] = t
		return t, t != steady
	}
	if i, found := a.cats[n]; found {
		if a.catTrend == nil {
			return unknown, true // a rule reading a score: not worked out
		}
		return a.catTrend[i], a.catTrend[i] != steady
	}
	switch n {
	case "total":
		return a.total, a.total != steady
	case "grade":
		return a.grade, a.grade != steady
	case "now":
		return rising, true
	}
	return steady, false
}

// moves reports whether the tree under n reads something that moves with
// time.
func (a *trends) moves(n ast.Node) bool {
	found := false
	ast.Find(n, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.IdentifierNode:
			if _, ok := a.name(x.Value); ok {
				found = true
			}
			switch x.Value {
			case "daysSince", "daysSinceLast", "events":
				found = true
			}
		case *ast.BuiltinNode:
			if x.Name == "now" {
				found = true
			}
		case *ast.VariableDeclaratorNode:
			if _, ok := a.name(x.Name); ok {
				found = true // a let shadowing a moving name
			}
		}
		return false
	})
	return found
}

// node returns the trend of an expression's syntax tree.
func (a *trends) node(n ast.Node) trend {
	if !a.moves(n) {
		return steady
	}
	switch n := n.(type) {
	case *ast.IdentifierNode:
		t, _ := a.name(n.Value)
		return t
	case *ast.UnaryNode:
		switch n.Operator {
		case "!", "not", "-":
			return flip(a.node(n.Node))
		case "+":
			return a.node(n.Node)
		}
	case *ast.BinaryNode:
		l, r := n.Left, n.Right
		if (n.Operator == "+" || n.Operator == "-" || n.Operator == "*") && (huge(l) || huge(r)) {
			return unknown // integer arithmetic that may wrap around: its trend is not its operands'
		}
		switch n.Operator {
		case "+", "&&", "and", "||", "or":
			return join(a.node(l), a.node(r))
		case "-":
			return join(a.node(l), flip(a.node(r)))
		case ">", ">=":
			return join(a.node(l), flip(a.node(r)))
		case "<", "<=":
			return join(flip(a.node(l)), a.node(r))
		case "*":
			if c, ok := number(l); ok {
				return scaled(c, a.node(r))
			}
			if c, ok := number(r); ok {
				return scaled(c, a.node(l))
			}
		case "/":
			if c, ok := number(r); ok && c != 0 {
				return scaled(c, a.node(l))
			}
		case "==", "!=":
			// A count of events (never below 0, only falling) equal to 0:
			// once it is, it stays.
			x := l
			if c, ok := number(l); ok && c == 0 {
				x = r
			} else if c, ok := number(r); !ok || c != 0 {
				break
			}
			if !a.count(x) {
				break
			}
			if n.Operator == "==" {
				return rising
			}
			return falling
		}
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok {
			break
		}
		for _, arg := range n.Arguments {
			if a.moves(arg) {
				return unknown
			}
		}
		switch id.Value {
		case "daysSince", "daysSinceLast":
			return rising
		case "events":
			return falling
		}
	}
	return unknown
}

// count reports whether n is an events() count or a sum of them: a whole
// number never below 0 that only falls with time.
func (a *trends) count(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok || id.Value != "events" {
			return false
		}
		for _, arg := range n.Arguments {
			if a.moves(arg) {
				return false
			}
		}
		return true
	case *ast.BinaryNode:
		return n.Operator == "+" && a.count(n.Left) && a.count(n.Right)
	}
	return false
}

// number returns the value of a numeric literal.
// huge reports whether n is a whole number so large (beyond 2^31) that a
// count added to it or multiplied by it may overflow 64 bits.
func huge(n ast.Node) bool {
	c, ok := number(n)
	return ok && math.Abs(c) > 1<<31
}

func number(n ast.Node) (float64, bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return float64(n.Value), true
	case *ast.FloatNode:
		return n.Value, true
	case *ast.UnaryNode:
		if c, ok := number(n.Node); ok {
			switch n.Operator {
			case "-":
				return -c, true
			case "+":
				return c, true
			}
		}
	}
	return 0, false
}

// scaled is the trend of c times a value of trend t.
func scaled(c float64, t trend) trend {
	switch {
	case c > 0:
		return t
	case c < 0:
		return flip(t)
	}
	return steady
}
