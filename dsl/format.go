package dsl

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Format lays a rule file out canonically, so that a change in review is
// the change and nothing else: two-space indentation, list items under
// their key, the sections and the keys of each rule, field, stage and
// grade in one order, at most one blank line where the author put one.
// Comments stay with what they annotate, scalars keep their style (quoted
// text is kept byte for byte, block scalars line for line), flow mappings
// such as {min: 0, max: 100} stay on one line.
//
// Format checks its work: the result must decode to the same values with
// the same comments, or Format returns an error and no result, rather than
// change what the file says. Formatting a formatted file changes nothing,
// with one known exception: a comment that ended a block which reordering
// puts before other keys can settle one level deeper on a second pass
// (YAML attaches such comments by indentation alone).
func Format(src []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("cannot format this file (please report it with the file): %v", r)
		}
	}()
	src = normalizeBreaks(src)
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("the file is not valid YAML: %v", err)
	}
	if len(root.Content) == 0 {
		return src, nil
	}
	p := &printer{lines: strings.Split(string(src), "\n")}
	p.comment(root.HeadComment, 0)
	if root.HeadComment != "" {
		// As for the foot comment below: YAML gives the document a head
		// comment only when a blank line parts it from the content.
		p.out.WriteString("\n")
	}
	top := root.Content[0]
	if top.Kind == yaml.MappingNode && len(top.Content) > 0 {
		// The comment above the first key is the file's header: it stays on
		// top whichever key comes first once ordered.
		first := top.Content[0]
		p.comment(first.HeadComment, 0)
		saved := first.HeadComment
		first.HeadComment = ""
		defer func() { first.HeadComment = saved }()
	}
	p.block(top, 0, topKind(top))
	p.comment(root.Content[0].FootComment, 0)
	if root.FootComment != "" {
		// YAML gives the document a foot comment only when a blank line
		// parts it from the content: keep that line, or the comment
		// becomes the last node's on the next pass (and the next one's on
		// the pass after).
		p.out.WriteString("\n")
	}
	p.comment(root.FootComment, 0)
	out = []byte(strings.TrimRight(p.out.String(), "\n") + "\n")
	if err := sameMeaning(src, out); err != nil {
		return nil, err
	}
	return out, nil
}

// topKind is the kind of a file's top mapping: "source" for a source
// mapping (a top-level source: key; see package scoring/source), whose
// keys keep their own order, else "top", a rule file.
func topKind(top *yaml.Node) string {
	if top.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == "source" {
				return "source"
			}
		}
	}
	return "top"
}

// The canonical order of keys, by kind of mapping. Keys not listed keep
// their order, after the listed ones.
var keyOrder = map[string][]string{
	"source":   {"leadscore", "source", "id", "timezone", "delimiter", "fields", "ignore", "events"},
	"top":      {"leadscore", "model", "description", "owners", "include", "fields", "events", "event_types", "lists", "define", "scores", "total", "rules", "grades", "stages", "handoff", "holdout"},
	"rule":     {"id", "score", "owner", "reason", "disqualify", "reviewed", "event", "when", "points", "limit", "within", "decay"},
	"field":    {"type", "default", "required", "description"},
	"stage":    {"id", "description", "sales_ready", "when"},
	"grade":    {"grade", "when"},
	"category": {"min", "max"},
	"handoff":  {"sla", "reasons", "recycle"},
	"reason":   {"code", "description", "contradicts"},
	"recycle":  {"resets", "hold"},
	"holdout":  {"share", "seed", "withhold", "starts"},
}

// childKind says what kind of mapping a key's value, or a list's items, are.
func childKind(parent, key string) string {
	switch {
	case parent == "top" && key == "rules":
		return "rule"
	case parent == "top" && key == "stages":
		return "stage"
	case parent == "top" && key == "grades":
		return "grade"
	case parent == "top" && (key == "fields" || key == "events"):
		return "fields"
	case parent == "top" && key == "scores":
		return "scores"
	case parent == "fields":
		return "field"
	case parent == "scores":
		return "category"
	case parent == "top" && key == "handoff":
		return "handoff"
	case parent == "top" && key == "holdout":
		return "holdout"
	case parent == "handoff" && key == "reasons":
		return "reason"
	case parent == "handoff" && key == "recycle":
		return "recycle"
	}
	return ""
}

type printer struct {
	lines []string
	out   strings.Builder
	// inline is set when a mapping's first key goes on the current line,
	// after "- "; multiline when a value has ended its own line.
	inline, multiline bool
	// ownerCol is the 0-based source column of the key (or dash) that owns
	// the scalar being written: its continuation lines are indented more.
	ownerCol int
}

func (p *printer) pad(indent int) { p.out.WriteString(strings.Repeat(" ", indent)) }

// comment writes comment lines at an indentation.
func (p *printer) comment(c string, indent int) {
	if c == "" {
		return
	}
	for _, line := range strings.Split(c, "\n") {
		if line == "" {
			p.out.WriteString("\n")
			continue
		}
		p.pad(indent)
		p.out.WriteString(line + "\n")
	}
}

// blankBefore reports whether the source has a blank line just above a
// node (and its head comment).
func (p *printer) blankBefore(n *yaml.Node) bool {
	line := n.Line
	if n.HeadComment != "" {
		line -= strings.Count(n.HeadComment, "\n") + 1
	}
	return line >= 2 && line-2 < len(p.lines) && strings.TrimSpace(p.lines[line-2]) == ""
}

type pair struct{ k, v *yaml.Node }

func ordered(n *yaml.Node, kind string) []pair {
	var pairs []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
	}
	order := keyOrder[kind]
	rank := func(k string) int {
		for i, o := range order {
			if o == k {
				return i
			}
		}
		return len(order)
	}
	sort.SliceStable(pairs, func(i, j int) bool { return rank(pairs[i].k.Value) < rank(pairs[j].k.Value) })
	return pairs
}

// block writes a block mapping or sequence whose first line the caller
// has placed (for a sequence item, after "- ").
func (p *printer) block(n *yaml.Node, indent int, kind string) {
	switch n.Kind {
	case yaml.MappingNode:
		p.comment(n.HeadComment, indent)
		for i, kv := range ordered(n, kind) {
			if i > 0 && p.blankBefore(kv.k) {
				p.out.WriteString("\n")
			}
			if i > 0 || !p.inline {
				p.comment(kv.k.HeadComment, indent)
				p.pad(indent)
			}
			p.inline = false
			p.pair(kv, indent, childKind(kind, kv.k.Value))
		}
	case yaml.SequenceNode:
		p.comment(n.HeadComment, indent)
		for i, item := range n.Content {
			if i > 0 && p.blankBefore(item) {
				p.out.WriteString("\n")
			}
			p.comment(item.HeadComment, indent)
			p.pad(indent)
			p.out.WriteString("- ")
			p.item(item, indent+2, kind)
		}
	default: // a document that is one value
		p.comment(n.HeadComment, indent)
		p.pad(indent)
		p.value(n, indent)
		p.lineEnd(n)
	}
}

// item writes a sequence item after its "- ".
func (p *printer) item(n *yaml.Node, indent int, kind string) {
	switch {
	case n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 && len(n.Content) > 0:
		if k := n.Content[0]; k.HeadComment != "" {
			// The comment of the first key goes above the dash: move it.
			p.out.WriteString("\n")
			p.comment(k.HeadComment, indent-2)
			p.pad(indent - 2)
			p.out.WriteString("- ")
		}
		p.inline = true
		saved := n.HeadComment
		n.HeadComment = ""
		p.block(n, indent, kind)
		n.HeadComment = saved
	case n.Kind == yaml.SequenceNode && n.Style&yaml.FlowStyle == 0:
		p.out.WriteString("\n")
		p.block(n, indent, kind)
	default:
		p.ownerCol = max(0, n.Column-3) // the dash, two columns before the item
		p.value(n, indent)
		p.lineEnd(n)
	}
	p.comment(n.FootComment, indent)
}

func (p *printer) pair(kv pair, indent int, kind string) {
	p.key(kv.k)
	p.ownerCol = kv.k.Column - 1
	v := kv.v
	switch {
	case v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0,
		v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0:
		p.out.WriteString(":")
		p.lineComment(kv.k.Line, kv.k.LineComment, v.LineComment)
		p.out.WriteString("\n")
		child := indent + 2
		p.block(v, child, kind)
	default:
		p.out.WriteString(": ")
		p.value(v, indent)
		p.lineComment(kv.k.Line, kv.k.LineComment, "")
		p.lineEnd(v)
	}
	p.comment(kv.k.FootComment, indent)
	p.comment(v.FootComment, indent)
}

func (p *printer) key(k *yaml.Node) {
	if k.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		p.out.WriteString(p.quotedRaw(k))
		return
	}
	p.out.WriteString(k.Value)
}

// lineComment writes comments at the end of the current line, read from
// source line line. A comment the source aligned with others (more than
// one space before it) keeps its column when the line still ends before
// it, so a column of comments stays a column.
func (p *printer) lineComment(line int, a, b string) {
	for _, c := range []string{a, b} {
		if c == "" {
			continue
		}
		gap := 1
		if col := p.alignedColumn(line, c); col > 0 {
			out := p.out.String()
			width := utf8.RuneCountInString(out[strings.LastIndexByte(out, '\n')+1:])
			if width < col {
				gap = col - width
			}
		}
		p.out.WriteString(strings.Repeat(" ", gap) + c)
	}
}

// alignedColumn returns the 0-based column of comment c on source line
// line when the source put more than one space before it (the writer
// placed it, usually to line it up with others), or -1.
func (p *printer) alignedColumn(line int, c string) int {
	if line < 1 || line > len(p.lines) || strings.Contains(c, "\n") {
		return -1
	}
	src := p.lines[line-1]
	i := strings.LastIndex(src, c)
	if i < 2 || src[i-1] != ' ' || src[i-2] != ' ' {
		return -1
	}
	return utf8.RuneCountInString(src[:i])
}

// lineEnd ends a line after a value, with the value's line comment (block
// scalars have written theirs already).
func (p *printer) lineEnd(v *yaml.Node) {
	if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || p.multiline {
		p.multiline = false
		return
	}
	p.lineComment(v.Line, v.LineComment, "")
	p.out.WriteString("\n")
}

// value writes a value that sits on the key's (or dash's) line: a scalar,
// a flow collection, an alias, or an empty collection.
func (p *printer) value(v *yaml.Node, indent int) {
	if v.Anchor != "" {
		p.out.WriteString("&" + v.Anchor + " ")
	}
	switch v.Kind {
	case yaml.AliasNode:
		p.out.WriteString("*" + v.Value)
	case yaml.MappingNode:
		p.out.WriteString("{")
		for i := 0; i+1 < len(v.Content); i += 2 {
			if i > 0 {
				p.out.WriteString(", ")
			}
			p.key(v.Content[i])
			p.out.WriteString(": ")
			p.flowValue(v.Content[i+1], indent)
		}
		p.out.WriteString("}")
	case yaml.SequenceNode:
		p.out.WriteString("[")
		for i, item := range v.Content {
			if i > 0 {
				p.out.WriteString(", ")
			}
			p.flowValue(item, indent)
		}
		p.out.WriteString("]")
	default:
		p.scalar(v, indent)
	}
}

// flowValue writes a value inside a flow collection, where a plain scalar
// ends at the next comma or bracket rather than at the end of the line.
func (p *printer) flowValue(v *yaml.Node, indent int) {
	if v.Kind == yaml.ScalarNode && v.Style&^yaml.TaggedStyle == 0 && !strings.Contains(v.Value, "\n") {
		if v.Style&yaml.TaggedStyle != 0 {
			p.out.WriteString(v.Tag + " ")
		}
		p.out.WriteString(v.Value)
		return
	}
	p.value(v, indent)
}

func (p *printer) scalar(v *yaml.Node, indent int) {
	if v.Style&yaml.TaggedStyle != 0 {
		p.out.WriteString(v.Tag + " ")
	}
	switch {
	case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		p.blockScalar(v, indent)
	case v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		p.out.WriteString(p.quotedRaw(v))
	case strings.Contains(v.Value, "\n") || p.plainSpansLines(v):
		p.foldedFromPlain(v, indent)
	default:
		p.out.WriteString(v.Value)
	}
}

// quotedRaw returns a quoted scalar as written, when it is on one line, or
// the value quoted afresh.
func (p *printer) quotedRaw(v *yaml.Node) string {
	if v.Line >= 1 && v.Line <= len(p.lines) {
		line := []rune(p.lines[v.Line-1])
		start := v.Column - 1
		if start >= 0 && start < len(line) && (line[start] == '"' || line[start] == '\'') {
			q := line[start]
			for i := start + 1; i < len(line); i++ {
				switch {
				case q == '"' && line[i] == '\\':
					i++
				case line[i] == q && q == '\'' && i+1 < len(line) && line[i+1] == '\'':
					i++
				case line[i] == q:
					return string(line[start : i+1])
				}
			}
		}
	}
	return strconv.Quote(v.Value)
}

// blockScalar copies a literal or folded scalar's lines, re-indented.
func (p *printer) blockScalar(v *yaml.Node, indent int) {
	header := strings.TrimSpace(string([]rune(p.lines[v.Line-1])[v.Column-1:]))
	if i := strings.Index(header, " #"); i >= 0 {
		header = header[:i] // the comment is the node's line comment
	}
	p.out.WriteString(header)
	p.lineComment(v.Line, v.LineComment, "")
	p.out.WriteString("\n")
	body := p.blockLines(v)
	old := -1
	for _, l := range body {
		if strings.TrimSpace(l) != "" {
			n := len(l) - len(strings.TrimLeft(l, " "))
			if old < 0 || n < old {
				old = n
			}
		}
	}
	for _, l := range body {
		if strings.TrimSpace(l) == "" {
			p.out.WriteString("\n")
			continue
		}
		p.pad(indent + 2)
		p.out.WriteString(l[old:] + "\n")
	}
	p.multiline = true
}

// blockLines returns the source lines of a block scalar's body: the lines
// after its header that are indented more than the line of its key.
func (p *printer) blockLines(v *yaml.Node) []string {
	keyIndent := p.ownerCol
	var body []string
	for i := v.Line; i < len(p.lines); i++ {
		l := p.lines[i]
		if strings.TrimSpace(l) != "" && len(l)-len(strings.TrimLeft(l, " ")) <= keyIndent {
			break
		}
		body = append(body, l)
	}
	for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
		body = body[:len(body)-1] // trailing blank lines belong to the layout
	}
	return body
}

// plainSpansLines reports whether a plain scalar continues on later lines.
func (p *printer) plainSpansLines(v *yaml.Node) bool {
	if v.Style != 0 || v.Line < 1 || v.Line > len(p.lines) || v.Value == "" {
		return false
	}
	rest := strings.TrimSpace(string([]rune(p.lines[v.Line-1])[min(v.Column-1, len([]rune(p.lines[v.Line-1]))):]))
	if v.Anchor != "" { // the node's column may point at its anchor
		rest = strings.TrimSpace(strings.TrimPrefix(rest, "&"+v.Anchor))
	}
	if i := strings.Index(rest, " #"); i >= 0 {
		rest = strings.TrimSpace(rest[:i])
	}
	return rest != v.Value
}

// foldedFromPlain writes a plain scalar that spans lines as a folded block
// (>-) with the same line breaks, which reads back as the same value.
func (p *printer) foldedFromPlain(v *yaml.Node, indent int) {
	first := strings.TrimSpace(string([]rune(p.lines[v.Line-1])[v.Column-1:]))
	lines := []string{first}
	joined := first
	keyIndent := p.ownerCol
	for i := v.Line; i < len(p.lines) && joined != v.Value; i++ {
		l := p.lines[i]
		if strings.TrimSpace(l) == "" || len(l)-len(strings.TrimLeft(l, " ")) <= keyIndent {
			break
		}
		lines = append(lines, strings.TrimSpace(l))
		joined += " " + strings.TrimSpace(l)
	}
	if joined != v.Value {
		p.out.WriteString(strconv.Quote(v.Value))
		return
	}
	p.out.WriteString(">-")
	p.lineComment(v.Line, v.LineComment, "")
	p.out.WriteString("\n")
	for _, l := range lines {
		p.pad(indent + 2)
		p.out.WriteString(l + "\n")
	}
	p.multiline = true
}

// sameMeaning checks that two YAML texts decode to the same values and
// carry the same comments.
func sameMeaning(a, b []byte) error {
	var va, vb any
	if err := yaml.Unmarshal(a, &va); err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, &vb); err != nil {
		return fmt.Errorf("formatting would produce invalid YAML (please report it): %v", err)
	}
	if !reflect.DeepEqual(va, vb) {
		return errors.New("formatting would change what the file says (please report it with the file); the file is left as it is")
	}
	ca, cb := comments(a), comments(b)
	if ca != cb {
		return fmt.Errorf("formatting would lose or move a comment (please report it with the file); the file is left as it is")
	}
	return nil
}

// comments returns a file's comments, each trimmed, in order.
func comments(src []byte) string {
	var n yaml.Node
	if yaml.Unmarshal(src, &n) != nil {
		return ""
	}
	var out []string
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for _, l := range strings.Split(c, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&n)
	sort.Strings(out) // comments may attach to a neighbouring node after reordering
	return strings.Join(out, "\n")
}
