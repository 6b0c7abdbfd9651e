package source

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/bounded"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/internal/suggest"
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
	}
	return d.write(), nil
}

// sample is the header and first rows of an export, by column.
type sample struct {
	name    string
	columns []*column
	rows    int  // rows read
	more    bool // the export has rows past the sample
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
	cr := csv.NewReader(bounded.Lines(r, maxRow))
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
	s := &sample{name: name}
	seen := map[string]bool{}
	for i, h := range cleanHeader(header) {
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("%s:1: the header is not UTF-8 text; export the file as UTF-8 (CSV UTF-8)", name)
		}
		if strings.IndexFunc(h, unicode.IsControl) >= 0 {
			return nil, fmt.Errorf("%s:1: the name of column %d, %q, holds a line break or a control character; rename it in the export", name, i+1, h)
		}
		if seen[h] {
			return nil, fmt.Errorf("%s:1: column %q appears twice in the header, so a mapping could not say which one it means; rename one in the export", name, h)
		}
		seen[h] = true
		s.columns = append(s.columns, &column{name: h, norm: normalize(h), count: map[string]int{}})
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
				return nil, fmt.Errorf("%s:%d: column %q is not UTF-8 text; export the file as UTF-8 (CSV UTF-8)", name, line, c.name)
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

// guess is what a column's cells look like.
type guess struct {
	typ       dsl.FieldType
	layout    string   // time: the layout every cell reads with
	ambiguous bool     // time: day-first reads every cell as well as month-first
	format    string   // number: the format, "" for plain numbers
	sep       string   // list: the separator
	yes, no   []string // bool: the words seen
}

var (
	trueWords  = []string{"true", "yes", "y", "1", "t"}
	falseWords = []string{"false", "no", "n", "0", "f"}
)

// guessType guesses a column's type from its cells: bool, a number, a
// time, a list, or else text.
func guessType(c *column) guess {
	if len(c.cells) == 0 {
		return guess{typ: dsl.TypeString}
	}
	if yes, no, ok := boolWords(c); ok {
		return guess{typ: dsl.TypeBool, yes: yes, no: no}
	}
	if typ, format, ok := numberFormat(c); ok {
		return guess{typ: typ, format: format}
	}
	if layout, amb, ok := timeLayout(c); ok {
		return guess{typ: dsl.TypeTime, layout: layout, ambiguous: amb}
	}
	for _, sep := range []string{";", "|"} {
		if holding(c, sep) > 0 {
			return guess{typ: dsl.TypeList, sep: sep}
		}
	}
	return guess{typ: dsl.TypeString}
}

// boolWords returns the words a column writes true and false with, when
// every cell is one of the usual words.
func boolWords(c *column) (yes, no []string, ok bool) {
	for _, v := range c.distinct {
		switch {
		case containsFold(trueWords, v):
			yes = append(yes, v)
		case containsFold(falseWords, v):
			no = append(no, v)
		default:
			return nil, nil, false
		}
	}
	return yes, no, true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// holding counts the cells holding sep.
func holding(c *column, sep string) int {
	n := 0
	for _, v := range c.cells {
		if strings.Contains(v, sep) {
			n++
		}
	}
	return n
}

// numberFormat finds how a column writes numbers: int or float, and the
// format when the cells have a currency sign or thousands separators.
func numberFormat(c *column) (dsl.FieldType, string, bool) {
	plain, whole := true, true
	for _, v := range c.distinct {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || strings.ContainsAny(v, "eEnNiI") {
			plain = false
			break
		}
		if f != float64(int64(f)) || strings.Contains(v, ".") {
			whole = false
		}
	}
	if plain {
		if whole {
			return dsl.TypeInt, "", true
		}
		return dsl.TypeFloat, "", true
	}
	// Currency signs and separators: find the sign, the thousands separator
	// and the decimal mark, then read every cell with the format they make.
	var prefix, suffix string
	var thousands, decimal rune
	hasDecimals := false
	for _, v := range c.distinct {
		v = strings.TrimPrefix(v, "-")
		first := strings.IndexFunc(v, isDigit)
		last := strings.LastIndexFunc(v, isDigit)
		if first < 0 {
			return "", "", false
		}
		p, s := v[:first], v[last+1:]
		if strings.HasPrefix(p, "-") || !currency(trimSpace(p)) || !currency(trimSpace(s)) {
			return "", "", false
		}
		if trimSpace(p) != "" {
			if prefix != "" && trimSpace(prefix) != trimSpace(p) {
				return "", "", false
			}
			prefix = p
		}
		if trimSpace(s) != "" {
			if suffix != "" && trimSpace(suffix) != trimSpace(s) {
				return "", "", false
			}
			suffix = s
		}
		mid := []rune(v[first : last+1])
		var seps []rune
		var after []int
		for _, r := range mid {
			switch {
			case isDigit(r):
				if len(after) > 0 {
					after[len(after)-1]++
				}
			case isSeparator(r):
				seps = append(seps, r)
				after = append(after, 0)
			default:
				return "", "", false
			}
		}
		if len(seps) == 0 {
			continue
		}
		lastSep := seps[len(seps)-1]
		switch {
		case len(seps) > 1 && seps[0] != lastSep: // 1,234.56
			thousands, decimal = seps[0], lastSep
			hasDecimals = true
		case len(seps) > 1: // 1,234,567
			thousands = lastSep
		case after[0] != 3: // 1234.5
			decimal = lastSep
			hasDecimals = true
		case lastSep == ',' || lastSep == ' ' || lastSep == '\'': // 2,620: thousands, as CRMs write them
			if thousands == 0 {
				thousands = lastSep
			}
		default: // 1.500: a decimal mark, unless another cell says otherwise
			if decimal == 0 {
				decimal = lastSep
			}
		}
	}
	if thousands != 0 && thousands == decimal {
		if hasDecimals {
			thousands = 0
		} else {
			decimal = 0
		}
	}
	if thousands == 0 && prefix == "" && suffix == "" && (decimal == 0 || decimal == '.') {
		return "", "", false // not numbers plainly written, and no format to read them
	}
	example := "1"
	if thousands != 0 {
		example += string(thousands)
	}
	example += "234"
	dec := decimal
	if dec == 0 {
		dec = '.'
		if thousands == '.' {
			dec = ','
		}
	}
	if hasDecimals || decimal != 0 {
		example += string(dec) + "56"
		hasDecimals = true
	} else if thousands != 0 {
		example += string(thousands) + "567" // "1,234" alone could be a decimal; two groups cannot
	}
	example = prefix + example + suffix
	nf, err := ParseNumberFormat(example)
	if err != nil {
		return "", "", false
	}
	whole = !hasDecimals
	for _, v := range c.distinct {
		f, err := nf.Parse(v)
		if err != nil {
			return "", "", false
		}
		if f != float64(int64(f)) {
			whole = false
		}
	}
	if whole {
		return dsl.TypeInt, example, true
	}
	return dsl.TypeFloat, example, true
}

// currency reports whether text around a number's digits is a currency
// sign or code: $, €, USD.
func currency(s string) bool {
	if s == "" {
		return true
	}
	if len([]rune(s)) == 1 {
		r := []rune(s)[0]
		return unicode.Is(unicode.Sc, r)
	}
	if len(s) == 3 {
		for _, r := range s {
			if r < 'A' || r > 'Z' {
				return false
			}
		}
		return true
	}
	return false
}

// timeLayouts are the layouts CRMs write times in, tried in order. Of the
// pairs that differ only in the order of month and day, month first comes
// first; a column both read is ambiguous.
var timeLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04",
	time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05 -07:00", "2006-01-02 15:04:05 MST",
	"01/02/2006 15:04:05", "02/01/2006 15:04:05", "01/02/2006 15:04", "02/01/2006 15:04",
	"1/2/2006 15:04:05", "2/1/2006 15:04:05", "1/2/2006 15:04", "2/1/2006 15:04",
	"01/02/2006 3:04 PM", "02/01/2006 3:04 PM", "1/2/2006 3:04 PM", "2/1/2006 3:04 PM",
	"02.01.2006 15:04:05", "02.01.2006 15:04",
	"2006-01-02", "01/02/2006", "02/01/2006", "1/2/2006", "2/1/2006", "02.01.2006",
}

// dayFirst pairs each month-first layout with its day-first twin.
func dayFirst(layout string) string {
	switch {
	case strings.HasPrefix(layout, "01/02/"):
		return "02/01/" + layout[6:]
	case strings.HasPrefix(layout, "1/2/"):
		return "2/1/" + layout[4:]
	}
	return ""
}

// timeLayout finds the first layout that reads every cell.
func timeLayout(c *column) (layout string, ambiguous, ok bool) {
	reads := func(l string) bool {
		for _, v := range c.distinct {
			if _, err := time.Parse(l, v); err != nil {
				return false
			}
		}
		return true
	}
	for _, l := range timeLayouts {
		if reads(l) {
			if twin := dayFirst(l); twin != "" && reads(twin) {
				return l, true, true
			}
			return l, false, true
		}
	}
	return "", false, false
}

// personal are columns that hold who a lead is rather than anything a rule
// reads: left out (under ignore:) unless the model has a field for them.
var personal = []string{"first_name", "last_name", "full_name", "name", "middle_name", "salutation",
	"phone", "phone_number", "mobile", "mobile_phone", "mobile_phone_number", "fax",
	"street", "street_address", "address", "mailing_street", "zip", "zip_code", "postal_code",
	"date_of_birth", "birthday", "birth_date", "linkedin_url", "twitter_username"}

// idNames are the names of id columns, most likely first.
var idNames = []string{"record_id", "id", "lead_id", "contact_id", "hs_object_id", "object_id", "vid", "contactid", "leadid", "person_id", "customer_id"}

// synonyms are names CRMs give to what models call by another name: a
// column and a field in one group match.
var synonyms = [][]string{
	{"unsubscribed", "opt_out", "email_opt_out", "opted_out", "do_not_email", "has_opted_out_of_email", "unsubscribed_from_all_email"},
	{"tech_stack", "technologies", "technology", "technographics"},
	{"employees", "employee_count", "number_of_employees", "no_of_employees", "num_employees", "company_size", "headcount"},
	{"created_at", "create_date", "created_date", "createdate", "created", "created_on", "date_created"},
	{"annual_revenue", "revenue"},
	{"title", "job_title"},
	{"country", "country_region"},
	{"source", "lead_source", "original_source"},
	{"email", "email_address"},
}

// matchScore says how well a column's name fits a field's name: 0 not at
// all, 100 the same name; why says how it was matched.
func matchScore(col, field string) (score int, why string) {
	nf := normalize(field)
	switch {
	case col == nf:
		return 100, "same name"
	case col == "":
		return 0, ""
	}
	for _, g := range synonyms {
		if contains(g, col) && contains(g, nf) {
			return 90, "a usual name for it"
		}
	}
	if suggest.Nearest(col, []string{nf}) != "" {
		return 80, "a near name"
	}
	cw, fw := strings.Split(col, "_"), strings.Split(nf, "_")
	matched, colMatched := 0, map[int]bool{}
	for _, f := range fw {
		for i, c := range cw {
			if wordsMatch(c, f) && !colMatched[i] {
				matched++
				colMatched[i] = true
				break
			}
		}
	}
	if matched == 0 {
		return 0, ""
	}
	return 40*matched/len(fw) + 10*matched/len(cw), "a word in common"
}

// wordsMatch: the same word, or one the start of the other (min, minutes).
func wordsMatch(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 3 && strings.HasPrefix(b, a)
}

// fits reports whether a column's cells can be read as typ.
func fits(g guess, typ dsl.FieldType) bool {
	switch typ {
	case dsl.TypeString, dsl.TypeList:
		return true
	case dsl.TypeBool:
		return g.typ == dsl.TypeBool
	case dsl.TypeInt:
		return g.typ == dsl.TypeInt || (g.typ == dsl.TypeBool && len(g.yes)+len(g.no) > 0 && allDigitsList(g.yes, g.no))
	case dsl.TypeFloat:
		return g.typ == dsl.TypeInt || g.typ == dsl.TypeFloat || (g.typ == dsl.TypeBool && allDigitsList(g.yes, g.no))
	case dsl.TypeTime:
		return g.typ == dsl.TypeTime
	}
	return false
}

func allDigitsList(lists ...[]string) bool {
	for _, l := range lists {
		for _, s := range l {
			if !allDigits(s) {
				return false
			}
		}
	}
	return true
}

// pairing is a column mapped to a field.
type pairing struct {
	col   *column
	field *rules.Field // nil without a model
	name  string
	why   string
}

// pair matches columns to fields by name, best first, each used once; a
// column whose cells cannot be read as the field's type matches only by
// the same name.
func pair(cols []*column, fields []*rules.Field) (pairs []pairing, unmatched []*column) {
	type cand struct {
		score int
		ci    int
		f     *rules.Field
		why   string
	}
	var cands []cand
	for ci, c := range cols {
		for _, f := range fields {
			s, why := matchScore(c.norm, f.Name)
			if s == 0 || (s < 100 && !fits(c.guess, f.Type)) {
				continue
			}
			if fits(c.guess, f.Type) && c.guess.typ == f.Type {
				s += 5
			}
			cands = append(cands, cand{s, ci, f, why})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	usedCol, usedField := map[int]bool{}, map[string]bool{}
	byCol := map[int]pairing{}
	for _, c := range cands {
		if usedCol[c.ci] || usedField[c.f.Name] {
			continue
		}
		usedCol[c.ci], usedField[c.f.Name] = true, true
		byCol[c.ci] = pairing{col: cols[c.ci], field: c.f, name: c.f.Name, why: c.why}
	}
	for ci, c := range cols {
		if p, ok := byCol[ci]; ok {
			pairs = append(pairs, p)
		} else {
			unmatched = append(unmatched, c)
		}
	}
	return pairs, unmatched
}

type drafter struct {
	opts             DraftOptions
	contacts, events *sample
	out              strings.Builder
	zoneless         []string // time columns written without a zone
	newFields        []string // without a model: the fields proposed, as "name: type"
	newEventFields   []string
	newEventTypes    []string
}

func (d *drafter) line(indent int, format string, args ...any) {
	d.out.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&d.out, format, args...)
	d.out.WriteByte('\n')
}

// values describes a column's cells for a comment: how many, and a few.
func values(c *column) string {
	return fmt.Sprintf("%s values", numfmt.Thousands(len(c.cells)))
}

func examples(c *column, n int) string {
	var ex []string
	for i, v := range c.distinct {
		if i == n {
			break
		}
		ex = append(ex, strconv.Quote(clip(v)))
	}
	s := strings.Join(ex, ", ")
	if len(c.distinct) > n {
		s += ", ..."
	}
	return s
}

func clip(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:27]) + "..."
	}
	return s
}

func (d *drafter) write() []byte {
	o := d.opts
	c := d.contacts
	d.line(0, "# A source mapping drafted by leadscore init --sample from %s", c.name)
	if d.events != nil {
		d.line(0, "# and %s", d.events.name)
	}
	d.line(0, "# %s.", d.sampled())
	if o.Model != nil {
		d.line(0, "# Columns are mapped to the fields of model %s (%s) by their names.", o.Model.Name, o.ModelFile)
	} else {
		d.line(0, "# No --model was given: the fields are named after the columns, and a model's")
		d.line(0, "# fields: block for them is proposed at the end of the file.")
	}
	d.line(0, "# Every guess has a comment: review each, then check the mapping with")
	if o.Model != nil {
		d.line(0, "#   leadscore check --model %s THIS-FILE", o.ModelFile)
	} else {
		d.line(0, "#   leadscore check THIS-FILE")
	}
	d.line(0, "leadscore: 1")
	d.line(0, "source: %s # guessed from the file name; name the CRM the exports come from", scalar(sourceName(c.name)))
	idCol, idWhy := pickID(c.columns)
	d.line(0, "id: %s # %s", scalar(idCol.name), idWhy)
	zoneAt := d.out.Len()
	d.line(0, "")
	d.line(0, "fields:")
	fieldsAt := d.out.Len()
	var rest []*column
	for _, col := range c.columns {
		if col != idCol {
			rest = append(rest, col)
		}
	}
	var ignore []string
	if o.Model != nil {
		pairs, unmatched := pair(rest, o.Model.Fields)
		for _, p := range pairs {
			d.field(1, p.name, p.col, p.field.Type, matchNote(p))
		}
		mapped := map[string]bool{}
		for _, p := range pairs {
			mapped[p.name] = true
		}
		var missing []string
		for _, f := range o.Model.Fields {
			if !mapped[f.Name] {
				missing = append(missing, f.Name)
			}
		}
		if len(missing) > 0 {
			d.line(1, "# no column was found for %s of model %s: map the columns that hold them, if the export has them", strings.Join(missing, ", "), o.Model.Name)
		}
		for _, col := range unmatched {
			if contains(personal, col.norm) {
				ignore = append(ignore, fmt.Sprintf("%s # looks personal, and model %s has no field for it", scalar(col.name), o.Model.Name))
			} else {
				ignore = append(ignore, fmt.Sprintf("%s # not a field of model %s%s; map it under fields: if a rule should read it", scalar(col.name), o.Model.Name, nearField(col, o.Model.Fields)))
			}
		}
	} else {
		names := newFieldNames()
		for _, col := range rest {
			if contains(personal, col.norm) {
				ignore = append(ignore, fmt.Sprintf("%s # looks personal, and no rule needs it", scalar(col.name)))
				continue
			}
			name := names.name(col.norm)
			d.field(1, name, col, col.guess.typ, "")
			d.newFields = append(d.newFields, fmt.Sprintf("%s: %s", name, col.guess.typ))
		}
	}
	if onlyComments(d.out.String()[fieldsAt:]) {
		d.line(1, "{} # no column to map")
	}
	if len(ignore) > 0 {
		d.line(0, "")
		d.line(0, "ignore: # columns read as nothing, on purpose")
		for _, s := range ignore {
			d.line(1, "- %s", s)
		}
	}
	if d.events != nil {
		d.eventsSection(idCol)
	}
	if o.Model == nil {
		d.proposeModel()
	}
	text := d.out.String()
	if len(d.zoneless) > 0 {
		zone := fmt.Sprintf("timezone: UTC # guessed: %s %s times without a zone, read in this one; write the CRM's zone, such as America/New_York\n",
			strings.Join(d.zoneless, " and "), writeWrite(len(d.zoneless)))
		text = text[:zoneAt] + zone + text[zoneAt:]
	}
	return []byte(text)
}

func writeWrite(n int) string {
	if n == 1 {
		return "writes"
	}
	return "write"
}

func (d *drafter) sampled() string {
	s := func(x *sample) string {
		if x.more {
			return fmt.Sprintf("the first %s rows of %s (not the rest)", numfmt.Thousands(x.rows), x.name)
		}
		return fmt.Sprintf("all %s rows of %s", numfmt.Thousands(x.rows), x.name)
	}
	out := "Guessed from " + s(d.contacts)
	if d.events != nil {
		out += "\n# and " + s(d.events)
	}
	return out + fmt.Sprintf(";\n# init reads at most %s rows of each (--rows), so check the mapping on the whole export", numfmt.Thousands(d.opts.Rows))
}

// sourceName guesses the CRM's name from the export's file name.
func sourceName(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	n := normalize(base)
	if first, _, _ := strings.Cut(n, "_"); first != "" {
		return first
	}
	return "crm"
}

// pickID finds the column holding the lead id.
func pickID(cols []*column) (*column, string) {
	unique := func(c *column) bool { return len(c.cells) > 0 && len(c.distinct) == len(c.cells) }
	for _, want := range idNames {
		for _, c := range cols {
			if c.norm == want {
				if unique(c) {
					return c, fmt.Sprintf("guessed from its name; its %s values are all different", numfmt.Thousands(len(c.cells)))
				}
				return c, fmt.Sprintf("guessed from its name, but its values repeat (%s distinct of %s): check that it is the lead id", numfmt.Thousands(len(c.distinct)), numfmt.Thousands(len(c.cells)))
			}
		}
	}
	for _, c := range cols {
		if strings.HasSuffix(c.norm, "_id") && unique(c) {
			return c, fmt.Sprintf("guessed: its name ends in ID and its %s values are all different", numfmt.Thousands(len(c.cells)))
		}
	}
	for _, c := range cols {
		if unique(c) {
			return c, "guessed: the first column whose values are all different; check that it is the lead id"
		}
	}
	return cols[0], "NOT FOUND: no column has a different value in every row; name the column holding the lead id"
}

// fieldNames are the field names given so far and, for each name given
// twice, the number to try next after it, so that n columns of one name
// take n steps, not n².
type fieldNames struct {
	taken map[string]bool
	next  map[string]int
}

func newFieldNames() *fieldNames {
	return &fieldNames{taken: map[string]bool{}, next: map[string]int{}}
}

// name makes a column's normalised name a field name no other field has and
// check accepts.
func (n *fieldNames) name(norm string) string {
	name := norm
	if name == "" || !(name[0] >= 'a' && name[0] <= 'z' || name[0] == '_') {
		name = "f_" + name
	}
	if rules.NameTaken(name) {
		name += "_field"
	}
	base := name
	for i := max(n.next[base], 2); n.taken[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
		n.next[base] = i + 1
	}
	n.taken[name] = true
	return name
}

// nearField says which field a column's name is near, for a comment.
func nearField(c *column, fields []*rules.Field) string {
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	if s := dsl.DidYouMeanOr(c.norm, names, ""); s != "" {
		return s
	}
	return ""
}

// field writes one field's mapping: the column, the options its type
// needs, and a comment saying what was guessed and from what.
func (d *drafter) field(indent int, name string, c *column, typ dsl.FieldType, matched string) {
	var opts []string
	var notes []string
	if matched != "" {
		notes = append(notes, matched)
	}
	g := c.guess
	n := values(c)
	if len(c.cells) == 0 {
		notes = append(notes, "empty in every row read: nothing to guess from")
	}
	switch typ {
	case dsl.TypeBool:
		if g.typ == dsl.TypeBool {
			// A list of no words would read nothing as it: leave it out
			// (the usual words) when the values show only one side.
			if len(g.yes) > 0 {
				opts = append(opts, fmt.Sprintf("%s: %s", scalar("true"), flowList(g.yes)))
			}
			if len(g.no) > 0 {
				opts = append(opts, fmt.Sprintf("%s: %s", scalar("false"), flowList(g.no)))
			}
			notes = append(notes, fmt.Sprintf("guessed from %s: %s", n, strings.Join(append(append([]string{}, g.yes...), g.no...), "/")))
		} else if len(c.cells) > 0 {
			notes = append(notes, fmt.Sprintf("REVIEW: %s values such as %s are not the usual words for true and false; list them with \"true\": [...] and \"false\": [...]", numfmt.Thousands(len(c.cells)), examples(c, 3)))
		}
	case dsl.TypeInt, dsl.TypeFloat:
		switch {
		case g.typ == dsl.TypeInt || g.typ == dsl.TypeFloat:
			if g.format != "" {
				opts = append(opts, "format: "+scalar(g.format))
				notes = append(notes, fmt.Sprintf("format guessed from %s such as %s", n, examples(c, 2)))
			} else {
				notes = append(notes, fmt.Sprintf("%s, %s such as %s", typ, n, examples(c, 2)))
			}
			if typ == dsl.TypeInt && g.typ == dsl.TypeFloat {
				notes = append(notes, "REVIEW: some have decimals, and the model's field is a whole number")
			}
		case g.typ == dsl.TypeBool && allDigitsList(g.yes, g.no):
			notes = append(notes, fmt.Sprintf("%s, from %s: %s", typ, n, strings.Join(c.distinct, "/")))
		case len(c.cells) > 0:
			notes = append(notes, fmt.Sprintf("REVIEW: %s values such as %s do not read as numbers; give a format:, such as \"$1,234.56\"", numfmt.Thousands(len(c.cells)), examples(c, 3)))
		}
	case dsl.TypeTime:
		if g.typ == dsl.TypeTime {
			opts = append(opts, "layout: "+scalar(g.layout))
			note := fmt.Sprintf("layout guessed from %s such as %s", n, examples(c, 2))
			if g.ambiguous {
				note += fmt.Sprintf("; AMBIGUOUS: no value has a day above 12, so they read month first (%s) and day first (%s) alike: say which", g.layout, dayFirst(g.layout))
			}
			notes = append(notes, note)
			if !hasZone(g.layout) {
				d.zoneless = append(d.zoneless, c.name)
			}
		} else if len(c.cells) > 0 {
			notes = append(notes, fmt.Sprintf("REVIEW: %s values such as %s are in no layout tried; give a layout:, such as \"01/02/2006 15:04\"", numfmt.Thousands(len(c.cells)), examples(c, 2)))
		}
	case dsl.TypeList:
		sep := g.sep
		if sep == "" {
			best := 0
			for _, s := range []string{";", "|", ","} {
				if k := holding(c, s); k > best {
					sep, best = s, k
				}
			}
		}
		if sep != "" {
			opts = append(opts, "separator: "+scalar(sep))
			notes = append(notes, fmt.Sprintf("separator guessed from %s values such as %s", numfmt.Thousands(holding(c, sep)), examples(withSep(c, sep), 1)))
		} else if len(c.cells) > 0 {
			notes = append(notes, fmt.Sprintf("list: no value of %s holds more than one item, so the separator is a guess (\"|\"); give separator: if it is another", numfmt.Thousands(len(c.cells))))
		}
	default:
		switch {
		case len(c.cells) > 0 && len(c.distinct) <= 50:
			notes = append(notes, fmt.Sprintf("text, %s such as %s (values: maps them to other words)", count(len(c.distinct), "distinct value"), examples(c, 2)))
		case len(c.cells) > 0:
			notes = append(notes, fmt.Sprintf("text, from %s such as %s", n, examples(c, 2)))
		}
	}
	comment := ""
	if len(notes) > 0 {
		comment = " # " + strings.Join(notes, "; ")
	}
	if len(opts) == 0 {
		d.line(indent, "%s: %s%s", scalar(name), scalar(c.name), comment)
		return
	}
	d.line(indent, "%s: {column: %s, %s}%s", scalar(name), scalar(c.name), strings.Join(opts, ", "), comment)
}

// matchNote says why a column was mapped to a field; nothing for the same name.
func matchNote(p pairing) string {
	if p.why == "same name" {
		return ""
	}
	return fmt.Sprintf("mapped by %s", p.why)
}

// withSep is the column's cells holding sep, for examples.
func withSep(c *column, sep string) *column {
	out := &column{}
	for _, v := range c.distinct {
		if strings.Contains(v, sep) {
			out.distinct = append(out.distinct, v)
		}
	}
	return out
}

// eventsSection writes events: from the activities export.
func (d *drafter) eventsSection(contactsID *column) {
	e := d.events
	cols := e.columns
	used := map[*column]bool{}
	// The lead: the column named as the contacts' id, else one holding
	// their ids.
	var lead *column
	leadWhy := ""
	for _, c := range cols {
		if c.norm == contactsID.norm {
			lead, leadWhy = c, fmt.Sprintf("the same name as the contacts' id column (id: %s)", contactsID.name)
			break
		}
	}
	if lead == nil {
		best := 0
		for _, c := range cols {
			k := 0
			for _, v := range c.distinct {
				if contactsID.count[v] > 0 {
					k++
				}
			}
			if k > best {
				lead, best = c, k
				leadWhy = fmt.Sprintf("guessed: %s of its values are ids in %s", numfmt.Thousands(k), contactsID.name)
			}
		}
	}
	if lead == nil {
		lead, leadWhy = cols[0], "NOT FOUND: no column holds the contacts' ids; name the column holding the lead id"
	}
	used[lead] = true
	var id *column
	for _, c := range cols {
		if !used[c] && (c.norm == "id" || strings.HasSuffix(c.norm, "_id")) && len(c.cells) > 0 && c.guess.typ != dsl.TypeTime {
			id = c
			used[c] = true
			break
		}
	}
	var typ *column
	for _, c := range cols {
		if !used[c] && (c.norm == "type" || strings.HasSuffix(c.norm, "_type") || strings.HasPrefix(c.norm, "type_")) {
			typ = c
			break
		}
	}
	if typ == nil { // the text column with the fewest distinct values
		for _, c := range cols {
			if !used[c] && c.guess.typ == dsl.TypeString && len(c.distinct) > 0 && (typ == nil || len(c.distinct) < len(typ.distinct)) {
				typ = c
			}
		}
	}
	var at *column
	for _, c := range cols {
		if !used[c] && c != typ && c.guess.typ == dsl.TypeTime {
			at = c
			break
		}
	}
	d.line(0, "")
	d.line(0, "events: # from %s", e.name)
	if id != nil {
		why := fmt.Sprintf("its %s values are all different", numfmt.Thousands(len(id.cells)))
		if dup := len(id.cells) - len(id.distinct); dup > 0 {
			why = fmt.Sprintf("%s of its %s values repeat one before", numfmt.Thousands(dup), numfmt.Thousands(len(id.cells)))
		}
		d.line(1, "id: %s # guessed from its name (%s): an activity exported twice counts once", scalar(id.name), why)
	}
	d.line(1, "lead: %s # %s", scalar(lead.name), leadWhy)
	switch {
	case typ == nil:
		d.line(1, "type: %s # NOT FOUND: name the column holding the event type", scalar(unusedName(cols, used, "EVENT TYPE COLUMN")))
	case len(typ.distinct) == 0:
		used[typ] = true
		d.line(1, "type: %s # guessed from its name, but it is empty in every row read: add values: mapping its cells to event types", scalar(typ.name))
	default:
		used[typ] = true
		d.line(1, "type:")
		d.line(2, "column: %s # guessed from its name; %s distinct values in %s rows", scalar(typ.name), numfmt.Thousands(len(typ.distinct)), numfmt.Thousands(len(typ.cells)))
		d.line(2, "values: # each value seen, to an event type%s; a value not listed fails its row: add it", d.typesFrom())
		for _, v := range typ.distinct {
			t, why := d.eventType(v)
			d.line(3, "%s: %s # %s", scalar(v), scalar(t), why)
		}
	}
	if at == nil {
		d.line(1, "at: %s # NOT FOUND: no column reads as times; name the column holding when it happened, with a layout:", scalar(unusedName(cols, used, "EVENT TIME COLUMN")))
	} else {
		used[at] = true
		note := fmt.Sprintf("layout guessed from %s such as %s", values(at), examples(at, 2))
		if at.guess.ambiguous {
			note += fmt.Sprintf("; AMBIGUOUS: no value has a day above 12, so they read month first (%s) and day first (%s) alike: say which", at.guess.layout, dayFirst(at.guess.layout))
		}
		if !hasZone(at.guess.layout) {
			d.zoneless = append(d.zoneless, at.name)
		}
		d.line(1, "at: {column: %s, layout: %s} # %s", scalar(at.name), scalar(at.guess.layout), note)
	}
	var rest []*column
	for _, c := range cols {
		if !used[c] {
			rest = append(rest, c)
		}
	}
	var ignore []string
	if len(rest) > 0 {
		d.line(1, "fields:")
		if m := d.opts.Model; m != nil {
			pairs, unmatched := pair(rest, m.EventFields)
			for _, p := range pairs {
				d.field(2, p.name, p.col, p.field.Type, matchNote(p))
			}
			for _, c := range unmatched {
				ignore = append(ignore, fmt.Sprintf("%s # not an event field of model %s; map it under fields: if a rule should read it", scalar(c.name), m.Name))
			}
			if len(pairs) == 0 {
				d.line(2, "{} # no column matched an event field of model %s", m.Name)
			}
		} else {
			names := newFieldNames()
			for _, c := range rest {
				name := names.name(c.norm)
				d.field(2, name, c, c.guess.typ, "")
				d.newEventFields = append(d.newEventFields, fmt.Sprintf("%s: %s", name, c.guess.typ))
			}
		}
	}
	if len(ignore) > 0 {
		d.line(1, "ignore:")
		for _, s := range ignore {
			d.line(2, "- %s", s)
		}
	}
}

func (d *drafter) typesFrom() string {
	if d.opts.Model != nil && len(d.opts.Model.EventTypes) > 0 {
		return " of model " + d.opts.Model.Name
	}
	return ""
}

// eventType guesses the event type a cell of the type column means.
func (d *drafter) eventType(v string) (string, string) {
	snake := normalize(v)
	if snake == "" {
		snake = "event"
	}
	m := d.opts.Model
	if m == nil || len(m.EventTypes) == 0 {
		if !contains(d.newEventTypes, snake) {
			d.newEventTypes = append(d.newEventTypes, snake)
		}
		return snake, "guessed: the value in snake_case"
	}
	if contains(m.EventTypes, snake) {
		return snake, "same name"
	}
	best, bestScore, bestWhy := "", 0, ""
	for _, t := range m.EventTypes {
		s, why := matchScore(snake, t)
		if s > bestScore {
			best, bestScore, bestWhy = t, s, why
		}
	}
	if best != "" {
		return best, fmt.Sprintf("guessed, %s", bestWhy)
	}
	return snake, fmt.Sprintf("REVIEW: model %s declares no such event type; map it to one of %s, or add it to event_types:", m.Name, strings.Join(m.EventTypes, ", "))
}

// proposeModel writes, as comments, a model's fields for the draft.
func (d *drafter) proposeModel() {
	d.line(0, "")
	d.line(0, "# A model for these exports could declare (types guessed from the values; review them):")
	d.line(0, "# fields:")
	for _, f := range d.newFields {
		d.line(0, "#   %s", f)
	}
	if len(d.newEventFields) > 0 {
		d.line(0, "# events:")
		for _, f := range d.newEventFields {
			d.line(0, "#   %s", f)
		}
	}
	if len(d.newEventTypes) > 0 {
		d.line(0, "# event_types: [%s]", strings.Join(d.newEventTypes, ", "))
	}
}

// flowList writes words as a YAML flow list: [Yes, Y].
func flowList(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = scalar(w)
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// scalar writes s as a YAML scalar that reads back as the text s, in block
// and flow context alike: plain when it can be, else double-quoted.
func scalar(s string) string {
	plain := s != "" && strings.TrimSpace(s) == s
	for i, r := range s {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.' || r == '/' || r == '(' || r == ')' ||
			(i > 0 && (r == ' ' || r == '-' || r == '+' || r == '$' || r == '\''))
		if !ok || r > unicode.MaxASCII && !unicode.IsLetter(r) {
			plain = false
			break
		}
	}
	if plain {
		var v any
		if err := yaml.Unmarshal([]byte("k: "+s), &v); err != nil {
			plain = false
		} else if m, ok := v.(map[string]any); !ok || m["k"] != s {
			plain = false
		}
	}
	if plain {
		return s
	}
	b, _ := yaml.Marshal(s)
	q := strings.TrimSuffix(string(b), "\n")
	if strings.HasPrefix(q, `"`) {
		return q
	}
	return strconv.Quote(s)
}

// count writes n and a noun, plural when n is not 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return numfmt.Thousands(n) + " " + noun + "s"
}

// onlyComments reports whether YAML lines hold nothing but comments.
func onlyComments(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// unusedName is a column no other role of the events section took (the
// last such), or a placeholder to replace: a draft never maps one column
// to two of an activity's id, lead, type and time, which check refuses.
func unusedName(cols []*column, used map[*column]bool, placeholder string) string {
	for i := len(cols) - 1; i >= 0; i-- {
		if !used[cols[i]] {
			used[cols[i]] = true
			return cols[i].name
		}
	}
	return placeholder
}
