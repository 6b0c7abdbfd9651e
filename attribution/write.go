package attribution

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leadscore/leadscore/internal/csvcell"
	"github.com/leadscore/leadscore/internal/numfmt"
)

// table is headers and rows of cells, written as Markdown or aligned text.
type table struct {
	title   string
	headers []string
	rows    [][]string
}

func (t table) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "### %s\n\n| %s |\n|", t.title, strings.Join(t.headers, " | "))
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
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(t.title + "\n")
	line(t.headers)
	for _, r := range t.rows {
		line(r)
	}
	b.WriteString("\n")
}

// money writes an amount; 0 is an amount like any other.
func money(v float64) string { return thousands(round2(v)) }

// moneyOf writes an amount that may be unknown (—), such as a cost the
// cost table does not give.
func moneyOf(v *float64) string {
	if v == nil {
		return "—"
	}
	return money(*v)
}

func count(v float64) string { return numfmt.Float(round2(v), 'f', -1) }

func ratio(v *float64) string {
	if v == nil {
		return "—"
	}
	return numfmt.Float(round2(*v), 'f', 2)
}

func pct(v float64) string { return numfmt.Float(100*v, 'f', 1) + "%" }

// stepText writes a funnel rate with its 95% interval, "75.0% (30.1% to
// 95.4%)", marked † when it rests on fewer than MinRateBase leads, or "—"
// over no leads: a rate over no leads is unknown, not 0%.
func stepText(s StepRate) string {
	if s.Rate == nil || s.Low == nil || s.High == nil {
		return "—"
	}
	out := pct(*s.Rate) + " (" + pct(*s.Low) + " to " + pct(*s.High) + ")"
	if s.TooFew {
		out += " †"
	}
	return out
}

// thousands writes 1234567.5 as 1,234,567.5.
func thousands(v float64) string {
	return numfmt.Group(numfmt.Float(v, 'f', -1))
}

func (r *Report) tables() []table {
	credit := func(title, first string, rows []Row, channel bool) table {
		t := table{title: title, headers: []string{first}}
		if channel {
			t.headers = append(t.headers, "channel")
		}
		t.headers = append(t.headers, "cost")
		for _, m := range r.Models {
			t.headers = append(t.headers, m+" conv.", m+" revenue", m+" ROAS")
		}
		for _, row := range append(rows, r.Total) {
			cells := []string{row.Name}
			if channel {
				cells = append(cells, row.Channel)
			}
			cells = append(cells, moneyOf(row.Cost))
			for _, a := range row.Credit {
				cells = append(cells, count(a.Conversions), money(a.Revenue), ratio(a.ROAS))
			}
			t.rows = append(t.rows, cells)
		}
		return t
	}
	accepted := r.Total.Funnel.SalesAccepted > 0 // journeys built with sales' dispositions
	funnel := func(title, first string, rows []Row) table {
		headers := []string{first, "touched", "sales-ready", "rate"}
		if accepted {
			headers = append(headers, "accepted by sales", "rate")
		}
		t := table{title: title, headers: append(headers, "then opportunity", "rate", "then won", "rate",
			"won, never sales-ready", "their revenue", "won in all", "cost", "cost / sales-ready", "cost / won")}
		for _, row := range append(rows, r.Total) {
			f := row.Funnel
			rs := row.Rates
			cells := []string{row.Name, strconv.Itoa(f.Touched), strconv.Itoa(f.SalesReady), stepText(rs.SalesReady)}
			if accepted && rs.SalesAccepted != nil {
				cells = append(cells, strconv.Itoa(f.SalesAccepted), stepText(*rs.SalesAccepted))
			}
			t.rows = append(t.rows, append(cells,
				strconv.Itoa(f.SalesReadyOpportunities), stepText(rs.Opportunity),
				strconv.Itoa(f.SalesReadyWon), stepText(rs.Won),
				strconv.Itoa(f.WonNotSalesReady), money(f.RevenueNotSalesReady), strconv.Itoa(f.Won),
				moneyOf(row.Cost), moneyOf(row.CostPerSalesReady), moneyOf(row.CostPerWon)))
		}
		return t
	}
	vel := table{title: "Velocity", headers: []string{"from", "to", "journeys", "median days"}}
	for _, v := range r.Velocity {
		days := "—"
		if v.MedianDays != nil {
			days = numfmt.Float(round2(*v.MedianDays), 'f', 1)
		}
		vel.rows = append(vel.rows, []string{v.From, v.To, strconv.Itoa(v.Journeys), days})
	}
	return []table{
		credit("Credit by campaign", "campaign", r.Campaigns, true),
		credit("Credit by channel", "channel", r.Channels, false),
		funnel("Funnel by campaign", "campaign", r.Campaigns),
		funnel("Funnel by channel", "channel", r.Channels),
		vel,
	}
}

func (r *Report) summary() string {
	f := r.Total.Funnel
	return fmt.Sprintf("%d %s: %d sales-ready, %d opportunities (%d of them from sales-ready leads), %d won (%d from sales-ready leads); revenue %s; cost %s. Models: %s.\n\n"+
		"%s, with its 95%% interval (Wilson's); † marks a rate over fewer than %d leads, too few to read or to set against another row's. %s, with revenue %s, came from leads never called sales-ready.",
		f.Touched, numfmt.Noun(f.Touched, "journey"), f.SalesReady, f.Opportunities, f.SalesReadyOpportunities, f.Won, f.SalesReadyWon, money(r.Total.Credit[0].Revenue), r.costText(), strings.Join(r.Models, ", "), RateBases(r.Total.Rates.SalesAccepted != nil), MinRateBase,
		wonDeals(f.WonNotSalesReady), money(f.RevenueNotSalesReady)) + r.stepsAfterTouch() + r.lookbackNote()
}

// lookbackNote says, with a lookback, that the funnel counts the touches
// credit counts.
func (r *Report) lookbackNote() string {
	if r.opts.Lookback <= 0 {
		return ""
	}
	return fmt.Sprintf(" With the lookback of %s, a campaign or channel counts a step only when it touched the lead within %s before it, as credit counts touches.",
		lookbackText(r.opts.Lookback), lookbackText(r.opts.Lookback))
}

// lookbackText writes a lookback in days, or hours when not whole days.
func lookbackText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	return strconv.FormatFloat(d.Hours(), 'f', -1, 64) + "h"
}

// costText is the total's cost, and the campaigns it leaves out.
func (r *Report) costText() string {
	if len(r.Uncosted) == 0 {
		return moneyOf(r.Total.Cost)
	}
	return moneyOf(r.Total.Cost) + " (without " + listOf(r.Uncosted, "", "") + ", which " + map[bool]string{true: "has", false: "have"}[len(r.Uncosted) == 1] + " no cost: the total's returns are left out)"
}

// stepsAfterTouch says, when some campaign's or channel's won deals are
// more than its then won and those never sales-ready, why: a step counts
// for a campaign only when it touched the lead at or before it.
func (r *Report) stepsAfterTouch() string {
	for _, row := range append(append([]Row(nil), r.Campaigns...), r.Channels...) {
		if f := row.Funnel; f.Won != f.SalesReadyWon+f.WonNotSalesReady {
			return " A campaign or channel counts a step only when it touched the lead at or before it, so its won in all can exceed its then won plus won, never sales-ready: by the deals it touched before the win but not before the hand-off or the opportunity."
		}
	}
	return ""
}

// wonDeals writes "1 won deal", "9 won deals".
func wonDeals(n int) string {
	if n == 1 {
		return "1 won deal"
	}
	return fmt.Sprintf("%d won deals", n)
}

// WriteMarkdown writes the report as Markdown tables.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## Attribution\n\n")
	for _, w := range r.Warnings {
		b.WriteString("> **Warning:** " + w + "\n\n")
	}
	b.WriteString(r.summary() + "\n\n")
	for _, t := range r.tables() {
		t.markdown(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteText writes the report as aligned text tables, for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, w := range r.Warnings {
		b.WriteString("WARNING: " + w + "\n\n")
	}
	b.WriteString(r.summary() + "\n\n")
	for _, t := range r.tables() {
		t.text(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteCSV writes one row per campaign, channel and the total (the level
// column says which), with the funnel and, for each model, the
// conversions, revenue, ROAS and ROI credited (ROAS and ROI empty for a
// row without cost), then the funnel's steps from sales-ready leads and
// the won deals and revenue of leads never called sales-ready, then each
// funnel rate with its 95% interval, the leads it is over and whether
// they are too few (under MinRateBase).
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"level", "name", "channel", "cost", "touched", "sales_ready", "opportunities", "won", "cost_per_sales_ready", "cost_per_won"}
	for _, m := range r.Models {
		header = append(header, m+"_conversions", m+"_revenue", m+"_roas", m+"_roi")
	}
	header = append(header, "sales_ready_opportunities", "sales_ready_won", "won_not_sales_ready", "revenue_not_sales_ready")
	accepted := r.Total.Funnel.SalesAccepted > 0
	if accepted {
		header = append(header, "sales_accepted")
	}
	steps := []string{"sales_ready", "opportunity", "won"}
	if accepted {
		steps = append(steps, "sales_accepted")
	}
	for _, s := range steps {
		header = append(header, s+"_rate", s+"_rate_low", s+"_rate_high", s+"_rate_of", s+"_rate_too_few")
	}
	cw.Write(header)
	f := func(v float64) string { return numfmt.Float(v, 'f', -1) }
	opt := func(v *float64) string { // empty when there is no cost to divide by
		if v == nil {
			return ""
		}
		return f(*v)
	}
	write := func(level string, row Row) {
		rec := []string{level, csvcell.Text(row.Name), csvcell.Text(row.Channel), opt(row.Cost), strconv.Itoa(row.Funnel.Touched), strconv.Itoa(row.Funnel.SalesReady),
			strconv.Itoa(row.Funnel.Opportunities), strconv.Itoa(row.Funnel.Won), opt(row.CostPerSalesReady), opt(row.CostPerWon)}
		for _, a := range row.Credit {
			rec = append(rec, f(a.Conversions), f(a.Revenue), opt(a.ROAS), opt(a.ROI))
		}
		rec = append(rec, strconv.Itoa(row.Funnel.SalesReadyOpportunities), strconv.Itoa(row.Funnel.SalesReadyWon), strconv.Itoa(row.Funnel.WonNotSalesReady), f(row.Funnel.RevenueNotSalesReady))
		if accepted {
			rec = append(rec, strconv.Itoa(row.Funnel.SalesAccepted))
		}
		rates := []StepRate{row.Rates.SalesReady, row.Rates.Opportunity, row.Rates.Won}
		if accepted && row.Rates.SalesAccepted != nil {
			rates = append(rates, *row.Rates.SalesAccepted)
		}
		for _, s := range rates {
			rec = append(rec, opt(s.Rate), opt(s.Low), opt(s.High), strconv.Itoa(s.Of), strconv.FormatBool(s.TooFew))
		}
		cw.Write(rec)
	}
	for _, row := range r.Campaigns {
		write("campaign", row)
	}
	for _, row := range r.Channels {
		write("channel", row)
	}
	write("total", r.Total)
	cw.Flush()
	return cw.Error()
}
