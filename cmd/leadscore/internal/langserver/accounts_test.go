package langserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accountsModel is a rule file with an accounts section: matching, its
// own fields and categories, roles, engaged, a rule, roll-ups and stages.
const accountsModel = `leadscore: 1
model: m
fields:
  email: string
  account_id: string
  title: string
  employees: int
lists:
  free_mail: [gmail.com]
define:
  senior: title matches "(?i)vp|director"
scores:
  fit: {max: 50}
  engagement: {max: 100}
rules:
  - {id: fit.senior, score: fit, owner: sales, reason: Senior, when: senior, points: 20}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
accounts:
  match:
    id_field: account_id
    domain_from: email
    free_mail: free_mail
  fields:
    domain: string
    industry: string
    revenue: float
  scores:
    acct_fit: {max: 50}
    acct_eng: {max: 100}
  roles:
    decision_maker: senior
    champion: engagement >= 30
  engaged: {when: engagement >= 10, within: 30d}
  rules:
    - id: acct.industry
      score: acct_fit
      when: industry == "software"
      points: 30
    - id: acct.top
      score: acct_eng
      people: top
      top: 3
      of: engagement
      when: engagement > 0
      max: 80
  grades:
    - {grade: A, when: acct_fit >= 30}
    - {grade: B}
  stages:
    - {id: aware, when: engaged() >= 1}
    - {id: buying, sales_ready: true, when: 'engaged("decision_maker") >= 1'}
`

func TestAccountsSection(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(accountsModel), 0o644))
	c := start(t)
	require.Nil(t, c.request("initialize", map[string]any{"processId": nil, "rootUri": uriOf(dir), "capabilities": map[string]any{}})["error"])
	uri := uriOf(filepath.Join(dir, "m.yaml"))
	c.notify("textDocument/didOpen", open(uri, accountsModel))
	require.Empty(t, c.diagnostics(uri), "the model compiles")

	version := 1
	labels := func(from, to string) []string {
		text := strings.Replace(accountsModel, from, to, 1)
		require.NotEqual(t, accountsModel, text, from)
		version++
		c.edit(uri, text, version)
		var list completionList
		typed := to[strings.LastIndexByte(to, '\n')+1:] // the cursor ends what is typed
		c.result("textDocument/completion", posParams(uri, after(t, text, typed, typed)), &list)
		var out []string
		for _, it := range list.Items {
			out = append(out, it.Label)
		}
		return out
	}
	// An account rule reads the account's fields, not the lead's.
	assert.Equal(t, []string{"industry"}, labels(`when: industry == "software"`, "when: indu"))
	assert.Empty(t, labels(`when: industry == "software"`, "when: emplo"), "employees is a lead field")
	assert.Equal(t, []string{"revenue"}, labels(`when: industry == "software"`, "when: reve"))
	// The counts of people, and the roles in their quotes.
	assert.Equal(t, []string{"people"}, labels("when: engaged() >= 1", "when: peop"))
	assert.Equal(t, []string{"decision_maker"}, labels(`engaged("decision_maker")`, `engaged("dec`))
	// An account's stages read its categories, total and grade.
	assert.Equal(t, []string{"acct_fit"}, labels("when: engaged() >= 1", "when: acct_f"))
	assert.Equal(t, []string{"grade"}, labels("when: engaged() >= 1", "when: grad"))
	// A role, engaged:, and a roll-up's of: and when: read a person: the
	// lead's fields, defines and categories.
	assert.Equal(t, []string{"senior"}, labels("decision_maker: senior", "decision_maker: seni"))
	assert.Equal(t, []string{"employees"}, labels("champion: engagement >= 30", "champion: emplo"))
	assert.Equal(t, []string{"engagement"}, labels("of: engagement", "of: engag"))
	assert.Equal(t, []string{"engagement"}, labels("when: engagement > 0", "when: engagement > 0 && engag"))
	assert.Equal(t, []string{"engagement"}, labels("engaged: {when: engagement", "engaged: {when: engag"))
	assert.Empty(t, labels("when: engagement > 0", "when: engagement > 0 && indus"), "a person has no industry")
	// Values: the account's categories, the strategies, the lists, the
	// lead's text fields for matching, the roles in weights.
	assert.Equal(t, []string{"acct_eng"}, labels("score: acct_eng", "score: acct_e"))
	assert.Equal(t, []string{"top"}, labels("people: top", "people: to"))
	assert.Equal(t, []string{"free_mail"}, labels("free_mail: free_mail", "free_mail: free"))
	assert.Equal(t, []string{"email"}, labels("domain_from: email", "domain_from: em"))
	assert.Equal(t, []string{"champion"}, labels("      max: 80\n", "      max: 80\n      weights: {cha"))

	// Hover: the account's fields, categories, counts and roles in an
	// account's expression; a role where it is declared; a person's
	// expression reads the lead's names.
	version++
	c.edit(uri, accountsModel, version)
	hover := func(marker, word string) string {
		text, _ := c.hoverAt(uri, at(t, accountsModel, marker, word))
		return text
	}
	assert.Equal(t, "`industry`: an account field, text (string)", hover(`when: industry == "software"`, "industry"))
	assert.Equal(t, "`acct_fit`: an account score category, at most 50", hover("grade: A, when: acct_fit", "acct_fit"))
	assert.Contains(t, hover(`engaged("decision_maker")`, "decision_maker"), "`decision_maker`: a buying-group role, held by the people for whom\n\n```\nsenior\n```")
	assert.Contains(t, hover("    decision_maker: senior", "decision_maker"), "a buying-group role")
	assert.Contains(t, hover("when: engaged() >= 1", "engaged"), "`engaged(role string) int`")
	assert.Contains(t, hover("of: engagement", "engagement"), "`engagement`: a score category, at most 100", "the lead's category")

	// The outline has the section, its groups and their symbols.
	version++
	c.edit(uri, accountsModel, version)
	var syms []documentSymbol
	c.result("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": uri}}, &syms)
	require.NotEmpty(t, syms)
	acc := syms[len(syms)-1]
	assert.Equal(t, "accounts", acc.Name)
	assert.Equal(t, rng(18, 0, 8), acc.SelectionRange)
	var names []string
	for _, g := range acc.Children {
		var children []string
		for _, ch := range g.Children {
			children = append(children, ch.Name+" ("+ch.Detail+")")
		}
		names = append(names, g.Name+": "+strings.Join(children, ", "))
	}
	assert.Equal(t, []string{
		"fields: domain (string), industry (string), revenue (float)",
		"roles: decision_maker (senior), champion (engagement >= 30)",
		"rules: acct.industry (30 points to acct_fit), acct.top (roll-up of the people (top) to acct_eng)",
		"grades: A (acct_fit >= 30), B ()",
		"stages: aware (), buying (sales-ready)",
	}, names)
	assert.Equal(t, rng(34, 2, 7), acc.Children[2].SelectionRange, "the rules: key of the section")
}
