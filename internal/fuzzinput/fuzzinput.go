// Package fuzzinput keeps Go's fuzzing engine busy fuzzing the YAML-based
// targets (dsl, rules, scoring/scoringtest) rather than minimizing.
//
// The engine minimizes every input that reaches new code, by default for
// up to a minute (-fuzzminimizetime 60s), and a worker that minimizes
// reports no executions until it is done. The last pass of minimization
// tries every byte range of the input: n²/2 candidates, each parsed in time
// n. For YAML, where one parse of a kilobyte takes about 100 µs, that is
// tens of seconds for a few hundred bytes and hours for an input grown from
// the 5 KB bundled model. With both workers of a 2-core machine minimizing,
// a run with a duration -fuzztime reported 0 executions a second for most
// of a minute.
//
// So the targets (1) start from small seeds (dsl/testdata/seeds), (2) skip
// inputs over MaxSize while fuzzing, and (3) run their tests through Main,
// which bounds minimization to MinimizeLimit calls unless the command line
// says otherwise.
package fuzzinput

import (
	"flag"
	"os"
	"testing"
)

// MaxSize is the largest input, in bytes, a YAML fuzz target tries while
// fuzzing. A few hundred bytes of YAML hold every construct of the rule and
// test file formats.
const MaxSize = 1 << 10

// MinimizeLimit is the default -fuzzminimizetime of the YAML fuzz targets,
// as a number of calls: enough to cut an input's tail and try removing
// each of its bytes, a fraction of a second.
const MinimizeLimit = "2000x"

// fuzzing reports whether the test binary runs with -fuzz.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// Skip reports whether a fuzz target should skip an input of n bytes: one
// larger than MaxSize while the test binary is fuzzing. Seeds and
// regression inputs of any size still run under a plain go test.
func Skip(n int) bool {
	return n > MaxSize && fuzzing()
}

// Main runs a package's tests; when fuzzing without -fuzzminimizetime, it
// sets that to MinimizeLimit. Call it from TestMain.
func Main(m *testing.M) {
	flag.Parse()
	if fuzzing() {
		given := false
		flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.fuzzminimizetime" })
		if !given {
			if err := flag.Set("test.fuzzminimizetime", MinimizeLimit); err != nil {
				panic(err) // the flag exists in every Go with fuzzing
			}
		}
	}
	os.Exit(m.Run())
}
