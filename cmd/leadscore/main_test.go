package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leadscore runs the command in-process and returns its exit code, stdout and stderr.
func leadscore(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func td(name string) string { return filepath.Join("..", "..", "testdata", name) }

func TestCheckBundledDirectory(t *testing.T) {
	// A directory with a model, the file it includes and its test file:
	// only the model is a model.
	dir := t.TempDir()
	for _, name := range []string{"b2b-saas.yaml", filepath.Join("common", "lists.yaml"), "b2b-saas_test.yaml"} {
		b, err := os.ReadFile(td(name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	code, out, _ := leadscore(t, "", "check", dir)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "ok   "+filepath.Join(dir, "b2b-saas.yaml")+" (model b2b-saas)\n", out)

	code, _, _ = leadscore(t, "", "check", td(""))
	assert.Equal(t, exitOK, code, "every model in testdata compiles")
}

const broken = `leadscore: 1
model: m
fields:
  industry: string
scores:
  fit: {min: 0, max: 100}
rules:
  - id: r
    score: fitt
    when: industy == "software"
    points: 10
stages:
  - {id: sql, sales_ready: true, when: fit > 5}
`

func writeTemp(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	return path
}

func TestCheckReportsEveryProblem(t *testing.T) {
	path := writeTemp(t, "m.yaml", broken)
	code, out, _ := leadscore(t, "", "check", path)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, path+`:9:12: rule r scores unknown category "fitt"; did you mean "fit"?
        score: fitt
               ^
`+path+`:10:11: unknown name "industy"; did you mean "industry"?
        when: industy == "software"
              ^
FAIL `+path+"\n", out)

	code, out, _ = leadscore(t, "", "check", "--format", "json", path, td("b2b-saas.yaml"))
	assert.Equal(t, exitProblem, code)
	var rep struct {
		OK    bool
		Files []struct {
			File, Model string
			OK          bool
		}
		Diagnostics []struct {
			File              string
			Line, Col         int
			Severity, Message string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.False(t, rep.OK)
	require.Len(t, rep.Files, 2)
	assert.True(t, rep.Files[1].OK)
	assert.Equal(t, "b2b-saas", rep.Files[1].Model)
	require.Len(t, rep.Diagnostics, 2)
	assert.Equal(t, 10, rep.Diagnostics[1].Line)
	assert.Equal(t, 11, rep.Diagnostics[1].Col)
	assert.Equal(t, "error", rep.Diagnostics[1].Severity)
}

func TestScoreBundledLeads(t *testing.T) {
	code, out, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", td("leads.ndjson"))
	assert.Equal(t, exitOK, code, errOut)
	want, err := os.ReadFile(td(filepath.Join("golden", "scores.ndjson")))
	require.NoError(t, err)
	assert.Equal(t, string(want), out)
	assert.Contains(t, errOut, "1000 rows in: 1000 scored, 0 failed (as of 2026-10-01T00:00:00Z")
	assert.Contains(t, errOut, "stages: sql (sales-ready) 21, mql 39, engaged 156, no stage 784; disqualified 130")
}

func TestScoreFromStdinToCSVFile(t *testing.T) {
	in, err := os.ReadFile(td("bad-leads.ndjson"))
	require.NoError(t, err)
	outFile := filepath.Join(t.TempDir(), "scores.csv")
	// Flags after the input work too.
	code, out, errOut := leadscore(t, string(in), "score", "-", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--format", "csv", "-o", outFile, "--quiet")
	assert.Equal(t, exitProblem, code, "some rows failed")
	assert.Empty(t, out)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	assert.Len(t, lines, 6, "one line per bad row, no summary with --quiet")
	assert.Equal(t, `stdin:2: lead B2: employees: want a whole number, got the text "250"`, lines[0])
	csv, err := os.ReadFile(outFile)
	require.NoError(t, err)
	assert.Equal(t, 9, strings.Count(string(csv), "\n"), "header and one row per input row")
}

func TestScoreUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"score", td("leads.ndjson")}, "leadscore score: --model is required: the rule file to score with\n"},
		{[]string{"score", "--model", td("b2b-saas.yaml"), "--at", "tomorrow"}, "leadscore score: --at: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got \"tomorrow\"\n"},
		{[]string{"score", "--model", td("b2b-saas.yaml"), "--format", "xml"}, "leadscore score: --format: unknown format \"xml\"; use ndjson or csv\n"},
		{[]string{"score", "--model", td("b2b-saas.yaml"), "a", "b"}, "leadscore score: give one input file (or - for standard input), not 2\n"},
		{[]string{"frobnicate"}, "leadscore: unknown command \"frobnicate\"\n"},
	} {
		code, _, errOut := leadscore(t, "", tc.args...)
		assert.Equal(t, exitUsage, code, tc.args)
		assert.True(t, strings.HasPrefix(errOut, tc.want), "%v: %s", tc.args, errOut)
	}
}

func TestScoreRefusesABrokenModel(t *testing.T) {
	path := writeTemp(t, "m.yaml", broken)
	code, out, errOut := leadscore(t, `{"id":"x"}`, "score", "--model", path)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, path+`:10:11: unknown name "industy"`)
	assert.Contains(t, errOut, "does not compile; nothing was scored")
}

func TestHelp(t *testing.T) {
	code, out, _ := leadscore(t, "")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "check    compile rule files")
	code, _, errOut := leadscore(t, "", "help", "score")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "Usage: leadscore score --model FILE")
}

func TestTestCommand(t *testing.T) {
	code, out, _ := leadscore(t, "", "test", "--coverage", "--min-coverage", "100", td(""))
	assert.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "test: 25 passed, 0 failed, 1 skipped\n")
	assert.Contains(t, out, "coverage of b2b-saas by "+td("b2b-saas_test.yaml")+": 100.0% (69 of 69 outcomes)")

	failing := filepath.Join("..", "..", "testdata", "failing.yaml")
	code, out, _ = leadscore(t, "", "test", failing)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, "FAIL  sales thinks an analyst who asked for a demo is sales-ready")
	assert.Contains(t, out, "test: 1 passed, 1 failed, 0 skipped\n")

	code, out, _ = leadscore(t, "", "test", "--run", "student", "-v", td(""))
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "  ok    A student is never sales-ready\n")
	assert.Contains(t, out, "test: 1 passed, 0 failed, 0 skipped\n")

	code, out, _ = leadscore(t, "", "test", "--format", "junit", failing)
	assert.Equal(t, exitProblem, code)
	assert.True(t, strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<testsuites"))

	code, _, errOut := leadscore(t, "", "test", "--min-coverage", "101", td(""))
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "coverage of "+td("b2b-saas_test.yaml")+" is 100.0%, below the 101.0% required")

	code, _, errOut = leadscore(t, "", "test", t.TempDir())
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "no test files")
}

func TestExplainCommand(t *testing.T) {
	lead := `{"id":"x","email":"maria@acme.io","title":"VP Engineering","industry":"software","employees":250,"country":"US","events":[{"type":"demo_request","at":"2026-09-29T00:00:00Z"}]}`
	code, out, errOut := leadscore(t, lead, "explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "-")
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "lead x, as of 2026-10-01T00:00:00Z: stage sql (sales-ready), grade A, total 110\n")
	assert.Contains(t, out, "yes  lower(industry) in target_industries")
	assert.Contains(t, out, "\nnot fired:\n")

	code, out, _ = leadscore(t, lead, "explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--format", "json")
	assert.Equal(t, exitOK, code)
	var x struct {
		Result struct{ Stage string }
		Rules  []struct {
			Rule  string
			Fired bool
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &x))
	assert.Equal(t, "sql", x.Result.Stage)
	assert.Len(t, x.Rules, 15)

	code, _, errOut = leadscore(t, `{"id": 1, "title": "x"}`, "explain", "--model", td("b2b-saas.yaml"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "email: required but missing")
}

func TestCheckStrict(t *testing.T) {
	code, out, _ := leadscore(t, "", "check", "--strict", td(filepath.Join("lint", "sloppy.yaml")))
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, 8, strings.Count(out, ": warning: "))
	code, _, _ = leadscore(t, "", "check", td(filepath.Join("lint", "sloppy.yaml")))
	assert.Equal(t, exitOK, code, "without --strict, findings do not fail")
	code, _, _ = leadscore(t, "", "check", "--strict", td("b2b-saas.yaml"))
	assert.Equal(t, exitOK, code)
}

func TestDiffFiles(t *testing.T) {
	code, out, errOut := leadscore(t, "", "diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-01")
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "**Sales-ready: 21 → 23 (+2, +9.5%)** of 1,000 leads: 4 start, 2 stop being sales-ready.")
	code, out, _ = leadscore(t, "", "diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--format", "json")
	assert.Equal(t, exitOK, code)
	var rep struct {
		Changes []struct{ Kind, Name string }
		Impact  any
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Len(t, rep.Changes, 5)
	assert.Nil(t, rep.Impact, "no leads, no impact")
}

// diff reads old versions of a rule file, with its includes, from git.
func TestDiffGitRevisions(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	gitIn := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	copyTo := func(src, dst string) {
		b, err := os.ReadFile(src)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, b, 0o644))
	}
	gitIn("init", "-q")
	copyTo(td("b2b-saas.yaml"), filepath.Join(repo, "rules", "b2b.yaml"))
	copyTo(td(filepath.Join("common", "lists.yaml")), filepath.Join(repo, "rules", "common", "lists.yaml"))
	gitIn("add", ".")
	gitIn("commit", "-q", "-m", "q3")
	copyTo(td("b2b-saas-v2.yaml"), filepath.Join(repo, "rules", "b2b.yaml"))
	gitIn("commit", "-q", "-am", "q4")

	t.Chdir(repo)
	code, out, errOut := leadscore(t, "", "diff", "HEAD~1:rules/b2b.yaml", "HEAD:rules/b2b.yaml")
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "`HEAD~1:rules/b2b.yaml` → `HEAD:rules/b2b.yaml`")
	assert.Contains(t, out, "## Rule changes (5)")

	code, _, errOut = leadscore(t, "", "diff", "nope:rules/b2b.yaml", "rules/b2b.yaml")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "git cannot give rules at nope")
}

func TestFmtCommand(t *testing.T) {
	messy, err := os.ReadFile(td(filepath.Join("fmt", "messy.yaml")))
	require.NoError(t, err)
	golden, err := os.ReadFile(td(filepath.Join("fmt", "messy.golden.yaml")))
	require.NoError(t, err)

	code, out, _ := leadscore(t, string(messy), "fmt")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, string(golden), out, "standard input to standard output")

	path := writeTemp(t, "m.yaml", string(messy))
	code, out, _ = leadscore(t, "", "fmt", "--check", path)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, path+" is not formatted; run leadscore fmt -w "+path+"\n", out)

	code, _, _ = leadscore(t, "", "fmt", "-w", path)
	assert.Equal(t, exitOK, code)
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(golden), string(written))
	code, _, _ = leadscore(t, "", "fmt", "--check", path)
	assert.Equal(t, exitOK, code, "formatted files pass --check")
}

// From leads to report: the CLI scores each lead's timeline for its
// sales-ready moment, builds the journeys (the bundled journeys file, byte
// for byte) and reports exactly what the attribution package reports from
// those journeys (the golden report).
func TestAttributeFromLeads(t *testing.T) {
	out := filepath.Join(t.TempDir(), "journeys.ndjson")
	code, md, errOut := leadscore(t, "", "attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"),
		"--outcomes", td("outcomes.csv"), "--costs", td("costs.csv"), "--at", "2026-10-01",
		"--format", "markdown", "--journeys-out", out)
	assert.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "1000 journeys read: 1000 used, 0 failed\n", errOut)
	golden, err := os.ReadFile(td(filepath.Join("golden", "attribution.md")))
	require.NoError(t, err)
	assert.Equal(t, string(golden), md)
	built, err := os.ReadFile(out)
	require.NoError(t, err)
	bundled, err := os.ReadFile(td("journeys.ndjson"))
	require.NoError(t, err)
	assert.Equal(t, string(bundled), string(built), "regenerate with the same command and --journeys-out testdata/journeys.ndjson")
}

func TestAttributeFromJourneysAndBadRows(t *testing.T) {
	code, csvOut, _ := leadscore(t, "", "attribute", "--journeys", td("journeys.ndjson"), "--costs", td("costs.csv"),
		"--models", "last_non_direct;time_decay:14d;position_based:40/40", "--format", "csv")
	assert.Equal(t, exitOK, code)
	recs, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"level", "name", "channel", "cost", "touched", "sales_ready", "opportunities", "won",
		"cost_per_sales_ready", "cost_per_won", "last_non_direct_conversions", "last_non_direct_revenue", "last_non_direct_roas",
		"last_non_direct_roi", "time_decay_conversions", "time_decay_revenue", "time_decay_roas", "time_decay_roi",
		"position_based_conversions", "position_based_revenue", "position_based_roas", "position_based_roi"}, recs[0])
	total := recs[len(recs)-1]
	assert.Equal(t, []string{"total", "total", "", "95000", "1000", "45", "43", "18"}, total[:8])
	assert.Equal(t, "388600", total[11])

	bad := writeTemp(t, "j.ndjson", `{"id":"a","touches":[{"at":"2026-06-01T00:00:00Z","campaign":"c","channel":"e"}],"converted":true,"revenue":5}
{"id":"b","touches":[],"revenu":1}
`)
	code, _, errOut := leadscore(t, "", "attribute", "--journeys", bad)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, bad+":2: json: unknown field \"revenu\"\n2 journeys read: 1 used, 1 failed\n", errOut)

	code, _, errOut = leadscore(t, "", "attribute", "--journeys", bad, "--models", "lineer")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `--models: unknown model "lineer"`)
}

func TestAttributePaths(t *testing.T) {
	code, md, errOut := leadscore(t, "", "attribute", "--paths", td(filepath.Join("paths", "PathData.csv")),
		"--models", "first_touch,markov:1,markov:2,markov:3,shapley", "--format", "markdown")
	assert.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "10000 paths read: 10000 used, 0 failed\n", errOut)
	golden, err := os.ReadFile(td(filepath.Join("golden", "pathdata.md")))
	require.NoError(t, err)
	assert.Equal(t, string(golden), md, "the same report as the attribution package's")

	bad := writeTemp(t, "p.csv", "path;total_conversions;total_conversion_value;total_null\na > b;1;5;2\nb;x;0;0\n")
	code, out, errOut := leadscore(t, "", "attribute", "--paths", bad, "--format", "csv")
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, bad+":3: total_conversions: want a number of at least 0, got \"x\"\n2 paths read: 1 used, 1 failed\n", errOut)
	assert.Contains(t, out, "channel,first_touch_conversions,first_touch_value,last_touch_conversions")
	assert.Contains(t, out, "markov:3_conversions")

	code, _, errOut = leadscore(t, "", "attribute", "--paths", bad, "--models", "markov:0")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "the order of a Markov chain is 1 to 7, not 0")
}

func TestAttributeJourneysWithDataDrivenModels(t *testing.T) {
	code, md, errOut := leadscore(t, "", "attribute", "--journeys", td("journeys.ndjson"), "--models", "w_shaped,markov:2,shapley", "--format", "markdown")
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, md, "| channel | markov:2 conv. | markov:2 value | shapley conv. | shapley value |")
	// The bundled journeys hold 18 won deals (388,600); 2 (33,700) had no touch before the win.
	assert.Contains(t, md, "| total | 16 | 354,900 | 16 | 354,900 |")
	assert.Contains(t, md, "2 conversions (value 33700.00) came from journeys with no touch in the window; markov:2 and shapley credit only journeys with a path")
}
