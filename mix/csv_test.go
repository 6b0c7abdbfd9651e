package mix

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Columns are found by name in any order and case, a byte-order mark and
// thousands separators are read, and every bad row is named by its line.
func TestReadSpendRows(t *testing.T) {
	in := "\ufeffSpend,Week,Channel,note\n" +
		"\"1,200.50\",2024-01-01,tv,x\n" +
		"5,2024-01-08,tv,\n" +
		"7,2024/01/15,tv,\n" +
		",2024-01-15,search,\n" +
		"3,2024-01-01,tv,\n" +
		"3,2024-01-22\n" +
		"2,2024-01-22,,\n"
	var errs []string
	rows, n, err := ReadSpend(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, strings.Join([]string{itoa(line), err.Error()}, ": "))
	})
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 7, Read: 2, Failed: 5}, n)
	assert.Equal(t, []string{
		`4: week "2024/01/15" is not a date like 2024-01-01`,
		"5: spend is empty; give a number (0 when nothing)",
		"6: week 2024-01-01, channel tv was already given on line 2; give one row per week and channel (add the amounts up)",
		"7: 2 cells, the header has 4",
		"8: the channel is empty",
	}, errs)
	require.Len(t, rows, 2)
	assert.Equal(t, 1200.5, rows[0].Spend)
	assert.Equal(t, "tv", rows[0].Channel)
	assert.Equal(t, 3, rows[1].Line)
}

func itoa(n int) string { return strconv.Itoa(n) }

// A KPI file with several columns needs --kpi-column; a missing one is
// named with the columns there are.
func TestReadWeeklyColumns(t *testing.T) {
	in := "week,revenue,deals\n2024-01-08,10,1\n2024-01-01,20,2\n"
	_, _, err := ReadWeekly(strings.NewReader(in), "KPI", "", nil)
	assert.EqualError(t, err, "the KPI file has 2 columns besides week (revenue, deals); name the KPI's column with --kpi-column")
	_, _, err = ReadWeekly(strings.NewReader(in), "KPI", "pipeline", nil)
	assert.EqualError(t, err, `the KPI file has no column "pipeline"; its columns are week, revenue, deals`)
	s, n, err := ReadWeekly(strings.NewReader(in), "KPI", "Deals", func(int, error) { t.Fatal("no bad rows") })
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 2, Read: 2}, n)
	assert.Equal(t, []float64{2, 1}, s.Values[0], "sorted by week")
	_, _, err = ReadSpend(strings.NewReader(""), nil)
	assert.EqualError(t, err, "the spend file is empty; it needs a header line with week, channel, spend")
}

// Whatever the bytes, the readers return rows, counts that reconcile, or
// an error: never a panic.
func FuzzReadSpend(f *testing.F) {
	f.Add("week,channel,spend\n2024-01-01,tv,5\n")
	f.Add("week,channel,spend\n\"2024-01-01,tv,5\n2024-01-08,tv,-1\n")
	f.Add("spend,week\n1,2\n")
	f.Fuzz(func(t *testing.T, in string) {
		failed := 0
		rows, n, err := ReadSpend(strings.NewReader(in), func(int, error) { failed++ })
		if err != nil {
			return
		}
		if n.Rows != n.Read+n.Failed || n.Failed != failed || len(rows) != n.Read {
			t.Fatalf("counts do not reconcile: %+v, %d failures, %d rows", n, failed, len(rows))
		}
		for _, r := range rows {
			if !(r.Spend >= 0) {
				t.Fatalf("spend %v read", r.Spend)
			}
		}
		s, n, err := ReadWeekly(strings.NewReader(in), "controls", "*", func(int, error) {})
		if err == nil && (n.Rows != n.Read+n.Failed || len(s.Weeks) != n.Read) {
			t.Fatalf("weekly counts do not reconcile: %+v", n)
		}
	})
}
