package attribution_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// Values up to MaxAmount keep their sign and their digits; beyond it, and
// NaN, infinities and negatives, fail their line with a message.
func TestAmountsAtTheBoundaries(t *testing.T) {
	in := "path;total_conversions;total_conversion_value;total_null\n" +
		"a;1;10000000000000;0\n" + // 1e13: was negative once (int64 millionths)
		"b;1;1e15;0\n" +
		"c;1;9300000000000.25;2\n" +
		"d;1;1.5e15;0\n" +
		"e;NaN;0;0\n" +
		"f;1;Inf;0\n" +
		"g;1;1e400;0\n" +
		"h;1;-5;0\n" +
		"i;1;0;-Inf\n"
	var errs []string
	p, read, used, err := attribution.ReadPaths(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v", line, err))
	})
	require.NoError(t, err)
	assert.Equal(t, [2]int{9, 3}, [2]int{read, used})
	assert.Equal(t, []string{
		"5: total_conversion_value: 1.5e15 is more than 1e15, the largest amount leadscore adds exactly; check the unit or look for a typo",
		"6: total_conversions: NaN is not a number one can add up; write the amount, or 0",
		"7: total_conversion_value: an infinite amount cannot be credited; write the amount",
		"8: total_conversion_value: 1e400 is out of range; an amount is a number from 0 to 1e15",
		"9: total_conversion_value: -5 is negative; an amount is a number from 0 to 1e15",
		"10: total_null: an infinite amount cannot be credited; write the amount",
	}, errs)
	conv, value, nulls := p.Totals()
	assert.Equal(t, 3.0, conv)
	assert.Equal(t, 1e13+1e15+9300000000000.25, value)
	assert.Equal(t, 2.0, nulls)
	rep, err := attribution.RunPaths(p, []string{"linear", "markov:1", "shapley"}, 1)
	require.NoError(t, err)
	for m, name := range rep.Models {
		assert.InDelta(t, value, rep.Total.Credit[m].Value, 1, name)
		for _, row := range rep.Channels {
			assert.GreaterOrEqual(t, row.Credit[m].Value, 0.0, "%s %s", name, row.Channel)
		}
	}
	assert.EqualError(t, attribution.NewPaths().Add([]string{"x"}, 1, 2e15, 0),
		"total_conversion_value: 2e15 is more than 1e15, the largest amount leadscore adds exactly; check the unit or look for a typo")
}

// Sums of many large values are exact: the total of 200,000 values near
// MaxAmount (far beyond what int64 millionths hold) equals math/big's sum,
// rounded once.
func TestManyLargeValuesSumExactly(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	p := attribution.NewPaths()
	sum, conv := new(big.Int), new(big.Int)
	for i := 0; i < 200_000; i++ {
		v := attribution.MaxAmount - float64(r.Int63n(1e14)) // integers: exact in millionths
		c := float64(r.Intn(1000))
		require.NoError(t, p.Add([]string{string(rune('a' + r.Intn(8))), string(rune('a' + r.Intn(8)))}, c, v, 1))
		sum.Add(sum, big.NewInt(int64(v)))
		conv.Add(conv, big.NewInt(int64(c)))
	}
	gotConv, gotValue, gotNulls := p.Totals()
	want, _ := new(big.Float).SetInt(sum).Float64()
	assert.Equal(t, want, gotValue)
	wantConv, _ := new(big.Float).SetInt(conv).Float64()
	assert.Equal(t, wantConv, gotConv)
	assert.Equal(t, 200_000.0, gotNulls)
	assert.Greater(t, gotValue, 1.8e20)
}

// Shards of large values merge to the bit, in any order.
func TestLargeValueShardsMergeToTheBit(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	type row struct {
		path        []string
		conv, value float64
	}
	var rows []row
	for i := 0; i < 5000; i++ {
		rows = append(rows, row{[]string{string(rune('a' + r.Intn(5))), string(rune('a' + r.Intn(5)))},
			float64(r.Intn(3)) + 0.25, r.Float64() * attribution.MaxAmount})
	}
	whole := attribution.NewPaths()
	for _, x := range rows {
		require.NoError(t, whole.Add(x.path, x.conv, x.value, 0.5))
	}
	for _, shards := range []int{2, 3, 7} {
		parts := make([]*attribution.Paths, shards)
		for i := range parts {
			parts[i] = attribution.NewPaths()
		}
		for i, x := range rows {
			require.NoError(t, parts[(i*31)%shards].Add(x.path, x.conv, x.value, 0.5))
		}
		merged := attribution.NewPaths()
		for i := shards - 1; i >= 0; i-- { // another order again
			require.NoError(t, merged.Merge(parts[i]))
		}
		c1, v1, n1 := whole.Totals()
		c2, v2, n2 := merged.Totals()
		assert.Equal(t, [3]float64{c1, v1, n1}, [3]float64{c2, v2, n2}, "%d shards", shards)
		a, err := attribution.RunPaths(whole, []string{"markov:2", "shapley", "linear"}, 1)
		require.NoError(t, err)
		b, err := attribution.RunPaths(merged, []string{"markov:2", "shapley", "linear"}, 1)
		require.NoError(t, err)
		assert.Equal(t, a.Channels, b.Channels, "%d shards", shards)
	}
}

// No report writes NaN or an infinity: a row without cost has no ROAS or
// ROI (null in JSON, an empty cell in CSV), and an empty set of paths has
// a conversion rate of 0.
func TestReportsNeverWriteNaN(t *testing.T) {
	rep := attribution.NewReport([]attribution.Model{attribution.LinearModel{}}, attribution.Options{}, attribution.Costs{"paid": 100})
	rep.Add(&attribution.Journey{ID: "a", Converted: true, Revenue: 250, Touches: []attribution.Touch{{At: day(0), Campaign: "free", Channel: "organic"}}})
	rep.Add(&attribution.Journey{ID: "b", Converted: true, Revenue: 50, Touches: []attribution.Touch{{At: day(0), Campaign: "paid", Channel: "ads"}}})
	rep.Finish()
	var j bytes.Buffer
	require.NoError(t, rep.WriteJSON(&j))
	var decoded struct {
		Campaigns []struct {
			Name   string
			Credit []map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(j.Bytes(), &decoded))
	byName := map[string]map[string]any{}
	for _, c := range decoded.Campaigns {
		byName[c.Name] = c.Credit[0]
	}
	assert.Equal(t, map[string]any{"conversions": 1.0, "revenue": 250.0, "roas": nil, "roi": nil}, byName["free"])
	assert.Equal(t, map[string]any{"conversions": 1.0, "revenue": 50.0, "roas": 0.5, "roi": -0.5}, byName["paid"])
	var c bytes.Buffer
	require.NoError(t, rep.WriteCSV(&c))
	// free has no cost in the table: empty, not 0; no sales-ready journey:
	// nothing to divide a cost by; its sales-ready rate, 0 of 1, is 0 to
	// z²/(1+z²), too few; the steps after it are over no lead: empty. Its
	// won deal is an opportunity.
	assert.Contains(t, c.String(), "campaign,free,organic,,1,0,1,1,,,1,250,,,0,0,1,250,0,0,0.7934506856227626,1,true,,,,0,true,,,,0,true\n")
	assert.Contains(t, c.String(), "campaign,paid,ads,100,1,0,1,1,,100,1,50,0.5,-0.5,0,0,1,50,0,0,0.7934506856227626,1,true,,,,0,true,,,,0,true\n")

	empty, err := attribution.RunPaths(attribution.NewPaths(), []string{"linear", "markov:1", "shapley"}, 1)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, empty.WriteJSON(&out))
	require.NoError(t, empty.WriteText(&out))
	require.NoError(t, empty.WriteCSV(&out))
	require.NoError(t, empty.WriteMarkdown(&out))
	assert.NotContains(t, out.String(), "NaN")
	assert.NotContains(t, out.String(), "Inf")
	assert.Contains(t, out.String(), "conversion rate 0.000000")
}
