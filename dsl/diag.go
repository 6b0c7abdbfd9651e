package dsl

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Pos is a position in a rule file: the file name as given, and a 1-based line
// and column (columns count characters, not bytes).
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats the position as file:line:col, the form editors and CI annotate.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.File == "":
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// IsValid reports whether the position names a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Severity tells an error from a finding that does not stop compilation.
type Severity int

const (
	// Error stops the rule file from compiling.
	Error Severity = iota
	// Warning is reported but does not stop compilation.
	Warning
)

// Diagnostic is one problem found in a rule file, at a position.
type Diagnostic struct {
	Severity Severity
	Pos      Pos
	Message  string
	// Source is the text of the line at Pos, for the snippet under the message.
	Source string
	// Err is the error behind the problem, when there is one (a file that
	// cannot be opened): errors.Is(diags, fs.ErrNotExist) sees through it.
	Err error
}

// Unwrap returns the error behind the problem, or nil.
func (d *Diagnostic) Unwrap() error { return d.Err }

// Error formats the diagnostic as "file:line:col: message".
func (d *Diagnostic) Error() string {
	if d.Severity == Warning {
		return fmt.Sprintf("%s: warning: %s", d.Pos, d.Message)
	}
	return fmt.Sprintf("%s: %s", d.Pos, d.Message)
}

// Snippet returns the source line with a caret under the column, or "" when
// the line is not known.
//
//	when: industy in target_industries
//	      ^
func (d *Diagnostic) Snippet() string {
	if d.Source == "" || d.Pos.Col < 1 {
		return ""
	}
	line := strings.ReplaceAll(d.Source, "\t", " ")
	pad := strings.Repeat(" ", min(d.Pos.Col-1, len([]rune(line))))
	return "    " + line + "\n    " + pad + "^"
}

// Diagnostics is a list of problems. It is an error when it holds at least
// one diagnostic of severity Error; use Err to get a nil error otherwise.
type Diagnostics []*Diagnostic

// Unwrap returns the diagnostics as errors, so that errors.Is and errors.As
// look at each (errors.Is(err, fs.ErrNotExist) for a missing rule file).
func (ds Diagnostics) Unwrap() []error {
	out := make([]error, len(ds))
	for i, d := range ds {
		out[i] = d
	}
	return out
}

// Error prints every diagnostic, one per line.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// HasErrors reports whether any diagnostic is an Error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Err returns ds as an error when it holds an Error, and nil otherwise.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}

// Sort orders the diagnostics by file, line and column, keeping the order of
// diagnostics at the same position.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Write prints every diagnostic with its source snippet, as `leadscore check` shows them.
func (ds Diagnostics) Write(w io.Writer) error {
	for _, d := range ds {
		if _, err := fmt.Fprintln(w, d.Error()); err != nil {
			return err
		}
		if s := d.Snippet(); s != "" {
			if _, err := fmt.Fprintln(w, s); err != nil {
				return err
			}
		}
	}
	return nil
}
