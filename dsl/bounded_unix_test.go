//go:build unix

package dsl_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
)

// A named pipe is refused by name before it is opened (opening one waits
// for a writer): as the rule file, an included file or a test file.
func TestNamedPipesAreNotRead(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe.yaml")
	require.NoError(t, syscall.Mkfifo(pipe, 0o644))
	const why = "it is a named pipe (FIFO), not a file; only files are read"

	_, err := dsl.Load(pipe)
	assert.EqualError(t, err, pipe+": "+why)
	_, err = dsl.LoadTestFile(pipe)
	assert.EqualError(t, err, pipe+": cannot read the test file: "+why)
	model := filepath.Join(dir, "model.yaml")
	require.NoError(t, os.WriteFile(model, []byte(strings.Replace(rootModel, "%s", "pipe.yaml", 1)), 0o644))
	_, err = dsl.Load(model)
	assert.EqualError(t, err, model+`:3:11: cannot include "pipe.yaml": `+why)
	_, err = dsl.Load("/dev/zero")
	assert.EqualError(t, err, "/dev/zero: it is a device, not a file; only files are read")
}

// A file included under two names, through a symbolic link to a directory,
// is read once: a link to the rule directory itself (loop -> .) gives every
// file endless names, and a file that includes itself through it twice at
// every level would otherwise be read 2^16 times.
func TestIncludesThroughDirectoryLinksAreReadOnce(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Symlink(".", filepath.Join(dir, "loop")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "lists.yaml"), []byte("include: [loop/lists.yaml, loop/loop/lists.yaml]\nlists: {a: [x]}\n"), 0o644))
	model := filepath.Join(dir, "model.yaml")
	require.NoError(t, os.WriteFile(model, []byte(strings.Replace(rootModel, "%s", "lists.yaml, loop/lists.yaml, loop/model.yaml", 1)), 0o644))
	for _, load := range []func() (*dsl.Document, error){
		func() (*dsl.Document, error) { return dsl.Load(model) },
		func() (*dsl.Document, error) { return dsl.LoadIn(dir, "model.yaml") },
	} {
		doc, err := load()
		require.NoError(t, err)
		assert.Equal(t, []string{model, filepath.Join(dir, "lists.yaml")}, doc.Files)
	}
}
