// Package htmlreport lays leadscore's reports (the review of a change, the
// backtest, what sales said, attribution) out as one self-contained HTML
// page each, for a meeting: charts drawn here as SVG, each with the table
// of its numbers beside it, no script or style from anywhere else and no
// network request of any kind, readable printed.
//
// The numbers come from the same structs the commands write as JSON, and
// every number of a table carries, in data-path, where it sits in that JSON
// and, in data-value, the number as JSON writes it; the tests (here, and in
// headless Chromium under .ci/browser) hold the two equal and the text shown
// equal to the number formatted.
//
// The charts are SVG written in Go rather than a JavaScript chart library:
// the page stays small and works with scripts off, prints as crisp vector
// graphics, renders the same bytes for the same report (golden-testable),
// and adds no dependency to audit or update. The one script, inline, moves
// the capacity threshold.
package htmlreport

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"io"
	"strings"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/internal/numfmt"
)

// Page is one HTML page: a title and its sections, in order.
type Page struct {
	Title    string
	Subtitle string
	// Summary, when not empty, is the first screen: tiles and what to change.
	Summary  *Summary
	Sections []Section
	// Currency names the money's currency (USD, EUR): the heads of money
	// columns and the labels of money tiles carry it. Empty: the page says
	// the money is in the data's own currency.
	Currency string
}

// Section is one part of a page, with a heading and its blocks. Under the
// heading come its warnings, then its summary (the answers first, each a
// line of words and numbers), then its intro and its blocks.
type Section struct {
	ID       string
	Title    string
	Warnings []string
	Summary  []Sentence
	Intro    []string // paragraphs
	Blocks   []Block
}

// Sentence is a sentence of words and numbers (Text and number cells), each
// number carrying its place in the report's JSON as a table's do.
type Sentence []Cell

// Block is a chart with the table of its numbers beside it, or a table
// alone (Chart empty). Lead is a line of words and numbers above both,
// Note a line under both.
type Block struct {
	Title string
	Lead  Sentence
	Chart template.HTML // an <svg> drawn by this package
	Table *Table
	Note  string
	// Control is extra markup after the chart (the capacity slider).
	Control template.HTML
	// ScreenOnly blocks are detail left out of print (a line says where
	// they are), so that the review prints on few pages.
	ScreenOnly bool
}

// Table is a table of a report's numbers.
type Table struct {
	ID   string
	Head []string
	Rows []Row
	// Scroll keeps a long table in a box on screen.
	Scroll bool
	// Sortable lets a reader sort the rows by a column: for tables of
	// records that stand alone (rules, campaigns), not of rows that read
	// on from the row above (a funnel, a list of measures).
	Sortable bool
	// PrintKept prints only the rows marked Keep (those around the
	// decision); otherwise a long table prints its first PrintRows rows
	// and those marked Keep. The page says how many rows it left out.
	PrintKept bool
}

// PrintRows is how many rows of a long table print, when it does not
// name its own (PrintKept).
const PrintRows = 6

// printed reports whether row i prints.
func (t *Table) printed(i int) bool {
	if t.PrintKept {
		return t.Rows[i].Keep
	}
	return i < PrintRows || t.Rows[i].Keep || len(t.Rows) <= PrintRows+2
}

// LeftOutInPrint counts the rows that do not print.
func (t *Table) LeftOutInPrint() int {
	n := 0
	for i := range t.Rows {
		if !t.printed(i) {
			n++
		}
	}
	return n
}

// Row is a table row; Attrs are data attributes for the page's script;
// Keep marks a row near the decision, which prints when the table is cut.
type Row struct {
	Cells []Cell
	Attrs map[string]string
	Keep  bool
	// Small greys the row: its figures rest on too few leads to read
	// without their intervals.
	Small bool
}

// plain is the cell's text as it reads: its words, or its parts' joined.
func (c Cell) plain() string {
	if len(c.Parts) == 0 {
		return c.Text
	}
	var b strings.Builder
	for _, p := range c.Parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// Cell is a table cell. A number of the report has Path (where it is in
// the report's JSON), Value (the number as JSON writes it, or null) and
// Format (how Text was written from it: see Format).
type Cell struct {
	Text   string
	Path   string
	Value  string
	Format string
	// Derived marks a number computed here from the report's (a share of
	// a column); Value holds it, Path is empty.
	Derived bool
	Num     bool
	// Badge shows the words as a badge of that kind (a CSS class, b-KIND):
	// a colour beside the word, never instead of it.
	Badge string
	// Parts, when set, are the cell's content instead: words and numbers
	// side by side, such as an interval's two ends, each number with its
	// own path.
	Parts []Cell
}

// Text is a cell of words.
func Text(s string) Cell { return Cell{Text: s} }

// Badge is a cell of words shown as a badge of their kind: the words
// lower-cased, with a dash for each space ("no evidence": b-no-evidence).
func Badge(s string) Cell {
	return Cell{Text: s, Badge: strings.ReplaceAll(strings.ToLower(s), " ", "-")}
}

// Parts is a cell of words and numbers side by side. A part that is
// itself parts (an interval's two ends) is spliced in, since a cell
// renders one level of parts.
func Parts(parts ...Cell) Cell {
	var flat []Cell
	for _, c := range parts {
		if len(c.Parts) > 0 {
			flat = append(flat, c.Parts...)
		} else {
			flat = append(flat, c)
		}
	}
	return Cell{Parts: flat}
}

// Number is a cell holding the number at path in the report's JSON.
func Number(path string, v float64, format string) Cell {
	return Cell{Text: Format(format, v), Path: path, Value: jsonNumber(v), Format: format, Num: true}
}

// Int is a cell holding a count at path.
func Int(path string, n int) Cell { return Number(path, float64(n), "int") }

// Maybe is a cell holding a number that may be absent (JSON null, shown —).
func Maybe(path string, v *float64, format string) Cell {
	if v == nil {
		return Cell{Text: "—", Path: path, Value: "null", Format: format, Num: true}
	}
	return Number(path, *v, format)
}

// Derived is a cell holding a number computed from the report's numbers.
func Derived(v float64, format string) Cell {
	return Cell{Text: Format(format, v), Value: jsonNumber(v), Format: format, Derived: true, Num: true}
}

// jsonNumber writes v as encoding/json does.
func jsonNumber(v float64) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null" // NaN and infinities, which JSON reports never hold
	}
	return string(b)
}

// Format writes v as a table shows it, in one of the formats a number cell
// may use: int and money (1,234: whole), money2 (1,234.50: an amount per
// lead), pct (12.3%, of a fraction), points (2.1 points, of a difference
// of fractions) and pointsdiff (+2.1 points, with its sign), dec1,
// dec2, dec3, dec4 and dec5 (1,234.57: that many decimals).
func Format(format string, v float64) string {
	switch format {
	case "int", "money":
		return group(numfmt.Float(v, 'f', 0))
	case "money2":
		return group(numfmt.Float(v, 'f', 2))
	case "pct":
		return group(numfmt.Float(v*100, 'f', 1)) + "%"
	case "dec1":
		return group(numfmt.Float(v, 'f', 1))
	case "dec2":
		return group(numfmt.Float(v, 'f', 2))
	case "dec3":
		return group(numfmt.Float(v, 'f', 3))
	case "dec4":
		return group(numfmt.Float(v, 'f', 4))
	case "dec5":
		return group(numfmt.Float(v, 'f', 5))
	case "points":
		return group(numfmt.Float(v*100, 'f', 1)) + " points"
	case "pointsdiff":
		return backtest.PointsDiff(v)
	}
	return jsonNumber(v)
}

// group puts thousands separators into a formatted number; -0.0 reads
// as 0.0.
func group(s string) string {
	out := numfmt.Group(s)
	if strings.Trim(out, "-0.,") == "" {
		return strings.TrimPrefix(out, "-")
	}
	return out
}

// withCurrency is the page with its money named: each column of money
// and each money tile says the currency, and the subtitle says where it
// comes from. A page without money is returned as it is.
func (p *Page) withCurrency() *Page {
	cur := p.Currency
	if cur == "" {
		cur = "in the data's currency"
	}
	q := *p
	money := false
	q.Sections = make([]Section, len(p.Sections))
	for i, s := range p.Sections {
		s.Blocks = append([]Block(nil), s.Blocks...)
		for j, b := range s.Blocks {
			if b.Table == nil {
				continue
			}
			t := *b.Table
			t.Head = append([]string(nil), t.Head...)
			// A column is of money when every number in it is.
			moneyColumn := make([]bool, len(t.Head))
			for c := range t.Head {
				numbers, amounts := 0, 0
				for _, r := range t.Rows {
					if c < len(r.Cells) {
						n, m := moneyCount(r.Cells[c])
						numbers, amounts = numbers+n, amounts+m
					}
				}
				if numbers > 0 && amounts == numbers {
					t.Head[c] += " (" + cur + ")"
					moneyColumn[c], money = true, true
				}
			}
			// A row of a table of mixed measures ("their revenue" among
			// counts) names the currency of its amount in its first cell.
			if p.Currency != "" {
				t.Rows = append([]Row(nil), t.Rows...)
				for ri, r := range t.Rows {
					for c, cell := range r.Cells {
						if _, m := moneyCount(cell); m > 0 && c < len(moneyColumn) && !moneyColumn[c] && len(r.Cells) > 0 && !r.Cells[0].Num && r.Cells[0].Parts == nil {
							cells := append([]Cell(nil), r.Cells...)
							cells[0].Text += " (" + p.Currency + ")"
							t.Rows[ri].Cells = cells
							break
						}
					}
				}
			}
			s.Blocks[j].Table = &t
		}
		q.Sections[i] = s
	}
	if p.Summary != nil {
		sum := *p.Summary
		sum.Tiles = append([]Tile(nil), p.Summary.Tiles...)
		for i, t := range sum.Tiles {
			if t.Value.Format == "money" || t.Value.Format == "money2" {
				sum.Tiles[i].Label += " (" + cur + ")"
				money = true
			}
			sum.Tiles[i].Detail = withCode(t.Detail, p.Currency)
		}
		sum.Changes = append([]Finding(nil), p.Summary.Changes...)
		for i, f := range sum.Changes {
			sum.Changes[i].Line = withCode(f.Line, p.Currency)
		}
		q.Summary = &sum
	}
	for i := range q.Sections {
		s := &q.Sections[i]
		s.Summary = append([]Sentence(nil), s.Summary...)
		for k, line := range s.Summary {
			s.Summary[k] = withCode(line, p.Currency)
		}
		for j := range s.Blocks {
			s.Blocks[j].Lead = withCode(s.Blocks[j].Lead, p.Currency)
		}
	}
	if money && p.Currency == "" {
		q.Subtitle = strings.TrimSpace(q.Subtitle + " · Money is in the data's own currency (--currency names it).")
	}
	return &q
}

// moneyCount counts the numbers of a cell (its own, or its parts') and
// how many of them are amounts of money.
// withCode puts the currency's code after each amount of a sentence
// ("worth 1,051,900 EUR"); with no code named, the sentence is as it was
// (the page's subtitle says the money is in the data's own currency).
func withCode(line Sentence, code string) Sentence {
	if code == "" || len(line) == 0 {
		return line
	}
	var out Sentence
	for _, c := range line {
		out = append(out, c)
		if c.Num && (c.Format == "money" || c.Format == "money2") {
			out = append(out, Text(" "+code))
		}
	}
	return out
}

func moneyCount(c Cell) (numbers, amounts int) {
	for _, x := range append([]Cell{c}, c.Parts...) {
		if x.Num {
			numbers++
			if x.Format == "money" || x.Format == "money2" {
				amounts++
			}
		}
	}
	return numbers, amounts
}

//go:embed page.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"iso":     isolateHTML,
	"isoText": isolateText,
	"far":     func(t *Table, i int) bool { return !t.printed(i) },
	// printRows is how many rows of a sortable table print from the top
	// (0: all of them).
	"printRows": func(t *Table) int {
		if t.PrintKept || len(t.Rows) <= PrintRows+2 {
			return 0
		}
		return PrintRows
	},
	"rowClass": func(t *Table, i int) string {
		var c []string
		if t.Rows[i].Small {
			c = append(c, "small")
		}
		if !t.printed(i) {
			c = append(c, "far")
		}
		return strings.Join(c, " ")
	},
	"attrs": func(m map[string]string) template.HTMLAttr {
		var b strings.Builder
		for _, k := range sortedKeys(m) {
			b.WriteString(" data-" + k + `="` + template.HTMLEscapeString(m[k]) + `"`)
		}
		return template.HTMLAttr(b.String())
	},
}).Parse(pageTemplate))

// Render writes the page.
func (p *Page) Render(w io.Writer) error {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p.withCurrency()); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
