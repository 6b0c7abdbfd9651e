package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/leadscore/leadscore/dsl"
)

// mismatchHint says what to write instead when an operator's operands
// cannot combine and the intent is recognisable (a value joined with or, a
// list written as text, a date written as text); "" when it is not. text is
// the expression, offset that of the operator in it.
func (c *compiler) mismatchHint(text string, offset int, op, left, right string) string {
	n := binaryAt(text, offset, op)
	if n == nil {
		return ""
	}
	switch op {
	case "or", "||", "and", "&&":
		return c.joinHint(n, left, right)
	case "in", "not in":
		if right == "[]string" || strings.HasPrefix(right, "[]") || strings.HasPrefix(right, "map[") {
			return ""
		}
		return inHint(n, right)
	case "<", "<=", ">", ">=", "==", "!=":
		return timeHint(n, left, right)
	}
	return ""
}

// binaryAt finds the binary operation of operator op at offset of text.
func binaryAt(text string, offset int, op string) *ast.BinaryNode {
	tree, err := parser.Parse(text)
	if err != nil {
		return nil
	}
	f := &binaryFinder{offset: offset, op: op}
	ast.Walk(&tree.Node, f)
	return f.found
}

type binaryFinder struct {
	offset int
	op     string
	found  *ast.BinaryNode
}

func (f *binaryFinder) Visit(node *ast.Node) {
	if n, ok := (*node).(*ast.BinaryNode); ok && f.found == nil && n.Operator == f.op && n.Location().From == f.offset {
		f.found = n
	}
}

// joinHint: or (and) joins conditions, and one side is a value, as in
// job_title == "Analyst" or "Data Engineer".
func (c *compiler) joinHint(n *ast.BinaryNode, left, right string) string {
	value, other, vt := n.Right, n.Left, right
	if left != "bool" && right == "bool" {
		value, other, vt = n.Left, n.Right, left
	}
	what := fmt.Sprintf("%s joins two conditions, each true or false, and %s is %s, not a condition", n.Operator, value, typeName(vt))
	subject, values := equalities(other)
	if !isConstant(value) {
		return what + "; compare it, such as: " + value.String() + ` != ""`
	}
	if subject == nil || !sameKind(value, values) {
		return fmt.Sprintf("%s; compare it, such as: %s == %s", what, c.exampleField(vt), value)
	}
	if n.Operator == "or" || n.Operator == "||" {
		all := []string{}
		for _, v := range append(values, value) {
			all = append(all, v.String())
		}
		return fmt.Sprintf("%s; to match any of several values, write %s in [%s]", what, subject, strings.Join(all, ", "))
	}
	return fmt.Sprintf("%s; compare it too, such as: %s == %s", what, subject, value)
}

// equalities reads x == "a" (or x == "a" or x == "b") as x and its values;
// nil when the node is not that.
func equalities(n ast.Node) (ast.Node, []ast.Node) {
	b, ok := n.(*ast.BinaryNode)
	if !ok {
		return nil, nil
	}
	switch b.Operator {
	case "==":
		if isConstant(b.Right) {
			return b.Left, []ast.Node{b.Right}
		}
	case "or", "||":
		x, a := equalities(b.Left)
		y, bs := equalities(b.Right)
		if x != nil && y != nil && x.String() == y.String() {
			return x, append(a, bs...)
		}
	}
	return nil, nil
}

// sameKind reports whether the constants are all text or all numbers.
func sameKind(value ast.Node, values []ast.Node) bool {
	_, text := value.(*ast.StringNode)
	for _, v := range values {
		if _, t := v.(*ast.StringNode); t != text {
			return false
		}
	}
	return true
}

// exampleField names a lead field of the type t (a Go type name) for an
// example, or a placeholder.
func (c *compiler) exampleField(t string) string {
	want := map[string]dsl.FieldType{"string": dsl.TypeString, "int": dsl.TypeInt, "float64": dsl.TypeFloat}[t]
	for _, f := range c.m.Fields {
		if f.Type == want {
			return f.Name
		}
	}
	return "a_field"
}

func isConstant(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode:
		return true
	}
	return false
}

// inHint: in looks for a value in a list, and the right side is text, as in
// country in "United States, Canada".
func inHint(n *ast.BinaryNode, right string) string {
	s, ok := n.Right.(*ast.StringNode)
	if !ok {
		if right == "string" {
			return fmt.Sprintf("in looks for a value in a list, and %s is text (string); to look for text within text, write %s contains %s", n.Right, n.Right, n.Left)
		}
		return fmt.Sprintf("in looks for a value in a list, and %s is %s; name a list declared under lists, or write one in square brackets, such as: %s in [\"US\", \"CA\"]", n.Right, typeName(right), n.Left)
	}
	var items []string
	for _, part := range strings.Split(s.Value, ",") {
		if part = strings.TrimSpace(part); part != "" {
			items = append(items, strconv.Quote(part))
		}
	}
	if len(items) == 0 {
		items = []string{`"US"`, `"CA"`}
	}
	msg := fmt.Sprintf("in looks for a value in a list, and %s is one piece of text; write a list in square brackets: %s in [%s]", n.Right, n.Left, strings.Join(items, ", "))
	if len(items) == 1 {
		msg += fmt.Sprintf(" (or compare: %s == %s)", n.Left, items[0])
	}
	return msg + ", or name a list declared under lists"
}

// timeHint: a time compared with text or a number, as in
// created_at < "2026-08-01" or created_at > 30.
func timeHint(n *ast.BinaryNode, left, right string) string {
	t, other, otherType := n.Left, n.Right, right
	if right == "time.Time" {
		t, other, otherType = n.Right, n.Left, left
	} else if left != "time.Time" {
		return ""
	}
	date := `"2026-08-01"`
	if s, ok := other.(*ast.StringNode); ok && validDate(s.Value) {
		date = s.String()
	}
	ago := fmt.Sprintf("daysSince(%s) > 30", t)
	switch {
	case otherType == "string":
		return fmt.Sprintf("%s cannot compare a time with text: %s is a time and %s is text; write a date as date(%s), such as: %s %s date(%s), or compare how long ago it was in days, such as: %s",
			n.Operator, t, other, date, t, n.Operator, date, ago)
	case otherType == "int" || otherType == "float64":
		return fmt.Sprintf("%s cannot compare a time with a number: %s is a time and %s is a number; to compare how long ago it was, in days, write daysSince(%s) %s %s (or compare it with a date, such as: %s > date(%s))",
			n.Operator, t, other, t, n.Operator, other, t, date)
	}
	return ""
}

// dateLayouts are the shapes date("...") reads (expr's builtin).
var dateLayouts = []string{"2006-01-02", "15:04:05", "2006-01-02 15:04:05", time.RFC3339, time.RFC822, time.RFC850, time.RFC1123}

// validDate reports whether date("s") reads s.
func validDate(s string) bool {
	for _, layout := range dateLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
