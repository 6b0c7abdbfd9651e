package rules

import (
	"fmt"
	"strings"

	"github.com/expr-lang/expr/ast"

	"github.com/leadscore/leadscore/dsl"
)

// normalisers are the functions whose result has a shape a constant must
// share to match it: lower(x) is never "VP".
var normalisers = map[string]struct {
	apply func(string) string
	says  string
}{
	"lower":       {strings.ToLower, "is in lower case"},
	"emailDomain": {strings.ToLower, "is in lower case"},
	"upper":       {strings.ToUpper, "is in upper case"},
	"trim":        {strings.TrimSpace, "has no spaces at its ends"},
}

// caseMismatches reports a normalised value compared with constants or list
// items it can never equal or contain: lower(country) in a list of
// capitalised names holds for no lead.
func (l *linter) caseMismatches() {
	lists := map[string]*dsl.List{}
	for _, list := range l.doc.Lists {
		lists[list.Name.Value] = list
	}
	l.eachNode(func(e *dsl.Expr, n ast.Node) {
		b, ok := n.(*ast.BinaryNode)
		if !ok {
			return
		}
		call, other := normaliser(b.Left), b.Right
		switch b.Operator {
		case "==", "!=":
			if call == nil {
				call, other = normaliser(b.Right), b.Left
			}
		case "in", "contains", "startsWith", "endsWith":
		default:
			return
		}
		if call == nil {
			return
		}
		norm := normalisers[call.name]
		if call.name == "trim" && b.Operator != "==" && b.Operator != "!=" && b.Operator != "in" {
			return // trim(x) contains " a b " may hold
		}
		var bad []string
		what := quoteList
		switch o := other.(type) {
		case *ast.StringNode:
			if norm.apply(o.Value) != o.Value {
				bad = append(bad, o.Value)
			}
		case *ast.ArrayNode:
			for _, item := range o.Nodes {
				if s, ok := item.(*ast.StringNode); ok && norm.apply(s.Value) != s.Value {
					bad = append(bad, s.Value)
				}
			}
		case *ast.IdentifierNode:
			list := lists[o.Value]
			if list == nil || b.Operator != "in" {
				return
			}
			all := 0
			for _, item := range list.Items {
				all++
				if norm.apply(item.Value) != item.Value {
					bad = append(bad, item.Value)
				}
			}
			what = func(items []string) string {
				s := "the items " + quoteList(items) + " of list " + o.Value
				if len(items) == all {
					s = "any item of list " + o.Value + " (" + quoteList(items) + ")"
				}
				if len(items) == 1 {
					s = "the item " + quoteList(items) + " of list " + o.Value
				}
				return s
			}
		default:
			return
		}
		if len(bad) == 0 {
			return
		}
		verb := map[string]string{"==": "equals", "!=": "differs from", "in": "equals", "contains": "contains", "startsWith": "starts with", "endsWith": "ends with"}[b.Operator]
		never := "never " + verb
		if b.Operator == "!=" {
			never = "always differs from"
		}
		fixed := make([]string, len(bad))
		for i, s := range bad {
			fixed[i] = norm.apply(s)
		}
		l.warn(e.PosAt(other.Location().From), "%s %s, so it %s %s; write %s, or compare without %s()",
			call.text, norm.says, never, what(bad), quoteList(fixed), call.name)
	})
}

type normalCall struct{ name, text string }

// normaliser returns the normalising call n is, or nil.
func normaliser(n ast.Node) *normalCall {
	switch c := n.(type) {
	case *ast.BuiltinNode:
		if _, ok := normalisers[c.Name]; ok && c.Name != "emailDomain" {
			return &normalCall{c.Name, c.String()}
		}
	case *ast.CallNode:
		if id, ok := c.Callee.(*ast.IdentifierNode); ok && id.Value == "emailDomain" {
			return &normalCall{id.Value, c.String()}
		}
	}
	return nil
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
