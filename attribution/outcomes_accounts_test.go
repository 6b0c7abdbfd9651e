package attribution_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// TestReadAccountOutcomes reads outcomes keyed by account: a bad row and
// an account's second row fail alone, named by their line.
func TestReadAccountOutcomes(t *testing.T) {
	in := "account_id,opportunity,won,revenue,lost\n" +
		"A-1,2026-10-10,2026-11-20,48000,\n" +
		",2026-10-11,,,\n" +
		"A-2,2026-10-25,,,2026-12-05\n" +
		"A-1,2026-10-12,,,\n" +
		"A-3,2026-10-12,soon,,\n"
	var errs []string
	out, n, err := attribution.ReadAccountOutcomes(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v", line, err))
	})
	require.NoError(t, err)
	assert.Equal(t, attribution.Counts{Rows: 5, Read: 2, Failed: 3}, n)
	assert.Equal(t, 48000.0, out["A-1"].Revenue)
	assert.Equal(t, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), out["A-2"].Lost)
	require.Len(t, errs, 3)
	assert.Equal(t, "3: account_id is empty; say which account the outcome is for", errs[0])
	assert.Equal(t, "5: account A-1 already has an outcome on line 2; give each account one row", errs[1])
	assert.Contains(t, errs[2], "6: won: ")

	_, _, err = attribution.ReadAccountOutcomes(strings.NewReader("lead_id,opportunity,won,revenue\nL1,,,\n"), func(int, error) {})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "needs the column account_id")
}
