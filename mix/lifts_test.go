package mix

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A lift-test file: columns by name in any order, every bad row named by
// its line, the counts reconcile.
func TestReadLiftTests(t *testing.T) {
	in := "High,channel,start,end,incremental_kpi,low,note\n" +
		"\"140,000\",tv,2024-03-04,2024-04-28,100000,60000,geo test\n" +
		"12,search,2024-05-06,2024-05-19,10,8,\n" +
		"12,search,2024-05-06,2024-05-19,15,8,\n" +
		"12,search,2024-05-20,2024-05-06,10,8,\n" +
		"12,search,2024-5-6,2024-05-19,10,8,\n" +
		"10,search,2024-05-06,2024-05-19,10,10,\n" +
		"12,,2024-05-06,2024-05-19,10,8,\n" +
		"12,social,2024-05-06,2024-05-19,ten,8,\n"
	var errs []string
	tests, n, err := ReadLiftTests(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, itoa(line)+": "+err.Error())
	})
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 8, Read: 2, Failed: 6}, n)
	assert.Equal(t, []string{
		"4: incremental_kpi 15 is not between low 8 and high 12; give the test's result and its 95% interval around it",
		"5: the test ends (2024-05-06) before it starts (2024-05-20); give its first day as start and its last as end",
		`6: start "2024-5-6" is not a date like 2024-01-01`,
		"7: low and high are both 10: an interval of no width would make the test certain; give the test's 95% interval",
		"8: the channel is empty; name the channel the test measured, as the spend file names it",
		`9: incremental_kpi "ten" is not a number; write it as 1234567.89 or 1,234,567.89 (a point before the decimals, commas only between groups of three digits)`,
	}, errs)
	require.Len(t, tests, 2)
	assert.Equal(t, LiftTest{Channel: "tv", Start: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 4, 28, 0, 0, 0, 0, time.UTC),
		Incremental: 100000, Low: 60000, High: 140000, Line: 2}, tests[0])
	assert.Equal(t, 3, tests[1].Line)
	// The standard error read off the interval: 80000/(2·1.959964) = 20408.54.
	assert.InDelta(t, 20408.54, tests[0].se(), 0.01)

	_, _, err = ReadLiftTests(strings.NewReader("channel,start,end,lift,low,high\n"), nil)
	assert.EqualError(t, err, `the lift-test file's header has no "incremental_kpi" column (it has channel, start, end, lift, low, high); the file needs channel, start, end, incremental_kpi, low, high`)
}

// Whatever the bytes, ReadLiftTests returns tests whose counts reconcile
// and each of which holds its result within its interval, of some width,
// and ends no earlier than it starts; or an error: never a panic.
func FuzzReadLiftTests(f *testing.F) {
	f.Add("channel,start,end,incremental_kpi,low,high\ntv,2024-03-04,2024-04-28,100000,60000,140000\n")
	f.Add("high,low,incremental_kpi,end,start,channel\n1,1,1,2024-01-01,2024-01-01,x\n\"2,3\n")
	f.Add("channel,start,end,incremental_kpi,low,high\ntv,2024-03-04,2024-04-28,NaN,-Inf,Inf\n")
	f.Fuzz(func(t *testing.T, in string) {
		failed := 0
		tests, n, err := ReadLiftTests(strings.NewReader(in), func(int, error) { failed++ })
		if err != nil {
			return
		}
		if n.Rows != n.Read+n.Failed || n.Failed != failed || len(tests) != n.Read {
			t.Fatalf("counts do not reconcile: %+v, %d failures, %d tests", n, failed, len(tests))
		}
		for _, lt := range tests {
			if !(lt.Low <= lt.Incremental && lt.Incremental <= lt.High && lt.High > lt.Low) || lt.End.Before(lt.Start) || lt.Channel == "" || lt.Line < 2 {
				t.Fatalf("read %+v", lt)
			}
		}
	})
}

// A row that repeats an earlier test fails at its line; two tests of the
// same channel whose days overlap, with different results, are both used
// and warned of.
func TestDuplicateAndOverlappingLiftTests(t *testing.T) {
	in := "channel,start,end,incremental_kpi,low,high\n" +
		"tv,2024-01-01,2024-01-14,100,80,120\n" +
		"TV,2024-01-01,2024-01-14,100,80,120\n" +
		"tv,2024-01-08,2024-01-21,150,120,180\n"
	var errs []string
	tests, n, err := ReadLiftTests(strings.NewReader(in), func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 3, Read: 2, Failed: 1}, n)
	require.Len(t, tests, 2)
	assert.Equal(t, []string{"3: repeats the lift test on line 2 (TV, 2024-01-01 to 2024-01-14, the same result): a test counted twice would pull the fit twice as hard; remove one"}, errs)

	sim := exampleSim
	sim.Weeks = 60
	d, truth, err := Simulate(sim)
	require.NoError(t, err)
	L := truth.Lift(d, 0, 20, 23)
	r, err := Fit(d, Options{Bootstrap: 20, LiftTests: []LiftTest{
		{Channel: "tv", Start: d.Weeks[20], End: d.Weeks[23].AddDate(0, 0, 6), Incremental: L, Low: 0.8 * L, High: 1.2 * L, Line: 2},
		{Channel: "tv", Start: d.Weeks[23], End: d.Weeks[25].AddDate(0, 0, 6), Incremental: L, Low: 0.8 * L, High: 1.2 * L, Line: 4},
		{Channel: "tv", Start: d.Weeks[26], End: d.Weeks[27].AddDate(0, 0, 6), Incremental: L, Low: 0.8 * L, High: 1.2 * L, Line: 5},
	}})
	require.NoError(t, err)
	var overlaps []Warning
	for _, w := range r.Warnings {
		if w.Kind == WarnLiftOverlap {
			overlaps = append(overlaps, w)
		}
	}
	require.Len(t, overlaps, 1, "lines 2 and 4 overlap by a week; 5 starts after 4 ends")
	assert.Equal(t, 4, overlaps[0].Line)
	assert.Contains(t, overlaps[0].Message, "tv: the lift test on line 2 (")
	assert.Contains(t, overlaps[0].Message, ") and the lift test on line 4 (")
	assert.Len(t, r.Calibration, 3)
}
