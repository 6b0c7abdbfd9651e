package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func runBench(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	maxRow := maxRowFlag(fs)
	model := fs.String("model", "", "rule file (required)")
	leadsFile := fs.String("leads", "", "sample leads, NDJSON (required; - is standard input)")
	at := fs.String("at", "", "score as of this time (2026-10-01 or RFC 3339); default: now")
	rounds := fs.Int("rounds", 20, "times each lead is scored, and each expression evaluated, per measurement")
	sourceFile := sourceFlag(fs)
	events := fs.String("events", "", "with --source: the CRM's activities export (CSV)")
	noEvents := noEventsFlag(fs)
	outcomesFile := fs.String("outcomes", "", "CRM outcomes (as backtest takes them): also time each stage of the outcome loop per lead (decode, score, timeline, measure, report, suggest), with --at as T0")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore bench --model FILE --leads LEADS.ndjson [--at TIME] [--rounds N] [--outcomes OUTCOMES.csv]")
		fmt.Fprintln(stderr, "       leadscore bench --model FILE --source MAPPING.yaml --leads EXPORT.csv [--events ACTIVITIES.csv]")
		fmt.Fprintln(stderr, "\nScores the sample leads on one core and prints the time per lead, then where it")
		fmt.Fprintln(stderr, "goes, most costly first: each define, rule, gate, grade and stage of the model, how")
		fmt.Fprintln(stderr, "many times per lead scoring runs it (an event rule only on the events in its window,")
		fmt.Fprintln(stderr, "grades until one holds) and whether it runs as compiled Go or on expr's virtual")
		fmt.Fprintln(stderr, "machine; then reading the lead's data, and the rest. The lines add up to the time")
		fmt.Fprintln(stderr, "per lead. With --outcomes, then the cost per lead of each stage a backtest takes a lead")
		fmt.Fprintln(stderr, "through (decode, score, timeline, measure, report, suggest), T0 being --at.")
		fmt.Fprintln(stderr, "Timings depend on the machine and its load: compare the figures of one run.")
		fmt.Fprintln(stderr, "Sample leads that fail are left out, and bench says how many and why the first few failed.")
		fmt.Fprintln(stderr, "Exit status: 0 measured, 1 every sample lead failed (nothing measured), 2 the run could not start.")
		fs.PrintDefaults()
	}
	rest, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore bench: "+format+"\n", a...)
		return exitUsage
	}
	if len(rest) > 0 {
		return fail("unexpected argument %q: give the sample leads with --leads", rest[0])
	}
	if *model == "" || *leadsFile == "" {
		return fail("--model and --leads are required: the rule file, and sample leads to measure it on")
	}
	if *rounds < 1 {
		return fail("--rounds %d: want 1 or more (each lead is scored that many times per measurement)", *rounds)
	}
	asOf, err := asOfTime("--at", *at)
	if err != nil {
		return fail("%v", err)
	}
	m, _ := compileModel(*model, stderr)
	if m == nil {
		return fail("%s does not compile; nothing was measured", *model)
	}
	var outcomes map[string]attribution.Outcome
	if *outcomesFile != "" {
		if _, err := readOutcomes(*outcomesFile, &outcomes, stderr); err != nil {
			return fail("%s: %v", *outcomesFile, err)
		}
	}
	if *sourceFile != "" {
		if *leadsFile == "-" {
			return fail("--source reads a CRM export from a file: give its name with --leads")
		}
		opts := leadfile.Options{Scorer: scoring.New(m), MaxRow: maxRow.n, NoEvents: *noEvents}
		closeLeads, err := openLeadsVia(&opts, *leadsFile, "", *events, *sourceFile, stderr)
		defer closeLeads()
		if err != nil {
			return fail("%v", err)
		}
		var leads []scoring.Lead
		err = leadfile.Read(opts, func(line int, lead scoring.Lead, err error) error {
			if err != nil {
				return fmt.Errorf("%s:%d: %v", *leadsFile, line, err)
			}
			leads = append(leads, lead)
			return nil
		})
		if err != nil {
			return fail("%v", err)
		}
		return benchLeads(m, nil, leads, outcomes, *leadsFile, asOf, *rounds, stdout, stderr, fail)
	} else if *events != "" {
		return fail("--events goes with --source: bench reads NDJSON leads, which carry their events")
	}
	in := stdin
	if *leadsFile != "-" {
		f, err := os.Open(*leadsFile)
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		in = f
	}
	var leads []scoring.Lead
	var lines [][]byte
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, maxRow.n+1)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		lead, err := leadfile.DecodeJSON(sc.Bytes())
		if err != nil {
			return fail("%s:%d: %v", *leadsFile, line, err)
		}
		leads = append(leads, lead)
		if outcomes != nil {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return fail("%s:%d: %v", *leadsFile, line+1, bounded.RowTooLong(maxRow.n, "--max-row"))
	} else if err != nil {
		return fail("%s: %v", *leadsFile, err)
	}
	return benchLeads(m, lines, leads, outcomes, *leadsFile, asOf, *rounds, stdout, stderr, fail)
}

// benchLeads measures the model on the leads and prints where the time goes.
// With outcomes, it then times the outcome loop's stages (benchOutcomes).
func benchLeads(m *rules.Model, lines [][]byte, leads []scoring.Lead, outcomes map[string]attribution.Outcome, leadsFile string, asOf time.Time, rounds int, stdout, stderr io.Writer, fail func(string, ...any) int) int {
	if len(leads) == 0 {
		return fail("%s has no leads to measure with", leadsFile)
	}

	rep := scoring.New(m).Costs(leads, asOf, rounds)
	fmt.Fprintf(stdout, "model %s, %s leads (%s failed), as of %s, %d rounds, one core\n",
		m.Name, numfmt.Thousands(len(leads)), numfmt.Thousands(rep.Failed), asOf.Format(time.RFC3339), rounds)
	if rep.Failed > 0 {
		// Why the first few failed, on stderr: the rest are likely alike.
		for _, err := range rep.Errors {
			fmt.Fprintf(stderr, "leadscore bench: %v\n", err)
		}
		if rep.Failed > len(rep.Errors) {
			fmt.Fprintf(stderr, "leadscore bench: and %s more failed\n", numfmt.Thousands(rep.Failed-len(rep.Errors)))
		}
	}
	if rep.Leads == 0 {
		which := "the one sample lead failed"
		if len(leads) > 1 {
			which = "every one of the " + numfmt.Thousands(len(leads)) + " sample leads failed"
		}
		fmt.Fprintf(stderr, "leadscore bench: %s, so nothing was measured (why is above)\n", which)
		return exitProblem
	}
	if rep.Failed > 0 {
		fmt.Fprintf(stderr, "leadscore bench: %s of %s sample leads failed and were left out of the measurement\n", numfmt.Thousands(rep.Failed), numfmt.Thousands(len(leads)))
	}
	fmt.Fprintf(stdout, "scoring: %s ns per lead (%s leads a second)\n\n",
		numfmt.Thousands(int(rep.NsPerLead+0.5)), numfmt.Thousands(int(1e9/rep.NsPerLead)))
	fmt.Fprintf(stdout, "where the time goes, per lead, over %s leads that score, most costly first:\n", numfmt.Thousands(rep.Leads))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ns/lead\t  runs/lead\t  kind\t  name\t  runs as\t")
	for _, c := range rep.Costs {
		runs, how := "", c.RunsAs
		if c.Kind != "data" && c.Kind != "other" {
			runs = strconv.FormatFloat(c.Evaluations, 'f', 2, 64)
			if how == "" {
				how = "no condition"
			}
		}
		fmt.Fprintf(tw, "%.0f\t  %s\t  %s\t  %s\t  %s\t\n", c.NsPerLead, runs, c.Kind, c.Name, how)
	}
	tw.Flush()
	if outcomes != nil {
		if err := benchOutcomes(m, lines, leads, outcomes, asOf, rounds, stdout); err != nil {
			return fail("the outcome loop: %v", err)
		}
	}
	return 0
}
