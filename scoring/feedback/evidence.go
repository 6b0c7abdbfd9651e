package feedback

import (
	"sort"
	"time"

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
// verdict sales gave it: how often each rule fired on the leads given each
// rejection reason, beside how often it fired on all of them. A rule that
// fires far more often on leads sales rejected for a reason that
// contradicts it is evidence the rule is wrong. Build one with
// NewEvidenceTally, Add every lead, read Evidence. Tallies of shards Merge
// into the tally of the whole.
type EvidenceTally struct {
	h        *rules.Handoff
	rules    []string // scoring rule ids, in file order
	leads    int
	fired    map[string]int
	byReason map[string]*reasonTally
}

type reasonTally struct {
	leads int
	fired map[string]int
}

// NewEvidenceTally starts a tally for a model.
func NewEvidenceTally(m *rules.Model) *EvidenceTally {
	t := &EvidenceTally{h: m.Handoff, fired: map[string]int{}, byReason: map[string]*reasonTally{}}
	for _, r := range m.Rules {
		t.rules = append(t.rules, r.ID)
	}
	return t
}

// Add counts one lead of the population: the ids of the rules that fired
// on it (Result.RuleIDs at the moment that matters, such as when it became
// sales-ready or a backtest's snapshot time) and its label (the zero Label
// when sales gave none). A rejected or recycled label counts for its reason.
func (t *EvidenceTally) Add(fired []string, l Label) {
	t.leads++
	seen := map[string]bool{}
	for _, id := range fired {
		if !seen[id] {
			seen[id] = true
			t.fired[id]++
		}
	}
	if l.Reason == "" || l.Status == scoring.Accepted {
		return
	}
	rt := t.byReason[l.Reason]
	if rt == nil {
		rt = &reasonTally{fired: map[string]int{}}
		t.byReason[l.Reason] = rt
	}
	rt.leads++
	for id := range seen {
		rt.fired[id]++
	}
}

// Merge adds another tally's counts (of the same model).
func (t *EvidenceTally) Merge(o *EvidenceTally) {
	t.leads += o.leads
	for id, n := range o.fired {
		t.fired[id] += n
	}
	for code, ot := range o.byReason {
		rt := t.byReason[code]
		if rt == nil {
			rt = &reasonTally{fired: map[string]int{}}
			t.byReason[code] = rt
		}
		rt.leads += ot.leads
		for id, n := range ot.fired {
			rt.fired[id] += n
		}
	}
}

// Evidence is what the leads given one reason say about one rule.
type Evidence struct {
	Reason string `json:"reason"`
	Rule   string `json:"rule"`
	// Contradicted is set when the catalogue says the reason contradicts
	// the rule (by id or by its category).
	Contradicted bool `json:"contradicted"`
	// Leads were given the reason; the rule fired on Fired of them.
	Leads int `json:"leads"`
	Fired int `json:"fired"`
	// Population is every lead counted; the rule fired on PopulationFired.
	Population      int `json:"population"`
	PopulationFired int `json:"population_fired"`
	// Share is Fired/Leads, PopulationShare PopulationFired/Population,
	// Lift Share/PopulationShare (nil when it would divide by zero).
	Share           float64  `json:"share"`
	PopulationShare float64  `json:"population_share"`
	Lift            *float64 `json:"lift"`
	// Suspect is set when the evidence says the rule is probably wrong: the
	// reason contradicts it, the rule fired on at least MinEvidence of the
	// leads given the reason, and at least SuspectLift times as often as
	// on the population.
	Suspect bool `json:"suspect"`
}

// Thresholds for Evidence.Suspect and for listing rules a reason does not
// name: enough leads to speak, and a rule over-represented enough to matter.
const (
	MinEvidence = 3
	SuspectLift = 1.25
	// OtherLift is the lift at which a rule the reason does not name is
	// listed as over-represented among its leads (at most MaxOthers).
	OtherLift = 1.5
	MaxOthers = 3
)

// Evidence lists, for each reason given to at least one lead (in catalogue
// order), every rule the reason contradicts, then up to MaxOthers other
// rules that fired on at least MinEvidence of its leads with a lift of at
// least OtherLift, highest lift first.
func (t *EvidenceTally) Evidence() []Evidence {
	var out []Evidence
	var reasons []*rules.Reason
	if t.h != nil {
		reasons = t.h.Reasons
	}
	for _, r := range reasons {
		rt := t.byReason[r.Code]
		if rt == nil {
			continue
		}
		named := map[string]bool{}
		for _, id := range r.Rules {
			named[id] = true
			out = append(out, t.evidence(r.Code, id, rt, true))
		}
		var others []Evidence
		for _, id := range t.rules {
			if named[id] || rt.fired[id] < MinEvidence {
				continue
			}
			if e := t.evidence(r.Code, id, rt, false); e.Lift != nil && *e.Lift >= OtherLift {
				others = append(others, e)
			}
		}
		sort.SliceStable(others, func(i, j int) bool { return *others[i].Lift > *others[j].Lift })
		if len(others) > MaxOthers {
			others = others[:MaxOthers]
		}
		out = append(out, others...)
	}
	return out
}

func (t *EvidenceTally) evidence(code, rule string, rt *reasonTally, named bool) Evidence {
	e := Evidence{Reason: code, Rule: rule, Contradicted: named, Leads: rt.leads, Fired: rt.fired[rule],
		Population: t.leads, PopulationFired: t.fired[rule]}
	e.Share = ratio(e.Fired, e.Leads)
	e.PopulationShare = ratio(e.PopulationFired, e.Population)
	if e.PopulationShare > 0 {
		lift := e.Share / e.PopulationShare
		e.Lift = &lift
	}
	e.Suspect = named && e.Fired >= MinEvidence && e.Lift != nil && *e.Lift >= SuspectLift
	return e
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
