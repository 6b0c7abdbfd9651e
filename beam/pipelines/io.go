// Package pipelines runs leadscore on Apache Beam, for inputs one machine
// cannot hold: scoring lead files into results and a dead-letter output,
// and attribution of journeys or aggregated paths into the report the
// command line gives, with the report accumulators of the core as
// CombineFns. Every output is byte for byte what `leadscore score` and
// `leadscore attribute` write for the same input (the tests check it on
// the Prism runner), because the work is done by the same library code:
// leadfile.RowScorer for rows, attribution.Report and attribution.Paths,
// whose Merge is exact, for the combines.
//
// Inputs are read through Beam's file systems (local files, gs:// with the
// gcs file system imported), one reader per file with its line numbers;
// the rows are then reshuffled over the workers. Give many files to read
// in parallel.
package pipelines

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // file paths
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/leadscore/leadscore/rules"
)

func init() {
	register.DoFn3x1[context.Context, string, func(Row), error](&readLinesFn{})
	register.Emitter1[Row]()
	register.DoFn3x1[context.Context, []byte, func(*Row) bool, error](&writeOrderedFn{})
	register.Iter1[Row]()
}

// Row is one line of an input file, or the output line for it: the file,
// the line number (from 1, as the command line counts them) and the text
// without its line end.
type Row struct {
	File string
	Line int
	Text string
}

// DeadLetter is a row that failed, with where it was, why, and the row
// itself, so it can be fixed and run again.
type DeadLetter struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	LeadID string `json:"lead_id,omitempty"`
	// Error is the message the command line prints for the row:
	// file:line: lead ID: reason.
	Error string `json:"error"`
	Row   string `json:"row"`
}

// ReadLines reads the files named in files, every line that is not blank
// as a Row with its line number, and reshuffles the rows so that the work
// after them spreads over the workers.
func ReadLines(s beam.Scope, files beam.PCollection) beam.PCollection {
	s = s.Scope("ReadLines")
	return beam.Reshuffle(s, beam.ParDo(s, &readLinesFn{}, files))
}

type readLinesFn struct{}

func (*readLinesFn) ProcessElement(ctx context.Context, name string, emit func(Row)) error {
	fsys, err := filesystem.New(ctx, name)
	if err != nil {
		return err
	}
	defer fsys.Close()
	f, err := fsys.OpenRead(ctx, name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	for line := 1; ; line++ {
		var text []byte
		for {
			chunk, more, err := r.ReadLine()
			if err == io.EOF {
				if len(text) > 0 {
					break
				}
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: reading line %d: %w", name, line, err)
			}
			text = append(text, chunk...)
			if !more {
				break
			}
		}
		if len(bytes.TrimSpace(text)) > 0 {
			emit(Row{File: name, Line: line, Text: string(text)})
		}
	}
}

// WriteOrdered writes rows to one file at path, in the order of their
// files (as named in files) and lines, after header: the order the command
// line writes in. All rows pass through one worker, so this is for outputs
// that fit one machine; larger ones are better written in shards.
func WriteOrdered(s beam.Scope, path, header string, files []string, rows beam.PCollection) {
	s = s.Scope("WriteOrdered")
	// A side input, so that the file is written when there are no rows too.
	beam.ParDo0(s, &writeOrderedFn{Path: path, Header: header, Files: files}, beam.Impulse(s), beam.SideInput{Input: rows})
}

type writeOrderedFn struct {
	Path   string
	Header string
	Files  []string
}

func (w *writeOrderedFn) ProcessElement(ctx context.Context, _ []byte, rows func(*Row) bool) error {
	rank := map[string]int{}
	for i, f := range w.Files {
		rank[f] = i
	}
	var all []Row
	var r Row
	for rows(&r) {
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool {
		if a, b := rank[all[i].File], rank[all[j].File]; a != b {
			return a < b
		}
		return all[i].Line < all[j].Line
	})
	var b bytes.Buffer
	b.WriteString(w.Header)
	for _, r := range all {
		b.WriteString(r.Text)
	}
	return writeFile(ctx, w.Path, b.Bytes())
}

// writeFile writes data to path through Beam's file systems.
func writeFile(ctx context.Context, path string, data []byte) error {
	fsys, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fsys.Close()
	f, err := fsys.OpenWrite(ctx, path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Model is a rule file and the files it includes, by name, carried in the
// pipeline so that every worker compiles the same model wherever it runs.
type Model struct {
	Name  string
	Files map[string]string
}

// LoadModel reads the rule file at path with its includes and compiles it,
// so that a broken model stops the pipeline before it starts.
func LoadModel(path string) (Model, *rules.Model, error) {
	rec := &recordFS{fsys: os.DirFS(filepath.Dir(path)), files: map[string]string{}}
	m, err := rules.CompileFS(rec, filepath.Base(path))
	if err != nil {
		return Model{}, nil, err
	}
	return Model{Name: filepath.Base(path), Files: rec.files}, m, nil
}

func (m Model) compile() (*rules.Model, error) {
	mfs := fstest.MapFS{}
	for name, data := range m.Files {
		mfs[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return rules.CompileFS(mfs, m.Name)
}

// recordFS keeps a copy of every file opened through it.
type recordFS struct {
	fsys  fs.FS
	files map[string]string
}

func (r *recordFS) Open(name string) (fs.File, error) {
	data, err := fs.ReadFile(r.fsys, name)
	if err != nil {
		return nil, err
	}
	r.files[path.Clean(name)] = string(data)
	return r.fsys.Open(name)
}

// lineOf trims a byte-order mark from the first line of a file, as the
// command line's readers of journeys and paths do.
func lineOf(r Row) string {
	if r.Line == 1 {
		return strings.TrimPrefix(r.Text, "\ufeff")
	}
	return r.Text
}
