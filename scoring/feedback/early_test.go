package feedback_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// A verdict within a second of the hand-off says the gap in seconds, the
// times with their fractions, and the cause (the verdict's time keeps no
// fraction), not "1 min before" and a missing time zone.
func TestEarlyVerdictWithinASecond(t *testing.T) {
	at := time.Date(2026, 7, 3, 15, 41, 7, 0, time.UTC)
	e := feedback.EarlyVerdict{Lead: "L1", Status: scoring.Accepted, At: at, Handoff: at.Add(500 * time.Millisecond)}
	assert.Equal(t, "lead L1 was accepted on 2026-07-03T15:41:07Z, 0.5 s before its hand-off on 2026-07-03T15:41:07.5Z, so the verdict is left out of every figure: the hand-off came within the second the verdict's time names (the file's times keep no fraction of a second); check its time", e.String())
	e.Handoff = at.Add(40 * time.Second)
	assert.Contains(t, e.String(), "40 s before its hand-off on 2026-07-03T15:41:47Z")
}
