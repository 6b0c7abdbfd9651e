package mix

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A quote left open and closed by a stray quote lines later, the record
// coming out with the header's cells, reads without a CSV error: the
// record fails, naming the lines it swallowed, and the weeks on them are
// not silently gone from the spend. A multi-line note is read whole.
func TestReadSpendSwallowedRows(t *testing.T) {
	in := "week,channel,spend,note\n" +
		"2024-01-01,tv,5,\n" +
		"2024-01-08,tv,6,\"launch, week 1\n" + // the quote opens here
		"2024-01-15,tv,7,\n" +
		"2024-01-22,tv,8,32\"\n" + // 32 inches: a stray quote closes it
		"2024-01-29,tv,9,\"a note\non two lines, as many, cells as, the header\"\n"
	var errs []string
	rows, n, err := ReadSpend(strings.NewReader(in), func(line int, err error) {
		errs = append(errs, itoa(line)+": "+err.Error())
	})
	require.NoError(t, err)
	assert.Equal(t, []string{
		`3: a quote opened in column "note" is not closed on its line, so lines 4 to 5 were read as part of its cell, up to the next quote, though line 4 reads as a row of its own; close the quote (or write a quote inside a cell as "")`,
	}, errs)
	assert.Equal(t, Counts{Rows: 3, Read: 2, Failed: 1}, n, "one record failed: its message names the lines it took")
	require.Len(t, rows, 2)
	assert.Equal(t, 9.0, rows[1].Spend)
	assert.Equal(t, 6, rows[1].Line, "the row after the note, on line 6")
}
