package htmlreport

import (
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/review"
)

// ScoredSource says what the joint review's scored leads give, and which
// sales-ready count each part reads: the change's (sales-ready at the
// as-of time), sales' verdicts (handed to sales by then, ever) and
// attribution's (journeys made sales-ready). Parts not run are nil.
func ScoredSource(leads string, asOf time.Time, d *review.Report, fb *feedback.Report, a *attribution.Report) Sentence {
	l := ln("Scored: " + leads + " as of " + asOf.Format("2006-01-02") + ". ")
	if d != nil && d.Impact != nil {
		l = ln(l, Int("diff.impact.sales_ready_old", d.Impact.SalesReadyOld), " of ", Int("diff.impact.leads", d.Impact.Leads), " leads stand sales-ready then (the change); ")
	}
	if fb != nil {
		l = ln(l, Int("feedback.sales_ready", fb.SalesReady), " were handed to sales at some moment up to then (sales' verdicts); ")
	}
	if a != nil {
		l = ln(l, Int("attribution.total.funnel.sales_ready", a.Total.Funnel.SalesReady), " journeys became sales-ready (attribution).")
	}
	return l
}

// BacktestSource says what the backtest rests on: its leads, snapshot and
// outcome window, and the sales-ready count at the snapshot.
func BacktestSource(r *backtest.Report, leads, prefix string) Sentence {
	until := "since then"
	if r.Until != nil {
		until = "to " + r.Until.Format("2006-01-02")
	}
	return ln("Backtested: "+leads+" at the snapshot "+r.At.Format("2006-01-02")+", outcomes "+until+": ", Int(p(prefix, "leads", "in_backtest"), r.Leads.InBacktest),
		" leads, ", Int(p(prefix, "sales_ready", "leads"), r.SalesReady.Leads), " of them sales-ready at the snapshot, ", Int(p(prefix, "won"), r.Won), " won after it (AUC, recall, capacity).")
}

// ComparisonSection puts the backtests of the current and the proposed
// definitions side by side: ranking (AUC), the sales-ready stage as a
// classifier, its hand-offs a period, and precision and recall at equal
// volume, that is at each one's threshold that fits sales' capacity.
func ComparisonSection(cur, prop *backtest.Report, cp, pp string) Section {
	sec := Section{ID: "compare", Title: "Current vs proposed, backtested"}
	sec.Intro = []string{"Both definitions scored on the same leads at the same snapshot and judged against the same outcomes. Intervals are 95%. " +
		"At equal volume: each definition at its own threshold that fits sales' capacity, so that both send about as many leads."}
	type row struct {
		name string
		cell func(r *backtest.Report, prefix string) Cell
	}
	cap := func(r *backtest.Report) *backtest.CapacityReport { return r.Capacity }
	rows := []row{
		{"AUC", func(r *backtest.Report, pf string) Cell {
			return withIv(Maybe(p(pf, "auc"), r.AUC, "dec3"), p(pf, "auc_interval"), r.AUCInterval, "dec3")
		}},
		{"sales-ready at the snapshot", func(r *backtest.Report, pf string) Cell {
			return Int(p(pf, "sales_ready", "leads"), r.SalesReady.Leads)
		}},
		{"of them, won", func(r *backtest.Report, pf string) Cell { return Int(p(pf, "sales_ready", "won"), r.SalesReady.Won) }},
		{"precision", func(r *backtest.Report, pf string) Cell {
			return withIv(Maybe(p(pf, "sales_ready", "precision"), r.SalesReady.Precision, "pct"), p(pf, "sales_ready", "precision_interval"), r.SalesReady.PrecisionInterval, "pct")
		}},
		{"recall", func(r *backtest.Report, pf string) Cell {
			return withIv(Maybe(p(pf, "sales_ready", "recall"), r.SalesReady.Recall, "pct"), p(pf, "sales_ready", "recall_interval"), r.SalesReady.RecallInterval, "pct")
		}},
		{"won deals missed", func(r *backtest.Report, pf string) Cell {
			return Int(p(pf, "sales_ready", "missed_won"), r.SalesReady.MissedWon)
		}},
		{"their revenue", func(r *backtest.Report, pf string) Cell {
			return Number(p(pf, "sales_ready", "missed_revenue"), r.SalesReady.MissedRevenue, "money")
		}},
	}
	if cap(cur) != nil && cap(prop) != nil {
		unit := cur.Capacity.Unit
		rows = append(rows,
			row{"hand-offs a " + unit, func(r *backtest.Report, pf string) Cell {
				c := r.Capacity.Current
				return withIv(Maybe(p(pf, "capacity", "current", "leads_per_period"), c.PerPeriod, "dec2"), p(pf, "capacity", "current", "leads_per_period_interval"), c.PerPeriodInterval, "dec2")
			}},
			row{"at equal volume: threshold", func(r *backtest.Report, pf string) Cell {
				if r.Capacity.Threshold == nil {
					return Maybe(p(pf, "capacity", "threshold"), nil, "dec1")
				}
				return Number(p(pf, "capacity", "threshold"), *r.Capacity.Threshold, wholeOr(*r.Capacity.Threshold, "dec1"))
			}},
			row{"at equal volume: leads a " + unit, func(r *backtest.Report, pf string) Cell {
				at := r.Capacity.At
				if at == nil {
					return Maybe(p(pf, "capacity", "at_threshold"), nil, "dec2")
				}
				return withIv(Maybe(p(pf, "capacity", "at_threshold", "leads_per_period"), at.PerPeriod, "dec2"), p(pf, "capacity", "at_threshold", "leads_per_period_interval"), at.PerPeriodInterval, "dec2")
			}},
			row{"at equal volume: precision (won after crossing)", func(r *backtest.Report, pf string) Cell {
				at := r.Capacity.At
				if at == nil {
					return Maybe(p(pf, "capacity", "at_threshold"), nil, "pct")
				}
				return withIv(Maybe(p(pf, "capacity", "at_threshold", "win_rate"), at.WinRate, "pct"), p(pf, "capacity", "at_threshold", "win_rate_interval"), at.WinRateInterval, "pct")
			}},
			row{"at equal volume: recall", func(r *backtest.Report, pf string) Cell {
				at := r.Capacity.At
				if at == nil {
					return Maybe(p(pf, "capacity", "at_threshold"), nil, "pct")
				}
				return Maybe(p(pf, "capacity", "at_threshold", "recall"), at.Recall, "pct")
			}})
	}
	t := &Table{Head: []string{"measure", "current", "proposed"}}
	for _, r := range rows {
		t.Rows = append(t.Rows, Row{Keep: true, Cells: []Cell{Text(r.name), r.cell(cur, cp), r.cell(prop, pp)}}) // every row prints: they are the comparison
	}
	var est []Estimate
	for _, e := range []struct {
		name string
		r    *backtest.Report
	}{{"current", cur}, {"proposed", prop}} {
		if e.r.AUC != nil && e.r.AUCInterval != nil {
			est = append(est, Estimate{Label: "AUC, " + e.name, Value: *e.r.AUC, Low: e.r.AUCInterval.Low, High: e.r.AUCInterval.High, Kind: 0})
		}
		if s := e.r.SalesReady; s.Recall != nil && s.RecallInterval != nil {
			est = append(est, Estimate{Label: "recall, " + e.name, Value: *s.Recall, Low: s.RecallInterval.Low, High: s.RecallInterval.High, Kind: 1})
		}
	}
	b := Block{Title: "The two definitions on the same leads", Table: t}
	if len(est) > 0 {
		b.Chart = Intervals("AUC and recall of the sales-ready stage, current and proposed, with 95% intervals", est, []string{"AUC", "recall"}, []string{"#0072B2", "#E69F00"}, "dec3")
	}
	sec.Blocks = append(sec.Blocks, b)
	return sec
}

// withIv is a number followed by its 95% interval, each end with its path.
func withIv(v Cell, path string, iv *backtest.Interval, format string) Cell {
	if iv == nil || v.Value == "null" {
		return v
	}
	return Parts(v, Text(" ("), Number(path+".low", iv.Low, format), Text(" to "), Number(path+".high", iv.High, format), Text(")"))
}
