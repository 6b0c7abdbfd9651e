package backtest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/leadscore/leadscore/internal/statebytes"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// State is what the backtest has collected (its leads' records and its
// reference leads), as bytes that another backtest of the same model and
// options takes in with MergeState: backtests of shards of the leads, on
// other machines (a pipeline's workers), merge into the backtest of all of
// them, and its Report is the same to the byte, as with Merge.
//
// A backtest that keeps its leads for Suggest (Options.Suggest) has no
// state: the suggestion reads the leads themselves (see SuggestFrom).
func (b *Backtest) State() ([]byte, error) {
	if b.opts.Suggest {
		return nil, errors.New("a backtest that keeps its leads for Suggest (Options.Suggest) cannot be carried as state; make it without, and suggest with SuggestFrom")
	}
	var w stateWriter
	w.str(stateMagic)
	w.str(b.fingerprint())
	w.time(b.first)
	ids := b.bySeq()
	w.uint(uint64(len(ids)))
	for _, i := range ids {
		w.str(b.idOf(int(i)))
		l := b.order[i]
		if l == unborn {
			w.byte(0)
			continue
		}
		w.byte(1)
		b.writeRec(&w, l)
	}
	w.bool(b.refIDs != nil)
	if b.refIDs != nil {
		w.time(b.refAt)
		w.uint(uint64(len(b.ref)))
		for _, r := range b.ref {
			w.str(r.id)
			w.float(r.total)
			w.uint(uint64(len(r.fired)))
			for _, f := range r.fired {
				w.bool(f)
			}
		}
	}
	// The leads that failed (LeadFailed), last: a state without them
	// ends before.
	failed := slices.Sorted(maps.Keys(b.failed))
	w.uint(uint64(len(failed)))
	for _, id := range failed {
		w.str(id)
	}
	w.uint(uint64(b.failedRows)) // then the rows that failed
	return w.buf, nil
}

// MergeState adds the leads of another backtest's State, as Merge adds
// another backtest's: both must be of the same model with the same
// options, and a lead in both is an error.
func (b *Backtest) MergeState(state []byte) error {
	if b.opts.Suggest {
		return errors.New("a backtest that keeps its leads for Suggest (Options.Suggest) cannot take in state, which has no leads")
	}
	o, err := b.fromState(state)
	if err != nil {
		return err
	}
	return b.Merge(o)
}

// stateMagic begins every state, with its version.
const stateMagic = "leadscore backtest state 1"

// fingerprint says what backtests must agree on to merge: the model (its
// rule files, as compiled), the outcomes and the options the records were
// measured under. It is worked out once.
func (b *Backtest) fingerprint() string {
	if b.fp != "" {
		return b.fp
	}
	o := b.opts
	capacity := ""
	if c := o.Capacity; c != nil {
		capacity = fmt.Sprintf("%v/%s on %q over %v", c.Leads, c.Unit, c.On, c.History)
	}
	b.fp = fmt.Sprintf("model %q (%s) with outcomes %s at %s until %s created %q bands %v capacity %s min won %d dispositions %v suggest %v snapshot only %v",
		b.model.Name, modelSum(b.model), outcomesSum(b.outcomes), o.At.UTC().Format(time.RFC3339Nano), o.Until.UTC().Format(time.RFC3339Nano), o.CreatedField,
		o.BandWidth, capacity, o.MinWon, o.Dispositions, o.Suggest, b.snapshotOnly)
	return b.fp
}

// modelSum sums up a model's rule files as compiled (statebytes.ModelSum,
// which feedback's state uses too).
func modelSum(m *rules.Model) string { return statebytes.ModelSum(m) }

// outcomesSum sums up the outcomes, in the order of their ids.
func outcomesSum(outcomes map[string]Outcome) string {
	ids := make([]string, 0, len(outcomes))
	for id := range outcomes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	h := sha256.New()
	var buf []byte
	for _, id := range ids {
		o := outcomes[id]
		buf = append(buf[:0], id...)
		for _, t := range []time.Time{o.Opportunity, o.Won, o.Lost} {
			buf = binary.AppendVarint(append(buf, 0), t.UnixNano())
			buf = append(buf, t.Format(time.RFC3339Nano)...)
		}
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(o.Revenue))
		h.Write(binary.AppendUvarint(nil, uint64(len(buf))))
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func (b *Backtest) fromState(state []byte) (*Backtest, error) {
	r := stateReader{buf: state}
	if r.str() != stateMagic || r.err != nil {
		return nil, errors.New("these bytes are not a backtest's state (Backtest.State), or come from another version of leadscore")
	}
	if fp := r.str(); r.err == nil && fp != b.fingerprint() {
		return nil, fmt.Errorf("cannot merge the state of a backtest of %s into one of %s; run every shard with the same model and options", fp, b.fingerprint())
	}
	o := &Backtest{scorer: b.scorer, model: b.model, opts: b.opts, outcomes: b.outcomes, onCat: b.onCat, snapshotOnly: b.snapshotOnly, fp: b.fingerprint()}
	o.first = r.time()
	n := r.count()
	for i := 0; i < n && r.err == nil; i++ {
		id := r.str()
		if o.ids.Find(id) >= 0 && r.err == nil {
			r.err = fmt.Errorf("lead %s appears twice in the state", id)
		}
		m := &Measured{id: id, rec: unborn}
		if r.byte() == 1 {
			m.rec = &leadRec{units: noList}
			o.readRec(&r, m)
		}
		if r.err == nil {
			r.err = o.AddMeasured(m)
		}
	}
	if r.bool() {
		o.refIDs, o.refAt = map[string]bool{}, r.time()
		n := r.count()
		for i := 0; i < n && r.err == nil; i++ {
			rec := refRec{id: r.str(), total: r.finite()}
			rec.fired = make([]bool, r.count())
			if want := len(b.model.Rules) + len(b.model.Gates); len(rec.fired) != want {
				r.fail(fmt.Errorf("a reference lead has %d rules and gates, where the model has %d", len(rec.fired), want))
			}
			for j := range rec.fired {
				rec.fired[j] = r.bool()
			}
			o.refIDs[rec.id] = true
			o.ref = append(o.ref, rec)
		}
	}
	if r.err == nil && len(r.buf) > 0 { // the leads that failed
		n := r.count()
		for i := 0; i < n && r.err == nil; i++ {
			o.markFailed(r.str())
		}
	}
	if r.err == nil && len(r.buf) > 0 { // the lead rows that failed
		if n := r.uint(); n > math.MaxInt32 {
			r.fail(fmt.Errorf("%d lead rows failed: more than a state can hold", n))
		} else {
			o.failedRows = int(n)
		}
	}
	if r.err == nil && len(r.buf) > 0 {
		r.err = errors.New("bytes left over after the end")
	}
	if r.err != nil {
		return nil, fmt.Errorf("reading a backtest's state: %w", r.err)
	}
	return o, nil
}

func (b *Backtest) writeRec(w *stateWriter, l *leadRec) {
	w.time(b.created(l))
	w.float(l.total)
	w.float(l.revenue)
	w.uint(uint64(len(b.units(l))))
	var all []float64
	if l.units != noList {
		all = b.lists.list(l.units)
	}
	w.uint(uint64(len(all)))
	for _, u := range all {
		w.float(u)
	}
	climbs := b.climbsOf(l)
	w.uint(uint64(len(climbs)))
	for i, c := range climbs {
		w.float(c.level)
		w.time(b.climbAt(l, i))
	}
	for i := range atCreated { // the creation time is written first
		w.time(b.instant(l, i))
	}
	w.str(b.gradeOf(l))
	w.str(b.stageOf(l))
	w.byte(byte(l.exclusion))
	w.bool(l.sr)
	w.bool(l.disq)
	w.bool(l.won)
	w.bool(l.opp)
	w.bool(l.wonLater)
	v := b.verdictOf(l)
	w.bool(v != nil)
	if v != nil {
		w.time(v.handoff)
		w.label(v.verdict)
		w.uint(uint64(len(v.fired)))
		for _, f := range v.fired {
			w.str(f)
		}
		w.label(v.loose)
	}
}

func (b *Backtest) readRec(r *stateReader, m *Measured) {
	l := m.rec
	m.created = r.time()
	l.total, l.revenue = r.finite(), r.finite()
	nu, n := r.count(), r.count()
	// A record has every rule's units and category's score, or none (a
	// lead not created by T0, kept for the verdict view, and a stability's
	// snapshot: see below).
	if m := b.model; (nu != len(m.Rules)+len(m.Gates) || n != nu+len(m.Categories)) && (nu != 0 || n != 0) {
		r.fail(fmt.Errorf("a record has %d units and %d category scores, where the model has %d rules and gates and %d categories", nu, n-nu, len(m.Rules)+len(m.Gates), len(m.Categories)))
	}
	if n > 0 && r.err == nil {
		all := make([]float64, n)
		for i := range all {
			all[i] = r.finite()
		}
		m.units = all
	}
	var climbs []time.Time
	if n := r.count(); n > 0 {
		m.climbs, climbs = make([]climb, n), make([]time.Time, n)
		for i := range m.climbs {
			m.climbs[i].level, climbs[i] = r.finite(), r.time()
		}
	}
	var at [nInstants]time.Time
	for i := range atCreated {
		at[i] = r.time()
	}
	at[atCreated] = m.created
	m.setInstants(&at, climbs)
	m.grade, m.stage = r.str(), r.str()
	if !b.knows(m.grade, m.stage) {
		r.fail(fmt.Errorf("a record's grade %q or stage %q is not the model's", m.grade, m.stage))
	}
	l.exclusion = exclusion(r.byte())
	if l.exclusion > openOpportunity && r.err == nil {
		r.err = fmt.Errorf("a record's exclusion %d is unknown", l.exclusion)
	}
	if nu == 0 && l.exclusion != notCreated && !b.snapshotOnly {
		r.fail(errors.New("a record of a lead that existed at T0 has no units"))
	}
	l.sr, l.disq, l.won, l.opp, l.wonLater = r.bool(), r.bool(), r.bool(), r.bool(), r.bool()
	if r.bool() {
		v := &verdictRec{handoff: r.time(), verdict: r.label()}
		if r.err != nil {
			return
		}
		if n := r.count(); n > 0 {
			v.fired = make([]string, n)
			for i := range v.fired {
				v.fired[i] = r.str()
				if b.model.Rule(v.fired[i]) == nil {
					r.fail(fmt.Errorf("a record names a rule %q the model does not have", v.fired[i]))
				}
			}
		}
		v.loose = r.label()
		m.v = v
	}
}

// knows reports whether a grade and a stage are the model's ("" for none).
func (b *Backtest) knows(grade, stage string) bool {
	ok := grade == ""
	for _, g := range b.model.Grades {
		ok = ok || g.Name == grade
	}
	if !ok || stage == "" {
		return ok
	}
	for _, s := range b.model.Stages {
		if s.ID == stage {
			return true
		}
	}
	return false
}

// stateWriter appends a state's values.
type stateWriter struct{ buf []byte }

func (w *stateWriter) byte(c byte)   { w.buf = append(w.buf, c) }
func (w *stateWriter) uint(n uint64) { w.buf = binary.AppendUvarint(w.buf, n) }
func (w *stateWriter) int(n int64)   { w.buf = binary.AppendVarint(w.buf, n) }
func (w *stateWriter) float(f float64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(f))
}
func (w *stateWriter) str(s string) { w.uint(uint64(len(s))); w.buf = append(w.buf, s...) }

func (w *stateWriter) bool(v bool) {
	if v {
		w.byte(1)
	} else {
		w.byte(0)
	}
}

// time keeps the instant to the nanosecond and its zone's offset (not
// the zone's name: what the reports print of a time is its date and
// offset).
func (w *stateWriter) time(t time.Time) {
	if t.IsZero() {
		w.byte(0)
		return
	}
	w.byte(1)
	_, off := t.Zone()
	w.int(t.Unix())
	w.uint(uint64(t.Nanosecond()))
	w.int(int64(off))
}

func (w *stateWriter) label(l feedback.Label) {
	w.str(string(l.Status))
	w.str(l.Reason)
	w.time(l.At)
}

// stateReader reads a state's values; the first error sticks, and every
// read after it gives a zero value.
type stateReader struct {
	buf []byte
	err error
}

var errShort = errors.New("the state is cut short")

func (r *stateReader) byte() byte {
	if r.err != nil || len(r.buf) == 0 {
		r.fail(errShort)
		return 0
	}
	c := r.buf[0]
	r.buf = r.buf[1:]
	return c
}

func (r *stateReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *stateReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.buf)
	if k <= 0 {
		r.fail(errShort)
		return 0
	}
	r.buf = r.buf[k:]
	return n
}

func (r *stateReader) int() int64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Varint(r.buf)
	if k <= 0 {
		r.fail(errShort)
		return 0
	}
	r.buf = r.buf[k:]
	return n
}

// count is a length, which cannot be more than the bytes left (every
// element takes one at least): a corrupt length fails instead of
// allocating without end.
func (r *stateReader) count() int {
	n := r.uint()
	if n > uint64(len(r.buf)) {
		r.fail(errShort)
		return 0
	}
	return int(n)
}

func (r *stateReader) float() float64 {
	if r.err != nil || len(r.buf) < 8 {
		r.fail(errShort)
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.buf))
	r.buf = r.buf[8:]
	return f
}

// finite is a float that is a number and not infinite, as every figure a
// record keeps is.
func (r *stateReader) finite() float64 {
	f := r.float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		r.fail(errors.New("a number in the state is not finite"))
		return 0
	}
	return f
}

func (r *stateReader) str() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	s := string(r.buf[:n])
	r.buf = r.buf[n:]
	return s
}

func (r *stateReader) bool() bool { return r.byte() == 1 }

func (r *stateReader) time() time.Time {
	if r.byte() == 0 {
		return time.Time{}
	}
	sec, nsec, off := r.int(), r.uint(), r.int()
	if nsec >= 1e9 || off < -24*3600 || off > 24*3600 {
		r.fail(errors.New("a time in the state is out of range"))
	}
	if r.err != nil {
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", int(off)))
}

func (r *stateReader) label() feedback.Label {
	return feedback.Label{Status: scoring.Status(r.str()), Reason: r.str(), At: r.time()}
}
