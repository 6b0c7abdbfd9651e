package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/review"
)

// accountDiff is what diff --accounts reads: the accounts file and the
// leads that are their people, as the leads' impact reads them.
type accountDiff struct {
	accountsFile, leads, in, events, source string
	createdField                            string    // --created-field
	specs                                   [2]string // the versions as given, for messages
	strict, noEvents                        bool
	maxRow                                  int
	asOf                                    time.Time
	// shown are the messages about leads the leads' impact wrote: the
	// account impact does not write them again.
	shown map[string]bool
}

// scoredAccount is what the account impact keeps of one account under one
// version: its result (without its people), or why it could not be scored.
type scoredAccount struct {
	result *scoring.Result
	err    error
	people []string // the lead ids of its people, sorted
}

// failedLead is a lead one version could not read or score.
type failedLead struct {
	line int
	err  error
}

// accountImpact scores the accounts of the accounts file, with their
// people from the leads file, under both versions of the model, and
// counts what the change does to them as Impact counts leads: stage
// moves, accounts that start and stop being sales-ready (by their line in
// the accounts file), score distributions. An account that one version
// cannot score, or whose row of the accounts file one version cannot read,
// is counted as failed and named on stderr. Each version matches the
// leads to accounts its own way (a change may change the matching); the
// counts of leads matched under the new one go to stderr. failed counts
// the leads either version could not read or score as people (each named
// on stderr, under the new version): an account is compared without them.
func accountImpact(models [2]*rules.Model, d accountDiff, changes []review.Change, stderr io.Writer) (im *review.Impact, leads *review.AccountLeads, failed int, err error) {
	// Accounts are keyed by their line: rows without an id are told apart.
	var scored [2]map[int]scoredAccount
	var failedLeads [2]map[string]failedLead
	var runs [2]*accountRun
	for v, m := range models {
		if m.Accounts == nil {
			return nil, nil, 0, fmt.Errorf("--accounts: %s has no accounts section, so its accounts cannot be scored; diff --accounts compares two versions that both score accounts", d.specs[v])
		}
		opts := []scoring.Option{scoring.WithCreatedField(d.createdField)}
		if v == 0 || !d.strict { // as the leads' impact: the old version ignores data it does not declare
			opts = append(opts, scoring.WithUnknownData(scoring.IgnoreUnknown))
		} else {
			opts = append(opts, scoring.WithUnknownData(scoring.RefuseUnknown))
		}
		s, err := scoring.NewAccountScorer(m, opts...)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("--accounts: %s: %v", d.specs[v], err)
		}
		// The new version's messages are shown; the old one's would repeat
		// them about the same rows.
		msgs := io.Discard
		if v == 1 {
			msgs = stderr
		}
		run := &accountRun{}
		failedLeads[v] = map[string]failedLead{}
		run.onBadLead = func(id string, line int, err error) {
			var dup scoring.DuplicateLeadError
			if errors.As(err, &dup) {
				return // a later row of a lead whose first stands: its account keeps that one
			}
			if _, ok := failedLeads[v][id]; !ok && id != "" {
				failedLeads[v][id] = failedLead{line, err}
			}
		}
		if err := readAccountsFile(run, s, d.accountsFile, d.maxRow, msgs); err != nil {
			return nil, nil, 0, fmt.Errorf("--accounts: %v", err)
		}
		lo := leadfile.Options{Scorer: s.Leads(), MaxRow: d.maxRow, NoEvents: d.noEvents}
		closeLeads, err := openLeadsVia(&lo, d.leads, d.in, d.events, d.source, io.Discard)
		if err != nil {
			closeLeads()
			return nil, nil, 0, err
		}
		out := map[int]scoredAccount{}
		for _, bad := range run.badAccounts {
			out[bad.line] = scoredAccount{err: bad.err}
		}
		err = scoreAccounts(run, s, lo, d.asOf, "", false, false, func(i int, people []member) error {
			// ScoreAccount takes the people by lead id, as score --accounts gives them.
			slices.SortStableFunc(people, func(a, b member) int { return strings.Compare(a.p.LeadID, b.p.LeadID) })
			ps := make([]*scoring.Person, len(people))
			ids := make([]string, len(people))
			for k, m := range people {
				ps[k], ids[k] = m.p, m.p.LeadID
			}
			line := run.lines[i]
			r, err := s.ScoreAccount(run.accounts[i], ps, d.asOf)
			if err != nil {
				out[line] = scoredAccount{err: err, people: ids}
				return nil
			}
			res := r.Result
			out[line] = scoredAccount{result: &res, people: ids}
			return nil
		})
		closeLeads()
		if err != nil {
			return nil, nil, 0, fmt.Errorf("--accounts: %v", err)
		}
		// The leads the new version could not take as people, each at its
		// line (the old one's are counted below).
		for _, line := range run.badLeads {
			if !d.shown[line] {
				fmt.Fprintln(msgs, line)
			}
		}
		if run.badLeadsN > len(run.badLeads) {
			fmt.Fprintf(msgs, "(%d more not shown)\n", run.badLeadsN-len(run.badLeads))
		}
		scored[v], runs[v] = out, run
	}
	old, new := models[0].Accounts.Model, models[1].Accounts.Model
	changed := map[string]bool{}
	for _, c := range changes {
		if c.What == "account stage" {
			changed[c.Name] = true
		}
	}
	im = newImpact(old, new, changed)
	for _, f := range []string{"name", "company", "domain", "tier", "owner"} {
		if new.Field(f) != nil {
			im.Show = append(im.Show, f)
		}
	}
	// The accounts in the new version's reading of the file, in its order;
	// a row only one version could read is failed.
	run := runs[1]
	type row struct {
		line int
		id   string
	}
	var rows []row
	fields := map[int]map[string]any{}
	for i, a := range run.accounts {
		rows = append(rows, row{run.lines[i], a.ID})
		fields[run.lines[i]] = a.Fields
	}
	for _, bad := range run.badAccounts {
		rows = append(rows, row{bad.line, bad.id})
	}
	slices.SortFunc(rows, func(a, b row) int { return a.line - b.line })
	for _, r := range rows {
		o, n := scored[0][r.line], scored[1][r.line]
		why := ""
		for v, sa := range []scoredAccount{o, n} {
			if sa.result == nil {
				why = "its row could not be read"
				if sa.err != nil {
					why = sa.err.Error()
				}
				why = fmt.Sprintf("under %s, %s", d.specs[v], why)
				break
			}
		}
		if why == "" {
			// An account is compared on the same people: a person one
			// version could not score would move it for no change of rule.
		people:
			for _, id := range append(append([]string(nil), o.people...), n.people...) {
				for v := range failedLeads {
					if f, ok := failedLeads[v][id]; ok {
						why = fmt.Sprintf("its person %s (%s line %d) could not be scored under %s: %v", id, d.leads, f.line, d.specs[v], f.err)
						break people
					}
				}
			}
		}
		if why != "" {
			im.Failed++
			who := "account " + r.id
			if r.id == "" {
				who = "the row"
			}
			fmt.Fprintf(stderr, "%s:%d: %s left out of the account impact: %s\n", d.accountsFile, r.line, who, why)
			continue
		}
		im.AddWith(r.line, o.result, n.result, fields[r.line])
		if added, removed := peopleChange(o.people, n.people); added+removed > 0 {
			im.AddCause(n.result.LeadID, fmt.Sprintf("its people changed with the matching: %d joined, %d left", added, removed))
		}
	}
	im.Finish()
	failed = max(runs[0].badLeadsN, runs[1].badLeadsN)
	fmt.Fprintf(stderr, "accounts: %s in %s: %s compared, %d left out; %s: under %s %s matched (%d by account id, %d by domain), %d unmatched, %d failed; under %s %d failed\n",
		numfmt.Count(len(rows), "account"), d.accountsFile, numfmt.Thousands(im.Leads), im.Failed,
		numfmt.Count(run.leads, "lead"), d.specs[1], numfmt.Thousands(run.byID+run.byDomain), run.byID, run.byDomain, run.unmatchedN, run.badLeadsN, d.specs[0], runs[0].badLeadsN)
	if n := run.notCreated; n > 0 {
		fmt.Fprintf(stderr, "accounts: under %s, %s of the matched created after the as-of time (%s), so not yet their account's people\n",
			d.specs[1], numfmt.Count(n, "lead"), d.asOf.Format(time.RFC3339))
	}
	matched := run.byID + run.byDomain
	leads = &review.AccountLeads{Added: run.leads, Matched: matched, ByID: run.byID, ByDomain: run.byDomain, Unmatched: run.unmatchedN,
		Failed: run.badLeadsN, People: matched - run.notCreated, NotCreated: run.notCreated}
	return im, leads, failed, nil
}

// peopleChange counts the people who joined and left an account between
// two sorted lists of lead ids.
func peopleChange(old, new []string) (added, removed int) {
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		switch {
		case j == len(new) || i < len(old) && old[i] < new[j]:
			removed++
			i++
		case i == len(old) || new[j] < old[i]:
			added++
			j++
		default:
			i++
			j++
		}
	}
	return added, removed
}
