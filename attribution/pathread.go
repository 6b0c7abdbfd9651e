package attribution

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"unicode/utf8"
)

// pathColumns are the columns of aggregated paths, as ChannelAttribution
// names them.
var pathColumns = []string{"path", "total_conversions", "total_conversion_value", "total_null"}

// PathFormat says how a file of aggregated paths is written. The zero value
// reads ChannelAttribution's format: path;total_conversions;
// total_conversion_value;total_null with paths like "a > b > c".
//
// A first line that names the path and conversions columns is a header:
// the columns may then come in any order, other columns are ignored, and
// the value and null columns may be absent (no value; no nulls, that is,
// non-conversions unknown). Without a header the four columns come in
// ChannelAttribution's order.
type PathFormat struct {
	// Delimiter separates the columns: ';' by default.
	Delimiter rune
	// Separator separates the channels of a path: ">" by default. Spaces
	// around channels are trimmed.
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

// Check says what is wrong with a format: a delimiter that a number or the
// separator would contain, or two columns with one name.
func (f PathFormat) Check() error {
	f = f.withDefaults()
	switch {
	case f.Delimiter == '"' || f.Delimiter == '\r' || f.Delimiter == '\n' || !utf8.ValidRune(f.Delimiter) || f.Delimiter == utf8.RuneError:
		return fmt.Errorf("the column delimiter %q cannot separate columns; use ';', ',', or a tab", f.Delimiter)
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

// layout maps a line's cells to the four columns; -1 for an absent one.
type layout struct {
	f      PathFormat
	cols   [4]int
	width  int    // cells a line has
	header string // the columns, for messages
}

// newLayout reads the first line: a header, or the first row of a file
// without one.
func (f PathFormat) newLayout(first string) (l *layout, isHeader bool, err error) {
	cells, err := f.split(first)
	if err != nil {
		cells = nil
	}
	names := []string{f.Path, f.Conversions, f.Value, f.Nulls}
	l = &layout{f: f, cols: [4]int{-1, -1, -1, -1}}
	for i, c := range cells {
		c = strings.TrimSpace(c)
		for k, n := range names {
			if c == n {
				if l.cols[k] >= 0 {
					return nil, true, fmt.Errorf("the header names the column %q twice; name each column once", n)
				}
				l.cols[k] = i
			}
		}
	}
	if l.cols[0] < 0 && l.cols[1] < 0 {
		// No header: ChannelAttribution's four columns in order.
		l.cols, l.width = [4]int{0, 1, 2, 3}, 4
		l.header = strings.Join(names, string(f.Delimiter))
		return l, false, nil
	}
	if l.cols[0] >= 0 && l.cols[1] < 0 && len(cells) == 4 && f.Conversions == pathColumns[1] {
		// A header of other names, such as path;conversions;value;null:
		// ChannelAttribution's four columns in order, as always read.
		l.cols, l.width = [4]int{0, 1, 2, 3}, 4
		l.header = strings.Join(names, string(f.Delimiter))
		return l, true, nil
	}
	if l.cols[0] < 0 || l.cols[1] < 0 {
		var missing []string
		for k := 0; k < 2; k++ {
			if l.cols[k] < 0 {
				missing = append(missing, names[k])
			}
		}
		return nil, true, fmt.Errorf("the header needs a %s column (it has %s); name the columns with --columns if they are called otherwise",
			strings.Join(missing, " and a "), strings.Join(cells, ", "))
	}
	l.width = len(cells)
	l.header = strings.Join(cells, string(f.Delimiter))
	return l, true, nil
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
// lines read and used reconcile through the returned numbers.
func ReadPaths(r io.Reader, onError func(line int, err error)) (p *Paths, read, used int, err error) {
	return PathFormat{}.Read(r, onError)
}

// Read reads aggregated paths in the format f, as ReadPaths does.
func (f PathFormat) Read(r io.Reader, onError func(line int, err error)) (p *Paths, read, used int, err error) {
	if err := f.Check(); err != nil {
		return nil, 0, 0, err
	}
	f = f.withDefaults()
	p = NewPaths()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var l *layout
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
			lay, isHeader, err := f.newLayout(text)
			if err != nil {
				return nil, 0, 0, fmt.Errorf("line 1 (the header): %v", err)
			}
			l = lay
			if isHeader {
				continue
			}
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		read++
		if err := l.addLine(p, text); err != nil {
			onError(line, err)
			continue
		}
		used++
	}
	return p, read, used, sc.Err()
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
	f = f.withDefaults()
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type batch struct {
		first int
		lines []string
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
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	if !sc.Scan() {
		return NewPaths(), 0, 0, sc.Err()
	}
	first := strings.TrimPrefix(sc.Text(), "\ufeff")
	l, isHeader, err := f.newLayout(first)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("line 1 (the header): %v", err)
	}
	jobs := make(chan batch, 2*workers)
	results := make(chan result, workers)
	for w := 0; w < workers; w++ {
		go func() {
			res := result{p: NewPaths()}
			for b := range jobs {
				for i, text := range b.lines {
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
	line := 1
	cur := batch{first: 2}
	if !isHeader {
		cur = batch{first: 1, lines: []string{first}}
	}
	for sc.Scan() {
		line++
		cur.lines = append(cur.lines, sc.Text())
		if len(cur.lines) == 4096 {
			jobs <- cur
			cur = batch{first: line + 1}
		}
	}
	if len(cur.lines) > 0 {
		jobs <- cur
	}
	close(jobs)
	p := NewPaths()
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
	return p, read, used, sc.Err()
}
