package attribution

import (
	"errors"
	"fmt"
	"github.com/leadscore/leadscore/internal/numfmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// MaxAmount is the largest revenue, cost, conversion count or null count
// one row may carry: a thousand trillion (1e15). Larger values, negative
// ones, NaN and infinities are refused with the row's line. Paths keep
// their sums exact, as decimals with every digit given (0.24400000000000001
// stays that), in 128 bits while they fit and in arbitrary precision
// beyond, so no sum overflows or rounds, and shards merge to the bit.
const MaxAmount = 1e15

// ParseAmount reads a cell holding an amount: a number from 0 to MaxAmount.
// An empty cell is an error; callers that allow it check first.
func ParseAmount(s string) (float64, error) {
	t := strings.TrimSpace(s)
	v, err := numfmt.ParseDecimal(t)
	var ne *strconv.NumError
	if err != nil {
		// NaN and Inf, in CheckAmount's words (read again only when refused).
		if f, ferr := strconv.ParseFloat(t, 64); ferr == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return 0, CheckAmount(f)
		}
	}
	switch {
	case errors.As(err, &ne) && ne.Err == strconv.ErrRange:
		return 0, fmt.Errorf("%s is out of range; an amount is a number from 0 to 1e15", t)
	case err != nil:
		return 0, fmt.Errorf("want a number of at least 0, got %q%s", s, amountHint(t))
	}
	return v, CheckAmount(v)
}

// amountHint says what to drop from an amount that is not a plain number:
// thousands separators, a currency sign, a unit.
func amountHint(t string) string {
	switch {
	case strings.ContainsAny(t, "$€£¥") || strings.ContainsFunc(t, func(r rune) bool { return unicode.Is(unicode.Sc, r) }):
		return "; write the amount without its currency sign, such as 1200.50"
	case strings.Contains(t, ","):
		return "; write the amount without thousands separators, with a point before the decimals, such as 24000 or 1200.50"
	case strings.ContainsFunc(t, unicode.IsSpace):
		return "; write the amount without spaces, such as 24000"
	}
	return ""
}

// parseAmount reads an amount as ParseAmount does, and also as the exact
// decimal written.
func parseAmount(s string) (float64, decimal, error) {
	t := strings.TrimSpace(s)
	if d, err := parseDecimal(t); err == nil { // the common case: no ParseFloat
		if v := d.float(); CheckAmount(v) == nil {
			return v, d, nil
		}
	}
	v, err := ParseAmount(s) // for its messages
	if err != nil {
		return 0, decimal{}, err
	}
	d, err := parseDecimal(t)
	return v, d, err
}

// CheckAmount refuses what an amount cannot be: NaN, an infinity, a
// negative number, or more than MaxAmount.
func CheckAmount(v float64) error {
	switch {
	case math.IsNaN(v):
		return errors.New("NaN is not a number one can add up; write the amount, or 0")
	case math.IsInf(v, 0):
		return errors.New("an infinite amount cannot be credited; write the amount")
	case v < 0:
		return fmt.Errorf("%s is negative; an amount is a number from 0 to 1e15", numText(v))
	case v > MaxAmount:
		return fmt.Errorf("%s is more than 1e15, the largest amount leadscore adds exactly; check the unit or look for a typo", numText(v))
	}
	return nil
}

// numText writes a number as people write it: 2e15, 0.5, -5.
func numText(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'g', -1, 64), "e+", "e", 1)
}
