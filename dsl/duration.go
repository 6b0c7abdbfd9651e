package dsl

import (
	"fmt"
	"strconv"
	"time"
)

// Day and Week are the calendar-free units rule files use: a day is 24 hours.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

// ParseDuration reads durations as rule files write them: a whole number and a
// unit, w (weeks), d (days), h (hours), m (minutes) or s (seconds), and sums of
// them such as "1d12h". A day is 24 hours.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration: write a number and a unit, like 90d, 12h or 2w")
	}
	var total time.Duration
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i || j == len(s) {
			return 0, fmt.Errorf("bad duration %q: write a number and a unit, like 90d, 12h or 2w", s)
		}
		n, err := strconv.ParseInt(s[i:j], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q: the number is too large", s)
		}
		var unit time.Duration
		switch s[j] {
		case 'w':
			unit = Week
		case 'd':
			unit = Day
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
			unit = time.Second
		case ' ':
			return 0, fmt.Errorf("bad duration %q: write the number and its unit together, like 2d", s)
		default:
			return 0, fmt.Errorf("bad duration %q: unknown unit %q; use w, d, h, m or s", s, s[j:j+1])
		}
		total += time.Duration(n) * unit
		i = j + 1
	}
	if total <= 0 {
		return 0, fmt.Errorf("bad duration %q: it must be longer than zero", s)
	}
	return total, nil
}

var durationUnits = []struct {
	d time.Duration
	c byte
}{{Week, 'w'}, {Day, 'd'}, {time.Hour, 'h'}, {time.Minute, 'm'}, {time.Second, 's'}}

// FormatDuration writes d as rule files do, the inverse of ParseDuration: in
// the largest unit that divides it ("90d", "2w", "36h").
func FormatDuration(d time.Duration) string {
	for _, u := range durationUnits {
		if d > 0 && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + string(u.c)
		}
	}
	return d.String()
}
