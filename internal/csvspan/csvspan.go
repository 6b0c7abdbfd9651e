// Package csvspan tells a quoted CSV cell that swallowed rows from a
// legitimate multi-line cell.
//
// A quote left open ("Acme, Inc with no closing quote) makes encoding/csv
// read the lines after it as part of that cell, up to the next quote. When
// that quote closes the cell and the record comes out with the header's
// number of cells, nothing fails: the rows in between are silently gone.
// A quoted cell that holds line breaks is also legitimate CSV (CRM exports
// put multi-line notes in quotes), so a line break alone proves nothing.
//
// The rule: a cell is taken to have swallowed rows when a line inside it
// reads as a row of its own. The line, parsed as CSV with the reader's
// delimiter, has the header's number of cells (the line where the cell
// ends counts the record's cells after it too, since they were on that
// line); its first cell has the shape of the first cell of the line where
// the record began (its id, as a rule: L0000042 and L7 are both letters
// then digits, two e-mail addresses are alike, a word of a sentence is
// not); none of its cells begins with a space unless one of the record's
// own does (prose puts a space after its commas, exports do not); and
// when two or more of its cells can be set beside the record's own cells
// of the same columns, one at least has their shape (a date, a number,
// an address, a picklist value, an empty cell). A swallowed row meets all
// of these by construction, as the opening row's sibling; a note's line
// meets them only by a rare chance: its commas must give the header's
// count, its first word the id's shape, and no comma a space after it.
// On the prose of this project's docs as notes (over 700 paragraphs, in
// files of 2 to 12 columns: TestDocsProseNeverFlagged) it flags none. It
// misses a swallowed stretch whose rows begin with a cell of another shape
// than the opening row's (a free-text first column), and one whose rows
// share no column's shape with it.
package csvspan

import (
	"encoding/csv"
	"fmt"
	"strings"
	"unicode"
)

// Error is a record whose quoted cell swallowed rows. The record fails
// alone; encoding/csv has already read past it, so the reader goes on
// with the next line after Last.
type Error struct {
	Column  string // the cell's column, as the header names it ("" past the header)
	Index   int    // the cell's index in the record (0-based)
	Line    int    // the line the cell's quote opened on
	First   int    // the record's first line
	Last    int    // the record's last line, where the quote was closed
	RowLike int    // the first line inside the cell that reads as a row
}

// Lines is the number of lines the record stands for.
func (e *Error) Lines() int { return e.Last - e.First + 1 }

// Error says what happened and what fixes it; the reader puts the file and
// the record's first line before it.
func (e *Error) Error() string {
	col := fmt.Sprintf("column %d", e.Index+1)
	if e.Column != "" {
		col = fmt.Sprintf("column %q", e.Column)
	}
	where := ""
	if e.Line != e.First {
		where = fmt.Sprintf(" on line %d", e.Line)
	}
	lines := fmt.Sprintf("lines %d to %d were", e.Line+1, e.Last)
	if e.Last == e.Line+1 {
		lines = fmt.Sprintf("line %d was", e.Last)
	}
	return fmt.Sprintf("a quote opened in %s%s is not closed on its line, so %s read as part of its cell, up to the next quote, though line %d reads as a row of its own; close the quote (or write a quote inside a cell as \"\")",
		col, where, lines, e.RowLike)
}

// Check returns the *Error of rec, the record r has just read, when one of
// its quoted cells swallowed rows (see the package's doc), and nil
// otherwise. header is the file's header. A record on one line costs two
// FieldPos calls and a scan of its last cell.
func Check(r *csv.Reader, header, rec []string) *Error {
	if len(rec) == 0 {
		return nil
	}
	// A record on one line: its last cell begins on its first line and
	// holds no line break (the cells before it would have moved it).
	first, _ := r.FieldPos(0)
	lastStart, _ := r.FieldPos(len(rec) - 1)
	if first == lastStart && strings.IndexByte(rec[len(rec)-1], '\n') < 0 {
		return nil
	}
	var ref string     // the shape of the opening line's first cell
	var refText string // that cell itself, trimmed
	spaced := false    // a cell of the record begins with a space
	for i, cell := range rec {
		if strings.IndexByte(cell, '\n') < 0 {
			continue
		}
		segs := strings.Split(cell, "\n")
		if ref == "" {
			if i > 0 {
				ref, _, _ = strings.Cut(rec[0], "\n")
			} else {
				ref = firstCell(parse(r, segs[0]))
			}
			refText = strings.TrimSpace(ref)
			if ref = shape(ref); ref == "" {
				return nil // no shape to know a row by
			}
			for _, c := range rec {
				spaced = spaced || strings.IndexByte(c, '\n') < 0 && c != strings.TrimLeftFunc(c, unicode.IsSpace)
			}
		}
		for j := 1; j < len(segs); j++ {
			cells := parse(r, segs[j])
			n := len(cells)
			if j == len(segs)-1 {
				n += len(rec) - i - 1 // the record's cells after this one were on this line
			}
			if n != len(header) || !rowLike(cells, rec, i, ref, refText, spaced) {
				continue
			}
			line, _ := r.FieldPos(i)
			e := &Error{Index: i, Line: line, First: first, Last: lastStart + strings.Count(rec[len(rec)-1], "\n"), RowLike: line + j}
			if i < len(header) {
				e.Column = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
			}
			return e
		}
	}
	return nil
}

// rowLike reports whether cells, a line inside rec's cell i with the
// header's count of cells, begin like a row: the first cell of shape ref
// (a number with as many digits as the record's, one more or fewer);
// no later cell beginning with a space unless one of rec's does (spaced);
// and, when two or more of rec's other cells (not i, not the first) are in
// the line's columns, at least one of them of the same shape.
func rowLike(cells, rec []string, i int, ref, refText string, spaced bool) bool {
	first := strings.TrimSpace(firstCell(cells))
	if shape(first) != ref {
		return false
	}
	if ref == "9" && max(len(first), len(refText))-min(len(first), len(refText)) > 1 {
		// Numeric ids of one export have about as many digits (a CRM's
		// record ids, 1002 and 1003); "1" of "1,250,000" in a note is no
		// row's id beside 1002.
		return false
	}
	compared, alike := 0, 0
	for k := 1; k < len(cells); k++ {
		if !spaced && cells[k] != strings.TrimLeftFunc(cells[k], unicode.IsSpace) {
			return false // prose: a space after its commas
		}
		if k == i || k >= len(rec) || strings.IndexByte(rec[k], '\n') >= 0 {
			continue
		}
		compared++
		if shape(cells[k]) == shape(rec[k]) {
			alike++
		}
	}
	return compared < 2 || alike > 0
}

// Extra is the number of line breaks inside rec's cells: how many lines
// the record took beyond its first.
func Extra(rec []string) (extra int) {
	for _, c := range rec {
		extra += strings.Count(c, "\n")
	}
	return extra
}

// parse reads one line as a CSV record, quotes taken loosely (a line
// inside a broken cell is a fragment); nil for an empty line.
func parse(from *csv.Reader, line string) []string {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	r := csv.NewReader(strings.NewReader(line))
	r.Comma, r.TrimLeadingSpace = from.Comma, from.TrimLeadingSpace
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rec, err := r.Read()
	if err != nil {
		// A quote the line opens and does not close: count it as
		// cells split at the delimiter.
		return strings.Split(line, string(from.Comma))
	}
	return rec
}

func firstCell(cells []string) string {
	if len(cells) == 0 {
		return ""
	}
	return cells[0]
}

// shape is a cell's outline: each run of letters (with . - _ inside words)
// is a, each run of digits 9, each run of spaces one space, any other
// character itself. L0000042 and L7 are a9; jane.doe@acme.com and
// bo@x.io are a@a.
func shape(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	var last rune
	for _, c := range s {
		switch {
		case unicode.IsLetter(c) || c == '.' || c == '-' || c == '_':
			c = 'a'
		case unicode.IsDigit(c):
			c = '9'
		case unicode.IsSpace(c):
			c = ' '
		}
		if c != last || (c != 'a' && c != '9' && c != ' ') {
			b.WriteRune(c)
		}
		last = c
	}
	return b.String()
}
