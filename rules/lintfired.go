package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
)

// minLeadsForAlways is the fewest scored leads on which LintFired reports a
// rule that fired on every one: on a handful of leads that says little.
const minLeadsForAlways = 10

// Firings is what a set of leads scored with a model did: how many leads
// each scoring rule and gate fired on, and which rules the model's test
// cases fire, for LintFired.
type Firings struct {
	// Leads is how many leads were scored, From names them in messages
	// ("leads.ndjson") and AsOf is when they were scored.
	Leads int
	From  string
	AsOf  time.Time
	// Rules[i] counts the leads Model.Rules[i] fired on, Gates[i] those
	// Model.Gates[i] disqualified.
	Rules, Gates []int
	// Cases is how many test cases were run, CasesFrom names their files,
	// and Tested holds the ids of the rules and gates some case fired.
	Cases     int
	CasesFrom string
	Tested    map[string]bool
	// Linted leaves out the rules Lint says can never or always fire
	// (a condition decided without a lead, a rule without when), for a
	// caller that reports Lint's findings too.
	Linted bool
}

// LintFired returns, as positioned warnings, each scoring rule and gate
// that fired on none of the leads of f and on no test case, and each lead
// rule or gate (not an event rule) that fired on every lead, when there are
// at least 10 of them. It reports nothing when no lead was
// scored, and ignores counts that do not match the model.
func LintFired(m *Model, f Firings) dsl.Diagnostics {
	if f.Leads == 0 || len(f.Rules) != len(m.Rules) || len(f.Gates) != len(m.Gates) {
		return nil
	}
	l := &linter{m: m, doc: m.Document}
	for _, r := range m.Rules {
		l.fired(r, f.Rules[r.Index], f)
	}
	for _, g := range m.Gates {
		l.fired(g, f.Gates[g.Index], f)
	}
	l.diags.Sort()
	return l.diags
}

func (l *linter) fired(r *Rule, n int, f Firings) {
	if f.Linted && l.decided(r) {
		return
	}
	pos := r.Pos
	if r.When != nil {
		pos = r.When.Pos
	}
	kind, verb, fix := "rule", "fired on", "add a test case that fires it"
	if r.IsGate() {
		kind, verb, fix = "gate", "disqualified", "add a test case it disqualifies"
	}
	leads := "leads in " + f.From
	if f.Leads == 1 {
		leads = "lead in " + f.From
	}
	if r.IsEvent() {
		leads += " as of " + f.AsOf.Format(time.RFC3339)
	}
	switch {
	case n == 0 && !f.Tested[r.ID]:
		cases := ""
		switch {
		case f.Cases == 1:
			cases = ", nor on the test case in " + f.CasesFrom
		case f.Cases > 1:
			cases = fmt.Sprintf(", nor on any of the %d test cases in %s", f.Cases, f.CasesFrom)
		}
		check := "check its condition against the data"
		if r.IsEvent() {
			none := "none has " + article(strings.Join(r.Events, " or ")) + " event"
			if r.Within > 0 {
				none += " in the " + r.WithinText + " before then"
			}
			if r.When != nil {
				none += " that meets its condition"
			}
			check = none + "; give --at a time near the leads' events, or check the event type"
			if r.When != nil {
				check += " and the condition against the data"
			}
		}
		if r.When != nil {
			check += " (a value spelt or capitalised otherwise than the leads have it, a field they leave empty, a threshold none reaches)"
		}
		l.warn(pos, "%s %s %s 0 of %d %s%s: %s; if such leads are only rare, %s",
			kind, r.ID, verb, f.Leads, leads, cases, check, fix)
	case n == f.Leads && f.Leads >= minLeadsForAlways && !r.IsEvent() && r.When != nil:
		if r.IsGate() {
			l.warn(pos, "gate %s disqualified all %d %s, so none can be sales-ready: check its condition (a ! or != the wrong way round, a field every lead has)",
				r.ID, f.Leads, leads)
			return
		}
		l.warn(pos, "rule %s fired on all %d %s: its %s points go to every lead and put none above another; if its condition is true for every lead, narrow it or remove the rule",
			r.ID, f.Leads, leads, trimFloat(r.Points))
	}
}

// decided reports whether Lint says the rule can never or always fire: it
// has no when (a lead rule), or its condition does not depend on the lead,
// or holds contradictory bounds.
func (l *linter) decided(r *Rule) bool {
	if r.When == nil {
		return !r.IsEvent()
	}
	if v := l.constant(r.When.Clause); v != nil && !(*v && r.IsEvent()) {
		return true
	}
	return contradiction(r.When.Clause) != ""
}

// article puts "a" or "an" before a word.
func article(w string) string {
	if w != "" && strings.ContainsRune("aeiou", rune(w[0])) {
		return "an " + w
	}
	return "a " + w
}
