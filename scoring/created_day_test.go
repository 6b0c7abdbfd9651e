package scoring_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring"
)

// A created field that reads as RFC 3339 but names no day of the calendar
// says so, not "not a time ... write it as RFC 3339", which it is; for a
// lead and for a person of an account alike.
func TestCreatedNoSuchDay(t *testing.T) {
	lead := scoring.Lead{ID: "L1", Fields: map[string]any{"created_at": "2026-02-30T00:00:00Z"}}
	_, err := lead.Created("created_at")
	require.EqualError(t, err, `created_at: "2026-02-30T00:00:00Z" is not a day of the calendar: February 2026 has 28 days; check the date: it says when the lead was created`)
	_, err = scoring.PersonCreated(lead, "")
	require.EqualError(t, err, `created_at: "2026-02-30T00:00:00Z" is not a day of the calendar: February 2026 has 28 days; check the date: it says when the lead joins its account's people`)
	_, err = scoring.Lead{ID: "L2", Fields: map[string]any{"created_at": "soon"}}.Created("created_at")
	require.ErrorContains(t, err, `created_at is "soon", not a time`)
}
