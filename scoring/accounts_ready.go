package scoring

import (
	"context"
	"slices"
	"time"
)

// FirstSalesReady is when the account first became sales-ready, replayed
// up to asOf at each moment one of its people arrived or had an event (a
// person arrives at its creation, read from createdField, or, without one,
// at its first event, and counts from then on); found is false when it
// never was by asOf at those moments. An account sales-ready on its own
// fields, before any person, is so from its first person's arrival.
func (s *AccountScorer) FirstSalesReady(ctx context.Context, a Account, people []Lead, createdField string, asOf time.Time) (at time.Time, found bool, err error) {
	arrivals := make([]time.Time, len(people))
	var times []time.Time
	for i, p := range people {
		arrival := p.TimeField(createdField)
		created := !arrival.IsZero()
		for _, e := range p.Events {
			if !created && (arrival.IsZero() || e.At.Before(arrival)) {
				arrival = e.At
			}
			times = append(times, e.At)
		}
		arrivals[i] = arrival
		if !arrival.IsZero() {
			times = append(times, arrival)
		}
	}
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	times = slices.CompactFunc(times, func(x, y time.Time) bool { return x.Equal(y) })
	ps := make([]*Person, 0, len(people))
	for _, t := range times {
		if t.After(asOf) {
			break
		}
		ps = ps[:0]
		for i, p := range people {
			if !arrivals[i].IsZero() && arrivals[i].After(t) {
				continue
			}
			q, err := s.PersonContext(ctx, p, t)
			if err != nil {
				return time.Time{}, false, err
			}
			ps = append(ps, q)
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
