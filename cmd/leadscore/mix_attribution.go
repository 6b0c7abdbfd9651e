package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"time"

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
	conv     [][]float64 // conversions credited, [channel][model]
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
			what := "the file"
			if te.Field != "" {
				what = fmt.Sprintf("%q", te.Field)
			}
			return nil, fmt.Errorf("%s:%d:%d: %s holds a JSON %s where the attribution report has %s; the file %s", path, line, col, what, te.Value, jsonKind(te.Type.Kind()), not)
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
		listed := map[string]bool{}
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
			if listed[name] {
				return fmt.Errorf("%s: channel %q is listed twice; each channel has one entry in an attribution report, so the file was edited or joined from two: keep one", path, name)
			}
			listed[name] = true
			i, ok := index[name]
			if !ok {
				i = len(ac.channels)
				index[name] = i
				ac.channels = append(ac.channels, name)
				ac.credit = append(ac.credit, nil)
				ac.conv = append(ac.conv, nil)
			}
			for len(ac.credit[i]) < len(ac.models) {
				ac.credit[i] = append(ac.credit[i], 0)
				ac.conv[i] = append(ac.conv[i], 0)
			}
			for m, cr := range ch.Credit {
				model := ac.models[first+m]
				v := cr.Conversions
				if money {
					switch {
					case cr.Revenue != nil:
						v = *cr.Revenue
					case cr.Value != nil:
						v = *cr.Value
					default:
						// Falling back to conversions for this entry alone
						// would mix two measures in one share.
						return fmt.Errorf("%s: channel %q has no revenue (or value) credited under %s, and the KPI is money, so the comparison is of revenue shares; give the report's revenue (attribute reads it from the journeys' revenue or the paths' value column), or compare a KPI that counts conversions", path, name, model)
					}
				}
				if v < 0 || cr.Conversions < 0 || math.IsNaN(v) {
					return fmt.Errorf("%s: channel %q is credited %v %s under %s; credit cannot be negative, so the file was not written by leadscore attribute or was edited: fix the entry", path, name, v, ac.measure, model)
				}
				ac.credit[i][first+m] = v
				ac.conv[i][first+m] = cr.Conversions
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
			ac.conv[i] = append(ac.conv[i], 0)
		}
	}
	return ac, nil
}

// jsonKind names what a Go kind is in JSON, for a reader of the file.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Struct, reflect.Map:
		return "an object {...}"
	case reflect.Slice, reflect.Array:
		return "a list [...]"
	case reflect.String:
		return "text in quotes"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return "an object {...} or null"
	}
	return "a number"
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
	Channel  string    `json:"channel"`
	MixShare mix.Share `json:"mix_share"`
	// Attribution is the channel's share of credit by model; Disagrees
	// the models whose share's interval and the mix share's do not
	// overlap.
	Attribution map[string]float64 `json:"attribution"`
	Disagrees   []string           `json:"disagrees"`
	// ByModel is the same per model, in the order of comparison_models,
	// with the share's interval and the conversions behind it.
	ByModel []modelShare `json:"by_model"`
}

// modelShare is a channel's share of credit under one attribution model:
// the share with its 95% Wilson interval on the conversions credited (see
// attributionInterval), the conversions credited to the channel, whether
// it disagrees with the mix share (the intervals do not overlap), and why
// no verdict is given when the conversions are too few.
type modelShare struct {
	Model       string       `json:"model"`
	Share       mix.Interval `json:"share"`
	Conversions float64      `json:"conversions"`
	Disagrees   bool         `json:"disagrees"`
	Withheld    string       `json:"withheld,omitempty"`
}

// MarshalJSON writes disagrees as null when the verdict is withheld:
// false would read as an agreement.
func (m modelShare) MarshalJSON() ([]byte, error) {
	disagrees := &m.Disagrees
	if m.Withheld != "" {
		disagrees = nil
	}
	// The two fields are modelShare's last: the JSON keeps its order.
	type plain modelShare
	return json.Marshal(struct {
		plain
		Disagrees *bool  `json:"disagrees"`
		Withheld  string `json:"withheld,omitempty"`
	}{plain(m), disagrees, m.Withheld})
}

// MinComparedConversions is the fewest conversions an attribution model
// must credit the compared channels in all for its shares to be set
// against the mix model's as agreeing or not. Above it, the Wilson
// interval carries the uncertainty of a channel's few conversions.
const MinComparedConversions = 30

// attributionInterval is the 95% Wilson score interval of a share p of n
// conversions. For a share of revenue it takes the revenue share as a
// share of the same n conversions: deal sizes that vary make the true
// interval wider, so it is the narrowest the share could have.
func attributionInterval(p, n float64) mix.Interval {
	if n <= 0 {
		return mix.Interval{Value: p, Low: 0, High: 1}
	}
	const z = 1.959963984540054
	z2 := z * z
	centre := (p + z2/(2*n)) / (1 + z2/n)
	half := z / (1 + z2/n) * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	return mix.Interval{Value: p, Low: math.Max(0, centre-half), High: math.Min(1, centre+half)}
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

// compare sets each common channel's mix share (over the weeks that
// overlap from..until, zero for open) beside its attribution shares:
// shares among the channels both have, so the two add up alike. A model
// disagrees on a channel when the intervals do not overlap, and says
// nothing when it credits the channels fewer than MinComparedConversions.
func compare(r *mix.Result, ac *attributionCredit, names []string, at []int, from, until time.Time) ([]comparisonRow, int, []string, error) {
	shares, weeks, err := r.SharesIn(names, from, until)
	if err != nil {
		return nil, 0, nil, err
	}
	var notes []string
	totals := make([]float64, len(ac.models))
	convs := make([]float64, len(ac.models))
	for _, i := range at {
		for m, v := range ac.credit[i] {
			totals[m] += v
			convs[m] += ac.conv[i][m]
		}
	}
	some := false
	for m := range ac.models {
		some = some || totals[m] > 0
	}
	if !some {
		if ac.measure == "revenue" {
			return nil, 0, nil, fmt.Errorf("no attribution model credits the compared channels any revenue, so there are no revenue shares to compare (a paths file without a value column credits none): run leadscore attribute with the paths' value column (--columns value=...), or compare a KPI that counts conversions")
		}
		return nil, 0, nil, fmt.Errorf("no attribution model credits the compared channels any conversions, so there are no shares to compare")
	}
	spent := map[string]bool{}
	for _, ch := range r.Channels {
		spent[ch.Name] = ch.Spend > 0
	}
	rows := make([]comparisonRow, len(names))
	for k, name := range names {
		rows[k] = comparisonRow{Channel: name, MixShare: shares[k], Attribution: map[string]float64{}, Disagrees: []string{}, ByModel: []modelShare{}}
	}
	for m, model := range ac.models {
		if totals[m] <= 0 {
			notes = append(notes, fmt.Sprintf("%s credits the compared channels no %s; it is left out", model, ac.measure))
			continue
		}
		for k, i := range at {
			s := ac.credit[i][m] / totals[m]
			iv := attributionInterval(s, convs[m])
			row := &rows[k]
			row.Attribution[model] = s
			ms := modelShare{Model: model, Share: iv, Conversions: ac.conv[i][m]}
			switch {
			case !spent[row.Channel]:
				ms.Withheld = fmt.Sprintf("%s has no spend in the mix model's data: its mix share is zero by construction, not measured, so no attribution share is set against it", row.Channel)
			case convs[m] < MinComparedConversions:
				ms.Withheld = fmt.Sprintf("%s credits the compared channels %s conversions in all, fewer than %d: too few to say whether its share of %s agrees with the mix model", model, sig(convs[m]), MinComparedConversions, row.Channel)
			case iv.High < row.MixShare.Low || iv.Low > row.MixShare.High:
				ms.Disagrees = true
				row.Disagrees = append(row.Disagrees, model)
			}
			row.ByModel = append(row.ByModel, ms)
		}
	}
	return rows, weeks, notes, nil
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
