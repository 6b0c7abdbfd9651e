package langserver

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/leadscore/leadscore/dsl"
)

// project is what a request about a document reads: the model the
// document belongs to, decoded as far as it decodes (a rule file with
// errors still names its fields, rules and stages), and the document as a
// test file when it is one. Positions in doc and test are absolute paths.
type project struct {
	file string        // the document
	root string        // the model's rule file; "" when none was found
	doc  *dsl.Document // the model; nil when none was found
	test *dsl.TestFile // the document as a test file; nil when not one
	srv  *server       // for the text of files
}

// maxScan bounds how many files of a directory are looked at to find the
// rule file that includes a file, or the test files of a model.
const maxScan = 32

// project finds the model of the document file.
func (s *server) project(file string) *project {
	p := &project{file: file, srv: s}
	text, ok := s.good[file]
	if !ok {
		// Never well-formed in the editor: as it is on disk.
		b, err := dsl.ReadFile(file)
		if err != nil {
			return p
		}
		text = string(b)
	}
	switch {
	case isTestDoc(file, text):
		tf, _ := dsl.ParseTestFile(file, []byte(text))
		p.test = tf
		if tf != nil && tf.Model.Value != "" && filepath.IsLocal(filepath.FromSlash(tf.Model.Value)) {
			p.root = filepath.Join(filepath.Dir(file), filepath.FromSlash(tf.Model.Value))
		}
	case isRoot(text):
		p.root = file
	default:
		p.root = s.includer(file)
	}
	if p.root != "" {
		p.doc = s.load(p.root)
	}
	return p
}

// load decodes the rule file root with its includes, as the editor has
// them; nil when it cannot be read at all.
func (s *server) load(root string) *dsl.Document {
	doc, _ := dsl.LoadInFS(s.dirFSOf(filepath.Dir(root), true), filepath.Dir(root), filepath.Base(root))
	if doc == nil || len(doc.Files) == 0 {
		return nil
	}
	return doc
}

// includer finds a rule file that includes file: one open in the editor,
// else one on disk in its directory or the one above.
func (s *server) includer(file string) string {
	var candidates []string
	for f, d := range s.docs {
		if f != file && len(d.Text) <= MaxDocument && !isTestDoc(f, d.Text) && isRoot(d.Text) {
			candidates = append(candidates, f)
		}
	}
	slices.Sort(candidates)
	for _, dir := range []string{filepath.Dir(file), filepath.Dir(filepath.Dir(file))} {
		entries, _ := os.ReadDir(dir)
		n := 0
		for _, e := range entries {
			if f := filepath.Join(dir, e.Name()); e.Type().IsRegular() && dsl.IsYAML(e.Name()) && !dsl.IsTestFile(e.Name()) && !slices.Contains(candidates, f) && n < maxScan {
				n++
				candidates = append(candidates, f)
			}
		}
	}
	for _, f := range candidates {
		if rel, err := filepath.Rel(filepath.Dir(f), file); err != nil || !filepath.IsLocal(rel) {
			continue
		}
		if text, ok := s.text(f); !ok || !isRoot(text) {
			continue
		}
		if doc := s.load(f); doc != nil && slices.Contains(doc.Files, file) {
			return f
		}
	}
	return ""
}

// testFiles returns the test files of the model: those open in the
// editor, and those on disk beside the rule file, whose model: is root.
func (p *project) testFiles() []*dsl.TestFile {
	if p.root == "" {
		return nil
	}
	s := p.srv
	var names []string
	for f := range s.docs {
		names = append(names, f)
	}
	entries, _ := os.ReadDir(filepath.Dir(p.root))
	n := 0
	for _, e := range entries {
		if f := filepath.Join(filepath.Dir(p.root), e.Name()); e.Type().IsRegular() && dsl.IsTestFile(e.Name()) && !slices.Contains(names, f) && n < maxScan {
			n++
			names = append(names, f)
		}
	}
	slices.Sort(names)
	var out []*dsl.TestFile
	for _, f := range names {
		text, ok := s.text(f)
		if !ok || !isTestDoc(f, text) {
			continue
		}
		tf, _ := dsl.ParseTestFile(f, []byte(text))
		if tf != nil && filepath.Join(filepath.Dir(f), filepath.FromSlash(tf.Model.Value)) == p.root {
			out = append(out, tf)
		}
	}
	return out
}

// text is a file as the editor last had it well-formed, else as it is
// on disk.
func (s *server) text(file string) (string, bool) {
	if g, ok := s.good[file]; ok {
		return g, true
	}
	if _, ok := s.docs[file]; ok {
		return "", false
	}
	b, err := dsl.ReadFile(file)
	return string(b), err == nil
}

// line is the 0-based line n of file, without its line break.
func (s *server) line(file string, n int) string {
	text, _ := s.text(file)
	for i := 0; i < n; i++ {
		j := strings.IndexByte(text, '\n')
		if j < 0 {
			return ""
		}
		text = text[j+1:]
	}
	if j := strings.IndexByte(text, '\n'); j >= 0 {
		text = text[:j]
	}
	return strings.TrimSuffix(text, "\r")
}

// location is an LSP location.
type location struct {
	URI   string `json:"uri"`
	Range Range  `json:"range"`
}

// span is the range of n characters from pos (1-based line, rune
// column) in its file, in UTF-16 columns.
func (s *server) span(pos dsl.Pos, n int) location {
	line := []rune(s.line(pos.File, pos.Line-1))
	start := min(max(pos.Col-1, 0), len(line))
	end := min(start+n, len(line))
	l := max(pos.Line-1, 0)
	return location{URI: uriOf(pos.File), Range: Range{
		Start: Position{l, utf16Len(line[:start])},
		End:   Position{l, utf16Len(line[:end])},
	}}
}

// runeCol turns a UTF-16 column of line into a rune column.
func runeCol(line string, char int) int {
	n, units := 0, 0
	for _, r := range line {
		if units >= char {
			break
		}
		units += len(utf16.Encode([]rune{r}))
		n++
	}
	return n
}
