package stream

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/leadscore/leadscore/rules"
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
// refuses it under a model whose parts differ.
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
				i = len(w.Events)
				index[x] = i
				w.Events = append(w.Events, storedEvent{Event: x.e})
			}
			w.Events[i].Rules = append(w.Events[i].Rules, slot)
		}
	}
	return json.Marshal(w)
}

// ErrModelChanged is wrapped by Load's error for a state stored under a
// model whose event rules, event aggregates or event fields have changed
// since: the state may lack events the new rules count, so it must be
// rebuilt from the lead's events (NewState, then Add each).
var ErrModelChanged = errors.New("the model's event rules changed since the state was stored")

// Load reads a state Marshal wrote. A state stored under a model whose
// event rules, aggregates or event fields differ is refused with an error
// wrapping ErrModelChanged; changes to points, decay, lead rules, grades or
// stages keep stored states valid.
func (sc *Scorer) Load(data []byte) (*State, error) {
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
	bad := func(format string, args ...any) error {
		return fmt.Errorf("stored state of lead %q is damaged: %s; rebuild it from the lead's events", w.Lead, fmt.Sprintf(format, args...))
	}
	st := sc.NewState(w.Lead)
	st.added = w.Added
	if w.Latest != nil {
		st.clock = *w.Latest
	}
	if w.Counts != nil || w.Lasts != nil || w.Times != nil {
		n := len(sc.aggs)
		if len(w.Counts) != n || len(w.Lasts) != n || len(w.Times) != n {
			return nil, bad("%d event aggregates, the model has %d", len(w.Counts), n)
		}
		for k, n := range w.Counts {
			if n < 0 {
				return nil, bad("a negative count of %s events", sc.aggs[k].Type)
			}
		}
		copy(st.counts, w.Counts)
		for k, t := range w.Lasts {
			if t != nil {
				st.lasts[k] = *t
			}
		}
		for k, ts := range w.Times {
			for _, t := range ts {
				st.times[k] = append(st.times[k], time.Unix(0, t))
			}
			slices.SortFunc(st.times[k], func(a, b time.Time) int { return a.Compare(b) })
		}
	}
	for i := range w.Events {
		x := &entry{e: w.Events[i].Event}
		if x.e.At.After(st.clock) {
			return nil, bad("event %d is later than the latest event", i+1)
		}
		for _, slot := range w.Events[i].Rules {
			if slot < 0 || slot >= len(sc.rules) {
				return nil, bad("event %d is kept for rule %d, the model has %d event rules", i+1, slot, len(sc.rules))
			}
			st.kept[slot] = insertEntry(st.kept[slot], x)
		}
	}
	return st, nil
}
