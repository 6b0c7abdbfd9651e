package source

import (
	"errors"
	"fmt"
	"github.com/leadscore/leadscore/internal/numfmt"
	"math"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/delim"
	"github.com/leadscore/leadscore/scoring"
)

// boundField is a mapped field with its column's index in the header.
type boundField struct {
	*Field
	col int
}

// Leads reads the rows of a contacts export through a mapping.
type Leads struct {
	m      *Mapping
	idCol  int
	fields []boundField
}

// HeaderError is an export's header that lacks columns the mapping names.
type HeaderError struct {
	File     string
	Problems []string
}

// Error lists the missing columns, one a line.
func (e *HeaderError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:1: %s", e.File, p)
	}
	return b.String()
}

// cleanHeader trims the header's names and a byte-order mark.
func cleanHeader(header []string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		out[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	return out
}

// binder finds the columns a mapping names in a header.
type binder struct {
	m        *Mapping
	header   []string
	index    map[string]int
	problems []string
	used     map[int]bool
}

func newBinder(m *Mapping, header []string) (*binder, error) {
	b := &binder{m: m, header: cleanHeader(header), index: map[string]int{}, used: map[int]bool{}}
	for i, h := range b.header {
		if _, dup := b.index[h]; dup {
			return nil, fmt.Errorf("column %q appears twice in the header, so which one the mapping means would be a guess; rename one in the export", h)
		}
		b.index[h] = i
	}
	return b, nil
}

// column finds a column; what says what the mapping reads from it.
func (b *binder) column(name, what string, pos dsl.Pos) int {
	i, ok := b.index[name]
	if !ok {
		b.problems = append(b.problems, fmt.Sprintf("the header has no column %q, which %s (%s) reads%s", name, what, pos,
			dsl.DidYouMeanOr(name, b.header, "fix the column name in the mapping, or export the column")))
		return -1
	}
	b.used[i] = true
	return i
}

// headerProblems returns the problems found binding the header, or, when
// the header read as one column that holds another likely delimiter, the
// one problem that explains them all.
func (b *binder) headerProblems(file string) error {
	if len(b.problems) == 0 {
		return nil
	}
	if len(b.header) == 1 {
		if d := delim.Guess(b.m.Comma(), func(d rune) bool { return strings.ContainsRune(b.header[0], d) }); d != 0 {
			fix := fmt.Sprintf("set delimiter: %q in the mapping (%s)", string(d), b.m.File)
			if d == ',' {
				fix = fmt.Sprintf("take delimiter: out of the mapping (%s), or set it to \",\"", b.m.File)
			}
			return &HeaderError{File: file, Problems: []string{fmt.Sprintf("the header looks separated by %s: %s; read with %q between cells, it is one column, %s, so none of the columns the mapping reads is found",
				delim.Name(d), fix, string(b.m.Comma()), quoteCell(b.header[0]))}}
		}
	}
	return &HeaderError{File: file, Problems: b.problems}
}

// unread warns of the columns neither mapped nor ignored.
func (b *binder) unread(file string, ignore []string) []string {
	var out []string
	for i, h := range b.header {
		if b.used[i] || contains(ignore, h) || h == "" {
			continue
		}
		out = append(out, fmt.Sprintf("%s:1: column %q is neither mapped nor ignored, so no rule reads it; map it under fields: or list it under ignore: in %s", file, h, b.m.File))
	}
	return out
}

var errUnchecked = errors.New("the source mapping has not been checked against the model (Mapping.Check)")

// Leads binds the mapping to a contacts export's header (file names it in
// messages). It returns the warnings about columns neither mapped nor
// ignored, and a *HeaderError naming every column the mapping reads that
// the header lacks. Check the mapping first.
func (m *Mapping) Leads(file string, header []string) (*Leads, []string, error) {
	if !m.checked {
		return nil, nil, errUnchecked
	}
	b, err := newBinder(m, header)
	if err != nil {
		return nil, nil, fmt.Errorf("%s:1: %w", file, err)
	}
	r := &Leads{m: m, idCol: b.column(m.ID, "id:", m.IDPos)}
	for _, f := range m.Fields {
		if col := b.column(f.Column, "fields."+f.Name, f.ColumnPos); col >= 0 {
			r.fields = append(r.fields, boundField{f, col})
		}
	}
	if err := b.headerProblems(file); err != nil {
		return nil, nil, err
	}
	return r, b.unread(file, m.Ignore), nil
}

// IDFirst says the id is the export's first column: a row with more or
// fewer cells than the header has its id still in its first cell (a
// delimiter in a later cell cannot move it).
func (r *Leads) IDFirst() bool { return r.idCol == 0 }

// ID returns a row's lead id, trimmed; "" when it has none.
func (r *Leads) ID(rec []string) string {
	if r.idCol < len(rec) {
		return trimSpace(rec[r.idCol])
	}
	return ""
}

// Lead reads one row as a lead, without events. A cell that cannot be read
// fails the row: the error names every such column, its cell and the fix.
// The lead holds what could be read, and its id when the row has one.
func (r *Leads) Lead(rec []string) (scoring.Lead, error) {
	lead := scoring.Lead{ID: r.ID(rec)}
	fields := make(map[string]any, len(r.fields))
	var problems []string
	if lead.ID == "" {
		problems = append(problems, fmt.Sprintf("column %q is empty; every lead needs its id (id: at %s)", r.m.ID, r.m.IDPos))
	}
	for _, f := range r.fields {
		cell := ""
		if f.col < len(rec) {
			cell = rec[f.col]
		}
		if trimSpace(cell) == "" {
			continue // a missing value
		}
		v, err := f.read(cell, r.m.Zone)
		if err != nil {
			problems = append(problems, fmt.Sprintf("column %q (%s): %v", f.Column, f.Name, err))
			continue
		}
		fields[f.Name] = v
	}
	lead.Fields = fields
	if len(problems) > 0 {
		return lead, errors.New(strings.Join(problems, "; "))
	}
	return lead, nil
}

// read reads a non-empty cell as the field's type.
func (f *Field) read(cell string, zone *time.Location) (any, error) {
	c := trimSpace(cell)
	switch f.Type {
	case dsl.TypeString:
		return f.mapValue(c)
	case dsl.TypeList:
		sep := f.Separator
		if sep == "" {
			sep = "|"
		}
		items := []string{}
		for _, item := range strings.Split(c, sep) {
			if item = trimSpace(item); item == "" {
				continue
			}
			v, err := f.mapValue(item)
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		}
		return items, nil
	case dsl.TypeBool:
		return parseBool(c, f.True, f.False)
	case dsl.TypeInt, dsl.TypeFloat:
		return f.number(cell, c)
	case dsl.TypeTime:
		return ParseTime(cell, f.Layout, zone)
	}
	return nil, fmt.Errorf("unknown type %q", f.Type)
}

// mapValue reads a cell through the values: map, when there is one.
func (f *Field) mapValue(c string) (string, error) {
	if f.Values == nil {
		return c, nil
	}
	if v, ok := f.Values[c]; ok {
		return v, nil
	}
	return "", fmt.Errorf("%s is not in the values: of %s (%s); add it there, as %s: VALUE%s", quoteCell(c), f.Name, f.ValuesPos, quoteCell(c),
		dsl.DidYouMeanOr(c, f.valueOrder, ""))
}

// number reads a number cell, with the field's format when it has one.
func (f *Field) number(cell, c string) (any, error) {
	var v float64
	if f.Format != nil {
		var err error
		if v, err = f.Format.Parse(cell); err != nil {
			return nil, fmt.Errorf("%v (format: at %s)", err, f.FormatPos)
		}
	} else {
		var err error
		v, err = numfmt.ParseDecimal(c)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			hint := ""
			if strings.IndexFunc(c, func(r rune) bool { return !isDigit(r) && r != '.' && r != '-' }) >= 0 {
				hint = fmt.Sprintf("; if the export writes numbers with a currency sign or thousands separators, say how with format:, such as {column: %s, format: \"$1,234.56\"}", f.Column)
			}
			return nil, fmt.Errorf("want a number, got %s%s", quoteCell(cell), hint)
		}
	}
	if f.Type == dsl.TypeFloat {
		return v, nil
	}
	if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return nil, fmt.Errorf("want a whole number for %s, got %s", f.Name, quoteCell(cell))
	}
	return int(v), nil
}

// EventRows reads the rows of an activities export through a mapping.
type EventRows struct {
	m      *Mapping
	idCol  int // -1: no activity id
	lead   int
	typ    boundField
	at     boundField
	fields []boundField
	header []string // the export's columns, cleaned
	ignore []bool   // the columns under events.ignore, by index
}

// Events binds the mapping's events: section to an activities export's
// header, as Leads does for contacts.
func (m *Mapping) EventRows(file string, header []string) (*EventRows, []string, error) {
	if !m.checked {
		return nil, nil, errUnchecked
	}
	e := m.Events
	if e == nil {
		return nil, nil, fmt.Errorf("%s has no events: section to read %s with; add one (lead, type, at and fields: columns)", m.File, file)
	}
	b, err := newBinder(m, header)
	if err != nil {
		return nil, nil, fmt.Errorf("%s:1: %w", file, err)
	}
	r := &EventRows{m: m, idCol: -1, header: b.header, ignore: make([]bool, len(b.header))}
	for i, h := range b.header {
		r.ignore[i] = contains(e.Ignore, h)
	}
	if e.ID != "" {
		r.idCol = b.column(e.ID, "events.id", e.IDPos)
	}
	r.lead = b.column(e.Lead, "events.lead", e.LeadPos)
	r.typ = boundField{e.Type, b.column(e.Type.Column, "events.type", e.Type.ColumnPos)}
	r.at = boundField{e.At, b.column(e.At.Column, "events.at", e.At.ColumnPos)}
	for _, f := range e.Fields {
		if col := b.column(f.Column, "events.fields."+f.Name, f.ColumnPos); col >= 0 {
			r.fields = append(r.fields, boundField{f, col})
		}
	}
	if err := b.headerProblems(file); err != nil {
		return nil, nil, err
	}
	return r, b.unread(file, e.Ignore), nil
}

// Event reads one activity row: its own id ("" without an id column), the
// lead's id, and the event. A cell that cannot be read fails the row, with
// the column, the cell and the fix; leadID is set whenever the row has it,
// so the lead the row belongs to can fail with it.
func (r *EventRows) Event(rec []string) (id, leadID string, ev scoring.Event, err error) {
	get := func(col int) string {
		if col >= 0 && col < len(rec) {
			return rec[col]
		}
		return ""
	}
	id, leadID = trimSpace(get(r.idCol)), trimSpace(get(r.lead))
	var problems []string
	if leadID == "" {
		problems = append(problems, fmt.Sprintf("column %q is empty; every activity needs the id of its lead (events.lead: at %s)", r.m.Events.Lead, r.m.Events.LeadPos))
	}
	if c := trimSpace(get(r.typ.col)); c == "" {
		problems = append(problems, fmt.Sprintf("column %q is empty; every activity needs its type", r.typ.Column))
	} else if ev.Type, err = r.typ.mapValue(c); err != nil {
		problems = append(problems, fmt.Sprintf("column %q (event type): %v", r.typ.Column, err))
	}
	if c := get(r.at.col); trimSpace(c) == "" {
		problems = append(problems, fmt.Sprintf("column %q is empty; every activity needs the time it happened", r.at.Column))
	} else if ev.At, err = ParseTime(c, r.at.Layout, r.m.Zone); err != nil {
		problems = append(problems, fmt.Sprintf("column %q (event time): %v", r.at.Column, err))
	}
	for _, f := range r.fields {
		cell := get(f.col)
		if trimSpace(cell) == "" {
			continue
		}
		v, err := f.read(cell, r.m.Zone)
		if err != nil {
			problems = append(problems, fmt.Sprintf("column %q (%s): %v", f.Column, f.Name, err))
			continue
		}
		if ev.Fields == nil {
			ev.Fields = make(map[string]any, len(r.fields))
		}
		ev.Fields[f.Name] = v
	}
	if len(problems) > 0 {
		return id, leadID, ev, errors.New(strings.Join(problems, "; "))
	}
	return id, leadID, ev, nil
}

// Differ compares two activity rows with the same id: the first column,
// among those not under events.ignore, whose cells differ (trimmed), and
// the two cells; ok is false when the rows say the same.
func (r *EventRows) Differ(a, b []string) (column, cellA, cellB string, ok bool) {
	for i, h := range r.header {
		if r.ignore[i] {
			continue
		}
		var ca, cb string
		if i < len(a) {
			ca = trimSpace(a[i])
		}
		if i < len(b) {
			cb = trimSpace(b[i])
		}
		if ca != cb {
			return h, ca, cb, true
		}
	}
	return "", "", "", false
}

// IDColumn returns the column holding the activity's own id, "" when the
// mapping names none.
func (r *EventRows) IDColumn() string { return r.m.Events.ID }
