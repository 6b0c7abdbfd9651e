package pipelines

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/graph/mtime"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/state"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/core/timers"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

func init() {
	register.DoFn4x0[beam.EventTime, string, func(beam.EventTime, string, string), func(DeadLetter)](&keyLineFn{})
	register.Emitter3[beam.EventTime, string, string]()
	register.DoFn10x1[context.Context, beam.EventTime, state.Provider, timers.Provider, string, string, func(string), func(string), func(DeadLetter), func(DeadLetter), error](&streamFn{})
	register.Emitter1[string]()
	register.DoFn3x0[Row, func(beam.EventTime, string), func(DeadLetter)](&stampFn{})
	register.Emitter2[beam.EventTime, string]()
}

// Streaming is what a streaming pipeline needs.
type Streaming struct {
	Model Model
	// Until, when not zero, ends the run: no line after it is taken (each
	// goes to the dead letters), no re-check is set after it, and as the
	// watermark passes it each lead's result as of Until is written to
	// Results.
	Until time.Time
	// Window is how many applied ids each lead keeps to skip a line
	// delivered again (0: stream.DefaultWindow), as `leadscore stream`.
	Window int
	// AllowedLateness is how far behind its lead's clock (the time of the
	// last line or re-check the lead was scored at) a line may arrive and
	// still be applied: an event or verdict that late is applied (its
	// lead's result counts it, scored as of the lead's clock); one later
	// than that, and a field update behind the lead's clock at all, goes
	// to Late, counted, and is not applied.
	AllowedLateness time.Duration
}

// Streamed is what Stream gives.
type Streamed struct {
	// Changes holds one NDJSON line per change of a lead's stage, grade
	// or sales-readiness, as `leadscore stream` writes them, but with seq
	// counted per lead (from 1), as there is no global order.
	Changes beam.PCollection // string
	// Results holds each lead's result as of Streaming.Until, the line
	// `leadscore score` writes for it; empty when Until is zero.
	Results beam.PCollection // string
	// Late holds the lines that arrived too late to be applied (see
	// Streaming.AllowedLateness), each with the reason; the counter
	// leadscore/stream_late counts them.
	Late beam.PCollection // DeadLetter
	// DeadLetters holds the lines that failed, and the leads that could
	// not be re-checked or scored as of Until.
	DeadLetters beam.PCollection // DeadLetter
}

// Stream keeps every lead's score current as its lines arrive, as
// `leadscore stream` does: lines are events, field updates and verdicts
// in the shapes that command reads, each element's event time being the
// line's time (see StampLines). The lines are keyed by lead id. A lead's
// lines wait in bag state until the watermark passes their time, and are
// then applied in time order, on one event-time timer set at the earliest
// line waiting or the lead's next re-check (State.NextChange), whichever
// comes first: the order they arrive in does not matter. What the lead
// has (stream.Lead: its stream.State, fields, verdicts, applied ids and
// standing) is kept in value state. A line whose id the lead already
// applied is skipped (counted by leadscore/stream_duplicates); a line
// behind the lead's clock is late (see Streaming.AllowedLateness).
func Stream(s beam.Scope, cfg Streaming, lines beam.PCollection) Streamed {
	s = s.Scope("Stream")
	keyed, badKeys := beam.ParDo2(s, &keyLineFn{}, lines)
	window := cfg.Window
	if window <= 0 {
		window = stream.DefaultWindow
	}
	fn := &streamFn{Model: cfg.Model, Window: window, Lateness: int64(cfg.AllowedLateness),
		Lead:    state.MakeValueState[string]("lead"),
		Pending: state.MakeBagState[string]("pending"),
		Wake:    timers.InEventTime("wake")}
	if !cfg.Until.IsZero() {
		fn.Until = cfg.Until.Format(time.RFC3339Nano)
	}
	changes, results, late, bad := beam.ParDo4(s, fn, keyed)
	return Streamed{Changes: changes, Results: results, Late: late, DeadLetters: beam.Flatten(s, badKeys, bad)}
}

// StampLines gives each line read from files (ReadLines) its time as the
// element's event time: an event's or a verdict's "at", a field update's
// "created_at" when it has one, else the start of time.
func StampLines(s beam.Scope, rows beam.PCollection) (lines, dead beam.PCollection) {
	return beam.ParDo2(s.Scope("StampLines"), &stampFn{}, rows)
}

type stampFn struct{}

func (*stampFn) ProcessElement(r Row, emit func(beam.EventTime, string), dead func(DeadLetter)) {
	var x struct {
		At     time.Time `json:"at"`
		Fields struct {
			CreatedAt time.Time `json:"created_at"`
		}
		Disposition struct {
			At time.Time `json:"at"`
		}
	}
	text := lineOf(r)
	if err := json.Unmarshal([]byte(text), &x); err != nil {
		dead(DeadLetter{File: r.File, Line: r.Line, Error: fmt.Sprintf("%s:%d: not a JSON object with times (%v)", r.File, r.Line, err), Row: r.Text})
		return
	}
	at := mtime.MinTimestamp
	for _, t := range []time.Time{x.At, x.Disposition.At, x.Fields.CreatedAt} {
		if !t.IsZero() {
			at = mtime.FromTime(t)
			break
		}
	}
	emit(at, text)
}

// keyLineFn keys a line by its lead id.
type keyLineFn struct{}

func (*keyLineFn) ProcessElement(ts beam.EventTime, line string, emit func(beam.EventTime, string, string), dead func(DeadLetter)) {
	var x struct {
		LeadID any `json:"lead_id"`
	}
	err := json.Unmarshal([]byte(line), &x)
	if err == nil {
		var ref scoring.Lead
		if ref, err = scoring.LeadFromMap(map[string]any{"id": x.LeadID}); err == nil && ref.ID != "" {
			emit(ts, ref.ID, line)
			return
		}
	}
	dead(DeadLetter{Error: `want a JSON object with the lead's id as "lead_id", text or a number`, Row: line})
}

// leadState is what the value state holds for a lead.
type leadState struct {
	Lead stream.Lead `json:"lead"`
	// Clock is the latest time the lead was scored as of: a line behind
	// it is late.
	Clock time.Time `json:"clock,omitzero"`
	// Seq counts the lead's changes.
	Seq int `json:"seq"`
	// Wake is when the lead's wake timer is set for (Unix milliseconds,
	// 0 when it is not set).
	Wake int64 `json:"wake,omitempty"`
	// Final is true once the timer for its result as of Until is set,
	// Done once that result is written: a line after it is late.
	Final bool `json:"final,omitempty"`
	Done  bool `json:"done,omitempty"`
}

// waiting is a line in the bag state, waiting for the watermark to pass
// its time.
type waiting struct {
	At   int64  `json:"at"` // event time, Unix milliseconds
	Line string `json:"line"`
}

// change is a change line.
type change struct {
	Seq    int              `json:"seq"`
	LeadID string           `json:"lead_id"`
	At     time.Time        `json:"at"`
	Cause  string           `json:"cause"`
	ID     string           `json:"id,omitempty"`
	From   *stream.Standing `json:"from"`
	Result scoring.Row      `json:"result"`
}

// The counters of a stream.
var (
	lateLines      = beam.NewCounter("leadscore", "stream_late")
	duplicateLines = beam.NewCounter("leadscore", "stream_duplicates")
)

// finalTag tags the wake timer that writes the lead's result as of Until.
// The lead's lines and re-checks use the untagged timer of the same family:
// the Go SDK of Beam 2.77 can hang a bundle whose DoFn has two timer
// families (docs/guide/beam.md), so there is one.
const finalTag = "final"

type streamFn struct {
	Model    Model
	Until    string
	Window   int
	Lateness int64 // nanoseconds

	Lead    state.Value[string]
	Pending state.Bag[string]
	Wake    timers.EventTime

	m     *rules.Model
	s     *scoring.Scorer
	sc    *stream.Scorer
	until time.Time
}

func (f *streamFn) Setup() (err error) {
	if f.m, err = f.Model.compile(); err != nil {
		return fmt.Errorf("compiling the model %s on a worker: %v", f.Model.Name, err)
	}
	f.s = scoring.New(f.m)
	f.sc = stream.New(f.s)
	if f.Until != "" {
		f.until, err = time.Parse(time.RFC3339Nano, f.Until)
	}
	return err
}

func (f *streamFn) read(sp state.Provider) (*leadState, bool, error) {
	data, ok, err := f.Lead.Read(sp)
	if err != nil || !ok {
		return &leadState{}, false, err
	}
	var ls leadState
	return &ls, true, json.Unmarshal([]byte(data), &ls)
}

func (f *streamFn) write(sp state.Provider, ls *leadState) error {
	data, err := json.Marshal(ls)
	if err != nil {
		return err
	}
	return f.Lead.Write(sp, string(data))
}

func (f *streamFn) load(ls *leadState) (*stream.State, error) {
	if ls.Lead.State == nil {
		return f.sc.NewState(ls.Lead.ID), nil
	}
	return f.sc.Load(ls.Lead.State)
}

// ProcessElement takes one line of a lead: it waits in the bag state for
// the watermark to pass its time, unless it has no time (applied at
// once) or is late (behind the lead's clock: applied at once when within
// the allowed lateness, else sent to Late).
func (f *streamFn) ProcessElement(ctx context.Context, ts beam.EventTime, sp state.Provider, tp timers.Provider, leadID, line string,
	changes, results func(string), late, dead func(DeadLetter)) error {
	ls, found, err := f.read(sp)
	if err != nil {
		return err
	}
	if !found {
		ls.Lead.ID = leadID
	}
	if !f.until.IsZero() && !ls.Final {
		f.Wake.Set(tp, f.until, timers.WithTag(finalTag))
		ls.Final = true
	}
	at := mtime.Time(ts)
	switch {
	case ls.Done:
		lateLines.Inc(ctx, 1)
		late(DeadLetter{LeadID: leadID, Error: fmt.Sprintf("lead %s: the line arrived after the lead's result as of %s was written (the watermark had passed it), so it is not applied", leadID, f.Until), Row: line})
		return nil
	case at > mtime.MinTimestamp && !f.until.IsZero() && at.ToTime().After(f.until):
		dead(DeadLetter{LeadID: leadID, Error: fmt.Sprintf("lead %s: the line's time %s is after the end of the run (Until %s): it is not applied", leadID, at.ToTime().UTC().Format(time.RFC3339Nano), f.Until), Row: line})
	case at > mtime.MinTimestamp && !at.ToTime().Before(ls.Clock):
		// In time: it waits for the watermark.
		data, err := json.Marshal(waiting{At: int64(at), Line: line})
		if err != nil {
			return err
		}
		if err := f.Pending.Add(sp, string(data)); err != nil {
			return err
		}
		if ls.Wake == 0 || int64(at) < ls.Wake {
			f.Wake.Set(tp, at.ToTime())
			ls.Wake = int64(at)
		}
	default:
		// No time, or behind the lead's clock.
		if err := f.applyLate(ctx, ls, at, line, changes, late, dead); err != nil {
			return err
		}
	}
	return f.write(sp, ls)
}

// applyLate applies at once a line with no time or behind the lead's
// clock, or sends it to Late.
func (f *streamFn) applyLate(ctx context.Context, ls *leadState, at mtime.Time, line string, changes func(string), late, dead func(DeadLetter)) error {
	leadID := ls.Lead.ID
	if at > mtime.MinTimestamp {
		behind := ls.Clock.Sub(at.ToTime())
		kind := lineKind(line)
		reason := ""
		switch {
		case kind == "fields":
			reason = "a field update behind the lead's clock would overwrite newer values"
		case int64(behind) > f.Lateness:
			reason = fmt.Sprintf("beyond the allowed lateness (%s)", time.Duration(f.Lateness))
		}
		if reason != "" {
			if id, sum := lineIDSum(line); id != "" {
				if seen, other := ls.Lead.SeenAs(id, sum); other {
					return f.take(ctx, ls, ls.Clock, line, changes, dead) // refused there, as the command line refuses it
				} else if seen {
					duplicateLines.Inc(ctx, 1)
					return nil
				}
			}
			lateLines.Inc(ctx, 1)
			late(DeadLetter{LeadID: leadID, Error: fmt.Sprintf("lead %s: late by %s: the line's time is %s, the lead was scored up to %s; %s, so it is not applied",
				leadID, behind, at.ToTime().UTC().Format(time.RFC3339Nano), ls.Clock.Format(time.RFC3339Nano), reason), Row: line})
			return nil
		}
	}
	return f.take(ctx, ls, ls.Clock, line, changes, dead)
}

// take applies a line to the lead and scores it as of at (or its latest
// event, when later); a line that fails goes to the dead letters.
func (f *streamFn) take(ctx context.Context, ls *leadState, at time.Time, line string, changes func(string), dead func(DeadLetter)) error {
	st, cause, id, err := f.apply(ls, line)
	if err == nil && st == nil { // applied already
		duplicateLines.Inc(ctx, 1)
		return nil
	}
	if err == nil {
		if at.After(ls.Clock) {
			ls.Clock = at
		}
		if st.Latest().After(ls.Clock) {
			ls.Clock = st.Latest()
		}
		err = f.evaluate(ctx, ls, st, ls.Clock, cause, id, changes)
	}
	if err != nil {
		var le lineError
		if !errors.As(err, &le) {
			return err
		}
		dead(DeadLetter{LeadID: ls.Lead.ID, Error: fmt.Sprintf("lead %s: %v", ls.Lead.ID, err), Row: line})
	}
	return nil
}

// lineKind is "fields", "disposition" or "event", as apply reads a line.
func lineKind(line string) string {
	var x struct {
		Fields      json.RawMessage `json:"fields"`
		Disposition json.RawMessage `json:"disposition"`
	}
	json.Unmarshal([]byte(line), &x)
	switch {
	case x.Fields != nil:
		return "fields"
	case x.Disposition != nil:
		return "disposition"
	}
	return "event"
}

// lineIDSum is the line's id as apply reads it and the sum of its
// content (stream.ContentSum); "" when it has none.
func lineIDSum(line string) (string, uint64) {
	var obj map[string]any
	if json.Unmarshal([]byte(line), &obj) != nil || obj["id"] == nil {
		return "", 0
	}
	ref, err := scoring.LeadFromMap(map[string]any{"id": obj["id"]})
	if err != nil {
		return "", 0
	}
	return ref.ID, stream.ContentSum(obj)
}

// lineError is the error of one line or lead, which goes to the dead
// letters; other errors fail the bundle.
type lineError struct{ error }

func bad(format string, a ...any) error { return lineError{fmt.Errorf(format, a...)} }

// apply takes the line into the lead; it returns a nil state for a line
// already applied.
func (f *streamFn) apply(ls *leadState, line string) (st *stream.State, cause, id string, err error) {
	var obj map[string]any
	if err := json.Unmarshal([]byte(line), &obj); err != nil || obj == nil {
		return nil, "", "", bad("not a JSON object: each line is one event, field update or verdict")
	}
	if v, ok := obj["id"]; ok {
		x, err := scoring.LeadFromMap(map[string]any{"id": v})
		if err != nil || x.ID == "" {
			return nil, "", "", bad(`"id": want the line's id as text or a number`)
		}
		id = x.ID
	}
	delete(obj, "lead_id")
	delete(obj, "id")
	fields, hasFields := obj["fields"]
	verdict, hasVerdict := obj["disposition"]
	cause = "event"
	switch {
	case hasFields && hasVerdict:
		return nil, "", "", bad(`a line holds "fields" or "disposition", not both`)
	case hasFields:
		cause = "fields"
	case hasVerdict:
		cause = "disposition"
	case id == "":
		return nil, "", "", bad(`the event has no "id": give each event an id, unique for its lead, so that an event delivered twice is applied once`)
	}
	var sum uint64 // of a line with an id: what its id was applied with
	if id != "" {
		sum = stream.ContentSum(obj)
		if seen, other := ls.Lead.SeenAs(id, sum); other {
			return nil, "", "", lineError{stream.OtherContentError(ls.Lead.ID, id)}
		} else if seen {
			return nil, "", "", nil
		}
	}
	if st, err = f.load(ls); err != nil {
		return nil, "", "", bad("%v", err)
	}
	switch cause {
	case "event":
		e, err := rules.EventFromMap(obj)
		if err != nil {
			return nil, "", "", bad("event: %v", err)
		}
		if err := st.Add(e); err != nil {
			return nil, "", "", bad("%v", err)
		}
		if ls.Lead.State, err = st.Marshal(); err != nil {
			return nil, "", "", bad("%v", err)
		}
	case "disposition":
		x, err := scoring.LeadFromMap(map[string]any{"dispositions": []any{verdict}})
		if err != nil {
			return nil, "", "", bad("%v", err)
		}
		d := x.Dispositions[0]
		if slices.Contains(ls.Lead.Dispositions, d) {
			return nil, "", "", nil
		}
		if h := f.m.Handoff; h != nil && len(h.ResetTypes) > 0 && d.Status == scoring.Recycled {
			return nil, "", "", bad("disposition: a recycle cannot be streamed under this model: its recycle policy resets %s events", strings.Join(h.ResetTypes, ", "))
		}
		ds := append(slices.Clone(ls.Lead.Dispositions), d)
		if err := f.s.CheckDispositions(ds); err != nil {
			return nil, "", "", bad("%v", err)
		}
		ls.Lead.Dispositions = ds
	case "fields":
		update, ok := fields.(map[string]any)
		if !ok {
			return nil, "", "", bad(`"fields": want an object of the lead's fields`)
		}
		merged := map[string]any{}
		if ls.Lead.Fields != nil {
			if err := json.Unmarshal(ls.Lead.Fields, &merged); err != nil {
				return nil, "", "", bad("its stored fields cannot be read (%v)", err)
			}
		}
		for k, v := range update {
			merged[k] = v
		}
		if ls.Lead.Fields, err = json.Marshal(merged); err != nil {
			return nil, "", "", bad("%v", err)
		}
	}
	if id != "" {
		ls.Lead.ApplySum(id, sum, f.Window)
	}
	return st, cause, id, nil
}

// fieldsOf returns the lead's fields as score reads them.
func fieldsOf(l *stream.Lead) (any, error) {
	var obj map[string]any
	if err := json.Unmarshal(l.Fields, &obj); err != nil {
		return nil, err
	}
	x, err := scoring.LeadFromMap(obj)
	return x.Fields, err
}

// evaluate scores the lead as of at, emits a change of its standing and
// sets its next re-check (Lead.Next); a lead with no fields yet is not
// scored.
func (f *streamFn) evaluate(ctx context.Context, ls *leadState, st *stream.State, at time.Time, cause, id string, changes func(string)) error {
	l := &ls.Lead
	l.Next = time.Time{}
	if l.Fields == nil || at.IsZero() {
		return nil
	}
	fields, err := fieldsOf(l)
	if err != nil {
		return bad("%v", err)
	}
	if l.Standing == nil && f.sc.MissingRequired(l.ID, fields) != nil {
		// A lead given in parts, its required fields still to come: kept,
		// unscored, as leadscore stream keeps it.
		return nil
	}
	res, err := st.ScoreWithDispositions(ctx, fields, l.Dispositions, at)
	if err != nil {
		return bad("%v", err)
	}
	if now := stream.StandingOf(res); l.Standing == nil || *l.Standing != now {
		ls.Seq++
		line, err := json.Marshal(change{Seq: ls.Seq, LeadID: l.ID, At: at, Cause: cause, ID: id, From: l.Standing, Result: res.Row()})
		if err != nil {
			return err
		}
		changes(string(line))
		l.Standing = &now
	}
	next, ok, err := st.NextChangeWithDispositions(ctx, fields, l.Dispositions, at)
	if err != nil {
		return bad("%v", err)
	}
	if ok && (f.until.IsZero() || !next.After(f.until)) {
		l.Next = next
	}
	return nil
}

// ceilMilli rounds t up to the millisecond, the resolution of event time,
// so that a timer does not fire before t.
func ceilMilli(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		return r.Add(time.Millisecond)
	}
	return t
}

// OnTimer releases the lead's lines and runs its re-checks up to the
// timer's time, in time order, or writes its result as of Until.
func (f *streamFn) OnTimer(ctx context.Context, ts beam.EventTime, sp state.Provider, tp timers.Provider, leadID string, timer timers.Context,
	changes, results func(string), late, dead func(DeadLetter)) error {
	ls, found, err := f.read(sp)
	if err != nil || !found {
		return err
	}
	switch timer.Tag {
	case "":
		if err := f.release(ctx, sp, tp, ls, mtime.Time(ts), changes, dead); err != nil {
			return err
		}
	case finalTag:
		// Lines and re-checks at Until come first.
		if err := f.release(ctx, sp, tp, ls, mtime.FromTime(f.until), changes, dead); err != nil {
			return err
		}
		ls.Done = true
		line, err := f.final(ctx, ls)
		if err != nil {
			dead(DeadLetter{LeadID: leadID, Error: fmt.Sprintf("lead %s: as of %s: %v", leadID, f.Until, err)})
		} else {
			results(line)
		}
	default:
		return fmt.Errorf("lead %s: unknown timer %q", leadID, timer.Tag)
	}
	return f.write(sp, ls)
}

// release applies, in time order, the lines waiting with a time at or
// before t and the re-checks due by then (a re-check due before a line's
// time runs before it, as in `leadscore stream`), then keeps the lines
// still waiting and sets the wake timer for the first of them or the next
// re-check.
func (f *streamFn) release(ctx context.Context, sp state.Provider, tp timers.Provider, ls *leadState, t mtime.Time,
	changes func(string), dead func(DeadLetter)) error {
	raw, _, err := f.Pending.Read(sp)
	if err != nil {
		return err
	}
	lines := make([]waiting, 0, len(raw))
	for _, r := range raw {
		var w waiting
		if err := json.Unmarshal([]byte(r), &w); err != nil {
			return fmt.Errorf("lead %s: a waiting line cannot be read: %v", ls.Lead.ID, err)
		}
		lines = append(lines, w)
	}
	slices.SortStableFunc(lines, func(a, b waiting) int { return cmp.Compare(a.At, b.At) })
	i := 0
	for {
		next := ls.Lead.Next
		due := !next.IsZero() && int64(mtime.FromTime(ceilMilli(next))) <= int64(t)
		if due && (i == len(lines) || next.Before(mtime.Time(lines[i].At).ToTime())) {
			if err := f.recheck(ctx, ls, changes, dead); err != nil {
				return err
			}
			continue
		}
		if i < len(lines) && lines[i].At <= int64(t) {
			if err := f.take(ctx, ls, mtime.Time(lines[i].At).ToTime(), lines[i].Line, changes, dead); err != nil {
				return err
			}
			i++
			continue
		}
		break
	}
	if i > 0 {
		if err := f.Pending.Clear(sp); err != nil {
			return err
		}
		for _, w := range lines[i:] {
			data, err := json.Marshal(w)
			if err != nil {
				return err
			}
			if err := f.Pending.Add(sp, string(data)); err != nil {
				return err
			}
		}
	}
	wake := int64(0)
	if i < len(lines) {
		wake = lines[i].At
	}
	if next := ls.Lead.Next; !next.IsZero() {
		if r := int64(mtime.FromTime(ceilMilli(next))); wake == 0 || r < wake {
			wake = r
		}
	}
	// The timer is never cleared: the Go SDK of Beam 2.77 fires a timer
	// cleared while another timer of the key is being fired, and a clear
	// there loops (docs/guide/beam.md). A timer that is no longer needed
	// fires and finds nothing due.
	if wake != 0 && wake != ls.Wake {
		f.Wake.Set(tp, mtime.Time(wake).ToTime())
	}
	ls.Wake = wake
	return nil
}

// recheck scores the lead at its re-check time (Lead.Next); a re-check
// that fails goes to the dead letters, and the lead waits for its next line.
func (f *streamFn) recheck(ctx context.Context, ls *leadState, changes func(string), dead func(DeadLetter)) error {
	at := ls.Lead.Next
	if at.After(ls.Clock) {
		ls.Clock = at
	}
	st, err := f.load(ls)
	if err != nil {
		err = bad("%v", err)
	} else {
		err = f.evaluate(ctx, ls, st, at, "recheck", "", changes)
	}
	if err != nil {
		var le lineError
		if !errors.As(err, &le) {
			return err
		}
		ls.Lead.Next = time.Time{}
		dead(DeadLetter{LeadID: ls.Lead.ID, Error: fmt.Sprintf("lead %s: the re-check at %s: %v", ls.Lead.ID, at.Format(time.RFC3339Nano), err)})
	}
	return nil
}

// final is the lead's result as of Until, as score writes it.
func (f *streamFn) final(ctx context.Context, ls *leadState) (string, error) {
	if ls.Lead.Fields == nil {
		return "", errors.New("no fields were given for it")
	}
	st, err := f.load(ls)
	if err != nil {
		return "", err
	}
	fields, err := fieldsOf(&ls.Lead)
	if err != nil {
		return "", err
	}
	res, err := st.ScoreWithDispositions(ctx, fields, ls.Lead.Dispositions, f.until)
	if err != nil {
		return "", err
	}
	line, err := json.Marshal(res.Row())
	return string(line), err
}
