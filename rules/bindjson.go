package rules

import (
	"encoding/binary"
	"strings"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/jsonscan"
)

// BindJSON reads a lead from one line of NDJSON (a JSON object with "id",
// "events" and the schema's fields) straight into the evaluator's slots,
// without building a map, and returns its id and events. It covers the
// plain case only: it reports false, leaving the fields in no particular
// state, for a line with a key the schema does not declare, a value of
// another type than its field's, a missing required field, an event
// without its type or time, broken JSON, a key given twice, or for a
// model with nested fields. The caller then decodes the line into a map
// and binds that (BindMap), which finds the problems and words them; on
// the lines it takes, BindJSON binds exactly what that path binds. The
// events are the evaluator's, valid until the next BindJSON.
func (e *evaluator) BindJSON(data []byte) (id string, events []Event, ok bool) {
	m := e.model
	if m.nested || !e.fast() {
		return "", nil, false
	}
	d := jsonscan.NewDecoder(data)
	d.Space()
	if d.Peek() != '{' {
		return "", nil, false
	}
	d.Skip()
	e.used = 0
	present := e.frame.present
	clear(present)
	seen := e.seen[:len(m.Fields)]
	clear(seen)
	seenID, seenEvents := false, false
	d.Space()
	if d.Peek() == '}' {
		d.Skip()
	} else {
		for {
			if d.Peek() != '"' {
				return "", nil, false
			}
			key, ok := d.RawText() // looked up, not kept
			if !ok {
				return "", nil, false
			}
			d.Space()
			if d.Peek() != ':' {
				return "", nil, false
			}
			d.Skip()
			d.Space()
			switch key {
			case "id":
				if seenID {
					return "", nil, false
				}
				seenID = true
				switch c := d.Peek(); {
				case c == '"':
					id, ok = d.Text()
				case c == '-' || '0' <= c && c <= '9':
					var lit string
					var f float64
					lit, f, ok = d.NumberText()
					id = jsonscan.IDText(lit, f)             // 12345678901234567 keeps its digits
					ok = ok && !jsonscan.AmbiguousID(lit, f) // the map path words it
				case c == 'n':
					ok = d.Literal("null")
				default:
					ok = false
				}
			case "dispositions":
				return "", nil, false // sales' verdicts: read by the decoder, not bound
			case "events":
				if seenEvents {
					return "", nil, false
				}
				seenEvents = true
				events, ok = e.jsonEvents(d)
			default:
				i, known := m.fieldIndex[key]
				if !known || seen[i] {
					return "", nil, false
				}
				seen[i] = true
				ok = e.jsonField(d, i)
			}
			more := false
			if ok {
				more, ok = d.More('}')
			}
			if !ok {
				return "", nil, false
			}
			if more {
				continue
			}
			break
		}
	}
	d.Space()
	if !d.End() {
		return "", nil, false
	}
	for i, f := range m.Fields {
		if !seen[i] {
			if f.Required {
				return "", nil, false
			}
			e.setSlot(i, f.Default)
		}
	}
	return id, events, true
}

// jsonField reads the value of field i into its slot.
func (e *evaluator) jsonField(d *jsonscan.Decoder, i int) bool {
	f := e.model.Fields[i]
	v := &e.vals[i]
	switch c := d.Peek(); {
	case c == 'n':
		if !d.Literal("null") || f.Required {
			return false
		}
		e.setSlot(i, f.Default) // null counts as missing
		return true
	case c == '"':
		s, ok := d.RawText()
		if !ok {
			return false
		}
		switch f.Type {
		case dsl.TypeString:
			v.s = e.text(s)
		case dsl.TypeTime:
			if e.blankAt(i, s) {
				if f.Required {
					return false
				}
				e.setSlot(i, f.Default) // missing, as null is
				return true
			}
			t, err := dsl.ParseTime(s)
			if err != nil {
				return false
			}
			v.t = t
		default:
			return false
		}
	case c == 't' || c == 'f':
		b := c == 't'
		word := "false"
		if b {
			word = "true"
		}
		if f.Type != dsl.TypeBool || !d.Literal(word) {
			return false
		}
		v.b = b
	case c == '-' || '0' <= c && c <= '9':
		lit, x, ok := d.NumberText()
		if !ok || jsonscan.Exact(lit) {
			return false // a whole number of 16 digits or more: BindMap reads its text
		}
		switch f.Type {
		case dsl.TypeInt:
			n, ok := intOf(x)
			if !ok {
				return false
			}
			v.i = n
		case dsl.TypeFloat:
			v.f = x // a JSON number is finite: ParseFloat refuses the rest
		default:
			return false
		}
	case c == '[':
		if f.Type != dsl.TypeList {
			return false
		}
		d.Skip()
		own := v.own[:0]
		if own == nil {
			own = []string{}
		}
		d.Space()
		if d.Peek() == ']' {
			d.Skip()
		} else {
			for {
				if d.Peek() != '"' {
					return false
				}
				s, ok := d.RawText()
				if !ok {
					return false
				}
				own = append(own, e.text(s))
				d.Space()
				if d.Peek() == ',' {
					d.Skip()
					d.Space()
					continue
				}
				if d.Peek() != ']' {
					return false
				}
				d.Skip()
				break
			}
		}
		v.own, v.l = own, own
	default:
		return false
	}
	v.boxed = nil
	e.stale[i] = true
	e.frame.present[i] = true
	return true
}

// jsonEvents reads the list of events: each an object with "type" and
// "at" (RFC 3339), its other keys the event's fields.
func (e *evaluator) jsonEvents(d *jsonscan.Decoder) ([]Event, bool) {
	switch d.Peek() {
	case 'n':
		return nil, d.Literal("null")
	case '[':
	default:
		return nil, false
	}
	d.Skip()
	d.Space()
	events := e.events[:0]
	if events == nil {
		events = []Event{}
	}
	if d.Peek() == ']' {
		d.Skip()
		return events, true
	}
	for {
		ev, ok := e.jsonEvent(d)
		if !ok {
			return nil, false
		}
		events = append(events, ev)
		e.events = events
		more, ok := d.More(']')
		if !ok {
			return nil, false
		}
		if !more {
			return events, true
		}
	}
}

func (e *evaluator) jsonEvent(d *jsonscan.Decoder) (Event, bool) {
	m := e.model
	var ev Event
	if d.Peek() != '{' {
		return ev, false
	}
	d.Skip()
	d.Space()
	seenType, seenAt := false, false
	e.pairs, e.sig, e.unique = e.pairs[:0], e.sig[:0], false
	if d.Peek() == '}' {
		return ev, false // no type, no time
	}
	for {
		if d.Peek() != '"' {
			return ev, false
		}
		key, ok := d.RawText() // copied below if kept
		if !ok {
			return ev, false
		}
		d.Space()
		if d.Peek() != ':' {
			return ev, false
		}
		d.Skip()
		d.Space()
		switch key {
		case "type", "at":
			if key == "type" && seenType || key == "at" && seenAt || d.Peek() != '"' {
				return ev, false
			}
			s, ok := d.RawText()
			if !ok || s == "" {
				return ev, false
			}
			if key == "type" {
				if info := m.eventTypeInfo(s); info != nil {
					ev.Type = info.name
				} else {
					ev.Type = strings.Clone(s)
				}
				seenType = true
			} else {
				t, err := dsl.ParseTime(s)
				if err != nil {
					return ev, false
				}
				ev.At, seenAt = t, true
			}
		default:
			if e.shareEvents {
				for _, p := range e.pairs {
					if p.key == key {
						return ev, false
					}
				}
			} else if _, dup := ev.Fields[key]; dup {
				return ev, false
			}
			from := d.Offset()
			var v any
			if d.Peek() == '"' {
				s, ok := d.RawText()
				if !ok {
					return ev, false
				}
				v = e.boxedText(s)
			} else if v, ok = d.Value(); !ok {
				return ev, false
			}
			if e.shareEvents {
				// The key and the value as written are the map's signature;
				// a number (minutes, an amount) seldom repeats, so an event
				// with one gets a map of its own without a look-up.
				e.pairs = append(e.pairs, eventPair{key, v})
				raw := d.Since(from)
				if _, text := v.(string); !text || len(raw) > maxSharedText || len(e.sig) > maxSharedText {
					e.unique = true
				}
				if !e.unique { // each part after its length: no two lists of pairs spell alike
					e.sig = binary.AppendUvarint(e.sig, uint64(len(key)))
					e.sig = append(e.sig, key...)
					e.sig = binary.AppendUvarint(e.sig, uint64(len(raw)))
					e.sig = append(e.sig, raw...)
				}
				break
			}
			if ev.Fields == nil {
				ev.Fields = e.eventMap()
			}
			ev.Fields[e.eventKey(key)] = v
		}
		more, ok := d.More('}')
		if !ok {
			return ev, false
		}
		if !more {
			if e.shareEvents && len(e.pairs) > 0 {
				ev.Fields = e.sharedFields()
			}
			return ev, seenType && seenAt
		}
	}
}

// eventKey is an event's key as its Fields map keeps it: the declared
// field's name, or a copy of the key (which may share the line's bytes).
func (e *evaluator) eventKey(key string) string {
	if i, declared := e.model.eventIndex[key]; declared {
		return e.model.EventFields[i].Name
	}
	return strings.Clone(key)
}

// eventPair is a key of an event and its value, as read.
type eventPair struct {
	key string // shares the line's bytes
	v   any
}

// sharedFields returns the Fields map of the event just read (e.pairs,
// e.sig): the one an earlier event with the same keys and values, as
// written, in the same order, was given, or a new one (always, for an
// event with a value other than text). The maps are shared
// between events and leads, and must only be read (see ShareEventFields).
func (e *evaluator) sharedFields() map[string]any {
	if !e.unique {
		if fields, ok := e.shared[string(e.sig)]; ok {
			return fields
		}
	}
	fields := make(map[string]any, len(e.pairs))
	for _, p := range e.pairs {
		fields[e.eventKey(p.key)] = p.v
	}
	if e.unique {
		return fields
	}
	if e.shared == nil {
		e.shared = map[string]map[string]any{}
	}
	if len(e.shared) < maxShared {
		e.shared[string(e.sig)] = fields
	}
	return fields
}

// ShareEventFields has BindJSON give events with the same fields one
// Fields map, shared from lead to lead, for a caller that keeps the events
// and only reads them (the maps must not be changed); off, each event's
// map is the evaluator's, reused by the next lead.
func (e *evaluator) ShareEventFields(on bool) { e.shareEvents = on }

// maxShared bounds the texts an evaluator keeps to share from lead to
// lead, and maxSharedText the length of one: a longer text is seldom
// repeated, and keeping it would hold memory for nothing.
const (
	maxShared     = 4096
	maxSharedText = 256
)

// text returns s as a string of its own, the one read before when s was
// (titles, industries, countries repeat from lead to lead).
func (e *evaluator) text(s string) string {
	if t, ok := e.texts[s]; ok {
		return t
	}
	t := strings.Clone(s)
	if e.texts == nil {
		e.texts = map[string]string{}
	}
	if len(e.texts) < maxShared && len(t) <= maxSharedText {
		e.texts[t] = t
	}
	return t
}

// boxedText is text, boxed as an event field's value.
func (e *evaluator) boxedText(s string) any {
	if v, ok := e.boxed[s]; ok {
		return v
	}
	t := strings.Clone(s)
	var v any = t
	if e.boxed == nil {
		e.boxed = map[string]any{}
	}
	if len(e.boxed) < maxShared && len(t) <= maxSharedText {
		e.boxed[t] = v
	}
	return v
}

// maxMaps bounds the maps an evaluator keeps for events' fields.
const maxMaps = 256

// eventMap returns an empty map for an event's fields, one of the
// evaluator's when it has one to spare.
func (e *evaluator) eventMap() map[string]any {
	if e.used < len(e.maps) {
		m := e.maps[e.used]
		clear(m)
		e.used++
		return m
	}
	m := make(map[string]any, 4)
	if len(e.maps) < maxMaps {
		e.maps = append(e.maps, m)
		e.used++
	}
	return m
}
