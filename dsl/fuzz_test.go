package dsl_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/fuzzinput"
)

// TestMain bounds the fuzzing engine's minimization (see fuzzinput).
func TestMain(m *testing.M) { fuzzinput.Main(m) }

// addSeeds adds the small seed files (testdata/seeds) that keep is true for.
func addSeeds(f *testing.F, keep func(name string) bool) {
	names, err := filepath.Glob(filepath.Join("testdata", "seeds", "*.yaml"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range names {
		if !keep(filepath.Base(name)) {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(src) > fuzzinput.MaxSize {
			f.Fatalf("seed %s has %d bytes; keep seeds under %d", name, len(src), fuzzinput.MaxSize)
		}
		f.Add(src)
	}
}

func isModelSeed(name string) bool { return !dsl.IsTestFile(name) }

// FuzzParse feeds arbitrary bytes to the decoder: it may refuse them, with
// positioned diagnostics, but must never panic.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"b2b-saas.yaml", "common/lists.yaml"} {
		src, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("leadscore: 1\nmodel: m\nrules:\n  - id: r\n    when: |\n      a >\n      b\n"))
	f.Add([]byte("a: &x [1]\nb: *x\n<<: {c: 1}\n"))
	f.Add([]byte("fields: {x: {type: time, default: 2026-13-45}}\n"))
	addSeeds(f, isModelSeed)
	for _, tc := range yamlMistakes {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if fuzzinput.Skip(len(src)) {
			return
		}
		doc, err := dsl.Parse("f.yaml", src)
		if doc == nil {
			t.Fatal("Parse returned no document")
		}
		if err == nil {
			return
		}
		ds, ok := err.(dsl.Diagnostics)
		if !ok {
			t.Fatalf("error is a %T, not Diagnostics", err)
		}
		for _, d := range ds {
			if d.Pos.File != "f.yaml" || strings.Contains(d.Message, "internal error") {
				t.Fatalf("bad diagnostic: %v", d)
			}
		}
	})
}

// FuzzParseTestFile: test files are outside input too.
func FuzzParseTestFile(f *testing.F) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "b2b-saas_test.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(src)
	f.Add([]byte("model: m.yaml\ncases:\n  - {name: x, events: [{type: a, ago: 2d, at: 2026-01-01}], expect: {total: {min: 1}}}\n"))
	addSeeds(f, dsl.IsTestFile)
	f.Fuzz(func(t *testing.T, src []byte) {
		if fuzzinput.Skip(len(src)) {
			return
		}
		tf, err := dsl.ParseTestFile("t.yaml", src)
		if tf == nil {
			t.Fatal("no test file returned")
		}
		if err != nil {
			if _, ok := err.(dsl.Diagnostics); !ok {
				t.Fatalf("error is a %T, not Diagnostics", err)
			}
		}
	})
}

// FuzzFormat: whenever Format succeeds (it refuses rather than change a
// file's meaning), its output formats too, and formatting settles by the
// second pass (see Format on comments that ended a reordered block).
func FuzzFormat(f *testing.F) {
	for _, name := range []string{"b2b-saas.yaml", "fmt/messy.yaml", "lint/sloppy.yaml", "b2b-saas_test.yaml"} {
		src, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	addSeeds(f, func(string) bool { return true })
	for _, tc := range yamlMistakes {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if fuzzinput.Skip(len(src)) {
			return
		}
		once, err := dsl.Format(src)
		if err != nil {
			return
		}
		twice, err := dsl.Format(once)
		if err != nil {
			t.Fatalf("formatted output does not format: %v\n%s", err, once)
		}
		thrice, err := dsl.Format(twice)
		if err != nil || string(twice) != string(thrice) {
			t.Fatalf("formatting does not settle:\n--- twice\n%s\n--- thrice\n%s", twice, thrice)
		}
	})
}
