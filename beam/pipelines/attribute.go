package pipelines

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/leadscore/leadscore/attribution"
)

func init() {
	register.DoFn5x0[context.Context, Row, func(string, Row), func(DeadLetter), func(Counts)](&parseJourneyFn{})
	register.DoFn5x0[context.Context, Row, func(Row), func(DeadLetter), func(Counts)](&parsePathFn{})
	register.Emitter1[Counts]()
	register.Combiner3[*reportAcc, Row, string](&reportFn{})
	register.Combiner3[*pathsAcc, Row, string](&pathsFn{})
	register.Combiner1[Counts](&countsFn{})
	beam.RegisterCoder(reflect.TypeOf((*reportAcc)(nil)), encodeReportAcc, decodeReportAcc)
	beam.RegisterCoder(reflect.TypeOf((*pathsAcc)(nil)), encodePathsAcc, decodePathsAcc)
	register.DoFn2x1[context.Context, string, error](&writeTextFn{})
	register.DoFn2x1[context.Context, Counts, error](&writeCountsFn{})
}

// Counts reconcile the rows of an attribution: Read = Used + Failed.
type Counts struct {
	Read, Used, Failed int
}

// Attribution is what an attribution of journeys needs: the flags of
// `leadscore attribute --journeys` that shape the report.
type Attribution struct {
	// Models are the models, as --models names them: rule-based ones, and
	// markov:K and shapley, which credit channels on the journeys' paths.
	Models     []string
	Conversion string // the conversion milestone; "" is won
	Lookback   time.Duration
	Costs      attribution.Costs
	Format     string // table, markdown, csv or json
}

// Attributed is what AttributeJourneys and AttributePaths give.
type Attributed struct {
	Report      beam.PCollection // string, one: the report, as the command line writes it
	DeadLetters beam.PCollection // DeadLetter: the rows that failed
	Counts      beam.PCollection // Counts, one
}

// AttributeJourneys credits campaigns and channels with the journeys in
// NDJSON rows (as ReadLines gives them), as `leadscore attribute
// --journeys` does: the report is an attribution.Report combined from the
// workers' with Report.Merge, exact to the bit, and, for markov and
// shapley, the journeys' paths combined with Paths.Merge.
func AttributeJourneys(s beam.Scope, cfg Attribution, rows beam.PCollection) (Attributed, error) {
	s = s.Scope("AttributeJourneys")
	fn := &reportFn{Models: cfg.Models, Conversion: cfg.Conversion, Lookback: int64(cfg.Lookback), Costs: cfg.Costs, Format: cfg.Format}
	if err := fn.Setup(); err != nil {
		return Attributed{}, err
	}
	out := beam.ParDoN(s, &parseJourneyFn{}, rows)
	// A journey id given twice: the first row stands and the later fail,
	// as the command line's reader fails them.
	first := beam.ParDoN(s, &firstRowFn{Journeys: true}, beam.GroupByKey(s, out[0]))
	return Attributed{Report: beam.Combine(s, fn, first[0]), DeadLetters: beam.Flatten(s, out[1], first[1]), Counts: beam.Combine(s, &countsFn{}, beam.Flatten(s, out[2], first[2]))}, nil
}

type parseJourneyFn struct{}

// ProcessElement sends a journey by its id, to be checked for a repeat
// (the reader refuses one without an id).
func (*parseJourneyFn) ProcessElement(_ context.Context, r Row, keyed func(string, Row), dead func(DeadLetter), counts func(Counts)) {
	j, err := decodeJourney(r)
	if err != nil {
		n := attribution.RowsLost(err)
		counts(Counts{Read: n, Failed: n})
		dead(DeadLetter{File: r.File, Line: r.Line, Error: fmt.Sprintf("%s:%d: %v", r.File, r.Line, err), Row: r.Text})
		return
	}
	keyed(j.ID, r) // counted by firstRowFn
}

// decodeJourney reads a journey from its row with the command line's reader.
func decodeJourney(r Row) (*attribution.Journey, error) {
	var j *attribution.Journey
	var derr error
	err := attribution.ReadNDJSON(strings.NewReader(lineOf(r)), func(_ int, got *attribution.Journey, err error) error {
		j, derr = got, err
		return nil
	})
	if err == nil {
		err = derr
	}
	return j, err
}

// reportFn is the attribution report as a CombineFn.
type reportFn struct {
	Models     []string
	Conversion string
	Lookback   int64
	Costs      map[string]float64
	Format     string

	ruleBased  []attribution.Model
	dataDriven []string
	opts       attribution.Options
}

// reportAcc is a report and the paths of its journeys, or, as decoded
// from another worker, their state, turned into them on first use.
type reportAcc struct {
	rep     *attribution.Report
	paths   *attribution.Paths
	pending []*attribution.Journey // for paths, in batches
	opts    attribution.Options

	state, pathsState []byte
}

func (f *reportFn) Setup() error {
	f.ruleBased, f.dataDriven = nil, nil
	if f.Conversion != "" {
		if err := attribution.CheckConversion(f.Conversion); err != nil {
			return fmt.Errorf("conversion: %v", err) // before the pipeline runs: AttributeJourneys calls Setup
		}
	}
	for _, spec := range f.Models {
		if spec == "shapley" || strings.HasPrefix(spec, "markov:") {
			f.dataDriven = append(f.dataDriven, spec)
			continue
		}
		m, err := attribution.ParseModel(spec)
		if err != nil {
			return fmt.Errorf("models: %v", err)
		}
		f.ruleBased = append(f.ruleBased, m)
	}
	if len(f.ruleBased) == 0 {
		f.ruleBased = []attribution.Model{attribution.LinearModel{}} // as the command line: the campaign report needs one
	}
	switch f.Format {
	case "table", "markdown", "csv", "json":
	default:
		return fmt.Errorf("unknown format %q; use table, markdown, csv or json", f.Format)
	}
	f.opts = attribution.Options{Conversion: f.Conversion, Lookback: time.Duration(f.Lookback)}
	if f.opts.Conversion == "" {
		f.opts.Conversion = attribution.Won
	}
	return nil
}

func (f *reportFn) CreateAccumulator() *reportAcc { return f.ready(&reportAcc{}) }

// ready makes the report and paths of an accumulator, from its state when
// it came from another worker.
func (f *reportFn) ready(a *reportAcc) *reportAcc {
	if a.rep == nil {
		a.rep, a.paths, a.opts = attribution.NewReport(f.ruleBased, f.opts, f.Costs), attribution.NewPaths(), f.opts
	}
	return a
}

func (f *reportFn) load(a *reportAcc) (*reportAcc, error) {
	f.ready(a)
	if a.state != nil {
		if err := a.rep.MergeState(a.state); err != nil {
			return nil, err
		}
		a.state = nil
	}
	if a.pathsState != nil {
		p := attribution.NewPaths()
		if err := p.UnmarshalBinary(a.pathsState); err != nil {
			return nil, err
		}
		if err := a.paths.Merge(p); err != nil {
			return nil, err
		}
		a.pathsState = nil
	}
	return a, f.flush(a)
}

// flush adds the pending journeys' paths.
func (f *reportFn) flush(a *reportAcc) error {
	if len(a.pending) == 0 {
		return nil
	}
	p, err := attribution.PathsOf(a.pending, f.opts)
	a.pending = nil
	if err != nil {
		return err
	}
	return a.paths.Merge(p)
}

func (f *reportFn) AddInput(a *reportAcc, r Row) (*reportAcc, error) {
	a, err := f.load(a)
	if err != nil {
		return nil, err
	}
	j, err := decodeJourney(r)
	if err != nil {
		return nil, err // parseJourneyFn let it through: cannot happen
	}
	a.rep.Add(j)
	if len(f.dataDriven) > 0 {
		if a.pending = append(a.pending, j); len(a.pending) == 4096 {
			err = f.flush(a)
		}
	}
	return a, err
}

func (f *reportFn) MergeAccumulators(a, b *reportAcc) (*reportAcc, error) {
	a, err := f.load(a)
	if err != nil {
		return nil, err
	}
	if b, err = f.load(b); err != nil {
		return nil, err
	}
	if err := a.rep.Merge(b.rep); err != nil {
		return nil, err
	}
	return a, a.paths.Merge(b.paths)
}

func (f *reportFn) ExtractOutput(a *reportAcc) (string, error) {
	a, err := f.load(a)
	if err != nil {
		return "", err
	}
	rep := a.rep
	if err := attribution.CheckConversionReached(f.opts.Conversion, rep); err != nil {
		return "", fmt.Errorf("conversion: %v", err) // as the command line refuses it
	}
	if len(f.Models) > 0 && len(f.dataDriven) == len(f.Models) { // as the command line says it, first
		rep.Warnings = append([]string{attribution.OnlyDataDrivenNote("--models", f.dataDriven)}, rep.Warnings...)
	}
	rep.Finish()
	var channels *attribution.ChannelReport
	if len(f.dataDriven) > 0 {
		if channels, err = attribution.RunPaths(a.paths, f.dataDriven, 0); err != nil {
			return "", fmt.Errorf("models: %v", err)
		}
		channels.NoteUncredited(rep) // as the CLI does: a note in every format
	}
	// As `leadscore attribute` writes it (cmd/leadscore/attribute.go); the
	// tests compare the two byte for byte.
	var b bytes.Buffer
	switch f.Format {
	case "markdown":
		err = rep.WriteMarkdown(&b)
		if err == nil && channels != nil {
			err = channels.WriteMarkdown(&b)
		}
	case "csv":
		err = rep.WriteCSV(&b)
		if err == nil && channels != nil {
			b.WriteString("\n")
			err = channels.WriteCSV(&b)
		}
	case "json":
		err = json.NewEncoder(&b).Encode(struct {
			*attribution.Report
			DataDriven *attribution.ChannelReport `json:"data_driven,omitempty"`
		}{rep, channels})
	default:
		err = rep.WriteText(&b)
		if err == nil && channels != nil {
			err = channels.WriteText(&b)
		}
	}
	return b.String(), err
}

// reportAccJSON is how a reportAcc crosses workers: the report's State
// and the paths' MarshalBinary, both exact.
type reportAccJSON struct {
	State []byte `json:"state"`
	Paths []byte `json:"paths"`
}

func encodeReportAcc(a *reportAcc) ([]byte, error) {
	if a.rep == nil { // never made ready: still as decoded
		return json.Marshal(reportAccJSON{a.state, a.pathsState})
	}
	if len(a.pending) > 0 {
		p, err := attribution.PathsOf(a.pending, a.opts)
		if err != nil {
			return nil, err
		}
		if err := a.paths.Merge(p); err != nil {
			return nil, err
		}
		a.pending = nil
	}
	state, err := a.rep.State()
	if err != nil {
		return nil, err
	}
	paths, err := a.paths.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return json.Marshal(reportAccJSON{state, paths})
}

func decodeReportAcc(data []byte) (*reportAcc, error) {
	var j reportAccJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, err
	}
	return &reportAcc{state: j.State, pathsState: j.Paths}, nil
}

// AttributePaths credits channels with aggregated paths
// (path;total_conversions;total_conversion_value;total_null rows, as
// ReadLines gives them) under the models, as `leadscore attribute --paths`
// does: the paths are an attribution.Paths combined with Paths.Merge.
func AttributePaths(s beam.Scope, models []string, format string, rows beam.PCollection) (Attributed, error) {
	s = s.Scope("AttributePaths")
	switch format {
	case "table", "markdown", "csv", "json":
	default:
		return Attributed{}, fmt.Errorf("unknown format %q; use table, markdown, csv or json", format)
	}
	out := beam.ParDoN(s, &parsePathFn{}, rows)
	return Attributed{Report: beam.Combine(s, &pathsFn{Models: models, Format: format}, out[0]), DeadLetters: out[1], Counts: beam.Combine(s, &countsFn{}, out[2])}, nil
}

const pathsHeader = "path;total_conversions;total_conversion_value;total_null\n"

type parsePathFn struct{}

func (*parsePathFn) ProcessElement(_ context.Context, r Row, good func(Row), dead func(DeadLetter), counts func(Counts)) {
	text := lineOf(r)
	if r.Line == 1 && strings.HasPrefix(text, "path") {
		return // the header
	}
	var bad error
	_, _, _, err := attribution.ReadPaths(strings.NewReader(pathsHeader+text), func(_ int, err error) { bad = err })
	if err == nil {
		err = bad
	}
	if err != nil {
		counts(Counts{Read: 1, Failed: 1})
		dead(DeadLetter{File: r.File, Line: r.Line, Error: fmt.Sprintf("%s:%d: %v", r.File, r.Line, err), Row: r.Text})
		return
	}
	counts(Counts{Read: 1, Used: 1})
	good(Row{File: r.File, Line: r.Line, Text: text})
}

// pathsFn is aggregated paths as a CombineFn; its output is the channel
// report.
type pathsFn struct {
	Models []string
	Format string
}

// pathsAcc is paths, with lines not yet parsed.
type pathsAcc struct {
	paths   *attribution.Paths
	pending []string
}

func (f *pathsFn) CreateAccumulator() *pathsAcc { return &pathsAcc{paths: attribution.NewPaths()} }

func (a *pathsAcc) flush() error {
	if len(a.pending) == 0 {
		return nil
	}
	p, _, _, err := attribution.ReadPaths(strings.NewReader(pathsHeader+strings.Join(a.pending, "\n")), func(int, error) {})
	a.pending = nil
	if err != nil {
		return err
	}
	return a.paths.Merge(p)
}

func (f *pathsFn) AddInput(a *pathsAcc, r Row) (*pathsAcc, error) {
	if a.pending = append(a.pending, r.Text); len(a.pending) == 4096 {
		return a, a.flush()
	}
	return a, nil
}

func (f *pathsFn) MergeAccumulators(a, b *pathsAcc) (*pathsAcc, error) {
	if err := b.flush(); err != nil {
		return nil, err
	}
	return a, a.paths.Merge(b.paths)
}

func (f *pathsFn) ExtractOutput(a *pathsAcc) (string, error) {
	if err := a.flush(); err != nil {
		return "", err
	}
	rep, err := attribution.RunPaths(a.paths, f.Models, 0)
	if err != nil {
		return "", fmt.Errorf("models: %v", err)
	}
	return writeReport(rep, f.Format)
}

func encodePathsAcc(a *pathsAcc) ([]byte, error) {
	if err := a.flush(); err != nil {
		return nil, err
	}
	return a.paths.MarshalBinary()
}

func decodePathsAcc(data []byte) (*pathsAcc, error) {
	a := &pathsAcc{paths: attribution.NewPaths()}
	return a, a.paths.UnmarshalBinary(data)
}

// countsFn adds up Counts.
type countsFn struct{}

func (countsFn) MergeAccumulators(a, b Counts) Counts {
	return Counts{Read: a.Read + b.Read, Used: a.Used + b.Used, Failed: a.Failed + b.Failed}
}

// WriteText writes the one string in col (a report) to path.
func WriteText(s beam.Scope, path string, col beam.PCollection) {
	beam.ParDo0(s.Scope("WriteText"), &writeTextFn{Path: path}, col)
}

type writeTextFn struct{ Path string }

func (w *writeTextFn) ProcessElement(ctx context.Context, text string) error {
	return writeFile(ctx, w.Path, []byte(text))
}

// WriteCounts writes the counts to path as JSON.
func WriteCounts(s beam.Scope, path string, col beam.PCollection) {
	beam.ParDo0(s.Scope("WriteCounts"), &writeCountsFn{Path: path}, col)
}

type writeCountsFn struct{ Path string }

func (w *writeCountsFn) ProcessElement(ctx context.Context, c Counts) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return writeFile(ctx, w.Path, append(data, '\n'))
}

// WriteDeadLetters writes the dead letters to path, one JSON object a
// line, in the order of their files and lines.
func WriteDeadLetters(s beam.Scope, path string, files []string, dead beam.PCollection) {
	s = s.Scope("WriteDeadLetters")
	WriteOrdered(s, path, "", files, beam.ParDo(s, deadLetterRow, dead))
}

func deadLetterRow(d DeadLetter) (Row, error) {
	data, err := json.Marshal(d)
	return Row{File: d.File, Line: d.Line, Text: string(data) + "\n"}, err
}

func init() { register.Function1x2(deadLetterRow) }
