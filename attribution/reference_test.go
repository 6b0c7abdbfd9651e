package attribution_test

// Independent reference implementations for the figures of issue 18: the
// paths read with math/big from the raw text, transition counts and
// probabilities, absorption probabilities by dense Gaussian elimination,
// held-out AUC by brute force over pairs. They share no code with the
// package beyond its public output.

import (
	"bytes"
	"encoding/csv"
	"hash/fnv"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// refPath is one line of a paths file, read with math/big.
type refPath struct {
	channels          []string
	conv, value, null *big.Rat
}

func refRat(t testing.TB, s string) *big.Rat {
	q, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	require.True(t, ok, "big.Rat cannot read %q", s)
	return q
}

// refRead reads ChannelAttribution's format by hand.
func refRead(t testing.TB, data []byte) []refPath {
	var out []refPath
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if i == 0 {
			continue
		}
		f := strings.Split(strings.TrimSpace(line), ";")
		require.Len(t, f, 4)
		var ch []string
		for _, c := range strings.Split(f[0], ">") {
			ch = append(ch, strings.TrimSpace(c))
		}
		out = append(out, refPath{ch, refRat(t, f[1]), refRat(t, f[2]), refRat(t, f[3])})
	}
	return out
}

// refStates walks a path at order k: the names of the states after start.
func refStates(ch []string, k int) []string {
	var out []string
	for i := range ch {
		out = append(out, strings.Join(ch[max(0, i-k+1):i+1], " > "))
	}
	return out
}

// refChain is a chain's exact transition counts, by state and successor.
type refChain map[string]map[string]*big.Rat

func refBuild(paths []refPath, k int, noNull bool) refChain {
	c := refChain{}
	add := func(from, to string, w *big.Rat) {
		if c[from] == nil {
			c[from] = map[string]*big.Rat{}
		}
		if c[from][to] == nil {
			c[from][to] = new(big.Rat)
		}
		c[from][to].Add(c[from][to], w)
	}
	for _, p := range paths {
		w := new(big.Rat).Set(p.conv)
		if !noNull {
			w.Add(w, p.null)
		}
		if w.Sign() == 0 {
			continue
		}
		prev := "(start)"
		for _, s := range refStates(p.channels, k) {
			add(prev, s, w)
			prev = s
		}
		if p.conv.Sign() > 0 {
			add(prev, "(conversion)", p.conv)
		}
		if !noNull && p.null.Sign() > 0 {
			add(prev, "(null)", p.null)
		}
	}
	return c
}

// prob is a transition's exact probability, rounded once.
func (c refChain) prob(from, to string) float64 {
	out := new(big.Rat)
	for _, w := range c[from] {
		out.Add(out, w)
	}
	f, _ := new(big.Rat).Quo(c[from][to], out).Float64()
	return f
}

// convFrom solves the absorption probabilities into conversion by dense
// Gaussian elimination with partial pivoting, with the states holding
// removed sent to null; it returns the probability from start.
func (c refChain) convFrom(removed string) float64 {
	var states []string
	for s := range c {
		states = append(states, s)
	}
	sort.Strings(states)
	idx := map[string]int{}
	for i, s := range states {
		idx[s] = i
	}
	n := len(states)
	a := make([][]float64, n)
	for i, s := range states {
		a[i] = make([]float64, n+1)
		a[i][i] = 1
		if removed != "" && s != "(start)" && containsChannel(s, removed) {
			continue // absorbed in null: x = 0
		}
		for to := range c[s] {
			p := c.prob(s, to)
			switch to {
			case "(conversion)":
				a[i][n] += p
			case "(null)":
			default:
				a[i][idx[to]] -= p
			}
		}
	}
	for col := 0; col < n; col++ {
		piv := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[piv][col]) {
				piv = r
			}
		}
		a[col], a[piv] = a[piv], a[col]
		for r := 0; r < n; r++ {
			if r == col || a[r][col] == 0 {
				continue
			}
			f := a[r][col] / a[col][col]
			for j := col; j <= n; j++ {
				a[r][j] -= f * a[col][j]
			}
		}
	}
	s := idx["(start)"]
	return a[s][n] / a[s][s]
}

func containsChannel(state, channel string) bool {
	for _, c := range strings.Split(state, " > ") {
		if c == channel {
			return true
		}
	}
	return false
}

// refAUC is the weighted ROC AUC by brute force over every pair.
func refAUC(scores, pos, neg []float64) float64 {
	var num, p, n float64
	for i := range scores {
		p += pos[i]
		n += neg[i]
		for j := range scores {
			switch {
			case scores[i] > scores[j]:
				num += pos[i] * neg[j]
			case scores[i] == scores[j]:
				num += pos[i] * neg[j] / 2
			}
		}
	}
	if p == 0 || n == 0 {
		return math.NaN()
	}
	return num / (p * n)
}

// refFold is a path's fold: FNV-1a of its channels joined by " > ".
func refFold(ch []string, folds int) int {
	h := fnv.New64a()
	h.Write([]byte(strings.Join(ch, " > ")))
	return int(h.Sum64() % uint64(folds))
}

// refHeldOutAUC is fold f's AUC at order k: the ending rates of the other
// folds' paths at the held-out path's last min(k, len) channels, backing
// off to shorter endings, then to the training rate.
func refHeldOutAUC(paths []refPath, k, f, folds int) float64 {
	type tally struct{ c, n float64 }
	ending := func(ch []string, j int) string { return strings.Join(ch[max(0, len(ch)-j):], "\x00") }
	ends := make([]map[string]*tally, k+1)
	for j := range ends {
		ends[j] = map[string]*tally{}
	}
	byPath := map[string]*refPath{} // distinct paths: lines of one path add up
	var order []string
	for i := range paths {
		key := strings.Join(paths[i].channels, "\x00")
		if byPath[key] == nil {
			cp := refPath{paths[i].channels, new(big.Rat), new(big.Rat), new(big.Rat)}
			byPath[key] = &cp
			order = append(order, key)
		}
		byPath[key].conv.Add(byPath[key].conv, paths[i].conv)
		byPath[key].null.Add(byPath[key].null, paths[i].null)
	}
	sort.Strings(order)
	var all tally
	for _, key := range order {
		p := byPath[key]
		if refFold(p.channels, folds) == f {
			continue
		}
		c, _ := p.conv.Float64()
		n, _ := p.null.Float64()
		for j := 1; j <= k; j++ {
			e := ends[j][ending(p.channels, j)]
			if e == nil {
				e = &tally{}
				ends[j][ending(p.channels, j)] = e
			}
			e.c += c
			e.n += n
		}
		all.c += c
		all.n += n
	}
	var scores, pos, neg []float64
	for _, key := range order {
		p := byPath[key]
		if refFold(p.channels, folds) != f {
			continue
		}
		c, _ := p.conv.Float64()
		n, _ := p.null.Float64()
		if c == 0 && n == 0 {
			continue
		}
		score := all.c / (all.c + all.n)
		for j := k; j >= 1; j-- {
			if e := ends[j][ending(p.channels, j)]; e != nil && e.c+e.n > 0 {
				score = e.c / (e.c + e.n)
				break
			}
		}
		scores, pos, neg = append(scores, score), append(pos, c), append(neg, n)
	}
	return refAUC(scores, pos, neg)
}

// readCSV reads a CSV file written by the package into records by header.
func readCSV(t testing.TB, data []byte) []map[string]string {
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// sharedPathData is ../shared/data/PathData.csv when present (the
// workspace's copy of ChannelAttribution's sample); tests that read it
// skip without it.
func sharedPathData(t testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "data", "PathData.csv"))
	if err != nil {
		t.Skip("../shared/data/PathData.csv is absent; testdata/paths/PathData.csv holds the same sample")
	}
	return b
}
