// Package bounded is how leadscore reads a whole file or a row: never more
// than a limit, never a named pipe or a device that would block or never
// end, so that no input, however large, is held in memory whole.
package bounded

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// DefaultMaxRow is the longest row (a CSV or NDJSON line) read unless an
// option says otherwise.
const DefaultMaxRow = 4 << 20

// TooLargeError is a file with more bytes than Limit.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string { return "the file is larger than " + Size(e.Limit) }

// NotFileError is a path that names something other than a regular file.
type NotFileError struct{ Mode fs.FileMode }

func (e *NotFileError) Error() string {
	what := "not a regular file"
	switch m := e.Mode; {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeDevice != 0:
		what = "a device"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	}
	return "it is " + what + ", not a file; only files are read"
}

// Read reads r to its end, but never more than limit bytes: a longer input
// is a *TooLargeError, with at most limit+1 bytes read.
func Read(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, &TooLargeError{limit}
	}
	return b, err
}

// ReadFile reads the file at path as Read does. Anything but a regular
// file (a directory, a named pipe, a device) is a *NotFileError, found
// before the file is opened: opening a named pipe waits for a writer.
func ReadFile(path string, limit int64) ([]byte, error) {
	return read(path, limit, os.Stat, func(name string) (fs.File, error) { return os.Open(name) })
}

// ReadFS is ReadFile for a file of fsys.
func ReadFS(fsys fs.FS, name string, limit int64) ([]byte, error) {
	return read(name, limit, func(name string) (fs.FileInfo, error) { return fs.Stat(fsys, name) }, fsys.Open)
}

func read(name string, limit int64, stat func(string) (fs.FileInfo, error), open func(string) (fs.File, error)) ([]byte, error) {
	info, err := stat(name)
	if pe, ok := err.(*fs.PathError); ok {
		pe.Op = "open" // as reading the file says it
	}
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &NotFileError{info.Mode()}
	}
	f, err := open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && !info.Mode().IsRegular() { // replaced since
		return nil, &NotFileError{info.Mode()}
	}
	return Read(f, limit)
}

// Size says a size in MiB, KiB or bytes, the largest unit it is a whole
// number of.
func Size[N int | int64](n N) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
