package htmlreport_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/internal/htmlreport"
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
	r := &backtest.Report{Model: "m", Capacity: &backtest.CapacityReport{Capacity: 40, Unit: "week", On: "total", Threshold: ptr(20), Curve: curve}}
	var b bytes.Buffer
	require.NoError(t, (&htmlreport.Page{Title: "t", Sections: htmlreport.BacktestSections(r, "")}).Render(&b))
	html := b.String()
	assert.Contains(t, html, `id="capacity-slider" type="range" min="0" max="2" step="1" value="2"`)
	xs := regexp.MustCompile(`<tr data-x="([0-9.]+)">`).FindAllStringSubmatch(html, -1)
	require.Len(t, xs, 3)
	x0, _ := strconv.ParseFloat(xs[0][1], 64)
	x1, _ := strconv.ParseFloat(xs[1][1], 64)
	x2, _ := strconv.ParseFloat(xs[2][1], 64)
	assert.InDelta(t, x1-x0, x2-x1, 0.02, "evenly spaced thresholds, evenly spaced marks")
	assert.Contains(t, html, `<line id="capacity-marker" x1="`+xs[2][1]+`"`, "the marker starts at the threshold")
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
