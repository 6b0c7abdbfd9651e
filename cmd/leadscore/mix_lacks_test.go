package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A KPI without one of its weeks: the spend rows of that week are named
// by it, not said to be outside 2023-01-02 to 2025-12-28, which holds it
// (review rev15a 3e).
func TestMixKPILacksAWeek(t *testing.T) {
	data, err := os.ReadFile(td("mix/kpi.csv"))
	require.NoError(t, err)
	lines := strings.Split(string(data), "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, "2023-02-27,") {
			kept = append(kept, l)
		}
	}
	require.Len(t, kept, len(lines)-1)
	kpi := filepath.Join(t.TempDir(), "k2.csv")
	require.NoError(t, os.WriteFile(kpi, []byte(strings.Join(kept, "\n")), 0o644))
	_, _, errOut := leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi", kpi)
	assert.Contains(t, errOut, "spend rows: 468 read = 465 used + 3 outside the KPI's weeks (2023-01-02 to 2025-12-28, which lacks 2023-02-27)\n")

	_, _, errOut = leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi", td("mix/kpi.csv"))
	assert.NotContains(t, errOut, "which lacks")
}
