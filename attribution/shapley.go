package attribution

import (
	"errors"
)

// SimplifiedShapley is the Shapley value of Zhao, Mahboobi and Bagheri
// (2018), "Shapley Value Methods for Attribution Modeling in Online
// Advertising": with a coalition's worth the conversions of the journeys
// whose channels all lie in it, each channel's Shapley value reduces to the
// sum, over converting paths that touch it, of the path's conversions
// divided by the number of distinct channels on the path. That is linear in
// the paths. Value is shared the same way.
func SimplifiedShapley(p *Paths) []ChannelCredit {
	out := make([]ChannelCredit, len(p.channels))
	for i, c := range p.channels {
		out[i].Channel = c
	}
	seen := make([]int, len(p.channels)) // stamp: channel seen on the current path
	for n, pc := range p.sorted() {
		if !pc.credits() {
			continue
		}
		distinct := 0
		for _, id := range pc.Path {
			if seen[id] != n+1 {
				seen[id] = n + 1
				distinct++
			}
		}
		for _, id := range pc.Path {
			if seen[id] == n+1 {
				seen[id] = -(n + 1) // credit once
				out[id].Conversions += pc.Conversions / float64(distinct)
				out[id].Value += pc.Value() / float64(distinct)
			}
		}
	}
	return out
}

// OrderedShapley is the ordered variant of Zhao et al.: a path's distinct
// channels, in the order they first appear, share its conversions equally,
// and each share is credited to the channel at the position it holds. The
// result is, for each channel (by id), its credit at positions 1, 2, ...;
// summed over positions it equals SimplifiedShapley.
func OrderedShapley(p *Paths) [][]ChannelCredit {
	out := make([][]ChannelCredit, len(p.channels))
	for _, pc := range p.sorted() {
		if !pc.credits() {
			continue
		}
		var order []int
		for _, id := range pc.Path {
			dup := false
			for _, o := range order {
				dup = dup || o == id
			}
			if !dup {
				order = append(order, id)
			}
		}
		for pos, id := range order {
			for len(out[id]) <= pos {
				out[id] = append(out[id], ChannelCredit{Channel: p.channels[id]})
			}
			out[id][pos].Conversions += pc.Conversions / float64(len(order))
			out[id][pos].Value += pc.Value() / float64(len(order))
		}
	}
	return out
}

// MaxExactShapleyChannels bounds ExactShapley, which is exponential.
const MaxExactShapleyChannels = 16

// ExactShapley computes the Shapley value by its definition, over every
// coalition of channels, with a coalition's worth the conversions (and
// value) of the paths whose channels all lie in it. It is exponential in the
// channels and meant as the oracle that SimplifiedShapley is checked against.
func ExactShapley(p *Paths) ([]ChannelCredit, error) {
	n := len(p.channels)
	if n > MaxExactShapleyChannels {
		return nil, errors.New("too many channels for the exact Shapley value")
	}
	// worth[S] = conversions of paths whose channel set is exactly S, then
	// summed over subsets (the zeta transform): paths whose set lies in S.
	conv, val := make([]float64, 1<<n), make([]float64, 1<<n)
	for _, pc := range p.sorted() {
		var set int
		for _, id := range pc.Path {
			set |= 1 << id
		}
		conv[set] += pc.Conversions
		val[set] += pc.Value()
	}
	for i := 0; i < n; i++ {
		for s := 0; s < 1<<n; s++ {
			if s&(1<<i) != 0 {
				conv[s] += conv[s^(1<<i)]
				val[s] += val[s^(1<<i)]
			}
		}
	}
	fact := make([]float64, n+1)
	fact[0] = 1
	for i := 1; i <= n; i++ {
		fact[i] = fact[i-1] * float64(i)
	}
	out := make([]ChannelCredit, n)
	for i := 0; i < n; i++ {
		out[i].Channel = p.channels[i]
		for s := 0; s < 1<<n; s++ {
			if s&(1<<i) != 0 {
				continue
			}
			size := popcount(s)
			w := fact[size] * fact[n-size-1] / fact[n]
			out[i].Conversions += w * (conv[s|1<<i] - conv[s])
			out[i].Value += w * (val[s|1<<i] - val[s])
		}
	}
	return out, nil
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
