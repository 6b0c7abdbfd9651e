package mix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// WeekOf on a grid of Mondays: the Monday on or before the day, whichever
// side of the anchor; a moment late on Sunday is still the week before.
func TestWeekOf(t *testing.T) {
	anchor := d("2024-01-01") // a Monday
	for _, c := range []struct{ at, want string }{
		{"2024-01-01T00:00:00Z", "2024-01-01"},
		{"2024-01-07T23:59:59Z", "2024-01-01"},
		{"2024-01-08T00:00:00Z", "2024-01-08"},
		{"2023-12-31T12:00:00Z", "2023-12-25"},
		{"2023-12-25T00:00:00Z", "2023-12-25"},
		{"2024-03-14T09:00:00+05:00", "2024-03-11"}, // 04:00 UTC, a Thursday
		{"2024-01-08T01:00:00+02:00", "2024-01-01"}, // 23:00 UTC on Sunday
	} {
		assert.Equal(t, c.want, day(WeekOf(anchor, at(c.at))), c.at)
	}
	assert.True(t, OnGrid(anchor, d("2023-10-02")))
	assert.False(t, OnGrid(anchor, d("2023-10-03")))
	assert.True(t, OnGrid(anchor, d("1969-12-29")), "a Monday before 1970")
	assert.False(t, OnGrid(anchor, d("1969-12-30")))
	assert.Equal(t, "1969-12-29", day(WeekOf(anchor, at("1970-01-01T12:00:00Z"))))
}

// Hand-worked spreading on a grid of Mondays (2024-01-01 is one):
//   - a: 700 over Sat 2024-01-06 to Fri 2024-01-12, 7 days: 2 in the week of
//     01-01 (200), 5 in the week of 01-08 (500);
//   - b: 310 over 2024-01-01 to 2024-01-31, 31 days, 10 a day: weeks of
//     01-01, 01-08, 01-15, 01-22 get 7 days (70 each), 01-29 gets 3 (30);
//   - c: 90 on one day, 2024-01-10: all in the week of 01-08;
//   - d: 0 over two weeks: rows of 0, the channel's weeks are no spend.
func TestSpreadCostsByHand(t *testing.T) {
	costs := []CostRow{
		{Campaign: "a", Channel: "tv", Start: d("2024-01-06"), End: d("2024-01-12"), Cost: 700},
		{Campaign: "b", Channel: "search", Start: d("2024-01-01"), End: d("2024-01-31"), Cost: 310},
		{Campaign: "c", Channel: "tv", Start: d("2024-01-10"), End: d("2024-01-10"), Cost: 90},
	}
	rows, g := SpreadCosts(costs, d("2024-01-01"))
	assert.Equal(t, "2024-01-01", day(g.From))
	assert.Equal(t, "2024-01-29", day(g.To))
	got := map[string]float64{}
	for _, r := range rows {
		got[day(r.Week)+" "+r.Channel] = r.Spend
	}
	want := map[string]float64{
		"2024-01-01 tv": 200, "2024-01-08 tv": 590,
		"2024-01-01 search": 70, "2024-01-08 search": 70, "2024-01-15 search": 70, "2024-01-22 search": 70, "2024-01-29 search": 30,
	}
	require.Len(t, got, len(want))
	for k, v := range want {
		assert.InDelta(t, v, got[k], 1e-9, k)
	}
	// On a grid of Sundays the same costs fall otherwise: a's 7 days are
	// Sat 01-06 (week of 12-31) and Sun 01-07 to Fri 01-12 (week of 01-07).
	rows, g = SpreadCosts(costs[:1], d("2023-12-31"))
	assert.Equal(t, "2023-12-31", day(g.From))
	require.Len(t, rows, 2)
	assert.InDelta(t, 100, rows[0].Spend, 1e-9)
	assert.InDelta(t, 600, rows[1].Spend, 1e-9)
}

// Property: spreading keeps every channel's total, each week's share is
// its days over the campaign's, and no week outside the campaigns' days
// gets any.
func TestSpreadCostsKeepsTotals(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		anchor := d("2024-01-01").AddDate(0, 0, rng.IntN(7))
		var costs []CostRow
		want := map[string]float64{}
		for i := 0; i < 1+rng.IntN(8); i++ {
			s := d("2024-01-01").AddDate(0, 0, rng.IntN(200))
			c := CostRow{Channel: []string{"tv", "search", "social"}[rng.IntN(3)], Start: s, End: s.AddDate(0, 0, rng.IntN(60)), Cost: math.Round(rng.Float64()*1e6) / 100}
			costs = append(costs, c)
			want[c.Channel] += c.Cost
		}
		rows, g := SpreadCosts(costs, anchor)
		got := map[string]float64{}
		for _, r := range rows {
			got[r.Channel] += r.Spend
			require.True(t, OnGrid(anchor, r.Week))
			require.False(t, r.Week.Before(g.From) || r.Week.After(g.To))
			// the week holds a day of some campaign of its channel
			held := false
			for _, c := range costs {
				held = held || c.Channel == r.Channel && !r.Week.AddDate(0, 0, 6).Before(c.Start) && !r.Week.After(c.End)
			}
			require.True(t, held, "week %s %s", day(r.Week), r.Channel)
		}
		for ch, v := range want {
			require.InDelta(t, v, got[ch], 1e-6, ch)
		}
	}
}

// Hand-worked weekly totals, and the property that what falls in the
// weeks, before and after adds up to all of it.
func TestWeeklyTotals(t *testing.T) {
	g := WeekGrid{From: d("2024-01-01"), To: d("2024-01-15")}
	items := []Dated{
		{at("2023-12-31T23:59:59Z"), 5},  // before
		{at("2024-01-01T00:00:00Z"), 10}, // week 1
		{at("2024-01-07T23:59:59Z"), 1},  // week 1
		{at("2024-01-09T10:00:00Z"), 2},  // week 2
		{at("2024-01-21T23:00:00Z"), 4},  // week 3
		{at("2024-01-22T00:00:00Z"), 7},  // after
	}
	totals, b := WeeklyTotals(g, items)
	assert.Equal(t, []float64{11, 2, 4}, totals)
	assert.Equal(t, Binned{In: 4, Before: 1, After: 1, ValueIn: 17, ValueBefore: 5, ValueAfter: 7}, b)

	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 100; trial++ {
		g := WeekGrid{From: d("2024-01-01").AddDate(0, 0, rng.IntN(30))}
		g.To = g.From.AddDate(0, 0, 7*rng.IntN(20))
		var items []Dated
		sum := 0.0
		for i := 0; i < rng.IntN(300); i++ {
			v := float64(1 + rng.IntN(5))
			items = append(items, Dated{d("2023-12-01").Add(time.Duration(rng.Int64N(int64(250 * 24 * time.Hour)))), v})
			sum += v
		}
		totals, b := WeeklyTotals(g, items)
		require.Len(t, totals, len(g.Weeks()))
		in := 0.0
		for _, v := range totals {
			in += v
		}
		require.Equal(t, len(items), b.In+b.Before+b.After)
		require.InDelta(t, b.ValueIn, in, 1e-9)
		require.InDelta(t, sum, b.ValueIn+b.ValueBefore+b.ValueAfter, 1e-9)
		// independently: count by comparing with each week's bounds
		for i, w := range g.Weeks() {
			want := 0.0
			for _, it := range items {
				if !it.At.Before(w) && it.At.Before(w.AddDate(0, 0, 7)) {
					want += it.Value
				}
			}
			require.Equal(t, want, totals[i])
		}
	}
}

func TestReadCosts(t *testing.T) {
	in := "campaign,channel,cost,start,end\n" +
		"spring,tv,7000,2024-03-04,2024-03-17\n" +
		"one-day,search,50,2024-03-05,\n" +
		"bad,tv,-5,2024-03-01,2024-03-02\n" +
		"backwards,tv,5,2024-03-05,2024-03-01\n" +
		"nochan,,5,2024-03-05,2024-03-06\n" +
		"noday,tv,5,,2024-03-06\n"
	var errs []string
	rows, n, err := ReadCosts(strings.NewReader(in), func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 6, Read: 2, Failed: 4}, n)
	require.Len(t, rows, 2)
	assert.Equal(t, 14, rows[0].Days())
	assert.Equal(t, 1, rows[1].Days())
	assert.Equal(t, []string{
		"4: cost -5 is negative; give the amount spent, 0 or more",
		"5: end 2024-03-01 is before start 2024-03-05; give the first day, then the last",
		"6: the channel is empty; name the channel the campaign ran on (its spend is modelled by channel)",
		"7: start is empty; give a day like 2024-01-01",
	}, errs)

	rows, n, err = ReadCosts(strings.NewReader("campaign,channel,cost,date\nx,tv,10,2024-01-02\n"), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n.Read)
	assert.Equal(t, d("2024-01-02"), rows[0].End)

	_, _, err = ReadCosts(strings.NewReader("campaign,channel,cost\n"), nil)
	assert.EqualError(t, err, "the costs file's header has no dates (it has campaign, channel, cost); give a date column (the day the cost fell on) or start and end columns (the first and last days it was spent over)")
	// attribute's cost table with dates: no channel column, channels left
	// for the caller to find
	rows, n, err = ReadCosts(strings.NewReader("campaign,cost,date\nbrand,10,2024-01-02\n,5,2024-01-02\n"), func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 2, Read: 1, Failed: 1}, n)
	assert.Equal(t, CostRow{Campaign: "brand", Cost: 10, Start: d("2024-01-02"), End: d("2024-01-02"), Line: 2}, rows[0])
	assert.Equal(t, "3: the campaign is empty; name it, as the events name it", errs[len(errs)-1])
	_, _, err = ReadCosts(strings.NewReader("campaign,channel,date\n"), nil)
	assert.ErrorContains(t, err, `the costs file's header has no "cost" column`)
}

// A spend file whose weeks start on different weekdays has no grid.
func TestSpendGrid(t *testing.T) {
	g, err := SpendGrid([]SpendRow{{Week: d("2024-01-08"), Line: 2}, {Week: d("2024-01-01"), Line: 3}, {Week: d("2024-01-22"), Line: 4}})
	require.NoError(t, err)
	assert.Equal(t, WeekGrid{From: d("2024-01-01"), To: d("2024-01-22")}, g)
	assert.Len(t, g.Weeks(), 4)
	_, err = SpendGrid([]SpendRow{{Week: d("2024-01-08"), Line: 2}, {Week: d("2024-01-02"), Line: 3}})
	assert.EqualError(t, err, "line 3: week 2024-01-02 starts on a Tuesday, line 2's week 2024-01-08 on a Monday; give every week by its first day, the same weekday throughout")
}
