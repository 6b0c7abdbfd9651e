package stream

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// fingerprint sums up the parts of the model a state's content depends on:
// the event aggregates (by slot), the event rules and gates (their types,
// conditions, limits and windows, in slot order), the declared event fields
// and the lists the conditions decided on arrival read. Points, decay,
// categories, lead rules, grades and stages are not among them: they are
// applied when a state is scored, so changing them keeps stored states
// valid.
func fingerprint(sc *Scorer) string {
	var b strings.Builder
	b.WriteString("leadscore stream state 1\n")
	for _, a := range sc.aggs {
		fmt.Fprintf(&b, "aggregate %q %d %v\n", a.Type, a.Window, a.Last)
	}
	lists := map[string][]string{}
	if doc := sc.m.Document; doc != nil {
		for _, l := range doc.Lists {
			items := make([]string, len(l.Items))
			for i, it := range l.Items {
				items[i] = it.Value
			}
			lists[l.Name.Value] = items
		}
	}
	for slot, r := range sc.rules {
		when := ""
		if r.When != nil {
			when = r.When.Source
		}
		fmt.Fprintf(&b, "rule %q gate=%v types=%q when=%q limit=%d within=%d kind=%d\n", r.ID, r.IsGate(), r.Events, when, r.Limit, r.Within, sc.kind[slot])
		if sc.kind[slot] == onArrival && r.When != nil {
			for _, name := range identifiers(r.When.Source) {
				if items, ok := lists[name]; ok {
					fmt.Fprintf(&b, "list %q %q\n", name, items)
				}
			}
		}
	}
	for _, f := range sc.m.EventFields {
		fmt.Fprintf(&b, "event field %q %v\n", f.Name, f.Type)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// identifiers lists the names an expression reads, sorted, each once.
func identifiers(src string) []string {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	var out []string
	ast.Find(tree.Node, func(n ast.Node) bool {
		if id, ok := n.(*ast.IdentifierNode); ok {
			out = append(out, id.Value)
		}
		return false
	})
	slices.Sort(out)
	return slices.Compact(out)
}
