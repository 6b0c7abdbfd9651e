// Package stream keeps leads' scores current as their events arrive one at a
// time (from a queue consumer or a webhook), without keeping or re-scoring
// each lead's whole history.
//
// A State holds, for one lead, only what the model's rules can still use:
// for each event rule and event gate the events that can still count
// (bounded by its `limit` and `within`), and the running values of the
// event aggregates expressions read (events(), daysSinceLast()). State.Add
// takes one event, in any order: a late event (older than events already
// taken) is placed where it belongs. State.Score gives the result as of any
// time not before the latest event taken, and it is the very result
// scoring.Scorer.Score gives for the lead with every event taken: the
// state's result is computed by the same evaluation, on the events it kept
// and the aggregates it counted.
//
// # What a state keeps
//
// An event rule's condition that reads only the event (event.url contains
// "/pricing") is evaluated once, when the event arrives: an event it refuses
// is dropped, and of those it accepts the state keeps the `limit` most
// recent (one for a gate) that are within `within` of the latest event. A
// condition that reads no event (only lead fields, defines or the clock)
// is the same for every event of one score, so the `limit` most recent
// events of its types are kept. A condition that reads the event and the
// lead both (event.campaign == source) can be decided only when the lead is
// scored: the state keeps every event of its types within `within`, and
// every one of them when the rule has no `within`, for which leadscore check
// --strict warns (see rules.Model.Horizon).
//
// Lead fields are not part of a state: they are given to each Score, and
// may change from one call to the next (an enrichment, a new title); the
// lead-dependent conditions are evaluated then, on the events kept, so the
// result is that of the lead's current fields with all its events.
//
// # Sales' dispositions
//
// Dispositions are given to each score, as lead fields are
// (ScoreWithDispositions): acceptances, rejections and a recycle's hold-down
// give the result scoring.Scorer.Score gives. A recycle that resets events
// (a model whose recycle policy has resets) is refused with an error: the
// state cannot take out the events it already counted, so such a lead is
// scored with scoring.Scorer.Score over its history.
//
// # Time, re-checks and storage
//
// A state scores as of its latest event or later (ErrBeforeLatest
// otherwise): it drops what cannot count from then on. Scores change with
// no event too, as windows expire and decay ages events: NextChange says
// when the stage or grade will next change, for one scheduled re-check.
// Marshal and Scorer.Load store a state between events (versioned JSON)
// with a fingerprint of the model parts its content depends on; a state
// stored under other event rules is refused (ErrModelChanged) and must be
// rebuilt from the lead's events. Load verifies a state against the
// invariants Add keeps and refuses one no sequence of events makes
// (ErrDamaged), and reads at most WithMaxStateBytes.
//
// # Accounts
//
// For a model with an accounts section, Accounts keeps accounts' results
// current beside the leads': it matches each lead to its account at each
// of its lines (Accounts.Take), keeps each account's people in the Store
// (an AccountTx), and re-scores the account as
// scoring.AccountScorer.ScoreAccount would with every person matched to
// it and all their events; Account.Next is its one re-check
// (Accounts.Recheck).
//
// # Unknown data
//
// Result.Unknown names only unknown lead fields (the state keeps only the
// event fields the model declares); check events as they arrive with
// scoring.Scorer.Unknown.
package stream

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Scorer makes and scores the states of one model's leads. It is safe for
// concurrent use; the states it makes are not (one goroutine per lead, or a
// lock per lead).
type Scorer struct {
	s     *scoring.Scorer
	quiet *scoring.Scorer // s ignoring unknown data, for NextChange's probes
	m     *rules.Model

	aggs       []rules.EventAggregate
	aggsByType map[string][]int
	windowed   []int // slots of the windowed event counts

	rules  []*rules.Rule // event rules and gates: a state's rule slots
	byType map[string][]int
	kind   []kind
	keep   []int // by rule slot: how many most recent kept events can count; 0: all

	declared    map[string]bool // event keys the model declares
	fingerprint string
	horizon     rules.Horizon
	readsClock  bool      // an expression reads the as-of time
	monotone    bool      // stage and grade move one way only with time (see monotone)
	maxState    int       // the largest stored state Load reads, in bytes
	pool        sync.Pool // matcher
}

// kind is when an event rule's condition can be decided.
type kind uint8

const (
	onArrival kind = iota // reads only the event, or nothing: decided when the event arrives
	perScore              // reads no event: the same for every event of one score
	perEvent              // reads the event and the lead: decided per event at each score
)

// matcher is what a Scorer needs of the rules package's evaluator to decide
// conditions that read only the event.
type matcher interface {
	Begin(asOf time.Time, events []rules.Event)
	ResetBudget()
	SetEvent(e *rules.Event) error
	Bool(x *rules.Expr) (bool, error)
}

// New returns a Scorer for the model of s; the states' results are those of
// s (with its options, such as scoring.WithUnknownData).
func New(s *scoring.Scorer, opts ...Option) *Scorer {
	m := s.Model()
	sc := &Scorer{s: s, quiet: scoring.New(m, scoring.WithUnknownData(scoring.IgnoreUnknown)), m: m, aggs: m.EventAggregates(), aggsByType: map[string][]int{}, byType: map[string][]int{}, declared: map[string]bool{}}
	for k, a := range sc.aggs {
		sc.aggsByType[a.Type] = append(sc.aggsByType[a.Type], k)
		if !a.Last && a.Window > 0 {
			sc.windowed = append(sc.windowed, k)
		}
	}
	for _, r := range slices.Concat(m.Rules, m.Gates) {
		if !r.IsEvent() {
			continue
		}
		slot := len(sc.rules)
		sc.rules = append(sc.rules, r)
		for _, t := range r.Events {
			sc.byType[t] = append(sc.byType[t], slot)
		}
		reads := m.ConditionReads(r)
		k := onArrival
		switch {
		case reads.Event && reads.Lead:
			k = perEvent
		case reads.Lead:
			k = perScore
		}
		sc.kind = append(sc.kind, k)
		keep := r.Limit
		if r.IsGate() {
			keep = 1 // one match disqualifies
		}
		if k == perEvent {
			keep = 0
		}
		sc.keep = append(sc.keep, keep)
	}
	for _, f := range m.EventFields {
		sc.declared[f.Name] = true
		for i := range f.Name {
			if f.Name[i] == '.' {
				sc.declared[f.Name[:i]] = true // a nested field's group
			}
		}
	}
	sc.horizon = m.Horizon()
	sc.fingerprint = fingerprint(sc)
	sc.readsClock = s.Model().ReadsClock()
	sc.monotone = monotone(sc)
	sc.pool.New = func() any { return matcher(m.NewEvaluator(friend.K(), false)) }
	sc.maxState = DefaultMaxStateBytes
	for _, o := range opts {
		o(sc)
	}
	return sc
}

// Horizon returns how far back the model's events can matter.
func (sc *Scorer) Horizon() rules.Horizon { return sc.horizon }

// State is one lead's scoring state: the events its rules can still count
// and its event aggregates. The zero value is not usable: make one with
// Scorer.NewState or Scorer.Load. A State is not safe for concurrent use.
type State struct {
	sc    *Scorer
	id    string
	clock time.Time // the latest event taken
	added int       // events taken

	counts []int         // by aggregate slot: events counted (slots without a window)
	lasts  []time.Time   // by aggregate slot: the latest event (daysSinceLast)
	times  [][]time.Time // by aggregate slot: times of the events a window may still count, in order
	kept   [][]*entry    // by rule slot: the events that can still count, in time order
	gen    uint32        // marks entries already collected by a score
	events []rules.Event // the kept events, each once, in time order; nil: to collect
}

// entry is a kept event, shared by the rules that keep it.
type entry struct {
	e    rules.Event
	mark uint32
}

// NewState returns the empty state of the lead with the given id.
func (sc *Scorer) NewState(leadID string) *State {
	n := len(sc.aggs)
	return &State{sc: sc, id: leadID, counts: make([]int, n), lasts: make([]time.Time, n), times: make([][]time.Time, n), kept: make([][]*entry, len(sc.rules))}
}

// LeadID returns the id of the state's lead.
func (st *State) LeadID() string { return st.id }

// Latest returns the time of the latest event taken that a rule or an event
// aggregate reads (the zero time before the first): Score takes times from
// then on.
func (st *State) Latest() time.Time { return st.clock }

// Events returns how many events the state took.
func (st *State) Events() int { return st.added }

// Kept returns how many events the state holds (an event two rules keep
// counts once).
func (st *State) Kept() int {
	st.gen++
	n := 0
	for _, es := range st.kept {
		for _, x := range es {
			if x.mark != st.gen {
				x.mark = st.gen
				n++
			}
		}
	}
	return n
}

// Add takes one event of the lead, in any order. An event that cannot be
// read (a field of the wrong type, for a rule that reads it), or on which a
// rule's condition fails, is refused with an error saying why, and leaves
// the state as it was: a bad event fails alone. Event keys the model does
// not declare are dropped; an event of a type nothing reads is counted
// (Events) and otherwise ignored.
func (st *State) Add(e scoring.Event) error {
	sc := st.sc
	if e.At.IsZero() {
		return &scoring.Error{LeadID: st.id, Err: fmt.Errorf("event %s has no time (at); every event needs one, such as 2026-03-01T09:30:00Z", e.Type)}
	}
	slots := sc.byType[e.Type]
	if len(slots) == 0 && len(sc.aggsByType[e.Type]) == 0 {
		st.added++ // nothing reads it: it changes no result
		return nil
	}
	e.Fields = sc.declaredFields(e.Fields)
	// Decide the conditions that read only the event before changing anything.
	var refused []bool // by index in slots
	if needsEvent(sc, slots) {
		refused = make([]bool, len(slots))
		mt := sc.pool.Get().(matcher)
		defer sc.pool.Put(mt)
		mt.Begin(e.At, nil) // one budget of a whole score for the event's conditions together
		if err := mt.SetEvent(&e); err != nil {
			return &scoring.Error{LeadID: st.id, Err: err}
		}
		for i, slot := range slots {
			r := sc.rules[slot]
			if sc.kind[slot] != onArrival || r.When == nil {
				continue
			}
			ok, err := mt.Bool(r.When)
			if err != nil {
				return &scoring.Error{LeadID: st.id, Err: fmt.Errorf("event %s at %s: %w", e.Type, e.At.Format(time.RFC3339), err)}
			}
			refused[i] = !ok
		}
	}
	st.added++
	st.events = nil
	advanced := e.At.After(st.clock)
	if advanced {
		st.clock = e.At
	}
	for _, k := range sc.aggsByType[e.Type] {
		switch a := sc.aggs[k]; {
		case a.Last:
			if e.At.After(st.lasts[k]) {
				st.lasts[k] = e.At
			}
		case a.Window > 0:
			if st.clock.Sub(e.At) < a.Window {
				st.times[k] = insertTime(st.times[k], e.At)
			}
		default:
			st.counts[k]++
		}
	}
	var x *entry
	for i, slot := range slots {
		if refused != nil && refused[i] {
			continue
		}
		if x == nil {
			x = &entry{e: e}
			if len(e.Fields) > 0 {
				x.e.Fields = maps.Clone(e.Fields) // the state's own, whatever the caller does with its map
			}
		}
		st.kept[slot] = insertEntry(st.kept[slot], x)
		if !advanced {
			st.pruneRule(slot)
		}
	}
	if advanced {
		st.prune()
	}
	return nil
}

// needsEvent reports whether some rule of the slots reads the event, so the
// event must be readable.
func needsEvent(sc *Scorer, slots []int) bool {
	for _, slot := range slots {
		if sc.rules[slot].When != nil {
			return true
		}
	}
	return false
}

// declaredFields returns the event's fields without the keys the model does
// not declare (rules never read them).
func (sc *Scorer) declaredFields(fields map[string]any) map[string]any {
	drop := 0
	for k := range fields {
		if !sc.declared[k] {
			drop++
		}
	}
	if drop == 0 {
		return fields
	}
	out := make(map[string]any, len(fields)-drop)
	for k, v := range fields {
		if sc.declared[k] {
			out[k] = v
		}
	}
	return out
}

func insertTime(ts []time.Time, t time.Time) []time.Time {
	i := len(ts)
	for i > 0 && ts[i-1].After(t) {
		i--
	}
	return slices.Insert(ts, i, t)
}

func insertEntry(es []*entry, x *entry) []*entry {
	i := len(es)
	for i > 0 && es[i-1].e.At.After(x.e.At) {
		i--
	}
	return slices.Insert(es, i, x)
}

// prune drops what can no longer count as of the latest event or later.
func (st *State) prune() {
	for slot := range st.kept {
		st.pruneRule(slot)
	}
	for _, k := range st.sc.windowed {
		ts, w := st.times[k], st.sc.aggs[k].Window
		n := 0
		for n < len(ts) && st.clock.Sub(ts[n]) >= w {
			n++
		}
		if n > 0 {
			st.times[k] = dropFront(ts, n)
		}
	}
}

// pruneRule drops the events of a rule that left its window, and those that
// more recent ones outrank for good (as time only moves on, the `limit`
// most recent events stay in the window longer than any older one).
func (st *State) pruneRule(slot int) {
	es, r := st.kept[slot], st.sc.rules[slot]
	n := 0
	if r.Within > 0 {
		for n < len(es) && st.clock.Sub(es[n].e.At) >= r.Within {
			n++
		}
	}
	if keep := st.sc.keep[slot]; keep > 0 && len(es)-n > keep {
		n = len(es) - keep
	}
	if n > 0 {
		st.kept[slot] = dropFront(es, n)
	}
}

// dropFront drops the first n items, moving the rest down when the slice
// would otherwise keep a long dead prefix alive.
func dropFront[T any](s []T, n int) []T {
	if cap(s) > 64 && len(s)-n < cap(s)/4 {
		out := make([]T, len(s)-n, 2*(len(s)-n)+8)
		copy(out, s[n:])
		return out
	}
	return s[n:]
}

// ErrBeforeLatest is wrapped by the error of a score asked as of a time
// before the latest event a state took: the state may have dropped events
// that counted then.
var ErrBeforeLatest = errors.New("before the latest event taken")

// Score returns the lead's result as of asOf (not before the latest event
// taken, see Latest), with fields as its current fields: the result
// scoring.Scorer.Score gives for the lead with every event taken.
func (st *State) Score(fields any, asOf time.Time) (*scoring.Result, error) {
	return st.ScoreWithDispositions(context.Background(), fields, nil, asOf)
}

// ScoreContext is Score, stopped when ctx is done (see
// scoring.Scorer.ScoreContext).
func (st *State) ScoreContext(ctx context.Context, fields any, asOf time.Time) (*scoring.Result, error) {
	return st.ScoreWithDispositions(ctx, fields, nil, asOf)
}

// ErrRecycleResets is wrapped by the error of a score with a recycle (at or
// before the as-of time) under a model whose recycle policy resets events:
// a state cannot take out events it has already counted or dropped.
var ErrRecycleResets = errors.New("a recycle resets events, which a streaming state cannot take out")

// ScoreWithDispositions is Score for a lead with sales' dispositions (see
// scoring.Lead.Dispositions): the result's verdict and a recycle's hold-down
// are those of scoring.Scorer.Score. A recycle under a model whose recycle
// policy resets events (rules.Handoff.ResetTypes) is refused with an error
// wrapping ErrRecycleResets: score such a lead with scoring.Scorer.Score
// over its history.
func (st *State) ScoreWithDispositions(ctx context.Context, fields any, dispositions []scoring.Disposition, asOf time.Time) (*scoring.Result, error) {
	if asOf.Before(st.clock) {
		return nil, &scoring.Error{LeadID: st.id, Err: fmt.Errorf("as of %s: %w (%s); score as of that time or later, as the state keeps only what counts from then on", asOf.Format(time.RFC3339), ErrBeforeLatest, st.clock.Format(time.RFC3339))}
	}
	if err := st.refuseResets(dispositions, asOf); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return st.score(ctx, st.sc.s, fields, dispositions, asOf)
}

// refuseResets returns the error for a recycle at or before asOf under a
// model whose recycle policy resets events; nil when there is none.
func (st *State) refuseResets(dispositions []scoring.Disposition, asOf time.Time) error {
	h := st.sc.m.Handoff
	if h == nil || len(h.ResetTypes) == 0 {
		return nil
	}
	for _, d := range dispositions {
		if d.Status == scoring.Recycled && !d.At.After(asOf) {
			return &scoring.Error{LeadID: st.id, Err: fmt.Errorf("the recycle of %s: %w (the model's recycle policy resets %s events); score this lead with Scorer.Score over its events", d.At.Format(time.RFC3339), ErrRecycleResets, strings.Join(h.ResetTypes, ", "))}
		}
	}
	return nil
}

// score scores the state with s, one of the Scorer's scoring.Scorers.
func (st *State) score(ctx context.Context, s *scoring.Scorer, fields any, dispositions []scoring.Disposition, asOf time.Time) (*scoring.Result, error) {
	counts := st.countsAt(asOf)
	lead := scoring.Lead{ID: st.id, Fields: fields, Events: st.keptEvents(), Dispositions: dispositions}
	return s.ScoreCounted(friend.K(), ctx, lead, asOf, counts, st.lasts)
}

// countsAt returns the event counts by aggregate slot as of asOf.
func (st *State) countsAt(asOf time.Time) []int {
	counts := slices.Clone(st.counts)
	for _, k := range st.sc.windowed {
		ts, w := st.times[k], st.sc.aggs[k].Window
		i := sort.Search(len(ts), func(i int) bool { return asOf.Sub(ts[i]) < w })
		counts[k] = len(ts) - i
	}
	return counts
}

// keptEvents returns the events the state keeps, each once, in time order.
func (st *State) keptEvents() []rules.Event {
	if st.events != nil {
		return st.events
	}
	st.gen++
	out := []rules.Event{}
	for _, es := range st.kept {
		for _, x := range es {
			if x.mark != st.gen {
				x.mark = st.gen
				out = append(out, x.e)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b rules.Event) int { return a.At.Compare(b.At) })
	st.events = out
	return out
}

// MissingRequired lists the required fields a lead's fields lack, in
// schema order, when that is all that is wrong with them; nil when they
// lack none, or when something else is wrong too (a value of the wrong
// type: the score says it). A consumer given a lead in parts, as a CRM
// sends a contact's fields in several updates, keeps such a lead unscored
// until its fields are whole, rather than refusing the part that came
// first (leadscore stream and the Beam pipeline do).
func (sc *Scorer) MissingRequired(leadID string, fields any) []string {
	_, err := sc.quiet.Score(scoring.Lead{ID: leadID, Fields: fields}, time.Unix(0, 0).UTC())
	var le *rules.LeadError
	if !errors.As(err, &le) {
		return nil
	}
	if missing, only := le.MissingRequired(); only {
		return missing
	}
	return nil
}
