package backtest_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/scoring"
)

// TestMergeIsOnePass: the bundled backtest's leads (and a reference set
// for drift) split at random into shards, each collected by its own
// Backtest and merged, give the report of one pass to the byte.
func TestMergeIsOnePass(t *testing.T) {
	s := scorerOf(t, bundled("b2b-saas.yaml"))
	leads := readLeads(t, s, bundled("backtest/leads.ndjson"))
	outcomes := readOutcomes(t, bundled("backtest/outcomes.csv"))
	opts := backtest.Options{At: day(7, 1), Until: day(10, 1), Capacity: &backtest.Capacity{Leads: 40, Unit: "week"}}
	refAt := day(4, 1)
	ctx := context.Background()
	whole, err := backtest.New(s, outcomes, opts)
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, whole.Add(l))
		require.NoError(t, whole.AddReference(ctx, l, refAt))
	}
	want := jsonOf(t, whole.Report())

	for trial := 0; trial < 3; trial++ {
		r := rand.New(rand.NewPCG(uint64(trial), 8))
		shards := make([][]scoring.Lead, 2+r.IntN(4))
		for _, l := range leads {
			k := r.IntN(len(shards))
			shards[k] = append(shards[k], l)
		}
		merged, err := backtest.New(s, outcomes, opts)
		require.NoError(t, err)
		for _, shard := range shards {
			b, err := backtest.New(s, outcomes, opts)
			require.NoError(t, err)
			for _, l := range shard {
				require.NoError(t, b.Add(l))
				require.NoError(t, b.AddReference(ctx, l, refAt))
			}
			require.NoError(t, merged.Merge(b))
		}
		require.Equal(t, want, jsonOf(t, merged.Report()), "trial %d, %d shards", trial, len(shards))
	}

	// A lead in two shards is refused, as Add refuses it.
	a, err := backtest.New(s, outcomes, opts)
	require.NoError(t, err)
	b, err := backtest.New(s, outcomes, opts)
	require.NoError(t, err)
	require.NoError(t, a.Add(leads[0]))
	require.NoError(t, b.Add(leads[0]))
	require.EqualError(t, a.Merge(b), "lead "+leads[0].ID+" appears twice; give each lead one row")
	other, err := backtest.New(s, outcomes, backtest.Options{At: day(8, 1)})
	require.NoError(t, err)
	require.ErrorContains(t, a.Merge(other), "run every shard with the same --at and --until")
}
