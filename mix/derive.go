package mix

import (
	"fmt"
	"io"
	"math"
	"sort"
	"time"
)

// A week is the seven days from its first day at 00:00 UTC: a moment at
// belongs to the week w with w <= at < w + 7 days. The week's first day is
// whatever weekday the grid starts on (the spend file's, the KPI file's,
// or --week-start's).

// WeekGrid is a run of weeks 7 days apart: From, From+7 days, ..., To;
// with Step 1, a run of days.
type WeekGrid struct {
	From, To time.Time
	// Step is the days from one period to the next: 0 (or 7) for weeks,
	// 1 for days.
	Step int
}

// step is the grid's days per period.
func (g WeekGrid) step() int {
	if g.Step == 1 {
		return 1
	}
	return 7
}

// Period is the grid's period: Week, or Day for a grid of Step 1.
func (g WeekGrid) Period() Period {
	if g.step() == 1 {
		return Day
	}
	return Week
}

// Weeks lists the grid's weeks' first days (its days, with Step 1).
func (g WeekGrid) Weeks() []time.Time {
	var out []time.Time
	for w := g.From; !w.After(g.To); w = w.AddDate(0, 0, g.step()) {
		out = append(out, w)
	}
	return out
}

// OnGrid reports whether w is the first day of a week of a grid that
// starts on anchor (before or after it).
func OnGrid(anchor, w time.Time) bool {
	return (dayNumber(w)-dayNumber(anchor))%7 == 0 && w.Equal(truncDay(w))
}

// WeekOf is the first day of the week, on the grid that starts on anchor,
// that holds the moment at.
func WeekOf(anchor, at time.Time) time.Time {
	d := dayNumber(at) - dayNumber(anchor)
	d -= ((d % 7) + 7) % 7
	return truncDay(anchor).AddDate(0, 0, int(d))
}

// dayNumber is the day at falls on, in UTC, counted from 1970-01-01.
func dayNumber(t time.Time) int64 {
	return int64(math.Floor(float64(t.UTC().Unix()) / 86400))
}

func truncDay(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}

// Dated is something that happened at a moment, worth Value: a won deal
// (1, or its revenue), a lead that became sales-ready (1).
type Dated struct {
	At    time.Time
	Value float64
}

// Binned says where dated things fell against a grid's weeks; the three
// counts add up to all of them, and so do the three values.
type Binned struct {
	In          int     `json:"in_periods"`
	Before      int     `json:"before"`
	After       int     `json:"after"`
	ValueIn     float64 `json:"value_in_periods"`
	ValueBefore float64 `json:"value_before"`
	ValueAfter  float64 `json:"value_after"`
}

// WeeklyTotals adds up the values of items by the grid's week each falls
// in. Items before the grid's first week or after its last are counted in
// Before and After and left out of the totals.
func WeeklyTotals(g WeekGrid, items []Dated) ([]float64, Binned) {
	weeks := g.Weeks()
	totals := make([]float64, len(weeks))
	var b Binned
	end := g.To.AddDate(0, 0, g.step())
	for _, it := range items {
		switch {
		case it.At.Before(g.From):
			b.Before++
			b.ValueBefore += it.Value
		case !it.At.Before(end):
			b.After++
			b.ValueAfter += it.Value
		default:
			i := int((dayNumber(it.At) - dayNumber(g.From)) / int64(g.step()))
			totals[i] += it.Value
			b.In++
			b.ValueIn += it.Value
		}
	}
	return totals, b
}

// CostRow is one row of a campaign cost file: what a campaign on a channel
// cost over its days, Start to End, both included.
type CostRow struct {
	Campaign, Channel string
	Start, End        time.Time
	Cost              float64
	Line              int
}

// Days is the number of days the cost is spread over.
func (c CostRow) Days() int { return int(dayNumber(c.End)-dayNumber(c.Start)) + 1 }

// ReadCosts reads a campaign cost file: a CSV with campaign and cost
// columns, optionally channel (without it, every row's Channel is empty,
// for the caller to fill in from the campaign), and either a date column (the cost falls on that day) or
// start and end columns (the first and last days it was spent over; a row
// may leave end empty to mean one day, start). Other columns are ignored.
// A bad row is passed to onError with its line and left out. The error is
// for a file that cannot be read at all.
func ReadCosts(r io.Reader, onError func(line int, err error)) ([]CostRow, Counts, error) {
	var n Counts
	t, err := newTable(r, "costs", "campaign", "cost")
	if err != nil {
		return nil, n, err
	}
	_, hasChannel := t.cols["channel"]
	_, hasDate := t.cols["date"]
	_, hasStart := t.cols["start"]
	_, hasEnd := t.cols["end"]
	switch {
	case hasDate && (hasStart || hasEnd):
		return nil, n, fmt.Errorf("the costs file has both a date column and start/end columns; give date (one day per row) or start and end (the first and last days), not both")
	case !hasDate && !(hasStart && hasEnd):
		return nil, n, fmt.Errorf("the costs file's header has no dates (it has %s); give a date column (the day the cost fell on) or start and end columns (the first and last days it was spent over)", joinComma(t.head))
	}
	var rows []CostRow
	for {
		line, rec, err := t.next()
		if err == io.EOF {
			return rows, n, nil
		}
		if re, ok := err.(readError); ok {
			return nil, n, re.err
		}
		n.Rows++
		var row CostRow
		if err == nil {
			row, err = func() (CostRow, error) {
				c := CostRow{Campaign: t.cell(rec, "campaign"), Line: line}
				if c.Campaign == "" && !hasChannel {
					return c, fmt.Errorf("the campaign is empty; name it, as the events name it")
				}
				if hasChannel {
					if c.Channel = t.cell(rec, "channel"); c.Channel == "" {
						return c, fmt.Errorf("the channel is empty; name the channel the campaign ran on (its spend is modelled by channel)")
					}
				}
				v, err := parseNumber("cost", t.cell(rec, "cost"))
				if err != nil {
					return c, err
				}
				if v < 0 {
					return c, fmt.Errorf("cost %s is negative; give the amount spent, 0 or more", t.cell(rec, "cost"))
				}
				c.Cost = v
				if hasDate {
					if c.Start, err = parseDay("date", t.cell(rec, "date")); err != nil {
						return c, err
					}
					c.End = c.Start
					return c, nil
				}
				if c.Start, err = parseDay("start", t.cell(rec, "start")); err != nil {
					return c, err
				}
				c.End = c.Start
				if e := t.cell(rec, "end"); e != "" {
					if c.End, err = parseDay("end", e); err != nil {
						return c, err
					}
				}
				if c.End.Before(c.Start) {
					return c, fmt.Errorf("end %s is before start %s; give the first day, then the last", day(c.End), day(c.Start))
				}
				return c, nil
			}()
		}
		if err != nil {
			n.Failed++
			onError(line, err)
			continue
		}
		n.Read++
		rows = append(rows, row)
	}
}

func parseDay(what, s string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		if s == "" {
			return time.Time{}, fmt.Errorf("%s is empty; give a day like 2024-01-01", what)
		}
		return time.Time{}, fmt.Errorf("%s %q is not a day like 2024-01-01", what, s)
	}
	return d, nil
}

func joinComma(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

// SpreadCosts spreads each campaign's cost over the weeks of its days, pro
// rata by days: a cost of 700 over 2024-01-06 to 2024-01-12 on a grid of
// Mondays puts 200 (2 of its 7 days) in the week of 2024-01-01 and 500 in
// the week of 2024-01-08. It returns one spend row per week and channel
// that got any cost, in order of week, then channel, and the grid from the
// week of the first day any campaign ran to the week of the last.
func SpreadCosts(costs []CostRow, anchor time.Time) ([]SpendRow, WeekGrid) {
	return SpreadCostsBy(costs, Week, anchor)
}

// SpreadCostsBy is SpreadCosts by periods p: with Day, each day of a
// campaign gets an equal share of its cost (anchor is not read), and the
// grid is of days.
func SpreadCostsBy(costs []CostRow, p Period, anchor time.Time) ([]SpendRow, WeekGrid) {
	step := p.Days()
	periodOf := func(at time.Time) time.Time {
		if step == 1 {
			return truncDay(at)
		}
		return WeekOf(anchor, at)
	}
	type key struct {
		w  time.Time
		ch string
	}
	sums := map[key]float64{}
	var g WeekGrid
	if step == 1 {
		g.Step = 1
	}
	for _, c := range costs {
		total := c.Days()
		for w := periodOf(c.Start); !w.After(c.End); w = w.AddDate(0, 0, step) {
			lo, hi := dayNumber(w), dayNumber(w)+int64(step)-1
			lo, hi = max(lo, dayNumber(c.Start)), min(hi, dayNumber(c.End))
			sums[key{w, c.Channel}] += c.Cost * float64(hi-lo+1) / float64(total)
		}
		first, last := periodOf(c.Start), periodOf(c.End)
		if g.From.IsZero() || first.Before(g.From) {
			g.From = first
		}
		if last.After(g.To) {
			g.To = last
		}
	}
	rows := make([]SpendRow, 0, len(sums))
	for k, v := range sums {
		rows = append(rows, SpendRow{Week: k.w, Channel: k.ch, Spend: v})
	}
	sort.Slice(rows, func(i, j int) bool {
		if !rows[i].Week.Equal(rows[j].Week) {
			return rows[i].Week.Before(rows[j].Week)
		}
		return rows[i].Channel < rows[j].Channel
	})
	return rows, g
}

// SpendGrid is the grid of a spend file's weeks: from the first to the
// last. It fails, naming the row, when a week is not 7 days on from the
// first (the weeks start on different weekdays).
func SpendGrid(rows []SpendRow) (WeekGrid, error) {
	return SpendGridBy(rows, Week)
}

// SpendGridBy is SpendGrid for periods p: with Day, the grid of the spend
// file's days, first to last.
func SpendGridBy(rows []SpendRow, p Period) (WeekGrid, error) {
	var g WeekGrid
	if p.norm() == Day {
		g.Step = 1
	}
	if len(rows) == 0 {
		return g, fmt.Errorf("no spend row")
	}
	first := rows[0]
	g.From, g.To = first.Week, first.Week
	for _, r := range rows {
		if g.Step != 1 && !OnGrid(first.Week, r.Week) {
			return g, fmt.Errorf("line %d: week %s starts on a %s, line %d's week %s on a %s; give every week by its first day, the same weekday throughout",
				r.Line, day(r.Week), r.Week.Weekday(), first.Line, day(first.Week), first.Week.Weekday())
		}
		if r.Week.Before(g.From) {
			g.From = r.Week
		}
		if r.Week.After(g.To) {
			g.To = r.Week
		}
	}
	return g, nil
}
