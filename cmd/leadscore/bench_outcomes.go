package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// outcomeStage is one stage of the outcome loop bench --outcomes times.
type outcomeStage struct {
	name, what string
	ns         float64 // per lead
}

// benchOutcomes times, per lead and on one core, each stage a backtest
// takes a lead through, so that a regression in one shows: decoding its
// line, scoring it at T0, replaying its timeline, the whole of
// Backtest.Measure (both, and its label), the report's fit, and the
// suggested points' passes (a replay under the 17 candidate scales, and
// a score under one set of points). lines are the leads' NDJSON lines,
// nil when they came another way (decoding is then not timed).
func benchOutcomes(m *rules.Model, lines [][]byte, leads []scoring.Lead, outcomes map[string]attribution.Outcome, t0 time.Time, rounds int, stdout io.Writer) error {
	ctx := context.Background()
	s := scoring.New(m, scoring.WithUnknownData(scoring.IgnoreUnknown))
	// Only leads that score, and whose timeline replays, are timed, as in
	// the rule costs above; the others are counted.
	var ok []scoring.Lead
	var okLines [][]byte
	seen := map[string]bool{}
	for i, l := range leads {
		if l.ID == "" || seen[l.ID] {
			continue // a backtest takes each id once
		}
		seen[l.ID] = true
		_, err := s.ScoreContext(ctx, l, t0)
		if err == nil {
			_, err = s.TimelineContext(ctx, l, t0)
		}
		if err == nil {
			ok = append(ok, l)
			if lines != nil {
				okLines = append(okLines, lines[i])
			}
		}
	}
	if len(ok) == 0 {
		return nil // the rule costs above said why
	}
	opts := backtest.Options{At: t0, Capacity: &backtest.Capacity{Leads: 40, Unit: "week"}}
	// The candidate scales of --suggest: the model's points times 2^(k/4).
	var grid [][]float64
	for k := -8; k <= 8; k++ {
		p := make([]float64, len(m.Rules))
		for i, r := range m.Rules {
			p[i] = math.Round(r.Points * math.Pow(2, float64(k)/4))
		}
		grid = append(grid, p)
	}
	own := [][]float64{make([]float64, len(m.Rules))}
	for i, r := range m.Rules {
		own[0][i] = r.Points
	}
	perLead := func(f func() error) (float64, error) {
		start := time.Now()
		for r := 0; r < rounds; r++ {
			if err := f(); err != nil {
				return 0, err
			}
		}
		return float64(time.Since(start).Nanoseconds()) / float64(rounds*len(ok)), nil
	}
	each := func(f func(scoring.Lead) error) func() error {
		return func() error {
			for _, l := range ok {
				if err := f(l); err != nil {
					return err
				}
			}
			return nil
		}
	}
	// The leads' traces, kept once for the stages that rank from them.
	var traceBuf []byte
	var traces [][]byte
	for _, l := range ok {
		rec, err := s.AppendTrace(friend.K(), ctx, nil, l, t0, true, true)
		if err != nil {
			return err
		}
		traces = append(traces, rec)
	}
	tr, err := s.NewTraceRanker(friend.K())
	if err != nil {
		return err
	}
	reachedAt, flags, ownOut := make([]time.Time, len(grid)), make([]bool, 3*len(grid)), make([]scoring.Variant, 1)
	eachTrace := func(f func(tr *scoring.TraceRanker, history, at []byte) error) error {
		for _, rec := range traces {
			history, at, again, err := scoring.TraceParts(rec)
			if err != nil {
				return err
			}
			if again {
				continue // a lead its trace cannot keep is read again (suggest replay)
			}
			if err := f(tr, history, at); err != nil {
				return err
			}
		}
		return nil
	}
	var stages []outcomeStage
	add := func(name, what string, f func() error) error {
		ns, err := perLead(f)
		stages = append(stages, outcomeStage{name, what, ns})
		return err
	}
	if okLines != nil {
		if err := add("decode", "its NDJSON line into a map (the leads backtest, feedback and attribute read)", func() error {
			for _, l := range okLines {
				if _, err := leadfile.DecodeJSON(l); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	steps := []struct {
		name, what string
		f          func() error
	}{
		{"score", "at T0, the snapshot every figure of the report reads", each(func(l scoring.Lead) error { _, err := s.ScoreContext(ctx, l, t0); return err })},
		{"timeline", "replayed up to T0, for the capacity flows", each(func(l scoring.Lead) error { _, err := s.TimelineContext(ctx, l, t0); return err })},
		{"measure", "score, timeline and label together, as the backtest keeps a lead (Backtest.Measure)", func() error {
			b, err := backtest.New(s, outcomes, opts)
			if err != nil {
				return err
			}
			return each(func(l scoring.Lead) error { return b.Measure(ctx, l).Err() })()
		}},
		{"report", "the report's fit and tables, per lead measured", nil},
		{"suggest trace", "its trace kept, its history and its point at T0, as --suggest keeps it while the backtest measures it", each(func(l scoring.Lead) error {
			var err error
			traceBuf, err = s.AppendTrace(friend.K(), ctx, traceBuf[:0], l, t0, true, true)
			return err
		})},
		{"suggest rank", fmt.Sprintf("ranked from its trace under %d candidate sets of points, a pass of --suggest", len(grid)), func() error {
			return eachTrace(func(tr *scoring.TraceRanker, history, _ []byte) error {
				return tr.FirstSalesReady(history, grid, reachedAt, flags[:len(grid)], flags[len(grid):2*len(grid)], flags[2*len(grid):])
			})
		}},
		{"suggest score", "at T0 under one set of points from its trace, the last pass of --suggest", func() error {
			return eachTrace(func(tr *scoring.TraceRanker, _, at []byte) error { return tr.Variants(at, own, ownOut, flags[:1]) })
		}},
		{"suggest replay", fmt.Sprintf("the timeline under the %d sets of points at once, for a lead read again (one its trace cannot keep)", len(grid)), each(func(l scoring.Lead) error {
			_, _, _, err := s.FirstSalesReady(ctx, l, t0, grid) // a set of points failing on a lead is timed as it goes
			return err
		})},
	}
	for _, st := range steps {
		f := st.f
		if st.name == "report" {
			b, err := backtest.New(s, outcomes, opts)
			if err != nil {
				return err
			}
			for _, l := range ok {
				if err := b.Add(l); err != nil {
					return err
				}
			}
			f = func() error { b.Report(); return nil }
		}
		if err := add(st.name, st.what, f); err != nil {
			return err
		}
	}
	labelled := 0
	for _, l := range ok {
		if _, has := outcomes[l.ID]; has {
			labelled++
		}
	}
	left := ""
	if n := len(leads) - len(ok); n > 0 {
		left = fmt.Sprintf("; %s left out, which fail to score or to replay, or have no id or one taken already", numfmt.Thousands(n))
	}
	fmt.Fprintf(stdout, "\nthe outcome loop, per lead, over %s leads (%s with an outcome%s), T0 %s, one core:\n",
		numfmt.Thousands(len(ok)), numfmt.Thousands(labelled), left, t0.Format(time.RFC3339))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ns/lead\tstage\twhat it does")
	for _, st := range stages {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", numfmt.Thousands(int(st.ns+0.5)), st.name, st.what)
	}
	return tw.Flush()
}
