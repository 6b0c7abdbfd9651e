package main

import (
	"bufio"
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/jsonscan"
	"github.com/leadscore/leadscore/internal/numfmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
	"github.com/leadscore/leadscore/scoring/stream/boltstore"
)

// stateFile is the file of the store in the --state folder.
const stateFile = "leadscore-stream.db"

func runStream(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stream", flag.ContinueOnError)
	model := fs.String("model", "", "rule file (required)")
	stateDir := fs.String("state", "", "folder of the state database (required; created when missing)")
	output := fs.String("o", "-", "file the changes are appended to; - is standard output")
	clock := fs.String("clock", "event", "when re-checks fire: event (as the latest event time seen passes them) or wall (as the wall clock does;\nan event dated after the wall clock is then refused)")
	resume := fs.Bool("resume", false, "skip the input the state database has already taken (its stored offset): give the same input again")
	window := fs.Int("window", stream.DefaultWindow, "ids of applied lines kept per lead: a line repeating one of them is skipped as a duplicate")
	batch := fs.Int("batch", 1000, "lines taken per transaction at most (fewer when the input pauses)")
	dump := fs.Bool("dump", false, "write every lead's current result as NDJSON, as score writes it, and take no input")
	at := fs.String("at", "", "with --dump: the time the leads are scored as of (2026-10-01 or RFC 3339); default: now")
	rebuild := fs.String("rebuild", "", "build every lead's state anew from FILE, the full history in the stream's input shape, and write no changes\n(after a change of the model's event rules)")
	quiet := fs.Bool("quiet", false, "print no summary")
	accountsFile := fs.String("accounts", "", "keep accounts current too: the accounts file (NDJSON, or CSV when it ends in .csv) of the rule file's\naccounts section; each lead is matched to its account, and a change of an account's stage, grade or\nsales-readiness writes an account change line (with account_id) beside the leads'")
	createdField := createdFieldFlagHoldout(fs)
	maxRow := maxRowFlag(fs)
	maxAhead := fs.String("max-ahead", "1d", "with --clock event: an event dated more than this after the wall clock fails alone\n(a typo in its year would move the stream's clock there and fire every re-check up to it);\n0 takes events from any time, for a replay of simulated data")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: leadscore stream --model FILE --state DIR [--accounts FILE [--created-field NAME]] [--clock event|wall] [--resume] [-o CHANGES.ndjson] [INPUT.ndjson...|-]")
		fmt.Fprintln(stderr, "       leadscore stream --model FILE --state DIR --dump [--at TIME]")
		fmt.Fprintln(stderr, "       leadscore stream --model FILE --state DIR --rebuild HISTORY.ndjson")
		fmt.Fprintln(stderr, "\nKeeps every lead's score current as its events arrive, one NDJSON line each")
		fmt.Fprintln(stderr, "(standard input when no INPUT or -):")
		fmt.Fprintln(stderr, `  an event:        {"lead_id":"L1","id":"e-981","type":"demo_request","at":"2026-09-01T10:00:00Z", ...its fields}`)
		fmt.Fprintln(stderr, `  a field update:  {"lead_id":"L1","fields":{"title":"VP Marketing","employees":250}}`)
		fmt.Fprintln(stderr, `  a verdict:       {"lead_id":"L1","disposition":{"at":"2026-09-14T10:00:00Z","status":"rejected","reason":"no_budget"}}`)
		fmt.Fprintln(stderr, "Each lead's state, fields and verdicts are kept in a database in DIR; a line that")
		fmt.Fprintln(stderr, "changes a lead's stage, grade or sales-readiness writes one change line, with a")
		fmt.Fprintln(stderr, "sequence number, once the change is committed. A line whose id was already applied")
		fmt.Fprintln(stderr, "to its lead is skipped; a bad line fails alone, reported with its line number.")
		fmt.Fprintln(stderr, "With --accounts (a rule file with an accounts section), each lead is also matched to its")
		fmt.Fprintln(stderr, "account, and a change of an account's stage, grade or sales-readiness writes an account")
		fmt.Fprintln(stderr, "change line: account_id, from, to (with its score), and lead_id, the person whose line caused it.")
		fmt.Fprintln(stderr, "Exit status: 0 every line taken, 1 some lines (or, with --dump, leads; with --accounts, an account's re-check) failed,\n2 the run could not start.")
		fs.PrintDefaults()
	}
	inputs, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore stream: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case *model == "":
		return fail("--model is required: the rule file to score with")
	case *stateDir == "":
		return fail("--state is required: the folder that keeps the leads' states between runs")
	case *clock != "event" && *clock != "wall":
		return fail("--clock %s: write event (re-checks fire as the events' times pass them) or wall (as the wall clock does)", *clock)
	case *window < 1:
		return fail("--window %d: keep at least 1 id per lead", *window)
	case *batch < 1:
		return fail("--batch %d: take at least 1 line per transaction", *batch)
	case *dump && (*rebuild != "" || len(inputs) > 0 || *resume):
		return fail("--dump takes no input: give it alone with --model, --state and --at")
	case *rebuild != "" && (len(inputs) > 0 || *resume):
		return fail("--rebuild reads its FILE only: run the stream on new input after it")
	case *at != "" && !*dump:
		return fail("--at goes with --dump; a stream scores as of its clock (--clock)")
	case *accountsFile != "" && *dump:
		return fail("--dump writes the leads only; leave out --accounts (score accounts with leadscore score --accounts)")
	}
	var ahead time.Duration
	if *maxAhead != "0" {
		d, err := dsl.ParseDuration(*maxAhead)
		if err != nil || d <= 0 {
			return fail("--max-ahead %s: give a duration such as 1d or 12h, or 0 to take events from any time", *maxAhead)
		}
		ahead = d
	}
	m, _ := compileModel(*model, stderr)
	if m == nil {
		fmt.Fprintf(stderr, "leadscore stream: %s does not compile; nothing was taken\n", *model)
		return exitUsage
	}
	if flagSet(fs, "created-field") && *accountsFile == "" && !holdoutStarts(m) {
		return fail("--created-field goes with --accounts, or with a holdout that starts: it says when a lead joins its account's people, or the experiment")
	}
	s := scoring.New(m)
	if *accountsFile != "" || holdoutStarts(m) {
		if err := checkCreatedField(commandLine("stream"), m, *createdField, flagSet(fs, "created-field")); err != nil {
			return fail("%v", err)
		}
		// The created field decides who is one of an account's people, and
		// who came before the holdout's start: it is no unknown data of
		// the leads then.
		s = scoring.New(m, scoring.WithCreatedField(*createdField))
	}
	sc := stream.New(s)
	var acc *stream.Accounts
	if *accountsFile != "" {
		if acc, code = streamAccounts(m, *model, *accountsFile, *createdField, maxRow.n, stderr); acc == nil {
			return code
		}
	}
	if err := os.MkdirAll(*stateDir, 0o755); err != nil {
		return fail("--state: cannot create %s (%v); give a folder you can write to", *stateDir, errors.Unwrap(err))
	}
	path := filepath.Join(*stateDir, stateFile)
	if *rebuild != "" {
		return rebuildStore(s, sc, acc, path, *rebuild, *window, maxRow.n, stderr, *quiet)
	}
	store, err := boltstore.Open(path)
	if err != nil {
		return fail("--state %s: %v", *stateDir, err)
	}
	defer store.Close()
	var meta stream.Meta
	if err := store.View(func(tx stream.Tx) error { meta, err = tx.Meta(); return err }); err != nil {
		return fail("--state %s: %v", *stateDir, err)
	}
	if meta.Fingerprint != "" && meta.Fingerprint != sc.Fingerprint() {
		return fail("--state %s holds states stored under model %s (fingerprint %s); %s (now %s, fingerprint %s): they may lack events the new rules count.\n"+
			"Rebuild them from the full history: leadscore stream --model %s --state %s --rebuild HISTORY.ndjson",
			*stateDir, meta.Model, meta.Fingerprint, stream.ErrModelChanged, m.Name, sc.Fingerprint(), shellWords([]string{*model}), shellWords([]string{*stateDir}))
	}
	if want := accountsPrint(acc); !*dump && meta.Fingerprint != "" && meta.Accounts != want {
		return fail("%s", accountsMismatch(*stateDir, *model, *accountsFile, meta.Accounts, want))
	}
	if *dump {
		asOf, err := asOfTime("--at", *at)
		if err != nil {
			return fail("%v", err)
		}
		return dumpStore(sc, m.Holdout, s.CreatedField(), store, asOf, stdout, stderr, *quiet)
	}

	if acc != nil {
		if err := warnEditedAccounts(acc, store, *accountsFile, stderr); err != nil {
			return fail("--state %s: %v", *stateDir, err)
		}
	}
	r := &streamRun{s: s, sc: sc, acc: acc, m: m, store: store, window: *window, batch: *batch, wall: *clock == "wall", maxAhead: ahead, meta: meta, stderr: stderr, waiting: map[string]bool{}}
	r.noteLeftOut()
	var out io.Writer = stdout
	if *output != "-" {
		for _, in := range inputs {
			if samePath(in, *output) {
				return fail("-o %s is also an input: writing it would change what is read; give -o another file name", *output)
			}
		}
		f, err := openAppend(*output, stderr)
		if err != nil {
			return fail("-o: %v", err)
		}
		defer f.Close()
		out, r.sync = f, f
	}
	r.out = out
	if n, err := strconv.Atoi(os.Getenv("LEADSCORE_STREAM_CRASH_AFTER")); err == nil {
		r.crashAfter = n
	}
	if meta.Fingerprint == "" {
		r.meta.Model, r.meta.Fingerprint, r.meta.Accounts = m.Name, sc.Fingerprint(), accountsPrint(acc)
	}
	if err := r.start(); err != nil {
		return fail("%v", err)
	}

	var ins []streamInput
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	for _, name := range inputs {
		if name == "-" {
			ins = append(ins, streamInput{name: "stdin", r: stdin})
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		ins = append(ins, streamInput{name: name, r: f, regular: regularFile(name)})
	}
	skip := int64(0)
	if *resume {
		skip = meta.Offset
	} else {
		r.meta.Offset, r.meta.Line = 0, 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code = r.run(ctx, ins, skip, maxRow.n)
	if !r.refused && (!*quiet || code != exitOK) {
		r.summary(*resume, skip)
	}
	return code
}

// openAppend opens the changes file for appending, first cutting a last
// line a killed run left unfinished (its change is still pending, and is
// written again whole).
func openAppend(name string, stderr io.Writer) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s (%v); give a file in a folder that exists and that you can write to", name, errors.Unwrap(err))
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err == nil && size > 0 {
		end := size
		buf := make([]byte, 64<<10)
		for end > 0 {
			n := min(int64(len(buf)), end)
			if _, err = f.ReadAt(buf[:n], end-n); err != nil {
				break
			}
			if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
				end = end - n + int64(i) + 1
				break
			}
			end -= n
		}
		if err == nil && end < size {
			if err = f.Truncate(end); err == nil {
				fmt.Fprintf(stderr, "leadscore stream: %s ended with an unfinished line (a run was stopped while writing it); cut it: its change is written again\n", name)
			}
		}
		if err == nil {
			_, err = f.Seek(0, io.SeekEnd)
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return f, nil
}

// streamInput is one input of the stream.
type streamInput struct {
	name    string
	r       io.Reader
	regular bool
}

// inLine is one line of the input: where it is, and its bytes.
type inLine struct {
	name  string
	num   int64 // line number in its input
	end   int64 // offset after the line, over all inputs
	data  []byte
	err   error // the line cannot be read (too long)
	fatal error // the input cannot be read on
}

// readLines sends the lines of the inputs, after the first skip bytes,
// and closes ch at the end.
func readLines(ctx context.Context, ins []streamInput, skip int64, maxRow int, ch chan<- inLine) {
	defer close(ch)
	send := func(l inLine) bool {
		select {
		case ch <- l:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var off int64
	for _, in := range ins {
		br := bufio.NewReaderSize(in.r, 64<<10)
		var num int64
		for {
			var line []byte
			tooLong := false
			var err error
			start := off
			for {
				var part []byte
				part, err = br.ReadSlice('\n')
				off += int64(len(part))
				if !tooLong {
					line = append(line, part...)
					// Room for a line end of \r\n and a byte order mark,
					// which do not count (see below).
					if len(line) > maxRow+5 {
						tooLong, line = true, nil
					}
				}
				if err != bufio.ErrBufferFull {
					break
				}
			}
			if off == start && err != nil {
				if err != io.EOF {
					send(inLine{fatal: fmt.Errorf("%s: %v", in.name, err)})
					return
				}
				break
			}
			num++
			if num == 1 {
				// A byte order mark some editors and exports write first is
				// no part of the line (score drops it too).
				line = bytes.TrimPrefix(line, []byte("\ufeff"))
			}
			// The line's length is its text's, without its end, as score
			// counts it.
			if !tooLong && len(bytes.TrimRight(line, "\r\n")) > maxRow {
				tooLong, line = true, nil
			}
			if off <= skip {
				continue
			}
			if start < skip {
				send(inLine{fatal: fmt.Errorf("--resume: the stored offset (byte %d) falls inside line %d of %s: this is not the input the state was taken from; give that input, or run without --resume", skip, num, in.name)})
				return
			}
			l := inLine{name: in.name, num: num, end: off, data: line}
			if tooLong {
				l.err = fmt.Errorf("the line is longer than %s, the most a line may hold (--max-row)", sizeText(maxRow))
			}
			if !send(l) {
				return
			}
			if err != nil && err != io.EOF {
				send(inLine{fatal: fmt.Errorf("%s: %v", in.name, err)})
				return
			}
		}
	}
	if off < skip {
		send(inLine{fatal: fmt.Errorf("--resume: the input is %d bytes long, shorter than the %d bytes the state has taken: this is not the input the state was taken from; give that input, or run without --resume", off, skip)})
	}
}

func sizeText(n int) string {
	r := rowLimit{n: n}
	s := r.String()
	if !strings.HasSuffix(s, "iB") {
		return numfmt.Count(n, "byte") // a limit in bytes: 176 bytes, not 176
	}
	return strings.Replace(strings.Replace(s, "MiB", " MiB", 1), "KiB", " KiB", 1)
}

// streamRun is one run of leadscore stream.
type streamRun struct {
	s      *scoring.Scorer
	sc     *stream.Scorer
	acc    *stream.Accounts // nil without --accounts
	m      *rules.Model
	store  stream.Store
	window int
	batch  int
	wall   bool
	meta   stream.Meta // as committed, then as the transaction under way changes it
	due    dueHeap
	out    io.Writer
	sync   interface{ Sync() error }
	stderr io.Writer

	lines [][]byte // the change lines of the transaction under way
	// crashAfter, when set, ends the process after that many commits,
	// before their changes are written: the kill test's worst moment
	// (LEADSCORE_STREAM_CRASH_AFTER, for tests only).
	crashAfter int
	// quietChanges keeps the leads' standings and re-checks current
	// without reporting changes (--rebuild).
	quietChanges bool
	written      uint64 // the latest sequence number written out

	read, applied, duplicates, failed, shown int
	// recheckFailed counts the accounts' re-checks that failed (each
	// named on stderr): not tried again, they fail the run's status.
	recheckFailed                int
	changes, rechecks, rewritten int
	accountChanges               int // of changes, those of accounts

	// waiting are the leads taken before the event clock had a time (before
	// the first event): at the first they are scored, in id order, and
	// matched to their accounts. The store knows them: leads with fields,
	// no standing and, with accounts, no account yet.
	waiting map[string]bool
	// leftOut names the people left out of their accounts (their data
	// cannot be scored), each once.
	leftOut map[string]bool
	// fieldsLead is the lead of the fields line being applied ("" for
	// another line); fieldsFailed holds, by lead, where and why its
	// latest fields line failed, until one of its fields lines is taken:
	// a lead with no fields for that is counted as failed, not as matched
	// to no account.
	fieldsLead   string
	fieldsFailed map[string]string
	// unknown counts the data the lines carried that the model does not
	// declare (event types, keys), said after the summary as score says it.
	unknown scoring.UnknownTally
	// maxAhead is how far after the wall clock an event may be dated
	// with the event clock (--max-ahead); 0 for no limit.
	maxAhead time.Duration
	// refused is set when the run stopped on its input before taking a
	// line (a --resume refused): it writes no summary then.
	refused bool
	// incomplete holds, by lead, the required fields it lacks: a lead
	// given in parts is kept, unscored, until a fields line gives them
	// (see waitForRequired). Filled from the store at the start.
	incomplete map[string][]string
}

// start writes the changes an earlier run committed but may not have
// written, and schedules every lead's re-check.
func (r *streamRun) start() error {
	var pending []stream.Pending
	err := r.store.View(func(tx stream.Tx) error {
		var err error
		pending, err = tx.Pending()
		return err
	})
	if err != nil {
		return err
	}
	r.written = r.meta.Written
	for _, p := range pending {
		if p.Seq > r.written {
			r.lines = append(r.lines, append(slices.Clone(p.Line), '\n'))
			r.rewritten++
		}
	}
	if err := r.flush(r.meta.Seq); err != nil {
		return err
	}
	err = r.store.Each(func(l stream.Lead) error {
		if !l.Next.IsZero() {
			heap.Push(&r.due, recheck{at: l.Next, lead: l.ID})
		}
		if r.unscored(&l) {
			if missing := r.lacksRequired(&l); missing != nil {
				r.markIncomplete(l.ID, missing)
				return nil
			}
		}
		if r.acc != nil && l.Fields != nil && l.Account == "" && l.Unmatched == "" ||
			r.acc == nil && l.Fields != nil && l.Standing == nil && r.asOfClock(&r.meta).IsZero() {
			r.waiting[l.ID] = true
		}
		return nil
	})
	if err != nil || r.acc == nil {
		return err
	}
	as, ok := r.store.(stream.AccountStore)
	if !ok {
		return stream.ErrNoAccountStore
	}
	return as.EachAccount(func(a stream.Account) error {
		if !a.Next.IsZero() {
			heap.Push(&r.due, recheck{at: a.Next, account: a.ID})
		}
		return nil
	})
}

// flush writes the change lines of the committed transaction, and notes
// them written up to seq.
func (r *streamRun) flush(seq uint64) error {
	if len(r.lines) > 0 {
		if _, err := r.out.Write(bytes.Join(r.lines, nil)); err != nil {
			return fmt.Errorf("writing the changes: %v", err)
		}
		if r.sync != nil {
			if err := r.sync.Sync(); err != nil {
				return fmt.Errorf("writing the changes: %v", err)
			}
		}
		r.lines = r.lines[:0]
	}
	r.written = seq
	return nil
}

// run takes the input, a transaction a batch of lines, and writes each
// transaction's changes once it has committed.
func (r *streamRun) run(ctx context.Context, ins []streamInput, skip int64, maxRow int) int {
	ch := make(chan inLine, 256)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go readLines(rctx, ins, skip, maxRow, ch)
	blocking := true // wait for the next line within a transaction
	for _, in := range ins {
		blocking = blocking && in.regular
	}
	var fatal error
	eof := false
	for !eof && fatal == nil && ctx.Err() == nil {
		var first *inLine
		var timer <-chan time.Time
		if r.wall && len(r.due) > 0 {
			timer = time.After(time.Until(r.due[0].at))
		}
		select {
		case l, ok := <-ch:
			if !ok {
				eof = true
			} else {
				first = &l
			}
		case <-timer:
		case <-ctx.Done():
		}
		if eof && !r.wall {
			break
		}
		err := r.store.Update(func(tx stream.Tx) error {
			r.lines = r.lines[:0]
			meta := r.meta
			defer func() { r.meta = meta }()
			if err := r.fire(tx, &meta, r.nowWall(), true); err != nil {
				return err
			}
			for n := 0; first != nil; n++ {
				if first.fatal != nil {
					fatal = first.fatal
					break
				}
				if err := r.take(tx, &meta, first); err != nil {
					return err
				}
				first = nil
				if n+1 >= r.batch {
					break
				}
				if blocking {
					if l, ok := <-ch; ok {
						first = &l
					} else {
						eof = true
					}
					continue
				}
				select {
				case l, ok := <-ch:
					if ok {
						first = &l
					} else {
						eof = true
					}
				default:
				}
			}
			if r.written > meta.Written {
				meta.Written = r.written
				if err := tx.DropPending(r.written); err != nil {
					return err
				}
			}
			return tx.SetMeta(meta)
		})
		if err != nil {
			fatal = err
			r.lines = r.lines[:0]
			break
		}
		if r.crashAfter > 0 {
			if r.crashAfter--; r.crashAfter == 0 {
				os.Exit(137) // as a SIGKILL would end it, before the committed changes are written
			}
		}
		if err := r.flush(r.meta.Seq); err != nil {
			fatal = err
			break
		}
	}
	if fatal == nil && r.written > r.meta.Written {
		fatal = r.store.Update(func(tx stream.Tx) error {
			meta := r.meta
			meta.Written = r.written
			if err := tx.DropPending(r.written); err != nil {
				return err
			}
			if err := tx.SetMeta(meta); err != nil {
				return err
			}
			r.meta = meta
			return nil
		})
	}
	if fatal != nil {
		if r.refused = r.read == 0 && r.changes == 0 && r.rewritten == 0; r.refused {
			fmt.Fprintf(r.stderr, "leadscore stream: %v; no line was taken\n", fatal)
		} else {
			fmt.Fprintf(r.stderr, "leadscore stream: %v\n", fatal)
		}
		return exitUsage
	}
	if r.failed > 0 || r.recheckFailed > 0 {
		return exitProblem
	}
	return exitOK
}

// nowWall is the wall clock with --clock wall, else the zero time.
func (r *streamRun) nowWall() time.Time {
	if !r.wall {
		return time.Time{}
	}
	return time.Now().UTC()
}

// summary reconciles the run on stderr.
func (r *streamRun) summary(resumed bool, skip int64) {
	var b strings.Builder
	if resumed && skip > 0 {
		fmt.Fprintf(&b, "resumed after byte %d of the input\n", skip)
	}
	if r.rewritten > 0 {
		fmt.Fprintf(&b, "%s an earlier run had committed written again first (with their seq)\n", nOf(r.rewritten, "change"))
	}
	fmt.Fprintf(&b, "%s in: %d applied, %s skipped, %d failed; %s written", nOf(r.read, "line"), r.applied, nOf(r.duplicates, "duplicate"), r.failed, nOf(r.changes, "change"))
	if r.changes > 0 {
		fmt.Fprintf(&b, " (seq %d to %d, %d at a re-check)", r.meta.Seq-uint64(r.changes)+1, r.meta.Seq, r.rechecks)
	}
	if !r.meta.Clock.IsZero() {
		fmt.Fprintf(&b, "; event clock %s", r.meta.Clock.Format(time.RFC3339))
	}
	if r.recheckFailed > 0 {
		fmt.Fprintf(&b, "; %s of accounts failed (named above)", nOf(r.recheckFailed, "re-check"))
	}
	b.WriteString(r.incompleteSummary())
	if r.acc != nil {
		b.WriteString("\n" + r.accountsSummary())
	}
	fmt.Fprintln(r.stderr, b.String())
	writeUnknown(r.stderr, r.unknown)
}

// lineError is a line that fails alone.
type lineError struct{ err error }

func (e lineError) Error() string { return e.err.Error() }

// take applies one input line; a bad line fails alone, an error of the
// store is returned.
func (r *streamRun) take(tx stream.Tx, meta *stream.Meta, l *inLine) error {
	meta.Offset, meta.Line = l.end, meta.Line+1
	if l.err == nil && len(bytes.TrimSpace(l.data)) == 0 {
		return nil // a blank line (a line too long has no data kept, but fails)
	}
	r.read++
	r.fieldsLead = ""
	err := l.err
	dup := false
	if err == nil {
		dup, err = r.apply(tx, meta, l.data)
	}
	var le lineError
	switch {
	case err == nil && dup:
		r.duplicates++
	case err == nil:
		r.applied++
	case l.err != nil || errors.As(err, &le):
		r.failed++
		if id := r.fieldsLead; id != "" {
			if r.fieldsFailed == nil {
				r.fieldsFailed = map[string]string{}
			}
			r.fieldsFailed[id] = fmt.Sprintf("%s:%d: %s", l.name, l.num, strings.TrimPrefix(err.Error(), "lead "+id+": "))
		}
		if r.shown < maxShownErrors {
			fmt.Fprintf(r.stderr, "%s:%d: %v\n", l.name, l.num, err)
		} else if r.shown == maxShownErrors {
			fmt.Fprintln(r.stderr, "(more bad lines are not shown; the summary counts them all)")
		}
		r.shown++
	default:
		return err
	}
	return nil
}

func bad(format string, a ...any) error { return lineError{fmt.Errorf(format, a...)} }

// aheadText says how far ahead an event is, roughly: "35 years", "3 days",
// "5 hours".
func aheadText(d time.Duration) string {
	switch day := 24 * time.Hour; {
	case d >= 2*365*day:
		return fmt.Sprintf("%d years", int(d/(365*day)))
	case d >= 2*day:
		return fmt.Sprintf("%d days", int(d/day))
	default:
		return fmt.Sprintf("%d hours", max(1, int(d/time.Hour)))
	}
}

// brokenLine reads a line that is no JSON object key by key, up to what
// breaks it: its lead_id (text, or a number as written) when that comes
// before the break, and whether it is a fields line (a "fields" key came,
// and no "disposition").
func brokenLine(data []byte) (leadID string, fields bool) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	verdict := false
	for d.More() {
		key, err := d.Token()
		if err != nil {
			break
		}
		switch key {
		case "fields":
			fields = true
		case "disposition":
			verdict = true
		}
		var v any
		if err := d.Decode(&v); err != nil {
			break
		}
		if key != "lead_id" {
			continue
		}
		if n, ok := v.(json.Number); ok && !jsonscan.Exact(string(n)) {
			v, _ = n.Float64() // as Unmarshal gives it
		}
		if ref, err := scoring.LeadFromMap(map[string]any{"id": v}); err == nil {
			leadID = ref.ID
		}
	}
	return leadID, fields && !verdict
}

// apply applies a line to its lead: dup is true when its id was applied
// already.
func (r *streamRun) apply(tx stream.Tx, meta *stream.Meta, data []byte) (dup bool, err error) {
	obj, err := jsonscan.Unmarshal(data) // a lead_id of 16 digits or more keeps them
	if err != nil || obj == nil {
		if err == nil {
			err = errors.New("got null")
		}
		// The lead is named when its lead_id comes before the break, as
		// score names a lead whose row breaks; a fields line of it then
		// counts it among the failed, as any fields line that fails does.
		if leadID, fields := brokenLine(data); leadID != "" {
			if fields {
				r.fieldsLead = leadID
			}
			return false, bad("lead %s: not a JSON object (%v); each line is one event, field update or verdict", leadID, err)
		}
		return false, bad("not a JSON object (%v); each line is one event, field update or verdict", err)
	}
	rawID, ok := obj["lead_id"]
	if !ok {
		return false, bad(`no "lead_id": every line names the lead it is about`)
	}
	ref, err := scoring.LeadFromMap(map[string]any{"id": rawID})
	if err != nil || ref.ID == "" {
		return false, bad(`"lead_id": want the lead's id as text or a number`)
	}
	leadID := ref.ID
	var id string
	if v, ok := obj["id"]; ok {
		x, err := scoring.LeadFromMap(map[string]any{"id": v})
		if err != nil || x.ID == "" {
			return false, bad(`"id": want the line's id as text or a number`)
		}
		id = x.ID
	}
	delete(obj, "lead_id")
	delete(obj, "id")
	fields, hasFields := obj["fields"]
	verdict, hasVerdict := obj["disposition"]
	if hasFields && !hasVerdict {
		r.fieldsLead = leadID
	}
	kind := "event"
	switch {
	case hasFields && hasVerdict:
		return false, bad(`a line holds "fields" or "disposition", not both: give them on two lines`)
	case hasFields, hasVerdict:
		if len(obj) > 1 {
			extra := slices.Sorted(func(yield func(string) bool) {
				for k := range obj {
					if k != "fields" && k != "disposition" && !yield(k) {
						return
					}
				}
			})
			return false, bad(`unknown key %q beside %q; an update holds lead_id, id and %s only`, extra[0], map[bool]string{true: "fields", false: "disposition"}[hasFields], map[bool]string{true: "fields", false: "disposition"}[hasFields])
		}
		kind = map[bool]string{true: "fields", false: "disposition"}[hasFields]
	case id == "":
		return false, bad(`the event has no "id": give each event an id, unique for its lead, so that an event delivered twice is applied once`)
	}
	lead, found, err := tx.Lead(leadID)
	if err != nil {
		return false, err
	}
	var sum uint64 // of a line with an id: what its id was applied with
	if id != "" {
		sum = stream.ContentSum(obj)
		if seen, other := lead.SeenAs(id, sum); other {
			return false, lineError{stream.OtherContentError(leadID, id)}
		} else if seen {
			return true, nil
		}
	}
	var event scoring.Event
	var ds []scoring.Disposition
	var unknown []rules.Unknown // what the line carries that the model does not declare, counted once it is taken
	switch kind {
	case "event":
		if event, err = rules.EventFromMap(obj); err != nil {
			if event.Type != "" {
				return false, bad("event %s: %v", event.Type, err)
			}
			return false, bad("event: %v", err)
		}
		if now := time.Now().UTC(); r.wall && event.At.After(now) {
			// Scored as of its own time, it would hold back its lead, and
			// its account's other people, until the wall clock passed it.
			return false, bad("event %s at %s is later than the wall clock (%s): with --clock wall each line is scored as of now, and an event from the future would hold back its lead and its account's other people until then; fix the event's time (its time zone?), or stream with --clock event, whose clock is the events' times",
				event.Type, event.At.Format(time.RFC3339), now.Format(time.RFC3339))
		}
		unknown = r.m.EventUnknowns(nil, 0, &event)
		if now := time.Now().UTC(); !r.wall && r.maxAhead > 0 && event.At.After(now.Add(r.maxAhead)) {
			// With the event clock, the stream's clock would move to it and
			// fire every re-check due until then; every later event would
			// be late, and its change not written.
			return false, bad("event %s at %s is dated %s after now (the wall clock, %s): a typo in its year or its time zone? With --clock event it would move the stream's clock there, firing every lead's re-check up to it and holding back every later change; fix the event's time (or give --max-ahead 0 to replay simulated data dated in the future)",
				event.Type, event.At.Format(time.RFC3339), aheadText(event.At.Sub(now)), now.Format(time.RFC3339))
		}
		if !r.wall && event.At.After(meta.Clock) {
			// The re-checks due up to the event's time, at it too, fire
			// first: the line then finds what time alone made of them.
			if err := r.fire(tx, meta, event.At, true); err != nil {
				return false, err
			}
			meta.Clock = event.At
			if lead, found, err = tx.Lead(leadID); err != nil { // a re-check may have changed it
				return false, err
			}
		} else if r.wall && event.At.After(meta.Clock) {
			meta.Clock = event.At
		}
	case "disposition":
		x, err := scoring.LeadFromMap(map[string]any{"dispositions": []any{verdict}})
		if err != nil {
			return false, bad("%v", strings.Replace(err.Error(), "disposition 1: ", "disposition: ", 1))
		}
		d := x.Dispositions[0]
		if slices.Contains(lead.Dispositions, d) {
			return true, nil // the same verdict again
		}
		if h := r.m.Handoff; h != nil && len(h.ResetTypes) > 0 && d.Status == scoring.Recycled {
			return false, bad("disposition: a recycle cannot be streamed under this model: its recycle policy resets %s events, and a streaming state cannot take out what it counted; score this lead with leadscore score over its history", strings.Join(h.ResetTypes, ", "))
		}
		ds = append(slices.Clone(lead.Dispositions), d)
		if err := r.s.CheckDispositions(ds); err != nil {
			return false, bad("%v", strings.Replace(err.Error(), fmt.Sprintf("disposition %d: ", len(ds)), "disposition: ", 1))
		}
	case "fields":
		obj, ok := fields.(map[string]any)
		if !ok {
			return false, bad(`"fields": want an object of the lead's fields, such as {"title":"VP Marketing"}`)
		}
		for _, k := range []string{"id", "lead_id", "events", "dispositions"} {
			if _, ok := obj[k]; ok {
				return false, bad(`"fields" holds %q, which is not a field: give the lead's id as lead_id, events and verdicts on lines of their own`, k)
			}
		}
		unknown = r.m.Unknowns(nil, obj, nil)
	}
	if !found {
		lead = stream.Lead{ID: leadID}
	}
	st := r.sc.NewState(leadID)
	if lead.State != nil {
		if st, err = r.sc.Load(lead.State); err != nil {
			return false, bad("lead %s: %v", leadID, err)
		}
	}
	cause := kind
	switch kind {
	case "event":
		if err := st.Add(event); err != nil {
			return false, bad("%v", err)
		}
		lead.SawEvent(event.At)
		if lead.State, err = st.Marshal(); err != nil {
			return false, bad("%v", err)
		}
	case "disposition":
		lead.Dispositions = ds
	case "fields":
		merged := map[string]json.RawMessage{}
		if lead.Fields != nil {
			if err := json.Unmarshal(lead.Fields, &merged); err != nil {
				return false, bad("lead %s: its stored fields cannot be read (%v); give them all again", leadID, err)
			}
		}
		var update map[string]json.RawMessage
		json.Unmarshal(mustField(data), &update)
		for k, v := range update {
			merged[k] = v
		}
		if lead.Fields, err = json.Marshal(merged); err != nil {
			return false, bad("%v", err)
		}
	}
	if id != "" {
		lead.ApplySum(id, sum, r.window)
	}
	if err := r.evaluate(tx, meta, &lead, st, r.asOf(meta, st), cause, id); err != nil {
		return false, err
	}
	r.unknown.Add(unknown)
	if kind == "fields" {
		delete(r.fieldsFailed, leadID) // its fields are taken now
	}
	r.fieldsLead = "" // what follows is not this line's
	if err := r.takeWaiting(tx, meta); err != nil {
		return false, err
	}
	return false, nil
}

// mustField returns the raw "fields" object of a line that has one.
func mustField(line []byte) []byte {
	var x struct {
		Fields json.RawMessage `json:"fields"`
	}
	json.Unmarshal(line, &x)
	return x.Fields
}

// asOf is the time a line is scored as of: the clock, or the lead's latest
// event when that is later.
func (r *streamRun) asOf(meta *stream.Meta, st *stream.State) time.Time {
	t := meta.Clock
	if r.wall {
		t = time.Now().UTC()
	}
	if st.Latest().After(t) {
		t = st.Latest()
	}
	return t
}

// leadFields returns the lead's fields as score reads them.
func leadFields(l *stream.Lead) (any, error) {
	if l.Fields == nil {
		return nil, nil
	}
	obj, err := jsonscan.Unmarshal(l.Fields)
	if err != nil {
		return nil, err
	}
	x, err := scoring.LeadFromMap(obj)
	return x.Fields, err
}

// checkFields fails the line when the lead's fields do not fit the
// model's schema (or, with --strict-data, carry data it does not
// declare): they are bound as a score binds them, with no event, so the
// error is the one the lead's first event would meet.
func (r *streamRun) checkFields(l *stream.Lead) error {
	fields, err := leadFields(l)
	if err != nil {
		return bad("lead %s: %v", l.ID, err)
	}
	_, err = r.s.Score(scoring.Lead{ID: l.ID, Fields: fields}, time.Unix(0, 0).UTC())
	var le *rules.LeadError
	var ue *scoring.UnknownDataError
	if errors.As(err, &le) || errors.As(err, &ue) {
		return bad("%v", err)
	}
	return nil
}

// unscored reports whether the lead has fields but was never scored (nor,
// with accounts, matched): a lead that may still be waiting for a part of
// its fields.
func (r *streamRun) unscored(l *stream.Lead) bool {
	return l.Fields != nil && l.Standing == nil && (r.acc == nil || l.Account == "" && l.Unmatched == "")
}

// lacksRequired is the required fields the lead's fields lack, when
// nothing else is wrong with them; nil otherwise (a value of the wrong
// type fails its line, as checkFields and the score say).
func (r *streamRun) lacksRequired(l *stream.Lead) []string {
	fields, err := leadFields(l)
	if err != nil {
		return nil
	}
	return r.sc.MissingRequired(l.ID, fields)
}

// waitForRequired keeps a lead whose fields lack only required ones, as
// a CRM that sends a contact's fields in several updates leaves it for a
// while: its line is taken and the lead put, unscored and unmatched, with
// no change line, until a fields line gives what it lacks; score (and
// --dump) would fail it, naming the fields. A lead scored before is not
// waited for: an update that takes a required field away fails its line.
func (r *streamRun) waitForRequired(tx stream.Tx, l *stream.Lead, missing []string) error {
	r.markIncomplete(l.ID, missing)
	delete(r.waiting, l.ID) // scored once it is complete, not at the first event
	return tx.Put(*l)
}

func (r *streamRun) markIncomplete(id string, missing []string) {
	if r.incomplete == nil {
		r.incomplete = map[string][]string{}
	}
	r.incomplete[id] = missing
}

// incompleteSummary says which leads wait for required fields, naming a
// few with what they lack.
func (r *streamRun) incompleteSummary() string {
	if len(r.incomplete) == 0 {
		return ""
	}
	ids := slices.Sorted(maps.Keys(r.incomplete))
	var b strings.Builder
	waits := "1 lead waits"
	if len(ids) != 1 {
		waits = fmt.Sprintf("%d leads wait", len(ids))
	}
	fmt.Fprintf(&b, "; %s for a required field, kept unscored until a fields line gives it (", waits)
	for i, id := range ids[:min(len(ids), 3)] {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", id, strings.Join(r.incomplete[id], ", "))
	}
	if len(ids) > 3 {
		fmt.Fprintf(&b, "; %d more", len(ids)-3)
	}
	b.WriteString(")")
	return b.String()
}

// changeLine is one change written out.
type changeLine struct {
	Seq    uint64           `json:"seq"`
	LeadID string           `json:"lead_id"`
	At     time.Time        `json:"at"`
	Cause  string           `json:"cause"`
	ID     string           `json:"id,omitempty"`
	From   *stream.Standing `json:"from"`
	Result scoring.Row      `json:"result"`
}

// evaluate scores the lead as of at, reports a change of its standing,
// schedules its next re-check and puts it; a lead with no fields yet is
// put unscored, and so is every lead before the event clock has a time
// (before the first event). An error of the score, or of its account's,
// fails the line: nothing is put, no change is reported and no seq is used.
func (r *streamRun) evaluate(tx stream.Tx, meta *stream.Meta, l *stream.Lead, st *stream.State, at time.Time, cause, id string) error {
	l.Next = time.Time{}
	if r.unscored(l) {
		if missing := r.lacksRequired(l); missing != nil {
			return r.waitForRequired(tx, l, missing)
		}
	}
	delete(r.incomplete, l.ID)
	var change *changeLine // the lead's change, reported once the line cannot fail
	var standing *stream.Standing
	if l.Fields != nil && !at.IsZero() {
		fields, err := leadFields(l)
		if err != nil {
			return bad("lead %s: %v", l.ID, err)
		}
		res, err := st.ScoreWithDispositions(context.Background(), fields, l.Dispositions, at)
		if err != nil {
			return bad("%v", err)
		}
		now := stream.StandingOf(res)
		standing = &now
		if !r.quietChanges && (l.Standing == nil || *l.Standing != now) {
			row, err := storedRow(res, r.m.Holdout, l, r.s.CreatedField(), at)
			if err != nil {
				return bad("%v", err)
			}
			change = &changeLine{LeadID: l.ID, At: at, Cause: cause, ID: id, From: l.Standing, Result: row}
		}
		next, ok, err := st.NextChangeWithDispositions(context.Background(), fields, l.Dispositions, at)
		if err != nil {
			return bad("%v", err)
		}
		if ok {
			l.Next = next
		}
	}
	if l.Fields != nil && at.IsZero() && cause == "fields" {
		// Before the clock has a time the lead is not scored, but fields
		// that do not fit the schema (a declared field of the wrong type)
		// fail their own line now, as they do once the clock has one:
		// not the lead's later lines, whatever the order of the lines.
		if err := r.checkFields(l); err != nil {
			return err
		}
	}
	var accounts []stream.AccountChange
	// Before the clock has a time a lead with fields waits to be scored:
	// without a line of its own after the first event, it would have no
	// change line.
	waits := r.acc == nil && at.IsZero() && l.Fields != nil && l.Standing == nil
	if r.acc != nil && cause != "recheck" { // the accounts' own re-checks follow time
		if at.IsZero() && l.Fields != nil {
			// Before the clock has a time the lead waits to be matched, but
			// a creation that is no time fails its line now, as it does
			// once the clock has one: whatever the order of the lines.
			if fields, err := leadFields(l); err == nil {
				if _, err := scoring.PersonCreated(scoring.Lead{ID: l.ID, Fields: fields}, r.s.CreatedField()); err != nil {
					return bad("%v", &scoring.Error{LeadID: l.ID, Err: err})
				}
			}
		}
		if at.IsZero() {
			waits = l.Fields != nil && l.Account == "" && l.Unmatched == ""
		} else {
			var err error
			if accounts, err = r.acc.Take(context.Background(), tx, l, st, at, cause); err != nil {
				return accountLineErr(err)
			}
		}
	}
	// The line cannot fail now: report the lead's change, then its accounts'.
	if change != nil {
		meta.Seq++
		change.Seq = meta.Seq
		line, err := json.Marshal(change)
		if err != nil {
			return err
		}
		if err := tx.AddPending(stream.Pending{Seq: meta.Seq, Line: line}); err != nil {
			return err
		}
		r.lines = append(r.lines, append(line, '\n'))
		r.changes++
		if cause == "recheck" {
			r.rechecks++
		}
	}
	if standing != nil {
		l.Standing = standing
	}
	if err := r.reportAccounts(tx, meta, l, accounts, id); err != nil {
		return err
	}
	if waits {
		r.waiting[l.ID] = true
	}
	if err := tx.Put(*l); err != nil {
		return err
	}
	if !l.Next.IsZero() {
		heap.Push(&r.due, recheck{at: l.Next, lead: l.ID})
	}
	return nil
}

// fire runs the re-checks due before t (at or before it when through).
func (r *streamRun) fire(tx stream.Tx, meta *stream.Meta, t time.Time, through bool) error {
	for len(r.due) > 0 && (r.due[0].at.Before(t) || through && r.due[0].at.Equal(t)) {
		c := heap.Pop(&r.due).(recheck)
		if c.account != "" {
			if err := r.recheckAccount(tx, meta, c); err != nil {
				return err
			}
			continue
		}
		l, ok, err := tx.Lead(c.lead)
		if err != nil {
			return err
		}
		if !ok || !l.Next.Equal(c.at) {
			continue // a later line replaced it
		}
		st := r.sc.NewState(l.ID)
		if l.State != nil {
			if st, err = r.sc.Load(l.State); err != nil {
				fmt.Fprintf(r.stderr, "leadscore stream: the re-check of lead %s at %s: %v\n", l.ID, c.at.Format(time.RFC3339), err)
				continue
			}
		}
		if err := r.evaluate(tx, meta, &l, st, c.at, "recheck", ""); err != nil {
			var le lineError
			if !errors.As(err, &le) {
				return err
			}
			fmt.Fprintf(r.stderr, "leadscore stream: the re-check of lead %s at %s: %v\n", l.ID, c.at.Format(time.RFC3339), err)
		}
	}
	return nil
}

// recheck is a lead's re-check, or an account's when account is set.
type recheck struct {
	at      time.Time
	lead    string
	account string
}

// dueHeap is a min-heap of re-checks by time, then the leads' by lead id,
// then the accounts' by account id, so that the re-checks due at one time
// run in the same order in every run.
type dueHeap []recheck

func (q dueHeap) Len() int { return len(q) }
func (q dueHeap) Less(i, j int) bool {
	if c := q[i].at.Compare(q[j].at); c != 0 {
		return c < 0
	}
	if (q[i].account == "") != (q[j].account == "") {
		return q[i].account == ""
	}
	return q[i].lead < q[j].lead || q[i].lead == q[j].lead && q[i].account < q[j].account
}
func (q dueHeap) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *dueHeap) Push(x any)   { *q = append(*q, x.(recheck)) }
func (q *dueHeap) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// dumpStore writes every lead's result as of asOf, as score writes it
// (with its place in the holdout experiment h, when the model has one;
// createdField says when a lead came, for a holdout with a start).
func dumpStore(sc *stream.Scorer, h *rules.Holdout, createdField string, store stream.Store, asOf time.Time, stdout, stderr io.Writer, quiet bool) int {
	w := bufio.NewWriter(stdout)
	n, failed := 0, 0
	err := store.Each(func(l stream.Lead) error {
		n++
		res, err := scoreLead(sc, &l, asOf)
		var line []byte
		var row scoring.Row
		if err == nil {
			row, err = storedRow(res, h, &l, createdField, asOf)
		}
		if err == nil {
			line, err = json.Marshal(row)
		}
		if err != nil {
			failed++
			line, _ = json.Marshal(struct {
				ID    string `json:"id"`
				Error string `json:"error"`
			}{l.ID, err.Error()})
			if failed <= maxShownErrors {
				fmt.Fprintln(stderr, err)
			}
		}
		w.Write(line)
		return w.WriteByte('\n')
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "leadscore stream: %v\n", err)
		return exitUsage
	}
	if !quiet || failed > 0 {
		fmt.Fprintf(stderr, "%s: %d scored, %d failed (as of %s)\n", nOf(n, "lead"), n-failed, failed, asOf.Format(time.RFC3339))
	}
	if failed > 0 {
		return exitProblem
	}
	return exitOK
}

// scoreLead scores a stored lead as of asOf.
func scoreLead(sc *stream.Scorer, l *stream.Lead, asOf time.Time) (*scoring.Result, error) {
	st := sc.NewState(l.ID)
	if l.State != nil {
		var err error
		if st, err = sc.Load(l.State); err != nil {
			return nil, err
		}
	}
	fields, err := leadFields(l)
	if err != nil {
		return nil, err
	}
	if l.Fields == nil {
		return nil, fmt.Errorf("lead %s: no fields were given for it: give them with a line {\"lead_id\":%q,\"fields\":{...}}", l.ID, l.ID)
	}
	return st.ScoreWithDispositions(context.Background(), fields, l.Dispositions, asOf)
}

// rebuildStore builds the states anew from a full history into a new file,
// then puts it in place of the old one, carrying over the sequence of
// changes (and those not yet written).
func rebuildStore(s *scoring.Scorer, sc *stream.Scorer, acc *stream.Accounts, path, history string, window, maxRow int, stderr io.Writer, quiet bool) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "leadscore stream: "+format+"\n", a...)
		return exitUsage
	}
	f, err := os.Open(history)
	if err != nil {
		return fail("--rebuild: %v", err)
	}
	defer f.Close()
	old, err := boltstore.Open(path)
	if err != nil {
		return fail("--state: %v", err)
	}
	var meta stream.Meta
	var pending []stream.Pending
	err = old.View(func(tx stream.Tx) error {
		if meta, err = tx.Meta(); err != nil {
			return err
		}
		pending, err = tx.Pending()
		return err
	})
	old.Close()
	if err != nil {
		return fail("--state: %v", err)
	}
	tmp := path + ".rebuild"
	os.Remove(tmp)
	store, err := boltstore.Open(tmp)
	if err != nil {
		return fail("--state: %v", err)
	}
	defer os.Remove(tmp)
	defer store.Close()
	m := s.Model()
	r := &streamRun{s: s, sc: sc, acc: acc, m: m, store: store, window: window, batch: 1000, stderr: stderr, out: io.Discard, written: meta.Written, waiting: map[string]bool{},
		meta: stream.Meta{Model: m.Name, Fingerprint: sc.Fingerprint(), Accounts: accountsPrint(acc), Seq: meta.Seq, Written: meta.Written}}
	err = store.Update(func(tx stream.Tx) error {
		for _, p := range pending {
			if err := tx.AddPending(p); err != nil {
				return err
			}
		}
		return tx.SetMeta(r.meta)
	})
	if err != nil {
		return fail("--rebuild: %v", err)
	}
	r.quietChanges = true
	code := r.run(context.Background(), []streamInput{{name: history, r: f, regular: true}}, 0, maxRow)
	if code == exitUsage {
		return code
	}
	err = store.Update(func(tx stream.Tx) error {
		m, err := tx.Meta()
		if err != nil {
			return err
		}
		m.Offset, m.Line = 0, 0 // the offset was the history's, not the stream's
		return tx.SetMeta(m)
	})
	if err == nil {
		err = store.Close()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fail("--rebuild: %v", err)
	}
	if !quiet || code != exitOK {
		fmt.Fprintf(stderr, "rebuilt from %s: %s in: %d applied, %d duplicates skipped, %d failed; no changes written\n", history, nOf(r.read, "line"), r.applied, r.duplicates, r.failed)
	}
	return code
}

// nOf writes n things: 1 line, 2 lines.
func nOf(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
