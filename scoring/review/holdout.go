package review

import (
	"github.com/leadscore/leadscore/internal/numfmt"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

// compareHoldout lists the changes to the holdout experiment: one change
// when it is added or removed, else one per key (share, seed, withhold,
// starts)
// that differs. A new share or seed draws another control group, so the
// whole definition's teams sign it off like the hand-off contract.
func compareHoldout(old, new *rules.Holdout) []Change {
	switch {
	case old == nil && new == nil:
		return nil
	case old == nil:
		return []Change{{Kind: "added", What: "holdout", Name: "holdout", Details: []string{holdoutDesc(new)}}}
	case new == nil:
		return []Change{{Kind: "removed", What: "holdout", Name: "holdout", Details: []string{"was: " + holdoutDesc(old)}}}
	}
	var out []Change
	for _, k := range []struct{ name, o, n string }{
		{"share", shareOf(old), shareOf(new)},
		{"seed", old.Seed, new.Seed},
		{"withhold", withholdOf(old), withholdOf(new)},
		{"starts", startsOf(old), startsOf(new)},
	} {
		if k.o != k.n {
			d := k.o + " → " + k.n
			switch k.name {
			case "share", "seed":
				d += " (another control group)"
			case "starts":
				d += " (other leads in the experiment)"
			}
			out = append(out, Change{Kind: "changed", What: "holdout", Name: k.name, Details: []string{d}})
		}
	}
	return out
}

func holdoutDesc(h *rules.Holdout) string {
	d := "share " + shareOf(h) + ", seed " + h.Seed + ", withhold " + withholdOf(h)
	if !h.Starts.IsZero() {
		d += ", starts " + h.StartsText()
	}
	return d
}

// startsOf is the experiment's start, "none" without one.
func startsOf(h *rules.Holdout) string {
	if h.Starts.IsZero() {
		return "none"
	}
	return h.StartsText()
}

func shareOf(h *rules.Holdout) string { return numfmt.Float(h.Share, 'g', -1) }

func withholdOf(h *rules.Holdout) string {
	if h.Withhold == dsl.WithholdChallenger {
		return "{challenger: " + h.Challenger + "}"
	}
	return h.Withhold
}
