package dsl_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
)

// whenOf parses a one-rule file whose when is written as given, and returns
// the decoded expression.
func whenOf(t *testing.T, when string) *dsl.Expr {
	t.Helper()
	src := "leadscore: 1\nmodel: m\nscores: {fit: {}}\nrules:\n  - id: r\n    score: fit\n    points: 1\n    when: " + when +
		"\nstages:\n  - {id: s, sales_ready: true, when: fit > 0}\n"
	doc, err := dsl.Parse("m.yaml", []byte(src))
	require.NoError(t, err)
	return doc.Rules[0].When
}

// TestExprPositions checks that the character of an expression found by
// searching its text maps to the line and column where a person sees it,
// in every YAML style an expression can be written in.
func TestExprPositions(t *testing.T) {
	tests := []struct {
		style, when, text, find string
		line, col               int
	}{
		{"plain", `employees > 10 && title != ""`, `employees > 10 && title != ""`, "title", 8, 29},
		{"plain over two lines", "employees > 10\n      && title != \"\"", `employees > 10 && title != ""`, "title", 9, 10},
		{"single-quoted with an escaped quote", `'title == ''it''''s'' && x'`, `title == 'it''s' && x`, "x", 8, 36},
		{"double-quoted with escapes", `"title == \"a\tb\" && x"`, "title == \"a\tb\" && x", "x", 8, 33},
		{"double-quoted with a unicode escape", `"title == \"\u00e9\" && x"`, "title == \"é\" && x", "x", 8, 35},
		{"literal block", "|\n      employees > 10 &&\n        title != \"\"", "employees > 10 &&\n  title != \"\"\n", "title", 10, 9},
		{"folded block", ">\n      employees > 10\n      && title != \"\"", "employees > 10 && title != \"\"\n", "title", 10, 10},
		{"folded block with a blank line", ">\n      employees > 10\n\n      && title != \"\"", "employees > 10\n&& title != \"\"\n", "title", 11, 10},
		{"non-ASCII before the spot", `title == "Geschäftsführer" && x`, `title == "Geschäftsführer" && x`, "x", 8, 41},
	}
	for _, tc := range tests {
		t.Run(tc.style, func(t *testing.T) {
			e := whenOf(t, tc.when)
			require.Equal(t, tc.text, e.Text)
			offset := len([]rune(e.Text[:strings.Index(e.Text, tc.find)]))
			assert.Equal(t, dsl.Pos{File: "m.yaml", Line: tc.line, Col: tc.col}, e.PosAt(offset))
		})
	}
}

func TestExprPositionsOutOfRange(t *testing.T) {
	e := whenOf(t, "a > 1")
	assert.Equal(t, dsl.Pos{File: "m.yaml", Line: 8, Col: 11}, e.PosAt(-3))
	assert.Equal(t, dsl.Pos{File: "m.yaml", Line: 8, Col: 16}, e.PosAt(99), "past the end: just after the last character")
	built := dsl.NewExpr("a > 1", dsl.Pos{File: "x", Line: 2, Col: 3})
	assert.Equal(t, dsl.Pos{File: "x", Line: 2, Col: 3}, built.PosAt(4))
}

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{
		"90d": 90 * dsl.Day, "12h": 12 * time.Hour, "2w": 2 * dsl.Week, "30min": 30 * time.Minute,
		"45s": 45 * time.Second, "1d12h": 36 * time.Hour, "1w2d": 9 * dsl.Day,
		"6mo": 180 * dsl.Day, "1y": 365 * dsl.Day, "1y6mo": 545 * dsl.Day, "3mo": 90 * dsl.Day,
	}
	for s, want := range good {
		got, err := dsl.ParseDuration(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, got, s)
		back, err := dsl.ParseDuration(dsl.FormatDuration(got))
		require.NoError(t, err)
		assert.Equal(t, got, back, "FormatDuration(%s) reads back", s)
	}
	assert.Equal(t, "9d", dsl.FormatDuration(9*dsl.Day), "the largest unit that divides it")
	assert.Equal(t, "90d", dsl.FormatDuration(90*dsl.Day), "months are read, never written")
	assert.Equal(t, "365d", dsl.FormatDuration(dsl.Year), "years are read, never written")
	assert.Equal(t, "90min", dsl.FormatDuration(90*time.Minute))
	assert.Equal(t, "86401s", dsl.FormatDuration(dsl.Day+time.Second))

	const units = "the units are y (years of 365 days), mo (months of 30 days), w (weeks), d (days), h (hours), min (minutes), s (seconds)"
	bad := map[string]string{
		"":            "empty duration: write a number and a unit, like 90d, 12h or 6mo",
		"90":          `bad duration "90": write a number and a unit, like 90d, 12h or 6mo; ` + units,
		"90days":      `bad duration "90days": write 90d; ` + units,
		"d":           `bad duration "d": write a number and a unit, like 90d, 12h or 6mo; ` + units,
		"0d":          `bad duration "0d": it must be longer than zero`,
		"-3d":         `bad duration "-3d": write a number and a unit, like 90d, 12h or 6mo; ` + units,
		"1x":          `bad duration "1x": unknown unit "x"; ` + units,
		"1.5d":        `bad duration "1.5d": unknown unit "."; ` + units,
		"9999999999d": `bad duration "9999999999d": the number is too large`,
		"999999y":     `bad duration "999999y": the number is too large`,
		"6m":          `bad duration "6m": m could mean minutes or months; write 6mo for months (30 days each) or 6min for minutes`,
		"30m":         `bad duration "30m": m could mean minutes or months; write 30mo for months (30 days each) or 30min for minutes`,
		"1 month":     `bad duration "1 month": write the number and its unit together, like 1mo; ` + units,
		"2 weeks":     `bad duration "2 weeks": write the number and its unit together, like 2w; ` + units,
		"3 d":         `bad duration "3 d": write the number and its unit together, like 3d; ` + units,
		"1year":       `bad duration "1year": write 1y; ` + units,
		"3months":     `bad duration "3months": write 3mo; ` + units,
	}
	for s, want := range bad {
		_, err := dsl.ParseDuration(s)
		if assert.Error(t, err, s) {
			assert.Equal(t, want, err.Error())
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"industry", "employees", "title", "engagement", "fit"}
	assert.Equal(t, "industry", dsl.Suggest("industy", names))
	assert.Equal(t, "employees", dsl.Suggest("employes", names))
	assert.Equal(t, "title", dsl.Suggest("titel", names), "a swap of two letters is one edit")
	assert.Equal(t, "fit", dsl.Suggest("fitt", names))
	assert.Equal(t, "", dsl.Suggest("revenue", names), "nothing near")
	assert.Equal(t, "", dsl.Suggest("fit", names), "an exact name is no suggestion")
	assert.Equal(t, `; did you mean "engagement"?`, dsl.DidYouMean("engagment", names))
	assert.Equal(t, "", dsl.DidYouMean("xyz", names))
}

func TestParseTime(t *testing.T) {
	for s, want := range map[string]time.Time{
		"2026-03-01":                time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		"2026-03-01T09:30:00Z":      time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
		"2026-03-01T09:30:00+02:00": time.Date(2026, 3, 1, 7, 30, 0, 0, time.UTC),
		"2026-03-01 09:30:00":       time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
	} {
		got, err := dsl.ParseTime(s)
		require.NoError(t, err, s)
		assert.True(t, want.Equal(got), "%s: got %v", s, got)
	}
	_, err := dsl.ParseTime("March 1st")
	assert.EqualError(t, err, `want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got "March 1st"`)
	// A day the month does not have is said so (review rev15a 3d).
	_, err = dsl.ParseTime("2026-02-29")
	assert.EqualError(t, err, `"2026-02-29" is not a day of the calendar: February 2026 has 28 days; check the date`)
	_, err = dsl.ParseTime("2026-09-31T10:00:00Z")
	assert.EqualError(t, err, `"2026-09-31T10:00:00Z" is not a day of the calendar: September 2026 has 30 days; check the date`)
}
