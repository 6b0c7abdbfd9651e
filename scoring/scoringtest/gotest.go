package scoringtest

import (
	"strings"
	"testing"
)

// Run runs the test files among paths (files, or directories searched for
// *_test.yaml) as subtests of t, one per file and one per case, so that
// `go test` checks the rule files with the rest of a backend's tests:
//
//	func TestLeadDefinitions(t *testing.T) {
//		scoringtest.Run(t, "rules")
//	}
//
// A file that cannot run fails with its positioned errors; a failing case
// fails with what it expected, what it got and the explanation of the
// score; a pending case is skipped.
func Run(t *testing.T, paths ...string) {
	t.Helper()
	files, err := Find(paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no test files (*_test.yaml) in %s", strings.Join(paths, ", "))
	}
	for _, path := range files {
		fr := RunFile(path, Options{})
		t.Run(path, func(t *testing.T) {
			if fr.Err != nil {
				var b strings.Builder
				writeDiagnostics(&b, fr.Err)
				t.Fatalf("%s cannot run:\n%s", path, b.String())
			}
			for _, c := range fr.Cases {
				t.Run(c.Name, func(t *testing.T) {
					switch c.Status {
					case Pending:
						t.Skip("pending: " + c.Pending)
					case Error:
						t.Errorf("%s: %s", c.Pos, c.Error)
					case Fail:
						t.Errorf("%s:\n%s\n%s", c.Pos, strings.Join(c.Failures, "\n"), failureDetail(c))
					}
				})
			}
		})
	}
}
