package backtest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/stats"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Fitting settings (see Suggest).
const (
	// Lambda is the L2 penalty on each rule's coefficient.
	Lambda = 1.0
	// MinFired is how many training leads a rule must fire on to be fitted;
	// a rule seen less keeps its points.
	MinFired = 10
)

// Decisions a suggestion ends in (Suggestion.Decision).
const (
	// Adopt: on the held-out leads the suggested points rank won leads
	// higher, and the 95% interval of the AUC's gain excludes zero.
	Adopt = "adopt"
	// Keep: the suggested points rank worse (the interval is below zero),
	// or no rule's points move beyond noise.
	Keep = "keep"
	// Inconclusive: the held-out leads cannot tell the two apart, or the
	// outcomes are too few to fit on.
	Inconclusive = "inconclusive"
)

// Suggestion is points fitted to the outcomes for the model's existing
// rules, on one scale, and a decision on them from held-out leads.
//
// The method: an L2-regularised logistic regression (penalty Lambda,
// intercept not penalised, solved by Newton's method) of won on each
// scoring rule's units at At (1 or 0 for a lead rule; the events counted,
// after limit, window and decay, for an event rule), fitted on the leads
// created first (FitShare). The score is linear in the units, so a
// coefficient is what a rule's points should be in log-odds; the points
// are the coefficients times one scale, points per unit of log-odds, for
// the whole model, so the total stays one log-odds scale. The scale is
// chosen so that the hand-offs a week (the leads the definition makes
// sales-ready over the history, replayed) stay as they are: the
// thresholds of grades and stages keep their meaning in volume, and when
// no scale keeps it within MaxVolumeChange the decision says how the
// volume moves and is not adopt. A
// rule whose current points, on that scale, lie inside the 95% interval
// of its coefficient keeps them: the data cannot tell them from the fit.
// Rules fired on fewer than MinFired fitted leads keep their points.
//
// The proposed file is then backtested beside the current one on the
// later, held-out leads: the AUC of each with DeLong's paired interval of
// the difference, precision and recall at equal volume (each definition's
// top leads, as many as the current one calls sales-ready), and the
// hand-offs per week each sends over the history.
type Suggestion struct {
	Method string  `json:"method"`
	Lambda float64 `json:"lambda"`
	// Scale is the points given per unit of log-odds, one for the model.
	Scale *float64 `json:"points_per_log_odds"`
	// The split: leads created up to SplitAt (TrainLeads, TrainWon) are
	// fitted on; later ones (HeldOut) are measured on.
	SplitAt    time.Time `json:"split_at"`
	TrainLeads int       `json:"train_leads"`
	TrainWon   int       `json:"train_won"`
	Rules      []Points  `json:"rules"`
	// Withheld says why no points were fitted, when none were.
	Withheld string `json:"withheld,omitempty"`
	// TrainSalesReady is how many fitted leads each definition calls
	// sales-ready at At.
	TrainSalesReady          int `json:"train_sales_ready"`
	SuggestedTrainSalesReady int `json:"suggested_train_sales_ready"`
	// HandoffsPerWeek of each definition over the capacity's history
	// (DefaultHistory unless set): leads whose first sales-ready moment,
	// replayed, falls in it, a week. The scale is chosen to keep it.
	HandoffsPerWeek          *float64 `json:"handoffs_per_week"`
	SuggestedHandoffsPerWeek *float64 `json:"suggested_handoffs_per_week"`
	handoffs                 int
	suggestedHandoffs        int
	HeldOut                  HeldOut `json:"heldout"`
	// Decision is adopt, keep or inconclusive; Why says what it rests on.
	Decision string `json:"decision"`
	Why      string `json:"why"`
}

// HeldOut is the current and the suggested definition on the held-out leads.
type HeldOut struct {
	Leads int `json:"leads"`
	Won   int `json:"won"`
	// AUC of each total, and the difference suggested − current with its
	// 95% interval (DeLong, paired: the same leads scored twice).
	CurrentAUC     *float64 `json:"current_auc"`
	SuggestedAUC   *float64 `json:"suggested_auc"`
	Difference     *float64 `json:"difference"`
	DifferenceLow  *float64 `json:"difference_low"`
	DifferenceHigh *float64 `json:"difference_high"`
	// The AUCs on the leads fitted on (optimistic for the suggestion).
	CurrentTrainAUC   *float64 `json:"current_train_auc"`
	SuggestedTrainAUC *float64 `json:"suggested_train_auc"`
	// Each definition's own sales-ready leads.
	CurrentSalesReady   Classifier `json:"current_sales_ready"`
	SuggestedSalesReady Classifier `json:"suggested_sales_ready"`
	// At equal volume: each total's top Volume leads (ties at the cut
	// included), Volume being how many the current definition calls
	// sales-ready.
	Volume            int        `json:"volume"`
	CurrentAtVolume   Classifier `json:"current_at_volume"`
	SuggestedAtVolume Classifier `json:"suggested_at_volume"`
}

// Points is one rule's current and suggested points.
type Points struct {
	Rule      string  `json:"rule"`
	Category  string  `json:"category"`
	Current   float64 `json:"current"`
	Suggested float64 `json:"suggested"`
	// Coefficient is log-odds per unit, with its 95% interval; nil when
	// the rule was not fitted.
	Coefficient *float64  `json:"coefficient"`
	Interval    *Interval `json:"coefficient_interval"`
	Fired       int       `json:"fired"` // training leads it fired on
	// Kept says why the rule keeps its points, when it does.
	Kept string `json:"kept,omitempty"`
}

// Suggest fits points for the model's scoring rules (see Suggestion),
// writes them into src, the text of the model's root rule file at
// filename, changing nothing but the numbers after "points:", and
// backtests the result on the held-out leads, compiled with compile
// (CompileAt when nil). It returns the suggestion and the proposed file's
// text (src itself when the suggestion is withheld). The backtest must
// have been made with Options.Suggest, which keeps the leads; SuggestFrom
// reads them again instead.
func (b *Backtest) Suggest(ctx context.Context, filename string, src []byte, compile func([]byte) (*rules.Model, error)) (*Suggestion, []byte, error) {
	if !b.opts.Suggest {
		return nil, nil, errors.New("the backtest was not made with Options.Suggest, so it did not keep the leads to score; use SuggestFrom with the leads")
	}
	return b.SuggestFrom(ctx, filename, src, compile, b.kept())
}

// SuggestFrom is Suggest with the leads read again by leads rather than
// kept: memory stays that of the backtest's own records, however many
// leads there are. leads must give the leads that were added; it is read
// up to three times (the candidate scales, finer ones, the proposed
// points at At), each time for the leads the pass wants.
func (b *Backtest) SuggestFrom(ctx context.Context, filename string, src []byte, compile func([]byte) (*rules.Model, error), leads Leads) (*Suggestion, []byte, error) {
	if compile == nil {
		compile = func(text []byte) (*rules.Model, error) { return CompileAt(filename, text) }
	}
	m := b.model
	in, existing := b.sorted()
	train, test := b.split(in)
	s := &Suggestion{Method: "L2-regularised logistic regression on rule units, one points-per-log-odds scale keeping the sales-ready volume, changes within noise left out, rounded",
		Lambda: Lambda, TrainLeads: len(train), HeldOut: HeldOut{Leads: len(test)}}
	if len(train) > 0 {
		s.SplitAt = b.created(train[len(train)-1])
	}
	for _, l := range train {
		if l.won {
			s.TrainWon++
		}
		if l.sr {
			s.TrainSalesReady++
		}
	}
	for _, l := range test {
		if l.won {
			s.HeldOut.Won++
		}
	}
	leak := map[string]bool{}
	judged := b.judged
	if judged == nil || b.judgedLeads != b.added() { // no report of these leads yet
		judged = b.Report().Rules
	}
	for _, rs := range judged {
		leak[rs.Rule] = rs.Verdict == LeakageSuspected
	}
	var cols []int
	fired := b.firedOn(train)
	for _, r := range m.Rules {
		p := Points{Rule: r.ID, Category: r.Category.Name, Current: r.Points, Suggested: r.Points, Fired: fired[r.Index]}
		switch {
		case leak[r.ID]:
			p.Kept = "leakage suspected (see its verdict): not fitted, its points kept"
		case p.Fired < MinFired:
			p.Kept = fmt.Sprintf("fired on %s, fewer than %d", plural(p.Fired, "training lead"), MinFired)
		case p.Fired == len(train):
			p.Kept = "fired on every training lead, so nothing tells its effect apart"
		default:
			cols = append(cols, r.Index)
		}
		s.Rules = append(s.Rules, p)
	}
	withhold := func(why string) (*Suggestion, []byte, error) {
		s.Withheld, s.Decision, s.Why = why, Inconclusive, why
		for i := range s.Rules {
			s.Rules[i].Suggested = s.Rules[i].Current
			if s.Rules[i].Kept == "" {
				s.Rules[i].Kept = "withheld"
			}
		}
		s.SuggestedTrainSalesReady = s.TrainSalesReady
		return s, src, nil
	}
	switch {
	case s.TrainWon < b.opts.MinWon:
		return withhold(fmt.Sprintf("the leads fitted on (the first %d created) have %s; fitting points needs at least %d (--min-won), %s",
			len(train), plural(s.TrainWon, "won deal"), b.opts.MinWon, more(b.opts.MinWon-s.TrainWon)))
	case s.TrainWon == len(train):
		return withhold("every lead fitted on was won, so nothing tells won leads from the rest")
	case len(cols) == 0:
		return withhold("no rule fired on enough training leads to be fitted")
	}
	fit, err := b.grouped(train, cols)
	if err != nil {
		return withhold("the fit of the points did not converge (" + err.Error() + ")")
	}
	var sumP, sumB float64
	for k, c := range cols {
		sumP += math.Abs(m.Rules[c].Points)
		sumB += math.Abs(fit.Coef[k+1])
	}
	if sumB == 0 || sumP == 0 {
		return withhold("no fitted rule has any effect on the outcomes")
	}
	base := sumP / sumB
	// points at a scale: within noise kept, the rest the coefficient × scale.
	pointsAt := func(scale float64) map[string]float64 {
		out := map[string]float64{}
		for k, c := range cols {
			r := m.Rules[c]
			coef, se := fit.Coef[k+1], fit.SE(k+1)
			if cur := r.Points / scale; cur >= coef-stats.Z95*se && cur <= coef+stats.Z95*se {
				out[r.ID] = r.Points
				continue
			}
			v := math.Round(coef * scale)
			if v == 0 {
				v = 0 // not -0
			}
			out[r.ID] = v
		}
		return out
	}
	// The scale keeps the hand-offs a week: the flow over the history.
	// Every candidate is the model with other points, so each is a
	// variant of one replay of the leads (scoring.FirstSalesReady).
	fl := b.newFlows(existing)
	type candidate struct {
		scale  float64
		points map[string]float64
		text   []byte
		sr     int
		failed int // the place of a lead it cannot replay (see flows.count), -1 for none
		// patchErr is why its points could not be written into the file.
		patchErr error
	}
	variant := func(pts map[string]float64) []float64 {
		v := make([]float64, len(m.Rules))
		for i, r := range m.Rules {
			v[i] = r.Points
			if p, ok := pts[r.ID]; ok {
				v[i] = p
			}
		}
		return v
	}
	// scoreAll counts the hand-offs of each new set of points among pts
	// (one replay of the leads for all of them), the current points first.
	seen := map[string]*candidate{}
	target := -1
	scoreAll := func(scales []float64) ([]*candidate, error) {
		var fresh []*candidate
		out := make([]*candidate, len(scales))
		var vs [][]float64
		if target < 0 {
			vs = append(vs, variant(nil))
		}
		for k, scale := range scales {
			pts := pointsAt(scale)
			key := fmt.Sprint(pts)
			c := seen[key]
			if c == nil {
				// A patch that fails fails the suggestion when the
				// candidate's turn comes (see pick), as trying them in
				// turn would.
				text, err := PatchPoints(m, filename, src, pts)
				c = &candidate{scale: scale, points: pts, text: text, patchErr: err}
				seen[key] = c
				fresh = append(fresh, c)
				vs = append(vs, variant(pts))
			}
			out[k] = c
		}
		if len(vs) == 0 {
			return out, nil
		}
		counts, failed, err := fl.count(ctx, b.scorer, vs, leads)
		if err != nil {
			return nil, err
		}
		if target < 0 {
			if failed[0] >= 0 { // the current points: the base scorer's error
				if b.letGo(failed[0]) {
					return nil, b.replayFailureOf(b.idOf(failed[0]), b.traceFailure(ctx, b.scorer, failed[0], vs[0], false))
				}
				lead, err := b.readLead(ctx, leads, failed[0])
				if err != nil {
					return nil, err
				}
				return nil, b.replayFailure(ctx, b.scorer, nil, lead)
			}
			target, counts, failed = counts[0], counts[1:], failed[1:]
		}
		for k, c := range fresh {
			c.sr, c.failed = counts[k], failed[k]
		}
		return out, nil
	}
	// The scale that keeps the training leads' sales-ready volume: scales
	// from a quarter to four times the one that keeps the sum of points,
	// the closest volume winning, the nearest to that one on a tie.
	// scorerOf compiles a candidate's rule file, as a scorer of leads.
	scorerOf := func(text []byte) (*scoring.Scorer, error) {
		pm, err := compile(text)
		if err != nil {
			return nil, fmt.Errorf("the proposed rule file does not compile: %w", err)
		}
		return scoring.New(pm, scoring.WithUnknownData(scoring.IgnoreUnknown)), nil
	}
	var best *candidate
	// pick tries the candidates in turn, as one replay after another would:
	// the first that cannot replay a lead fails the suggestion with the
	// error its own compiled model gives.
	pick := func(cs []*candidate, stop func() bool) error {
		for _, c := range cs {
			if stop() {
				return nil
			}
			if c.patchErr != nil {
				return c.patchErr
			}
			if c.failed >= 0 {
				if b.letGo(c.failed) {
					sc, err := scorerOf(c.text)
					if err != nil {
						return b.replayFailureOf(b.idOf(c.failed), err)
					}
					return b.replayFailureOf(b.idOf(c.failed), b.traceFailure(ctx, sc, c.failed, variant(c.points), false))
				}
				lead, rerr := b.readLead(ctx, leads, c.failed)
				if rerr != nil {
					return rerr
				}
				sc, err := scorerOf(c.text)
				return b.replayFailure(ctx, sc, err, lead)
			}
			if best == nil || abs(c.sr-target) < abs(best.sr-target) {
				best = c
			}
		}
		return nil
	}
	var grid []float64
	for _, step := range []int{0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8} {
		grid = append(grid, base*math.Pow(2, float64(step)/4))
	}
	cs, err := scoreAll(grid)
	if err != nil {
		return nil, nil, err
	}
	if err := pick(cs, func() bool { return false }); err != nil {
		return nil, nil, err
	}
	// Then finer, between the grid's neighbours of the best scale.
	// (Counted on the hand-offs over the history: the flow sales works.)
	if best.sr != target {
		around := best.scale
		var fine []float64
		for i := -7; i <= 7; i++ {
			fine = append(fine, around*math.Pow(2, float64(i)/32))
		}
		if cs, err = scoreAll(fine); err != nil {
			return nil, nil, err
		}
		if err := pick(cs, func() bool { return best.sr == target }); err != nil {
			return nil, nil, err
		}
	}
	bestScorer, err := scorerOf(best.text)
	if err != nil {
		return nil, nil, err
	}
	s.Scale = finite(best.scale)
	s.HandoffsPerWeek, s.SuggestedHandoffsPerWeek = fl.perWeek(target), fl.perWeek(best.sr)
	s.handoffs, s.suggestedHandoffs = target, best.sr
	changed := 0
	for k, c := range cols {
		p := &s.Rules[c]
		coef, se := fit.Coef[k+1], fit.SE(k+1)
		p.Coefficient = finite(coef)
		p.Interval = &Interval{coef - stats.Z95*se, coef + stats.Z95*se}
		p.Suggested = best.points[p.Rule]
		if p.Suggested == p.Current {
			p.Kept = fmt.Sprintf("%s points are %.2f log-odds on this scale, inside the fit's interval: within noise", num(p.Current), p.Current/best.scale)
		} else {
			changed++
		}
	}

	// The proposed definition beside the current one, held out.
	sugTotal, sugSR, err := b.scoreUnder(ctx, in, variant(best.points), leads, bestScorer)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range train {
		if sugSR[l.seq] {
			s.SuggestedTrainSalesReady++
		}
	}
	h := &s.HeldOut
	cur, sug, pos := make([]float64, len(test)), make([]float64, len(test)), make([]bool, len(test))
	for i, l := range test {
		cur[i], sug[i], pos[i] = l.total, sugTotal[l.seq], l.won
	}
	if p, ok := stats.DeLongPaired(cur, sug, pos); ok {
		h.CurrentAUC, h.SuggestedAUC, h.Difference = finite(p.A.Value), finite(p.B.Value), finite(p.Diff)
		if lo, hi, ok := p.Interval(); ok {
			h.DifferenceLow, h.DifferenceHigh = finite(lo), finite(hi)
		}
	}
	tc, ts, tp := make([]float64, len(train)), make([]float64, len(train)), make([]bool, len(train))
	for i, l := range train {
		tc[i], ts[i], tp[i] = l.total, sugTotal[l.seq], l.won
	}
	h.CurrentTrainAUC, h.SuggestedTrainAUC = AUC(tc, tp), AUC(ts, tp)
	classify := func(c *Classifier, picked func(i int, l *leadRec) bool) {
		for i, l := range test {
			switch {
			case picked(i, l):
				c.Leads++
				if l.won {
					c.Won++
					c.Revenue += l.revenue
				}
			case l.won:
				c.MissedWon++
				c.MissedRevenue += l.revenue
			}
		}
		c.classify(h.Won)
	}
	classify(&h.CurrentSalesReady, func(_ int, l *leadRec) bool { return l.sr })
	classify(&h.SuggestedSalesReady, func(_ int, l *leadRec) bool { return sugSR[l.seq] })
	h.Volume = h.CurrentSalesReady.Leads
	topCur, topSug := top(cur, h.Volume), top(sug, h.Volume)
	classify(&h.CurrentAtVolume, func(i int, _ *leadRec) bool { return topCur[i] })
	classify(&h.SuggestedAtVolume, func(i int, _ *leadRec) bool { return topSug[i] })

	s.Decision, s.Why = b.decide(s, changed)
	return s, best.text, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// top marks the n leads with the highest scores (of leads in creation
// order, as the held-out set is), ties at the cut broken by that order, so
// that both definitions are judged on exactly n leads.
func top(scores []float64, n int) map[int]bool {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	out := map[int]bool{}
	for _, i := range idx[:min(n, len(idx))] {
		out[i] = true
	}
	return out
}

// flows counts the hand-offs a definition makes over the history before
// At: the leads whose first sales-ready moment, replayed, falls in it.
// Only leads that arrived or had an event in the history can be handed
// over in it (a lead's score does not rise without an event), so only
// they are replayed.
type flows struct {
	b     *Backtest
	from  time.Time
	weeks float64
	leads []bool // by place in the order added: replayed
}

func (b *Backtest) newFlows(existing []*leadRec) *flows {
	f := &flows{b: b, from: b.historyFrom(), leads: make([]bool, len(b.order))}
	f.weeks = float64(b.opts.At.Sub(f.from)) / float64(7*24*time.Hour)
	in := func(t time.Time) bool { return !t.Before(f.from) && !t.After(b.opts.At) }
	for _, l := range existing {
		if !b.arrival(l).IsZero() && (in(b.arrival(l)) || in(b.lastEvent(l))) {
			f.leads[l.seq] = true
		}
	}
	return f
}

// count is how many leads the model with each set of points (see
// scoring.FirstSalesReady) hands over in the history, in one replay of
// the leads (or one reading of their traces, see trace.go); failed[v] is,
// for a set of points that cannot replay some lead, the place of that
// lead of the lowest id (where replaying the leads in the order of their
// id would fail first), -1 when none.
func (f *flows) count(ctx context.Context, sc *scoring.Scorer, points [][]float64, leads Leads) (counts, failed []int, err error) {
	b := f.b
	n := len(points)
	// Each reader of the traces tallies on its own (flowTally), the
	// leads read again on one tally under a lock; they are added up after.
	var mu sync.Mutex
	var tallies []*flowTally
	newTally := func() *flowTally {
		t := &flowTally{f: f, counts: make([]int, n), failed: make([]int, n), at: make([]time.Time, n), flags: make([]bool, 3*n)}
		for v := range t.failed {
			t.failed[v] = -1
		}
		mu.Lock()
		tallies = append(tallies, t)
		mu.Unlock()
		return t
	}
	again := newTally()
	replay := func(want func(int) bool) error {
		return leads(ctx, want, func(i int, lead scoring.Lead) error {
			if !want(i) {
				return nil
			}
			if id := b.idOf(i); lead.ID != id {
				return changedLeads(i, id, lead.ID)
			}
			first, ok, errs, err := sc.FirstSalesReady(ctx, lead, b.opts.At, points)
			mu.Lock()
			defer mu.Unlock()
			for v := range points {
				if err != nil || errs[v] != nil {
					again.lead(i, v, true, time.Time{}, false, false)
					continue
				}
				again.lead(i, v, false, first[v].At, first[v].Event != nil, ok[v])
			}
			return nil
		})
	}
	err = b.rankOrReplay(ctx, func(i int) bool { return f.leads[i] }, replay, func(w *traceWorker, i int, history, _ []byte) error {
		if history == nil {
			return errTraceLacks
		}
		t, _ := w.keep.(*flowTally)
		if t == nil {
			t = newTally()
			w.keep = t
		}
		byEvent, ok, fail := t.flags[:n], t.flags[n:2*n], t.flags[2*n:]
		if err := w.tr.FirstSalesReady(history, points, t.at, byEvent, ok, fail); err != nil {
			return err
		}
		for v := range points {
			t.lead(i, v, fail[v], t.at[v], byEvent[v], ok[v])
		}
		return nil
	})
	counts, failed = make([]int, n), make([]int, n)
	for v := range failed {
		failed[v] = -1
	}
	for _, t := range tallies {
		for v := range counts {
			counts[v] += t.counts[v]
			if i := t.failed[v]; i >= 0 && (failed[v] < 0 || b.idOf(i) < b.idOf(failed[v])) {
				failed[v] = i
			}
		}
	}
	return counts, failed, err
}

// flowTally is what flows.count has tallied of some leads: per set of
// points, the leads handed over in the history and, of those the set
// cannot replay, the one of the lowest id; at and flags are room for
// TraceRanker.FirstSalesReady.
type flowTally struct {
	f              *flows
	counts, failed []int
	at             []time.Time
	flags          []bool
}

// lead tallies lead i under set v: whether the set failed it, and when
// it first stood on the sales-ready stage (ok), and whether an event put
// it there.
func (t *flowTally) lead(i, v int, failed bool, at time.Time, byEvent, ok bool) {
	b := t.f.b
	if failed {
		if t.failed[v] < 0 || b.idOf(i) < b.idOf(t.failed[v]) {
			t.failed[v] = i
		}
		return
	}
	if !ok {
		return
	}
	if created := b.created(b.order[i]); !byEvent && !created.IsZero() && created.Before(at) {
		at = created
	}
	if !at.Before(t.f.from) && !at.After(b.opts.At) {
		t.counts[v]++
	}
}

// firedOn is, by rule, how many of the leads it fired on: one pass over
// the leads' units for every rule.
func (b *Backtest) firedOn(leads []*leadRec) []int {
	fired := make([]int, len(b.model.Rules))
	for _, l := range leads {
		for i, u := range b.units(l)[:len(fired)] {
			if u != 0 {
				fired[i]++
			}
		}
	}
	return fired
}

// placesIn is a test of membership in places (of leads, each below n).
func placesIn(places []int, n int) func(int) bool {
	in := make([]bool, n)
	for _, i := range places {
		in[i] = true
	}
	return func(i int) bool { return i >= 0 && i < n && in[i] }
}

// replayFailure is the error of a set of points that could not replay
// lead: the one its own model sc gives, or compiling it gave (err).
func (b *Backtest) replayFailure(ctx context.Context, sc *scoring.Scorer, err error, lead scoring.Lead) error {
	if err == nil {
		_, err = sc.TimelineContext(ctx, lead, b.opts.At)
	}
	return b.replayFailureOf(lead.ID, err)
}

// replayFailureOf is replayFailure's error for lead id with the error err
// replaying it gave (nil: it did not fail alone).
func (b *Backtest) replayFailureOf(id string, err error) error {
	if err == nil {
		err = errNotAlone
	}
	return fmt.Errorf("replaying lead %s: %w", id, err)
}

var errNotAlone = errors.New("it failed in one replay of several sets of points, but not alone (please report it)")

// scoreUnder scores the leads in the backtest at At under the points, the
// points of sc's model, and returns each one's total and whether it is
// sales-ready by its place in the order added (leadRec.seq); a lead they
// cannot score fails it with the error sc gives for the lead of the
// lowest id among them, as scoring each lead in the order of its id would.
// With traces (see trace.go), the leads are ranked from them.
func (b *Backtest) scoreUnder(ctx context.Context, in []*leadRec, points []float64, leads Leads, sc *scoring.Scorer) ([]float64, []bool, error) {
	want := make([]bool, len(b.order))
	for _, l := range in {
		want[l.seq] = true
	}
	total, sr := make([]float64, len(b.order)), make([]bool, len(b.order))
	scored, failed := 0, -1
	var mu sync.Mutex
	put := func(i int, v scoring.Variant, fail bool) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			if failed < 0 || b.idOf(i) < b.idOf(failed) {
				failed = i
			}
			return
		}
		total[i], sr[i] = v.Total, v.SalesReady
		scored++
	}
	score := func(want func(int) bool) error {
		return leads(ctx, want, func(i int, lead scoring.Lead) error {
			if !want(i) {
				return nil
			}
			if id := b.idOf(i); lead.ID != id {
				return changedLeads(i, id, lead.ID)
			}
			v, err := b.scorer.ScoreVariants(ctx, lead, b.opts.At, [][]float64{points})
			if err != nil {
				put(i, scoring.Variant{}, true)
				return nil
			}
			put(i, v[0], false)
			return nil
		})
	}
	set := [][]float64{points}
	err := b.rankOrReplay(ctx, func(i int) bool { return want[i] }, score, func(w *traceWorker, i int, _, atT0 []byte) error {
		if atT0 == nil {
			return errTraceLacks
		}
		var out [1]scoring.Variant
		var fail [1]bool
		if err := w.tr.Variants(atT0, set, out[:], fail[:]); err != nil {
			return err
		}
		put(i, out[0], fail[0])
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if failed >= 0 {
		var err error
		if b.letGo(failed) {
			err = b.traceFailure(ctx, sc, failed, points, true)
		} else {
			lead, rerr := b.readLead(ctx, leads, failed)
			if rerr != nil {
				return nil, nil, rerr
			}
			_, err = sc.ScoreContext(ctx, lead, b.opts.At)
		}
		if err == nil {
			err = errors.New("it failed with several sets of points, but not alone (please report it)")
		}
		return nil, nil, fmt.Errorf("scoring with the proposed points: %w", err)
	}
	if scored != len(in) {
		return nil, nil, fmt.Errorf("the leads read again for the suggestion are %d of the %d in the backtest; give Suggest the same leads", scored, len(in))
	}
	return total, sr, nil
}

// changedLeads is the error of a lead read again that is not the one
// added at its place: the leads changed between the readings.
func changedLeads(i int, want, got string) error {
	return fmt.Errorf("lead %d as added was %s, but reading the leads again gave %s there: the leads changed since the backtest read them; run it again on a file nothing writes to meanwhile", i+1, want, got)
}

// Leads reads the backtest's leads again, for SuggestFrom: it calls each
// with every lead and its place i in the order the backtest added them (0
// for the first; a lead that failed to be added has none), from any
// number of goroutines at once, and may skip the leads want(i) refuses;
// each's error stops it and is returned.
type Leads func(ctx context.Context, want func(i int) bool, each func(i int, lead scoring.Lead) error) error

// kept reads the leads the backtest kept (Options.Suggest).
func (b *Backtest) kept() Leads {
	return func(ctx context.Context, want func(int) bool, each func(int, scoring.Lead) error) error {
		for i, l := range b.keptLeads {
			if l != nil && want(i) {
				if err := each(i, *l); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// perWeek is a count over the history a week; nil for an empty history.
func (f *flows) perWeek(n int) *float64 {
	if f.weeks <= 0 {
		return nil
	}
	return finite(float64(n) / f.weeks)
}

// MaxVolumeChange is how far the suggested points may move the hand-offs
// a week (relative, and at least 2 hand-offs over the history) before the
// suggestion cannot be adopted as it stands: sales would get a different
// number of leads, a change of its own to agree.
const MaxVolumeChange = 0.10

// decide turns the held-out comparison into adopt, keep or inconclusive.
func (b *Backtest) decide(s *Suggestion, changed int) (string, string) {
	h := s.HeldOut
	if changed == 0 {
		return Keep, "no rule's points move beyond what the fit cannot tell from the current ones; keep the current points"
	}
	volume := ""
	if s.HandoffsPerWeek != nil && s.SuggestedHandoffsPerWeek != nil {
		volume = fmt.Sprintf("; hand-offs a week: %.1f now, %.1f with the suggested points", *s.HandoffsPerWeek, *s.SuggestedHandoffsPerWeek)
	}
	if d := abs(s.suggestedHandoffs - s.handoffs); d > 2 && float64(d) > MaxVolumeChange*float64(s.handoffs) {
		return Inconclusive, fmt.Sprintf("no scale of the suggested points keeps the hand-offs: %.1f a week now, %.1f with them (%+.0f%%); sales would get a different number of leads, so agree the volume first (or change the sales-ready stage's threshold with the points) and run the suggestion again",
			deref(s.HandoffsPerWeek), deref(s.SuggestedHandoffsPerWeek), 100*(float64(s.suggestedHandoffs)/math.Max(1, float64(s.handoffs))-1))
	}
	if h.DifferenceLow == nil {
		return Inconclusive, fmt.Sprintf("the %d held-out leads have %s, too few to compare the two rankings%s", h.Leads, plural(h.Won, "won deal"), volume)
	}
	gain := fmt.Sprintf("held-out AUC %.3f suggested against %.3f current, a difference of %+.3f (95%%: %+.3f to %+.3f) on %s (%s)",
		*h.SuggestedAUC, *h.CurrentAUC, *h.Difference, *h.DifferenceLow, *h.DifferenceHigh, plural(h.Leads, "lead"), plural(h.Won, "won deal"))
	minHeld := (b.opts.MinWon + 1) / 2
	switch {
	case *h.DifferenceHigh < 0:
		return Keep, gain + ": the suggested points rank won leads worse; keep the current points" + volume
	case *h.DifferenceLow > 0 && h.Won < minHeld:
		return Inconclusive, gain + fmt.Sprintf(": better, but on fewer than %d held-out won deals; wait for more outcomes", minHeld) + volume
	case *h.DifferenceLow > 0:
		return Adopt, gain + ": the suggested points rank won leads higher, beyond noise" + volume + "; review them with leadscore diff and adopt"
	}
	return Inconclusive, gain + ": the interval includes zero, so the held-out leads cannot tell the two apart; keep the current points until more outcomes come in" + volume
}

// PatchPoints rewrites the points of the model's rules in src, the text of
// its root file filename, to the values given by rule id, at the positions
// the dsl package recorded: nothing else of the text changes, comments and
// layout included. A rule whose points are in an included file, or whose
// number at its position is not the one the model read, is an error.
func PatchPoints(m *rules.Model, filename string, src []byte, points map[string]float64) ([]byte, error) {
	lines := lineStarts(src)
	type edit struct {
		from, to int
		text     string
	}
	var edits []edit
	for _, r := range m.Document.Rules {
		if r.Points == nil {
			continue
		}
		v, ok := points[r.ID.Value]
		if !ok || v == r.Points.Value {
			continue
		}
		pos := r.Points.Pos
		if filepath.Clean(pos.File) != filepath.Clean(filename) {
			return nil, fmt.Errorf("%s: rule %s: its points are in %s (an included file), not in %s; the suggestion writes only %s, so move the rule there or change its points by hand",
				pos, r.ID.Value, pos.File, filename, filename)
		}
		if pos.Line < 1 || pos.Line > len(lines) {
			return nil, fmt.Errorf("%s: rule %s: the position of its points is outside the file; is %s the file the model was compiled from?", pos, r.ID.Value, filename)
		}
		off := lines[pos.Line-1]
		for c := 1; c < pos.Col && off < len(src) && src[off] != '\n'; c++ {
			_, size := utf8.DecodeRune(src[off:])
			off += size
		}
		end := off
		for end < len(src) && !strings.ContainsRune(" \t\r\n,}]#", rune(src[end])) {
			end++
		}
		old := string(src[off:end])
		if n, err := strconv.ParseFloat(strings.ReplaceAll(old, "_", ""), 64); err != nil || n != r.Points.Value {
			return nil, fmt.Errorf("%s: rule %s: found %q where the model read its points, %s; is %s the file the model was compiled from?",
				pos, r.ID.Value, old, num(r.Points.Value), filename)
		}
		if v != math.Trunc(v) || math.Abs(v) > 1e9 {
			return nil, fmt.Errorf("rule %s: suggested points %v are not a whole number of points", r.ID.Value, v)
		}
		edits = append(edits, edit{off, end, strconv.FormatInt(int64(v), 10)})
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].from < edits[j].from })
	var out []byte
	last := 0
	for _, e := range edits {
		out = append(append(out, src[last:e.from]...), e.text...)
		last = e.to
	}
	return append(out, src[last:]...), nil
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// CompileAt compiles src as if it were the rule file at filename: its
// includes are read from filename's directory.
func CompileAt(filename string, src []byte) (*rules.Model, error) {
	dir, base := filepath.Split(filename)
	if dir == "" {
		dir = "."
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	doc, err := dsl.LoadFS(overlay{root.FS(), path.Clean(filepath.ToSlash(base)), src}, filepath.ToSlash(base))
	if err != nil {
		return nil, err
	}
	return rules.Compile(doc)
}

// overlay is a directory with one file's contents replaced.
type overlay struct {
	fs.FS
	name string
	data []byte
}

func (o overlay) Open(name string) (fs.File, error) {
	if path.Clean(name) == o.name {
		return fstest.MapFS{o.name: &fstest.MapFile{Data: o.data, Mode: 0o644}}.Open(o.name)
	}
	return o.FS.Open(name)
}
