package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mixJourneys are the journeys behind the bundled attribution example
// (testdata/mix/journeys.ndjson): 400 leads of 2025 touched by the mix
// example's channels as trackers see them. Social ads open most journeys,
// search closes most, and TV, whose touches are hardly tracked (a vanity
// URL), appears on few: the pattern that makes attribution and a mix
// model disagree.
func mixJourneys() []byte {
	rng := rand.New(rand.NewPCG(34, 3))
	pick := func(weights map[string]float64) string {
		u := rng.Float64()
		for _, ch := range []string{"search", "social", "tv"} {
			if u < weights[ch] {
				return ch
			}
			u -= weights[ch]
		}
		return "search"
	}
	campaign := map[string]string{"search": "brand-search", "social": "paid-social", "tv": "tv-vanity-url"}
	start := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	for i := 1; i <= 400; i++ {
		created := start.Add(time.Duration(rng.IntN(300*24)) * time.Hour)
		j := attribution.Journey{ID: fmt.Sprintf("J%04d", i), Milestones: map[string]time.Time{attribution.LeadCreated: created}}
		at := created
		for k, n := 0, 1+rng.IntN(4); k < n; k++ {
			w := map[string]float64{"search": 0.65, "social": 0.27, "tv": 0.08}
			if k == 0 {
				w = map[string]float64{"search": 0.30, "social": 0.55, "tv": 0.15}
			}
			ch := pick(w)
			j.Touches = append(j.Touches, attribution.Touch{At: at, Campaign: campaign[ch], Channel: ch})
			at = at.Add(time.Duration(24+rng.IntN(14*24)) * time.Hour)
		}
		if rng.Float64() < 0.3 {
			j.Converted = true
			j.Revenue = float64(100 * (100 + rng.IntN(200)))
			j.Milestones[attribution.Opportunity] = at
			j.Milestones[attribution.Won] = at.Add(30 * 24 * time.Hour)
		}
		line, err := json.Marshal(j)
		if err != nil {
			panic(err)
		}
		b.Write(append(line, '\n'))
	}
	return b.Bytes()
}

var mixAttributionArgs = []string{"attribute", "--journeys", td("mix/journeys.ndjson"), "--models", "first_touch,last_touch,linear,position_based", "--format", "json"}

// The bundled attribution example is mixJourneys, and attribution.json is
// what leadscore attribute writes of them: go test ./cmd/leadscore -run
// TestMixAttributionExample -update rewrites both.
func TestMixAttributionExample(t *testing.T) {
	path := td("mix/journeys.ndjson")
	if *update {
		require.NoError(t, os.WriteFile(path, mixJourneys(), 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(mixJourneys()), string(got), "go test ./cmd/leadscore -run TestMixAttributionExample -update")
	code, out, errOut := leadscore(t, "", mixAttributionArgs...)
	require.Equal(t, exitOK, code, errOut)
	apath := td("mix/attribution.json")
	if *update {
		require.NoError(t, os.WriteFile(apath, []byte(out), 0o644))
	}
	want, err := os.ReadFile(apath)
	require.NoError(t, err)
	assert.Equal(t, string(want), out, "go test ./cmd/leadscore -run TestMixAttributionExample -update")
}

var mixCalibratedArgs = append(mixArgs[:len(mixArgs):len(mixArgs)], "--lift-tests", td("mix/lifts.csv"), "--attribution", td("mix/attribution.json"),
	"--attribution-from", "2025-01-06", "--attribution-until", "2025-11-30")

// The report with the bundled lift tests and attribution is
// testdata/mix/report-calibrated.txt (go test ./cmd/leadscore -run
// TestMixCalibratedGolden -update), and the guide shows it.
func TestMixCalibratedGolden(t *testing.T) {
	code, out, errOut := leadscore(t, "", mixCalibratedArgs...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "../../testdata/mix/lifts.csv: 2 rows in: 2 read, 0 failed\n")
	assert.Contains(t, errOut, "lift tests: 2 read = 2 used + 0 left out\n")
	path := td("mix/report-calibrated.txt")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), out, "go test ./cmd/leadscore -run TestMixCalibratedGolden -update")
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guide", "mix.md"))
	require.NoError(t, err)
	assert.Contains(t, string(guide), "```\n"+string(want)+"```\n", "paste testdata/mix/report-calibrated.txt into docs/guide/mix.md")
}

// The JSON of the comparison: each channel's mix share as {value, low,
// high}, its attribution share by model, the models that disagree. The
// attribution shares are each model's credit of the channel over that of
// the compared channels, recomputed here from attribution.json, with
// Wilson's interval solved here as the roots of a quadratic; a model
// disagrees exactly when the two intervals do not overlap; the periods
// compared are those given.
// The calibration's JSON has each test with before and after.
func TestMixComparisonJSON(t *testing.T) {
	code, out, errOut := leadscore(t, "", append(mixCalibratedArgs, "--format", "json", "--bootstrap", "40")...)
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		Channels   []struct{ Name string } `json:"channels"`
		Comparison []struct {
			Channel     string             `json:"channel"`
			MixShare    map[string]float64 `json:"mix_share"`
			Attribution map[string]float64 `json:"attribution"`
			Disagrees   []string           `json:"disagrees"`
			ByModel     []struct {
				Model       string             `json:"model"`
				Share       map[string]float64 `json:"share"`
				Conversions float64            `json:"conversions"`
				Disagrees   bool               `json:"disagrees"`
				Withheld    string             `json:"withheld"`
			} `json:"by_model"`
		} `json:"comparison"`
		Measure     string         `json:"comparison_measure"`
		Period      map[string]any `json:"comparison_period"`
		Calibration []struct {
			Channel      string             `json:"channel"`
			Test         map[string]float64 `json:"test"`
			Before       map[string]float64 `json:"before"`
			After        map[string]float64 `json:"after"`
			AgreesBefore *bool              `json:"agrees_before"`
			Line         int                `json:"line"`
		} `json:"calibration"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "revenue", doc.Measure)
	require.Len(t, doc.Comparison, 3)

	var attr struct {
		Models   []string `json:"models"`
		Channels []struct {
			Name   string `json:"name"`
			Credit []struct {
				Revenue     float64 `json:"revenue"`
				Conversions float64 `json:"conversions"`
			} `json:"credit"`
		} `json:"channels"`
	}
	raw, err := os.ReadFile(td("mix/attribution.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &attr))
	assert.Equal(t, map[string]any{"mix_from": "2025-01-06", "mix_to": "2025-11-30", "mix_weeks": 47.0, "attribution_from": "2025-01-06", "attribution_until": "2025-11-30"}, doc.Period)
	for m, model := range attr.Models {
		total, convs := 0.0, 0.0
		for _, ch := range attr.Channels {
			total += ch.Credit[m].Revenue
			convs += ch.Credit[m].Conversions
		}
		sum := 0.0
		for _, c := range doc.Comparison {
			require.Len(t, c.ByModel, len(attr.Models))
			bm := c.ByModel[m]
			assert.Equal(t, model, bm.Model)
			for _, ch := range attr.Channels {
				if ch.Name == c.Channel {
					p := ch.Credit[m].Revenue / total
					assert.InDelta(t, p, c.Attribution[model], 1e-12, "%s %s", c.Channel, model)
					assert.InDelta(t, p, bm.Share["value"], 1e-12, "%s %s", c.Channel, model)
					assert.Equal(t, ch.Credit[m].Conversions, bm.Conversions)
					// Wilson's interval, written out here: the roots in p
					// of (p̂ - p)² = z² p(1 - p)/n.
					z := 1.959963984540054
					a, b, cc := 1+z*z/convs, -(2*p + z*z/convs), p*p
					lo, hi := (-b-math.Sqrt(b*b-4*a*cc))/(2*a), (-b+math.Sqrt(b*b-4*a*cc))/(2*a)
					assert.InDelta(t, lo, bm.Share["low"], 1e-9, "%s %s", c.Channel, model)
					assert.InDelta(t, hi, bm.Share["high"], 1e-9, "%s %s", c.Channel, model)
				}
			}
			sum += c.Attribution[model]
			apart := bm.Share["high"] < c.MixShare["low"] || bm.Share["low"] > c.MixShare["high"]
			assert.Equal(t, apart, contains(c.Disagrees, model), "%s %s", c.Channel, model)
			assert.Equal(t, apart, bm.Disagrees, "%s %s", c.Channel, model)
			assert.Empty(t, bm.Withheld, "%v conversions are enough", convs)
		}
		assert.InDelta(t, 1, sum, 1e-12, model)
	}
	mixSum := 0.0
	for _, c := range doc.Comparison {
		mixSum += c.MixShare["value"]
		assert.LessOrEqual(t, c.MixShare["low"], c.MixShare["value"])
		assert.LessOrEqual(t, c.MixShare["value"], c.MixShare["high"])
	}
	assert.InDelta(t, 1, mixSum, 1e-12)

	require.Len(t, doc.Calibration, 2)
	assert.Equal(t, "tv", doc.Calibration[0].Channel)
	assert.Equal(t, 2, doc.Calibration[0].Line)
	for _, c := range doc.Calibration {
		for _, iv := range []map[string]float64{c.Test, c.Before, c.After} {
			assert.Len(t, iv, 3)
		}
		require.NotNil(t, c.AgreesBefore)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Channels are matched regardless of case; a channel in one and not the
// other is named, with a did-you-mean, and left out of the comparison,
// whose shares are among the channels both name; no channel in common
// stops the run.
func TestMixAttributionChannels(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(td("mix/attribution.json"))
	require.NoError(t, err)
	renamed := strings.NewReplacer(`"name":"tv"`, `"name":"TV"`, `"name":"social"`, `"name":"paid_social"`).Replace(string(raw))
	require.NotEqual(t, string(raw), renamed)
	ap := filepath.Join(dir, "attribution.json")
	require.NoError(t, os.WriteFile(ap, []byte(renamed), 0o644))
	code, out, errOut := leadscore(t, "", append(mixArgs, "--attribution", ap, "--bootstrap", "20", "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, `leadscore mix: --attribution: social is a mix-model channel that the attribution does not credit (is it "paid_social" there?): its touches may not be tracked, or it is named otherwise there; it is left out of the comparison`+"\n")
	assert.Contains(t, errOut, `leadscore mix: --attribution: paid_social is credited by the attribution but has no spend in the spend file (is it "social" there?); it is left out of the comparison`+"\n")
	var doc struct {
		Comparison []struct{ Channel string } `json:"comparison"`
		Notes      []string                   `json:"comparison_notes"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Comparison, 2)
	assert.Equal(t, "search", doc.Comparison[0].Channel)
	assert.Equal(t, "tv", doc.Comparison[1].Channel, "TV in the attribution is tv")
	assert.Len(t, doc.Notes, 3)
	assert.Contains(t, doc.Notes[2], "the attribution report does not say which days its journeys span, so the mix shares are over all the model's weeks (2023-01-02 to 2025-12-28)")

	none := strings.NewReplacer(`"name":"tv"`, `"name":"radio"`, `"name":"social"`, `"name":"print"`, `"name":"search"`, `"name":"email"`).Replace(string(raw))
	require.NoError(t, os.WriteFile(ap, []byte(none), 0o644))
	code, _, errOut = leadscore(t, "", append(mixArgs, "--attribution", ap, "--bootstrap", "20")...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "no channel of the attribution (")
	assert.Contains(t, errOut, ") is a channel of the spend file (search, social, tv); name them alike (case does not matter)\n")
}

// A file that is not attribute's JSON is refused before the fit, with
// its position.
func TestMixAttributionBadFile(t *testing.T) {
	dir := t.TempDir()
	ap := filepath.Join(dir, "a.json")
	for _, c := range []struct{ content, want string }{
		{"{\"models\": [\"linear\"],\n \"channels\": [x]}", ap + `:2:15: invalid character 'x' looking for beginning of value; the file is not the JSON that leadscore attribute --format json writes`},
		{`{"models": "linear"}`, ap + `:1:19: "models" holds a JSON string where the attribution report has a list [...]; the file is not the JSON that leadscore attribute --format json writes`},
		{`[1, 2]`, ap + `:1:1: the file holds a JSON array where the attribution report has an object {...}; the file is not the JSON that leadscore attribute --format json writes`},
		{`{"models": ["a"], "channels": [{"name": "tv", "credit": [{"conversions": 3}]}]}`, ap + `: channel "tv" has no revenue (or value) credited under a, and the KPI is money`},
		{`{"models": ["a", "b"], "channels": [{"name": "tv", "credit": [{"conversions": 3, "revenue": 5}, {"conversions": 3}]}]}`, ap + `: channel "tv" has no revenue (or value) credited under b`},
		{`{"models": ["a"], "channels": [{"name": "tv", "credit": [{"conversions": 3, "revenue": -5}]}]}`, ap + `: channel "tv" is credited -5 revenue under a; credit cannot be negative`},
		{`{"models": ["a"], "channels": [{"name": "tv", "credit": [{"conversions": 3, "revenue": 5}]}, {"name": "tv", "credit": [{"conversions": 1, "revenue": 2}]}]}`, ap + `: channel "tv" is listed twice`},
		{`{"models": ["a", "b"], "channels": [{"name": "tv", "credit": [{"revenue": 1}]}]}`, ap + `: channel "tv" has credit under 1 models, the report names 2 (a, b)`},
		{`{}`, ap + " has no models or no channels"},
	} {
		require.NoError(t, os.WriteFile(ap, []byte(c.content), 0o644))
		code, out, errOut := leadscore(t, "", append(mixArgs, "--attribution", ap)...)
		assert.Equal(t, exitUsage, code, c.content)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "leadscore mix: --attribution: "+c.want, c.content)
	}
}

// Lift-test rows that fail are named with their line; tests the fit cannot
// use are named too, with their line, and left out; the counts reconcile
// and the exit status is 1; the report is made from the rest.
func TestMixLiftTestRows(t *testing.T) {
	dir := t.TempDir()
	lp := filepath.Join(dir, "lifts.csv")
	lifts, err := os.ReadFile(td("mix/lifts.csv"))
	require.NoError(t, err)
	content := string(lifts) +
		"serach,2024-08-12,2024-11-03,1000,800,1200\n" +
		"search,2021-01-04,2021-02-28,1000,800,1200\n" +
		"search,2024-08-12,2024-11-03,1000,1200,800\n"
	require.NoError(t, os.WriteFile(lp, []byte(content), 0o644))
	code, out, errOut := leadscore(t, "", append(mixArgs, "--lift-tests", lp, "--bootstrap", "20")...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, lp+": 5 rows in: 4 read, 1 failed\n")
	assert.Contains(t, errOut, lp+":6: incremental_kpi 1000 is not between low 1200 and high 800; give the test's result and its 95% interval around it\n")
	assert.Contains(t, errOut, lp+`:4: channel "serach" is not in the spend data (its channels are search, social, tv); did you mean "search"?; it is left out of the fit`+"\n")
	assert.Contains(t, errOut, lp+":5: it ran 2021-01-04 to 2021-02-28, not all within the data's weeks (2023-01-02 to 2025-12-28); it is left out of the fit\n")
	assert.Contains(t, errOut, "lift tests: 4 read = 2 used + 2 left out (each named above)\n")
	assert.Contains(t, out, "calibrated by 2 lift tests")
	assert.Contains(t, out, `the lift test on line 4: channel "serach" is not in the spend data`, "the report's warnings say it too")

	// A file with only its header read no test: said so, exit status 1,
	// no report, as for a KPI file with no week.
	require.NoError(t, os.WriteFile(lp, []byte("channel,start,end,incremental_kpi,low,high\n"), 0o644))
	code, out, errOut = leadscore(t, "", append(mixArgs, "--lift-tests", lp, "--bootstrap", "20")...)
	assert.Equal(t, exitProblem, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "leadscore mix: "+lp+" has no lift test, only its header (or nothing): no test was read; give one row per test, or leave out --lift-tests for an uncalibrated fit\n")
}

// readAttribution reads both shapes attribute writes: journeys (a row's
// name, revenue) with its data-driven part, and paths (channel, value);
// revenue or value for a KPI of money, conversions otherwise; a model
// named in both parts is told apart by its part. matchAttribution leaves
// "(no touch)" out with a note of its own.
func TestReadAttributionShapes(t *testing.T) {
	dir := t.TempDir()
	journeys := filepath.Join(dir, "j.json")
	require.NoError(t, os.WriteFile(journeys, []byte(`{"models":["linear"],"channels":[
		{"name":"tv","credit":[{"conversions":2,"revenue":300}]},{"name":"(no touch)","credit":[{"conversions":1,"revenue":50}]}],
		"data_driven":{"models":["linear","shapley"],"channels":[{"channel":"tv","credit":[{"channel":"tv","conversions":1.5,"value":200},{"channel":"tv","conversions":1,"value":120}]},
		{"channel":"search","credit":[{"channel":"search","conversions":0.5,"value":100},{"channel":"search","conversions":1,"value":180}]}]}}`), 0o644))
	ac, err := readAttribution(journeys, true)
	require.NoError(t, err)
	assert.Equal(t, "revenue", ac.measure)
	assert.Equal(t, []string{"linear", "data_driven:linear", "shapley"}, ac.models)
	assert.Equal(t, []string{"tv", "(no touch)", "search"}, ac.channels)
	assert.Equal(t, [][]float64{{300, 200, 120}, {50, 0, 0}, {0, 100, 180}}, ac.credit)
	ac, err = readAttribution(journeys, false)
	require.NoError(t, err)
	assert.Equal(t, "conversions", ac.measure)
	assert.Equal(t, [][]float64{{2, 1.5, 1}, {1, 0, 0}, {0, 0.5, 1}}, ac.credit)

	names, at, notes, err := matchAttribution([]string{"search", "tv"}, ac)
	require.NoError(t, err)
	assert.Equal(t, []string{"search", "tv"}, names)
	assert.Equal(t, []int{2, 0}, at)
	assert.Equal(t, []string{"(no touch) is the conversions with no touch the attribution could credit; they are left out of the comparison, as the mix model's baseline holds them"}, notes)
}

// Names from the data are written as they are in Markdown: a pipe does not
// split a cell, raw HTML is not rendered, and every row of a table has the
// header's number of cells. In HTML, a model named with a dot keeps its
// number's path, which is by index.
func TestMixMarkdownAndHTMLEscapeNames(t *testing.T) {
	assert.Equal(t, `a\|b &lt;i&gt;x&lt;/i&gt; \*y\* \_z\_ \\`, mdCell(`a|b <i>x</i> *y* _z_ \`))
	dir := t.TempDir()
	raw, err := os.ReadFile(td("mix/attribution.json"))
	require.NoError(t, err)
	odd := strings.NewReplacer(`"linear"`, `"lin|ear <b>v2</b>"`, `"last_touch"`, `"last.touch"`).Replace(string(raw))
	ap := filepath.Join(dir, "attribution.json")
	require.NoError(t, os.WriteFile(ap, []byte(odd), 0o644))
	args := append(mixArgs, "--attribution", ap, "--bootstrap", "20")
	code, out, errOut := leadscore(t, "", append(args, "--format", "markdown")...)
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, out, "<b>")
	assert.Contains(t, out, `lin\|ear &lt;b&gt;v2&lt;/b&gt;`)
	cellsOf := func(row string) int { return len(strings.Split(strings.ReplaceAll(row, `\|`, ""), "|")) - 2 }
	var head int
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "| ") {
			head = 0
			continue
		}
		if head == 0 {
			head = cellsOf(l)
			continue
		}
		if !strings.HasPrefix(l, "|---") {
			assert.Equal(t, head, cellsOf(l), l)
		}
	}
	code, page, errOut := leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	checkPage(t, page, js, 1000)
	assert.Contains(t, page, `data-path="comparison.0.by_model.1.share.value"`)
}

// A channel with no spend has no return: ROAS, ROI and marginal ROAS are
// null in JSON and — in text, and the comparison gives it no verdict
// beside attribution, whose credit for it is no evidence against a share
// that is zero by construction.
func TestMixChannelWithNoSpend(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(td("mix/spend.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	for i, l := range lines[1:] {
		f := strings.Split(l, ",")
		if f[1] == "social" {
			f[2] = "0"
		}
		lines[i+1] = strings.Join(f, ",")
	}
	sp := filepath.Join(dir, "spend.csv")
	require.NoError(t, os.WriteFile(sp, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	args := []string{"mix", "--spend", sp, "--kpi", td("mix/kpi.csv"), "--attribution", td("mix/attribution.json"), "--bootstrap", "20"}
	code, out, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		Channels   []map[string]any `json:"channels"`
		Comparison []struct {
			Channel   string   `json:"channel"`
			Disagrees []string `json:"disagrees"`
			ByModel   []struct {
				Withheld string `json:"withheld"`
			} `json:"by_model"`
		} `json:"comparison"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	for _, c := range doc.Channels {
		if c["name"] == "social" {
			for _, k := range []string{"roas", "roi", "marginal_roas"} {
				v, ok := c[k]
				assert.True(t, ok, k)
				assert.Nil(t, v, k)
			}
		} else {
			assert.NotNil(t, c["roas"])
		}
	}
	for _, c := range doc.Comparison {
		if c.Channel == "social" {
			assert.Empty(t, c.Disagrees)
			for _, bm := range c.ByModel {
				assert.Contains(t, bm.Withheld, "social has no spend in the mix model's data")
			}
		}
	}
	code, out, errOut = leadscore(t, "", args...)
	require.Equal(t, exitOK, code, errOut)
	assert.Regexp(t, `(?m)^social +0 +\S+ \(\S+ to \S+\) +\S+ +— +— +— +withheld`, out)
	assert.Equal(t, 1, strings.Count(out, "social has no spend in the mix model's data"), "said once")
}

// An attribution that credits no revenue under any model (paths without a
// value column write value 0) stops the run with what to do, rather than
// printing an empty comparison.
func TestMixAttributionWithoutRevenue(t *testing.T) {
	ap := filepath.Join(t.TempDir(), "a.json")
	require.NoError(t, os.WriteFile(ap, []byte(`{"models": ["first_touch", "linear"], "channels": [{"channel": "social", "credit": [{"conversions": 40, "value": 0}, {"conversions": 30, "value": 0}]}, {"channel": "tv", "credit": [{"conversions": 5, "value": 0}, {"conversions": 15, "value": 0}]}]}`), 0o644))
	code, out, errOut := leadscore(t, "", append(mixArgs, "--attribution", ap, "--bootstrap", "20")...)
	assert.Equal(t, exitProblem, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "no attribution model credits the compared channels any revenue, so there are no revenue shares to compare (a paths file without a value column credits none)")
}

// The attribution share's Wilson interval holds the true share about 95% of
// the time: 4,000 simulated counts of n conversions, each a channel's with
// probability p.
func TestAttributionIntervalCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 34))
	for _, c := range []struct {
		p float64
		n int
	}{{0.3, 100}, {0.1, 40}, {0.5, 400}} {
		held := 0
		const runs = 4000
		for r := 0; r < runs; r++ {
			k := 0
			for i := 0; i < c.n; i++ {
				if rng.Float64() < c.p {
					k++
				}
			}
			iv := attributionInterval(float64(k)/float64(c.n), float64(c.n))
			if iv.Low <= c.p && c.p <= iv.High {
				held++
			}
		}
		cover := float64(held) / runs
		t.Logf("p %.2f, n %d: coverage %.3f", c.p, c.n, cover)
		assert.InDelta(t, 0.95, cover, 0.02, "p %v n %v", c.p, c.n)
	}
}
