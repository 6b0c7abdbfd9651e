package leadfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/csvspan"
	"github.com/leadscore/leadscore/internal/notutf8"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// MissingEventsError is the error of CSV leads read without an events file
// by a model that counts events: every lead would be scored as if it had
// done nothing, without a word.
type MissingEventsError struct {
	File     string // the leads file
	Model    string
	Rules    int // the model's event rules and gates
	Counters int // its event counters: events("type"), daysSinceLast("type")
	// Flag is the option that gives the events file, for the message
	// ("--events" when empty).
	Flag string
}

func (e *MissingEventsError) Error() string {
	where := plural(e.Rules, "rule")
	switch {
	case e.Rules == 0:
		where = plural(e.Counters, "expression")
	case e.Counters > 0:
		where += " and " + plural(e.Counters, "expression")
	}
	flag := e.Flag
	if flag == "" {
		flag = "--events"
	}
	return fmt.Sprintf("%s: CSV leads carry no events, and the model %s counts events in %s, so every lead would be scored as if it had done nothing; give the events file that goes with them (%s EVENTS.csv), or, if these leads truly have none, say so (--no-events)",
		e.File, e.Model, where, flag)
}

// EventReaders counts what of the model reads events: its event rules and
// gates, and its event counters (events("type"), daysSinceLast("type")).
func EventReaders(m *rules.Model) (eventRules, counters int) {
	for _, r := range m.Rules {
		if r.IsEvent() {
			eventRules++
		}
	}
	for _, r := range m.Gates {
		if r.IsEvent() {
			eventRules++
		}
	}
	return eventRules, len(m.EventAggregates())
}

func plural(n int, noun string) string { return strconv.Itoa(n) + " " + numfmt.Noun(n, noun) }

// ErrNoID fails a row without a lead id: its result could not be joined
// back to the CRM, nor its outcomes, verdicts or events found.
var ErrNoID = errors.New(`the lead has no id; give every row its id (the "id" key in JSON, the id column in CSV), so that its result can be joined back to the CRM`)

// ErrNoLeadForEvent is the error of an events row whose lead_id no row of
// the leads file has: the event was not used, and it has no output row.
// The error of such a row is an *EventNotUsedError that is it (errors.Is).
var ErrNoLeadForEvent = errors.New("no lead in the leads file has this lead_id; the event was not used")

// ErrEventOfFailedLead is the error of an events row whose lead's row
// failed: the event was not used, with the lead. The error of such a row
// is an *EventNotUsedError that is it (errors.Is).
var ErrEventOfFailedLead = errors.New("the row of this event's lead failed; the event was not used")

// EventNotUsedError is the error of an events row that no lead used: no
// lead row has its lead id (it is ErrNoLeadForEvent), or the row of its
// lead failed before its events were read with it (FailedLine; it is
// ErrEventOfFailedLead).
type EventNotUsedError struct {
	LeadID string
	// Column is the events file's column of the lead id: lead_id, or the
	// one a source mapping's events.lead names.
	Column string
	// LeadsFile and FailedLine are the file and line of the lead's row
	// that failed; FailedLine is 0 when no lead row has the id.
	LeadsFile  string
	FailedLine int
}

func (e *EventNotUsedError) Error() string {
	if e.FailedLine > 0 {
		return fmt.Sprintf("the lead's row (%s:%d) failed, so this event was not used; fix that row", e.LeadsFile, e.FailedLine)
	}
	if SpreadsheetNumber(e.LeadID) {
		return fmt.Sprintf("no lead in the leads file has %s %s, and no lead could: the id was turned into a number by a spreadsheet, its last digits lost; export the file from the CRM again and do not save it from a spreadsheet, or format the id column as text before saving", e.Column, quoteCell(e.LeadID))
	}
	if strings.TrimSpace(e.LeadID) == "" {
		return fmt.Sprintf("its %s is empty, so it names no lead; the event was not used: give every event the id of its lead", e.Column)
	}
	return fmt.Sprintf("no lead in the leads file has %s %s; the event was not used", e.Column, quoteCell(e.LeadID))
}

// Is makes the error ErrNoLeadForEvent or ErrEventOfFailedLead.
func (e *EventNotUsedError) Is(target error) bool {
	if e.FailedLine > 0 {
		return target == ErrEventOfFailedLead
	}
	return target == ErrNoLeadForEvent
}

// readEvents loads a CSV events file grouped by lead id. A bad event row
// fails its lead (the lead fails with every such row of it: scoring it
// without them would be silently wrong); a bad row that names no lead, or
// is over the row limit, stops the run. A
// file without quotes or carriage returns is split at line boundaries and
// decoded on every core (readEventsFast); any other goes through
// encoding/csv (readEventsPlain). Both give the same index and errors.
// Its lines are cut at Options.MaxRow (bounded.Lines), so a row over it
// is a bad row, never held whole.
func readEvents(opts Options) (*csvEventIndex, error) {
	text, err := readAll(opts.Events, maxRow(opts))
	if errors.Is(err, notutf8.ErrUTF16) {
		return nil, fmt.Errorf("%s:1: %w", opts.EventsName, err)
	}
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
	r, err := notutf8.Sniff(r)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(size)
	_, err = io.Copy(&b, bounded.Lines(r, maxRow))
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
	problems, err := eventRecords(r, opts.EventsName, header, maxRow(opts), func(line int, rec []string, bad error) string {
		if bad != nil { // a row of another count of cells: its lead, when it names one, fails with it
			problem := fmt.Sprintf("%s:%d: %v", opts.EventsName, line, bad)
			if lead := cols.leadOf(rec); lead != "" {
				x.addProblem(lead, line, problem)
				return ""
			}
			return problem
		}
		id, e, err := cols.decode(rec, &cache)
		if err != nil {
			problem := fmt.Sprintf("%s:%d: %v", opts.EventsName, line, err)
			if lead := cols.leadOf(rec); lead != "" {
				x.addProblem(lead, line, problem) // its lead fails, alone
				return ""
			}
			return problem
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
// not CSV, is longer than maxRow (read through bounded.Lines), has a
// quoted cell that swallowed rows (csvspan), or has another count of cells
// than the header, is a problem (file:line: why), as
// is what fn returns when it is not "". The error is one of reading the
// file.
func eventRecords(r *csv.Reader, file string, header []string, maxRow int, fn func(line int, rec []string, bad error) string) ([]string, error) {
	var problems []string
	var held *heldRecord // a record read past a report's footer
	for {
		var rec []string
		var err error
		if held != nil {
			rec, err, held = held.rec, held.err, nil
		} else {
			rec, err = r.Read()
		}
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
		if e := csvspan.Check(r, header, rec); e != nil {
			// Which leads the swallowed rows were of cannot be told: the
			// run stops, as for a quote never closed.
			problems = append(problems, fmt.Sprintf("%s:%d: broken CSV: %v", file, e.First, e))
			continue
		}
		if mayStartFooter(rec, len(header)) {
			var ferr error
			ferr, _, held = readFooter(r, rec, line)
			problems = append(problems, fmt.Sprintf("%s:%d: %v", file, line, ferr))
			continue
		}
		var bad error
		if len(rec) != len(header) {
			bad = cellCountError(len(rec), len(header))
		} else if i := notutf8.Cell(rec); i >= 0 {
			bad = notutf8.CellError(header[i], rec[i])
		}
		if p := fn(line, rec, bad); p != "" {
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

// badEventRow is a row of an events file that could not be read, of a
// known lead, which fails with it.
type badEventRow struct {
	lead    string
	line    int
	problem string
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
	if strings.IndexByte(text, '"') >= 0 || strings.IndexByte(text, '\r') >= 0 || !utf8.ValidString(text) || mayHaveFooter(text) {
		return nil, nil, false // the plain reader words a cell that is not UTF-8, and a report's footer
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
		// bad are rows of a known lead that could not be read: the lead
		// fails with them.
		bad  []badEventRow
		part *eventPart // the events grouped by lead
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
					problem := fmt.Sprintf("%s:%d: %v", opts.EventsName, line, cellCountError(len(rec), len(header)))
					if lead := cols.leadOf(rec); lead != "" {
						c.bad = append(c.bad, badEventRow{lead, line, problem})
					} else {
						c.problems = append(c.problems, problem)
					}
					continue
				}
				id, e, err := cols.decode(rec, &cache)
				if err != nil {
					problem := fmt.Sprintf("%s:%d: %v", opts.EventsName, line, err)
					if lead := cols.leadOf(rec); lead != "" {
						c.bad = append(c.bad, badEventRow{lead, line, problem})
					} else {
						c.problems = append(c.problems, problem)
					}
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
			for _, b := range c.bad {
				c.part.addProblem(b.lead, b.line, b.problem)
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
	var rest []string // columns past maxColumnWarnings with no did-you-mean
	named := 0
	for _, c := range cols {
		s := m.Suggest(kind, c.name)
		if s == "" && named >= maxColumnWarnings && len(cols)-named > 1 {
			rest = append(rest, c.name)
			continue
		}
		msg := fmt.Sprintf("%s:1: column %q is not in the model, so no rule reads it", file, c.name)
		if s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		opts.OnWarning(msg)
		named++
	}
	if len(rest) > 0 {
		names := make([]string, 0, 3)
		for _, n := range rest[:min(3, len(rest))] {
			names = append(names, strconv.Quote(n))
		}
		opts.OnWarning(fmt.Sprintf("%s:1: %d more columns are not in the model (%s, ...), so no rule reads them", file, len(rest), strings.Join(names, ", ")))
	}
}

// maxColumnWarnings is how many undeclared columns a file's warnings name
// one by one; the rest are counted in one line, except those that look
// like a misspelt field, which are always named with their did-you-mean.
const maxColumnWarnings = 20

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
