package bounded

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
)

func short(data []byte) []byte { return data[:min(len(data), 300)] }

// byteLimiter is lineLimiter as it was first written, a byte at a time:
// the reference lineLimiter is checked against.
type byteLimiter struct {
	r        *bufio.Reader
	max      int
	n        int
	skipping bool
	pending  string
}

func (l *byteLimiter) Read(p []byte) (int, error) {
	if l.pending != "" {
		n := copy(p, l.pending)
		l.pending = l.pending[n:]
		return n, nil
	}
	written := 0
	for written < len(p) {
		c, err := l.r.ReadByte()
		if err != nil {
			if written > 0 {
				return written, nil
			}
			return 0, err
		}
		if c == '\n' {
			l.n, l.skipping = 0, false
			p[written] = c
			written++
			continue
		}
		if l.skipping {
			continue
		}
		if l.n++; l.n > l.max {
			l.skipping = true
			n := copy(p[written:], tooLongMark)
			l.pending = tooLongMark[n:]
			return written + n, nil
		}
		p[written] = c
		written++
	}
	return written, nil
}

// checkLineLimiter fails unless lineLimiter passes data through as
// byteLimiter does, read in pieces of every size.
func checkLineLimiter(t *testing.T, data []byte, max int) {
	t.Helper()
	want, err := io.ReadAll(&byteLimiter{r: bufio.NewReaderSize(bytes.NewReader(data), 16), max: max})
	require.NoError(t, err)
	for _, size := range []int{16, 64, 4096} {
		got, err := io.ReadAll(&lineLimiter{r: bufio.NewReaderSize(iotest.HalfReader(bytes.NewReader(data)), size), max: max})
		require.NoError(t, err)
		if !bytes.Equal(got, want) {
			t.Fatalf("%q, max %d, buffer %d: lineLimiter gives %q, byte by byte %q", short(data), max, size, short(got), short(want))
		}
	}
	got, err := io.ReadAll(iotest.OneByteReader(&lineLimiter{r: bufio.NewReaderSize(bytes.NewReader(data), 16), max: max}))
	require.NoError(t, err)
	require.Equal(t, want, got)
}

// lineLimiter, which passes runs of bytes, cuts lines as a byte-by-byte
// reading does.
func TestLineLimiterMatchesBytewise(t *testing.T) {
	var leads, events bytes.Buffer
	require.NoError(t, leadgen.WriteCSV(&leads, &events, leadgen.New(2), 50))
	for _, data := range []string{leads.String(), "", "\n", "abc", "abcdef\n\nabcdefghijklmnop\nab\r\nx", strings.Repeat("y", 100) + "\n" + strings.Repeat("z", 9)} {
		for _, max := range []int{1, 2, 5, 10, 40, 100, 1000} {
			checkLineLimiter(t, []byte(data), max)
		}
	}
}

func FuzzLineLimiter(f *testing.F) {
	f.Add([]byte("abc\ndefghij\n\nk"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, max uint8) {
		checkLineLimiter(t, data, 1+int(max))
	})
}

// zeros is an endless input with no newline, as /dev/zero.
type zeros struct{ read int }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.read += len(p)
	return len(p), nil
}

// A first line over the limit is a header too long to read: Lines passes
// it cut and stops, so an input with no newline at all ends.
func TestEndlessFirstLineEnds(t *testing.T) {
	z := &zeros{}
	out, err := io.ReadAll(Lines(z, 1<<10))
	require.NoError(t, err)
	assert.True(t, CutText(string(out)))
	assert.Less(t, z.read, 1<<20, "bytes read")
}
