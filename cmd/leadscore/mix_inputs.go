package main

import (
	"fmt"
	"io"
	"os"
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
		s = fmt.Sprintf("%s: %s read, %s sales-ready (first moment, timelines as of %s) = %s in the modelled weeks (%s to %s) + %s before + %s after; %s never sales-ready",
			d.File, numfmt.Count(d.Read, "lead"), n(d.Counted), d.AsOf, n(d.In), from, to, n(d.Before), n(d.After), n(d.NotCounted))
		if d.CreatedAfter > 0 {
			s += fmt.Sprintf("; %s created after %s left out", n(d.CreatedAfter), d.AsOf)
		}
	default:
		s = fmt.Sprintf("%s: %s read, %s won = %s in the modelled weeks (%s to %s) + %s before + %s after; %s not won",
			d.File, numfmt.Count(d.Read, "outcome row"), n(d.Counted), n(d.In), from, to, n(d.Before), n(d.After), n(d.NotCounted))
		if d.From == "revenue" {
			s += fmt.Sprintf("; revenue %s = %s in + %s before + %s after", sig(d.ValueIn+d.ValueBefore+d.ValueAfter), sig(d.ValueIn), sig(d.ValueBefore), sig(d.ValueAfter))
			if d.WonWithoutRevenue > 0 {
				s += fmt.Sprintf("; %s won with no revenue count 0", n(d.WonWithoutRevenue))
			}
		}
	}
	return s
}

// kpiFromOutcomes is won deals (what == "won") or their revenue per week
// of the grid, by the week each was won in, from a CRM outcomes file as
// backtest --outcomes reads it.
func kpiFromOutcomes(name, what string, g mix.WeekGrid, onError func(int, error)) (mix.Series, *derivedKPI, error) {
	f, err := os.Open(name)
	if err != nil {
		return mix.Series{}, nil, fmt.Errorf("cannot open %s: %v", name, unwrapPath(err))
	}
	defer f.Close()
	outcomes, n, err := attribution.ReadOutcomes(f, onError)
	if err != nil {
		return mix.Series{}, nil, err
	}
	d := &derivedKPI{From: what, File: name, Read: n.Read, Failed: n.Failed}
	var items []mix.Dated
	for _, o := range outcomes {
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
	return seriesOf(what, g, items, d), d, nil
}

// seriesOf adds up items by week of g into the KPI's series, and their
// counts into d.
func seriesOf(what string, g mix.WeekGrid, items []mix.Dated, d *derivedKPI) mix.Series {
	totals, b := mix.WeeklyTotals(g, items)
	d.Binned = b
	return mix.Series{Weeks: g.Weeks(), Names: []string{kpiFromNames[what]}, Values: [][]float64{totals}}
}

// kpiFromLeads is sales-ready leads per week of the grid: each lead counts
// in the week of the first moment its timeline, replayed with the model up
// to asOf, made it sales-ready, the moment attribute --leads takes as the
// sales_ready milestone.
func kpiFromLeads(c caller, model, leads, events, createdField string, maxRow int, asOf time.Time, g mix.WeekGrid, stderr io.Writer) (mix.Series, *derivedKPI, int) {
	scorer, code := loadScorer(model, stderr)
	if scorer == nil {
		return mix.Series{}, nil, code
	}
	fail := func(format string, a ...any) (mix.Series, *derivedKPI, int) {
		fmt.Fprintf(stderr, "leadscore mix: "+format+"\n", a...)
		return mix.Series{}, nil, exitUsage
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
	d := &derivedKPI{From: "sales-ready", File: leads, AsOf: asOf.Format(time.RFC3339)}
	lopts.OnError = func(e leadfile.RowError) {
		fmt.Fprintln(stderr, e)
		d.Failed++
	}
	var unknown scoring.UnknownTally
	run := &leadsRun{scorer: scorer, asOf: asOf, createdField: createdField, outcomes: map[string]attribution.Outcome{},
		tf: &touchFields{campaign: "campaign", channel: "channel"}, cut: &asOfCut{}, unknown: &unknown}
	var items []mix.Dated
	err = readLeadJourneys(lopts, run, func(line int, j *attribution.Journey, err error) error {
		if err != nil {
			d.Failed += attribution.RowsLost(err)
			fmt.Fprintf(stderr, "%s:%d: %v\n", leads, line, err)
			return nil
		}
		d.Read++
		if at, ok := j.Milestones[attribution.SalesReady]; ok {
			d.Counted++
			items = append(items, mix.Dated{At: at, Value: 1})
		} else {
			d.NotCounted++
		}
		return nil
	})
	if err != nil {
		return fail("%s: %v", leads, err)
	}
	// A lead created after asOf did not exist yet: not read.
	d.CreatedAfter = run.cut.notCreated
	return seriesOf("sales-ready", g, items, d), d, exitOK
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
	File      string  `json:"file"`
	Campaigns int     `json:"campaigns"`
	Total     float64 `json:"total"`
	InWeeks   float64 `json:"in_weeks"`
	Outside   float64 `json:"outside"`
	WeekStart string  `json:"week_start"`
}

func (c *costInputs) summary(from, to string) string {
	return fmt.Sprintf("%s: %s, %s spread over their days' weeks (each week gets the share of a campaign's days it holds; weeks start on %s): %s in the modelled weeks (%s to %s) + %s outside",
		c.File, numfmt.Count(c.Campaigns, "campaign cost"), sig(c.Total), c.WeekStart, sig(c.InWeeks), from, to, sig(c.Outside))
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
