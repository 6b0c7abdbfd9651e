package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/scoringtest"
)

// leadsInput is how check --leads reads its leads: the flags every command
// that reads leads takes.
type leadsInput struct {
	file, in, events, source string
	noEvents                 bool
	maxRow                   int
	asOf                     time.Time
}

// leadsReport is what check --leads did with the leads: rows read = failed
// + used. It is the "leads" of check --format json.
type leadsReport struct {
	File       string      `json:"file"`
	AsOf       time.Time   `json:"as_of"`
	Rows       int         `json:"rows"`
	Failed     int         `json:"failed"`
	Used       int         `json:"used"`
	FailedRows []failedRow `json:"failed_rows"`
	// EventRowsUnused counts CSV event rows whose lead_id no lead row has.
	EventRowsUnused int `json:"event_rows_unused,omitempty"`
	// Cases counts the test cases of the model run as leads too, from
	// CaseFiles.
	Cases     int      `json:"cases"`
	CaseFiles []string `json:"case_files"`
	// Unknown says the data the leads carry that the model does not
	// declare, which no rule reads: a misspelt key or column.
	Unknown []string `json:"unknown"`
	unknown scoring.UnknownTally
}

type failedRow struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// checkLeads scores the leads of in with m, and runs the cases of the test
// files beside modelPath that test it, counting what each rule and gate
// fired on. Each bad row is printed on stderr and left out. The error is
// one that kept the leads from being read at all.
func checkLeads(m *rules.Model, modelPath string, in leadsInput, stderr io.Writer) (*leadsReport, rules.Firings, error) {
	rep := &leadsReport{File: in.file, AsOf: in.asOf, FailedRows: []failedRow{}, CaseFiles: []string{}, Unknown: []string{}}
	f := rules.Firings{From: in.file, AsOf: in.asOf, Rules: make([]int, len(m.Rules)), Gates: make([]int, len(m.Gates)), Tested: map[string]bool{}}

	scorer := scoring.New(m)
	opts := leadfile.Options{Scorer: scorer, MaxRow: in.maxRow, NoEvents: in.noEvents,
		OnWarning: func(w string) { fmt.Fprintln(stderr, "warning: "+w) }}
	closeLeads, err := openLeadsVia(&opts, in.file, in.in, in.events, in.source, stderr)
	defer closeLeads()
	if err != nil {
		return nil, f, err
	}
	shown := 0
	bad := func(msg string) {
		if shown < maxShownErrors {
			fmt.Fprintln(stderr, msg)
		} else if shown == maxShownErrors {
			fmt.Fprintln(stderr, "(more bad rows are not shown here; every one is counted)")
		}
		shown++
	}
	opts.OnError = func(e leadfile.RowError) { // only events rows: lead rows come to use
		if errors.Is(e.Err, leadfile.ErrNoLeadForEvent) { // not those of a failed lead, counted with it
			rep.EventRowsUnused++
		}
		bad(e.Error())
	}
	type scored struct {
		res *scoring.Result
		err error
	}
	rule, gate := map[string]int{}, map[string]int{}
	for _, r := range m.Rules {
		rule[r.ID] = r.Index
	}
	for _, g := range m.Gates {
		gate[g.ID] = g.Index
	}
	err = leadfile.Map(opts, func(_ int, lead scoring.Lead, err error) scored {
		if err != nil {
			return scored{err: err}
		}
		res, err := scorer.Score(lead, in.asOf)
		return scored{res, err}
	}, func(line int, s scored) error {
		rep.Rows++
		if s.err != nil {
			rep.Failed++
			rep.FailedRows = append(rep.FailedRows, failedRow{line, s.err.Error()})
			bad(fmt.Sprintf("%s:%d: %v", in.file, line, s.err))
			return nil
		}
		rep.Used++
		rep.unknown.Add(s.res.Unknown)
		for _, fr := range s.res.Fired {
			f.Rules[rule[fr.Rule]]++
		}
		for _, g := range s.res.Gates {
			f.Gates[gate[g.Rule]]++
		}
		return nil
	})
	if err != nil {
		return nil, f, err
	}
	f.Leads = rep.Used
	rep.Unknown = append([]string{}, rep.unknown.Lines()...)

	for _, tf := range testFilesOf(modelPath) {
		res := scoringtest.RunFile(tf, scoringtest.Options{})
		if res.Err != nil || res.Coverage == nil || !samePath(res.ModelFile, modelPath) {
			continue // leadscore test reports it; here it only adds cases
		}
		n := 0
		for _, c := range res.Cases {
			if c.Status == scoringtest.Pass || c.Status == scoringtest.Fail {
				n++
			}
		}
		if n == 0 {
			continue
		}
		rep.Cases += n
		rep.CaseFiles = append(rep.CaseFiles, tf)
		for _, items := range [][]scoringtest.Item{res.Coverage.Rules, res.Coverage.Gates} {
			for _, it := range items {
				if it.Covered {
					f.Tested[it.Name] = true
				}
			}
		}
	}
	f.Cases, f.CasesFrom = rep.Cases, strings.Join(rep.CaseFiles, ", ")
	return rep, f, nil
}

// testFilesOf returns the test files in the directory of a rule file
// (*_test.yaml, *_test.yml); whether each tests it is for its model: key.
func testFilesOf(modelPath string) []string {
	dir := filepath.Dir(modelPath)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && dsl.IsTestFile(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// summary is the line that reconciles the leads (rows read, failed by
// line, used, and the test cases used with them), then the data no rule
// reads.
func (r *leadsReport) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s read, %d failed", r.File, countOf(r.Rows, "row"), r.Failed)
	if r.Failed > 0 {
		var lines []string
		for i, fr := range r.FailedRows {
			if i == 10 {
				lines = append(lines, fmt.Sprintf("and %d more", r.Failed-10))
				break
			}
			lines = append(lines, fmt.Sprint(fr.Line))
		}
		word := "line"
		if r.Failed > 1 {
			word = "lines"
		}
		fmt.Fprintf(&b, " (%s %s)", word, strings.Join(lines, ", "))
	}
	fmt.Fprintf(&b, ", %d used: scored as of %s", r.Used, r.AsOf.Format(time.RFC3339))
	if r.Cases > 0 {
		fmt.Fprintf(&b, "; with %s of %s", countOf(r.Cases, "test case"), strings.Join(r.CaseFiles, ", "))
	}
	for _, line := range r.Unknown {
		b.WriteString("\n" + line)
	}
	if len(r.Unknown) > 0 {
		b.WriteString("\n(no rule reads data the model does not declare: rename it, or declare it under fields or events)")
	}
	if r.EventRowsUnused > 0 {
		fmt.Fprintf(&b, "\n%s name a lead_id no lead row has; they were not used", countOf(r.EventRowsUnused, "event row"))
	}
	if r.Used == 0 {
		fmt.Fprintf(&b, "\nno lead of %s could be scored, so the rules were not checked against it; fix the rows named above", r.File)
	}
	return b.String()
}
