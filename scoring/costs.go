package scoring

import (
	"slices"
	"time"

	"github.com/leadscore/leadscore/internal/evalhook"
	"github.com/leadscore/leadscore/rules"
)

// Cost is what one expression of a model costs to evaluate, on average per
// lead of a sample: so that rule authors see what a rule costs before they
// ship it.
type Cost struct {
	// Kind is define, gate, rule, event rule, event gate, total, grade or
	// stage; Name is its id or name.
	Kind, Name string
	// NsPerLead is the average time, in nanoseconds, its evaluation took
	// per lead (for an event rule: over the lead's events of its types).
	NsPerLead float64
	// Compiled tells that the expression runs as Go code compiled from
	// its shape; otherwise it runs on expr's virtual machine, several
	// times slower.
	Compiled bool
}

// Costs measures, on one goroutine, what each expression of the model
// costs on the leads as of asOf: each is evaluated rounds times per lead
// (at least once) and timed. Leads whose data does not fit the schema are
// skipped; the second result counts the leads measured. Timings depend on
// the machine and its load: compare the costs of one run with each other.
func (s *Scorer) Costs(leads []Lead, asOf time.Time, rounds int) ([]Cost, int) {
	rounds = max(rounds, 1)
	m := s.model
	type item struct {
		cost  Cost
		x     *rules.Expr
		event *rules.Rule
		spent time.Duration
	}
	var items []*item
	add := func(kind, name string, x *rules.Expr, event *rules.Rule) {
		if x != nil {
			items = append(items, &item{cost: Cost{Kind: kind, Name: name, Compiled: evalhook.Compiled(x)}, x: x, event: event})
		}
	}
	for _, d := range m.Defines {
		add("define", d.Name, d.Expr, nil)
	}
	for _, r := range append(slices.Clone(m.Gates), m.Rules...) {
		kind := "rule"
		if r.IsGate() {
			kind = "gate"
		}
		if r.IsEvent() {
			add("event "+kind, r.ID, r.When, r)
		} else {
			add(kind, r.ID, r.When, nil)
		}
	}
	add("total", "total", m.Total, nil)
	for _, g := range m.Grades {
		add("grade", g.Name, g.When, nil)
	}
	for _, st := range m.Stages {
		add("stage", st.ID, st.When, nil)
	}

	env := s.newEvaluation().env
	measured := 0
	for _, lead := range leads {
		res, err := s.Score(lead, asOf)
		if err != nil {
			continue
		}
		if begin(env, lead, asOf, nil) != nil || env.EvalDefines() != nil {
			continue
		}
		for i, c := range res.Categories {
			env.SetCategory(i, c.Score)
		}
		env.SetTotal(res.Total)
		env.Set("grade", res.Grade)
		measured++
		for _, it := range items {
			if it.event == nil {
				env.ResetBudget()
				start := time.Now()
				for range rounds {
					_, _ = env.Eval(it.x)
				}
				it.spent += time.Since(start)
				continue
			}
			for i := range lead.Events {
				e := &lead.Events[i]
				if !slices.Contains(it.event.Events, e.Type) || e.At.After(asOf) || env.SetEvent(e) != nil {
					continue
				}
				env.ResetBudget()
				start := time.Now()
				for range rounds {
					_, _ = env.Bool(it.x)
				}
				it.spent += time.Since(start)
			}
		}
	}
	out := make([]Cost, len(items))
	for i, it := range items {
		out[i] = it.cost
		if measured > 0 {
			out[i].NsPerLead = float64(it.spent.Nanoseconds()) / float64(measured*rounds)
		}
	}
	slices.SortStableFunc(out, func(a, b Cost) int {
		switch {
		case a.NsPerLead > b.NsPerLead:
			return -1
		case a.NsPerLead < b.NsPerLead:
			return 1
		}
		return 0
	})
	return out, measured
}
