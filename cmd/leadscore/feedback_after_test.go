package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A verdict dated after --at did not exist at the as-of time: the report
// leaves it out, and the footer says so instead of counting it as used
// (rows = used + left out + failed), with a warning naming it (a year
// typed wrong lands here).
func TestFeedbackVerdictAfterAsOfIsSaid(t *testing.T) {
	disp := readFileT(t, td("dispositions.csv")) + "L0000112,2026-11-06T22:47:00Z,rejected,no_budget,bo.k\n"
	rows := strings.Count(strings.TrimSpace(disp), "\n") // less the header
	path := writeTemp(t, "d.csv", disp)
	code, _, errOut := leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", path, "--at", "2026-10-01")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "warning: lead L0000112: rejected:no_budget on 2026-11-06T22:47:00Z is after the as-of time 2026-10-01T00:00:00Z, so the report leaves it out; check the date, or give a later --at")
	_, _, base := leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", td("dispositions.csv"), "--at", "2026-10-01")
	// The same rows used as without the late one, and one more row in.
	var n, used int
	_, err := fmt.Sscanf(base[strings.Index(base, "; ")+2:], "%d disposition rows: %d used", &n, &used)
	require.NoError(t, err, base)
	assert.Equal(t, rows, n+1)
	assert.Contains(t, errOut, fmt.Sprintf("%d disposition rows: %d used, 1 dated after the as-of time 2026-10-01T00:00:00Z (not yet given then), 0 failed", rows, used))
}

// feedback --accounts reconciles its verdict rows as feedback of leads
// does: rows = used + before the hand-off + later + after the as-of time
// + failed.
func TestFeedbackAccountsFooterReconciles(t *testing.T) {
	disp := writeTemp(t, "ad.csv", `account_id,at,status,reason,owner,note
A-ACME,2026-09-29T09:00:00Z,accepted,,ana.r,"VP Engineering on the call, pricing next week"
A-INITECH,2026-09-10T15:00:00Z,rejected,not_icp,dev.p,"Inbound from the SDR queue, not from the definition"
A-ACME,2025-09-29T09:00:00Z,rejected,not_icp,ana.r,early
A-ACME,2026-09-30T09:00:00Z,rejected,not_icp,ana.r,later
A-ACME,2026-12-30T09:00:00Z,rejected,not_icp,ana.r,after at
`)
	_, _, errOut := leadscore(t, "", "feedback", "--accounts", td("accounts/accounts.ndjson"), "--leads", td("accounts/leads.ndjson"), "--model", td("accounts/feedback/model.yaml"),
		"--dispositions", disp, "--outcomes", td("accounts/outcomes.csv"), "--at", "2026-10-01")
	assert.Contains(t, errOut, "5 disposition rows: 2 used, 1 dated before the hand-off (ignored), 1 later verdict of accounts that already had one (the first counts), 1 dated after the as-of time 2026-10-01T00:00:00Z (not yet given then), 0 failed")
	assert.Contains(t, errOut, "warning: account A-ACME: rejected:not_icp on 2026-12-30T09:00:00Z is after the as-of time 2026-10-01T00:00:00Z")
}
