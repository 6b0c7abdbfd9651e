package attribution

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Markov is a Markov chain of order k over channel paths: its states are
// the last k channels of a path (a path shorter than k is one state), plus
// start, conversion and null. Journeys that did not convert reach null.
//
// Removing a channel sends every state that contains it to null; the
// channel's removal effect is the relative drop in the probability of
// converting from start. Conversions are shared among channels in
// proportion to their removal effects, and value either the same way or by
// the value removal effect: the relative drop in the expected value from
// start, where a conversion is worth the mean value of the paths that
// convert from its state.
//
// The chain is solved exactly, as the sparse linear system of absorption
// probabilities (Gauss-Seidel to machine precision, a state's own loop
// solved in closed form), not by simulating random walks, so the same paths
// always give the same numbers.
type Markov struct {
	Order int
	paths *Paths

	names []string       // transient state names; 0 is start
	index map[uint64]int // state key -> index
	keys  []uint64
	edges [][]edge  // transitions to transient states (self loops apart)
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

// RemovalEffect is how much removing a channel lowers the conversion
// probability and the expected value from start, each relative (0 to 1).
type RemovalEffect struct {
	Channel    string  `json:"channel"`
	Conversion float64 `json:"conversion"`
	Value      float64 `json:"value"`
}

// MaxOrder is the highest order NewMarkov builds.
const MaxOrder = 7

// NewMarkov builds and solves the chain of the given order over paths.
func NewMarkov(p *Paths, order int) (*Markov, error) {
	if order < 1 || order > MaxOrder {
		return nil, fmt.Errorf("the order of a Markov chain is 1 to %d, not %d", MaxOrder, order)
	}
	m := &Markov{Order: order, paths: p, index: map[uint64]int{}}
	m.state(0, "(start)")
	type tally struct {
		to    map[int]float64
		conv  float64
		null  float64
		value float64
	}
	var tallies []*tally
	at := func(s int) *tally {
		for len(tallies) <= s {
			tallies = append(tallies, &tally{to: map[int]float64{}})
		}
		return tallies[s]
	}
	for _, pc := range p.sorted() {
		w := pc.Conversions + pc.Nulls
		if w == 0 {
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
			at(prev).to[s] += w
			prev = s
		}
		t := at(prev)
		t.conv += pc.Conversions
		t.null += pc.Nulls
		t.value += pc.Value()
	}
	n := len(m.names)
	at(n - 1)
	m.edges = make([][]edge, n)
	m.self, m.conv, m.null, m.value = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for s := 0; s < n; s++ {
		t := tallies[s]
		out := t.conv + t.null
		targets := make([]int, 0, len(t.to))
		for to := range t.to {
			targets = append(targets, to)
		}
		sort.Ints(targets) // in state order, not the map's random one: the same bits every run
		for _, to := range targets {
			out += t.to[to]
		}
		if out == 0 {
			continue
		}
		for to := 0; to < n; to++ { // in state order: the same sums every time
			if w, ok := t.to[to]; ok {
				if to == s {
					m.self[s] = w / out
				} else {
					m.edges[s] = append(m.edges[s], edge{to, w / out})
				}
			}
		}
		m.conv[s], m.null[s] = t.conv/out, t.null/out
		if t.conv > 0 {
			m.value[s] = t.value / t.conv
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
	return m.state(key, strings.Join(parts, " > "))
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
// effect, otherwise by the conversion removal effect.
func (m *Markov) Credit(byValue bool) []ChannelCredit {
	conv, value, _ := m.paths.Totals()
	// Sum in the channels' name order, not their ids' (which depend on the
	// order the paths were read in), so that equal paths give equal bits.
	byName := make([]RemovalEffect, len(m.Effects))
	copy(byName, m.Effects)
	sort.Slice(byName, func(i, j int) bool { return byName[i].Channel < byName[j].Channel })
	var sumC, sumV float64
	for _, e := range byName {
		sumC += e.Conversion
		sumV += e.Value
	}
	out := make([]ChannelCredit, len(m.Effects))
	for i, e := range m.Effects {
		out[i].Channel = e.Channel
		if sumC > 0 {
			out[i].Conversions = conv * e.Conversion / sumC
		}
		switch {
		case byValue && sumV > 0:
			out[i].Value = value * e.Value / sumV
		case !byValue && sumC > 0:
			out[i].Value = value * e.Conversion / sumC
		}
	}
	return out
}

// ChannelCredit is what a data-driven model credits a channel with.
type ChannelCredit struct {
	Channel     string  `json:"channel"`
	Conversions float64 `json:"conversions"`
	Value       float64 `json:"value"`
}

// Transition is one transition of the chain with its probability.
type Transition struct {
	From        string  `json:"from"`
	To          string  `json:"to"`
	Probability float64 `json:"probability"`
}

// Transitions lists the chain's transitions, state by state.
func (m *Markov) Transitions() []Transition {
	var out []Transition
	for s, name := range m.names {
		if m.self[s] > 0 {
			out = append(out, Transition{name, name, m.self[s]})
		}
		for _, e := range m.edges[s] {
			out = append(out, Transition{name, m.names[e.to], e.p})
		}
		if m.conv[s] > 0 {
			out = append(out, Transition{name, "(conversion)", m.conv[s]})
		}
		if m.null[s] > 0 {
			out = append(out, Transition{name, "(null)", m.null[s]})
		}
	}
	return out
}

// States is the number of transient states, start included.
func (m *Markov) States() int { return len(m.names) }
