package scoring

import (
	"context"
	"slices"
	"time"

	"github.com/leadscore/leadscore/internal/friend"
)

// Timeline is a lead's score replayed event by event: what each event did
// to the score, and when the lead first reached each stage.
type Timeline struct {
	LeadID string `json:"id,omitempty"`
	// Points has a point for the lead before its first event, then one per
	// event at or before the as-of time, in time order; with dispositions
	// (Lead.Dispositions), one per disposition and one where a recycle's
	// hold-down ends, too.
	Points []TimelinePoint `json:"points"`
	// Reached lists the stages the lead reached, each at the first point
	// where the lead stood on it or higher, bottom of the ladder first.
	Reached []Reached `json:"reached"`
}

// TimelinePoint is the score as of one event, counting it and those before.
type TimelinePoint struct {
	At time.Time `json:"at"`
	// Event is the event of this point; nil for the point before the first.
	Event      *Event  `json:"event,omitempty"`
	Total      float64 `json:"total"`
	Delta      float64 `json:"delta"` // the change of the total from the point before
	Stage      string  `json:"stage,omitempty"`
	SalesReady bool    `json:"sales_ready"`
	Fired      []Fired `json:"-"`
	// Disposition is sales' verdict of this point (nil for an event's
	// point): a recycle's point shows the score with the reset events out.
	Disposition *Disposition `json:"disposition,omitempty"`
	// HoldEnded marks the point where a recycle's hold-down ends, so the
	// lead may stand on the sales-ready stage again without a new event.
	HoldEnded bool `json:"hold_ended,omitempty"`
}

// Reached is the moment a lead first reached a stage, and the event that
// pushed it there (nil when its fit alone put it there, before any event).
type Reached struct {
	Stage string    `json:"stage"`
	At    time.Time `json:"at"`
	Event *Event    `json:"event,omitempty"`
}

// Timeline replays a lead's events in time order up to the as-of time. The
// score is taken just after each event; between events a score can still
// fall as decay ages the events, which the points do not show.
//
// Each point is the score of the lead with the events up to it, but the
// replay does not score every point from scratch: it keeps the event
// aggregates (events(), daysSinceLast()) up to date event by event, and
// keeps only the events that can still change a later point (see replay),
// so a lead's timeline takes time linear in its events for the usual
// rules. The points are the very results Score gives.
func (s *Scorer) Timeline(lead Lead, asOf time.Time) (*Timeline, error) {
	return s.TimelineContext(context.Background(), lead, asOf)
}

// TimelineContext is Timeline, stopped when ctx is done: each point is a
// ScoreContext with its own budget (see rules.Limits), and the context is
// also checked between points.
func (s *Scorer) TimelineContext(ctx context.Context, lead Lead, asOf time.Time) (*Timeline, error) {
	return s.timeline(ctx, lead, asOf, false)
}

// TimelineTotals is TimelineContext whose points carry no Fired list (and
// whose scores list no unknown data): for tools that read only each
// point's total, stage and sales-readiness, at less cost. The points are
// otherwise TimelineContext's, and so are the errors.
func (s *Scorer) TimelineTotals(ctx context.Context, lead Lead, asOf time.Time) (*Timeline, error) {
	return s.timeline(ctx, lead, asOf, true)
}

// timeline is TimelineContext, with lean points when lean is set.
func (s *Scorer) timeline(ctx context.Context, lead Lead, asOf time.Time, lean bool) (*Timeline, error) {
	tl, _, err := s.timelineScore(ctx, lead, asOf, lean, false, nil)
	return tl, err
}

// TimelineScore is for package backtest (the key closes it to other
// callers; see internal/friend): TimelineContext (TimelineTotals when
// lean is set) and ScoreContext of the lead as of asOf, from one replay,
// the score taken as one more point of it, at asOf. ok is false when the
// replay cannot vouch that its score is ScoreContext's, and the caller
// then calls the two for their results and errors:
//
//   - when either fails (the first failure of a replay need not be the
//     one ScoreContext names);
//   - for a lead with dispositions;
//   - with RefuseUnknown, for a lead carrying data the model does not
//     declare: the replay keeps only the events some rule reads, so it
//     sees not all of them;
//   - when the steps of the score at asOf, with those a score of every
//     event would spend on the events the replay dropped counted back at
//     their most, may exceed the model's Limits.MaxSteps, where
//     ScoreContext may fail.
//
// With ok, the timeline is the call's, and the result is ScoreContext's
// but for Result.Unknown, left nil (ask Scorer.Unknown).
func (s *Scorer) TimelineScore(k friend.Key, ctx context.Context, lead Lead, asOf time.Time, lean bool) (tl *Timeline, res *Result, ok bool) {
	if k.Check() != nil || !s.mayVouch(lead) {
		return nil, nil, false
	}
	tl, res, err := s.timelineScore(ctx, lead, asOf, lean, true, nil)
	if err != nil || res == nil {
		return nil, nil, false
	}
	return tl, res, true
}

// mayVouch reports whether TimelineScore may vouch for the lead's score:
// not for a lead with dispositions, nor, with RefuseUnknown, for one
// carrying data the model does not declare (see TimelineScore).
func (s *Scorer) mayVouch(lead Lead) bool {
	return len(lead.Dispositions) == 0 && (s.unknown != RefuseUnknown || len(unknowns(s.model, lead)) == 0)
}

// TimelineScoreTrace is TimelineScore that also keeps, in history, the
// lead's history as AppendTrace keeps it (for AppendTraceOf): every point
// of the timeline up to asOf, kept as the timeline scores it. kept is
// false when it could not: the timeline failed or was not replayed, or
// the lead cannot be kept (AppendTrace then says so).
func (s *Scorer) TimelineScoreTrace(k friend.Key, ctx context.Context, lead Lead, asOf time.Time, lean bool, history []byte) (tl *Timeline, res *Result, ok bool, out []byte, kept bool) {
	if k.Check() != nil || !s.mayVouch(lead) || !s.ladderKept() {
		return nil, nil, false, history, false
	}
	w := newTraceWriter(s, history)
	tl, res, err := s.timelineScore(ctx, lead, asOf, lean, true, w)
	kept = err == nil && !w.again
	if kept {
		w.dst = append(w.dst, tagEnd)
	}
	if err != nil || res == nil {
		return nil, nil, false, w.dst, kept
	}
	return tl, res, true, w.dst, kept
}

// timelineScore is timeline and, when final is set, the lead's score as
// of asOf from the same replay, or nil when it cannot vouch for it (see
// TimelineScore).
func (s *Scorer) timelineScore(ctx context.Context, lead Lead, asOf time.Time, lean, final bool, trace *traceWriter) (*Timeline, *Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if len(lead.Dispositions) > 0 {
		if err := s.CheckDispositions(lead.Dispositions); err != nil {
			return nil, nil, &Error{LeadID: lead.ID, Err: err}
		}
	}
	points := 1 // the point before the first event, then one an event (and more with dispositions)
	for _, e := range lead.Events {
		if !e.At.After(asOf) {
			points++
		}
	}
	tl := &Timeline{LeadID: lead.ID, Points: make([]TimelinePoint, 0, points)}
	m := s.model
	reached := make([]bool, len(m.Stages))
	var last *replay
	var lastPrefix []Event
	visit := func(r *replay, at time.Time, prefix []Event, ev *Event, mo *moment) error {
		last, lastPrefix = r, prefix
		if trace != nil {
			r.trace, trace.byEvent = trace, ev != nil
		}
		res, err := r.scoreAs(ctx, prefix, at, lean)
		if err != nil {
			return err
		}
		p := TimelinePoint{At: at, Event: ev, Total: res.Total, Stage: res.Stage, SalesReady: res.SalesReady, Fired: res.Fired}
		if mo != nil {
			p.Disposition, p.HoldEnded = mo.d, mo.release
		}
		if n := len(tl.Points); n > 0 {
			p.Delta = p.Total - tl.Points[n-1].Total
		} else {
			p.Delta = p.Total
		}
		tl.Points = append(tl.Points, p)
		if st := m.Stage(res.Stage); st >= 0 {
			for i := 0; i <= st; i++ {
				if !reached[i] {
					reached[i] = true
					tl.Reached = append(tl.Reached, Reached{Stage: m.Stages[i].ID, At: at, Event: ev})
				}
			}
		}
		return nil
	}
	var r *replay
	err := s.walkWith(ctx, lead, asOf, visit, &r)
	var res *Result
	if err == nil && final && last == r && r != nil {
		// Every event up to asOf is in the replay, whose points only ever
		// move forward in time: scored as of asOf, it is Score's result
		// (see replay), but that Score meets the events the replay
		// dropped too, each with a step a rule and its condition's steps,
		// which may take it over the budget.
		dropped := r.droppedSteps(asOf)
		r.trace = nil // not a point of the timeline
		if res, err = r.scoreAs(ctx, lastPrefix, asOf, false); err == nil {
			res.Unknown = nil // the replay's events are those rules read: not all
			if max := m.Limits().MaxSteps; r.ev == nil || max-r.ev.env.BudgetLeft()+dropped > max {
				res = nil
			}
		}
	}
	r.release() // not on a panic: see release
	if err != nil {
		return nil, nil, err
	}
	return tl, res, nil
}

// SalesMilestones is what attribution reads of a lead's timeline (see
// Timeline): when the lead first stood on the sales-ready stage, and the
// event that put it there, and when sales first accepted it.
type SalesMilestones struct {
	SalesReady   Reached
	IsSalesReady bool
	Accepted     time.Time
	IsAccepted   bool
}

// SalesMilestones replays the lead's timeline up to asOf, as
// TimelineContext does, with the same errors, but keeps none of its
// points: it gives what SalesReadyAt and SalesAcceptedAt say of the
// timeline. It scores every point up to asOf even once both moments are
// known, as a point after them that cannot be scored (an expression that
// fails on it) fails the Timeline, and so the lead.
func (s *Scorer) SalesMilestones(ctx context.Context, lead Lead, asOf time.Time) (SalesMilestones, error) {
	var ms SalesMilestones
	if ctx == nil {
		ctx = context.Background()
	}
	if len(lead.Dispositions) > 0 {
		if err := s.CheckDispositions(lead.Dispositions); err != nil {
			return ms, &Error{LeadID: lead.ID, Err: err}
		}
	}
	m := s.model
	id := m.Stages[m.SalesReady].ID
	err := s.walk(ctx, lead, asOf, func(r *replay, at time.Time, prefix []Event, ev *Event, mo *moment) error {
		res, err := r.scoreAs(ctx, prefix, at, true) // the stage alone
		if err != nil {
			return err
		}
		if !ms.IsSalesReady && m.Stage(res.Stage) >= m.SalesReady {
			ms.SalesReady, ms.IsSalesReady = Reached{Stage: id, At: at, Event: ev}, true
		}
		if !ms.IsAccepted && mo != nil && mo.d != nil && mo.d.Status == Accepted {
			ms.Accepted, ms.IsAccepted = at, true
		}
		return nil
	})
	if err != nil {
		return SalesMilestones{}, err
	}
	return ms, nil
}

// walk replays the lead's events and sales' verdicts up to asOf in time
// order, calling visit at each point of its timeline with the replay, the
// point's time, the events up to it, and its event or verdict moment.
// visit's error stops the walk.
func (s *Scorer) walk(ctx context.Context, lead Lead, asOf time.Time, visit func(r *replay, at time.Time, prefix []Event, ev *Event, mo *moment) error) error {
	var r *replay
	err := s.walkWith(ctx, lead, asOf, visit, &r)
	r.release() // not on a panic: see release
	return err
}

// walkWith is walk, with *rp the replay at hand, for walk to release.
func (s *Scorer) walkWith(ctx context.Context, lead Lead, asOf time.Time, visit func(r *replay, at time.Time, prefix []Event, ev *Event, mo *moment) error, rp **replay) error {
	events := make([]Event, 0, len(lead.Events))
	for _, e := range lead.Events {
		if !e.At.After(asOf) {
			events = append(events, e)
		}
	}
	slices.SortStableFunc(events, func(a, b Event) int { return a.At.Compare(b.At) })
	moments := s.verdictMoments(lead, asOf)
	m := s.model
	var vs *verdicts
	if len(lead.Dispositions) > 0 {
		vs = s.newVerdicts(lead.Dispositions)
	}
	r := s.newReplay(lead)
	r.verdicts = vs
	*rp = r
	step := func(at time.Time, upTo int, ev *Event, mo *moment) error {
		if err := ctx.Err(); err != nil {
			return &Error{LeadID: lead.ID, Err: friend.Stopped(ctx)}
		}
		return visit(r, at, events[:upTo], ev, mo)
	}
	start := asOf
	if len(events) > 0 {
		start = events[0].At
	}
	if len(moments) > 0 && moments[0].at.Before(start) {
		start = moments[0].at
	}
	if err := step(start, 0, nil, nil); err != nil {
		return err
	}
	// Events and sales' verdicts in time order; an event at the moment of
	// a verdict comes first (a recycle resets the events at or before it).
	i := 0
	for k := 0; i < len(events) || k < len(moments); {
		if i < len(events) && (k == len(moments) || !events[i].At.After(moments[k].at)) {
			// A point's event is the walk's copy: nothing writes it again
			// (a recycle below makes a new list).
			ev := &events[i]
			i++
			if err := step(ev.At, i, ev, nil); err != nil {
				return err
			}
			continue
		}
		mo := &moments[k]
		k++
		if h := m.Handoff; mo.d != nil && mo.d.Status == Recycled && h != nil && len(h.ResetTypes) > 0 {
			// The events the recycle resets leave the history: replay the
			// rest afresh from here.
			rest := make([]Event, 0, len(events))
			for _, e := range events[:i] {
				if !resets(h.ResetTypes, e, mo.at) {
					rest = append(rest, e)
				}
			}
			n := len(rest)
			events, i = append(rest, events[i:]...), n
			r.release()
			r = s.newReplay(lead)
			r.verdicts = vs
			*rp = r
		}
		if err := step(mo.at, i, nil, mo); err != nil {
			return err
		}
	}
	return nil
}

// moment is a point of a timeline that is not an event: a disposition,
// or the end of a recycle's hold-down.
type moment struct {
	at      time.Time
	d       *Disposition
	release bool
}

// verdictMoments lists a lead's dispositions at or before asOf, and the
// ends of the hold-downs of its recycles (when no later recycle comes
// first), in time order.
func (s *Scorer) verdictMoments(lead Lead, asOf time.Time) []moment {
	var out []moment
	for i := range lead.Dispositions {
		d := lead.Dispositions[i]
		if !d.At.After(asOf) {
			out = append(out, moment{at: d.At, d: &d})
		}
	}
	slices.SortStableFunc(out, func(a, b moment) int { return a.at.Compare(b.at) })
	if h := s.model.Handoff; h != nil && h.Hold > 0 {
		// A recycle's hold-down ends at a moment of its own unless a later
		// recycle (in this order) comes by then: the next one does if any
		// does, the moments being in time order. One pass from the end
		// finds each recycle's next.
		n := len(out)
		next := -1 // the index of the next recycle after i, -1 for none
		var ends []moment
		for i := n - 1; i >= 0; i-- {
			if out[i].d.Status != Recycled {
				continue
			}
			end := out[i].at.Add(h.Hold)
			later := next >= 0 && !out[next].at.After(end)
			if !later && !end.After(asOf) {
				ends = append(ends, moment{at: end, release: true})
			}
			next = i
		}
		for i := len(ends) - 1; i >= 0; i-- { // in the order the loop forwards appended them
			out = append(out, ends[i])
		}
		slices.SortStableFunc(out, func(a, b moment) int { return a.at.Compare(b.at) })
	}
	return out
}

// SalesAcceptedAt returns when sales first accepted the lead (the SAL
// moment, a milestone for attribution), or ok=false if it did not by the
// timeline's as-of time.
func (tl *Timeline) SalesAcceptedAt() (time.Time, bool) {
	for _, p := range tl.Points {
		if p.Disposition != nil && p.Disposition.Status == Accepted {
			return p.At, true
		}
	}
	return time.Time{}, false
}

// SalesReadyAfter returns the first point after t at which the lead stood
// on the sales-ready stage: after a recycle at t, whether (and when) the
// lead became sales-ready again.
func (tl *Timeline) SalesReadyAfter(t time.Time) (TimelinePoint, bool) {
	for _, p := range tl.Points {
		if p.At.After(t) && p.SalesReady {
			return p, true
		}
	}
	return TimelinePoint{}, false
}

// SalesReadyAt returns when the lead first became sales-ready and the event
// that made it so, or ok=false if it never did by the as-of time.
func (tl *Timeline) SalesReadyAt(s *Scorer) (r Reached, ok bool) {
	id := s.model.Stages[s.model.SalesReady].ID
	for _, x := range tl.Reached {
		if x.Stage == id {
			return x, true
		}
	}
	return Reached{}, false
}

// ReadySpan is when a lead stood on the sales-ready stage in its timeline
// (see Scorer.ReadySpan): what a feedback report needs of it.
type ReadySpan struct {
	// SalesReady: some point of the timeline stood on the sales-ready
	// stage; At is the first such point's time (SalesReadyAt's), Last the
	// latest.
	SalesReady bool
	At, Last   time.Time
}

// SalesReadyAfter reports whether the lead stood on the sales-ready
// stage at some point after t: Timeline.SalesReadyAfter's ok.
func (sp ReadySpan) SalesReadyAfter(t time.Time) bool {
	return sp.SalesReady && sp.Last.After(t)
}

// ReadySpan replays the lead's timeline up to asOf as Timeline does, and
// says when it stood on the sales-ready stage, keeping none of the
// points: the same replay, with the same errors, at a fraction of the
// memory. Its time is linear in the lead's events and dispositions for
// the usual rules, as Timeline's is.
func (s *Scorer) ReadySpan(lead Lead, asOf time.Time) (ReadySpan, error) {
	var sp ReadySpan
	if len(lead.Dispositions) > 0 {
		if err := s.CheckDispositions(lead.Dispositions); err != nil {
			return sp, &Error{LeadID: lead.ID, Err: err}
		}
	}
	ctx := context.Background()
	err := s.walk(ctx, lead, asOf, func(r *replay, at time.Time, prefix []Event, _ *Event, _ *moment) error {
		res, err := r.scoreAs(ctx, prefix, at, true) // the stage alone
		if err != nil {
			return err
		}
		if res.SalesReady {
			if !sp.SalesReady {
				sp.SalesReady, sp.At, sp.Last = true, at, at
			}
			if at.After(sp.Last) {
				sp.Last = at
			}
		}
		return nil
	})
	if err != nil {
		return ReadySpan{}, err
	}
	return sp, nil
}
