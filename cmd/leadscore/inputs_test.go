package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withVerdictsInside writes the bundled leads with the bundled dispositions
// moved into each lead's JSON, and returns the file.
func withVerdictsInside(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(td("dispositions.csv"))
	require.NoError(t, err)
	verdicts := map[string][]map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		r := strings.Split(line, ",")
		d := map[string]string{"at": r[1], "status": r[2]}
		if r[3] != "" {
			d["reason"] = r[3]
		}
		if len(r) > 4 && r[4] != "" {
			d["owner"] = r[4]
		}
		verdicts[r[0]] = append(verdicts[r[0]], d)
	}
	leads, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(leads)), "\n") {
		var l map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &l))
		if v := verdicts[l["id"].(string)]; v != nil {
			l["dispositions"] = v
		}
		out, err := json.Marshal(l)
		require.NoError(t, err)
		b.Write(append(out, '\n'))
	}
	name := filepath.Join(t.TempDir(), "leads.ndjson")
	require.NoError(t, os.WriteFile(name, []byte(b.String()), 0o644))
	return name
}

// The backtest's verdict view is the same whether the verdicts come in a
// file or inside the leads: the hand-offs without a verdict count either way.
func TestBacktestVerdictViewFromVerdictsInside(t *testing.T) {
	args := []string{"backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-08-01", "--format", "json"}
	code, fromFile, errOut := leadscore(t, "", append(args, "--dispositions", td("dispositions.csv"), td("leads.ndjson"))...)
	require.Equal(t, exitOK, code, errOut)
	code, inside, errOut := leadscore(t, "", append(args, withVerdictsInside(t))...)
	require.Equal(t, exitOK, code, errOut)
	view := func(s string) map[string]any {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &r))
		return r["verdict_view"].(map[string]any)
	}
	assert.Equal(t, view(fromFile), view(inside))
	assert.Greater(t, view(inside)["waiting"], 0.0, "hand-offs without a verdict are counted")
}

// Inputs a command needs are asked for, never silently done without.
func TestMissingInputsAreRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"attribute", "--leads", td("leads.csv"), "--model", td("b2b-saas.yaml"), "--at", "2026-10-01"},
			"leadscore attribute: " + td("leads.csv") + `: CSV leads carry no events, and a lead's events are its campaign touches, so every conversion would go to "(no touch)"; give the events file that goes with them (--events EVENTS.csv), or, if these leads truly have none, say so (--no-events)` + "\n"},
		{[]string{"attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--at", "2026-08-01", "--created-field", "createdat"},
			`leadscore attribute: --created-field createdat: the model has no field "createdat"; did you mean "created_at"?` + "\n"},
		{[]string{"backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-08-01", "--created-field", "email", td("leads.ndjson")},
			"leadscore backtest: --created-field email: the field email is string, not a time; name the time field that holds when a lead was created\n"},
	} {
		code, _, errOut := leadscore(t, "", c.args...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Equal(t, c.want, errOut, c.args)
	}
	// CSV reference leads without their events name the reference's flag.
	code, _, errOut := leadscore(t, "", "backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-08-01",
		"--reference", td("leads.csv"), td("leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "(--reference-events EVENTS.csv)")
}

// An activity of a lead the leads file does not hold fails alone: every
// command that reads leads with their events reports it and goes on.
func TestAnEventOfAnUnknownLeadFailsAlone(t *testing.T) {
	src, err := os.ReadFile(td("events.csv"))
	require.NoError(t, err)
	events := filepath.Join(t.TempDir(), "events.csv")
	lines := strings.Count(string(src), "\n")
	require.NoError(t, os.WriteFile(events, append(src, []byte("NOBODY,page_view,2026-09-01T00:00:00Z,,,,\n")...), 0o644))
	want := events + ":" + strconv.Itoa(lines+1) + ": no lead in the leads file has lead_id \"NOBODY\"; the event was not used\n"
	for _, args := range [][]string{
		{"backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-08-01"},
		{"feedback", "--model", td("b2b-saas.yaml"), "--dispositions", td("dispositions.csv"), "--at", "2026-10-01", "--leads"},
		{"attribute", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-10-01", "--leads"},
		{"diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--at", "2026-10-01", "--leads"},
	} {
		code, out, errOut := leadscore(t, "", append(args, td("leads.csv"), "--events", events)...)
		assert.Equal(t, exitProblem, code, "%v: %s", args[0], errOut)
		assert.Contains(t, errOut, want, args[0])
		assert.NotEmpty(t, out, "%s: the report is written", args[0])
	}
}

// The leads are not searched for verdicts before they are read: the first
// row that carries some, even the last, has every lead measured again with
// the verdict view. The report is the one the verdict view gives from the
// start (an empty dispositions file asks for it), and a broken row read
// before the verdicts were found is told once.
func TestBacktestFindsVerdictsInTheLastLead(t *testing.T) {
	lines := withVerdictInLastRow(t, td("leads.ndjson"))
	lines[2] = `{"id": "BROKEN", "employees": "many"}`
	dir := t.TempDir()
	file := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	empty := filepath.Join(dir, "dispositions.csv")
	require.NoError(t, os.WriteFile(empty, []byte("lead_id,at,status,reason\n"), 0o644))

	for _, format := range []string{"json", "table"} {
		args := []string{"backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-07-01", "--capacity", "5/week", "--format", format}
		code, found, errFound := leadscore(t, "", append(args, file)...)
		require.Equal(t, exitProblem, code, errFound)
		code, asked, errAsked := leadscore(t, "", append(args, "--dispositions", empty, file)...)
		require.Equal(t, exitProblem, code, errAsked)
		assert.Equal(t, asked, found, format)
		dispositionsLine := empty + ": 0 disposition rows: 0 read, 0 failed\n"
		require.Contains(t, errAsked, dispositionsLine)
		assert.Equal(t, strings.Replace(errAsked, dispositionsLine, "", 1), errFound, format)
		assert.Equal(t, 1, strings.Count(errFound, file+":3:"), "the broken row is told once: %s", errFound)
		if format == "json" {
			var r map[string]any
			require.NoError(t, json.Unmarshal([]byte(found), &r))
			view, ok := r["verdict_view"].(map[string]any)
			require.True(t, ok, "the verdict view is reported")
			assert.Greater(t, view["waiting"], 0.0, "hand-offs without a verdict are counted")
		}
	}
}

// Before the leads were looked at row by row, the whole file was searched
// for "dispositions": a row over --max-row that names them (it fails
// alone) still had every lead measured with the verdict view. Reading the
// rows as they come must not lose that: such a row is never handed to
// leadfile's Spot (an over-long row has no text), so the verdict view
// silently went missing from the report.
func TestBacktestVerdictsInAnOverLongRow(t *testing.T) {
	leads, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(leads)), "\n")
	var row map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[5]), &row))
	row["dispositions"] = []map[string]string{{"at": "2026-07-20T00:00:00Z", "status": "accepted"}}
	row["note"] = strings.Repeat("x", 8<<10)
	long, err := json.Marshal(row)
	require.NoError(t, err)
	lines[5] = string(long)
	dir := t.TempDir()
	file := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	empty := filepath.Join(dir, "dispositions.csv")
	require.NoError(t, os.WriteFile(empty, []byte("lead_id,at,status,reason\n"), 0o644))

	args := []string{"backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "2026-07-01", "--max-row", "4KiB", "--format", "json"}
	code, found, errFound := leadscore(t, "", append(args, file)...)
	require.Equal(t, exitProblem, code, errFound)
	require.Contains(t, errFound, file+":6: ", "the over-long row fails alone")
	code, asked, errAsked := leadscore(t, "", append(args, "--dispositions", empty, file)...)
	require.Equal(t, exitProblem, code, errAsked)
	require.True(t, strings.Contains(asked, `"verdict_view": {`))
	assert.True(t, strings.Contains(found, `"verdict_view": {`), "the verdict view, as when the file was searched before it was read")
	assert.True(t, asked == found, "the same report as with the verdict view asked for")
}

// A CSV export read through --source cannot carry sales' verdicts, whatever
// its file is named: a cell that reads "dispositions" in one not named
// .csv no longer turns the verdict view on (the file was once searched
// whole for the word); the report is the one the same file named .csv
// gives.
func TestBacktestSourceLeadsCarryNoVerdicts(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "crm", "hubspot-contacts.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	cells := strings.SplitN(lines[5], ",", 3)
	lines[5] = cells[0] + `,"dispositions",` + cells[2]
	dir := t.TempDir()
	export, named := filepath.Join(dir, "contacts.export"), filepath.Join(dir, "contacts.csv")
	for _, f := range []string{export, named} {
		require.NoError(t, os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	}
	outcomes := filepath.Join(dir, "outcomes.csv")
	require.NoError(t, os.WriteFile(outcomes, []byte("lead_id,opportunity,won,revenue\n50000001,2026-07-10T00:00:00Z,2026-08-01T00:00:00Z,5000\n"), 0o644))

	args := []string{"backtest", "--model", filepath.Join("..", "..", "testdata", "b2b-saas.yaml"), "--outcomes", outcomes, "--at", "2026-07-01", "--format", "json",
		"--source", filepath.Join("..", "..", "testdata", "crm", "hubspot.yaml"), "--events", filepath.Join("..", "..", "testdata", "crm", "hubspot-activities.csv")}
	code, fromExport, errExport := leadscore(t, "", append(args, export)...)
	require.Equal(t, exitOK, code, errExport)
	code, fromNamed, errNamed := leadscore(t, "", append(args, named)...)
	require.Equal(t, exitOK, code, errNamed)
	assert.Equal(t, fromNamed, fromExport)
	assert.NotContains(t, fromExport, `"verdict_view": {`)
	assert.Equal(t, errNamed, strings.ReplaceAll(errExport, "contacts.export", "contacts.csv"))
}

// withVerdictInLastRow is the rows of a leads file, the last lead's with
// an accepted verdict it carries.
func withVerdictInLastRow(t *testing.T, name string) []string {
	t.Helper()
	leads, err := os.ReadFile(name)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(leads)), "\n")
	var last map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	last["dispositions"] = []map[string]string{{"at": "2026-07-20T00:00:00Z", "status": "accepted"}}
	carried, err := json.Marshal(last)
	require.NoError(t, err)
	lines[len(lines)-1] = string(carried)
	return lines
}
