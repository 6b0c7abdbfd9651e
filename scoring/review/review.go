// Package review compares two versions of a model for the people who sign
// off a change to the definition of a sales-ready lead: what changed in the
// rule file (rule by rule, with the team that owns each), and what the
// change does to real leads (who starts or stops being sales-ready and why,
// how leads move between stages, how scores are distributed before and
// after).
package review

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
)

// Change is one difference between the old and the new model.
type Change struct {
	Kind   string   `json:"kind"` // "added", "removed" or "changed"
	What   string   `json:"what"` // "rule", "gate", "stage", "grade", "list", "define", "category", "handoff", "holdout", ...
	Name   string   `json:"name"` // the rule id, stage id, ...
	Owners []string `json:"owners,omitempty"`
	// Details lists what changed ("points 20 → 25"), or describes what was
	// added or removed.
	Details []string `json:"details"`
	// Reviewed is the new (or, for a removal, old) review date of a rule.
	Reviewed string `json:"reviewed,omitempty"`
}

// Compare lists the changes from old to new, in the new file's order
// (removals after, in the old file's order).
//
// Rules and gates are owned by their owner: team; everything else (stages,
// grades, categories, defines, lists) belongs to the whole definition, so
// every team of the model's owners: signs it off.
func Compare(old, new *rules.Model) []Change {
	var out []Change
	out = append(out, compareRules(old, new)...)
	accountsOwned, accountsShared := compareAccounts(old.Accounts, new.Accounts)
	out = append(out, accountsOwned...)
	var shared []Change
	shared = append(shared, compareNamed("stage", stageDescs(old), stageDescs(new))...)
	shared = append(shared, compareNamed("grade", gradeDescs(old), gradeDescs(new))...)
	shared = append(shared, compareNamed("category", categoryDescs(old), categoryDescs(new))...)
	shared = append(shared, compareNamed("define", defineDescs(old), defineDescs(new))...)
	shared = append(shared, compareNamed("list", listDescs(old), listDescs(new))...)
	shared = append(shared, compareHandoff(old.Handoff, new.Handoff)...)
	shared = append(shared, compareHoldout(old.Holdout, new.Holdout)...)
	shared = append(shared, accountsShared...)
	var teams []string
	for _, o := range append(append([]dsl.Owner{}, old.Owners...), new.Owners...) {
		teams = owners(append(teams, o.Team.Value)...)
	}
	for i := range shared {
		shared[i].Owners = teams
	}
	return append(out, shared...)
}

// ChangedStages returns the ids of the stages whose condition changed.
func ChangedStages(changes []Change) map[string]bool {
	out := map[string]bool{}
	for _, c := range changes {
		if c.What == "stage" {
			out[c.Name] = true
		}
	}
	return out
}

// SignOff counts the changes each owning team must sign off, by team.
func SignOff(changes []Change) map[string]int {
	out := map[string]int{}
	for _, c := range changes {
		for _, o := range c.Owners {
			out[o]++
		}
		if len(c.Owners) == 0 {
			out["(no owner)"]++
		}
	}
	return out
}

func compareRules(old, new *rules.Model) []Change {
	all := func(m *rules.Model) []*rules.Rule { return append(append([]*rules.Rule{}, m.Rules...), m.Gates...) }
	var out []Change
	for _, n := range all(new) {
		o := old.Rule(n.ID)
		what := "rule"
		if n.IsGate() {
			what = "gate"
		}
		if o == nil {
			out = append(out, Change{Kind: "added", What: what, Name: n.ID, Owners: owners(n.Owner), Details: []string{describeRule(n)}, Reviewed: n.Reviewed})
			continue
		}
		if d := ruleDiff(o, n); len(d) > 0 {
			out = append(out, Change{Kind: "changed", What: what, Name: n.ID, Owners: owners(o.Owner, n.Owner), Details: d, Reviewed: n.Reviewed})
		}
	}
	for _, o := range all(old) {
		if new.Rule(o.ID) == nil {
			what := "rule"
			if o.IsGate() {
				what = "gate"
			}
			out = append(out, Change{Kind: "removed", What: what, Name: o.ID, Owners: owners(o.Owner), Details: []string{"was: " + describeRule(o)}, Reviewed: o.Reviewed})
		}
	}
	return out
}

func owners(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// describeRule says what a rule does in one line.
func describeRule(r *rules.Rule) string {
	var b strings.Builder
	if r.IsGate() {
		fmt.Fprintf(&b, "disqualifies (%s)", r.Disqualify)
	} else {
		fmt.Fprintf(&b, "%s %s", signed(r.Points), r.Category.Name)
	}
	if r.IsEvent() {
		fmt.Fprintf(&b, " per %s event", strings.Join(r.Events, " or "))
		b.WriteString(eventTerms(r))
	}
	if r.When != nil {
		fmt.Fprintf(&b, " when `%s`", oneLine(r.When.Source))
	}
	return b.String()
}

func eventTerms(r *rules.Rule) string {
	var parts []string
	if r.Limit > 0 {
		parts = append(parts, fmt.Sprintf("at most %d", r.Limit))
	}
	if r.Within > 0 {
		parts = append(parts, "within "+durOrEmpty(r.Within, r.WithinText))
	}
	if r.HalfLife > 0 {
		parts = append(parts, "half-life "+durOrEmpty(r.HalfLife, r.HalfLifeText))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func ruleDiff(o, n *rules.Rule) []string {
	var d []string
	change := func(what, a, b string) {
		if a != b {
			d = append(d, fmt.Sprintf("%s %s → %s", what, orDash(a), orDash(b)))
		}
	}
	if !o.IsGate() && !n.IsGate() {
		change("points", signed(o.Points), signed(n.Points))
		change("category", o.Category.Name, n.Category.Name)
	}
	change("when", code(o.When), code(n.When))
	change("events", strings.Join(o.Events, ", "), strings.Join(n.Events, ", "))
	change("limit", intOrEmpty(o.Limit), intOrEmpty(n.Limit))
	// A duration changes when its length does (14d → 2w is the same
	// window), and shows as each file writes it.
	if o.Within != n.Within {
		change("within", durOrEmpty(o.Within, o.WithinText), durOrEmpty(n.Within, n.WithinText))
	}
	if o.HalfLife != n.HalfLife {
		change("half-life", durOrEmpty(o.HalfLife, o.HalfLifeText), durOrEmpty(n.HalfLife, n.HalfLifeText))
	}
	change("owner", o.Owner, n.Owner)
	change("reason", o.Reason, n.Reason)
	change("disqualifies", o.Disqualify, n.Disqualify)
	change("reviewed", o.Reviewed, n.Reviewed)
	return d
}

func code(e *rules.Expr) string {
	if e == nil {
		return ""
	}
	return "`" + oneLine(e.Source) + "`"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func intOrEmpty(i int) string {
	if i == 0 {
		return ""
	}
	return strconv.Itoa(i)
}

// durOrEmpty writes a duration as the rule file does (text), or, for a
// model built without one, in its own units; "" when unset.
func durOrEmpty(d time.Duration, text string) string {
	if d == 0 {
		return ""
	}
	if text != "" {
		return text
	}
	return dsl.FormatDuration(d)
}

func signed(v float64) string {
	s := numfmt.Float(v, 'f', -1)
	if v >= 0 {
		s = "+" + s
	}
	return s
}

// named is something the models name, described in one line for comparing.
type named struct {
	name, desc string
}

func compareNamed(what string, old, new []named) []Change {
	find := func(list []named, name string) (named, bool) {
		for _, n := range list {
			if n.name == name {
				return n, true
			}
		}
		return named{}, false
	}
	var out []Change
	for _, n := range new {
		o, ok := find(old, n.name)
		switch {
		case !ok:
			out = append(out, Change{Kind: "added", What: what, Name: n.name, Details: []string{n.desc}})
		case o.desc != n.desc:
			out = append(out, Change{Kind: "changed", What: what, Name: n.name, Details: []string{o.desc + " → " + n.desc}})
		}
	}
	for _, o := range old {
		if _, ok := find(new, o.name); !ok {
			out = append(out, Change{Kind: "removed", What: what, Name: o.name, Details: []string{"was: " + o.desc}})
		}
	}
	return out
}

// compareHandoff lists the changes to the hand-off contract: the SLA and
// the recycle's hold-down (compared by length, shown as written), what a
// recycle resets, and each rejection reason.
func compareHandoff(old, new *rules.Handoff) []Change {
	var out []Change
	duration := func(name string, o, n time.Duration, oText, nText string) {
		show := func(d time.Duration, text string) string {
			if text != "" {
				return text
			}
			if d == 0 {
				return "none"
			}
			return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
		}
		switch {
		case o == n:
		case o == 0:
			out = append(out, Change{Kind: "added", What: "handoff", Name: name, Details: []string{show(n, nText)}})
		case n == 0:
			out = append(out, Change{Kind: "removed", What: "handoff", Name: name, Details: []string{"was: " + show(o, oText)}})
		default:
			out = append(out, Change{Kind: "changed", What: "handoff", Name: name, Details: []string{show(o, oText) + " → " + show(n, nText)}})
		}
	}
	var oh, nh rules.Handoff
	if old != nil {
		oh = *old
	}
	if new != nil {
		nh = *new
	}
	duration("sla", oh.SLA, nh.SLA, oh.SLAText, nh.SLAText)
	duration("hold", oh.Hold, nh.Hold, oh.HoldText, nh.HoldText)
	out = append(out, compareNamed("handoff", resetDescs(oh), resetDescs(nh))...)
	return append(out, compareNamed("reason", reasonDescs(oh), reasonDescs(nh))...)
}

func resetDescs(h rules.Handoff) []named {
	if len(h.Resets) == 0 {
		return nil
	}
	return []named{{"resets", strings.Join(h.Resets, ", ")}}
}

func reasonDescs(h rules.Handoff) []named {
	var out []named
	for _, r := range h.Reasons {
		d := r.Description
		if len(r.Contradicts) > 0 {
			d += " (contradicts " + strings.Join(r.Contradicts, ", ") + ")"
		}
		out = append(out, named{r.Code, d})
	}
	return out
}

func stageDescs(m *rules.Model) []named {
	var out []named
	for _, s := range m.Stages {
		d := code(s.When)
		if s.SalesReady {
			d += " (sales-ready)"
		}
		out = append(out, named{s.ID, d})
	}
	return out
}

func gradeDescs(m *rules.Model) []named {
	var out []named
	for _, g := range m.Grades {
		d := "always"
		if g.When != nil {
			d = code(g.When)
		}
		out = append(out, named{g.Name, d})
	}
	return out
}

func categoryDescs(m *rules.Model) []named {
	var out []named
	for _, c := range m.Categories {
		out = append(out, named{c.Name, fmt.Sprintf("%s..%s", bound(c.Min), bound(c.Max))})
	}
	return out
}

func bound(v float64) string {
	if math.IsInf(v, 0) {
		return ""
	}
	return numfmt.Float(v, 'f', -1)
}

func defineDescs(m *rules.Model) []named {
	var out []named
	for _, d := range m.Defines {
		out = append(out, named{d.Name, code(d.Expr)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func listDescs(m *rules.Model) []named {
	var out []named
	if m.Document == nil {
		return nil
	}
	for _, l := range m.Document.Lists {
		var items []string
		for _, it := range l.Items {
			items = append(items, it.Value)
		}
		out = append(out, named{l.Name.Value, "[" + strings.Join(items, ", ") + "]"})
	}
	return out
}
