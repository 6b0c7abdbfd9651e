package rules

import (
	"slices"
	"time"

	"github.com/leadscore/leadscore/dsl"
)

// Handoff is a model's compiled hand-off contract with sales (the rule
// file's handoff section): the SLA, the catalogue of rejection reasons with
// the rules each contradicts, and the recycle policy.
type Handoff struct {
	// SLA is how soon sales must give a sales-ready lead its first
	// disposition; 0 when the model sets none.
	SLA time.Duration
	// SLAText is SLA as the rule file writes it ("48h"); "" when unset.
	SLAText string
	Reasons []*Reason
	// Resets are the rule ids and categories a recycle resets, as written.
	Resets []string
	// ResetTypes are the event types a recycle resets (those the reset
	// rules count), sorted: a recycled lead's events of these types at or
	// before the recycle stop counting, for every rule and event function.
	ResetTypes []string
	// Hold keeps a recycled lead from being sales-ready again until this
	// long after the recycle; 0 for none.
	Hold time.Duration
	// HoldText is Hold as the rule file writes it ("30d"); "" when unset.
	HoldText string
}

// Reason is one rejection reason of the catalogue.
type Reason struct {
	Code        string
	Description string
	// Contradicts names rule ids and categories as the file writes them.
	Contradicts []string
	// Rules are the scoring rules the reason contradicts: those named, and
	// every scoring rule of a named category, in file order.
	Rules []string
}

// Reason returns the reason with the given code, or nil (also on a nil Handoff).
func (h *Handoff) Reason(code string) *Reason {
	if h == nil {
		return nil
	}
	for _, r := range h.Reasons {
		if r.Code == code {
			return r
		}
	}
	return nil
}

// Codes lists the reason codes in file order (none on a nil Handoff).
func (h *Handoff) Codes() []string {
	if h == nil {
		return nil
	}
	out := make([]string, len(h.Reasons))
	for i, r := range h.Reasons {
		out[i] = r.Code
	}
	return out
}

// ResetsType reports whether a recycle resets events of the given type.
func (h *Handoff) ResetsType(eventType string) bool {
	if h == nil {
		return false
	}
	_, ok := slices.BinarySearch(h.ResetTypes, eventType)
	return ok
}

// compileHandoff converts the handoff section; dsl.Check has checked it.
func (c *compiler) compileHandoff() {
	dh := c.doc.Handoff
	if dh == nil {
		return
	}
	h := &Handoff{ResetTypes: c.doc.ResetTypes()}
	if dh.SLA != nil {
		h.SLA, h.SLAText = dh.SLA.Value, dh.SLA.Source
	}
	for _, dr := range dh.Reasons {
		r := &Reason{Code: dr.Code.Value, Description: dr.Description.Value}
		named := map[string]bool{}
		for _, x := range dr.Contradicts {
			r.Contradicts = append(r.Contradicts, x.Value)
			named[x.Value] = true
		}
		for _, rule := range c.m.Rules {
			if named[rule.ID] || rule.Category != nil && named[rule.Category.Name] {
				r.Rules = append(r.Rules, rule.ID)
			}
		}
		h.Reasons = append(h.Reasons, r)
	}
	if rc := dh.Recycle; rc != nil {
		for _, x := range rc.Resets {
			h.Resets = append(h.Resets, x.Value)
		}
		if rc.Hold != nil {
			h.Hold, h.HoldText = rc.Hold.Value, rc.Hold.Source
		}
	}
	c.m.Handoff = h
}

// lintHandoff reports what a review of the handoff section should look at.
func (l *linter) lintHandoff() {
	h := l.doc.Handoff
	if h == nil {
		return
	}
	if len(h.Reasons) == 0 {
		l.warn(h.Pos, "handoff lists no rejection reasons, so sales cannot say why they reject a lead; add reasons: with a code and description for each")
	}
	if h.SLA == nil {
		l.warn(h.Pos, "handoff sets no sla; say how soon sales acts on a sales-ready lead, such as sla: 48h, so that feedback can measure it")
	} else if h.SLA.Value < time.Hour {
		l.warn(h.SLA.Pos, "sla is %s, under an hour; check the unit (48h is two days)", dsl.FormatDuration(h.SLA.Value))
	}
	for _, r := range h.Reasons {
		if r.Description.Value == "" {
			l.warn(r.Code.Pos, "rejection reason %s has no description; say in a few words what it means, for the sales reps who pick it", r.Code.Value)
		}
	}
	if rc := h.Recycle; rc != nil && rc.Hold != nil && rc.Hold.Value < time.Hour {
		l.warn(rc.Hold.Pos, "hold is %s, under an hour; check the unit (30d is a month)", dsl.FormatDuration(rc.Hold.Value))
	}
}

// HoldOrText is the hold as the rule file writes it ("30d"), or in
// leadscore's units for a model built without the text.
func (h *Handoff) HoldOrText() string {
	if h.HoldText != "" {
		return h.HoldText
	}
	return dsl.FormatDuration(h.Hold)
}

// SLAOf returns the SLA, or 0 on a nil Handoff.
func (h *Handoff) SLAOf() time.Duration {
	if h == nil {
		return 0
	}
	return h.SLA
}
