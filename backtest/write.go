package backtest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leadscore/leadscore/scoring/feedback"
)

// table is a titled table, written as Markdown, aligned text or CSV rows.
type table struct {
	title, intro string
	headers      []string
	rows         [][]string
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
	return strconv.FormatFloat(*v, 'f', 3, 64)
}

func f2(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

func money(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
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
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return strconv.Itoa(n) + " " + strings.TrimSuffix(noun, "y") + "ies"
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func optNum(v *float64) string {
	if v == nil {
		return "—"
	}
	return num(*v)
}

// summary is the report's opening paragraph.
func (r *Report) summary() []string {
	until := "no end"
	if r.Until != nil {
		until = r.Until.Format(time.RFC3339)
	}
	c := r.Leads
	lines := []string{
		fmt.Sprintf("Model %s, snapshot at %s (T0), outcomes in (T0, %s].", r.Model, r.At.Format(time.RFC3339), until),
		fmt.Sprintf("%s: %d in the backtest; left out: %d not created by T0, %d won or lost by T0, %s at T0.",
			plural(c.Added, "lead"), c.InBacktest, c.NotCreated, c.Decided, plural(c.OpenOpportunity, "open opportunity")),
		fmt.Sprintf("In the backtest: %d won (%s), %d became opportunities, revenue %s.", r.Won, pct(r.WinRate), r.Opportunities, money(r.Revenue)),
	}
	if c.OutcomesWithoutLead > 0 {
		lines = append(lines, fmt.Sprintf("%s of the outcomes file name no lead of the leads file; not used.", plural(c.OutcomesWithoutLead, "row")))
	}
	s := r.SalesReady
	lines = append(lines, fmt.Sprintf("AUC %s (a won lead outscores one that did not win in %s of pairs); the sales-ready definition picked %s, %d of them won: precision %s, recall %s; it missed %s worth %s.",
		f3(r.AUC), pct(r.AUC), plural(s.Leads, "lead"), s.Won, pct(s.Precision), pct(s.Recall), plural(s.MissedWon, "won deal"), money(s.MissedRevenue)))
	return lines
}

func (r *Report) tables() []table {
	var ts []table
	s := r.SalesReady
	ts = append(ts, table{title: "The sales-ready definition as a classifier of won deals",
		intro:   "Snapshot view: sales-ready at T0, won after it.",
		headers: []string{"", "leads", "won", "precision", "recall", "lift", "opportunities", "opp. precision", "opp. recall", "won revenue", "won, not sales-ready", "their revenue"},
		rows: [][]string{{"sales-ready", itoa(s.Leads), itoa(s.Won), pct(s.Precision), pct(s.Recall), f2(s.Lift), itoa(s.Opportunities),
			pct(s.OpportunityPrecision), pct(s.OpportunityRecall), money(s.Revenue), itoa(s.MissedWon), money(s.MissedRevenue)}}})
	rank := table{title: "Ranking", intro: "Snapshot view. AUC: the chance that a won lead scores higher than one that did not win (ties count half; 0.5 is a coin toss). KS: the largest gap between the shares of won and not-won leads at or below a total.",
		headers: []string{"score", "AUC (won)", "AUC (opportunity)", "KS", "KS at total ≤"}}
	rank.rows = append(rank.rows, []string{"total", f3(r.AUC), f3(r.AUCOpportunity), f3(r.KS), num(r.KSAt)})
	for _, c := range r.CategoryAUC {
		rank.rows = append(rank.rows, []string{c.Name, f3(c.Value), "", "", ""})
	}
	ts = append(ts, rank)
	group := func(title, first string, gs []Group) table {
		t := table{title: title, intro: "Snapshot view: the stage or grade at T0.", headers: []string{first, "leads", "opportunities", "opp. rate", "won", "win rate", "lift"}}
		for _, g := range gs {
			t.rows = append(t.rows, []string{g.Name, itoa(g.Leads), itoa(g.Opportunities), pct(g.OpportunityRate), itoa(g.Won), pct(g.WinRate), f2(g.Lift)})
		}
		return t
	}
	ts = append(ts, group("Conversion by stage", "stage", r.Stages), group("Conversion by grade", "grade", r.Grades))
	band := func(title, intro string, bs []Band) table {
		t := table{title: title, intro: intro, headers: []string{"band", "totals", "leads", "won", "win rate", "95% interval", "lift", "cumulative recall"}}
		for _, b := range bs {
			rng := "—"
			if b.Min != nil {
				rng = num(*b.Min) + " to " + num(*b.Max)
			}
			iv := "—"
			if b.Low != nil {
				iv = pct(b.Low) + " to " + pct(b.High)
			}
			t.rows = append(t.rows, []string{b.Name, rng, itoa(b.Leads), itoa(b.Won), pct(b.WinRate), iv, f2(b.Lift), pct(b.CumRecall)})
		}
		return t
	}
	ts = append(ts, band("Deciles of the total", "Snapshot view, best first; leads with the same total share a decile, so a decile may hold more or fewer than a tenth.", r.Deciles))
	cal := "The win rate rises with the total in every band: the score ranks leads as the outcomes do."
	if len(r.Inversions) > 0 {
		cal = "Calibration: " + strings.Join(r.Inversions, "; ") + "."
	}
	ts = append(ts, band(fmt.Sprintf("Bands of %s points", num(r.BandWidth)), "Snapshot view, best first; the win rate is what a lead in the band is worth (the score is points, not a probability), with its 95% Wilson interval. "+cal, r.Bands))
	rt := table{title: "Rules", intro: "Snapshot view, by information value. Shares: of the won leads, and of the rest, on which the rule fired at T0. Lift: the win rate where it fired over the overall rate. WoE and IV with one pseudo-lead at the overall win rate added to the leads it fired on and to the rest. IV < 0.02 no signal; > 0.5 suspicious: leakage? (an outcome recorded as lead data).",
		headers: []string{"rule", "points", "fired", "won", "share of won", "share of not won", "lift", "WoE", "IV", "signal"}}
	for _, s := range r.Rules {
		pts := num(s.Points)
		if s.Gate {
			pts = "gate"
		}
		sig := s.Signal
		if s.Disagrees {
			if s.Gate {
				sig += "; the leads it stops win more often"
			} else {
				sig += "; its points push the other way"
			}
		}
		rt.rows = append(rt.rows, []string{s.Rule, pts, itoa(s.Fired), itoa(s.FiredWon), pct(s.ShareWon), pct(s.ShareNotWon), f2(s.Lift), f2(s.WoE), f3(s.IV), sig})
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
	return ts
}

// tables are the verdict view: sales-accepted as a label, and rejections
// as evidence against rules.
func (v *Verdicts) tables() []table {
	t := table{title: "Sales' verdicts in (T0, T1]",
		intro: fmt.Sprintf("The first disposition of each lead in the window: %d leads got one, %d accepted, %d rejected, %d recycled. The sales-ready definition at T0 as a classifier of the leads sales accepted, among those with a verdict.",
			v.WithVerdict, v.Accepted, v.Rejected, v.Recycled),
		headers: []string{"", "leads with a verdict", "accepted", "precision", "recall"},
		rows:    [][]string{{"sales-ready at T0", itoa(v.SalesReady), itoa(v.SalesReadyAccepted), pct(v.Precision), pct(v.Recall)}}}
	ts := []table{t}
	if len(v.Evidence) > 0 {
		e := table{title: "Rejection reasons against rules",
			intro: fmt.Sprintf("Of the leads given each reason, the share on which a rule had fired at T0, against all leads with a verdict; says is feedback's verdict (contradicted, supported, inconclusive, or over-represented for a rule the reason does not name) and why, from Fisher's exact test against the other leads with a verdict (see the feedback report); a reason given to fewer than %d leads judges no rule.",
				feedback.MinLeads),
			headers: []string{"reason", "rule", "catalogue says contradicts", "fired on leads given the reason", "fired on all with a verdict", "lift", "says"}}
		for _, ev := range v.Evidence {
			says := ev.Verdict + ": " + ev.Why
			e.rows = append(e.rows, []string{ev.Reason, ev.Rule, strconv.FormatBool(ev.Contradicted),
				fmt.Sprintf("%d of %d", ev.Fired, ev.Leads), fmt.Sprintf("%d of %d", ev.PopulationFired, ev.Population), f2(ev.Lift), says})
		}
		ts = append(ts, e)
	}
	return ts
}

func (c *CapacityReport) answer() string {
	per := "a " + c.Unit
	switch {
	case c.Periods <= 0:
		return "The leads' history is empty, so no flow per " + c.Unit + " can be measured."
	case c.Threshold == nil:
		return fmt.Sprintf("Even the highest %s sends more than %s leads %s: no threshold fits the capacity.", c.On, num(c.Capacity), per)
	case c.EveryLead:
		return fmt.Sprintf("Sales can work every lead: %s leads %s cross even the lowest %s (%s), within the capacity of %s.",
			optNum(c.At.PerPeriod), per, c.On, num(*c.Threshold), num(c.Capacity))
	}
	a := c.At
	return fmt.Sprintf("For %s leads %s, the threshold is %s %s: %s leads %s crossed it over the history; at T0, %d leads stood at or above it and %d of them won (%s), recall %s, so expect %s won deals %s.",
		num(c.Capacity), per, c.On, num(*c.Threshold), f2(a.PerPeriod), per, a.Leads, a.Won, pct(a.WinRate), pct(a.Recall), f2(a.ExpectedWon), per)
}

func (c *CapacityReport) tables() []table {
	per := "per " + c.Unit
	cur := c.Current
	intro := fmt.Sprintf("Flows (leads %s) are from the timeline view: each lead's %s replayed up to T0, %s to %s (%.1f %ss); win rates and recall are from the snapshot view. %s The current sales-ready definition sends %s leads %s (%d sales-ready at T0, %d won: %s, recall %s).",
		per, c.On, c.From.Format("2006-01-02"), c.To.Format("2006-01-02"), c.Periods, c.Unit, c.answer(), f2(cur.PerPeriod), per, cur.Leads, cur.Won, pct(cur.WinRate), pct(cur.Recall))
	t := table{title: "Capacity", intro: intro, headers: []string{c.On + " ≥", "leads " + per, "leads at T0", "won", "win rate", "recall", "expected won " + per}}
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
		t.rows = append(t.rows, []string{num(p.Threshold) + mark, f2(p.PerPeriod), itoa(p.Leads), itoa(p.Won), pct(p.WinRate), pct(p.Recall), f2(p.ExpectedWon)})
	}
	return []table{t}
}

func (s *Suggestion) tables() []table {
	t := table{title: "Suggested points", intro: fmt.Sprintf("Fitted on the %d leads created first (%d won, up to %s) by %s (λ = %s); measured on the %d later leads (%d won), held out.",
		s.TrainLeads, s.TrainWon, s.SplitAt.Format("2006-01-02"), s.Method, num(s.Lambda), s.TestLeads, s.TestWon),
		headers: []string{"rule", "category", "points", "suggested", "log-odds per unit", "fired (training)", "note"}}
	for _, p := range s.Rules {
		t.rows = append(t.rows, []string{p.Rule, p.Category, num(p.Current), num(p.Suggested), f3(p.Coefficient), itoa(p.Fired), p.Kept})
	}
	h := table{title: "Held-out leads", intro: "Verdict: " + s.Verdict + ".", headers: []string{"points", "AUC held out", "AUC fitted on (optimistic)", "sales-ready", "won", "precision", "recall"}}
	h.rows = [][]string{
		{"current", f3(s.CurrentAUC), f3(s.CurrentTrainAUC), itoa(s.CurrentSalesReady.Leads), itoa(s.CurrentSalesReady.Won), pct(s.CurrentSalesReady.Precision), pct(s.CurrentSalesReady.Recall)},
		{"suggested", f3(s.SuggestedAUC), f3(s.SuggestedTrainAUC), itoa(s.SuggestedSalesReady.Leads), itoa(s.SuggestedSalesReady.Won), pct(s.SuggestedSalesReady.Precision), pct(s.SuggestedSalesReady.Recall)},
	}
	return []table{t, h}
}

func (d *Drift) table() table {
	t := table{title: "Drift", intro: fmt.Sprintf("Population stability of the %d leads that existed at T0 against %d reference leads scored at %s: total PSI %s, %s (under 0.10 stable, 0.10 to 0.25 moderate shift, over 0.25 major shift).",
		d.Leads, d.Reference, d.ReferenceAt.Format(time.RFC3339), f3(d.Total), d.TotalBand),
		headers: []string{"rule", "fires on", "in the reference", "PSI", "band"}}
	for _, r := range d.Rules {
		t.rows = append(t.rows, []string{r.Rule, pct(r.Rate), pct(r.Reference), f3(r.PSI), r.Band})
	}
	return t
}

// WriteText writes the report as aligned text tables, for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, l := range r.summary() {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n")
	for _, t := range r.tables() {
		t.text(&b)
	}
	for _, n := range r.Notes {
		b.WriteString("Note: " + n + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the report as Markdown, to paste into a pull request.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## Backtest\n\n")
	b.WriteString(strings.Join(r.summary(), "\n") + "\n\n")
	for _, t := range r.tables() {
		t.markdown(&b)
	}
	for _, n := range r.Notes {
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
			for _, c := range row {
				if c == "—" {
					c = ""
				}
				cells = append(cells, c)
			}
			cw.Write(cells)
		}
	}
	cw.Flush()
	return cw.Error()
}
