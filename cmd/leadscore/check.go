package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/scoringtest"
)

func runCheck(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	format := fs.String("format", "text", "output format: text (file:line:col with snippets) or json")
	modelFile := fs.String("model", "", "check source mappings (files with a top-level source: key) against this rule file too:\nits fields, event fields and event types")
	strict := fs.Bool("strict", false, "report lint findings too (unused lists and defines, rules that never or always fire, lower(x) compared with text that has capitals, unreachable stages, shadowed grades, rules without owner or reason, event rules that keep every event for ever), and fail on them")
	leads := fs.String("leads", "", "score these leads (NDJSON, or CSV with --events or --source) with the one rule file given, and warn of\neach rule and gate that fires on none of them and on no case of the test files beside it,\nand of each that fires on every lead (with 10 or more); --strict fails on these too")
	at := fs.String("at", "", "with --leads: score as of this time (2026-10-01 or RFC 3339); default: now")
	in := fs.String("in", "", "with --leads: its format, ndjson or csv; default: from the file name (.csv is CSV)")
	events := fs.String("events", "", "with --leads: the CSV events file (lead_id, type, at, event fields) for CSV leads")
	noEvents := noEventsFlag(fs)
	sourceFile := sourceFlag(fs)
	maxRow := maxRowFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore check [--strict] [--format text|json] [--model FILE] FILE|DIR...")
		fmt.Fprintln(stderr, "       leadscore check [--strict] --leads LEADS.ndjson|LEADS.csv [--at TIME] [flags] RULES.yaml")
		fmt.Fprintln(stderr, "\nCompiles each rule file (a directory: every .yaml/.yml file in it that starts a model,")
		fmt.Fprintln(stderr, "that is, has a top-level leadscore: key) and checks each test file (*_test.yaml, or a")
		fmt.Fprintln(stderr, "file of cases:) against its model without running it, and each source mapping (a file with a")
		fmt.Fprintln(stderr, "top-level source: key), against --model when given; reports every problem as file:line:col.")
		fmt.Fprintln(stderr, "With --leads, also scores the leads with the rule file and warns, at the rule, of each rule")
		fmt.Fprintln(stderr, "that fires on none of them (nor on a case of its test files); bad rows are named on stderr")
		fmt.Fprintln(stderr, "and left out.")
		fmt.Fprintln(stderr, "Exit status: 0 all files compile, 1 problems found (with --strict, warnings too; with --leads,")
		fmt.Fprintln(stderr, "no lead could be scored), 2 bad usage or unreadable leads.")
		fs.PrintDefaults()
	}
	paths, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	if *leads == "" {
		for _, name := range []string{"at", "in", "events", "no-events", "source", "max-row"} {
			if flagSet(fs, name) {
				fmt.Fprintf(stderr, "leadscore check: --%s goes with --leads, the leads to check the rules against\n", name)
				return exitUsage
			}
		}
	}
	asOf, err := asOfTime("--at", *at)
	if err != nil {
		fmt.Fprintf(stderr, "leadscore check: %v\n", err)
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "leadscore check: unknown --format %q; use text or json\n", *format)
		return exitUsage
	}
	if len(paths) == 0 {
		fs.Usage()
		return exitUsage
	}
	files, err := modelFiles(paths)
	if err != nil {
		fmt.Fprintf(stderr, "leadscore check: %v\n", err)
		return exitUsage
	}
	var ruleFiles []string
	for _, f := range files {
		if !hasTopKey(f, "source") && !isTestFile(f) {
			ruleFiles = append(ruleFiles, f)
		}
	}
	if *leads != "" && len(ruleFiles) != 1 {
		fmt.Fprintf(stderr, "leadscore check: --leads scores the leads with one model; give one rule file, not %d (%s)\n", len(ruleFiles), strings.Join(ruleFiles, ", "))
		return exitUsage
	}

	var against *rules.Model
	if *modelFile != "" {
		if against, _ = compileModel(*modelFile, stderr); against == nil {
			fmt.Fprintf(stderr, "leadscore check: --model %s does not compile\n", *modelFile)
			return exitUsage
		}
	}
	type fileReport struct {
		File   string `json:"file"`
		Model  string `json:"model,omitempty"`
		Source string `json:"source,omitempty"`
		OK     bool   `json:"ok"`
		Test   bool   `json:"test_file,omitempty"`
		// mapping is set for a source mapping
		mapping bool
		// broken is set for a model that compiles but whose holdout's
		// challenger does not
		broken bool
	}
	type diagReport struct {
		File     string `json:"file"`
		Line     int    `json:"line"`
		Col      int    `json:"col"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
	}
	var reports []fileReport
	var all dsl.Diagnostics
	var leadsRep *leadsReport
	for _, f := range files {
		if hasTopKey(f, "source") { // a source mapping
			ds, name := sourceDiagnostics(f, against)
			rep := fileReport{File: f, Source: name, OK: !ds.HasErrors() && name != "", mapping: true}
			if against != nil {
				rep.Model = against.Name
			}
			if *strict && len(ds) > 0 {
				rep.OK = false
			}
			reports = append(reports, rep)
			all = append(all, ds...)
			continue
		}
		if isTestFile(f) { // checked against its model, not run
			res := scoringtest.RunFile(f, scoringtest.Options{CheckOnly: true})
			reports = append(reports, fileReport{File: f, Model: res.Model, OK: res.Err == nil, Test: true})
			all = append(all, res.Diagnostics()...) // as leadscore lsp shows them: see cmd/leadscore/internal/langserver
			continue
		}
		m, err := rules.CompileFile(f)
		rep := fileReport{File: f, OK: err == nil}
		if m != nil {
			if ds := challengerDiagnostics(m); len(ds) > 0 {
				all = append(all, ds...)
				rep.OK, rep.broken = false, true
			}
			rep.Model = m.Name
			var lint dsl.Diagnostics
			if *strict {
				lint = rules.Lint(m)
			}
			if *leads != "" {
				in := leadsInput{file: *leads, in: *in, events: *events, source: *sourceFile, noEvents: *noEvents, maxRow: maxRow.n, asOf: asOf}
				var fired rules.Firings
				if leadsRep, fired, err = checkLeads(m, f, in, stderr); err != nil {
					fmt.Fprintf(stderr, "leadscore check: --leads %s: %v\n", *leads, err)
					return exitUsage
				}
				fired.Linted = *strict
				lint = append(lint, rules.LintFired(m, fired)...)
				lint.Sort()
			}
			all = append(all, lint...)
			rep.OK = rep.OK && (!*strict || len(lint) == 0)
		}
		reports = append(reports, rep)
		var ds dsl.Diagnostics
		if errors.As(err, &ds) {
			all = append(all, ds...)
		} else if err != nil {
			all = append(all, &dsl.Diagnostic{Pos: dsl.Pos{File: f}, Message: err.Error()})
		}
	}

	failed := all.HasErrors() || (*strict && len(all) > 0) || (leadsRep != nil && leadsRep.Used == 0)
	if *format == "json" {
		out := struct {
			OK          bool         `json:"ok"`
			Files       []fileReport `json:"files"`
			Diagnostics []diagReport `json:"diagnostics"`
			Leads       *leadsReport `json:"leads,omitempty"`
		}{OK: !failed, Files: reports, Diagnostics: []diagReport{}, Leads: leadsRep}
		for _, d := range all {
			sev := "error"
			if d.Severity == dsl.Warning {
				sev = "warning"
			}
			out.Diagnostics = append(out.Diagnostics, diagReport{d.Pos.File, d.Pos.Line, d.Pos.Col, sev, d.Message})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	} else {
		all.Write(stdout)
		for _, r := range reports {
			if r.mapping {
				switch {
				case r.OK && r.Model != "":
					fmt.Fprintf(stdout, "ok   %s (source mapping %s, for model %s)\n", r.File, r.Source, r.Model)
				case r.OK:
					fmt.Fprintf(stdout, "ok   %s (source mapping %s; give --model to check it against a model)\n", r.File, r.Source)
				default:
					fmt.Fprintf(stdout, "FAIL %s\n", r.File)
				}
				continue
			}
			if r.OK && r.Test {
				fmt.Fprintf(stdout, "ok   %s (tests of model %s)\n", r.File, r.Model)
			} else if r.OK {
				fmt.Fprintf(stdout, "ok   %s (model %s)\n", r.File, r.Model)
			} else if r.Model != "" && !r.Test && !r.broken {
				fmt.Fprintf(stdout, "WARN %s (model %s)\n", r.File, r.Model)
			} else {
				fmt.Fprintf(stdout, "FAIL %s\n", r.File)
			}
		}
		if leadsRep != nil {
			fmt.Fprintln(stdout, leadsRep.summary())
		}
	}
	if failed {
		return exitProblem
	}
	return exitOK
}

// modelFiles expands the arguments: files as given, directories to the
// YAML files in them that start a model (have a top-level leadscore: key)
// and the test files (*_test.yaml), so included fragments are not checked
// as models.
func modelFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		found, err := dsl.ExpandPaths([]string{p}, func(path string) bool {
			return dsl.IsYAML(path) && (dsl.IsTestFile(path) || isModelFile(path))
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s holds no rule file (a .yaml file with a top-level leadscore: key)", p)
		}
		out = append(out, found...)
	}
	return out, nil
}

// isTestFile reports whether a file is a test file: named *_test.yaml, or a
// YAML mapping with cases: and no leadscore: key.
func isTestFile(path string) bool {
	if dsl.IsTestFile(path) {
		return true
	}
	return !isModelFile(path) && hasTopKey(path, "cases")
}

// isModelFile reports whether a YAML file's top-level mapping has the key
// "leadscore". A file that does not parse counts as a model, so its errors
// are shown rather than the file skipped.
func isModelFile(path string) bool {
	has, parsed := topKey(path, "leadscore")
	return has || !parsed
}

func hasTopKey(path, key string) bool {
	has, _ := topKey(path, key)
	return has
}

// topKey reports whether a YAML file's top-level mapping has key, and
// whether the file could be read as YAML at all.
func topKey(path, key string) (has, parsed bool) {
	src, err := dsl.ReadFile(path) // refused: read as a model, to say why
	if err != nil {
		return false, false
	}
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&root); err != nil {
		return false, errors.Is(err, io.EOF)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return false, true
	}
	top := root.Content[0].Content
	for i := 0; i < len(top); i += 2 {
		if top[i].Value == key {
			return true, true
		}
	}
	return false, true
}
