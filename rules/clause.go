package rules

import (
	"sort"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/leadscore/leadscore/dsl"
)

// Clause is a condition split for explanation: an and, or or not of parts,
// or a leaf (a comparison, a define, a function call, ...) compiled on its
// own. Explanations evaluate the parts left to right, as expr does, so they
// can say which parts were true, which false and which were not evaluated.
type Clause struct {
	Op     string // "and", "or", "not", or "" for a leaf
	Source string
	Pos    dsl.Pos
	Parts  []*Clause
	// Leaf is the leaf's compiled program; nil for and/or/not.
	Leaf *Expr
	// Reads names the variables the leaf reads: lead fields, defines,
	// scores, and event fields as "event.name".
	Reads []string
}

// clauses splits a compiled condition into its clause tree. Where a part
// cannot be compiled on its own, the whole condition is one leaf.
func (c *compiler) clauses(x *Expr, sc *scope) *Clause {
	tree, err := parser.Parse(x.Source)
	if err != nil {
		return c.leaf(x, sc, tree)
	}
	src := []rune(x.Source)
	if cl := c.split(x, sc, tree.Node, src); cl != nil {
		return cl
	}
	return c.leaf(x, sc, tree)
}

// leaf makes the whole expression one leaf.
func (c *compiler) leaf(x *Expr, sc *scope, tree *parser.Tree) *Clause {
	cl := &Clause{Source: x.Source, Pos: x.Pos, Leaf: x}
	if tree != nil {
		cl.Reads = reads(tree.Node, sc)
	}
	return cl
}

func (c *compiler) split(x *Expr, sc *scope, n ast.Node, src []rune) *Clause {
	switch n := n.(type) {
	case *ast.BinaryNode:
		op := map[string]string{"&&": "and", "and": "and", "||": "or", "or": "or"}[n.Operator]
		if op != "" {
			left, right := c.split(x, sc, n.Left, src), c.split(x, sc, n.Right, src)
			if left == nil || right == nil {
				return nil
			}
			from, to := span(n, src)
			cl := &Clause{Op: op, Source: string(src[from:to]), Pos: x.PosAt(from)}
			// a && b && c parses as (a && b) && c: flatten to one list.
			for _, p := range []*Clause{left, right} {
				if p.Op == op {
					cl.Parts = append(cl.Parts, p.Parts...)
				} else {
					cl.Parts = append(cl.Parts, p)
				}
			}
			return cl
		}
	case *ast.UnaryNode:
		if n.Operator == "!" || n.Operator == "not" {
			inner := c.split(x, sc, n.Node, src)
			if inner == nil {
				return nil
			}
			from, to := span(n, src)
			return &Clause{Op: "not", Source: string(src[from:to]), Pos: x.PosAt(from), Parts: []*Clause{inner}}
		}
	}
	from, to := span(n, src)
	text := strings.TrimSpace(string(src[from:to]))
	if text == strings.TrimSpace(x.Source) {
		return &Clause{Source: x.Source, Pos: x.Pos, Leaf: x, Reads: reads(n, sc)}
	}
	// Compile the leaf alone, positioned where it stands in the file.
	sub := &dsl.Expr{Text: text, Pos: x.PosAt(from)}
	if x.src != nil {
		sub = x.src.Slice(from, from+len([]rune(text)))
	}
	quiet := &compiler{doc: c.doc, m: c.m, opts: c.opts, lists: c.lists, eventVars: c.eventVars,
		eventRead: map[string]bool{}, notHere: c.notHere, noClauses: true, limits: c.limits,
		account: c.account, roles: c.roles, leadFields: c.leadFields}
	leaf := quiet.expr(sub, &scope{env: sc.env, event: sc.event, want: "bool", name: sc.name})
	if leaf == nil || quiet.diags.HasErrors() {
		return nil
	}
	return &Clause{Source: text, Pos: sub.Pos, Leaf: leaf, Reads: reads(n, sc)}
}

// span returns the rune range of a node's source: from its first to its
// last token, extended over closing brackets its tokens leave open (expr
// places an array or a call at its first token).
func span(n ast.Node, src []rune) (int, int) {
	from, to := n.Location().From, n.Location().To
	ast.Find(n, func(m ast.Node) bool {
		l := m.Location()
		if l.From < from {
			from = l.From
		}
		if l.To > to {
			to = l.To
		}
		return false
	})
	from, to = max(from, 0), min(to, len(src))
	depth := 0
	var quote rune
	scan := func(c rune) {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		}
	}
	for _, c := range src[from:to] {
		scan(c)
	}
	for depth > 0 && to < len(src) {
		scan(src[to])
		to++
	}
	// A leading "(" whose ")" lies outside the span is not part of it.
	for from < to && src[from] == '(' && depth < 0 {
		from++
		depth++
	}
	return from, to
}

// reads lists the variables a node reads, sorted: identifiers the scope
// declares (not functions, lists or the frame) and event fields.
func reads(n ast.Node, sc *scope) []string {
	seen := map[string]bool{}
	ast.Find(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.IdentifierNode:
			if _, ok := sc.env[m.Value]; ok && !strings.HasPrefix(m.Value, "__") {
				seen[m.Value] = true
			}
		case *ast.CallNode: // an account's people("role") and engaged("role")
			if id, ok := m.Callee.(*ast.IdentifierNode); ok && (id.Value == "people" || id.Value == "engaged") && len(m.Arguments) <= 1 {
				role := ""
				if len(m.Arguments) == 1 {
					str, ok := m.Arguments[0].(*ast.StringNode)
					if !ok {
						break
					}
					role = str.Value
				}
				if name := CountField(id.Value == "engaged", role); sc.env[name] != nil {
					seen[name] = true
				}
			}
		case *ast.MemberNode: // event.campaign, company.size
			if path, ok := memberPath(m); ok {
				if _, ok := sc.env[path]; ok {
					seen[path] = true
				}
			}
		}
		return false
	})
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
