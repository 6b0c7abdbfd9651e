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

// Group puts commas between groups of three digits of a number already
// written in decimals, its sign and fraction kept: "-1234567.25" as
// "-1,234,567.25".
func Group(s string) string {
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
