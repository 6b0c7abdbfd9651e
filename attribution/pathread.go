package attribution

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"github.com/leadscore/leadscore/internal/notutf8"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/leadscore/leadscore/internal/delim"
	"github.com/leadscore/leadscore/internal/suggest"
)

// pathColumns are the columns of aggregated paths, as ChannelAttribution
// names them.
var pathColumns = []string{"path", "total_conversions", "total_conversion_value", "total_null"}

// pathRoles are the --columns roles of the four columns, in pathColumns'
// order.
var pathRoles = []string{"path", "conversions", "value", "null"}

// pathSynonyms are names other tools give the four columns: a header that
// lacks a column but has one of these is refused with a did-you-mean, never
// read by guess.
var pathSynonyms = [][]string{
	{"journey", "journeys", "paths", "channel_path", "touchpoints", "touches", "channels"},
	{"conversions", "conversion", "conv", "convs", "total_conversion", "converted", "conversions_total"},
	{"value", "revenue", "rev", "amount", "conversion_value", "total_value", "total_revenue", "conversions_value"},
	{"null", "nulls", "lost", "total_nulls", "non_conversions", "nonconversions", "not_converted"},
}

// PathFormat says how a file of aggregated paths is written. The zero value
// reads ChannelAttribution's format: path;total_conversions;
// total_conversion_value;total_null with paths like "a > b > c".
//
// A first line (blank lines before it are skipped) that is not a row of
// four cells with numbers in the last three is a header, and the columns
// are found in it by name, never by position: they may come in any order
// and other columns are ignored. The path and conversions columns must be
// there; the value and null columns may be absent (no value; no nulls, that
// is, non-conversions unknown), and Paths.Notes then says so. A header that
// lacks a column but has one that looks like it (a misspelling, or another
// tool's name such as "revenue") is refused with a did-you-mean, as is a
// column name given in the format that the header does not have. Without a
// header the four columns come in ChannelAttribution's order.
type PathFormat struct {
	// Delimiter separates the columns: ';' by default.
	Delimiter rune
	// Separator separates the channels of a path: ">" by default. Spaces
	// around channels are trimmed. Paths read with it are written back
	// (credit and transitions files) with it between channels.
	Separator string
	// Column names: path, total_conversions, total_conversion_value and
	// total_null by default.
	Path, Conversions, Value, Nulls string
}

func (f PathFormat) withDefaults() PathFormat {
	if f.Delimiter == 0 {
		f.Delimiter = ';'
	}
	if f.Separator == "" {
		f.Separator = ">"
	}
	for i, c := range []*string{&f.Path, &f.Conversions, &f.Value, &f.Nulls} {
		if *c == "" {
			*c = pathColumns[i]
		}
	}
	return f
}

// named says which columns the format names itself (not by default).
func (f PathFormat) named() [4]bool {
	return [4]bool{f.Path != "", f.Conversions != "", f.Value != "", f.Nulls != ""}
}

// Check says what is wrong with a format: a delimiter that a number or the
// separator would contain, or two columns with one name.
func (f PathFormat) Check() error {
	f = f.withDefaults()
	switch {
	case f.Delimiter == '"' || f.Delimiter == '\r' || f.Delimiter == '\n' || !utf8.ValidRune(f.Delimiter) || f.Delimiter == utf8.RuneError:
		return fmt.Errorf("the column delimiter %q cannot separate columns; use ';', ',', or a tab", f.Delimiter)
	case f.Delimiter < utf8.RuneSelf && strings.ContainsRune("0123456789.+-eE", f.Delimiter):
		return fmt.Errorf("the column delimiter %q can be part of a number (such as 1.5e3 or -2), so it cannot separate the amount columns; use ';', ',', or a tab", f.Delimiter)
	case strings.ContainsRune(f.Separator, f.Delimiter):
		return fmt.Errorf("the channel separator %q holds the column delimiter %q; choose another of the two", f.Separator, f.Delimiter)
	case strings.ContainsAny(f.Separator, "\"\r\n"):
		return fmt.Errorf("the channel separator %q cannot hold quotes or line breaks", f.Separator)
	}
	names := []string{f.Path, f.Conversions, f.Value, f.Nulls}
	for i, a := range names {
		for _, b := range names[:i] {
			if a == b {
				return fmt.Errorf("the column name %q is given for two columns; name each column once", a)
			}
		}
	}
	return nil
}

// HeaderError is a file's header that cannot be read: the file is not read.
type HeaderError struct {
	Line int // the header's line, from 1
	Err  error
}

func (e *HeaderError) Error() string { return fmt.Sprintf("line %d (the header): %v", e.Line, e.Err) }

func (e *HeaderError) Unwrap() error { return e.Err }

// layout maps a line's cells to the four columns; -1 for an absent one.
type layout struct {
	f      PathFormat
	cols   [4]int
	width  int    // cells a line has
	header string // the columns, for messages
	notes  []string
}

// looksLikeData reports whether cells are a row of ChannelAttribution's
// four columns: numbers in the last three.
func looksLikeData(cells []string) bool {
	if len(cells) != 4 {
		return false
	}
	for _, c := range cells[1:] {
		if _, _, err := parseAmount(c); err != nil {
			return false
		}
	}
	return true
}

// newLayout reads the first line that is not blank: a header, or the first
// row of a file without one. named says which column names the caller gave
// (f has the defaults filled in).
func (f PathFormat) newLayout(first string, named [4]bool) (l *layout, isHeader bool, err error) {
	return f.layout(first, named, true)
}

// layout is newLayout; with guess, a first line that does not split into
// the columns, but would at another common delimiter, is told so.
func (f PathFormat) layout(first string, named [4]bool, guess bool) (l *layout, isHeader bool, err error) {
	cells, err := f.split(first)
	if err != nil {
		return nil, true, err
	}
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	names := []string{f.Path, f.Conversions, f.Value, f.Nulls}
	l = &layout{f: f, cols: [4]int{-1, -1, -1, -1}}
	for i, c := range cells {
		for k, n := range names {
			if c == n {
				if l.cols[k] >= 0 {
					return nil, true, fmt.Errorf("the header names the column %q twice; name each column once", n)
				}
				l.cols[k] = i
			}
		}
	}
	if l.cols == [4]int{-1, -1, -1, -1} && looksLikeData(cells) {
		if named != [4]bool{} {
			return nil, false, fmt.Errorf("column names were given (--columns), but the file has no header: its first line %q is a row of paths; add a header line that names the columns, or leave out --columns to read path;total_conversions;total_conversion_value;total_null in that order", first)
		}
		l.cols, l.width = [4]int{0, 1, 2, 3}, 4
		l.header = strings.Join(names, string(f.Delimiter))
		return l, false, nil
	}
	// A header: every column is found by name, or the file is refused.
	var unmatched []string
	for i, c := range cells {
		if !slices.Contains(l.cols[:], i) && c != "" {
			unmatched = append(unmatched, c)
		}
	}
	has := strings.Join(cells, ", ")
	var guesses []string // role=column: the columns given, and those a header cell looks like
	var problems []string
	guessed := false
	for k := range names {
		if l.cols[k] >= 0 {
			if named[k] {
				guesses = append(guesses, pathRoles[k]+"="+names[k])
			}
			continue
		}
		guess := guessColumn(k, names[k], unmatched)
		if guess != "" {
			guessed = true
			guesses = append(guesses, pathRoles[k]+"="+guess)
		}
		switch {
		case named[k]:
			problems = append(problems, fmt.Sprintf("no column %q, which --columns names as the %s column", names[k], pathRoles[k])+didYouMean(guess))
		case k < 2 || guess != "":
			problems = append(problems, fmt.Sprintf("no %s column", names[k])+didYouMean(guess))
		case k == 2:
			l.notes = append(l.notes, fmt.Sprintf("the header has no %s column, so the paths carry no conversion value and every value credit is 0; if the value is in another column, name it with --columns value=COLUMN", names[k]))
		default:
			l.notes = append(l.notes, fmt.Sprintf("the header has no %s column, so the paths carry no nulls (journeys that did not convert); if they are in another column, name it with --columns null=COLUMN", names[k]))
		}
	}
	if len(problems) > 0 {
		if d := rune(0); guess {
			if d = f.otherDelimiter(first, cells, named); d != 0 {
				what := "the header looks"
				if _, isHeader, _ := f.withDelimiter(d).layout(first, named, false); !isHeader {
					what = "the file has no header, and its first row of paths looks"
				}
				split := fmt.Sprintf("it is one column, %q", first)
				if len(cells) > 1 {
					split = "its columns are " + has
				}
				return nil, true, fmt.Errorf("%s separated by %s: run with --delimiter %s; read with %q between columns, %s",
					what, delim.Name(d), flagValue(d), string(f.Delimiter), split)
			}
		}
		fix := "name the columns with --columns, such as --columns path=journey,conversions=conv,value=revenue,null=lost"
		if guessed {
			fix = "if so, run with --columns " + strings.Join(guesses, ",") + " (or rename the header's columns to " + strings.Join(pathColumns, ", ") + ")"
		}
		return nil, true, fmt.Errorf("the header has %s; its columns are %s; %s", strings.Join(problems, ", "), has, fix)
	}
	l.width = len(cells)
	l.header = strings.Join(cells, string(f.Delimiter))
	return l, true, nil
}

// otherDelimiter returns the common delimiter, other than f's, at which the
// first line (cut into cells at f's) splits into the columns f reads, or
// that the line holds when it is one cell; 0 if none.
func (f PathFormat) otherDelimiter(first string, cells []string, named [4]bool) rune {
	return delim.Guess(f.Delimiter, func(d rune) bool {
		g := f.withDelimiter(d)
		if g.Check() != nil {
			return false
		}
		_, _, err := g.layout(first, named, false)
		return err == nil || len(cells) == 1 && strings.ContainsRune(first, d)
	})
}

func (f PathFormat) withDelimiter(d rune) PathFormat {
	f.Delimiter = d
	return f
}

// flagValue writes a delimiter as --delimiter takes it.
func flagValue(d rune) string {
	if d == '\t' {
		return "tab"
	}
	return fmt.Sprintf("'%c'", d)
}

func didYouMean(guess string) string {
	if guess == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", guess)
}

// guessColumn returns the header cell that looks like column k (named
// name): a misspelling of its name or of ChannelAttribution's, or another
// tool's name for it; "" when none does.
func guessColumn(k int, name string, cells []string) string {
	lower := make([]string, len(cells))
	for i, c := range cells {
		lower[i] = strings.ToLower(c)
	}
	for _, want := range []string{name, pathColumns[k]} {
		for i, c := range lower {
			if c == strings.ToLower(want) {
				return cells[i]
			}
		}
		if s := suggest.Nearest(strings.ToLower(want), lower); s != "" {
			return cells[slices.Index(lower, s)]
		}
	}
	for _, syn := range pathSynonyms[k] {
		if i := slices.Index(lower, syn); i >= 0 {
			return cells[i]
		}
	}
	return ""
}

// split cuts a line into cells at the delimiter; a line with quotes is
// read as CSV, so a quoted cell may hold the delimiter.
func (f PathFormat) split(line string) ([]string, error) {
	if !strings.ContainsRune(line, '"') {
		return strings.Split(line, string(f.Delimiter)), nil
	}
	r := csv.NewReader(strings.NewReader(line))
	r.Comma = f.Delimiter
	r.FieldsPerRecord = -1
	cells, err := r.Read()
	if err != nil {
		return nil, csvProblem(err)
	}
	return cells, nil
}

// addLine parses and adds one line.
func (l *layout) addLine(p *Paths, text string) error {
	cells, err := l.f.split(text)
	if err != nil {
		return err
	}
	if len(cells) != l.width {
		return fmt.Errorf("want %d fields separated by %q (%s), got %d", l.width, l.f.Delimiter, l.header, len(cells))
	}
	amounts := [3]string{"0", "0", "0"}
	for k := 1; k < 4; k++ {
		if c := l.cols[k]; c >= 0 {
			amounts[k-1] = cells[c]
		}
	}
	var ds [3]decimal
	names := [3]string{l.f.Conversions, l.f.Value, l.f.Nulls}
	for i, s := range amounts {
		_, d, err := parseAmount(s)
		if err != nil {
			return fmt.Errorf("%s: %v", names[i], err)
		}
		ds[i] = d
	}
	path := cells[l.cols[0]]
	channels := strings.Split(path, l.f.Separator)
	for i := range channels {
		channels[i] = strings.TrimSpace(channels[i])
		if channels[i] == "" {
			return fmt.Errorf("the path %q has an empty channel", path)
		}
	}
	return p.add(channels, ds)
}

// ReadPaths reads aggregated paths in the format ChannelAttribution and
// others use: a header, then lines of path;total_conversions;
// total_conversion_value;total_null with paths like "a > b > c". A bad line
// is passed to onError with its line number and left out; the counts of
// lines read and used reconcile through the returned numbers. A header
// that cannot be read is a *HeaderError.
func ReadPaths(r io.Reader, onError func(line int, err error)) (p *Paths, read, used int, err error) {
	return PathFormat{}.Read(r, onError)
}

// MaxLine is the longest line a paths file may have, in bytes; a longer
// line fails alone.
const MaxLine = 16 << 20

// lineReader reads lines (without their line break, "\r\n" or "\n"),
// counting them; a line longer than MaxLine is skipped to its end and
// returned as an error.
type lineReader struct {
	r    *bufio.Reader
	line int
	max  int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: MaxLine}
}

// next returns the next line; ok is false at the end or on a read error.
// A line longer than MaxLine is skipped, with long true.
func (lr *lineReader) next() (text string, long, ok bool, err error) {
	chunk, err := lr.r.ReadSlice('\n')
	if err == nil { // the common case: the whole line in the buffer, one copy
		return lr.end(chunk, nil)
	}
	buf := append([]byte(nil), chunk...)
	for err == bufio.ErrBufferFull {
		chunk, err = lr.r.ReadSlice('\n')
		if !long && len(buf)+len(chunk) > lr.max+2 { // room for the line break
			long, buf = true, nil
		}
		if !long {
			buf = append(buf, chunk...)
		}
	}
	if err != nil && err != io.EOF {
		return "", false, false, err
	}
	if long {
		lr.line++
		return "", true, true, nil
	}
	return lr.end(buf, err)
}

// end returns a line read whole, err being nil or io.EOF.
func (lr *lineReader) end(buf []byte, err error) (string, bool, bool, error) {
	if err == io.EOF && len(buf) == 0 {
		return "", false, false, nil
	}
	lr.line++
	buf = bytes.TrimSuffix(buf, []byte("\n"))
	buf = bytes.TrimSuffix(buf, []byte("\r"))
	if len(buf) > lr.max {
		return "", true, true, nil
	}
	return string(buf), false, true, nil
}

func (lr *lineReader) tooLong() error {
	return fmt.Errorf("the line is longer than %d MiB, the most a line may have: a file of paths has lines this long only when the column delimiter or the line breaks are not what they should be (check --delimiter)", lr.max>>20)
}

// header reads up to the first line that is not blank and makes the
// layout from it. first is that line when it is a row of paths (no
// header), with its number.
func (f PathFormat) header(lr *lineReader, named [4]bool) (l *layout, first string, firstLine int, err error) {
	for {
		text, long, ok, err := lr.next()
		if err != nil {
			return nil, "", 0, err
		}
		if !ok {
			return nil, "", 0, nil
		}
		if long {
			return nil, "", 0, &HeaderError{lr.line, lr.tooLong()}
		}
		if lr.line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		l, isHeader, err := f.newLayout(text, named)
		if err != nil {
			return nil, "", 0, &HeaderError{lr.line, err}
		}
		if isHeader {
			return l, "", 0, nil
		}
		return l, text, lr.line, nil
	}
}

// Read reads aggregated paths in the format f, as ReadPaths does.
func (f PathFormat) Read(r io.Reader, onError func(line int, err error)) (p *Paths, read, used int, err error) {
	if err := f.Check(); err != nil {
		return nil, 0, 0, err
	}
	named := f.named()
	f = f.withDefaults()
	p = NewPaths()
	p.sep = f.Separator
	r, err = notutf8.Sniff(r)
	if err != nil {
		return nil, 0, 0, &HeaderError{1, err}
	}
	lr := newLineReader(r)
	l, first, firstLine, err := f.header(lr, named)
	if err != nil || l == nil {
		if err != nil {
			p = nil
		}
		return p, 0, 0, err
	}
	p.Notes = l.notes
	add := func(line int, text string) {
		read++
		if err := l.addLine(p, text); err != nil {
			onError(line, err)
			return
		}
		used++
	}
	if first != "" {
		add(firstLine, first)
	}
	for {
		text, long, ok, err := lr.next()
		if err != nil {
			return p, read, used, fmt.Errorf("line %d: %v", lr.line+1, err)
		}
		if !ok {
			break
		}
		if long {
			read++
			onError(lr.line, lr.tooLong())
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		add(lr.line, text)
	}
	return p, read, used, nil
}

// ReadPathsParallel reads aggregated paths as ReadPaths does, parsing on
// workers goroutines (0: one per core), each into its own Paths, merged at
// the end: the result is the same, to the bit, as one pass. Bad lines are
// passed to onError in line order.
func ReadPathsParallel(r io.Reader, workers int, onError func(line int, err error)) (*Paths, int, int, error) {
	return PathFormat{}.ReadParallel(r, workers, onError)
}

// ReadParallel reads aggregated paths in the format f, as ReadPathsParallel
// does.
func (f PathFormat) ReadParallel(r io.Reader, workers int, onError func(line int, err error)) (*Paths, int, int, error) {
	if err := f.Check(); err != nil {
		return nil, 0, 0, err
	}
	named := f.named()
	f = f.withDefaults()
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type batch struct {
		first int
		lines []string
		long  map[int]error // lines too long, by index
	}
	type lineErr struct {
		line int
		err  error
	}
	type result struct {
		p          *Paths
		read, used int
		errs       []lineErr
	}
	r, serr := notutf8.Sniff(r)
	if serr != nil {
		return nil, 0, 0, &HeaderError{1, serr}
	}
	lr := newLineReader(r)
	l, first, firstLine, err := f.header(lr, named)
	if err != nil {
		return nil, 0, 0, err
	}
	if l == nil {
		p := NewPaths()
		p.sep = f.Separator
		return p, 0, 0, nil
	}
	jobs := make(chan batch, 2*workers)
	results := make(chan result, workers)
	for w := 0; w < workers; w++ {
		go func() {
			res := result{p: NewPaths()}
			res.p.sep = f.Separator
			for b := range jobs {
				for i, text := range b.lines {
					if err := b.long[i]; err != nil {
						res.read++
						res.errs = append(res.errs, lineErr{b.first + i, err})
						continue
					}
					if strings.TrimSpace(text) == "" {
						continue
					}
					res.read++
					if err := l.addLine(res.p, text); err != nil {
						res.errs = append(res.errs, lineErr{b.first + i, err})
						continue
					}
					res.used++
				}
			}
			results <- res
		}()
	}
	cur := batch{first: lr.line + 1}
	if first != "" {
		cur = batch{first: firstLine, lines: []string{first}}
	}
	var readErr error
	for {
		text, long, ok, err := lr.next()
		if err != nil {
			readErr = fmt.Errorf("line %d: %v", lr.line+1, err)
			break
		}
		if !ok {
			break
		}
		if long {
			if cur.long == nil {
				cur.long = map[int]error{}
			}
			cur.long[len(cur.lines)] = lr.tooLong()
		}
		cur.lines = append(cur.lines, text)
		if len(cur.lines) == 4096 {
			jobs <- cur
			cur = batch{first: lr.line + 1}
		}
	}
	if len(cur.lines) > 0 {
		jobs <- cur
	}
	close(jobs)
	p := NewPaths()
	p.sep, p.Notes = f.Separator, l.notes
	read, used := 0, 0
	var errs []lineErr
	var mergeErr error
	for w := 0; w < workers; w++ {
		res := <-results
		read += res.read
		used += res.used
		errs = append(errs, res.errs...)
		if err := p.Merge(res.p); err != nil && mergeErr == nil {
			mergeErr = err
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].line < errs[j].line })
	for _, e := range errs {
		onError(e.line, e.err)
	}
	if mergeErr != nil {
		return nil, read, used, mergeErr
	}
	return p, read, used, readErr
}
