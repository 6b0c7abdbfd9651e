// Package scoringtest runs test files for rule files: YAML examples, written
// by sales and marketing, of what their definition of a sales-ready lead
// means. Each case is a lead (usually extending a shared fixture), its
// events, and what the score must say. A failing case reports what it
// expected, what it got, and why the score came out so.
//
// `leadscore test` runs test files from the command line; Run runs them as
// subtests of a Go test:
//
//	func TestRules(t *testing.T) { scoringtest.Run(t, "rules") }
package scoringtest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Status is the outcome of a case.
type Status string

// The outcomes of a case.
const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Pending Status = "pending"
	Error   Status = "error" // the lead could not be scored
)

// FileResult is the outcome of one test file.
type FileResult struct {
	File      string       `json:"file"`
	ModelFile string       `json:"model_file,omitempty"`
	Model     string       `json:"model,omitempty"`
	Cases     []CaseResult `json:"cases"`
	Coverage  *Coverage    `json:"coverage,omitempty"`
	// Err is set when the file could not be run: it, or its model, has
	// errors (a dsl.Diagnostics, every one positioned).
	Err error `json:"-"`
}

// CaseResult is the outcome of one case.
type CaseResult struct {
	Name     string        `json:"name"`
	Pos      string        `json:"pos"`
	Status   Status        `json:"status"`
	Failures []string      `json:"failures,omitempty"`
	Pending  string        `json:"pending,omitempty"`
	Error    string        `json:"error,omitempty"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	// Result is the score the case's lead got; nil for a pending case or
	// one that could not be scored. It is what an editor shows beside
	// what the case expects.
	Result *scoring.Result `json:"-"`
	// Explanation of the score, for failing cases and coverage.
	Explanation *scoring.Explanation `json:"explanation,omitempty"`
}

// Options narrow a run.
type Options struct {
	// Run, when set, runs only the cases whose name it matches.
	Run *regexp.Regexp
	// CheckOnly checks the file against its model (fields, types, stages,
	// rules, fixtures named) and runs no case.
	CheckOnly bool
}

// Find returns the test files among paths: files as given, and in
// directories every file ending in _test.yaml or _test.yml.
func Find(paths []string) ([]string, error) {
	return dsl.ExpandPaths(paths, dsl.IsTestFile)
}

// RunFile runs the cases of one test file.
func RunFile(path string, opts Options) *FileResult {
	tf, err := dsl.LoadTestFile(path)
	dir := filepath.Dir(path)
	return run(&FileResult{File: path}, tf, err, dsl.DirFS(dir), dir, opts)
}

// RunText runs the cases of a test file held in memory, such as the text
// in an editor: file names it in messages; its model, and the files that
// includes, are read from fsys, the test file's directory, which dir names
// in messages. RunText and RunFile check a file the same way, so an editor
// shows what leadscore check and leadscore test report.
func RunText(fsys fs.FS, dir, file string, text []byte, opts Options) *FileResult {
	tf, err := dsl.ParseTestFile(file, text)
	return run(&FileResult{File: file}, tf, err, fsys, dir, opts)
}

// Diagnostics returns the problems that kept the file from running, each
// positioned: those of Err, or Err at the file when it has no position.
func (fr *FileResult) Diagnostics() dsl.Diagnostics {
	var ds dsl.Diagnostics
	if errors.As(fr.Err, &ds) {
		return ds
	}
	if fr.Err != nil {
		return dsl.Diagnostics{{Pos: dsl.Pos{File: fr.File}, Message: fr.Err.Error()}}
	}
	return nil
}

// run checks a decoded test file against its model, read from fsys, and
// runs its cases unless opts say to check only.
func run(fr *FileResult, tf *dsl.TestFile, err error, fsys fs.FS, dir string, opts Options) *FileResult {
	var diags dsl.Diagnostics
	if err != nil {
		if !errors.As(err, &diags) || tf == nil || tf.Model.Value == "" {
			fr.Err = err
			return fr
		}
		// Go on: checking the cases against the model reports the rest.
	}
	if why := dsl.CheckInFS(fsys, tf.Model.Value); why != "" {
		// Refused, or missing: nothing of what the path points at is read.
		diags = append(diags, tf.Diag(tf.Model.Pos, fmt.Sprintf("cannot load model %s: %s; model: must name a file inside the directory of this test file, such as %s",
			tf.Model.Value, why, modelBeside(fsys, tf.Model.Value))))
		diags.Sort()
		fr.Err = diags
		return fr
	}
	fr.ModelFile = filepath.Join(dir, filepath.FromSlash(tf.Model.Value))
	m, err := rules.CompileFileInFS(fsys, dir, tf.Model.Value)
	if err != nil {
		var ds dsl.Diagnostics
		if errors.As(err, &ds) && len(ds) == 1 && ds[0].Pos.Line == 0 {
			// The model file itself is unreadable or empty: say so at the model: line.
			err = dsl.Diagnostics{tf.Diag(tf.Model.Pos, fmt.Sprintf("cannot load model %s: %s", tf.Model.Value, ds[0].Message))}
		}
		if errors.As(err, &ds) {
			diags = append(diags, ds...)
			diags.Sort()
			err = diags
		}
		fr.Err = err
		return fr
	}
	fr.Model = m.Name
	c := &checker{tf: tf, m: m, diags: diags}
	leads := c.check()
	c.diags.Sort()
	if err := c.diags.Err(); err != nil {
		fr.Err = err
		return fr
	}
	if opts.CheckOnly {
		return fr
	}
	scorer := scoring.New(m)
	accounts, _ := scoring.NewAccountScorer(m) // nil without an accounts section: check refused account cases
	cov := newCoverage(m)
	leadCases, accountCases := 0, 0
	for i, tc := range tf.Cases {
		if opts.Run != nil && !opts.Run.MatchString(tc.Name.Value) {
			continue
		}
		cr := CaseResult{Name: tc.Name.Value, Pos: tc.Pos.String()}
		if tc.Pending.Value != "" {
			cr.Status, cr.Pending = Pending, tc.Pending.Value
			fr.Cases = append(fr.Cases, cr)
			continue
		}
		if tc.IsAccount {
			accountCases++
			fr.Cases = append(fr.Cases, runAccountCase(accounts, tc, leads[i], cr))
			continue
		}
		leadCases++
		start := time.Now()
		x, err := scorer.Explain(leads[i].lead, leads[i].asOf)
		cr.Elapsed = time.Since(start)
		if err != nil {
			cr.Status, cr.Error = Error, err.Error()
			fr.Cases = append(fr.Cases, cr)
			continue
		}
		cov.add(x)
		cr.Failures = compare(tc.Expect, x.Result, m.Stages[m.SalesReady].ID)
		cr.Result = x.Result
		cr.Status = Pass
		if len(cr.Failures) > 0 {
			cr.Status = Fail
			cr.Explanation = x
		}
		fr.Cases = append(fr.Cases, cr)
	}
	fr.Coverage = cov
	if leadCases == 0 && accountCases > 0 {
		// Coverage is of the lead model's rules, by lead cases; the
		// account model's is not measured yet.
		fr.Coverage = nil
	}
	return fr
}

// testLead is a case's lead, built from its fixture and its own values;
// for an account case, the account and its people.
type testLead struct {
	lead    scoring.Lead
	asOf    time.Time
	account *scoring.Account
	people  []scoring.Lead
}

// checker checks a test file against its model and builds the leads.
type checker struct {
	tf    *dsl.TestFile
	m     *rules.Model
	diags dsl.Diagnostics
}

func (c *checker) errorf(pos dsl.Pos, format string, args ...any) {
	c.diags = append(c.diags, c.tf.Diag(pos, fmt.Sprintf(format, args...)))
}

func (c *checker) check() []testLead {
	fixtures := map[string]*dsl.Fixture{}
	var fixtureNames []string
	for _, f := range c.tf.Fixtures {
		fixtures[f.Name.Value] = f
		fixtureNames = append(fixtureNames, f.Name.Value)
		c.fields(f.Lead)
		c.events(f.Events)
	}
	var leads []testLead
	for _, tc := range c.tf.Cases {
		asOf := time.Time{}
		switch {
		case tc.AsOf != nil:
			asOf = tc.AsOf.Value
		case c.tf.AsOf != nil:
			asOf = c.tf.AsOf.Value
		default:
			c.errorf(tc.Pos, "case %q has no as-of time; add as_of: to it or at the top of the file", tc.Name.Value)
		}
		if tc.IsAccount {
			leads = append(leads, c.accountCase(tc, fixtures, fixtureNames, asOf))
			continue
		}
		fields, events := c.person(tc.Extends, tc.Lead, tc.Events, fixtures, fixtureNames, asOf)
		c.expect(tc.Expect, c.m, nil)
		id, _ := fields["id"].(string)
		leads = append(leads, testLead{lead: scoring.Lead{ID: id, Fields: fields, Events: events, Dispositions: c.dispositions(tc.Dispositions, asOf)}, asOf: asOf})
	}
	return leads
}

// fields checks lead values against the schema, where they are written.
func (c *checker) fields(values []dsl.FieldValue) {
	var names []string
	for _, f := range c.m.Fields {
		names = append(names, f.Name)
	}
	for _, v := range values {
		if v.Name.Value == "id" {
			continue
		}
		f := c.m.Field(v.Name.Value)
		if f == nil {
			c.errorf(v.Name.Pos, "the model declares no lead field %q%s", v.Name.Value, dsl.DidYouMeanName(v.Name.Value, names, "see fields: in "+c.tf.Model.Value))
			continue
		}
		if v.Value == nil {
			continue
		}
		if _, err := rules.Coerce(f.Type, v.Value); err != nil {
			c.errorf(v.Pos, "lead field %s: %v", f.Name, err)
		}
	}
}

func (c *checker) events(events []*dsl.TestEvent) {
	var names []string
	types := map[string]dsl.FieldType{}
	for _, f := range c.m.EventFields {
		names = append(names, f.Name)
		types[f.Name] = f.Type
	}
	for _, e := range events {
		if known := c.m.EventTypes; len(known) > 0 && e.Type.Value != "" && !slices.Contains(known, e.Type.Value) {
			c.errorf(e.Type.Pos, "unknown event type %q%s", e.Type.Value, dsl.DidYouMeanName(e.Type.Value, known, "see event_types: in "+c.tf.Model.Value))
		}
		for _, v := range e.Fields {
			t, ok := types[v.Name.Value]
			if !ok {
				c.errorf(v.Name.Pos, "the model declares no event field %q%s", v.Name.Value, dsl.DidYouMeanName(v.Name.Value, names, "events have type, at (or ago) and the fields under events: in "+c.tf.Model.Value))
				continue
			}
			if v.Value == nil {
				continue
			}
			if _, err := rules.Coerce(t, v.Value); err != nil {
				c.errorf(v.Pos, "event field %s: %v", v.Name.Value, err)
			}
		}
	}
}

// apply lays a fixture's or a case's values over the lead being built.
func (c *checker) apply(fields map[string]any, events *[]scoring.Event, values []dsl.FieldValue, evs []*dsl.TestEvent, asOf time.Time) {
	for _, v := range values {
		if v.Value == nil {
			delete(fields, v.Name.Value)
		} else {
			fields[v.Name.Value] = v.Value
		}
	}
	for _, e := range evs {
		at := asOf
		if e.At != nil {
			at = e.At.Value
		} else if e.Ago != nil {
			at = asOf.Add(-e.Ago.Value)
		}
		ev := scoring.Event{Type: e.Type.Value, At: at, Fields: map[string]any{}}
		for _, v := range e.Fields {
			ev.Fields[v.Name.Value] = v.Value
		}
		*events = append(*events, ev)
	}
}

// accountCase checks an account case and builds its account and people.
// person builds a lead's fields and events as a case (or one of an
// account case's people) writes them: its fixture's first, then its own.
func (c *checker) person(extends dsl.String, lead []dsl.FieldValue, evs []*dsl.TestEvent, fixtures map[string]*dsl.Fixture, fixtureNames []string, asOf time.Time) (map[string]any, []scoring.Event) {
	fields := map[string]any{}
	var events []scoring.Event
	if name := extends.Value; name != "" {
		if f, ok := fixtures[name]; !ok {
			c.errorf(extends.Pos, "unknown fixture %q%s", name, dsl.DidYouMeanName(name, fixtureNames, "declare it under fixtures"))
		} else {
			c.apply(fields, &events, f.Lead, f.Events, asOf)
		}
	}
	c.fields(lead)
	c.events(evs)
	c.apply(fields, &events, lead, evs, asOf)
	return fields, events
}

func (c *checker) accountCase(tc *dsl.TestCase, fixtures map[string]*dsl.Fixture, fixtureNames []string, asOf time.Time) testLead {
	am := c.m.Accounts
	if am == nil {
		c.errorf(tc.Pos, "case %q scores an account, but %s has no accounts section; add accounts: to the model (see docs/guide/accounts.md)", tc.Name.Value, c.tf.Model.Value)
		return testLead{asOf: asOf}
	}
	fields := map[string]any{}
	var names []string
	for _, f := range am.Model.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			names = append(names, f.Name)
		}
	}
	for _, v := range tc.Account {
		f := am.Model.Field(v.Name.Value)
		if f == nil || strings.HasPrefix(v.Name.Value, "__") {
			c.errorf(v.Name.Pos, "the accounts section declares no account field %q%s", v.Name.Value, dsl.DidYouMeanName(v.Name.Value, names, "see accounts: fields: in "+c.tf.Model.Value))
			continue
		}
		if v.Value == nil {
			continue
		}
		if _, err := rules.Coerce(f.Type, v.Value); err != nil {
			c.errorf(v.Pos, "account field %s: %v", f.Name, err)
			continue
		}
		fields[v.Name.Value] = v.Value
	}
	out := testLead{asOf: asOf, account: &scoring.Account{ID: "account", Fields: fields}}
	seen := map[string]dsl.Pos{}
	for i, p := range tc.People {
		lf, events := c.person(p.Extends, p.Lead, p.Events, fixtures, fixtureNames, asOf)
		id := p.ID.Value
		if id == "" {
			id = fmt.Sprintf("person %d", i+1)
		} else if prev, ok := seen[id]; ok {
			c.errorf(p.ID.Pos, "person %q appears twice in this case (first at %s); give each person its own id", id, prev)
		}
		seen[id] = p.ID.Pos
		out.people = append(out.people, scoring.Lead{ID: id, Fields: lf, Events: events})
	}
	var rollups, roles []string
	for _, r := range am.Rollups {
		rollups = append(rollups, r.ID)
	}
	for _, r := range am.Roles {
		roles = append(roles, r.Name)
	}
	c.expect(tc.Expect, am.Model, rollups)
	for _, r := range tc.Expect.MissingRoles {
		if !slices.Contains(roles, r.Value) {
			c.errorf(r.Pos, "unknown role %q%s", r.Value, dsl.DidYouMeanName(r.Value, roles, "see accounts: roles: in "+c.tf.Model.Value))
		}
	}
	return out
}

// expect checks that what a case expects names things the model has (for
// an account case, the account's model, whose roll-ups are rules too).
func (c *checker) expect(e dsl.Expect, m *rules.Model, rollups []string) {
	if e.Stage != nil && e.Stage.Value != "none" && m.Stage(e.Stage.Value) < 0 {
		var ids []string
		for _, s := range m.Stages {
			ids = append(ids, s.ID)
		}
		c.errorf(e.Stage.Pos, "unknown stage %q%s", e.Stage.Value, dsl.DidYouMeanName(e.Stage.Value, append(ids, "none"), "the stages are "+strings.Join(ids, ", ")+", or none"))
	}
	if e.Grade != nil {
		var grades []string
		for _, g := range m.Grades {
			grades = append(grades, g.Name)
		}
		if !slices.Contains(grades, e.Grade.Value) {
			c.errorf(e.Grade.Pos, "unknown grade %q; the grades are %s", e.Grade.Value, strings.Join(grades, ", "))
		}
	}
	var cats []string
	for _, cat := range m.Categories {
		cats = append(cats, cat.Name)
	}
	for _, s := range e.Scores {
		if m.Category(s.Category.Value) == nil {
			c.errorf(s.Category.Pos, "unknown score category %q%s", s.Category.Value, dsl.DidYouMeanName(s.Category.Value, cats, "the categories are "+strings.Join(cats, ", ")))
		}
	}
	var ids, gates []string
	for _, r := range m.Rules {
		ids = append(ids, r.ID)
	}
	for _, g := range m.Gates {
		ids = append(ids, g.ID)
		gates = append(gates, g.ID)
	}
	ids = append(ids, rollups...)
	for _, id := range append(append([]dsl.String{}, e.Fired...), e.NotFired...) {
		if m.Rule(id.Value) == nil && !slices.Contains(rollups, id.Value) {
			c.errorf(id.Pos, "unknown rule %q%s", id.Value, dsl.DidYouMeanName(id.Value, ids, "see rules: in "+c.tf.Model.Value))
		}
	}
	for _, id := range e.Gates {
		if !slices.Contains(gates, id.Value) {
			c.errorf(id.Pos, "unknown gate %q%s", id.Value, dsl.DidYouMeanName(id.Value, gates, "gates are the rules with disqualify:"))
		}
	}
}

// runAccountCase scores an account case: its people, then the account.
func runAccountCase(s *scoring.AccountScorer, tc *dsl.TestCase, tl testLead, cr CaseResult) CaseResult {
	start := time.Now()
	var people []*scoring.Person
	for _, lead := range tl.people {
		p, err := s.Person(lead, tl.asOf)
		if err != nil {
			cr.Status, cr.Error = Error, err.Error()
			return cr
		}
		p.Matched = "test"
		people = append(people, p)
	}
	r, err := s.ScoreAccount(*tl.account, people, tl.asOf)
	cr.Elapsed = time.Since(start)
	if err != nil {
		cr.Status, cr.Error = Error, err.Error()
		return cr
	}
	am := s.AccountModel().Model
	cr.Failures = compare(tc.Expect, &r.Result, am.Stages[am.SalesReady].ID)
	if tc.Expect.MissingRolesSet {
		var want []string
		for _, role := range tc.Expect.MissingRoles {
			want = append(want, role.Value)
		}
		sort.Strings(want)
		got := slices.Clone(r.Missing)
		sort.Strings(got)
		if strings.Join(want, ",") != strings.Join(got, ",") {
			cr.Failures = append(cr.Failures, fmt.Sprintf("missing_roles: want [%s], got [%s]", strings.Join(want, ", "), strings.Join(got, ", ")))
		}
	}
	cr.Status = Pass
	if len(cr.Failures) > 0 {
		cr.Status = Fail
	}
	return cr
}

// compare lists how the result differs from what the case expects.
func compare(e dsl.Expect, r *scoring.Result, salesReady string) []string {
	var out []string
	fail := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if e.Stage != nil {
		got := r.Stage
		if got == "" {
			got = "none"
		}
		if got != e.Stage.Value {
			fail("stage: want %s, got %s", e.Stage.Value, got)
		}
	}
	if e.SalesReady != nil && e.SalesReady.Value != r.SalesReady {
		fail("sales_ready: want %v, got %v", e.SalesReady.Value, r.SalesReady)
	}
	if e.Grade != nil && e.Grade.Value != r.Grade {
		fail("grade: want %s, got %s", e.Grade.Value, orNone(r.Grade))
	}
	if e.Total != nil && !e.Total.Holds(r.Total) {
		fail("total: want %s, got %s", e.Total, num(r.Total))
	}
	for _, s := range e.Scores {
		if got := r.Score(s.Category.Value); !s.Range.Holds(got) {
			fail("%s: want %s, got %s", s.Category.Value, s.Range, num(got))
		}
	}
	points := map[string]float64{}
	for _, f := range r.Fired {
		points[f.Rule] = f.Points
	}
	for _, id := range e.Fired {
		if !r.Fires(id.Value) {
			fail("fired: want %s to fire; it did not", id.Value)
		}
	}
	for _, id := range e.NotFired {
		if r.Fires(id.Value) {
			if p, ok := points[id.Value]; ok {
				fail("not_fired: want %s not to fire; it gave %s points", id.Value, num(p))
			} else {
				fail("not_fired: want %s not to fire; it disqualified the lead", id.Value)
			}
		}
	}
	if e.Disqualified != nil && e.Disqualified.Value != r.Disqualified {
		fail("disqualified: want %v, got %v", e.Disqualified.Value, r.Disqualified)
	}
	if e.GatesSet {
		var want, got []string
		for _, g := range e.Gates {
			want = append(want, g.Value)
		}
		for _, g := range r.Gates {
			got = append(got, g.Rule)
		}
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(want, ",") != strings.Join(got, ",") {
			fail("gates: want [%s], got [%s]", strings.Join(want, ", "), strings.Join(got, ", "))
		}
	}
	compareVerdict(e, r, salesReady, fail)
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func num(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}

// modelBeside names a rule file for a test file in fsys (its directory) to
// name: the one it named, if a rule file of that name is there, else the
// first rule file there, else model.yaml.
func modelBeside(fsys fs.FS, named string) string {
	entries, _ := fs.ReadDir(fsys, ".")
	var models []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && dsl.IsYAML(n) && !dsl.IsTestFile(n) && isRuleFile(fsys, n) {
			models = append(models, n)
		}
	}
	base := path.Base(strings.ReplaceAll(named, `\`, "/"))
	if slices.Contains(models, base) {
		return base
	}
	if len(models) > 0 {
		return models[0]
	}
	return "model.yaml"
}

// isRuleFile reports whether a file starts a line with leadscore:, as rule
// files do (test files do not); only its first kilobytes are read.
func isRuleFile(fsys fs.FS, name string) bool {
	f, err := fsys.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4<<10)
	n, _ := io.ReadFull(f, head)
	text := "\n" + string(head[:n])
	return strings.Contains(text, "\nleadscore:")
}
