package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The review's zero-baseline straight response (issue 34,
// testdata/mix/zerobase): rival curves the held-out weeks cannot tell
// from the chosen ones put tv's return on both sides of break-even, so
// tv's verdict is withheld, and the warning (curves_disagree) reaches
// every format: stderr always, the text and Markdown warnings, the JSON's
// warnings with its kind and channels, the HTML page.
func TestMixCurvesDisagreeEveryFormat(t *testing.T) {
	args := []string{"mix", "--spend", td("mix/zerobase/spend.csv"), "--kpi", td("mix/zerobase/kpi.csv"), "--bootstrap", "40"}
	const msg = "the held-out weeks cannot choose the curves: "
	for _, format := range []string{"text", "markdown", "json", "csv", "html"} {
		code, out, errOut := leadscore(t, "", append(args, "--format", format)...)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, errOut, "leadscore mix: warning (curves_disagree): "+msg, format)
		assert.Contains(t, errOut, "so the verdicts that change with the choice (tv) are withheld", format)
		switch format {
		case "text":
			assert.Contains(t, out, "\nWarnings\n  "+msg)
			assert.Contains(t, out, "tv: no verdict: curves that predict the held-out weeks as well give ROAS ")
			assert.NotContains(t, out, "does not pay back")
		case "markdown", "html":
			assert.Contains(t, out, msg, format)
			assert.Contains(t, out, "tv: no verdict: curves that predict the held-out weeks as well", format)
		case "json":
			var r struct {
				Channels []struct {
					Name, Verdict, Reason string
					Saturation            struct{ Linear bool }
				}
				Warnings []struct {
					Kind     string
					Channels []string
				}
			}
			require.NoError(t, json.Unmarshal([]byte(out), &r))
			found := false
			for _, w := range r.Warnings {
				if w.Kind == "curves_disagree" {
					found = true
					assert.Equal(t, []string{"tv"}, w.Channels)
				}
			}
			assert.True(t, found, "a curves_disagree warning in the JSON")
			for _, c := range r.Channels {
				if c.Name == "tv" {
					assert.Equal(t, "withheld", c.Verdict)
					assert.True(t, strings.HasPrefix(c.Reason, "curves that predict"), c.Reason)
					assert.True(t, c.Saturation.Linear, "a straight response fits the straight truth")
				}
			}
		case "csv":
			assert.True(t, strings.HasPrefix(out, "week,kpi,fitted,baseline,"), out[:40])
			assert.NotContains(t, out, "warning")
		}
	}
}
