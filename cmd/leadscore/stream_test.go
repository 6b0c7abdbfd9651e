package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring/stream"
)

// streamLines splits a leads file into the stream's input: each lead's
// fields (with an id) at its creation, each event (with an id) at its time,
// all in time order; every dupEvery-th event is delivered again 40 lines
// later (0: none). It returns the lines and how many are repeats.
func streamLines(t *testing.T, leadsFile string, dupEvery int) ([]byte, int) {
	t.Helper()
	data, err := os.ReadFile(leadsFile)
	require.NoError(t, err)
	type row struct {
		at   string
		kind int
		line []byte
	}
	var rows []row
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var lead map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &lead))
		id := lead["id"].(string)
		events, _ := lead["events"].([]any)
		delete(lead, "id")
		delete(lead, "events")
		line, err := json.Marshal(map[string]any{"lead_id": id, "id": "fields-" + id, "fields": lead})
		require.NoError(t, err)
		at, _ := lead["created_at"].(string)
		for _, e := range events { // a lead with no creation time comes with its first event
			if e := e.(map[string]any)["at"].(string); at == "" || lead["created_at"] == nil && e < at {
				at = e
			}
		}
		rows = append(rows, row{at, 0, line})
		for i, e := range events {
			ev := e.(map[string]any)
			ev["lead_id"], ev["id"] = id, fmt.Sprintf("%s-%d", id, i)
			line, err := json.Marshal(ev)
			require.NoError(t, err)
			rows = append(rows, row{ev["at"].(string), 1, line})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].at != rows[j].at {
			return rows[i].at < rows[j].at
		}
		return rows[i].kind < rows[j].kind
	})
	var lines [][]byte
	for _, r := range rows {
		lines = append(lines, r.line)
	}
	dups := 0
	if dupEvery > 0 {
		var out [][]byte
		var later [][]byte
		for i, l := range lines {
			out = append(out, l)
			if i%dupEvery == dupEvery-1 {
				later = append(later, l)
			}
			if i%40 == 39 {
				out = append(out, later...)
				dups += len(later)
				later = nil
			}
		}
		lines = append(out, later...)
		dups += len(later)
	}
	return append(bytes.Join(lines, []byte("\n")), '\n'), dups
}

// sortedLines returns the lines of s, sorted.
func sortedLines(s string) []string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	slices.Sort(lines)
	return lines
}

// The bundled leads split into events, field updates and repeated
// deliveries, streamed: every repeat is skipped and counted, the counts
// reconcile, and --dump gives what score gives on the full history.
func TestStreamDumpEqualsScore(t *testing.T) {
	input, dups := streamLines(t, td("leads.ndjson"), 25)
	require.Greater(t, dups, 100)
	dir := t.TempDir()
	code, out, errOut := leadscore(t, string(input), "stream", "--model", td("b2b-saas.yaml"), "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	lines := bytes.Count(input, []byte("\n"))
	assert.Contains(t, errOut, fmt.Sprintf("%d lines in: %d applied, %d duplicates skipped, 0 failed;", lines, lines-dups, dups))
	changes := strings.Count(out, "\n")
	assert.Contains(t, errOut, fmt.Sprintf("%d changes written (seq 1 to %d,", changes, changes))

	// Each change line says where the lead went, and the lead's last one
	// where it stands at the end.
	last := map[string]stream.Standing{}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var c changeLine
		require.NoError(t, json.Unmarshal([]byte(line), &c))
		assert.Equal(t, uint64(i+1), c.Seq)
		now := stream.Standing{Stage: c.Result.Stage, Grade: c.Result.Grade, SalesReady: c.Result.SalesReady}
		if was, ok := last[c.LeadID]; ok {
			require.NotNil(t, c.From, line)
			assert.Equal(t, was, *c.From, line)
			assert.NotEqual(t, was, now, "a change changes something: %s", line)
		}
		last[c.LeadID] = now
	}

	// Every lead has a change line, those whose fields came before the
	// first event too (review rev15a 2: 160 had none), and the last one
	// is where score puts the lead as of the event clock at the end.
	clock := regexp.MustCompile(`event clock (\S+)`).FindStringSubmatch(errOut)
	require.NotNil(t, clock, errOut)
	code, atClock, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", clock[1], td("leads.ndjson"))
	require.Equal(t, exitOK, code, errOut)
	scored := 0
	for _, line := range strings.Split(strings.TrimSuffix(atClock, "\n"), "\n") {
		var row struct {
			ID         string `json:"id"`
			Stage      string `json:"stage"`
			Grade      string `json:"grade"`
			SalesReady bool   `json:"sales_ready"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &row))
		got, ok := last[row.ID]
		require.True(t, ok, "lead %s has no change line", row.ID)
		assert.Equal(t, stream.Standing{Stage: row.Stage, Grade: row.Grade, SalesReady: row.SalesReady}, got, "lead %s as of %s", row.ID, clock[1])
		scored++
	}
	assert.Equal(t, 1000, scored)
	assert.Len(t, last, 1000)

	for _, at := range []string{"2026-10-01", "2026-12-31"} {
		code, dump, errOut := leadscore(t, "", "stream", "--model", td("b2b-saas.yaml"), "--state", dir, "--dump", "--at", at)
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, "1000 leads: 1000 scored, 0 failed (as of "+at+"T00:00:00Z)\n", errOut)
		code, scores, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", at, td("leads.ndjson"))
		require.Equal(t, exitOK, code, errOut)
		assert.Equal(t, sortedLines(scores), sortedLines(dump), "as of %s", at)
		if at == "2026-12-31" {
			// At the end each lead stands where its last change put it
			// (re-checks after the last event have not run: the event
			// clock stopped there), or where it stood at 2026-10-01.
			assert.NotEmpty(t, last)
		}
	}

	// The same input again: every line was applied already.
	code, out, errOut = leadscore(t, string(input), "stream", "--model", td("b2b-saas.yaml"), "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, fmt.Sprintf("%d lines in: 0 applied, %d duplicates skipped, 0 failed; 0 changes written", lines, lines))
}

// A bad line fails alone, with its line number and what would fix it.
func TestStreamBadLines(t *testing.T) {
	in := `{"lead_id":"A","id":"f1","fields":{"email":"ana@acme.com","title":"VP Marketing","industry":"software","employees":250,"country":"US"}}
{"lead_id":"A","id":"e1","type":"demo_request","at":"2026-09-01T10:00:00Z"}
{"lead_id":"A","id":"e1","type":"demo_request","at":"2026-09-01T10:00:00Z"}
{"lead_id":"A","type":"demo_request","at":"2026-09-01T10:00:00Z"}
not json

{"lead_id":"A","id":"e2","type":"webinar_attended","at":"2026-09-02T10:00:00Z","minutes":"lots"}
{"lead_id":"A","disposition":{"at":"2026-09-03T10:00:00Z","status":"rejected","reason":"no_budgt"}}
{"lead_id":"A","disposition":{"at":"2026-09-03T10:00:00Z","status":"accepted"}}
{"lead_id":"A","disposition":{"at":"2026-09-03T10:00:00Z","status":"accepted"}}
{"lead_id":"A","disposition":{"at":"2026-09-04T10:00:00Z","status":"recycled","reason":"bad_timing"}}
{"lead_id":"A","fields":{"title":"Intern"},"x":1}
{"lead_id":"A","fields":{"id":"B"}}
{"id":"e9","type":"demo_request","at":"2026-09-01T10:00:00Z"}
{"lead_id":"B","id":"e1","type":"demo_request","at":"2026-09-05T10:00:00Z"}
`
	dir := t.TempDir()
	code, out, errOut := leadscore(t, in, "stream", "--model", td("b2b-saas.yaml"), "--state", dir)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, `stdin:4: the event has no "id": give each event an id, unique for its lead, so that an event delivered twice is applied once
stdin:5: not a JSON object (invalid character 'o' in literal null (expecting 'u')); each line is one event, field update or verdict
stdin:7: lead A: event webinar_attended at 2026-09-02T10:00:00Z: minutes: want a number, got the text "lots"
stdin:8: disposition: unknown reason "no_budgt"; did you mean "no_budget"?
stdin:11: disposition: a recycle cannot be streamed under this model: its recycle policy resets content_download, demo_request, email_click, page_view, trial_signup, webinar_attended events, and a streaming state cannot take out what it counted; score this lead with leadscore score over its history
stdin:12: unknown key "x" beside "fields"; an update holds lead_id, id and fields only
stdin:13: "fields" holds "id", which is not a field: give the lead's id as lead_id, events and verdicts on lines of their own
stdin:14: no "lead_id": every line names the lead it is about
14 lines in: 4 applied, 2 duplicates skipped, 8 failed; 1 change written (seq 1 to 1, 0 at a re-check); event clock 2026-09-05T10:00:00Z
`, errOut)
	var c []changeLine
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var x changeLine
		require.NoError(t, json.Unmarshal([]byte(line), &x))
		c = append(c, x)
	}
	require.Len(t, c, 1, "the acceptance changes no stage, grade or sales-readiness")
	assert.Equal(t, "sql", c[0].Result.Stage)
	assert.Equal(t, "e1", c[0].ID)

	// B took an event but has no fields: it is kept, unscored, and the
	// dump says what it lacks.
	code, dump, errOut := leadscore(t, "", "stream", "--model", td("b2b-saas.yaml"), "--state", dir, "--dump", "--at", "2026-09-10")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, dump, `{"id":"B","error":"lead B: no fields were given for it: give them with a line {\"lead_id\":\"B\",\"fields\":{...}}"}`)
	assert.Contains(t, errOut, "2 leads: 1 scored, 1 failed (as of 2026-09-10T00:00:00Z)\n")
}

// States stored under other event rules are refused, naming --rebuild;
// --rebuild builds them anew from the full history, after which the dump
// is score's under the new model.
func TestStreamModelChangedAndRebuild(t *testing.T) {
	input, _ := streamLines(t, td("leads.ndjson"), 0)
	history := filepath.Join(t.TempDir(), "history.ndjson")
	require.NoError(t, os.WriteFile(history, input, 0o644))
	dir := t.TempDir()
	code, _, errOut := leadscore(t, "", "stream", "--model", td("b2b-saas.yaml"), "--state", dir, "--quiet", history)
	require.Equal(t, exitOK, code, errOut)

	v2 := td("b2b-saas-v2.yaml")
	code, _, errOut = leadscore(t, "", "stream", "--model", v2, "--state", dir, "--dump")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, stream.ErrModelChanged.Error())
	assert.Contains(t, errOut, "Rebuild them from the full history: leadscore stream --model "+v2+" --state "+dir+" --rebuild HISTORY.ndjson\n")

	code, out, errOut := leadscore(t, "", "stream", "--model", v2, "--state", dir, "--rebuild", history)
	require.Equal(t, exitOK, code, errOut)
	assert.Empty(t, out)
	n := bytes.Count(input, []byte("\n"))
	assert.Equal(t, fmt.Sprintf("rebuilt from %s: %d lines in: %d applied, 0 duplicates skipped, 0 failed; no changes written\n", history, n, n), errOut)
	code, dump, errOut := leadscore(t, "", "stream", "--model", v2, "--state", dir, "--dump", "--at", "2026-10-01")
	require.Equal(t, exitOK, code, errOut)
	_, scores, _ := leadscore(t, "", "score", "--model", v2, "--at", "2026-10-01", td("leads.ndjson"))
	assert.Equal(t, sortedLines(scores), sortedLines(dump))
}

func TestStreamUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--state", "x"}, "--model is required"},
		{[]string{"--model", td("b2b-saas.yaml")}, "--state is required"},
		{[]string{"--model", td("b2b-saas.yaml"), "--state", "x", "--clock", "cpu"}, "--clock cpu: write event"},
		{[]string{"--model", td("b2b-saas.yaml"), "--state", "x", "--at", "2026-10-01"}, "--at goes with --dump"},
		{[]string{"--model", td("b2b-saas.yaml"), "--state", "x", "--dump", "in.ndjson"}, "--dump takes no input"},
	} {
		code, _, errOut := leadscore(t, "", append([]string{"stream"}, c.args...)...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Contains(t, errOut, c.want, c.args)
	}
}

// With --clock wall, a re-check fires as the wall clock passes it, while
// the input is open and quiet.
func TestStreamWallClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits two seconds for a re-check")
	}
	demo := time.Now().UTC().Add(-30*24*time.Hour + 1500*time.Millisecond) // leaves its 30-day window in 1.5s
	pr, pw := io.Pipe()
	var out, errOut bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run([]string{"stream", "--model", td("b2b-saas.yaml"), "--state", t.TempDir(), "--clock", "wall"}, pr, &out, &errOut)
	}()
	fmt.Fprintln(pw, `{"lead_id":"A","id":"f1","fields":{"email":"ana@acme.com","title":"VP Marketing","industry":"software","employees":250,"country":"US"}}`)
	fmt.Fprintf(pw, `{"lead_id":"A","id":"e1","type":"demo_request","at":%q}`+"\n", demo.Format(time.RFC3339Nano))
	time.Sleep(2500 * time.Millisecond)
	pw.Close()
	require.Equal(t, exitOK, <-done, errOut.String())
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 3, out.String())
	var c []changeLine
	for _, l := range lines {
		var x changeLine
		require.NoError(t, json.Unmarshal([]byte(l), &x))
		c = append(c, x)
	}
	assert.Equal(t, []string{"fields", "event", "recheck"}, []string{c[0].Cause, c[1].Cause, c[2].Cause})
	assert.Equal(t, "sql", c[1].Result.Stage)
	assert.Equal(t, "", c[2].Result.Stage, "the demo left its window")
	assert.True(t, c[2].At.Equal(demo.Add(30*24*time.Hour)), "at the moment it left: %s", c[2].At)
}

// A lead whose fields come before the event clock has a time, with no
// line of its own after, is scored when the clock first gets one, in
// lead-id order (review rev15a 2); stopped before the first event, a
// restarted run finds the waiting leads in its state and writes the same
// lines.
func TestStreamLeadWaitingForTheClock(t *testing.T) {
	fields := `{"lead_id":"Q2","fields":{"email":"b@b.com","title":"Intern","employees":5,"industry":"retail","country":"FR"}}
{"lead_id":"Q1","fields":{"email":"a@b.com","title":"VP Sales","employees":5000,"industry":"software","country":"US"}}
`
	events := `{"lead_id":"P1","id":"e1","type":"email_open","at":"2026-09-01T00:00:00Z"}
{"lead_id":"P1","id":"e2","type":"email_open","at":"2026-12-01T00:00:00Z"}
`
	code, once, errOut := leadscore(t, fields+events, "stream", "--model", td("b2b-saas.yaml"), "--state", t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "2 changes written (seq 1 to 2,")
	lines := strings.Split(strings.TrimSuffix(once, "\n"), "\n")
	require.Len(t, lines, 2)
	for i, id := range []string{"Q1", "Q2"} {
		var c changeLine
		require.NoError(t, json.Unmarshal([]byte(lines[i]), &c))
		assert.Equal(t, id, c.LeadID)
		assert.Equal(t, "2026-09-01T00:00:00Z", c.At.Format(time.RFC3339))
		assert.Equal(t, "fields", c.Cause)
		assert.Nil(t, c.From)
	}
	var q1 changeLine
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &q1))
	code, row, errOut := leadscore(t, `{"id":"Q1","email":"a@b.com","title":"VP Sales","employees":5000,"industry":"software","country":"US"}`+"\n",
		"score", "--model", td("b2b-saas.yaml"), "--at", "2026-09-01T00:00:00Z", "--quiet")
	require.Equal(t, exitOK, code, errOut)
	got, err := json.Marshal(q1.Result)
	require.NoError(t, err)
	assert.JSONEq(t, row, string(got), "Q1's line is score's row as of the first event")

	// Stopped after the fields: the restarted run writes the same lines.
	dir := t.TempDir()
	code, first, errOut := leadscore(t, fields, "stream", "--model", td("b2b-saas.yaml"), "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Empty(t, first)
	code, second, errOut := leadscore(t, events, "stream", "--model", td("b2b-saas.yaml"), "--state", dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, once, second)
}
