// Package statebytes writes and reads the bytes a report accumulator is
// carried in between machines (feedback.Builder.State): varints, exact
// floats, strings, times to the nanosecond with their offset, and the sum
// of a model that says two accumulators are of the same rule files.
package statebytes

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/leadscore/leadscore/rules"
)

// ModelSum sums up a model's rule files as compiled (every section, with
// where each part was written), so that two models of one name differ.
func ModelSum(m *rules.Model) string {
	h := sha256.New()
	if m.Document != nil {
		if data, err := json.Marshal(m.Document); err == nil {
			h.Write(data)
		}
	}
	for _, r := range append(append([]*rules.Rule{}, m.Rules...), m.Gates...) {
		when := ""
		if r.When != nil {
			when = r.When.Source
		}
		fmt.Fprintf(h, "%s %v %q\n", r.ID, r.Points, when)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Writer appends a state's values.
type Writer struct{ Buf []byte }

func (w *Writer) Byte(c byte)   { w.Buf = append(w.Buf, c) }
func (w *Writer) Uint(n uint64) { w.Buf = binary.AppendUvarint(w.Buf, n) }
func (w *Writer) Int(n int64)   { w.Buf = binary.AppendVarint(w.Buf, n) }

// Float keeps every bit of f.
func (w *Writer) Float(f float64) {
	w.Buf = binary.LittleEndian.AppendUint64(w.Buf, math.Float64bits(f))
}
func (w *Writer) Str(s string) { w.Uint(uint64(len(s))); w.Buf = append(w.Buf, s...) }

func (w *Writer) Bool(v bool) {
	if v {
		w.Byte(1)
	} else {
		w.Byte(0)
	}
}

// Time keeps the instant to the nanosecond and its zone's offset (not the
// zone's name: what reports print of a time is its date and offset).
func (w *Writer) Time(t time.Time) {
	if t.IsZero() {
		w.Byte(0)
		return
	}
	w.Byte(1)
	_, off := t.Zone()
	w.Int(t.Unix())
	w.Uint(uint64(t.Nanosecond()))
	w.Int(int64(off))
}

// Reader reads a state's values; the first error sticks, and every read
// after it gives a zero value.
type Reader struct {
	Buf []byte
	Err error
}

// ErrShort is the error of a state cut short.
var ErrShort = errors.New("the state is cut short")

// Fail keeps err, unless an error came first.
func (r *Reader) Fail(err error) {
	if r.Err == nil {
		r.Err = err
	}
}

func (r *Reader) Byte() byte {
	if r.Err != nil || len(r.Buf) == 0 {
		r.Fail(ErrShort)
		return 0
	}
	c := r.Buf[0]
	r.Buf = r.Buf[1:]
	return c
}

func (r *Reader) Uint() uint64 {
	if r.Err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.Buf)
	if k <= 0 {
		r.Fail(ErrShort)
		return 0
	}
	r.Buf = r.Buf[k:]
	return n
}

func (r *Reader) Int() int64 {
	if r.Err != nil {
		return 0
	}
	n, k := binary.Varint(r.Buf)
	if k <= 0 {
		r.Fail(ErrShort)
		return 0
	}
	r.Buf = r.Buf[k:]
	return n
}

// MaxCount is the largest count a state holds (2^48): more is corruption,
// and sums of counts stay far from overflowing an int.
const MaxCount = 1 << 48

// Number is a count of leads or rows, at most MaxCount.
func (r *Reader) Number() int {
	n := r.Uint()
	if n > MaxCount {
		r.Fail(fmt.Errorf("a count in the state (%d) is beyond any count of leads", n))
		return 0
	}
	return int(n)
}

// Count is a length, which cannot be more than the bytes left (every
// element takes one at least): a corrupt length fails instead of
// allocating without end.
func (r *Reader) Count() int {
	n := r.Uint()
	if n > uint64(len(r.Buf)) {
		r.Fail(ErrShort)
		return 0
	}
	return int(n)
}

func (r *Reader) Float() float64 {
	if r.Err != nil || len(r.Buf) < 8 {
		r.Fail(ErrShort)
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.Buf))
	r.Buf = r.Buf[8:]
	return f
}

// Finite is a float that is a number and not infinite.
func (r *Reader) Finite() float64 {
	f := r.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		r.Fail(errors.New("a number in the state is not finite"))
		return 0
	}
	return f
}

func (r *Reader) Str() string {
	n := r.Count()
	if r.Err != nil {
		return ""
	}
	s := string(r.Buf[:n])
	r.Buf = r.Buf[n:]
	return s
}

// Bool is a byte 0 or 1; any other byte is corruption.
func (r *Reader) Bool() bool {
	c := r.Byte()
	if c > 1 {
		r.Fail(fmt.Errorf("a yes-or-no in the state is %d", c))
	}
	return c == 1
}

func (r *Reader) Time() time.Time {
	switch r.Byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		r.Fail(errors.New("a time in the state is marked neither set nor unset"))
		return time.Time{}
	}
	sec, nsec, off := r.Int(), r.Uint(), r.Int()
	if nsec >= 1e9 || off < -24*3600 || off > 24*3600 {
		r.Fail(errors.New("a time in the state is out of range"))
	}
	if r.Err != nil {
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", int(off)))
}
