// Package csvcell keeps a CSV cell of user data (a lead id, a campaign
// name, a reason) from being taken for a formula when the file is opened
// in a spreadsheet (CSV or formula injection).
package csvcell

import "fmt"

// Text is s as a text cell of a CSV file: with a single quote before it
// when it begins with a character a spreadsheet reads as the start of a
// formula (=, +, -, @, a tab or a carriage return), as OWASP advises, or
// with a quote (so that dropping one quote reads every cell back); as
// it is otherwise. Only text cells from user data go through it: a
// number the report computed, such as -3.5, stays a number.
func Text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\'':
		// A cell that begins with a quote gets one too, so that a
		// program reading the file back drops one quote from every cell
		// that begins with one and gets the text as it was.
		return "'" + s
	}
	return s
}

// CountAdvice says what likely gave a CSV row got cells where its header
// has want (got != want), for the end of a message that has given both
// counts: a row short of cells was cut (a line break in an unquoted cell
// cuts it in two) or exported in part; a row with cells too many holds the
// delimiter in a cell that is not in quotes.
func CountAdvice(got, want int) string {
	if got < want {
		return fmt.Sprintf("it is %d %s short: check that the row was exported whole, and that a cell holding a line break is in quotes", want-got, noun(want-got))
	}
	return fmt.Sprintf("it has %d %s too many: a cell that holds the delimiter (a comma, say) must be in quotes", got-want, noun(got-want))
}

func noun(n int) string {
	if n == 1 {
		return "cell"
	}
	return "cells"
}
