package dsl

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The calendar-free units rule files use. A day is 24 hours, a month 30 days
// and a year 365 days: windows and half-lives slide back from the as-of
// time, so they need a fixed length, not a calendar.
const (
	Day   = 24 * time.Hour
	Week  = 7 * Day
	Month = 30 * Day
	Year  = 365 * Day
)

// durationUnits are the units ParseDuration reads, longest first: the order
// FormatDuration tries them in, and the order messages list them in.
var durationUnits = []struct {
	name string
	d    time.Duration
	// formats: FormatDuration writes in this unit. Months and years are
	// read but never written, so 90d stays 90d rather than becoming 3mo.
	formats bool
}{
	{"y", Year, false}, {"mo", Month, false}, {"w", Week, true}, {"d", Day, true},
	{"h", time.Hour, true}, {"min", time.Minute, true}, {"s", time.Second, true},
}

// DurationUnits says the units in words, for messages and docs.
const DurationUnits = "y (years of 365 days), mo (months of 30 days), w (weeks), d (days), h (hours), min (minutes), s (seconds)"

// longUnits are the words people write for a unit, with the unit to write instead.
var longUnits = map[string]string{
	"year": "y", "years": "y", "yr": "y", "yrs": "y",
	"month": "mo", "months": "mo", "mon": "mo", "mth": "mo", "mths": "mo",
	"week": "w", "weeks": "w", "wk": "w", "wks": "w",
	"day": "d", "days": "d",
	"hour": "h", "hours": "h", "hr": "h", "hrs": "h",
	"minute": "min", "minutes": "min", "mins": "min",
	"second": "s", "seconds": "s", "sec": "s", "secs": "s",
}

// ParseDuration reads durations as rule files write them: a whole number and
// a unit, y (365 days), mo (30 days), w, d, h, min or s, and sums of them
// such as "1d12h". "m" is refused: a marketer writing 6m means six months,
// a programmer six minutes, so the file must say which (6mo or 6min).
func ParseDuration(s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return 0, fmt.Errorf("empty duration: write a number and a unit, like 90d, 12h or 6mo")
	}
	var total time.Duration
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i || j == len(s) {
			return 0, fmt.Errorf("bad duration %q: write a number and a unit, like 90d, 12h or 6mo; the units are %s", s, DurationUnits)
		}
		n, err := strconv.ParseInt(s[i:j], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q: the number is too large", s)
		}
		k := j
		for k < len(s) && (s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z') {
			k++
		}
		word := s[j:k]
		unit, ok := unitNamed(word)
		switch {
		case ok:
		case word == "m" || word == "M":
			return 0, fmt.Errorf("bad duration %q: m could mean minutes or months; write %dmo for months (30 days each) or %dmin for minutes", s, n, n)
		case word == "":
			if s[j] == ' ' {
				return 0, fmt.Errorf("bad duration %q: write the number and its unit together, like %d%s; the units are %s", s, n, suggestUnit(strings.TrimSpace(s[j:])), DurationUnits)
			}
			return 0, fmt.Errorf("bad duration %q: unknown unit %q; the units are %s", s, s[j:j+1], DurationUnits)
		default:
			if short, ok := longUnits[strings.ToLower(word)]; ok {
				return 0, fmt.Errorf("bad duration %q: write %d%s; the units are %s", s, n, short, DurationUnits)
			}
			return 0, fmt.Errorf("bad duration %q: unknown unit %q; the units are %s", s, word, DurationUnits)
		}
		if n > 0 && unit > (1<<63-1-total)/time.Duration(n) {
			return 0, fmt.Errorf("bad duration %q: the number is too large", s)
		}
		total += time.Duration(n) * unit
		i = k
	}
	if total <= 0 {
		return 0, fmt.Errorf("bad duration %q: it must be longer than zero", s)
	}
	return total, nil
}

func unitNamed(word string) (time.Duration, bool) {
	for _, u := range durationUnits {
		if u.name == word {
			return u.d, true
		}
	}
	return 0, false
}

// suggestUnit gives the short unit for what follows a space ("months" ->
// "mo"), or "d" when it names none.
func suggestUnit(rest string) string {
	word := strings.ToLower(strings.TrimRight(rest, " "))
	if short, ok := longUnits[word]; ok {
		return short
	}
	if _, ok := unitNamed(word); ok {
		return word
	}
	return "d"
}

// FormatDuration writes d as rule files do, the inverse of ParseDuration: in
// the largest of w, d, h, min and s that divides it ("90d", "2w", "36h").
// It never writes months or years, which read back the same but would turn
// a reviewed 90d into 3mo.
func FormatDuration(d time.Duration) string {
	for _, u := range durationUnits {
		if u.formats && d > 0 && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.name
		}
	}
	return d.String()
}
