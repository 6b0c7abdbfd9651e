package bounded

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Lines passes a CSV file through, but cuts each line longer than max
// bytes, so that encoding/csv never holds an over-long row whole: the row
// read keeps a mark in place of the rest of its line (see Cut), and fails
// alone. A first line over max is a header that cannot be read: Lines
// ends the input after it, so that a file with no newline ends.
func Lines(r io.Reader, max int) io.Reader {
	return &lineLimiter{r: bufio.NewReaderSize(r, 1<<16), max: max, first: true}
}

// Cut reports whether a record read through Lines lost the end of its line.
func Cut(rec []string) bool {
	for _, cell := range rec {
		if strings.Contains(cell, tooLongMark) {
			return true
		}
	}
	return false
}

// CutText reports whether a line read through Lines lost its end.
func CutText(line string) bool { return strings.Contains(line, tooLongMark) }

// RowTooLong is the error of a row over max bytes; option names what raises
// the limit.
func RowTooLong(max int, option string) error {
	return &rowTooLong{fmt.Sprintf("the row is longer than %s, the most a row may hold, and was not read whole (raise the limit with %s)", Size(max), option)}
}

// ErrRowTooLong is what RowTooLong's errors are (errors.Is): a row that
// was not read, so nothing in it was seen.
var ErrRowTooLong = errors.New("the row is longer than the most a row may hold")

type rowTooLong struct{ msg string }

func (e *rowTooLong) Error() string        { return e.msg }
func (e *rowTooLong) Is(target error) bool { return target == ErrRowTooLong }

// HeaderTooLong is the error of a header line over max bytes: cut, it
// would lose column names without a word.
func HeaderTooLong(max int, option string) error {
	return fmt.Errorf("the header line is longer than %s, the most a row may hold, so its last column names would be lost; check that the file is a CSV with one header line, or raise the limit with %s", Size(max), option)
}

// tooLongMark stands in a CSV line for the rest of a line over the limit;
// no CSV a person writes holds it.
const tooLongMark = "\x00leadscore: row too long\x00"

// lineLimiter is Lines: it puts tooLongMark in place of the rest of a line
// over max.
type lineLimiter struct {
	r        *bufio.Reader
	max      int
	n        int  // bytes of the current line passed through
	skipping bool // dropping the rest of an over-long line
	pending  string
	// first is set until the first line ends. A first line over max is a
	// header too long to read: nothing after it is passed, so a file with
	// no newline at all (/dev/zero) ends there instead of being skipped
	// through for ever.
	first, done bool
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.pending != "" {
		n := copy(p, l.pending)
		l.pending = l.pending[n:]
		return n, nil
	}
	if l.done {
		return 0, io.EOF
	}
	written := 0
	for written < len(p) {
		if l.r.Buffered() == 0 && written > 0 {
			return written, nil // what is here; the rest on the next call
		}
		buf, err := l.r.Peek(1)
		if len(buf) == 0 {
			if written > 0 {
				return written, nil
			}
			return 0, err
		}
		buf, _ = l.r.Peek(l.r.Buffered())
		if l.skipping { // drop the rest of the over-long line, up to its newline
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				l.r.Discard(len(buf))
				continue
			}
			l.r.Discard(i)
			l.skipping = false
			continue
		}
		buf = buf[:min(len(buf), len(p)-written)]
		seg, nl := buf, false
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			seg, nl = buf[:i+1], true
		}
		body := len(seg)
		if nl {
			body--
		}
		if l.n+body > l.max { // the line goes over: pass what fits, then the mark
			k := l.max - l.n
			copy(p[written:], seg[:k])
			l.r.Discard(k)
			written += k
			l.skipping, l.n = true, 0
			l.done = l.first
			n := copy(p[written:], tooLongMark)
			l.pending = tooLongMark[n:]
			return written + n, nil
		}
		copy(p[written:], seg)
		l.r.Discard(len(seg))
		written += len(seg)
		if nl {
			l.n, l.first = 0, false
		} else {
			l.n += body
		}
	}
	return written, nil
}
