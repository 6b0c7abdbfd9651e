package rules

import (
	"reflect"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
)

// date checks a call of date() once, when the rule file is compiled: its
// date, layout and zone must be text; written in quotes, they must read (a
// bad one would fail every lead, when scoring), and a zone must be a place,
// not an abbreviation (read machine by machine, most as UTC). Text read
// from the lead (a zone field) is read lead by lead.
func (p *patcher) date(n *ast.BuiltinNode) {
	args := n.Arguments
	if len(args) == 0 || len(args) > 3 {
		return // expr says how many date() takes
	}
	what := []string{"date", "layout", "time zone"}
	such := []string{`date("2026-08-01")`, `date("01/08/2026", "02/01/2006")`, `date("2026-08-01 09:30", "2006-01-02 15:04", "America/New_York")`}
	texts := make([]string, len(args))
	for i, a := range args {
		s, ok := a.(*ast.StringNode)
		if !ok {
			if t := a.Type(); t == nil || t.Kind() == reflect.String || t.Kind() == reflect.Interface {
				return // text read from the lead (a zone field): read lead by lead
			}
			p.errorf(a, "date() takes its %s as text, such as %s; %s is not text (to compare a time field with a date, name the field: created_at < date(\"2026-08-01\"); to count days, daysSince(created_at) > 30)", what[i], such[i], a)
			return
		}
		texts[i] = s.Value
	}
	date := texts[0]
	switch len(args) {
	case 1:
		layout, ok := dateLayout(date)
		if !ok {
			p.errorf(args[0], `date() takes a date such as "2026-08-01" (year-month-day), or a date and time such as "2026-08-01T09:30:00Z"; %q is not one`, date)
			return
		}
		if strings.Contains(layout, "MST") {
			if t, _ := time.Parse(layout, date); !utcName(t) {
				zone, _ := t.Zone()
				p.errorf(args[0], "date(%q) names its zone by an abbreviation, %s, and abbreviations are ambiguous (CST is Chicago, China or Cuba) and read machine by machine, most as UTC; write the offset, such as %q, or the time in UTC", date, zone, "2026-08-01T09:30:00-08:00")
			}
		}
	case 2, 3:
		layout := texts[1]
		if strings.Contains(layout, "MST") {
			p.errorf(args[1], "date()'s layout %q reads a zone abbreviation (MST), and abbreviations are ambiguous (CST is Chicago, China or Cuba) and read machine by machine, most as UTC: use a numeric offset, such as %q, or leave the zone out and name the place as the third argument, such as \"America/New_York\"", layout, strings.Replace(layout, "MST", "-07:00", 1))
			return
		}
		loc := time.UTC
		if len(args) == 3 {
			zone := texts[2]
			var err error
			if zone != "UTC" && (!strings.Contains(zone, "/") || strings.HasPrefix(zone, "Etc/")) {
				p.errorf(args[2], "date()'s time zone %q is not a place: abbreviations and fixed offsets (EST, CET, Etc/GMT+5) keep one offset all year where the place changes its clocks; name the place as Area/City, such as America/New_York or Europe/Berlin, or write UTC", zone)
				return
			}
			if loc, err = time.LoadLocation(zone); err != nil {
				p.errorf(args[2], "date()'s time zone %q is not an IANA time zone; write it as Area/City, such as America/New_York, Europe/London or UTC", zone)
				return
			}
		}
		if _, err := time.ParseInLocation(layout, date, loc); err != nil {
			p.errorf(args[1], "date()'s layout %q does not read %q; a layout writes Go's reference time, Mon Jan 2 15:04:05 2006, the way the date is written, such as \"2006-01-02\" or \"02/01/2006 15:04\"", layout, date)
		}
	}
}

// utcName reports whether t was read with the zone named UTC or GMT (the
// only abbreviations read alike on every machine).
func utcName(t time.Time) bool {
	zone, off := t.Zone()
	return off == 0 && (zone == "UTC" || zone == "GMT" || zone == "Z")
}

// dateLayout is the layout date("s") reads s with (expr's first that
// parses), and false when none does.
func dateLayout(s string) (string, bool) {
	for _, layout := range dateLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return layout, true
		}
	}
	return "", false
}
