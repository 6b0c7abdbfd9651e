package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

func TestBenchReportsEveryExpression(t *testing.T) {
	code, out, errOut := leadscore(t, "", "bench", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-01", "--rounds", "1")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "model b2b-saas, 1,000 leads (0 failed), as of 2026-10-01T00:00:00Z, 1 rounds, one core\n")
	assert.Regexp(t, `scoring: [0-9,]+ ns per lead \([0-9,]+ leads a second\)`, out)
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	// One line per define, rule, gate, grade with a condition and stage,
	// two for reading the data, one for the rest.
	want := 3
	for _, d := range m.Defines {
		assert.Regexp(t, `\n\s+[0-9]+\s+1\.00\s+define\s+`+regexp.QuoteMeta(d.Name)+`\s+compiled Go\n`, out)
		want++
	}
	for _, r := range append(m.Gates, m.Rules...) {
		how := "compiled Go"
		if r.When == nil {
			how = "no condition"
		}
		assert.Regexp(t, `\s+[0-9.]+\s+\S*\s*(rule|gate)\s+`+regexp.QuoteMeta(r.ID)+`\s+`+how+`\n`, out)
		want++
	}
	want += len(m.Grades) - 1 + len(m.Stages) // the last grade has no condition
	assert.Regexp(t, `\n\s+[0-9]+\s+data\s+binding the fields, counting the events\s*\n`, out)
	assert.Regexp(t, `\n\s+-?[0-9]+\s+other\s+building the result, and what timing each step apart misses\s*\n$`, out)
	_, table, _ := strings.Cut(out, "runs as\n")
	assert.Equal(t, want, strings.Count(table, "\n"))

	// An expression the closures do not cover is said to run on the VM.
	code, out, _ = leadscore(t, "", "bench", "--model", "../../scoring/testdata/shapes.yaml", "--leads", td("leads.ndjson"), "--rounds", "1")
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `rule\s+fit.split\s+expr VM\n`, out)

	for _, bad := range []struct {
		args []string
		says string
	}{
		{[]string{"--model", td("b2b-saas.yaml")}, "--model and --leads are required"},
		{[]string{"--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--rounds", "0"}, "--rounds 0: want 1 or more"},
		{[]string{"--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--rounds", "-3"}, "--rounds -3: want 1 or more"},
		{[]string{"--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "more.ndjson"}, `unexpected argument "more.ndjson"`},
	} {
		code, out, errOut = leadscore(t, "", append([]string{"bench"}, bad.args...)...)
		assert.Equal(t, exitUsage, code, bad.args)
		assert.Contains(t, errOut, bad.says)
		assert.Empty(t, out)
	}
}

// bench reads a CRM export through a source mapping, as score does: the
// same leads as the canonical NDJSON, so the same counts.
func TestBenchThroughASourceMapping(t *testing.T) {
	code, out, errOut := leadscore(t, "", "bench", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--rounds", "1",
		"--source", td("crm/hubspot.yaml"), "--events", td("crm/hubspot-activities.csv"), "--leads", td("crm/hubspot-contacts.csv"))
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "model b2b-saas, 1,000 leads (0 failed), as of 2026-10-01T00:00:00Z, 1 rounds, one core\n")

	code, _, errOut = leadscore(t, "", "bench", "--model", td("b2b-saas.yaml"), "--events", td("crm/hubspot-activities.csv"), "--leads", td("leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore bench: --events goes with --source: bench reads NDJSON leads, which carry their events\n", errOut)
}

// When every sample lead fails, bench exits 1 and says why the first few
// failed; when some do, it says how many were left out.
func TestBenchSaysWhyLeadsFail(t *testing.T) {
	var bad strings.Builder
	for i := range 5 {
		fmt.Fprintf(&bad, `{"id":"B%d","employees":"many"}`+"\n", i)
	}
	leads := writeTemp(t, "bad.ndjson", bad.String())
	code, out, errOut := leadscore(t, "", "bench", "--model", td("b2b-saas.yaml"), "--leads", leads, "--at", "2026-10-01", "--rounds", "1")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, "5 leads (5 failed)")
	assert.Equal(t, 3, strings.Count(errOut, "employees"), "the reasons of the first three: %s", errOut)
	assert.Contains(t, errOut, "leadscore bench: and 2 more failed\n")
	assert.Contains(t, errOut, "leadscore bench: every one of the 5 sample leads failed, so nothing was measured (why is above)\n")

	good, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	first, _, _ := strings.Cut(string(good), "\n")
	leads = writeTemp(t, "some.ndjson", first+"\n"+`{"id":"B1","employees":"many"}`+"\n")
	code, out, errOut = leadscore(t, "", "bench", "--model", td("b2b-saas.yaml"), "--leads", leads, "--at", "2026-10-01", "--rounds", "1")
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "2 leads (1 failed)")
	assert.Contains(t, errOut, "leadscore bench: 1 of 2 sample leads failed and were left out of the measurement\n")
	assert.Contains(t, errOut, "B1")
}

// bench --outcomes times each stage of the outcome loop per lead: one row
// each, in order, with a positive time, over the leads that score (and
// says how many have an outcome); without --outcomes there is no such
// table.
func TestBenchOutcomeLoop(t *testing.T) {
	code, out, errOut := leadscore(t, "", "bench", "--model", td("b2b-saas.yaml"), "--leads", td("backtest/leads.ndjson"),
		"--outcomes", td("backtest/outcomes.csv"), "--at", "2026-07-01", "--rounds", "1")
	require.Equal(t, exitOK, code, errOut)
	_, loop, ok := strings.Cut(out, "\nthe outcome loop, per lead, over 3,000 leads (272 with an outcome), T0 2026-07-01T00:00:00Z, one core:\n")
	require.True(t, ok, out)
	lines := strings.Split(strings.TrimSpace(loop), "\n")
	require.Len(t, lines, 10, loop)
	assert.True(t, strings.HasPrefix(lines[0], "ns/lead"))
	for i, stage := range []string{"decode", "score", "timeline", "measure", "report", "suggest trace", "suggest rank", "suggest score", "suggest replay"} {
		f := strings.Fields(lines[i+1])
		ns, err := strconv.Atoi(strings.ReplaceAll(f[0], ",", ""))
		require.NoError(t, err, lines[i+1])
		assert.Positive(t, ns, lines[i+1])
		assert.True(t, strings.HasPrefix(strings.Join(f[1:], " "), stage), "row %d is %q, want stage %s", i+1, lines[i+1], stage)
	}
	code, out, _ = leadscore(t, "", "bench", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--rounds", "1")
	require.Equal(t, exitOK, code)
	assert.NotContains(t, out, "outcome loop")
}
