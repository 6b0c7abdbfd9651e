package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func runAttribute(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return attributeAs(commandLine("attribute"), args, stdout, stderr)
}

// attributeAs runs attribute for c: its messages name c's flags.
func attributeAs(c caller, args []string, stdout, stderr io.Writer) (code int) {
	fs := flag.NewFlagSet("attribute", flag.ContinueOnError)
	maxRow := maxRowFlag(fs)
	journeysFile := fs.String("journeys", "", "journeys: NDJSON, or CSV with --touches")
	pathsFile := fs.String("paths", "", "aggregated channel paths (path;total_conversions;total_conversion_value;total_null), for data-driven models")
	touchesFile := fs.String("touches", "", "CSV touches (journey_id, at, campaign, channel) for CSV journeys")
	strict := strictDataFlag(fs)
	sourceFile := sourceFlag(fs)
	leadsFile := fs.String("leads", "", "leads with their events (NDJSON, or CSV with --events), scored with --model to find when each became sales-ready")
	events := fs.String("events", "", "CSV events file for CSV leads")
	noEvents := noEventsFlag(fs)
	model := fs.String("model", "", "rule file, with --leads")
	dispositionsFile := fs.String("dispositions", "", "sales' verdicts for --leads (CSV: lead_id, at, status, reason): recycles and holds shape the\ntimelines, and an acceptance is the sales_accepted milestone (w_shaped:sales_accepted, custom:...,sales_accepted=0.3)")
	outcomesFile := fs.String("outcomes", "", "CRM outcomes for --leads: CSV with lead_id, opportunity, won (times) and revenue")
	createdField := fs.String("created-field", "created_at", "the lead field that holds when the lead was created, with --leads")
	campaignField := fs.String("campaign-field", "campaign", "the event field that names a touch's campaign, with --leads (an event field the model declares)")
	channelField := fs.String("channel-field", "channel", "the event field that names a touch's channel, with --leads (an event field the model declares)")
	at := fs.String("at", "", "score timelines as of this time, with --leads; default: now")
	costsFile := fs.String("costs", "", "campaign costs: CSV with campaign and cost")
	models := fs.String("models", attribution.DefaultJourneyModels, "attribution models, side by side (see below)")
	lookback := fs.String("lookback", "", "ignore touches longer than this before the conversion (such as 90d)")
	conversion := fs.String("conversion", "won", "the milestone that counts as the conversion")
	format := fs.String("format", "table", "report format: table, markdown, csv, json, or html (one page with charts; not with --paths)")
	journeysOut := fs.String("journeys-out", "", "also write the journeys built from --leads to this file, as NDJSON")
	creditOut := fs.String("credit-out", "", "also write each touch's credit under each model to this file, as CSV (id, position, campaign, channel,\nmodel, conversions, value; exact decimals that sum to the report): per journey, or per distinct path")
	transitionsOut := fs.String("transitions-out", "", "also write each Markov model's transitions (from, to, count, probability) and removal effects\nto this file, as CSV")
	delimiter := fs.String("delimiter", ";", "with --paths: the character between columns (such as ',' or tab)")
	separator := fs.String("path-separator", ">", "with --paths: what separates the channels of a path")
	columns := fs.String("columns", "", "with --paths: the header's column names when they differ from ChannelAttribution's, such as\npath=journey,conversions=conv,value=revenue,null=lost (any order; columns are found by name, never by position:\na header without the path or conversions column stops the run, with a did-you-mean; no value or null column is\nsaid in a note)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore attribute --leads LEADS --model FILE --outcomes FILE [--at TIME] [--costs FILE] [flags]")
		fmt.Fprintln(stderr, "       leadscore attribute --journeys FILE [--touches FILE] [--costs FILE] [flags]")
		fmt.Fprintln(stderr, "       leadscore attribute --paths FILE [--models ...] [--format ...]")
		fmt.Fprintln(stderr, "\nCredits campaigns and channels with the conversions and revenue of the journeys, under")
		fmt.Fprintln(stderr, "several models side by side, with cost, ROI and ROAS, the funnel and velocity.")
		fmt.Fprintln(stderr, "Models: "+strings.Join(attribution.ModelNames, ", ")+"; settings after a colon:")
		fmt.Fprintln(stderr, "time_decay:14d, position_based:40/40, last_non_direct:direct,organic, w_shaped:opportunity,")
		fmt.Fprintln(stderr, "custom:first_touch=0.5,sales_ready=0.3,between=0.2. Separate models with ';' when a setting has a comma.")
		fmt.Fprintln(stderr, "With --paths, also markov:K (a Markov chain of order K, exact removal effects; markov:K:conv shares")
		fmt.Fprintln(stderr, "value by the conversion removal effect; markov:K:nonull ignores nulls, for when non-conversions are")
		fmt.Fprintln(stderr, "unknown), markov:auto (the order with the best held-out AUC of predicting conversion, or a lower")
		fmt.Fprintln(stderr, "one within a standard error; the report lists the candidates) and shapley (simplified Shapley value).")
		fmt.Fprintln(stderr, "A --paths file may hold at most 255 distinct channels, counted over the whole file: a path that brings")
		fmt.Fprintln(stderr, "more fails alone (exit 1); group rare channels into fewer, or split the file. Each model is listed once;")
		fmt.Fprintln(stderr, "one with settings is named with them (time_decay:30d). Output files must not be inputs.")
		fmt.Fprintln(stderr, "With --leads, an event is a campaign touch when it carries the event field named by --campaign-field")
		fmt.Fprintln(stderr, "or --channel-field (campaign and channel by default); the model must declare both under events.")
		fmt.Fprintln(stderr, "Exit status: 0 report written, 1 some rows failed (each named on stderr), 2 the run could not start.")
		fs.PrintDefaults()
	}
	if _, code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, c.name+": "+format+"\n", a...)
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	inputs := []namedFile{{"--journeys", *journeysFile}, {"--touches", *touchesFile}, {"--leads", *leadsFile}, {"--events", *events},
		{"--model", *model}, {"--dispositions", *dispositionsFile}, {"--outcomes", *outcomesFile}, {"--costs", *costsFile}, {"--paths", *pathsFile}}
	if *pathsFile != "" {
		list := attribution.DefaultPathModels
		if set["models"] {
			list = *models
		}
		specs, err := attribution.SplitModels(list)
		if err != nil {
			return fail("%v", err)
		}
		switch *format {
		case "table", "markdown", "csv", "json":
		case "html":
			return fail("--format html is not available with --paths: its charts need journeys (--journeys or --leads); use table, markdown, csv or json")
		default:
			return fail("unknown --format %q; use table, markdown, csv or json (html only with --journeys or --leads)", *format)
		}
		pf, err := pathFormat(*delimiter, *separator, *columns)
		if err != nil {
			return fail("%v", err)
		}
		if *transitionsOut != "" && !hasMarkov(specs) {
			return fail("--transitions-out writes Markov chains; add one to --models, such as markov:2 or markov:auto")
		}
		if *journeysOut != "" {
			return fail("--journeys-out writes the journeys built from --leads; a --paths file has no journeys to write")
		}
		files, err := createOutputs(inputs, []namedFile{{"--credit-out", *creditOut}, {"--transitions-out", *transitionsOut}})
		if err != nil {
			return fail("%v", err)
		}
		defer files.finish(&code)
		return attributePaths(*pathsFile, pf, specs, *format, files, stdout, stderr)
	}
	for _, name := range []string{"delimiter", "path-separator", "columns"} {
		if set[name] {
			return fail("%s describes a %s file; journeys have their own columns", c.flag(name), c.flag("paths"))
		}
	}
	if (*journeysFile == "") == (*leadsFile == "") {
		return fail("give one of %s, %s (with %s and %s) or %s", c.flag("journeys"), c.flag("leads"), c.flag("model"), c.flag("outcomes"), c.flag("paths"))
	}
	if *leadsFile != "" && *model == "" {
		return fail("%s needs %s, the rule file that says when a lead is sales-ready", c.flag("leads"), c.flag("model"))
	}
	switch *format {
	case "table", "markdown", "csv", "json", "html":
	default:
		return fail("unknown %s %q; use table, markdown, csv, json or html", c.flag("format"), *format)
	}
	var ms []attribution.Model
	var dataDriven []string // markov and shapley credit channels, from the journeys' paths
	specs, err := attribution.SplitModels(*models)
	if err != nil {
		return fail("%v", err)
	}
	for _, spec := range specs {
		if spec == "shapley" || strings.HasPrefix(spec, "markov:") {
			dataDriven = append(dataDriven, spec)
			continue
		}
		m, err := attribution.ParseModel(spec)
		if err != nil {
			return fail("%s: %v", c.flag("models"), err)
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		ms = []attribution.Model{attribution.LinearModel{}} // the campaign report needs one rule-based model
	}
	opts := attribution.Options{Conversion: *conversion}
	if *lookback != "" {
		d, err := dsl.ParseDuration(*lookback)
		if err != nil {
			return fail("%s: %v", c.flag("lookback"), err)
		}
		opts.Lookback = d
	}
	if *transitionsOut != "" && !hasMarkov(dataDriven) {
		return fail("%s writes Markov chains; add one to %s, such as markov:2 or markov:auto", c.flag("transitions-out"), c.flag("models"))
	}
	for i := range inputs {
		inputs[i].flag = c.flag(strings.TrimPrefix(inputs[i].flag, "--"))
	}
	files, err := createOutputs(inputs, []namedFile{{c.flag("credit-out"), *creditOut}, {c.flag("transitions-out"), *transitionsOut}, {c.flag("journeys-out"), *journeysOut}})
	if err != nil {
		return fail("%v", err)
	}
	defer files.finish(&code)
	problems := 0 // rows of costs and outcomes that failed
	costs := attribution.Costs{}
	if *costsFile != "" {
		f, err := os.Open(*costsFile)
		if err != nil {
			return fail("%v", err)
		}
		var n attribution.Counts
		costs, n, err = attribution.ReadCosts(f, func(line int, err error) {
			fmt.Fprintf(stderr, "%s:%d: %v\n", *costsFile, line, err)
		})
		f.Close()
		if err != nil {
			return fail("%s: %v", *costsFile, err)
		}
		if n.Failed > 0 {
			fmt.Fprintf(stderr, "%s: %d cost rows: %d read, %d failed; the campaigns of the failed rows have no cost in this report; fix the rows and run again\n",
				*costsFile, n.Rows, n.Read, n.Failed)
			problems += n.Failed
		}
	}
	rep := attribution.NewReport(ms, opts, costs)
	var credit *attribution.CreditWriter
	if files.credit != nil {
		credit = attribution.NewCreditWriter(files.credit, ms, opts)
	}
	var paths []*attribution.Journey // for the data-driven models
	read, failed, leftOut := 0, 0, 0
	var out *json.Encoder
	if files.journeys != nil {
		out = json.NewEncoder(files.journeys)
	}
	add := func(file string, line int, j *attribution.Journey, err error) error {
		if err != nil {
			read += attribution.RowsLost(err)
			failed += attribution.RowsLost(err)
			fmt.Fprintf(stderr, "%s:%d: %v\n", file, line, err)
			return nil
		}
		read++
		rep.Add(j)
		if credit != nil {
			if err := credit.Add(j); err != nil {
				return err
			}
		}
		if len(dataDriven) > 0 {
			paths = append(paths, j)
		}
		if out != nil {
			return out.Encode(j)
		}
		return nil
	}

	if *journeysFile != "" {
		err = readJourneys(*journeysFile, *touchesFile, add)
	} else {
		asOf, aerr := asOfTime(c.flag("at"), *at)
		if aerr != nil {
			return fail("%v", aerr)
		}
		scorer, code := loadScorer(*model, stderr)
		if scorer == nil {
			return code
		}
		if err := checkTouchFields(c, scorer, *model, *campaignField, *channelField); err != nil {
			return fail("%v", err)
		}
		if err := checkCreatedField(c, scorer.Model(), *createdField, flagSet(fs, "created-field")); err != nil {
			return fail("%v", err)
		}
		tf := &touchFields{campaign: *campaignField, channel: *channelField}
		outcomes := map[string]attribution.Outcome{}
		if *outcomesFile != "" {
			n, err := readOutcomes(*outcomesFile, &outcomes, stderr)
			if err != nil {
				return fail("%s: %v", *outcomesFile, err)
			}
			problems += n.Failed
		}
		var verdicts *feedback.Set
		if *dispositionsFile != "" {
			set, n, code := readDispositions(*dispositionsFile, scorer.Model(), maxRow.n, stderr)
			if set == nil {
				return code
			}
			verdicts = set
			problems += n.Failed
		}
		csvLeads := *sourceFile != "" || strings.EqualFold(filepath.Ext(*leadsFile), ".csv")
		if csvLeads && *events == "" && !*noEvents {
			return fail("%s: CSV leads carry no events, and a lead's events are its campaign touches, so every conversion would go to \"(no touch)\"; give the events file that goes with them (%s EVENTS.csv), or, if these leads truly have none, say so (%s)",
				*leadsFile, c.flag("events"), c.flag("no-events"))
		}
		lopts := leadfile.Options{Scorer: scorer, MaxRow: maxRow.n, NoEvents: *noEvents}
		closeLeads, oerr := openLeadsVia(&lopts, *leadsFile, "", *events, *sourceFile, stderr)
		defer closeLeads()
		if oerr != nil {
			return fail("%v", oerr)
		}
		var unknown scoring.UnknownTally
		cut := &asOfCut{}
		lopts.OnError = func(e leadfile.RowError) {
			fmt.Fprintln(stderr, e)
			problems++
		}
		err = leadfile.Read(lopts, func(line int, lead scoring.Lead, err error) error {
			var j *attribution.Journey
			if err == nil {
				us := scorer.Unknown(lead)
				unknown.Add(us)
				if len(us) > 0 && *strict {
					err = &scoring.UnknownDataError{Unknown: us}
				}
			}
			if err == nil {
				lead.Dispositions = append(lead.Dispositions, verdicts.For(lead.ID)...)
				j, err = leadJourney(scorer, lead, asOf, *createdField, tf, outcomes, cut)
				if err == nil && j == nil {
					return nil // created after --at
				}
			}
			return add(*leadsFile, line, j, err)
		})
		leftOut = cut.notCreated
		if n := cut.note(asOf); n != "" && err == nil {
			fmt.Fprintf(stderr, "%s: %s\n", c.name, n)
			rep.Warnings = append(rep.Warnings, n)
		}
		if err == nil {
			for _, w := range tf.warnings(c) {
				fmt.Fprintf(stderr, "%s: warning: %s\n", c.name, w)
				rep.Warnings = append(rep.Warnings, w)
			}
			for _, line := range unknown.Lines() {
				fmt.Fprintf(stderr, "%s: warning: %s\n", c.name, line)
				rep.Warnings = append(rep.Warnings, line+" (the model does not declare it, so no rule read it)")
			}
		}
	}
	if err != nil {
		return fail("%v", err)
	}
	rep.Finish()
	var channels *attribution.ChannelReport
	if len(dataDriven) > 0 {
		p, err := attribution.PathsOf(paths, opts)
		if err != nil {
			return fail("%v", err)
		}
		if channels, err = attribution.RunPaths(p, dataDriven, 0); err != nil {
			return fail("%s: %v", c.flag("models"), err)
		}
		if files.transitions != nil {
			if err := files.write(files.transitions, channels.WriteTransitions); err != nil {
				return fail("--transitions-out: %v", err)
			}
		}
		if credit != nil {
			if err := credit.AddPaths(channels); err != nil {
				return fail("%s: %v", c.flag("credit-out"), err)
			}
		}
		// In every format, and on stderr: the data-driven totals are smaller
		// than the journeys' for a reason the reader must see.
		if msg := channels.NoteUncredited(rep); msg != "" {
			fmt.Fprintf(stderr, "%s: warning: %s\n", c.name, msg)
		}
	}
	if credit != nil {
		if err := credit.Flush(); err != nil {
			return fail("%s: %v", c.flag("credit-out"), err)
		}
	}
	if err := files.closeAll(); err != nil {
		return fail("%v", err)
	}
	switch *format {
	case "markdown":
		err = rep.WriteMarkdown(stdout)
		if err == nil && channels != nil {
			err = channels.WriteMarkdown(stdout)
		}
	case "csv":
		err = rep.WriteCSV(stdout)
		if err == nil && channels != nil {
			fmt.Fprintln(stdout)
			err = channels.WriteCSV(stdout)
		}
	case "html":
		sections := htmlreport.AttributionSections(rep, "")
		if channels != nil {
			sections = append(sections, htmlreport.ChannelsSection(channels, "data_driven."))
		}
		err = writeHTML(stdout, "Attribution", strings.Join(rep.Models, ", "), sections...)
	case "json":
		err = json.NewEncoder(stdout).Encode(struct {
			*attribution.Report
			DataDriven *attribution.ChannelReport `json:"data_driven,omitempty"`
		}{rep, channels})
	default:
		err = rep.WriteText(stdout)
		if err == nil && channels != nil {
			err = channels.WriteText(stdout)
		}
	}
	if err != nil {
		return fail("%v", err)
	}
	if leftOut > 0 {
		fmt.Fprintf(stderr, "%d lead rows read: %d journeys used, %d created after --at, %d failed\n", read+leftOut, read-failed, leftOut, failed)
	} else {
		fmt.Fprintf(stderr, "%d journeys read: %d used, %d failed\n", read, read-failed, failed)
	}
	if failed > 0 || problems > 0 {
		return exitProblem
	}
	return exitOK
}

// namedFile is a file a flag names.
type namedFile struct{ flag, name string }

// outputFiles are the files attribute writes besides the report, created
// before anything is read.
type outputFiles struct {
	credit, transitions, journeys *os.File
	all                           []*os.File
}

// createOutputs checks and creates the output files before the run, so
// that an output that cannot be written stops it before it starts and an
// input is never overwritten: no output may be an input, or another output.
func createOutputs(inputs, outs []namedFile) (*outputFiles, error) {
	files := &outputFiles{}
	var seen []namedFile
	for _, o := range outs {
		if o.name == "" {
			continue
		}
		for _, other := range append(append([]namedFile(nil), inputs...), seen...) {
			if other.name != "" && samePath(o.name, other.name) {
				return nil, fmt.Errorf("%s %s is also %s: writing it would overwrite that file; give %s another file name", o.flag, o.name, other.flag, o.flag)
			}
		}
		seen = append(seen, o)
	}
	for _, o := range seen {
		f, err := os.Create(o.name)
		if err != nil {
			files.close()
			return nil, fmt.Errorf("%s: cannot create %s (%v); give a file in a folder that exists and that you can write to", o.flag, o.name, errors.Unwrap(err))
		}
		files.all = append(files.all, f)
		switch {
		case strings.HasSuffix(o.flag, "--credit-out"):
			files.credit = f
		case strings.HasSuffix(o.flag, "--transitions-out"):
			files.transitions = f
		case strings.HasSuffix(o.flag, "--journeys-out"):
			files.journeys = f
		}
	}
	return files, nil
}

// samePath reports whether two names are one file, existing or not.
func samePath(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ab
}

// write writes f with fn.
func (o *outputFiles) write(f *os.File, fn func(io.Writer) error) error {
	if err := fn(f); err != nil {
		return fmt.Errorf("%s: %v", f.Name(), err)
	}
	return nil
}

// closeAll closes the files, returning the first error.
func (o *outputFiles) closeAll() error {
	var first error
	for _, f := range o.all {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	o.all = nil
	return first
}

func (o *outputFiles) close() { o.closeAll() }

// finish closes the files and, when the run could not be made (exit status
// 2: a bad header, an unreadable input), removes them, so no empty or partial
// output is left to be mistaken for a result.
func (o *outputFiles) finish(code *int) {
	all := o.all
	o.closeAll()
	if *code == exitUsage {
		for _, f := range all {
			os.Remove(f.Name())
		}
	}
}

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
func attributePaths(name string, pf attribution.PathFormat, specs []string, format string, files *outputFiles, stdout, stderr io.Writer) int {
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

func readJourneys(name, touches string, add func(string, int, *attribution.Journey, error) error) error {
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
		return attribution.ReadCSV(f, tr, fn)
	}
	return attribution.ReadNDJSON(f, fn)
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
		fmt.Fprintf(stderr, "%s: %d outcome rows: %d read, %d failed; the leads of the failed rows count as not won in this report; fix the rows and run again\n", name, n.Rows, n.Read, n.Failed)
	}
	return n, nil
}

// touchFields names the event fields that make an event a campaign touch,
// and counts the events that carry them.
type touchFields struct {
	campaign, channel                 string
	events, withCampaign, withChannel int
}

// checkTouchFields makes sure the model declares the touch fields as
// string event fields, so that a typo in a flag or a model that calls them
// otherwise is caught before any lead is read.
func checkTouchFields(c caller, s *scoring.Scorer, model, campaign, channel string) error {
	m := s.Model()
	var names []string
	for _, f := range m.EventFields {
		names = append(names, f.Name)
	}
	for _, tf := range []struct{ flag, name string }{{c.flag("campaign-field"), campaign}, {c.flag("channel-field"), channel}} {
		var found *rules.Field
		for _, f := range m.EventFields {
			if f.Name == tf.name {
				found = f
			}
		}
		if found == nil {
			declared := "it declares none"
			if len(names) > 0 {
				declared = "it declares " + strings.Join(names, ", ")
			}
			return fmt.Errorf("%s %s: the model %s has no event field %q (%s)%s", tf.flag, tf.name, model, tf.name, declared,
				dsl.DidYouMeanOr(tf.name, names, "name one of its event fields, or declare "+tf.name+" under events in the model"))
		}
		if found.Type != dsl.TypeString {
			return fmt.Errorf("%s %s: the event field %q of the model %s is a %s; touches need a string field", tf.flag, tf.name, tf.name, model, found.Type)
		}
	}
	return nil
}

// warnings says what the counts of events suggest went wrong, naming c's
// flags that would put it right.
func (tf *touchFields) warnings(c caller) []string {
	switch {
	case tf.events == 0:
		return nil
	case tf.withCampaign == 0 && tf.withChannel == 0:
		return []string{fmt.Sprintf("none of the %d events carries a %q or %q field, so no event is a campaign touch and every conversion is credited to %q; name the event fields that hold them with %s and %s",
			tf.events, tf.campaign, tf.channel, attribution.NoTouch, c.flag("campaign-field"), c.flag("channel-field"))}
	case tf.withCampaign == 0:
		return []string{fmt.Sprintf("none of the %d events carries a %q field, so campaigns are named after channels, such as \"(email)\"; name the event field that holds the campaign with %s",
			tf.events, tf.campaign, c.flag("campaign-field"))}
	case tf.withChannel == 0:
		return []string{fmt.Sprintf("none of the %d events carries a %q field, so every touch is on channel \"(none)\"; name the event field that holds the channel with %s",
			tf.events, tf.channel, c.flag("channel-field"))}
	}
	return nil
}

// leadJourney builds a lead's journey: touches from its events' campaign
// and channel fields, lead creation from a field, the sales-ready moment
// from its scoring timeline, opportunity, won and revenue from the CRM.
func leadJourney(s *scoring.Scorer, lead scoring.Lead, asOf time.Time, createdField string, tf *touchFields, outcomes map[string]attribution.Outcome, cut *asOfCut) (*attribution.Journey, error) {
	j := &attribution.Journey{ID: lead.ID, Touches: []attribution.Touch{}, Milestones: map[string]time.Time{}}
	created := time.Time{}
	if fields, ok := lead.Fields.(map[string]any); ok {
		switch v := fields[createdField].(type) {
		case string:
			if t, err := dsl.ParseTime(v); err == nil {
				created = t
			}
		case time.Time:
			created = v
		}
	}
	arrived := created // a lead without a creation time exists from its first event
	if arrived.IsZero() {
		for _, e := range lead.Events {
			if arrived.IsZero() || e.At.Before(arrived) {
				arrived = e.At
			}
		}
	}
	if !arrived.IsZero() && arrived.After(asOf) {
		cut.notCreated++
		return nil, nil // it did not exist yet: nothing after --at counts
	}
	for _, d := range lead.Dispositions {
		if d.At.After(asOf) {
			cut.verdicts++ // the timeline does not see it
		}
	}
	for _, e := range lead.Events {
		if e.At.After(asOf) {
			cut.events++
			continue
		}
		campaign, _ := e.Fields[tf.campaign].(string)
		channel, _ := e.Fields[tf.channel].(string)
		tf.events++
		if campaign != "" {
			tf.withCampaign++
		}
		if channel != "" {
			tf.withChannel++
		}
		if campaign == "" && channel == "" {
			continue // not a marketing touch
		}
		if channel == "" {
			channel = "(none)"
		}
		if campaign == "" {
			campaign = "(" + channel + ")"
		}
		j.Touches = append(j.Touches, attribution.Touch{At: e.At, Campaign: campaign, Channel: channel})
	}
	if !created.IsZero() {
		j.Milestones[attribution.LeadCreated] = created
	}
	tl, err := s.Timeline(lead, asOf)
	if err != nil {
		var se *scoring.Error
		if errors.As(err, &se) {
			err = se.Err
		}
		return nil, err
	}
	if r, ok := tl.SalesReadyAt(s); ok {
		j.Milestones[attribution.SalesReady] = r.At
	}
	if at, ok := tl.SalesAcceptedAt(); ok {
		j.Milestones[attribution.SalesAccepted] = at
	}
	if o, ok := outcomes[lead.ID]; ok {
		switch {
		case o.Opportunity.After(asOf):
			cut.opportunities++
		case !o.Opportunity.IsZero():
			j.Milestones[attribution.Opportunity] = o.Opportunity
		}
		switch {
		case o.Won.After(asOf):
			cut.wins++
			cut.revenue += o.Revenue
		case !o.Won.IsZero():
			j.Milestones[attribution.Won] = o.Won
			j.Converted, j.Revenue = true, o.Revenue
		}
	}
	return j, nil
}

// asOfCut counts what --at left out of journeys built from leads: nothing
// after it counts, as in a backtest.
type asOfCut struct {
	notCreated, events, opportunities, wins, verdicts int
	revenue                                           float64
}

// note says what was left out, or "" when nothing was.
func (c *asOfCut) note(asOf time.Time) string {
	if *c == (asOfCut{}) {
		return ""
	}
	verdicts := ""
	if c.verdicts > 0 {
		verdicts = ", " + countOf(c.verdicts, "sales verdict")
	}
	return fmt.Sprintf("As of %s (--at), nothing after it counts: %s created after it left out; %s%s, %s and %s (revenue %s) after it not counted.",
		asOf.Format(time.RFC3339), countOf(c.notCreated, "lead"), countOf(c.events, "event"), verdicts, countOf(c.opportunities, "opportunity"), countOf(c.wins, "won deal"), numfmt.Group(strconv.FormatFloat(c.revenue, 'f', -1, 64)))
}

// countOf writes "1 lead", "2 leads", "2 opportunities".
func countOf(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
