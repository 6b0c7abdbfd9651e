package scoring_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// hostile is a model whose rule r.hostile passes compilation (and check
// --strict) but asks, for some leads, for unbounded work.
func hostile(define, when string) string {
	return fmt.Sprintf(`leadscore: 1
model: m
fields:
  title: string
  employees: int
define:
  %s
scores:
  fit: {}
rules:
  - id: r.hostile
    score: fit
    owner: sales
    reason: r
    points: 1
    when: %s
stages:
  - {id: s, sales_ready: true, when: fit > 0}
`, define, when)
}

// hostileCases each fail one class of run-time limit for the lead
// {title: "ab" x 500, employees: 1000000}, naming the rule or define.
var hostileCases = []struct {
	name, define, when, want string
}{
	{
		name: "steps: a predicate inside a predicate over a long list", define: "big: 1..min(employees, 5000)", when: "any(big, {any(big, {# < 0})})",
		want: `lead x: m.yaml:16:30: rule r.hostile: evaluating "any(big, {any(big, {# < 0})})": this lead needs more than the 1000000 steps of work a lead may take (Limits.MaxSteps): a predicate such as any or all over a long list, one inside another, texts built again and again, or a pattern matched against a long text; simplify the expression`,
	},
	{
		name: "steps: texts built again and again", define: "words: split(title, \"\")", when: "len(join(map(words, {join(words, title)}), title)) > 0",
		want: `lead x: m.yaml:16:32: rule r.hostile: evaluating "len(join(map(words, {join(words, title)}), title)) > 0": this lead needs more than the 1000000 steps of work a lead may take (Limits.MaxSteps): a predicate such as any or all over a long list, one inside another, texts built again and again, or a pattern matched against a long text; simplify the expression`,
	},
	{
		name: "text: a text that doubles", define: "t: title + title + title + title", when: "len(replace(t, \"a\", t)) > 0",
		want: `lead x: m.yaml:16:15: rule r.hostile: evaluating "len(replace(t, \"a\", t)) > 0": this builds a text or list of 8002000 bytes or items, more than the 1048576 an expression may build (Limits.MaxText); build less`,
	},
	{
		name: "range: bounds from the lead", define: "n: employees", when: "any(1..n, {# < 0})",
		want: `lead x: m.yaml:16:16: rule r.hostile: evaluating "any(1..n, {# < 0})": this range has 1000000 numbers, more than the 10000 a range may have (Limits.MaxRange); use a comparison such as x >= 1 && x <= 100`,
	},
	{
		name: "memory: a range made again for every item", define: "n: min(employees, 5000)", when: "all(1..n, {len(1..9000) > 0})",
		want: `lead x: m.yaml:16:27: rule r.hostile: evaluating "all(1..n, {len(1..9000) > 0})": this needs more memory than an expression may use (1000000 list items and loop steps in one run, Limits.MaxMemory); loop over shorter lists`,
	},
}

var hostileLead = scoring.Lead{ID: "x", Fields: map[string]any{"title": strings.Repeat("ab", 500), "employees": 1000000}}

// A rule file that compiles cannot make a lead take unbounded work: the
// lead fails alone, with an error naming the rule and where it is, and the
// next lead is scored normally.
func TestHostileRulesFailTheLeadAlone(t *testing.T) {
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := rules.CompileBytes("m.yaml", []byte(hostile(tc.define, tc.when)))
			require.NoError(t, err)
			assert.Empty(t, rules.Lint(m), "check --strict passes it")
			s := scoring.New(m)
			res, err := s.Score(hostileLead, asOf)
			assert.Nil(t, res)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			var le *rules.LimitError
			assert.ErrorAs(t, err, &le)

			_, err = s.Explain(hostileLead, asOf)
			assert.Equal(t, tc.want, err.Error(), "explain fails the same way")
			_, err = s.Timeline(hostileLead, asOf)
			assert.Equal(t, tc.want, err.Error(), "and so does the timeline")

			_, err = s.Score(scoring.Lead{ID: "ok", Fields: map[string]any{"title": "VP", "employees": 3}}, asOf)
			assert.NoError(t, err, "the next lead starts with a full budget")
		})
	}
}

// Limits are the model's, set when compiling; zero fields keep their default.
func TestLimitsAreConfigurable(t *testing.T) {
	src := hostile("few: 1..100", "any(few, {any(few, {# < 0})})") // 10,000 iterations of a 3-node body
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, rules.DefaultLimits(), m.Limits())
	_, err = scoring.New(m).Score(hostileLead, asOf)
	require.NoError(t, err)

	m, err = rules.CompileBytes("m.yaml", []byte(src), rules.WithLimits(rules.Limits{MaxSteps: 20_000}))
	require.NoError(t, err)
	assert.Equal(t, int64(20_000), m.Limits().MaxSteps)
	assert.Equal(t, rules.DefaultLimits().MaxRange, m.Limits().MaxRange)
	_, err = scoring.New(m).Score(hostileLead, asOf)
	assert.EqualError(t, err, `lead x: m.yaml:16:30: rule r.hostile: evaluating "any(few, {any(few, {# < 0})})": this lead needs more than the 20000 steps of work a lead may take (Limits.MaxSteps): a predicate such as any or all over a long list, one inside another, texts built again and again, or a pattern matched against a long text; simplify the expression`)

	deep := hostile("few: 1..3", "any(few, {any(few, {any(few, {# < 0})})})")
	_, err = rules.CompileBytes("m.yaml", []byte(deep))
	require.ErrorContains(t, err, "predicates nested 3 deep (any inside any inside any); at most 2 may nest")
	_, err = rules.CompileBytes("m.yaml", []byte(deep), rules.WithLimits(rules.Limits{MaxNesting: 3}))
	require.NoError(t, err)
}

// cancelAfter is a context that reports itself cancelled from its n-th
// look on, so a test can cancel at a chosen point without timing.
type cancelAfter struct {
	context.Context
	looks, n int
}

func (c *cancelAfter) Err() error {
	c.looks++
	if c.looks >= c.n {
		return context.Canceled
	}
	return nil
}

func TestScoreContextStops(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(hostile("few: 1..1000", "any(few, {any(few, {# < 0})})")),
		rules.WithLimits(rules.Limits{MaxSteps: 1 << 40}))
	require.NoError(t, err)
	s := scoring.New(m)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.ScoreContext(done, hostileLead, asOf)
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "lead x: scoring stopped: context canceled")
	_, err = s.ExplainContext(done, hostileLead, asOf)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.TimelineContext(done, hostileLead, asOf)
	assert.ErrorIs(t, err, context.Canceled)

	// Cancelled once the lead phase is under way: the budget's hook sees it
	// inside the expression, within 4,096 steps of its million.
	ctx := &cancelAfter{Context: done, n: 3}
	_, err = s.ScoreContext(ctx, hostileLead, asOf)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, ctx.looks, 10, "stopped at once, not after the million steps")

	// A context that is never done changes nothing.
	res, err := s.ScoreContext(context.Background(), hostileLead, asOf)
	require.NoError(t, err)
	assert.Equal(t, 0.0, res.Total)
}

// No result carries NaN or an infinity: a lead whose total, category or
// points would be one fails, naming what gave it.
func TestNonFiniteScoresAreErrors(t *testing.T) {
	model := func(extra string) *scoring.Scorer {
		return compile(t, `leadscore: 1
model: m
fields:
  employees: int
scores:
  fit: {}
  engagement: {}
rules:
  - id: r.big
    score: fit
    points: 1e308
    when: employees > 0
  - id: r.bigger
    score: fit
    points: 1e308
    when: employees > 1
  - id: r.events
    score: engagement
    event: page_view
    points: 1e308
`+extra+`stages:
  - {id: s, sales_ready: true, when: total > 0}
`)
	}
	s := model("")
	res, err := s.Score(scoring.Lead{ID: "a", Fields: map[string]any{"employees": 1}}, asOf)
	require.NoError(t, err)
	assert.Equal(t, 1e308, res.Total)
	_, err = s.Score(scoring.Lead{ID: "b", Fields: map[string]any{"employees": 2}}, asOf)
	assert.EqualError(t, err, "lead b: m.yaml:6:3: category fit adds up to +Inf for this lead, which is not a number a score can be; lower the points of its rules")
	_, err = s.Score(scoring.Lead{ID: "c", Events: []scoring.Event{ev("page_view", 1), ev("page_view", 2)}}, asOf)
	assert.EqualError(t, err, "lead c: m.yaml:17:5: rule r.events gives +Inf points to this lead (2 events of 1e+308 points), which is not a number a score can be; lower its points or give it a limit")
	_, err = s.Score(scoring.Lead{ID: "d", Fields: map[string]any{"employees": 1}, Events: []scoring.Event{ev("page_view", 1)}}, asOf)
	assert.EqualError(t, err, "lead d: the total, the sum of the categories, is +Inf for this lead, which is not a number a score can be; give the categories a max")

	s = model("total: fit / engagement\n")
	_, err = s.Score(scoring.Lead{ID: "e"}, asOf)
	assert.EqualError(t, err, `lead e: m.yaml:21:12: total: evaluating "fit / engagement": this divides by zero: engagement is 0 here, which gives no number (a number the data lacks reads as 0); test it first, such as engagement != 0 && ... in a condition, or (engagement != 0 ? ... : 0) in a number`)
	s2 := model("total: (fit - 1e308) * 2 - (engagement - 1e308) * 2\n")
	_, err = s2.Score(scoring.Lead{ID: "e2"}, asOf)
	assert.EqualError(t, err, `lead e2: m.yaml:21:8: total: evaluating "(fit - 1e308) * 2 - (engagement - 1e308) * 2": gives NaN for this lead, which is not a number a score can be; check its arithmetic: a power (**), a division by a number near 0, or numbers near the largest a number can be (about 1.8e308)`)
	res, err = s.Score(scoring.Lead{ID: "f", Fields: map[string]any{"employees": 1}, Events: []scoring.Event{ev("page_view", 1)}}, asOf)
	require.NoError(t, err)
	assert.Equal(t, 1.0, res.Total)
	_, err = json.Marshal(res)
	assert.NoError(t, err)
}

// Lead fields that are NaN or infinite are refused, naming the field, from
// maps and structs alike.
func TestNonFiniteFieldsAreRefused(t *testing.T) {
	s := compile(t, `leadscore: 1
model: m
fields:
  revenue: float
  employees: int
scores:
  fit: {}
rules:
  - {id: r, score: fit, points: 1, when: revenue > 0}
stages:
  - {id: s, sales_ready: true, when: fit > 0}
`)
	type lead struct {
		Revenue   float32
		Employees uint64
	}
	for _, tc := range []struct {
		fields any
		want   string
	}{
		{map[string]any{"revenue": inf()}, "lead x: revenue: want a finite number, got +Inf (infinite)"},
		{map[string]any{"revenue": float32(nan())}, "lead x: revenue: want a finite number, got NaN (not a number)"},
		{map[string]any{"revenue": json.Number("NaN")}, "lead x: revenue: want a finite number, got NaN (not a number)"},
		{lead{Revenue: float32(inf())}, "lead x: revenue: want a finite number, got +Inf (infinite)"},
		{lead{Revenue: 1, Employees: 1 << 63}, "lead x: employees: want a whole number from -9223372036854775808 to 9223372036854775807, got the number 9223372036854775808"},
		{map[string]any{"employees": 1e19}, "lead x: employees: want a whole number, got the number 1e+19"},
	} {
		_, err := s.Score(scoring.Lead{ID: "x", Fields: tc.fields}, asOf)
		assert.EqualError(t, err, tc.want)
		var le *rules.LeadError
		assert.True(t, errors.As(err, &le))
	}
}

func inf() float64 { return math.Inf(1) }
func nan() float64 { return math.NaN() }
