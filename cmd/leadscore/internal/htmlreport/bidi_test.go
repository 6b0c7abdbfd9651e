package htmlreport_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/cmd/leadscore/internal/htmlreport"
)

// Names come from rule files, exports and file names. One holding a
// character that turns text around (U+202E), an unmatched closer (U+2069,
// U+202C) or right-to-left words must not reorder anything beside it, in
// any place a page shows words: every such run is isolated and balanced.
func TestRightToLeftNamesStayInTheirPlace(t *testing.T) {
	hostile := []string{
		"leads\u202Etxt.ndjson 120", // turns what follows around
		"\u2069\u202Ewebinar 40",    // closes an isolate it did not open, then turns
		"q4 \u202C\u202Dlaunch",     // closes nothing, then overrides
		"קמפיין 2026 חורף 35",       // Hebrew words with a number between
		"حملة ١٢٣ spring",           // Arabic with Arabic-Indic digits
	}
	name := strings.Join(hostile, " | ")
	cell := htmlreport.Text(name)
	rows := []htmlreport.Row{{Cells: []htmlreport.Cell{htmlreport.Badge(name), htmlreport.Int("leads", 7)}}}
	for _, h := range hostile {
		rows = append(rows, htmlreport.Row{Cells: []htmlreport.Cell{htmlreport.Text(h), htmlreport.Int("leads", 7)}})
	}
	page := &htmlreport.Page{
		Title:    name,
		Subtitle: name,
		Summary: &htmlreport.Summary{
			Warnings: []string{name},
			Tiles:    []htmlreport.Tile{{KPI: "k", Label: name, Value: htmlreport.Int("won", 3), Detail: htmlreport.Sentence{cell, htmlreport.Int("n", 4)}}},
			Changes:  []htmlreport.Finding{{Kind: "none", Line: htmlreport.Sentence{cell}}},
			Sources:  []htmlreport.Sentence{{cell}},
		},
		Sections: []htmlreport.Section{{
			ID: "s", Title: name, Warnings: []string{name}, Summary: []htmlreport.Sentence{{cell, htmlreport.Int("x", 1)}},
			Intro: []string{name},
			Blocks: []htmlreport.Block{{
				Title: name, Lead: htmlreport.Sentence{cell},
				Chart: htmlreport.Bars(name, hostile, []string{name}, [][]float64{{1}, {2}, {3}, {4}, {5}}, "int"),
				Table: &htmlreport.Table{Head: []string{name, "leads"}, Rows: rows},
				Note:  name,
			}},
		}, {ID: "t", Title: "second"}},
	}
	var b bytes.Buffer
	require.NoError(t, page.Render(&b))
	html := b.String()

	// Walk the page's text as a browser orders it: <bdi> opens an isolate, the
	// characters open and close theirs. Outside a name, nothing is open.
	var open []byte
	closeTo := func(kind byte) {
		for i := len(open) - 1; i >= 0; i-- {
			if open[i] == kind {
				open = open[:i]
				return
			}
			if kind == 'E' && open[i] == 'I' {
				return // a PDF does not reach out of an isolate
			}
		}
	}
	line, inTag := 1, false
	for i, r := range html {
		switch {
		case inTag: // attributes are not shown
			inTag = r != '>'
		case r == '\n':
			line++
		case strings.HasPrefix(html[i:], "<bdi>"):
			open = append(open, 'I')
		case strings.HasPrefix(html[i:], "</bdi>"):
			closeTo('I')
		case r == '<':
			inTag = true
			require.Empty(t, open, "line %d: a reordering character is still open at %q", line, html[i:min(i+40, len(html))])
		case r == '\u202A' || r == '\u202B' || r == '\u202D' || r == '\u202E':
			open = append(open, 'E')
		case r == '\u202C':
			closeTo('E')
		case r == '\u2066' || r == '\u2067' || r == '\u2068':
			open = append(open, 'I')
		case r == '\u2069':
			require.NotEmpty(t, open, "line %d: a PDI closes what the page opened", line)
			closeTo('I')
		}
	}
	assert.Empty(t, open)

	// Words stay whole and in order inside their isolate: the Hebrew
	// phrase with its number, the Arabic one up to its Latin word; what a
	// name says is kept, only closers that closed nothing go.
	for _, want := range []string{
		"<td><bdi>קמפיין 2026 חורף</bdi> 35</td>",
		"<td><bdi>حملة ١٢٣</bdi> spring</td>",
		"<td><bdi>leads\u202Etxt.ndjson\u202C</bdi> 120</td>",
		"<td><bdi>\u202Ewebinar\u202C</bdi> 40</td>",
		"<td>q4 <bdi>\u202Dlaunch\u202C</bdi></td>",
		// SVG text and the title use the isolate characters.
		">\u2068קמפיין 2026 חורף\u2069 35</text>",
		"<title>\u2068leads\u202Etxt.ndjson\u202C\u2069 120 | ",
		// Plain names are untouched.
		"<h2>second</h2>",
	} {
		assert.True(t, strings.Contains(html, want), "the page has no %+q", want)
	}
	// Punctuation alone ends a run: each name keeps its own number.
	assert.Equal(t, "week 3 · \u2068אבג\u2069 120 · \u2068דהו\u2069 45", htmlreport.IsolateTextForTest("week 3 · אבג 120 · דהו 45"))
	// A no-break space separates words as a space does.
	assert.Equal(t, "\u2068נשר\u2069\u00a0120\u00a0leads", htmlreport.IsolateTextForTest("נשר\u00a0120\u00a0leads"))
	// Numbers inside a right-to-left phrase stay with it.
	assert.Equal(t, "\u2068קמפיין 2026 חורף\u2069 35", htmlreport.IsolateTextForTest("קמפיין 2026 חורף 35"))
}

// The crosshair's labels are split by the page's script at newlines: each
// label is isolated on its own, never one isolate across two.
func TestCrosshairLabelsIsolatedOneByOne(t *testing.T) {
	v1, v2 := 120.0, 130.0
	svg, _ := htmlreport.Line{Title: "t", X: []float64{1, 2}, XLabel: "שבוע", YLabel: "y", Series: []string{"אבג"}, Y: [][]*float64{{&v1, &v2}}}.SVG()
	m := regexp.MustCompile(`data-labels="([^"]*)"`).FindStringSubmatch(string(svg))
	require.NotNil(t, m)
	lines := strings.Split(m[1], "\n")
	require.Len(t, lines, 2)
	for _, l := range lines {
		assert.Equal(t, strings.Count(l, "\u2068"), strings.Count(l, "\u2069"), "%q", l)
		assert.Positive(t, strings.Count(l, "\u2068"), "%q", l)
	}
}
