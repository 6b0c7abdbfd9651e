package main

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/stream"
)

// streamAccounts reads the accounts file of stream --accounts; nil and the
// exit code when it cannot be used (every bad row is reported).
func streamAccounts(m *rules.Model, model, file, createdField string, maxRow int, stderr io.Writer) (*stream.Accounts, int) {
	fail := func(format string, a ...any) (*stream.Accounts, int) {
		fmt.Fprintf(stderr, "leadscore stream: "+format+"\n", a...)
		return nil, exitUsage
	}
	as, err := scoring.NewAccountScorer(m, scoring.WithCreatedField(createdField))
	if err != nil {
		return fail("--accounts: %s has no accounts section; add accounts: (see the accounts section of docs/reference.md)", model)
	}
	run := &accountRun{}
	if err := readAccountsFile(run, as, file, maxRow, stderr); err != nil {
		return fail("--accounts: %v", err)
	}
	// An account whose fields do not fit fails whenever it is scored:
	// found now, it fails the run rather than every line of its people.
	// A key the model does not declare is read by no rule: said once a
	// key, at its first row (a CSV file's header was warned about as read).
	type unknownKey struct {
		u          rules.Unknown
		line, more int
	}
	var unknown []*unknownKey
	csv := strings.EqualFold(filepath.Ext(file), ".csv")
	for i, a := range run.accounts {
		res, err := as.ScoreAccount(a, nil, time.Time{})
		if err != nil {
			run.badAccounts = append(run.badAccounts, badAccount{line: run.lines[i], id: a.ID, err: err})
			continue
		}
		for _, u := range res.Unknown {
			if csv {
				break
			}
			at := slices.IndexFunc(unknown, func(k *unknownKey) bool { return k.u == u })
			if at < 0 {
				unknown = append(unknown, &unknownKey{u: u, line: run.lines[i]})
			} else {
				unknown[at].more++
			}
		}
	}
	for _, k := range unknown {
		msg := fmt.Sprintf("warning: %s:%d: %s %q is not in the model, so no rule reads it", file, k.line, k.u.Kind, k.u.Name)
		if k.more > 0 {
			msg += fmt.Sprintf(" (and in %s)", nOf(k.more, "more row"))
		}
		if k.u.DidYouMean != "" {
			msg += fmt.Sprintf("; did you mean %q?", k.u.DidYouMean)
		}
		fmt.Fprintln(stderr, msg)
	}
	slices.SortStableFunc(run.badAccounts, func(x, y badAccount) int { return x.line - y.line })
	if len(run.badAccounts) > 0 {
		for _, b := range run.badAccounts {
			fmt.Fprintln(stderr, leadfile.RowError{File: file, Line: b.line, Err: b.err})
		}
		return fail("--accounts: %s of %s cannot be read (above); the leads of an account left out would be counted for none, so nothing was taken: fix them and run again", nOf(len(run.badAccounts), "row"), file)
	}
	acc, err := stream.NewAccounts(as, run.accounts)
	if err != nil {
		msg := lineRE.ReplaceAllString(err.Error(), file+":$1: ")
		return fail("--accounts: the accounts cannot be told apart:\n%s", msg)
	}
	return acc, exitOK
}

// accountsPrint is the fingerprint of the accounts the leads are matched
// to; empty without --accounts.
func accountsPrint(acc *stream.Accounts) string {
	if acc == nil {
		return ""
	}
	return acc.Fingerprint()
}

// accountsMismatch says why a state database cannot be used with the
// accounts given (or with none), and how to rebuild it.
func accountsMismatch(dir, model, file, stored, want string) string {
	rebuild := fmt.Sprintf("leadscore stream --model %s --state %s", shellWords([]string{model}), shellWords([]string{dir}))
	if file != "" {
		rebuild += " --accounts " + shellWords([]string{file})
	}
	rebuild += " --rebuild HISTORY.ndjson"
	switch {
	case stored == "":
		return fmt.Sprintf("--state %s was built without --accounts: its leads were matched to no account, so the accounts would miss their people.\nRebuild it from the full history with the accounts: %s", dir, rebuild)
	case want == "":
		return fmt.Sprintf("--state %s keeps accounts (it was built with --accounts): give the same accounts file with --accounts, so that they stay current, or rebuild it without: %s", dir, rebuild)
	default:
		return fmt.Sprintf("--state %s was built with other accounts, or another matching (id_field, domain_from, free_mail, aliases), than %s and %s: its leads may be counted for the wrong accounts.\nRebuild it from the full history: %s", dir, file, model, rebuild)
	}
}

// accountChangeLine is an account's change written out, beside the
// leads' (told apart by account_id).
type accountChangeLine struct {
	Seq uint64 `json:"seq"`
	stream.AccountChange
	// ID is the id of the line that caused it, when it had one.
	ID string `json:"id,omitempty"`
}

// takeAccounts matches a lead to its account after its line, re-scores the
// accounts it concerns and reports their changes; an error that is the
// line's fails it alone, before anything is reported.
func (r *streamRun) takeAccounts(tx stream.Tx, meta *stream.Meta, l *stream.Lead, st *stream.State, at time.Time, cause, id string) error {
	changes, err := r.acc.Take(context.Background(), tx, l, st, at, cause)
	if err != nil {
		return accountLineErr(err)
	}
	return r.reportAccounts(tx, meta, l, changes, id)
}

// reportAccounts reports the accounts' changes a line of l made, and
// schedules the re-checks of its account and of those that changed.
func (r *streamRun) reportAccounts(tx stream.Tx, meta *stream.Meta, l *stream.Lead, changes []stream.AccountChange, id string) error {
	for _, c := range changes {
		if err := r.reportAccount(tx, meta, c, id); err != nil {
			return err
		}
	}
	if l.Account != "" {
		if err := r.scheduleAccount(tx, l.Account); err != nil {
			return err
		}
	}
	for _, c := range changes {
		if c.AccountID != l.Account {
			if err := r.scheduleAccount(tx, c.AccountID); err != nil {
				return err
			}
		}
	}
	return nil
}

// accountLineErr is an error of Accounts.Take or Recheck as the line's
// (the account's data or a person's fails it), or as the store's.
func accountLineErr(err error) error {
	var le *scoring.Error
	var ae *scoring.AccountError
	if errors.As(err, &le) || errors.As(err, &ae) || errors.Is(err, stream.ErrBeforeLatest) {
		return bad("%v", err)
	}
	return err
}

// scheduleAccount queues the account's next re-check.
func (r *streamRun) scheduleAccount(tx stream.Tx, id string) error {
	a, ok, err := tx.(stream.AccountTx).Account(id)
	if err != nil || !ok {
		return err
	}
	if !a.Next.IsZero() {
		heap.Push(&r.due, recheck{at: a.Next, account: id})
	}
	return nil
}

// reportAccount writes an account's change (after the commit).
func (r *streamRun) reportAccount(tx stream.Tx, meta *stream.Meta, c stream.AccountChange, id string) error {
	if r.quietChanges {
		return nil
	}
	meta.Seq++
	line, err := json.Marshal(accountChangeLine{Seq: meta.Seq, AccountChange: c, ID: id})
	if err != nil {
		return bad("%v", err)
	}
	if err := tx.AddPending(stream.Pending{Seq: meta.Seq, Line: line}); err != nil {
		return err
	}
	r.lines = append(r.lines, append(line, '\n'))
	r.changes++
	r.accountChanges++
	if c.Cause == "recheck" {
		r.rechecks++
	}
	return nil
}

// recheckAccount runs an account's re-check, unless a later line replaced it.
func (r *streamRun) recheckAccount(tx stream.Tx, meta *stream.Meta, c recheck) error {
	a, ok, err := tx.(stream.AccountTx).Account(c.account)
	if err != nil {
		return err
	}
	if !ok || !a.Next.Equal(c.at) {
		return nil
	}
	change, err := r.acc.Recheck(context.Background(), tx, c.account, c.at)
	if err != nil {
		err = accountLineErr(err)
		var le lineError
		if !errors.As(err, &le) {
			return err
		}
		// Trying it again at the same time would fail the same way: it is
		// said and counted (the run's status is 1), and the account stands
		// as last scored until a line of one of its people scores it again.
		// Its re-check is cleared, so that it is not tried again (nor
		// counted twice) by this run or the next.
		a.ID, a.Next = c.account, time.Time{}
		if err := tx.(stream.AccountTx).PutAccount(a); err != nil {
			return err
		}
		r.recheckFailed++
		fmt.Fprintf(r.stderr, "leadscore stream: the re-check of account %s at %s failed, so its standing was not updated then: %v; it stands as last scored until a line of one of its people scores it again (fix what the error names)\n",
			c.account, c.at.Format(time.RFC3339), err)
		return nil
	}
	if change != nil {
		if err := r.reportAccount(tx, meta, *change, ""); err != nil {
			return err
		}
	}
	return r.scheduleAccount(tx, c.account)
}

// takeWaiting scores the leads taken before the event clock had a time
// and matches them to their accounts, once it has one (each gets its
// change line then, not at its next line), in order of lead id: the order a
// restarted run finds them in the store, so that it writes the same
// changes as a run that was not stopped.
func (r *streamRun) takeWaiting(tx stream.Tx, meta *stream.Meta) error {
	if len(r.waiting) == 0 || r.asOfClock(meta).IsZero() {
		return nil
	}
	waiting := slices.Sorted(maps.Keys(r.waiting))
	clear(r.waiting)
	for _, id := range waiting {
		l, ok, err := tx.Lead(id)
		if err != nil {
			return err
		}
		if !ok || l.Fields == nil || r.acc != nil && (l.Account != "" || l.Unmatched != "") || r.acc == nil && l.Standing != nil {
			continue // taken since
		}
		st := r.sc.NewState(id)
		if l.State != nil {
			if st, err = r.sc.Load(l.State); err != nil {
				fmt.Fprintf(r.stderr, "leadscore stream: lead %s: %v\n", id, err)
				continue
			}
		}
		// The lead is scored as its fields line would have been, had the
		// clock had a time: its own change line, then its account's.
		if err := r.evaluate(tx, meta, &l, st, r.asOf(meta, st), "fields", ""); err != nil {
			var le lineError
			if !errors.As(err, &le) {
				return err
			}
			what := "scored"
			if r.acc != nil {
				what = "matched to its account"
			}
			fmt.Fprintf(r.stderr, "leadscore stream: lead %s, %s at the first event: %v\n", id, what, err)
			continue
		}
	}
	return nil
}

// asOfClock is the stream's clock: the latest event time, or the wall clock.
func (r *streamRun) asOfClock(meta *stream.Meta) time.Time {
	if r.wall {
		return time.Now().UTC()
	}
	return meta.Clock
}

// noteLeftOut names each person left out of its account, once.
func (r *streamRun) noteLeftOut() {
	if r.acc == nil {
		return
	}
	r.acc.OnLeftOut(func(accountID, leadID string, err error) {
		if r.leftOut[leadID] {
			return
		}
		if r.leftOut == nil {
			r.leftOut = map[string]bool{}
		}
		r.leftOut[leadID] = true
		fmt.Fprintf(r.stderr, "leadscore stream: lead %s is left out of account %s until its data can be scored (%v); give it a fields line that fixes it, or rebuild the store\n", leadID, accountID, err)
	})
}

// accountsSummary counts the accounts' changes and how the leads were
// matched, naming a few that matched no account.
func (r *streamRun) accountsSummary() string {
	byID, byDomain, unmatched, err := stream.Matched(r.store)
	if err != nil {
		return fmt.Sprintf("accounts: %v", err)
	}
	// Every lead the store keeps is counted once: matched, to no
	// account, failed (its fields line failed, and it has no fields: it
	// is in no account for that, not for a reason of matching), or not
	// matched yet (waiting for the first event time, or for a required
	// field: see waitForRequired). A lead whose only
	// line, a fields line, failed is not in the store, and is counted as
	// failed too.
	total := 0
	stored := map[string]bool{} // of the leads whose fields line failed: true when fields of theirs were taken
	err = r.store.Each(func(l stream.Lead) error {
		total++
		if _, ok := r.fieldsFailed[l.ID]; ok {
			stored[l.ID] = l.Fields != nil
		}
		return nil
	})
	if err != nil {
		return fmt.Sprintf("accounts: %v", err)
	}
	where := "in the store" // or failed, when a failed lead is not in it
	isFailed := map[string]bool{}
	var failed []string // by id
	for id := range r.fieldsFailed {
		hasFields, in := stored[id]
		if hasFields {
			continue // an earlier fields line of it stands: matched by it
		}
		if !in {
			total++
			where = "in the store or failed"
		}
		isFailed[id] = true
		failed = append(failed, id)
	}
	slices.Sort(failed)
	unmatched = slices.DeleteFunc(unmatched, func(u scoring.Unmatched) bool { return isFailed[u.LeadID] })
	var b strings.Builder
	fmt.Fprintf(&b, "accounts: %s among them; %s %s = %d matched by id + %d by domain + %d to no account", nOf(r.accountChanges, "account change"), nOf(total, "lead"), where, byID, byDomain, len(unmatched))
	// The reasons of the unmatched right after their count, before the failed.
	shown := unmatched[:min(len(unmatched), 3)]
	for i, u := range shown {
		sep := " ("
		if i > 0 {
			sep = "; "
		}
		fmt.Fprintf(&b, "%s%s: %s", sep, u.LeadID, u.Reason)
	}
	if len(shown) > 0 {
		if len(unmatched) > len(shown) {
			fmt.Fprintf(&b, "; %d more", len(unmatched)-len(shown))
		}
		b.WriteString(")")
	}
	if len(failed) > 0 {
		fmt.Fprintf(&b, " + %d failed", len(failed))
	}
	if len(r.incomplete) > 0 { // kept with fields, so never among the failed
		fmt.Fprintf(&b, " + %d waiting for a required field", len(r.incomplete))
	}
	if rest := total - byID - byDomain - len(unmatched) - len(failed) - len(r.incomplete); rest > 0 {
		fmt.Fprintf(&b, " + %d not matched yet (waiting for the first event time)", rest)
	}
	if len(r.leftOut) > 0 {
		fmt.Fprintf(&b, "; %d left out of their accounts (their data cannot be scored; named above)", len(r.leftOut))
	}
	// The failed, with where and why their fields line failed: fix it and
	// give the fields again.
	for i, id := range failed[:min(len(failed), 3)] {
		sep := "; failed: "
		if i > 0 {
			sep = "; "
		}
		fmt.Fprintf(&b, "%s%s (%s)", sep, id, r.fieldsFailed[id])
	}
	if len(failed) > 3 {
		fmt.Fprintf(&b, "; %d more failed", len(failed)-3)
	}
	return b.String()
}

// warnEditedAccounts names, at a restart, each field of an account that
// the accounts file now gives another value than the one the account was
// last scored with: its standing was judged on the old one until its next
// line or re-check.
func warnEditedAccounts(acc *stream.Accounts, store stream.AccountStore, file string, stderr io.Writer) error {
	edits, err := acc.Edited(store)
	if err != nil {
		return err
	}
	value := func(v any, present bool) string {
		if !present {
			return "absent"
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
	for _, e := range edits {
		fmt.Fprintf(stderr, "warning: %s:%d: account %s: %s is %s, was %s when the account was last scored (the accounts file was edited since the last run); its stage and grade stay as they were until its next line or re-check re-scores it\n",
			file, e.Line, e.AccountID, e.Field, value(e.New, e.Is), value(e.Old, e.Was))
	}
	return nil
}
