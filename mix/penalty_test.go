package mix

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// straightChannel is a channel of straightTruth: spend normal around mean
// (half of it as standard deviation, none below 0), effect
// roas·(1-decay)·adstock.
type straightChannel struct {
	name              string
	decay, mean, roas float64
}

// dailyStraightChannels are the review's daily straight responses (issue
// 34, its script drive4.py): tv decay 0.5 a day, ROAS 0.7 (it does not
// pay back); search decay 0, ROAS 1.6 (it does).
var dailyStraightChannels = []straightChannel{{"tv", 0.5, 300, 0.7}, {"search", 0, 150, 1.6}}

// straightTruth is a data set of straight responses on a flat baseline
// with multiplicative noise, by period (the review's generator, in Go):
// each period's KPI is base plus each channel's effect, times 1 plus
// noise·N(0,1). The true ROAS is the effect over the spend
// (trueLinearROAS).
func straightTruth(seed uint64, p Period, n int, base, noise float64, chans []straightChannel) (Data, map[string]float64) {
	rng := rand.New(rand.NewPCG(seed, 3434))
	d := Data{Period: p, KPI: make([]float64, n)}
	start := time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)
	for t := range n {
		d.Weeks = append(d.Weeks, start.AddDate(0, 0, p.Days()*t))
		d.KPI[t] = base
	}
	truth := map[string]float64{}
	for _, c := range chans {
		spend := make([]float64, n)
		for t := range spend {
			spend[t] = math.Max(0, c.mean+0.5*c.mean*rng.NormFloat64())
		}
		a := 0.0
		for t, s := range spend {
			a = s + c.decay*a
			d.KPI[t] += c.roas * (1 - c.decay) * a
		}
		d.Channels = append(d.Channels, Channel{Name: c.name, Spend: spend})
		truth[c.name] = trueLinearROAS(spend, c.decay, c.roas)
	}
	for t := range d.KPI {
		d.KPI[t] = math.Max(0, d.KPI[t]*(1+noise*rng.NormFloat64()))
	}
	return d, truth
}

// dailyStraight is the review's daily data set: 420 days, a baseline of
// 300 a day, 8% noise.
func dailyStraight(seed uint64) (Data, map[string]float64) {
	return straightTruth(seed, Day, 420, 300, 0.08, dailyStraightChannels)
}

// noiseKPI is a KPI of noise around 1,000 a week with two channels'
// random spend it does not depend on.
func noiseKPI(seed uint64) Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := 104
	d := Data{Period: Week, KPI: make([]float64, n)}
	start := time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)
	for w := range n {
		d.Weeks = append(d.Weeks, start.AddDate(0, 0, 7*w))
		d.KPI[w] = 1000 + 100*rng.NormFloat64()
	}
	for _, name := range []string{"tv", "search"} {
		s := make([]float64, n)
		for w := range s {
			s[w] = math.Max(0, 100+50*rng.NormFloat64())
		}
		d.Channels = append(d.Channels, Channel{Name: name, Spend: s})
	}
	return d
}

// The penalties the search may choose: the grid, and 4 steps of x3 past
// its top, by hand: 0.9, 2.7, 8.1, 24.3.
func TestLambdaLadder(t *testing.T) {
	require.Len(t, lambdas, len(gridLambda)+4)
	assert.Equal(t, gridLambda, lambdas[:lambdaLast+1])
	for i, want := range []float64{0.9, 2.7, 8.1, 24.3} {
		assert.InDelta(t, want, lambdas[lambdaLast+1+i], 1e-12)
	}
	assert.Equal(t, 1e-2, lambdas[startLambda])
}

// The search's penalty is the one of all lambdas that predicts the
// held-out periods best with the curves it chose, checked by trying every
// one (the search scans the grid and walks past its top only while the
// error falls): on a KPI of noise it walks to the top, 24.3, which the
// grid alone could not reach, and on the simulations it stays inside.
func TestPenaltySearchPastGrid(t *testing.T) {
	type set struct {
		name string
		d    Data
	}
	var sets []set
	for s := uint64(1); s <= 3; s++ {
		sets = append(sets, set{"noise", noiseKPI(s)})
	}
	ex, _, err := Simulate(exampleSim)
	require.NoError(t, err)
	sets = append(sets, set{"example", ex})
	ds, _ := dailyStraight(3)
	sets = append(sets, set{"daily straight", ds})
	for _, s := range sets {
		m := setup(s.d, Options{}.withDefaults())
		ks, lam, _, err := m.search(m.start(), startLambda, s.d.KPI)
		require.NoError(t, err)
		best, arg := math.Inf(1), -1
		for l := range lambdas {
			e, err := m.cvError(ks, lambdas[l], newTarget(s.d.KPI), nil)
			require.NoError(t, err)
			if e < best*(1-1e-9) {
				best, arg = e, l
			}
		}
		t.Logf("%s: penalty %v, the best of every penalty %v", s.name, lambdas[lam], lambdas[arg])
		assert.Equal(t, arg, lam, s.name)
		if s.name == "noise" {
			assert.Equal(t, len(lambdas)-1, lam, "noise: the error falls to the top")
		} else {
			assert.Less(t, lam, len(lambdas)-1, s.name)
		}
	}
}

// A penalty at the top of the steps is warned of (penalty_at_edge), every
// verdict is withheld with the warning's reason, the reallocation is no
// recommendation, and the JSON carries the kind.
func TestPenaltyAtEdgeWithholds(t *testing.T) {
	r, err := Fit(noiseKPI(1), Options{Bootstrap: 20})
	require.NoError(t, err)
	assert.Equal(t, 24.3, math.Round(r.Lambda*1e9)/1e9)
	require.True(t, warnedKind(r.Warnings, WarnPenaltyAtEdge), "%+v", r.Warnings)
	for _, w := range r.Warnings {
		if w.Kind == WarnPenaltyAtEdge {
			assert.Equal(t, "the ridge penalty is 24.3, the largest the search allows (its grid's 0.3 and 4 steps of x3 past it): the held-out weeks are predicted best with every column shrunk toward nothing, so the curves the channels' returns are read along have no footing in prediction, and every verdict is withheld; more weeks, fewer channels, or a lift test per channel (--lift-tests) would give the model a footing", w.Message)
		}
	}
	for _, c := range r.Channels {
		assert.Equal(t, "withheld", c.Verdict, c.Name)
		assert.Equal(t, "the ridge penalty is at the largest the search allows (see the warning)", c.Reason, c.Name)
	}
	assert.False(t, r.Reallocation.Recommended)
	assert.Contains(t, r.Reallocation.Withheld, "the ridge penalty is at the largest the search allows")
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"kind":"penalty_at_edge"`)

	// The warning is the penalty's alone: one step below the top, none.
	q := &Result{Period: "day", Lambda: lambdas[len(lambdas)-2], InSample: FitQuality{R2: 0.9}, HeldOut: FitQuality{R2: 0.5}, BaselineShare: 0.5}
	assert.Empty(t, fitWarnings(q))
	q.Lambda = lambdas[len(lambdas)-1]
	ws := fitWarnings(q)
	require.Len(t, ws, 1)
	assert.Contains(t, ws[0].Message, "more days, fewer channels, or the data by week calibrated with a lift test per channel (--period week --lift-tests)")
}

func warnedKind(ws []Warning, kind string) bool {
	for _, w := range ws {
		if w.Kind == kind {
			return true
		}
	}
	return false
}

// The ridge shrinks a column's coefficient by 1/(1+λ) when it is alone
// (or uncorrelated with the rest), however many periods there are; the
// fit on all periods leaves a channel all but unpenalised. By hand, x =
// 1..4, y = 2, 4, 5, 9: Sxx = 5, Sxy = 11, least squares 11/5; the
// penalty 0.3 on the standardised coefficient (sd² = 1.25, 4 rows) adds
// 0.3·4·1.25 = 1.5 to Sxx: 11/6.5, 5/6.5 = 1/1.3 of it. fitSystem, with
// x a channel, gives 11/(5 + 1e-4·5): the penalty is channelRidge's.
func TestChannelPenaltyRelaxed(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y := []float64{2, 4, 5, 9}
	lm, err := newSystem([][]float64{x}, 4, 0.3).solve(y, []bool{true})
	require.NoError(t, err)
	assert.InDelta(t, 11/6.5, lm.beta[0], 1e-12)
	m := &model{n: 4}
	lam := lambdaLast // 0.3
	lm, err = m.fitSystem([][]float64{x}, lam).solve(y, []bool{true})
	require.NoError(t, err)
	assert.InDelta(t, 11/(5+5e-4), lm.beta[0], 1e-12)
	// A base column keeps the penalty.
	m.base = [][]float64{x}
	lm, err = m.fitSystem([][]float64{x}, lam).solve(y, []bool{false})
	require.NoError(t, err)
	assert.InDelta(t, 11/6.5, lm.beta[0], 1e-12)
}

// On the review's daily straight responses search's point estimates are
// not shrunk toward 0: over 20 data sets (dailyStraight, seeds 1 to 20),
// its median estimated ROAS over its true ROAS, fitted as Fit fits (the
// search, then the fit on all days), is 1.000, and the test holds it
// within 3%. With the grid's penalty on every column (relaxedPenalty off)
// it was 0.962: the penalties chosen, 0.01 to 0.1, took 1/(1+λ) off the
// return. tv's median is 0.73 either way (0.709 before): its curves, not
// the penalty, pull it low, and its intervals allow for it (19 of 20
// hold its truth, TestCoverageDailyStraight), so it is logged, not held.
func TestDailyStraightNotShrunk(t *testing.T) {
	skipUnderRace(t)
	if testing.Short() {
		t.Skip("searches 20 daily data sets")
	}
	ratios := map[string][]float64{}
	for s := uint64(1); s <= 20; s++ {
		d, truth := dailyStraight(s)
		m := setup(d, Options{}.withDefaults())
		ks, lam, _, err := m.search(m.start(), startLambda, d.KPI)
		require.NoError(t, err)
		fa, err := m.fitAll(ks, lam)
		require.NoError(t, err)
		roas, _ := m.answers(fa, ks)
		for c, ch := range d.Channels {
			ratios[ch.Name] = append(ratios[ch.Name], roas[c]/truth[ch.Name])
		}
	}
	for name, r := range ratios {
		sort.Float64s(r)
		med := (r[9] + r[10]) / 2
		t.Logf("%s: median estimated over true ROAS %.3f", name, med)
		if name == "search" {
			assert.InDelta(t, 1, med, 0.03, name)
		}
	}
}

// The intervals' coverage on the review's daily straight responses
// (dailyStraight, 20 data sets, 40 intervals of 100 refits): 40 of 40
// (search 20, tv 20) since the daily refits draw their curves
// (drawCurves), 39 of 40 (97.5%; tv 19) before; no verdict on the wrong
// side of break-even ("pays back" for tv, true ROI -0.3, or "does not pay
// back" for search, +0.6). With the grid's penalty on every column
// (relaxedPenalty off) 31 of 40 (77.5%; search 14, tv 17): search's
// intervals sat below its truth. At 40 intervals a true 95% gives 95% ±
// 6.9 points, so the test holds the share at 87.5% (35 of 40) or more,
// which the old penalty fails. .ci/run runs it in the mix simulations'
// step.
func TestCoverageDailyStraight(t *testing.T) {
	skipUnderRace(t)
	if testing.Short() {
		t.Skip("fits 20 daily data sets of 420 days")
	}
	cov, total, wrong := 0, 0, 0
	by := map[string]int{}
	for s := uint64(1); s <= 20; s++ {
		d, truth := dailyStraight(s)
		r, err := Fit(d, Options{Bootstrap: 100})
		require.NoError(t, err)
		for _, ch := range r.Channels {
			total++
			tr := truth[ch.Name]
			in := ch.ROAS.Low <= tr && tr <= ch.ROAS.High
			if in {
				cov++
				by[ch.Name]++
			}
			bad := ch.Verdict == "pays back" && tr < 1 || ch.Verdict == "does not pay back" && tr > 1
			if bad {
				wrong++
			}
			t.Logf("seed %d %-6s true ROAS %.3f, estimated %.3f (95%% %.3f to %.3f) %v, %s, penalty %v", s, ch.Name, tr, ch.ROAS.Value, ch.ROAS.Low, ch.ROAS.High, in, ch.Verdict, r.Lambda)
		}
	}
	share := float64(cov) / float64(total)
	t.Logf("%d of %d daily straight intervals (%.1f%%) hold the true ROAS; by channel %v; %d verdicts on the wrong side of break-even", cov, total, 100*share, by, wrong)
	assert.GreaterOrEqual(t, share, 0.875)
	assert.Zero(t, wrong)
}
