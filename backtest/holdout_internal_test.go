package backtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

// Every money figure keeps its sign, amounts between -1 and 0 too; one
// that rounds to 0.00 is 0.00.
func TestMoneyOfKeepsTheSign(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{-0.5, "-0.50"},
		{-0.01, "-0.01"},
		{-0.004, "0.00"},
		{0, "0.00"},
		{0.5, "0.50"},
		{-1, "-1.00"},
		{-999.999, "-1,000.00"},
		{-1234.5, "-1,234.50"},
		{1455.7, "1,455.70"},
		{-1234567.891, "-1,234,567.89"},
		{123456, "123,456.00"},
	} {
		v := c.v
		assert.Equal(t, c.want, moneyOf(&v), "%v", c.v)
	}
	assert.Equal(t, "—", moneyOf(nil))
	// The other formatters of figures that can be negative keep it too.
	for v, want := range map[float64]string{-0.5: "-0.5", -0.25: "-0.25", -1234.5: "-1,234.5"} {
		assert.Equal(t, want, money(v))
	}
	assert.Equal(t, "-0.50", num(-0.5))
	neg := -0.5
	assert.Equal(t, "-0.50", f2(&neg))
	assert.Equal(t, "-50.0 points", pointsOf(&neg))
}

func TestShareTextHasItsDigits(t *testing.T) {
	for v, want := range map[float64]string{0.1: "10%", 0.125: "12.5%", 0.07: "7%", 1e-9: "0.0000001%", 0.5: "50%", 0.999: "99.9%", 1.0 / 3: "33.33333333%"} {
		assert.Equal(t, want, shareText(v), "%v", v)
	}
}

func TestMinDetectableWording(t *testing.T) {
	v := 1.2
	assert.Equal(t, "cannot detect any difference with these groups", mdePoints(&v))
}

// arms builds a comparison of treated k1 of n1 won against control k2 of
// n2, each won deal worth revenue.
func arms(k1, n1, k2, n2 int, revenue float64, share float64) Comparison {
	var t, c Arm
	for i := 0; i < n1; i++ {
		t.add(i < k1, map[bool]float64{true: revenue}[i < k1])
	}
	for i := 0; i < n2; i++ {
		c.add(i < k2, map[bool]float64{true: revenue}[i < k2])
	}
	return compare("sales_ready", t, c, share)
}

// noZeroWidth fails on any interval of width 0.
func noZeroWidth(t *testing.T, c Comparison) {
	t.Helper()
	for name, e := range map[string]Estimate{"treated win rate": c.Treated.WinRate, "control win rate": c.Control.WinRate,
		"treated revenue": c.Treated.RevenuePerLead, "control revenue": c.Control.RevenuePerLead,
		"difference": c.Lift.WinRate, "ratio": c.Lift.WinRateRatio, "revenue difference": c.Lift.RevenuePerLead} {
		if e.Low != nil && e.High != nil {
			assert.Less(t, *e.Low, *e.High, "%s: an interval of width 0", name)
		}
	}
}

// No variation: a group with no won deal, every lead won, no lead won.
// No interval is of width 0, and what cannot be computed says why.
func TestHoldoutNoZeroWidthIntervals(t *testing.T) {
	// 10 of 40 against 0 of 40: the control's revenue does not vary.
	c := arms(10, 40, 0, 40, 100, 0.5)
	noZeroWidth(t, c)
	assert.Nil(t, c.Control.RevenuePerLead.Low)
	assert.Nil(t, c.Lift.RevenuePerLead.Low)
	assert.Equal(t, "no interval: the control group has 0 won deals, under 5, too few to tell the spread of revenue", c.Lift.RevenueWithheld)
	assert.Nil(t, c.Power.MinDetectableRevenuePerLead)
	// Katz with 0.5 added to each cell: (10.5/41)/(0.5/41) = 21, se =
	// √(1/10.5 − 1/41 + 1/0.5 − 1/41) = 1.4624: 1.27215 to 346.658.
	assert.Nil(t, c.Lift.WinRateRatio.Value, "no ratio over a control rate of 0")
	require.NotNil(t, c.Lift.WinRateRatio.Low)
	assert.InDelta(t, 1.27215, *c.Lift.WinRateRatio.Low, 1e-4)
	assert.InDelta(t, 346.658, *c.Lift.WinRateRatio.High, 1e-2)

	// Every lead won, at the same revenue: nothing varies.
	c = arms(40, 40, 40, 40, 100, 0.5)
	noZeroWidth(t, c)
	assert.Nil(t, c.Power.MinDetectableDifference)
	assert.Equal(t, "cannot be computed: every lead won", c.Power.Withheld)
	assert.Equal(t, "no interval: the revenue per lead does not vary in either group", c.Lift.RevenueWithheld)
	// Katz, corrected: (40.5/41)/(40.5/41) = 1, se = √(2·(1/40.5 − 1/41)): 0.95304 to 1.04927.
	assert.InDelta(t, 1, *c.Lift.WinRateRatio.Value, 1e-12)
	assert.InDelta(t, 0.95304, *c.Lift.WinRateRatio.Low, 1e-5)
	assert.InDelta(t, 1.04927, *c.Lift.WinRateRatio.High, 1e-5)

	// No lead won: the minimum detectable difference cannot be computed.
	c = arms(0, 40, 0, 40, 100, 0.5)
	noZeroWidth(t, c)
	assert.Nil(t, c.Power.MinDetectableDifference)
	assert.Equal(t, "cannot be computed: no won deals in either group", c.Power.Withheld)
	// Katz, corrected: ratio 1, se = √(2·(1/0.5 − 1/41)): 0.02032 to 49.2029.
	assert.InDelta(t, 0.020324, *c.Lift.WinRateRatio.Low, 1e-5)
	assert.InDelta(t, 49.2029, *c.Lift.WinRateRatio.High, 1e-3)
	assert.Equal(t, "withheld", c.Decision)

	// Enough won deals, but one revenue for all: Welch has no spread,
	// and says so rather than claim an interval of width 0.
	c = arms(40, 40, 40, 40, 100, 0.5)
	assert.Nil(t, c.Lift.RevenuePerLead.Low)
}

// The sample ratio test: 300 treated against 200 control at share 0.5 is
// χ² = 2·50²/250 = 20, p = erfc(√10) = 7.7442e-6: withheld, though the
// difference is far from 0. At share 0.1 of 1000 leads, 131 control
// leads give p = 0.00108 (kept), 132 p = 0.00074 (withheld).
func TestHoldoutSampleRatioMismatch(t *testing.T) {
	h := NewHoldout(rules.NewHoldout(0.5, "s"), "m", "")
	for i := 0; i < 300; i++ {
		h.Add(HoldoutLead{SalesReady: true, Won: i < 120, Revenue: 100})
	}
	for i := 0; i < 200; i++ {
		h.Add(HoldoutLead{Control: true, SalesReady: true, Won: i < 20, Revenue: 100})
	}
	r := h.Report()
	require.NotNil(t, r.SampleRatio)
	assert.InDelta(t, 7.7442e-6, r.SampleRatio.P, 1e-9)
	assert.Equal(t, 200, r.SampleRatio.Control)
	assert.Equal(t, 500, r.SampleRatio.Leads)
	assert.Greater(t, *r.Lift.WinRate.Low, 0.2)
	assert.Equal(t, "withheld", r.Decision)
	assert.Equal(t, "the control group holds 40.0% (200 of 500) of the leads compared where the holdout's share is 50%: "+
		"a split this far off happens by chance less than once in a thousand (p < 0.0001), so leads were lost or added on one side "+
		"(check the share and seed match the experiment that ran, and that no group's leads are missing from the data)", r.WithheldReason)

	for control, want := range map[int]string{131: "raises", 132: "withheld"} {
		c := arms(500, 1000-control, 10, control, 1, 0.1)
		assert.Equal(t, want, c.Decision, "%d control leads: p %v", control, c.SampleRatio.P)
	}
	c := arms(500, 869, 10, 131, 1, 0.1)
	assert.InDelta(t, 0.0010843, c.SampleRatio.P, 1e-7)
}

// With few leads expected in a group the chi-square test is too quick to
// cry foul; the exact binomial test is used. Share 0.01 of 100 leads
// (1 expected): 5 control leads have p = 0.0034 (kept; chi-square would
// say 0.00006), 6 have p = 0.00053 (withheld), as summed apart in Python
// over the binomial's chances.
func TestHoldoutSampleRatioExactWithFewExpected(t *testing.T) {
	for control, want := range map[int]float64{5: 0.0034323216, 6: 0.00053453446, 7: 7.108366e-05} {
		sr := sampleRatio(control, 100, 0.01)
		assert.InDelta(t, want, sr.P, want*1e-6, "%d control leads", control)
	}
	assert.InDelta(t, 1, sampleRatio(1, 100, 0.01).P, 1e-12, "the likeliest count")
	// Exact and chi-square agree where both apply: 50 of 100 at 0.5 is p = 1.
	assert.InDelta(t, 1, sampleRatio(50, 100, 0.5).P, 1e-12)
}

// A difference that rounds to zero is written 0.0 points, never -0.0.
func TestPointsDiffHasNoSignedZero(t *testing.T) {
	for v, want := range map[float64]string{0.031: "+3.1 points", -0.031: "-3.1 points", -0.0004: "0.0 points", 0.0004: "0.0 points", 0: "0.0 points", -0.0006: "-0.1 points"} {
		if got := PointsDiff(v); got != want {
			t.Errorf("PointsDiff(%v) = %q, want %q", v, got, want)
		}
	}
}
