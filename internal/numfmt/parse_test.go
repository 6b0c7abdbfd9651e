package numfmt

import (
	"math"
	"strconv"
	"testing"
)

// ParseDecimal reads what a spreadsheet writes and refuses the rest of
// what strconv.ParseFloat reads; what both read, they read alike.
func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
	}{
		{"0", 0}, {"12", 12}, {"-3.5", -3.5}, {"+4", 4}, {".5", 0.5}, {"5.", 5}, {"007", 7},
		{"1e6", 1e6}, {"2.5E-3", 2.5e-3}, {"-0", math.Copysign(0, -1)}, {"1e308", 1e308},
	} {
		got, err := ParseDecimal(c.in)
		if err != nil || got != c.want || math.Signbit(got) != math.Signbit(c.want) {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if f, _ := strconv.ParseFloat(c.in, 64); f != got {
			t.Errorf("ParseDecimal(%q) = %v, ParseFloat %v", c.in, got, f)
		}
	}
	for _, in := range []string{"", "+", "-", ".", "e5", "1e", "1e+", "0x10", "0x1p3", "0X1P-2", "1_000", "Inf", "-inf", "infinity", "NaN", "nan",
		" 1", "1 ", "1,000", "$5", "1.2.3", "--1", "1e5.5", "١٢"} {
		if v, err := ParseDecimal(in); err == nil {
			t.Errorf("ParseDecimal(%q) = %v, want an error", in, v)
		}
	}
	if _, err := ParseDecimal("1e400"); err == nil {
		t.Error("1e400: want a range error")
	} else if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
		t.Errorf("1e400: %v, want strconv's range error", err)
	}
}
