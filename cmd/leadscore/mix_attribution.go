package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/suggest"
	"github.com/leadscore/leadscore/mix"
)

// attributionDoc is what mix reads of `leadscore attribute --format json`:
// the models, and each channel's credit under each. Journeys name a
// channel's row name and credit it revenue; paths name it channel and
// credit it value; a journeys report may carry a paths report of its own
// (data_driven).
type attributionDoc struct {
	Models   []string `json:"models"`
	Channels []struct {
		Name    string `json:"name"`
		Channel string `json:"channel"`
		Credit  []struct {
			Conversions float64  `json:"conversions"`
			Revenue     *float64 `json:"revenue"`
			Value       *float64 `json:"value"`
		} `json:"credit"`
	} `json:"channels"`
	DataDriven *attributionDoc `json:"data_driven"`
}

// attributionCredit is an attribution report's credit per channel and
// model, in one measure.
type attributionCredit struct {
	models   []string
	channels []string    // as the report names them
	credit   [][]float64 // [channel][model]
	// measure is "revenue" or "conversions".
	measure string
	notes   []string
}

// readAttribution reads the JSON of `leadscore attribute --format json`
// from path, taking revenue credit when money is set (the KPI is money)
// and conversions otherwise.
func readAttribution(path string, money bool) (*attributionCredit, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %v", path, unwrapPath(err))
	}
	not := "is not the JSON that leadscore attribute --format json writes"
	var doc attributionDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(b, se.Offset)
			return nil, fmt.Errorf("%s:%d:%d: %v; the file %s", path, line, col, se, not)
		case errors.As(err, &te):
			line, col := lineCol(b, te.Offset)
			return nil, fmt.Errorf("%s:%d:%d: %s is a JSON %s, not a %v; the file %s", path, line, col, te.Field, te.Value, te.Type, not)
		}
		return nil, fmt.Errorf("%s: %v; the file %s", path, err, not)
	}
	ac := &attributionCredit{measure: "conversions"}
	if money {
		ac.measure = "revenue"
	}
	index := map[string]int{}
	seen := map[string]bool{}
	var add func(d *attributionDoc, prefix string) error
	add = func(d *attributionDoc, prefix string) error {
		first := len(ac.models)
		for _, m := range d.Models {
			if seen[m] {
				m = prefix + m
			}
			seen[m] = true
			ac.models = append(ac.models, m)
		}
		for _, ch := range d.Channels {
			name := ch.Name
			if name == "" {
				name = ch.Channel
			}
			if name == "" {
				return fmt.Errorf("%s: a channel has no name; the file %s", path, not)
			}
			if len(ch.Credit) != len(d.Models) {
				return fmt.Errorf("%s: channel %q has credit under %d models, the report names %d (%s); the file %s", path, name, len(ch.Credit), len(d.Models), strings.Join(d.Models, ", "), not)
			}
			i, ok := index[name]
			if !ok {
				i = len(ac.channels)
				index[name] = i
				ac.channels = append(ac.channels, name)
				ac.credit = append(ac.credit, nil)
			}
			for len(ac.credit[i]) < len(ac.models) {
				ac.credit[i] = append(ac.credit[i], 0)
			}
			for m, cr := range ch.Credit {
				v := cr.Conversions
				if money {
					switch {
					case cr.Revenue != nil:
						v = *cr.Revenue
					case cr.Value != nil:
						v = *cr.Value
					}
				}
				ac.credit[i][first+m] = v
			}
		}
		return nil
	}
	if err := add(&doc, ""); err != nil {
		return nil, err
	}
	if doc.DataDriven != nil {
		if err := add(doc.DataDriven, "data_driven:"); err != nil {
			return nil, err
		}
	}
	if len(ac.models) == 0 || len(ac.channels) == 0 {
		return nil, fmt.Errorf("%s has no models or no channels; the file %s", path, not)
	}
	for i := range ac.credit {
		for len(ac.credit[i]) < len(ac.models) {
			ac.credit[i] = append(ac.credit[i], 0)
		}
	}
	return ac, nil
}

// lineCol is the line and column of byte offset off in b (an offset one
// past the byte a JSON error is found at, as encoding/json gives it).
func lineCol(b []byte, off int64) (int, int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	if off > 0 {
		off--
	}
	before := b[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// comparisonRow is a channel's share of incremental KPI under the mix
// model beside its share of credit under each attribution model.
type comparisonRow struct {
	Channel  string       `json:"channel"`
	MixShare mix.Interval `json:"mix_share"`
	// Attribution is the channel's share of credit by model.
	Attribution map[string]float64 `json:"attribution"`
	// Disagrees are the models whose share lies outside the mix share's
	// 95% interval.
	Disagrees []string `json:"disagrees"`
}

// matchAttribution pairs the mix model's channels with the attribution's,
// case-insensitively: the pairs (mix name, attribution index), and a note
// for each channel in one but not the other. No channel in common is an
// error.
func matchAttribution(mixNames []string, ac *attributionCredit) (names []string, at []int, notes []string, err error) {
	byLower := map[string][]int{}
	for i, name := range ac.channels {
		k := strings.ToLower(name)
		byLower[k] = append(byLower[k], i)
	}
	used := map[int]bool{}
	for _, name := range mixNames {
		idx := byLower[strings.ToLower(name)]
		if len(idx) == 0 {
			hint := ""
			if s := suggest.Name(name, ac.channels); s != "" {
				hint = fmt.Sprintf(" (is it %q there?)", s)
			}
			notes = append(notes, fmt.Sprintf("%s is a mix-model channel that the attribution does not credit%s: its touches may not be tracked, or it is named otherwise there; it is left out of the comparison", name, hint))
			continue
		}
		if len(idx) > 1 {
			var spelt []string
			for _, i := range idx {
				spelt = append(spelt, fmt.Sprintf("%q", ac.channels[i]))
			}
			return nil, nil, nil, fmt.Errorf("the attribution has channel %s spelt %s, which differ only in case; mix matches channels regardless of case, so it cannot tell which is the spend file's %q", name, strings.Join(spelt, " and "), name)
		}
		used[idx[0]] = true
		names = append(names, name)
		at = append(at, idx[0])
	}
	for i, name := range ac.channels {
		if used[i] {
			continue
		}
		if name == attribution.NoTouch {
			notes = append(notes, fmt.Sprintf("%s is the conversions with no touch the attribution could credit; they are left out of the comparison, as the mix model's baseline holds them", name))
			continue
		}
		hint := ""
		if s := suggest.Name(name, mixNames); s != "" {
			hint = fmt.Sprintf(" (is it %q there?)", s)
		}
		notes = append(notes, fmt.Sprintf("%s is credited by the attribution but has no spend in the spend file%s; it is left out of the comparison", name, hint))
	}
	if len(names) == 0 {
		return nil, nil, notes, fmt.Errorf("no channel of the attribution (%s) is a channel of the spend file (%s); name them alike (case does not matter)", strings.Join(ac.channels, ", "), strings.Join(mixNames, ", "))
	}
	return names, at, notes, nil
}

// compare sets each common channel's mix share beside its attribution
// shares: shares among the channels both have, so the two add up alike.
func compare(r *mix.Result, ac *attributionCredit, names []string, at []int) ([]comparisonRow, []string, error) {
	shares, err := r.SharesAmong(names)
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	totals := make([]float64, len(ac.models))
	for _, i := range at {
		for m, v := range ac.credit[i] {
			totals[m] += v
		}
	}
	rows := make([]comparisonRow, len(names))
	for k, name := range names {
		rows[k] = comparisonRow{Channel: name, MixShare: shares[k], Attribution: map[string]float64{}, Disagrees: []string{}}
	}
	for m, model := range ac.models {
		if totals[m] <= 0 {
			notes = append(notes, fmt.Sprintf("%s credits the compared channels no %s; it is left out", model, ac.measure))
			continue
		}
		for k, i := range at {
			s := ac.credit[i][m] / totals[m]
			rows[k].Attribution[model] = s
			if s < rows[k].MixShare.Low || s > rows[k].MixShare.High {
				rows[k].Disagrees = append(rows[k].Disagrees, model)
			}
		}
	}
	return rows, notes, nil
}

// comparisonModels are the models of ac that the comparison has shares for.
func comparisonModels(ac *attributionCredit, rows []comparisonRow) []string {
	var out []string
	for _, m := range ac.models {
		if len(rows) > 0 {
			if _, ok := rows[0].Attribution[m]; ok {
				out = append(out, m)
			}
		}
	}
	return out
}
