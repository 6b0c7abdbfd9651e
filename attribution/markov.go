package attribution

import (
	"errors"
	"fmt"
	"math"
)

// Markov is a Markov chain of order k over channel paths. Its transient
// states are start and, for each touch of a path, the channels of the last
// k touches up to it: a path's first k-1 touches are states of 1 to k-1
// channels (the partial states), and each later touch the window of the
// last k. So a > b > c > d at order 3 walks start, (a), (a > b),
// (a > b > c), (b > c > d), and a path shorter than k walks only partial
// states: a > b at order 3 is start, (a), (a > b). A path then moves to
// conversion (its conversions) or null (its nulls, the journeys that did
// not convert); a touch that repeats the state before it is the state's
// own loop.
//
// ChannelAttribution builds the order-k chain differently: a path of k or
// more touches starts straight at its first window of k channels (there
// are no partial states), a path shorter than k is one state, and a state
// that repeats the one before is merged into it (no loops). Removal effects
// do not depend on loops (a loop only delays the next step), so the two
// agree at order 1; at higher orders this chain also learns from the first
// k-1 touches of every path, which ChannelAttribution's folds into the
// first window, and its transition probabilities show the loops.
//
// Removing a channel sends every state that contains it to null; the
// channel's removal effect is the relative drop in the probability of
// converting from start. Conversions are shared among channels in
// proportion to their removal effects, and value either the same way or by
// the value removal effect: the relative drop in the expected value from
// start, where a conversion is worth the mean value of the paths that
// convert from its state.
//
// Without nulls (MarkovOptions.NoNull, or paths without a null column),
// the chain is built from the converting paths alone, weighted by their
// conversions, as ChannelAttribution's markov_model does without var_null:
// every walk converts, null is reached only through a removed channel, and
// a removal effect is the probability that a walk passes through the
// channel. Use it when non-conversions are unknown; it credits channels
// for being on converting paths, not for raising the conversion rate.
//
// The chain is solved exactly, as the sparse linear system of absorption
// probabilities (Gauss-Seidel to machine precision, a state's own loop
// solved in closed form), not by simulating random walks, so the same paths
// always give the same numbers.
type Markov struct {
	Order int
	// NoNull says the chain ignores nulls (see above).
	NoNull bool
	paths  *Paths

	names []string       // transient state names; 0 is start
	index map[uint64]int // state key -> index
	keys  []uint64
	edges [][]edge  // transitions to transient states (self loops apart)
	count []tally   // the journeys behind each state's transitions
	self  []float64 // P(s -> s)
	conv  []float64 // P(s -> conversion)
	null  []float64 // P(s -> null)
	value []float64 // mean value of a conversion from s

	// ConversionRate is the probability of converting from start;
	// ExpectedValue the expected value from start.
	ConversionRate float64
	ExpectedValue  float64
	// Effects holds each channel's removal effects, by channel id.
	Effects []RemovalEffect
	// Iterations is the most sweeps a solve took; Residual the largest
	// change in the last sweep of any solve.
	Iterations int
	Residual   float64
}

type edge struct {
	to int
	p  float64
}

// tally counts the journeys that left a state, by where they went: exact
// sums of the paths' conversions and nulls.
type tally struct {
	to         map[int]*decimal
	conv, null decimal
	value      float64
}

// RemovalEffect is how much removing a channel lowers the conversion
// probability and the expected value from start, each relative (0 to 1).
type RemovalEffect struct {
	Channel    string  `json:"channel"`
	Conversion float64 `json:"conversion"`
	Value      float64 `json:"value"`
}

// MaxOrder is the highest order NewMarkov builds.
const MaxOrder = 7

// MarkovOptions are the settings of a chain.
type MarkovOptions struct {
	Order int
	// NoNull builds the chain from the converting paths alone, ignoring
	// nulls, as when non-conversions are unknown.
	NoNull bool
}

// NewMarkov builds and solves the chain of the given order over paths.
func NewMarkov(p *Paths, order int) (*Markov, error) {
	return NewMarkovWith(p, MarkovOptions{Order: order})
}

// NewMarkovWith builds and solves a chain with the given options.
func NewMarkovWith(p *Paths, o MarkovOptions) (*Markov, error) {
	order := o.Order
	if order < 1 || order > MaxOrder {
		return nil, fmt.Errorf("the order of a Markov chain is 1 to %d, not %d", MaxOrder, order)
	}
	m := &Markov{Order: order, NoNull: o.NoNull, paths: p, index: map[uint64]int{}}
	m.state(0, "(start)")
	var tallies []*tally
	at := func(s int) *tally {
		for len(tallies) <= s {
			tallies = append(tallies, &tally{to: map[int]*decimal{}})
		}
		return tallies[s]
	}
	for _, pc := range p.sorted() {
		w := pc.conv
		if !o.NoNull {
			w.add(pc.nulls)
		}
		if w.isZero() {
			continue
		}
		prev := 0
		for i := range pc.Path {
			lo := max(0, i-order+1)
			var key uint64
			for j, id := range pc.Path[lo : i+1] {
				key |= uint64(id+1) << (8 * j)
			}
			s := m.stateOf(key, pc.Path[lo:i+1])
			t := at(prev)
			if c := t.to[s]; c != nil {
				c.add(w)
			} else {
				c := w // decimals share no state: a copy is a value
				t.to[s] = &c
			}
			prev = s
		}
		t := at(prev)
		t.conv.add(pc.conv)
		if !o.NoNull {
			t.null.add(pc.nulls)
		}
		t.value += pc.Value()
	}
	n := len(m.names)
	at(n - 1)
	m.edges = make([][]edge, n)
	m.count = make([]tally, n)
	m.self, m.conv, m.null, m.value = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for s := 0; s < n; s++ {
		t := tallies[s]
		m.count[s] = *t
		out := t.conv
		out.add(t.null)
		for to := 0; to < n; to++ { // in state order: the same sums every time
			if w, ok := t.to[to]; ok {
				out.add(*w)
			}
		}
		if out.isZero() {
			continue
		}
		total := out.float()
		for to := 0; to < n; to++ {
			if w, ok := t.to[to]; ok {
				if to == s {
					m.self[s] = w.float() / total
				} else {
					m.edges[s] = append(m.edges[s], edge{to, w.float() / total})
				}
			}
		}
		m.conv[s], m.null[s] = t.conv.float()/total, t.null.float()/total
		if !t.conv.isZero() {
			m.value[s] = t.value / t.conv.float()
		}
	}
	var err error
	if m.ConversionRate, m.ExpectedValue, err = m.solve(-1); err != nil {
		return nil, err
	}
	for c, name := range p.channels {
		pc, ev, err := m.solve(c)
		if err != nil {
			return nil, err
		}
		re := RemovalEffect{Channel: name}
		if m.ConversionRate > 0 {
			re.Conversion = 1 - pc/m.ConversionRate
		}
		if m.ExpectedValue > 0 {
			re.Value = 1 - ev/m.ExpectedValue
		}
		m.Effects = append(m.Effects, re)
	}
	return m, nil
}

func (m *Markov) state(key uint64, name string) int {
	m.index[key] = len(m.names)
	m.names = append(m.names, name)
	m.keys = append(m.keys, key)
	return len(m.names) - 1
}

func (m *Markov) stateOf(key uint64, ids []int) int {
	if s, ok := m.index[key]; ok {
		return s
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = m.paths.channels[id]
	}
	return m.state(key, m.paths.join(parts))
}

// contains reports whether a state holds a channel.
func (m *Markov) contains(s, channel int) bool {
	for key := m.keys[s]; key != 0; key >>= 8 {
		if int(key&0xff)-1 == channel {
			return true
		}
	}
	return false
}

// solve returns the conversion probability and expected value from start,
// with the channel removed (its states sent to null), or none for -1.
func (m *Markov) solve(removed int) (float64, float64, error) {
	n := len(m.names)
	x, y := make([]float64, n), make([]float64, n)
	blocked := make([]bool, n)
	if removed >= 0 {
		for s := 1; s < n; s++ {
			blocked[s] = m.contains(s, removed)
		}
	}
	const maxSweeps = 1_000_000
	for sweep := 1; sweep <= maxSweeps; sweep++ {
		delta := 0.0
		for s := n - 1; s >= 0; s-- { // later states first: most edges point forward
			if blocked[s] || m.self[s] >= 1 {
				continue
			}
			nx, ny := m.conv[s], m.conv[s]*m.value[s]
			for _, e := range m.edges[s] {
				nx += e.p * x[e.to]
				ny += e.p * y[e.to]
			}
			nx /= 1 - m.self[s]
			ny /= 1 - m.self[s]
			delta = math.Max(delta, math.Abs(nx-x[s]))
			delta = math.Max(delta, math.Abs(ny-y[s])/math.Max(1, math.Abs(ny)))
			x[s], y[s] = nx, ny
		}
		if delta <= 1e-15 {
			m.Iterations = max(m.Iterations, sweep)
			m.Residual = math.Max(m.Residual, delta)
			return x[0], y[0], nil
		}
	}
	return 0, 0, errors.New("the Markov chain did not settle; please report the paths")
}

// Credit shares the paths' conversions and value among channels by
// removal effect. With byValue the value is shared by the value removal
// effect, otherwise by the conversion removal effect. The shares add up to
// the totals exactly (the largest takes what the others leave) and are
// rounded once.
func (m *Markov) Credit(byValue bool) []ChannelCredit {
	mc := newMarkovCredit(m, byValue)
	return channelCredits(m.paths, mc.conv, mc.value)
}

// ChannelCredit is what a data-driven model credits a channel with.
type ChannelCredit struct {
	Channel     string  `json:"channel"`
	Conversions float64 `json:"conversions"`
	Value       float64 `json:"value"`
}

// Transition is one transition of the chain: the journeys that made it
// (an exact sum of the paths' conversions and nulls, rounded once) and its
// probability (that count over the state's outgoing count).
type Transition struct {
	From        string  `json:"from"`
	To          string  `json:"to"`
	Count       float64 `json:"count"`
	Probability float64 `json:"probability"`

	count decimal
}

// Transitions lists the chain's transitions, state by state.
func (m *Markov) Transitions() []Transition {
	var out []Transition
	tr := func(from, to string, c decimal, p float64) {
		out = append(out, Transition{From: from, To: to, Count: c.float(), Probability: p, count: c})
	}
	for s, name := range m.names {
		c := &m.count[s]
		if m.self[s] > 0 {
			tr(name, name, *c.to[s], m.self[s])
		}
		for _, e := range m.edges[s] {
			tr(name, m.names[e.to], *c.to[e.to], e.p)
		}
		if m.conv[s] > 0 {
			tr(name, "(conversion)", c.conv, m.conv[s])
		}
		if m.null[s] > 0 {
			tr(name, "(null)", c.null, m.null[s])
		}
	}
	return out
}

// States is the number of transient states, start included.
func (m *Markov) States() int { return len(m.names) }
