package rules

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

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
		apply := norm.apply
		if call.name == "trim" {
			switch b.Operator {
			case "startsWith": // trim(x) startsWith " VP" never holds; "VP " may
				apply = func(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }
			case "endsWith":
				apply = func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }
			case "contains":
				return // trim(x) contains " a b " may hold
			}
		}
		var bad, all []string
		what := quoteList
		switch o := other.(type) {
		case *ast.StringNode:
			all = []string{o.Value}
		case *ast.ArrayNode:
			for _, item := range o.Nodes {
				if s, ok := item.(*ast.StringNode); ok {
					all = append(all, s.Value)
				}
			}
		case *ast.IdentifierNode:
			list := lists[o.Value]
			if list == nil || b.Operator != "in" {
				return
			}
			for _, item := range list.Items {
				all = append(all, item.Value)
			}
			n := len(all)
			what = func(items []string) string {
				s := "the items " + quoteList(items) + " of list " + o.Value
				if len(items) == n {
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
		for _, v := range all {
			if apply(v) != v {
				bad = append(bad, v)
			}
		}
		if len(bad) == 0 {
			return
		}
		verb := map[string]string{"==": "equals", "!=": "differs from", "in": "equals", "contains": "contains", "startsWith": "starts with", "endsWith": "ends with"}[b.Operator]
		never := "never " + verb
		if b.Operator == "!=" {
			never = "always differs from"
		}
		// An item whose normal form is in the list too is only redundant.
		var fixed, redundant []string
		for _, v := range bad {
			switch f := apply(v); {
			case slices.Contains(all, f):
				redundant = append(redundant, v)
			case f != "" && !slices.Contains(fixed, f):
				fixed = append(fixed, f)
			}
		}
		says := call.text + " " + norm.says
		if call.name == "emailDomain" {
			says = call.text + " gives the domain in lower case"
		}
		var fix []string
		if len(fixed) > 0 {
			fix = append(fix, "write "+quoteList(fixed))
		}
		if len(redundant) > 0 {
			fix = append(fix, fmt.Sprintf("remove %s, which the list already holds as %s", quoteList(redundant), quoteList(mapStrings(redundant, apply))))
		}
		if len(fix) == 0 {
			fix = append(fix, "remove the comparison, which holds for no lead")
			if b.Operator == "!=" {
				fix[0] = "remove the comparison, which holds for every lead"
			}
		}
		advice := strings.Join(fix, ", and ")
		if call.name != "emailDomain" && len(fixed) > 0 {
			advice += ", or compare without " + call.name + "()"
		}
		l.warn(e.PosAt(other.Location().From), "%s, so it %s %s; %s", says, never, what(bad), advice)
	})
}

func mapStrings(items []string, f func(string) string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = f(s)
	}
	return out
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
