package rules_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

// accountsBase is a small valid model with an accounts section; each case
// below breaks one thing in it.
const accountsBase = `leadscore: 1
model: t
fields:
  email: string
  account_id: string
  title: string
  employees: int
lists:
  free_mail: [gmail.com]
scores:
  fit: {min: 0, max: 100}
  engagement: {max: 100}
rules:
  - id: r1
    score: fit
    when: employees > 10
    points: 10
stages:
  - id: sql
    sales_ready: true
    when: fit >= 10
accounts:
  match:
    id_field: account_id
    domain_from: email
    free_mail: free_mail
  fields:
    domain: string
    industry: string
    customer: {type: bool, default: false}
  scores:
    fit: {max: 50}
    engagement: {max: 50}
  roles:
    decision_maker: title matches "(?i)vp|director"
    champion: engagement >= 30
  engaged: {when: engagement >= 10, within: 30d}
  rules:
    - id: acct.industry
      score: fit
      points: 30
      when: industry == "software"
    - id: acct.engagement
      score: engagement
      people: sum
      of: engagement
      max: 40
    - id: gate.customer
      disqualify: Already a customer
      when: customer
  stages:
    - {id: aware, when: engaged() >= 1}
    - {id: buying, when: 'engaged() >= 3 && engaged("decision_maker") >= 1 && fit >= 30', sales_ready: true}
`

func TestAccountsCompile(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(accountsBase))
	require.NoError(t, err)
	a := m.Accounts
	require.NotNil(t, a)
	assert.Equal(t, "account_id", a.IDField)
	assert.Equal(t, "email", a.DomainFrom)
	assert.Equal(t, "domain", a.DomainField)
	assert.Equal(t, []string{"gmail.com"}, a.FreeMail)
	require.Len(t, a.Roles, 2)
	assert.Equal(t, "champion", a.Roles[1].Name)
	require.Len(t, a.Rollups, 1)
	r := a.Rollups[0]
	assert.Equal(t, "sum", r.Strategy)
	assert.Equal(t, 40.0, r.Max)
	assert.Equal(t, "engagement", r.Category.Name)
	// The account's own model holds the rules over its fields and the gate,
	// not the roll-ups.
	assert.NotNil(t, a.Model.Rule("acct.industry"))
	assert.NotNil(t, a.Model.Rule("gate.customer"))
	assert.Nil(t, a.Model.Rule("acct.engagement"))
	assert.Len(t, a.PersonExprs(), 4, "two roles, engaged, the roll-up's of")

	m, err = rules.CompileBytes("m.yaml", []byte(base))
	require.NoError(t, err)
	assert.Nil(t, m.Accounts, "a file without accounts")
}

// brokenAccounts each break accountsBase and give the whole rendered
// report, as brokenCases do.
var brokenAccounts = []struct {
	name, old, new, want string
}{
	{name: "id_field not a lead field", old: "id_field: account_id", new: "id_field: acount_id", want: `m.yaml:24:15: id_field: "acount_id" is not a lead field; did you mean "account_id"?
        id_field: acount_id
                  ^
`},
	{name: "id_field not text", old: "id_field: account_id", new: "id_field: employees", want: `m.yaml:24:15: id_field: lead field employees is declared int; matching reads text, so declare it as string
        id_field: employees
                  ^
`},
	{name: "free_mail not a list", old: "free_mail: free_mail\n", new: "free_mail: free_mal\n", want: `m.yaml:26:16: free_mail: "free_mal" is not a list; did you mean "free_mail"?
        free_mail: free_mal
                   ^
`},
	{name: "domain field undeclared", old: "    domain: string\n", new: "    domian: string\n", want: `m.yaml:23:3: matching by domain reads the account's domain from its field domain, which the accounts fields do not declare; add domain: string under them, or name the field with domain_field:
      match:
      ^
`},
	{name: "domain_field misspelt", old: "free_mail: free_mail\n", new: "free_mail: free_mail\n    domain_field: industri\n", want: `m.yaml:27:19: domain_field: "industri" is not an account field; did you mean "industry"?
        domain_field: industri
                      ^
`},
	{name: "role reads an unknown lead field", old: `champion: engagement`, new: `champion: engagment`, want: `m.yaml:36:15: unknown name "engagment"; did you mean "engagement"?
        champion: engagment >= 30
                  ^
`},
	{name: "unknown role in a stage", old: `engaged("decision_maker")`, new: `engaged("decision_makr")`, want: `m.yaml:53:53: unknown role "decision_makr"; did you mean "decision_maker"?
        - {id: buying, when: 'engaged() >= 3 && engaged("decision_makr") >= 1 && fit >= 30', sales_ready: true}
                                                        ^
`},
	{name: "role not quoted", old: `engaged("decision_maker")`, new: `engaged(decision_maker)`, want: `m.yaml:53:53: engaged() needs the role written in quotes, such as engaged("decision_maker")
        - {id: buying, when: 'engaged() >= 3 && engaged(decision_maker) >= 1 && fit >= 30', sales_ready: true}
                                                        ^
`},
	{name: "account rule reads a lead field", old: `industry == "software"`, new: `title == "software"`, want: `m.yaml:42:13: unknown name "title": title is a field of a lead, and this condition is the account's: it reads the account's fields (declare title under accounts fields), or counts its people with people("role") and engaged("role") (define the role under accounts roles)
          when: title == "software"
                ^
`},
	{name: "roll-up of a condition", old: "of: engagement\n", new: "of: engagement >= 10\n", want: `m.yaml:46:11: this must give a number, but it gives bool
          of: engagement >= 10
              ^
`},
	{name: "roll-up category unknown", old: "      score: engagement\n      people: sum", new: "      score: engagment\n      people: sum", want: `m.yaml:44:14: rule acct.engagement scores unknown category "engagment"; did you mean "engagement"?
          score: engagment
                 ^
`},
	{name: "roll-up id used twice", old: "id: acct.engagement", new: "id: acct.industry", want: `m.yaml:43:11: rule id "acct.industry" is used twice (first at m.yaml:39:11); every rule needs its own id
        - id: acct.industry
              ^
`},
	{name: "roll-up strategy misspelt", old: "people: sum", new: "people: summ", want: `m.yaml:45:15: people: unknown roll-up "summ"; did you mean "sum"?
          people: summ
                  ^
`},
}

func TestBrokenAccounts(t *testing.T) {
	for _, tc := range brokenAccounts {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, accountsBase, tc.old)
			got := render(t, strings.Replace(accountsBase, tc.old, tc.new, 1))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestRollupWeightsNameRoles(t *testing.T) {
	src := strings.Replace(accountsBase, "      max: 40\n", "      max: 40\n      weights: {champoin: 2}\n", 1)
	assert.Equal(t, `m.yaml:48:17: rule acct.engagement weighs unknown role "champoin"; did you mean "champion"?
          weights: {champoin: 2}
                    ^
`, render(t, src))
	src = strings.Replace(accountsBase, "      max: 40\n", "      max: 40\n      weights: {champion: -1}\n", 1)
	assert.Contains(t, render(t, src), "the weight of champion is below 0")
}
