package htmlreport

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// palette is Okabe and Ito's, readable by colour-blind people and in grey,
// then four of Tol's muted scheme, so that up to twelve series (the
// data-driven models beside the rule-based ones) have colours of their
// own; bars are outlined (page.html.tmpl), so the light ones stand out
// from the page.
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#882255", "#44AA99", "#999933", "#332288"}

func color(i int) string { return palette[i%len(palette)] }

// esc escapes s for SVG text and attributes, each right-to-left run set
// apart (see isolateText).
func esc(s string) string { return template.HTMLEscapeString(isolateText(s)) }

// svg collects the elements of one chart.
type svg struct {
	b    strings.Builder
	w, h float64
}

func (s *svg) add(format string, a ...any) { fmt.Fprintf(&s.b, format, a...) }

func (s *svg) html(title string) template.HTML {
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s"><title>%s</title>%s</svg>`,
		n(s.w), n(s.h), n(s.w), n(s.h), esc(title), esc(title), s.b.String()))
}

// n writes a coordinate with at most two decimals.
func n(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// ticks returns round values covering [lo, hi], about five of them.
func ticks(lo, hi float64) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Floor(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out
}

// extent is the range of vals and zero; NaN (a missing value) is skipped.
func extent(vals []float64) (lo, hi float64) {
	for _, v := range vals {
		if math.IsNaN(v) {
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo == hi {
		hi = lo + 1
	}
	return lo, hi
}

// axisLabel writes a tick value briefly: 1.2k, 35%, 0.5.
func axisLabel(format string, v float64) string {
	if format == "pct" {
		return n(v*100) + "%"
	}
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return n(v/1e6) + "M"
	case a >= 1e3:
		return n(v/1e3) + "k"
	}
	return n(v)
}

func labelWidth(labels []string) float64 {
	w := 40.0
	for _, l := range labels {
		w = math.Max(w, textWidth(l)+12)
	}
	return math.Min(w, 230)
}

// runeWidth is a cautious guess of a character's width in 11 px text:
// wide for capitals, W and M, and for CJK and emoji, so that a label
// clipped to fit never runs past the chart's edge.
func runeWidth(r rune) float64 {
	switch {
	case r >= 0x1100 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || r >= 0x1F000):
		return 11.5
	case unicode.IsUpper(r) || r == 'w' || r == 'm' || r == '@' || r == '%':
		return 8.2
	case r == 'i' || r == 'l' || r == 'j' || r == '.' || r == ',' || r == ' ' || r == '\'' || r == '|':
		return 3.4
	}
	return 6.4
}

func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// clip shortens s with an ellipsis to fit width (less a margin).
func clip(s string, width float64) string {
	room := width - 12
	if textWidth(s) <= room {
		return s
	}
	w := runeWidth('…')
	for i, r := range s {
		if w+runeWidth(r) > room {
			return s[:i] + "…"
		}
		w += runeWidth(r)
	}
	return s
}

// legend draws the series' names in a row at y.
func (s *svg) legend(x, y float64, series []string) { s.legendFrom(x, y, series, 0) }

func (s *svg) legendFrom(x, y float64, series []string, first int) {
	for i, p := range legendPlaces(x, s.w-8, series) {
		s.add(`<rect x="%s" y="%s" width="10" height="10" fill="%s"/><text x="%s" y="%s">%s</text>`, n(p[0]), n(y+p[1]-9), color(first+i), n(p[0]+14), n(y+p[1]), esc(series[i]))
	}
}

// legendPlaces lays a legend's entries out from x0, wrapping before
// maxX: each entry's x and its line's offset down (0, 16, 32...).
func legendPlaces(x0, maxX float64, series []string) [][2]float64 {
	out := make([][2]float64, len(series))
	x, dy := x0, 0.0
	for i, name := range series {
		w := 14 + 6.4*float64(len([]rune(name)))
		if x > x0 && x+w > maxX {
			x, dy = x0, dy+16
		}
		out[i] = [2]float64{x, dy}
		x += w + 18
	}
	return out
}

// legendHeight is how far down a legend's lines reach below the first.
func legendHeight(x0, maxX float64, series []string) float64 {
	places := legendPlaces(x0, maxX, series)
	if len(places) == 0 {
		return 0
	}
	return places[len(places)-1][1]
}

// Bars draws grouped horizontal bars: a row per group, a bar per series
// (values[group][series]), each labelled with its value; negative values
// go left of zero. A missing value (NaN, see orNaN) has no bar and the
// label —, never a zero bar.
func Bars(title string, groups, series []string, values [][]float64, format string) template.HTML {
	return bars(title, groups, series, values, nil, format, math.NaN())
}

// BarsFrom is Bars whose axis starts no lower than floor, where the
// quantity starts (an ROI cannot be under −100%).
func BarsFrom(title string, groups, series []string, values [][]float64, format string, floor float64) template.HTML {
	return bars(title, groups, series, values, nil, format, floor)
}

// orNaN is a chart's value of a number that may be missing: NaN for nil.
func orNaN(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

// ColoredBars draws one bar per group, coloured by colors[group], an index
// into legend (such as the team that owns each rule).
func ColoredBars(title string, groups []string, values []float64, colors []int, legend []string, format string) template.HTML {
	rows := make([][]float64, len(values))
	for i, v := range values {
		rows[i] = []float64{v}
	}
	return bars(title, groups, legend, rows, colors, format, math.NaN())
}

func bars(title string, groups, series []string, values [][]float64, colors []int, format string, floor float64) template.HTML {
	const width, barH, gap = 640.0, 13.0, 9.0
	perGroup := len(series)
	if colors != nil {
		perGroup = 1
	}
	left := labelWidth(groups)
	right := 64.0
	top := 8.0
	if len(series) > 1 {
		top = 26 + legendHeight(left, width-8, series)
	}
	var all []float64
	for _, row := range values {
		all = append(all, row...)
	}
	lo, hi := extent(all)
	tk := ticks(lo, hi)
	if !math.IsNaN(floor) && lo >= floor {
		// No tick under where the quantity can go; the floor itself is
		// one when the data reach under the first round tick.
		kept := tk[:0:0]
		for _, t := range tk {
			if t >= floor {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 || kept[0] > lo {
			kept = append([]float64{floor}, kept...)
		}
		tk = kept
	}
	lo, hi = math.Min(lo, tk[0]), math.Max(hi, tk[len(tk)-1])
	plotW := width - left - right
	x := func(v float64) float64 { return left + (v-lo)/(hi-lo)*plotW }
	rowH := float64(perGroup)*barH + gap
	s := &svg{w: width, h: top + float64(len(groups))*rowH + 22}
	if len(series) > 1 {
		s.legend(left, 14, series)
	}
	bottom := top + float64(len(groups))*rowH
	for _, t := range tk {
		s.add(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/><text x="%s" y="%s" text-anchor="middle">%s</text>`,
			n(x(t)), n(x(t)), n(top), n(bottom), n(x(t)), n(bottom+14), esc(axisLabel(format, t)))
	}
	for g, name := range groups {
		y0 := top + float64(g)*rowH
		s.add(`<text x="%s" y="%s" text-anchor="end">%s</text>`, n(left-6), n(y0+float64(perGroup)*barH/2+4), esc(clip(name, left)))
		for i, v := range values[g] {
			c, label := i, series[min(i, len(series)-1)]
			if colors != nil {
				c, label = colors[g], series[colors[g]]
			}
			y := y0 + float64(i)*barH
			if math.IsNaN(v) {
				s.add(`<text x="%s" y="%s"><title>%s, %s: —</title>—</text>`, n(x(0)+4), n(y+barH-3), esc(name), esc(label))
				continue
			}
			x0, x1 := x(math.Min(0, v)), x(math.Max(0, v))
			s.add(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s, %s: %s</title></rect>`,
				n(x0), n(y+1), n(math.Max(x1-x0, 0.5)), n(barH-2), color(c), esc(name), esc(label), esc(Format(format, v)))
			// A negative bar's label goes right of zero, clear of the row's name.
			s.add(`<text x="%s" y="%s">%s</text>`, n(x1+4), n(y+barH-3), esc(Format(format, v)))
		}
	}
	s.add(`<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>`, n(x(0)), n(x(0)), n(top), n(bottom))
	return s.html(title)
}

// Line is a chart of series over x, with an optional horizontal reference
// line and a vertical marker a script can move.
type Line struct {
	Title          string
	X              []float64
	XLabel, YLabel string
	Series         []string
	Y              [][]*float64 // [series][point]; nil: no value there
	// Low and High, when set, are each series' 95% interval at each point,
	// shaded around its line.
	Low, High  [][]*float64
	Format     string // of the y axis
	HLine      *float64
	HLineLabel string
	// Refs are further levels drawn across the chart, each labelled (the
	// current definition's hand-offs beside the capacity).
	Refs     []Ref
	MarkerID string
	Marker   *float64
	// MarkerLabel names the marker's place ("threshold 46"), over it; the
	// page's script moves it with the marker (id MarkerID + "-label").
	MarkerLabel string
	// FirstColor is the palette index of the first series.
	FirstColor int
}

// Ref is a labelled level across a line chart.
type Ref struct {
	Y     float64
	Label string
}

// SVG draws the chart and returns the function from x to the pixel
// column, for the marker's positions.
func (c Line) SVG() (template.HTML, func(float64) float64) {
	const width, height, left, right, top, bottom = 640.0, 300.0, 58.0, 20.0, 26.0, 40.0
	xlo, xhi := extent(c.X)
	var ys []float64
	for _, ser := range c.Y {
		for _, v := range ser {
			if v != nil {
				ys = append(ys, *v)
			}
		}
	}
	for _, band := range [][][]*float64{c.Low, c.High} {
		for _, ser := range band {
			for _, v := range ser {
				if v != nil {
					ys = append(ys, *v)
				}
			}
		}
	}
	if c.HLine != nil {
		ys = append(ys, *c.HLine)
	}
	for _, r := range c.Refs {
		ys = append(ys, r.Y)
	}
	ylo, yhi := extent(ys)
	ytk := ticks(ylo, yhi)
	ylo, yhi = math.Min(ylo, ytk[0]), math.Max(yhi, ytk[len(ytk)-1])
	xtk := ticks(xlo, xhi)
	xlo, xhi = math.Min(xlo, xtk[0]), math.Max(xhi, xtk[len(xtk)-1])
	px := func(v float64) float64 { return left + (v-xlo)/(xhi-xlo)*(width-left-right) }
	py := func(v float64) float64 { return height - bottom - (v-ylo)/(yhi-ylo)*(height-top-bottom) }
	s := &svg{w: width, h: height}
	s.legendFrom(left, 14, c.Series, c.FirstColor)
	for _, t := range ytk {
		s.add(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/><text x="%s" y="%s" text-anchor="end">%s</text>`,
			n(left), n(width-right), n(py(t)), n(py(t)), n(left-6), n(py(t)+4), esc(axisLabel(c.Format, t)))
	}
	for _, t := range xtk {
		s.add(`<text x="%s" y="%s" text-anchor="middle">%s</text>`, n(px(t)), n(height-bottom+15), esc(axisLabel("", t)))
	}
	s.add(`<text x="%s" y="%s" text-anchor="middle">%s</text>`, n((left+width-right)/2), n(height-6), esc(c.XLabel))
	s.add(`<text transform="translate(12 %s) rotate(-90)" text-anchor="middle">%s</text>`, n((top+height-bottom)/2), esc(c.YLabel))
	s.add(`<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/><line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>`,
		n(left), n(left), n(top), n(height-bottom), n(left), n(width-right), n(height-bottom), n(height-bottom))
	for i := range c.Y {
		if i >= len(c.Low) || i >= len(c.High) {
			break
		}
		// The band: along the highs, back along the lows, one polygon for
		// each run of points that have both.
		var run []int
		flush := func() {
			if len(run) > 1 {
				var d strings.Builder
				for k, j := range run {
					pen := "L"
					if k == 0 {
						pen = "M"
					}
					fmt.Fprintf(&d, "%s%s %s ", pen, n(px(c.X[j])), n(py(*c.High[i][j])))
				}
				for k := len(run) - 1; k >= 0; k-- {
					j := run[k]
					fmt.Fprintf(&d, "L%s %s ", n(px(c.X[j])), n(py(*c.Low[i][j])))
				}
				s.add(`<path d="%sZ" fill="%s" fill-opacity="0.18" stroke="none"/>`, d.String(), color(c.FirstColor+i))
			}
			run = run[:0]
		}
		for j := range c.X {
			if j < len(c.Low[i]) && j < len(c.High[i]) && c.Low[i][j] != nil && c.High[i][j] != nil {
				run = append(run, j)
			} else {
				flush()
			}
		}
		flush()
	}
	for i, ser := range c.Y {
		var d strings.Builder
		pen := "M"
		for j, v := range ser {
			if v == nil {
				pen = "M"
				continue
			}
			fmt.Fprintf(&d, "%s%s %s ", pen, n(px(c.X[j])), n(py(*v)))
			pen = "L"
		}
		s.line(d.String(), color(c.FirstColor+i))
	}
	if c.HLine != nil {
		y := py(*c.HLine)
		s.add(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#D55E00" stroke-dasharray="5 4"/><text x="%s" y="%s" text-anchor="end" fill="#D55E00">%s</text>`,
			n(left), n(width-right), n(y), n(y), n(width-right), n(y-4), esc(c.HLineLabel))
	}
	for _, r := range c.Refs {
		y := py(r.Y)
		s.add(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#55606b" stroke-dasharray="2 3"/><text x="%s" y="%s" text-anchor="end" fill="#38424c">%s</text>`,
			n(left), n(width-right), n(y), n(y), n(width-right), n(y-4), esc(r.Label))
	}
	if c.Marker != nil {
		x := px(*c.Marker)
		s.add(`<line id="%s" x1="%s" x2="%s" y1="%s" y2="%s" stroke="#000" stroke-width="1.5"/>`, esc(c.MarkerID), n(x), n(x), n(top), n(height-bottom))
		if c.MarkerLabel != "" {
			anchor := "start"
			if x > width/2 {
				anchor = "end"
			}
			s.add(`<text id="%s-label" x="%s" y="%s" text-anchor="%s" font-weight="600">%s</text>`, esc(c.MarkerID), n(x), n(top-14), anchor, esc(c.MarkerLabel))
		}
	}
	// The crosshair: hidden until the pointer is over the chart, then at
	// the nearest point, with its values (the page's script moves it).
	var xs, labels []string
	for j, x := range c.X {
		parts := []string{c.XLabel + " " + Format(wholeOr(x, "dec2"), x)}
		for i, ser := range c.Y {
			v := "—"
			if j < len(ser) && ser[j] != nil {
				v = Format(crosshairFormat(c.Format), *ser[j])
			}
			parts = append(parts, c.Series[min(i, len(c.Series)-1)]+" "+v)
		}
		xs, labels = append(xs, n(px(x))), append(labels, strings.Join(parts, " · "))
	}
	s.add(`<g class="crosshair" visibility="hidden" data-xs="%s" data-labels="%s" data-top="%s" data-bottom="%s"><line x1="0" x2="0" y1="%s" y2="%s" stroke="#55606b" stroke-dasharray="3 3"/><text x="0" y="%s"></text></g>`,
		esc(strings.Join(xs, " ")), isolatedLines(labels), n(top), n(height-bottom), n(top), n(height-bottom), n(top-4))
	return s.html(c.Title), px
}

// isolatedLines escapes labels joined by newlines, each isolated on its
// own (the page's script splits them: an isolate must not span two).
func isolatedLines(labels []string) string {
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = isolateText(l)
	}
	return template.HTMLEscapeString(strings.Join(out, "\n"))
}

// crosshairFormat is how the crosshair writes a value: the chart's own
// format, or two decimals (never a float's full digits).
func crosshairFormat(format string) string {
	if format != "" {
		return format
	}
	return "dec2"
}

// line draws a series' path in its colour over a darker, wider one, so
// that light colours (orange, sky blue) keep a 3:1 contrast on white.
func (s *svg) line(d, colour string) {
	d = strings.TrimSpace(d)
	s.add(`<path d="%s" fill="none" stroke="#1d232a" stroke-width="3.2" stroke-linejoin="round"/><path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`, d, d, colour)
}

// Matrix draws a table of counts as shaded cells: rows[i] by cols[j].
func Matrix(title, rowLabel, colLabel string, rows, cols []string, values [][]float64) template.HTML {
	left := labelWidth(append([]string{rowLabel}, rows...))
	const cellH, top = 30.0, 44.0
	cellW := math.Min(110, (640-left)/float64(max(len(cols), 1)))
	s := &svg{w: left + cellW*float64(len(cols)) + 4, h: top + cellH*float64(len(rows)) + 6}
	hi := 0.0
	for _, r := range values {
		for _, v := range r {
			hi = math.Max(hi, v)
		}
	}
	s.add(`<text x="%s" y="12" text-anchor="middle">%s</text>`, n(left+cellW*float64(len(cols))/2), esc(colLabel))
	s.add(`<text x="%s" y="%s" text-anchor="end">%s</text>`, n(left-6), n(top-8), esc(rowLabel+" ↓"))
	for j, c := range cols {
		s.add(`<text x="%s" y="%s" text-anchor="middle">%s</text>`, n(left+cellW*(float64(j)+0.5)), n(top-8), esc(clip(c, cellW)))
	}
	for i, r := range rows {
		y := top + cellH*float64(i)
		s.add(`<text x="%s" y="%s" text-anchor="end">%s</text>`, n(left-6), n(y+cellH/2+4), esc(clip(r, left)))
		for j := range cols {
			v := values[i][j]
			alpha := 0.0
			if hi > 0 && v > 0 {
				alpha = 0.12 + 0.88*math.Sqrt(v/hi)
			}
			fill := "#1d232a"
			if alpha > 0.55 {
				fill = "#fff"
			}
			x := left + cellW*float64(j)
			s.add(`<rect x="%s" y="%s" width="%s" height="%s" fill="#0072B2" fill-opacity="%s" stroke="#fff"><title>%s → %s: %s</title></rect><text x="%s" y="%s" text-anchor="middle" style="fill:%s">%s</text>`,
				n(x), n(y), n(cellW), n(cellH), n(alpha), esc(r), esc(cols[j]), esc(Format("int", v)), n(x+cellW/2), n(y+cellH/2+4), fill, esc(Format("int", v)))
		}
	}
	return s.html(title)
}

// Box is one distribution: its 10th, 25th, 50th, 75th and 90th percentiles.
type Box struct {
	Label  string
	Series int // colour
	P      [5]float64
}

// Boxes draws box plots on one scale: whiskers from p10 to p90, the box
// from p25 to p75, a bar at the median.
func Boxes(title string, boxes []Box, series []string) template.HTML {
	var labels []string
	var all []float64
	for _, b := range boxes {
		labels = append(labels, b.Label)
		all = append(all, b.P[:]...)
	}
	const width, rowH, top = 640.0, 22.0, 26.0
	left := labelWidth(labels)
	lo, hi := extent(all)
	tk := ticks(lo, hi)
	lo, hi = math.Min(lo, tk[0]), math.Max(hi, tk[len(tk)-1])
	x := func(v float64) float64 { return left + (v-lo)/(hi-lo)*(width-left-20) }
	bottom := top + rowH*float64(len(boxes))
	s := &svg{w: width, h: bottom + 22}
	s.legend(left, 14, series)
	for _, t := range tk {
		s.add(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/><text x="%s" y="%s" text-anchor="middle">%s</text>`,
			n(x(t)), n(x(t)), n(top), n(bottom), n(x(t)), n(bottom+14), esc(axisLabel("", t)))
	}
	for i, b := range boxes {
		y := top + rowH*float64(i) + rowH/2
		c := color(b.Series)
		s.add(`<text x="%s" y="%s" text-anchor="end">%s</text>`, n(left-6), n(y+4), esc(clip(b.Label, left)))
		s.add(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s"/>`, n(x(b.P[0])), n(x(b.P[4])), n(y), n(y), c)
		s.add(`<rect x="%s" y="%s" width="%s" height="12" fill="%s" fill-opacity="0.35" stroke="%s"><title>%s: p10 %s, p25 %s, median %s, p75 %s, p90 %s</title></rect>`,
			n(x(b.P[1])), n(y-6), n(math.Max(x(b.P[3])-x(b.P[1]), 1)), c, c, esc(b.Label),
			esc(Format("dec1", b.P[0])), esc(Format("dec1", b.P[1])), esc(Format("dec1", b.P[2])), esc(Format("dec1", b.P[3])), esc(Format("dec1", b.P[4])))
		s.add(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="2.5"/>`, n(x(b.P[2])), n(x(b.P[2])), n(y-7), n(y+7), c)
	}
	return s.html(title)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Columns is a series over periods drawn as vertical bars, with a second
// series as a line over them and an optional horizontal reference line
// (such as the crossings of each week, the hand-offs of each week, and
// the capacity).
type Columns struct {
	Title    string
	Labels   []string // one per period, under its bar
	Bars     []float64
	BarName  string
	Line     []float64 // nil: no line
	LineName string
	YLabel   string
	// HLine is a reference value, drawn dashed across.
	HLine      *float64
	HLineLabel string
	Format     string // of the y axis and the values
}

// SVG draws the chart.
func (c Columns) SVG() template.HTML {
	const width, height, left, right, top, bottom = 640.0, 260.0, 58.0, 14.0, 30.0, 40.0
	vals := append(append([]float64{0}, c.Bars...), c.Line...)
	if c.HLine != nil {
		vals = append(vals, *c.HLine)
	}
	lo, hi := extent(vals)
	tk := ticks(lo, hi)
	lo, hi = math.Min(lo, tk[0]), math.Max(hi, tk[len(tk)-1])
	k := max(len(c.Bars), 1)
	slot := (width - left - right) / float64(k)
	cx := func(i int) float64 { return left + slot*(float64(i)+0.5) }
	py := func(v float64) float64 { return height - bottom - (v-lo)/(hi-lo)*(height-top-bottom) }
	s := &svg{w: width, h: height}
	series := []string{c.BarName}
	if c.Line != nil {
		series = append(series, c.LineName)
	}
	s.legend(left, 14, series)
	for _, t := range tk {
		s.add(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/><text x="%s" y="%s" text-anchor="end">%s</text>`,
			n(left), n(width-right), n(py(t)), n(py(t)), n(left-6), n(py(t)+4), esc(axisLabel(c.Format, t)))
	}
	s.add(`<text transform="translate(12 %s) rotate(-90)" text-anchor="middle">%s</text>`, n((top+height-bottom)/2), esc(c.YLabel))
	// Label every period when they fit, else every few.
	// A label takes about 6.5 px a character (11 px text) and a gap.
	longest := 0
	for _, l := range c.Labels {
		longest = max(longest, utf8.RuneCountInString(l))
	}
	every := max(1, int(math.Ceil((6.5*float64(longest)+10)/slot)))
	barW := math.Max(slot*0.62, 1)
	for i, v := range c.Bars {
		label := ""
		if i < len(c.Labels) {
			label = c.Labels[i]
		}
		if math.IsNaN(v) { // no value: no bar, a dash where it would stand
			s.add(`<text x="%s" y="%s" text-anchor="middle"><title>%s, %s: —</title>—</text>`, n(cx(i)), n(py(0)-3), esc(label), esc(c.BarName))
		} else {
			y0, y1 := py(math.Max(0, v)), py(math.Min(0, v))
			s.add(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s, %s: %s</title></rect>`,
				n(cx(i)-barW/2), n(y0), n(barW), n(math.Max(y1-y0, 0.5)), color(0), esc(label), esc(c.BarName), esc(Format(c.Format, v)))
		}
		if i%every == 0 {
			s.add(`<text x="%s" y="%s" text-anchor="middle">%s</text>`, n(cx(i)), n(height-bottom+15), esc(label))
		}
	}
	if c.Line != nil {
		var d strings.Builder
		pen := "M"
		for i, v := range c.Line {
			if math.IsNaN(v) { // no value: the line breaks there
				pen = "M"
				continue
			}
			fmt.Fprintf(&d, "%s%s %s ", pen, n(cx(i)), n(py(v)))
			pen = "L"
		}
		s.line(d.String(), color(1))
		for i, v := range c.Line {
			if math.IsNaN(v) {
				continue
			}
			label := ""
			if i < len(c.Labels) {
				label = c.Labels[i]
			}
			s.add(`<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s, %s: %s</title></circle>`, n(cx(i)), n(py(v)), color(1), esc(label), esc(c.LineName), esc(Format(c.Format, v)))
		}
	}
	if c.HLine != nil {
		y := py(*c.HLine)
		s.add(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#D55E00" stroke-dasharray="5 4"/><text x="%s" y="%s" text-anchor="end" fill="#D55E00">%s</text>`,
			n(left), n(width-right), n(y), n(y), n(width-right), n(y-4), esc(c.HLineLabel))
	}
	s.add(`<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/><line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>`,
		n(left), n(left), n(top), n(height-bottom), n(left), n(width-right), n(py(0)), n(py(0)))
	return s.html(c.Title)
}

// Estimate is one row of an Intervals chart: a value with its interval,
// and its kind (an index into the chart's kinds, for its colour).
type Estimate struct {
	Label     string
	Value     float64
	Low, High float64
	Kind      int
}

// Intervals draws each estimate as a dot on a whisker from its low to its
// high, one row each, against a zero line: a forest plot. kinds name the
// rows' kinds, colours the colour of each kind.
func Intervals(title string, rows []Estimate, kinds, colours []string, format string) template.HTML {
	const width, rowH, right = 640.0, 20.0, 20.0
	var labels []string
	vals := []float64{0}
	for _, r := range rows {
		labels = append(labels, r.Label)
		vals = append(vals, r.Low, r.High, r.Value)
	}
	left := labelWidth(labels)
	s := &svg{w: width}
	// The legend, in the kinds' own colours, wrapped to the chart's width.
	lx, ly := left, 14.0
	for i, name := range kinds {
		w := 14 + 6.4*float64(len([]rune(name))) + 18
		if lx > left && lx+w > width-right {
			lx, ly = left, ly+16
		}
		s.add(`<rect x="%s" y="%s" width="10" height="10" fill="%s"/><text x="%s" y="%s">%s</text>`, n(lx), n(ly-9), colours[i%len(colours)], n(lx+14), n(ly), esc(name))
		lx += w
	}
	top := ly + 12
	lo, hi := extent(vals)
	tk := ticks(lo, hi)
	lo, hi = math.Min(lo, tk[0]), math.Max(hi, tk[len(tk)-1])
	x := func(v float64) float64 { return left + (v-lo)/(hi-lo)*(width-left-right) }
	bottom := top + rowH*float64(len(rows))
	s.h = bottom + 22
	for _, t := range tk {
		s.add(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/><text x="%s" y="%s" text-anchor="middle">%s</text>`,
			n(x(t)), n(x(t)), n(top), n(bottom), n(x(t)), n(bottom+14), esc(axisLabel(format, t)))
	}
	s.add(`<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>`, n(x(0)), n(x(0)), n(top), n(bottom))
	for i, r := range rows {
		y := top + rowH*(float64(i)+0.5)
		c := colours[r.Kind%len(colours)]
		s.add(`<text x="%s" y="%s" text-anchor="end">%s</text>`, n(left-6), n(y+4), esc(clip(r.Label, left)))
		s.add(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="2"/>`, n(x(r.Low)), n(x(r.High)), n(y), n(y), c)
		s.add(`<circle cx="%s" cy="%s" r="4" fill="%s"><title>%s (%s): %s, 95%%: %s to %s</title></circle>`, n(x(r.Value)), n(y), c,
			esc(r.Label), esc(kinds[r.Kind%len(kinds)]), esc(Format(format, r.Value)), esc(Format(format, r.Low)), esc(Format(format, r.High)))
	}
	return s.html(title)
}
