package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite docs/cli.md from the commands' --help")

// docs/cli.md is every command's --help, usage, exit status and every
// flag, generated from the commands themselves so it cannot drift:
// go test ./cmd/leadscore -run TestCLIReference -update rewrites it.
func TestCLIReference(t *testing.T) {
	var b strings.Builder
	b.WriteString("# leadscore command-line reference\n\n")
	b.WriteString("Generated from each command's `--help` by `go test ./cmd/leadscore -run TestCLIReference -update`;\n")
	b.WriteString("a test fails when a command changes and this file does not. The rule-file and test-file\n")
	b.WriteString("language is in [reference.md](reference.md).\n\n")
	code, out, _ := leadscore(t, "", "--help")
	require.Equal(t, exitOK, code)
	b.WriteString("```\n" + out + "```\n")
	for _, c := range commands {
		code, _, help := leadscore(t, "", c.name, "--help")
		require.Equal(t, exitOK, code, c.name)
		b.WriteString("\n## leadscore " + c.name + "\n\n" + c.summary + ".\n\n```\n" + help + "```\n")
	}
	path := filepath.Join("..", "..", "docs", "cli.md")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./cmd/leadscore -run TestCLIReference -update")
	assert.Equal(t, string(want), b.String(), "docs/cli.md is out of date: go test ./cmd/leadscore -run TestCLIReference -update")
}
