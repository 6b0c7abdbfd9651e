package stats

import (
	"math"
	"testing"
)

// TestChiSquareP checks the upper tail against closed forms (df 2: e^(-x/2);
// df 1: erfc(sqrt(x/2))) and textbook critical values.
func TestChiSquareP(t *testing.T) {
	for _, x := range []float64{0.1, 1, 3.84, 5.99, 10, 30} {
		if got, want := ChiSquareP(x, 2), math.Exp(-x/2); math.Abs(got-want) > 1e-12 {
			t.Errorf("df 2, x %v: %v, want %v", x, got, want)
		}
		if got, want := ChiSquareP(x, 1), math.Erfc(math.Sqrt(x/2)); math.Abs(got-want) > 1e-12 {
			t.Errorf("df 1, x %v: %v, want %v", x, got, want)
		}
	}
	for _, c := range []struct {
		x  float64
		df int
	}{{3.841459, 1}, {7.814728, 3}, {11.0705, 5}, {18.30704, 10}} {
		if got := ChiSquareP(c.x, c.df); math.Abs(got-0.05) > 1e-5 {
			t.Errorf("df %d: p at the 5%% critical value %v is %v", c.df, c.x, got)
		}
	}
	if ChiSquareP(0, 3) != 1 || ChiSquareP(2, 0) != 1 {
		t.Error("no statistic or no degrees of freedom: p = 1")
	}
}
