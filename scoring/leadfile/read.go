package leadfile

import (
	"errors"
	"slices"
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
	} else if err == nil && SpreadsheetNumber(lead.ID) {
		err = &scoring.Error{LeadID: lead.ID, Err: errSpreadsheetID}
	}
	return lead, err
}

// errSpreadsheetID fails a lead whose id a spreadsheet turned into a
// number: two leads may now have one id, and no event or outcome is
// joined to it.
var errSpreadsheetID = errors.New("the id was turned into a number by a spreadsheet (Excel writes a long number as 5.00001E+07), and its last digits are lost; export the file from the CRM again and do not save it from a spreadsheet, or format the id column as text before saving")

// SpreadsheetNumber says an id is a number as a spreadsheet writes one
// too long for its cell, in scientific notation: 5.00001E+07, 1E+15.
func SpreadsheetNumber(id string) bool {
	id = strings.TrimSpace(id)
	mant, exp, ok := strings.Cut(id, "E+")
	if !ok {
		mant, exp, ok = strings.Cut(id, "e+")
	}
	if !ok || len(mant) == 0 || len(exp) == 0 || mant[0] < '0' || mant[0] > '9' {
		return false
	}
	if len(mant) > 1 {
		if mant[1] != '.' || len(mant) == 2 || !allDigits(mant[2:]) {
			return false
		}
	}
	return allDigits(exp)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
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
	rows := unusedEventErrors(src, opts)
	if opts.OnError != nil {
		for _, e := range rows {
			opts.OnError(e)
		}
		return nil
	}
	var errs []error
	for _, e := range rows {
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// unusedEventErrors are the errors of the events rows no lead used, in
// file order: an *EventNotUsedError each.
func unusedEventErrors(src source, opts Options) []RowError {
	var errs []RowError
	for _, u := range src.unmatched() {
		e := RowError{File: opts.EventsName, Line: u.line,
			Err: &EventNotUsedError{LeadID: u.id, Column: u.column, LeadsFile: opts.InputName, FailedLine: u.failedLine}}
		if u.failedLine > 0 {
			e.LeadID = u.id // the row is of that lead
		}
		errs = append(errs, e)
	}
	return errs
}

// unusedEvent is an events row that no lead used: no lead row has its
// lead id, or the row of its lead failed (failedLine, its line).
type unusedEvent struct {
	line       int
	id         string
	column     string // the events file's column of the lead id
	failedLine int
}

// sortUnused sorts rows by line.
func sortUnused(rows []unusedEvent) {
	slices.SortFunc(rows, func(a, b unusedEvent) int { return a.line - b.line })
}
