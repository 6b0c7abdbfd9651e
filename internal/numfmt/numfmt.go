// Package numfmt writes numbers the way reports for people show them.
package numfmt

import "strconv"

// Thousands writes n with commas between groups of three digits:
// 1234567 as 1,234,567.
func Thousands(n int) string {
	if n < 0 {
		return "-" + Thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
