package rules

import (
	"math"
	"strings"
	"time"

	"github.com/expr-lang/expr"

	"github.com/leadscore/leadscore/dsl"
)

// The function library, as rule files call it. Functions that need the as-of
// time or the events take the Frame as a first argument that the compiler
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

// frameFunctions take the Frame as their first argument.
var frameFunctions = map[string]bool{"has": true, "daysSince": true, "events": true, "daysSinceLast": true}

var disabledBuiltins = []string{"now", "repeat"}

func functionOptions() []expr.Option {
	return []expr.Option{
		expr.Function("emailDomain", func(p ...any) (any, error) {
			return EmailDomain(p[0].(string)), nil
		}, new(func(string) string)),
		expr.Function("has", func(p ...any) (any, error) {
			return p[0].(*Frame).present[p[1].(int)], nil
		}, new(func(*Frame, int) bool)),
		expr.Function("daysSince", func(p ...any) (any, error) {
			return p[0].(*Frame).DaysSince(p[1].(time.Time)), nil
		}, new(func(*Frame, time.Time) float64)),
		expr.Function("events", func(p ...any) (any, error) {
			var window time.Duration
			if len(p) == 3 {
				window = time.Duration(p[2].(int))
			}
			return p[0].(*Frame).Count(p[1].(string), window), nil
		}, new(func(*Frame, string) int), new(func(*Frame, string, int) int)),
		expr.Function("daysSinceLast", func(p ...any) (any, error) {
			return p[0].(*Frame).DaysSinceLast(p[1].(string)), nil
		}, new(func(*Frame, string) float64)),
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

// DaysSince returns the days from t to the as-of time, with fractions
// (negative when t is later); +Inf when t is the zero time (a missing field).
func (f *Frame) DaysSince(t time.Time) float64 {
	if t.IsZero() {
		return math.Inf(1)
	}
	return float64(f.AsOf.Sub(t)) / float64(dsl.Day)
}

// Counts reports whether an event at time at counts at the as-of time for a
// window (0: no window): it happened at or before the as-of time and, with
// a window, less than window before it.
func (f *Frame) Counts(at time.Time, window time.Duration) bool {
	if at.After(f.AsOf) {
		return false
	}
	return window <= 0 || f.AsOf.Sub(at) < window
}

// Count returns how many events of type t count at the as-of time within the
// window (0: no window).
func (f *Frame) Count(t string, window time.Duration) int {
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
func (f *Frame) DaysSinceLast(t string) float64 {
	var last time.Time
	for i := range f.Events {
		ev := &f.Events[i]
		if ev.Type == t && !ev.At.After(f.AsOf) && ev.At.After(last) {
			last = ev.At
		}
	}
	return f.DaysSince(last)
}
