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
		":48:13: warning: the window of rule engagement.demo, 45min is under an hour; windows and half-lives are usually days (d), weeks (w) or months (mo)",
		":51:22: warning: grade B can never be given: grade A comes first and asks for less (fit >= 20)",
		":58:27: warning: stage sql cannot be reached: engagement >= 60 asks for more than the 30 points the rules can give",
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

// Points so large that sums lose digits, or overflow by the order the
// rules are added in, are a lint finding; a million is not.
func TestLintHugePoints(t *testing.T) {
	model := func(points string) string {
		return "leadscore: 1\nmodel: m\nfields: {n: int}\nscores: {fit: {}}\nrules:\n  - {id: r, score: fit, owner: x, reason: y, points: " + points + ", when: n > 1}\nstages:\n  - {id: s, sales_ready: true, when: fit > 0}\n"
	}
	for points, want := range map[string]string{
		"1e308": "m.yaml:6:5: rule r gives 1e+308 points: a sum of points this large loses digits",
		"-2e12": "rule r gives -2e+12 points",
		"1e6":   "",
		"500":   "",
	} {
		m, err := rules.CompileBytes("m.yaml", []byte(model(points)))
		require.NoError(t, err, points)
		var got string
		for _, d := range rules.Lint(m) {
			got += d.Pos.String() + ": " + d.Message
		}
		if want == "" {
			assert.Empty(t, got, points)
		} else {
			assert.Contains(t, got, want, points)
		}
	}
}

func TestLintShortDurationsAndGradesWithoutCatchAll(t *testing.T) {
	src := `leadscore: 1
model: m
fields: {n: int}
scores: {fit: {}}
rules:
  - id: e
    score: fit
    owner: x
    reason: y
    event: visit
    points: 1
    decay: {half_life: 20min}
  - {id: r, score: fit, owner: x, reason: y, points: 1, when: 'events("visit", "30min") > 0 && events("visit", "2h") > 0'}
grades:
  - {grade: A, when: fit >= 2}
  - {grade: B, when: fit >= 1}
stages:
  - {id: s, sales_ready: true, when: fit > 0}
`
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	var got []string
	for _, d := range rules.Lint(m) {
		got = append(got, d.Error())
	}
	assert.Equal(t, []string{
		"m.yaml:6:5: warning: rule e counts every visit event for ever (no within:, no limit:): a streaming state keeps them all; give it a within: (such as 90d) or a limit:",
		"m.yaml:12:24: warning: the half-life of rule e, 20min is under an hour; windows and half-lives are usually days (d), weeks (w) or months (mo)",
		"m.yaml:13:80: warning: the window 30min is under an hour; windows and half-lives are usually days (d), weeks (w) or months (mo)",
		"m.yaml:16:13: warning: no grade catches every lead: a lead for which no grade holds gets none; end the list with a grade without when, such as {grade: D}",
	}, got)
}

// A lowered (uppered, trimmed) value compared with constants it can never
// equal or contain: the rule fires on no lead, and check --strict says why.
func TestLintNormalisedAgainstConstants(t *testing.T) {
	model := func(when string) string {
		return "leadscore: 1\nmodel: m\nfields: {country: string, title: string, email: string}\n" +
			"lists:\n  target_countries: [United States, Canada]\n  lower_countries: [united states, canada]\n  mixed: [us, Canada]\n" +
			"scores: {fit: {}}\nrules:\n  - id: r\n    score: fit\n    owner: x\n    reason: y\n    points: 1\n    when: " + when +
			"\nstages:\n  - {id: s, sales_ready: true, when: fit > 0}\n"
	}
	for when, want := range map[string]string{
		`lower(country) in target_countries`:   `m.yaml:15:29: warning: lower(country) is in lower case, so it never equals any item of list target_countries ("United States", "Canada"); write "united states", "canada", or compare without lower()`,
		`lower(country) in mixed`:              `m.yaml:15:29: warning: lower(country) is in lower case, so it never equals the item "Canada" of list mixed; write "canada", or compare without lower()`,
		`lower(title) contains "VP"`:           `m.yaml:15:33: warning: lower(title) is in lower case, so it never contains "VP"; write "vp", or compare without lower()`,
		`upper(country) == "us"`:               `m.yaml:15:29: warning: upper(country) is in upper case, so it never equals "us"; write "US", or compare without upper()`,
		`lower(title) startsWith "Head"`:       `m.yaml:15:35: warning: lower(title) is in lower case, so it never starts with "Head"; write "head", or compare without lower()`,
		`lower(title) != "CEO"`:                `m.yaml:15:27: warning: lower(title) is in lower case, so it always differs from "CEO"; write "ceo", or compare without lower()`,
		`lower(country) in ["us", "Canada"]`:   `m.yaml:15:29: warning: lower(country) is in lower case, so it never equals "Canada"; write "canada", or compare without lower()`,
		`emailDomain(email) == "Gmail.com"`:    `m.yaml:15:33: warning: emailDomain(email) gives the domain in lower case, so it never equals "Gmail.com"; write "gmail.com"`,
		`trim(title) == " VP"`:                 `m.yaml:15:26: warning: trim(title) has no spaces at its ends, so it never equals " VP"; write "VP", or compare without trim()`,
		`trim(title) startsWith " "`:           `m.yaml:15:34: warning: trim(title) has no spaces at its ends, so it never starts with " "; remove the comparison, which holds for no lead`,
		`trim(title) startsWith " VP"`:         `m.yaml:15:34: warning: trim(title) has no spaces at its ends, so it never starts with " VP"; write "VP", or compare without trim()`,
		`trim(title) endsWith "Sales "`:        `m.yaml:15:32: warning: trim(title) has no spaces at its ends, so it never ends with "Sales "; write "Sales", or compare without trim()`,
		`lower(country) in ["US", "us"]`:       `m.yaml:15:29: warning: lower(country) is in lower case, so it never equals "US"; remove "US", which the list already holds as "us"`,
		`lower(country) in ["US", "us", "CA"]`: `m.yaml:15:29: warning: lower(country) is in lower case, so it never equals "US", "CA"; write "ca", and remove "US", which the list already holds as "us", or compare without lower()`,
		`trim(title) startsWith "VP "`:         ``,
		`trim(title) endsWith " Sales"`:        ``,
		`lower(country) in lower_countries`:    ``,
		`lower(title) contains "vp"`:           ``,
		`trim(title) contains " VP "`:          ``,
		`country in target_countries`:          ``,
	} {
		m, err := rules.CompileBytes("m.yaml", []byte(model(when)))
		require.NoError(t, err, when)
		var got []string
		for _, d := range rules.Lint(m) {
			if !strings.Contains(d.Message, "never used") {
				got = append(got, d.Error())
			}
		}
		assert.Equal(t, want, strings.Join(got, "\n"), when)
	}
}
