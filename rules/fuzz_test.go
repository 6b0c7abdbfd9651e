package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/internal/fuzzinput"
	"github.com/leadscore/leadscore/rules"
)

// TestMain bounds the fuzzing engine's minimization (see fuzzinput).
func TestMain(m *testing.M) { fuzzinput.Main(m) }

// FuzzCompile compiles arbitrary rule files: every outcome is a model or
// positioned diagnostics, never a panic, and never an internal error.
func FuzzCompile(f *testing.F) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	lists, err := os.ReadFile(filepath.Join("..", "testdata", "common", "lists.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	// The bundled model with its include inlined, so the fuzzer starts from a valid file.
	inlined := strings.Replace(string(src), "include:\n  - common/lists.yaml\n", string(lists), 1)
	f.Add(inlined)
	f.Add(base)
	for _, tc := range brokenCases {
		f.Add(tc.src)
	}
	// The small seed files dsl's fuzz targets start from: with them the
	// fuzzer works on inputs it can run and minimize quickly (see fuzzinput).
	seeds, err := filepath.Glob(filepath.Join("..", "dsl", "testdata", "seeds", "*.yaml"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range seeds {
		if strings.HasSuffix(name, "_test.yaml") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Fuzz(func(t *testing.T, src string) {
		if fuzzinput.Skip(len(src)) {
			return
		}
		m, err := rules.CompileBytes("f.yaml", []byte(src))
		if (m == nil) == (err == nil) {
			t.Fatalf("want a model or an error, got %v and %v", m, err)
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("internal error for\n%s\n%v", src, err)
		}
	})
}
