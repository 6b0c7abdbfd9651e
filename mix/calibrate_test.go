package mix

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// A window's effect, worked by hand. Spend 100 in week 1 only, geometric
// decay 0.5, Hill half-saturation 100, shape 1: adstock 0, 100, 50, 25, and
// with week 1's spend off, 0 throughout. Over week 1 the effect is
// h(100) = 0.5; over weeks 1 and 2, 0.5 + h(50) = 0.5 + 1/3. With spend 100
// in week 0 too, week 1's adstock is 150 with its spend and 50 without:
// h(150) - h(50) = 0.6 - 1/3; week 0's carry-over is in both and cancels.
func TestWindowEffectByHand(t *testing.T) {
	ad := Adstock{Kind: Geometric, Decay: 0.5}
	h := Hill{Half: 100, Shape: 1}
	assert.InDelta(t, 0.5, windowEffect(ad, h, []float64{0, 100, 0, 0}, 1, 1), 1e-12)
	assert.InDelta(t, 0.5+1.0/3, windowEffect(ad, h, []float64{0, 100, 0, 0}, 1, 2), 1e-12)
	assert.InDelta(t, 0.6-1.0/3, windowEffect(ad, h, []float64{100, 100, 0}, 1, 1), 1e-12)
	assert.Zero(t, windowEffect(ad, h, []float64{100, 0, 0}, 1, 2), "nothing spent in the window: no effect")

	// The simulator's truth is the same arithmetic times the coefficient.
	d := Data{Channels: []Channel{{Name: "tv", Spend: []float64{100, 100, 0}}}}
	tr := Truth{Channels: []TrueChannel{{Adstock: ad, Saturation: h, Coefficient: 3000}}}
	assert.InDelta(t, 3000*(0.6-1.0/3), tr.Lift(d, 0, 1, 1), 1e-9)
}

// The penalty arithmetic, by hand. One channel x = 1, 2, 3, 4 and KPI
// y = 2, 4, 5, 9: Sxx = 5, Sxy = 11, so least squares gives slope 11/5.
// A lift test saying the channel's effect over some weeks, X = 3 per unit
// of slope, is L = 3, with weight w = 2, adds w(3β - 3)² to the squared
// error; the minimum is at β = (Sxy + wXL)/(Sxx + wX²) = (11 + 18)/(5 + 18)
// = 29/23. With ridge penalty λ on the standardised coefficient (sd² =
// 1.25, 4 rows), Sxx gains λ·4·1.25 = 5λ: 29/23.5 at λ = 0.1. The
// intercept is ȳ - β·x̄ = 5 - 2.5β either way: the test has no intercept.
func TestLiftPenaltyByHand(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y := []float64{2, 4, 5, 9}
	sd := math.Sqrt(1.25)
	for _, c := range []struct {
		lambda, want float64
	}{{0, 29.0 / 23}, {0.1, 29 / 23.5}} {
		sys := newSystem([][]float64{x}, 4, c.lambda)
		require.InDelta(t, sd, sys.sd[0], 1e-12)
		lm, err := sys.solve(y, []bool{true}, pseudo{j: 0, u: 3 / sys.sd[0], target: 3, w: 2})
		require.NoError(t, err)
		assert.InDelta(t, c.want, lm.beta[0], 1e-12, "λ=%v", c.lambda)
		assert.InDelta(t, 5-2.5*c.want, lm.intercept, 1e-12)
	}
	// Without the test, the plain least-squares slope.
	lm, err := newSystem([][]float64{x}, 4, 0).solve(y, []bool{true})
	require.NoError(t, err)
	assert.InDelta(t, 11.0/5, lm.beta[0], 1e-12)
}

// The same penalty on a design with two channels and an intercept, against
// least squares on the design with the test appended as one more row
// (sqrt(w)·X in the channel's column, sqrt(w)·L as its KPI, 0 for the
// intercept), solved by gonum's QR: an independent computation.
func TestLiftPenaltyIsAnAugmentedRow(t *testing.T) {
	x1 := []float64{1, 2, 3, 4, 5, 6, 7}
	x2 := []float64{2, 1, 4, 3, 6, 8, 5}
	y := []float64{10, 11, 17, 16, 24, 30, 27}
	const X, L, w = 4.0, 9.0, 3.0
	sys := newSystem([][]float64{x1, x2}, 7, 0)
	lm, err := sys.solve(y, []bool{false, false}, pseudo{j: 1, u: X / sys.sd[1], target: L, w: w})
	require.NoError(t, err)

	A := mat.NewDense(8, 3, nil)
	b := mat.NewDense(8, 1, nil)
	for t := range y {
		A.SetRow(t, []float64{1, x1[t], x2[t]})
		b.Set(t, 0, y[t])
	}
	A.SetRow(7, []float64{0, 0, math.Sqrt(w) * X})
	b.Set(7, 0, math.Sqrt(w)*L)
	var sol mat.Dense
	require.NoError(t, sol.Solve(A, b))
	assert.InDelta(t, sol.At(0, 0), lm.intercept, 1e-9)
	assert.InDelta(t, sol.At(1, 0), lm.beta[0], 1e-9)
	assert.InDelta(t, sol.At(2, 0), lm.beta[1], 1e-9)
	// and the test did move the fit: without it, another slope.
	plain, err := sys.solve(y, []bool{false, false})
	require.NoError(t, err)
	assert.Greater(t, math.Abs(plain.beta[1]-lm.beta[1]), 0.05)
}

// confoundedSim is two years of weeks in which search's spend follows an
// unobserved demand that also lifts the KPI: the uncalibrated fit credits
// search with some of the demand.
func confoundedSim(seed uint64) Simulation {
	chans := append([]SimChannel(nil), DefaultSimChannels...)
	chans[1].FollowDemand = 1
	return Simulation{Weeks: 104, Start: time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC), Seed: seed, Level: 100000,
		Trend: 0.2, Season: 0.1, Noise: 0.05, Demand: 0.1, Channels: chans}
}

// liftWeeks are the weeks of a simulated lift test of search: the first 12
// weeks from week 60 on in which search is on in at least 9 (a test is run
// while the channel runs).
func liftWeeks(d Data) (from, to int) {
	for from = 60; from+11 < len(d.KPI); from++ {
		on := 0
		for _, v := range d.Channels[1].Spend[from : from+12] {
			if v > 0 {
				on++
			}
		}
		if on >= 9 {
			return from, from + 11
		}
	}
	panic("search is off in the second half")
}

// simulatedTest is a lift test of search over liftWeeks whose standard
// error is rel times the true lift, its result drawn from that error.
func simulatedTest(d Data, truth Truth, rel float64, rng *rand.Rand) (LiftTest, float64) {
	liftFrom, liftTo := liftWeeks(d)
	L := truth.Lift(d, 1, liftFrom, liftTo)
	se := rel * L
	v := L + se*rng.NormFloat64()
	return LiftTest{Channel: "search", Start: d.Weeks[liftFrom], End: d.Weeks[liftTo].AddDate(0, 0, 6), Incremental: v, Low: v - z95*se, High: v + z95*se}, L
}

// A confounded channel: over 30 simulated data sets, the uncalibrated fit
// overstates search's ROAS (true 2.5); one 12-week lift test with a 5%
// standard error, its result drawn from that error, brings the estimate
// near the truth. The mean absolute error must fall by more than half,
// and the calibrated estimate be the nearer in at least 3 data sets of 4
// (in short mode, a smoke test of 8 data sets, in more than half: 8 cannot
// tell a rate of 62% from 75%).
func TestCalibrationRecoversConfoundedChannel(t *testing.T) {
	skipUnderRace(t)
	seeds := 30
	if testing.Short() {
		seeds = 8
	}
	rng := rand.New(rand.NewPCG(7, 7))
	var errBefore, errAfter, biasBefore float64
	nearer, covBefore, covAfter := 0, 0, 0
	for s := 1; s <= seeds; s++ {
		d, truth, err := Simulate(confoundedSim(uint64(s)))
		require.NoError(t, err)
		test, _ := simulatedTest(d, truth, 0.05, rng)
		r0, err := Fit(d, Options{Bootstrap: 40})
		require.NoError(t, err)
		r1, err := Fit(d, Options{Bootstrap: 40, LiftTests: []LiftTest{test}})
		require.NoError(t, err)
		require.Len(t, r1.Calibration, 1, "seed %d: %v", s, r1.Warnings)
		tr := truth.Channels[1].ROAS
		e0, e1 := math.Abs(r0.Channels[1].ROAS.Value-tr), math.Abs(r1.Channels[1].ROAS.Value-tr)
		errBefore += e0
		errAfter += e1
		biasBefore += r0.Channels[1].ROAS.Value - tr
		if e1 < e0 {
			nearer++
		}
		in := func(i Interval) int {
			if i.Low <= tr && tr <= i.High {
				return 1
			}
			return 0
		}
		covBefore += in(r0.Channels[1].ROAS)
		covAfter += in(r1.Channels[1].ROAS)
		// The uncalibrated figures in the calibration report are those of
		// the uncalibrated fit.
		assert.Equal(t, r0.Channels[1].ROAS.Value > 0, r1.Calibration[0].Before.Value > 0)
	}
	n := float64(seeds)
	t.Logf("search's ROAS, true 2.5, over %d data sets: mean absolute error %.3f uncalibrated (mean bias %+.3f), %.3f calibrated; calibrated nearer in %d",
		seeds, errBefore/n, biasBefore/n, errAfter/n, nearer)
	t.Logf("95%% intervals holding the true ROAS: %d of %d uncalibrated, %d calibrated", covBefore, seeds, covAfter)
	assert.Greater(t, biasBefore/n, 0.2, "the simulation must confound search, or the test proves nothing")
	assert.Less(t, errAfter, errBefore/2)
	if testing.Short() {
		assert.Greater(t, float64(nearer), n/2)
	} else {
		assert.GreaterOrEqual(t, float64(nearer), 0.75*n)
	}
}

// The pull is in proportion to the test's precision. On the same data, a
// test that tells the true lift with a 1% standard error moves the model's
// estimate of the window's effect most of the way to it (at least 80% of
// the gap); one with a standard error of 5 times the lift barely moves it
// (less than 5% of the gap).
func TestPrecisionSetsThePull(t *testing.T) {
	skipUnderRace(t)
	for _, seed := range []uint64{1, 4, 9} {
		d, truth, err := Simulate(confoundedSim(seed))
		require.NoError(t, err)
		liftFrom, liftTo := liftWeeks(d)
		L := truth.Lift(d, 1, liftFrom, liftTo)
		moved := func(rel float64) (float64, Calibration) {
			se := rel * L
			test := LiftTest{Channel: "search", Start: d.Weeks[liftFrom], End: d.Weeks[liftTo], Incremental: L, Low: L - z95*se, High: L + z95*se}
			r, err := Fit(d, Options{Bootstrap: 20, LiftTests: []LiftTest{test}})
			require.NoError(t, err)
			require.Len(t, r.Calibration, 1)
			c := r.Calibration[0]
			return (c.After.Value - c.Before.Value) / (L - c.Before.Value), c
		}
		precise, c := moved(0.01)
		vague, _ := moved(5)
		t.Logf("seed %d: true lift %.0f, uncalibrated %.0f; share of the gap closed: %.3f by a 1%% test, %.4f by a 500%% one", seed, L, c.Before.Value, precise, vague)
		require.Greater(t, math.Abs(L-c.Before.Value), 0.1*L, "seed %d: the uncalibrated fit is already right; pick a confounded seed", seed)
		assert.Greater(t, precise, 0.8, "seed %d", seed)
		assert.InDelta(t, L, c.After.Value, 3*0.01*L, "seed %d: within 3 standard errors of the test", seed)
		assert.Less(t, math.Abs(vague), 0.05, "seed %d", seed)
	}
}

// Lift tests the fit cannot use are left out, each with a warning that
// says why: a misspelt channel (with the did-you-mean), weeks outside the
// data, a channel that spent nothing in the test's weeks. A channel's name
// in another case is the channel.
func TestLiftTestsLeftOut(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 60
	d, truth, err := Simulate(sim)
	require.NoError(t, err)
	off := -1
	for w, v := range d.Channels[2].Spend {
		if w > 0 && v == 0 && d.Channels[2].Spend[w-1] == 0 {
			off = w
			break
		}
	}
	require.GreaterOrEqual(t, off, 0, "social has two weeks without spend")
	L := truth.Lift(d, 0, 20, 23)
	good := LiftTest{Channel: "TV", Start: d.Weeks[20], End: d.Weeks[23], Incremental: L, Low: 0.8 * L, High: 1.2 * L, Line: 2}
	tests := []LiftTest{
		good,
		{Channel: "serach", Start: d.Weeks[10], End: d.Weeks[12], Incremental: 1, Low: 0, High: 2, Line: 3},
		{Channel: "search", Start: d.Weeks[0].AddDate(0, 0, -14), End: d.Weeks[3], Incremental: 1, Low: 0, High: 2, Line: 4},
		{Channel: "search", Start: d.Weeks[58], End: d.Weeks[59].AddDate(0, 0, 7), Incremental: 1, Low: 0, High: 2, Line: 5},
		{Channel: "social", Start: d.Weeks[off-1], End: d.Weeks[off], Incremental: 1, Low: 0, High: 2, Line: 6},
	}
	r, err := Fit(d, Options{Bootstrap: 20, LiftTests: tests})
	require.NoError(t, err)
	require.Len(t, r.Calibration, 1)
	assert.Equal(t, "tv", r.Calibration[0].Channel)
	assert.Equal(t, 4, r.Calibration[0].Weeks)
	assert.Equal(t, 2, r.Calibration[0].Line)
	var msgs []string
	for _, w := range r.Warnings {
		if w.Kind == WarnLiftLeftOut {
			msgs = append(msgs, w.Message)
		}
	}
	require.Len(t, msgs, 4)
	assert.Equal(t, `the lift test on line 3: channel "serach" is not in the spend data (its channels are tv, search, social); did you mean "search"?; it is left out of the fit`, msgs[0])
	assert.Equal(t, "the lift test on line 4: it ran 2022-12-19 to 2023-01-23, not all within the data's weeks (2023-01-02 to 2024-02-25); it is left out of the fit", msgs[1])
	assert.Contains(t, msgs[2], "the lift test on line 5: it ran 2024-02-12 to 2024-02-26, not all within the data's weeks")
	assert.Contains(t, msgs[3], "the lift test on line 6: social spent nothing in the weeks of")
}

// A test that disagrees with the uncalibrated model beyond both intervals
// is said to, in a warning with both figures; the fit moves toward it in
// proportion to its precision, and is not replaced by it.
func TestLiftTestThatDisagrees(t *testing.T) {
	d, truth, err := Simulate(exampleSim)
	require.NoError(t, err)
	L := truth.Lift(d, 0, 60, 71)
	v := 0.3 * L // far below the truth, and below what the model says
	test := LiftTest{Channel: "tv", Start: d.Weeks[60], End: d.Weeks[71], Incremental: v, Low: 0.8 * v, High: 1.2 * v}
	r, err := Fit(d, Options{Bootstrap: 40, LiftTests: []LiftTest{test}})
	require.NoError(t, err)
	require.Len(t, r.Calibration, 1)
	c := r.Calibration[0]
	t.Logf("%+v", c)
	assert.False(t, c.AgreesBefore)
	assert.True(t, c.Before.Low > c.Test.High, "the model's interval lies above the test's")
	assert.Less(t, c.After.Value, c.Before.Value, "pulled toward the test")
	assert.Greater(t, c.After.Value, c.Test.Value, "not replaced by it")
	var warned, still bool
	for _, w := range r.Warnings {
		switch w.Kind {
		case WarnLiftDisagrees:
			warned = true
			assert.Contains(t, w.Message, "tv: the lift test of 2024-02-26 to 2024-05-13 found ")
			assert.Contains(t, w.Message, "each lies outside the other's interval")
		case WarnLiftStillDisagrees:
			still = true
			assert.Contains(t, w.Message, "tv: even calibrated, the model and the lift test of 2024-02-26 to 2024-05-13 disagree")
		}
	}
	assert.True(t, warned)
	assert.Equal(t, !c.AgreesAfter, still, "a disagreement after calibration is warned of too")
}

// Tests on two channels: each is reported, in the order given; the same
// data, tests and seed give the same result.
func TestCalibrationDeterministic(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 80
	d, truth, err := Simulate(sim)
	require.NoError(t, err)
	mk := func(c, from, to int, name string) LiftTest {
		L := truth.Lift(d, c, from, to)
		return LiftTest{Channel: name, Start: d.Weeks[from], End: d.Weeks[to], Incremental: L, Low: 0.9 * L, High: 1.1 * L}
	}
	tests := []LiftTest{mk(2, 30, 37, "social"), mk(0, 50, 57, "tv")}
	a, err := Fit(d, Options{Bootstrap: 30, LiftTests: tests})
	require.NoError(t, err)
	b, err := Fit(d, Options{Bootstrap: 30, LiftTests: tests})
	require.NoError(t, err)
	assert.Equal(t, a, b)
	require.Len(t, a.Calibration, 2)
	assert.Equal(t, "social", a.Calibration[0].Channel)
	assert.Equal(t, "tv", a.Calibration[1].Channel)
	for _, c := range a.Calibration {
		assert.True(t, c.After.Low <= c.After.Value && c.After.Value <= c.After.High, "%+v", c)
		assert.Greater(t, c.Weight, 0.0)
	}
}

// Calibration keeps the model's scaling: the KPI and the tests' results
// scaled by c scale every ROAS and every test's before and after by c;
// spend scaled by c scales ROAS by 1/c and leaves the tests' figures (KPI)
// as they were.
func TestCalibratedScaling(t *testing.T) {
	skipUnderRace(t)
	sim := exampleSim
	sim.Weeks = 104
	d, truth, err := Simulate(sim)
	require.NoError(t, err)
	test := func(k float64) []LiftTest {
		L := truth.Lift(d, 0, 60, 71)
		return []LiftTest{{Channel: "tv", Start: d.Weeks[60], End: d.Weeks[71], Incremental: 0.8 * L * k, Low: 0.6 * L * k, High: 1.0 * L * k}}
	}
	base, err := Fit(d, Options{Bootstrap: 30, LiftTests: test(1)})
	require.NoError(t, err)
	require.Len(t, base.Calibration, 1)
	for _, c := range []float64{3, 0.25} {
		rk, err := Fit(scaled(d, 1, c), Options{Bootstrap: 30, LiftTests: test(c)})
		require.NoError(t, err)
		rs, err := Fit(scaled(d, c, 1), Options{Bootstrap: 30, LiftTests: test(1)})
		require.NoError(t, err)
		near := func(want, got float64, msg string) {
			assert.InDelta(t, want, got, 1e-8*math.Abs(want)+1e-9, "%s, c=%v", msg, c)
		}
		for i, ch := range base.Channels {
			for _, v := range [][3]float64{{ch.ROAS.Value, rk.Channels[i].ROAS.Value, rs.Channels[i].ROAS.Value}, {ch.ROAS.Low, rk.Channels[i].ROAS.Low, rs.Channels[i].ROAS.Low}, {ch.ROAS.High, rk.Channels[i].ROAS.High, rs.Channels[i].ROAS.High}} {
				near(v[0]*c, v[1], ch.Name+" ROAS, KPI scaled")
				near(v[0]/c, v[2], ch.Name+" ROAS, spend scaled")
			}
		}
		b, k, s := base.Calibration[0], rk.Calibration[0], rs.Calibration[0]
		for _, v := range [][3]float64{{b.Before.Value, k.Before.Value, s.Before.Value}, {b.After.Value, k.After.Value, s.After.Value}, {b.After.Low, k.After.Low, s.After.Low}, {b.After.High, k.After.High, s.After.High}} {
			near(v[0]*c, v[1], "a test's figures, KPI scaled")
			near(v[0], v[2], "a test's figures, spend scaled")
		}
		near(b.Weight, k.Weight, "the weight, KPI scaled")
	}
}

// Odd tests fit without a panic and give finite figures: a negative result
// (the channel's effect cannot go below zero, so the fit stops there), a
// test of one day, an interval almost of no width, a huge result.
func TestOddLiftTests(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 60
	d, truth, err := Simulate(sim)
	require.NoError(t, err)
	L := truth.Lift(d, 0, 20, 27)
	for _, lt := range []LiftTest{
		{Channel: "tv", Start: d.Weeks[20], End: d.Weeks[27], Incremental: -L, Low: -2 * L, High: 0},
		{Channel: "tv", Start: d.Weeks[20].AddDate(0, 0, 3), End: d.Weeks[20].AddDate(0, 0, 3), Incremental: L / 8, Low: L / 10, High: L / 6},
		{Channel: "tv", Start: d.Weeks[20], End: d.Weeks[27], Incremental: L, Low: L * (1 - 1e-9), High: L * (1 + 1e-9)},
		{Channel: "tv", Start: d.Weeks[20], End: d.Weeks[27], Incremental: 1e6 * L, Low: 0.9e6 * L, High: 1.1e6 * L},
	} {
		r, err := Fit(d, Options{Bootstrap: 20, LiftTests: []LiftTest{lt}})
		require.NoError(t, err, "%+v", lt)
		require.Len(t, r.Calibration, 1)
		c := r.Calibration[0]
		for _, v := range []float64{c.After.Value, c.After.Low, c.After.High, r.Channels[0].ROAS.Value, r.Channels[0].ROAS.Low, r.Channels[0].ROAS.High, r.BaselineShare} {
			require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%+v: %+v", lt, c)
		}
		assert.GreaterOrEqual(t, c.After.Value, 0.0)
		t.Logf("test %.0f (%.0f to %.0f): before %.0f, after %.0f (%.0f to %.0f)", c.Test.Value, c.Test.Low, c.Test.High, c.Before.Value, c.After.Value, c.After.Low, c.After.High)
	}
}

// A test that covers part of a week, by hand. Spend 100 in week 1, decay
// 0.5, half-saturation 100, shape 1: adstock 100, 50 in weeks 1 and 2
// with the spend, 0 without; a test covering 5/7 of week 1 and 2/7 of week
// 2 counts 5/7 of week 1's difference and 2/7 of week 2's: 5/7·h(100) +
// 2/7·h(50) = 5/7·1/2 + 2/7·1/3. A one-day test reads a seventh of its
// week's difference.
func TestPartialWindowEffectByHand(t *testing.T) {
	ad := Adstock{Kind: Geometric, Decay: 0.5}
	h := Hill{Half: 100, Shape: 1}
	want := 5.0/7*0.5 + 2.0/7*(1.0/3)
	assert.InDelta(t, want, partialWindowEffect(ad, h, []float64{0, 100, 0, 0}, 1, []float64{5.0 / 7, 2.0 / 7}), 1e-12)
	assert.InDelta(t, 0.5/7, partialWindowEffect(ad, h, []float64{0, 100, 0, 0}, 1, []float64{1.0 / 7}), 1e-12)
	assert.InDelta(t, windowEffect(ad, h, []float64{0, 100, 50, 0}, 1, 2), partialWindowEffect(ad, h, []float64{0, 100, 50, 0}, 1, []float64{1, 1}), 1e-15)

	mon := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	weeks := []time.Time{mon, mon.AddDate(0, 0, 7), mon.AddDate(0, 0, 14)}
	wed := mon.AddDate(0, 0, 2)
	share, days := weekCoverage(weeks, 0, 1, wed, wed.AddDate(0, 0, 6))
	assert.Equal(t, []float64{5.0 / 7, 2.0 / 7}, share)
	assert.Equal(t, 7, days)
	share, days = weekCoverage(weeks, 1, 1, wed.AddDate(0, 0, 7), wed.AddDate(0, 0, 7))
	assert.Equal(t, []float64{1.0 / 7}, share)
	assert.Equal(t, 1, days)
}

// A test's dates need not line up with the model's weeks: a 7-day test is
// read as one week's worth whatever day it starts on, a one-day test as a
// seventh of a week, and the report says so. The model's figure for a
// 7-day test from a Wednesday lies near those of the whole weeks it
// straddles (read as two whole weeks, it was about twice them).
func TestLiftTestOffTheWeeks(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 60
	d, truth, err := Simulate(sim)
	require.NoError(t, err)
	L := truth.Lift(d, 0, 20, 20)
	wed := d.Weeks[20].AddDate(0, 0, 2)
	tests := []LiftTest{
		{Channel: "tv", Start: d.Weeks[20], End: d.Weeks[20].AddDate(0, 0, 6), Incremental: L, Low: 0.5 * L, High: 1.5 * L},
		{Channel: "tv", Start: d.Weeks[21], End: d.Weeks[21].AddDate(0, 0, 6), Incremental: L, Low: 0.5 * L, High: 1.5 * L},
		{Channel: "tv", Start: wed, End: wed.AddDate(0, 0, 6), Incremental: L, Low: 0.5 * L, High: 1.5 * L},
		{Channel: "tv", Start: wed, End: wed, Incremental: L / 7, Low: L / 14, High: L / 5},
	}
	r, err := Fit(d, Options{Bootstrap: 20, LiftTests: tests})
	require.NoError(t, err)
	require.Len(t, r.Calibration, 4)
	c := r.Calibration
	for i, want := range []struct {
		days, weeks int
		read        float64
	}{{7, 1, 1}, {7, 1, 1}, {7, 2, 1}, {1, 1, 1.0 / 7}} {
		assert.Equal(t, want.days, c[i].Days, "test %d", i)
		assert.Equal(t, want.weeks, c[i].Weeks, "test %d", i)
		assert.InDelta(t, want.read, c[i].WeeksRead, 1e-12, "test %d", i)
	}
	lo, hi := math.Min(c[0].Before.Value, c[1].Before.Value), math.Max(c[0].Before.Value, c[1].Before.Value)
	assert.Greater(t, c[2].Before.Value, 0.8*lo, "%+v", c[2])
	assert.Less(t, c[2].Before.Value, 1.2*hi, "%+v", c[2])
	assert.InDelta(t, c[0].Before.Value/7, c[3].Before.Value, 0.35*c[0].Before.Value/7, "a one-day test reads about a seventh of its week: %+v", c[3])
}

// The calibrated estimate depends on the data and the tests, not on the
// bootstrap's seed or size: the tests are weighed by refits of their own,
// with a fixed seed. Intervals may differ.
func TestCalibratedEstimateIndependentOfSeed(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 80
	d, truth, err := Simulate(sim)
	require.NoError(t, err)
	L := truth.Lift(d, 2, 30, 37)
	tests := []LiftTest{{Channel: "social", Start: d.Weeks[30], End: d.Weeks[37].AddDate(0, 0, 6), Incremental: L, Low: 0.9 * L, High: 1.1 * L}}
	var first *Result
	for seed := uint64(1); seed <= 4; seed++ {
		r, err := Fit(d, Options{Bootstrap: 20 + 5*int(seed), Seed: seed, LiftTests: tests})
		require.NoError(t, err)
		if first == nil {
			first = r
			continue
		}
		for c := range r.Channels {
			assert.Equal(t, first.Channels[c].Incremental.Value, r.Channels[c].Incremental.Value, "seed %d, %s", seed, r.Channels[c].Name)
			assert.Equal(t, first.Channels[c].ROAS.Value, r.Channels[c].ROAS.Value, "seed %d, %s", seed, r.Channels[c].Name)
		}
		assert.Equal(t, first.Calibration[0].After.Value, r.Calibration[0].After.Value, "seed %d", seed)
		assert.Equal(t, first.Calibration[0].Weight, r.Calibration[0].Weight, "seed %d", seed)
	}
}

// A test on one channel leaves the curves of the others and the ridge
// penalty as the uncalibrated fit chose them; every channel's change is
// reported, and a channel no test names that moves outside its
// uncalibrated interval is warned of.
func TestCalibrationShift(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 80
	d, truth, err := Simulate(sim)
	require.NoError(t, err)
	unc, err := Fit(d, Options{Bootstrap: 20})
	require.NoError(t, err)
	L := truth.Lift(d, 2, 30, 41)
	for _, k := range []float64{1, 3} { // the truth, and far above it
		tests := []LiftTest{{Channel: "social", Start: d.Weeks[30], End: d.Weeks[41].AddDate(0, 0, 6), Incremental: k * L, Low: 0.95 * k * L, High: 1.05 * k * L}}
		r, err := Fit(d, Options{Bootstrap: 20, LiftTests: tests})
		require.NoError(t, err)
		assert.Equal(t, unc.Lambda, r.Lambda, "the penalty is not re-chosen")
		require.Len(t, r.CalibrationShift, len(d.Channels))
		for c, s := range r.CalibrationShift {
			assert.Equal(t, d.Channels[c].Name, s.Channel)
			assert.Equal(t, s.Channel == "social", s.Tested)
			assert.InDelta(t, unc.Channels[c].Incremental.Value, s.Before.Value, 1e-6*unc.Channels[c].Incremental.Value, "before is the uncalibrated fit")
			assert.Equal(t, r.Channels[c].Incremental, s.After)
			if !s.Tested {
				assert.Equal(t, unc.Channels[c].Adstock, r.Channels[c].Adstock, "%s's curves are kept", s.Channel)
				assert.Equal(t, unc.Channels[c].Saturation, r.Channels[c].Saturation, "%s's curves are kept", s.Channel)
			}
			moved := s.After.Value < s.Before.Low || s.After.Value > s.Before.High
			t.Logf("k=%v %s tested %v: %.0f (%.0f to %.0f) -> %.0f, moved %v", k, s.Channel, s.Tested, s.Before.Value, s.Before.Low, s.Before.High, s.After.Value, moved)
			warned := false
			for _, w := range r.Warnings {
				warned = warned || w.Kind == WarnUntestedMoved && w.Channels[0] == s.Channel
			}
			assert.Equal(t, moved && !s.Tested, warned, "k=%v %+v", k, s)
		}
	}
}

// The warning of an untested channel that moved: outside its uncalibrated
// interval, on either side, and only for a channel no test names.
func TestUntestedMovedWarning(t *testing.T) {
	before := Interval{Value: 100, Low: 80, High: 130}
	ws := untestedMoved([]ChannelShift{
		{Channel: "a", Before: before, After: Interval{Value: 131}},
		{Channel: "b", Before: before, After: Interval{Value: 79}},
		{Channel: "c", Before: before, After: Interval{Value: 130}},
		{Channel: "d", Tested: true, Before: before, After: Interval{Value: 500}},
	})
	require.Len(t, ws, 2)
	assert.Equal(t, []string{"a"}, ws[0].Channels)
	assert.Equal(t, []string{"b"}, ws[1].Channels)
	assert.Equal(t, WarnUntestedMoved, ws[0].Kind)
	assert.Equal(t, "a: no lift test names it, yet calibration moved its incremental KPI from 100 (95% 80 to 130) to 131, outside its uncalibrated interval: the tests of other channels moved it through the joint fit (channels whose spend moves together share the effect); read its figures as resting on those tests", ws[0].Message)
}
