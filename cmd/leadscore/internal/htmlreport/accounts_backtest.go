package htmlreport

import (
	"fmt"
	"strings"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/internal/numfmt"
)

// AccountBacktestSummary is the first screen of backtest --accounts: the
// AUC, the won deals the sales-ready account stage caught, the revenue it
// missed and the hand-offs a week, each with its interval and n.
func AccountBacktestSummary(r *backtest.AccountReport, prefix string) []Tile {
	path := func(parts ...any) string { return p(prefix, parts...) }
	sr := func(k string) string { return path("sales_ready", k) }
	notWon := r.Accounts.InBacktest - r.Won
	s := r.SalesReady
	tiles := []Tile{
		{KPI: "auc", Label: "AUC: do won accounts score higher?", Value: Maybe(path("auc"), r.AUC, "dec3"),
			Detail: ln(ivWords(path("auc_interval"), r.AUCInterval, "dec3"), Int(path("won"), r.Won), " won, ", Derived(float64(notWon), "int"), " not won")},
		{KPI: "recall", Label: "Won accounts the sales-ready stage caught", Value: Maybe(sr("recall"), s.Recall, "pct"),
			Detail: ln(ivWords(sr("recall_interval"), s.RecallInterval, "pct"), Int(sr("won"), s.Won), " of ", Int(path("won"), r.Won), " won")},
		{KPI: "missed_revenue", Label: "Won revenue it missed", Value: Number(sr("missed_revenue"), s.MissedRevenue, "money"),
			Detail: ln(Int(sr("missed_won"), s.MissedWon), " won "+numfmt.Noun(s.MissedWon, "account")+" not sales-ready at the snapshot")},
	}
	if c := r.Capacity; c != nil {
		cp := func(k string) string { return path("capacity", k) }
		tiles = append(tiles, Tile{KPI: "handoffs_per_week", Label: "Accounts handed over a week", Value: Maybe(cp("accounts_per_week"), c.PerWeek, "dec2"),
			Detail: ln(ivWords(cp("accounts_per_week_interval"), c.PerWeekInterval, "dec2"), Int(cp("handed_over"), c.HandedOver), " over ", Number(cp("weeks"), c.Weeks, wholeOr(c.Weeks, "dec1")), " weeks")})
	}
	return tiles
}

// AccountBacktestSections are the sections of backtest --accounts: the
// sales-ready account definition as a classifier of won deals with its
// verdict, conversion by account stage, each account rule and gate against
// won, the hand-offs a week, and the leads and accounts left out.
func AccountBacktestSections(r *backtest.AccountReport, prefix string) []Section {
	path := func(parts ...any) string { return p(prefix, parts...) }
	sec := Section{ID: "backtest-accounts", Title: "Does the definition pick the accounts that win?", Warnings: r.Warnings}
	until := "since the snapshot"
	if r.Until != nil {
		until = "by " + r.Until.Format("2006-01-02")
	}
	sec.Intro = append([]string{fmt.Sprintf("%s in the backtest, of %s in the accounts file, scored as they stood at %s with the people they had then; %s won %s. The sales-ready account stage is %s.",
		numfmt.Count(r.Accounts.InBacktest, "account"), numfmt.Thousands(r.Accounts.Added), r.At.Format("2006-01-02"), numfmt.Thousands(r.Won), until, r.Stage)}, r.Notes...)
	verdict := ln("Verdict on the sales-ready definition: " + r.Verdict)
	if r.Why != "" {
		verdict = ln(verdict, " ("+r.Why+")")
	}
	if e := r.Effect; e != nil {
		verdict = ln(verdict, "; log-odds of winning of a sales-ready account over the rest ", Number(path("effect", "estimate"), e.Estimate, "dec2"),
			" (95%: ", Number(path("effect", "low"), e.Low, "dec2"), " to ", Number(path("effect", "high"), e.High, "dec2"), ")")
	}
	sec.Summary = []Sentence{ln(verdict, ".")}

	c := r.SalesReady
	sr := func(k string) string { return path("sales_ready", k) }
	none := Text("")
	ac := func(k string) string { return path("accounts", k) }
	ct := &Table{Head: []string{"measure", "value", "95% interval"}, Rows: []Row{
		{Cells: []Cell{Text("accounts in the accounts file"), Int(ac("added"), r.Accounts.Added), none}},
		{Cells: []Cell{Text("left out: row could not be read"), Int(ac("unreadable"), r.Accounts.Unreadable), none}},
		{Cells: []Cell{Text("left out: could not be scored"), Int(ac("failed"), r.Accounts.Failed), none}},
		{Cells: []Cell{Text("left out: no person by the snapshot"), Int(ac("not_created"), r.Accounts.NotCreated), none}},
		{Cells: []Cell{Text("left out: won or lost by the snapshot"), Int(ac("decided"), r.Accounts.Decided), none}},
		{Cells: []Cell{Text("left out: an open opportunity at the snapshot"), Int(ac("open_opportunity"), r.Accounts.OpenOpportunity), none}},
		{Cells: []Cell{Text("accounts in the backtest"), Int(ac("in_backtest"), r.Accounts.InBacktest), none}},
		{Cells: []Cell{Text("of them, with no outcome row (not won)"), Int(ac("without_outcome"), r.Accounts.WithoutOutcome), none}},
		{Cells: []Cell{Text("became opportunities"), Int(path("opportunities"), r.Opportunities), none}},
		{Cells: []Cell{Text("won"), Int(path("won"), r.Won), none}},
		{Cells: []Cell{Text("won revenue"), Number(path("revenue"), r.Revenue, "money"), none}},
		{Cells: []Cell{Text("sales-ready at the snapshot"), Int(sr("leads"), c.Leads), none}},
		{Cells: []Cell{Text("of them, won"), Int(sr("won"), c.Won), none}},
		{Cells: []Cell{Text("precision"), Maybe(sr("precision"), c.Precision, "pct"), ivCell(sr("precision_interval"), c.PrecisionInterval, "pct")}},
		{Cells: []Cell{Text("recall"), Maybe(sr("recall"), c.Recall, "pct"), ivCell(sr("recall_interval"), c.RecallInterval, "pct")}},
		{Cells: []Cell{Text("won accounts it missed"), Int(sr("missed_won"), c.MissedWon), none}},
		{Cells: []Cell{Text("their revenue"), Number(sr("missed_revenue"), c.MissedRevenue, "money"), none}},
		{Cells: []Cell{Text("AUC (won)"), Maybe(path("auc"), r.AUC, "dec3"), ivCell(path("auc_interval"), r.AUCInterval, "dec3")}},
		{Cells: []Cell{Text("AUC (opportunity)"), Maybe(path("auc_opportunity"), r.AUCOpportunity, "dec3"), none}},
	}}
	for i, ca := range r.CategoryAUC {
		ct.Rows = append(ct.Rows, Row{Cells: []Cell{Text("AUC of the " + ca.Name + " score"), Maybe(path("category_auc", i, "value"), ca.Value, "dec3"), none}})
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "The sales-ready account definition as a classifier of won deals", Table: ct,
		Note: "Precision: of the sales-ready accounts, the share that won. Recall: of the won accounts, the share the definition called sales-ready (95% Wilson intervals). AUC: how often a won account outscores one that did not win (0.5 is a coin toss), with its 95% interval (DeLong)."})

	if len(r.Stages) > 0 {
		t := &Table{Sortable: true, Head: []string{"stage", "accounts", "opportunities", "opp. rate", "won", "win rate", "95% interval", "lift"}}
		for i, gr := range r.Stages {
			gp := func(k string) string { return path("stages", i, k) }
			t.Rows = append(t.Rows, Row{Small: small(gr.Leads, gr.Won), Cells: []Cell{Text(stageName(gr.Name)), Int(gp("leads"), gr.Leads), Int(gp("opportunities"), gr.Opportunities), Maybe(gp("opportunity_rate"), gr.OpportunityRate, "pct"),
				Int(gp("won"), gr.Won), Maybe(gp("win_rate"), gr.WinRate, "pct"), ivCell(gp("win_rate_interval"), gr.WinRateInterval, "pct"), Maybe(gp("lift"), gr.Lift, "dec2")}})
		}
		sec.Blocks = append(sec.Blocks, Block{Title: "Conversion by account stage", Table: t,
			Note: "The account's stage at the snapshot; the win rate's 95% Wilson interval beside it. Grey rows rest on fewer than " + fmt.Sprint(smallLeads) + " accounts or " + fmt.Sprint(smallWon) + " won deals: read them with their intervals."})
	}
	out := []Section{sec}

	if len(r.Rules) > 0 {
		rs := Section{ID: "backtest-accounts-rules", Title: "Each account rule and gate against won"}
		t := &Table{Sortable: true, Head: []string{"rule", "kind", "fired (gate: stopped)", "of them, won", "win rate", "leakage or check"}}
		for i, s := range r.Rules {
			kind := "rule"
			if s.Gate {
				kind = "gate"
			}
			note := s.Leakage
			if note == "" {
				note = s.Check
			}
			t.Rows = append(t.Rows, Row{Cells: []Cell{Text(s.Rule), Text(kind), Int(path("rules", i, "fired"), s.Fired), Int(path("rules", i, "fired_won"), s.FiredWon),
				Maybe(path("rules", i, "win_rate"), s.WinRate, "pct"), Text(orDash(note))}})
		}
		rs.Blocks = append(rs.Blocks, Block{Title: "Rules and gates at the snapshot", Table: t,
			Note: "A rule that fires nearly only on accounts that went on to win, or a gate that stopped accounts that won, may read values written after the snapshot (leakage)."})
		out = append(out, rs)
	}

	if cp := r.Capacity; cp != nil {
		cs := Section{ID: "backtest-accounts-capacity", Title: "How many accounts the definition hands to sales"}
		k := func(parts ...any) string { return path(append([]any{"capacity"}, parts...)...) }
		cs.Summary = []Sentence{ln(Int(k("handed_over"), cp.HandedOver), " "+numfmt.Noun(cp.HandedOver, "account")+" handed over in ", Number(k("weeks"), cp.Weeks, wholeOr(cp.Weeks, "dec1")),
			" weeks from "+cp.From.Format("2006-01-02")+": ", Maybe(k("accounts_per_week"), cp.PerWeek, "dec2"), " a week", iv95(k("accounts_per_week_interval"), cp.PerWeekInterval, "dec2"),
			"; ", Int(k("won_after"), cp.Won), " of them won after (", Maybe(k("win_rate"), cp.WinRate, "pct"), iv95(k("win_rate_interval"), cp.WinRateInterval, "pct"), ").")}
		var groups []string
		var vals [][]float64
		wt := &Table{Head: []string{"week from", "to", "handed over", "won after"}}
		for i, w := range cp.Weekly {
			groups = append(groups, w.From.Format("01-02"))
			vals = append(vals, []float64{float64(w.HandedOver), float64(w.Won)})
			wt.Rows = append(wt.Rows, Row{Cells: []Cell{Text(w.From.Format("2006-01-02")), Text(w.To.Format("2006-01-02")), Int(k("weekly", i, "handed_over"), w.HandedOver), Int(k("weekly", i, "won_after"), w.Won)}})
		}
		note := "Each account is replayed up to the snapshot at every moment one of its people arrived, had an event or saw one leave a window, and handed over at the first moment it was sales-ready; the interval is an exact Poisson one."
		if cp.Unknown > 0 {
			note += fmt.Sprintf(" %s sales-ready at the snapshot at no moment the replay tried: left out of the flow.", numfmt.Count(cp.Unknown, "account"))
		}
		block := Block{Title: "Hand-offs by week", Table: wt, Note: note}
		if len(groups) > 0 {
			block.Chart = Bars("Accounts handed over each week, and those of them won after", groups, []string{"handed over", "won after"}, vals, "int")
		}
		cs.Blocks = append(cs.Blocks, block)
		out = append(out, cs)
	}

	if len(r.Unmatched) > 0 || len(r.Failed) > 0 {
		ls := Section{ID: "backtest-accounts-left-out", Title: "Leads and accounts left out"}
		if len(r.Failed) > 0 {
			t := &Table{Head: []string{"account", "line", "why"}}
			for _, f := range r.Failed {
				t.Rows = append(t.Rows, Row{Cells: []Cell{Text(orDash(f.ID)), Text(fmt.Sprint(f.Line)), Text(f.Reason)}})
			}
			ls.Blocks = append(ls.Blocks, Block{Title: fmt.Sprintf("Accounts that failed (%d)", len(r.Failed)), Table: t})
		}
		if len(r.Unmatched) > 0 {
			t := &Table{Head: []string{"lead", "line", "why"}}
			for _, u := range r.Unmatched {
				t.Rows = append(t.Rows, Row{Cells: []Cell{Text(u.ID), Text(fmt.Sprint(u.Line)), Text(u.Reason)}})
			}
			ls.Blocks = append(ls.Blocks, Block{Title: fmt.Sprintf("Leads that matched no account (%s)", numfmt.Thousands(r.Leads.Unmatched)), Table: t,
				Note: strings.TrimSpace(fmt.Sprintf("%s listed.", numfmt.Count(len(r.Unmatched), "lead")))})
		}
		out = append(out, ls)
	}
	return out
}
