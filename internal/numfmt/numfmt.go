// Package numfmt writes numbers the way reports for people show them.
package numfmt

import (
	"strconv"
	"strings"
)

// Thousands writes n with commas between groups of three digits:
// 1234567 as 1,234,567.
func Thousands(n int) string {
	return Group(strconv.Itoa(n))
}

// Float writes v as strconv.FormatFloat does, but that a zero is never
// negative: -0, and a negative number that rounds to zero at prec
// ("-0.00"), are written unsigned ("0", "0.00"). People read "-0" as a
// loss that is not there.
func Float(v float64, format byte, prec int) string {
	return unsignZero(strconv.FormatFloat(v, format, prec, 64))
}

// unsignZero drops the minus of a number written in decimals whose
// digits are all zero: "-0", "-0.000".
func unsignZero(s string) string {
	if !strings.HasPrefix(s, "-") {
		return s
	}
	for _, c := range s[1:] {
		if c != '0' && c != '.' && c != ',' {
			return s
		}
	}
	return s[1:]
}

// Group puts commas between groups of three digits of a number already
// written in decimals, its sign and fraction kept: "-1234567.25" as
// "-1,234,567.25"; a zero is never negative ("-0" as "0", see Float).
func Group(s string) string {
	s = unsignZero(s)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// Count writes n and the noun, singular for 1 and plural otherwise: "1
// lead", "2 leads", "0 won deals", "3 entries", "1,200 matches". The noun
// is given singular; Count writes its plural by English's regular rules.
func Count(n int, noun string) string {
	return Thousands(n) + " " + Noun(n, noun)
}

// Noun is noun (given singular) in the form n calls for: "lead" for 1,
// "leads" otherwise; "entry", "entries"; "match", "matches".
func Noun(n int, noun string) string {
	if n == 1 || n == -1 {
		return noun
	}
	switch {
	case len(noun) > 1 && strings.HasSuffix(noun, "y") && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	}
	return noun + "s"
}
