package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orphanEventsInputs writes testdata/leads.csv with one lead row broken
// (L0000003's employees), testdata/events.csv with two rows for leads no
// row has (L9999998, L9999999), and outcomes naming one of those and the
// broken lead: 1000 lead rows, 1 of them failing, and 2 events rows that
// are no lead rows at all.
func orphanEventsInputs(t *testing.T) (leads, events, outcomes string) {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(td("leads.csv"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(src), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "L0000003,") {
			cells := strings.Split(l, ",")
			cells[4] = "many"
			lines[i] = strings.Join(cells, ",")
		}
	}
	leads = filepath.Join(dir, "leads.csv")
	require.NoError(t, os.WriteFile(leads, []byte(strings.Join(lines, "")), 0o644))
	ev, err := os.ReadFile(td("events.csv"))
	require.NoError(t, err)
	events = filepath.Join(dir, "events.csv")
	require.NoError(t, os.WriteFile(events, append(ev, []byte(
		"L9999999,email_click,2026-06-09T13:01:35Z,newsletter,email,,\n"+
			"L9999998,email_click,2026-06-09T13:01:35Z,newsletter,email,,\n")...), 0o644))
	outcomes = filepath.Join(dir, "outcomes.csv")
	require.NoError(t, os.WriteFile(outcomes, []byte("lead_id,opportunity,won,revenue,lost\n"+
		"L9999999,2026-07-10T00:00:00Z,,,\n"+
		"L0000003,2026-07-10T00:00:00Z,,,\n"), 0o644))
	return leads, events, outcomes
}

// Events rows for leads the leads file does not have are not lead rows:
// backtest keeps them out of "lead rows read: failed, used" (so rows read
// = added + failed, in the text and the JSON), says them on a line of
// their own as score does, and an outcome of such an id names no lead
// (it is no outcome of a failed lead).
func TestBacktestUnusedEventsAreNoLeadRows(t *testing.T) {
	leads, events, outcomes := orphanEventsInputs(t)
	args := []string{"backtest", "--model", td("b2b-saas.yaml"), "--outcomes", outcomes, "--at", "2026-07-01", "--events", events}
	code, _, errOut := leadscore(t, "", append(args, leads)...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "\n1000 lead rows read: 1 failed, 999 used = ")
	assert.Contains(t, errOut, "\n2 event rows name a lead_id no lead row has; they were not used\n")
	assert.Equal(t, 2, strings.Count(errOut, "no lead in the leads file has this lead_id"))
	assert.Contains(t, errOut, outcomes+`:2: no lead in the leads file has the id "L9999999"`)
	assert.NotContains(t, errOut, "failed before their id could be read")

	code, out, _ := leadscore(t, "", append(args, "--format", "json", leads)...)
	assert.Equal(t, exitProblem, code)
	var rep struct {
		Leads struct {
			Added, Failed         int
			OutcomesOfFailedLeads int `json:"outcomes_of_failed_leads"`
			OutcomesWithoutLead   int `json:"outcomes_without_lead"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, 1000, rep.Leads.Added+rep.Leads.Failed, "lead rows read = added + failed")
	assert.Equal(t, 1, rep.Leads.Failed)
	assert.Equal(t, 1, rep.Leads.OutcomesOfFailedLeads, "L0000003's")
	assert.Equal(t, 1, rep.Leads.OutcomesWithoutLead, "L9999999's")
}

// feedback counts them apart too: its lead rows are the leads file's.
func TestFeedbackUnusedEventsAreNoLeadRows(t *testing.T) {
	leads, events, _ := orphanEventsInputs(t)
	code, _, errOut := leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--leads", leads, "--events", events,
		"--dispositions", td("dispositions.csv"), "--at", "2026-10-01")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "\n1000 lead rows: 999 used, 1 failed; ")
	assert.Contains(t, errOut, "\n2 event rows name a lead_id no lead row has; they were not used\n")
}
