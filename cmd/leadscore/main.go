// Command leadscore checks rule files and scores leads with them, for
// sales-ops and CI, without writing Go.
//
//	leadscore check FILE|DIR...             compile rule files; report every problem
//	leadscore score --model FILE [INPUT]    score leads from NDJSON or CSV
//	leadscore test [PATH...]                run the test files of rule files
//	leadscore explain --model FILE [LEAD]   explain one lead's score
//	leadscore diff OLD NEW --leads FILE     review a change: rule changes and impact on leads
//	leadscore fmt [-w|--check] FILE|DIR...  lay rule files out canonically
//	leadscore attribute --leads F --model M  credit campaigns with conversions and revenue
//	leadscore feedback --model M --leads F --dispositions D  what sales said about the hand-off
//
// Run "leadscore help COMMAND" for a command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	exitOK      = 0
	exitProblem = 1 // rule-file problems, or rows that failed
	exitUsage   = 2 // bad flags, unreadable files
)

type command struct {
	name, summary string
	run           func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var commands = []command{
	{"check", "compile rule files and report every problem, positioned", runCheck},
	{"score", "score leads (NDJSON or CSV) with a rule file, on every core", runScore},
	{"test", "run the test files of rule files (*_test.yaml), with coverage", runTest},
	{"explain", "explain one lead's score: every rule, condition by condition", runExplain},
	{"diff", "review two versions of a model: rule changes by owner, impact on leads", runDiff},
	{"fmt", "lay rule files out canonically, keeping comments (--check for CI)", runFmt},
	{"attribute", "credit campaigns and channels with conversions and revenue; ROI, funnel", runAttribute},
	{"feedback", "what sales said: acceptance, rejection reasons against rules, SLA, recycling", runFeedback},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return exitOK
	}
	name := args[0]
	if name == "help" {
		if len(args) > 1 {
			return run([]string{args[1], "--help"}, stdin, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "leadscore: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "leadscore: sales-ready lead definitions as code")
	fmt.Fprintln(w, "\nUsage: leadscore COMMAND [flags] [args]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"leadscore help COMMAND\" for a command's flags.")
}

// parseFlags parses flags that may come before or after the arguments
// (leadscore score leads.ndjson --model m.yaml), and returns the arguments.
// It returns ok=false, with the exit code, when parsing stopped the command.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, int, bool) {
	fs.SetOutput(stderr)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, 0, true
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), 0, true
		}
		positional = append(positional, args[0])
		args = args[1:]
		if len(args) == 0 || !strings.HasPrefix(args[0], "-") || args[0] == "-" {
			for len(args) > 0 && (!strings.HasPrefix(args[0], "-") || args[0] == "-") {
				positional = append(positional, args[0])
				args = args[1:]
			}
		}
		if len(args) == 0 {
			return positional, 0, true
		}
	}
}
