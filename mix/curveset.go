package mix

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// drawCurves makes a daily model's bootstrap refits' data from curves
// drawn among those the held-out days cannot tell from the chosen ones
// (curveSets), not from the chosen curves alone; the benchmark and the
// coverage studies turn it off to measure the intervals as they were.
var drawCurves = true

// curveSets is, for each channel, the curves of its grid (every adstock,
// half-saturation and Hill shape, and the straight response) that predict
// the held-out periods as well as its chosen one, the chosen one first,
// with the other channels' curves and the penalty as chosen, each weighted
// by exp(-z): z is how far its held-out error lies above the chosen one's,
// the mean of the folds' paired differences over its standard error. "As
// well" is z <= 1, the rivals' test (indistinguishable): a tolerance the
// cross-validation error's own noise sets, fold by fold, not a share
// picked for the coverage it gives. With lift tests active their
// pseudo-observations count in each fold's error, as in the search. A
// channel with no spend keeps its curve (its column is 0 whatever the
// curve).
//
// It draws on daily models only; a weekly model's sets hold the chosen
// curves alone, and its refits are made as before. On daily data a
// channel's curve may not be identified: on issue 34's simulated daily
// data sets social's true curve was chosen on 11 of 100, its
// cross-validation error a median 2.2% above the chosen one's, and a wrong
// curve attenuates the channel's coefficient; refits generated from the
// chosen curve alone were centred on the attenuated estimate and never
// widened for the choice, and 277 of 300 intervals held the truth, below
// the band of 95% ± 2.5 points a true 95% gives; drawn, 285 of 300 do.
// On weekly data the refits from random starts already hold the truth 283
// of 300 times, and the draws made the intervals wider than their 95%:
// 293 to 298 of 300, above the band, in each of the four ways of drawing
// tried (uniform or weighted, every channel or one a refit, with or
// without the joint test). docs/bench/issue-34-daily-coverage.txt,
// entries 6 and 7, has the figures.
func (m *model) curveSets(ks []candidate, lam int) (*curveDrawer, error) {
	dr := &curveDrawer{m: m, sets: make([]curveSet, len(ks)), lam: lam, chosen: ks, joint: map[string]bool{key(ks, lam): true}}
	for c := range ks {
		dr.sets[c] = curveSet{ks: []candidate{ks[c]}, cum: []float64{1}}
	}
	if !drawCurves || m.d.Period.norm() != Day {
		return dr, nil
	}
	dr.tg = newTarget(m.d.KPI)
	dr.best = make([]float64, m.o.Folds)
	if _, err := m.cvFolds(ks, lambdas[lam], dr.tg, nil, dr.best); err != nil {
		return nil, err
	}
	folds := make([]float64, m.o.Folds)
	kr := append([]candidate(nil), ks...)
	for c := range ks {
		if !m.spent(c) {
			continue
		}
		s := &dr.sets[c]
		for _, k := range m.everyCurve() {
			if k == ks[c] {
				continue
			}
			kr[c] = k
			clear(folds)
			if _, err := m.cvFolds(kr, lambdas[lam], dr.tg, nil, folds); err != nil {
				return nil, err
			}
			if z, ok := closeness(folds, dr.best); ok {
				s.ks = append(s.ks, k)
				s.cum = append(s.cum, s.cum[len(s.cum)-1]+math.Exp(-z))
			}
		}
		kr[c] = ks[c]
	}
	return dr, nil
}

// curveSet is a channel's curves the data cannot tell apart, the chosen
// one first, with their cumulative weights.
type curveSet struct {
	ks  []candidate
	cum []float64
}

// draw draws one of the set's curves by its weight; from a set of one it
// draws nothing from rng.
func (s curveSet) draw(rng *rand.Rand) candidate {
	if len(s.ks) == 1 {
		return s.ks[0]
	}
	u := rng.Float64() * s.cum[len(s.cum)-1]
	return s.ks[min(sort.SearchFloat64s(s.cum, u), len(s.ks)-1)]
}

// curveDrawer draws the refits' generating curves from curveSets.
type curveDrawer struct {
	m      *model
	sets   []curveSet
	lam    int
	chosen []candidate
	// tg and best are the KPI's cross-validation target and the chosen
	// curves' held-out error by fold; joint says whether a choice of
	// every channel's curve passes closeness against them.
	tg    *target
	best  []float64
	joint map[string]bool
}

// drawTries is how many draws draw makes before it keeps the chosen
// curves.
const drawTries = 20

// draw sets ks to each channel's curve drawn from its set, drawn again
// until the curves together predict the held-out periods as well as the
// chosen ones (each set holds curves that do so one channel at a time,
// the others as chosen; together they may not): at most drawTries times,
// then the chosen curves. With every set of one it is the chosen curves
// and draws nothing from rng.
func (dr *curveDrawer) draw(rng *rand.Rand, ks []candidate) error {
	for range drawTries {
		for c := range ks {
			ks[c] = dr.sets[c].draw(rng)
		}
		k := key(ks, dr.lam)
		ok, seen := dr.joint[k]
		if !seen {
			folds := make([]float64, len(dr.best))
			if _, err := dr.m.cvFolds(ks, lambdas[dr.lam], dr.tg, nil, folds); err != nil {
				return err
			}
			_, ok = closeness(folds, dr.best)
			dr.joint[k] = ok
		}
		if ok {
			return nil
		}
	}
	copy(ks, dr.chosen)
	return nil
}

// closeness is z, the mean of the folds' paired differences e - best in
// held-out error over its standard error (0 when e predicts no worse), and
// whether e is within one standard error of best: indistinguishable's
// test.
func closeness(e, best []float64) (z float64, ok bool) {
	d := make([]float64, len(e))
	for f := range e {
		d[f] = e[f] - best[f]
	}
	mean := stat.Mean(d, nil)
	if mean <= 0 {
		return 0, true
	}
	if len(d) < 2 {
		return 0, false
	}
	se := stat.StdDev(d, nil) / math.Sqrt(float64(len(d)))
	if mean > se {
		return 0, false
	}
	return mean / se, true
}

// everyCurve is grid with the fine decays too (those refine tries).
func (m *model) everyCurve() []candidate { return m.candidates(len(m.adstocks[0])) }

// spent says whether channel c has any spend.
func (m *model) spent(c int) bool {
	for _, v := range m.d.Channels[c].Spend {
		if v > 0 {
			return true
		}
	}
	return false
}
