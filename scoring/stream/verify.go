package stream

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/leadscore/leadscore/rules"
)

// verify builds the state w describes and returns an error saying where it
// breaks an invariant Add keeps, if it does (see Load). The error names the
// stored field ("events[3]", "counts[1]") and what is wrong.
func (sc *Scorer) verify(w *stored) (*State, error) {
	st := sc.NewState(w.Lead)
	if w.Added < 0 {
		return nil, fmt.Errorf(`"added" is %d; a count of events taken cannot be negative`, w.Added)
	}
	st.added = w.Added
	if w.Latest != nil {
		if w.Latest.IsZero() {
			return nil, fmt.Errorf(`"latest" is the zero time; a state that took no event has no "latest"`)
		}
		st.clock = *w.Latest
	}
	clock := st.clock
	latest := `no "latest"`
	if !clock.IsZero() {
		latest = `"latest" ` + stamp(clock)
		if w.Added == 0 {
			return nil, fmt.Errorf(`"latest" is %s, but "added" is 0: no event was taken`, stamp(clock))
		}
	}
	if err := sc.verifyAggregates(w, st, latest); err != nil {
		return nil, err
	}
	if err := sc.verifyEvents(w, st, latest); err != nil {
		return nil, err
	}
	return st, sc.verifyTotals(w, st)
}

// stamp formats a time for a message.
func stamp(t time.Time) string { return t.Format(time.RFC3339Nano) }

// aggName describes the aggregate of a slot as an expression reads it.
func (sc *Scorer) aggName(k int) string {
	a := sc.aggs[k]
	switch {
	case a.Last:
		return fmt.Sprintf("daysSinceLast(%q)", a.Type)
	case a.Window > 0:
		return fmt.Sprintf("events(%q, %q)", a.Type, span(a.Window))
	}
	return fmt.Sprintf("events(%q)", a.Type)
}

// span formats a window or an age in days when it is whole days.
func span(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// verifyAggregates fills the state's aggregates from w, checking each on
// its own: the kind of value its slot keeps, its sign, its order, and its
// times against the latest event.
func (sc *Scorer) verifyAggregates(w *stored, st *State, latest string) error {
	if w.Counts == nil && w.Lasts == nil && w.Times == nil {
		return nil
	}
	n := len(sc.aggs)
	if len(w.Counts) != n || len(w.Lasts) != n || len(w.Times) != n {
		return fmt.Errorf(`"counts", "lasts" and "times" hold %d, %d and %d event aggregates; the model has %d`, len(w.Counts), len(w.Lasts), len(w.Times), n)
	}
	clock := st.clock
	for k, a := range sc.aggs {
		name := sc.aggName(k)
		switch c := w.Counts[k]; {
		case c < 0:
			return fmt.Errorf("counts[%d] (%s) is %d; a count cannot be negative", k, name, c)
		case c != 0 && (a.Last || a.Window > 0):
			return fmt.Errorf("counts[%d] (%s) is %d, but this aggregate keeps times, not a count: it must be 0", k, name, c)
		case c > w.Added:
			return fmt.Errorf(`counts[%d] (%s) is %d, more than the %d events taken ("added")`, k, name, c, w.Added)
		}
		st.counts[k] = w.Counts[k]
		if t := w.Lasts[k]; t != nil {
			switch {
			case !a.Last:
				return fmt.Errorf("lasts[%d] (%s) is set, but only a daysSinceLast aggregate keeps a last time", k, name)
			case t.IsZero():
				return fmt.Errorf("lasts[%d] (%s) is the zero time", k, name)
			case t.After(clock):
				return fmt.Errorf("lasts[%d] (%s) is %s, after the latest event (%s)", k, name, stamp(*t), latest)
			}
			st.lasts[k] = *t
		}
		ts := w.Times[k]
		if len(ts) == 0 {
			continue
		}
		if a.Last || a.Window == 0 {
			return fmt.Errorf("times[%d] (%s) holds times, but only an events() aggregate with a window keeps them", k, name)
		}
		if len(ts) > w.Added {
			return fmt.Errorf(`times[%d] (%s) holds %d times, more than the %d events taken ("added")`, k, name, len(ts), w.Added)
		}
		out := make([]time.Time, len(ts))
		for j, ns := range ts {
			t := time.Unix(0, ns).UTC()
			switch {
			case j > 0 && ns < ts[j-1]:
				return fmt.Errorf("times[%d][%d] (%s) is before times[%d][%d]; a window's times are kept in time order", k, j, stamp(t), k, j-1)
			case t.After(clock):
				return fmt.Errorf("times[%d][%d] (%s) is %s, after the latest event (%s)", k, j, name, stamp(t), latest)
			case clock.Sub(t) >= a.Window:
				return fmt.Errorf("times[%d][%d] (%s) is %s, %s before the latest event (%s): outside the window, it counts no more and is not kept", k, j, name, stamp(t), span(clock.Sub(t)), latest)
			}
			out[j] = t
		}
		st.times[k] = out
	}
	return nil
}

// verifyEvents fills the state's kept events from w, checking each event
// (its time, type and fields, the rules that keep it) and each rule's
// events as a whole (its limit, and the events it takes but does not keep).
func (sc *Scorer) verifyEvents(w *stored, st *State, latest string) error {
	clock := st.clock
	type miss struct{ i, slot int }
	var missed []miss // events a rule takes, within its window, that it does not keep
	for i := range w.Events {
		e := w.Events[i].Event
		if e.At.IsZero() {
			return fmt.Errorf(`events[%d] (%s) has no time ("at"); Add refuses such an event`, i, e.Type)
		}
		pos := fmt.Sprintf("events[%d] (%s at %s)", i, e.Type, stamp(e.At))
		if e.At.After(clock) {
			return fmt.Errorf("%s is after the latest event (%s)", pos, latest)
		}
		slots := sc.byType[e.Type]
		if len(slots) == 0 {
			return fmt.Errorf("%s: no event rule or gate of the model reads events of type %q, so none keeps one", pos, e.Type)
		}
		for _, key := range sortedKeys(e.Fields) {
			if !sc.declared[key] {
				return fmt.Errorf("%s has the field %q, which the model does not declare under events (Add drops it)", pos, key)
			}
		}
		rs := w.Events[i].Rules
		if len(rs) == 0 {
			return fmt.Errorf(`%s is kept by no rule ("r" is empty)`, pos)
		}
		keptBy := map[int]bool{}
		for _, slot := range rs {
			if slot < 0 || slot >= len(sc.rules) {
				return fmt.Errorf("%s is kept for rule %d, the model has %d event rules", pos, slot, len(sc.rules))
			}
			r := sc.rules[slot]
			switch {
			case keptBy[slot]:
				return fmt.Errorf("%s is kept twice by rule %s", pos, r.ID)
			case !slices.Contains(slots, slot):
				return fmt.Errorf("%s is kept by rule %s, which reads events of type %s, not %s", pos, r.ID, strings.Join(r.Events, ", "), e.Type)
			case r.Within > 0 && clock.Sub(e.At) >= r.Within:
				return fmt.Errorf("%s is kept by rule %s, but it is %s before the latest event (%s), outside the rule's window of %s", pos, r.ID, span(clock.Sub(e.At)), latest, span(r.Within))
			}
			keptBy[slot] = true
		}
		takes, err := sc.takes(&e, slots)
		if err != nil {
			return fmt.Errorf("%s cannot be read: %w", pos, err)
		}
		for j, slot := range slots {
			r := sc.rules[slot]
			if keptBy[slot] && !takes[j] {
				return fmt.Errorf("%s is kept by rule %s, whose condition (%s) refuses it", pos, r.ID, r.When.Source)
			}
			if !keptBy[slot] && takes[j] && (r.Within == 0 || clock.Sub(e.At) < r.Within) {
				missed = append(missed, miss{i, slot})
			}
		}
		x := &entry{e: e}
		for _, slot := range rs {
			st.kept[slot] = append(st.kept[slot], x)
		}
	}
	for slot, es := range st.kept {
		// In time order, ties in stored order: as insertEntry would place
		// them one by one, in O(n log n) whatever the stored order.
		slices.SortStableFunc(es, func(a, b *entry) int { return a.e.At.Compare(b.e.At) })
		if keep := sc.keep[slot]; keep > 0 && len(es) > keep {
			return fmt.Errorf("rule %s keeps %d events (the stored events say), more than the %d it can count", sc.rules[slot].ID, len(es), keep)
		}
	}
	// A rule drops an event it takes only for the `limit` more recent ones
	// it keeps (or when the event leaves its window).
	for _, m := range missed {
		es, keep, r := st.kept[m.slot], sc.keep[m.slot], sc.rules[m.slot]
		e := w.Events[m.i].Event
		pos := fmt.Sprintf("events[%d] (%s at %s) is not kept by rule %s, though the rule takes it and it is within the rule's window", m.i, e.Type, stamp(e.At), r.ID)
		switch {
		case keep == 0:
			return fmt.Errorf("%s: the rule keeps every event it takes", pos)
		case len(es) < keep:
			return fmt.Errorf("%s: the rule keeps the %d most recent events it takes, and it keeps only %d", pos, keep, len(es))
		case e.At.After(es[0].e.At):
			return fmt.Errorf("%s: the rule keeps the %d most recent events it takes, and this one is more recent than the oldest it keeps (%s)", pos, keep, stamp(es[0].e.At))
		}
	}
	return nil
}

// verifyTotals checks the aggregates against the events kept, and both
// against the count of events taken.
func (sc *Scorer) verifyTotals(w *stored, st *State) error {
	type kept struct {
		n      int
		latest int // index in w.Events of the latest
	}
	byType := map[string]*kept{}
	for i := range w.Events {
		e := w.Events[i].Event
		k := byType[e.Type]
		if k == nil {
			k = &kept{latest: i}
			byType[e.Type] = k
		}
		k.n++
		if e.At.After(w.Events[k.latest].Event.At) {
			k.latest = i
		}
	}
	taken := map[string]int{} // by type: the fewest events of it the state took
	for t, k := range byType {
		taken[t] = k.n
	}
	for k, a := range sc.aggs {
		name := sc.aggName(k)
		ke := byType[a.Type]
		switch {
		case a.Last:
			if ke != nil {
				e := w.Events[ke.latest].Event
				if st.lasts[k].Before(e.At) {
					return fmt.Errorf("lasts[%d] (%s) is %s, before events[%d] of that type at %s", k, name, lastOrNone(st.lasts[k]), ke.latest, stamp(e.At))
				}
			}
			for k2, a2 := range sc.aggs {
				if a2.Type != a.Type {
					continue
				}
				if ts := st.times[k2]; len(ts) > 0 && st.lasts[k].Before(ts[len(ts)-1]) {
					return fmt.Errorf("lasts[%d] (%s) is %s, before times[%d][%d] of that type at %s", k, name, lastOrNone(st.lasts[k]), k2, len(ts)-1, stamp(ts[len(ts)-1]))
				}
				if !a2.Last && a2.Window == 0 && (st.counts[k2] > 0) == st.lasts[k].IsZero() {
					return fmt.Errorf("lasts[%d] (%s) is %s, but counts[%d] (%s) is %d: both count the same events", k, name, lastOrNone(st.lasts[k]), k2, sc.aggName(k2), st.counts[k2])
				}
			}
		case a.Window > 0:
			have := map[int64]int{}
			for _, t := range st.times[k] {
				have[t.UnixNano()]++
			}
			for i := range w.Events {
				e := w.Events[i].Event
				if e.Type != a.Type || st.clock.Sub(e.At) >= a.Window || e.At.Year() < 1678 || e.At.Year() > 2261 {
					continue
				}
				if have[e.At.UnixNano()] == 0 {
					return fmt.Errorf("times[%d] (%s) lacks the time of events[%d] (%s at %s), which is within the window of the latest event", k, name, i, e.Type, stamp(e.At))
				}
				have[e.At.UnixNano()]--
			}
			taken[a.Type] = max(taken[a.Type], len(st.times[k]))
		default:
			if ke != nil && st.counts[k] < ke.n {
				return fmt.Errorf("counts[%d] (%s) is %d, fewer than the %d events of that type kept", k, name, st.counts[k], ke.n)
			}
			for k2, a2 := range sc.aggs {
				if a2.Type == a.Type && a2.Window > 0 && st.counts[k] < len(st.times[k2]) {
					return fmt.Errorf("counts[%d] (%s) is %d, fewer than the %d times of that type in times[%d]", k, name, st.counts[k], len(st.times[k2]), k2)
				}
			}
			taken[a.Type] = max(taken[a.Type], st.counts[k])
		}
	}
	sum := 0
	for _, n := range taken {
		if sum > math.MaxInt-n {
			sum = -1 // more than an int holds
			break
		}
		sum += n
	}
	if sum < 0 {
		return fmt.Errorf(`"added" is %d, fewer than the events the state keeps or counts`, st.added)
	}
	if sum > st.added {
		return fmt.Errorf(`"added" is %d, fewer than the %d events the state keeps or counts`, st.added, sum)
	}
	return nil
}

func lastOrNone(t time.Time) string {
	if t.IsZero() {
		return "not set"
	}
	return stamp(t)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// takes reports, by index in slots (the rule slots of the event's type),
// whether each rule takes the event: a condition decided on arrival holds
// for it. It fails as Add fails for an event it cannot read.
func (sc *Scorer) takes(e *rules.Event, slots []int) ([]bool, error) {
	out := make([]bool, len(slots))
	for i := range out {
		out[i] = true
	}
	if !needsEvent(sc, slots) {
		return out, nil
	}
	mt := sc.pool.Get().(matcher)
	defer sc.pool.Put(mt)
	mt.Begin(e.At, nil)
	ev := *e
	if err := mt.SetEvent(&ev); err != nil {
		return nil, err
	}
	for i, slot := range slots {
		r := sc.rules[slot]
		if sc.kind[slot] != onArrival || r.When == nil {
			continue
		}
		mt.ResetBudget()
		ok, err := mt.Bool(r.When)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		out[i] = ok
	}
	return out, nil
}
