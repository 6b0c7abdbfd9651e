package mix

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"
)

// CorrelationLimit is the |r| between two channels' weekly spend above which
// the model cannot tell them apart.
const CorrelationLimit = 0.9

// WeeksPerChannel is the fewest weeks per channel below which Fit warns
// that there are too few weeks for the parameters.
const WeeksPerChannel = 10

// result fits the chosen model on all weeks and derives the report.
func (m *model) result(ks []candidate, lam int, ads []Adstock) (*Result, error) {
	lambda := lambdas[lam]
	d, o, n := m.d, m.o, m.n
	C := len(d.Channels)
	fa, err := m.fitAll(ks, lam)
	if err != nil {
		return nil, err
	}
	cols, lm, fitted, resid := fa.cols, fa.lm, fa.fitted, fa.resid
	first := len(cols) - C
	for i := range m.lifts {
		l := &m.lifts[i]
		l.centre = lm.beta[first+l.c] * m.liftX(l, ks[l.c])
	}
	r := &Result{Period: d.Period.String(), Lambda: lambda, Bootstrap: o.Bootstrap, Seed: o.Seed, Folds: o.Folds, KPIValue: o.KPIValue}
	r.InSample = quality(d.KPI, fitted)
	pred := map[int]float64{}
	if _, err := m.cvError(ks, lambda, newTarget(d.KPI), pred); err != nil {
		return nil, err
	}
	var ho, hp []float64
	for t := 0; t < n; t++ {
		if p, ok := pred[t]; ok {
			ho, hp = append(ho, d.KPI[t]), append(hp, p)
		}
	}
	r.HeldOut = quality(ho, hp)
	draws, err := m.bootstrapDraws(ks, lam, fitted, resid, o.Bootstrap, o.Seed)
	if err != nil {
		return nil, err
	}

	if d.Period.norm() == Day {
		r.Days = n
	} else {
		r.Weeks = n
	}
	r.InSample, r.HeldOut = m.counted(r.InSample), m.counted(r.HeldOut)

	// Weekly (daily) decomposition.
	totalFitted, totalBase := 0.0, 0.0
	for t := 0; t < n; t++ {
		w := WeekResult{KPI: d.KPI[t], Fitted: fitted[t], Channels: make([]float64, C)}
		if d.Period.norm() == Day {
			w.Day = day(d.Weeks[t])
		} else {
			w.Week = day(d.Weeks[t])
		}
		base := fitted[t]
		for c := 0; c < C; c++ {
			w.Channels[c] = lm.beta[first+c] * cols[first+c][t]
			base -= w.Channels[c]
		}
		w.Baseline = base
		totalFitted += fitted[t]
		totalBase += base
		r.Decomposition = append(r.Decomposition, w)
	}
	if totalFitted != 0 {
		r.BaselineShare = totalBase / totalFitted
	}

	r.Warnings = append(m.warnings(), fitWarnings(r)...)
	flat := map[string]bool{}
	for _, w := range r.Warnings {
		if w.Kind == WarnNoVariation {
			flat[w.Channels[0]] = true
		}
	}
	// sums gives a channel's incremental KPI and marginal ROAS per unit of
	// its coefficient under the hyperparameters k.
	sums := func(c int, k candidate) (sum, slope float64) {
		h := m.hill(c, k)
		for _, a := range m.adstocks[c][k.ad] {
			sum += h.At(a)
			slope += h.xSlope(a)
		}
		return sum, slope
	}
	curves := make([]response, C)
	for c := 0; c < C; c++ {
		curves[c] = response{h: m.hill(c, ks[c]), a: m.adstocks[c][ks[c].ad]}
	}
	incrs := make([][]float64, C)
	weekly := make([][][]float64, C)
	for c, ch := range d.Channels {
		spend := 0.0
		for _, v := range ch.Spend {
			spend += v
		}
		beta := lm.beta[first+c]
		cr := ChannelResult{Name: ch.Name, Spend: spend, Adstock: ads[ks[c].ad], Saturation: m.hill(c, ks[c])}
		incr := make([]float64, len(draws))
		weekly[c] = make([][]float64, len(draws))
		roas := make([]float64, len(draws))
		marg := make([]float64, len(draws))
		for i, dr := range draws {
			sum, slope := sums(c, dr.ks[c])
			incr[i] = dr.beta[c] * sum
			h, a := m.hill(c, dr.ks[c]), m.adstocks[c][dr.ks[c].ad]
			wk := make([]float64, n)
			for t := range wk {
				wk[t] = dr.beta[c] * h.At(a[t])
			}
			weekly[c][i] = wk
			if spend > 0 {
				roas[i] = incr[i] / spend
				marg[i] = dr.beta[c] * slope / spend
			}
		}
		incrs[c] = incr
		sum, slope := sums(c, ks[c])
		cr.Incremental = atLeastZero(interval(beta*sum, incr))
		if totalFitted != 0 {
			cr.Share = cr.Incremental.Value / totalFitted
		}
		if spend > 0 {
			cr.ROAS = atLeastZero(interval(beta*sum/spend, roas))
			cr.MarginalROAS = atLeastZero(interval(beta*slope/spend, marg))
			cr.ROI = Interval{Value: cr.ROAS.Value*o.KPIValue - 1, Low: cr.ROAS.Low*o.KPIValue - 1, High: cr.ROAS.High*o.KPIValue - 1, Widened: cr.ROAS.Widened}
		}
		for _, mult := range []float64{0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2} {
			cr.Curve = append(cr.Curve, CurvePoint{Multiplier: mult, Spend: mult * spend, Incremental: beta * curves[c].at(mult)})
		}
		cr.Verdict, cr.Reason = verdict(cr, flat[ch.Name], r.Warnings, o)
		r.Channels = append(r.Channels, cr)
	}
	if rivalCheck {
		rivals, err := m.rivals(ks, lam)
		if err != nil {
			return nil, err
		}
		judgeRivals(r, rivals, r.Period)
	}
	r.incr, r.weekly, r.weeks = incrs, weekly, d.Weeks
	names := make([]string, C)
	for c, ch := range r.Channels {
		names[c] = ch.Name
	}
	// No shares when the channels added nothing: ChannelShare stays zero.
	if shares, err := r.SharesAmong(names); err == nil {
		for c := range r.Channels {
			r.Channels[c].ChannelShare = shares[c]
		}
	}
	r.Reallocation = m.reallocate(lm.beta[first:], draws, curves)
	r.Reallocation.Withheld = reallocationWithheld(r)
	r.Reallocation.Recommended = r.Reallocation.Withheld == ""
	r.Calibration = m.calibration(ks, lm.beta[first:], draws)
	return r, nil
}

// SharesAmong is each named channel's share of the named channels'
// incremental KPI together, with its 95% interval from the same shares in
// each bootstrap refit (widened to hold the estimate, where the refits
// all lie to one side of it): the figure to set beside
// attribution, which shares credit among the channels it sees. A name the
// result does not have is an error, and so are channels that added nothing
// (no share of nothing) and a Result without its refits (one read back
// from JSON).
func (r *Result) SharesAmong(names []string) ([]Interval, error) {
	shares, _, err := r.SharesIn(names, time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	out := make([]Interval, len(shares))
	for i, s := range shares {
		out[i] = s.Interval
	}
	return out, nil
}

// Share is a channel's share with its 95% interval. Widened says the
// bootstrap refits' shares all lay to one side of the estimate (they lean
// away from the chosen curves), and the interval was widened to reach it:
// the estimate is then at one end of its interval.
type Share struct {
	Interval
}

// SharesIn is SharesAmong over the weeks that overlap from..to (both days
// included; a zero from or to leaves that side open), and the number of
// those weeks. No week in the period is an error.
func (r *Result) SharesIn(names []string, from, to time.Time) ([]Share, int, error) {
	idx := make([]int, len(names))
	for i, name := range names {
		idx[i] = -1
		for c, ch := range r.Channels {
			if ch.Name == name {
				idx[i] = c
			}
		}
		if idx[i] < 0 {
			return nil, 0, fmt.Errorf("no channel %q in the model", name)
		}
	}
	if len(r.incr) == 0 || len(r.weekly) == 0 {
		return nil, 0, fmt.Errorf("the result has no bootstrap refits to take intervals from (a result read back from JSON?); fit the model again")
	}
	var in []int
	step := Period(r.Period).Days()
	for t, w := range r.weeks {
		if (from.IsZero() || !w.AddDate(0, 0, step).Before(from.AddDate(0, 0, 1))) && (to.IsZero() || !w.After(to)) {
			in = append(in, t)
		}
	}
	if len(in) == 0 {
		return nil, 0, fmt.Errorf("no %s of the model (%s to %s) lies in %s to %s", Period(r.Period), day(r.weeks[0]), day(r.weeks[len(r.weeks)-1]), day(from), day(to))
	}
	nb := len(r.incr[0])
	point := make([]float64, len(idx))
	draws := make([][]float64, len(idx))
	total := 0.0
	for k, c := range idx {
		draws[k] = make([]float64, nb)
		for _, t := range in {
			point[k] += r.Decomposition[t].Channels[c]
			for b := 0; b < nb; b++ {
				draws[k][b] += r.weekly[c][b][t]
			}
		}
		total += point[k]
	}
	if total <= 0 {
		return nil, 0, fmt.Errorf("the channels %s added nothing in the model, so they have no shares", strings.Join(names, ", "))
	}
	totals := make([]float64, nb)
	for k := range idx {
		for b, v := range draws[k] {
			totals[b] += v
		}
	}
	out := make([]Share, len(idx))
	for k := range idx {
		shares := make([]float64, nb)
		for b, v := range draws[k] {
			if totals[b] > 0 {
				shares[b] = v / totals[b]
			}
		}
		v := point[k] / total
		// Where the refits' shares lie to one side of the estimate (the
		// refits lean away from a choice of curves), the interval is
		// widened to hold it, and says so.
		iv := interval(v, shares)
		out[k] = Share{Interval: iv}
	}
	return out, len(in), nil
}

// interval is the percentile bootstrap interval: the 2.5% and 97.5%
// quantiles of the refits. The basic interval, the quantiles reflected
// about the estimate (2v-q), would remove a bias the refits share with the
// estimate; but on simulated data the refits' mean differs from the
// estimate by about as much as the estimate from the truth, in no
// consistent direction (the choice of curves, not the ridge, moves them),
// and reflecting flips the skew of a return bounded at zero: reflected
// intervals held the true ROAS 84% of the time, percentile ones 92%, and
// 95% once each refit's search started from random curves (see
// TestCoverage and bootstrapDraws).
//
// Where the refits' 2.5% to 97.5% range leaves the estimate out (the
// refits lean away from the chosen curves: on daily data with short
// residual blocks, social's ROAS 0.90 came with 0.07 to 0.89), the
// interval is widened to reach it and says so (Widened): an interval that
// does not hold its own estimate reads as a contradiction, and moving the
// whole interval (the basic interval) covers the truth worse, as above.
// Widening only adds coverage; the report marks such an interval.
func interval(v float64, draws []float64) Interval {
	lo, hi := quantiles(draws)
	iv := Interval{Value: v, Low: lo, High: hi}
	if v < lo || v > hi {
		iv.Low, iv.High, iv.Widened = math.Min(lo, v), math.Max(hi, v), true
	}
	return iv
}

// atLeastZero clips an interval of a quantity that cannot be negative (a
// channel's effect) at zero.
func atLeastZero(i Interval) Interval {
	i.Low = math.Max(0, i.Low)
	i.High = math.Max(0, i.High)
	return i
}

// counted moves a fit quality's count of periods to Days in a daily model.
func (m *model) counted(q FitQuality) FitQuality {
	if m.d.Period.norm() == Day {
		q.Days, q.Weeks = q.Weeks, 0
	}
	return q
}

func quality(y, p []float64) FitQuality {
	q := FitQuality{Weeks: len(y)}
	if len(y) == 0 {
		return q
	}
	lo, hi := y[0], y[0]
	sse, ape, k := 0.0, 0.0, 0
	for t := range y {
		lo, hi = math.Min(lo, y[t]), math.Max(hi, y[t])
		e := y[t] - p[t]
		sse += e * e
		if y[t] != 0 {
			ape += math.Abs(e / y[t])
			k++
		}
	}
	if hi > lo {
		q.NRMSE = math.Sqrt(sse/float64(len(y))) / (hi - lo)
	}
	if k > 0 {
		q.MAPE = ape / float64(k)
	}
	mu := stat.Mean(y, nil)
	sst := 0.0
	for _, v := range y {
		sst += (v - mu) * (v - mu)
	}
	if sst > 0 {
		q.R2 = 1 - sse/sst
	}
	return q
}

// warnings says where the data cannot tell channels apart.
func (m *model) warnings() []Warning {
	d := m.d
	var ws []Warning
	C := len(d.Channels)
	if m.d.Period.norm() == Day {
		// The same checks in days: a year, and 10 weeks per channel.
		if n := m.n; n < 364 || n < 7*WeeksPerChannel*C {
			ws = append(ws, Warning{Kind: WarnFewDays, Message: fmt.Sprintf(
				"%d days for %d channels: a daily mix model needs at least 364 days (one full year, so seasonality is not mistaken for marketing) and %d days per channel (%d here); read every figure as rough",
				n, C, 7*WeeksPerChannel, 7*WeeksPerChannel*C)})
		}
	} else if n := m.n; n < 52 || n < WeeksPerChannel*C {
		ws = append(ws, Warning{Kind: WarnFewWeeks, Message: fmt.Sprintf(
			"%d weeks for %d channels: a mix model needs at least 52 weeks (one full year, so seasonality is not mistaken for marketing) and %d weeks per channel (%d here); read every figure as rough",
			n, C, WeeksPerChannel, WeeksPerChannel*C)})
	}
	for _, ch := range d.Channels {
		if stat.Variance(ch.Spend, nil) == 0 {
			ws = append(ws, Warning{Kind: WarnNoVariation, Channels: []string{ch.Name}, Message: fmt.Sprintf(
				"%s: spend is %v every %s; with no change in spend the data cannot say what the channel does (its effect is in the baseline); vary it, or test it with a holdout",
				ch.Name, ch.Spend[0], d.Period)})
		}
	}
	for a := 0; a < C; a++ {
		for b := a + 1; b < C; b++ {
			x, y := d.Channels[a].Spend, d.Channels[b].Spend
			if stat.Variance(x, nil) == 0 || stat.Variance(y, nil) == 0 {
				continue
			}
			if r := stat.Correlation(x, y, nil); math.Abs(r) > CorrelationLimit {
				ws = append(ws, Warning{Kind: WarnCorrelated, Channels: []string{d.Channels[a].Name, d.Channels[b].Name}, Message: fmt.Sprintf(
					"%s and %s: %s spend moves together (correlation %.2f, above %.1f); the model cannot tell which of the two moved the KPI, so their split is arbitrary; vary them separately, or test one with a holdout",
					d.Channels[a].Name, d.Channels[b].Name, map[Period]string{Week: "weekly", Day: "daily"}[d.Period.norm()], r, CorrelationLimit)})
			}
		}
	}
	return ws
}

// BaselineMargin is how far outside 0 to 100% the baseline share may fall
// before it is warned of: an unbiased estimate of a true share at 0 (or
// 100%) lands a little outside half of the time, and that is no sign of a
// broken decomposition.
const BaselineMargin = 0.05

// fitWarnings are the warnings on the fit's quality: a baseline share
// outside 0 to 100% by more than BaselineMargin, an in-sample R² below MinR2, a held-out R² below 0
// (the model predicts the periods it did not see worse than their own
// mean would). Each withholds every verdict (see verdict).
func fitWarnings(r *Result) []Warning {
	var ws []Warning
	if b := r.BaselineShare; b < -BaselineMargin || b > 1+BaselineMargin {
		ws = append(ws, Warning{Kind: WarnImplausibleBaseline, Message: fmt.Sprintf(
			"the baseline is %s%% of the fitted KPI, outside 0 to 100%% by more than %.0f points: the channels are credited with more than the whole KPI, so the decomposition is no split of it and no channel's return can be read from it; check the KPI's %ss against the spend's (a KPI that lags the spend, or counts only part of what the spend bought), or give more %ss",
			pastLimit(100*b, map[bool]float64{true: -100 * BaselineMargin, false: 100 + 100*BaselineMargin}[b < 0], 1), 100*BaselineMargin, r.Period, r.Period)})
	}
	per := r.Period + "s"
	if r.Lambda >= lambdas[len(lambdas)-1] {
		fix := fmt.Sprintf("more %s, fewer channels, or a lift test per channel (--lift-tests)", per)
		if r.Period == "day" {
			fix = "more days, fewer channels, or the data by week calibrated with a lift test per channel (--period week --lift-tests)"
		}
		ws = append(ws, Warning{Kind: WarnPenaltyAtEdge, Message: fmt.Sprintf(
			"the ridge penalty is %s, the largest the search allows (its grid's 0.3 and %d steps of x3 past it): the held-out %s are predicted best with every column shrunk toward nothing, so the curves the channels' returns are read along have no footing in prediction, and every verdict is withheld; %s would give the model a footing",
			num(r.Lambda), LambdaSteps, per, fix)})
	}
	switch {
	case r.InSample.R2 < MinR2:
		fix := "add controls for the other drivers"
		if r.Period == "day" {
			fix += ", or model weeks instead of noisy days (--period week)"
		}
		// Rounded down, so that the figure printed is below the limit.
		ws = append(ws, Warning{Kind: WarnPoorFit, Message: fmt.Sprintf(
			"the model explains %.0f%% of the KPI's movement from %s to %s (in-sample R² %.2f, below %.1f): the rest is noise or drivers it does not have, so its channels' returns are read off too little; %s",
			math.Floor(100*math.Max(0, r.InSample.R2)), per[:len(per)-1], per[:len(per)-1], floorIfPositive(r.InSample.R2), MinR2, fix)})
	case r.HeldOut.R2 < 0:
		ws = append(ws, Warning{Kind: WarnPoorFit, Message: fmt.Sprintf(
			"on the %s it did not see, the model predicts the KPI worse than their own mean would (held-out R² %s, below 0): what it learnt does not carry to other %s, so its channels' returns are not supported; add controls for the other drivers, or give more %s",
			per, pastLimit(r.HeldOut.R2, 0, 2), per, per)})
	}
	return ws
}

// fitQuality says whether a warning of kind is about the fit's quality
// (WarnImplausibleBaseline, WarnPoorFit, WarnPenaltyAtEdge): one that
// withholds every verdict.
func fitQuality(kind string) bool {
	return kind == WarnImplausibleBaseline || kind == WarnPoorFit || kind == WarnPenaltyAtEdge
}

// verdict says whether a channel pays back, or why the model will not say.
func verdict(cr ChannelResult, flat bool, ws []Warning, o Options) (string, string) {
	if flat {
		return "withheld", "its spend never changes"
	}
	if cr.Spend == 0 {
		return "withheld", "nothing was spent"
	}
	for _, w := range ws {
		if w.Kind == WarnCorrelated && (w.Channels[0] == cr.Name || w.Channels[1] == cr.Name) {
			other := w.Channels[0]
			if other == cr.Name {
				other = w.Channels[1]
			}
			return "withheld", fmt.Sprintf("its spend moves with %s's", other)
		}
	}
	for _, w := range ws {
		switch w.Kind {
		case WarnImplausibleBaseline:
			return "withheld", "the baseline share is outside 0 to 100% (see the warning)"
		case WarnPoorFit:
			return "withheld", "the model fits the KPI poorly (see the warning)"
		case WarnPenaltyAtEdge:
			return "withheld", "the ridge penalty is at the largest the search allows (see the warning)"
		}
	}
	r := cr.ROAS
	if r.Value <= 0 || r.High-r.Low > o.MaxWidth*r.Value {
		return "withheld", fmt.Sprintf("ROAS %s, 95%% interval %s to %s: the interval is wider than %s times the estimate, so the data cannot pin the return down",
			num(r.Value), num(r.Low), num(r.High), num(o.MaxWidth))
	}
	switch {
	case cr.ROI.Low > 0:
		return "pays back", ""
	case cr.ROI.High < 0:
		return "does not pay back", ""
	}
	return "about break-even", ""
}

// pastLimit prints v with at least decimals places, and more until the
// figure printed is on v's side of limit: a baseline of -5.04% is
// "-5.04", not "-5.0" (the limit itself), and a held-out R² of -0.004
// "-0.004", not "-0.00". A v within 10 places of limit prints in full
// (-1e-13, not -0.0000000000). v equal to limit prints with decimals
// places.
func pastLimit(v, limit float64, decimals int) string {
	if v == limit {
		return strconv.FormatFloat(v, 'f', decimals, 64)
	}
	for d := decimals; d <= 10; d++ {
		out := strconv.FormatFloat(v, 'f', d, 64)
		p, _ := strconv.ParseFloat(out, 64)
		if (v < limit) == (p < limit) && p != limit {
			return out
		}
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// floorIfPositive rounds a positive R² down to two places, so that
// "%.2f" of a value just under MinR2 does not print MinR2 itself.
func floorIfPositive(v float64) float64 {
	if v > 0 {
		return math.Floor(100*v) / 100
	}
	return v
}

func num(v float64) string { return fmt.Sprintf("%.3g", v) }

// reallocationWithheld says why the proposed split is not a
// recommendation, or "": a move touching a channel whose return the data
// cannot pin down (spend that moves with another's, or never changes)
// shifts money on an arbitrary split, and an effect whose interval
// reaches zero may be no gain at all.
func reallocationWithheld(r *Result) string {
	moved := map[string]bool{}
	for _, m := range r.Reallocation.Channels {
		if m.Change != 0 {
			moved[m.Name] = true
		}
	}
	for _, c := range r.Channels {
		if moved[c.Name] && c.Verdict == "withheld" && c.Reason != "" && !strings.HasPrefix(c.Reason, "ROAS ") {
			return fmt.Sprintf("it moves %s's spend, and %s: the data cannot say what that money does", c.Name, c.Reason)
		}
	}
	for _, w := range r.Warnings {
		if fitQuality(w.Kind) {
			return "the fit's quality is warned of (" + w.Kind + "): the curves it would move money along are not supported"
		}
	}
	if e := r.Reallocation.Effect; e.Low <= 0 {
		return fmt.Sprintf("its effect's 95%% interval, %s to %s, reaches no gain", num(e.Low), num(e.High))
	}
	return ""
}

// response is a channel's incremental KPI as a function of a multiplier of
// its spend, per unit of its coefficient: adstock is linear, so scaling the
// spend scales the adstock.
type response struct {
	h Hill
	a []float64
}

func (r response) at(mult float64) float64 {
	s := 0.0
	for _, v := range r.a {
		s += r.h.At(mult * v)
	}
	return s
}
