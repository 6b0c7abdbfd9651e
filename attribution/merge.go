package attribution

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// This file holds the merge contract: a Report or a Paths built on one
// shard of the journeys merges with another shard's into what one pass over
// all of them gives, to the bit, so the work splits across cores or
// machines (a distributed engine) and combines exactly. State and
// MarshalBinary carry an accumulator between processes.

// merge adds another row's counts and sums.
func (row *Row) merge(o *Row) {
	for i := range row.sums {
		row.sums[i].conv.add(o.sums[i].conv)
		row.sums[i].rev.add(o.sums[i].rev)
	}
	row.notSalesReady.add(o.notSalesReady)
	if row.channelTouches == nil && len(o.channelTouches) > 0 {
		row.channelTouches = map[string]int{}
	}
	for ch, n := range o.channelTouches {
		row.channelTouches[ch] += n
	}
	f, g := &row.Funnel, o.Funnel
	f.Touched += g.Touched
	f.SalesReady += g.SalesReady
	f.Opportunities += g.Opportunities
	f.Won += g.Won
	f.SalesReadyOpportunities += g.SalesReadyOpportunities
	f.SalesReadyWon += g.SalesReadyWon
	f.WonNotSalesReady += g.WonNotSalesReady
	f.SalesAccepted += g.SalesAccepted
}

// Merge adds the journeys other counted into r, as if r had been given
// them with Add: credit, funnel and velocity. Both must run the same
// models (by name, in the same order) with the same options; r keeps its
// own costs and warnings. Finish r afterwards. Merging in any order and any
// grouping gives the same report, to the bit.
func (r *Report) Merge(other *Report) error {
	if err := r.sameModels(other.Models); err != nil {
		return err
	}
	for name, row := range other.campaigns {
		r.row(r.campaigns, name).merge(row)
	}
	for name, row := range other.channels {
		r.row(r.channels, name).merge(row)
	}
	r.Total.merge(&other.Total)
	for i := range r.unanchored {
		if i < len(other.unanchored) {
			r.unanchored[i].journeys += other.unanchored[i].journeys
			r.unanchored[i].rev.add(other.unanchored[i].rev)
			for _, a := range other.unanchored[i].missed {
				if !slices.Contains(r.unanchored[i].missed, a) {
					r.unanchored[i].missed = append(r.unanchored[i].missed, a)
				}
			}
		}
	}
	for step, gaps := range other.gaps {
		r.gaps[step] = append(r.gaps[step], gaps...)
	}
	for m := range other.milestones {
		r.milestones[m] = true
	}
	r.journeys += other.journeys
	return nil
}

func (r *Report) sameModels(names []string) error {
	if strings.Join(names, ",") != strings.Join(r.Models, ",") {
		return fmt.Errorf("cannot merge a report under the models %s into one under %s; run every shard with the same --models",
			strings.Join(names, ", "), strings.Join(r.Models, ", "))
	}
	return nil
}

// reportState is what State writes: the counts and exact sums of a
// report, without its models (named only, to check), options and costs.
type reportState struct {
	Models    []string             `json:"models"`
	Campaigns []rowState           `json:"campaigns"`
	Channels  []rowState           `json:"channels"`
	Total     rowState             `json:"total"`
	Gaps      map[string][]float64 `json:"gaps,omitempty"` // "from>to"
	// Unanchored are, by model, the journeys credited without a milestone
	// and their revenue (an exact decimal).
	Unanchored []unanchoredState `json:"unanchored,omitempty"`
	// Milestones are the names of the journeys' milestones, sorted;
	// Journeys how many journeys were added.
	Milestones []string `json:"milestones,omitempty"`
	Journeys   int      `json:"journeys,omitempty"`
}

type unanchoredState struct {
	Journeys int      `json:"journeys"`
	Revenue  string   `json:"revenue"`
	Missed   []string `json:"missed,omitempty"` // the milestones missed
}

type rowState struct {
	Name          string         `json:"name"`
	Touches       map[string]int `json:"touches,omitempty"`
	Funnel        Funnel         `json:"funnel"`
	Credit        [][2]string    `json:"credit"` // conversions, revenue: exact decimals
	NotSalesReady string         `json:"not_sales_ready,omitempty"`
}

// exactDecimal reads an exact sum that State or MarshalBinary wrote.
func exactDecimal(s string) (decimal, error) {
	if s == "" || s == "0" {
		return decimal{}, nil
	}
	d, err := parseDecimal(s)
	if err != nil {
		return d, fmt.Errorf("a sum: %v", err)
	}
	return d, nil
}

func (row *Row) state() rowState {
	st := rowState{Name: row.Name, Touches: row.channelTouches, Funnel: row.Funnel, NotSalesReady: row.notSalesReady.String()}
	st.Funnel.RevenueNotSalesReady = 0 // carried exactly by NotSalesReady
	for i := range row.sums {
		st.Credit = append(st.Credit, [2]string{row.sums[i].conv.String(), row.sums[i].rev.String()})
	}
	return st
}

func (st rowState) row(models int) (*Row, error) {
	if len(st.Credit) != models {
		return nil, fmt.Errorf("row %q has credit for %d models, not %d", st.Name, len(st.Credit), models)
	}
	row := &Row{Name: st.Name, Funnel: st.Funnel, Credit: make([]Amount, models), channelTouches: st.Touches, sums: make([]amountSum, models)}
	var err error
	if row.notSalesReady, err = exactDecimal(st.NotSalesReady); err != nil {
		return nil, err
	}
	for i, c := range st.Credit {
		if row.sums[i].conv, err = exactDecimal(c[0]); err != nil {
			return nil, err
		}
		if row.sums[i].rev, err = exactDecimal(c[1]); err != nil {
			return nil, err
		}
	}
	return row, nil
}

// State returns what r has counted, for another process to MergeState:
// credit and funnel per campaign, channel and in total, and the velocity
// gaps, exactly. The models, options and costs are not in it; the other
// side builds its report with the same ones.
func (r *Report) State() ([]byte, error) {
	st := reportState{Models: r.Models, Total: r.Total.state(), Gaps: map[string][]float64{}, Milestones: slices.Sorted(maps.Keys(r.milestones)), Journeys: r.journeys}
	for _, row := range r.campaigns {
		st.Campaigns = append(st.Campaigns, row.state())
	}
	for _, row := range r.channels {
		st.Channels = append(st.Channels, row.state())
	}
	for step, gaps := range r.gaps {
		st.Gaps[step[0]+">"+step[1]] = gaps
	}
	for _, t := range r.unanchored {
		if t.journeys > 0 {
			st.Unanchored = make([]unanchoredState, len(r.unanchored))
			for i, t := range r.unanchored {
				st.Unanchored[i] = unanchoredState{Journeys: t.journeys, Revenue: t.rev.String(), Missed: t.missed}
			}
			break
		}
	}
	return json.Marshal(st)
}

// MergeState adds a State (of a report under the same models) into r, as
// Merge does.
func (r *Report) MergeState(state []byte) error {
	var st reportState
	if err := json.Unmarshal(state, &st); err != nil {
		return fmt.Errorf("reading a report's state: %v", err)
	}
	if err := r.sameModels(st.Models); err != nil {
		return err
	}
	o := &Report{Models: st.Models, campaigns: map[string]*Row{}, channels: map[string]*Row{}, gaps: map[[2]string][]float64{}, milestones: map[string]bool{}}
	for _, m := range st.Milestones {
		o.milestones[m] = true
	}
	if st.Journeys < 0 {
		return fmt.Errorf("reading a report's state: %d journeys", st.Journeys)
	}
	o.journeys = st.Journeys
	for _, set := range []struct {
		rows []rowState
		into map[string]*Row
	}{{st.Campaigns, o.campaigns}, {st.Channels, o.channels}} {
		for _, rs := range set.rows {
			row, err := rs.row(len(r.Models))
			if err != nil {
				return fmt.Errorf("reading a report's state: %v", err)
			}
			set.into[row.Name] = row
		}
	}
	total, err := st.Total.row(len(r.Models))
	if err != nil {
		return fmt.Errorf("reading a report's state: %v", err)
	}
	o.Total = *total
	if len(st.Unanchored) > 0 && len(st.Unanchored) != len(r.Models) {
		return fmt.Errorf("reading a report's state: journeys without a milestone for %d models, not %d", len(st.Unanchored), len(r.Models))
	}
	o.unanchored = make([]anchorTally, len(r.Models))
	for i, u := range st.Unanchored {
		if u.Journeys < 0 {
			return fmt.Errorf("reading a report's state: %d journeys without a milestone", u.Journeys)
		}
		rev, err := exactDecimal(u.Revenue)
		if err != nil {
			return fmt.Errorf("reading a report's state: %v", err)
		}
		o.unanchored[i] = anchorTally{journeys: u.Journeys, rev: rev, missed: u.Missed}
	}
	for step, gaps := range st.Gaps {
		from, to, ok := strings.Cut(step, ">")
		if !ok {
			return fmt.Errorf("reading a report's state: the velocity step %q has no '>'", step)
		}
		o.gaps[[2]string{from, to}] = gaps
	}
	return r.Merge(o)
}

// pathsState is what Paths.MarshalBinary writes.
type pathsState struct {
	Channels  []string    `json:"channels"`
	Paths     []pathState `json:"paths"`
	Separator string      `json:"sep,omitempty"`
	Notes     []string    `json:"notes,omitempty"`
}

type pathState struct {
	Path        []int  `json:"p"`
	Conversions string `json:"c"` // exact decimals
	Value       string `json:"v"`
	Nulls       string `json:"n"`
}

func (st pathsState) validID(id int) bool { return id >= 0 && id < len(st.Channels) }

// MarshalBinary writes the paths with their exact counts, for another
// process to read with UnmarshalBinary (and Merge): nothing is rounded.
func (p *Paths) MarshalBinary() ([]byte, error) {
	st := pathsState{Channels: p.channels, Paths: make([]pathState, 0, len(p.counts)), Separator: p.sep, Notes: p.Notes}
	for _, pc := range p.sorted() {
		st.Paths = append(st.Paths, pathState{Path: pc.Path, Conversions: pc.conv.String(), Value: pc.value.String(), Nulls: pc.nulls.String()})
	}
	return json.Marshal(st)
}

// UnmarshalBinary replaces p with the paths MarshalBinary wrote.
func (p *Paths) UnmarshalBinary(data []byte) error {
	var st pathsState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("reading paths: %v", err)
	}
	fresh := NewPaths()
	fresh.sep = st.Separator
	for _, c := range st.Channels {
		if _, dup := fresh.index[c]; dup {
			return fmt.Errorf("reading paths: the channel %q is named twice", c)
		}
		if err := fresh.ids([]string{c}, make([]byte, 1)); err != nil {
			return fmt.Errorf("reading paths: %v", err)
		}
	}
	for _, ps := range st.Paths {
		if len(ps.Path) == 0 {
			return errors.New("reading paths: an empty path")
		}
		key := make([]byte, len(ps.Path))
		for i, id := range ps.Path {
			if !st.validID(id) {
				return fmt.Errorf("reading paths: channel id %d of %d channels", id, len(st.Channels))
			}
			key[i] = byte(id)
		}
		var sums [3]decimal
		for i, text := range [3]string{ps.Conversions, ps.Value, ps.Nulls} {
			d, err := exactDecimal(text)
			if err != nil {
				return fmt.Errorf("reading paths: %v", err)
			}
			sums[i] = d
		}
		fresh.addKey(string(key), sums[0], sums[1], sums[2])
	}
	p.channels, p.index, p.counts, p.sep, p.Notes = fresh.channels, fresh.index, fresh.counts, fresh.sep, st.Notes
	p.mu.Lock()
	p.order = nil
	p.mu.Unlock()
	return nil
}

// idsByName returns the channel ids in the order of the channels' names.
func (p *Paths) idsByName() []int {
	ids := make([]int, len(p.channels))
	for i := range ids {
		ids[i] = i
	}
	sort.Slice(ids, func(a, b int) bool { return p.channels[ids[a]] < p.channels[ids[b]] })
	return ids
}
