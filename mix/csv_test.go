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

// A comma is read only as a thousands separator in its place: a decimal
// comma or a misplaced one is refused, never read as another number, and
// so is a number too large to add up. Every reader of numbers in mix goes
// through parseNumber; the spend, KPI, costs and lift-test readers are
// checked on one bad cell each.
func TestReadNumberForms(t *testing.T) {
	for s, want := range map[string]float64{
		"1234.5": 1234.5, "1,234.5": 1234.5, "1,234,567.89": 1234567.89, "12,345": 12345,
		"0": 0, ".5": 0.5, "-3": -3, "2e3": 2000, "999": 999, "1e15": 1e15,
	} {
		v, err := parseNumber("spend", s)
		if assert.NoError(t, err, s) {
			assert.Equal(t, want, v, s)
		}
	}
	for s, msg := range map[string]string{
		"1.000,50": `spend "1.000,50" is not a number leadscore reads: a comma is read only between groups of three digits`,
		"1,5":      `spend "1,5" is not a number leadscore reads`,
		"1,2,3":    `spend "1,2,3" is not a number leadscore reads`,
		"1234,567": `spend "1234,567" is not a number leadscore reads`,
		",100":     `spend ",100" is not a number leadscore reads`,
		"1,000.":   "", // a trailing point is a number
		"NaN":      `spend "NaN" is not a number; write it as 1234567.89 or 1,234,567.89`,
		"Inf":      `spend "Inf" is not a number`,
		"0x10":     `spend "0x10" is not a number`,
		"1_000":    `spend "1_000" is not a number`,
		"1e308":    "spend 1e308 is more than 1e15, the largest number leadscore reads here",
		"-2e15":    "spend -2e15 is more than 1e15",
		"1e400":    "spend 1e400 is out of range",
		"$1,000":   `spend "$1,000" is not a number: it holds '$', which is no part of one (a currency sign, a unit or a space?); write the number alone`,
		"1 000":    `spend "1 000" is not a number: it holds ' '`,
	} {
		_, err := parseNumber("spend", s)
		if msg == "" {
			assert.NoError(t, err, s)
			continue
		}
		if assert.Error(t, err, s) {
			assert.Contains(t, err.Error(), msg, s)
		}
	}
	type reader func(string, func(int, error)) error
	for name, c := range map[string]struct {
		read reader
		in   string
	}{
		"spend": {func(in string, f func(int, error)) error {
			_, _, err := ReadSpend(strings.NewReader(in), f)
			return err
		}, "week,channel,spend\n2024-01-01,tv,\"1,5\"\n"},
		"kpi": {func(in string, f func(int, error)) error {
			_, _, err := ReadWeekly(strings.NewReader(in), "KPI", "", f)
			return err
		}, "week,revenue\n2024-01-01,\"1.000,50\"\n"},
		"costs": {func(in string, f func(int, error)) error {
			_, _, err := ReadCosts(strings.NewReader(in), f)
			return err
		}, "campaign,channel,date,cost\nc,tv,2024-01-01,\"1,2,3\"\n"},
		"lifts": {func(in string, f func(int, error)) error {
			_, _, err := ReadLiftTests(strings.NewReader(in), f)
			return err
		}, "channel,start,end,incremental_kpi,low,high\ntv,2024-01-01,2024-01-28,\"1,5\",1,2\n"},
	} {
		var got []string
		require.NoError(t, c.read(c.in, func(line int, err error) { got = append(got, itoa(line)+": "+err.Error()) }), name)
		if assert.Len(t, got, 1, name) {
			assert.Contains(t, got[0], "2: ", name)
			assert.Contains(t, got[0], "is not a number leadscore reads", name)
		}
	}
}

// A byte-order mark before a quoted header is read as Excel writes it,
// and two cost rows for the same campaign and days add up, as attribute's
// costs do.
func TestReadCostsBOMQuotedHeaderAndRepeatedRows(t *testing.T) {
	in := "\ufeff\"campaign\",\"channel\",\"date\",\"cost\"\nc,tv,2024-01-02,100\nc,tv,2024-01-02,50\n"
	rows, n, err := ReadCosts(strings.NewReader(in), func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 2, Read: 2}, n)
	spend, _ := SpreadCosts(rows, rows[0].Start.AddDate(0, 0, -1))
	require.Len(t, spend, 1)
	assert.Equal(t, 150.0, spend[0].Spend)
	_, n, err = ReadSpend(strings.NewReader("\ufeff\"week\",\"channel\",\"spend\"\n2024-01-01,tv,5\n"), func(int, error) {})
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 1, Read: 1}, n)
}
