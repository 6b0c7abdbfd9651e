package scoring_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A lead created after the as-of time is not yet one of its account's
// people in the library, as in score --accounts and backtest --accounts:
// its demo request before its creation gives the account nothing then,
// and the same lead counts once the as-of time passes its creation.
func TestScoreAccountLeavesOutPeopleNotYetCreated(t *testing.T) {
	m, err := rules.CompileBytes("a.yaml", []byte(`leadscore: 1
model: example
fields: {email: string, title: string}
event_types: [demo_request, page_view]
scores:
  engagement: {max: 100}
rules:
  - {id: demo, score: engagement, event: demo_request, points: 40, within: 30d}
stages:
  - {id: sql, sales_ready: true, when: engagement >= 40}
accounts:
  match: {domain_from: email}
  fields: {domain: string, employees: int}
  scores:
    engagement: {max: 100}
  engaged: {when: engagement >= 10, within: 30d}
  rules:
    - {id: top2, score: engagement, people: top, top: 2, of: engagement, max: 60}
  stages:
    - {id: buying, sales_ready: true, when: 'engaged() >= 1'}
`))
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	accounts := []scoring.Account{{ID: "acme", Fields: map[string]any{"domain": "acme.com", "employees": 1200}}}
	leads := []scoring.Lead{{ID: "ana", Fields: map[string]any{"email": "ana@acme.com", "title": "VP", "created_at": "2026-10-05T00:00:00Z"},
		Events: []scoring.Event{{Type: "demo_request", At: time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC)}}}}

	before, err := s.Score(accounts, leads, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	r := before.Results[0]
	require.Equal(t, 0, r.People)
	require.Empty(t, r.Members)
	require.Equal(t, 0.0, r.Total)

	after, err := s.Score(accounts, leads, time.Date(2026, 10, 6, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	r = after.Results[0]
	require.Equal(t, 1, r.People)
	require.Equal(t, 40.0, r.Total, "top 2 of engagement: ana's demo, 40")
}

// WithCreatedField names the field a person's creation is read from, and
// that field (created_at by default) is no unknown data for an
// AccountScorer's people, since it decides who they are; a plain Scorer
// still reports an undeclared created_at.
func TestScoreAccountCreatedField(t *testing.T) {
	m, err := rules.CompileBytes("a.yaml", []byte(`leadscore: 1
model: example
fields: {email: string, signed_up: time}
event_types: [demo_request]
scores:
  engagement: {max: 100}
rules:
  - {id: demo, score: engagement, event: demo_request, points: 40, within: 30d}
stages:
  - {id: sql, sales_ready: true, when: engagement >= 40}
accounts:
  match: {domain_from: email}
  fields: {domain: string}
  scores:
    engagement: {max: 100}
  rules:
    - {id: sum, score: engagement, people: sum, of: engagement, max: 100}
  stages:
    - {id: buying, sales_ready: true, when: 'people() >= 2'}
`))
	require.NoError(t, err)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	accounts := []scoring.Account{{ID: "acme", Fields: map[string]any{"domain": "acme.com"}}}
	demo := []scoring.Event{{Type: "demo_request", At: time.Date(2026, 9, 25, 0, 0, 0, 0, time.UTC)}}
	leads := []scoring.Lead{
		{ID: "ana", Fields: map[string]any{"email": "ana@acme.com", "signed_up": "2026-10-05T00:00:00Z", "created_at": "2026-09-01T00:00:00Z"}, Events: demo},
		{ID: "bo", Fields: map[string]any{"email": "bo@acme.com", "signed_up": "2026-09-05T00:00:00Z"}, Events: demo},
	}

	byDefault, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	require.Equal(t, "created_at", byDefault.CreatedField())
	r, err := byDefault.Score(accounts, leads, asOf)
	require.NoError(t, err)
	require.Equal(t, 2, r.Results[0].People, "created_at: ana since 2026-09-01, bo since its demo")
	require.Equal(t, 80.0, r.Results[0].Total)
	for _, p := range r.Results[0].Members {
		require.Empty(t, p.Result.Unknown, "created_at decides membership: it is known")
	}

	bySignup, err := scoring.NewAccountScorer(m, scoring.WithCreatedField("signed_up"))
	require.NoError(t, err)
	r, err = bySignup.Score(accounts, leads, asOf)
	require.NoError(t, err)
	require.Equal(t, 1, r.Results[0].People, "signed_up: ana only from 2026-10-05")
	require.Equal(t, "bo", r.Results[0].Members[0].LeadID)
	require.Equal(t, 40.0, r.Results[0].Total)
	// created_at is no longer what decides: it is unknown data again.
	ana, err := bySignup.Person(leads[0], asOf)
	require.NoError(t, err)
	require.Equal(t, []rules.Unknown{{Kind: rules.UnknownKey, Name: "created_at"}}, ana.Result.Unknown)

	plain := scoring.New(m)
	require.Equal(t, []rules.Unknown{{Kind: rules.UnknownKey, Name: "created_at"}}, plain.Unknown(leads[0]))
	require.Empty(t, scoring.New(m, scoring.WithCreatedField("")).Unknown(leads[0]), `"" is created_at`)
}

// domain_from is read by its value, whatever the field is called (the
// review's regression: a field named email_domain holding bare domains
// matched nothing because its name says email): with "@" the part after
// it; without, the value when it looks like a domain (a dot, no space);
// else no domain, and the lead is unmatched with the reason.
func TestMatchByTheValue(t *testing.T) {
	model := func(from string) *rules.Model {
		m, err := rules.CompileBytes("a.yaml", []byte(`leadscore: 1
model: example
fields: {email: string, email_domain: string, website: string}
scores:
  fit: {max: 100}
stages:
  - {id: sql, sales_ready: true, when: fit >= 40}
accounts:
  match: {domain_from: `+from+`}
  fields: {domain: string}
  scores:
    fit: {max: 100}
  stages:
    - {id: buying, sales_ready: true, when: 'people() >= 2'}
`))
		require.NoError(t, err)
		return m
	}
	accounts := []scoring.Account{{ID: "acme", Fields: map[string]any{"domain": "acme.com"}}}
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, from := range []string{"email", "email_domain", "website"} {
		leads := []scoring.Lead{
			{ID: "a", Fields: map[string]any{from: "acme.com"}},
			{ID: "b", Fields: map[string]any{from: "bo@acme.com"}},
			{ID: "c", Fields: map[string]any{from: " "}},
			{ID: "d", Fields: map[string]any{from: "www.ACME.com"}},
			{ID: "e", Fields: map[string]any{from: "acme"}},
			{ID: "f", Fields: map[string]any{from: "acme .com"}},
		}
		s, err := scoring.NewAccountScorer(model(from))
		require.NoError(t, err)
		r, err := s.Score(accounts, leads, asOf)
		require.NoError(t, err)
		assert.Equal(t, 3, r.ByDomain, from)
		assert.Equal(t, []scoring.Unmatched{
			{LeadID: "c", Reason: "no domain in " + from},
			{LeadID: "e", Reason: from + ` "acme" is neither an email address (no "@") nor a domain (a domain has a dot and no spaces); write the whole address, name@company.com, or the company's domain, company.com`},
			{LeadID: "f", Reason: from + ` "acme .com" is neither an email address (no "@") nor a domain (a domain has a dot and no spaces); write the whole address, name@company.com, or the company's domain, company.com`},
		}, r.Unmatched, from)
	}
}
