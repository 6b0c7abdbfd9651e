package backtest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/scoring"
)

// HoldoutSource is what the holdout comparison reads its leads with: the
// definitions, the outcomes and the end of the window. Its populations
// are intent to treat, fixed before and without what sales did:
//
//   - a lead is in the experiment when it came (its creation, or its
//     first event) by T1, or has neither time, and not before the
//     holdout's start (rules.Holdout.In): a lead that came before it is
//     in neither group, counted apart (HoldoutReport.BeforeStart);
//   - it is sales-ready when the definition would have handed it over by
//     T1: the first sales-ready moment of its timeline replayed without
//     sales' dispositions (a recycle or a rejection is what the hand-off
//     caused, so it cannot decide who is compared);
//   - among the sales-ready leads it is won when the deal was won at or
//     after that moment, by T1; among all the leads, when it was won by
//     T1.
//
// No lead is left out for what happened to it in the CRM (an opportunity
// or a decision by T0, as the backtest's own report does): the hand-off
// may have caused those too.
type HoldoutSource struct {
	// Champion is the model's scorer; Challenger the challenger's, for
	// withhold: {challenger: ...} (nil otherwise).
	Champion, Challenger *scoring.Scorer
	Outcomes             map[string]Outcome
	// Until is T1, the end of the window; zero for none.
	Until time.Time
	// CreatedField is the lead's creation time field; "" for created_at.
	CreatedField string
}

// HoldoutMeasured is one lead as the holdout comparison reads it; Measure
// makes it and AddMeasured files it.
type HoldoutMeasured struct {
	lead HoldoutLead
	in   bool // came by T1
	// before: came before the experiment's start (rules.Holdout.In), in
	// neither group
	before bool
	err    error // the champion could not replay it
	chErr  error // the challenger could not score it
}

// Measure reads one lead for the comparison without filing it: it only
// reads c and src, so many goroutines may measure leads at once.
func (c *Holdout) Measure(ctx context.Context, src *HoldoutSource, lead scoring.Lead) (m *HoldoutMeasured) {
	m = &HoldoutMeasured{}
	defer func() {
		if r := recover(); r != nil {
			m.err = fmt.Errorf("internal error: %v", r)
		}
	}()
	if lead.ID == "" {
		m.err = errors.New("the lead has no id")
		return m
	}
	field := src.CreatedField
	if field == "" {
		field = "created_at"
	}
	created, err := createdAt(lead, field)
	if err != nil {
		m.err = err
		return m
	}
	came, _ := lead.Came(field) // created, or without it the first event; its error is created's
	end := src.Until
	if end.IsZero() {
		end = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if !came.IsZero() && came.After(end) {
		return m // not in the experiment yet; a lead with no time at all is taken to have come
	}
	m.in = true
	if !c.h.In(came) {
		m.before = true // came before the experiment's start: in neither group
		return m
	}
	lead.Dispositions = nil // what the definition would have done, whatever sales did
	handoff, ok, err := firstSalesReady(ctx, src.Champion, lead, created, end)
	if err != nil {
		m.err = err
		return m
	}
	l := HoldoutLead{Control: c.h.Control(lead.ID), SalesReady: ok}
	if o, has := src.Outcomes[lead.ID]; has && !o.Won.IsZero() && !o.Won.After(end) {
		l.Won, l.Revenue = true, o.Revenue
		l.WonBeforeHandoff = ok && o.Won.Before(handoff)
	}
	if src.Challenger != nil && c.h.Withhold == dsl.WithholdChallenger {
		_, l.ChallengerSalesReady, m.chErr = firstSalesReady(ctx, src.Challenger, lead, created, end)
	}
	m.lead = l
	return m
}

// firstSalesReady is the first moment s calls the lead sales-ready, up to
// end: on its fit alone, from its creation.
func firstSalesReady(ctx context.Context, s *scoring.Scorer, lead scoring.Lead, created, end time.Time) (time.Time, bool, error) {
	tl, err := s.TimelineTotals(ctx, lead, end)
	if err != nil {
		return time.Time{}, false, err
	}
	r, ok := tl.SalesReadyAt(s)
	if !ok {
		return time.Time{}, false, nil
	}
	at := r.At
	if r.Event == nil && !created.IsZero() && created.Before(at) {
		at = created
	}
	if at.After(end) {
		return time.Time{}, false, nil
	}
	return at, true, nil
}

// AddMeasured files a lead Measure read. A lead that came after T1 is not
// in the experiment; one that came before its start is in neither group,
// and counted (HoldoutReport.BeforeStart); one the champion could not
// replay, or (with a challenger) the challenger could not score, is left
// out of the comparison, whatever its group, and counted
// (HoldoutReport.LeftOut).
func (c *Holdout) AddMeasured(m *HoldoutMeasured) {
	switch {
	case !m.in:
	case m.before:
		c.beforeStart++
	case m.err != nil:
		c.leftOut++
	case m.chErr != nil:
		c.challengerLeftOut++
	default:
		c.Add(m.lead)
	}
}
