package rules

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadscore/leadscore/dsl"
)

// nameKind says what a name of lead data is to a model.
type nameKind uint8

const (
	unknownName nameKind = iota
	fieldName            // a declared field
	groupName            // the group of nested fields: company for company.size
)

// names maps every declared field name, and every group of nested fields
// (company, company.address for company.address.city), to its kind.
type names map[string]nameKind

func newNames(fields []*Field) names {
	n := names{}
	for _, f := range fields {
		for i := strings.IndexByte(f.Name, '.'); i >= 0; i = nextDot(f.Name, i) {
			n[f.Name[:i]] = groupName
		}
	}
	for _, f := range fields {
		n[f.Name] = fieldName // a field that is also a group is refused by dsl.Check
	}
	return n
}

func nextDot(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// lookup finds a field's value in lead data (a lead's fields, or an
// event's) under every spelling of its path: a nested field
// company.address.country may be written flat ({"company.address.country":
// "US"}), nested ({"company": {"address": {"country": "US"}}}) or mixed
// ({"company.address": {"country": "US"}}, {"company": {"address.country":
// "US"}}), and each is read. found is false when the data lacks it. err
// says when two spellings both give it (which one counts would be a guess,
// as for a key given twice), or when a part of the way holds a value that
// is not an object (it would be dropped without a word); nil and a missing
// part count as missing.
func lookup(data map[string]any, f *Field) (v any, found bool, err error) {
	if f.path == nil {
		v, found = data[f.Name]
		return v, found, nil
	}
	var w pathWalk
	w.f = f
	w.walk(data, 0, 0)
	if w.dup != 0 {
		return nil, false, fmt.Errorf("given twice, as %s and as %s; keep one, since which one counts would be a guess",
			f.spelling(w.cuts), f.spelling(w.dup))
	}
	if w.err != nil {
		return nil, false, w.err
	}
	return w.v, w.found, nil
}

// pathWalk is one search of lead data for every spelling of a field's path.
// A spelling is the set of places its keys start: bit i of a mask stands
// for a key that starts at path[i] (bit 0 always).
type pathWalk struct {
	f     *Field
	v     any
	found bool
	cuts  uint64 // the spelling found first
	dup   uint64 // a second spelling found, 0 for none
	err   error  // the first part of the way that is not an object
}

// walk looks in obj for the rest of the path from path[from], its keys
// so far starting at cuts.
func (w *pathWalk) walk(obj map[string]any, from int, cuts uint64) {
	path := w.f.path
	cuts |= bitAt(from)
	for to := from + 1; to <= len(path) && w.dup == 0; to++ {
		v, ok := obj[w.f.joined(from, to)]
		if !ok {
			continue
		}
		if to == len(path) {
			if w.found {
				w.dup = cuts
				return
			}
			w.v, w.found, w.cuts = v, true, cuts
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			w.walk(x, to, cuts)
		default:
			if !isMissing(v) && w.err == nil {
				w.err = fmt.Errorf("want an object with %s in %s, got %s",
					strings.Join(path[to:], "."), strings.Join(path[:to], "."), describe(v))
			}
		}
	}
}

// bitAt is the bit of a spelling's mask for a key starting at path[i]; a
// path of more than 64 parts shares the last bit (only the wording of a
// message would suffer).
func bitAt(i int) uint64 { return 1 << min(i, 63) }

// joined is the key spelling path[from:to] as one dotted key.
func (f *Field) joined(from, to int) string {
	if from == 0 && to == len(f.path) {
		return f.Name
	}
	if f.joins != nil {
		return f.joins[from*len(f.path)+to-1]
	}
	return strings.Join(f.path[from:to], ".")
}

// spelling writes a spelling of f's path as JSON: {"company":{"size":…}}.
func (f *Field) spelling(cuts uint64) string {
	var b strings.Builder
	keys := 0
	for i := 0; i < len(f.path); {
		j := i + 1
		for j < len(f.path) && cuts&bitAt(j) == 0 {
			j++
		}
		fmt.Fprintf(&b, "{%q:", f.joined(i, j))
		keys++
		i = j
	}
	b.WriteString("…" + strings.Repeat("}", keys))
	return b.String()
}

// isMissing reports whether a value stands for no value: nil, a nil
// pointer, or the zero time (a time.Time a struct never set).
func isMissing(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case time.Time:
		return x.IsZero()
	case *time.Time:
		return x == nil || x.IsZero()
	}
	return false
}

// UnknownKind says what kind of data a model does not declare.
type UnknownKind string

// The kinds of unknown data.
const (
	UnknownKey       UnknownKind = "key"        // a key (or struct field, or CSV column) of the lead
	UnknownEventKey  UnknownKind = "event key"  // a key of an event
	UnknownEventType UnknownKind = "event type" // an event type outside the model's event_types
)

// Unknown is data a lead carried that its model does not declare, so no
// rule read it: often a misspelt or renamed field.
type Unknown struct {
	Kind UnknownKind `json:"kind"`
	// Name is the key as the data spelt it, dotted when nested
	// (company.sise), or the event type.
	Name string `json:"name"`
	// DidYouMean is the declared name nearest to Name, "" for none.
	DidYouMean string `json:"did_you_mean,omitempty"`
}

// String says it the way messages do: unknown key "Employees"; did you mean "employees"?
func (u Unknown) String() string {
	s := fmt.Sprintf("unknown %s %q", u.Kind, u.Name)
	if u.DidYouMean != "" {
		s += fmt.Sprintf("; did you mean %q?", u.DidYouMean)
	}
	return s
}

// Unknowns appends to dst what lead data (a lead's fields as a map) and
// its events carry that m does not declare: keys, at any depth, that are
// neither fields nor groups of fields; event keys besides type and at that
// are not event fields; event types outside event_types (when the model
// lists them). Each appears once, in the order met.
func (m *Model) Unknowns(dst []Unknown, fields map[string]any, events []Event) []Unknown {
	set := &unknownSet{list: dst, from: len(dst)}
	m.unknownKeys(set, UnknownKey, m.fieldNames, fields, "")
	for i := range events {
		m.eventUnknowns(set, &events[i])
	}
	return set.list
}

// EventUnknowns appends what one event carries that m does not declare,
// skipping what dst[from:] already holds.
func (m *Model) EventUnknowns(dst []Unknown, from int, e *Event) []Unknown {
	set := &unknownSet{list: dst, from: from}
	m.eventUnknowns(set, e)
	return set.list
}

func (m *Model) eventUnknowns(set *unknownSet, e *Event) {
	if m.eventTypeSet != nil && !m.eventTypeSet[e.Type] {
		set.add(m, UnknownEventType, e.Type)
	}
	if !m.eventKeysKnown(e.Fields) {
		m.unknownKeys(set, UnknownEventKey, m.eventNames, e.Fields, "")
	}
}

// eventKeysKnown reports, for a model without nested event fields, that
// every key of an event's fields is a declared event field (or type or
// at): as many of them are there as it has keys. Looking each up is
// cheaper than walking the map.
func (m *Model) eventKeysKnown(fields map[string]any) bool {
	if m.eventNested || len(fields) > len(m.EventFields)+2 {
		return false
	}
	n := 0
	for _, f := range m.EventFields {
		if n == len(fields) {
			return true
		}
		if _, ok := fields[f.Name]; ok {
			n++
		}
	}
	if n < len(fields) {
		if _, ok := fields["type"]; ok {
			n++
		}
		if _, ok := fields["at"]; ok {
			n++
		}
	}
	return n == len(fields)
}

func (m *Model) unknownKeys(set *unknownSet, kind UnknownKind, known names, data map[string]any, prefix string) {
	for k, v := range data {
		name := k
		if prefix != "" {
			name = prefix + k
		} else if kind == UnknownEventKey && (k == "type" || k == "at") {
			continue
		}
		switch known[name] {
		case fieldName:
		case groupName:
			if obj, ok := v.(map[string]any); ok {
				m.unknownKeys(set, kind, known, obj, name+".")
			} else if kind == UnknownEventKey && !isMissing(v) {
				// {"utm": "google"} where utm holds utm.source: no rule
				// reads it. (A lead's field says so when it is bound.)
				set.add(m, kind, name)
			}
		default:
			set.add(m, kind, name)
		}
	}
}

// unknownSet appends unknown data to list, each kind and name once after
// from: by a scan while list[from:] is short, by a map once it is long
// (a row of 60,000 undeclared keys took half a minute by scans alone).
type unknownSet struct {
	list []Unknown
	from int
	seen map[Unknown]bool // kind and name, without the did-you-mean
}

func (s *unknownSet) add(m *Model, kind UnknownKind, name string) {
	key := Unknown{Kind: kind, Name: name}
	if s.seen == nil && len(s.list)-s.from > 32 {
		s.seen = make(map[Unknown]bool, 2*(len(s.list)-s.from))
		for _, u := range s.list[s.from:] {
			s.seen[Unknown{Kind: u.Kind, Name: u.Name}] = true
		}
	}
	if s.seen != nil {
		if s.seen[key] {
			return
		}
		s.seen[key] = true
	} else {
		for _, u := range s.list[s.from:] {
			if u.Kind == kind && u.Name == name {
				return
			}
		}
	}
	key.DidYouMean = m.suggest(kind, name)
	s.list = append(s.list, key)
}

// SortUnknowns orders unknown data by kind and name, so that reports do
// not depend on the order of map keys.
func SortUnknowns(us []Unknown) {
	slices.SortFunc(us, func(a, b Unknown) int {
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// Suggest returns the declared name (field, event field or event type, by
// kind) that an unknown name most likely means, or "" (see SuggestName).
func (m *Model) Suggest(kind UnknownKind, name string) string { return m.suggest(kind, name) }

// suggest returns the declared name nearest to an unknown one, cached:
// the same misspelt column is met on every row.
func (m *Model) suggest(kind UnknownKind, name string) string {
	cache := m.suggestions.of(kind)
	if s, ok := cache.Load(name); ok {
		return s.(string)
	}
	var candidates []string
	switch kind {
	case UnknownKey:
		candidates = fieldNameList(m.Fields)
	case UnknownEventKey:
		candidates = fieldNameList(m.EventFields)
	case UnknownEventType:
		candidates = m.EventTypes
	}
	s := SuggestName(name, candidates)
	if m.suggestions.n.Add(1) <= maxSuggestions {
		cache.Store(name, s)
	}
	return s
}

// suggestCache keeps the did-you-mean of the unknown names met, by kind,
// up to maxSuggestions names in all: data with ever new keys (an id used
// as a key, say) must not make a model grow without end.
type suggestCache struct {
	keys, eventKeys, eventTypes sync.Map // name -> string
	n                           atomic.Int64
}

const maxSuggestions = 4096

func (c *suggestCache) of(kind UnknownKind) *sync.Map {
	switch kind {
	case UnknownKey:
		return &c.keys
	case UnknownEventKey:
		return &c.eventKeys
	}
	return &c.eventTypes
}

func fieldNameList(fields []*Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// SuggestName finds the declared name a key of lead data most likely means:
// the same name but for case, spaces or dashes ("Employees", "Job-Title" for
// job_title); else a near spelling (dsl.Suggest); else a declared name that
// is the last word of the key ("Job Title" for title).
func SuggestName(key string, declared []string) string {
	norm := normalizeKey(key)
	for _, d := range declared {
		if d != key && normalizeKey(d) == norm {
			return d
		}
	}
	if s := dsl.Suggest(norm, declared); s != "" && s != key {
		return s
	}
	if s := dsl.Suggest(key, declared); s != "" {
		return s
	}
	words := strings.FieldsFunc(norm, func(r rune) bool { return r == '_' || r == '.' })
	if len(words) > 1 && slices.Contains(declared, words[len(words)-1]) {
		return words[len(words)-1]
	}
	return ""
}

// normalizeKey lowers a key and turns spaces and dashes into _, and splits
// camelCase (JobTitle -> job_title).
func normalizeKey(s string) string {
	s = snakeCase(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, strings.ReplaceAll(s, " _", "_"))
}
