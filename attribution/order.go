package attribution

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"
)

// OrderOptions are the settings of ChooseOrder.
type OrderOptions struct {
	// MaxOrder is the highest order tried (MaxOrder by default).
	MaxOrder int
	// Folds is the number of folds of the cross-validation (5 by default).
	Folds int
}

// OrderScore is one candidate order's evidence.
type OrderScore struct {
	Order int `json:"order"`
	// States is the number of transient states of the chain over all the
	// paths, start included.
	States int `json:"states"`
	// FoldAUC is the held-out ROC AUC of each fold (nil for a fold
	// without both conversions and nulls); HeldOutAUC their mean over the
	// folds that have one, StdErr its standard error.
	FoldAUC    []*float64 `json:"fold_auc"`
	HeldOutAUC float64    `json:"held_out_auc"`
	StdErr     float64    `json:"std_err"`
	// InSampleAUC is the AUC on the paths the chain was built from: it
	// only grows with the order, which is why it does not choose.
	InSampleAUC float64 `json:"in_sample_auc"`
}

// OrderSelection is the choice of markov:auto and the evidence for it.
type OrderSelection struct {
	Model string `json:"model"`
	// Chosen is the order used; Best the one with the highest mean
	// held-out AUC.
	Chosen     int          `json:"chosen"`
	Best       int          `json:"best"`
	Folds      int          `json:"folds"`
	Candidates []OrderScore `json:"candidates"`
}

// ChooseOrder picks the order of a Markov chain by how well it predicts,
// on paths it was not built from, which paths convert.
//
// The distinct paths are split into folds by a hash (FNV-1a, 64 bits) of
// the path's channel names, so the split depends only on the paths, not on
// the order they were read in, and the same path always lands in the same
// fold. For each fold and order k, a chain is built from the other folds;
// each held-out path is scored with the probability that the chain
// converts rather than drops out at the state where the path ends (its
// last k channels, or the whole path when shorter): conversions over
// conversions and nulls of the training paths that ended there. A state
// that no training path ended in backs off to order k-1, down to the
// training conversion rate. The score is the ROC AUC of those predictions
// over the held-out journeys (a path's conversions count as positives and
// its nulls as negatives; ties count half), averaged over the folds.
//
// Higher orders fit the paths they were built from ever better (the
// in-sample AUC only grows) and start to memorise; held out, the gain
// stops. The choice is the lowest order whose mean held-out AUC is within
// one standard error of the best (the one-standard-error rule): a simpler
// chain unless a higher order is clearly better. ChannelAttribution's
// choose_order instead penalises the in-sample AUC of each order.
func ChooseOrder(p *Paths, o OrderOptions) (*OrderSelection, error) {
	if o.MaxOrder <= 0 {
		o.MaxOrder = MaxOrder
	}
	if o.Folds <= 0 {
		o.Folds = 5
	}
	if o.MaxOrder > MaxOrder || o.Folds < 2 {
		return nil, fmt.Errorf("orders 1 to %d and at least 2 folds, not %d and %d", MaxOrder, o.MaxOrder, o.Folds)
	}
	paths := p.sorted()
	e := newEndings(p, paths, o.MaxOrder, o.Folds)
	sel := &OrderSelection{Folds: o.Folds}
	all := func(int) bool { return true }
	for k := 1; k <= o.MaxOrder; k++ {
		sc := OrderScore{Order: k, States: p.states(k), FoldAUC: make([]*float64, o.Folds)}
		var aucs []float64
		for f := 0; f < o.Folds; f++ {
			a := e.auc(k, func(g int) bool { return g != f }, func(i int) bool { return e.fold[i] == f })
			if !math.IsNaN(a) {
				sc.FoldAUC[f] = &a
				aucs = append(aucs, a)
			}
		}
		if len(aucs) < 2 {
			return nil, errors.New("too few distinct paths with both conversions and nulls to compare orders out of sample; give the order (markov:K)")
		}
		sc.HeldOutAUC, sc.StdErr = meanStdErr(aucs)
		sc.InSampleAUC = e.auc(k, all, all)
		sel.Candidates = append(sel.Candidates, sc)
	}
	best := sel.Candidates[0]
	for _, c := range sel.Candidates[1:] {
		if c.HeldOutAUC > best.HeldOutAUC {
			best = c
		}
	}
	sel.Best = best.Order
	for _, c := range sel.Candidates {
		if c.HeldOutAUC >= best.HeldOutAUC-best.StdErr {
			sel.Chosen = c.Order
			break
		}
	}
	return sel, nil
}

// fold is a path's fold: a hash of its channel names.
func (p *Paths) fold(pc *PathCount, folds int) int {
	h := fnv.New64a()
	for i, id := range pc.Path {
		if i > 0 {
			h.Write([]byte(" > "))
		}
		h.Write([]byte(p.channels[id]))
	}
	return int(h.Sum64() % uint64(folds))
}

// states counts the transient states of the order-k chain over p.
func (p *Paths) states(k int) int {
	seen := map[string]bool{}
	for _, pc := range p.sorted() {
		if pc.conv.isZero() && pc.nulls.isZero() {
			continue
		}
		key := pathKey(pc)
		for i := range key {
			seen[key[max(0, i-k+1):i+1]] = true
		}
	}
	return len(seen) + 1
}

func pathKey(pc *PathCount) string {
	b := make([]byte, len(pc.Path))
	for i, id := range pc.Path {
		b[i] = byte(id)
	}
	return string(b)
}

// endings tallies, for each order j up to the highest and each ending of
// j channels (or a whole shorter path), the conversions and nulls of the
// paths of each fold that end there; a chain trained on some folds ends a
// path there with their sums.
type endings struct {
	paths  []*PathCount
	folds  int
	fold   []int     // each path's fold
	at     [][]int32 // each path's ending, by order (index into sums)
	sums   []float64 // per ending: conversions and nulls of each fold
	totals []float64 // per fold: conversions and nulls
}

func newEndings(p *Paths, paths []*PathCount, maxOrder, folds int) *endings {
	e := &endings{paths: paths, folds: folds, fold: make([]int, len(paths)), at: make([][]int32, len(paths)), totals: make([]float64, 2*folds)}
	index := make([]map[string]int32, maxOrder+1)
	for j := range index {
		index[j] = map[string]int32{}
	}
	for i, pc := range paths {
		f := p.fold(pc, folds)
		e.fold[i] = f
		key := pathKey(pc)
		e.at[i] = make([]int32, maxOrder+1)
		for j := 1; j <= maxOrder; j++ {
			end := key[max(0, len(key)-j):]
			at, ok := index[j][end]
			if !ok {
				at = int32(len(e.sums))
				index[j][end] = at
				e.sums = append(e.sums, make([]float64, 2*folds)...)
			}
			e.at[i][j] = at
			e.sums[int(at)+2*f] += pc.Conversions
			e.sums[int(at)+2*f+1] += pc.Nulls
		}
		e.totals[2*f] += pc.Conversions
		e.totals[2*f+1] += pc.Nulls
	}
	return e
}

// rate is conversions over journeys of the folds train admits at an
// ending (or over all, at -1); NaN with none.
func (e *endings) rate(at int, train func(int) bool) float64 {
	src := e.totals
	if at >= 0 {
		src = e.sums[at : at+2*e.folds]
	}
	var c, n float64
	for g := 0; g < e.folds; g++ {
		if train(g) {
			c += src[2*g]
			n += src[2*g+1]
		}
	}
	if c+n == 0 {
		return math.NaN()
	}
	return c / (c + n)
}

// auc scores the paths test admits with the order-k chain of the folds
// train admits (backing off to shorter endings, then the overall rate).
func (e *endings) auc(k int, train func(fold int) bool, test func(path int) bool) float64 {
	var items []scored
	for i, pc := range e.paths {
		if !test(i) || (pc.Conversions == 0 && pc.Nulls == 0) {
			continue
		}
		pred := math.NaN()
		for j := k; j >= 1 && math.IsNaN(pred); j-- {
			pred = e.rate(int(e.at[i][j]), train)
		}
		if math.IsNaN(pred) {
			pred = e.rate(-1, train)
		}
		if math.IsNaN(pred) { // nothing to train on
			pred = 0
		}
		items = append(items, scored{pred, pc.Conversions, pc.Nulls})
	}
	return weightedAUC(items)
}

type scored struct{ score, pos, neg float64 }

// weightedAUC is the probability that a random positive scores above a
// random negative, ties counting half; NaN without both.
func weightedAUC(items []scored) float64 {
	sort.Slice(items, func(i, j int) bool { return items[i].score < items[j].score })
	var below, num, pos, neg float64
	for i := 0; i < len(items); {
		j := i
		var gp, gn float64
		for ; j < len(items) && items[j].score == items[i].score; j++ {
			gp += items[j].pos
			gn += items[j].neg
		}
		num += gp * (below + gn/2)
		below += gn
		pos += gp
		neg += gn
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return num / (pos * neg)
}

func meanStdErr(xs []float64) (mean, se float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss/float64(len(xs)-1)) / math.Sqrt(float64(len(xs)))
}

// table is the candidates as a table.
func (s OrderSelection) table() table {
	t := table{title: fmt.Sprintf("Order selection (%s): held-out ROC AUC of predicting conversion, %d folds by path hash", s.Model, s.Folds),
		headers: []string{"order", "states", "held-out AUC", "± s.e.", "in-sample AUC", ""}}
	for _, c := range s.Candidates {
		mark := ""
		switch {
		case c.Order == s.Chosen && c.Order == s.Best:
			mark = "chosen (best)"
		case c.Order == s.Chosen:
			mark = "chosen (within 1 s.e. of the best)"
		case c.Order == s.Best:
			mark = "best"
		}
		t.rows = append(t.rows, []string{fmt.Sprint(c.Order), thousands(float64(c.States)), fmt.Sprintf("%.6f", c.HeldOutAUC),
			fmt.Sprintf("%.6f", c.StdErr), fmt.Sprintf("%.6f", c.InSampleAUC), mark})
	}
	return t
}

func (s OrderSelection) note() string {
	return strings.TrimSpace(fmt.Sprintf("%s uses order %d: the lowest order whose mean held-out AUC is within one standard error of the best (order %d).",
		s.Model, s.Chosen, s.Best))
}
