package stream

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Version is the version of the stored form of a state that Marshal writes
// and Load reads.
const Version = 1

// stored is a state as Marshal writes it.
type stored struct {
	Version     int           `json:"v"`
	Model       string        `json:"model"`
	Fingerprint string        `json:"fingerprint"`
	Lead        string        `json:"lead,omitempty"`
	Latest      *time.Time    `json:"latest,omitempty"`
	Added       int           `json:"added"`
	Counts      []int         `json:"counts,omitempty"` // by aggregate slot
	Lasts       []*time.Time  `json:"lasts,omitempty"`  // by aggregate slot
	Times       [][]int64     `json:"times,omitempty"`  // by aggregate slot, Unix nanoseconds
	Events      []storedEvent `json:"events,omitempty"`
	_           struct{}      `json:"-"`
}

type storedEvent struct {
	Event rules.Event `json:"e"`
	Rules []int       `json:"r"` // the rule slots that keep it
}

// Marshal writes the state as compact JSON for a key-value store, with the
// version of the format and the fingerprint of the model parts its content
// depends on (event rules and gates, event aggregates, event fields): Load
// refuses it under a model whose parts differ. A state holding an event
// time the stored form cannot hold (a kept event outside the years 0 to
// 9999, a time an events() window counts outside 1678 to 2261) is refused
// with an error, as it would not load as it was.
func (st *State) Marshal() ([]byte, error) {
	w := stored{Version: Version, Model: st.sc.m.Name, Fingerprint: st.sc.fingerprint, Lead: st.id, Added: st.added}
	if !st.clock.IsZero() {
		t := st.clock
		w.Latest = &t
	}
	has := false
	for k := range st.sc.aggs {
		has = has || st.counts[k] != 0 || !st.lasts[k].IsZero() || len(st.times[k]) > 0
	}
	if has {
		w.Counts = st.counts
		w.Lasts = make([]*time.Time, len(st.lasts))
		w.Times = make([][]int64, len(st.times))
		for k, t := range st.lasts {
			if !t.IsZero() {
				w.Lasts[k] = &t
			}
		}
		for k, ts := range st.times {
			for _, t := range ts {
				if y := t.Year(); y < 1678 || y > 2261 {
					return nil, st.unstorable(st.sc.aggs[k].Type, t, "1678 to 2261")
				}
				w.Times[k] = append(w.Times[k], t.UnixNano())
			}
		}
	}
	st.gen++
	index := map[*entry]int{}
	for slot, es := range st.kept {
		for _, x := range es {
			i, ok := index[x]
			if !ok {
				if y := x.e.At.Year(); y < 0 || y > 9999 {
					return nil, st.unstorable(x.e.Type, x.e.At, "0 to 9999")
				}
				i = len(w.Events)
				index[x] = i
				w.Events = append(w.Events, storedEvent{Event: x.e})
			}
			w.Events[i].Rules = append(w.Events[i].Rules, slot)
		}
	}
	return json.Marshal(w)
}

// unstorable returns Marshal's error for an event time the stored form
// cannot hold.
func (st *State) unstorable(typ string, at time.Time, years string) error {
	return &scoring.Error{LeadID: st.id, Err: fmt.Errorf("the %s event of %s cannot be stored: a stored state holds the years %s; such a time is likely a mistake in the event, so rebuild the state from the lead's events without it", typ, at.Format(time.RFC3339Nano), years)}
}

// ErrModelChanged is wrapped by Load's error for a state stored under a
// model whose event rules, event aggregates or event fields have changed
// since: the state may lack events the new rules count, so it must be
// rebuilt from the lead's events (NewState, then Add each).
var ErrModelChanged = errors.New("the model's event rules changed since the state was stored")

// ErrDamaged is wrapped by Load's error for stored bytes that are not a
// state Marshal could have written under the Scorer's model: they break an
// invariant every state Add builds keeps (see Load). Such a state would
// give a score no history of events gives, so it is refused: rebuild it
// from the lead's events (NewState, then Add each).
var ErrDamaged = errors.New("damaged")

// DefaultMaxStateBytes is the size of the largest stored state Load reads
// unless WithMaxStateBytes sets another limit.
const DefaultMaxStateBytes = 8 << 20

// Option configures a Scorer.
type Option func(*Scorer)

// WithMaxStateBytes sets the size of the largest stored state Load reads
// (DefaultMaxStateBytes by default); n <= 0 means the default. Decoding a
// state allocates about fifteen times its size (some 120 MiB for a state
// of 8 MiB), so the limit bounds what one Load can spend: a larger state
// is refused, with a message naming the limit, before it is decoded.
func WithMaxStateBytes(n int) Option {
	return func(sc *Scorer) {
		if n <= 0 {
			n = DefaultMaxStateBytes
		}
		sc.maxState = n
	}
}

// Load reads a state Marshal wrote. A state stored under a model whose
// event rules, aggregates or event fields differ is refused with an error
// wrapping ErrModelChanged; changes to points, decay, lead rules, grades or
// stages keep stored states valid. Stored bytes larger than the limit (see
// WithMaxStateBytes) are refused unread.
//
// Load verifies the state against the invariants Add keeps, and refuses one
// that breaks any with an error wrapping ErrDamaged that names the lead, the
// stored field and what is wrong: every event has a time not after the
// latest event, a type a kept-for rule reads and only declared fields; it
// is kept by the rules that would keep it (their conditions on the event
// hold, it is within their windows, no rule keeps more than its limit, and
// a rule that does not keep it keeps its limit of events not older); the
// aggregates' counts, windowed times and last times agree with the events
// kept and are not after the latest event; and no more events are kept or
// counted than the state took. Those invariants are what a state's score
// depends on, so a state that keeps them gives the score of some history of
// its lead's events; a state edited to keep them all (the same event kept
// twice, with the count of events taken raised to match) is one Add could
// have built, and no check of its content can tell it from one: a store
// that must resist deliberate edits signs what it stores.
func (sc *Scorer) Load(data []byte) (*State, error) {
	if len(data) > sc.maxState {
		return nil, fmt.Errorf("stored state of %d bytes is over the limit of %d bytes (stream.WithMaxStateBytes); raise the limit, or rebuild the state from the lead's events", len(data), sc.maxState)
	}
	var w stored
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("stored state: %w", err)
	}
	if w.Version != Version {
		return nil, fmt.Errorf("stored state of lead %q: format version %d, but this leadscore reads version %d; rebuild the state from the lead's events", w.Lead, w.Version, Version)
	}
	if w.Fingerprint != sc.fingerprint {
		return nil, fmt.Errorf("stored state of lead %q (model %s, fingerprint %s; now %s, fingerprint %s): %w; rebuild it from the lead's events", w.Lead, w.Model, w.Fingerprint, sc.m.Name, sc.fingerprint, ErrModelChanged)
	}
	st, err := sc.verify(&w)
	if err != nil {
		return nil, fmt.Errorf("stored state of lead %q is %w: %w; rebuild it from the lead's events", w.Lead, ErrDamaged, err)
	}
	return st, nil
}
