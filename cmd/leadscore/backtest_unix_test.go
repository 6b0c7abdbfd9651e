//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// backtest --suggest reads a leads file twice or more (the candidate
// scales, then the proposed points), decoding only the leads each pass
// needs; a pipe cannot be read twice, so its leads are kept instead. Both
// ways give the same report, the same proposed file and the same counts,
// with verdicts and a bad row in the file.
func TestSuggestRereadsAFileAndKeepsAPipe(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b2b-saas.yaml", "common/lists.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", f))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), data, 0o644))
	}
	leads, err := os.ReadFile(filepath.Join("..", "..", "testdata", "backtest", "leads.ndjson"))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(leads), "\n")
	leads = []byte(strings.Join(lines[:1500], "") + "{broken\n" + strings.Join(lines[1500:], ""))
	file := filepath.Join(dir, "leads.ndjson")
	require.NoError(t, os.WriteFile(file, leads, 0o644))
	pipe := filepath.Join(dir, "pipe.ndjson")
	require.NoError(t, syscall.Mkfifo(pipe, 0o644))
	model := filepath.Join(dir, "b2b-saas.yaml")
	outcomes := filepath.Join("..", "..", "testdata", "backtest", "outcomes.csv")
	args := func(leads, proposed string) []string {
		return []string{"backtest", "--model", model, "--outcomes", outcomes, "--at", "2026-07-01", "--until", "2026-10-01",
			"--capacity", "40/week", "--min-won", "10", "--suggest", "-o", filepath.Join(dir, proposed), "--format", "json", leads}
	}
	code, fromFile, errFile := leadscore(t, "", args(file, "from-file.yaml")...)
	assert.Equal(t, exitProblem, code, errFile)
	go func() {
		w, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err == nil {
			w.Write(leads)
			w.Close()
		}
	}()
	code, fromPipe, errPipe := leadscore(t, "", args(pipe, "from-pipe.yaml")...)
	assert.Equal(t, exitProblem, code, errPipe)
	assert.Contains(t, fromFile, `"decision"`)
	assert.Equal(t, fromFile, fromPipe)
	assert.Equal(t, strings.NewReplacer(file, "LEADS", "from-file", "PROPOSED").Replace(errFile),
		strings.NewReplacer(pipe, "LEADS", "from-pipe", "PROPOSED").Replace(errPipe))
	assert.Contains(t, errFile, file+":1501: ")
	a, err := os.ReadFile(filepath.Join(dir, "from-file.yaml"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(dir, "from-pipe.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(a), string(b))
}
