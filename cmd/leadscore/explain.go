package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func runExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	model := fs.String("model", "", "rule file (required)")
	at := fs.String("at", "", "explain the score as of this time (2026-10-01 or RFC 3339); default: now")
	format := fs.String("format", "text", "output format: text or json")
	brief := fs.Bool("brief", false, "leave out the rules that did not fire")
	dispositionsFile := fs.String("dispositions", "", "sales' verdicts (CSV: lead_id, at, status, reason); the lead's own are applied")
	strict := strictDataFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore explain --model FILE [--at TIME] [--format text|json] [--brief] [--dispositions FILE] [--strict-data] [LEAD|-]")
		fmt.Fprintln(stderr, "\nExplains the score of one lead (a JSON object as in NDJSON input, from a file or standard")
		fmt.Fprintln(stderr, "input): every rule, fired or not, each part of its condition with the lead values it read,")
		fmt.Fprintln(stderr, "the stages, and what the lead lacks for the next one.")
		fs.PrintDefaults()
	}
	inputs, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore explain: "+format+"\n", a...)
		return exitUsage
	}
	if *model == "" {
		return fail("--model is required: the rule file to explain with")
	}
	if len(inputs) > 1 {
		return fail("give one lead file (or - for standard input), not %d", len(inputs))
	}
	if *format != "text" && *format != "json" {
		return fail("unknown --format %q; use text or json", *format)
	}
	asOf, err := asOfTime(*at)
	if err != nil {
		return fail("%v", err)
	}
	m, _ := compileModel(*model, stderr)
	if m == nil {
		return exitUsage
	}
	scorer := scorerFor(m, *strict)
	in := stdin
	name := "stdin"
	if len(inputs) == 1 && inputs[0] != "-" {
		f, err := os.Open(inputs[0])
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		in, name = f, inputs[0]
	}
	data, err := io.ReadAll(io.LimitReader(in, leadfile.MaxLine))
	if err != nil {
		return fail("reading %s: %v", name, err)
	}
	lead, err := leadfile.DecodeJSON(data)
	if err != nil {
		return fail("%s: %v", name, err)
	}
	if *dispositionsFile != "" {
		set, n, code := readDispositions(*dispositionsFile, m, stderr)
		if set == nil {
			return code
		}
		if n.Failed > 0 {
			fmt.Fprintf(stderr, "%s: %d disposition rows: %d read, %d failed; the lead is explained with the rows read\n", *dispositionsFile, n.Rows, n.Read, n.Failed)
		}
		lead.Dispositions = set.For(lead.ID)
	}
	x, err := scorer.Explain(lead, asOf)
	if err != nil {
		return fail("%s: %v", name, err)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(x)
	} else {
		err = x.WriteText(stdout, !*brief)
	}
	if err != nil {
		return fail("%v", err)
	}
	return exitOK
}

// loadScorer compiles a model, printing its problems; nil and the exit code on failure.
func loadScorer(path string, stderr io.Writer) (*scoring.Scorer, int) {
	m, _ := compileModel(path, stderr)
	if m == nil {
		return nil, exitUsage
	}
	return scoring.New(m), exitOK
}
