// Package jsonscan decodes JSON in one pass, without reflection, into the
// values encoding/json gives an interface{} (float64 numbers, []any lists,
// map[string]any objects; an integer of more than 15 digits is kept as its
// text, a json.Number, see Exact), or piece by piece for callers that know
// what they expect. It gives up (reports false) on anything but plain, valid
// JSON: broken syntax, a key given twice, a number out of range, text with
// invalid UTF-8 or a lone surrogate, deep nesting; callers then decode with
// encoding/json, whose errors they word. Tests check it against
// encoding/json on any input.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// DecodeObject decodes a JSON object into the map encoding/json gives.
func DecodeObject(data []byte) (map[string]any, bool) {
	return DecodeObjectSized(data, 16) // a lead: room for its fields at once
}

// DecodeObjectSized is DecodeObject with room for size keys in the
// object's map before it grows (for objects of few keys, such as an
// account's, a size of 8 or less keeps the map small).
func DecodeObjectSized(data []byte, size int) (map[string]any, bool) {
	d := Decoder{data: data, size: size}
	d.Space()
	if d.Peek() != '{' {
		return nil, false
	}
	v, ok := d.object()
	if !ok {
		return nil, false
	}
	d.Space()
	return v, d.End()
}

// Decoder reads a JSON text piece by piece.
type Decoder struct {
	data  []byte
	i     int
	depth int
	size  int // the room of the outermost object's map (DecodeObjectSized)
}

// NewDecoder returns a decoder at the start of data.
func NewDecoder(data []byte) *Decoder { return &Decoder{data: data, size: 16} }

// Peek returns the next byte, or 0 at the end.
func (d *Decoder) Peek() byte {
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

// Skip moves past one byte.
func (d *Decoder) Skip() { d.i++ }

// End reports whether the whole text has been read.
func (d *Decoder) End() bool { return d.i == len(d.data) }

// Offset returns the position of the next byte.
func (d *Decoder) Offset() int { return d.i }

// Since returns the bytes read from offset from (an earlier Offset) on:
// the caller must not keep them.
func (d *Decoder) Since(from int) []byte { return d.data[from:d.i] }

// Value reads any value.
func (d *Decoder) Value() (any, bool) { return d.value() }

// Text reads a string; Peek must be '"'.
func (d *Decoder) Text() (string, bool) { return d.string() }

// RawText reads a string like Text, but without copying it when it has no
// escapes: the string then shares the decoder's bytes, so the caller must
// not keep it (it may look it up, parse it or copy it).
func (d *Decoder) RawText() (string, bool) {
	b := d.data
	start := d.i + 1
	for i := start; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			d.i = i + 1
			if i == start {
				return "", true
			}
			return unsafe.String(&b[start], i-start), true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return d.string() // the general case, copied
		}
	}
	return "", false
}

// Number reads a number, as encoding/json converts it.
func (d *Decoder) Number() (float64, bool) { return d.number() }

// NumberText reads a number as Number does, with its literal text: a
// view of the data, valid while it is (copy what is kept).
func (d *Decoder) NumberText() (string, float64, bool) {
	start := d.i
	f, ok := d.number()
	if !ok {
		return "", 0, false
	}
	return unsafe.String(&d.data[start], d.i-start), f, true
}

// Exact reports whether a number's JSON literal is kept as its text (a
// json.Number) rather than a float64: an integer (no fraction, no
// exponent) of more than 15 digits, which a float64 may not hold exactly
// (2^53 has 16). An id such as 12345678901234567 keeps its digits, where
// a float64 reads 12345678901234568, another id.
func Exact(lit string) bool {
	digits := len(lit)
	if len(lit) > 0 && lit[0] == '-' {
		digits--
	}
	if digits <= 15 {
		return false
	}
	for i := len(lit) - digits; i < len(lit); i++ {
		if lit[i] < '0' || lit[i] > '9' {
			return false
		}
	}
	return true
}

// AmbiguousID reports whether a JSON number cannot be an id: a float64 of
// 2^53 or more whose literal Exact does not keep (written with a fraction
// or an exponent), so that ids one apart read the same.
func AmbiguousID(lit string, f float64) bool {
	return !Exact(lit) && math.Abs(f) >= 1<<53
}

// IDText is the id a JSON number gives: the literal of an integer Exact
// keeps, else the float64's shortest text (1.0 is "1").
func IDText(lit string, f float64) string {
	if Exact(lit) {
		return strings.Clone(lit)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// Unmarshal decodes a JSON object as encoding/json does, with its errors,
// but with numbers as DecodeObject gives them: float64, or a json.Number
// for an integer Exact keeps. For the objects DecodeObject gives up on.
func Unmarshal(data []byte) (map[string]any, error) {
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return obj, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var exact map[string]any
	if err := dec.Decode(&exact); err != nil {
		return obj, nil
	}
	return exactNumbers(exact).(map[string]any), nil
}

// exactNumbers turns the json.Numbers of v into float64, but for the
// integers Exact keeps.
func exactNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if Exact(string(x)) {
			return x
		}
		f, err := x.Float64()
		if err != nil {
			return x
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = exactNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = exactNumbers(e)
		}
	}
	return v
}

// Literal reads the word true, false or null.
func (d *Decoder) Literal(word string) bool { return d.literal(word) }

// maxDepth bounds nesting; deeper input is left to encoding/json.
const maxDepth = 64

// More reads what follows a member of an object or an element of a list,
// and the spaces around it: a comma (more is true) or the closing byte,
// '}' or ']' (more is false). ok is false for anything else.
func (d *Decoder) More(closing byte) (more, ok bool) {
	d.Space()
	if d.i >= len(d.data) {
		return false, false
	}
	switch d.data[d.i] {
	case ',':
		d.i++
		d.Space()
		return true, true
	case closing:
		d.i++
		return false, true
	}
	return false, false
}

// Space skips white space.
func (d *Decoder) Space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *Decoder) value() (any, bool) {
	if d.i >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.i]; {
	case c == '"':
		s, ok := d.string()
		return s, ok
	case c == '{':
		m, ok := d.object()
		return m, ok
	case c == '[':
		return d.array()
	case c == '-' || '0' <= c && c <= '9':
		start := d.i
		f, ok := d.number()
		if ok && Exact(unsafe.String(&d.data[start], d.i-start)) {
			return json.Number(string(d.data[start:d.i])), true
		}
		return f, ok
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

func (d *Decoder) literal(word string) bool {
	if len(d.data)-d.i < len(word) || string(d.data[d.i:d.i+len(word)]) != word {
		return false
	}
	d.i += len(word)
	return true
}

func (d *Decoder) object() (map[string]any, bool) {
	if d.depth++; d.depth > maxDepth {
		return nil, false
	}
	defer func() { d.depth-- }()
	d.i++ // {
	var m map[string]any
	if d.depth == 1 {
		m = make(map[string]any, d.size)
	} else {
		m = map[string]any{}
	}
	d.Space()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return nil, false
		}
		key, ok := d.string()
		if !ok {
			return nil, false
		}
		n := len(m)
		d.Space()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.Space()
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		if m[key] = v; len(m) == n {
			return nil, false // the key was there already
		}
		more, ok := d.More('}')
		if !ok {
			return nil, false
		}
		if !more {
			return m, true
		}
	}
}

func (d *Decoder) array() (any, bool) {
	if d.depth++; d.depth > maxDepth {
		return nil, false
	}
	defer func() { d.depth-- }()
	d.i++ // [
	list := []any{}
	d.Space()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return list, true
	}
	for {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		list = append(list, v)
		more, ok := d.More(']')
		if !ok {
			return nil, false
		}
		if !more {
			return list, true
		}
	}
}

// number reads a number as JSON writes it and converts it as encoding/json
// does (strconv.ParseFloat).
func (d *Decoder) number() (float64, bool) {
	start, b := d.i, d.data
	i := d.i
	if b[i] == '-' {
		i++
	}
	digits := func() bool {
		from := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > from
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	d.i = i
	f, err := strconv.ParseFloat(unsafe.String(&b[start], i-start), 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// string reads a string; d.data[d.i] is its opening quote.
func (d *Decoder) string() (string, bool) {
	b := d.data
	start := d.i + 1
	i := start
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			d.i = i + 1
			return string(b[start:i]), true
		case c == '\\':
			return d.escaped(start, i)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false // encoding/json would write U+FFFD: let it
			}
			i += size
		default:
			i++
		}
	}
	return "", false
}

// escaped reads the rest of a string that has escapes, from b[i] = '\\'.
func (d *Decoder) escaped(start, i int) (string, bool) {
	b := d.data
	out := append(make([]byte, 0, i-start+16), b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			d.i = i + 1
			return string(out), true
		case c == '\\':
			if i+1 >= len(b) {
				return "", false
			}
			i++
			switch b[i] {
			case '"', '\\', '/':
				out = append(out, b[i])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(b, i+1)
				if !ok {
					return "", false
				}
				i += 4
				if utf16.IsSurrogate(r) {
					if i+6 >= len(b) || b[i+1] != '\\' || b[i+2] != 'u' {
						return "", false
					}
					r2, ok := hex4(b, i+3)
					if !ok {
						return "", false
					}
					r = utf16.DecodeRune(r, r2)
					if r == utf8.RuneError {
						return "", false
					}
					i += 6
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
			i++
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			out = append(out, b[i:i+size]...)
			i += size
		default:
			out = append(out, c)
			i++
		}
	}
	return "", false
}

// hex4 reads four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
