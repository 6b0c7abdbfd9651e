package feedback

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/csvcell"
	"github.com/leadscore/leadscore/internal/csvspan"
	"github.com/leadscore/leadscore/internal/notutf8"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Counts are the rows of an input and what became of them: every row is
// read or failed, so Rows = Read + Failed.
type Counts struct {
	Rows   int `json:"rows"`
	Read   int `json:"read"`
	Failed int `json:"failed"`
}

// FailedRows are the warnings a report gives for the rows left out of
// every figure: those of the dispositions and of the leads (Rows read,
// Failed of them; Read is not used). None when no row failed.
func FailedRows(dispositions, leads Counts) []string {
	var out []string
	isAre := map[bool]string{true: "is", false: "are"}
	if dn := dispositions; dn.Failed > 0 {
		out = append(out, fmt.Sprintf("%d of %d disposition %s failed and %s left out of every figure here (each is named with its line on stderr): fix %s and run again",
			dn.Failed, dn.Rows, numfmt.Noun(dn.Rows, "row"), isAre[dn.Failed == 1], map[bool]string{true: "it", false: "them"}[dn.Failed == 1]))
	}
	if leads.Failed > 0 {
		out = append(out, fmt.Sprintf("%d of %d lead %s failed and %s left out (each is named with its line on stderr)",
			leads.Failed, leads.Rows, numfmt.Noun(leads.Rows, "row"), isAre[leads.Failed == 1]))
	}
	return out
}

// Set is the dispositions of a file, by lead (by account, from
// ReadAccountDispositions), each with its line.
type Set struct {
	// unit is "lead" or "account": what the ids name.
	unit   string
	byLead map[string][]scoring.Disposition
	lines  map[string][]int
	order  []string // lead ids, first seen first
}

// For returns a lead's dispositions in file order (nil for none). Give
// them to the scorer as scoring.Lead.Dispositions.
func (s *Set) For(leadID string) []scoring.Disposition {
	if s == nil {
		return nil
	}
	return s.byLead[leadID]
}

// Leads lists the leads (or accounts) with dispositions, in the order the
// file first names them.
func (s *Set) Leads() []string {
	if s == nil {
		return nil
	}
	return s.order
}

// Len is the number of dispositions held.
func (s *Set) Len() int {
	n := 0
	if s != nil {
		for _, ds := range s.byLead {
			n += len(ds)
		}
	}
	return n
}

// RowError is a disposition row that failed, with its line.
type RowError struct {
	Line int
	// ID is the lead or account id the row names, when Unmatched took it out.
	ID  string
	Err error
}

// Error says the line and the reason.
func (e RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the reason.
func (e RowError) Unwrap() error { return e.Err }

// MaxSuggest was the most ids Set.Unmatched looked through for a
// did-you-mean. It no longer suggests ids (ids are not words: a near id
// is another lead, and a verdict attached to it would be wrong), so a
// caller need keep none.
const MaxSuggest = 50_000

// Unmatched takes out the dispositions of leads the leads file did not
// have (seen reports whether it had a lead), and returns one error per row
// taken out, in line order. ids is not used: an unknown id gets no
// did-you-mean, as a near id is another lead. Call it once every lead has
// been read; each such row counts as failed.
func (s *Set) Unmatched(seen func(id string) bool, ids []string) []RowError {
	if s == nil {
		return nil
	}
	var out []RowError
	kept := s.order[:0]
	for _, id := range s.order {
		if seen(id) {
			kept = append(kept, id)
			continue
		}
		for _, line := range s.lines[id] {
			out = append(out, RowError{Line: line, ID: id, Err: fmt.Errorf("no %s in the %ss file has the id %q; check the %s_id, or score the file that holds that %s", s.unit, s.unit, id, s.unit, s.unit)})
		}
		delete(s.byLead, id)
		delete(s.lines, id)
	}
	s.order = kept
	sort.Slice(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// Columns are the columns ReadDispositions reads; owner and note are optional.
var Columns = []string{"lead_id", "at", "status", "reason", "owner", "note"}

// ReadDispositions reads sales' dispositions: a CSV with lead_id, at (a
// time), status (accepted, rejected or recycled) and reason (a code of the
// model's catalogue, required for rejected and recycled, empty for
// accepted), and optionally owner (the sales rep) and note. Other columns
// are ignored. A bad row (an unknown status or reason, a missing or bad
// time, a reason where none belongs, the same verdict twice) is passed to
// onError with its line and a did-you-mean, and left out; the counts say
// how many rows were read and how many failed. The error is for a file
// that cannot be read at all (no header, a missing column).
//
// h is the model's hand-off contract (rules.Model.Handoff), whose reasons
// the rows must use; nil when the model has none. Rows are read up to
// DefaultMaxRow bytes: see ReadDispositionsLimit.
func ReadDispositions(r io.Reader, h *rules.Handoff, onError func(line int, err error)) (*Set, Counts, error) {
	return ReadDispositionsLimit(r, h, 0, onError)
}

// DefaultMaxRow is the longest row ReadDispositions reads, as
// leadfile.DefaultMaxRow for leads.
const DefaultMaxRow = bounded.DefaultMaxRow

// ReadDispositionsLimit is ReadDispositions with rows of at most maxRow
// bytes (0: DefaultMaxRow): a longer row fails alone, unread, and a longer
// header fails the file.
func ReadDispositionsLimit(r io.Reader, h *rules.Handoff, maxRow int, onError func(line int, err error)) (*Set, Counts, error) {
	return readDispositions(r, h, maxRow, "lead", onError)
}

// AccountColumns are the columns ReadAccountDispositions reads; owner and
// note are optional.
var AccountColumns = []string{"account_id", "at", "status", "reason", "owner", "note"}

// ReadAccountDispositions is ReadDispositionsLimit for sales' verdicts on
// accounts: the same columns with account_id for lead_id (AccountColumns),
// a Set by account id. A file with lead_id and no account_id fails: a
// verdict on a person is not one on its account.
func ReadAccountDispositions(r io.Reader, h *rules.Handoff, maxRow int, onError func(line int, err error)) (*Set, Counts, error) {
	return readDispositions(r, h, maxRow, "account", onError)
}

// readDispositions reads dispositions on leads or accounts (unit).
func readDispositions(r io.Reader, h *rules.Handoff, maxRow int, unit string, onError func(line int, err error)) (*Set, Counts, error) {
	var n Counts
	idCol := unit + "_id"
	columns := append([]string{idCol}, Columns[1:]...)
	if maxRow <= 0 {
		maxRow = DefaultMaxRow
	}
	const option = "--max-row (the maxRow of ReadDispositionsLimit in Go)"
	r, err := notutf8.Sniff(r)
	if err != nil {
		return nil, n, fmt.Errorf("line 1 (the header): %v", err)
	}
	cr := csv.NewReader(bounded.Lines(r, maxRow))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, n, fmt.Errorf("the dispositions file is empty; it needs a header line with %s, at, status, reason", idCol)
	}
	if err != nil {
		return nil, n, fmt.Errorf("line 1 (the header): %v", err)
	}
	if bounded.Cut(header) {
		return nil, n, fmt.Errorf("line 1 (the header): %v", bounded.HeaderTooLong(maxRow, option))
	}
	if err := notutf8.HeaderError(header); err != nil {
		return nil, n, fmt.Errorf("line 1 (the header): %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup {
			return nil, n, fmt.Errorf("line 1 (the header): the column %q appears twice; name each column once", h)
		}
		col[h] = i
		header[i] = h
	}
	if _, ok := col["lead_id"]; ok && unit == "account" {
		if _, ok := col[idCol]; !ok {
			return nil, n, errors.New("line 1 (the header): these are verdicts on leads (lead_id), and --accounts reads verdicts on accounts: give account_id, at, status, reason; a verdict on a person is not one on its account, so lead verdicts do not roll up (see docs/guide/accounts.md)")
		}
	}
	var missing []string
	for _, need := range columns[:4] {
		if _, ok := col[need]; !ok {
			missing = append(missing, need+dsl.DidYouMean(need, header))
		}
	}
	if len(missing) > 0 {
		return nil, n, fmt.Errorf("line 1 (the header): the dispositions file needs the columns %s, at, status and reason; it lacks %s (it has %s)",
			idCol, strings.Join(missing, ", "), strings.Join(header, ", "))
	}
	cell := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	s := &Set{unit: unit, byLead: map[string][]scoring.Disposition{}, lines: map[string][]int{}}
	type key struct {
		lead   string
		at     time.Time
		status scoring.Status
	}
	dup := map[key]int{} // a verdict -> its line
	fail := func(line, rows int, err error) {
		n.Rows += rows
		n.Failed += rows
		onError(line, err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return s, n, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if pe.Err == csv.ErrQuote && pe.Line > pe.StartLine {
				fail(pe.StartLine, pe.Line-pe.StartLine+1, fmt.Errorf("a quote opens a cell on this line and does not close before line %d, so lines %d to %d are lost as one broken row; close the quote, and write a quote inside a cell as two (\"\")", pe.Line, pe.StartLine, pe.Line))
			} else {
				fail(pe.StartLine, 1, fmt.Errorf("%v; put a cell that holds a quote in quotes and write the quote as two (\"\")", pe.Err))
			}
			continue
		}
		if err != nil {
			return s, n, err
		}
		line, _ := cr.FieldPos(0)
		if bounded.Cut(rec) {
			fail(line, 1, bounded.RowTooLong(maxRow, option))
			continue
		}
		if e := csvspan.Check(cr, header, rec); e != nil {
			// Closed by a stray quote lines later, with the header's
			// cells: each line it swallowed was a verdict, and counts as
			// a failed row.
			fail(e.First, e.Lines(), e)
			continue
		}
		if len(rec) != len(header) {
			fail(line, 1, fmt.Errorf("%d %s where the header has %d (%s); %s", len(rec), numfmt.Noun(len(rec), "cell"), len(header), strings.Join(header, ", "), csvcell.CountAdvice(len(rec), len(header))))
			continue
		}
		if i := notutf8.Cell(rec); i >= 0 {
			fail(line, 1, notutf8.CellError(header[i], rec[i]))
			continue
		}
		d, id, err := disposition(cell, rec, h, unit)
		if err == nil {
			k := key{id, d.At.UTC(), d.Status} // one instant, whatever zone each row writes it in
			if prev, ok := dup[k]; ok {
				err = fmt.Errorf("%s %s is already %s at %s on line %d; give each verdict one row", unit, id, d.Status, d.At.UTC().Format(time.RFC3339), prev)
			} else {
				dup[k] = line
			}
		}
		if err != nil {
			fail(line, 1, err)
			continue
		}
		n.Rows++
		n.Read++
		if _, ok := s.byLead[id]; !ok {
			s.order = append(s.order, id)
		}
		s.byLead[id] = append(s.byLead[id], d)
		s.lines[id] = append(s.lines[id], line)
	}
}

// statusNames are the statuses as rows write them.
var statusNames = []string{string(scoring.Accepted), string(scoring.Rejected), string(scoring.Recycled)}

// disposition reads one row.
func disposition(cell func([]string, string) string, rec []string, h *rules.Handoff, unit string) (scoring.Disposition, string, error) {
	var d scoring.Disposition
	id := cell(rec, unit+"_id")
	if id == "" {
		return d, "", fmt.Errorf("%s_id is empty; say which %s the verdict is on", unit, unit)
	}
	at := cell(rec, "at")
	if at == "" {
		return d, id, fmt.Errorf("%s %s: at is empty; say when sales gave the verdict, such as 2026-09-14T10:00:00Z", unit, id)
	}
	t, err := dsl.ParseTime(at)
	if err != nil {
		return d, id, fmt.Errorf("%s %s: at: %v", unit, id, err)
	}
	d.At, d.Owner = t, cell(rec, "owner")
	status := strings.ToLower(cell(rec, "status"))
	switch {
	case status == "":
		return d, id, fmt.Errorf("%s %s: status is empty; write accepted, rejected or recycled", unit, id)
	case !contains(statusNames, status):
		return d, id, fmt.Errorf("%s %s: unknown status %q%s", unit, id, cell(rec, "status"), dsl.DidYouMeanOr(status, statusNames, "the statuses are accepted, rejected and recycled"))
	}
	d.Status = scoring.Status(status)
	reason := cell(rec, "reason")
	codes := h.Codes()
	switch {
	case d.Status == scoring.Accepted && reason != "":
		return d, id, fmt.Errorf("%s %s: an accepted %s takes no reason (this row gives %q); leave reason empty, or make the status rejected or recycled", unit, id, unit, reason)
	case d.Status == scoring.Accepted:
	case reason == "" && len(codes) == 0:
		return d, id, fmt.Errorf("%s %s: a %s %s needs a reason, and the model declares none; add handoff: reasons: to the rule file", unit, id, d.Status, unit)
	case reason == "":
		return d, id, fmt.Errorf("%s %s: a %s %s needs a reason from the model's catalogue: %s", unit, id, d.Status, unit, strings.Join(codes, ", "))
	case h.Reason(reason) == nil && len(codes) == 0:
		return d, id, fmt.Errorf("%s %s: unknown reason %q: the model declares no reasons; add handoff: reasons: to the rule file", unit, id, reason)
	case h.Reason(reason) == nil:
		return d, id, fmt.Errorf("%s %s: unknown reason %q%s", unit, id, reason, dsl.DidYouMeanOr(reason, codes, "the reasons are "+strings.Join(codes, ", ")))
	}
	d.Reason = reason
	return d, id, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
