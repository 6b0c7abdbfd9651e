package attribution_test

import (
	"bytes"
	"math"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

func paths(t testing.TB, lines ...string) *attribution.Paths {
	p, read, used, err := attribution.ReadPaths(strings.NewReader("path;total_conversions;total_conversion_value;total_null\n"+strings.Join(lines, "\n")), func(line int, err error) {
		t.Fatalf("line %d: %v", line, err)
	})
	require.NoError(t, err)
	require.Equal(t, read, used)
	return p
}

func credit(cs []attribution.ChannelCredit) map[string][2]float64 {
	out := map[string][2]float64{}
	for _, c := range cs {
		out[c.Channel] = [2]float64{c.Conversions, c.Value}
	}
	return out
}

// Three paths, solved by hand (order 1):
//
//	a > b  1 conversion (value 30), 1 null
//	b      1 conversion (value 10)
//	a      2 nulls
//
// start->a 4/5, start->b 1/5; a->b 1/2, a->null 1/2; b->conv 2/3, b->null 1/3.
// P(conv) = 4/5 * 1/2 * 2/3 + 1/5 * 2/3 = 2/5, the data's 2 of 5 journeys.
// Without a: 1/5 * 2/3 = 2/15, removal effect 2/3. Without b: 0, effect 1.
// Conversions: a 2 * (2/3)/(5/3) = 0.8, b 2 * 1/(5/3) = 1.2.
// Value: a conversion from b is worth (30+10)/2 = 20, so the value removal
// effects equal the conversion ones: a 40 * 0.4 = 16, b 24.
func TestMarkovByHand(t *testing.T) {
	p := paths(t, "a > b;1;30;1", "b;1;10;0", "a;0;0;2")
	m, err := attribution.NewMarkov(p, 1)
	require.NoError(t, err)
	assert.InDelta(t, 0.4, m.ConversionRate, 1e-15)
	assert.InDelta(t, 8.0, m.ExpectedValue, 1e-13) // 2/5 of journeys convert, worth 20 each
	require.Len(t, m.Effects, 2)
	assert.InDelta(t, 2.0/3, m.Effects[0].Conversion, 1e-15)
	assert.InDelta(t, 1.0, m.Effects[1].Conversion, 1e-15)
	got := credit(m.Credit(true))
	assert.InDelta(t, 0.8, got["a"][0], 1e-12)
	assert.InDelta(t, 1.2, got["b"][0], 1e-12)
	assert.InDelta(t, 16, got["a"][1], 1e-12)
	assert.InDelta(t, 24, got["b"][1], 1e-12)
	tr := map[[2]string][2]float64{}
	for _, x := range m.Transitions() {
		tr[[2]string{x.From, x.To}] = [2]float64{x.Count, x.Probability}
	}
	assert.Equal(t, [2]float64{2, 0.5}, tr[[2]string{"a", "b"}]) // a > b: 1 conversion and 1 null
	assert.Equal(t, [2]float64{4, 0.8}, tr[[2]string{"(start)", "a"}])
	assert.Equal(t, [2]float64{2, 2.0 / 3}, tr[[2]string{"b", "(conversion)"}])

	// Simplified Shapley by hand: a > b shares 1 conversion and 30, b keeps 1 and 10.
	sh := credit(attribution.SimplifiedShapley(p))
	assert.Equal(t, [2]float64{0.5, 15}, sh["a"])
	assert.Equal(t, [2]float64{1.5, 25}, sh["b"])
}

func TestMarkovOrderTwoByHand(t *testing.T) {
	// a > a > b: the states are (a), (a, a), (a, b); order 2 sees that b
	// after a twice converts, b after one a does not.
	p := paths(t, "a > a > b;2;0;0", "a > b;0;0;2")
	m, err := attribution.NewMarkov(p, 2)
	require.NoError(t, err)
	assert.InDelta(t, 0.5, m.ConversionRate, 1e-15)
	assert.Equal(t, 4, m.States()) // start, a, a > a, a > b
	// Removing b, or a, leaves nothing: both effects are 1, credit is shared evenly.
	got := credit(m.Credit(false))
	assert.InDelta(t, 1, got["a"][0], 1e-12)
	assert.InDelta(t, 1, got["b"][0], 1e-12)
}

func randomPaths(r *rand.Rand, channels int) *attribution.Paths {
	p := attribution.NewPaths()
	for i := 0; i < 300; i++ {
		var path []string
		for n := 1 + r.Intn(6); n > 0; n-- {
			path = append(path, string(rune('a'+r.Intn(channels))))
		}
		p.Add(path, float64(r.Intn(3)), float64(r.Intn(1000)), float64(r.Intn(5)))
	}
	return p
}

// The simplified Shapley value is the Shapley value: checked against the
// definition over every coalition.
func TestSimplifiedShapleyIsTheShapleyValue(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for trial := 0; trial < 20; trial++ {
		p := randomPaths(r, 2+r.Intn(7))
		exact, err := attribution.ExactShapley(p)
		require.NoError(t, err)
		simple := attribution.SimplifiedShapley(p)
		ordered := attribution.OrderedShapley(p)
		for i := range exact {
			assert.InDelta(t, exact[i].Conversions, simple[i].Conversions, 1e-9)
			assert.InDelta(t, exact[i].Value, simple[i].Value, 1e-7)
			sum := 0.0
			for _, pos := range ordered[i] {
				sum += pos.Conversions
			}
			assert.InDelta(t, simple[i].Conversions, sum, 1e-9, "positions add up to the simplified value")
		}
	}
}

// Every data-driven and rule-based credit adds up to the paths' conversions and value.
func TestPathCreditIsConserved(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	for trial := 0; trial < 10; trial++ {
		p := randomPaths(r, 2+r.Intn(10))
		conv, value, _ := p.Totals()
		check := func(name string, cs []attribution.ChannelCredit) {
			var c, v float64
			for _, x := range cs {
				c += x.Conversions
				v += x.Value
			}
			assert.InDelta(t, conv, c, 1e-9*conv, name)
			assert.InDelta(t, value, v, 1e-9*value, name)
		}
		for k := 1; k <= 4; k++ {
			m, err := attribution.NewMarkov(p, k)
			require.NoError(t, err)
			conversions, _, nulls := p.Totals()
			assert.InDelta(t, conversions/(conversions+nulls), m.ConversionRate, 1e-12, "order %d reproduces the conversion rate", k)
			check("markov", m.Credit(true))
			check("markov by conversions", m.Credit(false))
		}
		check("shapley", attribution.SimplifiedShapley(p))
		for _, name := range attribution.ModelNames[:8] {
			m, err := attribution.ParseModel(name)
			require.NoError(t, err)
			check(name, attribution.RuleBased(p, m))
		}
	}
}

func pathData(t testing.TB) []byte {
	b, err := os.ReadFile(td("paths/PathData.csv"))
	require.NoError(t, err)
	return b
}

// ChannelAttribution's public sample: first touch gives alpha 6308, beta
// 2831 and iota 4606 conversions, and every order of the chain reproduces
// the data's conversion rate from the start state.
func TestPathData(t *testing.T) {
	p, read, used, err := attribution.ReadPaths(bytes.NewReader(pathData(t)), func(line int, err error) { t.Fatalf("line %d: %v", line, err) })
	require.NoError(t, err)
	assert.Equal(t, 10000, read)
	assert.Equal(t, 10000, used)
	assert.Len(t, p.Channels(), 12)
	first := credit(attribution.RuleBased(p, attribution.FirstTouchModel{}))
	assert.Equal(t, 6308.0, first["alpha"][0])
	assert.Equal(t, 2831.0, first["beta"][0])
	assert.Equal(t, 4606.0, first["iota"][0])
	conv, _, nulls := p.Totals()
	assert.Equal(t, 19785.0, conv)
	assert.Equal(t, 68602.0, nulls)
	for k := 1; k <= 4; k++ {
		m, err := attribution.NewMarkov(p, k)
		require.NoError(t, err)
		assert.InDelta(t, conv/(conv+nulls), m.ConversionRate, 1e-12, "order %d", k)
	}
}

// Paths read in shards and merged give exactly what one pass gives.
func TestShardsMerge(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(string(pathData(t))), "\n")
	whole, _, _, err := attribution.ReadPaths(strings.NewReader(strings.Join(lines, "\n")), func(int, error) {})
	require.NoError(t, err)
	merged := attribution.NewPaths()
	for s := 0; s < 4; s++ {
		var shard []string
		for i := 1 + s; i < len(lines); i += 4 { // interleaved: the channels come in another order
			shard = append(shard, lines[i])
		}
		p, _, _, err := attribution.ReadPaths(strings.NewReader(strings.Join(shard, "\n")), func(int, error) {})
		require.NoError(t, err)
		require.NoError(t, merged.Merge(p))
	}
	assert.Equal(t, whole.Len(), merged.Len())
	byName := func(p *attribution.Paths, cs []attribution.ChannelCredit) map[string][2]float64 { return credit(cs) }
	for k := 1; k <= 3; k++ {
		a, err := attribution.NewMarkov(whole, k)
		require.NoError(t, err)
		b, err := attribution.NewMarkov(merged, k)
		require.NoError(t, err)
		assert.Equal(t, a.ConversionRate, b.ConversionRate)
		ca, cb := byName(whole, a.Credit(true)), byName(merged, b.Credit(true))
		for ch, v := range ca {
			assert.InDelta(t, v[0], cb[ch][0], 1e-9*math.Max(1, v[0]), "order %d %s", k, ch)
		}
	}
	assert.Equal(t, credit(attribution.SimplifiedShapley(whole)), credit(attribution.SimplifiedShapley(merged)))
}

func TestReadPathsErrors(t *testing.T) {
	in := "path;total_conversions;total_conversion_value;total_null\na > b;1;2;3\na >  > b;1;0;0\nc;x;0;0\nd;1;2\n"
	var errs []string
	_, read, used, err := attribution.ReadPaths(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, err.Error())
	})
	require.NoError(t, err)
	assert.Equal(t, 4, read)
	assert.Equal(t, 1, used)
	assert.Equal(t, []string{
		`the path "a >  > b" has an empty channel`,
		`total_conversions: want a number of at least 0, got "x"`,
		"want 4 fields separated by ';' (path;total_conversions;total_conversion_value;total_null), got 3",
	}, errs)
}

// PathData under Markov orders 1 to 3 and simplified Shapley (with first
// touch for reference), per channel: the golden report.
func TestPathDataGolden(t *testing.T) {
	p, _, _, err := attribution.ReadPathsParallel(bytes.NewReader(pathData(t)), 2, func(line int, err error) { t.Fatal(line, err) })
	require.NoError(t, err)
	rep, err := attribution.RunPaths(p, []string{"first_touch", "markov:1", "markov:2", "markov:3", "shapley"}, 2)
	require.NoError(t, err)
	for m := range rep.Models {
		assert.InDelta(t, 19785, rep.Total.Credit[m].Conversions, 1e-6, rep.Models[m])
		assert.InDelta(t, rep.Value, rep.Total.Credit[m].Value, 1e-6, rep.Models[m])
	}
	for _, ms := range rep.Markov {
		assert.InDelta(t, 19785.0/(19785+68602), ms.ConversionRate, 1e-12, ms.Model)
	}
	var b bytes.Buffer
	require.NoError(t, rep.WriteMarkdown(&b))
	golden := td("golden/pathdata.md")
	if *update {
		require.NoError(t, os.WriteFile(golden, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
}

// Parallel reading gives the very paths one sequential pass gives.
func TestParallelReadIsExact(t *testing.T) {
	data := pathData(t)
	seq, r1, u1, err := attribution.ReadPaths(bytes.NewReader(data), func(int, error) {})
	require.NoError(t, err)
	for _, workers := range []int{1, 2, 5} {
		par, r2, u2, err := attribution.ReadPathsParallel(bytes.NewReader(data), workers, func(int, error) {})
		require.NoError(t, err)
		assert.Equal(t, [2]int{r1, u1}, [2]int{r2, u2})
		a, err := attribution.RunPaths(seq, []string{"markov:2", "shapley", "linear"}, 1)
		require.NoError(t, err)
		b, err := attribution.RunPaths(par, []string{"markov:2", "shapley", "linear"}, workers)
		require.NoError(t, err)
		assert.Equal(t, a.Channels, b.Channels, "%d workers", workers)
	}
	var lines []int
	_, _, _, err = attribution.ReadPathsParallel(strings.NewReader("path;total_conversions;total_conversion_value;total_null\nx;1;1;1\nbad\ny;-1;0;0\n"), 2, func(line int, err error) { lines = append(lines, line) })
	require.NoError(t, err)
	assert.Equal(t, []int{3, 4}, lines, "bad lines reported in order, with their numbers")
}

func TestRunPathsErrors(t *testing.T) {
	p := paths(t, "a > b;1;1;1")
	for spec, want := range map[string]string{
		"markov:x":   "markov:x: write markov:K (K the order, 1 to 7) or markov:auto, then :conv to share value like conversions, :nonull to ignore nulls",
		"markov:9":   "markov:9: the order of a Markov chain is 1 to 7, not 9",
		"markov:2:y": "markov:2:y: write markov:K (K the order, 1 to 7) or markov:auto, then :conv to share value like conversions, :nonull to ignore nulls",
		"shapely":    `shapely: unknown model "shapely"; did you mean "shapley"? The models are first_touch, last_touch, last_non_direct, linear, time_decay, position_based, w_shaped, full_path, custom, and the data-driven markov:K, markov:auto and shapley`,
	} {
		_, err := attribution.RunPaths(p, []string{spec}, 1)
		if assert.Error(t, err, spec) {
			assert.Equal(t, want, err.Error())
		}
	}
}
