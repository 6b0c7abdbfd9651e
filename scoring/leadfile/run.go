package leadfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/evalhook"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	srcmap "github.com/leadscore/leadscore/scoring/source"
)

// Format is a file format for leads or results.
type Format int

// The formats leadfile reads and writes.
const (
	NDJSON Format = iota
	CSV
)

// String names the format as --format does.
func (f Format) String() string {
	if f == CSV {
		return "csv"
	}
	return "ndjson"
}

// ParseFormat reads a format name: "ndjson" (or "json", "jsonl") or "csv".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "ndjson", "json", "jsonl":
		return NDJSON, nil
	case "csv":
		return CSV, nil
	}
	return NDJSON, fmt.Errorf("unknown format %q; use ndjson or csv", s)
}

// DefaultMaxRow is the longest row (an NDJSON line, a CSV line of leads,
// events or dispositions) read unless Options.MaxRow says otherwise; a
// longer row fails alone, and is never held in memory whole.
const DefaultMaxRow = bounded.DefaultMaxRow

// MaxLine is the longest single lead a reader of one lead (explain) takes.
const MaxLine = DefaultMaxRow

// A batch is the rows that travel together through the pipeline: up to
// batchSize rows, closed early once it holds batchBytes of input.
const (
	batchSize  = 256
	batchBytes = 1 << 20
)

// Options says what to score, where from and where to.
type Options struct {
	Scorer *scoring.Scorer
	AsOf   time.Time

	Input       io.Reader
	InputName   string // for messages, such as "leads.ndjson"
	InputFormat Format
	// Events is the CSV events file that goes with a CSV leads file. A
	// model that counts events refuses CSV leads without it (their scores
	// would silently leave every event out) unless NoEvents says the leads
	// have none on purpose.
	Events     io.Reader
	EventsName string
	NoEvents   bool
	// Source, when set, reads Input as a CRM's CSV export, and Events as
	// its activities export, through a source mapping (package source):
	// InputFormat is not used. It is checked against Scorer's model.
	Source *srcmap.Mapping

	Output       io.Writer
	OutputFormat Format

	// Workers is how many goroutines decode and score; 0 means one per core.
	Workers int
	// MaxRow is the longest row read, in bytes, of Input and of Events
	// (and the longest header); 0 means DefaultMaxRow. A longer row fails
	// alone, a longer header fails the file. Peak memory grows with it: see
	// Score.
	MaxRow int
	// OnError is called for every row that fails, in input order, from a
	// single goroutine.
	OnError func(RowError)
	// OnProgress, when set, is called after each batch is written with the
	// running totals.
	OnProgress func(Summary)
	// OnWarning, when set, is told of problems found before the first row:
	// CSV columns the model does not declare.
	OnWarning func(string)
	// StrictData fails a row that carries data the model does not declare
	// (a key, a CSV cell, an event key or type); by default such data is
	// counted in Summary.Unknown and the row is scored.
	StrictData bool
	// Dispositions, when set, gives each lead sales' verdicts on it
	// (scoring.Lead.Dispositions), by id. It is called from every worker
	// at once.
	Dispositions func(leadID string) []scoring.Disposition

	// shareFields lets events of a CSV events file with the same cells
	// share one Fields map; Score sets it, since it only reads them, Read
	// does not, since its caller may change them.
	shareFields bool
}

// RowError is a row that could not be read or scored.
type RowError struct {
	File   string
	Line   int
	LeadID string
	Err    error
}

// Error formats the row error as file:line: lead ID: reason.
func (e RowError) Error() string {
	id := ""
	if e.LeadID != "" {
		id = "lead " + e.LeadID + ": "
	}
	return fmt.Sprintf("%s:%d: %s%v", e.File, e.Line, id, e.Err)
}

// Unwrap returns the row's reason.
func (e RowError) Unwrap() error { return e.Err }

// Summary counts what a run did. Rows == Scored + Failed.
type Summary struct {
	Rows, Scored, Failed int
	SalesReady           int
	Disqualified         int
	// Stages counts scored leads by stage; "" is no stage.
	Stages map[string]int
	// UnmatchedEvents counts CSV event rows whose lead id no lead row had.
	UnmatchedEvents int
	// RepeatedEvents counts the rows of an activities export read through
	// a source mapping that repeat an earlier row's activity id and
	// content: the same activity exported twice, counted once.
	RepeatedEvents int
	// Unknown counts the rows that carried each piece of data the model does
	// not declare (a misspelt column, key or event type), scored or not.
	Unknown scoring.UnknownTally
	Elapsed time.Duration
}

// row is one input row on its way through the pipeline.
type row struct {
	line   int
	raw    []byte          // NDJSON
	rec    []string        // CSV
	events []scoring.Event // CSV: joined from the events file by the reader
	err    error           // a read error for this row
}

// size is how many bytes of input the row holds.
func (r *row) size() int {
	n := len(r.raw)
	for _, cell := range r.rec {
		n += len(cell)
	}
	return n
}

type batch struct {
	seq  int
	rows []row
	out  bytes.Buffer
	errs []RowError
	sum  Summary
}

// Score reads every row of the input, scores it and writes its result. Rows
// that fail are reported through OnError and counted; the error returned is
// for problems that stop the whole run (an unreadable file, a bad header, a
// failed write).
//
// Memory stays flat however long the input: at most 4 × Workers batches are
// in flight, each closed at 256 rows or 1 MiB of input, so the input held
// at once is at most 4 × Workers × (1 MiB + MaxRow), 40 MiB with 2 workers
// and the default 4 MiB rows, and each worker decodes one lead at a time
// (a decoded lead takes a few times its JSON). A CSV events file is the
// exception: it is held whole, grouped by lead.
func Score(opts Options) (Summary, error) {
	start := time.Now()
	sum := Summary{Stages: map[string]int{}}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	opts.shareFields = true
	src, err := newSource(opts)
	if err != nil {
		return sum, err
	}
	enc := newEncoder(opts.OutputFormat, opts.Scorer)
	if ce, ok := enc.(*csvEncoder); ok {
		ce.verdicts = opts.Dispositions != nil
	}
	out := bufio.NewWriterSize(opts.Output, 1<<16)
	if err := enc.header(out); err != nil {
		return sum, err
	}

	// Tokens bound the batches in flight, so a slow batch cannot make the
	// writer hold an unbounded number of later ones: memory stays flat.
	inFlight := 4 * workers
	tokens := make(chan struct{}, inFlight)
	jobs := make(chan *batch, workers)
	done := make(chan *batch, inFlight)
	stop := make(chan struct{}) // closed when writing fails
	var readErr error           // set before jobs is closed
	free := make(chan *batch, inFlight)

	go func() { // reader
		defer close(jobs)
		for seq := 0; ; seq++ {
			select {
			case tokens <- struct{}{}:
			case <-stop:
				return
			}
			var b *batch
			select {
			case b = <-free: // one the writer is done with: its buffers are grown already
				b.seq = seq
			default:
				b = &batch{seq: seq}
			}
			last, size := false, 0 // last is decided before a worker owns b
			for len(b.rows) < batchSize && size < batchBytes {
				r, ok, err := src.next()
				if err != nil {
					readErr = err
				}
				if err != nil || !ok {
					last = true
					break
				}
				b.rows = append(b.rows, r)
				size += r.size()
			}
			if len(b.rows) > 0 {
				jobs <- b
			}
			if last {
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				work(b, src, enc, opts)
				done <- b
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	// Writer: put batches back in input order.
	pending := map[int]*batch{}
	next := 0
	var werr error
	for b := range done {
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-tokens
			if werr != nil {
				continue // draining after a failed write
			}
			if _, werr = out.Write(b.out.Bytes()); werr != nil {
				close(stop)
				continue
			}
			for _, e := range b.errs {
				if opts.OnError != nil {
					opts.OnError(e)
				}
			}
			sum.add(b.sum)
			if opts.OnProgress != nil {
				sum.Elapsed = time.Since(start)
				opts.OnProgress(sum)
			}
			b.out.Reset()
			b.errs, b.sum = b.errs[:0], Summary{}
			select {
			case free <- b:
			default:
			}
		}
	}
	if readErr != nil {
		return sum, readErr
	}
	if werr == nil {
		werr = out.Flush()
	}
	if werr != nil {
		return sum, fmt.Errorf("writing the results: %w", werr)
	}
	if ms, ok := src.(*mappedSource); ok && ms.events != nil {
		sum.RepeatedEvents = ms.events.repeated
	}
	if lines := src.unmatched(); len(lines) > 0 {
		sum.UnmatchedEvents = len(lines)
		for _, l := range lines {
			if opts.OnError != nil {
				opts.OnError(RowError{File: opts.EventsName, Line: l, Err: errors.New("no lead in the leads file has this lead_id; the event was not used")})
			}
		}
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

func (s *Summary) add(o Summary) {
	s.Rows += o.Rows
	s.Scored += o.Scored
	s.Failed += o.Failed
	s.SalesReady += o.SalesReady
	s.Disqualified += o.Disqualified
	for k, v := range o.Stages {
		s.Stages[k] += v
	}
	s.Unknown.Merge(o.Unknown)
}

// bindCells lets work bind the cells of a plain CSV row straight into the
// evaluator; the differential tests turn it off to compare.
var bindCells = true

// work decodes, scores and encodes the rows of one batch.
func work(b *batch, src source, enc encoder, opts Options) {
	b.sum.Stages = map[string]int{}
	csvSrc, _ := src.(*csvSource)
	var cells []string
	for _, r := range b.rows {
		b.sum.Rows++
		var lead scoring.Lead
		var res *scoring.Result
		err := r.err
		done := false
		if _, ndjson := src.(*ndjsonSource); ndjson && err == nil && opts.Dispositions == nil {
			// The plain line, decoded straight into the evaluator.
			var out any
			out, lead.ID, done, err = evalhook.ScoreJSON(opts.Scorer, bytes.TrimPrefix(r.raw, bom), opts.AsOf)
			res, _ = out.(*scoring.Result)
		}
		if csvSrc != nil && bindCells && err == nil && opts.Dispositions == nil {
			// The cells, bound straight into the evaluator.
			var ok bool
			if cells, ok = csvSrc.schema.cells(r.rec, cells); ok {
				var out any
				lead.ID = csvSrc.schema.id(r.rec)
				out, done, err = evalhook.ScoreCells(opts.Scorer, lead.ID, cells, r.events, opts.AsOf)
				res, _ = out.(*scoring.Result)
			}
		}
		if err == nil && !done {
			lead, err = src.decode(r)
		}
		if err == nil && !done && opts.Dispositions != nil {
			lead.Dispositions = append(lead.Dispositions, opts.Dispositions(lead.ID)...)
		}
		if err == nil && !done {
			res, err = opts.Scorer.Score(lead, opts.AsOf)
		}
		if err != nil {
			var se *scoring.Error
			if errors.As(err, &se) {
				err = se.Err // the row error names the lead already
			}
			var ue *scoring.UnknownDataError
			if errors.As(err, &ue) {
				b.sum.Unknown.Add(ue.Unknown) // a scorer that refuses unknown data
			}
		}
		if err == nil && lead.ID == "" {
			err = ErrNoID
		}
		if err == nil && len(res.Unknown) > 0 {
			b.sum.Unknown.Add(res.Unknown)
			if opts.StrictData {
				err = &scoring.UnknownDataError{Unknown: res.Unknown}
			}
		}
		if err != nil {
			b.sum.Failed++
			b.errs = append(b.errs, RowError{File: opts.InputName, Line: r.line, LeadID: lead.ID, Err: err})
			enc.failure(&b.out, lead.ID, r.line, err)
			continue
		}
		b.sum.Scored++
		b.sum.Stages[res.Stage]++
		if res.SalesReady {
			b.sum.SalesReady++
		}
		if res.Disqualified {
			b.sum.Disqualified++
		}
		enc.result(&b.out, res)
	}
	clear(b.rows) // let the input go before the batch waits for the writer
	b.rows = b.rows[:0]
}

// source reads rows sequentially and decodes them in parallel.
type source interface {
	next() (row, bool, error)
	decode(row) (scoring.Lead, error)
	unmatched() []int
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
	return &ndjsonSource{r: bufio.NewReaderSize(opts.Input, 1<<16), max: maxRow(opts)}, nil
}

func maxRow(opts Options) int {
	if opts.MaxRow > 0 {
		return opts.MaxRow
	}
	return DefaultMaxRow
}

// maxRowOption names what raises Options.MaxRow, for messages.
const maxRowOption = "Options.MaxRow, or --max-row"

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
	}
	return header, nil
}

type ndjsonSource struct {
	r    *bufio.Reader
	line int
	max  int
}

func (s *ndjsonSource) next() (row, bool, error) {
	for {
		s.line++
		var buf []byte
		tooLong := false
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
			if !isPrefix {
				break
			}
		}
		if tooLong {
			return row{line: s.line, err: rowTooLong(s.max)}, true, nil
		}
		if len(bytes.TrimSpace(buf)) == 0 {
			continue // blank lines are not rows
		}
		return row{line: s.line, raw: buf}, true, nil
	}
}

func (s *ndjsonSource) decode(r row) (scoring.Lead, error) { return DecodeJSON(r.raw) }
func (s *ndjsonSource) unmatched() []int                   { return nil }

type csvSource struct {
	csvRows
	schema *csvSchema
}

// csvRows reads the rows of a CSV file after its header: each record with
// its line, or the row's error (a quote left open, a row too long, a count
// of cells unlike the header's) for that row alone.
type csvRows struct {
	r       *csv.Reader
	columns int   // cells in the header; every row must have as many
	max     int   // the longest line
	pending []row // rows an unclosed quote swallowed, still to report
}

// read returns the next row; ok is false at the end of the file.
func (s *csvRows) read() (r row, ok bool, err error) {
	if len(s.pending) > 0 {
		r := s.pending[0]
		s.pending = s.pending[1:]
		return r, true, nil
	}
	rec, err := s.r.Read()
	if err == io.EOF {
		return row{}, false, nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		rows := csvParseErrorRows(pe)
		s.pending = rows[1:]
		return rows[0], true, nil
	}
	if err != nil {
		return row{}, false, err
	}
	line, _ := s.r.FieldPos(0)
	if bounded.Cut(rec) {
		return row{line: line, err: rowTooLong(s.max)}, true, nil
	}
	if len(rec) != s.columns {
		return row{line: line, err: cellCountError(len(rec), s.columns)}, true, nil
	}
	return row{line: line, rec: rec}, true, nil
}

func newCSVSource(opts Options) (*csvSource, error) {
	m := opts.Scorer.Model()
	r := csv.NewReader(bounded.Lines(opts.Input, maxRow(opts)))
	r.FieldsPerRecord = -1
	header, err := readHeader(r, opts.InputName, maxRow(opts), "a CSV leads file starts with a header row")
	if err != nil {
		return nil, err
	}
	schema, err := newCSVSchema(m, header)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", opts.InputName, err)
	}
	warnColumns(opts, opts.InputName, m, rules.UnknownKey, schema.unknown)
	if opts.Events != nil {
		if schema.idCol < 0 {
			return nil, fmt.Errorf("%s:1: the header has no id column, so events cannot be joined to leads", opts.InputName)
		}
		schema.events, err = readEvents(opts)
		if err != nil {
			return nil, err
		}
	}
	return &csvSource{csvRows: csvRows{r: r, columns: len(header), max: maxRow(opts)}, schema: schema}, nil
}

func (s *csvSource) next() (row, bool, error) {
	r, ok, err := s.read()
	if ok && r.err == nil && s.schema.events != nil {
		r.events = s.schema.events.take(s.schema.id(r.rec))
	}
	return r, ok, err
}

func (s *csvSource) decode(r row) (scoring.Lead, error) { return s.schema.decode(r.rec, r.events) }

func (s *csvSource) unmatched() []int {
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

// cellCountError is a row with more or fewer cells than the header.
func cellCountError(got, want int) error {
	return fmt.Errorf("this row has %d cells but the header has %d; a cell that holds a comma must be in quotes", got, want)
}

// readEvents loads a CSV events file grouped by lead id. A bad event row
// stops the run: scoring its lead without it would be silently wrong. A
// file without quotes or carriage returns is split at line boundaries and
// decoded on every core (readEventsFast); any other goes through
// encoding/csv (readEventsPlain). Both give the same index and errors.
// Its lines are cut at Options.MaxRow (bounded.Lines), so a row over it
// is a bad row, never held whole.
func readEvents(opts Options) (*csvEventIndex, error) {
	text, err := readAll(opts.Events, maxRow(opts))
	if err != nil {
		// The plain reader sees the same bytes, then the same failure.
		return readEventsPlain(opts, io.MultiReader(strings.NewReader(text), errReader{err}))
	}
	if x, err, ok := readEventsFast(opts, text, 64<<10); ok {
		return x, err
	}
	return readEventsPlain(opts, strings.NewReader(text))
}

// readAll is io.ReadAll through bounded.Lines, into a string (the cells
// kept are slices of it, not copies), reading into a buffer of the input's
// size when the input tells it.
func readAll(r io.Reader, maxRow int) (string, error) {
	size := 0
	switch r := r.(type) {
	case interface{ Len() int }: // bytes.Reader, strings.Reader, bytes.Buffer
		size = r.Len()
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			size = int(fi.Size())
		}
	}
	var b strings.Builder
	b.Grow(size)
	_, err := io.Copy(&b, bounded.Lines(r, maxRow))
	return b.String(), err
}

// errReader fails every read with its error.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// readEventsPlain is readEvents with encoding/csv, one row after another.
func readEventsPlain(opts Options, in io.Reader) (*csvEventIndex, error) {
	m := opts.Scorer.Model()
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true // decode keeps cells, never the record
	header, err := readHeader(r, opts.EventsName, maxRow(opts), "an events file starts with a header row: lead_id,type,at")
	if err != nil {
		return nil, err
	}
	header = slices.Clone(header)
	cols, err := newEventColumns(m, header)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", opts.EventsName, err)
	}
	warnColumns(opts, opts.EventsName, m, rules.UnknownEventKey, cols.unknown)
	x := newEventPart()
	cache := valueCache{shareMaps: opts.shareFields}
	problems, err := eventRecords(r, opts.EventsName, len(header), maxRow(opts), func(line int, rec []string) string {
		id, e, err := cols.decode(rec, &cache)
		if err != nil {
			return fmt.Sprintf("%s:%d: %v", opts.EventsName, line, err)
		}
		x.add(id, e, line)
		return ""
	})
	if err != nil {
		return nil, err
	}
	return &csvEventIndex{parts: []*eventPart{x}}, eventProblems(problems)
}

// eventRecords reads the records of an events file after its header, in
// order, and calls fn with each well-formed one and its line. A row that is
// not CSV, is longer than maxRow (read through bounded.Lines), or has
// another count of cells than the header, is a problem (file:line: why), as
// is what fn returns when it is not "". The error is one of reading the
// file.
func eventRecords(r *csv.Reader, file string, cells, maxRow int, fn func(line int, rec []string) string) ([]string, error) {
	var problems []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return problems, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			problems = append(problems, parseErrorProblems(file, pe)...)
			continue
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0) // only for a record that was read
		if bounded.Cut(rec) {
			problems = append(problems, fmt.Sprintf("%s:%d: %v", file, line, rowTooLong(maxRow)))
			continue
		}
		if len(rec) != cells {
			problems = append(problems, fmt.Sprintf("%s:%d: %v", file, line, cellCountError(len(rec), cells)))
			continue
		}
		if p := fn(line, rec); p != "" {
			problems = append(problems, p)
		}
	}
}

// parseErrorProblems words a CSV syntax error of the events file.
func parseErrorProblems(file string, pe *csv.ParseError) []string {
	bad := csvParseErrorRows(pe)
	out := []string{fmt.Sprintf("%s:%d: %v", file, bad[0].line, bad[0].err)}
	if len(bad) > 1 {
		out = append(out, fmt.Sprintf("%s:%d-%d: %d more rows swallowed by that quote", file, bad[1].line, bad[len(bad)-1].line, len(bad)-1))
	}
	return out
}

// eventProblems is the error of an events file with bad rows, nil without.
func eventProblems(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	more := ""
	if len(problems) > 20 {
		more = fmt.Sprintf("\n(and %d more)", len(problems)-20)
		problems = problems[:20]
	}
	return fmt.Errorf("the events file has bad rows; fix them, since leads scored without their events would be wrong:\n%s%s",
		joinLines(problems), more)
}

// readEventsFast is readEvents for a file that holds no quote and no
// carriage return, so that encoding/csv would read every line as its cells
// split at commas (and skip empty lines): the lines after the header are
// cut into one chunk per worker and decoded side by side, then indexed in
// file order; a chunk holds at least minChunk bytes. ok is false, nothing
// done, for any other file.
func readEventsFast(opts Options, text string, minChunk int) (x *csvEventIndex, err error, ok bool) {
	if strings.IndexByte(text, '"') >= 0 || strings.IndexByte(text, '\r') >= 0 {
		return nil, nil, false
	}
	line := 0
	var headerLine string
	for headerLine == "" && text != "" { // empty lines are skipped, as encoding/csv does
		line++
		headerLine, text, _ = strings.Cut(text, "\n")
	}
	if headerLine == "" {
		return nil, nil, false // no header: the plain reader words it
	}
	cut := bounded.CutText(text) // a line over the limit, cut
	if bounded.CutText(headerLine) {
		return nil, fmt.Errorf("%s:1: %w", opts.EventsName, bounded.HeaderTooLong(maxRow(opts), maxRowOption)), true
	}
	m := opts.Scorer.Model()
	header := strings.Split(headerLine, ",")
	cols, err := newEventColumns(m, header)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", opts.EventsName, err), true
	}
	warnColumns(opts, opts.EventsName, m, rules.UnknownEventKey, cols.unknown)

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(text)/max(minChunk, 1)))
	type chunk struct {
		text     string
		line     int // of its first line
		ids      []string
		events   []scoring.Event
		lines    []int
		problems []string
		part     *eventPart // the events grouped by lead
	}
	chunks := make([]chunk, 0, workers)
	for i := 0; i < workers && text != ""; i++ {
		n := len(text)
		if left := workers - i; left > 1 {
			n = len(text) / left
			if j := strings.IndexByte(text[n:], '\n'); j >= 0 {
				n += j + 1
			} else {
				n = len(text)
			}
		}
		chunks = append(chunks, chunk{text: text[:n], line: line + 1})
		line += strings.Count(text[:n], "\n")
		text = text[n:]
	}
	var wg sync.WaitGroup
	for i := range chunks {
		wg.Add(1)
		go func(c *chunk) {
			defer wg.Done()
			cache := valueCache{shareMaps: opts.shareFields}
			n := strings.Count(c.text, "\n") + 1 // at most this many events
			c.ids, c.events, c.lines = make([]string, 0, n), make([]scoring.Event, 0, n), make([]int, 0, n)
			rec := make([]string, 0, len(header))
			rest, line := c.text, c.line-1
			for rest != "" {
				var l string
				l, rest, _ = strings.Cut(rest, "\n")
				if line++; l == "" {
					continue
				}
				if cut && bounded.CutText(l) {
					c.problems = append(c.problems, fmt.Sprintf("%s:%d: %v", opts.EventsName, line, rowTooLong(maxRow(opts))))
					continue
				}
				rec = rec[:0]
				start := 0
				for i := 0; i < len(l); i++ { // cells are short: a loop beats strings.Cut
					if l[i] == ',' {
						rec = append(rec, l[start:i])
						start = i + 1
					}
				}
				rec = append(rec, l[start:])
				if len(rec) != len(header) {
					c.problems = append(c.problems, fmt.Sprintf("%s:%d: %v", opts.EventsName, line, cellCountError(len(rec), len(header))))
					continue
				}
				id, e, err := cols.decode(rec, &cache)
				if err != nil {
					c.problems = append(c.problems, fmt.Sprintf("%s:%d: %v", opts.EventsName, line, err))
					continue
				}
				c.ids = append(c.ids, id)
				c.events = append(c.events, e)
				c.lines = append(c.lines, line)
			}
			c.part = newEventPart()
			for i := 0; i < len(c.ids); { // by runs of one lead's events, as a file sorted by lead has
				j := i + 1
				for j < len(c.ids) && c.ids[j] == c.ids[i] {
					j++
				}
				c.part.addRun(c.ids[i], c.events[i:j], c.lines[i:j])
				i = j
			}
		}(&chunks[i])
	}
	wg.Wait()
	x = &csvEventIndex{}
	var problems []string
	for _, c := range chunks {
		problems = append(problems, c.problems...)
		x.parts = append(x.parts, c.part)
	}
	return x, eventProblems(problems), true
}

// warnColumns tells OnWarning of header columns the model does not declare,
// before the first row is read.
func warnColumns(opts Options, file string, m *rules.Model, kind rules.UnknownKind, cols []unknownColumn) {
	if opts.OnWarning == nil {
		return
	}
	for _, c := range cols {
		msg := fmt.Sprintf("%s:1: column %q is not in the model, so no rule reads it", file, c.name)
		if s := m.Suggest(kind, c.name); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		opts.OnWarning(msg)
	}
}

func joinLines(lines []string) string {
	var b bytes.Buffer
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	return b.String()
}
