package attribution_test

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

func jan(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }

// creditBy sums a model's credit over journeys by campaign.
func creditBy(t *testing.T, spec string, opts attribution.Options, js ...*attribution.Journey) (conv, rev map[string]float64) {
	t.Helper()
	m, err := attribution.ParseModel(spec)
	require.NoError(t, err)
	conv, rev = map[string]float64{}, map[string]float64{}
	for _, j := range js {
		for _, c := range attribution.Attribute(m, j, opts) {
			conv[c.Touch.Campaign] += c.Conversions
			rev[c.Touch.Campaign] += c.Revenue
		}
	}
	return conv, rev
}

// --conversion sales_ready: the journeys that became sales-ready convert,
// one each, worth their revenue when also won; a won journey never
// sales-ready converts no more. Hand-computed under first_touch: A (X then
// Y after its hand-off, won for 100) credits X with 1 and 100; B
// (sales-ready, not won) credits Y with 1 and 0; C (won for 50, never
// sales-ready) credits nothing. With won, A and C convert: X 1 and 100, Z
// 1 and 50.
func TestConversionMilestoneDecidesWhoConverts(t *testing.T) {
	a := &attribution.Journey{ID: "A", Touches: []attribution.Touch{{At: jan(1), Campaign: "X"}, {At: jan(10), Campaign: "Y"}},
		Milestones: map[string]time.Time{attribution.SalesReady: jan(5), attribution.Won: jan(20)}, Converted: true, Revenue: 100}
	b := &attribution.Journey{ID: "B", Touches: []attribution.Touch{{At: jan(1), Campaign: "Y"}},
		Milestones: map[string]time.Time{attribution.SalesReady: jan(2)}}
	c := &attribution.Journey{ID: "C", Touches: []attribution.Touch{{At: jan(1), Campaign: "Z"}},
		Milestones: map[string]time.Time{attribution.Won: jan(3)}, Converted: true, Revenue: 50, Conversions: 3}

	conv, rev := creditBy(t, "first_touch", attribution.Options{Conversion: attribution.SalesReady}, a, b, c)
	assert.Equal(t, map[string]float64{"X": 1, "Y": 1}, conv)
	assert.Equal(t, map[string]float64{"X": 100, "Y": 0}, rev)

	conv, rev = creditBy(t, "first_touch", attribution.Options{}, a, b, c)
	assert.Equal(t, map[string]float64{"X": 1, "Z": 3}, conv)
	assert.Equal(t, map[string]float64{"X": 100, "Z": 50}, rev)

	opts := attribution.Options{Conversion: attribution.SalesReady}
	assert.True(t, opts.Converts(b))
	assert.False(t, opts.Converts(c))

	// The report's totals agree: 2 conversions, 100 of revenue.
	m, _ := attribution.ParseModel("first_touch")
	rep := attribution.NewReport([]attribution.Model{m}, opts, nil)
	for _, j := range []*attribution.Journey{a, b, c} {
		rep.Add(j)
	}
	rep.Finish()
	assert.Equal(t, 2.0, rep.Total.Credit[0].Conversions)
	assert.Equal(t, 100.0, rep.Total.Credit[0].Revenue)

	// Data-driven paths count the same conversions.
	p, err := attribution.PathsOf([]*attribution.Journey{a, b, c}, opts)
	require.NoError(t, err)
	gotConv, gotValue, gotNull := p.Totals()
	assert.Equal(t, []float64{2, 100, 1}, []float64{gotConv, gotValue, gotNull})
}

// read collects what a reader passes fn: journeys by line, errors by line.
func read(t *testing.T, do func(fn func(line int, j *attribution.Journey, err error) error) error) (map[int]*attribution.Journey, map[int]string) {
	t.Helper()
	js, errs := map[int]*attribution.Journey{}, map[int]string{}
	require.NoError(t, do(func(line int, j *attribution.Journey, err error) error {
		if err != nil {
			errs[line] = err.Error()
		} else {
			js[line] = j
		}
		return nil
	}))
	return js, errs
}

// A journey given twice fails its second line alone, naming the first;
// counted once, its revenue is counted once.
func TestRepeatedJourneyFailsItsSecondRow(t *testing.T) {
	nd := `{"id":"J1","converted":true,"revenue":100}
{"id":"J2","converted":true,"revenue":50}

{"id":"J1","converted":true,"revenue":100}
`
	js, errs := read(t, func(fn func(int, *attribution.Journey, error) error) error {
		return attribution.ReadNDJSON(strings.NewReader(nd), fn)
	})
	assert.Len(t, js, 2)
	assert.Equal(t, map[int]string{4: "journey J1 was already given on line 1; give each journey one row (the first is kept, this one is left out)"}, errs)

	js, errs = read(t, func(fn func(int, *attribution.Journey, error) error) error {
		return attribution.ReadCSV(strings.NewReader("id,converted,revenue\nJ1,true,100\nJ2,true,50\nJ1,true,100\n"), nil, fn)
	})
	assert.Len(t, js, 2)
	assert.Equal(t, map[int]string{4: "journey J1 was already given on line 2; give each journey one row (the first is kept, this one is left out)"}, errs)
}

// Touch rows whose journey_id names no journey are passed on, in line
// order, with a did-you-mean when the id differs in case: the touch rows
// reconcile, 2 on journeys + 2 orphaned = 4.
func TestOrphanTouchRows(t *testing.T) {
	journeys := "id,converted,revenue,won\nJ1,true,100,2026-03-01T00:00:00Z\nJ2,true,50,2026-03-01T00:00:00Z\n"
	touches := "journey_id,at,campaign,channel\nJ1,2026-01-01T00:00:00Z,A,a\nJ2,2026-01-01T00:00:00Z,B,b\nj2,2026-01-02T00:00:00Z,C,c\nJ3,2026-01-02T00:00:00Z,D,d\n"
	var orphans []attribution.OrphanTouch
	js, errs := read(t, func(fn func(int, *attribution.Journey, error) error) error {
		return attribution.ReadCSVOrphans(strings.NewReader(journeys), strings.NewReader(touches), fn, func(o attribution.OrphanTouch) { orphans = append(orphans, o) })
	})
	assert.Empty(t, errs)
	used := 0
	for _, j := range js {
		used += len(j.Touches)
	}
	assert.Equal(t, 2, used)
	require.Len(t, orphans, 2)
	assert.Equal(t, 4, orphans[0].Line)
	assert.Equal(t, "j2", orphans[0].ID)
	assert.Contains(t, orphans[0].Err.Error(), `did you mean "J2"?`)
	assert.Equal(t, 5, orphans[1].Line)
	assert.Contains(t, orphans[1].Err.Error(), `no journey has the id "J3"`)
	assert.NotContains(t, orphans[1].Err.Error(), "did you mean")
}

// A won milestone on a journey not converted contradicts itself: refused
// at its line, as revenue without a conversion is.
func TestWonWithoutConversionRefused(t *testing.T) {
	nd := `{"id":"J2","touches":[{"at":"2026-01-01T00:00:00Z","campaign":"A","channel":"a"}],"milestones":{"won":"2026-01-15T00:00:00Z"},"converted":true,"revenue":100}
{"id":"J3","touches":[{"at":"2026-01-01T00:00:00Z","campaign":"A","channel":"a"}],"milestones":{"won":"2026-01-15T00:00:00Z"},"converted":false,"revenue":0}
`
	js, errs := read(t, func(fn func(int, *attribution.Journey, error) error) error {
		return attribution.ReadNDJSON(strings.NewReader(nd), fn)
	})
	assert.Len(t, js, 1)
	assert.Equal(t, map[int]string{2: "a won milestone without a conversion; set converted: true, or remove the won milestone"}, errs)
	_, errs = read(t, func(fn func(int, *attribution.Journey, error) error) error {
		return attribution.ReadCSV(strings.NewReader("id,converted,won\nJ3,false,2026-01-15\n"), nil, fn)
	})
	assert.Equal(t, map[int]string{2: "a won milestone without a conversion; set converted: true, or remove the won milestone"}, errs)
}

// Touches at the same time are credited the same whatever their order in
// the file, under every model: a property over random journeys whose
// touches share a few times, shuffled.
func TestEqualTimesDoNotDependOnOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(16))
	specs := []string{"first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based:30/40", "w_shaped", "full_path"}
	campaigns := []string{"A", "B", "C"}
	channels := []string{"direct", "email", "paid"}
	for i := 0; i < 300; i++ {
		j := &attribution.Journey{ID: "J", Converted: true, Revenue: 1000, Milestones: map[string]time.Time{
			attribution.LeadCreated: jan(2), attribution.SalesReady: jan(3), attribution.Won: jan(5)}}
		for k := 0; k < 2+rng.Intn(5); k++ {
			tc := attribution.Touch{At: jan(1 + rng.Intn(4)), Campaign: campaigns[rng.Intn(3)], Channel: channels[rng.Intn(3)]}
			if rng.Intn(3) == 0 {
				tc.Attrs = map[string]string{"ad": campaigns[rng.Intn(3)]}
			}
			j.Touches = append(j.Touches, tc)
		}
		shuffled := *j
		shuffled.Touches = append([]attribution.Touch(nil), j.Touches...)
		rng.Shuffle(len(shuffled.Touches), func(a, b int) { shuffled.Touches[a], shuffled.Touches[b] = shuffled.Touches[b], shuffled.Touches[a] })
		for _, spec := range specs {
			m, err := attribution.ParseModel(spec)
			require.NoError(t, err)
			key := func(cs []attribution.Credit) []string {
				var out []string
				for _, c := range cs {
					out = append(out, strings.Join([]string{c.Touch.Campaign, c.Touch.Channel, c.Touch.Attrs["ad"], c.Touch.At.Format(time.DateOnly)}, "/")+
						"#"+strconv.Itoa(c.Position)+"="+strconv.FormatFloat(c.Revenue, 'g', -1, 64))
				}
				return out
			}
			require.Equal(t, key(attribution.Attribute(m, j, attribution.Options{})), key(attribution.Attribute(m, &shuffled, attribution.Options{})), "%s: %+v", spec, j.Touches)
		}
	}
	// The documented order: campaign, then channel. A at the same time as
	// B is first; then by channel within a campaign.
	conv, _ := creditBy(t, "first_touch", attribution.Options{}, &attribution.Journey{Converted: true, Touches: []attribution.Touch{
		{At: jan(1), Campaign: "B", Channel: "a"}, {At: jan(1), Campaign: "A", Channel: "z"}, {At: jan(1), Campaign: "A", Channel: "b"}}})
	assert.Equal(t, map[string]float64{"A": 1}, conv)
}

// Two touches under position_based:30/40: the shares scaled to sum to one,
// 3/7 and 4/7, as the package doc says.
func TestPositionBasedOfTwo(t *testing.T) {
	m, err := attribution.ParseModel("position_based:30/40")
	require.NoError(t, err)
	cs := attribution.Attribute(m, &attribution.Journey{Converted: true, Revenue: 700, Touches: []attribution.Touch{{At: jan(1), Campaign: "A"}, {At: jan(2), Campaign: "B"}}}, attribution.Options{})
	require.Len(t, cs, 2)
	assert.InDelta(t, 300, cs[0].Revenue, 1e-9)
	assert.InDelta(t, 400, cs[1].Revenue, 1e-9)
}

// custom: a near miss of a known milestone is refused with a did-you-mean,
// and shares that do not sum to 1 are refused with their sum.
func TestCustomWeightsRefused(t *testing.T) {
	_, err := attribution.ParseModel("custom:first_touch=0.5,sales_readdy=0.3,between=0.2")
	assert.EqualError(t, err, `custom: no milestone is named "sales_readdy"; did you mean "sales_ready"?`)
	_, err = attribution.ParseModel("custom:first_touch=0.5,sales_ready=0.7,between=0.2")
	assert.EqualError(t, err, "custom: the shares sum to 1.4, not 1; write them so that they sum to 1 (such as custom:first_touch=0.5,sales_ready=0.3,between=0.2)")
	_, err = attribution.ParseModel("custom:first_touch=0.1,demo_booked=0.2,won=0.7")
	assert.NoError(t, err, "a name of the journeys' own, near no known one, is taken")
}

// rowOf finds a report row by name.
func rowOf(t *testing.T, rows []attribution.Row, name string) attribution.Row {
	t.Helper()
	for _, r := range rows {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no row %q", name)
	return attribution.Row{}
}

// The funnel counts the touches credit counts: with a 90-day lookback, A's
// touches (109 days before both wins) earn it no won deal in the funnel,
// as they earn it no credit; J2, whose only touch is outside the window,
// is (no touch)'s in the funnel as in credit. Without the lookback, A has
// both wins.
func TestFunnelWithinLookback(t *testing.T) {
	apr20 := time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)
	js := []*attribution.Journey{
		{ID: "J1", Touches: []attribution.Touch{{At: jan(1), Campaign: "A", Channel: "a"}, {At: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Campaign: "B", Channel: "b"}},
			Milestones: map[string]time.Time{attribution.Won: apr20}, Converted: true, Revenue: 100},
		{ID: "J2", Touches: []attribution.Touch{{At: jan(1), Campaign: "A", Channel: "a"}},
			Milestones: map[string]time.Time{attribution.Won: apr20}, Converted: true, Revenue: 50},
	}
	m, _ := attribution.ParseModel("first_touch")
	run := func(lookback time.Duration) *attribution.Report {
		rep := attribution.NewReport([]attribution.Model{m}, attribution.Options{Lookback: lookback}, nil)
		for _, j := range js {
			rep.Add(j)
		}
		rep.Finish()
		return rep
	}
	rep := run(90 * 24 * time.Hour)
	a, b, none := rowOf(t, rep.Campaigns, "A"), rowOf(t, rep.Campaigns, "B"), rowOf(t, rep.Campaigns, attribution.NoTouch)
	assert.Equal(t, []int{2, 0, 0}, []int{a.Funnel.Touched, a.Funnel.Won, a.Funnel.WonNotSalesReady})
	assert.Equal(t, 0.0, a.Credit[0].Conversions)
	assert.Equal(t, []int{1, 1}, []int{b.Funnel.Touched, b.Funnel.Won})
	assert.Equal(t, []int{1, 1}, []int{none.Funnel.Touched, none.Funnel.Won})
	assert.Equal(t, 50.0, none.Funnel.RevenueNotSalesReady)
	assert.Equal(t, 1.0, none.Credit[0].Conversions)
	assert.Equal(t, []int{2, 2}, []int{rep.Total.Funnel.Touched, rep.Total.Funnel.Won})

	rep = run(0)
	a = rowOf(t, rep.Campaigns, "A")
	assert.Equal(t, []int{2, 2}, []int{a.Funnel.Touched, a.Funnel.Won})
	assert.Equal(t, 150.0, a.Funnel.RevenueNotSalesReady)
}

// A journey no campaign touched is in (no touch)'s funnel with its
// milestones, as its credit is; the total counts every journey, and its
// rate says so.
func TestFunnelNoTouchRow(t *testing.T) {
	js := []*attribution.Journey{
		{ID: "J1", Touches: []attribution.Touch{{At: jan(1), Campaign: "X", Channel: "x"}}, Milestones: map[string]time.Time{attribution.SalesReady: jan(2)}},
		{ID: "J2", Milestones: map[string]time.Time{attribution.SalesReady: jan(2), attribution.Won: jan(9)}, Converted: true, Revenue: 70},
		{ID: "J3"},
	}
	m, _ := attribution.ParseModel("first_touch")
	rep := attribution.NewReport([]attribution.Model{m}, attribution.Options{}, nil)
	for _, j := range js {
		rep.Add(j)
	}
	rep.Finish()
	none := rowOf(t, rep.Channels, attribution.NoTouch)
	assert.Equal(t, []int{2, 1, 1, 1}, []int{none.Funnel.Touched, none.Funnel.SalesReady, none.Funnel.Won, none.Funnel.SalesReadyWon})
	assert.Equal(t, 1.0, none.Credit[0].Conversions)
	assert.Equal(t, []int{3, 2, 1}, []int{rep.Total.Funnel.Touched, rep.Total.Funnel.SalesReady, rep.Total.Funnel.Won})
	assert.Equal(t, 3, rep.Total.Rates.SalesReady.Of)
	x := rowOf(t, rep.Campaigns, "X")
	assert.Equal(t, []int{1, 1, 0}, []int{x.Funnel.Touched, x.Funnel.SalesReady, x.Funnel.Won})
}

// A custom model's pairs, split at commas, stay together: the sum check
// sees the whole model, not its first pair.
func TestSplitModelsKeepsCustomPairs(t *testing.T) {
	got, err := attribution.SplitModels("linear,custom:first_touch=0.5,sales_ready=0.3,between=0.2,first_touch")
	require.NoError(t, err)
	assert.Equal(t, []string{"linear", "custom:first_touch=0.5,sales_ready=0.3,between=0.2", "first_touch"}, got)
	_, err = attribution.ParseModel(got[1])
	assert.NoError(t, err)
	got, err = attribution.SplitModels("custom:first_touch=1,last_touch=1;linear")
	require.NoError(t, err)
	assert.Equal(t, []string{"custom:first_touch=1,last_touch=1", "linear"}, got)
}

// A journey without an id is refused, in NDJSON and CSV alike: given twice
// it could not be told, and in the CSV form every touch row without a
// journey_id would join it (one touch credited to two journeys). Such a
// touch row is an orphan, said as one.
func TestJourneyWithoutIDRefused(t *testing.T) {
	const want = "the journey has no id; give each journey its id (the lead's or the contact's), so that its touches join it and a journey given twice is told"
	js, errs := read(t, func(fn func(int, *attribution.Journey, error) error) error {
		return attribution.ReadNDJSON(strings.NewReader(`{"id":"","converted":true,"revenue":700}`+"\n"+`{"converted":true,"revenue":900}`+"\n"+`{"id":"J1","converted":true,"revenue":100}`+"\n"), fn)
	})
	assert.Len(t, js, 1)
	assert.Equal(t, map[int]string{1: want, 2: want}, errs)

	journeys := "id,lead_created,converted,revenue\n,2026-06-01T00:00:00Z,true,700\n ,2026-06-01T00:00:00Z,true,900\nJ1,2026-06-01T00:00:00Z,true,100\n"
	touches := "journey_id,at,campaign,channel\n,2026-06-02T00:00:00Z,search,paid\nJ1,2026-06-02T00:00:00Z,web,events\n"
	var orphans []attribution.OrphanTouch
	js, errs = read(t, func(fn func(int, *attribution.Journey, error) error) error {
		return attribution.ReadCSVOrphans(strings.NewReader(journeys), strings.NewReader(touches), fn, func(o attribution.OrphanTouch) { orphans = append(orphans, o) })
	})
	require.Len(t, js, 1)
	require.Contains(t, js, 4)
	assert.Equal(t, "J1", js[4].ID)
	assert.Equal(t, map[int]string{2: want, 3: want}, errs)
	require.Len(t, orphans, 1)
	assert.Equal(t, 2, orphans[0].Line)
	assert.EqualError(t, orphans[0].Err, "the touch row has no journey_id, so it counts nowhere; give it the id of its journey")
}

// A near miss of between in custom: is refused as one of a milestone is.
func TestCustomBetweenMisspelt(t *testing.T) {
	for _, k := range []string{"bewteen", "Between"} {
		_, err := attribution.ParseModel("custom:first_touch=0.4,last_touch=0.4," + k + "=0.2")
		assert.EqualError(t, err, `custom: no milestone is named "`+k+`"; did you mean "between"?`)
	}
	_, err := attribution.ParseModel("custom:first_touch=0.4,last_touch=0.4,between=0.2")
	assert.NoError(t, err)
}

// The touch rows of a journey row that failed (another count of cells) are
// that journey's, left out with it, not orphans told to check their id.
func TestTouchesOfAFailedJourneyAreNoOrphans(t *testing.T) {
	journeys := "id,lead_created,converted,revenue\nJ1,2026-06-01T00:00:00Z,true,100\nJ2,2026-06-01T00:00:00Z,true,500,extra\n"
	touches := "journey_id,at,campaign,channel\nJ1,2026-06-02T00:00:00Z,web,events\nJ2,2026-06-02T00:00:00Z,web,events\n"
	var orphans []attribution.OrphanTouch
	js, errs := read(t, func(fn func(int, *attribution.Journey, error) error) error {
		return attribution.ReadCSVOrphans(strings.NewReader(journeys), strings.NewReader(touches), fn, func(o attribution.OrphanTouch) { orphans = append(orphans, o) })
	})
	assert.Len(t, js, 1)
	require.Contains(t, errs, 3)
	assert.Contains(t, errs[3], "5 cells where the header has 4")
	assert.Empty(t, orphans)
}
