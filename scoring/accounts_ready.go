package scoring

import (
	"context"
	"slices"
	"time"

	"github.com/leadscore/leadscore/rules"
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
// A person with no moment of its own (no creation time, no event) counts
// at every moment. When the account is sales-ready with such people alone
// (before any person with a moment arrives), it may have been so long
// before, and found is false: when is not known (SalesReadyMoment tells
// this apart from never).
//
// Every person who has arrived counts at each moment (a person's
// engagement and roles read the moment, not only its own events), scored
// again when one of its own moments has passed since the last (every
// moment when the model decays or reads the clock, or the person has
// sales' verdicts), so that people are scored a number of times linear in
// their moments; the account itself is still rolled up from every present
// person at each moment. A change
// that decay or the clock alone brings between two moments is found at
// the next moment, not at its own.
func (s *AccountScorer) FirstSalesReady(ctx context.Context, a Account, people []Lead, createdField string, asOf time.Time) (at time.Time, found bool, err error) {
	at, found, _, err = s.salesReadyIn(ctx, a, people, createdField, time.Time{}, false, asOf)
	return at, found, err
}

// SalesReadyMoment is FirstSalesReady telling "sales-ready, moment
// unknown" apart from never: unknown is true, and found false, when the
// account was sales-ready before any moment the replay knows (with its
// people who have no moment of their own alone, or, with no moment at all,
// at asOf).
func (s *AccountScorer) SalesReadyMoment(ctx context.Context, a Account, people []Lead, createdField string, asOf time.Time) (at time.Time, found, unknown bool, err error) {
	return s.salesReadyIn(ctx, a, people, createdField, time.Time{}, false, asOf)
}

// SalesReadyAfter is when the account was first sales-ready after the
// moment after (such as a recycle, its hold-down added) up to asOf,
// replayed at after itself (the hold's end is a moment of its own) and
// at the same moments as FirstSalesReady after it. An account sales-ready
// throughout is so again at after.
func (s *AccountScorer) SalesReadyAfter(ctx context.Context, a Account, people []Lead, createdField string, after, asOf time.Time) (at time.Time, found bool, err error) {
	at, found, _, err = s.salesReadyIn(ctx, a, people, createdField, after, true, asOf)
	return at, found, err
}

// salesReadyIn replays the account at its moments up to asOf, those after
// after when bounded (and after itself); unknown as SalesReadyMoment.
func (s *AccountScorer) salesReadyIn(ctx context.Context, a Account, people []Lead, createdField string, after time.Time, bounded bool, asOf time.Time) (at time.Time, found, unknown bool, err error) {
	arrivals := make([]time.Time, len(people))
	seen := map[time.Time]bool{}
	var times []time.Time
	mark := func(t time.Time) {
		t = t.UTC()
		if !t.After(asOf) && !seen[t] && (!bounded || t.After(after)) {
			seen[t] = true
			times = append(times, t)
		}
	}
	if bounded {
		// The end of a hold is a moment: an account sales-ready through it
		// is sales-ready again then, with no event of its own.
		if t := after.UTC(); !t.After(asOf) {
			seen[t] = true
			times = append(times, t)
		}
	}
	windows := s.windows()
	// own are each person's moments (a superset: every event and window
	// end, whatever the person's arrival), for the replay to score again
	// only the people with a moment since the last.
	own := make([][]time.Time, len(people))
	for i, p := range people {
		arrival := arrivalOf(p, createdField)
		arrivals[i] = arrival
		if !arrival.IsZero() {
			mark(arrival)
			own[i] = append(own[i], arrival)
		}
		for _, e := range p.Events {
			// An event before the person arrived is read from its arrival
			// on, and still leaves its windows when they end.
			if arrival.IsZero() || !e.At.Before(arrival) {
				mark(e.At)
			}
			own[i] = append(own[i], e.At)
			for _, ws := range [2][]time.Duration{windows.any, windows.byType[e.Type]} {
				for _, w := range ws {
					if end := e.At.Add(w); arrival.IsZero() || !end.Before(arrival) {
						mark(end)
					}
					own[i] = append(own[i], e.At.Add(w))
				}
			}
		}
	}
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	timeless := slices.ContainsFunc(arrivals, time.Time.IsZero)
	ps := make([]*Person, 0, len(people))
	if !bounded && (timeless || len(times) == 0) {
		// Before the first moment only the people with no moment of their
		// own count (none arrive later): sales-ready with them alone, the
		// account was so before any moment the replay knows. With no
		// moment at all, it is read at asOf.
		t := asOf
		if len(times) > 0 {
			t = times[0]
		}
		res, err := s.accountAt(ctx, a, people, arrivals, t, ps[:0], true)
		if err != nil {
			return time.Time{}, false, false, err
		}
		if res.SalesReady {
			return time.Time{}, false, true, nil
		}
	}
	// A person's result moves only at its own moments unless the model
	// reads the clock or decays, or the person has sales' verdicts (a
	// hold-down ends between them): the others are scored again only when
	// one of their moments has passed since the last moment replayed (the
	// account's roll-up at each moment still reads every present person).
	r := replayCache{own: own, full: s.full || s.movesWithClock()}
	for _, t := range times {
		res, err := s.accountAtCached(ctx, a, people, arrivals, t, ps[:0], &r)
		if err != nil {
			return time.Time{}, false, false, err
		}
		if res.SalesReady {
			return t, true, false, nil
		}
	}
	return time.Time{}, false, false, nil
}

// replayCache holds the people as last scored in a replay, and when.
type replayCache struct {
	own    [][]time.Time // each person's moments
	people []*Person     // as last scored; nil: not yet
	prev   time.Time     // the last moment replayed
	full   bool          // score every person at every moment
}

// accountAtCached is accountAt in a replay: a person with no moment of
// its own since the last moment replayed keeps its result.
func (s *AccountScorer) accountAtCached(ctx context.Context, a Account, people []Lead, arrivals []time.Time, t time.Time, ps []*Person, r *replayCache) (*AccountResult, error) {
	if r.people == nil {
		r.people = make([]*Person, len(people))
	}
	for i, p := range people {
		if !arrivals[i].IsZero() && arrivals[i].After(t) {
			continue
		}
		if q := r.people[i]; q == nil || r.full || len(p.Dispositions) > 0 || movesIn(r.own[i], r.prev, t) {
			q, err := s.PersonContext(ctx, p, t)
			if err != nil {
				return nil, err
			}
			r.people[i] = q
		}
		ps = append(ps, r.people[i])
	}
	r.prev = t
	return s.ScoreAccountContext(ctx, a, ps, t)
}

// movesIn reports whether a moment of ts is in (from, to].
func movesIn(ts []time.Time, from, to time.Time) bool {
	for _, m := range ts {
		if m.After(from) && !m.After(to) {
			return true
		}
	}
	return false
}

// movesWithClock reports whether a person's result may move between its
// own moments: the lead model decays events (half_life), or an
// expression of it or of the people reads the clock (now, daysSince,
// daysSinceLast: rules.Model.ReadsClock).
func (s *AccountScorer) movesWithClock() bool {
	s.clockOnce.Do(func() {
		m := s.leads.Model()
		decays := slices.ContainsFunc(slices.Concat(m.Rules, m.Gates), func(r *rules.Rule) bool { return r.HalfLife > 0 })
		people := slices.ContainsFunc(s.exprs, func(x *rules.Expr) bool { return rules.ExprReadsClock(x.Source) })
		s.clock = decays || people || m.ReadsClock()
	})
	return s.clock
}

// eventWindows are the windows after which an event of a type stops
// counting for some rule, events() count or the account's engaged window.
type eventWindows struct {
	byType map[string][]time.Duration
	any    []time.Duration // for every type
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
	for _, r := range s.am.Rollups {
		if r.Within > 0 {
			w.any = append(w.any, r.Within)
		}
	}
	return w
}

// AccountAt scores the account as FirstSalesReady's replay sees it at the
// moment at: with the people who had arrived by then (see FirstSalesReady),
// each scored as of at.
func (s *AccountScorer) AccountAt(ctx context.Context, a Account, people []Lead, createdField string, at time.Time) (*AccountResult, error) {
	arrivals := make([]time.Time, len(people))
	for i, p := range people {
		arrivals[i] = arrivalOf(p, createdField)
	}
	return s.accountAt(ctx, a, people, arrivals, at, nil, false)
}

// PresentAt are the people who had arrived by t, as the replay counts them
// (see FirstSalesReady): those whose creation time, or first event without
// one, is not after t, and those with neither.
func PresentAt(people []Lead, createdField string, t time.Time) []Lead {
	var out []Lead
	for _, p := range people {
		if a := arrivalOf(p, createdField); a.IsZero() || !a.After(t) {
			out = append(out, p)
		}
	}
	return out
}

// accountAt scores the account at t with the people arrived by then
// (only those with no arrival when timelessOnly), appending them to ps.
func (s *AccountScorer) accountAt(ctx context.Context, a Account, people []Lead, arrivals []time.Time, t time.Time, ps []*Person, timelessOnly bool) (*AccountResult, error) {
	for i, p := range people {
		if !arrivals[i].IsZero() && (timelessOnly || arrivals[i].After(t)) {
			continue
		}
		q, err := s.PersonContext(ctx, p, t)
		if err != nil {
			return nil, err
		}
		ps = append(ps, q)
	}
	return s.ScoreAccountContext(ctx, a, ps, t)
}

// arrivalOf is when a person arrived: its creation time read from
// createdField, or without one its first event; zero for neither.
func arrivalOf(p Lead, createdField string) time.Time {
	arrival := p.TimeField(createdField)
	created := !arrival.IsZero()
	for _, e := range p.Events {
		if !created && (arrival.IsZero() || e.At.Before(arrival)) {
			arrival = e.At
		}
	}
	return arrival
}
