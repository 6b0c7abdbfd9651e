package leadfile

import (
	"errors"
	"strings"

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
		lead, rowErr := decodeRow(src, r)
		if err := fn(r.line, lead, rowErr); err != nil {
			return err
		}
	}
	return reportUnmatched(src, opts)
}

// decodeRow decodes a row read by src: the lead, or the row's error (a
// lead without an id is one).
// A row's error names its lead (a *scoring.Error) when its id is known,
// so that every command can tell a lead that failed from one that is not
// in the file.
func decodeRow(src source, r row) (scoring.Lead, error) {
	if r.err != nil {
		return scoring.Lead{ID: r.id}, leadError(r.id, r.err)
	}
	lead, err := src.decode(r)
	if err != nil {
		return lead, leadError(lead.ID, err)
	}
	if NoID(lead.ID) {
		lead.ID, err = "", ErrNoID // refused as "" is
	}
	return lead, err
}

// NoID says an id is no id: empty, or only white space ("   " would be
// joined to no CRM record, as "" would not).
func NoID(id string) bool { return strings.TrimSpace(id) == "" }

// leadError is err as the error of the lead with the id, unless it names
// one already or the id is not known.
func leadError(id string, err error) error {
	var se *scoring.Error
	if id == "" || errors.As(err, &se) {
		return err
	}
	return &scoring.Error{LeadID: id, Err: err}
}

// reportUnmatched tells opts.OnError of each events row whose lead the
// leads file did not have (an event row fails alone; the leads were
// read), or returns them all when OnError is not set.
func reportUnmatched(src source, opts Options) error {
	lines := src.unmatched()
	if len(lines) == 0 {
		return nil
	}
	errs := unmatchedErrors(opts.EventsName, lines)
	if opts.OnError == nil {
		return errors.Join(errs...)
	}
	for _, e := range errs {
		opts.OnError(e.(RowError))
	}
	return nil
}

func unmatchedErrors(file string, lines []int) []error {
	var errs []error
	for _, l := range lines {
		errs = append(errs, RowError{File: file, Line: l, Err: ErrNoLeadForEvent})
	}
	return errs
}
