package attribution_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// readAll reads journeys with ReadNDJSON or ReadCSV and returns the ids
// read, the problems ("line: message") and the rows each problem stood for.
func collect() (func(int, *attribution.Journey, error) error, *[]string, *[]string, *int) {
	var ids, errs []string
	failed := 0
	return func(line int, j *attribution.Journey, err error) error {
		if err != nil {
			errs = append(errs, fmt.Sprintf("%d: %v", line, err))
			failed += attribution.RowsLost(err)
			return nil
		}
		ids = append(ids, j.ID)
		return nil
	}, &ids, &errs, &failed
}

func TestReadNDJSONRefusesWhatJSONLetsThrough(t *testing.T) {
	in := "\ufeff" + strings.Join([]string{
		`{"id":"bom","converted":true,"revenue":10}`,
		`{"id":"big","converted":true,"revenue":1e400}`,
		`{"id":"twice","id":"again"}`,
		`{"id":"deep","touches":[{"at":"2026-06-01T00:00:00Z","campaign":"a","campaign":"b"}]}`,
		`[{"id":"list"}]`,
		`{"id":"one"} {"id":"two"}`,
		`{"id":5}`,
		`{"id":"nan","converted":true,"revenue":NaN}`,
		`{"id":"huge","converted":true,"conversions":2e15}`,
		`"just a string"`,
		`{"id":"ok","touches":[{"at":"2026-06-01T00:00:00Z","campaign":"c","channel":"e"}],"milestones":{"won":"2026-06-02T00:00:00Z"},"converted":true,"revenue":1e15}`,
	}, "\n")
	fn, ids, errs, failed := collect()
	require.NoError(t, attribution.ReadNDJSON(strings.NewReader(in), fn))
	assert.Equal(t, []string{"bom", "ok"}, *ids, "a byte-order mark before the first line is skipped")
	assert.Equal(t, []string{
		"2: revenue: the number 1e400 is out of range; an amount is a number from 0 to 1e15",
		`3: id: the key "id" appears twice in one object; keep one`,
		`4: touches[0].campaign: the key "campaign" appears twice in one object; keep one`,
		`5: want a JSON object, such as {"id":"L1","touches":[]}, got a list`,
		"6: more than one JSON value on the line; put each journey on its own line",
		"7: id: want a string, got a JSON number",
		"8: invalid character 'N' looking for beginning of value",
		"9: conversions: 2e15 is more than 1e15, the largest amount leadscore adds exactly; check the unit or look for a typo",
		`10: want a JSON object, such as {"id":"L1","touches":[]}, got a string`,
	}, *errs)
	assert.Equal(t, 11, len(*ids)+*failed, "every line is read or failed")
}

func TestReadCSVRowsFailAlone(t *testing.T) {
	journeys := "\ufeffid,converted,revenue,won\n" +
		"A,true,100,2026-06-10\n" +
		"B,true,50\n" + // a cell short
		"C,false,,,extra\n" + // a cell too many
		"D,true,\"20,2026-06-10\n" + // a quote that never closes: swallows lines 5 to 7
		"E,false,,\n" +
		"F,false,,\n" +
		"G,true,1e400,2026-06-10\n"
	touches := "journey_id,at,campaign,channel\n" +
		"A,2026-06-01,brand,search\n" +
		"G,2026-06-01,brand,search\n" +
		"H,yesterday,brand,search\n" +
		"H,2026-06-02,brand,search\n"
	fn, ids, errs, failed := collect()
	require.NoError(t, attribution.ReadCSV(strings.NewReader(journeys), strings.NewReader(touches), fn))
	assert.Equal(t, []string{"A"}, *ids)
	assert.Equal(t, []string{
		"3: 3 cells where the header has 4 (id, converted, revenue, won); it is 1 cell short: check that the row was exported whole, and that a cell holding a line break is in quotes",
		"4: 5 cells where the header has 4 (id, converted, revenue, won); it has 1 cell too many: a cell that holds the delimiter (a comma, say) must be in quotes",
		`5: a quote opens a cell on this line and does not close before line 8, so lines 5 to 8 are lost as one broken row; close the quote, and write a quote inside a cell as two ("")`,
	}, *errs)
	assert.Equal(t, 7, len(*ids)+*failed, "7 rows: 1 read, 6 failed (2 short or long, 4 swallowed)")

	// A bad touch fails its journey, with the touch's line.
	fn, ids, errs, _ = collect()
	require.NoError(t, attribution.ReadCSV(strings.NewReader("id,converted\nA,false\nH,false\n"), strings.NewReader(touches), fn))
	assert.Equal(t, []string{"A"}, *ids)
	assert.Equal(t, []string{`3: journey H: its touch on line 4 of the touches file has a bad time: want a time like 2026-03-01T09:30:00Z, got "yesterday"; the journey is left out rather than credited without it`}, *errs)

	// A touch row whose journey cannot be told fails the whole read.
	fn, _, _, _ = collect()
	err := attribution.ReadCSV(strings.NewReader("id\nA\n"), strings.NewReader("journey_id,at,campaign,channel\nA,2026-06-01,x\n"), fn)
	assert.EqualError(t, err, "the touches file has rows that cannot be told apart; fix them, since journeys without their touches would be credited wrongly:\n"+
		"touches:2: 3 cells where the header has 4 (journey_id, at, campaign, channel); it is 1 cell short: check that the row was exported whole, and that a cell holding a line break is in quotes")

	for _, c := range []struct{ journeys, want string }{
		{"", "journeys: the journeys file is empty; it needs a header line with id"},
		{"name,converted\n", "journeys: line 1 (the header): the journeys file needs the column id; it has name, converted"},
		{"id,won,won\n", `journeys: line 1 (the header): the column "won" appears twice; name each column once`},
	} {
		fn, _, _, _ = collect()
		assert.EqualError(t, attribution.ReadCSV(strings.NewReader(c.journeys), nil, fn), c.want)
	}
}

func TestReadCosts(t *testing.T) {
	in := "\ufeffcampaign,cost\nbrand,100\nbrand,50.5\nwebinar,NaN\nabm,-3\nads\nsocial,1e400\n,50\n  ,7\nseo,\"7\n8\n"
	var errs []string
	costs, n, err := attribution.ReadCosts(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v", line, err))
	})
	require.NoError(t, err)
	assert.Equal(t, attribution.Costs{"brand": 150.5}, costs)
	assert.Equal(t, attribution.Counts{Rows: 10, Read: 2, Failed: 8}, n)
	assert.Equal(t, []string{
		"4: cost: NaN is not a number one can add up; write the amount, or 0",
		"5: cost: -3 is negative; an amount is a number from 0 to 1e15",
		"6: 1 cell where the header has 2 (campaign, cost); it is 1 cell short: check that the row was exported whole, and that a cell holding a line break is in quotes",
		"7: cost: 1e400 is out of range; an amount is a number from 0 to 1e15",
		// a cost under no campaign went to the total's under a blank name (review rev15a 3b)
		"8: campaign: empty; every cost row names the campaign it paid for, as the events' campaign field names it",
		"9: campaign: empty; every cost row names the campaign it paid for, as the events' campaign field names it",
		`10: a quote opens a cell on this line and does not close before line 11, so lines 10 to 11 are lost as one broken row; close the quote, and write a quote inside a cell as two ("")`,
	}, errs)
	_, _, err = attribution.ReadCosts(strings.NewReader("campaign,amount\n"), nil)
	assert.EqualError(t, err, "line 1 (the header): the costs file needs the column cost; it has campaign, amount")
}

func TestReadOutcomes(t *testing.T) {
	in := "lead_id,opportunity,won,revenue\n" +
		"L1,2026-06-01,2026-06-20,1200\n" +
		"L2,2026-06-02,,\n" +
		"L1,,2026-07-01,5\n" +
		"L3,,,500\n" +
		"L4,soon,,\n" +
		",2026-06-01,,\n" +
		"L5,2026-06-01 10:00:00,2026-06-20,1e16\n" +
		"L6,2026-06-01\n" +
		"L7,a\"b,,\n"
	var errs []string
	out, n, err := attribution.ReadOutcomes(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v", line, err))
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]attribution.Outcome{
		"L1": {Opportunity: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Won: time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC), Revenue: 1200, Line: 2},
		"L2": {Opportunity: time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC), Line: 3},
	}, out)
	assert.Equal(t, attribution.Counts{Rows: 9, Read: 2, Failed: 7}, n)
	assert.Equal(t, []string{
		"4: lead L1 already has an outcome on line 2; give each lead one row",
		"5: revenue without a won time; fill in won, or remove the revenue",
		`6: opportunity: want a time like 2026-03-01T09:30:00Z, got "soon"`,
		"7: lead_id is empty; say which lead the outcome is for",
		"8: revenue: 1e16 is more than 1e15, the largest amount leadscore adds exactly; check the unit or look for a typo",
		"9: 2 cells where the header has 4 (lead_id, opportunity, won, revenue); it is 2 cells short: check that the row was exported whole, and that a cell holding a line break is in quotes",
		`10: a quote inside a cell that does not start with one (column 5); put the cell in quotes and write the quote as two ("")`,
	}, errs)
}

func TestReadOutcomesLost(t *testing.T) {
	in := "lead_id,opportunity,won,revenue,lost\n" +
		"L1,2026-06-01,2026-06-20,1200,\n" +
		"L2,2026-06-02,,,2026-07-01\n" +
		"L3,2026-06-03,,,\n" +
		"L4,2026-06-01,2026-06-20,1200,2026-06-21\n" +
		"L5,,,,2026-06-21\n" +
		"L6,2026-06-10,,,2026-06-01\n" +
		"L7,2026-06-10,,,later\n" +
		"L8,2026-06-10,2026-06-01,100,\n"
	var errs []string
	day := func(d int) time.Time { return time.Date(2026, 6, d, 0, 0, 0, 0, time.UTC) }
	out, n, err := attribution.ReadOutcomes(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v", line, err))
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]attribution.Outcome{
		"L1": {Opportunity: day(1), Won: day(20), Revenue: 1200, Line: 2},
		"L2": {Opportunity: day(2), Lost: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Line: 3},
		"L3": {Opportunity: day(3), Line: 4},
	}, out)
	assert.Equal(t, attribution.Counts{Rows: 8, Read: 3, Failed: 5}, n)
	assert.Equal(t, []string{
		"5: both won and lost are filled in; a deal is one or the other, so empty one of them",
		"6: lost without an opportunity time; fill in when the opportunity was opened, or empty lost",
		"7: lost (2026-06-01T00:00:00Z) is before the opportunity (2026-06-10T00:00:00Z); check the two dates",
		`8: lost: want a time like 2026-03-01T09:30:00Z, got "later"`,
		"9: won (2026-06-01T00:00:00Z) is before the opportunity (2026-06-10T00:00:00Z); check the two dates",
	}, errs)
}

// A date its month does not have is said to be no day, not a shape
// unlike 2026-03-01 (review rev15a 3d).
func TestReadOutcomesNoSuchDay(t *testing.T) {
	var errs []string
	_, n, err := attribution.ReadOutcomes(strings.NewReader("lead_id,opportunity,won,revenue\nL1,2026-02-29,,\nL2,2026-09-01,2026-09-31,5\n"), func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v", line, err))
	})
	require.NoError(t, err)
	assert.Equal(t, 2, n.Failed)
	assert.Equal(t, []string{
		`2: opportunity: "2026-02-29" is not a day of the calendar: February 2026 has 28 days; check the date`,
		`3: won: "2026-09-31" is not a day of the calendar: September 2026 has 30 days; check the date`,
	}, errs)
}
