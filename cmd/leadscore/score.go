package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// maxShownErrors bounds the bad rows printed on stderr; all are counted,
// and each has its error in the output row.
const maxShownErrors = 100

// maxShownRepeats bounds the rows named on stderr whose lead id an
// earlier row had; all are counted.
const maxShownRepeats = 5

func runScore(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return scoreAs(commandLine("score"), args, stdin, stdout, stderr)
}

// scoreAs is score run by c: report runs it with --accounts for its
// account view, and its messages then start "leadscore report".
func scoreAs(c caller, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	model := fs.String("model", "", "rule file (required)")
	at := fs.String("at", "", "score as of this time (2026-10-01 or RFC 3339); default: now")
	in := fs.String("in", "", "input format, ndjson or csv; default: from the file name (.csv is CSV)")
	events := fs.String("events", "", "CSV events file (lead_id, type, at, event fields) for CSV leads;\nread whole into memory before scoring, as a lead's events may sit anywhere in it")
	noEvents := noEventsFlag(fs)
	outFormat := fs.String("format", "ndjson", "output format: ndjson or csv")
	output := fs.String("o", "-", "output file; - is standard output")
	workers := fs.Int("workers", 0, "goroutines that decode and score; 0 is one per core")
	quiet := fs.Bool("quiet", false, "print no summary and no progress")
	strict := strictDataFlag(fs)
	sourceFile := sourceFlag(fs)
	dispositionsFile := fs.String("dispositions", "", "sales' verdicts (CSV: lead_id, at, status, reason): after a recycle, what the model's\nrecycle policy resets stops counting and the hold-down applies")
	maxRow := maxRowFlag(fs)
	accountsFile := fs.String("accounts", "", "score accounts: the accounts file (NDJSON, or CSV when it ends in .csv) with the fields of the\nrule file's accounts section; the leads are matched to them and one row per account is written")
	unmatchedEventsFile := fs.String("unmatched-events", "", "write every events row whose lead_id no lead row has here (one file:line: reason per line);\nstderr shows the first 100 of them")
	unmatchedFile := fs.String("unmatched", "", "with --accounts, write the leads that match no account here (NDJSON: id, line, reason)")
	createdField := createdFieldFlagHoldout(fs)
	grouped := fs.Bool("grouped", false, "with --accounts, the leads come grouped by account in the accounts file's order: each account\nis scored and written when its leads end, holding one account's people at a time (a lead\nthat comes after its account's leads ended fails)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore score --model FILE [--at TIME] [--dispositions FILE] [--strict-data] [flags] [LEADS.ndjson|-]")
		fmt.Fprintln(stderr, "       leadscore score --model FILE [--at TIME] [--events EVENTS.csv] [flags] LEADS.csv")
		fmt.Fprintln(stderr, "       leadscore score --model FILE --source MAPPING.yaml [--events ACTIVITIES.csv] [flags] EXPORT.csv")
		fmt.Fprintln(stderr, "       leadscore score --model FILE --accounts ACCOUNTS.ndjson [--grouped] [--unmatched FILE] [flags] LEADS")
		fmt.Fprintln(stderr, "\nScores every lead of INPUT (standard input when - or absent) and writes one result")
		fmt.Fprintln(stderr, "row per input row, in input order. A bad row is reported on stderr with its line")
		fmt.Fprintln(stderr, "number, gets a row with its error, and the run goes on.")
		fmt.Fprintln(stderr, "\nWith --accounts, the leads are matched to the accounts as the rule file's accounts section")
		fmt.Fprintln(stderr, "says and one NDJSON row is written per account, in the accounts file's order: its scores,")
		fmt.Fprintln(stderr, "grade, stage, roles present and missing, and its people with their own results. Leads")
		fmt.Fprintln(stderr, "that match no account are counted and listed on stderr with the reason (--unmatched")
		fmt.Fprintln(stderr, "writes them all). Every matched lead's person is held in memory until the leads end, unless")
		fmt.Fprintln(stderr, "--grouped says they come grouped by account in the accounts file's order: then each")
		fmt.Fprintln(stderr, "account is scored and written when its leads end, in memory that does not grow with the file.")
		fmt.Fprintln(stderr, "Exit status: 0 every row scored, 1 some rows failed, 2 the run could not start.")
		fs.PrintDefaults()
	}
	inputs, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, c.name+": "+format+"\n", a...)
		return exitUsage
	}
	if *model == "" {
		return fail("--model is required: the rule file to score with")
	}
	if len(inputs) > 1 {
		return fail("give one input file (or - for standard input), not %d", len(inputs))
	}
	asOf, err := asOfTime("--at", *at)
	if err != nil {
		return fail("%v", err)
	}
	outFmt, err := leadfile.ParseFormat(*outFormat)
	if err != nil {
		return fail("--format: %v", err)
	}

	m, _ := compileModel(*model, stderr)
	if m == nil {
		fmt.Fprintf(stderr, "%s: %s does not compile; nothing was scored\n", c.name, *model)
		return exitUsage
	}

	rowLimit := maxRow.n
	var accountScorer *scoring.AccountScorer
	if *accountsFile != "" {
		if m.Accounts == nil {
			return fail("--accounts: %s has no accounts section; add accounts: (see the accounts section of docs/reference.md)", *model)
		}
		if outFmt != leadfile.NDJSON {
			return fail("--accounts writes NDJSON (an account's people do not fit a CSV row); leave out --format")
		}
		if err := checkCreatedField(c, m, *createdField, flagSet(fs, "created-field")); err != nil {
			return fail("%v", err)
		}
		accountScorer, _ = newAccountScorer(m, *strict, *createdField)
		for _, in := range append([]string{*accountsFile, *events, *dispositionsFile}, inputs...) {
			if *unmatchedFile != "" && in != "" && in != "-" && sameFile(*unmatchedFile, in) {
				return fail("--unmatched %s is one of the files read (%s); it is written while the leads are read, so name a new file for it", *unmatchedFile, in)
			}
		}
	} else if *unmatchedFile != "" {
		return fail("--unmatched goes with --accounts")
	} else if *grouped {
		return fail("--grouped goes with --accounts: it says the leads come grouped by account")
	} else if flagSet(fs, "created-field") && !holdoutStarts(m) {
		return fail("%s goes with %s, or with a holdout that starts: it says when a lead joins its account's people, or the experiment; a lead is scored whenever it was created", c.flag("created-field"), c.flag("accounts"))
	}
	opts := leadfile.Options{Scorer: scoring.New(m), AsOf: asOf, NoEvents: *noEvents, Workers: *workers, OutputFormat: outFmt, MaxRow: rowLimit,
		StrictData: *strict, OnWarning: func(w string) { fmt.Fprintln(stderr, "warning: "+w) }}
	if holdoutStarts(m) && *accountsFile == "" {
		// Who came before the experiment's start is read from the created
		// field (or a lead's first event): it is no unknown data then.
		if err := checkCreatedField(c, m, *createdField, flagSet(fs, "created-field")); err != nil {
			return fail("%v", err)
		}
		opts.Scorer = scoring.New(m, scoring.WithCreatedField(*createdField))
		opts.CreatedField = *createdField
	}
	verdicts, err := attachDispositions(&opts, *dispositionsFile, m, stderr)
	if err != nil {
		return exitUsage
	}
	name := "-"
	if len(inputs) == 1 {
		name = inputs[0]
	}
	if name == "-" {
		opts.Input, opts.InputName = stdin, "stdin"
		if *in != "" {
			if opts.InputFormat, err = leadfile.ParseFormat(*in); err != nil {
				return fail("--in: %v", err)
			}
		}
	} else {
		closeLeads, err := openLeads(&opts, name, *in, *events)
		defer closeLeads()
		if err != nil {
			return fail("%v", err)
		}
	}
	if err := attachSource(&opts, *sourceFile, m, stderr); err != nil {
		return fail("--source: %v", err)
	}
	if *output == "-" {
		opts.Output = stdout
	} else {
		f, err := os.Create(*output)
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		opts.Output = f
	}

	// A bad lead row has its error in its output row; an events row whose
	// lead no row has has no output row: --unmatched-events lists them.
	var badLeads, badEvents, failedLeadEvents int
	var unmatchedEvents *bufio.Writer
	if *unmatchedEventsFile != "" {
		if opts.Events == nil {
			return fail("--unmatched-events lists the rows of an events file (--events, or a source mapping's activities) whose lead_id no lead row has; these leads come with none, so leave it out")
		}
		for _, in := range append([]string{*events, *dispositionsFile, *output}, inputs...) {
			if in != "" && in != "-" && sameFile(*unmatchedEventsFile, in) {
				return fail("--unmatched-events %s is one of the files read or written (%s); name a new file for it", *unmatchedEventsFile, in)
			}
		}
		f, err := os.Create(*unmatchedEventsFile)
		if err != nil {
			return fail("--unmatched-events: %v", err)
		}
		defer f.Close()
		unmatchedEvents = bufio.NewWriter(f)
	}
	opts.OnError = func(e leadfile.RowError) {
		n := &badLeads
		if errors.Is(e.Err, leadfile.ErrEventOfFailedLead) {
			n = &failedLeadEvents
		} else if errors.Is(e.Err, leadfile.ErrNoLeadForEvent) {
			n = &badEvents
			if unmatchedEvents != nil {
				fmt.Fprintln(unmatchedEvents, e.Error())
			}
		}
		if *n < maxShownErrors {
			fmt.Fprintln(stderr, e.Error())
		}
		*n++
	}
	progress := !*quiet && isTerminal(stderr)
	var lastProgress time.Time
	if progress {
		opts.OnProgress = func(s leadfile.Summary) {
			if s.Elapsed > time.Second && time.Since(lastProgress) > 500*time.Millisecond {
				lastProgress = time.Now()
				fmt.Fprintf(stderr, "\r%d rows, %.0f leads/s ", s.Rows, float64(s.Rows)/s.Elapsed.Seconds())
			}
		}
	}
	if accountScorer != nil {
		opts.Scorer = accountScorer.Leads()
		code := runScoreAccounts(c, accountScorer, *accountsFile, opts, asOf, *unmatchedFile, *grouped, *quiet, stderr)
		if verdicts.finish(*dispositionsFile, stderr, *quiet) > 0 && code == exitOK {
			code = exitProblem
		}
		return code
	}
	// A lead id given twice is scored twice, and counted twice: said, with
	// both lines, for the first few rows that repeat one, when the leads
	// come with an events file, whose events each such row gets all of.
	// That keeps every id (24 to 32 MB a million leads), as the events
	// index already grows with the leads; without one, score keeps its
	// memory flat however many leads it reads, and both rows are in its
	// output to see.
	repeated := 0
	if opts.Events != nil {
		opts.OnRepeatedID = func(id string, first, line int) {
			if repeated < maxShownRepeats {
				fmt.Fprintf(stderr, "warning: %s:%d: lead %s is given again (first on line %d): both rows are scored, each with all of the lead's events, and both count in the summary; remove one row, or merge the two in the CRM\n", opts.InputName, line, id, first)
			}
			repeated++
		}
	}
	sum, err := leadfile.Score(opts)
	if progress && !lastProgress.IsZero() {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", c.name, err)
		return exitUsage
	}
	if unmatchedEvents != nil {
		if err := unmatchedEvents.Flush(); err != nil {
			fmt.Fprintf(stderr, "%s: --unmatched-events: %v\n", c.name, err)
			return exitUsage
		}
	}
	if repeated > maxShownRepeats {
		fmt.Fprintf(stderr, "warning: %d more rows repeat an earlier row's lead id (%d in all), not shown here; each is scored and counted\n", repeated-maxShownRepeats, repeated)
	}
	if badLeads > maxShownErrors {
		fmt.Fprintf(stderr, "(%d more failed lead rows are not shown here; each has its error in its row of the output)\n", badLeads-maxShownErrors)
	}
	if badEvents > maxShownErrors {
		more := "; " + c.flag("unmatched-events") + " FILE writes them all"
		if unmatchedEvents != nil {
			more = "; " + *unmatchedEventsFile + " lists them all"
		}
		fmt.Fprintf(stderr, "(%d more events rows whose lead_id no lead row has are not shown here: they have no output row%s)\n", badEvents-maxShownErrors, more)
	}
	if failedLeadEvents > maxShownErrors {
		fmt.Fprintf(stderr, "(%d more events rows of leads whose rows failed are not shown here)\n", failedLeadEvents-maxShownErrors)
	}
	if !*quiet {
		fmt.Fprintln(stderr, summaryLine(m, sum, asOf))
	}
	if sum.Rows == 0 {
		// An empty export is most often one that failed: said even with
		// --quiet, as a CSV without even a header fails its file.
		fmt.Fprintf(stderr, "warning: %s holds no lead rows, so nothing was scored; check that its export ran and wrote the leads\n", opts.InputName)
	}
	dispositionsFailed := verdicts.finish(*dispositionsFile, stderr, *quiet)
	if sum.Failed > 0 || sum.UnmatchedEvents > 0 || dispositionsFailed > 0 {
		return exitProblem
	}
	return exitOK
}

// summaryLine reconciles the run: rows in = scored + failed, and how the
// scored leads fall on the stage ladder.
func summaryLine(m *rules.Model, s leadfile.Summary, asOf time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s in: %d scored, %d failed (as of %s", s.Rows, numfmt.Noun(s.Rows, "row"), s.Scored, s.Failed, asOf.Format(time.RFC3339))
	if s.Elapsed > 0 {
		fmt.Fprintf(&b, ", %.2fs, %.0f leads/s", s.Elapsed.Seconds(), float64(s.Rows)/s.Elapsed.Seconds())
	}
	b.WriteString(")\n")
	var parts []string
	for i := len(m.Stages) - 1; i >= 0; i-- {
		st := m.Stages[i]
		label := st.ID
		if st.SalesReady {
			label += " (sales-ready)"
		}
		parts = append(parts, fmt.Sprintf("%s %d", label, s.Stages[st.ID]))
	}
	parts = append(parts, fmt.Sprintf("no stage %d", s.Stages[""]))
	fmt.Fprintf(&b, "stages: %s; disqualified %d", strings.Join(parts, ", "), s.Disqualified)
	if h := m.Holdout; h != nil {
		fmt.Fprintf(&b, "\nholdout (share %s, seed %s): %d of %d scored %s in the control group",
			strconv.FormatFloat(h.Share*100, 'g', 4, 64)+"%", h.Seed, s.HeldOut, s.Scored, numfmt.Noun(s.Scored, "lead"))
		if h.WithholdsHandoff() {
			fmt.Fprintf(&b, "; %d sales-ready %s held out of the hand-off (handed_off: false)", s.HeldOutSalesReady, numfmt.Noun(s.HeldOutSalesReady, "lead"))
		} else {
			fmt.Fprintf(&b, ", to be judged by the challenger %s (holdout: true)", h.Challenger)
		}
		if !h.Starts.IsZero() {
			fmt.Fprintf(&b, "; %d %s created before the experiment started (%s) %s in neither group", s.BeforeStart, numfmt.Noun(s.BeforeStart, "lead"),
				h.StartsText(), map[bool]string{true: "is", false: "are"}[s.BeforeStart == 1])
		}
	}
	if s.UnmatchedEvents > 0 {
		fmt.Fprintf(&b, "\n%d event rows name a lead_id no lead row has; they were not used", s.UnmatchedEvents)
	}
	if s.FailedLeadEvents > 0 {
		fmt.Fprintf(&b, "\n%s of leads whose rows failed were not used, with their leads", countOf(s.FailedLeadEvents, "event row"))
	}
	switch {
	case s.RepeatedEvents == 1:
		b.WriteString("\n1 activity row repeats an earlier row's id and content; counted once")
	case s.RepeatedEvents > 1:
		fmt.Fprintf(&b, "\n%d activity rows repeat an earlier row's id and content; counted once", s.RepeatedEvents)
	}
	for _, line := range s.Unknown.Lines() {
		b.WriteString("\n" + line)
	}
	if len(s.Unknown.Rows) > 0 {
		b.WriteString("\n(no rule reads data the model does not declare: rename it, or declare it under fields or events; --strict-data fails such rows)")
	}
	return b.String()
}

// compileModel compiles a rule file, printing its problems with snippets.
func compileModel(path string, stderr io.Writer) (*rules.Model, error) {
	m, err := rules.CompileFile(path)
	if err != nil {
		var ds dsl.Diagnostics
		if errors.As(err, &ds) {
			ds.Write(stderr)
		} else {
			fmt.Fprintf(stderr, "leadscore: %v\n", err)
		}
		return nil, err
	}
	return m, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
