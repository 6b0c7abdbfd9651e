package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/leadscore/leadscore/dsl/jsonschema"
	"github.com/leadscore/leadscore/scoring/source"
)

// runSchema prints the JSON Schema of rule files, or of test files.
func runSchema(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	tests := fs.Bool("tests", false, "print the schema of test files (*_test.yaml) instead of rule files")
	src := fs.Bool("source", false, "print the schema of source mapping files (--source) instead of rule files")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore schema [--tests | --source] > FILE.json")
		fmt.Fprintln(stderr, "\nPrints the JSON Schema (draft-07) of rule files, with --tests of test files, or with --source")
		fmt.Fprintln(stderr, "of source mapping files, for editors:")
		fmt.Fprintln(stderr, "with a first line \"# yaml-language-server: $schema=FILE.json\" in a rule file, the YAML")
		fmt.Fprintln(stderr, "language server (VS Code's YAML extension and others) completes keys, explains them on hover")
		fmt.Fprintln(stderr, "and underlines misspelt ones. Expressions are checked by leadscore check, not by the schema.")
		fmt.Fprintln(stderr, "Exit status: 0, or 2 for bad flags.")
		fs.PrintDefaults()
	}
	rest, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "leadscore schema: takes no arguments (it prints to standard output; redirect it to a file)\n")
		return exitUsage
	}
	switch {
	case *tests && *src:
		fmt.Fprintf(stderr, "leadscore schema: give --tests or --source, not both (one schema a file)\n")
		return exitUsage
	case *src:
		stdout.Write(source.JSONSchema())
	case *tests:
		stdout.Write(jsonschema.TestFile())
	default:
		stdout.Write(jsonschema.RuleFile())
	}
	return exitOK
}
