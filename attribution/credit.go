package attribution

import (
	"errors"
	"sort"
	"sync"
	"time"
)

var errShares = errors.New("the touches' shares exceed their channel's credit; please report the paths")

// pathCredit credits the touches of distinct paths under one model, in
// exact decimals.
type pathCredit interface {
	// touches sets the conversions and value credited to each touch of pc
	// (conv and value have one entry per touch).
	touches(pc *PathCount, conv, value []decimal) error
}

// ruleCredit is a rule-based model over paths: a path's touches are one
// day apart, the last one day before the conversion (see RuleBased).
type ruleCredit struct {
	m Model
	p *Paths
}

var pathBase = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func (r ruleCredit) touches(pc *PathCount, conv, value []decimal) error {
	touches := make([]Touch, len(pc.Path))
	for i := range pc.Path {
		touches[i] = Touch{At: pathBase.Add(time.Duration(i) * 24 * time.Hour)}
	}
	at := pathBase.Add(time.Duration(len(pc.Path)) * 24 * time.Hour)
	j := &Journey{Touches: touches, Converted: true}
	// Channels only matter to last_non_direct; set them when it asks.
	if _, ok := r.m.(LastNonDirectModel); ok {
		for i := range touches {
			touches[i].Channel = r.p.channels[pc.Path[i]]
		}
	}
	w := r.m.Weights(touches, j, at)
	normalize(w)
	split(pc.conv, w, conv)
	split(pc.value, w, value)
	return nil
}

// shapleyCredit is the simplified Shapley value: a path's distinct
// channels share it equally, and a channel's share goes in equal parts to
// its touches on the path.
type shapleyCredit struct{}

func (shapleyCredit) touches(pc *PathCount, conv, value []decimal) error {
	var n [MaxChannels + 1]int32 // touches per channel id
	distinct := 0
	for _, id := range pc.Path {
		if n[id] == 0 {
			distinct++
		}
		n[id]++
	}
	w := make([]float64, len(pc.Path))
	for i, id := range pc.Path {
		w[i] = 1 / float64(n[id])
	}
	for i := range w {
		w[i] /= float64(distinct)
	}
	split(pc.conv, w, conv)
	split(pc.value, w, value)
	return nil
}

// markovCredit shares each channel's credit under a chain (its share of
// the conversions and value by removal effect) among the channel's
// touches: in proportion to the conversions of their paths (value: to the
// value), or, for a channel on no converting path, to the journeys of
// their paths. The touch with the most weight (the first such, in the
// paths' canonical order) gets what the others leave, so a channel's
// touches add up to its credit exactly.
type markovCredit struct {
	p             *Paths
	noNull        bool
	conv, value   []decimal // each channel's credit
	convW, valueW []weightKind
	sumC, sumV    []float64 // each channel's weight over its touches
	bigC, bigV    []touchRef

	once         sync.Once
	restErr      error
	paths        map[*PathCount]int // index in canonical order
	restC, restV []decimal          // what the largest touches get
}

type weightKind int

const (
	byConversions weightKind = iota
	byValue
	byJourneys
)

type touchRef struct{ path, pos int }

func (m *markovCredit) weight(pc *PathCount, k weightKind) float64 {
	switch k {
	case byValue:
		return pc.Value()
	case byConversions:
		return pc.Conversions
	}
	if m.noNull {
		return pc.Conversions
	}
	return pc.Conversions + pc.Nulls
}

// newMarkovCredit shares the totals among channels by removal effect
// (value by the value removal effect when byValueEffect).
func newMarkovCredit(m *Markov, byValueEffect bool) *markovCredit {
	p := m.paths
	n := len(p.channels)
	mc := &markovCredit{p: p, noNull: m.NoNull, conv: make([]decimal, n), value: make([]decimal, n),
		convW: make([]weightKind, n), valueW: make([]weightKind, n), sumC: make([]float64, n), sumV: make([]float64, n),
		bigC: make([]touchRef, n), bigV: make([]touchRef, n)}
	conv, value, _ := p.exactTotals()
	// Shares are computed in the channels' name order, not their ids'
	// (which depend on the order the paths were read in), so that equal
	// paths give equal bits.
	byName := make([]int, n)
	for i := range byName {
		byName[i] = i
	}
	sort.Slice(byName, func(a, b int) bool { return p.channels[byName[a]] < p.channels[byName[b]] })
	ec, ev := make([]float64, n), make([]float64, n)
	anyC, anyV := false, false
	for r, id := range byName {
		e := m.Effects[id]
		ec[r], ev[r] = e.Conversion, e.Conversion
		if byValueEffect {
			ev[r] = e.Value
		}
		anyC, anyV = anyC || ec[r] > 0, anyV || ev[r] > 0
	}
	if !anyV && anyC { // value only on paths that did not convert: no value effect to share it by
		copy(ev, ec)
		anyV = true
	}
	sc, sv := make([]decimal, n), make([]decimal, n)
	if anyC {
		split(conv, ec, sc)
	}
	if anyV {
		split(value, ev, sv)
	}
	for r, id := range byName {
		mc.conv[id], mc.value[id] = sc[r], sv[r]
	}
	// Weights: conversions (value) on the channel's paths, else journeys.
	var sums [3][]float64
	for k := range sums {
		sums[k] = make([]float64, n)
	}
	for _, pc := range p.sorted() {
		for _, ch := range pc.Path {
			for k := range sums {
				sums[k][ch] += mc.weight(pc, weightKind(k))
			}
		}
	}
	for ch := 0; ch < n; ch++ {
		mc.convW[ch], mc.valueW[ch] = byConversions, byValue
		if sums[byConversions][ch] == 0 {
			mc.convW[ch] = byJourneys
		}
		if sums[byValue][ch] == 0 {
			mc.valueW[ch] = mc.convW[ch]
		}
	}
	best := func(ws []float64, refs []touchRef, pi, pos int, w float64, ch int) {
		if w > ws[ch] {
			ws[ch], refs[ch] = w, touchRef{pi, pos}
		}
	}
	maxC, maxV := make([]float64, n), make([]float64, n)
	for i := range maxC {
		maxC[i], maxV[i] = -1, -1
	}
	for pi, pc := range p.sorted() {
		for pos, ch := range pc.Path {
			wc, wv := mc.weight(pc, mc.convW[ch]), mc.weight(pc, mc.valueW[ch])
			mc.sumC[ch] += wc
			mc.sumV[ch] += wv
			best(maxC, mc.bigC, pi, pos, wc, ch)
			best(maxV, mc.bigV, pi, pos, wv, ch)
		}
	}
	return mc
}

// share is a touch's part of a channel's credit, before the remainder.
func share(credit decimal, w, sum float64) decimal {
	if credit.isZero() || w == 0 || sum == 0 {
		return decimal{}
	}
	return decimalOf(credit.float() * (w / sum))
}

// rest computes, once, what the channels' largest touches get.
func (m *markovCredit) rest() error {
	m.once.Do(func() {
		n := len(m.p.channels)
		m.paths = map[*PathCount]int{}
		others, othersV := make([]decimal, n), make([]decimal, n)
		for pi, pc := range m.p.sorted() {
			m.paths[pc] = pi
			for pos, ch := range pc.Path {
				if (touchRef{pi, pos}) != m.bigC[ch] {
					others[ch].add(share(m.conv[ch], m.weight(pc, m.convW[ch]), m.sumC[ch]))
				}
				if (touchRef{pi, pos}) != m.bigV[ch] {
					othersV[ch].add(share(m.value[ch], m.weight(pc, m.valueW[ch]), m.sumV[ch]))
				}
			}
		}
		m.restC, m.restV = make([]decimal, n), make([]decimal, n)
		for ch := 0; ch < n; ch++ {
			m.restC[ch], m.restV[ch] = m.conv[ch], m.value[ch]
			if !m.restC[ch].sub(others[ch]) || !m.restV[ch].sub(othersV[ch]) {
				m.restErr = errShares
			}
		}
	})
	return m.restErr
}

func (m *markovCredit) touches(pc *PathCount, conv, value []decimal) error {
	if err := m.rest(); err != nil {
		return err
	}
	pi := m.paths[pc]
	for pos, ch := range pc.Path {
		if (touchRef{pi, pos}) == m.bigC[ch] {
			conv[pos] = m.restC[ch]
		} else {
			conv[pos] = share(m.conv[ch], m.weight(pc, m.convW[ch]), m.sumC[ch])
		}
		if (touchRef{pi, pos}) == m.bigV[ch] {
			value[pos] = m.restV[ch]
		} else {
			value[pos] = share(m.value[ch], m.weight(pc, m.valueW[ch]), m.sumV[ch])
		}
	}
	return nil
}
