package source

import (
	"fmt"
	"github.com/leadscore/leadscore/internal/calendar"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// NumberFormat is how an export writes numbers: see the package doc.
type NumberFormat struct {
	// Example is the format as the mapping wrote it, such as "$1,234.56".
	Example string
	// Prefix and Suffix are the currency sign or code, which cells may
	// have or leave out.
	Prefix, Suffix string
	// Thousands is the thousands separator, 0 for none; Decimal the
	// decimal mark.
	Thousands, Decimal rune
}

// isSeparator reports whether r may separate digits in a number format.
func isSeparator(r rune) bool {
	return r == ',' || r == '.' || r == ' ' || r == '\'' || r == '\u00a0' || r == '\u202f'
}

// ParseNumberFormat reads a number format, such as "$1,234.56" or
// "1.234,56 €".
func ParseNumberFormat(s string) (*NumberFormat, error) {
	const how = `write a number as the export writes it, such as "1,234.56", "1.234,56" or "$1,234.56"`
	first := strings.IndexFunc(s, isDigit)
	last := strings.LastIndexFunc(s, isDigit)
	if first < 0 {
		return nil, fmt.Errorf("%q has no digits; %s", s, how)
	}
	f := &NumberFormat{Example: s, Prefix: strings.TrimSpace(s[:first]), Suffix: strings.TrimSpace(s[last+1:])}
	if strings.ContainsAny(f.Prefix+f.Suffix, "-+") {
		return nil, fmt.Errorf("%q: leave the sign out of the format (a cell may start with a minus sign anyway); %s", s, how)
	}
	mid := []rune(s[first : last+1])
	type sep struct {
		r      rune
		before string // the digits before it, back to the previous separator or the start
		digits int    // digits after it, up to the next separator or the end
	}
	var seps []sep
	group := 0 // where the digits before the next separator start
	for i, r := range mid {
		switch {
		case isDigit(r):
			if len(seps) > 0 {
				seps[len(seps)-1].digits++
			}
		case isSeparator(r):
			if i > 0 && !isDigit(mid[i-1]) {
				return nil, fmt.Errorf("%q has two separators in a row; %s", s, how)
			}
			seps = append(seps, sep{r: r, before: string(mid[group:i])})
			group = i + 1
		default:
			return nil, fmt.Errorf("%q has %q among its digits; %s", s, r, how)
		}
	}
	// A thousands separator has a group of 1 to 3 digits before it, not
	// starting with 0, the first time, and of 3 after it, and comes before
	// any other; any other separator is the decimal mark, the last one.
	f.Decimal = '.'
	decimalSet := false
	for i, sp := range seps {
		lastSep := i == len(seps)-1
		groupFits := (i > 0 && len(sp.before) == 3) || (i == 0 && len(sp.before) <= 3 && sp.before[0] != '0')
		if groupFits && sp.digits == 3 && (f.Thousands == 0 || f.Thousands == sp.r) && !(lastSep && i > 0 && seps[0].r != sp.r) {
			f.Thousands = sp.r
			continue
		}
		if !lastSep || decimalSet {
			return nil, fmt.Errorf("%q: only the last separator may be the decimal mark, and a thousands separator has three digits after it; %s", s, how)
		}
		if sp.r != '.' && sp.r != ',' {
			return nil, fmt.Errorf("%q: the decimal mark must be \".\" or \",\"; %s", s, how)
		}
		f.Decimal, decimalSet = sp.r, true
	}
	// One "." or "," with three digits after it says nothing of which it
	// is: 1,234 is a thousand and more in one export, one and a bit in
	// another.
	if len(seps) == 1 && (f.Thousands == '.' || f.Thousands == ',') {
		t := string(f.Thousands)
		d := map[string]string{".": ",", ",": "."}[t]
		digits := strings.ReplaceAll(string(mid), t, "")
		return nil, fmt.Errorf("%q is ambiguous: %q may be the thousands separator (%s is %s) or the decimal mark (%s is %s.%s); write an example with both separators, such as %q, a longer number, such as %q, or the decimal mark alone, such as %q", s, t,
			string(mid), digits, string(mid), digits[:len(digits)-3], digits[len(digits)-3:],
			s[:first]+"1"+t+"234"+d+"50"+s[last+1:], s[:first]+"1"+t+"234"+t+"567"+s[last+1:], s[:first]+"1234"+t+"5"+s[last+1:])
	}
	if f.Thousands == '\u00a0' || f.Thousands == '\u202f' {
		f.Thousands = ' '
	}
	if !decimalSet && f.Thousands == '.' {
		f.Decimal = ','
	}
	if f.Thousands == f.Decimal {
		return nil, fmt.Errorf("%q uses %q for thousands and decimals; %s", s, f.Thousands, how)
	}
	return f, nil
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// Parse reads a cell written in the format.
func (f *NumberFormat) Parse(cell string) (float64, error) {
	bad := func() (float64, error) {
		return 0, fmt.Errorf("want a number written like %q, got %q", f.Example, cell)
	}
	c := trimSpace(cell)
	neg := false
	if strings.HasPrefix(c, "-") {
		neg, c = true, trimSpace(c[1:])
	}
	if f.Prefix != "" && strings.HasPrefix(c, f.Prefix) {
		c = trimSpace(c[len(f.Prefix):])
	}
	if !neg && strings.HasPrefix(c, "-") {
		neg, c = true, trimSpace(c[1:])
	}
	if f.Suffix != "" && strings.HasSuffix(c, f.Suffix) {
		c = trimSpace(c[:len(c)-len(f.Suffix)])
	}
	if f.Thousands == ' ' { // a space between thousands may be any of the spaces
		c = strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(c)
	}
	whole, frac, hasFrac := strings.Cut(c, string(f.Decimal))
	if whole == "" || (hasFrac && (frac == "" || !allDigits(frac))) {
		return bad()
	}
	var digits strings.Builder
	if f.Thousands != 0 && strings.ContainsRune(whole, f.Thousands) {
		groups := strings.Split(whole, string(f.Thousands))
		for i, g := range groups {
			if !allDigits(g) || (i == 0 && (len(g) > 3 || g[0] == '0')) || (i > 0 && len(g) != 3) {
				return bad()
			}
			digits.WriteString(g)
		}
	} else {
		if !allDigits(whole) {
			return bad()
		}
		digits.WriteString(whole)
	}
	if hasFrac {
		digits.WriteString("." + frac)
	}
	v, err := strconv.ParseFloat(digits.String(), 64)
	if err != nil || math.IsInf(v, 0) {
		return bad()
	}
	if neg {
		v = -v
	}
	return v, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isDigit(r) {
			return false
		}
	}
	return true
}

// trimSpace trims white space, the no-break spaces included.
func trimSpace(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' })
}

// The words for true and false when a mapping gives none.
var (
	defaultTrue  = []string{"true", "yes", "1"}
	defaultFalse = []string{"false", "no", "0"}
)

// parseBool reads a cell with the words for true and false, in any case.
func parseBool(cell string, yes, no []string) (bool, error) {
	if yes == nil {
		yes = defaultTrue
	}
	if no == nil {
		no = defaultFalse
	}
	c := trimSpace(cell)
	for _, w := range yes {
		if strings.EqualFold(c, trimSpace(w)) {
			return true, nil
		}
	}
	for _, w := range no {
		if strings.EqualFold(c, trimSpace(w)) {
			return false, nil
		}
	}
	return false, fmt.Errorf("%q is neither true (%s) nor false (%s)", cell, strings.Join(yes, ", "), strings.Join(no, ", "))
}

// zoneLess are the layouts read without a layout: given, in the mapping's
// zone, after RFC 3339 (which carries its own offset).
var zoneLess = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// hasZone reports whether a layout writes a numeric zone offset.
func hasZone(layout string) bool {
	return strings.Contains(layout, "Z07") || strings.Contains(layout, "-07")
}

// zoneAbbreviation refuses a layout with a zone abbreviation (MST in Go's
// reference time): Go reads an abbreviation it does not know as UTC, and
// one the machine's own zone uses in that zone, so "CEST" would be read
// as UTC and "EST" differently on each machine.
func zoneAbbreviation(layout string) error {
	if !strings.Contains(layout, "MST") {
		return nil
	}
	numeric := strings.Replace(layout, "MST", "-07:00", 1)
	without := layout
	for _, abbr := range []string{" MST", "MST ", "MST"} {
		if strings.Contains(without, abbr) {
			without = strings.TrimSpace(strings.Replace(without, abbr, "", 1))
			break
		}
	}
	return fmt.Errorf("%q reads a zone abbreviation (MST), and abbreviations are ambiguous (CST is Chicago, China or Cuba) and read machine by machine, most as UTC: if the export writes offsets, use a numeric offset layout such as %q (-07:00, or Z07:00 where UTC is written Z); if it writes abbreviations, export times with their offset or in UTC instead; or leave the zone out, %q, and set timezone: to the CRM's zone", layout, numeric, without)
}

// dateOnly reports whether a layout writes no time of day: its times are
// days, read as the day's first instant.
func dateOnly(layout string) bool {
	ref := time.Date(2006, 1, 2, 15, 4, 5, 999999999, time.UTC)
	t, err := time.Parse(layout, ref.Format(layout))
	return err == nil && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// ParseTime reads a time cell: with layout (a Go layout) when given, else
// as RFC 3339 or a date and time without zone (2026-03-01 09:30:00,
// 2026-03-01). A time written without a zone is read in loc; one that does
// not exist there, or happens twice, at a daylight-saving change fails.
func ParseTime(cell, layout string, loc *time.Location) (time.Time, error) {
	c := trimSpace(cell)
	if layout == "" {
		if t, err := time.Parse(time.RFC3339Nano, c); err == nil {
			return t, nil
		}
		for _, l := range zoneLess {
			if w, err := time.Parse(l, c); err == nil {
				return inZone(cell, w, loc, l == "2006-01-02")
			}
		}
		if err := calendar.NoSuchDay(c); err != nil {
			return time.Time{}, err
		}
		if hint := calendar.Epoch(cell); hint != "" {
			return time.Time{}, fmt.Errorf("%q is not a time: %s", cell, hint)
		}
		return time.Time{}, fmt.Errorf("%q is not a time in a shape read without a layout (2026-03-01 09:30:00, 2026-03-01, or RFC 3339); give the column a layout:, such as \"01/02/2006 15:04\"", cell)
	}
	if err := zoneAbbreviation(layout); err != nil {
		return time.Time{}, err
	}
	if hasZone(layout) {
		t, err := time.Parse(layout, c)
		if err != nil {
			return time.Time{}, layoutError(cell, layout, err)
		}
		return t, nil
	}
	w, err := time.Parse(layout, c)
	if err != nil {
		return time.Time{}, layoutError(cell, layout, err)
	}
	return inZone(cell, w, loc, dateOnly(layout))
}

// layoutError says why a cell is no time by its layout: a day its month
// does not have (31/02/2026 matches 02/01/2006, and is no day), or a cell
// the layout does not fit.
func layoutError(cell, layout string, err error) error {
	if calendar.DayOutOfRange(err) {
		return fmt.Errorf("%q is not a day of the calendar (read by the layout %q, %s, its day is past the end of its month); check the date", cell, layout, layoutExample(layout))
	}
	if hint := calendar.Epoch(cell); hint != "" { // no layout reads these
		return fmt.Errorf("%q does not match the layout %q (%s): %s, and give the column a layout that reads it (none for ISO 8601)", cell, layout, layoutExample(layout), hint)
	}
	return fmt.Errorf("%q does not match the layout %q (%s); fix the layout if the whole column is written so", cell, layout, layoutExample(layout))
}

// layoutExample shows a layout filled in, as a cell would be written.
func layoutExample(layout string) string {
	return "such as " + strconv.Quote(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC).Format(layout))
}

// inZone finds the instant whose wall clock in loc is wall's (read as
// UTC): the one instant, or an error when the wall clock does not exist
// in loc or happens twice there (daylight-saving changes). A day (day
// set: the cell has no time of day) is its first instant: 01:00 where
// daylight saving time begins at midnight, the first midnight where
// midnight happens twice.
func inZone(cell string, wall time.Time, loc *time.Location, day bool) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	guess := time.Date(y, mo, d, h, mi, s, wall.Nanosecond(), loc)
	var found []time.Time
	var offsets []int
	for _, probe := range []time.Duration{-48 * time.Hour, -24 * time.Hour, 0, 24 * time.Hour, 48 * time.Hour} {
		_, off := guess.Add(probe).Zone()
		if containsInt(offsets, off) {
			continue
		}
		offsets = append(offsets, off)
		t := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(t, wall) && !containsTime(found, t) {
			found = append(found, t)
		}
	}
	if day {
		return firstInstant(wall, loc, found, offsets)
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return time.Time{}, fmt.Errorf("%q does not exist in %s: the clocks skipped that hour when daylight saving time began; check that timezone: %s is the zone the export writes in, or export times with their UTC offset (a layout ending in -07:00)", cell, loc, loc)
	}
	a, b := found[0], found[1]
	if b.Before(a) {
		a, b = b, a
	}
	return time.Time{}, fmt.Errorf("%q happens twice in %s (at %s and at %s: the clocks went back an hour when daylight saving time ended), so the export does not say which; export times with their UTC offset (a layout ending in -07:00), or in UTC with timezone: UTC", cell, loc, a.Format("-07:00"), b.Format("-07:00"))
}

// firstInstant is the first instant of wall's day in loc, given the
// instants found at its midnight and the offsets in force around it.
func firstInstant(wall time.Time, loc *time.Location, found []time.Time, offsets []int) (time.Time, error) {
	if len(found) > 0 {
		first := found[0]
		for _, t := range found[1:] {
			if t.Before(first) {
				first = t
			}
		}
		return first, nil
	}
	// Midnight was skipped: the day began when the clocks jumped, at the
	// start of the zone in force later that day.
	wy, wm, wd := wall.Date()
	for _, off := range offsets {
		t := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if y, m, d := t.Date(); y != wy || m != wm || d != wd {
			continue
		}
		start, _ := t.ZoneBounds()
		if y, m, d := start.In(loc).Date(); !start.IsZero() && y == wy && m == wm && d == wd {
			return start.In(loc), nil
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%s has no %s: the clocks skipped the whole day; check that timezone: %s is the zone the export writes in", loc, wall.Format("2006-01-02"), loc)
}

func sameWall(t, wall time.Time) bool {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	wy, wmo, wd := wall.Date()
	wh, wmi, ws := wall.Clock()
	return y == wy && mo == wmo && d == wd && h == wh && mi == wmi && s == ws && t.Nanosecond() == wall.Nanosecond()
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

func containsTime(list []time.Time, x time.Time) bool {
	for _, v := range list {
		if v.Equal(x) {
			return true
		}
	}
	return false
}

// quoteCell quotes a cell for a message, cut to a readable length.
func quoteCell(cell string) string {
	if utf8.RuneCountInString(cell) > 60 {
		r := []rune(cell)
		return strconv.Quote(string(r[:57]) + "...")
	}
	return strconv.Quote(cell)
}
