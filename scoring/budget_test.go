package scoring_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// budgetModel is hostile's model with a list field, for rules that loop
// over a long list.
func budgetModel(when string) string {
	return strings.Replace(hostile("n: 1", when), "  employees: int\n", "  employees: int\n  tech: list\n", 1)
}

// bigLead has a 1 MB title (half of it the letter a) and 100,000 tools.
func bigLead() scoring.Lead {
	tech := make([]string, 100_000)
	for i := range tech {
		tech[i] = fmt.Sprintf("tool-%d", i)
	}
	return scoring.Lead{ID: "big", Fields: map[string]any{"title": strings.Repeat("ab", 1<<19), "employees": 10, "tech": tech}}
}

// Every budget holds before the memory or the time is spent: each of these
// rules passes check --strict, and for the big lead would build gigabytes
// or run for minutes; instead the lead fails with the limit it reached,
// having allocated a few megabytes at most, and the next lead is scored.
func TestBudgetsHoldBeforeMemoryIsSpent(t *testing.T) {
	cases := []struct{ when, limit string }{
		{`len(replace(title, "a", title)) > 0`, "text"},
		{`len(replace(replace(title, "a", "bb"), "b", title)) > 0`, "text"},
		{`len(join([title, title], ",")) > 0`, "text"},
		{`len(toJSON([title, title])) > 0`, "text"},
		{`len(string([title, title])) > 0`, "text"},
		{`len(toJSON(tech)) > 0`, "text"},
		{`len(string([tech, tech])) > 0`, "text"},
		{`len(concat(tech, tech, tech, tech, tech, tech, tech, tech, tech, tech, tech)) > 0`, "text"},
		{`len(flatten([tech, tech, tech, tech, tech, tech, tech, tech, tech, tech, tech])) > 0`, "text"},
		// A predicate that reads a whole text or list pays for it each time
		// it runs: these reach the steps before the texts they build.
		{`len(join(map(1..10000, {title}), ",")) > 0`, "steps"},
		{`len(toJSON(map(1..10000, {title}))) > 0`, "steps"},
		{`len(string(map(1..10000, {title}))) > 0`, "steps"},
		{`len(toJSON(map(1..10000, {tech}))) > 0`, "steps"},
		{`len(flatten(map(1..10000, {tech}))) > 0`, "steps"},
		{`len(split(title + title, "")) > 0`, "text"},
		{`count(tech, {(# + "x") in tech}) > 0`, "steps"},
		{`none(tech, {title contains (# + "z")})`, "steps"},
		{`any(tech, {title matches "b[a-z]+z"})`, "steps"},
		{`title matches "\\w{1000}z"`, "steps"},
	}
	lead := bigLead()
	for _, tc := range cases {
		t.Run(tc.when, func(t *testing.T) {
			m, err := rules.CompileBytes("m.yaml", []byte(budgetModel(tc.when)))
			require.NoError(t, err)
			s := scoring.New(m)
			allocated, err := scoreMeasured(s, lead)
			var le *rules.LimitError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tc.limit, le.Limit, "%v", err)
			assert.Less(t, allocated, uint64(64<<20), "bytes allocated scoring the lead")
			_, err = s.Score(scoring.Lead{ID: "ok", Fields: map[string]any{"title": "VP", "tech": []string{"a"}}}, asOf)
			assert.NoError(t, err, "the next lead starts with a full budget")
		})
	}
}

// What the builders are predicted to build is what they build: a lead
// just under the limit passes, and the size refused is the size the
// builtin would have made.
func TestBuildersPredictTheirSize(t *testing.T) {
	for _, tc := range []struct {
		when  string
		title string
		size  int64 // what the builtin builds
	}{
		{`len(replace(title, "a", "xyz")) > 0`, strings.Repeat("a", 1000), 3000},
		{`len(replace(title, "a", "xyz", 10)) > 0`, strings.Repeat("a", 1000), 1020},
		{`len(join([title, title, title], "--")) > 0`, strings.Repeat("é", 300), 3*600 + 4},
		{`len(toBase64(title)) > 0`, strings.Repeat("z", 1000), 1336},
		{`len(split(title, "a")) > 0`, "a,a,a", 4},
		{`len(split(title, "")) > 0`, "héllo", 5},
	} {
		for _, limit := range []int{int(tc.size), int(tc.size) - 1} {
			m, err := rules.CompileBytes("m.yaml", []byte(budgetModel(tc.when)), rules.WithLimits(rules.Limits{MaxText: limit}))
			require.NoError(t, err)
			_, err = scoring.New(m).Score(scoring.Lead{ID: "x", Fields: map[string]any{"title": tc.title}}, asOf)
			if limit == int(tc.size) {
				assert.NoError(t, err, "%s with a limit of exactly %d", tc.when, limit)
				continue
			}
			var le *rules.LimitError
			require.ErrorAs(t, err, &le, tc.when)
			assert.Equal(t, tc.size, le.Got, tc.when)
		}
	}
}

// A pattern is bounded when the file compiles, by the size of its program
// (MaxPattern), and when it runs, by the text's length times its program.
func TestPatternsAreBounded(t *testing.T) {
	huge := strings.Repeat(`\w{1000}`, 100)
	_, err := rules.CompileBytes("m.yaml", []byte(budgetModel(`title matches "`+strings.ReplaceAll(huge, `\`, `\\`)+`"`)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "m.yaml:17:25: this pattern compiles to 100002 steps")
	assert.Contains(t, err.Error(), "more than the 10000 a pattern may have (Limits.MaxPattern)")

	m, err := rules.CompileBytes("m.yaml", []byte(budgetModel(`title matches "\\w{1000}z"`)), rules.WithLimits(rules.Limits{MaxPattern: 500}))
	require.Error(t, err, "the limit is the model's")
	assert.Nil(t, m)

	m, err = rules.CompileBytes("m.yaml", []byte(budgetModel(`title matches "\\w{1000}z"`)))
	require.NoError(t, err)
	res, err := scoring.New(m).Score(scoring.Lead{ID: "short", Fields: map[string]any{"title": strings.Repeat("a", 1000) + "z"}}, asOf)
	require.NoError(t, err, "a short text matches within the budget")
	assert.Equal(t, 1.0, res.Total)
}

// The cases a hostile review found after the budgets were first moved
// ahead of the work: a list of one huge text read in a loop, a pattern
// whose program is all alive at once, a text decoded as JSON, and a whole
// list sorted once per event by an event rule.
func TestBudgetsHoldForWholeValuesAndEventRules(t *testing.T) {
	huge := strings.Repeat("a", 3<<20)
	for _, tc := range []struct {
		when  string
		lead  map[string]any
		limit string
	}{
		// upper and lower are measured before they copy: 3 MiB is over MaxText.
		{`any(1..10000, {upper(tech[0]) == ""})`, map[string]any{"tech": []string{huge}}, "text"},
		{`len(map(1..2000, {upper(tech[0])})) > 0`, map[string]any{"tech": []string{huge}}, "text"},
		{`let big = [title]; any(1..10000, {upper(big[0]) == ""})`, map[string]any{"title": huge}, "text"},
		{`title matches "(?:a?){1000}b"`, map[string]any{"title": strings.Repeat("a", 120_000)}, "steps"},
		{`len(fromJSON(title)) > 0`, map[string]any{"title": "[" + strings.Repeat("{},", 1<<20) + "{}]"}, "text"},
	} {
		m, err := rules.CompileBytes("m.yaml", []byte(budgetModel(tc.when)))
		require.NoError(t, err, tc.when)
		allocated, err := scoreMeasured(scoring.New(m), scoring.Lead{ID: "big", Fields: tc.lead})
		var le *rules.LimitError
		require.ErrorAs(t, err, &le, tc.when)
		assert.Equal(t, tc.limit, le.Limit, "%s: %v", tc.when, err)
		assert.Less(t, allocated, uint64(256<<20), "%s: bytes allocated", tc.when)
	}

	// The second review's cases: a huge text inside a map define, read in
	// loops; a list of many references to one huge text.
	withDefine := func(define, when string) string {
		return strings.Replace(budgetModel(when), "  n: 1\n", "  "+define+"\n", 1)
	}
	mid := strings.Repeat("a", 300_000)
	for _, tc := range []struct{ src, what string }{
		{withDefine(`m: '{"a": title}'`, `len(map(1..1000, {upper(m.a)})) > 5`), "a map define read in a loop"},
		{withDefine(`m: '{"a": title}'`, `any(1..10000, {any(1..15, {m.a contains "zzz"})})`), "a map define read in nested loops"},
		{withDefine(`m: '[[title]]'`, `len(map(1..1000, {upper(m[0][0])})) > 5`), "a nested list define read in a loop"},
		{withDefine(`b: 'concat([title, title, title, title], [title, title, title, title])'`, `any(map(1..5000, {b}), {any(#, {lower(#) == "x"})})`), "many references to one text"},
	} {
		m, err := rules.CompileBytes("m.yaml", []byte(tc.src))
		require.NoError(t, err, tc.what)
		allocated, err := scoreMeasured(scoring.New(m), scoring.Lead{ID: "big", Fields: map[string]any{"title": mid + huge}})
		var le *rules.LimitError
		require.ErrorAs(t, err, &le, tc.what)
		assert.Less(t, allocated, uint64(256<<20), "%s: bytes allocated", tc.what)
	}

	// An event rule's condition runs once per event: it pays, each time,
	// for the whole list it sorts.
	src := strings.Replace(budgetModel("true"), "stages:", `event_types: [page_view]
events:
  campaign: string
stages:`, 1)
	src = strings.Replace(src, "rules:\n", `rules:
  - id: e.sorted
    score: fit
    owner: marketing
    reason: r
    points: 1
    event: page_view
    within: 90d
    when: len(sort(tech)) > 0
`, 1)
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	tags := make([]string, 650_000)
	for i := range tags {
		tags[i] = "a"
	}
	events := make([]scoring.Event, 200)
	for i := range events {
		events[i] = scoring.Event{Type: "page_view", At: asOf.Add(-time.Duration(i+1) * time.Hour)}
	}
	_, err = scoring.New(m).Score(scoring.Lead{ID: "sorted", Fields: map[string]any{"tech": tags}, Events: events}, asOf)
	var le *rules.LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "steps", le.Limit)
	assert.Contains(t, err.Error(), "rule e.sorted")

	// The same for a text inside a map define, copied once per event.
	src = strings.Replace(strings.Replace(src, "when: len(sort(tech)) > 0", `when: lower(m.a) == "x"`, 1), "  n: 1\n", `  m: '{"a": title}'`+"\n", 1)
	m, err = rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	_, err = scoring.New(m).Score(scoring.Lead{ID: "lowered", Fields: map[string]any{"title": huge}, Events: events}, asOf)
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "text", le.Limit, "lower is measured before it copies")
}

// The third review's cases: work that no predicate's tick saw. Each rule
// passes check --strict; each lead fails with a limit, allocating little,
// where it used to run 4 to 43 s or end the process out of memory.
func TestBudgetsHoldForEveryRunAndEveryEvent(t *testing.T) {
	big := strings.Repeat("a", 4<<20-100)
	repeat := func(n int, f func(i int) string, sep string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = f(i)
		}
		return strings.Join(parts, sep)
	}
	for _, tc := range []struct {
		what, when string
		lead       map[string]any
	}{
		{"a text copied again and again in a predicate", `any(tech, {` + repeat(360, func(int) string { return `upper(title) == #` }, " || ") + `})`,
			map[string]any{"title": big, "tech": []string{"a", "b", "c"}}},
		{"a text copied again and again outside any predicate", repeat(300, func(i int) string { return fmt.Sprintf("upper(title) == %q", fmt.Sprint(i)) }, " || "),
			map[string]any{"title": big}},
		{"a long text split again and again", repeat(30, func(i int) string { return fmt.Sprintf("let b%d = split(title, \",\");", i) }, " ") + " " + repeat(30, func(i int) string { return fmt.Sprintf("len(b%d)", i) }, " + ") + " > 0",
			map[string]any{"title": strings.Repeat(",", 1<<20-1)}},
	} {
		m, err := rules.CompileBytes("m.yaml", []byte(budgetModel("'"+tc.when+"'")))
		require.NoError(t, err, tc.what)
		allocated, err := scoreMeasured(scoring.New(m), scoring.Lead{ID: "big", Fields: tc.lead})
		var le *rules.LimitError
		require.ErrorAs(t, err, &le, tc.what)
		assert.Less(t, allocated, uint64(256<<20), "%s: bytes allocated", tc.what)
	}

	// Many event rules, many events: each event a rule meets is a step.
	var rulesYAML strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&rulesYAML, "  - {id: e.r%d, score: fit, owner: marketing, reason: r, points: 0.001, event: page_view, within: 90d}\n", i)
	}
	// And a condition's own size is paid for once per event.
	rulesYAML.WriteString("  - {id: e.cond, score: fit, owner: marketing, reason: r, points: 1, event: page_view, within: 90d, when: '" +
		repeat(300, func(i int) string { return fmt.Sprintf("event.minutes > %d", 1000+i) }, " || ") + "'}\n")
	src := strings.Replace(budgetModel("true"), "stages:", "event_types: [page_view]\nevents:\n  minutes: int\nstages:", 1)
	for _, rs := range []string{rulesYAML.String(), rulesYAML.String()[strings.Index(rulesYAML.String(), "  - {id: e.cond"):]} {
		m, err := rules.CompileBytes("m.yaml", []byte(strings.Replace(src, "rules:\n", "rules:\n"+rs, 1)))
		require.NoError(t, err)
		events := make([]scoring.Event, 130_000)
		for i := range events {
			events[i] = scoring.Event{Type: "page_view", At: asOf.Add(-time.Duration(i%1000+1) * time.Minute), Fields: map[string]any{"minutes": 1}}
		}
		allocated, err := scoreMeasured(scoring.New(m), scoring.Lead{ID: "busy", Fields: map[string]any{}, Events: events})
		var le *rules.LimitError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "steps", le.Limit)
		assert.Less(t, allocated, uint64(256<<20), "bytes allocated")
	}
}

// An explanation shows what a condition read, cut when it is long: a value
// of a megabyte read by hundreds of leaves no longer makes the explanation
// hundreds of megabytes.
func TestExplainShowsLongValuesCut(t *testing.T) {
	when := "'" + strings.Repeat(`title == "x" || `, 300) + `title == "y"'`
	m, err := rules.CompileBytes("m.yaml", []byte(budgetModel(when)))
	require.NoError(t, err)
	tech := make([]string, 1000)
	for i := range tech {
		tech[i] = "t"
	}
	x, err := scoring.New(m).Explain(scoring.Lead{ID: "big", Fields: map[string]any{"title": strings.Repeat("é", 1<<19), "tech": tech}}, asOf)
	require.NoError(t, err)
	out, err := json.Marshal(x)
	require.NoError(t, err)
	assert.Less(t, len(out), 1<<20, "bytes of explanation")
	assert.Contains(t, string(out), "… (1,048,576 bytes in all)")
}

// The fourth review's cases: copies kept alive by defines, and a text read
// whole again and again at the top of an expression by trim.
func TestBudgetsHoldForDefinesAndTrim(t *testing.T) {
	big := strings.Repeat("A", 1<<20-10) + "@x.io"
	var defines strings.Builder
	for i := range 200 {
		fmt.Fprintf(&defines, "d%d: emailDomain(title)\n  ", i)
	}
	src := strings.Replace(budgetModel("d199 != \"\""), "  n: 1\n", "  "+defines.String()+"\n", 1)
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	_, err = scoring.New(m).Score(scoring.Lead{ID: "big", Fields: map[string]any{"title": big}}, asOf)
	var le *rules.LimitError
	require.ErrorAs(t, err, &le, "200 defines each reading a megabyte")

	when := "'" + strings.Repeat(`trim(title, "a0123456789") != "" || `, 150) + `false'`
	m, err = rules.CompileBytes("m.yaml", []byte(budgetModel(when)))
	require.NoError(t, err)
	_, err = scoring.New(m).Score(scoring.Lead{ID: "big", Fields: map[string]any{"title": strings.Repeat("a", 1<<20)}}, asOf)
	require.ErrorAs(t, err, &le, "trim reading a megabyte 150 times")
}

// An error quotes what it could not read, cut: a date of megabytes that
// does not parse gives an error of a few hundred bytes, not megabytes.
func TestErrorsQuoteLongTextsCut(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(budgetModel(`'date(title) > date("2026-01-01")'`)))
	require.NoError(t, err)
	_, err = scoring.New(m).Score(scoring.Lead{ID: "big", Fields: map[string]any{"title": strings.Repeat("a", 4<<20-100)}}, asOf)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 2048)
	assert.Contains(t, err.Error(), "invalid date aaaa")
}

// scoreMeasured scores the lead and returns the bytes it allocated, and
// the error.
func scoreMeasured(s *scoring.Scorer, lead scoring.Lead) (uint64, error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := s.Score(lead, asOf)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}
