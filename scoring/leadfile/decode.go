// Package leadfile scores leads in bulk: it reads leads with their events
// from NDJSON or CSV, scores them on every core, and writes one result row
// per input row, in input order, as NDJSON or CSV. A row that cannot be read
// or scored fails alone, with its line number and reason; the rest go on.
// Memory stays flat however long the input: rows stream through a bounded
// pipeline.
//
// # Lead formats
//
// NDJSON: one lead per line, a JSON object whose keys are schema fields,
// with "id" and "events". Each event is an object with "type", "at" (RFC
// 3339) and event fields:
//
//	{"id":"L1","email":"a@acme.io","employees":250,"events":[{"type":"page_view","at":"2026-09-17T00:00:00Z","url":"/pricing"}]}
//
// CSV: a leads file with a header row naming "id" and schema fields, and an
// optional events file with "lead_id", "type", "at" and event fields. Empty
// cells are missing values; list cells separate items with "|". The events
// file is read into memory first (grouped by lead id), so for inputs larger
// than memory use NDJSON, which streams.
package leadfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/jsonscan"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// bom is the UTF-8 byte-order mark some tools put at the start of a file.
var bom = []byte("\ufeff")

// DecodeJSON reads one lead from a JSON object in the NDJSON format. A key
// given twice in one object is an error, as is a number out of float64's
// range.
func DecodeJSON(data []byte) (scoring.Lead, error) { return decodeJSONSized(data, 16) }

// decodeJSONSized is DecodeJSON with the room of the row's map
// (jsonscan.DecodeObjectSized).
func decodeJSONSized(data []byte, size int) (scoring.Lead, error) {
	data = bytes.TrimPrefix(data, bom) // a byte-order mark, as Windows tools write
	if obj, ok := jsonscan.DecodeObjectSized(data, size); ok {
		return FromMap(obj)
	}
	return decodeJSONPlain(data)
}

// decodeJSONPlain is DecodeJSON with encoding/json alone: the path for
// every row decodeObject gives up on, which words the errors.
func decodeJSONPlain(data []byte) (scoring.Lead, error) {
	obj, err := jsonscan.Unmarshal(data) // numbers as DecodeObject gives them
	if err != nil {
		return scoring.Lead{}, jsonError(err)
	}
	if obj == nil {
		return scoring.Lead{}, &notObjectError{got: "null"}
	}
	if key, at, dup := duplicateKey(data); dup {
		return scoring.Lead{}, fmt.Errorf("key %q appears twice in one object (again at byte %d); keep one, since which one counts would be a guess", key, at+1)
	}
	return FromMap(obj)
}

// maxJSONDepth is how deep encoding/json reads lists and objects in one
// another; deeper is a syntax error.
const maxJSONDepth = 10000

// jsonError words encoding/json's errors for people who did not write it.
func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if strings.HasSuffix(se.Error(), "exceeded max depth") {
			return fmt.Errorf("the row nests lists or objects deeper than %d levels (at byte %d); lead data is flat or a few levels deep (fields, events and their fields): check that the line is a lead and not another file's data", maxJSONDepth, se.Offset)
		}
		return fmt.Errorf("broken JSON at byte %d: %v", se.Offset, se)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && strings.HasPrefix(ute.Value, "number ") {
		return fmt.Errorf("the number %s at byte %d is out of range: numbers must lie within ±1.8e308", strings.TrimPrefix(ute.Value, "number "), ute.Offset)
	}
	if errors.As(err, &ute) && ute.Field == "" {
		kind := map[string]string{"array": "a list [...]", "string": "a text", "number": "a number", "bool": "true or false"}[ute.Value]
		if kind == "" {
			kind = ute.Value
		}
		return &notObjectError{got: kind}
	}
	return fmt.Errorf("broken JSON: %v", err)
}

// notObjectError is a row that is JSON but no object.
type notObjectError struct {
	got string // what it is: a list [...], null
	of  string // what the row is: "" for a lead
}

func (e *notObjectError) Error() string {
	of := e.of
	if of == "" {
		of = "the lead"
	}
	if e.got == "null" { // as it was worded
		return fmt.Sprintf("want a JSON object for %s, got null", of)
	}
	return fmt.Sprintf("want a JSON object {...} for %s, got %s", of, e.got)
}

// FromMap turns a decoded JSON object into a lead: "id" and "events" are
// taken out of obj, the other keys are the lead's fields. It is
// scoring.LeadFromMap, kept here beside DecodeJSON.
func FromMap(obj map[string]any) (scoring.Lead, error) { return scoring.LeadFromMap(obj) }

// csvSchema maps CSV columns to the model's fields.
type csvSchema struct {
	idCol   int             // -1: none
	fields  []csvColumn     // lead columns the model declares
	unknown []unknownColumn // columns it does not: their cells are kept as text, to be reported
	events  *csvEventIndex  // nil: no events file
	// byField is the column of each of the model's fields, by index; -1
	// for a field the file has no column for.
	byField []int
}

// unknownColumn is a CSV column the model does not declare.
type unknownColumn struct {
	col  int
	name string
}

type csvColumn struct {
	col   int
	field *rules.Field
}

func newCSVSchema(m *rules.Model, header []string) (*csvSchema, error) {
	s := &csvSchema{idCol: -1, byField: make([]int, len(m.Fields))}
	for i := range s.byField {
		s.byField[i] = -1
	}
	seen := map[string]int{}
	for i, name := range header {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if j, ok := seen[name]; ok {
			return nil, fmt.Errorf("column %q appears twice in the header (columns %d and %d), so which one a rule reads would be a guess; rename or drop one in the export", name, j+1, i+1)
		}
		seen[name] = i
		if name == "id" {
			s.idCol = i
			continue
		}
		if f := m.Field(name); f != nil {
			s.fields = append(s.fields, csvColumn{col: i, field: f})
			s.byField[f.Index] = i
		} else {
			s.unknown = append(s.unknown, unknownColumn{col: i, name: name})
		}
	}
	return s, nil
}

// id returns the lead id of a record, "" without an id column.
func (s *csvSchema) id(rec []string) string {
	if s.idCol >= 0 && s.idCol < len(rec) {
		return rec[s.idCol]
	}
	return ""
}

// cells puts the cells of a record in the order of the model's fields, in
// buf, for rules' BindCells; false when the record has a cell in a column
// the model does not declare, which only the general path reports.
func (s *csvSchema) cells(rec []string, buf []string) ([]string, bool) {
	for _, c := range s.unknown {
		if c.col < len(rec) && rec[c.col] != "" {
			return nil, false
		}
	}
	buf = buf[:0]
	for _, col := range s.byField {
		cell := ""
		if col >= 0 && col < len(rec) {
			cell = rec[col]
		}
		buf = append(buf, cell)
	}
	return buf, true
}

// decode turns one CSV record and the lead's events into a lead.
func (s *csvSchema) decode(rec []string, events []scoring.Event) (scoring.Lead, error) {
	fields := make(map[string]any, len(s.fields))
	lead := scoring.Lead{ID: s.id(rec), Events: events}
	var problems []string
	for _, c := range s.fields {
		if c.col >= len(rec) || rec[c.col] == "" || c.field.Type != dsl.TypeString && strings.TrimSpace(rec[c.col]) == "" {
			continue // an empty cell, or spaces where a number, a time or true/false goes: no value
		}
		v, err := dsl.ParseValue(c.field.Type, rec[c.col])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", c.field.Name, err))
			continue
		}
		fields[c.field.Name] = v
	}
	for _, c := range s.unknown {
		if c.col < len(rec) && rec[c.col] != "" {
			fields[c.name] = rec[c.col] // not read by any rule; kept so it is reported
		}
	}
	lead.Fields = fields
	if len(problems) > 0 {
		return lead, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return lead, nil
}

// csvEventIndex holds an events file grouped by lead id, in parts: the
// parts of the file read side by side, in file order, each grouped apart.
type csvEventIndex struct {
	parts []*eventPart
}

// eventPart is a part of an events file grouped by lead id.
type eventPart struct {
	byLead map[string]*eventGroup
	// last is the group of the last event added: an events file sorted
	// by lead adds its events in runs.
	lastID string
	last   *eventGroup
}

// eventGroup is the events of one lead id, in file order.
type eventGroup struct {
	events []scoring.Event
	lines  []int // to report unmatched rows
	// problems are the lead's rows that could not be read (file:line:
	// why): the lead fails with them rather than score without them.
	problems []string
	used     bool
	// failedLine is the line of the lead's row that failed before its
	// events were taken (0: none did)
	failedLine int
}

func newEventPart() *eventPart {
	return &eventPart{byLead: map[string]*eventGroup{}}
}

// add files an event read on line under its lead id.
func (x *eventPart) add(id string, e scoring.Event, line int) {
	g := x.last
	if g == nil || id != x.lastID {
		if g = x.byLead[id]; g == nil {
			g = &eventGroup{}
			x.byLead[id] = g
		}
		x.lastID, x.last = id, g
	}
	g.events = append(g.events, e)
	g.lines = append(g.lines, line)
}

// addProblem files a row of the lead id that could not be read, on line.
func (x *eventPart) addProblem(id string, line int, problem string) {
	g := x.byLead[id]
	if g == nil {
		g = &eventGroup{}
		x.byLead[id] = g
	}
	g.problems = append(g.problems, problem)
	g.lines = append(g.lines, line)
	x.lastID, x.last = "", nil
}

// addRun files events read on lines, all of one lead id, under that id.
// The first run of an id is kept as it is, not copied: give it slices
// that nothing else writes to.
func (x *eventPart) addRun(id string, events []scoring.Event, lines []int) {
	g := x.byLead[id]
	if g == nil {
		x.byLead[id] = &eventGroup{events: events[:len(events):len(events)], lines: lines[:len(lines):len(lines)]}
		return
	}
	g.events = append(g.events, events...)
	g.lines = append(g.lines, lines...)
}

// take returns a lead's events, in file order, and marks them used. It is
// called by the reader, in input order, never concurrently.
func (x *csvEventIndex) take(id string) []scoring.Event {
	evs, _ := x.takeAll(id)
	return evs
}

// takeAll is take with the lead's rows that could not be read (file:line:
// why), in file order.
func (x *csvEventIndex) takeAll(id string) (evs []scoring.Event, problems []string) {
	found := false
	for _, p := range x.parts {
		g := p.byLead[id]
		if g == nil {
			continue
		}
		g.used = true
		problems = append(problems, g.problems...)
		if !found {
			evs, found = g.events, true
		} else {
			evs = append(evs[:len(evs):len(evs)], g.events...) // a copy: the parts stay as they are
		}
	}
	return evs, problems
}

// leadOf is the lead id of an events row, "" when it has none.
func (ec *eventColumns) leadOf(rec []string) string {
	if ec.leadID < 0 || ec.leadID >= len(rec) {
		return ""
	}
	return rec[ec.leadID]
}

// failed notes that the row of the lead id on line failed before its
// events were taken: they were not used, with it, and are not unmatched.
func (x *csvEventIndex) failed(id string, line int) {
	for _, p := range x.parts {
		if g := p.byLead[id]; g != nil && !g.used && g.failedLine == 0 {
			g.failedLine = line
		}
	}
}

// unmatched returns the event rows no lead used, in file order: those of
// lead ids no lead row had, and those of leads whose rows failed.
func (x *csvEventIndex) unmatched() []unusedEvent {
	var rows []unusedEvent
	for _, p := range x.parts {
		for id, g := range p.byLead {
			if !g.used {
				for _, l := range g.lines {
					rows = append(rows, unusedEvent{line: l, id: id, column: "lead_id", failedLine: g.failedLine})
				}
			}
		}
	}
	sortUnused(rows)
	return rows
}

// valueCache shares the values of an events file's text cells between the
// events that repeat them (campaigns, channels, pages): one boxed value
// per distinct text of a column, up to maxCached per column. With
// shareMaps, events whose field cells are all the same share one Fields
// map too, up to maxMaps maps.
type valueCache struct {
	byCol     map[int]map[string]any
	shareMaps bool
	maps      map[string]map[string]any // by the cells' key
	key       []byte
}

const (
	maxCached = 1024
	maxMaps   = 1 << 14
)

func (c *valueCache) text(col int, cell string) any {
	if c == nil {
		return cell
	}
	if v, ok := c.byCol[col][cell]; ok {
		return v
	}
	if c.byCol == nil {
		c.byCol = map[int]map[string]any{}
	}
	m := c.byCol[col]
	if m == nil {
		m = map[string]any{}
		c.byCol[col] = m
	}
	var v any = cell
	if len(m) < maxCached {
		m[cell] = v
	}
	return v
}

// eventColumns maps an events header to its columns.
type eventColumns struct {
	leadID, typ, at int
	fields          []csvColumn
	unknown         []unknownColumn
}

func newEventColumns(m *rules.Model, header []string) (*eventColumns, error) {
	ec := &eventColumns{leadID: -1, typ: -1, at: -1}
	for i, name := range header {
		switch name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")); name {
		case "lead_id":
			ec.leadID = i
		case "type":
			ec.typ = i
		case "at":
			ec.at = i
		default:
			known := false
			for _, f := range m.EventFields {
				if f.Name == name {
					ec.fields = append(ec.fields, csvColumn{col: i, field: f})
					known = true
				}
			}
			if !known {
				ec.unknown = append(ec.unknown, unknownColumn{col: i, name: name})
			}
		}
	}
	var missing []string
	for name, col := range map[string]int{"lead_id": ec.leadID, "type": ec.typ, "at": ec.at} {
		if col < 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("the events header lacks %s; it needs lead_id, type and at", strings.Join(missing, ", "))
	}
	return ec, nil
}

// decode reads one event row; cache, when not nil, shares the values of
// cells seen before.
func (ec *eventColumns) decode(rec []string, cache *valueCache) (string, scoring.Event, error) {
	get := func(i int) string {
		if i < len(rec) {
			return rec[i]
		}
		return ""
	}
	e := scoring.Event{Type: get(ec.typ)}
	if e.Type == "" {
		return "", e, fmt.Errorf("type: empty; every event needs its type")
	}
	cell := get(ec.at)
	if cell == "" {
		return "", e, fmt.Errorf("at: missing; every event needs the time it happened")
	}
	at, err := dsl.ParseTime(cell)
	if err != nil {
		return "", e, fmt.Errorf("at: %v", err)
	}
	e.At = at
	var key []byte // the field cells, each after its length: for shared maps
	if cache != nil && cache.shareMaps {
		key = cache.key[:0]
		for _, c := range ec.fields {
			key = binary.AppendUvarint(key, uint64(len(get(c.col))))
			key = append(key, get(c.col)...)
		}
		for _, c := range ec.unknown {
			key = binary.AppendUvarint(key, uint64(len(get(c.col))))
			key = append(key, get(c.col)...)
		}
		cache.key = key
		if m, ok := cache.maps[string(key)]; ok {
			e.Fields = m // the same cells make the same map
			return get(ec.leadID), e, nil
		}
	}
	for _, c := range ec.fields {
		cell := get(c.col)
		if cell == "" {
			continue
		}
		var v any
		if c.field.Type == dsl.TypeString {
			v = cache.text(c.col, cell) // dsl.ParseValue gives the cell itself
		} else if v, err = dsl.ParseValue(c.field.Type, cell); err != nil {
			return "", e, fmt.Errorf("%s: %v", c.field.Name, err)
		}
		if e.Fields == nil {
			e.Fields = make(map[string]any, len(ec.fields))
		}
		e.Fields[c.field.Name] = v
	}
	for _, c := range ec.unknown {
		if cell := get(c.col); cell != "" {
			if e.Fields == nil {
				e.Fields = map[string]any{}
			}
			e.Fields[c.name] = cell // not read by any rule; kept so it is reported
		}
	}
	if key != nil && e.Fields != nil && len(cache.maps) < maxMaps {
		if cache.maps == nil {
			cache.maps = map[string]map[string]any{}
		}
		cache.maps[string(key)] = e.Fields
	}
	return get(ec.leadID), e, nil
}
