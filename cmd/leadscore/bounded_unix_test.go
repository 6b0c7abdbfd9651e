//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// check and fmt never open a named pipe or read a device to its end: a
// pipe named x.yaml in a checked directory, or given by name, fails with
// its path while the other files are checked.
func TestNamedPipesAndDevicesAreRefused(t *testing.T) {
	dir := t.TempDir()
	model := "leadscore: 1\nmodel: m\nscores: {fit: {}}\nstages:\n  - {id: sql, sales_ready: true, when: fit > 1}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(model), 0o644))
	pipe := filepath.Join(dir, "x.yaml")
	require.NoError(t, syscall.Mkfifo(pipe, 0o644))
	const why = "it is a named pipe (FIFO), not a file; only files are read"

	code, out, _ := leadscore(t, "", "check", dir)
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, pipe+": "+why+"\nok   "+filepath.Join(dir, "m.yaml")+" (model m)\nFAIL "+pipe+"\n", out)
	code, out, _ = leadscore(t, "", "check", "/dev/zero")
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, "/dev/zero: it is a device, not a file; only files are read\nFAIL /dev/zero\n", out)

	code, _, errOut := leadscore(t, "", "fmt", "--check", pipe)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore fmt: "+pipe+": "+why+"\n", errOut)
}
