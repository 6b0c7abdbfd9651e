package feedback

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/leadscore/leadscore/internal/csvcell"
	"github.com/leadscore/leadscore/internal/numfmt"
)

// WriteJSON writes the report as indented JSON. No number in it is NaN or
// an infinity: a rate or a median with nothing to divide is null.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report as aligned text, for a terminal.
func (r *Report) WriteText(w io.Writer) error { return r.write(w, false) }

// WriteMarkdown writes the report as Markdown, for a pull request or a wiki.
func (r *Report) WriteMarkdown(w io.Writer) error { return r.write(w, true) }

// Findings says, one sentence each, what the evidence concludes: the
// rules sales' reasons contradict or support, and the rules a reason does
// not name that are over-represented among its leads (see Evidence).
func (r *Report) Findings() []string {
	var out []string
	u := r.Noun()
	for _, e := range r.Evidence {
		compare := fmt.Sprintf("%s fired on %s of %ss sales gave %s (%d of %d) vs %s of the other %ss with a verdict (%d of %d)",
			e.Rule, shareText(&e.Share, e.ShareLow, e.ShareHigh), u, e.Reason, e.Fired, e.Leads, shareText(e.OthersShare, e.OthersShareLow, e.OthersShareHigh), u, e.OthersFired, e.Others)
		switch e.Verdict {
		case VerdictContradicted:
			out = append(out, fmt.Sprintf("%s, %s times as often (%s; q %s): sales' reason contradicts the rule; review its condition or its points",
				compare, liftText(e.RateRatio), interval(e), qText(e.Q)))
		case VerdictSupported:
			out = append(out, fmt.Sprintf("%s (q %s): sales agrees with the rule, which left out the %ss sales gave this reason", compare, qText(e.Q), u))
		case VerdictOverRepresented:
			out = append(out, fmt.Sprintf("%s, %s times as often (%s; q %s): the catalogue does not say %s contradicts this rule; if it should, add the rule to its contradicts",
				compare, liftText(e.RateRatio), interval(e), qText(e.Q), e.Reason))
		}
	}
	return out
}

// Judged says in a sentence what the evidence against the rules the
// reasons contradict comes to, and why nothing is judged when that is so.
func (r *Report) Judged() string {
	var counts [3]int
	pairs, tooFew, most := 0, 0, 0
	for _, e := range r.Evidence {
		if !e.Contradicted {
			continue
		}
		pairs++
		most = max(most, e.Leads)
		switch {
		case e.Verdict == VerdictContradicted:
			counts[0]++
		case e.Verdict == VerdictSupported:
			counts[1]++
		default:
			counts[2]++
			if e.P == nil && e.Leads < MinLeads {
				tooFew++
			}
		}
	}
	if pairs == 0 {
		return ""
	}
	if tooFew == pairs {
		what := "a rule"
		if r.Unit == "accounts" {
			what = "an account rule or role"
		}
		return fmt.Sprintf("No rule is judged yet: each reason that contradicts %s was given to fewer than %d %ss (at most %d); more verdicts are needed.", what, MinLeads, r.Noun(), most)
	}
	s := fmt.Sprintf("Rules against the reasons that contradict them: %d contradicted, %d supported, %d inconclusive", counts[0], counts[1], counts[2])
	if tooFew > 0 {
		s += fmt.Sprintf(" (%d of them on too few %ss)", tooFew, r.Noun())
	}
	return s + "."
}

func (r *Report) write(w io.Writer, md bool) error {
	b := &strings.Builder{}
	h1, h2 := "", ""
	if md {
		h1, h2 = "# ", "## "
	}
	fmt.Fprintf(b, "%sWhat sales said: %s, as of %s\n\n", h1, r.Model, r.AsOf.Format(time.RFC3339))
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "Warning: %s.\n", w)
	}
	u := r.Noun()
	fmt.Fprintf(b, "%s; %d became sales-ready and went to sales; %d got a verdict, %d none yet.\n", strconv.Itoa(r.Leads)+" "+numfmt.Noun(r.Leads, u), r.SalesReady, r.Dispositioned, r.NeverDispositioned)
	withInterval := func(v, lo, hi *float64) string {
		if lo == nil {
			return pctPtr(v)
		}
		return pctPtr(v) + "; 95% interval " + pct(*lo) + " to " + pct(*hi)
	}
	fmt.Fprintf(b, "Accepted %d (%s), rejected %d (%s), recycled %d (%s) of the %s.\n",
		r.Accepted, withInterval(r.AcceptanceRate, r.AcceptanceRateLow, r.AcceptanceRateHigh), r.Rejected, withInterval(r.RejectionRate, r.RejectionRateLow, r.RejectionRateHigh),
		r.Recycled, withInterval(r.RecycleRate, r.RecycleRateLow, r.RecycleRateHigh), strconv.Itoa(r.Dispositioned)+" "+numfmt.Noun(r.Dispositioned, "verdict"))
	if r.TooFew && r.Dispositioned > 0 {
		fmt.Fprintf(b, "These rates rest on fewer than %d verdicts: too few to read as findings; read their intervals.\n", MinVerdicts)
	}
	if r.NotHandedOff > 0 {
		fmt.Fprintf(b, "%s dispositions but never became sales-ready; not in the rates.\n", count(r.NotHandedOff, "more "+u+" has", "more "+u+"s have"))
	}
	if len(r.Reasons) > 0 {
		fmt.Fprintf(b, "Reasons: %s.\n", reasonsText(r.Reasons, 0))
	}
	if s := r.Judged(); s != "" {
		b.WriteString(s + "\n")
	}
	if f := r.Findings(); len(f) > 0 {
		fmt.Fprintf(b, "\n%sFindings\n\n", h2)
		for _, s := range f {
			fmt.Fprintf(b, "- %s.\n", s)
		}
	}

	if len(r.Evidence) > 0 {
		fmt.Fprintf(b, "\n%sRejection reasons against rules\n\n", h2)
		roles := ""
		if r.Unit == "accounts" {
			roles = "A role (" + RolePrefix + "name) fires on an account when one of its people at the hand-off holds it. "
		}
		fmt.Fprintf(b, "How often each rule fired on the %[3]ss given a reason, against the other %[3]ss with a verdict. %[4]s"+
			"contradicted: significantly more often, so sales' reason says the rule is wrong on such %[3]ss; "+
			"supported: significantly less often, so sales agrees with the rule; inconclusive: see why. "+
			"Significant: q (Fisher's exact test, adjusted for the number of pairs tested) of %[1]s or less, and still so with each rule that goes with it held fixed in turn. "+
			"A reason given to fewer than %[2]d %[3]ss judges no rule.\n\n", PValue(Alpha), MinLeads, u, roles)
		t := table{head: []string{"reason", "rule", "fired on " + u + "s given the reason (95% interval)", "fired on the other " + u + "s with a verdict (95% interval)", "times as often (95% interval)", "p", "q", "verdict", "why"},
			right: []bool{false, false, true, true, true, true, true, false, false}}
		for _, e := range r.Evidence {
			t.rows = append(t.rows, []string{e.Reason, e.Rule, fmt.Sprintf("%d of %d: %s", e.Fired, e.Leads, rateText(&e.Share, e.ShareLow, e.ShareHigh)),
				fmt.Sprintf("%d of %d: %s", e.OthersFired, e.Others, rateText(e.OthersShare, e.OthersShareLow, e.OthersShareHigh)), ratioText(e), qText(e.P), qText(e.Q), e.Verdict, e.Why})
		}
		t.write(b, md)
	}

	type section struct {
		title, col string
		gs         []Group
	}
	sections := []section{
		{"By sourcing campaign (first touch)", "campaign", r.Campaigns},
		{"By sourcing channel (first touch)", "channel", r.Channels},
		{fmt.Sprintf("By score band at the hand-off (width %s)", trim(r.BandWidth)), "total", r.Bands},
		{"By grade at the hand-off", "grade", r.Grades},
	}
	if r.Unit == "accounts" {
		sections[0].title, sections[1].title = "By sourcing campaign (the first touch of any of its people)", "By sourcing channel (the first touch of any of its people)"
		sections = append(sections, section{"By stage at the hand-off", "stage", r.Stages},
			section{"By rule or roll-up fired at the hand-off", "rule", r.Rules},
			section{"By buying-group role present at the hand-off", "role", r.Roles})
	} else {
		sections = append(sections, section{"By rule fired at the hand-off", "rule", r.Rules})
	}
	sections = append(sections, section{"By week of the hand-off (the seven days up to the as-of time, and each seven before)", "week", r.Weeks})
	for i, s := range sections {
		fmt.Fprintf(b, "\n%s%s\n\n", h2, s.title)
		if i == 0 {
			fmt.Fprintf(b, "In these tables each rate is over the row's verdicts, with its 95%% interval (Wilson's). A row with fewer than %d verdicts is marked too few: its rates are too uncertain to read, or to set against another row's.\n\n", MinVerdicts)
		}
		t := table{head: []string{s.col, "sales-ready", "verdicts", "accepted", "rejected", "recycled", "acceptance (95% interval)", "rejection (95% interval)", "read", "reasons"},
			right: []bool{false, true, true, true, true, true, true, true, false, false}}
		for _, g := range s.gs {
			t.rows = append(t.rows, []string{g.Name, itoa(g.SalesReady), itoa(g.Dispositioned), itoa(g.Accepted), itoa(g.Rejected), itoa(g.Recycled),
				rateText(g.AcceptanceRate, g.AcceptanceRateLow, g.AcceptanceRateHigh), rateText(g.RejectionRate, g.RejectionRateLow, g.RejectionRateHigh), readText(g), reasonsText(g.Reasons, 2)})
		}
		t.write(b, md)
	}

	fmt.Fprintf(b, "\n%sSLA: from sales-ready to the first verdict\n\n", h2)
	sla := "the model sets no SLA"
	if r.SLA.Hours != nil {
		sla = "SLA " + numfmt.Float(*r.SLA.Hours, 'f', -1) + "h"
	}
	fmt.Fprintf(b, "%s; %d %s: median %s, p90 %s; %d within the SLA, %d late. Without a verdict: %d overdue, %d still within the SLA.\n",
		sla, r.SLA.Measured, numfmt.Noun(r.SLA.Measured, "verdict"), hours(r.SLA.MedianHours), hours(r.SLA.P90Hours), r.SLA.Within, r.SLA.Breached, r.SLA.Overdue, r.SLA.Waiting)
	if len(r.SLA.ByOwner) > 0 {
		b.WriteString("\n")
		t := table{head: []string{"owner", "verdicts", "late or overdue", "median wait"}, right: []bool{false, true, true, true}}
		for _, o := range r.SLA.ByOwner {
			t.rows = append(t.rows, []string{o.Owner, itoa(o.Verdicts), itoa(o.Breached), hours(o.MedianHours)})
		}
		t.write(b, md)
	}

	fmt.Fprintf(b, "\n%sRecycled %ss\n\n", h2, u)
	fmt.Fprintf(b, "%s recycled; %d became sales-ready again; %d won later.\n", count(r.Recycle.Leads, u, u+"s"), r.Recycle.SalesReadyAgain, r.Recycle.WonLater)
	for _, e := range r.EarlyRecycles {
		fmt.Fprintf(b, "Warning: %s.\n", e.Say(u))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes the report as three CSV tables separated by blank lines:
// the groups (section total, campaign, channel, band, grade, rule; the
// rates' intervals and too_few_verdicts after the reasons, so that the
// first ten columns stay where they were), the
// evidence (the columns are Evidence's JSON keys), and the SLA by owner.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"section", "name", "sales_ready", "dispositioned", "accepted", "rejected", "recycled", "acceptance_rate", "rejection_rate", "reasons",
		"acceptance_rate_low", "acceptance_rate_high", "rejection_rate_low", "rejection_rate_high", "too_few_verdicts", "recycle_rate", "recycle_rate_low", "recycle_rate_high"})
	row := func(section string, g Group) {
		name := g.Name
		if section == "campaign" || section == "channel" { // from the events; the other names are the report's or the model's
			name = csvcell.Text(name)
		}
		cw.Write([]string{section, name, itoa(g.SalesReady), itoa(g.Dispositioned), itoa(g.Accepted), itoa(g.Rejected), itoa(g.Recycled),
			numPtr(g.AcceptanceRate), numPtr(g.RejectionRate), reasonsCSV(g.Reasons),
			numPtr(g.AcceptanceRateLow), numPtr(g.AcceptanceRateHigh), numPtr(g.RejectionRateLow), numPtr(g.RejectionRateHigh), strconv.FormatBool(g.TooFew),
			numPtr(g.RecycleRate), numPtr(g.RecycleRateLow), numPtr(g.RecycleRateHigh)})
	}
	row("total", r.total())
	for _, s := range []struct {
		name string
		gs   []Group
	}{{"campaign", r.Campaigns}, {"channel", r.Channels}, {"band", r.Bands}, {"grade", r.Grades}, {"rule", r.Rules}, {"week", r.Weeks}, {"stage", r.Stages}, {"role", r.Roles}} {
		for _, g := range s.gs {
			row(s.name, g)
		}
	}
	cw.Flush()
	io.WriteString(w, "\n")
	cw.Write([]string{"reason", "rule", "catalogue_contradicts", "verdict", "why", "explained_by", "leads", "fired", "share", "others", "others_fired", "others_share",
		"rate_ratio", "rate_ratio_low", "rate_ratio_high", "direction", "p", "q", "neighbour", "neighbour_p", "population", "population_fired", "population_share", "lift",
		"share_low", "share_high", "others_share_low", "others_share_high", "population_share_low", "population_share_high"})
	for _, e := range r.Evidence {
		cw.Write([]string{csvcell.Text(e.Reason), csvcell.Text(e.Rule), strconv.FormatBool(e.Contradicted), e.Verdict, e.Why, e.ExplainedBy, itoa(e.Leads), itoa(e.Fired), num(e.Share),
			itoa(e.Others), itoa(e.OthersFired), numPtr(e.OthersShare), numPtr(e.RateRatio), numPtr(e.RateRatioLow), numPtr(e.RateRatioHigh), e.Direction,
			numPtr(e.P), numPtr(e.Q), e.Neighbour, numPtr(e.NeighbourP), itoa(e.Population), itoa(e.PopulationFired), num(e.PopulationShare), numPtr(e.Lift),
			numPtr(e.ShareLow), numPtr(e.ShareHigh), numPtr(e.OthersShareLow), numPtr(e.OthersShareHigh), numPtr(e.PopulationShareLow), numPtr(e.PopulationShareHigh)})
	}
	cw.Flush()
	io.WriteString(w, "\n")
	cw.Write([]string{"owner", "verdicts", "breached", "median_hours"})
	for _, o := range r.SLA.ByOwner {
		cw.Write([]string{csvcell.Text(o.Owner), itoa(o.Verdicts), itoa(o.Breached), numPtr(o.MedianHours)})
	}
	cw.Flush()
	return cw.Error()
}

// table is a table of text cells, written aligned or as Markdown.
type table struct {
	head  []string
	rows  [][]string
	right []bool
}

func (t table) write(b *strings.Builder, md bool) {
	if len(t.rows) == 0 {
		b.WriteString("(none)\n")
		return
	}
	if md {
		line := func(cells []string) {
			esc := make([]string, len(cells))
			for i, c := range cells {
				esc[i] = mdCell.Replace(c) // an owner or campaign may hold a | or a line break
			}
			b.WriteString("| " + strings.Join(esc, " | ") + " |\n")
		}
		line(t.head)
		sep := make([]string, len(t.head))
		for i := range sep {
			sep[i] = "---"
			if t.right[i] {
				sep[i] = "---:"
			}
		}
		line(sep)
		for _, r := range t.rows {
			line(r)
		}
		return
	}
	width := make([]int, len(t.head))
	for _, r := range append([][]string{t.head}, t.rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range append([][]string{t.head}, t.rows...) {
		var cells []string
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if t.right[i] {
				cells = append(cells, pad+c)
			} else {
				cells = append(cells, c+pad)
			}
		}
		b.WriteString("  " + strings.TrimRight(strings.Join(cells, "  "), " ") + "\n")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func pct(v float64) string { return numfmt.Float(v*100, 'f', 1) + "%" }

func pctOf(a, b int) string {
	if b == 0 {
		return "—"
	}
	return pct(float64(a) / float64(b))
}

func pctPtr(v *float64) string {
	if v == nil {
		return "—"
	}
	return pct(*v)
}

// shareText is a share with its interval, in a sentence: "75.0% (95%:
// 30.1% to 95.4%)", or —.
func shareText(v, lo, hi *float64) string {
	if v == nil || lo == nil || hi == nil {
		return "—"
	}
	return pct(*v) + " (95%: " + pct(*lo) + " to " + pct(*hi) + ")"
}

// rateText is a rate with its interval: "54.5% (28.0% to 78.7%)", or —.
func rateText(v, lo, hi *float64) string {
	if v == nil || lo == nil || hi == nil {
		return "—"
	}
	return pct(*v) + " (" + pct(*lo) + " to " + pct(*hi) + ")"
}

// readText says whether a group's rates can be read: "too few" under
// MinVerdicts verdicts, "no verdict" with none, else nothing.
func readText(g Group) string {
	switch {
	case g.Dispositioned == 0:
		return "no verdict"
	case g.TooFew:
		return "too few"
	}
	return ""
}

func liftText(v *float64) string {
	if v == nil {
		return "—"
	}
	return numfmt.Float(*v, 'f', 2)
}

// ratioText is the rate ratio with its interval: "2.65 (1.60 to 4.39)".
func ratioText(e Evidence) string {
	if e.RateRatioLow == nil {
		return "—"
	}
	return liftText(e.RateRatio) + " (" + liftText(e.RateRatioLow) + " to " + liftText(e.RateRatioHigh) + ")"
}

// interval says the rate ratio's interval in words.
func interval(e Evidence) string {
	return "95% interval " + liftText(e.RateRatioLow) + " to " + liftText(e.RateRatioHigh)
}

// qText writes a p- or q-value, or — when the pair was not tested.
func qText(v *float64) string {
	if v == nil {
		return "—"
	}
	return PValue(*v)
}

func hours(v *float64) string {
	if v == nil {
		return "—"
	}
	return numfmt.Float(*v, 'f', 1) + "h"
}

func num(v float64) string { return numfmt.Float(v, 'f', -1) }

func numPtr(v *float64) string {
	if v == nil {
		return ""
	}
	return num(*v)
}

// reasonsText says reasons with counts, the first n (all when n is 0).
func reasonsText(rs []ReasonCount, n int) string {
	var parts []string
	for i, rc := range rs {
		if n > 0 && i == n {
			parts = append(parts, fmt.Sprintf("+%d more", len(rs)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", rc.Reason, rc.Leads))
	}
	return strings.Join(parts, ", ")
}

func reasonsCSV(rs []ReasonCount) string {
	var parts []string
	for _, rc := range rs {
		parts = append(parts, fmt.Sprintf("%s=%d", rc.Reason, rc.Leads))
	}
	return csvcell.Text(strings.Join(parts, ";"))
}

// count says a number with the word that goes with it.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}

// Noun is what the report counts, in the singular: "lead" or "account".
func (r *Report) Noun() string {
	if r.Unit == "accounts" {
		return "account"
	}
	return "lead"
}

// mdCell escapes what would break a Markdown table cell.
var mdCell = strings.NewReplacer(`\`, `\\`, "|", `\|`, "\r\n", " ", "\n", " ", "\r", " ")

// total is the report's own figures as a row of its tables, every rate
// with its interval, as the groups' rows have them.
func (r *Report) total() Group {
	return Group{Name: "total", SalesReady: r.SalesReady, Dispositioned: r.Dispositioned, Accepted: r.Accepted, Rejected: r.Rejected, Recycled: r.Recycled,
		AcceptanceRate: r.AcceptanceRate, AcceptanceRateLow: r.AcceptanceRateLow, AcceptanceRateHigh: r.AcceptanceRateHigh,
		RejectionRate: r.RejectionRate, RejectionRateLow: r.RejectionRateLow, RejectionRateHigh: r.RejectionRateHigh,
		RecycleRate: r.RecycleRate, RecycleRateLow: r.RecycleRateLow, RecycleRateHigh: r.RecycleRateHigh, TooFew: r.TooFew, Reasons: r.Reasons}
}
