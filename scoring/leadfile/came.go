package leadfile

import (
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/jsonscan"
)

// scanCame lets work read when a plain NDJSON lead came (cameOf) without
// decoding it, for a holdout with a start; the differential tests turn
// it off to compare.
var scanCame = true

// cameOf reads when the NDJSON lead line came, as scoring.Lead.Came reads
// the decoded lead: its created field (name, "" for created_at) when it
// holds a time, else its earliest event's at; zero for neither. It reads
// the line without decoding it, so the row can still be scored straight
// from its bytes. ok is false for anything it does not read as the
// decoded lead would for sure (a created value that is not a time or
// empty, an event without a plain at, a key given twice, broken JSON):
// the row is then decoded and read by Lead.Came, whose errors it keeps.
func cameOf(line []byte, name string) (came time.Time, ok bool) {
	if name == "" {
		name = "created_at"
	}
	d := jsonscan.NewDecoder(line)
	d.Space()
	var created, first time.Time
	seenCreated, seenEvents := false, false
	ok = members(d, func(key string) bool {
		var ok bool
		switch key {
		case name:
			if seenCreated {
				return false
			}
			seenCreated = true
			created, ok = createdValue(d)
		case "events":
			if seenEvents {
				return false
			}
			seenEvents = true
			first, ok = firstEvent(d)
		default:
			ok = skipValue(d, 1)
		}
		return ok
	})
	d.Space()
	if !ok || !d.End() {
		return time.Time{}, false
	}
	if !created.IsZero() {
		return created, true
	}
	return first, true
}

// members reads an object, calling member at each value, after its key;
// member reads the value, and returns false to give up.
func members(d *jsonscan.Decoder, member func(key string) bool) bool {
	if d.Peek() != '{' {
		return false
	}
	d.Skip()
	d.Space()
	if d.Peek() == '}' {
		d.Skip()
		return true
	}
	for {
		if d.Peek() != '"' {
			return false
		}
		key, ok := d.RawText()
		if !ok {
			return false
		}
		d.Space()
		if d.Peek() != ':' {
			return false
		}
		d.Skip()
		d.Space()
		if !member(key) {
			return false
		}
		more, ok := d.More('}')
		if !ok {
			return false
		}
		if !more {
			return true
		}
	}
}

// createdValue reads a created value: a time, or null or blank text (no
// time); ok is false for anything else.
func createdValue(d *jsonscan.Decoder) (time.Time, bool) {
	switch d.Peek() {
	case 'n':
		return time.Time{}, d.Literal("null")
	case '"':
		s, ok := d.RawText()
		if !ok {
			return time.Time{}, false
		}
		if strings.TrimSpace(s) == "" {
			return time.Time{}, true
		}
		t, err := dsl.ParseTime(s)
		return t, err == nil
	}
	return time.Time{}, false
}

// firstEvent reads a list of events, objects each with a plain at, and
// returns the earliest at (zero for an empty list).
func firstEvent(d *jsonscan.Decoder) (time.Time, bool) {
	if d.Peek() != '[' {
		return time.Time{}, false
	}
	d.Skip()
	d.Space()
	var first time.Time
	if d.Peek() == ']' {
		d.Skip()
		return first, true
	}
	for {
		var at time.Time
		seen := false
		ok := members(d, func(key string) bool {
			if key != "at" {
				return skipValue(d, 2)
			}
			if seen || d.Peek() != '"' {
				return false
			}
			seen = true
			s, ok := d.RawText()
			if !ok {
				return false
			}
			var err error
			at, err = dsl.ParseTime(s)
			return err == nil
		})
		if !ok || !seen {
			return time.Time{}, false
		}
		if first.IsZero() || at.Before(first) {
			first = at
		}
		more, ok := d.More(']')
		if !ok {
			return time.Time{}, false
		}
		if !more {
			return first, true
		}
	}
}

// skipValue reads past one value without keeping it.
func skipValue(d *jsonscan.Decoder, depth int) bool {
	if depth > 64 {
		return false
	}
	switch d.Peek() {
	case '"':
		_, ok := d.RawText()
		return ok
	case 't':
		return d.Literal("true")
	case 'f':
		return d.Literal("false")
	case 'n':
		return d.Literal("null")
	case '{':
		return members(d, func(string) bool { return skipValue(d, depth+1) })
	case '[':
		d.Skip()
		d.Space()
		if d.Peek() == ']' {
			d.Skip()
			return true
		}
		for {
			if !skipValue(d, depth+1) {
				return false
			}
			more, ok := d.More(']')
			if !ok {
				return false
			}
			if !more {
				return true
			}
		}
	}
	_, ok := d.Number()
	return ok
}
