package scoringtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring/scoringtest"
)

// The bundled accounts example's cases: accounts with several people.
func TestBundledAccountCases(t *testing.T) {
	fr := scoringtest.RunFile(filepath.Join("..", "..", "testdata", "accounts", "model_test.yaml"), scoringtest.Options{})
	require.NoError(t, fr.Err)
	assert.Equal(t, scoringtest.Totals{Passed: 5}, scoringtest.Count([]*scoringtest.FileResult{fr}))
	assert.Nil(t, fr.Coverage, "coverage is of lead cases; this file has none")
}

// runAccountCases runs a test file, written beside the bundled accounts
// model, and returns its errors or its failures.
func runAccountCases(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	model, err := os.ReadFile(filepath.Join("..", "..", "testdata", "accounts", "model.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "model.yaml"), model, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "t_test.yaml"), []byte("model: model.yaml\nas_of: 2026-10-01\n"+src), 0o644))
	fr := scoringtest.RunFile(filepath.Join(dir, "t_test.yaml"), scoringtest.Options{})
	if fr.Err != nil {
		return strings.ReplaceAll(fr.Err.Error(), dir+string(filepath.Separator), "")
	}
	var out []string
	for _, c := range fr.Cases {
		out = append(out, string(c.Status)+": "+strings.Join(c.Failures, "; ")+c.Error)
	}
	return strings.Join(out, "\n")
}

func TestAccountCases(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"a failing expectation", `cases:
  - name: c
    account: {industry: Software, employees: 10}
    people:
      - {id: a, lead: {email: a@x.com, title: CTO}, events: [{type: demo_request, ago: 1d}]}
    expect: {stage: buying-group, scores: {engagement: 40}, missing_roles: [], fired: [account.breadth]}
`, "fail: stage: want buying-group, got aware; engagement: want 40, got 45; missing_roles: want [], got [champion, user]"},
		{"a lead key in an account case", `cases:
  - name: c
    account: {industry: Software}
    lead: {title: CTO}
    expect: {stage: none}
`, `t_test.yaml:6:5: case "c" scores an account, so it takes no lead; give each person its extends, lead and events under people:`},
		{"missing_roles in a lead case", `cases:
  - name: c
    lead: {title: CTO}
    expect: {missing_roles: []}
`, `t_test.yaml:6:13: case "c" expects missing_roles, which only an account's result has; add account: and people: to make it an account case`},
		{"names checked against the account's model", `cases:
  - name: c
    account: {industy: Software}
    people: [{id: a, extends: vpp, lead: {titel: CTO}}, {id: a}]
    expect: {stage: sql, fired: [account.breadht], missing_roles: [champoin]}
`, `t_test.yaml:5:15: the accounts section declares no account field "industy"; did you mean "industry"?
t_test.yaml:6:31: unknown fixture "vpp"; declare it under fixtures
t_test.yaml:6:43: the model declares no lead field "titel"; did you mean "title"?
t_test.yaml:6:62: person "a" appears twice in this case (first at t_test.yaml:6:19); give each person its own id
t_test.yaml:7:21: unknown stage "sql"; the stages are aware, buying-group, or none
t_test.yaml:7:34: unknown rule "account.breadht"; did you mean "account.breadth"?
t_test.yaml:7:68: unknown role "champoin"; did you mean "champion"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, runAccountCases(t, tc.src))
		})
	}
}
