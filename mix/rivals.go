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
// make: other adstocks and saturations predict them within one standard
// error of the chosen ones (the one-standard-error rule) and give a
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
// ks and lam: those whose held-out error is within one standard error of
// theirs, the standard error that of the sum of the folds' errors
// (sqrt(folds) times their standard deviation). The choices tried are
// each channel's grid with the others as chosen, and the ends of
// searches from straight responses and from rivalStarts random curves:
// the coordinate search ends in one local optimum, and on a straight
// response an S-curve and the straight line can predict the held-out
// periods equally well while splitting the KPI between intercept and
// channels very differently.
func (m *model) rivals(ks []candidate, lam int) ([]rival, error) {
	tg := newTarget(m.d.KPI)
	folds := make([]float64, m.o.Folds)
	best, err := m.cvFolds(ks, gridLambda[lam], tg, nil, folds)
	if err != nil {
		return nil, err
	}
	tol := math.Sqrt(float64(len(folds))) * stat.StdDev(folds, nil)
	seen := map[string]bool{key(ks, lam): true}
	var tries []rival
	try := func(kr []candidate, l int, cv float64) {
		k := key(kr, l)
		if seen[k] {
			return
		}
		seen[k] = true
		if cv <= best+tol {
			tries = append(tries, rival{ks: append([]candidate(nil), kr...), lam: l, cv: cv})
		}
	}
	kr := append([]candidate(nil), ks...)
	for c := range ks {
		for _, k := range m.grid() {
			kr[c] = k
			if seen[key(kr, lam)] {
				continue
			}
			e, err := m.cvError(kr, gridLambda[lam], tg, nil)
			if err != nil {
				return nil, err
			}
			try(kr, lam, e)
		}
		kr[c] = ks[c]
	}
	var starts [][]candidate
	if linearCandidate {
		st := make([]candidate, len(ks))
		for c := range st {
			st[c] = candidate{ad: len(m.adstocks[0]) / 2, half: len(m.halves())}
		}
		starts = append(starts, st)
	}
	rng := rand.New(rand.NewPCG(0x726976616c, 0)) // "rival"
	for range rivalStarts {
		starts = append(starts, m.randomStart(rng))
	}
	for _, st := range starts {
		kb, lb, e, err := m.search(st, startLambda, m.d.KPI)
		if err != nil {
			return nil, err
		}
		try(kb, lb, e)
	}
	for i := range tries {
		r := &tries[i]
		fa, err := m.fitAll(r.ks, r.lam)
		if err != nil {
			return nil, err
		}
		r.roas, r.baseline = m.answers(fa, r.ks)
	}
	sort.SliceStable(tries, func(a, b int) bool { return tries[a].cv < tries[b].cv })
	return tries, nil
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
		lo, hi := cr.ROAS.Value, cr.ROAS.Value
		for _, rv := range rivals {
			lo, hi = math.Min(lo, rv.roas[c]), math.Max(hi, rv.roas[c])
		}
		roiLo, roiHi := lo*r.KPIValue-1, hi*r.KPIValue-1
		if cr.Verdict != "withheld" && roiLo <= 0 && roiHi >= 0 && lo < hi {
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
		ranges = append(ranges, fmt.Sprintf("a baseline of %.1f%% to %.1f%% of the fitted KPI", 100*bLo, 100*bHi))
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
		"the held-out %ss cannot choose the curves: %d %s of carry-over and saturation predict them within one standard error of the chosen curves and give %s; %s; %s",
		per, len(rivals), choices, strings.Join(ranges, " and "), what, fix)})
}
