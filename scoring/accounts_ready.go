package scoring

import (
	"context"
	"slices"
	"strings"
	"time"
)

// FirstSalesReady is when the account first became sales-ready, replayed
// up to asOf at each moment one of its people's results can change: when
// a person arrives (at its creation, read from createdField, or, without
// one, at its first event) and counts from then on, when it has an event,
// and when one of its events leaves a rule's window, an events() count's
// window or the account's engaged window (with no new event). found is
// false when it was not sales-ready at any of those moments by asOf. An
// account sales-ready on its own fields, before any person, is so from
// its first person's arrival.
//
// Only the people whose moment it is are scored again at each moment;
// the others keep their person from before, unless the lead model decays
// points or reads the clock (now, daysSince), when every person is scored
// again at every moment. A change that decay or the clock alone brings
// between two moments is found at the next moment, not at its own.
func (s *AccountScorer) FirstSalesReady(ctx context.Context, a Account, people []Lead, createdField string, asOf time.Time) (at time.Time, found bool, err error) {
	arrivals := make([]time.Time, len(people))
	// due lists, by moment, the people whose result can change then.
	due := map[time.Time][]int{}
	var times []time.Time
	mark := func(t time.Time, i int) {
		t = t.UTC()
		if t.After(asOf) {
			return
		}
		if _, ok := due[t]; !ok {
			times = append(times, t)
		}
		due[t] = append(due[t], i)
	}
	windows := s.windows()
	for i, p := range people {
		arrival := p.TimeField(createdField)
		created := !arrival.IsZero()
		for _, e := range p.Events {
			if !created && (arrival.IsZero() || e.At.Before(arrival)) {
				arrival = e.At
			}
		}
		arrivals[i] = arrival
		if !arrival.IsZero() {
			mark(arrival, i)
		}
		for _, e := range p.Events {
			if !arrival.IsZero() && e.At.Before(arrival) {
				continue // before the person arrived: read at its arrival
			}
			mark(e.At, i)
			for _, w := range windows.of(e.Type) {
				mark(e.At.Add(w), i)
			}
		}
	}
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	moving := s.movesWithTime()
	current := make([]*Person, len(people))
	ps := make([]*Person, 0, len(people))
	for _, t := range times {
		for i, p := range people {
			if !arrivals[i].IsZero() && arrivals[i].After(t) {
				continue
			}
			if current[i] != nil && !moving && !slices.Contains(due[t], i) {
				continue
			}
			q, err := s.PersonContext(ctx, p, t)
			if err != nil {
				return time.Time{}, false, err
			}
			current[i] = q
		}
		ps = ps[:0]
		for _, q := range current {
			if q != nil {
				ps = append(ps, q)
			}
		}
		res, err := s.ScoreAccountContext(ctx, a, ps, t)
		if err != nil {
			return time.Time{}, false, err
		}
		if res.SalesReady {
			return t, true, nil
		}
	}
	return time.Time{}, false, nil
}

// eventWindows are the windows after which an event of a type stops
// counting for some rule, events() count or the account's engaged window.
type eventWindows struct {
	byType map[string][]time.Duration
	any    []time.Duration // for every type
}

func (w eventWindows) of(typ string) []time.Duration {
	return append(slices.Clone(w.any), w.byType[typ]...)
}

// windows lists the lead model's and the account's event windows.
func (s *AccountScorer) windows() eventWindows {
	w := eventWindows{byType: map[string][]time.Duration{}}
	m := s.leads.Model()
	for _, r := range slices.Concat(m.Rules, m.Gates) {
		if r.Within <= 0 {
			continue
		}
		if len(r.Events) == 0 {
			w.any = append(w.any, r.Within)
		}
		for _, t := range r.Events {
			w.byType[t] = append(w.byType[t], r.Within)
		}
	}
	for _, g := range m.EventAggregates() {
		if g.Window <= 0 {
			continue
		}
		if g.Type == "" {
			w.any = append(w.any, g.Window)
		} else {
			w.byType[g.Type] = append(w.byType[g.Type], g.Window)
		}
	}
	if d := s.am.EngagedWithin; d > 0 {
		w.any = append(w.any, d)
	}
	return w
}

// movesWithTime reports whether a person's result can change with time
// alone, between its events and windows: a rule decays its points, or an
// expression of the lead model may read the clock (a conservative look
// at its sources).
func (s *AccountScorer) movesWithTime() bool {
	m := s.leads.Model()
	var srcs []string
	for _, d := range m.Defines {
		srcs = append(srcs, d.Expr.Source)
	}
	for _, r := range slices.Concat(m.Rules, m.Gates) {
		if r.HalfLife > 0 {
			return true
		}
		if r.When != nil {
			srcs = append(srcs, r.When.Source)
		}
	}
	if m.Total != nil {
		srcs = append(srcs, m.Total.Source)
	}
	for _, g := range m.Grades {
		if g.When != nil {
			srcs = append(srcs, g.When.Source)
		}
	}
	for _, st := range m.Stages {
		if st.When != nil {
			srcs = append(srcs, st.When.Source)
		}
	}
	for _, r := range s.am.Roles {
		if r.When != nil {
			srcs = append(srcs, r.When.Source)
		}
	}
	if s.am.Engaged != nil {
		srcs = append(srcs, s.am.Engaged.Source)
	}
	for _, r := range s.am.Rollups {
		if r.Of != nil {
			srcs = append(srcs, r.Of.Source)
		}
		if r.When != nil {
			srcs = append(srcs, r.When.Source)
		}
	}
	for _, src := range srcs {
		if strings.Contains(src, "now") || strings.Contains(src, "daysSince") {
			return true
		}
	}
	return false
}
