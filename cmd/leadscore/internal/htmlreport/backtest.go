package htmlreport

import (
	"cmp"
	"fmt"
	"math"
	"strings"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/internal/numfmt"
)

// ln builds a line of words and numbers: a string is words (skipped when
// empty), a Cell one number or badge, a Sentence its parts.
func ln(parts ...any) Sentence {
	var l Sentence
	for _, x := range parts {
		switch v := x.(type) {
		case string:
			if v != "" {
				l = append(l, Text(v))
			}
		case Cell:
			l = append(l, v)
		case Sentence:
			l = append(l, v...)
		default:
			panic(fmt.Sprintf("htmlreport: ln: %T", x))
		}
	}
	return l
}

// ivCell is an interval's two ends, each with its own path (path.low and
// path.high), or — at path when the report has none (null).
func ivCell(path string, iv *backtest.Interval, format string) Cell {
	if iv == nil {
		return Maybe(path, nil, format)
	}
	return Parts(Number(path+".low", iv.Low, format), Text(" to "), Number(path+".high", iv.High, format))
}

// ivPair is an interval kept as two fields of the report (such as a band's
// win_rate_low and win_rate_high).
func ivPair(lowPath string, low *float64, highPath string, high *float64, format string) Cell {
	if low == nil && high == nil {
		return Maybe(lowPath, nil, format)
	}
	return Parts(Maybe(lowPath, low, format), Text(" to "), Maybe(highPath, high, format))
}

// iv95 words an interval after its estimate: " (95%: a to b)"; nothing
// when the report has none.
func iv95(path string, iv *backtest.Interval, format string) Sentence {
	if iv == nil {
		return nil
	}
	return ln(" (95%: ", Number(path+".low", iv.Low, format), " to ", Number(path+".high", iv.High, format), ")")
}

// coefInterval is a coefficient's 95% interval as an Interval.
func coefInterval(c *backtest.Coefficient) *backtest.Interval {
	if c == nil {
		return nil
	}
	return &backtest.Interval{Low: c.Low, High: c.High}
}

// Rows resting on fewer leads or won deals than these are greyed: their
// rates are for reading with their intervals, not alone.
const smallLeads, smallWon = 30, 5

// smallNote says what a grey row is.
var smallNote = fmt.Sprintf("Grey rows rest on fewer than %d leads or %d won deals: read them with their intervals.", smallLeads, smallWon)

// small reports whether a row of leads and won deals is too small to
// read alone.
func small(leads, won int) bool { return leads < smallLeads || won < smallWon }

// wholeOrPtr is wholeOr for a number that may be absent.
func wholeOrPtr(v *float64, format string) string {
	if v == nil {
		return format
	}
	return wholeOr(*v, format)
}

// wholeAll is "int" when every value is whole, else the format given.
func wholeAll(values [][]float64, format string) string {
	for _, row := range values {
		for _, v := range row {
			if v != math.Trunc(v) && !math.IsNaN(v) {
				return format
			}
		}
	}
	return "int"
}

// wholeOr is "int" for a whole number, else the format given: a
// threshold of 29 reads 29, one of 29.5 reads 29.5.
func wholeOr(v float64, format string) string {
	if v == math.Trunc(v) {
		return "int"
	}
	return format
}

// verdictOrder is the order rule verdicts are counted and coloured in.
var verdictOrder = []string{backtest.Predictive, backtest.AntiPredictive, backtest.NoEvidence, backtest.TooLittleData, backtest.LeakageSuspected}

// verdictColours match the badges' borders (page.html.tmpl), one for
// each of verdictOrder; a verdict outside it is drawn black.
var verdictColours = map[string]string{backtest.Predictive: "#009E73", backtest.AntiPredictive: "#D55E00", backtest.NoEvidence: "#8a949e",
	backtest.TooLittleData: "#56B4E9", backtest.LeakageSuspected: "#CC79A7"}

// BacktestSections shows the backtest of the definition, answers first:
// its warnings and a summary (the AUC, the sales-ready definition's
// precision and recall, the rules' verdicts, the capacity, the calibration,
// the suggested points, sales' verdicts), then the definition as a
// classifier of won deals, conversion by stage and grade, score bands
// with their calibrated chance, the calibration; each rule's verdict;
// the capacity curve with its threshold control and the weekly series;
// the suggested points with their held-out test; the verdict view; the
// drift; the stability over time; the holdout experiment.
func BacktestSections(r *backtest.Report, prefix string) []Section {
	path := func(parts ...any) string { return p(prefix, parts...) }
	sec := Section{ID: "backtest", Title: "Does the definition pick the leads that win?", Warnings: r.Warnings}
	sec.Summary = backtestSummary(r, prefix)
	until := "since the snapshot"
	if r.Until != nil {
		until = "by " + r.Until.Format("2006-01-02")
	}
	sec.Intro = append([]string{fmt.Sprintf("%s leads in the backtest, of %s added (the rest were created after the snapshot, or won, lost or an opportunity by then); %s won %s.",
		numfmt.Thousands(r.Leads.InBacktest), numfmt.Thousands(r.Leads.Added), numfmt.Thousands(r.Won), until)}, r.Notes...)

	c := r.SalesReady
	sr := func(k string) string { return path("sales_ready", k) }
	none := Text("")
	ksAt := Text("—") // no KS, no place for it
	if r.KS != nil {
		ksAt = Number(path("ks_at"), r.KSAt, wholeOr(r.KSAt, "dec2"))
	}
	ct := &Table{Head: []string{"measure", "value", "95% interval"}, Rows: []Row{
		{Cells: []Cell{Text("leads added"), Int(path("leads", "added"), r.Leads.Added), none}},
		{Cells: []Cell{Text("left out: created after the snapshot"), Int(path("leads", "not_created"), r.Leads.NotCreated), none}},
		{Cells: []Cell{Text("left out: won or lost by the snapshot"), Int(path("leads", "decided"), r.Leads.Decided), none}},
		{Cells: []Cell{Text("left out: an open opportunity at the snapshot"), Int(path("leads", "open_opportunity"), r.Leads.OpenOpportunity), none}},
		{Cells: []Cell{Text("leads in the backtest"), Int(path("leads", "in_backtest"), r.Leads.InBacktest), none}},
		{Cells: []Cell{Text("became opportunities"), Int(path("opportunities"), r.Opportunities), none}},
		{Cells: []Cell{Text("won"), Int(path("won"), r.Won), none}},
		{Cells: []Cell{Text("won revenue"), Number(path("revenue"), r.Revenue, "money"), none}},
		{Cells: []Cell{Text("sales-ready at the snapshot"), Int(sr("leads"), c.Leads), none}},
		{Cells: []Cell{Text("of them, won"), Int(sr("won"), c.Won), none}},
		{Cells: []Cell{Text("of them, opportunities"), Int(sr("opportunities"), c.Opportunities), none}},
		{Cells: []Cell{Text("their won revenue"), Number(sr("revenue"), c.Revenue, "money"), none}},
		{Cells: []Cell{Text("precision"), Maybe(sr("precision"), c.Precision, "pct"), ivCell(sr("precision_interval"), c.PrecisionInterval, "pct")}},
		{Cells: []Cell{Text("recall"), Maybe(sr("recall"), c.Recall, "pct"), ivCell(sr("recall_interval"), c.RecallInterval, "pct")}},
		{Cells: []Cell{Text("lift"), Maybe(sr("lift"), c.Lift, "dec2"), none}},
		{Cells: []Cell{Text("opportunity precision"), Maybe(sr("opportunity_precision"), c.OpportunityPrecision, "pct"), none}},
		{Cells: []Cell{Text("opportunity recall"), Maybe(sr("opportunity_recall"), c.OpportunityRecall, "pct"), none}},
		{Cells: []Cell{Text("won deals it missed"), Int(sr("missed_won"), c.MissedWon), none}},
		{Cells: []Cell{Text("their revenue"), Number(sr("missed_revenue"), c.MissedRevenue, "money"), none}},
		{Cells: []Cell{Text("AUC (won)"), Maybe(path("auc"), r.AUC, "dec3"), ivCell(path("auc_interval"), r.AUCInterval, "dec3")}},
		{Cells: []Cell{Text("AUC (opportunity)"), Maybe(path("auc_opportunity"), r.AUCOpportunity, "dec3"), none}},
		{Cells: []Cell{Text("KS"), Maybe(path("ks"), r.KS, "dec3"), none}},
		{Cells: []Cell{Text("KS at total ≤"), ksAt, none}},
	}}
	if r.Leads.Failed > 0 { // the coverage: the rows read that are in no figure
		ct.Rows = append([]Row{{Cells: []Cell{Text("lead rows that failed (named on stderr)"), Int(path("leads", "failed"), r.Leads.Failed), none}}}, ct.Rows...)
	}
	for i, ca := range r.CategoryAUC {
		ct.Rows = append(ct.Rows, Row{Cells: []Cell{Text("AUC of the " + ca.Name + " score"), Maybe(path("category_auc", i, "value"), ca.Value, "dec3"), none}})
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "The sales-ready definition as a classifier of won deals", Table: ct,
		Note: "Precision: of the sales-ready leads, the share that won. Recall: of the won leads, the share the definition called sales-ready (95% Wilson intervals). AUC: how often a won lead outscores one that did not win (0.5 is a coin toss), with its 95% interval (DeLong)."})

	for _, g := range []struct {
		title, key, first string
		groups            []backtest.Group
	}{{"Conversion by stage", "stages", "stage", r.Stages}, {"Conversion by grade", "grades", "grade", r.Grades}} {
		if len(g.groups) == 0 {
			continue
		}
		t := &Table{Sortable: true, Head: []string{g.first, "leads", "opportunities", "opp. rate", "won", "win rate", "95% interval", "lift"}}
		for i, gr := range g.groups {
			gp := func(k string) string { return path(g.key, i, k) }
			t.Rows = append(t.Rows, Row{Small: small(gr.Leads, gr.Won), Cells: []Cell{Text(gr.Name), Int(gp("leads"), gr.Leads), Int(gp("opportunities"), gr.Opportunities), Maybe(gp("opportunity_rate"), gr.OpportunityRate, "pct"),
				Int(gp("won"), gr.Won), Maybe(gp("win_rate"), gr.WinRate, "pct"), ivCell(gp("win_rate_interval"), gr.WinRateInterval, "pct"), Maybe(gp("lift"), gr.Lift, "dec2")}})
		}
		sec.Blocks = append(sec.Blocks, Block{Title: g.title, Table: t, Note: "Snapshot view: the " + g.first + " at the snapshot; the win rate's 95% Wilson interval beside it. " + smallNote})
	}

	// Won vs not won by band: shares of each, so that the few won leads
	// and the many others compare on one scale.
	totalWon, totalNot := 0, 0
	for _, b := range r.Bands {
		totalWon += b.Won
		totalNot += b.Leads - b.Won
	}
	var groups []string
	var shares, lifts [][]float64
	dt := &Table{Head: []string{"score band", "leads", "won", "not won", "share of won", "share of not won"}}
	for i, b := range r.Bands {
		groups = append(groups, b.Name)
		sw, sn := frac(b.Won, totalWon), frac(b.Leads-b.Won, totalNot)
		shares = append(shares, []float64{sw, sn})
		lifts = append(lifts, []float64{orNaN(b.Lift)})
		dt.Rows = append(dt.Rows, Row{Cells: []Cell{Text(b.Name), Int(path("bands", i, "leads"), b.Leads), Int(path("bands", i, "won"), b.Won), Derived(float64(b.Leads-b.Won), "int"), Derived(sw, "pct"), Derived(sn, "pct")}})
	}
	sec.Blocks = append(sec.Blocks,
		Block{Title: "Score distribution: won vs not won", Chart: Bars("Share of won and of not-won leads in each score band", groups, []string{"won", "not won"}, shares, "pct"), Table: dt,
			Note: "Shares (in italics) are computed here from the leads and won columns: a band's won over all won, its not won over all not won."},
		Block{Title: "Lift by score band", Chart: Bars("Win rate of each band over the overall win rate", groups, []string{"lift"}, lifts, "dec2"), Table: bandTable(r.Bands, path("bands")),
			Note: "Lift 1 is the overall win rate; intervals are 95% (Wilson for the win rate). The calibrated chance is the calibration map's, averaged over the band's leads. A band with no leads shows —. " + smallNote + " " + r.InversionNote()})
	if len(r.Deciles) > 0 {
		sec.Blocks = append(sec.Blocks, Block{Title: "Deciles of the total", Table: bandTable(r.Deciles, path("deciles")),
			Note: "Best first; leads with the same total share a decile, so a decile may hold more or fewer than a tenth. " + smallNote})
	}
	sec.Blocks = append(sec.Blocks, calibrationBlock(r, prefix))

	out := []Section{sec, rulesSection(r, prefix)}
	if cp := r.Capacity; cp != nil && len(cp.Curve) > 0 {
		out = append(out, capacitySection(cp, prefix))
	}
	if s := r.Suggestion; s != nil {
		out = append(out, suggestionSection(s, prefix))
	}
	if v := r.Verdicts; v != nil {
		out = append(out, verdictsSection(v, r.MinWon, prefix))
	}
	if r.Drift != nil {
		out = append(out, driftSection(r.Drift, prefix))
	}
	if r.Stability != nil {
		out = append(out, stabilitySection(r.Stability, prefix))
	}
	if r.Holdout != nil {
		out = append(out, holdoutSection(r.Holdout, prefix))
	}
	return out
}

// sliderStyle lines the slider up with the chart's threshold axis: its
// thumb's centre (about 8 px from each end of the track) at the first and
// the last threshold's columns, which are evenly spaced, so every step
// stands over its threshold.
func sliderStyle(px func(float64) float64, xs []float64) string {
	if len(xs) < 2 {
		return "width: 100%"
	}
	const chartWidth = 640.0 // Line's drawn width, which the figure scales
	left, right := px(xs[0])/chartWidth*100, px(xs[len(xs)-1])/chartWidth*100
	return fmt.Sprintf("margin-left: calc(%s%% - 8px); width: calc(%s%% + 16px)", n(left), n(right-left))
}

// valueText says a capacity row for a screen reader: "threshold 46,
// leads a week 38.62".
func valueText(t *Table, i int) string {
	return t.Head[0] + " " + t.Rows[i].Cells[0].plain() + ", " + t.Head[1] + " " + t.Rows[i].Cells[1].plain()
}

// bandTable is the bands (or deciles) at path: leads, won, win rate with
// its interval, lift with its interval, cumulative recall, the mean total
// and the calibrated chance with its interval.
func bandTable(bands []backtest.Band, path string) *Table {
	t := &Table{Sortable: true, Head: []string{"score band", "leads", "won", "win rate", "95% interval", "lift", "95% interval", "cumulative recall", "mean total", "calibrated chance", "95% interval"}}
	for i, b := range bands {
		bp := func(k string) string { return p(path+".", i, k) }
		t.Rows = append(t.Rows, Row{Small: small(b.Leads, b.Won), Cells: []Cell{Text(b.Name), Int(bp("leads"), b.Leads), Int(bp("won"), b.Won),
			Maybe(bp("win_rate"), b.WinRate, "pct"), ivPair(bp("win_rate_low"), b.Low, bp("win_rate_high"), b.High, "pct"),
			Maybe(bp("lift"), b.Lift, "dec2"), ivCell(bp("lift_interval"), b.LiftInterval, "dec2"), Maybe(bp("cumulative_recall"), b.CumRecall, "pct"),
			Maybe(bp("mean"), b.Mean, "dec1"), Maybe(bp("calibrated_win_probability"), b.Calibrated, "pct"), ivCell(bp("calibrated_interval"), b.CalibratedInterval, "pct")}})
	}
	return t
}

// backtestSummary is the answers, one line each.
func backtestSummary(r *backtest.Report, prefix string) []Sentence {
	path := func(parts ...any) string { return p(prefix, parts...) }
	var lines []Sentence
	notWon := r.Leads.InBacktest - r.Won
	if r.AUC != nil {
		lines = append(lines, ln("AUC ", Maybe(path("auc"), r.AUC, "dec3"), iv95(path("auc_interval"), r.AUCInterval, "dec3"), ", on ", Int(path("won"), r.Won), " won against ",
			Derived(float64(notWon), "int"), " not won leads: a won lead outscores one that did not win in ", Maybe(path("auc"), r.AUC, "pct"), " of pairs."))
	} else {
		lines = append(lines, ln("AUC ", Maybe(path("auc"), nil, "dec3"), ": ", Int(path("won"), r.Won), " won against ", Derived(float64(notWon), "int"),
			" not won leads, nothing to compare."))
	}
	s := r.SalesReady
	sr := func(k string) string { return path("sales_ready", k) }
	lines = append(lines, ln("The sales-ready definition picked ", Int(sr("leads"), s.Leads), " leads, ", Int(sr("won"), s.Won), " of them won: precision ",
		Maybe(sr("precision"), s.Precision, "pct"), iv95(sr("precision_interval"), s.PrecisionInterval, "pct"), ", recall ", Maybe(sr("recall"), s.Recall, "pct"),
		iv95(sr("recall_interval"), s.RecallInterval, "pct"), "; it missed ", Int(sr("missed_won"), s.MissedWon), " won deals worth ", Number(sr("missed_revenue"), s.MissedRevenue, "money"), "."))
	counts := map[string]int{}
	for _, rs := range r.Rules {
		counts[rs.Verdict]++
	}
	var verdicts Sentence
	for _, v := range append(append([]string{}, verdictOrder...), otherVerdicts(r.Rules)...) {
		if counts[v] == 0 {
			continue
		}
		if len(verdicts) > 0 {
			verdicts = append(verdicts, Text(", "))
		}
		verdicts = append(verdicts, Derived(float64(counts[v]), "int"), Text(" "), Badge(v))
	}
	if len(verdicts) > 0 {
		lines = append(lines, ln("Rules: ", verdicts, " (see each rule's verdict below)."))
	}
	if cp := r.Capacity; cp != nil {
		lines = append(lines, capacityAnswer(cp, prefix))
	}
	if cl := r.Calibration; cl != nil {
		cp := func(k string) string { return path("calibration", k) }
		says := ": its chances can be read as chances."
		if !cl.Beats {
			says = ": read its chances as a ranking, not as chances."
		}
		beats := "beats"
		if !cl.Beats {
			beats = "does not beat"
		}
		lines = append(lines, ln("Calibration: the map from total to a chance of winning "+beats+" the base rate on ", Int(cp("test_leads"), cl.TestLeads), " held-out leads (Brier score ",
			Maybe(cp("brier"), cl.Brier, "dec3"), " against ", Maybe(cp("base_brier"), cl.BaseBrier, "dec3"), "; log-loss ", Maybe(cp("log_loss"), cl.LogLoss, "dec3"), " against ",
			Maybe(cp("base_log_loss"), cl.BaseLogLoss, "dec3"), ")"+says))
	} else {
		lines = append(lines, ln(calibrationWithheld(r)))
	}
	if sg := r.Suggestion; sg != nil {
		lines = append(lines, ln("Suggested points: ", Badge(sg.Decision), ": "+sg.Why+"."))
	}
	if v := r.Verdicts; v != nil {
		vp := func(k string) string { return path("verdict_view", k) }
		lines = append(lines, ln("Sales' verdicts: of ", Int(vp("judged"), v.Judged), " hand-offs judged, ", Int(vp("accepted"), v.Accepted), " accepted: acceptance ",
			Maybe(vp("acceptance_rate"), v.AcceptanceRate, "pct"), iv95(vp("acceptance_rate_interval"), v.AcceptanceRateInterval, "pct"), "; recall of what sales accepted ",
			Maybe(vp("recall"), v.Recall, "pct"), iv95(vp("recall_interval"), v.RecallInterval, "pct"), "."))
	}
	lines = append(lines, ln("A conclusion needs at least ", Int(path("min_won"), r.MinWon), " won deals (--min-won): under that it is withheld, and a figure resting on fewer is named in the warnings."))
	return lines
}

// otherVerdicts are verdicts outside the known vocabulary, in order of
// first appearance, so that none goes uncounted.
func otherVerdicts(rs []backtest.RuleSignal) []string {
	known := map[string]bool{}
	for _, v := range verdictOrder {
		known[v] = true
	}
	var out []string
	for _, r := range rs {
		if !known[r.Verdict] {
			known[r.Verdict] = true
			out = append(out, r.Verdict)
		}
	}
	return out
}

// calibrationWithheld says why the calibration is withheld.
func calibrationWithheld(r *backtest.Report) string {
	if r.CalibrationWithheld != "" {
		return r.CalibrationWithheld
	}
	return "Calibration withheld (see the warnings above)."
}

// calibrationBlock shows the calibration map and how it does on held-out
// leads against the base rate, or says why it is withheld.
func calibrationBlock(r *backtest.Report, prefix string) Block {
	c := r.Calibration
	if c == nil {
		return Block{Title: "Calibration", Lead: ln(calibrationWithheld(r))}
	}
	cp := func(k string) string { return p(prefix, "calibration", k) }
	verdict := ": it beats the base rate on both scores, so its chances can be read as chances."
	if !c.Beats {
		verdict = ": it does not beat the base rate on held-out leads, so read its chances as a ranking, not as chances."
	}
	lead := ln(c.Method+": P(won) = 1 / (1 + exp(−(a + b × total))) with a = ", Number(cp("a"), c.A, "dec4"), " and b = ", Number(cp("b"), c.B, "dec5"),
		", fitted on the ", Int(cp("fit_leads"), c.FitLeads), " leads created first (", Int(cp("fit_won"), c.FitWon), " won), measured on the ",
		Int(cp("test_leads"), c.TestLeads), " later ones (", Int(cp("test_won"), c.TestWon), " won)"+verdict)
	t := &Table{Head: []string{"held out", "calibration map", "base rate"}, Rows: []Row{
		{Cells: []Cell{Text("Brier score"), Maybe(cp("brier"), c.Brier, "dec3"), Maybe(cp("base_brier"), c.BaseBrier, "dec3")}},
		{Cells: []Cell{Text("log-loss"), Maybe(cp("log_loss"), c.LogLoss, "dec3"), Maybe(cp("base_log_loss"), c.BaseLogLoss, "dec3")}},
	}}
	var groups []string
	var vals [][]float64
	for _, b := range r.Bands {
		if b.Leads == 0 || b.WinRate == nil || b.Calibrated == nil {
			continue
		}
		groups = append(groups, b.Name)
		vals = append(vals, []float64{*b.WinRate, *b.Calibrated})
	}
	blk := Block{Title: "Calibration", Lead: lead, Table: t,
		Note: "Lower is better. The base rate gives every lead the fitted leads' win rate. Each band's calibrated chance, with its interval, is in the bands' table above."}
	if len(groups) > 0 {
		blk.Chart = Bars("Win rate and calibrated chance of winning in each score band with leads", groups, []string{"win rate", "calibrated chance"}, vals, "pct")
	}
	return blk
}

// rulesSection shows each rule's verdict, from the joint fit, with the
// one-at-a-time figures beside it.
func rulesSection(r *backtest.Report, prefix string) Section {
	rs := Section{ID: "rules-signal", Title: "Each rule: does it earn its points?"}
	rs.Intro = []string{"One verdict each, from the joint fit (a logistic regression of won on every rule's units at once, so that a rule that merely fires with a predictive one gets no credit for it): " +
		"predictive (its 95% interval excludes zero on the side of its points; for a gate, the leads it stops win less), anti-predictive (excludes zero on the other side), " +
		"no evidence (includes zero), too little data, leakage suspected (it fires almost only on won leads, or on leads already an opportunity at the snapshot). " +
		"Beside it, one rule at a time: its coefficient alone, the shares of won and not-won leads it fired on, lift and IV, with 95% intervals."}
	rt := &Table{Sortable: true, Head: []string{"rule", "points", "verdict", "joint log-odds", "95% interval", "alone", "q", "fired", "won", "share of won", "share of not won", "lift", "95% interval", "IV", "95% interval", "signal", "why"}}
	var est []Estimate
	// The chart's kinds: the verdicts of the rules it draws, in order.
	drawn := map[string]bool{}
	for _, s := range r.Rules {
		if s.Joint != nil {
			drawn[s.Verdict] = true
		}
	}
	var kinds, colours []string
	kindOf := map[string]int{}
	for _, k := range append(append([]string{}, verdictOrder...), otherVerdicts(r.Rules)...) {
		if drawn[k] {
			kindOf[k] = len(kinds)
			kinds = append(kinds, k)
			colours = append(colours, cmp.Or(verdictColours[k], "#000000"))
		}
	}
	for i, s := range r.Rules {
		path := func(k string) string { return p(prefix, "rules", i, k) }
		points := Number(path("points"), s.Points, wholeOr(s.Points, "dec1"))
		if s.Gate {
			points = Text("gate")
		}
		joint := Maybe(path("joint"), nil, "dec2")
		if s.Joint != nil {
			joint = Number(path("joint.estimate"), s.Joint.Estimate, "dec2")
			est = append(est, Estimate{Label: s.Rule, Value: s.Joint.Estimate, Low: s.Joint.Low, High: s.Joint.High, Kind: kindOf[s.Verdict]})
		}
		alone := Maybe(path("one_at_a_time"), nil, "dec2")
		if s.OneAtATime != nil {
			alone = Number(path("one_at_a_time.estimate"), s.OneAtATime.Estimate, "dec2")
		}
		verdict := Badge(s.Verdict)
		if s.Verdict == "" {
			verdict = Text("—")
		}
		rt.Rows = append(rt.Rows, Row{Cells: []Cell{Text(s.Rule), points, verdict, joint, ivCell(path("joint"), coefInterval(s.Joint), "dec2"), alone, pValueCell(path("q"), s.Q),
			Int(path("fired"), s.Fired), Int(path("fired_won"), s.FiredWon), Maybe(path("share_won"), s.ShareWon, "pct"), Maybe(path("share_not_won"), s.ShareNotWon, "pct"),
			Maybe(path("lift"), s.Lift, "dec2"), ivCell(path("lift_interval"), s.LiftInterval, "dec2"), Maybe(path("iv"), s.IV, "dec3"), ivCell(path("iv_interval"), s.IVInterval, "dec3"),
			Text(s.Signal), Text(s.Why)}})
	}
	blk := Block{Table: rt, Note: "Joint and alone: log-odds of winning per unit (one firing of a lead rule, one event counted of an event rule). " +
		"q: the joint coefficient's p-value adjusted for testing every rule at once (Benjamini–Hochberg). IV, one rule at a time; its signal is the level the low end of its 95% interval reaches (weak from 0.02, medium from 0.1, strong from 0.3), no signal when the high end is under 0.02, unclear when the interval spans both; a strong signal is not a verdict (it may belong to a rule it fires with)."}
	if len(est) > 0 {
		blk.Chart = Intervals("Each rule's joint effect on the log-odds of winning, with its 95% interval, coloured by verdict", est, kinds, colours, "dec2")
	}
	rs.Blocks = []Block{blk}
	return rs
}

// capacityAnswer is the capacity's answer in a line: the threshold, the
// range the flows' sampling error allows, the leads and the won deals a
// week there, each with its interval.
func capacityAnswer(c *backtest.CapacityReport, prefix string) Sentence {
	cp := func(parts ...any) string { return p(prefix, append([]any{"capacity"}, parts...)...) }
	capacity := Number(cp("capacity"), c.Capacity, wholeOr(c.Capacity, "dec1"))
	per := " a " + c.Unit
	switch {
	case c.Periods <= 0:
		return ln("Capacity: the leads' history is empty, so no flow per " + c.Unit + " can be measured.")
	case c.Threshold == nil:
		return ln("Capacity: even the highest "+c.On+" sends more than ", capacity, " leads"+per+": no threshold fits the capacity.")
	case c.EveryLead && c.At != nil:
		return ln("Capacity: sales can work every lead: ", Maybe(cp("at_threshold", "leads_per_period"), c.At.PerPeriod, "dec2"), " leads"+per+" cross even the lowest "+c.On+" (",
			Number(cp("threshold"), *c.Threshold, wholeOr(*c.Threshold, "dec1")), "), within the capacity of ", capacity, ".")
	}
	th := *c.Threshold
	l := ln("Capacity: for ", capacity, " leads"+per+", the threshold is "+c.On+" ", Number(cp("threshold"), th, wholeOr(th, "dec1")))
	if iv := c.ThresholdInterval; iv != nil {
		l = ln(l, " (the flows' sampling error allows ", Number(cp("threshold_interval", "low"), iv.Low, wholeOr(iv.Low, "dec1")), " to ",
			Number(cp("threshold_interval", "high"), iv.High, wholeOr(iv.High, "dec1")), ")")
	}
	l = ln(l, ": ", Maybe(cp("leads_per_week"), c.LeadsPerWeek, "dec2"), " leads a week cross it", iv95(cp("leads_per_week_interval"), c.LeadsPerWeekInterval, "dec2"))
	if c.At != nil {
		l = ln(l, ", ", Maybe(cp("at_threshold", "win_rate"), c.At.WinRate, "pct"), " of them won after crossing")
	}
	return ln(l, ", so expect ", Maybe(cp("expected_won_per_week"), c.ExpectedWonPerWeek, "dec2"), " won deals a week", iv95(cp("expected_won_per_week_interval"), c.ExpectedWonPerWeekInterval, "dec2"), ".")
}

// capacitySection answers the capacity question, draws the capacity curve
// with a slider over its thresholds (moving it shows the volume, expected
// wins and recall there), and the weekly crossings with their trend.
func capacitySection(c *backtest.CapacityReport, prefix string) Section {
	cp := func(parts ...any) string { return p(prefix, append([]any{"capacity"}, parts...)...) }
	per := "per " + c.Unit
	sec := Section{ID: "capacity", Title: "Capacity: where should the threshold be?"}
	sec.Intro = []string{fmt.Sprintf("Sales can work %s leads a %s (on the %s score). Flows are from the timeline view: each lead's %s replayed up to the snapshot, over the whole %ss from %s to %s; "+
		"the win rate and the won deals to expect are of the leads that crossed (won after crossing); leads at the snapshot, won and recall are from the snapshot view. Intervals are 95%% (exact Poisson for flows, Wilson for rates).",
		Format(wholeOr(c.Capacity, "dec1"), c.Capacity), c.Unit, c.On, c.On, c.Unit, c.From.Format("2006-01-02"), c.To.Format("2006-01-02"))}

	// The answer: the threshold's row beside the current definition's.
	point := func(name string, key string, pt *backtest.CurvePoint, threshold bool) Row {
		pp := func(k string) string { return cp(key, k) }
		th := Text("")
		if threshold {
			th = Number(pp("threshold"), pt.Threshold, wholeOr(pt.Threshold, "dec1"))
		}
		return Row{Cells: []Cell{Text(name), th, Maybe(pp("leads_per_period"), pt.PerPeriod, "dec2"), ivCell(pp("leads_per_period_interval"), pt.PerPeriodInterval, "dec2"),
			Int(pp("crossed"), pt.Crossed), Int(pp("crossed_won"), pt.CrossedWon), Maybe(pp("win_rate"), pt.WinRate, "pct"), ivCell(pp("win_rate_interval"), pt.WinRateInterval, "pct"),
			Maybe(pp("expected_won_per_period"), pt.ExpectedWon, "dec2"), ivCell(pp("expected_won_per_period_interval"), pt.ExpectedWonInterval, "dec2"),
			Int(pp("leads"), pt.Leads), Int(pp("won"), pt.Won), Maybe(pp("recall"), pt.Recall, "pct")}}
	}
	head := []string{"", c.On + " ≥", "leads " + per, "95% interval", "crossed", "won after", "win rate", "95% interval", "expected won " + per, "95% interval", "leads at the snapshot", "won", "recall"}
	at := &Table{Head: head}
	if c.At != nil {
		at.Rows = append(at.Rows, point("at the threshold", "at_threshold", c.At, true))
	}
	cur := c.Current
	at.Rows = append(at.Rows, point("the current sales-ready definition", "current", &cur, false))
	sec.Blocks = append(sec.Blocks, Block{Title: "The answer", Lead: capacityAnswer(c, prefix), Table: at,
		Note: "The current definition's flow is its leads' first sales-ready moments over the same history."})

	var xs []float64
	perPeriod := make([]*float64, len(c.Curve))
	expected := make([]*float64, len(c.Curve))
	lows, highs := make([]*float64, len(c.Curve)), make([]*float64, len(c.Curve))
	wonLows, wonHighs := make([]*float64, len(c.Curve)), make([]*float64, len(c.Curve))
	for i, pt := range c.Curve {
		xs = append(xs, pt.Threshold)
		perPeriod[i], expected[i] = pt.PerPeriod, pt.ExpectedWon
		if iv := pt.PerPeriodInterval; iv != nil {
			lows[i], highs[i] = &iv.Low, &iv.High
		}
		if iv := pt.ExpectedWonInterval; iv != nil {
			wonLows[i], wonHighs[i] = &iv.Low, &iv.High
		}
	}
	start := 0
	if c.Threshold != nil {
		for i, pt := range c.Curve {
			if pt.Threshold == *c.Threshold {
				start = i
			}
		}
	}
	capLine := c.Capacity
	marker := xs[start]
	markerLabel := "threshold " + Format(wholeOr(marker, "dec1"), marker)
	// The current definition is a ladder, not a threshold on this score:
	// its hand-offs (and the wins they bring) are a level beside the curve.
	var volumeRefs, wonRefs []Ref
	if v := cur.PerPeriod; v != nil {
		volumeRefs = append(volumeRefs, Ref{Y: *v, Label: "current definition " + Format("dec2", *v) + " " + per})
	}
	if v := cur.ExpectedWon; v != nil {
		wonRefs = append(wonRefs, Ref{Y: *v, Label: "current definition " + Format("dec2", *v) + " " + per})
	}
	volume, px := Line{Title: "Leads per " + c.Unit + " at or above each threshold, with the 95% interval shaded", X: xs, XLabel: c.On + " score threshold", YLabel: "leads per " + c.Unit,
		Series: []string{"leads per " + c.Unit}, Y: [][]*float64{perPeriod}, Low: [][]*float64{lows}, High: [][]*float64{highs},
		HLine: &capLine, HLineLabel: "capacity " + Format(wholeOr(c.Capacity, "dec1"), c.Capacity), Refs: volumeRefs, MarkerID: "capacity-marker", Marker: &marker, MarkerLabel: markerLabel}.SVG()
	wins, _ := Line{Title: "Won deals to expect per " + c.Unit + " at or above each threshold, with the 95% interval shaded", X: xs, XLabel: c.On + " score threshold", YLabel: "expected won per " + c.Unit,
		Series: []string{"expected won per " + c.Unit}, Y: [][]*float64{expected}, Low: [][]*float64{wonLows}, High: [][]*float64{wonHighs},
		Refs: wonRefs, MarkerID: "capacity-marker-won", Marker: &marker, MarkerLabel: markerLabel, FirstColor: 1}.SVG()
	t := &Table{ID: "capacity-curve", Scroll: true, PrintKept: true, Head: []string{"threshold", "leads " + per, "95% interval", "crossed", "won after", "win rate", "95% interval",
		"expected won " + per, "95% interval", "leads at the snapshot", "won", "recall"}}
	for i, pt := range c.Curve {
		pp := func(k string) string { return cp("curve", i, k) }
		t.Rows = append(t.Rows, Row{Keep: i >= start-5 && i <= start+5, Attrs: map[string]string{"x": n(px(pt.Threshold))}, Cells: []Cell{
			Number(pp("threshold"), pt.Threshold, wholeOr(pt.Threshold, "dec1")), Maybe(pp("leads_per_period"), pt.PerPeriod, "dec2"), ivCell(pp("leads_per_period_interval"), pt.PerPeriodInterval, "dec2"),
			Int(pp("crossed"), pt.Crossed), Int(pp("crossed_won"), pt.CrossedWon), Maybe(pp("win_rate"), pt.WinRate, "pct"), ivCell(pp("win_rate_interval"), pt.WinRateInterval, "pct"),
			Maybe(pp("expected_won_per_period"), pt.ExpectedWon, "dec2"), ivCell(pp("expected_won_per_period_interval"), pt.ExpectedWonInterval, "dec2"),
			Int(pp("leads"), pt.Leads), Int(pp("won"), pt.Won), Maybe(pp("recall"), pt.Recall, "pct")}})
	}
	// The readout is drawn here for the threshold that fits, so that it
	// reads with scripts off; the script redraws it as the slider moves.
	var readout strings.Builder
	for j, h := range t.Head {
		fmt.Fprintf(&readout, "<div>%s<b>%s</b></div>", esc(h), esc(t.Rows[start].Cells[j].plain()))
	}
	control := fmt.Sprintf(`<div class="control"><label for="capacity-slider">Threshold</label> <input id="capacity-slider" type="range" min="0" max="%d" step="1" value="%d" aria-valuetext="%s" style="%s" data-table="capacity-curve" data-marker="capacity-marker capacity-marker-won" data-readout="capacity-readout"><div class="readout" id="capacity-readout" aria-live="polite">%s</div></div>`,
		len(c.Curve)-1, start, esc(valueText(t, start)), sliderStyle(px, xs), readout.String())
	sec.Blocks = append(sec.Blocks, Block{Title: "Move the threshold", Chart: volume + wins, Control: templateHTML(control), Table: t,
		Note: "Flows: leads crossing each threshold " + per + " over the history; win rate and expected won: of those leads, won after crossing; leads at the snapshot, won and recall: the backtest's leads at or above it."})

	if len(c.Weekly) > 0 {
		var labels []string
		var crossed, ready []float64
		var crossedRate, readyRate []float64
		wt := &Table{Head: []string{c.Unit + " from", "to", "crossed", "won after", "win rate", "95% interval", "sales-ready (current)", "won after", "win rate", "95% interval"}}
		for i, w := range c.Weekly {
			wp := func(k string) string { return cp("weekly", i, k) }
			labels = append(labels, w.From.Format("Jan 2"))
			crossed, ready = append(crossed, float64(w.Crossed)), append(ready, float64(w.SalesReady))
			crossedRate, readyRate = append(crossedRate, orNaN(w.WinRate)), append(readyRate, orNaN(w.SalesReadyWinRate))
			wt.Rows = append(wt.Rows, Row{Cells: []Cell{Text(w.From.Format("2006-01-02")), Text(w.To.Format("2006-01-02")),
				Int(wp("crossed"), w.Crossed), Int(wp("crossed_won"), w.CrossedWon), Maybe(wp("win_rate"), w.WinRate, "pct"), ivCell(wp("win_rate_interval"), w.WinRateInterval, "pct"),
				Int(wp("sales_ready"), w.SalesReady), Int(wp("sales_ready_won"), w.SalesReadyWon), Maybe(wp("sales_ready_win_rate"), w.SalesReadyWinRate, "pct"), ivCell(wp("sales_ready_win_rate_interval"), w.SalesReadyWinRateInterval, "pct")}})
		}
		th := "the threshold"
		if c.Threshold != nil {
			th = c.On + " " + Format(wholeOr(*c.Threshold, "dec1"), *c.Threshold)
		}
		capLine := c.Capacity
		chart := Columns{Title: "Leads crossing " + th + " each " + c.Unit + ", and the current definition's hand-offs", Labels: labels, Bars: crossed, BarName: "crossed " + th,
			Line: ready, LineName: "sales-ready (current definition)", YLabel: "leads per " + c.Unit, HLine: &capLine, HLineLabel: "capacity " + Format(wholeOr(c.Capacity, "dec1"), c.Capacity), Format: "int"}.SVG()
		rates := Columns{Title: "Win rate of each " + c.Unit + "'s leads: crossing " + th + " (bars) and made sales-ready by the current definition (line)", Labels: labels, Bars: crossedRate, BarName: "won after crossing " + th,
			Line: readyRate, LineName: "won after sales-ready (current)", YLabel: "won after, of the " + c.Unit + "'s leads", Format: "pct"}.SVG()
		sec.Blocks = append(sec.Blocks, Block{Title: "Crossings " + per, Lead: trendLine(c, prefix, th), Chart: chart + rates, Table: wt,
			Note: "Each " + c.Unit + " of the history: the leads that crossed " + th + ", and the leads the current definition made sales-ready; of each, those won after that moment, by the outcome window's end (later " + c.Unit + "s have had less time to win). Intervals are 95% (Wilson): a week's few leads give wide ones."})
	}
	return sec
}

// trendLine words the trend of the weekly crossings.
func trendLine(c *backtest.CapacityReport, prefix, th string) Sentence {
	tr := c.Trend
	if tr == nil {
		return ln("Too few " + c.Unit + "s to test the crossings for a trend.")
	}
	tp := func(k string) string { return p(prefix, "capacity", "trend", k) }
	says := "no trend beyond noise."
	if tr.Trending {
		says = "the flow is changing; the average over the history is not today's."
	}
	return ln("Trend of the crossings at "+th+": ", Derived(tr.PerPeriod-1, "pct"), " a "+c.Unit+" (95%: ", Derived(tr.Low-1, "pct"), " to ", Derived(tr.High-1, "pct"),
		"; a factor of ", Number(tp("change_per_period"), tr.PerPeriod, "dec3"), " a "+c.Unit+", ", Number(tp("low"), tr.Low, "dec3"), " to ", Number(tp("high"), tr.High, "dec3"),
		"), p = ", pValueCell(tp("p"), &tr.P), ": "+says)
}

// suggestionSection shows the suggested points, the decision on them and
// the held-out comparison it rests on; or why they are withheld.
func suggestionSection(s *backtest.Suggestion, prefix string) Section {
	sp := func(parts ...any) string { return p(prefix, append([]any{"suggestion"}, parts...)...) }
	sec := Section{ID: "suggestion", Title: "Suggested points: adopt, keep or inconclusive?"}
	sec.Summary = []Sentence{ln("Decision: ", Badge(s.Decision), ": "+s.Why+".")}
	if s.Withheld != "" {
		sec.Summary = append(sec.Summary, ln("Withheld: "+s.Withheld+". The proposed file is not written."))
	}
	h := s.HeldOut
	sec.Intro = []string{fmt.Sprintf("Fitted by %s (λ = %s) on the leads created first, up to %s; measured on the later leads, held out.", s.Method, Format(wholeOr(s.Lambda, "dec2"), s.Lambda), s.SplitAt.Format("2006-01-02"))}
	if s.Withheld == "" {
		hp := func(parts ...any) string { return sp(append([]any{"heldout"}, parts...)...) }
		lead := ln("On the ", Int(hp("leads"), h.Leads), " held-out leads (", Int(hp("won"), h.Won), " won): the suggested AUC minus the current is ", Maybe(hp("difference"), h.Difference, "dec3"))
		if h.DifferenceLow != nil || h.DifferenceHigh != nil {
			lead = ln(lead, " (95%, paired: ", Maybe(hp("difference_low"), h.DifferenceLow, "dec3"), " to ", Maybe(hp("difference_high"), h.DifferenceHigh, "dec3"), ")")
		}
		lead = ln(lead, ". At equal volume: each total's top ", Int(hp("volume"), h.Volume), " held-out leads.")
		row := func(name string, auc, trainAUC *float64, aucKey, trainKey, srKey, volKey string, sr, vol backtest.Classifier, perWeek *float64, perWeekKey string) Row {
			cl := func(key string, c backtest.Classifier) []Cell {
				cp := func(k string) string { return hp(key, k) }
				return []Cell{Int(cp("leads"), c.Leads), Int(cp("won"), c.Won), Maybe(cp("precision"), c.Precision, "pct"), ivCell(cp("precision_interval"), c.PrecisionInterval, "pct"),
					Maybe(cp("recall"), c.Recall, "pct"), ivCell(cp("recall_interval"), c.RecallInterval, "pct")}
			}
			cells := []Cell{Text(name), Maybe(hp(aucKey), auc, "dec3"), Maybe(hp(trainKey), trainAUC, "dec3")}
			cells = append(cells, cl(srKey, sr)...)
			cells = append(cells, cl(volKey, vol)...)
			return Row{Cells: append(cells, Maybe(sp(perWeekKey), perWeek, "dec2"))}
		}
		t := &Table{Head: []string{"points", "AUC held out", "AUC fitted on (optimistic)", "sales-ready", "won", "precision", "95% interval", "recall", "95% interval",
			"top leads at equal volume", "won", "precision", "95% interval", "recall", "95% interval", "hand-offs a week"}, Rows: []Row{
			row("current", h.CurrentAUC, h.CurrentTrainAUC, "current_auc", "current_train_auc", "current_sales_ready", "current_at_volume", h.CurrentSalesReady, h.CurrentAtVolume, s.HandoffsPerWeek, "handoffs_per_week"),
			row("suggested", h.SuggestedAUC, h.SuggestedTrainAUC, "suggested_auc", "suggested_train_auc", "suggested_sales_ready", "suggested_at_volume", h.SuggestedSalesReady, h.SuggestedAtVolume, s.SuggestedHandoffsPerWeek, "suggested_handoffs_per_week"),
		}}
		sec.Blocks = append(sec.Blocks, Block{Title: "Held-out leads: current against suggested points", Lead: lead, Table: t,
			Note: "The AUC's difference has DeLong's paired interval (the same leads scored twice). Hand-offs a week: leads whose first sales-ready moment falls in the capacity's history, a week."})
	}
	var groups []string
	var vals [][]float64
	pt := &Table{Sortable: true, Head: []string{"rule", "category", "points", "suggested", "log-odds per unit", "95% interval", "fired (training)", "note"}}
	for i, r := range s.Rules {
		rp := func(k string) string { return sp("rules", i, k) }
		groups = append(groups, r.Rule)
		vals = append(vals, []float64{r.Current, r.Suggested})
		pt.Rows = append(pt.Rows, Row{Cells: []Cell{Text(r.Rule), Text(r.Category), Number(rp("current"), r.Current, wholeOr(r.Current, "dec1")), Number(rp("suggested"), r.Suggested, wholeOr(r.Suggested, "dec1")),
			Maybe(rp("coefficient"), r.Coefficient, "dec3"), ivCell(rp("coefficient_interval"), r.Interval, "dec2"), Int(rp("fired"), r.Fired), Text(r.Kept)}})
	}
	var lead Sentence
	if s.Scale != nil {
		lead = ln("One scale for the model: ", Maybe(sp("points_per_log_odds"), s.Scale, "dec1"), " points per unit of log-odds, chosen so that the fitted leads' sales-ready volume stays ",
			Int(sp("train_sales_ready"), s.TrainSalesReady), " (it is ", Int(sp("suggested_train_sales_ready"), s.SuggestedTrainSalesReady), " with the suggested points); fitted on ",
			Int(sp("train_leads"), s.TrainLeads), " leads, ", Int(sp("train_won"), s.TrainWon), " won.")
	} else {
		lead = ln("Fitted on ", Int(sp("train_leads"), s.TrainLeads), " leads, ", Int(sp("train_won"), s.TrainWon), " won.")
	}
	blk := Block{Title: "Points, current and suggested", Lead: lead, Table: pt,
		Note: "A rule keeps its points when, on the model's scale, they lie inside its coefficient's 95% interval (the data cannot tell them apart), or when it fired on too few training leads to fit; the note says which."}
	if len(groups) > 0 && s.Withheld == "" {
		blk.Chart = Bars("Each rule's points, current and suggested", groups, []string{"current", "suggested"}, vals, wholeAll(vals, "dec1"))
	}
	sec.Blocks = append(sec.Blocks, blk)
	return sec
}

// verdictsSection judges the hand-offs by sales' verdicts, and shows the
// rejection reasons as evidence against rules.
func verdictsSection(v *backtest.Verdicts, minWon int, prefix string) Section {
	vp := func(parts ...any) string { return p(prefix, append([]any{"verdict_view"}, parts...)...) }
	sec := Section{ID: "verdicts", Title: "What sales said of the hand-offs"}
	sec.Intro = []string{fmt.Sprintf("The leads the definition handed to sales from %s to %s (the outcome window, and one SLA before the snapshot), each judged by its first verdict at or after its hand-off.",
		v.From.Format("2006-01-02 15:04"), v.To.Format("2006-01-02 15:04"))}
	ct := &Table{Head: []string{"hand-offs", "leads"}, Rows: []Row{
		{Cells: []Cell{Text("handed over"), Int(vp("handed_over"), v.HandedOver)}},
		{Cells: []Cell{Text("judged"), Int(vp("judged"), v.Judged)}},
		{Cells: []Cell{Text("accepted"), Int(vp("accepted"), v.Accepted)}},
		{Cells: []Cell{Text("rejected"), Int(vp("rejected"), v.Rejected)}},
		{Cells: []Cell{Text("recycled"), Int(vp("recycled"), v.Recycled)}},
		{Cells: []Cell{Text("still waiting"), Int(vp("waiting"), v.Waiting)}},
		{Cells: []Cell{Text("verdicts without a hand-off"), Int(vp("verdicts_not_handed_over"), v.NotHandedOver)}},
		{Cells: []Cell{Text("of them, accepted (missed by the definition)"), Int(vp("accepted_not_handed_over"), v.AcceptedNotHandedOver)}},
	}}
	sec.Blocks = append(sec.Blocks, Block{Title: "Hand-offs and their verdicts", Table: ct,
		Chart: Bars("The hand-offs by sales' verdict", []string{"accepted", "rejected", "recycled", "still waiting"}, []string{"leads"},
			[][]float64{{float64(v.Accepted)}, {float64(v.Rejected)}, {float64(v.Recycled)}, {float64(v.Waiting)}}, "int")})
	rt := &Table{Head: []string{"", "leads", "accepted", "rate", "95% interval"}, Rows: []Row{
		{Cells: []Cell{Text("hand-offs judged (acceptance: precision as sales sees it)"), Int(vp("judged"), v.Judged), Int(vp("accepted"), v.Accepted),
			Maybe(vp("acceptance_rate"), v.AcceptanceRate, "pct"), ivCell(vp("acceptance_rate_interval"), v.AcceptanceRateInterval, "pct")}},
		{Cells: []Cell{Text("accepted leads the definition handed over (recall)"), Derived(float64(v.Accepted+v.AcceptedNotHandedOver), "int"), Int(vp("accepted"), v.Accepted),
			Maybe(vp("recall"), v.Recall, "pct"), ivCell(vp("recall_interval"), v.RecallInterval, "pct")}},
	}}
	note := "95% Wilson intervals. Recall's leads (in italics) are the accepted hand-offs and the leads sales accepted without one."
	if v.Judged < minWon {
		note += fmt.Sprintf(" These rest on %s with a verdict, under %d: read the intervals.", plural(v.Judged, "hand-off"), minWon)
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "Acceptance and recall", Table: rt, Note: note})
	if len(v.Evidence) > 0 {
		sec.Blocks = append(sec.Blocks, Block{Title: "Rejection reasons against rules", Table: fieldsTable(v.Evidence, vp("evidence")),
			Note: "Of the hand-offs given each reason, the share on which a rule had fired at the hand-off, against all judged hand-offs; a reason the catalogue says contradicts the rule, with a high lift, says the rule is probably wrong."})
	} else {
		sec.Blocks = append(sec.Blocks, Block{Title: "Rejection reasons against rules", Lead: ln("No judged hand-off was rejected or recycled with a reason: no evidence against a rule.")})
	}
	return sec
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return numfmt.Thousands(n) + " " + noun + "s"
}

// stabilitySection is the backtest repeated at several snapshots: the AUC
// and the hand-off's precision at each, with their intervals.
func stabilitySection(st *backtest.StabilityReport, prefix string) Section {
	sec := Section{ID: "stability", Title: "Does the definition keep working over time?"}
	sec.Intro = []string{st.Reading}
	var est []Estimate
	t := &Table{Head: []string{"snapshot (T0)", "window to (T1)", "leads", "won", "AUC", "95% interval", "sales-ready", "won", "precision", "95% interval", "recall", "95% interval", "note"}}
	for i, s := range st.Snapshots {
		path := func(k string) string { return p(prefix, "stability", "snapshots", i, k) }
		until := "no end"
		if s.Until != nil {
			until = s.Until.Format("2006-01-02")
		}
		note, kind := "", 0
		switch {
		case s.TooFewWon:
			note, kind = "too few won deals", 1
		case s.CutShort:
			note, kind = "window cut short", 1
		}
		if s.AUC != nil && s.AUCInterval != nil {
			est = append(est, Estimate{Label: s.At.Format("2006-01-02"), Value: *s.AUC, Low: s.AUCInterval.Low, High: s.AUCInterval.High, Kind: kind})
		}
		t.Rows = append(t.Rows, Row{Cells: []Cell{Text(s.At.Format("2006-01-02")), Text(until), Int(path("leads"), s.Leads), Int(path("won"), s.Won),
			Maybe(path("auc"), s.AUC, "dec3"), ivCell(path("auc_interval"), s.AUCInterval, "dec3"),
			Int(path("sales_ready"), s.SalesReady), Int(path("sales_ready_won"), s.SalesReadyWon),
			Maybe(path("precision"), s.Precision, "pct"), ivCell(path("precision_interval"), s.PrecisionInterval, "pct"),
			Maybe(path("recall"), s.Recall, "pct"), ivCell(path("recall_interval"), s.RecallInterval, "pct"), Text(note)}})
	}
	blk := Block{Table: t, Note: "Each snapshot is a backtest of its own: every lead scored as it stood then, labelled with what happened in a window as long as the main one. Intervals are 95% (AUC: DeLong; precision and recall: Wilson); snapshots with too few won deals or a window cut short are left out of the reading."}
	if len(est) > 0 {
		blk.Chart = Intervals("The AUC at each snapshot, with its 95% interval", est, []string{"compared", "left out of the reading"}, []string{color(0), "#999999"}, "dec3")
	}
	sec.Blocks = []Block{blk}
	return sec
}
