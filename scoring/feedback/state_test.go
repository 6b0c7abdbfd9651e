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

// allFormats writes a report in every format the package writes.
func allFormats(t *testing.T, b *feedback.Builder) string {
	rep := b.Report()
	var out bytes.Buffer
	for _, w := range []func(*bytes.Buffer) error{
		func(o *bytes.Buffer) error { return rep.WriteText(o) },
		func(o *bytes.Buffer) error { return rep.WriteMarkdown(o) },
		func(o *bytes.Buffer) error { return rep.WriteCSV(o) },
		func(o *bytes.Buffer) error { return rep.WriteJSON(o) },
	} {
		require.NoError(t, w(&out))
		out.WriteString("\n----\n")
	}
	return out.String()
}

// TestStateMergeIsOnePass: the bundled leads and 2,000 generated ones,
// with their dispositions and outcomes, split at random into shards whose
// builders travel as State and are taken in with MergeState, give the
// report of one pass and of Merge, to the byte, in every format; a state
// read into an empty builder gives back the same bytes.
func TestStateMergeIsOnePass(t *testing.T) {
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	s := scoring.New(m)
	of, err := os.Open(td("outcomes.csv"))
	require.NoError(t, err)
	defer of.Close()
	outcomes, _, err := attribution.ReadOutcomes(of, func(line int, err error) { t.Errorf("outcomes line %d: %v", line, err) })
	require.NoError(t, err)
	bundledLeads, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	bundledDispositions, err := os.ReadFile(td("dispositions.csv"))
	require.NoError(t, err)
	var genLeads, genDispositions bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&genLeads, leadgen.New(28), 2000))
	require.NoError(t, gendata.WriteDispositions(&genDispositions, s, 28, 2000))
	for _, in := range []struct {
		name                string
		leads, dispositions []byte
		opts                feedback.Options
	}{
		{"bundled", bundledLeads, bundledDispositions, feedback.Options{AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}},
		// an accept 2.6 h before L0000754's hand-off, and verdicts after the
		// first that counts
		{"early and later verdicts", bundledLeads, append(bytes.Clone(bundledDispositions), "L0000754,2026-09-29T06:00:00Z,accepted,,ana.r\nL0000754,2026-09-30T06:00:00Z,rejected,too_small,ana.r\nL0000754,2026-09-30T07:00:00Z,rejected,too_small,ana.r\n"...), feedback.Options{AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}},
		// an as-of time in another zone, and bands of a width that is no round number
		{"generated", genLeads.Bytes(), genDispositions.Bytes(), feedback.Options{AsOf: leadgen.Base.In(time.FixedZone("", -5*3600)), BandWidth: 7.3}},
	} {
		set, _, err := feedback.ReadDispositions(bytes.NewReader(in.dispositions), m.Handoff, func(line int, err error) { t.Errorf("%s dispositions line %d: %v", in.name, line, err) })
		require.NoError(t, err)
		var leads []scoring.Lead
		require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: bytes.NewReader(in.leads), InputName: in.name}, func(line int, lead scoring.Lead, err error) error {
			require.NoError(t, err)
			lead.Dispositions = set.For(lead.ID)
			leads = append(leads, lead)
			return nil
		}))
		whole := feedback.NewBuilder(s, in.opts)
		for _, l := range leads {
			require.NoError(t, whole.Add(l, outcomes[l.ID].Won))
		}
		want := allFormats(t, whole)
		rep := whole.Report()
		require.Positive(t, rep.Dispositioned, in.name)
		require.Positive(t, rep.Recycle.Leads, in.name)
		require.Positive(t, rep.SLA.Measured, in.name)
		require.NotEmpty(t, rep.Evidence, in.name)
		if in.name == "early and later verdicts" {
			require.Len(t, rep.EarlyVerdicts, 1)
			require.Equal(t, 1, rep.LaterVerdicts)
		}

		for trial := range 3 {
			r := rand.New(rand.NewPCG(uint64(trial), 28))
			parts := make([]*feedback.Builder, 2+r.IntN(5))
			for i := range parts {
				parts[i] = feedback.NewBuilder(s, in.opts)
			}
			for _, l := range leads {
				require.NoError(t, parts[r.IntN(len(parts))].Add(l, outcomes[l.ID].Won))
			}
			viaState, viaMerge := feedback.NewBuilder(s, in.opts), feedback.NewBuilder(s, in.opts)
			for _, p := range parts {
				st, err := p.State()
				require.NoError(t, err)
				again, err := p.State()
				require.NoError(t, err)
				require.Equal(t, st, again, "the same builder, the same bytes")
				round := feedback.NewBuilder(s, in.opts)
				require.NoError(t, round.MergeState(st))
				back, err := round.State()
				require.NoError(t, err)
				require.Equal(t, st, back, "a state read and written again")

				require.NoError(t, viaState.MergeState(st))
				require.NoError(t, viaMerge.Merge(p))
			}
			require.Equal(t, want, allFormats(t, viaState), "%s, trial %d, %d shards, by state", in.name, trial, len(parts))
			require.Equal(t, want, allFormats(t, viaMerge), "%s, trial %d, %d shards, by Merge", in.name, trial, len(parts))
		}
	}
}

// A state is refused whole when it is cut short anywhere, of another
// model or options, or not a state at all; the builder it was given to is
// unchanged.
func TestMergeStateRefuses(t *testing.T) {
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	s := scoring.New(m)
	opts := feedback.Options{AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	set, _, err := feedback.ReadDispositions(bytes.NewReader(mustRead(t, td("dispositions.csv"))), m.Handoff, func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	b := feedback.NewBuilder(s, opts)
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: bytes.NewReader(mustRead(t, td("leads.ndjson"))), InputName: "leads"}, func(_ int, lead scoring.Lead, err error) error {
		require.NoError(t, err)
		lead.Dispositions = set.For(lead.ID)
		return b.Add(lead, time.Time{})
	}))
	st, err := b.State()
	require.NoError(t, err)

	into := feedback.NewBuilder(s, opts)
	empty := allFormats(t, feedback.NewBuilder(s, opts))
	for n := range len(st) {
		require.Error(t, into.MergeState(st[:n]), "cut to %d of %d bytes", n, len(st))
	}
	require.ErrorContains(t, into.MergeState(append(append([]byte{}, st...), 0)), "left over")
	require.ErrorContains(t, into.MergeState([]byte("not a state")), "not a feedback report's state")
	require.Equal(t, empty, allFormats(t, into), "nothing refused was taken in")

	other := feedback.NewBuilder(s, feedback.Options{AsOf: opts.AsOf, BandWidth: 25})
	require.ErrorContains(t, other.MergeState(st), "run every shard with the same model and flags")
	later := feedback.NewBuilder(s, feedback.Options{AsOf: opts.AsOf.Add(time.Nanosecond)})
	require.ErrorContains(t, later.MergeState(st), "run every shard with the same model and flags")
	m2, err := rules.CompileFile(td("b2b-saas-v2.yaml"))
	require.NoError(t, err)
	require.ErrorContains(t, feedback.NewBuilder(scoring.New(m2), opts).MergeState(st), "run every shard with the same model and flags")
}

func mustRead(t *testing.T, name string) []byte {
	data, err := os.ReadFile(name)
	require.NoError(t, err)
	return data
}
