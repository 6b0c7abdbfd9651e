package pipelines

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func init() {
	register.DoFn6x0[context.Context, Row, func(string, Row), func(Row), func(DeadLetter), func(Counts)](&measureLeadFn{})
	register.Emitter2[string, Row]()
	register.DoFn5x0[string, func(*Row) bool, func(Row), func(DeadLetter), func(Counts)](&firstRowFn{})
	register.Combiner3[*backtestAcc, Row, string](&backtestFn{})
	beam.RegisterCoder(reflect.TypeOf((*backtestAcc)(nil)), encodeBacktestAcc, decodeBacktestAcc)
}

// Backtesting is what a backtest pipeline needs: the model, the CRM's
// outcomes, and the options of `leadscore backtest` that shape its report.
type Backtesting struct {
	Model Model
	// Outcomes is the outcomes CSV (as `backtest --outcomes` reads it),
	// carried to the workers; OutcomesName names it in messages.
	Outcomes     string
	OutcomesName string
	At, Until    time.Time
	// Capacity is as --capacity takes it, such as 40/week; "" for none.
	Capacity string
	Format   string // table, markdown, csv or json
	// Files are the leads files in the order given: a lead in rows of two
	// files keeps the row of the file given first (by name when a file is
	// not among them).
	Files []string
}

// Backtested is what Backtest gives.
type Backtested struct {
	Report      beam.PCollection // string, one: the report, as the command line writes it
	DeadLetters beam.PCollection // DeadLetter: the rows that failed
	Counts      beam.PCollection // Counts, one: Read = Used + Failed
	// OutcomeErrors are the outcome rows that could not be read, as
	// file:line: reason, read where the pipeline starts; their leads count
	// as not won, as the command line counts them.
	OutcomeErrors []string
}

// Backtest tests the model's sales-ready definition against the outcomes
// on NDJSON lead rows (as ReadLines gives them), as `leadscore backtest`
// does: each worker measures its leads into a backtest.Backtest, and the
// workers' backtests merge (Backtest.State, MergeState) into the report
// of one pass, byte for byte the command line's. A row that cannot be
// read or scored fails alone, as a dead letter; a lead in two rows keeps
// its first (by file and line) and the later rows fail, as the command
// line keeps the first.
func Backtest(s beam.Scope, cfg Backtesting, rows beam.PCollection) (Backtested, error) {
	s = s.Scope("Backtest")
	fn := &backtestFn{Model: cfg.Model, Outcomes: cfg.Outcomes, OutcomesName: cfg.OutcomesName, At: cfg.At.Format(time.RFC3339Nano), Capacity: cfg.Capacity, Format: cfg.Format}
	if !cfg.Until.IsZero() {
		fn.Until = cfg.Until.Format(time.RFC3339Nano)
	}
	if err := fn.Setup(); err != nil { // a bad model, outcomes file or option stops it here
		return Backtested{}, err
	}
	measured := beam.ParDoN(s, &measureLeadFn{Backtest: *fn}, rows)
	first := beam.ParDoN(s, &firstRowFn{Files: cfg.Files, MarkFailed: true}, beam.GroupByKey(s, measured[0]))
	counts := beam.Flatten(s, measured[3], first[2])
	return Backtested{
		// The leads that failed go in beside the rows (failedRow): the
		// report counts their outcome rows apart, as the command line's does.
		Report:        beam.Combine(s, fn, beam.Flatten(s, first[0], measured[1])),
		DeadLetters:   beam.Flatten(s, measured[2], first[1]),
		Counts:        beam.Combine(s, &countsFn{}, counts),
		OutcomeErrors: fn.outcomeErrors,
	}, nil
}

// backtestFn is the backtest's report as a CombineFn; its settings are
// the pipeline's, as text, so that every worker builds the same backtest.
type backtestFn struct {
	Model        Model
	Outcomes     string
	OutcomesName string
	At, Until    string
	Capacity     string
	Format       string

	scorer        *scoring.Scorer
	outcomes      map[string]attribution.Outcome
	outcomeErrors []string
	opts          backtest.Options
}

func (f *backtestFn) Setup() error {
	switch f.Format {
	case "table", "markdown", "csv", "json":
	default:
		return fmt.Errorf("unknown format %q; use table, markdown, csv or json", f.Format)
	}
	m, err := f.Model.compile()
	if err != nil {
		return fmt.Errorf("compiling the model %s: %v", f.Model.Name, err)
	}
	f.scorer = scoring.New(m)
	f.outcomeErrors = nil
	f.outcomes, _, err = attribution.ReadOutcomes(strings.NewReader(f.Outcomes), func(line int, err error) {
		f.outcomeErrors = append(f.outcomeErrors, fmt.Sprintf("%s:%d: %v", f.OutcomesName, line, err))
	})
	if err != nil {
		return fmt.Errorf("%s: %v", f.OutcomesName, err)
	}
	f.opts = backtest.Options{}
	if f.opts.At, err = time.Parse(time.RFC3339Nano, f.At); err != nil {
		return fmt.Errorf("the snapshot time: %v", err)
	}
	if f.Until != "" {
		if f.opts.Until, err = time.Parse(time.RFC3339Nano, f.Until); err != nil {
			return fmt.Errorf("the end of the outcome window: %v", err)
		}
	}
	if f.Capacity != "" {
		if f.opts.Capacity, err = backtest.ParseCapacity(f.Capacity); err != nil {
			return fmt.Errorf("capacity: %v", err)
		}
	}
	_, err = f.newBacktest()
	return err
}

func (f *backtestFn) newBacktest() (*backtest.Backtest, error) {
	return backtest.New(f.scorer, f.outcomes, f.opts)
}

// decodeLead reads the lead of one row as the command line reads it.
func (f *backtestFn) decodeLead(r Row) (scoring.Lead, error) {
	var lead scoring.Lead
	var rowErr error
	found := false
	err := leadfile.Read(leadfile.Options{Scorer: f.scorer, Input: strings.NewReader(r.Text), InputName: r.File, Bound: true}, func(_ int, l scoring.Lead, err error) error {
		lead, rowErr, found = l, err, true
		return nil
	})
	if err == nil {
		err = rowErr
	}
	if err == nil && !found {
		err = fmt.Errorf("the row holds no lead")
	}
	return lead, err
}

// backtestAcc is a backtest, or, as decoded from another worker, its
// state, taken in on first use.
type backtestAcc struct {
	bt     *backtest.Backtest
	states [][]byte
}

func (f *backtestFn) CreateAccumulator() *backtestAcc { return &backtestAcc{} } // its backtest is made on first use

// load makes the accumulator's backtest, with the states it carries.
func (f *backtestFn) load(a *backtestAcc) (*backtestAcc, error) {
	if a.bt == nil {
		bt, err := f.newBacktest()
		if err != nil {
			return nil, err
		}
		a.bt = bt
	}
	for _, st := range a.states {
		if err := a.bt.MergeState(st); err != nil {
			return nil, err
		}
	}
	a.states = nil
	return a, nil
}

func (f *backtestFn) AddInput(a *backtestAcc, r Row) (*backtestAcc, error) {
	a, err := f.load(a)
	if err != nil {
		return nil, err
	}
	if r.Line == failedRow {
		a.bt.LeadFailed(r.Text) // once per failed row, its id "" when unread
		return a, nil
	}
	lead, err := f.decodeLead(r)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %v", r.File, r.Line, err) // measureLeadFn let it through: cannot happen
	}
	if err := a.bt.Add(lead); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", r.File, r.Line, err)
	}
	return a, nil
}

func (f *backtestFn) MergeAccumulators(a, b *backtestAcc) (*backtestAcc, error) {
	a, err := f.load(a)
	if err != nil {
		return nil, err
	}
	if b, err = f.load(b); err != nil {
		return nil, err
	}
	return a, a.bt.Merge(b.bt)
}

func (f *backtestFn) ExtractOutput(a *backtestAcc) (string, error) {
	a, err := f.load(a)
	if err != nil {
		return "", err
	}
	rep := a.bt.Report()
	// As `leadscore backtest` writes it (cmd/leadscore/backtest.go); the
	// tests compare the two byte for byte.
	return writeReport(rep, f.Format)
}

// report is a report the command line writes in four formats.
type report interface {
	WriteText(io.Writer) error
	WriteMarkdown(io.Writer) error
	WriteCSV(io.Writer) error
	WriteJSON(io.Writer) error
}

// writeReport writes a report as the command line writes it in format.
func writeReport(rep report, format string) (string, error) {
	var b bytes.Buffer
	var err error
	switch format {
	case "markdown":
		err = rep.WriteMarkdown(&b)
	case "csv":
		err = rep.WriteCSV(&b)
	case "json":
		err = rep.WriteJSON(&b)
	default:
		err = rep.WriteText(&b)
	}
	return b.String(), err
}

// The accumulator between workers: its backtest's state and the states
// it has not taken in yet (see encodeStates).
func encodeBacktestAcc(a *backtestAcc) ([]byte, error) {
	if a.bt == nil {
		return encodeStates(nil, a.states)
	}
	return encodeStates(a.bt.State, a.states)
}

func decodeBacktestAcc(data []byte) (*backtestAcc, error) {
	states, err := decodeStates(data)
	return &backtestAcc{states: states}, err
}

// encodeStates writes an accumulator as the list of its states: its own
// (state, when it has begun one) first, then those it has not taken in.
func encodeStates(state func() ([]byte, error), pending [][]byte) ([]byte, error) {
	states := pending
	if state != nil {
		st, err := state()
		if err != nil {
			return nil, err
		}
		states = append([][]byte{st}, states...)
	}
	return json.Marshal(states)
}

// decodeStates reads what encodeStates wrote.
func decodeStates(data []byte) ([][]byte, error) {
	var states [][]byte
	if err := json.Unmarshal(data, &states); err != nil {
		return nil, err
	}
	return states, nil
}

// measureLeadFn reads and measures each row's lead, as the backtest will:
// a row that cannot be read or scored fails here, as a dead letter, and
// the rest go on keyed by lead id.
type measureLeadFn struct {
	Backtest backtestFn
	bt       *backtest.Backtest
}

func (f *measureLeadFn) Setup() error {
	if err := f.Backtest.Setup(); err != nil {
		return err
	}
	var err error
	f.bt, err = f.Backtest.newBacktest()
	return err
}

// failedRow is the Line of a Row that stands for a lead row that failed,
// its Text the lead's id ("" when it could not be read), for the
// backtest's CombineFn (Backtest.LeadFailed).
const failedRow = -1

func (f *measureLeadFn) ProcessElement(ctx context.Context, r Row, good func(string, Row), failed func(Row), dead func(DeadLetter), counts func(Counts)) {
	lead, err := f.Backtest.decodeLead(r)
	if err == nil {
		err = f.bt.Measure(ctx, lead).Err()
	}
	if err != nil {
		failed(Row{Line: failedRow, Text: lead.ID}) // the report counts every failed row
		counts(Counts{Read: 1, Failed: 1})
		dead(DeadLetter{File: r.File, Line: r.Line, LeadID: lead.ID, Error: fmt.Sprintf("%s:%d: %v", r.File, r.Line, err), Row: r.Text})
		return
	}
	good(lead.ID, r)
}

// firstRowFn keeps the first row of each lead, by file (in the order of
// Files, then by name) and line, and fails the others, as the command
// line does.
type firstRowFn struct {
	Files []string
	// MarkFailed sends, beside the first rows, a failedRow for each later
	// one, for a CombineFn that counts them (the backtest's).
	MarkFailed bool
	// Journeys words a later row as attribute --journeys does: a journey
	// id given twice, where the default is a lead's.
	Journeys bool
}

func (f *firstRowFn) ProcessElement(id string, rows func(*Row) bool, first func(Row), dead func(DeadLetter), counts func(Counts)) {
	var all []Row
	var r Row
	for rows(&r) {
		all = append(all, r)
	}
	place := func(file string) int {
		if i := slices.Index(f.Files, file); i >= 0 {
			return i
		}
		return len(f.Files)
	}
	slices.SortFunc(all, func(a, b Row) int {
		if c := place(a.File) - place(b.File); c != 0 {
			return c
		}
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	for i, r := range all {
		if i == 0 {
			counts(Counts{Read: 1, Used: 1})
			first(r)
			continue
		}
		counts(Counts{Read: 1, Failed: 1})
		if f.MarkFailed {
			first(Row{Line: failedRow, Text: id}) // the report counts it, as the command line's does
		}
		msg := fmt.Sprintf("%s:%d: lead %s appears twice; give each lead one row", r.File, r.Line, id)
		if f.Journeys {
			msg = fmt.Sprintf("%s:%d: journey %s was already given on line %d; give each journey one row (the first is kept, this one is left out)", r.File, r.Line, id, all[0].Line)
			if all[0].File != r.File {
				msg = fmt.Sprintf("%s:%d: journey %s was already given at %s:%d; give each journey one row (the first is kept, this one is left out)", r.File, r.Line, id, all[0].File, all[0].Line)
			}
		}
		dead(DeadLetter{File: r.File, Line: r.Line, LeadID: id, Error: msg, Row: r.Text})
	}
}
