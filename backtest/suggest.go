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
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/leadscore/leadscore/dsl"
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
	// TrainShare is the share of the backtest's leads, earliest created
	// first, the points are fitted on; the later rest is held out.
	TrainShare = 2.0 / 3
)

// Suggestion is points fitted to the outcomes for the model's existing
// rules, and how the suggested definition fares on held-out leads.
//
// The method: an L2-regularised logistic regression (penalty Lambda,
// intercept not penalised, solved exactly by Newton's method) of won on
// each scoring rule's units at At: the points the rule gave the lead
// divided by the rule's points, which is 1 or 0 for a lead rule (whether
// it fired) and the number of events counted, after limit, window and
// decay, for an event rule. The score is linear in these units, so a
// coefficient is what a rule's points should be in log-odds. Each
// category's coefficients are then scaled so that their absolute values
// add up to the category's current points (the thresholds of grades and
// stages keep their meaning), and rounded to whole points. A regression
// rather than a sparse integer search: it is exact and deterministic,
// handles rules that overlap (a rule that fires with another gets only
// what it adds), and the penalty keeps rules with little evidence near
// zero instead of at extremes; rounding after scaling loses less than a
// point per rule.
//
// The points are fitted on the earlier leads (by creation) and the AUC of
// the current and the suggested definition is measured on the later,
// held-out leads, scored with the proposed file.
type Suggestion struct {
	Method string  `json:"method"`
	Lambda float64 `json:"lambda"`
	// The split: leads created up to SplitAt (TrainLeads, TrainWon) are
	// fitted on; later ones (TestLeads, TestWon) are held out.
	SplitAt    time.Time `json:"split_at"`
	TrainLeads int       `json:"train_leads"`
	TrainWon   int       `json:"train_won"`
	TestLeads  int       `json:"test_leads"`
	TestWon    int       `json:"test_won"`
	Rules      []Points  `json:"rules"`
	// AUC of the current and suggested totals on the held-out leads, and
	// (optimistic) on the leads the points were fitted on.
	CurrentAUC        *float64 `json:"current_auc"`
	SuggestedAUC      *float64 `json:"suggested_auc"`
	CurrentTrainAUC   *float64 `json:"current_train_auc"`
	SuggestedTrainAUC *float64 `json:"suggested_train_auc"`
	// The sales-ready definition on the held-out leads, current and suggested.
	CurrentSalesReady   Classifier `json:"current_sales_ready"`
	SuggestedSalesReady Classifier `json:"suggested_sales_ready"`
	// Verdict says, in words, what the held-out leads show.
	Verdict string `json:"verdict"`
	// Improves is set only when the suggested AUC on held-out leads is higher.
	Improves bool `json:"improves"`
}

// Points is one rule's current and suggested points.
type Points struct {
	Rule        string   `json:"rule"`
	Category    string   `json:"category"`
	Current     float64  `json:"current"`
	Suggested   float64  `json:"suggested"`
	Coefficient *float64 `json:"coefficient"` // log-odds per unit; nil when not fitted
	Fired       int      `json:"fired"`       // training leads it fired on
	// Kept says why the rule keeps its points, when it does.
	Kept string `json:"kept,omitempty"`
}

// Suggest fits points for the model's scoring rules (see Suggestion),
// writes them into src, the text of the model's root rule file at
// filename, changing nothing but the numbers after "points:", and scores
// the held-out leads with the result, compiled with compile (CompileAt
// when nil). It returns the suggestion and the proposed file's text. The
// backtest must have been made with Options.Suggest.
func (b *Backtest) Suggest(ctx context.Context, filename string, src []byte, compile func([]byte) (*rules.Model, error)) (*Suggestion, []byte, error) {
	if !b.opts.Suggest {
		return nil, nil, errors.New("the backtest was not made with Options.Suggest, so it did not keep the leads to score")
	}
	if compile == nil {
		compile = func(text []byte) (*rules.Model, error) { return CompileAt(filename, text) }
	}
	m := b.model
	in, _ := b.sorted()
	sort.SliceStable(in, func(i, j int) bool { return in[i].created.Before(in[j].created) })
	cut := int(math.Floor(float64(len(in)) * TrainShare))
	train, test := in[:cut], in[cut:]
	s := &Suggestion{Method: "L2-regularised logistic regression on rule units, scaled per category to the current points, rounded", Lambda: Lambda,
		TrainLeads: len(train), TestLeads: len(test)}
	if cut > 0 {
		s.SplitAt = train[cut-1].created
	}
	for _, l := range train {
		if l.won {
			s.TrainWon++
		}
	}
	for _, l := range test {
		if l.won {
			s.TestWon++
		}
	}

	// Which rules to fit.
	var cols []int
	for _, r := range m.Rules {
		p := Points{Rule: r.ID, Category: r.Category.Name, Current: r.Points, Suggested: r.Points}
		for _, l := range train {
			if l.units[r.Index] != 0 {
				p.Fired++
			}
		}
		switch {
		case p.Fired < MinFired:
			p.Kept = fmt.Sprintf("fired on %d training leads, fewer than %d", p.Fired, MinFired)
		case p.Fired == len(train):
			p.Kept = "fired on every training lead, so nothing tells its effect apart"
		default:
			cols = append(cols, r.Index)
		}
		s.Rules = append(s.Rules, p)
	}
	if s.TrainWon == 0 || s.TrainWon == len(train) {
		s.Verdict = "the training leads have no won deal (or only won deals), so there is nothing to fit; the points are unchanged"
		for i := range s.Rules {
			s.Rules[i].Kept = "no outcomes to fit"
		}
		cols = nil
	}
	if len(cols) > 0 {
		x := make([][]float64, len(train))
		y := make([]float64, len(train))
		for i, l := range train {
			x[i] = make([]float64, len(cols))
			for k, c := range cols {
				x[i][k] = l.units[c]
			}
			if l.won {
				y[i] = 1
			}
		}
		beta, err := logistic(x, y, Lambda)
		if err != nil {
			return nil, nil, err
		}
		// Scale each category's coefficients to its current points.
		sumP, sumB := map[string]float64{}, map[string]float64{}
		for k, c := range cols {
			r := m.Rules[c]
			sumP[r.Category.Name] += math.Abs(r.Points)
			sumB[r.Category.Name] += math.Abs(beta[k+1])
		}
		for k, c := range cols {
			p := &s.Rules[c]
			coef := beta[k+1]
			p.Coefficient = finite(coef)
			if sumB[p.Category] == 0 {
				p.Kept = "no rule of its category has any effect on the outcomes"
				continue
			}
			p.Suggested = math.Round(coef * sumP[p.Category] / sumB[p.Category])
			if p.Suggested == 0 {
				p.Suggested = 0 // not -0
			}
		}
	}
	proposed, err := PatchPoints(m, filename, src, s.pointsByID())
	if err != nil {
		return nil, nil, err
	}
	pm, err := compile(proposed)
	if err != nil {
		return nil, nil, fmt.Errorf("the proposed rule file does not compile: %w", err)
	}
	ps := scoring.New(pm, scoring.WithUnknownData(scoring.IgnoreUnknown))
	sugTotal := map[string]float64{}
	sugSR := map[string]bool{}
	for _, l := range in {
		res, err := ps.ScoreContext(ctx, *l.lead, b.opts.At)
		if err != nil {
			return nil, nil, fmt.Errorf("scoring with the proposed points: %w", err)
		}
		sugTotal[l.id], sugSR[l.id] = res.Total, res.SalesReady
	}
	measure := func(set []*leadRec) (cur, sug *float64, cc, sc Classifier) {
		a, bb := make([]scored, len(set)), make([]scored, len(set))
		won := 0
		for i, l := range set {
			a[i], bb[i] = scored{l.total, l.won}, scored{sugTotal[l.id], l.won}
			if l.won {
				won++
			}
		}
		classify := func(c *Classifier, sr func(*leadRec) bool) {
			for _, l := range set {
				switch {
				case sr(l):
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
			c.Precision = ratio(float64(c.Won), float64(c.Leads))
			c.Recall = ratio(float64(c.Won), float64(won))
		}
		classify(&cc, func(l *leadRec) bool { return l.sr })
		classify(&sc, func(l *leadRec) bool { return sugSR[l.id] })
		return auc(a), auc(bb), cc, sc
	}
	s.CurrentTrainAUC, s.SuggestedTrainAUC, _, _ = measure(train)
	s.CurrentAUC, s.SuggestedAUC, s.CurrentSalesReady, s.SuggestedSalesReady = measure(test)
	if s.Verdict == "" {
		s.Verdict = verdict(s)
	}
	s.Improves = s.CurrentAUC != nil && s.SuggestedAUC != nil && *s.SuggestedAUC > *s.CurrentAUC
	return s, proposed, nil
}

func verdict(s *Suggestion) string {
	if s.CurrentAUC == nil || s.SuggestedAUC == nil {
		return fmt.Sprintf("the %d held-out leads have %d won deals, so they cannot tell the two definitions apart; keep the current points", s.TestLeads, s.TestWon)
	}
	d := *s.SuggestedAUC - *s.CurrentAUC
	switch {
	case d > 0:
		v := fmt.Sprintf("on the %d held-out leads (%d won) the suggested points rank won leads higher: AUC %.3f against %.3f", s.TestLeads, s.TestWon, *s.SuggestedAUC, *s.CurrentAUC)
		if s.TestWon < 20 {
			v += fmt.Sprintf("; with only %d won deals held out, treat this as a hint, not proof", s.TestWon)
		}
		return v
	case d == 0:
		return fmt.Sprintf("on the %d held-out leads (%d won) the suggested points rank leads no better than the current ones (AUC %.3f both); keep the current points", s.TestLeads, s.TestWon, *s.CurrentAUC)
	}
	return fmt.Sprintf("on the %d held-out leads (%d won) the suggested points rank won leads worse than the current ones (AUC %.3f against %.3f); keep the current points", s.TestLeads, s.TestWon, *s.SuggestedAUC, *s.CurrentAUC)
}

func (s *Suggestion) pointsByID() map[string]float64 {
	out := map[string]float64{}
	for _, p := range s.Rules {
		out[p.Rule] = p.Suggested
	}
	return out
}

// logistic fits P(y=1) = 1 / (1 + exp(-(b0 + Σ bk xk))) by Newton's
// method, minimising the negative log-likelihood plus lambda/2 Σ bk² (b0
// not penalised). It returns b0, b1, ...
func logistic(x [][]float64, y []float64, lambda float64) ([]float64, error) {
	p := 1
	if len(x) > 0 {
		p += len(x[0])
	}
	beta := make([]float64, p)
	row := func(i int) []float64 { return append([]float64{1}, x[i]...) }
	for iter := 0; iter < 100; iter++ {
		grad := make([]float64, p)
		hess := make([][]float64, p)
		for k := range hess {
			hess[k] = make([]float64, p)
		}
		for i := range x {
			xi := row(i)
			z := 0.0
			for k := range xi {
				z += beta[k] * xi[k]
			}
			pi := 1 / (1 + math.Exp(-z))
			w := pi * (1 - pi)
			for k := range xi {
				grad[k] += (y[i] - pi) * xi[k]
				for l := range xi {
					hess[k][l] += w * xi[k] * xi[l]
				}
			}
		}
		for k := 1; k < p; k++ {
			grad[k] -= lambda * beta[k]
			hess[k][k] += lambda
		}
		step, err := solve(hess, grad)
		if err != nil {
			return nil, err
		}
		largest := 0.0
		for k := range beta {
			beta[k] += step[k]
			largest = math.Max(largest, math.Abs(step[k]))
		}
		if largest < 1e-10 {
			break
		}
	}
	for _, b := range beta {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return nil, errors.New("the fit of the points did not converge to finite numbers")
		}
	}
	return beta, nil
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[piv][c]) {
				piv = r
			}
		}
		if math.Abs(m[piv][c]) < 1e-300 {
			return nil, errors.New("the fit of the points met a singular system")
		}
		m[c], m[piv] = m[piv], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
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
