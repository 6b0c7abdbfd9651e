package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mixArgs = []string{"mix", "--spend", td("mix/spend.csv"), "--kpi", td("mix/kpi.csv")}

// The text report on the bundled example is testdata/mix/report.txt:
// go test ./cmd/leadscore -run TestMixGolden -update rewrites it.
func TestMixGolden(t *testing.T) {
	code, out, errOut := leadscore(t, "", mixArgs...)
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "../../testdata/mix/spend.csv: 468 rows in: 468 read, 0 failed\n"+
		"../../testdata/mix/kpi.csv: 156 rows in: 156 read, 0 failed\n"+
		"spend rows: 468 read = 468 used + 0 outside the KPI's weeks (2023-01-02 to 2025-12-28)\n", errOut)
	path := td("mix/report.txt")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), out, "go test ./cmd/leadscore -run TestMixGolden -update")
}

// The JSON contract: channels with name, roas and roi as {value, low,
// high}, and baseline_share; the figures are those of the text report.
func TestMixJSONContract(t *testing.T) {
	code, out, errOut := leadscore(t, "", append(mixArgs, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	var doc struct {
		KPI      string `json:"kpi"`
		Channels []struct {
			Name string              `json:"name"`
			ROAS map[string]*float64 `json:"roas"`
		} `json:"channels"`
		BaselineShare *float64 `json:"baseline_share"`
		Decomposition []struct {
			Week     string    `json:"week"`
			Channels []float64 `json:"channels"`
		} `json:"decomposition"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	var raw struct {
		Channels []map[string]json.RawMessage `json:"channels"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	require.Len(t, raw.Channels, 3)
	assert.Equal(t, "revenue", doc.KPI)
	require.Len(t, doc.Channels, 3)
	for i, c := range doc.Channels {
		for _, key := range []string{"value", "low", "high"} {
			require.NotNil(t, c.ROAS[key], "%s roas.%s", c.Name, key)
		}
		var roi map[string]float64
		require.NoError(t, json.Unmarshal(raw.Channels[i]["roi"], &roi))
		assert.InDelta(t, *c.ROAS["value"]-1, roi["value"], 1e-9)
		assert.InDelta(t, *c.ROAS["low"]-1, roi["low"], 1e-9)
		assert.InDelta(t, *c.ROAS["high"]-1, roi["high"], 1e-9)
	}
	assert.Equal(t, []string{"search", "social", "tv"}, []string{doc.Channels[0].Name, doc.Channels[1].Name, doc.Channels[2].Name})
	require.NotNil(t, doc.BaselineShare)
	text, err := os.ReadFile(td("mix/report.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(text), pct(*doc.BaselineShare)+" of the fitted revenue")
	assert.Contains(t, string(text), sig(*doc.Channels[2].ROAS["value"])+" ("+sig(*doc.Channels[2].ROAS["low"])+" to "+sig(*doc.Channels[2].ROAS["high"])+")")
	assert.Len(t, doc.Decomposition, 156)
}

// The CSV output is the weekly decomposition, one row a week.
func TestMixCSV(t *testing.T) {
	code, out, errOut := leadscore(t, "", append(mixArgs, "--format", "csv")...)
	require.Equal(t, exitOK, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 157)
	assert.Equal(t, "week,kpi,fitted,baseline,search,social,tv", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "2023-01-02,"))
}

// Bad rows fail alone, each with its file and line; the counts reconcile,
// the report is made on the rest, and the exit status is 1.
func TestMixBadRows(t *testing.T) {
	dir := t.TempDir()
	spend, err := os.ReadFile(td("mix/spend.csv"))
	require.NoError(t, err)
	lines := strings.Split(string(spend), "\n")
	lines[2] = "2023-01-02,search,-50"                            // negative
	lines[3] = "2023-01-02,social,lots"                           // not a number
	lines[5] = "2023-01-09,search,NaN"                            // NaN
	lines = append(lines[:len(lines)-1], "2022-12-26,tv,100", "") // a week before the KPI's
	sp := filepath.Join(dir, "spend.csv")
	require.NoError(t, os.WriteFile(sp, []byte(strings.Join(lines, "\n")), 0o644))
	code, out, errOut := leadscore(t, "", "mix", "--spend", sp, "--kpi", td("mix/kpi.csv"), "--bootstrap", "40")
	assert.Equal(t, exitProblem, code)
	assert.Empty(t, out, "no fit on data with holes where rows failed")
	for _, w := range []string{
		sp + ":3: spend -50 is negative; give the amount spent, 0 or more (refunds belong in the week they reduce)",
		sp + `:4: spend "lots" is not a number; write it as 1234567.89 or 1,234,567.89 (a point before the decimals, commas only between groups of three digits)`,
		sp + `:6: spend "NaN" is not a number; write it as 1234567.89 or 1,234,567.89 (a point before the decimals, commas only between groups of three digits)`,
	} {
		assert.Contains(t, errOut, w+"\n")
	}
	// 468 rows and one more: 3 failed, and the run stops rather than count
	// their channel-weeks as no spend.
	assert.Contains(t, errOut, sp+": 469 rows in: 466 read, 3 failed\n")
	assert.Contains(t, errOut, "leadscore mix: 3 spend rows of "+sp+" failed (each named above): the model is fitted only on whole data (a missing amount would count as no spend); fix them and run again\n")
}

// A duplicate row fails with the line of the first; a duplicate KPI week too.
func TestMixDuplicates(t *testing.T) {
	dir := t.TempDir()
	sp := filepath.Join(dir, "spend.csv")
	spend, err := os.ReadFile(td("mix/spend.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(sp, append(spend, []byte("2023-01-09,tv,5\n")...), 0o644))
	kp := filepath.Join(dir, "kpi.csv")
	kpi, err := os.ReadFile(td("mix/kpi.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(kp, append(kpi, []byte("2023-01-02,1\n")...), 0o644))
	code, _, errOut := leadscore(t, "", "mix", "--spend", sp, "--kpi", kp, "--bootstrap", "40")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, sp+":470: week 2023-01-09, channel tv was already given on line 5; give one row per week and channel (add the amounts up)\n")
	assert.Contains(t, errOut, kp+":158: week 2023-01-02 was already given on line 2; give one row per week\n")
	assert.Contains(t, errOut, sp+": 469 rows in: 468 read, 1 failed\n")
	assert.Contains(t, errOut, kp+": 157 rows in: 156 read, 1 failed\n")
}

// A missing KPI week stops the fit with a message that names the gap.
func TestMixMissingWeek(t *testing.T) {
	dir := t.TempDir()
	kp := filepath.Join(dir, "kpi.csv")
	kpi, err := os.ReadFile(td("mix/kpi.csv"))
	require.NoError(t, err)
	lines := strings.Split(string(kpi), "\n")
	lines = append(lines[:11], lines[12:]...) // drop 2023-03-13
	require.NoError(t, os.WriteFile(kp, []byte(strings.Join(lines, "\n")), 0o644))
	code, out, errOut := leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi", kp)
	assert.Equal(t, exitProblem, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "leadscore mix: "+kp+":12: cannot fit the model: weeks 2023-03-06 and 2023-03-20 are 14 days apart; weeks must follow each other 7 days apart with none missing: the week 2023-03-13 is missing; give its row\n")
	assert.Contains(t, errOut, "468 read = 465 used + 3 outside the KPI's weeks", "the dropped week's 3 spend rows")
}

func TestMixUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"mix"}, "leadscore mix: give --spend (week,channel,spend) or --costs (campaign costs with dates), and --kpi (week,<KPI column>) or --kpi-from won, revenue or sales-ready\n"},
		{append(mixArgs[:len(mixArgs):len(mixArgs)], "--format", "pdf"), `leadscore mix: unknown --format "pdf"; use text, markdown, json, csv or html` + "\n"},
		{append(mixArgs[:len(mixArgs):len(mixArgs)], "--bounds", "1.2"), "leadscore mix: --bounds 1.2: give a share between 0 and 1, such as 0.3 for ±30%\n"},
		{append(mixArgs[:len(mixArgs):len(mixArgs)], "--kpi-column", "deals"), `no column "deals"; its columns are week, revenue` + "\n"},
		{[]string{"mix", "--spend", "nope.csv", "--kpi", td("mix/kpi.csv")}, "leadscore mix: --spend: cannot open nope.csv: no such file or directory\n"},
		{[]string{"mix", "--spend", td("mix/kpi.csv"), "--kpi", td("mix/kpi.csv")}, `has no "channel" column (it has week, revenue); the file needs week, channel, spend` + "\n"},
	} {
		code, _, errOut := leadscore(t, "", c.args...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Contains(t, errOut, c.want)
	}
}

// Controls join the baseline; a KPI week the controls lack stops the fit.
func TestMixControls(t *testing.T) {
	dir := t.TempDir()
	kpi, err := os.ReadFile(td("mix/kpi.csv"))
	require.NoError(t, err)
	var b strings.Builder
	b.WriteString("week,holiday\n")
	for i, line := range strings.Split(strings.TrimSpace(string(kpi)), "\n")[1:] {
		week, _, _ := strings.Cut(line, ",")
		holiday := "0"
		if i%52 >= 50 {
			holiday = "1"
		}
		b.WriteString(week + "," + holiday + "\n")
	}
	cp := filepath.Join(dir, "controls.csv")
	require.NoError(t, os.WriteFile(cp, []byte(b.String()), 0o644))
	code, out, errOut := leadscore(t, "", append(mixArgs, "--controls", cp, "--format", "json", "--bootstrap", "40")...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, cp+": 156 rows in: 156 read, 0 failed\n")
	var doc struct {
		Channels []struct{ Name string } `json:"channels"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Len(t, doc.Channels, 3, "a control is no channel")

	short := strings.Join(strings.Split(b.String(), "\n")[:100], "\n") + "\n"
	require.NoError(t, os.WriteFile(cp, []byte(short), 0o644))
	code, _, errOut = leadscore(t, "", append(mixArgs, "--controls", cp)...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "leadscore mix: "+cp+":100: the controls have no row for week 2024-11-25, a KPI week (they end on week 2024-11-18, this row); add a row for week 2024-11-25 with each control's value (0 where there was none)\n")
	// A week missing inside the file is named at the row after it.
	inner := strings.Split(b.String(), "\n")
	inner = append(inner[:11], inner[12:]...) // drop line 12
	require.NoError(t, os.WriteFile(cp, []byte(strings.Join(inner, "\n")), 0o644))
	code, _, errOut = leadscore(t, "", append(mixArgs, "--controls", cp)...)
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "leadscore mix: "+cp+":12: the controls have no row for week 2023-03-13, a KPI week (this row is week 2023-03-20, the one before 2023-03-06); add a row for week 2023-03-13")
}

// The guide shows the report as the command writes it.
func TestMixGuideShowsTheReport(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guide", "mix.md"))
	require.NoError(t, err)
	report, err := os.ReadFile(td("mix/report.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(guide), "```\n"+string(report)+"```\n", "paste testdata/mix/report.txt into docs/guide/mix.md")
}

// A KPI that is a count (deals) is not money: ROI and "pays back" would
// take one deal as worth 1 in the spend's currency, so mix asks what one is
// worth; with --kpi-value, ROI is ROAS × that value − 1.
func TestMixKPIThatIsNotMoney(t *testing.T) {
	dir := t.TempDir()
	kp := filepath.Join(dir, "deals.csv")
	kpi, err := os.ReadFile(td("mix/kpi.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(kp, []byte(strings.Replace(string(kpi), "week,revenue", "week,deals", 1)), 0o644))
	code, out, errOut := leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi", kp, "--bootstrap", "20")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `leadscore mix: the KPI "deals" does not read as money`)
	assert.Contains(t, errOut, "give --kpi-value (what one unit of deals is worth in the spend's currency)")

	code, out, errOut = leadscore(t, "", "mix", "--spend", td("mix/spend.csv"), "--kpi", kp, "--bootstrap", "20", "--kpi-value", "2", "--format", "json")
	require.Equal(t, exitOK, code, errOut)
	var r struct {
		Channels []struct {
			ROAS struct{ Value float64 } `json:"roas"`
			ROI  struct{ Value float64 } `json:"roi"`
		} `json:"channels"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.NotEmpty(t, r.Channels)
	for _, c := range r.Channels {
		assert.InDelta(t, c.ROAS.Value*2-1, c.ROI.Value, 1e-9)
	}
}

// Which KPI names read as money: whole words, a count word wins unless
// the name says value.
func TestLooksLikeMoney(t *testing.T) {
	for _, name := range []string{"revenue", "won_revenue", "pipeline_value", "deals_value", "Profit", "gross_margin", "ARR", "bookings_usd"} {
		assert.True(t, looksLikeMoney(name), name)
	}
	for _, name := range []string{"leads", "deals", "sales_ready_leads", "sales_qualified_leads", "pipeline_deals", "leads_europe", "store_arrivals", "sales", "signups", "revenue_leads"} {
		assert.False(t, looksLikeMoney(name), name)
	}
}
