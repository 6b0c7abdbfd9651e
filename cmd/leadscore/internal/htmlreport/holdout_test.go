package htmlreport_test

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
)

// holdoutOf is the holdout report of n leads, every one sales-ready: a
// lead is in the control group when control says so, and wins when won
// says so, with revenue 1,000 plus 37 times its number.
func holdoutOf(h *rules.Holdout, n int, control func(i int, id string) bool, won func(i int, control bool) bool) *backtest.HoldoutReport {
	c := backtest.NewHoldout(h, "m.yaml", h.Challenger)
	for i := range n {
		id := fmt.Sprintf("L%05d", i)
		ctl := control(i, id)
		l := backtest.HoldoutLead{Control: ctl, SalesReady: true, ChallengerSalesReady: i%3 == 0, Won: won(i, ctl)}
		if l.Won {
			l.Revenue = 1000 + 37*float64(i%50)
		}
		c.Add(l)
	}
	return c.Report()
}

// unescapeHTML is html.UnescapeString, for where a parameter named html
// hides the package.
var unescapeHTML = html.UnescapeString

var (
	svgRE    = regexp.MustCompile(`(?s)<svg.*?</svg>`)
	spanRE   = regexp.MustCompile(`</?span[^>]*>`)
	tagRE    = regexp.MustCompile(`<[^>]*>`)
	figureRE = regexp.MustCompile(`[-+]?\d+(?:,\d{3})*(?:\.\d+)?%?`)
)

// sectionText is the words of the page's section id, its charts left
// out (their figures are the tables'), a space for each tag but a span's.
func sectionText(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<section id="`+id+`">`)
	require.GreaterOrEqual(t, start, 0, "the page has the %s section", id)
	end := strings.Index(page[start:], "</section>")
	require.Greater(t, end, 0)
	sec := spanRE.ReplaceAllString(svgRE.ReplaceAllString(page[start:start+end], ""), "")
	return html.UnescapeString(tagRE.ReplaceAllString(sec, " "))
}

// The holdout section shows the holdout report's numbers, each at its
// place in the JSON (checkNumbers), and no figure that the text report
// does not: every figure of the section is one of the text report's, and
// every line the text report opens with on the holdout, and every verdict
// or reason, is in the section as written.
func TestHoldoutSectionIsTheTextReports(t *testing.T) {
	hash := rules.NewHoldout(0.2, "q3-holdout")
	byHash := func(_ int, id string) bool { return hash.Control(id) }
	challenger := &rules.Holdout{Share: 0.5, Seed: "cc", Withhold: dsl.WithholdChallenger, Challenger: "challenger.yaml", ChallengerPath: "challenger.yaml"}
	for _, c := range []struct {
		name     string
		report   *backtest.HoldoutReport
		decision string // of the first comparison
		says     []string
		paths    []string
	}{
		{name: "a lift: verdict given",
			report:   holdoutOf(hash, 3000, byHash, func(i int, ctl bool) bool { return (ctl && i%10 == 0) || (!ctl && i%4 == 0) }),
			decision: "raises", says: []string{"The hand-off raises the win rate of the sales-ready leads by", "matches the share"},
			paths: []string{"holdout.treated.win_rate.value", "holdout.control.revenue_per_lead.low", "holdout.lift.win_rate_difference.low", "holdout.lift.win_rate_difference.high",
				"holdout.lift.win_rate_ratio.value", "holdout.lift.revenue_per_lead_difference.high", "holdout.power.min_detectable_difference", "holdout.power.min_detectable_revenue_per_lead",
				"holdout.sample_ratio.p_value", "holdout.sample_ratio.control", "holdout.overall.lift.win_rate_difference.value", "holdout.overall.sample_ratio.leads"}},
		{name: "few won deals: withheld",
			report:   holdoutOf(hash, 200, byHash, func(i int, ctl bool) bool { return i%40 == 0 }),
			decision: "withheld", says: []string{"under 5: too few to compare win rates", "no interval: the treated group has 3 won deals and the control group has 2"},
			paths: []string{"holdout.control.won", "holdout.lift.win_rate_difference.value", "holdout.power.min_detectable_difference"}},
		{name: "the split off the share: withheld",
			report:   holdoutOf(hash, 1000, func(i int, _ string) bool { return i%2 == 0 }, func(i int, ctl bool) bool { return i%5 == 0 }),
			decision: "withheld", says: []string{"p < 0.0001: off the share, verdict withheld", "happens by chance less than once in a thousand"},
			paths: []string{"holdout.sample_ratio.leads", "holdout.sample_ratio.control"}},
		{name: "champion and challenger",
			report:   holdoutOf(challenger, 600, func(i int, _ string) bool { return i%2 == 1 }, func(i int, ctl bool) bool { return i%7 == 0 }),
			decision: "withheld", says: []string{"includes 0: the sample cannot tell the effect from chance", "challenger.yaml"},
			paths: []string{"holdout.challenger.0.precision.value", "holdout.challenger.1.recall.high", "holdout.challenger.1.sales_ready", "holdout.sample_ratio.p_value"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.decision, c.report.Decision)
			r := answersReport()
			r.SetHoldout(c.report)
			page := render(t, r)
			seen := checkNumbers(t, page, r)
			for _, p := range c.paths {
				assert.Contains(t, seen, p, "the section shows %s", p)
			}
			var text bytes.Buffer
			require.NoError(t, r.WriteText(&text))
			txt := text.String()
			holdoutText := txt[strings.Index(txt, "\nHOLDOUT\n"):]
			section := sectionText(t, page, "holdout")
			flat := strings.Join(strings.Fields(section), " ")

			textFigures := map[string]bool{}
			for _, f := range figureRE.FindAllString(txt, -1) {
				textFigures[strings.ReplaceAll(f, ",", "")] = true
			}
			for _, f := range figureRE.FindAllString(section, -1) {
				assert.True(t, textFigures[strings.ReplaceAll(f, ",", "")], "the section shows %s, which the text report does not", f)
			}
			for _, l := range strings.Split(txt, "\n") {
				if strings.HasPrefix(l, "Holdout (") {
					assert.Contains(t, flat, l, "the section opens with the text report's line")
				}
			}
			for _, cmp := range []*backtest.Comparison{&c.report.Comparison, c.report.Overall} {
				if cmp == nil {
					continue
				}
				if cmp.Decision == "withheld" {
					assert.Contains(t, flat, "withheld: "+cmp.WithheldReason)
					assert.Contains(t, holdoutText, "withheld: "+cmp.WithheldReason)
				} else {
					assert.Contains(t, flat, cmp.Verdict)
				}
				if cmp.Lift.RevenueWithheld != "" {
					assert.Contains(t, flat, cmp.Lift.RevenueWithheld)
				}
			}
			for _, s := range c.says {
				assert.Contains(t, flat, s)
			}
		})
	}
}

// A backtest without a holdout has no holdout section.
func TestNoHoldoutNoSection(t *testing.T) {
	assert.NotContains(t, render(t, answersReport()), `<section id="holdout">`)
}
