package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/leadscore/leadscore/dsl"
)

// ruleFiles expands the arguments for fmt: files as given, and in
// directories every .yaml and .yml file, rule files, included files and
// test files alike, as each would be formatted by name.
func ruleFiles(paths []string) ([]string, error) {
	return dsl.ExpandPaths(paths, dsl.IsYAML)
}

func runFmt(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	write := fs.Bool("w", false, "write the result to the file instead of standard output")
	check := fs.Bool("check", false, "change nothing; list the files that are not formatted and fail if any")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore fmt [-w | --check] FILE|DIR...")
		fmt.Fprintln(stderr, "       leadscore fmt < FILE")
		fmt.Fprintln(stderr, "\nLays rule files out canonically, keeping comments, so that diffs in review show only")
		fmt.Fprintln(stderr, "real changes. With no file, formats standard input to standard output.")
		fmt.Fprintln(stderr, "Exit status: 0 done (or, with --check, every file formatted), 1 a file is not formatted or")
		fmt.Fprintln(stderr, "cannot be formatted, 2 a file cannot be read or written.")
		fs.PrintDefaults()
	}
	paths, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	if len(paths) == 0 {
		src, err := dsl.ReadAll(stdin)
		if err != nil {
			fmt.Fprintf(stderr, "leadscore fmt: stdin: %v\n", err)
			return exitUsage
		}
		out, err := dsl.Format(src)
		if err != nil {
			fmt.Fprintf(stderr, "leadscore fmt: stdin: %v\n", err)
			return exitProblem
		}
		stdout.Write(out)
		return exitOK
	}
	files, err := ruleFiles(paths)
	if err != nil {
		fmt.Fprintf(stderr, "leadscore fmt: %v\n", err)
		return exitUsage
	}
	status := exitOK
	for _, f := range files {
		src, err := dsl.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "leadscore fmt: %s: %v\n", f, err)
			status = exitUsage
			continue
		}
		out, err := dsl.Format(src)
		if err != nil {
			fmt.Fprintf(stderr, "leadscore fmt: %s: %v\n", f, err)
			status = exitProblem
			continue
		}
		switch {
		case *check:
			if !bytes.Equal(src, out) {
				fmt.Fprintf(stdout, "%s is not formatted; run leadscore fmt -w %s\n", f, f)
				status = exitProblem
			}
		case *write:
			if !bytes.Equal(src, out) {
				if err := os.WriteFile(f, out, 0o644); err != nil {
					fmt.Fprintf(stderr, "leadscore fmt: %v\n", err)
					status = exitUsage
				}
			}
		default:
			stdout.Write(out)
		}
	}
	return status
}
