package feedback_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// A quote left open in a note and closed by a stray quote lines later, the
// record coming out with the header's cells: encoding/csv reads it without
// an error. Its lines fail, each a verdict, so the counts reconcile; the
// verdicts around it are read.
func TestReadDispositionsSwallowedRows(t *testing.T) {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	src := "lead_id,at,status,reason,note,owner\n" + // 1
		"L1,2026-09-01,accepted,,first call,ann\n" + // 2
		"L2,2026-09-02,rejected,not_dm,\"said \"\"no\"\", budget,bob\n" + // 3: the note's quote stays open
		"L3,2026-09-02,accepted,,,ann\n" + // 4
		"L4,2026-09-03,recycled,later,,ann\n" + // 5
		"L5,2026-09-03,accepted,,screen 27\",bob\n" + // 6: 27 inches: a stray quote closes it, 6 cells
		"L6,2026-09-04,accepted,,,ann\n" // 7
	var errs []string
	set, n, err := feedback.ReadDispositions(strings.NewReader(src), m.Handoff, func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v", line, err))
	})
	require.NoError(t, err)
	assert.Equal(t, []string{
		`3: a quote opened in column "note" is not closed on its line, so lines 4 to 6 were read as part of its cell, up to the next quote, though line 4 reads as a row of its own; close the quote (or write a quote inside a cell as "")`,
	}, errs)
	assert.Equal(t, feedback.Counts{Rows: 6, Read: 2, Failed: 4}, n, "6 lines below the header: L1 and L6 read, lines 3 to 6 failed")
	assert.Equal(t, []string{"L1", "L6"}, set.Leads())
}

// A legitimate multi-line note (CRM exports quote them) is read, and the
// cells after it are intact.
func TestReadDispositionsMultiLineNote(t *testing.T) {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	src := "lead_id,at,status,reason,note,owner\n" +
		"L1,2026-09-01,rejected,not_dm,\"Called twice, no answer.\nSpoke to L2's boss, Jan, said no,\nthen \"\"maybe\"\", later\",ann\n" +
		"L2,2026-09-02,accepted,,,bob\n"
	var errs []string
	set, n, err := feedback.ReadDispositions(strings.NewReader(src), m.Handoff, func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v", line, err))
	})
	require.NoError(t, err)
	assert.Empty(t, errs)
	assert.Equal(t, feedback.Counts{Rows: 2, Read: 2}, n)
	assert.Equal(t, []scoring.Disposition{{At: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Status: scoring.Rejected, Reason: "not_dm", Owner: "ann"}}, set.For("L1"))
}
