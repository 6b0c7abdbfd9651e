package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func runBench(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	model := fs.String("model", "", "rule file (required)")
	leadsFile := fs.String("leads", "", "sample leads, NDJSON (required; - is standard input)")
	at := fs.String("at", "", "score as of this time (2026-10-01 or RFC 3339); default: now")
	rounds := fs.Int("rounds", 20, "times each lead is scored, and each expression evaluated, per measurement")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore bench --model FILE --leads LEADS.ndjson [--at TIME] [--rounds N]")
		fmt.Fprintln(stderr, "\nScores the sample leads on one core and prints the time per lead, then what each")
		fmt.Fprintln(stderr, "expression of the model (define, rule, gate, grade, stage) costs per lead, most")
		fmt.Fprintln(stderr, "costly first, and whether it runs as compiled Go or on expr's virtual machine.")
		fmt.Fprintln(stderr, "Timings depend on the machine and its load: compare the figures of one run.")
		fmt.Fprintln(stderr, "Exit status: 0 measured, 2 the run could not start.")
		fs.PrintDefaults()
	}
	if _, code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore bench: "+format+"\n", a...)
		return exitUsage
	}
	if *model == "" || *leadsFile == "" {
		return fail("--model and --leads are required: the rule file, and sample leads to measure it on")
	}
	asOf, err := asOfTime("--at", *at)
	if err != nil {
		return fail("%v", err)
	}
	m, _ := compileModel(*model, stderr)
	if m == nil {
		return fail("%s does not compile; nothing was measured", *model)
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
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 4<<20)
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
	}
	if err := sc.Err(); err != nil {
		return fail("%s: %v", *leadsFile, err)
	}
	if len(leads) == 0 {
		return fail("%s has no leads to measure with", *leadsFile)
	}

	s := scoring.New(m)
	failed := 0
	for _, l := range leads { // warm up, and count the leads that fail
		if _, err := s.Score(l, asOf); err != nil {
			failed++
		}
	}
	start := time.Now()
	for range max(*rounds, 1) {
		for _, l := range leads {
			_, _ = s.Score(l, asOf)
		}
	}
	perLead := float64(time.Since(start).Nanoseconds()) / float64(len(leads)*max(*rounds, 1))
	costs, measured := s.Costs(leads, asOf, *rounds)

	fmt.Fprintf(stdout, "model %s, %s leads (%s failed), as of %s, %d rounds, one core\n",
		m.Name, numfmt.Thousands(len(leads)), numfmt.Thousands(failed), asOf.Format(time.RFC3339), max(*rounds, 1))
	fmt.Fprintf(stdout, "scoring: %s ns per lead (%s leads a second)\n\n",
		numfmt.Thousands(int(perLead+0.5)), numfmt.Thousands(int(1e9/perLead)))
	fmt.Fprintf(stdout, "cost of each expression per lead, over %s leads that score, most costly first:\n", numfmt.Thousands(measured))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ns/lead\t  kind\t  name\t  runs as\t")
	for _, c := range costs {
		how := "compiled Go"
		if !c.Compiled {
			how = "expr VM"
		}
		fmt.Fprintf(tw, "%.0f\t  %s\t  %s\t  %s\t\n", c.NsPerLead, c.Kind, c.Name, how)
	}
	tw.Flush()
	return 0
}
