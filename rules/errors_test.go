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

// newcomer is a small valid model with the fields, lists and event types a
// newcomer's first rules use.
const newcomer = `leadscore: 1
model: t
fields:
  job_title: string
  country: string
  employees: int
  created_at: time
event_types: [email_click, demo_request]
lists:
  target_countries: [United States, Canada]
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

// reviewed is the model the hints were reviewed on: every field type, an
// event field, a list and a define; WHEN is the when of rule r1 (line 22,
// column 11).
const reviewed = `leadscore: 1
model: t
fields:
  job_title: string
  country: string
  employees: int
  revenue: float
  created_at: time
  tags: list
events:
  url: string
event_types: [email_click, demo_request]
lists:
  target_countries: [United States, Canada]
define:
  big: employees > 100
scores:
  fit: {min: 0, max: 100}
rules:
  - id: r1
    score: fit
    when: WHEN
    points: 10
stages:
  - id: sql
    sales_ready: true
    when: fit >= 10
`

// onReviewed is reviewed with when as the when of rule r1.
func onReviewed(when string) string { return strings.Replace(reviewed, "WHEN", when, 1) }

// withURL is base with an event field, url.
var withURL = strings.Replace(base, "fields:", "events:\n  url: string\nfields:", 1)

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
		// A misspelt name on the left of matches was not reported: the
		// call that replaces matches hid it from expr's checker.
		name: "misspelt field before matches",
		src:  strings.Replace(base, "when: employees > 10", `when: titel matches "(?i)vp"`, 1),
		want: `m.yaml:12:11: unknown name "titel"; did you mean "title"?
        when: titel matches "(?i)vp"
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
		name: "misspelt builtin function",
		src:  strings.Replace(base, "when: employees > 10", `when: lowr(title) == "cto"`, 1),
		want: `m.yaml:12:11: unknown function "lowr"; did you mean "lower"?
        when: lowr(title) == "cto"
              ^
`,
	},
	{
		name: "misspelt library function",
		src:  strings.Replace(base, "when: employees > 10", `when: emailDomian (email) == "acme.io"`, 1),
		want: `m.yaml:12:11: unknown function "emailDomian"; did you mean "emailDomain"?
        when: emailDomian (email) == "acme.io"
              ^
`,
	},
	{
		name: "unknown function, nothing near",
		src:  strings.Replace(base, "when: employees > 10", `when: frobnicate(title)`, 1),
		want: `m.yaml:12:11: unknown function "frobnicate"; the functions are emailDomain, has, daysSince, events, daysSinceLast and expr's builtins, such as lower, trim, len and hasPrefix
        when: frobnicate(title)
              ^
`,
	},
	{
		name: "stage read in a stage's condition",
		src:  strings.Replace(base, "when: fit >= 10", `when: stage == "mql"`, 1),
		want: `m.yaml:17:11: a stage's condition cannot read the stage: the stage is what the stages decide; compare the scores (fit), the total or the grade instead, such as: total >= 50
        when: stage == "mql"
              ^
`,
	},
	{
		name: "stage read in a rule",
		src:  strings.Replace(base, "when: employees > 10", `when: stage == "mql"`, 1),
		want: `m.yaml:12:11: "stage" cannot be used here: the stage is what the stages decide, last of all, so no rule, define or grade can read it
        when: stage == "mql"
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
m.yaml:15:13: within: bad duration "90days": write 90d; the units are y (years of 365 days), mo (months of 30 days), w (weeks), d (days), h (hours), min (minutes), s (seconds)
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
		want: `m.yaml:9:8: * at the start of a value makes YAML read it as an alias (*b, a reference to the &b anchor), which rule files do not use; write the value out, or put an expression starting with * in quotes
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
		name: "m in a window: minutes or months?",
		src:  strings.Replace(base, "    points: 10\n", "    points: 10\n    event: visit\n    within: 6m\n    decay: {half_life: 1 month}\n", 1),
		want: `m.yaml:15:13: within: bad duration "6m": m could mean minutes or months; write 6mo for months (30 days each) or 6min for minutes
        within: 6m
                ^
m.yaml:16:24: half_life: bad duration "1 month": write the number and its unit together, like 1mo; the units are y (years of 365 days), mo (months of 30 days), w (weeks), d (days), h (hours), min (minutes), s (seconds)
        decay: {half_life: 1 month}
                           ^
`,
	},
	{
		name: "a long unit in an events() window",
		src:  strings.Replace(base, "when: employees > 10", `when: events("visit", "1y") > 0 && events("visit", "3months") > 0`, 1),
		want: `m.yaml:12:56: bad duration "3months": write 3mo; the units are y (years of 365 days), mo (months of 30 days), w (weeks), d (days), h (hours), min (minutes), s (seconds)
        when: events("visit", "1y") > 0 && events("visit", "3months") > 0
                                                           ^
`,
	},
	{
		name: "stages listed best first",
		src: strings.Replace(base, "stages:\n  - id: sql\n    sales_ready: true\n    when: fit >= 10\n",
			"stages:\n  - id: sql\n    sales_ready: true\n    when: fit >= 10\n  - {id: mql, when: fit >= 5}\n  - {id: engaged, when: fit >= 1}\n", 1),
		want: `m.yaml:15:9: stage sql is sales-ready, but mql, engaged come after it; stages are listed from the lowest to the highest (a lead stands on the highest stage that holds), so the sales-ready stage comes last: it looks listed best first, as grades are: reverse the list
      - id: sql
            ^
`,
	},
	{
		name: "a stage above the sales-ready one",
		src:  strings.Replace(base, "stages:\n  - id: sql\n", "stages:\n  - {id: mql, when: fit >= 5}\n  - id: sql\n", 1) + "  - {id: vip, when: fit >= 90}\n",
		want: `m.yaml:16:9: stage sql is sales-ready, but vip comes after it; stages are listed from the lowest to the highest (a lead stands on the highest stage that holds), so the sales-ready stage comes last: move sql to the end
      - id: sql
            ^
`,
	},
	{
		name: "handoff: unknown and gate rules contradicted, a code twice, a lead rule reset, a bad hold",
		src: withEvents + `handoff:
  sla: 48h
  reasons:
    - code: not_decision_maker
      description: The contact cannot buy or sign
      contradicts: [r2]
    - code: not_decision_maker
      contradicts: fitt
    - {code: spam, contradicts: [gate.spam]}
  recycle:
    resets: [r1, e2]
    hold: 30days
`,
		want: `m.yaml:25:21: rejection reason not_decision_maker contradicts unknown rule or score category "r2"; did you mean "r1"?
          contradicts: [r2]
                        ^
m.yaml:26:13: rejection reason "not_decision_maker" is listed twice (first at m.yaml:23:13); give each reason its own code
        - code: not_decision_maker
                ^
m.yaml:27:20: rejection reason not_decision_maker contradicts unknown rule or score category "fitt"; did you mean "fit"?
          contradicts: fitt
                       ^
m.yaml:28:34: rejection reason spam contradicts gate.spam, a gate; a lead a gate stops never reaches sales, so no rejection can contradict it: name the rules or categories that made the lead sales-ready
        - {code: spam, contradicts: [gate.spam]}
                                     ^
m.yaml:30:14: recycle resets r1, which scores who the lead is, not what it did; a recycle resets only events: name an event rule, or a category with event rules such as fit
        resets: [r1, e2]
                 ^
m.yaml:30:18: recycle resets unknown rule or score category "e2"; did you mean "e1"?
        resets: [r1, e2]
                     ^
m.yaml:31:11: hold: bad duration "30days": write 30d; the units are y (years of 365 days), mo (months of 30 days), w (weeks), d (days), h (hours), min (minutes), s (seconds)
        hold: 30days
              ^
`,
	},
	{
		name: "handoff: misspelt keys, a reason without code, an unknown category reset",
		src: withEvents + `handoff:
  sla: 2d
  reasons:
    - code: no_budget
      descripton: No budget this year
    - description: Not this quarter
  recycle:
    resets: fitt
  escalate: 1w
`,
		want: `m.yaml:24:7: unknown key "descripton" in a rejection reason; did you mean "description"?
          descripton: No budget this year
          ^
m.yaml:25:7: this rejection reason has no code; add code: followed by a short name sales will type, such as not_decision_maker
        - description: Not this quarter
          ^
m.yaml:27:13: recycle resets unknown rule or score category "fitt"; did you mean "fit"?
        resets: fitt
                ^
m.yaml:28:3: unknown key "escalate" in handoff; expected one of: sla, reasons, recycle
      escalate: 1w
      ^
`,
	},
	{
		name: "a misspelt nested field",
		src:  strings.Replace(strings.Replace(base, "  email: string", "  email: string\n  company.size: int", 1), "when: employees > 10", "when: company.sise > 10", 1),
		want: `m.yaml:13:19: unknown field "company.sise"; did you mean "company.size"?
        when: company.sise > 10
                      ^
`,
	},
	{
		name: "a group of fields used as a value",
		src:  strings.Replace(strings.Replace(base, "  email: string", "  email: string\n  company.size: int\n  company.name: string", 1), "when: employees > 10", `when: company == "Acme" || has(company)`, 1),
		want: `m.yaml:14:36: has() takes a lead field, and company is a group of fields; name one, such as has(company.size)
        when: company == "Acme" || has(company)
                                       ^
`,
	},
	{
		name: "a type error in a nested field",
		src:  strings.Replace(strings.Replace(base, "  email: string", "  email: string\n  company.size: int", 1), "when: employees > 10", `when: company.size == "big"`, 1),
		want: `m.yaml:13:24: == cannot combine a whole number (int) with text (string); check the field types under fields
        when: company.size == "big"
                           ^
`,
	},
	{
		name: "a field that is also a group, and fields the lead data takes",
		src:  strings.Replace(base, "  email: string", "  email: string\n  company: string\n  company.size: int\n  id: string\n  events: list\n  company.: int", 1),
		want: `m.yaml:8:3: field company.size is nested in company, but company is declared as a string value at m.yaml:7:3; a field is a value or a group of fields, not both: rename one
      company.size: int
      ^
m.yaml:9:3: field "id" is taken: lead data carries the lead's id beside its fields; rename the field, such as crm_id
      id: string
      ^
m.yaml:10:3: field "events" has the name of a built-in function; rename it
      events: list
      ^
m.yaml:11:3: lead field "company." is not a valid name: use letters, digits and _, starting with a letter, and dots for a nested field such as company.size
      company.: int
      ^
`,
	},
	{
		name: "a misspelt nested event field",
		src: strings.Replace(strings.Replace(base, "fields:", "events:\n  utm.source: string\nfields:", 1),
			"    when: employees > 10\n", "    event: visit\n    when: event.utm.sorce == \"ads\" || event.utm == \"x\"\n", 1),
		want: `m.yaml:15:21: unknown event field "utm.sorce"; did you mean "utm.source"?
        when: event.utm.sorce == "ads" || event.utm == "x"
                        ^
m.yaml:15:45: event.utm is a group of fields, not a value: name one of them, such as event.utm.source
        when: event.utm.sorce == "ads" || event.utm == "x"
                                                ^
`,
	},
	{
		name: "a single = to compare",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'employees = 50'`, 1),
		want: `m.yaml:14:22: a single = does not compare; write == for is equal to (and != for is not equal to)
        when: 'employees = 50'
                         ^
`,
	},
	{
		name: "AND in capitals",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'employees >= 30 AND title == "CTO"'`, 1),
		want: `m.yaml:14:28: write and (or &&) in lower case to join two conditions
        when: 'employees >= 30 AND title == "CTO"'
                               ^
`,
	},
	{
		name: "OR and NOT in capitals",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'NOT (employees > 5) OR title == "CTO"'`, 1),
		want: `m.yaml:14:32: write or (or ||) in lower case for either of two conditions
        when: 'NOT (employees > 5) OR title == "CTO"'
                                   ^
`,
	},
	{
		name: "spreadsheet operators",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'employees => 5 && employees =< 500 && title <> "CEO"'`, 1),
		want: `m.yaml:14:22: => is not an operator; write >= for at least
        when: 'employees => 5 && employees =< 500 && title <> "CEO"'
                         ^
`,
	},
	{
		name: "a number with a unit",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'employees >= 1M'`, 1),
		want: `m.yaml:14:26: write numbers in full: 1000000 for 1M
        when: 'employees >= 1M'
                             ^
`,
	},
	{
		name: "a number with a thousands separator",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'employees >= 1,000'`, 1),
		want: `m.yaml:14:26: write numbers without thousands separators: 1000, not 1,000
        when: 'employees >= 1,000'
                             ^
`,
	},
	{
		name: "a number in quotes",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'employees >= "100000"'`, 1),
		want: `m.yaml:14:22: "100000" is text, because of its quotes, and cannot be compared with a number; drop the quotes: 100000
        when: 'employees >= "100000"'
                         ^
`,
	},
	{
		name: "an event field in a lead rule",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'url contains "/pricing"'`, 1),
		want: `m.yaml:14:12: url is an event field, not a lead field: read it in an event rule (add event: and the event type) as event.url, or count events with events("type", "30d")
        when: 'url contains "/pricing"'
               ^
`,
	},
	{
		name: "a condition that stops too soon",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'employees > 5 &&'`, 1),
		want: `m.yaml:14:27: the condition stops too soon: something is missing at its end (a comparison after && or ||, a closing bracket or quote)
        when: 'employees > 5 &&'
                              ^
`,
	},
	{
		name: "a list in round brackets",
		src:  strings.Replace(withURL, "when: employees > 10", `when: 'title in ("CEO", "CTO")'`, 1),
		want: `m.yaml:14:27: write a list in square brackets: in ["US", "CA"], or name a list declared under lists
        when: 'title in ("CEO", "CTO")'
                              ^
`,
	},
	{
		name: "decay given as a duration",
		src:  strings.Replace(base, "    points: 10\n", "    points: 10\n    event: visit\n    decay: 7d\n", 1),
		want: `m.yaml:15:12: decay takes a half-life: write decay: {half_life: 7d}
        decay: 7d
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
	{
		name: "$env refused in every form",
		src:  strings.Replace(base, "when: employees > 10", `when: $env["__frame"] != nil && get($env, "title") == "x"`, 1),
		want: `m.yaml:12:11: $env is not available in rules; name the field, list or define itself, such as employees
        when: $env["__frame"] != nil && get($env, "title") == "x"
              ^
m.yaml:12:41: $env is not available in rules; name the field, list or define itself, such as employees
        when: $env["__frame"] != nil && get($env, "title") == "x"
                                            ^
`,
	},
	{
		name: "names reserved for the compiler",
		src:  strings.Replace(base, "when: employees > 10", `when: let __n = 1; title.__frame == nil`, 1),
		want: `m.yaml:12:15: names starting with __ are reserved; rename "__n"
        when: let __n = 1; title.__frame == nil
                  ^
m.yaml:12:30: names starting with __ are reserved; rename "__frame"
        when: let __n = 1; title.__frame == nil
                                 ^
`,
	},
	{
		name: "predicates nested too deep",
		src:  strings.Replace(base, "when: employees > 10", `when: any(split(title, " "), {all(split(#, "-"), {any(split(#, ""), {# == "x"})})})`, 1),
		want: `m.yaml:12:11: predicates nested 3 deep (any inside all inside any); at most 2 may nest (Limits.MaxNesting), as each level multiplies the work for every lead: move the inner part into a define, or loop over a shorter list
        when: any(split(title, " "), {all(split(#, "-"), {any(split(#, ""), {# == "x"})})})
              ^
`,
	},
	{
		name: "a constant range too long",
		src:  strings.Replace(base, "when: employees > 10", `when: employees in 1..(1000 * 1000) && len(0..20000) > 1`, 1),
		want: `m.yaml:12:25: this range has 1000000 numbers, more than the 10000 a range may have (Limits.MaxRange); to test a number use a comparison, such as x >= 1 && x <= 100
        when: employees in 1..(1000 * 1000) && len(0..20000) > 1
                            ^
m.yaml:12:49: this range has 20001 numbers, more than the 10000 a range may have (Limits.MaxRange); to test a number use a comparison, such as x >= 1 && x <= 100
        when: employees in 1..(1000 * 1000) && len(0..20000) > 1
                                                    ^
`,
	},
	{
		name: "matches with a pattern not in quotes",
		src:  strings.Replace(base, "when: employees > 10", `when: title matches email`, 1),
		want: `m.yaml:12:25: matches needs its pattern written in quotes, such as title matches "(?i)\\bvp\\b"; a pattern read from the lead or built here would be compiled again for every lead
        when: title matches email
                            ^
`,
	},
	{
		name: "reduce building a text, replace of nothing",
		src:  strings.Replace(base, "when: employees > 10", `when: 'reduce(split(title, " "), #acc + #, "") != replace(title, "", "-")'`, 1),
		want: `m.yaml:12:12: reduce() can add up numbers or decide true or false, not build a text or a list: each step would copy every step before it; to join texts use join(list, ", ")
        when: 'reduce(split(title, " "), #acc + #, "") != replace(title, "", "-")'
               ^
m.yaml:12:70: replace() needs the text to look for; an empty one would put the new text between every two characters
        when: 'reduce(split(title, " "), #acc + #, "") != replace(title, "", "-")'
                                                                         ^
`,
	},
	{
		name: "division and remainder by a constant zero",
		src:  strings.Replace(base, "when: employees > 10", `when: employees / 0 > 1 || employees % (2 - 2) == 1`, 1),
		want: `m.yaml:12:23: this divides by zero, which gives no number; divide by something other than 0
        when: employees / 0 > 1 || employees % (2 - 2) == 1
                          ^
m.yaml:12:47: this takes the remainder of a division by zero, which has none; use a number other than 0
        when: employees / 0 > 1 || employees % (2 - 2) == 1
                                                  ^
`,
	},

	// What a newcomer wrote in their first hour (issue 33), on newcomer.
	{
		name: "or with a value, not a condition",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: job_title == "Analyst" or "Data Engineer"`, 1),
		want: `m.yaml:16:34: or joins two conditions, each true or false, and "Data Engineer" is text (string), not a condition; to match any of several values, write job_title in ["Analyst", "Data Engineer"]
        when: job_title == "Analyst" or "Data Engineer"
                                     ^
`,
	},
	{
		name: "|| after several equalities",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: job_title == "A" || job_title == "B" || "C"`, 1),
		want: `m.yaml:16:48: || joins two conditions, each true or false, and "C" is text (string), not a condition; to match any of several values, write job_title in ["A", "B", "C"]
        when: job_title == "A" || job_title == "B" || "C"
                                                   ^
`,
	},
	{
		name: "and with a value",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: job_title == "Analyst" and "Data Engineer"`, 1),
		want: `m.yaml:16:34: and joins two conditions, each true or false, and "Data Engineer" is text (string), not a condition; job_title holds one value, so it never equals both "Analyst" and "Data Engineer": to match either, write job_title in ["Analyst", "Data Engineer"]
        when: job_title == "Analyst" and "Data Engineer"
                                     ^
`,
	},
	{
		name: "or with a field of text",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: job_title or employees > 10`, 1),
		want: `m.yaml:16:21: or joins two conditions, each true or false, and job_title is text (string), not a condition; to test that it has a value, write job_title != ""
        when: job_title or employees > 10
                        ^
`,
	},
	{
		name: "in with a text of several values",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: country in "United States, Canada"`, 1),
		want: `m.yaml:16:19: in looks for a value in a list, and "United States, Canada" is one piece of text; write a list in square brackets: country in ["United States", "Canada"], or name a list declared under lists
        when: country in "United States, Canada"
                      ^
`,
	},
	{
		name: "in with one value as text",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: country in "Canada"`, 1),
		want: `m.yaml:16:19: in looks for a value in a list, and "Canada" is one piece of text; write a list in square brackets: country in ["Canada"] (or compare: country == "Canada"), or name a list declared under lists
        when: country in "Canada"
                      ^
`,
	},
	{
		name: "in with a text field",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: country in job_title`, 1),
		want: `m.yaml:16:19: in looks for a value in a list, and job_title is text (string); to look for text within text, write job_title contains country
        when: country in job_title
                      ^
`,
	},
	{
		name: "a time compared with a date in quotes",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: created_at < "2026-08-01"`, 1),
		want: `m.yaml:16:22: < cannot compare a time with text: created_at is a time and "2026-08-01" is text; write a date as date("2026-08-01"): created_at < date("2026-08-01") is true when created_at is before 2026-08-01; or count days: daysSince(created_at) > 30 is true when created_at is more than 30 days before the time scored, daysSince(created_at) <= 30 when it is within the last 30 days
        when: created_at < "2026-08-01"
                         ^
`,
	},
	{
		name: "a time equal to text",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: created_at == "last week"`, 1),
		want: `m.yaml:16:22: == cannot compare a time with text: created_at is a time and "last week" is text; write a date as date("2026-08-01"): created_at >= date("2026-08-01") is true when created_at is at or after 2026-08-01 (a time equals a date only at that very second); or count days: daysSince(created_at) > 30 is true when created_at is more than 30 days before the time scored, daysSince(created_at) <= 30 when it is within the last 30 days
        when: created_at == "last week"
                         ^
`,
	},
	{
		name: "a time compared with a number of days",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: created_at > 30`, 1),
		want: `m.yaml:16:22: > cannot compare a time with a number: created_at is a time and 30 is a number; to count days, use daysSince: daysSince(created_at) > 30 is true when created_at is more than 30 days before the time scored, daysSince(created_at) <= 30 when it is within the last 30 days; or compare with a date: created_at > date("2026-08-01") is true when created_at is after 2026-08-01
        when: created_at > 30
                         ^
`,
	},
	{
		name: "date() with a bad date",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: created_at < date("2026-13-01")`, 1),
		want: `m.yaml:16:29: date() takes a date such as "2026-08-01" (year-month-day), or a date and time such as "2026-08-01T09:30:00Z"; "2026-13-01" is not one
        when: created_at < date("2026-13-01")
                                ^
`,
	},
	{
		name: "matches with a pattern not quoted",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: job_title matches (?i)seeking`, 1),
		want: `m.yaml:16:30: matches needs its pattern in quotes: job_title matches "(?i)seeking"
        when: job_title matches (?i)seeking
                                 ^
`,
	},
	{
		name: "contains with text not quoted",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: lower(job_title) contains vp`, 1),
		want: `m.yaml:16:37: contains needs its text in quotes: lower(job_title) contains "vp"
        when: lower(job_title) contains vp
                                        ^
`,
	},
	{
		name: "unknown event type, the start of one",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: events("demo", "30d") > 0`, 1),
		want: `m.yaml:16:18: unknown event type "demo"; did you mean "demo_request"?
        when: events("demo", "30d") > 0
                     ^
`,
	},
	{
		name: "unknown name, the end of a field's name",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: title contains "VP"`, 1),
		want: `m.yaml:16:11: unknown name "title"; did you mean "job_title"?
        when: title contains "VP"
              ^
`,
	},
	{
		name: "unknown function, misspelt",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: lowr(job_title) == "vp"`, 1),
		want: `m.yaml:16:11: unknown function "lowr"; did you mean "lower"?
        when: lowr(job_title) == "vp"
              ^
`,
	},
	{
		name: "operator word misspelt",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: job_title endswith "Manager"`, 1),
		want: `m.yaml:16:21: "endswith" is not an operator; did you mean "endsWith"?
        when: job_title endswith "Manager"
                        ^
`,
	},
	{
		name: "like is not an operator",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: job_title like "VP"`, 1),
		want: `m.yaml:16:21: like is not an operator; to find text within text write contains (or startsWith, endsWith, or matches for a pattern), such as: job_title contains "VP"
        when: job_title like "VP"
                        ^
`,
	},
	{
		name: "unknown list, the end of a list's name",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: country in target_country`, 1),
		want: `m.yaml:16:22: unknown name "target_country"; did you mean "target_countries"?
        when: country in target_country
                         ^
`,
	},
	{
		name: "in with an int",
		src:  strings.Replace(newcomer, "when: employees > 10", `when: country in employees`, 1),
		want: `m.yaml:16:19: in looks for a value in a list, and employees is a whole number (int); name a list declared under lists, or write one in square brackets, such as: country in ["US", "CA"]
        when: country in employees
                      ^
`,
	},
	{
		name: "two stages marked sales_ready, the first before the last",
		src: `leadscore: 1
model: t
fields:
  job_title: string
scores:
  fit: {min: 0, max: 100}
rules:
  - id: r1
    score: fit
    when: job_title == "VP"
    points: 10
stages:
  - id: mql
    sales_ready: true
    when: fit >= 10
  - id: sql
    sales_ready: true
    when: fit >= 50
`,
		want: `m.yaml:16:9: stages mql and sql are both marked sales_ready, and only one stage can be the hand-off to sales; keep sales_ready: true on the one both teams agreed on (usually the last) and remove it from the other
      - id: sql
            ^
`,
	},
	{
		name: "a field named in words, and rules that use its name",
		src:  strings.Replace(strings.Replace(newcomer, "  job_title: string", "  Job Title: string", 1), "when: employees > 10", `when: job_title contains "VP" || jobtitle == "x"`, 1),
		want: `m.yaml:4:3: lead field "Job Title" is not a valid name: use letters, digits and _, starting with a letter, and dots for a nested field such as company.size; rename it job_title
      Job Title: string
      ^
m.yaml:16:11: unknown name "job_title": the field is declared as "Job Title", which is not a valid name; rename it job_title under fields
        when: job_title contains "VP" || jobtitle == "x"
              ^
`,
	},

	// What a hostile reviewer tried on the hints (issue 33), on reviewed.
	{
		name: "a misspelt name after contains is a misspelt name",
		src:  onReviewed(`job_title contains contry`),
		want: `m.yaml:22:30: unknown name "contry"; did you mean "country"?
        when: job_title contains contry
                                 ^
`,
	},
	{
		name: "a misspelt function after contains",
		src:  onReviewed(`job_title contains lowr(country)`),
		want: `m.yaml:22:30: unknown function "lowr"; did you mean "lower"?
        when: job_title contains lowr(country)
                                 ^
`,
	},
	{
		name: "a misspelt name in a call after contains",
		src:  onReviewed(`lower(job_title) contains lower(contry)`),
		want: `m.yaml:22:43: unknown name "contry"; did you mean "country"?
        when: lower(job_title) contains lower(contry)
                                              ^
`,
	},
	{
		name: "a bare word after contains, and more after it: only the word is quoted",
		src:  onReviewed(`job_title contains VP == true`),
		want: `m.yaml:22:30: contains needs its text in quotes: job_title contains "VP"
        when: job_title contains VP == true
                                 ^
`,
	},
	{
		name: "contains with a bare word inside not (...)",
		src:  onReviewed(`not (job_title contains VP)`),
		want: `m.yaml:22:35: contains needs its text in quotes: job_title contains "VP"
        when: not (job_title contains VP)
                                      ^
`,
	},
	{
		name: "not contains with a bare word keeps the field and the not",
		src:  onReviewed(`job_title not contains VP`),
		want: `m.yaml:22:34: contains needs its text in quotes: job_title not contains "VP"
        when: job_title not contains VP
                                     ^
`,
	},
	{
		name: "a time on the right of a date in quotes: the operator turns",
		src:  onReviewed(`'"2026-08-01" > created_at'`),
		want: `m.yaml:22:25: > cannot compare a time with text: created_at is a time and "2026-08-01" is text; write a date as date("2026-08-01"): created_at < date("2026-08-01") is true when created_at is before 2026-08-01; or count days: daysSince(created_at) > 30 is true when created_at is more than 30 days before the time scored, daysSince(created_at) <= 30 when it is within the last 30 days
        when: '"2026-08-01" > created_at'
                            ^
`,
	},
	{
		name: "a number of days on the left of a time",
		src:  onReviewed(`30 < created_at`),
		want: `m.yaml:22:14: < cannot compare a time with a number: created_at is a time and 30 is a number; to count days, use daysSince: daysSince(created_at) > 30 is true when created_at is more than 30 days before the time scored, daysSince(created_at) <= 30 when it is within the last 30 days; or compare with a date: created_at > date("2026-08-01") is true when created_at is after 2026-08-01
        when: 30 < created_at
                 ^
`,
	},
	{
		name: "not in with a text of several values keeps the not",
		src:  onReviewed(`country not in "United States, Canada"`),
		want: `m.yaml:22:23: not in looks for a value in a list, and "United States, Canada" is one piece of text; write a list in square brackets: country not in ["United States", "Canada"], or name a list declared under lists
        when: country not in "United States, Canada"
                          ^
`,
	},
	{
		name: "not in with a number",
		src:  onReviewed(`employees not in 5`),
		want: `m.yaml:22:25: not in looks for a value in a list, and 5 is one number; compare: employees != 5
        when: employees not in 5
                            ^
`,
	},
	{
		name: "or with a whole number",
		src:  onReviewed(`employees or big`),
		want: `m.yaml:22:21: or joins two conditions, each true or false, and employees is a whole number (int), not a condition; to test that it has a value, write employees > 0
        when: employees or big
                        ^
`,
	},
	{
		name: "or with a float",
		src:  onReviewed(`revenue or big`),
		want: `m.yaml:22:19: or joins two conditions, each true or false, and revenue is a number (float), not a condition; to test that it has a value, write revenue > 0
        when: revenue or big
                      ^
`,
	},
	{
		name: "or with a list field",
		src:  onReviewed(`tags or big`),
		want: `m.yaml:22:16: or joins two conditions, each true or false, and tags is a list (list), not a condition; to test that it has a value, write len(tags) > 0
        when: tags or big
                   ^
`,
	},
	{
		name: "or with a time field",
		src:  onReviewed(`created_at or big`),
		want: `m.yaml:22:22: or joins two conditions, each true or false, and created_at is a time (time), not a condition; to test that it has a value, write has(created_at)
        when: created_at or big
                         ^
`,
	},
	{
		name: "or with a negative number",
		src:  onReviewed(`job_title == "A" or -5`),
		want: `m.yaml:22:28: or joins two conditions, each true or false, and -5 is a whole number (int), not a condition
        when: job_title == "A" or -5
                               ^
`,
	},
	{
		name: "or with nil",
		src:  onReviewed(`job_title == "A" or nil`),
		want: `m.yaml:22:28: or joins two conditions, each true or false, and nil is no value at all, not a condition
        when: job_title == "A" or nil
                               ^
`,
	},
	{
		name: "in with numbers in a text",
		src:  onReviewed(`employees in "10, 20"`),
		want: `m.yaml:22:21: in looks for a value in a list, and "10, 20" is one piece of text, and employees is a whole number (int); write a list of numbers in square brackets, without quotes: employees in [10, 20]
        when: employees in "10, 20"
                        ^
`,
	},
	{
		name: "in with one number",
		src:  onReviewed(`employees in 10`),
		want: `m.yaml:22:21: in looks for a value in a list, and 10 is one number; compare: employees == 10
        when: employees in 10
                        ^
`,
	},
	{
		name: "a list field in a text",
		src:  onReviewed(`tags in "a,b"`),
		want: `m.yaml:22:16: in looks for the value on its left in the list on its right, and tags is a list; to ask whether it holds any of these, write any(tags, {# in ["a", "b"]})
        when: tags in "a,b"
                   ^
`,
	},
	{
		name: "a condition in a text",
		src:  onReviewed(`big in "x"`),
		want: `m.yaml:22:15: in looks for a value in a list, and "x" is one piece of text, and big is true or false (bool), not a value to look up; write big alone for it being true
        when: big in "x"
                  ^
`,
	},
	{
		name: "a list in a text",
		src:  onReviewed(`target_countries in "x"`),
		want: `m.yaml:22:28: in looks for the value on its left in the list on its right, and target_countries is a list; to ask whether it holds "x", write any(target_countries, {# == "x"})
        when: target_countries in "x"
                               ^
`,
	},
	{
		name: "or after in a list: compare the same field",
		src:  onReviewed(`country in target_countries or "US"`),
		want: `m.yaml:22:39: or joins two conditions, each true or false, and "US" is text (string), not a condition; compare it too, such as: country == "US"
        when: country in target_countries or "US"
                                          ^
`,
	},
	{
		name: "and after != joins none of the values",
		src:  onReviewed(`job_title != "A" and "B"`),
		want: `m.yaml:22:28: and joins two conditions, each true or false, and "B" is text (string), not a condition; to match none of several values, write job_title not in ["A", "B"]
        when: job_title != "A" and "B"
                               ^
`,
	},
	{
		name: "date() with a number",
		src:  onReviewed(`date(5) < created_at`),
		want: `m.yaml:22:16: date() takes its date as text, such as date("2026-08-01"); 5 is not text (to compare a time field with a date, name the field: created_at < date("2026-08-01"); to count days, daysSince(created_at) > 30)
        when: date(5) < created_at
                   ^
`,
	},
	{
		name: "date() with a layout that does not read the date",
		src:  onReviewed(`created_at < date("2026-08-01", "bad layout")`),
		want: `m.yaml:22:43: date()'s layout "bad layout" does not read "2026-08-01"; a layout writes Go's reference time, Mon Jan 2 15:04:05 2006, the way the date is written, such as "2006-01-02" or "02/01/2006 15:04"
        when: created_at < date("2026-08-01", "bad layout")
                                              ^
`,
	},
	{
		name: "date() with a zone that is none",
		src:  onReviewed(`created_at < date("2026-08-01", "2006-01-02", "Mars/Base")`),
		want: `m.yaml:22:57: date()'s time zone "Mars/Base" is not an IANA time zone; write it as Area/City, such as America/New_York, Europe/London or UTC
        when: created_at < date("2026-08-01", "2006-01-02", "Mars/Base")
                                                            ^
`,
	},
	{
		name: "date() with a zone abbreviation",
		src:  onReviewed(`created_at < date("2026-08-01 09:30", "2006-01-02 15:04", "EST")`),
		want: `m.yaml:22:69: date()'s time zone "EST" is not a place: abbreviations and fixed offsets (EST, CET, Etc/GMT+5) keep one offset all year where the place changes its clocks; name the place as Area/City, such as America/New_York or Europe/Berlin, or write UTC
        when: created_at < date("2026-08-01 09:30", "2006-01-02 15:04", "EST")
                                                                        ^
`,
	},
	{
		name: "date() with an abbreviation in the date",
		src:  onReviewed(`created_at < date("01 Aug 26 09:30 PST")`),
		want: `m.yaml:22:29: date("01 Aug 26 09:30 PST") names its zone by an abbreviation, PST, and abbreviations are ambiguous (CST is Chicago, China or Cuba) and read machine by machine, most as UTC; write the offset, such as "2026-08-01T09:30:00-08:00", or the time in UTC
        when: created_at < date("01 Aug 26 09:30 PST")
                                ^
`,
	},
	{
		name: "date() with an abbreviation in the layout",
		src:  onReviewed(`created_at < date("2026-08-01 09:30 PST", "2006-01-02 15:04 MST")`),
		want: `m.yaml:22:53: date()'s layout "2006-01-02 15:04 MST" reads a zone abbreviation (MST), and abbreviations are ambiguous (CST is Chicago, China or Cuba) and read machine by machine, most as UTC: use a numeric offset, such as "2006-01-02 15:04 -07:00", or leave the zone out and name the place as the third argument, such as "America/New_York"
        when: created_at < date("2026-08-01 09:30 PST", "2006-01-02 15:04 MST")
                                                        ^
`,
	},
	{
		name: "date() reading a number field",
		src:  onReviewed(`created_at < date(employees)`),
		want: `m.yaml:22:29: date() takes its date as text, such as date("2026-08-01"); employees is not text (to compare a time field with a date, name the field: created_at < date("2026-08-01"); to count days, daysSince(created_at) > 30)
        when: created_at < date(employees)
                                ^
`,
	},
	{
		name: "is for ==",
		src:  onReviewed(`job_title is "VP"`),
		want: `m.yaml:22:21: "is" is not an operator; write == for is equal to, such as: job_title == "VP" (and != for is not equal to)
        when: job_title is "VP"
                        ^
`,
	},
	{
		name: "is not for !=",
		src:  onReviewed(`job_title is not "VP"`),
		want: `m.yaml:22:21: "is" is not an operator; write != for is not equal to, such as: job_title != "VP"
        when: job_title is not "VP"
                        ^
`,
	},
	{
		name: "not_in for not in",
		src:  onReviewed(`country not_in target_countries`),
		want: `m.yaml:22:19: "not_in" is not an operator; write not in, two words, for a value not in a list, such as: country not in target_countries
        when: country not_in target_countries
                      ^
`,
	},
	{
		name: "nin is not in, not in",
		src:  onReviewed(`country nin target_countries`),
		want: `m.yaml:22:19: "nin" is not an operator; write not in, two words, for a value not in a list, such as: country not in target_countries
        when: country nin target_countries
                      ^
`,
	},
	{
		name: "notin for not in",
		src:  onReviewed(`country notin target_countries`),
		want: `m.yaml:22:19: "notin" is not an operator; write not in, two words, for a value not in a list, such as: country not in target_countries
        when: country notin target_countries
                      ^
`,
	},
	{
		name: "xor is not or",
		src:  onReviewed(`big xor big`),
		want: `m.yaml:22:15: "xor" is not an operator: write or for either of two conditions (or both), and a != b for exactly one of two conditions
        when: big xor big
                  ^
`,
	},
	{
		name: "NOT in capitals before a name",
		src:  onReviewed(`NOT big`),
		want: `m.yaml:22:15: write not (or !) in lower case to negate a condition, such as: not big
        when: NOT big
                  ^
`,
	},
	{
		name: "Not capitalised",
		src:  onReviewed(`Not big`),
		want: `m.yaml:22:15: write not (or !) in lower case to negate a condition, such as: not big
        when: Not big
                  ^
`,
	},
	{
		name: "has for contains",
		src:  onReviewed(`job_title has "VP"`),
		want: `m.yaml:22:21: "has" is not an operator; write contains for text within text, such as: job_title contains "VP"
        when: job_title has "VP"
                        ^
`,
	},
	{
		name: "includes for contains",
		src:  onReviewed(`job_title includes "VP"`),
		want: `m.yaml:22:21: "includes" is not an operator; write contains for text within text, such as: job_title contains "VP"
        when: job_title includes "VP"
                        ^
`,
	},
	{
		name: "an operator word misspelt, three letters",
		src:  onReviewed(`big adn employees > 5`),
		want: `m.yaml:22:15: "adn" is not an operator; did you mean "and"?
        when: big adn employees > 5
                  ^
`,
	},
	{
		name: "a pattern in brackets not quoted",
		src:  onReviewed(`job_title matches (vp|director)`),
		want: `m.yaml:22:41: matches needs its pattern in quotes: job_title matches "(vp|director)"
        when: job_title matches (vp|director)
                                            ^
`,
	},
	{
		name: "a pattern with backslashes not quoted",
		src:  onReviewed(`job_title matches \bvp\b`),
		want: `m.yaml:22:29: matches needs its pattern in quotes: job_title matches "\\bvp\\b" (in quotes, \ is written \\)
        when: job_title matches \bvp\b
                                ^
`,
	},
	{
		name: "a name with dashes",
		src:  onReviewed(`job-title == "x"`),
		want: `m.yaml:22:11: unknown name "job-title": a - between words is read as minus (job minus title); write job_title
        when: job-title == "x"
              ^
`,
	},
	{
		name: "a name compared with a value is not offered a list",
		src:  onReviewed(`target == "US"`),
		want: `m.yaml:22:11: unknown name "target"; declare it under fields, lists or define
        when: target == "US"
              ^
`,
	},
	{
		name: "a name in a list is offered one",
		src:  onReviewed(`country in target_countrie`),
		want: `m.yaml:22:22: unknown name "target_countrie"; did you mean "target_countries"?
        when: country in target_countrie
                         ^
`,
	},
	{
		name: "has() of a field declared in words",
		src:  strings.Replace(onReviewed(`has(job_title)`), "  job_title: string", "  Job Title: string", 1),
		want: `m.yaml:4:3: lead field "Job Title" is not a valid name: use letters, digits and _, starting with a letter, and dots for a nested field such as company.size; rename it job_title
      Job Title: string
      ^
m.yaml:22:15: has() takes a lead field, and "job_title" is not one: the field is declared as "Job Title", which is not a valid name; rename it job_title under fields
        when: has(job_title)
                  ^
`,
	},
	{
		name: "a misspelt field declared in words",
		src:  strings.Replace(onReviewed(`jobtitle == "x"`), "  job_title: string", "  Job Title: string", 1),
		want: `m.yaml:4:3: lead field "Job Title" is not a valid name: use letters, digits and _, starting with a letter, and dots for a nested field such as company.size; rename it job_title
      Job Title: string
      ^
m.yaml:22:11: unknown name "jobtitle": the field is declared as "Job Title", which is not a valid name; rename it job_title under fields, and write job_title
        when: jobtitle == "x"
              ^
`,
	},
	{
		name: "a list declared in words",
		src:  strings.Replace(onReviewed(`country in target_countries`), "  target_countries:", "  Target Countries:", 1),
		want: `m.yaml:14:3: list "Target Countries" is not a valid name: use letters, digits and _, starting with a letter; rename it target_countries
      Target Countries: [United States, Canada]
      ^
m.yaml:22:22: unknown name "target_countries": the list is declared as "Target Countries", which is not a valid name; rename it target_countries under lists
        when: country in target_countries
                         ^
`,
	},
	{
		name: "a define declared in words",
		src:  strings.Replace(onReviewed(`big_co`), "  big: employees", "  Big Co: employees", 1),
		want: `m.yaml:16:3: define "Big Co" is not a valid name: use letters, digits and _, starting with a letter; rename it big_co
      Big Co: employees > 100
      ^
m.yaml:22:11: unknown name "big_co": the define is declared as "Big Co", which is not a valid name; rename it big_co under define
        when: big_co
              ^
`,
	},
	{
		name: "an event field declared in words",
		src:  strings.Replace(strings.Replace(onReviewed(`event.page_url contains "x"`), "  url: string", "  Page URL: string", 1), "    when: event", "    event: email_click\n    when: event", 1),
		want: `m.yaml:11:3: event field "Page URL" is not a valid name: use letters, digits and _, starting with a letter, and dots for a nested field such as company.size; rename it page_url
      Page URL: string
      ^
m.yaml:23:17: unknown event field "page_url": the event field is declared as "Page URL", which is not a valid name; rename it page_url under events
        when: event.page_url contains "x"
                    ^
`,
	},
	{
		name: "a plain expression over two lines, a colon on the first",
		src:  onReviewed("job_title == \"VP: x\" and\n      employees > 10"),
		want: `m.yaml:22:27: a colon followed by a space starts a new key in YAML, so YAML cannot read this expression, which runs over 2 lines (22 to 23); write it as a block: when: > and the expression on the lines below it, indented, which YAML joins as it did these lines
        when: job_title == "VP: x" and
                              ^
`,
	},
	{
		name: "a plain expression over three lines, a colon on the last",
		src:  onReviewed("job_title == \"x\" and\n      employees > 10 or\n      job_title == \"VP: y\""),
		want: `m.yaml:24:23: a colon followed by a space starts a new key in YAML, so YAML cannot read this expression, which runs over 3 lines (22 to 24); write it as a block: when: > and the expression on the lines below it, indented, which YAML joins as it did these lines
          job_title == "VP: y"
                          ^
`,
	},
	{
		name: "a pattern in square brackets not quoted",
		src:  onReviewed(`job_title matches [a-z]+`),
		want: `m.yaml:22:34: matches needs its pattern in quotes: job_title matches "[a-z]+"
        when: job_title matches [a-z]+
                                     ^
`,
	},
	{
		name: "is with a bare word: the word is text",
		src:  onReviewed(`job_title is VP`),
		want: `m.yaml:22:21: "is" is not an operator; write == for is equal to, such as: job_title == "VP" (and != for is not equal to)
        when: job_title is VP
                        ^
`,
	},
	{
		name: "a time compared with a year",
		src:  onReviewed(`created_at >= 2026`),
		want: `m.yaml:22:22: >= cannot compare a time with a number: created_at is a time and 2026 is a number; to compare with the start of the year 2026, write a date: created_at >= date("2026-01-01") is true when created_at is at or after 2026-01-01; or count days with daysSince, such as daysSince(created_at) > 30, true when created_at is more than 30 days before the time scored
        when: created_at >= 2026
                         ^
`,
	},
	{
		name: "or after a comparison: the same field, the same operator",
		src:  onReviewed(`employees > 10 or 20`),
		want: `m.yaml:22:26: or joins two conditions, each true or false, and 20 is a whole number (int), not a condition; compare it too, such as: employees > 20
        when: employees > 10 or 20
                             ^
`,
	},
	{
		name: "a list field looked for in a text field",
		src:  onReviewed(`tags in job_title`),
		want: `m.yaml:22:16: in looks for the value on its left in the list on its right, and tags is a list: write job_title in tags
        when: tags in job_title
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
