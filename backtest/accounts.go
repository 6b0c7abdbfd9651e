package backtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/stats"
	"github.com/leadscore/leadscore/scoring"
)

// AccountOptions set up an account backtest (see Accounts).
type AccountOptions struct {
	// At is T0: every account is scored as it stood then, from its
	// fields and the people (leads) it had then.
	At time.Time
	// Until is T1, the end of the outcome window (T0, T1]; zero for no end.
	Until time.Time
	// CreatedField is the lead field that holds when the lead was created
	// ("created_at" when empty); a lead without it exists from its first
	// event. An account exists from its first person's arrival.
	CreatedField string
	// MinWon is the fewest won deals a verdict may rest on (DefaultMinWon
	// when zero), as for leads.
	MinWon int
	// History is how long before T0 the hand-offs per week are counted
	// over (DefaultHistory when zero), in whole weeks ending at T0; never
	// before the first person's arrival.
	History time.Duration
	// Lines are the accounts' lines in the accounts file, by index (nil
	// when none), for the messages about accounts that fail.
	Lines []int
	// Unreadable are the rows of the accounts file that could not be read:
	// counted, listed, and named in the messages about their outcomes and
	// leads (rather than "no account").
	Unreadable []FailedAccount
}

// FailedAccount is an account left out because its row could not be read
// or it could not be scored: its id (when known), its line in the
// accounts file (0 when not known) and why.
type FailedAccount struct {
	ID     string `json:"id"`
	Line   int    `json:"line,omitempty"`
	Reason string `json:"reason"`
	// Unreadable is set when the row could not be read, clear when the
	// account could not be scored.
	Unreadable bool `json:"unreadable"`
}

// where says where the account's row is, for a message.
func (f FailedAccount) where() string {
	if f.Line > 0 {
		return fmt.Sprintf("line %d of the accounts file", f.Line)
	}
	return "the accounts file"
}

// Accounts is the backtest of a model's sales-ready account definition:
// won opportunities are the accounts' outcomes (by account id, see
// attribution.ReadAccountOutcomes), and each account is scored as it
// stood at T0 (its fields, and its people as they stood at T0: leads
// created after T0 are not yet its people, events after T0 are unseen),
// then labelled with what happened in (T0, T1], as Backtest labels leads.
//
// Accounts won or lost by T0, or already an open opportunity at T0, and
// accounts none of whose people existed at T0, are left out and counted;
// an account with no outcome row is in the backtest as not won (the CRM
// has no deal for it), and counted. The report gives the AUC of the
// account total against won with its 95% interval, the sales-ready
// account definition as a classifier of won deals (precision and recall
// with 95% Wilson intervals), conversion by account stage, a verdict on
// the definition withheld below the lead backtest's minimums, and the
// hand-offs per week: each account replayed up to T0 at every moment one
// of its people arrived or had an event, or an event left a window (see
// scoring.AccountScorer.FirstSalesReady), to find when it first became
// sales-ready.
//
// It keeps every matched lead (with its events up to T0) until Report,
// for that replay. Add leads in any order: the report does not depend on it.
type Accounts struct {
	s        *scoring.AccountScorer
	opts     AccountOptions
	outcomes map[string]Outcome
	accounts []scoring.Account
	matcher  *scoring.Matcher
	people   [][]*accountPerson // by account
	// arrival is the earliest arrival of each account's matched leads,
	// created by T0 or not.
	arrival []time.Time
	// seen is the matched leads by id: the account and line of the first.
	seen      map[string]accountMember
	leads     LeadCounts
	unmatched []UnmatchedLead
}

type accountMember struct {
	account int
	line    int
	notYet  bool // created after T0: not one of the account's people
}

// accountPerson is one of an account's people at T0: the lead (events up
// to T0 only) for the replay, when it came, and its person as of T0.
type accountPerson struct {
	lead    scoring.Lead
	arrival time.Time
	p       *scoring.Person
}

// LeadCounts reconcile the leads of an account backtest: Added =
// Matched + Unmatched + Failed, and Matched = ByID + ByDomain = People +
// NotCreated.
type LeadCounts struct {
	Added     int `json:"added"`
	Matched   int `json:"matched"`
	ByID      int `json:"matched_by_id"`
	ByDomain  int `json:"matched_by_domain"`
	Unmatched int `json:"unmatched"`
	Failed    int `json:"failed"`
	// People are the matched leads that existed at T0: the accounts'
	// people; NotCreated the matched leads created after T0, not yet.
	People     int `json:"people"`
	NotCreated int `json:"not_created"`
}

// AccountCounts reconcile the accounts: Added = InBacktest + NotCreated +
// Decided + OpenOpportunity + Failed + Unreadable.
type AccountCounts struct {
	Added int `json:"added"`
	// Unreadable counts the rows of the accounts file that could not be read.
	Unreadable int `json:"unreadable"`
	InBacktest int `json:"in_backtest"`
	// NotCreated accounts had no person by T0: every lead matched to them
	// came after it (an account with no lead at all is in the backtest,
	// scored on its fields).
	NotCreated      int `json:"not_created"`
	Decided         int `json:"decided"`          // won or lost by T0
	OpenOpportunity int `json:"open_opportunity"` // an opportunity opened by T0, still open then
	Failed          int `json:"failed"`           // could not be scored (see AccountReport.Errors)
	// WithoutOutcome counts the accounts in the backtest with no outcome
	// row: in it as not won.
	WithoutOutcome int `json:"without_outcome"`
	// OutcomesWithoutAccount counts outcome rows whose account is not
	// among the accounts; OutcomesOfFailedAccounts those whose account's
	// row could not be read or could not be scored (not used either).
	OutcomesWithoutAccount   int `json:"outcomes_without_account"`
	OutcomesOfFailedAccounts int `json:"outcomes_of_failed_accounts"`
}

// UnmatchedLead is a lead that found no account, and why.
type UnmatchedLead struct {
	ID     string `json:"id"`
	Line   int    `json:"line,omitempty"`
	Reason string `json:"reason"`
}

// NewAccounts starts an account backtest of s's model over the accounts,
// against outcomes by account id. The error is for options that cannot
// be used, or accounts that cannot be told apart (see
// scoring.AccountScorer.NewMatcher).
func NewAccounts(s *scoring.AccountScorer, accounts []scoring.Account, outcomes map[string]Outcome, opts AccountOptions) (*Accounts, error) {
	if opts.At.IsZero() {
		return nil, errors.New("the backtest needs a snapshot time T0 (AccountOptions.At): every account is scored as it stood then")
	}
	if !opts.Until.IsZero() && !opts.Until.After(opts.At) {
		return nil, fmt.Errorf("the end of the outcome window, T1 (%s), must come after the snapshot T0 (%s)",
			opts.Until.Format(time.RFC3339), opts.At.Format(time.RFC3339))
	}
	if opts.CreatedField == "" {
		opts.CreatedField = "created_at"
	}
	if opts.MinWon <= 0 {
		opts.MinWon = DefaultMinWon
	}
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	m, err := s.NewMatcher(accounts)
	if err != nil {
		return nil, err
	}
	return &Accounts{s: s, opts: opts, outcomes: outcomes, accounts: accounts, matcher: m,
		people: make([][]*accountPerson, len(accounts)), arrival: make([]time.Time, len(accounts)),
		seen: map[string]accountMember{}}, nil
}

// MeasuredLead is a lead scored as a person as of T0, not yet filed (see
// Accounts.Measure).
type MeasuredLead struct {
	lead scoring.Lead
	p    *scoring.Person
	err  error
}

// Err is why the lead could not be scored, or nil.
func (m *MeasuredLead) Err() error { return m.err }

// Measure scores a lead as a person as of T0 without filing it: it only
// reads the backtest, so many goroutines may measure leads at once, and
// AddMeasured then files them (from one goroutine, in any order).
func (b *Accounts) Measure(ctx context.Context, lead scoring.Lead) (m *MeasuredLead) {
	m = &MeasuredLead{lead: lead}
	defer func() {
		if r := recover(); r != nil {
			m.p, m.err = nil, &scoring.Error{LeadID: lead.ID, Err: fmt.Errorf("internal error: %v", r)}
		}
	}()
	if lead.ID == "" {
		m.err = errors.New("the lead has no id; give every lead an id")
		return m
	}
	m.p, m.err = b.s.PersonContext(ctx, lead, b.opts.At)
	if m.p != nil {
		m.p.Result = nil // ScoreAccount reads the person's roles and values, not its result
	}
	return m
}

// Add scores a lead as a person as of T0 and files it under its account;
// line is its line in the leads file (0 when none), for the messages. A
// lead that matches no account is counted and listed (AccountReport.Unmatched),
// not an error. The error is for a lead that could not be scored, or
// whose id its account has already; the lead is left out and counted as
// failed.
func (b *Accounts) Add(line int, lead scoring.Lead) error {
	return b.AddMeasured(line, b.Measure(context.Background(), lead))
}

// AddMeasured files a lead Measure measured, as Add does.
func (b *Accounts) AddMeasured(line int, m *MeasuredLead) error {
	b.leads.Added++
	if m.err != nil {
		b.leads.Failed++
		return m.err
	}
	i, how, why := b.matcher.Match(m.p)
	if i < 0 {
		why = b.unreadableWhy(m.p, why)
		b.leads.Unmatched++
		b.unmatched = append(b.unmatched, UnmatchedLead{ID: m.lead.ID, Line: line, Reason: why})
		return nil
	}
	if first, dup := b.seen[m.lead.ID]; dup {
		b.leads.Failed++
		return &scoring.Error{LeadID: m.lead.ID, Err: scoring.DuplicateLeadError{AccountID: b.accounts[i].ID, First: first.line, Line: first.line > 0,
			FirstAccountID: b.accounts[first.account].ID, FirstNotYet: first.notYet}}
	}
	b.seen[m.lead.ID] = accountMember{account: i, line: line}
	b.leads.Matched++
	if how == scoring.MatchedByID {
		b.leads.ByID++
	} else {
		b.leads.ByDomain++
	}
	t0 := b.opts.At
	lead := m.lead
	arrival := lead.TimeField(b.opts.CreatedField)
	created := !arrival.IsZero()
	var kept []scoring.Event
	for _, e := range lead.Events {
		if !created && (arrival.IsZero() || e.At.Before(arrival)) {
			arrival = e.At
		}
		if !e.At.After(t0) {
			kept = append(kept, e)
		}
	}
	if !arrival.IsZero() && (b.arrival[i].IsZero() || arrival.Before(b.arrival[i])) {
		b.arrival[i] = arrival
	}
	if !arrival.IsZero() && arrival.After(t0) {
		b.leads.NotCreated++
		b.seen[m.lead.ID] = accountMember{account: i, line: line, notYet: true}
		return nil
	}
	b.leads.People++
	lead.Events = kept
	m.p.Matched = how
	b.people[i] = append(b.people[i], &accountPerson{lead: lead, arrival: arrival, p: m.p})
	return nil
}

// unreadableWhy says, of a lead that matched no account, that its
// account's row could not be read when so: by its account id, or, for a
// lead matched by domain, that its account may be among the rows that
// could not be read.
func (b *Accounts) unreadableWhy(p *scoring.Person, why string) string {
	if len(b.opts.Unreadable) == 0 {
		return why
	}
	if p.AccountID != "" {
		for _, f := range b.opts.Unreadable {
			if f.ID == p.AccountID {
				return fmt.Sprintf("its account %s's row could not be read (%s): fix the row and run again", f.ID, f.where())
			}
		}
	}
	if strings.Contains(why, "no account has the domain") {
		var lines []string
		for _, f := range b.opts.Unreadable {
			lines = append(lines, f.where())
		}
		why += fmt.Sprintf(", unless its account's row is one that could not be read (%s)", joinList(lines))
	}
	return why
}

// AccountReport is the backtest of the sales-ready account definition.
// Every figure is from the snapshot view (accounts scored as of At,
// labels in (At, Until]) except Capacity, which replays each account up
// to At. Ratios with nothing to divide by are nil.
type AccountReport struct {
	Model string     `json:"model"`
	At    time.Time  `json:"at"`
	Until *time.Time `json:"until"` // nil: no end
	// Stage is the account ladder's sales-ready stage.
	Stage    string        `json:"sales_ready_stage"`
	Accounts AccountCounts `json:"accounts"`
	Leads    LeadCounts    `json:"leads"`
	// Won and Opportunities count the accounts in the backtest won, and
	// with an opportunity, in (At, Until]; Revenue is the won deals'.
	Won           int      `json:"won"`
	Opportunities int      `json:"opportunities"`
	Revenue       float64  `json:"revenue"`
	WinRate       *float64 `json:"win_rate"`
	WonAfterUntil int      `json:"won_after_until"`
	// SalesReady is the sales-ready account definition as a classifier of
	// won deals (its Leads count accounts).
	SalesReady Classifier `json:"sales_ready"`
	// AUC is the chance that a won account has a higher total than one
	// that did not win (ties count half), with its 95% interval (DeLong,
	// as for leads); CategoryAUC for each account category.
	AUC            *float64     `json:"auc"`
	AUCInterval    *Interval    `json:"auc_interval"`
	AUCOpportunity *float64     `json:"auc_opportunity"`
	CategoryAUC    []NamedValue `json:"category_auc"`
	// Stages is the conversion by account stage, the top of the ladder first.
	Stages []Group `json:"stages"`
	// Verdict judges the sales-ready definition: do sales-ready accounts
	// win more than the rest? One of Predictive, AntiPredictive,
	// NoEvidence and TooLittleData, with the same minimums as a rule's;
	// Effect is the log-odds of winning of a sales-ready account over
	// the rest (penalised as the rules' joint fit, λ = JointLambda).
	Verdict string       `json:"verdict"`
	Why     string       `json:"why"`
	Effect  *Coefficient `json:"effect"`
	// Rules are the account rules, then the gates, each against won
	// (see AccountRuleSignal), with leakage suspected when one reads
	// values from after T0.
	Rules []AccountRuleSignal `json:"rules"`
	// Capacity is the hand-offs per week of the current definition.
	Capacity *AccountCapacity `json:"capacity"`
	// Unmatched are the leads that found no account, in the order added.
	Unmatched []UnmatchedLead `json:"unmatched"`
	// Errors are the accounts that could not be scored.
	Errors []string `json:"errors"`
	// Failed are the accounts left out because their row could not be
	// read or they could not be scored, by line.
	Failed []FailedAccount `json:"failed_accounts"`
	// NearIDs are the outcome rows' account ids that name no account but
	// differ from one only in case or spaces (not used: fix the ids).
	NearIDs  []attribution.NearID `json:"outcome_ids_near_accounts"`
	MinWon   int                  `json:"min_won"`
	Warnings []string             `json:"warnings"`
	Notes    []string             `json:"notes"`
}

// AccountCapacity is how many accounts the current sales-ready definition
// hands to sales a week: each account (in the backtest, or left out as
// decided or an open opportunity) is replayed up to T0 at every moment
// one of its people arrived, had an event or saw one leave a window (see
// scoring.AccountScorer.FirstSalesReady), and is handed over at the
// first moment it is sales-ready; the hand-offs in the history's whole
// weeks are counted, with an exact Poisson interval, and of them, those
// the CRM says won after the hand-off (by T1).
type AccountCapacity struct {
	From time.Time `json:"history_from"`
	// First is the first person's arrival: the history starts no earlier.
	First time.Time `json:"first_arrival"`
	To    time.Time `json:"history_to"`
	Weeks float64   `json:"weeks"`
	// HandedOver accounts became sales-ready in [From, To].
	HandedOver          int       `json:"handed_over"`
	PerWeek             *float64  `json:"accounts_per_week"`
	PerWeekInterval     *Interval `json:"accounts_per_week_interval"`
	Won                 int       `json:"won_after"`
	WinRate             *float64  `json:"win_rate"`
	WinRateInterval     *Interval `json:"win_rate_interval"`
	ExpectedWon         *float64  `json:"expected_won_per_week"`
	ExpectedWonInterval *Interval `json:"expected_won_per_week_interval"`
	// Unknown counts accounts sales-ready at T0 whose moment could not be
	// found: sales-ready at none of the moments the replay tried (left
	// out of the flow).
	Unknown int           `json:"moment_unknown"`
	Weekly  []AccountWeek `json:"weekly"`
}

// AccountWeek is one week of the history: the accounts handed over in
// [From, To), and those of them won after.
type AccountWeek struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	HandedOver int       `json:"handed_over"`
	Won        int       `json:"won_after"`
}

// accountRec is what the report needs of one account.
type accountRec struct {
	id              string
	total           float64
	cats            []float64
	stage           string
	sr, disq        bool
	exclusion       exclusion
	has             bool
	won, opp, later bool
	revenue         float64
	wonAt           time.Time
	srAt            time.Time
	srUnknown       bool
	// fired and gates are the account rules and gates that fired at T0.
	fired, gates map[string]bool
}

// Report scores the accounts and computes the report.
func (b *Accounts) Report() *AccountReport {
	return b.ReportContext(context.Background())
}

// ReportContext is Report, stopped when ctx is done: the accounts not
// scored by then count as failed.
func (b *Accounts) ReportContext(ctx context.Context) *AccountReport {
	am := b.s.AccountModel().Model
	t0 := b.opts.At
	r := &AccountReport{Model: b.s.Leads().Model().Name, At: t0, MinWon: b.opts.MinWon, Leads: b.leads,
		Unmatched: slices.Clone(b.unmatched), Errors: []string{}, Warnings: []string{}}
	if r.Unmatched == nil {
		r.Unmatched = []UnmatchedLead{}
	}
	// By id (then line), so that the report does not depend on the order of Add.
	slices.SortStableFunc(r.Unmatched, func(x, y UnmatchedLead) int {
		if c := strings.Compare(x.ID, y.ID); c != 0 {
			return c
		}
		return x.Line - y.Line
	})
	if len(am.Stages) > 0 {
		r.Stage = am.Stages[am.SalesReady].ID
	}
	if !b.opts.Until.IsZero() {
		u := b.opts.Until
		r.Until = &u
	}
	in := func(t time.Time) bool {
		return !t.IsZero() && t.After(t0) && (b.opts.Until.IsZero() || !t.After(b.opts.Until))
	}
	ids := map[string]bool{}
	var recs []*accountRec // in the backtest
	var existing []*accountRec
	c := &r.Accounts
	c.Added = len(b.accounts) + len(b.opts.Unreadable)
	c.Unreadable = len(b.opts.Unreadable)
	failedIDs := map[string]bool{}
	r.Failed = append([]FailedAccount{}, b.opts.Unreadable...)
	for _, f := range b.opts.Unreadable {
		if f.ID != "" {
			failedIDs[f.ID] = true
		}
	}
	for _, a := range b.accounts {
		ids[a.ID] = true
	}
	scoredAll := b.scoreAll(ctx)
	for i, a := range b.accounts {
		sa := scoredAll[i]
		if sa.notCreated {
			c.NotCreated++
			continue
		}
		if sa.err != nil {
			c.Failed++
			r.Errors = append(r.Errors, sa.err.Error())
			f := FailedAccount{ID: a.ID, Reason: sa.err.Error()}
			var ae *scoring.AccountError
			if errors.As(sa.err, &ae) {
				f.Reason = ae.Err.Error()
			}
			if i < len(b.opts.Lines) {
				f.Line = b.opts.Lines[i]
			}
			r.Failed = append(r.Failed, f)
			failedIDs[a.ID] = true
			continue
		}
		rec := &accountRec{id: a.ID}
		res := sa.res
		rec.total, rec.stage, rec.sr, rec.disq = res.Total, res.Stage, res.SalesReady, res.Disqualified
		for _, cat := range res.Categories {
			rec.cats = append(rec.cats, cat.Score)
		}
		rec.fired, rec.gates = map[string]bool{}, map[string]bool{}
		for _, f := range res.Fired {
			rec.fired[f.Rule] = true
		}
		for _, g := range res.Gates {
			rec.gates[g.Rule] = true
		}
		o, has := b.outcomes[a.ID]
		rec.has = has
		switch {
		case has && ((!o.Won.IsZero() && !o.Won.After(t0)) || (!o.Lost.IsZero() && !o.Lost.After(t0))):
			rec.exclusion = decided
			c.Decided++
		case has && !o.Opportunity.IsZero() && !o.Opportunity.After(t0):
			rec.exclusion = openOpportunity
			c.OpenOpportunity++
		default:
			c.InBacktest++
			if !has {
				c.WithoutOutcome++
			}
		}
		if has {
			rec.wonAt = o.Won
			if rec.exclusion == none {
				rec.won = in(o.Won)
				rec.opp = in(o.Opportunity) || rec.won
				rec.later = !o.Won.IsZero() && !rec.won
				if rec.won {
					rec.revenue = o.Revenue
				}
			}
		}
		rec.srAt, rec.srUnknown = sa.srAt, sa.srUnknown
		existing = append(existing, rec)
		if rec.exclusion == none {
			recs = append(recs, rec)
		}
	}
	var without []string
	for id := range b.outcomes {
		switch {
		case failedIDs[id]:
			c.OutcomesOfFailedAccounts++
		case !ids[id]:
			c.OutcomesWithoutAccount++
			without = append(without, id)
		}
	}
	accountIDs := make([]string, 0, len(b.accounts))
	for _, a := range b.accounts {
		accountIDs = append(accountIDs, a.ID)
	}
	r.NearIDs = attribution.NearAccountIDs(without, accountIDs)
	if r.NearIDs == nil {
		r.NearIDs = []attribution.NearID{}
	}
	slices.SortStableFunc(r.Failed, func(x, y FailedAccount) int { return x.Line - y.Line })
	for _, l := range recs {
		if l.won {
			r.Won++
			r.Revenue += l.revenue
		}
		if l.opp {
			r.Opportunities++
		}
		if l.later {
			r.WonAfterUntil++
		}
	}
	n := float64(len(recs))
	r.WinRate = ratio(float64(r.Won), n)
	lift := func(k, of int) *float64 {
		rate := ratio(float64(k), float64(of))
		if rate == nil || r.WinRate == nil || *r.WinRate == 0 {
			return nil
		}
		return finite(*rate / *r.WinRate)
	}

	// The definition as a classifier, and the ranking, as for leads.
	of := func(l *accountRec) outcome { return outcome{l.total, l.revenue, l.sr, l.won, l.opp} }
	r.SalesReady = classifierOf(recs, of, r.Won, r.Opportunities, lift)
	_, r.AUC, r.AUCOpportunity, r.AUCInterval = ranking(scores(recs, of))
	for ci, cat := range am.Categories {
		cs := make([]scored, len(recs))
		for i, l := range recs {
			cs[i] = scored{score: l.cats[ci], pos: l.won}
		}
		r.CategoryAUC = append(r.CategoryAUC, NamedValue{cat.Name, auc(cs)})
	}

	// Conversion by stage, the top of the ladder first.
	names := []string{}
	for i := len(am.Stages) - 1; i >= 0; i-- {
		names = append(names, am.Stages[i].ID)
	}
	names = append(names, "")
	r.Stages = make([]Group, len(names))
	for i, name := range names {
		g := &r.Stages[i]
		g.Name = name
		for _, l := range recs {
			if l.stage != name {
				continue
			}
			g.Leads++
			if l.opp {
				g.Opportunities++
			}
			if l.won {
				g.Won++
			}
		}
		g.OpportunityRate = ratio(float64(g.Opportunities), float64(g.Leads))
		g.WinRate = ratio(float64(g.Won), float64(g.Leads))
		g.WinRateInterval = rateInterval(g.Won, g.Leads)
		g.Lift = lift(g.Won, g.Leads)
	}
	r.Stages[len(r.Stages)-1].Name = "(no stage)"

	r.Rules = accountSignals(am, recs, r.Won)
	r.Verdict, r.Why, r.Effect = b.judge(r)
	r.Capacity = b.capacity(existing)
	r.Warnings = b.accountWarnings(r)
	r.Notes = accountNotes(r)
	return r
}

// accountScored is one account scored at T0, and its hand-off.
type accountScored struct {
	notCreated bool
	res        *scoring.AccountResult
	err        error
	srAt       time.Time
	srUnknown  bool
}

// scoreAll scores every account at T0 and replays it for its hand-off,
// on every core; the results are by account.
func (b *Accounts) scoreAll(ctx context.Context) []accountScored {
	out := make([]accountScored, len(b.accounts))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = b.scoreOne(ctx, i)
			}
		}()
	}
	for i := range b.accounts {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// scoreOne scores account i at T0 and replays it for its hand-off.
func (b *Accounts) scoreOne(ctx context.Context, i int) (sa accountScored) {
	a := b.accounts[i]
	defer func() {
		if r := recover(); r != nil {
			sa = accountScored{err: &scoring.AccountError{AccountID: a.ID, Err: fmt.Errorf("internal error: %v", r)}}
		}
	}()
	if arr := b.arrival[i]; len(b.people[i]) == 0 && !arr.IsZero() && arr.After(b.opts.At) {
		return accountScored{notCreated: true}
	}
	ps := make([]*scoring.Person, len(b.people[i]))
	for k, p := range b.people[i] {
		ps[k] = p.p
	}
	res, err := b.s.ScoreAccountContext(ctx, a, ps, b.opts.At)
	if err != nil {
		return accountScored{err: err}
	}
	sa.res = res
	sa.srAt, sa.srUnknown = b.handoff(ctx, i, a, res.SalesReady)
	return sa
}

// handoff is when the account first became sales-ready, replayed up to
// T0 at each moment one of its people arrived, had an event or saw one
// leave a window (scoring.AccountScorer.FirstSalesReady); zero when
// it never did. unknown is set for an account sales-ready at T0 with no
// such moment.
func (b *Accounts) handoff(ctx context.Context, i int, a scoring.Account, srNow bool) (at time.Time, unknown bool) {
	leads := make([]scoring.Lead, len(b.people[i]))
	for k, p := range b.people[i] {
		leads[k] = p.lead
	}
	at, found, err := b.s.FirstSalesReady(ctx, a, leads, b.opts.CreatedField, b.opts.At)
	if err != nil || !found {
		return time.Time{}, srNow
	}
	return at, false
}

// capacity counts the hand-offs of the history's whole weeks.
func (b *Accounts) capacity(existing []*accountRec) *AccountCapacity {
	t0 := b.opts.At
	week := Period("week")
	first := time.Time{}
	for _, arr := range b.arrival {
		if !arr.IsZero() && !arr.After(t0) && (first.IsZero() || arr.Before(first)) {
			first = arr
		}
	}
	c := &AccountCapacity{To: t0, First: first, Weekly: []AccountWeek{}}
	from := t0.Add(-b.opts.History)
	if first.After(from) {
		from = first
	}
	if first.IsZero() {
		return c
	}
	whole := math.Floor(float64(t0.Sub(from)) / float64(week))
	if whole >= 1 {
		c.Weeks = whole
		c.From = t0.Add(-time.Duration(whole) * week)
	} else {
		c.Weeks = float64(t0.Sub(from)) / float64(week)
		c.From = from
	}
	if c.Weeks <= 0 {
		// The first person arrived at T0 itself: no time to count over.
		for _, l := range existing {
			if l.srUnknown {
				c.Unknown++
			}
		}
		return c
	}
	n := int(c.Weeks)
	if float64(n) == c.Weeks {
		for k := range n {
			f := c.From.Add(time.Duration(k) * week)
			c.Weekly = append(c.Weekly, AccountWeek{From: f, To: f.Add(week)})
		}
	}
	wonAfter := func(l *accountRec) bool {
		return !l.wonAt.IsZero() && !l.wonAt.Before(l.srAt) && (b.opts.Until.IsZero() || !l.wonAt.After(b.opts.Until))
	}
	for _, l := range existing {
		if l.srUnknown {
			c.Unknown++
		}
		if l.srAt.IsZero() || l.srAt.Before(c.From) || l.srAt.After(c.To) {
			continue
		}
		c.HandedOver++
		won := wonAfter(l)
		if won {
			c.Won++
		}
		if len(c.Weekly) > 0 {
			w := &c.Weekly[min(len(c.Weekly)-1, int(l.srAt.Sub(c.From)/week))]
			w.HandedOver++
			if won {
				w.Won++
			}
		}
	}
	if c.Weeks > 0 {
		pois := poisson{}
		c.PerWeek = finite(float64(c.HandedOver) / c.Weeks)
		c.PerWeekInterval = pois.interval(c.HandedOver, c.Weeks)
		c.ExpectedWon = finite(float64(c.Won) / c.Weeks)
		c.ExpectedWonInterval = pois.interval(c.Won, c.Weeks)
	}
	c.WinRate = ratio(float64(c.Won), float64(c.HandedOver))
	c.WinRateInterval = rateInterval(c.Won, c.HandedOver)
	return c
}

// judge gives the sales-ready definition its verdict, with the lead
// backtest's minimums: MinWon won deals in the backtest, MinRuleLeads
// accounts on each side, MinRuleWon won deals expected or seen among the
// sales-ready, and an interval no wider than MaxHalfWidth either side
// when it includes zero.
func (b *Accounts) judge(r *AccountReport) (string, string, *Coefficient) {
	s := r.SalesReady
	n := r.Accounts.InBacktest
	var effect *Coefficient
	if r.Won > 0 && r.Won < n && s.Leads > 0 && s.Leads < n {
		fit, err := stats.FitBinomial([][]float64{{1}, {0}}, []float64{float64(s.Won), float64(r.Won - s.Won)},
			[]float64{float64(s.Leads), float64(n - s.Leads)}, JointLambda)
		if err == nil {
			effect = coefficient(fit, 1)
		}
	}
	if r.Won < b.opts.MinWon {
		return TooLittleData, fmt.Sprintf("the backtest has %s; a verdict needs at least %d (--min-won)", plural(r.Won, "won deal"), b.opts.MinWon), effect
	}
	if s.Leads < MinRuleLeads || n-s.Leads < MinRuleLeads {
		return TooLittleData, fmt.Sprintf("it called %d of %d accounts sales-ready; judging it needs at least %d on each side", s.Leads, n, MinRuleLeads), effect
	}
	expected := float64(r.Won) / float64(n) * float64(s.Leads)
	if math.Max(expected, float64(s.Won)) < MinRuleWon {
		return TooLittleData, fmt.Sprintf("it called %s sales-ready; at the overall win rate about %.1f of them would win, %d did: too few won deals (under %d) to tell", plural(s.Leads, "account"), expected, s.Won, MinRuleWon), effect
	}
	if effect == nil {
		return TooLittleData, "the fit could not measure the sales-ready accounts' effect", effect
	}
	j := effect
	if j.Low <= 0 && j.High >= 0 && j.High-j.Low > 2*MaxHalfWidth {
		return TooLittleData, fmt.Sprintf("%+.2f log-odds for a sales-ready account, but the 95%% interval spans %+.2f to %+.2f: too wide to tell an effect from none", j.Estimate, j.Low, j.High), effect
	}
	per := fmt.Sprintf("%+.2f log-odds of winning for a sales-ready account over the rest (95%%: %+.2f to %+.2f)", j.Estimate, j.Low, j.High)
	switch {
	case j.Low > 0:
		return Predictive, per + ": sales-ready accounts win more", effect
	case j.High < 0:
		return AntiPredictive, per + ": sales-ready accounts win less than the rest", effect
	}
	return NoEvidence, per + ": the interval includes zero", effect
}

// accountWarnings name the verdict withheld for want of won deals, and
// every figure resting on fewer than MinWon of them.
func (b *Accounts) accountWarnings(r *AccountReport) []string {
	min := b.opts.MinWon
	w := []string{}
	if r.Accounts.Added == 0 {
		w = append(w, "No accounts were given: the accounts file is empty, so there is nothing to backtest; check that it is the right file.")
	}
	if r.Leads.Added == 0 && r.Accounts.Added > 0 {
		w = append(w, "No leads were given: every account is scored on its fields alone, with no people, so no hand-off can be found; check that the leads file is the right one.")
	}
	if len(r.NearIDs) > 0 {
		var near []string
		for _, n := range r.NearIDs {
			near = append(near, fmt.Sprintf("%q (did you mean %s?)", n.ID, n.Account))
		}
		w = append(w, fmt.Sprintf("%s of the outcomes file %s no account but %s from one only in case or spaces, and %s not used: %s; write the ids as the accounts file does.",
			plural(len(near), "row"), verbN(len(near), "names", "name"), verbN(len(near), "differs", "differ"), verbN(len(near), "is", "are"), joinList(near)))
	}
	for _, s := range r.Rules {
		if s.Leakage != "" {
			w = append(w, upper(s.Leakage)+"; take the accounts file as it stood at T0, or leave out the fields that change when a deal is won.")
		}
		if s.Check != "" {
			w = append(w, upper(s.Check)+".")
		}
	}
	if r.Won < min {
		w = append(w, fmt.Sprintf("Too few outcomes: the backtest has %s (at least %d are needed, --min-won); the verdict on the sales-ready definition is withheld, and AUC, precision, recall and every win rate below rest on them: read their intervals. %s.",
			plural(r.Won, "won deal"), min, upper(more(min-r.Won))))
	}
	if s := r.SalesReady; r.Won >= min && s.Won < min && s.Leads > 0 {
		w = append(w, fmt.Sprintf("The sales-ready definition's precision rests on %s among its %s.", plural(s.Won, "won deal"), plural(s.Leads, "account")))
	}
	if r.Won >= min {
		var thin []string
		for _, g := range r.Stages {
			if g.Leads > 0 && g.Won < min {
				thin = append(thin, fmt.Sprintf("%s (%d)", g.Name, g.Won))
			}
		}
		if len(thin) > 0 {
			w = append(w, fmt.Sprintf("Win rates resting on fewer than %d won deals (read their intervals): %s.", min, joinList(thin)))
		}
	}
	if c := r.Capacity; c != nil {
		if c.Unknown > 0 {
			w = append(w, fmt.Sprintf("%s sales-ready at T0 but at none of the moments the replay tried (each person's arrival, at %s or else its first event; its events; the ends of its events' windows; up to T0), so when %s became sales-ready is unknown: left out of the hand-offs per week. Points that decay, or a condition on the clock (now, daysSince), can make an account sales-ready between those moments; people with neither %s nor an event give none.",
				plural(c.Unknown, "account"), b.opts.CreatedField, pronoun(c.Unknown), b.opts.CreatedField))
		}
		if c.Weeks > 0 && c.To.Sub(c.From) < b.opts.History-7*24*time.Hour {
			w = append(w, fmt.Sprintf("The hand-offs per week cover %.1f weeks only (the first person arrived on %s), not the %s asked.",
				c.Weeks, c.First.Format("2006-01-02"), formatWeeks(b.opts.History)))
		}
		if c.HandedOver > 0 && c.Won < min {
			w = append(w, fmt.Sprintf("The win rate of the accounts handed over in the history rests on %s, under %d.", plural(c.Won, "won deal"), min))
		}
	}
	return w
}

// accountNotes say what the report's numbers are and why some are missing.
func accountNotes(r *AccountReport) []string {
	until := "with no end"
	if r.Until != nil {
		until = "up to " + r.Until.Format(time.RFC3339)
	}
	notes := []string{fmt.Sprintf("Snapshot view: every account is scored as it stood at %s, from its fields and the people it had then (leads created after it are not yet its people, events after it unseen), and labelled with what happened after it, %s.",
		r.At.Format(time.RFC3339), until)}
	if c := r.Accounts; c.WithoutOutcome > 0 {
		notes = append(notes, fmt.Sprintf("%s in the backtest %s no outcome row: the CRM has no deal for %s, so %s as not won.",
			plural(c.WithoutOutcome, "account"), map[bool]string{true: "has", false: "have"}[c.WithoutOutcome == 1], map[bool]string{true: "it", false: "them"}[c.WithoutOutcome == 1], map[bool]string{true: "it counts", false: "they count"}[c.WithoutOutcome == 1]))
	}
	if r.Won == 0 {
		notes = append(notes, "No account in the backtest was won in the window, so precision, recall, lift and AUC have nothing to measure (— in tables, null in JSON); choose an earlier snapshot T0 or a later end of the window T1.")
	} else if r.Won == r.Accounts.InBacktest {
		notes = append(notes, "Every account in the backtest was won, so nothing tells won accounts from the rest (— in tables, null in JSON).")
	}
	if r.WonAfterUntil > 0 {
		notes = append(notes, fmt.Sprintf("%s won after the window (T1) count as not won.", plural(r.WonAfterUntil, "account")))
	}
	return notes
}

// verbN is one or many's form of a verb.
func verbN(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
