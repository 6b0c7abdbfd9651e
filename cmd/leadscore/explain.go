package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/source"
)

func runExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	maxRow := maxRowFlag(fs)
	model := fs.String("model", "", "rule file (required)")
	at := fs.String("at", "", "explain the score as of this time (2026-10-01 or RFC 3339); default: now")
	format := fs.String("format", "text", "output format: text or json")
	brief := fs.Bool("brief", false, "leave out the rules that did not fire")
	id := fs.String("id", "", "the id of the lead to explain, in a file of many leads")
	in := fs.String("in", "", "leads format, json (one lead, or NDJSON) or csv; default: from the file name (.csv is CSV)")
	events := fs.String("events", "", "CSV events file (lead_id, type, at, event fields) for CSV leads")
	noEvents := noEventsFlag(fs)
	dispositionsFile := fs.String("dispositions", "", "sales' verdicts (CSV: lead_id, at, status, reason); the lead's own are applied")
	strict := strictDataFlag(fs)
	sourceFile := sourceFlag(fs)
	account := fs.String("account", "", "explain the account with this id instead of a lead: which rules, roll-ups and people gave it\nits points (with --accounts, and the leads to match to it)")
	accountsFile := fs.String("accounts", "", "with --account, the accounts file (NDJSON, or CSV when it ends in .csv)")
	createdField := createdFieldFlag(fs, "--account")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore explain --model FILE [--at TIME] [--format text|json] [--brief] [--dispositions FILE] [--strict-data] [LEAD.json|-]")
		fmt.Fprintln(stderr, "       leadscore explain --model FILE --id ID [flags] LEADS.ndjson")
		fmt.Fprintln(stderr, "       leadscore explain --model FILE --id ID [--events EVENTS.csv] [flags] LEADS.csv")
		fmt.Fprintln(stderr, "       leadscore explain --model FILE --id ID --source MAPPING.yaml [--events ACTIVITIES.csv] [flags] EXPORT.csv")
		fmt.Fprintln(stderr, "       leadscore explain --model FILE --account ID --accounts ACCOUNTS.ndjson [flags] LEADS")
		fmt.Fprintln(stderr, "\nExplains the score of one lead: every rule, fired or not, each part of its condition with")
		fmt.Fprintln(stderr, "the lead values it read, the stages, and what the lead lacks for the next one. The lead is a")
		fmt.Fprintln(stderr, "JSON object (testdata/lead.json), from a file or standard input; in a file of many leads")
		fmt.Fprintln(stderr, "(NDJSON or CSV), --id picks one. With --dispositions, sales' verdicts on it apply.")
		fmt.Fprintln(stderr, "With --account, explains an account of the accounts file instead: the points from its")
		fmt.Fprintln(stderr, "fields, each roll-up with the people who gave its points, its buying group's roles,")
		fmt.Fprintln(stderr, "and its people with their own results, from the leads matched to it.")
		fmt.Fprintln(stderr, "Exit status: 0 explained, 1 (with --account) a lead of the account failed and is named, 2 the lead or the model could not be read (or --id matched none).")
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
	asOf, err := asOfTime("--at", *at)
	if err != nil {
		return fail("%v", err)
	}
	m, _ := compileModel(*model, stderr)
	if m == nil {
		return exitUsage
	}
	scorer := scorerFor(m, *strict)
	name := "-"
	if len(inputs) == 1 {
		name = inputs[0]
	}
	if *account != "" || *accountsFile != "" {
		if err := checkCreatedField(commandLine("explain"), m, *createdField, flagSet(fs, "created-field")); err != nil {
			return fail("%v", err)
		}
		return explainAccountCmd(m, *account, *accountsFile, name, *in, *events, *sourceFile, *dispositionsFile, *createdField, *noEvents, *strict, maxRow.n, asOf, *format == "json", stdin, stdout, stderr)
	}
	if flagSet(fs, "created-field") {
		return fail("--created-field goes with --account: it says when a lead joins its account's people; a lead is explained whenever it was created")
	}
	var mapped leadfile.Options
	if err := attachSource(&mapped, *sourceFile, m, stderr); err != nil {
		return fail("--source: %v", err)
	}
	warn := func(w string) { fmt.Fprintf(stderr, "leadscore explain: warning: %s\n", w) }
	lead, err := pickLead(scorer, name, stdin, *in, *events, *id, mapped.Source, *noEvents, maxRow.n, warn)
	if err != nil {
		return fail("%v", err)
	}
	if *dispositionsFile != "" {
		set, n, code := readDispositions(*dispositionsFile, m, maxRow.n, stderr)
		if set == nil {
			return code
		}
		if n.Failed > 0 {
			fmt.Fprintf(stderr, "%s: %d disposition %s: %d read, %d failed; the lead is explained with the rows read\n", *dispositionsFile, n.Rows, numfmt.Noun(n.Rows, "row"), n.Read, n.Failed)
		}
		lead.Dispositions = append(lead.Dispositions, set.For(lead.ID)...)
	}
	x, err := scorer.Explain(lead, asOf)
	if err != nil {
		return fail("%s: %v", displayName(name), err)
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

func displayName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}

// maxExplainInput bounds what explain reads: one lead, or a file of leads
// to pick one from with --id.
const maxExplainInput = 256 << 20

// pickLead reads the one lead explain explains: the only lead of a JSON
// input (one object, pretty-printed or not, or NDJSON), or the lead with
// the given id in NDJSON or CSV, or in a CRM's export read through src.
// Picking by id, a row of another lead that cannot be read is said with
// warn and skipped: it says nothing of the lead explained.
func pickLead(s *scoring.Scorer, name string, stdin io.Reader, in, events, id string, src *source.Mapping, noEvents bool, maxRow int, warn func(string)) (scoring.Lead, error) {
	isCSV := strings.EqualFold(filepath.Ext(name), ".csv") || in == "csv" || src != nil
	if in != "" && in != "csv" && in != "json" && in != "ndjson" {
		return scoring.Lead{}, fmt.Errorf("--in: unknown format %q; use json or csv", in)
	}
	if isCSV {
		if name == "-" {
			return scoring.Lead{}, fmt.Errorf("CSV leads are read from a file, not standard input")
		}
		opts := leadfile.Options{Scorer: s, MaxRow: maxRow, Source: src, NoEvents: noEvents}
		closeLeads, err := openLeads(&opts, name, "csv", events)
		defer closeLeads()
		if err != nil {
			return scoring.Lead{}, err
		}
		var found []scoring.Lead
		var lines []int
		opts.OnError = func(leadfile.RowError) {} // an event of a lead not in the file says nothing about the one explained
		err = leadfile.Read(opts, func(line int, lead scoring.Lead, err error) error {
			if id != "" && lead.ID != id {
				if err != nil {
					warn(skipped(name, line, lead.ID, id, err))
				}
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s:%d: %v", name, line, err)
			}
			found, lines = append(found, lead), append(lines, line)
			return nil
		})
		if err != nil {
			return scoring.Lead{}, err
		}
		return onlyLead(found, lines, name, id)
	}
	if events != "" {
		return scoring.Lead{}, fmt.Errorf("--events goes with CSV leads; JSON leads carry their events")
	}
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return scoring.Lead{}, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxExplainInput+1))
	if err != nil {
		return scoring.Lead{}, fmt.Errorf("reading %s: %v", displayName(name), err)
	}
	if len(data) > maxExplainInput {
		return scoring.Lead{}, fmt.Errorf("%s is over %d MiB; explain reads one lead, or picks one with --id from a file of leads up to that size", displayName(name), maxExplainInput>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	base := 0 // where dec began reading in data
	var found []scoring.Lead
	var lines []int
	for {
		start := base + int(dec.InputOffset())
		for start < len(data) && strings.ContainsRune(" \t\r\n", rune(data[start])) {
			start++ // the value starts after the blank space before it
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			break
		} else if err != nil {
			line := data[start:]
			if end := bytes.IndexByte(line, '\n'); end >= 0 {
				line = line[:end]
			}
			if id == "" || bytes.Contains(line, []byte(strconv.Quote(id))) {
				return scoring.Lead{}, fmt.Errorf("%s:%d: %v", displayName(name), lineAt(data, start), err)
			}
			// Another lead's row: said, and read on from the next line
			// (NDJSON has a lead a line).
			warn(skipped(displayName(name), lineAt(data, start), "", id, err))
			base = start + len(line) + 1
			if base >= len(data) {
				break
			}
			dec = json.NewDecoder(bytes.NewReader(data[base:]))
			continue
		}
		lead, err := leadfile.DecodeJSON(raw)
		if id != "" && lead.ID != id {
			if err != nil {
				warn(skipped(displayName(name), lineAt(data, start), lead.ID, id, err))
			}
			continue
		}
		if err != nil {
			return scoring.Lead{}, fmt.Errorf("%s:%d: %v", displayName(name), lineAt(data, start), err)
		}
		found, lines = append(found, lead), append(lines, lineAt(data, start))
	}
	return onlyLead(found, lines, displayName(name), id)
}

// skipped says that the row at line, of the lead other ("" when its id
// could not be read), could not be read and is skipped: it is not the
// lead id explain picks.
func skipped(name string, line int, other, id string, err error) string {
	var le *scoring.Error
	if errors.As(err, &le) {
		err = le.Err // the row names its lead below
	}
	of := "a row whose id could not be read"
	if other != "" {
		of = "lead " + other
	}
	return fmt.Sprintf("%s:%d: %s: %v; skipped, as it is not lead %s", name, line, of, err, id)
}

func lineAt(data []byte, offset int) int {
	return bytes.Count(data[:min(offset, len(data))], []byte("\n")) + 1
}

// onlyLead returns the one lead found, or says why there is not one;
// An id not found gets no did-you-mean: ids are not words, and a near id
// is another lead.
func onlyLead(found []scoring.Lead, lines []int, name, id string) (scoring.Lead, error) {
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && id != "":
		return scoring.Lead{}, fmt.Errorf("%s has no lead with id %q; check the id, or name the file that holds that lead", name, id)
	case len(found) == 0:
		return scoring.Lead{}, fmt.Errorf("%s holds no lead", name)
	case id != "":
		return scoring.Lead{}, fmt.Errorf("%s has %d leads with id %q (lines %s); ids must be unique to pick one", name, len(found), id, joinInts(lines))
	}
	return scoring.Lead{}, fmt.Errorf("explain reads one lead, and %s holds %d; pick one with --id (the first is %q, on line %d)", name, len(found), found[0].ID, lines[0])
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ", ")
}

// loadScorer compiles a model, printing its problems; nil and the exit code on failure.
func loadScorer(path string, stderr io.Writer) (*scoring.Scorer, int) {
	m, _ := compileModel(path, stderr)
	if m == nil {
		return nil, exitUsage
	}
	return scoring.New(m), exitOK
}
