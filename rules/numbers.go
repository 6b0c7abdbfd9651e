package rules

import (
	"fmt"
	"math"
	"strconv"
)

// Numbers from lead data are taken only when expressions can hold them
// exactly: a whole-number field takes integers within the range of Go's int
// (and floats with no fraction below 2^53, past which floats skip
// integers), never wrapping around; a number field takes finite numbers,
// never NaN or an infinity, which no comparison or score could use.

// intOf converts a float to an int when it is a whole number an int holds
// exactly: finite, without fraction, below 2^53 in size and within int.
func intOf(f float64) (int, bool) {
	if f != math.Trunc(f) || math.Abs(f) >= 1<<53 { // NaN and ±Inf fail here too
		return 0, false
	}
	if f < float64(math.MinInt) || f > float64(math.MaxInt) { // 32-bit ints
		return 0, false
	}
	return int(f), true
}

// int64Of converts an int64 to an int when it fits (always on 64-bit).
func int64Of(n int64) (int, bool) {
	if n < math.MinInt || n > math.MaxInt {
		return 0, false
	}
	return int(n), true
}

// uint64Of converts a uint64 to an int when it fits.
func uint64Of(n uint64) (int, bool) {
	if n > math.MaxInt {
		return 0, false
	}
	return int(n), true
}

// tooLarge is the error for an integer outside the range of int.
func tooLarge(v any) error {
	return fmt.Errorf("want a whole number from %d to %d, got %s", math.MinInt, math.MaxInt, describe(v))
}

// finite reports whether f is neither NaN nor an infinity.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// describeFloat names a float in an error message.
func describeFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN (not a number)"
	case math.IsInf(f, 0):
		return fmt.Sprintf("%v (infinite)", f)
	}
	// Every digit: 1727000000, not 1.727e+09 (a Unix time read as a
	// number must be recognisable).
	if math.Abs(f) < 1e15 {
		return "the number " + strconv.FormatFloat(f, 'f', -1, 64)
	}
	return "the number " + strconv.FormatFloat(f, 'g', -1, 64)
}
