package rules_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

func withWhen(when string) string {
	return strings.Replace(base, "    when: employees > 10", "    when: "+when, 1)
}

// A literal expr cannot read is named, at its start, with what fixes it,
// rather than in Go's words at the token after it.
func TestLiteralProblems(t *testing.T) {
	for _, c := range []struct{ when, want string }{
		{`employees > 99999999999999999999999`, `m.yaml:12:23: 99999999999999999999999 is a whole number too large (the largest is 9223372036854775807); write it with a decimal point to make it a decimal number: 99999999999999999999999.0
        when: employees > 99999999999999999999999
                          ^
`},
		{`employees > 9223372036854775808 and title == "VP"`, `m.yaml:12:23: 9223372036854775808 is a whole number too large (the largest is 9223372036854775807); write it with a decimal point to make it a decimal number: 9223372036854775808.0
`},
		{`title matches "(vp"`, `m.yaml:12:25: the pattern "(vp" does not parse: a ( is not closed: close the group with ), or write \\( for a ( itself
        when: title matches "(vp"
                            ^
`},
		{`title matches "vp)"`, `m.yaml:12:25: the pattern "vp)" does not parse: a ) closes no (`},
		{`title matches "[a-"`, `m.yaml:12:25: the pattern "[a-" does not parse: a [ is not closed`},
		{`title matches "*vp"`, `m.yaml:12:25: the pattern "*vp" does not parse (at *): a *, + or ? repeats nothing`},
		{`title == "CEO" or title matches '(?=vp)'`, `m.yaml:12:43: the pattern '(?=vp)' does not parse (at (?=): look-arounds`},
		{`title matches "[z-a]"`, `m.yaml:12:25: the pattern "[z-a]" does not parse (at z-a): a range in [ ] must go from a lower character to a higher one`},
		{"title == \u201cVP\u201d", "m.yaml:12:20: \u201c (U+201C) is a curly quote: use straight quotes (\" or ') instead of curly ones"},
		{"title == \u2018VP\u2019", "m.yaml:12:20: \u2018 (U+2018) is a curly quote: use straight quotes"},
		// An escape of a pattern in double quotes: \d is none expr knows,
		// \b one it reads as a backspace (the rule would never fire).
		{`title matches "vp\d+"`, `m.yaml:12:28: \d is no escape a text in double quotes knows: in a pattern, write the backslash twice (\\d), or put the whole pattern in backticks instead of double quotes, where a backslash stands for itself
        when: title matches "vp\d+"
                               ^
`},
		{`title matches "\bVP\b"`, `m.yaml:12:25: the pattern holds \b, which in double quotes is a backspace character, not a word boundary, so the pattern would match no text and the rule never fire; write the backslash twice (\\b)`},
	} {
		got := render(t, withWhen(c.when))
		assert.True(t, strings.HasPrefix(got, c.want), "%s\ngot:  %s\nwant: %s", c.when, got, c.want)
		assert.NotContains(t, got, "strconv.")
		assert.NotContains(t, got, "error parsing regexp")
		assert.NotContains(t, got, "unrecognized character")
	}
	// A non-breaking space between tokens is a space to expr: no error.
	_, err := rules.CompileBytes("m.yaml", []byte(withWhen("title ==\u00a0\"VP\"")))
	require.NoError(t, err)
	// The fix the message gives compiles.
	_, err = rules.CompileBytes("m.yaml", []byte(withWhen(`employees > 99999999999999999999999.0`)))
	require.NoError(t, err)
	_, err = rules.CompileBytes("m.yaml", []byte(withWhen(`title matches "\\(vp"`)))
	require.NoError(t, err)
}

// A pattern's backslashes written twice in double quotes, or once in
// backticks, are the pattern's own: both compile, and match alike.
func TestPatternBackslashesCompile(t *testing.T) {
	for _, when := range []string{`title matches "\\bVP\\b"`, "title matches `\\bVP\\b`"} {
		_, err := rules.CompileBytes("m.yaml", []byte(withWhen(when)))
		require.NoError(t, err, when)
	}
}
