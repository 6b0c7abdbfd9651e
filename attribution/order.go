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
	fold := make([]int, len(paths))
	for i, pc := range paths {
		fold[i] = p.fold(pc, o.Folds)
	}
	sel := &OrderSelection{Folds: o.Folds}
	for k := 1; k <= o.MaxOrder; k++ {
		sc := OrderScore{Order: k, States: p.states(k), FoldAUC: make([]*float64, o.Folds)}
		var aucs []float64
		for f := 0; f < o.Folds; f++ {
			a := endingAUC(p, paths, k, func(i int) bool { return fold[i] != f }, func(i int) bool { return fold[i] == f })
			if !math.IsNaN(a) {
				sc.FoldAUC[f] = &a
				aucs = append(aucs, a)
			}
		}
		if len(aucs) < 2 {
			return nil, errors.New("too few distinct paths with both conversions and nulls to compare orders out of sample; give the order (markov:K)")
		}
		sc.HeldOutAUC, sc.StdErr = meanStdErr(aucs)
		sc.InSampleAUC = endingAUC(p, paths, k, func(int) bool { return true }, func(int) bool { return true })
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

// endingAUC builds the ending tallies of orders 1 to k from the paths
// train admits and returns the AUC of their predictions on the paths test
// admits.
func endingAUC(p *Paths, paths []*PathCount, k int, train, test func(int) bool) float64 {
	ends := make([]map[string][2]float64, k+1)
	for j := range ends {
		ends[j] = map[string][2]float64{}
	}
	var all [2]float64
	for i, pc := range paths {
		if !train(i) {
			continue
		}
		key := pathKey(pc)
		for j := 1; j <= k; j++ {
			e := ends[j][key[max(0, len(key)-j):]]
			e[0] += pc.Conversions
			e[1] += pc.Nulls
			ends[j][key[max(0, len(key)-j):]] = e
		}
		all[0] += pc.Conversions
		all[1] += pc.Nulls
	}
	var items []scored
	for i, pc := range paths {
		if !test(i) || (pc.Conversions == 0 && pc.Nulls == 0) {
			continue
		}
		key := pathKey(pc)
		pred := math.NaN()
		for j := k; j >= 1 && math.IsNaN(pred); j-- {
			if e := ends[j][key[max(0, len(key)-j):]]; e[0]+e[1] > 0 {
				pred = e[0] / (e[0] + e[1])
			}
		}
		if math.IsNaN(pred) {
			pred = 0
			if all[0]+all[1] > 0 {
				pred = all[0] / (all[0] + all[1])
			}
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
