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
// the expression, offset that of the operator in it. A rewrite is offered
// only when it compiles and keeps the meaning: the operator's direction, a
// not before it and the type of each side.
func (c *compiler) mismatchHint(text string, offset int, op, left, right string) string {
	n := binaryAt(text, offset, op)
	if n == nil {
		return ""
	}
	switch op {
	case "or", "||", "and", "&&":
		return c.joinHint(n, left, right)
	case "in":
		return c.inHint(n, left, right, negatedAt(text, offset))
	case "<", "<=", ">", ">=", "==", "!=":
		return timeHint(n, left, right)
	}
	return ""
}

// negatedAt reports whether the operator at offset of text is preceded by
// not (x not in list).
func negatedAt(text string, offset int) bool {
	src := []rune(text)
	if offset > len(src) {
		return false
	}
	before := strings.TrimRight(string(src[:offset]), " \t\n")
	return strings.HasSuffix(before, " not") || before == "not"
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
	and := n.Operator == "and" || n.Operator == "&&"
	if _, ok := value.(*ast.NilNode); ok {
		return fmt.Sprintf("%s joins two conditions, each true or false, and nil is no value at all, not a condition", n.Operator)
	}
	what := fmt.Sprintf("%s joins two conditions, each true or false, and %s is %s, not a condition", n.Operator, value, typeName(vt))
	kind := constKind(value)
	if kind == "" {
		if test := c.presenceTest(value, vt); test != "" {
			return what + "; to test that it has a value, write " + test
		}
		return what
	}
	subject, op, values := comparisons(other, c)
	if subject == nil || !allKind(values, kind) {
		return what
	}
	all := []string{}
	for _, v := range append(values, value) {
		all = append(all, v.String())
	}
	switch {
	case op == "==" && !and:
		return fmt.Sprintf("%s; to match any of several values, write %s in [%s]", what, subject, strings.Join(all, ", "))
	case op == "==" && and:
		return fmt.Sprintf("%s; %s holds one value, so it never equals both %s: to match either, write %s in [%s]", what, subject, strings.Join(all, " and "), subject, strings.Join(all, ", "))
	case op == "!=" && and:
		return fmt.Sprintf("%s; to match none of several values, write %s not in [%s]", what, subject, strings.Join(all, ", "))
	case op == "in":
		return fmt.Sprintf("%s; compare it too, such as: %s == %s", what, subject, value)
	case op == "<" || op == "<=" || op == ">" || op == ">=":
		return fmt.Sprintf("%s; compare it too, such as: %s %s %s", what, subject, op, value)
	}
	return what
}

// presenceTest is the condition that a value of type t (a Go type name)
// has one, when there is one: x != "", x > 0, len(x) > 0, has(x).
func (c *compiler) presenceTest(value ast.Node, t string) string {
	switch {
	case t == "string":
		return value.String() + ` != ""`
	case t == "int" || t == "float64":
		return value.String() + " > 0"
	case strings.HasPrefix(t, "[]"):
		return "len(" + value.String() + ") > 0"
	case t == "time.Time":
		if id, ok := value.(*ast.IdentifierNode); ok {
			if _, field := c.m.fieldIndex[id.Value]; field {
				return "has(" + id.Value + ")"
			}
		}
	}
	return ""
}

// comparisons reads the condition on the other side of or (and) as what it
// compares, the operator and the constants: x == "a" (or x == "a" or x ==
// "b", x != "a" and x != "b"), x >= 60, x in ["a", "b"] or x in a_list;
// nil when it is none of those.
func comparisons(n ast.Node, c *compiler) (ast.Node, string, []ast.Node) {
	b, ok := n.(*ast.BinaryNode)
	if !ok {
		return nil, "", nil
	}
	switch b.Operator {
	case "==", "!=", "<", "<=", ">", ">=":
		if constKind(b.Right) != "" {
			return b.Left, b.Operator, []ast.Node{b.Right}
		}
	case "in":
		switch r := b.Right.(type) {
		case *ast.ArrayNode:
			return b.Left, "in", r.Nodes
		case *ast.IdentifierNode:
			if _, ok := c.lists[r.Value]; ok {
				return b.Left, "in", []ast.Node{&ast.StringNode{}}
			}
		}
	case "or", "||", "and", "&&":
		x, xop, a := comparisons(b.Left, c)
		y, yop, bs := comparisons(b.Right, c)
		want := map[string]string{"or": "==", "||": "==", "and": "!=", "&&": "!="}[b.Operator]
		if x != nil && y != nil && xop == want && yop == want && x.String() == y.String() {
			return x, want, append(a, bs...)
		}
	}
	return nil, "", nil
}

// constKind says whether n is a constant text or number ("text",
// "number"), or "" when it is not a constant.
func constKind(n ast.Node) string {
	switch x := n.(type) {
	case *ast.StringNode:
		return "text"
	case *ast.IntegerNode, *ast.FloatNode:
		return "number"
	case *ast.UnaryNode:
		if x.Operator == "-" || x.Operator == "+" {
			if constKind(x.Node) == "number" {
				return "number"
			}
		}
	}
	return ""
}

// allKind reports whether the constants are all of the kind.
func allKind(values []ast.Node, kind string) bool {
	for _, v := range values {
		if constKind(v) != kind {
			return false
		}
	}
	return len(values) > 0
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
	return constKind(n) != ""
}

// inHint: in looks for a value in a list, and the right side is not a list,
// as in country in "United States, Canada". The rewrite keeps a not before
// in and fits the left side's type: numbers stay numbers, a list on the
// left is looked into, text within text is contains.
func (c *compiler) inHint(n *ast.BinaryNode, left, right string, negated bool) string {
	in, eq, not := "in", "==", ""
	if negated {
		in, eq, not = "not in", "!=", "not "
	}
	intro := fmt.Sprintf("%s looks for a value in a list, and %s is ", in, n.Right)
	numeric := left == "int" || left == "float64"
	if strings.HasPrefix(left, "[]") {
		// A list on the left: the value looked for is on the right.
		msg := fmt.Sprintf("%s looks for the value on its left in the list on its right, and %s is a list", in, n.Left)
		s, isText := n.Right.(*ast.StringNode)
		switch {
		case isText:
			// any(tags, {# in [...]}): no quote first and no " #", so it
			// can be written in YAML as it is.
			items := splitItems(s.Value, false)
			fn := map[bool]string{false: "any", true: "none"}[negated]
			if len(items) == 1 {
				return fmt.Sprintf("%s; to ask whether it holds %s, write %s(%s, {# == %s})", msg, items[0], fn, n.Left, items[0])
			}
			if len(items) > 1 {
				return fmt.Sprintf("%s; to ask whether it holds %s of these, write %s(%s, {# in [%s]})", msg, fn, fn, n.Left, strings.Join(items, ", "))
			}
		case right == "string":
			return fmt.Sprintf("%s: write %s %s %s", msg, n.Right, in, n.Left)
		}
		return msg
	}
	switch r := n.Right.(type) {
	case *ast.StringNode:
		intro += "one piece of text"
		switch {
		case left == "string":
			items := splitItems(r.Value, false)
			if len(items) == 0 {
				return intro + "; write a list in square brackets, or name a list declared under lists"
			}
			msg := fmt.Sprintf("%s; write a list in square brackets: %s %s [%s]", intro, n.Left, in, strings.Join(items, ", "))
			if len(items) == 1 {
				msg += fmt.Sprintf(" (or compare: %s %s %s)", n.Left, eq, items[0])
			}
			return msg + ", or name a list declared under lists"
		case numeric:
			msg := fmt.Sprintf("%s, and %s is %s", intro, n.Left, typeName(left))
			items := splitItems(r.Value, true)
			if len(items) == 0 {
				return msg + "; write a list of numbers in square brackets, without quotes"
			}
			msg += fmt.Sprintf("; write a list of numbers in square brackets, without quotes: %s %s [%s]", n.Left, in, strings.Join(items, ", "))
			if len(items) == 1 {
				msg += fmt.Sprintf(" (or compare: %s %s %s)", n.Left, eq, items[0])
			}
			return msg
		case left == "bool":
			return fmt.Sprintf("%s, and %s is true or false (bool), not a value to look up; write %s%s alone for it being true", intro, n.Left, not, n.Left)
		}
		return fmt.Sprintf("%s, and %s is %s, which no list of text holds", intro, n.Left, typeName(left))
	case *ast.IntegerNode, *ast.FloatNode:
		if numeric {
			return fmt.Sprintf("%sone number; compare: %s %s %s", intro, n.Left, eq, n.Right)
		}
	}
	if right == "string" && left == "string" {
		return fmt.Sprintf("%stext (string); to look for text within text, write %s %scontains %s", intro, n.Right, not, n.Left)
	}
	if left == "string" {
		return fmt.Sprintf("%s%s; name a list declared under lists, or write one in square brackets, such as: %s %s [\"US\", \"CA\"]", intro, typeName(right), n.Left, in)
	}
	return fmt.Sprintf("%s%s; name a list declared under lists, or write one in square brackets", intro, typeName(right))
}

// splitItems splits "a, b" into the quoted items "a", "b"; numbers leaves
// them unquoted and gives none unless every item is a number.
func splitItems(s string, numbers bool) []string {
	var items []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !numbers {
			items = append(items, strconv.Quote(part))
			continue
		}
		if _, err := strconv.ParseFloat(part, 64); err != nil {
			return nil
		}
		items = append(items, part)
	}
	return items
}

// flipped is the operator that says the same with its operands swapped.
var flipped = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

// timeMeaning says what t OP date(...) holds for.
var timeMeaning = map[string]string{"<": "before", "<=": "at or before", ">": "after", ">=": "at or after", "==": "at exactly", "!=": "at any moment but"}

// timeHint: a time compared with text or a number, as in
// created_at < "2026-08-01" or created_at > 30. The advice is written with
// the time on the left (the operator flipped when it was on the right) and
// says what each form holds for, as a number of days is not a time: a
// larger daysSince is an earlier time.
func timeHint(n *ast.BinaryNode, left, right string) string {
	t, other, otherType, op := n.Left, n.Right, right, n.Operator
	if right == "time.Time" && left != "time.Time" {
		t, other, otherType, op = n.Right, n.Left, left, flipped[n.Operator]
	} else if left != "time.Time" {
		return ""
	}
	date := `"2026-08-01"`
	if s, ok := other.(*ast.StringNode); ok && validDate(s.Value) {
		date = s.String()
	}
	dateOp, exact := op, ""
	if op == "==" || op == "!=" {
		dateOp, exact = ">=", " (a time equals a date only at that very second)" // midnight
	}
	withDate := fmt.Sprintf("%s %s date(%s) is true when %s is %s %s%s", t, dateOp, date, t, timeMeaning[dateOp], strings.Trim(date, `"`), exact)
	days := "30"
	if otherType == "int" || otherType == "float64" {
		days = other.String()
		if y, ok := other.(*ast.IntegerNode); ok && y.Value >= 1900 && y.Value <= 2100 {
			// created_at >= 2026 means a year, not days.
			date = fmt.Sprintf(`"%d-01-01"`, y.Value)
			withDate = fmt.Sprintf("%s %s date(%s) is true when %s is %s %d-01-01%s", t, dateOp, date, t, timeMeaning[dateOp], y.Value, exact)
			return fmt.Sprintf("%s cannot compare a time with a number: %s is a time and %s is a number; to compare with the start of the year %d, write a date: %s; or count days with daysSince, such as daysSince(%s) > 30, true when %s is more than 30 days before the time scored",
				n.Operator, t, other, y.Value, withDate, t, t)
		}
	}
	inDays := fmt.Sprintf("daysSince(%s) > %s is true when %s is more than %s days before the time scored, daysSince(%s) <= %s when it is within the last %s days", t, days, t, days, t, days, days)
	switch {
	case otherType == "string":
		return fmt.Sprintf("%s cannot compare a time with text: %s is a time and %s is text; write a date as date(%s): %s; or count days: %s",
			n.Operator, t, other, date, withDate, inDays)
	case otherType == "int" || otherType == "float64":
		return fmt.Sprintf("%s cannot compare a time with a number: %s is a time and %s is a number; to count days, use daysSince: %s; or compare with a date: %s",
			n.Operator, t, other, inDays, withDate)
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
