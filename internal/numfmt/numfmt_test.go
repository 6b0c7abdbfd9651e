package numfmt

import (
	"math"
	"strconv"
	"testing"
)

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000", 100000: "100,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestGroup(t *testing.T) {
	for s, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "-1234567.25": "-1,234,567.25",
		"12345.678901": "12,345.678901", "0.5": "0.5", "-0.0": "0.0", "-0": "0", "-0.000": "0.000", "-0.001": "-0.001", "-1000.00": "-1,000.00", "": ""} {
		if got := Group(s); got != want {
			t.Errorf("Group(%q) = %q, want %q", s, got, want)
		}
	}
}

// A zero is never negative: -0, and a negative number rounded to zero at
// the precision asked, print unsigned; any other number as
// strconv.FormatFloat prints it.
func TestFloat(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, c := range []struct {
		v      float64
		format byte
		prec   int
		want   string
	}{
		{negZero, 'f', -1, "0"}, {negZero, 'f', 2, "0.00"}, {negZero, 'g', -1, "0"}, {-0.004, 'f', 2, "0.00"}, {-0.4, 'f', 0, "0"},
		{math.Round(-0.3), 'f', 0, "0"}, {-0.005, 'f', 3, "-0.005"}, {-3.5, 'f', -1, "-3.5"}, {-1e-9, 'g', 2, "-1e-09"},
		{0, 'f', 1, "0.0"}, {2.5, 'f', 1, "2.5"}, {math.Inf(-1), 'f', -1, "-Inf"}, {math.NaN(), 'f', -1, "NaN"},
	} {
		if got := Float(c.v, c.format, c.prec); got != c.want {
			t.Errorf("Float(%v, %q, %d) = %q, want %q", c.v, c.format, c.prec, got, c.want)
		}
		if c.want != "-Inf" && c.want != "NaN" && c.format == 'f' {
			if got := Group(strconv.FormatFloat(c.v, c.format, c.prec, 64)); got != c.want {
				t.Errorf("Group of %v = %q, want %q", c.v, got, c.want)
			}
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n          int
		noun, want string
	}{
		{0, "training lead", "0 training leads"}, {1, "training lead", "1 training lead"}, {2, "training lead", "2 training leads"},
		{1, "more rule", "1 more rule"}, {5, "more rule", "5 more rules"}, {2, "entry", "2 entries"}, {2, "day", "2 days"},
		{3, "match", "3 matches"}, {1, "won deal", "1 won deal"}, {1200, "verdict", "1,200 verdicts"},
	} {
		if got := Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}
