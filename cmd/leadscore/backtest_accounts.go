package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// accountsBacktest is what backtest --accounts reads: the flags the lead
// backtest parsed.
type accountsBacktest struct {
	model, accounts, leads, events, outcomes, source, format string
	currency                                                 string // of the HTML page
	history                                                  string // --history, "" for the default
	noEvents, strict                                         bool
	maxRow                                                   int
	opts                                                     backtest.AccountOptions
}

// accountsOnlyLeads are the lead backtest's flags that backtest --accounts
// does not take (yet).
var accountsOnlyLeads = []string{"capacity", "on", "suggest", "o", "reference", "reference-events", "reference-at", "every", "from", "dispositions", "holdout", "band-width"}

// backtestAccounts runs backtest --accounts: the sales-ready account
// definition against outcomes by account id.
func backtestAccounts(c caller, fs *flag.FlagSet, a accountsBacktest, stdout, stderr io.Writer) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, c.name+": "+format+"\n", args...)
		return exitUsage
	}
	for _, name := range accountsOnlyLeads {
		if flagSet(fs, name) {
			return fail("%s is for the backtest of leads, not yet of accounts; leave it out with %s", c.flag(name), c.flag("accounts"))
		}
	}
	if a.history != "" {
		h, err := dsl.ParseDuration(a.history)
		if err != nil {
			return fail("%s: %v", c.flag("history"), err)
		}
		if h < 7*24*time.Hour {
			return fail("%s %s is shorter than one week, the unit of the hand-offs per week; count them over whole weeks, such as %s 13w", c.flag("history"), a.history, c.flag("history"))
		}
		a.opts.History = h
	}
	switch a.format {
	case "table", "markdown", "json", "html":
	default:
		return fail("%s %s: the backtest of accounts is written as table, markdown, json or html", c.flag("format"), a.format)
	}
	m, _ := compileModel(a.model, stderr)
	if m == nil {
		return exitUsage
	}
	if m.Accounts == nil {
		return fail("%s: %s has no accounts section; add accounts: (see the accounts section of docs/reference.md)", c.flag("accounts"), a.model)
	}
	s, _ := newAccountScorer(m, a.strict, a.opts.CreatedField)
	if err := checkCreatedField(c, m, a.opts.CreatedField, flagSet(fs, "created-field")); err != nil {
		return fail("%v", err)
	}
	problems := 0

	// The accounts file.
	run := &accountRun{}
	if err := readAccountsFile(run, s, a.accounts, a.maxRow, stderr); err != nil {
		return fail("%s: %v", a.accounts, err)
	}
	for _, b := range run.badAccounts {
		fmt.Fprintf(stderr, "%s:%d: %v\n", a.accounts, b.line, b.err)
		problems++
		reason := b.err.Error()
		if b.id != "" {
			reason = strings.TrimPrefix(reason, "account "+b.id+": ")
		}
		a.opts.Unreadable = append(a.opts.Unreadable, backtest.FailedAccount{ID: b.id, Line: b.line, Reason: reason, Unreadable: true})
	}
	a.opts.Lines = run.lines

	// The outcomes, by account id.
	f, err := os.Open(a.outcomes)
	if err != nil {
		return fail("%v", err)
	}
	outcomes, n, err := attribution.ReadAccountOutcomes(f, func(line int, err error) {
		fmt.Fprintf(stderr, "%s:%d: %v\n", a.outcomes, line, err)
	})
	f.Close()
	if err != nil {
		return fail("%s: %v", a.outcomes, err)
	}
	if n.Failed > 0 {
		fmt.Fprintf(stderr, "%s: %d outcome rows: %d read, %d failed; the failed rows are not used (an account with no row read counts as not won; an account given twice keeps its first row); fix the rows and run again\n", a.outcomes, n.Rows, n.Read, n.Failed)
		problems += n.Failed
	}

	bt, err := backtest.NewAccounts(s, run.accounts, outcomes, a.opts)
	if err != nil {
		return fail("%s: %v", a.accounts, err)
	}

	// The leads, scored as people on every core, filed in input order.
	lopts := leadfile.Options{Scorer: s.Leads(), MaxRow: a.maxRow, NoEvents: a.noEvents, Bound: true}
	closeLeads, err := openLeadsVia(&lopts, a.leads, "", a.events, a.source, stderr)
	defer closeLeads()
	if err != nil {
		return fail("%v", err)
	}
	// rows are the lead rows read, leads or not (unreadable of them);
	// failed counts every row that failed, unreadable or not scored;
	// badEvents the events rows (of CSV leads) whose lead is not in the file.
	rows, unreadable, failed, shown, badEvents := 0, 0, 0, 0, 0
	lopts.OnError = func(e leadfile.RowError) {
		fmt.Fprintln(stderr, e)
		badEvents++
	}
	var unknown scoring.UnknownTally
	type measured struct {
		m       *backtest.MeasuredLead
		unknown []rules.Unknown
		err     error
	}
	ctx := context.Background()
	err = leadfile.Map(lopts, func(_ int, lead scoring.Lead, err error) measured {
		if err != nil {
			return measured{err: err}
		}
		return measured{m: bt.Measure(ctx, lead), unknown: s.Leads().Unknown(lead)}
	}, func(line int, r measured) error {
		rows++
		err := r.err
		if err != nil {
			unreadable++
		} else {
			unknown.Add(r.unknown)
			err = bt.AddMeasured(line, r.m)
		}
		if err != nil {
			failed++
			if shown < maxShownErrors {
				fmt.Fprintf(stderr, "%s:%d: %v\n", a.leads, line, err)
			}
			shown++
		}
		return nil
	})
	if err != nil {
		return fail("%v", err)
	}
	for _, l := range unknown.Lines() {
		fmt.Fprintf(stderr, "%s: warning: leads: %s\n", c.name, l)
	}
	rep := bt.Report()
	switch a.format {
	case "markdown":
		err = rep.WriteMarkdown(stdout)
	case "json":
		err = rep.WriteJSON(stdout)
	case "html":
		err = writeHTML(stdout, "Account backtest: "+rep.Model, "Snapshot at "+rep.At.Format(time.RFC3339), a.currency,
			summaryOf(htmlreport.AccountBacktestSummary(rep, ""), nil), htmlreport.AccountBacktestSections(rep, "")...)
	default:
		err = rep.WriteText(stdout)
	}
	if err != nil {
		return fail("%v", err)
	}
	for _, w := range rep.Warnings {
		if strings.HasPrefix(w, "No accounts were given") || strings.HasPrefix(w, "No leads were given") {
			fmt.Fprintf(stderr, "%s: warning: %s\n", c.name, w)
		}
	}
	for _, f := range rep.Failed {
		if !f.Unreadable {
			fmt.Fprintf(stderr, "%s:%d: account %s failed to score: %s; it is left out of the report\n", a.accounts, f.Line, f.ID, f.Reason)
		}
	}
	ac, lc := rep.Accounts, rep.Leads
	fmt.Fprintf(stderr, "%d account rows read: %d failed to read, %d failed to score, %d used = %d in the backtest + %d with no person by T0 + %d won or lost by T0 + %d open opportunities at T0\n",
		len(run.accounts)+len(run.badAccounts), len(run.badAccounts), ac.Failed, ac.Added-ac.Failed-ac.Unreadable, ac.InBacktest, ac.NotCreated, ac.Decided, ac.OpenOpportunity)
	fmt.Fprintf(stderr, "%d lead rows read: %d could not be read, %d leads = %d matched (%s at T0 + %d created after T0) + %d unmatched + %d failed\n",
		rows, unreadable, lc.Added, lc.Matched, backtest.People(lc.People), lc.NotCreated, lc.Unmatched, lc.Failed)
	if badEvents > 0 {
		fmt.Fprintf(stderr, "%s: %d events rows failed\n", a.events, badEvents)
	}
	if failed > 0 || problems > 0 || ac.Failed > 0 || badEvents > 0 {
		return exitProblem
	}
	return exitOK
}

// accountsAt is the snapshot options of backtest --accounts.
func accountsAt(at, until time.Time, createdField string, minWon int) backtest.AccountOptions {
	return backtest.AccountOptions{At: at, Until: until, CreatedField: createdField, MinWon: minWon}
}
