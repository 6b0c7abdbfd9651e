package pipelines

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func init() {
	register.DoFn5x0[context.Context, Row, func(Row), func(DeadLetter), func(leadfile.Summary)](&scoreFn{})
	register.Emitter1[DeadLetter]()
	register.Emitter1[leadfile.Summary]()
	register.Combiner3[*summaryAcc, leadfile.Summary, leadfile.Summary](&summaryFn{})
	beam.RegisterCoder(reflect.TypeOf((*summaryAcc)(nil)), encodeSummary, decodeSummary)
	beam.RegisterCoder(reflect.TypeOf(leadfile.Summary{}), encodeSummaryValue, decodeSummaryValue)
	register.DoFn2x1[context.Context, leadfile.Summary, error](&writeJSONFn{})
}

// Scoring is what a scoring pipeline needs: the model, the as-of time and
// the options of `leadscore score` that shape its output.
type Scoring struct {
	Model  Model
	AsOf   time.Time
	Format leadfile.Format // of the results: NDJSON or CSV
	// MaxRow is the longest row scored, in bytes (0: leadfile.DefaultMaxRow).
	MaxRow int
	// StrictData fails the rows that carry data the model does not declare.
	StrictData bool
}

// Scored is what Score gives: a result row for every input row (Row, with
// the result's text and line end, as the command line writes it), the
// rows that failed, and the summary counting all of them.
type Scored struct {
	Results     beam.PCollection // Row: one per input row, failed rows too (with their error)
	DeadLetters beam.PCollection // DeadLetter: the rows that failed
	Summary     beam.PCollection // leadfile.Summary, one: Rows == Scored + Failed
}

// Score scores NDJSON lead rows (as ReadLines gives them) with the model,
// as `leadscore score` does.
func Score(s beam.Scope, cfg Scoring, rows beam.PCollection) Scored {
	s = s.Scope("Score")
	fn := &scoreFn{Model: cfg.Model, AsOf: cfg.AsOf.Format(time.RFC3339Nano), Format: int(cfg.Format), MaxRow: cfg.MaxRow, StrictData: cfg.StrictData}
	out := beam.ParDoN(s, fn, rows)
	return Scored{Results: out[0], DeadLetters: out[1], Summary: beam.Combine(s, &summaryFn{}, out[2])}
}

// Header is the first line of the results: the CSV header, or nothing
// for NDJSON.
func Header(cfg Scoring, m *rules.Model) (string, error) {
	rs, err := leadfile.NewRowScorer(leadfile.Options{Scorer: scoring.New(m), OutputFormat: cfg.Format})
	if err != nil {
		return "", err
	}
	return string(rs.Header()), nil
}

func newRowScorer(m Model, asOf string, format, maxRow int, strict bool) (*leadfile.RowScorer, error) {
	model, err := m.compile()
	if err != nil {
		return nil, fmt.Errorf("compiling the model %s on a worker: %v", m.Name, err)
	}
	at, err := time.Parse(time.RFC3339Nano, asOf)
	if err != nil {
		return nil, err
	}
	var opts []scoring.Option
	if h := model.Holdout; h != nil && !h.Starts.IsZero() {
		// As the command line: who came before the holdout's start is read
		// from created_at (or the first event), which is no unknown data then.
		opts = append(opts, scoring.WithCreatedField(""))
	}
	return leadfile.NewRowScorer(leadfile.Options{Scorer: scoring.New(model, opts...), AsOf: at, OutputFormat: leadfile.Format(format), MaxRow: maxRow, StrictData: strict})
}

type scoreFn struct {
	Model      Model
	AsOf       string
	Format     int
	MaxRow     int
	StrictData bool
	rs         *leadfile.RowScorer
}

func (f *scoreFn) Setup() (err error) {
	f.rs, err = newRowScorer(f.Model, f.AsOf, f.Format, f.MaxRow, f.StrictData)
	return err
}

func (f *scoreFn) ProcessElement(_ context.Context, r Row, results func(Row), dead func(DeadLetter), counts func(leadfile.Summary)) {
	out, sum, rowErr := f.rs.Score(r.Line, []byte(r.Text))
	counts(sum)
	results(Row{File: r.File, Line: r.Line, Text: string(out)})
	if rowErr != nil {
		rowErr.File = r.File
		dead(DeadLetter{File: r.File, Line: r.Line, LeadID: rowErr.LeadID, Error: rowErr.Error(), Row: r.Text})
	}
}

// summaryFn adds up the summaries of single rows with
// leadfile.Summary.Merge, as leadfile.Score adds up its batches'.
type summaryFn struct{}

// summaryAcc is a running summary.
type summaryAcc struct{ sum leadfile.Summary }

func (f *summaryFn) CreateAccumulator() *summaryAcc {
	return &summaryAcc{sum: leadfile.Summary{Stages: map[string]int{}}}
}

func (f *summaryFn) AddInput(a *summaryAcc, one leadfile.Summary) *summaryAcc {
	a.sum.Merge(one)
	return a
}

func (f *summaryFn) MergeAccumulators(a, b *summaryAcc) *summaryAcc {
	a.sum.Merge(b.sum)
	return a
}

func (f *summaryFn) ExtractOutput(a *summaryAcc) leadfile.Summary { return a.sum }

// summaryJSON is a leadfile.Summary as JSON: its unknown data as a list,
// since JSON keys are strings.
type summaryJSON struct {
	Rows, Scored, Failed, SalesReady, Disqualified, UnmatchedEvents int
	Stages                                                          map[string]int
	Unknown                                                         []unknownCount `json:",omitempty"`
}

type unknownCount struct {
	rules.Unknown
	Rows int
}

func summaryToJSON(s leadfile.Summary) summaryJSON {
	out := summaryJSON{Rows: s.Rows, Scored: s.Scored, Failed: s.Failed, SalesReady: s.SalesReady, Disqualified: s.Disqualified,
		UnmatchedEvents: s.UnmatchedEvents, Stages: s.Stages}
	for u, n := range s.Unknown.Rows {
		out.Unknown = append(out.Unknown, unknownCount{u, n})
	}
	return out
}

func (j summaryJSON) summary() leadfile.Summary {
	s := leadfile.Summary{Rows: j.Rows, Scored: j.Scored, Failed: j.Failed, SalesReady: j.SalesReady, Disqualified: j.Disqualified,
		UnmatchedEvents: j.UnmatchedEvents, Stages: j.Stages}
	if s.Stages == nil {
		s.Stages = map[string]int{}
	}
	for _, u := range j.Unknown {
		if s.Unknown.Rows == nil {
			s.Unknown.Rows = map[rules.Unknown]int{}
		}
		s.Unknown.Rows[u.Unknown] += u.Rows
	}
	return s
}

func encodeSummaryValue(s leadfile.Summary) ([]byte, error) { return json.Marshal(summaryToJSON(s)) }

func decodeSummaryValue(data []byte) (leadfile.Summary, error) {
	var j summaryJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return leadfile.Summary{}, err
	}
	return j.summary(), nil
}

func encodeSummary(a *summaryAcc) ([]byte, error) { return encodeSummaryValue(a.sum) }

func decodeSummary(data []byte) (*summaryAcc, error) {
	s, err := decodeSummaryValue(data)
	return &summaryAcc{sum: s}, err
}

// WriteSummary writes the summary to path as JSON (its counts, and its
// unknown data as a list).
func WriteSummary(s beam.Scope, path string, summary beam.PCollection) {
	beam.ParDo0(s.Scope("WriteSummary"), &writeJSONFn{Path: path}, summary)
}

type writeJSONFn struct{ Path string }

func (w *writeJSONFn) ProcessElement(ctx context.Context, s leadfile.Summary) error {
	data, err := json.MarshalIndent(summaryToJSON(s), "", "  ")
	if err != nil {
		return err
	}
	return writeFile(ctx, w.Path, append(data, '\n'))
}

// ReadSummary reads what WriteSummary wrote.
func ReadSummary(data []byte) (leadfile.Summary, error) {
	s, err := decodeSummaryValue(data)
	if err == nil && s.Rows != s.Scored+s.Failed {
		err = errors.New("the summary does not reconcile: rows in != scored + failed")
	}
	return s, err
}
