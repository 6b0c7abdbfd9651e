package leadfile_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// mergeInputs are the bundled leads, the bundled bad rows, generated leads
// and a mix with unknown data, blank lines and a row longer than MaxRow.
func mergeInputs(t *testing.T) map[string]string {
	read := func(name string) string {
		b, err := os.ReadFile(testdata(name))
		require.NoError(t, err)
		return string(b)
	}
	var gen bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&gen, leadgen.New(19), 2000))
	mixed := read("bad-leads.ndjson") + "\n   \n" +
		`{"id":"U1","email":"u1@acme.io","Employees":5,"title":"VP"}` + "\n" +
		`{"id":"U2","email":"u2@acme.io","employees":5,"events":[{"type":"webinar_atended","at":"2026-09-01T00:00:00Z"}]}` + "\n" +
		`{"id":"LONG","title":"` + strings.Repeat("x", 5000) + `"}` + "\n" +
		strings.Join(strings.Split(read("leads.ndjson"), "\n")[:50], "\n")
	return map[string]string{"leads.ndjson": read("leads.ndjson"), "bad-leads.ndjson": read("bad-leads.ndjson"), "generated": gen.String(), "mixed": mixed}
}

// TestSummaryMergeIsOnePass: leads split at random into shards, each
// scored by its own run of Score, give summaries that merge into the
// summary of one run over all of them.
func TestSummaryMergeIsOnePass(t *testing.T) {
	s := scorer(t)
	for name, input := range mergeInputs(t) {
		whole := summaryOf(t, leadfile.Options{Scorer: s, Input: strings.NewReader(input), MaxRow: 4096})
		require.Equal(t, whole.Rows, whole.Scored+whole.Failed)
		lines := strings.Split(input, "\n")
		for trial := 0; trial < 4; trial++ {
			r := rand.New(rand.NewPCG(uint64(trial), 3))
			shards := make([][]string, 2+r.IntN(5))
			for _, l := range lines {
				k := r.IntN(len(shards))
				shards[k] = append(shards[k], l)
			}
			merged := leadfile.Summary{}
			for _, shard := range shards {
				merged.Merge(summaryOf(t, leadfile.Options{Scorer: s, Input: strings.NewReader(strings.Join(shard, "\n")), MaxRow: 4096}))
			}
			require.True(t, whole.Equal(merged), "%s, trial %d:\nwhole  %+v\nmerged %+v", name, trial, whole, merged)
		}
	}
}

func summaryOf(t *testing.T, opts leadfile.Options) leadfile.Summary {
	opts.AsOf, opts.Output, opts.Workers = asOf, &bytes.Buffer{}, 2
	sum, err := leadfile.Score(opts)
	require.NoError(t, err)
	return sum
}

// TestRowScorerIsScore: scoring row by row gives Score's output, byte for
// byte, its row errors with the same line numbers, and its summary.
func TestRowScorerIsScore(t *testing.T) {
	s := scorer(t)
	for name, input := range mergeInputs(t) {
		for _, format := range []leadfile.Format{leadfile.NDJSON, leadfile.CSV} {
			opts := leadfile.Options{Scorer: s, AsOf: asOf, InputName: name, MaxRow: 4096, OutputFormat: format}
			var want bytes.Buffer
			var wantErrs []string
			opts.Input, opts.Output = strings.NewReader(input), &want
			opts.OnError = func(e leadfile.RowError) { wantErrs = append(wantErrs, e.Error()) }
			wantSum, err := leadfile.Score(opts)
			require.NoError(t, err)

			rs, err := leadfile.NewRowScorer(opts)
			require.NoError(t, err)
			got := bytes.NewBuffer(rs.Header())
			var gotErrs []string
			sum := leadfile.Summary{}
			sc := bufio.NewScanner(strings.NewReader(input))
			sc.Buffer(nil, 1<<20)
			for line := 1; sc.Scan(); line++ {
				out, one, rowErr := rs.Score(line, sc.Bytes())
				got.Write(out)
				sum.Merge(one)
				if rowErr != nil {
					gotErrs = append(gotErrs, rowErr.Error())
				}
			}
			require.Equal(t, want.String(), got.String(), "%s, %s", name, format)
			require.Equal(t, wantErrs, gotErrs)
			require.True(t, wantSum.Equal(sum), "%s: %+v, %+v", name, wantSum, sum)
			if name == "mixed" {
				require.Contains(t, strings.Join(gotErrs, "\n"), fmt.Sprintf("%s:14: the row is longer than 4 KiB", name), "the long row fails alone with its line")
			}
		}
	}
}

func TestNewRowScorerNeedsAScorer(t *testing.T) {
	_, err := leadfile.NewRowScorer(leadfile.Options{})
	require.EqualError(t, err, "no scorer: compile a model and give it as Options.Scorer")
}
