package pipelines

import (
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
	register.DoFn9x1[context.Context, beam.EventTime, state.Provider, timers.Provider, string, string, func(string), func(string), func(DeadLetter), error](&streamFn{})
	register.Emitter1[string]()
	register.DoFn3x0[Row, func(beam.EventTime, string), func(DeadLetter)](&stampFn{})
	register.Emitter2[beam.EventTime, string]()
}

// Streaming is what a streaming pipeline needs.
type Streaming struct {
	Model Model
	// Until, when not zero, ends the run: no re-check is set after it,
	// and as the watermark passes it each lead's result as of Until is
	// written to Results (a lead with events after Until fails there).
	Until time.Time
	// Window is how many applied ids each lead keeps to skip a line
	// delivered again (0: stream.DefaultWindow), as `leadscore stream`.
	Window int
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
	// DeadLetters holds the lines that failed, and the leads that could
	// not be re-checked or scored as of Until.
	DeadLetters beam.PCollection // DeadLetter
}

// Stream keeps every lead's score current as its lines arrive, as
// `leadscore stream` does: lines are events, field updates and verdicts
// in the shapes that command reads, each element's event time being the
// line's time (see StampLines). The lines are keyed by lead id; each
// lead's stored state (stream.Lead: the stream.State, fields, verdicts,
// applied ids and standing) is kept in Beam value state, and its next
// re-check (State.NextChange) is an event-time timer, which fires as the
// watermark passes it. A line whose id the lead already applied is
// skipped, and late lines are taken as `leadscore stream` takes them:
// the result is the same whatever the order of arrival.
func Stream(s beam.Scope, cfg Streaming, lines beam.PCollection) Streamed {
	s = s.Scope("Stream")
	keyed, badKeys := beam.ParDo2(s, &keyLineFn{}, lines)
	window := cfg.Window
	if window <= 0 {
		window = stream.DefaultWindow
	}
	fn := &streamFn{Model: cfg.Model, Window: window,
		Lead:    state.MakeValueState[string]("lead"),
		Recheck: timers.InEventTime("recheck"),
		Final:   timers.InEventTime("final")}
	if !cfg.Until.IsZero() {
		fn.Until = cfg.Until.Format(time.RFC3339Nano)
	}
	changes, results, bad := beam.ParDo3(s, fn, keyed)
	return Streamed{Changes: changes, Results: results, DeadLetters: beam.Flatten(s, badKeys, bad)}
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
	// Clock is the latest time the lead was scored as of.
	Clock time.Time `json:"clock,omitzero"`
	// Seq counts the lead's changes.
	Seq int `json:"seq"`
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

type streamFn struct {
	Model  Model
	Until  string
	Window int

	Lead    state.Value[string]
	Recheck timers.EventTime
	Final   timers.EventTime

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

func (f *streamFn) load(ls *leadState) (*stream.State, error) {
	if ls.Lead.State == nil {
		return f.sc.NewState(ls.Lead.ID), nil
	}
	return f.sc.Load(ls.Lead.State)
}

// ProcessElement applies one line to its lead, as `leadscore stream` does.
func (f *streamFn) ProcessElement(ctx context.Context, ts beam.EventTime, sp state.Provider, tp timers.Provider, leadID, line string,
	changes, results func(string), dead func(DeadLetter)) error {
	ls, found, err := f.read(sp)
	if err != nil {
		return err
	}
	if !found {
		ls.Lead.ID = leadID
		if !f.until.IsZero() {
			f.Final.Set(tp, f.until)
		}
	}
	st, cause, id, err := f.apply(ls, line)
	if err == nil && st != nil {
		if t := mtime.Time(ts); t > mtime.MinTimestamp && t.ToTime().After(ls.Clock) {
			ls.Clock = t.ToTime()
		}
		if st.Latest().After(ls.Clock) {
			ls.Clock = st.Latest()
		}
		err = f.evaluate(ctx, tp, ls, st, ls.Clock, cause, id, changes)
	}
	if err != nil {
		var le lineError
		if !errors.As(err, &le) {
			return err
		}
		dead(DeadLetter{LeadID: leadID, Error: fmt.Sprintf("lead %s: %v", leadID, err), Row: line})
		return nil
	}
	if st == nil { // a duplicate
		return nil
	}
	return f.write(sp, ls)
}

func (f *streamFn) write(sp state.Provider, ls *leadState) error {
	data, err := json.Marshal(ls)
	if err != nil {
		return err
	}
	return f.Lead.Write(sp, string(data))
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
	if id != "" && ls.Lead.Seen(id) {
		return nil, "", "", nil
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
		ls.Lead.Apply(id, f.Window)
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
// sets its next re-check; a lead with no fields yet is not scored.
func (f *streamFn) evaluate(ctx context.Context, tp timers.Provider, ls *leadState, st *stream.State, at time.Time, cause, id string, changes func(string)) error {
	l := &ls.Lead
	l.Next = time.Time{}
	if l.Fields == nil || at.IsZero() {
		return nil
	}
	fields, err := fieldsOf(l)
	if err != nil {
		return bad("%v", err)
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
		f.Recheck.Set(tp, ceilMilli(next))
	} else {
		f.Recheck.Clear(tp)
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

// OnTimer runs the lead's re-check at its NextChange time, or writes its
// result as of Until.
func (f *streamFn) OnTimer(ctx context.Context, ts beam.EventTime, sp state.Provider, tp timers.Provider, leadID string, timer timers.Context,
	changes, results func(string), dead func(DeadLetter)) error {
	ls, found, err := f.read(sp)
	if err != nil || !found {
		return err
	}
	st, err := f.load(ls)
	if err != nil {
		dead(DeadLetter{LeadID: leadID, Error: fmt.Sprintf("lead %s: %v", leadID, err)})
		return nil
	}
	switch timer.Family {
	case f.Final.Family:
		line, err := f.final(ctx, ls, st)
		if err != nil {
			dead(DeadLetter{LeadID: leadID, Error: fmt.Sprintf("lead %s: as of %s: %v", leadID, f.Until, err)})
			return nil
		}
		results(line)
		return nil
	case f.Recheck.Family:
		if ls.Lead.Next.IsZero() {
			return nil
		}
		at := ls.Lead.Next
		if at.After(ls.Clock) {
			ls.Clock = at
		}
		if err := f.evaluate(ctx, tp, ls, st, at, "recheck", "", changes); err != nil {
			var le lineError
			if !errors.As(err, &le) {
				return err
			}
			dead(DeadLetter{LeadID: leadID, Error: fmt.Sprintf("lead %s: the re-check at %s: %v", leadID, at.Format(time.RFC3339Nano), err)})
		}
		return f.write(sp, ls)
	}
	return fmt.Errorf("lead %s: unknown timer %q", leadID, timer.Family)
}

// final is the lead's result as of Until, as score writes it.
func (f *streamFn) final(ctx context.Context, ls *leadState, st *stream.State) (string, error) {
	if ls.Lead.Fields == nil {
		return "", errors.New("no fields were given for it")
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
