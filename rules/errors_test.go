package rules_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

// base is a small valid model; each case below breaks one thing in it.
const base = `leadscore: 1
model: t
fields:
  title: string
  employees: int
  email: string
scores:
  fit: {min: 0, max: 100}
rules:
  - id: r1
    score: fit
    when: employees > 10
    points: 10
stages:
  - id: sql
    sales_ready: true
    when: fit >= 10
`

// render compiles src and renders its diagnostics the way `leadscore check` shows them.
func render(t *testing.T, src string) string {
	t.Helper()
	_, err := rules.CompileBytes("m.yaml", []byte(src))
	require.Error(t, err, "the broken file compiled")
	var ds dsl.Diagnostics
	require.ErrorAs(t, err, &ds)
	var b strings.Builder
	require.NoError(t, ds.Write(&b))
	return b.String()
}

func TestBaseCompiles(t *testing.T) {
	doc, err := dsl.Parse("m.yaml", []byte(base))
	require.NoError(t, err)
	_, err = rules.Compile(doc)
	require.NoError(t, err)
}

// brokenCases each break the base model (or write a file from scratch) and
// give the whole rendered report, snippet and caret included: the wording
// of an error is part of the contract with the people who read it.
var brokenCases = []struct {
	name, src, want string
}{
	{
		name: "misspelt top-level key",
		src:  strings.Replace(base, "rules:", "ruls:", 1),
		want: `m.yaml:9:1: unknown key "ruls" in the rule file; did you mean "rules"?
    ruls:
    ^
`,
	},
	{
		name: "points given as text",
		src:  strings.Replace(base, "points: 10", "points: ten", 1),
		want: `m.yaml:13:13: points must be a number, not "ten"
        points: ten
                ^
`,
	},
	{
		name: "misspelt category",
		src:  strings.Replace(base, "score: fit", "score: fitt", 1),
		want: `m.yaml:11:12: rule r1 scores unknown category "fitt"; did you mean "fit"?
        score: fitt
               ^
`,
	},
	{
		name: "duplicate rule id",
		src:  base[:strings.Index(base, "stages:")] + "  - id: r1\n    score: fit\n    when: employees > 100\n    points: 5\n" + base[strings.Index(base, "stages:"):],
		want: `m.yaml:14:9: rule id "r1" is used twice (first at m.yaml:10:9); every rule needs its own id
      - id: r1
            ^
`,
	},
	{
		name: "misspelt field in an expression",
		src:  strings.Replace(base, "when: employees > 10", "when: employes > 10", 1),
		want: `m.yaml:12:11: unknown name "employes"; did you mean "employees"?
        when: employes > 10
              ^
`,
	},
	{
		name: "type error in an expression",
		src:  strings.Replace(base, "when: employees > 10", `when: employees contains "x"`, 1),
		want: `m.yaml:12:21: contains cannot combine a whole number (int) with text (string); check the field types under fields
        when: employees contains "x"
                        ^
`,
	},
	{
		name: "condition that is not true or false",
		src:  strings.Replace(base, "when: employees > 10", `when: employees + 1`, 1),
		want: `m.yaml:12:11: this condition must be true or false, but it gives a whole number (int); compare it, such as: employees >= 50
        when: employees + 1
              ^
`,
	},
	{
		name: "error on the second line of a literal block",
		src:  strings.Replace(base, "when: employees > 10", "when: |\n      employees > 10 &&\n        titel != \"\"", 1),
		want: `m.yaml:14:9: unknown name "titel"; did you mean "title"?
            titel != ""
            ^
`,
	},
	{
		name: "error after an escape in a double-quoted expression",
		src:  strings.Replace(base, "when: employees > 10", `when: "title == \"a\\tb\" && employes > 1"`, 1),
		want: `m.yaml:12:34: unknown name "employes"; did you mean "employees"?
        when: "title == \"a\\tb\" && employes > 1"
                                     ^
`,
	},
	{
		name: "error in a folded block",
		src:  strings.Replace(base, "when: employees > 10", "when: >\n      employees > 10\n      && daysSince(title) > 3", 1),
		want: `m.yaml:14:20: daysSince() needs a time (time) here, not text (string)
          && daysSince(title) > 3
                       ^
`,
	},
	{
		name: "bad duration and limit on a lead rule",
		src:  strings.Replace(base, "    points: 10\n", "    points: 10\n    limit: 3\n    within: 90days\n", 1),
		want: `m.yaml:14:5: rule r1 has limit but no event; limit applies only to event rules
        limit: 3
        ^
m.yaml:15:5: rule r1 has within but no event; within applies only to event rules
        within: 90days
        ^
m.yaml:15:13: within: bad duration "90days": write a number and a unit, like 90d, 12h or 2w
        within: 90days
                ^
`,
	},
	{
		name: "gate with points",
		src:  strings.Replace(base, "stages:", "  - id: gate.student\n    disqualify: Student\n    when: title == \"student\"\n    points: -5\nstages:", 1),
		want: `m.yaml:17:5: rule gate.student disqualifies, so it takes no points; make it a separate rule
        points: -5
        ^
`,
	},
	{
		name: "cycle among defines",
		src:  strings.Replace(base, "scores:", "define:\n  a: b && employees > 1\n  b: c\n  c: a\nscores:", 1),
		want: `m.yaml:8:3: defines refer to each other in a cycle: a -> b -> c -> a; a define cannot depend on itself
      a: b && employees > 1
      ^
`,
	},
	{
		name: "event field outside an event rule, unknown event type",
		src: strings.Replace(strings.Replace(base, "scores:", "events:\n  url: string\nevent_types: [page_view, demo_request]\nscores:", 1),
			"when: employees > 10", `when: event.url != "" && events("demo_requested", "30d") > 0`, 1),
		want: `m.yaml:15:17: event.url can be read only in the when of an event rule (a rule with event:); to count events here use events("type", "30d")
        when: event.url != "" && events("demo_requested", "30d") > 0
                    ^
m.yaml:15:37: unknown event type "demo_requested"; did you mean "demo_request"?
        when: event.url != "" && events("demo_requested", "30d") > 0
                                        ^
`,
	},
	{
		name: "unknown event field and event type in an event rule",
		src: strings.Replace(strings.Replace(base, "scores:", "events:\n  url: string\nevent_types: [page_view]\nscores:", 1),
			"    when: employees > 10\n", "    event: page_veiw\n    when: event.ulr contains \"/pricing\"\n", 1),
		want: `m.yaml:15:12: rule r1 counts unknown event type "page_veiw"; did you mean "page_view"?
        event: page_veiw
               ^
m.yaml:16:17: unknown event field "ulr"; did you mean "url"?
        when: event.ulr contains "/pricing"
                    ^
`,
	},
	{
		name: "score category read in a rule",
		src:  strings.Replace(base, "when: employees > 10", "when: fit > 10", 1),
		want: `m.yaml:12:11: "fit" cannot be used here: score categories can be read only in total, grades and stages
        when: fit > 10
              ^
`,
	},
	{
		name: "unknown field type and bad default",
		src:  strings.Replace(base, "  email: string\n", "  email: str\n  seats: {type: int, default: many}\n", 1),
		want: `m.yaml:6:10: lead field email has unknown type "str"; expected one of: string, int, float, bool, time, list
      email: str
             ^
m.yaml:7:31: default of seats: want a whole number, got "many"
      seats: {type: int, default: many}
                                  ^
`,
	},
	{
		name: "stages without a sales-ready one, grade without a name",
		src:  strings.Replace(base, "    sales_ready: true\n", "", 1) + "grades:\n  - when: fit > 1\n",
		want: `m.yaml:15:9: no stage is marked sales_ready; mark the hand-off stage both teams agreed on with sales_ready: true
      - id: sql
            ^
m.yaml:18:5: this grade has no name; add grade: A (or B, C...)
      - when: fit > 1
        ^
`,
	},
	{
		name: "YAML syntax error",
		src:  strings.Replace(base, "  title: string", "  title: string\n   oops: [", 1),
		want: `m.yaml:5:4: YAML syntax error: mapping values are not allowed in this context (check the indentation and the colons on this line and the one before)
       oops: [
       ^
`,
	},
	{
		name: "no version, no model, no categories",
		src:  "fields:\n  title: string\nstages:\n  - id: sql\n    sales_ready: true\n    when: true\n",
		want: `m.yaml:1:1: the file does not say its format version; start it with leadscore: 1
    fields:
    ^
m.yaml:1:1: the file does not name its model; add model: followed by a short name such as b2b-saas
    fields:
    ^
m.yaml:1:1: the model declares no score categories; add scores: with at least one, such as fit: {min: 0, max: 100}
    fields:
    ^
`,
	},
	{
		name: "anchors refused",
		src:  strings.Replace(base, "  fit: {min: 0, max: 100}", "  fit: &b {min: 0, max: 100}\n  eng: *b", 1),
		want: `m.yaml:9:8: YAML aliases (*name) and merge keys (<<) are not supported in rule files; write the value out
      eng: *b
           ^
`,
	},
	{
		name: "a field named like a function",
		src:  strings.Replace(base, "  email: string", "  emailDomain: string\n  len: int", 1),
		want: `m.yaml:6:3: field "emailDomain" has the name of a built-in function; rename it
      emailDomain: string
      ^
m.yaml:7:3: field "len" has the name of a built-in function; rename it
      len: int
      ^
`,
	},
	{
		name: "duplicate key in a mapping",
		src:  strings.Replace(base, "    points: 10\n", "    points: 10\n    points: 20\n", 1),
		want: `m.yaml:14:5: a rule has "points" twice; keep one
        points: 20
        ^
`,
	},
	{
		name: "an include in a file read from memory",
		src:  strings.Replace(base, "fields:", "include: [lists.yaml]\nfields:", 1),
		want: `m.yaml:3:11: cannot include "lists.yaml": includes need the rule file to be loaded from a directory
    include: [lists.yaml]
              ^
`,
	},
}

func TestBrokenRuleFiles(t *testing.T) {
	for _, tc := range brokenCases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, render(t, tc.src))
		})
	}
}
