package main

import (
	"encoding/csv"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
