package rules_test

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

func TestBundledModelShape(t *testing.T) {
	m, err := rules.CompileFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "b2b-saas", m.Name)
	assert.Len(t, m.Rules, 15)
	assert.Len(t, m.Gates, 3)
	assert.Equal(t, []string{"engaged", "mql", "sql"}, []string{m.Stages[0].ID, m.Stages[1].ID, m.Stages[2].ID})
	assert.Equal(t, 2, m.SalesReady)
	assert.Equal(t, "fit.industry", m.Rule("fit.industry").ID)
	assert.Equal(t, "Works for a competitor", m.Rule("gate.competitor").Disqualify)
	assert.Nil(t, m.Rule("nope"))
	r := m.Rule("engagement.pricing-page")
	assert.Equal(t, 14*dsl.Day, r.HalfLife)
	assert.Equal(t, 3, r.Limit)
	assert.Equal(t, []*rules.Rule{r}, m.RulesForEvent("page_view"))
	assert.Equal(t, 100.0, m.Category("fit").Clamp(140))
	assert.Equal(t, 0.0, m.Category("fit").Clamp(-5))
	// Defines come in dependency order; these have none among them.
	assert.Equal(t, "decision_maker", m.Defines[0].Name)
}

func TestDefinesAreOrderedByDependency(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields: {employees: int}
define:
  hot: big && busy
  big: employees > 100
  busy: events("page_view") > 3
scores: {fit: {}}
stages:
  - {id: s, sales_ready: true, when: hot}
`))
	require.NoError(t, err)
	var names []string
	for _, d := range m.Defines {
		names = append(names, d.Name)
	}
	assert.Equal(t, []string{"big", "busy", "hot"}, names)
}

func TestExpressionsCannotReachOutside(t *testing.T) {
	model := func(when string) string {
		return "leadscore: 1\nmodel: m\nfields: {title: string}\nscores: {fit: {}}\nstages:\n  - id: s\n    sales_ready: true\n    when: " + when + "\n"
	}
	for _, tc := range []struct{ when, want string }{
		{`now() > date("2020-01-01")`, `m.yaml:8:11: now() is not available: time is an input, the as-of time of each score; use daysSince(a time field) or daysSinceLast("type")`},
		{`len(repeat("x", 1000000000)) > 1`, `m.yaml:8:15: repeat() is not available in a rule file`},
		{`__frame != nil`, `names starting with __ are reserved; rename "__frame"`},
		{`env("HOME") != ""`, `m.yaml:8:11: unknown function "env"; the functions are emailDomain, has, daysSince, events, daysSinceLast and expr's builtins, such as lower, trim, len and hasPrefix`},
	} {
		_, err := rules.CompileBytes("m.yaml", []byte(model(tc.when)))
		require.Error(t, err, tc.when)
		assert.Contains(t, err.Error(), tc.want, tc.when)
	}
	long := strings.Repeat(`title == "x" || `, 600) + "true"
	_, err := rules.CompileBytes("m.yaml", []byte(model(long)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "m.yaml:8:11: this expression is 9604 characters long, more than the 8192 allowed; split it into defines")
}

func TestEmailDomain(t *testing.T) {
	for in, want := range map[string]string{
		"ana@Example.COM": "example.com", "a@b@c.io": "c.io", "nobody": "", "": "", "x@ acme.io ": "acme.io",
	} {
		assert.Equal(t, want, rules.EmailDomain(in), in)
	}
}

func TestCoerce(t *testing.T) {
	when := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	good := []struct {
		t    dsl.FieldType
		in   any
		want any
	}{
		{dsl.TypeString, "x", "x"},
		{dsl.TypeInt, 42.0, 42},
		{dsl.TypeInt, json.Number("42"), 42},
		{dsl.TypeInt, int64(7), 7},
		{dsl.TypeInt, uint8(7), 7},
		{dsl.TypeFloat, 3, 3.0},
		{dsl.TypeFloat, json.Number("2.5"), 2.5},
		{dsl.TypeFloat, float32(0.5), 0.5},
		{dsl.TypeBool, true, true},
		{dsl.TypeTime, "2026-03-01T09:30:00Z", when},
		{dsl.TypeTime, when, when},
		{dsl.TypeTime, &when, when},
		{dsl.TypeList, []any{"a", "b"}, []string{"a", "b"}},
		{dsl.TypeList, []string{"a"}, []string{"a"}},
	}
	for _, tc := range good {
		got, err := rules.Coerce(tc.t, tc.in)
		require.NoError(t, err, "%s %v", tc.t, tc.in)
		assert.Equal(t, tc.want, got, "%s %v", tc.t, tc.in)
	}
	bad := []struct {
		t    dsl.FieldType
		in   any
		want string
	}{
		{dsl.TypeString, 42.0, "want text, got the number 42"},
		{dsl.TypeInt, "42", `want a whole number, got the text "42"`},
		{dsl.TypeInt, 4.2, "want a whole number, got the number 4.2"},
		{dsl.TypeInt, 1e300, "want a whole number, got the number 1e+300"},
		{dsl.TypeFloat, math.NaN(), "want a finite number, got NaN (not a number)"},
		{dsl.TypeFloat, math.Inf(-1), "want a finite number, got -Inf (infinite)"},
		{dsl.TypeFloat, float32(math.NaN()), "want a finite number, got NaN (not a number)"},
		{dsl.TypeFloat, float32(math.Inf(1)), "want a finite number, got +Inf (infinite)"},
		{dsl.TypeFloat, json.Number("NaN"), "want a finite number, got NaN (not a number)"},
		{dsl.TypeFloat, json.Number("-Inf"), "want a finite number, got -Inf (infinite)"},
		{dsl.TypeFloat, json.Number("1e999"), `want a number, got the number 1e999`},
		{dsl.TypeInt, math.NaN(), "want a whole number, got NaN (not a number)"},
		{dsl.TypeInt, math.Inf(1), "want a whole number, got +Inf (infinite)"},
		{dsl.TypeInt, float32(math.Inf(1)), "want a whole number, got +Inf (infinite)"},
		{dsl.TypeInt, float32(1e30), "want a whole number, got the number 1.0000000150474662e+30"},
		{dsl.TypeInt, uint64(math.MaxUint64), fmt.Sprintf("want a whole number from %d to %d, got the number 18446744073709551615", math.MinInt, math.MaxInt)},
		{dsl.TypeInt, uint(math.MaxUint), fmt.Sprintf("want a whole number from %d to %d, got the number %d", math.MinInt, math.MaxInt, uint(math.MaxUint))},
		{dsl.TypeInt, json.Number("99999999999999999999"), "want a whole number, got the number 99999999999999999999"},
		{dsl.TypeFloat, true, "want a number, got true"},
		{dsl.TypeBool, "yes", `want true or false, got the text "yes"`},
		{dsl.TypeTime, 1700000000.0, "want a time like 2026-03-01T09:30:00Z, got the number 1700000000; times written as seconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2023-11-14T22:13:20Z (what this is as seconds since 1970)"},
		{dsl.TypeList, "a,b", `want a list of texts, got the text "a,b"`},
		{dsl.TypeList, map[string]any{}, "want a list of texts, got an object"},
	}
	for _, tc := range bad {
		_, err := rules.Coerce(tc.t, tc.in)
		if assert.Error(t, err, "%s %v", tc.t, tc.in) {
			assert.Equal(t, tc.want, err.Error())
		}
	}
}
