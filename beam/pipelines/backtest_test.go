package pipelines_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/beam/pipelines"
)

// backtestLeads is the bundled backtest's leads with rows that fail: a
// lead given twice (its later row fails, as the command line fails it),
// a row cut short, and a lead without an id.
func backtestLeads(t *testing.T, dir string) string {
	name := filepath.Join(dir, "backtest-leads.ndjson")
	lines := strings.Split(strings.TrimSpace(readFile(t, td("backtest/leads.ndjson"))), "\n")
	lines = append(lines, lines[3], `{"id":"CUT","email":`, `{"email":"no-id@example.com"}`)
	lines = append(lines[:50], append([]string{lines[7]}, lines[50:]...)...)
	require.NoError(t, os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return name
}

var rowLine = regexp.MustCompile(`^[^:]+:(\d+): `)

// The backtest pipeline's report is the command line's, byte for byte, and
// the rows it fails are the ones the command line fails.
func TestBacktestIsTheCLI(t *testing.T) {
	dir := t.TempDir()
	model, _, err := pipelines.LoadModel(td("b2b-saas.yaml"))
	require.NoError(t, err)
	leads := backtestLeads(t, dir)
	at, until := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	// The bundled outcomes with a row that cannot be read: the command line
	// names it, counts its lead as not won and goes on; so does the pipeline.
	badOutcomes := filepath.Join(dir, "outcomes.csv")
	outLines := strings.Split(strings.TrimSpace(readFile(t, td("backtest/outcomes.csv"))), "\n")
	outLines[5] = strings.Replace(outLines[5], "-", "/", 1) // a lead's outcome lost, its date unreadable
	require.NoError(t, os.WriteFile(badOutcomes, []byte(strings.Join(outLines, "\n")+"\n"), 0o644))
	for _, c := range []struct {
		format, capacity, outcomes string
		until                      time.Time
	}{
		{"json", "40/week", td("backtest/outcomes.csv"), until},
		{"table", "", td("backtest/outcomes.csv"), time.Time{}},
		{"markdown", "40/week", badOutcomes, until},
	} {
		t.Run(c.format, func(t *testing.T) {
			cfg := pipelines.Backtesting{Model: model, Outcomes: readFile(t, c.outcomes), OutcomesName: c.outcomes,
				At: at, Until: c.until, Capacity: c.capacity, Format: c.format, Files: []string{leads}}
			report, dead, counts := filepath.Join(dir, "report"), filepath.Join(dir, "dead.ndjson"), filepath.Join(dir, "counts.json")
			p, s := beam.NewPipelineWithRoot()
			b, err := pipelines.Backtest(s, cfg, pipelines.ReadLines(s, beam.Create(s, leads)))
			require.NoError(t, err)
			pipelines.WriteText(s, report, b.Report)
			pipelines.WriteDeadLetters(s, dead, []string{leads}, b.DeadLetters)
			pipelines.WriteCounts(s, counts, b.Counts)
			require.NoError(t, ptest.Run(p))

			args := []string{"backtest", "--model", td("b2b-saas.yaml"), "--outcomes", c.outcomes, "--at", "2026-07-01", "--format", c.format}
			if !c.until.IsZero() {
				args = append(args, "--until", "2026-10-01")
			}
			if c.capacity != "" {
				args = append(args, "--capacity", c.capacity)
			}
			stdout, stderr := runCLI(t, append(args, leads)...)
			require.Equal(t, stdout, readFile(t, report), "the report, byte for byte")
			// It counts the rows that failed, as stderr does.
			if c.format == "json" {
				var rep struct {
					Leads struct {
						Failed int `json:"failed"`
					} `json:"leads"`
				}
				require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
				require.Equal(t, 4, rep.Leads.Failed)
			} else {
				require.Contains(t, stdout, "; and 4 lead rows failed.")
			}

			var cliLines []int
			for _, l := range strings.Split(stderr, "\n") {
				if m := rowLine.FindStringSubmatch(l); m != nil && strings.HasPrefix(l, leads) {
					n, _ := strconv.Atoi(m[1])
					cliLines = append(cliLines, n)
				}
			}
			var lines []int
			for _, d := range deadLetters(t, dead) {
				lines = append(lines, d.Line)
			}
			slices.Sort(lines)
			slices.Sort(cliLines)
			require.Len(t, lines, 4, "a repeated lead twice, a cut row, a lead without an id")
			require.Equal(t, cliLines, lines, "the rows that failed")
			var n pipelines.Counts
			require.NoError(t, json.Unmarshal([]byte(readFile(t, counts)), &n))
			require.Equal(t, n.Read, n.Used+n.Failed)
			require.Equal(t, 4, n.Failed)
			require.Contains(t, stderr, strconv.Itoa(n.Read)+" lead rows read: 4 failed, "+strconv.Itoa(n.Used)+" used")
			for _, e := range b.OutcomeErrors {
				require.Contains(t, stderr, e+"\n", "the outcome row the pipeline could not read, as the command line names it")
			}
			require.Equal(t, c.outcomes == badOutcomes, len(b.OutcomeErrors) == 1, b.OutcomeErrors)
		})
	}
}
