package scoring

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/leadscore/leadscore/internal/calendar"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
)

// AccountScorer scores accounts: the companies leads work at, from their
// own fields and their people's results, with the accounts section of a
// rule file. Like Scorer it is safe for concurrent use.
type AccountScorer struct {
	am       *rules.AccountModel
	leads    *Scorer
	accounts *Scorer
	exprs    []*rules.Expr // the person expressions, in PersonExprs' order
	// guards pairs a roll-up's of with its when (see ofGuards).
	guardOnce sync.Once
	guards    []int
	// counts are the names of the counts of people, all and engaged:
	// first of everyone, then of each role in file order.
	counts [][2]string
	// clock says a person's result may move between its own moments (see
	// movesWithClock), found once; full, set by tests, scores every
	// person at every moment of a replay, as it was done.
	clockOnce sync.Once
	clock     bool
	full      bool
	// spare are the people Recycle was given back, for newPerson to
	// fill again.
	spare sync.Pool
	// fieldMaps are maps of an account's fields with its counts of
	// people, for ScoreAccount to fill again.
	fieldMaps sync.Pool
}

// ErrNoAccounts is returned by NewAccountScorer for a model whose rule
// file has no accounts section.
var ErrNoAccounts = errors.New("the rule file has no accounts section; add accounts: (see the accounts section of docs/reference.md)")

// NewAccountScorer returns an AccountScorer for m, which must have an
// accounts section. The options apply to leads and accounts alike, but
// for WithCreatedField, which is of leads: the field a person's creation
// is read from (created_at without it).
func NewAccountScorer(m *rules.Model, opts ...Option) (*AccountScorer, error) {
	if m == nil || m.Accounts == nil {
		return nil, ErrNoAccounts
	}
	s := &AccountScorer{am: m.Accounts, leads: New(m, opts...), accounts: New(m.Accounts.Model, opts...),
		exprs: m.Accounts.PersonExprs()}
	if s.leads.created == "" {
		s.leads.created = "created_at"
	}
	s.accounts.created = ""
	s.counts = append(s.counts, [2]string{rules.CountField(false, ""), rules.CountField(true, "")})
	for _, r := range m.Accounts.Roles {
		s.counts = append(s.counts, [2]string{rules.CountField(false, r.Name), rules.CountField(true, r.Name)})
	}
	return s, nil
}

// Leads returns the Scorer of the people.
func (s *AccountScorer) Leads() *Scorer { return s.leads }

// CreatedField returns the lead field a person's creation is read from
// (see WithCreatedField).
func (s *AccountScorer) CreatedField() string { return s.leads.created }

// Accounts returns the Scorer of the account's own model: its schema is
// the accounts fields (with the counts of people that people() and
// engaged() read). Score accounts with ScoreAccount, not with it.
func (s *AccountScorer) Accounts() *Scorer { return s.accounts }

// AccountModel returns the compiled accounts section.
func (s *AccountScorer) AccountModel() *rules.AccountModel { return s.am }

// Account is an account to score: its id and its fields, by the names of
// the accounts section's fields (nested maps for nested fields).
type Account struct {
	ID     string
	Fields map[string]any
	// Line is the account's line in the file it was read from (0 when it
	// was not read from one); errors about it name it.
	Line int
}

// where names an account for a message: its line when it has one, else
// its place among the accounts given.
func (a Account) where(i int) string {
	if a.Line > 0 {
		return fmt.Sprintf("line %d", a.Line)
	}
	return fmt.Sprintf("account %d", i+1)
}

// Person is a lead scored as one of an account's people: its result, the
// roles it holds, whether it is engaged, and what matching reads of it.
type Person struct {
	LeadID string  `json:"id"`
	Result *Result `json:"-"`
	// Roles are the buying-group roles whose condition holds, in file order.
	Roles   []string `json:"roles"`
	Engaged bool     `json:"engaged"`
	// LastActive is the time of the lead's latest event at or before the
	// as-of time; zero when it has none.
	LastActive time.Time `json:"last_active,omitzero"`
	// AccountID and Domain are what matching reads: the lead's id_field,
	// and the domain of its domain_from (lower case, aliases applied).
	AccountID string `json:"-"`
	Domain    string `json:"-"`
	// Matched says how the person was matched: "id" or "domain".
	Matched string `json:"matched,omitempty"`
	// Created is when the lead was created: its created_at field (or the
	// field WithCreatedField names), or without it its first event, as
	// backtest --accounts reads it; zero
	// for neither. A person created after the as-of time is not yet one of
	// its account's people then.
	Created time.Time `json:"-"`
	// CreatedByEvent says Created is the lead's first event: it has no
	// creation time of its own.
	CreatedByEvent bool `json:"-"`

	asOf time.Time
	// noDomain is a value of domain_from that is neither an address
	// (no "@") nor a domain (no dot, or a space): kept for the reason it
	// matches no account.
	noDomain string
	// several is a value of domain_from that holds several addresses
	// (two "@", or an address with a comma or semicolon): kept for the
	// reason it matches no account.
	several string
	// noLocal is a value of domain_from with nothing before its "@"
	// ("@acme.com"): kept for the reason it matches no account.
	noLocal string
	values  []any // the person expressions' values, in PersonExprs' order
	inline  [8]any
}

// Person scores a lead as a person of some account: its Result, its roles,
// whether it is engaged, and the values the roll-ups read. The error, when
// not nil, is an *Error.
func (s *AccountScorer) Person(lead Lead, asOf time.Time) (*Person, error) {
	return s.PersonContext(context.Background(), lead, asOf)
}

// PersonContext is Person, stopped when ctx is done.
func (s *AccountScorer) PersonContext(ctx context.Context, lead Lead, asOf time.Time) (*Person, error) {
	p, res, err := s.scorePerson(ctx, lead, asOf, nil)
	if err != nil {
		return nil, err
	}
	p.setLastActive(lead.Events)
	s.finishPerson(p, res)
	return p, nil
}

// scorePerson scores a lead as one of an account's people, its event
// aggregates' values from c when it is not nil (see PersonCounted); the
// caller sets when it was last active and finishes it.
func (s *AccountScorer) scorePerson(ctx context.Context, lead Lead, asOf time.Time, c *counted) (*Person, *Result, error) {
	if len(lead.Dispositions) > 0 {
		if err := s.leads.CheckDispositions(lead.Dispositions); err != nil {
			return nil, nil, &Error{LeadID: lead.ID, Err: err}
		}
	}
	p, _ := s.newPerson(asOf)
	p.LeadID = lead.ID
	sc := s.leads
	ev := sc.pool.Get().(*evaluation)
	res, err, broken := sc.scoreIn(ev, ctx, lead, asOf, c, nil, func(lead Lead, res *Result) error {
		if err := sc.evaluate(ev, lead, asOf, res); err != nil {
			return err
		}
		return s.personValues(ev, p, lead)
	})
	if broken {
		ev = sc.newEvaluation()
	}
	sc.pool.Put(ev)
	if err != nil {
		return nil, nil, err
	}
	return p, res, nil
}

// PersonJSON is for package scoring/leadfile (the key closes it to other
// callers; see internal/friend): Person for a lead given as one NDJSON
// line, decoded straight into the evaluator when the line is plain (see
// Scorer.ScoreJSON); ok is false, and nothing done, when it is not.
func (s *AccountScorer) PersonJSON(k friend.Key, line []byte, asOf time.Time) (p *Person, id string, ok bool, err error) {
	if err := k.Check(); err != nil {
		return nil, "", false, err
	}
	p, spare := s.newPerson(asOf)
	res, id, ok, err := s.leads.scoreBound(asOf, func(env evaluator) (string, []Event, bool) { return env.BindJSON(line) },
		func(ev *evaluation, lead Lead) error {
			// The events are the evaluator's: read them before it is pooled.
			p.setLastActive(lead.Events)
			return s.personValues(ev, p, lead)
		}, spare)
	if !ok || err != nil {
		return nil, id, ok, err
	}
	p.LeadID = id
	s.finishPerson(p, res)
	return p, id, true, nil
}

// newPerson allocates a person with room for the person expressions'
// values, in one allocation when they are few; or takes one Recycle gave
// back, and then gives its result too, to be made anew (nil for none).
func (s *AccountScorer) newPerson(asOf time.Time) (p *Person, spare *Result) {
	p, _ = s.spare.Get().(*Person)
	if p == nil {
		p = &Person{}
	}
	// A recycled person keeps the room of its roles and values.
	roles, values, spare := p.Roles[:0], p.values, p.Result
	*p = Person{asOf: asOf, Roles: roles}
	if n := len(s.exprs); n <= len(p.inline) {
		p.values = p.inline[:n]
	} else if cap(values) >= n {
		p.values = values[:n]
		clear(p.values)
	} else {
		p.values = make([]any, n)
	}
	return p, spare
}

// Recycle is for leadscore's commands (the key closes it to other
// callers; see internal/friend): it gives people of this scorer back, to
// be filled again by the next persons scored, sparing their allocation.
// The caller must hold none of them, nor their results or roles, any
// longer.
func (s *AccountScorer) Recycle(k friend.Key, people []*Person) error {
	if err := k.Check(); err != nil {
		return err
	}
	for _, p := range people {
		if p != nil {
			s.spare.Put(p)
		}
	}
	return nil
}

// personValues reads, in the evaluator that scored the lead, the person
// expressions' values, what matching reads and when the lead was created.
func (s *AccountScorer) personValues(ev *evaluation, p *Person, lead Lead) error {
	// What matching reads comes first: a lead whose creation is no time
	// fails, and its error carries it, so that the account it would
	// belong to can name it.
	if f := s.am.IDField; f != "" {
		p.AccountID, _ = ev.env.GetString(f)
		p.AccountID = strings.TrimSpace(p.AccountID)
	}
	if f := s.am.DomainFrom; f != "" {
		v, _ := ev.env.GetString(f)
		s.readDomain(p, v)
	}
	createdField := s.leads.created
	var err error
	if p.Created, err = PersonCreated(lead, createdField); err != nil {
		return &CreatedError{AccountID: p.AccountID, Domain: p.Domain, Err: err}
	}
	if p.Created.IsZero() {
		// A lead bound straight from its line carries no fields: the
		// evaluator has them when the model declares created_at.
		p.Created, _ = ev.env.Get(createdField).(time.Time)
	}
	if p.Created.IsZero() {
		for _, e := range lead.Events {
			if p.Created.IsZero() || e.At.Before(p.Created) {
				p.Created = e.At
			}
		}
		p.CreatedByEvent = !p.Created.IsZero()
	}
	guard := s.ofGuards()
	for i, x := range s.exprs {
		if g := guard[i]; g > i {
			// A roll-up's of is read only of the people its when
			// takes: the when first, and the of not at all when it
			// is false (of: revenue / seats, when: seats > 0).
			w, err := ev.env.Eval(s.exprs[g])
			if err != nil {
				return err
			}
			p.values[g] = w
			if !truth(w) {
				p.values[i] = nil
				continue
			}
		} else if g >= 0 && g < i {
			continue // the when of the of before it: read already
		}
		v, err := ev.env.Eval(x)
		if err != nil {
			return err
		}
		p.values[i] = v
	}
	return nil
}

// ofGuards pairs each roll-up's of with its when in the person
// expressions (PersonExprs' order: the of, then the when): guard[i] is
// the other's index for either, -1 for the rest.
func (s *AccountScorer) ofGuards() []int {
	s.guardOnce.Do(func() {
		s.guards = make([]int, len(s.exprs))
		for i := range s.guards {
			s.guards[i] = -1
		}
		k := len(s.am.Roles)
		if s.am.Engaged != nil {
			k++
		}
		for _, r := range s.am.Rollups {
			switch {
			case r.Of != nil && r.When != nil:
				s.guards[k], s.guards[k+1] = k+1, k
				k += 2
			case r.Of != nil || r.When != nil:
				k++
			}
		}
	})
	return s.guards
}

// PersonCreated returns when a lead joins its account's people as its
// created field (created_at for "") says, as Lead.Created reads it (zero
// when absent or empty text), with an error for a value that is no time
// that says what the field decides.
func PersonCreated(lead Lead, field string) (time.Time, error) {
	if field == "" {
		field = "created_at"
	}
	t, err := lead.Created(field)
	if err != nil {
		if v, ok := lead.field(field).(string); ok {
			if err := calendar.NoSuchDay(v); err != nil {
				return t, fmt.Errorf("%s: %v: it says when the lead joins its account's people", field, err)
			}
		}
		return t, fmt.Errorf("%s is %s, not a time: it says when the lead joins its account's people; write it as 2026-09-29T10:00:00Z (RFC 3339), or leave it out to take the lead's first event", field, valueText(lead.field(field)))
	}
	return t, nil
}

// CreatedError is the error of a lead whose created field holds no time:
// it fails, and carries what matching read of it (its account id and
// domain), so that a command can say which account it would belong to.
type CreatedError struct {
	AccountID, Domain string
	Err               error
}

func (e *CreatedError) Error() string { return e.Err.Error() }

// Unwrap returns the reason.
func (e *CreatedError) Unwrap() error { return e.Err }

// PersonError is the error of a lead that could not be scored as a
// person for another reason than its created field (a field of the wrong
// type, a bad event): it carries what matching reads of the lead's data
// (MatchKeys), so that a command can say which account it would belong to.
type PersonError struct {
	AccountID, Domain string
	Err               error
}

func (e *PersonError) Error() string { return e.Err.Error() }

// Unwrap returns the reason.
func (e *PersonError) Unwrap() error { return e.Err }

// WouldBelong returns what matching read of a lead that failed (its
// account id and domain), when its error carries it (a *CreatedError or a
// *PersonError): a Matcher finds the account it would belong to.
func WouldBelong(err error) (accountID, domain string, ok bool) {
	var ce *CreatedError
	if errors.As(err, &ce) {
		return ce.AccountID, ce.Domain, true
	}
	var pe *PersonError
	if errors.As(err, &pe) {
		return pe.AccountID, pe.Domain, true
	}
	return "", "", false
}

// MatchKeys reads, from a lead's fields as given (decoded, not yet checked
// against the schema), what matching reads of it: its account id (the
// id_field, trimmed) and the domain of its domain_from, "" for a value
// that gives none (see Person). For a lead that failed.
func (s *AccountScorer) MatchKeys(fields map[string]any) (accountID, domain string) {
	if f := s.am.IDField; f != "" {
		accountID, _ = lookupPath(fields, f).(string)
		accountID = strings.TrimSpace(accountID)
	}
	if f := s.am.DomainFrom; f != "" {
		v, _ := lookupPath(fields, f).(string)
		if t := addressOf(v); t != "" && (strings.Contains(t, "@") || looksLikeDomain(t)) && !severalAddresses(t) && !noLocalPart(t) {
			domain = s.domain(t)
		}
	}
	return accountID, domain
}

// setLastActive sets the time of the latest of the events at or before
// the as-of time.
func (p *Person) setLastActive(events []Event) {
	for _, e := range events {
		if !e.At.After(p.asOf) && e.At.After(p.LastActive) {
			p.LastActive = e.At
		}
	}
}

// finishPerson sets the person's result, its roles and whether it is
// engaged (its values and latest activity are set).
func (s *AccountScorer) finishPerson(p *Person, res *Result) {
	p.Result = res
	k := 0
	roles := p.Roles[:0] // a recycled person's room
	for _, r := range s.am.Roles {
		if truth(p.values[k]) {
			roles = append(roles, r.Name)
		}
		k++
	}
	p.Roles = nil // none is nil, as it always was
	if len(roles) > 0 {
		p.Roles = roles
	}
	p.Engaged = p.activeWithin(s.am.EngagedWithin)
	if s.am.Engaged != nil {
		p.Engaged = p.Engaged && truth(p.values[k])
	}
}

// activeWithin reports whether the person's latest event is less than d
// before the as-of time; any person is, for d of 0.
func (p *Person) activeWithin(d time.Duration) bool {
	return d == 0 || !p.LastActive.IsZero() && p.asOf.Sub(p.LastActive) < d
}

// HasRole reports whether the person holds the role.
func (p *Person) HasRole(role string) bool { return slices.Contains(p.Roles, role) }

// domain reads a domain from an email address or a domain: lower case,
// without a leading www., aliases applied.
// looksLikeDomain reports whether a value without "@" can be a domain:
// it has a dot and no space.
func looksLikeDomain(v string) bool {
	return strings.Contains(v, ".") && !strings.ContainsFunc(v, unicode.IsSpace)
}

// readDomain sets what matching reads of a person's value of domain_from:
// its Domain, or why it has none. The value decides, whatever the field
// is called: an address gives the part after its "@" (an address with a
// name, "Ann <ann@acme.com>", the address in its brackets); a value
// without "@" is a domain when it looks like one (a dot, no space), such
// as a bare domain in an email_domain field; anything else gives no
// domain.
func (s *AccountScorer) readDomain(p *Person, v string) {
	if d := plainDomain(v); d != "" {
		// The common case, read in one pass: what domain would make of it.
		p.Domain = d
		if to, ok := s.am.Aliases[d]; ok {
			p.Domain = to
		}
		return
	}
	if t := addressOf(v); t != "" && !strings.Contains(t, "@") && !looksLikeDomain(t) {
		p.noDomain = t
	} else if severalAddresses(t) {
		// "a@x.com, b@y.com" could be two companies' people: it
		// matches none rather than the last address's silently.
		p.several = t
	} else if noLocalPart(t) {
		// "@acme.com" is nobody's address: it matches no account
		// rather than acme.com's silently.
		p.noLocal = t
	} else {
		p.Domain = s.domain(t)
	}
}

// plainDomain is the domain of a plain address, one that none of
// readDomain's steps changes: in ASCII lower case, without spaces,
// brackets, commas or semicolons, with one "@", something before it, and
// after it a domain that neither ends with a dot nor starts with www.;
// "" for any other value (readDomain reads those step by step).
func plainDomain(v string) string {
	at := -1
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '@':
			if at >= 0 {
				return ""
			}
			at = i
		case c <= ' ' || c >= 0x7f || 'A' <= c && c <= 'Z' || c == '<' || c == '>' || c == ',' || c == ';':
			return ""
		}
	}
	if at <= 0 || at == len(v)-1 {
		return ""
	}
	d := v[at+1:]
	if d[len(d)-1] == '.' || strings.HasPrefix(d, "www.") {
		return ""
	}
	return d
}

// addressOf is a value of domain_from as matching reads it: trimmed,
// without characters that do not print (a zero-width space pasted in),
// comments in brackets ("ann@acme.com (Ann)") or a separator at its end
// ("ann@acme.com;"), and for one address written with a name, as mail
// programs and CRM exports write it ("Ann <ann@acme.com>",
// "\"Lee, Ann\" <ann@acme.com>", "ann@acme.com <ann@acme.com>"), the
// address in its angle brackets.
func addressOf(v string) string {
	t := strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, v))
	t = strings.TrimSpace(strings.TrimRight(withoutComments(t), ",; \t"))
	if strings.HasSuffix(t, ">") {
		if i := strings.LastIndexByte(t, '<'); i >= 0 && strings.Count(t[i:], "@") == 1 && oneName(strings.TrimSpace(t[:i])) {
			return strings.TrimSpace(t[i+1 : len(t)-1])
		}
	}
	return t
}

// oneName reports whether the text before an address in brackets is one
// person's name: quoted, or without brackets, commas or semicolons (which
// would make it a list of addresses).
func oneName(name string) bool {
	if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' && !strings.Contains(name[1:len(name)-1], "\"") {
		return true
	}
	return !strings.ContainsAny(name, "<>,;\"")
}

// withoutComments drops the comments of an address, text in round
// brackets outside quotes and angle brackets ("ann@acme.com (Ann)").
func withoutComments(t string) string {
	if !strings.ContainsRune(t, '(') {
		return t
	}
	var b strings.Builder
	depth, quoted, angle := 0, false, false
	for _, r := range t {
		switch {
		case r == '"' && depth == 0:
			quoted = !quoted
		case quoted:
		case r == '<' && depth == 0:
			angle = true
		case r == '>' && depth == 0:
			angle = false
		case r == '(' && !angle:
			depth++
			continue
		case r == ')' && depth > 0:
			depth--
			continue
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// noLocalPart reports whether an address has nothing before its "@"
// ("@acme.com"): no one's address.
func noLocalPart(v string) bool {
	i := strings.IndexByte(v, '@')
	return i >= 0 && strings.TrimSpace(v[:i]) == ""
}

// severalAddresses reports whether a value of domain_from holds more than
// one address: two "@", or an "@" and a comma or semicolon (the
// separators of address lists).
func severalAddresses(v string) bool {
	n := strings.Count(v, "@")
	return n > 1 || n == 1 && strings.ContainsAny(v, ",;")
}

func (s *AccountScorer) domain(v string) string {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "@") {
		v = rules.EmailDomain(v)
	}
	v = rules.NormalDomain(v)
	if to, ok := s.am.Aliases[v]; ok {
		return to
	}
	return v
}

// Matcher finds the account of a person among a set of accounts.
type Matcher struct {
	s        *AccountScorer
	byID     map[string]int
	byDomain map[string]int
}

// NewMatcher indexes accounts by id and, when the model matches by
// domain, by domain. Two accounts with one id, or one domain, are an
// error that names them.
func (s *AccountScorer) NewMatcher(accounts []Account) (*Matcher, error) {
	m := &Matcher{s: s, byID: map[string]int{}, byDomain: map[string]int{}}
	var errs []error
	for i, a := range accounts {
		if a.ID == "" {
			errs = append(errs, fmt.Errorf("%s: the account has no id; give every account its id", a.where(i)))
			continue
		}
		if j, ok := m.byID[a.ID]; ok {
			errs = append(errs, fmt.Errorf("%s: account id %s is given twice (first at %s); keep one", a.where(i), a.ID, accounts[j].where(j)))
			continue
		}
		m.byID[a.ID] = i
		if s.am.DomainFrom == "" {
			continue
		}
		v, _ := lookupPath(a.Fields, s.am.DomainField).(string)
		d := s.domain(v)
		if d == "" {
			continue
		}
		if j, ok := m.byDomain[d]; ok {
			errs = append(errs, fmt.Errorf("%s: accounts %s and %s (at %s) both have the domain %s, so a lead of %s could be either's; give one its own domain, or match these leads by %s", a.where(i), accounts[j].ID, a.ID, accounts[j].where(j), d, d, orWord(s.am.IDField, "an account id field (id_field)")))
			continue
		}
		m.byDomain[d] = i
	}
	return m, errors.Join(errs...)
}

func orWord(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// lookupPath reads a field from account data: a flat key (company.size)
// or nested maps.
func lookupPath(data map[string]any, name string) any {
	if v, ok := data[name]; ok {
		return v
	}
	head, rest, ok := strings.Cut(name, ".")
	if !ok {
		return nil
	}
	inner, _ := data[head].(map[string]any)
	if inner == nil {
		return nil
	}
	return lookupPath(inner, rest)
}

// The ways a person is matched to an account.
const (
	MatchedByID     = "id"
	MatchedByDomain = "domain"
)

// Match returns the index of the person's account, and how it was found
// (MatchedByID or MatchedByDomain); -1 and the reason when there is none.
// A free-mail domain matches no account.
func (m *Matcher) Match(p *Person) (index int, how string, reason string) {
	am := m.s.am
	if am.IDField != "" && p.AccountID != "" {
		if i, ok := m.byID[p.AccountID]; ok {
			return i, MatchedByID, ""
		}
	}
	if am.DomainFrom != "" && p.Domain != "" && !slices.Contains(am.FreeMail, p.Domain) {
		if i, ok := m.byDomain[p.Domain]; ok {
			return i, MatchedByDomain, ""
		}
	}
	// No account: the reasons are written only now, for the unmatched.
	var why []string
	if am.IDField != "" {
		if p.AccountID == "" {
			why = append(why, "no "+am.IDField)
		} else {
			why = append(why, fmt.Sprintf("%s %s is no account's id", am.IDField, p.AccountID))
		}
	}
	if am.DomainFrom != "" {
		switch {
		case p.several != "":
			why = append(why, fmt.Sprintf("%s %q holds several addresses, so it could be more than one company's people; write the person's own address alone", am.DomainFrom, p.several))
		case p.noDomain != "":
			why = append(why, fmt.Sprintf("%s %q is neither an email address (no \"@\") nor a domain (a domain has a dot and no spaces); write the whole address, name@company.com, or the company's domain, company.com", am.DomainFrom, p.noDomain))
		case p.noLocal != "":
			why = append(why, fmt.Sprintf("%s %q has no name before its \"@\", so it is no one's address; write the person's whole address, name@company.com, or the company's domain alone, company.com", am.DomainFrom, p.noLocal))
		case p.Domain == "":
			why = append(why, "no domain in "+am.DomainFrom)
		case slices.Contains(am.FreeMail, p.Domain):
			why = append(why, fmt.Sprintf("%s is a free-mail domain", p.Domain))
		default:
			why = append(why, fmt.Sprintf("no account has the domain %s", p.Domain))
		}
	}
	return -1, "", strings.Join(why, "; ")
}

// AccountResult is what a score says about one account: its own Result
// (scores, grade, stage, sales-readiness, gates, and in Fired its rules
// and the roll-ups that gave points), its buying group's roles, and its
// people.
type AccountResult struct {
	Result
	// Roles counts, in file order, the people holding each role and the
	// engaged ones among them; Missing lists the roles no person holds.
	Roles   []RoleCount `json:"roles"`
	Missing []string    `json:"missing_roles"`
	// People counts the account's people, Engaged the engaged ones.
	People  int `json:"people"`
	Engaged int `json:"engaged"`
	// Members are the account's people, by lead id.
	Members []*Person `json:"members"`
	// Rollups says, for each roll-up rule, which people gave its points.
	Rollups []RollupPoints `json:"rollups,omitempty"`

	// own are the account's fields and counts the counts of its people
	// (see accountFields): what its conditions read, for ExplainAccount.
	own    map[string]any
	counts []int
}

// RoleCount is how many of an account's people hold a role.
type RoleCount struct {
	Role    string `json:"role"`
	People  int    `json:"people"`
	Engaged int    `json:"engaged"`
}

// RollupPoints is what one roll-up gave an account, and from whom.
type RollupPoints struct {
	Rule     string  `json:"rule"`
	Category string  `json:"category"`
	Strategy string  `json:"strategy"`
	Points   float64 `json:"points"`
	// Uncapped is what the people added up to before the roll-up's max.
	Uncapped float64 `json:"uncapped"`
	// From lists the people who counted and what each gave, highest first.
	From []PersonPoints `json:"from"`
}

// PersonPoints is what one person gave a roll-up.
type PersonPoints struct {
	LeadID string  `json:"id"`
	Value  float64 `json:"value"`
}

// AccountError is an account that could not be scored: its data did not
// fit the accounts fields, or an expression failed on it.
type AccountError struct {
	AccountID string
	Err       error
}

// Error says which account failed and why.
func (e *AccountError) Error() string { return fmt.Sprintf("account %s: %v", e.AccountID, e.Err) }

// Unwrap returns the reason.
func (e *AccountError) Unwrap() error { return e.Err }

// ScoreAccount scores an account from its fields and its people (in any
// order: they are taken by lead id); a person created after asOf
// (Person.Created) is left out, not yet one of its people. The error, when not nil, is an
// *AccountError.
func (s *AccountScorer) ScoreAccount(a Account, people []*Person, asOf time.Time) (*AccountResult, error) {
	return s.ScoreAccountContext(context.Background(), a, people, asOf)
}

// ScoreAccountContext is ScoreAccount, stopped when ctx is done.
func (s *AccountScorer) ScoreAccountContext(ctx context.Context, a Account, people []*Person, asOf time.Time) (*AccountResult, error) {
	am := s.am
	for _, p := range people {
		if p == nil || len(p.values) != len(s.exprs) {
			return nil, &AccountError{AccountID: a.ID, Err: errors.New("a person was not scored by this AccountScorer (use its Person method)")}
		}
	}
	// A person created after the as-of time is not yet one of the
	// account's people (as score --accounts and backtest --accounts count
	// them).
	people = slices.DeleteFunc(slices.Clone(people), func(p *Person) bool { return p.Created.After(asOf) })
	slices.SortStableFunc(people, func(a, b *Person) int { return strings.Compare(a.LeadID, b.LeadID) })
	for i := 1; i < len(people); i++ {
		if people[i].LeadID == people[i-1].LeadID {
			return nil, &AccountError{AccountID: a.ID, Err: fmt.Errorf("lead %s is among the account's people twice; an account counts each person once, so give it each lead once", people[i].LeadID)}
		}
	}
	out := &AccountResult{Members: people, People: len(people), Missing: []string{}}
	if len(am.Roles) > 0 {
		out.Roles = make([]RoleCount, 0, len(am.Roles))
	}
	if len(am.Rollups) > 0 {
		out.Rollups = make([]RollupPoints, 0, len(am.Rollups))
	}
	for _, p := range people {
		if p.Engaged {
			out.Engaged++
		}
	}
	counts := make([]int, 2, 2*len(s.counts))
	counts[0], counts[1] = out.People, out.Engaged
	for _, r := range am.Roles {
		rc := RoleCount{Role: r.Name}
		for _, p := range people {
			if p.HasRole(r.Name) {
				rc.People++
				if p.Engaged {
					rc.Engaged++
				}
			}
		}
		if rc.People == 0 {
			out.Missing = append(out.Missing, r.Name)
		}
		counts = append(counts, rc.People, rc.Engaged)
		out.Roles = append(out.Roles, rc)
	}
	// The map the account's conditions read is one of the scorer's, used
	// again for the next account: ExplainAccount makes its own.
	fields, _ := s.fieldMaps.Get().(map[string]any)
	fields = s.accountFields(a.Fields, counts, fields)
	defer func() {
		clear(fields)
		s.fieldMaps.Put(fields)
	}()

	extra := make([]extraPoints, 0, len(am.Rollups))
	k := len(am.Roles)
	if am.Engaged != nil {
		k++
	}
	for _, r := range am.Rollups {
		ofAt, whenAt := -1, -1
		if r.Of != nil {
			ofAt, k = k, k+1
		}
		if r.When != nil {
			whenAt, k = k, k+1
		}
		rp := rollUp(r, people, ofAt, whenAt)
		if !finite(rp.Points) {
			return nil, &AccountError{AccountID: a.ID, Err: fmt.Errorf("%s: roll-up %s gives %v points, which is not a number a score can be; give it a max", r.Pos, r.ID, rp.Points)}
		}
		out.Rollups = append(out.Rollups, rp)
		// A roll-up fires when it gives points, as an event rule fires
		// when events give it some: people who add up to 0 give nothing.
		if rp.Points != 0 {
			extra = append(extra, extraPoints{cat: r.Category.Index, fired: Fired{Rule: r.ID, Category: r.Category.Name, Points: rp.Points, Reason: r.Reason}})
		}
	}

	sc := s.accounts
	ev := sc.pool.Get().(*evaluation)
	ev.extra = extra
	res, err, broken := sc.scoreIn(ev, ctx, Lead{ID: a.ID, Fields: fields}, asOf, nil, nil, func(lead Lead, res *Result) error {
		return sc.evaluate(ev, lead, asOf, res)
	})
	ev.extra = nil
	if broken {
		ev = sc.newEvaluation()
	}
	sc.pool.Put(ev)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			err = e.Err
		}
		return nil, &AccountError{AccountID: a.ID, Err: err}
	}
	res.Unknown = slices.DeleteFunc(res.Unknown, func(u rules.Unknown) bool { return strings.HasPrefix(u.Name, "__") })
	out.Result = *res
	out.own, out.counts = a.Fields, counts
	return out, nil
}

// accountFields writes into fields (a new map when nil) an account's own
// fields with the counts of its people (people, engaged, then each
// role's: people and engaged), as the account's conditions read them.
func (s *AccountScorer) accountFields(own map[string]any, counts []int, fields map[string]any) map[string]any {
	if fields == nil {
		fields = make(map[string]any, len(own)+2*len(s.counts))
	}
	maps.Copy(fields, own)
	for i, c := range s.counts {
		fields[c[0]], fields[c[1]] = counts[2*i], counts[2*i+1]
	}
	return fields
}

// ExplainAccount explains an account's result (from ScoreAccount or
// Score) as Scorer.Explain explains a lead's: each rule and gate over the
// account's fields with the values its condition read, each stage of the
// account's ladder, and what the account lacks for the next one. The
// counts of people read as people() and engaged("role"). What its
// roll-ups gave, and from whom, is in r.Rollups.
func (s *AccountScorer) ExplainAccount(r *AccountResult) (*Explanation, error) {
	if r == nil || len(r.counts) != 2*len(s.counts) {
		return nil, errors.New("the account result was not made by an AccountScorer (use ScoreAccount or Score)")
	}
	res := r.Result
	x, err := s.accounts.explainResult(context.Background(), Lead{ID: r.LeadID, Fields: s.accountFields(r.own, r.counts, nil)}, r.AsOf, &res)
	if err != nil {
		return nil, &AccountError{AccountID: r.LeadID, Err: err}
	}
	for i := range x.Rules {
		renameCounts(x.Rules[i].Condition)
	}
	for i := range x.Gates {
		renameCounts(x.Gates[i].Condition)
	}
	for i := range x.Stages {
		renameCounts(&x.Stages[i].Condition)
	}
	return x, nil
}

// renameCounts names the counts of people a condition read as the rule
// file writes them: engaged("decision_maker"), not __engaged__decision_maker.
func renameCounts(cv *ClauseValue) {
	if cv == nil {
		return
	}
	for i, rd := range cv.Reads {
		if name, ok := strings.CutPrefix(rd.Name, "__"); ok {
			fn, role, _ := strings.Cut(name, "__")
			if role != "" {
				role = strconv.Quote(role)
			}
			cv.Reads[i].Name = fn + "(" + role + ")"
		}
	}
	for i := range cv.Parts {
		renameCounts(&cv.Parts[i])
	}
}

// rollUp adds up the people for one roll-up: those for whom its when
// holds and who were active within its window, by its strategy, capped at
// its max. ofAt and whenAt index the person expressions' values (-1: none).
func rollUp(r *rules.Rollup, people []*Person, ofAt, whenAt int) RollupPoints {
	rp := RollupPoints{Rule: r.ID, Category: r.Category.Name, Strategy: r.Strategy, From: make([]PersonPoints, 0, len(people))}
	for _, p := range people {
		if whenAt >= 0 && !truth(p.values[whenAt]) || !p.activeWithin(r.Within) {
			continue
		}
		v := r.Points
		if ofAt >= 0 {
			v = number(p.values[ofAt])
		}
		if w, ok := weight(r.Weights, p.Roles); ok {
			v *= w
		}
		rp.From = append(rp.From, PersonPoints{LeadID: p.LeadID, Value: v})
	}
	// Highest first, then by id: the order of the people does not matter.
	slices.SortStableFunc(rp.From, func(a, b PersonPoints) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		return strings.Compare(a.LeadID, b.LeadID)
	})
	switch r.Strategy {
	case "max":
		rp.From = rp.From[:min(len(rp.From), 1)]
	case "top":
		rp.From = rp.From[:min(len(rp.From), r.Top)]
	}
	for _, pp := range rp.From {
		rp.Uncapped += pp.Value
	}
	rp.Points = math.Min(rp.Uncapped, r.Max)
	return rp
}

// weight is the highest weight of the roles a person holds, and whether
// they hold any role weights names.
func weight(weights map[string]float64, roles []string) (float64, bool) {
	w, ok := 0.0, false
	for _, role := range roles {
		if x, has := weights[role]; has && (!ok || x > w) {
			w, ok = x, true
		}
	}
	return w, ok
}

// truth reads a condition's value; a condition compiles to a bool, and
// anything else counts as false rather than a panic.
func truth(v any) bool {
	b, _ := v.(bool)
	return b
}

func number(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	}
	return 0
}

// memberKey is where a person is: its account's index, its place among the leads.
type memberKey struct {
	account int
	place   int
}

// DuplicateLeadError fails a lead whose id another lead of its account,
// or of another account, has: an account counts each person once, so the later one is left out
// (and counted as failed) rather than counted twice.
type DuplicateLeadError struct {
	AccountID string
	// First says where the first lead with the id is: its place among
	// the leads given (1-based), or its line in the leads file.
	First int
	// Line says that First is a line of the leads file.
	Line bool
	// FirstAccountID is the account of the first lead with the id when it
	// is another account's: a lead id names one person, who cannot be a
	// person of two accounts.
	FirstAccountID string
	// FirstNotYet says the first lead with the id was created after the
	// as-of time: it is not yet one of the account's people either, so
	// the account counts neither row.
	FirstNotYet bool
}

// Error says which account has the lead twice and where the first one is.
func (e DuplicateLeadError) Error() string {
	where := fmt.Sprintf("lead %d", e.First)
	if e.Line {
		where = fmt.Sprintf("line %d", e.First)
	}
	if e.FirstAccountID != "" && e.FirstAccountID != e.AccountID && e.FirstNotYet {
		return fmt.Sprintf("a lead with this id is already at %s, of account %s but created after the as-of time, so not yet one of its people; this row matches account %s, and one lead id is one person, who cannot count for two accounts, so this row was left out (counted as failed) and neither account counts the lead: give each lead its own id, or one row", where, e.FirstAccountID, e.AccountID)
	}
	if e.FirstAccountID != "" && e.FirstAccountID != e.AccountID {
		return fmt.Sprintf("a lead with this id is already at %s, a person of account %s; this row matches account %s, and one lead id is one person, who cannot count for two accounts, so this one was left out: give each lead its own id, or one row", where, e.FirstAccountID, e.AccountID)
	}
	if e.FirstNotYet {
		return fmt.Sprintf("account %s has a lead with this id already (at %s), created after the as-of time, so not yet one of its people; one lead id is one person, so this row was left out (counted as failed) and the account counts neither row: give each lead one row (merge the two rows' events, with one creation time)", e.AccountID, where)
	}
	return fmt.Sprintf("account %s has a lead with this id already (at %s); an account counts each person once, so this one was left out: give each lead one row (merge the two rows' events)", e.AccountID, where)
}

// Unmatched is a lead that found no account, and why.
type Unmatched struct {
	LeadID string `json:"id"`
	Reason string `json:"reason"`
}

// AccountsScored is the outcome of scoring leads and accounts together.
type AccountsScored struct {
	// Results are the accounts' results, in the order of the accounts
	// given; nil where an account failed (see Errors).
	Results []*AccountResult
	// Leads is how many leads were given; ByID and ByDomain how many were
	// matched each way; Unmatched lists the others, in the order given;
	// Failed counts the leads that could not be scored (see Errors).
	Leads, ByID, ByDomain, Failed int
	Unmatched                     []Unmatched
	// Errors are the leads' errors (*Error) and the accounts' (*AccountError).
	Errors []error
}

// Score scores leads as the people of accounts: each lead is scored,
// matched to its account (by id, then by domain), and each account scored
// from its fields and its people. Leads that match no account are listed
// in Unmatched, never dropped nor merged; a lead or an account that fails
// is in Errors, and the others are scored. The error is for accounts that
// cannot be told apart (see NewMatcher).
func (s *AccountScorer) Score(accounts []Account, leads []Lead, asOf time.Time) (*AccountsScored, error) {
	m, err := s.NewMatcher(accounts)
	if err != nil {
		return nil, err
	}
	out := &AccountsScored{Results: make([]*AccountResult, len(accounts)), Leads: len(leads)}
	people := make([][]*Person, len(accounts))
	seen := map[string]memberKey{} // the people by lead id: their account and place among leads
	for k, lead := range leads {
		p, err := s.Person(lead, asOf)
		if err != nil {
			out.Failed++
			out.Errors = append(out.Errors, err)
			continue
		}
		i, how, why := m.Match(p)
		if i < 0 {
			out.Unmatched = append(out.Unmatched, Unmatched{LeadID: lead.ID, Reason: why})
			continue
		}
		if first, ok := seen[lead.ID]; ok {
			out.Failed++
			out.Errors = append(out.Errors, &Error{LeadID: lead.ID, Err: DuplicateLeadError{AccountID: accounts[i].ID, First: first.place + 1, FirstAccountID: accounts[first.account].ID}})
			continue
		}
		seen[lead.ID] = memberKey{i, k}
		p.Matched = how
		if how == MatchedByID {
			out.ByID++
		} else {
			out.ByDomain++
		}
		people[i] = append(people[i], p)
	}
	for i, a := range accounts {
		r, err := s.ScoreAccount(a, people[i], asOf)
		if err != nil {
			out.Errors = append(out.Errors, err)
			continue
		}
		out.Results[i] = r
	}
	return out, nil
}
