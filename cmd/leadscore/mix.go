package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/mix"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func runMix(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mix", flag.ContinueOnError)
	spendFile := fs.String("spend", "", "spend per channel and period: CSV with week (its first day, 2024-01-01; or date), channel, spend; with --period day, day or date")
	kpiFile := fs.String("kpi", "", "the KPI per period: CSV with week (or date, found weekly or daily by its dates; day with --period day) and the KPI's column (revenue, won deals, ...)")
	kpiColumn := fs.String("kpi-column", "", "the KPI's column in --kpi, when it has more than one besides week")
	controlsFile := fs.String("controls", "", "other weekly drivers for the baseline (holidays, price changes): CSV with week and a column each")
	bounds := fs.Float64("bounds", 0.3, "how far the reallocation may move each channel's spend, as a share of it (0.3: ±30%)")
	seed := fs.Uint64("seed", 1, "seed of the bootstrap: the same files and seed give the same report")
	bootstrap := fs.Int("bootstrap", 200, "bootstrap refits for the 95% intervals")
	adstock := fs.String("adstock", "geometric", "carry-over shape: geometric or weibull")
	kpiValue := fs.Float64("kpi-value", 1, "what one unit of KPI is worth in the spend's currency (1 when the KPI is revenue); ROI = ROAS x this - 1")
	format := fs.String("format", "text", "report format: text, markdown, json, csv (the weekly decomposition), or html (one page with charts)")
	currency := currencyFlag(fs)
	liftFile := fs.String("lift-tests", "", "experiments that calibrate the fit: CSV with channel, start and end (the test's first and last days),\nincremental_kpi (what the test found the channel added over them) and low, high (its 95% interval)")
	attrFile := fs.String("attribution", "", "the JSON of leadscore attribute --format json: each channel's share of its credit under each\nattribution model, beside its share of the channels' incremental KPI under the mix model")
	attrFrom := fs.String("attribution-from", "", "the first day of the journeys --attribution credits (2025-01-01): the mix shares are taken over\nthe model's weeks from then; the attribution JSON does not say its period")
	attrUntil := fs.String("attribution-until", "", "the last day of the journeys --attribution credits: the mix shares are taken over the model's weeks\nup to then")
	costsFile := fs.String("costs", "", "campaign costs with dates, in place of --spend: CSV with campaign, cost, either date or start and end\n(the first and last days spent over), and channel (without it, each campaign's channel is the one most\nof its touches in --journeys or --leads came through); each cost is spread over the weeks of its days,\npro rata by days")
	weekStart := fs.String("week-start", "monday", "the weekday weeks start on, with --costs and --kpi-from (when no file gives the weeks)")
	kpiFrom := fs.String("kpi-from", "", "in place of --kpi, derive the KPI per week: won (deals won, by the week of their won time) or\nrevenue (their revenue) from --outcomes; sales-ready (leads, by the week they first became sales-ready)\nfrom --leads scored with --model. The weeks are the spend's")
	outcomesFile := fs.String("outcomes", "", "CRM outcomes for --kpi-from won or revenue: CSV with lead_id, opportunity, won, revenue (as backtest reads)")
	model := fs.String("model", "", "rule file for --kpi-from sales-ready")
	leadsFile := fs.String("leads", "", "leads with their events (NDJSON, or CSV with --events) for --kpi-from sales-ready")
	events := fs.String("events", "", "CSV events file for CSV --leads")
	createdField := fs.String("created-field", "created_at", "the lead field that holds when the lead was created, with --leads")
	at := fs.String("at", "", "replay the leads' timelines up to this time, with --leads; default: now")
	journeysFile := fs.String("journeys", "", "journeys (NDJSON, as attribute --journeys reads): their touches name the channels of --costs campaigns\nwithout a channel column, and give --activity")
	periodFlag := fs.String("period", "week", "the data's period: week (each row dated by its week's first day, 7 days apart) or day\n(a row per day, dated in a day or date column: a daily model, with day-of-week terms in the baseline)")
	activity := fs.Bool("activity", false, "add each channel's touches per week (from --journeys, or --leads' events) to the baseline as a control,\nfor the channels with no spend (a channel's touches that its spend bought would take its effect away)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore mix --spend FILE --kpi FILE [--kpi-column NAME] [--controls FILE] [--lift-tests FILE]")
		fmt.Fprintln(stderr, "                     [--attribution FILE [--attribution-from DAY] [--attribution-until DAY]]")
		fmt.Fprintln(stderr, "                     [--bounds 0.3] [--seed N] [--format F]")
		fmt.Fprintln(stderr, "       leadscore mix (--spend FILE | --costs FILE [--journeys FILE]) [--activity]")
		fmt.Fprintln(stderr, "                     (--kpi FILE | --kpi-from won|revenue --outcomes FILE |")
		fmt.Fprintln(stderr, "                      --kpi-from sales-ready --model FILE --leads FILE [--at TIME]) [flags]")
		fmt.Fprintln(stderr, "\nA weekly marketing-mix model: the KPI as a baseline (trend, yearly seasonality, controls) plus each")
		fmt.Fprintln(stderr, "channel's spend carried over (adstock) and with diminishing returns (Hill), fitted by ridge regression")
		fmt.Fprintln(stderr, "with non-negative channel effects, hyperparameters chosen on rolling held-out weeks. It reports each")
		fmt.Fprintln(stderr, "channel's incremental KPI, ROAS and ROI with 95% bootstrap intervals, its marginal ROAS at current")
		fmt.Fprintln(stderr, "spend, the fit on held-out weeks, the baseline's share, and a reallocation of the same total within")
		fmt.Fprintln(stderr, "--bounds. It reads correlation, not cause: channels whose spend moves together are flagged and get")
		fmt.Fprintln(stderr, "no verdict; calibrate with experiments. Weeks must follow each other 7 days apart; a channel's week")
		fmt.Fprintln(stderr, "with no spend row is no spend. Each lift test pulls its channel's effect over its weeks toward the")
		fmt.Fprintln(stderr, "test's result in proportion to the test's precision; the report sets the model's figure for those")
		fmt.Fprintln(stderr, "weeks before and after beside the test's.")
		fmt.Fprintln(stderr, "\nDaily data (--period day): --spend, --kpi and --controls have a day (or date) column, a row per day,")
		fmt.Fprintln(stderr, "days 1 day apart; carry-over decays per day, the baseline adds day-of-week terms, the held-out folds")
		fmt.Fprintln(stderr, "are each an eighth of the days (28 to 91 days: 91 on two years); --costs are spread by day,")
		fmt.Fprintln(stderr, "--kpi-from adds up by day. --activity, --lift-tests and")
		fmt.Fprintln(stderr, "--attribution read weekly data only.")
		fmt.Fprintln(stderr, "\nOther inputs: --costs spreads campaign costs with dates over the weeks of their days, pro rata by")
		fmt.Fprintln(stderr, "days. --kpi-from derives the KPI per week of the spend (a moment's week, in UTC, is the one whose")
		fmt.Fprintln(stderr, "first day it falls on or after, within 7 days): deals won or their revenue from --outcomes, or leads")
		fmt.Fprintln(stderr, "by the week they first became sales-ready; stderr and the report say how many fell in the modelled")
		fmt.Fprintln(stderr, "weeks and how many before or after. See docs/guide/mix.md.")
		fmt.Fprintln(stderr, "Exit status: 0 report written, 1 some rows failed (each named on stderr, the rest used) or the data")
		fmt.Fprintln(stderr, "cannot be fitted, 2 the run could not start.")
		fs.PrintDefaults()
	}
	rest, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore mix: "+format+"\n", a...)
		return exitUsage
	}
	if len(rest) > 0 {
		return fail("takes no arguments (got %s); give the files with --spend and --kpi", strings.Join(rest, " "))
	}
	switch {
	case *spendFile != "" && *costsFile != "":
		return fail("give --spend (weekly spend) or --costs (campaign costs with dates), not both")
	case *spendFile == "" && *costsFile == "":
		return fail("give --spend (week,channel,spend) or --costs (campaign costs with dates), and --kpi (week,<KPI column>) or --kpi-from won, revenue or sales-ready")
	case *kpiFile != "" && *kpiFrom != "":
		return fail("give --kpi (a file of the KPI per week) or --kpi-from (derive it), not both")
	case *kpiFile == "" && *kpiFrom == "":
		return fail("give --kpi (week,<KPI column>), or derive the KPI with --kpi-from won, revenue (with --outcomes) or sales-ready (with --model and --leads)")
	}
	period, perr := mix.ParsePeriod(*periodFlag)
	if perr != nil {
		return fail("--period %q: use week or day", *periodFlag)
	}
	if period == mix.Day {
		// Daily data come as files of days; deriving days from dated
		// costs and outcomes, activity by day, lift tests and the
		// attribution comparison read weeks only, for now.
		for _, f := range []string{"activity", "lift-tests", "attribution", "attribution-from", "attribution-until", "week-start"} {
			if flagSet(fs, f) {
				return fail("--%s works with weekly data only, for now; leave it out with --period day, or model weeks", f)
			}
		}
	}
	if _, ok := weekdays[strings.ToLower(*weekStart)]; !ok {
		return fail("--week-start %q is not a weekday; give monday, tuesday, ... or sunday", *weekStart)
	}
	if flagSet(fs, "week-start") && (*costsFile == "" || *kpiFrom == "") {
		return fail("--week-start is for --costs with --kpi-from, when no file gives the weeks; the weeks of --spend or --kpi start on their own first days")
	}
	if *kpiFrom != "" && *kpiColumn != "" {
		return fail("--kpi-column names a column of --kpi; with --kpi-from the KPI is %s", kpiFromNames[*kpiFrom])
	}
	switch *kpiFrom {
	case "":
		for _, f := range []string{"outcomes", "model", "leads", "events", "at", "created-field"} {
			if flagSet(fs, f) {
				return fail("--%s is for --kpi-from; with --kpi the KPI is read from that file", f)
			}
		}
	case "won", "revenue":
		if *outcomesFile == "" {
			return fail("--kpi-from %s counts the deals won per week in the CRM outcomes; give them with --outcomes (CSV: lead_id, opportunity, won, revenue)", *kpiFrom)
		}
		for _, f := range []string{"model", "leads", "events", "at", "created-field"} {
			if flagSet(fs, f) {
				return fail("--%s is for --kpi-from sales-ready; --kpi-from %s reads only --outcomes", f, *kpiFrom)
			}
		}
	case "sales-ready":
		if *model == "" || *leadsFile == "" {
			return fail("--kpi-from sales-ready counts the leads that became sales-ready each week; give the leads with --leads and the rule file that says when with --model")
		}
		if *outcomesFile != "" {
			return fail("--outcomes is for --kpi-from won or revenue; sales-ready leads come from --leads")
		}
	default:
		return fail("unknown --kpi-from %q; use won, revenue or sales-ready", *kpiFrom)
	}
	if name := kpiFromNames[*kpiFrom]; name != "" && !looksLikeMoney(name) && !flagSet(fs, "kpi-value") {
		// Said before the leads are read, as it would be after.
		return fail("the KPI %q does not read as money, and ROI and whether a channel pays back take one unit of it as worth 1 in the spend's currency; give --kpi-value (what one unit of %s is worth in the spend's currency)", name, name)
	}
	switch *format {
	case "text", "markdown", "json", "csv", "html":
	default:
		return fail("unknown --format %q; use text, markdown, json, csv or html", *format)
	}
	if *adstock != "geometric" && *adstock != "weibull" {
		return fail("unknown --adstock %q; use geometric or weibull", *adstock)
	}
	if !(*bounds > 0 && *bounds < 1) {
		return fail("--bounds %v: give a share between 0 and 1, such as 0.3 for ±30%%", *bounds)
	}
	if *bootstrap < 20 {
		return fail("--bootstrap %d: give at least 20 refits (200 by default) for the intervals to mean anything", *bootstrap)
	}
	if !(*kpiValue > 0) || math.IsInf(*kpiValue, 0) {
		return fail("--kpi-value %v: give what one unit of KPI is worth, more than 0", *kpiValue)
	}
	var from, until time.Time
	for _, f := range []struct {
		name, v string
		t       *time.Time
	}{{"attribution-from", *attrFrom, &from}, {"attribution-until", *attrUntil, &until}} {
		if f.v == "" {
			continue
		}
		if *attrFile == "" {
			return fail("--%s is the period of --attribution's journeys; give --attribution too", f.name)
		}
		d, err := time.Parse("2006-01-02", f.v)
		if err != nil {
			return fail("--%s %q is not a day like 2025-01-01", f.name, f.v)
		}
		*f.t = d
	}
	if !from.IsZero() && !until.IsZero() && until.Before(from) {
		return fail("--attribution-until %s is before --attribution-from %s; give the journeys' first day, then their last", *attrUntil, *attrFrom)
	}
	failed := 0
	rowError := func(file string) func(int, error) {
		return func(line int, err error) {
			failed++
			fmt.Fprintf(stderr, "%s:%d: %v\n", file, line, err)
		}
	}
	problem := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore mix: "+format+"\n", a...)
		return exitProblem
	}
	open := func(name string) (*os.File, error) {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("cannot open %s: %v", name, unwrapPath(err))
		}
		return f, nil
	}
	var kpi mix.Series
	var kn mix.Counts
	var f *os.File
	var err error
	if *kpiFile != "" {
		f, err = open(*kpiFile)
		if err != nil {
			return fail("--kpi: %v", err)
		}
		kpi, kn, err = mix.ReadSeries(f, period, "KPI", *kpiColumn, rowError(*kpiFile))
		f.Close()
		if err != nil {
			return fail("%s", inFile(*kpiFile, err))
		}
	}
	if *journeysFile != "" && *spendFile != "" && !*activity {
		return fail("--journeys is read for the channels of --costs campaigns without one, and for --activity; with --spend, give --activity or leave --journeys out")
	}
	var rows []mix.SpendRow
	var sn mix.Counts
	var crows []mix.CostRow
	spendName := *spendFile
	if *spendFile != "" {
		f, err = open(*spendFile)
		if err != nil {
			return fail("--spend: %v", err)
		}
		rows, sn, err = mix.ReadSpendBy(f, period, rowError(*spendFile))
		f.Close()
		if err != nil {
			return fail("%s", inFile(*spendFile, err))
		}
	} else {
		spendName = *costsFile
		f, err = open(*costsFile)
		if err != nil {
			return fail("--costs: %v", err)
		}
		crows, sn, err = mix.ReadCosts(f, rowError(*costsFile))
		f.Close()
		if err != nil {
			return fail("%s: %v", *costsFile, err)
		}
	}
	// The journeys' touches name the channels of campaigns the costs file
	// does not give one, and give --activity: kept only then.
	needChannels := false
	for _, c := range crows {
		needChannels = needChannels || c.Channel == ""
	}
	if *journeysFile != "" && *costsFile != "" && !needChannels && !*activity {
		return fail("--journeys is read for the channels of campaigns the costs file does not give one, and for --activity; %s has a channel column, so give --activity or leave --journeys out", *costsFile)
	}
	keepTouches := needChannels || *activity
	var touches *touchLog
	var derived *derivedKPI
	var salesReady []mix.Dated
	if *kpiFrom == "sales-ready" {
		asOf, err := asOfTime("--at", *at)
		if err != nil {
			return fail("%v", err)
		}
		var code int
		salesReady, derived, touches, code = readLeadsKPI(commandLine("mix"), *model, *leadsFile, *events, *createdField, leadfile.DefaultMaxRow, asOf, keepTouches, stderr)
		if derived == nil {
			return code
		}
		failed += derived.Failed
		if !keepTouches {
			touches = nil
		}
	}
	if *journeysFile != "" {
		if touches != nil {
			return fail("--journeys: the touches come from --leads' events already; give one of them")
		}
		var jn int
		touches, jn, err = readJourneyTouches(*journeysFile, stderr)
		if err != nil {
			return fail("--journeys %s: %v", *journeysFile, err)
		}
		failed += jn
		if jn > 0 {
			return problem("%s of %s failed (each named above): their touches would be missing from the campaigns' channels and the activity; fix them and run again", numfmt.Count(jn, "journey"), *journeysFile)
		}
	}
	if *activity && touches == nil {
		return fail("--activity counts the journeys' touches per channel and week; give them with --journeys, or --leads (with --kpi-from sales-ready)")
	}
	if *activity && len(touches.touches) == 0 {
		return fail("--activity counts the journeys' touches per channel and week, and no touch was read from %s (%s); %s", touches.Source, numfmt.Count(touches.Journeys, "journey"), touches.noTouchesFix())
	}
	var costs *costInputs
	var grid mix.WeekGrid // the spend's weeks, for --kpi-from
	if *spendFile != "" {
		if *kpiFrom != "" && len(rows) > 0 {
			if grid, err = mix.SpendGridBy(rows, period); err != nil {
				return fail("%s: %v", *spendFile, err)
			}
		}
	} else {
		var mapped *campaignMap
		if crows, mapped, err = mapCampaigns(crows, touches, &sn, rowError(*costsFile)); err != nil {
			return fail("%s: %v", *costsFile, err)
		}
		anchor := anchorOn(weekdays[strings.ToLower(*weekStart)])
		if len(kpi.Weeks) > 0 {
			anchor = kpi.Weeks[0]
		}
		rows, grid = mix.SpreadCostsBy(crows, period, anchor)
		costs = newCostInputs(*costsFile, crows, anchor, mapped)
		if period == mix.Day {
			costs.per, costs.WeekStart = mix.Day, ""
		}
	}
	if *kpiFrom != "" && sn.Read > 0 && sn.Failed == 0 {
		if len(rows) == 0 {
			return fail("%s: no spend in any week; nothing to model", spendName)
		}
		var items []mix.Dated
		switch *kpiFrom {
		case "won", "revenue":
			items, derived, err = outcomeItems(*outcomesFile, *kpiFrom, rowError(*outcomesFile))
			if err != nil {
				return fail("--outcomes %s: %v", *outcomesFile, err)
			}
		case "sales-ready":
			items = salesReady
		}
		if *kpiFrom == "sales-ready" {
			// Timelines replayed up to --at see no lead become sales-ready
			// after it: weeks after it would read low, silently.
			if end := grid.To.AddDate(0, 0, period.Days()); derived.asOf.Before(end) {
				if !flagSet(fs, "at") {
					return fail("%s runs past today (%s): its last %s, %s, ends before %s, and leads cannot have become sales-ready in days still to come, so those %ss would read low; leave the costs of %ss not yet over out of the file (or give --at, a time at or after %s, to replay the timelines up to)",
						spendName, derived.AsOf, period, grid.To.Format("2006-01-02"), end.Format(time.RFC3339), period, period, end.Format(time.RFC3339))
				}
				return fail("--at %s is before the end of the modelled %ss (the last, %s, ends before %s): leads that became sales-ready after --at would not count in the %ss after it; give --at %s or later, or leave --at out to replay up to now",
					derived.AsOf, period, grid.To.Format("2006-01-02"), end.Format(time.RFC3339), period, end.Format(time.RFC3339))
			}
		}
		// The weeks are the spend's: a row that reaches far beyond what
		// the KPI counts is a mistyped date, not weeks to model.
		var dated []datedRow
		what := "spend row"
		if costs != nil {
			what = "cost row"
			for _, c := range crows {
				dated = append(dated, datedRow{c.Line, c.Start, c.End})
			}
		} else {
			for _, r := range rows {
				dated = append(dated, datedRow{r.Line, r.Week, r.Week.AddDate(0, 0, period.Days()-1)})
			}
		}
		noun, file := "won deal", *outcomesFile
		if *kpiFrom == "sales-ready" {
			noun, file = "sales-ready moment", *leadsFile
		}
		if derived.Failed > 0 {
			// said below: the KPI's own rows come first
		} else if n := farRows(dated, items, noun, file, what, rowError(spendName)); n > 0 {
			named := "each named above"
			if n > 5 {
				named = "the first 5 named above"
			}
			return problem("%s of %s reach more than a year beyond the KPI's %ss (%s); fix their dates, or give the %s file that covers the spend's weeks, and run again", numfmt.Count(n, what), spendName, noun, named, file)
		}
		if weeks := len(grid.Weeks()) * period.Days(); weeks > maxModelWeeks*7 {
			weeks /= 7
			return problem("%s: the spend's weeks run from %s to %s, %s: more than ten years is not a span a weekly mix model reads; check the dates of the first and last rows",
				spendName, grid.From.Format("2006-01-02"), grid.To.Format("2006-01-02"), numfmt.Count(weeks, "week"))
		}
		kpi = seriesOf(*kpiFrom, grid, items, derived)
		kn = mix.Counts{Rows: len(kpi.Weeks), Read: len(kpi.Weeks)}
	}
	// ROI and the verdicts on paying back read the KPI as money. A KPI
	// named as a count (deals, leads, signups) needs what one is worth.
	kpiValueSet := false
	fs.Visit(func(f *flag.Flag) { kpiValueSet = kpiValueSet || f.Name == "kpi-value" })
	if len(kpi.Names) > 0 && !kpiValueSet && !looksLikeMoney(kpi.Names[0]) {
		return fail("the KPI %q does not read as money, and ROI and whether a channel pays back take one unit of it as worth 1 in the spend's currency; give --kpi-value (what one unit of %s is worth in the spend's currency), or --kpi-value 1 if it is revenue", kpi.Names[0], kpi.Names[0])
	}
	var controls *mix.Series
	var cn mix.Counts
	if *controlsFile != "" {
		f, err = open(*controlsFile)
		if err != nil {
			return fail("--controls: %v", err)
		}
		s, n, err := mix.ReadSeries(f, period, "controls", "*", rowError(*controlsFile))
		f.Close()
		if err != nil {
			return fail("%s", inFile(*controlsFile, err))
		}
		controls, cn = &s, n
	}
	var lifts []mix.LiftTest
	var ln mix.Counts
	if *liftFile != "" {
		f, err = open(*liftFile)
		if err != nil {
			return fail("--lift-tests: %v", err)
		}
		lifts, ln, err = mix.ReadLiftTests(f, rowError(*liftFile))
		f.Close()
		if err != nil {
			return fail("%s: %v", *liftFile, err)
		}
	}
	var attr *attributionCredit
	if *attrFile != "" && len(kpi.Names) > 0 {
		if attr, err = readAttribution(*attrFile, looksLikeMoney(kpi.Names[0])); err != nil {
			return fail("--attribution: %v", err)
		}
	}
	fmt.Fprintf(stderr, "%s: %s in: %s read, %s failed%s\n", spendName, numfmt.Count(sn.Rows, "row"), numfmt.Thousands(sn.Read), numfmt.Thousands(sn.Failed), datesNote(sn))
	if *kpiFile != "" {
		fmt.Fprintf(stderr, "%s: %s in: %s read, %s failed%s\n", *kpiFile, numfmt.Count(kn.Rows, "row"), numfmt.Thousands(kn.Read), numfmt.Thousands(kn.Failed), datesNote(kn))
	}
	if controls != nil {
		fmt.Fprintf(stderr, "%s: %s in: %s read, %s failed%s\n", *controlsFile, numfmt.Count(cn.Rows, "row"), numfmt.Thousands(cn.Read), numfmt.Thousands(cn.Failed), datesNote(cn))
	}
	if *liftFile != "" {
		fmt.Fprintf(stderr, "%s: %s in: %s read, %s failed\n", *liftFile, numfmt.Count(ln.Rows, "row"), numfmt.Thousands(ln.Read), numfmt.Thousands(ln.Failed))
	}
	if sn.Failed > 0 {
		// A failed row's channel-week would count as no spend, and bend
		// the channel's return: fit only on whole data.
		what := "spend row"
		if costs != nil {
			what = "cost row"
		}
		return problem("%s of %s failed (each named above): the model is fitted only on whole data (a missing amount would count as no spend); fix them and run again", numfmt.Count(sn.Failed, what), spendName)
	}
	if derived != nil && derived.Failed > 0 {
		// A failed outcome or lead is a deal or lead the KPI would miss.
		what := "outcome row"
		if *kpiFrom == "sales-ready" {
			what = "lead"
		}
		return problem("%s of %s failed (each named above): the KPI would not count them, and read low in their %ss; fix them and run again", numfmt.Count(derived.Failed, what), derived.File, period)
	}
	if len(kpi.Weeks) == 0 {
		if *kpiFile == "" {
			return problem("%s has no spend row; nothing to fit", spendName)
		}
		return problem("%s has no usable %s; nothing to fit", *kpiFile, period)
	}
	if *liftFile != "" && ln.Rows == 0 {
		return problem("%s has no lift test, only its header (or nothing): no test was read; give one row per test, or leave out --lift-tests for an uncalibrated fit", *liftFile)
	}
	data, asm, err := mix.Assemble(rows, kpi, controls)
	if err != nil {
		var le *mix.LineError
		if errors.As(err, &le) && *controlsFile != "" {
			return problem("%s:%d: %v", *controlsFile, le.Line, le.Err)
		}
		if controls != nil && strings.HasPrefix(err.Error(), "the controls ") {
			return problem("%s: %v", *controlsFile, err)
		}
		return problem("%s: %v", spendName, err)
	}
	if costs == nil {
		if msg := spendGaps(spendName, rows, data.Weeks, period); msg != "" {
			return problem("%s", msg)
		}
	}
	first, last := data.Weeks[0].Format("2006-01-02"), data.Weeks[len(data.Weeks)-1].Format("2006-01-02")
	// The counts' periods run to the last week's last day, as the
	// comparison's does: the weeks are whole.
	lastDay := weekEnd(last)
	if period == mix.Day {
		lastDay = last
	}
	if costs != nil {
		costs.Outside = costsOutside(rows, data.Weeks)
		costs.InWeeks = costs.Total - costs.Outside
		fmt.Fprintln(stderr, costs.summary(first, lastDay))
		fmt.Fprintf(stderr, "channel-%ss of spread cost: %s = %s used + %s outside the KPI's %ss", period, numfmt.Thousands(len(rows)), numfmt.Thousands(len(rows)-asm.Outside), numfmt.Thousands(asm.Outside), period)
	} else {
		used := sn.Read - asm.Outside
		fmt.Fprintf(stderr, "spend rows: %s read = %s used + %s outside the KPI's %ss (%s to %s%s)", numfmt.Thousands(sn.Read), numfmt.Thousands(used), numfmt.Thousands(asm.Outside), period, first, lastDay, kpiLacks(rows, data.Weeks))
	}
	if asm.Filled > 0 {
		fmt.Fprintf(stderr, "; %s channel-%ss had no row and count as no spend", numfmt.Thousands(asm.Filled), period)
	}
	fmt.Fprintln(stderr)
	if derived != nil {
		fmt.Fprintln(stderr, derived.summary(first, lastDay))
	}
	var act *activityInputs
	if *activity {
		var ctl []mix.Control
		costed := map[string]bool{}
		for _, c := range crows {
			costed[c.Campaign] = true
		}
		ctl, act = activityControls(touches, data.Weeks, data.Channels, costed)
		data.Controls = append(data.Controls, ctl...)
		fmt.Fprintln(stderr, act.summary(first, lastDay))
	}
	if failed > 0 && kn.Failed > 0 {
		fmt.Fprintf(stderr, "leadscore mix: %s failed (each named above): the model needs every %s once; fix them and run again\n", numfmt.Count(kn.Failed, "KPI row"), period)
	}
	var cmpNames []string
	var cmpAt []int
	var cmpNotes []string
	if attr != nil {
		names := make([]string, len(data.Channels))
		for c, ch := range data.Channels {
			names[c] = ch.Name
		}
		if cmpNames, cmpAt, cmpNotes, err = matchAttribution(names, attr); err != nil {
			return problem("--attribution %s: %v", *attrFile, err)
		}
	}
	// The periods are the KPI's: a gap between them is named at the KPI
	// file's row after it.
	if err := data.Validate(); err != nil {
		var ge *mix.GapError
		switch {
		case *kpiFile != "" && errors.As(err, &ge) && ge.At < len(kpi.Lines):
			return problem("%s:%d: cannot fit the model: %v", *kpiFile, kpi.Lines[ge.At], err)
		case *kpiFile != "" && (strings.Contains(err.Error(), " of data; ") || strings.HasPrefix(err.Error(), "the KPI is ")):
			return problem("%s: cannot fit the model: %v", *kpiFile, err)
		}
		return problem("cannot fit the model: %v", err)
	}
	r, err := mix.Fit(data, mix.Options{Adstock: mix.AdstockKind(*adstock), Seed: *seed, Bootstrap: *bootstrap, Bounds: *bounds, KPIValue: *kpiValue, LiftTests: lifts})
	if err != nil {
		return problem("cannot fit the model: %v", err)
	}
	if *liftFile != "" {
		left := 0
		for _, w := range r.Warnings {
			if w.Kind == mix.WarnLiftLeftOut {
				left++
				failed++
				fmt.Fprintf(stderr, "%s:%d: %s\n", *liftFile, w.Line, strings.TrimPrefix(w.Message, fmt.Sprintf("the lift test on line %d: ", w.Line)))
			}
		}
		fmt.Fprintf(stderr, "lift tests: %s read = %s used + %s left out", numfmt.Thousands(ln.Read), numfmt.Thousands(ln.Read-left), numfmt.Thousands(left))
		if left > 0 {
			fmt.Fprint(stderr, " (each named above)")
		}
		fmt.Fprintln(stderr)
	}
	rep := mixReport{KPI: kpi.Names[0], From: first, To: last, Result: r, KPIFrom: derived, Costs: costs, Activity: act}
	// Every warning goes to stderr whatever the format: the CSV has no
	// room for them, and a pipe reading stdout must not miss them. (Lift
	// tests left out are named above, at their lines.)
	for _, w := range r.Warnings {
		if w.Kind != mix.WarnLiftLeftOut {
			fmt.Fprintf(stderr, "leadscore mix: warning (%s): %s\n", w.Kind, w.Message)
		}
	}
	if fw := fitWarned(r); fw != nil && *format == "csv" {
		fmt.Fprintf(stderr, "leadscore mix: every verdict is withheld (%s): the decomposition above is the fit's, not a supported split of the KPI\n", fw.Kind)
	} else if *format == "csv" {
		// The CSV is the decomposition alone: every other withheld
		// verdict's reason goes to stderr, as the other formats print it.
		for _, c := range r.Channels {
			if c.Reason != "" {
				fmt.Fprintf(stderr, "leadscore mix: %s: no verdict: %s\n", c.Name, c.Reason)
			}
		}
		for _, c := range r.Calibration {
			if c.AgreementWithheld != "" {
				fmt.Fprintf(stderr, "leadscore mix: %s:%d: %s: %s\n", *liftFile, c.Line, c.Channel, c.AgreementWithheld)
			}
		}
		if re := r.Reallocation; re.Withheld != "" {
			fmt.Fprintf(stderr, "leadscore mix: the reallocation is not a recommendation: %s\n", re.Withheld)
		}
	}
	if attr != nil {
		rows, weeks, notes, err := compare(r, attr, cmpNames, cmpAt, from, until)
		if err != nil {
			return problem("--attribution %s: %v", *attrFile, err)
		}
		if fw := fitWarned(r); fw != nil {
			for i := range rows {
				rows[i].Disagrees = []string{}
				for j := range rows[i].ByModel {
					rows[i].ByModel[j].Disagrees = false
					rows[i].ByModel[j].Withheld = fitWithheld(fw)
				}
			}
		}
		// A channel whose verdict rival curves withheld has no verdict
		// beside attribution either, nor have the others: its incremental
		// is one of several, and so is every share among the channels.
		if rv := rivalledAmong(r, rows); fitWarned(r) == nil && len(rv) > 0 {
			why := fmt.Sprintf("no verdict on agreement: curves that predict the held-out %ss as well put %s's return on both sides of break-even (%s; see the warnings), so the mix model's shares among these channels are one of several", r.Period, strings.Join(rv, "'s and "), mix.WarnCurvesDisagree)
			for i := range rows {
				rows[i].Disagrees = []string{}
				for j := range rows[i].ByModel {
					if rows[i].ByModel[j].Withheld == "" {
						rows[i].ByModel[j].Disagrees = false
						rows[i].ByModel[j].Withheld = why
					}
				}
			}
		}
		rep.Comparison, rep.ComparisonMeasure = rows, attr.measure
		rep.ComparisonPeriod = comparisonPeriod(data.Weeks, from, until, weeks)
		notes = append(rep.ComparisonPeriod.notes(), notes...)
		for _, row := range rows {
			if row.MixShare.Widened {
				notes = append(notes, fmt.Sprintf("%s's mix share %s is at an end of its interval: the bootstrap refits' 2.5%% to 97.5%% range of shares leaves out the estimate (they lean away from the chosen carry-over and saturation), and the interval is widened to reach it; read it as one-sided", row.Channel, pct(row.MixShare.Value)))
			}
			for _, ms := range row.ByModel {
				if ms.Withheld != "" && !slices.Contains(notes, ms.Withheld) {
					notes = append(notes, ms.Withheld)
				}
			}
		}
		rep.ComparisonModels = comparisonModels(attr, rows)
		rep.ComparisonNotes = append(cmpNotes, notes...)
		for _, n := range rep.ComparisonNotes {
			fmt.Fprintf(stderr, "leadscore mix: --attribution: %s\n", n)
		}
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	case "csv":
		err = rep.writeCSV(stdout)
	case "html":
		err = rep.writeHTML(stdout, *currency)
	case "markdown":
		rep.write(stdout, true)
	default:
		rep.write(stdout, false)
	}
	if err != nil {
		return fail("%v", err)
	}
	if failed > 0 {
		return exitProblem
	}
	return exitOK
}

// weekEnd is the last day of the week that starts on day (2006-01-02).
// inFile is err as file:line: message when it is about one line (a
// mix.LineError), file: message otherwise.
func inFile(file string, err error) string {
	var le *mix.LineError
	if errors.As(err, &le) {
		return fmt.Sprintf("%s:%d: %v", file, le.Line, le.Err)
	}
	return fmt.Sprintf("%s: %v", file, err)
}

// datesNote is "; " and what a file's dates were found to be, when its
// period column was a date column: "" otherwise.
func datesNote(n mix.Counts) string {
	if n.Dates == "" {
		return ""
	}
	return "; " + n.Dates
}

func weekEnd(day string) string {
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return d.AddDate(0, 0, 6).Format("2006-01-02")
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// mixReport is the mix command's report: the model's result and what it
// was fitted to.
type mixReport struct {
	KPI  string `json:"kpi"`
	From string `json:"from"`
	To   string `json:"to"`
	// KPIFrom says how --kpi-from derived the KPI and reconciles its
	// counts; Costs how --costs became weekly spend.
	KPIFrom *derivedKPI `json:"kpi_from,omitempty"`
	Costs   *costInputs `json:"costs,omitempty"`
	// Activity says which touches per week --activity added as controls.
	Activity *activityInputs `json:"activity,omitempty"`
	*mix.Result
	// Comparison sets each channel's share of incremental KPI beside its
	// shares of credit under the attribution models (--attribution), in
	// ComparisonMeasure (revenue or conversions); ComparisonNotes say
	// which channels one side has and the other not.
	Comparison        []comparisonRow `json:"comparison,omitempty"`
	ComparisonModels  []string        `json:"comparison_models,omitempty"`
	ComparisonMeasure string          `json:"comparison_measure,omitempty"`
	ComparisonNotes   []string        `json:"comparison_notes,omitempty"`
	ComparisonPeriod  *periods        `json:"comparison_period,omitempty"`
}

// fitWarned is the fit-quality warning (implausible_baseline, poor_fit,
// penalty_at_edge) that withholds every verdict, or nil.
func fitWarned(r *mix.Result) *mix.Warning {
	for i, w := range r.Warnings {
		if w.Kind == mix.WarnImplausibleBaseline || w.Kind == mix.WarnPoorFit || w.Kind == mix.WarnPenaltyAtEdge {
			return &r.Warnings[i]
		}
	}
	return nil
}

// rivalledAmong are the compared channels whose verdicts are withheld
// because rival curves put their returns on both sides of break-even.
func rivalledAmong(r *mix.Result, rows []comparisonRow) []string {
	var out []string
	for _, w := range r.Warnings {
		if w.Kind != mix.WarnCurvesDisagree {
			continue
		}
		for _, row := range rows {
			if slices.Contains(w.Channels, row.Channel) {
				out = append(out, row.Channel)
			}
		}
	}
	return out
}

// fitWithheld is the reason given where a comparison's verdict is
// withheld because the fit's quality is warned of.
func fitWithheld(w *mix.Warning) string {
	return "no verdict on agreement: the fit's quality is warned of (" + w.Kind + "; see the warnings), so the mix model's figures are not supported"
}

// periods are the periods the comparison sets side by side: the mix
// model's weeks its shares are over, and the attribution's journeys'
// days as given (empty: not given).
type periods struct {
	MixFrom          string `json:"mix_from"`
	MixTo            string `json:"mix_to"`
	MixWeeks         int    `json:"mix_weeks"`
	AttributionFrom  string `json:"attribution_from,omitempty"`
	AttributionUntil string `json:"attribution_until,omitempty"`
}

// comparisonPeriod is the mix weeks that overlap from..until (the n weeks
// SharesIn took) and the attribution period.
func comparisonPeriod(weeks []time.Time, from, until time.Time, n int) *periods {
	p := &periods{MixWeeks: n}
	for _, w := range weeks {
		if (from.IsZero() || !w.AddDate(0, 0, 7).Before(from.AddDate(0, 0, 1))) && (until.IsZero() || !w.After(until)) {
			if p.MixFrom == "" {
				p.MixFrom = w.Format("2006-01-02")
			}
			p.MixTo = w.AddDate(0, 0, 6).Format("2006-01-02")
		}
	}
	if !from.IsZero() {
		p.AttributionFrom = from.Format("2006-01-02")
	}
	if !until.IsZero() {
		p.AttributionUntil = until.Format("2006-01-02")
	}
	return p
}

// attribution writes the attribution's period.
func (p *periods) attribution() string {
	switch {
	case p.AttributionFrom == "" && p.AttributionUntil == "":
		return "not given"
	case p.AttributionFrom == "":
		return "up to " + p.AttributionUntil
	case p.AttributionUntil == "":
		return "from " + p.AttributionFrom
	}
	return p.AttributionFrom + " to " + p.AttributionUntil
}

// notes warn when the two periods are not known to be the same.
func (p *periods) notes() []string {
	if p.AttributionFrom == "" && p.AttributionUntil == "" {
		return []string{fmt.Sprintf("the attribution report does not say which days its journeys span, so the mix shares are over all the model's weeks (%s to %s), which may not be the attribution's period; give --attribution-from and --attribution-until (the journeys' first and last days) to compare the same period", p.MixFrom, p.MixTo)}
	}
	var out []string
	if p.AttributionFrom == "" || p.AttributionUntil == "" {
		out = append(out, fmt.Sprintf("the attribution's period is open at one end (%s); the mix shares are over the model's weeks %s to %s", p.attribution(), p.MixFrom, p.MixTo))
	}
	if (p.AttributionFrom != "" && p.AttributionFrom != p.MixFrom) || (p.AttributionUntil != "" && p.AttributionUntil != p.MixTo) {
		out = append(out, fmt.Sprintf("the periods differ: the attribution's journeys %s, the mix model's whole weeks that overlap them %s to %s; the model is weekly, and its data may not reach the whole period", p.attribution(), p.MixFrom, p.MixTo))
	}
	return out
}

// sig writes v with 3 significant digits, in groups of thousands.
// A value that is not a number is written "—": no figure, not "NaN".
func sig(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	if v == 0 {
		return "0"
	}
	a := math.Abs(v)
	if a >= 1000 {
		return numfmt.Group(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	}
	d := max(0, 2-int(math.Floor(math.Log10(a))))
	return strconv.FormatFloat(v, 'f', d, 64)
}

func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }

// widenedLegend explains the † beside an interval widened to hold its
// estimate.
const widenedLegend = "† the refits' 2.5% to 97.5% range left the estimate out, so the interval is widened to reach it: the estimate is one end of its interval; read it as one-sided"

// spanW is span with † when the interval was widened to hold its
// estimate.
func spanW(i mix.Interval) string {
	if i.Widened {
		return span(i) + " †"
	}
	return span(i)
}

func span(i mix.Interval) string {
	return fmt.Sprintf("%s (%s to %s)", sig(i.Value), sig(i.Low), sig(i.High))
}

func (r mixReport) write(w io.Writer, md bool) {
	heading := func(s string) {
		if md {
			fmt.Fprintf(w, "\n## %s\n\n", mdHTML.Replace(s))
		} else {
			fmt.Fprintf(w, "\n%s\n", s)
		}
	}
	table := func(head []string, rows [][]string) {
		if md {
			cells := func(row []string) string {
				out := make([]string, len(row))
				for i, c := range row {
					out[i] = mdCell(c)
				}
				return strings.Join(out, " | ")
			}
			fmt.Fprintf(w, "| %s |\n|%s\n", cells(head), strings.Repeat("---|", len(head)))
			for _, row := range rows {
				fmt.Fprintf(w, "| %s |\n", cells(row))
			}
			return
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		tw.Flush()
	}
	if md {
		fmt.Fprintf(w, "# Marketing-mix model: %s\n\n", mdHTML.Replace(r.KPI))
	} else {
		fmt.Fprintf(w, "Marketing-mix model: %s\n", r.KPI)
	}
	line := func(s string) {
		if md {
			fmt.Fprintf(w, "- %s\n", mdHTML.Replace(s))
		} else {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	// para writes a paragraph: in text, wrapped and indented as the
	// lines are; in Markdown, one paragraph.
	para := func(s string) {
		if md {
			fmt.Fprintf(w, "\n%s\n", mdHTML.Replace(s))
			return
		}
		cur := " "
		for _, word := range strings.Fields(s) {
			if len(cur)+1+len(word) > 104 {
				fmt.Fprintln(w, cur)
				cur = " "
			}
			cur += " " + word
		}
		fmt.Fprintln(w, cur)
	}
	per := r.per()
	line(fmt.Sprintf("%d %ss, %s to %s; %d channels", r.Weeks+r.Days, per, r.From, r.To, len(r.Channels)))
	line(fmt.Sprintf("fit on held-out %ss (%d rolling folds, %d %ss): NRMSE %s, MAPE %s; in-sample R² %s",
		per, r.Folds, r.HeldOut.Weeks+r.HeldOut.Days, per, sig(r.HeldOut.NRMSE), pct(r.HeldOut.MAPE), sig(r.InSample.R2)))
	line(fmt.Sprintf("baseline (trend, seasonality, controls): %s of the fitted %s", pct(r.BaselineShare), r.KPI))
	line(fmt.Sprintf("intervals: 95%%, from %d bootstrap refits (seed %d), each choosing adstock and saturation again", r.Bootstrap, r.Seed))
	for _, s := range r.sources() {
		line(s)
	}
	if len(r.Calibration) > 0 {
		line(fmt.Sprintf("calibrated by %s: every figure below is of the calibrated fit", numfmt.Count(len(r.Calibration), "lift test")))
	}

	heading("Channels")
	var rows [][]string
	for _, c := range r.Channels {
		roas, roi, marg := "—", "—", "—" // no return on nothing spent
		if c.Spend > 0 {
			roas, roi, marg = span(c.ROAS), span(c.ROI), sig(c.MarginalROAS.Value)
		}
		rows = append(rows, []string{c.Name, sig(c.Spend), span(c.Incremental), pct(c.Share), roas, roi, marg, c.Verdict})
	}
	table([]string{"channel", "spend", "incremental (95%)", "share", "ROAS (95%)", "ROI (95%)", "marginal ROAS", "verdict"}, rows)
	for _, c := range r.Channels {
		if c.Reason != "" {
			line(fmt.Sprintf("%s: no verdict: %s", c.Name, c.Reason))
		}
	}
	for _, c := range r.Channels {
		if c.ROAS.Widened || c.Incremental.Widened {
			line(fmt.Sprintf("%s: the refits' 2.5%% to 97.5%% range left the estimate out, so the interval is widened to reach it: the estimate is one end of its interval", c.Name))
		}
	}

	if len(r.Calibration) > 0 {
		heading("Calibration with lift tests")
		rows = nil
		fw := fitWarned(r.Result)
		wide := false
		for _, c := range r.Calibration {
			agree := func(ok bool) string {
				if ok {
					return "yes"
				}
				return "no"
			}
			agreed := agree(c.AgreesBefore) + ", " + agree(c.AgreesAfter)
			if fw != nil || c.AgreementWithheld != "" {
				agreed = "withheld"
			}
			wide = wide || c.Before.Widened || c.After.Widened
			rows = append(rows, []string{c.Channel, fmt.Sprintf("%s to %s (%s)", c.Start, c.End, weeksRead(c)),
				span(c.Test), spanW(c.Before), spanW(c.After), agreed})
		}
		table([]string{"channel", "test dates (model weeks)", "test (95%)", "model before (95%)", "model after (95%)", "agree (before, after)"}, rows)
		if fw != nil {
			line("agreement withheld: the fit's quality is warned of (" + fw.Kind + "; see the warnings), so the model's figures beside the tests are not supported")
		} else {
			for _, c := range r.Calibration {
				if c.AgreementWithheld != "" {
					line(c.Channel + ": " + c.AgreementWithheld)
				}
			}
		}
		if wide {
			line(widenedLegend)
		}
		para(fmt.Sprintf("Each figure is the %s the channel's spend in the test's weeks added in those weeks; "+
			"a week the test covers only part of counts for the share of its days it covers. "+
			"Each test pulls the fit toward its result in proportion to its precision against the model's. "+
			"Model and test disagree when each estimate lies outside the other's interval.", r.KPI))
		heading(fmt.Sprintf("Calibration's effect on each channel's %s", r.KPI))
		rows = nil
		for _, s := range r.CalibrationShift {
			tested := "no"
			if s.Tested {
				tested = "yes"
			}
			rows = append(rows, []string{s.Channel, tested, spanW(s.Before), spanW(s.After)})
		}
		table([]string{"channel", "tested", "incremental before (95%)", "incremental after (95%)"}, rows)
		for _, s := range r.CalibrationShift {
			if s.Before.Widened || s.After.Widened {
				line(widenedLegend)
				break
			}
		}
		para("Calibration moves every channel's figure, not only the tested ones': the channels share one least-squares fit. " +
			"The curves of channels no test names and the ridge penalty stay as the uncalibrated fit chose them.")
	}

	heading("Carry-over and saturation")
	rows = nil
	for _, c := range r.Channels {
		ad := r.decay(c.Adstock.Decay)
		if c.Adstock.Kind == mix.Weibull {
			ad = fmt.Sprintf("Weibull, shape %g, scale %g %ss", c.Adstock.Shape, c.Adstock.Scale, per)
		}
		var at2 float64
		for _, p := range c.Curve {
			if p.Multiplier == 2 {
				at2 = p.Incremental
			}
		}
		half, shape := sig(c.Saturation.Half), fmt.Sprintf("%g", c.Saturation.Shape)
		if c.Saturation.Linear {
			half, shape = "none (straight)", "—"
		}
		rows = append(rows, []string{c.Name, ad, half, shape, sig(at2)})
	}
	table([]string{"channel", "adstock", "half-saturation (" + r.perly() + ")", "Hill shape", "incremental at 2x spend"}, rows)

	re := r.Reallocation
	heading(fmt.Sprintf("Reallocation: the same total, %s, each channel within ±%g%%", sig(re.Total), 100*re.Bounds))
	if re.Withheld != "" {
		line("Not a recommendation: " + re.Withheld + ". The split below is shown for reading, not for moving money on.")
	}
	rows = nil
	for _, m := range re.Channels {
		change := sig(m.Change)
		if m.Change > 0 {
			change = "+" + change
		}
		rows = append(rows, []string{m.Name, sig(m.Current), sig(m.Proposed), change})
	}
	table([]string{"channel", "current", "proposed", "change"}, rows)
	effect := fmt.Sprintf("expected effect: %s %s (95%% %s to %s)", signedSig(re.Effect.Value), r.KPI, signedSig(re.Effect.Low), signedSig(re.Effect.High))
	if re.Effect.Widened {
		effect += " †"
	}
	if re.Withheld != "" {
		effect += ", withheld (not a recommendation)"
	}
	line(effect)
	if re.Effect.Widened {
		line(widenedLegend)
	}

	if len(r.Comparison) > 0 {
		heading(fmt.Sprintf("Beside attribution: shares of %s among the %s both name", r.ComparisonMeasure, numfmt.Count(len(r.Comparison), "channel")))
		if p := r.ComparisonPeriod; p != nil {
			line(fmt.Sprintf("mix model: %s to %s (%s); attribution: %s", p.MixFrom, p.MixTo, numfmt.Count(p.MixWeeks, "week"), p.attribution()))
		}
		head := append([]string{"channel", "mix model (95%)"}, r.ComparisonModels...)
		rows = nil
		anyOut, anyThin, anyWide := false, false, false
		for _, c := range r.Comparison {
			mixCell := fmt.Sprintf("%s (%s to %s)", pct(c.MixShare.Value), pct(c.MixShare.Low), pct(c.MixShare.High))
			if c.MixShare.Widened {
				mixCell += " †"
				anyWide = true
			}
			row := []string{c.Channel, mixCell}
			for _, ms := range c.ByModel {
				cell := fmt.Sprintf("%s (%s to %s)", pct(ms.Share.Value), pct(ms.Share.Low), pct(ms.Share.High))
				switch {
				case ms.Disagrees:
					cell += " *"
					anyOut = true
				case ms.Withheld != "":
					cell += " ?"
					anyThin = true
				}
				row = append(row, cell)
			}
			rows = append(rows, row)
		}
		table(head, rows)
		legend := "Attribution intervals: 95%, Wilson, on the conversions credited; for revenue they treat the revenue share as a share of those conversions, so varying deal sizes would widen them."
		if anyOut {
			star := "*"
			if md {
				star = "\\*"
			}
			legend += " " + star + " the two intervals do not overlap: the two disagree."
		}
		if anyThin {
			legend += " ? no verdict either way; why is said below."
		}
		if anyWide {
			legend += " † the mix share is at an end of its interval (see below)."
		}
		para(legend)
		for _, n := range r.ComparisonNotes {
			para(n)
		}
		para("They measure different things. Attribution shares the credit for each won journey among the touches on it: " +
			"a channel that reaches people who would have bought anyway gets credit, and a channel with few tracked touches (TV, print) gets little. " +
			fmt.Sprintf("The mix model estimates what each channel's spend added to the %s week by week, carry-over included, and leaves the rest to the baseline.", r.KPI))
	}

	if len(r.Warnings) > 0 {
		heading("Warnings")
		for _, w := range r.Warnings {
			line(w.Message)
		}
	}
	heading("How to read this")
	line("A mix model reads which " + per + "s' KPI moved with which spend: correlation, not proof of cause.")
	line("Calibrate it with experiments (a holdout or geo test per channel) before moving budget on it.")
}

// sources are the lines that reconcile the derived inputs with their
// files: the KPI (--kpi-from), the costs (--costs), the activity.
func (r mixReport) sources() []string {
	var out []string
	if r.KPIFrom != nil {
		out = append(out, "KPI: "+r.KPIFrom.summary(r.From, r.lastDay()))
	}
	if r.Costs != nil {
		out = append(out, "spend: "+r.Costs.summary(r.From, r.lastDay()))
	}
	if r.Activity != nil {
		out = append(out, "activity: "+r.Activity.summary(r.From, r.lastDay()))
	}
	return out
}

// mdHTML escapes what Markdown would read as raw HTML in text that holds
// names from the data (channels, models, the KPI).
var mdHTML = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// mdCell makes text safe in a Markdown table cell: a pipe would end the
// cell, raw HTML would be rendered, and *, _, `, [ and \ would start
// emphasis, code or links; each is escaped to show as written.
func mdCell(s string) string {
	return mdHTML.Replace(mdPunct.Replace(s))
}

var mdPunct = strings.NewReplacer("\\", "\\\\", "|", "\\|", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]")

// weeksRead says how many days and model weeks a lift test was read as:
// "12 weeks" when it covers whole weeks, else its days, the weeks they
// touch and the weeks' worth they are read as.
func weeksRead(c mix.Calibration) string {
	if c.Days == 7*c.Weeks {
		return numfmt.Count(c.Weeks, "week")
	}
	read := sig(c.WeeksRead) + " weeks"
	if c.WeeksRead == 1 {
		read = "1 week"
	}
	return fmt.Sprintf("%s in %s, read as %s", numfmt.Count(c.Days, "day"), numfmt.Count(c.Weeks, "week"), read)
}

// looksLikeMoney reports whether a KPI column's name reads as an amount of
// money: one of its words (split at anything but letters) names money
// (revenue, value, bookings, profit, margin, a currency) and none names a
// count (leads, deals, signups). "won_revenue" and "deals_value" are
// money; "sales_ready_leads", "pipeline_deals" and "leads_europe" are not.
func looksLikeMoney(name string) bool {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) })
	money, count := false, false
	for _, w := range words {
		switch w {
		case "revenue", "revenues", "value", "amount", "bookings", "booking", "income", "gmv", "arr", "mrr", "acv", "tcv",
			"profit", "profits", "margin", "turnover", "usd", "eur", "gbp", "dollars", "euros", "money", "cash":
			money = true
		case "leads", "lead", "deals", "deal", "count", "signups", "signup", "customers", "accounts", "opportunities", "opps",
			"mqls", "sqls", "visits", "visitors", "users", "trials", "demos", "orders", "units", "arrivals", "number", "qty":
			count = true
		}
	}
	return money && !count || money && slices.Contains(words, "value")
}

// signedSig writes v with its sign, to its significant digits.
func signedSig(v float64) string {
	if v > 0 {
		return "+" + sig(v)
	}
	return sig(v)
}

// decay says a geometric adstock's decay: as it is for weeks; for days,
// per day and the share left after a week (d^7), so it reads beside a
// weekly model's.
func (r mixReport) decay(d float64) string {
	if r.per() == "day" && d > 0 {
		return fmt.Sprintf("geometric, decay %s a day (%s after a week)", strconv.FormatFloat(d, 'f', 3, 64), strconv.FormatFloat(math.Pow(d, 7), 'f', 2, 64))
	}
	return fmt.Sprintf("geometric, decay %g", d)
}

// lastDay is the last day of the modelled periods.
func (r mixReport) lastDay() string {
	if r.per() == "day" {
		return r.To
	}
	return weekEnd(r.To)
}

// per is the model's period, "week" or "day".
func (r mixReport) per() string {
	if r.Result != nil && r.Result.Period == string(mix.Day) {
		return "day"
	}
	return "week"
}

// perly is "weekly" or "daily".
func (r mixReport) perly() string {
	if r.per() == "day" {
		return "daily"
	}
	return "weekly"
}

// writeCSV writes the weekly (daily) decomposition: week, KPI, fitted, baseline and
// each channel's part.
func (r mixReport) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{r.per(), "kpi", "fitted", "baseline"}
	for _, c := range r.Channels {
		head = append(head, c.Name)
	}
	cw.Write(head)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	for _, wk := range r.Decomposition {
		row := []string{wk.Week + wk.Day, f(wk.KPI), f(wk.Fitted), f(wk.Baseline)}
		for _, v := range wk.Channels {
			row = append(row, f(v))
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// spendGaps says what is wrong when a spend file does not fit the KPI's
// periods: rows dated between them (a daily file beside weekly KPI), or a
// period within the spend's own dates with no row for any channel (a
// weekly file beside a daily KPI, or a gap in the export). A channel
// without a row in a period spends nothing then; a period without a row
// for every channel is far more likely missing than a period nothing was
// spent on anywhere, and would count as no spend and bend every return.
// "" when the file fits. (Spread costs are exempt: a day between
// campaigns has no cost.)
func spendGaps(name string, rows []mix.SpendRow, periods []time.Time, period mix.Period) string {
	if len(rows) == 0 || len(periods) == 0 {
		return ""
	}
	step := 7 * 24 * time.Hour
	if period == mix.Day {
		step = 24 * time.Hour
	}
	for i := 1; i < len(periods); i++ {
		if periods[i].Sub(periods[i-1]) != step {
			return "" // the KPI's own gap: the model's checks say so
		}
	}
	on := make(map[time.Time]bool, len(periods))
	for _, p := range periods {
		on[p] = true
	}
	first, last := periods[0], periods[len(periods)-1]
	seen := map[time.Time]bool{}
	var lo, hi time.Time
	for _, r := range rows {
		if r.Week.Before(first) || r.Week.After(last) {
			continue
		}
		if !on[r.Week] {
			prev, next := around(periods, r.Week)
			return fmt.Sprintf("%s:%d: the spend is dated %s, between the KPI's %ss %s and %s; the spend file looks like data of another period than the KPI's: give both files the same %ss (--period %s)",
				name, r.Line, r.Week.Format("2006-01-02"), period, prev.Format("2006-01-02"), next.Format("2006-01-02"), period, period)
		}
		seen[r.Week] = true
		if lo.IsZero() || r.Week.Before(lo) {
			lo = r.Week
		}
		if r.Week.After(hi) {
			hi = r.Week
		}
	}
	missing, example := 0, time.Time{}
	for _, p := range periods {
		if !seen[p] {
			if missing == 0 {
				example = p
			}
			missing++
		}
	}
	if missing == 0 {
		return ""
	}
	return fmt.Sprintf("%s has no row for any channel on %d of the KPI's %d %ss (the first: %s; its rows run %s to %s): a %s with no row for every channel is more likely missing from the export (or a file of another period) than a %s nothing was spent on; give each %s a row per channel, 0 where nothing was spent",
		name, missing, len(periods), period, example.Format("2006-01-02"), lo.Format("2006-01-02"), hi.Format("2006-01-02"), period, period, period)
}

// around is the last of the sorted periods before t and the first after.
func around(periods []time.Time, t time.Time) (prev, next time.Time) {
	for _, p := range periods {
		if p.Before(t) {
			prev = p
		} else if p.After(t) {
			return prev, p
		}
	}
	return prev, t
}
