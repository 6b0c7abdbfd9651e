package scoring

import (
	"slices"
	"time"

	"github.com/leadscore/leadscore/rules"
)

// Cost is what one step of scoring a lead costs, on average per lead of a
// sample: so that rule authors see what a rule costs before they ship it.
type Cost struct {
	// Kind is define, gate, rule, event gate, event rule, total, grade or
	// stage for a step of the model, with Name its id or name; data for
	// reading the lead (Name says what); other for the rest.
	Kind, Name string
	// NsPerLead is the average time, in nanoseconds, the step took per
	// lead, measured as Score does it (see Costs).
	NsPerLead float64
	// Evaluations is how many times per lead, on average, Score runs the
	// step: 1 for a define or a lead rule; for an event rule or gate, the
	// events of its types in its window by the as-of time (with a
	// condition: the times the condition ran); for a grade, the share of
	// leads whose earlier grades do not hold. 0 for data and other.
	Evaluations float64
	// RunsAs says how the step's expression runs: "compiled Go" (Go code
	// compiled from its shape), "expr VM" (expr's virtual machine, several
	// times slower), or "" for a step without one.
	RunsAs string
}

// MaxCostErrors is how many of the failed leads' errors a CostReport keeps.
const MaxCostErrors = 3

// CostReport is what Costs measured.
type CostReport struct {
	// Leads is how many leads were measured; Failed how many were left out
	// because their data does not fit the schema.
	Leads, Failed int
	// Errors are why the first failed leads failed, at most MaxCostErrors
	// of them, in the order of the leads.
	Errors []error
	// NsPerLead is the time a whole Score took, on average per lead.
	NsPerLead float64
	// Costs lists every step, most costly first: each define, gate, rule,
	// grade and stage with a condition, the total expression, reading the
	// lead's data, and last "other", the part of NsPerLead the steps
	// above do not account for: building the result, and what a step
	// costs in the midst of the others that timing it apart, rounds
	// times in a row with warm caches, does not see. So the steps add up
	// to NsPerLead.
	Costs []Cost
}

// Costs measures, on one goroutine, what each step of scoring costs on the
// leads as of asOf, taking the steps as Score takes them: event rules see
// only the events in their window, grades stop at the first that holds.
// Each lead is scored, and each of its steps run, rounds times (at least
// once) in a row and timed; the cost of reading the clock is taken off.
// Timings depend on the machine and its load: compare the figures of one
// run. A model whose lead expressions do not all compile to Go runs them
// as one program on expr's VM; each is then timed on its own, and the
// difference falls into "other".
func (s *Scorer) Costs(leads []Lead, asOf time.Time, rounds int) CostReport {
	rounds = max(rounds, 1)
	m := s.model
	type step struct {
		cost  Cost
		spent time.Duration
		evals int
	}
	var steps []*step
	compiled := newEvaluator(m).Compiled
	add := func(kind, name string, x *rules.Expr) *step {
		st := &step{cost: Cost{Kind: kind, Name: name}}
		if x != nil {
			st.cost.RunsAs = "expr VM"
			if compiled(x) {
				st.cost.RunsAs = "compiled Go"
			}
		}
		steps = append(steps, st)
		return st
	}
	bind := add("data", "binding the fields, counting the events", nil)
	var unknown *step
	if s.unknown != IgnoreUnknown {
		unknown = add("data", "looking for data the model does not declare", nil)
	}
	defines := make([]*step, len(m.Defines))
	for i, d := range m.Defines {
		defines[i] = add("define", d.Name, d.Expr)
	}
	byRule := map[*rules.Rule]*step{}
	gatesAndRules := append(slices.Clone(m.Gates), m.Rules...)
	for _, r := range gatesAndRules {
		kind := "rule"
		if r.IsGate() {
			kind = "gate"
		}
		if r.IsEvent() {
			kind = "event " + kind
		}
		byRule[r] = add(kind, r.ID, r.When)
	}
	var total *step
	if m.Total != nil {
		total = add("total", "total", m.Total)
	}
	grades := make([]*step, len(m.Grades))
	for i, g := range m.Grades {
		if g.When != nil { // a grade without a condition costs nothing
			grades[i] = add("grade", g.Name, g.When)
		}
	}
	stages := make([]*step, len(m.Stages))
	for i, st := range m.Stages {
		stages[i] = add("stage", st.ID, st.When)
	}

	// timed runs f rounds times and charges the time, less the clock's, to st.
	overhead := clockOverhead(rounds)
	timed := func(st *step, f func()) {
		start := time.Now()
		for range rounds {
			f()
		}
		st.spent += max(time.Since(start)-overhead, 0)
	}

	var rep CostReport
	var whole time.Duration
	env := s.newEvaluation().env
	ages := make([][]time.Duration, len(m.Rules)) // by rule index: the matching events' ages
	for _, lead := range leads {
		res, err := s.Score(lead, asOf)
		if err != nil {
			rep.Failed++
			if len(rep.Errors) < MaxCostErrors {
				rep.Errors = append(rep.Errors, err)
			}
			continue
		}
		rep.Leads++
		start := time.Now()
		for range rounds {
			_, _ = s.Score(lead, asOf)
		}
		whole += time.Since(start)

		timed(bind, func() { _ = begin(env, lead, asOf, nil) })
		if unknown != nil {
			timed(unknown, func() { _ = boundUnknowns(env, m, lead) })
		}
		_ = env.EvalDefines() // sets the defines, which later steps read; Score did not fail
		for i, d := range m.Defines {
			timed(defines[i], func() { _, _ = env.Eval(d.Expr) })
			defines[i].evals++
		}
		for _, r := range gatesAndRules {
			if !r.IsEvent() {
				timed(byRule[r], func() { _, _ = env.Bool(r.When) })
				byRule[r].evals++
			}
		}

		// The events, as Scorer.events takes them.
		for i := range ages {
			ages[i] = ages[i][:0]
		}
		for i := range lead.Events {
			e := &lead.Events[i]
			rs := env.EventRules(i)
			if len(rs) == 0 || e.At.After(asOf) {
				continue
			}
			bound := false
			for _, r := range rs {
				counts, holds := false, false
				bindEvent := !bound && r.When != nil
				timed(byRule[r], func() {
					counts = env.Counts(e.At, r.Within)
					holds = counts
					if counts && r.When != nil {
						if bindEvent {
							_ = env.SetEvent(e)
						}
						holds, _ = env.Bool(r.When)
					}
				})
				if counts {
					byRule[r].evals++
					bound = bound || r.When != nil
				}
				if holds && !r.IsGate() {
					ages[r.Index] = append(ages[r.Index], asOf.Sub(e.At))
				}
			}
		}
		for _, r := range m.Rules {
			if r.IsEvent() && len(ages[r.Index]) > 0 {
				timed(byRule[r], func() { eventPoints(r, r.Points, ages[r.Index]) })
			}
		}

		for i, c := range res.Categories {
			env.SetCategory(i, c.Score)
		}
		if total != nil {
			timed(total, func() { _, _ = env.Float(m.Total) })
			total.evals++
		}
		env.SetTotal(res.Total)
		for i, g := range m.Grades {
			if g.When == nil {
				break
			}
			holds := false
			timed(grades[i], func() { holds, _ = env.Bool(g.When) })
			grades[i].evals++
			if holds {
				break
			}
		}
		env.Set("grade", res.Grade)
		for i, st := range m.Stages {
			timed(stages[i], func() { _, _ = env.Bool(st.When) })
			stages[i].evals++
		}
	}
	if rep.Leads == 0 {
		return rep
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(rep.Leads*rounds) }
	rep.NsPerLead = per(whole)
	other := rep.NsPerLead
	for _, st := range steps {
		st.cost.NsPerLead = per(st.spent)
		st.cost.Evaluations = float64(st.evals) / float64(rep.Leads)
		other -= st.cost.NsPerLead
		rep.Costs = append(rep.Costs, st.cost)
	}
	slices.SortStableFunc(rep.Costs, func(a, b Cost) int {
		switch {
		case a.NsPerLead > b.NsPerLead:
			return -1
		case a.NsPerLead < b.NsPerLead:
			return 1
		}
		return 0
	})
	rep.Costs = append(rep.Costs, Cost{Kind: "other", Name: "building the result, and what timing each step apart misses", NsPerLead: other})
	return rep
}

// clockOverhead is what timing rounds runs of an empty step costs: two
// reads of the clock and the calls, the least of many tries.
func clockOverhead(rounds int) time.Duration {
	f := func() {}
	least := time.Duration(1 << 62)
	for range 200 {
		start := time.Now()
		for range rounds {
			f()
		}
		least = min(least, time.Since(start))
	}
	return least
}
