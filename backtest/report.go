package backtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/leadscore/leadscore/internal/stats"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// Report is the backtest of one model. Every figure is from the snapshot
// view (leads scored as of At, labels in (At, Until]) unless its doc says
// otherwise. Ratios with nothing to divide by are nil.
type Report struct {
	Model string     `json:"model"`
	At    time.Time  `json:"at"`
	Until *time.Time `json:"until"` // nil: no end
	Leads Counts     `json:"leads"`
	// Won and Opportunities count the leads in the backtest won, and
	// turned into an opportunity, in (At, Until]; Revenue is the won deals'.
	Won           int      `json:"won"`
	Opportunities int      `json:"opportunities"`
	Revenue       float64  `json:"revenue"`
	WinRate       *float64 `json:"win_rate"`
	// WonAfterUntil counts leads won after Until, counted as not won.
	WonAfterUntil int `json:"won_after_until"`

	SalesReady Classifier `json:"sales_ready"`
	// AUC is the chance that a won lead has a higher total than a lead
	// that did not win (ties count half); AUCOpportunity the same for
	// opportunities; CategoryAUC for each category's score.
	AUC *float64 `json:"auc"`
	// AUCInterval is the AUC's 95% interval (DeLong's variance, on the
	// logit scale); nil when either class has fewer than two leads.
	AUCInterval    *Interval    `json:"auc_interval"`
	AUCOpportunity *float64     `json:"auc_opportunity"`
	CategoryAUC    []NamedValue `json:"category_auc"`
	// KS is the largest gap between the shares of won and of not-won
	// leads with a total at or below KSAt.
	KS   *float64 `json:"ks"`
	KSAt float64  `json:"ks_at"`

	Stages []Group `json:"stages"`
	Grades []Group `json:"grades"`
	// Deciles of the total, best first; Bands of fixed width, best first.
	Deciles   []Band  `json:"deciles"`
	Bands     []Band  `json:"bands"`
	BandWidth float64 `json:"band_width"`
	// Inversions name the fixed bands whose win rate is below that of the
	// band under them beyond noise (Fisher's exact test, one-sided, its
	// p-values adjusted by Benjamini–Hochberg over the pairs of bands, q
	// under 0.05): where the score does not rank leads as outcomes do.
	// InversionsWithinNoise counts the pairs whose win rate falls too, but
	// within noise.
	Inversions            []string `json:"calibration_inversions"`
	InversionsWithinNoise int      `json:"calibration_inversions_within_noise"`
	// Rules are the scoring rules and gates, by information value.
	Rules []RuleSignal `json:"rules"`

	Capacity   *CapacityReport `json:"capacity,omitempty"`
	Suggestion *Suggestion     `json:"suggestion,omitempty"`
	Drift      *Drift          `json:"drift,omitempty"`
	// Calibration maps the total to a chance of winning (nil when
	// withheld: see Warnings).
	Calibration *Calibration `json:"calibration"`
	// CalibrationWithheld says why Calibration is nil, when it is.
	CalibrationWithheld string `json:"calibration_withheld,omitempty"`
	// Verdicts judges the hand-offs by sales' verdicts, when dispositions
	// were given with the leads.
	Verdicts *Verdicts `json:"verdict_view,omitempty"`
	// Stability is the backtest repeated at several snapshots (see Stability; SetStability).
	Stability *StabilityReport `json:"stability,omitempty"`
	// Holdout is the causal lift of the hand-off from the model's holdout
	// experiment (see Holdout; SetHoldout).
	Holdout *HoldoutReport `json:"holdout,omitempty"`
	// MinWon is the fewest won deals a conclusion rests on (Options.MinWon).
	MinWon int `json:"min_won"`
	// Warnings name every conclusion withheld, and every figure resting on
	// fewer than MinWon won deals.
	Warnings []string `json:"warnings"`
	Notes    []string `json:"notes"`
}

// Counts reconcile the leads added: Added = InBacktest + NotCreated +
// Decided + OpenOpportunity. Failed counts the lead rows that failed (see
// Backtest.LeadFailed), not added: the lead rows read are Added + Failed.
type Counts struct {
	Added           int `json:"added"`
	Failed          int `json:"failed"`
	InBacktest      int `json:"in_backtest"`
	NotCreated      int `json:"not_created"`      // created after At
	Decided         int `json:"decided"`          // won or lost by At
	OpenOpportunity int `json:"open_opportunity"` // an opportunity opened by At, still open then
	// OutcomesWithoutLead counts outcome rows whose lead was not added
	// and did not fail; OutcomesOfFailedLeads those of leads that failed
	// (LeadFailed), not added either.
	OutcomesWithoutLead   int `json:"outcomes_without_lead"`
	OutcomesOfFailedLeads int `json:"outcomes_of_failed_leads"`
}

// FailedRowsWarning begins the warning on the lead rows that failed.
const FailedRowsWarning = "Lead rows that failed:"

// Classifier is the sales-ready definition judged as a classifier of won
// deals.
type Classifier struct {
	Leads         int `json:"leads"` // sales-ready at At
	Won           int `json:"won"`   // of them, won
	Opportunities int `json:"opportunities"`
	// Precision is Won / Leads; Recall is Won / all won leads; Lift is
	// Precision / the overall win rate.
	Precision *float64 `json:"precision"`
	Recall    *float64 `json:"recall"`
	// PrecisionInterval and RecallInterval are 95% Wilson intervals.
	PrecisionInterval    *Interval `json:"precision_interval"`
	RecallInterval       *Interval `json:"recall_interval"`
	Lift                 *float64  `json:"lift"`
	OpportunityPrecision *float64  `json:"opportunity_precision"`
	OpportunityRecall    *float64  `json:"opportunity_recall"`
	Revenue              float64   `json:"revenue"` // of the won deals it called sales-ready
	// MissedWon and MissedRevenue are the won deals (and their revenue)
	// of leads the definition did not call sales-ready at At.
	MissedWon     int     `json:"missed_won"`
	MissedRevenue float64 `json:"missed_revenue"`
}

// Interval is a 95% interval.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// classify sets the precision and recall, with their intervals, of a
// classifier's counts, out of allWon won deals.
func (c *Classifier) classify(allWon int) {
	c.Precision = ratio(float64(c.Won), float64(c.Leads))
	c.Recall = ratio(float64(c.Won), float64(allWon))
	c.PrecisionInterval = rateInterval(c.Won, c.Leads)
	c.RecallInterval = rateInterval(c.Won, allWon)
}

// NamedValue is a number with a name.
type NamedValue struct {
	Name  string   `json:"name"`
	Value *float64 `json:"value"`
}

// Group is the conversion of the leads of one stage or grade.
type Group struct {
	Name            string   `json:"name"`
	Leads           int      `json:"leads"`
	Opportunities   int      `json:"opportunities"`
	Won             int      `json:"won"`
	OpportunityRate *float64 `json:"opportunity_rate"`
	WinRate         *float64 `json:"win_rate"`
	// WinRateInterval is the win rate's 95% Wilson interval.
	WinRateInterval *Interval `json:"win_rate_interval"`
	Lift            *float64  `json:"lift"`
}

// Band is a range of the total: its leads, how many won, the win rate with
// its 95% Wilson interval (the calibration: what a lead in the band is
// worth), the lift over the overall rate, and the share of all won deals
// in this band and the bands above it (cumulative recall).
type Band struct {
	Name string `json:"name"`
	// From and To bound a fixed band [From, To); Min and Max are the
	// lowest and highest totals in the band (nil when empty).
	From    *float64 `json:"from,omitempty"`
	To      *float64 `json:"to,omitempty"`
	Min     *float64 `json:"min"`
	Max     *float64 `json:"max"`
	Leads   int      `json:"leads"`
	Won     int      `json:"won"`
	WinRate *float64 `json:"win_rate"`
	Low     *float64 `json:"win_rate_low"`
	High    *float64 `json:"win_rate_high"`
	Lift    *float64 `json:"lift"`
	// LiftInterval is the lift's 95% interval (as a rule's, see RuleSignal).
	LiftInterval *Interval `json:"lift_interval"`
	CumRecall    *float64  `json:"cumulative_recall"`
	// Calibrated is the chance of winning the calibration map gives the
	// band's leads, on average (nil when calibration is withheld).
	Calibrated         *float64  `json:"calibrated_win_probability"`
	CalibratedInterval *Interval `json:"calibrated_interval"`
	// Mean is the band's mean total (nil when empty).
	Mean *float64 `json:"mean"`
	// slot is the band's place among all of its kind, the empty ones
	// too: what the function that put leads in bands gave them.
	slot int
}

// RuleSignal is how well one rule tells won leads from the rest: one rule
// at a time (the shares of won and not-won leads it fired on at At, its
// lift and IV with 95% intervals, and its WoE), and jointly (its coefficient in a
// logistic fit of won on every rule's units at once, so that a rule that
// merely fires with a predictive one is not credited with its effect),
// and one verdict from a fixed vocabulary (Predictive, AntiPredictive,
// NoEvidence, TooLittleData, LeakageSuspected) with why.
type RuleSignal struct {
	Rule     string  `json:"id"`
	Gate     bool    `json:"gate,omitempty"`
	Category string  `json:"category,omitempty"`
	Points   float64 `json:"points"`
	Fired    int     `json:"fired"`     // leads it fired on
	FiredWon int     `json:"fired_won"` // of them, won
	// ShareWon is FiredWon / won leads; ShareNotWon the same for the rest.
	ShareWon    *float64 `json:"share_won"`
	ShareNotWon *float64 `json:"share_not_won"`
	// Lift is the win rate of the leads it fired on over the overall rate.
	Lift *float64 `json:"lift"`
	// WoE and IV are smoothed by one pseudo-lead at the base rate in each
	// group (see the guide). When the rule fired on none or all of the won
	// leads, or of the rest, they come from that pseudo-lead, not from the
	// leads: Why says so, and the rule is ranked after those measured.
	WoE *float64 `json:"woe"`
	IV  *float64 `json:"iv"`
	// LiftInterval and IVInterval are 95% intervals (percentiles over
	// draws of the two shares from their Jeffreys posteriors; each draw's
	// IV is the plain, unsmoothed one), widened where needed to hold the
	// point estimate beside them.
	LiftInterval *Interval `json:"lift_interval"`
	IVInterval   *Interval `json:"iv_interval"`
	// Signal words the IV, one rule at a time, by its 95% interval: the
	// level the interval's low end reaches, weak from 0.02, medium from
	// 0.1, strong from 0.3; no signal when its high end is under 0.02;
	// unclear when it reaches from under 0.02 to a signal (too few leads
	// to tell). It is not the verdict: a strong signal may belong to
	// another rule it fires with.
	Signal string `json:"signal"`
	// OneAtATime is the rule's coefficient (log-odds of winning per unit)
	// fitted alone; Joint fitted with every other rule. A unit is one
	// firing of a lead rule, one event counted (after limit, window and
	// decay) of an event rule: a decayed rule counts what is left of it.
	OneAtATime *Coefficient `json:"one_at_a_time"`
	Joint      *Coefficient `json:"joint"`
	// Q is the joint coefficient's p-value (Wald) adjusted by
	// Benjamini–Hochberg across the rules judged: a verdict of predictive
	// or anti-predictive needs Q < 0.05 beside an interval that excludes zero.
	Q *float64 `json:"q"`
	// Verdict is one of predictive, anti-predictive, no evidence, too
	// little data and leakage suspected; Why says what it rests on.
	Verdict string `json:"verdict"`
	Why     string `json:"why"`
}

// signal words an information value.
func signal(iv *float64) string {
	switch {
	case iv == nil:
		return "—"
	case *iv < 0.02:
		return "no signal"
	case *iv < 0.1:
		return "weak"
	case *iv < 0.3:
		return "medium"
	}
	return "strong"
}

// signalOf words an information value by its 95% interval (see
// RuleSignal.Signal): the word of the interval's low end when the high end
// is past no signal too, unclear when the interval spans no signal and a
// signal; the word of the estimate iv when there is no interval.
func signalOf(iv *Interval, est *float64) string {
	switch {
	case iv == nil:
		return signal(est)
	case iv.High < 0.02:
		return "no signal"
	case iv.Low < 0.02:
		return "unclear"
	}
	return signal(&iv.Low)
}

// Report computes the report of the leads added so far.
func (b *Backtest) Report() *Report {
	m := b.model
	in, existing := b.sorted()
	r := &Report{Model: m.Name, At: b.opts.At, BandWidth: b.opts.BandWidth, MinWon: b.opts.MinWon, Warnings: []string{}}
	if !b.opts.Until.IsZero() {
		u := b.opts.Until
		r.Until = &u
	}
	r.Leads.Added, r.Leads.Failed = b.added(), b.failedRows
	for _, l := range b.order {
		switch l.exclusion {
		case none:
			r.Leads.InBacktest++
		case notCreated:
			r.Leads.NotCreated++
		case decided:
			r.Leads.Decided++
		case openOpportunity:
			r.Leads.OpenOpportunity++
		}
	}
	for id := range b.outcomes {
		switch {
		case b.ids.Find(id) >= 0:
		case b.failed[id]:
			r.Leads.OutcomesOfFailedLeads++
		default:
			r.Leads.OutcomesWithoutLead++
		}
	}
	n := float64(len(in))
	for _, l := range in {
		if l.won {
			r.Won++
			r.Revenue += l.revenue
		}
		if l.opp {
			r.Opportunities++
		}
		if l.wonLater {
			r.WonAfterUntil++
		}
	}
	won, notWon := float64(r.Won), n-float64(r.Won)
	r.WinRate = ratio(won, n)
	lift := func(k, of int) *float64 {
		rate := ratio(float64(k), float64(of))
		if rate == nil || r.WinRate == nil || *r.WinRate == 0 {
			return nil
		}
		return finite(*rate / *r.WinRate)
	}

	// Rules: their signal and verdicts read the records and r's counts
	// and write r.Rules alone, so they are worked out on a goroutine of
	// their own while the rest of the report is (a panic is passed on).
	var rulesPanic any
	var rulesWG sync.WaitGroup
	rulesWG.Add(1)
	go func() {
		defer rulesWG.Done()
		defer func() { rulesPanic = recover() }()
		all := append(append([]*ruleRef{}, ruleRefs(m.Rules, false)...), ruleRefs(m.Gates, true)...)
		for _, rr := range all {
			s := RuleSignal{Rule: rr.r.ID, Gate: rr.gate, Points: rr.r.Points}
			if rr.r.Category != nil {
				s.Category = rr.r.Category.Name
			}
			col := rr.r.Index
			if rr.gate {
				col += len(m.Rules)
			}
			for _, l := range in {
				if b.units(l)[col] != 0 {
					s.Fired++
					if l.won {
						s.FiredWon++
					}
				}
			}
			notWith := float64(s.Fired - s.FiredWon)
			s.ShareWon, s.ShareNotWon = ratio(float64(s.FiredWon), won), ratio(notWith, notWon)
			s.Lift = lift(s.FiredWon, s.Fired)
			s.WoE, s.IV = woe(float64(s.FiredWon), notWith, won, notWon)
			s.Signal = signal(s.IV)
			r.Rules = append(r.Rules, s)
		}
		b.judgeRules(r, in, existing)
		sortRules(r.Rules)
	}()
	defer rulesWG.Wait() // on a panic below, not left running

	// The definition as a classifier, and the ranking.
	of := func(l *leadRec) outcome { return outcome{l.total, l.revenue, l.sr, l.won, l.opp} }
	r.SalesReady = classifierOf(in, of, r.Won, r.Opportunities, lift)
	xs, aucWon, aucOpp, iv := ranking(scores(in, of))
	r.AUC, r.AUCOpportunity, r.AUCInterval = aucWon, aucOpp, iv
	r.KS, r.KSAt = ks(xs)
	for ci, cat := range m.Categories {
		cs := make([]scored, len(in))
		for i, l := range in {
			cs[i] = scored{score: b.cats(l)[ci], pos: l.won}
		}
		r.CategoryAUC = append(r.CategoryAUC, NamedValue{cat.Name, auc(cs)})
	}

	// Conversion by stage (top of the ladder first) and by grade.
	group := func(names []string, key func(*leadRec) string) []Group {
		idx := map[string]int{}
		gs := make([]Group, len(names))
		for i, name := range names {
			idx[name], gs[i].Name = i, name
		}
		for _, l := range in {
			g := &gs[idx[key(l)]]
			g.Leads++
			if l.opp {
				g.Opportunities++
			}
			if l.won {
				g.Won++
			}
		}
		for i := range gs {
			g := &gs[i]
			g.OpportunityRate = ratio(float64(g.Opportunities), float64(g.Leads))
			g.WinRate = ratio(float64(g.Won), float64(g.Leads))
			g.WinRateInterval = rateInterval(g.Won, g.Leads)
			g.Lift = lift(g.Won, g.Leads)
		}
		return gs
	}
	var stages []string
	for i := len(m.Stages) - 1; i >= 0; i-- {
		stages = append(stages, m.Stages[i].ID)
	}
	r.Stages = group(append(stages, ""), func(l *leadRec) string { return b.stageOf(l) })
	r.Stages[len(r.Stages)-1].Name = "(no stage)"
	var grades []string
	for _, g := range m.Grades {
		grades = append(grades, g.Name)
	}
	r.Grades = group(append(grades, ""), func(l *leadRec) string { return b.gradeOf(l) })
	if g := r.Grades[len(r.Grades)-1]; g.Leads == 0 {
		r.Grades = r.Grades[:len(r.Grades)-1]
	} else {
		r.Grades[len(r.Grades)-1].Name = "(no grade)"
	}

	// Bands.
	totals := make([]float64, len(in))
	for i, l := range in {
		totals[i] = l.total
	}
	dec := deciles(totals)
	decileOf := func(i int) int { return dec[i] }
	r.Deciles = bands(in, 10, decileOf, won, r.WinRate)
	for i := range r.Deciles {
		r.Deciles[i].Name = fmt.Sprintf("D%d", i+1)
	}
	r.Deciles = nonEmpty(r.Deciles)
	w := b.opts.BandWidth
	var bandOf func(i int) int
	if len(in) > 0 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, t := range totals {
			lo, hi = math.Min(lo, stats.Band(t, w)), math.Max(hi, stats.Band(t, w))
		}
		count := 1000 // at most: a band width far too fine for the scores, keep the report readable
		if span := hi - lo + 1; span < 1000 {
			count = int(span)
		}
		top := hi
		bandOf = func(i int) int {
			return int(math.Min(float64(count-1), top-stats.Band(totals[i], w))) // the lowest band takes the rest
		}
		r.Bands = bands(in, count, bandOf, won, r.WinRate)
		for i := range r.Bands {
			from := (top - float64(i)) * w
			to := from + w
			r.Bands[i].From, r.Bands[i].To = &from, &to
			r.Bands[i].Name = fmt.Sprintf("%s to %s", num(from), num(to))
		}
		r.Inversions, r.InversionsWithinNoise = inversions(r.Bands)
	}

	if b.opts.Capacity != nil {
		r.Capacity = b.capacity(in, existing, r.Won)
	}
	r.Drift = b.drift(existing)
	r.Calibration = b.calibrate(r, in, bandsOf{&r.Deciles, decileOf}, bandsOf{&r.Bands, bandOf})
	if rulesWG.Wait(); rulesPanic != nil {
		panic(rulesPanic)
	}
	b.judged, b.judgedLeads = r.Rules, b.added()
	r.Verdicts = b.verdicts()
	r.Notes = b.notes(r)
	r.Warnings = append(append([]string{}, b.warnings(r)...), r.Warnings...) // too few outcomes first
	return r
}

// outcome is what the classifier and the ranking read of a lead, or an
// account, in the backtest.
type outcome struct {
	total, revenue float64
	sr, won, opp   bool
}

// classifierOf is the sales-ready definition as a classifier of won deals
// (and of opportunities) over the units in the backtest, leads or
// accounts, of which won won and opportunities became opportunities.
func classifierOf[T any](units []T, of func(T) outcome, won, opportunities int, lift func(k, of int) *float64) Classifier {
	var c Classifier
	for _, u := range units {
		o := of(u)
		switch {
		case o.sr:
			c.Leads++
			if o.won {
				c.Won++
				c.Revenue += o.revenue
			}
			if o.opp {
				c.Opportunities++
			}
		case o.won:
			c.MissedWon++
			c.MissedRevenue += o.revenue
		}
	}
	c.classify(won)
	c.Lift = lift(c.Won, c.Leads)
	c.OpportunityPrecision = ratio(float64(c.Opportunities), float64(c.Leads))
	c.OpportunityRecall = ratio(float64(c.Opportunities), float64(opportunities))
	return c
}

// scores are the units' totals with their outcomes, for the ranking.
func scores[T any](units []T, of func(T) outcome) []outcome {
	xs := make([]outcome, len(units))
	for i, u := range units {
		xs[i] = of(u)
	}
	return xs
}

// ranking is the AUC of the total against won deals, with its interval,
// and against opportunities; won are the totals with whether they won.
func ranking(xs []outcome) (won []scored, aucWon, aucOpp *float64, iv *Interval) {
	won, opps := make([]scored, len(xs)), make([]scored, len(xs))
	for i, x := range xs {
		won[i], opps[i] = scored{score: x.total, pos: x.won}, scored{score: x.total, pos: x.opp}
	}
	return won, auc(won), auc(opps), aucInterval(won)
}

// Verdicts judges the definition by what sales said of the leads it
// handed over. The hand-offs judged are the leads whose first sales-ready
// moment (their timeline up to T1, events after T0 included: this view
// follows the definition at work, not the snapshot) falls in the window
// (T0 − SLA, T1]: the leads handed over in the outcome window, and those
// handed over within one SLA before T0, whose verdict was still due at T0
// (the model's handoff SLA; 7 days when it sets none). Each is judged by
// its first verdict at or after its hand-off, as `leadscore feedback`
// does, so a verdict given before T0 counts for a lead handed over before
// T0. Leads sales gave a verdict without a hand-off are counted apart.
type Verdicts struct {
	// From and To bound the hand-offs judged: (From, To].
	From time.Time `json:"handed_over_from"`
	To   time.Time `json:"handed_over_to"`
	// HandedOver leads were handed to sales in the window; Judged of them
	// got a verdict, split into Accepted, Rejected and Recycled; Waiting
	// got none by T1.
	HandedOver int `json:"handed_over"`
	Judged     int `json:"judged"`
	Accepted   int `json:"accepted"`
	Rejected   int `json:"rejected"`
	Recycled   int `json:"recycled"`
	Waiting    int `json:"waiting"`
	// AcceptanceRate is Accepted / Judged: the definition's precision as
	// sales sees it, with its 95% Wilson interval.
	AcceptanceRate         *float64  `json:"acceptance_rate"`
	AcceptanceRateInterval *Interval `json:"acceptance_rate_interval"`
	// NotHandedOver counts leads with a verdict in the window the
	// definition never handed over (by T1; a lead handed over before the
	// window is neither judged nor counted here); AcceptedNotHandedOver those of them
	// sales accepted (leads sales took up on its own: what the definition
	// missed).
	NotHandedOver         int `json:"verdicts_not_handed_over"`
	AcceptedNotHandedOver int `json:"accepted_not_handed_over"`
	// Recall is the share of the leads sales accepted that the definition
	// handed over: Accepted / (Accepted + AcceptedNotHandedOver).
	Recall         *float64  `json:"recall"`
	RecallInterval *Interval `json:"recall_interval"`
	// Evidence is, for each rejection reason given, what its leads say of
	// the rules that had fired at the hand-off (see feedback.Evidence).
	Evidence []feedback.Evidence `json:"evidence"`
}

// verdicts builds the verdict view; nil when no lead has a disposition.
func (b *Backtest) verdicts() *Verdicts {
	from, to := b.verdictWindow()
	v := &Verdicts{From: from, To: to}
	tally := feedback.NewEvidenceTally(b.model)
	any := false
	for _, i := range b.bySeq() {
		l := b.verdictOf(b.order[i])
		if l == nil {
			continue
		}
		any = true
		if l.handoff.IsZero() || !l.handoff.After(v.From) || l.handoff.After(v.To) {
			if l.loose.Status != "" {
				v.NotHandedOver++
				if l.loose.Accepted() {
					v.AcceptedNotHandedOver++
				}
			}
			continue
		}
		v.HandedOver++
		switch l.verdict.Status {
		case scoring.Accepted:
			v.Accepted++
		case scoring.Rejected:
			v.Rejected++
		case scoring.Recycled:
			v.Recycled++
		default:
			v.Waiting++
		}
		if l.verdict.Status != "" {
			v.Judged++
			tally.Add(l.fired, l.verdict)
		}
	}
	if !any {
		return nil
	}
	v.AcceptanceRate = ratio(float64(v.Accepted), float64(v.Judged))
	v.AcceptanceRateInterval = rateInterval(v.Accepted, v.Judged)
	v.Recall = ratio(float64(v.Accepted), float64(v.Accepted+v.AcceptedNotHandedOver))
	v.RecallInterval = rateInterval(v.Accepted, v.Accepted+v.AcceptedNotHandedOver)
	v.Evidence = tally.Evidence()
	return v
}

type ruleRef struct {
	r    *rules.Rule
	gate bool
}

func ruleRefs(rs []*rules.Rule, gate bool) []*ruleRef {
	out := make([]*ruleRef, len(rs))
	for i, r := range rs {
		out[i] = &ruleRef{r, gate}
	}
	return out
}

// bands counts the leads of each of n bands, best first.
func bands(in []*leadRec, n int, band func(i int) int, won float64, rate *float64) []Band {
	bs := make([]Band, n)
	for i := range bs {
		bs[i].slot = i
	}
	for i, l := range in {
		b := &bs[band(i)]
		b.Leads++
		if l.won {
			b.Won++
		}
		t := l.total
		if b.Min == nil || t < *b.Min {
			b.Min = finite(t)
		}
		if b.Max == nil || t > *b.Max {
			b.Max = finite(t)
		}
	}
	cum := 0
	for i := range bs {
		b := &bs[i]
		cum += b.Won
		b.WinRate = ratio(float64(b.Won), float64(b.Leads))
		b.Low, b.High = wilson(float64(b.Won), float64(b.Leads))
		if b.WinRate != nil && rate != nil && *rate > 0 {
			b.Lift = finite(*b.WinRate / *rate)
		}
		b.CumRecall = ratio(float64(cum), won)
	}
	sums := make([]float64, n)
	for i, l := range in {
		sums[band(i)] += l.total
	}
	for i := range bs {
		bs[i].Mean = ratio(sums[i], float64(bs[i].Leads))
	}
	total := 0
	for i := range bs {
		total += bs[i].Leads
	}
	for i := range bs {
		b := &bs[i]
		seed := rand.New(rand.NewPCG(uint64(i)+1, 0x62616e64))
		b.LiftInterval, _ = signalIntervals(seed, float64(b.Won), float64(b.Leads-b.Won), won, float64(total)-won)
		b.LiftInterval = around(b.LiftInterval, b.Lift)
		if b.Leads == 0 {
			b.LiftInterval = nil
		}
	}
	return bs
}

func nonEmpty(bs []Band) []Band {
	var out []Band
	for _, b := range bs {
		if b.Leads > 0 {
			out = append(out, b)
		}
	}
	return out
}

// notes say what the report's numbers are and why some are missing.
func (b *Backtest) notes(r *Report) []string {
	until := "with no end"
	if r.Until != nil {
		until = "up to " + r.Until.Format(time.RFC3339)
	}
	notes := []string{fmt.Sprintf("Snapshot view: every lead is scored as it stood at %s (events after it unseen) and labelled with what happened after it, %s.",
		r.At.Format(time.RFC3339), until)}
	if r.Won == 0 {
		notes = append(notes, "No lead in the backtest was won in the window, so precision, recall, lift, AUC, KS and information values have nothing to measure (— in tables, null in JSON); choose an earlier snapshot T0 or a later end of the window T1.")
	} else if r.Won == r.Leads.InBacktest {
		notes = append(notes, "Every lead in the backtest was won, so nothing tells won leads from the rest (— in tables, null in JSON).")
	}
	if r.WonAfterUntil > 0 {
		notes = append(notes, fmt.Sprintf("%s won after the window (T1) count as not won.", plural(r.WonAfterUntil, "lead")))
	}
	return notes
}

func pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100**v)
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}

// warnings name every conclusion withheld for want of won deals, and every
// figure that rests on fewer than MinWon of them.
func (b *Backtest) warnings(r *Report) []string {
	min := b.opts.MinWon
	var w []string
	if r.Won < min {
		w = append(w, fmt.Sprintf("Too few outcomes: the backtest has %s (at least %d are needed, --min-won); rule verdicts, calibration and suggested points are withheld, and AUC, precision, recall and every win rate below rest on them: read their intervals. %s.",
			plural(r.Won, "won deal"), min, upper(more(min-r.Won))))
	}
	if n := r.Leads.Failed; n > 0 {
		w = append(w, fmt.Sprintf("%s %d of the %d read (they could not be read or scored, or gave a lead a second time; each is named with its line on stderr): every figure here is over the %s added, not the whole file; fix those rows and run again to count them.",
			FailedRowsWarning, n, n+r.Leads.Added, plural(r.Leads.Added, "lead")))
	}
	// Outcome rows the backtest could not count: their deals, summed.
	if r.Leads.OutcomesWithoutLead > 0 || r.Leads.OutcomesOfFailedLeads > 0 {
		var wonNone, wonFailed int
		var revNone, revFailed float64
		for id, o := range b.outcomes {
			if b.ids.Find(id) >= 0 || o.Won.IsZero() {
				continue
			}
			if b.failed[id] {
				wonFailed, revFailed = wonFailed+1, revFailed+o.Revenue
			} else {
				wonNone, revNone = wonNone+1, revNone+o.Revenue
			}
		}
		if n := r.Leads.OutcomesWithoutLead; n > 0 {
			w = append(w, fmt.Sprintf("%s of the outcomes file %s no lead of the leads file (%s, revenue %s): not counted; each is named with its line on stderr.",
				plural(n, "row"), verbN(n, "names", "name"), plural(wonNone, "won deal"), money(revNone)))
		}
		if n := r.Leads.OutcomesOfFailedLeads; n > 0 {
			w = append(w, fmt.Sprintf("%s of the outcomes file %s to leads that failed (%s, revenue %s): not counted until those leads' rows (named on stderr) are fixed.",
				plural(n, "row"), verbN(n, "belongs", "belong"), plural(wonFailed, "won deal"), money(revFailed)))
		}
	}
	if s := r.SalesReady; r.Won >= min && s.Won < min && s.Leads > 0 {
		w = append(w, fmt.Sprintf("The sales-ready definition's precision rests on %s among its %s.", plural(s.Won, "won deal"), plural(s.Leads, "lead")))
	}
	if r.Won >= min {
		var thin []string
		for _, g := range append(append([]Group(nil), r.Stages...), r.Grades...) {
			if g.Leads > 0 && g.Won < min {
				thin = append(thin, fmt.Sprintf("%s (%d)", g.Name, g.Won))
			}
		}
		for _, bd := range r.Bands {
			if bd.Leads > 0 && bd.Won < min {
				thin = append(thin, fmt.Sprintf("band %s (%d)", bd.Name, bd.Won))
			}
		}
		if len(thin) > 0 {
			w = append(w, fmt.Sprintf("Win rates resting on fewer than %d won deals (read their intervals): %s.", min, strings.Join(thin, ", ")))
		}
	}
	if r.Capacity != nil {
		w = append(w, b.capacityWarnings(r.Capacity)...)
	}
	if v := r.Verdicts; v != nil && v.Judged < min {
		w = append(w, fmt.Sprintf("The verdict view rests on %s with a verdict, under %d.", plural(v.Judged, "hand-off"), min))
	}
	return w
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// SetSuggestion puts a suggestion (from Backtest.Suggest) in the report,
// with a warning when its held-out comparison rests on fewer than MinWon
// won deals.
func (r *Report) SetSuggestion(s *Suggestion) {
	r.Suggestion = s
	if s != nil && s.Withheld == "" && s.HeldOut.Won < r.MinWon {
		r.Warnings = append(r.Warnings, fmt.Sprintf("The suggestion's held-out comparison rests on %s, under %d.", plural(s.HeldOut.Won, "won deal"), r.MinWon))
	}
}

// inversions names the bands (best first, empty ones skipped) whose win
// rate is below that of the band under them beyond noise, and counts
// those below it within noise: for each pair of neighbours, Fisher's
// exact test that the upper band wins less often, one-sided, its p-values
// adjusted by Benjamini–Hochberg over all the pairs; q under 0.05 is
// beyond noise.
func inversions(bands []Band) (beyond []string, withinNoise int) {
	type pair struct{ upper, lower int }
	var pairs []pair
	var ps []float64
	prev := -1
	for i := len(bands) - 1; i >= 0; i-- {
		if bands[i].Leads == 0 {
			continue
		}
		if prev >= 0 {
			u, l := bands[i], bands[prev]
			pairs = append(pairs, pair{i, prev})
			ps = append(ps, stats.FisherExact(u.Won, u.Leads-u.Won, l.Won, l.Leads-l.Won).Less)
		}
		prev = i
	}
	q := stats.BH(ps)
	for k, pr := range pairs {
		u, l := bands[pr.upper], bands[pr.lower]
		if !(*u.WinRate < *l.WinRate) {
			continue
		}
		if !(q[k] < 0.05) {
			withinNoise++
			continue
		}
		p, qk := ps[k], q[k]
		beyond = append(beyond, fmt.Sprintf("%s wins %s of its leads (%d of %d), less than %s below it (%s, %d of %d; Fisher's exact test, one-sided: p %s, q %s over %s of bands)",
			u.Name, pct(u.WinRate), u.Won, u.Leads, l.Name, pct(l.WinRate), l.Won, l.Leads, pValue(&p), pValue(&qk), plural(len(pairs), "pair")))
	}
	return beyond, withinNoise
}

// InversionNote says whether the bands' win rates rise with the total:
// the bands whose rate falls beyond noise, and how many fall within it.
func (r *Report) InversionNote() string {
	noise := ""
	if n := r.InversionsWithinNoise; n > 0 {
		noise = fmt.Sprintf("%s falls below the band under it within noise (Fisher's exact test, Benjamini–Hochberg q of 0.05 or more): read the intervals", plural(n, "band's win rate"))
	}
	switch {
	case len(r.Inversions) > 0 && noise != "":
		return "Bands whose win rate falls as the total rises, beyond noise: " + strings.Join(r.Inversions, "; ") + ". Besides, " + noise + "."
	case len(r.Inversions) > 0:
		return "Bands whose win rate falls as the total rises, beyond noise: " + strings.Join(r.Inversions, "; ") + "."
	case noise != "":
		return "No band's win rate falls below the band under it beyond noise; " + noise + "."
	}
	return "The win rate rises with the total from band to band: the score ranks leads as the outcomes do."
}
