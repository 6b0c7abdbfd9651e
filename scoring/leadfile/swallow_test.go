package leadfile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/source"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A quote left open and closed by a stray quote lines later, the record
// coming out with the header's number of cells: encoding/csv reads it
// without an error, and the rows in between would vanish. Each of its
// lines fails, the first with where the quote opened and what it
// swallowed, and the counts reconcile with the file's lines.
func TestSwallowedRowsFail(t *testing.T) {
	leads := "id,email,employees,title\n" + // 1
		"C1,a@acme.io,250,CTO\n" + // 2
		"C2,b@acme.io,250,\"VP, Sales\n" + // 3: the quote opens here ...
		"C3,c@acme.io,12,CTO\n" + // 4
		"C4,d@acme.io,12,Head of IT\n" + // 5
		"C5,e@acme.io,12,Manager\"\n" + // 6: ... and a stray one closes it: 4 cells
		"C6,f@acme.io,12,CTO\n" // 7
	out, errs, sum := run(t, leadfile.Options{Input: strings.NewReader(leads), InputName: "leads.csv", InputFormat: leadfile.CSV, NoEvents: true})
	assert.Equal(t, []string{
		`leads.csv:3: lead C2: broken CSV: a quote opened in column "title" is not closed on its line, so lines 4 to 6 were read as part of its cell, up to the next quote, though line 4 reads as a row of its own; close the quote (or write a quote inside a cell as "")`,
		"leads.csv:4: lead C3: broken CSV: swallowed by the quote left open on line 3",
		"leads.csv:5: lead C4: broken CSV: swallowed by the quote left open on line 3",
		"leads.csv:6: lead C5: broken CSV: swallowed by the quote left open on line 3",
	}, errs)
	assert.Equal(t, 6, sum.Rows, "six lines below the header")
	assert.Equal(t, 2, sum.Scored, "C1 and C6")
	assert.Equal(t, 4, sum.Failed)
	assert.Equal(t, 6, strings.Count(out, "\n"), "one output row per line")
	assert.Contains(t, out, `{"id":"C6","total"`)

	// The same through a source mapping (semicolons).
	mapping, err := source.Parse("m.yaml", []byte("leadscore: 1\nsource: crm\ndelimiter: \";\"\nid: id\nfields: {email: email, employees: employees, title: title}\n"))
	require.NoError(t, err)
	mapped := strings.ReplaceAll(leads, ",", ";")
	_, errs, sum = run(t, leadfile.Options{Input: strings.NewReader(mapped), InputName: "export.csv", Source: mapping, NoEvents: true})
	require.Len(t, errs, 4)
	assert.Contains(t, errs[0], "export.csv:3: ")
	assert.Contains(t, errs[0], "lines 4 to 6 were read as part of its cell")
	assert.Equal(t, 6, sum.Rows)
	assert.Equal(t, 4, sum.Failed)
}

// A legitimate multi-line quoted cell (a note from a CRM export) is read
// whole, its text intact, even when a line of it has the header's commas.
func TestMultiLineCellRead(t *testing.T) {
	title := "VP, Sales\nreports to the CEO, since May, 2026\n\nand more"
	in := "id,email,employees,title\nC1,a@acme.io,250,\"" + title + "\"\nC2,b@acme.io,12,CTO\n"
	var got []string
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: scorer(t), Input: strings.NewReader(in), InputName: "l.csv", InputFormat: leadfile.CSV, NoEvents: true},
		func(line int, lead scoring.Lead, err error) error {
			require.NoError(t, err, "line %d", line)
			got = append(got, fmt.Sprintf("%d %s %v", line, lead.ID, lead.Fields.(map[string]any)["title"]))
			return nil
		}))
	assert.Equal(t, []string{"2 C1 " + title, "6 C2 CTO"}, got)
	_, errs, sum := run(t, leadfile.Options{Input: strings.NewReader(in), InputName: "l.csv", InputFormat: leadfile.CSV, NoEvents: true})
	assert.Empty(t, errs)
	assert.Equal(t, 2, sum.Scored)
}

// In the events file, which leads the swallowed rows were of cannot be
// told: the run stops, saying where.
func TestSwallowedEventRowsStop(t *testing.T) {
	leads := "id,email\nC1,a@acme.io\nC2,b@acme.io\n"
	events := "lead_id,type,at,url\n" +
		"C1,page_view,2026-09-01,\"/pricing\n" +
		"C2,page_view,2026-09-02,/docs\n" +
		"C2,page_view,2026-09-03,/blog\"\n"
	_, err := leadfile.Score(leadfile.Options{Scorer: scorer(t), Input: strings.NewReader(leads), InputName: "leads.csv", InputFormat: leadfile.CSV,
		Events: strings.NewReader(events), EventsName: "events.csv", Output: new(strings.Builder), AsOf: asOf})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `events.csv:2: broken CSV: a quote opened in column "url" is not closed on its line, so lines 3 to 4 were read as part of its cell`)
}

// An accounts file goes through the same reader: the swallowed accounts
// fail, each on its line, and the account after them is read.
func TestSwallowedAccountsFail(t *testing.T) {
	rows, _ := readAccounts(t, accountScorer(t), "a.csv", "id,domain,industry,employees\n"+
		"A-1,acme.com,\"Software, B2B,1200\n"+
		"A-2,beta.io,Software,300\n"+
		"A-3,gamma.io,Retail\",40\n"+
		"A-4,delta.io,Software,1200\n", leadfile.CSV)
	require.Len(t, rows, 4)
	assert.Contains(t, rows[0], `2: A-1: broken CSV: a quote opened in column "industry" is not closed on its line, so lines 3 to 4 were read as part of its cell`)
	assert.Equal(t, "3: A-2: broken CSV: swallowed by the quote left open on line 2", rows[1])
	assert.Equal(t, "4: A-3: broken CSV: swallowed by the quote left open on line 2", rows[2])
	assert.Contains(t, rows[3], "5: A-4 fit")
}
