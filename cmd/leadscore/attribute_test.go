package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// csvRecords reads a CSV file or text into rows by header.
func csvRecords(t *testing.T, text string) []map[string]string {
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	require.NoError(t, err)
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

func readText(t *testing.T, name string) string {
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

func rat(t *testing.T, s string) *big.Rat {
	q, ok := new(big.Rat).SetString(s)
	require.True(t, ok, s)
	return q
}

// --credit-out on PathData: the rows summed exactly (math/big) by model
// and channel are the report's CSV figures, rounded once; --transitions-out
// writes each chain and its removal effects.
func TestAttributePathsOutputs(t *testing.T) {
	dir := t.TempDir()
	creditOut, transOut := filepath.Join(dir, "credit.csv"), filepath.Join(dir, "transitions.csv")
	models := "linear,markov:auto,markov:2:nonull,shapley"
	code, out, errOut := leadscore(t, "", "attribute", "--paths", td(filepath.Join("paths", "PathData.csv")), "--models", models,
		"--format", "csv", "--credit-out", creditOut, "--transitions-out", transOut)
	require.Equal(t, exitOK, code, errOut)
	sums := map[string]*big.Rat{} // model/channel/what
	for _, row := range csvRecords(t, readText(t, creditOut)) {
		for _, what := range []string{"conversions", "value"} {
			for _, ch := range []string{row["channel"], "total"} {
				k := row["model"] + "/" + ch + "/" + what
				if sums[k] == nil {
					sums[k] = new(big.Rat)
				}
				sums[k].Add(sums[k], rat(t, row[what]))
			}
		}
	}
	report := csvRecords(t, out)
	require.Len(t, report, 13, "12 channels and the total")
	for _, row := range report {
		for _, m := range strings.Split(models, ",") {
			for _, what := range []string{"conversions", "value"} {
				want, _ := sums[m+"/"+row["channel"]+"/"+what].Float64()
				got, err := strconv.ParseFloat(row[m+"_"+what], 64)
				require.NoError(t, err)
				assert.Equal(t, want, got, "%s %s %s", m, row["channel"], what)
			}
		}
	}
	assert.Equal(t, "19785", sums["linear/total/conversions"].RatString(), "the total is the input's, exactly")
	assert.Equal(t, "74802.97158721083751036", sums["shapley/total/value"].FloatString(17))

	trans := csvRecords(t, readText(t, transOut))
	kinds := map[string]int{}
	for _, row := range trans {
		kinds[row["model"]+" "+row["kind"]]++
	}
	assert.Equal(t, 12, kinds["markov:auto removal_effect"])
	assert.Equal(t, 12, kinds["markov:2:nonull removal_effect"])
	assert.Greater(t, kinds["markov:auto transition"], 100)
	assert.Equal(t, map[string]string{"model": "markov:auto", "kind": "transition", "from": "(start)", "to": "alpha", "count": "28846",
		"probability": "0.32636021134329707", "channel": "", "conversion_effect": "", "value_effect": ""}, trans[0], "28,846 of PathData's 88,387 journeys start at alpha")
}

// Columns in any order, under other names, with another delimiter and
// separator; mistakes in the flags are told before reading.
func TestAttributePathsFlexibleInput(t *testing.T) {
	in := writeTemp(t, "p.csv", "lost,conv,journey,revenue\n2,1,a|b,5\n0,0,b,0\n1,1,b|a|a,0.125\nx,1,c,1\n")
	code, out, errOut := leadscore(t, "", "attribute", "--paths", in, "--delimiter", ",", "--path-separator", "|",
		"--columns", "path=journey,conversions=conv,value=revenue,null=lost", "--models", "first_touch,markov:1", "--format", "csv")
	assert.Equal(t, exitProblem, code)
	assert.Equal(t, in+":5: lost: want a number of at least 0, got \"x\"\n4 paths read: 3 used, 1 failed\n", errOut) // the 3rd line has no conversions: read, used
	assert.Equal(t, "channel,first_touch_conversions,first_touch_value,markov:1_conversions,markov:1_value\n"+
		"a,1,5,", out[:len("channel,first_touch_conversions,first_touch_value,markov:1_conversions,markov:1_value\na,1,5,")])
	assert.Contains(t, out, "total,2,5.125,2,5.125\n")

	for args, want := range map[string]string{
		"--delimiter ;;":                          `leadscore attribute: --delimiter ";;": give one character, such as ';', ',' or tab`,
		"--columns path":                          `leadscore attribute: --columns "path": write role=column pairs with the roles path, conversions, value and null, such as path=journey,conversions=conv`,
		"--columns conversion=x":                  `leadscore attribute: --columns "conversion=x": write role=column pairs with the roles path, conversions, value and null, such as path=journey,conversions=conv`,
		"--path-separator ;":                      `leadscore attribute: the channel separator ";" holds the column delimiter ';'; choose another of the two`,
		"--models linear --transitions-out x.csv": "leadscore attribute: --transitions-out writes Markov chains; add one to --models, such as markov:2 or markov:auto",
		"--models markov:auto:nonull":             "leadscore attribute: --models: markov:auto:nonull: markov:auto chooses the order by how well it predicts which paths convert, which needs the paths that did not (nulls); give markov:K:nonull with an order instead",
	} {
		code, _, errOut := leadscore(t, "", append([]string{"attribute", "--paths", td(filepath.Join("paths", "PathData.csv"))}, strings.Fields(args)...)...)
		assert.Equal(t, exitUsage, code, args)
		assert.Equal(t, want+"\n", errOut, args)
	}
	code, _, errOut = leadscore(t, "", "attribute", "--journeys", td("journeys.ndjson"), "--delimiter", ",")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "leadscore attribute: --delimiter describes a --paths file; journeys have their own columns\n", errOut)
}

// --credit-out for journeys: rule-based models per journey, data-driven
// ones per distinct path; each sums to its table of the report.
func TestAttributeJourneysCreditOut(t *testing.T) {
	creditOut := filepath.Join(t.TempDir(), "credit.csv")
	code, out, errOut := leadscore(t, "", "attribute", "--journeys", td("journeys.ndjson"), "--models", "linear,w_shaped,markov:1,shapley",
		"--format", "json", "--credit-out", creditOut)
	require.Equal(t, exitOK, code, errOut)
	sums := map[string]*big.Rat{}
	ids := map[string]bool{}
	for _, row := range csvRecords(t, readText(t, creditOut)) {
		k := row["model"] + "/" + row["campaign"] + "/" + row["channel"]
		if sums[k] == nil {
			sums[k] = new(big.Rat)
		}
		sums[k].Add(sums[k], rat(t, row["value"]))
		ids[row["model"]+" "+row["id"][:1]] = true
	}
	assert.True(t, ids["linear L"], "rule-based rows are per journey (ids L...)")
	assert.False(t, ids["markov:1 L"], "data-driven rows are per path")
	total := func(prefix string) float64 {
		s := new(big.Rat)
		for k, v := range sums {
			if strings.HasPrefix(k, prefix) {
				s.Add(s, v)
			}
		}
		f, _ := s.Float64()
		return f
	}
	assert.Contains(t, out, `"credit":[{"conversions":18,"revenue":388600`, "the total row")
	assert.Equal(t, 388600.0, total("linear/"))
	assert.Equal(t, 388600.0, total("w_shaped/"))
	assert.Equal(t, 354900.0, total("markov:1/"), "the journeys with a path")
	assert.Equal(t, 354900.0, total("shapley/"))
}

// atd names a file of the attribution package's test data.
func atd(name string) string { return filepath.Join("..", "..", "attribution", "testdata", name) }

// A header is read by name or not at all: a reordered header with other
// names stops the run at its line with the --columns that reads it, and
// that run gives the file's own figures (worked by hand: a > b;100;1;2 and
// b;50;3;1 are 4 conversions, value 150, 3 nulls).
func TestAttributePathsHeaderByName(t *testing.T) {
	in := atd("header-reordered.csv")
	code, out, errOut := leadscore(t, "", "attribute", "--paths", in, "--models", "linear", "--format", "csv")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out, "no report from a file that was not read")
	assert.Equal(t, in+`:1: the header has no total_conversions column (did you mean "conversions"?), no total_conversion_value column (did you mean "revenue"?), no total_null column (did you mean "nulls"?); its columns are path, revenue, conversions, nulls; if so, run with --columns conversions=conversions,value=revenue,null=nulls (or rename the header's columns to path, total_conversions, total_conversion_value, total_null)`+"\n", errOut)
	code, out, errOut = leadscore(t, "", "attribute", "--paths", in, "--models", "linear", "--format", "csv",
		"--columns", "conversions=conversions,value=revenue,null=nulls")
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "channel,linear_conversions,linear_value\nb,3.5,100\na,0.5,50\ntotal,4,150\n", out) // b: 0.5 + 3 conversions, 50 + 50 value; by credit

	// A run stopped by its header leaves no output file behind.
	creditOut := filepath.Join(t.TempDir(), "credit.csv")
	code, _, _ = leadscore(t, "", "attribute", "--paths", in, "--models", "linear", "--credit-out", creditOut)
	assert.Equal(t, exitUsage, code)
	_, err := os.Stat(creditOut)
	assert.True(t, os.IsNotExist(err), "the credit file of a run that could not be made is removed")

	// A misspelt value column, or a --columns name not in the header: refused, with a did-you-mean.
	in = atd("header-typo-value.csv")
	for _, args := range [][]string{{}, {"--columns", "value=revnue"}} {
		code, out, errOut = leadscore(t, "", append([]string{"attribute", "--paths", in, "--models", "linear;markov:1"}, args...)...)
		assert.Equal(t, exitUsage, code, args)
		assert.Empty(t, out, args)
		assert.Contains(t, errOut, in+":1: the header has no ", args)
		assert.Contains(t, errOut, `(did you mean "total_conversion_vaule"?)`, args)
		assert.Contains(t, errOut, "run with --columns value=total_conversion_vaule", args)
	}
	assert.Contains(t, errOut, `no column "revnue", which --columns names as the value column`)

	// A header of unknown names, after a blank line, is not read as data.
	in = writeTemp(t, "h.csv", "\njourney;conv;rev;lost\na > b;1;10;2\n")
	code, _, errOut = leadscore(t, "", "attribute", "--paths", in)
	assert.Equal(t, exitUsage, code)
	assert.True(t, strings.HasPrefix(errOut, in+`:2: the header has no path column (did you mean "journey"?)`), errOut)
	assert.Contains(t, errOut, "--columns path=journey,conversions=conv,value=rev,null=lost")
	assert.NotContains(t, errOut, "paths read", "the header is not counted as a failed path")

	// --columns naming a role twice is refused, not half kept.
	code, _, errOut = leadscore(t, "", "attribute", "--paths", atd("plain.csv"), "--columns", "path=a,path=b")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, `leadscore attribute: --columns "path=a,path=b" names the path column twice (a and b); name it once`+"\n", errOut)
}

// A comma-separated file read with the default ';' is told --delimiter.
func TestAttributePathsCommaFile(t *testing.T) {
	in := writeTemp(t, "p.csv", "path,total_conversions,total_conversion_value,total_null\na > b,1,10,2\n")
	code, out, errOut := leadscore(t, "", "attribute", "--paths", in)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Equal(t, in+`:1: the header looks separated by ",": run with --delimiter ','; read with ";" between columns, it is one column, "path,total_conversions,total_conversion_value,total_null"`+"\n", errOut)
	code, _, errOut = leadscore(t, "", "attribute", "--paths", in, "--delimiter", ",")
	assert.Equal(t, exitOK, code, errOut)
}

// An absent value or null column is said in the report, in every format.
func TestAttributePathsAbsentColumnNoted(t *testing.T) {
	in := writeTemp(t, "p.csv", "path;total_conversions\na > b;1\n")
	note := "the header has no total_conversion_value column, so the paths carry no conversion value and every value credit is 0"
	for _, format := range []string{"table", "markdown", "json"} {
		code, out, errOut := leadscore(t, "", "attribute", "--paths", in, "--models", "linear", "--format", format)
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, note, format)
		assert.Contains(t, out, "the header has no total_null column", format)
	}
	code, _, errOut := leadscore(t, "", "attribute", "--paths", in, "--models", "linear", "--format", "csv")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "leadscore attribute: note: "+note)
}

// With --path-separator, the credit file's ids and the transitions'
// states use it: three different paths keep three ids, each state has its
// own outgoing transitions adding up to 1.
func TestAttributePathsSeparatorInOutputs(t *testing.T) {
	dir := t.TempDir()
	creditOut, transOut := filepath.Join(dir, "c.csv"), filepath.Join(dir, "t.csv")
	code, _, errOut := leadscore(t, "", "attribute", "--paths", atd("separator-collide.csv"), "--path-separator", "|",
		"--models", "linear;markov:2", "--credit-out", creditOut, "--transitions-out", transOut)
	require.Equal(t, exitOK, code, errOut)
	// linear shares each path's own conversions: a > b|c 1, a|b > c 2, a|b|c 4.
	conv := map[string]*big.Rat{}
	for _, row := range csvRecords(t, readText(t, creditOut)) {
		if row["model"] != "linear" {
			continue
		}
		if conv[row["id"]] == nil {
			conv[row["id"]] = new(big.Rat)
		}
		conv[row["id"]].Add(conv[row["id"]], rat(t, row["conversions"]))
	}
	assert.Equal(t, map[string]string{"a > b | c": "1", "a | b > c": "2", "a | b | c": "4"},
		map[string]string{"a > b | c": conv["a > b | c"].RatString(), "a | b > c": conv["a | b > c"].RatString(), "a | b | c": conv["a | b | c"].RatString()})
	assert.Len(t, conv, 3)
	out := map[string]float64{}
	for _, row := range csvRecords(t, readText(t, transOut)) {
		if row["kind"] == "transition" {
			p, err := strconv.ParseFloat(row["probability"], 64)
			require.NoError(t, err)
			out[row["from"]] += p
		}
	}
	for from, sum := range out {
		assert.InDelta(t, 1, sum, 1e-12, from)
	}
	assert.Contains(t, out, "a | b")
	assert.Contains(t, out, "a > b")
}

// Models of one kind with different settings are columns of their own,
// each crediting every conversion once (18 converted journeys, one
// conversion each); a model listed twice is refused.
func TestAttributeModelLabelsKeepSettings(t *testing.T) {
	creditOut := filepath.Join(t.TempDir(), "cu.csv")
	code, out, errOut := leadscore(t, "", "attribute", "--journeys", td("journeys.ndjson"), "--format", "csv", "--credit-out", creditOut,
		"--models", "time_decay:7d;time_decay:30d;custom:first_touch=1;custom:sales_ready=1")
	require.Equal(t, exitOK, code, errOut)
	header := strings.Split(strings.SplitN(out, "\n", 2)[0], ",")
	seen := map[string]bool{}
	for _, h := range header {
		assert.False(t, seen[h], "column %s twice", h)
		seen[h] = true
	}
	assert.True(t, seen["time_decay:30d_conversions"] && seen["custom:sales_ready=1_conversions"], "%v", header)
	converted := strings.Count(readText(t, td("journeys.ndjson")), `"converted":true`)
	require.Equal(t, 18, converted)
	sums := map[string]*big.Rat{}
	for _, row := range csvRecords(t, readText(t, creditOut)) {
		if sums[row["model"]] == nil {
			sums[row["model"]] = new(big.Rat)
		}
		sums[row["model"]].Add(sums[row["model"]], rat(t, row["conversions"]))
	}
	require.Len(t, sums, 4)
	for m, s := range sums {
		assert.Equal(t, "18", s.RatString(), m)
	}
	for _, args := range [][]string{
		{"--journeys", td("journeys.ndjson"), "--models", "linear;linear"},
		{"--paths", atd("plain.csv"), "--models", "linear,markov:1,linear"},
	} {
		code, _, errOut = leadscore(t, "", append([]string{"attribute"}, args...)...)
		assert.Equal(t, exitUsage, code, args)
		assert.Equal(t, "leadscore attribute: --models lists linear twice; list each model once (two of one kind with different settings, such as time_decay:7d;time_decay:30d, are fine)\n", errOut, args)
	}
}

// The 255-channel limit: paths over it fail alone, with a message that
// says it counts the whole file and what to do; a failed path leaves no
// channel in the report.
func TestAttributePathsChannelLimit(t *testing.T) {
	in := atd("channels-300.csv")
	code, _, errOut := leadscore(t, "", "attribute", "--paths", in, "--models", "linear", "--format", "csv")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, in+`:257: this path brings 1 new channels ("campaign-255") to the 255 already read: 256 distinct channels, over the 255 a report can hold (counted over the whole file, not per path); group rare channels into fewer`)
	assert.Contains(t, errOut, "300 paths read: 255 used, 45 failed\n")

	code, out, errOut := leadscore(t, "", "attribute", "--paths", atd("channels-leak.csv"), "--models", "linear,markov:1", "--format", "csv")
	assert.Equal(t, exitProblem, code)
	assert.Contains(t, errOut, "2 paths read: 1 used, 1 failed\n")
	assert.Equal(t, "channel,linear_conversions,linear_value,markov:1_conversions,markov:1_value\nx,1,10,1,10\ntotal,1,10,1,10\n", out)
}

// Formats, delimiters and output files are checked before anything is
// read: no report is printed by a run that cannot finish, and an output
// that is an input is refused, the input left as it was.
func TestAttributeChecksBeforeRunning(t *testing.T) {
	plain := atd("plain.csv")
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	require.NoError(t, os.WriteFile(in, []byte(readText(t, plain)), 0o644))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--paths", plain, "--format", "xml"}, `unknown --format "xml"; use table, markdown, csv, json or html`},
		{[]string{"--paths", in, "--credit-out", filepath.Join(dir, ".", "p.csv")}, "--credit-out " + filepath.Join(dir, ".", "p.csv") + " is also --paths: writing it would overwrite that file; give --credit-out another file name"},
		{[]string{"--paths", plain, "--credit-out", filepath.Join(dir, "x.csv"), "--models", "markov:1", "--transitions-out", filepath.Join(dir, "x.csv")}, "--transitions-out " + filepath.Join(dir, "x.csv") + " is also --credit-out: writing it would overwrite that file; give --transitions-out another file name"},
		{[]string{"--journeys", td("journeys.ndjson"), "--journeys-out", td("journeys.ndjson")}, "--journeys-out " + td("journeys.ndjson") + " is also --journeys: writing it would overwrite that file; give --journeys-out another file name"},
		{[]string{"--paths", plain, "--credit-out", filepath.Join(dir, "none", "x.csv")}, "--credit-out: cannot create " + filepath.Join(dir, "none", "x.csv") + " (no such file or directory); give a file in a folder that exists and that you can write to"},
		{[]string{"--journeys", td("journeys.ndjson"), "--credit-out", filepath.Join(dir, "none", "x.csv")}, "--credit-out: cannot create " + filepath.Join(dir, "none", "x.csv") + " (no such file or directory); give a file in a folder that exists and that you can write to"},
		{[]string{"--paths", plain, "--journeys-out", filepath.Join(dir, "x.csv")}, "--journeys-out writes the journeys built from --leads; a --paths file has no journeys to write"},
		{[]string{"--leads", td("leads.ndjson"), "--credit-out", filepath.Join(dir, "x.csv")}, "--leads needs --model, the rule file that says when a lead is sales-ready"},
		{[]string{"--paths", plain, "--delimiter", "."}, "the column delimiter '.' can be part of a number (such as 1.5e3 or -2), so it cannot separate the amount columns; use ';', ',', or a tab"},
		{[]string{"--paths", plain, "--delimiter", "1"}, "the column delimiter '1' can be part of a number (such as 1.5e3 or -2), so it cannot separate the amount columns; use ';', ',', or a tab"},
	} {
		code, out, errOut := leadscore(t, "", append([]string{"attribute"}, c.args...)...)
		assert.Equal(t, exitUsage, code, c.args)
		assert.Empty(t, out, c.args)
		assert.Equal(t, "leadscore attribute: "+c.want+"\n", errOut, c.args)
	}
	assert.Equal(t, readText(t, plain), readText(t, in), "the input is untouched")
	_, err := os.Stat(filepath.Join(dir, "x.csv"))
	assert.True(t, os.IsNotExist(err), "no output is created when the outputs are refused")
}

// attribute --leads --at counts nothing after --at: leads created after it
// are left out, and opportunities and wins after it do not count; the
// report says how many, and the totals agree with a count from the files.
func TestAttributeAtCutsEverythingAfter(t *testing.T) {
	at := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	code, out, errOut := leadscore(t, "", "attribute", "--leads", td("leads.ndjson"), "--model", td("b2b-saas.yaml"),
		"--outcomes", td("outcomes.csv"), "--at", "2026-08-01", "--models", "first_touch", "--format", "json")
	require.Equal(t, exitOK, code, errOut)

	// Independently: which leads existed at --at, and which of them won by it.
	created := map[string]bool{}
	late := 0
	data, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var l struct {
			ID        string    `json:"id"`
			CreatedAt time.Time `json:"created_at"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &l))
		if l.CreatedAt.After(at) {
			late++
		} else {
			created[l.ID] = true
		}
	}
	won, lateWins := 0, 0
	data, err = os.ReadFile(td("outcomes.csv"))
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		cells := strings.Split(line, ",")
		if !created[cells[0]] || cells[2] == "" {
			continue
		}
		w, err := time.Parse(time.RFC3339, cells[2])
		require.NoError(t, err)
		if w.After(at) {
			lateWins++
		} else {
			won++
		}
	}
	var rep struct {
		Warnings []string `json:"warnings"`
		Total    struct {
			Credit []struct {
				Conversions float64 `json:"conversions"`
			} `json:"credit"`
			Funnel struct {
				Touched int `json:"touched"`
			} `json:"funnel"`
		} `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, len(created), rep.Total.Funnel.Touched, "one journey a lead that existed at --at")
	assert.Equal(t, float64(won), rep.Total.Credit[0].Conversions)
	assert.Contains(t, rep.Warnings[0], fmt.Sprintf("%d leads created after it left out", late))
	assert.Contains(t, rep.Warnings[0], fmt.Sprintf("%d won deals", lateWins))
	assert.Contains(t, errOut, fmt.Sprintf("1000 lead rows read: %d journeys used, %d created after --at, 0 failed", len(created), late))
	t.Logf("at %s: %d journeys, %d won; left out %d leads, %d later wins", at.Format("2006-01-02"), len(created), won, late, lateWins)
}
