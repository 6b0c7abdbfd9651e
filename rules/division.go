package rules

import (
	"reflect"
	"strings"
	"unicode"

	"github.com/expr-lang/expr/ast"
)

// divisions is the visitor that runs after the patcher, once expr has
// type-checked what the patcher made (so that a nested field, an event
// field or a function of the frame has its type): a / or % whose right
// side is not a constant becomes __div or __mod, and a ** becomes __pow,
// which fail the lead when the result is no number. expr's / gives an
// infinity (or NaN for 0/0) that a comparison then reads as true or false
// without a word, its % a runtime error that names nothing, its ** an
// infinity or NaN. A side of a type that cannot be a number is left to the
// type check, which refuses it; a side of no known type (interface{}, a
// ternary of an int and a float) goes to the generic function, which
// checks it when it runs.
type divisions struct {
	src []rune // the expression's text, to name the divisor as written
}

var (
	intType   = reflect.TypeOf(0)
	floatType = reflect.TypeOf(0.0)
)

func (d *divisions) Visit(node *ast.Node) {
	n, ok := (*node).(*ast.BinaryNode)
	if !ok {
		return
	}
	switch n.Operator {
	case "/", "%":
		if _, constant := constNumber(n.Right); constant {
			return // 0 is refused by the patcher; any other constant is safe
		}
	case "**", "^":
	default:
		return
	}
	kl, kr := numberKind(n.Left.Type()), numberKind(n.Right.Type())
	if kl == notNumber || kr == notNumber {
		return
	}
	var name string
	var out reflect.Type
	args := []ast.Node{n.Left, n.Right}
	switch {
	case n.Operator == "/":
		name, out = divFunc, floatType
		if kl == unknownNumber || kr == unknownNumber {
			name = divAnyFunc
		}
		args = append(args, d.text(n, n.Right, 1))
	case n.Operator == "%":
		if kl == floatNumber || kr == floatNumber {
			return // refused by the type check
		}
		name, out = modFunc, intType
		if kl == unknownNumber || kr == unknownNumber {
			name = modAnyFunc
		}
		args = append(args, d.text(n, n.Right, 1))
	default:
		name, out = powFunc, floatType
		args = append(args, &ast.StringNode{Value: n.Left.String()}, d.text(n, n.Right, len(n.Operator)))
	}
	callee := &ast.IdentifierNode{Value: name}
	c := &ast.CallNode{Callee: callee, Arguments: args}
	for _, x := range append([]ast.Node{callee, c}, args[2:]...) {
		x.SetLocation(n.Location())
	}
	c.SetType(out) // for the / around it, visited next
	ast.Patch(node, c)
}

// text is the source of n, the right side of b (whose operator is width
// runes long), as written, as a constant text; as printed from the tree
// when the source does not hold the operator where b says.
func (d *divisions) text(b *ast.BinaryNode, n ast.Node, width int) *ast.StringNode {
	if op := b.Location().From; op >= 0 && op+width <= len(d.src) && string(d.src[op:op+width]) == b.Operator {
		if t := operand(d.src, op, width); t != "" {
			return &ast.StringNode{Value: t}
		}
	}
	return &ast.StringNode{Value: n.String()}
}

// operand is the text of the operand written right after the operator at
// op (op runes long): what a name, a number, a text, a call, an index or a
// bracketed part spans, with a ** after it, brackets around it dropped.
// The patcher has rewritten the tree by then (a nested field is a flat
// name, a function has the frame for argument), so the text is read from
// the source, not printed from the tree.
func operand(src []rune, op, width int) string {
	i := op + width
	skip := func() {
		for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
			i++
		}
	}
	var primary func() bool
	balanced := func(open, close rune) bool {
		depth := 0
		var quote rune
		for ; i < len(src); i++ {
			c := src[i]
			switch {
			case quote != 0:
				if c == '\\' {
					i++
				} else if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'' || c == '`':
				quote = c
			case c == open:
				depth++
			case c == close:
				depth--
				if depth == 0 {
					i++
					return true
				}
			}
		}
		return false
	}
	primary = func() bool {
		skip()
		if i >= len(src) {
			return false
		}
		switch c := src[i]; {
		case c == '-' || c == '+' || c == '!':
			i++
			return primary()
		case c == '(':
			if !balanced('(', ')') {
				return false
			}
		case c == '"' || c == '\'':
			q := c
			for i++; i < len(src) && src[i] != q; i++ {
				if src[i] == '\\' {
					i++
				}
			}
			i++
		case unicode.IsDigit(c) || c == '.':
			for i < len(src) && (unicode.IsDigit(src[i]) || src[i] == '.' || src[i] == '_' || src[i] == 'e' || src[i] == 'E') {
				i++
			}
		case unicode.IsLetter(c) || c == '_' || c == '$' || c == '#':
			for i < len(src) && (unicode.IsLetter(src[i]) || unicode.IsDigit(src[i]) || src[i] == '_' || src[i] == '$' || src[i] == '#') {
				i++
			}
		default:
			return false
		}
		// Calls, indexes and members after it: f(x), a[0], a.b, a?.b.
		for i < len(src) {
			switch {
			case src[i] == '(':
				if !balanced('(', ')') {
					return false
				}
			case src[i] == '[':
				if !balanced('[', ']') {
					return false
				}
			case src[i] == '.' && i+1 < len(src) && (unicode.IsLetter(src[i+1]) || src[i+1] == '_'):
				i++
				for i < len(src) && (unicode.IsLetter(src[i]) || unicode.IsDigit(src[i]) || src[i] == '_') {
					i++
				}
			case src[i] == '?' && i+1 < len(src) && src[i+1] == '.':
				i += 2
			default:
				return true
			}
		}
		return true
	}
	from := op + width
	if !primary() {
		return ""
	}
	// ** binds tighter than / and %.
	for {
		j := i
		skip()
		if i+1 < len(src) && src[i] == '*' && src[i+1] == '*' || i < len(src) && src[i] == '^' {
			if src[i] == '^' {
				i++
			} else {
				i += 2
			}
			if !primary() {
				return ""
			}
			continue
		}
		i = j
		break
	}
	t := strings.TrimSpace(string(src[from:min(i, len(src))]))
	for len(t) > 1 && t[0] == '(' && t[len(t)-1] == ')' && closes(t) {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	return t
}

// closes reports whether the bracket that opens t closes at its end.
func closes(t string) bool {
	depth := 0
	for k, c := range t {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return k == len(t)-1
			}
		}
	}
	return false
}

type numKind int

const (
	intNumber numKind = iota
	floatNumber
	unknownNumber // interface{}, or no type: may be a number
	notNumber
)

func numberKind(t reflect.Type) numKind {
	if t == nil {
		return unknownNumber
	}
	switch t.Kind() {
	case reflect.Int:
		return intNumber
	case reflect.Float64:
		return floatNumber
	case reflect.Interface:
		return unknownNumber
	}
	return notNumber
}
