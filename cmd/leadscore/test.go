package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"

	"github.com/leadscore/leadscore/scoring/scoringtest"
)

func runTest(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	run := fs.String("run", "", "run only the cases whose name matches this regular expression")
	format := fs.String("format", "text", "report format: text, json or junit (JUnit XML for CI dashboards)")
	coverage := fs.Bool("coverage", false, "print which rules, gates, grades, stages and condition outcomes no case exercised")
	minCoverage := fs.Float64("min-coverage", 0, "fail when a file's coverage is below this percentage")
	verbose := fs.Bool("v", false, "list passing cases too")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore test [flags] [PATH...]")
		fmt.Fprintln(stderr, "\nRuns test files (a directory: every *_test.yaml file in it; default: the current directory).")
		fmt.Fprintln(stderr, "A failing case shows what it expected, what it got, and why the lead scored as it did.")
		fmt.Fprintln(stderr, "Exit status: 0 all cases pass, 1 a case failed or coverage is too low, 2 bad usage or a file that cannot run.")
		fs.PrintDefaults()
	}
	paths, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	var opts scoringtest.Options
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintf(stderr, "leadscore test: --run: %v\n", err)
			return exitUsage
		}
		opts.Run = re
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	files, err := scoringtest.Find(paths)
	if err != nil {
		fmt.Fprintf(stderr, "leadscore test: %v\n", err)
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "leadscore test: no test files (*_test.yaml) found")
		return exitUsage
	}
	var results []*scoringtest.FileResult
	cannotRun := false
	for _, f := range files {
		fr := scoringtest.RunFile(f, opts)
		cannotRun = cannotRun || fr.Err != nil
		results = append(results, fr)
	}
	switch *format {
	case "json":
		err = scoringtest.WriteJSON(stdout, results)
	case "junit":
		err = scoringtest.WriteJUnit(stdout, results)
	case "text":
		err = scoringtest.WriteText(stdout, results, *verbose)
		if *coverage {
			for _, fr := range results {
				if fr.Coverage != nil {
					fmt.Fprintln(stdout)
					fr.Coverage.WriteText(stdout, fr.Model+" by "+fr.File)
				}
			}
		}
	default:
		fmt.Fprintf(stderr, "leadscore test: unknown --format %q; use text, json or junit\n", *format)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "leadscore test: %v\n", err)
		return exitUsage
	}
	status := exitOK
	if !scoringtest.Count(results).OK() {
		status = exitProblem
	}
	if *minCoverage > 0 {
		for _, fr := range results {
			if fr.Coverage != nil && fr.Coverage.Percent() < *minCoverage {
				fmt.Fprintf(stderr, "leadscore test: coverage of %s is %.1f%%, below the %.1f%% required\n", fr.File, fr.Coverage.Percent(), *minCoverage)
				status = exitProblem
			}
		}
	}
	if cannotRun {
		return exitUsage
	}
	return status
}
