package mix

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The straight response: At is x itself, its slope 1 everywhere, x times
// the slope x; the JSON says "linear": true.
func TestHillLinear(t *testing.T) {
	h := Hill{Linear: true}
	for _, x := range []float64{0.5, 1, 1234.5} {
		assert.Equal(t, x, h.At(x))
		assert.Equal(t, 1.0, h.Slope(x))
		assert.Equal(t, x, h.xSlope(x))
	}
	assert.Equal(t, 0.0, h.At(0))
	assert.Equal(t, 0.0, h.At(-3))
	js, err := json.Marshal(h)
	require.NoError(t, err)
	assert.JSONEq(t, `{"linear": true}`, string(js))
	js, err = json.Marshal(Hill{Half: 2.5, Shape: 2})
	require.NoError(t, err)
	assert.JSONEq(t, `{"half_saturation": 2.5, "shape": 2}`, string(js))
	// A Hill curve with a half-saturation far above the spend is the
	// straight line scaled by 1/Half: the limit the candidate stands for.
	far := Hill{Half: 1e9, Shape: 1}
	assert.InEpsilon(t, 1234.5/1e9, far.At(1234.5), 1e-5)
}

// Each channel's grid holds the straight response once per adstock (its
// Hill shape is moot), after the half-saturations.
func TestGridHasStraightResponse(t *testing.T) {
	d, _, err := Simulate(Simulation{Weeks: 60, Seed: 1, Level: 1000, Noise: 0.05})
	require.NoError(t, err)
	m := setup(d, Options{}.withDefaults())
	g := m.grid()
	assert.Len(t, g, len(gridDecay)*(len(gridHalf)*len(gridShape)+1))
	straight := 0
	for _, k := range g {
		if m.linear(k) {
			straight++
			assert.Equal(t, 0, k.shape)
			assert.Equal(t, Hill{Linear: true}, m.hill(0, k))
		}
	}
	assert.Equal(t, len(gridDecay), straight)
}

// judgeRivals by hand: a rival on the other side of break-even withholds
// the verdict it flips, and only that one; a baseline share 15 points
// apart is warned of without withholding; rivals that agree say nothing.
func TestJudgeRivals(t *testing.T) {
	base := func() *Result {
		return &Result{KPIValue: 1, BaselineShare: 0.30, Channels: []ChannelResult{
			{Name: "search", Spend: 100, ROAS: Interval{Value: 2.5, Low: 2.2, High: 2.8}, Verdict: "pays back"},
			{Name: "tv", Spend: 100, ROAS: Interval{Value: 0.86, Low: 0.81, High: 0.89}, Verdict: "does not pay back"},
		}}
	}
	r := base()
	judgeRivals(r, []rival{{roas: []float64{2.4, 1.29}, baseline: 0.06}}, "week")
	assert.Equal(t, "pays back", r.Channels[0].Verdict)
	assert.Equal(t, "withheld", r.Channels[1].Verdict)
	assert.Equal(t, "curves that predict the held-out weeks as well give ROAS 0.86 to 1.29, on both sides of break-even (see the warning)", r.Channels[1].Reason)
	require.Len(t, r.Warnings, 1)
	w := r.Warnings[0]
	assert.Equal(t, WarnCurvesDisagree, w.Kind)
	assert.Equal(t, []string{"tv"}, w.Channels)
	assert.Equal(t, "the held-out weeks cannot choose the curves: 1 other choice of carry-over and saturation predict them as well as the chosen curves (fold by fold, within one standard error), fit as well, and give tv's ROAS 0.86 to 1.29 and a baseline of 6.0% to 30.0% of the fitted KPI; so the verdicts that change with the choice (tv) are withheld; a lift test per channel (--lift-tests) or more weeks with spend that varies more would decide", w.Message)

	r = base()
	judgeRivals(r, []rival{{roas: []float64{2.0, 0.7}, baseline: 0.45}, {roas: []float64{2.6, 0.95}, baseline: 0.25}}, "week")
	assert.Equal(t, "pays back", r.Channels[0].Verdict)
	assert.Equal(t, "does not pay back", r.Channels[1].Verdict)
	require.Len(t, r.Warnings, 1)
	assert.Empty(t, r.Warnings[0].Channels)
	assert.Contains(t, r.Warnings[0].Message, "2 other choices")
	assert.Contains(t, r.Warnings[0].Message, "a baseline of 25.0% to 45.0% of the fitted KPI; so read the split between baseline and channels as uncertain")

	r = base()
	judgeRivals(r, []rival{{roas: []float64{2.3, 0.8}, baseline: 0.35}}, "week")
	assert.Empty(t, r.Warnings)
	assert.Equal(t, "does not pay back", r.Channels[1].Verdict)

	// KPIValue moves break-even: at 2 per unit, ROAS 0.86 pays back, and a
	// rival at 0.45 does not.
	r = base()
	r.KPIValue = 2
	r.Channels[1].Verdict = "pays back"
	judgeRivals(r, []rival{{roas: []float64{2.3, 0.45}, baseline: 0.32}}, "week")
	assert.Equal(t, "withheld", r.Channels[1].Verdict)
}

// The paired test by hand: folds' errors 10, 20, 30, 40 against the
// chosen curves' 9, 18, 33, 38 differ by 1, 2, -3, 2, mean 0.5, standard
// deviation sqrt(17/3) = 2.38, standard error 1.19: indistinguishable.
// Errors uniformly 1 higher on each fold (mean 1, no spread) are not,
// though the folds' own spread (12.9) would have called them so; nor are
// differences 4, 5, 0, 3 (mean 3, standard deviation 2.16, standard
// error 1.08).
func TestIndistinguishable(t *testing.T) {
	best := []float64{9, 18, 33, 38}
	assert.True(t, indistinguishable([]float64{10, 20, 30, 40}, best))
	assert.False(t, indistinguishable([]float64{10, 19, 34, 39}, best))
	assert.False(t, indistinguishable([]float64{13, 23, 33, 41}, best))
	assert.True(t, indistinguishable([]float64{8, 17, 32, 37}, best), "better on every fold")
	assert.Equal(t, "0.0", onePlace(-0.04))
	assert.Equal(t, "-0.1", onePlace(-0.05))
}

// pastLimit's figures stay on their side of the limit, however close
// (review of issue 34, finding 7): within 10 places they print in full.
func TestPastLimit(t *testing.T) {
	assert.Equal(t, "-5.04", pastLimit(-5.04, -5, 1))
	assert.Equal(t, "-0.004", pastLimit(-0.004, 0, 2))
	assert.Equal(t, "-1e-13", pastLimit(-1e-13, 0, 2))
	assert.Equal(t, "-5.00000000001", pastLimit(-5.00000000001, -5, 1))
	assert.Equal(t, "-5.0", pastLimit(-5, -5, 1))
	assert.Equal(t, "105.2", pastLimit(105.2, 105, 1))
}

// The review's case (issue 34): a straight response with no baseline at
// all (testdata/mix/zerobase, made by a script like linearTruth with
// base 0 and 2% noise: tv decay 0.5, true ROAS 1.5 in the limit; search
// decay 0.2, 2.5). Before the straight response was a candidate the model
// took both for S-curves, gave the intercept 36.6% of the KPI and said
// tv, ROAS 0.858 (0.811 to 0.889), does not pay back: a confident wrong
// verdict. Now the straight response wins, the baseline is small, and
// tv's decay, 0.5, between the grid's 0.4 and 0.6, is found by refining
// the decay chosen on the grid (refine): its interval holds the truth.
// On the grid alone it did not (1.29, 0.828 to 1.33), and rivals on the
// looser rule were what withheld its verdict.
func TestZeroBaselineLinear(t *testing.T) {
	skipUnderRace(t)
	d := readCSVs(t, filepath.Join("..", "testdata", "mix", "zerobase"))
	truth := map[string]float64{}
	for _, ch := range d.Channels {
		decay, roas := map[string]float64{"tv": 0.5, "search": 0.2}[ch.Name], map[string]float64{"tv": 1.5, "search": 2.5}[ch.Name]
		truth[ch.Name] = trueLinearROAS(ch.Spend, decay, roas)
	}
	// By hand from the generator: the effect is roas·(1-decay)·adstock, so
	// over all weeks roas times the spend, less what carries past the end.
	assert.InDelta(t, 1.485, truth["tv"], 0.001)
	assert.InDelta(t, 2.495, truth["search"], 0.001)
	r, err := Fit(d, Options{Bootstrap: 100})
	require.NoError(t, err)
	for _, ch := range r.Channels {
		t.Logf("%s: ROAS %.3f (%.3f to %.3f), true %.3f, %s %s", ch.Name, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, truth[ch.Name], ch.Verdict, ch.Reason)
	}
	t.Logf("baseline %.3f, warnings %v", r.BaselineShare, r.Warnings)
	tv := r.Channels[indexOf(r, "tv")]
	assert.NotEqual(t, "does not pay back", tv.Verdict)
	assert.Equal(t, 0.5, tv.Adstock.Decay, "refined between the grid's 0.4 and 0.6")
	assert.True(t, tv.ROAS.Low <= truth["tv"] && truth["tv"] <= tv.ROAS.High, "tv's interval holds its truth")
	search := r.Channels[indexOf(r, "search")]
	assert.True(t, search.ROAS.Low <= truth["search"] && truth["search"] <= search.ROAS.High, "search's decay 0.2 is on the grid: its interval holds the truth")
	assert.Less(t, r.BaselineShare, 0.25, "the straight response takes the level the S-curves left to the intercept")
	assertNoWrongVerdict(t, r, truth, "zerobase")
}

// Straight responses over several seeds, baselines from none to half the
// KPI: no confident verdict the truth contradicts ("pays back" or "does
// not pay back" on the wrong side of break-even). An "about break-even"
// whose interval leaves the truth out is counted and logged, not failed:
// that is an interval's miss, which the coverage studies measure (2 of
// these 24 intervals; TestCoverageOffGridStraight).
func TestLinearTruthsNoConfidentWrongVerdict(t *testing.T) {
	skipUnderRace(t)
	seeds := 12
	if testing.Short() {
		seeds = 4
	}
	withheld, total, missed := 0, 0, 0
	for s := 1; s <= seeds; s++ {
		base := []float64{0, 500, 3000}[s%3]
		d, truth := linearTruth(uint64(s), 156, base, 0.03)
		r, err := Fit(d, Options{Bootstrap: 40})
		require.NoError(t, err)
		for _, ch := range r.Channels {
			total++
			if ch.Verdict == "withheld" {
				withheld++
			}
		}
		missed += assertNoWrongVerdict(t, r, truth, fmt.Sprintf("seed %d, baseline %g", s, base))
	}
	t.Logf("%d of %d verdicts withheld; %d \"about break-even\" whose interval leaves the truth out", withheld, total, missed)
}

// Truths far from break-even (true ROI at least 0.3 from 0) on fits the
// warnings pass, over seeds, baselines and returns on both sides of
// break-even: rivals withhold at most a fifth of their verdicts, and no
// "pays back" or "does not pay back" is on the wrong side. The review of
// the rivals found 35 of 40 withheld verdicts on such channels (rivals
// from the one-standard-error rule on the folds' errors rather than on
// their paired differences, and rivals whose own baseline was outside 0
// to 100%); on these data sets that rule withheld 6 of 22 (on the grid
// alone, before the decays were refined). Without the
// straight response and the rivals, tv "does not pay back" on seed 112.
func TestRivalsWithholdLittleFarFromBreakEven(t *testing.T) {
	skipUnderRace(t)
	seeds := 12
	if testing.Short() {
		seeds = 6
	}
	far, withheld := 0, 0
	for s := 1; s <= seeds; s++ {
		base := []float64{0, 1000, 5000}[s%3]
		tvROAS := []float64{1.5, 0.6}[(s/3)%2]
		d, truth := linearTruthROAS(uint64(100+s), 156, base, 0.03, tvROAS, 2.5)
		r, err := Fit(d, Options{Bootstrap: 40})
		require.NoError(t, err)
		what := fmt.Sprintf("seed %d, baseline %g, tv %g", 100+s, base, tvROAS)
		for _, ch := range r.Channels {
			roi := truth[ch.Name]*r.KPIValue - 1
			t.Logf("%s: %s ROAS %.3f (%.3f to %.3f), true %.3f, %s %s", what, ch.Name, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, truth[ch.Name], ch.Verdict, ch.Reason)
			if math.Abs(roi) < 0.3 || r.HeldOut.R2 < 0.9 || fitWarned(r) {
				continue
			}
			far++
			if ch.Verdict == "withheld" && warned(r, WarnCurvesDisagree, ch.Name) {
				withheld++
			}
			switch ch.Verdict {
			case "pays back":
				assert.Greater(t, roi, 0.0, "%s: %s pays back, true ROAS %.3f", what, ch.Name, truth[ch.Name])
			case "does not pay back":
				assert.Less(t, roi, 0.0, "%s: %s does not pay back, true ROAS %.3f", what, ch.Name, truth[ch.Name])
			}
		}
	}
	t.Logf("%d of %d verdicts far from break-even withheld by rivals", withheld, far)
	require.GreaterOrEqual(t, far, seeds, "most channels are far from break-even on a good fit")
	assert.LessOrEqual(t, 5*withheld, far, "at most a fifth withheld")
}

func fitWarned(r *Result) bool {
	for _, w := range r.Warnings {
		if w.Kind == WarnImplausibleBaseline || w.Kind == WarnPoorFit {
			return true
		}
	}
	return false
}

// assertNoWrongVerdict fails a "pays back" or "does not pay back" on the
// wrong side of break-even, and returns the number of "about break-even"
// verdicts whose interval leaves the truth out (logged).
func assertNoWrongVerdict(t *testing.T, r *Result, truth map[string]float64, what string) int {
	t.Helper()
	missed := 0
	for _, ch := range r.Channels {
		roi := truth[ch.Name]*r.KPIValue - 1
		switch ch.Verdict {
		case "pays back":
			assert.Greater(t, roi, 0.0, "%s: %s pays back, true ROAS %.3f", what, ch.Name, truth[ch.Name])
		case "does not pay back":
			assert.Less(t, roi, 0.0, "%s: %s does not pay back, true ROAS %.3f", what, ch.Name, truth[ch.Name])
		case "about break-even":
			if ch.ROAS.Low > truth[ch.Name] || truth[ch.Name] > ch.ROAS.High {
				missed++
				t.Logf("%s: %s about break-even at %.3f (%.3f to %.3f), true ROAS %.3f: the interval leaves the truth out", what, ch.Name, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, truth[ch.Name])
			}
		}
	}
	return missed
}

func warned(r *Result, kind, channel string) bool {
	for _, w := range r.Warnings {
		if w.Kind == kind {
			for _, c := range w.Channels {
				if c == channel {
					return true
				}
			}
		}
	}
	return false
}

// linearTruth is a straight-response data set like the review's script:
// each week's spend normal around its channel's mean (half of it as
// standard deviation, none below 0), each channel's effect
// roas·(1-decay)·adstock (tv decay 0.5, ROAS 1.5; search 0.2, 2.5), on
// a flat baseline, with multiplicative noise. The true ROAS is the
// effect over the spend (trueLinearROAS).
func linearTruth(seed uint64, weeks int, base, noise float64) (Data, map[string]float64) {
	return linearTruthROAS(seed, weeks, base, noise, 1.5, 2.5)
}

// linearTruthROAS is linearTruth with tv's and search's ROAS in the limit
// as given.
func linearTruthROAS(seed uint64, weeks int, base, noise, tvROAS, searchROAS float64) (Data, map[string]float64) {
	rng := rand.New(rand.NewPCG(seed, 34))
	chans := []struct {
		name              string
		decay, mean, roas float64
	}{{"tv", 0.5, 3000, tvROAS}, {"search", 0.2, 1500, searchROAS}}
	d := Data{Period: Week, KPI: make([]float64, weeks)}
	start := time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)
	for w := range weeks {
		d.Weeks = append(d.Weeks, start.AddDate(0, 0, 7*w))
		d.KPI[w] = base
	}
	truth := map[string]float64{}
	for _, c := range chans {
		spend := make([]float64, weeks)
		for w := range spend {
			spend[w] = math.Max(0, c.mean+0.5*c.mean*rng.NormFloat64())
		}
		a := 0.0
		for w, s := range spend {
			a = s + c.decay*a
			d.KPI[w] += c.roas * (1 - c.decay) * a
		}
		d.Channels = append(d.Channels, Channel{Name: c.name, Spend: spend})
		truth[c.name] = trueLinearROAS(spend, c.decay, c.roas)
	}
	for w := range d.KPI {
		d.KPI[w] *= 1 + noise*rng.NormFloat64()
	}
	return d, truth
}

// trueLinearROAS is Σ roas·(1-decay)·adstock over Σ spend.
func trueLinearROAS(spend []float64, decay, roas float64) float64 {
	a, eff, sum := 0.0, 0.0, 0.0
	for _, s := range spend {
		a = s + decay*a
		eff += roas * (1 - decay) * a
		sum += s
	}
	return eff / sum
}

// readCSVs reads dir's spend.csv and kpi.csv.
func readCSVs(t *testing.T, dir string) Data {
	d, _ := readDir(t, dir, "", false)
	return d
}

// readDir reads dir's spend.csv, the KPI column of its kpi.csv ("" for
// the one there is), and with controls its controls.csv, as mix does.
func readDir(t *testing.T, dir, column string, controls bool) (Data, Assembled) {
	t.Helper()
	fail := func(line int, err error) { t.Errorf("line %d: %v", line, err) }
	f, err := os.Open(filepath.Join(dir, "spend.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, _, err := ReadSpend(f, fail)
	require.NoError(t, err)
	g, err := os.Open(filepath.Join(dir, "kpi.csv"))
	require.NoError(t, err)
	defer g.Close()
	kpi, _, err := ReadWeekly(g, "KPI", column, fail)
	require.NoError(t, err)
	var ctl *Series
	if controls {
		h, err := os.Open(filepath.Join(dir, "controls.csv"))
		require.NoError(t, err)
		defer h.Close()
		c, _, err := ReadWeekly(h, "controls", "*", fail)
		require.NoError(t, err)
		ctl = &c
	}
	d, a, err := Assemble(rows, kpi, ctl)
	require.NoError(t, err)
	return d, a
}

// A channel whose return rival curves put on both sides of break-even has
// no verdict on a lift test's agreement either: the model's figure beside
// the test is one of several the data allow. (Seed 107 of the straight
// truths with a baseline of 1,000 a week: tv, true ROAS 1.492, is withheld
// by rivals without the test.) The test is the truth over 12 weeks of
// tv's spend, ±15%.
func TestLiftAgreementWithheldByRivals(t *testing.T) {
	skipUnderRace(t)
	d, _ := linearTruthROAS(107, 156, 1000, 0.03, 1.5, 2.5)
	r0, err := Fit(d, Options{Bootstrap: 40})
	require.NoError(t, err)
	require.True(t, warned(r0, WarnCurvesDisagree, "tv"), "precondition: tv withheld by rivals, %v", r0.Warnings)

	tv := d.Channels[indexOfData(d, "tv")].Spend
	from, to := 80, 92
	a, effect := 0.0, 0.0
	for w := from; w < to; w++ {
		a = tv[w] + 0.5*a
		effect += 1.5 * 0.5 * a
	}
	test := LiftTest{Channel: "tv", Start: d.Weeks[from], End: d.Weeks[to-1].AddDate(0, 0, 6), Incremental: effect, Low: 0.85 * effect, High: 1.15 * effect}
	r, err := Fit(d, Options{Bootstrap: 40, LiftTests: []LiftTest{test}})
	require.NoError(t, err)
	require.Len(t, r.Calibration, 1)
	c := r.Calibration[0]
	assert.False(t, c.AgreesBefore)
	assert.False(t, c.AgreesAfter)
	// The calibrated fit has no curves_disagree warning of tv (the test
	// settles its curves), so the reason names the fit without the tests
	// rather than a warning the report does not have.
	require.False(t, warned(r, WarnCurvesDisagree, "tv"))
	assert.Contains(t, c.AgreementWithheld, "no verdict on agreement: curves that predict the held-out weeks as well put tv's return on both sides of break-even (in the fit without the lift tests")
	js, err := json.Marshal(c)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"agrees_before":null,"agrees_after":null,"agreement_withheld":`, "null, not false, which would read as a disagreement")
	for _, w := range r.Warnings {
		assert.NotEqual(t, WarnLiftDisagrees, w.Kind, "no disagreement is warned of when agreement is withheld")
		assert.NotEqual(t, WarnLiftStillDisagrees, w.Kind, "no disagreement is warned of when agreement is withheld")
	}
}

func indexOfData(d Data, name string) int {
	for i, ch := range d.Channels {
		if ch.Name == name {
			return i
		}
	}
	return -1
}

// A channel with no spend has no curve to choose, so its grid adds no
// rivals: the review's data (testdata/mix/rivals' KPI, tv's spend, search
// 0 every week) had 36 rivals, against 2 with tv alone. Now the two have
// the same rivals, and the reallocation, which can move nothing (search
// has no spend to move, tv has the whole total), moves exactly nothing:
// it printed tv's change as -1.6e-08 and its effect as -2.2e-08.
func TestNoSpendChannelAddsNoRivals(t *testing.T) {
	d := readCSVs(t, filepath.Join("..", "testdata", "mix", "rivals"))
	require.Equal(t, []string{"search", "tv"}, []string{d.Channels[0].Name, d.Channels[1].Name})
	zero := d
	zero.Channels = []Channel{{Name: "search", Spend: make([]float64, len(d.KPI))}, d.Channels[1]}
	alone := d
	alone.Channels = d.Channels[1:]
	count := func(d Data) int {
		m := setup(d, Options{}.withDefaults())
		ks, lam, _, err := m.search(m.start(), startLambda, d.KPI)
		require.NoError(t, err)
		rv, err := m.rivals(ks, lam)
		require.NoError(t, err)
		return len(rv)
	}
	n := count(alone)
	t.Logf("rivals: tv alone %d", n)
	assert.Equal(t, n, count(zero))
	for _, dd := range []Data{zero, alone} {
		r, err := Fit(dd, Options{Bootstrap: 20})
		require.NoError(t, err)
		for _, mv := range r.Reallocation.Channels {
			assert.Zero(t, mv.Change, mv.Name)
			assert.Equal(t, mv.Current, mv.Proposed, mv.Name)
		}
		assert.Equal(t, Interval{}, Interval{Value: r.Reallocation.Effect.Value, Low: r.Reallocation.Effect.Low, High: r.Reallocation.Effect.High})
	}
}
