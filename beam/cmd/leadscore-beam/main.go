// Command leadscore-beam runs leadscore's scoring, attribution, backtest
// and feedback as Apache Beam pipelines: on this machine with Prism (the default), or on
// Dataflow, Flink or Spark with Beam's --runner and its flags. Its outputs
// are those of leadscore score, attribute, backtest and feedback, byte for
// byte.
//
//	leadscore-beam score --model testdata/b2b-saas.yaml --at 2026-10-01 --output scores.ndjson --dead-letters bad.ndjson testdata/leads.ndjson
//	leadscore-beam attribute --journeys --costs testdata/costs.csv --output report.txt --dead-letters bad.ndjson testdata/journeys.ndjson
//	leadscore-beam attribute --paths --models markov:2,shapley --output report.txt --dead-letters bad.ndjson testdata/paths/PathData.csv
//	leadscore-beam backtest --model testdata/b2b-saas.yaml --outcomes testdata/backtest/outcomes.csv --at 2026-07-01 --capacity 40/week --output report.txt --dead-letters bad.ndjson testdata/backtest/leads.ndjson
//	leadscore-beam feedback --model testdata/b2b-saas.yaml --dispositions testdata/dispositions.csv --at 2026-10-01 --output report.txt --dead-letters bad.ndjson testdata/leads.ndjson
//
// Inputs and outputs go through Beam's file systems: local paths, or gs://
// on Dataflow. The rule file is read here and carried to the workers.
// Exit status: 0 every row used, 1 some rows failed (dead letters), 2 the
// pipeline could not run.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/beam/pipelines"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

var (
	output        = flag.String("output", "", "where the results (score) or the report (attribute, backtest) go")
	deadLetters   = flag.String("dead-letters", "", "where the rows that failed go, one JSON object a line: file, line, lead_id, error, row")
	countsOut     = flag.String("counts", "", "where the counts go, as JSON (default: beside --output, with .counts.json)")
	model         = flag.String("model", "", "score, backtest, feedback: the rule file (read here, with its includes, and carried to the workers)")
	at            = flag.String("at", "", "score: score as of this time (RFC 3339 or a date); default: now; backtest: the snapshot T0 (required); feedback: the report as of this time (default: now)")
	format        = flag.String("format", "", "score: ndjson or csv (default ndjson); attribute, backtest: table, markdown, csv or json (default table); feedback: text, markdown, csv or json (default text)")
	outcomes      = flag.String("outcomes", "", "backtest: the CRM's outcomes (CSV, as leadscore backtest --outcomes reads it; read here and carried to the workers); feedback: the same, to count recycled leads won later")
	dispositions  = flag.String("dispositions", "", "feedback: sales' dispositions (CSV with lead_id, at, status, reason; read here and carried to the workers)")
	bandWidth     = flag.Float64("band-width", 0, "feedback: the width of the score bands (default: as leadscore feedback)")
	campaignField = flag.String("campaign-field", "campaign", "feedback: the event field that names a touch's campaign")
	channelField  = flag.String("channel-field", "channel", "feedback: the event field that names a touch's channel")
	until         = flag.String("until", "", "backtest: the end of the outcome window T1 (default: no end)")
	capacity      = flag.String("capacity", "", "backtest: leads sales can work, such as 40/week, for the capacity section")
	maxRow        = flag.Int("max-row", 0, "score: the longest row scored, in bytes (default 4 MiB)")
	strictData    = flag.Bool("strict-data", false, "score: fail the rows that carry data the model does not declare")
	journeys      = flag.Bool("journeys", false, "attribute: the inputs are journeys (NDJSON)")
	paths         = flag.Bool("paths", false, "attribute: the inputs are aggregated paths (path;total_conversions;total_conversion_value;total_null)")
	costsFile     = flag.String("costs", "", "attribute --journeys: campaign costs (CSV with campaign and cost)")
	models        = flag.String("models", "", "attribute: the models, as leadscore attribute takes them (default: as leadscore attribute)")
	lookback      = flag.String("lookback", "", "attribute --journeys: ignore touches longer than this before the conversion (such as 90d)")
	conversion    = flag.String("conversion", "won", "attribute --journeys: the milestone that counts as the conversion")
)

func main() {
	// The command comes first; Beam starts workers from this binary with
	// flags only, so the command is taken off before flags are parsed.
	cmd := ""
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		cmd, os.Args = os.Args[1], append(os.Args[:1:1], os.Args[2:]...)
	}
	flag.Parse()
	beam.Init() // on a worker, this runs the worker and does not return
	os.Exit(run(context.Background(), cmd, flag.Args(), os.Stderr))
}

func run(ctx context.Context, cmd string, files []string, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore-beam: "+format+"\n", a...)
		return 2
	}
	if cmd != "score" && cmd != "attribute" && cmd != "backtest" && cmd != "feedback" {
		return fail("name the pipeline: leadscore-beam score [flags] FILE..., leadscore-beam attribute --journeys|--paths [flags] FILE..., leadscore-beam backtest --model M --outcomes O --at T0 [flags] FILE..., or leadscore-beam feedback --model M --dispositions D [flags] FILE...")
	}
	if len(files) == 0 || *output == "" || *deadLetters == "" {
		return fail("give --output, --dead-letters and at least one input file")
	}
	counts := *countsOut
	if counts == "" {
		counts = *output + ".counts.json"
	}
	p, s := beam.NewPipelineWithRoot()
	rows := pipelines.ReadLines(s, beam.CreateList(s, files))
	var report func() (int, error)
	countsReport := func() (int, error) {
		var n pipelines.Counts
		data, err := readAll(ctx, counts)
		if err == nil {
			err = json.Unmarshal(data, &n)
		}
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(stderr, "%d rows read: %d used, %d failed\n", n.Read, n.Used, n.Failed)
		return n.Failed, nil
	}
	if cmd == "backtest" {
		m, _, err := pipelines.LoadModel(*model)
		if *model == "" || err != nil {
			return fail("--model: %v", orMissing(err, "the rule file to backtest"))
		}
		if *outcomes == "" || *at == "" {
			return fail("give --outcomes, the CRM's outcomes, and --at, the snapshot T0")
		}
		data, err := readAll(ctx, *outcomes)
		if err != nil {
			return fail("--outcomes: %v", err)
		}
		cfg := pipelines.Backtesting{Model: m, Outcomes: string(data), OutcomesName: *outcomes, Capacity: *capacity, Format: orDefault(*format, "table"), Files: files}
		if cfg.At, err = dsl.ParseTime(*at); err != nil {
			return fail("--at: %v", err)
		}
		if *until != "" {
			if cfg.Until, err = dsl.ParseTime(*until); err != nil {
				return fail("--until: %v", err)
			}
		}
		b, err := pipelines.Backtest(s, cfg, rows)
		if err != nil {
			return fail("%v", err)
		}
		pipelines.WriteText(s, *output, b.Report)
		pipelines.WriteDeadLetters(s, *deadLetters, files, b.DeadLetters)
		pipelines.WriteCounts(s, counts, b.Counts)
		for _, e := range b.OutcomeErrors {
			fmt.Fprintln(stderr, e)
		}
		report = func() (int, error) {
			failed, err := countsReport()
			if n := len(b.OutcomeErrors); n > 0 && err == nil {
				fmt.Fprintf(stderr, "%s: %d outcome rows failed; a failed row is left out (its lead keeps the outcome of an earlier row of it that was read, and otherwise counts as having none: not won); fix the rows and run again\n", *outcomes, n)
				failed += n
			}
			return failed, err
		}
	} else if cmd == "feedback" {
		m, _, err := pipelines.LoadModel(*model)
		if *model == "" || err != nil {
			return fail("--model: %v", orMissing(err, "the rule file whose hand-off sales judged"))
		}
		if *dispositions == "" {
			return fail("give --dispositions, sales' verdicts (a CSV with lead_id, at, status, reason)")
		}
		data, err := readAll(ctx, *dispositions)
		if err != nil {
			return fail("--dispositions: %v", err)
		}
		cfg := pipelines.Feedbacking{Model: m, Dispositions: string(data), DispositionsName: *dispositions, Format: orDefault(*format, "text"),
			BandWidth: *bandWidth, CampaignField: *campaignField, ChannelField: *channelField, Files: files, At: time.Now().UTC().Truncate(time.Second)}
		if *at != "" {
			if cfg.At, err = dsl.ParseTime(*at); err != nil {
				return fail("--at: %v", err)
			}
		}
		if *outcomes != "" {
			data, err := readAll(ctx, *outcomes)
			if err != nil {
				return fail("--outcomes: %v", err)
			}
			cfg.Outcomes, cfg.OutcomesName = string(data), *outcomes
		}
		f, err := pipelines.Feedback(s, cfg, rows)
		if err != nil {
			return fail("%v", err)
		}
		dispCounts := strings.TrimSuffix(counts, ".json") + ".dispositions.json"
		pipelines.WriteText(s, *output, f.Report)
		pipelines.WriteDeadLetters(s, *deadLetters, append(files, *dispositions), f.DeadLetters)
		pipelines.WriteCounts(s, counts, f.Counts)
		pipelines.WriteCounts(s, dispCounts, f.Dispositions)
		for _, e := range f.OutcomeErrors {
			fmt.Fprintln(stderr, e)
		}
		report = func() (int, error) {
			failed, err := countsReport()
			if err != nil {
				return failed, err
			}
			var n pipelines.Counts
			data, err := readAll(ctx, dispCounts)
			if err == nil {
				err = json.Unmarshal(data, &n)
			}
			if err != nil {
				return failed, err
			}
			fmt.Fprintf(stderr, "%d disposition rows: %d used, %d failed\n", n.Read+n.Failed, n.Read, n.Failed)
			if k := len(f.OutcomeErrors); k > 0 {
				fmt.Fprintf(stderr, "%s: %d outcome rows failed; a failed row is left out (its lead keeps the outcome of an earlier row of it that was read, and otherwise counts as having none: not won); fix the rows and run again\n", *outcomes, k)
				failed += k
			}
			return failed + n.Failed, nil
		}
	} else if cmd == "score" {
		m, compiled, err := pipelines.LoadModel(*model)
		if *model == "" || err != nil {
			return fail("--model: %v", orMissing(err, "the rule file to score with"))
		}
		cfg := pipelines.Scoring{Model: m, AsOf: time.Now().UTC().Truncate(time.Second), MaxRow: *maxRow, StrictData: *strictData}
		if *at != "" {
			if cfg.AsOf, err = dsl.ParseTime(*at); err != nil {
				return fail("--at: %v", err)
			}
		}
		if *format != "" {
			if cfg.Format, err = leadfile.ParseFormat(*format); err != nil {
				return fail("--format: %v", err)
			}
		}
		header, err := pipelines.Header(cfg, compiled)
		if err != nil {
			return fail("%v", err)
		}
		scored := pipelines.Score(s, cfg, rows)
		pipelines.WriteOrdered(s, *output, header, files, scored.Results)
		pipelines.WriteDeadLetters(s, *deadLetters, files, scored.DeadLetters)
		pipelines.WriteSummary(s, counts, scored.Summary)
		report = func() (int, error) {
			data, err := readAll(ctx, counts)
			if err != nil {
				return 0, err
			}
			sum, err := pipelines.ReadSummary(data)
			rows := "rows"
			if sum.Rows == 1 {
				rows = "row"
			}
			fmt.Fprintf(stderr, "%d %s in: %d scored, %d failed (as of %s); %d sales-ready, %d disqualified\n",
				sum.Rows, rows, sum.Scored, sum.Failed, cfg.AsOf.Format(time.RFC3339), sum.SalesReady, sum.Disqualified)
			return sum.Failed, err
		}
	} else {
		if *journeys == *paths {
			return fail("give one of --journeys or --paths")
		}
		f := *format
		if f == "" {
			f = "table"
		}
		var a pipelines.Attributed
		var err error
		if *paths {
			var specs []string
			if specs, err = attribution.SplitModels(orDefault(*models, attribution.DefaultPathModels)); err != nil {
				return fail("%v", err)
			}
			a, err = pipelines.AttributePaths(s, specs, f, rows)
		} else {
			var specs []string
			if specs, err = attribution.SplitModels(orDefault(*models, attribution.DefaultJourneyModels)); err != nil {
				return fail("%v", err)
			}
			cfg := pipelines.Attribution{Models: specs, Conversion: *conversion, Format: f, Costs: attribution.Costs{}}
			if *lookback != "" {
				if cfg.Lookback, err = dsl.ParseDuration(*lookback); err != nil {
					return fail("--lookback: %v", err)
				}
			}
			if *costsFile != "" {
				var n attribution.Counts
				data, err := readAll(ctx, *costsFile)
				if err != nil {
					return fail("--costs: %v", err)
				}
				cfg.Costs, n, err = attribution.ReadCosts(bytes.NewReader(data), func(line int, err error) {
					fmt.Fprintf(stderr, "%s:%d: %v\n", *costsFile, line, err)
				})
				if err != nil {
					return fail("%s: %v", *costsFile, err)
				}
				if n.Failed > 0 {
					fmt.Fprintf(stderr, "%s: %d cost rows failed; their campaigns have no cost in this report\n", *costsFile, n.Failed)
				}
			}
			a, err = pipelines.AttributeJourneys(s, cfg, rows)
		}
		if err != nil {
			return fail("%v", err)
		}
		pipelines.WriteText(s, *output, a.Report)
		pipelines.WriteDeadLetters(s, *deadLetters, files, a.DeadLetters)
		pipelines.WriteCounts(s, counts, a.Counts)
		report = countsReport
	}
	if err := beamx.Run(ctx, p); err != nil {
		return fail("the pipeline failed: %v", err)
	}
	failed, err := report()
	if err != nil {
		return fail("reading %s: %v", counts, err)
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "the rows that failed are in %s, each with its file, line and reason\n", *deadLetters)
		return 1
	}
	return 0
}

func orMissing(err error, what string) error {
	if err == nil {
		return fmt.Errorf("missing: %s", what)
	}
	return err
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// maxSmallFile bounds the files read whole here: the costs file and the
// pipeline's own counts, both a few lines.
const maxSmallFile = 64 << 20

// readAll reads a file through Beam's file systems (local, gs://), never
// more than maxSmallFile bytes.
func readAll(ctx context.Context, name string) ([]byte, error) {
	fsys, err := filesystem.New(ctx, name)
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	f, err := fsys.OpenRead(ctx, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := bounded.Read(f, maxSmallFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}
