package mix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// WarnCurvesDisagree is a choice of curves the held-out periods cannot
// make: other adstocks and saturations whose fits pass the fit-quality
// warnings predict them as well as the chosen ones (see rivals) and give a
// channel's return on the other side of break-even, or a baseline share
// more than BaselineSpread apart. The verdicts that change with the
// choice are withheld.
const WarnCurvesDisagree = "curves_disagree"

// BaselineSpread is how far apart, as a share of the fitted KPI, the
// baseline shares of curves the cross-validation cannot tell apart may lie
// before WarnCurvesDisagree says so.
const BaselineSpread = 0.10

// rivalCheck runs the search for rivals (the benchmark turns it off to
// measure what it costs).
var rivalCheck = true

// rivalStarts is the number of searches from random curves (with a fixed
// seed) whose ends are rivals, beside the search from straight responses.
const rivalStarts = 4

// rival is a choice of curves and penalty, with what the model fitted on
// all periods under it says.
type rival struct {
	ks       []candidate
	lam      int
	cv       float64
	roas     []float64
	baseline float64
}

// rivals are the choices of curves the cross-validation cannot tell from
// ks and lam, and whose own fit the fit-quality warnings would pass.
//
// The test is paired by fold: each fold's held-out error under the rival
// less the chosen curves' on the same fold. A rival is indistinguishable
// when the mean of those differences is within one standard error of it
// (their standard deviation over the square root of the number of
// folds): the one-standard-error rule, on the differences rather than on
// the errors themselves, whose spread from fold to fold is mostly how hard
// each fold's weeks are to predict, the same for both choices. A choice
// that ends with a baseline share outside 0 to 100% by more than
// BaselineMargin, or an in-sample R² below MinR2, or a held-out R² below
// 0, or a penalty at the top of lambdas (what fitWarnings warns of), is no rival: its figures would be
// withheld were it chosen, so they cannot withhold the chosen ones'.
//
// The choices tried are each channel's grid with the others as chosen,
// and the ends of searches from straight responses and from rivalStarts
// random curves: the coordinate search ends in one local optimum, and on a
// straight response an S-curve and the straight line can predict the
// held-out periods equally well while splitting the KPI between intercept
// and channels very differently.
func (m *model) rivals(ks []candidate, lam int) ([]rival, error) {
	tg := newTarget(m.d.KPI)
	F := m.o.Folds
	best := make([]float64, F)
	if _, err := m.cvFolds(ks, lambdas[lam], tg, nil, best); err != nil {
		return nil, err
	}
	seen := map[string]bool{key(ks, lam): true}
	var tries []rival
	folds := make([]float64, F)
	// A channel with no spend has no curve to choose (its column is 0
	// whatever the curve): its curve is kept as chosen, so that its grid
	// adds no rivals (36 of a no-spend channel's curves were counted as
	// rivals of 2).
	spent := make([]bool, len(ks))
	for c, ch := range m.d.Channels {
		for _, v := range ch.Spend {
			spent[c] = spent[c] || v > 0
		}
	}
	try := func(kr []candidate, l int) error {
		kr = append([]candidate(nil), kr...)
		for c := range kr {
			if !spent[c] {
				kr[c] = ks[c]
			}
		}
		k := key(kr, l)
		if seen[k] {
			return nil
		}
		seen[k] = true
		clear(folds)
		cv, err := m.cvFolds(kr, lambdas[l], tg, nil, folds)
		if err != nil {
			return err
		}
		if indistinguishable(folds, best) {
			tries = append(tries, rival{ks: append([]candidate(nil), kr...), lam: l, cv: cv})
		}
		return nil
	}
	kr := append([]candidate(nil), ks...)
	for c := range ks {
		if !spent[c] {
			continue
		}
		for _, k := range m.grid() {
			kr[c] = k
			if err := try(kr, lam); err != nil {
				return nil, err
			}
		}
		kr[c] = ks[c]
	}
	var starts [][]candidate
	if linearCandidate {
		st := make([]candidate, len(ks))
		for c := range st {
			st[c] = candidate{ad: m.coarse() / 2, half: len(m.halves())}
		}
		starts = append(starts, st)
	}
	rng := rand.New(rand.NewPCG(0x726976616c, 0)) // "rival"
	for range rivalStarts {
		starts = append(starts, m.randomStart(rng))
	}
	for _, st := range starts {
		kb, lb, _, err := m.search(st, startLambda, m.d.KPI)
		if err != nil {
			return nil, err
		}
		if err := try(kb, lb); err != nil {
			return nil, err
		}
	}
	var out []rival
	for _, r := range tries {
		fa, err := m.fitAll(r.ks, r.lam)
		if err != nil {
			return nil, err
		}
		r.roas, r.baseline = m.answers(fa, r.ks)
		ok, err := m.plausible(fa, r)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].cv < out[b].cv })
	return out, nil
}

// indistinguishable says whether the folds' held-out errors e predict no
// worse than best's by more than one standard error of the paired
// differences' mean.
func indistinguishable(e, best []float64) bool {
	d := make([]float64, len(e))
	for f := range e {
		d[f] = e[f] - best[f]
	}
	mean := stat.Mean(d, nil)
	if len(d) < 2 {
		return mean <= 0
	}
	return mean <= stat.StdDev(d, nil)/math.Sqrt(float64(len(d)))
}

// plausible says whether the fit fa of the rival r would pass the
// fit-quality warnings (fitWarnings): its baseline share, its in-sample
// R² and its held-out R².
func (m *model) plausible(fa fitted, r rival) (bool, error) {
	q := &Result{Period: m.d.Period.String(), Lambda: lambdas[r.lam], BaselineShare: r.baseline, InSample: quality(m.d.KPI, fa.fitted)}
	pred := map[int]float64{}
	if _, err := m.cvError(r.ks, lambdas[r.lam], newTarget(m.d.KPI), pred); err != nil {
		return false, err
	}
	var ho, hp []float64
	for t := 0; t < m.n; t++ {
		if p, ok := pred[t]; ok {
			ho, hp = append(ho, m.d.KPI[t]), append(hp, p)
		}
	}
	q.HeldOut = quality(ho, hp)
	return len(fitWarnings(q)) == 0, nil
}

// answers is each channel's ROAS (0 with no spend) and the baseline's
// share of the fitted KPI under a fit on all periods with curves ks.
func (m *model) answers(fa fitted, ks []candidate) ([]float64, float64) {
	C := len(m.d.Channels)
	first := len(fa.cols) - C
	roas := make([]float64, C)
	total, channels := 0.0, 0.0
	for _, v := range fa.fitted {
		total += v
	}
	for c, ch := range m.d.Channels {
		spend := 0.0
		for _, v := range ch.Spend {
			spend += v
		}
		incr := 0.0
		for _, v := range fa.cols[first+c] {
			incr += fa.lm.beta[first+c] * v
		}
		channels += incr
		if spend > 0 {
			roas[c] = incr / spend
		}
	}
	if total == 0 {
		return roas, 0
	}
	return roas, (total - channels) / total
}

// straddles is the range of channel c's ROAS under the chosen curves
// (roas) and the rivals, and whether it lies on both sides of break-even
// at kpiValue a unit of KPI.
func straddles(roas float64, c int, rivals []rival, kpiValue float64) (lo, hi float64, both bool) {
	lo, hi = roas, roas
	for _, rv := range rivals {
		lo, hi = math.Min(lo, rv.roas[c]), math.Max(hi, rv.roas[c])
	}
	return lo, hi, lo*kpiValue-1 <= 0 && hi*kpiValue-1 >= 0 && lo < hi
}

func key(ks []candidate, lam int) string {
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, "%d.%d.%d/", k.ad, k.half, k.shape)
	}
	fmt.Fprintf(&b, "%d", lam)
	return b.String()
}

// judgeRivals withholds the verdicts of r's channels that rival curves
// put on the other side of break-even, and warns (WarnCurvesDisagree)
// when any is withheld or the rivals' baseline shares lie more than
// BaselineSpread apart.
func judgeRivals(r *Result, rivals []rival, per string) {
	if len(rivals) == 0 {
		return
	}
	var withheld, ranges []string
	for c := range r.Channels {
		cr := &r.Channels[c]
		if cr.Spend <= 0 {
			continue
		}
		lo, hi, both := straddles(cr.ROAS.Value, c, rivals, r.KPIValue)
		if cr.Verdict != "withheld" && both {
			withheld = append(withheld, cr.Name)
			cr.Verdict = "withheld"
			cr.Reason = fmt.Sprintf("curves that predict the held-out %ss as well give ROAS %s to %s, on both sides of break-even (see the warning)", per, num(lo), num(hi))
			ranges = append(ranges, fmt.Sprintf("%s's ROAS %s to %s", cr.Name, num(lo), num(hi)))
		}
	}
	bLo, bHi := r.BaselineShare, r.BaselineShare
	for _, rv := range rivals {
		bLo, bHi = math.Min(bLo, rv.baseline), math.Max(bHi, rv.baseline)
	}
	baseline := bHi-bLo > BaselineSpread
	if len(withheld) == 0 && !baseline {
		return
	}
	if baseline {
		ranges = append(ranges, fmt.Sprintf("a baseline of %s%% to %s%% of the fitted KPI", onePlace(100*bLo), onePlace(100*bHi)))
	}
	what := "so read the split between baseline and channels as uncertain"
	if len(withheld) > 0 {
		what = "so the verdicts that change with the choice (" + strings.Join(withheld, ", ") + ") are withheld"
	}
	choices := "other choice"
	if len(rivals) > 1 {
		choices = "other choices"
	}
	fix := fmt.Sprintf("a lift test per channel (--lift-tests) or more %ss with spend that varies more would decide", per)
	if per == "day" {
		fix = "more days with spend that varies more, or the data by week calibrated with a lift test per channel (--period week --lift-tests), would decide"
	}
	r.Warnings = append(r.Warnings, Warning{Kind: WarnCurvesDisagree, Channels: withheld, Message: fmt.Sprintf(
		"the held-out %ss cannot choose the curves: %d %s of carry-over and saturation predict them as well as the chosen curves (fold by fold, within one standard error), fit as well, and give %s; %s; %s",
		per, len(rivals), choices, strings.Join(ranges, " and "), what, fix)})
}

// onePlace is v with one decimal place, never "-0.0".
func onePlace(v float64) string {
	out := fmt.Sprintf("%.1f", v)
	if out == "-0.0" {
		return "0.0"
	}
	return out
}
