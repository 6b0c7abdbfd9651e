package stream

import (
	"context"
	"slices"
	"time"

	"github.com/leadscore/leadscore/scoring"
)

// gridSteps is how many evenly spaced times NextChange looks at, besides
// the window expiries, when decay or the clock moves the score between them.
const gridSteps = 128

// NextChange returns the first time after asOf at which the lead's stage or
// grade changes with no new event (an event leaving a rule's window or an
// events() count, decay taking a category below a threshold, a condition
// on the clock such as daysSince(created_at) > 60), with the lead's fields
// as given; ok is false when nothing changes. A backend schedules one
// re-check at that time, and a new event replaces it.
//
// Window expiries are exact breakpoints. When no kept event decays and no
// expression reads the clock (now, daysSince, daysSinceLast), the result
// changes only at them, and NextChange is exact. Otherwise it also looks at
// 128 evenly spaced times up to the last expiry plus a year (or the
// model's longest window) when an expression reads the clock, and 64
// half-lives of the slowest decay (after which the points are within 2^-64
// of their limit), and finds the moment of a change to the
// nanosecond by bisection: a change that comes and goes between two of
// those times (a condition that is not monotonic in time) is missed.
// Under a model whose stage and grade each move one way only with time,
// it finds the same moment from a few of those times (see
// NextChangeWithDispositions).
func (st *State) NextChange(fields any, asOf time.Time) (at time.Time, ok bool, err error) {
	return st.NextChangeWithDispositions(context.Background(), fields, nil, asOf)
}

// NextChangeContext is NextChange, stopped when ctx is done.
func (st *State) NextChangeContext(ctx context.Context, fields any, asOf time.Time) (at time.Time, ok bool, err error) {
	return st.NextChangeWithDispositions(ctx, fields, nil, asOf)
}

// NextChangeWithDispositions is NextChange for a lead with sales'
// dispositions (see ScoreWithDispositions): the end of a recycle's
// hold-down, and a disposition given after asOf, are moments of change too.
//
// Under a model whose stage and grade each move one way only as time
// passes (see monotone), for a lead with no dispositions, the result
// once changed never comes back: NextChange then looks at the last of the
// times it probes, and when the result changed by then finds the first
// probe that changed by galloping and bisection, not one by one. The time
// it gives is the one the scan of every probe gives, with a few score
// evaluations instead of a hundred or more; should one of them fail, it
// scans, and reports the error the scan meets.
func (st *State) NextChangeWithDispositions(ctx context.Context, fields any, dispositions []scoring.Disposition, asOf time.Time) (at time.Time, ok bool, err error) {
	p, err := st.newProbe(ctx, fields, dispositions, asOf)
	if err != nil {
		return time.Time{}, false, err
	}
	times := st.probeTimes(asOf, dispositions)
	if st.sc.monotone && len(dispositions) == 0 {
		if at, ok, err := p.search(times, asOf); err == nil {
			return at, ok, nil
		}
	}
	return p.scan(times, asOf)
}

// nextChangeScan is NextChangeWithDispositions by a scan of every probe
// time in order, whatever the model: the reference the search is tested
// against.
func (st *State) nextChangeScan(ctx context.Context, fields any, dispositions []scoring.Disposition, asOf time.Time) (at time.Time, ok bool, err error) {
	p, err := st.newProbe(ctx, fields, dispositions, asOf)
	if err != nil {
		return time.Time{}, false, err
	}
	return p.scan(st.probeTimes(asOf, dispositions), asOf)
}

// probe tells whether a lead's stage and grade at a time are those of its
// base score.
type probe struct {
	st           *State
	ctx          context.Context
	fields       any
	dispositions []scoring.Disposition
	base         *scoring.Result
}

func (st *State) newProbe(ctx context.Context, fields any, dispositions []scoring.Disposition, asOf time.Time) (*probe, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	base, err := st.ScoreWithDispositions(ctx, fields, dispositions, asOf)
	if err != nil {
		return nil, err
	}
	return &probe{st: st, ctx: ctx, fields: fields, dispositions: dispositions, base: base}, nil
}

// same reports whether the stage and grade at t are the base score's.
func (p *probe) same(t time.Time) (bool, error) {
	st := p.st
	if err := st.refuseResets(p.dispositions, t); err != nil {
		return false, err
	}
	r, err := st.score(p.ctx, st.sc.quiet, p.fields, p.dispositions, t) // the base score reported unknown data
	if err != nil {
		return false, err
	}
	return r.Stage == p.base.Stage && r.Grade == p.base.Grade, nil
}

// probeTimes returns, in order, the times after asOf the scan looks at:
// the window expiries, the dispositions and the ends of their hold-downs,
// and, when decay or the clock moves the result between them, gridSteps
// evenly spaced times up to the last of them plus continuousSpan.
func (st *State) probeTimes(asOf time.Time, dispositions []scoring.Disposition) []time.Time {
	times := st.expiries(asOf)
	if len(dispositions) > 0 {
		var hold time.Duration
		if h := st.sc.m.Handoff; h != nil {
			hold = h.Hold
		}
		for _, d := range dispositions {
			for _, t := range []time.Time{d.At, d.At.Add(hold)} {
				if t.After(asOf) {
					times = append(times, t)
				}
			}
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		times = slices.CompactFunc(times, func(a, b time.Time) bool { return a.Equal(b) })
	}
	if span := st.continuousSpan(); span > 0 {
		end := asOf
		if n := len(times); n > 0 {
			end = times[n-1]
		}
		end = end.Add(span)
		step := end.Sub(asOf) / gridSteps
		for i := 1; i <= gridSteps; i++ {
			times = append(times, asOf.Add(time.Duration(i)*step))
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		times = slices.CompactFunc(times, func(a, b time.Time) bool { return a.Equal(b) })
	}
	return times
}

// scan looks at the times in order, and finds the moment of the first
// change by bisection between the last time with the base result and the
// first without.
func (p *probe) scan(times []time.Time, asOf time.Time) (time.Time, bool, error) {
	lo := asOf
	for _, t := range times {
		ok, err := p.same(t)
		if err != nil {
			return time.Time{}, false, err
		}
		if ok {
			lo = t
			continue
		}
		return p.bisect(lo, t)
	}
	return time.Time{}, false, nil
}

// search is scan for a result that, once changed, never comes back (so
// that the times with the base result are a prefix of times): it looks at
// the last time, then gallops from the first and bisects to the first time
// without the base result, and bisects between it and the time before as
// scan does, so it gives what scan gives.
func (p *probe) search(times []time.Time, asOf time.Time) (time.Time, bool, error) {
	n := len(times)
	if n == 0 {
		return time.Time{}, false, nil
	}
	ok, err := p.same(times[n-1])
	if err != nil || ok {
		return time.Time{}, false, err
	}
	lo, hi := -1, n-1 // the base result at times[lo] (asOf for -1), another at times[hi]
	for step := 1; lo+step < hi; step *= 2 {
		i := lo + step
		ok, err := p.same(times[i])
		if err != nil {
			return time.Time{}, false, err
		}
		if !ok {
			hi = i
			break
		}
		lo = i
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := p.same(times[mid])
		if err != nil {
			return time.Time{}, false, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	from, to := asOf, times[hi]
	if lo >= 0 {
		from = times[lo]
	}
	// Most changes come as a window expires, at a probe time itself: then
	// the result a nanosecond before it is still the base's. As the change
	// is the only one between from and to, bisection would find it there.
	if to.Sub(from) > 1 {
		ok, err := p.same(to.Add(-1))
		if err != nil {
			return time.Time{}, false, err
		}
		if ok {
			return to, true, nil
		}
		to = to.Add(-1)
	}
	return p.bisect(from, to)
}

// bisect returns the first moment in (lo, hi] without the base result,
// the result at lo being the base's and at hi not, to the nanosecond.
func (p *probe) bisect(lo, hi time.Time) (time.Time, bool, error) {
	for hi.Sub(lo) > 1 {
		mid := lo.Add(hi.Sub(lo) / 2)
		ok, err := p.same(mid)
		if err != nil {
			return time.Time{}, false, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, true, nil
}

// expiries returns, in order, the times after asOf at which a kept event
// leaves a rule's window or an events() count.
func (st *State) expiries(asOf time.Time) []time.Time {
	var out []time.Time
	for slot, es := range st.kept {
		if w := st.sc.rules[slot].Within; w > 0 {
			for _, x := range es {
				if t := x.e.At.Add(w); t.After(asOf) {
					out = append(out, t)
				}
			}
		}
	}
	for _, k := range st.sc.windowed {
		w := st.sc.aggs[k].Window
		for _, at := range st.times[k] {
			if t := at.Add(w); t.After(asOf) {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

// continuousSpan returns how far past the last expiry the result may still
// move with time alone: a year, or the model's longest window if longer,
// when an expression reads the clock; 64 half-lives of the slowest decaying rule that holds events;
// 0 when nothing moves between expiries.
func (st *State) continuousSpan() time.Duration {
	var span time.Duration
	if st.sc.readsClock {
		span = max(st.sc.horizon.Window, 365*24*time.Hour)
	}
	for slot, es := range st.kept {
		if hl := st.sc.rules[slot].HalfLife; hl > 0 && len(es) > 0 {
			span = max(span, 64*hl)
		}
	}
	return span
}
