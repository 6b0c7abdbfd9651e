package scoringtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/internal/fuzzinput"
	"github.com/leadscore/leadscore/scoring/scoringtest"
)

// TestMain bounds the fuzzing engine's minimization (see fuzzinput).
func TestMain(m *testing.M) { fuzzinput.Main(m) }

// FuzzRunFile runs arbitrary test files against two models, the bundled one
// and dsl's small seed model, copied beside the test file (a test file's
// model: must name a file in its own directory): a file may be refused with
// positioned errors, but nothing may panic.
func FuzzRunFile(f *testing.F) {
	dir := f.TempDir()
	copyFile := func(from, to string) []byte {
		src, err := os.ReadFile(from)
		if err != nil {
			f.Fatal(err)
		}
		if to != "" {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, to)), 0o755); err != nil {
				f.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, to), src, 0o644); err != nil {
				f.Fatal(err)
			}
		}
		return src
	}
	testdata := filepath.Join("..", "..", "testdata")
	copyFile(filepath.Join(testdata, "b2b-saas.yaml"), "b2b-saas.yaml")
	copyFile(filepath.Join(testdata, "common", "lists.yaml"), filepath.Join("common", "lists.yaml"))
	seeds := filepath.Join("..", "..", "dsl", "testdata", "seeds")
	copyFile(filepath.Join(seeds, "model.yaml"), "model.yaml")

	f.Add(string(copyFile(filepath.Join(testdata, "b2b-saas_test.yaml"), "")))
	f.Add(string(copyFile(filepath.Join(seeds, "tests_test.yaml"), "")))
	f.Add("model: b2b-saas.yaml\nas_of: 2026-10-01\ncases:\n  - {name: x, lead: {employees: [1]}, events: [{type: page_view, ago: 1d, url: 3}], expect: {stage: sql}}\n")
	f.Add("model: model.yaml\nas_of: 2026-10-01\ncases:\n  - {name: x, lead: {employees: [1]}, events: [{type: page_view, ago: 1d, url: 3}], expect: {stage: sql}}\n")
	f.Fuzz(func(t *testing.T, body string) {
		if fuzzinput.Skip(len(body)) {
			return
		}
		path := filepath.Join(dir, "f_test.yaml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		fr := scoringtest.RunFile(path, scoringtest.Options{})
		if fr.Err != nil && strings.Contains(fr.Err.Error(), "internal error") {
			t.Fatal(fr.Err)
		}
		for _, c := range fr.Cases {
			if strings.Contains(c.Error, "internal error") {
				t.Fatal(c.Error)
			}
		}
	})
}
