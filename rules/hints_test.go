package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// appliedHints apply each hint's rewrite, as a newcomer would: the message
// for when names fix; when with fix applied (applied, or fix itself) must
// compile and, where the intent can be written another way (meant), fire
// for the same leads.
var appliedHints = []struct {
	when, fix, applied, meant string
}{
	{when: `job_title contains VP == true`, fix: `job_title contains "VP"`, applied: `job_title contains "VP" == true`},
	{when: `not (job_title contains VP)`, fix: `job_title contains "VP"`, applied: `not (job_title contains "VP")`, meant: `not (job_title contains "VP")`},
	{when: `job_title not contains VP`, fix: `job_title not contains "VP"`, meant: `not (job_title contains "VP")`},
	{when: `'"2026-08-01" > created_at'`, fix: `created_at < date("2026-08-01")`, meant: `date("2026-08-01") > created_at`},
	{when: `'"2026-08-01" <= created_at'`, fix: `created_at >= date("2026-08-01")`, meant: `date("2026-08-01") <= created_at`},
	{when: `created_at < "2026-08-01"`, fix: `created_at < date("2026-08-01")`},
	{when: `30 < created_at`, fix: `daysSince(created_at) > 30`},
	{when: `created_at > 30`, fix: `daysSince(created_at) <= 30`},
	{when: `country not in "United States, Canada"`, fix: `country not in ["United States", "Canada"]`, meant: `not (country in target_countries)`},
	{when: `employees not in 5`, fix: `employees != 5`, meant: `not (employees in [5])`},
	{when: `employees or big`, fix: `employees > 0`, applied: `employees > 0 or big`},
	{when: `revenue or big`, fix: `revenue > 0`, applied: `revenue > 0 or big`},
	{when: `tags or big`, fix: `len(tags) > 0`, applied: `len(tags) > 0 or big`},
	{when: `created_at or big`, fix: `has(created_at)`, applied: `has(created_at) or big`},
	{when: `job_title or big`, fix: `job_title != ""`, applied: `job_title != "" or big`},
	{when: `employees in "10, 20"`, fix: `employees in [10, 20]`, meant: `employees == 10 or employees == 20`},
	{when: `employees in 10`, fix: `employees == 10`},
	{when: `tags in "a,b"`, fix: `any(tags, {# in ["a", "b"]})`, meant: `"a" in tags or "b" in tags`},
	{when: `tags not in "a,b"`, fix: `none(tags, {# in ["a", "b"]})`, meant: `not ("a" in tags or "b" in tags)`},
	{when: `target_countries in "Canada"`, fix: `any(target_countries, {# == "Canada"})`, meant: `true`},
	{when: `job_title == "Analyst" and "Data Engineer"`, fix: `job_title in ["Analyst", "Data Engineer"]`, meant: `job_title == "Analyst" or job_title == "Data Engineer"`},
	{when: `job_title == "A" or "B"`, fix: `job_title in ["A", "B"]`, meant: `job_title == "A" or job_title == "B"`},
	{when: `job_title != "A" and "B"`, fix: `job_title not in ["A", "B"]`, meant: `job_title != "A" and job_title != "B"`},
	{when: `country in target_countries or "US"`, fix: `country == "US"`, applied: `country in target_countries or country == "US"`},
	{when: `job_title is "VP"`, fix: `job_title == "VP"`},
	{when: `job_title is not "VP"`, fix: `job_title != "VP"`},
	{when: `country nin target_countries`, fix: `country not in target_countries`, meant: `not (country in ["United States", "Canada"])`},
	{when: `job_title has "VP"`, fix: `job_title contains "VP"`},
	{when: `job_title matches (vp|director)`, fix: `job_title matches "(vp|director)"`},
	{when: `job_title matches \bvp\b`, fix: `job_title matches "\\bvp\\b"`, meant: `job_title matches "(^|[^a-zA-Z0-9_])vp([^a-zA-Z0-9_]|$)"`},
	{when: `job-title == "VP"`, fix: `job_title`, applied: `job_title == "VP"`},
	{when: `NOT big`, fix: `not big`},
	{when: `job_title is VP`, fix: `job_title == "VP"`},
	{when: `job_title matches [a-z]+`, fix: `job_title matches "[a-z]+"`},
	{when: `created_at >= 2026`, fix: `created_at >= date("2026-01-01")`, meant: `created_at >= date("2026-01-01T00:00:00Z")`},
	{when: `tags in job_title`, fix: `job_title in tags`},
}

// hintLeads are the leads a rewrite and the intent are compared on.
var hintLeads = []map[string]any{
	{"job_title": "VP Sales", "country": "Canada", "employees": 10, "revenue": 0.0, "created_at": "2026-07-01T00:00:00Z", "tags": []string{"a"}},
	{"job_title": "Analyst", "country": "France", "employees": 5, "revenue": 2.5, "created_at": "2026-08-01T00:00:00Z", "tags": []string{"b", "c"}},
	{"job_title": "Data Engineer", "country": "United States", "employees": 20, "created_at": "2026-09-15T00:00:00Z"},
	{"job_title": "a vp", "employees": 500, "tags": []string{"c"}},
	{"job_title": "A"},
	{"job_title": "B", "country": "US"},
}

func TestAppliedHintsCompileAndMeanTheIntent(t *testing.T) {
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	fires := func(t *testing.T, when string) []bool {
		t.Helper()
		m, err := rules.CompileBytes("m.yaml", []byte(onReviewed(when)))
		require.NoError(t, err, "%s does not compile", when)
		s := scoring.New(m)
		var out []bool
		for i, fields := range hintLeads {
			res, err := s.Score(scoring.Lead{ID: "l", Fields: fields}, asOf)
			require.NoError(t, err, "lead %d", i)
			out = append(out, len(res.Fired) == 1)
		}
		return out
	}
	for _, tc := range appliedHints {
		t.Run(tc.when, func(t *testing.T) {
			msg := render(t, onReviewed(tc.when))
			require.Contains(t, strings.SplitN(msg, "\n", 2)[0], tc.fix)
			applied := tc.applied
			if applied == "" {
				applied = tc.fix
			}
			got := fires(t, yamlPlain(applied))
			if tc.meant != "" {
				assert.Equal(t, fires(t, yamlPlain(tc.meant)), got, "%s does not mean %s", applied, tc.meant)
			}
		})
	}
}

// yamlPlain quotes an expression for YAML when it starts with a quote.
func yamlPlain(when string) string {
	if strings.HasPrefix(when, `"`) {
		return "'" + when + "'"
	}
	return when
}

// The block a colon in a several-line plain expression is told to write
// compiles, and says what the plain lines meant.
func TestColonInSeveralLinesBlockCompiles(t *testing.T) {
	msg := render(t, onReviewed("job_title == \"VP: x\" and\n      employees > 10"))
	require.Contains(t, msg, "write it as a block: when: >")
	_, err := rules.CompileBytes("m.yaml", []byte(onReviewed(">\n      job_title == \"VP: x\" and\n      employees > 10")))
	require.NoError(t, err)
}
