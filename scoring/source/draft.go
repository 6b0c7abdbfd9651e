package source

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/csvspan"
	"github.com/leadscore/leadscore/internal/delim"
	"github.com/leadscore/leadscore/internal/notutf8"
	"github.com/leadscore/leadscore/rules"
)

// DraftRows is how many rows of each export Draft reads by default.
const DraftRows = 1000

// DraftOptions says what Draft reads.
type DraftOptions struct {
	// Contacts is the contacts export (CSV with a header); ContactsName
	// names it in the draft's comments.
	Contacts     io.Reader
	ContactsName string
	// Events is the activities export, nil for none.
	Events     io.Reader
	EventsName string
	// Model, when not nil, is the model the draft maps to (ModelFile names
	// it in comments); without one, the draft also proposes the fields of
	// a new model, as a comment.
	Model     *rules.Model
	ModelFile string
	// Rows bounds the rows read from each export; 0 means DraftRows.
	Rows int
	// MaxRow bounds each row (the header too), in bytes; 0 means
	// bounded.DefaultMaxRow, 4 MiB, as for scoring. A longer row stops the
	// draft, without being read whole.
	MaxRow int
}

// Draft drafts a source mapping from a sample of an export: the header and
// the first rows. Every guess carries a YAML comment saying what it was
// guessed from, to review. The draft parses, and checks against the model
// when one is given, unless the export gives nothing to map.
func Draft(opts DraftOptions) ([]byte, error) {
	if opts.Rows <= 0 {
		opts.Rows = DraftRows
	}
	if opts.MaxRow <= 0 {
		opts.MaxRow = bounded.DefaultMaxRow
	}
	contacts, err := readSample(opts.Contacts, opts.ContactsName, opts.Rows, opts.MaxRow)
	if err != nil {
		return nil, err
	}
	d := &drafter{opts: opts, contacts: contacts}
	if opts.Events != nil {
		if d.events, err = readSample(opts.Events, opts.EventsName, opts.Rows, opts.MaxRow); err != nil {
			return nil, err
		}
		if d.events.comma != contacts.comma {
			return nil, fmt.Errorf("%s puts %s between its cells and %s %s: a mapping reads both exports with one delimiter; export them alike", contacts.name, delim.Name(contacts.comma), opts.EventsName, delim.Name(d.events.comma))
		}
	}
	return d.write(), nil
}

// sample is the header and first rows of an export, by column.
type sample struct {
	name    string
	columns []*column
	rows    int  // rows read
	more    bool // the export has rows past the sample
	comma   rune // the character between its cells
}

// headerDelimiter is the character between the cells of an export whose
// header line is first: of the delimiters exports use (a comma, ";" as
// spreadsheets write where a comma is the decimal mark, tabs, "|"), the
// one the header holds most of outside quotes; a comma when it holds none.
func headerDelimiter(first []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(first) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || slices.Contains(delim.Common, c)):
			counts[c]++
		}
	}
	best := ','
	for _, d := range append([]rune{','}, delim.Common...) {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

// column is one column of a sample: its non-empty cells, trimmed.
type column struct {
	name     string
	norm     string // its name as a field name: lower case, words joined by _
	cells    []string
	distinct []string // the distinct cells, in the order first seen
	count    map[string]int
	guess    guess
}

func readSample(r io.Reader, name string, rows, maxRow int) (*sample, error) {
	const option = "--max-row (DraftOptions.MaxRow in Go)"
	r, err := notutf8.Sniff(r)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", name, err)
	}
	br := bufio.NewReaderSize(bounded.Lines(r, maxRow), 64<<10)
	first, _ := br.Peek(64 << 10)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	cr := csv.NewReader(br)
	comma := headerDelimiter(first)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s is empty: export it with its header row and some rows", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if bounded.Cut(header) {
		return nil, fmt.Errorf("%s:1: %v", name, bounded.HeaderTooLong(maxRow, option))
	}
	s := &sample{name: name, comma: comma}
	seen := map[string]bool{}
	if err := notutf8.HeaderError(header); err != nil {
		return nil, fmt.Errorf("%s:1: %w", name, err)
	}
	for i, h := range cleanHeader(header) {
		if strings.IndexFunc(h, unicode.IsControl) >= 0 {
			return nil, fmt.Errorf("%s:1: the name of column %d, %q, holds a line break or a control character; rename it in the export", name, i+1, h)
		}
		if seen[h] {
			return nil, fmt.Errorf("%s:1: column %q appears twice in the header, so a mapping could not say which one it means; rename one in the export", name, h)
		}
		seen[h] = true
		s.columns = append(s.columns, &column{name: h, norm: normalize(h), count: map[string]int{}})
	}
	names := make([]string, len(s.columns))
	for i, c := range s.columns {
		names[i] = c.name
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if s.rows == rows {
			s.more = true
			break
		}
		if bounded.Cut(rec) {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: %v", name, line, bounded.RowTooLong(maxRow, option))
		}
		if e := csvspan.Check(cr, names, rec); e != nil {
			// Its rows would be missing from the sample, and the cell's
			// column guessed from the lines it swallowed.
			return nil, fmt.Errorf("%s:%d: %v", name, e.First, e)
		}
		s.rows++
		for i, c := range s.columns {
			if i >= len(rec) {
				continue
			}
			cell := trimSpace(rec[i])
			if cell == "" {
				continue
			}
			if !utf8.ValidString(cell) {
				line, _ := cr.FieldPos(i)
				return nil, fmt.Errorf("%s:%d: %w", name, line, notutf8.CellError(c.name, cell))
			}
			c.cells = append(c.cells, cell)
			if c.count[cell] == 0 {
				c.distinct = append(c.distinct, cell)
			}
			c.count[cell]++
		}
	}
	if s.rows == 0 {
		return nil, fmt.Errorf("%s has a header but no rows: export some rows, so the draft can guess from their values", name)
	}
	var named []*column
	for _, c := range s.columns {
		c.guess = guessType(c)
		if c.name != "" {
			named = append(named, c) // a column without a name cannot be mapped
		}
	}
	if len(named) == 0 {
		return nil, fmt.Errorf("%s:1: the header names no columns: export the file with its header row", name)
	}
	s.columns = named
	return s, nil
}

// normalize turns a column name into a field name: Job Title, JobTitle and
// Job_Title__c all become job_title.
func normalize(name string) string {
	var b strings.Builder
	prev := rune(0)
	sep := false
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				sep = true
			}
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(unicode.ToLower(r))
		default:
			sep = true
		}
		prev = r
	}
	s := strings.TrimSuffix(b.String(), "_c") // Salesforce's custom fields: Technologies__c
	var out strings.Builder
	for _, r := range s {
		if r < 128 {
			out.WriteRune(r)
		}
	}
	return strings.Trim(out.String(), "_")
}
