package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/idset"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/internal/suggest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/review"
)

func runDiff(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return diffAs(commandLine("diff"), args, stdout, stderr)
}

// diffAs runs diff for c: its messages name c's flags.
func diffAs(c caller, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	maxRow := maxRowFlag(fs)
	leads := fs.String("leads", "", "leads to measure the change on (NDJSON, or CSV with --events)")
	events := fs.String("events", "", "CSV events file for CSV leads")
	noEvents := noEventsFlag(fs)
	in := fs.String("in", "", "leads format, ndjson or csv; default: from the file name")
	at := fs.String("at", "", "score as of this time (2026-10-01 or RFC 3339); default: now")
	format := fs.String("format", "markdown", "report format: markdown (to paste into a pull request), json, or html (one page with charts, for a meeting)")
	top := fs.Int("top", 10, "how many leads to list as starting or stopping to be sales-ready")
	show := fs.String("show", "", "with --leads, the lead fields to list beside each lead that starts or stops being sales-ready,\ncomma-separated (default: those of company, company.name, account, title, job_title and owner the model declares)")
	outcomesFile := fs.String("outcomes", "", "with --leads, CRM outcomes (lead_id, opportunity, won, revenue): what became of each listed lead")
	currency := currencyFlag(fs)
	backtestAt := fs.String("backtest-at", "", "with --leads and --outcomes, backtest both versions side by side: the leads as they stood at this snapshot (T0),\njudged by what happened after it (AUC, precision and recall, hand-offs, missed revenue; JSON backtest and backtest_proposed)")
	until := fs.String("until", "", "with --backtest-at, the end of the outcome window (T1)")
	capacity := fs.String("capacity", "", "with --backtest-at, what sales can work (40/week): each version at the threshold that fits it, at equal volume")
	accountsFile := fs.String("accounts", "", "with --leads, an accounts file (NDJSON or CSV): what the change does to the accounts too, their people the leads\n(both versions need an accounts section; JSON account_impact)")
	createdField := fs.String("created-field", "created_at", "with --accounts, the lead field that holds when the lead was created: a lead created after the as-of\ntime is not yet one of its account's people (without the field, from its first event); with --backtest-at,\nthe leads created after T0 are left out")
	strict := strictDataFlag(fs)
	sourceFile := sourceFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore diff OLD NEW [--format markdown|json|html] [--top N]")
		fmt.Fprintln(stderr, "       leadscore diff OLD NEW --leads LEADS.ndjson [--at TIME] [--strict-data] [flags]")
		fmt.Fprintln(stderr, "       leadscore diff OLD NEW --leads LEADS.csv [--events EVENTS.csv] [--at TIME] [flags]")
		fmt.Fprintln(stderr, "       leadscore diff OLD NEW --leads LEADS.ndjson --accounts ACCOUNTS.ndjson [--at TIME] [flags]")
		fmt.Fprintln(stderr, "\nA review report of two versions of a model: the rule changes, with the team that owns")
		fmt.Fprintln(stderr, "each, and, with --leads, what the change does to those leads. OLD and NEW are rule files")
		fmt.Fprintln(stderr, "or git revisions of one, as REV:PATH (main:rules/b2b.yaml, HEAD~1:rules/b2b.yaml).")
		fmt.Fprintln(stderr, "Exit status: 0 report written, 1 some leads could not be scored (each named on stderr), 2 the run could not start.")
		fs.PrintDefaults()
	}
	specs, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, c.name+": "+format+"\n", a...)
		return exitUsage
	}
	if *leads == "" && (*show != "" || *outcomesFile != "") {
		return fail("--show and --outcomes describe the leads a change moves; give the leads with --leads")
	}
	if *accountsFile != "" && *leads == "" {
		return fail("--accounts measures the change on accounts, whose people are leads; give the leads with --leads")
	}
	if flagSet(fs, "created-field") && *accountsFile == "" && *backtestAt == "" {
		return fail("%s goes with %s (when a lead joins its account's people) or %s (the leads created after T0 are left out)", c.flag("created-field"), c.flag("accounts"), c.flag("backtest-at"))
	}
	if *backtestAt != "" && (*leads == "" || *outcomesFile == "") {
		return fail("--backtest-at backtests both versions on leads and what became of them: give --leads and --outcomes")
	}
	if *backtestAt == "" && (*until != "" || *capacity != "") {
		return fail("--until and --capacity go with --backtest-at")
	}
	if len(specs) != 2 {
		return fail("give two versions of the model, OLD and NEW (files or REV:PATH)")
	}
	if *format != "markdown" && *format != "json" && *format != "html" {
		return fail("unknown %s %q; use markdown, json or html", c.flag("format"), *format)
	}
	asOf, err := asOfTime(c.flag("at"), *at)
	if err != nil {
		return fail("%v", err)
	}
	var models [2]*rules.Model
	var paths [2]string
	for i, spec := range specs {
		path, cleanup, shown, err := materialize(spec)
		paths[i] = path
		if err != nil {
			return fail("%s: %v", spec, err)
		}
		defer cleanup()
		var problems strings.Builder
		if models[i], _ = compileModel(path, &problems); models[i] == nil {
			fmt.Fprint(stderr, shown(problems.String()))
			return fail("%s does not compile", spec)
		}
	}
	for i, m := range models {
		if *accountsFile == "" && *backtestAt == "" {
			break
		}
		if err := checkCreatedField(c, m, *createdField, flagSet(fs, "created-field")); err != nil {
			return fail("%s: %v", specs[i], err)
		}
	}
	old, new := models[0], models[1]
	changes := review.Compare(old, new)
	rep := &review.Report{Model: new.Name, Old: specs[0], New: specs[1], AsOf: asOf, Changes: changes, SignOff: review.SignOff(changes)}

	accountLeadsFailed := 0 // leads the account impact could not score (named on stderr)
	unusedEvents := 0       // events rows whose lead no lead row has
	if *leads != "" {
		newScorer, oldScorer := scorerFor(new, *strict), scoring.New(old, scoring.WithUnknownData(scoring.IgnoreUnknown))
		if *accountsFile != "" {
			// The created field decides who is one of an account's people:
			// it is no unknown data of the leads then.
			newScorer = scoring.New(new, scoring.WithUnknownData(newScorer.UnknownData()), scoring.WithCreatedField(*createdField))
		}
		var unknown scoring.UnknownTally
		opts := leadfile.Options{Scorer: newScorer, MaxRow: maxRow.n, NoEvents: *noEvents}
		closeLeads, err := openLeadsVia(&opts, *leads, *in, *events, *sourceFile, stderr)
		defer closeLeads()
		if err != nil {
			return fail("%v", err)
		}
		im := newImpact(old, new, review.ChangedStages(changes))
		if im.Show, err = showFields(new, *show); err != nil {
			return fail("%v", err)
		}
		var outcomes map[string]attribution.Outcome
		if *outcomesFile != "" {
			if _, err := readOutcomes(*outcomesFile, &outcomes, stderr); err != nil {
				return fail("--outcomes: %v", err)
			}
		}
		// The leads' messages, so that the account impact does not repeat
		// one about the same lead.
		shown := map[string]bool{}
		opts.OnError = func(e leadfile.RowError) { // only events rows: lead rows fail through Read
			fmt.Fprintln(stderr, e)
			shown[e.Error()] = true
			if errors.Is(e.Err, leadfile.ErrNoLeadForEvent) { // no lead: not one that "could not be scored"
				unusedEvents++
			}
		}
		// A lead given twice fails its second row, as backtest and feedback
		// fail it: counted twice, it would move the figures twice.
		var ids idset.Set
		var firstLine []int
		err = leadfile.Read(opts, func(line int, lead scoring.Lead, err error) error {
			var o, n *scoring.Result
			if err == nil {
				if k, added, ferr := ids.FindOrAdd(lead.ID); ferr != nil {
					err = ferr
				} else if !added {
					err = fmt.Errorf("lead %s appears twice (first at line %d); give each lead one row", lead.ID, firstLine[k])
				} else {
					firstLine = append(firstLine, line)
				}
			}
			if err == nil {
				o, err = oldScorer.Score(lead, asOf)
			}
			if err == nil {
				n, err = newScorer.Score(lead, asOf)
			}
			var ue *scoring.UnknownDataError
			if errors.As(err, &ue) {
				unknown.Add(ue.Unknown)
			} else if n != nil {
				unknown.Add(n.Unknown)
			}
			if err != nil {
				im.Failed++
				msg := fmt.Sprintf("%s:%d: %v", *leads, line, err)
				fmt.Fprintln(stderr, msg)
				shown[msg] = true
				return nil
			}
			im.AddWith(line, o, n, lead.Fields)
			return nil
		})
		if err != nil {
			return fail("%v", err)
		}
		im.Finish()
		if outcomes != nil {
			im.SetOutcome(func(id string) string { return outcomeWords(outcomes[id]) })
		}
		rep.Impact, rep.LeadsFile, rep.Unknown = im, *leads, unknown.Lines()
		writeUnknown(stderr, unknown)
		if *accountsFile != "" {
			aim, aleads, leadsFailed, err := accountImpact(models, accountDiff{accountsFile: *accountsFile, leads: *leads, in: *in, events: *events, source: *sourceFile,
				specs: [2]string{specs[0], specs[1]}, shown: shown, createdField: *createdField, strict: *strict, noEvents: *noEvents, maxRow: maxRow.n, asOf: asOf}, changes, stderr)
			if err != nil {
				return fail("%v", err)
			}
			rep.AccountImpact, rep.AccountsFile = &review.AccountImpact{Impact: aim, Leads: aleads}, *accountsFile
			accountLeadsFailed = leadsFailed
		}
	}
	// Both versions backtested on the same leads and outcomes, as report
	// does with --proposed: backtest's own code, its messages naming
	// diff's flags.
	var bt [2]*backtest.Report
	btStatus := exitOK
	if *backtestAt != "" {
		part := partOf(strings.TrimPrefix(c.name, "leadscore "), "backtest", map[string]string{"at": "backtest-at", "model": "", "format": "", "band-width": "", "on": "", "history": "",
			"suggest": "", "o": "", "reference": "", "reference-events": "", "reference-at": "", "min-won": "", "every": "", "from": "", "dispositions": ""})
		for i := range paths {
			args := []string{"--model", paths[i], "--at", *backtestAt, "--outcomes", *outcomesFile, "--leads", *leads, "--format", "json"}
			args = appendSet(args, "--until", *until, "--capacity", *capacity, "--events", *events, "--source", *sourceFile, "--in", *in)
			if flagSet(fs, "created-field") {
				args = append(args, "--created-field", *createdField)
			}
			// The leads are read as the impact part reads them.
			args = append(args, "--max-row", maxRow.String())
			if *strict {
				args = append(args, "--strict-data")
			}
			if *noEvents {
				args = append(args, "--no-events")
			}
			var out bytes.Buffer
			code := backtestAs(part, args, &out, stderr)
			if code == exitUsage {
				return fail("the backtest of %s could not run (the reason is above)", specs[i])
			}
			btStatus = max(btStatus, code)
			bt[i] = &backtest.Report{}
			if err := json.Unmarshal(out.Bytes(), bt[i]); err != nil {
				return fail("reading the backtest of %s: %v", specs[i], err)
			}
		}
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(struct {
			*review.Report
			Backtest         *backtest.Report `json:"backtest,omitempty"`
			BacktestProposed *backtest.Report `json:"backtest_proposed,omitempty"`
		}{rep, bt[0], bt[1]})
	case "html":
		summary := summaryOf(htmlreport.ReviewSummary(rep, ""))
		sections := []htmlreport.Section{htmlreport.ReviewSection(rep, "", *top)}
		if sec := htmlreport.AccountReviewSection(rep, "", *top); sec != nil {
			sections = append(sections, *sec)
		}
		if bt[0] != nil {
			summary.Add(htmlreport.ProposedSummary(bt[0], bt[1], "backtest.", "backtest_proposed."))
			sections = append(sections, htmlreport.ComparisonSection(bt[0], bt[1], "backtest.", "backtest_proposed."))
		}
		err = writeHTML(stdout, "Rule review: "+rep.Model, rep.Old+" → "+rep.New, *currency, summary, sections...)
	default:
		err = rep.WriteMarkdown(stdout, *top)
		if err == nil && bt[0] != nil {
			err = writeBacktestsMarkdown(stdout, bt[0], bt[1])
		}
	}
	if err != nil {
		return fail("%v", err)
	}
	if unusedEvents > 0 {
		fmt.Fprintf(stderr, "%s name a lead_id no lead row has; they were not used\n", countOf(unusedEvents, "event row"))
	}
	if rep.Impact != nil && rep.Impact.Failed > 0 || rep.AccountImpact != nil && rep.AccountImpact.Impact.Failed > 0 || accountLeadsFailed > 0 || btStatus == exitProblem || unusedEvents > 0 {
		return exitProblem
	}
	return exitOK
}

// writeBacktestsMarkdown puts the two versions' backtests side by side
// under the review: the measures the pull request's reviewers decide on.
func writeBacktestsMarkdown(w io.Writer, cur, prop *backtest.Report) error {
	iv := func(v *float64, i *backtest.Interval, pct bool) string {
		if v == nil {
			return "—"
		}
		f := func(x float64) string { return numfmt.Float(x, 'f', 3) }
		if pct {
			f = func(x float64) string { return numfmt.Float(100*x, 'f', 1) + "%" }
		}
		if i == nil {
			return f(*v)
		}
		return f(*v) + " (95%: " + f(i.Low) + " to " + f(i.High) + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Backtested: both versions at %s\n\n", cur.At.Format("2006-01-02"))
	window := "after the snapshot"
	if cur.Until != nil {
		window = "from the snapshot to " + cur.Until.Format("2006-01-02")
	}
	fmt.Fprintf(&b, "The same %s, judged by the %s won %s.\n\n", numfmt.Count(cur.Leads.InBacktest, "lead"), numfmt.Count(cur.Won, "deal"), window)
	b.WriteString("| measure | current | proposed |\n|---|---:|---:|\n")
	row := func(name, a, b2 string) { fmt.Fprintf(&b, "| %s | %s | %s |\n", name, a, b2) }
	row("AUC", iv(cur.AUC, cur.AUCInterval, false), iv(prop.AUC, prop.AUCInterval, false))
	row("sales-ready leads", numfmt.Thousands(cur.SalesReady.Leads), numfmt.Thousands(prop.SalesReady.Leads))
	row("of them, won", numfmt.Thousands(cur.SalesReady.Won), numfmt.Thousands(prop.SalesReady.Won))
	row("precision", iv(cur.SalesReady.Precision, cur.SalesReady.PrecisionInterval, true), iv(prop.SalesReady.Precision, prop.SalesReady.PrecisionInterval, true))
	row("recall", iv(cur.SalesReady.Recall, cur.SalesReady.RecallInterval, true), iv(prop.SalesReady.Recall, prop.SalesReady.RecallInterval, true))
	row("won revenue missed", numfmt.Group(numfmt.Float(cur.SalesReady.MissedRevenue, 'f', 0)), numfmt.Group(numfmt.Float(prop.SalesReady.MissedRevenue, 'f', 0)))
	if cc, pc := cur.Capacity, prop.Capacity; cc != nil && pc != nil {
		per := func(v *float64, i *backtest.Interval) string {
			if v == nil {
				return "—"
			}
			f := func(x float64) string { return numfmt.Float(x, 'f', 2) }
			if i == nil {
				return f(*v)
			}
			return f(*v) + " (95%: " + f(i.Low) + " to " + f(i.High) + ")"
		}
		th := func(c *backtest.CapacityReport) string {
			if c.Threshold == nil {
				return "—"
			}
			return c.On + " ≥ " + numfmt.Float(*c.Threshold, 'f', -1)
		}
		recall := func(c *backtest.CapacityReport) string {
			if c.At == nil {
				return "—"
			}
			return iv(c.At.Recall, nil, true)
		}
		row("hand-offs a "+cc.Unit+" (capacity "+numfmt.Float(cc.Capacity, 'f', -1)+")", per(cc.Current.PerPeriod, cc.Current.PerPeriodInterval), per(pc.Current.PerPeriod, pc.Current.PerPeriodInterval))
		row("threshold that fits capacity", th(cc), th(pc))
		row("recall at that threshold", recall(cc), recall(pc))
	}
	b.WriteString("\nBoth are scored on the same leads, so their intervals are not independent and this table does not test the difference: decide on volume and recall as much as on AUC.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// materialize returns a path to the rule file a spec names: the file
// itself, or, for REV:PATH, the file as it was at that git revision,
// extracted with its directory (for its includes) into a temporary one.
func materialize(spec string) (path string, cleanup func(), shown func(string) string, err error) {
	noop, same := func() {}, func(s string) string { return s }
	if _, err := os.Stat(spec); err == nil {
		return spec, noop, same, nil
	}
	rev, path, ok := strings.Cut(spec, ":")
	if !ok || rev == "" || path == "" {
		return "", noop, same, fmt.Errorf("no such file; name a rule file, or a git revision of one as REV:PATH")
	}
	out, err := git("rev-parse", "--show-toplevel")
	if err != nil {
		return "", noop, same, fmt.Errorf("not in a git repository, so %q cannot name a revision: %v", rev, err)
	}
	top := strings.TrimSpace(string(out))
	// As in git: REV:PATH is from the top of the repository, REV:./PATH
	// and REV:../PATH from the current directory.
	abs := filepath.Join(top, filepath.FromSlash(path))
	if strings.HasPrefix(path, "./") || strings.HasPrefix(path, "../") {
		cwd, err := os.Getwd()
		if err != nil {
			return "", noop, same, err
		}
		if cwd, err = filepath.EvalSymlinks(cwd); err != nil {
			return "", noop, same, err
		}
		abs = filepath.Join(cwd, filepath.FromSlash(path))
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", noop, same, fmt.Errorf("%s is outside the git repository", path)
	}
	rel = filepath.ToSlash(rel)
	dir := filepath.ToSlash(filepath.Dir(rel))
	archive, err := git("-C", top, "archive", "--format=tar", rev, "--", dir)
	if err != nil {
		return "", noop, same, fmt.Errorf("git cannot give %s at %s: %v", dir, rev, err)
	}
	tmp, err := os.MkdirTemp("", "leadscore-diff-")
	if err != nil {
		return "", noop, same, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	if err := untar(archive, tmp); err != nil {
		cleanup()
		return "", noop, same, err
	}
	file := filepath.Join(tmp, filepath.FromSlash(rel))
	if _, err := os.Stat(file); err != nil {
		cleanup()
		return "", noop, same, fmt.Errorf("%s does not exist at %s (a path after the colon is from the top of the repository; ./%s is from here)", rel, rev, path)
	}
	// Messages name the files as the user did: REV:PATH, not the copy.
	shown = func(s string) string {
		return strings.ReplaceAll(s, tmp+string(filepath.Separator), rev+":")
	}
	return file, cleanup, shown, nil
}

func git(args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("git", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%s", msg)
		}
		return nil, err
	}
	return out, nil
}

// untar extracts regular files from a tar archive into dir, refusing paths
// that would leave it.
func untar(data []byte, dir string) error {
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("the archive holds a path outside its directory: %s", h.Name)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		f, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, io.LimitReader(tr, dsl.MaxFileSize+1)); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
}

// showFields is the fields diff lists beside each lead that starts or
// stops being sales-ready: those named (comma-separated), each one the
// model declares, or by default the ones sales knows a lead by that the
// model declares.
func showFields(m *rules.Model, named string) ([]string, error) {
	var out []string
	if named == "" {
		for _, f := range []string{"company", "company.name", "account", "account.name", "title", "job_title", "owner"} {
			if m.Field(f) != nil {
				out = append(out, f)
			}
		}
		return out, nil
	}
	var declared []string
	for _, f := range m.Fields {
		declared = append(declared, f.Name)
	}
	for _, f := range strings.Split(named, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if m.Field(f) == nil {
			hint := "name fields the model declares under fields"
			if s := suggest.Name(f, declared); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			return nil, fmt.Errorf("--show %s: the model declares no field %q; %s", named, f, hint)
		}
		out = append(out, f)
	}
	return out, nil
}

// outcomeWords says what the CRM says became of a lead, with its date
// (before or after the as-of time): won (with its revenue), lost, an
// opportunity still open, or nothing ("").
func outcomeWords(o attribution.Outcome) string {
	switch {
	case !o.Won.IsZero():
		return "won " + numfmt.Thousands(int(math.Round(o.Revenue))) + " on " + o.Won.Format("2006-01-02")
	case !o.Lost.IsZero():
		return "lost on " + o.Lost.Format("2006-01-02")
	case !o.Opportunity.IsZero():
		return "opportunity since " + o.Opportunity.Format("2006-01-02")
	}
	return ""
}

// newImpact starts the impact of a change from old to new: the new
// model's stage ladder, then the stages only the old one has; the total
// and the new model's categories; changed are the stages whose condition
// the change rewrote.
func newImpact(old, new *rules.Model, changed map[string]bool) *review.Impact {
	var stages []string
	for _, s := range new.Stages {
		stages = append(stages, s.ID)
	}
	for _, s := range old.Stages {
		if new.Stage(s.ID) < 0 {
			stages = append(stages, s.ID)
		}
	}
	names := []string{"total"}
	for _, c := range new.Categories {
		names = append(names, c.Name)
	}
	im := review.NewImpact(stages, names, changed)
	im.NewStages = len(new.Stages)
	return im
}
