package pipelines

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The CombineFns as a runner uses them when the rows are spread over
// workers: each worker's accumulator encoded, decoded on another and
// merged, in any order. The output must be that of one accumulator over
// every row. (Prism runs the tests' small inputs in one bundle, so this is
// where MergeAccumulators is exercised.)

func rowsOf(t *testing.T, name string, skipHeader bool) []Row {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	require.NoError(t, err)
	var rows []Row
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if i == 0 && skipHeader {
			continue
		}
		rows = append(rows, Row{File: name, Line: i + 1, Text: line})
	}
	return rows
}

// addAll is one accumulator over every row, as one worker would make it.
func addAll[A any](t *testing.T, rows []Row, create func() A, add func(A, Row) (A, error)) A {
	acc := create()
	for _, row := range rows {
		var err error
		acc, err = add(acc, row)
		require.NoError(t, err)
	}
	return acc
}

// combine runs a CombineFn's methods over rows split into shards, with
// every shard's accumulator passed through the coder.
func combine[A any](t *testing.T, r *rand.Rand, rows []Row, create func() A, add func(A, Row) (A, error), merge func(A, A) (A, error),
	enc func(A) ([]byte, error), dec func([]byte) (A, error)) A {
	shards := make([]A, 1+r.IntN(6))
	for i := range shards {
		shards[i] = create()
	}
	for _, row := range rows {
		k := r.IntN(len(shards))
		var err error
		shards[k], err = add(shards[k], row)
		require.NoError(t, err)
	}
	r.Shuffle(len(shards), func(i, j int) { shards[i], shards[j] = shards[j], shards[i] })
	acc := create()
	for _, sh := range shards {
		data, err := enc(sh)
		require.NoError(t, err)
		got, err := dec(data)
		require.NoError(t, err)
		acc, err = merge(acc, got)
		require.NoError(t, err)
	}
	return acc
}

func TestReportCombineMergesAcrossWorkers(t *testing.T) {
	rows := rowsOf(t, "journeys.ndjson", false)
	for _, format := range []string{"json", "table"} {
		fn := &reportFn{Models: []string{"first_touch", "linear", "w_shaped", "markov:2", "shapley"}, Costs: map[string]float64{"newsletter": 1234.5}, Format: format}
		require.NoError(t, fn.Setup())
		want, err := fn.ExtractOutput(addAll(t, rows, fn.CreateAccumulator, fn.AddInput))
		require.NoError(t, err)
		for trial := 0; trial < 4; trial++ {
			r := rand.New(rand.NewPCG(uint64(trial), 4))
			acc := combine(t, r, rows, fn.CreateAccumulator, fn.AddInput, fn.MergeAccumulators, encodeReportAcc, decodeReportAcc)
			got, err := fn.ExtractOutput(acc)
			require.NoError(t, err)
			require.Equal(t, want, got, "%s, trial %d", format, trial)
		}
	}
}

func TestPathsCombineMergesAcrossWorkers(t *testing.T) {
	rows := rowsOf(t, "paths/PathData.csv", true)
	fn := &pathsFn{Models: []string{"linear", "markov:1", "markov:3", "shapley"}, Format: "json"}
	want, err := fn.ExtractOutput(addAll(t, rows, fn.CreateAccumulator, fn.AddInput))
	require.NoError(t, err)
	for trial := 0; trial < 3; trial++ {
		r := rand.New(rand.NewPCG(uint64(trial), 5))
		acc := combine(t, r, rows, fn.CreateAccumulator, fn.AddInput, fn.MergeAccumulators, encodePathsAcc, decodePathsAcc)
		got, err := fn.ExtractOutput(acc)
		require.NoError(t, err)
		require.Equal(t, want, got, "trial %d", trial)
	}
}

func TestSummaryCombineMergesAcrossWorkers(t *testing.T) {
	model, _, err := LoadModel(filepath.Join("..", "..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	rs, err := newRowScorer(model, "2026-10-01T00:00:00Z", 0, 0, false)
	require.NoError(t, err)
	rows := append(rowsOf(t, "leads.ndjson", false), rowsOf(t, "bad-leads.ndjson", false)...)
	// Unknown data, so that the coder carries it too.
	rows = append(rows, Row{File: "u", Line: 1, Text: `{"id":"U1","email":"u@acme.io","Employees":5}`})
	fn := &summaryFn{}
	add := func(a *summaryAcc, row Row) (*summaryAcc, error) {
		_, s, _ := rs.Score(row.Line, []byte(row.Text))
		return fn.AddInput(a, s), nil
	}
	one := addAll(t, rows, fn.CreateAccumulator, add)
	require.Equal(t, one.sum.Rows, one.sum.Scored+one.sum.Failed)
	require.NotEmpty(t, one.sum.Unknown.Rows)
	require.Positive(t, one.sum.Failed)
	r := rand.New(rand.NewPCG(6, 6))
	merge := func(a, b *summaryAcc) (*summaryAcc, error) { return fn.MergeAccumulators(a, b), nil }
	acc := combine(t, r, rows, fn.CreateAccumulator, add, merge, encodeSummary, decodeSummary)
	require.True(t, one.sum.Equal(fn.ExtractOutput(acc)), "%+v\n%+v", one.sum, acc.sum)
}

func TestBacktestCombineMergesAcrossWorkers(t *testing.T) {
	rows := rowsOf(t, "backtest/leads.ndjson", false)
	outcomes, err := os.ReadFile(filepath.Join("..", "..", "testdata", "backtest", "outcomes.csv"))
	require.NoError(t, err)
	model, _, err := LoadModel(filepath.Join("..", "..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	for _, format := range []string{"json", "markdown"} {
		fn := &backtestFn{Model: model, Outcomes: string(outcomes), OutcomesName: "outcomes.csv", At: "2026-07-01T00:00:00Z", Until: "2026-10-01T00:00:00Z", Capacity: "40/week", Format: format}
		require.NoError(t, fn.Setup())
		want, err := fn.ExtractOutput(addAll(t, rows, fn.CreateAccumulator, fn.AddInput))
		require.NoError(t, err)
		require.Contains(t, want, "40")
		for trial := 0; trial < 4; trial++ {
			r := rand.New(rand.NewPCG(uint64(trial), 28))
			acc := combine(t, r, rows, fn.CreateAccumulator, fn.AddInput, fn.MergeAccumulators, encodeBacktestAcc, decodeBacktestAcc)
			got, err := fn.ExtractOutput(acc)
			require.NoError(t, err)
			require.Equal(t, want, got, "%s, trial %d", format, trial)
		}
	}
}

func TestFeedbackCombineMergesAcrossWorkers(t *testing.T) {
	rows := rowsOf(t, "leads.ndjson", false)
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		require.NoError(t, err)
		return string(data)
	}
	model, _, err := LoadModel(filepath.Join("..", "..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	fn := &feedbackFn{Model: model, Dispositions: read("dispositions.csv"), DispositionsName: "dispositions.csv", Outcomes: read("outcomes.csv"), OutcomesName: "outcomes.csv",
		At: "2026-10-01T00:00:00Z", Format: "json"}
	require.NoError(t, fn.Setup())
	want, err := fn.ExtractOutput(addAll(t, rows, fn.CreateAccumulator, fn.AddInput))
	require.NoError(t, err)
	report := func(state []byte) string {
		b := fn.newBuilder()
		require.NoError(t, b.MergeState(state))
		out, err := writeReport(b.Report(), "json")
		require.NoError(t, err)
		return out
	}
	require.Contains(t, report(want), `"dispositioned": 40`)
	for trial := range 4 {
		r := rand.New(rand.NewPCG(uint64(trial), 2828))
		acc := combine(t, r, rows, fn.CreateAccumulator, fn.AddInput, fn.MergeAccumulators, encodeFeedbackAcc, decodeFeedbackAcc)
		got, err := fn.ExtractOutput(acc)
		require.NoError(t, err)
		require.Equal(t, report(want), report(got), "trial %d", trial)
	}
}
