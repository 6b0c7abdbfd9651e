package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// accountsFeedback is what feedback --accounts reads: the flags feedback
// parsed.
type accountsFeedback struct {
	model, accounts, leads, events, source, dispositions, outcomes, format string
	createdField, currency                                                 string
	createdSet, noEvents, strict                                           bool
	maxRow                                                                 int
	asOf                                                                   time.Time
	opts                                                                   feedback.Options
}

// feedbackAccounts runs feedback --accounts: sales' verdicts on the
// accounts the accounts section called sales-ready, each joined to the
// account's first sales-ready moment. Lead dispositions do not roll up to
// the account: the verdicts are the account's own rows (account_id).
func feedbackAccounts(c caller, a accountsFeedback, stdout, stderr io.Writer) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, c.name+": "+format+"\n", args...)
		return exitUsage
	}
	if a.dispositions == "" {
		return fail("%s is required with %s: a CSV of sales' verdicts on accounts, with account_id, at, status, reason (and owner)", c.flag("dispositions"), c.flag("accounts"))
	}
	m, _ := compileModel(a.model, stderr)
	if m == nil {
		return exitUsage
	}
	if m.Accounts == nil {
		return fail("%s: %s has no accounts section; add accounts: (see docs/guide/accounts.md)", c.flag("accounts"), a.model)
	}
	if m.Handoff == nil {
		fmt.Fprintf(stderr, "%s: warning: %s has no handoff section, so no rejection reason can be read and the SLA is not measured; add handoff: with sla, reasons and recycle\n", c.name, a.model)
	}
	s, err := newAccountScorer(m, a.strict, a.createdField)
	if err != nil {
		return fail("%v", err)
	}
	if err := checkCreatedField(c, m, a.createdField, a.createdSet); err != nil {
		return fail("%v", err)
	}
	problems := 0

	// The accounts.
	run, matcher, err := readAccountsToMatch(s, a.accounts, a.maxRow, stderr)
	if err != nil {
		return fail("%v", err)
	}

	// Sales' verdicts on accounts, each row checked on its own; rows of
	// accounts the accounts file does not have fail with a did-you-mean.
	f, err := os.Open(a.dispositions)
	if err != nil {
		return fail("%v", err)
	}
	set, dn, err := feedback.ReadAccountDispositions(f, m.Handoff, a.maxRow, func(line int, err error) {
		fmt.Fprintf(stderr, "%s:%d: %v\n", a.dispositions, line, err)
	})
	f.Close()
	if err != nil {
		return fail("%s: %v", a.dispositions, err)
	}
	known := map[string]bool{}
	ids := make([]string, 0, len(run.accounts))
	for _, acc := range run.accounts {
		known[acc.ID] = true
		ids = append(ids, acc.ID)
	}
	bad := map[string]int{}
	for _, b := range run.badAccounts {
		if b.id != "" {
			bad[b.id] = b.line
		}
	}
	near := map[string]string{} // the accounts' ids by a key blind to case, spaces and Unicode normal form
	for _, id := range ids {
		near[sameIDKey(id)] = id
	}
	for _, e := range set.Unmatched(func(id string) bool { return known[id] }, ids) {
		err := e.Err
		if id, ok := near[sameIDKey(e.ID)]; ok {
			err = fmt.Errorf("no account in the accounts file has the id %q; did you mean %q? (they differ only in case, spaces or how an accented letter is encoded); write the account_id as the accounts file does", e.ID, id)
		}
		if line, ok := bad[e.ID]; ok {
			err = fmt.Errorf("account %s is on %s:%d, a row that could not be read; fix that row and run again", e.ID, a.accounts, line)
		}
		fmt.Fprintf(stderr, "%s:%d: %v\n", a.dispositions, e.Line, err)
		dn.Read--
		dn.Failed++
	}

	// Won deals by account, to count recycled accounts won later.
	won := map[string]time.Time{}
	unmatchedNote := "" // the outcome rows naming no account, summed
	if a.outcomes != "" {
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
		problems += n.Failed
		for id, o := range outcomes {
			won[id] = o.Won
		}
		// A row naming no account of the accounts file is said, not dropped
		// (a warning: the exit status stays, as backtest --accounts's).
		un := attribution.UnmatchedOutcomes(outcomes, func(id string) bool { return known[id] || bad[id] > 0 }, ids, "account")
		for _, u := range un {
			fmt.Fprintf(stderr, "%s:%d: %v\n", a.outcomes, u.Line, u.Err)
		}
		if unmatchedNote = attribution.UnmatchedSummary(un, a.outcomes); unmatchedNote != "" {
			fmt.Fprintln(stderr, unmatchedNote)
		}
	}

	// The people, matched to their accounts.
	lopts := leadfile.Options{Scorer: s.Leads(), MaxRow: a.maxRow, NoEvents: a.noEvents, Bound: true}
	closeLeads, err := openLeadsVia(&lopts, a.leads, "", a.events, a.source, stderr)
	defer closeLeads()
	if err != nil {
		return fail("%v", err)
	}
	ctx := context.Background()
	mp, err := matchPeople(ctx, s, run, matcher, lopts, a.leads, a.asOf, stderr)
	if err != nil {
		return fail("%v", err)
	}

	// Each account is replayed on every core (PrepareAccount reads the
	// builder only), then filed in the accounts file's order.
	b := feedback.NewAccountBuilder(s, a.opts)
	type prepared struct {
		e   *feedback.Entry
		err error
	}
	out := make([]prepared, len(run.accounts))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = func() (r prepared) {
					defer func() {
						if p := recover(); p != nil {
							r = prepared{err: fmt.Errorf("internal error: %v", p)} // the account fails alone
						}
					}()
					acc := run.accounts[i]
					e, err := b.PrepareAccount(ctx, acc, mp.people[i], set.For(acc.ID), won[acc.ID], a.createdField)
					return prepared{e, err}
				}()
			}
		}()
	}
	for i := range run.accounts {
		next <- i
	}
	close(next)
	wg.Wait()
	failedAccounts, leftOut := 0, 0 // leftOut: verdict rows of accounts that failed to score
	scored := map[string]bool{}
	for i, acc := range run.accounts {
		e, err := out[i].e, out[i].err
		out[i] = prepared{}
		if err == nil {
			scored[acc.ID] = true
		}
		if err != nil {
			failedAccounts++
			leftOut += len(set.For(acc.ID))
			var ae *scoring.AccountError
			if !errors.As(err, &ae) {
				err = fmt.Errorf("account %s: %v", acc.ID, err)
			}
			fmt.Fprintf(stderr, "%s:%d: %v; the account is left out of the report\n", a.accounts, run.lines[i], err)
			continue
		}
		b.File(e)
	}
	rep := b.Report()
	if unmatchedNote != "" {
		rep.Warnings = append(rep.Warnings, unmatchedNote)
	}
	// What the figures leave out is said beside them, not only on stderr.
	if dn.Failed > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d of %d disposition %s failed and %s left out of every figure here (each is named with its line on stderr): fix %s and run again",
			dn.Failed, dn.Rows, numfmt.Noun(dn.Rows, "row"), isAre(dn.Failed), itThem(dn.Failed)))
	}
	dn.Read -= leftOut
	if n := len(run.badAccounts) + failedAccounts; n > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d of %d account %s could not be read or scored and %s left out, with their verdicts (each is named with its line on stderr)",
			n, len(run.accounts)+len(run.badAccounts), numfmt.Noun(len(run.accounts)+len(run.badAccounts), "row"), isAre(n)))
	}
	if leftOut > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d of %d disposition %s %s on accounts that failed to score and %s left out with %s",
			leftOut, dn.Rows, numfmt.Noun(dn.Rows, "row"), isAre(leftOut), isAre(leftOut), map[bool]string{true: "its account", false: "their accounts"}[leftOut == 1]))
	}
	if n := mp.unreadable + mp.failed; n > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d of %d lead %s failed and %s in no account (each is named with its line on stderr)",
			n, mp.rows, numfmt.Noun(mp.rows, "row"), isAre(n)))
	}
	if mp.unmatched > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d of the %d leads matched no account (score --accounts --unmatched FILE lists them with why); they are in no account's people",
			mp.unmatched, mp.rows-mp.unreadable-mp.failed))
	}
	if a.format == "html" {
		err = writeHTML(stdout, "What sales said about accounts: "+rep.Model, "As of "+rep.AsOf.Format(time.RFC3339), a.currency,
			withWarnings(summaryOf(htmlreport.FeedbackSummary(rep, "")), htmlreport.FirstScreenWarnings(nil, rep, nil)), htmlreport.FeedbackSection(rep, ""))
	} else {
		err = writeFeedback(stdout, stderr, rep, a.format)
	}
	if err != nil {
		return fail("%v", err)
	}
	writeUnknown(stderr, mp.unknown)
	// The counts reconcile: every row of each file is used or failed.
	accountRows := len(run.accounts) + len(run.badAccounts)
	used := len(run.accounts) - failedAccounts
	unknown := ""
	if rep.MomentUnknown > 0 {
		unknown = fmt.Sprintf(" + %d sales-ready, moment unknown", rep.MomentUnknown)
	}
	fmt.Fprintf(stderr, "%d account %s: %d could not be read, %d failed to score, %d used = %d sales-ready by the as-of time%s + %d not\n",
		accountRows, numfmt.Noun(accountRows, "row"), len(run.badAccounts), failedAccounts, used, rep.SalesReady, unknown, used-rep.SalesReady-rep.MomentUnknown)
	fmt.Fprintf(stderr, "%d lead %s: %d could not be read, %d failed, %d matched to an account, %d unmatched\n",
		mp.rows, numfmt.Noun(mp.rows, "row"), mp.unreadable, mp.failed, mp.matched, mp.unmatched)
	if mp.badEvents > 0 {
		fmt.Fprintf(stderr, "%s: %d events rows failed\n", a.events, mp.badEvents)
	}
	withAccount := ""
	if leftOut > 0 {
		withAccount = fmt.Sprintf(", %d left out with %s", leftOut, map[bool]string{true: "its account", false: "their accounts"}[leftOut == 1])
	}
	// The verdicts the report left out (before the hand-off, after the
	// one that counts, after the as-of time) are not used either: rows =
	// used + left out + failed, as feedback of leads says them.
	used, note := dn.Read-len(rep.EarlyVerdicts)-rep.LaterVerdicts, leftOutNote(rep)
	after, afterNote := verdictsAfter(stderr, a.dispositions, "account", set, a.asOf, func(id string) bool { return scored[id] })
	used, note = used-after, note+afterNote
	fmt.Fprintf(stderr, "%d disposition %s: %d used%s, %d failed%s\n", dn.Rows, numfmt.Noun(dn.Rows, "row"), used, note, dn.Failed, withAccount)
	if dn.Failed > 0 || problems > 0 || len(run.badAccounts) > 0 || failedAccounts > 0 || mp.unreadable+mp.failed+mp.badEvents > 0 {
		return exitProblem
	}
	return exitOK
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// sameIDKey is an account id blind to case, spaces and Unicode normal
// form (an accented letter as one code point or as a letter and a mark),
// for a did-you-mean.
func sameIDKey(id string) string {
	return strings.ToLower(norm.NFC.String(strings.Join(strings.Fields(id), "")))
}
