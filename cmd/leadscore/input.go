package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// asOfTime reads the time given with flag (--at, as the caller names it):
// a date or RFC 3339 time, or now (to the second) when empty.
func asOfTime(flag, at string) (time.Time, error) {
	if at == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := dsl.ParseTime(at)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %v", flag, err)
	}
	return t, nil
}

// openLeads sets the input of opts: the leads file (its format from --in,
// or its name: .csv is CSV), and the CSV events file. close releases them.
func openLeads(opts *leadfile.Options, name, in, events string) (close func(), err error) {
	var files []*os.File
	close = func() {
		for _, f := range files {
			f.Close()
		}
	}
	f, err := os.Open(name)
	if err != nil {
		return close, err
	}
	files = append(files, f)
	opts.Input, opts.InputName = f, name
	opts.InputFormat = leadfile.NDJSON
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		opts.InputFormat = leadfile.CSV
	}
	if in != "" {
		if opts.InputFormat, err = leadfile.ParseFormat(in); err != nil {
			return close, fmt.Errorf("--in: %v", err)
		}
	}
	if events != "" {
		ef, err := os.Open(events)
		if err != nil {
			return close, err
		}
		files = append(files, ef)
		opts.Events, opts.EventsName = ef, events
	}
	return close, nil
}

// strictDataFlag registers --strict-data, which every command that reads
// lead data takes.
func strictDataFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("strict-data", false, "fail a lead that carries data the model does not declare (a key, column, event key or event type);\nby default such data is counted and reported with a did-you-mean, and the lead is scored")
}

// scorerFor makes the Scorer a command scores lead data with: unknown data
// reported, or refused with --strict-data.
func scorerFor(m *rules.Model, strict bool) *scoring.Scorer {
	if strict {
		return scoring.New(m, scoring.WithUnknownData(scoring.RefuseUnknown))
	}
	return scoring.New(m)
}

// writeUnknown prints, after a run, each piece of data the model does not
// declare with the number of rows that carried it.
func writeUnknown(w io.Writer, t scoring.UnknownTally) {
	for _, line := range t.Lines() {
		fmt.Fprintln(w, line)
	}
}

// parseSize reads a size in bytes: a whole number with an optional unit,
// KiB or MiB (K, KB, M and MB mean the same).
func parseSize(s string) (int, error) {
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.ToLower(strings.TrimSpace(s[len(num):]))
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a size such as 4MiB or 512KiB, got %q", s)
	}
	switch unit {
	case "", "b":
	case "k", "kb", "kib":
		n <<= 10
	case "m", "mb", "mib":
		n <<= 20
	default:
		return 0, fmt.Errorf("unknown unit %q in %q; use KiB or MiB", unit, s)
	}
	if n > 1<<30 {
		return 0, fmt.Errorf("%q is over 1 GiB; a row that large is not a lead", s)
	}
	return n, nil
}

// noEventsFlag registers --no-events, which every command that reads CSV
// leads takes: the leads have no events file on purpose.
func noEventsFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("no-events", false, "the CSV leads come without an events file on purpose: score them on their fields alone\n(without it, a model that counts events refuses CSV leads given no --events)")
}

// shellWords joins a command's words as a shell reads them back: a word
// with a space or a shell character is quoted, so a hint can be pasted.
func shellWords(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@") == "" {
			out[i] = w
			continue
		}
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// createdFieldFlag registers --created-field for a command that applies
// the accounts' rule of membership (with is the flag it goes with): a
// lead created after the as-of time is not yet one of its account's people.
func createdFieldFlag(fs *flag.FlagSet, with string) *string {
	return fs.String("created-field", "created_at", "with "+with+", the lead field that holds when the lead was created: a lead created after the\nas-of time is not yet one of its account's people (without the field, from its first event)")
}

// createdFieldFlagHoldout is createdFieldFlag for the commands that also
// mark a holdout experiment with a start (score, stream).
func createdFieldFlagHoldout(fs *flag.FlagSet) *string {
	return fs.String("created-field", "created_at", "with --accounts, the lead field that holds when the lead was created: a lead created after the\nas-of time is not yet one of its account's people; with a holdout that starts (starts:), a lead created\nbefore the start is in neither group (without the field, from its first event)")
}

// checkCreatedField checks the field a command reads leads' creation from
// (--created-field): a time field the model declares. The default,
// created_at, may be absent (leads then exist from their first event); a
// field named on the command line must exist, or every lead's creation
// would silently fall back to its first event.
func checkCreatedField(c caller, m *rules.Model, name string, named bool) error {
	f := m.Field(name)
	switch {
	case f == nil && (!named || name == "created_at"):
		// created_at, the default, may be data the model does not
		// declare: named or not, it is read the same.
		return nil
	case f == nil:
		var names []string
		for _, f := range m.Fields {
			if f.Type == dsl.TypeTime {
				names = append(names, f.Name)
			}
		}
		hint := "the model declares no time field; declare the one that holds when a lead was created (a field of type time), or leave the flag out to read created_at"
		if len(names) > 0 {
			hint = "the model's time fields are " + strings.Join(names, ", ") + "; name the one that holds when a lead was created"
		}
		return fmt.Errorf("%s %s: the model has no field %q%s", c.flag("created-field"), name, name, dsl.DidYouMeanOr(name, names, hint))
	case f.Type != dsl.TypeTime:
		return fmt.Errorf("%s %s: the field %s is %s, not a time; name the time field that holds when a lead was created", c.flag("created-field"), name, name, f.Type)
	}
	return nil
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// carriesVerdicts reports whether an NDJSON leads file carries sales'
// verdicts in its leads ("dispositions" beside "events"): a command that
// must replay every lead for them (a backtest's verdict view, the review
// page's feedback) learns it before the leads are read. It reads the file
// once, in chunks, its parts on every core at once (the commands wait for
// it); CSV leads cannot carry them. A pipe is not looked at: what it was
// read would be lost to the command (its leads' verdicts still count, but
// hand-offs without one are not replayed for them).
func carriesVerdicts(name string) bool {
	if strings.EqualFold(filepath.Ext(name), ".csv") || !regularFile(name) {
		return false
	}
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false
	}
	return containsAt(f, st.Size(), verdictsKey, runtime.GOMAXPROCS(0), 1<<20)
}

// rereadableNDJSON reports whether the leads file is NDJSON (so it may
// carry sales' verdicts in its leads: a CSV file, with its events file or
// a source mapping, cannot, whatever its name) and can be read again from
// the start:
// backtest then looks for the verdicts as it reads the leads (leadfile's
// Options.Spot), and reads them again, with the verdict view, when a row
// names them (errCarriesVerdicts).
func rereadableNDJSON(name, events, source string) bool {
	return events == "" && source == "" && !strings.EqualFold(filepath.Ext(name), ".csv") && regularFile(name)
}

// verdictsKey is what a leads row carrying sales' verdicts holds.
var verdictsKey = []byte(`"dispositions"`)

// errCarriesVerdicts stops a reading of the leads that found a row
// carrying sales' verdicts, to read them again with the verdict view.
var errCarriesVerdicts = errors.New("the leads carry sales' verdicts")

// containsAt reports whether the first size bytes of r hold needle,
// reading them in up to parts parts of at least 8 chunks at once, each a
// chunk of bytes at a time; one part's find stops the others.
func containsAt(r io.ReaderAt, size int64, needle []byte, parts int, chunk int64) bool {
	parts = max(1, min(parts, int(size/(8*chunk))))
	per := (size + int64(parts) - 1) / int64(parts)
	var found atomic.Bool
	var wg sync.WaitGroup
	for p := range parts {
		from, to := int64(p)*per, min(size, int64(p+1)*per)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each chunk but the file's first starts len(needle)-1 bytes
			// early, so that a needle across a boundary is seen whole.
			buf := make([]byte, chunk+int64(len(needle))-1)
			for at := from; at < to && !found.Load(); at += chunk {
				start := max(0, at-int64(len(needle)-1))
				end := min(size, at+chunk)
				n, err := r.ReadAt(buf[:end-start], start)
				if bytes.Contains(buf[:n], needle) {
					found.Store(true)
					return
				}
				if err != nil && err != io.EOF || n < int(end-start) {
					return
				}
			}
		}()
	}
	wg.Wait()
	return found.Load()
}

// rowLimit is the value of --max-row: the longest row read, in bytes. A
// value that is not a size is kept as err, which parseFlags reports in the
// command's words.
type rowLimit struct {
	n   int
	err error
}

func (r *rowLimit) String() string {
	switch {
	case r.n%(1<<20) == 0:
		return strconv.Itoa(r.n>>20) + "MiB"
	case r.n%(1<<10) == 0:
		return strconv.Itoa(r.n>>10) + "KiB"
	default:
		return strconv.Itoa(r.n)
	}
}

func (r *rowLimit) Set(s string) error {
	r.n, r.err = parseSize(s)
	return nil
}

// maxRowFlag adds --max-row, which every command reading leads, events or
// verdicts honours.
func maxRowFlag(fs *flag.FlagSet) *rowLimit {
	r := &rowLimit{n: leadfile.DefaultMaxRow}
	fs.Var(r, "max-row", "the longest row read (an NDJSON line, a CSV line of leads, --events or --dispositions, or its header),\nsuch as 512KiB or 16MiB; a longer row fails alone, a longer header fails its file.\nPeak memory is about 8 × workers × (1 MiB + this)")
	return r
}
