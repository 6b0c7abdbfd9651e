package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/numfmt"
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
	outcomesFile := fs.String("outcomes", "", "CRM outcomes for --leads: CSV with lead_id, opportunity, won (times) and revenue (account_id with --accounts)")
	accountsFile := fs.String("accounts", "", "with --leads and --model: one journey per account of this file (NDJSON or CSV), the touches of all its people,\nwhen the account first became sales-ready, and account-level --outcomes (account_id, opportunity, won, revenue)")
	createdField := fs.String("created-field", "created_at", "the lead field that holds when the lead was created, with --leads")
	campaignField := fs.String("campaign-field", "campaign", "the event field that names a touch's campaign, with --leads (an event field the model declares)")
	channelField := fs.String("channel-field", "channel", "the event field that names a touch's channel, with --leads (an event field the model declares)")
	at := fs.String("at", "", "score timelines as of this time, with --leads; default: now")
	costsFile := fs.String("costs", "", "campaign costs: CSV with campaign and cost")
	models := fs.String("models", attribution.DefaultJourneyModels, "attribution models, side by side (see below)")
	lookback := fs.String("lookback", "", "ignore touches longer than this before the conversion (such as 90d)")
	conversion := fs.String("conversion", "won", "the milestone that counts as the conversion: with won, the journeys marked converted convert, for\ntheir revenue; with another (sales_ready, opportunity, ...), the journeys that reached it convert, one each,\nworth their revenue when also won, crediting their touches up to it (a name no journey has is refused)")
	format := fs.String("format", "table", "report format: table, markdown, csv, json, or html (one page with charts)")
	currency := currencyFlag(fs)
	journeysOut := fs.String("journeys-out", "", "also write the journeys built from --leads to this file, as NDJSON")
	creditOut := fs.String("credit-out", "", "also write each touch's credit under each model to this file, as CSV (id, position, campaign, channel,\nmodel, conversions, value; exact decimals that sum to the report): per journey, or per distinct path")
	transitionsOut := fs.String("transitions-out", "", "also write each Markov model's transitions (from, to, count, probability) and removal effects\nto this file, as CSV")
	delimiter := fs.String("delimiter", ";", "with --paths: the character between columns (such as ',' or tab)")
	separator := fs.String("path-separator", ">", "with --paths: what separates the channels of a path")
	columns := fs.String("columns", "", "with --paths: the header's column names when they differ from ChannelAttribution's, such as\npath=journey,conversions=conv,value=revenue,null=lost (any order; columns are found by name, never by position:\na header without the path or conversions column stops the run, with a did-you-mean; no value or null column is\nsaid in a note)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore attribute --leads LEADS --model FILE --outcomes FILE [--at TIME] [--costs FILE] [flags]")
		fmt.Fprintln(stderr, "       leadscore attribute --accounts ACCOUNTS --leads LEADS --model FILE --outcomes FILE [flags]")
		fmt.Fprintln(stderr, "       leadscore attribute --journeys FILE [--touches FILE] [--costs FILE] [flags]")
		fmt.Fprintln(stderr, "       leadscore attribute --paths FILE [--models ...] [--format ...]")
		fmt.Fprintln(stderr, "\nCredits campaigns and channels with the conversions and revenue of the journeys, under")
		fmt.Fprintln(stderr, "several models side by side, with cost, ROI and ROAS, the funnel and velocity.")
		fmt.Fprintln(stderr, "Models: "+strings.Join(attribution.ModelNames, ", ")+"; settings after a colon:")
		fmt.Fprintln(stderr, "time_decay:14d, position_based:40/40, last_non_direct:direct,organic, w_shaped:opportunity,")
		fmt.Fprintln(stderr, "custom:first_touch=0.5,sales_ready=0.3,between=0.2. Separate models with ';' when a setting has a comma.")
		fmt.Fprintln(stderr, "Data-driven, with any input (--paths, --journeys, --leads, --accounts): markov:K (a Markov chain of")
		fmt.Fprintln(stderr, "order K, exact removal effects; markov:K:conv shares value by the conversion removal effect;")
		fmt.Fprintln(stderr, "markov:K:nonull ignores nulls, for when non-conversions are unknown), markov:auto (the order with the")
		fmt.Fprintln(stderr, "best held-out AUC of predicting conversion, or a lower one within a standard error; the report lists")
		fmt.Fprintln(stderr, "the candidates) and shapley (simplified Shapley value). They credit channels, from the journeys'")
		fmt.Fprintln(stderr, "channel paths, in a table of their own; the campaign and channel tables show the rule-based models,")
		fmt.Fprintln(stderr, "linear when --models names none (the report says so).")
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
		{"--model", *model}, {"--dispositions", *dispositionsFile}, {"--outcomes", *outcomesFile}, {"--costs", *costsFile}, {"--paths", *pathsFile}, {"--accounts", *accountsFile}}
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
		case "table", "markdown", "csv", "json", "html":
		default:
			return fail("unknown --format %q; use table, markdown, csv, json or html", *format)
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
		return attributePaths(*pathsFile, pf, specs, *format, *currency, files, stdout, stderr)
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
	if *accountsFile != "" {
		switch {
		case *leadsFile == "":
			return fail("%s goes with %s and %s: the accounts' people are the leads, and the rule file says when an account is sales-ready", c.flag("accounts"), c.flag("leads"), c.flag("model"))
		case *outcomesFile == "":
			return fail("%s needs %s with the accounts' outcomes (account_id, opportunity, won, revenue)", c.flag("accounts"), c.flag("outcomes"))
		case *dispositionsFile != "":
			return fail("%s: sales' verdicts are on leads, not yet on accounts; leave out %s", c.flag("accounts"), c.flag("dispositions"))
		}
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
			if err := attribution.CheckPathModel(spec); err != nil {
				return fail("%s: %s: %v", c.flag("models"), spec, err)
			}
			dataDriven = append(dataDriven, spec)
			continue
		}
		m, err := attribution.ParseModel(spec)
		if err != nil {
			return fail("%s: %v", c.flag("models"), err)
		}
		ms = append(ms, m)
	}
	// onlyDataDriven says, in the report and on stderr, why the campaign
	// tables show a model --models did not name.
	onlyDataDriven := ""
	if len(ms) == 0 {
		ms = []attribution.Model{attribution.LinearModel{}} // the campaign report needs one rule-based model
		if len(dataDriven) > 0 {
			onlyDataDriven = attribution.OnlyDataDrivenNote(c.flag("models"), dataDriven)
		}
	}
	if err := attribution.CheckConversion(*conversion); err != nil {
		return fail("%s: %v", c.flag("conversion"), err)
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
	if onlyDataDriven != "" {
		fmt.Fprintf(stderr, "%s: warning: %s\n", c.name, onlyDataDriven)
		rep.Warnings = append(rep.Warnings, onlyDataDriven)
	}
	var credit *attribution.CreditWriter
	if files.credit != nil {
		credit = attribution.NewCreditWriter(files.credit, ms, opts)
	}
	var paths []*attribution.Journey              // for the data-driven models
	read, failed, leftOut, orphaned := 0, 0, 0, 0 // orphaned: touch rows that name no journey
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
		err = readJourneys(*journeysFile, *touchesFile, stderr, &orphaned, add)
		if err == nil && orphaned > 0 {
			problems += orphaned
			verbs := "names no journey of %s and counts nowhere in this report (it is named with its line on stderr); check its journey_id"
			if orphaned != 1 {
				verbs = "name no journey of %s and count nowhere in this report (each is named with its line on stderr); check their journey_id"
			}
			w := fmt.Sprintf("%s of %s "+verbs, numfmt.Count(orphaned, "touch row"), *touchesFile, *journeysFile)
			fmt.Fprintf(stderr, "%s: warning: %s\n", c.name, w)
			rep.Warnings = append(rep.Warnings, w)
		}
	} else if *accountsFile != "" {
		asOf, aerr := asOfTime(c.flag("at"), *at)
		if aerr != nil {
			return fail("%v", aerr)
		}
		tf := &touchFields{campaign: *campaignField, channel: *channelField}
		csvLeads := *sourceFile != "" || strings.EqualFold(filepath.Ext(*leadsFile), ".csv")
		if csvLeads && *events == "" && !*noEvents {
			return fail("%s: CSV leads carry no events, and a lead's events are its campaign touches; give the events file that goes with them (%s EVENTS.csv), or say there are none (%s)",
				*leadsFile, c.flag("events"), c.flag("no-events"))
		}
		aj := accountJourneys{model: *model, accounts: *accountsFile, leads: *leadsFile, events: *events, outcomes: *outcomesFile, source: *sourceFile,
			noEvents: *noEvents, strict: *strict, maxRow: maxRow.n, asOf: asOf, createdField: *createdField, createdSet: flagSet(fs, "created-field"), tf: tf}
		n, cut, warnings, aerr := readAccountJourneys(c, aj, stderr, add)
		if aerr != nil {
			return fail("%v", aerr)
		}
		problems += n.problems()
		leftOut = 0 // the accounts' own lines below reconcile them
		if note := cut.note(asOf); note != "" {
			fmt.Fprintf(stderr, "%s: %s\n", c.name, note)
			rep.Warnings = append(rep.Warnings, note)
		}
		for _, w := range append(tf.warnings(c), warnings...) {
			fmt.Fprintf(stderr, "%s: warning: %s\n", c.name, w)
			rep.Warnings = append(rep.Warnings, w)
		}
		defer func() {
			for _, l := range n.summary(*accountsFile, *leadsFile) {
				fmt.Fprintln(stderr, l)
			}
		}()
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
		// The created field is read (leads created after --at are left
		// out), so it is no unknown data, declared or not.
		scorer = scoring.New(scorer.Model(), scoring.WithUnknownData(scorer.UnknownData()), scoring.WithCreatedField(*createdField))
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
		lopts := leadfile.Options{Scorer: scorer, MaxRow: maxRow.n, NoEvents: *noEvents, Bound: true}
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
		run := &leadsRun{scorer: scorer, asOf: asOf, createdField: *createdField, strict: *strict,
			verdicts: verdicts, outcomes: outcomes, tf: tf, cut: cut, unknown: &unknown}
		if *outcomesFile != "" {
			run.seen = newOutcomesSeen(outcomes)
		}
		err = readLeadJourneys(lopts, run, firstRowPerLead(func(line int, j *attribution.Journey, err error) error {
			return add(*leadsFile, line, j, err)
		}))
		leftOut = cut.notCreated
		if n, summary := run.seen.report(stderr, *outcomesFile); err == nil && n > 0 {
			problems += n
			rep.Warnings = append(rep.Warnings, summary)
		}
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
	if err := attribution.CheckConversionReached(*conversion, rep); err != nil {
		return fail("%s: %v", c.flag("conversion"), err)
	}
	before := len(rep.Warnings)
	rep.Finish()
	// What Finish found (costs missing, journeys without a model's
	// milestone) goes to stderr too: CSV has no place for it.
	for _, w := range rep.Warnings[before:] {
		fmt.Fprintf(stderr, "%s: warning: %s\n", c.name, w)
	}
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
		err = writeHTML(stdout, "Attribution", strings.Join(rep.Models, ", "), *currency, withWarnings(summaryOf(htmlreport.AttributionSummary(rep, ""), nil), htmlreport.FirstScreenWarnings(nil, nil, rep)), sections...)
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
		fmt.Fprintf(stderr, "%d lead %s read: %d %s used, %d created after --at, %d failed\n", read+leftOut, numfmt.Noun(read+leftOut, "row"), read-failed, numfmt.Noun(read-failed, "journey"), leftOut, failed)
	} else {
		fmt.Fprintf(stderr, "%d %s read: %d used, %d failed", read, numfmt.Noun(read, "journey"), read-failed, failed)
		if orphaned > 0 {
			fmt.Fprintf(stderr, "; %s orphaned", numfmt.Count(orphaned, "touch row"))
		}
		fmt.Fprintln(stderr)
	}
	if failed > 0 || problems > 0 {
		return exitProblem
	}
	return exitOK
}
