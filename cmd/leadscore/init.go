package main

import (
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// starter holds what init writes: a commented model, its examples and a CI
// workflow (starter/workflow.yml is examples/ci/lead-definitions.yml with
// the rule directory left open; a test keeps the two the same).
//
//go:embed starter/leads.yaml starter/leads_test.yaml starter/workflow.yml
var starter embed.FS

func runInit(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("init", flag.ContinueOnError)
	noCI := flags.Bool("no-ci", false, "do not write the CI workflow")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore init [--no-ci] [DIR]")
		fmt.Fprintln(stderr, "\nStarts a lead definition in DIR (rules by default): a commented model, leads.yaml, and")
		fmt.Fprintln(stderr, "the examples both teams agree on, leads_test.yaml, which pass leadscore check --strict and")
		fmt.Fprintln(stderr, "leadscore test as written; and .github/workflows/lead-definitions.yml, a GitHub Actions")
		fmt.Fprintln(stderr, "workflow that checks and tests DIR on every pull request. Existing files are never overwritten.")
		fmt.Fprintln(stderr, "Exit status: 0 written, 2 a file exists already or cannot be written.")
		flags.PrintDefaults()
	}
	rest, code, ok := parseFlags(flags, args, stderr)
	if !ok {
		return code
	}
	if len(rest) > 1 {
		fmt.Fprintf(stderr, "leadscore init: give one directory, not %d\n", len(rest))
		return exitUsage
	}
	dir := "rules"
	if len(rest) == 1 {
		dir = rest[0]
	}
	type file struct{ from, to string }
	files := []file{{"starter/leads.yaml", filepath.Join(dir, "leads.yaml")}, {"starter/leads_test.yaml", filepath.Join(dir, "leads_test.yaml")}}
	if !*noCI {
		files = append(files, file{"starter/workflow.yml", filepath.Join(".github", "workflows", "lead-definitions.yml")})
	}
	for _, f := range files { // refuse before writing anything
		if _, err := os.Stat(f.to); err == nil {
			fmt.Fprintf(stderr, "leadscore init: %s exists already; init writes only new files (move it, or init another directory)\n", f.to)
			return exitUsage
		} else if !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "leadscore init: %v\n", err)
			return exitUsage
		}
	}
	for _, f := range files {
		data, err := starter.ReadFile(f.from)
		if err != nil {
			fmt.Fprintf(stderr, "leadscore init: %v\n", err)
			return exitUsage
		}
		text := strings.ReplaceAll(string(data), "{{DIR}}", filepath.ToSlash(filepath.Clean(dir)))
		if err := os.MkdirAll(filepath.Dir(f.to), 0o755); err != nil {
			fmt.Fprintf(stderr, "leadscore init: %v\n", err)
			return exitUsage
		}
		if err := os.WriteFile(f.to, []byte(text), 0o644); err != nil {
			fmt.Fprintf(stderr, "leadscore init: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(stdout, "wrote %s\n", f.to)
	}
	fmt.Fprintf(stdout, "\nNext: edit %s with your sales and marketing teams, then\n", filepath.Join(dir, "leads.yaml"))
	fmt.Fprintf(stdout, "  leadscore check --strict %s\n  leadscore test --coverage %s\n", dir, dir)
	return exitOK
}
