package backtest

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/internal/stats"
	"github.com/leadscore/leadscore/scoring"
)

// refRec is a reference lead's total and the rules that fired on it.
type refRec struct {
	id    string
	total float64
	fired []bool // per scoring rule, then per gate
}

// Drift compares the leads of the backtest that existed at At with a
// reference set of leads (such as last quarter's), for the score's total
// and for each rule's firing rate, and says for each whether it shifted.
//
// The population stability index (PSI) is kept, with its customary bands
// (under 0.10 stable, 0.10 to 0.25 a moderate shift, over 0.25 a major
// one), but it is not what decides: for a yes/no signal with rates p (now)
// and r (reference), PSI ≈ (p − r)·ln(p/r) + (r − p)·ln((1−p)/(1−r)),
// whose first factor is tiny when both rates are small, so a demo-request
// rate falling from 1.9% to 0.7% (to a third) reads 0.012, "stable". And
// PSI has no notion of how many leads it rests on. So each rule's rate is
// compared as a ratio, with a test (see RuleDrift), and the total's whole
// distribution with the two-sample Kolmogorov–Smirnov test (see
// TotalShift).
//
// A rule is shifted when both hold:
//
//   - the change is unlikely to be chance: q < 0.05, where q is the
//     rule's p-value (Fisher's exact test when an expected count of the
//     2×2 table is under 5, Cochran's rule; the pooled two-proportion z
//     test otherwise) adjusted by Benjamini–Hochberg across the rules
//     tested, so that on average no more than 1 in 20 of the rules
//     flagged is a fluke, however many rules the model has (when no rule
//     changed, the chance of any flag at all is held to 5%);
//   - the change is large enough to matter: the rate ratio (now over the
//     reference) is under 0.8 or over 1.25. The band is symmetric on the
//     ratio's log scale (0.8 = 1/1.25), so a fall and a rise of the same
//     relative size are judged alike, and it is the customary band of
//     practical sameness for ratios (the 80–125% of bioequivalence, the
//     four-fifths rule): a rule firing on a fifth fewer leads or a quarter
//     more moves the points it hands out, and so the sales-ready flow, by
//     as much. Without it, thousands of leads would make a 5% wobble of a
//     common rule "significant" and bury the shifts that matter.
//
// A verdict is withheld ("too few to tell") when a rule is not shifted
// but its leads cannot rule out that its rate halved or doubled: the rate
// ratio's 95% interval reaches 0.5 or 2. "No clear change" would then
// reassure without grounds.
type Drift struct {
	ReferenceAt time.Time  `json:"reference_at"`
	Leads       int        `json:"leads"`           // the backtest's leads that existed at At
	Reference   int        `json:"reference_leads"` // reference leads scored
	Total       *float64   `json:"total_psi"`       // over the deciles of the reference's totals
	TotalBand   string     `json:"total_band"`
	TotalShift  TotalShift `json:"total_shift"`
	// Rules are the scoring rules and the gates, the shifted first, then
	// by q (smallest first), then by PSI.
	Rules []RuleDrift `json:"rules"`
}

// TotalShift compares the distribution of the total in the two sets with
// the two-sample Kolmogorov–Smirnov test: for every total x, the share of
// the leads scoring x or less, now and in the reference; KS is the largest
// gap between the two shares, At where it is. Its p-value is the
// asymptotic one (the Kolmogorov distribution, with Stephens' correction
// for small sets); totals are points and tie often, which makes it
// conservative (too large, never too small). It sees a shift anywhere in
// the distribution, not only of the mean.
//
// Shifted when p < 0.05 and KS ≥ 0.10: a tenth of the leads, a decile's
// worth (the unit PSI bins by), on the other side of some total than in
// the reference; at a threshold such as sales-ready, a tenth of the flow.
// No p under 10 leads in either set; "too few to tell" when not shifted
// and a gap of 0.10 would not have been significant with this many leads.
type TotalShift struct {
	Mean          *float64 `json:"mean"`           // the backtest's leads' mean total
	ReferenceMean *float64 `json:"reference_mean"` // the reference's
	KS            *float64 `json:"ks"`
	At            *float64 `json:"ks_at"`
	// Share and ReferenceShare are the shares of each set scoring At or less.
	Share          *float64 `json:"share_at_or_below"`
	ReferenceShare *float64 `json:"reference_share_at_or_below"`
	P              *float64 `json:"p"`
	Shifted        bool     `json:"shifted"`
	// Direction is "lower" (more leads at or below At than in the
	// reference) or "higher", when shifted.
	Direction string `json:"direction"`
	// Verdict in words: "shifted lower", "shifted higher", "shifted a
	// little lower" or "… higher" (p < 0.05 but a gap under 0.10), "no
	// clear shift", "too few to tell", "too few leads to test".
	Verdict string `json:"verdict"`
}

// RuleDrift is the shift of one rule's firing rate: it fired on Fired of
// Leads now and on ReferenceFired of ReferenceLeads in the reference.
type RuleDrift struct {
	ID             string   `json:"id"`
	Fired          int      `json:"fired"`
	Leads          int      `json:"leads"`
	ReferenceFired int      `json:"reference_fired"`
	ReferenceLeads int      `json:"reference_leads"`
	Rate           *float64 `json:"rate"`           // Fired / Leads
	Reference      *float64 `json:"reference_rate"` // ReferenceFired / ReferenceLeads
	// Ratio is Rate / Reference (0.5: it fires half as often as in the
	// reference), with its 95% interval (Katz, on the log scale); half a
	// lead is added to each count when one is zero, so that it stays finite.
	Ratio         *float64  `json:"ratio"`
	RatioInterval *Interval `json:"ratio_interval"`
	// Test is "fisher" (Fisher's exact test, when an expected count is
	// under 5) or "z" (pooled two-proportion z test); P its two-sided
	// p-value, Q the same adjusted across the rules (Benjamini–Hochberg).
	// None of them when the rule never fired, or fired on every lead, in
	// both sets.
	Test    string   `json:"test"`
	P       *float64 `json:"p"`
	Q       *float64 `json:"q"`
	Shifted bool     `json:"shifted"` // Q < 0.05 and Ratio outside 0.8 to 1.25
	// Direction is "rose" or "fell" when shifted, else "".
	Direction string `json:"direction"`
	// Verdict in words: "rose", "fell", "rose a little" or "fell a
	// little" (Q < 0.05, Ratio inside the band), "no clear change", "too
	// few to tell", "never fired", "fired on every lead", "no leads to
	// compare".
	Verdict string   `json:"verdict"`
	PSI     *float64 `json:"psi"`
	Band    string   `json:"band"`
}

// The thresholds of a shift (see Drift and TotalShift).
const (
	driftFDR      = 0.05 // q below it: unlikely to be chance
	driftFell     = 0.8  // a rate ratio below it: fell
	driftRose     = 1.25 // above it: rose
	driftThinLow  = 0.5  // an interval reaching down to this ...
	driftThinHigh = 2.0  // ... or up to this: too few to tell
	driftKSGap    = 0.10 // the total's practical gap
	driftKSLeads  = 10   // fewest leads in each set for the total's test
)

// AddReference scores one lead of the reference set as of at (the same at
// for every reference lead). Leads created after at are left out.
func (b *Backtest) AddReference(ctx context.Context, lead scoring.Lead, at time.Time) error {
	if b.refIDs == nil {
		b.refIDs, b.refAt = map[string]bool{}, at
	}
	if lead.ID != "" {
		if b.refIDs[lead.ID] {
			return fmt.Errorf("lead %s appears twice in the reference leads; give each lead one row", lead.ID)
		}
		b.refIDs[lead.ID] = true
	}
	c, err := createdAt(lead, b.opts.CreatedField)
	if err != nil {
		return err
	}
	if !c.IsZero() && c.After(at) {
		return nil
	}
	res, err := b.scorer.ScoreContext(ctx, lead, at)
	if err != nil {
		return err
	}
	m := b.model
	rec := refRec{id: lead.ID, total: res.Total, fired: make([]bool, len(m.Rules)+len(m.Gates))}
	for _, f := range res.Fired {
		if r := m.Rule(f.Rule); r != nil {
			rec.fired[r.Index] = true
		}
	}
	for _, g := range res.Gates {
		if r := m.Rule(g.Rule); r != nil {
			rec.fired[len(m.Rules)+r.Index] = true
		}
	}
	b.ref = append(b.ref, rec)
	return nil
}

// psiBand words a PSI by the customary bands.
func psiBand(v *float64) string {
	switch {
	case v == nil:
		return "—"
	case *v < 0.10:
		return "stable"
	case *v <= 0.25:
		return "moderate shift"
	}
	return "major shift"
}

// drift compares the leads that existed at At with the reference.
func (b *Backtest) drift(existing []*leadRec) *Drift {
	if b.refIDs == nil {
		return nil
	}
	m := b.model
	ref := append([]refRec(nil), b.ref...)
	sort.Slice(ref, func(i, j int) bool { return ref[i].id < ref[j].id })
	d := &Drift{ReferenceAt: b.refAt, Leads: len(existing), Reference: len(ref)}
	// Decile cut points of the reference: the lowest total of each decile.
	rt := make([]float64, len(ref))
	for i, r := range ref {
		rt[i] = r.total
	}
	dec := deciles(rt)
	cuts := make([]*float64, 10)
	for i, t := range rt {
		if c := cuts[dec[i]]; c == nil || t < *c {
			v := t
			cuts[dec[i]] = &v
		}
	}
	bin := func(t float64) int {
		last := 0
		for k, c := range cuts {
			if c == nil {
				continue
			}
			last = k
			if t >= *c {
				return k
			}
		}
		return last
	}
	actual, expected := make([]float64, 10), make([]float64, 10)
	for _, t := range rt {
		expected[bin(t)]++
	}
	at := make([]float64, len(existing))
	for i, l := range existing {
		actual[bin(l.total)]++
		at[i] = l.total
	}
	var a, e []float64
	for k := range cuts {
		if cuts[k] != nil {
			a, e = append(a, actual[k]), append(e, expected[k])
		}
	}
	d.Total = psi(a, e)
	d.TotalBand = psiBand(d.Total)
	d.TotalShift = totalShift(at, rt)
	ids := make([]string, 0, len(m.Rules)+len(m.Gates))
	for _, r := range m.Rules {
		ids = append(ids, r.ID)
	}
	for _, r := range m.Gates {
		ids = append(ids, r.ID)
	}
	for col, id := range ids {
		var fa, fe int
		for _, l := range existing {
			if b.units(l)[col] != 0 {
				fa++
			}
		}
		for _, r := range ref {
			if r.fired[col] {
				fe++
			}
		}
		d.Rules = append(d.Rules, compareRate(id, fa, len(existing), fe, len(ref)))
	}
	judgeRules(d.Rules)
	return d
}

// compareRate compares a rule's firing rate, k1 of n1 now against k2 of
// n2 in the reference: rates, PSI, rate ratio with its interval, and the
// test's p. The verdict waits for judgeRules, which needs every rule's p.
func compareRate(id string, k1, n1, k2, n2 int) RuleDrift {
	r := RuleDrift{ID: id, Fired: k1, Leads: n1, ReferenceFired: k2, ReferenceLeads: n2}
	fa, na, fe, ne := float64(k1), float64(n1), float64(k2), float64(n2)
	r.Rate, r.Reference = ratio(fa, na), ratio(fe, ne)
	r.PSI = psi([]float64{fa, na - fa}, []float64{fe, ne - fe})
	r.Band = psiBand(r.PSI)
	switch {
	case n1 == 0 || n2 == 0:
		r.Verdict = "no leads to compare"
		return r
	case k1+k2 == 0:
		r.Verdict = "never fired"
		return r
	case k1 == n1 && k2 == n2:
		r.Verdict = "fired on every lead"
		return r
	}
	rr, lo, hi, p, _ := stats.TwoProportions(fa, na, fe, ne)
	r.Ratio, r.RatioInterval = finite(rr), &Interval{Low: lo, High: hi}
	// Cochran's rule: the z test's normal approximation needs every
	// expected count of the 2×2 table to be 5 or more.
	k, n := fa+fe, na+ne
	if min(na, ne)*min(k, n-k)/n < 5 {
		r.Test = "fisher"
		p = stats.FisherExact(k1, n1-k1, k2, n2-k2).TwoSided
	} else {
		r.Test = "z"
	}
	r.P = finite(p)
	return r
}

// judgeRules adjusts the rules' p-values across the rules tested
// (Benjamini–Hochberg), words each rule's verdict, and sorts them: the
// shifted first, then by q, then by PSI.
func judgeRules(rs []RuleDrift) {
	var ps []float64
	var at []int
	for i, r := range rs {
		if r.P != nil {
			ps, at = append(ps, *r.P), append(at, i)
		}
	}
	for j, q := range stats.BH(ps) {
		rs[at[j]].Q = finite(q)
	}
	for i := range rs {
		r := &rs[i]
		if r.Q == nil || r.Ratio == nil {
			continue
		}
		dir := "rose"
		if *r.Ratio < 1 {
			dir = "fell"
		}
		switch {
		case *r.Q < driftFDR && (*r.Ratio < driftFell || *r.Ratio > driftRose):
			r.Shifted, r.Direction, r.Verdict = true, dir, dir
		case *r.Q < driftFDR && *r.Ratio != 1:
			r.Verdict = dir + " a little"
		case r.RatioInterval.Low <= driftThinLow || r.RatioInterval.High >= driftThinHigh:
			r.Verdict = "too few to tell"
		default:
			r.Verdict = "no clear change"
		}
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Shifted != b.Shifted {
			return a.Shifted
		}
		if (a.Q == nil) != (b.Q == nil) {
			return b.Q == nil
		}
		if a.Q != nil && *a.Q != *b.Q {
			return *a.Q < *b.Q
		}
		if (a.PSI == nil) != (b.PSI == nil) {
			return b.PSI == nil
		}
		return a.PSI != nil && *a.PSI > *b.PSI
	})
}

// totalShift compares the totals now (a) with the reference's (r): see
// TotalShift.
func totalShift(a, r []float64) TotalShift {
	var t TotalShift
	t.Mean, t.ReferenceMean = driftMean(a), driftMean(r)
	if len(a) == 0 || len(r) == 0 {
		t.Verdict = "too few leads to test"
		return t
	}
	a, r = driftSorted(a), driftSorted(r)
	// The shares at or below each total, at every total of either set.
	na, nr := float64(len(a)), float64(len(r))
	var gap, at, sa, sr float64
	for i, j := 0, 0; i < len(a) || j < len(r); {
		x := math.Inf(1)
		if i < len(a) {
			x = a[i]
		}
		if j < len(r) && r[j] < x {
			x = r[j]
		}
		for i < len(a) && a[i] == x {
			i++
		}
		for j < len(r) && r[j] == x {
			j++
		}
		if g := float64(i)/na - float64(j)/nr; math.Abs(g) > math.Abs(gap) {
			gap, at, sa, sr = g, x, float64(i)/na, float64(j)/nr
		}
	}
	if gap == 0 {
		// The same distribution: the gap is 0 everywhere; say so at the
		// lowest total.
		at, sa, sr = a[0], float64(driftAtOrBelow(a, a[0]))/na, float64(driftAtOrBelow(r, a[0]))/nr
	}
	t.KS, t.At, t.Share, t.ReferenceShare = finite(math.Abs(gap)), finite(at), finite(sa), finite(sr)
	if len(a) < driftKSLeads || len(r) < driftKSLeads {
		t.Verdict = "too few leads to test"
		return t
	}
	p := ksP(math.Abs(gap), len(a), len(r))
	t.P = finite(p)
	dir := "higher"
	if gap > 0 {
		dir = "lower" // more leads at or below the total than in the reference
	}
	switch {
	case p < driftFDR && math.Abs(gap) >= driftKSGap:
		t.Shifted, t.Direction, t.Verdict = true, dir, "shifted "+dir
	case p < driftFDR:
		t.Verdict = "shifted a little " + dir
	case ksP(driftKSGap, len(a), len(r)) >= driftFDR:
		t.Verdict = "too few to tell"
	default:
		t.Verdict = "no clear shift"
	}
	return t
}

// ksP is the asymptotic p-value of a two-sample Kolmogorov–Smirnov gap d
// between sets of n and m: Q(λ) = P(K > λ) of the Kolmogorov distribution
// at λ = (√ne + 0.12 + 0.11/√ne)·d, ne = nm/(n+m) (Stephens' correction,
// as in Numerical Recipes' probks). Q is summed as 2 Σ (−1)^(j−1)
// exp(−2j²λ²) for λ ≥ 1.18, and as 1 − (√(2π)/λ) Σ exp(−(2j−1)²π²/(8λ²))
// below, where that series converges fast and the other slowly.
func ksP(d float64, n, m int) float64 {
	ne := float64(n) * float64(m) / float64(n+m)
	s := math.Sqrt(ne)
	return kolmogorovQ((s + 0.12 + 0.11/s) * d)
}

// kolmogorovQ is P(K > x) for the Kolmogorov distribution.
func kolmogorovQ(x float64) float64 {
	if x <= 0 {
		return 1
	}
	if x < 1.18 {
		sum := 0.0
		for j := 1; j <= 20; j++ {
			k := float64(2*j - 1)
			sum += math.Exp(-k * k * math.Pi * math.Pi / (8 * x * x))
		}
		return math.Min(1, math.Max(0, 1-math.Sqrt(2*math.Pi)/x*sum))
	}
	sum, sign := 0.0, 1.0
	for j := 1; j <= 100; j++ {
		term := math.Exp(-2 * float64(j*j) * x * x)
		sum += sign * term
		if term < 1e-17 {
			break
		}
		sign = -sign
	}
	return math.Min(1, math.Max(0, 2*sum))
}

func driftMean(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return finite(s / float64(len(xs)))
}

func driftSorted(xs []float64) []float64 {
	out := append([]float64(nil), xs...)
	sort.Float64s(out)
	return out
}

// driftAtOrBelow is how many of the sorted xs are at most x.
func driftAtOrBelow(xs []float64, x float64) int {
	return sort.Search(len(xs), func(i int) bool { return xs[i] > x })
}

// words is the total's comparison in a sentence, for the reports.
func (t TotalShift) words() string {
	if t.KS == nil {
		return "the totals cannot be compared: " + t.Verdict
	}
	s := fmt.Sprintf("mean total %s against %s in the reference; the largest gap between the two is at a total of %s or less: %s of the leads against %s of the reference",
		optNum(t.Mean), optNum(t.ReferenceMean), num(*t.At), pct(t.Share), pct(t.ReferenceShare))
	if t.P == nil {
		return s + "; " + t.Verdict + " (the test needs 10 leads in each set)"
	}
	return s + fmt.Sprintf(" (Kolmogorov–Smirnov test: gap %s, p %s): %s", f3(t.KS), pValue(t.P), t.Verdict)
}

// pValue writes a p- or q-value: three decimals, "< 0.001" below.
func pValue(v *float64) string {
	if v == nil {
		return "—"
	}
	if *v < 0.001 {
		return "< 0.001"
	}
	return numfmt.Float(*v, 'f', 3)
}

// kOfN writes "21 of 3000 (0.7%)".
func kOfN(k, n int, rate *float64) string {
	return fmt.Sprintf("%d of %d (%s)", k, n, pct(rate))
}

// ratioWords writes the rate ratio with its interval: "0.37 (0.22 to 0.61)".
func (r RuleDrift) ratioWords() string {
	if r.Ratio == nil {
		return "—"
	}
	return fmt.Sprintf("%s (%s to %s)", f2(r.Ratio), f2(&r.RatioInterval.Low), f2(&r.RatioInterval.High))
}
