package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/bounded"
)

// MaxFileSize is the largest mapping file read.
const MaxFileSize = 1 << 20

// ParseFile reads and parses a mapping file: a regular file (not a named
// pipe or a device) of at most MaxFileSize bytes.
func ParseFile(path string) (*Mapping, error) {
	src, err := bounded.ReadFile(path, MaxFileSize)
	var tl *bounded.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, dsl.Diagnostics{{Pos: dsl.Pos{File: path}, Message: "the file is over 1 MiB; a source mapping is a page of YAML"}}
	case err != nil:
		return nil, dsl.Diagnostics{{Pos: dsl.Pos{File: path}, Message: fmt.Sprintf("cannot read the source mapping: %v", err), Err: err}}
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
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorAt(dsl.Pos{File: file, Line: 1, Col: 1}, "the file is empty; a source mapping starts with leadscore: 1 and source: NAME")
			return nil, p.diags
		}
		p.errorAt(dsl.Pos{File: file, Line: yamlLine(err), Col: 1}, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, p.diags
	}
	p.secondDocument(dec)
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
		case "delimiter":
			m.Delimiter, m.DelimiterPos = p.delimiter(v), p.pos(v)
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
	p.sharedColumns(m)
	if len(p.diags) > 0 {
		all := append(p.diags, p.warnings...)
		all.Sort()
		return nil, all
	}
	m.warnings = p.warnings
	return m, nil
}

// secondDocument reports a second YAML document (after ---) in the file:
// it would be read as nothing, silently.
func (p *parser) secondDocument(dec *yaml.Decoder) {
	var next yaml.Node
	err := dec.Decode(&next)
	switch {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.errorAt(dsl.Pos{File: p.file, Line: yamlLine(err), Col: 1}, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	case len(next.Content) > 0 && next.Content[0].Tag != "!!null":
		p.errorAt(dsl.Pos{File: p.file, Line: max(next.Line, 1), Col: 1}, "a second YAML document starts here (after ---), and a source mapping is one document, so it would be read as nothing; take out the --- and merge what follows into the mapping, or put it in its own file")
	}
}

// delimiter reads delimiter:, the one character between an export's cells.
func (p *parser) delimiter(n *yaml.Node) rune {
	const how = `; write the one character between the export's cells, such as ";" or "\t" (a tab, in double quotes)`
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "delimiter: want one character, got %s%s", kindName(n), how)
		return 0
	}
	if utf8.RuneCountInString(n.Value) != 1 {
		p.errorf(n, "delimiter: %q is not one character%s", n.Value, how)
		return 0
	}
	r, _ := utf8.DecodeRuneInString(n.Value)
	if r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError || unicode.IsLetter(r) || unicode.IsDigit(r) {
		p.errorf(n, "delimiter: %q cannot separate cells, since cells are quoted with it or hold it%s", n.Value, how)
		return 0
	}
	return r
}

// sharedColumns reports a column the mapping reads for two things: for
// two of events' id, lead, type and at, an error (each activity's id would
// be its lead's, or its type its time); for two fields, or a field and one
// of those, a warning, since an export may mean it.
func (p *parser) sharedColumns(m *Mapping) {
	p.sharedFields("fields.", m.Fields, nil)
	e := m.Events
	if e == nil {
		return
	}
	var keys []columnUse
	add := func(what, col string, pos dsl.Pos) {
		if col != "" {
			keys = append(keys, columnUse{what, col, pos})
		}
	}
	add("events.id", e.ID, e.IDPos)
	add("events.lead", e.Lead, e.LeadPos)
	if e.Type != nil {
		add("events.type", e.Type.Column, e.Type.ColumnPos)
	}
	if e.At != nil {
		add("events.at", e.At.Column, e.At.ColumnPos)
	}
	for i, k := range keys {
		for _, j := range keys[:i] {
			if k.column == j.column {
				p.errorAt(k.pos, "%s: column %q is also %s (%s); an activity's id, lead, type and time are four different columns of the export, so map %s to its own column%s", k.what, k.column, j.what, j.pos, k.what, sharedHint(j.what, k.what))
				break
			}
		}
	}
	p.sharedFields("events.fields.", e.Fields, keys)
}

// columnUse is one thing a mapping reads from a column.
type columnUse struct {
	what, column string
	pos          dsl.Pos
}

// sharedFields warns of each field whose column an earlier field, or one
// of keys, reads too.
func (p *parser) sharedFields(prefix string, fields []*Field, keys []columnUse) {
	first := map[string]columnUse{}
	for _, k := range keys {
		if _, ok := first[k.column]; !ok {
			first[k.column] = k
		}
	}
	for _, f := range fields {
		what := prefix + f.Name
		if u, ok := first[f.Column]; ok {
			p.warnAt(f.ColumnPos, "%s: column %q is also mapped to %s (%s), so both read the same cells; map each to its own column unless that is meant", what, f.Column, u.what, u.pos)
			continue
		}
		first[f.Column] = columnUse{what, f.Column, f.ColumnPos}
	}
}

// sharedHint adds advice for the likeliest slip: the activity's id given
// the lead's column.
func sharedHint(a, b string) string {
	if (a == "events.id" && b == "events.lead") || (a == "events.lead" && b == "events.id") {
		return " (events.id is the activity's own id, such as Activity ID, which tells two activities of one lead apart; leave it out if the export has none)"
	}
	return ""
}

var (
	topKeys   = []string{"leadscore", "source", "id", "timezone", "delimiter", "fields", "ignore", "events"}
	fieldKeys = []string{"column", "values", "separator", "layout", "true", "false", "format"}
	eventKeys = []string{"id", "lead", "type", "at", "fields", "ignore"}
)

// loadZone loads an IANA zone, with the fix when the name is not one. A
// name without an Area/ (EST, CET, GMT, EST5EDT) or under Etc/ is an
// abbreviation, an old alias or a fixed offset, and several of those keep
// one offset all year where the place they stand for changes its clocks:
// refused, with the place to name instead. UTC and Etc/UTC are kept.
func loadZone(name string) (*time.Location, error) {
	if name == "Local" || name == "" {
		return nil, fmt.Errorf("timezone: %q is not a zone: name the CRM's zone, such as America/New_York or Europe/Berlin, so the mapping reads the same on every machine", name)
	}
	if name == "UTC" || name == "Etc/UTC" {
		return time.UTC, nil
	}
	if msg := zoneAlias(name); msg != "" {
		return nil, fmt.Errorf("timezone: %q %s", name, msg)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("timezone: %q is not an IANA time zone; write it as Area/City, such as America/New_York, Europe/London or UTC", name)
	}
	return loc, nil
}

// zonePlaces names the places meant by the usual abbreviations and
// aliases, for the message refusing them.
var zonePlaces = map[string]string{
	"EST": "America/New_York", "EDT": "America/New_York", "EST5EDT": "America/New_York", "ET": "America/New_York",
	"CST": "America/Chicago, or Asia/Shanghai for China", "CDT": "America/Chicago", "CST6CDT": "America/Chicago", "CT": "America/Chicago",
	"MST": "America/Denver, or America/Phoenix (no daylight saving)", "MDT": "America/Denver", "MST7MDT": "America/Denver", "MT": "America/Denver",
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PST8PDT": "America/Los_Angeles", "PT": "America/Los_Angeles",
	"AKST": "America/Anchorage", "AKDT": "America/Anchorage", "HST": "Pacific/Honolulu",
	"GMT": "Europe/London, or UTC for times in UTC", "BST": "Europe/London", "WET": "Europe/Lisbon", "WEST": "Europe/Lisbon",
	"CET": "Europe/Berlin or Europe/Paris", "CEST": "Europe/Berlin or Europe/Paris", "MET": "Europe/Berlin or Europe/Paris",
	"EET": "Europe/Athens or Europe/Helsinki", "EEST": "Europe/Athens or Europe/Helsinki", "MSK": "Europe/Moscow",
	"IST": "Asia/Kolkata, or Europe/Dublin", "JST": "Asia/Tokyo", "KST": "Asia/Seoul",
	"AEST": "Australia/Sydney, or Australia/Brisbane (no daylight saving)", "AEDT": "Australia/Sydney",
	"ACST": "Australia/Adelaide", "AWST": "Australia/Perth", "NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland",
	"SGT": "Asia/Singapore", "HKT": "Asia/Hong_Kong", "BRT": "America/Sao_Paulo",
}

// offsetPlaces are places at each whole-hour offset from UTC, for the
// message refusing Etc/GMT+N.
var offsetPlaces = map[int]string{
	-11: "Pacific/Pago_Pago", -10: "Pacific/Honolulu", -9: "America/Anchorage", -8: "America/Los_Angeles",
	-7: "America/Denver", -6: "America/Chicago", -5: "America/New_York", -4: "America/Halifax", -3: "America/Sao_Paulo",
	-2: "America/Noronha", -1: "Atlantic/Azores", 1: "Europe/Berlin", 2: "Europe/Athens", 3: "Europe/Moscow",
	4: "Asia/Dubai", 5: "Asia/Karachi", 6: "Asia/Dhaka", 7: "Asia/Bangkok", 8: "Asia/Singapore", 9: "Asia/Tokyo",
	10: "Australia/Sydney", 11: "Pacific/Noumea", 12: "Pacific/Auckland", 13: "Pacific/Tongatapu", 14: "Pacific/Kiritimati",
}

// zoneAlias says why a zone name other than UTC is refused, and what to
// write instead; "" for an Area/City name, or a name that is no zone.
func zoneAlias(name string) string {
	const utc = "is UTC under another name; write timezone: UTC"
	if rest, ok := strings.CutPrefix(name, "Etc/"); ok {
		if n, ok := strings.CutPrefix(rest, "GMT"); ok && len(n) > 1 && (n[0] == '+' || n[0] == '-') {
			if h, err := strconv.Atoi(n[1:]); err == nil && strconv.Itoa(h) == n[1:] {
				if h == 0 {
					return utc
				}
				if n[0] == '+' {
					h = -h
				}
				sign := "+"
				if h < 0 {
					sign = "\u2212"
				}
				place := "name the place as Area/City"
				if p, ok := offsetPlaces[h]; ok {
					place = "name the place, such as " + p
				}
				return fmt.Sprintf("means UTC%s%d all year (the sign of an Etc/GMT name is inverted); %s, so its daylight saving time is followed, or write timezone: UTC for times in UTC", sign, abs(h), place)
			}
		}
		if loc, err := time.LoadLocation(name); err == nil {
			if off, fixed := fixedOffset(loc); fixed && off == 0 {
				return utc
			}
		}
		return "is not a place; name the place as Area/City, such as America/New_York or Europe/Berlin, or write timezone: UTC for times in UTC"
	}
	if strings.Contains(name, "/") {
		return ""
	}
	suggestion := "; name the place as Area/City, such as America/New_York or Europe/Berlin, or write timezone: UTC for times in UTC"
	if place, ok := zonePlaces[strings.ToUpper(name)]; ok {
		suggestion = "; did you mean " + place + "?"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		if _, ok := zonePlaces[strings.ToUpper(name)]; !ok {
			return "" // not a zone: loadZone says so
		}
		return "is an abbreviation, not a zone" + suggestion
	}
	off, fixed := fixedOffset(loc)
	switch {
	case fixed && off == 0 && strings.ToUpper(name) != "GMT":
		return utc
	case fixed:
		return fmt.Sprintf("is a fixed offset, %s all year, not a place, so times from the months the place keeps daylight saving time would be an hour off%s", time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Format("-07:00"), suggestion)
	}
	return "is an abbreviation or old alias, not a place name, and the mapping should name the place whose clocks the CRM keeps" + suggestion
}

// fixedOffset reports whether loc keeps one offset all year (2026), and
// which.
func fixedOffset(loc *time.Location) (int, bool) {
	_, jan := time.Date(2026, 1, 1, 12, 0, 0, 0, loc).Zone()
	_, jul := time.Date(2026, 7, 1, 12, 0, 0, 0, loc).Zone()
	return jan, jan == jul
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
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
	file     string
	lines    []string
	diags    dsl.Diagnostics
	warnings dsl.Diagnostics
}

func (p *parser) warnAt(pos dsl.Pos, format string, args ...any) {
	d := &dsl.Diagnostic{Severity: dsl.Warning, Pos: pos, Message: fmt.Sprintf(format, args...)}
	if pos.Line >= 1 && pos.Line <= len(p.lines) {
		d.Source = p.lines[pos.Line-1]
	}
	p.warnings = append(p.warnings, d)
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

func kindName(n *yaml.Node) string { return dsl.NodeKind(n) }

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
		if strings.TrimSpace(n.Value) == "" {
			p.errorf(n, "%s: an empty word; an empty cell is a missing value, not %s", what, what[strings.LastIndex(what, ".")+1:])
			return nil
		}
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want a list, such as [Yes, Y], got %s", what, kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(n, "%s: an empty list, so no cell would read as it; list the words, such as [Yes, Y], or leave the key out for the usual ones (true, yes, 1 and false, no, 0)", what)
		return nil
	}
	var out []string
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
			p.errorf(item, "%s: want a word, got %s", what, kindName(item))
			continue
		}
		if strings.TrimSpace(item.Value) == "" {
			p.errorf(item, "%s: an empty word; an empty cell is a missing value, not %s", what, what[strings.LastIndex(what, ".")+1:])
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
	if err := zoneAbbreviation(layout); err != nil {
		return err
	}
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
