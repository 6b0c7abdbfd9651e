package dsl

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// LocalPath checks a path that a file names, such as a test file's model:
// it must be relative, written with forward slashes, and stay inside the
// directory of the file that names it. It returns why not, or "".
func LocalPath(p string) string {
	switch {
	case p == "":
		return "the path is empty"
	case path.IsAbs(p) || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return "the path is absolute"
	case strings.Contains(p, `\`):
		return "the path has a backslash; write it with forward slashes"
	}
	if c := path.Clean(p); c == ".." || strings.HasPrefix(c, "../") {
		return "the path leads out of that directory (..)"
	}
	return ""
}

// CheckIn checks the rule file that another file in dir names (a test
// file's model:) before anything is read from it: name must pass LocalPath,
// be a .yaml or .yml file, exist, and stay in dir through symbolic links
// too. It returns why not, or "".
func CheckIn(dir, name string) string {
	if why := checkName(name); why != "" {
		return why
	}
	return CheckInFS(DirFS(dir), name)
}

// CheckInFS is CheckIn for a directory read through fsys, such as the files
// an editor holds over those on disk.
func CheckInFS(fsys fs.FS, name string) string {
	if why := checkName(name); why != "" {
		return why
	}
	info, err := fs.Stat(fsys, path.Clean(name))
	var de *dirError
	switch {
	case errors.As(err, &de):
		return "cannot open the directory: " + describeOpenError(de.err)
	case err != nil && strings.Contains(err.Error(), "escapes"):
		return "the path leads out of that directory through a symbolic link"
	case err != nil:
		return describeOpenError(err)
	case !info.Mode().IsRegular():
		return "it is not a file"
	}
	return ""
}

func checkName(name string) string {
	if why := LocalPath(name); why != "" {
		return why
	}
	if !IsYAML(name) {
		return "a rule file is a .yaml or .yml file"
	}
	return ""
}

// LoadIn reads the rule file that another file in dir names, once CheckIn
// accepts it (nothing is read from a name refused, so no message shows
// what it points at); its includes are confined as Load confines them. A
// refusal is a Diagnostics of one diagnostic without a line, its message
// the reason CheckIn gave.
func LoadIn(dir, name string) (*Document, error) {
	return LoadInFS(DirFS(dir), dir, name)
}

// LoadInFS is LoadIn for the directory dir read through fsys (such as the
// files an editor holds over those on disk); dir names it in messages.
// Includes are read from the rule file's own directory, through fs.Sub.
func LoadInFS(fsys fs.FS, dir, name string) (*Document, error) {
	if why := CheckInFS(fsys, name); why != "" {
		return &Document{sources: sources{}}, Diagnostics{{Pos: Pos{File: filepath.Join(dir, filepath.FromSlash(name))}, Message: why}}
	}
	sub, base := path.Split(path.Clean(name))
	display := filepath.Join(dir, filepath.FromSlash(sub))
	if sub != "" {
		var err error
		if fsys, err = fs.Sub(fsys, path.Clean(sub)); err != nil {
			return &Document{sources: sources{}}, Diagnostics{{Pos: Pos{File: filepath.Join(display, base)}, Message: describeOpenError(err)}}
		}
	}
	l := newLoader(fsys, func(n string) string { return filepath.Join(display, filepath.FromSlash(n)) })
	return l.load(base)
}

// DirFS is the directory dir as rule files are read from it: every file
// opened through an os.Root, so that neither a path nor a symbolic link
// leads out of it, and Sub confined the same way to the subdirectory.
func DirFS(dir string) fs.FS { return dirFS(dir) }

type dirFS string

// dirError is a directory that could not be opened.
type dirError struct{ err error }

func (e *dirError) Error() string { return "cannot open the directory: " + e.err.Error() }

func (d dirFS) root(op, name string) (*os.Root, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	r, err := os.OpenRoot(string(d))
	if err != nil {
		return nil, &dirError{err}
	}
	return r, nil
}

func (d dirFS) Open(name string) (fs.File, error) {
	r, err := d.root("open", name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Open(name)
}

func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	r, err := d.root("stat", name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Stat(name)
}

func (d dirFS) Sub(dir string) (fs.FS, error) {
	if !fs.ValidPath(dir) {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: fs.ErrInvalid}
	}
	return dirFS(filepath.Join(string(d), filepath.FromSlash(dir))), nil
}
