// Package fieldpack holds decoded records (map[string]any of the values a
// JSON or CSV row decodes to) as bytes, and gives them back exactly, to
// the bit. A file of accounts is held whole while its leads are scored:
// held as maps, each of its 100,000 rows is a few hundred bytes of
// pointers the garbage collector traces at every collection; held packed,
// the rows are a few large byte slices it does not look into.
//
// The values packed are those decoding gives: nil, bool, float64, string,
// json.Number, []any and map[string]any of them from JSON; int, []string
// and time.Time from a CSV read through a source mapping. A time comes
// back at its instant in its very *time.Location, but for a fixed zone
// (no daylight saving, as time.Parse makes for an offset such as +05:30,
// a new one for each time): then in the first fixed zone held of the same
// name and offset, which reads every time the same. Add reports false for any other, and the
// caller keeps that record as it is.
package fieldpack

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"time"
)

// The kinds of value, one byte before each.
const (
	kindNil byte = iota
	kindFalse
	kindTrue
	kindFloat
	kindString
	kindNumber
	kindList
	kindMap
	kindInt
	kindStrings
	kindTime
)

// maxDepth bounds the nesting Append packs (decoding bounds it already).
const maxDepth = 1000

// appendRecord appends the record m packed to dst. It reports false, with
// dst as it was, when a value is of a type it does not pack. The zones of
// its times are numbered in s.zones.
func (s *Store) appendRecord(dst []byte, m map[string]any) ([]byte, bool) {
	out, ok := s.appendMap(dst, m, 0)
	if !ok {
		return dst, false
	}
	return out, true
}

func (s *Store) appendMap(b []byte, m map[string]any, depth int) ([]byte, bool) {
	b = binary.AppendUvarint(b, uint64(len(m)))
	for k, v := range m {
		b = appendText(b, k)
		var ok bool
		if b, ok = s.appendValue(b, v, depth); !ok {
			return b, false
		}
	}
	return b, true
}

func appendText(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (s *Store) appendValue(b []byte, v any, depth int) ([]byte, bool) {
	if depth > maxDepth {
		return b, false
	}
	switch v := v.(type) {
	case nil:
		return append(b, kindNil), true
	case bool:
		if v {
			return append(b, kindTrue), true
		}
		return append(b, kindFalse), true
	case float64:
		b = append(b, kindFloat)
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v)), true
	case string:
		return appendText(append(b, kindString), v), true
	case json.Number:
		return appendText(append(b, kindNumber), string(v)), true
	case []any:
		if v == nil {
			return b, false // a nil list is not what decoding gives
		}
		b = binary.AppendUvarint(append(b, kindList), uint64(len(v)))
		for _, e := range v {
			var ok bool
			if b, ok = s.appendValue(b, e, depth+1); !ok {
				return b, false
			}
		}
		return b, true
	case map[string]any:
		if v == nil {
			return b, false
		}
		return s.appendMap(append(b, kindMap), v, depth+1)
	case int:
		return binary.AppendVarint(append(b, kindInt), int64(v)), true
	case []string:
		if v == nil {
			return b, false
		}
		b = binary.AppendUvarint(append(b, kindStrings), uint64(len(v)))
		for _, e := range v {
			b = appendText(b, e)
		}
		return b, true
	case time.Time:
		if v != v.Round(0) {
			return b, false // a monotonic clock reading, which no file gives
		}
		zone := -1 // UTC
		if loc := v.Location(); loc != time.UTC {
			zone = slices.Index(s.zones, loc)
			if zone < 0 {
				if start, end := v.ZoneBounds(); start.IsZero() && end.IsZero() {
					// A fixed zone (time.Parse makes a new one for each
					// time it reads at an offset Local does not have, such
					// as +05:30): one of its name and offset stands for
					// all, which reads every time the same.
					name, offset := v.Zone()
					zone = slices.IndexFunc(s.zones, func(z *time.Location) bool {
						return z.String() == loc.String() && fixedAs(z, name, offset)
					})
				}
			}
			if zone < 0 {
				if len(s.zones) >= maxZones {
					return b, false
				}
				zone = len(s.zones)
				s.zones = append(s.zones, loc)
			}
		}
		b = binary.AppendVarint(append(b, kindTime), v.Unix())
		b = binary.AppendVarint(b, int64(v.Nanosecond()))
		return binary.AppendVarint(b, int64(zone)), true
	}
	return b, false
}

// fixedAs reports whether z is a fixed zone of that name and offset.
func fixedAs(z *time.Location, name string, offset int) bool {
	t := time.Unix(0, 0).In(z)
	start, end := t.ZoneBounds()
	n, o := t.Zone()
	return start.IsZero() && end.IsZero() && n == name && o == offset
}

// maxZones bounds the time zones a Store numbers.
const maxZones = 1000

// ErrCorrupt is Get's error for bytes Add did not write.
var ErrCorrupt = errors.New("fieldpack: the bytes are not a packed record")

// decode gives back the record packed in b, a new map.
func (s *Store) decode(b []byte) (map[string]any, error) {
	d := decoder{b: b, zones: s.zones}
	m := d.record()
	if d.bad || d.i != len(d.b) {
		return nil, ErrCorrupt
	}
	return m, nil
}

type decoder struct {
	b     []byte
	i     int
	bad   bool
	zones []*time.Location
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b[d.i:])
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.i += n
	return v
}

func (d *decoder) uvarint() int {
	v, n := binary.Uvarint(d.b[d.i:])
	if n <= 0 || v > uint64(len(d.b)-d.i) {
		// A count or a length is never more than the bytes left.
		d.bad = true
		return 0
	}
	d.i += n
	return int(v)
}

func (d *decoder) text() string {
	n := d.uvarint()
	if d.bad || n > len(d.b)-d.i {
		d.bad = true
		return ""
	}
	s := string(d.b[d.i : d.i+n])
	d.i += n
	return s
}

func (d *decoder) record() map[string]any {
	n := d.uvarint()
	m := make(map[string]any, n)
	for k := 0; k < n && !d.bad; k++ {
		key := d.text()
		m[key] = d.value()
	}
	return m
}

func (d *decoder) value() any {
	if d.bad || d.i >= len(d.b) {
		d.bad = true
		return nil
	}
	kind := d.b[d.i]
	d.i++
	switch kind {
	case kindNil:
		return nil
	case kindFalse:
		return false
	case kindTrue:
		return true
	case kindFloat:
		if len(d.b)-d.i < 8 {
			d.bad = true
			return nil
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.i:]))
		d.i += 8
		return f
	case kindString:
		return d.text()
	case kindNumber:
		return json.Number(d.text())
	case kindList:
		n := d.uvarint()
		list := make([]any, 0, n)
		for k := 0; k < n && !d.bad; k++ {
			list = append(list, d.value())
		}
		return list
	case kindMap:
		return d.record()
	case kindInt:
		return int(d.varint())
	case kindStrings:
		n := d.uvarint()
		list := make([]string, 0, n)
		for k := 0; k < n && !d.bad; k++ {
			list = append(list, d.text())
		}
		return list
	case kindTime:
		sec := d.varint()
		nsec := d.varint()
		zone := d.varint()
		if d.bad || nsec < 0 || nsec >= 1e9 || zone < -1 || zone >= int64(len(d.zones)) {
			d.bad = true
			return nil
		}
		t := time.Unix(sec, int64(nsec))
		if zone < 0 {
			return t.UTC()
		}
		return t.In(d.zones[zone])
	}
	d.bad = true
	return nil
}

// chunkSize is the size of a Store's chunks.
const chunkSize = 64 << 10

// Store holds packed records one after another in chunks of 64 KB: one
// allocation for a few hundred records, none of them a pointer. The zero
// Store is empty and ready to use; it is not safe for concurrent use by
// Add, and safe for any number of Gets at once.
type Store struct {
	chunks [][]byte
	zones  []*time.Location // the time zones of the times held, numbered
}

// Ref is where a Store holds a record.
type Ref struct {
	chunk, off, n uint32
}

// Add packs m into the store. It reports false, holding nothing, when m
// has a value Append does not pack.
func (s *Store) Add(m map[string]any) (Ref, bool) {
	if len(s.chunks) == 0 {
		s.chunks = append(s.chunks, make([]byte, 0, chunkSize))
	}
	last := len(s.chunks) - 1
	c := s.chunks[last]
	start := len(c)
	out, ok := s.appendRecord(c, m)
	if !ok {
		return Ref{}, false
	}
	if len(out) > chunkSize || len(out) > math.MaxUint32 {
		// The record did not fit the chunk (which stays as it was): it
		// takes a chunk of its own, or starts a new chunk to fill.
		rec := out[start:len(out):len(out)]
		if start > 0 {
			rec = append([]byte(nil), rec...)
		}
		if len(rec) > chunkSize/2 {
			// A chunk of its own, full, so that the next record starts
			// another.
			s.chunks = append(s.chunks, rec)
			return Ref{chunk: uint32(last + 1), off: 0, n: uint32(len(rec))}, true
		}
		fresh := append(make([]byte, 0, chunkSize), rec...)
		s.chunks = append(s.chunks, fresh)
		return Ref{chunk: uint32(last + 1), off: 0, n: uint32(len(rec))}, true
	}
	s.chunks[last] = out
	return Ref{chunk: uint32(last), off: uint32(start), n: uint32(len(out) - start)}, true
}

// Get gives back the record at r, a new map.
func (s *Store) Get(r Ref) (map[string]any, error) {
	if int(r.chunk) >= len(s.chunks) || int(r.off)+int(r.n) > len(s.chunks[r.chunk]) {
		return nil, ErrCorrupt
	}
	return s.decode(s.chunks[r.chunk][r.off : r.off+r.n])
}
