package scoring_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// matchModel matches by account id, else by email domain less free mail,
// with an alias.
const matchModel = `leadscore: 1
model: m
fields:
  email: string
  account_id: string
event_types: [visit]
lists:
  free_mail: [gmail.com, Yahoo.com]
scores:
  eng: {max: 100}
rules:
  - {id: eng.visit, score: eng, event: visit, points: 10}
stages:
  - {id: sql, sales_ready: true, when: eng >= 10}
accounts:
  match:
    id_field: account_id
    domain_from: email
    free_mail: free_mail
    aliases: {acme.co.uk: acme.com}
  fields:
    domain: string
  scores:
    eng: {max: 100}
  rules:
    - {id: acct.eng, score: eng, people: sum, of: eng}
  stages:
    - {id: buying, sales_ready: true, when: people() >= 2}
`

func newAccountScorer(t testing.TB, src string) *scoring.AccountScorer {
	t.Helper()
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	return s
}

func TestAccountMatching(t *testing.T) {
	s := newAccountScorer(t, matchModel)
	accounts := []scoring.Account{
		{ID: "A1", Fields: map[string]any{"domain": "acme.com"}},
		{ID: "A2", Fields: map[string]any{"domain": "WWW.Globex.io"}},
		{ID: "A3", Fields: map[string]any{}},
	}
	m, err := s.NewMatcher(accounts)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, accountID, email string
		want                   int
		how, why               string
	}{
		{name: "by id", accountID: "A3", email: "x@acme.com", want: 2, how: "id"},
		{name: "id before domain", accountID: "A2", email: "x@acme.com", want: 1, how: "id"},
		{name: "id with spaces", accountID: " A3 ", want: 2, how: "id"},
		{name: "by domain", email: "x@acme.com", want: 0, how: "domain"},
		{name: "domain in any case, www. dropped on the account's side", email: "X@GLOBEX.IO", want: 1, how: "domain"},
		{name: "an alias", email: "x@acme.co.uk", want: 0, how: "domain"},
		// The value decides, not the field's name: with "@" the part
		// after it; without, the value itself when it looks like a domain
		// (a dot, no space); else no domain, with the reason.
		{name: "a bare domain in an email field", email: "acme.com", want: 0, how: "domain"},
		{name: "a bare domain with spaces around it", email: " Acme.CO.UK ", want: 0, how: "domain"},
		{name: "no @ and no dot", email: "ana", want: -1, why: `no account_id; email "ana" is neither an email address (no "@") nor a domain (a domain has a dot and no spaces); write the whole address, name@company.com, or the company's domain, company.com`},
		{name: "no @ and a space", email: "ana at acme.com", want: -1, why: `no account_id; email "ana at acme.com" is neither an email address (no "@") nor a domain (a domain has a dot and no spaces); write the whole address, name@company.com, or the company's domain, company.com`},
		// An address with a name, as mail programs and CRM exports
		// write it: the address in the brackets (the domain after the
		// last "@" was "acme.com>", no account's).
		{name: "an address with a name", email: "Ann Lee <Ann@ACME.com>", want: 0, how: "domain"},
		{name: "an address with a quoted name holding a comma", email: `"Lee, Ann" <ann@globex.io> `, want: 1, how: "domain"},
		{name: "an address in brackets alone, with an alias", email: "<ann@acme.co.uk>", want: 0, how: "domain"},
		{name: "two addresses with names are several", email: "Ann <ann@acme.com>, Bo <bo@globex.io>", want: -1, why: `no account_id; email "Ann <ann@acme.com>, Bo <bo@globex.io>" holds several addresses, so it could be more than one company's people; write the person's own address alone`},
		// Single addresses as CRM exports and mail programs also write
		// them: the address repeated as the name, a name holding an @ in
		// quotes, a comment in round brackets, a separator at the end, a
		// zero-width space pasted in.
		{name: "the address as its own name", email: "ann@acme.com <ann@acme.com>", want: 0, how: "domain"},
		{name: "a quoted name holding an @", email: `"a@b" <ann@globex.io>`, want: 1, how: "domain"},
		{name: "a comment", email: "ann@acme.com (Ann Lee)", want: 0, how: "domain"},
		{name: "a separator at the end", email: "ann@acme.com;", want: 0, how: "domain"},
		{name: "a zero-width space", email: "ann@acme.com\u200b", want: 0, how: "domain"},
		// Nothing before the "@" is no one's address: it matched
		// acme.com's account silently.
		{name: "no name before the @", email: "@acme.com", want: -1, why: `no account_id; email "@acme.com" has no name before its "@", so it is no one's address; write the person's whole address, name@company.com, or the company's domain alone, company.com`},
		{name: "no name before the @, in brackets", email: "Sales < @acme.com>", want: -1, why: `no account_id; email "@acme.com" has no name before its "@", so it is no one's address; write the person's whole address, name@company.com, or the company's domain alone, company.com`},
		{name: "no name before the @, but an account id", accountID: "A2", email: "@acme.com", want: 1, how: "id"},
		{name: "unknown id falls back to the domain", accountID: "A9", email: "x@acme.com", want: 0, how: "domain"},
		{name: "free mail", email: "x@gmail.com", want: -1, why: "no account_id; gmail.com is a free-mail domain"},
		{name: "free mail in the list's own case", email: "x@yahoo.com", want: -1, why: "no account_id; yahoo.com is a free-mail domain"},
		{name: "free mail with an unknown id", accountID: "A9", email: "x@gmail.com", want: -1, why: "account_id A9 is no account's id; gmail.com is a free-mail domain"},
		{name: "unknown domain", email: "x@initech.com", want: -1, why: "no account_id; no account has the domain initech.com"},
		{name: "nothing to match", want: -1, why: "no account_id; no domain in email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := map[string]any{}
			if tc.accountID != "" {
				fields["account_id"] = tc.accountID
			}
			if tc.email != "" {
				fields["email"] = tc.email
			}
			p, err := s.Person(scoring.Lead{ID: "L", Fields: fields}, asOf)
			require.NoError(t, err)
			i, how, why := m.Match(p)
			assert.Equal(t, tc.want, i)
			assert.Equal(t, tc.how, how)
			assert.Equal(t, tc.why, why)
		})
	}
}

func TestAccountsThatCannotBeToldApart(t *testing.T) {
	s := newAccountScorer(t, matchModel)
	_, err := s.NewMatcher([]scoring.Account{
		{ID: "A1", Fields: map[string]any{"domain": "acme.com"}},
		{ID: "A1"},
		{ID: "A2", Fields: map[string]any{"domain": "acme.co.uk"}},
		{ID: ""},
	})
	require.Error(t, err)
	assert.Equal(t, `account 2: account id A1 is given twice (first at account 1); keep one
account 3: accounts A1 and A2 (at account 1) both have the domain acme.com, so a lead of acme.com could be either's; give one its own domain, or match these leads by account_id
account 4: the account has no id; give every account its id`, err.Error())

	// Read from a file, the accounts are named by their lines.
	_, err = s.NewMatcher([]scoring.Account{{ID: "A1", Line: 2}, {ID: "A1", Line: 5}})
	require.Error(t, err)
	assert.Equal(t, "line 5: account id A1 is given twice (first at line 2); keep one", err.Error())
}

// Unmatched leads are counted and listed with the reason, in input order;
// none is dropped or merged into an account.
func TestUnmatchedLeadsAreListed(t *testing.T) {
	s := newAccountScorer(t, matchModel)
	accounts := []scoring.Account{{ID: "A1", Fields: map[string]any{"domain": "acme.com"}}}
	visit := []scoring.Event{{Type: "visit", At: asOf.Add(-time.Hour)}}
	leads := []scoring.Lead{
		{ID: "L1", Fields: map[string]any{"email": "a@acme.com"}, Events: visit},
		{ID: "L2", Fields: map[string]any{"email": "b@gmail.com"}, Events: visit},
		{ID: "L3", Fields: map[string]any{"email": "c@acme.co.uk", "account_id": "A1"}, Events: visit},
		{ID: "L4", Fields: map[string]any{"email": "d@other.com"}, Events: visit},
		{ID: "L5", Fields: map[string]any{"email": 42}},
	}
	out, err := s.Score(accounts, leads, asOf)
	require.NoError(t, err)
	assert.Equal(t, 5, out.Leads)
	assert.Equal(t, 1, out.ByID)
	assert.Equal(t, 1, out.ByDomain)
	assert.Equal(t, 1, out.Failed)
	assert.Equal(t, []scoring.Unmatched{
		{LeadID: "L2", Reason: "no account_id; gmail.com is a free-mail domain"},
		{LeadID: "L4", Reason: "no account_id; no account has the domain other.com"},
	}, out.Unmatched)
	require.Len(t, out.Errors, 1)
	assert.Contains(t, out.Errors[0].Error(), "L5")
	assert.Equal(t, out.Leads, out.ByID+out.ByDomain+len(out.Unmatched)+out.Failed, "every lead is accounted for")
	r := out.Results[0]
	assert.Equal(t, 2, r.People)
	assert.Equal(t, 20.0, r.Total)
	assert.Equal(t, "buying", r.Stage)
	assert.Equal(t, []string{"L1", "L3"}, []string{r.Members[0].LeadID, r.Members[1].LeadID})
	assert.Equal(t, "domain", r.Members[0].Matched)
	assert.Equal(t, "id", r.Members[1].Matched)
}

// A roll-up whose people add up to 0 points gives nothing, so it is not
// among the rules that fired (as an event rule whose events give nothing
// is not); what it read of its people is still in Rollups.
func TestZeroPointRollupDoesNotFire(t *testing.T) {
	s := newAccountScorer(t, matchModel)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	a := scoring.Account{ID: "A1", Fields: map[string]any{"domain": "acme.com"}}
	quiet := scoring.Lead{ID: "L1", Fields: map[string]any{"email": "x@acme.com"}} // no visits: eng 0
	busy := scoring.Lead{ID: "L2", Fields: map[string]any{"email": "y@acme.com"}, Events: []scoring.Event{{Type: "visit", At: asOf.Add(-time.Hour)}}}

	out, err := s.Score([]scoring.Account{a}, []scoring.Lead{quiet}, asOf)
	require.NoError(t, err)
	r := out.Results[0]
	require.Len(t, r.Rollups, 1)
	assert.Equal(t, []scoring.PersonPoints{{LeadID: "L1", Value: 0}}, r.Rollups[0].From, "L1 was counted")
	assert.Equal(t, 0.0, r.Rollups[0].Points)
	assert.Empty(t, r.Fired, "a roll-up that gives 0 points did not fire")

	out, err = s.Score([]scoring.Account{a}, []scoring.Lead{quiet, busy}, asOf)
	require.NoError(t, err)
	r = out.Results[0]
	require.Len(t, r.Fired, 1)
	assert.Equal(t, scoring.Fired{Rule: "acct.eng", Category: "eng", Points: 10}, r.Fired[0])
}

// Two leads with one id at one account are one person: the later lead
// fails alone, naming the account and where the first one is, and the
// person counts once in the roll-ups and the counts of people.
func TestDuplicateLeadOfAnAccount(t *testing.T) {
	s := newAccountScorer(t, matchModel)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	a := scoring.Account{ID: "A1", Fields: map[string]any{"domain": "acme.com"}}
	visit := []scoring.Event{{Type: "visit", At: asOf.Add(-time.Hour)}}
	lead := scoring.Lead{ID: "L1", Fields: map[string]any{"email": "x@acme.com"}, Events: visit}
	other := scoring.Lead{ID: "L2", Fields: map[string]any{"email": "x@globex.com"}, Events: visit}
	out, err := s.Score([]scoring.Account{a}, []scoring.Lead{lead, other, lead}, asOf)
	require.NoError(t, err)
	assert.Equal(t, 3, out.Leads)
	assert.Equal(t, 1, out.Failed)
	assert.Equal(t, 1, out.ByDomain)
	assert.Len(t, out.Unmatched, 1)
	assert.Equal(t, out.Leads, out.ByID+out.ByDomain+len(out.Unmatched)+out.Failed, "every lead counted once")
	require.Len(t, out.Errors, 1)
	var dup scoring.DuplicateLeadError
	require.ErrorAs(t, out.Errors[0], &dup)
	assert.Equal(t, scoring.DuplicateLeadError{AccountID: "A1", First: 1, FirstAccountID: "A1"}, dup)
	assert.Equal(t, "lead L1: account A1 has a lead with this id already (at lead 1); an account counts each person once, so this one was left out: give each lead one row (merge the two rows' events)", out.Errors[0].Error())
	r := out.Results[0]
	assert.Equal(t, 1, r.People)
	assert.Equal(t, 10.0, r.Rollups[0].Points, "the person's 10 points, once")

	// A lead id seen again at another account is one person given twice:
	// it fails, naming the first lead and its account; A2 has no person.
	a2 := scoring.Account{ID: "A2", Fields: map[string]any{"domain": "globex.com"}}
	moved := scoring.Lead{ID: "L1", Fields: map[string]any{"email": "x@globex.com"}, Events: visit}
	out, err = s.Score([]scoring.Account{a, a2}, []scoring.Lead{lead, moved}, asOf)
	require.NoError(t, err)
	assert.Equal(t, 1, out.Failed)
	require.Len(t, out.Errors, 1)
	assert.Equal(t, "lead L1: a lead with this id is already at lead 1, a person of account A1; this row matches account A2, and one lead id is one person, who cannot count for two accounts, so this one was left out: give each lead its own id, or one row", out.Errors[0].Error())
	assert.Equal(t, 1, out.Results[0].People)
	assert.Equal(t, 0, out.Results[1].People)

	// ScoreAccount given one person twice refuses rather than count twice.
	p, err := s.Person(lead, asOf)
	require.NoError(t, err)
	_, err = s.ScoreAccount(a, []*scoring.Person{p, p}, asOf)
	assert.EqualError(t, err, "account A1: lead L1 is among the account's people twice; an account counts each person once, so give it each lead once")
}

// guardedModel sums revenue / seats over the people with seats.
const guardedModel = `leadscore: 1
model: m
fields:
  email: string
  revenue: float
  seats: int
scores:
  fit: {max: 100}
rules:
  - {id: fit.any, score: fit, when: "revenue >= 0", points: 1}
stages:
  - {id: sql, sales_ready: true, when: fit >= 1}
accounts:
  match:
    domain_from: email
  fields:
    domain: string
  scores:
    fit: {}
  rules:
    - {id: acct.per-seat, score: fit, people: sum, of: revenue / seats, when: seats > 0}
  stages:
    - {id: buying, sales_ready: true, when: fit >= 1}
`

// A roll-up's of is read only of the people its when takes, so the when
// guards it: of: revenue / seats, when: seats > 0 does not fail the
// account for a person with no seats, who does not count; a person the
// when takes with a divisor of 0 fails, naming the divisor.
func TestRollupWhenGuardsItsOf(t *testing.T) {
	s := newAccountScorer(t, guardedModel)
	a := scoring.Account{ID: "A1", Fields: map[string]any{"domain": "acme.com"}}
	leads := []scoring.Lead{
		{ID: "L1", Fields: map[string]any{"email": "a@acme.com", "revenue": 100.0, "seats": 4}},
		{ID: "L2", Fields: map[string]any{"email": "b@acme.com", "revenue": 50.0}}, // no seats: the when leaves it out
	}
	out, err := s.Score([]scoring.Account{a}, leads, asOf)
	require.NoError(t, err)
	require.Empty(t, out.Errors)
	require.Len(t, out.Results, 1)
	assert.Equal(t, 25.0, out.Results[0].Rollups[0].Points, "L1's 100 / 4; L2 not read")

	// Without the when, L2's 50 / 0 fails it, naming the divisor.
	s2 := newAccountScorer(t, strings.Replace(guardedModel, ", when: seats > 0", "", 1))
	out, err = s2.Score([]scoring.Account{a}, leads, asOf)
	require.NoError(t, err)
	require.Len(t, out.Errors, 1)
	assert.Contains(t, out.Errors[0].Error(), `this divides by zero: seats is 0 here`)
}
