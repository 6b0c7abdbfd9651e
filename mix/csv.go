package mix

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/leadscore/leadscore/internal/csvspan"
)

// Counts reconcile a file's rows: Rows = Read + Failed.
type Counts struct {
	Rows   int `json:"rows"`
	Read   int `json:"read"`
	Failed int `json:"failed"`
	// Dates says, for a file dated by a date column (which may hold
	// weeks or days), which period its dates were found to be: "dates 7
	// days apart: weekly" or "dates 1 day apart: daily"; "" otherwise.
	Dates string `json:"-"`
}

// LineError is a file's error found at one of its lines by a check of
// the whole file (its dates' period): the caller names the file.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap is the error without its line.
func (e *LineError) Unwrap() error { return e.Err }

// datedLine is a row's date and line.
type datedLine struct {
	t    time.Time
	line int
}

// checkDates finds the period of a file's dates from the gaps between its
// consecutive distinct dates: the most common gap, 1 day (daily) or 7
// (weekly); any other (a tie, or too few dates) finds none. Dates of the other
// period than p are a LineError at the first row that shows the gap. When
// the file's period column is date (which may hold either), dates says
// which period was found.
func checkDates(t *table, what string, p Period, rows []datedLine) (dates string, err error) {
	rows = append([]datedLine(nil), rows...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].t.Before(rows[j].t) })
	gaps := map[int]int{}
	for i := 1; i < len(rows); i++ {
		if g := int(rows[i].t.Sub(rows[i-1].t).Hours() / 24); g > 0 {
			gaps[g]++
		}
	}
	mode := 0
	for g, k := range gaps {
		if mode == 0 || k > gaps[mode] || k == gaps[mode] && g < mode {
			mode = g
		}
	}
	for g, k := range gaps {
		if g != mode && k == gaps[mode] {
			mode = 0 // a tie: no gap is the most common, so no period is found
		}
	}
	var found Period
	switch mode {
	case 1:
		found = Day
	case 7:
		found = Week
	default:
		return "", nil
	}
	if found != p.norm() {
		for i := 1; i < len(rows); i++ {
			if int(rows[i].t.Sub(rows[i-1].t).Hours()/24) != mode {
				continue
			}
			fix := "run with --period day, or add the days up by week"
			if found == Week {
				fix = "run with --period week, or give one row per day"
			}
			return "", &LineError{Line: rows[i].line, Err: fmt.Errorf("the %s file's %s is %s, %s after %s on line %d, and most of its dates are %s apart: it is %s data, and this run is %s (--period %s); %s",
				what, t.period, day(rows[i].t), days(time.Duration(mode)*24*time.Hour), day(rows[i-1].t), rows[i-1].line, days(time.Duration(mode)*24*time.Hour),
				map[Period]string{Week: "weekly", Day: "daily"}[found], map[Period]string{Week: "weekly", Day: "daily"}[p.norm()], p.norm(), fix)}
		}
	}
	if t.period != "date" {
		return "", nil
	}
	return fmt.Sprintf("dates %s apart: %s", days(time.Duration(mode)*24*time.Hour), map[Period]string{Week: "weekly", Day: "daily"}[found]), nil
}

// SpendRow is one row of a spend file.
type SpendRow struct {
	Week    time.Time
	Channel string
	Spend   float64
	Line    int
}

// table is a CSV file whose columns are found by name in its header.
type table struct {
	r    *csv.Reader
	cols map[string]int
	head []string
	// period is the column that dates the rows (week, day or date).
	period string
}

// newPeriodTable is newTable for a file dated by period p: a week column
// for weeks, a day or date column for days. A file with the other
// period's column is named as such.
func newPeriodTable(r io.Reader, what string, p Period, need ...string) (*table, error) {
	if p.norm() == Week {
		withWeek := append([]string{"week"}, need...)
		t, err := newTable(r, what)
		if err != nil && strings.Contains(err.Error(), "is empty; it needs a header line") {
			return nil, fmt.Errorf("the %s file is empty; it needs a header line with %s", what, strings.Join(withWeek, ", "))
		}
		if err != nil {
			return nil, err
		}
		for _, n := range need {
			if _, ok := t.cols[n]; !ok {
				return nil, fmt.Errorf("the %s file's header has no %q column (it has %s); the file needs %s", what, n, strings.Join(t.head, ", "), strings.Join(withWeek, ", "))
			}
		}
		_, hasWeek := t.cols["week"]
		_, hasDate := t.cols["date"]
		_, hasDay := t.cols["day"]
		switch {
		case hasWeek && (hasDate || hasDay):
			// Refused from the header: read on, the other column would
			// be taken for a value (a control) and fail every row.
			other := "date"
			if hasDay {
				other = "day"
			}
			return nil, fmt.Errorf("the %s file's header has both a week and a %s column; keep one, the week each row is for", what, other)
		case hasWeek:
			t.period = "week"
		case hasDate:
			// A date column says nothing of the period: the dates do
			// (checkDates).
			t.period = "date"
		case hasDay:
			return nil, fmt.Errorf("the %s file's header has no \"week\" column (it has %s); the file needs %s; its day column looks like daily data: run with --period day", what, strings.Join(t.head, ", "), strings.Join(withWeek, ", "))
		default:
			return nil, fmt.Errorf("the %s file's header has no \"week\" column (it has %s); the file needs %s", what, strings.Join(t.head, ", "), strings.Join(withWeek, ", "))
		}
		return t, nil
	}
	t, err := newTable(r, what, need...)
	if err != nil && strings.Contains(err.Error(), "is empty; it needs a header line") {
		return nil, fmt.Errorf("the %s file is empty; it needs a header line with %s", what, strings.Join(append([]string{"day (or date)"}, need...), ", "))
	}
	if err != nil {
		return nil, err
	}
	_, hasDay := t.cols["day"]
	_, hasDate := t.cols["date"]
	_, hasWeek := t.cols["week"]
	switch {
	case hasDay && hasDate:
		return nil, fmt.Errorf("the %s file's header has both a day and a date column; keep one, the day each row is for", what)
	case hasDay:
		t.period = "day"
	case hasDate:
		t.period = "date"
	case hasWeek:
		return nil, fmt.Errorf("the %s file's header has a week column and no day or date column: it looks like weekly data; run with --period week, or give one row per day with a day column", what)
	default:
		return nil, fmt.Errorf("the %s file's header has no \"day\" column (it has %s); the file needs day (or date)%s", what, strings.Join(t.head, ", "), strings.Join(append([]string{""}, need...), ", "))
	}
	return t, nil
}

// parsePeriod reads a period's first day: a week's, or a day.
func parsePeriod(p Period, s string) (time.Time, error) {
	if p.norm() == Week {
		return parseWeek(s)
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("day %q is not a date like 2024-01-01", s)
	}
	return d, nil
}

func newTable(r io.Reader, what string, need ...string) (*table, error) {
	// A byte-order mark goes before the CSV reader sees it: left on, it
	// makes a quoted first header cell ("\ufeff\"week\"") a bare quote.
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("the %s file is empty; it needs a header line with %s", what, strings.Join(need, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("the header of the %s file cannot be read: %v", what, err)
	}
	t := &table{r: cr, cols: map[string]int{}, head: head}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		head[i] = h
		if _, dup := t.cols[h]; dup {
			return nil, fmt.Errorf("the %s file's header has column %q twice", what, h)
		}
		t.cols[h] = i
	}
	for _, n := range need {
		if _, ok := t.cols[n]; !ok {
			return nil, fmt.Errorf("the %s file's header has no %q column (it has %s); the file needs %s", what, n, strings.Join(head, ", "), strings.Join(need, ", "))
		}
	}
	return t, nil
}

// readError is a file that stopped being readable: no row's fault.
type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }

// next returns the next row and its line; io.EOF at the end, a readError
// when the file cannot be read on.
func (t *table) next() (int, []string, error) {
	rec, err := t.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if errors.Is(pe.Err, csv.ErrQuote) {
				return pe.StartLine, nil, fmt.Errorf("%v (a quote that opens a cell and does not close swallows the lines after it, up to line %d)", pe.Err, pe.Line)
			}
			return pe.StartLine, nil, fmt.Errorf("%v", pe.Err)
		}
		if err == io.EOF {
			return 0, nil, err
		}
		return 0, nil, readError{err}
	}
	line, _ := t.r.FieldPos(0)
	if e := csvspan.Check(t.r, t.head, rec); e != nil {
		// A quote closed by a stray one lines later, with the header's
		// cells: the record fails, as one row, naming the lines it took.
		return line, nil, e
	}
	if len(rec) != len(t.head) {
		return line, nil, fmt.Errorf("%d cells, the header has %d", len(rec), len(t.head))
	}
	return line, rec, nil
}

func (t *table) cell(rec []string, col string) string { return strings.TrimSpace(rec[t.cols[col]]) }

// parseWeek reads a week's first day, as 2024-01-01.
func parseWeek(s string) (time.Time, error) {
	w, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("week %q is not a date like 2024-01-01", s)
	}
	return w, nil
}

// maxNumber is the largest size of a number the readers take: a thousand
// trillion (1e15), as attribute's amounts. Anything larger is a typo or a
// unit mistake, and would overflow the sums the fit takes.
const maxNumber = 1e15

// numberForm is the numbers the readers take: digits with an optional sign,
// decimal point and exponent, and optionally commas grouping the whole
// part in threes (1,234,567.89). A comma anywhere else (1,5 or 1.000,50,
// a decimal comma) is refused: read as a thousands separator it would make
// 1,5 fifteen.
var numberForm = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+|\d{1,3}(,\d{3})+(\.\d*)?)([eE][+-]?\d+)?$`)

// acceptedForms says which forms numberForm takes, for messages.
const acceptedForms = "write it as 1234567.89 or 1,234,567.89 (a point before the decimals, commas only between groups of three digits)"

// parseNumber reads a number: plain, or with commas grouping thousands.
// Anything else, and a number larger than maxNumber in size, is an error
// that says which forms are read.
func parseNumber(what, s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("%s is empty; give a number (0 when nothing)", what)
	}
	if !numberForm.MatchString(s) {
		if i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !strings.ContainsRune("0123456789,.+-", r) }); i >= 0 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return 0, fmt.Errorf("%s %q is not a number: it holds %q, which is no part of one (a currency sign, a unit or a space?); write the number alone; %s", what, s, r, acceptedForms)
		}
		if strings.Contains(s, ",") {
			return 0, fmt.Errorf("%s %q is not a number leadscore reads: a comma is read only between groups of three digits of the whole part; %s", what, s, acceptedForms)
		}
		return 0, fmt.Errorf("%s %q is not a number; %s", what, s, acceptedForms)
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		return 0, fmt.Errorf("%s %s is out of range; a number here is at most 1e15 in size", what, s)
	}
	if math.Abs(v) > maxNumber {
		return 0, fmt.Errorf("%s %s is more than 1e15, the largest number leadscore reads here; check the unit or look for a typo", what, s)
	}
	return v, nil
}

// ReadSpend reads a spend file: CSV with week, channel and spend columns
// (any order, other columns ignored). A bad row, and a second row for the
// same week and channel, is passed to onError with its line and left out.
// The error is for a file that cannot be read at all.
func ReadSpend(r io.Reader, onError func(line int, err error)) ([]SpendRow, Counts, error) {
	return ReadSpendBy(r, Week, onError)
}

// ReadSpendBy is ReadSpend for periods p: with Day, a CSV with day (or
// date), channel and spend columns, one row per day and channel.
func ReadSpendBy(r io.Reader, p Period, onError func(line int, err error)) ([]SpendRow, Counts, error) {
	var n Counts
	t, err := newPeriodTable(r, "spend", p, "channel", "spend")
	if err != nil {
		return nil, n, err
	}
	p = p.norm()
	var rows []SpendRow
	seen := map[string]int{}
	for {
		line, rec, err := t.next()
		if err == io.EOF {
			dated := make([]datedLine, len(rows))
			for i, r := range rows {
				dated[i] = datedLine{r.Week, r.Line}
			}
			if n.Dates, err = checkDates(t, "spend", p, dated); err != nil {
				return nil, n, err
			}
			return rows, n, nil
		}
		if re, ok := err.(readError); ok {
			return nil, n, re.err
		}
		n.Rows++
		var row SpendRow
		if err == nil {
			row, err = func() (SpendRow, error) {
				w, err := parsePeriod(p, t.cell(rec, t.period))
				if err != nil {
					return SpendRow{}, err
				}
				ch := t.cell(rec, "channel")
				if ch == "" {
					return SpendRow{}, fmt.Errorf("the channel is empty")
				}
				v, err := parseNumber("spend", t.cell(rec, "spend"))
				if err != nil {
					return SpendRow{}, err
				}
				if v < 0 {
					return SpendRow{}, fmt.Errorf("spend %s is negative; give the amount spent, 0 or more (refunds belong in the %s they reduce)", t.cell(rec, "spend"), p)
				}
				key := day(w) + "\x00" + ch
				if first, dup := seen[key]; dup {
					return SpendRow{}, fmt.Errorf("%s %s, channel %s was already given on line %d; give one row per %s and channel (add the amounts up)", p, day(w), ch, first, p)
				}
				seen[key] = line
				return SpendRow{Week: w, Channel: ch, Spend: v, Line: line}, nil
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

// Series is a file of weekly values: the KPI, or the controls.
type Series struct {
	// Period is the rows' period: Week (also the zero value) or Day;
	// Weeks then holds days.
	Period  Period
	Weeks   []time.Time
	Names   []string
	Values  [][]float64 // [name][week]
	Columns []string
	// Lines are each period's line in the file (none when the series was
	// not read from one).
	Lines []int
}

// ReadWeekly reads a CSV with a week column and numeric columns: the KPI
// file (pass its column, or "" when it has one besides week) or the
// controls file (pass "*" for every column). Weeks are sorted; a bad row,
// and a week's second row, is passed to onError with its line and left out.
func ReadWeekly(r io.Reader, what, column string, onError func(line int, err error)) (Series, Counts, error) {
	return ReadSeries(r, Week, what, column, onError)
}

// ReadSeries is ReadWeekly for periods p: with Day, the file's period
// column is day (or date), one row per day.
func ReadSeries(r io.Reader, p Period, what, column string, onError func(line int, err error)) (Series, Counts, error) {
	var n Counts
	t, err := newPeriodTable(r, what, p)
	if err != nil {
		return Series{}, n, err
	}
	p = p.norm()
	var names []string
	switch column {
	case "*":
		for _, h := range t.head {
			if h != t.period {
				names = append(names, h)
			}
		}
	case "":
		for _, h := range t.head {
			if h != t.period {
				names = append(names, h)
			}
		}
		if len(names) != 1 {
			return Series{}, n, fmt.Errorf("the %s file has %d columns besides %s (%s); name the KPI's column with --kpi-column", what, len(names), t.period, strings.Join(names, ", "))
		}
	default:
		c := strings.ToLower(column)
		if _, ok := t.cols[c]; !ok {
			return Series{}, n, fmt.Errorf("the %s file has no column %q; its columns are %s", what, column, strings.Join(t.head, ", "))
		}
		names = []string{c}
	}
	type row struct {
		w    time.Time
		line int
		vals []float64
	}
	var rows []row
	seen := map[time.Time]int{}
	for {
		line, rec, err := t.next()
		if err == io.EOF {
			break
		}
		if re, ok := err.(readError); ok {
			return Series{}, n, re.err
		}
		n.Rows++
		var rw row
		if err == nil {
			rw.w, err = parsePeriod(p, t.cell(rec, t.period))
		}
		if err == nil {
			if first, dup := seen[rw.w]; dup {
				err = fmt.Errorf("%s %s was already given on line %d; give one row per %s", p, day(rw.w), first, p)
			}
		}
		for _, name := range names {
			if err != nil {
				break
			}
			var v float64
			v, err = parseNumber(name, t.cell(rec, name))
			rw.vals = append(rw.vals, v)
		}
		if err != nil {
			n.Failed++
			onError(line, err)
			continue
		}
		seen[rw.w] = line
		rw.line = line
		n.Read++
		rows = append(rows, rw)
	}
	dated := make([]datedLine, len(rows))
	for i, r := range rows {
		dated[i] = datedLine{r.w, r.line}
	}
	if n.Dates, err = checkDates(t, what, p, dated); err != nil {
		return Series{}, n, err
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].w.Before(rows[j].w) })
	s := Series{Names: names, Values: make([][]float64, len(names))}
	if p == Day {
		s.Period = Day
	}
	for _, rw := range rows {
		s.Weeks = append(s.Weeks, rw.w)
		s.Lines = append(s.Lines, rw.line)
		for i, v := range rw.vals {
			s.Values[i] = append(s.Values[i], v)
		}
	}
	return s, n, nil
}

// Assembled says how the spend rows met the KPI's weeks.
type Assembled struct {
	// Outside is the number of spend rows whose week is not a KPI week:
	// left out.
	Outside int
	// Filled is the number of channel-weeks with no spend row: counted as
	// no spend.
	Filled int
}

// Assemble joins spend rows, the KPI and controls on the KPI's weeks.
// Channels are in order of first appearance. A week the KPI has and a
// control does not is an error; a channel's week without a spend row is
// zero spend, counted in Filled.
func Assemble(spend []SpendRow, kpi Series, controls *Series) (Data, Assembled, error) {
	var a Assembled
	if len(kpi.Names) != 1 {
		return Data{}, a, fmt.Errorf("the KPI must be one column")
	}
	d := Data{Period: kpi.Period, Weeks: kpi.Weeks, KPI: kpi.Values[0]}
	p := kpi.Period.norm()
	index := map[time.Time]int{}
	for i, w := range kpi.Weeks {
		index[w] = i
	}
	byName := map[string]int{}
	for _, r := range spend {
		i, ok := index[r.Week]
		if !ok {
			a.Outside++
			continue
		}
		c, ok := byName[r.Channel]
		if !ok {
			c = len(d.Channels)
			byName[r.Channel] = c
			d.Channels = append(d.Channels, Channel{Name: r.Channel, Spend: make([]float64, len(kpi.Weeks))})
		}
		d.Channels[c].Spend[i] = r.Spend
	}
	// Channel names that differ only in case ("TV", "tv") are one channel
	// spelt two ways: each would get half its weeks as no spend.
	lower := map[string]string{}
	for _, ch := range d.Channels {
		if other, ok := lower[strings.ToLower(ch.Name)]; ok {
			return Data{}, a, fmt.Errorf("channels %q and %q differ only in case; write one name for the channel in every row", other, ch.Name)
		}
		lower[strings.ToLower(ch.Name)] = ch.Name
	}
	// Channels in the order of their names, not of the rows: the same data
	// in another order is the same fit, to the bootstrap's last draw.
	slices.SortFunc(d.Channels, func(x, y Channel) int { return strings.Compare(x.Name, y.Name) })
	if len(d.Channels) == 0 && len(spend) > 0 {
		if p == Day {
			return Data{}, a, fmt.Errorf("no spend row falls on a KPI day (the spend's first day is %s, the KPI's %s); give both files the same days", day(spend[0].Week), day(kpi.Weeks[0]))
		}
		return Data{}, a, fmt.Errorf("no spend row falls on a KPI week (the spend's first week is %s, the KPI's %s); give both files the same weeks, each week's first day", day(spend[0].Week), day(kpi.Weeks[0]))
	}
	rows := map[string]int{}
	for _, r := range spend {
		if _, ok := index[r.Week]; ok {
			rows[r.Channel]++
		}
	}
	for _, ch := range d.Channels {
		a.Filled += len(kpi.Weeks) - rows[ch.Name]
	}
	if controls != nil {
		cidx := map[time.Time]int{}
		for i, w := range controls.Weeks {
			cidx[w] = i
		}
		for k, name := range controls.Names {
			vals := make([]float64, len(kpi.Weeks))
			for i, w := range kpi.Weeks {
				j, ok := cidx[w]
				if !ok {
					return Data{}, a, missingControl(*controls, p, w)
				}
				vals[i] = controls.Values[k][j]
			}
			d.Controls = append(d.Controls, Control{Name: name, Values: vals})
		}
	}
	return d, a, nil
}

// missingControl is the error of a KPI period w the controls have no row
// for: at the controls' row after it (or their last row, when w is after
// them all), when the rows' lines are known.
func missingControl(c Series, p Period, w time.Time) error {
	fix := fmt.Sprintf("add a row for %s %s with each control's value (0 where there was none)", p, day(w))
	if len(c.Lines) != len(c.Weeks) || len(c.Weeks) == 0 {
		return fmt.Errorf("the controls have no row for %s %s, a KPI %s; %s", p, day(w), p, fix)
	}
	i := sort.Search(len(c.Weeks), func(i int) bool { return c.Weeks[i].After(w) })
	var where string
	switch {
	case i == len(c.Weeks):
		i--
		where = fmt.Sprintf("they end on %s %s, this row", p, day(c.Weeks[i]))
	case i == 0:
		where = fmt.Sprintf("they begin on %s %s, this row", p, day(c.Weeks[i]))
	default:
		where = fmt.Sprintf("this row is %s %s, the one before %s", p, day(c.Weeks[i]), day(c.Weeks[i-1]))
	}
	return &LineError{Line: c.Lines[i], Err: fmt.Errorf("the controls have no row for %s %s, a KPI %s (%s); %s", p, day(w), p, where, fix)}
}
