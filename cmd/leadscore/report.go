package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/review"
)

// jointReport is the review page's numbers: each part is the JSON the
// part's own command writes (diff, backtest, feedback,
// attribute), beside the definition at a glance.
type jointReport struct {
	Definition *htmlreport.Definition `json:"definition"`
	Diff       json.RawMessage        `json:"diff,omitempty"`
	Backtest   json.RawMessage        `json:"backtest,omitempty"`
	// BacktestProposed is the same backtest of the proposed definition.
	BacktestProposed json.RawMessage `json:"backtest_proposed,omitempty"`
	Feedback         json.RawMessage `json:"feedback,omitempty"`
	Attribution      json.RawMessage `json:"attribution,omitempty"`
	// Accounts is the account view (with --accounts): score --accounts's
	// rows summed up.
	Accounts *htmlreport.AccountView `json:"accounts,omitempty"`
	// BacktestAccounts is backtest --accounts's report (with --accounts,
	// --backtest-at and --account-outcomes).
	BacktestAccounts json.RawMessage `json:"backtest_accounts,omitempty"`
	// AccountOutcomeErrors are the rows of --account-outcomes the account
	// backtest could not use, each with its line and what is wrong.
	AccountOutcomeErrors []string `json:"account_outcome_errors,omitempty"`
}

func runReport(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	model := fs.String("model", "", "the rule file in force (required)")
	proposed := fs.String("proposed", "", "a proposed version of it (a file or REV:PATH): what the change does")
	leads := fs.String("leads", "", "leads with their events: NDJSON, or CSV with --events (required)")
	events := fs.String("events", "", "CSV events file for CSV leads")
	noEvents := noEventsFlag(fs)
	at := fs.String("at", "", "score as of this time (2026-10-01 or RFC 3339); default: now")
	outcomes := fs.String("outcomes", "", "CRM outcomes (lead_id, opportunity, won, revenue): the funnel, attribution and the backtest")
	costs := fs.String("costs", "", "campaign costs (campaign, cost): ROI")
	models := fs.String("models", "first_touch,last_touch,linear,position_based,w_shaped", "attribution models, side by side")
	dispositions := fs.String("dispositions", "", "sales' verdicts (lead_id, at, status, reason): what sales said")
	maxRow := maxRowFlag(fs)
	backtestAt := fs.String("backtest-at", "", "the backtest's snapshot T0; with --outcomes, adds the backtest and the capacity curve")
	until := fs.String("until", "", "with --backtest-at, the end of the outcome window T1")
	capacity := fs.String("capacity", "", "with --backtest-at, leads sales can work, such as 40/week: the capacity curve and its control")
	backtestLeads := fs.String("backtest-leads", "", "with --backtest-at, leads for the backtest instead of --leads (NDJSON)")
	backtestOutcomes := fs.String("backtest-outcomes", "", "with --backtest-at, outcomes for the backtest instead of --outcomes")
	holdout := fs.Bool("holdout", false, "with --backtest-at, the holdout experiment of the model's holdout section (backtest --holdout):\nthe lift of the hand-off, treated against control, or the champion against its challenger")
	top := fs.Int("top", 10, "how many leads to list as starting or stopping to be sales-ready (and, with --accounts, accounts)")
	accountsFile := fs.String("accounts", "", "the accounts file (NDJSON or CSV) of the model's accounts section: the account view (score --accounts),\nwith --proposed what the change does to accounts, with --account-outcomes the account backtest")
	accountOutcomes := fs.String("account-outcomes", "", "with --accounts and --backtest-at, outcomes by account (account_id, opportunity, won, revenue, lost):\nthe backtest of the sales-ready account definition (backtest --accounts)")
	createdField := fs.String("created-field", "created_at", "the lead field that holds when the lead was created: the attribution leaves out the leads created after\nthe as-of time; with --accounts, a lead created after it is not yet one of its account's people (without\nthe field, from its first event); with --backtest-at, the leads created after T0 are left out of the backtest")
	show := fs.String("show", "", "the lead fields to list beside each lead that starts or stops being sales-ready, comma-separated\n(default: those of company, company.name, account, title, job_title and owner the model declares)")
	format := fs.String("format", "html", "html (one self-contained page) or json (the same numbers)")
	currency := currencyFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore report --model FILE --leads LEADS [--proposed FILE] [--outcomes FILE] [--costs FILE]")
		fmt.Fprintln(stderr, "                        [--dispositions FILE] [--backtest-at T0 [--until T1] [--capacity N/week] [--holdout]]")
		fmt.Fprintln(stderr, "                        [--accounts FILE [--account-outcomes FILE]] [--at TIME] > review.html")
		fmt.Fprintln(stderr, "\nThe joint sales-marketing review on one self-contained HTML page (no network request; prints well):")
		fmt.Fprintln(stderr, "the definition at a glance, what a proposed change does (stage moves, leads starting and stopping")
		fmt.Fprintln(stderr, "being sales-ready), the score distribution of won and not-won leads, lift by band, the capacity")
		fmt.Fprintln(stderr, "curve with a threshold control, the funnel, what sales said, and attribution by model with ROI.")
		fmt.Fprintln(stderr, "Each part is the report of diff, backtest, feedback or attribute run with these inputs; every")
		fmt.Fprintln(stderr, "chart has the table of its numbers beside it, and --format json gives those commands' JSON.")
		fmt.Fprintln(stderr, "With --accounts (the model needs an accounts section), the page has an account view: accounts")
		fmt.Fprintln(stderr, "by stage and grade, the totals' spread and the top accounts with the roles present and missing")
		fmt.Fprintln(stderr, "(score --accounts), with --proposed what the change does to accounts (diff --accounts), and")
		fmt.Fprintln(stderr, "with --backtest-at and --account-outcomes the account backtest (backtest --accounts).")
		fmt.Fprintln(stderr, "Exit status: 0 report written, 1 some rows failed (each named on stderr), 2 the run could not start.")
		fs.PrintDefaults()
	}
	rest, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	// The parts read the same files: a row one names on stderr, another
	// would name again. Each line is said once.
	once := newLinesOnce(stderr)
	defer once.Flush()
	stderr = once
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore report: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case len(rest) > 0:
		return fail("takes no arguments; give the leads with --leads")
	case *model == "":
		return fail("--model is required: the rule file in force")
	case *leads == "":
		return fail("--leads is required: the leads with their events")
	case *format != "html" && *format != "json":
		return fail("unknown --format %q; use html or json", *format)
	case *top < 0:
		return fail("--top %d: give how many leads (and accounts) to list, 0 or more", *top)
	case *accountOutcomes != "" && *accountsFile == "":
		return fail("--account-outcomes are outcomes by account: give the accounts file with --accounts")
	case *accountOutcomes != "" && *backtestAt == "":
		return fail("--account-outcomes go with --backtest-at, the snapshot the accounts are backtested at")
	case *backtestAt != "" && *outcomes == "" && *backtestOutcomes == "" && *accountOutcomes == "":
		return fail("--backtest-at needs --outcomes (or --backtest-outcomes): what happened to the leads after T0; or, with --accounts, --account-outcomes")
	case *backtestAt != "" && *outcomes == "" && *backtestOutcomes == "" && (*capacity != "" || *holdout):
		return fail("--capacity and --holdout are for the backtest of leads, which needs --outcomes (or --backtest-outcomes); the account backtest counts its hand-offs a week without them")
	case *backtestAt == "" && (*until != "" || *capacity != "" || *backtestLeads != "" || *backtestOutcomes != "" || *holdout):
		return fail("--until, --capacity, --holdout, --backtest-leads and --backtest-outcomes go with --backtest-at")
	}
	// created is --created-field for the parts, when given.
	var created []string
	if flagSet(fs, "created-field") {
		created = []string{"--created-field", *createdField}
	}
	asOf, err := asOfTime("--at", *at)
	if err != nil {
		return fail("%v", err)
	}
	when := asOf.Format(time.RFC3339)
	m, _ := compileModel(*model, stderr)
	if m == nil {
		return fail("%s does not compile", *model)
	}
	if *accountsFile != "" && m.Accounts == nil {
		return fail("--accounts: %s has no accounts section; add accounts: (see the accounts section of docs/reference.md)", *model)
	}
	rep := jointReport{Definition: htmlreport.DefinitionOf(m)}
	sections := []htmlreport.Section{htmlreport.DefinitionSection(rep.Definition, "definition.")}
	summary := &htmlreport.Summary{}
	var diffRep *review.Report
	var fbRep *feedback.Report
	var btRep *backtest.Report
	var btaRep *backtest.AccountReport
	outcomeWarning := "" // of the account outcome rows that failed
	status := exitOK
	// part runs one command with --format json and keeps its report; the
	// command's messages name report's flags, as reportParts maps them.
	parts := reportParts(*backtestLeads != "", *backtestOutcomes != "")
	// run runs one command for a part and returns what it wrote.
	run := func(args ...string) ([]byte, bool) {
		var out bytes.Buffer
		p := parts[args[0]]
		code := p.run(p.caller, args[1:], &out, stderr)
		if code == exitUsage {
			fmt.Fprintf(stderr, "leadscore report: the %s part could not run (the reason is above)\n", args[0])
			status = exitUsage
			return nil, false
		}
		if code > status {
			status = code
		}
		return out.Bytes(), true
	}
	part := func(into *json.RawMessage, v any, args ...string) bool {
		out, ok := run(append(args, "--format", "json")...)
		if !ok {
			return false
		}
		if err := json.Unmarshal(out, v); err != nil {
			fmt.Fprintf(stderr, "leadscore report: reading the %s report: %v\n", args[0], err)
			status = exitUsage
			return false
		}
		*into = bytes.TrimSpace(out)
		return true
	}
	withEvents := func(args ...string) []string {
		if *events != "" {
			args = append(args, "--events", *events)
		}
		if *noEvents {
			args = append(args, "--no-events")
		}
		return append(args, "--max-row", maxRow.String())
	}
	if *proposed != "" {
		var r review.Report
		args := appendSet(withEvents("diff", *model, *proposed, "--leads", *leads, "--at", when), "--show", *show, "--outcomes", *outcomes, "--accounts", *accountsFile)
		if *accountsFile != "" {
			args = append(args, created...)
		}
		if !part(&rep.Diff, &r, args...) {
			return status
		}
		sections = append(sections, htmlreport.ReviewSection(&r, "diff.", *top))
		diffRep = &r
	}
	var accountSections []htmlreport.Section
	if *accountsFile != "" {
		// The account view: score --accounts's rows, summed up.
		dir, err := os.MkdirTemp("", "leadscore-report-")
		if err != nil {
			return fail("%v", err)
		}
		defer os.RemoveAll(dir)
		unmatchedFile := filepath.Join(dir, "unmatched.ndjson")
		counts := &htmlreport.LeadCounts{}
		sp := parts["score"]
		sp.caller.leadCounts = counts
		parts["score"] = sp
		out, ok := run(append(withEvents("score", "--model", *model, "--accounts", *accountsFile, "--at", when, "--quiet", "--unmatched", unmatchedFile), append(created, *leads)...)...)
		if !ok {
			return status
		}
		unmatched, err := os.ReadFile(unmatchedFile)
		if err != nil {
			return fail("%v", err)
		}
		v, err := readAccountView(m, *accountsFile, *leads, counts, asOf, out, unmatched, *top)
		if err != nil {
			return fail("%v", err)
		}
		rep.Accounts = v
		summary.Add(htmlreport.AccountViewSummary(v, "accounts."), nil)
		accountSections = append(accountSections, htmlreport.AccountViewSection(v, "accounts."))
		if diffRep != nil {
			if sec := htmlreport.AccountReviewSection(diffRep, "diff.", *top); sec != nil {
				accountSections = append(accountSections, *sec)
			}
		}
		if *accountOutcomes != "" {
			args := []string{"backtest-accounts", "--model", *model, "--accounts", *accountsFile, "--at", *backtestAt, "--outcomes", *accountOutcomes, "--leads", or(*backtestLeads, *leads)}
			if *backtestLeads == "" {
				args = withEvents(args...)
			} else {
				args = append(args, "--max-row", maxRow.String())
			}
			args = append(appendSet(args, "--until", *until), created...)
			var r backtest.AccountReport
			if !part(&rep.BacktestAccounts, &r, args...) {
				return status
			}
			summary.Add(htmlreport.AccountBacktestSummary(&r, "backtest_accounts."), nil)
			btaRep = &r
			secs := htmlreport.AccountBacktestSections(&r, "backtest_accounts.")
			rep.AccountOutcomeErrors = accountOutcomeErrors(*accountOutcomes)
			if w := outcomeRowsWarning(*accountOutcomes, rep.AccountOutcomeErrors); w != "" && len(secs) > 0 {
				secs[0].Warnings = append([]string{w}, secs[0].Warnings...)
				outcomeWarning = w
			}
			accountSections = append(accountSections, secs...)
		}
	}
	if *backtestAt != "" && (*outcomes != "" || *backtestOutcomes != "") {
		args := []string{"backtest", "--model", *model, "--at", *backtestAt, "--outcomes", or(*backtestOutcomes, *outcomes), "--leads", or(*backtestLeads, *leads)}
		if *backtestLeads == "" {
			args = withEvents(args...)
		} else {
			args = append(args, "--max-row", maxRow.String())
		}
		args = append(appendSet(args, "--until", *until, "--capacity", *capacity), created...)
		if *backtestLeads == "" {
			args = appendSet(args, "--dispositions", *dispositions)
		}
		// The proposed definition's backtest (below) runs without
		// --holdout: the experiment is the one in force, and a proposal
		// need not carry its holdout section.
		pargs := append([]string{}, args...)
		if *holdout {
			args = append(args, "--holdout")
		}
		var r backtest.Report
		if !part(&rep.Backtest, &r, args...) {
			return status
		}
		summary.Add(htmlreport.BacktestSummary(&r, "backtest."))
		btRep = &r
		sections = append(sections, htmlreport.BacktestSections(&r, "backtest.")...)
		summary.Sources = append(summary.Sources, htmlreport.BacktestSource(&r, or(*backtestLeads, *leads), "backtest."))
		if *proposed != "" {
			// The proposed definition, backtested on the same leads and
			// outcomes: side by side with the current one.
			file, cleanup, _, err := materialize(*proposed)
			if err != nil {
				return fail("%s: %v", *proposed, err)
			}
			defer cleanup()
			pargs[2] = file
			var pr backtest.Report
			if !part(&rep.BacktestProposed, &pr, pargs...) {
				return status
			}
			summary.Add(htmlreport.ProposedSummary(&r, &pr, "backtest.", "backtest_proposed."))
			sections = append(sections, htmlreport.ComparisonSection(&r, &pr, "backtest.", "backtest_proposed."))
		}
	}
	var attr struct {
		attribution.Report
		DataDriven *attribution.ChannelReport `json:"data_driven"`
	}
	attrArgs := withEvents("attribute", "--leads", *leads, "--model", *model, "--at", when, "--models", *models)
	attrArgs = appendSet(attrArgs, "--outcomes", *outcomes, "--costs", *costs, "--dispositions", *dispositions)
	// The leads created after the as-of time are left out of the
	// attribution by the same field as the account view's.
	attrArgs = append(attrArgs, created...)
	if !part(&rep.Attribution, &attr, attrArgs...) {
		return status
	}
	attrSections := htmlreport.AttributionSections(&attr.Report, "attribution.")
	if attr.DataDriven != nil {
		attrSections = append(attrSections, htmlreport.ChannelsSection(attr.DataDriven, "attribution.data_driven."))
	}
	sections = append(sections, attrSections[0]) // the funnel
	if *dispositions != "" || carriesVerdicts(*leads) {
		args := withEvents("feedback", "--model", *model, "--leads", *leads, "--at", when)
		args = appendSet(args, "--dispositions", *dispositions)
		if *outcomes != "" {
			args = append(args, "--outcomes", *outcomes)
		}
		var r feedback.Report
		if !part(&rep.Feedback, &r, args...) {
			return status
		}
		summary.Add(htmlreport.FeedbackSummary(&r, "feedback."))
		fbRep = &r
		sections = append(sections, htmlreport.FeedbackSection(&r, "feedback."))
	}
	if diffRep != nil {
		summary.Add(htmlreport.ReviewSummary(diffRep, "diff."))
		summary.Add(htmlreport.AccountReviewSummary(diffRep, "diff."), nil)
	}
	summary.Sources = append([]htmlreport.Sentence{htmlreport.ScoredSource(*leads, asOf, diffRep, fbRep, &attr.Report)}, summary.Sources...)
	if rep.Accounts != nil {
		summary.Sources = append(summary.Sources, htmlreport.AccountViewSource(rep.Accounts, "accounts."))
	}
	summary.Warnings = append(htmlreport.FirstScreenWarnings(btRep, fbRep, &attr.Report), htmlreport.AccountWarnings(rep.Accounts, btaRep)...)
	if outcomeWarning != "" {
		summary.Warnings = append(summary.Warnings, "Account backtest: "+outcomeWarning)
	}
	sections = append(sections, attrSections[1:]...)
	sections = append(sections, accountSections...)
	// The rules' signal is detail: it goes last.
	for i, s := range sections {
		if s.ID == "rules-signal" {
			sections = append(append(sections[:i:i], sections[i+1:]...), s)
			break
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		sub := "Leads from " + *leads + ", as of " + asOf.Format("2006-01-02")
		if *accountsFile != "" {
			sub += "; accounts from " + *accountsFile
		}
		if *backtestAt != "" {
			sub += "; backtest on " + or(*backtestLeads, *leads) + " at " + *backtestAt
		}
		err = writeHTML(stdout, "Joint review: "+m.Name, sub, *currency, summary, sections...)
	}
	if err != nil {
		return fail("%v", err)
	}
	return status
}

// reportPart is a command report runs for a part, and how its flags are
// called there.
type reportPart struct {
	run    func(c caller, args []string, stdout, stderr io.Writer) int
	caller caller
}

// reportParts are the commands report runs (the account backtest is
// backtest's part "backtest-accounts"), each with the map from its
// flags to report's: the flags report fills from its own (backtest's --at
// from --backtest-at; --leads and --outcomes from --backtest-leads and
// --backtest-outcomes when given), and those report has no flag for ("").
func reportParts(backtestLeads, backtestOutcomes bool) map[string]reportPart {
	notInReport := func(m map[string]string, names ...string) map[string]string {
		for _, n := range names {
			m[n] = ""
		}
		return m
	}
	bt := notInReport(map[string]string{"at": "backtest-at"}, "format", "band-width", "on", "history", "suggest", "o",
		"reference", "reference-events", "reference-at", "strict-data", "min-won", "every", "from", "source", "accounts")
	bt["holdout"] = "holdout"
	if backtestLeads {
		bt["leads"] = "backtest-leads"
		bt["events"] = "" // backtest leads are NDJSON: report gives them no events file
	}
	// The account backtest: backtest --accounts, its outcomes by account.
	bta := map[string]string{}
	for k, v := range bt {
		bta[k] = v
	}
	delete(bta, "accounts")
	bta["outcomes"] = "account-outcomes"
	if backtestOutcomes {
		bt["outcomes"] = "backtest-outcomes"
	}
	return map[string]reportPart{
		"diff":              {diffAs, partOf("report", "diff", notInReport(map[string]string{}, "format", "in", "top", "strict-data", "source"))},
		"backtest-accounts": {backtestAs, partOf("report", "backtest", bta)},
		"score": {func(c caller, args []string, stdout, stderr io.Writer) int {
			return scoreAs(c, args, nil, stdout, stderr)
		},
			partOf("report", "score", notInReport(map[string]string{}, "format", "in", "o", "workers", "quiet", "strict-data", "source", "unmatched", "unmatched-events", "grouped"))},
		"backtest": {backtestAs, partOf("report", "backtest", bt)},
		"feedback": {feedbackAs, partOf("report", "feedback", notInReport(map[string]string{}, "format", "band-width", "campaign-field", "channel-field", "strict-data", "source", "accounts", "created-field"))},
		"attribute": {attributeAs, partOf("report", "attribute", notInReport(map[string]string{}, "format", "journeys", "paths", "touches", "strict-data",
			"campaign-field", "channel-field", "lookback", "conversion", "journeys-out", "credit-out", "transitions-out",
			"delimiter", "path-separator", "columns", "source", "accounts"))},
	}
}

// appendSet appends the flags (name, value pairs) whose value is set.
func appendSet(args []string, pairs ...string) []string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			args = append(args, pairs[i], pairs[i+1])
		}
	}
	return args
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
