package main

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The HTML funnel of attribute (journeys built with sales' dispositions)
// shows each step's rate with both ends of its 95% interval, the very
// numbers of the JSON report, accepted by sales among the steps; each
// rate's base, in the "over" column, is JSON's "of"; and every format's
// note names the base each rate is over, as "of" counts it (then
// opportunity over the sales-ready, not over the accepted).
func TestAttributeFunnelIntervalsAndBases(t *testing.T) {
	args := []string{"attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"),
		"--costs", td("costs.csv"), "--dispositions", td("dispositions.csv"), "--at", "2026-10-01"}
	code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var rep struct {
		Total struct {
			Funnel map[string]float64 `json:"funnel"`
			Rates  map[string]struct {
				Of   int     `json:"of"`
				Rate float64 `json:"rate"`
				Low  float64 `json:"rate_low"`
				High float64 `json:"rate_high"`
			} `json:"funnel_rates"`
		} `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &rep))
	f, rs := rep.Total.Funnel, rep.Total.Rates
	require.Contains(t, rs, "sales_accepted")
	// The bases as the note words them.
	assert.Equal(t, int(f["touched"]), rs["sales_ready"].Of)
	assert.Equal(t, int(f["sales_ready"]), rs["sales_accepted"].Of)
	assert.Equal(t, int(f["sales_ready"]), rs["opportunity"].Of)
	assert.Equal(t, int(f["sales_ready_opportunities"]), rs["won"].Of)
	assert.InDelta(t, f["sales_ready_opportunities"]/f["sales_ready"], rs["opportunity"].Rate, 1e-12)

	code, page, errOut := leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, page, "(95%: )")
	pct := func(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }
	for _, step := range []string{"sales_ready", "sales_accepted", "opportunity", "won"} {
		s := rs[step]
		re := regexp.MustCompile(`>([0-9.]+%)</span> \(95%: <span class="n" data-path="total\.funnel_rates\.` + step + `\.rate_low" data-value="([^"]+)"[^>]*>([^<]+)</span> to <span class="n" data-path="total\.funnel_rates\.` + step + `\.rate_high" data-value="([^"]+)"[^>]*>([^<]+)</span>\)`)
		m := re.FindStringSubmatch(page)
		require.NotNil(t, m, "the %s rate and its interval in the HTML", step)
		assert.Equal(t, []string{pct(s.Rate), fmt.Sprint(s.Low), pct(s.Low), fmt.Sprint(s.High), pct(s.High)}, m[1:], step)
		assert.Regexp(t, `data-path="total\.funnel_rates\.`+step+`\.of" data-value="`+strconv.Itoa(s.Of)+`"`, page, step)
	}
	assert.Contains(t, page, ">accepted by sales<")

	const bases = "Each funnel rate is over its base: sales-ready over the leads touched (the total's over all leads, (no touch)'s over those with no touch before their conversion), accepted by sales over the sales-ready, then opportunity over the sales-ready too (accepted or not), then won over those opportunities"
	assert.Contains(t, page, html.EscapeString(bases))
	for _, format := range []string{"table", "markdown"} {
		code, out, errOut := leadscore(t, "", append(args, "--format", format)...)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, bases, format)
		assert.NotContains(t, out, "passed the step before", format)
	}
}
