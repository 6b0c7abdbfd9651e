package main

import (
	"encoding/json"
	"html"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reviewArgs are the joint review's inputs on the bundled data.
func reviewArgs(format string) []string {
	return []string{"report", "--model", td("b2b-saas.yaml"), "--proposed", td("b2b-saas-v2.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-01",
		"--outcomes", td("outcomes.csv"), "--costs", td("costs.csv"), "--dispositions", td("dispositions.csv"),
		"--backtest-at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week",
		"--backtest-leads", td("backtest/leads.ndjson"), "--backtest-outcomes", td("backtest/outcomes.csv"), "--format", format}
}

// cellRE reads a number of a page: a table's cell, or a number inside a
// cell or a line of words (an interval's two ends, a summary's figures).
var cellRE = regexp.MustCompile(`<(td|span) class="n( d)?"(?: data-path="([^"]*)")? data-value="([^"]*)" data-format="([^"]*)"(?: data-kpi="[^"]*")?(?: data-label="[^"]*")?>([^<]*)</(?:td|span)>`)

// numberCells returns the numbers of a page, in table cells and in spans:
// path (empty for a derived number), value and the text shown.
func numberCells(t *testing.T, page string) [][3]string {
	t.Helper()
	var out [][3]string
	for _, m := range cellRE.FindAllStringSubmatch(page, -1) {
		if m[2] == "" {
			require.NotEmpty(t, m[3], "a number of the report without its path: %s", m[0])
		}
		out = append(out, [3]string{m[3], html.UnescapeString(m[4]), html.UnescapeString(m[6])})
	}
	require.Equal(t, strings.Count(page, `<td class="n`)+strings.Count(page, `<span class="n`), len(out), "every number is read")
	return out
}

// lookup follows a path such as impact.moves.3.leads into decoded JSON.
func lookup(v any, path string) (any, bool) {
	for _, step := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[step]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// shownMatches checks that the text shown is the value, to the digits it
// shows: "1,234" for 1234.2, "12.3%" for 0.1234, "—" for null. It reads the
// text back rather than formatting the value again.
func shownMatches(t *testing.T, path, value, shown string) {
	t.Helper()
	if value == "null" {
		assert.Equal(t, "—", shown, path)
		return
	}
	v, err := strconv.ParseFloat(value, 64)
	require.NoError(t, err, path)
	text := strings.ReplaceAll(shown, ",", "")
	scale := 1.0
	if strings.HasSuffix(text, "%") {
		text, scale = strings.TrimSuffix(text, "%"), 100
	}
	if strings.HasSuffix(text, " points") { // a difference of rates: +3.1 points
		text, scale = strings.TrimSuffix(text, " points"), 100
	}
	got, err := strconv.ParseFloat(text, 64)
	require.NoError(t, err, "%s: shown %q", path, shown)
	decimals := 0
	if _, frac, ok := strings.Cut(text, "."); ok {
		decimals = len(frac)
	}
	assert.InDelta(t, v*scale, got, 0.5*math.Pow(10, -float64(decimals))+1e-9, "%s: shown %q for %s", path, shown, value)
}

// checkPage holds every number of an HTML page to the JSON report of the
// same run: the value at its path, and the text shown.
func checkPage(t *testing.T, page, jsonReport string, minCells int) {
	t.Helper()
	var doc any
	require.NoError(t, json.Unmarshal([]byte(jsonReport), &doc))
	cells := numberCells(t, page)
	require.GreaterOrEqual(t, len(cells), minCells)
	for _, c := range cells {
		path, value, shown := c[0], c[1], c[2]
		if path != "" {
			want, ok := lookup(doc, path)
			require.True(t, ok, "the page names %s, which the JSON report does not have", path)
			if want == nil {
				assert.Equal(t, "null", value, path)
			} else {
				f, isNum := want.(float64)
				require.True(t, isNum, "%s is not a number in the JSON report: %v", path, want)
				got, err := strconv.ParseFloat(value, 64)
				require.NoError(t, err, path)
				assert.Equal(t, f, got, "%s: the page says %s", path, value)
			}
		}
		shownMatches(t, path, value, shown)
	}
}

// The review page's numbers are the JSON report's, and the JSON report's
// parts are the JSON of the commands each part runs.
func TestReportNumbersAreTheJSONReports(t *testing.T) {
	code, page, errOut := leadscore(t, "", reviewArgs("html")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, errOut := leadscore(t, "", reviewArgs("json")...)
	require.Equal(t, exitOK, code, errOut)
	checkPage(t, page, js, 500)
	_, again, _ := leadscore(t, "", reviewArgs("html")...)
	assert.Equal(t, page, again, "the same data, the same page")
	for _, id := range []string{"definition", "change", "backtest", "capacity", "funnel", "feedback", "attribution", "rules-signal"} {
		assert.Contains(t, page, `<section id="`+id+`">`)
	}
	// Charts: the definition 1; the change 3 (volume, moves, distribution);
	// the backtest 3 (won vs not won, lift, calibration); the rules 1 (their
	// joint effects); capacity 4 (volume, wins, the weekly crossings and
	// the weekly cohorts' win rates); the funnel 1; feedback 3 (verdicts,
	// reasons, campaigns); attribution 2; current vs proposed 1; the moves
	// up and down 1; feedback's weeks 1.
	assert.Equal(t, 21, strings.Count(page, "<svg "))
	assert.Equal(t, strings.Count(page, "<table"), strings.Count(page, "\n<caption>"), "every table has a caption")

	var joint map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(js), &joint))
	same := func(part string, args ...string) {
		code, out, errOut := leadscore(t, "", append(args, "--format", "json")...)
		require.Equal(t, exitOK, code, errOut)
		assert.JSONEq(t, out, string(joint[part]), "the %s part is leadscore %s's report", part, args[0])
	}
	same("diff", "diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-01", "--outcomes", td("outcomes.csv"))
	same("backtest", "backtest", "--model", td("b2b-saas.yaml"), "--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week",
		"--outcomes", td("backtest/outcomes.csv"), td("backtest/leads.ndjson"))
	same("backtest_proposed", "backtest", "--model", td("b2b-saas-v2.yaml"), "--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week",
		"--outcomes", td("backtest/outcomes.csv"), td("backtest/leads.ndjson"))
	same("feedback", "feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", td("dispositions.csv"),
		"--outcomes", td("outcomes.csv"), "--at", "2026-10-01")
	same("attribution", "attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"), "--at", "2026-10-01",
		"--models", "first_touch,last_touch,linear,position_based,w_shaped", "--outcomes", td("outcomes.csv"), "--costs", td("costs.csv"), "--dispositions", td("dispositions.csv"))

	// The definition's points are the rule file's.
	assert.Contains(t, js, `"id": "fit.industry",`)
	var def struct {
		Definition struct {
			Rules []struct {
				ID     string  `json:"id"`
				Points float64 `json:"points"`
				Owner  string  `json:"owner"`
			} `json:"rules"`
		} `json:"definition"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &def))
	assert.Equal(t, "fit.industry", def.Definition.Rules[0].ID)
	assert.Equal(t, 20.0, def.Definition.Rules[0].Points)
	assert.Equal(t, "sales", def.Definition.Rules[0].Owner)
}

// Each command's --format html shows its own JSON report's numbers.
func TestFormatHTMLShowsTheJSONReportsNumbers(t *testing.T) {
	// The backtest with every part: suggested points fitted (10 won deals
	// are enough), written beside a copy of the model, and sales' verdicts.
	model := copyModel(t)
	for _, args := range [][]string{
		{"diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-01"},
		{"backtest", "--model", td("b2b-saas.yaml"), "--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week", "--outcomes", td("backtest/outcomes.csv"), td("backtest/leads.ndjson")},
		{"backtest", "--model", model, "--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week", "--outcomes", td("backtest/outcomes.csv"),
			"--suggest", "-o", filepath.Join(filepath.Dir(model), "proposed.yaml"), "--min-won", "10", "--dispositions", td("dispositions.csv"), td("backtest/leads.ndjson")},
		{"feedback", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--dispositions", td("dispositions.csv"), "--at", "2026-10-01"},
		{"attribute", "--journeys", td("journeys.ndjson"), "--costs", td("costs.csv")},
		{"attribute", "--journeys", td("journeys.ndjson"), "--models", "w_shaped,markov:2,shapley"},
		{"attribute", "--paths", td("paths/PathData.csv"), "--models", "first_touch,linear,markov:2,shapley"},
	} {
		code, page, errOut := leadscore(t, "", append(args, "--format", "html")...)
		require.Equal(t, exitOK, code, "%v: %s", args, errOut)
		code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
		require.Equal(t, exitOK, code, "%v: %s", args, errOut)
		checkPage(t, page, js, 20)
		if strings.Contains(strings.Join(args, " "), "markov") {
			assert.Contains(t, page, `<section id="channels">`, "the data-driven models have their section")
		}
		if strings.Contains(strings.Join(args, " "), "--suggest") {
			for _, id := range []string{"backtest", "rules-signal", "capacity", "suggestion", "verdicts"} {
				assert.Contains(t, page, `<section id="`+id+`">`)
			}
			assert.Contains(t, page, `data-path="suggestion.heldout.difference"`, "the held-out comparison")
		}
		page = strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
		assert.NotRegexp(t, `(?i)(https?:|//[a-z]|src=|href="[^#d])`, page, "%s: no address outside the page (SVG's namespace aside)", args[0])
	}
}

func TestReportUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--leads", "x"}, "--model is required"},
		{[]string{"report", "--model", td("b2b-saas.yaml")}, "--leads is required"},
		{[]string{"report", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--backtest-at", "2026-07-01"}, "--backtest-at needs --outcomes"},
		{[]string{"report", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--capacity", "40/week"}, "go with --backtest-at"},
		{[]string{"report", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--format", "pdf"}, `unknown --format "pdf"`},
	} {
		code, _, errOut := leadscore(t, "", c.args...)
		assert.Equal(t, exitUsage, code, "%v", c.args)
		assert.Contains(t, errOut, c.want)
	}
	// A part that cannot run stops the report, saying which.
	code, out, errOut := leadscore(t, "", "report", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--proposed", td("no-such.yaml"), "--at", "2026-10-01")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "the diff part could not run")
}

// report runs backtest, diff, feedback and attribute for its parts; their
// messages name report's flags, the ones the person typed.
func TestReportMessagesNameReportsFlags(t *testing.T) {
	base := []string{"report", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--outcomes", td("outcomes.csv")}
	renamed, _ := renamedModel(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--backtest-at", "2026-07-01", "--until", "2026-06-01"},
			"leadscore report: the end of the outcome window (--until 2026-06-01T00:00:00Z) must come after the snapshot (--backtest-at 2026-07-01T00:00:00Z)\n"},
		{[]string{"--backtest-at", "2026-07-01", "--until", "2026-07-01", "--backtest-outcomes", td("backtest/outcomes.csv"), "--backtest-leads", td("backtest/leads.ndjson")},
			"leadscore report: the end of the outcome window (--until 2026-07-01T00:00:00Z) must come after the snapshot (--backtest-at 2026-07-01T00:00:00Z)\n"},
		{[]string{"--backtest-at", "July"},
			"leadscore report: --backtest-at: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got \"July\"\n"},
		{[]string{"--backtest-at", "2026-07-01", "--until", "soon"},
			"leadscore report: --until: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got \"soon\"\n"},
		{[]string{"--backtest-at", "2026-07-01", "--capacity", "40/fortnight"},
			"leadscore report: --capacity: want how many leads sales can work, a number above 0 and at most a billion, such as 40/week or 160/month, got \"40/fortnight\"\n"},
		{[]string{"--at", "soon"},
			"leadscore report: --at: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got \"soon\"\n"},
		// A model without the touch fields: the attribution part says which
		// command's flag names them, as report has none.
		{[]string{"--model", renamed, "--at", "2026-10-01"},
			"leadscore report: leadscore attribute --campaign-field campaign: the model " + renamed + " has no event field \"campaign\" (it declares utm_campaign, utm_source, url, minutes); name one of its event fields, or declare campaign under events in the model\n"},
	} {
		code, out, errOut := leadscore(t, "", append(base, c.args...)...)
		assert.Equal(t, exitUsage, code, "%v", c.args)
		assert.Empty(t, out)
		partFailed := regexp.MustCompile(`leadscore report: the (backtest|attribute) part could not run \(the reason is above\)\n$`)
		if c.args[0] != "--at" {
			assert.Regexp(t, partFailed, errOut, "%v", c.args)
		}
		assert.Equal(t, c.want, partFailed.ReplaceAllString(errOut, ""), "%v", c.args)
	}

	// The same mistakes on backtest's command line name backtest's flags.
	code, _, errOut := leadscore(t, "", "backtest", "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"), "--at", "July", td("leads.ndjson"))
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore backtest: --at: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got \"July\"\n", errOut)

	// Advice in a part's warnings names a flag the way its caller can use it.
	tf := touchFields{campaign: "campaign", channel: "channel", events: 2}
	assert.Equal(t, []string{"none of the 2 events carries a \"campaign\" or \"channel\" field, so no event is a campaign touch and every conversion is credited to \"(no touch)\"; name the event fields that hold them with leadscore attribute --campaign-field and leadscore attribute --channel-field"},
		tf.warnings(reportParts(false, false)["attribute"].caller))
}

// Every flag report maps for a part is a flag of that part, mapped to a
// flag of report or to none; and every flag of a part report does not map
// is a flag of report too, so no message of a part can name a flag report
// does not have as if it had it.
func TestReportPartsMapOnlyRealFlags(t *testing.T) {
	flags := func(cmd string) map[string]bool {
		_, _, help := leadscore(t, "", cmd, "-h")
		names := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)`).FindAllStringSubmatch(help, -1) {
			names[m[1]] = true
		}
		require.NotEmpty(t, names, cmd)
		return names
	}
	report := flags("report")
	for _, leads := range []bool{false, true} {
		for _, outcomes := range []bool{false, true} {
			for part, p := range reportParts(leads, outcomes) {
				cmd := p.caller.cmd
				own := flags(cmd)
				assert.True(t, strings.HasPrefix(part, cmd), "the part %s runs %s", part, cmd)
				assert.Equal(t, "leadscore report", p.caller.name)
				for from, to := range p.caller.flags {
					assert.True(t, own[from], "%s has no flag --%s", cmd, from)
					assert.True(t, to == "" || report[to], "report has no flag --%s (for %s --%s)", to, cmd, from)
				}
				for f := range own {
					if _, mapped := p.caller.flags[f]; !mapped {
						assert.True(t, report[f], "%s --%s: report has no flag of that name; map it in reportParts", cmd, f)
					}
				}
			}
		}
	}
	assert.Equal(t, "--backtest-at", reportParts(false, false)["backtest"].caller.flag("at"))
	assert.Equal(t, "--backtest-leads", reportParts(true, false)["backtest"].caller.flag("leads"))
	assert.Equal(t, "--leads", reportParts(false, true)["backtest"].caller.flag("leads"))
	assert.Equal(t, "--backtest-outcomes", reportParts(false, true)["backtest"].caller.flag("outcomes"))
	assert.Equal(t, "leadscore backtest --on", reportParts(false, false)["backtest"].caller.flag("on"))
	assert.Equal(t, "--at", commandLine("backtest").flag("at"))
}

// kpiRE reads a summary tile's figure: its path, value and name.
var kpiRE = regexp.MustCompile(`<span class="n" data-path="([^"]*)" data-value="([^"]*)" data-format="[^"]*" data-kpi="([^"]*)">`)

// The review page answers first: before the definition, a tile for each
// headline figure, each the JSON report's number at the place it names
// (and recomputed here from its parts where it can be), then what to
// change, the threshold first, then where each figure comes from.
func TestReviewAnswersFirst(t *testing.T) {
	code, page, errOut := leadscore(t, "", reviewArgs("html")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, errOut := leadscore(t, "", reviewArgs("json")...)
	require.Equal(t, exitOK, code, errOut)
	var doc any
	require.NoError(t, json.Unmarshal([]byte(js), &doc))
	num := func(path string) float64 {
		v, ok := lookup(doc, path)
		require.True(t, ok, path)
		f, ok := v.(float64)
		require.True(t, ok, "%s: %v", path, v)
		return f
	}

	glance := strings.Index(page, `<section id="summary"`)
	require.Greater(t, glance, 0, "the page has its summary")
	assert.Less(t, glance, strings.Index(page, `<section id="definition">`), "the summary comes before the definition")

	tiles := map[string][2]string{}
	var order []string
	for _, m := range kpiRE.FindAllStringSubmatch(page, -1) {
		tiles[m[3]] = [2]string{m[1], m[2]}
		order = append(order, m[3])
	}
	assert.Equal(t, []string{"auc", "recall", "missed_revenue", "handoffs_per_period", "threshold", "proposed_auc", "acceptance_rate", "sla_breaches", "proposed_sales_ready"}, order)
	for kpi, pv := range tiles {
		got, err := strconv.ParseFloat(pv[1], 64)
		require.NoError(t, err, kpi)
		assert.Equal(t, num(pv[0]), got, "%s is the JSON's %s", kpi, pv[0])
	}
	// Each tile names the figure it should: the recomputable ones from
	// their parts.
	assert.Equal(t, "backtest.auc", tiles["auc"][0])
	assert.Equal(t, "backtest_proposed.auc", tiles["proposed_auc"][0])
	assert.Equal(t, "backtest.capacity.threshold", tiles["threshold"][0])
	assert.Equal(t, "diff.impact.sales_ready_new", tiles["proposed_sales_ready"][0])
	assert.Equal(t, "feedback.sla.breached", tiles["sla_breaches"][0])
	rate, _ := strconv.ParseFloat(tiles["acceptance_rate"][1], 64)
	assert.InDelta(t, num("feedback.accepted")/num("feedback.dispositioned"), rate, 1e-12, "acceptance: accepted over verdicts")
	recall, _ := strconv.ParseFloat(tiles["recall"][1], 64)
	assert.InDelta(t, num("backtest.sales_ready.won")/num("backtest.won"), recall, 1e-12, "recall: the sales-ready stage's won over all won")
	perWeek, _ := strconv.ParseFloat(tiles["handoffs_per_period"][1], 64)
	assert.InDelta(t, num("backtest.capacity.current.crossed")/num("backtest.capacity.periods"), perWeek, 1e-12, "hand-offs: crossings over the weeks of history")

	// What to change: the threshold first (the current definition sends
	// fewer than sales can work), and the proposed change's effect.
	findings := regexp.MustCompile(`<li data-finding="([^"]*)">`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, findings)
	assert.Equal(t, "threshold", findings[0][1])
	assert.True(t, strings.Contains(page, "Lower the hand-off: the current definition hands over"), "the threshold's finding")
	kinds := map[string]bool{}
	for _, f := range findings {
		kinds[f[1]] = true
	}
	assert.True(t, kinds["proposed"] && kinds["no-evidence"] && kinds["contradicted"], "findings: %v", kinds)
	// The two lead files, and the three sales-ready counts, said apart.
	assert.True(t, strings.Contains(page, "Scored: "+td("leads.ndjson")+" as of 2026-10-01."), "the scored leads named")
	assert.True(t, strings.Contains(page, "Backtested: "+td("backtest/leads.ndjson")+" at the snapshot 2026-07-01"), "the backtest's leads named")
}

// The leads a change moves are listed as sales knows them: the fields the
// model declares that name them (title, here), what became of them in the
// CRM, and whether they move up or down the ladder.
func TestDiffListsLeadsAsSalesKnowsThem(t *testing.T) {
	args := []string{"diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--leads", td("leads.ndjson"), "--at", "2026-10-01", "--outcomes", td("outcomes.csv")}
	code, md, errOut := leadscore(t, "", args...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, md, "| lead | line | total | stage | title | outcome | moved by |")
	assert.Contains(t, md, "| L0000670 | 670 | 97.48 → 102.48 | sql → mql ↓ | Data Analyst | won 10,600 on 2026-11-05 | grade B → C;")
	assert.Contains(t, md, "| L0000093 | 93 | 112 → 117 | mql → sql ↑ | Director of Marketing | the condition")

	code, js, errOut := leadscore(t, "", append(args, "--format", "json", "--show", "title,country")...)
	require.Equal(t, exitOK, code, errOut)
	var rep struct {
		Impact struct {
			Show    []string `json:"show"`
			Stopped []struct {
				ID        string         `json:"id"`
				Direction string         `json:"direction"`
				Fields    map[string]any `json:"fields"`
				Outcome   string         `json:"outcome"`
			} `json:"stopped"`
			Moves []struct {
				From, To, Direction string
			} `json:"moves"`
		} `json:"impact"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &rep))
	assert.Equal(t, []string{"title", "country"}, rep.Impact.Show)
	var l670 bool
	for _, l := range rep.Impact.Stopped {
		assert.Equal(t, "down", l.Direction, "sql to mql is down")
		if l.ID == "L0000670" {
			l670 = true
			assert.Equal(t, "Data Analyst", l.Fields["title"])
			assert.Contains(t, l.Fields, "country")
			assert.Equal(t, "won 10,600 on 2026-11-05", l.Outcome)
		}
	}
	assert.True(t, l670)
	ladder := map[string]int{"": 0, "engaged": 1, "mql": 2, "sql": 3}
	for _, m := range rep.Impact.Moves {
		want := ""
		if ladder[m.To] > ladder[m.From] {
			want = "up"
		} else if ladder[m.To] < ladder[m.From] {
			want = "down"
		}
		assert.Equal(t, want, m.Direction, "%s → %s", m.From, m.To)
	}

	code, _, errOut = leadscore(t, "", append(args, "--show", "titel")...)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore diff: --show titel: the model declares no field \"titel\"; did you mean \"title\"?\n", errOut)
}

// diff --backtest-at backtests both versions on the same leads and outcomes:
// each is exactly what backtest reports for that version (JSON backtest
// and backtest_proposed), the page sets them side by side, and the
// Markdown gives the reviewers the measures they decide on.
func TestDiffBacktestsBothVersions(t *testing.T) {
	common := []string{"--leads", td("backtest/leads.ndjson"), "--outcomes", td("backtest/outcomes.csv"), "--at", "2026-10-01"}
	bt := []string{"--backtest-at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week"}
	args := append(append([]string{"diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml")}, common...), bt...)
	code, js, stderr := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code, stderr)
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(js), &got))
	for key, model := range map[string]string{"backtest": "b2b-saas.yaml", "backtest_proposed": "b2b-saas-v2.yaml"} {
		_, alone, _ := leadscore(t, "", "backtest", "--model", td(model), "--at", "2026-07-01", "--until", "2026-10-01", "--capacity", "40/week",
			"--outcomes", td("backtest/outcomes.csv"), "--leads", td("backtest/leads.ndjson"), "--format", "json")
		assert.JSONEq(t, alone, string(got[key]), "%s is backtest's own report of %s", key, model)
	}
	_, page, _ := leadscore(t, "", append(args, "--format", "html")...)
	assert.Contains(t, page, `<section id="compare">`)
	assert.Contains(t, page, `data-kpi="proposed_auc"`)
	_, md, _ := leadscore(t, "", args...)
	assert.Contains(t, md, "## Backtested: both versions at 2026-07-01\n\nThe same 1,818 leads, judged by the 25 deals won from the snapshot to 2026-10-01.")
	assert.Contains(t, md, "| hand-offs a week (capacity 40) | 2.46 (95%: 1.68 to 3.47) | 2.85 (95%: 2.00 to 3.92) |")
	assert.Contains(t, md, "| AUC | 0.838 (95%: 0.771 to 0.888) | 0.822 (95%: 0.744 to 0.880) |")

	// The leads are read for the backtests as for the impact: a row limit
	// every row exceeds fails them all in both.
	_, js, _ = leadscore(t, "", append(args, "--max-row", "100", "--format", "json")...)
	var limited struct {
		Impact   struct{ Failed int } `json:"impact"`
		Backtest struct {
			Leads struct {
				InBacktest int `json:"in_backtest"`
			}
		} `json:"backtest"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &limited))
	assert.Equal(t, 3000, limited.Impact.Failed)
	assert.Zero(t, limited.Backtest.Leads.InBacktest, "the backtest read the rows the impact failed")

	code, _, stderr = leadscore(t, "", "diff", td("b2b-saas.yaml"), td("b2b-saas-v2.yaml"), "--backtest-at", "2026-07-01")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--backtest-at backtests both versions on leads and what became of them: give --leads and --outcomes")
}

// --currency takes a currency's code or sign, not markup or a sentence.
func TestCurrencyFlagTakesACode(t *testing.T) {
	base := []string{"attribute", "--model", td("b2b-saas.yaml"), "--leads", td("leads.ndjson"), "--outcomes", td("outcomes.csv"), "--costs", td("costs.csv"), "--at", "2026-10-01", "--format", "html"}
	for _, ok := range []string{"EUR", "€", "USD"} {
		code, page, stderr := leadscore(t, "", append(base, "--currency", ok)...)
		require.Equal(t, exitOK, code, stderr)
		assert.True(t, strings.Contains(page, "cost ("+html.EscapeString(ok)+")"), "a money column names %s", ok)
	}
	for _, bad := range []string{`<b>€"`, "US Dollar", "", "EURO-ZONE"} {
		code, _, stderr := leadscore(t, "", append(base, "--currency", bad)...)
		assert.Equal(t, exitUsage, code, bad)
		assert.Contains(t, stderr, "is not a currency: give its code, such as USD or EUR, or its sign, such as €", bad)
	}
}
