package backtest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A backtest fails the same leads, with the same errors, with the
// capacity flows (whose replay gives the score at T0 when it can vouch
// for it) as without, under step budgets tight enough that some leads of
// the bundled example need more than a lead may take.
func TestCapacityFailsTheLeadsAScoreFails(t *testing.T) {
	root := filepath.Join("..", "testdata")
	of, err := os.Open(filepath.Join(root, "backtest/outcomes.csv"))
	require.NoError(t, err)
	outcomes, _, err := attribution.ReadOutcomes(of, func(line int, err error) { t.Fatalf("outcomes:%d: %v", line, err) })
	of.Close()
	require.NoError(t, err)
	at := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	sawSome := false
	for _, steps := range []int64{60, 120, 250, 500} {
		m, err := rules.CompileFile(filepath.Join(root, "b2b-saas.yaml"), rules.WithLimits(rules.Limits{MaxSteps: steps}))
		require.NoError(t, err)
		s := scoring.New(m)
		leads := readAll(t, s, filepath.Join(root, "backtest/leads.ndjson"), "")
		failed := map[bool]map[string]string{}
		for _, capacity := range []bool{false, true} {
			opts := Options{At: at}
			if capacity {
				opts.Capacity = &Capacity{Leads: 40, Unit: "week"}
			}
			b, err := New(s, outcomes, opts)
			require.NoError(t, err)
			failed[capacity] = map[string]string{}
			for _, l := range leads {
				if err := b.Add(l); err != nil {
					failed[capacity][l.ID] = err.Error()
				}
			}
		}
		require.Equal(t, failed[false], failed[true], "steps %d", steps)
		t.Logf("steps %d: %d of %d leads fail", steps, len(failed[false]), len(leads))
		if n := len(failed[false]); n > 0 && n < len(leads) {
			sawSome = true
		}
	}
	require.True(t, sawSome, "a budget that fails some leads and not all")
}
