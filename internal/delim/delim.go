// Package delim knows the delimiters exports put between cells, for the
// readers that take one (--delimiter, delimiter:) to say which one a file
// that does not split with theirs seems to use.
package delim

import "fmt"

// Common are the delimiters exports use, in the order a guess tries them.
var Common = []rune{';', '\t', ',', '|'}

// Guess returns the first common delimiter other than current that fits
// says the text splits well at, or 0.
func Guess(current rune, fits func(d rune) bool) rune {
	for _, d := range Common {
		if d != current && fits(d) {
			return d
		}
	}
	return 0
}

// Name says a delimiter in messages: "tabs", or the character quoted.
func Name(d rune) string {
	if d == '\t' {
		return "tabs"
	}
	return fmt.Sprintf("%q", string(d))
}
