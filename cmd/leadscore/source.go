package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/source"
)

// sourceFlag registers --source, which every command that reads leads takes.
func sourceFlag(fs *flag.FlagSet) *string {
	return fs.String("source", "", "source mapping (YAML): read the leads file as a CRM's CSV export, and --events as its\nactivities export, through it (see docs/reference.md, \"Source mappings\")")
}

// attachSource reads the source mapping file, checks it against the model
// and has opts read through it; nothing when file is "". Its problems are
// printed, positioned, on stderr.
func attachSource(opts *leadfile.Options, file string, m *rules.Model, stderr io.Writer) error {
	if file == "" {
		return nil
	}
	mapping, ds := source.CheckFile(file, m)
	ds.Write(stderr)
	if mapping == nil {
		if len(ds) == 0 {
			return errors.New("the source mapping could not be read")
		}
		return fmt.Errorf("%s has problems; fix them and run again", file)
	}
	opts.Source = mapping
	opts.InputFormat = leadfile.CSV
	return nil
}

// sourceDiagnostics checks a source mapping file for leadscore check:
// alone, or against model when it is not nil.
func sourceDiagnostics(file string, m *rules.Model) (dsl.Diagnostics, string) {
	mapping, ds := source.CheckFile(file, m)
	name := ""
	if mapping != nil {
		name = mapping.Name
	}
	return ds, name
}

// openLeadsVia is openLeads, then attachSource with opts.Scorer's model:
// the leads file read through the source mapping src when it is not "".
func openLeadsVia(opts *leadfile.Options, name, in, events, src string, stderr io.Writer) (close func(), err error) {
	close, err = openLeads(opts, name, in, events)
	if err != nil {
		return close, err
	}
	if err := attachSource(opts, src, opts.Scorer.Model(), stderr); err != nil {
		return close, fmt.Errorf("--source: %v", err)
	}
	return close, nil
}
