package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/rules"
)

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
	f.Fuzz(func(t *testing.T, src string) {
		m, err := rules.CompileBytes("f.yaml", []byte(src))
		if (m == nil) == (err == nil) {
			t.Fatalf("want a model or an error, got %v and %v", m, err)
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("internal error for\n%s\n%v", src, err)
		}
	})
}
