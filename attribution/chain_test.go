package attribution_test

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// randomPathText writes n random paths over channels, some lines
// repeating a path, amounts with many decimals.
func randomPathText(r *rand.Rand, n, channels int) []byte {
	var b strings.Builder
	b.WriteString("path;total_conversions;total_conversion_value;total_null\n")
	var lines []string
	for i := 0; i < n; i++ {
		if len(lines) > 0 && r.Intn(5) == 0 {
			b.WriteString(lines[r.Intn(len(lines))] + "\n")
			continue
		}
		var ch []string
		for k := 1 + r.Intn(6); k > 0; k-- {
			ch = append(ch, string(rune('a'+r.Intn(channels))))
		}
		line := fmt.Sprintf("%s;%d;%d.%d;%d", strings.Join(ch, " > "), r.Intn(3), r.Intn(1000), r.Int63(), r.Intn(5))
		lines = append(lines, line)
		b.WriteString(line + "\n")
	}
	return []byte(b.String())
}

func readPaths(t testing.TB, data []byte) *attribution.Paths {
	p, read, used, err := attribution.ReadPaths(bytes.NewReader(data), func(line int, err error) { t.Fatalf("line %d: %v", line, err) })
	require.NoError(t, err)
	require.Equal(t, read, used)
	return p
}

// The paths' totals are the exact sums of the amounts as written:
// math/big over the raw text, rounded once, to the bit.
func TestTotalsAreExactDecimalSums(t *testing.T) {
	check := func(name string, data []byte) {
		var c, v, n big.Rat
		for _, p := range refRead(t, data) {
			c.Add(&c, p.conv)
			v.Add(&v, p.value)
			n.Add(&n, p.null)
		}
		conv, value, nulls := readPaths(t, data).Totals()
		for _, x := range []struct {
			what string
			got  float64
			want *big.Rat
		}{{"conversions", conv, &c}, {"value", value, &v}, {"nulls", nulls, &n}} {
			want, _ := x.want.Float64()
			assert.Equal(t, want, x.got, "%s %s (exactly %s)", name, x.what, x.want.FloatString(20))
		}
	}
	check("PathData", pathData(t))
	r := rand.New(rand.NewSource(18))
	for i := 0; i < 5; i++ {
		check(fmt.Sprint("random ", i), randomPathText(r, 400, 2+r.Intn(6)))
	}
	t.Run("shared", func(t *testing.T) { check("../shared PathData", sharedPathData(t)) })
}

// Transition counts are exact sums of the journeys that made them and the
// probabilities their ratio rounded once (within two roundings), against
// a chain counted with math/big from the raw text; removal effects agree
// with absorption probabilities solved by Gaussian elimination.
func TestTransitionsAndRemovalEffectsAgainstReference(t *testing.T) {
	r := rand.New(rand.NewSource(19))
	sets := map[string][]byte{"PathData": pathData(t)}
	for i := 0; i < 3; i++ {
		sets[fmt.Sprint("random ", i)] = randomPathText(r, 300, 2+r.Intn(5))
	}
	for name, data := range sets {
		ref := refRead(t, data)
		p := readPaths(t, data)
		for _, noNull := range []bool{false, true} {
			for k := 1; k <= 3; k++ {
				if name == "PathData" && k == 3 {
					continue // 967 states: dense elimination is slow, and k = 1, 2 cover the code
				}
				what := fmt.Sprintf("%s order %d noNull %v", name, k, noNull)
				m, err := attribution.NewMarkovWith(p, attribution.MarkovOptions{Order: k, NoNull: noNull})
				require.NoError(t, err)
				rep, err := attribution.RunPaths(p, []string{fmt.Sprintf("markov:%d%s", k, map[bool]string{true: ":nonull"}[noNull])}, 1)
				require.NoError(t, err)
				var buf bytes.Buffer
				require.NoError(t, rep.WriteTransitions(&buf))
				chain := refBuild(ref, k, noNull)
				n := 0
				for _, row := range readCSV(t, buf.Bytes()) {
					if row["kind"] != "transition" {
						continue
					}
					n++
					want := chain[row["from"]][row["to"]]
					require.NotNil(t, want, "%s: %s -> %s is no transition of the reference", what, row["from"], row["to"])
					assert.Zero(t, want.Cmp(refRat(t, row["count"])), "%s: %s -> %s counts %s, want %s", what, row["from"], row["to"], row["count"], want.FloatString(20))
					var got float64
					fmt.Sscan(row["probability"], &got)
					assert.InEpsilon(t, chain.prob(row["from"], row["to"]), got, 3e-16, what)
				}
				total := 0
				for _, to := range chain {
					total += len(to)
				}
				assert.Equal(t, total, n, "%s: every transition is written", what)
				base := chain.convFrom("")
				assert.InDelta(t, base, m.ConversionRate, 1e-12, what)
				if noNull {
					assert.InDelta(t, 1, m.ConversionRate, 1e-12, "%s: without nulls every walk converts", what)
				}
				for _, e := range m.Effects {
					want := 1 - chain.convFrom(e.Channel)/base
					assert.InDelta(t, want, e.Conversion, 1e-12, "%s: removal effect of %s", what, e.Channel)
				}
			}
		}
	}
}

// Without nulls, a removal effect is the probability that a walk of the
// chain built from converting paths passes through the channel: checked
// by hand on two paths.
//
//	a > b  2 conversions (3 nulls, ignored)
//	b      1 conversion
//	c      0 conversions, 4 nulls: not in the chain
//
// start -> a 2/3, start -> b 1/3; every walk reaches b: effect 1; a 2/3.
func TestMarkovNoNullByHand(t *testing.T) {
	p := paths(t, "a > b;2;20;3", "b;1;10;0", "c;0;0;4")
	m, err := attribution.NewMarkovWith(p, attribution.MarkovOptions{Order: 1, NoNull: true})
	require.NoError(t, err)
	assert.Equal(t, 1.0, m.ConversionRate)
	eff := map[string]float64{}
	for _, e := range m.Effects {
		eff[e.Channel] = e.Conversion
	}
	assert.InDelta(t, 2.0/3, eff["a"], 1e-15)
	assert.InDelta(t, 1, eff["b"], 1e-15)
	assert.Equal(t, 0.0, eff["c"])
	got := credit(m.Credit(false))
	assert.InDelta(t, 3*(2.0/3)/(5.0/3), got["a"][0], 1e-12) // 1.2
	assert.InDelta(t, 3*1/(5.0/3), got["b"][0], 1e-12)       // 1.8
	// With the nulls, a's paths convert 2 of 5 times and b alone always:
	// the chains differ.
	withNull, err := attribution.NewMarkov(p, 1)
	require.NoError(t, err)
	assert.Less(t, withNull.ConversionRate, 1.0)
}

// A file without a null column is read as non-conversions unknown: its
// chain is the null-less one.
func TestPathsWithoutNullsAreNullLess(t *testing.T) {
	in := "path,total_conversions\na > b,2\nb,1\n"
	p, _, _, err := attribution.PathFormat{Delimiter: ','}.Read(strings.NewReader(in), func(line int, err error) { t.Fatal(line, err) })
	require.NoError(t, err)
	a, err := attribution.NewMarkov(p, 1)
	require.NoError(t, err)
	b, err := attribution.NewMarkovWith(p, attribution.MarkovOptions{Order: 1, NoNull: true})
	require.NoError(t, err)
	assert.Equal(t, a.Effects, b.Effects)
	rep, err := attribution.RunPaths(p, []string{"markov:1"}, 1)
	require.NoError(t, err)
	assert.Contains(t, rep.Notes, "the paths carry no nulls (journeys that did not convert), so markov:1 is built from converting paths alone, as markov:K:nonull is: its removal effects say how often a channel is on the way to a conversion, not how much it raises the conversion rate")
}

// markov:auto's scores are recomputed by brute force: folds by FNV-1a of
// the path, ending rates scanned from the raw text, AUC over every pair.
func TestChooseOrderAgainstReference(t *testing.T) {
	r := rand.New(rand.NewSource(20))
	sets := map[string][]byte{"PathData": pathData(t)}
	for i := 0; i < 3; i++ {
		sets[fmt.Sprint("random ", i)] = randomPathText(r, 500, 2+r.Intn(4))
	}
	for name, data := range sets {
		ref := refRead(t, data)
		p := readPaths(t, data)
		maxOrder := 4
		sel, err := attribution.ChooseOrder(p, attribution.OrderOptions{MaxOrder: maxOrder, Folds: 5})
		require.NoError(t, err)
		require.Len(t, sel.Candidates, maxOrder)
		best, bestMean, bestSE := 0, math.Inf(-1), 0.0
		var means []float64
		for k := 1; k <= maxOrder; k++ {
			c := sel.Candidates[k-1]
			var aucs []float64
			for f := 0; f < 5; f++ {
				want := refHeldOutAUC(ref, k, f, 5)
				if math.IsNaN(want) {
					assert.Nil(t, c.FoldAUC[f])
					continue
				}
				require.NotNil(t, c.FoldAUC[f], "%s order %d fold %d", name, k, f)
				assert.InDelta(t, want, *c.FoldAUC[f], 1e-12, "%s order %d fold %d", name, k, f)
				aucs = append(aucs, want)
			}
			mean, ss := 0.0, 0.0
			for _, a := range aucs {
				mean += a / float64(len(aucs))
			}
			for _, a := range aucs {
				ss += (a - mean) * (a - mean)
			}
			se := math.Sqrt(ss/float64(len(aucs)-1)) / math.Sqrt(float64(len(aucs)))
			assert.InDelta(t, mean, c.HeldOutAUC, 1e-12, "%s order %d", name, k)
			assert.InDelta(t, se, c.StdErr, 1e-12, "%s order %d", name, k)
			if mean > bestMean {
				best, bestMean, bestSE = k, mean, se
			}
			means = append(means, mean)
		}
		chosen := 0
		for k := 1; k <= maxOrder && chosen == 0; k++ {
			if means[k-1] >= bestMean-bestSE {
				chosen = k
			}
		}
		assert.Equal(t, best, sel.Best, name)
		assert.Equal(t, chosen, sel.Chosen, name)
	}
}

// The credit-out rows, summed with math/big by model and channel, round
// to the report's figures to the bit; summed over channels they are the
// paths' totals exactly; a path's rows under a rule-based model or Shapley
// add up to the path's own conversions and value exactly.
func TestCreditOutSumsToTheReport(t *testing.T) {
	specs := []string{"first_touch", "linear", "time_decay", "position_based", "last_non_direct", "markov:1", "markov:2:conv", "markov:auto", "markov:2:nonull", "shapley"}
	r := rand.New(rand.NewSource(21))
	sets := map[string][]byte{"PathData": pathData(t), "random": randomPathText(r, 400, 5)}
	for name, data := range sets {
		specs := specs
		if name == "PathData" { // 120,000 rows a model: a few models suffice
			specs = []string{"linear", "markov:2", "markov:auto", "shapley"}
		}
		ref := refRead(t, data)
		p := readPaths(t, data)
		rep, err := attribution.RunPaths(p, specs, 2)
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, rep.WriteCredit(&buf))
		rows := readCSV(t, buf.Bytes())
		type key struct{ model, channel string }
		sums := map[key][2]*big.Rat{}
		perPath := map[key][2]*big.Rat{} // by model and path id
		add := func(m map[key][2]*big.Rat, k key, c, v *big.Rat) {
			s, ok := m[k]
			if !ok {
				s = [2]*big.Rat{new(big.Rat), new(big.Rat)}
				m[k] = s
			}
			s[0].Add(s[0], c)
			s[1].Add(s[1], v)
		}
		for _, row := range rows {
			c, v := refRat(t, row["conversions"]), refRat(t, row["value"])
			add(sums, key{row["model"], row["channel"]}, c, v)
			add(sums, key{row["model"], "total"}, c, v)
			add(perPath, key{row["model"], row["id"]}, c, v)
		}
		for m, model := range rep.Models {
			for _, ch := range append(rep.Channels, rep.Total) {
				s := sums[key{model, ch.Channel}]
				if s[0] == nil {
					s = [2]*big.Rat{new(big.Rat), new(big.Rat)}
				}
				wc, _ := s[0].Float64()
				wv, _ := s[1].Float64()
				assert.Equal(t, wc, ch.Credit[m].Conversions, "%s %s %s conversions", name, model, ch.Channel)
				assert.Equal(t, wv, ch.Credit[m].Value, "%s %s %s value", name, model, ch.Channel)
			}
		}
		// Totals: exactly the input's.
		own := map[string][2]*big.Rat{}
		tc, tv := new(big.Rat), new(big.Rat)
		for _, rp := range ref {
			id := strings.Join(rp.channels, " > ")
			if own[id][0] == nil {
				own[id] = [2]*big.Rat{new(big.Rat), new(big.Rat)}
			}
			own[id][0].Add(own[id][0], rp.conv)
			own[id][1].Add(own[id][1], rp.value)
			tc.Add(tc, rp.conv)
			tv.Add(tv, rp.value)
		}
		for _, model := range rep.Models {
			s := sums[key{model, "total"}]
			assert.Zero(t, s[0].Cmp(tc), "%s %s: total conversions %s, want %s", name, model, s[0].FloatString(25), tc.FloatString(25))
			assert.Zero(t, s[1].Cmp(tv), "%s %s: total value %s, want %s", name, model, s[1].FloatString(25), tv.FloatString(25))
			if strings.HasPrefix(model, "markov") {
				continue // a chain's credit is a channel's, not a path's
			}
			for id, want := range own {
				if want[0].Sign() == 0 && want[1].Sign() == 0 {
					continue
				}
				got := perPath[key{model, id}]
				require.NotNil(t, got[0], "%s %s %s", name, model, id)
				assert.Zero(t, got[0].Cmp(want[0]), "%s %s %s conversions", name, model, id)
				assert.Zero(t, got[1].Cmp(want[1]), "%s %s %s value", name, model, id)
			}
		}
	}
}

// A chain's credit goes to a channel's touches in proportion to their
// paths' conversions: recomputed from the rows themselves.
func TestMarkovTouchCreditIsProportional(t *testing.T) {
	p := readPaths(t, pathData(t))
	rep, err := attribution.RunPaths(p, []string{"markov:2"}, 1)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteCredit(&buf))
	conv := map[string]float64{}
	for _, rp := range refRead(t, pathData(t)) {
		c, _ := rp.conv.Float64()
		conv[strings.Join(rp.channels, " > ")] += c
	}
	perUnit := map[string][]float64{} // channel -> credit per conversion of the touch's path
	for _, row := range readCSV(t, buf.Bytes()) {
		var c float64
		fmt.Sscan(row["conversions"], &c)
		perUnit[row["channel"]] = append(perUnit[row["channel"]], c/conv[row["id"]])
	}
	for ch, xs := range perUnit {
		for _, x := range xs { // the largest touch takes the remainder: within rounding
			assert.InEpsilon(t, xs[0], x, 1e-6, "%s: every touch gets the same credit per conversion", ch)
		}
	}
}

// markov:auto on PathData, the figures docs/guide/attribution.md quotes.
func TestChooseOrderOnPathData(t *testing.T) {
	sel, err := attribution.ChooseOrder(readPaths(t, pathData(t)), attribution.OrderOptions{})
	require.NoError(t, err)
	assert.Equal(t, [2]int{1, 2}, [2]int{sel.Chosen, sel.Best})
	got := func(k int) string {
		c := sel.Candidates[k-1]
		return fmt.Sprintf("%.5f ± %.5f, in-sample %.4f", c.HeldOutAUC, c.StdErr, c.InSampleAUC)
	}
	assert.Equal(t, "0.50541 ± 0.00201, in-sample 0.5087", got(1))
	assert.Equal(t, "0.50551 ± 0.00310, in-sample 0.5174", got(2))
	assert.Equal(t, "0.50314 ± 0.00219, in-sample 0.5619", got(7))
}
