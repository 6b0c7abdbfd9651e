package attribution_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

// A quote left open and closed by a stray quote lines later, the record
// coming out with the header's cells, is read by encoding/csv without an
// error: every reader fails the lines it swallowed, saying where the quote
// opened, and the counts reconcile with the file's lines.
func TestSwallowedRowsFail(t *testing.T) {
	const msg = `a quote opened in column %q is not closed on its line, so lines %d to %d were read as part of its cell, up to the next quote, though line %d reads as a row of its own; close the quote (or write a quote inside a cell as "")`

	// Outcomes: 6 lines below the header, L1 and L5 read.
	in := "lead_id,opportunity,won,revenue,note\n" +
		"L1,2026-06-01,2026-06-20,1200,\n" +
		"L2,2026-06-01,,,\"big deal, maybe\n" + // the quote opens here
		"L3,2026-06-02,2026-06-22,500,\n" +
		"L4,2026-06-03,2026-06-23,700,27\"\n" + // 27 inches: a stray quote closes it
		"L5,2026-06-04,2026-06-24,900,\n"
	var errs []string
	out, n, err := attribution.ReadOutcomes(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v (%d rows)", line, err, attribution.RowsLost(err)))
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"3: " + fmt.Sprintf(msg, "note", 4, 5, 4) + " (3 rows)"}, errs)
	assert.Equal(t, attribution.Counts{Rows: 5, Read: 2, Failed: 3}, n)
	assert.Len(t, out, 2)
	assert.Equal(t, 900.0, out["L5"].Revenue)
	assert.NotContains(t, out, "L3", "a swallowed won deal is not read")

	// Costs.
	errs = nil
	costs, n, err := attribution.ReadCosts(strings.NewReader("campaign,cost\n\"brand,100\nwebinar,50\nads\",7\nseo,3\n"), func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v (%d rows)", line, err, attribution.RowsLost(err)))
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"2: " + fmt.Sprintf(msg, "campaign", 3, 4, 3) + " (3 rows)"}, errs)
	assert.Equal(t, attribution.Counts{Rows: 4, Read: 1, Failed: 3}, n)
	assert.Equal(t, attribution.Costs{"seo": 3}, costs)

	// Journeys: the swallowed journeys fail with the row.
	fn, ids, jerrs, failed := collect()
	journeys := "id,converted,revenue\nA,true,\"100\nB,true,50\nC,false,\"\nD,true,10\n"
	require.NoError(t, attribution.ReadCSV(strings.NewReader(journeys), nil, fn))
	assert.Equal(t, []string{"D"}, *ids)
	assert.Equal(t, []string{"2: " + fmt.Sprintf(msg, "revenue", 3, 4, 3)}, *jerrs)
	assert.Equal(t, 4, len(*ids)+*failed, "4 lines below the header: D read, A, B and C failed")

	// Touches: which journeys lack the swallowed touches cannot be told,
	// so the read fails.
	fn, _, _, _ = collect()
	touches := "journey_id,at,campaign,channel\nA,2026-06-01,\"brand,search\nB,2026-06-02,brand,search\nC,2026-06-03,brand\",search\n"
	err = attribution.ReadCSV(strings.NewReader("id\nA\n"), strings.NewReader(touches), fn)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "touches:2: "+fmt.Sprintf(msg, "campaign", 3, 4, 3))
}

// A legitimate multi-line cell (a note) is read whole, and the cells after
// it are intact.
func TestMultiLineCellRead(t *testing.T) {
	in := "lead_id,opportunity,note,won,revenue\n" +
		"L1,2026-06-01,\"Called twice, no answer.\nL2's boss, Jan, said yes\n\",2026-06-20,1200\n" +
		"L2,2026-06-01,,,\n"
	var errs []string
	out, n, err := attribution.ReadOutcomes(strings.NewReader(in), func(line int, err error) { errs = append(errs, err.Error()) })
	require.NoError(t, err)
	assert.Empty(t, errs)
	assert.Equal(t, attribution.Counts{Rows: 2, Read: 2}, n)
	assert.Equal(t, 1200.0, out["L1"].Revenue)
	assert.Equal(t, 5, out["L2"].Line, "L2 on line 5, after the note's lines")
}
