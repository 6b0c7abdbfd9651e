package mix

import (
	"encoding/json"
	"flag"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dailySim is two years of days with a weekly pattern (weekends at 60% of
// a weekday's baseline), growth, a yearly cycle and 5% daily noise.
var dailySim = Simulation{Period: Day, Days: 730, Start: time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC), Seed: 1,
	Trend: 0.2, Season: 0.1, Noise: 0.05, DayOfWeek: []float64{0.6, 1.1, 1.1, 1.1, 1.1, 1.1, 0.6}}

// Daily adstock by hand: a decay of 0.5 a day carries half of yesterday's
// adstock; 100, 0, 0, 50 is 100, 50, 25, 62.5.
func TestDailyAdstockByHand(t *testing.T) {
	got := Adstock{Kind: Geometric, Decay: 0.5}.Apply([]float64{100, 0, 0, 50})
	assert.Equal(t, []float64{100, 50, 25, 62.5}, got)
	// A weekly decay d is d^(1/7) a day: a week of 0.6^(1/7) a day carries
	// over 0.6 of a day's spend after 7 days, as the weekly grid's 0.6.
	a := Adstock{Kind: Geometric, Decay: math.Pow(0.6, 1.0/7)}.Apply([]float64{100, 0, 0, 0, 0, 0, 0, 0})
	assert.InDelta(t, 60, a[7], 1e-9)
	// The daily grid reaches the weekly grid's spans: each weekly decay
	// but 0 is a daily one to the 7th power.
	for _, w := range gridDecay[1:] {
		found := false
		for _, d := range gridDayDecay {
			found = found || math.Abs(math.Pow(d, 7)-w) < 1e-12
		}
		assert.True(t, found, "weekly decay %v has no daily counterpart", w)
	}
	// A daily Weibull reads 91 days, its weights at lag 7 of scale 7 and
	// shape 1 are exp(-1), by hand 0.3679.
	w := Adstock{Kind: Weibull, Shape: 1, Scale: 7, Lags: DailyWeibullLags}.weights()
	assert.Len(t, w, 91)
	assert.InDelta(t, 0.36788, w[7], 1e-5)
}

// The daily model's baseline has six day-of-week columns (a dummy for each
// weekday but the first day's), yearly Fourier terms of period 365.25
// days, and folds of 91 days.
func TestDailyDesign(t *testing.T) {
	d, _, err := Simulate(dailySim)
	require.NoError(t, err)
	m := setup(d, Options{}.withDefaults())
	// trend, 2 Fourier pairs, 6 weekdays
	require.Len(t, m.base, 1+4+6)
	for k, col := range m.base[5:] {
		for t2, v := range col {
			want := 0.0
			if t2%7 == k+1 {
				want = 1
			}
			require.Equal(t, want, v, "weekday column %d, day %d", k, t2)
		}
	}
	// sin(2π·365/365.25) at day 365: nearly a full year.
	assert.InDelta(t, math.Sin(2*math.Pi*365/365.25), m.base[1][365], 1e-12)
	starts, h := m.folds()
	assert.Equal(t, 91, h)
	assert.Equal(t, []int{730 - 4*91, 730 - 3*91, 730 - 2*91, 730 - 91}, starts)
}

// The daily fit recovers simulated truth: on a few seeds, each channel's
// true ROAS lies in its 95% interval (counted: at least 8 of 9), the
// baseline share within 6.5 points each and 3 on average, and the JSON
// speaks of days.
func TestDailyFitRecovers(t *testing.T) {
	skipUnderRace(t)
	if testing.Short() {
		t.Skip("fits three daily data sets of 730 days")
	}
	covered, total, baseErr := 0, 0, 0.0
	for seed := uint64(1); seed <= 3; seed++ {
		sim := dailySim
		sim.Seed = seed
		d, truth, err := Simulate(sim)
		require.NoError(t, err)
		r, err := Fit(d, Options{Bootstrap: 60})
		require.NoError(t, err)
		for c, ch := range r.Channels {
			tc := truth.Channels[c]
			in := ch.ROAS.Low <= tc.ROAS && tc.ROAS <= ch.ROAS.High
			t.Logf("seed %d %-7s true ROAS %.2f, estimated %.2f (95%% %.2f to %.2f); decay %.3f (true %.3f)", seed, ch.Name, tc.ROAS, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, ch.Adstock.Decay, tc.Adstock.Decay)
			total++
			if in {
				covered++
			}
			// Each interval holds its own estimate (seed 2's social was
			// 0.90 with 0.07 to 0.89 before intervals were widened).
			assert.True(t, ch.ROAS.Low <= ch.ROAS.Value && ch.ROAS.Value <= ch.ROAS.High, "seed %d %s: %+v", seed, ch.Name, ch.ROAS)
		}
		// Over 40 such data sets (seeds 1 to 40, the search and the fit
		// on all days) the baseline share's error is at most 6.2 points,
		// 1.4 on average, with the channels' penalty relaxed or not
		// (channelRidge); seed 2's is -5.1 points (-4.7 before the
		// relaxed penalty), so each seed is held within 6.5 points and
		// the three on average within 3 (2.5 here).
		assert.InDelta(t, truth.BaselineShare, r.BaselineShare, 0.065, "seed %d", seed)
		baseErr += math.Abs(r.BaselineShare - truth.BaselineShare)
		assert.Equal(t, "day", r.Period)
		assert.Equal(t, 730, r.Days)
		assert.Equal(t, 0, r.Weeks)
		assert.Equal(t, 4*91, r.HeldOut.Days)
		if seed == 1 {
			b, err := json.Marshal(r)
			require.NoError(t, err)
			var got map[string]any
			require.NoError(t, json.Unmarshal(b, &got))
			assert.Equal(t, "day", got["period"])
			assert.EqualValues(t, 730, got["days"])
			assert.NotContains(t, got, "weeks")
			dec := got["decomposition"].([]any)[0].(map[string]any)
			assert.Equal(t, "2023-01-02", dec["day"])
			assert.NotContains(t, dec, "week")
			ch := got["channels"].([]any)[0].(map[string]any)
			for _, k := range []string{"name", "roas", "roi"} {
				assert.Contains(t, ch, k)
			}
			assert.Contains(t, got, "baseline_share")
		}
	}
	t.Logf("%d of %d intervals hold the true ROAS; the baseline share's mean absolute error %.4f", covered, total, baseErr/3)
	assert.GreaterOrEqual(t, covered, total-1)
	assert.Less(t, baseErr/3, 0.03)
}

// Daily data's checks are said of days, and data of the other period is
// named as such.
func TestDailyValidate(t *testing.T) {
	d, _, err := Simulate(dailySim)
	require.NoError(t, err)
	require.NoError(t, d.Validate())

	short := d
	short.Weeks, short.KPI = d.Weeks[:100], d.KPI[:100]
	assert.ErrorContains(t, short.Validate(), "100 days of data; a daily mix model needs at least 182")

	gap := d
	gap.Weeks = append(append([]time.Time(nil), d.Weeks[:10]...), d.Weeks[11:]...)
	gap.Weeks = append(gap.Weeks, d.Weeks[len(d.Weeks)-1].AddDate(0, 0, 1))
	assert.ErrorContains(t, gap.Validate(), "days 2023-01-11 and 2023-01-13 are 2 days apart; days must follow each other 1 day apart with none missing")

	// A weekly data set given to a daily run.
	w, _, err := Simulate(Simulation{Weeks: 200, Seed: 1})
	require.NoError(t, err)
	w.Period = Day
	assert.ErrorContains(t, w.Validate(), "7 days apart, so this looks like weekly data: run with --period week")
	// A daily one given to a weekly run.
	d.Period = Week
	assert.ErrorContains(t, d.Validate(), "1 day apart; weeks must follow each other 7 days apart with none missing; the dates are 1 day apart, so this looks like daily data: run with --period day")

	// Lift tests are for weekly models.
	d.Period = Day
	_, err = Fit(d, Options{LiftTests: []LiftTest{{Channel: "tv"}}})
	assert.ErrorContains(t, err, "lift tests calibrate weekly models only")
}

// Too few days for the channels is warned of in days.
func TestDailyFewDaysWarning(t *testing.T) {
	sim := dailySim
	sim.Days = 200
	d, _, err := Simulate(sim)
	require.NoError(t, err)
	m := setup(d, Options{}.withDefaults())
	ws := m.warnings()
	require.NotEmpty(t, ws)
	assert.Equal(t, WarnFewDays, ws[0].Kind)
	assert.Contains(t, ws[0].Message, "200 days for 3 channels: a daily mix model needs at least 364 days")
	assert.Contains(t, ws[0].Message, "70 days per channel (210 here)")
}

// Costs spread by day, by hand: 700 over 2024-01-06 to 2024-01-12 is 100
// a day for 7 days, and 50 on 2024-01-08 alone is 50 that day; the grid
// runs from the first day to the last, 1 day apart.
func TestSpreadCostsByDay(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	rows, g := SpreadCostsBy([]CostRow{
		{Campaign: "a", Channel: "tv", Start: d("2024-01-06"), End: d("2024-01-12"), Cost: 700},
		{Campaign: "b", Channel: "search", Start: d("2024-01-08"), End: d("2024-01-08"), Cost: 50},
	}, Day, time.Time{})
	assert.Equal(t, WeekGrid{From: d("2024-01-06"), To: d("2024-01-12"), Step: 1}, g)
	assert.Equal(t, Day, g.Period())
	assert.Len(t, g.Weeks(), 7)
	require.Len(t, rows, 8)
	total := map[string]float64{}
	for _, r := range rows {
		total[r.Channel] += r.Spend
		if r.Channel == "tv" {
			assert.InDelta(t, 100, r.Spend, 1e-9, day(r.Week))
		}
	}
	assert.InDelta(t, 700, total["tv"], 1e-9)
	assert.Equal(t, SpendRow{Week: d("2024-01-08"), Channel: "search", Spend: 50}, rows[2])

	// Outcomes by day: a moment belongs to the day it falls on, in UTC;
	// those before the first day or after the last are counted apart.
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	totals, b := WeeklyTotals(g, []Dated{
		{At: at("2024-01-05T23:59:59Z"), Value: 1},
		{At: at("2024-01-06T00:00:00Z"), Value: 2},
		{At: at("2024-01-06T23:59:59Z"), Value: 4},
		{At: at("2024-01-07T00:00:00Z"), Value: 8},
		{At: at("2024-01-12T23:00:00+02:00"), Value: 16}, // 21:00 UTC
		{At: at("2024-01-13T00:00:00Z"), Value: 32},
	})
	assert.Equal(t, []float64{6, 8, 0, 0, 0, 0, 16}, totals)
	assert.Equal(t, Binned{In: 4, Before: 1, After: 1, ValueIn: 30, ValueBefore: 1, ValueAfter: 32}, b)

	// A daily spend file's grid takes any weekday.
	g2, err := SpendGridBy([]SpendRow{{Week: d("2024-01-03"), Line: 2}, {Week: d("2024-01-01"), Line: 3}, {Week: d("2024-01-02"), Line: 4}}, Day)
	require.NoError(t, err)
	assert.Equal(t, WeekGrid{From: d("2024-01-01"), To: d("2024-01-03"), Step: 1}, g2)
}

// The readers take day or date for days, and name a file of the other
// period by its header (a week column in a daily run, a day column in a
// weekly one).
func TestReadDailyHeaders(t *testing.T) {
	fail := func(line int, err error) { t.Errorf("line %d: %v", line, err) }
	for _, col := range []string{"day", "date", "Date"} {
		s, n, err := ReadSeries(strings.NewReader(col+",revenue\n2024-01-02,5\n2024-01-01,3\n"), Day, "KPI", "", fail)
		require.NoError(t, err, col)
		want := Counts{Rows: 2, Read: 2}
		if col != "day" {
			want.Dates = "dates 1 day apart: daily"
		}
		assert.Equal(t, want, n)
		assert.Equal(t, Day, s.Period)
		assert.Equal(t, [][]float64{{3, 5}}, s.Values)
	}
	_, _, err := ReadSeries(strings.NewReader("day,date,revenue\n"), Day, "KPI", "", fail)
	assert.ErrorContains(t, err, "the KPI file's header has both a day and a date column; keep one")
	// A weekly file with a week and a date (or day) column is refused from
	// its header: read on, the date column was taken for a control and
	// failed every row.
	for _, other := range []string{"date", "day"} {
		rows := 0
		_, _, err = ReadWeekly(strings.NewReader("week,"+other+",holiday\n2024-01-01,2024-01-01,0\n2024-01-08,2024-01-08,1\n"), "controls", "*", func(int, error) { rows++ })
		assert.ErrorContains(t, err, "the controls file's header has both a week and a "+other+" column; keep one, the week each row is for")
		assert.Zero(t, rows, "no row fails: the header does")
	}
	_, _, err = ReadSpendBy(strings.NewReader("week,channel,spend\n"), Day, fail)
	assert.ErrorContains(t, err, "the spend file's header has a week column and no day or date column: it looks like weekly data; run with --period week")
	_, _, err = ReadSpendBy(strings.NewReader("when,channel,spend\n"), Day, fail)
	assert.ErrorContains(t, err, `the spend file's header has no "day" column (it has when, channel, spend); the file needs day (or date), channel, spend`)
	_, _, err = ReadSpend(strings.NewReader("day,channel,spend\n"), fail)
	assert.ErrorContains(t, err, `no "week" column (it has day, channel, spend); the file needs week, channel, spend; its day column looks like daily data: run with --period day`)
	_, _, err = ReadSpend(strings.NewReader("weekday,channel,spend\n"), fail)
	assert.NotContains(t, err.Error(), "daily")
}

var dailyCoverageSeeds = flag.Int("daily-coverage-seeds", 0, "TestDailyCoverage: the number of simulated data sets of the full study (100), 100 refits each")

// The daily intervals' coverage, as TestCoverage's for weeks: over
// simulated two-year daily data sets (dailySim, seeds 1001 on), the share
// of 95% ROAS intervals that hold the true ROAS.
//
// With -daily-coverage-seeds 100 (the study the guide reports, 300
// intervals, 100 refits each) they hold it 95.0% of the time (285 of
// 300; search 96, social 92, tv 97; misses 2 below, 13 above) since each
// refit's KPI is made from curves drawn among those the held-out days
// cannot tell from the chosen ones (drawCurves, curveSets); on seeds 1101
// to 1200 (-daily-coverage-seeds 200 -coverage-skip 100), 290 of 300
// (96.7%; search 98, social 96, tv 96; misses 6 below, 4 above), as many
// as from the chosen curves alone there (290; 5 below, 5 above).
// The test holds the study to the band of 95% ± 2.5 points that
// intervals of the right width give, as TestCoverage the weekly one.
// Made from the chosen curves alone (-draw-curves=false), 92.3% (277 of
// 300; search 95, social 89, tv 93; misses 5 below, 18 above), one
// interval below the band: social's curve is not identified on daily
// data and a wrong one reads its return low (docs/bench, entry 6).
// Before the channels' penalty was relaxed (channelRidge), 92.7% (278 of
// 300; misses 3 below, 19 above; the same total before the straight
// response joined the grid). Before the daily half-saturation grid
// reached 0.25 and 4 (gridDayHalf), 89.3% (268 of 300; social 82; misses
// 4 below, 28 above): social's true half-saturation sat at the grid's
// edge and its estimates were pulled low (TestDailyEstimatesNotPulledLow).
// The residual blocks were not the cause: blocks of 9 days gave 89.7%, of
// 35 days from any weekday 87.3%, of 35 days on the weekday they fill
// 89.3%. The study can run in two parts on a busy machine:
// -daily-coverage-seeds 50, and -daily-coverage-seeds 100 -coverage-skip
// 50; add their counts.
//
// By default, 10 seeds with 100 refits (30 intervals, 25 s on a quiet core),
// a smoke test that fails below 90%: 28 of 30 (93.3%) now, the study's
// first ten seeds. With 60 refits, as it ran before the refits drew their
// curves, 26 of 30: an interval's ends then rest on the few refits that
// drew a curve other than the chosen one, and 60 are too few for them;
// with the chosen curves alone, 28 of 30 at 60 refits. The seeds are
// fixed, so the figure is exact for the code.
func TestDailyCoverage(t *testing.T) {
	skipUnderRace(t)
	if testing.Short() {
		t.Skip("fits 10 daily data sets of 730 days")
	}
	seeds, nb, lo, hi := 10, 100, 0.9, 1.0
	if *dailyCoverageSeeds > 0 {
		seeds, nb, lo, hi = *dailyCoverageSeeds, 100, 0.925, 0.975
	}
	cov, total, by := coverage(t, dailySim, seeds, func(d Data) (*Result, error) { return Fit(d, Options{Bootstrap: nb}) })
	share := float64(cov) / float64(total)
	t.Logf("%d of %d daily intervals (%.1f%%) hold the true ROAS; by channel %v", cov, total, 100*share, by)
	if *coverageSkip > 0 {
		t.Log("a part of the study: add its counts to the other part's; the bounds are for the whole")
		return
	}
	assert.GreaterOrEqual(t, share, lo)
	assert.LessOrEqual(t, share, hi)
}

// The residual blocks span the same calendar time by day as by week: the
// cube root of the weeks, in weeks. By hand: 156 weeks, cbrt 5.38, 5
// weeks; 730 days are 104.3 weeks, cbrt 4.71, 5 weeks = 35 days (not
// cbrt(730) = 9 days); 182 days are 26 weeks, cbrt 2.96, 21 days.
func TestBlockLengthIsCalendarTime(t *testing.T) {
	for _, c := range []struct {
		p    Period
		n    int
		want int
	}{{Week, 156, 5}, {Week, 52, 4}, {Day, 730, 35}, {Day, 182, 21}, {Day, 10, 7}} {
		m := &model{d: Data{Period: c.p}, n: c.n}
		assert.Equal(t, c.want, m.blockLength(), "%d %ss", c.n, c.p)
	}
}

// A percentile interval that leaves its estimate out is widened to reach
// it, and says so: refits 1 to 100 have 2.5% and 97.5% quantiles 2.5
// and 97.5 (gonum's linear interpolation puts the k-th of n sorted
// values at k/n: by hand, halfway between 2 and 3, and 97 and 98).
func TestIntervalHoldsEstimate(t *testing.T) {
	draws := make([]float64, 100)
	for i := range draws {
		draws[i] = float64(i + 1)
	}
	assert.Equal(t, Interval{Value: 50, Low: 2.5, High: 97.5}, roundIv(interval(50, draws)))
	assert.Equal(t, Interval{Value: 99, Low: 2.5, High: 99, Widened: true}, roundIv(interval(99, draws)))
	assert.Equal(t, Interval{Value: 1, Low: 1, High: 97.5, Widened: true}, roundIv(interval(1, draws)))
}

func roundIv(i Interval) Interval {
	r := func(v float64) float64 { return math.Round(v*1e9) / 1e9 }
	i.Value, i.Low, i.High = r(i.Value), r(i.Low), r(i.High)
	return i
}

// A date column may hold weeks or days: the dates decide, and the reader
// says which it found. Dates of the other period than the run's are
// refused at the first row that shows their gap, with the fix.
func TestDatesDecideThePeriod(t *testing.T) {
	fail := func(line int, err error) { t.Errorf("line %d: %v", line, err) }
	weekly := "date,revenue\n2024-01-01,5\n2024-01-08,3\n2024-01-15,4\n"
	s, n, err := ReadSeries(strings.NewReader(weekly), Week, "KPI", "", fail)
	require.NoError(t, err)
	assert.Equal(t, "dates 7 days apart: weekly", n.Dates)
	assert.Len(t, s.Weeks, 3)
	rows, n, err := ReadSpendBy(strings.NewReader("date,channel,spend\n2024-01-08,tv,1\n2024-01-01,tv,2\n2024-01-01,search,3\n2024-01-08,search,4\n"), Week, fail)
	require.NoError(t, err)
	assert.Equal(t, "dates 7 days apart: weekly", n.Dates)
	assert.Len(t, rows, 4)

	// Weekly dates in a daily run: line 3 is the first 7 days after another.
	_, _, err = ReadSeries(strings.NewReader(weekly), Day, "KPI", "", fail)
	var le *LineError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 3, le.Line)
	assert.EqualError(t, err, "line 3: the KPI file's date is 2024-01-08, 7 days after 2024-01-01 on line 2, and most of its dates are 7 days apart: it is weekly data, and this run is daily (--period day); run with --period week, or give one row per day")
	// Daily dates in a weekly run, spend rows out of order: the pair is
	// found in date order, 2024-01-02 (line 2) after 2024-01-01 (line 4).
	_, _, err = ReadSpendBy(strings.NewReader("date,channel,spend\n2024-01-02,tv,1\n2024-01-03,tv,1\n2024-01-01,tv,1\n"), Week, fail)
	assert.EqualError(t, err, "line 2: the spend file's date is 2024-01-02, 1 day after 2024-01-01 on line 4, and most of its dates are 1 day apart: it is daily data, and this run is weekly (--period week); run with --period day, or add the days up by week")
	// A week column with daily dates is refused by its dates too.
	_, _, err = ReadSeries(strings.NewReader("week,revenue\n2024-01-01,1\n2024-01-02,1\n2024-01-03,1\n"), Week, "controls", "*", fail)
	assert.ErrorContains(t, err, "line 3: the controls file's week is 2024-01-02, 1 day after 2024-01-01 on line 2")
	// Irregular dates find no period; the model's own checks name the gap.
	_, n, err = ReadSeries(strings.NewReader("date,revenue\n2024-01-01,1\n2024-01-04,1\n"), Week, "KPI", "", fail)
	require.NoError(t, err)
	assert.Empty(t, n.Dates)
}

// The daily point estimates are not pulled low: over 100 simulated
// two-year daily data sets (dailySim, seeds 1001 on), each channel's
// median estimated ROAS over its true ROAS, fitted as Fit fits (the
// search for curves and penalty, then the fit on all days). On a
// half-saturation grid of 0.5, 1 and 2 (the weekly one), social's true
// 0.5 sat at the grid's edge and its median was 0.842 (tv 1.000, search
// 1.002): a miss of its curve could only go to a straighter one, whose
// level the intercept takes. On gridDayHalf (0.25 to 4) it is 0.917
// (tv 0.999, search 1.002).
// The test holds each median within 10% of the truth; the old grid
// fails it.
func TestDailyEstimatesNotPulledLow(t *testing.T) {
	skipUnderRace(t)
	if testing.Short() {
		t.Skip("searches 100 daily data sets")
	}
	ratios := map[string][]float64{}
	for s := 1; s <= 100; s++ {
		sim := dailySim
		sim.Seed = uint64(1000 + s)
		d, truth, err := Simulate(sim)
		require.NoError(t, err)
		m := setup(d, Options{}.withDefaults())
		ks, lam, _, err := m.search(m.start(), startLambda, d.KPI)
		require.NoError(t, err)
		fa, err := m.fitAll(ks, lam)
		require.NoError(t, err)
		first := len(fa.cols) - len(d.Channels)
		for c, tc := range truth.Channels {
			h, sum := m.hill(c, ks[c]), 0.0
			for _, a := range m.adstocks[c][ks[c].ad] {
				sum += h.At(a)
			}
			ratios[tc.Name] = append(ratios[tc.Name], fa.lm.beta[first+c]*sum/tc.Spend/tc.ROAS)
		}
	}
	for name, r := range ratios {
		sort.Float64s(r)
		med := (r[49] + r[50]) / 2
		t.Logf("%s: median estimated over true ROAS %.3f", name, med)
		assert.InDelta(t, 1, med, 0.1, name)
	}
}
