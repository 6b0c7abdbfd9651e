package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/mix"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// The KPIs mix derives per week from data leadscore reads (--kpi-from),
// and the name each goes by in the report.
var kpiFromNames = map[string]string{
	"won":         "won_deals",
	"revenue":     "won_revenue",
	"sales-ready": "sales_ready_leads",
}

// derivedKPI says where a KPI derived by --kpi-from came from, and where
// what it counted fell against the modelled weeks: In + Before + After is
// every won deal (every sales-ready lead), and with NotCounted every
// outcome row read (every lead read).
type derivedKPI struct {
	From string `json:"from"`
	File string `json:"file"`
	// Read is the outcome rows (leads) read; Failed those that failed.
	Read   int `json:"read"`
	Failed int `json:"failed"`
	// Counted is the won deals (sales-ready leads) among them;
	// NotCounted the rest: outcomes never won, leads never sales-ready.
	Counted    int `json:"counted"`
	NotCounted int `json:"not_counted"`
	mix.Binned
	// WonWithoutRevenue is the won deals with no revenue: 0 in the KPI.
	WonWithoutRevenue int `json:"won_without_revenue,omitempty"`
	// AsOf is when the leads' timelines were replayed up to (sales-ready);
	// CreatedAfter the leads created after it, not read.
	AsOf         string `json:"as_of,omitempty"`
	CreatedAfter int    `json:"created_after_as_of,omitempty"`
	asOf         time.Time
	// per is the modelled periods: week (also the zero value) or day.
	per mix.Period
	// Note warns when the first deal (lead) came after the first modelled
	// week ended, or the last before the last week began: a file that
	// begins after the spend, or was exported before the weeks ended,
	// reads low in those weeks.
	Note string `json:"note,omitempty"`
}

// noun names what the KPI counts.
func (d *derivedKPI) noun() string {
	if d.From == "sales-ready" {
		return "sales-ready lead"
	}
	return "won deal"
}

// summary is the line on stderr and in the report that reconciles the
// KPI's counts.
func (d *derivedKPI) summary(from, to string) string {
	var s string
	n := func(i int) string { return numfmt.Group(strconv.Itoa(i)) }
	switch d.From {
	case "sales-ready":
		s = fmt.Sprintf("%s: %s read, %s sales-ready (first moment, timelines as of %s) = %s in the modelled %ss (%s to %s) + %s before + %s after; %s never sales-ready",
			d.File, numfmt.Count(d.Read, "lead"), n(d.Counted), d.AsOf, n(d.In), d.per, from, to, n(d.Before), n(d.After), n(d.NotCounted))
		if d.CreatedAfter > 0 {
			s += fmt.Sprintf("; %s created after %s left out", n(d.CreatedAfter), d.AsOf)
		}
	default:
		s = fmt.Sprintf("%s: %s read, %s won = %s in the modelled %ss (%s to %s) + %s before + %s after; %s not won",
			d.File, numfmt.Count(d.Read, "outcome row"), n(d.Counted), n(d.In), d.per, from, to, n(d.Before), n(d.After), n(d.NotCounted))
		if d.From == "revenue" {
			s += fmt.Sprintf("; revenue %s = %s in + %s before + %s after", sig(d.ValueIn+d.ValueBefore+d.ValueAfter), sig(d.ValueIn), sig(d.ValueBefore), sig(d.ValueAfter))
			if d.WonWithoutRevenue > 0 {
				s += fmt.Sprintf("; %s won with no revenue count 0", n(d.WonWithoutRevenue))
			}
		}
	}
	if d.Note != "" {
		s += "; warning: " + d.Note
	}
	return s
}

// kpiFromOutcomes is won deals (what == "won") or their revenue per week
// of the grid, by the week each was won in, from a CRM outcomes file as
// backtest --outcomes reads it.
func kpiFromOutcomes(name, what string, g mix.WeekGrid, onError func(int, error)) (mix.Series, *derivedKPI, error) {
	items, d, err := outcomeItems(name, what, onError)
	if err != nil {
		return mix.Series{}, nil, err
	}
	return seriesOf(what, g, items, d), d, nil
}

// outcomeItems is the won deals of a CRM outcomes file, each at its won
// time, worth 1 (what == "won") or its revenue, in the order of their
// lead ids; d counts them.
func outcomeItems(name, what string, onError func(int, error)) ([]mix.Dated, *derivedKPI, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open %s: %v", name, unwrapPath(err))
	}
	defer f.Close()
	outcomes, n, err := attribution.ReadOutcomes(f, onError)
	if err != nil {
		return nil, nil, err
	}
	d := &derivedKPI{From: what, File: name, Read: n.Read, Failed: n.Failed}
	// In the order of the lead ids: float sums in a map's random order
	// would differ in their last bits from run to run.
	ids := make([]string, 0, len(outcomes))
	for id := range outcomes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var items []mix.Dated
	for _, id := range ids {
		o := outcomes[id]
		if o.Won.IsZero() {
			d.NotCounted++
			continue
		}
		d.Counted++
		v := 1.0
		if what == "revenue" {
			v = o.Revenue
			if v == 0 {
				d.WonWithoutRevenue++
			}
		}
		items = append(items, mix.Dated{At: o.Won, Value: v})
	}
	return items, d, nil
}

// spendReach is how far before the first thing the KPI counts (a won
// deal, a lead become sales-ready) and after the last a cost or spend row
// may reach with --kpi-from: a year. The modelled weeks are the spend's,
// so one mistyped year (2204 for 2024) would otherwise stretch them over
// centuries of zero KPI.
const spendReach = 365

// maxModelWeeks is the most weeks mix models: ten years.
const maxModelWeeks = 522

// datedRow is a cost or spend row's days and line.
type datedRow struct {
	line       int
	start, end time.Time
}

// farRows fails each row that reaches more than spendReach days before
// the first item or after the last, naming what the items are (noun, in
// file): the first five by their lines, the rest only counted; it returns
// how many failed. Without items there is no span to hold the rows to.
func farRows(rows []datedRow, items []mix.Dated, noun, file, what string, onError func(int, error)) int {
	if len(items) == 0 {
		return 0
	}
	first, last := items[0].At, items[0].At
	for _, it := range items {
		if it.At.Before(first) {
			first = it.At
		}
		if it.At.After(last) {
			last = it.At
		}
	}
	lo, hi := first.AddDate(0, 0, -spendReach), last.AddDate(0, 0, spendReach)
	n := 0
	for _, r := range rows {
		var beyond string
		switch {
		case r.end.After(hi):
			beyond = fmt.Sprintf("reach %s after the last %s in %s (%s)", daysText(r.end.Sub(last)), noun, file, last.UTC().Format("2006-01-02"))
		case r.start.Before(lo):
			beyond = fmt.Sprintf("reach %s before the first %s in %s (%s)", daysText(first.Sub(r.start)), noun, file, first.UTC().Format("2006-01-02"))
		default:
			continue
		}
		n++
		if n > 5 {
			continue
		}
		onError(r.line, fmt.Errorf("the %s's days %s to %s %s; a %s may reach at most a year beyond the KPI's first and last (the modelled weeks are the spend's, and one mistyped date would stretch them over every day between); check the dates (a typo in the year?)",
			what, r.start.Format("2006-01-02"), r.end.Format("2006-01-02"), beyond, what))
	}
	return n
}

// daysText writes a span as days, or years when it is more than one.
func daysText(d time.Duration) string {
	days := int(d.Hours() / 24)
	if days > 730 {
		return fmt.Sprintf("%d years", days/365)
	}
	return numfmt.Count(days, "day")
}

// seriesOf adds up items by week of g into the KPI's series, and their
// counts into d.
func seriesOf(what string, g mix.WeekGrid, items []mix.Dated, d *derivedKPI) mix.Series {
	totals, b := mix.WeeklyTotals(g, items)
	d.Binned = b
	per := g.Period()
	if per == mix.Day {
		d.per = per // zero for weeks: a weekly run's derivedKPI is as before
	}
	var first, last time.Time
	for _, it := range items {
		if first.IsZero() || it.At.Before(first) {
			first = it.At
		}
		if it.At.After(last) {
			last = it.At
		}
	}
	noun, file := "deal was won", "outcomes"
	if what == "sales-ready" {
		noun, file = "lead became sales-ready", "leads"
	}
	var notes []string
	switch {
	case len(g.Weeks()) < 3:
	case len(items) == 0:
		notes = append(notes, fmt.Sprintf("no %s at all: the KPI is 0 every %s", noun, per))
	default:
		if end := g.From.AddDate(0, 0, per.Days()); !first.Before(end) {
			notes = append(notes, fmt.Sprintf("the first %s %s, after the first modelled %s (%s) ended: if the %s begin later than the spend, the first %ss read low; give %s from the spend's first %s", noun, first.UTC().Format(time.RFC3339), per, g.From.Format("2006-01-02"), file, per, file, per))
		}
		if last.Before(g.To) {
			notes = append(notes, fmt.Sprintf("the last %s %s, before the last modelled %s (%s) began: if the %s were exported before the %ss ended, the last %ss read low; export them again, or leave those %ss' spend out", noun, last.UTC().Format(time.RFC3339), per, g.To.Format("2006-01-02"), file, per, per, per))
		}
	}
	d.Note = strings.Join(notes, "; ")
	return mix.Series{Period: g.Period(), Weeks: g.Weeks(), Names: []string{kpiFromNames[what]}, Values: [][]float64{totals}}
}

// readLeadsKPI reads the leads for --kpi-from sales-ready: each lead's
// first moment its timeline, replayed with the model up to asOf, made it
// sales-ready (the moment attribute --leads takes as the sales_ready
// milestone), and, with keepTouches, its events' campaign touches.
// seriesOf bins the moments by week once the weeks are known.
func readLeadsKPI(c caller, model, leads, events, createdField string, maxRow int, asOf time.Time, keepTouches bool, stderr io.Writer) ([]mix.Dated, *derivedKPI, *touchLog, int) {
	scorer, code := loadScorer(model, stderr)
	if scorer == nil {
		return nil, nil, nil, code
	}
	fail := func(format string, a ...any) ([]mix.Dated, *derivedKPI, *touchLog, int) {
		fmt.Fprintf(stderr, "leadscore mix: "+format+"\n", a...)
		return nil, nil, nil, exitUsage
	}
	if err := checkCreatedField(c, scorer.Model(), createdField, createdField != "created_at"); err != nil {
		return fail("%v", err)
	}
	lopts := leadfile.Options{Scorer: scorer, MaxRow: maxRow, NoEvents: events == "" && strings.EqualFold(leadsExt(leads), ".csv"), Bound: true}
	closeLeads, err := openLeadsVia(&lopts, leads, "", events, "", stderr)
	defer closeLeads()
	if err != nil {
		return fail("%v", err)
	}
	d := &derivedKPI{From: "sales-ready", File: leads, AsOf: asOf.Format(time.RFC3339), asOf: asOf}
	lopts.OnError = func(e leadfile.RowError) {
		fmt.Fprintln(stderr, e)
		d.Failed++
	}
	var unknown scoring.UnknownTally
	run := &leadsRun{scorer: scorer, asOf: asOf, createdField: createdField, outcomes: map[string]attribution.Outcome{},
		tf: &touchFields{campaign: "campaign", channel: "channel"}, cut: &asOfCut{}, unknown: &unknown}
	var items []mix.Dated
	// The touches come from the events file, when there is one.
	log := &touchLog{Source: leads, csvNoEvents: lopts.NoEvents}
	if events != "" {
		log.Source = events
	}
	err = readLeadJourneys(lopts, run, firstRowPerLead(func(line int, j *attribution.Journey, err error) error {
		if err != nil {
			d.Failed += attribution.RowsLost(err)
			fmt.Fprintf(stderr, "%s:%d: %v\n", leads, line, err)
			return nil
		}
		d.Read++
		if keepTouches {
			log.add(j)
		} else {
			log.Journeys++
		}
		if at, ok := j.Milestones[attribution.SalesReady]; ok {
			d.Counted++
			items = append(items, mix.Dated{At: at, Value: 1})
		} else {
			d.NotCounted++
		}
		return nil
	}))
	if err != nil {
		return fail("%s: %v", leads, err)
	}
	// A lead created after asOf did not exist yet: not read.
	d.CreatedAfter = run.cut.notCreated
	return items, d, log, exitOK
}

// touchLog is the campaign touches of the journeys mix read: they name
// the channels of campaigns (--costs without a channel column) and give
// the activity per channel (--activity).
type touchLog struct {
	Source   string
	Journeys int
	// csvNoEvents is CSV leads read without an events file: no touches.
	csvNoEvents bool
	touches     []attribution.Touch // At, Campaign and Channel only
}

// noChannel is the channel attribute --leads gives a touch whose event
// has a campaign and no channel.
const noChannel = "(none)"

// noTouchesFix says how to give touches when none were read.
func (l *touchLog) noTouchesFix() string {
	if l.csvNoEvents {
		return "CSV leads carry their touches in an events file: give it with --events"
	}
	return "give journeys whose touches name their campaigns (a campaign field on the events)"
}

func (l *touchLog) add(j *attribution.Journey) {
	l.Journeys++
	for _, t := range j.Touches {
		ch := t.Channel
		if ch == noChannel {
			ch = "" // attribute's name for a touch without one: no channel to model
		}
		l.touches = append(l.touches, attribution.Touch{At: t.At, Campaign: t.Campaign, Channel: ch})
	}
}

// readJourneyTouches reads the touches of a journeys file (NDJSON, as
// attribute --journeys reads it); a journey that cannot be read is named
// on stderr and counted.
func readJourneyTouches(name string, stderr io.Writer) (*touchLog, int, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot open it: %v", unwrapPath(err))
	}
	defer f.Close()
	log := &touchLog{Source: name}
	failed := 0
	err = attribution.ReadNDJSON(f, func(line int, j *attribution.Journey, err error) error {
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "%s:%d: %v\n", name, line, err)
			return nil
		}
		log.add(j)
		return nil
	})
	return log, failed, err
}

// campaignChannels is each campaign's channel as attribute takes it: the
// channel most of its touches came through, the first by name on a tie;
// split lists the campaigns touched through more than one.
func (l *touchLog) campaignChannels() (channel map[string]string, split []string, counts map[string]map[string]int) {
	counts = map[string]map[string]int{}
	for _, t := range l.touches {
		if counts[t.Campaign] == nil {
			counts[t.Campaign] = map[string]int{}
		}
		counts[t.Campaign][t.Channel]++
	}
	channel = map[string]string{}
	for campaign, by := range counts {
		// Touches without a channel say nothing of it: a campaign with
		// only those gets "", for mapCampaigns to refuse.
		delete(by, "")
		best, n := "", -1
		for ch, c := range by {
			if c > n || c == n && ch < best {
				best, n = ch, c
			}
		}
		channel[campaign] = best
		if len(by) > 1 {
			split = append(split, campaign)
		}
	}
	slices.Sort(split)
	return channel, split, counts
}

// campaignMap says how --costs campaigns without a channel were given
// one: by the touches of Source's journeys.
type campaignMap struct {
	Source string `json:"source"`
	// Mapped is the campaigns given a channel; Split those of them whose
	// touches came through more than one channel (all their cost goes to
	// the channel of most).
	Mapped int      `json:"mapped"`
	Split  []string `json:"split,omitempty"`
	// touches is each campaign's touches per channel (with a channel).
	touches map[string]map[string]int
}

// mapCampaigns gives each cost row without a channel (a costs file with
// no channel column, as attribute --costs reads) the channel of its
// campaign's touches; a campaign no journey touched fails its row, counted
// in n. With a channel column, rows are returned as they are.
func mapCampaigns(rows []mix.CostRow, touches *touchLog, n *mix.Counts, onError func(int, error)) ([]mix.CostRow, *campaignMap, error) {
	need := false
	for _, r := range rows {
		need = need || r.Channel == ""
	}
	if !need {
		return rows, nil, nil
	}
	if touches == nil {
		return nil, nil, fmt.Errorf("the costs file has no channel column, and the model is by channel; add a channel column, or give the journeys (--journeys, or --leads) whose touches say each campaign's channel, as attribute does")
	}
	if len(touches.touches) == 0 {
		return nil, nil, fmt.Errorf("no campaign touch was read from %s (%s), so no campaign's channel is known; %s, or add a channel column to the costs file",
			touches.Source, numfmt.Count(touches.Journeys, "journey"), touches.noTouchesFix())
	}
	channel, split, counts := touches.campaignChannels()
	m := &campaignMap{Source: touches.Source, touches: counts}
	out := rows[:0]
	used := map[string]bool{}
	for _, r := range rows {
		ch, ok := channel[r.Campaign]
		if !ok {
			n.Read--
			n.Failed++
			onError(r.Line, fmt.Errorf("campaign %q touched no journey of %s, so its channel is not known; check the name against the campaigns the events carry (case counts), or add a channel column", r.Campaign, touches.Source))
			continue
		}
		if ch == "" {
			n.Read--
			n.Failed++
			onError(r.Line, fmt.Errorf("campaign %q's touches in %s carry no channel, so its channel is not known; add a channel column to the costs file, or give the events a channel field", r.Campaign, touches.Source))
			continue
		}
		r.Channel = ch
		if !used[r.Campaign] {
			used[r.Campaign] = true
			m.Mapped++
		}
		out = append(out, r)
	}
	for _, c := range split {
		if used[c] {
			m.Split = append(m.Split, c)
		}
	}
	return out, m, nil
}

// activityInputs says what --activity added: a control per channel
// without spend, its touches per week, and where the touches fell.
type activityInputs struct {
	Source   string   `json:"source"`
	Journeys int      `json:"journeys"`
	Controls []string `json:"controls"`
	// WithSpend is the channels whose touches were left out: they have
	// spend in the model.
	WithSpend []string `json:"with_spend,omitempty"`
	// Bought is the channels without spend of their own whose touches
	// were left out all the same: a campaign with a cost (--costs) was
	// touched through them, so their touches are partly bought.
	Bought []string `json:"bought_by_costed_campaigns,omitempty"`
	// NoChannel is the touches without a channel: no control's.
	NoChannel int `json:"touches_without_channel,omitempty"`
	// NoneInWeeks is the channels whose touches all fell outside the
	// modelled weeks: a control of zeros says nothing, so none is added.
	NoneInWeeks []string `json:"no_touches_in_periods,omitempty"`
	// Warnings name controls whose channel differs only in case from a
	// channel with spend ("Search", "search"): one channel spelt two ways
	// would be both a control and a channel.
	Warnings []string `json:"warnings,omitempty"`
	mix.Binned
}

// activityControls counts the touches of each channel with no spend per
// week of weeks: controls named touches_<channel>. A channel that a
// campaign in costed (the campaigns of --costs) was touched through is
// not a channel without spend: its touches are left out and it is named
// in Bought.
func activityControls(l *touchLog, weeks []time.Time, spend []mix.Channel, costed map[string]bool) ([]mix.Control, *activityInputs) {
	a := &activityInputs{Source: l.Source, Journeys: l.Journeys}
	withSpend := map[string]bool{}
	for _, c := range spend {
		withSpend[c.Name] = true
	}
	bought := map[string]bool{}
	for _, t := range l.touches {
		if costed[t.Campaign] && !withSpend[t.Channel] && !bought[t.Channel] {
			bought[t.Channel] = true
			a.Bought = append(a.Bought, t.Channel)
		}
	}
	slices.Sort(a.Bought)
	g := mix.WeekGrid{From: weeks[0], To: weeks[len(weeks)-1]}
	by := map[string][]mix.Dated{}
	var names []string
	for _, t := range l.touches {
		if withSpend[t.Channel] {
			if !slices.Contains(a.WithSpend, t.Channel) {
				a.WithSpend = append(a.WithSpend, t.Channel)
			}
			continue
		}
		if bought[t.Channel] {
			continue
		}
		if t.Channel == "" {
			a.NoChannel++
			continue
		}
		if by[t.Channel] == nil {
			names = append(names, t.Channel)
		}
		by[t.Channel] = append(by[t.Channel], mix.Dated{At: t.At, Value: 1})
	}
	slices.Sort(names)
	slices.Sort(a.WithSpend)
	var controls []mix.Control
	for _, ch := range names {
		totals, b := mix.WeeklyTotals(g, by[ch])
		a.In, a.Before, a.After = a.In+b.In, a.Before+b.Before, a.After+b.After
		a.ValueIn, a.ValueBefore, a.ValueAfter = float64(a.In), float64(a.Before), float64(a.After)
		if b.In == 0 {
			a.NoneInWeeks = append(a.NoneInWeeks, ch)
			continue
		}
		for _, c := range spend {
			if strings.EqualFold(c.Name, ch) {
				a.Warnings = append(a.Warnings, fmt.Sprintf("the touches' channel %q differs only in case from the spend's channel %q: if they are one channel, write one name in both files (its touches are partly what its spend bought)", ch, c.Name))
			}
		}
		controls = append(controls, mix.Control{Name: "touches_" + ch, Values: totals})
		a.Controls = append(a.Controls, "touches_"+ch)
	}
	return controls, a
}

func (a *activityInputs) summary(from, to string) string {
	var s string
	if len(a.Controls) > 0 || len(a.NoneInWeeks) > 0 {
		ctl := "no control"
		if len(a.Controls) > 0 {
			ctl = "controls " + strings.Join(a.Controls, ", ")
		}
		s = fmt.Sprintf("%s: %s on channels without spend, in %s: %s in the modelled weeks (%s to %s) + %s before + %s after; %s",
			a.Source, numfmt.Count(a.In+a.Before+a.After, "touch"), numfmt.Count(a.Journeys, "journey"), numfmt.Group(strconv.Itoa(a.In)), from, to,
			numfmt.Group(strconv.Itoa(a.Before)), numfmt.Group(strconv.Itoa(a.After)), ctl)
	} else {
		s = fmt.Sprintf("%s: no touch of %s is on a channel without spend, so no control", a.Source, numfmt.Count(a.Journeys, "journey"))
	}
	if len(a.WithSpend) > 0 {
		s += "; the touches of " + strings.Join(a.WithSpend, ", ") + " left out: those channels have spend, and the touches it bought would take its effect away"
	}
	if len(a.NoneInWeeks) > 0 {
		s += "; no control for " + strings.Join(a.NoneInWeeks, ", ") + ": none of its touches is in the modelled weeks"
	}
	for _, w := range a.Warnings {
		s += "; warning: " + w
	}
	if a.NoChannel > 0 {
		s += fmt.Sprintf("; %s without a channel left out", numfmt.Count(a.NoChannel, "touch"))
	}
	if len(a.Bought) > 0 {
		s += "; the touches of " + strings.Join(a.Bought, ", ") + " left out too: campaigns with a cost were touched through them, so their touches are partly bought"
	}
	return s
}

func leadsExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// costInputs says how campaign costs with dates (--costs) became weekly
// spend: what they add up to, and how much of it fell in the modelled
// weeks.
type costInputs struct {
	File string `json:"file"`
	// Rows is the cost rows used; Campaigns each campaign with its
	// channel and cost, by name.
	Rows      int            `json:"rows"`
	Campaigns []costCampaign `json:"campaigns"`
	Total     float64        `json:"total"`
	InWeeks   float64        `json:"in_periods"`
	Outside   float64        `json:"outside"`
	WeekStart string         `json:"week_start,omitempty"`
	// Mapped says how campaigns without a channel got one.
	Mapped *campaignMap `json:"channels_from,omitempty"`
	// per is the modelled periods: week (also the zero value) or day.
	per mix.Period
}

// costCampaign is one campaign of the costs file: the channel its cost
// went to, its cost over its rows, and, when the channel came from the
// touches, its touches per channel.
type costCampaign struct {
	Campaign string         `json:"campaign"`
	Channel  string         `json:"channel"`
	Cost     float64        `json:"cost"`
	Touches  map[string]int `json:"touches,omitempty"`
}

// newCostInputs sums the cost rows by campaign (rows with a channel
// column may give one campaign on two channels: two entries).
func newCostInputs(file string, rows []mix.CostRow, anchor time.Time, mapped *campaignMap) *costInputs {
	c := &costInputs{File: file, Rows: len(rows), WeekStart: anchor.Weekday().String(), Mapped: mapped, Campaigns: []costCampaign{}}
	at := map[[2]string]int{}
	for _, r := range rows {
		c.Total += r.Cost
		k := [2]string{r.Campaign, r.Channel}
		i, ok := at[k]
		if !ok {
			i = len(c.Campaigns)
			at[k] = i
			cc := costCampaign{Campaign: r.Campaign, Channel: r.Channel}
			if mapped != nil {
				cc.Touches = mapped.touches[r.Campaign]
			}
			c.Campaigns = append(c.Campaigns, cc)
		}
		c.Campaigns[i].Cost += r.Cost
	}
	slices.SortFunc(c.Campaigns, func(a, b costCampaign) int {
		if a.Campaign != b.Campaign {
			return strings.Compare(a.Campaign, b.Campaign)
		}
		return strings.Compare(a.Channel, b.Channel)
	})
	return c
}

func (c *costInputs) summary(from, to string) string {
	s := c.spread(from, to)
	if m := c.Mapped; m != nil {
		s += fmt.Sprintf("; %s, each given the channel most of its touches in %s came through", numfmt.Count(m.Mapped, "campaign"), m.Source)
		if len(m.Split) > 0 {
			var each []string
			for _, name := range m.Split {
				by := m.touches[name]
				chs := make([]string, 0, len(by))
				for ch := range by {
					chs = append(chs, ch)
				}
				slices.SortFunc(chs, func(a, b string) int {
					if by[a] != by[b] {
						return by[b] - by[a]
					}
					return strings.Compare(a, b)
				})
				var parts []string
				for _, ch := range chs {
					parts = append(parts, fmt.Sprintf("%s %s", numfmt.Group(strconv.Itoa(by[ch])), ch))
				}
				each = append(each, fmt.Sprintf("%s: %s touches, all its cost to %s", name, strings.Join(parts, ", "), chs[0]))
			}
			s += fmt.Sprintf(" (through more than one channel: %s)", strings.Join(each, "; "))
		}
	}
	return s
}

func (c *costInputs) spread(from, to string) string {
	n := 0
	seen := map[string]bool{}
	for _, cc := range c.Campaigns {
		if !seen[cc.Campaign] {
			seen[cc.Campaign] = true
			n++
		}
	}
	if c.per == mix.Day {
		return fmt.Sprintf("%s: %s (%s), %s spread over their days (each day an equal share of its campaign's cost): %s in the modelled days (%s to %s) + %s outside",
			c.File, numfmt.Count(c.Rows, "cost row"), numfmt.Count(n, "campaign"), sig(c.Total), sig(c.InWeeks), from, to, sig(c.Outside))
	}
	return fmt.Sprintf("%s: %s (%s), %s spread over their days' weeks (each week gets the share of a campaign's days it holds; weeks start on %s): %s in the modelled weeks (%s to %s) + %s outside",
		c.File, numfmt.Count(c.Rows, "cost row"), numfmt.Count(n, "campaign"), sig(c.Total), c.WeekStart, sig(c.InWeeks), from, to, sig(c.Outside))
}

// weekdays are the names --week-start takes.
var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

// anchorOn is a day that falls on wd: a week of the grid starts on it.
func anchorOn(wd time.Weekday) time.Time {
	a := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // a Monday
	return a.AddDate(0, 0, (int(wd)-int(time.Monday)+7)%7)
}

// costsOutside is what of the spread spend falls on no week of weeks.
func costsOutside(rows []mix.SpendRow, weeks []time.Time) float64 {
	in := map[time.Time]bool{}
	for _, w := range weeks {
		in[w] = true
	}
	out := 0.0
	for _, r := range rows {
		if !in[r.Week] {
			out += r.Spend
		}
	}
	return out
}
