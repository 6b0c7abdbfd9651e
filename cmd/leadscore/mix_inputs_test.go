package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/mix"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readCSV reads a whole CSV file: its header and rows.
func readCSV(t *testing.T, name string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return recs[0], recs[1:]
}

// mixOutcomesFile makes testdata/mix/outcomes.csv from kpi.csv: each
// week's revenue split into deals won at times in that week (a few written
// with a UTC offset that puts them in the week before or after by local
// clock, to hold the weeks to UTC), plus deals won before and after the
// weeks and opportunities not won.
func mixOutcomesFile(t *testing.T) []byte {
	_, kpi := readCSV(t, td("mix/kpi.csv"))
	rng := rand.New(rand.NewPCG(34, 1))
	var b bytes.Buffer
	b.WriteString("lead_id,opportunity,won,revenue,lost\n")
	id := 0
	row := func(opp, won time.Time, rev string, lost time.Time) {
		id++
		ts := func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "M%06d,%s,%s,%s,%s\n", id, ts(opp), ts(won), rev, ts(lost))
	}
	for _, rec := range kpi {
		w, err := time.Parse("2006-01-02", rec[0])
		require.NoError(t, err)
		cents, err := strconv.ParseInt(strings.ReplaceAll(rec[1], ".", ""), 10, 64)
		require.NoError(t, err)
		n := int(cents/1_500_000) + 1
		weights, sum := make([]float64, n), 0.0
		for i := range weights {
			weights[i] = 0.6 + 0.8*rng.Float64()
			sum += weights[i]
		}
		left := cents
		for i := 0; i < n; i++ {
			c := left // the last deal takes what is left, to the cent
			if i < n-1 {
				c = int64(float64(cents) * weights[i] / sum)
			}
			left -= c
			won := w.Add(time.Duration(rng.IntN(7*24*60)) * time.Minute)
			if i == 0 && rng.IntN(10) == 0 {
				won = w.Add(30 * time.Minute).In(time.FixedZone("", -2*3600)) // local: the Sunday before
			}
			if i == 1 && rng.IntN(10) == 0 {
				won = w.AddDate(0, 0, 7).Add(-30 * time.Minute).In(time.FixedZone("", 3*3600)) // local: the Monday after
			}
			row(won.AddDate(0, 0, -10-rng.IntN(60)), won, fmt.Sprintf("%d.%02d", c/100, c%100), time.Time{})
		}
		if rng.IntN(3) == 0 { // an opportunity lost, one still open
			opp := w.Add(time.Duration(rng.IntN(7*24)) * time.Hour)
			row(opp, time.Time{}, "", opp.AddDate(0, 0, 20))
			row(opp.Add(time.Hour), time.Time{}, "", time.Time{})
		}
	}
	first := time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 6; i++ { // won before the first week, and after the last
		row(first.AddDate(0, 0, -40), first.AddDate(0, 0, -1-5*i).Add(9*time.Hour), "12000", time.Time{})
		row(first.AddDate(0, 0, 7*156-20), first.AddDate(0, 0, 7*156+3*i).Add(9*time.Hour), "15000", time.Time{})
	}
	return b.Bytes()
}

// mixCostsFile makes testdata/mix/costs.csv from spend.csv: each channel's
// spend bought as flights of four weeks from a Thursday (so every flight
// straddles five of the model's Monday weeks), each flight's cost the
// spend of its days, a week's spend taken as spent evenly over its days.
func mixCostsFile(t *testing.T) []byte {
	_, spend := readCSV(t, td("mix/spend.csv"))
	daily := map[string]map[time.Time]float64{}
	var channels []string
	var first, last time.Time
	for _, rec := range spend {
		w, err := time.Parse("2006-01-02", rec[0])
		require.NoError(t, err)
		v, err := strconv.ParseFloat(rec[2], 64)
		require.NoError(t, err)
		if daily[rec[1]] == nil {
			daily[rec[1]] = map[time.Time]float64{}
			channels = append(channels, rec[1])
		}
		for d := 0; d < 7; d++ {
			daily[rec[1]][w.AddDate(0, 0, d)] = v / 7
		}
		if first.IsZero() || w.Before(first) {
			first = w
		}
		if w.After(last) {
			last = w
		}
	}
	end := last.AddDate(0, 0, 6)
	var b bytes.Buffer
	b.WriteString("campaign,channel,start,end,cost\n")
	for _, ch := range channels {
		start := first
		for n := 1; !start.After(end); n++ {
			stop := start.AddDate(0, 0, 27)
			if n == 1 {
				stop = first.AddDate(0, 0, 2) // the first flight ends on the Wednesday
			}
			if stop.After(end) {
				stop = end
			}
			cost := 0.0
			for d := start; !d.After(stop); d = d.AddDate(0, 0, 1) {
				cost += daily[ch][d]
			}
			fmt.Fprintf(&b, "%s-%02d,%s,%s,%s,%.2f\n", ch, n, ch, start.Format("2006-01-02"), stop.Format("2006-01-02"), cost)
			start = stop.AddDate(0, 0, 1)
		}
	}
	return b.Bytes()
}

// mixCosts2026File makes testdata/mix/costs-2026.csv: the campaigns of
// testdata/costs.csv (attribute's cost table: campaign, cost) given dates,
// as flights from February to September 2026, the months of
// testdata/leads.ndjson's events, each campaign's cost spread unevenly
// over its flights. The amounts are made up: they did not cause the
// leads.
func mixCosts2026File(t *testing.T) []byte {
	_, costs := readCSV(t, td("costs.csv"))
	var b bytes.Buffer
	b.WriteString("campaign,cost,start,end\n")
	for k, rec := range costs {
		total, err := strconv.ParseFloat(rec[1], 64)
		require.NoError(t, err)
		cents := int64(math.Round(total * 100))
		const flights = 8
		weights, sum := make([]float64, flights), 0.0
		for i := range weights {
			weights[i] = 1 + 0.8*math.Sin(float64(i)+1.7*float64(k))
			sum += weights[i]
		}
		left := cents
		for i := 0; i < flights; i++ {
			start := time.Date(2026, time.February+time.Month(i), 1+9*(k%2), 0, 0, 0, 0, time.UTC)
			end := start.AddDate(0, 1, -1)
			c := left
			if i < flights-1 {
				c = int64(float64(cents) * weights[i] / sum)
			}
			left -= c
			fmt.Fprintf(&b, "%s,%d.%02d,%s,%s\n", rec[0], c/100, c%100, start.Format("2006-01-02"), end.Format("2006-01-02"))
		}
	}
	return b.Bytes()
}

// testdata/mix/outcomes.csv, costs.csv and costs-2026.csv are what the
// generators above make: go test ./cmd/leadscore -run
// TestMixInputsExampleFiles -update.
func TestMixInputsExampleFiles(t *testing.T) {
	for name, make := range map[string]func(*testing.T) []byte{"mix/outcomes.csv": mixOutcomesFile, "mix/costs.csv": mixCostsFile, "mix/costs-2026.csv": mixCosts2026File} {
		got := make(t)
		if *update {
			require.NoError(t, os.WriteFile(td(name), got, 0o644))
		}
		want, err := os.ReadFile(td(name))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "go test ./cmd/leadscore -run TestMixInputsExampleFiles -update")
	}
}

// outcomeWins reads an outcomes file with its own code: each won row's won
// time and revenue.
func outcomeWins(t *testing.T, name string) (won []time.Time, rev []float64, notWon int) {
	head, rows := readCSV(t, name)
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, r := range rows {
		if r[col["won"]] == "" {
			notWon++
			continue
		}
		w, err := time.Parse(time.RFC3339, r[col["won"]])
		require.NoError(t, err)
		v, err := strconv.ParseFloat(r[col["revenue"]], 64)
		require.NoError(t, err)
		won, rev = append(won, w), append(rev, v)
	}
	return won, rev, notWon
}

type mixJSON struct {
	KPI      string `json:"kpi"`
	From, To string
	Channels []struct {
		Name  string  `json:"name"`
		Spend float64 `json:"spend"`
		ROAS  struct{ Value, Low, High float64 }
	} `json:"channels"`
	Decomposition []struct {
		Week string  `json:"week"`
		KPI  float64 `json:"kpi"`
	} `json:"decomposition"`
	KPIFrom *struct {
		From          string
		Read, Failed  int
		Counted       int
		NotCounted    int `json:"not_counted"`
		In            int `json:"in_periods"`
		Before, After int
		ValueIn       float64 `json:"value_in_periods"`
		ValueBefore   float64 `json:"value_before"`
		ValueAfter    float64 `json:"value_after"`
		AsOf          string  `json:"as_of"`
		CreatedAfter  int     `json:"created_after_as_of"`
	} `json:"kpi_from"`
	Costs *struct {
		Rows      int
		Campaigns []struct {
			Campaign, Channel string
			Cost              float64
			Touches           map[string]int
		}
		Total, Outside float64
		InWeeks        float64 `json:"in_periods"`
		WeekStart      string  `json:"week_start"`
	} `json:"costs"`
}

func runMixJSON(t *testing.T, args ...string) (mixJSON, string) {
	t.Helper()
	code, out, errOut := leadscore(t, "", append(append([]string{"mix"}, args...), "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var r mixJSON
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	return r, errOut
}

// Revenue derived from outcomes.csv, whose deals were made by splitting
// kpi.csv's weeks, is kpi.csv again, week for week, and the fit on it is
// the same; the counts reconcile with the file as read by other code: the
// won rows in the weeks, before and after add up to every won row, and
// the weekly revenue summed is the revenue won in the weeks.
func TestMixKPIFromRevenue(t *testing.T) {
	fromFile, _ := runMixJSON(t, "--spend", td("mix/spend.csv"), "--kpi", td("mix/kpi.csv"), "--bootstrap", "40")
	derived, errOut := runMixJSON(t, "--spend", td("mix/spend.csv"), "--kpi-from", "revenue", "--outcomes", td("mix/outcomes.csv"), "--bootstrap", "40")
	assert.Equal(t, "won_revenue", derived.KPI)
	require.Len(t, derived.Decomposition, len(fromFile.Decomposition))
	for i, w := range fromFile.Decomposition {
		require.Equal(t, w.Week, derived.Decomposition[i].Week)
		require.InDelta(t, w.KPI, derived.Decomposition[i].KPI, 1e-6, w.Week)
	}
	require.Len(t, derived.Channels, 3)
	for i, c := range fromFile.Channels {
		assert.InDelta(t, c.ROAS.Value, derived.Channels[i].ROAS.Value, 1e-6*c.ROAS.Value, c.Name)
	}

	won, rev, notWon := outcomeWins(t, td("mix/outcomes.csv"))
	from, _ := time.Parse("2006-01-02", derived.Decomposition[0].Week)
	until := from.AddDate(0, 0, 7*len(derived.Decomposition))
	in, before, after, revIn := 0, 0, 0, 0.0
	for i, w := range won {
		switch {
		case w.Before(from):
			before++
		case !w.Before(until):
			after++
		default:
			in++
			revIn += rev[i]
		}
	}
	k := derived.KPIFrom
	require.NotNil(t, k)
	assert.Equal(t, "revenue", k.From)
	assert.Equal(t, len(won)+notWon, k.Read)
	assert.Equal(t, len(won), k.Counted)
	assert.Equal(t, notWon, k.NotCounted)
	assert.Equal(t, [3]int{in, before, after}, [3]int{k.In, k.Before, k.After})
	assert.Equal(t, [3]int{in, 6, 6}, [3]int{k.In, k.Before, k.After}, "the file has 6 deals won before the weeks and 6 after")
	sum := 0.0
	for _, w := range derived.Decomposition {
		sum += w.KPI
	}
	assert.InDelta(t, revIn, sum, 1e-6)
	assert.InDelta(t, revIn, k.ValueIn, 1e-6)
	g := func(i int) string { return numfmt.Group(strconv.Itoa(i)) }
	assert.Contains(t, errOut, fmt.Sprintf("%s: %s outcome rows read, %s won = %s in the modelled weeks (2023-01-02 to 2025-12-28) + 6 before + 6 after; %s not won; revenue %s = %s in + 72,000 before + 90,000 after\n",
		td("mix/outcomes.csv"), g(k.Read), g(k.Counted), g(k.In), g(k.NotCounted), sig(k.ValueIn+k.ValueBefore+k.ValueAfter), sig(revIn)))
}

// Won deals per week: each week's count is the won rows whose won time, in
// UTC, falls in that week, counted here by comparing with the week's
// bounds; a deal won at 23:30 UTC on a Sunday (01:30 the Monday after, by
// its clock) is the Sunday's week.
func TestMixKPIFromWon(t *testing.T) {
	r, _ := runMixJSON(t, "--spend", td("mix/spend.csv"), "--kpi-from", "won", "--outcomes", td("mix/outcomes.csv"), "--kpi-value", "12000", "--bootstrap", "20")
	assert.Equal(t, "won_deals", r.KPI)
	won, _, _ := outcomeWins(t, td("mix/outcomes.csv"))
	total := 0.0
	for _, w := range r.Decomposition {
		start, _ := time.Parse("2006-01-02", w.Week)
		n := 0
		for _, at := range won {
			if !at.Before(start) && at.Before(start.AddDate(0, 0, 7)) {
				n++
			}
		}
		require.Equal(t, float64(n), w.KPI, w.Week)
		total += w.KPI
	}
	assert.Equal(t, float64(r.KPIFrom.In), total)
	// the file has deals written with an offset across a week's edge
	_, rows := readCSV(t, td("mix/outcomes.csv"))
	offsets := 0
	for _, row := range rows {
		if strings.HasSuffix(row[2], "-02:00") || strings.HasSuffix(row[2], "+03:00") {
			offsets++
		}
	}
	assert.Greater(t, offsets, 5)

	code, _, errOut := leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi-from", "won", "--outcomes", td("mix/outcomes.csv"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `the KPI "won_deals" does not read as money`)
}

// A hand-worked small case: weeks of 2024-01-01 (Mondays) to 2024-01-15;
// deals won in each, one at the edge, one before and one after.
func TestKPIFromOutcomesByHand(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "outcomes.csv")
	require.NoError(t, os.WriteFile(p, []byte("lead_id,opportunity,won,revenue\n"+
		"a,,2023-12-31T23:00:00Z,100\n"+ // before
		"b,,2024-01-01T00:00:00Z,200\n"+ // week 1
		"c,,2024-01-08T01:00:00+02:00,300\n"+ // 2024-01-07 23:00 UTC: week 1
		"d,,2024-01-08T09:00:00Z,\n"+ // week 2, no revenue
		"e,2024-01-02T00:00:00Z,,\n"+ // not won
		"f,,2024-01-21T23:59:59Z,50\n"+ // week 3
		"g,,2024-01-22T00:00:00Z,70\n"), 0o644)) // after
	g := mixGrid("2024-01-01", "2024-01-15")
	s, d, err := kpiFromOutcomes(p, "revenue", g, func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	assert.Equal(t, []float64{500, 0, 50}, s.Values[0])
	assert.Equal(t, "won_revenue", s.Names[0])
	assert.Equal(t, derivedKPI{From: "revenue", File: p, Read: 7, Counted: 6, NotCounted: 1, WonWithoutRevenue: 1,
		Binned: binned(4, 1, 1, 550, 100, 70)}, *d)
	s, d, err = kpiFromOutcomes(p, "won", g, nil)
	require.NoError(t, err)
	assert.Equal(t, []float64{2, 1, 1}, s.Values[0])
	assert.Equal(t, 4, d.In)
	assert.Equal(t, p+": 7 outcome rows read, 6 won = 4 in the modelled weeks (2024-01-01 to 2024-01-15) + 1 before + 1 after; 1 not won", d.summary("2024-01-01", "2024-01-15"))
	// outcomes that end before the last week: said
	_, d, err = kpiFromOutcomes(p, "won", mixGrid("2024-01-01", "2024-01-29"), nil)
	require.NoError(t, err)
	assert.Equal(t, "the last deal was won 2024-01-22T00:00:00Z, before the last modelled week (2024-01-29) began: if the outcomes were exported before the weeks ended, the last weeks read low; export them again, or leave those weeks' spend out", d.Note)
	_, d, err = kpiFromOutcomes(p, "won", mixGrid("2023-12-18", "2024-01-15"), nil)
	require.NoError(t, err)
	assert.Equal(t, "the first deal was won 2023-12-31T23:00:00Z, after the first modelled week (2023-12-18) ended: if the outcomes begin later than the spend, the first weeks read low; give outcomes from the spend's first week", d.Note)
}

// Sales-ready leads per week, by hand: a model whose one rule makes a lead
// sales-ready at its first demo request.
func TestKPIFromLeadsByHand(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.yaml")
	require.NoError(t, os.WriteFile(model, []byte(`leadscore: 1
model: demo
fields:
  created_at: time
event_types: [demo_request, page_view]
scores:
  intent: {min: 0, max: 100}
rules:
  - id: intent.demo
    score: intent
    owner: marketing
    reason: Asked for a demo
    when: events("demo_request") > 0
    points: 60
stages:
  - {id: sql, sales_ready: true, when: intent >= 50}
`), 0o644))
	leads := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(leads, []byte(
		`{"id":"a","created_at":"2023-12-20T00:00:00Z","events":[{"type":"demo_request","at":"2023-12-30T10:00:00Z"}]}
{"id":"b","created_at":"2023-12-20T00:00:00Z","events":[{"type":"page_view","at":"2024-01-01T10:00:00Z"},{"type":"demo_request","at":"2024-01-03T10:00:00Z"},{"type":"demo_request","at":"2024-01-10T10:00:00Z"}]}
{"id":"c","created_at":"2024-01-01T00:00:00Z","events":[{"type":"demo_request","at":"2024-01-07T23:59:00Z"}]}
{"id":"d","created_at":"2024-01-01T00:00:00Z","events":[{"type":"page_view","at":"2024-01-09T10:00:00Z"}]}
{"id":"e","created_at":"2024-01-01T00:00:00Z","events":[{"type":"demo_request","at":"2024-01-16T10:00:00Z"}]}
{"id":"f","created_at":"2024-01-01T00:00:00Z","events":[{"type":"demo_request","at":"2024-01-23T10:00:00Z"}]}
{"id":"g","created_at":"2024-03-01T00:00:00Z","events":[{"type":"demo_request","at":"2024-03-02T10:00:00Z"}]}
`), 0o644))
	var stderr bytes.Buffer
	asOf := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	items, d, touches, code := readLeadsKPI(commandLine("mix"), model, leads, "", "created_at", 1<<20, asOf, true, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Equal(t, 6, touches.Journeys)
	s := seriesOf("sales-ready", mixGrid("2024-01-01", "2024-01-15"), items, d)
	// a: before; b (its first demo, 01-03) and c: week 1; e: week 3; f: after;
	// d: never; g: created after --at, not read.
	assert.Equal(t, []float64{2, 0, 1}, s.Values[0])
	assert.Equal(t, "sales_ready_leads", s.Names[0])
	assert.Equal(t, derivedKPI{From: "sales-ready", File: leads, Read: 6, Counted: 5, NotCounted: 1, Binned: binned(3, 1, 1, 3, 1, 1),
		AsOf: "2024-02-01T00:00:00Z", CreatedAfter: 1, asOf: asOf}, *d)
	assert.Equal(t, leads+": 6 leads read, 5 sales-ready (first moment, timelines as of 2024-02-01T00:00:00Z) = 3 in the modelled weeks (2024-01-01 to 2024-01-15) + 1 before + 1 after; 1 never sales-ready; 1 created after 2024-02-01T00:00:00Z left out",
		d.summary("2024-01-01", "2024-01-15"))
}

func mixGrid(from, to string) (g mix.WeekGrid) {
	g.From, _ = time.Parse("2006-01-02", from)
	g.To, _ = time.Parse("2006-01-02", to)
	return g
}

// Campaign costs with dates: each channel's spend in the report is its
// costs' days that fall in the modelled weeks, counted here day by day
// (a cost spread evenly over its days), and what falls outside is said.
func TestMixCostsSpendIsTheirDaysInTheWeeks(t *testing.T) {
	dir := t.TempDir()
	_, kpi := readCSV(t, td("mix/kpi.csv"))
	from, _ := time.Parse("2006-01-02", kpi[0][0])
	until := from.AddDate(0, 0, 7*len(kpi))
	rng := rand.New(rand.NewPCG(7, 8))
	var b strings.Builder
	b.WriteString("campaign,channel,cost,start,end\n")
	want := map[string]float64{}
	total, outside := 0.0, 0.0
	for i := 0; i < 300; i++ {
		ch := []string{"tv", "search", "social"}[i%3]
		start := from.AddDate(0, 0, rng.IntN(7*len(kpi)+30)-15)
		end := start.AddDate(0, 0, rng.IntN(40))
		cost := float64(100 + rng.IntN(100000))
		fmt.Fprintf(&b, "c%d,%s,%g,%s,%s\n", i, ch, cost, start.Format("2006-01-02"), end.Format("2006-01-02"))
		days := int(end.Sub(start).Hours()/24) + 1
		total += cost
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			if d.Before(from) || !d.Before(until) {
				outside += cost / float64(days)
			} else {
				want[ch] += cost / float64(days)
			}
		}
	}
	cp := filepath.Join(dir, "costs.csv")
	require.NoError(t, os.WriteFile(cp, []byte(b.String()), 0o644))
	r, errOut := runMixJSON(t, "--costs", cp, "--kpi", td("mix/kpi.csv"), "--bootstrap", "20")
	require.Len(t, r.Channels, 3)
	for _, c := range r.Channels {
		assert.InDelta(t, want[c.Name], c.Spend, 1e-6*want[c.Name], c.Name)
	}
	require.NotNil(t, r.Costs)
	assert.Equal(t, 300, r.Costs.Rows)
	assert.InDelta(t, total, r.Costs.Total, 1e-6)
	assert.InDelta(t, outside, r.Costs.Outside, 1e-6)
	assert.InDelta(t, total-outside, r.Costs.InWeeks, 1e-6)
	assert.Equal(t, "Monday", r.Costs.WeekStart, "the KPI file's weeks start on Mondays")
	assert.Contains(t, errOut, cp+": 300 rows in: 300 read, 0 failed\n")
	assert.Contains(t, errOut, cp+": 300 cost rows (300 campaigns), "+sig(total)+" spread over their days' weeks")
}

// The bundled costs.csv spread back over the weeks, with revenue from the
// outcomes: a run on inputs derived from data leadscore reads, the weeks
// of the spread costs (Mondays, by --week-start's default).
func TestMixCostsAndOutcomes(t *testing.T) {
	r, errOut := runMixJSON(t, "--costs", td("mix/costs.csv"), "--kpi-from", "revenue", "--outcomes", td("mix/outcomes.csv"), "--bootstrap", "20")
	assert.Equal(t, "2023-01-02", r.Decomposition[0].Week)
	assert.Len(t, r.Decomposition, 156)
	assert.Equal(t, 0.0, r.Costs.Outside)
	_, spend := readCSV(t, td("mix/spend.csv"))
	want := map[string]float64{}
	for _, rec := range spend {
		v, _ := strconv.ParseFloat(rec[2], 64)
		want[rec[1]] += v
	}
	for _, c := range r.Channels {
		assert.InDelta(t, want[c.Name], c.Spend, 0.01*float64(len(spend)), c.Name) // cents rounded per flight
	}
	assert.NotContains(t, errOut, "failed\n"+"leadscore")
	// Sundays: the same costs fall in other weeks, and the outcomes too.
	r, _ = runMixJSON(t, "--costs", td("mix/costs.csv"), "--kpi-from", "revenue", "--outcomes", td("mix/outcomes.csv"), "--bootstrap", "20", "--week-start", "sunday")
	assert.Equal(t, "2023-01-01", r.Decomposition[0].Week)
	assert.Equal(t, "Sunday", r.Costs.WeekStart)
}

// Bad rows and wrong flags: each says what is wrong and what fixes it.
func TestMixInputsErrors(t *testing.T) {
	dir := t.TempDir()
	cp := filepath.Join(dir, "costs.csv")
	require.NoError(t, os.WriteFile(cp, []byte("campaign,channel,cost,start,end\nx,tv,100,2024-01-01,2024-01-31\ny,tv,lots,2024-01-01,2024-01-31\n"), 0o644))
	code, out, errOut := leadscore(t, "", "mix", "--costs", cp, "--kpi", td("mix/kpi.csv"))
	assert.Equal(t, exitProblem, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, cp+`:3: cost "lots" is not a number; write it as 1234567.89 or 1,234,567.89 (a point before the decimals, commas only between groups of three digits)`+"\n")
	assert.Contains(t, errOut, "leadscore mix: 1 cost row of "+cp+" failed (each named above)")

	op := filepath.Join(dir, "outcomes.csv")
	require.NoError(t, os.WriteFile(op, []byte("lead_id,opportunity,won,revenue\na,,2023-03-01T00:00:00Z,100\nb,,not a time,5\n"), 0o644))
	code, _, errOut = leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi-from", "revenue", "--outcomes", op)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, op+":3: won: want a time like 2026-03-01T09:30:00Z, got \"not a time\"\n")
	assert.Contains(t, errOut, "leadscore mix: 1 outcome row of "+op+" failed (each named above): the KPI would not count them, and read low in their weeks; fix them and run again\n")

	sp := filepath.Join(dir, "spend.csv")
	require.NoError(t, os.WriteFile(sp, []byte("week,channel,spend\n2024-01-01,tv,5\n2024-01-09,tv,5\n"), 0o644))
	code, _, errOut = leadscore(t, "", "mix", "--spend", sp, "--kpi-from", "revenue", "--outcomes", op)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "leadscore mix: "+sp+": line 3: week 2024-01-09 starts on a Tuesday, line 2's week 2024-01-01 on a Monday; give every week by its first day, the same weekday throughout\n")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--spend", "s", "--costs", "c", "--kpi", "k"}, "give --spend (weekly spend) or --costs (campaign costs with dates), not both"},
		{[]string{"--spend", "s", "--kpi", "k", "--kpi-from", "won"}, "give --kpi (a file of the KPI per week) or --kpi-from (derive it), not both"},
		{[]string{"--spend", "s", "--kpi-from", "won"}, "--kpi-from won counts the deals won per week in the CRM outcomes; give them with --outcomes"},
		{[]string{"--spend", "s", "--kpi-from", "sales-ready", "--leads", "l"}, "--kpi-from sales-ready counts the leads that became sales-ready each week; give the leads with --leads and the rule file that says when with --model"},
		{[]string{"--spend", "s", "--kpi-from", "deals", "--outcomes", "o"}, `unknown --kpi-from "deals"; use won, revenue or sales-ready`},
		{[]string{"--spend", "s", "--kpi", "k", "--outcomes", "o"}, "--outcomes is for --kpi-from; with --kpi the KPI is read from that file"},
		{[]string{"--spend", "s", "--kpi-from", "won", "--outcomes", "o", "--leads", "l"}, "--leads is for --kpi-from sales-ready; --kpi-from won reads only --outcomes"},
		{[]string{"--spend", "s", "--kpi", "k", "--week-start", "sunday"}, "--week-start is for --costs with --kpi-from"},
		{[]string{"--costs", "s", "--kpi-from", "won", "--outcomes", "o", "--week-start", "sun"}, `--week-start "sun" is not a weekday`},
		{[]string{"--spend", "s", "--kpi-from", "won", "--outcomes", "o", "--kpi-column", "x"}, "--kpi-column names a column of --kpi; with --kpi-from the KPI is won_deals"},
		{[]string{"--spend", td("mix/spend.csv"), "--kpi", td("mix/kpi.csv"), "--journeys", td("mix/journeys.ndjson")}, "--journeys is read for the channels of --costs campaigns without one, and for --activity"},
		{[]string{"--costs", td("mix/costs.csv"), "--kpi", td("mix/kpi.csv"), "--journeys", td("mix/journeys.ndjson")}, "--journeys is read for the channels of campaigns the costs file does not give one, and for --activity"},
	} {
		code, _, errOut := leadscore(t, "", append([]string{"mix"}, c.args...)...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Contains(t, errOut, "leadscore mix: "+c.want, c.args)
	}
}

func binned(in, before, after int, vin, vbefore, vafter float64) mix.Binned {
	return mix.Binned{In: in, Before: before, After: after, ValueIn: vin, ValueBefore: vbefore, ValueAfter: vafter}
}

// Each campaign's channel is the channel most of its touches came through,
// the first by name on a tie, as attribute takes it.
func TestCampaignChannelsByHand(t *testing.T) {
	at := time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)
	l := &touchLog{Source: "j.ndjson"}
	l.add(&attribution.Journey{Touches: []attribution.Touch{
		{At: at, Campaign: "brand", Channel: "search"}, {At: at, Campaign: "brand", Channel: "search"},
		{At: at, Campaign: "brand", Channel: "social"}, {At: at, Campaign: "promo", Channel: "social"},
		{At: at, Campaign: "tie", Channel: "tv"}, {At: at, Campaign: "tie", Channel: "radio"},
	}})
	ch, split, _ := l.campaignChannels()
	assert.Equal(t, map[string]string{"brand": "search", "promo": "social", "tie": "radio"}, ch)
	assert.Equal(t, []string{"brand", "tie"}, split)

	rows := []mix.CostRow{{Campaign: "brand", Cost: 1, Line: 2}, {Campaign: "ghost", Cost: 2, Line: 3}, {Campaign: "promo", Cost: 3, Line: 4}, {Campaign: "brand", Cost: 4, Line: 5}}
	n := mix.Counts{Rows: 4, Read: 4}
	var errs []string
	out, m, err := mapCampaigns(rows, l, &n, func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	require.NoError(t, err)
	assert.Equal(t, mix.Counts{Rows: 4, Read: 3, Failed: 1}, n)
	assert.Equal(t, []string{`3: campaign "ghost" touched no journey of j.ndjson, so its channel is not known; check the name against the campaigns the events carry (case counts), or add a channel column`}, errs)
	require.Len(t, out, 3)
	assert.Equal(t, []string{"search", "social", "search"}, []string{out[0].Channel, out[1].Channel, out[2].Channel})
	assert.Equal(t, &campaignMap{Source: "j.ndjson", Mapped: 2, Split: []string{"brand"},
		touches: map[string]map[string]int{"brand": {"search": 2, "social": 1}, "promo": {"social": 1}, "tie": {"radio": 1, "tv": 1}}}, m)
	// The report lists each campaign once, with its channel, its cost over
	// its rows and its touches; the text names the split one's touches.
	c := newCostInputs("c.csv", out, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), m)
	assert.Equal(t, 3, c.Rows)
	assert.Equal(t, []costCampaign{
		{Campaign: "brand", Channel: "search", Cost: 5, Touches: map[string]int{"search": 2, "social": 1}},
		{Campaign: "promo", Channel: "social", Cost: 3, Touches: map[string]int{"social": 1}},
	}, c.Campaigns)
	assert.Equal(t, 8.0, c.Total)
	assert.Contains(t, c.summary("2024-01-01", "2024-01-07"), "c.csv: 3 cost rows (2 campaigns), 8.00 spread over")
	assert.Contains(t, c.summary("2024-01-01", "2024-01-07"), "; 2 campaigns, each given the channel most of its touches in j.ndjson came through (through more than one channel: brand: 2 search, 1 social touches, all its cost to search)")

	_, _, err = mapCampaigns([]mix.CostRow{{Campaign: "brand"}}, nil, &n, nil)
	assert.ErrorContains(t, err, "the costs file has no channel column")

	// Touches without a channel say nothing of the campaign's: one with
	// only those fails its row (never a channel named ""), one with some
	// takes the channel of the rest.
	l.add(&attribution.Journey{Touches: []attribution.Touch{
		{At: at, Campaign: "blank"}, {At: at, Campaign: "blank", Channel: "(none)"},
		{At: at, Campaign: "mixed"}, {At: at, Campaign: "mixed", Channel: "(none)"}, {At: at, Campaign: "mixed", Channel: "email"},
	}})
	n = mix.Counts{Rows: 2, Read: 2}
	errs = nil
	out, m, err = mapCampaigns([]mix.CostRow{{Campaign: "blank", Line: 2}, {Campaign: "mixed", Line: 3}}, l, &n, func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	require.NoError(t, err)
	assert.Equal(t, mix.Counts{Rows: 2, Read: 1, Failed: 1}, n)
	assert.Equal(t, []string{`2: campaign "blank"'s touches in j.ndjson carry no channel, so its channel is not known; add a channel column to the costs file, or give the events a channel field`}, errs)
	require.Len(t, out, 1)
	assert.Equal(t, "email", out[0].Channel)
	assert.Empty(t, m.Split)

	// --activity leaves touches without a channel out, and says so.
	ctl, a := activityControls(l, []time.Time{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, nil, nil)
	for _, c := range ctl {
		assert.NotEqual(t, "touches_", c.Name)
	}
	assert.Equal(t, 4, a.NoChannel)
	assert.Contains(t, a.summary("2024-01-01", "2024-01-01"), "; 4 touches without a channel left out")
}

// A costs file as attribute reads it (campaign, cost) with dates: the
// journeys' touches name each campaign's channel, and the spend is the
// same as with the channel column.
func TestMixCostsWithoutChannels(t *testing.T) {
	names := map[string]string{"tv": "tv-vanity-url", "search": "brand-search", "social": "paid-social"}
	head, rows := readCSV(t, td("mix/costs.csv"))
	require.Equal(t, []string{"campaign", "channel", "start", "end", "cost"}, head)
	var b strings.Builder
	b.WriteString("campaign,cost,start,end\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,%s,%s\n", names[r[1]], r[4], r[2], r[3])
	}
	cp := filepath.Join(t.TempDir(), "costs.csv")
	require.NoError(t, os.WriteFile(cp, []byte(b.String()), 0o644))
	with, _ := runMixJSON(t, "--costs", td("mix/costs.csv"), "--kpi", td("mix/kpi.csv"), "--bootstrap", "20")
	without, errOut := runMixJSON(t, "--costs", cp, "--journeys", td("mix/journeys.ndjson"), "--kpi", td("mix/kpi.csv"), "--bootstrap", "20")
	require.Len(t, without.Channels, 3)
	for i, c := range with.Channels {
		assert.Equal(t, c.Name, without.Channels[i].Name)
		assert.InDelta(t, c.Spend, without.Channels[i].Spend, 1e-6)
	}
	assert.Contains(t, errOut, "; 3 campaigns, each given the channel most of its touches in "+td("mix/journeys.ndjson")+" came through\n")

	code, _, errOut := leadscore(t, "", "mix", "--costs", cp, "--kpi", td("mix/kpi.csv"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "give the journeys (--journeys, or --leads) whose touches say each campaign's channel")
}

// Activity: touches per week of the channels without spend, counted here
// from the journeys file with its own code; a channel with spend gets no
// control.
func TestMixActivity(t *testing.T) {
	dir := t.TempDir()
	head, rows := readCSV(t, td("mix/spend.csv"))
	var b strings.Builder
	b.WriteString(strings.Join(head, ",") + "\n")
	for _, r := range rows {
		if r[1] != "social" {
			b.WriteString(strings.Join(r, ",") + "\n")
		}
	}
	sp := filepath.Join(dir, "spend.csv")
	require.NoError(t, os.WriteFile(sp, []byte(b.String()), 0o644))
	code, out, errOut := leadscore(t, "", "mix", "--spend", sp, "--kpi", td("mix/kpi.csv"), "--journeys", td("mix/journeys.ndjson"), "--activity", "--bootstrap", "20", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var r struct {
		Activity struct {
			Controls  []string
			WithSpend []string `json:"with_spend"`
			In        int      `json:"in_periods"`
			Before    int
			After     int
		}
		Decomposition []struct{ Week string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, []string{"touches_social"}, r.Activity.Controls)
	assert.Equal(t, []string{"search", "tv"}, r.Activity.WithSpend)
	// the social touches in the model's weeks, counted independently
	from, _ := time.Parse("2006-01-02", r.Decomposition[0].Week)
	until := from.AddDate(0, 0, 7*len(r.Decomposition))
	f, err := os.ReadFile(td("mix/journeys.ndjson"))
	require.NoError(t, err)
	in, outside := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(f)), "\n") {
		var j struct {
			Touches []struct {
				At      time.Time
				Channel string
			}
		}
		require.NoError(t, json.Unmarshal([]byte(line), &j))
		for _, tc := range j.Touches {
			if tc.Channel != "social" {
				continue
			}
			if !tc.At.Before(from) && tc.At.Before(until) {
				in++
			} else {
				outside++
			}
		}
	}
	assert.Equal(t, 360, in+outside)
	assert.Equal(t, in, r.Activity.In)
	assert.Equal(t, outside, r.Activity.Before+r.Activity.After)
	assert.Contains(t, errOut, fmt.Sprintf("%s: 360 touches on channels without spend, in 400 journeys: %d in the modelled weeks (2023-01-02 to 2025-12-28) + %d before + %d after; controls touches_social; the touches of search, tv left out: those channels have spend", td("mix/journeys.ndjson"), in, r.Activity.Before, r.Activity.After))

	code, _, errOut = leadscore(t, "", "mix", "--spend", sp, "--kpi", td("mix/kpi.csv"), "--activity")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--activity counts the journeys' touches per channel and week; give them with --journeys")
}

// activityControls by hand: weeks of 2024-01-01 to 2024-01-08.
func TestActivityControlsByHand(t *testing.T) {
	ts := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	l := &touchLog{Source: "x", Journeys: 2}
	l.touches = []attribution.Touch{
		{At: ts("2024-01-02T00:00:00Z"), Channel: "events"}, {At: ts("2024-01-07T23:00:00Z"), Channel: "events"},
		{At: ts("2024-01-09T00:00:00Z"), Channel: "events"}, {At: ts("2024-01-15T00:00:00Z"), Channel: "events"},
		{At: ts("2024-01-03T00:00:00Z"), Channel: "tv"}, {At: ts("2024-01-10T00:00:00Z"), Channel: "webinar"},
	}
	weeks := []time.Time{ts("2024-01-01T00:00:00Z"), ts("2024-01-08T00:00:00Z")}
	ctl, a := activityControls(l, weeks, []mix.Channel{{Name: "tv"}}, nil)
	require.Len(t, ctl, 2)
	assert.Equal(t, mix.Control{Name: "touches_events", Values: []float64{2, 1}}, ctl[0])
	assert.Equal(t, mix.Control{Name: "touches_webinar", Values: []float64{0, 1}}, ctl[1])
	assert.Equal(t, []string{"tv"}, a.WithSpend)
	assert.Equal(t, [3]int{4, 0, 1}, [3]int{a.In, a.Before, a.After})

	// A costed campaign split between tv (its spend channel) and webinar:
	// webinar's touches are partly bought, so webinar is no control.
	l.touches[5].Campaign = "launch"
	l.touches[4].Campaign = "launch"
	ctl, a = activityControls(l, weeks, []mix.Channel{{Name: "tv"}}, map[string]bool{"launch": true})
	assert.Equal(t, []mix.Control{{Name: "touches_events", Values: []float64{2, 1}}}, ctl)
	assert.Equal(t, []string{"webinar"}, a.Bought)
	assert.Equal(t, [3]int{3, 0, 1}, [3]int{a.In, a.Before, a.After})
	assert.Contains(t, a.summary("2024-01-01", "2024-01-08"), "; the touches of webinar left out too: campaigns with a cost were touched through them, so their touches are partly bought")

	// A channel whose touches all fall outside the weeks gets no control
	// (a column of zeros); one spelt as a spend channel in another case
	// is warned of.
	l.touches = []attribution.Touch{
		{At: ts("2024-01-02T00:00:00Z"), Channel: "TV"}, {At: ts("2024-02-01T00:00:00Z"), Channel: "events"},
	}
	ctl, a = activityControls(l, weeks, []mix.Channel{{Name: "tv"}}, nil)
	assert.Equal(t, []mix.Control{{Name: "touches_TV", Values: []float64{1, 0}}}, ctl)
	assert.Equal(t, []string{"events"}, a.NoneInWeeks)
	assert.Equal(t, []string{`the touches' channel "TV" differs only in case from the spend's channel "tv": if they are one channel, write one name in both files (its touches are partly what its spend bought)`}, a.Warnings)
	assert.Contains(t, a.summary("2024-01-01", "2024-01-14"), "; controls touches_TV; no control for events: none of its touches is in the modelled weeks; warning: the touches' channel")
	_, a = activityControls(&touchLog{Source: "x", touches: l.touches[1:]}, weeks, nil, nil)
	assert.Contains(t, a.summary("2024-01-01", "2024-01-14"), "x: 1 touch on channels without spend, in 0 journeys: 0 in the modelled weeks (2024-01-01 to 2024-01-14) + 0 before + 1 after; no control; no control for events")
}

// Sales-ready leads per week on the bundled leads: each week's count is
// the leads whose timeline, replayed here with the scoring package's own
// Timeline, first reaches sales-ready in that week, and the weeks' sum is
// every sales-ready lead in their range.
func TestMixKPIFromSalesReady(t *testing.T) {
	args := []string{"--costs", td("mix/costs-2026.csv"), "--kpi-from", "sales-ready", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"),
		"--at", "2026-10-12T00:00:00Z", "--kpi-value", "2000", "--bootstrap", "20"}
	r, errOut := runMixJSON(t, args...)
	assert.Equal(t, "sales_ready_leads", r.KPI)
	scorer, code := loadScorer(td("b2b-saas.yaml"), os.Stderr)
	require.NotNil(t, scorer, code)
	asOf := time.Date(2026, 10, 12, 0, 0, 0, 0, time.UTC)
	var ready []time.Time
	leads := 0
	opts := leadfile.Options{Scorer: scorer, MaxRow: leadfile.DefaultMaxRow}
	closeLeads, err := openLeads(&opts, td("leads.ndjson"), "", "")
	require.NoError(t, err)
	defer closeLeads()
	require.NoError(t, leadfile.Read(opts, func(_ int, lead scoring.Lead, err error) error {
		require.NoError(t, err)
		leads++
		tl, err := scorer.Timeline(lead, asOf)
		require.NoError(t, err)
		if at, ok := tl.SalesReadyAt(scorer); ok {
			ready = append(ready, at.At)
		}
		return nil
	}))
	require.NotEmpty(t, ready)
	sum := 0.0
	for _, w := range r.Decomposition {
		start, _ := time.Parse("2006-01-02", w.Week)
		n := 0
		for _, at := range ready {
			if !at.Before(start) && at.Before(start.AddDate(0, 0, 7)) {
				n++
			}
		}
		require.Equal(t, float64(n), w.KPI, w.Week)
		sum += w.KPI
	}
	k := r.KPIFrom
	assert.Equal(t, leads, k.Read)
	assert.Equal(t, len(ready), k.Counted)
	assert.Equal(t, leads-len(ready), k.NotCounted)
	assert.Equal(t, float64(k.In), sum)
	assert.Equal(t, k.Counted, k.In+k.Before+k.After)
	assert.Contains(t, errOut, fmt.Sprintf("%s: 1,000 leads read, %d sales-ready (first moment, timelines as of 2026-10-12T00:00:00Z) = %d in the modelled weeks", td("leads.ndjson"), len(ready), k.In))

	// --at before the last week ends: its leads would not count
	args[9] = "2026-10-11T00:00:00Z"
	code, _, errOut = leadscore(t, "", append([]string{"mix"}, args...)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "leadscore mix: --at 2026-10-11T00:00:00Z is before the end of the modelled weeks (the last, 2026-10-05, ends before 2026-10-12T00:00:00Z): leads that became sales-ready after --at would not count in the weeks after it; give --at 2026-10-12T00:00:00Z or later, or leave --at out to replay up to now\n")

	// Without --at the timelines run to now: costs past today are said so.
	future := filepath.Join(t.TempDir(), "costs.csv")
	day := time.Now().UTC().AddDate(0, 0, 20).Format("2006-01-02")
	require.NoError(t, os.WriteFile(future, []byte("campaign,channel,date,cost\na,tv,2026-09-01,100\nb,tv,"+day+",100\n"), 0o644))
	code, _, errOut = leadscore(t, "", "mix", "--costs", future, "--kpi-from", "sales-ready", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--kpi-value", "2000", "--bootstrap", "20")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "leadscore mix: "+future+" runs past today (")
	assert.Contains(t, errOut, "leave the costs of weeks not yet over out of the file")
	assert.NotContains(t, errOut, "leave it out")
}

// The guide's section on the other inputs shows what the commands write,
// run from the repository's root as the guide runs them: stderr, then the
// report's head (and, for the outcomes, its channels).
func TestMixGuideShowsOtherInputs(t *testing.T) {
	if raceDetector {
		t.Skip("two whole fits with 200 bootstrap refits each: too slow under -race, and the same code runs without it")
	}
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guide", "mix.md"))
	require.NoError(t, err)
	t.Chdir(filepath.Join("..", ".."))
	section := func(out, from string) string {
		lines := strings.Split(out, "\n")
		i := 0
		for from != "" && lines[i] != from {
			i++
		}
		j := i
		for lines[j] != "" {
			j++
		}
		return strings.Join(lines[i:j], "\n") + "\n"
	}
	for _, c := range []struct {
		args     []string
		channels bool
	}{
		{[]string{"mix", "--costs", "testdata/mix/costs.csv", "--kpi-from", "revenue", "--outcomes", "testdata/mix/outcomes.csv"}, true},
		{[]string{"mix", "--costs", "testdata/mix/costs-2026.csv", "--kpi-from", "sales-ready", "--model", "testdata/b2b-saas.yaml", "--leads", "testdata/leads.ndjson",
			"--at", "2026-10-12T00:00:00Z", "--kpi-value", "2000", "--activity"}, false},
	} {
		code, out, errOut := leadscore(t, "", c.args...)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, string(guide), "```sh\nleadscore "+strings.Join(c.args, " ")+"\n```\n")
		assert.Contains(t, string(guide), "```\n"+errOut+section(out, "")+"```\n", "paste the output of leadscore %s into docs/guide/mix.md", strings.Join(c.args, " "))
		if c.channels {
			assert.Contains(t, string(guide), "```\n"+section(out, "Channels")+"```\n")
		}
	}
}

// A derived KPI's warning (outcomes that end before the last week began)
// is on the HTML report's first screen too.
func TestMixHTMLShowsTheKPIWarning(t *testing.T) {
	dir := t.TempDir()
	head, rows := readCSV(t, td("mix/outcomes.csv"))
	var b strings.Builder
	b.WriteString(strings.Join(head, ",") + "\n")
	for _, r := range rows {
		if r[2] == "" || r[2] < "2025-12-01" {
			b.WriteString(strings.Join(r, ",") + "\n")
		}
	}
	op := filepath.Join(dir, "outcomes.csv")
	require.NoError(t, os.WriteFile(op, []byte(b.String()), 0o644))
	code, out, errOut := leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi-from", "revenue", "--outcomes", op, "--bootstrap", "20", "--format", "html")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "before the last modelled week (2025-12-22) began: if the outcomes were exported before the weeks ended, the last weeks read low")
	assert.Contains(t, out, "before the last modelled week (2025-12-22) began: if the outcomes were exported before the weeks ended, the last weeks read low")
}

// --kpi-from sales-ready: a lead id given twice fails its later row, as
// an outcome given twice does; it is not counted a second time.
func TestMixKPIFromSalesReadyRepeatedLead(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	first := strings.SplitAfter(string(data), "\n")[0]
	dup := filepath.Join(dir, "dup.ndjson")
	require.NoError(t, os.WriteFile(dup, []byte(string(data)+first), 0o644))
	code, out, errOut := leadscore(t, "", "mix", "--costs", td("mix/costs-2026.csv"), "--kpi-from", "sales-ready", "--model", td("b2b-saas.yaml"), "--leads", dup,
		"--at", "2026-10-12T00:00:00Z", "--kpi-value", "2000", "--bootstrap", "20")
	assert.Equal(t, exitProblem, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, dup+":1001: lead L0000001 was already given on line 1; give each lead one row (the first is kept)\n")
	assert.Contains(t, errOut, "leadscore mix: 1 lead of "+dup+" failed (each named above)")
}

// With --kpi-from the weeks are the spend's: a cost row whose dates reach
// more than a year past the KPI's won deals (2204 for 2024) fails with its
// line instead of stretching the weeks over centuries, and a span of more
// than ten years is refused. A row within a year of them is modelled.
func TestMixCostRowFarBeyondTheKPI(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
		return p
	}
	var out strings.Builder
	out.WriteString("lead_id,opportunity,won,revenue\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&out, "L%d,,%s,100\n", i, time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 6*i).Format(time.RFC3339))
	}
	outcomes := write("outcomes.csv", out.String())
	costs := write("costs.csv", "campaign,channel,start,end,cost\n"+
		"a,tv,2024-01-01,2024-06-30,5000\n"+
		"b,search,2024-01-01,2024-12-31,4000\n"+
		"typo,tv,2024-03-01,2204-03-31,5000\n"+
		"early,search,2020-01-01,2020-01-31,100\n")
	code, stdout, errOut := leadscore(t, "", "mix", "--costs", costs, "--kpi-from", "revenue", "--outcomes", outcomes, "--bootstrap", "20", "--format", "json")
	assert.Equal(t, exitProblem, code)
	assert.Empty(t, stdout)
	assert.Contains(t, errOut, costs+":4: the cost row's days 2024-03-01 to 2204-03-31 reach 179 years after the last won deal in "+outcomes+" (2024-12-22); a cost row may reach at most a year beyond")
	assert.Contains(t, errOut, costs+":5: the cost row's days 2020-01-01 to 2020-01-31 reach 4 years before the first won deal in "+outcomes+" (2024-01-03);")
	assert.Contains(t, errOut, "leadscore mix: 2 cost rows of "+costs+" reach more than a year beyond the KPI's won deals (each named above)")

	// Outcomes over twelve years, costs at both ends: more than ten years.
	out.Reset()
	out.WriteString("lead_id,opportunity,won,revenue\nA,,2010-01-05T00:00:00Z,100\nB,,2022-01-05T00:00:00Z,100\n")
	outcomes = write("outcomes2.csv", out.String())
	costs = write("costs2.csv", "campaign,channel,date,cost\na,tv,2010-01-04,100\nb,tv,2022-01-03,100\n")
	code, _, errOut = leadscore(t, "", "mix", "--costs", costs, "--kpi-from", "revenue", "--outcomes", outcomes, "--bootstrap", "20")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "leadscore mix: "+costs+": the spend's weeks run from 2010-01-04 to 2022-01-03, 627 weeks: more than ten years")
}

// The same files and seed give the same bytes: the revenue per week is
// summed in a fixed order (the lead ids'), not a map's, whose order
// changes from run to run and moves a float sum's last bits. By hand, a
// week's sum is the ids' sum in sorted order; and the whole JSON report is
// byte-identical over repeated runs in one process.
func TestMixKPIFromOutcomesSameBytesEveryRun(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("lead_id,opportunity,won,revenue\n")
	var want float64
	for i := 0; i < 300; i++ {
		v := 0.1 + float64(i)*1234.567 + 1e9/float64(i+1)
		fmt.Fprintf(&b, "L%04d,,2024-01-02T00:00:00Z,%s\n", i, strconv.FormatFloat(v, 'f', -1, 64))
		want += v // L0000..L0299: file order is id order
	}
	p := filepath.Join(dir, "outcomes.csv")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
	for range 20 {
		s, _, err := kpiFromOutcomes(p, "revenue", mixGrid("2024-01-01", "2024-01-01"), nil)
		require.NoError(t, err)
		require.Equal(t, want, s.Values[0][0])
	}
	args := []string{"mix", "--costs", td("mix/costs.csv"), "--kpi-from", "revenue", "--outcomes", td("mix/outcomes.csv"), "--bootstrap", "20", "--format", "json"}
	code, first, errOut := leadscore(t, "", args...)
	require.Equal(t, exitOK, code, errOut)
	for range 3 {
		_, again, _ := leadscore(t, "", args...)
		require.Equal(t, first, again)
	}
}

// No touches at all (CSV leads without --events, an empty journeys file):
// one message that says none were read and how to give them, not one
// error per campaign; with --events the touches, and the mapping's
// summary, are the events file's.
func TestMixNoTouchesOneMessage(t *testing.T) {
	base := []string{"mix", "--costs", td("mix/costs-2026.csv"), "--kpi-from", "sales-ready", "--model", td("b2b-saas.yaml"), "--at", "2026-10-12T00:00:00Z", "--kpi-value", "2000", "--bootstrap", "20"}
	code, _, errOut := leadscore(t, "", append(base, "--leads", td("leads.csv"))...)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore mix: "+td("mix/costs-2026.csv")+": no campaign touch was read from "+td("leads.csv")+" (1,000 journeys), so no campaign's channel is known; CSV leads carry their touches in an events file: give it with --events, or add a channel column to the costs file\n", errOut)
	code, _, errOut = leadscore(t, "", append(base, "--leads", td("leads.csv"), "--events", td("events.csv"))...)
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "9 campaigns, each given the channel most of its touches in "+td("events.csv")+" came through")

	empty := filepath.Join(t.TempDir(), "empty.ndjson")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	code, _, errOut = leadscore(t, "", "mix", "--costs", td("mix/costs-2026.csv"), "--journeys", empty, "--kpi", td("mix/kpi.csv"), "--bootstrap", "20")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	assert.Contains(t, errOut, "no campaign touch was read from "+empty+" (0 journeys)")
	code, _, errOut = leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--journeys", empty, "--activity", "--kpi", td("mix/kpi.csv"), "--bootstrap", "20")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "leadscore mix: --activity counts the journeys' touches per channel and week, and no touch was read from "+empty+" (0 journeys)")
}

// The HTML page says what the inputs add up to, as the text report does:
// the KPI's, the costs' and the activity's reconciling lines, each as the
// text report writes it.
func TestMixHTMLHasTheInputCounts(t *testing.T) {
	args := []string{"mix", "--costs", td("mix/costs-2026.csv"), "--kpi-from", "sales-ready", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"),
		"--at", "2026-10-12T00:00:00Z", "--kpi-value", "2000", "--activity", "--bootstrap", "20"}
	code, text, errOut := leadscore(t, "", args...)
	require.Equal(t, exitOK, code, errOut)
	code, page, errOut := leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitOK, code, errOut)
	n := 0
	for _, line := range strings.Split(text, "\n") {
		for _, p := range []string{"  KPI: ", "  spend: ", "  activity: "} {
			if strings.HasPrefix(line, p) {
				n++
				assert.Contains(t, page, html.EscapeString(strings.TrimPrefix(line, "  ")))
			}
		}
	}
	assert.Equal(t, 3, n)
}
