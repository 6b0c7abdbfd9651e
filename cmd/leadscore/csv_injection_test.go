package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cells of user data that a spreadsheet would take for a formula (a lead
// id, a campaign, a channel, a sales owner beginning with =, +, - or @)
// are written with a single quote before them in every CSV output, and
// the numbers beside them (a negative ROI among them) stay numbers.
func TestCSVOutputsQuoteFormulas(t *testing.T) {
	dir := t.TempDir()
	rewrite := func(src, name string, r *strings.Replacer) string {
		b, err := os.ReadFile(td(src))
		require.NoError(t, err)
		out := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(out, []byte(r.Replace(string(b))), 0o644))
		return out
	}
	r := strings.NewReplacer(`"id":"L0000001"`, `"id":"=1+1"`, `"newsletter"`, `"=HYPERLINK(\"http://x\")"`, `"channel":"email"`, `"channel":"+email"`,
		`"brand-search"`, `"@brand"`, "newsletter,", "\"=HYPERLINK(\"\"http://x\"\")\",", "brand-search,", "@brand,", ",ana.r", ",-ana")
	leads := rewrite("leads.ndjson", "leads.ndjson", r)
	costs := rewrite("costs.csv", "costs.csv", r)
	disp := rewrite("dispositions.csv", "dispositions.csv", r)
	read := func(text string) [][]string {
		rd := csv.NewReader(strings.NewReader(text))
		rd.FieldsPerRecord = -1
		recs, err := rd.ReadAll()
		require.NoError(t, err)
		return recs
	}
	cells := func(recs [][]string) map[string]bool {
		m := map[string]bool{}
		for _, rec := range recs {
			for _, c := range rec {
				m[c] = true
			}
		}
		return m
	}
	unquoted := func(t *testing.T, recs [][]string) {
		for _, rec := range recs {
			for _, c := range rec {
				if c != "" && strings.ContainsRune("=+@", rune(c[0])) {
					t.Errorf("a cell a spreadsheet runs: %q", c)
				}
				if c != "" && c[0] == '-' {
					_, err := strconv.ParseFloat(c, 64)
					assert.NoError(t, err, "a cell beginning with - is a number: %q", c)
				}
			}
		}
	}

	out := filepath.Join(dir, "scores.csv")
	code, _, errOut := leadscore(t, "", "score", "--model", td("b2b-saas.yaml"), "--at", "2026-10-01", "--format", "csv", "-o", out, leads)
	require.Equal(t, exitOK, code, errOut)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	recs := read(string(b))
	assert.Equal(t, "'=1+1", recs[1][0])
	unquoted(t, recs)

	code, text, errOut := leadscore(t, "", "attribute", "--leads", leads, "--model", td("b2b-saas.yaml"), "--outcomes", td("outcomes.csv"),
		"--costs", costs, "--at", "2026-10-01", "--format", "csv")
	require.Equal(t, exitOK, code, errOut)
	recs = read(text)
	c := cells(recs)
	assert.True(t, c[`'=HYPERLINK("http://x")`], "the campaign")
	assert.True(t, c["'@brand"])
	assert.True(t, c["'+email"], "the channel")
	roi := 0
	for _, rec := range recs[1:] {
		for _, v := range rec {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f < 0 {
				roi++
			}
		}
	}
	assert.Positive(t, roi, "negative returns stay numbers")
	unquoted(t, recs)

	code, text, errOut = leadscore(t, "", "feedback", "--leads", leads, "--model", td("b2b-saas.yaml"), "--dispositions", disp, "--at", "2026-10-01", "--format", "csv")
	require.Equal(t, exitOK, code, errOut)
	recs = read(text)
	c = cells(recs)
	assert.True(t, c[`'=HYPERLINK("http://x")`], "the campaign")
	assert.True(t, c["'+email"], "the channel")
	assert.True(t, c["'-ana"], "the owner")
	unquoted(t, recs)
}
