package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

// resetFlags sets this command's flags (not Beam's) back to their defaults.
func resetFlags() {
	for _, name := range []string{"output", "dead-letters", "counts", "model", "at", "format", "max-row", "strict-data",
		"journeys", "paths", "costs", "models", "lookback", "conversion", "outcomes", "until", "capacity",
		"dispositions", "band-width", "campaign-field", "channel-field"} {
		f := flag.Lookup(name)
		f.Value.Set(f.DefValue)
	}
}

// guideCommands are the leadscore-beam commands of the user guide's Beam
// page (docs/guide/beam.md), as run from beam/.
func guideCommands(t *testing.T) [][]string {
	data, err := os.ReadFile("../../../docs/guide/beam.md")
	require.NoError(t, err)
	var cmds [][]string
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "go run ./cmd/leadscore-beam "); ok {
			cmds = append(cmds, strings.Fields(rest))
		}
	}
	require.Len(t, cmds, 5, "the guide's Beam page has five commands")
	return cmds
}

// TestDocsCommands runs the Beam page's commands on Prism, with their
// outputs in a temporary directory.
func TestDocsCommands(t *testing.T) {
	cmds := guideCommands(t)
	out := t.TempDir()
	t.Chdir("../..")                   // beam/, where the guide runs them
	wantStatus := []int{1, 0, 0, 0, 0} // the first scores the bundled bad rows too
	for i, args := range cmds {
		for k := range args {
			if k > 0 && (args[k-1] == "--output" || args[k-1] == "--dead-letters") {
				args[k] = filepath.Join(out, args[k])
			}
		}
		resetFlags()
		require.NoError(t, flag.CommandLine.Parse(args[1:]))
		var stderr bytes.Buffer
		status := run(context.Background(), args[0], flag.Args(), &stderr)
		require.Equal(t, wantStatus[i], status, "leadscore-beam %s\n%s", strings.Join(args, " "), stderr.String())
		if i == 0 {
			require.Contains(t, stderr.String(), "1008 rows in: 1002 scored, 6 failed (as of 2026-10-01T00:00:00Z)")
			scores, err := os.ReadFile(filepath.Join(out, "scores.ndjson"))
			require.NoError(t, err)
			require.Equal(t, 1008, bytes.Count(scores, []byte("\n")), "a result row for every input row")
			bad, err := os.ReadFile(filepath.Join(out, "bad.ndjson"))
			require.NoError(t, err)
			require.Equal(t, 6, bytes.Count(bad, []byte("\n")), "a dead letter for every failed row")
		}
	}
	report, err := os.ReadFile(filepath.Join(out, "report.json"))
	require.NoError(t, err)
	// 5,408 distinct paths among the 10,000 lines (cut -d';' -f1 | sort -u).
	require.Contains(t, string(report), `"distinct_paths": 5408`)
	// The backtest's report (the pipelines' tests compare it with the
	// leadscore command's byte for byte): the bundled leads' counts and
	// AUC, as the golden report of the same flags has them.
	bt, err := os.ReadFile(filepath.Join(out, "backtest.md"))
	require.NoError(t, err)
	golden, err := os.ReadFile("../testdata/golden/backtest.md")
	require.NoError(t, err)
	for _, line := range strings.Split(string(golden), "\n")[3:6] {
		require.Contains(t, string(bt), line+"\n")
	}
	require.Contains(t, string(bt), "3000 leads: 1818 in the backtest")
	// The feedback report is the golden one of the same flags
	// (testdata/golden/feedback.md, the command line's to the byte).
	fb, err := os.ReadFile(filepath.Join(out, "feedback.md"))
	require.NoError(t, err)
	golden, err = os.ReadFile("../testdata/golden/feedback.md")
	require.NoError(t, err)
	require.Equal(t, string(golden), string(fb))
}

func TestUsageErrors(t *testing.T) {
	for args, want := range map[string]string{
		"":                "name the pipeline",
		"score in.ndjson": "give --output, --dead-letters and at least one input file",
		"attribute --output o --dead-letters d in":                                        "give one of --journeys or --paths",
		"score --output o --dead-letters d --model missing.yaml in":                       "--model: ",
		"backtest --output o --dead-letters d --model ../../../testdata/b2b-saas.yaml in": "give --outcomes, the CRM's outcomes, and --at, the snapshot T0",
		"feedback --output o --dead-letters d --model ../../../testdata/b2b-saas.yaml in": "give --dispositions, sales' verdicts",
		// A pipeline's own refusal stops the run before it starts, as the
		// command line's (it was lost, and the pipeline built on nothing).
		"attribute --journeys --conversion opportunty --output o --dead-letters d in":         `conversion: no milestone is named "opportunty"; did you mean "opportunity"?`,
		"attribute --journeys --models custom:first_touch=0.5 --output o --dead-letters d in": "custom: the shares sum to 0.5, not 1",
	} {
		fields := strings.Fields(args)
		cmd := ""
		if len(fields) > 0 {
			cmd, fields = fields[0], fields[1:]
		}
		resetFlags()
		require.NoError(t, flag.CommandLine.Parse(fields))
		var stderr bytes.Buffer
		require.Equal(t, 2, run(context.Background(), cmd, flag.Args(), &stderr), args)
		require.Contains(t, stderr.String(), want, args)
	}
}
