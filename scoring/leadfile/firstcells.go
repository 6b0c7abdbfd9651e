package leadfile

import (
	"bytes"
	"io"
	"strings"
)

// firstCells passes a CSV file through and keeps the first cell of each
// line read since the last row that parsed, so that the rows of a broken
// quote, which encoding/csv fails whole without their cells, can still
// name their leads when the id is the first column. A first cell that
// opens a quote, or runs past maxFirstCell bytes, is kept as "".
type firstCells struct {
	r       io.Reader
	line    int  // the line the next byte is on (1 is the header)
	inFirst bool // the next byte is in the line's first cell
	cell    []byte
	base    int      // the line of cells[0]
	cells   []string // the lines' first cells, from base on
	off     bool     // pass the bytes through, keeping nothing
}

// maxFirstCell bounds a first cell kept: an id is short.
const maxFirstCell = 256

func newFirstCells(r io.Reader) *firstCells {
	return &firstCells{r: r, line: 1, inFirst: true, base: 1}
}

func (f *firstCells) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if f.off {
		return n, err
	}
	b := p[:n]
	for len(b) > 0 {
		if f.inFirst {
			i := bytes.IndexAny(b, ",\n")
			if i < 0 {
				f.add(b)
				break
			}
			f.add(b[:i])
			f.end()
			b = b[i:]
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		b = b[i+1:]
		f.line++
		f.inFirst, f.cell = true, f.cell[:0]
	}
	if err == io.EOF && f.inFirst {
		f.end()
	}
	return n, err
}

func (f *firstCells) add(b []byte) {
	if len(f.cell) <= maxFirstCell {
		f.cell = append(f.cell, b[:min(len(b), maxFirstCell+1-len(f.cell))]...)
	}
}

// end keeps the line's first cell.
func (f *firstCells) end() {
	f.inFirst = false
	c := strings.TrimSpace(strings.TrimSuffix(string(f.cell), "\r"))
	if strings.HasPrefix(c, `"`) || len(f.cell) > maxFirstCell {
		c = ""
	}
	for f.base+len(f.cells) < f.line {
		f.cells = append(f.cells, "") // not reached; keeps the lines aligned
	}
	f.cells = append(f.cells, c)
}

// at is the first cell of a line still kept, or "".
func (f *firstCells) at(line int) string {
	if i := line - f.base; i >= 0 && i < len(f.cells) {
		return f.cells[i]
	}
	return ""
}

// drop forgets the lines before line.
func (f *firstCells) drop(line int) {
	if i := line - f.base; i > 0 {
		i = min(i, len(f.cells))
		f.cells = f.cells[i:]
		f.base += i
		if len(f.cells) == 0 {
			f.cells = nil // let the array go
		}
	}
}
