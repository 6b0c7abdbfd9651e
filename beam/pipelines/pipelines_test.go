package pipelines_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
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

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/beam/pipelines"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// The pipelines run on Prism, in this process; their outputs are compared
// byte for byte with what the leadscore command, built from the parent
// module, writes for the same input.

var cli string // the leadscore command

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "leadscore-beam")
	if err != nil {
		panic(err)
	}
	cli = filepath.Join(dir, "leadscore")
	build := exec.Command("go", "build", "-o", cli, "github.com/leadscore/leadscore/cmd/leadscore")
	if out, err := build.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("building the leadscore command: %v\n%s", err, out))
	}
	code := ptest.MainRetWithDefault(m, "prism")
	os.RemoveAll(dir)
	os.Exit(code)
}

func td(name string) string { return filepath.Join("..", "..", "testdata", name) }

// runCLI runs the leadscore command and returns its stdout and stderr;
// exit status 1 (some rows failed) is expected with bad rows.
func runCLI(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(cli, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("leadscore %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
	}
	return stdout.String(), stderr.String()
}

// runCLIStatus runs the leadscore command, which must exit with status
// code, and returns its stdout and stderr.
func runCLIStatus(t *testing.T, code int, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(cli, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	require.Equal(t, code, status, "leadscore %s\n%s", strings.Join(args, " "), stderr.String())
	return stdout.String(), stderr.String()
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

func deadLetters(t *testing.T, name string) []pipelines.DeadLetter {
	var out []pipelines.DeadLetter
	for _, line := range strings.Split(strings.TrimSpace(readFile(t, name)), "\n") {
		if line == "" {
			continue
		}
		var d pipelines.DeadLetter
		require.NoError(t, json.Unmarshal([]byte(line), &d))
		out = append(out, d)
	}
	return out
}

// badLeads is bundled bad rows, good rows and a row longer than --max-row.
func badLeads(t *testing.T, dir string) string {
	name := filepath.Join(dir, "bad-leads.ndjson")
	good := strings.SplitN(readFile(t, td("leads.ndjson")), "\n", 21)[:20]
	data := readFile(t, td("bad-leads.ndjson")) + "\n" + strings.Join(good, "\n") + "\n" +
		`{"id":"LONG","email":"a@b.io","title":"` + strings.Repeat("x", 5000) + `"}` + "\n" + `{"id":"L-last"`
	require.NoError(t, os.WriteFile(name, []byte(data), 0o644))
	return name
}

// stagesLine is the command line's second summary line, from a summary.
func stagesLine(m *rules.Model, s leadfile.Summary) string {
	var parts []string
	for i := len(m.Stages) - 1; i >= 0; i-- {
		label := m.Stages[i].ID
		if m.Stages[i].SalesReady {
			label += " (sales-ready)"
		}
		parts = append(parts, fmt.Sprintf("%s %d", label, s.Stages[m.Stages[i].ID]))
	}
	parts = append(parts, fmt.Sprintf("no stage %d", s.Stages[""]))
	return fmt.Sprintf("stages: %s; disqualified %d", strings.Join(parts, ", "), s.Disqualified)
}

// startsModel is the bundled holdout model with a start, whose rules
// read signed_up where they read created_at: created_at is no field of
// the model, and who came before the start is read from it all the same
// (and from the first event without it), not reported as unknown data.
func startsModel(t *testing.T, dir string) string {
	t.Helper()
	src := readFile(t, td(filepath.Join("holdout", "model.yaml")))
	src = strings.ReplaceAll(src, "created_at", "signed_up")
	src = strings.Replace(src, "  withhold: handoff", "  starts: 2026-05-01\n  withhold: handoff", 1)
	require.Contains(t, src, "starts: 2026-05-01")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "starts", "common"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "starts", "common", "lists.yaml"), []byte(readFile(t, td(filepath.Join("holdout", "common", "lists.yaml")))), 0o644))
	name := filepath.Join(dir, "starts", "model.yaml")
	require.NoError(t, os.WriteFile(name, []byte(src), 0o644))
	return name
}

func TestScoreIsTheCLI(t *testing.T) {
	dir := t.TempDir()
	bad := badLeads(t, dir)
	starts := startsModel(t, dir)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		model  string
		files  []string
		format leadfile.Format
	}{
		{"bundled leads", td("b2b-saas.yaml"), []string{td("leads.ndjson")}, leadfile.NDJSON},
		{"bad rows", td("b2b-saas.yaml"), []string{bad}, leadfile.NDJSON},
		{"two files, CSV", td("b2b-saas.yaml"), []string{td("leads.ndjson"), bad}, leadfile.CSV},
		{"a holdout that starts", starts, []string{td(filepath.Join("backtest", "leads.ndjson")), bad}, leadfile.NDJSON},
		{"a holdout that starts, CSV", starts, []string{td(filepath.Join("backtest", "leads.ndjson"))}, leadfile.CSV},
	} {
		t.Run(c.name, func(t *testing.T) {
			model, compiled, err := pipelines.LoadModel(c.model)
			require.NoError(t, err)
			cfg := pipelines.Scoring{Model: model, AsOf: asOf, Format: c.format, MaxRow: 4096}
			header, err := pipelines.Header(cfg, compiled)
			require.NoError(t, err)
			out, dead, sum := filepath.Join(dir, "out"), filepath.Join(dir, "dead.ndjson"), filepath.Join(dir, "summary.json")
			p, s := beam.NewPipelineWithRoot()
			scored := pipelines.Score(s, cfg, pipelines.ReadLines(s, beam.CreateList(s, c.files)))
			pipelines.WriteOrdered(s, out, header, c.files, scored.Results)
			pipelines.WriteDeadLetters(s, dead, c.files, scored.DeadLetters)
			pipelines.WriteSummary(s, sum, scored.Summary)
			require.NoError(t, ptest.Run(p))

			// The command line, file by file; its outputs concatenate, a CSV header once.
			var wantOut, wantErrs []string
			var want leadfile.Summary
			for i, f := range c.files {
				stdout, stderr := runCLI(t, "score", "--model", c.model, "--at", "2026-10-01", "--max-row", "4096", "--format", c.format.String(), f)
				if i > 0 && c.format == leadfile.CSV {
					stdout = stdout[len(header):]
				}
				wantOut = append(wantOut, stdout)
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				at := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, " rows in: ") }) // the summary: rows, stages, a holdout's line
				require.GreaterOrEqual(t, at, 0, stderr)
				wantErrs = append(wantErrs, lines[:at]...)
				m := regexp.MustCompile(`^(\d+) rows in: (\d+) scored, (\d+) failed`).FindStringSubmatch(lines[at])
				require.NotNil(t, m, stderr)
				rows, _ := strconv.Atoi(m[1])
				scoredN, _ := strconv.Atoi(m[2])
				failed, _ := strconv.Atoi(m[3])
				want.Rows, want.Scored, want.Failed = want.Rows+rows, want.Scored+scoredN, want.Failed+failed
			}
			require.Equal(t, strings.Join(wantOut, ""), readFile(t, out), "results, byte for byte")

			got, err := pipelines.ReadSummary([]byte(readFile(t, sum)))
			require.NoError(t, err)
			require.Equal(t, [3]int{want.Rows, want.Scored, want.Failed}, [3]int{got.Rows, got.Scored, got.Failed}, "rows in = scored + failed, as the command line counts")
			if len(c.files) == 1 {
				_, stderr := runCLI(t, "score", "--model", c.model, "--at", "2026-10-01", "--max-row", "4096", c.files[0])
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "stages: ") })
				require.GreaterOrEqual(t, at, 0, stderr)
				require.Equal(t, lines[at], stagesLine(compiled, got))
			}

			letters := deadLetters(t, dead)
			require.Len(t, letters, got.Failed, "every failed row is a dead letter")
			var msgs []string
			for _, d := range letters {
				msgs = append(msgs, d.Error)
				require.NotEmpty(t, d.Row)
			}
			require.Equal(t, wantErrs, msgs, "dead letters: the command line's messages, with row numbers")
		})
	}
}

// badJourneys is the bundled journeys with bad rows among them.
func badJourneys(t *testing.T, dir string) string {
	name := filepath.Join(dir, "journeys.ndjson")
	lines := strings.Split(strings.TrimSpace(readFile(t, td("journeys.ndjson"))), "\n")
	bad := []string{`{"id":"X1","touches":[],"converted":true,"revenue":-5}`, `{"id":"X2",`, `{"id":"X3","revenu":5}`}
	for i, b := range bad {
		at := 100 * (i + 1)
		lines = append(lines[:at], append([]string{b}, lines[at:]...)...)
	}
	// Journeys given twice (a won one among them): the later rows fail.
	for _, k := range []int{5, 68, 68} {
		lines = append(lines, lines[k])
	}
	won := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, `"converted":true`) })
	require.GreaterOrEqual(t, won, 0)
	lines = append(lines, lines[won])
	require.NoError(t, os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return name
}

func TestAttributeJourneysIsTheCLI(t *testing.T) {
	dir := t.TempDir()
	costs, _, err := attribution.ReadCosts(strings.NewReader(readFile(t, td("costs.csv"))), func(line int, err error) { t.Fatal(line, err) })
	require.NoError(t, err)
	all := "first_touch,linear,time_decay:14d,w_shaped,full_path,markov:2,shapley"
	for _, c := range []struct {
		file, format string
		lookback     time.Duration
		models       string
	}{
		{td("journeys.ndjson"), "json", 0, all},
		{td("journeys.ndjson"), "table", 0, all},
		{td("journeys.ndjson"), "markdown", 30 * 24 * time.Hour, all},
		{badJourneys(t, dir), "csv", 0, all},
		// Only data-driven: the campaign tables credit by linear, and say so.
		{td("journeys.ndjson"), "table", 0, "markov:1,shapley"},
	} {
		models := c.models
		t.Run(c.format, func(t *testing.T) {
			cfg := pipelines.Attribution{Models: strings.Split(models, ","), Costs: costs, Format: c.format, Lookback: c.lookback}
			report, dead, counts := filepath.Join(dir, "report"), filepath.Join(dir, "dead.ndjson"), filepath.Join(dir, "counts.json")
			p, s := beam.NewPipelineWithRoot()
			a, err := pipelines.AttributeJourneys(s, cfg, pipelines.ReadLines(s, beam.Create(s, c.file)))
			require.NoError(t, err)
			pipelines.WriteText(s, report, a.Report)
			pipelines.WriteDeadLetters(s, dead, []string{c.file}, a.DeadLetters)
			pipelines.WriteCounts(s, counts, a.Counts)
			require.NoError(t, ptest.Run(p))

			args := []string{"attribute", "--journeys", c.file, "--costs", td("costs.csv"), "--models", models, "--format", c.format}
			if c.lookback > 0 {
				args = append(args, "--lookback", "30d")
			}
			stdout, stderr := runCLI(t, args...)
			require.Equal(t, stdout, readFile(t, report), "the report, byte for byte")
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			var n pipelines.Counts
			require.NoError(t, json.Unmarshal([]byte(readFile(t, counts)), &n))
			require.Equal(t, lines[len(lines)-1], fmt.Sprintf("%d journeys read: %d used, %d failed", n.Read, n.Used, n.Failed))
			require.Equal(t, n.Read, n.Used+n.Failed)
			var msgs []string
			for _, d := range deadLetters(t, dead) {
				msgs = append(msgs, d.Error)
			}
			var rows []string // the rows that failed; warnings go in the report too
			for _, l := range lines[:len(lines)-1] {
				if !strings.HasPrefix(l, "leadscore attribute: warning: ") {
					rows = append(rows, l)
				}
			}
			require.Equal(t, strings.Join(rows, "\n"), strings.Join(msgs, "\n"))
		})
	}
}

func TestAttributePathsIsTheCLI(t *testing.T) {
	dir := t.TempDir()
	// PathData.csv in four files, with a bad line in the last: the report
	// of the four merged is the command line's over the whole.
	lines := strings.Split(strings.TrimSpace(readFile(t, td("paths/PathData.csv"))), "\n")
	whole := filepath.Join(dir, "whole.csv")
	var files []string
	for i := 0; i < 4; i++ {
		name := filepath.Join(dir, fmt.Sprintf("part%d.csv", i))
		var part []string
		for k := 1 + i; k < len(lines); k += 4 {
			part = append(part, lines[k])
		}
		if i == 3 {
			part = append(part, "a > > b;1;2;3", "a > b;x;2;3")
		}
		require.NoError(t, os.WriteFile(name, []byte(lines[0]+"\n"+strings.Join(part, "\n")+"\n"), 0o644))
		files = append(files, name)
	}
	require.NoError(t, os.WriteFile(whole, []byte(strings.Join(lines, "\n")+"\n"+"a > > b;1;2;3\na > b;x;2;3\n"), 0o644))
	models := []string{"first_touch", "last_touch", "linear", "time_decay", "position_based", "markov:1", "markov:2", "markov:3", "shapley"}
	for _, format := range []string{"json", "table"} {
		t.Run(format, func(t *testing.T) {
			report, dead, counts := filepath.Join(dir, "report"), filepath.Join(dir, "dead.ndjson"), filepath.Join(dir, "counts.json")
			p, s := beam.NewPipelineWithRoot()
			a, err := pipelines.AttributePaths(s, models, format, pipelines.ReadLines(s, beam.CreateList(s, files)))
			require.NoError(t, err)
			pipelines.WriteText(s, report, a.Report)
			pipelines.WriteDeadLetters(s, dead, files, a.DeadLetters)
			pipelines.WriteCounts(s, counts, a.Counts)
			require.NoError(t, ptest.Run(p))

			stdout, stderr := runCLI(t, "attribute", "--paths", whole, "--models", strings.Join(models, ","), "--format", format)
			require.Equal(t, stdout, readFile(t, report), "the report, byte for byte")
			var n pipelines.Counts
			require.NoError(t, json.Unmarshal([]byte(readFile(t, counts)), &n))
			errLines := strings.Split(strings.TrimSpace(stderr), "\n")
			require.Equal(t, errLines[len(errLines)-1], fmt.Sprintf("%d paths read: %d used, %d failed", n.Read, n.Used, n.Failed))
			letters := deadLetters(t, dead)
			require.Len(t, letters, 2)
			last := len(strings.Split(readFile(t, files[3]), "\n")) - 1 // lines in the last part
			for i, d := range letters {
				require.Equal(t, files[3], d.File)
				require.Equal(t, last-1+i, d.Line)
				// The same reason as the command line gives, at the line of the part.
				_, reason, _ := strings.Cut(errLines[i], ": ")
				require.Equal(t, fmt.Sprintf("%s:%d: %s", files[3], d.Line, reason), d.Error)
			}
		})
	}
}
