package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
)

// hasMarkov reports whether a list of models has a Markov chain.
func hasMarkov(specs []string) bool {
	for _, s := range specs {
		if strings.HasPrefix(s, "markov:") {
			return true
		}
	}
	return false
}

// pathFormat reads the --delimiter, --path-separator and --columns flags.
func pathFormat(delimiter, separator, columns string) (attribution.PathFormat, error) {
	var pf attribution.PathFormat
	switch delimiter {
	case "tab", `\t`:
		delimiter = "\t"
	}
	if utf8.RuneCountInString(delimiter) != 1 {
		return pf, fmt.Errorf("--delimiter %q: give one character, such as ';', ',' or tab", delimiter)
	}
	pf.Delimiter, _ = utf8.DecodeRuneInString(delimiter)
	pf.Separator = strings.TrimSpace(separator)
	if pf.Separator == "" {
		pf.Separator = separator // a space, or a tab
	}
	if columns != "" {
		for _, part := range strings.Split(columns, ",") {
			k, v, ok := strings.Cut(part, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			dst := map[string]*string{"path": &pf.Path, "conversions": &pf.Conversions, "value": &pf.Value, "null": &pf.Nulls}[k]
			if !ok || dst == nil || v == "" {
				return pf, fmt.Errorf("--columns %q: write role=column pairs with the roles path, conversions, value and null, such as path=journey,conversions=conv", columns)
			}
			if *dst != "" {
				return pf, fmt.Errorf("--columns %q names the %s column twice (%s and %s); name it once", columns, k, *dst, v)
			}
			*dst = v
		}
	}
	if err := pf.Check(); err != nil {
		return pf, err
	}
	return pf, nil
}

// attributePaths credits channels for aggregated paths.
func attributePaths(name string, pf attribution.PathFormat, specs []string, format, currency string, files *outputFiles, stdout, stderr io.Writer) int {
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(stderr, "leadscore attribute: %v\n", err)
		return exitUsage
	}
	defer f.Close()
	shown := 0
	// Sequential: on two cores, merging shards costs as much as parsing
	// them (BenchmarkReadPaths); the shards pay off across machines.
	p, read, used, err := pf.Read(f, func(line int, err error) {
		if shown < maxShownErrors {
			fmt.Fprintf(stderr, "%s:%d: %v\n", name, line, err)
		}
		shown++
	})
	var he *attribution.HeaderError
	switch {
	case errors.As(err, &he):
		fmt.Fprintf(stderr, "%s:%d: %v\n", name, he.Line, he.Err)
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "leadscore attribute: %s: %v\n", name, err)
		return exitUsage
	}
	rep, err := attribution.RunPaths(p, specs, 0)
	if err != nil {
		fmt.Fprintf(stderr, "leadscore attribute: --models: %v\n", err)
		return exitUsage
	}
	switch format {
	case "markdown":
		err = rep.WriteMarkdown(stdout)
	case "csv":
		for _, n := range rep.Notes {
			fmt.Fprintf(stderr, "leadscore attribute: note: %s\n", n)
		}
		err = rep.WriteCSV(stdout)
	case "json":
		err = rep.WriteJSON(stdout)
	case "html":
		err = writeHTML(stdout, "Attribution of paths", strings.Join(rep.Models, ", "), currency, summaryOf(htmlreport.PathsSummary(rep, ""), nil), htmlreport.ChannelsSection(rep, ""))
	default:
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "leadscore attribute: %v\n", err)
		return exitUsage
	}
	if files.transitions != nil {
		if err := files.write(files.transitions, rep.WriteTransitions); err != nil {
			fmt.Fprintf(stderr, "leadscore attribute: --transitions-out: %v\n", err)
			return exitUsage
		}
	}
	if files.credit != nil {
		if err := files.write(files.credit, rep.WriteCredit); err != nil {
			fmt.Fprintf(stderr, "leadscore attribute: --credit-out: %v\n", err)
			return exitUsage
		}
	}
	if err := files.closeAll(); err != nil {
		fmt.Fprintf(stderr, "leadscore attribute: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "%d paths read: %d used, %d failed\n", read, used, read-used)
	if read != used {
		return exitProblem
	}
	return exitOK
}

// readJourneys reads NDJSON journeys, or CSV journeys and touches; each
// touch row whose journey_id names no journey is said on stderr with its
// line, and orphaned counts them.
func readJourneys(name, touches string, stderr io.Writer, orphaned *int, add func(string, int, *attribution.Journey, error) error) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	fn := func(line int, j *attribution.Journey, err error) error { return add(name, line, j, err) }
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		var tr io.Reader
		if touches != "" {
			tf, err := os.Open(touches)
			if err != nil {
				return err
			}
			defer tf.Close()
			tr = tf
		}
		return attribution.ReadCSVOrphans(f, tr, fn, func(o attribution.OrphanTouch) {
			fmt.Fprintf(stderr, "%s:%d: %v\n", touches, o.Line, o.Err)
			*orphaned++
		})
	}
	if err := attribution.ReadNDJSON(f, fn); err != nil {
		return fmt.Errorf("%s: %w", displayName(name), err)
	}
	return nil
}

// readOutcomes reads the CRM outcomes, reporting bad rows with their lines.
func readOutcomes(name string, out *map[string]attribution.Outcome, stderr io.Writer) (attribution.Counts, error) {
	f, err := os.Open(name)
	if err != nil {
		return attribution.Counts{}, err
	}
	defer f.Close()
	o, n, err := attribution.ReadOutcomes(f, func(line int, err error) {
		fmt.Fprintf(stderr, "%s:%d: %v\n", name, line, err)
	})
	if err != nil {
		return n, err
	}
	*out = o
	if n.Failed > 0 {
		fmt.Fprintf(stderr, "%s: %d outcome rows: %d read, %d failed; a failed row is left out (its lead keeps the outcome of an earlier row of it that was read, and otherwise counts as having none: not won); fix the rows and run again\n", name, n.Rows, n.Read, n.Failed)
	}
	return n, nil
}
