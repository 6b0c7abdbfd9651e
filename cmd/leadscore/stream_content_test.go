package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An id names one input: the same event delivered again (its keys in
// another order, its numbers written otherwise) is skipped as a duplicate,
// where an event of that id with another time, type or field fails alone,
// named, rather than vanish as a duplicate; so it stays after a restart,
// the sums being kept in the state beside the ids.
func TestStreamSameIDOtherContent(t *testing.T) {
	dir := t.TempDir()
	first := `{"lead_id":"A","id":"f1","fields":{"email":"ana@acme.com","title":"VP Marketing","industry":"software","employees":250,"country":"US"}}
{"lead_id":"A","id":"e1","type":"webinar_attended","at":"2026-09-01T10:00:00Z","minutes":30}
{"at":"2026-09-01T10:00:00Z","minutes":30.0,"type":"webinar_attended","id":"e1","lead_id":"A"}
{"lead_id":"A","id":"e1","type":"webinar_attended","at":"2026-09-02T10:00:00Z","minutes":30}
{"lead_id":"A","id":"e1","type":"webinar_attended","at":"2026-09-01T10:00:00Z","minutes":45}
{"lead_id":"A","id":"f1","fields":{"title":"Intern"}}
`
	code, _, errOut := leadscore(t, first, "stream", "--model", td("b2b-saas.yaml"), "--state", dir)
	assert.Equal(t, exitProblem, code)
	msg := "the line's id e1 was applied before with other content (another type, time or field): an id names one input, and a stream cannot take back what it applied; give another input an id of its own, or, to correct the first, rescore the lead with leadscore score over its corrected history"
	assert.Equal(t, "stdin:4: lead A: "+msg+"\n"+
		"stdin:5: lead A: "+msg+"\n"+
		"stdin:6: lead A: "+strings.ReplaceAll(msg, "id e1", "id f1")+"\n"+
		"6 lines in: 2 applied, 1 duplicate skipped, 3 failed; 1 change written (seq 1 to 1, 0 at a re-check); event clock 2026-09-01T10:00:00Z\n", errOut)

	// After a restart: the same again is a duplicate, another is refused.
	again := `{"lead_id":"A","id":"e1","type":"webinar_attended","at":"2026-09-01T10:00:00Z","minutes":30}
{"lead_id":"A","id":"e1","type":"demo_request","at":"2026-09-01T10:00:00Z"}
`
	code, _, errOut = leadscore(t, again, "stream", "--model", td("b2b-saas.yaml"), "--state", dir)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, "stdin:2: lead A: "+msg+"\n"+
		"2 lines in: 0 applied, 1 duplicate skipped, 1 failed; 0 changes written; event clock 2026-09-01T10:00:00Z\n", errOut)
}

// The data a line carries that the model does not declare is counted when
// the line is taken, not for a line that fails after it was read (an event
// dated decades ahead): the summary's count is of the lines applied, as
// score's is of the rows scored.
func TestStreamUnknownCountsTheLinesTaken(t *testing.T) {
	in := `{"lead_id":"A","id":"f1","fields":{"email":"ana@acme.com","title":"VP","industry":"software","employees":250,"country":"US"}}
{"lead_id":"A","id":"e2","type":"page_view","at":"2062-09-01T10:00:00Z","colour":"red"}
{"lead_id":"A","id":"e3","type":"page_view","at":"2026-09-02T10:00:00Z","colour":"blue"}
{"lead_id":"A","id":"f2","fields":{"shoe_size":44},"x":1}
`
	code, _, errOut := leadscore(t, in, "stream", "--model", td("b2b-saas.yaml"), "--state", t.TempDir())
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "4 lines in: 2 applied, 0 duplicates skipped, 2 failed;")
	assert.Contains(t, errOut, "unknown event key \"colour\" in 1 row\n")
	assert.NotContains(t, errOut, "shoe_size", "its line failed")
}
