package mix

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// LiftColumns are the columns of a lift-test file, in any order.
var LiftColumns = []string{"channel", "start", "end", "incremental_kpi", "low", "high"}

// ReadLiftTests reads a lift-test file: CSV with channel, start and end
// (the test's first and last days, as 2024-01-01), incremental_kpi (the
// KPI the test found the channel's spend added over those days) and low
// and high (its 95% interval); other columns are ignored. A row that
// repeats an earlier one (the same channel, dates and result) fails. A bad row is
// passed to onError with its line and left out. The error is for a file
// that cannot be read at all.
func ReadLiftTests(r io.Reader, onError func(line int, err error)) ([]LiftTest, Counts, error) {
	var n Counts
	t, err := newTable(r, "lift-test", LiftColumns...)
	if err != nil {
		return nil, n, err
	}
	var tests []LiftTest
	type key struct {
		channel         string
		start, end      time.Time
		incr, low, high float64
	}
	seen := map[key]int{}
	for {
		line, rec, err := t.next()
		if err == io.EOF {
			return tests, n, nil
		}
		if re, ok := err.(readError); ok {
			return nil, n, re.err
		}
		n.Rows++
		var lt LiftTest
		if err == nil {
			lt, err = liftRow(t, rec)
			lt.Line = line
		}
		if err == nil {
			k := key{strings.ToLower(lt.Channel), lt.Start, lt.End, lt.Incremental, lt.Low, lt.High}
			if first, ok := seen[k]; ok {
				err = fmt.Errorf("repeats the lift test on line %d (%s, %s to %s, the same result): a test counted twice would pull the fit twice as hard; remove one", first, lt.Channel, day(lt.Start), day(lt.End))
			} else {
				seen[k] = line
			}
		}
		if err != nil {
			n.Failed++
			onError(line, err)
			continue
		}
		n.Read++
		tests = append(tests, lt)
	}
}

func liftRow(t *table, rec []string) (LiftTest, error) {
	var lt LiftTest
	lt.Channel = t.cell(rec, "channel")
	if lt.Channel == "" {
		return lt, fmt.Errorf("the channel is empty; name the channel the test measured, as the spend file names it")
	}
	date := func(col string) (time.Time, error) {
		s := t.cell(rec, col)
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return d, fmt.Errorf("%s %q is not a date like 2024-01-01", col, s)
		}
		return d, nil
	}
	var err error
	if lt.Start, err = date("start"); err != nil {
		return lt, err
	}
	if lt.End, err = date("end"); err != nil {
		return lt, err
	}
	if lt.End.Before(lt.Start) {
		return lt, fmt.Errorf("the test ends (%s) before it starts (%s); give its first day as start and its last as end", day(lt.End), day(lt.Start))
	}
	for _, f := range []struct {
		col string
		v   *float64
	}{{"incremental_kpi", &lt.Incremental}, {"low", &lt.Low}, {"high", &lt.High}} {
		if *f.v, err = parseNumber(f.col, t.cell(rec, f.col)); err != nil {
			return lt, err
		}
	}
	if !(lt.Low <= lt.Incremental && lt.Incremental <= lt.High) {
		return lt, fmt.Errorf("incremental_kpi %s is not between low %s and high %s; give the test's result and its 95%% interval around it",
			t.cell(rec, "incremental_kpi"), t.cell(rec, "low"), t.cell(rec, "high"))
	}
	if lt.High == lt.Low {
		return lt, fmt.Errorf("low and high are both %s: an interval of no width would make the test certain; give the test's 95%% interval", t.cell(rec, "low"))
	}
	return lt, nil
}
