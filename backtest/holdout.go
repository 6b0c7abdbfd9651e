package backtest

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

// The holdout comparison: the causal lift of the hand-off.
//
// A rule file's holdout section (rules.Holdout) splits the leads by a hash
// of their id into a treated group and a control group that does not get
// the hand-off (or that a challenger definition judges). Since the split
// is random with respect to everything about the lead, the difference in
// outcomes between the groups is the effect of what the control group
// went without, not of who the leads were.
//
// Two populations are compared, by intent to treat (see HoldoutSource):
// neither depends on what sales did. Among the leads the definition would
// have handed to sales by T1, in both groups (the control leads that would
// have been handed off, against those that were), the difference is the
// effect of the hand-off on the leads it is for. Among all the leads that
// came by T1, the difference is the same effect diluted by the leads the
// hand-off never touches.
//
// Each group's win rate has a 95% Wilson interval; the difference of win
// rates a 95% Newcombe hybrid score interval (Newcombe 1998, method 10:
// from the two Wilson intervals); the ratio a 95% interval on the log scale
// (Katz, with 0.5 added to each count when a group has no or only won
// deals); revenue per lead, and its difference, a 95% Welch interval (t
// with Welch–Satterthwaite degrees of freedom) when each group has
// HoldoutMinWon won deals. The power is the least difference of win rates (and of
// revenue per lead) the sample detects four times in five at the 5% level,
// two-sided: (z₀.₉₇₅ + z₀.₈) × the difference's standard error under the
// pooled win rate.
//
// The verdict ("the hand-off raises the win rate") is withheld when the
// split fails the sample ratio test (SampleRatio), when either group has
// fewer than HoldoutMinLeads leads or HoldoutMinWon won deals, or when the
// interval of the difference includes 0. No interval of width 0 is given:
// where nothing varies there is none, and the report says why.

// HoldoutMinLeads and HoldoutMinWon are the fewest leads and won deals
// each group of a holdout comparison needs for its verdict. Under 5 won
// deals a group's win rate is a handful of events, and its interval spans
// most of what is plausible; under 30 leads the Welch interval of revenue
// per lead leans on a normality the revenue of so few leads does not have.
const (
	HoldoutMinLeads = 30
	HoldoutMinWon   = 5
)

// holdoutZ is the normal quantile of a two-sided 95% interval; holdoutZPower
// that of 80% power.
const (
	holdoutZ      = 1.959963984540054
	holdoutZPower = 0.8416212335729143
)

// Estimate is a figure with its 95% interval; nil parts have nothing to
// rest on.
type Estimate struct {
	Value *float64 `json:"value"`
	Low   *float64 `json:"low"`
	High  *float64 `json:"high"`
}

// Arm is one group of a holdout comparison.
type Arm struct {
	Leads   int     `json:"leads"`
	Won     int     `json:"won"`
	Revenue float64 `json:"revenue"`
	// WinRate is Won / Leads with its Wilson interval; RevenuePerLead the
	// mean revenue with its t interval.
	WinRate        Estimate `json:"win_rate"`
	RevenuePerLead Estimate `json:"revenue_per_lead"`

	sumSq    float64 // the sum of squared revenues, for the variance
	negative bool    // some revenue is below 0
}

// Lift is treated against control.
type Lift struct {
	// WinRate is the difference of win rates, treated − control
	// (Newcombe), WinRateRatio their ratio (Katz), RevenuePerLead the
	// difference of revenue per lead (Welch).
	WinRate        Estimate `json:"win_rate_difference"`
	WinRateRatio   Estimate `json:"win_rate_ratio"`
	RevenuePerLead Estimate `json:"revenue_per_lead_difference"`
	// RevenueWithheld says why the difference of revenue per lead has no
	// interval: a group with under HoldoutMinWon won deals has next to no
	// spread of revenue, and a Welch interval on it is as narrow as it is
	// wrong.
	RevenueWithheld string `json:"revenue_per_lead_withheld,omitempty"`
}

// Power is what the sample can detect: the least true difference found
// at the 5% level (two-sided) four times in five.
type Power struct {
	Alpha float64 `json:"alpha"`
	Power float64 `json:"power"`
	// MinDetectableDifference is in win rate (0.02 is 2 points), at the
	// pooled win rate; MinDetectableRevenuePerLead in revenue per lead.
	MinDetectableDifference     *float64 `json:"min_detectable_difference"`
	MinDetectableRevenuePerLead *float64 `json:"min_detectable_revenue_per_lead"`
	// Withheld says why MinDetectableDifference is nil: at a pooled win
	// rate of 0 or 1 it cannot be computed.
	Withheld string `json:"withheld,omitempty"`
}

// SampleRatio checks the split: the control group's count among the
// compared leads against the holdout's share, by a chi-square test with
// one degree of freedom, or, when either group expects fewer than 5
// leads, by the exact binomial test (two-sided: the chance of a count no
// likelier than the one seen). Under HoldoutMinSampleRatioP the assignment or
// the data is broken (leads lost from one group), and the verdict is
// withheld.
type SampleRatio struct {
	Leads   int     `json:"leads"`
	Control int     `json:"control"`
	Share   float64 `json:"share"` // the expected control share
	P       float64 `json:"p_value"`
}

// SplitCheck words the sample ratio test's outcome: whether the split
// matches the holdout's share, or is off it and withholds the verdict.
func SplitCheck(sr *SampleRatio) string {
	if sr.P < HoldoutMinSampleRatioP {
		return "off the share, verdict withheld"
	}
	return "matches the share"
}

// HoldoutMinSampleRatioP is the p-value of the sample ratio test under
// which a holdout verdict is withheld.
const HoldoutMinSampleRatioP = 0.001

// sampleRatio tests control of n leads against the share.
func sampleRatio(control, n int, share float64) *SampleRatio {
	if n == 0 {
		return nil
	}
	e := share * float64(n)
	if e < 5 || float64(n)-e < 5 {
		return &SampleRatio{Leads: n, Control: control, Share: share, P: binomialTwoSided(control, n, share)}
	}
	d := float64(control) - e
	chi := d*d/e + d*d/(float64(n)-e)
	p := 1 - distuv.ChiSquared{K: 1}.CDF(chi)
	return &SampleRatio{Leads: n, Control: control, Share: share, P: p}
}

// binomialTwoSided is the exact two-sided p-value of k successes in n
// draws at chance p: the sum of the chances of every count no likelier
// than k.
func binomialTwoSided(k, n int, p float64) float64 {
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x) + 1); return v }
	logPmf := func(i int) float64 {
		return lg(n) - lg(i) - lg(n-i) + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p)
	}
	at := logPmf(k)
	tol := 1e-7 * math.Max(1, math.Abs(at))
	sum := 0.0
	for i := 0; i <= n; i++ {
		if l := logPmf(i); l <= at+tol {
			sum += math.Exp(l)
		}
	}
	return math.Min(1, sum)
}

// Comparison is treated against control among one population of leads.
type Comparison struct {
	// Population is "sales_ready" (the leads the definition would have
	// handed to sales by T1, in both groups) or "all" (every lead that
	// came by T1); see HoldoutSource.
	Population string `json:"population"`
	Treated    Arm    `json:"treated"`
	Control    Arm    `json:"control"`
	Lift       Lift   `json:"lift"`
	Power      Power  `json:"power"`
	// SampleRatio tests the split of the compared leads; nil for none.
	SampleRatio *SampleRatio `json:"sample_ratio"`
	// Decision is "raises", "lowers" or "withheld"; Verdict says it in
	// words, WithheldReason why there is none.
	Decision       string `json:"decision"`
	Verdict        string `json:"verdict,omitempty"`
	WithheldReason string `json:"withheld_reason,omitempty"`
}

// DefinitionOnArm is how one definition did on its own group of a
// champion/challenger holdout.
type DefinitionOnArm struct {
	Model string `json:"model"`
	// Arm is "treated" (the champion's) or "control" (the challenger's).
	Arm        string `json:"arm"`
	Leads      int    `json:"leads"`
	Won        int    `json:"won"`
	SalesReady int    `json:"sales_ready"`
	// SalesReadyWon are the won deals among the sales-ready leads.
	SalesReadyWon int      `json:"sales_ready_won"`
	Precision     Estimate `json:"precision"`
	Recall        Estimate `json:"recall"`
	WinRate       Estimate `json:"win_rate"`
}

// HoldoutReport is the holdout experiment's report. Its own fields are
// the comparison among the sales-ready leads (with withhold: handoff; with
// a challenger, among all the leads, since each group has its own
// definition of sales-ready); Overall compares all the leads.
type HoldoutReport struct {
	Share    float64 `json:"share"`
	Seed     string  `json:"seed"`
	Withhold string  `json:"withhold"`
	Comparison
	Overall *Comparison `json:"overall,omitempty"`
	// Challenger, for withhold: {challenger: ...}, sets each definition
	// on its own group side by side.
	Challenger []DefinitionOnArm `json:"challenger,omitempty"`
	// LeftOut counts the leads the model could not replay to T1;
	// ChallengerLeftOut those the challenger could not score. Both are
	// left out of the comparison, whatever their group (the backtest's
	// own report keeps the latter).
	LeftOut           int `json:"left_out"`
	ChallengerLeftOut int `json:"challenger_left_out"`
	// Starts is the experiment's start as the rule file may write it
	// (2026-09-01, or an RFC 3339 time), "" when it has none; BeforeStart,
	// set with it, counts the leads that came by T1 but before the start
	// (created before it, or with no creation time, a first event
	// before it): in neither group, left out of both populations and of
	// the sample ratio test.
	Starts      string `json:"starts,omitempty"`
	BeforeStart *int   `json:"before_start,omitempty"`
}

// HoldoutLead is what the holdout comparison reads of one lead in the
// backtest.
type HoldoutLead struct {
	// Control says the lead is in the control group.
	Control bool
	// SalesReady says the champion (the model) would have handed the lead
	// to sales by T1 (see HoldoutSource); ChallengerSalesReady the
	// challenger, for a champion/challenger holdout.
	SalesReady, ChallengerSalesReady bool
	// Won says the deal was won by T1; WonBeforeHandoff that it was won
	// before the definition would have handed the lead over, so that it
	// is not a won deal among the sales-ready leads.
	Won, WonBeforeHandoff bool
	Revenue               float64 // of the won deal; 0 when not won
}

// Holdout collects the leads of a holdout comparison. Add them in any
// order: the counts do not depend on it, nor do the sums for whole-number
// revenues.
type Holdout struct {
	h                 *rules.Holdout
	model, challenger string
	eligible, all     [2]Arm // [treated, control]
	onArm             [2]DefinitionOnArm
	// leftOut and challengerLeftOut count the leads left out of the
	// comparison (HoldoutReport.LeftOut), beforeStart those that came
	// before the experiment's start.
	leftOut, challengerLeftOut, beforeStart int
}

// NewHoldout starts the holdout comparison of the model's experiment h;
// model and challenger name the two definitions in the report (such as
// their files; challenger is "" with withhold: handoff).
func NewHoldout(h *rules.Holdout, model, challenger string) *Holdout {
	return &Holdout{h: h, model: model, challenger: challenger}
}

// Add files one lead in the backtest.
func (c *Holdout) Add(l HoldoutLead) {
	arm := 0
	if l.Control {
		arm = 1
	}
	rev := 0.0
	if l.Won {
		rev = l.Revenue
	}
	c.all[arm].add(l.Won, rev)
	if l.SalesReady {
		won := l.Won && !l.WonBeforeHandoff
		erev := rev
		if !won {
			erev = 0
		}
		c.eligible[arm].add(won, erev)
	}
	d := &c.onArm[arm]
	d.Leads++
	sr := l.SalesReady
	if l.Control && c.h != nil && c.h.Withhold == dsl.WithholdChallenger {
		sr = l.ChallengerSalesReady
	}
	if l.Won {
		d.Won++
	}
	if sr {
		d.SalesReady++
		if l.Won {
			d.SalesReadyWon++
		}
	}
}

func (a *Arm) add(won bool, revenue float64) {
	a.Leads++
	if won {
		a.Won++
	}
	a.Revenue += revenue
	a.sumSq += revenue * revenue
	a.negative = a.negative || revenue < 0
}

// variance is the sample variance of revenue per lead; ok is false under
// two leads.
func (a *Arm) variance() (float64, bool) {
	n := float64(a.Leads)
	if a.Leads < 2 {
		return 0, false
	}
	mean := a.Revenue / n
	return math.Max(0, (a.sumSq-n*mean*mean)/(n-1)), true
}

// finish sets the arm's estimates.
func (a *Arm) finish() {
	n := float64(a.Leads)
	a.WinRate = Estimate{Value: ratio(float64(a.Won), n)}
	a.WinRate.Low, a.WinRate.High = wilson(float64(a.Won), n)
	a.RevenuePerLead = Estimate{Value: ratio(a.Revenue, n)}
	if v, ok := a.variance(); ok && a.Won >= HoldoutMinWon && v > 0 {
		half := tQuantile(n-1) * math.Sqrt(v/n)
		mean := a.Revenue / n
		low := mean - half
		if !a.negative {
			low = math.Max(0, low) // no revenue is below 0, so neither is their mean
		}
		a.RevenuePerLead.Low, a.RevenuePerLead.High = finite(low), finite(mean+half)
	}
}

// tQuantile is the 97.5% quantile of Student's t with df degrees of freedom.
func tQuantile(df float64) float64 {
	if !(df > 0) || math.IsInf(df, 0) {
		return holdoutZ
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975)
}

// NewcombeDifference is the difference of two proportions k1/n1 − k2/n2
// with its 95% Newcombe hybrid score interval (method 10: from the two
// Wilson intervals); nil parts when either n is 0.
func NewcombeDifference(k1, n1, k2, n2 int) Estimate {
	if n1 == 0 || n2 == 0 {
		return Estimate{}
	}
	p1, p2 := float64(k1)/float64(n1), float64(k2)/float64(n2)
	l1, u1 := wilson(float64(k1), float64(n1))
	l2, u2 := wilson(float64(k2), float64(n2))
	d := p1 - p2
	lo := d - math.Sqrt((p1-*l1)*(p1-*l1)+(*u2-p2)*(*u2-p2))
	hi := d + math.Sqrt((*u1-p1)*(*u1-p1)+(p2-*l2)*(p2-*l2))
	return Estimate{Value: finite(d), Low: finite(lo), High: finite(hi)}
}

// katzRatio is (k1/n1) / (k2/n2) with its 95% interval on the log scale
// (Katz); the value is nil when k2 is 0. When a group has no won deal, or
// only won deals, the interval is from counts with 0.5 added to each cell
// (won and not won of both groups): the plain formula's variance has a
// term of 1/0 then, or a group's term of 0, and the interval would be
// missing or falsely narrow.
func katzRatio(k1, n1, k2, n2 int) Estimate {
	if n1 == 0 || n2 == 0 {
		return Estimate{}
	}
	var e Estimate
	if k2 > 0 {
		e.Value = finite((float64(k1) / float64(n1)) / (float64(k2) / float64(n2)))
	}
	a, m, b, o := float64(k1), float64(n1), float64(k2), float64(n2)
	if k1 == 0 || k2 == 0 || k1 == n1 || k2 == n2 {
		a, m, b, o = a+0.5, m+1, b+0.5, o+1
	}
	r := (a / m) / (b / o)
	se := math.Sqrt(1/a - 1/m + 1/b - 1/o)
	e.Low, e.High = finite(r*math.Exp(-holdoutZ*se)), finite(r*math.Exp(holdoutZ*se))
	return e
}

// welchDifference is the difference of the arms' revenue per lead with
// its 95% Welch interval; why is why it has none.
func welchDifference(t, c *Arm) (e Estimate, why string) {
	if t.Leads == 0 || c.Leads == 0 {
		return Estimate{}, ""
	}
	n1, n2 := float64(t.Leads), float64(c.Leads)
	e = Estimate{Value: finite(t.Revenue/n1 - c.Revenue/n2)}
	var thin []string
	for _, a := range []struct {
		name string
		arm  *Arm
	}{{"the treated group", t}, {"the control group", c}} {
		if a.arm.Won < HoldoutMinWon {
			thin = append(thin, fmt.Sprintf("%s has %s", a.name, plural(a.arm.Won, "won deal")))
		}
	}
	if len(thin) > 0 {
		return e, fmt.Sprintf("no interval: %s, under %d, too few to tell the spread of revenue", strings.Join(thin, " and "), HoldoutMinWon)
	}
	w := welch(t, c)
	if w.Low == nil {
		return e, "no interval: the revenue per lead does not vary in either group"
	}
	return w, ""
}

// welch is the difference of the arms' revenue per lead with its 95%
// Welch interval, none when the revenue does not vary.
func welch(t, c *Arm) Estimate {
	n1, n2 := float64(t.Leads), float64(c.Leads)
	d := t.Revenue/n1 - c.Revenue/n2
	e := Estimate{Value: finite(d)}
	v1, ok1 := t.variance()
	v2, ok2 := c.variance()
	if !ok1 || !ok2 {
		return e
	}
	a, b := v1/n1, v2/n2
	se := math.Sqrt(a + b)
	if se == 0 {
		return e // no spread: an interval of width 0 would claim certainty
	}
	df := (a + b) * (a + b) / (a*a/(n1-1) + b*b/(n2-1))
	half := tQuantile(df) * se
	e.Low, e.High = finite(d-half), finite(d+half)
	return e
}

// compare sets the lift, the power and the verdict of treated against control.
func compare(population string, t, c Arm, share float64) Comparison {
	t.finish()
	c.finish()
	cmp := Comparison{Population: population, Treated: t, Control: c,
		Lift:        Lift{WinRate: NewcombeDifference(t.Won, t.Leads, c.Won, c.Leads), WinRateRatio: katzRatio(t.Won, t.Leads, c.Won, c.Leads)},
		Power:       Power{Alpha: 0.05, Power: 0.8},
		SampleRatio: sampleRatio(c.Leads, t.Leads+c.Leads, share)}
	cmp.Lift.RevenuePerLead, cmp.Lift.RevenueWithheld = welchDifference(&t, &c)
	if t.Leads > 0 && c.Leads > 0 {
		n1, n2 := float64(t.Leads), float64(c.Leads)
		p := float64(t.Won+c.Won) / (n1 + n2)
		switch {
		case t.Won+c.Won == 0:
			cmp.Power.Withheld = "cannot be computed: no won deals in either group"
		case t.Won+c.Won == t.Leads+c.Leads:
			cmp.Power.Withheld = "cannot be computed: every lead won"
		default:
			cmp.Power.MinDetectableDifference = finite((holdoutZ + holdoutZPower) * math.Sqrt(p*(1-p)*(1/n1+1/n2)))
		}
		v1, _ := t.variance()
		v2, _ := c.variance()
		if cmp.Lift.RevenueWithheld == "" && cmp.Lift.RevenuePerLead.Low != nil {
			cmp.Power.MinDetectableRevenuePerLead = finite((holdoutZ + holdoutZPower) * math.Sqrt(v1/n1+v2/n2))
		}
	}
	cmp.Decision = "withheld"
	d := cmp.Lift.WinRate
	var thin []string
	for _, a := range []struct {
		name string
		arm  Arm
	}{{"the treated group", t}, {"the control group", c}} {
		if a.arm.Leads < HoldoutMinLeads {
			thin = append(thin, fmt.Sprintf("%s has %s, under %d", a.name, plural(a.arm.Leads, "lead"), HoldoutMinLeads))
		} else if a.arm.Won < HoldoutMinWon {
			thin = append(thin, fmt.Sprintf("%s has %s, under %d", a.name, plural(a.arm.Won, "won deal"), HoldoutMinWon))
		}
	}
	switch sr := cmp.SampleRatio; {
	case sr != nil && sr.P < HoldoutMinSampleRatioP:
		cmp.WithheldReason = fmt.Sprintf("the control group holds %s of the leads compared where the holdout's share is %s: a split this far off happens by chance less than once in a thousand (%s), "+
			"so leads were lost or added on one side (check the share and seed match the experiment that ran, and that no group's leads are missing from the data)",
			pctOf(sr.Control, sr.Leads), shareText(sr.Share), srP(sr.P))
	case len(thin) > 0:
		cmp.WithheldReason = strings.Join(thin, "; ") + ": too few to compare win rates"
	case d.Low == nil || d.High == nil:
		cmp.WithheldReason = "the difference of win rates has no interval"
	case *d.Low <= 0 && *d.High >= 0:
		detect := "it detects " + mdePoints(cmp.Power.MinDetectableDifference) + " or more four times in five"
		switch {
		case cmp.Power.MinDetectableDifference == nil:
			detect = "its detectable difference " + cmp.Power.Withheld
		case *cmp.Power.MinDetectableDifference > 1:
			detect = "it " + mdePoints(cmp.Power.MinDetectableDifference)
		}
		cmp.WithheldReason = fmt.Sprintf("the 95%% interval of the difference, %s to %s, includes 0: the sample cannot tell the effect from chance (%s)",
			points(*d.Low), points(*d.High), detect)
	case *d.Low > 0:
		cmp.Decision = "raises"
	default:
		cmp.Decision = "lowers"
	}
	return cmp
}

// points writes a difference of rates in percentage points: "+2.1 points".
func points(v float64) string { return PointsDiff(v) }

// PointsDiff writes a difference of rates in percentage points with its
// sign, to one decimal: +3.1 points; a difference that rounds to zero
// is 0.0 points, with no sign (never -0.0).
func PointsDiff(v float64) string {
	s := fmt.Sprintf("%+.1f", 100*v)
	if s == "+0.0" || s == "-0.0" {
		s = "0.0"
	}
	return s + " points"
}

func mdePoints(v *float64) string {
	switch {
	case v == nil:
		return "—"
	case *v > 1:
		return "cannot detect any difference with these groups"
	}
	return fmt.Sprintf("%.1f points", 100**v)
}

// Report computes the holdout report.
func (c *Holdout) Report() *HoldoutReport {
	r := &HoldoutReport{Share: c.h.Share, Seed: c.h.Seed, Withhold: c.h.Withhold, LeftOut: c.leftOut, ChallengerLeftOut: c.challengerLeftOut}
	if !c.h.Starts.IsZero() {
		n := c.beforeStart
		r.Starts, r.BeforeStart = c.h.StartsText(), &n
	}
	what := "the hand-off"
	if c.h.Withhold == dsl.WithholdChallenger {
		what = "the champion " + c.model + " (against the challenger " + c.challenger + ")"
		r.Comparison = compare("all", c.all[0], c.all[1], c.h.Share)
		for i, arm := range []string{"treated", "control"} {
			d := c.onArm[i]
			d.Arm, d.Model = arm, c.model
			if i == 1 {
				d.Model = c.challenger
			}
			d.Precision = Estimate{Value: ratio(float64(d.SalesReadyWon), float64(d.SalesReady))}
			d.Precision.Low, d.Precision.High = wilson(float64(d.SalesReadyWon), float64(d.SalesReady))
			d.Recall = Estimate{Value: ratio(float64(d.SalesReadyWon), float64(d.Won))}
			d.Recall.Low, d.Recall.High = wilson(float64(d.SalesReadyWon), float64(d.Won))
			d.WinRate = Estimate{Value: ratio(float64(d.Won), float64(d.Leads))}
			d.WinRate.Low, d.WinRate.High = wilson(float64(d.Won), float64(d.Leads))
			r.Challenger = append(r.Challenger, d)
		}
	} else {
		r.Comparison = compare("sales_ready", c.eligible[0], c.eligible[1], c.h.Share)
		o := compare("all", c.all[0], c.all[1], c.h.Share)
		o.verdictIn(what, "of all the leads")
		r.Overall = &o
	}
	among := "of the sales-ready leads"
	if r.Population == "all" {
		among = "of all the leads"
	}
	r.verdictIn(what, among)
	return r
}

// verdictIn words the decision.
func (c *Comparison) verdictIn(what, among string) {
	d := c.Lift.WinRate
	if c.Decision == "withheld" {
		return
	}
	verb := "raises"
	if c.Decision == "lowers" {
		verb = "lowers"
	}
	c.Verdict = fmt.Sprintf("%s %s the win rate %s by %s (95%%: %s to %s): %s against %s, on %s and %s",
		upperFirst(what), verb, among, mdePoints(absOf(d.Value)), points(*d.Low), points(*d.High),
		pctOf(c.Treated.Won, c.Treated.Leads), pctOf(c.Control.Won, c.Control.Leads),
		plural(c.Treated.Leads, "treated lead"), plural(c.Control.Leads, "control lead"))
}

func absOf(v *float64) *float64 {
	if v == nil {
		return nil
	}
	a := math.Abs(*v)
	return &a
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// SetHoldout adds the holdout comparison to the report; its verdicts, or
// why they are withheld, open the report.
func (r *Report) SetHoldout(h *HoldoutReport) {
	r.Holdout = h
}

func populationWords(p string) string {
	if p == "sales_ready" {
		return "the sales-ready leads"
	}
	return "all the leads"
}

// summary is the report's opening line on the holdout; none without it.
func (h *HoldoutReport) summary() []string {
	if h == nil {
		return nil
	}
	head := fmt.Sprintf("Holdout (share %s, seed %s, withhold %s)", shareText(h.Share), h.Seed, h.Withhold)
	line := func(c *Comparison) string {
		if c.Decision == "withheld" {
			return fmt.Sprintf("%s, %s: verdict withheld: %s.", head, populationWords(c.Population), c.WithheldReason)
		}
		return fmt.Sprintf("%s: %s.", head, c.Verdict)
	}
	out := []string{line(&h.Comparison)}
	if h.Overall != nil {
		out = append(out, line(h.Overall))
	}
	if h.LeftOut > 0 || h.ChallengerLeftOut > 0 {
		out = append(out, fmt.Sprintf("%s: left out of the comparison, whatever their group: %s the model could not replay to T1, %s the challenger could not score; the rest of the report keeps them.",
			head, plural(h.LeftOut, "lead"), plural(h.ChallengerLeftOut, "lead")))
	}
	if s := h.beforeStartText(); s != "" {
		out = append(out, head+": "+s)
	}
	return out
}

// beforeStartText says how many leads came before the experiment's
// start; "" for an experiment with no start.
func (h *HoldoutReport) beforeStartText() string {
	if h.BeforeStart == nil {
		return ""
	}
	n := *h.BeforeStart
	return fmt.Sprintf("%s created before the experiment started (%s) %s in neither group, left out of both comparisons and the split's test; the rest of the report keeps them.",
		plural(n, "lead"), h.Starts, map[bool]string{true: "is", false: "are"}[n == 1])
}

// tables are the holdout's tables; none without it.
func (h *HoldoutReport) tables() []table {
	if h == nil {
		return nil
	}
	intro := fmt.Sprintf("Leads are assigned by a hash of their id and the seed (rules.Holdout), %s of them to the control group, "+
		"which the definition does not hand to sales. Treated against control, intent to treat: among the leads the definition would have handed to sales by T1 "+
		"(its first sales-ready moment with sales' dispositions left out), in both groups, won at or after that moment by T1; and among all the leads that came by T1, won by T1. "+
		"No lead is left out for an opportunity or a decision by T0: the hand-off may have caused it. Intervals are 95%%: win rates Wilson, their difference Newcombe, their ratio Katz (log scale), "+
		"revenue per lead Welch. A verdict needs %d leads and %d won deals in each group, a split that matches the share (sample ratio test, p ≥ 0.001), and an interval of the difference that excludes 0. "+
		"The minimum detectable difference is the least true difference the sample finds four times in five at the 5%% level.",
		shareText(h.Share), HoldoutMinLeads, HoldoutMinWon)
	if h.Withhold == dsl.WithholdChallenger {
		intro = fmt.Sprintf("Leads are assigned by a hash of their id and the seed (rules.Holdout), %s of them to the control group, which the challenger definition judges; "+
			"the rest the champion (the model). Treated (champion) against control (challenger), among all the leads that came by T1, won by T1; intervals and the verdict's minimums as for a hand-off holdout.",
			shareText(h.Share))
	}
	t := table{title: "Holdout", intro: intro,
		headers: []string{"among", "group", "leads", "won", "win rate", "95% interval", "revenue per lead", "95% interval"}}
	cmps := []*Comparison{&h.Comparison}
	if h.Overall != nil {
		cmps = append(cmps, h.Overall)
	}
	for _, c := range cmps {
		for _, a := range []struct {
			name string
			arm  Arm
		}{{"treated", c.Treated}, {"control", c.Control}} {
			t.rows = append(t.rows, []string{populationWords(c.Population), a.name, itoa(a.arm.Leads), itoa(a.arm.Won), pct(a.arm.WinRate.Value), estInterval(a.arm.WinRate, pct),
				moneyOf(a.arm.RevenuePerLead.Value), estInterval(a.arm.RevenuePerLead, moneyOf)})
		}
	}
	l := table{title: "Holdout lift", intro: "Treated minus control (the ratio: treated over control); the least differences the sample detects at 80% power (5% level, two-sided); a verdict, or why it is withheld.",
		headers: []string{"among", "win rate difference", "95% interval", "ratio", "95% interval", "revenue per lead difference", "95% interval", "detectable difference", "detectable revenue per lead", "verdict"}}
	for _, c := range cmps {
		verdict := c.Decision
		if c.Decision == "withheld" {
			verdict = "withheld: " + c.WithheldReason
		}
		l.rows = append(l.rows, []string{populationWords(c.Population), pointsOf(c.Lift.WinRate.Value), estInterval(c.Lift.WinRate, pointsOf),
			f2(c.Lift.WinRateRatio.Value), estInterval(c.Lift.WinRateRatio, f2), moneyOf(c.Lift.RevenuePerLead.Value), orWhy(estInterval(c.Lift.RevenuePerLead, moneyOf), c.Lift.RevenueWithheld),
			orWhy(mdePoints(c.Power.MinDetectableDifference), c.Power.Withheld), moneyOf(c.Power.MinDetectableRevenuePerLead), verdict})
	}
	if s := h.beforeStartText(); s != "" {
		t.intro += " " + upperFirst(s)
	}
	if h.LeftOut > 0 || h.ChallengerLeftOut > 0 {
		l.intro += fmt.Sprintf(" Left out of the comparison, whatever their group: %s the model could not replay to T1, %s the challenger could not score (the backtest's other tables keep them).",
			plural(h.LeftOut, "lead"), plural(h.ChallengerLeftOut, "lead"))
	}
	sp := table{title: "Holdout split", intro: "The sample ratio test of each comparison: the control group's count among the leads compared against the holdout's share (chi-square, or the exact binomial test when a group expects fewer than 5 leads). Under p = 0.001 the split is off the share and the verdict is withheld.",
		headers: []string{"among", "leads", "control", "control share", "holdout share", "sample ratio test"}}
	for _, c := range cmps {
		if sr := c.SampleRatio; sr != nil {
			sp.rows = append(sp.rows, []string{populationWords(c.Population), itoa(sr.Leads), itoa(sr.Control), pct(ratio(float64(sr.Control), float64(sr.Leads))), shareText(sr.Share), srP(sr.P) + ": " + SplitCheck(sr)})
		}
	}
	ts := []table{t, sp, l}
	if len(h.Challenger) > 0 {
		ch := table{title: "Champion and challenger", intro: "Each definition on its own group: the leads it would have handed to sales by T1 (sales' dispositions left out) and how many of them won by T1. Precision, recall and win rate with 95% Wilson intervals.",
			headers: []string{"definition", "group", "leads", "won", "sales-ready", "won", "precision", "95% interval", "recall", "95% interval"}}
		for _, d := range h.Challenger {
			ch.rows = append(ch.rows, []string{d.Model, d.Arm, itoa(d.Leads), itoa(d.Won), itoa(d.SalesReady), itoa(d.SalesReadyWon),
				pct(d.Precision.Value), estInterval(d.Precision, pct), pct(d.Recall.Value), estInterval(d.Recall, pct)})
		}
		ts = append(ts, ch)
	}
	return ts
}

func pointsOf(v *float64) string {
	if v == nil {
		return "—"
	}
	return points(*v)
}

// moneyOf writes an amount with cents and thousands: 1,455.70, -0.50;
// an amount that rounds to 0.00 is 0.00 whatever its sign.
func moneyOf(v *float64) string {
	if v == nil {
		return "—"
	}
	s := strconv.FormatFloat(*v, 'f', 2, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if neg && strings.Trim(s, "0.") != "" {
		whole = "-" + whole
	}
	return whole + "." + frac
}

// shareText writes a share as a percentage with as many digits as it
// has (up to 10 significant ones): 10%, 12.5%, 0.0000001%.
func shareText(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(100*v, 'g', 10, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64) + "%"
}

// estInterval writes an estimate's interval "a to b", or "—".
func estInterval(e Estimate, f func(*float64) string) string {
	if e.Low == nil || e.High == nil {
		return "—"
	}
	return f(e.Low) + " to " + f(e.High)
}

// srP writes the sample ratio test's p-value: "p = 0.0003", "p < 0.0001".
func srP(p float64) string {
	if p < 0.0001 {
		return "p < 0.0001"
	}
	return "p = " + strconv.FormatFloat(p, 'f', 4, 64)
}

// orWhy is s, or why when s is "—" and there is a reason.
func orWhy(s, why string) string {
	if s == "—" && why != "" {
		return why
	}
	return s
}
