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
// the trace's length (uvarint) and the trace, in the order filed.
type traceFile struct {
	f    *os.File
	name string // removed by Close, when it could not be at once
	w    *bufio.Writer
	size int64
	// marks are the offsets of every traceMark'th record, where the
	// readers on each core start.
	marks []int64
	n     int
	// err is the first error writing: the traces are then not used.
	err error
}

const traceMark = 2048

// traceBufs are the measured leads' trace buffers, from Measure to
// AddMeasured.
var traceBufs = sync.Pool{New: func() any { return new([]byte) }}

func newTraceFile() *traceFile {
	f, err := os.CreateTemp("", "leadscore-suggest-*.trace")
	if err != nil {
		return &traceFile{err: err}
	}
	t := &traceFile{f: f, w: bufio.NewWriterSize(f, 1<<16)}
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
	if t == nil || m.trace == nil {
		return
	}
	if t.err != nil {
		return
	}
	if t.n%traceMark == 0 {
		t.marks = append(t.marks, t.size)
	}
	var head [2 * binary.MaxVarintLen64]byte
	w := binary.PutUvarint(head[:], uint64(seq))
	w += binary.PutUvarint(head[w:], uint64(len(*m.trace)))
	if _, err := t.w.Write(head[:w]); err != nil {
		t.err = err
		return
	}
	if _, err := t.w.Write(*m.trace); err != nil {
		t.err = err
		return
	}
	t.size += int64(w + len(*m.trace))
	t.n++
}

// TraceError is why the leads' traces (Options.Trace) could not be kept,
// in whole or in part: the temporary file could not be made or written
// (a full disk, a TMPDIR that cannot be written to). The suggestion then
// reads the leads again, as without traces; nil when they were kept.
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

// traced reports whether the leads' traces can be read.
func (b *Backtest) traced() bool {
	t := b.trace
	if t == nil || t.err != nil || t.f == nil {
		return false
	}
	if err := t.w.Flush(); err != nil {
		t.err = err
		return false
	}
	return true
}

// eachTrace reads the traces on every core, each reader with a ranker of
// its own: each is called with the reader (traceWorker), the lead's place
// and its trace's parts (see scoring.TraceParts) for every lead want takes, and
// returns errTraceLacks when the part it needs is missing; again lists
// the leads want takes whose trace could not keep them, lacks that part,
// or that have none, which the caller reads again.
func (b *Backtest) eachTrace(ctx context.Context, want func(seq int) bool, each func(w *traceWorker, seq int, history, atT0 []byte) error) (again []int, err error) {
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
			tr, err := b.scorer.NewTraceRanker(friend.K())
			w := &traceWorker{tr: tr}
			var buf []byte
			for i := range work {
				if err == nil {
					err = ctx.Err()
				}
				if err != nil {
					break
				}
				end := t.size
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
