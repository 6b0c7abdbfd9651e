package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/leadscore/leadscore/cmd/leadscore/internal/langserver"
)

// runLSP serves the language server on standard input and output.
func runLSP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lsp", flag.ContinueOnError)
	maxMessage := fs.String("max-message", "8MiB", "the longest message read from the editor, such as 16MiB; a longer one is skipped unread\n(a request gets an error, an opened or changed document one diagnostic saying so)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore lsp")
		fmt.Fprintln(stderr, "\nA language server (LSP over standard input and output) for editors: as a rule file or a")
		fmt.Fprintln(stderr, "test file is edited, it reports the problems leadscore check finds, at their line and column,")
		fmt.Fprintln(stderr, "typos and type errors inside expressions included, and check --strict's findings as warnings.")
		fmt.Fprintln(stderr, "It completes fields, functions, event types and rule ids; shows a field's type, a rule's points")
		fmt.Fprintln(stderr, "and a define's expression on hover; goes to definitions and references across included files;")
		fmt.Fprintln(stderr, "offers quick fixes (did you mean, = to ==, 6m to 6mo, ...); formats as leadscore fmt does; lists")
		fmt.Fprintln(stderr, "rules, stages and test cases for the outline; and runs an open test file's cases as it changes,")
		fmt.Fprintln(stderr, "a failing case an error at its expect:. Setup for VS Code, Neovim and Helix: docs/guide/editors.md.")
		fmt.Fprintln(stderr, "Editors start it themselves; it is not meant to be run by hand.")
		fmt.Fprintln(stderr, "A document over 4 MiB (the limit of leadscore check) gets one diagnostic saying so and is not")
		fmt.Fprintln(stderr, "parsed; a header line over 4 KiB is skipped. A message refused is answered, and the server goes on.")
		fmt.Fprintln(stderr, "Exit status: 0 after the editor's shutdown and exit, 1 otherwise.")
		fs.PrintDefaults()
	}
	rest, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintln(stderr, "leadscore lsp: takes no arguments")
		return exitUsage
	}
	limit, err := parseSize(*maxMessage)
	if err != nil || limit < 1<<10 {
		if err == nil {
			err = fmt.Errorf("%d bytes is under 1 KiB, too small for any message", limit)
		}
		fmt.Fprintf(stderr, "leadscore lsp: --max-message: %v\n", err)
		return exitUsage
	}
	if err := langserver.ServeWith(stdin, stdout, langserver.Options{MaxMessage: limit}); err != nil {
		fmt.Fprintf(stderr, "leadscore lsp: %v\n", err)
		return exitProblem
	}
	return exitOK
}
