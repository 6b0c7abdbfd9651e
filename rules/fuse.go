package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/types"

	"github.com/leadscore/leadscore/dsl"
)

// Scoring a lead runs two kinds of program. Each expression of the rule
// file is compiled on its own (Define.Expr, Rule.When, ...), for
// explanations and for positioned errors. And the expressions of each phase
// of scoring are also fused into one program, so that a lead costs two VM
// runs plus its event filters instead of one run per define, gate, rule,
// grade and stage:
//
//	lead phase:   let d1 = (...); let d2 = (...); [d1, d2, gate1, ..., rule1, ...]
//	ladder phase: let grade = (g1) ? "A" : (g2) ? "B" : "C"; [grade, stage1, stage2, ...]
//
// The fused programs compute exactly what the separate ones do (the tests
// check it lead by lead). When a fused program fails at run time, the
// separate programs are run to find and report the expression that failed.

// fusedPhases holds the fused programs; nil fields mean "run separately".
type fusedPhases struct {
	lead   *Expr
	ladder *Expr
	// leadGates and leadRules are the non-event gates and rules in the
	// order of the lead phase's result, after the defines.
	leadGates []*Rule
	leadRules []*Rule
}

// part wraps an expression's text so that comments and line breaks in it
// cannot swallow what follows.
func part(src string) string { return "(\n" + src + "\n)" }

func (c *compiler) fuse() {
	m := c.m
	if c.broken || c.diags.HasErrors() || c.doc.Check().HasErrors() {
		return // a model with errors is never run; nothing to fuse
	}
	for _, s := range m.Stages {
		if s.When == nil {
			return
		}
	}
	var b strings.Builder
	var items []string
	for _, d := range m.Defines {
		fmt.Fprintf(&b, "let %s = %s; ", d.Name, part(d.Expr.Source))
		items = append(items, d.Name)
	}
	for _, g := range m.Gates {
		if g.IsEvent() {
			continue
		}
		if g.When == nil {
			return // a lead gate always has a condition; decoding said so if not
		}
		m.fused.leadGates = append(m.fused.leadGates, g)
		items = append(items, part(g.When.Source))
	}
	for _, r := range m.Rules {
		if r.IsEvent() {
			continue
		}
		m.fused.leadRules = append(m.fused.leadRules, r)
		if r.When == nil {
			items = append(items, "true")
		} else {
			items = append(items, part(r.When.Source))
		}
	}
	b.WriteString("[" + strings.Join(items, ", ") + "]")
	// Against the fields alone: the lets declare the defines (expr refuses
	// to redeclare a name the environment has).
	m.fused.lead = c.fusedProgram(b.String(), c.base)

	b.Reset()
	b.WriteString("let grade = ")
	closed := false
	for _, g := range m.Grades {
		if g.When == nil {
			b.WriteString(strconv.Quote(g.Name))
			closed = true
			break
		}
		fmt.Fprintf(&b, "%s ? %s : ", part(g.When.Source), strconv.Quote(g.Name))
	}
	if !closed {
		b.WriteString(`""`)
	}
	b.WriteString("; [grade")
	for _, s := range m.Stages {
		b.WriteString(", " + part(s.When.Source))
	}
	b.WriteString("]")
	m.fused.ladder = c.fusedProgram(b.String(), c.scored)
}

// fusedProgram compiles a fused phase; nil (run separately) if it does not
// compile, which the separate programs make unexpected.
func (c *compiler) fusedProgram(src string, env types.Map) *Expr {
	p := &patcher{c: c, scope: &scope{env: env}}
	nodes := uint(MaxExprNodes * (len(c.m.Rules) + len(c.m.Gates) + len(c.m.Defines) + len(c.m.Grades) + len(c.m.Stages) + 1))
	opts := append([]expr.Option{expr.Env(p.scope.env), expr.Patch(p), expr.Patch(&divisions{src: []rune(src)})}, c.opts...)
	program, err := expr.Compile(src, append(opts, expr.MaxNodes(nodes))...)
	if err != nil || len(p.errs) > 0 {
		return nil
	}
	return &Expr{Source: src, program: program, src: dsl.NewExpr(src, dsl.Pos{})}
}
