// Command leadscore checks rule files and scores leads with them, for
// sales-ops and CI, without writing Go.
//
//	leadscore init [DIR]                    start a lead definition: model, tests, CI workflow
//	leadscore check FILE|DIR...             compile rule files; report every problem
//	leadscore score --model FILE [INPUT]    score leads from NDJSON or CSV
//	leadscore stream --model M --state DIR  keep scores current from events, with durable state
//	leadscore test [PATH...]                run the test files of rule files
//	leadscore explain --model FILE [LEAD]   explain one lead's score
//	leadscore diff OLD NEW --leads FILE     review a change: rule changes and impact on leads
//	leadscore fmt [-w|--check] FILE|DIR...  lay rule files out canonically
//	leadscore attribute --leads F --model M  credit campaigns with conversions and revenue
//	leadscore mix --spend S --kpi K           weekly marketing-mix model: ROAS and ROI with intervals, reallocation
//	leadscore backtest --model M --outcomes O --at T0 LEADS  test the definition against CRM outcomes
//	leadscore feedback --model M --leads F --dispositions D  what sales said about the hand-off
//	leadscore report --model M --leads F ...  the joint review on one HTML page (--format json: its numbers)
//	leadscore lsp                           a language server for editors (LSP over stdio)
//	leadscore schema [--tests|--source]     the JSON Schema of rule, test or source mapping files
//	leadscore version                       print the version
//
// Run "leadscore help COMMAND" for a command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
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
	{"init", "start a lead definition: a commented model, its tests, a CI workflow", runInit},
	{"check", "compile rule files and report every problem, positioned", runCheck},
	{"score", "score leads (NDJSON or CSV) with a rule file, on every core", runScore},
	{"stream", "keep scores current as events arrive: state in a database, one line per change, exactly once by id", runStream},
	{"test", "run the test files of rule files (*_test.yaml), with coverage", runTest},
	{"explain", "explain one lead's score: every rule, condition by condition", runExplain},
	{"diff", "review two versions of a model: rule changes by owner, impact on leads", runDiff},
	{"fmt", "lay rule files out canonically, keeping comments (--check for CI)", runFmt},
	{"attribute", "credit campaigns and channels with conversions and revenue; ROI, funnel", runAttribute},
	{"mix", "did the spend move the KPI? a weekly marketing-mix model: ROAS with intervals, reallocation", runMix},
	{"backtest", "does the definition pick the leads that win? CRM outcomes, capacity, suggested points", runBacktest},
	{"feedback", "what sales said: acceptance, rejection reasons against rules, SLA, recycling", runFeedback},
	{"report", "the joint review on one self-contained HTML page: definition, change, backtest, funnel, attribution", runReport},
	{"lsp", "a language server for editors: check's problems as you type, completion, hover, quick fixes, live tests", runLSP},
	{"schema", "print the JSON Schema of rule files (--tests: test files, --source: source mappings) for editors", runSchema},
	{"bench", "what a model costs: time per lead, and the cost of each rule, on sample leads", runBench},
	{"version", "print the version of leadscore", runVersion},
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
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"leadscore help COMMAND\" for a command's flags.")
}

// parseFlags parses flags that may come before or after the arguments
// (leadscore score leads.ndjson --model m.yaml), and returns the arguments.
// It returns ok=false, with the exit code, when parsing stopped the command.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, int, bool) {
	positional, code, ok := parseArgs(fs, args, stderr)
	if f := fs.Lookup("max-row"); ok && f != nil {
		if err := f.Value.(*rowLimit).err; err != nil {
			fmt.Fprintf(stderr, "leadscore %s: --max-row: %v\n", fs.Name(), err)
			return nil, exitUsage, false
		}
	}
	return positional, code, ok
}

// parseArgs is parseFlags before the values are checked.
func parseArgs(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, int, bool) {
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

// version is the version a release stamps at build time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/leadscore
//
// When set it wins over the module version of the build info; unset, the
// version comes from the build info as before.
var version = ""

// runVersion prints the version: the one stamped at build time, else the
// module version (a release tag when installed with go install), else
// "devel", with the commit it was built from when known.
func runVersion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore version")
		fmt.Fprintln(stderr, "\nPrints the version of leadscore, the commit it was built from when known, and the Go version.")
		fmt.Fprintln(stderr, "Exit status: 0.")
	}
	rest, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "leadscore version: takes no arguments\n")
		return exitUsage
	}
	fmt.Fprintln(stdout, versionLine())
	return exitOK
}

func versionLine() string {
	v, commit, goVersion := "devel", "", runtime.Version()
	if info, ok := debug.ReadBuildInfo(); ok {
		if mv := info.Main.Version; mv != "" && mv != "(devel)" {
			v = mv
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				commit = s.Value[:12]
			}
			if s.Key == "vcs.modified" && s.Value == "true" && commit != "" {
				commit += "+changes"
			}
		}
	}
	if version != "" {
		v = version
	}
	if commit != "" {
		return fmt.Sprintf("leadscore %s (%s, %s)", v, commit, goVersion)
	}
	return fmt.Sprintf("leadscore %s (%s)", v, goVersion)
}
