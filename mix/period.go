package mix

import "fmt"

// Period is the length of a model's periods: a week (the default) or a
// day. A daily model reads each series day by day: its adstock decays per
// day, its baseline has day-of-week terms, and its cross-validation folds
// and data checks are counted in days.
type Period string

// Periods.
const (
	// Week is seven days from the week's first day at 00:00 UTC.
	Week Period = "week"
	// Day is one day from 00:00 UTC.
	Day Period = "day"
)

// ParsePeriod reads "week" or "day" ("" is week).
func ParsePeriod(s string) (Period, error) {
	switch s {
	case "", "week":
		return Week, nil
	case "day":
		return Day, nil
	}
	return "", fmt.Errorf("unknown period %q; use week or day", s)
}

// norm is p with the zero value read as Week.
func (p Period) norm() Period {
	if p == Day {
		return Day
	}
	return Week
}

// Days is the period's length in days: 7 or 1.
func (p Period) Days() int {
	if p.norm() == Day {
		return 1
	}
	return 7
}

// plural is "weeks" or "days".
func (p Period) plural() string { return string(p.norm()) + "s" }

// String is "week" or "day".
func (p Period) String() string { return string(p.norm()) }

// MinDays is the fewest days a daily fit accepts: MinWeeks weeks.
const MinDays = MinWeeks * 7

// minPeriods is the fewest periods Fit accepts.
func (p Period) minPeriods() int {
	if p.norm() == Day {
		return MinDays
	}
	return MinWeeks
}

// looksLike names the period a gap between consecutive dates suggests,
// for a message about data of the other period: "" when it suggests
// neither.
func (p Period) looksLike(gapDays int) string {
	switch {
	case p.norm() == Day && gapDays == 7:
		return "; the dates are 7 days apart, so this looks like weekly data: run with --period week (or give one row per day)"
	case p.norm() == Week && gapDays == 1:
		return "; the dates are 1 day apart, so this looks like daily data: run with --period day (or add the days up by week)"
	}
	return ""
}
