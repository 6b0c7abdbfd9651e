package scoring

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/leadscore/leadscore/rules"

	"github.com/leadscore/leadscore/dsl"
)

// Status is what sales did with a lead handed to it.
type Status string

// The dispositions sales gives a lead.
const (
	// Accepted: sales takes the lead on (a sales-accepted lead, SAL).
	Accepted Status = "accepted"
	// Rejected: sales turns the lead down, with a reason from the model's
	// catalogue. The score is unchanged; the rejection is evidence against
	// the rules the reason contradicts (see package feedback).
	Rejected Status = "rejected"
	// Recycled: sales hands the lead back to marketing, with a reason. What
	// the model's recycle policy resets stops counting, and the hold-down
	// keeps the lead from being sales-ready again for a while.
	//
	// A recycle dated before the lead was ever sales-ready (most likely a
	// date error, or a recycle from an earlier cycle the data does not
	// show) is applied all the same: dropping it could hand sales a lead it
	// recycled, and scoring at one time cannot tell the two apart. It is
	// not silent: the feedback report warns of it by lead, with the
	// recycle's date and when the lead first became sales-ready, if it did
	// (feedback.EarlyRecycle).
	Recycled Status = "recycled"
)

// Statuses lists the statuses in the order the docs give them.
var Statuses = []Status{Accepted, Rejected, Recycled}

// CompareDispositions orders dispositions by time, and those given at the
// same instant by status (in the order of Statuses), reason and owner: an
// order of their own, so that a result never depends on the order of the
// rows they were read from (a CRM export of day or minute precision gives
// two verdicts one time).
func CompareDispositions(a, b Disposition) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	if c := cmp.Compare(statusRank(a.Status), statusRank(b.Status)); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Status, b.Status); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Reason, b.Reason); c != 0 {
		return c
	}
	return cmp.Compare(a.Owner, b.Owner)
}

// statusRank is a status's place in Statuses (after them for another).
func statusRank(s Status) int {
	if i := slices.Index(Statuses, s); i >= 0 {
		return i
	}
	return len(Statuses)
}

// Disposition is one verdict of sales on a lead: what, when, why and who.
type Disposition struct {
	At     time.Time `json:"at"`
	Status Status    `json:"status"`
	// Reason is a code of the model's catalogue (handoff: reasons); empty
	// for an accepted lead.
	Reason string `json:"reason,omitempty"`
	// Owner is the sales rep who gave the verdict, when known.
	Owner string `json:"owner,omitempty"`
}

// String says the verdict as labels read: "accepted", "rejected:no_budget".
func (d Disposition) String() string {
	if d.Reason == "" {
		return string(d.Status)
	}
	return string(d.Status) + ":" + d.Reason
}

// Verdict is what sales' dispositions did to a score (Result.Verdict): the
// latest disposition at or before the as-of time, and, after a recycle, the
// events it reset and the hold-down.
type Verdict struct {
	// Latest is the latest disposition at or before the as-of time; nil
	// when sales gave none by then.
	Latest *Disposition `json:"latest,omitempty"`
	// Recycled is when sales last recycled the lead (nil: never, by the
	// as-of time). From then on the events of the types the model's
	// recycle policy resets, at or before that moment, do not count.
	Recycled *time.Time `json:"recycled,omitempty"`
	// Reset is how many of the lead's events the recycle took out.
	Reset int `json:"reset"`
	// HeldUntil is when the hold-down after the recycle ends, while it is
	// in force at the as-of time; nil otherwise. A hold-down in force
	// holds the lead only when Held is set.
	HeldUntil *time.Time `json:"held_until,omitempty"`
	// Held is the stage the hold-down kept the lead from: the sales-ready
	// stage, which its conditions reach and no gate blocks. "" when it
	// stopped nothing (the lead would not be sales-ready anyway). Explain
	// ("HELD"), the test files' held: and score's held all mean this.
	Held string `json:"held,omitempty"`
}

// CheckDispositions checks a lead's dispositions against the model: each
// rejection or recycle names a reason of its catalogue (handoff: reasons),
// when the model has a handoff section, and a recycle's hold-down ends by
// the end of year 9999 (the last time leadscore writes).
// Score and Timeline check them; a reader that builds leads may check
// them first, to fail the row that carries a bad one.
func (s *Scorer) CheckDispositions(ds []Disposition) error {
	h := s.model.Handoff
	if h == nil {
		return nil // a model without a handoff section reports verdicts and lets them change nothing
	}
	for i, d := range ds {
		if d.Status == Recycled && h.Hold > 0 {
			// The hold-down must end at a time leadscore can write (JSON
			// and RFC 3339 stop at year 9999).
			if until := d.At.Add(h.Hold); until.Year() > 9999 {
				return fmt.Errorf("disposition %d: recycled on %s, so the model's recycle hold-down of %s would end after year 9999, the last year leadscore reads or writes; check the disposition's date",
					i+1, d.At.Format(time.RFC3339), h.HoldOrText())
			}
		}
		if d.Status == Accepted || d.Reason == "" {
			continue
		}
		if h.Reason(d.Reason) == nil {
			codes := h.Codes()
			if len(codes) == 0 {
				return fmt.Errorf("disposition %d: unknown reason %q: the model's handoff section declares no reasons; add reasons: to it", i+1, d.Reason)
			}
			return fmt.Errorf("disposition %d: unknown reason %q%s", i+1, d.Reason, dsl.DidYouMeanOr(d.Reason, codes, "the reasons are "+strings.Join(codes, ", ")))
		}
	}
	return nil
}

// dispositions works out what a lead's dispositions mean as of asOf: the
// verdict for the result, the lead with the events the last recycle reset
// taken out (when filter is set; a timeline's replay takes them out
// itself), and whether the hold-down is in force.
func (s *Scorer) dispositions(lead Lead, asOf time.Time, filter bool) (Lead, *Verdict, bool) {
	var f verdictFold
	for i := range lead.Dispositions {
		if d := &lead.Dispositions[i]; !d.At.After(asOf) {
			f.add(d)
		}
	}
	h := s.model.Handoff
	v, held := f.verdict(asOf, h)
	if v == nil || v.Recycled == nil || h == nil {
		return lead, v, held
	}
	if filter && len(h.ResetTypes) > 0 {
		kept := make([]Event, 0, len(lead.Events))
		for _, e := range lead.Events {
			if resets(h.ResetTypes, e, *v.Recycled) {
				v.Reset++
				continue
			}
			kept = append(kept, e)
		}
		if v.Reset > 0 {
			lead.Events = kept
		}
	}
	return lead, v, held
}

// verdictFold takes in a lead's dispositions one at a time (those up to
// an as-of time) and keeps what its verdict rests on: the latest (of
// equal times, the last taken in) and the time of the latest recycle.
type verdictFold struct {
	latest   *Disposition
	recycled time.Time
	anyRecyc bool
}

func (f *verdictFold) add(d *Disposition) {
	if f.latest == nil || CompareDispositions(*d, *f.latest) >= 0 {
		f.latest = d // the latest, of one instant the last in their order
	}
	if d.Status == Recycled && (!f.anyRecyc || d.At.After(f.recycled)) {
		f.recycled, f.anyRecyc = d.At, true
	}
}

// verdict is the verdict as of asOf under the model's handoff section h
// (nil when it has none), and whether a recycle's hold-down is in force;
// nil when no disposition was taken in.
func (f *verdictFold) verdict(asOf time.Time, h *rules.Handoff) (*Verdict, bool) {
	if f.latest == nil {
		return nil, false
	}
	latest := *f.latest
	v := &Verdict{Latest: &latest}
	if !f.anyRecyc {
		return v, false
	}
	at := f.recycled
	v.Recycled = &at
	if h == nil || h.Hold <= 0 {
		return v, false
	}
	if until := at.Add(h.Hold); asOf.Before(until) {
		v.HeldUntil = &until
		return v, true
	}
	return v, false
}

// verdicts is dispositions(lead, asOf, false) for the points of one
// timeline, whose as-of times only move on: the lead's dispositions are
// sorted once, and each point takes in those up to it, so a timeline of n
// dispositions costs O(n log n) for its verdicts rather than O(n) a point.
type verdicts struct {
	handoff *rules.Handoff
	sorted  []*Disposition
	next    int
	fold    verdictFold
}

// newVerdicts tracks ds (in any order; they are not changed) for a walk.
func (s *Scorer) newVerdicts(ds []Disposition) *verdicts {
	v := &verdicts{handoff: s.model.Handoff, sorted: make([]*Disposition, len(ds))}
	for i := range ds {
		v.sorted[i] = &ds[i]
	}
	// Dispositions of one instant go in their own order (see
	// CompareDispositions), whatever the order of the rows: the last in it
	// is the latest.
	slices.SortStableFunc(v.sorted, func(a, b *Disposition) int { return CompareDispositions(*a, *b) })
	return v
}

// at is dispositions' verdict and hold as of asOf, no earlier than the
// last call's.
func (v *verdicts) at(asOf time.Time) (*Verdict, bool) {
	for ; v.next < len(v.sorted) && !v.sorted[v.next].At.After(asOf); v.next++ {
		v.fold.add(v.sorted[v.next])
	}
	return v.fold.verdict(asOf, v.handoff)
}

// resets reports whether a recycle at r takes out the event: one of the
// reset types, at or before the recycle.
func resets(types []string, e Event, r time.Time) bool {
	if e.At.After(r) {
		return false
	}
	i := sort.SearchStrings(types, e.Type)
	return i < len(types) && types[i] == e.Type
}

// describe says the verdict in a few lines, for explanations: the latest
// disposition with its reason's description, the recycle and the hold.
// "HELD" means what Verdict.Held means: the hold-down keeps the lead from
// salesReady (the sales-ready stage), which it would otherwise stand on.
// blocked says a gate keeps the lead from it as well.
func (v *Verdict) describe(reason func(code string) string, resetWhat, salesReady string, blocked bool) []string {
	if v == nil || v.Latest == nil {
		return nil
	}
	var out []string
	d := v.Latest
	line := fmt.Sprintf("sales: %s on %s", d.Status, d.At.Format(time.RFC3339))
	if d.Reason != "" {
		line += " as " + d.Reason
		if desc := reason(d.Reason); desc != "" {
			line += " (" + desc + ")"
		}
	}
	if d.Owner != "" {
		line += " by " + d.Owner
	}
	out = append(out, line)
	if v.Recycled != nil {
		when := v.Recycled.Format(time.RFC3339)
		switch {
		case resetWhat == "":
			out = append(out, fmt.Sprintf("recycled on %s; the model's recycle policy resets nothing", when))
		default:
			verb := "count"
			if v.Reset == 1 {
				verb = "counts"
			}
			out = append(out, fmt.Sprintf("recycled on %s: %s of %s at or before it no longer %s", when, plural(v.Reset, "event"), resetWhat, verb))
		}
	}
	if v.HeldUntil != nil {
		until := v.HeldUntil.Format(time.RFC3339)
		if v.Held != "" {
			out = append(out, fmt.Sprintf("HELD until %s by the recycle hold-down, which keeps it from %s", until, v.Held))
		} else if blocked {
			out = append(out, fmt.Sprintf("not held: the recycle hold-down runs until %s, but a gate keeps the lead from %s anyway", until, salesReady))
		} else {
			out = append(out, fmt.Sprintf("not held: the recycle hold-down runs until %s, but the lead does not reach %s without it", until, salesReady))
		}
	}
	return out
}

// resetWhat names what a model's recycle resets, for messages:
// "engagement (email_click, page_view)".
func resetWhat(resetNames, types []string) string {
	if len(types) == 0 {
		return ""
	}
	return strings.Join(resetNames, ", ") + " (" + strings.Join(types, ", ") + ")"
}

// verdictLines says the result's verdict for WriteText.
func (x *Explanation) verdictLines() []string {
	h := x.model.Handoff
	reason := func(code string) string {
		if r := h.Reason(code); r != nil {
			return r.Description
		}
		return ""
	}
	what, salesReady := "", ""
	if h != nil {
		what = resetWhat(h.Resets, h.ResetTypes)
	}
	if m := x.model; m.SalesReady >= 0 && m.SalesReady < len(m.Stages) {
		salesReady = m.Stages[m.SalesReady].ID
	}
	return x.Result.Verdict.describe(reason, what, salesReady, x.Result.Blocked != "")
}
