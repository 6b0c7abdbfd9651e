package rules_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

const firedModel = `leadscore: 1
model: m
fields: {n: int, s: string}
event_types: [demo]
scores: {fit: {}}
rules:
  - {id: never, score: fit, owner: x, reason: y, points: 1, when: 'n > 5 && n < 2'}
  - {id: rare, score: fit, owner: x, reason: y, points: 1, when: 's == "a"'}
  - {id: every, score: fit, owner: x, reason: y, points: 3, when: 'n > 0'}
  - {id: demo, score: fit, owner: x, reason: y, points: 5, event: [demo], within: 2w}
  - {id: gate.all, owner: x, disqualify: z, when: 's != "b"'}
stages:
  - {id: s, sales_ready: true, when: fit > 0}
`

func TestLintFired(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(firedModel))
	require.NoError(t, err)
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	messages := func(f rules.Firings) []string {
		var out []string
		for _, d := range rules.LintFired(m, f) {
			out = append(out, d.Error())
		}
		return out
	}
	f := rules.Firings{Leads: 12, From: "l.ndjson", AsOf: at, Rules: []int{0, 0, 12, 0}, Gates: []int{12}}
	assert.Equal(t, []string{
		`m.yaml:7:67: warning: rule never fired on 0 of 12 leads in l.ndjson: check its condition against the data (a value spelt or capitalised otherwise than the leads have it, a field they leave empty, a threshold none reaches); if such leads are only rare, add a test case that fires it`,
		`m.yaml:8:66: warning: rule rare fired on 0 of 12 leads in l.ndjson: check its condition against the data (a value spelt or capitalised otherwise than the leads have it, a field they leave empty, a threshold none reaches); if such leads are only rare, add a test case that fires it`,
		`m.yaml:9:67: warning: rule every fired on all 12 leads in l.ndjson: its 3 points go to every lead and put none above another; if its condition is true for every lead, narrow it or remove the rule`,
		`m.yaml:10:5: warning: rule demo fired on 0 of 12 leads in l.ndjson as of 2026-10-01T00:00:00Z: none has a demo event in the 2w before then; give --at a time near the leads' events, or check the event type; if such leads are only rare, add a test case that fires it`,
		`m.yaml:11:51: warning: gate gate.all disqualified all 12 leads in l.ndjson, so none can be sales-ready: check its condition (a ! or != the wrong way round, a field every lead has)`,
	}, messages(f))

	// Linted: Lint already says "never" can never fire. A test case that
	// fires "rare" keeps it; the cases are named when a rule fires on none.
	f.Linted, f.Cases, f.CasesFrom, f.Tested = true, 1, "m_test.yaml", map[string]bool{"rare": true}
	got := messages(f)
	require.Len(t, got, 3)
	assert.Contains(t, got[1], "rule demo fired on 0 of 12 leads in l.ndjson as of 2026-10-01T00:00:00Z, nor on the test case in m_test.yaml: ")

	// Every lead, but too few leads to say so; none of one lead.
	f = rules.Firings{Leads: 9, From: "l.ndjson", Rules: []int{1, 1, 9, 1}, Gates: []int{9}}
	assert.Empty(t, messages(f))
	f = rules.Firings{Leads: 1, From: "l.ndjson", Rules: []int{1, 0, 1, 1}, Gates: []int{1}}
	assert.Equal(t, []string{`m.yaml:8:66: warning: rule rare fired on 0 of 1 lead in l.ndjson: check its condition against the data (a value spelt or capitalised otherwise than the leads have it, a field they leave empty, a threshold none reaches); if such leads are only rare, add a test case that fires it`}, messages(f))

	// No lead scored, or counts of another model: nothing to say.
	assert.Empty(t, messages(rules.Firings{From: "l.ndjson", Rules: []int{0, 0, 0, 0}, Gates: []int{0}}))
	assert.Empty(t, messages(rules.Firings{Leads: 3, From: "l.ndjson", Rules: []int{0}, Gates: []int{0}}))
}
