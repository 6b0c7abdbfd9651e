package backtest_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
)

// Newcombe (1998), "Interval estimation for the difference between
// independent proportions", Statistics in Medicine 17, Table II, method 10
// (the hybrid score interval), to four places: examples (a), (b), (d) and
// (e) as the paper gives them; (c) as a separate implementation (Python,
// from the Wilson intervals) gives it.
func TestNewcombeDifferenceAgainstThePaper(t *testing.T) {
	for _, c := range []struct {
		k1, n1, k2, n2 int
		low, high      float64
	}{
		{56, 70, 48, 80, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.1705, 0.8090},
		{6, 7, 2, 7, 0.0582, 0.8062},
		{5, 56, 0, 29, -0.0381, 0.1926},
		{0, 10, 0, 20, -0.1611, 0.2775},
	} {
		e := backtest.NewcombeDifference(c.k1, c.n1, c.k2, c.n2)
		require.NotNil(t, e.Value)
		assert.InDelta(t, float64(c.k1)/float64(c.n1)-float64(c.k2)/float64(c.n2), *e.Value, 1e-12)
		assert.InDelta(t, c.low, *e.Low, 5e-5, "%d/%d − %d/%d", c.k1, c.n1, c.k2, c.n2)
		assert.InDelta(t, c.high, *e.High, 5e-5, "%d/%d − %d/%d", c.k1, c.n1, c.k2, c.n2)
	}
	assert.Nil(t, backtest.NewcombeDifference(1, 0, 1, 2).Value, "nothing to divide by")
}

// A small case worked by hand: 40 treated leads, 10 won at 100 each; 40
// control leads, 4 won at 100 each.
func TestHoldoutSmallCaseByHand(t *testing.T) {
	h := backtest.NewHoldout(rules.NewHoldout(0.5, "s"), "m", "")
	for i := 0; i < 40; i++ {
		h.Add(backtest.HoldoutLead{SalesReady: true, Won: i < 10, Revenue: 100})
		h.Add(backtest.HoldoutLead{Control: true, SalesReady: true, Won: i < 4, Revenue: 100})
	}
	r := h.Report()
	assert.Equal(t, "sales_ready", r.Population)
	assert.Equal(t, 40, r.Treated.Leads)
	assert.Equal(t, 10, r.Treated.Won)
	assert.Equal(t, 4, r.Control.Won)
	assert.InDelta(t, 0.25, *r.Treated.WinRate.Value, 1e-12)
	assert.InDelta(t, 25.0, *r.Treated.RevenuePerLead.Value, 1e-12)
	assert.InDelta(t, 10.0, *r.Control.RevenuePerLead.Value, 1e-12)
	// Difference 0.25 − 0.10 = 0.15; Wilson intervals (z = 1.959964):
	// 10/40: 0.14190 to 0.40194; 4/40: 0.03958 to 0.23052; Newcombe:
	// 0.15 − √(0.10810² + 0.13052²) = −0.01948, 0.15 + √(0.15194² + 0.06042²) = 0.31351.
	assert.InDelta(t, 0.15, *r.Lift.WinRate.Value, 1e-12)
	assert.InDelta(t, -0.01948, *r.Lift.WinRate.Low, 5e-5)
	assert.InDelta(t, 0.31351, *r.Lift.WinRate.High, 5e-5)
	// Ratio 2.5; Katz: se = √(1/10 − 1/40 + 1/4 − 1/40) = √0.3 = 0.547723;
	// 2.5 · e^(∓1.959964 · 0.547723) = 0.85451 to 7.31412.
	assert.InDelta(t, 2.5, *r.Lift.WinRateRatio.Value, 1e-12)
	assert.InDelta(t, 0.85451, *r.Lift.WinRateRatio.Low, 5e-5)
	assert.InDelta(t, 7.31412, *r.Lift.WinRateRatio.High, 5e-5)
	// Revenue per lead: 4 control wins are too few to tell the spread of
	// revenue, so the difference has no interval, and says why.
	assert.InDelta(t, 15.0, *r.Lift.RevenuePerLead.Value, 1e-9)
	assert.Nil(t, r.Lift.RevenuePerLead.Low)
	assert.Nil(t, r.Control.RevenuePerLead.Low)
	assert.Nil(t, r.Power.MinDetectableRevenuePerLead)
	assert.Equal(t, "no interval: the control group has 4 won deals, under 5, too few to tell the spread of revenue", r.Lift.RevenueWithheld)
	// Power: pooled p = 14/80 = 0.175; (1.959964 + 0.841621) · √(0.175 · 0.825 · (2/40)) = 0.23803.
	assert.InDelta(t, 0.23803, *r.Power.MinDetectableDifference, 5e-5)
	// 4 control wins: withheld, and says why.
	assert.Equal(t, "withheld", r.Decision)
	assert.Equal(t, "the control group has 4 won deals, under 5: too few to compare win rates", r.WithheldReason)
	assert.Empty(t, r.Verdict)

	// One more control lead, won: 10/40 against 5/41 has enough deals, but
	// its interval (Newcombe, computed apart: -0.04374 to 0.29481) includes 0.
	h.Add(backtest.HoldoutLead{Control: true, SalesReady: true, Won: true, Revenue: 100})
	r = h.Report()
	assert.Equal(t, "withheld", r.Decision)
	assert.Contains(t, r.WithheldReason, "the 95% interval of the difference, -4.4 points to +29.5 points, includes 0")
	// Revenue per lead, 5 control wins: variances 100²·0.25·0.75·40/39 =
	// 1923.077 and 100²·(5/41)(36/41)·41/40 = 1097.561; se =
	// √(1923.077/40 + 1097.561/41) = 8.65140; Welch df = 72.58; t(0.975)
	// at 72.58 (the t density integrated by Simpson's rule, apart) is
	// 1.99319: 12.80488 ± 17.24389.
	assert.InDelta(t, 12.80488, *r.Lift.RevenuePerLead.Value, 1e-5)
	assert.InDelta(t, -4.43901, *r.Lift.RevenuePerLead.Low, 1e-3)
	assert.InDelta(t, 30.04876, *r.Lift.RevenuePerLead.High, 1e-3)
	assert.Empty(t, r.Lift.RevenueWithheld)
}

func TestHoldoutWithholdsOnThinArms(t *testing.T) {
	h := backtest.NewHoldout(rules.NewHoldout(1.0/6, "s"), "m", "") // 100 control leads of 600: no sample ratio mismatch
	for i := 0; i < 500; i++ {
		h.Add(backtest.HoldoutLead{SalesReady: true, Won: i < 250})
	}
	for i := 0; i < 100; i++ {
		h.Add(backtest.HoldoutLead{Control: true, SalesReady: true, Won: i < 4})
	}
	r := h.Report()
	// A difference of 46 points, far from 0, but 4 control wins: withheld.
	assert.Greater(t, *r.Lift.WinRate.Low, 0.3)
	assert.Equal(t, "withheld", r.Decision)
	assert.Equal(t, "the control group has 4 won deals, under 5: too few to compare win rates", r.WithheldReason)

	h.Add(backtest.HoldoutLead{Control: true, SalesReady: true, Won: true})
	r = h.Report()
	assert.Equal(t, "raises", r.Decision)
	assert.Contains(t, r.Verdict, "The hand-off raises the win rate of the sales-ready leads by 45.0 points")
}

// simulate draws n leads: a lead is sales-ready with chance 0.3; a
// sales-ready lead wins with chance pTreated when handed off and pControl
// when held out, any other lead with chance 0.02; a won deal's revenue is
// lognormal with mean 10,000. The groups are drawn by the documented hash.
func simulate(r *rand.Rand, seed string, n int, share, pTreated, pControl float64) *backtest.HoldoutReport {
	h := rules.NewHoldout(share, seed)
	c := backtest.NewHoldout(h, "m", "")
	const sigma = 1.0
	mu := math.Log(10000) - sigma*sigma/2
	for i := 0; i < n; i++ {
		l := backtest.HoldoutLead{Control: h.Control(fmt.Sprintf("L%07d", i)), SalesReady: r.Float64() < 0.3}
		p := 0.02
		if l.SalesReady {
			p = pTreated
			if l.Control {
				p = pControl
			}
		}
		if l.Won = r.Float64() < p; l.Won {
			l.Revenue = math.Exp(mu + sigma*r.NormFloat64())
		}
		c.Add(l)
	}
	return c.Report()
}

// The 95% intervals of the lift cover the true lift about 95% of the time,
// over 400 simulated experiments with a known effect of the hand-off.
func TestHoldoutIntervalsCoverTheTrueLift(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulation of 400 experiments")
	}
	const runs = 400
	const pT, pC = 0.15, 0.10
	trueDiff, trueRevenue := pT-pC, (pT-pC)*10000
	var coveredRate, coveredRevenue, coveredOverall, raised int
	r := rand.New(rand.NewPCG(34, 3))
	for i := 0; i < runs; i++ {
		rep := simulate(r, fmt.Sprintf("sim-%d", i), 3000, 0.2, pT, pC)
		if *rep.Lift.WinRate.Low <= trueDiff && trueDiff <= *rep.Lift.WinRate.High {
			coveredRate++
		}
		if *rep.Lift.RevenuePerLead.Low <= trueRevenue && trueRevenue <= *rep.Lift.RevenuePerLead.High {
			coveredRevenue++
		}
		// Among all leads the effect is diluted: 0.3 of the leads are sales-ready.
		if o := rep.Overall; *o.Lift.WinRate.Low <= 0.3*trueDiff && 0.3*trueDiff <= *o.Lift.WinRate.High {
			coveredOverall++
		}
		if rep.Decision == "raises" {
			raised++
		}
	}
	// 400 runs at 95%: the standard deviation of the coverage is 1.1
	// points; 3 of them either side.
	lo, hi := int(math.Floor(runs*(0.95-3*0.0109))), int(math.Ceil(runs*(0.95+3*0.0109)))
	t.Logf("coverage: win rate %d, revenue per lead %d, overall %d of %d; raised %d", coveredRate, coveredRevenue, coveredOverall, runs, raised)
	assert.True(t, coveredRate >= lo && coveredRate <= hi, "win-rate difference covered %d of %d", coveredRate, runs)
	assert.True(t, coveredOverall >= lo && coveredOverall <= hi, "overall difference covered %d of %d", coveredOverall, runs)
	// Welch's t on lognormal revenue with many zeros is an approximation:
	// it may cover a little less than 95%.
	assert.True(t, coveredRevenue >= int(runs*0.90) && coveredRevenue <= hi, "revenue per lead covered %d of %d", coveredRevenue, runs)
	// About 180 control and 720 treated sales-ready leads: the minimum
	// detectable difference is near 8 points, so a 5-point lift is found in
	// well under all runs but far more than 5%.
	assert.Greater(t, raised, runs/5)
}

// With no effect, a verdict is given (the interval excludes 0) about 5%
// of the time, and never the wrong way round more than chance allows.
func TestHoldoutVerdictWithoutEffectAtTheFivePercentRate(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulation of 400 experiments")
	}
	const runs = 400
	r := rand.New(rand.NewPCG(34, 0))
	verdicts := 0
	for i := 0; i < runs; i++ {
		rep := simulate(r, fmt.Sprintf("null-%d", i), 3000, 0.2, 0.12, 0.12)
		require.Contains(t, []string{"raises", "lowers", "withheld"}, rep.Decision)
		if rep.Decision != "withheld" {
			verdicts++
		}
	}
	t.Logf("verdicts without effect: %d of %d", verdicts, runs)
	// 5% of 400 is 20, sd 4.4: at most 20 + 3 sd.
	assert.LessOrEqual(t, verdicts, 33)
	assert.GreaterOrEqual(t, verdicts, 5, "the test is not so conservative that it never speaks")
}

// At a true difference equal to the minimum detectable difference, the
// verdict comes about four times in five.
func TestHoldoutPowerIsWhatItSays(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulation of 400 experiments")
	}
	const runs = 400
	r := rand.New(rand.NewPCG(34, 80))
	// Find the detectable difference for this design from one run.
	first := simulate(r, "power-0", 3000, 0.2, 0.12, 0.12)
	mde := *first.Power.MinDetectableDifference
	raised := 0
	for i := 0; i < runs; i++ {
		if simulate(r, fmt.Sprintf("power-%d", i+1), 3000, 0.2, 0.12+mde/2, 0.12-mde/2).Decision == "raises" {
			raised++
		}
	}
	t.Logf("detectable difference %.4f: raised in %d of %d", mde, raised, runs)
	// 80% of 400 is 320, sd 8: within 4 sd (the formula is approximate).
	assert.InDelta(t, 320, raised, 32)
}

// The report does not depend on the order the leads come in (whole-number
// revenues add up exactly in any order).
func TestHoldoutReportIndependentOfOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	h := rules.NewHoldout(0.3, "order")
	leads := make([]backtest.HoldoutLead, 2000)
	for i := range leads {
		l := backtest.HoldoutLead{Control: h.Control(fmt.Sprint(i)), SalesReady: r.Float64() < 0.4, ChallengerSalesReady: r.Float64() < 0.4, Won: r.Float64() < 0.1}
		if l.Won {
			l.Revenue = float64(1000 + r.IntN(50000))
		}
		leads[i] = l
	}
	report := func() *backtest.HoldoutReport {
		c := backtest.NewHoldout(h, "m", "")
		for _, l := range leads {
			c.Add(l)
		}
		return c.Report()
	}
	first := report()
	for i := 0; i < 5; i++ {
		r.Shuffle(len(leads), func(i, j int) { leads[i], leads[j] = leads[j], leads[i] })
		assert.Equal(t, first, report())
	}
}
