package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/dsl"
)

// MaxFileSize is the largest mapping file read.
const MaxFileSize = 1 << 20

// ParseFile reads and parses a mapping file.
func ParseFile(path string) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, dsl.Diagnostics{{Pos: dsl.Pos{File: path}, Message: fmt.Sprintf("cannot read the source mapping: %v", err), Err: err}}
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, dsl.Diagnostics{{Pos: dsl.Pos{File: path}, Message: fmt.Sprintf("cannot read the source mapping: %v", err), Err: err}}
	}
	if len(src) > MaxFileSize {
		return nil, dsl.Diagnostics{{Pos: dsl.Pos{File: path}, Message: "the file is over 1 MiB; a source mapping is a page of YAML"}}
	}
	return Parse(path, src)
}

// IsMapping reports whether YAML source is a source mapping: a mapping
// with a top-level source: key.
func IsMapping(src []byte) bool {
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&root); err != nil {
		return false
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return false
	}
	top := root.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		if top[i].Value == "source" {
			return true
		}
	}
	return false
}

// Parse reads a mapping from YAML source; file names it in messages. The
// error is a dsl.Diagnostics, every problem at file:line:col.
func Parse(file string, src []byte) (*Mapping, error) {
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	p := &parser{file: file, lines: strings.Split(string(src), "\n")}
	m := &Mapping{File: file, Zone: time.UTC, lines: p.lines}
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorAt(dsl.Pos{File: file, Line: 1, Col: 1}, "the file is empty; a source mapping starts with leadscore: 1 and source: NAME")
			return nil, p.diags
		}
		p.errorAt(dsl.Pos{File: file, Line: yamlLine(err), Col: 1}, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, p.diags
	}
	if len(root.Content) == 0 {
		p.errorAt(dsl.Pos{File: file, Line: 1, Col: 1}, "the file is empty; a source mapping starts with leadscore: 1 and source: NAME")
		return nil, p.diags
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		p.errorf(top, "want a mapping of keys (leadscore:, source:, id:, fields:), got %s", kindName(top))
		return nil, p.diags
	}
	seen := map[string]bool{}
	p.mapping(top, "the source mapping", topKeys, func(key string, k, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "leadscore":
			if v.Kind != yaml.ScalarNode || v.Value != "1" {
				p.errorf(v, "leadscore: is the format version, 1; got %s", kindName(v))
			}
		case "source":
			m.Name = p.text(v, "source")
		case "id":
			m.ID = p.text(v, "id (the column holding the lead id)")
			m.IDPos = p.pos(v)
		case "timezone":
			name := p.text(v, "timezone")
			if name == "" {
				return
			}
			loc, err := loadZone(name)
			if err != nil {
				p.errorf(v, "%v", err)
				return
			}
			m.Zone, m.ZoneName, m.ZonePos = loc, name, p.pos(v)
		case "fields":
			m.Fields = p.fields(v, "fields", fieldKeys)
		case "ignore":
			m.Ignore = p.columns(v, "ignore")
		case "events":
			m.Events = p.events(v)
		}
	})
	for _, want := range []struct{ key, why string }{
		{"leadscore", "leadscore: 1 (the format version)"},
		{"source", "source: NAME (the CRM the exports come from, such as hubspot)"},
		{"id", "id: COLUMN (the column holding the lead id)"},
		{"fields", "fields: (model field: column)"},
	} {
		if !seen[want.key] {
			p.errorf(top, "the source mapping lacks %s", want.why)
		}
	}
	if len(p.diags) > 0 {
		return nil, p.diags
	}
	return m, nil
}

var (
	topKeys   = []string{"leadscore", "source", "id", "timezone", "fields", "ignore", "events"}
	fieldKeys = []string{"column", "values", "separator", "layout", "true", "false", "format"}
	eventKeys = []string{"id", "lead", "type", "at", "fields", "ignore"}
)

// loadZone loads an IANA zone, with the fix when the name is not one.
func loadZone(name string) (*time.Location, error) {
	if name == "Local" || name == "" {
		return nil, fmt.Errorf("timezone: %q is not a zone: name the CRM's zone, such as America/New_York or Europe/Berlin, so the mapping reads the same on every machine", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("timezone: %q is not an IANA time zone; write it as Area/City, such as America/New_York, Europe/London or UTC", name)
	}
	return loc, nil
}

// yamlLine digs the line number out of a YAML error ("yaml: line 3: ..."),
// 1 when it has none.
func yamlLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i:], "line %d", &line)
	}
	return max(line, 1)
}

type parser struct {
	file  string
	lines []string
	diags dsl.Diagnostics
}

func (p *parser) pos(n *yaml.Node) dsl.Pos {
	return dsl.Pos{File: p.file, Line: n.Line, Col: n.Column}
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errorAt(p.pos(n), format, args...)
}

func (p *parser) errorAt(pos dsl.Pos, format string, args ...any) {
	d := &dsl.Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...)}
	if pos.Line >= 1 && pos.Line <= len(p.lines) {
		d.Source = p.lines[pos.Line-1]
	}
	p.diags = append(p.diags, d)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%q", n.Value)
}

// mapping walks a mapping's pairs, reporting keys given twice and keys not
// in keys (with a did-you-mean), and calls fn with the rest.
func (p *parser) mapping(n *yaml.Node, what string, keys []string, fn func(key string, k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping, got %s", what, kindName(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "%s: a key must be a name, got %s", what, kindName(k))
			continue
		}
		if seen[k.Value] {
			p.errorf(k, "%s: %q is given twice; keep one", what, k.Value)
			continue
		}
		seen[k.Value] = true
		if keys != nil && !contains(keys, k.Value) {
			p.errorf(k, "%s: unknown key %q%s", what, k.Value, dsl.DidYouMeanOr(k.Value, keys, "the keys are "+strings.Join(keys, ", ")))
			continue
		}
		fn(k.Value, k, v)
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// text reads a scalar that must not be empty.
func (p *parser) text(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s: want a name, got %s", what, kindName(n))
		return ""
	}
	if strings.TrimSpace(n.Value) == "" {
		p.errorf(n, "%s: empty; write the name", what)
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// words reads a list of scalars (or one scalar, as a list of one).
func (p *parser) words(n *yaml.Node, what string) []string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want a list, such as [Yes, Y], got %s", what, kindName(n))
		return nil
	}
	var out []string
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
			p.errorf(item, "%s: want a word, got %s", what, kindName(item))
			continue
		}
		out = append(out, item.Value)
	}
	return out
}

// columns reads a list of column names.
func (p *parser) columns(n *yaml.Node, what string) []string {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want a list of columns, such as [First Name, Last Name], got %s", what, kindName(n))
		return nil
	}
	var out []string
	for _, item := range n.Content {
		if c := p.text(item, what); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// fields reads a fields: mapping.
func (p *parser) fields(n *yaml.Node, what string, keys []string) []*Field {
	var out []*Field
	p.mapping(n, what, nil, func(name string, k, v *yaml.Node) {
		if f := p.field(name, k, v, what+"."+name, keys); f != nil {
			out = append(out, f)
		}
	})
	return out
}

// field reads one field's column, or {column, options}.
func (p *parser) field(name string, k, v *yaml.Node, what string, keys []string) *Field {
	f := &Field{Name: name, Pos: p.pos(k), options: map[string]dsl.Pos{}}
	if v.Kind == yaml.ScalarNode {
		f.Column, f.ColumnPos = p.text(v, what), p.pos(v)
		if f.Column == "" {
			return nil
		}
		return f
	}
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "%s: want a column name, or {column: NAME, ...}, got %s", what, kindName(v))
		return nil
	}
	ok := true
	p.mapping(v, what, keys, func(key string, kn, vn *yaml.Node) {
		f.options[key] = p.pos(kn)
		switch key {
		case "column":
			f.Column, f.ColumnPos = p.text(vn, what+".column"), p.pos(vn)
		case "values":
			f.ValuesPos = p.pos(kn)
			f.Values, f.valuePos = map[string]string{}, map[string]dsl.Pos{}
			p.mapping(vn, what+".values", nil, func(cell string, ck, cv *yaml.Node) {
				if cv.Kind != yaml.ScalarNode || cv.Tag == "!!null" {
					p.errorf(cv, "%s.values: %q: want the value to read the cell as, got %s", what, cell, kindName(cv))
					ok = false
					return
				}
				f.Values[cell] = cv.Value
				f.valueOrder = append(f.valueOrder, cell)
				f.valuePos[cell] = p.pos(cv)
			})
		case "separator":
			if vn.Kind != yaml.ScalarNode || vn.Value == "" {
				p.errorf(vn, "%s.separator: want the text between list items, such as \";\", got %s", what, kindName(vn))
				ok = false
				return
			}
			f.Separator = vn.Value
		case "layout":
			f.Layout, f.LayoutPos = p.text(vn, what+".layout"), p.pos(vn)
			if f.Layout != "" {
				if err := checkLayout(f.Layout); err != nil {
					p.errorf(vn, "%s.layout: %v", what, err)
					ok = false
				}
			}
		case "true":
			f.True = p.words(vn, what+".true")
		case "false":
			f.False = p.words(vn, what+".false")
		case "format":
			s := p.text(vn, what+".format")
			if s == "" {
				ok = false
				return
			}
			nf, err := ParseNumberFormat(s)
			if err != nil {
				p.errorf(vn, "%s.format: %v", what, err)
				ok = false
				return
			}
			f.Format, f.FormatPos = nf, p.pos(vn)
		}
	})
	if f.Column == "" {
		if _, given := f.options["column"]; !given {
			p.errorf(v, "%s: no column: say which column holds %s, as {column: NAME, ...}", what, name)
		}
		return nil
	}
	for _, c := range f.True {
		for _, d := range f.False {
			if strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(d)) {
				p.errorAt(f.options["false"], "%s: %q is both true and false; keep it in one list", what, d)
				ok = false
			}
		}
	}
	if !ok {
		return nil
	}
	return f
}

// checkLayout checks that a Go time layout writes a date.
func checkLayout(layout string) error {
	ref := time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)
	const how = `; a layout writes Go's reference time, Mon Jan 2 15:04:05 2006, as the export writes its times, such as "01/02/2006 15:04" or "2006-01-02 15:04:05"`
	t, err := time.Parse(layout, ref.Format(layout))
	if err != nil || t.Year() != 2006 || t.Month() != 1 || t.Day() != 2 {
		return fmt.Errorf("%q does not write a whole date (year, month and day)%s", layout, how)
	}
	return nil
}

// events reads the events: section.
func (p *parser) events(n *yaml.Node) *Events {
	e := &Events{Pos: p.pos(n)}
	seen := map[string]bool{}
	if !p.mapping(n, "events", eventKeys, func(key string, k, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "id":
			e.ID, e.IDPos = p.text(v, "events.id (the column holding the activity's id)"), p.pos(v)
		case "lead":
			e.Lead, e.LeadPos = p.text(v, "events.lead (the column holding the lead id)"), p.pos(v)
		case "type":
			e.Type = p.field("type", k, v, "events.type", []string{"column", "values"})
		case "at":
			e.At = p.field("at", k, v, "events.at", []string{"column", "layout"})
			if e.At != nil {
				e.At.Type = dsl.TypeTime
			}
		case "fields":
			e.Fields = p.fields(v, "events.fields", fieldKeys)
		case "ignore":
			e.Ignore = p.columns(v, "events.ignore")
		}
	}) {
		return nil
	}
	for _, want := range []struct{ key, why string }{
		{"lead", "lead: COLUMN (the column holding the lead id)"},
		{"type", "type: COLUMN (the column holding the event type), or {column, values}"},
		{"at", "at: COLUMN (the column holding when it happened), or {column, layout}"},
	} {
		if !seen[want.key] {
			p.errorf(n, "events: lacks %s", want.why)
		}
	}
	return e
}
