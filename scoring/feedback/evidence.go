package feedback

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/leadscore/leadscore/internal/stats"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Label is sales' verdict on a lead as a label for a backtest or a report:
// its status, its reason, and when. The zero Label is "no verdict".
type Label struct {
	Status scoring.Status `json:"status,omitempty"`
	Reason string         `json:"reason,omitempty"`
	At     time.Time      `json:"at"`
}

// String says the label as "accepted", "rejected:no_budget",
// "recycled:bad_timing", or "" for no verdict.
func (l Label) String() string {
	if l.Status == "" {
		return ""
	}
	return scoring.Disposition{Status: l.Status, Reason: l.Reason}.String()
}

// Accepted reports whether sales accepted the lead: the label a backtest
// puts beside won.
func (l Label) Accepted() bool { return l.Status == scoring.Accepted }

// LabelIn returns the first of a lead's dispositions with a time in
// (from, to], as a label: the verdict a backtest that scores the lead as
// of from, and watches it until to, gives it. With no such disposition it
// returns the zero Label. Dispositions at the same time count in their
// given order.
func LabelIn(ds []scoring.Disposition, from, to time.Time) Label {
	var best *scoring.Disposition
	for i := range ds {
		d := &ds[i]
		if !d.At.After(from) || d.At.After(to) {
			continue
		}
		if best == nil || d.At.Before(best.At) {
			best = d
		}
	}
	if best == nil {
		return Label{}
	}
	return Label{Status: best.Status, Reason: best.Reason, At: best.At}
}

// EvidenceTally counts, over a population of leads (the sales-ready ones,
// or every lead a backtest scores), the rules that fired on each and the
// verdict sales gave it. It keeps the leads with a verdict by their firing
// pattern (which of the model's rules fired on the lead), overall and for
// each rejection reason, so that Evidence can compare a rule's firing on
// the leads given a reason with its firing on the other leads, also within
// groups of leads alike in another rule. Build one with NewEvidenceTally,
// Add every lead, read Evidence. Tallies of shards Merge into the tally of
// the whole.
type EvidenceTally struct {
	unit  string // "lead" or "account": what is counted, for the words
	h     *rules.Handoff
	rules []string       // scoring rule ids, in file order: bit i of a pattern is rules[i]
	index map[string]int // rule id → bit
	leads int            // every lead counted
	fired []int          // by rule, over every lead counted
	// verdict counts the leads with a verdict by firing pattern; byReason
	// those given each reason.
	verdict  map[string]int
	byReason map[string]map[string]int
}

// NewEvidenceTally starts a tally for a model.
func NewEvidenceTally(m *rules.Model) *EvidenceTally {
	ids := make([]string, len(m.Rules))
	for i, r := range m.Rules {
		ids[i] = r.ID
	}
	return newEvidenceTally(ids, m.Handoff, "lead")
}

// newEvidenceTally starts a tally of the rules ids (in file order) against
// the reasons of h.
func newEvidenceTally(ids []string, h *rules.Handoff, unit string) *EvidenceTally {
	t := &EvidenceTally{unit: unit, h: h, index: map[string]int{}, verdict: map[string]int{}, byReason: map[string]map[string]int{}}
	for _, id := range ids {
		t.index[id] = len(t.rules)
		t.rules = append(t.rules, id)
	}
	t.fired = make([]int, len(t.rules))
	return t
}

// Add counts one lead of the population: the ids of the rules that fired
// on it (Result.RuleIDs at the moment that matters, such as when it became
// sales-ready or a backtest's snapshot time; ids that are not scoring
// rules of the model are left out) and its label (the zero Label when
// sales gave none). A rejected or recycled label counts for its reason.
func (t *EvidenceTally) Add(fired []string, l Label) {
	t.leads++
	key := make([]byte, (len(t.rules)+7)/8)
	for _, id := range fired {
		if i, ok := t.index[id]; ok && !bit(key, i) {
			key[i/8] |= 1 << (i % 8)
			t.fired[i]++
		}
	}
	if l.Status == "" {
		return
	}
	t.verdict[string(key)]++
	if l.Reason == "" || l.Status == scoring.Accepted {
		return
	}
	byPattern := t.byReason[l.Reason]
	if byPattern == nil {
		byPattern = map[string]int{}
		t.byReason[l.Reason] = byPattern
	}
	byPattern[string(key)]++
}

// bit reports whether rule i fired in a pattern.
func bit[K string | []byte](key K, i int) bool { return key[i/8]&(1<<(i%8)) != 0 }

// Merge adds another tally's counts (of the same model: a pattern is
// translated rule by rule when the other tally's rules differ).
func (t *EvidenceTally) Merge(o *EvidenceTally) {
	same := slices.Equal(t.rules, o.rules)
	rekey := func(k string) string {
		if same {
			return k
		}
		key := make([]byte, (len(t.rules)+7)/8)
		for j, id := range o.rules {
			if i, ok := t.index[id]; ok && bit(k, j) {
				key[i/8] |= 1 << (i % 8)
			}
		}
		return string(key)
	}
	t.leads += o.leads
	for j, n := range o.fired {
		if i, ok := t.index[o.rules[j]]; ok {
			t.fired[i] += n
		}
	}
	for k, n := range o.verdict {
		t.verdict[rekey(k)] += n
	}
	for code, op := range o.byReason {
		byPattern := t.byReason[code]
		if byPattern == nil {
			byPattern = map[string]int{}
			t.byReason[code] = byPattern
		}
		for k, n := range op {
			byPattern[rekey(k)] += n
		}
	}
}

// Verdicts of Evidence. A rule the reason contradicts is contradicted,
// supported or inconclusive; a rule it does not name is listed only when
// it is over-represented.
const (
	// VerdictContradicted: the rule fired significantly more often on the
	// leads given the reason than on the other leads with a verdict, also
	// with the rules that go with it held fixed: sales' reason says the
	// rule is wrong on such leads.
	VerdictContradicted = "contradicted"
	// VerdictSupported: significantly less often: sales agrees with the
	// rule (the leads sales rejected for the reason are the ones the rule
	// left out).
	VerdictSupported = "supported"
	// VerdictInconclusive: too few leads, no clear difference, or a
	// difference another rule explains; Evidence.Why says which.
	VerdictInconclusive = "inconclusive"
	// VerdictOverRepresented: a rule the reason does not name fired
	// significantly more often on the leads given it (with the same
	// checks as contradicted): the reason may contradict it too.
	VerdictOverRepresented = "over-represented"
)

// Thresholds of the verdicts.
const (
	// MinLeads is the fewest leads a reason must be given, and the fewest
	// other leads with a verdict, for any rule to be judged.
	MinLeads = 10
	// MinVerdicts is the fewest verdicts a rate of the report (a group's,
	// or the headline's) rests on to be read: below it the rate is shown
	// with its interval and n but marked too few (Group.TooFew), and no
	// comparison is drawn from it. It is MinLeads, the same bar the
	// evidence against rules sets.
	MinVerdicts = MinLeads
	// Alpha is the false discovery rate of the verdicts (a pair is
	// significant when its Benjamini–Hochberg q is at most Alpha) and the
	// level of the check that holds each neighbour fixed.
	Alpha = 0.05
)

// Evidence is what the leads given one reason say about one rule.
type Evidence struct {
	Reason string `json:"reason"`
	Rule   string `json:"rule"`
	// Contradicted is set when the catalogue says the reason contradicts
	// the rule (by id or by its category): the pair is one the catalogue
	// asks about. Verdict is the answer.
	Contradicted bool `json:"catalogue_contradicts"`
	// Verdict is one of the Verdict constants; Why says in a few words
	// what it rests on, or what is missing.
	Verdict string `json:"verdict"`
	Why     string `json:"why"`
	// ExplainedBy names the neighbour that explains a difference: with it
	// held fixed, the rule fires about as often on the leads given the
	// reason as on the others (verdict inconclusive).
	ExplainedBy string `json:"explained_by,omitempty"`

	// Leads were given the reason; the rule fired on Fired of them (Share).
	// Each share here has its 95% Wilson interval (_low, _high; null when
	// its count of leads is 0), as feedback's rates have.
	Leads     int      `json:"leads"`
	Fired     int      `json:"fired"`
	Share     float64  `json:"share"`
	ShareLow  *float64 `json:"share_low"`
	ShareHigh *float64 `json:"share_high"`
	// Others are the other leads with a verdict (accepted, or given
	// another reason or none); the rule fired on OthersFired of them
	// (OthersShare, null when there are none). These are what the tests
	// compare with.
	Others          int      `json:"others"`
	OthersFired     int      `json:"others_fired"`
	OthersShare     *float64 `json:"others_share"`
	OthersShareLow  *float64 `json:"others_share_low"`
	OthersShareHigh *float64 `json:"others_share_high"`
	// RateRatio is Share/OthersShare, how many times as often the rule
	// fired on the leads given the reason (null when OthersShare is 0),
	// with its 95% interval (Katz's, on the log scale, with half a lead
	// added to each count when one is zero); all null when the rule fired
	// on none of the leads with a verdict or a group is empty.
	RateRatio     *float64 `json:"rate_ratio"`
	RateRatioLow  *float64 `json:"rate_ratio_low"`
	RateRatioHigh *float64 `json:"rate_ratio_high"`
	// Direction is "more" or "less" (the rule fired more or less often on
	// the leads given the reason than on the others), or "same".
	Direction string `json:"direction"`
	// P is the two-sided p-value of Fisher's exact test of the two shares;
	// Q is P adjusted (Benjamini–Hochberg) across the pairs tested with
	// it: the catalogue's pairs together, the other pairs together. Both
	// null when the pair was not tested (too few leads, or the rule fired
	// on none or on all of the leads with a verdict).
	P *float64 `json:"p"`
	Q *float64 `json:"q"`
	// Neighbour is, for a pair with q at most Alpha, the rule that goes
	// with this one (fires with it, or apart from it, more than by chance
	// among the leads with a verdict) whose holding fixed leaves the least
	// of the difference; NeighbourP is the Mantel–Haenszel p of the
	// difference within the leads where it fired and where it did not
	// (same direction, else 1). Empty and null when none was checked.
	Neighbour  string   `json:"neighbour,omitempty"`
	NeighbourP *float64 `json:"neighbour_p"`

	// Population is every lead counted (with a verdict or not); the rule
	// fired on PopulationFired of them (PopulationShare). Lift is
	// Share/PopulationShare (null when that is zero). They describe; the
	// verdict does not use them.
	Population          int      `json:"population"`
	PopulationFired     int      `json:"population_fired"`
	PopulationShare     float64  `json:"population_share"`
	PopulationShareLow  *float64 `json:"population_share_low"`
	PopulationShareHigh *float64 `json:"population_share_high"`
	Lift                *float64 `json:"lift"`

	// Suspect reports Verdict == VerdictContradicted: sales says the rule
	// is probably wrong. It is not written to JSON.
	Suspect bool `json:"-"`
}

// Evidence judges, for each reason given to at least one lead (in
// catalogue order), every rule the reason contradicts, then lists the
// rules it does not name that are over-represented among its leads, most
// significant first. See the package doc, "Evidence against rules", for
// the method.
func (t *EvidenceTally) Evidence() []Evidence {
	if t.h == nil {
		return nil
	}
	keys := slices.Sorted(maps.Keys(t.verdict))
	verdict := make([]int, len(keys))
	withVerdict := 0
	for i, k := range keys {
		verdict[i] = t.verdict[k]
		withVerdict += verdict[i]
	}
	// judged is one pair at work: its evidence, the reason's counts by
	// pattern, the rule's bit.
	type judged struct {
		e      Evidence
		reason []int
		rule   int
	}
	var named, others []*judged
	for _, r := range t.h.Reasons {
		byPattern := t.byReason[r.Code]
		if len(byPattern) == 0 {
			continue
		}
		reason := make([]int, len(keys))
		for i, k := range keys {
			reason[i] = byPattern[k]
		}
		isNamed := map[string]bool{}
		for _, id := range r.Rules {
			isNamed[id] = true
			x, ok := t.index[id]
			if !ok {
				continue
			}
			named = append(named, &judged{t.measure(r.Code, x, true, keys, verdict, reason, withVerdict), reason, x})
		}
		for x, id := range t.rules {
			if !isNamed[id] {
				others = append(others, &judged{t.measure(r.Code, x, false, keys, verdict, reason, withVerdict), reason, x})
			}
		}
	}
	for _, family := range [][]*judged{named, others} {
		var ps []float64
		var tested []*judged
		for _, j := range family {
			if j.e.P != nil {
				ps = append(ps, *j.e.P)
				tested = append(tested, j)
			}
		}
		for i, q := range stats.BH(ps) {
			tested[i].e.Q = &q
		}
		for _, j := range family {
			t.judge(&j.e, j.rule, keys, verdict, j.reason)
		}
	}
	var out []Evidence
	at := 0
	for _, r := range t.h.Reasons {
		for ; at < len(named) && named[at].e.Reason == r.Code; at++ {
			out = append(out, named[at].e)
		}
		var over []Evidence
		for _, j := range others {
			if j.e.Reason == r.Code && j.e.Verdict == VerdictOverRepresented {
				over = append(over, j.e)
			}
		}
		sort.SliceStable(over, func(i, j int) bool { return *over[i].P < *over[j].P })
		out = append(out, over...)
	}
	return out
}

// measure counts one pair and, when there are leads enough, tests it.
func (t *EvidenceTally) measure(code string, x int, named bool, keys []string, verdict, reason []int, withVerdict int) Evidence {
	e := Evidence{Reason: code, Rule: t.rules[x], Contradicted: named, Verdict: VerdictInconclusive,
		Population: t.leads, PopulationFired: t.fired[x]}
	firedWithVerdict := 0
	for i, k := range keys {
		e.Leads += reason[i]
		if bit(k, x) {
			e.Fired += reason[i]
			firedWithVerdict += verdict[i]
		}
	}
	e.Others, e.OthersFired = withVerdict-e.Leads, firedWithVerdict-e.Fired
	e.Share = ratio(e.Fired, e.Leads)
	_, e.ShareLow, e.ShareHigh = rateOf(e.Fired, e.Leads)
	if e.Others > 0 {
		v := ratio(e.OthersFired, e.Others)
		e.OthersShare = &v
		_, e.OthersShareLow, e.OthersShareHigh = rateOf(e.OthersFired, e.Others)
	}
	e.PopulationShare = ratio(e.PopulationFired, e.Population)
	_, e.PopulationShareLow, e.PopulationShareHigh = rateOf(e.PopulationFired, e.Population)
	if e.PopulationShare > 0 {
		lift := e.Share / e.PopulationShare
		e.Lift = &lift
	}
	e.Direction = "same"
	if e.OthersShare != nil {
		switch {
		case e.Share > *e.OthersShare:
			e.Direction = "more"
		case e.Share < *e.OthersShare:
			e.Direction = "less"
		}
	}
	if e.Others > 0 && firedWithVerdict > 0 {
		if _, lo, hi, _, ok := stats.TwoProportions(float64(e.Fired), float64(e.Leads), float64(e.OthersFired), float64(e.Others)); ok {
			e.RateRatioLow, e.RateRatioHigh = &lo, &hi
			if e.OthersFired > 0 {
				rr := e.Share / *e.OthersShare
				e.RateRatio = &rr
			}
		}
	}
	switch {
	case e.Leads < MinLeads:
		e.Why = fmt.Sprintf("too few %ss: %s given the reason, %d more needed", t.unit, count(e.Leads, t.unit, t.unit+"s"), MinLeads-e.Leads)
	case e.Others < MinLeads:
		e.Why = fmt.Sprintf("too few %ss to compare with: %s with a verdict but another reason, %d more needed", t.unit, count(e.Others, t.unit, t.unit+"s"), MinLeads-e.Others)
	case firedWithVerdict == 0:
		e.Why = fmt.Sprintf("the rule fired on none of the %d %ss with a verdict", withVerdict, t.unit)
	case firedWithVerdict == withVerdict:
		e.Why = fmt.Sprintf("the rule fired on every one of the %d %ss with a verdict", withVerdict, t.unit)
	default:
		p := stats.FisherExact(e.Fired, e.Leads-e.Fired, e.OthersFired, e.Others-e.OthersFired).TwoSided
		e.P = &p
	}
	return e
}

// judge gives a measured pair (with its q) its verdict.
func (t *EvidenceTally) judge(e *Evidence, x int, keys []string, verdict, reason []int) {
	if e.Q == nil {
		return
	}
	if *e.Q > Alpha || e.Direction == "same" {
		e.Why = fmt.Sprintf("no clear difference: it could be chance (q %s, above %s)", PValue(*e.Q), PValue(Alpha))
		return
	}
	more := e.Direction == "more"
	word := map[bool]string{true: "more", false: "less"}[more]
	nb, p, together, inseparable := t.neighbour(x, keys, verdict, reason, more)
	if nb >= 0 {
		e.Neighbour = t.rules[nb]
		e.NeighbourP = &p
	}
	switch {
	case nb >= 0 && inseparable:
		e.ExplainedBy = e.Neighbour
		e.Why = fmt.Sprintf("fires %s often, but always together with %s (or always apart): the %ss cannot tell which of the two the reason is about",
			word, e.Neighbour, t.unit)
		return
	case nb >= 0 && p > Alpha:
		e.ExplainedBy = e.Neighbour
		e.Why = fmt.Sprintf("fires %s often, but %s explains it: it fired with it on %s of its %ss, and with %s held fixed the difference could be chance (p %s)",
			word, e.Neighbour, pct(together), t.unit, e.Neighbour, PValue(p))
		return
	case nb >= 0:
		e.Why = fmt.Sprintf("fires %s often (q %s), and still so with each rule that goes with it held fixed (weakest: p %s, with %s)", word, PValue(*e.Q), PValue(p), e.Neighbour)
	default:
		e.Why = fmt.Sprintf("fires %s often (q %s); no other rule goes with it", word, PValue(*e.Q))
	}
	switch {
	case e.Contradicted && more:
		e.Verdict = VerdictContradicted
	case e.Contradicted:
		e.Verdict = VerdictSupported
	case more:
		e.Verdict = VerdictOverRepresented
	}
	e.Suspect = e.Verdict == VerdictContradicted
}

// neighbour finds, among the rules that go with rule x on the leads with a
// verdict (a Mantel–Haenszel test of the two rules' firing, one stratum,
// p below Alpha), the one that, held fixed, leaves the weakest difference
// in x's firing between the leads given the reason and the others: the
// largest Mantel–Haenszel p over the two strata (the leads where it fired,
// where it did not), 1 when the difference turns the other way.
// inseparable is set when no stratum tells the two rules apart (they fire
// on the same leads, or never together); together is the share of x's
// leads with a verdict on which it fired too. nb is -1 when no rule goes
// with x.
func (t *EvidenceTally) neighbour(x int, keys []string, verdict, reason []int, more bool) (nb int, p, together float64, inseparable bool) {
	nb, p = -1, -1
	for y := range t.rules {
		if y == x {
			continue
		}
		var pair stats.Table2
		var strata [2]stats.Table2
		for i, k := range keys {
			v, r := float64(verdict[i]), float64(reason[i])
			fx, fy := bit(k, x), bit(k, y)
			s := &strata[0]
			if fy {
				s = &strata[1]
			}
			switch {
			case fx && fy:
				pair.A += v
			case fx:
				pair.B += v
			case fy:
				pair.C += v
			default:
				pair.D += v
			}
			if fx {
				s.A += r
				s.C += v - r
			} else {
				s.B += r
				s.D += v - r
			}
		}
		if _, _, goes, ok := stats.MantelHaenszel([]stats.Table2{pair}); !ok || goes >= Alpha {
			continue
		}
		_, z, held, ok := stats.MantelHaenszel(strata[:])
		if !ok || (z > 0) != more {
			held = 1
		}
		if held > p {
			nb, p, together, inseparable = y, held, pair.A/(pair.A+pair.B), !ok
		}
	}
	return nb, p, together, inseparable
}

// PValue writes a p- or q-value with two significant digits, or
// "<0.0001".
func PValue(v float64) string {
	if v < 0.0001 {
		return "<0.0001"
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
