package leadfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"time"

	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/internal/idset"
	"github.com/leadscore/leadscore/internal/pipeline"
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
	// OnRepeatedID, when set, is told of each row (scored or failed) whose
	// lead id an earlier row had, with the first such row's line, in input
	// order from a single goroutine. Score then keeps every id once, in
	// an idset.Set (about 24 to 32 bytes an id of 8 characters, no
	// pointers); no row is read twice.
	OnRepeatedID func(id string, first, line int)
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

	// Bound, with a Scorer, has Read and Map read a plain NDJSON row's
	// fields straight into the model's slots, as Score does, and give
	// them in Lead.Fields as a *rules.Fields rather than a map: for a
	// caller that scores each lead and reads its fields only through
	// the Scorer (a backtest scores a lead as of T0, then replays its
	// timeline). A row that is not plain (a key the schema does not
	// declare, a value of another type, sales' verdicts) is decoded into
	// a map, as without it. CSV rows are decoded as without it. Events
	// with the same fields share one Fields map, from lead to lead: read
	// them, do not change them.
	Bound bool

	// CreatedField is the lead field that says when a lead was created
	// ("" for created_at), for a holdout experiment with a start
	// (rules.Holdout.Starts): a lead that came before it (by this field,
	// or without it by its first event; scoring.Lead.Came) is in neither
	// group. A row whose field holds no time fails then.
	CreatedField string

	// Only, when set, is asked for each row's line before the row is
	// decoded; Map skips the rows it refuses (Score and Read ignore it).
	Only func(line int) bool
	// Spot, when set, is given each NDJSON row's text, as UTF-8, before
	// Map decodes the row, on every core at once: for a
	// caller that looks in the rows for what changes how it reads the
	// whole file, such as sales' verdicts, as the rows are read rather
	// than in a reading of its own. It must not keep or change them.
	// Score and Read ignore it, as they do CSV rows.
	Spot func(raw []byte)

	// shareFields lets events of a CSV events file with the same cells
	// share one Fields map; Score sets it, since it only reads them, Read
	// does not, since its caller may change them.
	shareFields bool

	// smallRows says the rows have few keys (an accounts file's): their
	// NDJSON objects are decoded into maps of 8 keys' room, which grow
	// when more come, rather than of a lead's 16.
	smallRows bool
	// accounts says the rows are an accounts file's, for the messages.
	accounts bool
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
	// FailedLeadEvents counts CSV event rows of leads whose rows failed
	// before their events were taken: not used, with the lead.
	FailedLeadEvents int
	// RepeatedEvents counts the rows of an activities export read through
	// a source mapping that repeat an earlier row's activity id and
	// content: the same activity exported twice, counted once.
	RepeatedEvents int
	// Unknown counts the rows that carried each piece of data the model does
	// not declare (a misspelt column, key or event type), scored or not.
	Unknown scoring.UnknownTally
	// HeldOut counts the scored leads in the control group of the model's
	// holdout experiment (rules.Model.Holdout), HeldOutSalesReady those of
	// them that are sales-ready: with withhold: handoff, the leads kept
	// from sales.
	HeldOut, HeldOutSalesReady int
	// BeforeStart counts the scored leads that came before the holdout
	// experiment's start, in neither group (rules.Holdout.In).
	BeforeStart int
	Elapsed     time.Duration
}

// row is one input row on its way through the pipeline.
type row struct {
	line   int
	raw    []byte          // NDJSON
	rec    []string        // CSV
	events []scoring.Event // CSV: joined from the events file by the reader
	err    error           // a read error for this row
	id     string          // with err: the row's lead, when it is known
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
	rows []row
	out  bytes.Buffer
	errs []RowError
	sum  Summary
	ids  []idAt // with OnRepeatedID, each row's lead id
}

// idAt is a row's lead id, its hash (computed by the worker) and line.
type idAt struct {
	id   string
	hash uint64
	line int
}

// repeats finds the rows whose lead id an earlier row had, for
// Options.OnRepeatedID.
type repeats struct {
	set   idset.Set
	first []int32 // the line of each id's first row, by its number
	full  bool    // the ids outgrew the set: no more are checked
}

func (r *repeats) add(ids []idAt, on func(id string, first, line int)) {
	for _, x := range ids {
		if r.full {
			return
		}
		n, added, err := r.set.FindOrAddHash(x.hash, x.id)
		switch {
		case err != nil:
			r.full = true
		case added:
			r.first = append(r.first, int32(min(x.line, math.MaxInt32)))
		default:
			on(x.id, int(r.first[n]), x.line)
		}
	}
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

	var rep *repeats
	if opts.OnRepeatedID != nil {
		rep = &repeats{}
	}
	var readErr error // set by the reader before the workers are done
	free := make(chan *batch, 4*workers)
	werr := ordered(workers, func() (*batch, bool, bool) { // the reader
		var b *batch
		select {
		case b = <-free: // one the writer is done with: its buffers are grown already
		default:
			b = &batch{}
		}
		last, err := fill(src, nil, func(r row) { b.rows = append(b.rows, r) })
		if err != nil {
			readErr = err
		}
		return b, len(b.rows) > 0, last
	}, func(b *batch) { work(b, src, enc, opts) }, func(b *batch) error { // the writer, in input order
		if _, err := out.Write(b.out.Bytes()); err != nil {
			return err
		}
		for _, e := range b.errs {
			if opts.OnError != nil {
				opts.OnError(e)
			}
		}
		if rep != nil {
			rep.add(b.ids, opts.OnRepeatedID)
			clear(b.ids)
			b.ids = b.ids[:0]
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
		return nil
	})
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
	for _, e := range unusedEventErrors(src, opts) {
		if errors.Is(e, ErrNoLeadForEvent) {
			sum.UnmatchedEvents++
		} else {
			sum.FailedLeadEvents++
		}
		if opts.OnError != nil {
			opts.OnError(e)
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
	s.HeldOut += o.HeldOut
	s.HeldOutSalesReady += o.HeldOutSalesReady
	s.BeforeStart += o.BeforeStart
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
	holdout := opts.Scorer.Model().Holdout
	// A holdout with a start reads when each lead came: from a plain
	// NDJSON line's bytes (cameOf), which are then scored straight, or
	// from the decoded lead (CSV rows, and lines cameOf cannot read).
	starts := holdout != nil && !holdout.Starts.IsZero()
	_, ndjson := src.(*ndjsonSource)
	var cells []string
	for _, r := range b.rows {
		b.sum.Rows++
		lead := scoring.Lead{ID: r.id} // with r.err, its lead when known
		var res *scoring.Result
		err := r.err
		done := false
		var came time.Time
		scanned := false
		if starts && ndjson && err == nil && scanCame {
			came, scanned = cameOf(bytes.TrimPrefix(r.raw, bom), opts.CreatedField)
		}
		fast := opts.Dispositions == nil && (!starts || scanned)
		if ndjson && err == nil && fast {
			// The plain line, decoded straight into the evaluator.
			res, lead.ID, done, err = opts.Scorer.ScoreJSON(friend.K(), bytes.TrimPrefix(r.raw, bom), opts.AsOf)
		}
		if csvSrc != nil && bindCells && err == nil && opts.Dispositions == nil && !starts {
			// The cells, bound straight into the evaluator.
			var ok bool
			if cells, ok = csvSrc.schema.cells(r.rec, cells); ok {
				lead.ID = csvSrc.schema.id(r.rec)
				res, done, err = opts.Scorer.ScoreCells(friend.K(), lead.ID, cells, r.events, opts.AsOf)
			}
		}
		if err == nil && !done {
			lead, err = src.decode(r)
		}
		if err == nil && !done && opts.Dispositions != nil {
			lead.Dispositions = append(lead.Dispositions, opts.Dispositions(lead.ID)...)
		}
		if err == nil && !done && starts && !scanned {
			came, err = lead.Came(opts.CreatedField)
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
		if err == nil && NoID(lead.ID) {
			lead.ID, err = "", ErrNoID // refused as "" is
		} else if err == nil && SpreadsheetNumber(lead.ID) {
			err = errSpreadsheetID
		}
		if opts.OnRepeatedID != nil && lead.ID != "" && err != errSpreadsheetID { // failed for its id: no repeat to tell
			b.ids = append(b.ids, idAt{id: lead.ID, hash: idset.Hash(lead.ID), line: r.line})
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
		if holdout != nil && !holdout.In(came) {
			b.sum.BeforeStart++
		}
		control := holdout.ControlAt(res.LeadID, came)
		if control {
			b.sum.HeldOut++
			if res.SalesReady {
				b.sum.HeldOutSalesReady++
			}
		}
		enc.result(&b.out, res, control)
	}
	clear(b.rows) // let the input go before the batch waits for the writer
	b.rows = b.rows[:0]
}

// maxRowOption names what raises Options.MaxRow, for messages.
const maxRowOption = "--max-row (Options.MaxRow in Go)"

// ordered runs the pipeline Score, Map and People share: see
// pipeline.Ordered.
func ordered[B any](workers int, fill func() (b B, send, last bool), work func(B), use func(B) error) error {
	return pipeline.Ordered(workers, fill, work, use)
}

// fill reads rows of src into add until a batch is full (batchSize rows or
// batchBytes of input); keep, when set, skips the rows whose line it
// refuses, unread. last is set at the end of the input or on a read error.
func fill(src source, keep func(line int) bool, add func(row)) (last bool, err error) {
	for n, size := 0, 0; n < batchSize && size < batchBytes; {
		r, ok, err := src.next()
		if err != nil || !ok {
			return true, err
		}
		if keep != nil && !keep(r.line) {
			continue
		}
		add(r)
		n++
		size += r.size()
	}
	return false, nil
}
