package attribution_test

import (
	"math"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
)

var t0 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func day(d float64) time.Time { return t0.Add(time.Duration(d * float64(24*time.Hour))) }

// journey is five touches over twelve days:
//
//	T1 day 0  nurture (email)
//	T2 day 2  brand (paid_search)   lead created day 2
//	T3 day 5  direct                sales-ready day 6
//	T4 day 9  abm (social)          opportunity day 9.5
//	T5 day 10 direct                won day 12, revenue 1000
func journey() *attribution.Journey {
	return &attribution.Journey{
		ID: "J",
		Touches: []attribution.Touch{
			{At: day(5), Campaign: "(direct)", Channel: "direct"}, // out of order on purpose
			{At: day(0), Campaign: "nurture", Channel: "email"},
			{At: day(2), Campaign: "brand", Channel: "paid_search"},
			{At: day(10), Campaign: "(direct)", Channel: "direct"},
			{At: day(9), Campaign: "abm", Channel: "social"},
		},
		Milestones: map[string]time.Time{"lead_created": day(2), "sales_ready": day(6), "opportunity": day(9.5), "won": day(12)},
		Converted:  true,
		Revenue:    1000,
	}
}

// shares returns the share of each touch, in time order T1..T5.
func shares(t *testing.T, m attribution.Model, j *attribution.Journey, opts attribution.Options) []float64 {
	t.Helper()
	out := make([]float64, 5)
	days := []float64{0, 2, 5, 9, 10}
	for _, c := range attribution.Attribute(m, j, opts) {
		for i, d := range days {
			if c.Touch.At.Equal(day(d)) {
				out[i] += c.Share
			}
		}
	}
	return out
}

func TestModelsByHand(t *testing.T) {
	// Time decay, half-life 7 days, from the conversion on day 12: ages 12, 10, 7, 3, 2 days.
	decay := []float64{math.Exp2(-12.0 / 7), math.Exp2(-10.0 / 7), math.Exp2(-7.0 / 7), math.Exp2(-3.0 / 7), math.Exp2(-2.0 / 7)}
	sum := 0.0
	for _, d := range decay {
		sum += d
	}
	for i := range decay {
		decay[i] /= sum
	}
	for _, tc := range []struct {
		model attribution.Model
		want  []float64
	}{
		{attribution.FirstTouchModel{}, []float64{1, 0, 0, 0, 0}},
		{attribution.LastTouchModel{}, []float64{0, 0, 0, 0, 1}},
		{attribution.LastNonDirectModel{}, []float64{0, 0, 0, 1, 0}},                                     // T5 is direct: T4
		{attribution.LastNonDirectModel{Direct: []string{"direct", "social"}}, []float64{0, 1, 0, 0, 0}}, // social counts as direct: T2
		{attribution.LinearModel{}, []float64{0.2, 0.2, 0.2, 0.2, 0.2}},
		{attribution.TimeDecayModel{}, decay},
		{attribution.PositionBasedModel{}, []float64{0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4}},
		{attribution.PositionBasedModel{First: 0.3, Last: 0.5}, []float64{0.3, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.5}},
		// W-shaped on sales-ready: T1, T2 (lead created) and T3 (the touch before
		// sales-ready on day 6) get 30% each; nothing lies between them, so the
		// 10% goes to the three in proportion: a third each.
		{attribution.WShaped(""), []float64{1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 0}},
		// On opportunity: T1, T2, T4 get 30%, T3 lies between and gets 10%.
		{attribution.WShaped("opportunity"), []float64{0.3, 0.3, 0.1, 0.3, 0}},
		// Full path: T1, T2, T4 (opportunity), T5 (won) 22.5% each; T3 between, 10%.
		{attribution.FullPath(), []float64{0.225, 0.225, 0.1, 0.225, 0.225}},
		{attribution.MilestoneModel{Anchors: []attribution.Anchor{{"first_touch", 0.5}, {"sales_ready", 0.3}}, Between: 0.2},
			[]float64{0.5, 0.2, 0.3, 0, 0}},
	} {
		t.Run(tc.model.Name(), func(t *testing.T) {
			got := shares(t, tc.model, journey(), attribution.Options{})
			assert.InDeltaSlice(t, tc.want, got, 1e-12)
		})
	}
}

func TestEdgeCases(t *testing.T) {
	j := journey()
	// Coinciding milestones: sales-ready on day 2 too, so T2 is both lead-creation
	// and sales-ready touch: 60%; T1 30%; no touch between: 10% in proportion.
	j.Milestones["sales_ready"] = day(2)
	assert.InDeltaSlice(t, []float64{1.0 / 3, 2.0 / 3, 0, 0, 0}, shares(t, attribution.WShaped(""), j, attribution.Options{}), 1e-12)

	// A missing milestone: no opportunity, so its 22.5% goes to the other
	// milestones' touches in proportion, first, lead created and won (30%
	// each), and the touches between, T3 and T4, keep their 10% (5% each).
	j = journey()
	delete(j.Milestones, "opportunity")
	assert.InDeltaSlice(t, []float64{0.3, 0.3, 0.05, 0.05, 0.3}, shares(t, attribution.FullPath(), j, attribution.Options{}), 1e-12)

	// Lookback of 7 days before the win on day 12 keeps T3 (day 5), T4 and T5.
	assert.InDeltaSlice(t, []float64{0, 0, 1, 0, 0}, shares(t, attribution.FirstTouchModel{}, journey(), attribution.Options{Lookback: 7 * 24 * time.Hour}), 1e-12)

	// One touch: everything to it, whatever the model.
	one := &attribution.Journey{ID: "1", Touches: []attribution.Touch{{At: day(1), Campaign: "c"}}, Converted: true, Revenue: 10}
	two := &attribution.Journey{ID: "2", Touches: []attribution.Touch{{At: day(1), Campaign: "a"}, {At: day(2), Campaign: "b"}}, Converted: true}
	for _, name := range attribution.ModelNames {
		spec := name
		if name == "custom" {
			spec = "custom:first_touch=0.5,won=0.5"
		}
		m, err := attribution.ParseModel(spec)
		require.NoError(t, err)
		c := attribution.Attribute(m, one, attribution.Options{})
		require.Len(t, c, 1, name)
		assert.Equal(t, 1.0, c[0].Share, name)
		assert.Equal(t, 10.0, c[0].Revenue, name)
	}
	// Two touches: position-based splits evenly.
	c := attribution.Attribute(attribution.PositionBasedModel{}, two, attribution.Options{})
	require.Len(t, c, 2)
	assert.Equal(t, 0.5, c[0].Share)
	assert.Equal(t, 0.5, c[1].Share)

	// Touches after the conversion do not count; no touch at all credits "(no touch)".
	late := &attribution.Journey{ID: "L", Touches: []attribution.Touch{{At: day(20), Campaign: "late"}},
		Milestones: map[string]time.Time{"won": day(12)}, Converted: true, Revenue: 5}
	c = attribution.Attribute(attribution.LinearModel{}, late, attribution.Options{})
	require.Len(t, c, 1)
	assert.Equal(t, attribution.NoTouch, c[0].Touch.Campaign)
	assert.Equal(t, 5.0, c[0].Revenue)

	// A journey that did not convert gives no credit.
	j = journey()
	j.Converted = false
	assert.Empty(t, attribution.Attribute(attribution.LinearModel{}, j, attribution.Options{}))
}

// randomJourney makes a journey of 0 to 12 touches with random milestones.
func randomJourney(r *rand.Rand, id string) *attribution.Journey {
	j := &attribution.Journey{ID: id, Milestones: map[string]time.Time{}, Converted: r.Intn(3) > 0,
		Revenue: math.Round(r.Float64()*100000) / 100, Conversions: float64(r.Intn(3))}
	channels := []string{"email", "paid_search", "social", "direct", "organic"}
	for i := r.Intn(13); i > 0; i-- {
		c := channels[r.Intn(len(channels))]
		j.Touches = append(j.Touches, attribution.Touch{At: day(r.Float64() * 90), Campaign: c + "-" + string(rune('a'+r.Intn(4))), Channel: c})
	}
	for _, m := range []string{"lead_created", "sales_ready", "opportunity", "won"} {
		if r.Intn(4) > 0 {
			j.Milestones[m] = day(r.Float64() * 100)
		}
	}
	return j
}

// Credit is conserved: for every model and every converting journey, the
// credits sum to its conversions and its revenue.
func TestCreditIsConserved(t *testing.T) {
	r := rand.New(rand.NewSource(42))
	specs := append([]string{}, attribution.ModelNames...)
	specs[len(specs)-1] = "custom:first_touch=0.2,sales_ready=0.5,last_touch=0.1,between=0.2"
	specs = append(specs, "time_decay:1d", "position_based:10/70", "w_shaped:opportunity", "last_non_direct:direct,organic")
	for i := 0; i < 3000; i++ {
		j := randomJourney(r, "r")
		opts := attribution.Options{}
		if i%3 == 0 {
			opts.Lookback = time.Duration(r.Intn(60)+1) * 24 * time.Hour
		}
		for _, spec := range specs {
			m, err := attribution.ParseModel(spec)
			require.NoError(t, err)
			var conv, rev, share float64
			for _, c := range attribution.Attribute(m, j, opts) {
				conv += c.Conversions
				rev += c.Revenue
				share += c.Share
				require.GreaterOrEqual(t, c.Share, 0.0)
			}
			wantConv := 0.0
			if j.Converted {
				wantConv = max(j.Conversions, 1)
				if j.Conversions == 0 {
					wantConv = 1
				}
				assert.InDelta(t, 1, share, 1e-12, "%s shares of journey %d", spec, i)
				assert.InDelta(t, j.Revenue, rev, 1e-9*math.Max(1, j.Revenue), "%s revenue of journey %d", spec, i)
			} else {
				assert.Zero(t, rev)
			}
			assert.InDelta(t, wantConv, conv, 1e-12, "%s conversions of journey %d", spec, i)
		}
	}
}

func TestParseModelErrors(t *testing.T) {
	for spec, want := range map[string]string{
		"lineer":               "unknown model \"lineer\"; did you mean \"linear\"? The models are first_touch, last_touch, last_non_direct, linear, time_decay, position_based, w_shaped, full_path, custom, and the data-driven markov:K, markov:auto and shapley",
		"gini":                 "unknown model \"gini\"; the models are first_touch, last_touch, last_non_direct, linear, time_decay, position_based, w_shaped, full_path, custom, and the data-driven markov:K, markov:auto and shapley",
		"markov":               "markov needs an order: write markov:K (K from 1 to 7, such as markov:2) or markov:auto",
		"shapley":              "shapley is a data-driven model, credited over all the paths at once: RunPaths runs it; ParseModel reads the rule-based models, first_touch, last_touch, last_non_direct, linear, time_decay, position_based, w_shaped, full_path, custom",
		"markov:2":             "markov:2 is a data-driven model, credited over all the paths at once: RunPaths runs it; ParseModel reads the rule-based models, first_touch, last_touch, last_non_direct, linear, time_decay, position_based, w_shaped, full_path, custom",
		"time_decay:soon":      "time_decay: write a duration such as 7d, not \"soon\"",
		"position_based:60/60": "position_based: write the first and last shares in percent, such as position_based:40/40",
		"custom:first_touch":   "custom: write milestone=share pairs, such as custom:first_touch=0.5,sales_ready=0.3,between=0.2",
		"custom:between=1":     "custom: name at least one milestone, such as custom:first_touch=0.5,won=0.5",
		// NaN, infinities and durations beyond time.Duration are refused, not run.
		"time_decay:NaNd":   "time_decay: write a duration such as 7d, not \"NaNd\"",
		"time_decay:1e300w": "time_decay: write a duration from 1h to 100 years, such as 7d, not \"1e300w\"",
		"time_decay:Infd":   "time_decay: write a duration such as 7d, not \"Infd\"",
		// Numbers in decimal only: Go's syntax would read 0x1p5 as 32 and 1_4 as 14.
		"time_decay:1_4d":                 "time_decay: write a duration such as 7d, not \"1_4d\"",
		"position_based:0x1p5/40":         "position_based: write the first and last shares in percent, such as position_based:40/40",
		"custom:first_touch=0x1p-1,won=1": "custom: write milestone=share pairs, such as custom:first_touch=0.5,sales_ready=0.3,between=0.2",
		"position_based:NaN/40":           "position_based: write the first and last shares in percent, such as position_based:40/40",
		"custom:first_touch=NaN":          "custom: write milestone=share pairs, such as custom:first_touch=0.5,sales_ready=0.3,between=0.2",
		"custom:first_touch=1,won=+Inf":   "custom: write milestone=share pairs, such as custom:first_touch=0.5,sales_ready=0.3,between=0.2",
	} {
		_, err := attribution.ParseModel(spec)
		if assert.Error(t, err, spec) {
			assert.Equal(t, want, err.Error())
		}
	}
}

// CheckPathModel refuses what RunPaths would, before any path: the
// settings and order of a chain; shapley and good chains pass.
func TestCheckPathModel(t *testing.T) {
	for _, spec := range []string{"shapley", "markov:1", "markov:7:conv:nonull", "markov:auto", "markov:auto:conv"} {
		assert.NoError(t, attribution.CheckPathModel(spec), spec)
	}
	for spec, want := range map[string]string{
		"markov":             "write markov:K (K the order, 1 to 7) or markov:auto, then :conv to share value like conversions, :nonull to ignore nulls",
		"markov:0":           "the order of a Markov chain is 1 to 7, not 0",
		"markov:8":           "the order of a Markov chain is 1 to 7, not 8",
		"markov:2:conv:conv": "write markov:K (K the order, 1 to 7) or markov:auto, then :conv to share value like conversions, :nonull to ignore nulls",
		"markov:auto:nonull": "markov:auto chooses the order by how well it predicts which paths convert, which needs the paths that did not (nulls); give markov:K:nonull with an order instead",
	} {
		assert.EqualError(t, attribution.CheckPathModel(spec), want, spec)
	}
}

func TestSplitModels(t *testing.T) {
	for list, want := range map[string][]string{
		"first_touch,linear":                       {"first_touch", "linear"},
		" first_touch , , linear ":                 {"first_touch", "linear"},
		"custom:first_touch=1,last_touch=1;linear": {"custom:first_touch=1,last_touch=1", "linear"},
		"time_decay:7d;time_decay:30d":             {"time_decay:7d", "time_decay:30d"},
		attribution.DefaultJourneyModels:           {"first_touch", "linear", "w_shaped"},
		"":                                         nil,
	} {
		got, err := attribution.SplitModels(list)
		require.NoError(t, err, list)
		assert.Equal(t, want, got, list)
	}
	_, err := attribution.SplitModels("linear;markov:2;linear")
	assert.EqualError(t, err, "--models lists linear twice; list each model once (two of one kind with different settings, such as time_decay:7d;time_decay:30d, are fine)")
	paths, err := attribution.SplitModels(attribution.DefaultPathModels)
	require.NoError(t, err)
	for _, spec := range paths {
		assert.NotContains(t, []string{"w_shaped", "full_path"}, spec, "bare paths carry no milestones")
	}
}

// A milestone model's missed milestone gives its share to the other
// milestones' touches, in proportion, and the touches between keep theirs
// (review rev17b): touches A, B, C, the lead created before A, C the
// sales-ready touch; under w_shaped, lead creation's 30% goes to A and C
// (45% each), and B, between them, keeps its 10%. Renormalising every
// touch gave 3/7, 1/7, 3/7 (428.57, 142.86, 428.57).
func TestMissedMilestoneShareGoesToTheOtherMilestones(t *testing.T) {
	j := &attribution.Journey{ID: "J1", Converted: true, Revenue: 1000,
		Touches:    []attribution.Touch{{At: day(0), Campaign: "A", Channel: "email"}, {At: day(9), Campaign: "B", Channel: "email"}, {At: day(19), Campaign: "C", Channel: "email"}},
		Milestones: map[string]time.Time{"lead_created": day(-30), "sales_ready": day(19), "won": day(60)}}
	_, rev := creditBy(t, "w_shaped", attribution.Options{}, j)
	assert.Equal(t, map[string]float64{"A": 450, "B": 100, "C": 450}, rev)
	// Never sales-ready: under custom, first_touch (A) and last_touch (C)
	// take sales_ready's 0.2 in proportion to their 0.2 and 0.4, and B
	// between keeps 0.2: A 0.8*1/3, C 0.8*2/3 of 1000.
	delete(j.Milestones, "sales_ready")
	_, rev = creditBy(t, "custom:first_touch=0.2,sales_ready=0.2,last_touch=0.4,between=0.2", attribution.Options{}, j)
	assert.InDelta(t, 800.0/3, rev["A"], 1e-9)
	assert.InDelta(t, 200, rev["B"], 1e-9)
	assert.InDelta(t, 1600.0/3, rev["C"], 1e-9)
	// The milestones left all have a share of 0: they take the missed
	// share in equal parts.
	_, rev = creditBy(t, "custom:first_touch=0,sales_ready=0.8,last_touch=0,between=0.2", attribution.Options{}, j)
	assert.Equal(t, map[string]float64{"A": 400, "B": 200, "C": 400}, rev)
}

// The rule above over random journeys, recomputed here from the guide's
// words: each milestone's share to its touch (the last at or before it;
// the first and last touches for first_touch and last_touch), a missed
// milestone's share to the others' touches in proportion to theirs, the
// between share in equal parts to the touches strictly between the first
// and last milestone touches, or, with none between, to the milestone
// touches in proportion.
func TestMilestoneModelsMatchTheDocumentedRule(t *testing.T) {
	r := rand.New(rand.NewSource(17))
	specs := []string{"w_shaped", "w_shaped:opportunity", "full_path", "custom:first_touch=0.2,sales_ready=0.5,last_touch=0.1,between=0.2", "custom:lead_created=0.3,opportunity=0.3,won=0.2,between=0.2"}
	checked := map[string]int{}
	for i := 0; i < 3000; i++ {
		j := randomJourney(r, "r")
		if !j.Converted {
			continue
		}
		var ts []attribution.Touch
		conv, ok := j.Milestones["won"]
		for _, x := range j.Touches {
			if !ok || !x.At.After(conv) {
				ts = append(ts, x)
			}
		}
		sort.Slice(ts, func(a, b int) bool { return ts[a].At.Before(ts[b].At) })
		if len(ts) < 2 {
			continue
		}
		for _, spec := range specs {
			m, err := attribution.ParseModel(spec)
			require.NoError(t, err)
			mm := m.(attribution.MilestoneModel)
			at := func(milestone string) int {
				switch milestone {
				case "first_touch":
					return 0
				case "last_touch":
					return len(ts) - 1
				}
				when, ok := j.Milestones[milestone]
				k := -1
				for i, x := range ts {
					if ok && !x.At.After(when) {
						k = i
					}
				}
				return k
			}
			want := make([]float64, len(ts))
			all, hit := 0.0, 0.0
			lo, hi := len(ts), -1
			anchored := map[int]bool{}
			for _, a := range mm.Anchors {
				all += a.Share
				if k := at(a.Milestone); k >= 0 {
					hit += a.Share
					anchored[k] = true
					lo, hi = min(lo, k), max(hi, k)
				}
			}
			if hi < 0 || hit == 0 {
				continue // no milestone touch: linear, checked elsewhere
			}
			for _, a := range mm.Anchors {
				if k := at(a.Milestone); k >= 0 {
					want[k] += a.Share * all / hit
				}
			}
			var between []int
			for k := lo + 1; k < hi; k++ {
				if !anchored[k] {
					between = append(between, k)
				}
			}
			for _, k := range between {
				want[k] += mm.Between / float64(len(between))
			}
			sum := 0.0
			for _, x := range want {
				sum += x
			}
			got := make([]float64, len(ts))
			for _, c := range attribution.Attribute(m, j, attribution.Options{}) {
				got[c.Position-1] += c.Share
			}
			for k := range want {
				assert.InDelta(t, want[k]/sum, got[k], 1e-12, "%s journey %d touch %d", spec, i, k)
			}
			if len(between) > 0 && len(anchored) < len(mm.Anchors) {
				checked[spec]++
			}
		}
	}
	for _, spec := range specs {
		assert.Greater(t, checked[spec], 50, "%s: journeys with a milestone missed and touches between", spec)
	}
}
