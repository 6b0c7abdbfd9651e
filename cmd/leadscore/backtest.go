package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func runBacktest(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return backtestAs(commandLine("backtest"), args, stdout, stderr)
}

// backtestAs runs backtest for c: its messages name c's flags.
func backtestAs(c caller, args []string, stdout, stderr io.Writer) int {
	defer boundHeap()() // the heap near what is live: see boundHeap
	fs := flag.NewFlagSet("backtest", flag.ContinueOnError)
	maxRow := maxRowFlag(fs)
	model := fs.String("model", "", "rule file (required)")
	leadsFile := fs.String("leads", "", "leads with their events: NDJSON, or CSV with --events (or give the file as the argument)")
	events := fs.String("events", "", "CSV events file for CSV leads")
	noEvents := noEventsFlag(fs)
	outcomesFile := fs.String("outcomes", "", "CRM outcomes (required): CSV with lead_id, opportunity, won, revenue and optionally lost")
	at := fs.String("at", "", "the snapshot T0 (required): every lead is scored as it stood then (2026-07-01 or RFC 3339)")
	until := fs.String("until", "", "the end of the outcome window T1: outcomes in (T0, T1] count; default: no end")
	createdField := fs.String("created-field", "created_at", "the lead field that holds when the lead was created; leads created after T0 are left out")
	format := fs.String("format", "table", "report format: table, markdown, csv, json or html (one page with charts and the capacity control)")
	currency := currencyFlag(fs)
	bandWidth := fs.Float64("band-width", 20, "width of the fixed score bands, in points")
	capacity := fs.String("capacity", "", "leads sales can work, such as 40/week or 160/month (a month is 30 days): the threshold whose weekly flow matches it")
	on := fs.String("on", "", "with --capacity, the category the threshold is on (such as fit); default: the total")
	history := fs.String("history", "", "with --capacity (or --accounts: the hand-offs per week), measure flows over this long before T0 (such as 26w); default: 13w, never before the first lead")
	minWon := fs.Int("min-won", backtest.DefaultMinWon, "the fewest won deals a conclusion may rest on: below it, rule verdicts, calibration and suggested points are withheld, and warnings name every figure resting on fewer")
	suggest := fs.Bool("suggest", false, "fit points for the model's rules from the outcomes and write the rule file to -o")
	output := fs.String("o", "", "with --suggest, the proposed rule file (only its points differ from --model)")
	reference := fs.String("reference", "", "a second set of leads (NDJSON, or CSV with --reference-events): the drift of the score and of each rule")
	refEvents := fs.String("reference-events", "", "CSV events file for CSV --reference leads")
	refAt := fs.String("reference-at", "", "score the --reference leads as of this time; default: --at")
	every := fs.String("every", "", "with --from, repeat the backtest every this long (such as 4w) from --from up to --at: AUC and the sales-ready precision at each snapshot, in windows as long as the main one")
	from := fs.String("from", "", "with --every, the first snapshot of the stability table (2026-04-01 or RFC 3339); the last is always --at")
	dispositionsFile := fs.String("dispositions", "", "sales' verdicts (CSV: lead_id, at, status, reason): sales-accepted as a label beside won, rejections as evidence against rules")
	strict := strictDataFlag(fs)
	sourceFile := sourceFlag(fs)
	accountsFile := fs.String("accounts", "", "backtest the sales-ready account definition: the accounts file (NDJSON or CSV) of the model's accounts section;\n--outcomes is then by account (account_id, opportunity, won, revenue, lost)")
	holdout := fs.Bool("holdout", false, "the causal lift of the hand-off, from the model's holdout section: won rate and revenue per lead,\ntreated against control, among the sales-ready leads and overall, with 95% intervals and the power;\nwith withhold: {challenger: FILE}, both definitions side by side on their own groups")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore backtest --model FILE --outcomes FILE --at T0 [--until T1] [--capacity N/week [--on CATEGORY]]")
		fmt.Fprintln(stderr, "                          [--suggest -o FILE] [--reference LEADS] [--dispositions FILE] [--every 4w --from T] [--holdout]")
		fmt.Fprintln(stderr, "                          [--format F] [flags] LEADS")
		fmt.Fprintln(stderr, "\nTests the sales-ready definition against CRM outcomes, with no hindsight: every lead is")
		fmt.Fprintln(stderr, "scored as it stood at T0 and labelled with what happened in (T0, T1]; leads created after")
		fmt.Fprintln(stderr, "T0, and leads won, lost or already an opportunity by T0, are left out and counted. The report")
		fmt.Fprintln(stderr, "judges the definition as a classifier of won deals (precision, recall, missed revenue), shows")
		fmt.Fprintln(stderr, "conversion by stage, grade and score band, AUC, KS, calibration and each rule's signal.")
		fmt.Fprintln(stderr, "With --every and --from, the backtest is repeated at snapshots from --from up to --at, in one")
		fmt.Fprintln(stderr, "pass over the leads: AUC and the sales-ready precision at each, and whether they move beyond noise.")
		fmt.Fprintln(stderr, "With --holdout, the model's holdout experiment, by intent to treat: the lift of the hand-off (or of")
		fmt.Fprintln(stderr, "the champion over its challenger), treated against control, withheld when the groups are too small,")
		fmt.Fprintln(stderr, "their split is off the share, or the interval includes 0 (see docs/guide/holdouts.md).")
		fmt.Fprintln(stderr, "With --accounts, the accounts are backtested instead: won opportunities by account id, each account")
		fmt.Fprintln(stderr, "scored at T0 from its fields and its people then; AUC, the sales-ready account definition's precision")
		fmt.Fprintln(stderr, "and recall, conversion by account stage, and hand-offs per week (see docs/guide/accounts.md).")
		fmt.Fprintln(stderr, "A bad lead or outcome row is reported with its line and left out; the run goes on.")
		fmt.Fprintln(stderr, "Exit status: 0 every row used, 1 some rows failed, 2 the run could not start.")
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
	switch {
	case *leadsFile == "" && len(inputs) == 1:
		*leadsFile = inputs[0]
	case len(inputs) > 1 || (*leadsFile != "" && len(inputs) > 0):
		return fail("give one leads file, not %d", len(inputs)+min(1, len(*leadsFile)))
	}
	if *model == "" {
		return fail("%s is required: the rule file to test", c.flag("model"))
	}
	if *leadsFile == "" {
		return fail("give the leads file, with their events (NDJSON, or CSV with %s)", c.flag("events"))
	}
	if *outcomesFile == "" {
		return fail("%s is required: the CRM outcomes (lead_id, opportunity, won, revenue, and optionally lost)", c.flag("outcomes"))
	}
	if *at == "" {
		return fail("%[1]s is required: the snapshot time T0 every lead is scored at, such as %[1]s 2026-07-01", c.flag("at"))
	}
	if *minWon < 1 {
		return fail("%s: want at least 1 won deal, got %d", c.flag("min-won"), *minWon)
	}
	// --suggest ranks the leads from their traces, kept in a temporary
	// file as they are measured; it reads again only the leads a trace
	// cannot keep, and keeps the leads when the file cannot be read twice
	// (a pipe).
	opts := backtest.Options{CreatedField: *createdField, BandWidth: *bandWidth, Suggest: *suggest && !regularFile(*leadsFile, *events), Trace: *suggest, MinWon: *minWon, Dispositions: *dispositionsFile != ""}
	var err error
	if opts.At, err = dsl.ParseTime(*at); err != nil {
		return fail("%s: %v", c.flag("at"), err)
	}
	if *until != "" {
		if opts.Until, err = dsl.ParseTime(*until); err != nil {
			return fail("%s: %v", c.flag("until"), err)
		}
		if !opts.Until.After(opts.At) {
			return fail("the end of the outcome window (%s %s) must come after the snapshot (%s %s)",
				c.flag("until"), opts.Until.Format(time.RFC3339), c.flag("at"), opts.At.Format(time.RFC3339))
		}
	}
	if *bandWidth <= 0 {
		return fail("%s: want a positive number of points, got %v", c.flag("band-width"), *bandWidth)
	}
	if *capacity != "" {
		if opts.Capacity, err = backtest.ParseCapacity(*capacity); err != nil {
			return fail("%s: %v", c.flag("capacity"), err)
		}
		opts.Capacity.On = *on
		if *history != "" {
			if opts.Capacity.History, err = dsl.ParseDuration(*history); err != nil {
				return fail("%s: %v", c.flag("history"), err)
			}
			if period := backtest.Period(opts.Capacity.Unit); opts.Capacity.History < period {
				return fail("%s %s is shorter than one %s, the unit of %s; measure the flows over whole %ss, such as %s 13w",
					c.flag("history"), *history, opts.Capacity.Unit, c.flag("capacity"), opts.Capacity.Unit, c.flag("history"))
			}
		}
	} else if (*on != "" || *history != "") && *accountsFile == "" { // --accounts takes --history alone
		return fail("%s and %s go with %s, such as %s 40/week %s fit", c.flag("on"), c.flag("history"), c.flag("capacity"), c.flag("capacity"), c.flag("on"))
	}
	if *suggest && *output == "" {
		return fail("%s needs %s FILE, where to write the proposed rule file", c.flag("suggest"), c.flag("o"))
	}
	if !*suggest && *output != "" {
		return fail("%s goes with %s: it names the proposed rule file", c.flag("o"), c.flag("suggest"))
	}
	if *output != "" && sameFile(*output, *model) {
		return fail("%s %s is the model itself; write the proposal to another file, and review it with leadscore diff", c.flag("o"), *output)
	}
	switch *format {
	case "table", "markdown", "csv", "json", "html":
	default:
		return fail("unknown %s %q; use table, markdown, csv, json or html", c.flag("format"), *format)
	}
	if *accountsFile != "" {
		return backtestAccounts(c, fs, accountsBacktest{model: *model, accounts: *accountsFile, leads: *leadsFile, events: *events, outcomes: *outcomesFile,
			source: *sourceFile, format: *format, currency: *currency, noEvents: *noEvents, strict: *strict, maxRow: maxRow.n, history: *history,
			opts: accountsAt(opts.At, opts.Until, *createdField, *minWon)}, stdout, stderr)
	}
	var snapshots []time.Time
	switch {
	case *every != "" && *from == "":
		return fail("%[1]s goes with %[2]s: give the first snapshot, such as %[2]s 2026-04-01 %[1]s %[3]s", c.flag("every"), c.flag("from"), *every)
	case *from != "" && *every == "":
		return fail("%[1]s goes with %[2]s: give the step between snapshots, such as %[1]s %[3]s %[2]s 4w", c.flag("from"), c.flag("every"), *from)
	case *every != "":
		step, err := dsl.ParseDuration(*every)
		if err != nil {
			return fail("%s: %v", c.flag("every"), err)
		}
		start, err := dsl.ParseTime(*from)
		if err != nil {
			return fail("%s: %v", c.flag("from"), err)
		}
		if start.After(opts.At) {
			return fail("%s %s comes after %s %s: the snapshots run from %s up to %s; choose a %s before %s",
				c.flag("from"), start.Format(time.RFC3339), c.flag("at"), opts.At.Format(time.RFC3339), c.flag("from"), c.flag("at"), c.flag("from"), c.flag("at"))
		}
		if n := backtest.SnapshotCount(start, opts.At, step); n > backtest.MaxSnapshots {
			return fail("%s %s %s %s gives %d snapshots up to %s, more than %d; choose a longer %s, such as %s, or a later %s",
				c.flag("from"), *from, c.flag("every"), *every, n, c.flag("at"), backtest.MaxSnapshots, c.flag("every"), dsl.FormatDuration(backtest.StepFor(start, opts.At)), c.flag("from"))
		}
		if snapshots, err = backtest.Snapshots(start, opts.At, step); err != nil {
			return fail("%s, %s: %v", c.flag("from"), c.flag("every"), err)
		}
	}
	referenceAt := opts.At
	if *refAt != "" {
		if *reference == "" {
			return fail("%s goes with %s", c.flag("reference-at"), c.flag("reference"))
		}
		if referenceAt, err = dsl.ParseTime(*refAt); err != nil {
			return fail("%s: %v", c.flag("reference-at"), err)
		}
	}

	scorer, code := loadScorer(*model, stderr)
	if scorer == nil {
		return code
	}
	if *strict {
		scorer = scorerFor(scorer.Model(), true)
	}
	if err := checkCreatedField(c, scorer.Model(), *createdField, flagSet(fs, "created-field")); err != nil {
		return fail("%v", err)
	}
	// The created field is read (leads created after T0 are left out),
	// so it is no unknown data, declared or not.
	scorer = scoring.New(scorer.Model(), scoring.WithUnknownData(scorer.UnknownData()), scoring.WithCreatedField(*createdField))
	if doc := scorer.Model().Document; *output != "" && doc != nil && len(doc.Files) > 1 && !sameDir(*output, *model) {
		return fail("%[1]s %[2]s: the model includes %[3]s, read from the model's directory; write the proposal beside the model, such as %[1]s %[4]s, so that it compiles",
			c.flag("o"), *output, strings.Join(doc.Files[1:], ", "), filepath.Join(filepath.Dir(*model), strings.TrimSuffix(filepath.Base(*model), filepath.Ext(*model))+"-proposed.yaml"))
	}
	var challenger *scoring.Scorer
	if *holdout {
		h := scorer.Model().Holdout
		if h == nil {
			return fail("%s: %s has no holdout section; add one, such as holdout: {share: 0.1, seed: q3-holdout, withhold: handoff} (see docs/guide/holdouts.md)", c.flag("holdout"), *model)
		}
		if h.Withhold == dsl.WithholdChallenger {
			if ds := challengerDiagnostics(scorer.Model()); len(ds) > 0 {
				ds.Write(stderr)
				return fail("%s: the holdout's challenger cannot be used", c.flag("holdout"))
			}
			if challenger, code = loadScorer(h.ChallengerPath, stderr); challenger == nil {
				return code
			}
		}
	}
	outcomes := map[string]attribution.Outcome{}
	n, err := readOutcomes(*outcomesFile, &outcomes, stderr)
	if err != nil {
		return fail("%s: %v", *outcomesFile, err)
	}
	problems := n.Failed
	// The leads' verdicts change how every lead is measured: each is
	// replayed up to T1 for the verdict view (backtest.Options.Dispositions).
	// A leads file that can be read again is not searched for them before
	// it is read: the leads are measured as if it carried none, and should
	// a row name "dispositions" they are all measured again, from the
	// start, with the verdict view (see measure).
	var (
		bt                                  *backtest.Backtest
		hold                                *backtest.Holdout
		stability                           *backtest.Stability
		verdicts                            *feedback.Set
		dn                                  feedback.Counts
		added                               []int // the line of each lead the backtest added, in the order added
		rows, failed, unusedEvents          int
		refRows, refFailed, refUnusedEvents int
	)
	ctx := context.Background()
	toStderr, failNow := stderr, fail
	// measure reads the leads (and the reference leads) into a new
	// backtest, and returns the exit code when that failed (-1 when it did
	// not). With carried, it stops at the first row that names
	// "dispositions" and says so (again), as it does when a row too long
	// to be read (so not looked at) may name them and the file does:
	// what it wrote to stderr is then dropped, so that the second reading
	// tells each row's error once.
	measure := func(opts backtest.Options, carried *atomic.Bool) (code int, again bool) {
		unread := 0       // with carried, rows too long to be read, which Spot did not see
		added = added[:0] // the lines of an abandoned reading's leads are not this one's
		stderr := toStderr
		var held bytes.Buffer
		if carried != nil {
			stderr = &held
		}
		defer func() {
			if !again {
				toStderr.Write(held.Bytes())
			}
		}()
		fail := func(format string, a ...any) int {
			toStderr.Write(held.Bytes())
			held.Reset()
			return failNow(format, a...)
		}
		var err error
		bt, err = backtest.New(scorer, outcomes, opts)
		if err != nil {
			if *on != "" && scorer.Model().Category(*on) == nil {
				return fail("%s %s: %v", c.flag("on"), *on, err), false
			}
			return fail("%v", err), false
		}
		var holdSrc *backtest.HoldoutSource
		if *holdout {
			name := ""
			if challenger != nil {
				name = scorer.Model().Holdout.ChallengerPath
			}
			hold = backtest.NewHoldout(scorer.Model().Holdout, *model, name)
			holdSrc = &backtest.HoldoutSource{Champion: scorer, Challenger: challenger, Outcomes: outcomes, Until: opts.Until, CreatedField: opts.CreatedField}
		}
		if snapshots != nil {
			if stability, err = backtest.NewStability(scorer, outcomes, opts, snapshots); err != nil {
				return fail("%v", err), false
			}
		}
		// read reads a leads file on every core: measure runs on each lead
		// at once, file files the results in input order.
		// onFailed, when set, is given the id of each lead that failed ("" when
		// its row failed before its id could be read). The events rows whose
		// lead the file does not have are no lead rows: they are counted apart
		// (unusedEvents), as score counts them, and name no failed lead.
		read := func(name, eventsName, what string, measure func(scoring.Lead) any, file func(line int, m any) error, onFailed func(id string)) (rows, failed, unusedEvents int, err error) {
			lopts := leadfile.Options{Scorer: scorer, MaxRow: maxRow.n, NoEvents: *noEvents, Bound: true}
			if carried != nil && name == *leadsFile {
				lopts.Spot = func(raw []byte) {
					if !carried.Load() && bytes.Contains(raw, verdictsKey) {
						carried.Store(true)
					}
				}
			}
			closeLeads, err := openLeadsVia(&lopts, name, "", eventsName, *sourceFile, stderr)
			defer closeLeads()
			if err != nil {
				return 0, 0, 0, err
			}
			var unknown scoring.UnknownTally
			shown := 0
			shownEvents := 0
			lopts.OnError = func(e leadfile.RowError) { // only events rows: lead rows fail through Map
				if shownEvents < maxShownErrors {
					fmt.Fprintln(stderr, e)
				}
				shownEvents++
				if errors.Is(e.Err, leadfile.ErrNoLeadForEvent) { // not those of a failed lead, counted with it
					unusedEvents++
				}
			}
			type measured struct {
				unknown []rules.Unknown
				m       any
				err     error // the row's: it could not be decoded
			}
			err = leadfile.Map(lopts, func(_ int, lead scoring.Lead, err error) measured {
				if err != nil {
					return measured{err: err}
				}
				return measured{unknown: scorer.Unknown(lead), m: measure(lead)}
			}, func(line int, r measured) error {
				if carried != nil && carried.Load() {
					return errCarriesVerdicts // measured again, with the verdict view
				}
				rows++
				err := r.err
				if carried != nil && errors.Is(err, bounded.ErrRowTooLong) {
					unread++ // its text was not seen (Spot)
				}
				if err == nil {
					unknown.Add(r.unknown)
					err = file(line, r.m)
				}
				if err != nil {
					failed++
					if onFailed != nil {
						var le *scoring.Error
						var ie *idError
						id := ""
						switch {
						case errors.As(err, &ie):
							id = ie.id
						case errors.As(err, &le):
							id = le.LeadID
						}
						onFailed(id)
					}
					if shown < maxShownErrors {
						fmt.Fprintf(stderr, "%s:%d: %v\n", name, line, err)
					}
					shown++
				}
				return nil
			})
			for _, l := range unknown.Lines() {
				fmt.Fprintf(stderr, "%s: warning: %s: %s\n", c.name, what, l)
			}
			if shownEvents > maxShownErrors {
				fmt.Fprintf(stderr, "(%d more events rows that no lead used are not shown here)\n", shownEvents-maxShownErrors)
			}
			return rows, failed, unusedEvents, err
		}
		seen := map[string]bool{}
		if *dispositionsFile != "" {
			set, n, code := readDispositions(*dispositionsFile, scorer.Model(), maxRow.n, stderr)
			if set == nil {
				return code, false
			}
			verdicts, dn = set, n
		}
		type both struct {
			main  *backtest.Measured
			known bool // the outcomes file has a row for the lead (outcomesSeen.known)
			snap  []*backtest.Measured
			hold  *backtest.HoldoutMeasured // the holdout comparison's, with --holdout
		}
		outcomesRead := newOutcomesSeen(outcomes) // the outcome rows naming no lead are named
		rows, failed, unusedEvents, err = read(*leadsFile, *events, "leads", func(l scoring.Lead) any {
			if verdicts != nil {
				l.Dispositions = append(l.Dispositions, verdicts.For(l.ID)...)
			}
			b := both{main: bt.Measure(ctx, l), known: outcomesRead.known(l.ID)}
			if stability != nil {
				b.snap = stability.Measure(ctx, l)
			}
			if hold != nil {
				b.hold = hold.Measure(ctx, holdSrc, l)
			}
			return b
		}, func(line int, r any) error {
			b := r.(both)
			outcomesRead.note(b.main.ID(), b.known)
			if verdicts != nil {
				seen[b.main.ID()] = true
			}
			if err := bt.AddMeasured(b.main); err != nil {
				return &idError{b.main.ID(), err} // onFailed notes it, once
			}
			if hold != nil {
				hold.AddMeasured(b.hold) // a lead the challenger cannot score leaves only the comparison
			}
			added = append(added, line)
			if stability == nil {
				return nil
			}
			return stability.AddMeasured(b.snap)
		}, func(id string) { bt.LeadFailed(id); outcomesRead.saw(id) }) // once per failed row; a lead that failed is in the file: its outcome row names it
		if errors.Is(err, errCarriesVerdicts) {
			return 0, true
		}
		if err == nil && unread > 0 && carriesVerdicts(*leadsFile) {
			return 0, true // a row too long to be read names them: the whole file was searched
		}
		if err != nil {
			return fail("%v", err), false
		}
		if verdicts != nil {
			ids := make([]string, 0, len(seen))
			for id := range seen {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, e := range verdicts.Unmatched(func(id string) bool { return seen[id] }, ids) {
				fmt.Fprintf(stderr, "%s:%d: %v\n", *dispositionsFile, e.Line, e.Err)
				dn.Read--
				dn.Failed++
			}
			problems += dn.Failed
		}
		unmatched, _ := outcomesRead.report(stderr, *outcomesFile) // the report counts them too
		problems += unmatched
		if *reference != "" {
			refRows, refFailed, refUnusedEvents, err = read(*reference, *refEvents, "reference leads", func(l scoring.Lead) any { return l },
				func(_ int, l any) error { return bt.AddReference(ctx, l.(scoring.Lead), referenceAt) }, nil)
			if me := (*leadfile.MissingEventsError)(nil); errors.As(err, &me) {
				me.Flag = c.flag("reference-events")
			}
			if err != nil {
				return fail("%v", err), false
			}
		}
		return -1, false
	}
	var carried *atomic.Bool
	if !opts.Dispositions && rereadableNDJSON(*leadsFile, *events, *sourceFile) {
		carried = new(atomic.Bool)
	}
	code, carry := measure(opts, carried)
	if carry {
		bt.Close()
		opts.Dispositions = true
		code, _ = measure(opts, nil)
	}
	if bt != nil {
		defer bt.Close()
	}
	if verdicts != nil {
		defer func() {
			fmt.Fprintf(stderr, "%s: %d disposition %s: %d read, %d failed\n", *dispositionsFile, dn.Rows, numfmt.Noun(dn.Rows, "row"), dn.Read, dn.Failed)
		}()
	}
	if code >= 0 {
		return code
	}
	// again reads the leads file once more, on every core, for the
	// suggested points: only the rows of the leads want asks for are
	// decoded.
	place := func(line int) int {
		if i := sort.SearchInts(added, line); i < len(added) && added[i] == line {
			return i
		}
		return -1
	}
	again := func(ctx context.Context, want func(int) bool, each func(int, scoring.Lead) error) error {
		lopts := leadfile.Options{Scorer: scorer, MaxRow: maxRow.n, NoEvents: *noEvents, Bound: true, OnError: func(leadfile.RowError) {}}
		lopts.Only = func(line int) bool { i := place(line); return i >= 0 && want(i) }
		closeLeads, err := openLeadsVia(&lopts, *leadsFile, "", *events, *sourceFile, io.Discard)
		defer closeLeads()
		if err != nil {
			return err
		}
		return leadfile.Map(lopts, func(line int, lead scoring.Lead, err error) error {
			if err != nil {
				return fmt.Errorf("%s:%d: the file changed since it was read: %v", *leadsFile, line, err)
			}
			if verdicts != nil {
				lead.Dispositions = append(lead.Dispositions, verdicts.For(lead.ID)...)
			}
			return each(place(line), lead)
		}, func(_ int, err error) error { return err })
	}
	rep := bt.Report()
	if stability != nil {
		rep.SetStability(stability.Report())
	}
	if hold != nil {
		rep.SetHoldout(hold.Report())
	}
	if *suggest {
		src, err := dsl.ReadFile(*model)
		if err != nil {
			return fail("%v", err)
		}
		if err := bt.TraceError(); err != nil {
			fmt.Fprintf(stderr, "%s: warning: %s: the leads' traces could not all be kept in a temporary file (%v), so the suggestion reads again the leads whose traces it lacks: the same result, more slowly; set TMPDIR to a directory with room to write\n", c.name, c.flag("suggest"), err)
		}
		suggestFrom := func() (*backtest.Suggestion, []byte, error) { return bt.SuggestFrom(ctx, *model, src, nil, again) }
		if opts.Suggest { // the leads were kept
			suggestFrom = func() (*backtest.Suggestion, []byte, error) { return bt.Suggest(ctx, *model, src, nil) }
		}
		s, proposed, err := suggestFrom()
		if err != nil {
			return fail("%s: %v", c.flag("suggest"), err)
		}
		if s.Withheld == "" {
			if err := os.WriteFile(*output, proposed, 0o644); err != nil {
				return fail("%v", err)
			}
		}
		rep.SetSuggestion(s)
	}
	switch *format {
	case "markdown":
		err = rep.WriteMarkdown(stdout)
	case "csv":
		csvWarnings(stderr, "backtest", rep.Warnings, rep.Notes)
		err = rep.WriteCSV(stdout)
	case "json":
		err = rep.WriteJSON(stdout)
	case "html":
		err = writeHTML(stdout, "Backtest: "+rep.Model, "Snapshot at "+rep.At.Format(time.RFC3339), *currency, withWarnings(summaryOf(htmlreport.BacktestSummary(rep, "")), htmlreport.FirstScreenWarnings(rep, nil, nil)), htmlreport.BacktestSections(rep, "")...)
	default:
		err = rep.WriteText(stdout)
	}
	if err != nil {
		return fail("%v", err)
	}
	counts := rep.Leads
	fmt.Fprintf(stderr, "%d lead rows read: %d failed, %d used = %d in the backtest + %d not created by T0 + %d won or lost by T0 + %d open opportunities at T0\n",
		rows, failed, counts.Added, counts.InBacktest, counts.NotCreated, counts.Decided, counts.OpenOpportunity)
	if unusedEvents > 0 {
		fmt.Fprintf(stderr, "%s name a lead_id no lead row has; they were not used\n", countOf(unusedEvents, "event row"))
	}
	if *reference != "" {
		fmt.Fprintf(stderr, "%d reference rows read: %d failed, %d scored\n", refRows, refFailed, rep.Drift.Reference)
		if refUnusedEvents > 0 {
			fmt.Fprintf(stderr, "%s name a lead_id no reference lead row has; they were not used\n", countOf(refUnusedEvents, "event row"))
		}
	}
	if *suggest && rep.Suggestion.Withheld != "" {
		fmt.Fprintf(stderr, "%s not written: suggested points withheld: %s\n", *output, rep.Suggestion.Withheld)
	} else if *suggest {
		hint := []string{"leadscore", "diff", *model, *output, "--leads", *leadsFile}
		if *events != "" {
			hint = append(hint, "--events", *events)
		}
		if *noEvents {
			hint = append(hint, "--no-events")
		}
		if *sourceFile != "" {
			hint = append(hint, "--source", *sourceFile)
		}
		hint = append(hint, "--at", opts.At.Format(time.RFC3339))
		fmt.Fprintf(stderr, "wrote %s: only points differ from %s; review it with: %s\n", *output, *model, shellWords(hint))
	}
	if failed > 0 || refFailed > 0 || problems > 0 || unusedEvents > 0 || refUnusedEvents > 0 {
		return exitProblem
	}
	return exitOK
}

// sameDir reports whether two files are in one directory.
func sameDir(a, b string) bool {
	da, err1 := filepath.Abs(filepath.Dir(a))
	db, err2 := filepath.Abs(filepath.Dir(b))
	return err1 == nil && err2 == nil && da == db
}

// sameFile reports whether two paths name one file.
func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		return strings.EqualFold(a, b) && a == b
	}
	return os.SameFile(fa, fb)
}

// regularFile reports whether every named file (empty names aside) is a
// regular file, which can be read again from the start.
func regularFile(names ...string) bool {
	for _, n := range names {
		if n == "" {
			continue
		}
		fi, err := os.Stat(n)
		if err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// idError is a lead row's error with the id of its lead, which the error
// itself may not carry; it reads as the error.
type idError struct {
	id  string
	err error
}

func (e *idError) Error() string { return e.err.Error() }
func (e *idError) Unwrap() error { return e.err }
