package dsl

import (
	"go.yaml.in/yaml/v3"
)

// Expr is an expression as written in a rule file. It remembers where each of
// its characters stands in the file, so that an error the compiler finds at
// character 17 of the expression is reported at the file's line and column,
// inside quoted, multi-line plain, literal (|) and folded (>) scalars alike.
type Expr struct {
	Text string
	Pos  Pos // where the YAML value starts
	// offsets[i] is the position of the i-th character (rune) of Text;
	// offsets[len] is the position just after the last one.
	offsets []Pos
}

// NewExpr returns an expression whose characters all map to pos. It is for
// expressions that do not come from a file, such as those built by tools.
func NewExpr(text string, pos Pos) *Expr {
	return &Expr{Text: text, Pos: pos}
}

// PosAt returns the file position of the expression's offset-th character.
func (e *Expr) PosAt(offset int) Pos {
	if len(e.offsets) == 0 {
		return e.Pos
	}
	if offset < 0 {
		offset = 0
	}
	if offset >= len(e.offsets) {
		offset = len(e.offsets) - 1
	}
	return e.offsets[offset]
}

// String returns the expression's text.
func (e *Expr) String() string { return e.Text }

// newExpr reads an expression from a scalar node and aligns its value with
// the raw lines of the file, so positions survive YAML's quoting, escapes,
// folding and block indentation. Where the alignment cannot continue (which
// well-formed YAML does not cause), the remaining characters map to the last
// position found, never to a wrong later one.
func newExpr(n *yaml.Node, file string, lines []string) *Expr {
	e := &Expr{Text: n.Value, Pos: Pos{File: file, Line: n.Line, Col: n.Column}}
	value := []rune(n.Value)
	e.offsets = make([]Pos, len(value)+1)
	r := rawReader{lines: lines, line: n.Line - 1, col: n.Column - 1}
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		r.line, r.col = r.line+1, 0 // content starts on the line after the indicator
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		r.col++ // skip the opening quote
	}
	quoted := n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle
	last := e.Pos
	broken := false
	for i, ch := range value {
		if !broken {
			if p, ok := r.match(ch, n.Style, quoted); ok {
				last = Pos{File: file, Line: p.line + 1, Col: p.col + 1}
			} else {
				broken = true
			}
		}
		e.offsets[i] = last
	}
	end := last
	if !broken && len(value) > 0 {
		end.Col++ // just after the last character, where "unexpected end" errors point
	}
	e.offsets[len(value)] = end
	return e
}

type rawPos struct{ line, col int }

// rawReader walks the characters of a file, by 0-based line and rune column.
type rawReader struct {
	lines     []string
	line, col int
	cur       []rune // runes of lines[line], cached
	curLine   int
	cached    bool
}

func (r *rawReader) runes() []rune {
	if !r.cached || r.curLine != r.line {
		r.cur, r.curLine, r.cached = nil, r.line, true
		if r.line < len(r.lines) {
			r.cur = []rune(r.lines[r.line])
		}
	}
	return r.cur
}

// peek returns the rune at the cursor, '\n' at the end of a line, and 0 past the file.
func (r *rawReader) peek(ahead int) rune {
	if r.line >= len(r.lines) {
		return 0
	}
	rs := r.runes()
	switch c := r.col + ahead; {
	case c < len(rs):
		return rs[c]
	case c == len(rs):
		return '\n'
	}
	return 0
}

func (r *rawReader) advance(n int) {
	for ; n > 0; n-- {
		if r.col >= len(r.runes()) {
			r.line, r.col = r.line+1, 0
		} else {
			r.col++
		}
	}
}

func isBlank(c rune) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// match consumes the raw characters that produced the value character ch and
// returns the position of the first of them.
func (r *rawReader) match(ch rune, style yaml.Style, quoted bool) (rawPos, bool) {
	for steps := 0; steps < 1<<16; steps++ {
		c := r.peek(0)
		if c == 0 {
			return rawPos{}, false
		}
		at := rawPos{r.line, r.col}
		switch {
		case style == yaml.SingleQuotedStyle && c == '\'' && r.peek(1) == '\'' && ch == '\'':
			r.advance(2)
			return at, true
		case style == yaml.DoubleQuotedStyle && c == '\\':
			n := escapeLen(r.peek(1))
			if n == 0 { // an escaped line break: folds to nothing
				r.advance(2)
				r.skipBlanks()
				continue
			}
			r.advance(n)
			return at, true
		case c == ch && !(quoted && c == '\n'):
			r.advance(1)
			return at, true
		case isBlank(c) && isBlank(ch):
			// Folding: a line break and the indentation around it stand for
			// one space or newline of the value.
			r.skipBlanks()
			return at, true
		case isBlank(c):
			r.advance(1) // indentation before the next character
		default:
			return rawPos{}, false
		}
	}
	return rawPos{}, false
}

func (r *rawReader) skipBlanks() {
	for c := r.peek(0); c != 0 && isBlank(c); c = r.peek(0) {
		r.advance(1)
	}
}

// escapeLen is the length of a double-quoted escape whose letter is c, or 0
// for an escaped line break.
func escapeLen(c rune) int {
	switch c {
	case '\n':
		return 0
	case 'x':
		return 4
	case 'u':
		return 6
	case 'U':
		return 10
	}
	return 2
}

// Slice returns the part of the expression from character from to
// character to, each character keeping its position in the file.
func (e *Expr) Slice(from, to int) *Expr {
	runes := []rune(e.Text)
	from, to = max(0, min(from, len(runes))), max(0, min(to, len(runes)))
	if from > to {
		from = to
	}
	sub := &Expr{Text: string(runes[from:to]), Pos: e.PosAt(from)}
	if len(e.offsets) > 0 {
		sub.offsets = append([]Pos(nil), e.offsets[from:to]...)
		sub.offsets = append(sub.offsets, e.PosAt(to))
	}
	return sub
}
