package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"

	"github.com/leadscore/leadscore/dsl"
)

// patcher rewrites an expression's syntax tree before expr type-checks it:
//
//   - a list name becomes the list's constant array, so `industry in
//     target_industries` compiles to a set lookup;
//   - event.campaign becomes the flat variable "event.campaign" (only in an
//     event rule's when), so reading an event field is one map lookup;
//   - has(field) becomes has(__frame, index), and the other functions that
//     need the as-of time or the events get __frame as first argument;
//   - literal durations ("30d") are checked here and passed as nanoseconds;
//   - event types are checked against event_types when the model has them.
//
// Problems found here are recorded with their offset in the expression;
// the compiler reports them in place of expr's own, less specific, errors.
type patcher struct {
	c     *compiler
	scope *scope
	errs  []patchError
	// groups are member nodes that name a group of fields (company.address
	// of company.address.city), until an outer node names the field.
	groups map[ast.Node]string
	// chains records the predicates nested in each predicate (see bound).
	chains map[ast.Node][]string
	// calls counts the builders rewritten, to name their arguments.
	calls int
}

type patchError struct {
	offset int
	msg    string
}

func (p *patcher) errorf(n ast.Node, format string, args ...any) {
	p.errs = append(p.errs, patchError{offset: n.Location().From, msg: fmt.Sprintf(format, args...)})
}

// Visit rewrites one node; expr calls it for every node, children first.
func (p *patcher) Visit(node *ast.Node) {
	defer p.bound(node)
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if strings.HasPrefix(n.Value, "__") {
			p.errorf(n, "names starting with __ are reserved; rename %q", n.Value)
			return
		}
		if items, ok := p.c.lists[n.Value]; ok {
			arr := &ast.ArrayNode{Nodes: make([]ast.Node, len(items))}
			for i, s := range items {
				str := &ast.StringNode{Value: s}
				str.SetLocation(n.Location())
				arr.Nodes[i] = str
			}
			ast.Patch(node, arr)
		}
	case *ast.MemberNode:
		p.member(node, n)
	case *ast.BuiltinNode:
		// date("2026-08-01"): checked here, not on every lead.
		if n.Name == "date" {
			p.date(n)
		}
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if ok && p.c.account && (id.Value == "people" || id.Value == "engaged") {
			p.countCall(node, id.Value, n)
			return
		}
		if !ok || !frameFunctions[id.Value] {
			return
		}
		p.call(id.Value, n)
	}
}

// member rewrites a dotted name: event.campaign (in an event rule) and a
// nested field such as company.size become the flat variables
// "event.campaign" and "company.size", so reading one is one map lookup. A
// part of a longer name (company in company.address.city) is left for the
// outer node; a name that leads nowhere is reported with a did-you-mean.
func (p *patcher) member(node *ast.Node, n *ast.MemberNode) {
	delete(p.groups, n.Node) // the inner part of a longer name
	path, ok := memberPath(n)
	if !ok {
		if id, isID := n.Node.(*ast.IdentifierNode); isID && id.Value == "event" {
			p.errorf(n, "write event fields as event.name, such as event.campaign")
		}
		return
	}
	root, rest, _ := strings.Cut(path, ".")
	switch {
	case root == "event":
		if !p.scope.event {
			p.errorf(n, "event.%s can be read only in the when of an event rule (a rule with event:); to count events here use events(\"type\", \"30d\")", rest)
			return
		}
		if _, ok := p.c.eventVars[rest]; ok {
			p.c.eventRead[rest] = true
			ast.Patch(node, &ast.IdentifierNode{Value: path})
			return
		}
		if isGroup(rest, p.c.eventFieldNames()) {
			p.group(n, "event."+rest)
			return
		}
		if why := p.c.declaredInvalidEvent(rest); why != "" {
			p.errorf(n, "unknown event field %q: %s", rest, why)
			return
		}
		p.errorf(n, "unknown event field %q%s", rest, dsl.DidYouMeanName(rest, validOnly(p.c.eventFieldNames()), "declare it under events"))
	case p.c.groups[root]:
		if _, ok := p.scope.env[path]; ok {
			ast.Patch(node, &ast.IdentifierNode{Value: path})
			return
		}
		names := p.c.fieldNames()
		if isGroup(path, names) {
			p.group(n, path)
			return
		}
		p.errorf(n, "unknown field %q%s", path, dsl.DidYouMeanOr(path, validOnly(nestedIn(root, names)), "declare it under fields"))
	}
}

// group notes a node naming a group of fields: an outer node may name the
// field (company.address, then company.address.city); if none does, done
// reports it.
func (p *patcher) group(n *ast.MemberNode, path string) {
	if p.groups == nil {
		p.groups = map[ast.Node]string{}
	}
	p.groups[n] = path
}

// done reports the groups of fields no outer node completed, once every
// node is visited.
func (p *patcher) done() {
	for n, path := range p.groups {
		names, prefix := p.c.fieldNames(), path+"."
		if rest, ok := strings.CutPrefix(path, "event."); ok {
			names, prefix = p.c.eventFieldNames(), rest+"."
		}
		var example string
		for _, name := range names {
			if strings.HasPrefix(name, prefix) {
				example = path + name[len(prefix)-1:]
				break
			}
		}
		p.errorf(n, "%s is a group of fields, not a value: name one of them, such as %s", path, example)
	}
	p.groups = nil
}

// memberPath returns the dotted name a chain of members spells (a.b.c), or
// false when a part is not a plain name (a[0], a?.b, a[f(x)]).
func memberPath(n *ast.MemberNode) (string, bool) {
	prop, ok := n.Property.(*ast.StringNode)
	if !ok || n.Optional || n.Method {
		return "", false
	}
	switch inner := n.Node.(type) {
	case *ast.IdentifierNode:
		return inner.Value + "." + prop.Value, true
	case *ast.MemberNode:
		if path, ok := memberPath(inner); ok {
			return path + "." + prop.Value, true
		}
	}
	return "", false
}

// isGroup reports whether some name starts with prefix and a dot.
func isGroup(prefix string, names []string) bool {
	for _, name := range names {
		if strings.HasPrefix(name, prefix+".") {
			return true
		}
	}
	return false
}

// nestedIn returns the names in the group root (root.x, root.y.z).
func nestedIn(root string, names []string) []string {
	var out []string
	for _, name := range names {
		if strings.HasPrefix(name, root+".") {
			out = append(out, name)
		}
	}
	return out
}

// call checks and rewrites a call of a function that needs the frame.
func (p *patcher) call(name string, n *ast.CallNode) {
	args := n.Arguments
	frame := &ast.IdentifierNode{Value: frameVar}
	frame.SetLocation(n.Location())
	switch name {
	case "has":
		id, ok := singleIdent(args)
		if !ok {
			p.errorf(n, "has() takes one field name, such as has(employees)")
			return
		}
		i, ok := p.c.m.fieldIndex[id.Value]
		if !ok && p.c.groups[id.Value] {
			p.errorf(args[0], "has() takes a lead field, and %s is a group of fields; name one, such as has(%s)", id.Value, nestedIn(id.Value, p.c.fieldNames())[0])
			return
		}
		if why := p.c.declaredInvalid(id.Value, p.scope); !ok && why != "" {
			p.errorf(args[0], "has() takes a lead field, and %q is not one: %s", id.Value, why)
			return
		}
		if !ok {
			p.errorf(args[0], "has() takes a lead field, and %q is not one%s", id.Value, dsl.DidYouMeanName(id.Value, validOnly(p.c.fieldNames()), ""))
			return
		}
		index := &ast.IntegerNode{Value: i}
		index.SetLocation(args[0].Location())
		n.Arguments = []ast.Node{frame, index}
		return
	case "events", "daysSinceLast":
		maxArgs := 1
		if name == "events" {
			maxArgs = 2
		}
		if len(args) < 1 || len(args) > maxArgs {
			if name == "events" {
				p.errorf(n, `events() takes an event type and an optional window, such as events("webinar_attended", "90d")`)
			} else {
				p.errorf(n, `daysSinceLast() takes an event type, such as daysSinceLast("page_view")`)
			}
			return
		}
		typ, ok := args[0].(*ast.StringNode)
		if !ok {
			p.errorf(args[0], "%s() needs the event type written in quotes, such as \"demo_request\"", name)
			return
		}
		if known := p.c.m.EventTypes; len(known) > 0 && !slices.Contains(known, typ.Value) {
			p.errorf(typ, "unknown event type %q%s", typ.Value, dsl.DidYouMeanName(typ.Value, known, "add it to event_types"))
		}
		var window time.Duration
		if len(args) == 2 {
			s, ok := args[1].(*ast.StringNode)
			if !ok {
				p.errorf(args[1], "the window must be a duration in quotes, such as \"30d\"")
				return
			}
			d, err := dsl.ParseDuration(s.Value)
			if err != nil {
				p.errorf(s, "%v", err)
				return
			}
			window = d
		}
		// The one pass over a lead's events (evaluator.Begin) fills a slot for
		// each distinct type and window; the call reads its slot.
		slot := &ast.IntegerNode{Value: p.c.m.counterSlot(name == "daysSinceLast", typ.Value, window)}
		slot.SetLocation(n.Location())
		n.Arguments = []ast.Node{frame, slot}
		return
	}
	n.Arguments = append([]ast.Node{frame}, args...)
}

func singleIdent(args []ast.Node) (*ast.IdentifierNode, bool) {
	if len(args) != 1 {
		return nil, false
	}
	id, ok := args[0].(*ast.IdentifierNode)
	return id, ok
}
