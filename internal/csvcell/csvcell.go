// Package csvcell keeps a CSV cell of user data (a lead id, a campaign
// name, a reason) from being taken for a formula when the file is opened
// in a spreadsheet (CSV or formula injection).
package csvcell

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
