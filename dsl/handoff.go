package dsl

import (
	"maps"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Handoff is the hand-off contract of a rule file: how soon sales acts on
// a sales-ready lead, the reasons sales may give for rejecting one (and
// the rules each reason says are wrong), and what a recycled lead loses.
//
//	handoff:
//	  sla: 48h                          # sales acts on a sales-ready lead within 48 hours
//	  reasons:                          # the catalogue of rejection reasons
//	    - code: not_decision_maker
//	      description: The contact cannot buy or sign
//	      contradicts: [fit.decision-maker]   # rule ids or score categories
//	    - code: bad_timing
//	      description: Interested, but not this quarter
//	  recycle:                          # a lead sales hands back to marketing
//	    resets: [engagement]            # event rules or categories whose earlier events stop counting
//	    hold: 30d                       # not sales-ready again until 30 days after the recycle
//
// Only the root rule file may hold it.
type Handoff struct {
	Pos Pos // the handoff: key
	// SLA is how soon sales must give a sales-ready lead its first
	// disposition; nil when the file sets none.
	SLA     *Duration
	Reasons []*RejectReason
	// Recycle is what a recycled lead loses; nil when the file says nothing.
	Recycle *Recycle
}

// RejectReason is a code sales may give when rejecting or recycling a lead.
type RejectReason struct {
	Code        String
	Description String
	// Contradicts names the rules (by id) or score categories that the
	// reason says should not have made the lead sales-ready.
	Contradicts []String
}

// Recycle is the recycle policy: what a lead sales hands back loses.
type Recycle struct {
	Pos Pos
	// Resets names event rules (by id) or score categories: the events
	// those rules count that happened at or before the recycle stop
	// counting, for every rule and event function.
	Resets []String
	// Hold keeps a recycled lead from being sales-ready again until this
	// long after the recycle; nil for no hold-down.
	Hold *Duration
}

// Reason returns the catalogue entry with the given code, or nil.
func (h *Handoff) Reason(code string) *RejectReason {
	if h == nil {
		return nil
	}
	for _, r := range h.Reasons {
		if r.Code.Value == code {
			return r
		}
	}
	return nil
}

// Codes lists the reason codes in file order.
func (h *Handoff) Codes() []string {
	if h == nil {
		return nil
	}
	out := make([]string, 0, len(h.Reasons))
	for _, r := range h.Reasons {
		out = append(out, r.Code.Value)
	}
	return out
}

// handoff decodes the handoff: section.
func (d *decoder) handoff(k, n *yaml.Node) *Handoff {
	h := &Handoff{Pos: d.pos(k)}
	d.mapping(n, "handoff", []string{"sla", "reasons", "recycle"}, func(key string, k, v *yaml.Node) {
		switch key {
		case "sla":
			h.SLA = d.duration(v, "sla")
		case "reasons":
			d.seq(v, "reasons", func(item *yaml.Node) {
				if r := d.rejectReason(item); r != nil {
					h.Reasons = append(h.Reasons, r)
				}
			})
		case "recycle":
			h.Recycle = &Recycle{Pos: d.pos(k)}
			d.mapping(v, "recycle", []string{"resets", "hold"}, func(key string, k, v *yaml.Node) {
				if key == "hold" {
					h.Recycle.Hold = d.duration(v, "hold")
				} else {
					h.Recycle.Resets = d.idList(v, "resets", "a rule id or score category")
				}
			})
		}
	})
	return h
}

func (d *decoder) rejectReason(n *yaml.Node) *RejectReason {
	r := &RejectReason{}
	ok := d.mapping(n, "a rejection reason", []string{"code", "description", "contradicts"}, func(key string, k, v *yaml.Node) {
		switch key {
		case "code":
			r.Code = d.id(v, "reason code")
		case "description":
			r.Description = d.text(v, "description")
		case "contradicts":
			r.Contradicts = d.idList(v, "contradicts", "a rule id or score category")
		}
	})
	if !ok {
		return nil
	}
	if r.Code.Value == "" {
		d.errorf(n, "this rejection reason has no code; add code: followed by a short name sales will type, such as not_decision_maker")
		return nil
	}
	return r
}

// idList reads one id or a list of ids.
func (d *decoder) idList(n *yaml.Node, what, item string) []String {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []String{d.id(n, item)}
	}
	var out []String
	d.seq(n, what, func(v *yaml.Node) { out = append(out, d.id(v, item)) })
	return out
}

// checkHandoff checks the handoff section against the rest of the file:
// reason codes given once, and the rules and categories it names exist
// (and, for a recycle, count events).
func (d *Document) checkHandoff(add func(Pos, string, ...any)) {
	h := d.Handoff
	if h == nil {
		return
	}
	if h.SLA != nil && h.SLA.Value <= 0 {
		add(h.SLA.Pos, "sla must be longer than nothing, such as 48h")
	}
	if r := h.Recycle; r != nil && r.Hold != nil && r.Hold.Value <= 0 {
		add(r.Hold.Pos, "hold must be longer than nothing, such as 30d; leave it out for no hold-down")
	}
	rules := map[string]*Rule{}
	var ids, categories, eventRules []string
	for _, r := range d.Rules {
		if r.ID.Value != "" {
			rules[r.ID.Value] = r
			ids = append(ids, r.ID.Value)
			if r.IsEvent() && !r.IsGate() {
				eventRules = append(eventRules, r.ID.Value)
			}
		}
	}
	for _, c := range d.Categories {
		categories = append(categories, c.Name.Value)
	}
	// With an accounts section, a reason may also contradict the account's
	// rules and roll-ups, its categories and its buying-group roles
	// (feedback --accounts weighs them).
	unknownWhat, nameWhat := "rule or score category", "name a rule id under rules, or a category under scores"
	named := maps.Clone(rules) // what contradicts may name
	namedIDs, names := slices.Clone(ids), slices.Clone(categories)
	accountRule := map[string]bool{}
	if a := d.Accounts; a != nil {
		for _, r := range a.Rules {
			if _, lead := named[r.ID.Value]; !lead && r.ID.Value != "" {
				named[r.ID.Value] = r
				accountRule[r.ID.Value] = true
				namedIDs = append(namedIDs, r.ID.Value)
			}
		}
		for _, c := range a.Categories {
			names = append(names, c.Name.Value)
		}
		for _, r := range a.Roles {
			names = append(names, r.Name.Value)
		}
		unknownWhat = "rule, score category or account role"
		nameWhat = "name a rule id under rules or accounts: rules, a category under scores or accounts: scores, or a role under accounts: roles"
	}
	codes := map[string]Pos{}
	for _, r := range h.Reasons {
		code := r.Code.Value
		if prev, ok := codes[code]; ok {
			add(r.Code.Pos, "rejection reason %q is listed twice (first at %s); give each reason its own code", code, prev)
		}
		codes[code] = r.Code.Pos
		for _, c := range r.Contradicts {
			switch rule, isRule := named[c.Value]; {
			case c.Value == "":
			case isRule && rule.IsGate():
				if accountRule[c.Value] {
					add(c.Pos, "rejection reason %s contradicts %s, an account gate; an account a gate stops never reaches sales, so no rejection can contradict it: name the account rules, categories or roles that made the account sales-ready", code, c.Value)
				} else {
					add(c.Pos, "rejection reason %s contradicts %s, a gate; a lead a gate stops never reaches sales, so no rejection can contradict it: name the rules or categories that made the lead sales-ready", code, c.Value)
				}
			case isRule, contains(names, c.Value), d.Unread("rules", "scores"):
			default:
				add(c.Pos, "rejection reason %s contradicts unknown %s %q%s", code, unknownWhat, c.Value,
					DidYouMeanName(c.Value, append(namedIDs, names...), nameWhat))
			}
		}
	}
	if h.Recycle == nil {
		return
	}
	for _, c := range h.Recycle.Resets {
		rule, isRule := rules[c.Value]
		switch {
		case c.Value == "", d.Unread("rules", "scores"):
		case len(eventCategories(d)) == 0 && (isRule || contains(categories, c.Value)):
			add(c.Pos, "recycle resets %s, but this model has no event rules, so a recycle can reset nothing; leave resets out", c.Value)
		case isRule && !rule.IsEvent():
			add(c.Pos, "recycle resets %s, which scores who the lead is, not what it did; a recycle resets only events: name an event rule, or a category with event rules such as %s", c.Value, eventCategories(d)[0])
		case isRule && rule.IsGate():
			add(c.Pos, "recycle resets %s, a gate; a recycle resets only scoring rules: name an event rule or a category", c.Value)
		case isRule:
		case contains(categories, c.Value):
			if !contains(eventCategories(d), c.Value) {
				add(c.Pos, "recycle resets category %s, which has no event rules, so nothing would be reset; name a category with event rules, such as %s", c.Value, eventCategories(d)[0])
			}
		default:
			add(c.Pos, "recycle resets unknown rule or score category %q%s", c.Value,
				DidYouMeanName(c.Value, append(append([]string{}, eventRules...), categories...), "name an event rule under rules, or a category under scores"))
		}
	}
}

// eventCategories lists the categories that have event rules, in file order.
func eventCategories(d *Document) []string {
	var out []string
	for _, c := range d.Categories {
		for _, r := range d.Rules {
			if r.IsEvent() && !r.IsGate() && r.Category.Value == c.Name.Value {
				out = append(out, c.Name.Value)
				break
			}
		}
	}
	return out
}

// ResetTypes returns the event types a recycle resets: those the reset
// event rules count, and those the event rules of reset categories count,
// sorted and without repeats. It is empty without a recycle policy.
func (d *Document) ResetTypes() []string {
	if d.Handoff == nil || d.Handoff.Recycle == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, name := range d.Handoff.Recycle.Resets {
		for _, r := range d.Rules {
			if !r.IsEvent() || r.IsGate() || (r.ID.Value != name.Value && r.Category.Value != name.Value) {
				continue
			}
			for _, t := range r.Events {
				if !seen[t.Value] {
					seen[t.Value] = true
					out = append(out, t.Value)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
