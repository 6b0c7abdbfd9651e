package scoringtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/scoring/scoringtest"
)

// FuzzRunFile runs arbitrary test files against the bundled model: a file
// may be refused with positioned errors, but nothing may panic.
func FuzzRunFile(f *testing.F) {
	src, err := os.ReadFile(filepath.Join("..", "..", "testdata", "b2b-saas_test.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	model, err := filepath.Abs(filepath.Join("..", "..", "testdata", "b2b-saas.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(strings.Replace(string(src), "model: b2b-saas.yaml", "model: MODEL", 1))
	f.Add("model: MODEL\nas_of: 2026-10-01\ncases:\n  - {name: x, lead: {employees: [1]}, events: [{type: page_view, ago: 1d, url: 3}], expect: {stage: sql}}\n")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body string) {
		path := filepath.Join(dir, "f_test.yaml")
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(body, "MODEL", model)), 0o644); err != nil {
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
