package dsl

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/internal/bounded"
)

// MaxFileSize is the largest rule file or test file read, included files
// counted alone: a larger one is refused unread.
const MaxFileSize = 4 << 20

// MaxModelSize is the most a model's files (its rule file and every file it
// includes, each once) may hold together.
const MaxModelSize = 16 << 20

// maxIncludeDepth bounds chains of includes.
const maxIncludeDepth = 16

// Load reads the rule file at path and every file it includes. Includes are
// resolved relative to the including file and may not leave the directory of
// the file at path (symbolic links that point outside are refused too).
//
// The error, when not nil, is a Diagnostics listing every problem found.
func Load(filename string) (*Document, error) {
	dir, base := filepath.Split(filename)
	open := dir
	if open == "" {
		open = "."
	}
	root, err := os.OpenRoot(open)
	if err != nil {
		return nil, Diagnostics{{Pos: Pos{File: filename}, Message: fmt.Sprintf("cannot open the rule directory: %v", err), Err: err}}
	}
	defer root.Close()
	l := newLoader(root.FS(), func(name string) string {
		return filepath.Join(dir, filepath.FromSlash(name))
	})
	return l.load(filepath.ToSlash(base))
}

// LoadFS reads the rule file name from fsys and every file it includes;
// includes may not leave the directory that holds name.
func LoadFS(fsys fs.FS, name string) (*Document, error) {
	return newLoader(fsys, func(n string) string { return n }).load(name)
}

// Parse reads one rule file from memory. It is for tests and tools; a file
// with includes needs Load or LoadFS.
func Parse(filename string, src []byte) (*Document, error) {
	l := newLoader(nil, func(n string) string { return n })
	l.mem = map[string][]byte{filename: src}
	return l.load(filename)
}

type loader struct {
	fsys    fs.FS
	mem     map[string][]byte
	display func(string) string
	doc     *Document
	diags   Diagnostics
	rootDir string
	done    map[string]bool
	files   fileSet // the files read, to read none twice under two names
	total   int     // bytes read, at most MaxModelSize
}

func newLoader(fsys fs.FS, display func(string) string) *loader {
	return &loader{fsys: fsys, display: display, doc: &Document{sources: sources{}}, done: map[string]bool{}}
}

func (l *loader) load(name string) (*Document, error) {
	l.rootDir = path.Dir(name)
	l.readBefore(name)
	l.file(name, nil, nil)
	if !l.diags.HasErrors() || l.doc.Version != 0 {
		l.diags = append(l.diags, l.doc.Check()...)
	}
	l.diags.Sort()
	return l.doc, l.diags.Err()
}

func (l *loader) read(name string) ([]byte, error) {
	if l.mem != nil {
		if b, ok := l.mem[name]; ok {
			return b, nil
		}
		return nil, errors.New("includes need the rule file to be loaded from a directory")
	}
	b, err := bounded.ReadFS(l.fsys, name, MaxFileSize)
	if l.total += len(b); l.total > MaxModelSize {
		return nil, fmt.Errorf("the model's files add up to more than %s, the most one model may load; a model's rule file and the files it includes are a few pages of YAML, so check for includes that pull in the same files again through other paths", bounded.Size(MaxModelSize))
	}
	return b, err
}

// readBefore reports whether the file name is one read already under
// another name (through a symbolic link to a directory), and marks it read.
func (l *loader) readBefore(name string) bool {
	if l.mem != nil {
		return false
	}
	info, err := fs.Stat(l.fsys, name)
	return err == nil && l.files.add(info)
}

// file reads one file, decodes it into l.doc and follows its includes.
// from is the include that named it (nil for the root file).
func (l *loader) file(name string, from *Diagnostic, chain []string) {
	display := l.display(name)
	fail := func(msg string, cause error) {
		if from != nil {
			from.Message += ": " + msg
			from.Err = cause
			l.diags = append(l.diags, from)
			l.doc.lostInclude = true
		} else {
			l.diags = append(l.diags, &Diagnostic{Pos: Pos{File: display}, Message: msg, Err: cause})
		}
	}
	src, err := l.read(name)
	if err != nil {
		fail(describeOpenError(err), err)
		return
	}
	l.done[name] = true
	l.doc.Files = append(l.doc.Files, display)
	l.doc.sources[display] = splitLines(src)

	root, dec, diag, err := decodeYAML(display, src, l.doc.sources[display])
	if err == io.EOF {
		fail("the file is empty; a rule file starts with leadscore: 1", nil)
		return
	}
	if diag != nil {
		l.diags = append(l.diags, diag)
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		l.diags = append(l.diags, l.doc.Diag(Pos{File: display, Line: extra.Line, Col: extra.Column},
			"the file holds more than one YAML document (---); keep one model per file"))
	}
	d := &decoder{file: display, lines: l.doc.sources[display], doc: l.doc, diags: &l.diags}
	if len(root.Content) == 0 {
		return
	}
	if root.Content[0].Kind != yaml.MappingNode {
		// Not a rule file at all (a text, a list): say so without showing it.
		fail("this is not a rule file: a rule file is a YAML mapping of keys to values, such as leadscore: 1", nil)
		return
	}
	d.untag(root)
	includes := d.top(root.Content[0], from == nil)
	for _, inc := range includes {
		diag := l.doc.Diag(d.pos(inc), fmt.Sprintf("cannot include %q", inc.Value))
		if !d.isScalar(inc, "an include") {
			continue
		}
		target, msg := l.resolve(name, inc.Value)
		switch {
		case msg != "":
			diag.Message += ": " + msg
			l.diags = append(l.diags, diag)
			l.doc.lostInclude = true
		case contains(chain, target) || target == name:
			diag.Message += fmt.Sprintf(": include cycle %s -> %s", strings.Join(append(chain, name), " -> "), target)
			l.diags = append(l.diags, diag)
		case len(chain) >= maxIncludeDepth:
			diag.Message += fmt.Sprintf(": includes nest deeper than %d files", maxIncludeDepth)
			l.diags = append(l.diags, diag)
		case l.done[target] || l.readBefore(target):
			// Included already through another file or path: its contents are in.
		default:
			l.file(target, diag, append(chain, name))
		}
	}
}

// resolve turns an include path into a name in the file system, relative to
// the including file, refusing paths that leave the rule directory.
func (l *loader) resolve(from, inc string) (string, string) {
	if inc == "" {
		return "", "the path is empty"
	}
	if path.IsAbs(inc) || filepath.IsAbs(inc) || strings.Contains(inc, `\`) {
		return "", "write the path relative to this file, with forward slashes"
	}
	target := path.Join(path.Dir(from), inc)
	rel := target
	if l.rootDir != "." {
		rel = strings.TrimPrefix(target, l.rootDir+"/")
		if rel == target {
			rel = "../" + target
		}
	}
	if rel == ".." || strings.HasPrefix(rel, "../") || !fs.ValidPath(target) {
		return "", "the path leaves the rule directory; keep included files beside or below the main rule file"
	}
	if !IsYAML(target) {
		return "", "an included file is a rule file, ending in .yaml or .yml"
	}
	return target, ""
}

// ReadFile reads a rule file or test file as Load reads one: a regular
// file (not a named pipe or a device), of at most MaxFileSize bytes. The
// error says why not in plain words, without the path.
func ReadFile(path string) ([]byte, error) {
	b, err := bounded.ReadFile(path, MaxFileSize)
	return b, readError(err)
}

// ReadAll is ReadFile for a reader, such as standard input.
func ReadAll(r io.Reader) ([]byte, error) {
	b, err := bounded.Read(r, MaxFileSize)
	return b, readError(err)
}

// readErr words a reading error as describeOpenError does.
type readErr struct{ err error }

func (e *readErr) Error() string { return describeOpenError(e.err) }
func (e *readErr) Unwrap() error { return e.err }

func readError(err error) error {
	if err == nil {
		return nil
	}
	return &readErr{err}
}

func describeOpenError(err error) string {
	var tl *bounded.TooLargeError
	var nf *bounded.NotFileError
	switch {
	case errors.As(err, &tl):
		return fmt.Sprintf("%v, the most a rule file or test file may hold; split it into smaller files (a rule file can include: the others)", err)
	case errors.As(err, &nf):
		return err.Error()
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case strings.Contains(err.Error(), "escapes"):
		return "the path leads outside the rule directory (through a symbolic link); keep included files beside or below the main rule file"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
