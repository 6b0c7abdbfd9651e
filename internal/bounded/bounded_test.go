package bounded

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counting yields zeros for ever, counting them.
type counting struct{ n int }

func (c *counting) Read(p []byte) (int, error) { clear(p); c.n += len(p); return len(p), nil }

// A source that never ends is read to a byte past the limit, then refused.
func TestReadStopsPastTheLimit(t *testing.T) {
	src := &counting{}
	b, err := Read(src, 1<<20)
	assert.Nil(t, b)
	var tl *TooLargeError
	require.ErrorAs(t, err, &tl)
	assert.EqualError(t, err, "the file is larger than 1 MiB")
	assert.Equal(t, 1<<20+1, src.n)

	b, err = Read(strings.NewReader("abc"), 3)
	assert.NoError(t, err)
	assert.Equal(t, "abc", string(b))
}

func TestReadFileRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadFile(dir, 10)
	assert.EqualError(t, err, "it is a directory, not a file; only files are read")
	_, err = ReadFile(filepath.Join(dir, "nope"), 10)
	assert.True(t, errors.Is(err, os.ErrNotExist))
	assert.Contains(t, err.Error(), "open ")
	_, err = ReadFS(os.DirFS(dir), ".", 10)
	assert.EqualError(t, err, "it is a directory, not a file; only files are read")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), []byte("12345"), 0o644))
	_, err = ReadFS(os.DirFS(dir), "f", 4)
	assert.EqualError(t, err, "the file is larger than 4 bytes")
	b, err := ReadFile(filepath.Join(dir, "f"), 5)
	require.NoError(t, err)
	assert.Equal(t, "12345", string(b))
	assert.Equal(t, "a device", strings.TrimSuffix(strings.TrimPrefix((&NotFileError{os.ModeDevice | os.ModeCharDevice}).Error(), "it is "), ", not a file; only files are read"))
}
