package scoring

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Variant is a lead's score under another set of points (see
// ScoreVariants): what Score gives under a model that differs from the
// Scorer's only in its rules' points.
type Variant struct {
	Total      float64
	Stage      string
	SalesReady bool
}

// ScoreVariants scores a lead as of asOf under several sets of points at
// once: points[v][i] is what rule i of the model (Model().Rules[i]) gives
// under variant v, an event rule per event as its own points are, in place
// of its own points; the rest of the model is unchanged. Each variant is
// what Score gives under the model compiled with those points, but the
// defines and conditions are evaluated once for all of them, so comparing
// definitions that differ only in points (the backtest's suggested points)
// costs little more than scoring once.
func (s *Scorer) ScoreVariants(ctx context.Context, lead Lead, asOf time.Time, points [][]float64) ([]Variant, error) {
	if err := s.checkVariants(points); err != nil {
		return nil, err
	}
	if len(lead.Dispositions) > 0 {
		if err := s.CheckDispositions(lead.Dispositions); err != nil {
			return nil, &Error{LeadID: lead.ID, Err: err}
		}
	}
	out := make([]Variant, len(points))
	ev := s.pool.Get().(*evaluation)
	_, err, broken := s.scoreIn(ev, ctx, lead, asOf, nil, nil, func(lead Lead, res *Result) error {
		return s.rankVariants(ev, lead, asOf, res, points, out, nil)
	})
	if broken {
		ev = s.newEvaluation()
	}
	s.pool.Put(ev)
	return out, err
}

// FirstSalesReady replays the lead's timeline up to asOf, as Timeline
// does, under each set of points (as ScoreVariants takes them), and
// returns per variant when the lead first stood on the sales-ready stage
// and the event that put it there: what SalesReadyAt says of the timeline
// under a model compiled with those points. ok[v] is false when the lead
// never was sales-ready under variant v. errs[v] is set when Timeline
// would fail under variant v (a point it cannot score, up to asOf, even
// after the lead became sales-ready); the other variants go on. err is
// for what fails them all: points of the wrong length, dispositions the
// model cannot read.
func (s *Scorer) FirstSalesReady(ctx context.Context, lead Lead, asOf time.Time, points [][]float64) (first []Reached, ok []bool, errs []error, err error) {
	if err := s.checkVariants(points); err != nil {
		return nil, nil, nil, err
	}
	if len(lead.Dispositions) > 0 {
		if err := s.CheckDispositions(lead.Dispositions); err != nil {
			return nil, nil, nil, &Error{LeadID: lead.ID, Err: err}
		}
	}
	m := s.model
	id := m.Stages[m.SalesReady].ID
	first, ok, errs = make([]Reached, len(points)), make([]bool, len(points)), make([]error, len(points))
	out := make([]Variant, len(points))
	werr := s.walk(ctx, lead, asOf, func(r *replay, at time.Time, prefix []Event, ev *Event, _ *moment) error {
		if err := r.variants(ctx, prefix, at, points, out, errs); err != nil {
			return err // every variant fails at this point
		}
		live := 0
		for v, o := range out {
			if errs[v] != nil {
				continue
			}
			live++
			if !ok[v] && m.Stage(o.Stage) >= m.SalesReady {
				first[v], ok[v] = Reached{Stage: id, At: at, Event: ev}, true
			}
		}
		if live == 0 {
			return errAllFailed
		}
		return nil
	})
	if werr != nil && werr != errAllFailed {
		for v := range errs {
			if errs[v] == nil {
				errs[v] = werr
			}
		}
	}
	return first, ok, errs, nil
}

// errAllFailed stops a walk whose every variant has failed.
var errAllFailed = errors.New("every variant failed")

func (s *Scorer) checkVariants(points [][]float64) error {
	for v, p := range points {
		if len(p) != len(s.model.Rules) {
			return fmt.Errorf("variant %d gives points for %d rules; the model has %d", v, len(p), len(s.model.Rules))
		}
	}
	return nil
}

// variants is score for every set of points: the timeline's point as of
// at with the events of prefix. With errs, a variant that fails sets its
// error there and the others go on, and a variant failed before is
// skipped; the error returned fails them all.
func (r *replay) variants(ctx context.Context, prefix []Event, at time.Time, points [][]float64, out []Variant, errs []error) error {
	return r.point(prefix, at, func(ev *evaluation) (error, bool) {
		_, err, broken := r.s.scoreInto(ev, ctx, r.pointLead(), at, &r.counted, r.verdicts, &r.leanRes, func(lead Lead, res *Result) error {
			return r.s.rankVariants(ev, lead, at, res, points, out, errs)
		})
		return err, broken
	})
}

// rankVariants evaluates the lead's conditions once, then ranks them under
// each set of points, into out. With errs, a set that fails records its
// error there and the others go on, and a set failed before is skipped;
// the error returned fails them all.
func (s *Scorer) rankVariants(ev *evaluation, lead Lead, asOf time.Time, res *Result, points [][]float64, out []Variant, errs []error) error {
	if err := s.conditions(ev, lead, asOf, res); err != nil {
		return err
	}
	left := ev.env.BudgetLeft() // each set of points ranks with what the conditions left
	for v, p := range points {
		if errs != nil && errs[v] != nil {
			continue // failed at an earlier point: its timeline stops there
		}
		ev.env.SetBudgetLeft(left)
		one := *res
		if err := s.rank(ev, &one, p); err != nil {
			if errs == nil {
				return err
			}
			errs[v] = &Error{LeadID: lead.ID, Err: err}
			continue
		}
		out[v] = Variant{Total: one.Total, Stage: one.Stage, SalesReady: one.SalesReady}
	}
	return nil
}
