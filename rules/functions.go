package rules

import (
	"math"
	"strings"
	"time"
	_ "time/tzdata" // named zones, the same on every machine

	"github.com/expr-lang/expr"

	"github.com/leadscore/leadscore/dsl"
)

// The function library, as rule files call it. Functions that need the as-of
// time or the events take the frame as a first argument that the compiler
// adds (see patch.go); a rule file never writes it.
//
//	emailDomain(email)         the lower-cased part after the last "@", "" if none
//	has(field)                 whether the lead carried the field (not just its default)
//	daysSince(time)            days from time to the as-of time, fractional; +Inf for a missing (zero) time
//	events("type")             how many events of the type happened at or before the as-of time
//	events("type", "30d")      ... within the window before the as-of time
//	daysSinceLast("type")      days since the latest such event; +Inf if there is none
//
// expr's own builtins (lower, upper, trim, len, any, all, filter, split,
// hasPrefix, ...) remain, except now() — time is an input — and repeat().
var functionNames = []string{"emailDomain", "has", "daysSince", "events", "daysSinceLast"}

// frameFunctions take the frame as their first argument.
var frameFunctions = map[string]bool{"has": true, "daysSince": true, "events": true, "daysSinceLast": true, "emailDomain": true}

var disabledBuiltins = []string{"now", "repeat"}

func functionOptions() []expr.Option {
	return []expr.Option{
		expr.Function("emailDomain", func(p ...any) (any, error) {
			s := p[1].(string)
			if err := p[0].(*frame).budget.spend(emailCost(s)); err != nil {
				return nil, err
			}
			return EmailDomain(s), nil
		}, new(func(*frame, string) string)),
		expr.Function("has", func(p ...any) (any, error) {
			return p[0].(*frame).present[p[1].(int)], nil
		}, new(func(*frame, int) bool)),
		expr.Function("daysSince", func(p ...any) (any, error) {
			return p[0].(*frame).DaysSince(p[1].(time.Time)), nil
		}, new(func(*frame, time.Time) float64)),
		// events and daysSinceLast read the slot the compiler gave their
		// type and window, filled by the one pass over the events in Begin.
		expr.Function("events", func(p ...any) (any, error) {
			return p[0].(*frame).counts[p[1].(int)], nil
		}, new(func(*frame, int) int)),
		expr.Function("daysSinceLast", func(p ...any) (any, error) {
			f := p[0].(*frame)
			return f.DaysSince(f.lasts[p[1].(int)]), nil
		}, new(func(*frame, int) float64)),
	}
}

// EmailDomain returns the lower-cased domain of an email address: the text
// after the last "@", or "" when there is none.
func EmailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[i+1:]))
}

// emailCost is the steps emailDomain pays: it reads the whole text, and
// copies its end.
func emailCost(s string) int64 { return int64(len(s))/32 + 1 }

// DaysSince returns the days from t to the as-of time, with fractions
// (negative when t is later); +Inf when t is the zero time (a missing field).
func (f *frame) DaysSince(t time.Time) float64 {
	if t.IsZero() {
		return math.Inf(1)
	}
	return float64(f.AsOf.Sub(t)) / float64(dsl.Day)
}

// counter is an event aggregate an expression uses: how many events of a
// type (within a window), or, with last, when the latest one happened.
type counter struct {
	last   bool
	typ    string
	window time.Duration
}

// counterSlot returns the slot of a counter, adding it if it is new.
func (m *Model) counterSlot(last bool, typ string, window time.Duration) int {
	c := counter{last: last, typ: typ, window: window}
	for i, x := range m.counters {
		if x == c {
			return i
		}
	}
	m.counters = append(m.counters, c)
	m.countersByType[typ] = append(m.countersByType[typ], len(m.counters)-1)
	return len(m.counters) - 1
}

// countEvents fills the frame's counter slots in one pass over the events.
func (f *frame) countEvents(m *Model) {
	f.types = f.types[:0]
	for i := range f.Events {
		f.types = append(f.types, m.eventTypeInfo(f.Events[i].Type))
	}
	if len(m.counters) == 0 {
		return
	}
	clear(f.counts)
	clear(f.lasts)
	for i := range f.Events {
		ev := &f.Events[i]
		info := f.types[i]
		if info == nil {
			continue
		}
		for _, k := range info.counters {
			c := &m.counters[k]
			switch {
			case c.last:
				if !ev.At.After(f.AsOf) && ev.At.After(f.lasts[k]) {
					f.lasts[k] = ev.At
				}
			case f.Counts(ev.At, c.window):
				f.counts[k]++
			}
		}
	}
}

// Counts reports whether an event at time at counts at the as-of time for a
// window (0: no window): it happened at or before the as-of time and, with
// a window, less than window before it.
func (f *frame) Counts(at time.Time, window time.Duration) bool {
	if at.After(f.AsOf) {
		return false
	}
	return window <= 0 || f.AsOf.Sub(at) < window
}

// Count returns how many events of type t count at the as-of time within the
// window (0: no window).
func (f *frame) Count(t string, window time.Duration) int {
	n := 0
	for i := range f.Events {
		if f.Events[i].Type == t && f.Counts(f.Events[i].At, window) {
			n++
		}
	}
	return n
}

// DaysSinceLast returns the days since the latest event of type t at or
// before the as-of time, or +Inf when there is none.
func (f *frame) DaysSinceLast(t string) float64 {
	var last time.Time
	for i := range f.Events {
		ev := &f.Events[i]
		if ev.Type == t && !ev.At.After(f.AsOf) && ev.At.After(last) {
			last = ev.At
		}
	}
	return f.DaysSince(last)
}
