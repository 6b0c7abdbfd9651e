package feedback_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/gendata"
	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// TestMergeIsOnePass: the bundled leads with their dispositions and
// outcomes, and 2,000 generated leads with theirs, split at random into
// shards, each counted by its own Builder and merged, give the report of
// one pass to the byte.
func TestMergeIsOnePass(t *testing.T) {
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	s := scoring.New(m)
	of, err := os.Open(td("outcomes.csv"))
	require.NoError(t, err)
	defer of.Close()
	outcomes, _, err := attribution.ReadOutcomes(of, func(line int, err error) { t.Errorf("outcomes line %d: %v", line, err) })
	require.NoError(t, err)

	type input struct {
		leads, dispositions []byte
		asOf                time.Time
	}
	bundledLeads, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	bundledDispositions, err := os.ReadFile(td("dispositions.csv"))
	require.NoError(t, err)
	var genLeads, genDispositions bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&genLeads, leadgen.New(23), 2000))
	require.NoError(t, gendata.WriteDispositions(&genDispositions, s, 23, 2000))
	inputs := map[string]input{
		"bundled":   {bundledLeads, bundledDispositions, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},
		"generated": {genLeads.Bytes(), genDispositions.Bytes(), leadgen.Base},
	}
	for name, in := range inputs {
		set, _, err := feedback.ReadDispositions(bytes.NewReader(in.dispositions), m.Handoff, func(line int, err error) { t.Errorf("%s dispositions line %d: %v", name, line, err) })
		require.NoError(t, err)
		var leads []scoring.Lead
		require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: bytes.NewReader(in.leads), InputName: name}, func(line int, lead scoring.Lead, err error) error {
			require.NoError(t, err)
			lead.Dispositions = set.For(lead.ID)
			leads = append(leads, lead)
			return nil
		}))
		opts := feedback.Options{AsOf: in.asOf}
		report := func(b *feedback.Builder) string {
			var out bytes.Buffer
			require.NoError(t, b.Report().WriteJSON(&out))
			return out.String()
		}
		whole := feedback.NewBuilder(s, opts)
		for _, l := range leads {
			require.NoError(t, whole.Add(l, outcomes[l.ID].Won))
		}
		want := report(whole)
		require.Positive(t, whole.Report().Dispositioned, name)
		require.Positive(t, whole.Report().Recycle.Leads, name)

		for trial := 0; trial < 3; trial++ {
			r := rand.New(rand.NewPCG(uint64(trial), 10))
			parts := make([]*feedback.Builder, 2+r.IntN(4))
			for i := range parts {
				parts[i] = feedback.NewBuilder(s, opts)
			}
			for _, l := range leads {
				require.NoError(t, parts[r.IntN(len(parts))].Add(l, outcomes[l.ID].Won))
			}
			merged := feedback.NewBuilder(s, opts)
			for _, p := range parts {
				require.NoError(t, merged.Merge(p))
			}
			require.Equal(t, want, report(merged), "%s, trial %d, %d shards", name, trial, len(parts))
		}
	}
	other := feedback.NewBuilder(s, feedback.Options{AsOf: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)})
	require.ErrorContains(t, feedback.NewBuilder(s, feedback.Options{}).Merge(other), "run every shard with the same flags")
}
