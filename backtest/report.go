package backtest

import (
	"fmt"
	"math"
	"sort"
	"time"

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
	// band under them: where the score does not rank leads as outcomes do.
	Inversions []string `json:"calibration_inversions"`
	// Rules are the scoring rules and gates, by information value.
	Rules []RuleSignal `json:"rules"`

	Capacity   *CapacityReport `json:"capacity,omitempty"`
	Suggestion *Suggestion     `json:"suggestion,omitempty"`
	Drift      *Drift          `json:"drift,omitempty"`
	// Verdicts is sales' verdicts in (At, Until], when dispositions were
	// given with the leads.
	Verdicts *Verdicts `json:"sales_verdicts,omitempty"`
	Notes    []string  `json:"notes"`
}

// Counts reconcile the leads added: Added = InBacktest + NotCreated +
// Decided + OpenOpportunity.
type Counts struct {
	Added           int `json:"added"`
	InBacktest      int `json:"in_backtest"`
	NotCreated      int `json:"not_created"`      // created after At
	Decided         int `json:"decided"`          // won or lost by At
	OpenOpportunity int `json:"open_opportunity"` // an opportunity opened by At, still open then
	// OutcomesWithoutLead counts outcome rows whose lead was not added.
	OutcomesWithoutLead int `json:"outcomes_without_lead"`
}

// Classifier is the sales-ready definition judged as a classifier of won
// deals.
type Classifier struct {
	Leads         int `json:"leads"` // sales-ready at At
	Won           int `json:"won"`   // of them, won
	Opportunities int `json:"opportunities"`
	// Precision is Won / Leads; Recall is Won / all won leads; Lift is
	// Precision / the overall win rate.
	Precision            *float64 `json:"precision"`
	Recall               *float64 `json:"recall"`
	Lift                 *float64 `json:"lift"`
	OpportunityPrecision *float64 `json:"opportunity_precision"`
	OpportunityRecall    *float64 `json:"opportunity_recall"`
	Revenue              float64  `json:"revenue"` // of the won deals it called sales-ready
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
	Lift            *float64 `json:"lift"`
}

// Band is a range of the total: its leads, how many won, the win rate with
// its 95% Wilson interval (the calibration: what a lead in the band is
// worth), the lift over the overall rate, and the share of all won deals
// in this band and the bands above it (cumulative recall).
type Band struct {
	Name string `json:"name"`
	// From and To bound a fixed band [From, To); Min and Max are the
	// lowest and highest totals in the band (nil when empty).
	From      *float64 `json:"from,omitempty"`
	To        *float64 `json:"to,omitempty"`
	Min       *float64 `json:"min"`
	Max       *float64 `json:"max"`
	Leads     int      `json:"leads"`
	Won       int      `json:"won"`
	WinRate   *float64 `json:"win_rate"`
	Low       *float64 `json:"win_rate_low"`
	High      *float64 `json:"win_rate_high"`
	Lift      *float64 `json:"lift"`
	CumRecall *float64 `json:"cumulative_recall"`
}

// RuleSignal is how well one rule's firing at At tells won leads from the rest.
type RuleSignal struct {
	Rule     string  `json:"rule"`
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
	WoE  *float64 `json:"woe"`
	IV   *float64 `json:"iv"`
	// Signal words the IV: no signal (< 0.02), weak (< 0.1), medium
	// (< 0.3), strong (up to 0.5), suspicious: leakage? (> 0.5).
	Signal string `json:"signal"`
	// Disagrees is set when the rule's points push one way and the
	// outcomes (its WoE) the other.
	Disagrees bool `json:"disagrees,omitempty"`
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
	case *iv <= 0.5:
		return "strong"
	}
	return "suspicious: leakage?"
}

// Report computes the report of the leads added so far.
func (b *Backtest) Report() *Report {
	m := b.model
	in, existing := b.sorted()
	r := &Report{Model: m.Name, At: b.opts.At, BandWidth: b.opts.BandWidth}
	if !b.opts.Until.IsZero() {
		u := b.opts.Until
		r.Until = &u
	}
	r.Leads.Added = len(b.leads)
	for _, l := range b.leads {
		switch l.exclusion {
		case "":
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
		if _, ok := b.leads[id]; !ok {
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

	// The definition as a classifier.
	c := &r.SalesReady
	for _, l := range in {
		switch {
		case l.sr:
			c.Leads++
			if l.won {
				c.Won++
				c.Revenue += l.revenue
			}
			if l.opp {
				c.Opportunities++
			}
		case l.won:
			c.MissedWon++
			c.MissedRevenue += l.revenue
		}
	}
	c.Precision = ratio(float64(c.Won), float64(c.Leads))
	c.Recall = ratio(float64(c.Won), won)
	c.Lift = lift(c.Won, c.Leads)
	c.OpportunityPrecision = ratio(float64(c.Opportunities), float64(c.Leads))
	c.OpportunityRecall = ratio(float64(c.Opportunities), float64(r.Opportunities))

	// Ranking.
	xs, opps := make([]scored, len(in)), make([]scored, len(in))
	for i, l := range in {
		xs[i], opps[i] = scored{l.total, l.won}, scored{l.total, l.opp}
	}
	r.AUC, r.AUCOpportunity = auc(xs), auc(opps)
	r.AUCInterval = aucInterval(xs)
	r.KS, r.KSAt = ks(xs)
	for ci, cat := range m.Categories {
		cs := make([]scored, len(in))
		for i, l := range in {
			cs[i] = scored{l.cats[ci], l.won}
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
			g.Lift = lift(g.Won, g.Leads)
		}
		return gs
	}
	var stages []string
	for i := len(m.Stages) - 1; i >= 0; i-- {
		stages = append(stages, m.Stages[i].ID)
	}
	r.Stages = group(append(stages, ""), func(l *leadRec) string { return l.stage })
	r.Stages[len(r.Stages)-1].Name = "(no stage)"
	var grades []string
	for _, g := range m.Grades {
		grades = append(grades, g.Name)
	}
	r.Grades = group(append(grades, ""), func(l *leadRec) string { return l.grade })
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
	r.Deciles = bands(in, 10, func(i int) int { return dec[i] }, won, r.WinRate)
	for i := range r.Deciles {
		r.Deciles[i].Name = fmt.Sprintf("D%d", i+1)
	}
	r.Deciles = nonEmpty(r.Deciles)
	w := b.opts.BandWidth
	if len(in) > 0 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, t := range totals {
			lo, hi = math.Min(lo, math.Floor(t/w)), math.Max(hi, math.Floor(t/w))
		}
		count := int(hi - lo + 1)
		if count > 1000 { // a band width far too fine for the scores: keep the report readable
			count = 1000
		}
		top := hi
		r.Bands = bands(in, count, func(i int) int {
			return min(count-1, int(top-math.Floor(totals[i]/w)))
		}, won, r.WinRate)
		for i := range r.Bands {
			from := (top - float64(i)) * w
			to := from + w
			r.Bands[i].From, r.Bands[i].To = &from, &to
			r.Bands[i].Name = fmt.Sprintf("%s to %s", num(from), num(to))
		}
		prev := -1
		for i := len(r.Bands) - 1; i >= 0; i-- {
			if r.Bands[i].Leads == 0 {
				continue
			}
			if prev >= 0 && *r.Bands[i].WinRate < *r.Bands[prev].WinRate {
				r.Inversions = append(r.Inversions, fmt.Sprintf("%s wins %s of its leads, less than %s below it (%s)",
					r.Bands[i].Name, pct(r.Bands[i].WinRate), r.Bands[prev].Name, pct(r.Bands[prev].WinRate)))
			}
			prev = i
		}
	}

	// Rules.
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
			if l.units[col] != 0 {
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
		if s.WoE != nil && !rr.gate && s.Fired > 0 && s.Points*(*s.WoE) < 0 && (s.IV != nil && *s.IV >= 0.02) {
			s.Disagrees = true
		}
		if rr.gate && s.WoE != nil && *s.WoE > 0 && s.IV != nil && *s.IV >= 0.02 {
			s.Disagrees = true // a gate stops leads that win more than the rest
		}
		r.Rules = append(r.Rules, s)
	}
	sort.SliceStable(r.Rules, func(i, j int) bool {
		a, b := r.Rules[i].IV, r.Rules[j].IV
		if (a == nil) != (b == nil) {
			return b == nil
		}
		return a != nil && *a > *b
	})

	if b.opts.Capacity != nil {
		r.Capacity = b.capacity(in, existing, r.Won)
	}
	r.Drift = b.drift(existing)
	r.Verdicts = b.verdicts(in)
	r.Notes = b.notes(r)
	return r
}

// Verdicts is what sales said of the leads of the backtest in (At, Until]:
// the first disposition each got (see feedback.LabelIn). Sales-accepted is
// a label beside won: the sales-ready definition is judged as a classifier
// of the leads sales accepted, among the leads that got a verdict; and
// rejections by reason are evidence against the rules they contradict.
type Verdicts struct {
	// WithVerdict leads got a verdict in the window; Accepted, Rejected
	// and Recycled split them.
	WithVerdict int `json:"with_verdict"`
	Accepted    int `json:"accepted"`
	Rejected    int `json:"rejected"`
	Recycled    int `json:"recycled"`
	// SalesReady counts the leads with a verdict that were sales-ready at
	// At, and SalesReadyAccepted those of them sales accepted. Precision
	// is SalesReadyAccepted / SalesReady; Recall SalesReadyAccepted /
	// Accepted.
	SalesReady         int      `json:"sales_ready"`
	SalesReadyAccepted int      `json:"sales_ready_accepted"`
	Precision          *float64 `json:"precision"`
	Recall             *float64 `json:"recall"`
	// Evidence is, for each rejection reason given, how often the rules it
	// contradicts fired at At on the leads given it, against all leads
	// with a verdict.
	Evidence []feedback.Evidence `json:"evidence"`
}

// verdicts builds the verdict view; nil when no lead got a verdict in the
// window (or no dispositions were given).
func (b *Backtest) verdicts(in []*leadRec) *Verdicts {
	v := &Verdicts{}
	tally := feedback.NewEvidenceTally(b.model)
	for _, l := range in {
		if l.verdict.Status == "" {
			continue
		}
		v.WithVerdict++
		switch l.verdict.Status {
		case scoring.Accepted:
			v.Accepted++
		case scoring.Rejected:
			v.Rejected++
		case scoring.Recycled:
			v.Recycled++
		}
		if l.sr {
			v.SalesReady++
			if l.verdict.Accepted() {
				v.SalesReadyAccepted++
			}
		}
		tally.Add(l.fired, l.verdict)
	}
	if v.WithVerdict == 0 {
		return nil
	}
	v.Precision = ratio(float64(v.SalesReadyAccepted), float64(v.SalesReady))
	v.Recall = ratio(float64(v.SalesReadyAccepted), float64(v.Accepted))
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
