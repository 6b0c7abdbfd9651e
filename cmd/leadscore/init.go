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

	"github.com/leadscore/leadscore/scoring/source"
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
	sample := flags.String("sample", "", "draft a source mapping from this CRM export (CSV) instead: its header and first rows")
	maxRow := maxRowFlag(flags)
	events := flags.String("events", "", "with --sample: the CRM's activities export (CSV), drafted as the mapping's events:")
	model := flags.String("model", "", "with --sample: map the columns to this model's fields (default: propose fields for a new model)")
	output := flags.String("o", "", "with --sample: write the draft to this new file (default: standard output)")
	rows := flags.Int("rows", source.DraftRows, "with --sample: read at most this many rows of each export")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore init [--no-ci] [DIR]")
		fmt.Fprintln(stderr, "       leadscore init --sample EXPORT.csv [--events ACTIVITIES.csv] [--model MODEL.yaml] [-o FILE]")
		fmt.Fprintln(stderr, "\nStarts a lead definition in DIR (rules by default): a commented model, leads.yaml, and")
		fmt.Fprintln(stderr, "the examples both teams agree on, leads_test.yaml, which pass leadscore check --strict and")
		fmt.Fprintln(stderr, "leadscore test as written; and .github/workflows/lead-definitions.yml, a GitHub Actions")
		fmt.Fprintln(stderr, "workflow that checks and tests DIR on every pull request. Existing files are never overwritten.")
		fmt.Fprintln(stderr, "\nWith --sample, drafts a source mapping (see docs/reference.md, \"Source mappings\") from a real")
		fmt.Fprintln(stderr, "export's header and first rows: the id column, each column mapped to a field (with --model, by")
		fmt.Fprintln(stderr, "name, to the model's fields), its type, layout, format or separator guessed from its values,")
		fmt.Fprintln(stderr, "personal columns under ignore:, and the events: section from --events. Every guess carries a")
		fmt.Fprintln(stderr, "comment saying what it was guessed from: review them, then leadscore check the file.")
		fmt.Fprintln(stderr, "Exit status: 0 written, 2 a file exists already or cannot be written.")
		flags.PrintDefaults()
	}
	rest, code, ok := parseFlags(flags, args, stderr)
	if !ok {
		return code
	}
	if *sample != "" {
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "leadscore init: --sample takes no directory (got %q); write the draft with -o FILE\n", rest[0])
			return exitUsage
		}
		return initSample(*sample, *events, *model, *output, *rows, maxRow.n, stdout, stderr)
	}
	for name, v := range map[string]string{"--events": *events, "--model": *model, "-o": *output} {
		if v != "" {
			fmt.Fprintf(stderr, "leadscore init: %s goes with --sample EXPORT.csv, the export to draft a source mapping from\n", name)
			return exitUsage
		}
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

// initSample drafts a source mapping from a sample of an export.
func initSample(sample, events, modelFile, output string, rows, maxRow int, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore init: "+format+"\n", a...)
		return exitUsage
	}
	if rows < 1 {
		return fail("--rows %d: want 1 or more (the rows of each export the guesses are made from)", rows)
	}
	if output != "" {
		if _, err := os.Stat(output); err == nil {
			return fail("%s exists already; init writes only new files (move it, or give another -o)", output)
		}
	}
	opts := source.DraftOptions{ContactsName: sample, EventsName: events, ModelFile: modelFile, Rows: rows, MaxRow: maxRow}
	if modelFile != "" {
		m, _ := compileModel(modelFile, stderr)
		if m == nil {
			return fail("%s does not compile; fix it, or leave --model out to propose fields for a new model", modelFile)
		}
		opts.Model = m
	}
	f, err := os.Open(sample)
	if err != nil {
		return fail("--sample: %v", err)
	}
	defer f.Close()
	opts.Contacts = f
	if events != "" {
		ef, err := os.Open(events)
		if err != nil {
			return fail("--events: %v", err)
		}
		defer ef.Close()
		opts.Events = ef
	}
	draft, err := source.Draft(opts)
	if err != nil {
		return fail("%v", err)
	}
	if output == "" {
		stdout.Write(draft)
		return exitOK
	}
	if err := os.WriteFile(output, draft, 0o644); err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(stdout, "wrote %s\n\nNext: review every comment in it, then\n  %s\n", output, shellWords(checkWords(modelFile, output)))
	return exitOK
}

func checkWords(model, file string) []string {
	if model == "" {
		return []string{"leadscore", "check", file}
	}
	return []string{"leadscore", "check", "--model", model, file}
}
