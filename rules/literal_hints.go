package rules

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// literalProblem rewrites expr's messages about a literal of the
// expression text that expr cannot read (an integer too large, a pattern
// that does not parse, a curly quote) in the words
// of the people who write rules, and moves offset (a rune offset into
// text) to the literal's start. ok is false for other messages.
func literalProblem(msg, text string, offset int) (string, int, bool) {
	src := []rune(text)
	switch {
	case strings.HasPrefix(msg, "invalid integer literal:") && strings.Contains(msg, "value out of range"):
		// expr points at the number's last digit, or past it at the
		// token after it.
		end := min(max(offset, 0), len(src))
		if end < len(src) && isDigitRune(src[end]) {
			for end < len(src) && (isDigitRune(src[end]) || src[end] == '_') {
				end++
			}
		} else {
			for end > 0 && (src[end-1] == ' ' || src[end-1] == '\t' || src[end-1] == '\n') {
				end--
			}
		}
		start := end
		for start > 0 && (isDigitRune(src[start-1]) || src[start-1] == '_') {
			start--
		}
		if start == end { // not found: leave the caret where expr put it
			return "a whole number too large (the largest is 9223372036854775807); write it with a decimal point to make it a decimal number", offset, true
		}
		n := string(src[start:end])
		return fmt.Sprintf("%s is a whole number too large (the largest is 9223372036854775807); write it with a decimal point to make it a decimal number: %s.0", n, n), start, true
	case strings.HasPrefix(msg, "error parsing regexp: "):
		start, pattern := patternAfter(src, offset)
		return patternProblem(strings.TrimPrefix(msg, "error parsing regexp: "), pattern), start, true
	case msg == "invalid char escape":
		// expr points at the escaped character, the one after the
		// backslash: \d in "vp\d+".
		if offset < 1 || offset >= len(src) || src[offset-1] != '\\' {
			return "", offset, false
		}
		esc := string(src[offset-1 : offset+1])
		return fmt.Sprintf("%s is no escape a text in double quotes knows: in a pattern, write the backslash twice (\\%s), or put the whole pattern in backticks instead of double quotes, where a backslash stands for itself", esc, esc), offset - 1, true
	case strings.HasPrefix(msg, "unrecognized character: "):
		if offset < 0 || offset >= len(src) {
			return "", offset, false
		}
		switch r := src[offset]; r {
		case '\u201c', '\u201d', '\u2018', '\u2019', '\u201e', '\u00ab', '\u00bb':
			return fmt.Sprintf("%c (U+%04X) is a curly quote: use straight quotes (\" or ') instead of curly ones; a word processor or chat app may have curled them", r, r), offset, true
		}
	}
	return "", offset, false
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

// patternAfter finds the quoted pattern that follows offset (at matches):
// the rune offset of its opening quote, and its text as written. It gives
// offset and "" when there is none.
func patternAfter(src []rune, offset int) (int, string) {
	for i := max(offset, 0); i < len(src); i++ {
		if q := src[i]; q == '"' || q == '\'' || q == '`' {
			for j := i + 1; j < len(src); j++ {
				if src[j] == '\\' && q != '`' {
					j++
					continue
				}
				if src[j] == q {
					return i, string(src[i : j+1])
				}
			}
			return i, string(src[i:])
		}
	}
	return offset, ""
}

// regexpCodeRE splits Go's regexp error: its code, then the part of the
// pattern it is about.
var regexpCodeRE = regexp.MustCompile("^(.*?): `(.*)`$")

// patternProblems word the common regexp mistakes, by Go's error code.
var patternProblems = map[string]string{
	"missing closing )":                       "a ( is not closed: close the group with ), or write \\\\( for a ( itself",
	"unexpected )":                            "a ) closes no (: remove it, or write \\\\) for a ) itself",
	"missing closing ]":                       "a [ is not closed: close the set of characters with ], or write \\\\[ for a [ itself",
	"missing argument to repetition operator": "a *, + or ? repeats nothing (it comes first, or after ( or |): write \\\\* \\\\+ \\\\? for the character itself, or .* for any text",
	"invalid nested repetition operator":      "two repeats in a row (such as ** or +*): keep one",
	"invalid escape sequence":                 "this \\ escape means nothing in a pattern: write the character alone, or \\\\\\\\ for a \\ itself",
	"invalid character class range":           "a range in [ ] must go from a lower character to a higher one, such as [a-z]; to match - itself, put it first or last: [a-z-]",
	"invalid repeat count":                    "a count in { } goes up to 1000, the first no larger than the second: {2,5}",
	"invalid or unsupported Perl syntax":      "look-arounds ((?=, (?!, (?<=, (?<!) and back-references are not supported: match the text itself, or join two conditions with and / and not",
	"invalid UTF-8":                           "the pattern is not valid UTF-8 text",
	"expression too large":                    "the pattern is too large: split it into several conditions joined with or",
	"expression nests too deeply":             "the pattern nests groups too deeply: flatten it",
	"invalid character class":                 "a [ ] set of characters is malformed: write it as [abc] or [a-z]",
	"invalid named capture":                   "a named group is malformed: write (?P<name>…) or a plain (…)",
	"trailing backslash at end of expression": "the pattern ends in a lone \\: write \\\\\\\\ for a \\ itself, or remove it",
}

// patternProblem says what is wrong with pattern (as written, in its
// quotes) from Go's regexp error msg, and what fixes it.
func patternProblem(msg, pattern string) string {
	code, part := msg, ""
	if m := regexpCodeRE.FindStringSubmatch(msg); m != nil {
		code, part = m[1], m[2]
	}
	what := "the pattern"
	if pattern != "" {
		what = "the pattern " + pattern
	}
	advice, ok := patternProblems[code]
	if !ok {
		advice = code + ": fix the pattern (patterns follow Go's RE2 syntax; see the matches operator in docs/reference.md)"
	}
	at := ""
	if part != "" && utf8.ValidString(part) && "\""+part+"\"" != pattern && "'"+part+"'" != pattern {
		at = fmt.Sprintf(" (at %s)", part)
	}
	return fmt.Sprintf("%s does not parse%s: %s", what, at, advice)
}
