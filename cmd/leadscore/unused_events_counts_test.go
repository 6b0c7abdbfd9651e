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
	assert.Equal(t, 2, strings.Count(errOut, "no lead in the leads file has lead_id"))
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

// The events of a lead whose row failed before they could be joined to it
// (a row with cells missing) are that lead's, not rows that "no lead has":
// each names the lead and its failed row, they are counted apart, and an
// events row that names no lead says which id, by the events file's
// column (the mapping's, for a CRM export).
func TestEventsOfAFailedRowNameIt(t *testing.T) {
	dir := t.TempDir()
	cut := func(name string, n int, keep int, extra string) string {
		src, err := os.ReadFile(td(name))
		require.NoError(t, err)
		lines := strings.Split(string(src), "\n")
		lines[n-1] = strings.Join(strings.Split(lines[n-1], ",")[:keep], ",")
		f := filepath.Join(dir, filepath.Base(name))
		require.NoError(t, os.WriteFile(f, []byte(strings.Join(lines, "\n")+extra), 0o644))
		return f
	}
	t.Run("plain", func(t *testing.T) {
		leads := cut("leads.csv", 4, 5, "") // L0000003, 5 of its 11 cells
		events := filepath.Join(dir, "events.csv")
		ev, err := os.ReadFile(td("events.csv"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(events, append(ev, "L9999999,email_click,2026-07-09T13:01:35Z,newsletter,email,,\n"...), 0o644))
		code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--events", events, "-o", filepath.Join(dir, "o.ndjson"), leads)
		assert.Equal(t, exitProblem, code)
		assert.Contains(t, errOut, leads+":4: lead L0000003: this row has 5 cells but the header has 11")
		for _, l := range []string{"5", "6", "7"} {
			assert.Contains(t, errOut, events+":"+l+": lead L0000003: the lead's row ("+leads+":4) failed, so this event was not used; fix that row\n")
		}
		assert.Contains(t, errOut, events+`:5288: no lead in the leads file has lead_id "L9999999"; the event was not used`)
		assert.Contains(t, errOut, "\n1 event rows name a lead_id no lead row has; they were not used\n3 event rows of leads whose rows failed were not used, with their leads\n")

		code, _, errOut = leadscore(t, "", "backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("backtest/outcomes.csv"), "--at", "2026-07-01", "--events", events, leads)
		assert.Equal(t, exitProblem, code)
		assert.Contains(t, errOut, "\n1000 lead rows read: 1 failed, 999 used = ")
		assert.Contains(t, errOut, "\n1 event row name a lead_id no lead row has; they were not used\n")
	})
	t.Run("mapped", func(t *testing.T) {
		contacts := cut("crm/hubspot-contacts.csv", 41, 5, "") // 50000040, 5 cells
		acts := filepath.Join(dir, "acts.csv")
		a, err := os.ReadFile(td("crm/hubspot-activities.csv"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(acts, append(a, "99999999,59999999,Email Click,07/09/2026 09:01:35,newsletter,email,,\n"...), 0o644))
		code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--source", td("crm/hubspot.yaml"), "--events", acts, "-o", filepath.Join(dir, "o.ndjson"), contacts)
		assert.Equal(t, exitProblem, code)
		assert.Contains(t, errOut, contacts+":41: lead 50000040: this row has 5 cells but the header has 14")
		for _, l := range []string{"154", "155"} {
			assert.Contains(t, errOut, acts+":"+l+": lead 50000040: the lead's row ("+contacts+":41) failed, so this event was not used; fix that row\n")
		}
		assert.Contains(t, errOut, `: no lead in the leads file has Record ID "59999999"; the event was not used`)
		assert.NotContains(t, errOut, "has this lead_id")
		assert.Contains(t, errOut, "\n1 event rows name a lead_id no lead row has; they were not used\n2 event rows of leads whose rows failed were not used, with their leads\n")
	})
}

// Ids a spreadsheet turned into numbers (5.00001E+07) fail their rows
// with the fix (re-export, or the id column as text), in score and
// backtest alike: not "given again" with advice to merge the two leads.
func TestSpreadsheetNumberIDsFail(t *testing.T) {
	src, err := os.ReadFile(td("leads.csv"))
	require.NoError(t, err)
	text := strings.Replace(strings.Replace(string(src), "\nL0000009,", "\n5.00001E+07,", 1), "\nL0000010,", "\n5.00001E+07,", 1)
	leads := filepath.Join(t.TempDir(), "leads.csv")
	require.NoError(t, os.WriteFile(leads, []byte(text), 0o644))
	const why = ": lead 5.00001E+07: the id was turned into a number by a spreadsheet (Excel writes a long number as 5.00001E+07), and its last digits are lost; export the file from the CRM again and do not save it from a spreadsheet, or format the id column as text before saving\n"
	code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--no-events", "-o", filepath.Join(t.TempDir(), "o.ndjson"), leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, leads+":10"+why)
	assert.Contains(t, errOut, leads+":11"+why)
	assert.NotContains(t, errOut, "given again")
	assert.Contains(t, errOut, "1000 rows in: 998 scored, 2 failed")

	code, _, errOut = leadscore(t, "", "backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("backtest/outcomes.csv"), "--at", "2026-07-01", "--no-events", leads)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, leads+":10"+why)
	assert.Contains(t, errOut, leads+":11"+why)
	assert.NotContains(t, errOut, "appears twice")
	assert.Contains(t, errOut, "1000 lead rows read: 2 failed, 998 used")
}

// diff's impact counts leads too: events rows naming no lead are no leads
// that "could not be scored".
func TestDiffUnusedEventsAreNoLeads(t *testing.T) {
	leads, events, _ := orphanEventsInputs(t)
	code, out, errOut := leadscore(t, "", "diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--leads", leads, "--events", events, "--at", "2026-07-01")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, "1 lead could not be scored and is left out")
	assert.Contains(t, errOut, "\n2 event rows name a lead_id no lead row has; they were not used\n")
}
