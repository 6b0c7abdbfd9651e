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
	assert.Equal(t, "5: account A-1 already has an outcome on line 2; the first row is used and this one is left out (counted as failed): give each account one row, won if any of its deals was won, with its first win (see \"One row per account\" in docs/guide/accounts.md)", errs[1])
	assert.Contains(t, errs[2], "6: won: ")

	_, _, err = attribution.ReadAccountOutcomes(strings.NewReader("lead_id,opportunity,won,revenue\nL1,,,\n"), func(int, error) {})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "needs the column account_id")
}

// FuzzAccountOutcomes reads account outcomes: nothing panics, rows
// reconcile, one outcome per row read, and no outcome is for an empty id.
func FuzzAccountOutcomes(f *testing.F) {
	f.Add([]byte("account_id,opportunity,won,revenue,lost\nA1,2026-06-01,2026-06-20,1200,\nA1,,,,\nA2,,,5,\nA3,x,,,\n,,,,\nA4,2026-06-01,,,2026-05-01\nA5\n\"A6,,,\n"))
	f.Add([]byte("\ufefflost,revenue,won,opportunity,account_id\n,1e400,2026-01-01,,a\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rows := 0
		outcomes, n, err := attribution.ReadAccountOutcomes(strings.NewReader(string(in)), func(line int, err error) {
			rows += attribution.RowsLost(err)
		})
		if err != nil {
			return
		}
		if n.Rows != n.Read+n.Failed || n.Failed != rows {
			t.Fatalf("counts %+v do not reconcile with %d failed rows reported", n, rows)
		}
		if len(outcomes) != n.Read {
			t.Fatalf("%d outcomes from %d rows read", len(outcomes), n.Read)
		}
		for id := range outcomes {
			if strings.TrimSpace(id) == "" {
				t.Fatalf("an outcome for an empty account id")
			}
		}
	})
}
