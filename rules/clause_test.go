package rules_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

// render writes a clause tree one part per line, indented, with positions.
func renderClause(c *rules.Clause, indent string, b *strings.Builder) {
	if c.Op == "" {
		b.WriteString(indent + c.Source + " @" + c.Pos.String() + " reads " + strings.Join(c.Reads, ",") + "\n")
		return
	}
	b.WriteString(indent + c.Op + " @" + c.Pos.String() + "\n")
	for _, p := range c.Parts {
		renderClause(p, indent+"  ", b)
	}
}

func TestClauseTrees(t *testing.T) {
	m, err := rules.CompileFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	file := filepath.Join("..", "testdata", "b2b-saas.yaml")
	for _, tc := range []struct {
		clause *rules.Clause
		want   string
	}{
		{m.Stages[2].When.Clause, `and @F:195:11
  grade in ["A", "B"] @F:195:11 reads grade
  or @F:195:35
    engagement >= 50 @F:195:35 reads engagement
    recent_demo @F:195:55 reads recent_demo
`},
		{m.Rule("fit.practitioner").When.Clause, `and @F:83:11
  practitioner @F:83:11 reads practitioner
  not @F:83:27
    decision_maker @F:83:28 reads decision_maker
`},
		{m.Rule("engagement.gone-quiet").When.Clause, `and @F:161:7
  events("email_click", "60d") + events("page_view", "60d") == 0 @F:161:7 reads 
  has(created_at) @F:162:10 reads created_at
  daysSince(created_at) > 60 @F:162:29 reads created_at
`},
		{m.Rule("engagement.pricing-page").When.Clause, `event.url contains "/pricing" @F:119:11 reads event.url
`},
		{m.Rule("fit.industry").When.Clause, `lower(industry) in target_industries @F:59:11 reads industry
`},
	} {
		var b strings.Builder
		renderClause(tc.clause, "", &b)
		assert.Equal(t, strings.ReplaceAll(tc.want, "@F", "@"+file), b.String())
	}
}
