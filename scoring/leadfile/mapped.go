package leadfile

import (
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/notutf8"
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
	lead   string // the column of the lead id
	byLead map[string]*mappedGroup
	// repeated counts the rows that repeat an earlier row's activity id
	// and content, counted once.
	repeated int
}

type mappedGroup struct {
	events []scoring.Event
	lines  []int
	errs   []lineError // the rows of this lead that could not be read
	used   bool
	// failedLine is the line of the lead's row that failed before its
	// events were taken (0: none did)
	failedLine int
}

// lineError is a problem with one row of the activities export.
type lineError struct {
	line int
	msg  string
}

// problems lists the group's row problems (in file order: see
// readMappedEvents).
func (g *mappedGroup) problems() string {
	var b strings.Builder
	for i, e := range g.errs {
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(e.msg)
	}
	return b.String()
}

// firstActivity is the first row with an activity id.
type firstActivity struct {
	line       int
	rec        []string
	leadID     string
	conflicted bool // its lead has been told of a later row with its id
}

func newMappedSource(opts Options) (*mappedSource, error) {
	m := opts.Source
	if ds := m.Check(opts.Scorer.Model()); ds.HasErrors() {
		return nil, ds
	}
	in, err := notutf8.Sniff(opts.Input)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", opts.InputName, err)
	}
	r := csv.NewReader(bounded.Lines(in, maxRow(opts)))
	r.FieldsPerRecord = -1
	r.Comma = m.Comma()
	header, err := readHeader(r, opts.InputName, maxRow(opts), "an export starts with a header row")
	if err != nil {
		return nil, err
	}
	leads, warnings, err := m.Leads(opts.InputName, header)
	if err != nil {
		return nil, err
	}
	warn(opts, warnings)
	s := &mappedSource{csvRows: csvRows{r: r, header: header, max: maxRow(opts)}, leads: leads}
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
// stops the run, since which lead lacks it cannot be told. A row with an
// activity id seen before counts once when it says what the first row
// said (the same activity exported twice; counted, and told to OnWarning),
// and otherwise fails, with the first row: two activities cannot share an
// id, and which one the export means cannot be told.
func readMappedEvents(opts Options) (*mappedEvents, error) {
	in, err := notutf8.Sniff(opts.Events)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", opts.EventsName, err)
	}
	r := csv.NewReader(bounded.Lines(in, maxRow(opts)))
	r.FieldsPerRecord = -1
	r.Comma = opts.Source.Comma()
	header, err := readHeader(r, opts.EventsName, maxRow(opts), "an export starts with a header row")
	if err != nil {
		return nil, err
	}
	rows, warnings, err := opts.Source.EventRows(opts.EventsName, header)
	if err != nil {
		return nil, err
	}
	warn(opts, warnings)
	x := &mappedEvents{file: opts.EventsName, lead: opts.Source.Events.Lead, byLead: map[string]*mappedGroup{}}
	seen := map[string]*firstActivity{}
	firstRepeat := 0
	group := func(leadID string) *mappedGroup {
		g := x.byLead[leadID]
		if g == nil {
			g = &mappedGroup{}
			x.byLead[leadID] = g
		}
		return g
	}
	problems, err := eventRecords(r, opts.EventsName, header, maxRow(opts), func(line int, rec []string, bad error) string {
		id, leadID, e, err := rows.Event(rec)
		if bad != nil {
			if len(rec) == len(header) && leadID != "" {
				// A cell that is not UTF-8 text: its row names its
				// lead, which fails with it, as a cell that does not
				// read fails it.
				g := group(leadID)
				g.lines = append(g.lines, line)
				g.errs = append(g.errs, lineError{line, fmt.Sprintf("%s:%d: %v", opts.EventsName, line, bad)})
				return ""
			}
			return fmt.Sprintf("%s:%d: %v", opts.EventsName, line, bad)
		}
		if leadID == "" {
			return fmt.Sprintf("%s:%d: %v", opts.EventsName, line, err)
		}
		if id != "" {
			if first := seen[id]; first != nil {
				col, was, is, differ := rows.Differ(first.rec, rec)
				if !differ {
					x.repeated++ // the same activity exported twice counts once
					if firstRepeat == 0 {
						firstRepeat = line
					}
					return ""
				}
				what := fmt.Sprintf("column %q: %s on line %d, %s on line %d", col, quoteCell(was), first.line, quoteCell(is), line)
				const fix = "two activities cannot share an id, so which one the export means cannot be told and neither is counted; fix the export, or map events.id to the column that tells activities apart (or leave events.id out if the export has none)"
				g := group(leadID)
				g.lines = append(g.lines, line)
				g.errs = append(g.errs, lineError{line, fmt.Sprintf("%s:%d: activity id %s (column %q) is also on line %d, with different content (%s); %s", opts.EventsName, line, quoteCell(id), rows.IDColumn(), first.line, what, fix)})
				if !first.conflicted {
					first.conflicted = true
					fg := group(first.leadID)
					fg.errs = append(fg.errs, lineError{first.line, fmt.Sprintf("%s:%d: activity id %s (column %q) is also on line %d, with different content (%s); %s", opts.EventsName, first.line, quoteCell(id), rows.IDColumn(), line, what, fix)})
				}
				return ""
			}
			seen[id] = &firstActivity{line: line, rec: rec, leadID: leadID}
		}
		g := group(leadID)
		g.lines = append(g.lines, line)
		if err != nil {
			g.errs = append(g.errs, lineError{line, fmt.Sprintf("%s:%d: %v", opts.EventsName, line, err)})
			return ""
		}
		g.events = append(g.events, e)
		return ""
	})
	if err != nil {
		return nil, err
	}
	for _, g := range x.byLead {
		sort.SliceStable(g.errs, func(i, j int) bool { return g.errs[i].line < g.errs[j].line })
	}
	if x.repeated > 0 && opts.OnWarning != nil {
		rowsSay := fmt.Sprintf("%d activity rows repeat", x.repeated)
		if x.repeated == 1 {
			rowsSay = "1 activity row repeats"
		}
		opts.OnWarning(fmt.Sprintf("%s:%d: %s an earlier row's id (column %q) and content; counted once", opts.EventsName, firstRepeat, rowsSay, rows.IDColumn()))
	}
	return x, eventProblems(problems)
}

// quoteCell quotes a cell for a message, cut to a readable length.
func quoteCell(cell string) string {
	if r := []rune(cell); len(r) > 60 {
		return strconv.Quote(string(r[:57]) + "...")
	}
	return strconv.Quote(cell)
}

func (s *mappedSource) next() (row, bool, error) {
	r, ok, err := s.read()
	if ok && r.err != nil && r.id == "" && (len(r.rec) == len(s.header) || len(r.rec) > 0 && s.leads.IDFirst()) {
		// A row of the header's cells (one not UTF-8), or one of another
		// count whose id is its first cell: its id is in its place, so
		// the error names the lead, and its events are known as its.
		r.id = s.leads.ID(r.rec)
	}
	if ok && r.err != nil && r.id != "" && s.events != nil {
		if g := s.events.byLead[r.id]; g != nil && !g.used && g.failedLine == 0 {
			g.failedLine = r.line // its events are its, not unmatched
		}
	}
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
					r.id, r.err = id, fmt.Errorf("its activities could not all be read, and scoring it without them would be wrong:\n  %s", g.problems())
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

func (s *mappedSource) unmatched() []unusedEvent {
	if s.events == nil {
		return nil
	}
	var rows []unusedEvent
	for id, g := range s.events.byLead {
		if !g.used {
			for _, l := range g.lines {
				rows = append(rows, unusedEvent{line: l, id: id, column: s.events.lead, failedLine: g.failedLine})
			}
		}
	}
	sortUnused(rows)
	return rows
}
