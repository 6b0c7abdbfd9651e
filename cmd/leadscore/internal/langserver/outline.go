package langserver

import (
	"strings"

	"github.com/leadscore/leadscore/dsl"
)

// LSP symbol kinds.
const (
	symbolNamespace  = 3
	symbolMethod     = 6
	symbolField      = 8
	symbolFunction   = 12
	symbolVariable   = 13
	symbolConstant   = 14
	symbolArray      = 18
	symbolEnumMember = 22
	symbolEvent      = 24
)

// documentSymbol is an entry of the editor's outline.
type documentSymbol struct {
	Name           string           `json:"name"`
	Detail         string           `json:"detail,omitempty"`
	Kind           int              `json:"kind"`
	Range          Range            `json:"range"`
	SelectionRange Range            `json:"selectionRange"`
	Children       []documentSymbol `json:"children,omitempty"`
}

// outline lists what the document declares, by section, for the
// editor's outline: in a rule file (or a file it includes) its fields,
// lists, defines, categories, rules, grades and stages; in a test file
// its fixtures and cases.
func (s *server) outline(uri string) []documentSymbol {
	out := []documentSymbol{}
	file, _, ok := s.openDoc(uri)
	if !ok {
		return out
	}
	p := s.project(file)
	lines := strings.Split(s.docs[file].Text, "\n")
	o := outliner{file: file, lines: lines, srv: s}
	if tf := p.test; tf != nil {
		var fixtures, cases []documentSymbol
		for _, f := range tf.Fixtures {
			fixtures = o.add(fixtures, f.Name, f.Name.Pos, "fixture", symbolConstant)
		}
		for _, c := range tf.Cases {
			detail := "case"
			if c.Pending.Value != "" {
				detail = "pending: " + c.Pending.Value
			}
			cases = o.add(cases, c.Name, c.Pos, detail, symbolMethod)
		}
		out = o.section(out, "fixtures", fixtures)
		return o.section(out, "cases", cases)
	}
	d := p.doc
	if d == nil {
		return out
	}
	var fields, lists, defines, scores, rs, grades, stages []documentSymbol
	for _, f := range d.Fields {
		fields = o.add(fields, f.Name, f.Name.Pos, string(f.Type), symbolField)
	}
	for _, l := range d.Lists {
		lists = o.add(lists, l.Name, l.Name.Pos, listDetail(l), symbolArray)
	}
	for _, df := range d.Defines {
		defines = o.add(defines, df.Name, df.Name.Pos, strings.TrimSpace(df.Expr.Text), symbolVariable)
	}
	for _, c := range d.Categories {
		scores = o.add(scores, c.Name, c.Name.Pos, bounds(c), symbolNamespace)
	}
	for _, r := range d.Rules {
		kind := symbolFunction
		if r.IsEvent() {
			kind = symbolEvent
		}
		rs = o.add(rs, r.ID, r.Pos, ruleDetail(r), kind)
	}
	for _, g := range d.Grades {
		detail := ""
		if g.When != nil {
			detail = strings.TrimSpace(g.When.Text)
		}
		grades = o.add(grades, g.Grade, g.Grade.Pos, detail, symbolEnumMember)
	}
	for _, st := range d.Stages {
		detail := st.Description.Value
		if st.SalesReady {
			detail = strings.TrimSpace("sales-ready " + detail)
		}
		stages = o.add(stages, st.ID, st.ID.Pos, detail, symbolEnumMember)
	}
	for _, sec := range []struct {
		name string
		syms []documentSymbol
	}{{"fields", fields}, {"lists", lists}, {"define", defines}, {"scores", scores}, {"rules", rs}, {"grades", grades}, {"stages", stages}} {
		out = o.section(out, sec.name, sec.syms)
	}
	return out
}

// outliner places the symbols of one file.
type outliner struct {
	file  string
	lines []string
	srv   *server
}

// add appends the symbol named name, whose block starts at start, when
// it is in the outliner's file.
func (o outliner) add(syms []documentSymbol, name dsl.String, start dsl.Pos, detail string, kind int) []documentSymbol {
	if name.Pos.File != o.file || name.Value == "" || start.Line < 1 || start.Line > len(o.lines) {
		return syms
	}
	sel := o.srv.span(name.Pos, len([]rune(name.Value))).Range
	return append(syms, documentSymbol{Name: name.Value, Detail: detail, Kind: kind,
		Range: o.block(start), SelectionRange: sel})
}

// section puts the symbols of a section under its key, when the
// document has the key at its top; else they go at the top.
func (o outliner) section(out []documentSymbol, key string, syms []documentSymbol) []documentSymbol {
	if len(syms) == 0 {
		return out
	}
	for i, l := range o.lines {
		if strings.HasPrefix(l, key+":") {
			pos := dsl.Pos{File: o.file, Line: i + 1, Col: 1}
			return append(out, documentSymbol{Name: key, Kind: symbolNamespace, Range: o.block(pos),
				SelectionRange: o.srv.span(pos, len(key)).Range, Children: syms})
		}
	}
	return append(out, syms...)
}

// block is the range of the YAML item or key starting at pos: its line
// and the lines below indented deeper than it, up to the end of the last
// of them that is not blank or a comment.
func (o outliner) block(pos dsl.Pos) Range {
	first := pos.Line - 1
	line := strings.TrimSuffix(o.lines[first], "\r")
	indent := indentOf(line)
	if k := firstKeyCol(line); k >= 0 && !strings.HasPrefix(line[indent:], "- ") {
		indent = k // a key's block: what is indented past it (a list item's: past its dash)
	}
	last := first
	for i := first + 1; i < len(o.lines); i++ {
		l := strings.TrimSuffix(o.lines[i], "\r")
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if indentOf(l) <= indent {
			break
		}
		last = i
	}
	end := strings.TrimSuffix(o.lines[last], "\r")
	return Range{Start: Position{first, utf16Len([]rune(line[:indent]))}, End: Position{last, utf16Len([]rune(end))}}
}
