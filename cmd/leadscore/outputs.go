package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// namedFile is a file a flag names.
type namedFile struct{ flag, name string }

// outputFiles are the files attribute writes besides the report, created
// before anything is read.
type outputFiles struct {
	credit, transitions, journeys *os.File
	all                           []*os.File
}

// createOutputs checks and creates the output files before the run, so
// that an output that cannot be written stops it before it starts and an
// input is never overwritten: no output may be an input, or another output.
func createOutputs(inputs, outs []namedFile) (*outputFiles, error) {
	files := &outputFiles{}
	var seen []namedFile
	for _, o := range outs {
		if o.name == "" {
			continue
		}
		for _, other := range append(append([]namedFile(nil), inputs...), seen...) {
			if other.name != "" && samePath(o.name, other.name) {
				return nil, fmt.Errorf("%s %s is also %s: writing it would overwrite that file; give %s another file name", o.flag, o.name, other.flag, o.flag)
			}
		}
		seen = append(seen, o)
	}
	for _, o := range seen {
		f, err := os.Create(o.name)
		if err != nil {
			files.close()
			return nil, fmt.Errorf("%s: cannot create %s (%v); give a file in a folder that exists and that you can write to", o.flag, o.name, errors.Unwrap(err))
		}
		files.all = append(files.all, f)
		switch {
		case strings.HasSuffix(o.flag, "--credit-out"):
			files.credit = f
		case strings.HasSuffix(o.flag, "--transitions-out"):
			files.transitions = f
		case strings.HasSuffix(o.flag, "--journeys-out"):
			files.journeys = f
		}
	}
	return files, nil
}

// samePath reports whether two names are one file, existing or not.
func samePath(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}

// write writes f with fn.
func (o *outputFiles) write(f *os.File, fn func(io.Writer) error) error {
	if err := fn(f); err != nil {
		return fmt.Errorf("%s: %v", f.Name(), err)
	}
	return nil
}

// closeAll closes the files, returning the first error.
func (o *outputFiles) closeAll() error {
	var first error
	for _, f := range o.all {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	o.all = nil
	return first
}

func (o *outputFiles) close() { o.closeAll() }

// finish closes the files and, when the run could not be made (exit status
// 2: a bad header, an unreadable input), removes them, so no empty or partial
// output is left to be mistaken for a result.
func (o *outputFiles) finish(code *int) {
	all := o.all
	o.closeAll()
	if *code == exitUsage {
		for _, f := range all {
			os.Remove(f.Name())
		}
	}
}

// csvWarnings says a report's warnings and notes on stderr, one a line,
// when the report is written as CSV: the file holds the figures alone, and
// a figure without its caveat (too few won deals, a verdict withheld, rows
// left out) would read as a conclusion. The other formats print them with
// the figures.
func csvWarnings(stderr io.Writer, command string, warnings, notes []string) {
	for _, w := range warnings {
		fmt.Fprintf(stderr, "leadscore %s: warning: %s\n", command, w)
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "leadscore %s: note: %s\n", command, n)
	}
}
