package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// "held" means one thing in explain, in a test file's held: and in score's
// rows: the recycle's hold-down keeps the lead from being sales-ready,
// which it would otherwise be. A recycled lead that would qualify is held
// in all three; one that would not is held in none, though the hold-down runs.
func TestHeldMeansOneThing(t *testing.T) {
	const vp = `"email":"maria@acme.io","title":"VP Engineering","industry":"software","employees":250,"country":"US","tech_stack":["Salesforce","Slack"],"created_at":"2026-09-01"`
	leads := writeTemp(t, "leads.ndjson",
		`{"id":"Q",`+vp+`,"events":[{"type":"demo_request","at":"2026-09-29T00:00:00Z"}],"dispositions":[{"at":"2026-09-21T00:00:00Z","status":"recycled","reason":"bad_timing"}]}`+"\n"+
			`{"id":"N",`+vp+`,"events":[{"type":"page_view","at":"2026-09-29T00:00:00Z"}],"dispositions":[{"at":"2026-09-21T00:00:00Z","status":"recycled","reason":"bad_timing"}]}`+"\n")

	code, out, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--quiet", leads)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, `{"id":"Q","total":120,"scores":{"fit":80,"engagement":40},"grade":"A","stage":"mql","sales_ready":false,"disqualified":false,"gates":[],"fired":["fit.industry","fit.mid-market","fit.decision-maker","fit.target-country","fit.uses-crm","engagement.demo-request"],"disposition":"recycled:bad_timing","held":true}
{"id":"N","total":80,"scores":{"fit":80,"engagement":0},"grade":"A","stage":"","sales_ready":false,"disqualified":false,"gates":[],"fired":["fit.industry","fit.mid-market","fit.decision-maker","fit.target-country","fit.uses-crm"],"disposition":"recycled:bad_timing"}
`, out)

	explain := func(id string) string {
		code, text, errOut := leadscore(t, "", "explain", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--brief", "--id", id, leads)
		require.Equal(t, exitOK, code, errOut)
		return text
	}
	assert.Contains(t, explain("Q"), "\n  HELD until 2026-10-21T00:00:00Z by the recycle hold-down, which keeps it from sql\n")
	text := explain("N")
	assert.Contains(t, text, "\n  not held: the recycle hold-down runs until 2026-10-21T00:00:00Z, but the lead does not reach sql without it\n")
	assert.NotContains(t, strings.ToLower(text), "held until")

	test := filepath.Join(filepath.Dir(copyModel(t)), "held_test.yaml")
	require.NoError(t, os.WriteFile(test, []byte(`model: b2b-saas.yaml
as_of: 2026-10-01
fixtures:
  vp: {lead: {email: maria@acme.io, title: VP Engineering, industry: software, employees: 250, country: US, tech_stack: [Salesforce, Slack], created_at: 2026-09-01}}
cases:
  - name: would qualify, so held
    extends: vp
    events: [{type: demo_request, ago: 2d}]
    dispositions: [{status: recycled, reason: bad_timing, ago: 10d}]
    expect: {held: false}
  - name: would not qualify, so not held
    extends: vp
    events: [{type: page_view, ago: 2d}]
    dispositions: [{status: recycled, reason: bad_timing, ago: 10d}]
    expect: {held: true}
`), 0o644))
	code, out, _ = leadscore(t, "", "test", test)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, out, "        held: want false; the hold-down kept it from sql until 2026-10-21T00:00:00Z\n")
	assert.Contains(t, out, "        held: want true; not held: the hold-down runs until 2026-10-21T00:00:00Z, but the lead does not reach sql without it (it stands on none)\n")
	assert.Equal(t, 1, strings.Count(out, "HELD until"), "only the held case's explanation says HELD")
}
