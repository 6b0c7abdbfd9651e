package rules_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

func TestConditionReads(t *testing.T) {
	src := `leadscore: 1
model: m
fields: {source: string, employees: int, created_at: time}
events: {url: string, channel: string}
lists: {paths: [/pricing, /plans]}
define:
  big: employees >= 100
scores: {e: {}}
rules:
  - {id: none, score: e, event: v, points: 1}
  - {id: event, score: e, event: v, points: 1, when: 'event.url in paths && event.at > date("2026-01-01")'}
  - {id: lead, score: e, event: v, points: 1, when: 'employees > 5 && source != ""'}
  - {id: define, score: e, event: v, points: 1, when: big}
  - {id: clock, score: e, event: v, points: 1, when: 'daysSince(created_at) < 30'}
  - {id: count, score: e, event: v, points: 1, when: 'events("v", "7d") > 2'}
  - {id: both, score: e, event: v, points: 1, when: 'event.channel == source'}
  - {id: both-predicate, score: e, event: v, points: 1, when: 'any(paths, event.url startsWith #) && big'}
stages:
  - {id: s, sales_ready: true, when: e > 0}
`
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	want := map[string]rules.Reads{
		"none":           {},
		"event":          {Event: true},
		"lead":           {Lead: true},
		"define":         {Lead: true},
		"clock":          {Lead: true},
		"count":          {Lead: true},
		"both":           {Event: true, Lead: true},
		"both-predicate": {Event: true, Lead: true},
	}
	for id, w := range want {
		assert.Equal(t, w, m.ConditionReads(m.Rule(id)), id)
	}
}

func TestHorizon(t *testing.T) {
	m, err := rules.CompileFile("../testdata/b2b-saas.yaml")
	require.NoError(t, err)
	h := m.Horizon()
	assert.Equal(t, 90*24*time.Hour, h.Window) // engagement.webinar
	require.Len(t, h.Limited, 1)
	assert.Equal(t, "engagement.pricing-page", h.Limited[0].ID) // limit 3, no within, decays
	assert.Empty(t, h.Unbounded)
	assert.Empty(t, h.Counters) // every events() has a window
	assert.False(t, h.Bounded())
	assert.Equal(t, "events matter for 90d; beyond that, the 3 most recent of engagement.pricing-page", h.String())

	m, err = rules.CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields: {source: string}
events: {channel: string}
scores: {e: {}}
rules:
  - {id: opens, score: e, event: open, points: 1}
  - {id: same-channel, score: e, event: visit, points: 1, limit: 3, when: event.channel == source}
  - {id: recent, score: e, event: visit, points: 1, within: 2w}
  - {id: quiet, score: e, points: 1, when: 'daysSinceLast("visit") > 30 && events("open") > 3'}
  - {id: unsubscribed, event: unsubscribe, disqualify: Unsubscribed}
stages:
  - {id: s, sales_ready: true, when: e > 0}
`))
	require.NoError(t, err)
	h = m.Horizon()
	assert.Equal(t, 14*24*time.Hour, h.Window)
	assert.Equal(t, "events matter for 2w; beyond that, the most recent of unsubscribed, every event of opens, every event of same-channel, the time of the latest visit, the number of open events", h.String())
	m2, err := rules.CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields: {n: int}
scores: {e: {}}
rules:
  - {id: r, score: e, points: 1, when: n > 1}
stages:
  - {id: s, sales_ready: true, when: e > 0}
`))
	require.NoError(t, err)
	assert.Equal(t, "no rule reads events", m2.Horizon().String())
	assert.True(t, m2.Horizon().Bounded())

	var lint []string
	for _, d := range rules.Lint(m) {
		lint = append(lint, d.Error())
	}
	assert.Contains(t, lint, "m.yaml:7:5: warning: rule opens counts every open event for ever (no within:, no limit:): a streaming state keeps them all; give it a within: (such as 90d) or a limit:")
	assert.Contains(t, lint, "m.yaml:8:5: warning: rule same-channel has no within:, and its condition reads the lead as well as the event, so which visit events count is known only when the lead is scored: every one stays relevant for ever and a streaming state keeps them all; give it a within: (such as 90d), or move the lead part into a lead rule")
}
