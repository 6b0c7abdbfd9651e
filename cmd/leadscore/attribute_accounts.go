package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// accountJourneys is what attribute --accounts builds journeys from.
type accountJourneys struct {
	model, accounts, leads, events, outcomes, source string
	noEvents, strict                                 bool
	maxRow                                           int
	asOf                                             time.Time
	createdField                                     string
	createdSet                                       bool // --created-field was given
	tf                                               *touchFields
}

// accountJourneyCounts reconcile the rows attribute --accounts reads:
// lead rows = unreadable + failed + matched + unmatched, and accounts =
// journeys + without a person by --at.
type accountJourneyCounts struct {
	accountRows, badAccounts, accounts, journeys, notCreated, failedAccounts int
	rows, unreadable, failed, matched, unmatched                             int
	createdLater, badEvents                                                  int
	outcomes                                                                 attribution.Counts
}

// readAccountJourneys builds one journey per account for attribute
// --accounts: the touches of all its people (the leads matched to it, as
// score --accounts matches them) up to --at, when the account first
// became sales-ready (scoring.AccountScorer.FirstSalesReady), and its
// opportunity, won deal and revenue from account-level outcomes. Each
// journey goes to add in the accounts file's order. The leads are kept
// until every row is read (memory grows with them).
func readAccountJourneys(c caller, a accountJourneys, stderr io.Writer, add func(file string, line int, j *attribution.Journey, err error) error) (n accountJourneyCounts, cut asOfCut, warnings []string, err error) {
	m, _ := compileModel(a.model, stderr)
	if m == nil {
		return n, cut, nil, fmt.Errorf("%s does not compile", a.model)
	}
	if m.Accounts == nil {
		return n, cut, nil, fmt.Errorf("%s: %s has no accounts section; add accounts: (see docs/guide/accounts.md)", c.flag("accounts"), a.model)
	}
	s, err := newAccountScorer(m, a.strict, a.createdField)
	if err != nil {
		return n, cut, nil, err
	}
	if err := checkTouchFields(c, s.Leads(), a.model, a.tf.campaign, a.tf.channel); err != nil {
		return n, cut, nil, err
	}
	if err := checkCreatedField(c, m, a.createdField, a.createdSet); err != nil {
		return n, cut, nil, err
	}
	run, matcher, err := readAccountsToMatch(s, a.accounts, a.maxRow, stderr)
	if err != nil {
		return n, cut, nil, err
	}
	n.accountRows, n.badAccounts, n.accounts = len(run.accounts)+len(run.badAccounts), len(run.badAccounts), len(run.accounts)
	f, err := os.Open(a.outcomes)
	if err != nil {
		return n, cut, nil, err
	}
	outcomes, oc, err := attribution.ReadAccountOutcomes(f, func(line int, err error) {
		fmt.Fprintf(stderr, "%s:%d: %v\n", a.outcomes, line, err)
	})
	f.Close()
	if err != nil {
		return n, cut, nil, fmt.Errorf("%s: %v", a.outcomes, err)
	}
	n.outcomes = oc

	// The leads, matched to their accounts on every core.
	lopts := leadfile.Options{Scorer: s.Leads(), MaxRow: a.maxRow, NoEvents: a.noEvents, Bound: true}
	closeLeads, err := openLeadsVia(&lopts, a.leads, "", a.events, a.source, stderr)
	defer closeLeads()
	if err != nil {
		return n, cut, nil, err
	}
	ctx := context.Background()
	mp, err := matchPeople(ctx, s, run, matcher, lopts, a.leads, a.asOf, stderr)
	if err != nil {
		return n, cut, nil, err
	}
	people, unknown := mp.people, mp.unknown
	n.rows, n.unreadable, n.failed, n.matched, n.unmatched, n.badEvents = mp.rows, mp.unreadable, mp.failed, mp.matched, mp.unmatched, mp.badEvents
	for _, l := range unknown.Lines() {
		warnings = append(warnings, "leads: "+l)
	}
	if n.unmatched > 0 {
		why := ""
		if len(run.badAccounts) > 0 {
			why = fmt.Sprintf("; some may be of the %s of %s that could not be read (%s)", strconv.Itoa(len(run.badAccounts))+" "+numfmt.Noun(len(run.badAccounts), "account row"), a.accounts, badLines(run.badAccounts))
		}
		warnings = append(warnings, fmt.Sprintf("%d of the %d leads matched no account (score --accounts --unmatched FILE lists them with why)%s; their touches are in no account's journey", n.unmatched, n.rows-n.unreadable-n.failed, why))
	}

	// One journey per account, in the accounts file's order.
	for i, acc := range run.accounts {
		j, created, err := accountJourney(ctx, s, acc, people[i], a, outcomes, &cut)
		switch {
		case err != nil:
			n.failedAccounts++
		case !created:
			n.notCreated++
			continue
		default:
			n.journeys++
		}
		if err := add(a.accounts, run.lines[i], j, err); err != nil {
			return n, cut, warnings, err
		}
	}
	warnings = append(warnings, outcomesWithoutAccount(a.accounts, a.outcomes, run, outcomes)...)
	if n.accountRows == 0 {
		warnings = append(warnings, fmt.Sprintf("%s has no accounts, so there is no journey; check that it is the right file", a.accounts))
	}
	if n.rows == 0 && n.accountRows > 0 {
		warnings = append(warnings, fmt.Sprintf("%s has no leads, so no account has a person or a touch; check that it is the right file", a.leads))
	}
	return n, cut, warnings, nil
}

// newAccountScorer is the model's AccountScorer, refusing data the model
// does not declare when strict (--strict-data), reading when a person was
// created from createdField (--created-field).
func newAccountScorer(m *rules.Model, strict bool, createdField string) (*scoring.AccountScorer, error) {
	opts := []scoring.Option{scoring.WithCreatedField(createdField)}
	if strict {
		opts = append(opts, scoring.WithUnknownData(scoring.RefuseUnknown))
	}
	return scoring.NewAccountScorer(m, opts...)
}

// readAccountsToMatch reads the accounts file, printing each row that
// could not be read with its line, and indexes the accounts to match
// leads to them.
func readAccountsToMatch(s *scoring.AccountScorer, name string, maxRow int, stderr io.Writer) (*accountRun, *scoring.Matcher, error) {
	run := &accountRun{}
	if err := readAccountsFile(run, s, name, maxRow, stderr); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", name, err)
	}
	for _, b := range run.badAccounts {
		fmt.Fprintf(stderr, "%s:%d: %v\n", name, b.line, b.err)
	}
	matcher, err := s.NewMatcher(run.accounts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", name, err)
	}
	return run, matcher, nil
}

// accountLead is where a matched lead was first seen: its account and
// line, to find a lead id given twice.
type accountLead struct {
	account int
	line    int
}

// accountPeople are the leads of a run matched to their accounts (by the
// accounts' order), with counts that reconcile the lead rows: rows =
// unreadable + failed + matched + unmatched.
type accountPeople struct {
	people                                       [][]scoring.Lead
	rows, unreadable, failed, matched, unmatched int
	badEvents                                    int // events rows (of CSV leads) that failed
	unknown                                      scoring.UnknownTally
}

// matchPeople reads the leads of lopts (opened), matching each to its
// account on every core as score --accounts matches them, as of asOf; a
// lead without an id, one that cannot be read or scored, and one whose id
// an earlier matched lead has, fails alone, printed with its line (the
// first maxShownErrors of them).
func matchPeople(ctx context.Context, s *scoring.AccountScorer, run *accountRun, matcher *scoring.Matcher, lopts leadfile.Options, leadsName string, asOf time.Time, stderr io.Writer) (accountPeople, error) {
	var n accountPeople
	lopts.OnError = func(e leadfile.RowError) {
		fmt.Fprintln(stderr, e)
		n.badEvents++
	}
	type matched struct {
		lead       scoring.Lead
		account    int
		notYet     bool // created after --at: not yet one of its account's people
		unknown    []rules.Unknown
		err        error
		unreadable bool
	}
	n.people = make([][]scoring.Lead, len(run.accounts))
	seen := map[string]accountLead{} // the matched leads by id: the first's account and line
	notYet := map[string]bool{}      // of those, the ones created after --at
	shown := 0
	err := leadfile.Map(lopts, func(_ int, lead scoring.Lead, err error) (r matched) {
		if err != nil {
			return matched{err: err, unreadable: true}
		}
		defer func() {
			if p := recover(); p != nil {
				r = matched{err: fmt.Errorf("internal error: %v", p)}
			}
		}()
		if lead.ID == "" {
			return matched{err: fmt.Errorf("the lead has no id; give every lead an id")}
		}
		p, err := s.PersonContext(ctx, lead, asOf)
		if err != nil {
			return matched{err: err}
		}
		i, _, _ := matcher.Match(p)
		return matched{lead: lead, account: i, notYet: p.Created.After(asOf), unknown: s.Leads().Unknown(lead)}
	}, func(line int, r matched) error {
		n.rows++
		n.unknown.Add(r.unknown)
		err := r.err
		if err == nil && r.account >= 0 {
			if first, dup := seen[r.lead.ID]; dup {
				err = &scoring.Error{LeadID: r.lead.ID, Err: scoring.DuplicateLeadError{AccountID: run.accounts[r.account].ID, First: first.line, Line: true,
					FirstAccountID: run.accounts[first.account].ID, FirstNotYet: notYet[r.lead.ID]}}
			} else {
				seen[r.lead.ID] = accountLead{r.account, line}
				if r.notYet {
					notYet[r.lead.ID] = true
				}
			}
		}
		switch {
		case err != nil && r.unreadable:
			n.unreadable++
		case err != nil:
			n.failed++
		case r.account < 0:
			n.unmatched++
			return nil
		default:
			n.matched++
			n.people[r.account] = append(n.people[r.account], r.lead)
			return nil
		}
		if shown < maxShownErrors {
			fmt.Fprintf(stderr, "%s:%d: %v\n", leadsName, line, err)
		}
		shown++
		return nil
	})
	return n, err
}

// accountJourney is an account's journey as of a.asOf; created is false
// for an account none of whose people had arrived by then (it did not
// exist yet for sales and marketing).
func accountJourney(ctx context.Context, s *scoring.AccountScorer, acc scoring.Account, people []scoring.Lead, a accountJourneys, outcomes map[string]attribution.Outcome, cut *asOfCut) (*attribution.Journey, bool, error) {
	j := &attribution.Journey{ID: acc.ID, Touches: []attribution.Touch{}, Milestones: map[string]time.Time{}}
	var first time.Time // the first person's arrival
	var present []scoring.Lead
	for _, p := range people {
		arrival := p.TimeField(a.createdField)
		created := !arrival.IsZero()
		for _, e := range p.Events {
			if !created && (arrival.IsZero() || e.At.Before(arrival)) {
				arrival = e.At
			}
		}
		if !arrival.IsZero() && arrival.After(a.asOf) {
			cut.notCreated++ // a lead created after --at: not yet one of its people
			continue
		}
		present = append(present, p)
		if created && (first.IsZero() || arrival.Before(first)) {
			first = arrival
		}
		for _, e := range p.Events {
			if e.At.After(a.asOf) {
				cut.events++
				continue
			}
			if t, ok := a.tf.touch(e); ok {
				j.Touches = append(j.Touches, t)
			}
		}
	}
	o, hasOutcome := outcomes[acc.ID]
	decided := hasOutcome && ((!o.Opportunity.IsZero() && !o.Opportunity.After(a.asOf)) || (!o.Won.IsZero() && !o.Won.After(a.asOf)))
	if len(present) == 0 && len(people) > 0 && !decided {
		return nil, false, nil // none of its people yet, and no deal: no journey yet
	}
	// The people's touches in time order; at one moment, in the order of
	// the leads file.
	slices.SortStableFunc(j.Touches, func(x, y attribution.Touch) int { return x.At.Compare(y.At) })
	if !first.IsZero() {
		j.Milestones[attribution.LeadCreated] = first
	}
	at, found, err := s.FirstSalesReady(ctx, acc, present, a.createdField, a.asOf)
	if err != nil {
		var ae *scoring.AccountError
		if errors.As(err, &ae) {
			return nil, true, err // it names the account
		}
		return nil, true, fmt.Errorf("account %s: %v", acc.ID, err)
	}
	if found {
		j.Milestones[attribution.SalesReady] = at
	}
	if o, ok := outcomes[acc.ID]; ok {
		switch {
		case o.Opportunity.After(a.asOf):
			cut.opportunities++
		case !o.Opportunity.IsZero():
			j.Milestones[attribution.Opportunity] = o.Opportunity
		}
		switch {
		case o.Won.After(a.asOf):
			cut.wins++
			cut.revenue += o.Revenue
		case !o.Won.IsZero():
			j.Milestones[attribution.Won] = o.Won
			j.Converted, j.Revenue = true, o.Revenue
		}
	}
	return j, true, nil
}

// summary is attribute --accounts' reconciliation, for stderr.
func (n accountJourneyCounts) summary(accounts, leads string) []string {
	lines := []string{
		fmt.Sprintf("%s: %d account rows read: %d failed to read, %d accounts = %d journeys + %d failed + %d with no person and no deal by --at",
			accounts, n.accountRows, n.badAccounts, n.accounts, n.journeys, n.failedAccounts, n.notCreated),
		fmt.Sprintf("%s: %d lead rows read: %d could not be read, %d failed, %d matched to an account, %d unmatched",
			leads, n.rows, n.unreadable, n.failed, n.matched, n.unmatched),
	}
	if n.badEvents > 0 {
		lines = append(lines, fmt.Sprintf("%d events rows failed", n.badEvents))
	}
	return lines
}

// problems is how many rows failed.
func (n accountJourneyCounts) problems() int {
	return n.badAccounts + n.unreadable + n.failed + n.badEvents + n.outcomes.Failed
}

// outcomesWithoutAccount warns of the outcome rows whose account is not
// among the accounts read: those whose account's row could not be read
// (named by line), those whose id differs from an account's only in case
// or spaces (with the id meant), and the rest, counted.
func outcomesWithoutAccount(accountsFile, outcomesFile string, run *accountRun, outcomes map[string]attribution.Outcome) []string {
	ids := make([]string, 0, len(run.accounts))
	is := map[string]bool{}
	for _, acc := range run.accounts {
		ids = append(ids, acc.ID)
		is[acc.ID] = true
	}
	bad := map[string]int{}
	for _, b := range run.badAccounts {
		if b.id != "" {
			bad[b.id] = b.line
		}
	}
	var without, ofBad []string
	for id := range outcomes {
		switch {
		case is[id]:
		case bad[id] > 0:
			ofBad = append(ofBad, fmt.Sprintf("%s (%s:%d)", id, accountsFile, bad[id]))
		default:
			without = append(without, id)
		}
	}
	slices.Sort(without)
	slices.Sort(ofBad)
	var w []string
	if len(ofBad) > 0 {
		w = append(w, fmt.Sprintf("%s has outcomes for %s whose row could not be read: %s; they are in no journey: fix those rows and run again",
			outcomesFile, strconv.Itoa(len(ofBad))+" "+numfmt.Noun(len(ofBad), "account"), strings.Join(ofBad, ", ")))
	}
	near := attribution.NearAccountIDs(without, ids)
	if len(near) > 0 {
		var s []string
		for _, n := range near {
			s = append(s, fmt.Sprintf("%q (did you mean %s?)", n.ID, n.Account))
		}
		w = append(w, fmt.Sprintf("%s has %s differing from an account's only in case or spaces, so in no journey: %s; write the ids as the accounts file does",
			outcomesFile, strconv.Itoa(len(near))+" "+numfmt.Noun(len(near), "account id"), strings.Join(s, ", ")))
	}
	if rest := len(without) - len(near); rest > 0 {
		w = append(w, fmt.Sprintf("%s has outcomes for %s the accounts file does not have, such as %q; they are in no journey",
			outcomesFile, strconv.Itoa(rest)+" "+numfmt.Noun(rest, "account"), firstNotNear(without, near)))
	}
	return w
}

// firstNotNear is the first of ids not among near.
func firstNotNear(ids []string, near []attribution.NearID) string {
	for _, id := range ids {
		if !slices.ContainsFunc(near, func(n attribution.NearID) bool { return n.ID == id }) {
			return id
		}
	}
	return ""
}

// badLines lists the lines of the account rows that could not be read.
func badLines(bad []badAccount) string {
	var s []string
	for _, b := range bad {
		s = append(s, "line "+strconv.Itoa(b.line))
	}
	return strings.Join(s, ", ")
}
