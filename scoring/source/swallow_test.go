package source_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring/source"
)

// A draft guesses from the export's rows: one whose quote, closed by a
// stray quote lines later, swallowed rows (their values missing, the
// cell's column guessed from them) stops it, saying where; a multi-line
// note does not.
func TestDraftSwallowedRows(t *testing.T) {
	in := "Record ID,Email,Notes\n" +
		"1,a@b.io,\"Acme, Inc\n" +
		"2,b@b.io,\n" +
		"3,c@b.io,27\"\n"
	_, err := source.Draft(source.DraftOptions{Contacts: strings.NewReader(in), ContactsName: "c.csv"})
	assert.EqualError(t, err, `c.csv:2: a quote opened in column "Notes" is not closed on its line, so lines 3 to 4 were read as part of its cell, up to the next quote, though line 3 reads as a row of its own; close the quote (or write a quote inside a cell as "")`)

	in = "Record ID,Email,Notes\n" +
		"1,a@b.io,\"Called, no answer\nthen, later, yes\"\n" +
		"2,b@b.io,\n"
	d, err := source.Draft(source.DraftOptions{Contacts: strings.NewReader(in), ContactsName: "c.csv"})
	require.NoError(t, err)
	assert.Contains(t, string(d), "Notes", "the draft names the notes column")
}
