package pipelines

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func init() {
	register.DoFn7x0[context.Context, Row, func(string, Row), func(string), func(string), func(DeadLetter), func(Counts)](&prepareLeadFn{})
	register.Combiner3[*feedbackAcc, Row, []byte](&feedbackFn{})
	beam.RegisterCoder(reflect.TypeOf((*feedbackAcc)(nil)), encodeFeedbackAcc, decodeFeedbackAcc)
	register.DoFn8x1[[]byte, func(*[]byte) bool, func(*Counts) bool, func(*string) bool, func(*string) bool, func(string), func(DeadLetter), func(Counts), error](&feedbackReportFn{})
	register.Iter1[[]byte]()
	register.Iter1[Counts]()
	register.Iter1[string]()
}

// Feedbacking is what a feedback pipeline needs: the model, sales'
// dispositions, and the options of `leadscore feedback` that shape its
// report.
type Feedbacking struct {
	Model Model
	// Dispositions is the dispositions CSV (as `feedback --dispositions`
	// reads it), carried to the workers; DispositionsName names it in
	// messages and dead letters. Verdicts the leads carry in their JSON
	// count too.
	Dispositions     string
	DispositionsName string
	// Outcomes is the CRM's outcomes CSV, to count recycled leads won
	// later ("" for none); OutcomesName names it.
	Outcomes     string
	OutcomesName string
	At           time.Time
	Format       string // text, markdown, csv or json
	// BandWidth, CampaignField and ChannelField are as feedback.Options
	// has them (0 and "" for the defaults).
	BandWidth                   float64
	CampaignField, ChannelField string
	// Files are the leads files in the order given: a lead in rows of two
	// files keeps the row of the file given first.
	Files []string
}

// Fedback is what Feedback gives.
type Fedback struct {
	Report beam.PCollection // string, one: the report, as the command line writes it
	// DeadLetters are the lead rows that failed and the disposition rows
	// that failed (File is then DispositionsName, and Row empty).
	DeadLetters beam.PCollection
	Counts      beam.PCollection // Counts, one, of the lead rows: Read = Used + Failed
	// Dispositions are the counts of the disposition rows, one:
	// Read = rows used, Used = 0, Failed = rows that failed.
	Dispositions beam.PCollection
	// OutcomeErrors are the outcome rows that could not be read, as
	// file:line: reason; their leads count as not won.
	OutcomeErrors []string
}

// Feedback reports what sales said about the leads the definition handed
// to it, on NDJSON lead rows (as ReadLines gives them), as `leadscore
// feedback` does: each worker works out its leads' hand-offs into a
// feedback.Builder, and the workers' builders merge (Builder.State,
// MergeState) into the report of one pass, byte for byte the command
// line's. The dispositions are read where the pipeline starts (a bad row
// is a dead letter with its line) and carried to every worker: a worker
// holds them, the model and its builder (whose size grows with the leads
// that got a verdict), never the leads it has counted. A lead row that
// cannot be read or scored fails alone; a lead in two rows keeps its first
// (by file and line) and the later rows fail; a disposition of a lead no
// row has fails, as on the command line (without its did-you-mean).
func Feedback(s beam.Scope, cfg Feedbacking, rows beam.PCollection) (Fedback, error) {
	s = s.Scope("Feedback")
	if cfg.Dispositions == "" {
		return Fedback{}, errors.New("give the dispositions: a CSV with lead_id, at, status, reason")
	}
	fn := &feedbackFn{Model: cfg.Model, Dispositions: cfg.Dispositions, DispositionsName: cfg.DispositionsName, Outcomes: cfg.Outcomes, OutcomesName: cfg.OutcomesName,
		At: cfg.At.Format(time.RFC3339Nano), Format: cfg.Format, BandWidth: cfg.BandWidth, CampaignField: cfg.CampaignField, ChannelField: cfg.ChannelField}
	if err := fn.Setup(); err != nil { // a bad model, dispositions file or option stops it here
		return Fedback{}, err
	}
	prepared := beam.ParDoN(s, &prepareLeadFn{Feedback: *fn}, rows)
	first := beam.ParDoN(s, &firstRowFn{Files: cfg.Files}, beam.GroupByKey(s, prepared[0]))
	counts := beam.Combine(s, &countsFn{}, beam.Flatten(s, prepared[4], first[2]))
	state := beam.Combine(s, fn, first[0])
	// The report is written once, on an impulse, with the state as a side
	// input: when every row failed there is no state, and the report says so.
	out := beam.ParDoN(s, &feedbackReportFn{Feedback: *fn}, beam.Impulse(s), beam.SideInput{Input: state}, beam.SideInput{Input: counts}, beam.SideInput{Input: prepared[1]}, beam.SideInput{Input: prepared[2]})
	readErrs := make([]DeadLetter, len(fn.dispositionErrors))
	for i, e := range fn.dispositionErrors {
		readErrs[i] = DeadLetter{File: cfg.DispositionsName, Line: e.Line, Error: fmt.Sprintf("%s:%d: %v", cfg.DispositionsName, e.Line, e.Err)}
	}
	return Fedback{
		Report:        out[0],
		DeadLetters:   beam.Flatten(s, prepared[3], first[1], out[1], beam.CreateList(s, readErrs)),
		Counts:        counts,
		Dispositions:  out[2],
		OutcomeErrors: fn.outcomeErrors,
	}, nil
}

// feedbackFn is the feedback report's builder as a CombineFn, whose
// output is the builder's State; its settings are the pipeline's, as
// text, so that every worker builds the same report.
type feedbackFn struct {
	Model                       Model
	Dispositions                string
	DispositionsName            string
	Outcomes                    string
	OutcomesName                string
	At                          string
	Format                      string
	BandWidth                   float64
	CampaignField, ChannelField string

	scorer            *scoring.Scorer
	set               *feedback.Set
	dispositionCounts feedback.Counts
	dispositionErrors []feedback.RowError
	won               map[string]time.Time
	outcomes          map[string]attribution.Outcome // nil without an outcomes file
	outcomeErrors     []string
	opts              feedback.Options
}

func (f *feedbackFn) Setup() error {
	switch f.Format {
	case "text", "markdown", "csv", "json":
	default:
		return fmt.Errorf("unknown format %q; use text, markdown, csv or json", f.Format)
	}
	m, err := f.Model.compile()
	if err != nil {
		return fmt.Errorf("compiling the model %s: %v", f.Model.Name, err)
	}
	f.scorer = scoring.New(m)
	f.dispositionErrors = nil
	f.set, f.dispositionCounts, err = feedback.ReadDispositions(strings.NewReader(f.Dispositions), m.Handoff, func(line int, err error) {
		f.dispositionErrors = append(f.dispositionErrors, feedback.RowError{Line: line, Err: err})
	})
	if err != nil {
		return fmt.Errorf("%s: %v", f.DispositionsName, err)
	}
	f.won, f.outcomeErrors = map[string]time.Time{}, nil
	if f.Outcomes != "" {
		outcomes, _, err := attribution.ReadOutcomes(strings.NewReader(f.Outcomes), func(line int, err error) {
			f.outcomeErrors = append(f.outcomeErrors, fmt.Sprintf("%s:%d: %v", f.OutcomesName, line, err))
		})
		if err != nil {
			return fmt.Errorf("%s: %v", f.OutcomesName, err)
		}
		for id, o := range outcomes {
			f.won[id] = o.Won
		}
		f.outcomes = outcomes
	}
	at, err := time.Parse(time.RFC3339Nano, f.At)
	if err != nil {
		return fmt.Errorf("the as-of time: %v", err)
	}
	f.opts = feedback.Options{AsOf: at, BandWidth: f.BandWidth, CampaignField: f.CampaignField, ChannelField: f.ChannelField}
	return nil
}

func (f *feedbackFn) newBuilder() *feedback.Builder { return feedback.NewBuilder(f.scorer, f.opts) }

// decodeLead reads the lead of one row as the command line reads it, with
// its dispositions from the file after those it carries.
func (f *feedbackFn) decodeLead(r Row) (scoring.Lead, error) {
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
	if err == nil {
		lead.Dispositions = append(lead.Dispositions, f.set.For(lead.ID)...)
	}
	return lead, err
}

// feedbackAcc is a builder, or, as decoded from another worker, its
// states, taken in on first use.
type feedbackAcc struct {
	b      *feedback.Builder
	states [][]byte
}

func (f *feedbackFn) CreateAccumulator() *feedbackAcc { return &feedbackAcc{} }

func (f *feedbackFn) load(a *feedbackAcc) (*feedbackAcc, error) {
	if a.b == nil {
		a.b = f.newBuilder()
	}
	for _, st := range a.states {
		if err := a.b.MergeState(st); err != nil {
			return nil, err
		}
	}
	a.states = nil
	return a, nil
}

func (f *feedbackFn) AddInput(a *feedbackAcc, r Row) (*feedbackAcc, error) {
	a, err := f.load(a)
	if err != nil {
		return nil, err
	}
	lead, err := f.decodeLead(r)
	if err == nil {
		err = a.b.Add(lead, f.won[lead.ID])
	}
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %v", r.File, r.Line, err) // prepareLeadFn let it through: cannot happen
	}
	return a, nil
}

func (f *feedbackFn) MergeAccumulators(a, b *feedbackAcc) (*feedbackAcc, error) {
	a, err := f.load(a)
	if err != nil {
		return nil, err
	}
	if b, err = f.load(b); err != nil {
		return nil, err
	}
	return a, a.b.Merge(b.b)
}

func (f *feedbackFn) ExtractOutput(a *feedbackAcc) ([]byte, error) {
	a, err := f.load(a)
	if err != nil {
		return nil, err
	}
	return a.b.State()
}

// The accumulator between workers: its builder's state and the states it
// has not taken in yet (see encodeStates).
func encodeFeedbackAcc(a *feedbackAcc) ([]byte, error) {
	if a.b == nil {
		return encodeStates(nil, a.states)
	}
	return encodeStates(a.b.State, a.states)
}

func decodeFeedbackAcc(data []byte) (*feedbackAcc, error) {
	states, err := decodeStates(data)
	return &feedbackAcc{states: states}, err
}

// prepareLeadFn reads each row's lead and works out its hand-off, as the
// report will: a row that cannot be read or scored fails here, as a dead
// letter, and the rest go on keyed by lead id. A lead read that has
// dispositions in the file is named, so that they are matched.
type prepareLeadFn struct {
	Feedback feedbackFn
	b        *feedback.Builder
}

func (f *prepareLeadFn) Setup() error {
	if err := f.Feedback.Setup(); err != nil {
		return err
	}
	f.b = f.Feedback.newBuilder()
	return nil
}

func (f *prepareLeadFn) ProcessElement(_ context.Context, r Row, good func(string, Row), matched func(string), hadOutcome func(string), dead func(DeadLetter), counts func(Counts)) {
	lead, err := f.Feedback.decodeLead(r)
	if _, ok := f.Feedback.outcomes[lead.ID]; ok && lead.ID != "" {
		hadOutcome(lead.ID) // a row of the lead was read, scored or not
	}
	if err == nil {
		if len(f.Feedback.set.For(lead.ID)) > 0 {
			matched(lead.ID)
		}
		_, err = f.b.Prepare(lead, f.Feedback.won[lead.ID])
	}
	if err != nil {
		if se, ok := err.(*scoring.Error); ok {
			err = se.Err // the row error names the lead already
		}
		counts(Counts{Read: 1, Failed: 1})
		dead(DeadLetter{File: r.File, Line: r.Line, LeadID: lead.ID, Error: leadfile.RowError{File: r.File, Line: r.Line, LeadID: lead.ID, Err: err}.Error(), Row: r.Text})
		return
	}
	good(lead.ID, r)
}

// feedbackReportFn writes the report of the combined state, with the
// warnings of the rows that failed: the lead rows (counts) and the
// disposition rows, those that could not be read and those of leads no
// row had (matched names the leads rows had).
type feedbackReportFn struct {
	Feedback feedbackFn
}

func (f *feedbackReportFn) ProcessElement(_ []byte, states func(*[]byte) bool, counts func(*Counts) bool, matched func(*string) bool, hadOutcome func(*string) bool, report func(string), dead func(DeadLetter), dispositions func(Counts)) error {
	// Set up for each element (there is one): Unmatched takes the
	// unmatched dispositions out of the set.
	if err := f.Feedback.Setup(); err != nil {
		return err
	}
	b := f.Feedback.newBuilder()
	var state []byte
	for states(&state) {
		if err := b.MergeState(state); err != nil {
			return err
		}
	}
	var leads Counts
	var c Counts
	for counts(&c) {
		leads.Read, leads.Used, leads.Failed = leads.Read+c.Read, leads.Used+c.Used, leads.Failed+c.Failed
	}
	seen := map[string]bool{}
	var id string
	for matched(&id) {
		seen[id] = true
	}
	dn := f.Feedback.dispositionCounts
	name := f.Feedback.DispositionsName
	for _, e := range f.Feedback.set.Unmatched(func(id string) bool { return seen[id] }, nil) {
		dead(DeadLetter{File: name, Line: e.Line, Error: fmt.Sprintf("%s:%d: %v", name, e.Line, e.Err)})
		dn.Read--
		dn.Failed++
	}
	// The outcome rows that name no lead the rows had, as the command
	// line names them.
	withOutcome := map[string]bool{}
	for hadOutcome(&id) {
		withOutcome[id] = true
	}
	var unmatched []attribution.UnmatchedOutcome
	if f.Feedback.outcomes != nil {
		unmatched = attribution.UnmatchedOutcomes(f.Feedback.outcomes, func(id string) bool { return withOutcome[id] }, nil, "lead")
	}
	oname := f.Feedback.OutcomesName
	for _, u := range unmatched {
		dead(DeadLetter{File: oname, Line: u.Line, LeadID: u.ID, Error: fmt.Sprintf("%s:%d: %v", oname, u.Line, u.Err)})
	}
	rep := b.Report()
	rep.Warnings = append(rep.Warnings, feedback.FailedRows(dn, feedback.Counts{Rows: leads.Read, Failed: leads.Failed})...)
	if note := attribution.UnmatchedSummary(unmatched, oname); note != "" {
		rep.Warnings = append(rep.Warnings, note)
	}
	out, err := writeReport(rep, f.Feedback.Format)
	if err != nil {
		return err
	}
	report(out)
	dispositions(Counts{Read: dn.Read, Failed: dn.Failed})
	return nil
}
