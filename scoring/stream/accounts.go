package stream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/leadscore/leadscore/internal/jsonscan"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Accounts keeps accounts' results current as their people's lines
// arrive, beside the leads' states: for a model with an accounts section
// and a fixed set of accounts (an accounts file), it matches each lead to
// its account as the model declares (scoring.Matcher: by id, then by
// domain), keeps each account's people in the store, and re-scores an
// account when a line of one of its people arrives. The result is the one
// scoring.AccountScorer.ScoreAccount gives for the account with every
// person matched to it, each scored with all its events as of that time:
// each person is scored from its State, as State.Score scores it.
//
// An account's result also changes with no line (a person's event leaving
// a window, the engaged window or a roll-up's within closing, decay):
// Account.Next is the time of the next such change, for one re-check
// (Recheck), found as State.NextChange finds a lead's.
//
// Accounts are read once, when Accounts is made; a stored account's people
// were matched against the accounts and the model of their lines, so a
// change of either needs the states rebuilt from the leads' history.
type Accounts struct {
	sc          *Scorer
	as          *scoring.AccountScorer
	quiet       *scoring.AccountScorer // as ignoring unknown data, for probes
	match       *scoring.Matcher
	accounts    []scoring.Account
	byID        map[string]int
	readsClock  bool            // an expression of the account's model reads the clock
	personClock bool            // a person expression (role, engaged, roll-up) reads the clock
	windows     []time.Duration // the account's windows on a person's latest activity
	fingerprint string
	leftOut     func(accountID, leadID string, err error)
}

// OnLeftOut sets f to be called with each person left out of its account
// as it is scored: a person (not the lead of the line being taken) whose
// stored data cannot be scored is left out of the account rather than
// fail the lines of its colleagues, as score --accounts fails that lead
// alone. f may be called again for the same person at each scoring, and
// for scorings a failed transaction then undoes.
func (a *Accounts) OnLeftOut(f func(accountID, leadID string, err error)) { a.leftOut = f }

// NewAccounts returns Accounts for the model of as and the given accounts;
// its leads' states are those of Leads (made with opts). The error is for
// accounts that cannot be told apart (see scoring.AccountScorer.NewMatcher).
func NewAccounts(as *scoring.AccountScorer, accounts []scoring.Account, opts ...Option) (*Accounts, error) {
	mt, err := as.NewMatcher(accounts)
	if err != nil {
		return nil, err
	}
	quiet, err := scoring.NewAccountScorer(as.Leads().Model(), scoring.WithUnknownData(scoring.IgnoreUnknown), scoring.WithCreatedField(as.CreatedField()))
	if err != nil {
		return nil, err
	}
	a := &Accounts{sc: New(as.Leads(), opts...), as: as, quiet: quiet, match: mt, accounts: accounts, byID: map[string]int{}}
	for i, x := range accounts {
		a.byID[x.ID] = i
	}
	a.readsClock = as.Accounts().Model().ReadsClock()
	for _, x := range as.AccountModel().PersonExprs() {
		for _, id := range identifiers(x.Source) {
			a.personClock = a.personClock || id == "now" || id == "daysSince" || id == "daysSinceLast"
		}
	}
	a.fingerprint = accountsFingerprint(as.AccountModel(), as.CreatedField(), accounts)
	am := as.AccountModel()
	if am.EngagedWithin > 0 {
		a.windows = append(a.windows, am.EngagedWithin)
	}
	for _, r := range am.Rollups {
		if r.Within > 0 {
			a.windows = append(a.windows, r.Within)
		}
	}
	return a, nil
}

// Fingerprint sums up what the people stored for accounts depend on: the
// model's matching (id field, domain field, free-mail domains, aliases)
// and the accounts' ids and domains. People stored under another
// fingerprint may be matched to the wrong account: rebuild them from the
// leads' history.
func (a *Accounts) Fingerprint() string { return a.fingerprint }

// accountsFingerprint is Fingerprint for a model's accounts section, the
// lead field that says when a lead joins its account's people, and the
// accounts given.
func accountsFingerprint(am *rules.AccountModel, created string, accounts []scoring.Account) string {
	var b strings.Builder
	b.WriteString("leadscore stream accounts 1\n")
	fmt.Fprintf(&b, "match id=%q domain=%q field=%q free=%q\n", am.IDField, am.DomainFrom, am.DomainField, am.FreeMail)
	if created != "" && created != "created_at" { // the default's stores keep their print
		fmt.Fprintf(&b, "created %q\n", created)
	}
	for _, k := range slices.Sorted(maps.Keys(am.Aliases)) {
		fmt.Fprintf(&b, "alias %q %q\n", k, am.Aliases[k])
	}
	ids := make([]string, len(accounts))
	for i, x := range accounts {
		domain, _ := fieldAt(x.Fields, am.DomainField).(string)
		ids[i] = fmt.Sprintf("account %q %q\n", x.ID, domain)
	}
	slices.Sort(ids)
	b.WriteString(strings.Join(ids, ""))
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// fieldAt reads a field of account data: a flat key or nested maps.
func fieldAt(data map[string]any, name string) any {
	if v, ok := data[name]; ok {
		return v
	}
	head, rest, ok := strings.Cut(name, ".")
	if inner, _ := data[head].(map[string]any); ok && inner != nil {
		return fieldAt(inner, rest)
	}
	return nil
}

// FieldEdit is a field of an account whose value in the accounts given
// is not the one the account was last scored with: the accounts file was
// edited since. Old or New is absent (Was, Is false) when the field was
// added or taken out.
type FieldEdit struct {
	AccountID string
	Line      int // the account's line in the accounts given (0: none)
	Field     string
	Old, New  any
	Was, Is   bool
}

// Edited lists the fields of the accounts s keeps whose values in the
// accounts given differ from those they were last scored with, in order
// of account id, then field name. Values are compared as JSON (1200 and
// 1200.0 are the same). An account s keeps with no fields (a store
// written before they were kept) is not compared.
func (a *Accounts) Edited(s AccountStore) ([]FieldEdit, error) {
	var out []FieldEdit
	err := s.EachAccount(func(acc Account) error {
		i, ok := a.byID[acc.ID]
		if !ok || acc.Fields == nil {
			return nil
		}
		now := a.accounts[i].Fields
		keys := slices.Sorted(maps.Keys(acc.Fields))
		for k := range now {
			if _, ok := acc.Fields[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			old, was := acc.Fields[k]
			nw, is := now[k]
			if was == is && sameJSON(old, nw) {
				continue
			}
			out = append(out, FieldEdit{AccountID: acc.ID, Line: a.accounts[i].Line, Field: k, Old: old, New: nw, Was: was, Is: is})
		}
		return nil
	})
	return out, err
}

// sameJSON reports whether x and y are written as the same JSON.
func sameJSON(x, y any) bool {
	bx, errx := json.Marshal(x)
	by, erry := json.Marshal(y)
	return errx == nil && erry == nil && string(bx) == string(by)
}

// Leads returns the Scorer of the people's states.
func (a *Accounts) Leads() *Scorer { return a.sc }

// AccountChange is a change of an account's standing: its stage, grade or
// sales-readiness.
type AccountChange struct {
	AccountID string    `json:"account_id"`
	At        time.Time `json:"at"`
	// Cause is what made the change: the kind of the line of one of its
	// people (event, fields, disposition), or recheck for the passing of
	// time; LeadID is the person whose line it was.
	Cause  string           `json:"cause"`
	LeadID string           `json:"lead_id,omitempty"`
	From   *AccountStanding `json:"from"`
	To     AccountStanding  `json:"to"`
}

// ErrNoAccountStore is returned when the store's transactions do not keep
// accounts (see AccountTx).
var ErrNoAccountStore = errors.New("the store keeps no accounts (its transactions are not stream.AccountTx); use NewMemoryStore, boltstore, or add Account and PutAccount to yours")

// Take matches the lead l to its account and re-scores the accounts it
// concerns as of asOf, after a line of the lead (of the kind cause) was
// applied to it and to st, its state, and before l is put: it sets
// l.Account, l.Matched and l.Unmatched (put l after), moves the lead from
// the account it was matched to before when that changed, and re-scores
// and puts the accounts it left and joined. A lead with no fields yet
// matches no account.
//
// asOf must not be before the latest event of any of the accounts' people
// (ErrBeforeLatest). The changes are those of the accounts whose standing
// changed, in order of account id. An error scoring the lead or an account
// changes nothing, and is to fail the line; an error of tx is returned as
// it is.
func (a *Accounts) Take(ctx context.Context, tx Tx, l *Lead, st *State, asOf time.Time, cause string) (changes []AccountChange, err error) {
	was := [3]string{l.Account, l.Matched, l.Unmatched}
	defer func() {
		if err != nil {
			l.Account, l.Matched, l.Unmatched = was[0], was[1], was[2]
		}
	}()
	atx, ok := tx.(AccountTx)
	if !ok {
		return nil, ErrNoAccountStore
	}
	if ctx == nil {
		ctx = context.Background()
	}
	self := member{l: l, st: st}
	to, how, why := "", "", "no fields were given for it"
	if l.Fields != nil {
		p, err := a.person(ctx, a.as, &self, asOf)
		if err != nil {
			return nil, err
		}
		var i int
		i, how, why = a.match.Match(p)
		if i >= 0 {
			to = a.accounts[i].ID
		}
	}
	from := l.Account
	l.Account, l.Matched, l.Unmatched = to, how, why
	var put []Account // put once every account is scored: an error changes nothing
	for _, id := range sortedIDs(from, to) {
		acc, _, err := atx.Account(id)
		if err != nil {
			return nil, err
		}
		acc.ID = id
		switch {
		case id == to && id != from:
			if i, found := slices.BinarySearch(acc.People, l.ID); !found {
				acc.People = slices.Insert(acc.People, i, l.ID)
			}
		case id == from && id != to:
			if i, found := slices.BinarySearch(acc.People, l.ID); found {
				acc.People = slices.Delete(acc.People, i, i+1)
			}
		}
		c, err := a.rescore(ctx, atx, &acc, &self, asOf, cause, l.ID)
		if err != nil {
			return nil, err
		}
		if c != nil {
			changes = append(changes, *c)
		}
		put = append(put, acc)
	}
	for _, acc := range put {
		if err := atx.PutAccount(acc); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// sortedIDs returns the non-empty ids among from and to, once each, in order.
func sortedIDs(from, to string) []string {
	var ids []string
	for _, id := range []string{from, to} {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Recheck re-scores the account as of at (its Account.Next, or any time
// not before the latest event of its people), reports a change of its
// standing (cause recheck) and puts it with its next re-check. An account
// the store does not keep is left alone (nil, nil).
func (a *Accounts) Recheck(ctx context.Context, tx Tx, accountID string, at time.Time) (*AccountChange, error) {
	atx, ok := tx.(AccountTx)
	if !ok {
		return nil, ErrNoAccountStore
	}
	if ctx == nil {
		ctx = context.Background()
	}
	acc, found, err := atx.Account(accountID)
	if err != nil || !found {
		return nil, err
	}
	c, err := a.rescore(ctx, atx, &acc, nil, at, "recheck", "")
	if err != nil {
		return nil, err
	}
	return c, atx.PutAccount(acc)
}

// Score returns the account's result as of asOf from the people the store
// keeps for it (with no people when it keeps none): what Take and Recheck
// judge changes on.
func (a *Accounts) Score(ctx context.Context, tx Tx, accountID string, asOf time.Time) (*scoring.AccountResult, error) {
	atx, ok := tx.(AccountTx)
	if !ok {
		return nil, ErrNoAccountStore
	}
	if ctx == nil {
		ctx = context.Background()
	}
	i, ok := a.byID[accountID]
	if !ok {
		return nil, &scoring.AccountError{AccountID: accountID, Err: errors.New("no account has this id among the accounts given")}
	}
	acc, _, err := atx.Account(accountID)
	if err != nil {
		return nil, err
	}
	ms, err := a.members(atx, &acc, nil)
	if err != nil {
		return nil, err
	}
	return a.scoreAt(ctx, a.as, a.accounts[i], a.scorable(ctx, accountID, ms, nil, asOf), asOf)
}

// member is one of an account's people: its stored lead and its state.
type member struct {
	l  *Lead
	st *State

	fields map[string]any // l's fields as scoring reads them, once read
	read   bool
}

// members loads the account's people; self, when one of them, is taken as
// given rather than from the store.
func (a *Accounts) members(tx AccountTx, acc *Account, self *member) ([]member, error) {
	out := make([]member, 0, len(acc.People))
	for _, id := range acc.People {
		if self != nil && id == self.l.ID {
			out = append(out, *self)
			continue
		}
		l, ok, err := tx.Lead(id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &scoring.AccountError{AccountID: acc.ID, Err: fmt.Errorf("its person %s is not in the store; rebuild the store from the leads' history", id)}
		}
		st := a.sc.NewState(id)
		if l.State != nil {
			if st, err = a.sc.Load(l.State); err != nil {
				a.leaveOut(acc.ID, id, err)
				continue
			}
		}
		out = append(out, member{l: &l, st: st})
	}
	return out, nil
}

// leaveOut reports a person left out of its account.
func (a *Accounts) leaveOut(accountID, leadID string, err error) {
	if a.leftOut != nil {
		a.leftOut(accountID, leadID, err)
	}
}

// scorable returns the people of ms that can be scored as of t, leaving
// out (and reporting, see OnLeftOut) the others; self, the lead of the line being taken,
// is kept whatever its error, for the line to fail on it.
func (a *Accounts) scorable(ctx context.Context, accountID string, ms []member, self *member, t time.Time) []member {
	out := ms[:0]
	for i := range ms {
		if self == nil || ms[i].l.ID != self.l.ID {
			// A time before a person's latest event is the caller's
			// (ErrBeforeLatest), not the person's: it fails the scoring.
			if _, err := a.person(ctx, a.as, &ms[i], t); err != nil && ctx.Err() == nil && !errors.Is(err, ErrBeforeLatest) {
				a.leaveOut(accountID, ms[i].l.ID, err)
				continue
			}
		}
		out = append(out, ms[i])
	}
	return out
}

// scoreAt scores the account with its people as of t, with s (the
// Accounts' scorer, or its quiet one).
func (a *Accounts) scoreAt(ctx context.Context, s *scoring.AccountScorer, acc scoring.Account, ms []member, t time.Time) (*scoring.AccountResult, error) {
	var people []*scoring.Person // nil for none, as scoring.AccountScorer.Score gives
	for i := range ms {
		p, err := a.person(ctx, s, &ms[i], t)
		if err != nil {
			return nil, err
		}
		people = append(people, p)
	}
	return s.ScoreAccountContext(ctx, acc, people, t)
}

// rescore scores the account as of asOf, reports a change of its standing
// and finds its next re-check, in acc (for the caller to put).
func (a *Accounts) rescore(ctx context.Context, tx AccountTx, acc *Account, self *member, asOf time.Time, cause, leadID string) (*AccountChange, error) {
	i, ok := a.byID[acc.ID]
	if !ok {
		return nil, &scoring.AccountError{AccountID: acc.ID, Err: errors.New("the store keeps this account, but it is not among the accounts given; give the accounts file the store was built with, or rebuild the store")}
	}
	ms, err := a.members(tx, acc, self)
	if err != nil {
		return nil, err
	}
	ms = a.scorable(ctx, acc.ID, ms, self, asOf)
	res, err := a.scoreAt(ctx, a.as, a.accounts[i], ms, asOf)
	if err != nil {
		return nil, err
	}
	acc.Fields = a.accounts[i].Fields
	now := AccountStanding{Stage: res.Stage, Grade: res.Grade, Score: res.Total, SalesReady: res.SalesReady}
	if now.SalesReady {
		now.SalesReadyAt = asOf.UTC()
		if acc.Standing != nil && acc.Standing.SalesReady {
			now.SalesReadyAt = acc.Standing.SalesReadyAt
		}
	}
	var change *AccountChange
	if acc.Standing == nil || !sameStanding(*acc.Standing, now) {
		change = &AccountChange{AccountID: acc.ID, At: asOf.UTC(), Cause: cause, LeadID: leadID, From: acc.Standing, To: now}
		acc.Standing = &now
	}
	acc.Next = time.Time{}
	next, ok, err := a.nextChange(ctx, a.accounts[i], ms, res, asOf)
	if err != nil {
		return nil, err
	}
	if ok {
		acc.Next = next
	}
	return change, nil
}

// sameStanding reports whether two standings are the same for a change
// (the score alone is no change).
func sameStanding(x, y AccountStanding) bool {
	return x.Stage == y.Stage && x.Grade == y.Grade && x.SalesReady == y.SalesReady
}

// person scores a stored lead as a person, from its state, as of asOf.
func (a *Accounts) person(ctx context.Context, s *scoring.AccountScorer, m *member, asOf time.Time) (*scoring.Person, error) {
	l, st := m.l, m.st
	if latest := laterOf(st.clock, l.Active); asOf.Before(latest) {
		return nil, &scoring.Error{LeadID: l.ID, Err: fmt.Errorf("as of %s: %w (%s); score the account as of that time or later", asOf.Format(time.RFC3339), ErrBeforeLatest, latest.Format(time.RFC3339))}
	}
	if err := st.refuseResets(l.Dispositions, asOf); err != nil {
		return nil, err
	}
	if !m.read {
		fields, err := storedFields(l)
		if err != nil {
			return nil, &scoring.Error{LeadID: l.ID, Err: fmt.Errorf("its stored fields cannot be read (%v); give them all again", err)}
		}
		m.fields, m.read = fields, true
	}
	lead := scoring.Lead{ID: l.ID, Fields: m.fields, Events: st.keptEvents(), Dispositions: l.Dispositions}
	p, err := s.PersonCounted(friend.K(), ctx, lead, asOf, st.countsAt(asOf), st.lasts, l.Active)
	if err != nil {
		return nil, err
	}
	p.Matched = l.Matched
	return p, nil
}

func laterOf(x, y time.Time) time.Time {
	if y.After(x) {
		return y
	}
	return x
}

// storedFields returns a stored lead's fields as scoring reads them (nil
// when none were given).
func storedFields(l *Lead) (map[string]any, error) {
	if l.Fields == nil {
		return nil, nil
	}
	obj, err := jsonscan.Unmarshal(l.Fields) // a number of 16 digits or more keeps them
	if err != nil {
		return nil, err
	}
	x, err := scoring.LeadFromMap(obj)
	if err != nil {
		return nil, err
	}
	f, _ := x.Fields.(map[string]any)
	return f, nil
}

// nextChange returns the first time after asOf at which the account's
// stage or grade changes with no new line, as State.NextChange finds a
// lead's: at the moments one of its people's events leaves a window (of a
// rule, an events() count, the engaged window or a roll-up's within), at
// its people's dispositions and the ends of their hold-downs, and, when
// decay or the clock moves a result between them, at gridSteps evenly
// spaced times, with the moment found to the nanosecond by bisection.
//
// A person whose result moves only at its own moments (no decaying event
// kept, no expression reading the clock) is scored again at a probe only
// when one of its moments has passed since the last: its result in
// between is the one it had.
func (a *Accounts) nextChange(ctx context.Context, acc scoring.Account, ms []member, base *scoring.AccountResult, asOf time.Time) (time.Time, bool, error) {
	return a.nextChangeBy(ctx, acc, ms, base, asOf, false)
}

// nextChangeBy is nextChange, scoring every person again at every probe
// when all is set: the reference the other is checked against.
func (a *Accounts) nextChangeBy(ctx context.Context, acc scoring.Account, ms []member, base *scoring.AccountResult, asOf time.Time, all bool) (time.Time, bool, error) {
	times := a.probeTimes(ms, asOf)
	// A person created after asOf is not yet one of the account's people
	// (ScoreAccount leaves it out): it joins at its creation, a moment
	// of the account's too.
	var joined []time.Time
	for i := range ms {
		if slices.ContainsFunc(base.Members, func(p *scoring.Person) bool { return p.LeadID == ms[i].l.ID }) {
			continue
		}
		if p, err := a.person(ctx, a.quiet, &ms[i], asOf); err == nil && p.Created.After(asOf) {
			joined = append(joined, p.Created)
		}
	}
	if len(joined) > 0 {
		times = append(times, joined...)
		slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
		times = slices.CompactFunc(times, func(x, y time.Time) bool { return x.Equal(y) })
	}
	if len(times) == 0 {
		return time.Time{}, false, nil
	}
	cur := make([]*scoring.Person, len(ms))
	marks := make([][]time.Time, len(ms))
	moving := make([]bool, len(ms))
	for i, m := range ms {
		for _, p := range base.Members {
			if p.LeadID == m.l.ID {
				cur[i] = p
			}
		}
		marks[i] = a.moments(m, asOf)
		moving[i] = all || a.personClock || m.st.continuousSpan() > 0
	}
	prev := asOf
	// sameNext reports whether the stage and grade at t, the next probe
	// after prev, are the base's.
	sameNext := func(t time.Time) (bool, error) {
		for i := range ms {
			if cur[i] != nil && !moving[i] && !movesIn(marks[i], prev, t) {
				continue
			}
			p, err := a.person(ctx, a.quiet, &ms[i], t)
			if err != nil {
				return false, err
			}
			cur[i] = p
		}
		prev = t
		r, err := a.quiet.ScoreAccountContext(ctx, acc, cur, t)
		if err != nil {
			return false, err
		}
		return r.Stage == base.Stage && r.Grade == base.Grade, nil
	}
	same := func(t time.Time) (bool, error) {
		r, err := a.scoreAt(ctx, a.quiet, acc, ms, t)
		if err != nil {
			return false, err
		}
		return r.Stage == base.Stage && r.Grade == base.Grade, nil
	}
	// A probe that cannot be scored (a roll-up that is no number at that
	// moment, say) is the next moment to look at: the re-check then fails
	// with its own time, and the standing found up to it stands (the
	// look-ahead failed, not the scoring at asOf).
	failedAt := func(t time.Time, err error) (time.Time, bool, error) {
		if ctx.Err() != nil {
			return time.Time{}, false, err
		}
		return t, true, nil
	}
	lo := asOf
	for _, t := range times {
		ok, err := sameNext(t)
		if err != nil {
			return failedAt(t, err)
		}
		if ok {
			lo = t
			continue
		}
		hi := t
		// Most changes come as a window closes, at a probe time itself.
		if hi.Sub(lo) > 1 {
			ok, err := same(hi.Add(-1))
			if err != nil {
				return failedAt(hi.Add(-1), err)
			}
			if ok {
				return hi, true, nil
			}
			hi = hi.Add(-1)
		}
		for hi.Sub(lo) > 1 {
			mid := lo.Add(hi.Sub(lo) / 2)
			ok, err := same(mid)
			if err != nil {
				return failedAt(mid, err)
			}
			if ok {
				lo = mid
			} else {
				hi = mid
			}
		}
		return hi, true, nil
	}
	return time.Time{}, false, nil
}

// moments returns, in order, the times after asOf at which a person's
// result may change with no new line: its events leaving their windows,
// the account's windows on its latest activity closing, its dispositions
// and the ends of their hold-downs.
func (a *Accounts) moments(m member, asOf time.Time) []time.Time {
	out := m.st.expiries(asOf)
	add := func(t time.Time) {
		if t.After(asOf) {
			out = append(out, t)
		}
	}
	if !m.l.Active.IsZero() {
		for _, w := range a.windows {
			add(m.l.Active.Add(w))
		}
	}
	var hold time.Duration
	if h := a.sc.m.Handoff; h != nil {
		hold = h.Hold
	}
	for _, d := range m.l.Dispositions {
		add(d.At)
		add(d.At.Add(hold))
	}
	slices.SortFunc(out, func(x, y time.Time) int { return x.Compare(y) })
	return out
}

// movesIn reports whether one of the moments (in order) is in (from, to].
func movesIn(moments []time.Time, from, to time.Time) bool {
	i, _ := slices.BinarySearchFunc(moments, from, func(x, t time.Time) int {
		if x.After(t) {
			return 1
		}
		return -1
	})
	return i < len(moments) && !moments[i].After(to)
}

// probeTimes returns, in order, the times after asOf nextChange looks at:
// its people's moments, and, when decay or the clock moves a result
// between them, gridSteps evenly spaced times up to the last of them plus
// the longest span a result still moves.
func (a *Accounts) probeTimes(ms []member, asOf time.Time) []time.Time {
	var times []time.Time
	var span time.Duration
	if a.readsClock || a.personClock {
		span = max(a.sc.horizon.Window, 365*24*time.Hour)
	}
	for _, m := range ms {
		times = append(times, a.moments(m, asOf)...)
		span = max(span, m.st.continuousSpan())
	}
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	if span > 0 {
		end := asOf
		if n := len(times); n > 0 {
			end = times[n-1]
		}
		step := end.Add(span).Sub(asOf) / gridSteps
		for i := 1; i <= gridSteps; i++ {
			times = append(times, asOf.Add(time.Duration(i)*step))
		}
		slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	}
	return slices.CompactFunc(times, func(x, y time.Time) bool { return x.Equal(y) })
}

// Matched counts the leads of the store by how they were matched to an
// account (by id, by domain), and lists those that matched none (with
// why), in order of lead id: a lead that matches no account is never
// dropped, only not counted for any account.
func Matched(s Store) (byID, byDomain int, unmatched []scoring.Unmatched, err error) {
	err = s.Each(func(l Lead) error {
		switch {
		case l.Matched == scoring.MatchedByID:
			byID++
		case l.Matched == scoring.MatchedByDomain:
			byDomain++
		case l.Unmatched != "":
			unmatched = append(unmatched, scoring.Unmatched{LeadID: l.ID, Reason: l.Unmatched})
		}
		return nil
	})
	return byID, byDomain, unmatched, err
}
