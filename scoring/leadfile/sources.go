package leadfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/leadscore/leadscore/internal/delim"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/csvcell"
	"github.com/leadscore/leadscore/internal/csvspan"
	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/internal/notutf8"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// source reads rows sequentially and decodes them in parallel.
type source interface {
	next() (row, bool, error)
	decode(row) (scoring.Lead, error)
	unmatched() []unusedEvent
}

func newSource(opts Options) (source, error) {
	if (opts.Source != nil || opts.InputFormat == CSV) && opts.Events == nil && !opts.NoEvents && opts.Scorer != nil {
		if r, c := EventReaders(opts.Scorer.Model()); r+c > 0 {
			return nil, &MissingEventsError{File: opts.InputName, Model: opts.Scorer.Model().Name, Rules: r, Counters: c}
		}
	}
	if opts.Source != nil {
		return newMappedSource(opts)
	}
	if opts.InputFormat == CSV {
		return newCSVSource(opts)
	}
	if opts.Events != nil {
		return nil, errors.New("an events file goes with CSV leads; NDJSON leads carry their events")
	}
	in, err := notutf8.Sniff(opts.Input)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", opts.InputName, err)
	}
	src := &ndjsonSource{r: bufio.NewReaderSize(in, 1<<16), name: opts.InputName, max: maxRow(opts), small: opts.smallRows}
	if opts.Bound {
		src.scorer = opts.Scorer
	}
	return src, nil
}

func maxRow(opts Options) int {
	if opts.MaxRow > 0 {
		return opts.MaxRow
	}
	return DefaultMaxRow
}

// rowTooLong is the error of a row over the limit.
func rowTooLong(max int) error { return bounded.RowTooLong(max, maxRowOption) }

// readHeader reads the header of a CSV file read through bounded.Lines;
// the file's name is in the error.
func readHeader(r *csv.Reader, file string, max int, empty string) ([]string, error) {
	header, err := r.Read()
	switch {
	case err == io.EOF:
		return nil, fmt.Errorf("%s: the file is empty; %s", file, empty)
	case err != nil:
		return nil, fmt.Errorf("%s: reading the header: %w", file, err)
	case bounded.Cut(header):
		return nil, fmt.Errorf("%s:1: %w", file, bounded.HeaderTooLong(max, maxRowOption))
	case len(header) == 1 && strings.TrimSpace(strings.TrimPrefix(header[0], "\ufeff")) == "":
		// A byte-order mark alone: no header, as in an empty file.
		if _, err := r.Read(); err == io.EOF {
			return nil, fmt.Errorf("%s: the file is empty (but for a byte-order mark); %s", file, empty)
		}
	}
	if err := notutf8.HeaderError(header); err != nil {
		return nil, fmt.Errorf("%s:1: %w", file, err)
	}
	return header, nil
}

type ndjsonSource struct {
	r    *bufio.Reader
	name string // the input's name, for errors
	line int
	max  int
	// scorer, when set (Options.Bound), reads a plain row's fields
	// straight into its model's slots (Lead.Fields a *rules.Fields).
	scorer *scoring.Scorer
	small  bool // Options.smallRows
}

func (s *ndjsonSource) next() (row, bool, error) {
	for {
		s.line++
		var buf []byte
		tooLong := false
		skipped := 0
		for {
			chunk, isPrefix, err := s.r.ReadLine()
			if err == io.EOF {
				if len(buf) > 0 || tooLong {
					break
				}
				return row{}, false, nil
			}
			if err != nil {
				return row{}, false, fmt.Errorf("reading line %d: %w", s.line, err)
			}
			if !tooLong {
				if len(buf)+len(chunk) > s.max {
					tooLong, buf = true, nil
				} else {
					buf = append(buf, chunk...)
				}
			}
			if tooLong {
				if skipped += len(chunk); skipped > maxSkip {
					return row{}, false, fmt.Errorf("%s:%d: %s without a line end; the input is not NDJSON (one lead per line)", s.name, s.line, bounded.Size(maxSkip))
				}
			}
			if !isPrefix {
				break
			}
		}
		if tooLong {
			return row{line: s.line, err: rowTooLong(s.max)}, true, nil
		}
		if s.line == 1 {
			buf = bytes.TrimPrefix(buf, bom) // a byte-order mark alone is no row
		}
		if len(bytes.TrimSpace(buf)) == 0 {
			continue // blank lines are not rows
		}
		return row{line: s.line, raw: buf}, true, nil
	}
}

// maxSkip is the longest line skipped, unread, to reach the next row: a
// line longer is no lead but an input that is not NDJSON (/dev/zero), and
// ends the file instead of being skipped through for ever.
const maxSkip = 1 << 30

func (s *ndjsonSource) decode(r row) (scoring.Lead, error) {
	if s.scorer != nil {
		if lead, ok, err := s.scorer.ReadJSON(friend.K(), bytes.TrimPrefix(r.raw, bom)); ok || err != nil {
			return lead, err
		}
	}
	var lead scoring.Lead
	var err error
	if s.small {
		lead, err = decodeJSONSized(r.raw, 8)
	} else {
		lead, err = DecodeJSON(r.raw)
	}
	if err == nil && !utf8.Valid(r.raw) {
		// Read, its text that is not UTF-8 would be U+FFFD: a value
		// looked up or matched would silently not be.
		err = notutf8.TextError("the line", r.raw)
	}
	if err != nil && lead.ID == "" {
		lead.ID = idOfBrokenRow(r.raw) // its result row still names its lead
	}
	return lead, err
}

// idOfBrokenRow is the "id" of a JSON object that fails to decode, when
// it comes before what breaks it and is a text or a number (as written).
func idOfBrokenRow(data []byte) string {
	id, _ := brokenRow(data)
	return id
}

// brokenRow reads a JSON object that fails to decode key by key, up to
// what breaks it: its "id" (a text, or a number as written) and the
// values of its other keys that decode, so that a failed lead can still be
// named and placed (its account). Nested objects are taken whole or not.
func brokenRow(data []byte) (id string, fields map[string]any) {
	data = bytes.TrimPrefix(data, bom)
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return "", nil
	}
	fields = map[string]any{}
	for d.More() {
		key, err := d.Token()
		if err != nil {
			break
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			break
		}
		k, _ := key.(string)
		var x any
		if json.Unmarshal(v, &x) != nil {
			continue // 1e999: kept as written, but no value
		}
		if k != "id" {
			fields[k] = x
			continue
		}
		switch x := x.(type) {
		case string:
			id = x
		case float64:
			// As written, a number's digits, when the number ends where
			// the object goes on (a comma, the closing brace):
			// {"id":00012} reads 0 and then breaks, and a lead named 0
			// would be another lead.
			if rest := bytes.TrimLeft(data[min(int(d.InputOffset()), len(data)):], " \t\r\n"); len(rest) > 0 && (rest[0] == ',' || rest[0] == '}') {
				id = string(v)
			}
		}
	}
	return id, fields
}

func (s *ndjsonSource) unmatched() []unusedEvent { return nil }

type csvSource struct {
	csvRows
	schema *csvSchema
}

// csvRows reads the rows of a CSV file after its header: each record with
// its line, or the row's error (a quote left open, a quoted cell that
// swallowed rows up to a stray quote (csvspan), a row too long, a count of
// cells unlike the header's) for that row alone.
type csvRows struct {
	r       *csv.Reader
	header  []string // every row must have as many cells
	max     int      // the longest line
	pending []row    // rows an unclosed quote swallowed, still to report
	// firsts, when set, keeps the lines' first cells for the rows of a
	// broken quote (csvSource's, whose id is the first column)
	firsts *firstCells
	held   *heldRecord // a record read past a report's footer
}

// read returns the next row; ok is false at the end of the file.
func (s *csvRows) read() (r row, ok bool, err error) {
	if len(s.pending) > 0 {
		r := s.pending[0]
		s.pending = s.pending[1:]
		return r, true, nil
	}
	var rec []string
	if s.held != nil {
		rec, err, s.held = s.held.rec, s.held.err, nil
	} else {
		rec, err = s.r.Read()
	}
	if err == io.EOF {
		return row{}, false, nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		rows := csvParseErrorRows(pe)
		if s.firsts != nil {
			for i := range rows {
				rows[i].id = s.firsts.at(rows[i].line)
			}
		}
		s.pending = rows[1:]
		return rows[0], true, nil
	}
	if err != nil {
		return row{}, false, err
	}
	line, _ := s.r.FieldPos(0)
	if bounded.Cut(rec) {
		s.dropFirsts(line)
		return row{line: line, err: rowTooLong(s.max)}, true, nil
	}
	if e := csvspan.Check(s.r, s.header, rec); e != nil {
		rows := swallowedRows(e)
		if s.firsts != nil {
			for i := range rows {
				rows[i].id = s.firsts.at(rows[i].line)
			}
		}
		s.dropFirsts(e.Last)
		s.pending = rows[1:]
		return rows[0], true, nil
	}
	if mayStartFooter(rec, len(s.header)) {
		ferr, last, held := readFooter(s.r, rec, line)
		s.held = held
		s.dropFirsts(last)
		return row{line: line, err: ferr}, true, nil
	}
	s.dropFirsts(line)
	if len(rec) != len(s.header) {
		return row{line: line, rec: rec, err: cellCountError(len(rec), len(s.header))}, true, nil
	}
	if i := notutf8.Cell(rec); i >= 0 {
		return row{line: line, rec: rec, err: notutf8.CellError(s.header[i], rec[i])}, true, nil
	}
	return row{line: line, rec: rec}, true, nil
}

// dropFirsts forgets the first cells of the lines up to line.
func (s *csvRows) dropFirsts(line int) {
	if s.firsts != nil {
		s.firsts.drop(line + 1)
	}
}

func newCSVSource(opts Options) (*csvSource, error) {
	m := opts.Scorer.Model()
	in, err := notutf8.Sniff(opts.Input)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", opts.InputName, err)
	}
	firsts := newFirstCells(bounded.Lines(in, maxRow(opts)))
	r := csv.NewReader(firsts)
	r.FieldsPerRecord = -1
	what := "leads"
	if opts.accounts {
		what = "accounts"
	}
	header, err := readHeader(r, opts.InputName, maxRow(opts), "a CSV "+what+" file starts with a header row")
	if err != nil {
		return nil, err
	}
	schema, err := newCSVSchema(m, header)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", opts.InputName, err)
	}
	if err := noIDColumn(header, schema); err != nil {
		return nil, fmt.Errorf("%s:1: %w", opts.InputName, err)
	}
	// The created field is read (it says who is one of an account's
	// people) though the model does not declare it.
	warnColumns(opts, opts.InputName, m, rules.UnknownKey, slices.DeleteFunc(slices.Clone(schema.unknown), func(c unknownColumn) bool {
		return c.name == opts.Scorer.CreatedField()
	}))
	if opts.Events != nil {
		if schema.idCol < 0 {
			return nil, fmt.Errorf("%s:1: the header has no id column, so events cannot be joined to leads", opts.InputName)
		}
		schema.events, err = readEvents(opts)
		if err != nil {
			return nil, err
		}
	}
	src := &csvSource{csvRows: csvRows{r: r, header: header, max: maxRow(opts)}, schema: schema}
	if schema.idCol == 0 {
		src.firsts = firsts
	} else {
		firsts.off, firsts.cells = true, nil // a stray comma could move the id: keep nothing
	}
	return src, nil
}

func (s *csvSource) next() (row, bool, error) {
	r, ok, err := s.read()
	if ok && r.err != nil && r.id == "" && r.rec != nil && s.schema.idCol == 0 {
		// A row with too many or too few cells: its first cell is its id
		// still (a comma in a later cell cannot move it), so the error
		// names the lead.
		r.id = r.rec[0]
	} else if ok && r.err != nil && r.id == "" && len(r.rec) == len(s.header) {
		r.id = s.schema.id(r.rec) // a row of the header's cells (one not UTF-8): its id is in its place
	}
	if ok && r.err != nil && r.id != "" && s.schema.events != nil {
		s.schema.events.failed(r.id, r.line) // its events are its, not unmatched
	}
	if ok && r.err == nil && s.schema.events != nil {
		id := s.schema.id(r.rec)
		var problems []string
		if r.events, problems = s.schema.events.takeAll(id); len(problems) > 0 {
			r.id, r.err = id, fmt.Errorf("its events could not all be read, and scoring it without them would be wrong:\n  %s", strings.Join(problems, "\n  "))
		}
	}
	return r, ok, err
}

func (s *csvSource) decode(r row) (scoring.Lead, error) { return s.schema.decode(r.rec, r.events) }

func (s *csvSource) unmatched() []unusedEvent {
	if s.schema.events == nil {
		return nil
	}
	return s.schema.events.unmatched()
}

// csvParseErrorRows turns a CSV syntax error into failed rows: one for the
// row where it starts and, when an unclosed quote swallowed the lines after
// it, one for each of those lines, so that rows in = scored + failed.
func csvParseErrorRows(pe *csv.ParseError) []row {
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine:
		rows := []row{{line: pe.StartLine, err: fmt.Errorf("broken CSV: a quote opened in this row is not closed before line %d, so lines %d to %d were read as one cell; close the quote, and write a quote inside a cell as \"\"",
			pe.Line, pe.StartLine, pe.Line)}}
		for l := pe.StartLine + 1; l <= pe.Line; l++ {
			rows = append(rows, row{line: l, err: fmt.Errorf("broken CSV: swallowed by the quote left open on line %d", pe.StartLine)})
		}
		return rows
	case errors.Is(pe.Err, csv.ErrQuote):
		return []row{{line: pe.StartLine, err: fmt.Errorf("broken CSV: a quoted cell is not closed, or has text after its closing quote (column %d); close the quote, and write a quote inside a cell as \"\"", pe.Column)}}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return []row{{line: pe.StartLine, err: fmt.Errorf("broken CSV: a quote inside a cell that does not start with one (column %d); quote the whole cell and write the quote as \"\"", pe.Column)}}
	}
	return []row{{line: pe.StartLine, err: fmt.Errorf("broken CSV: %v", pe.Err)}}
}

// swallowedRows turns a record whose quoted cell swallowed rows (closed by
// a stray quote lines later, with the header's cell count, so that
// encoding/csv read it without an error) into failed rows: one for the row
// where it starts and one for each line after it, as csvParseErrorRows.
func swallowedRows(e *csvspan.Error) []row {
	rows := []row{{line: e.First, err: fmt.Errorf("broken CSV: %w", e)}}
	for l := e.First + 1; l <= e.Last; l++ {
		rows = append(rows, row{line: l, err: fmt.Errorf("broken CSV: swallowed by the quote left open on line %d", e.Line)})
	}
	return rows
}

// cellCountError is a row with more or fewer cells than the header.
func cellCountError(got, want int) error {
	return fmt.Errorf("this row has %s but the header has %d; %s", plural(got, "cell"), want, csvcell.CountAdvice(got, want))
}

// noIDColumn explains a header without an id column when it can, once for
// the file, where each row would fail without its id: a header that is
// one column holding another delimiter (the file is separated by
// semicolons, say), or a column that is id but for case. Nil otherwise.
func noIDColumn(header []string, schema *csvSchema) error {
	if schema.idCol >= 0 || len(header) == 0 {
		return nil
	}
	first := strings.TrimSpace(strings.TrimPrefix(header[0], "\ufeff"))
	if len(header) == 1 {
		if d := delim.Guess(',', func(d rune) bool { return strings.ContainsRune(first, d) }); d != 0 {
			return fmt.Errorf("the header looks separated by %s: read with commas between cells it is one column, %q, so no row has an id; export the file with commas between cells, or read it with a source mapping (--source) that says delimiter: %q", delim.Name(d), first, string(d))
		}
	}
	for i, name := range header {
		if i == 0 {
			name = first
		}
		if name = strings.TrimSpace(name); strings.EqualFold(name, "id") {
			return fmt.Errorf("the header has no id column, so every row would fail without its id; did you mean \"id\"? (column %d is %q, and column names count case): rename it id", i+1, name)
		}
	}
	return nil
}
