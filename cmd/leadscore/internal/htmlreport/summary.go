package htmlreport

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/review"
)

// Summary is what a page answers on its first screen: the headline
// figures as tiles, and what to change, most important first. Sources
// says which leads and moments the figures rest on, when they differ.
type Summary struct {
	// Warnings are what the first screen's figures leave out or rest on
	// too little of (rows that failed, too few outcomes), above the tiles.
	Warnings []string
	Tiles    []Tile
	Changes  []Finding
	Sources  []Sentence
}

// Tile is one headline figure: KPI names it for a test (data-kpi, beside
// the figure's exact value), Value is a number of the report with its
// path, Detail its interval and n in words and numbers.
type Tile struct {
	KPI    string
	Label  string
	Value  Cell
	Detail Sentence
}

// Finding is one thing the report says to change (or to leave), as a
// sentence; Rank orders them, lowest first (see the rank constants).
type Finding struct {
	Rank int
	Kind string // threshold, contradicted, anti-predictive, no-evidence, drift, suggestion, proposed, none
	Line Sentence
}

// The order of "What to change": the threshold first, then the rules
// sales contradicts, rules that work against winning, rules with no
// evidence, drift, the fitted points, the proposed change.
const (
	rankThreshold = iota
	rankContradicted
	rankAntiPredictive
	rankNoEvidence
	rankDrift
	rankSuggestion
	rankProposed
	rankNothing
)

// Add appends tiles and findings; findings stay in rank order (stable).
func (s *Summary) Add(tiles []Tile, findings []Finding) {
	s.Tiles = append(s.Tiles, tiles...)
	s.Changes = append(s.Changes, findings...)
	slices.SortStableFunc(s.Changes, func(a, b Finding) int { return cmp.Compare(a.Rank, b.Rank) })
}

// FirstScreenWarnings are the warnings of a part that its headline
// figures need beside them: the backtest's "too few outcomes" and its
// lead rows that failed, and
// whatever feedback and attribution say they left out.
// A warning two parts give in the same words (the outcome rows that name
// no lead, which feedback and attribution both read) is said once, with
// the names of both parts.
func FirstScreenWarnings(bt *backtest.Report, fb *feedback.Report, at *attribution.Report) []string {
	var texts []string
	parts := map[string][]string{}
	add := func(part, w string) {
		if _, ok := parts[w]; !ok {
			texts = append(texts, w)
		}
		if !slices.Contains(parts[w], part) {
			parts[w] = append(parts[w], part)
		}
	}
	if bt != nil {
		for _, w := range bt.Warnings {
			if strings.HasPrefix(w, "Too few outcomes") || strings.HasPrefix(w, backtest.FailedRowsWarning) {
				add("Backtest", w)
			}
		}
	}
	if fb != nil {
		for _, w := range fb.Warnings {
			add("What sales said", w)
		}
	}
	if at != nil {
		for _, w := range at.Warnings {
			add("Attribution", w)
		}
	}
	out := make([]string, 0, len(texts))
	for _, w := range texts {
		names := parts[w]
		for i := 1; i < len(names); i++ {
			names[i] = strings.ToLower(names[i][:1]) + names[i][1:]
		}
		out = append(out, andList(names)+": "+w)
	}
	return out
}

// andList writes "a", "a and b" or "a, b and c".
func andList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Empty reports whether there is nothing to show.
func (s *Summary) Empty() bool {
	return s == nil || len(s.Tiles) == 0 && len(s.Changes) == 0 && len(s.Warnings) == 0
}

// per is " a week" or " a month".
func per(unit string) string { return " a " + unit }

// BacktestSummary is the backtest's headline figures (AUC; recall and the
// won revenue missed; hand-offs against capacity; the threshold that
// fits it) and its findings (the threshold, rules against winning or
// without evidence, drift, the fitted points).
func BacktestSummary(r *backtest.Report, prefix string) ([]Tile, []Finding) {
	path := func(parts ...any) string { return p(prefix, parts...) }
	notWon := r.Leads.InBacktest - r.Won
	n := ln(Int(path("won"), r.Won), " won, ", Derived(float64(notWon), "int"), " not won")
	tiles := []Tile{{KPI: "auc", Label: "AUC: do won leads score higher?", Value: Maybe(path("auc"), r.AUC, "dec3"),
		Detail: ln(ivWords(path("auc_interval"), r.AUCInterval, "dec3"), n)}}
	s := r.SalesReady
	sr := func(k string) string { return path("sales_ready", k) }
	tiles = append(tiles,
		Tile{KPI: "recall", Label: "Won deals the sales-ready stage caught", Value: Maybe(sr("recall"), s.Recall, "pct"),
			Detail: ln(ivWords(sr("recall_interval"), s.RecallInterval, "pct"), Int(sr("won"), s.Won), " of ", Int(path("won"), r.Won), " won")},
		Tile{KPI: "missed_revenue", Label: "Won revenue it missed", Value: Number(sr("missed_revenue"), s.MissedRevenue, "money"),
			Detail: ln(Int(sr("missed_won"), s.MissedWon), " won deals not sales-ready at the snapshot")})
	var findings []Finding
	if c := r.Capacity; c != nil {
		cp := func(parts ...any) string { return p(prefix, append([]any{"capacity"}, parts...)...) }
		capacity := Number(cp("capacity"), c.Capacity, capacityFormat(c.Capacity))
		tiles = append(tiles, Tile{KPI: "handoffs_per_period", Label: "Hand-offs" + per(c.Unit) + ", current definition", Value: Maybe(cp("current", "leads_per_period"), c.Current.PerPeriod, "dec2"),
			Detail: ln(ivWords(cp("current", "leads_per_period_interval"), c.Current.PerPeriodInterval, "dec2"), Int(cp("current", "crossed"), c.Current.Crossed), " "+numfmt.Noun(c.Current.Crossed, "hand-off")+" over ", Number(cp("periods"), c.Periods, wholeOr(c.Periods, "dec1")), " "+c.Unit+"s · capacity ", capacity, per(c.Unit))})
		if c.Threshold != nil {
			th := *c.Threshold
			d := ln()
			if iv := c.ThresholdInterval; iv != nil {
				if iv.Low != iv.High {
					d = ln("95%: any of ", Number(cp("threshold_interval", "low"), iv.Low, wholeOr(iv.Low, "dec1")), " to ", Number(cp("threshold_interval", "high"), iv.High, wholeOr(iv.High, "dec1")), " fits · ")
				}
			}
			if c.At != nil {
				d = ln(d, Maybe(cp("at_threshold", "leads_per_period"), c.At.PerPeriod, "dec2"), " leads"+per(c.Unit))
				if c.At.Recall != nil {
					d = ln(d, " · catches ", Maybe(cp("at_threshold", "recall"), c.At.Recall, "pct"), " of won (", Int(cp("at_threshold", "won"), c.At.Won), " of ", Int(path("won"), r.Won), ")")
				}
			}
			if c.EveryLead {
				d = ln("sales can work every lead: even the lowest " + c.On + " sends no more than the capacity")
			}
			tiles = append(tiles, Tile{KPI: "threshold", Label: "Threshold that fits capacity (" + c.On + ")", Value: Number(cp("threshold"), th, wholeOr(th, "dec1")), Detail: d})
		}
		if f, ok := thresholdFinding(r, c, prefix); ok {
			findings = append(findings, f)
		}
	}
	findings = append(findings, ruleFindings(r, prefix)...)
	if d := r.Drift; d != nil {
		var shifted []string
		for _, rd := range d.Rules {
			if rd.Shifted {
				shifted = append(shifted, rd.ID+" "+rd.Direction)
			}
		}
		if len(shifted) > 0 {
			findings = append(findings, Finding{Rank: rankDrift, Kind: "drift", Line: ln(fmt.Sprintf("Check the data behind %s: %s since the reference (q < 0.05, firing rate outside 0.8 to 1.25 times).",
				plural(len(shifted), "rule"), strings.Join(shifted, ", ")))})
		}
	}
	if sg := r.Suggestion; sg != nil && sg.Withheld == "" {
		findings = append(findings, Finding{Rank: rankSuggestion, Kind: "suggestion", Line: ln("Fitted points: ", Badge(sg.Decision), ": "+sg.Why+".")})
	}
	return tiles, findings
}

// ivWords is "95%: a to b · ", or nothing when the report has no interval.
func ivWords(path string, iv *backtest.Interval, format string) Sentence {
	if iv == nil {
		return nil
	}
	return ln("95%: ", Number(path+".low", iv.Low, format), " to ", Number(path+".high", iv.High, format), " · ")
}

// thresholdFinding says whether the current definition's hand-offs fit
// sales' capacity, by the 95% interval of its flow, and where the
// threshold that fits would be. Withheld when the flows cannot be
// measured.
func thresholdFinding(r *backtest.Report, c *backtest.CapacityReport, prefix string) (Finding, bool) {
	cp := func(parts ...any) string { return p(prefix, append([]any{"capacity"}, parts...)...) }
	cur := c.Current
	if c.Periods <= 0 || cur.PerPeriod == nil || cur.PerPeriodInterval == nil {
		return Finding{}, false
	}
	capacity := Number(cp("capacity"), c.Capacity, capacityFormat(c.Capacity))
	flow := ln("the current definition hands over ", Maybe(cp("current", "leads_per_period"), cur.PerPeriod, "dec2"), " leads"+per(c.Unit),
		" (95%: ", Number(cp("current", "leads_per_period_interval", "low"), cur.PerPeriodInterval.Low, "dec2"), " to ",
		Number(cp("current", "leads_per_period_interval", "high"), cur.PerPeriodInterval.High, "dec2"), ") against a capacity of ", capacity)
	var to Sentence
	if c.Threshold != nil && !c.EveryLead {
		to = ln("; a threshold of "+c.On+" ", Number(cp("threshold"), *c.Threshold, wholeOr(*c.Threshold, "dec1")), " fits it")
		if c.At != nil && c.At.Recall != nil {
			to = ln(to, " and would have caught ", Maybe(cp("at_threshold", "recall"), c.At.Recall, "pct"), " of the won deals (",
				Int(cp("at_threshold", "won"), c.At.Won), " of ", Int(p(prefix, "won"), r.Won), ")")
		}
	}
	missed := ln()
	if r.SalesReady.MissedWon > 0 {
		missed = ln("; today it misses ", Int(p(prefix, "sales_ready", "missed_won"), r.SalesReady.MissedWon), " won deals worth ", Number(p(prefix, "sales_ready", "missed_revenue"), r.SalesReady.MissedRevenue, "money"))
	}
	switch {
	case cur.PerPeriodInterval.High < c.Capacity:
		return Finding{Rank: rankThreshold, Kind: "threshold", Line: ln("Lower the hand-off: ", flow, ", so sales has room for more", to, missed, ".")}, true
	case cur.PerPeriodInterval.Low > c.Capacity:
		return Finding{Rank: rankThreshold, Kind: "threshold", Line: ln("Raise the hand-off: ", flow, ", more than sales can work", to, ".")}, true
	}
	return Finding{Rank: rankNothing, Kind: "threshold", Line: ln("Keep the hand-off's volume: ", flow, ", within its interval.")}, true
}

// ruleFindings are the rules the backtest finds working against winning
// (anti-predictive, leakage suspected) or without evidence, each group in
// one sentence with the won deals it rests on; none when the backtest
// withholds its verdicts (too little data).
func ruleFindings(r *backtest.Report, prefix string) []Finding {
	by := map[string][]string{}
	for _, rs := range r.Rules {
		by[rs.Verdict] = append(by[rs.Verdict], rs.Rule)
	}
	var out []Finding
	won := Int(p(prefix, "won"), r.Won)
	if ids := by[backtest.AntiPredictive]; len(ids) > 0 {
		out = append(out, Finding{Rank: rankAntiPredictive, Kind: "anti-predictive", Line: ln("Review "+plural(len(ids), "rule")+" whose points go the wrong way: "+strings.Join(ids, ", ")+
			" (anti-predictive: the joint fit's 95% interval excludes zero on the other side of its points, on ", won, " won deals).")})
	}
	if ids := by[backtest.LeakageSuspected]; len(ids) > 0 {
		out = append(out, Finding{Rank: rankAntiPredictive, Kind: "leakage", Line: ln("Check " + plural(len(ids), "rule") + " for leakage: " + strings.Join(ids, ", ") +
			" fire almost only on won leads or on leads already an opportunity: they may read what sales did, not what the lead did.")})
	}
	if ids := by[backtest.NoEvidence]; len(ids) > 0 {
		out = append(out, Finding{Rank: rankNoEvidence, Kind: "no-evidence", Line: ln(plural(len(ids), "rule")+" show no evidence either way on ", won, " won deals: "+strings.Join(ids, ", ")+
			" (the 95% interval includes zero): keep them for now, and revisit with more outcomes.")})
	}
	return out
}

// FeedbackSummary is what sales said in tiles (acceptance with its
// interval and n; SLA breaches) and findings: the rules sales' reasons
// contradict, or why none is judged yet.
func FeedbackSummary(r *feedback.Report, prefix string) ([]Tile, []Finding) {
	path := func(parts ...any) string { return p(prefix, parts...) }
	acc := ln()
	if r.AcceptanceRateLow != nil && r.AcceptanceRateHigh != nil {
		acc = ln("95%: ", Number(path("acceptance_rate_low"), *r.AcceptanceRateLow, "pct"), " to ", Number(path("acceptance_rate_high"), *r.AcceptanceRateHigh, "pct"), " · ")
	}
	label := "Verdicts that accepted the hand-off"
	if len(r.Warnings) > 0 {
		label += " (rows left out: see the warning)"
	}
	tiles := []Tile{{KPI: "acceptance_rate", Label: label, Value: Maybe(path("acceptance_rate"), r.AcceptanceRate, "pct"),
		Detail: ln(acc, Int(path("accepted"), r.Accepted), " of ", Int(path("dispositioned"), r.Dispositioned), " verdicts; ", Int(path("rejected"), r.Rejected), " rejected, ", Int(path("recycled"), r.Recycled), " recycled")}}
	sla := r.SLA
	if sla.Hours != nil {
		tiles = append(tiles, Tile{KPI: "sla_breaches", Label: "Verdicts later than the SLA", Value: Int(path("sla", "breached"), sla.Breached),
			Detail: ln("of ", Int(path("sla", "measured"), sla.Measured), " verdicts (SLA ", Number(path("sla", "hours"), *sla.Hours, wholeOr(*sla.Hours, "dec1")), " h); ",
				Int(path("sla", "overdue"), sla.Overdue), " overdue with no verdict")})
	}
	var findings []Finding
	for i, e := range r.Evidence {
		if e.Verdict != feedback.VerdictContradicted {
			continue
		}
		ep := func(k string) string { return path("evidence", i, k) }
		us := r.Noun() + "s"
		findings = append(findings, Finding{Rank: rankContradicted, Kind: "contradicted", Line: ln("Sales contradicts rule "+e.Rule+": it fired on ", Number(ep("share"), e.Share, "pct"),
			" of the ", Int(ep("leads"), e.Leads), " "+us+" given "+e.Reason+", against ", Maybe(ep("others_share"), e.OthersShare, "pct"), " of the ", Int(ep("others"), e.Others),
			" other "+us+" with a verdict (q ", Maybe(ep("q"), e.Q, "dec3"), "): change its condition or its points.")})
	}
	if len(findings) == 0 {
		if s := r.Judged(); s != "" {
			findings = append(findings, Finding{Rank: rankNothing, Kind: "contradicted", Line: ln(s)})
		}
	}
	return tiles, findings
}

// ReviewSummary is the proposed change's effect on the scored leads: how
// many are sales-ready under each definition.
func ReviewSummary(r *review.Report, prefix string) ([]Tile, []Finding) {
	im := r.Impact
	if im == nil {
		return nil, nil
	}
	ip := func(k string) string { return p(prefix, "impact", k) }
	return []Tile{{KPI: "proposed_sales_ready", Label: "Sales-ready under the proposed change", Value: Int(ip("sales_ready_new"), im.SalesReadyNew),
		Detail: ln("current ", Int(ip("sales_ready_old"), im.SalesReadyOld), " of ", Int(ip("leads"), im.Leads), fmt.Sprintf(" leads; %d start, %d stop", len(im.Started), len(im.Stopped)))}}, nil
}

// AccountReviewSummary is the change tile for accounts (diff --accounts's
// account impact): the sales-ready accounts under the proposed change;
// none without an account impact.
func AccountReviewSummary(r *review.Report, prefix string) []Tile {
	if r.AccountImpact == nil || r.AccountImpact.Impact == nil {
		return nil
	}
	im := r.AccountImpact.Impact
	ip := func(k string) string { return p(prefix, "account_impact", k) }
	return []Tile{{KPI: "proposed_sales_ready_accounts", Label: "Sales-ready accounts under the proposed change", Value: Int(ip("sales_ready_new"), im.SalesReadyNew),
		Detail: ln("current ", Int(ip("sales_ready_old"), im.SalesReadyOld), " of ", Int(ip("accounts"), im.Leads), fmt.Sprintf(" accounts; %d start, %d stop", len(im.Started), len(im.Stopped)))}}
}

// ProposedSummary compares the backtests of the current and the proposed
// definitions: the proposed AUC as a tile, and whether the change ranks
// won deals better, as a finding that says when the intervals overlap.
func ProposedSummary(cur, prop *backtest.Report, curPrefix, propPrefix string) ([]Tile, []Finding) {
	t := Tile{KPI: "proposed_auc", Label: "AUC of the proposed definition", Value: Maybe(p(propPrefix, "auc"), prop.AUC, "dec3"),
		Detail: ln(ivWords(p(propPrefix, "auc_interval"), prop.AUCInterval, "dec3"), "current ", Maybe(p(curPrefix, "auc"), cur.AUC, "dec3"))}
	tiles := []Tile{t}
	if cur.AUC == nil || prop.AUC == nil {
		return tiles, nil
	}
	line := ln("The proposed change moves the AUC from ", Maybe(p(curPrefix, "auc"), cur.AUC, "dec3"), " to ", Maybe(p(propPrefix, "auc"), prop.AUC, "dec3"))
	rank := rankProposed
	ci, pi := cur.AUCInterval, prop.AUCInterval
	switch {
	case *cur.AUC == *prop.AUC:
		line = ln(line, ": it ranks the leads as today.")
	case ci != nil && pi != nil && pi.High < ci.Low:
		// Scored on the same leads, the two AUCs move together: intervals
		// that do not even overlap mean the proposed ranks worse.
		line = ln(line, ": it ranks won leads worse (its 95% interval lies wholly below today's); do not adopt it as it stands.")
		rank = rankThreshold
	case ci != nil && pi != nil && pi.Low > ci.High:
		line = ln(line, ": it ranks won leads better (its 95% interval lies wholly above today's).")
	default:
		line = ln(line, "; the two intervals overlap, and this backtest does not test the difference itself (both are scored on the same leads): do not read it as better or worse on ranking; decide on volume and recall (below).")
	}
	ps, cs := prop.SalesReady, cur.SalesReady
	line = ln(line, " Its sales-ready stage catches ", Int(p(propPrefix, "sales_ready", "won"), ps.Won), " "+numfmt.Noun(ps.Won, "won deal")+" against ", Int(p(curPrefix, "sales_ready", "won"), cs.Won),
		" today, from ", Int(p(propPrefix, "sales_ready", "leads"), ps.Leads), " "+numfmt.Noun(ps.Leads, "lead")+" against ", Int(p(curPrefix, "sales_ready", "leads"), cs.Leads), ".")
	return tiles, []Finding{{Rank: rank, Kind: "proposed", Line: line}}
}

// AttributionSummary is the funnel's headline: journeys touched, made
// sales-ready, won, and won revenue that never passed the hand-off.
func AttributionSummary(r *attribution.Report, prefix string) []Tile {
	f := r.Total.Funnel
	tp := func(k string) string { return p(prefix, "total", "funnel", k) }
	return []Tile{
		{KPI: "sales_ready_journeys", Label: "Journeys made sales-ready", Value: Int(tp("sales_ready"), f.SalesReady),
			Detail: ln("of ", Int(tp("touched"), f.Touched), " touched; ", Int(tp("sales_ready_won"), f.SalesReadyWon), " then won")},
		{KPI: "won_not_sales_ready", Label: "Won, never sales-ready", Value: Int(tp("won_not_sales_ready"), f.WonNotSalesReady),
			Detail: ln("of ", Int(tp("won"), f.Won), " won; revenue ", Number(tp("revenue_not_sales_ready"), f.RevenueNotSalesReady, "money"))},
	}
}

// capacityFormat writes a capacity as read: 40, 2.5, 0.25.
func capacityFormat(v float64) string {
	switch {
	case v == math.Trunc(v):
		return "int"
	case v < 10:
		return "dec2"
	}
	return "dec1"
}
