package attribution

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	States         int             `json:"states"`
	ConversionRate float64         `json:"conversion_rate"`
	Effects        []RemovalEffect `json:"removal_effects"`
}

// PathModelNames are the data-driven models by name: markov:K (order K, 1
// to 7, value shared by the value removal effect; markov:K:conv shares it by
// the conversion removal effect) and shapley (simplified Shapley).
var PathModelNames = []string{"markov:K", "markov:K:conv", "shapley"}

// RunPaths credits the channels of paths under each model spec (a
// rule-based model as ParseModel reads it, or a data-driven one), computing
// the models on workers goroutines (0: one per core).
func RunPaths(p *Paths, specs []string, workers int) (*ChannelReport, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	conv, value, nulls := p.Totals()
	rep := &ChannelReport{Models: specs, Conversions: conv, Value: value, Nulls: nulls, Paths: p.Len()}
	for _, spec := range specs {
		if name, _, _ := strings.Cut(spec, ":"); milestoneModels[name] {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s weighs touches by a journey's milestones (lead created, sales-ready, opportunity), which aggregated paths do not carry: here it credits every conversion to the first touch, as first_touch does. Give journeys with milestones (--journeys, or --leads) for its real credit.", spec))
		}
	}
	credits := make([][]ChannelCredit, len(specs))
	summaries := make([]*MarkovSummary, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, spec := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			credits[i], summaries[i], errs[i] = runSpec(p, spec)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %v", specs[i], err)
		}
		if summaries[i] != nil {
			rep.Markov = append(rep.Markov, *summaries[i])
		}
	}
	rep.Total = ChannelRow{Channel: "total", Credit: make([]ChannelCredit, len(specs))}
	// In the channels' name order, not their ids' (which depend on the order
	// the paths were read or merged in): the same paths give the same bits.
	for _, c := range p.idsByName() {
		name := p.channels[c]
		row := ChannelRow{Channel: name}
		for m := range specs {
			row.Credit = append(row.Credit, credits[m][c])
			rep.Total.Credit[m].Conversions += credits[m][c].Conversions
			rep.Total.Credit[m].Value += credits[m][c].Value
		}
		rep.Channels = append(rep.Channels, row)
	}
	sort.SliceStable(rep.Channels, func(a, b int) bool {
		if x, y := rep.Channels[a].Credit[0].Conversions, rep.Channels[b].Credit[0].Conversions; x != y {
			return x > y
		}
		return rep.Channels[a].Channel < rep.Channels[b].Channel
	})
	return rep, nil
}

func runSpec(p *Paths, spec string) ([]ChannelCredit, *MarkovSummary, error) {
	switch {
	case spec == "shapley":
		return SimplifiedShapley(p), nil, nil
	case strings.HasPrefix(spec, "markov:"):
		parts := strings.Split(spec, ":")
		order, err := strconv.Atoi(parts[1])
		if err != nil || len(parts) > 3 || (len(parts) == 3 && parts[2] != "conv") {
			return nil, nil, fmt.Errorf("write markov:K (K the order, 1 to %d), or markov:K:conv", MaxOrder)
		}
		m, err := NewMarkov(p, order)
		if err != nil {
			return nil, nil, err
		}
		effects := append([]RemovalEffect(nil), m.Effects...)
		sort.Slice(effects, func(i, j int) bool { return effects[i].Channel < effects[j].Channel })
		return m.Credit(len(parts) == 2), &MarkovSummary{Model: spec, States: m.States(), ConversionRate: m.ConversionRate, Effects: effects}, nil
	}
	m, err := ParseModel(spec)
	if err != nil {
		return nil, nil, err
	}
	return RuleBased(p, m), nil, nil
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
		fmt.Fprintf(&b, "%s: %d states, conversion rate from start %.12f\n\n", m.Model, m.States, m.ConversionRate)
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
		fmt.Fprintf(&b, "%s: %d states, conversion rate from start %.12f\n", m.Model, m.States, m.ConversionRate)
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
		rec := []string{row.Channel}
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
