//go:build unix

package source_test

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring/source"
)

// A named pipe is refused before it is opened: opening it would wait for a
// writer for ever.
func TestParseFileRefusesANamedPipe(t *testing.T) {
	pipe := filepath.Join(t.TempDir(), "m.yaml")
	require.NoError(t, syscall.Mkfifo(pipe, 0o644))
	_, err := source.ParseFile(pipe)
	assert.EqualError(t, err, pipe+": cannot read the source mapping: it is a named pipe (FIFO), not a file; only files are read")
}
