package rules

import (
	"testing"

	"github.com/expr-lang/expr/ast"
)

func TestZZDebugFast(t *testing.T) {
	m, err := CompileFile("../testdata/b2b-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Defines {
		t.Logf("define %s fast=%v", d.Name, d.Expr.fast != nil)
	}
	for _, r := range append(m.Gates, m.Rules...) {
		if r.When != nil {
			t.Logf("rule %s fast=%v", r.ID, r.When.fast != nil)
		}
	}
	for _, g := range m.Grades {
		t.Logf("grade %s fast=%v", g.Name, g.When == nil || g.When.fast != nil)
	}
	for _, s := range m.Stages {
		t.Logf("stage %s fast=%v", s.ID, s.When.fast != nil)
	}
	t.Log(m.leadFast, m.ladderFast)
}

func TestZZDebugNode(t *testing.T) {
	m, _ := CompileFile("../testdata/b2b-saas.yaml")
	r := m.Rule("engagement.gone-quiet")
	var walk func(n ast.Node, d int)
	walk = func(n ast.Node, d int) {
		fc := &fastCompiler{m: m}
		_, ok := fc.node(n)
		t.Logf("%*s%T %v type=%v ok=%v", d*2, "", n, n, n.Type(), ok)
		switch x := n.(type) {
		case *ast.BinaryNode:
			walk(x.Left, d+1)
			walk(x.Right, d+1)
		case *ast.CallNode:
			for _, a := range x.Arguments {
				walk(a, d+1)
			}
		}
	}
	walk(r.When.program.Node(), 0)
}
