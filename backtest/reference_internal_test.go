package backtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/internal/stats"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// suggestReference is Suggest as it was first written, kept as the
// reference the fast Suggest is tested against: every candidate scale
// compiled and every lead replayed under it.
//
// Suggest fits points for the model's scoring rules (see Suggestion),
// writes them into src, the text of the model's root rule file at
// filename, changing nothing but the numbers after "points:", and
// backtests the result on the held-out leads, compiled with compile
// (CompileAt when nil). It returns the suggestion and the proposed file's
// text (src itself when the suggestion is withheld). The backtest must
// have been made with Options.Suggest.
func (b *Backtest) suggestReference(ctx context.Context, filename string, src []byte, compile func([]byte) (*rules.Model, error)) (*Suggestion, []byte, error) {
	if !b.opts.Suggest {
		return nil, nil, errors.New("the backtest was not made with Options.Suggest, so it did not keep the leads to score")
	}
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
	for _, r := range m.Rules {
		p := Points{Rule: r.ID, Category: r.Category.Name, Current: r.Points, Suggested: r.Points}
		for _, l := range train {
			if b.units(l)[r.Index] != 0 {
				p.Fired++
			}
		}
		switch {
		case leak[r.ID]:
			p.Kept = "leakage suspected (see its verdict): not fitted, its points kept"
		case p.Fired < MinFired:
			p.Kept = fmt.Sprintf("fired on %d training leads, fewer than %d", p.Fired, MinFired)
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
	fl := b.newFlowsRef(existing)
	target, err := fl.count(ctx, b.scorer)
	if err != nil {
		return nil, nil, err
	}
	type candidate struct {
		scale  float64
		points map[string]float64
		text   []byte
		scorer *scoring.Scorer
		sr     int
	}
	score := func(pts map[string]float64) (*candidate, error) {
		text, err := PatchPoints(m, filename, src, pts)
		if err != nil {
			return nil, err
		}
		pm, err := compile(text)
		if err != nil {
			return nil, fmt.Errorf("the proposed rule file does not compile: %w", err)
		}
		c := &candidate{points: pts, text: text, scorer: scoring.New(pm, scoring.WithUnknownData(scoring.IgnoreUnknown))}
		c.sr, err = fl.count(ctx, c.scorer)
		return c, err
	}
	// The scale that keeps the training leads' sales-ready volume: scales
	// from a quarter to four times the one that keeps the sum of points,
	// the closest volume winning, the nearest to that one on a tie.
	var best *candidate
	seen := map[string]*candidate{}
	try := func(scale float64) error {
		pts := pointsAt(scale)
		key := fmt.Sprint(pts)
		c := seen[key]
		if c == nil {
			if c, err = score(pts); err != nil {
				return err
			}
			c.scale = scale
			seen[key] = c
		}
		if best == nil || abs(c.sr-target) < abs(best.sr-target) {
			best = c
		}
		return nil
	}
	for _, step := range []int{0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8} {
		if err := try(base * math.Pow(2, float64(step)/4)); err != nil {
			return nil, nil, err
		}
	}
	// Then finer, between the grid's neighbours of the best scale.
	// (Counted on the hand-offs over the history: the flow sales works.)
	around := best.scale
	for i := -7; i <= 7 && best.sr != target; i++ {
		if err := try(around * math.Pow(2, float64(i)/32)); err != nil {
			return nil, nil, err
		}
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
	sugTotal, sugSR := map[string]float64{}, map[string]bool{}
	for _, l := range in {
		res, err := best.scorer.ScoreContext(ctx, *b.leadOf(l), b.opts.At)
		if err != nil {
			return nil, nil, fmt.Errorf("scoring with the proposed points: %w", err)
		}
		sugTotal[b.idOf(int(l.seq))], sugSR[b.idOf(int(l.seq))] = res.Total, res.SalesReady
	}
	for _, l := range train {
		if sugSR[b.idOf(int(l.seq))] {
			s.SuggestedTrainSalesReady++
		}
	}
	h := &s.HeldOut
	cur, sug, pos := make([]float64, len(test)), make([]float64, len(test)), make([]bool, len(test))
	for i, l := range test {
		cur[i], sug[i], pos[i] = l.total, sugTotal[b.idOf(int(l.seq))], l.won
	}
	if p, ok := stats.DeLongPaired(cur, sug, pos); ok {
		h.CurrentAUC, h.SuggestedAUC, h.Difference = finite(p.A.Value), finite(p.B.Value), finite(p.Diff)
		if lo, hi, ok := p.Interval(); ok {
			h.DifferenceLow, h.DifferenceHigh = finite(lo), finite(hi)
		}
	}
	tc, ts, tp := make([]float64, len(train)), make([]float64, len(train)), make([]bool, len(train))
	for i, l := range train {
		tc[i], ts[i], tp[i] = l.total, sugTotal[b.idOf(int(l.seq))], l.won
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
	classify(&h.SuggestedSalesReady, func(_ int, l *leadRec) bool { return sugSR[b.idOf(int(l.seq))] })
	h.Volume = h.CurrentSalesReady.Leads
	topCur, topSug := top(cur, h.Volume), top(sug, h.Volume)
	classify(&h.CurrentAtVolume, func(i int, _ *leadRec) bool { return topCur[i] })
	classify(&h.SuggestedAtVolume, func(i int, _ *leadRec) bool { return topSug[i] })

	s.Decision, s.Why = b.decide(s, changed)
	return s, best.text, nil
}

// flows counts the hand-offs a definition makes over the history before
// At: the leads whose first sales-ready moment, replayed, falls in it.
// Only leads that arrived or had an event in the history can be handed
// over in it (a lead's score does not rise without an event), so only
// they are replayed.
type flowsRef struct {
	b      *Backtest
	from   time.Time
	weeks  float64
	leads  []*leadRec
	counts map[*scoring.Scorer]int
}

func (b *Backtest) newFlowsRef(existing []*leadRec) *flowsRef {
	f := &flowsRef{b: b, from: b.historyFrom(), counts: map[*scoring.Scorer]int{}}
	f.weeks = float64(b.opts.At.Sub(f.from)) / float64(7*24*time.Hour)
	in := func(t time.Time) bool { return !t.Before(f.from) && !t.After(b.opts.At) }
	for _, l := range existing {
		if b.leadOf(l) == nil || b.arrival(l).IsZero() {
			continue
		}
		recent := in(b.arrival(l))
		for _, e := range b.leadOf(l).Events {
			recent = recent || in(e.At)
		}
		if recent {
			f.leads = append(f.leads, l)
		}
	}
	return f
}

// count is how many leads the scorer's definition hands over in the history.
func (f *flowsRef) count(ctx context.Context, sc *scoring.Scorer) (int, error) {
	if n, ok := f.counts[sc]; ok {
		return n, nil
	}
	n := 0
	for _, l := range f.leads {
		tl, err := sc.TimelineContext(ctx, *f.b.leadOf(l), f.b.opts.At)
		if err != nil {
			return 0, fmt.Errorf("replaying lead %s: %w", f.b.idOf(int(l.seq)), err)
		}
		if r, found := tl.SalesReadyAt(sc); found {
			at := r.At
			if r.Event == nil && !f.b.created(l).IsZero() && f.b.created(l).Before(r.At) {
				at = f.b.created(l)
			}
			if !at.Before(f.from) && !at.After(f.b.opts.At) {
				n++
			}
		}
	}
	f.counts[sc] = n
	return n, nil
}

// perWeek is a count over the history a week; nil for an empty history.
func (f *flowsRef) perWeek(n int) *float64 {
	if f.weeks <= 0 {
		return nil
	}
	return finite(float64(n) / f.weeks)
}

// readOutcomes reads an outcomes file.
func readOutcomes(t *testing.T, name string) map[string]Outcome {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	outcomes, _, err := attribution.ReadOutcomes(f, func(line int, err error) { t.Fatalf("%s:%d: %v", name, line, err) })
	require.NoError(t, err)
	return outcomes
}

// readAll reads a leads file, with sales' verdicts from dispositions when
// it is not "".
func readAll(t *testing.T, s *scoring.Scorer, name, dispositions string) []scoring.Lead {
	t.Helper()
	var set *feedback.Set
	if dispositions != "" {
		f, err := os.Open(dispositions)
		require.NoError(t, err)
		defer f.Close()
		set, _, err = feedback.ReadDispositions(f, s.Model().Handoff, func(line int, err error) { t.Fatalf("%s:%d: %v", dispositions, line, err) })
		require.NoError(t, err)
	}
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	var leads []scoring.Lead
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: f, InputName: name}, func(line int, l scoring.Lead, err error) error {
		require.NoError(t, err, "line %d", line)
		if set != nil {
			l.Dispositions = set.For(l.ID)
		}
		leads = append(leads, l)
		return nil
	}))
	return leads
}

// TestSuggestIsTheReference: the fast Suggest (every candidate a variant
// of one replay, the leads read again through Leads, in parallel) gives
// the very suggestion and proposed file that the reference gives
// (every candidate compiled, every lead replayed under it), on the
// bundled example, the known-truth set, with verdicts, with and without
// a capacity, and from a parallel reader that hands leads over in any
// order.
func TestSuggestIsTheReference(t *testing.T) {
	root := filepath.Join("..", "testdata")
	type tc struct {
		name, model, leads, outcomes, dispositions string
		opts                                       Options
	}
	at, until := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	cases := []tc{
		{"bundled", "b2b-saas.yaml", "backtest/leads.ndjson", "backtest/outcomes.csv", "", Options{At: at, Until: until, Capacity: &Capacity{Leads: 40, Unit: "week"}, MinWon: 10}},
		{"bundled without capacity, no end", "b2b-saas.yaml", "backtest/leads.ndjson", "backtest/outcomes.csv", "", Options{At: at.AddDate(0, -1, 0), MinWon: 5}},
		{"verdicts", "b2b-saas.yaml", "leads.ndjson", "outcomes.csv", "dispositions.csv", Options{At: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), MinWon: 3, Dispositions: true}},
		{"known truth", "backtest/truth/truth.yaml", "backtest/truth/leads.ndjson", "backtest/truth/outcomes.csv", "", Options{At: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(root, c.model)
			m, err := rules.CompileFile(file)
			require.NoError(t, err)
			s := scoring.New(m)
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			outcomes := readOutcomes(t, filepath.Join(root, c.outcomes))
			disp := ""
			if c.dispositions != "" {
				disp = filepath.Join(root, c.dispositions)
			}
			leads := readAll(t, s, filepath.Join(root, c.leads), disp)
			opts := c.opts
			opts.Suggest = true
			b, err := New(s, outcomes, opts)
			require.NoError(t, err)
			for _, l := range leads {
				require.NoError(t, b.Add(l))
			}
			want, wantText, err := b.suggestReference(context.Background(), file, src, nil)
			require.NoError(t, err)
			require.Empty(t, want.Withheld, "the case must fit points to test the search")
			got, gotText, err := b.Suggest(context.Background(), file, src, nil)
			require.NoError(t, err)
			wj, _ := json.Marshal(want)
			gj, _ := json.Marshal(got)
			assert.JSONEq(t, string(wj), string(gj))
			assert.Equal(t, string(wantText), string(gotText))
			assert.Equal(t, want.handoffs, got.handoffs)
			assert.Equal(t, want.suggestedHandoffs, got.suggestedHandoffs)

			// Leads read again by two goroutines, in reverse order, with a
			// backtest that did not keep them.
			opts.Suggest = false
			b2, err := New(s, outcomes, opts)
			require.NoError(t, err)
			for _, l := range leads {
				require.NoError(t, b2.Add(l))
			}
			reread := func(ctx context.Context, want func(int) bool, each func(int, scoring.Lead) error) error {
				errs := make(chan error, 2)
				for w := 0; w < 2; w++ {
					go func() {
						for i := len(leads) - 1 - w; i >= 0; i -= 2 {
							if want(i) {
								if err := each(i, leads[i]); err != nil {
									errs <- err
									return
								}
							}
						}
						errs <- nil
					}()
				}
				return errors.Join(<-errs, <-errs)
			}
			got2, gotText2, err := b2.SuggestFrom(context.Background(), file, src, nil, reread)
			require.NoError(t, err)
			g2, _ := json.Marshal(got2)
			assert.JSONEq(t, string(wj), string(g2))
			assert.Equal(t, string(wantText), string(gotText2))

			// With the leads' traces (Options.Trace): ranked from them, no
			// lead read again; then with traces so small a limit that a
			// part of the leads is read again (the rest ranked from
			// traces), leads added in another order.
			readSome := false
			for _, limit := range []int64{0, 200, 30} {
				if limit > 0 {
					old := scoring.SetTraceLimit(friend.K(), limit)
					defer scoring.SetTraceLimit(friend.K(), old)
				}
				opts.Trace = true
				b3, err := New(s, outcomes, opts)
				require.NoError(t, err)
				defer b3.Close()
				for i := range leads {
					l := leads[i]
					if limit > 0 {
						l = leads[(i*7919)%len(leads)]
					}
					require.NoError(t, b3.Add(l))
				}
				var mu sync.Mutex
				readAgain := map[int]bool{}
				counting := func(ctx context.Context, want func(int) bool, each func(int, scoring.Lead) error) error {
					return reread(ctx, want, func(i int, l scoring.Lead) error {
						mu.Lock()
						readAgain[i] = true
						mu.Unlock()
						return each(i, l)
					})
				}
				if limit > 0 { // the leads were added in another order
					byID := map[string]scoring.Lead{}
					for _, l := range leads {
						byID[l.ID] = l
					}
					counting = func(ctx context.Context, want func(int) bool, each func(int, scoring.Lead) error) error {
						for i := 0; i < b3.added(); i++ {
							if want(i) {
								mu.Lock()
								readAgain[i] = true
								mu.Unlock()
								if err := each(i, byID[b3.idOf(i)]); err != nil {
									return err
								}
							}
						}
						return nil
					}
				}
				got3, gotText3, err := b3.SuggestFrom(context.Background(), file, src, nil, counting)
				require.NoError(t, err)
				g3, _ := json.Marshal(got3)
				assert.JSONEq(t, string(wj), string(g3), "trace limit %d", limit)
				assert.Equal(t, string(wantText), string(gotText3), "trace limit %d", limit)
				if limit == 0 {
					assert.Empty(t, readAgain, "every lead ranked from its trace")
				} else {
					readSome = readSome || len(readAgain) > 0
					assert.Less(t, len(readAgain), len(leads), "the others are ranked from their traces")
					t.Logf("trace limit %d: %d of %d leads read again", limit, len(readAgain), len(leads))
				}
			}
			assert.True(t, readSome, "the leads whose trace is over the limit are read again")

			// Kept for Suggest (leads from a pipe) with their traces: a
			// lead whose trace was written whole is let go; then with a
			// disk that fails part-way, the traces written before are
			// still ranked from, the rest read again (or kept).
			scoring.SetTraceLimit(friend.K(), wholeTraces) // as without a limit (the deferred calls put it back)
			defer func(n int) { traceBlock = n }(traceBlock)
			traceBlock = 2048 // blocks small enough that a disk failing half-way leaves some
			var written int64
			for _, failAt := range []int64{-1, 0, -2} {
				if failAt == -2 {
					failAt = written / 2
				}
				for _, keep := range []bool{true, false} {
					opts.Trace, opts.Suggest = true, keep
					b4, err := New(s, outcomes, opts)
					require.NoError(t, err)
					defer b4.Close()
					if failAt >= 0 {
						b4.trace.w = &failingWriter{w: b4.trace.f, left: failAt}
					}
					for _, l := range leads {
						require.NoError(t, b4.Add(l))
					}
					var got4 *Suggestion
					var text4 []byte
					var mu sync.Mutex
					readAgain := map[int]bool{}
					if keep {
						got4, text4, err = b4.Suggest(context.Background(), file, src, nil)
					} else {
						got4, text4, err = b4.SuggestFrom(context.Background(), file, src, nil, func(ctx context.Context, want func(int) bool, each func(int, scoring.Lead) error) error {
							return reread(ctx, want, func(i int, l scoring.Lead) error {
								mu.Lock()
								readAgain[i] = true
								mu.Unlock()
								return each(i, l)
							})
						})
					}
					require.NoError(t, err)
					g4, _ := json.Marshal(got4)
					assert.JSONEq(t, string(wj), string(g4), "fail at %d, kept %v", failAt, keep)
					assert.Equal(t, string(wantText), string(text4), "fail at %d, kept %v", failAt, keep)
					if failAt < 0 {
						assert.NoError(t, b4.TraceError())
						written = b4.trace.durable
					} else {
						assert.Error(t, b4.TraceError())
					}
					// The leads a trace lacks are those read again: kept,
					// every one of them, and no other lead is.
					again, err := b4.eachTrace(context.Background(), func(int) bool { return true }, func(*traceWorker, int, []byte, []byte) error { return nil })
					require.NoError(t, err)
					lacks := map[int]bool{}
					for _, i := range again {
						lacks[i] = true
					}
					if !keep {
						for i := range readAgain {
							assert.True(t, lacks[i], "lead %d read again though its trace was written", i)
						}
						if failAt > 0 {
							assert.NotEmpty(t, readAgain, "the leads after the failure are read again")
							assert.Less(t, len(readAgain), len(leads), "those before it are ranked from their traces")
						}
						continue
					}
					kept := 0
					for i, l := range b4.keptLeads {
						if l != nil {
							kept++
							assert.True(t, lacks[i], "lead %d kept though its trace was written whole", i)
						} else if b4.order[i] != unborn && b4.order[i].exclusion == none {
							assert.False(t, lacks[i], "lead %d, in the backtest, let go though its trace is lacking", i)
						}
					}
					t.Logf("fail at %d: %d of %d leads kept", failAt, kept, len(leads))
					if failAt < 0 {
						assert.Less(t, kept, len(leads)/10, "the leads are not kept beside their traces")
					}
				}
			}
		})
	}
}

// failingWriter writes left bytes, then fails: a disk that fills up.
type failingWriter struct {
	w    io.Writer
	left int64
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if int64(len(p)) <= f.left {
		f.left -= int64(len(p))
		return f.w.Write(p)
	}
	n, _ := f.w.Write(p[:f.left])
	f.left = 0
	return n, errors.New("no space left on device")
}

// Leads read again that are not the ones added (the file changed between
// the readings) stop the suggestion with an error, never a figure drawn
// from other leads.
func TestSuggestRefusesChangedLeads(t *testing.T) {
	root := filepath.Join("..", "testdata")
	file := filepath.Join(root, "b2b-saas.yaml")
	m, err := rules.CompileFile(file)
	require.NoError(t, err)
	s := scoring.New(m)
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	outcomes := readOutcomes(t, filepath.Join(root, "backtest", "outcomes.csv"))
	leads := readAll(t, s, filepath.Join(root, "backtest", "leads.ndjson"), "")
	b, err := New(s, outcomes, Options{At: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), MinWon: 10})
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, b.Add(l))
	}
	shifted := func(ctx context.Context, want func(int) bool, each func(int, scoring.Lead) error) error {
		for i := range leads {
			if want(i) {
				if err := each(i, leads[(i+1)%len(leads)]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	_, _, err = b.SuggestFrom(context.Background(), file, src, nil, shifted)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the leads changed since the backtest read them")
}

// Where the reference fails, the fast Suggest fails with the same error:
// here a rule fitted on is in an included file (its points cannot be
// written), and the total cannot be scored for a lead under the current
// points; trying the sets of points in turn, the replay fails first.
func TestSuggestFailsAsTheReference(t *testing.T) {
	file := filepath.Join("testdata", "included", "m.yaml")
	s, src := modelOf(t, file)
	outcomes := readOutcomes(t, filepath.Join("testdata", "included", "outcomes.csv"))
	for _, trace := range []bool{false, true} { // with the leads' traces too
		b, err := New(s, outcomes, Options{At: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Suggest: true, Trace: trace, MinWon: 5})
		require.NoError(t, err)
		added := 0
		for _, l := range readAll(t, s, filepath.Join("testdata", "included", "leads.ndjson"), "") {
			if b.Add(l) == nil { // a lead that fails at T0 is left out, as the CLI leaves it
				added++
			}
		}
		require.Greater(t, added, 250)
		_, _, want := b.suggestReference(context.Background(), file, src, nil)
		require.Error(t, want)
		_, _, got := b.Suggest(context.Background(), file, src, nil)
		require.Error(t, got)
		assert.Equal(t, want.Error(), got.Error(), "trace %v", trace)
		assert.Contains(t, got.Error(), "replaying lead")
		if trace { // the lead that fails was let go for its trace: its error comes from the trace
			id := strings.Fields(strings.TrimPrefix(got.Error(), "replaying lead "))[0]
			id = strings.TrimSuffix(id, ":")
			assert.True(t, b.letGo(b.ids.Find(id)), "lead %s let go", id)
		}
		require.NoError(t, b.Close())
	}
}

// leadOf is the lead kept for a record (Options.Suggest), or nil.
func (b *Backtest) leadOf(l *leadRec) *scoring.Lead {
	if b.keptLeads == nil || l == unborn {
		return nil
	}
	return b.keptLeads[l.seq]
}

// A model whose sales-ready stage reads the lead's events itself (not
// through a define) cannot have its ladder kept in a trace: with
// Options.Trace every lead is read again, and the suggestion is the
// reference's.
func TestSuggestTracedLadderReadingEvents(t *testing.T) {
	root := filepath.Join("..", "testdata")
	orig, err := os.ReadFile(filepath.Join(root, "b2b-saas.yaml"))
	require.NoError(t, err)
	src := []byte(strings.Replace(string(orig), `(engagement >= 50 || recent_demo)`, `(engagement >= 50 || events("demo_request", "30d") > 0)`, 1))
	require.NotEqual(t, string(orig), string(src))
	dir := t.TempDir()
	file := filepath.Join(dir, "b2b-saas.yaml")
	require.NoError(t, os.WriteFile(file, src, 0o644))
	lists, err := os.ReadFile(filepath.Join(root, "common", "lists.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "common"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "lists.yaml"), lists, 0o644))
	m, err := rules.CompileFile(file)
	require.NoError(t, err)
	s := scoring.New(m)
	outcomes := readOutcomes(t, filepath.Join(root, "backtest", "outcomes.csv"))
	leads := readAll(t, s, filepath.Join(root, "backtest", "leads.ndjson"), "")
	opts := Options{At: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Capacity: &Capacity{Leads: 40, Unit: "week"}, MinWon: 10, Suggest: true}
	b, err := New(s, outcomes, opts)
	require.NoError(t, err)
	opts.Suggest, opts.Trace = false, true
	bt, err := New(s, outcomes, opts)
	require.NoError(t, err)
	defer bt.Close()
	for _, l := range leads {
		require.NoError(t, b.Add(l))
		require.NoError(t, bt.Add(l))
	}
	want, wantText, err := b.suggestReference(context.Background(), file, src, nil)
	require.NoError(t, err)
	read := 0
	got, gotText, err := bt.SuggestFrom(context.Background(), file, src, nil, func(ctx context.Context, want func(int) bool, each func(int, scoring.Lead) error) error {
		for i, l := range leads {
			if want(i) {
				read++
				if err := each(i, l); err != nil {
					return err
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	assert.JSONEq(t, string(wj), string(gj))
	assert.Equal(t, string(wantText), string(gotText))
	assert.Greater(t, read, len(leads), "the leads are read again, for each pass")
}

// wholeTraces is a limit on a lead's trace no bundled lead comes near.
const wholeTraces = 4 << 20

// A backtest that let its leads go for their traces (leads from a pipe,
// Options.Suggest with Options.Trace) is not merged into another: the
// other could not suggest from them.
func TestMergeRefusesLeadsLetGoForTraces(t *testing.T) {
	root := filepath.Join("..", "testdata")
	m, err := rules.CompileFile(filepath.Join(root, "b2b-saas.yaml"))
	require.NoError(t, err)
	s := scoring.New(m)
	outcomes := readOutcomes(t, filepath.Join(root, "backtest/outcomes.csv"))
	leads := readAll(t, s, filepath.Join(root, "backtest/leads.ndjson"), "")
	opts := Options{At: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Suggest: true, Trace: true}
	shard := func(leads []scoring.Lead) *Backtest {
		b, err := New(s, outcomes, opts)
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		for _, l := range leads {
			require.NoError(t, b.Add(l))
		}
		return b
	}
	a, b := shard(leads[:1500]), shard(leads[1500:])
	require.True(t, b.traced())
	require.True(t, b.dropped, "its leads were let go once their traces were written")
	err = a.Merge(b)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot merge a backtest that kept its leads' traces in place of the leads")
	assert.Equal(t, 1500, a.added(), "nothing was merged")
}

// modelOf compiles a rule file, with a scorer of it and its text.
func modelOf(t *testing.T, file string) (*scoring.Scorer, []byte) {
	t.Helper()
	m, err := rules.CompileFile(file)
	require.NoError(t, err)
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	return scoring.New(m), src
}
