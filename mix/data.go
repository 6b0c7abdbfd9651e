package mix

import (
	"fmt"
	"math"
	"time"
)

// Data is what a model is fitted to: one KPI value per week (or day) and
// each channel's spend (and each control's value) in the same periods.
type Data struct {
	// Period is the length of the periods: Week (the default, also the
	// zero value) or Day.
	Period Period
	// Weeks are the periods' first days, in order, 7 days apart (1 day
	// apart when Period is Day).
	Weeks []time.Time
	// KPI is the outcome per week: revenue, won deals, sales-ready leads.
	KPI      []float64
	Channels []Channel
	// Controls are other weekly drivers (holidays, price changes, events)
	// that belong to the baseline.
	Controls []Control
}

// Channel is a marketing channel's spend per week, in one currency.
type Channel struct {
	Name  string
	Spend []float64
}

// Control is a weekly value that is not marketing spend.
type Control struct {
	Name   string
	Values []float64
}

// MinWeeks is the fewest weeks Fit accepts: below it the rolling
// cross-validation has nothing to train on.
const MinWeeks = 26

// Validate says what makes the data unusable, in words for whoever
// exported it, of its period (weeks or days); nil when it can be fitted.
func (d Data) Validate() error {
	p := d.Period.norm()
	unit, units := p.String(), p.plural()
	adjective := map[Period]string{Week: "weekly", Day: "daily"}[p]
	n := len(d.KPI)
	if len(d.Weeks) != n {
		return fmt.Errorf("%d %s but %d KPI values; give one KPI value per %s", len(d.Weeks), units, n, unit)
	}
	tooFew := func() error {
		if n >= p.minPeriods() {
			return nil
		}
		if p == Day {
			return fmt.Errorf("%d days of data; a daily mix model needs at least %d (26 weeks; better 730: two years, so seasonality and channels can be told apart)", n, MinDays)
		}
		return fmt.Errorf("%d weeks of data; a mix model needs at least %d (better 104: two years, so seasonality and channels can be told apart)", n, MinWeeks)
	}
	gaps := func() error {
		step := time.Duration(p.Days()) * 24 * time.Hour
		for t := 1; t < n; t++ {
			if gap := d.Weeks[t].Sub(d.Weeks[t-1]); gap != step {
				// Most gaps of this size: data of the other period. A
				// gap among dates one period apart is periods missing,
				// and is named as such (the file's period is right).
				same := 0
				for u := 1; u < n; u++ {
					if d.Weeks[u].Sub(d.Weeks[u-1]) == gap {
						same++
					}
				}
				hint := p.looksLike(int(gap / (24 * time.Hour)))
				if 2*same <= n-1 || hint == "" {
					hint = missing(d.Weeks[t-1], gap, step, unit, units)
				}
				// The days from the calendar: a Duration saturates at
				// 292 years (a mistyped year, 2504 for 2024).
				apart := fmt.Sprintf("%d days", (d.Weeks[t].Unix()-d.Weeks[t-1].Unix())/86400)
				if gap == 24*time.Hour {
					apart = "1 day"
				}
				return &GapError{At: t, err: fmt.Errorf("%s %s and %s are %s apart; %s must follow each other %s apart with none missing%s", units, day(d.Weeks[t-1]), day(d.Weeks[t]), apart, units, days(step), hint)}
			}
		}
		return nil
	}
	// Daily data is checked for gaps first: dates a week apart are weekly
	// data, not too few days.
	checks := []func() error{tooFew, gaps}
	if p == Day {
		checks = []func() error{gaps, tooFew}
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	for t, v := range d.KPI {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s %s: the KPI is %v; give a number", unit, day(d.Weeks[t]), v)
		}
	}
	if len(d.Channels) == 0 {
		return fmt.Errorf("no channels; give at least one channel's %s spend", adjective)
	}
	seen := map[string]bool{}
	for _, c := range d.Channels {
		if c.Name == "" {
			return fmt.Errorf("a channel has no name")
		}
		if seen[c.Name] {
			return fmt.Errorf("channel %q is given twice", c.Name)
		}
		seen[c.Name] = true
		if len(c.Spend) != n {
			return fmt.Errorf("channel %q has %d %s of spend, the KPI %d; give a spend for every %s (0 when nothing was spent)", c.Name, len(c.Spend), units, n, unit)
		}
		for t, v := range c.Spend {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return fmt.Errorf("channel %q, %s %s: spend %v; spend must be a number, 0 or more", c.Name, unit, day(d.Weeks[t]), v)
			}
		}
	}
	for _, c := range d.Controls {
		if seen[c.Name] {
			return fmt.Errorf("control %q has the name of a channel or another control", c.Name)
		}
		seen[c.Name] = true
		if len(c.Values) != n {
			return fmt.Errorf("control %q has %d %s, the KPI %d", c.Name, len(c.Values), units, n)
		}
		for t, v := range c.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("control %q, %s %s: %v; give a number", c.Name, unit, day(d.Weeks[t]), v)
			}
		}
	}
	lo, hi := d.KPI[0], d.KPI[0]
	for _, v := range d.KPI {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo == hi {
		return fmt.Errorf("the KPI is %v every %s: there is nothing to explain", lo, unit)
	}
	return nil
}

func day(t time.Time) string { return t.Format("2006-01-02") }

// missing names the periods missing between prev and prev+gap, or "" when
// the gap is no whole number of periods (dates out of order, or off the
// periods' weekday).
func missing(prev time.Time, gap, step time.Duration, unit, units string) string {
	if gap <= step || gap%step != 0 {
		return ""
	}
	k := int(gap/step) - 1
	first, last := prev.Add(step), prev.Add(gap-step)
	if k == 1 {
		return fmt.Sprintf(": the %s %s is missing; give its row", unit, day(first))
	}
	return fmt.Sprintf(": %d %s are missing, %s to %s; give their rows", k, units, day(first), day(last))
}

func days(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// GapError is Validate's error for periods that do not follow each other
// one period apart: At is the index of the period after the gap, so a
// caller can name its row.
type GapError struct {
	At  int
	err error
}

func (e *GapError) Error() string { return e.err.Error() }
