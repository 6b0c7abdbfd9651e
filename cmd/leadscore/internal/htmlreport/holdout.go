package htmlreport

import (
	"strconv"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/internal/numfmt"
)

// holdoutSection is the holdout experiment: the groups and their split,
// the win rate and revenue per lead of each with their intervals, the
// lift with its interval, what the sample can detect, and the verdict or
// why it is withheld. Its figures and words are the text report's (the
// verdicts and reasons are the report's own strings).
func holdoutSection(h *backtest.HoldoutReport, prefix string) Section {
	hp := func(parts ...any) string { return p(prefix, append([]any{"holdout"}, parts...)...) }
	sec := Section{ID: "holdout", Title: "Did the hand-off cause the wins?"}
	if h.Withhold == dsl.WithholdChallenger {
		sec.Title = "Does the champion beat its challenger on the same traffic?"
	}
	head := "Holdout (share " + shareWords(h.Share) + ", seed " + h.Seed + ", withhold " + h.Withhold + ")"
	type cmpAt struct {
		c    *backtest.Comparison
		path func(parts ...any) string
	}
	cmps := []cmpAt{{&h.Comparison, hp}}
	if h.Overall != nil {
		cmps = append(cmps, cmpAt{h.Overall, func(parts ...any) string { return hp(append([]any{"overall"}, parts...)...) }})
	}
	for _, c := range cmps {
		if c.c.Decision == "withheld" {
			sec.Summary = append(sec.Summary, ln(head+", "+populationWords(c.c.Population)+": verdict ", Badge("withheld"), ": "+c.c.WithheldReason+"."))
		} else {
			sec.Summary = append(sec.Summary, ln(head+": "+c.c.Verdict+"."))
		}
	}
	if h.LeftOut > 0 || h.ChallengerLeftOut > 0 {
		sec.Summary = append(sec.Summary, ln(head+": left out of the comparison, whatever their group: ", Int(hp("left_out"), h.LeftOut), " "+numfmt.Noun(h.LeftOut, "lead")+" the model could not replay to T1, ",
			Int(hp("challenger_left_out"), h.ChallengerLeftOut), " "+numfmt.Noun(h.ChallengerLeftOut, "lead")+" the challenger could not score; the rest of the report keeps them."))
	}
	if h.BeforeStart != nil {
		n := *h.BeforeStart
		sec.Summary = append(sec.Summary, ln(head+": ", Int(hp("before_start"), n), " "+numfmt.Noun(n, "lead")+" created before the experiment started ("+h.Starts+") "+
			map[bool]string{true: "is", false: "are"}[n == 1]+" in neither group, left out of both comparisons and the split's test; the rest of the report keeps them."))
	}
	if h.Withhold == dsl.WithholdChallenger {
		sec.Intro = []string{"Leads are assigned by a hash of their id and the seed (rules.Holdout), " + shareWords(h.Share) + " of them to the control group, which the challenger definition judges; " +
			"the rest the champion (the model). Treated (champion) against control (challenger), among all the leads that came by T1, won by T1."}
	} else {
		sec.Intro = []string{"Leads are assigned by a hash of their id and the seed (rules.Holdout), " + shareWords(h.Share) + " of them to the control group, which the definition does not hand to sales. " +
			"Treated against control, intent to treat: among the leads the definition would have handed to sales by T1 (its first sales-ready moment with sales' dispositions left out), in both groups, " +
			"won at or after that moment by T1; and among all the leads that came by T1, won by T1. No lead is left out for an opportunity or a decision by T0: the hand-off may have caused it."}
	}

	// The groups: win rate and revenue per lead, with their intervals.
	gt := &Table{Head: []string{"among", "group", "leads", "won", "win rate", "95% interval", "revenue per lead", "95% interval"}}
	var est []Estimate
	for _, c := range cmps {
		for _, a := range []struct {
			name string
			arm  *backtest.Arm
		}{{"treated", &c.c.Treated}, {"control", &c.c.Control}} {
			ap := func(parts ...any) string { return c.path(append([]any{a.name}, parts...)...) }
			gt.Rows = append(gt.Rows, Row{Small: small(a.arm.Leads, a.arm.Won), Cells: []Cell{Text(populationWords(c.c.Population)), Text(a.name), Int(ap("leads"), a.arm.Leads), Int(ap("won"), a.arm.Won),
				Maybe(ap("win_rate", "value"), a.arm.WinRate.Value, "pct"), estCell(ap("win_rate"), a.arm.WinRate, "pct"),
				Maybe(ap("revenue_per_lead", "value"), a.arm.RevenuePerLead.Value, "money2"), estCell(ap("revenue_per_lead"), a.arm.RevenuePerLead, "money2")}})
			if e := a.arm.WinRate; e.Value != nil && e.Low != nil && e.High != nil {
				kind := 0
				if a.name == "control" {
					kind = 1
				}
				est = append(est, Estimate{Label: populationWords(c.c.Population) + ", " + a.name, Value: *e.Value, Low: *e.Low, High: *e.High, Kind: kind})
			}
		}
	}
	gb := Block{Title: "Treated and control", Table: gt,
		Note: "Win rates with 95% Wilson intervals; revenue per lead with its 95% t interval, given only when a group has " + strconv.Itoa(backtest.HoldoutMinWon) + " won deals or more. " + smallNote}
	if len(est) > 0 {
		gb.Chart = Intervals("The win rate of each group, with its 95% interval", est, []string{"treated", "control"}, []string{color(0), color(1)}, "pct")
	}
	sec.Blocks = append(sec.Blocks, gb)

	// The split: the sample ratio test.
	st := &Table{Head: []string{"among", "leads", "control", "control share", "holdout share", "sample ratio test"}}
	for _, c := range cmps {
		sr := c.c.SampleRatio
		if sr == nil {
			continue
		}
		sp := func(k string) string { return c.path("sample_ratio", k) }
		test := Parts(Text("p < 0.0001: " + backtest.SplitCheck(sr)))
		if sr.P >= 0.0001 {
			test = Parts(Text("p = "), Number(sp("p_value"), sr.P, "dec4"), Text(": "+backtest.SplitCheck(sr)))
		}
		st.Rows = append(st.Rows, Row{Cells: []Cell{Text(populationWords(c.c.Population)), Int(sp("leads"), sr.Leads), Int(sp("control"), sr.Control),
			Derived(frac(sr.Control, sr.Leads), "pct"), Text(shareWords(sr.Share)), test}})
	}
	if len(st.Rows) > 0 {
		sec.Blocks = append(sec.Blocks, Block{Title: "The split", Table: st,
			Note: "The control group's count among the leads compared against the holdout's share (chi-square, or the exact binomial test when a group expects fewer than 5 leads). Under p = 0.001 the split is off the share: leads were lost from or added to one group, and the verdict is withheld. The control share (in italics) is computed here from the two counts."})
	}

	// The lift, what the sample can detect, and the verdict.
	lt := &Table{Head: []string{"among", "win rate difference", "95% interval", "ratio", "95% interval", "revenue per lead difference", "95% interval", "detectable difference", "detectable revenue per lead", "verdict"}}
	for _, c := range cmps {
		l, pw := c.c.Lift, c.c.Power
		lp := func(parts ...any) string { return c.path(append([]any{"lift"}, parts...)...) }
		revIv := estCell(lp("revenue_per_lead_difference"), l.RevenuePerLead, "money2")
		if l.RevenuePerLead.Low == nil && l.RevenueWithheld != "" {
			revIv = Text(l.RevenueWithheld)
		}
		mde := mdeCell(c.path("power", "min_detectable_difference"), pw.MinDetectableDifference)
		if pw.MinDetectableDifference == nil && pw.Withheld != "" {
			mde = Text(pw.Withheld)
		}
		verdict := Parts(Badge(c.c.Decision))
		if c.c.Decision == "withheld" {
			verdict = Parts(Badge("withheld"), Text(": "+c.c.WithheldReason))
		}
		lt.Rows = append(lt.Rows, Row{Cells: []Cell{Text(populationWords(c.c.Population)),
			Maybe(lp("win_rate_difference", "value"), l.WinRate.Value, "pointsdiff"), estCell(lp("win_rate_difference"), l.WinRate, "pointsdiff"),
			Maybe(lp("win_rate_ratio", "value"), l.WinRateRatio.Value, "dec2"), estCell(lp("win_rate_ratio"), l.WinRateRatio, "dec2"),
			Maybe(lp("revenue_per_lead_difference", "value"), l.RevenuePerLead.Value, "money2"), revIv,
			mde, Maybe(c.path("power", "min_detectable_revenue_per_lead"), pw.MinDetectableRevenuePerLead, "money2"), verdict}})
	}
	sec.Blocks = append(sec.Blocks, Block{Title: "The lift, and what the sample can detect", Table: lt,
		Note: "Treated minus control (the ratio: treated over control), in points of win rate. Intervals are 95%: the difference Newcombe's, the ratio Katz's (log scale), revenue per lead Welch's. " +
			"The detectable differences are the least true differences the sample finds four times in five at the 5% level, two-sided. A verdict needs " + strconv.Itoa(backtest.HoldoutMinLeads) + " leads and " +
			strconv.Itoa(backtest.HoldoutMinWon) + " won deals in each group, a split that matches the share, and an interval of the difference that excludes 0."})

	if len(h.Challenger) > 0 {
		ct := &Table{Head: []string{"definition", "group", "leads", "won", "sales-ready", "won", "precision", "95% interval", "recall", "95% interval"}}
		for i, d := range h.Challenger {
			dp := func(parts ...any) string { return hp(append([]any{"challenger", i}, parts...)...) }
			ct.Rows = append(ct.Rows, Row{Small: small(d.SalesReady, d.SalesReadyWon), Cells: []Cell{Text(d.Model), Text(d.Arm), Int(dp("leads"), d.Leads), Int(dp("won"), d.Won),
				Int(dp("sales_ready"), d.SalesReady), Int(dp("sales_ready_won"), d.SalesReadyWon),
				Maybe(dp("precision", "value"), d.Precision.Value, "pct"), estCell(dp("precision"), d.Precision, "pct"),
				Maybe(dp("recall", "value"), d.Recall.Value, "pct"), estCell(dp("recall"), d.Recall, "pct")}})
		}
		sec.Blocks = append(sec.Blocks, Block{Title: "Champion and challenger", Table: ct,
			Note: "Each definition on its own group: the leads it would have handed to sales by T1 (sales' dispositions left out) and how many of them won by T1. Precision, recall and win rate with 95% Wilson intervals. " + smallNote})
	}
	return sec
}

// estCell is an estimate's interval, its ends at path.low and path.high,
// or — at path.low when it has none.
func estCell(path string, e backtest.Estimate, format string) Cell {
	if e.Low == nil || e.High == nil {
		return Maybe(path+".low", nil, format)
	}
	return Parts(Number(path+".low", *e.Low, format), Text(" to "), Number(path+".high", *e.High, format))
}

// mdeCell is the least detectable difference of win rates, in points; the
// text report's words when it exceeds 100 points.
func mdeCell(path string, v *float64) Cell {
	if v != nil && *v > 1 {
		return Text("cannot detect any difference with these groups")
	}
	return Maybe(path, v, "points")
}

// populationWords names a comparison's population as the text report does.
func populationWords(p string) string {
	if p == "sales_ready" {
		return "the sales-ready leads"
	}
	return "all the leads"
}

// shareWords writes the holdout's share as the text report does: a
// percentage with as many digits as it has (10%, 12.5%).
func shareWords(v float64) string {
	r, _ := strconv.ParseFloat(numfmt.Float(100*v, 'g', 10), 64)
	return numfmt.Float(r, 'f', -1) + "%"
}
