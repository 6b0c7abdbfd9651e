package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/leadscore/leadscore/internal/langserver"
)

// runLSP serves the language server on standard input and output.
func runLSP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lsp", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore lsp")
		fmt.Fprintln(stderr, "\nA language server (LSP over standard input and output) for editors: as a rule file or a")
		fmt.Fprintln(stderr, "test file is edited, it reports the problems leadscore check finds, at their line and column,")
		fmt.Fprintln(stderr, "typos and type errors inside expressions included, and check --strict's findings as warnings.")
		fmt.Fprintln(stderr, "Editors start it themselves; it is not meant to be run by hand.")
		fmt.Fprintln(stderr, "Exit status: 0 after the editor's shutdown and exit, 1 otherwise.")
	}
	rest, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintln(stderr, "leadscore lsp: takes no arguments")
		return exitUsage
	}
	if err := langserver.Serve(stdin, stdout); err != nil {
		fmt.Fprintf(stderr, "leadscore lsp: %v\n", err)
		return exitProblem
	}
	return exitOK
}
