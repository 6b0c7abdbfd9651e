package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An event dated in the future (a typo in its year) fails alone with the
// event clock, instead of moving the clock there: a real event after it
// still writes its change.
func TestStreamEventFromTheFuture(t *testing.T) {
	dir := t.TempDir()
	model := td("b2b-saas.yaml")
	code, _, errOut := leadscore(t, "", "stream", "--model", model, "--state", dir, td(filepath.Join("stream", "events.ndjson")))
	require.Equal(t, exitOK, code, errOut)
	typo := `{"lead_id":"L-1","id":"typo-1","type":"page_view","at":"2062-10-05T10:00:00Z","url":"/pricing"}` + "\n"
	code, out, errOut := leadscore(t, typo, "stream", "--model", model, "--state", dir)
	assert.Equal(t, exitProblem, code)
	assert.Empty(t, out, "no re-check fired up to 2062")
	assert.Regexp(t, `stdin:1: event page_view at 2062-10-05T10:00:00Z is dated \d+ years after now \(the wall clock, `, errOut)
	assert.Contains(t, errOut, "event clock 2026-10-06T09:00:00Z", "the clock stays")
	demo := `{"lead_id":"L-2","id":"ev-900","type":"demo_request","at":"2026-10-06T12:00:00Z"}` + "\n"
	code, out, errOut = leadscore(t, demo, "stream", "--model", model, "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `"lead_id":"L-2","at":"2026-10-06T12:00:00Z","cause":"event","id":"ev-900"`)
	assert.Contains(t, out, `"sales_ready":true`)

	// --max-ahead 0 takes it, for simulated data dated ahead.
	code, _, errOut = leadscore(t, typo, "stream", "--model", model, "--state", t.TempDir(), "--max-ahead", "0")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "event clock 2062-10-05T10:00:00Z")
	code, _, errOut = leadscore(t, typo, "stream", "--model", model, "--state", t.TempDir(), "--max-ahead", "soon")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--max-ahead soon: give a duration such as 1d or 12h")
}

// A line longer than --max-row fails alone and is counted, a byte order
// mark before the first line is dropped, and data the model does not
// declare is said as score says it.
func TestStreamLongLineBOMAndUnknownData(t *testing.T) {
	events, err := os.ReadFile(td(filepath.Join("stream", "events.ndjson")))
	require.NoError(t, err)
	long := `{"lead_id":"L-1","id":"ev-big","type":"page_view","at":"2026-10-06T10:00:00Z","url":"/` + strings.Repeat("x", 2048) + `"}` + "\n"
	in := "\ufeff" + string(events) + long + `{"lead_id":"L-2","id":"ev-901","type":"demo_requets","at":"2026-10-06T12:00:00Z"}` + "\n"
	code, out, errOut := leadscore(t, in, "stream", "--model", td("b2b-saas.yaml"), "--state", t.TempDir(), "--max-row", "1KiB")
	assert.Equal(t, exitProblem, code)
	n := bytes.Count(events, []byte("\n"))
	assert.Contains(t, errOut, "stdin:"+strconv.Itoa(n+1)+": the line is longer than 1 KiB")
	assert.Contains(t, errOut, strconv.Itoa(n+2)+" lines in: "+strconv.Itoa(n)+" applied, 1 duplicate skipped, 1 failed;", "every line counted, the first too")
	assert.NotContains(t, errOut, "stdin:1:", "the byte order mark is no part of the first line")
	assert.Contains(t, out, `"lead_id":"L-1"`, "L-1's fields line, the first, was taken")
	assert.Contains(t, errOut, `unknown event type "demo_requets" in 1 row; did you mean "demo_request"?`)
}

// A --resume the state refuses takes no line and writes no summary that
// would say it resumed.
func TestStreamRefusedResumeSaysNothingElse(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := leadscore(t, "", "stream", "--model", td("b2b-saas.yaml"), "--state", dir, td(filepath.Join("stream", "events.ndjson")))
	require.Equal(t, exitOK, code, errOut)
	code, _, errOut = leadscore(t, `{"lead_id":"L-9","id":"x","type":"page_view","at":"2026-10-06T12:00:00Z","url":"/"}`+"\n", "stream", "--model", td("b2b-saas.yaml"), "--state", dir, "--resume")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--resume: the input is")
	assert.Contains(t, errOut, "no line was taken")
	assert.NotContains(t, errOut, "resumed after byte")
	assert.NotContains(t, errOut, "lines in")
}

// --max-row counts a line's text as score counts it: without its \r\n
// end, and the first without a byte order mark; a limit in bytes says so.
func TestStreamMaxRowCountsTheText(t *testing.T) {
	line := `{"lead_id":"L-9","id":"e1","type":"page_view","at":"2026-10-06T12:00:00Z","url":"/x"}`
	n := strconv.Itoa(len(line))
	for _, in := range []string{line + "\r\n", "\ufeff" + line + "\n"} {
		code, _, errOut := leadscore(t, in, "stream", "--model", td("b2b-saas.yaml"), "--state", t.TempDir(), "--max-row", n)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, errOut, "1 line in: 1 applied")
	}
	code, _, errOut := leadscore(t, line+"\r\n", "stream", "--model", td("b2b-saas.yaml"), "--state", t.TempDir(), "--max-row", strconv.Itoa(len(line)-1))
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "stdin:1: the line is longer than "+strconv.Itoa(len(line)-1)+" bytes, the most a line may hold (--max-row)")
}
