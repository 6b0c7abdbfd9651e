package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

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

// leadsRun is what attribute --leads needs to build the journeys of the
// leads it reads, and what it adds up over them.
type leadsRun struct {
	scorer       *scoring.Scorer
	asOf         time.Time
	createdField string
	strict       bool // unknown data fails the lead
	verdicts     *feedback.Set
	outcomes     map[string]attribution.Outcome
	// seen notes the leads read, for the outcome rows that name none.
	seen *outcomesSeen

	tf      *touchFields
	cut     *asOfCut
	unknown *scoring.UnknownTally
}

// readLeadJourneys reads the leads of opts and calls add with each lead
// row's journey, or its error, in input order; a lead created after --at
// is counted in run.cut and not added. (A variable, so that the tests can
// run the reference, a plain serial loop, in its place.)
var readLeadJourneys = mapLeadJourneys

// firstRowPerLead wraps add so that a lead id given a second time fails
// that later row, naming the first one's line; the first row stands. A
// lead read twice would be counted twice: twice sales-ready, twice
// credited.
func firstRowPerLead(add func(line int, j *attribution.Journey, err error) error) func(line int, j *attribution.Journey, err error) error {
	seen := map[string]int{}
	return func(line int, j *attribution.Journey, err error) error {
		if err == nil && j != nil {
			if first, dup := seen[j.ID]; dup {
				return add(line, nil, fmt.Errorf("lead %s was already given on line %d; give each lead one row (the first is kept)", j.ID, first))
			}
			seen[j.ID] = line
		}
		return add(line, j, err)
	}
}

// leadRow is what one lead row gives: its journey (nil when it failed or
// was created after --at), and its share of the run's counts. It holds
// nothing of the decoded lead.
type leadRow struct {
	id      string
	j       *attribution.Journey
	err     error
	known   bool // the outcomes file has a row for it (outcomesSeen.known)
	later   bool // created after --at
	unknown []rules.Unknown
	tf      touchFields
	cut     asOfCut
}

// mapLeadJourneys is readLeadJourneys on every core: each lead is decoded
// and its journey built by leadfile.Map's workers; the counts are added up
// and the journeys handed to add in input order, by one goroutine.
func mapLeadJourneys(opts leadfile.Options, run *leadsRun, add func(line int, j *attribution.Journey, err error) error) error {
	work := func(_ int, lead scoring.Lead, err error) (r leadRow) {
		r.id, r.known = lead.ID, run.seen.known(lead.ID)
		if err == nil {
			r.unknown = run.scorer.Unknown(lead)
			if len(r.unknown) > 0 && run.strict {
				err = &scoring.UnknownDataError{Unknown: r.unknown}
			}
		}
		if err == nil {
			lead.Dispositions = append(lead.Dispositions, run.verdicts.For(lead.ID)...)
			r.tf = touchFields{campaign: run.tf.campaign, channel: run.tf.channel}
			r.j, err = leadJourney(run.scorer, lead, run.asOf, run.createdField, &r.tf, run.outcomes, &r.cut)
			r.later = err == nil && r.j == nil
		}
		r.err = err
		return r
	}
	use := func(line int, r leadRow) error {
		run.seen.note(r.id, r.known)
		run.unknown.Add(r.unknown)
		run.tf.events += r.tf.events
		run.tf.withCampaign += r.tf.withCampaign
		run.tf.withChannel += r.tf.withChannel
		run.cut.add(&r.cut)
		if r.later {
			return nil
		}
		return add(line, r.j, r.err)
	}
	return leadfile.Map(opts, work, use)
}

// touch is the marketing touch an event is, counted: false when it names
// neither a campaign nor a channel. A touch without a channel is in
// "(none)"; without a campaign, in "(channel)".
func (tf *touchFields) touch(e scoring.Event) (attribution.Touch, bool) {
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
		return attribution.Touch{}, false
	}
	if channel == "" {
		channel = "(none)"
	}
	if campaign == "" {
		campaign = "(" + channel + ")"
	}
	return attribution.Touch{At: e.At, Campaign: campaign, Channel: channel}, true
}

// leadJourney builds a lead's journey: touches from its events' campaign
// and channel fields, lead creation from a field, the sales-ready moment
// and sales' acceptance from its scoring timeline, opportunity, won and
// revenue from the CRM. It returns nil, and no error, for a lead created
// after asOf. It is safe to call concurrently when tf and cut are the
// caller's own.
func leadJourney(s *scoring.Scorer, lead scoring.Lead, asOf time.Time, createdField string, tf *touchFields, outcomes map[string]attribution.Outcome, cut *asOfCut) (*attribution.Journey, error) {
	j := &attribution.Journey{ID: lead.ID, Touches: []attribution.Touch{}, Milestones: map[string]time.Time{}}
	created, err := lead.Created(createdField)
	if err != nil {
		return nil, &scoring.Error{LeadID: lead.ID, Err: err}
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
		if t, ok := tf.touch(e); ok {
			j.Touches = append(j.Touches, t)
		}
	}
	if !created.IsZero() {
		j.Milestones[attribution.LeadCreated] = created
	}
	ms, err := s.SalesMilestones(context.Background(), lead, asOf)
	if err != nil {
		var se *scoring.Error
		if errors.As(err, &se) {
			err = se.Err
		}
		return nil, err
	}
	if ms.IsSalesReady {
		j.Milestones[attribution.SalesReady] = ms.SalesReady.At
	}
	if ms.IsAccepted {
		j.Milestones[attribution.SalesAccepted] = ms.Accepted
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

// add adds the counts of o.
func (c *asOfCut) add(o *asOfCut) {
	c.notCreated += o.notCreated
	c.events += o.events
	c.opportunities += o.opportunities
	c.wins += o.wins
	c.verdicts += o.verdicts
	c.revenue += o.revenue
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
