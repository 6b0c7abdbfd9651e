package review_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/review"
)

// A change to the accounts section is a change of the definition: its
// rules, roll-ups, roles, matching and ladder are reviewed too.
func TestCompareAccounts(t *testing.T) {
	src, err := os.ReadFile(td("accounts/model.yaml"))
	require.NoError(t, err)
	old, err := rules.CompileBytes("m.yaml", src)
	require.NoError(t, err)
	changed := string(src)
	for _, r := range [][2]string{
		{"when: employees >= 200\n      points: 25", "when: employees >= 500\n      points: 25"},
		{"      top: 3\n", "      top: 2\n"},
		{"free_mail: free_email_domains\n", "free_mail: free_email_domains\n    domain_field: domain\n"},
		{"aliases: {initech.co.uk: initech.com}", "aliases: {initech.co.uk: initech.com, globex.com: globex.io}"},
		{"champion: engagement >= 30 && !decision_maker", "champion: engagement >= 25 && !decision_maker"},
		{`engaged() >= 3 && engaged("decision_maker") >= 1`, `engaged() >= 2 && engaged("decision_maker") >= 1`},
	} {
		require.Contains(t, changed, r[0])
		changed = strings.Replace(changed, r[0], r[1], 1)
	}
	new, err := rules.CompileBytes("m.yaml", []byte(changed))
	require.NoError(t, err)
	var got []string
	for _, c := range review.Compare(old, new) {
		got = append(got, c.Kind+" "+c.What+" "+c.Name+": "+strings.Join(c.Details, "; "))
	}
	assert.Equal(t, []string{
		"changed account rule account.size: when `employees >= 200` → `employees >= 500`",
		"changed roll-up account.top-engagement: engagement: people top 3 of `engagement`, at most 80 → engagement: people top 2 of `engagement`, at most 80",
		"changed matching accounts: by account_id, else by the domain of email against domain, free mail gmail.com, yahoo.com, hotmail.com, outlook.com, aliases initech.co.uk as initech.com → by account_id, else by the domain of email against domain, free mail gmail.com, yahoo.com, hotmail.com, outlook.com, aliases globex.com as globex.io, initech.co.uk as initech.com",
		"changed role champion: `engagement >= 30 && !decision_maker` → `engagement >= 25 && !decision_maker`",
		"changed account stage buying-group: `engaged() >= 3 && engaged(\"decision_maker\") >= 1 && grade != \"C\"` (sales-ready) → `engaged() >= 2 && engaged(\"decision_maker\") >= 1 && grade != \"C\"` (sales-ready)",
	}, got)
	assert.Empty(t, review.Compare(new, new))

	plain, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	changes := review.Compare(plain, old)
	last := changes[len(changes)-1]
	assert.Equal(t, "added accounts", last.Kind+" "+last.What)
}
