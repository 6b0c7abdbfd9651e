package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tooLarge is how check, test and fmt refuse a file over 4 MiB.
const tooLarge = "the file is larger than 4 MiB, the most a rule file or test file may hold; split it into smaller files (a rule file can include: the others)"

// zeros yields zero bytes for ever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// bigFile makes a file of 4 MiB and a byte, of zeros, in dir.
func bigFile(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	require.NoError(t, os.Truncate(path, 4<<20+1))
	return path
}

// check, test and fmt refuse a file over 4 MiB, reading at most a byte
// past the limit; fmt refuses standard input that does not end.
func TestRuleFilesOverTheLimit(t *testing.T) {
	dir := t.TempDir()
	big := bigFile(t, dir, "big.yaml")
	code, out, _ := leadscore(t, "", "check", big)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, big+": "+tooLarge+"\nFAIL "+big+"\n", out)

	code, out, _ = leadscore(t, "", "fmt", big)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "", out)
	code, _, errOut := leadscore(t, "", "fmt", "--check", big)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore fmt: "+big+": "+tooLarge+"\n", errOut)
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitUsage, run([]string{"fmt"}, zeros{}, &stdout, &stderr))
	assert.Equal(t, "leadscore fmt: stdin: "+tooLarge+"\n", stderr.String())

	bigTest := bigFile(t, dir, "big_test.yaml")
	code, out, errOut = leadscore(t, "", "test", bigTest)
	assert.Equal(t, exitUsage, code, "cannot run") // as for any test file that cannot be read
	assert.Contains(t, out+errOut, bigTest+": cannot read the test file: "+tooLarge)
}

// --max-row bounds each row of --events and --dispositions as it bounds the
// leads: a long dispositions row fails alone, a long events row is a bad
// row of the events file, which stops the run.
func TestScoreMaxRowBoundsEventsAndDispositions(t *testing.T) {
	dir := t.TempDir()
	disp := filepath.Join(dir, "dispositions.csv")
	require.NoError(t, os.WriteFile(disp, []byte("lead_id,at,status,reason,owner\nL0000001,2026-09-01T00:00:00Z,accepted,,"+strings.Repeat("o", 3000)+"\n"), 0o644))
	code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--max-row", "2KiB", "--dispositions", disp, td("leads.ndjson"))
	assert.Equal(t, exitProblem, code, errOut)
	assert.Contains(t, errOut, disp+":2: the row is longer than 2 KiB, the most a row may hold, and was not read whole (raise the limit with --max-row (the maxRow of ReadDispositionsLimit in Go))\n")
	assert.Contains(t, errOut, "1 disposition row: 0 used, 1 failed\n")

	events := filepath.Join(dir, "events.csv")
	require.NoError(t, os.WriteFile(events, []byte("lead_id,type,at,campaign,channel,url,minutes\nL0000001,page_view,2026-09-01T00:00:00Z,,,/"+strings.Repeat("u", 3000)+",\n"), 0o644))
	code, _, errOut = leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--max-row", "2KiB", "--events", events, td("leads.csv"))
	assert.Equal(t, exitUsage, code, "the events file cannot be used")
	assert.Contains(t, errOut, events+":2: the row is longer than 2 KiB, the most a row may hold, and was not read whole (raise the limit with --max-row (Options.MaxRow in Go))")
}
