package attribution

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// MaxAmount is the largest revenue, cost, conversion count or null count
// one row may carry: a thousand trillion (1e15). Larger values, negative
// ones, NaN and infinities are refused with the row's line. Paths keep
// their sums exact, in millionths, in 128 bits: a sum overflows only after
// more than 1.7e17 rows at MaxAmount each, so totals of billions of
// journeys stay exact and shards merge to the bit.
const MaxAmount = 1e15

// ParseAmount reads a cell holding an amount: a number from 0 to MaxAmount.
// An empty cell is an error; callers that allow it check first.
func ParseAmount(s string) (float64, error) {
	t := strings.TrimSpace(s)
	v, err := strconv.ParseFloat(t, 64)
	var ne *strconv.NumError
	switch {
	case errors.As(err, &ne) && ne.Err == strconv.ErrRange:
		return 0, fmt.Errorf("%s is out of range; an amount is a number from 0 to 1e15", t)
	case err != nil:
		return 0, fmt.Errorf("want a number of at least 0, got %q", s)
	}
	return v, CheckAmount(v)
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

// exact is an exact sum of amounts, in millionths, as a 128-bit two's
// complement integer. Sums do not depend on the order of the additions.
type exact struct {
	hi int64
	lo uint64
}

// exactOf returns v in millionths, rounded to the nearest (halves away
// from zero), computed exactly from v's binary value; v must pass
// CheckAmount.
func exactOf(v float64) exact {
	if v == 0 {
		return exact{}
	}
	frac, e := math.Frexp(v)         // v = frac * 2^e, frac in [0.5, 1)
	m := uint64(frac * (1 << 53))    // v = m * 2^(e-53), m an integer
	hi, lo := bits.Mul64(m, 1000000) // m * 10^6, exact in 128 bits
	shift := 53 - e                  // v <= 1e15 < 2^50, so shift > 0
	if shift >= 128 {
		return exact{}
	}
	// Add half of the last unit kept, then shift right.
	var carry uint64
	if shift > 64 {
		hi, carry = bits.Add64(hi, 1<<(shift-65), 0)
		return exact{lo: hi >> (shift - 64)}
	}
	half := uint64(1) << (shift - 1)
	lo, carry = bits.Add64(lo, half, 0)
	hi += carry
	if shift == 64 {
		return exact{lo: hi}
	}
	return exact{hi: int64(hi >> shift), lo: lo>>shift | hi<<(64-shift)}
}

func (a *exact) add(b exact) {
	var carry uint64
	a.lo, carry = bits.Add64(a.lo, b.lo, 0)
	a.hi += b.hi + int64(carry)
}

func (a exact) isZero() bool { return a.hi == 0 && a.lo == 0 }

// float returns the sum, rounded once to the nearest float64.
func (a exact) float() float64 {
	if a.hi == 0 && a.lo < 1<<53 {
		return float64(a.lo) / 1e6 // both exact: one rounding
	}
	n := new(big.Int).SetInt64(a.hi)
	n.Lsh(n, 64)
	n.Add(n, new(big.Int).SetUint64(a.lo))
	f, _ := new(big.Rat).SetFrac(n, big.NewInt(1e6)).Float64()
	return f
}
