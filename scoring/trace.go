package scoring

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/leadscore/leadscore/internal/friend"
)

// A trace keeps what ranking a lead under other points needs (what
// FirstSalesReady and ScoreVariants read of it once its conditions are
// evaluated), so that a backtest suggesting points replays each lead once,
// however many sets of points it then tries. At each point it keeps:
// which lead rules hold, the ages of the events each event rule counts
// (after its limit), whether a gate holds or a hold-down keeps the lead
// back, the steps of the budget the conditions left, and the values the
// ladder reads besides the scores (the defines and fields of the total's
// expression, the grades and the stages). Ranking from it (TraceRanker)
// adds the points as Scorer.rank does, in the same order with the same
// checks, and runs the same ladder, so it gives the same results, errors
// included, bit for bit.
//
// A record is a flags byte, then, with traceHistory, the length of the
// history and the history: the points of the timeline (each after
// tagPoint) ended by tagEnd or tagFailed (the conditions failed at the
// next point, which fails every set of points); then, with traceAt,
// tagPoint and the point as of the time, or tagFailed. A record flagged
// traceAgain keeps nothing: the lead must be read again.
const (
	traceHistory = 1 << iota
	traceAt
	traceAgain
)

const (
	tagEnd byte = iota
	tagPoint
	tagFailed
)

// errKeepAgain stops the keeping of a lead that cannot be kept exactly.
var errKeepAgain = errors.New("this lead cannot be kept: read it again")

// AppendTrace is for package backtest (the key closes it to other
// callers): it appends to dst the lead's trace (see above): with history,
// every point of its timeline up to asOf, as FirstSalesReady replays it;
// with atAsOf, the point as of asOf that ScoreVariants scores. A lead that
// cannot be kept exactly (its ladder reads a value that did not fit its
// field's type, or the model's ladder reads its events) is flagged to be
// read again (see TraceParts). The error is only ctx's.
func (s *Scorer) AppendTrace(k friend.Key, ctx context.Context, dst []byte, lead Lead, asOf time.Time, history, atAsOf bool) ([]byte, error) {
	if err := k.Check(); err != nil {
		return dst, err
	}
	return s.appendTrace(ctx, dst, lead, asOf, history, nil, atAsOf)
}

// AppendTraceOf is AppendTrace with the lead's history already kept, by
// TimelineScoreTrace.
func (s *Scorer) AppendTraceOf(k friend.Key, ctx context.Context, dst []byte, lead Lead, asOf time.Time, history []byte, atAsOf bool) ([]byte, error) {
	if err := k.Check(); err != nil {
		return dst, err
	}
	return s.appendTrace(ctx, dst, lead, asOf, true, history, atAsOf)
}

func (s *Scorer) appendTrace(ctx context.Context, dst []byte, lead Lead, asOf time.Time, history bool, kept []byte, atAsOf bool) ([]byte, error) {
	start := len(dst)
	again := func() []byte { return append(dst[:start], traceAgain) }
	if !s.ladderKept() {
		return again(), nil
	}
	var flags byte
	if history {
		flags |= traceHistory
	}
	if atAsOf {
		flags |= traceAt
	}
	w := newTraceWriter(s, append(dst, flags))
	w.abort = true
	badVerdicts := len(lead.Dispositions) > 0 && s.CheckDispositions(lead.Dispositions) != nil
	// failed tells whether err ends the record with tagFailed; when err
	// is the trace's own (errKeepAgain) or ctx's, it returns that error.
	failed := func(err error) (bool, error) {
		switch {
		case err == nil:
			return false, nil
		case ctx.Err() != nil:
			return false, ctx.Err()
		case w.keeping || w.again || errors.Is(err, errKeepAgain):
			return false, errKeepAgain
		}
		return true, nil
	}
	// settle ends a part after err: the lead flagged to be read again, or
	// ctx's error (stop, with what to return); else with tagFailed when
	// err fails the lead's points, or tagEnd when end asks.
	settle := func(err error, end bool) (out []byte, stop bool, _ error) {
		fail, err := failed(err)
		switch {
		case errors.Is(err, errKeepAgain):
			return again(), true, nil
		case err != nil:
			return dst[:start], true, err
		case fail:
			w.dst = append(w.dst, tagFailed)
		case end:
			w.dst = append(w.dst, tagEnd)
		}
		return nil, false, nil
	}
	if history {
		from := len(w.dst)
		switch {
		case kept != nil:
			w.dst = append(w.dst, kept...)
		case badVerdicts:
			w.dst = append(w.dst, tagFailed)
		default:
			werr := s.walk(ctx, lead, asOf, func(r *replay, at time.Time, prefix []Event, e *Event, _ *moment) error {
				w.byEvent = e != nil
				return r.point(prefix, at, func(ev *evaluation) (error, bool) {
					_, err, broken := r.s.scoreInto(ev, ctx, r.pointLead(), at, &r.counted, r.verdicts, &r.leanRes, func(lead Lead, res *Result) error {
						if err := s.conditions(ev, lead, at, res); err != nil {
							return err
						}
						return w.keep(ev, res, at)
					})
					return err, broken
				})
			})
			if out, stop, err := settle(werr, true); stop {
				return out, err
			}
		}
		// The history's length before it, so that a reader can skip it.
		var n [binary.MaxVarintLen64]byte
		k := binary.PutUvarint(n[:], uint64(len(w.dst)-from))
		w.dst = append(w.dst, n[:k]...)
		copy(w.dst[from+k:], w.dst[from:len(w.dst)-k])
		copy(w.dst[from:], n[:k])
	}
	if atAsOf {
		if badVerdicts {
			return append(w.dst, tagFailed), nil
		}
		w.prev, w.byEvent = [2]int{-1, -1}, false
		ev := s.pool.Get().(*evaluation)
		_, serr, broken := s.scoreIn(ev, ctx, lead, asOf, nil, nil, func(lead Lead, res *Result) error {
			if err := s.conditions(ev, lead, asOf, res); err != nil {
				return err
			}
			return w.keep(ev, res, asOf)
		})
		if broken {
			ev = s.newEvaluation()
		}
		s.pool.Put(ev)
		if out, stop, err := settle(serr, false); stop {
			return out, err
		}
	}
	return w.dst, nil
}

// traceWriter keeps a lead's points (see keepPoint).
type traceWriter struct {
	s   *Scorer
	dst []byte
	// start is where the lead's trace starts in dst.
	start int
	// prev is where the last point's conditions are in dst.
	prev [2]int
	// byEvent tells that an event put the lead at the next point.
	byEvent bool
	// keeping is set while a point is written: a panic there (recovered
	// by scoreInto as an internal error) is ours, not the lead's; again
	// is set when a point could not be kept, and then abort has keep
	// stop the replay (else the replay goes on, and keep keeps nothing).
	keeping, again, abort bool
}

// maxTrace is the most a lead's trace may take: beyond it (a rule that
// decays without a limit keeps the age of every event at every point,
// which grows as the square of the events) the lead is read again.
var maxTrace atomic.Int64

func init() { maxTrace.Store(4 << 20) }

// SetTraceLimit is for tests of package backtest (the key closes it to
// other callers): it sets the most a lead's trace may take, and returns
// the limit it replaces.
func SetTraceLimit(k friend.Key, n int64) int64 {
	if k.Check() != nil {
		return maxTrace.Load()
	}
	return maxTrace.Swap(n)
}

func newTraceWriter(s *Scorer, dst []byte) *traceWriter {
	return &traceWriter{s: s, dst: dst, start: len(dst), prev: [2]int{-1, -1}}
}

// keep appends the point as of at, whose conditions ev holds.
func (w *traceWriter) keep(ev *evaluation, res *Result, at time.Time) error {
	if !w.again {
		w.keeping = true
		var ok bool
		w.dst = append(w.dst, tagPoint)
		w.dst, ok = w.s.keepPoint(w.dst, ev, res, at, w.byEvent, &w.prev)
		w.keeping = false
		if !ok || int64(len(w.dst)-w.start) > maxTrace.Load() {
			w.again, w.dst = true, w.dst[:w.start]
		}
	}
	if w.again && w.abort {
		return errKeepAgain
	}
	return nil
}

// keepPoint appends a point: its time, whether an event put it there, the
// budget the conditions left, then the conditions (the gates and
// hold-down, the rules' conditions, what the ladder reads), or, when they
// are byte for byte those of the point before (at *prev in dst, which it
// updates), a mark saying so: ranked under any points, such a point gives
// what the one before gave, given the budget that ranking took.
// False when the ladder's values cannot be kept.
func (s *Scorer) keepPoint(dst []byte, ev *evaluation, res *Result, at time.Time, byEvent bool, prev *[2]int) ([]byte, bool) {
	dst = binary.AppendVarint(dst, at.Unix())
	dst = binary.AppendUvarint(dst, uint64(at.Nanosecond()))
	head := len(dst)
	if byEvent {
		dst = append(dst, pointByEvent)
	} else {
		dst = append(dst, 0)
	}
	dst = binary.AppendVarint(dst, ev.env.BudgetLeft())
	from := len(dst)
	var f byte
	if res.Disqualified {
		f |= 1
	}
	if ev.held {
		f |= 2
	}
	dst = append(dst, f)
	var bits byte
	n := 0
	for _, r := range s.model.Rules {
		if r.IsEvent() {
			continue
		}
		if ev.ruleHits[r.Index] {
			bits |= 1 << (n & 7)
		}
		if n++; n&7 == 0 {
			dst, bits = append(dst, bits), 0
		}
	}
	if n&7 != 0 {
		dst = append(dst, bits)
	}
	for _, r := range s.model.Rules {
		if !r.IsEvent() {
			continue
		}
		ages := ev.matches[r.Index]
		n := len(ages)
		if r.Limit > 0 && n > r.Limit {
			n = r.Limit
		}
		dst = binary.AppendUvarint(dst, uint64(n))
		if r.HalfLife > 0 && n > 0 {
			// The youngest n, as eventPoints sums them.
			slices.Sort(ages)
			for _, a := range ages[:n] {
				dst = binary.AppendVarint(dst, int64(a))
			}
		}
	}
	dst, ok := ev.env.SaveLadder(dst)
	if !ok {
		return dst, false
	}
	if prev[0] >= 0 && string(dst[prev[0]:prev[1]]) == string(dst[from:]) {
		dst[head] |= pointSame
		return dst[:from], true
	}
	prev[0], prev[1] = from, len(dst)
	return dst, true
}

// A point's head byte.
const (
	pointByEvent = 1 << iota // an event put the lead there
	pointSame                // its conditions are those of the point before
)

// TraceRanker ranks leads from their traces under sets of points, for
// package backtest (Scorer.NewTraceRanker makes one). It is not safe for
// concurrent use: give each goroutine its own.
type TraceRanker struct {
	s  *Scorer
	ev *evaluation
	// The conditions loaded last: the rules that give points, the
	// weights of decaying events, whether a gate holds or a hold-down
	// keeps the lead back, the values the ladder reads, and whether they
	// were read whole (a point the same as the one before needs them).
	fired, byRule  []firedRule
	weights        []float64
	disq, heldBack bool
	ladder         []byte
	loaded         bool
	// cost is, per set of points, the steps ranking the conditions loaded
	// took, -1 when not ranked yet (see FirstSalesReady).
	cost []int64
	// raw, scores and key are rank's room; placedAt the ladder's
	// outcomes it keeps.
	raw, scores []float64
	key         []byte
	placedAt    []placed
}

// NewTraceRanker is for package backtest (the key closes it to other
// callers): a ranker of the traces AppendTrace keeps.
func (s *Scorer) NewTraceRanker(k friend.Key) (*TraceRanker, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	n := len(s.model.Categories)
	return &TraceRanker{s: s, ev: s.newEvaluation(), byRule: make([]firedRule, len(s.model.Rules)), raw: make([]float64, n), scores: make([]float64, n), placedAt: make([]placed, placedSlots)}, nil
}

var errBadTrace = errors.New("internal error: a lead's trace is damaged (please report it)")

// TraceParts splits a trace record that Scorer.AppendTrace made, for
// package backtest: the history of the lead's timeline (nil when not
// kept) and its point as of the time (nil when not kept); again when the
// lead was not kept and must be read again.
func TraceParts(rec []byte) (history, atAsOf []byte, again bool, err error) {
	if len(rec) == 0 {
		return nil, nil, false, errBadTrace
	}
	f := rec[0]
	rec = rec[1:]
	if f&traceAgain != 0 {
		return nil, nil, true, nil
	}
	if f&traceHistory != 0 {
		n, w := binary.Uvarint(rec)
		if w <= 0 || n > uint64(len(rec)-w) {
			return nil, nil, false, errBadTrace
		}
		history, rec = rec[w:w+int(n)], rec[w+int(n):]
	}
	if f&traceAt != 0 {
		atAsOf, rec = rec, nil
	}
	if len(rec) > 0 {
		return nil, nil, false, errBadTrace
	}
	return history, atAsOf, false, nil
}

// TraceServes reports whether a trace record can stand in for its lead
// when the lead is not kept: it keeps the lead whole (not marked to be
// read again), and its conditions did not fail anywhere (a trace does
// not keep why they did, which the lead's error must say).
func TraceServes(rec []byte) bool {
	history, atAsOf, again, err := TraceParts(rec)
	if err != nil || again {
		return false
	}
	return (len(history) == 0 || history[len(history)-1] != tagFailed) && (len(atAsOf) == 0 || atAsOf[0] != tagFailed)
}

// FirstSalesReady is Scorer.FirstSalesReady from a lead's history (see
// TraceParts): for each set of points, ok[v] when the lead stood on the
// sales-ready stage, at[v] when it first did and byEvent[v] whether an
// event put it there (Reached.Event != nil); failed[v] when the set
// cannot replay the lead.
func (t *TraceRanker) FirstSalesReady(history []byte, points [][]float64, at []time.Time, byEvent, ok, failed []bool) error {
	return t.firstSalesReady(history, points, at, byEvent, ok, failed, nil)
}

// firstSalesReady is FirstSalesReady; with first, it keeps there the
// first error a set of points gives (ErrConditionsFailed when the
// conditions failed).
func (t *TraceRanker) firstSalesReady(history []byte, points [][]float64, at []time.Time, byEvent, ok, failed []bool, first *error) error {
	s, m := t.s, t.s.model
	if err := s.checkVariants(points); err != nil {
		return err
	}
	clear(ok)
	clear(failed)
	rec := history
	live := len(points)
	t.loaded = false
	t.cost = slices.Grow(t.cost[:0], len(points))[:len(points)]
	for v := range t.cost {
		t.cost[v] = -1
	}
	for {
		if len(rec) == 0 {
			return errBadTrace
		}
		tag := rec[0]
		rec = rec[1:]
		switch tag {
		case tagEnd:
			if len(rec) > 0 {
				return errBadTrace
			}
			return nil
		case tagFailed:
			for v := range failed {
				failed[v] = true
			}
			if len(rec) > 0 {
				return errBadTrace
			}
			if first != nil && *first == nil {
				*first = ErrConditionsFailed
			}
			return nil
		case tagPoint:
		default:
			return errBadTrace
		}
		if live == 0 {
			return nil // every set failed (FirstSalesReady stops there too)
		}
		var p tracePoint
		var okp bool
		if rec, p, okp = t.load(rec); !okp {
			return errBadTrace
		}
		for v, pts := range points {
			if failed[v] {
				continue
			}
			if p.same && t.cost[v] >= 0 && p.left >= t.cost[v] {
				// Ranked as the point before was, within the budget:
				// the same outcome, already counted.
				continue
			}
			_, stage, cost, err := t.rank(p, pts)
			if err != nil {
				failed[v] = true
				live--
				if first != nil && *first == nil {
					*first = err
				}
				continue
			}
			t.cost[v] = cost
			if !ok[v] && stage >= m.SalesReady {
				at[v], byEvent[v], ok[v] = p.at, p.byEvent, true
			}
		}
	}
}

// Variants is Scorer.ScoreVariants from a lead's point as of the time
// (see TraceParts): out[v] the lead's score under each set of points,
// failed[v] when the set cannot score it.
func (t *TraceRanker) Variants(rec []byte, points [][]float64, out []Variant, failed []bool) error {
	if err := t.s.checkVariants(points); err != nil {
		return err
	}
	p, conditionsFailed, err := t.loadAsOf(rec)
	if err != nil {
		return err
	}
	if conditionsFailed {
		for v := range failed {
			failed[v] = true
		}
		return nil
	}
	m := t.s.model
	for v, pts := range points {
		total, stage, _, err := t.rank(p, pts)
		failed[v] = err != nil
		out[v] = Variant{}
		if err == nil {
			out[v] = Variant{Total: total, SalesReady: stage == m.SalesReady}
			if stage >= 0 {
				out[v].Stage = m.Stages[stage].ID
			}
		}
	}
	return nil
}

// tracePoint is a point's head (load keeps its conditions in the
// ranker).
type tracePoint struct {
	at      time.Time
	byEvent bool
	// same: the conditions are those of the point before (see keepPoint).
	same bool
	left int64
}

// load reads a point: its head, and unless they are the point before's,
// its conditions: what the rules give (t.fired), the gates and hold-down,
// and what the ladder reads (into the ranker's evaluator).
func (t *TraceRanker) load(rec []byte) ([]byte, tracePoint, bool) {
	var p tracePoint
	sec, w := binary.Varint(rec)
	if w <= 0 {
		return nil, p, false
	}
	rec = rec[w:]
	nsec, w := binary.Uvarint(rec)
	if w <= 0 || len(rec) < w+1 || nsec >= 1e9 {
		return nil, p, false
	}
	p.at = time.Unix(sec, int64(nsec)).UTC()
	h := rec[w]
	rec = rec[w+1:]
	p.byEvent, p.same = h&pointByEvent != 0, h&pointSame != 0
	if p.left, w = binary.Varint(rec); w <= 0 {
		return nil, p, false
	}
	rec = rec[w:]
	if p.same {
		return rec, p, t.loaded
	}
	t.loaded = false
	if len(rec) == 0 {
		return nil, p, false
	}
	m := t.s.model
	t.disq, t.heldBack = rec[0]&1 != 0, rec[0]&2 != 0
	rec = rec[1:]
	t.fired, t.weights = t.fired[:0], t.weights[:0]
	// Read in the trace's order (lead rules, then event rules), kept in
	// the model's order of rules, the order Scorer.rank adds them in.
	byRule := t.byRule
	var bits byte
	n := 0
	for _, r := range m.Rules {
		byRule[r.Index] = firedRule{n: 0}
		if r.IsEvent() {
			continue
		}
		if n&7 == 0 {
			if len(rec) == 0 {
				return nil, p, false
			}
			bits, rec = rec[0], rec[1:]
		}
		if bits&(1<<(n&7)) != 0 {
			byRule[r.Index] = firedRule{rule: r.Index, cat: r.Category.Index, n: -1}
		}
		n++
	}
	for _, r := range m.Rules {
		if !r.IsEvent() {
			continue
		}
		c, w := binary.Uvarint(rec)
		if w <= 0 || r.HalfLife > 0 && c > uint64(len(rec)) {
			return nil, p, false
		}
		rec = rec[w:]
		if c == 0 {
			continue
		}
		f := firedRule{rule: r.Index, cat: r.Category.Index, n: int(c)}
		if r.HalfLife > 0 {
			// What each event is worth per point, youngest first, as
			// eventPoints sums them (worth: each × this).
			f.from = len(t.weights)
			for range c {
				a, w := binary.Varint(rec)
				if w <= 0 {
					return nil, p, false
				}
				rec = rec[w:]
				t.weights = append(t.weights, math.Exp2(-float64(time.Duration(a))/float64(r.HalfLife)))
			}
			f.to = len(t.weights)
		}
		byRule[r.Index] = f
	}
	for _, f := range byRule {
		if f.n != 0 {
			t.fired = append(t.fired, f)
		}
	}
	t.ladder = rec
	rec, t.loaded = t.ev.env.LoadLadder(rec)
	t.ladder = t.ladder[:len(t.ladder)-len(rec)]
	return rec, p, t.loaded
}

// firedRule is a rule that gives points at the point loaded: a lead rule
// whose condition holds (n -1), or an event rule counting n events, each
// worth, when it decays, weights[from:to] of its points.
type firedRule struct {
	rule, cat int
	n         int
	from, to  int
}

// placed is the ladder's outcome for some category scores, gates and
// values it reads, key (see rank), of hash hash.
type placed struct {
	hash  uint64
	key   []byte
	total float64
	stage int
	cost  int64
}

// rank ranks the point loaded under one set of points, as Scorer.rank
// does for a variant with what the conditions left of the budget: the
// same sums in the same order, the same checks, the same ladder; only
// the outcome is kept (failed or not, total, stage index, -1 for none).
// The ladder's outcome for the same category scores, gates and values it
// reads is the same: it is kept (placedAt), and taken again when the
// budget left covers what it took.
func (t *TraceRanker) rank(p tracePoint, points []float64) (total float64, stage int, cost int64, err error) {
	m := t.s.model
	raw := t.raw
	clear(raw)
	for _, f := range t.fired {
		each := points[f.rule]
		var given float64
		switch {
		case f.n < 0:
			given = each
		case f.to > f.from:
			for _, w := range t.weights[f.from:f.to] {
				given += each * w
			}
		default:
			given = each * float64(f.n)
		}
		if !finite(given) {
			return 0, -1, 0, ruleNotFinite(m.Rules[f.rule], given, max(f.n, 0), each) // a lead rule (n -1) counts no events
		}
		raw[f.cat] += given
	}
	key := append(t.key[:0], 0)
	if t.disq {
		key[0] |= 1
	}
	if t.heldBack {
		key[0] |= 2
	}
	for i, c := range m.Categories {
		if !finite(raw[i]) {
			return 0, -1, 0, categoryNotFinite(m, i, raw[i])
		}
		score := raw[i]
		if !(c.Min < score && score < c.Max) { // within the bounds, Clamp gives it back as it is
			score = c.Clamp(score)
		}
		t.scores[i] = score
		total += score
		key = binary.LittleEndian.AppendUint64(key, math.Float64bits(score))
	}
	if m.Total == nil && !finite(total) {
		return 0, -1, 0, totalNotFinite(m, total)
	}
	key = append(key, t.ladder...)
	t.key = key
	h := maphash.Bytes(placedSeed, key)
	slot := &t.placedAt[h&(placedSlots-1)]
	if slot.hash == h && bytes.Equal(slot.key, key) && p.left >= slot.cost {
		if m.Total != nil {
			total = slot.total
		}
		return total, slot.stage, slot.cost, nil
	}
	if total, stage, err = t.place(p, total); err != nil {
		return 0, -1, 0, err
	}
	env := t.ev.env
	cost = p.left - env.BudgetLeft()
	if slot.hash != h || !bytes.Equal(slot.key, key) {
		slot.hash, slot.key = h, append(slot.key[:0], key...)
	}
	slot.total, slot.stage, slot.cost = total, stage, cost
	return total, stage, cost, nil
}

// place evaluates the total's expression and the ladder for the category
// scores in t.scores, as Scorer.rank does: a panic there (a fault of the
// evaluator) fails this set of points for the lead, as the replay's
// scoreInto makes it the lead's error.
func (t *TraceRanker) place(p tracePoint, total float64) (_ float64, stage int, err error) {
	m := t.s.model
	defer func() {
		if r := recover(); r != nil {
			t.ev = t.s.newEvaluation() // it may be in a broken state
			_, t.loaded = t.ev.env.LoadLadder(t.ladder)
			stage, err = -1, fmt.Errorf("internal error (please report it): %v", r)
		}
	}()
	env := t.ev.env
	env.SetBudgetLeft(p.left)
	for i := range m.Categories {
		env.SetCategory(i, t.scores[i])
	}
	if m.Total != nil {
		if total, err = env.Float(m.Total); err != nil {
			return 0, -1, err
		}
		if !finite(total) {
			return 0, -1, totalNotFinite(m, total)
		}
	}
	env.SetTotal(total)
	if err := env.Stopped(); err != nil {
		return 0, -1, err
	}
	if _, err := env.EvalLadder(t.ev.stageOK); err != nil {
		return 0, -1, err
	}
	stage = -1
	for i := len(m.Stages) - 1; i >= 0; i-- {
		if !t.ev.stageOK[i] || (t.disq || t.heldBack) && i >= m.SalesReady {
			continue
		}
		stage = i
		break
	}
	return total, stage, nil
}

// placedSlots is how many ladder outcomes a ranker keeps, one a slot by
// the hash of what they depend on (the newer one in a slot wins).
const placedSlots = 1 << 12

var placedSeed = maphash.MakeSeed()

// HistoryError is, for a set of points that cannot replay a lead (see
// FirstSalesReady), the error ranking its history under them gives first,
// as Scorer.rank words it; nil when they replay it. A history whose
// conditions failed (the lead fails whatever its points) gives
// ErrConditionsFailed.
func (t *TraceRanker) HistoryError(history []byte, points []float64) error {
	set := [][]float64{points}
	var at [1]time.Time
	var byEvent, ok, failed [1]bool
	var first error
	if err := t.firstSalesReady(history, set, at[:], byEvent[:], ok[:], failed[:], &first); err != nil {
		return err
	}
	return first
}

// PointError is HistoryError for a lead's point as of the time (see
// Variants).
func (t *TraceRanker) PointError(atAsOf []byte, points []float64) error {
	if err := t.s.checkVariants([][]float64{points}); err != nil {
		return err
	}
	p, conditionsFailed, err := t.loadAsOf(atAsOf)
	switch {
	case err != nil:
		return err
	case conditionsFailed:
		return ErrConditionsFailed
	}
	_, _, _, err = t.rank(p, points)
	return err
}

// loadAsOf loads a lead's point as of the time (see TraceParts), unless
// its conditions failed there.
func (t *TraceRanker) loadAsOf(rec []byte) (p tracePoint, conditionsFailed bool, err error) {
	if len(rec) == 0 {
		return p, false, errBadTrace
	}
	switch rec[0] {
	case tagFailed:
		return p, true, nil
	case tagPoint:
	default:
		return p, false, errBadTrace
	}
	t.loaded = false
	rest, p, ok := t.load(rec[1:])
	if !ok || len(rest) > 0 || p.same {
		return p, false, errBadTrace
	}
	return p, false, nil
}

// ErrConditionsFailed is HistoryError's and PointError's answer for a
// trace whose conditions failed: it does not keep why.
var ErrConditionsFailed = errors.New("the lead's conditions failed, whatever its points")

// ladderKept reports whether a trace can keep what the model's ladder
// reads (rules' keepLadder), worked out once.
func (s *Scorer) ladderKept() bool {
	s.ladderOnce.Do(func() {
		ev := s.pool.Get().(*evaluation)
		s.keepsLadder = ev.env.LadderKept()
		s.pool.Put(ev)
	})
	return s.keepsLadder
}
