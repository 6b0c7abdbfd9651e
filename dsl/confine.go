package dsl

import (
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
	if why := LocalPath(name); why != "" {
		return why
	}
	if !IsYAML(name) {
		return "a rule file is a .yaml or .yml file"
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "cannot open the directory: " + describeOpenError(err)
	}
	defer root.Close()
	info, err := root.Stat(name)
	switch {
	case err != nil && strings.Contains(err.Error(), "escapes"):
		return "the path leads out of that directory through a symbolic link"
	case err != nil:
		return describeOpenError(err)
	case !info.Mode().IsRegular():
		return "it is not a file"
	}
	return ""
}

// LoadIn reads the rule file that another file in dir names, once CheckIn
// accepts it (nothing is read from a name refused, so no message shows
// what it points at); its includes are confined as Load confines them. A
// refusal is a Diagnostics of one diagnostic without a line, its message
// the reason CheckIn gave.
func LoadIn(dir, name string) (*Document, error) {
	display := filepath.Join(dir, filepath.FromSlash(name))
	if why := CheckIn(dir, name); why != "" {
		return &Document{sources: sources{}}, Diagnostics{{Pos: Pos{File: display}, Message: why}}
	}
	return Load(display)
}
