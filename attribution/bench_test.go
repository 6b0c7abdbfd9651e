package attribution_test

import (
	"bytes"
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/leadgen"
)

// generated returns n generated aggregated paths as CSV.
func generated(b testing.TB, n int) []byte {
	var buf bytes.Buffer
	require.NoError(b, leadgen.WritePaths(&buf, n, 1))
	return buf.Bytes()
}

// simulate is the baseline for the exact chain: the random-walk estimate
// tools such as ChannelAttribution use. It walks the order-1 chain from
// start walks times; a channel's removal effect is the share of converting
// walks that passed through it.
func simulate(m *attribution.Markov, walks int, seed int64) (rate float64, effects map[string]float64) {
	next := map[string][]attribution.Transition{}
	for _, t := range m.Transitions() {
		next[t.From] = append(next[t.From], t)
	}
	r := rand.New(rand.NewSource(seed))
	converted := 0
	through := map[string]int{}
	for w := 0; w < walks; w++ {
		state := "(start)"
		seen := map[string]bool{}
		for state != "(conversion)" && state != "(null)" {
			x := r.Float64()
			ts := next[state]
			state = ts[len(ts)-1].To
			for _, t := range ts {
				if x < t.Probability {
					state = t.To
					break
				}
				x -= t.Probability
			}
			if state != "(conversion)" && state != "(null)" {
				seen[state] = true
			}
		}
		if state == "(conversion)" {
			converted++
			for s := range seen {
				through[s]++
			}
		}
	}
	effects = map[string]float64{}
	for s, n := range through {
		effects[s] = float64(n) / float64(converted)
	}
	return float64(converted) / float64(walks), effects
}

// The simulation only approximates what the exact solve gives: with 100,000
// walks its conversion rate is off by about its standard error.
func TestSimulationApproximatesTheExactChain(t *testing.T) {
	p, _, _, err := attribution.ReadPaths(bytes.NewReader(pathData(t)), func(int, error) {})
	require.NoError(t, err)
	m, err := attribution.NewMarkov(p, 1)
	require.NoError(t, err)
	rate, effects := simulate(m, 100_000, 1)
	se := math.Sqrt(m.ConversionRate * (1 - m.ConversionRate) / 100_000)
	assert.InDelta(t, m.ConversionRate, rate, 4*se)
	for _, e := range m.Effects {
		assert.InDelta(t, e.Conversion, effects[e.Channel], 0.02, e.Channel)
	}
}

func BenchmarkReadPaths(b *testing.B) {
	data := generated(b, 100_000)
	b.Run("sequential", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			attribution.ReadPaths(bytes.NewReader(data), func(int, error) {})
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			attribution.ReadPathsParallel(bytes.NewReader(data), 0, func(int, error) {})
		}
	})
}

// BenchmarkMarkov solves the chain of PathData exactly at orders 1 to 3,
// and, as the baseline, estimates order 1 with 100,000 random walks.
func BenchmarkMarkov(b *testing.B) {
	p, _, _, err := attribution.ReadPaths(bytes.NewReader(pathData(b)), func(int, error) {})
	require.NoError(b, err)
	for _, k := range []int{1, 2, 3} {
		b.Run("exact-order-"+string(rune('0'+k)), func(b *testing.B) {
			for b.Loop() {
				if _, err := attribution.NewMarkov(p, k); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	m, err := attribution.NewMarkov(p, 1)
	require.NoError(b, err)
	b.Run("simulated-order-1-100k-walks", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			simulate(m, 100_000, int64(i))
		}
	})
}

// BenchmarkShapley: the simplified value, linear in the paths, against the
// definition over every coalition of PathData's 12 channels.
func BenchmarkShapley(b *testing.B) {
	p, _, _, err := attribution.ReadPaths(bytes.NewReader(pathData(b)), func(int, error) {})
	require.NoError(b, err)
	b.Run("simplified", func(b *testing.B) {
		for b.Loop() {
			attribution.SimplifiedShapley(p)
		}
	})
	b.Run("exact", func(b *testing.B) {
		for b.Loop() {
			if _, err := attribution.ExactShapley(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRunPaths runs every model the scale target names over 100,000
// generated paths (one op is the whole report).
func BenchmarkRunPaths(b *testing.B) {
	p, _, _, err := attribution.ReadPathsParallel(bytes.NewReader(generated(b, 100_000)), 0, func(int, error) {})
	require.NoError(b, err)
	specs := []string{"first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov:1", "markov:2", "markov:3", "shapley"}
	for _, spec := range specs {
		b.Run(spec, func(b *testing.B) {
			for b.Loop() {
				if _, err := attribution.RunPaths(p, []string{spec}, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChooseOrder: markov:auto's cross-validation over orders 1 to 7
// of PathData, beside its baseline, the order-3 chain alone.
func BenchmarkChooseOrder(b *testing.B) {
	p, _, _, err := attribution.ReadPaths(bytes.NewReader(pathData(b)), func(int, error) {})
	require.NoError(b, err)
	b.Run("choose-1-to-7", func(b *testing.B) {
		for b.Loop() {
			if _, err := attribution.ChooseOrder(p, attribution.OrderOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-exact-order-3", func(b *testing.B) {
		for b.Loop() {
			if _, err := attribution.NewMarkov(p, 3); err != nil {
				b.Fatal(err)
			}
		}
	})
}
