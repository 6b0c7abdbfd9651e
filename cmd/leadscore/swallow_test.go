package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A quote left open and closed by a stray quote lines later, the record
// with the header's cells, read without a CSV error: the command fails
// the lines it swallowed, says where, and its footer counts them.
func TestSwallowedRowsCounted(t *testing.T) {
	leads := writeTemp(t, "leads.csv", "id,email,employees,title\nC1,a@acme.io,250,CTO\nC2,b@acme.io,250,\"VP, Sales\nC3,c@acme.io,12,CTO\nC4,d@acme.io,12,Head of IT\nC5,e@acme.io,12,Manager\"\nC6,f@acme.io,12,CTO\n")
	code, out, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--no-events", leads)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, 6, strings.Count(out, "\n"), "a result row for each of the 6 lines")
	assert.Contains(t, errOut, leads+`:3: lead C2: broken CSV: a quote opened in column "title" is not closed on its line, so lines 4 to 6 were read as part of its cell, up to the next quote, though line 4 reads as a row of its own; close the quote (or write a quote inside a cell as "")`+"\n"+
		leads+":4: lead C3: broken CSV: swallowed by the quote left open on line 3\n")
	assert.Contains(t, errOut, "6 rows in: 2 scored, 4 failed")

	journeys := writeTemp(t, "j.csv", "id,converted,revenue\nA,false,\"\nB,true,50\nC,false,\"\nD,false,\n")
	code, _, errOut = leadscore(t, "", "attribute", "--journeys", journeys)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, journeys+`:2: a quote opened in column "revenue" is not closed on its line, so lines 3 to 4 were read as part of its cell, up to the next quote, though line 3 reads as a row of its own; close the quote (or write a quote inside a cell as "")`+"\n"+
		"4 journeys read: 1 used, 3 failed\n", errOut)
}
