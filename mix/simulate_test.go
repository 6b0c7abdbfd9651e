package mix

import (
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exampleSim is the bundled example's simulation (testdata/mix): three
// years of weeks, 5% noise, growth and a yearly cycle.
var exampleSim = Simulation{Weeks: 156, Start: time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC), Seed: 1, Level: 100000, Trend: 0.2, Season: 0.1, Noise: 0.05}

// The simulator's truth is what it says: each channel's incremental KPI
// over its spend is its ROAS, and the KPI less the noise is the baseline
// plus the channels.
func TestSimulateTruth(t *testing.T) {
	d, truth, err := Simulate(Simulation{Weeks: 104, Seed: 9, Trend: 0.1, Season: 0.2})
	require.NoError(t, err)
	require.NoError(t, d.Validate())
	base := 0.0
	sum := 0.0
	for i := range d.KPI {
		b := 100000 * (1 + 0.1*float64(i)/104 + 0.2*math.Sin(2*math.Pi*float64(i)/yearInWeeks))
		base += b
		sum += d.KPI[i] // no noise: the KPI is baseline plus channels
	}
	incr := 0.0
	for c, tc := range truth.Channels {
		a := tc.Adstock.Apply(d.Channels[c].Spend)
		s, spend := 0.0, 0.0
		for i := range a {
			s += tc.Coefficient * tc.Saturation.At(a[i])
			spend += d.Channels[c].Spend[i]
		}
		assert.InDelta(t, DefaultSimChannels[c].ROAS, s/spend, 1e-9, tc.Name)
		assert.InDelta(t, spend, tc.Spend, 1e-6)
		incr += s
	}
	assert.InDelta(t, sum, base+incr, 1e-6*sum)
	assert.InDelta(t, base/sum, truth.BaselineShare, 1e-12)
}

// coverage fits nSeeds data sets simulated as base (seeds 1001 on) and
// counts, per channel, the 95% ROAS intervals that hold the true ROAS,
// logging each as it goes. With -coverage-skip k it leaves out the first
// k seeds: a long study can run in parts, seeds 1001 to 1000+k in one run
// and the rest in another, and the parts' counts add up.
var coverageSkip = flag.Int("coverage-skip", 0, "TestCoverage, TestDailyCoverage: leave out the first k seeds (run a study in parts)")

// -draw-curves=false runs a study with each refit's data made from the
// chosen curves alone, as before issue 34's entry 7: the same seeds, the
// old intervals.
var coverageDraws = flag.Bool("draw-curves", true, "TestCoverage, TestDailyCoverage: false makes each refit's data from the chosen curves alone (drawCurves off), to compare")

func coverage(t *testing.T, base Simulation, nSeeds int, fit func(Data) (*Result, error)) (covered, total int, byChannel map[string]int) {
	defer func(c bool) { drawCurves = c }(drawCurves)
	drawCurves = *coverageDraws
	byChannel = map[string]int{}
	below, above := 0, 0
	defer func() { t.Logf("misses: true ROAS below the interval %d, above %d", below, above) }()
	for s := 1 + *coverageSkip; s <= nSeeds; s++ {
		sim := base
		sim.Seed = uint64(1000 + s)
		d, truth, err := Simulate(sim)
		require.NoError(t, err)
		r, err := fit(d)
		require.NoError(t, err)
		for c, ch := range r.Channels {
			total++
			t.Logf("seed %d %-7s true ROAS %.2f, estimated %.2f (95%% %.2f to %.2f)", sim.Seed, ch.Name, truth.Channels[c].ROAS, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High)
			switch tr := truth.Channels[c].ROAS; {
			case tr < ch.ROAS.Low:
				below++
			case tr > ch.ROAS.High:
				above++
			default:
				covered++
				byChannel[ch.Name]++
			}
		}
	}
	return covered, total, byChannel
}

// The fit on the bundled example (testdata/mix, the guide's report)
// recovers the truth: each channel's true ROAS inside its 95% interval,
// the carry-over of the two large channels within the refinement's 0.1
// (search's true 0.2 is read as 0.1), the baseline's share within 5
// points. Social's interval is wider than its estimate, so its verdict is
// withheld. (One data set proves little: TestCoverage measures how often
// the intervals hold the truth. On the simulation's unrounded figures,
// Simulate(exampleSim) rather than the CSV files' two decimals, search's
// interval was 1.57 to 2.495 once the decays were refined: its truth, 2.5,
// just outside, one of the 7% of misses TestCoverage counts; 1.595 to
// 2.519 since the refits that choose a large penalty no longer shrink
// the channels with it, channelRidge.)
func TestFitRecoversExample(t *testing.T) {
	_, truth, err := Simulate(exampleSim)
	require.NoError(t, err)
	d := readCSVs(t, filepath.Join("..", "testdata", "mix"))
	r, err := Fit(d, Options{})
	require.NoError(t, err)
	require.Len(t, r.Channels, len(truth.Channels))
	for _, ch := range r.Channels {
		var tc TrueChannel
		for _, x := range truth.Channels {
			if x.Name == ch.Name {
				tc = x
			}
		}
		require.Equal(t, tc.Name, ch.Name)
		t.Logf("%-7s true ROAS %.2f, estimated %.2f (95%% %.2f to %.2f), verdict %s", ch.Name, tc.ROAS, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, ch.Verdict)
		assert.True(t, ch.ROAS.Low <= tc.ROAS && tc.ROAS <= ch.ROAS.High, "%s: true ROAS %v outside %+v", ch.Name, tc.ROAS, ch.ROAS)
		if ch.Name == "social" {
			assert.Equal(t, "withheld", ch.Verdict)
			continue
		}
		// Both pay back in truth; the verdict may be more careful
		// (an interval reaching below break-even would say so), never
		// wrong.
		assert.Contains(t, []string{"pays back", "about break-even"}, ch.Verdict, ch.Name)
		assert.Equal(t, tc.Adstock.Kind, ch.Adstock.Kind, "%s adstock", ch.Name)
		assert.InDelta(t, tc.Adstock.Decay, ch.Adstock.Decay, 0.1+1e-9, "%s decay", ch.Name)
	}
	assert.InDelta(t, truth.BaselineShare, r.BaselineShare, 0.05)
	assert.Less(t, r.HeldOut.NRMSE, 0.1)
	assert.Equal(t, 52, r.HeldOut.Weeks)
}

// Over many simulated data sets, the share of 95% intervals that hold the
// true ROAS. 100 seeds give 300 intervals; at a true 95% the share's
// binomial standard error is 1.3 points, so a share within 95% ± 2.5
// points is what intervals of the right width give (a seed's three
// channels share their data, and 100 refits make each interval's ends
// noisy, so the spread is a little wider still).
//
// The intervals hold the truth 94.3% of the time (283 of 300; by channel
// tv 96, search 93, social 94; misses 3 below, 14 above) since the fit
// and the refits leave the channels all but unpenalised (channelRidge);
// 93.3% (280; 1 below, 19 above) with the decays refined before that,
// 94.3% (283; 1 below, 16 above) before the refinement, and 95.3% (286)
// before the straight response joined the grid (issue 34). Before each
// refit's search started from random curves, every refit started where
// the fit did and tended to settle in the fit's own local optimum of the
// coordinate search, so the refits left out curves the search could as
// well have chosen: 92.3% (277 of 300; misses 6 below, 17 above). The
// reflected (basic) intervals used before that held the truth 84.3%;
// refits that kept the chosen adstock and saturation about 70%. The test
// holds the share within 92.5% to 97.5%: the old method's 92.3% fails it.
// Refits whose KPI is made from curves drawn among those the held-out
// weeks cannot tell from the chosen ones (drawCurves, as daily models do)
// held it 97.7% to 99.3% (293 to 298 of 300; 0 to 1 below, 1 to 7 above)
// in the four ways of drawing tried: wider than their 95%, so weekly
// models do not draw (docs/bench/issue-34-daily-coverage.txt, entry 7).
// The seeds are fixed, so the figure is exact for the code; a change that
// moves it within the band is sampling, not a regression. In short mode,
// 15 seeds (45 intervals), a smoke test more than a measurement.
func TestCoverage(t *testing.T) {
	skipUnderRace(t)
	seeds := 100
	lo, hi := 0.925, 0.975
	if testing.Short() {
		seeds = 15
		lo, hi = 0.85, 1
	}
	cov, total, by := coverage(t, exampleSim, seeds, func(d Data) (*Result, error) { return Fit(d, Options{Bootstrap: 100}) })
	share := float64(cov) / float64(total)
	t.Logf("%d of %d intervals (%.1f%%) hold the true ROAS; by channel %v", cov, total, 100*share, by)
	if *coverageSkip > 0 {
		t.Log("a part of the study: add its counts to the other part's; the bounds are for the whole")
		return
	}
	assert.GreaterOrEqual(t, share, lo)
	assert.LessOrEqual(t, share, hi)
}

// offGridSim is exampleSim with each channel's true decay between the
// grid's steps (0, 0.2, 0.4, 0.6, 0.8): tv 0.5, search 0.3, social 0.7.
var offGridSim = func() Simulation {
	sim := exampleSim
	sim.Channels = append([]SimChannel(nil), DefaultSimChannels...)
	for c, d := range []float64{0.5, 0.3, 0.7} {
		sim.Channels[c].Adstock.Decay = d
	}
	return sim
}()

// TestCoverage's study with the true decays off the grid (offGridSim):
// 30 data sets, 90 intervals of 100 refits. 81 of 90 (90.0%; tv 28,
// search 27, social 26; misses 1 below, 8 above) hold the truth since the
// channels' penalty is relaxed (channelRidge); before, 80 of 90 (88.9%;
// tv 28, search 26, social 26; misses 0 below, 10 above) with the
// decays refined (refine), and 80 of 90 on the grid alone (tv 29, search
// 26, social 25; 1 below, 9 above): below the 94.3% of truths on the
// grid, and below the 90.4% a true 95% reaches at 90 intervals (twice the
// binomial standard error of 2.3 points). The misses are estimates low,
// the lean of TestCoverage's misses, and refining the decay did not
// reduce them. The test holds the share at 85%, a guard, not
// a claim of 95%; the guide says so. In short mode 10 seeds, a smoke test.
func TestCoverageOffGrid(t *testing.T) {
	skipUnderRace(t)
	seeds, lo := 30, 0.85
	if testing.Short() {
		seeds, lo = 10, 0.8
	}
	cov, total, by := coverage(t, offGridSim, seeds, func(d Data) (*Result, error) { return Fit(d, Options{Bootstrap: 100}) })
	share := float64(cov) / float64(total)
	t.Logf("%d of %d intervals (%.1f%%) hold the true ROAS, decays off the grid; by channel %v", cov, total, 100*share, by)
	if *coverageSkip > 0 {
		return
	}
	assert.GreaterOrEqual(t, share, lo)
}

// Coverage on straight responses (linearTruth: tv decay 0.5, between the
// grid's steps; search 0.2, on it), 20 data sets with baselines of 0, 500
// and 3,000 a week and 3% noise, 100 refits: at 40 intervals a true 95%
// gives 95% ± 6.9 points, so the test holds the share at 85% or more.
// The review of issue 34 found tv's intervals held its truth on 2 of 10
// such data sets with no baseline. On the grid alone 32 of 40 (80.0%;
// tv 17, search 15); with the decays refined (refine) 37 of 40 (92.5%;
// tv 17, search 20).
func TestCoverageOffGridStraight(t *testing.T) {
	skipUnderRace(t)
	seeds := 20
	if testing.Short() {
		seeds = 6
	}
	cov, total := 0, 0
	by := map[string]int{}
	for s := 1; s <= seeds; s++ {
		d, truth := linearTruth(uint64(200+s), 156, []float64{0, 500, 3000}[s%3], 0.03)
		r, err := Fit(d, Options{Bootstrap: 100})
		require.NoError(t, err)
		for _, ch := range r.Channels {
			total++
			in := ch.ROAS.Low <= truth[ch.Name] && truth[ch.Name] <= ch.ROAS.High
			t.Logf("seed %d %-7s true ROAS %.3f, estimated %.3f (95%% %.3f to %.3f) %v, decay %v", 200+s, ch.Name, truth[ch.Name], ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, in, ch.Adstock.Decay)
			if in {
				cov++
				by[ch.Name]++
			}
		}
	}
	share := float64(cov) / float64(total)
	t.Logf("%d of %d intervals (%.1f%%) hold the true ROAS on straight responses; by channel %v", cov, total, 100*share, by)
	if !testing.Short() {
		assert.GreaterOrEqual(t, share, 0.85)
	}
}

// Scaling spend by c scales ROAS by 1/c; scaling the KPI by c scales ROAS
// by c; neither moves the decomposition's shares.
func TestScaling(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 104
	d, _, err := Simulate(sim)
	require.NoError(t, err)
	o := Options{Bootstrap: 50}
	base, err := Fit(d, o)
	require.NoError(t, err)
	for _, c := range []float64{4, 0.5, 3} {
		spend := scaled(d, c, 1)
		rs, err := Fit(spend, o)
		require.NoError(t, err)
		kpi := scaled(d, 1, c)
		rk, err := Fit(kpi, o)
		require.NoError(t, err)
		for i, ch := range base.Channels {
			for _, p := range []struct {
				name      string
				got, want Interval
				factor    float64
			}{
				{"ROAS, spend scaled", rs.Channels[i].ROAS, ch.ROAS, 1 / c},
				{"ROAS, KPI scaled", rk.Channels[i].ROAS, ch.ROAS, c},
				{"marginal ROAS, spend scaled", rs.Channels[i].MarginalROAS, ch.MarginalROAS, 1 / c},
				{"incremental, KPI scaled", rk.Channels[i].Incremental, ch.Incremental, c},
			} {
				msg := fmt.Sprintf("%s, %s, c=%v", ch.Name, p.name, c)
				for _, v := range [][2]float64{{p.want.Value, p.got.Value}, {p.want.Low, p.got.Low}, {p.want.High, p.got.High}} {
					want := v[0] * p.factor
					assert.InDelta(t, want, v[1], 1e-9*math.Abs(want), msg) // 0 stays exactly 0
				}
			}
			assert.InDelta(t, ch.Share, rs.Channels[i].Share, 1e-12)
			assert.InDelta(t, ch.Share, rk.Channels[i].Share, 1e-12)
		}
		assert.InDelta(t, base.BaselineShare, rs.BaselineShare, 1e-12)
		assert.InDelta(t, base.BaselineShare, rk.BaselineShare, 1e-12)
	}
}

func scaled(d Data, spend, kpi float64) Data {
	out := Data{Weeks: d.Weeks, KPI: make([]float64, len(d.KPI))}
	for t, v := range d.KPI {
		out.KPI[t] = v * kpi
	}
	for _, ch := range d.Channels {
		s := make([]float64, len(ch.Spend))
		for t, v := range ch.Spend {
			s[t] = v * spend
		}
		out.Channels = append(out.Channels, Channel{Name: ch.Name, Spend: s})
	}
	return out
}

// Same data and seed, same result, to the last bit; another seed moves the
// intervals, not the estimates.
func TestDeterministic(t *testing.T) {
	sim := exampleSim
	sim.Weeks = 80
	d, _, err := Simulate(sim)
	require.NoError(t, err)
	a, err := Fit(d, Options{Seed: 5, Bootstrap: 40})
	require.NoError(t, err)
	b, err := Fit(d, Options{Seed: 5, Bootstrap: 40})
	require.NoError(t, err)
	assert.Equal(t, a, b)
	c, err := Fit(d, Options{Seed: 6, Bootstrap: 40})
	require.NoError(t, err)
	for i := range a.Channels {
		assert.Equal(t, a.Channels[i].ROAS.Value, c.Channels[i].ROAS.Value)
		assert.NotEqual(t, a.Channels[i].ROAS, c.Channels[i].ROAS, "another seed, other refits")
	}
}

// BenchmarkFit is one fit of the bundled example's size: the search, the
// final fit and 200 bootstrap refits.
func BenchmarkFit(b *testing.B) {
	d, _, err := Simulate(exampleSim)
	require.NoError(b, err)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Fit(d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitGridInterleaved times BenchmarkFit's fit on the grid before
// issue 34's fix (no straight response, no search for rival curves), with
// the straight response alone, with both, with the decays refined too
// (refine), with the penalty's steps past its grid and the relaxed
// penalty on the channels (relaxedPenalty), and with the refits' data
// drawn from the curves the data cannot tell apart (drawCurves), one
// after the other in each iteration, so that their ratios hold on a
// shared machine: ms/fit of each, and each's ratio to before.
//
//	go test ./mix -run '^$' -bench BenchmarkFitGridInterleaved -benchtime 10x
func BenchmarkFitGridInterleaved(b *testing.B) {
	d, _, err := Simulate(exampleSim)
	require.NoError(b, err)
	defer func(l, r, f, p, c bool) {
		linearCandidate, rivalCheck, refinement, relaxedPenalty, drawCurves = l, r, f, p, c
	}(linearCandidate, rivalCheck, refinement, relaxedPenalty, drawCurves)
	configs := []struct {
		name                                    string
		linear, rivals, refine, penalty, curves bool
	}{{"before", false, false, false, false, false}, {"straight", true, false, false, false, false}, {"straight+rivals", true, true, false, false, false},
		{"straight+rivals+refined", true, true, true, false, false}, {"straight+rivals+refined+penalty", true, true, true, true, false},
		{"straight+rivals+refined+penalty+curves", true, true, true, true, true}}
	took := make([]time.Duration, len(configs))
	for i := 0; i < b.N; i++ {
		for c, cf := range configs {
			linearCandidate, rivalCheck, refinement, relaxedPenalty, drawCurves = cf.linear, cf.rivals, cf.refine, cf.penalty, cf.curves
			start := time.Now()
			if _, err := Fit(d, Options{}); err != nil {
				b.Fatal(err)
			}
			took[c] += time.Since(start)
		}
	}
	for c, cf := range configs {
		b.ReportMetric(float64(took[c].Milliseconds())/float64(b.N), "ms/fit-"+cf.name)
		if c > 0 {
			b.ReportMetric(float64(took[c])/float64(took[0]), "x-"+cf.name)
		}
	}
	last := len(configs) - 1
	b.ReportMetric(float64(took[last-1])/float64(took[last-2]), "x-penalty-over-refined")
	b.ReportMetric(float64(took[last])/float64(took[last-1]), "x-curves-over-penalty")
}

// BenchmarkFitCurveDraws times the fit of the bundled weekly and daily
// examples (testdata/mix, testdata/mix/daily: exampleSim, dailySim) with
// the refits' data made from the chosen curves alone and from curves
// drawn among those the data cannot tell apart (drawCurves), one after
// the other in each iteration: ms/fit of each and the ratio.
//
//	go test ./mix -run '^$' -bench BenchmarkFitCurveDraws -benchtime 2x
func BenchmarkFitCurveDraws(b *testing.B) {
	defer func(c bool) { drawCurves = c }(drawCurves)
	for _, sim := range []struct {
		name string
		sim  Simulation
	}{{"weekly", exampleSim}, {"daily", dailySim}} {
		d, _, err := Simulate(sim.sim)
		require.NoError(b, err)
		var took [2]time.Duration
		for i := 0; i < b.N; i++ {
			for c, on := range []bool{false, true} {
				drawCurves = on
				start := time.Now()
				if _, err := Fit(d, Options{}); err != nil {
					b.Fatal(err)
				}
				took[c] += time.Since(start)
			}
		}
		b.ReportMetric(float64(took[0].Milliseconds())/float64(b.N), "ms/fit-"+sim.name+"-chosen")
		b.ReportMetric(float64(took[1].Milliseconds())/float64(b.N), "ms/fit-"+sim.name+"-drawn")
		b.ReportMetric(float64(took[1])/float64(took[0]), "x-"+sim.name)
	}
}

// With Weibull adstock the fit works the same way; on data whose
// carry-over is geometric (Weibull of shape 1), it finds shape-1 curves
// for the two large channels (tv's scale 2 weeks is decay exp(-1/2) = 0.61,
// against a true 0.6) and their ROAS within 15% of the truth.
func TestFitWeibull(t *testing.T) {
	d, truth, err := Simulate(exampleSim)
	require.NoError(t, err)
	r, err := Fit(d, Options{Adstock: Weibull, Bootstrap: 30})
	require.NoError(t, err)
	for c, ch := range r.Channels {
		assert.Equal(t, Weibull, ch.Adstock.Kind)
		t.Logf("%s: %+v, ROAS %.2f (%.2f to %.2f), true %.2f", ch.Name, ch.Adstock, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, truth.Channels[c].ROAS)
		if ch.Name != "social" {
			assert.Equal(t, 1.0, ch.Adstock.Shape, ch.Name)
			assert.InEpsilon(t, truth.Channels[c].ROAS, ch.ROAS.Value, 0.15, ch.Name)
		}
	}
}

// skipUnderRace skips a simulation that fits hundreds of models when the
// race detector makes it too slow for go test's time limit; .ci/run runs
// it without -race (the step "the mix model's simulations").
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("a simulation of hundreds of fits: run without -race (.ci/run does)")
	}
}
