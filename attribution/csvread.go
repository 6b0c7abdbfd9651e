package attribution

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/csvcell"
	"github.com/leadscore/leadscore/internal/csvspan"
	"github.com/leadscore/leadscore/internal/notutf8"
)

// Counts are the rows of an input and what became of them: every row is
// read or failed, so Rows = Read + Failed.
type Counts struct {
	Rows   int `json:"rows"`
	Read   int `json:"read"`
	Failed int `json:"failed"`
}

// LostRowsError is a stretch of lines lost together: a quote that opens a
// cell and does not close swallows the lines after it, up to where the
// reader could tell. Each of those lines counts as a failed row.
type LostRowsError struct {
	First, Last int // lines
	Err         error
}

// Error says what happened, where, and what fixes it.
func (e *LostRowsError) Error() string { return e.Err.Error() }

// Unwrap returns the reason.
func (e *LostRowsError) Unwrap() error { return e.Err }

// RowsLost is the number of rows a reader's error stands for: the lines of
// a LostRowsError, or one.
func RowsLost(err error) int {
	var le *LostRowsError
	if errors.As(err, &le) {
		return le.Last - le.First + 1
	}
	return 1
}

// csvTable reads a CSV file with a header row, one row at a time, each
// row with its line. A row whose cells do not match the header fails
// alone; a broken quote fails the lines it swallowed, whether encoding/csv
// finds it (a quote never closed) or not (one closed by a stray quote
// lines later, the record with the header's cells: csvspan).
type csvTable struct {
	r      *csv.Reader
	header []string
	col    map[string]int
}

// newCSV reads the header; need lists the columns the file must have,
// what says what the file holds (for messages).
func newCSV(r io.Reader, what string, need ...string) (*csvTable, error) {
	r, err := notutf8.Sniff(r)
	if err != nil {
		return nil, fmt.Errorf("line 1 (the header): %v", err)
	}
	t := &csvTable{r: csv.NewReader(bounded.Lines(r, bounded.DefaultMaxRow)), col: map[string]int{}}
	t.r.FieldsPerRecord = -1
	header, err := t.r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("the %s file is empty; it needs a header line with %s", what, strings.Join(need, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("line 1 (the header): %v", csvProblem(err))
	}
	if err := notutf8.HeaderError(header); err != nil {
		return nil, fmt.Errorf("line 1 (the header): %v", err)
	}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := t.col[h]; dup {
			return nil, fmt.Errorf("line 1 (the header): the column %q appears twice; name each column once", h)
		}
		t.col[h] = i
		t.header = append(t.header, h)
	}
	var missing []string
	for _, n := range need {
		if _, ok := t.col[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("line 1 (the header): the %s file needs the column%s %s; it has %s",
			what, plural(len(missing)), strings.Join(missing, ", "), strings.Join(t.header, ", "))
	}
	return t, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// next returns the next row and its line; err is the row's problem (a
// *LostRowsError when it swallowed lines), io.EOF at the end.
func (t *csvTable) next() (line int, rec []string, err error) {
	rec, err = t.r.Read()
	if err == io.EOF {
		return 0, nil, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.Err == csv.ErrQuote && pe.Line > pe.StartLine {
			return pe.StartLine, nil, &LostRowsError{First: pe.StartLine, Last: pe.Line, Err: fmt.Errorf(
				"a quote opens a cell on this line and does not close before line %d, so lines %d to %d are lost as one broken row; close the quote, and write a quote inside a cell as two (\"\")",
				pe.Line, pe.StartLine, pe.Line)}
		}
		return pe.StartLine, nil, csvProblem(err)
	}
	if err != nil {
		return 0, nil, err
	}
	line, _ = t.r.FieldPos(0)
	if e := csvspan.Check(t.r, t.header, rec); e != nil {
		// Closed by a stray quote lines later with the header's cells,
		// so that encoding/csv read it without an error.
		return e.First, nil, &LostRowsError{First: e.First, Last: e.Last, Err: e}
	}
	if len(rec) != len(t.header) {
		// rec goes with the error: the row's id is known, so that its
		// touches are its, not orphans (ReadCSVOrphans).
		return line, rec, fmt.Errorf("%d cell%s where the header has %d (%s); %s",
			len(rec), plural(len(rec)), len(t.header), strings.Join(t.header, ", "), csvcell.CountAdvice(len(rec), len(t.header)))
	}
	if i := notutf8.Cell(rec); i >= 0 {
		return line, rec, notutf8.CellError(t.header[i], rec[i])
	}
	return line, rec, nil
}

// cell returns the row's cell of a column, "" when the file lacks it (or
// the row, one of another count of cells, stops before it).
func (t *csvTable) cell(rec []string, name string) string {
	if i, ok := t.col[name]; ok && i < len(rec) {
		return rec[i]
	}
	return ""
}

// csvProblem words a CSV syntax error for people who edit spreadsheets.
func csvProblem(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Err {
	case csv.ErrQuote:
		return fmt.Errorf("a quoted cell is not closed properly (column %d); close the quote, and write a quote inside a cell as two (\"\")", pe.Column)
	case csv.ErrBareQuote:
		return fmt.Errorf("a quote inside a cell that does not start with one (column %d); put the cell in quotes and write the quote as two (\"\")", pe.Column)
	}
	return pe.Err
}
