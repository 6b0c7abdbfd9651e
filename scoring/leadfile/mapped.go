package leadfile

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/leadscore/leadscore/scoring"
	srcmap "github.com/leadscore/leadscore/scoring/source"
)

// mappedSource reads a CRM's CSV export through a source mapping
// (Options.Source), with its activities export when Options.Events is set.
type mappedSource struct {
	csvRows
	leads  *srcmap.Leads
	events *mappedEvents // nil: no events file
}

// mappedEvents is an activities export read whole, grouped by lead id.
type mappedEvents struct {
	file   string
	byLead map[string]*mappedGroup
}

type mappedGroup struct {
	events []scoring.Event
	lines  []int
	errs   []string // the rows of this lead that could not be read
	used   bool
}

func newMappedSource(opts Options) (*mappedSource, error) {
	m := opts.Source
	if ds := m.Check(opts.Scorer.Model()); ds.HasErrors() {
		return nil, ds
	}
	r := csv.NewReader(&lineLimiter{r: bufio.NewReaderSize(opts.Input, 1<<16), max: maxRow(opts)})
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%s: the file is empty; an export starts with a header row", opts.InputName)
		}
		return nil, fmt.Errorf("%s: reading the header: %w", opts.InputName, err)
	}
	leads, warnings, err := m.Leads(opts.InputName, header)
	if err != nil {
		return nil, err
	}
	warn(opts, warnings)
	s := &mappedSource{csvRows: csvRows{r: r, columns: len(header), max: maxRow(opts)}, leads: leads}
	if opts.Events != nil {
		if s.events, err = readMappedEvents(opts); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func warn(opts Options, warnings []string) {
	if opts.OnWarning == nil {
		return
	}
	for _, w := range warnings {
		opts.OnWarning(w)
	}
}

// readMappedEvents reads the activities export through the mapping. A row
// that cannot be read fails the lead it belongs to; one without a lead id
// stops the run, since which lead lacks it cannot be told. Rows with an
// activity id seen before count once.
func readMappedEvents(opts Options) (*mappedEvents, error) {
	r := csv.NewReader(bufio.NewReaderSize(opts.Events, 1<<16))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", opts.EventsName, err)
	}
	rows, warnings, err := opts.Source.EventRows(opts.EventsName, header)
	if err != nil {
		return nil, err
	}
	warn(opts, warnings)
	x := &mappedEvents{file: opts.EventsName, byLead: map[string]*mappedGroup{}}
	seen := map[string]bool{}
	var problems []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			problems = append(problems, parseErrorProblems(opts.EventsName, pe)...)
			continue
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			problems = append(problems, fmt.Sprintf("%s:%d: %v", opts.EventsName, line, cellCountError(len(rec), len(header))))
			continue
		}
		id, leadID, e, err := rows.Event(rec)
		if leadID == "" {
			problems = append(problems, fmt.Sprintf("%s:%d: %v", opts.EventsName, line, err))
			continue
		}
		if id != "" {
			if seen[id] {
				continue // the same activity exported twice counts once
			}
			seen[id] = true
		}
		g := x.byLead[leadID]
		if g == nil {
			g = &mappedGroup{}
			x.byLead[leadID] = g
		}
		g.lines = append(g.lines, line)
		if err != nil {
			g.errs = append(g.errs, fmt.Sprintf("%s:%d: %v", opts.EventsName, line, err))
			continue
		}
		g.events = append(g.events, e)
	}
	return x, eventProblems(problems)
}

func (s *mappedSource) next() (row, bool, error) {
	r, ok, err := s.read()
	if !ok || err != nil || r.err != nil {
		return r, ok, err
	}
	rec := r.rec
	if s.events != nil {
		if id := s.leads.ID(rec); id != "" {
			if g := s.events.byLead[id]; g != nil {
				g.used = true
				r.events = g.events
				if len(g.errs) > 0 {
					r.err = fmt.Errorf("lead %s: its activities could not all be read, and scoring it without them would be wrong:\n  %s", id, strings.Join(g.errs, "\n  "))
				}
			}
		}
	}
	return r, true, nil
}

func (s *mappedSource) decode(r row) (scoring.Lead, error) {
	lead, err := s.leads.Lead(r.rec)
	lead.Events = r.events
	return lead, err
}

func (s *mappedSource) unmatched() []int {
	if s.events == nil {
		return nil
	}
	var lines []int
	for _, g := range s.events.byLead {
		if !g.used {
			lines = append(lines, g.lines...)
		}
	}
	sort.Ints(lines)
	return lines
}
