package backtest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leadscore/leadscore/internal/csvcell"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// table is a titled table, written as Markdown, aligned text or CSV rows.
type table struct {
	title, intro string
	headers      []string
	rows         [][]string
	// user are the columns whose cells come from user data (a reason),
	// which the CSV writes with csvcell.Text.
	user []int
}

func (t table) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "### %s\n\n", t.title)
	if t.intro != "" {
		b.WriteString(t.intro + "\n\n")
	}
	if len(t.rows) == 0 {
		return
	}
	fmt.Fprintf(b, "| %s |\n|", strings.Join(t.headers, " | "))
	for i := range t.headers {
		if i == 0 {
			b.WriteString("---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.rows {
		fmt.Fprintf(b, "| %s |\n", strings.Join(r, " | "))
	}
	b.WriteString("\n")
}

func (t table) text(b *strings.Builder) {
	b.WriteString(strings.ToUpper(t.title) + "\n")
	if t.intro != "" {
		b.WriteString(t.intro + "\n")
	}
	if len(t.rows) == 0 {
		b.WriteString("\n")
		return
	}
	widths := make([]int, len(t.headers))
	for i, h := range t.headers {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range t.rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells []string) {
		var l strings.Builder
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i == 0 {
				l.WriteString(c + pad)
			} else {
				l.WriteString("  " + pad + c)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	line(t.headers)
	for _, r := range t.rows {
		line(r)
	}
	b.WriteString("\n")
}

func f3(v *float64) string {
	if v == nil {
		return "—"
	}
	return numfmt.Float(*v, 'f', 3)
}

func f2(v *float64) string {
	if v == nil {
		return "—"
	}
	return numfmt.Float(*v, 'f', 2)
}

func money(v float64) string {
	s := numfmt.Float(v, 'f', -1)
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if neg {
		whole = "-" + whole
	}
	if frac != "" {
		return whole + "." + frac
	}
	return whole
}

func itoa(n int) string { return strconv.Itoa(n) }

// plural writes "1 lead", "2 leads", "1 open opportunity", "2 open opportunities".
// plural writes "1 won deal", "2 won deals".
func plural(n int, noun string) string { return strconv.Itoa(n) + " " + numfmt.Noun(n, noun) }

func optNum(v *float64) string {
	if v == nil {
		return "—"
	}
	return num(*v)
}

// interval writes "a to b" with f, or "—".
func interval(v *Interval, f func(*float64) string) string {
	if v == nil {
		return "—"
	}
	return f(&v.Low) + " to " + f(&v.High)
}

// pctOf writes a rate with its counts: "42.9% (3 of 7)".
func pctOf(k, n int) string {
	return fmt.Sprintf("%s (%d of %d)", pct(ratio(float64(k), float64(n))), k, n)
}

// withInterval writes "42.9% (95%: 15.8% to 75.0%)".
func withInterval(v *float64, iv *Interval, f func(*float64) string) string {
	if v == nil {
		return "—"
	}
	if iv == nil {
		return f(v)
	}
	return fmt.Sprintf("%s (95%%: %s)", f(v), interval(iv, f))
}

// failedRows is "; and 3 lead rows failed" when rows failed, for the
// sentence that counts the leads.
func failedRows(n int) string {
	if n == 0 {
		return ""
	}
	return "; and " + plural(n, "lead row") + " failed"
}

// summary is the report's opening paragraph: the answers first.
func (r *Report) summary() []string {
	until := "no end"
	if r.Until != nil {
		until = r.Until.Format(time.RFC3339)
	}
	c := r.Leads
	lines := []string{
		fmt.Sprintf("Model %s, snapshot at %s (T0), outcomes in (T0, %s].", r.Model, r.At.Format(time.RFC3339), until),
		fmt.Sprintf("%s: %d in the backtest; left out: %d not created by T0, %d won or lost by T0, %s at T0%s.",
			plural(c.Added, "lead"), c.InBacktest, c.NotCreated, c.Decided, plural(c.OpenOpportunity, "open opportunity"), failedRows(c.Failed)),
		fmt.Sprintf("In the backtest: %d won (%s), %d became opportunities, revenue %s.", r.Won, pct(r.WinRate), r.Opportunities, money(r.Revenue)),
	}
	// The outcome rows not counted, and the lead rows that failed, are
	// said once, with their deals, in the warnings below.
	s := r.SalesReady
	lines = append(lines, fmt.Sprintf("AUC %s, 95%% interval %s, on %d won against %d not won (a won lead outscores one that did not win in %s of pairs).",
		f3(r.AUC), interval(r.AUCInterval, f3), r.Won, c.InBacktest-r.Won, pct(r.AUC)),
		fmt.Sprintf("The sales-ready definition picked %s, %d of them won: precision %s, recall %s; it missed %s worth %s.",
			plural(s.Leads, "lead"), s.Won, withInterval(s.Precision, s.PrecisionInterval, pct), withInterval(s.Recall, s.RecallInterval, pct),
			plural(s.MissedWon, "won deal"), money(s.MissedRevenue)))
	counts := map[string]int{}
	for _, rs := range r.Rules {
		counts[rs.Verdict]++
	}
	var parts []string
	for _, v := range []string{Predictive, AntiPredictive, NoEvidence, TooLittleData, LeakageSuspected} {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
		}
	}
	if len(parts) > 0 {
		lines = append(lines, "Rules: "+strings.Join(parts, ", ")+".")
	}
	if cp := r.Capacity; cp != nil {
		lines = append(lines, cp.answer())
	}
	if sg := r.Suggestion; sg != nil {
		lines = append(lines, fmt.Sprintf("Suggested points: %s: %s.", sg.Decision, sg.Why))
	}
	lines = append(lines, r.Stability.summary()...)
	lines = append(lines, r.Holdout.summary()...)
	return lines
}

func (r *Report) tables() []table {
	var ts []table
	s := r.SalesReady
	ts = append(ts, table{title: "The sales-ready definition as a classifier of won deals",
		intro:   "Snapshot view: sales-ready at T0, won after it. Intervals are 95% Wilson intervals.",
		headers: []string{"", "leads", "won", "precision", "95% interval", "recall", "95% interval", "lift", "opportunities", "opp. precision", "opp. recall", "won revenue", "won, not sales-ready", "their revenue"},
		rows: [][]string{{"sales-ready", itoa(s.Leads), itoa(s.Won), pct(s.Precision), interval(s.PrecisionInterval, pct), pct(s.Recall), interval(s.RecallInterval, pct), f2(s.Lift), itoa(s.Opportunities),
			pct(s.OpportunityPrecision), pct(s.OpportunityRecall), money(s.Revenue), itoa(s.MissedWon), money(s.MissedRevenue)}}})
	rank := table{title: "Ranking", intro: fmt.Sprintf("Snapshot view, on %d won and %d not-won leads. AUC: the chance that a won lead scores higher than one that did not win (ties count half; 0.5 is a coin toss), with its 95%% interval (DeLong's variance, on the logit scale). KS: the largest gap between the shares of won and not-won leads at or below a total.", r.Won, r.Leads.InBacktest-r.Won),
		headers: []string{"score", "AUC (won)", "95% interval", "AUC (opportunity)", "KS", "KS at total ≤"}}
	rank.rows = append(rank.rows, []string{"total", f3(r.AUC), interval(r.AUCInterval, f3), f3(r.AUCOpportunity), f3(r.KS), num(r.KSAt)})
	for _, c := range r.CategoryAUC {
		rank.rows = append(rank.rows, []string{c.Name, f3(c.Value), "", "", "", ""})
	}
	ts = append(ts, rank)
	group := func(title, first string, gs []Group) table {
		t := table{title: title, intro: "Snapshot view: the stage or grade at T0.", headers: []string{first, "leads", "opportunities", "opp. rate", "won", "win rate", "95% interval", "lift"}}
		for _, g := range gs {
			t.rows = append(t.rows, []string{g.Name, itoa(g.Leads), itoa(g.Opportunities), pct(g.OpportunityRate), itoa(g.Won), pct(g.WinRate), interval(g.WinRateInterval, pct), f2(g.Lift)})
		}
		return t
	}
	ts = append(ts, group("Conversion by stage", "stage", r.Stages), group("Conversion by grade", "grade", r.Grades))
	band := func(title, intro string, bs []Band) table {
		t := table{title: title, intro: intro, headers: []string{"band", "totals", "leads", "won", "win rate", "95% interval", "lift", "95% interval", "cumulative recall", "calibrated chance"}}
		for _, b := range bs {
			rng := "—"
			if b.Min != nil {
				rng = num(*b.Min) + " to " + num(*b.Max)
			}
			iv := "—"
			if b.Low != nil {
				iv = pct(b.Low) + " to " + pct(b.High)
			}
			t.rows = append(t.rows, []string{b.Name, rng, itoa(b.Leads), itoa(b.Won), pct(b.WinRate), iv, f2(b.Lift), interval(b.LiftInterval, f2), pct(b.CumRecall), pct(b.Calibrated)})
		}
		return t
	}
	ts = append(ts, band("Deciles of the total", "Snapshot view, best first; leads with the same total share a decile, so a decile may hold more or fewer than a tenth.", r.Deciles))
	cal := r.InversionNote()
	ts = append(ts, band(fmt.Sprintf("Bands of %s points", num(r.BandWidth)), "Snapshot view, best first; the win rate is what a lead in the band was worth, with its 95% Wilson interval; the calibrated chance is the calibration map's (below). "+cal, r.Bands))
	if c := r.Calibration; c != nil {
		ts = append(ts, c.table())
	}
	rt := table{title: "Rules", intro: "One verdict each, from the multivariable fit (joint: a logistic regression of won on every rule's units at T0 at once, so a rule that merely fires with a predictive one gets no credit for it): predictive (its 95% interval excludes zero on the side of its points; for a gate, the leads it stops win less), anti-predictive (excludes zero on the other side), no evidence (includes zero), too little data, leakage suspected (it fires almost only on won leads, or on leads already an opportunity at T0). Beside it, one rule at a time: its coefficient alone, the shares of won and not-won leads it fired on, lift and IV (information value), each with its 95% interval, and the signal the IV's interval reaches (the weight of evidence, WoE, is in the JSON). WoE and IV add one pseudo-lead at the base rate to each group; a rule that fired on none or all of the won leads (or of the rest) has them from that alone, says so in why and is ranked after the rules measured. A unit is one firing of a lead rule, one event counted (after limit, window and decay) of an event rule.",
		headers: []string{"rule", "points", "verdict", "joint log-odds", "95% interval", "alone", "fired", "won", "share of won", "share of not won", "lift", "95% interval", "IV", "95% interval", "signal", "why"}}
	for _, s := range r.Rules {
		pts := num(s.Points)
		if s.Gate {
			pts = "gate"
		}
		var joint, jiv, alone *float64
		var jint *Interval
		if s.Joint != nil {
			joint, jint = &s.Joint.Estimate, &Interval{s.Joint.Low, s.Joint.High}
		}
		if s.OneAtATime != nil {
			alone = &s.OneAtATime.Estimate
		}
		_ = jiv
		rt.rows = append(rt.rows, []string{s.Rule, pts, s.Verdict, f2(joint), interval(jint, f2), f2(alone), itoa(s.Fired), itoa(s.FiredWon), pct(s.ShareWon), pct(s.ShareNotWon),
			f2(s.Lift), interval(s.LiftInterval, f2), f3(s.IV), interval(s.IVInterval, f3), s.Signal, s.Why})
	}
	ts = append(ts, rt)
	if c := r.Capacity; c != nil {
		ts = append(ts, c.tables()...)
	}
	if s := r.Suggestion; s != nil {
		ts = append(ts, s.tables()...)
	}
	if d := r.Drift; d != nil {
		ts = append(ts, d.table())
	}
	if v := r.Verdicts; v != nil {
		ts = append(ts, v.tables()...)
	}
	ts = append(ts, r.Stability.tables()...)
	ts = append(ts, r.Holdout.tables()...)
	return ts
}

func (c *Calibration) table() table {
	verdict := "it beats the base rate on both scores: its chances can be read as chances"
	if !c.Beats {
		verdict = "it does not beat the base rate on held-out leads: read its chances as a ranking, not as chances"
	}
	t := table{title: "Calibration", intro: fmt.Sprintf("%s: P(won) = 1 / (1 + exp(-(%.4f + %.5f × total))), fitted on the %d leads created first (%d won), measured on the %d later ones (%d won): %s.",
		c.Method, c.A, c.B, c.FitLeads, c.FitWon, c.TestLeads, c.TestWon, verdict),
		headers: []string{"held out", "calibration map", "base rate"}}
	t.rows = [][]string{{"Brier score", f3(c.Brier), f3(c.BaseBrier)}, {"log-loss", f3(c.LogLoss), f3(c.BaseLogLoss)}}
	return t
}

// tables are the verdict view: the hand-offs judged by sales' verdicts,
// and rejections as evidence against rules.
func (v *Verdicts) tables() []table {
	t := table{title: "Sales' verdicts on the hand-offs",
		intro: fmt.Sprintf("The leads the definition handed to sales from %s to %s (the outcome window, and one SLA before T0), each judged by its first verdict at or after its hand-off: %d handed over, %d judged (%d accepted, %d rejected, %d recycled), %d still waiting. %s leads got a verdict without a hand-off, %d of them accepted.",
			v.From.Format(time.RFC3339), v.To.Format(time.RFC3339), v.HandedOver, v.Judged, v.Accepted, v.Rejected, v.Recycled, v.Waiting, itoa(v.NotHandedOver), v.AcceptedNotHandedOver),
		headers: []string{"", "leads", "accepted", "rate", "95% interval"},
		rows: [][]string{
			{"hand-offs judged (acceptance: precision as sales sees it)", itoa(v.Judged), itoa(v.Accepted), pct(v.AcceptanceRate), interval(v.AcceptanceRateInterval, pct)},
			{"accepted leads the definition handed over (recall)", itoa(v.Accepted + v.AcceptedNotHandedOver), itoa(v.Accepted), pct(v.Recall), interval(v.RecallInterval, pct)},
		}}
	ts := []table{t}
	if len(v.Evidence) > 0 {
		ts = append(ts, evidenceTable(v.Evidence))
	}
	return ts
}

// evidenceTable is each rejection reason against the rules, as the
// feedback report judges it (see feedback.Evidence).
func evidenceTable(evs []feedback.Evidence) table {
	e := table{title: "Rejection reasons against rules",
		intro: fmt.Sprintf("Of the judged hand-offs given each reason, the share on which a rule had fired at the hand-off, against the other judged hand-offs: the ratio with its 95%% interval, Fisher's exact test adjusted for the many pairs (q, Benjamini–Hochberg), checked with the rule that fires with it held fixed; contradicted (the rule fires more on leads rejected for a reason that contradicts it: sales says it is wrong), supported (less: sales agrees), inconclusive, or over-represented for a rule the reason does not name. A reason given to fewer than %d leads judges no rule.",
			feedback.MinLeads),
		headers: []string{"reason", "rule", "catalogue says contradicts", "fired: given the reason", "fired: the others", "ratio", "95% interval", "q", "verdict", "why"},
		user:    []int{0, 1}}
	for _, ev := range evs {
		var iv *Interval
		if ev.RateRatioLow != nil && ev.RateRatioHigh != nil {
			iv = &Interval{*ev.RateRatioLow, *ev.RateRatioHigh}
		}
		e.rows = append(e.rows, []string{ev.Reason, ev.Rule, strconv.FormatBool(ev.Contradicted),
			fmt.Sprintf("%d of %d", ev.Fired, ev.Leads), fmt.Sprintf("%d of %d", ev.OthersFired, ev.Others), f2(ev.RateRatio), interval(iv, f2), f3(ev.Q), ev.Verdict, ev.Why})
	}
	return e
}

func (c *CapacityReport) answer() string {
	per := "a " + c.Unit
	switch {
	case c.Periods <= 0:
		return "Capacity: the leads' history is empty, so no flow per " + c.Unit + " can be measured."
	case c.Threshold == nil:
		return fmt.Sprintf("Capacity: even the highest %s sends more than %s leads %s: no threshold fits the capacity.", c.On, num(c.Capacity), per)
	case c.EveryLead && c.At.Crossed == 0:
		return fmt.Sprintf("Capacity: no lead crossed even the lowest %s in the history (every lead disqualified by a gate, or none arrived in it): there is no flow to fit a threshold to.", c.On)
	case c.EveryLead:
		return fmt.Sprintf("Capacity: sales can work every lead: %s leads %s cross even the lowest %s (%s), within the capacity of %s.",
			optNum(c.At.PerPeriod), per, c.On, num(*c.Threshold), num(c.Capacity))
	}
	a := c.At
	rng := ""
	if c.ThresholdInterval != nil {
		rng = fmt.Sprintf(" (the flows' sampling error allows %s to %s)", num(c.ThresholdInterval.Low), num(c.ThresholdInterval.High))
	}
	return fmt.Sprintf("Capacity: for %s leads %s, the threshold is %s %s%s: over the last %s, %s leads %s crossed it (95%%: %s); %s of those %d won after crossing, so expect %s won deals %s (95%%: %s).",
		num(c.Capacity), per, c.On, num(*c.Threshold), rng, plural(int(c.Periods), c.Unit), f2(a.PerPeriod), per, interval(a.PerPeriodInterval, f2),
		pctOf(a.CrossedWon, a.Crossed), a.Crossed, f2(a.ExpectedWon), per, interval(a.ExpectedWonInterval, f2))
}

func (c *CapacityReport) tables() []table {
	per := "per " + c.Unit
	cur := c.Current
	intro := fmt.Sprintf("Flows (leads %s) are from the timeline view: each lead's %s replayed up to T0, over the whole %ss from %s to %s (%s); the win rate and the won deals to expect are of the leads that crossed (won after crossing, by T1), intervals 95%% (exact Poisson for flows, Wilson for rates); leads at T0, won and recall are from the snapshot view. %s The current sales-ready definition sends %s leads %s (95%%: %s), %s of them won.",
		per, c.On, c.Unit, c.From.Format("2006-01-02"), c.To.Format("2006-01-02"), plural(int(c.Periods), c.Unit), c.answer(), f2(cur.PerPeriod), per, interval(cur.PerPeriodInterval, f2), pctOf(cur.CrossedWon, cur.Crossed))
	t := table{title: "Capacity", intro: intro, headers: []string{c.On + " ≥", "leads " + per, "95% interval", "crossed", "won after", "win rate", "expected won " + per, "95% interval", "leads at T0", "won", "recall"}}
	step := 10.0
	if len(c.Curve) > 1 {
		step = 10 * (c.Curve[1].Threshold - c.Curve[0].Threshold)
	}
	for i, p := range c.Curve {
		mark := ""
		if c.Threshold != nil && p.Threshold == *c.Threshold {
			mark = " ←"
		}
		if mark == "" && int64(p.Threshold)%int64(step) != 0 && i != 0 {
			continue
		}
		t.rows = append(t.rows, []string{num(p.Threshold) + mark, f2(p.PerPeriod), interval(p.PerPeriodInterval, f2), itoa(p.Crossed), itoa(p.CrossedWon), pct(p.WinRate),
			f2(p.ExpectedWon), interval(p.ExpectedWonInterval, f2), itoa(p.Leads), itoa(p.Won), pct(p.Recall)})
	}
	ts := []table{t}
	if len(c.Weekly) > 0 {
		th := "—"
		if c.Threshold != nil {
			th = num(*c.Threshold)
		}
		trend := "Too few periods to test a trend."
		if tr := c.Trend; tr != nil {
			trend = fmt.Sprintf("Trend of the crossings: %+.1f%% a %s (95%%: %+.1f%% to %+.1f%%, p = %.3f): ", 100*(tr.PerPeriod-1), c.Unit, 100*(tr.Low-1), 100*(tr.High-1), tr.P)
			if tr.Trending {
				trend += "the flow is changing; the average over the history is not today's."
			} else {
				trend += "no trend beyond noise."
			}
		}
		w := table{title: "Crossings " + per, intro: fmt.Sprintf("Leads crossing %s %s, and leads the current definition made sales-ready, each %s of the history, and of each, those won after that moment (by the outcome window's end: later %ss have had less time to win). %s", c.On, th, c.Unit, c.Unit, trend),
			headers: []string{c.Unit + " from", "crossed", "", "won after", "win rate", "sales-ready", "won after", "win rate"}}
		most := 1
		for _, wk := range c.Weekly {
			most = max(most, wk.Crossed)
		}
		for _, wk := range c.Weekly {
			w.rows = append(w.rows, []string{wk.From.Format("2006-01-02"), itoa(wk.Crossed), strings.Repeat("█", (wk.Crossed*30+most-1)/most),
				itoa(wk.CrossedWon), pct(wk.WinRate), itoa(wk.SalesReady), itoa(wk.SalesReadyWon), pct(wk.SalesReadyWinRate)})
		}
		ts = append(ts, w)
	}
	return ts
}

func (s *Suggestion) tables() []table {
	intro := fmt.Sprintf("Fitted on the %d leads created first (%d won, up to %s) by %s (λ = %s); measured on the %d later leads (%d won), held out.",
		s.TrainLeads, s.TrainWon, s.SplitAt.Format("2006-01-02"), s.Method, num(s.Lambda), s.HeldOut.Leads, s.HeldOut.Won)
	if s.Withheld != "" {
		intro = "Withheld: " + s.Withheld + ". The proposed file is not written."
	} else if s.Scale != nil {
		intro += fmt.Sprintf(" One scale for the model: %.1f points per unit of log-odds, chosen so that the fitted leads' sales-ready volume stays %d (it is %d with the suggested points).",
			*s.Scale, s.TrainSalesReady, s.SuggestedTrainSalesReady)
	}
	t := table{title: "Suggested points", intro: intro,
		headers: []string{"rule", "category", "points", "suggested", "log-odds per unit", "95% interval", "fired (training)", "note"}}
	for _, p := range s.Rules {
		t.rows = append(t.rows, []string{p.Rule, p.Category, num(p.Current), num(p.Suggested), f3(p.Coefficient), interval(p.Interval, f2), itoa(p.Fired), p.Kept})
	}
	if s.Withheld != "" {
		return []table{t}
	}
	h := s.HeldOut
	diff := "—"
	if h.Difference != nil {
		diff = fmt.Sprintf("%+.3f (95%%: %s)", *h.Difference, interval(&Interval{deref(h.DifferenceLow), deref(h.DifferenceHigh)}, f3))
		if h.DifferenceLow == nil {
			diff = fmt.Sprintf("%+.3f", *h.Difference)
		}
	}
	ho := table{title: "Held-out leads", intro: fmt.Sprintf("Decision: %s. %s. The suggested AUC minus the current: %s. At equal volume: each total's top %d held-out leads.", s.Decision, upper(s.Why), diff, h.Volume),
		headers: []string{"points", "AUC held out", "AUC fitted on (optimistic)", "sales-ready", "won", "precision", "recall", "top leads at equal volume", "won", "precision", "recall", "hand-offs a week"}}
	ho.rows = [][]string{
		{"current", f3(h.CurrentAUC), f3(h.CurrentTrainAUC), itoa(h.CurrentSalesReady.Leads), itoa(h.CurrentSalesReady.Won), pct(h.CurrentSalesReady.Precision), pct(h.CurrentSalesReady.Recall),
			itoa(h.CurrentAtVolume.Leads), itoa(h.CurrentAtVolume.Won), pct(h.CurrentAtVolume.Precision), pct(h.CurrentAtVolume.Recall), f2(s.HandoffsPerWeek)},
		{"suggested", f3(h.SuggestedAUC), f3(h.SuggestedTrainAUC), itoa(h.SuggestedSalesReady.Leads), itoa(h.SuggestedSalesReady.Won), pct(h.SuggestedSalesReady.Precision), pct(h.SuggestedSalesReady.Recall),
			itoa(h.SuggestedAtVolume.Leads), itoa(h.SuggestedAtVolume.Won), pct(h.SuggestedAtVolume.Precision), pct(h.SuggestedAtVolume.Recall), f2(s.SuggestedHandoffsPerWeek)},
	}
	return []table{t, ho}
}

func deref(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

func (d *Drift) table() table {
	intro := fmt.Sprintf("The %d leads that existed at T0 against %d reference leads scored at %s. "+
		"The total: PSI %s, %s (under 0.10 stable, 0.10 to 0.25 moderate shift, over 0.25 major shift); %s. "+
		"Each rule: the leads it fired on in each set; the ratio of the two rates (now over the reference: 1 is no change, 0.50 half as often) with its 95%% interval; "+
		"q, how likely a change this large would be by chance alone (Fisher's exact test when counts are small), adjusted for testing every rule at once (Benjamini–Hochberg); "+
		"shifted when q is under 0.05 and the ratio is under 0.8 or over 1.25. Too few to tell: not shifted, but the interval reaches a halving (0.5) or a doubling (2). "+
		"PSI beside, for comparison: it barely moves when a rare rule's rate collapses.",
		d.Leads, d.Reference, d.ReferenceAt.Format(time.RFC3339), f3(d.Total), d.TotalBand, d.TotalShift.words())
	t := table{title: "Drift", intro: intro,
		headers: []string{"rule", "fired on", "in the reference", "ratio (95% interval)", "q", "shifted", "says", "PSI", "band"}}
	for _, r := range d.Rules {
		shifted := "no"
		if r.Shifted {
			shifted = "yes"
		}
		t.rows = append(t.rows, []string{r.ID, kOfN(r.Fired, r.Leads, r.Rate), kOfN(r.ReferenceFired, r.ReferenceLeads, r.Reference),
			r.ratioWords(), pValue(r.Q), shifted, r.Verdict, f3(r.PSI), r.Band})
	}
	return t
}

// WriteText writes the report as aligned text tables, for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	return writeText(w, r.summary(), r.Warnings, r.tables(), r.Notes)
}

// writeText writes a report's summary lines, warnings, tables and notes as
// aligned text.
func writeText(w io.Writer, summary, warnings []string, tables []table, notes []string) error {
	var b strings.Builder
	for _, l := range summary {
		b.WriteString(l + "\n")
	}
	for _, w := range warnings {
		b.WriteString("Warning: " + w + "\n")
	}
	b.WriteString("\n")
	for _, t := range tables {
		t.text(&b)
	}
	for _, n := range notes {
		b.WriteString("Note: " + n + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the report as Markdown, to paste into a pull request.
func (r *Report) WriteMarkdown(w io.Writer) error {
	return writeMarkdown(w, "## Backtest\n\n"+strings.Join(r.summary(), "\n")+"\n\n", r.Warnings, r.tables(), r.Notes)
}

// writeMarkdown writes a report's top (its heading and summary), warnings,
// tables and notes as Markdown.
func writeMarkdown(w io.Writer, top string, warnings []string, tables []table, notes []string) error {
	var b strings.Builder
	b.WriteString(top)
	for _, w := range warnings {
		b.WriteString("> **Warning:** " + w + "\n>\n")
	}
	if len(warnings) > 0 {
		b.WriteString("\n")
	}
	for _, t := range tables {
		t.markdown(&b)
	}
	for _, n := range notes {
		b.WriteString("> " + n + "\n>\n")
	}
	_, err := io.WriteString(w, strings.TrimSuffix(b.String(), ">\n"))
	return err
}

// WriteJSON writes the report as indented JSON; a ratio with nothing to
// divide by is null.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteCSV writes every table of the report as rows of one CSV file: the
// table's name, then its cells under its own header row (a row whose first
// cell is the table's name and second "header"). A cell with nothing to
// show ("—" in tables) is empty.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"table", "row"})
	for _, t := range r.tables() {
		cw.Write(append([]string{t.title, "header"}, t.headers...))
		for _, row := range t.rows {
			cells := []string{t.title, "row"}
			for i, c := range row {
				if c == "—" {
					c = ""
				}
				if slices.Contains(t.user, i) {
					c = csvcell.Text(c)
				}
				cells = append(cells, c)
			}
			cw.Write(cells)
		}
	}
	cw.Flush()
	return cw.Error()
}
