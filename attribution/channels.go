package attribution

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/leadscore/leadscore/internal/csvcell"
)

// ChannelReport credits channels under several models, side by side, for
// paths: rule-based models, Markov chains and the Shapley value.
type ChannelReport struct {
	Models      []string     `json:"models"`
	Channels    []ChannelRow `json:"channels"`
	Total       ChannelRow   `json:"total"`
	Conversions float64      `json:"conversions"`
	Value       float64      `json:"value"`
	Nulls       float64      `json:"nulls"`
	Paths       int          `json:"distinct_paths"`
	// Markov holds each chain's removal effects and conversion rate.
	Markov []MarkovSummary `json:"markov,omitempty"`
	// Notes say what a reader must know to read the credit right, such as
	// models that fall back to another on bare paths.
	Notes []string `json:"notes,omitempty"`
	// Selections are the order choices of markov:auto models.
	Selections []OrderSelection `json:"order_selection,omitempty"`

	paths *Paths
	runs  []*modelRun
}

// modelRun is one model's credit of the paths: per touch (credit) and per
// channel, exact.
type modelRun struct {
	credit      pathCredit
	conv, value []decimal // by channel id
	markov      *Markov
	selection   *OrderSelection
}

// milestoneModels credit touches by the milestones of a journey (lead
// created, sales-ready, opportunity, won), which aggregated paths lack.
var milestoneModels = map[string]bool{"w_shaped": true, "full_path": true, "custom": true}

// ChannelRow is one channel's credit under each model, in Models order.
type ChannelRow struct {
	Channel string          `json:"channel"`
	Credit  []ChannelCredit `json:"credit"`
}

// MarkovSummary is what a chain says beyond credit; Effects are in the
// channels' name order.
type MarkovSummary struct {
	Model          string          `json:"model"`
	Order          int             `json:"order"`
	NoNull         bool            `json:"no_null,omitempty"`
	States         int             `json:"states"`
	ConversionRate float64         `json:"conversion_rate"`
	Effects        []RemovalEffect `json:"removal_effects"`
}

// PathModelNames are the data-driven models by name: markov:K (order K, 1
// to 7, value shared by the value removal effect; markov:K:conv shares it by
// the conversion removal effect; markov:K:nonull ignores nulls, see
// Markov), markov:auto (the order ChooseOrder picks, with the same
// settings) and shapley (simplified Shapley).
var PathModelNames = []string{"markov:K", "markov:K:conv", "markov:K:nonull", "markov:auto", "shapley"}

// RunPaths credits the channels of paths under each model spec (a
// rule-based model as ParseModel reads it, or a data-driven one), computing
// the models on workers goroutines (0: one per core).
func RunPaths(p *Paths, specs []string, workers int) (*ChannelReport, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	conv, value, nulls := p.Totals()
	rep := &ChannelReport{Models: specs, Conversions: conv, Value: value, Nulls: nulls, Paths: p.Len()}
	for i, spec := range specs {
		if slices.Contains(specs[:i], spec) {
			return nil, fmt.Errorf("%s is listed twice; list each model once", spec)
		}
	}
	rep.Notes = append(rep.Notes, p.Notes...)
	for _, spec := range specs {
		if strings.HasPrefix(spec, "markov:") && conv == 0 && value > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("the paths have value but no conversions, so %s, which credits by the conversions a channel leads to, credits nothing", spec))
		}
		if strings.HasPrefix(spec, "markov:") && nulls == 0 && conv > 0 && !strings.Contains(spec, ":nonull") {
			rep.Notes = append(rep.Notes, fmt.Sprintf("the paths carry no nulls (journeys that did not convert), so %s is built from converting paths alone, as markov:K:nonull is: its removal effects say how often a channel is on the way to a conversion, not how much it raises the conversion rate", spec))
		}
		if name, _, _ := strings.Cut(spec, ":"); milestoneModels[name] {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s weighs touches by a journey's milestones (lead created, sales-ready, opportunity), which aggregated paths do not carry: here it credits every conversion to the first touch, as first_touch does. Give journeys with milestones (--journeys, or --leads) for its real credit.", spec))
		}
	}
	runs := make([]*modelRun, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, spec := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			runs[i], errs[i] = runSpec(p, spec)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %v", specs[i], err)
		}
		if m := runs[i].markov; m != nil {
			effects := append([]RemovalEffect(nil), m.Effects...)
			sort.Slice(effects, func(i, j int) bool { return effects[i].Channel < effects[j].Channel })
			rep.Markov = append(rep.Markov, MarkovSummary{Model: specs[i], Order: m.Order, NoNull: m.NoNull, States: m.States(), ConversionRate: m.ConversionRate, Effects: effects})
		}
		if s := runs[i].selection; s != nil {
			s.Model = specs[i]
			rep.Selections = append(rep.Selections, *s)
		}
	}
	rep.paths, rep.runs = p, runs
	rep.Total = ChannelRow{Channel: "total", Credit: make([]ChannelCredit, len(specs))}
	totals := make([][2]decimal, len(specs))
	// In the channels' name order, not their ids' (which depend on the order
	// the paths were read or merged in): the same paths give the same bits.
	for _, c := range p.idsByName() {
		name := p.channels[c]
		row := ChannelRow{Channel: name}
		for m, run := range runs {
			row.Credit = append(row.Credit, ChannelCredit{Channel: name, Conversions: run.conv[c].float(), Value: run.value[c].float()})
			totals[m][0].add(run.conv[c])
			totals[m][1].add(run.value[c])
		}
		rep.Channels = append(rep.Channels, row)
	}
	for m := range specs {
		rep.Total.Credit[m] = ChannelCredit{Channel: "total", Conversions: totals[m][0].float(), Value: totals[m][1].float()}
	}
	sort.SliceStable(rep.Channels, func(a, b int) bool {
		if x, y := rep.Channels[a].Credit[0].Conversions, rep.Channels[b].Credit[0].Conversions; x != y {
			return x > y
		}
		return rep.Channels[a].Channel < rep.Channels[b].Channel
	})
	return rep, nil
}

// markovSpec reads markov:K or markov:auto with its settings (:conv,
// :nonull).
func markovSpec(spec string) (order int, auto, byConv, noNull bool, err error) {
	parts := strings.Split(spec, ":")
	bad := fmt.Errorf("write markov:K (K the order, 1 to %d) or markov:auto, then :conv to share value like conversions, :nonull to ignore nulls", MaxOrder)
	if len(parts) < 2 {
		return 0, false, false, false, bad
	}
	if parts[1] == "auto" {
		auto = true
	} else if order, err = strconv.Atoi(parts[1]); err != nil {
		return 0, false, false, false, bad
	}
	for _, s := range parts[2:] {
		switch {
		case s == "conv" && !byConv:
			byConv = true
		case s == "nonull" && !noNull:
			noNull = true
		default:
			return 0, false, false, false, bad
		}
	}
	return order, auto, byConv, noNull, nil
}

// CheckPathModel refuses a data-driven model spec (markov:K with its
// settings, markov:auto, shapley) that RunPaths would refuse for how it is
// written, so that a command line can say so before reading any journey.
func CheckPathModel(spec string) error {
	if spec == "shapley" {
		return nil
	}
	order, auto, _, noNull, err := markovSpec(spec)
	switch {
	case err != nil:
		return err
	case auto && noNull:
		return errAutoNoNull
	case !auto && (order < 1 || order > MaxOrder):
		return fmt.Errorf("the order of a Markov chain is 1 to %d, not %d", MaxOrder, order)
	}
	return nil
}

var errAutoNoNull = errors.New("markov:auto chooses the order by how well it predicts which paths convert, which needs the paths that did not (nulls); give markov:K:nonull with an order instead")

func runSpec(p *Paths, spec string) (*modelRun, error) {
	run := &modelRun{}
	switch {
	case spec == "shapley":
		run.credit = shapleyCredit{}
	case spec == "markov" || strings.HasPrefix(spec, "markov:"):
		order, auto, byConv, noNull, err := markovSpec(spec)
		if err != nil {
			return nil, err
		}
		if auto {
			if noNull {
				return nil, errAutoNoNull
			}
			sel, err := ChooseOrder(p, OrderOptions{})
			if err != nil {
				return nil, err
			}
			run.selection, order = sel, sel.Chosen
		}
		m, err := NewMarkovWith(p, MarkovOptions{Order: order, NoNull: noNull})
		if err != nil {
			return nil, err
		}
		mc := newMarkovCredit(m, !byConv)
		run.markov, run.credit, run.conv, run.value = m, mc, mc.conv, mc.value
		return run, nil
	default:
		m, err := ParseModel(spec)
		if err != nil {
			return nil, err
		}
		run.credit = ruleCredit{m: m, p: p}
	}
	var err error
	run.conv, run.value, err = channelTotals(p, run.credit)
	return run, err
}

// channelTotals sums a model's touch credit by channel, exactly.
func channelTotals(p *Paths, pcr pathCredit) (conv, value []decimal, err error) {
	conv, value = make([]decimal, len(p.channels)), make([]decimal, len(p.channels))
	var c, v []decimal
	for _, pc := range p.sorted() {
		if !pc.credits() {
			continue
		}
		c, v = grow(c, len(pc.Path)), grow(v, len(pc.Path))
		if err := pcr.touches(pc, c, v); err != nil {
			return nil, nil, err
		}
		for i, id := range pc.Path {
			conv[id].add(c[i])
			value[id].add(v[i])
		}
	}
	return conv, value, nil
}

func grow(d []decimal, n int) []decimal {
	if cap(d) < n {
		return make([]decimal, n)
	}
	return d[:n]
}

// line says what a chain is, in one line.
func (m MarkovSummary) line() string {
	name := m.Model
	if strings.HasPrefix(m.Model, "markov:auto") {
		name = fmt.Sprintf("%s (order %d)", m.Model, m.Order)
	}
	s := fmt.Sprintf("%s: %d states, conversion rate from start %.12f", name, m.States, m.ConversionRate)
	if m.NoNull {
		s += " (no null state: built from converting paths only, so every walk converts)"
	}
	return s
}

func (r *ChannelReport) table() table {
	t := table{title: "Credit by channel", headers: []string{"channel"}}
	for _, m := range r.Models {
		t.headers = append(t.headers, m+" conv.", m+" value")
	}
	for _, row := range append(append([]ChannelRow{}, r.Channels...), r.Total) {
		cells := []string{row.Channel}
		for _, c := range row.Credit {
			cells = append(cells, count(c.Conversions), money(c.Value))
		}
		t.rows = append(t.rows, cells)
	}
	return t
}

func (r *ChannelReport) summary() string {
	rate := 0.0 // no journeys: nothing converted
	if r.Conversions+r.Nulls > 0 {
		rate = r.Conversions / (r.Conversions + r.Nulls)
	}
	return fmt.Sprintf("%s distinct paths: %s conversions (value %s), %s nulls; conversion rate %.6f. Models: %s.",
		thousands(float64(r.Paths)), thousands(r.Conversions), money(r.Value), thousands(r.Nulls),
		rate, strings.Join(r.Models, ", "))
}

// WriteMarkdown writes the report as a Markdown table.
func (r *ChannelReport) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## Attribution by channel\n\n" + r.summary() + "\n\n")
	for _, n := range r.Notes {
		b.WriteString("> **Note:** " + n + "\n\n")
	}
	r.table().markdown(&b)
	for _, m := range r.Markov {
		b.WriteString(m.line() + "\n\n")
	}
	for _, s := range r.Selections {
		s.table().markdown(&b)
		b.WriteString(s.note() + "\n\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteText writes the report as an aligned table.
func (r *ChannelReport) WriteText(w io.Writer) error {
	var b strings.Builder
	b.WriteString(r.summary() + "\n\n")
	for _, n := range r.Notes {
		b.WriteString("Note: " + n + "\n\n")
	}
	r.table().text(&b)
	for _, m := range r.Markov {
		b.WriteString(m.line() + "\n")
	}
	for _, s := range r.Selections {
		b.WriteString("\n")
		s.table().text(&b)
		b.WriteString(s.note() + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes one row per channel and the total, with each model's
// conversions and value.
func (r *ChannelReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"channel"}
	for _, m := range r.Models {
		header = append(header, m+"_conversions", m+"_value")
	}
	cw.Write(header)
	for _, row := range append(append([]ChannelRow{}, r.Channels...), r.Total) {
		rec := []string{csvcell.Text(row.Channel)}
		for _, c := range row.Credit {
			rec = append(rec, strconv.FormatFloat(c.Conversions, 'f', -1, 64), strconv.FormatFloat(c.Value, 'f', -1, 64))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the report as JSON.
func (r *ChannelReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// CreditColumns are the columns WriteCredit and Report.WriteCredit write.
var CreditColumns = []string{"id", "position", "campaign", "channel", "model", "conversions", "value"}

// WriteCredit writes, as CSV, each touch's credit under each model: one
// row per distinct path (its id is the path, its channels joined by
// Paths.Separator, as read),
// model and touch (position 1 is the first touch), with the exact decimals
// of its conversions and value; touches credited nothing are left out.
// Summed by channel and model, the rows give the report's figures exactly
// (the report rounds each sum once); summed over all channels, the paths'
// totals.
//
// Rule-based models and Shapley share each path's own conversions and
// value among its touches, so a path's rows add up to it. A Markov chain's
// credit is a channel's, from removal effects over all paths; it is shared
// among the channel's touches in proportion to their paths' conversions
// (value: to their value; a channel on no converting path, to its paths'
// journeys), so a path's rows add up to its share of its channels' credit,
// not to its own conversions.
func (r *ChannelReport) WriteCredit(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(CreditColumns)
	return r.writeCredit(cw)
}

func (r *ChannelReport) writeCredit(cw *csv.Writer) error {
	var c, v []decimal
	names := make([]string, 0, 16)
	for _, pc := range r.paths.sorted() {
		names = names[:0]
		for _, id := range pc.Path {
			names = append(names, r.paths.channels[id])
		}
		id := r.paths.join(names)
		for m, run := range r.runs {
			if run.markov == nil && !pc.credits() {
				continue
			}
			c, v = grow(c, len(pc.Path)), grow(v, len(pc.Path))
			if err := run.credit.touches(pc, c, v); err != nil {
				return fmt.Errorf("%s: %v", r.Models[m], err)
			}
			for i := range pc.Path {
				if c[i].isZero() && v[i].isZero() {
					continue
				}
				cw.Write([]string{csvcell.Text(id), strconv.Itoa(i + 1), "", csvcell.Text(names[i]), r.Models[m], c[i].String(), v[i].String()})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// TransitionColumns are the columns WriteTransitions writes.
var TransitionColumns = []string{"model", "kind", "from", "to", "count", "probability", "channel", "conversion_effect", "value_effect"}

// WriteTransitions writes each Markov model's chain as CSV: its
// transitions (kind "transition": from, to, the journeys that made it as
// an exact decimal, and its probability), then its channels' removal
// effects (kind "removal_effect": the relative drops in the conversion
// probability and in the expected value from start).
func (r *ChannelReport) WriteTransitions(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(TransitionColumns)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for m, run := range r.runs {
		if run.markov == nil {
			continue
		}
		for _, t := range run.markov.Transitions() {
			cw.Write([]string{r.Models[m], "transition", csvcell.Text(t.From), csvcell.Text(t.To), t.count.String(), f(t.Probability), "", "", ""})
		}
		effects := append([]RemovalEffect(nil), run.markov.Effects...)
		sort.Slice(effects, func(i, j int) bool { return effects[i].Channel < effects[j].Channel })
		for _, e := range effects {
			cw.Write([]string{r.Models[m], "removal_effect", "", "", "", "", csvcell.Text(e.Channel), f(e.Conversion), f(e.Value)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// NoteUncredited adds to the data-driven report a note on the conversions
// it could not credit: those of journeys with no touch before them, which
// have no path (the journeys' report, rep, credits them to "(no touch)").
// It returns the note, or "" when every conversion has a path.
func (r *ChannelReport) NoteUncredited(rep *Report) string {
	n, v := rep.Total.Credit[0].Conversions-r.Conversions, rep.Total.Credit[0].Revenue-r.Value
	if n <= 1e-9 {
		return ""
	}
	note := fmt.Sprintf("%.4g conversions (value %.2f) came from journeys with no touch before them in the window; %s credit only journeys with a path, so they are not in the data-driven table",
		n, v, strings.Join(r.Models, " and "))
	r.Notes = append(r.Notes, note)
	return note
}
