package scoringtest

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/leadscore/leadscore/dsl"
)

// Totals counts the cases of some files by outcome; files that could not
// run count as errors, and as NotRun (their cases did not run, so they
// are in no other count).
type Totals struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Pending int `json:"pending"`
	Errors  int `json:"errors"`
	NotRun  int `json:"files_not_run"`
}

// Count totals the outcomes of the files.
func Count(files []*FileResult) Totals {
	var t Totals
	for _, f := range files {
		if f.Err != nil {
			t.Errors++
			t.NotRun++
		}
		for _, c := range f.Cases {
			switch c.Status {
			case Pass:
				t.Passed++
			case Fail:
				t.Failed++
			case Pending:
				t.Pending++
			case Error:
				t.Errors++
			}
		}
	}
	return t
}

// OK reports whether nothing failed.
func (t Totals) OK() bool { return t.Failed == 0 && t.Errors == 0 }

// WriteText prints results for people: every failing case with what it
// expected, what it got and why; passing cases too with verbose.
func WriteText(w io.Writer, files []*FileResult, verbose bool) error {
	var b strings.Builder
	for _, f := range files {
		if f.Err != nil {
			fmt.Fprintf(&b, "%s: cannot run\n", f.File)
			writeDiagnostics(&b, f.Err)
			continue
		}
		fmt.Fprintf(&b, "%s (model %s)\n", f.File, f.Model)
		for _, c := range f.Cases {
			switch c.Status {
			case Pass:
				if verbose {
					fmt.Fprintf(&b, "  ok    %s\n", c.Name)
				}
			case Pending:
				fmt.Fprintf(&b, "  PEND  %s: %s\n", c.Name, c.Pending)
			case Error:
				fmt.Fprintf(&b, "  ERROR %s (%s)\n        %s\n", c.Name, c.Pos, c.Error)
			case Fail:
				fmt.Fprintf(&b, "  FAIL  %s (%s)\n", c.Name, c.Pos)
				for _, msg := range c.Failures {
					fmt.Fprintf(&b, "        %s\n", msg)
				}
				b.WriteString(indent(failureDetail(c), "        | "))
			}
		}
	}
	t := Count(files)
	fmt.Fprintf(&b, "test: %d passed, %d failed, %d skipped", t.Passed, t.Failed+t.Errors-t.NotRun, t.Pending)
	if t.NotRun > 0 {
		fmt.Fprintf(&b, "; %d %s could not run, so none of %s cases ran (see above)", t.NotRun, plural(t.NotRun, "file", "files"), plural(t.NotRun, "its", "their"))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// failureDetail is the explanation of a failing case's score.
func failureDetail(c CaseResult) string {
	if c.Explanation == nil {
		return ""
	}
	var b strings.Builder
	c.Explanation.WriteText(&b, mentionsRules(c.Failures))
	return b.String()
}

// mentionsRules reports whether failures are about particular rules, so the
// explanation lists the rules that did not fire too.
func mentionsRules(failures []string) bool {
	for _, f := range failures {
		if strings.HasPrefix(f, "fired:") || strings.HasPrefix(f, "not_fired:") || strings.HasPrefix(f, "gates:") {
			return true
		}
	}
	return false
}

func indent(s, prefix string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(prefix+l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

func writeDiagnostics(b *strings.Builder, err error) {
	var ds dsl.Diagnostics
	if errors.As(err, &ds) {
		ds.Write(b)
		return
	}
	fmt.Fprintf(b, "%v\n", err)
}

// WriteJSON writes the results as JSON, for programs.
func WriteJSON(w io.Writer, files []*FileResult) error {
	type fileJSON struct {
		*FileResult
		Errors   []string `json:"errors,omitempty"`
		Coverage *struct {
			Percent float64 `json:"percent"`
			*Coverage
		} `json:"coverage,omitempty"`
	}
	out := struct {
		Totals Totals     `json:"totals"`
		Files  []fileJSON `json:"files"`
	}{Totals: Count(files)}
	for _, f := range files {
		fj := fileJSON{FileResult: f}
		if f.Err != nil {
			var ds dsl.Diagnostics
			if errors.As(f.Err, &ds) {
				for _, d := range ds {
					fj.Errors = append(fj.Errors, d.Error())
				}
			} else {
				fj.Errors = []string{f.Err.Error()}
			}
		}
		if f.Coverage != nil {
			fj.Coverage = &struct {
				Percent float64 `json:"percent"`
				*Coverage
			}{f.Coverage.Percent(), f.Coverage}
		}
		out.Files = append(out.Files, fj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// JUnit XML, the format CI dashboards read (Jenkins, GitLab, GitHub actions).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the results as JUnit XML: a testsuite per test file, a
// testcase per case, failures with the explanation as their text.
func WriteJUnit(w io.Writer, files []*FileResult) error {
	root := junitSuites{Name: "leadscore"}
	var total float64
	for _, f := range files {
		s := junitSuite{Name: f.File}
		var secs float64
		if f.Err != nil {
			var b strings.Builder
			writeDiagnostics(&b, f.Err)
			s.Cases = append(s.Cases, junitCase{Name: "load " + f.File, Classname: f.File, Time: "0",
				Error: &junitProblem{Message: "the test file cannot run", Type: "error", Text: b.String()}})
			s.Errors++
		}
		for _, c := range f.Cases {
			jc := junitCase{Name: c.Name, Classname: f.Model, File: f.File, Time: fmt.Sprintf("%.6f", c.Elapsed.Seconds())}
			secs += c.Elapsed.Seconds()
			switch c.Status {
			case Fail:
				jc.Failure = &junitProblem{Message: strings.Join(c.Failures, "; "), Type: "failure",
					Text: strings.Join(c.Failures, "\n") + "\n\n" + failureDetail(c)}
				s.Failures++
			case Error:
				jc.Error = &junitProblem{Message: c.Error, Type: "error", Text: c.Error}
				s.Errors++
			case Pending:
				jc.Skipped = &junitProblem{Message: "pending: " + c.Pending}
				s.Skipped++
			}
			s.Tests++
			s.Cases = append(s.Cases, jc)
		}
		if f.Err != nil {
			s.Tests++
		}
		s.Time = fmt.Sprintf("%.6f", secs)
		total += secs
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Errors += s.Errors
		root.Skipped += s.Skipped
		root.Suites = append(root.Suites, s)
	}
	root.Time = fmt.Sprintf("%.6f", total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// plural is one for n == 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
