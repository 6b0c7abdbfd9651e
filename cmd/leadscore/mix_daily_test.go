package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mixDailyArgs = []string{"mix", "--period", "day", "--spend", td("mix/daily/spend.csv"), "--kpi", td("mix/daily/kpi.csv"), "--bootstrap", "50"}

// The text report on the bundled daily example is
// testdata/mix/daily/report.txt, the guide's command with the default 200
// refits: go test ./cmd/leadscore -run TestMixDailyGolden -update
// rewrites it. Its truth (truth.json): tv ROAS 1.4, search 2.5, social
// 0.8. The KPI file's date column is found daily by its dates.
func TestMixDailyGolden(t *testing.T) {
	code, out, errOut := leadscore(t, "", "mix", "--period", "day", "--spend", td("mix/daily/spend.csv"), "--kpi", td("mix/daily/kpi.csv"))
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "../../testdata/mix/daily/spend.csv: 2,190 rows in: 2,190 read, 0 failed\n"+
		"../../testdata/mix/daily/kpi.csv: 730 rows in: 730 read, 0 failed; dates 1 day apart: daily\n"+
		"spend rows: 2,190 read = 2,190 used + 0 outside the KPI's days (2023-01-02 to 2024-12-31)\n"+
		"leadscore mix: warning (curves_disagree): the held-out days cannot choose the curves: 36 other choices of carry-over and saturation predict them as well as the chosen curves (fold by fold, within one standard error), fit as well, and give a baseline of 59.7% to 73.2% of the fitted KPI; so read the split between baseline and channels as uncertain; more days with spend that varies more, or the data by week calibrated with a lift test per channel (--period week --lift-tests), would decide\n", errOut)
	path := td("mix/daily/report.txt")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), out, "go test ./cmd/leadscore -run TestMixDailyGolden -update")
	assert.Contains(t, out, "730 days, 2023-01-02 to 2024-12-31; 3 channels")
	assert.Contains(t, out, "fit on held-out days (4 rolling folds, 364 days)")
}

// The daily JSON keeps the contract (channels with name, roas and roi as
// {value, low, high}; baseline_share), says "period": "day", and counts
// and dates days, not weeks; the CSV's first column is day.
func TestMixDailyJSONAndCSV(t *testing.T) {
	code, out, errOut := leadscore(t, "", append(mixDailyArgs, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "day", doc["period"])
	assert.EqualValues(t, 730, doc["days"])
	assert.NotContains(t, doc, "weeks")
	assert.Contains(t, doc, "baseline_share")
	assert.EqualValues(t, 364, doc["held_out"].(map[string]any)["days"])
	dec := doc["decomposition"].([]any)
	require.Len(t, dec, 730)
	assert.Equal(t, "2024-12-31", dec[729].(map[string]any)["day"])
	chans := doc["channels"].([]any)
	require.Len(t, chans, 3)
	for _, c := range chans {
		c := c.(map[string]any)
		assert.Contains(t, c, "name")
		for _, k := range []string{"roas", "roi"} {
			iv := c[k].(map[string]any)
			for _, e := range []string{"value", "low", "high"} {
				assert.Contains(t, iv, e, "%s %s", c["name"], k)
			}
		}
	}

	code, out, errOut = leadscore(t, "", append(mixDailyArgs, "--format", "csv")...)
	require.Equal(t, exitOK, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Equal(t, "day,kpi,fitted,baseline,search,social,tv", lines[0])
	assert.Len(t, lines, 731)
	assert.True(t, strings.HasPrefix(lines[1], "2023-01-02,17176.73,"), lines[1])
}

// The weekly report says "period": "week" in JSON; nothing else of it
// changed (TestMixGolden holds the text byte for byte).
func TestMixWeeklyPeriodKey(t *testing.T) {
	code, out, errOut := leadscore(t, "", append(mixArgs, "--format", "json", "--bootstrap", "20")...)
	require.Equal(t, exitOK, code, errOut)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "week", doc["period"])
	assert.EqualValues(t, 156, doc["weeks"])
	assert.NotContains(t, doc, "days")
	assert.Equal(t, "2023-01-02", doc["decomposition"].([]any)[0].(map[string]any)["week"])
}

// Daily costs and outcomes: one-day cost rows for each day's spend, and a
// won deal a day worth the day's KPI, derive the same spend and KPI as
// the daily files, so the fit is the same to the last digit; the counts
// reconcile.
func TestMixDailyFromCostsAndOutcomes(t *testing.T) {
	dir := t.TempDir()
	var costs, outcomes strings.Builder
	costs.WriteString("campaign,channel,date,cost\n")
	for i, line := range strings.Split(strings.TrimSpace(mustRead(t, td("mix/daily/spend.csv"))), "\n")[1:] {
		f := strings.Split(line, ",")
		if f[2] == "0.00" {
			continue
		}
		costs.WriteString(strings.Join([]string{f[1] + "-" + strconv.Itoa(i), f[1], f[0], f[2]}, ",") + "\n")
	}
	outcomes.WriteString("lead_id,opportunity,won,revenue,lost\n")
	for i, line := range strings.Split(strings.TrimSpace(mustRead(t, td("mix/daily/kpi.csv"))), "\n")[1:] {
		f := strings.Split(line, ",")
		fmt.Fprintf(&outcomes, "D%04d,%sT08:00:00Z,%sT23:59:00Z,%s,\n", i, f[0], f[0], f[1])
	}
	// One deal won the day after the last day: counted after, not in.
	outcomes.WriteString("D9999,2024-12-31T08:00:00Z,2025-01-01T00:00:00Z,5000,\n")
	cp, op := filepath.Join(dir, "costs.csv"), filepath.Join(dir, "outcomes.csv")
	require.NoError(t, os.WriteFile(cp, []byte(costs.String()), 0o644))
	require.NoError(t, os.WriteFile(op, []byte(outcomes.String()), 0o644))

	code, want, errOut := leadscore(t, "", append(mixDailyArgs, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	code, got, errOut := leadscore(t, "", "mix", "--period", "day", "--costs", cp, "--kpi-from", "revenue", "--outcomes", op, "--bootstrap", "50", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "spread over their days (each day an equal share of its campaign's cost)")
	assert.Contains(t, errOut, "731 won = 730 in the modelled days (2023-01-02 to 2024-12-31) + 0 before + 1 after")
	var a, b map[string]any
	require.NoError(t, json.Unmarshal([]byte(want), &a))
	require.NoError(t, json.Unmarshal([]byte(got), &b))
	assert.Equal(t, "day", b["period"])
	assert.Equal(t, a["baseline_share"], b["baseline_share"])
	ca, cb := a["channels"].([]any), b["channels"].([]any)
	require.Len(t, cb, len(ca))
	for i := range ca {
		x, y := ca[i].(map[string]any), cb[i].(map[string]any)
		assert.Equal(t, x["name"], y["name"])
		for _, k := range []string{"roas", "roi", "incremental"} {
			assert.InDeltaMapValues(t, x[k], y[k], 1e-6, "%s %s", x["name"], k)
		}
		assert.Equal(t, x["adstock"], y["adstock"], x["name"])
		assert.Equal(t, x["saturation"], y["saturation"], x["name"])
	}
	costsDoc := b["costs"].(map[string]any)
	assert.NotContains(t, costsDoc, "week_start")
}

// Bad daily input: each error says what is wrong, where, and what fixes
// it; data of the other period is named as such.
func TestMixDailyErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
		return p
	}
	daySpend, dayKPI := td("mix/daily/spend.csv"), td("mix/daily/kpi.csv")
	weekSpend, weekKPI := td("mix/spend.csv"), td("mix/kpi.csv")
	// The weekly files given to a daily run: their header has week.
	code, _, errOut := leadscore(t, "", "mix", "--period", "day", "--spend", weekSpend, "--kpi", weekKPI)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "the KPI file's header has a week column and no day or date column: it looks like weekly data; run with --period week")
	// Weekly dates under a day column: 7 days apart.
	kpi7 := "day,revenue\n"
	spend7 := "day,channel,spend\n"
	b, err := os.ReadFile(weekKPI)
	require.NoError(t, err)
	kpi7 += strings.SplitN(string(b), "\n", 2)[1]
	b, err = os.ReadFile(weekSpend)
	require.NoError(t, err)
	spend7 += strings.SplitN(string(b), "\n", 2)[1]
	// The dates decide, and the message names the file and the row.
	k7 := write("k7.csv", kpi7)
	code, _, errOut = leadscore(t, "", "mix", "--period", "day", "--spend", write("s7.csv", spend7), "--kpi", k7, "--bootstrap", "20")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "leadscore mix: "+k7+":3: the KPI file's day is 2023-01-09, 7 days after 2023-01-02 on line 2, and most of its dates are 7 days apart: it is weekly data, and this run is daily (--period day); run with --period week, or give one row per day\n")
	// The daily files given to a weekly run: the KPI's header has date,
	// which may hold weeks; its dates are 1 day apart.
	code, _, errOut = leadscore(t, "", "mix", "--spend", daySpend, "--kpi", dayKPI)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "kpi.csv:3: the KPI file's date is 2023-01-03, 1 day after 2023-01-02 on line 2, and most of its dates are 1 day apart: it is daily data, and this run is weekly (--period week); run with --period day, or add the days up by week")
	// Daily dates under a week column: 1 day apart.
	b, err = os.ReadFile(dayKPI)
	require.NoError(t, err)
	k1 := write("k1.csv", "week,revenue\n"+strings.SplitN(string(b), "\n", 2)[1])
	b, err = os.ReadFile(daySpend)
	require.NoError(t, err)
	s1 := write("s1.csv", "week,channel,spend\n"+strings.SplitN(string(b), "\n", 2)[1])
	code, _, errOut = leadscore(t, "", "mix", "--spend", s1, "--kpi", k1, "--bootstrap", "20")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, k1+":3: the KPI file's week is 2023-01-03, 1 day after 2023-01-02 on line 2, and most of its dates are 1 day apart: it is daily data, and this run is weekly (--period week); run with --period day, or add the days up by week")

	// A bad row fails alone, named by file and line.
	bad := strings.Replace(string(b), "2023-01-03,tv,", "2023-13-03,tv,", 1)
	bad = strings.Replace(bad, "2023-01-04,search,", "2023-01-04,search,-5,", 1)
	badSpend := write("bad.csv", "day,channel,spend\n"+strings.SplitN(bad, "\n", 2)[1])
	code, _, errOut = leadscore(t, "", "mix", "--period", "day", "--spend", badSpend, "--kpi", dayKPI)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "bad.csv:5: day \"2023-13-03\" is not a date like 2024-01-01")
	assert.Contains(t, errOut, "bad.csv:9: 4 cells, the header has 3")
	assert.Contains(t, errOut, "2,190 rows in: 2,188 read, 2 failed")
	// A day given twice.
	dup := write("dup.csv", "day,channel,spend\n2024-01-01,tv,10\n2024-01-01,tv,5\n")
	code, _, errOut = leadscore(t, "", "mix", "--period", "day", "--spend", dup, "--kpi", dayKPI)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "dup.csv:3: day 2024-01-01, channel tv was already given on line 2; give one row per day and channel (add the amounts up)")
	// A missing day.
	lines := strings.Split(mustRead(t, dayKPI), "\n")
	gap := write("gap.csv", strings.Join(append(append([]string{}, lines[:11]...), lines[12:]...), "\n"))
	code, _, errOut = leadscore(t, "", "mix", "--period", "day", "--spend", daySpend, "--kpi", gap, "--bootstrap", "20")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, gap+":12: cannot fit the model: days 2023-01-11 and 2023-01-13 are 2 days apart; days must follow each other 1 day apart with none missing")
	// Too few days.
	short := write("short.csv", strings.Join(lines[:101], "\n")+"\n")
	code, _, errOut = leadscore(t, "", "mix", "--period", "day", "--spend", daySpend, "--kpi", short, "--bootstrap", "20")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, short+": cannot fit the model: 100 days of data; a daily mix model needs at least 182")
	// What reads weeks only is refused with --period day, and an unknown
	// period is named.
	code, _, errOut = leadscore(t, "", "mix", "--period", "day", "--spend", daySpend, "--kpi", dayKPI, "--lift-tests", td("mix/lifts.csv"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--lift-tests works with weekly data only, for now")
	code, _, errOut = leadscore(t, "", "mix", "--period", "month", "--spend", daySpend, "--kpi", dayKPI)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `--period "month": use week or day`)
}

// A spend file of another period than the KPI's, or with a whole period
// missing, is refused rather than read as no spend: a weekly file in a
// daily run (its rows on one day of seven), a daily file beside a weekly
// KPI, a day missing from the export.
func TestMixSpendGapsRefused(t *testing.T) {
	dir := t.TempDir()
	spend, err := os.ReadFile(td(filepath.Join("mix", "spend.csv")))
	require.NoError(t, err)
	weekly := filepath.Join(dir, "weekly-as-date.csv")
	require.NoError(t, os.WriteFile(weekly, []byte(strings.Replace(string(spend), "week,", "date,", 1)), 0o644))
	code, _, errOut := leadscore(t, "", "mix", "--period", "day", "--spend", weekly, "--kpi", td(filepath.Join("mix", "daily", "kpi.csv")))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, weekly+":5: the spend file's date is 2023-01-09, 7 days after 2023-01-02 on line 4, and most of its dates are 7 days apart: it is weekly data, and this run is daily (--period day); run with --period week")

	daily, err := os.ReadFile(td(filepath.Join("mix", "daily", "spend.csv")))
	require.NoError(t, err)
	lines := strings.SplitAfter(string(daily), "\n")
	asWeek := filepath.Join(dir, "daily-as-week.csv")
	require.NoError(t, os.WriteFile(asWeek, []byte(strings.Replace(string(daily), "day,", "week,", 1)), 0o644))
	code, _, errOut = leadscore(t, "", "mix", "--spend", asWeek, "--kpi", td(filepath.Join("mix", "kpi.csv")))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, asWeek+":5: the spend file's week is 2023-01-03, 1 day after 2023-01-02 on line 4, and most of its dates are 1 day apart: it is daily data, and this run is weekly (--period week); run with --period day")

	var kept []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "2023-06-01,") {
			kept = append(kept, l)
		}
	}
	require.Less(t, len(kept), len(lines))
	gap := filepath.Join(dir, "gap.csv")
	require.NoError(t, os.WriteFile(gap, []byte(strings.Join(kept, "")), 0o644))
	code, _, errOut = leadscore(t, "", "mix", "--period", "day", "--spend", gap, "--kpi", td(filepath.Join("mix", "daily", "kpi.csv")))
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, gap+" has no row for any channel on 1 of the KPI's 730 days (the first: 2023-06-01;")
}

// A daily KPI of sales-ready leads from the bundled leads (45 in 251
// days) fits so poorly that the channels are credited with more than the
// whole KPI: baseline -851.5%, in-sample R² 0.228. Both fit-quality
// warnings are given, and every verdict and the reallocation withheld.
func TestMixFitQualityWarnings(t *testing.T) {
	code, out, errOut := leadscore(t, "", "mix", "--period", "day", "--costs", td("mix/costs-2026.csv"), "--kpi-from", "sales-ready",
		"--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-12T00:00:00Z", "--kpi-value", "2000", "--bootstrap", "20", "--seed", "3", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		BaselineShare float64 `json:"baseline_share"`
		InSample      struct {
			R2 float64 `json:"r2"`
		} `json:"in_sample"`
		Warnings []struct {
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"warnings"`
		Channels []struct {
			Name    string `json:"name"`
			Verdict string `json:"verdict"`
			Reason  string `json:"reason"`
			ROAS    struct {
				Value, Low, High float64
				Widened          bool
			} `json:"roas"`
		} `json:"channels"`
		Reallocation struct {
			Withheld string `json:"withheld"`
		} `json:"reallocation"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.InDelta(t, -8.754, doc.BaselineShare, 0.0005)
	assert.InDelta(t, 0.228, doc.InSample.R2, 0.0005)
	kinds := map[string]string{}
	for _, w := range doc.Warnings {
		kinds[w.Kind] = w.Message
	}
	assert.Contains(t, kinds["implausible_baseline"], "the baseline is -875.4% of the fitted KPI, outside 0 to 100% by more than 5 points")
	assert.Contains(t, kinds["poor_fit"], "the model explains 22% of the KPI's movement from day to day (in-sample R² 0.22, below 0.3)")
	require.Len(t, doc.Channels, 5)
	widened := 0
	for _, c := range doc.Channels {
		// Every interval holds its estimate; content's refits all lay to
		// one side of it (seed 3, 20 refits), so its interval was
		// widened (email's before the daily refits drew their curves,
		// mix's drawCurves; both before the channels' penalty was
		// relaxed, channelRidge).
		assert.True(t, c.ROAS.Low <= c.ROAS.Value && c.ROAS.Value <= c.ROAS.High, "%s: %+v", c.Name, c.ROAS)
		if c.ROAS.Widened {
			widened++
			assert.True(t, c.ROAS.Value == c.ROAS.High || c.ROAS.Value == c.ROAS.Low, c.Name)
		}
		assert.Equal(t, "withheld", c.Verdict, c.Name)
		assert.Equal(t, "the baseline share is outside 0 to 100% (see the warning)", c.Reason, c.Name)
	}
	assert.Contains(t, doc.Reallocation.Withheld, "the baseline share is outside 0 to 100%")
	assert.Equal(t, 1, widened)

	// The text report and the page say so. They no longer warn that daily
	// intervals fall short of their 95%: they held the truth 92.7% of the
	// time (mix's TestDailyCoverage), inside the band a true 95% gives;
	// 92.3% since the channels' penalty was relaxed, one interval below
	// it (the guide says so).
	args := []string{"mix", "--period", "day", "--costs", td("mix/costs-2026.csv"), "--kpi-from", "sales-ready",
		"--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-12T00:00:00Z", "--kpi-value", "2000", "--bootstrap", "20", "--seed", "3"}
	code, out, errOut = leadscore(t, "", args...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "  content: the refits' 2.5% to 97.5% range left the estimate out, so the interval is widened to reach it: the estimate is one end of its interval\n")
	assert.NotContains(t, out, "daily intervals held the true ROAS")
	code, out, errOut = leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "content: the refits&#39; 2.5% to 97.5% range left the estimate out")
	assert.NotContains(t, out, "Daily intervals held the true ROAS")
}
