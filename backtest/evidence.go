package backtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/leadscore/leadscore/internal/stats"
)

// The verdicts a rule can get, one each (RuleSignal.Verdict).
const (
	// Predictive: the multivariable fit's 95% interval for the rule's
	// effect excludes zero, on the side its points are on (for a gate:
	// the leads it stops win less).
	Predictive = "predictive"
	// AntiPredictive: the interval excludes zero on the other side: its
	// points push the wrong way.
	AntiPredictive = "anti-predictive"
	// NoEvidence: the interval includes zero: the rule adds nothing the
	// outcomes can tell from chance, once the other rules are counted.
	NoEvidence = "no evidence"
	// TooLittleData: too few won deals in the backtest, or too few leads
	// (or expected won deals) where the rule fired, to judge it.
	TooLittleData = "too little data"
	// LeakageSuspected: the rule fires (nearly) only on leads that won, or
	// only on leads that already had an opportunity at T0: it may read
	// something recorded because of the sale.
	LeakageSuspected = "leakage suspected"
)

// Thresholds of the rule verdicts.
const (
	// JointLambda is the L2 penalty of the multivariable fit, as for the
	// suggested points: it keeps a rule seen only on won (or only on lost)
	// leads finite, and pulls a rule with little evidence towards zero.
	JointLambda = 1.0
	// MinRuleLeads is the fewest leads a rule must fire on (and not fire
	// on) to be judged; MinRuleWon the fewest won deals that, at the
	// overall win rate, would fall on either side of it.
	MinRuleLeads = 10
	MinRuleWon   = 5
	// LeakWinRate: a rule whose leads won at least this often, on at least
	// MinRuleWon won deals, is "leakage suspected" (near-separation); so
	// is one that fired on LeakShareWon of the won leads and at most
	// 1-LeakShareWon of the rest. LeakOpportunity: a rule at least this
	// share of whose leads (at least MinRuleWon of them) already had an
	// opportunity at T0 (timing).
	LeakWinRate     = 0.8
	LeakShareWon    = 0.95
	LeakOpportunity = 0.9
	// MaxHalfWidth: a joint interval that includes zero and is wider than
	// this either side of its estimate (0.75 log-odds: an odds ratio of
	// 2.1 either way) says "too little data", not "no evidence": the data
	// cannot rule out an effect worth points.
	MaxHalfWidth = 0.75
	// Draws is how many draws from the Jeffreys posteriors make the
	// intervals of lift and information value (seeded: the same input
	// gives the same interval).
	Draws = 2000
)

// Coefficient is a rule's effect on the log-odds of winning per unit
// (fired once, or one event counted), with its standard error and 95%
// interval.
type Coefficient struct {
	Estimate float64 `json:"estimate"`
	SE       float64 `json:"se"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

func coefficient(fit *stats.Logistic, k int) *Coefficient {
	b, se := fit.Coef[k], fit.SE(k)
	if math.IsNaN(se) || math.IsInf(se, 0) {
		return nil
	}
	return &Coefficient{Estimate: b, SE: se, Low: b - stats.Z95*se, High: b + stats.Z95*se}
}

// grouped fits won on the columns cols of the leads' units, grouping the
// leads with the same units into one row.
func (b *Backtest) grouped(in []*leadRec, cols []int) (*stats.Logistic, error) {
	return b.fitLists(b.byList(in), cols)
}

// listGroup is the leads of one list of units (Backtest.share files leads
// alike under one list): the first of them, how many, how many won.
type listGroup struct {
	first  *leadRec
	n, won float64
}

// byList groups the leads by their list of units, in the order each list
// is first met. The fits read each list once instead of each lead.
func (b *Backtest) byList(in []*leadRec) []listGroup {
	var groups []listGroup
	at := map[uint32]int{}
	for _, l := range in {
		i, ok := at[l.units]
		if !ok {
			i = len(groups)
			at[l.units] = i
			groups = append(groups, listGroup{first: l})
		}
		groups[i].n++
		if l.won {
			groups[i].won++
		}
	}
	return groups
}

// fitLists fits won on the columns cols of the units of the groups of
// leads, one row per distinct vector, the rows in the order their first
// lead was met: the order of the groups (a lead's list is first met no
// later than its vector), so the fit is the one of the leads one by one.
func (b *Backtest) fitLists(groups []listGroup, cols []int) (*stats.Logistic, error) {
	// The distinct vectors are kept once each in a listStore, numbered in
	// the order first met: no key or row is allocated per vector.
	store := listStore{w: len(cols)}
	var x [][]float64
	var k, n []float64
	row := make([]float64, len(cols))
	for _, g := range groups {
		u := b.units(g.first)
		for j, c := range cols {
			row[j] = u[c]
		}
		i := int(store.intern(row))
		if i == len(x) {
			x, k, n = append(x, store.list(uint32(i))), append(k, 0), append(n, 0)
		}
		n[i] += g.n
		k[i] += g.won
	}
	return stats.FitBinomial(x, k, n, JointLambda)
}

// judgeRules gives each rule of r.Rules its joint and one-at-a-time
// coefficients, the intervals of its lift and IV, and its verdict.
func (b *Backtest) judgeRules(r *Report, in, existing []*leadRec) {
	m := b.model
	col := func(s *RuleSignal) int {
		if s.Gate {
			return len(m.Rules) + m.Rule(s.Rule).Index
		}
		return m.Rule(s.Rule).Index
	}
	won, n := float64(r.Won), float64(len(in))
	rate := 0.0
	if n > 0 {
		rate = won / n
	}
	// Leakage first: a rule suspected of reading the outcome stays out of
	// the joint fit, where it would soak up the others' effects.
	leaks := map[int]string{}
	if r.Won >= b.opts.MinWon {
		for i := range r.Rules {
			if why := b.leakage(&r.Rules[i], col(&r.Rules[i]), r, existing); why != "" {
				leaks[i] = why
			}
		}
	}
	// Columns with some variation go into the joint fit.
	var cols []int
	colOf := map[int]int{}
	for i := range r.Rules {
		c := col(&r.Rules[i])
		if leaks[i] != "" {
			continue
		}
		first, varies := 0.0, false
		for j, l := range in {
			if j == 0 {
				first = b.units(l)[c]
			} else if b.units(l)[c] != first {
				varies = true
				break
			}
		}
		if varies {
			colOf[c] = len(cols) + 1
			cols = append(cols, c)
		}
	}
	var joint *stats.Logistic
	groups := b.byList(in)
	if r.Won > 0 && r.Won < len(in) && len(cols) > 0 {
		joint, _ = b.fitLists(groups, cols) // nil on a singular fit: every rule then "too little data"
	}
	for i := range r.Rules {
		s := &r.Rules[i]
		c := col(s)
		seed := rand.New(rand.NewPCG(uint64(c)+1, 0x6c656164))
		if s.Fired > 0 {
			s.LiftInterval, s.IVInterval = signalIntervals(seed, float64(s.FiredWon), float64(s.Fired-s.FiredWon), won, n-won)
			s.Signal = signalOf(s.IVInterval, s.IV) // by the draws, before the interval is widened to the estimate
			s.LiftInterval, s.IVInterval = around(s.LiftInterval, s.Lift), around(s.IVInterval, s.IV)
		}
		if k, ok := colOf[c]; ok {
			if joint != nil {
				s.Joint = coefficient(joint, k)
			}
			if one, err := b.fitLists(groups, []int{c}); err == nil {
				s.OneAtATime = coefficient(one, 1)
			}
		}
	}
	// Benjamini–Hochberg across the rules with a joint coefficient, so that
	// among many rules one is not called predictive by chance.
	var ps []float64
	var withP []int
	for i := range r.Rules {
		if j := r.Rules[i].Joint; j != nil && leaks[i] == "" && j.SE > 0 {
			ps = append(ps, stats.TwoSidedP(j.Estimate/j.SE))
			withP = append(withP, i)
		}
	}
	for k, q := range stats.BH(ps) {
		r.Rules[withP[k]].Q = finite(q)
	}
	for i := range r.Rules {
		s := &r.Rules[i]
		if why := leaks[i]; why != "" {
			s.Verdict, s.Why = LeakageSuspected, why
			continue
		}
		s.Verdict, s.Why = b.verdict(s, r, rate, joint == nil, len(ps))
	}
	b.explainNeighbours(r, in, col)
	for i := range r.Rules {
		if why := unmeasuredIV(&r.Rules[i]); why != "" {
			r.Rules[i].Why += "; " + why
		}
	}
}

// unmeasuredIV says why a rule's WoE and IV are not measured, "" when they
// are: when it fired on none or all of the won leads, or of the rest (but
// not on none or all of every lead), the plain WoE and IV are infinite,
// and the point shown is set by woe's pseudo-lead, not by the leads. Its
// IV's interval (from the draws) still says what the leads allow, and
// sortRules ranks it after the rules measured.
func unmeasuredIV(s *RuleSignal) string {
	if s.ShareWon == nil || s.ShareNotWon == nil || !math.IsInf(plainIV(*s.ShareWon, *s.ShareNotWon), 1) {
		return ""
	}
	var on string
	switch {
	case *s.ShareWon == 0:
		on = "no won lead"
	case *s.ShareWon == 1:
		on = "every won lead"
	case *s.ShareNotWon == 0:
		on = "no lead that did not win"
	default:
		on = "every lead that did not win"
	}
	return "it fired on " + on + ", so its WoE and IV are the smoothing's (one pseudo-lead at the base rate), not measured: read the IV's interval, not the point; ranked after the rules measured"
}

// leakage says why a rule is suspected of reading the outcome, or "".
func (b *Backtest) leakage(s *RuleSignal, c int, r *Report, existing []*leadRec) string {
	notWon := r.Leads.InBacktest - r.Won
	// Leakage by near-separation.
	if s.FiredWon >= MinRuleWon && float64(s.FiredWon) >= LeakWinRate*float64(s.Fired) {
		return fmt.Sprintf("%d of the %d leads it fired on won (%s), where %s of all leads won: check that it does not read something recorded because of the sale",
			s.FiredWon, s.Fired, pct(ratio(float64(s.FiredWon), float64(s.Fired))), pct(r.WinRate))
	}
	if s.FiredWon >= MinRuleWon && float64(s.FiredWon) >= LeakShareWon*float64(r.Won) && float64(s.Fired-s.FiredWon) <= (1-LeakShareWon)*float64(notWon) {
		return fmt.Sprintf("it fired on %d of the %d won leads and on %d of the other %d: too clean a split for a sign before the sale; check that it does not read the outcome",
			s.FiredWon, r.Won, s.Fired-s.FiredWon, notWon)
	}
	// Leakage by timing: it fires mostly on leads that already had an
	// opportunity (those left out of the backtest as decided or open).
	var fired, before int
	for _, l := range existing {
		if b.units(l)[c] != 0 {
			fired++
			if !b.oppAt(l).IsZero() && !b.oppAt(l).After(b.opts.At) {
				before++
			}
		}
	}
	if before >= MinRuleWon && float64(before) >= LeakOpportunity*float64(fired) {
		return fmt.Sprintf("of the %d leads it had fired on by T0, %d were already an opportunity then: it may read the opportunity itself", fired, before)
	}
	return ""
}

// verdict is a rule's verdict and why, in words, when it is not suspected
// of leakage.
func (b *Backtest) verdict(s *RuleSignal, r *Report, rate float64, noFit bool, judged int) (string, string) {
	minWon := b.opts.MinWon
	if r.Won < minWon {
		return TooLittleData, fmt.Sprintf("the backtest has %s; rule verdicts need at least %d (--min-won)", plural(r.Won, "won deal"), minWon)
	}
	if s.Fired < MinRuleLeads || r.Leads.InBacktest-s.Fired < MinRuleLeads {
		return TooLittleData, fmt.Sprintf("it fired on %d of %d leads; judging it needs at least %d on each side", s.Fired, r.Leads.InBacktest, MinRuleLeads)
	}
	expected := rate * float64(s.Fired)
	if math.Max(expected, float64(s.FiredWon)) < MinRuleWon {
		return TooLittleData, fmt.Sprintf("it fired on %s; at the overall win rate about %.1f of them would win, %d did: too few won deals (under %d) to tell", plural(s.Fired, "lead"), expected, s.FiredWon, MinRuleWon)
	}
	if noFit || s.Joint == nil {
		return TooLittleData, "the multivariable fit could not separate its effect from the other rules'"
	}
	j := s.Joint
	if j.Low <= 0 && j.High >= 0 && j.High-j.Low > 2*MaxHalfWidth {
		return TooLittleData, fmt.Sprintf("%+.2f log-odds per unit, but the 95%% interval spans %+.2f to %+.2f: too wide to tell an effect from none (it fired on %s, %d won)",
			j.Estimate, j.Low, j.High, plural(s.Fired, "lead"), s.FiredWon)
	}
	sign := 1.0
	switch {
	case s.Gate:
		sign = -1 // a gate is right when the leads it stops win less
	case s.Points < 0:
		sign = -1
	}
	per := fmt.Sprintf("%+.2f log-odds per unit (95%%: %+.2f to %+.2f) with the other rules held fixed", j.Estimate, j.Low, j.High)
	if (j.Low > 0 || j.High < 0) && s.Q != nil && *s.Q >= 0.05 {
		return NoEvidence, per + fmt.Sprintf(": the interval excludes zero, but among %d rules judged that happens by chance (q = %.2f, Benjamini–Hochberg)", judged, *s.Q)
	}
	switch {
	case j.Low > 0 && sign > 0, j.High < 0 && sign < 0:
		return Predictive, per
	case j.Low > 0, j.High < 0:
		if s.Gate {
			return AntiPredictive, per + ": the leads it stops win more than the rest"
		}
		return AntiPredictive, per + ": its points push the wrong way"
	}
	return NoEvidence, per + ": the interval includes zero"
}

// explainNeighbours adds, to a rule with no evidence of its own whose
// one-at-a-time effect is clear, the rule it fires with that carries the
// signal.
func (b *Backtest) explainNeighbours(r *Report, in []*leadRec, col func(*RuleSignal) int) {
	for i := range r.Rules {
		s := &r.Rules[i]
		if s.Verdict != NoEvidence || s.OneAtATime == nil || (s.OneAtATime.Low <= 0 && s.OneAtATime.High >= 0) {
			continue
		}
		best, bestCorr := "", 0.3
		for j := range r.Rules {
			o := &r.Rules[j]
			if j == i || (o.Verdict != Predictive && o.Verdict != AntiPredictive) {
				continue
			}
			if c := math.Abs(b.correlation(in, col(s), col(o))); c > bestCorr {
				best, bestCorr = o.Rule, c
			}
		}
		if best != "" {
			s.Why += fmt.Sprintf("; alone it looks like a signal, but it fires with %s (correlation %.2f), which carries it", best, bestCorr)
		}
	}
}

// correlation is Pearson's correlation of two columns of units.
func (b *Backtest) correlation(in []*leadRec, i, j int) float64 {
	var sa, sb, saa, sbb, sab, n float64
	for _, l := range in {
		u := b.units(l)
		x, y := u[i], u[j]
		sa, sb, saa, sbb, sab, n = sa+x, sb+y, saa+x*x, sbb+y*y, sab+x*y, n+1
	}
	den := math.Sqrt((n*saa - sa*sa) * (n*sbb - sb*sb))
	if den == 0 {
		return 0
	}
	return (n*sab - sa*sb) / den
}

// signalIntervals are 95% intervals of a rule's lift and information
// value: percentiles over draws of the two rates (fired among won, fired
// among the rest) from their Jeffreys posteriors. Each draw's IV is the
// plain one of the two drawn shares (plainIV), not smoothed again: the
// posterior already keeps a share off zero, and woe's pseudo-lead on top
// of it would floor every drawn share of won near zero at the point
// estimate's, cutting the interval's upper end (a rule fired on no won
// lead looked surer of its IV than the data allow).
func signalIntervals(r *rand.Rand, wonWith, notWith, won, notWon float64) (lift, iv *Interval) {
	if won == 0 || notWon == 0 {
		return nil, nil
	}
	lifts, ivs := make([]float64, 0, Draws), make([]float64, 0, Draws)
	total := won + notWon
	for i := 0; i < Draws; i++ {
		g := stats.JeffreysDraws(r, wonWith, won)
		bb := stats.JeffreysDraws(r, notWith, notWon)
		if l := ratio(g*won/(g*won+bb*notWon), won/total); l != nil {
			lifts = append(lifts, *l)
		}
		if v := plainIV(g, bb); !math.IsNaN(v) {
			ivs = append(ivs, v)
		}
	}
	if len(lifts) > Draws/2 {
		lo, hi := stats.Percentiles(lifts)
		lift = &Interval{lo, hi}
	}
	if len(ivs) > Draws/2 {
		lo, hi := stats.Percentiles(ivs)
		iv = &Interval{lo, hi}
	}
	return lift, iv
}

// around widens an interval from draws just enough to hold the point
// estimate it stands beside: with very few leads the smoothed estimate (or
// a lift of exactly zero, which no draw reaches) can sit at the edge of
// what the draws cover.
func around(iv *Interval, v *float64) *Interval {
	if iv == nil || v == nil {
		return iv
	}
	return &Interval{math.Min(iv.Low, *v), math.Max(iv.High, *v)}
}

// rateInterval is the 95% Wilson interval of k in n; nil when n is zero.
func rateInterval(k, n int) *Interval {
	lo, hi, ok := stats.Wilson(float64(k), float64(n))
	if !ok {
		return nil
	}
	return &Interval{lo, hi}
}

// sortRules orders the rules by verdict (leakage first, then
// anti-predictive, predictive, no evidence, too little data), then the
// rules whose IV is measured before those whose IV the smoothing sets
// (unmeasuredIV), then by IV.
func sortRules(rs []RuleSignal) {
	rank := map[string]int{LeakageSuspected: 0, AntiPredictive: 1, Predictive: 2, NoEvidence: 3, TooLittleData: 4}
	sort.SliceStable(rs, func(i, j int) bool {
		if a, b := rank[rs[i].Verdict], rank[rs[j].Verdict]; a != b {
			return a < b
		}
		if a, b := unmeasuredIV(&rs[i]) != "", unmeasuredIV(&rs[j]) != ""; a != b {
			return b
		}
		a, b := rs[i].IV, rs[j].IV
		if (a == nil) != (b == nil) {
			return b == nil
		}
		return a != nil && *a > *b
	})
}
