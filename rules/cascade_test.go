package rules_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

// A misspelt top-level key is one problem: not the unknown names,
// categories, rules and stages the section it meant would have declared
// (issue 32: ruls: was 7 errors, 6 of them in the hand-off).
func TestMisspeltSectionIsOneDiagnostic(t *testing.T) {
	src, err := os.ReadFile("../testdata/b2b-saas.yaml")
	require.NoError(t, err)
	for _, c := range []struct{ key, as, want string }{
		{"fields", "feilds", `unknown key "feilds" in the rule file; did you mean "fields"?`},
		{"events", "evnts", `unknown key "evnts" in the rule file; did you mean "events"?`},
		{"define", "defines", `unknown key "defines" in the rule file; did you mean "define"?`},
		{"scores", "score", `unknown key "score" in the rule file; did you mean "scores"?`},
		{"rules", "ruls", `unknown key "ruls" in the rule file; did you mean "rules"?`},
		{"stages", "stage", `unknown key "stage" in the rule file; did you mean "stages"?`},
		{"handoff", "handof", `unknown key "handof" in the rule file; did you mean "handoff"?`},
		{"include", "includes", `unknown key "includes" in the rule file; did you mean "include"?`},
		// Near no key: it may have meant any section that is missing.
		{"rules", "scoring_logic", `unknown key "scoring_logic" in the rule file; expected one of: leadscore, model, description, owners, include, fields, events, event_types, lists, define, scores, total, rules, grades, stages, handoff, accounts`},
	} {
		t.Run(c.as, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, "../testdata/common", filepath.Join(dir, "common"))
			broken := strings.Replace(string(src), "\n"+c.key+":", "\n"+c.as+":", 1)
			require.NotEqual(t, string(src), broken)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(broken), 0o644))
			_, err := rules.CompileFile(filepath.Join(dir, "m.yaml"))
			var ds dsl.Diagnostics
			require.True(t, errors.As(err, &ds), "%v", err)
			require.Len(t, ds, 1, "%v", err)
			assert.Equal(t, c.want, ds[0].Message)
		})
	}
}

// A misspelt key beside the section it meant hides nothing: the section
// was read, and its problems are its own.
func TestMisspeltKeyBesideItsSectionHidesNothing(t *testing.T) {
	src := base + "rule:\n  - id: r2\n" + "grades:\n  - {grade: A, when: fitt > 1}\n"
	_, err := rules.CompileBytes("m.yaml", []byte(src))
	var ds dsl.Diagnostics
	require.True(t, errors.As(err, &ds), "%v", err)
	var msgs []string
	for _, d := range ds {
		msgs = append(msgs, d.Message)
	}
	assert.Equal(t, []string{`unknown key "rule" in the rule file; did you mean "rules"?`, `unknown name "fitt"; did you mean "fit"?`}, msgs)
}

func copyDir(t *testing.T, from, to string) {
	require.NoError(t, os.MkdirAll(to, 0o755))
	entries, err := os.ReadDir(from)
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() {
			copyDir(t, filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(to, e.Name()), b, 0o644))
	}
}

// A key near no section hides only the consequences of a missing section
// every model has: lists and defines are optional, so a name no list or
// define declares is still reported.
func TestUnknownKeyNearNoneHidesOnlyRequiredSections(t *testing.T) {
	src := base + "notes: agreed in Q3\n" + "grades:\n  - {grade: A, when: fitt > 1}\n"
	_, err := rules.CompileBytes("m.yaml", []byte(src))
	var ds dsl.Diagnostics
	require.True(t, errors.As(err, &ds), "%v", err)
	require.Len(t, ds, 2, "%v", err)
	assert.Equal(t, `unknown name "fitt"; did you mean "fit"?`, ds[1].Message)
}

// An included file that cannot be read is one problem too: the lists and
// fields it would have declared are not reported as unknown names (the
// bundled model takes its lists from common/lists.yaml). A mistake the
// include cannot explain (a misspelt function) is still reported.
func TestUnreadableIncludeIsOneDiagnostic(t *testing.T) {
	src, err := os.ReadFile("../testdata/b2b-saas.yaml")
	require.NoError(t, err)
	for _, c := range []struct {
		name, edit string
		want       []string
	}{
		{"missing", "", []string{`cannot include "common/lists.yaml": no such file`}},
		{"missing, and a misspelt function", "lowr(", []string{`cannot include "common/lists.yaml": no such file`, `unknown function "lowr"; did you mean "lower"?`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir() // no common/ beside the model
			model := string(src)
			if c.edit != "" {
				model = strings.Replace(model, "lower(", c.edit, 1)
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(model), 0o644))
			_, err := rules.CompileFile(filepath.Join(dir, "m.yaml"))
			var ds dsl.Diagnostics
			require.True(t, errors.As(err, &ds), "%v", err)
			var msgs []string
			for _, d := range ds {
				msgs = append(msgs, d.Message)
			}
			assert.Equal(t, c.want, msgs)
		})
	}
}

// The bundled accounts example passes check --strict: the lists its
// accounts section alone reads (free_mail, account rules) are used.
func TestAccountsExampleIsLintClean(t *testing.T) {
	m, err := rules.CompileFile("../testdata/accounts/model.yaml")
	require.NoError(t, err)
	assert.Empty(t, rules.Lint(m), "the bundled accounts example has no warning")
}

// The accounts section follows the same rule: a misspelt lists:, fields:
// or roles: (in accounts) is one problem, not also the free-mail list,
// the lead fields, the lists and the roles the accounts section reads.
func TestMisspeltSectionIsOneDiagnosticWithAccounts(t *testing.T) {
	src, err := os.ReadFile("../testdata/accounts/model.yaml")
	require.NoError(t, err)
	for _, c := range []struct{ key, as, want string }{
		{"\nlists:", "\nlsits:", `unknown key "lsits" in the rule file; did you mean "lists"?`},
		{"\nfields:", "\nfileds:", `unknown key "fileds" in the rule file; did you mean "fields"?`},
		{"\n  roles:", "\n  rolse:", `unknown key "rolse" in accounts; did you mean "roles"?`},
	} {
		t.Run(c.as, func(t *testing.T) {
			broken := strings.Replace(string(src), c.key, c.as, 1)
			require.NotEqual(t, string(src), broken)
			_, err := rules.CompileBytes("m.yaml", []byte(broken))
			var ds dsl.Diagnostics
			require.True(t, errors.As(err, &ds), "%v", err)
			require.Len(t, ds, 1, "%v", err)
			assert.Equal(t, c.want, ds[0].Message)
		})
	}
}
