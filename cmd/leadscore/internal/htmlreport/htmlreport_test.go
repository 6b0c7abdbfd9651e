package htmlreport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
	"github.com/leadscore/leadscore/scoring/feedback"
)

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		format string
		v      float64
		want   string
	}{
		{"int", 0, "0"},
		{"int", 999, "999"},
		{"int", 1000, "1,000"},
		{"int", 1234567, "1,234,567"},
		{"int", -1234, "-1,234"},
		{"money", 1051900, "1,051,900"},
		{"money", 1051900.4, "1,051,900"},
		{"pct", 0.123456, "12.3%"},
		{"pct", 1, "100.0%"},
		{"pct", -0.5, "-50.0%"},
		{"pct", 49.975, "4,997.5%"},
		{"dec1", 1234.56, "1,234.6"},
		{"dec1", -0.04, "0.0"}, // not -0.0
		{"dec2", 31.1666, "31.17"},
		{"dec3", 0.8376, "0.838"},
		{"points", 0.201, "20.1 points"},
		{"pointsdiff", 0.031, "+3.1 points"},
		{"pointsdiff", -0.135, "-13.5 points"},
	} {
		assert.Equal(t, c.want, htmlreport.Format(c.format, c.v), "%s %v", c.format, c.v)
	}
}

var rectRE = regexp.MustCompile(`<rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)" height="11" fill="#[0-9A-F]+"><title>([^<]*)</title>`)

// A bar's length is proportional to its value, from the zero line.
func TestBarsAreProportional(t *testing.T) {
	svg := string(htmlreport.Bars("t", []string{"a", "b", "c"}, []string{"n"}, [][]float64{{10}, {25}, {40}}, "int"))
	bars := rectRE.FindAllStringSubmatch(svg, -1)
	require.Len(t, bars, 3)
	var x0, w []float64
	for _, b := range bars {
		x, _ := strconv.ParseFloat(b[1], 64)
		width, _ := strconv.ParseFloat(b[2], 64)
		x0, w = append(x0, x), append(w, width)
	}
	assert.Equal(t, x0[0], x0[1], "bars start at zero")
	assert.InDelta(t, 2.5, w[1]/w[0], 0.01)
	assert.InDelta(t, 4.0, w[2]/w[0], 0.01)
	assert.Equal(t, "b, n: 25", bars[1][3], "the hover title says the number")

	// A negative bar ends where a positive one starts.
	svg = string(htmlreport.Bars("t", []string{"a", "b"}, []string{"n"}, [][]float64{{-20}, {20}}, "int"))
	bars = rectRE.FindAllStringSubmatch(svg, -1)
	require.Len(t, bars, 2)
	negX, _ := strconv.ParseFloat(bars[0][1], 64)
	negW, _ := strconv.ParseFloat(bars[0][2], 64)
	posX, _ := strconv.ParseFloat(bars[1][1], 64)
	posW, _ := strconv.ParseFloat(bars[1][2], 64)
	assert.InDelta(t, posX, negX+negW, 0.02)
	assert.InDelta(t, negW, posW, 0.02)
}

func ptr(v float64) *float64 { return &v }

// The won-vs-not-won shares are computed here (in italics on the page);
// they are checked against hand-computed values.
func TestBacktestSharesByHand(t *testing.T) {
	r := &backtest.Report{Model: "m", Won: 2, Bands: []backtest.Band{
		{Name: "40 to 60", Leads: 10, Won: 2, WinRate: ptr(0.2), Lift: ptr(4)},
		{Name: "20 to 40", Leads: 30, Won: 0, WinRate: ptr(0), Lift: ptr(0)},
	}}
	var b bytes.Buffer
	page := &htmlreport.Page{Title: "t", Sections: htmlreport.BacktestSections(r, "")}
	require.NoError(t, page.Render(&b))
	html := b.String()
	derived := regexp.MustCompile(`<td class="n d" data-value="([^"]*)" data-format="[a-z0-9]+">([^<]*)</td>`).FindAllStringSubmatch(html, -1)
	var got []string
	for _, d := range derived {
		got = append(got, d[2])
	}
	// Band 40-60: not won 10-2 = 8, share of won 2/2, share of not won
	// 8/38; band 20-40: not won 30, 0/2, 30/38.
	assert.Equal(t, []string{"8", "100.0%", "21.1%", "30", "0.0%", "78.9%"}, got)
	assert.Contains(t, html, `data-path="bands.0.lift" data-value="4" data-format="dec2">4.00</td>`)
	assert.NotContains(t, html, "capacity-slider", "no capacity section without --capacity")
}

// The capacity control's rows carry the marker's position for each
// threshold, increasing with the threshold, and the slider starts at the
// report's threshold.
func TestCapacityControl(t *testing.T) {
	curve := []backtest.CurvePoint{{Threshold: 0, PerPeriod: ptr(90), Leads: 30, Won: 3}, {Threshold: 10, PerPeriod: ptr(50), Leads: 20, Won: 3}, {Threshold: 20, PerPeriod: ptr(20), Leads: 5, Won: 2}}
	r := &backtest.Report{Model: "m", Capacity: &backtest.CapacityReport{Capacity: 40, Unit: "week", On: "total", Threshold: ptr(20), Curve: curve,
		Current: backtest.CurvePoint{PerPeriod: ptr(2.25), ExpectedWon: ptr(0.5)}}}
	var b bytes.Buffer
	require.NoError(t, (&htmlreport.Page{Title: "t", Sections: htmlreport.BacktestSections(r, "")}).Render(&b))
	html := b.String()
	assert.Contains(t, html, `id="capacity-slider" type="range" min="0" max="2" step="1" value="2"`)
	xs := regexp.MustCompile(`<tr data-x="([0-9.]+)"(?: data-keep)?(?: class="[^"]*")?>`).FindAllStringSubmatch(html, -1)
	require.Len(t, xs, 3)
	x0, _ := strconv.ParseFloat(xs[0][1], 64)
	x1, _ := strconv.ParseFloat(xs[1][1], 64)
	x2, _ := strconv.ParseFloat(xs[2][1], 64)
	assert.InDelta(t, x1-x0, x2-x1, 0.02, "evenly spaced thresholds, evenly spaced marks")
	assert.Contains(t, html, `<line id="capacity-marker" x1="`+xs[2][1]+`"`, "the marker starts at the threshold")
	// The marker says what it marks, and the current definition's flow
	// stands beside the curve, each at its height on the axis.
	assert.Regexp(t, `<text id="capacity-marker-label" x="`+regexp.QuoteMeta(xs[2][1])+`" y="[0-9.]+" text-anchor="end" font-weight="600">threshold 20</text>`, html)
	assert.Contains(t, html, `>current definition 2.25 per week</text>`)
	assert.Contains(t, html, `>current definition 0.50 per week</text>`)
	assert.Contains(t, html, `label.textContent = heads[0].textContent + " " + row.cells[0].textContent;`, "the script moves the label with the marker")
	// The readout copies the table's text as text, never parsed as HTML.
	assert.NotContains(t, html, "innerHTML")
	assert.NotContains(t, html, "outerHTML")
	assert.NotContains(t, html, "insertAdjacentHTML")
	assert.Contains(t, html, `b.textContent = row.cells[c].textContent;`)
}

// A page needs nothing from outside itself.
func TestPageIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	r := &backtest.Report{Model: "m", Bands: []backtest.Band{{Name: "0 to 20", Leads: 1}}}
	require.NoError(t, (&htmlreport.Page{Title: "t <&>", Sections: htmlreport.BacktestSections(r, "")}).Render(&b))
	html := strings.ReplaceAll(b.String(), `xmlns="http://www.w3.org/2000/svg"`, "")
	assert.NotRegexp(t, `(?i)(https?:|src=|<link (?:[^>]*)href="[^d])`, html)
	assert.Contains(t, html, "default-src 'none'", "a content security policy refuses any request")
	assert.Contains(t, html, "<title>t &lt;&amp;&gt;</title>")
}

func Example() {
	r := &backtest.Report{Model: "b2b-saas", Won: 3, Bands: []backtest.Band{
		{Name: "60 to 80", Leads: 40, Won: 3, WinRate: ptr(0.075), Lift: ptr(2.5)},
		{Name: "40 to 60", Leads: 60, Won: 0, WinRate: ptr(0), Lift: ptr(0)},
	}}
	page := &htmlreport.Page{Title: "Backtest: b2b-saas", Sections: htmlreport.BacktestSections(r, "")}
	var b bytes.Buffer
	if err := page.Render(&b); err != nil {
		panic(err)
	}
	// Every number of a table says where it is in the JSON report.
	for _, m := range regexp.MustCompile(`data-path="(bands\.0\.(?:win_rate|lift))" data-value="([^"]*)" data-format="[a-z0-9]+">([^<]*)<`).FindAllStringSubmatch(b.String(), -1) {
		os.Stdout.WriteString(m[1] + " = " + m[2] + ", shown " + m[3] + "\n")
	}
	// Output:
	// bands.0.win_rate = 0.075, shown 7.5%
	// bands.0.lift = 2.5, shown 2.50
}

// The drift section shows each rule's counts, rate, ratio with its
// interval, q and whether it shifted; every number it shows is the JSON
// report's, at its data-path, and a q under 0.001 reads "< 0.001".
func TestDriftCellsAreTheJSONs(t *testing.T) {
	r := &backtest.Report{Model: "m", Drift: &backtest.Drift{Leads: 3000, Reference: 3000, Total: ptr(0.0004), TotalBand: "stable",
		TotalShift: backtest.TotalShift{Mean: ptr(12.78), ReferenceMean: ptr(13.26), KS: ptr(0.009), At: ptr(10), Share: ptr(0.745), ReferenceShare: ptr(0.736), P: ptr(0.9997), Verdict: "no clear shift"},
		Rules: []backtest.RuleDrift{
			{ID: "engagement.demo", Fired: 21, Leads: 3000, ReferenceFired: 57, ReferenceLeads: 3000, Rate: ptr(0.007), Reference: ptr(0.019), Ratio: ptr(21.0 / 57),
				RatioInterval: &backtest.Interval{Low: 0.22396, High: 0.60606}, Test: "z", P: ptr(4.08e-5), Q: ptr(1.22e-4), Shifted: true, Direction: "fell", Verdict: "fell", PSI: ptr(0.0119), Band: "stable"},
			{ID: "fit.vp", Fired: 750, Leads: 3000, ReferenceFired: 750, ReferenceLeads: 3000, Rate: ptr(0.25), Reference: ptr(0.25), Ratio: ptr(1),
				RatioInterval: &backtest.Interval{Low: 0.92, High: 1.09}, Test: "z", P: ptr(1), Q: ptr(1), Verdict: "no clear change", PSI: ptr(0), Band: "stable"},
			{ID: "gate.student", Leads: 3000, ReferenceLeads: 3000, Rate: ptr(0), Reference: ptr(0), Verdict: "never fired", PSI: ptr(0), Band: "stable"},
		}}}
	var b bytes.Buffer
	require.NoError(t, (&htmlreport.Page{Title: "t", Sections: htmlreport.BacktestSections(r, "")}).Render(&b))
	html := b.String()
	js, err := json.Marshal(r)
	require.NoError(t, err)
	var doc any
	require.NoError(t, json.Unmarshal(js, &doc))
	cells := regexp.MustCompile(`data-path="(drift\.[^"]+)" data-value="([^"]*)" data-format="[a-z0-9]+">([^<]*)<`).FindAllStringSubmatch(html, -1)
	require.Len(t, cells, 10+3*11-3, "10 numbers of the total, 11 of each rule, less a q under 0.001 (words) and the interval of the rule that never fired")
	for _, c := range cells {
		v := doc
		for _, step := range strings.Split(c[1], ".") {
			switch x := v.(type) {
			case map[string]any:
				require.Contains(t, x, step, c[1])
				v = x[step]
			case []any:
				i, err := strconv.Atoi(step)
				require.NoError(t, err, c[1])
				v = x[i]
			}
		}
		if v == nil {
			assert.Equal(t, "null", c[2], c[1])
			continue
		}
		got, err := strconv.ParseFloat(c[2], 64)
		require.NoError(t, err, c[1])
		assert.Equal(t, v, got, c[1])
	}
	assert.Contains(t, html, `<td>engagement.demo</td><td class="n" data-path="drift.rules.0.fired" data-value="21" data-format="int">21</td>`)
	assert.Contains(t, html, `data-path="drift.rules.0.ratio_interval.low" data-value="0.22396" data-format="dec2">0.22</td>`)
	assert.Contains(t, html, `<td>&lt; 0.001</td><td>yes</td><td>fell</td>`)
	assert.Contains(t, html, `data-path="drift.rules.1.q" data-value="1" data-format="dec3">1.000</td><td>no</td><td>no clear change</td>`)
	assert.Contains(t, html, `data-path="drift.rules.2.q" data-value="null" data-format="dec3">—</td><td>no</td><td>never fired</td>`)
}

// numberRE reads every number of a page: a table's cell, or a number
// inside a cell (an interval's ends) or a line of words (the summary).
var numberRE = regexp.MustCompile(`<(?:td|span) class="n( d)?"(?: data-path="([^"]*)")? data-value="([^"]*)" data-format="([a-z0-9]+)"(?: data-kpi="[^"]*")?(?: data-label="[^"]*")?>([^<]*)</(?:td|span)>`)

// checkNumbers holds every number of a rendered page to the JSON of the
// report: the value at its path, and the text shown its value formatted
// ("—" for null, never 0). It returns the paths seen.
func checkNumbers(t *testing.T, html string, report any) map[string]string {
	t.Helper()
	js, err := json.Marshal(report)
	require.NoError(t, err)
	var doc any
	require.NoError(t, json.Unmarshal(js, &doc))
	seen := map[string]string{}
	numbers := numberRE.FindAllStringSubmatch(html, -1)
	require.Equal(t, strings.Count(html, `<td class="n`)+strings.Count(html, `<span class="n`), len(numbers), "every number is read")
	for _, c := range numbers {
		derived, path, value, format, shown := c[1] != "", c[2], c[3], c[4], unescapeHTML(c[5]) // "+" is written &#43;
		if value == "null" {
			assert.Equal(t, "—", shown, path)
		} else {
			v, err := strconv.ParseFloat(value, 64)
			require.NoError(t, err, path)
			assert.Equal(t, htmlreport.Format(format, v), shown, path)
		}
		if derived {
			assert.Empty(t, path)
			continue
		}
		require.NotEmpty(t, path, "a number without its place in the JSON: %s", c[0])
		seen[path] = shown
		want := doc
		for _, step := range strings.Split(path, ".") {
			switch x := want.(type) {
			case map[string]any:
				require.Contains(t, x, step, path)
				want = x[step]
			case []any:
				i, err := strconv.Atoi(step)
				require.NoError(t, err, path)
				require.Less(t, i, len(x), path)
				want = x[i]
			default:
				require.Failf(t, "not in the JSON", "%s", path)
			}
		}
		if want == nil {
			assert.Equal(t, "null", value, path)
			continue
		}
		got, err := strconv.ParseFloat(value, 64)
		require.NoError(t, err, path)
		assert.Equal(t, want, got, path)
	}
	return seen
}

func render(t *testing.T, r *backtest.Report) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, (&htmlreport.Page{Title: "t", Sections: htmlreport.BacktestSections(r, "")}).Render(&b))
	return b.String()
}

// answersReport is a backtest report with every part issue 24 added, its
// numbers made up but consistent enough to read.
func answersReport() *backtest.Report {
	at := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	until := at.AddDate(0, 3, 0)
	iv := func(lo, hi float64) *backtest.Interval { return &backtest.Interval{Low: lo, High: hi} }
	week := func(i, crossed, ready int) backtest.Week {
		from := at.AddDate(0, 0, 7*(i-3))
		return backtest.Week{From: from, To: from.AddDate(0, 0, 7), Crossed: crossed, SalesReady: ready}
	}
	curve := []backtest.CurvePoint{
		{Threshold: 0, Crossed: 90, PerPeriod: ptr(30), PerPeriodInterval: iv(24.1, 36.9), CrossedWon: 6, WinRate: ptr(6.0 / 90), WinRateInterval: iv(0.031, 0.138), ExpectedWon: ptr(2), ExpectedWonInterval: iv(0.73, 4.35), Leads: 120, Won: 8, Recall: ptr(1)},
		{Threshold: 10, Crossed: 60, PerPeriod: ptr(20), PerPeriodInterval: iv(15.3, 25.7), CrossedWon: 6, WinRate: ptr(0.1), WinRateInterval: iv(0.047, 0.2), ExpectedWon: ptr(2), ExpectedWonInterval: iv(0.73, 4.35), Leads: 70, Won: 8, Recall: ptr(1)},
		{Threshold: 20, Crossed: 15, PerPeriod: ptr(5), PerPeriodInterval: iv(2.8, 8.2), CrossedWon: 3, WinRate: ptr(0.2), WinRateInterval: iv(0.07, 0.45), ExpectedWon: ptr(1), ExpectedWonInterval: iv(0.21, 2.92), Leads: 20, Won: 5, Recall: ptr(0.625)},
	}
	return &backtest.Report{Model: "m", At: at, Until: &until, Leads: backtest.Counts{Added: 200, InBacktest: 120}, Won: 8, WinRate: ptr(8.0 / 120),
		SalesReady: backtest.Classifier{Leads: 10, Won: 4, Precision: ptr(0.4), Recall: ptr(0.5), PrecisionInterval: iv(0.168, 0.687), RecallInterval: iv(0.215, 0.785), Lift: ptr(6), MissedWon: 4, MissedRevenue: 12000},
		AUC:        ptr(0.8126), AUCInterval: iv(0.66, 0.905), KS: ptr(0.5),
		Stages: []backtest.Group{{Name: "sql", Leads: 10, Won: 4, WinRate: ptr(0.4), WinRateInterval: iv(0.168, 0.687), Lift: ptr(6)}, {Name: "(no stage)", Leads: 110, Won: 4, WinRate: ptr(4.0 / 110), WinRateInterval: iv(0.014, 0.09), Lift: ptr(0.545)}},
		Bands: []backtest.Band{
			{Name: "20 to 40", Leads: 20, Won: 5, WinRate: ptr(0.25), Low: ptr(0.112), High: ptr(0.469), Lift: ptr(3.75), LiftInterval: iv(1.6, 6.1), CumRecall: ptr(0.625), Mean: ptr(27.5), Calibrated: ptr(0.21), CalibratedInterval: iv(0.1, 0.38)},
			{Name: "0 to 20", Leads: 100, Won: 3, WinRate: ptr(0.03), Low: ptr(0.01), High: ptr(0.085), Lift: ptr(0.45), LiftInterval: iv(0.1, 1.1), CumRecall: ptr(1), Mean: ptr(8.2)},
		},
		Rules: []backtest.RuleSignal{
			{Rule: "engagement.demo", Points: 40, Fired: 12, FiredWon: 5, ShareWon: ptr(0.625), ShareNotWon: ptr(0.062), Lift: ptr(6.25), IV: ptr(1.1), LiftInterval: iv(3.1, 9.8), IVInterval: iv(0.4, 2.2), Signal: "strong",
				OneAtATime: &backtest.Coefficient{Estimate: 2.31, SE: 0.6, Low: 1.13, High: 3.49}, Joint: &backtest.Coefficient{Estimate: 2.13, SE: 0.61, Low: 0.93, High: 3.33}, Q: ptr(0.0004), Verdict: backtest.Predictive, Why: "+2.13 log-odds per unit"},
			{Rule: "fit.vp", Points: 20, Fired: 50, FiredWon: 4, ShareWon: ptr(0.5), ShareNotWon: ptr(0.4), Lift: ptr(1.2), IV: ptr(0.02), LiftInterval: iv(0.5, 2.1), IVInterval: iv(0, 0.3), Signal: "weak",
				OneAtATime: &backtest.Coefficient{Estimate: 0.4, SE: 0.7, Low: -0.97, High: 1.77}, Joint: &backtest.Coefficient{Estimate: -0.12, SE: 0.7, Low: -1.49, High: 1.25}, Q: ptr(0.86), Verdict: backtest.NoEvidence, Why: "the interval includes zero"},
			{Rule: "gate.student", Gate: true, Fired: 3, Signal: "—", Verdict: backtest.TooLittleData, Why: "it fired on 3 leads"},
		},
		Capacity: &backtest.CapacityReport{Capacity: 20, Unit: "week", On: "total", From: at.AddDate(0, 0, -21), To: at, Periods: 3, Weeks: 3,
			Threshold: ptr(10), At: &curve[1], ThresholdInterval: iv(10, 20), LeadsPerWeek: ptr(20), LeadsPerWeekInterval: iv(15.3, 25.7), ExpectedWonPerWeek: ptr(2), ExpectedWonPerWeekInterval: iv(0.73, 4.35),
			Current: backtest.CurvePoint{Crossed: 9, PerPeriod: ptr(3), PerPeriodInterval: iv(1.4, 5.7), CrossedWon: 3, WinRate: ptr(1.0 / 3), WinRateInterval: iv(0.12, 0.65), ExpectedWon: ptr(1), ExpectedWonInterval: iv(0.21, 2.92), Leads: 10, Won: 4, Recall: ptr(0.5)},
			Weekly:  []backtest.Week{week(0, 16, 2), week(1, 20, 3), week(2, 24, 4)},
			Trend:   &backtest.TrendSummary{PerPeriod: 1.22, Low: 0.95, High: 1.57, P: 0.12},
			Curve:   curve},
		Suggestion: &backtest.Suggestion{Method: "L2", Lambda: 1, Scale: ptr(28.6), SplitAt: at.AddDate(0, -2, 0), TrainLeads: 80, TrainWon: 5, TrainSalesReady: 6, SuggestedTrainSalesReady: 7,
			Rules: []backtest.Points{
				{Rule: "engagement.demo", Category: "engagement", Current: 40, Suggested: 60, Coefficient: ptr(2.1), Interval: iv(1.4, 2.8), Fired: 8},
				{Rule: "fit.vp", Category: "fit", Current: 20, Suggested: 20, Coefficient: ptr(0.3), Interval: iv(-0.6, 1.2), Fired: 30, Kept: "within noise"},
				{Rule: "engagement.trial", Category: "engagement", Current: 30, Suggested: 30, Fired: 2, Kept: "fired on 2 training leads, fewer than 10"},
			},
			HandoffsPerWeek: ptr(3), SuggestedHandoffsPerWeek: ptr(3.5),
			HeldOut: backtest.HeldOut{Leads: 40, Won: 3, CurrentAUC: ptr(0.8), SuggestedAUC: ptr(0.84), Difference: ptr(0.04), DifferenceLow: ptr(-0.01), DifferenceHigh: ptr(0.09),
				CurrentSalesReady: backtest.Classifier{Leads: 4, Won: 2, Precision: ptr(0.5), PrecisionInterval: iv(0.15, 0.85)}, Volume: 4,
				CurrentAtVolume: backtest.Classifier{Leads: 4, Won: 2, Precision: ptr(0.5)}, SuggestedAtVolume: backtest.Classifier{Leads: 4, Won: 3, Precision: ptr(0.75)}},
			Decision: backtest.Inconclusive, Why: "the held-out leads cannot tell the two apart"},
		Verdicts: &backtest.Verdicts{From: at.AddDate(0, 0, -2), To: until, HandedOver: 12, Judged: 9, Accepted: 6, Rejected: 2, Recycled: 1, Waiting: 3,
			AcceptanceRate: ptr(6.0 / 9), AcceptanceRateInterval: iv(0.354, 0.879), NotHandedOver: 2, AcceptedNotHandedOver: 1, Recall: ptr(6.0 / 7), RecallInterval: iv(0.487, 0.974)},
		MinWon:              20,
		CalibrationWithheld: "Calibration withheld: the backtest has 8 won deals, and a map needs at least 20 (--min-won); about 12 won deals more would let it speak.",
		Warnings:            []string{"Calibration withheld: the backtest has 8 won deals, and a map needs at least 20 (--min-won); about 12 won deals more would let it speak.", "The verdict view rests on 9 hand-offs with a verdict, under 20."},
		Notes:               []string{"Snapshot view."},
	}
}

// The backtest section opens with the warnings, then the answers: the AUC
// with its interval and n, precision and recall with theirs, the rules'
// verdicts, the capacity, the calibration (withheld here), the suggestion
// and sales' verdicts; every number of it, and of every table after it,
// is the JSON report's at its data-path, an empty one shown —.
func TestBacktestAnswersFirst(t *testing.T) {
	r := answersReport()
	page := render(t, r)
	seen := checkNumbers(t, page, r)

	head := strings.Index(page, `<h2>Does the definition pick the leads that win?</h2>`)
	require.GreaterOrEqual(t, head, 0)
	after := page[head:]
	assert.True(t, strings.HasPrefix(after, `<h2>Does the definition pick the leads that win?</h2>`+"\n"+`<ul class="warnings" aria-label="Warnings"><li><b>Warning:</b> Calibration withheld: the backtest has 8 won deals`), "the warnings come first")
	assert.Less(t, strings.Index(after, `<ul class="warnings"`), strings.Index(after, `<ul class="summary">`))
	summary := after[strings.Index(after, `<ul class="summary">`):]
	summary = summary[:strings.Index(summary, "</ul>")]
	tags := regexp.MustCompile(`<[^>]+>`)
	text := html.UnescapeString(tags.ReplaceAllString(summary, ""))
	for _, want := range []string{
		"AUC 0.813 (95%: 0.660 to 0.905), on 8 won against 112 not won leads",
		"The sales-ready definition picked 10 leads, 4 of them won: precision 40.0% (95%: 16.8% to 68.7%), recall 50.0% (95%: 21.5% to 78.5%); it missed 4 won deals worth 12,000.",
		"Rules: 1 predictive, 1 no evidence, 1 too little data",
		"Capacity: for 20 leads a week, the threshold is total 10 (the flows' sampling error allows 10 to 20): 20.00 leads a week cross it (95%: 15.30 to 25.70), 10.0% of them won after crossing, so expect 2.00 won deals a week (95%: 0.73 to 4.35).",
		"Calibration withheld: the backtest has 8 won deals",
		"Suggested points: inconclusive: the held-out leads cannot tell the two apart.",
		"Sales' verdicts: of 9 hand-offs judged, 6 accepted: acceptance 66.7% (95%: 35.4% to 87.9%); recall of what sales accepted 85.7% (95%: 48.7% to 97.4%).",
		"A conclusion needs at least 20 won deals",
	} {
		assert.Contains(t, text, want)
	}
	assert.Contains(t, summary, `<span class="n" data-path="auc_interval.low" data-value="0.66" data-format="dec3">0.660</span>`)
	assert.Contains(t, summary, `<span class="n d" data-value="112" data-format="int">112</span>`, "not won: computed here, in italics")
	assert.Contains(t, summary, `<span class="badge b-no-evidence">no evidence</span>`)

	// Intervals: two numbers, two paths, in one cell; none: — at the
	// interval's own path.
	for _, path := range []string{"sales_ready.precision_interval.low", "sales_ready.recall_interval.high", "stages.0.win_rate_interval.low", "bands.0.lift_interval.high",
		"bands.0.calibrated_interval.low", "bands.1.win_rate_low", "rules.0.joint.low", "rules.0.joint.high", "rules.1.iv_interval.low", "capacity.curve.2.expected_won_per_period_interval.high",
		"capacity.at_threshold.win_rate_interval.low", "capacity.current.leads_per_period_interval.high", "capacity.weekly.2.crossed", "capacity.weekly.0.sales_ready", "capacity.trend.p",
		"suggestion.rules.0.coefficient_interval.low", "suggestion.heldout.difference_low", "suggestion.heldout.current_sales_ready.precision_interval.high", "suggestion.suggested_handoffs_per_week",
		"verdict_view.acceptance_rate_interval.low", "verdict_view.recall_interval.high", "verdict_view.waiting", "min_won"} {
		assert.Contains(t, seen, path)
	}
	for _, path := range []string{"bands.1.calibrated_win_probability", "bands.1.calibrated_interval", "rules.2.joint", "rules.2.q", "suggestion.rules.2.coefficient", "suggestion.rules.2.coefficient_interval",
		"suggestion.heldout.suggested_sales_ready.precision", "suggestion.heldout.current_sales_ready.recall_interval"} {
		assert.Equal(t, "—", seen[path], "%s is null: —, never 0", path)
	}
	assert.Contains(t, page, `<td class="iv"><span class="n" data-path="rules.0.joint.low" data-value="0.93" data-format="dec2">0.93</span> to <span class="n" data-path="rules.0.joint.high" data-value="3.33" data-format="dec2">3.33</span></td>`)
	assert.Contains(t, page, `<td>&lt; 0.001</td>`, "a q under 0.001 in words")

	// Each rule's verdict: the word, in its badge; the chart draws the two
	// rules with a joint fit, coloured by verdict.
	assert.Contains(t, page, `<td><span class="badge b-predictive">predictive</span></td>`)
	assert.Contains(t, page, `<td><span class="badge b-too-little-data">too little data</span></td>`)
	assert.Equal(t, 2, strings.Count(page, `<circle cx=`)-3, "two rules drawn (and three weekly points; the weekly win rates of sales-ready leads have none to draw: no sales-ready leads)")

	// Capacity: the weekly crossings as bars, the current definition's
	// hand-offs as a line, the trend in words; the control still there.
	assert.Contains(t, page, `aria-label="Leads crossing total 10 each week, and the current definition&#39;s hand-offs"`)
	assert.Contains(t, tags.ReplaceAllString(page, ""), "Trend of the crossings at total 10: 22.0% a week (95%: -5.0% to 57.0%; a factor of 1.220 a week, 0.950 to 1.570), p = 0.120: no trend beyond noise.")
	assert.Contains(t, page, `id="capacity-slider" type="range" min="0" max="2" step="1" value="1"`)

	// The calibration, withheld, says so where it would be.
	assert.Contains(t, page, `<h3>Calibration</h3>`+"\n"+`<p class="lead">Calibration withheld: the backtest has 8 won deals`)
	// The suggestion: decision, held-out comparison, points with notes.
	assert.Contains(t, page, `<li>Decision: <span class="badge b-inconclusive">inconclusive</span>: the held-out leads cannot tell the two apart.</li>`)
	assert.Contains(t, page, `<td>fired on 2 training leads, fewer than 10</td>`)
	assert.Contains(t, page, `<section id="verdicts">`)
	assert.Contains(t, page, "No judged hand-off was rejected or recycled with a reason")
}

// A suggestion withheld says why, and shows no held-out comparison.
func TestSuggestionWithheld(t *testing.T) {
	r := answersReport()
	s := r.Suggestion
	s.Withheld = "the leads fitted on have 5 won deals; fitting points needs at least 20 (--min-won)"
	s.Decision, s.Why, s.Scale = backtest.Inconclusive, s.Withheld, nil
	s.HeldOut = backtest.HeldOut{Leads: 40, Won: 3}
	for i := range s.Rules {
		s.Rules[i].Coefficient, s.Rules[i].Interval, s.Rules[i].Kept = nil, nil, "withheld"
	}
	page := render(t, r)
	checkNumbers(t, page, r)
	assert.Contains(t, page, "<li>Withheld: the leads fitted on have 5 won deals; fitting points needs at least 20 (--min-won). The proposed file is not written.</li>")
	assert.NotContains(t, page, "Held-out leads: current against suggested points")
	assert.NotContains(t, page, "Each rule&#39;s points, current and suggested", "no chart of points nobody fitted")
}

// The evidence rows are laid out from the JSON's fields, whatever they
// are: here read from JSON, so that the test follows feedback.Evidence as
// it changes; every number is the JSON's, reason and rule come first.
func TestEvidenceRowsFollowTheJSON(t *testing.T) {
	r := answersReport()
	require.NoError(t, json.Unmarshal([]byte(`[
		{"reason": "too_small", "rule": "fit.mid-market", "contradicted": true, "leads": 14, "fired": 9, "population": 53, "population_fired": 31,
		 "share": 0.6428571428571429, "population_share": 0.5849056603773585, "lift": 1.099078341013825, "suspect": false},
		{"reason": "not_icp", "rule": "fit.industry", "contradicted": true, "leads": 13, "fired": 7, "population": 53, "population_fired": 35,
		 "share": 0.5384615384615384, "population_share": 0.660377358490566, "lift": null, "suspect": true}]`), &r.Verdicts.Evidence))
	page := render(t, r)
	seen := checkNumbers(t, page, r)
	tables := regexp.MustCompile(`(?s)<table[^>]*>.*?</table>`).FindAllString(page[strings.Index(page, `<section id="verdicts">`):], -1)
	ev := tables[len(tables)-1]
	assert.Regexp(t, `^<table data-sort data-print-rows="\d+">\s*(<caption>[^<]*</caption>\s*)?<thead><tr><th scope="col">reason</th><th scope="col">rule</th>`, ev)
	assert.Contains(t, ev, `<tr><td>too_small</td><td>fit.mid-market</td>`)
	assert.Contains(t, ev, `<tr><td>not_icp</td><td>fit.industry</td>`)
	js, err := json.Marshal(r.Verdicts.Evidence)
	require.NoError(t, err)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(js, &rows))
	for i, row := range rows {
		for k, v := range row {
			switch v.(type) {
			case float64, nil:
				assert.Contains(t, seen, "verdict_view.evidence."+strconv.Itoa(i)+"."+k, "every number of the JSON is shown")
			}
		}
	}
	if _, ok := rows[1]["lift"]; ok {
		assert.Equal(t, "—", seen["verdict_view.evidence.1.lift"])
	}
	if _, ok := rows[0]["share"]; ok {
		assert.Equal(t, "64.3%", seen["verdict_view.evidence.0.share"], "a share as a percentage")
	}
}

var columnRE = regexp.MustCompile(`<rect x="([0-9.]+)" y="([0-9.]+)" width="([0-9.]+)" height="([0-9.]+)" fill="#0072B2"><title>([^<]*)</title>`)

// A weekly column's height is proportional to its value, from one base.
func TestColumnsAreProportional(t *testing.T) {
	svg := string(htmlreport.Columns{Title: "t", Labels: []string{"a", "b", "c"}, Bars: []float64{10, 25, 40}, BarName: "crossed", Line: []float64{1, 2, 3}, LineName: "ready", Format: "int"}.SVG())
	cols := columnRE.FindAllStringSubmatch(svg, -1)
	require.Len(t, cols, 3)
	var base, h []float64
	for _, c := range cols {
		y, _ := strconv.ParseFloat(c[2], 64)
		height, _ := strconv.ParseFloat(c[4], 64)
		base, h = append(base, y+height), append(h, height)
	}
	assert.InDelta(t, base[0], base[1], 0.02)
	assert.InDelta(t, base[0], base[2], 0.02)
	assert.InDelta(t, 2.5, h[1]/h[0], 0.01)
	assert.InDelta(t, 4.0, h[2]/h[0], 0.01)
	assert.Equal(t, "b, crossed: 25", cols[1][5])
	assert.Equal(t, 3, strings.Count(svg, "<circle "), "a point of the line each period")
}

// Verdicts on leads the definition never handed over are read, stand
// outside the rates, and the page says how many (as the text report does).
func TestFeedbackCountsVerdictsOutsideTheRates(t *testing.T) {
	r := &feedback.Report{Model: "m", Leads: 100, NotHandedOff: 40}
	var b bytes.Buffer
	require.NoError(t, (&htmlreport.Page{Title: "t", Sections: []htmlreport.Section{htmlreport.FeedbackSection(r, "")}}).Render(&b))
	page := b.String()
	assert.True(t, strings.Contains(page, `<ul class="summary"><li><span class="n" data-path="dispositioned_not_sales_ready" data-value="40" data-format="int">40</span> more leads have verdicts but never became sales-ready: not in the rates.</li>`), "the summary says how many verdicts stand outside the rates")
	assert.True(t, strings.Contains(page, `<td>verdicts on leads never sales-ready (not in the rates)</td><td class="n" data-path="dispositioned_not_sales_ready" data-value="40" data-format="int">40</td>`), "the verdicts table counts them")
	r.NotHandedOff = 0
	b.Reset()
	require.NoError(t, (&htmlreport.Page{Title: "t", Sections: []htmlreport.Section{htmlreport.FeedbackSection(r, "")}}).Render(&b))
	assert.NotContains(t, b.String(), "never became sales-ready")
}

// Column labels never overlap: long labels (dates) are drawn every few
// columns, at least a label's width apart; short ones on every column.
func TestColumnLabelsDoNotOverlap(t *testing.T) {
	for _, c := range []struct {
		label func(i int) string
		n     int
		all   bool
	}{{func(i int) string { return fmt.Sprintf("2026-05-%02d", i+1) }, 26, false}, {func(i int) string { return fmt.Sprint(i) }, 13, true}} {
		var labels []string
		var bars []float64
		for i := 0; i < c.n; i++ {
			labels, bars = append(labels, c.label(i)), append(bars, float64(i))
		}
		svg := string(htmlreport.Columns{Title: "t", Labels: labels, Bars: bars, BarName: "b", Format: "int"}.SVG())
		var xs [][]string
		for _, m := range regexp.MustCompile(`<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">([^<]*)</text>`).FindAllStringSubmatch(svg, -1) {
			if slices.Contains(labels, m[2]) {
				xs = append(xs, m)
			}
		}
		require.Greater(t, len(xs), 2)
		if c.all {
			assert.Len(t, xs, len(labels))
		}
		for i := 1; i < len(xs); i++ {
			a, _ := strconv.ParseFloat(xs[i-1][1], 64)
			b, _ := strconv.ParseFloat(xs[i][1], 64)
			assert.GreaterOrEqual(t, b-a, 6.5*float64(len(labels[len(labels)-1])), "labels %q apart by %.1f px", labels[0], b-a)
		}
	}
}

// --currency names the money's currency beside every amount: in money
// columns' heads, money tiles' labels, after each amount of a sentence,
// and in the first cell of a row of mixed measures. Without it, the
// subtitle says the money is in the data's own currency.
func TestCurrencyIsNamedBesideEveryAmount(t *testing.T) {
	page := func(currency string) string {
		p := &htmlreport.Page{Title: "t", Currency: currency,
			Summary: &htmlreport.Summary{Tiles: []htmlreport.Tile{{KPI: "missed", Label: "Won revenue it missed", Value: htmlreport.Number("missed", 1051900, "money"),
				Detail: htmlreport.Sentence{htmlreport.Text("worth "), htmlreport.Number("won", 300, "money")}}},
				Changes: []htmlreport.Finding{{Kind: "threshold", Line: htmlreport.Sentence{htmlreport.Text("it misses 22 won deals worth "), htmlreport.Number("missed", 1051900, "money"), htmlreport.Text(".")}}}},
			Sections: []htmlreport.Section{{ID: "s", Title: "S", Blocks: []htmlreport.Block{
				{Title: "measures", Table: &htmlreport.Table{Head: []string{"measure", "value"}, Rows: []htmlreport.Row{
					{Cells: []htmlreport.Cell{htmlreport.Text("won"), htmlreport.Int("won_n", 25)}},
					{Cells: []htmlreport.Cell{htmlreport.Text("their revenue"), htmlreport.Number("rev", 32300, "money")}}}}},
				{Title: "costs", Table: &htmlreport.Table{Head: []string{"campaign", "cost"}, Rows: []htmlreport.Row{{Cells: []htmlreport.Cell{htmlreport.Text("a"), htmlreport.Number("cost", 10, "money")}}}}},
			}}}}
		var b bytes.Buffer
		require.NoError(t, p.Render(&b))
		return b.String()
	}
	eur := page("EUR")
	for _, want := range []string{
		`<div class="label">Won revenue it missed (EUR)</div>`,
		`data-format="money">1,051,900</span> EUR.</li>`,
		`data-format="money">300</span> EUR</div>`,
		`<td>their revenue (EUR)</td>`,
		`<td>won</td>`,
		`<th scope="col">cost (EUR)</th>`,
	} {
		assert.True(t, strings.Contains(eur, want), "the page has no %q", want)
	}
	assert.NotContains(t, eur, "data's own currency")
	plain := page("")
	assert.Contains(t, plain, "Money is in the data&#39;s own currency (--currency names it).")
	assert.Contains(t, plain, `<td>their revenue</td>`)
	assert.NotContains(t, plain, "</span> EUR")
}
