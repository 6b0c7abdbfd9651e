// Package calendar says why a date that reads as one is no day: 31
// September, or 29 February of a year that is not a leap year.
package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// NoSuchDay is the error for a text that begins with a date written
// 2026-02-29 whose day is not in its month (a time may follow); nil for
// any other text, a real day or not a date of that shape.
func NoSuchDay(s string) error {
	s = strings.TrimSpace(s)
	if len(s) < 10 || s[4] != '-' || s[7] != '-' || len(s) > 10 && s[10] != 'T' && s[10] != ' ' {
		return nil
	}
	y, mo, d := num(s[0:4]), num(s[5:7]), num(s[8:10])
	if y < 1 || mo < 1 || mo > 12 || d < 1 || d <= DaysIn(time.Month(mo), y) {
		return nil
	}
	return fmt.Errorf("%q is not a day of the calendar: %s %d has %d days; check the date", s, time.Month(mo), y, DaysIn(time.Month(mo), y))
}

// DaysIn is the number of days of month mo of year y.
func DaysIn(mo time.Month, y int) int {
	return time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// DayOutOfRange says err is time.Parse's for a day its month does not
// have, the text matching the layout otherwise.
func DayOutOfRange(err error) bool {
	var pe *time.ParseError
	return errors.As(err, &pe) && strings.Contains(pe.Message, "day out of range")
}

// num is the number the digits of s write, or -1.
func num(s string) int {
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}
