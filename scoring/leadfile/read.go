package leadfile

import (
	"errors"

	"github.com/leadscore/leadscore/scoring"
)

// Read reads the leads of opts.Input (and opts.Events for CSV) one at a
// time, in input order, calling fn with each lead's line number and the
// lead, or the error that row has. It is for tools that need every lead in
// turn (a rule review scores each with two models); bulk scoring should use
// Score, which is parallel. fn's error stops the reading and is returned.
// Only opts.Scorer (for the schema), the input, the events, NoEvents,
// Source and OnError are used: an events row whose lead is not in the
// leads file goes to OnError when it is set (an error of Read otherwise).
func Read(opts Options, fn func(line int, lead scoring.Lead, err error) error) error {
	src, err := newSource(opts)
	if err != nil {
		return err
	}
	for {
		r, ok, err := src.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		var lead scoring.Lead
		rowErr := r.err
		if rowErr == nil {
			lead, rowErr = src.decode(r)
		}
		if rowErr == nil && lead.ID == "" {
			rowErr = ErrNoID
		}
		if err := fn(r.line, lead, rowErr); err != nil {
			return err
		}
	}
	if lines := src.unmatched(); len(lines) > 0 {
		errs := unmatchedErrors(opts.EventsName, lines)
		if opts.OnError == nil {
			return errors.Join(errs...)
		}
		for _, e := range errs {
			opts.OnError(e.(RowError)) // an event row fails alone; the leads were read
		}
	}
	return nil
}

func unmatchedErrors(file string, lines []int) []error {
	var errs []error
	for _, l := range lines {
		errs = append(errs, RowError{File: file, Line: l, Err: errors.New("no lead in the leads file has this lead_id; the event was not used")})
	}
	return errs
}
