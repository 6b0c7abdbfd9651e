package backtest

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/scoring"
)

// With Options.Trace, the backtest keeps each lead's trace (see
// scoring.Scorer.AppendTrace: the conditions' results, the budget and
// what the ladder reads, at every point of its timeline in the history,
// and as of T0) in a temporary file, as it measures the lead. Suggest
// then ranks the leads under every set of points it tries from the file,
// on every core, instead of reading and replaying them again three
// times; a lead the trace could not keep is read again as before. The
// file is on disk, not in memory: memory stays that of the records.

// traceFile is the file of traces: records of the lead's place (uvarint),
// the trace's length (uvarint) and the trace, in the order filed. The
// records are written in blocks; those of the blocks written whole
// (durable) can be read whatever happens to a later one.
type traceFile struct {
	f    *os.File
	name string    // removed by Close, when it could not be at once
	w    io.Writer // f; a test's writer that fails
	// buf is the block being filled, and inBuf the places of the leads
	// whose traces it holds whole (their kept leads go once it is
	// written: see Backtest.writeTraces).
	buf   []byte
	inBuf []int32
	// durable is how many bytes of the file were written whole.
	durable int64
	// marks are the offsets of every traceMark'th record, where the
	// readers on each core start.
	marks []int64
	n     int
	// err is the first error writing: the records after durable are not
	// read, and their leads are read again (or kept, from a pipe).
	err error
}

// traceBlock is the size of the blocks the traces are written in (a
// variable for tests).
var traceBlock = 1 << 16

const traceMark = 2048

// traceBufs are the measured leads' trace buffers, from Measure to
// AddMeasured.
var traceBufs = sync.Pool{New: func() any { return new([]byte) }}

func newTraceFile() *traceFile {
	f, err := os.CreateTemp("", "leadscore-suggest-*.trace")
	if err != nil {
		return &traceFile{err: err}
	}
	t := &traceFile{f: f, w: f}
	if os.Remove(f.Name()) != nil { // where an open file cannot be removed
		t.name = f.Name()
	}
	return t
}

// Close removes the file that Options.Trace keeps the leads' traces in.
// The backtest can still report, and suggest points by reading the leads
// again (SuggestFrom).
func (b *Backtest) Close() error {
	t := b.trace
	if t == nil || t.f == nil {
		return nil
	}
	b.trace = &traceFile{err: errors.New("the backtest was closed")}
	err := t.f.Close()
	if t.name != "" {
		if rerr := os.Remove(t.name); err == nil {
			err = rerr
		}
	}
	return err
}

// traceHistory reports whether, with Options.Trace, a lead of these
// instants needs its history kept: when the suggestion's flows may replay
// it (it arrived or had an event in the longest history they count).
func (b *Backtest) traceHistory(at *[nInstants]time.Time) bool {
	if b.trace == nil || at[atArrival].IsZero() {
		return false
	}
	t0 := b.opts.At
	from := t0.Add(-b.history())
	in := func(t time.Time) bool { return !t.Before(from) && !t.After(t0) }
	return in(at[atArrival]) || in(at[atLastEvent])
}

// keepTrace measures the lead's trace into mr, when Options.Trace asks:
// its history when traceHistory says, its point at T0 when it is in the
// backtest. history, when not nil, is its history as the capacity's
// replay kept it (scoring.Scorer.TimelineScoreTrace); it goes back to
// traceBufs.
func (b *Backtest) keepTrace(ctx context.Context, lead scoring.Lead, rec *leadRec, mr *Measured, at *[nInstants]time.Time, history *[]byte) error {
	if history != nil {
		defer traceBufs.Put(history)
	}
	if b.trace == nil {
		return nil
	}
	wantHistory, atT0 := b.traceHistory(at), rec.exclusion == none
	if !wantHistory && !atT0 {
		return nil
	}
	buf := traceBufs.Get().(*[]byte)
	var trace []byte
	var err error
	if wantHistory && history != nil {
		trace, err = b.scorer.AppendTraceOf(friend.K(), ctx, (*buf)[:0], lead, b.opts.At, *history, atT0)
	} else {
		trace, err = b.scorer.AppendTrace(friend.K(), ctx, (*buf)[:0], lead, b.opts.At, wantHistory, atT0)
	}
	if err != nil {
		traceBufs.Put(buf)
		return err
	}
	*buf = trace
	mr.trace = buf
	return nil
}

// fileTrace writes the trace of the lead filed at seq, if it has one.
func (b *Backtest) fileTrace(seq int, m *Measured) {
	t := b.trace
	if t == nil || m.trace == nil || t.err != nil {
		return
	}
	if t.n%traceMark == 0 {
		t.marks = append(t.marks, t.durable+int64(len(t.buf)))
	}
	t.buf = binary.AppendUvarint(t.buf, uint64(seq))
	t.buf = binary.AppendUvarint(t.buf, uint64(len(*m.trace)))
	t.buf = append(t.buf, *m.trace...)
	t.n++
	if seq < len(b.keptLeads) && b.keptLeads[seq] != nil && scoring.TraceServes(*m.trace) { // a kept lead its trace can stand in for
		t.inBuf = append(t.inBuf, int32(seq))
	}
	if len(t.buf) >= traceBlock {
		b.writeTraces()
	}
}

// writeTraces writes the block of traces being filled. Once written
// whole, the leads kept for their traces alone are let go (see
// AddMeasured); on an error, the records from there on are not read.
func (b *Backtest) writeTraces() {
	t := b.trace
	if len(t.buf) == 0 || t.err != nil {
		return
	}
	if _, err := t.w.Write(t.buf); err != nil {
		t.err = err
		for len(t.marks) > 0 && t.marks[len(t.marks)-1] >= t.durable {
			t.marks = t.marks[:len(t.marks)-1]
		}
		return
	}
	t.durable += int64(len(t.buf))
	for _, seq := range t.inBuf {
		b.keptLeads[seq] = nil
		b.dropped = true
	}
	t.buf, t.inBuf = t.buf[:0], t.inBuf[:0]
}

// TraceError is why the leads' traces (Options.Trace) could not all be
// kept: the temporary file could not be made or written (a full disk, a
// TMPDIR that cannot be written to). The suggestion then reads again the
// leads whose traces were not written whole (with Options.Suggest, it
// keeps them), as without traces; nil when every trace was kept.
func (b *Backtest) TraceError() error {
	if b.trace == nil {
		return nil
	}
	return b.trace.err
}

// dropTrace gives the measured lead's trace buffer back, filed or not.
func (b *Backtest) dropTrace(m *Measured) {
	if m.trace != nil {
		traceBufs.Put(m.trace)
		m.trace = nil
	}
}

// traced reports whether the leads' traces can be read: those written
// whole before any error (eachTrace leaves the rest to be read again).
func (b *Backtest) traced() bool {
	t := b.trace
	if t == nil || t.f == nil {
		return false
	}
	b.writeTraces()
	return true
}

// eachTrace reads the traces on every core, each reader with a ranker of
// its own: each is called with the reader (traceWorker), the lead's place
// and its trace's parts (see scoring.TraceParts) for every lead want takes, and
// returns errTraceLacks when the part it needs is missing; again lists
// the leads want takes whose trace could not keep them, lacks that part,
// or that have none, which the caller reads again.
func (b *Backtest) eachTrace(ctx context.Context, want func(seq int) bool, each func(w *traceWorker, seq int, history, atT0 []byte) error) (again []int, err error) {
	return b.eachTraceOf(ctx, b.scorer, want, each)
}

// eachTraceOf is eachTrace with rankers of sc, a scorer of the backtest's
// model with other points (a proposal's, whose errors name its file).
func (b *Backtest) eachTraceOf(ctx context.Context, sc *scoring.Scorer, want func(seq int) bool, each func(w *traceWorker, seq int, history, atT0 []byte) error) (again []int, err error) {
	t := b.trace
	seen := make([]bool, len(b.order))
	var mu sync.Mutex
	var firstErr error
	work := make(chan int, len(t.marks))
	for i := range t.marks {
		work <- i
	}
	close(work)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(t.marks))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr, err := sc.NewTraceRanker(friend.K())
			w := &traceWorker{tr: tr}
			var buf []byte
			for i := range work {
				if err == nil {
					err = ctx.Err()
				}
				if err != nil {
					break
				}
				end := t.durable
				if i+1 < len(t.marks) {
					end = t.marks[i+1]
				}
				r := bufio.NewReaderSize(io.NewSectionReader(t.f, t.marks[i], end-t.marks[i]), 1<<16)
				for {
					var seq uint64
					var rec []byte
					if seq, rec, buf, err = readTrace(r, buf); err == io.EOF {
						err = nil
						break
					} else if err != nil {
						break
					}
					if seq >= uint64(len(seen)) {
						err = errors.New("internal error: a trace names a lead the backtest has not (please report it)")
						break
					}
					if !want(int(seq)) {
						continue
					}
					history, atT0, readAgain, perr := scoring.TraceParts(rec)
					if err = perr; err != nil {
						break
					}
					seen[seq] = !readAgain
					if readAgain {
						continue
					}
					if err = each(w, int(seq), history, atT0); err == errTraceLacks {
						seen[seq], err = false, nil
					} else if err != nil {
						break
					}
				}
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for seq := range b.order {
		if !seen[seq] && want(seq) {
			again = append(again, seq)
		}
	}
	return again, nil
}

// traceWorker is one of eachTrace's readers: its ranker, and what the
// caller keeps per reader (a tally of its own, without a lock).
type traceWorker struct {
	tr   *scoring.TraceRanker
	keep any
}

// rankOrReplay ranks the leads want takes from their traces with ranked
// (see eachTrace), and has replay read again and replay those whose trace
// cannot rank them; without traces, it has replay do every lead.
func (b *Backtest) rankOrReplay(ctx context.Context, want func(int) bool, replay func(want func(int) bool) error, ranked func(w *traceWorker, seq int, history, atT0 []byte) error) error {
	if !b.traced() {
		return replay(want)
	}
	again, err := b.eachTrace(ctx, want, ranked)
	if err != nil || len(again) == 0 {
		return err
	}
	return replay(placesIn(again, len(b.order)))
}

// errTraceLacks is each's answer for a lead whose trace lacks the part it
// needs: the lead is read again.
var errTraceLacks = errors.New("the trace lacks the part needed")

// readTrace reads one record of the file, into buf when it fits.
func readTrace(r *bufio.Reader, buf []byte) (seq uint64, rec, out []byte, err error) {
	if seq, err = binary.ReadUvarint(r); err != nil {
		return 0, nil, buf, err // io.EOF at the end
	}
	n, err := binary.ReadUvarint(r)
	if err != nil || n > 1<<40 {
		return 0, nil, buf, fmt.Errorf("internal error: the leads' traces are damaged (please report it): %v", err)
	}
	if uint64(cap(buf)) < n {
		buf = make([]byte, n)
	}
	rec = buf[:n]
	if _, err := io.ReadFull(r, rec); err != nil {
		return 0, nil, buf, fmt.Errorf("internal error: the leads' traces are damaged (please report it): %v", err)
	}
	return seq, rec, buf, nil
}

// letGo reports whether the lead at seq was let go for its trace (see
// writeTraces): it cannot be read again.
func (b *Backtest) letGo(seq int) bool {
	return b.dropped && seq >= 0 && seq < len(b.keptLeads) && b.keptLeads[seq] == nil && b.order[seq] != unborn
}

// traceFailure is why points cannot replay the lead at seq (atT0 false)
// or score it at T0 (true), from its trace: the error replaying or
// scoring it with sc (the scorer of a model with those points) gives, for
// a lead let go for its trace (letGo).
func (b *Backtest) traceFailure(ctx context.Context, sc *scoring.Scorer, seq int, points []float64, atT0 bool) error {
	var why error
	found := false
	again, err := b.eachTraceOf(ctx, sc, func(i int) bool { return i == seq }, func(w *traceWorker, _ int, history, t0 []byte) error {
		found = true
		if atT0 {
			why = w.tr.PointError(t0, points)
		} else {
			why = w.tr.HistoryError(history, points)
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case !found || len(again) > 0 || errors.Is(why, scoring.ErrConditionsFailed):
		return fmt.Errorf("internal error: lead %s was let go for a trace that does not keep it (please report it)", b.idOf(seq))
	case why == nil:
		return nil
	}
	return &scoring.Error{LeadID: b.idOf(seq), Err: why}
}

// readLead reads the lead at seq again, with leads.
func (b *Backtest) readLead(ctx context.Context, leads Leads, seq int) (scoring.Lead, error) {
	var got *scoring.Lead
	var mu sync.Mutex
	err := leads(ctx, func(i int) bool { return i == seq }, func(i int, lead scoring.Lead) error {
		if i != seq {
			return nil
		}
		if id := b.idOf(i); lead.ID != id {
			return changedLeads(i, id, lead.ID)
		}
		mu.Lock()
		got = &lead
		mu.Unlock()
		return nil
	})
	if err == nil && got == nil {
		err = fmt.Errorf("lead %s, read again for the suggestion, is not among the leads; give Suggest the same leads", b.idOf(seq))
	}
	if err != nil {
		return scoring.Lead{}, err
	}
	return *got, nil
}
