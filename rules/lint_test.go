package rules_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

func TestLintSloppyModel(t *testing.T) {
	m, err := rules.CompileFile(filepath.Join("..", "testdata", "lint", "sloppy.yaml"))
	require.NoError(t, err, "lint findings do not stop a model from compiling")
	var got []string
	for _, d := range rules.Lint(m) {
		got = append(got, strings.TrimPrefix(d.Error(), filepath.Join("..", "testdata", "lint", "sloppy.yaml")))
	}
	assert.Equal(t, []string{
		":11:3: warning: list old_regions is never used; remove it, or use it in a rule",
		":14:3: warning: define big is never used; remove it, or use it in a rule or stage",
		":25:5: warning: rule fit.vp has no owner; say which team answers for it, such as owner: sales",
		":25:5: warning: rule fit.vp has no reason; say in a few words why it gives points, for the people who read the scores",
		":33:11: warning: rule fit.size can never fire: employees >= 1000 and employees < 200 cannot both hold",
		":39:11: warning: rule fit.always always fires: its condition is true whatever the lead",
		":50:22: warning: grade B can never be given: grade A comes first and asks for less (fit >= 20)",
		":57:27: warning: stage sql cannot be reached: engagement >= 60 asks for more than the 30 points the rules can give",
	}, got)
}

func TestLintBundledModelIsClean(t *testing.T) {
	m, err := rules.CompileFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	assert.Empty(t, rules.Lint(m))
}

func TestLintConstantsAndBounds(t *testing.T) {
	model := func(when string) string {
		return "leadscore: 1\nmodel: m\nfields: {n: int, s: string}\nscores: {fit: {}}\nrules:\n  - {id: r, score: fit, owner: x, reason: y, points: 1, when: '" + when + "'}\nstages:\n  - {id: s, sales_ready: true, when: fit > 0}\n"
	}
	for when, want := range map[string]string{
		`n > 5 && false`:        "can never fire: its condition is false whatever the lead",
		`n > 5 || true`:         "always fires",
		`!(1 == 1)`:             "can never fire: its condition is false whatever the lead",
		`n == 3 && n > 3`:       "can never fire: n > 3 and n == 3 cannot both hold",
		`n > 3 && n < 4`:        "",
		`n >= 3 && n <= 3`:      "",
		`s == "a" && n < 0`:     "",
		`has(n) && n > 1`:       "",
		`events("x", "1d") > 0`: "",
	} {
		m, err := rules.CompileBytes("m.yaml", []byte(model(when)))
		require.NoError(t, err, when)
		var got string
		for _, d := range rules.Lint(m) {
			got += d.Message
		}
		if want == "" {
			assert.Empty(t, got, when)
		} else {
			assert.Contains(t, got, want, when)
		}
	}
}
