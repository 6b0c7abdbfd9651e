package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/internal/idset"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func runFeedback(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return feedbackAs(commandLine("feedback"), args, stdout, stderr)
}

// feedbackAs runs feedback for c: its messages name c's flags.
func feedbackAs(c caller, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("feedback", flag.ContinueOnError)
	maxRow := maxRowFlag(fs)
	model := fs.String("model", "", "rule file, with a handoff section (required)")
	leadsFile := fs.String("leads", "", "leads with their events: NDJSON, or CSV with --events (required)")
	events := fs.String("events", "", "CSV events file for CSV leads")
	noEvents := noEventsFlag(fs)
	dispositionsFile := fs.String("dispositions", "", "sales' dispositions: CSV with lead_id, at, status, reason (and owner); optional when the leads carry their own (\"dispositions\" in their JSON)")
	outcomesFile := fs.String("outcomes", "", "CRM outcomes (lead_id, opportunity, won, revenue), to count recycled leads won later")
	at := fs.String("at", "", "the report as of this time (2026-10-01 or RFC 3339); default: now")
	format := fs.String("format", "text", "report format: text, markdown, json, csv or html (one page with charts)")
	currency := currencyFlag(fs)
	bandWidth := fs.Float64("band-width", 0, "width of the score bands; 0: a round width (1, 2 or 5 times a power of ten) near a tenth of the total's range,\nsuch as 20 for totals of 0 to 220; bands start at multiples of it")
	campaignField := fs.String("campaign-field", "campaign", "the event field that names a touch's campaign")
	channelField := fs.String("channel-field", "channel", "the event field that names a touch's channel")
	strict := strictDataFlag(fs)
	sourceFile := sourceFlag(fs)
	accountsFile := fs.String("accounts", "", "an accounts file (NDJSON, or CSV by its .csv name): report sales' verdicts on the sales-ready accounts instead of leads;\n--dispositions then has account_id for lead_id, and --outcomes is by account_id")
	createdField := fs.String("created-field", "created_at", "with --accounts, the lead field that holds when the person was created (without it, its first event)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore feedback --model FILE --leads FILE --dispositions FILE [--outcomes FILE] [--at TIME] [--format text|markdown|json|csv|html]")
		fmt.Fprintln(stderr, "       leadscore feedback --accounts ACCOUNTS --leads LEADS --model FILE --dispositions FILE [--outcomes FILE] [--format text|markdown|json|csv|html]")
		fmt.Fprintln(stderr, "\nWhat sales said about the leads the definition handed to it: acceptance and rejection rates")
		fmt.Fprintln(stderr, "with reasons by sourcing campaign and channel, score band, grade and rule fired; each rule a")
		fmt.Fprintln(stderr, "rejection reason contradicts, tested on the leads given the reason against the other leads")
		fmt.Fprintln(stderr, "with a verdict (contradicted, supported or inconclusive, and why); the SLA from sales-ready to")
		fmt.Fprintln(stderr, "the first verdict, by owner; what became of recycled leads; the leads no one answered.")
		fmt.Fprintln(stderr, "With --accounts: the same for accounts, each handed to sales at its first sales-ready moment, by grade,")
		fmt.Fprintln(stderr, "stage, account rule and roll-up fired, and buying-group role present; a lead's verdicts are not its account's.")
		fmt.Fprintln(stderr, "A bad disposition row (an unknown status, reason, lead or account, a missing time) fails alone, with its line.")
		fmt.Fprintln(stderr, "Exit status: 0 every row was used, 1 some rows failed, 2 the report could not start.")
		fs.PrintDefaults()
	}
	if _, code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, c.name+": "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case *model == "":
		return fail("%s is required: the rule file whose hand-off sales judged", c.flag("model"))
	case *leadsFile == "":
		return fail("%s is required: the leads with their events", c.flag("leads"))
	}
	switch *format {
	case "text", "markdown", "json", "csv", "html":
	default:
		return fail("unknown %s %q; use text, markdown, json, csv or html", c.flag("format"), *format)
	}
	asOf, err := asOfTime(c.flag("at"), *at)
	if err != nil {
		return fail("%v", err)
	}
	if *accountsFile != "" {
		return feedbackAccounts(c, accountsFeedback{model: *model, accounts: *accountsFile, leads: *leadsFile, events: *events, source: *sourceFile,
			dispositions: *dispositionsFile, outcomes: *outcomesFile, format: *format, currency: *currency, createdField: *createdField, createdSet: flagSet(fs, "created-field"),
			noEvents: *noEvents, strict: *strict, maxRow: maxRow.n, asOf: asOf,
			opts: feedback.Options{AsOf: asOf, CampaignField: *campaignField, ChannelField: *channelField, BandWidth: *bandWidth}}, stdout, stderr)
	}
	if flagSet(fs, "created-field") {
		return fail("%s is for the feedback on accounts (with %s); the lead feedback hands a lead to sales at its own sales-ready moment", c.flag("created-field"), c.flag("accounts"))
	}
	m, _ := compileModel(*model, stderr)
	if m == nil {
		return exitUsage
	}
	if m.Handoff == nil {
		fmt.Fprintf(stderr, "%s: warning: %s has no handoff section, so no rejection reason can be read and the SLA is not measured; add handoff: with sla, reasons and recycle\n", c.name, *model)
	}
	scorer := scorerFor(m, *strict)
	var set *feedback.Set // nil: the leads carry their verdicts ("dispositions" in their JSON)
	var dn feedback.Counts
	if *dispositionsFile != "" {
		var code int
		if set, dn, code = readDispositions(*dispositionsFile, m, maxRow.n, stderr); set == nil {
			return code
		}
	}
	carried := 0
	won := map[string]time.Time{}
	problems := 0
	var outcomesRead *outcomesSeen // notes the leads read, for the outcome rows naming none
	if *outcomesFile != "" {
		outcomes := map[string]attribution.Outcome{}
		n, err := readOutcomes(*outcomesFile, &outcomes, stderr)
		if err != nil {
			return fail("%s: %v", *outcomesFile, err)
		}
		problems += n.Failed
		for id, o := range outcomes {
			won[id] = o.Won
		}
		outcomesRead = newOutcomesSeen(outcomes)
	}

	b := feedback.NewBuilder(scorer, feedback.Options{AsOf: asOf, CampaignField: *campaignField, ChannelField: *channelField, BandWidth: *bandWidth})
	lopts := leadfile.Options{Scorer: scorer, MaxRow: maxRow.n, NoEvents: *noEvents, Bound: true}
	closeLeads, err := openLeadsVia(&lopts, *leadsFile, "", *events, *sourceFile, stderr)
	defer closeLeads()
	if err != nil {
		return fail("%v", err)
	}
	// seen holds the leads of the dispositions file the leads file had
	// (the rest of them are the dispositions' unmatched rows); ids the
	// leads' ids for a did-you-mean, kept only while few enough for one.
	seen := map[string]bool{}
	failedAt := map[string]int{} // the first line of each lead id whose row failed
	// used numbers the leads counted, lines[n] the line of lead n: ids in
	// an arena (idset), not a million strings in a map for the collector
	// to scan.
	var used idset.Set
	var lines []int
	var ids []string
	rows, failed := 0, 0
	var unknown scoring.UnknownTally
	unusedEvents := 0 // events rows whose lead the file does not have: no lead rows
	lopts.OnError = func(e leadfile.RowError) {
		fmt.Fprintln(stderr, e)
		problems++
		if errors.Is(e.Err, leadfile.ErrNoLeadForEvent) { // not those of a failed lead, counted with it
			unusedEvents++
		}
	}
	// Each lead is decoded, checked and worked out (its timeline, its score
	// at the hand-off) on every core; only what the report keeps of it comes
	// back, filed in input order.
	type leadResult struct {
		id      string
		known   bool // the outcomes file has a row for it (outcomesSeen.known)
		unknown []rules.Unknown
		carried int
		// listed: the dispositions file has verdicts for the lead
		listed bool
		// offered: the lead was decoded and checked, so it counts as seen
		// (and its verdicts as carried) even when scoring it failed
		offered bool
		entry   *feedback.Entry
		err     error
	}
	work := func(_ int, lead scoring.Lead, err error) leadResult {
		out := leadResult{id: lead.ID, known: outcomesRead.known(lead.ID)}
		if err == nil {
			out.unknown = scorer.Unknown(lead)
			if len(out.unknown) > 0 && *strict {
				err = &scoring.UnknownDataError{Unknown: out.unknown}
			}
		}
		if err == nil {
			out.offered, out.carried = true, len(lead.Dispositions)
			listed := set.For(lead.ID)
			out.listed = len(listed) > 0
			lead.Dispositions = append(lead.Dispositions, listed...)
			out.entry, err = b.Prepare(lead, won[lead.ID])
		}
		out.err = err
		return out
	}
	use := func(line int, lr leadResult) error {
		rows++
		outcomesRead.note(lr.id, lr.known)
		unknown.Add(lr.unknown)
		if lr.offered {
			if lr.listed {
				seen[lr.id] = true
			}
			if len(ids) <= feedback.MaxSuggest { // one more says "too many"
				ids = append(ids, lr.id)
			}
			carried += lr.carried
		}
		err := lr.err
		// A lead given twice counts once, at its first row that could be
		// scored; a later row fails (a pipeline's workers keep the same).
		if err == nil {
			if n := used.Find(lr.id); n >= 0 {
				err = fmt.Errorf("appears twice (first on line %d); give each lead one row", lines[n])
			}
		}
		if err == nil {
			if _, err := used.Add(lr.id); err != nil {
				return err
			}
			lines = append(lines, line)
			b.File(lr.entry)
		}
		if err != nil {
			failed++
			if lr.id != "" && failedAt[lr.id] == 0 {
				failedAt[lr.id] = line
			}
			fmt.Fprintln(stderr, leadfile.RowError{File: *leadsFile, Line: line, LeadID: lr.id, Err: unwrapScoring(err)})
		}
		return nil
	}
	err = leadfile.Map(lopts, work, use)
	if err != nil {
		return fail("%v", err)
	}
	for _, e := range set.Unmatched(func(id string) bool { return seen[id] || failedAt[id] > 0 }, ids) {
		fmt.Fprintf(stderr, "%s:%d: %v\n", *dispositionsFile, e.Line, e.Err)
		dn.Read--
		dn.Failed++
	}
	// The verdicts of a lead whose every row failed: the lead is in the
	// file, so they are not said to name no lead.
	for _, e := range set.Unmatched(func(id string) bool { return seen[id] || failedAt[id] == 0 }, nil) {
		fmt.Fprintf(stderr, "%s:%d: lead %s failed (%s:%d, above), so its verdict is left out with it; fix that row and run again\n", *dispositionsFile, e.Line, e.ID, *leadsFile, failedAt[e.ID])
		dn.Read--
		dn.Failed++
	}
	if set == nil && carried == 0 {
		return fail("no verdict to report: give sales' verdicts with %s FILE (a CSV with lead_id, at, status, reason), or in the leads themselves (\"dispositions\": [{\"at\", \"status\", \"reason\"}] beside \"events\")", c.flag("dispositions"))
	}
	unmatched, unmatchedNote := outcomesRead.report(stderr, *outcomesFile)
	problems += unmatched
	rep := b.Report()
	// Rows that failed are left out of every figure: the report says so,
	// beside the figures, not only on stderr.
	rep.Warnings = append(rep.Warnings, feedback.FailedRows(dn, feedback.Counts{Rows: rows, Failed: failed})...)
	if unmatchedNote != "" {
		rep.Warnings = append(rep.Warnings, unmatchedNote)
	}
	switch *format {
	case "html":
		err = writeHTML(stdout, "What sales said: "+rep.Model, "As of "+rep.AsOf.Format(time.RFC3339), *currency, withWarnings(summaryOf(htmlreport.FeedbackSummary(rep, "")), htmlreport.FirstScreenWarnings(nil, rep, nil)), htmlreport.FeedbackSection(rep, ""))
	default:
		err = writeFeedback(stdout, stderr, rep, *format)
	}
	if err != nil {
		return fail("%v", err)
	}
	writeUnknown(stderr, unknown)
	// The verdicts the report left out (before the hand-off, or after the
	// verdict that counts) are not used: the counts reconcile, rows =
	// used + left out + failed. With verdicts carried by the leads, which
	// of them a left-out verdict came from is not known, so the note says
	// them of all the verdicts.
	carriedNote, leftOut, usedRows := "", leftOutNote(rep), dn.Read
	switch {
	case carried > 0:
		carriedNote = fmt.Sprintf("; %d %s carried by the leads", carried, numfmt.Noun(carried, "verdict"))
		if leftOut != "" {
			carriedNote += "; of all the verdicts" + leftOut
			leftOut = ""
		}
	default:
		usedRows -= len(rep.EarlyVerdicts) + rep.LaterVerdicts
		// Verdicts dated after the as-of time did not exist then: the
		// report is as of --at, so they are not used either (a year
		// typed wrong lands here too).
		after, note := verdictsAfter(stderr, *dispositionsFile, "lead", set, asOf, func(id string) bool { return seen[id] })
		usedRows -= after
		leftOut += note
	}
	fmt.Fprintf(stderr, "%d lead %s: %d used, %d failed; %d disposition %s: %d used%s, %d failed%s\n", rows, numfmt.Noun(rows, "row"), rows-failed, failed, dn.Rows, numfmt.Noun(dn.Rows, "row"), usedRows, leftOut, dn.Failed, carriedNote)
	if unusedEvents > 0 {
		fmt.Fprintf(stderr, "%s name a lead_id no lead row has; they were not used\n", countOf(unusedEvents, "event row"))
	}
	if failed > 0 || dn.Failed > 0 || problems > 0 {
		return exitProblem
	}
	return exitOK
}

// readDispositions reads a dispositions file against a model's catalogue,
// rows of at most maxRow bytes (0: the default, 4 MiB), printing each bad
// row with its line; nil and the exit code when the file cannot be read at
// all.
func readDispositions(name string, m *rules.Model, maxRow int, stderr io.Writer) (*feedback.Set, feedback.Counts, int) {
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(stderr, "leadscore: %v\n", err)
		return nil, feedback.Counts{}, exitUsage
	}
	defer f.Close()
	set, n, err := feedback.ReadDispositionsLimit(f, m.Handoff, maxRow, func(line int, err error) {
		fmt.Fprintf(stderr, "%s:%d: %v\n", name, line, err)
	})
	if err != nil {
		fmt.Fprintf(stderr, "leadscore: %s: %v\n", name, err)
		return nil, n, exitUsage
	}
	return set, n, exitOK
}

// unwrapScoring drops the *scoring.Error around a lead's error: the row
// error names the lead already.
func unwrapScoring(err error) error {
	if se, ok := err.(*scoring.Error); ok {
		return se.Err
	}
	return err
}

// writeFeedback writes a feedback report as text, markdown, json or csv
// (its warnings on stderr: see csvWarnings).
func writeFeedback(w, stderr io.Writer, rep *feedback.Report, format string) error {
	switch format {
	case "markdown":
		return rep.WriteMarkdown(w)
	case "json":
		return rep.WriteJSON(w)
	case "csv":
		csvWarnings(stderr, "feedback", rep.Warnings, nil)
		return rep.WriteCSV(w)
	default:
		return rep.WriteText(w)
	}
}

// leftOutNote says the verdicts a report left out, each kind after a
// comma ("" when none).
// verdictsAfter says the verdicts of the set dated after asOf, of the ids
// seen takes (unit: "lead" or "account"), each as a warning on stderr (the
// report as of asOf leaves them out: a year typed wrong lands here), and
// returns how many and the footer's words for them ("" for none).
func verdictsAfter(stderr io.Writer, file, unit string, set *feedback.Set, asOf time.Time, seen func(string) bool) (int, string) {
	ids := set.Leads()
	sort.Strings(ids)
	n := 0
	for _, id := range ids {
		if !seen(id) {
			continue
		}
		for _, d := range set.For(id) {
			if !d.At.After(asOf) {
				continue
			}
			if n < maxShownErrors {
				fmt.Fprintf(stderr, "%s: warning: %s %s: %s on %s is after the as-of time %s, so the report leaves it out; check the date, or give a later --at\n", file, unit, id, d, d.At.Format(time.RFC3339), asOf.Format(time.RFC3339))
			}
			n++
		}
	}
	if n == 0 {
		return 0, ""
	}
	if n > maxShownErrors {
		fmt.Fprintf(stderr, "%s: warning: and %d more verdicts dated after the as-of time\n", file, n-maxShownErrors)
	}
	return n, fmt.Sprintf(", %d dated after the as-of time %s (not yet given then)", n, asOf.Format(time.RFC3339))
}

func leftOutNote(rep *feedback.Report) string {
	s := ""
	if n := len(rep.EarlyVerdicts); n > 0 {
		s += fmt.Sprintf(", %d dated before the hand-off (ignored)", n)
	}
	if n := rep.LaterVerdicts; n > 0 {
		s += fmt.Sprintf(", %d %s of %ss that already had one (the first counts)", n, numfmt.Noun(n, "later verdict"), rep.Noun())
	}
	return s
}
