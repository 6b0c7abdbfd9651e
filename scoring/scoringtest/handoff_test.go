package scoringtest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring/scoringtest"
)

// Dispositions in a test file are checked against the model's catalogue
// where they are written.
func TestBadDispositionsInTestFiles(t *testing.T) {
	path := writeTest(t, `model: MODEL
as_of: 2026-10-01
cases:
  - name: x
    dispositions:
      - {status: recyled, reason: bad_timing, ago: 1d}
      - {status: rejected, reason: not_decison_maker, ago: 1d}
      - {status: accepted, reason: bad_timing, ago: 1d}
      - {status: rejected, ago: 1d}
      - {reason: bad_timing}
      - {status: recycled, reason: bad_timing, ago: 1d, at: 2026-09-01, by: sam}
    expect: {held: maybe, reset: {min: 1}}
`)
	fr := scoringtest.RunFile(path, scoringtest.Options{})
	require.Error(t, fr.Err)
	want := []string{
		`:6:18: unknown status "recyled"; did you mean "recycled"?`,
		`:7:36: unknown reason "not_decison_maker"; did you mean "not_decision_maker"?`,
		`:8:36: an accepted lead takes no reason; remove reason:, or make the status rejected or recycled`,
		`:9:9: a rejected lead needs a reason; add reason: with one of not_decision_maker, too_small, not_icp, just_researching, no_budget, bad_timing, duplicate`,
		`:10:9: this disposition has no status; add status: accepted, rejected or recycled`,
		`:10:9: this disposition has no time; add ago: (such as 2d, before the as-of time) or at: (a date)`,
		`:11:9: this disposition has both at: and ago:; keep one`,
		`:11:73: unknown key "by" in a disposition; expected one of: status, reason, owner, at, ago`,
		`:12:20: held must be true or false, not "maybe"`,
	}
	got := strings.Split(fr.Err.Error(), "\n")
	require.Len(t, got, len(want), fr.Err.Error())
	for i, w := range want {
		assert.Equal(t, path+w, got[i])
	}
}

// A failing expectation about the hand-off says what happened.
func TestFailingVerdictCase(t *testing.T) {
	path := writeTest(t, `model: MODEL
as_of: 2026-10-01
fixtures:
  vp: {lead: {email: maria@acme.io, title: VP Engineering, industry: software, employees: 250, country: US}}
cases:
  - name: held
    extends: vp
    events: [{type: demo_request, ago: 20d}, {type: demo_request, ago: 2d}]
    dispositions: [{status: recycled, reason: bad_timing, ago: 10d}]
    expect: {held: false, reset: 2}
`)
	fr := scoringtest.RunFile(path, scoringtest.Options{})
	require.NoError(t, fr.Err)
	require.Len(t, fr.Cases, 1)
	assert.Equal(t, []string{
		"held: want false; the hold-down kept it from sql until 2026-10-21T00:00:00Z",
		"reset: want 2 events reset, got 1",
	}, fr.Cases[0].Failures)
}
