package rules

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/leadscore/leadscore/dsl"
)

// Lint returns findings that do not stop a model from compiling but that a
// review should look at, each a positioned warning: lists and defines never
// used; rules that can never fire or always fire; stages no lead can reach
// given the categories' caps and the points the rules can give; grades an
// earlier grade shadows; grades that leave some leads without one; rules
// without an owner or a reason; windows and half-lives under an hour (6min
// where 6mo was meant); event rules that keep every event relevant for
// ever (see Model.Horizon).
func Lint(m *Model) dsl.Diagnostics {
	l := &linter{m: m, doc: m.Document}
	l.unused()
	for _, r := range m.Rules {
		l.rule(r)
	}
	for _, g := range m.Gates {
		l.rule(g)
	}
	l.caseMismatches()
	l.shortDurations()
	l.horizon()
	l.grades()
	l.stages()
	l.lintHandoff()
	l.lintHoldout()
	l.diags.Sort()
	return l.diags
}

type linter struct {
	m     *Model
	doc   *dsl.Document
	diags dsl.Diagnostics
}

func (l *linter) warn(pos dsl.Pos, format string, args ...any) {
	l.diags = append(l.diags, l.doc.Warn(pos, fmt.Sprintf(format, args...)))
}

// eachNode calls fn for every node of every expression of the document,
// with the expression it is in.
func (l *linter) eachNode(fn func(e *dsl.Expr, n ast.Node)) {
	visit := func(e *dsl.Expr) {
		if e == nil {
			return
		}
		tree, err := parser.Parse(e.Text)
		if err != nil {
			return
		}
		ast.Find(tree.Node, func(n ast.Node) bool {
			fn(e, n)
			return false
		})
	}
	d := l.doc
	for _, df := range d.Defines {
		visit(df.Expr)
	}
	for _, r := range d.Rules {
		visit(r.When)
	}
	visit(d.Total)
	for _, g := range d.Grades {
		visit(g.When)
	}
	for _, s := range d.Stages {
		visit(s.When)
	}
	if a := d.Accounts; a != nil { // the accounts section reads lists and defines too
		visit(a.Total)
		for _, r := range a.Roles {
			visit(r.When)
		}
		if a.Engaged != nil {
			visit(a.Engaged.When)
		}
		for _, r := range a.Rules {
			visit(r.When)
		}
		for _, g := range a.Grades {
			visit(g.When)
		}
		for _, s := range a.Stages {
			visit(s.When)
		}
	}
}

// unused reports lists and defines no expression names.
func (l *linter) unused() {
	used := map[string]bool{}
	l.eachNode(func(_ *dsl.Expr, n ast.Node) {
		if id, ok := n.(*ast.IdentifierNode); ok {
			used[id.Value] = true
		}
	})
	d := l.doc
	if d.Accounts != nil && d.Accounts.Match.FreeMail.Value != "" {
		used[d.Accounts.Match.FreeMail.Value] = true // the free-mail domains accounts never match
	}
	for _, list := range d.Lists {
		if !used[list.Name.Value] {
			l.warn(list.Name.Pos, "list %s is never used; remove it, or use it in a rule", list.Name.Value)
		}
	}
	for _, df := range d.Defines {
		if !used[df.Name.Value] {
			l.warn(df.Name.Pos, "define %s is never used; remove it, or use it in a rule or stage", df.Name.Value)
		}
	}
}

// hugePoints is where points are too large for sums to keep every digit:
// a float64 holds whole numbers exactly up to 2^53, about 9e15, and a
// category adds many rules' points, some times many events.
const hugePoints = 1e12

func (l *linter) rule(r *Rule) {
	kind := "rule"
	if r.IsGate() {
		kind = "gate"
	}
	if r.Owner == "" {
		l.warn(r.Pos, "%s %s has no owner; say which team answers for it, such as owner: sales", kind, r.ID)
	}
	if r.Reason == "" && !r.IsGate() {
		l.warn(r.Pos, "rule %s has no reason; say in a few words why it gives points, for the people who read the scores", r.ID)
	}
	if math.Abs(r.Points) >= hugePoints {
		l.warn(r.Pos, "rule %s gives %g points: a sum of points this large loses digits, and may come out differently (or overflow to infinity, failing the lead) with the rules in another order; keep points within a million", r.ID, r.Points)
	}
	if r.When == nil {
		if !r.IsEvent() {
			l.warn(r.Pos, "%s %s has no when, so it fires for every lead", kind, r.ID)
		}
		return
	}
	switch v := l.constant(r.When.Clause); {
	case v == nil:
	case *v && r.IsEvent():
		l.warn(r.When.Pos, "the when of %s %s is always true; drop it, the event type alone decides", kind, r.ID)
	case *v:
		l.warn(r.When.Pos, "%s %s always fires: its condition is true whatever the lead", kind, r.ID)
	default:
		l.warn(r.When.Pos, "%s %s can never fire: its condition is false whatever the lead", kind, r.ID)
	}
	if why := contradiction(r.When.Clause); why != "" {
		l.warn(r.When.Pos, "%s %s can never fire: %s", kind, r.ID, why)
	}
}

// constant returns the value of a condition that does not depend on the
// lead, or nil. A leaf is constant when it reads nothing and calls no
// function that reads the lead or its events.
func (l *linter) constant(c *Clause) *bool {
	switch c.Op {
	case "":
		if len(c.Reads) > 0 || readsFrame(c.Source) {
			return nil
		}
		env := l.m.newEvaluator()
		env.Begin(time.Time{}, nil)
		env.BindMap(nil)
		v, err := env.Bool(c.Leaf)
		if err != nil {
			return nil
		}
		return &v
	case "not":
		if v := l.constant(c.Parts[0]); v != nil {
			n := !*v
			return &n
		}
		return nil
	}
	decisive := c.Op == "or" // true decides an or, false an and
	all := true
	for _, p := range c.Parts {
		v := l.constant(p)
		if v != nil && *v == decisive {
			return &decisive
		}
		all = all && v != nil
	}
	if all {
		other := !decisive
		return &other
	}
	return nil
}

var frameCallRE = regexp.MustCompile(`\b(has|daysSince|events|daysSinceLast)\s*\(`)

func readsFrame(src string) bool { return frameCallRE.MatchString(src) }

var boundRE = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|>|<=|<|==)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$`)

// contradiction finds numeric bounds on one name, in the parts of an and,
// that no value meets: employees >= 1000 && employees < 50.
func contradiction(c *Clause) string {
	if c.Op != "and" {
		return ""
	}
	lo, hi := map[string]float64{}, map[string]float64{}
	loSrc, hiSrc := map[string]string{}, map[string]string{}
	for _, p := range c.Parts {
		mt := boundRE.FindStringSubmatch(p.Source)
		if mt == nil {
			continue
		}
		name, op := mt[1], mt[2]
		v, _ := strconv.ParseFloat(mt[3], 64)
		if _, ok := lo[name]; !ok {
			lo[name], hi[name] = math.Inf(-1), math.Inf(1)
		}
		src := strings.TrimSpace(p.Source)
		switch op {
		case ">=", ">", "==":
			if op == ">" {
				v = math.Nextafter(v, math.Inf(1))
			}
			if v > lo[name] {
				lo[name], loSrc[name] = v, src
			}
			if op != "==" {
				break
			}
			fallthrough
		case "<=", "<":
			w, _ := strconv.ParseFloat(mt[3], 64)
			if op == "<" {
				w = math.Nextafter(w, math.Inf(-1))
			}
			if w < hi[name] {
				hi[name], hiSrc[name] = w, src
			}
		}
		if lo[name] > hi[name] {
			return fmt.Sprintf("%s and %s cannot both hold", loSrc[name], hiSrc[name])
		}
	}
	return ""
}

// reach is the most a category can score: its max, or the sum of the
// positive points its rules can give, whichever is lower. An event rule
// without a limit can give without end.
func (l *linter) reach(cat *Category) float64 {
	sum := 0.0
	for _, r := range l.m.Rules {
		if r.Category != cat || r.Points <= 0 {
			continue
		}
		switch {
		case !r.IsEvent():
			sum += r.Points
		case r.Limit > 0:
			sum += r.Points * float64(r.Limit)
		default:
			return cat.Max
		}
	}
	return math.Min(sum, cat.Max)
}

// stages reports stages whose thresholds no lead can meet.
func (l *linter) stages() {
	for _, s := range l.m.Stages {
		for _, leaf := range leaves(s.When.Clause) {
			mt := boundRE.FindStringSubmatch(leaf.Source)
			if mt == nil || (mt[2] != ">=" && mt[2] != ">") {
				continue
			}
			want, _ := strconv.ParseFloat(mt[3], 64)
			var most float64
			if cat := l.m.Category(mt[1]); cat != nil {
				most = l.reach(cat)
			} else if mt[1] == "total" && l.m.Total == nil {
				for _, cat := range l.m.Categories {
					most += l.reach(cat)
				}
			} else {
				continue
			}
			if want > most || (mt[2] == ">" && want == most) {
				l.warn(leaf.Pos, "stage %s cannot be reached: %s asks for more than the %s points the rules can give", s.ID, strings.TrimSpace(leaf.Source), trimFloat(most))
			}
		}
	}
}

// leaves returns the parts a condition needs: the leaves of its ands.
func leaves(c *Clause) []*Clause {
	switch c.Op {
	case "":
		return []*Clause{c}
	case "and":
		var out []*Clause
		for _, p := range c.Parts {
			out = append(out, leaves(p)...)
		}
		return out
	}
	return nil // a part of an or or a not is not needed on its own
}

// shortDurations reports windows and half-lives under an hour: a rule file
// that says 30min most likely meant 30 days or months.
func (l *linter) shortDurations() {
	short := func(pos dsl.Pos, what string, d time.Duration) {
		if d > 0 && d < time.Hour {
			l.warn(pos, "%s %s is under an hour; windows and half-lives are usually days (d), weeks (w) or months (mo)", what, dsl.FormatDuration(d))
		}
	}
	for _, r := range l.doc.Rules {
		if r.Within != nil {
			short(r.Within.Pos, "the window of rule "+r.ID.Value+",", r.Within.Value)
		}
		if r.HalfLife != nil {
			short(r.HalfLife.Pos, "the half-life of rule "+r.ID.Value+",", r.HalfLife.Value)
		}
	}
	l.eachNode(func(e *dsl.Expr, n ast.Node) {
		call, ok := n.(*ast.CallNode)
		if !ok || len(call.Arguments) != 2 {
			return
		}
		if id, ok := call.Callee.(*ast.IdentifierNode); !ok || id.Value != "events" {
			return
		}
		if s, ok := call.Arguments[1].(*ast.StringNode); ok {
			if d, err := dsl.ParseDuration(s.Value); err == nil {
				short(e.PosAt(s.Location().From), "the window", d)
			}
		}
	})
}

// grades reports grades an earlier one shadows: with "fit >= 20" before
// "fit >= 40", no lead ever gets the second.
func (l *linter) grades() {
	type bound struct {
		name, op string
		v        float64
		grade    string
	}
	var seen []bound
	for _, g := range l.m.Grades {
		if g.When == nil {
			continue
		}
		mt := boundRE.FindStringSubmatch(g.When.Source)
		if mt == nil {
			continue
		}
		v, _ := strconv.ParseFloat(mt[3], 64)
		b := bound{mt[1], mt[2], v, g.Name}
		for _, e := range seen {
			if e.name == b.name && e.op == b.op && (e.op == ">=" || e.op == ">") && e.v <= b.v {
				l.warn(g.When.Pos, "grade %s can never be given: grade %s comes first and asks for less (%s %s %s)", g.Name, e.grade, e.name, e.op, trimFloat(e.v))
				break
			}
		}
		seen = append(seen, b)
	}
	if n := len(l.m.Grades); n > 0 && l.m.Grades[n-1].When != nil {
		last := l.doc.Grades[n-1]
		l.warn(last.Grade.Pos, "no grade catches every lead: a lead for which no grade holds gets none; end the list with a grade without when, such as {grade: D}")
	}
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
