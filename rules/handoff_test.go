package rules_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

// withEvents is base with an event rule and a gate, for handoff sections.
var withEvents = strings.Replace(base, "stages:", "  - {id: e1, score: fit, event: visit, points: 1}\n  - {id: gate.spam, disqualify: Spam, when: email == \"\"}\nstages:", 1)

func TestHandoffCompiles(t *testing.T) {
	src := strings.Replace(withEvents, "scores:\n  fit: {min: 0, max: 100}", "scores:\n  fit: {min: 0, max: 100}\n  engagement: {}", 1) +
		"  - {id: e2, score: engagement, event: [click, open], points: 2}\n" + `handoff:
  sla: 2d
  reasons:
    - {code: not_decision_maker, description: Cannot sign, contradicts: [r1]}
    - {code: not_icp, description: Not our market, contradicts: [fit]}
    - {code: bad_timing, description: Not this quarter}
  recycle:
    resets: [engagement, e1]
    hold: 30d
`
	// e2 is listed after the stages; move it among the rules.
	src = strings.Replace(src, "  - {id: e2, score: engagement, event: [click, open], points: 2}\n", "", 1)
	src = strings.Replace(src, "stages:", "  - {id: e2, score: engagement, event: [click, open], points: 2}\nstages:", 1)
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	h := m.Handoff
	require.NotNil(t, h)
	assert.Equal(t, 48*time.Hour, h.SLA)
	assert.Equal(t, 30*24*time.Hour, h.Hold)
	assert.Equal(t, []string{"not_decision_maker", "not_icp", "bad_timing"}, h.Codes())
	assert.Equal(t, []string{"r1"}, h.Reason("not_decision_maker").Rules)
	assert.Equal(t, []string{"r1", "e1"}, h.Reason("not_icp").Rules, "a category stands for its scoring rules, in file order")
	assert.Empty(t, h.Reason("bad_timing").Rules)
	assert.Nil(t, h.Reason("nope"))
	// engagement's e2 counts click and open, e1 counts visit: sorted, once each.
	assert.Equal(t, []string{"click", "open", "visit"}, h.ResetTypes)
	assert.True(t, h.ResetsType("open"))
	assert.False(t, h.ResetsType("demo"))

	none, err := rules.CompileBytes("m.yaml", []byte(base))
	require.NoError(t, err)
	assert.Nil(t, none.Handoff)
	assert.Nil(t, none.Handoff.Reason("x"), "a nil Handoff answers")
	assert.Empty(t, none.Handoff.Codes())
	assert.False(t, none.Handoff.ResetsType("visit"))
}

func TestHandoffLint(t *testing.T) {
	src := withEvents + `handoff:
  reasons:
    - code: no_budget
  recycle:
    resets: e1
    hold: 30min
`
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	var got []string
	for _, d := range rules.Lint(m) {
		if d.Pos.Line >= 20 {
			got = append(got, d.Error())
		}
	}
	assert.Equal(t, []string{
		"m.yaml:20:1: warning: handoff sets no sla; say how soon sales acts on a sales-ready lead, such as sla: 48h, so that feedback can measure it",
		"m.yaml:22:13: warning: rejection reason no_budget has no description; say in a few words what it means, for the sales reps who pick it",
		"m.yaml:25:11: warning: hold is 30min, under an hour; check the unit (30d is a month)",
	}, got)

	m, err = rules.CompileBytes("m.yaml", []byte(withEvents+"handoff:\n  sla: 15min\n"))
	require.NoError(t, err)
	got = nil
	for _, d := range rules.Lint(m) {
		if d.Pos.Line >= 20 {
			got = append(got, d.Error())
		}
	}
	assert.Equal(t, []string{
		"m.yaml:20:1: warning: handoff lists no rejection reasons, so sales cannot say why they reject a lead; add reasons: with a code and description for each",
		"m.yaml:21:8: warning: sla is 15min, under an hour; check the unit (48h is two days)",
	}, got)
}

// fmt puts the handoff section last and its keys in order, comments kept.
func TestFormatHandoff(t *testing.T) {
	src := `handoff:
  recycle: {hold: 30d, resets: [engagement]}
  # what sales may say
  reasons:
    - contradicts: [fit.decision-maker] # the title rule
      code: not_decision_maker
      description: Cannot sign
  sla: 48h
leadscore: 1
model: m
`
	want := `leadscore: 1
model: m
handoff:
  sla: 48h
  # what sales may say
  reasons:
    - code: not_decision_maker
      description: Cannot sign
      contradicts: [fit.decision-maker] # the title rule
  recycle: {hold: 30d, resets: [engagement]}
`
	got, err := dsl.Format([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
}

// With an accounts section, a rejection reason may contradict the
// account's rules and roll-ups, its categories and its roles; a name that
// is none of them fails with a did-you-mean among them all, and an
// account gate fails as a lead gate does.
func TestHandoffContradictsAccountNames(t *testing.T) {
	src, err := os.ReadFile("../testdata/accounts/feedback/model.yaml")
	require.NoError(t, err)
	_, err = rules.CompileBytes("m.yaml", src)
	require.NoError(t, err, "the bundled model names a role and account rules")

	bad := strings.Replace(string(src), "contradicts: [decision_maker, account.breadth]", "contradicts: [decision_makr, account.bredth, gate.customer]", 1)
	_, err = rules.CompileBytes("m.yaml", []byte(bad))
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, `rejection reason no_buying_group contradicts unknown rule, score category or account role "decision_makr"; did you mean "decision_maker"?`)
	assert.Contains(t, msg, `rejection reason no_buying_group contradicts unknown rule, score category or account role "account.bredth"; did you mean "account.breadth"?`)
	assert.Contains(t, msg, `rejection reason no_buying_group contradicts gate.customer, an account gate`)

	// A model without accounts keeps its words: rules and categories only.
	_, err = rules.CompileBytes("m.yaml", []byte(withEvents+"handoff:\n  reasons:\n    - {code: x, contradicts: [nope]}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `contradicts unknown rule or score category "nope"; name a rule id under rules, or a category under scores`)
}
