package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two verdicts of one lead at one instant count in an order of their own
// (accepted, rejected, recycled, then reason and owner), not in the order
// of their rows: feedback gives the same report, and score the same
// result, whichever row comes first.
func TestVerdictsOfOneInstantIgnoreRowOrder(t *testing.T) {
	rows, err := os.ReadFile(td("dispositions.csv"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(rows), "\n")
	tie := "L0000109,2026-05-24T06:28:00Z,rejected,too_small,sam.k\n"
	require.Contains(t, string(rows), "L0000109,2026-05-24T06:28:00Z,accepted,,ana.r\n")
	dir := t.TempDir()
	last, first := filepath.Join(dir, "last.csv"), filepath.Join(dir, "first.csv")
	require.NoError(t, os.WriteFile(last, []byte(string(rows)+tie), 0o644))
	require.NoError(t, os.WriteFile(first, []byte(lines[0]+tie+strings.Join(lines[1:], "")), 0o644))
	var reports []string
	for _, f := range []string{last, first} {
		code, out, errOut := leadscore(t, "", "feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", f, "--at", "2026-10-01", "--format", "json")
		require.Equal(t, exitOK, code, errOut)
		reports = append(reports, out)
	}
	assert.Equal(t, reports[0], reports[1])
	assert.Contains(t, reports[0], `"later_verdicts": 1`, "the rejection, after the acceptance of one instant, is a later verdict")

	var rows2 []string
	for _, f := range []string{last, first} {
		code, out, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--dispositions", f, "--at", "2026-10-01", "--quiet", td("leads.ndjson"))
		require.Equal(t, exitOK, code, errOut)
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, `{"id":"L0000109"`) {
				rows2 = append(rows2, l)
			}
		}
	}
	require.Len(t, rows2, 2)
	assert.Equal(t, rows2[0], rows2[1])
	assert.Contains(t, rows2[0], `"disposition":"rejected:too_small"`, "of one instant, the rejection is the latest")
}
