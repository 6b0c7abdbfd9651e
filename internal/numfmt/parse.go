package numfmt

import "strconv"

// ParseDecimal reads a number written in decimal: an optional sign,
// digits with an optional fraction (or a fraction alone, .5), and an
// optional exponent (1e6). It refuses what strconv.ParseFloat reads
// besides, which no spreadsheet or CRM writes and which would otherwise
// become a number without a word: hexadecimal (0x1p3 is 8), digits
// separated by underscores (1_000), and Inf, Infinity and NaN in any case.
// A number too large for a float64 is strconv's range error.
func ParseDecimal(s string) (float64, error) {
	if !decimal(s) {
		return 0, &strconv.NumError{Func: "ParseFloat", Num: s, Err: strconv.ErrSyntax}
	}
	return strconv.ParseFloat(s, 64)
}

// decimal reports whether s is [+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?.
func decimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	whole := digits()
	frac := 0
	if i < len(s) && s[i] == '.' {
		i++
		frac = digits()
	}
	if whole == 0 && frac == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
