package mix

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/internal/suggest"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// LiftTest is an experiment's result: the KPI a channel's spend added over
// the test's dates (a geo or audience holdout, a conversion-lift study),
// with its 95% interval.
type LiftTest struct {
	Channel string
	// Start and End are the test's first and last days; the model reads
	// them as the weeks that hold them, each counted by the share of its
	// days the test covers.
	Start, End time.Time
	// Incremental is the KPI the test measured as caused by the channel's
	// spend in its weeks; Low and High its 95% interval.
	Incremental, Low, High float64
	// Line is where the test was read, for messages (0: not from a file).
	Line int
}

// se is the test's standard error, read off its 95% interval.
func (l LiftTest) se() float64 { return (l.High - l.Low) / (2 * z95) }

// z95 is the normal quantile of a two-sided 95% interval.
const z95 = 1.959963984540054

// Calibration is what a lift test said and what the model says about the
// same channel and weeks, before and after the test was added to the fit.
type Calibration struct {
	Channel string `json:"channel"`
	// Start and End are the test's dates as given; Days how many days
	// that is; Weeks the model's weeks they touch, and WeeksRead the
	// weeks' worth the test is read as: each week counted by the share of
	// its days the test covers (see partialWindowEffect), so a 7-day test
	// from a Wednesday touches 2 weeks and is read as 1.
	Start     string  `json:"start"`
	End       string  `json:"end"`
	Days      int     `json:"days"`
	Weeks     int     `json:"weeks"`
	WeeksRead float64 `json:"weeks_read"`
	Line      int     `json:"line,omitempty"`
	// Test is the experiment's incremental KPI and its 95% interval.
	Test Interval `json:"test"`
	// Before and After are the model's incremental KPI of the channel's
	// spend in the test's weeks, over those weeks, with 95% bootstrap
	// intervals: fitted without the tests, and with them.
	Before Interval `json:"before"`
	After  Interval `json:"after"`
	// Weight is the weight of the test's pseudo-observation in the least
	// squares: the model's noise variance over the test's squared standard
	// error, scaled up by how much the refits' spread of the effect
	// exceeds what the normal equations say (see Fit).
	Weight float64 `json:"weight"`
	// AgreesBefore and AgreesAfter say whether the model and the test
	// agree: they disagree when each estimate lies outside the other's
	// interval.
	AgreesBefore bool `json:"agrees_before"`
	AgreesAfter  bool `json:"agrees_after"`
	// AgreementWithheld, when set, says why no verdict on agreement is
	// given: the calibrated fit's quality is warned of (implausible_baseline
	// or poor_fit), so the model's figures beside the test are not
	// supported; or curves that predict the held-out periods as well put
	// the channel's return on both sides of break-even, in the fit without
	// the tests or with them (WarnCurvesDisagree). AgreesBefore and
	// AgreesAfter are then false (null in JSON, where false would read as
	// a disagreement) and no disagreement is warned of.
	AgreementWithheld string `json:"agreement_withheld,omitempty"`
}

// MarshalJSON writes agrees_before and agrees_after as null when the
// verdict on agreement is withheld.
func (c Calibration) MarshalJSON() ([]byte, error) {
	before, after := &c.AgreesBefore, &c.AgreesAfter
	if c.AgreementWithheld != "" {
		before, after = nil, nil
	}
	// The three fields are Calibration's last: the JSON keeps its order.
	type plain Calibration
	return json.Marshal(struct {
		plain
		AgreesBefore      *bool  `json:"agrees_before"`
		AgreesAfter       *bool  `json:"agrees_after"`
		AgreementWithheld string `json:"agreement_withheld,omitempty"`
	}{plain(c), before, after, c.AgreementWithheld})
}

// Warning kinds of lift tests.
const (
	// WarnLiftLeftOut is a lift test the fit could not use: its channel is
	// not in the data, its weeks are not all in the data, or the channel
	// spent nothing in them.
	WarnLiftLeftOut = "lift_test_left_out"
	// WarnLiftDisagrees is a lift test and an uncalibrated model that
	// disagree beyond both their intervals.
	WarnLiftDisagrees = "lift_test_disagrees"
	// WarnLiftOverlap is two lift tests of the same channel whose days
	// overlap: each pulls the fit, so the overlap counts twice.
	WarnLiftOverlap = "lift_tests_overlap"
	// WarnLiftStillDisagrees is a lift test that the calibrated model
	// still disagrees with beyond both intervals.
	WarnLiftStillDisagrees = "lift_test_disagrees_calibrated"
	// WarnUntestedMoved is a channel no lift test names whose incremental
	// KPI moved, with calibration, outside its uncalibrated interval.
	WarnUntestedMoved = "untested_channel_moved"
)

// ChannelShift is what calibration did to a channel's incremental KPI
// over all weeks: Before fitted without the lift tests, After with them,
// each with its 95% interval. Tested says whether a test names the
// channel.
type ChannelShift struct {
	Channel string   `json:"channel"`
	Tested  bool     `json:"tested"`
	Before  Interval `json:"before"`
	After   Interval `json:"after"`
}

// weighRefits and weighSeed are the uncalibrated bootstrap refits that
// weigh the lift tests (see weigh): a fixed number with a fixed seed, so
// that the calibrated estimate depends on the data and the tests only,
// not on --seed or --bootstrap.
const (
	weighRefits = 200
	weighSeed   = 0x7765696768 // "weigh"
)

// lift is a lift test the fit uses: a pseudo-observation of the channel's
// effect over the test's weeks.
type lift struct {
	test     int // index in Options.LiftTests
	c        int
	from, to int // weeks, inclusive
	// share is the share of each week from..to whose days the test
	// covers (1 for a whole week).
	share []float64
	days  int
	value float64
	se    float64
	// target is what the fit pulls the effect toward: the test's value,
	// or a draw around it in a bootstrap refit.
	target float64
	// centre is the fitted model's effect over the test's weeks: the
	// bootstrap's refits draw their test results around it.
	centre float64
	// w is the pseudo-observation's weight, noise variance over se².
	w  float64
	xs map[candidate]float64
}

// windowEffect is the effect, per unit of coefficient, of the spend in
// weeks from..to on the KPI of those weeks: the Hill of the adstocked
// spend minus that of the spend with those weeks at zero, summed over the
// weeks. Spend before the window carries over into it in both and cancels;
// spend in the window that carries over past it is not counted, as a test
// that measures the weeks it ran does not see it.
func windowEffect(a Adstock, h Hill, spend []float64, from, to int) float64 {
	whole := make([]float64, to-from+1)
	for i := range whole {
		whole[i] = 1
	}
	return partialWindowEffect(a, h, spend, from, whole)
}

// partialWindowEffect is windowEffect over weeks from..from+len(share)-1
// of a test that covers share[i] of week from+i's days: the difference
// the weeks' spend makes in each week (all of it off in every week the
// test touches), counted for the share of the week's days the test
// covers. The model cannot say which day of a week an effect fell on, so
// it spreads each week's evenly over its days: a one-day test reads a
// seventh of its week's effect, a 7-day test from a Wednesday 5/7 of one
// week's and 2/7 of the next's. A test of whole weeks has share 1
// throughout, and is windowEffect.
func partialWindowEffect(a Adstock, h Hill, spend []float64, from int, share []float64) float64 {
	off := append([]float64(nil), spend...)
	for i := range share {
		off[from+i] = 0
	}
	on, without := a.Apply(spend), a.Apply(off)
	s := 0.0
	for i, sh := range share {
		t := from + i
		s += sh * (h.At(on[t]) - h.At(without[t]))
	}
	return s
}

// liftX is the lift's effect per unit of its channel's coefficient under
// hyperparameters k.
func (m *model) liftX(l *lift, k candidate) float64 {
	if x, ok := l.xs[k]; ok {
		return x
	}
	x := partialWindowEffect(m.adstocksOf(m.o.Adstock)[k.ad], m.hill(l.c, k), m.d.Channels[l.c].Spend, l.from, l.share)
	l.xs[k] = x
	return x
}

// pseudo is a pseudo-observation on one standardised coefficient b[j]:
// w·(b[j]·u - target)², added to the ridge objective.
type pseudo struct {
	j         int
	u, target float64
	w         float64
}

// addPseudo adds the pseudo-observations to the normal equations G b = c.
func addPseudo(G *mat.SymDense, c []float64, obs []pseudo) {
	for _, o := range obs {
		G.SetSym(o.j, o.j, G.At(o.j, o.j)+o.w*o.u*o.u)
		c[o.j] += o.w * o.u * o.target
	}
}

// pseudos are the active lifts as pseudo-observations on the standardised
// coefficients of the channels under ks, sd(c) the channel column's
// standard deviation (a column that does not vary takes none).
func (m *model) pseudos(ks []candidate, sd func(c int) float64) []pseudo {
	var obs []pseudo
	nb := len(m.base)
	for i := range m.lifts {
		l := &m.lifts[i]
		s := sd(l.c)
		if s <= 0 {
			continue
		}
		obs = append(obs, pseudo{j: nb + l.c, u: m.liftX(l, ks[l.c]) / s, target: l.target, w: l.w})
	}
	return obs
}

// weekOf is the index of the week that holds day, or -1.
func (d Data) weekOf(day time.Time) int {
	for i, w := range d.Weeks {
		if !day.Before(w) && day.Before(w.AddDate(0, 0, 7)) {
			return i
		}
	}
	return -1
}

// testName names a lift test by its line, for messages.
func testName(t LiftTest) string {
	if t.Line > 0 {
		return fmt.Sprintf("the lift test on line %d", t.Line)
	}
	return "a lift test"
}

// weekCoverage is the share of each of weeks from..to whose days lie in
// start..end (both days included), and the test's days.
func weekCoverage(weeks []time.Time, from, to int, start, end time.Time) ([]float64, int) {
	last := end.AddDate(0, 0, 1)
	share := make([]float64, to-from+1)
	total := 0
	for w := from; w <= to; w++ {
		a, b := weeks[w], weeks[w].AddDate(0, 0, 7)
		if start.After(a) {
			a = start
		}
		if last.Before(b) {
			b = last
		}
		n := int(math.Round(b.Sub(a).Hours() / 24))
		total += n
		share[w-from] = float64(n) / 7
	}
	return share, total
}

// prepareLifts matches each lift test to its channel and weeks; those it
// cannot use are left out with a warning that says why.
func (m *model) prepareLifts() ([]lift, []Warning) {
	var out []lift
	var ws []Warning
	names := make([]string, len(m.d.Channels))
	for c, ch := range m.d.Channels {
		names[c] = ch.Name
	}
	n := len(m.d.Weeks)
	first, last := m.d.Weeks[0], m.d.Weeks[n-1].AddDate(0, 0, 6)
	for i, t := range m.o.LiftTests {
		where := "a lift test"
		if t.Line > 0 {
			where = fmt.Sprintf("the lift test on line %d", t.Line)
		}
		leftOut := func(format string, a ...any) {
			ws = append(ws, Warning{Kind: WarnLiftLeftOut, Channels: []string{t.Channel}, Line: t.Line,
				Message: where + ": " + fmt.Sprintf(format, a...) + "; it is left out of the fit"})
		}
		c := -1
		for j, name := range names {
			if name == t.Channel {
				c = j
			}
		}
		if c < 0 {
			for j, name := range names {
				if strings.EqualFold(name, t.Channel) {
					c = j
				}
			}
		}
		if c < 0 {
			hint := ""
			if s := suggest.Name(t.Channel, names); s != "" {
				hint = fmt.Sprintf("; did you mean %q?", s)
			}
			leftOut("channel %q is not in the spend data (its channels are %s)%s", t.Channel, strings.Join(names, ", "), hint)
			continue
		}
		if t.End.Before(t.Start) {
			leftOut("it ends (%s) before it starts (%s)", day(t.End), day(t.Start))
			continue
		}
		if t.Start.Before(first) || t.End.After(last) {
			leftOut("it ran %s to %s, not all within the data's weeks (%s to %s)", day(t.Start), day(t.End), day(first), day(last))
			continue
		}
		from, to := m.d.weekOf(t.Start), m.d.weekOf(t.End)
		share, days := weekCoverage(m.d.Weeks, from, to, t.Start, t.End)
		spent := 0.0
		for w := from; w <= to; w++ {
			spent += share[w-from] * m.d.Channels[c].Spend[w]
		}
		if spent == 0 {
			leftOut("%s spent nothing in the weeks of %s to %s, so the model has no spend there for the test to calibrate", names[c], day(t.Start), day(t.End))
			continue
		}
		if !(t.Low <= t.Incremental && t.Incremental <= t.High && t.High > t.Low) {
			leftOut("its interval %v to %v does not hold its result %v; give the 95%% interval around the result", t.Low, t.High, t.Incremental)
			continue
		}
		for _, o := range out {
			u := m.o.LiftTests[o.test]
			if o.c == c && !t.Start.After(u.End) && !u.Start.After(t.End) {
				ws = append(ws, Warning{Kind: WarnLiftOverlap, Channels: []string{names[c]}, Line: t.Line, Message: fmt.Sprintf(
					"%s: %s (%s to %s, %s) and %s (%s to %s, %s) overlap; each pulls the fit, so the days they share count twice: keep one, or combine them into one test over their days",
					names[c], testName(u), day(u.Start), day(u.End), amount(u.Incremental), testName(t), day(t.Start), day(t.End), amount(t.Incremental))})
			}
		}
		out = append(out, lift{test: i, c: c, from: from, to: to, share: share, days: days, value: t.Incremental, target: t.Incremental, se: t.se(), xs: map[candidate]float64{}})
	}
	return out, ws
}

// fitted is a fit on all weeks: the model, its fitted KPI and its
// residuals scaled up for the degrees of freedom it spent.
type fitted struct {
	sys    *system
	cols   [][]float64
	lm     linModel
	fitted []float64
	resid  []float64
	// sigma2 is the noise variance: squared residuals over the weeks less
	// the degrees of freedom.
	sigma2 float64
}

// fitAll fits the model under ks and lambdas[lam] on all weeks,
// calibrated by the active lifts; the penalty is the fit's (fitSystem).
func (m *model) fitAll(ks []candidate, lam int) (fitted, error) {
	n, C := m.n, len(m.d.Channels)
	cols, nonNeg := m.columns(ks)
	sys := m.fitSystem(cols, lam)
	first := len(cols) - C
	lm, err := sys.solve(m.d.KPI, nonNeg, m.pseudos(ks, func(c int) float64 { return sys.sd[first+c] })...)
	if err != nil {
		return fitted{}, err
	}
	f := fitted{sys: sys, cols: cols, lm: lm, fitted: make([]float64, n), resid: make([]float64, n)}
	sse := 0.0
	for t := range f.fitted {
		f.fitted[t] = lm.predict(cols, t)
		f.resid[t] = m.d.KPI[t] - f.fitted[t]
		sse += f.resid[t] * f.resid[t]
	}
	// Residuals are smaller than the noise: the fit spent degrees of
	// freedom on the design's columns and on choosing each channel's three
	// curve parameters. Scaling them up by sqrt(n/(n-df)) (Davison and
	// Hinkley's modified residuals) gives the refits noise of the right size.
	f.sigma2 = sse / float64(n)
	if df := len(cols) + 1 + 3*C; n > 2*df {
		s := math.Sqrt(float64(n) / float64(n-df))
		for t := range f.resid {
			f.resid[t] *= s
		}
		f.sigma2 = sse / float64(n-df)
	}
	return f, nil
}

// windows is each active lift's effect under a fit (coefficients beta of
// the channels, hyperparameters ks) and its bootstrap interval.
func (m *model) windows(ks []candidate, beta []float64, draws []draw) []Interval {
	out := make([]Interval, len(m.lifts))
	for i := range m.lifts {
		l := &m.lifts[i]
		ds := make([]float64, len(draws))
		for b, d := range draws {
			ds[b] = d.beta[l.c] * m.liftX(l, d.ks[l.c])
		}
		out[i] = atLeastZero(interval(beta[l.c]*m.liftX(l, ks[l.c]), ds))
	}
	return out
}

// disagree says whether two estimates each lie outside the other's
// interval.
func disagree(a, b Interval) bool {
	outside := func(v float64, i Interval) bool { return v < i.Low || v > i.High }
	return outside(a.Value, b) && outside(b.Value, a)
}

// calibrated fits the model twice: without the lift tests (the "before"
// each test is compared with, and the noise variance that weighs them),
// then with each test as a pseudo-observation of its channel's effect over
// its weeks, weighted as weigh says, so the fit moves toward a test in
// proportion to its precision. The hyperparameters of the channels the
// tests name are searched again with the tests in, from the uncalibrated
// choice; those of the other channels and the ridge penalty stay as the
// uncalibrated fit chose them, so that a test on one channel does not
// re-choose the curves of channels it says nothing about. Their
// coefficients still move with the joint least squares: each channel's
// incremental KPI before and after is reported, and a channel no test
// names that moves outside its uncalibrated interval is warned of.
func (m *model) calibrated(ks []candidate, lam int, ads []Adstock) (*Result, error) {
	lifts, ws := m.prepareLifts()
	if len(lifts) == 0 {
		r, err := m.result(ks, lam, ads)
		if err != nil {
			return nil, err
		}
		r.Warnings = append(ws, r.Warnings...)
		return r, nil
	}
	f, err := m.fitAll(ks, lam)
	if err != nil {
		return nil, err
	}
	before, err := m.bootstrapDraws(ks, lam, f.fitted, f.resid, m.o.Bootstrap, m.o.Seed)
	if err != nil {
		return nil, err
	}
	weighing := before
	if m.o.Seed != weighSeed || m.o.Bootstrap != weighRefits {
		if weighing, err = m.bootstrapDraws(ks, lam, f.fitted, f.resid, weighRefits, weighSeed); err != nil {
			return nil, err
		}
	}
	// Which channels' returns the uncalibrated fit's rival curves put on
	// both sides of break-even: their agreement "before" is no verdict.
	rivalled := map[string]bool{}
	if rivalCheck {
		rv, err := m.rivals(ks, lam)
		if err != nil {
			return nil, err
		}
		roas, _ := m.answers(f, ks)
		for c, ch := range m.d.Channels {
			if _, _, both := straddles(roas[c], c, rv, m.o.KPIValue); both {
				rivalled[ch.Name] = true
			}
		}
	}
	C := len(m.d.Channels)
	beta0 := f.lm.beta[len(f.cols)-C:]
	shifts := make([]ChannelShift, C)
	for c := range shifts {
		shifts[c] = ChannelShift{Channel: m.d.Channels[c].Name, Before: m.incremental(c, ks, beta0, before)}
	}
	m.lifts = lifts
	m.beforeLifts = m.windows(ks, beta0, before)
	if err := m.weigh(ks, f, weighing); err != nil {
		return nil, err
	}
	tested := make([]bool, C)
	for _, l := range lifts {
		tested[l.c] = true
	}
	kc, lc, _, err := m.searchSome(ks, lam, m.d.KPI, tested, false)
	if err != nil {
		return nil, err
	}
	r, err := m.result(kc, lc, ads)
	if err != nil {
		return nil, err
	}
	for c := range shifts {
		shifts[c].Tested = tested[c]
		shifts[c].After = r.Channels[c].Incremental
	}
	ws = append(ws, untestedMoved(shifts)...)
	r.CalibrationShift = shifts
	var fitWarned string
	for _, w := range r.Warnings {
		if fitQuality(w.Kind) {
			fitWarned = w.Kind
			break
		}
	}
	for i := range r.Calibration {
		if fitWarned != "" {
			c := &r.Calibration[i]
			c.AgreesBefore, c.AgreesAfter = false, false
			c.AgreementWithheld = "no verdict on agreement: the fit's quality is warned of (" + fitWarned + "), so the model's figures beside the test are not supported"
			continue
		}
		if ch := r.Calibration[i].Channel; rivalled[ch] || warnedOf(r.Warnings, WarnCurvesDisagree, ch) {
			c := &r.Calibration[i]
			c.AgreesBefore, c.AgreesAfter = false, false
			where := WarnCurvesDisagree + "; see the warnings"
			if !warnedOf(r.Warnings, WarnCurvesDisagree, ch) {
				where = "in the fit without the lift tests; calibrated, the test settles them"
			}
			c.AgreementWithheld = "no verdict on agreement: curves that predict the held-out " + r.Period + "s as well put " + ch + "'s return on both sides of break-even (" + where + "), so the model's figure beside the test is one of several"
			continue
		}
		cal := r.Calibration[i]
		if !cal.AgreesBefore {
			ws = append(ws, Warning{Kind: WarnLiftDisagrees, Channels: []string{cal.Channel}, Line: cal.Line, Message: fmt.Sprintf(
				"%s: the lift test of %s to %s found %s (95%% %s to %s), the model without it %s (%s to %s): each lies outside the other's interval. The calibrated fit is pulled toward the test in proportion to its precision, not replaced by it (now %s); find out why they differ (a test too short to see the carry-over, weeks unlike the rest, spend that follows demand) before trusting either",
				cal.Channel, cal.Start, cal.End, amount(cal.Test.Value), amount(cal.Test.Low), amount(cal.Test.High),
				amount(cal.Before.Value), amount(cal.Before.Low), amount(cal.Before.High), amount(cal.After.Value))})
		}
		if !cal.AgreesAfter {
			ws = append(ws, Warning{Kind: WarnLiftStillDisagrees, Channels: []string{cal.Channel}, Line: cal.Line, Message: fmt.Sprintf(
				"%s: even calibrated, the model and the lift test of %s to %s disagree: the test found %s (95%% %s to %s), the calibrated model %s (%s to %s). The data pull against the test; check the test and the weeks it ran before trusting either",
				cal.Channel, cal.Start, cal.End, amount(cal.Test.Value), amount(cal.Test.Low), amount(cal.Test.High),
				amount(cal.After.Value), amount(cal.After.Low), amount(cal.After.High))})
		}
	}
	r.Warnings = append(ws, r.Warnings...)
	return r, nil
}

// untestedMoved warns of each channel no test names whose calibrated
// incremental KPI lies outside its uncalibrated interval.
func untestedMoved(shifts []ChannelShift) []Warning {
	var ws []Warning
	for _, s := range shifts {
		if !s.Tested && (s.After.Value < s.Before.Low || s.After.Value > s.Before.High) {
			ws = append(ws, Warning{Kind: WarnUntestedMoved, Channels: []string{s.Channel}, Message: fmt.Sprintf(
				"%s: no lift test names it, yet calibration moved its incremental KPI from %s (95%% %s to %s) to %s, outside its uncalibrated interval: the tests of other channels moved it through the joint fit (channels whose spend moves together share the effect); read its figures as resting on those tests",
				s.Channel, amount(s.Before.Value), amount(s.Before.Low), amount(s.Before.High), amount(s.After.Value))})
		}
	}
	return ws
}

// incremental is channel c's incremental KPI over all weeks under
// hyperparameters ks and channel coefficients beta, with its interval
// over draws.
func (m *model) incremental(c int, ks []candidate, beta []float64, draws []draw) Interval {
	sum := func(k candidate) float64 {
		h, s := m.hill(c, k), 0.0
		for _, a := range m.adstocks[c][k.ad] {
			s += h.At(a)
		}
		return s
	}
	ds := make([]float64, len(draws))
	for b, d := range draws {
		ds[b] = d.beta[c] * sum(d.ks[c])
	}
	return atLeastZero(interval(beta[c]*sum(ks[c]), ds))
}

// weigh sets each lift's weight. A test of standard error se, added to
// the least squares as a pseudo-observation of weight σ²/se² (σ² the
// noise variance), counts as much as its precision against the data's
// precision about the same effect under the chosen curves: σ² times the
// inverse of the normal equations. That precision leaves out the
// uncertainty of the curves, which the bootstrap refits hold: the effect's
// variance over the uncalibrated refits is larger, often several times.
// So the weight is scaled by that ratio (never below 1), and the test and
// the model meet where their precisions, as their intervals show them,
// weigh them: a test as precise as the model's interval moves the effect
// about half way.
func (m *model) weigh(ks []candidate, f fitted, before []draw) error {
	nb := len(m.base)
	p := len(f.cols)
	all := make([]bool, p)
	for j := range all {
		all[j] = true
	}
	for i := range m.lifts {
		l := &m.lifts[i]
		j := nb + l.c
		l.w = f.sigma2 / (l.se * l.se)
		sd := f.sys.sd[j]
		if sd <= 0 {
			continue
		}
		e := make([]float64, p)
		e[j] = 1
		ginv, err := solveSubset(f.sys.G, e, all)
		if err != nil {
			return err
		}
		u := m.liftX(l, ks[l.c]) / sd
		nominal := u * u * f.sigma2 * ginv[j]
		ds := make([]float64, len(before))
		for b, d := range before {
			ds[b] = d.beta[l.c] * m.liftX(l, d.ks[l.c])
		}
		if v := stat.Variance(ds, nil); nominal > 0 && v > nominal {
			l.w *= v / nominal
		}
	}
	return nil
}

// amount writes a KPI amount: whole and in groups of thousands from 1,000
// on, else to 3 significant digits.
func amount(v float64) string {
	if math.Abs(v) >= 1000 {
		return numfmt.Group(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	}
	return num(v)
}

// calibration reports each active lift under the calibrated fit.
func (m *model) calibration(ks []candidate, beta []float64, draws []draw) []Calibration {
	if len(m.lifts) == 0 {
		return nil
	}
	after := m.windows(ks, beta, draws)
	var out []Calibration
	for i, l := range m.lifts {
		t := m.o.LiftTests[l.test]
		test := Interval{Value: t.Incremental, Low: t.Low, High: t.High}
		out = append(out, Calibration{Channel: m.d.Channels[l.c].Name, Start: day(t.Start), End: day(t.End), Days: l.days, Weeks: l.to - l.from + 1, WeeksRead: float64(l.days) / 7, Line: t.Line,
			Test: test, Before: m.beforeLifts[i], After: after[i], Weight: l.w,
			AgreesBefore: !disagree(test, m.beforeLifts[i]), AgreesAfter: !disagree(test, after[i])})
	}
	return out
}

// warnedOf says whether ws has a warning of kind naming channel.
func warnedOf(ws []Warning, kind, channel string) bool {
	for _, w := range ws {
		if w.Kind == kind && slices.Contains(w.Channels, channel) {
			return true
		}
	}
	return false
}
