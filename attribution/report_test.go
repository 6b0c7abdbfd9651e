package attribution_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/numfmt"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func td(name string) string { return filepath.Join("..", "testdata", name) }

// Two journeys, worked out by hand:
//
//	A: email/nurture day 0, search/brand day 4; sales-ready day 5, won day 10 for 1000
//	B: search/brand day 1; sales-ready day 3; not won
func TestReportByHand(t *testing.T) {
	a := &attribution.Journey{ID: "A", Converted: true, Revenue: 1000,
		Touches:    []attribution.Touch{{At: day(0), Campaign: "nurture", Channel: "email"}, {At: day(4), Campaign: "brand", Channel: "search"}},
		Milestones: map[string]time.Time{"sales_ready": day(5), "won": day(10)}}
	b := &attribution.Journey{ID: "B",
		Touches:    []attribution.Touch{{At: day(1), Campaign: "brand", Channel: "search"}},
		Milestones: map[string]time.Time{"sales_ready": day(3)}}
	rep := attribution.NewReport([]attribution.Model{attribution.FirstTouchModel{}, attribution.LinearModel{}},
		attribution.Options{}, attribution.Costs{"nurture": 200, "brand": 400, "unused": 50})
	rep.Add(a)
	rep.Add(b)
	rep.Finish()

	rows := map[string]attribution.Row{}
	for _, r := range rep.Campaigns {
		rows[r.Name] = r
	}
	// First touch: all of A to nurture. Linear: half each.
	assert.Equal(t, attribution.Amount{Conversions: 1, Revenue: 1000, ROAS: num(5), ROI: num(4)}, rows["nurture"].Credit[0])
	assert.Equal(t, attribution.Amount{Conversions: 0.5, Revenue: 500, ROAS: num(2.5), ROI: num(1.5)}, rows["nurture"].Credit[1])
	assert.Equal(t, attribution.Amount{Conversions: 0, Revenue: 0, ROAS: num(0), ROI: num(-1)}, rows["brand"].Credit[0])
	assert.Equal(t, attribution.Amount{Conversions: 0.5, Revenue: 500, ROAS: num(1.25), ROI: num(0.25)}, rows["brand"].Credit[1])
	// Funnel: brand touched both, both sales-ready, one won; the won one
	// counts as an opportunity (of a sales-ready lead too), and won from one.
	assert.Equal(t, attribution.Funnel{Touched: 2, SalesReady: 2, Opportunities: 1, Won: 1, SalesReadyOpportunities: 1, SalesReadyWon: 1}, rows["brand"].Funnel)
	assert.Equal(t, num(200), rows["brand"].CostPerSalesReady)
	assert.Equal(t, num(400), rows["brand"].CostPerWon)
	assert.Equal(t, "search", rows["brand"].Channel)
	assert.Equal(t, num(50), rows["unused"].Cost, "a campaign that cost money but touched nobody still shows")
	assert.Nil(t, rows["unused"].CostPerSalesReady, "nothing to divide by")
	assert.Equal(t, num(650), rep.Total.Cost)
	assert.Equal(t, 1000.0, rep.Total.Credit[1].Revenue)
	// Velocity: sales-ready to won, A only: 5 days; first touch to won: 10.
	for _, v := range rep.Velocity {
		switch v.From + ">" + v.To {
		case "sales_ready>won":
			t.Fatal("sales_ready>won is not a step the report measures")
		case "first_touch>won":
			ten := 10.0
			assert.Equal(t, attribution.Velocity{From: "first_touch", To: "won", Journeys: 1, MedianDays: &ten}, v)
		}
	}
}

// readJourneys reads the bundled journeys (built by `leadscore attribute
// --leads ... --journeys-out`) with this package's own reader.
func readJourneys(t *testing.T) []*attribution.Journey {
	f, err := os.Open(td("journeys.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	var out []*attribution.Journey
	require.NoError(t, attribution.ReadNDJSON(f, func(line int, j *attribution.Journey, err error) error {
		require.NoError(t, err, "line %d", line)
		out = append(out, j)
		return nil
	}))
	return out
}

func costs(t *testing.T) attribution.Costs {
	f, err := os.Open(td("costs.csv"))
	require.NoError(t, err)
	defer f.Close()
	c, n, err := attribution.ReadCosts(f, func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	assert.Equal(t, attribution.Counts{Rows: n.Read, Read: n.Read}, n)
	return c
}

// wonRevenue adds up the revenue of the won deals in the CRM outcomes,
// independently of everything attribution does.
func wonRevenue(t *testing.T) float64 {
	f, err := os.Open(td("outcomes.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	sum := 0.0
	for _, r := range recs[1:] {
		if r[2] != "" {
			v, err := strconv.ParseFloat(r[3], 64)
			require.NoError(t, err)
			sum += v
		}
	}
	return sum
}

func TestBundledReportGolden(t *testing.T) {
	journeys := readJourneys(t)
	require.Len(t, journeys, 1000)
	var models []attribution.Model
	for _, spec := range []string{"first_touch", "linear", "w_shaped"} {
		m, err := attribution.ParseModel(spec)
		require.NoError(t, err)
		models = append(models, m)
	}
	rep := attribution.NewReport(models, attribution.Options{}, costs(t))
	for _, j := range journeys {
		rep.Add(j)
	}
	rep.Finish()

	// Credit is conserved: every model credits exactly the won revenue.
	want := wonRevenue(t)
	require.Equal(t, 388600.0, want)
	for i, m := range rep.Models {
		campaigns, channels := 0.0, 0.0
		for _, r := range rep.Campaigns {
			campaigns += r.Credit[i].Revenue
		}
		for _, r := range rep.Channels {
			channels += r.Credit[i].Revenue
		}
		assert.InDelta(t, want, campaigns, 1e-6, m)
		assert.InDelta(t, want, channels, 1e-6, m)
		assert.InDelta(t, want, rep.Total.Credit[i].Revenue, 1e-6, m)
		assert.InDelta(t, 18, rep.Total.Credit[i].Conversions, 1e-9, m)
	}

	var b bytes.Buffer
	require.NoError(t, rep.WriteMarkdown(&b))
	golden := td(filepath.Join("golden", "attribution.md"))
	if *update {
		require.NoError(t, os.WriteFile(golden, b.Bytes(), 0o644))
	}
	wantMD, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(wantMD), b.String())
}

// The sales-ready moment that scoring finds is a milestone of W-shaped: take
// it away and the touch before it loses its 30%, which goes to the others.
func TestSalesReadyMilestoneShapesWShaped(t *testing.T) {
	with := attribution.NewReport([]attribution.Model{attribution.WShaped(""), attribution.FirstTouchModel{}}, attribution.Options{}, nil)
	without := attribution.NewReport([]attribution.Model{attribution.WShaped(""), attribution.FirstTouchModel{}}, attribution.Options{}, nil)
	for _, j := range readJourneys(t) {
		with.Add(j)
		c := *j
		c.Milestones = map[string]time.Time{}
		for k, v := range j.Milestones {
			if k != attribution.SalesReady {
				c.Milestones[k] = v
			}
		}
		without.Add(&c)
	}
	with.Finish()
	without.Finish()
	assert.InDelta(t, with.Total.Credit[0].Revenue, without.Total.Credit[0].Revenue, 1e-6, "the total is the same")
	moved := 0.0
	byName := map[string]attribution.Row{}
	for _, r := range without.Campaigns {
		byName[r.Name] = r
	}
	for _, r := range with.Campaigns {
		moved += abs(r.Credit[0].Revenue - byName[r.Name].Credit[0].Revenue)
		assert.InDelta(t, r.Credit[1].Revenue, byName[r.Name].Credit[1].Revenue, 1e-9, "first touch does not use the milestone: %s", r.Name)
	}
	assert.Greater(t, moved, 1000.0, "W-shaped credit moves between campaigns")
}

func num(v float64) *float64 { return &v }

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestReadErrorsArePositioned(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"ok","touches":[{"at":"2026-06-01T00:00:00Z","campaign":"c","channel":"e"}],"converted":true,"revenue":10}`,
		`{"id":"typo","touches":[],"revenu":10}`,
		`{"id":"neg","converted":true,"revenue":-5}`,
		`{"id":"lost","revenue":5}`,
		`{"id":"notime","touches":[{"campaign":"c"}]}`,
		`not json`,
	}, "\n")
	var errs []string
	ok := 0
	require.NoError(t, attribution.ReadNDJSON(strings.NewReader(in), func(line int, j *attribution.Journey, err error) error {
		if err != nil {
			errs = append(errs, strconv.Itoa(line)+": "+err.Error())
		} else {
			ok++
		}
		return nil
	}))
	assert.Equal(t, 1, ok)
	assert.Equal(t, []string{
		`2: json: unknown field "revenu"`,
		"3: revenue: -5 is negative; an amount is a number from 0 to 1e15",
		"4: revenue without a conversion; set converted: true, or remove the revenue",
		"5: touch 1 has no time (at)",
		"6: invalid character 'o' in literal null (expecting 'u')",
	}, errs)
}

func TestReadCSVJourneys(t *testing.T) {
	journeys := "id,converted,revenue,sales_ready,won\nA,true,1000,2026-06-06,2026-06-11\nB,false,,2026-06-04,\nC,maybe,,,\n"
	touches := "journey_id,at,campaign,channel,medium\nA,2026-06-01,nurture,email,newsletter\nA,2026-06-05,brand,search,\nB,2026-06-02,brand,search,\n"
	var got []*attribution.Journey
	var errs []string
	require.NoError(t, attribution.ReadCSV(strings.NewReader(journeys), strings.NewReader(touches), func(line int, j *attribution.Journey, err error) error {
		if err != nil {
			errs = append(errs, strconv.Itoa(line)+": "+err.Error())
		} else {
			got = append(got, j)
		}
		return nil
	}))
	assert.Equal(t, []string{`4: converted: want true or false, got "maybe"`}, errs)
	require.Len(t, got, 2)
	assert.Equal(t, 1000.0, got[0].Revenue)
	assert.True(t, got[0].Converted)
	require.Len(t, got[0].Touches, 2)
	assert.Equal(t, map[string]string{"medium": "newsletter"}, got[0].Touches[0].Attrs)
	assert.Equal(t, time.Date(2026, 6, 11, 0, 0, 0, 0, time.UTC), got[0].Milestones["won"])
	assert.False(t, got[1].Converted)
}

// A campaign the cost table does not name has no cost: nil in Go, null in
// JSON, — in the tables and empty in CSV, never 0; a known cost of 0 is 0.
// Cost per sales-ready and per won divide the cost by the funnel's
// sales-ready and won columns, which the funnel table shows beside them.
func TestUnknownCostIsNotZero(t *testing.T) {
	j := &attribution.Journey{ID: "A", Converted: true, Revenue: 900,
		Touches: []attribution.Touch{{At: day(0), Campaign: "known", Channel: "ads"}, {At: day(1), Campaign: "unknown", Channel: "ads"},
			{At: day(2), Campaign: "free", Channel: "web"}},
		Milestones: map[string]time.Time{"sales_ready": day(3), "won": day(5)}}
	rep := attribution.NewReport([]attribution.Model{attribution.LinearModel{}}, attribution.Options{}, attribution.Costs{"known": 300, "free": 0})
	rep.Add(j)
	rep.Finish()
	rows := map[string]attribution.Row{}
	for _, r := range rep.Campaigns {
		rows[r.Name] = r
	}
	assert.Equal(t, num(300), rows["known"].Cost)
	assert.Equal(t, num(300), rows["known"].CostPerSalesReady, "300 over 1 sales-ready journey")
	assert.Equal(t, num(300), rows["known"].CostPerWon, "300 over 1 won journey")
	assert.Nil(t, rows["unknown"].Cost)
	assert.Nil(t, rows["unknown"].CostPerSalesReady)
	assert.Nil(t, rows["unknown"].CostPerWon)
	assert.Nil(t, rows["unknown"].Credit[0].ROI)
	assert.Equal(t, num(0), rows["free"].Cost, "a known cost of 0")
	assert.Equal(t, num(0), rows["free"].CostPerWon)
	assert.Nil(t, rows["free"].Credit[0].ROI, "no return on nothing spent")
	assert.Equal(t, num(300), rep.Total.Cost, "the known costs")

	var js bytes.Buffer
	require.NoError(t, rep.WriteJSON(&js))
	var doc struct {
		Campaigns []map[string]any `json:"campaigns"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	for _, c := range doc.Campaigns {
		if c["name"] == "unknown" {
			assert.Nil(t, c["cost"])
			assert.Nil(t, c["cost_per_won"])
			assert.Contains(t, c, "cost", "written as null, not left out")
		}
	}
	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	line := ""
	for _, l := range strings.Split(text.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "unknown") && strings.Contains(l, "—") {
			line = l
			break
		}
	}
	require.NotEmpty(t, line, "the unknown campaign's line:\n%s", text.String())
	assert.NotContains(t, strings.Fields(line), "0", "no cost of 0 for an unknown cost: %q", line)
}

// A channel whose campaigns have costs for some and none for others has
// no cost: the sum of some would understate its spend and overstate its
// returns. A warning names the campaigns to give a cost; a channel whose
// every campaign has one sums them.
func TestChannelCostNeedsEveryCampaigns(t *testing.T) {
	j := &attribution.Journey{ID: "A", Converted: true, Revenue: 900,
		Touches: []attribution.Touch{{At: day(0), Campaign: "known", Channel: "ads"}, {At: day(1), Campaign: "unknown", Channel: "ads"},
			{At: day(2), Campaign: "free", Channel: "web"}, {At: day(2), Campaign: "blog", Channel: "web"}},
		Milestones: map[string]time.Time{"sales_ready": day(3), "won": day(5)}}
	rep := attribution.NewReport([]attribution.Model{attribution.LinearModel{}}, attribution.Options{}, attribution.Costs{"known": 300, "free": 0, "blog": 50})
	rep.Add(j)
	rep.Finish()
	channels := map[string]attribution.Row{}
	for _, r := range rep.Channels {
		channels[r.Name] = r
	}
	assert.Nil(t, channels["ads"].Cost, "unknown has no cost: the channel's is not known")
	assert.Nil(t, channels["ads"].CostPerSalesReady)
	assert.Nil(t, channels["ads"].Credit[0].ROAS)
	assert.Equal(t, num(50), channels["web"].Cost, "free (0) and blog (50)")
	assert.Equal(t, num(350), rep.Total.Cost, "the table's sum")
	assert.Equal(t, []string{"channel ads: unknown has no cost in the cost table, so the channel's cost, costs per lead, ROAS and ROI are left out (—), not computed on part of its spend; give it a cost (0 if it was free)",
		"unknown has no cost in the cost table, so the total's ROAS, ROI and costs per lead are left out (—): the total's credited revenue counts unknown's (225) and its cost does not; give it a cost (0 if it was free)"}, rep.Warnings)
	rep.Finish()
	assert.Len(t, rep.Warnings, 2, "finishing again warns once")
}

// The total's returns divide all credited revenue by all spend, so a
// campaign with credit and no cost withholds them (and its costs per
// lead), in every format, with a warning that names it and its credit;
// touches that name no campaign ("(direct)") cost nothing and withhold
// nothing. Linear: 900 in thirds, 300 each.
func TestTotalReturnsNeedEveryCampaignsCost(t *testing.T) {
	j := &attribution.Journey{ID: "A", Converted: true, Revenue: 900,
		Touches: []attribution.Touch{{At: day(0), Campaign: "known", Channel: "ads"}, {At: day(1), Campaign: "unknown", Channel: "email"},
			{At: day(2), Campaign: "(direct)", Channel: "direct"}},
		Milestones: map[string]time.Time{"sales_ready": day(3), "won": day(5)}}
	rep := attribution.NewReport([]attribution.Model{attribution.LinearModel{}, attribution.FirstTouchModel{}}, attribution.Options{}, attribution.Costs{"known": 300})
	rep.Add(j)
	rep.Finish()
	assert.Equal(t, []string{"unknown"}, rep.Uncosted)
	assert.Equal(t, num(300), rep.Total.Cost, "the spend the table gives")
	for _, a := range rep.Total.Credit {
		assert.Nil(t, a.ROAS)
		assert.Nil(t, a.ROI)
	}
	assert.Nil(t, rep.Total.CostPerSalesReady)
	assert.Nil(t, rep.Total.CostPerWon)
	// unknown's credit: 300 under linear, 0 under first touch.
	assert.Equal(t, []string{"unknown has no cost in the cost table, so the total's ROAS, ROI and costs per lead are left out (—): the total's credited revenue counts unknown's (0 to 300, by model) and its cost does not; give it a cost (0 if it was free)"}, rep.Warnings)

	var js, csvOut, text bytes.Buffer
	require.NoError(t, rep.WriteJSON(&js))
	var doc struct {
		Uncosted []string       `json:"campaigns_without_cost"`
		Total    map[string]any `json:"total"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	assert.Equal(t, []string{"unknown"}, doc.Uncosted)
	assert.Nil(t, doc.Total["credit"].([]any)[0].(map[string]any)["roas"])
	require.NoError(t, rep.WriteCSV(&csvOut))
	recs, err := csv.NewReader(&csvOut).ReadAll()
	require.NoError(t, err)
	total := recs[len(recs)-1]
	require.Equal(t, "total", total[0])
	roas := -1
	for i, h := range recs[0] {
		if h == "linear_roas" {
			roas = i
		}
	}
	assert.Equal(t, "", total[roas], "no ROAS for the total")
	require.NoError(t, rep.WriteText(&text))
	assert.Contains(t, text.String(), "cost 300 (without unknown, which has no cost: the total's returns are left out)")

	// With unknown's cost, the total's returns are all credited revenue
	// over all spend: (direct) is free.
	rep = attribution.NewReport([]attribution.Model{attribution.LinearModel{}}, attribution.Options{}, attribution.Costs{"known": 300, "unknown": 100})
	rep.Add(j)
	rep.Finish()
	assert.Empty(t, rep.Uncosted)
	assert.Empty(t, rep.Warnings)
	assert.Equal(t, num(900.0/400), rep.Total.Credit[0].ROAS)
	assert.Equal(t, num(400), rep.Total.CostPerWon)
}

// A cost for a campaign no journey touched is in the total's cost and in
// no channel's, and a costed campaign seen through two channels has its
// cost in one and its revenue in both: the report warns of each.
func TestCostsThatChannelsCannotHoldAreNamed(t *testing.T) {
	j := &attribution.Journey{ID: "A", Converted: true, Revenue: 900,
		Touches: []attribution.Touch{{At: day(0), Campaign: "news", Channel: "email"}, {At: day(1), Campaign: "news", Channel: "email"},
			{At: day(2), Campaign: "news", Channel: "social"}},
		Milestones: map[string]time.Time{"sales_ready": day(3), "won": day(5)}}
	rep := attribution.NewReport([]attribution.Model{attribution.LinearModel{}}, attribution.Options{}, attribution.Costs{"news": 300, "News": 50, "ghost": 10})
	rep.Add(j)
	rep.Finish()
	assert.Equal(t, num(360), rep.Total.Cost, "the table's sum")
	channels := map[string]attribution.Row{}
	for _, r := range rep.Channels {
		channels[r.Name] = r
	}
	assert.Equal(t, num(300), channels["email"].Cost, "news's cost in the channel of most of its touches")
	assert.Equal(t, []string{
		"the cost table names News and ghost that no journey touched: their costs are in the total's cost and in no channel's; check the names against the campaigns the events carry (case counts)",
		"news came through more than one channel: each campaign's cost counts in the channel most of its touches came through, its credited revenue in every channel it came through, so those channels' ROAS and ROI divide one by the other",
	}, rep.Warnings)
}

// A campaign counts a funnel step only when it touched the journey at or
// before the step, worked out by hand:
//
//	A: early/email day 0; sales-ready day 2; mid/social day 3; opportunity day 4;
//	   won day 6 for 500; late/email day 8
//	B: late/email day 1 (the same campaign, before this win); won day 5 for 300, never sales-ready;
//	   after/social day 7
func TestFunnelCountsOnlyStepsAfterTheTouch(t *testing.T) {
	a := &attribution.Journey{ID: "A", Converted: true, Revenue: 500,
		Touches: []attribution.Touch{{At: day(8), Campaign: "late", Channel: "email"}, {At: day(0), Campaign: "early", Channel: "email"},
			{At: day(3), Campaign: "mid", Channel: "social"}},
		Milestones: map[string]time.Time{"sales_ready": day(2), "opportunity": day(4), "won": day(6)}}
	b := &attribution.Journey{ID: "B", Converted: true, Revenue: 300,
		Touches:    []attribution.Touch{{At: day(1), Campaign: "late", Channel: "email"}, {At: day(7), Campaign: "after", Channel: "social"}},
		Milestones: map[string]time.Time{"won": day(5)}}
	rep := attribution.NewReport([]attribution.Model{attribution.LinearModel{}}, attribution.Options{}, attribution.Costs{"late": 100})
	rep.Add(a)
	rep.Add(b)
	rep.Finish()
	rows := map[string]attribution.Row{}
	for _, r := range append(rep.Campaigns, rep.Channels...) {
		rows[r.Name] = r
	}
	// early led A to every step.
	assert.Equal(t, attribution.Funnel{Touched: 1, SalesReady: 1, Opportunities: 1, Won: 1, SalesReadyOpportunities: 1, SalesReadyWon: 1}, rows["early"].Funnel)
	// mid came after A's hand-off: it counts A's opportunity and win, not
	// its hand-off, and A is not a deal won without a hand-off.
	assert.Equal(t, attribution.Funnel{Touched: 1, Opportunities: 1, Won: 1}, rows["mid"].Funnel)
	// late touched A only after the win, and B before B's win (B, won
	// without an opportunity date, was an opportunity by its win).
	assert.Equal(t, attribution.Funnel{Touched: 2, Opportunities: 1, Won: 1, WonNotSalesReady: 1, RevenueNotSalesReady: 300}, rows["late"].Funnel)
	assert.Equal(t, num(100), rows["late"].CostPerWon, "one win after its touch, not two")
	// after touched B only after the win.
	assert.Equal(t, attribution.Funnel{Touched: 1}, rows["after"].Funnel)
	// Channels take their campaigns' first touch: email from day 0 on A, day 1 on B.
	assert.Equal(t, attribution.Funnel{Touched: 2, SalesReady: 1, Opportunities: 2, Won: 2, SalesReadyOpportunities: 1, SalesReadyWon: 1, WonNotSalesReady: 1, RevenueNotSalesReady: 300}, rows["email"].Funnel)
	assert.Equal(t, attribution.Funnel{Touched: 2, Opportunities: 1, Won: 1}, rows["social"].Funnel)
	// The total counts every step of every journey.
	assert.Equal(t, attribution.Funnel{Touched: 2, SalesReady: 1, Opportunities: 2, Won: 2, SalesReadyOpportunities: 1, SalesReadyWon: 1, WonNotSalesReady: 1, RevenueNotSalesReady: 300}, rep.Total.Funnel)

	// Crediting the opportunity instead, the win is still the won milestone.
	rep = attribution.NewReport([]attribution.Model{attribution.LinearModel{}}, attribution.Options{Conversion: "opportunity"}, nil)
	c := &attribution.Journey{ID: "C", Converted: true, Revenue: 100,
		Touches:    []attribution.Touch{{At: day(0), Campaign: "early", Channel: "email"}, {At: day(5), Campaign: "between", Channel: "email"}, {At: day(9), Campaign: "after", Channel: "email"}},
		Milestones: map[string]time.Time{"sales_ready": day(1), "opportunity": day(3), "won": day(7)}}
	rep.Add(c)
	rep.Finish()
	rows = map[string]attribution.Row{}
	for _, r := range rep.Campaigns {
		rows[r.Name] = r
	}
	assert.Equal(t, attribution.Funnel{Touched: 1, Won: 1}, rows["between"].Funnel, "touched between the opportunity and the win")
	assert.Equal(t, attribution.Funnel{Touched: 1}, rows["after"].Funnel)
	var md strings.Builder
	require.NoError(t, rep.WriteMarkdown(&md))
	assert.Contains(t, md.String(), "so its won in all can exceed its then won plus won, never sales-ready")
}

// The bundled journeys under w_shaped and full_path: the converting
// journeys of two touches or more (in the window: at or before the win)
// that missed a milestone of the model — never reached it, or reached it
// with no touch at or before it — counted here straight from the file,
// are the report's Unanchored, with their revenue and the milestones
// missed; the warning says so; other models have none; and the credit
// still sums to the revenue. Split in two and merged through State, the
// count is the same. (The reviewer's independent recount of the same file
// gave w_shaped 15 journeys, 334,300, and full_path 15, 334,300.)
func TestUnanchoredJourneysCountedApart(t *testing.T) {
	js := readJourneys(t)
	type tally struct {
		n      int
		rev    float64
		missed []string
	}
	anchors := map[string][]string{"w_shaped": {"lead_created", "sales_ready"}, "full_path": {"lead_created", "opportunity", "won"}}
	want := map[string]*tally{"w_shaped": {}, "full_path": {}}
	won, wonRev := 0, 0.0
	for _, j := range js {
		if !j.Converted {
			continue
		}
		won++
		wonRev += j.Revenue
		at, ok := j.Milestones["won"]
		var in []time.Time
		for _, tc := range j.Touches {
			if !ok || !tc.At.After(at) {
				in = append(in, tc.At)
			}
		}
		if len(in) < 2 {
			continue
		}
		for model, as := range anchors {
			missedAny := false
			for _, a := range as {
				m, ok := j.Milestones[a]
				touched := false
				for _, tc := range in {
					touched = touched || !tc.After(m)
				}
				if !ok || !touched {
					missedAny = true
					if !slices.Contains(want[model].missed, a) {
						want[model].missed = append(want[model].missed, a)
					}
				}
			}
			if missedAny {
				want[model].n++
				want[model].rev += j.Revenue
			}
		}
	}
	assert.Equal(t, 15, want["w_shaped"].n, "the reviewer's recount")
	assert.Equal(t, 15, want["full_path"].n, "the reviewer's recount")
	models := []attribution.Model{attribution.LinearModel{}, attribution.WShaped(""), attribution.FullPath()}
	whole := attribution.NewReport(models, attribution.Options{}, nil)
	a, b := attribution.NewReport(models, attribution.Options{}, nil), attribution.NewReport(models, attribution.Options{}, nil)
	for i, j := range js {
		whole.Add(j)
		if i%2 == 0 {
			a.Add(j)
		} else {
			b.Add(j)
		}
	}
	whole.Finish()
	var wantU []attribution.Unanchored
	for _, model := range []string{"w_shaped", "full_path"} {
		w := want[model]
		var ms []string // in the model's order
		for _, a := range anchors[model] {
			if slices.Contains(w.missed, a) {
				ms = append(ms, a)
			}
		}
		wantU = append(wantU, attribution.Unanchored{Model: model, Milestones: ms, Journeys: w.n, Revenue: w.rev, Of: won, OfRevenue: wonRev})
		assert.Contains(t, whole.Warnings, fmt.Sprintf("%s: %d of the %d converting journeys (revenue %s of %s) never reached its %s milestone, or had no touch at or before it; with two touches or more, the model gives that milestone's share to its other milestones' touches, so the touches it would have marked get none (see docs/guide/attribution.md)",
			model, w.n, won, numfmt.Group(strconv.FormatFloat(w.rev, 'f', -1, 64)), numfmt.Group(strconv.FormatFloat(wonRev, 'f', -1, 64)), strings.Join(ms, " or ")))
	}
	require.Equal(t, wantU, whole.Unanchored)
	for i := range models {
		assert.InDelta(t, wonRev, whole.Total.Credit[i].Revenue, 1e-6, "credit sums to the revenue")
	}
	st, err := b.State()
	require.NoError(t, err)
	require.NoError(t, a.MergeState(st))
	a.Finish()
	assert.Equal(t, whole.Unanchored, a.Unanchored)
}

// A journey that reached every milestone but opportunity is counted under
// full_path with opportunity alone named, and one whose lead_created came
// before its first touch is counted with lead_created; one with every
// milestone touched is not counted.
func TestUnanchoredNamesTheMilestoneMissed(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	touches := []attribution.Touch{{At: day(2), Campaign: "a", Channel: "email"}, {At: day(5), Campaign: "b", Channel: "email"}, {At: day(9), Campaign: "c", Channel: "email"}}
	noOpp := &attribution.Journey{ID: "1", Touches: touches, Converted: true, Revenue: 100,
		Milestones: map[string]time.Time{"lead_created": day(3), "sales_ready": day(6), "won": day(10)}}
	for _, tc := range []struct {
		j      *attribution.Journey
		missed []string
	}{
		{noOpp, []string{"opportunity"}},
		{&attribution.Journey{ID: "2", Touches: touches, Converted: true, Revenue: 100,
			Milestones: map[string]time.Time{"lead_created": day(1), "opportunity": day(6), "won": day(10)}}, []string{"lead_created"}},
		{&attribution.Journey{ID: "3", Touches: touches, Converted: true, Revenue: 100,
			Milestones: map[string]time.Time{"lead_created": day(3), "opportunity": day(6), "won": day(10)}}, nil},
	} {
		rep := attribution.NewReport([]attribution.Model{attribution.FullPath()}, attribution.Options{}, nil)
		rep.Add(tc.j)
		rep.Finish()
		if tc.missed == nil {
			assert.Empty(t, rep.Unanchored, tc.j.ID)
			continue
		}
		require.Len(t, rep.Unanchored, 1, tc.j.ID)
		assert.Equal(t, tc.missed, rep.Unanchored[0].Milestones, tc.j.ID)
		assert.Equal(t, 1, rep.Unanchored[0].Journeys, tc.j.ID)
		for _, w := range rep.Warnings {
			assert.NotContains(t, w, "or won", tc.j.ID)
		}
	}
}

// A cost table's name that no journey touched gets a did-you-mean among
// the campaigns touched without a cost: the one that differs from it only
// in case or spacing first, else the nearest misspelling; none for a name
// near nothing, and none towards a campaign that has its cost already.
func TestUntouchedCostsDidYouMean(t *testing.T) {
	j := &attribution.Journey{ID: "A", Converted: true, Revenue: 100,
		Touches: []attribution.Touch{{At: day(0), Campaign: "brand search", Channel: "search"}, {At: day(1), Campaign: "newsletter", Channel: "email"},
			{At: day(2), Campaign: "linkedin-abm", Channel: "social"}, {At: day(3), Campaign: "webinar", Channel: "events"}},
		Milestones: map[string]time.Time{"won": day(5)}}
	rep := attribution.NewReport([]attribution.Model{attribution.LinearModel{}}, attribution.Options{},
		attribution.Costs{" Brand  Search": 10, "NEWSLETTER": 5, "linkdin-abm": 2, "ghost": 1, "Webinar": 3, "webinar": 4})
	rep.Add(j)
	rep.Finish()
	assert.Contains(t, rep.Warnings, `the cost table names  Brand  Search (did you mean "brand search"?), NEWSLETTER (did you mean "newsletter"?), Webinar, ghost and linkdin-abm (did you mean "linkedin-abm"?) that no journey touched: their costs are in the total's cost and in no channel's; check the names against the campaigns the events carry (case counts)`)
}
