package backtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

func small(name string) string { return filepath.Join("..", "testdata", "backtest", "small", name) }

func day(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// readLeads reads a leads file with the scorer's schema.
func readLeads(t testing.TB, s *scoring.Scorer, name string) []scoring.Lead {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	var leads []scoring.Lead
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: f, InputName: name}, func(line int, l scoring.Lead, err error) error {
		require.NoError(t, err, "line %d", line)
		leads = append(leads, l)
		return nil
	}))
	return leads
}

func readOutcomes(t testing.TB, name string) map[string]attribution.Outcome {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	out, n, err := attribution.ReadOutcomes(f, func(line int, err error) { t.Errorf("%s:%d: %v", name, line, err) })
	require.NoError(t, err)
	require.Zero(t, n.Failed)
	return out
}

func scorerOf(t testing.TB, model string) *scoring.Scorer {
	t.Helper()
	m, err := rules.CompileFile(model)
	require.NoError(t, err)
	return scoring.New(m)
}

// run backtests leads against outcomes and returns the report.
func run(t testing.TB, s *scoring.Scorer, leads []scoring.Lead, outcomes map[string]attribution.Outcome, opts backtest.Options, ref []scoring.Lead, refAt time.Time) *backtest.Report {
	t.Helper()
	b, err := backtest.New(s, outcomes, opts)
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, b.Add(l))
	}
	for _, l := range ref {
		require.NoError(t, b.AddReference(context.Background(), l, refAt))
	}
	return b.Report()
}

func val(t *testing.T, v *float64) float64 {
	t.Helper()
	require.NotNil(t, v)
	return *v
}

// TestSmallFileByHand checks every figure of the report on
// testdata/backtest/small against arithmetic done by hand, written out
// below. T0 = 2026-06-01, T1 = 2026-09-01.
//
// The leads at T0 (fit.vp 30, fit.company 10 for a non-gmail address,
// engagement.demo 40 for a demo request up to T0; sql: fit >= 30 and
// engagement >= 40; mql: fit >= 10; grade A: fit >= 30):
//
//	lead  fit  eng  total  stage  grade  outcome in (T0, T1]
//	L1     40   40     80  sql    A      opportunity 06-05, won 07-01 (1000)
//	L2     40    0     40  mql    A      opportunity 06-20, won 08-01 (500)
//	L3     30   40     70  sql    A      opportunity 06-10, lost 07-10
//	L4     10   40     50  mql    B      —
//	L5     10    0     10  mql    B      won 07-15 (2000), no opportunity date: won counts as one
//	L6      0    0      0  —      B      —
//	L7      0    0      0  —      B      its demo is on 06-15, after T0: unseen
//	L8     10   40     50  mql    B      a student: disqualified (gate.student)
//	L12    40    0     40  mql    A      opportunity 09-10 and won 10-01: after T1, so neither
//
// Left out: L9 (created 07-01, after T0), L10 (won 05-25, before T0), L11
// (an opportunity since 05-15, open at T0). The outcome of L99 names no lead.
// So 9 leads, 3 won (L1, L2, L5: revenue 3500), 4 opportunities (L1, L2,
// L3, L5); the overall win rate is 3/9 = 1/3.
func TestSmallFileByHand(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	leads := readLeads(t, s, small("leads.ndjson"))
	ref := readLeads(t, s, small("reference.ndjson"))
	opts := backtest.Options{At: day(6, 1), Until: day(9, 1), Capacity: &backtest.Capacity{Leads: 1, Unit: "week"}}
	r := run(t, s, leads, readOutcomes(t, small("outcomes.csv")), opts, ref, day(3, 1))

	assert.Equal(t, backtest.Counts{Added: 12, InBacktest: 9, NotCreated: 1, Decided: 1, OpenOpportunity: 1, OutcomesWithoutLead: 1}, r.Leads)
	assert.Equal(t, 3, r.Won)
	assert.Equal(t, 4, r.Opportunities)
	assert.Equal(t, 3500.0, r.Revenue)
	assert.Equal(t, 1, r.WonAfterUntil, "L12")
	assert.InDelta(t, 1.0/3, val(t, r.WinRate), 1e-12)

	// Sales-ready: L1 and L3. Won: L1. Precision 1/2, recall 1/3, lift
	// (1/2)/(1/3) = 1.5; missed: L2 and L5, 2500. Opportunities among
	// them: L1 and L3, so 2/2, and 2 of the 4 opportunities.
	c := r.SalesReady
	assert.Equal(t, []int{2, 1, 2, 2}, []int{c.Leads, c.Won, c.Opportunities, c.MissedWon})
	assert.InDelta(t, 0.5, val(t, c.Precision), 1e-12)
	assert.InDelta(t, 1.0/3, val(t, c.Recall), 1e-12)
	assert.InDelta(t, 1.5, val(t, c.Lift), 1e-12)
	assert.InDelta(t, 1.0, val(t, c.OpportunityPrecision), 1e-12)
	assert.InDelta(t, 0.5, val(t, c.OpportunityRecall), 1e-12)
	assert.Equal(t, 1000.0, c.Revenue)
	assert.Equal(t, 2500.0, c.MissedRevenue)

	// AUC (won): 3 × 6 = 18 pairs. L1 (80) beats all 6; L2 (40) beats L6
	// and L7 (0) and ties L12 (40): 2.5; L5 (10) beats L6 and L7: 2.
	// (6 + 2.5 + 2) / 18 = 10.5 / 18 = 0.58333.
	assert.InDelta(t, 10.5/18, val(t, r.AUC), 1e-12)
	// AUC (opportunity): positives L1 80, L2 40, L3 70, L5 10 against L4
	// 50, L6 0, L7 0, L8 50, L12 40: 5 + 2.5 + 5 + 2 = 14.5 of 20 = 0.725.
	assert.InDelta(t, 14.5/20, val(t, r.AUCOpportunity), 1e-12)
	// fit: won 40, 40, 10 against 30, 10, 0, 0, 10, 40: L1 and L2 beat 5
	// and tie L12 (5.5 each), L5 beats 2 and ties 2 (3): 14 / 18.
	assert.Equal(t, "fit", r.CategoryAUC[0].Name)
	assert.InDelta(t, 14.0/18, val(t, r.CategoryAUC[0].Value), 1e-12)
	// KS: shares at or below each total (won of 3, not won of 6):
	// ≤0: 0 vs 2/6 (gap 1/3); ≤10: 1/3 vs 2/6 (0); ≤40: 2/3 vs 3/6;
	// ≤50: 2/3 vs 5/6; ≤70: 2/3 vs 1 (1/3 again); ≤80: 1 vs 1. KS = 1/3,
	// first reached at 0.
	assert.InDelta(t, 1.0/3, val(t, r.KS), 1e-12)
	assert.Equal(t, 0.0, r.KSAt)

	// Stages: sql L1 L3 (opp 2, won 1); mql L2 L4 L5 L8 L12 (opp L2 L5,
	// won L2 L5); none L6 L7.
	groups := func(gs []backtest.Group) [][4]any {
		var out [][4]any
		for _, g := range gs {
			out = append(out, [4]any{g.Name, g.Leads, g.Opportunities, g.Won})
		}
		return out
	}
	assert.Equal(t, [][4]any{{"sql", 2, 2, 1}, {"mql", 5, 2, 2}, {"(no stage)", 2, 0, 0}}, groups(r.Stages))
	assert.InDelta(t, 0.4/(1.0/3), val(t, r.Stages[1].Lift), 1e-12, "mql wins 2/5 = 0.4, lift 1.2")
	// Grades: A L1 L2 L3 L12 (opp L1 L2 L3, won L1 L2); B the other 5 (opp L5, won L5).
	assert.Equal(t, [][4]any{{"A", 4, 3, 2}, {"B", 5, 1, 1}}, groups(r.Grades))

	// Deciles: decile = floor(10 × leads scoring higher / 9): 80 → 0,
	// 70 → floor(10/9) = 1, 50 → floor(20/9) = 2, 40 → floor(40/9) = 4,
	// 10 → floor(60/9) = 6, 0 → floor(70/9) = 7; cumulative recall adds
	// the won deals from the top: 1/3, 1/3, 1/3, 2/3, 1, 1.
	type bandRow struct {
		Name       string
		Leads, Won int
		CumRecall  float64
	}
	rows := func(bs []backtest.Band) []bandRow {
		var out []bandRow
		for _, b := range bs {
			out = append(out, bandRow{b.Name, b.Leads, b.Won, val(t, b.CumRecall)})
		}
		return out
	}
	third := 1.0 / 3
	assert.Equal(t, []bandRow{{"D1", 1, 1, third}, {"D2", 1, 0, third}, {"D3", 2, 0, third}, {"D5", 2, 1, 2 * third}, {"D7", 1, 1, 1}, {"D8", 2, 0, 1}}, rows(r.Deciles))
	// Fixed bands of 20: 80 | 70 | 50 50 40 40 | — | 10 0 0.
	assert.Equal(t, []bandRow{{"80 to 100", 1, 1, third}, {"60 to 80", 1, 0, third}, {"40 to 60", 4, 1, 2 * third}, {"20 to 40", 0, 0, 2 * third}, {"0 to 20", 3, 1, 1}}, rows(r.Bands))
	assert.Nil(t, r.Bands[3].WinRate, "an empty band has no rate")
	// Calibration of "40 to 60", 1 won of 4, Wilson with z = 1.96:
	// centre = (0.25 + z²/8) / (1 + z²/4) = 0.73018 / 1.96037 = 0.37247,
	// half = z √(0.25 × 0.75 / 4 + z²/64) / 1.96037 = 0.32689:
	// 0.04558 to 0.69936. Lift 0.25 / (1/3) = 0.75.
	assert.InDelta(t, 0.04558, val(t, r.Bands[2].Low), 1e-4)
	assert.InDelta(t, 0.69936, val(t, r.Bands[2].High), 1e-4)
	assert.InDelta(t, 0.75, val(t, r.Bands[2].Lift), 1e-12)
	// Win rates bottom up: 1/3, (empty), 1/4, 0, 1: two falls, both
	// within noise. Fisher's one-sided p of 1 of 4 above 1 of 3 is
	// P(A ≤ 1) with margins 4, 3 and 2 won: 1 − C(4,2)C(3,0)/C(7,2) =
	// 1 − 6/21 = 0.714; of 0 of 1 above 1 of 4, P(A ≤ 0) = C(4,2)/C(5,2)
	// = 0.6: far from any verdict on 9 leads.
	assert.Nil(t, r.Inversions)
	assert.Equal(t, 2, r.InversionsWithinNoise)

	// Rules, with W = 3 won, N = 6 not won, p = 1/3; g and b are the
	// smoothed shares of won and not-won leads in the group that fired (1)
	// and the rest (0): g = (won there + p) / (W + 2p) = (won there + 1/3) / (11/3),
	// b = (others there + 2/3) / (22/3).
	//
	// fit.company fired on L1 L2 L4 L5 L8 L12: 3 won, 3 not. Shares 1 and
	// 1/2, lift (3/6)/(1/3) = 1.5. g1 = 10/11, b1 = 11/22, g0 = 1/11,
	// b0 = 11/22. WoE = ln(20/11) = 0.59784; IV = 0.40909 × 0.59784 +
	// 0.40909 × 1.70475 = 0.94197: strong.
	//
	// fit.vp fired on L1 L2 L3 L12: 2 won, 2 not. g1 = 7/11, b1 = 8/22,
	// g0 = 4/11, b0 = 14/22. WoE = ln(1.75) = 0.55962; IV = 2 × 0.27273 ×
	// 0.55962 = 0.30524: strong.
	//
	// gate.student fired on L8: 0 won, 1 not. g1 = 1/11, b1 = 5/22, g0 =
	// 10/11, b0 = 17/22. WoE = ln(2/5) = -0.91629; IV = (3/22)(0.91629) +
	// (3/22)(0.16252) = 0.14711: medium.
	//
	// engagement.demo fired on L1 L3 L4 L8 (not L7: its demo is after T0):
	// 1 won, 3 not. Shares 1/3 and 1/2, lift (1/4)/(1/3) = 0.75. g1 = 4/11,
	// b1 = 11/22, g0 = 7/11, b0 = 11/22. WoE = ln(8/11) = -0.31845; IV =
	// 0.13636 × 0.31845 + 0.13636 × 0.24116 = 0.07631: weak.
	//
	// With 3 won deals, under the default minimum of 20, every verdict is
	// "too little data". fit.company fired on every won lead and
	// gate.student on none: their plain WoE and IV are infinite, the
	// figures above are the smoothing's, so they are ranked after the
	// rules measured, and their why says so.
	type ruleRow struct {
		Rule             string
		Fired, FiredWon  int
		WoE, IV          float64
		Signal           string
		Verdict          string
		ShareWon, ShareN float64
	}
	var got []ruleRow
	for _, s := range r.Rules {
		got = append(got, ruleRow{s.Rule, s.Fired, s.FiredWon, round5(val(t, s.WoE)), round5(val(t, s.IV)), s.Signal, s.Verdict, round5(val(t, s.ShareWon)), round5(val(t, s.ShareNotWon))})
	}
	assert.Equal(t, []ruleRow{
		{"fit.vp", 4, 2, 0.55962, 0.30524, "unclear", "too little data", 0.66667, 0.33333},
		{"engagement.demo", 4, 1, -0.31845, 0.07631, "unclear", "too little data", 0.33333, 0.5},
		{"fit.company", 6, 3, 0.59784, 0.94197, "unclear", "too little data", 1, 0.5},
		{"gate.student", 1, 0, -0.91629, 0.14711, "unclear", "too little data", 0, 0.16667},
	}, got, "3 won deals: every IV's interval reaches from no signal to a signal, whatever the estimate")
	for i, on := range []string{"", "", "it fired on every won lead, so its WoE and IV are", "it fired on no won lead, so its WoE and IV are"} {
		if on == "" {
			assert.NotContains(t, r.Rules[i].Why, "smoothing", r.Rules[i].Rule)
		} else {
			assert.Contains(t, r.Rules[i].Why, on, r.Rules[i].Rule)
		}
	}
	for _, s := range r.Rules {
		require.NotNil(t, s.IVInterval)
		assert.Less(t, s.IVInterval.Low, 0.02, s.Rule)
		assert.GreaterOrEqual(t, s.IVInterval.High, 0.02, s.Rule)
	}
	assert.InDelta(t, 1.5, val(t, r.Rules[2].Lift), 1e-12)
	assert.InDelta(t, 0.75, val(t, r.Rules[1].Lift), 1e-12)

	// Capacity, 1 lead a week. History: from the first creation (L6,
	// 05-04) to T0: 28 days, 4 weeks. Each lead's total over time (a
	// score on fit alone counts from creation; L8 is disqualified, so it
	// counts nowhere): L1 40 on 05-10, 80 on 05-20; L2 40 on 05-11; L3 30
	// on 05-12, 70 on 05-25; L4 10 on 05-13, 50 on 05-26; L5 10; L12 40;
	// L6, L7, L10, L11 0. Crossing 41 to 50: L1, L3, L4 = 3 in 4 weeks,
	// 0.75 a week, within 1; crossing 40: also L2 and L12, 1.25 a week,
	// over. So the threshold is 41; at T0, L1, L3 and L4 stand at or above
	// it, L1 won: win rate 1/3, recall 1/3, 0.75 × 1/3 = 0.25 won a week.
	// The definition itself: L1 (05-20) and L3 (05-25) became sales-ready,
	// 2 in 4 weeks = 0.5 a week.
	cp := r.Capacity
	require.NotNil(t, cp)
	assert.Equal(t, day(5, 4), cp.From)
	assert.InDelta(t, 4.0, cp.Periods, 1e-12)
	assert.Equal(t, 41.0, val(t, cp.Threshold))
	assert.InDelta(t, 0.75, val(t, cp.At.PerPeriod), 1e-12)
	assert.Equal(t, []int{3, 1}, []int{cp.At.Leads, cp.At.Won})
	assert.InDelta(t, 0.25, val(t, cp.At.ExpectedWon), 1e-12)
	assert.InDelta(t, 1.25, val(t, cp.Curve[40].PerPeriod), 1e-12)
	assert.InDelta(t, 0.5, val(t, cp.Current.PerPeriod), 1e-12)
	assert.Equal(t, []int{2, 1}, []int{cp.Current.Leads, cp.Current.Won})

	// Drift against the reference scored at 03-01: R1 80, R2 40, R3 10,
	// R4 0, one per decile (0, floor(10/4) = 2, 5, 7), cut at 80, 40, 10,
	// 0. The 11 leads that existed at T0 fall 1 (80), 5 (70 50 50 40 40),
	// 1 (10), 4 (0 0 0 0). Shares with half a lead per bin: (1.5, 5.5,
	// 1.5, 4.5) / 13 against 1.5 / 6 each. PSI = 0.10409 + 0.09105 +
	// 0.10409 + 0.03129 = 0.33052: a major shift. fit.vp fires on 4 of 11
	// against 2 of 4: (4.5, 7.5) / 12 against (2.5, 2.5) / 5: PSI =
	// 0.125 × 0.28768 + 0.125 × 0.22314 = 0.06385, stable.
	d := r.Drift
	require.NotNil(t, d)
	assert.Equal(t, []int{11, 4}, []int{d.Leads, d.Reference})
	assert.InDelta(t, 0.33052, val(t, d.Total), 1e-5)
	assert.Equal(t, "major shift", d.TotalBand)
	// The totals' distributions (Kolmogorov–Smirnov): the shares at or
	// below each total, now against the reference: 0: 4/11 against 1/4;
	// 10: 5/11, 2/4; 40: 7/11, 3/4; 50: 9/11, 3/4; 70: 10/11, 3/4; 80: 1,
	// 1. The largest gap is at 70: 10/11 - 3/4 = 7/44 = 0.15909, more
	// leads at or below it now. Mean totals 340/11 = 30.909 and 130/4 =
	// 32.5. Four reference leads are too few for the test: no p.
	ts := d.TotalShift
	assert.InDelta(t, 7.0/44, val(t, ts.KS), 1e-12)
	assert.Equal(t, 70.0, val(t, ts.At))
	assert.InDelta(t, 10.0/11, val(t, ts.Share), 1e-12)
	assert.InDelta(t, 0.75, val(t, ts.ReferenceShare), 1e-12)
	assert.InDelta(t, 340.0/11, val(t, ts.Mean), 1e-12)
	assert.InDelta(t, 32.5, val(t, ts.ReferenceMean), 1e-12)
	assert.Nil(t, ts.P)
	assert.False(t, ts.Shifted)
	assert.Equal(t, "too few leads to test", ts.Verdict)
	// fit.vp, 4 of 11 against 2 of 4: ratio (4/11)/(2/4) = 0.72727, Katz
	// interval exp(±1.959964 × sqrt(1/4 - 1/11 + 1/2 - 1/4) = ±1.25360):
	// 0.20762 to 2.54758. Expected fired in the reference 4 × 6/15 = 1.6,
	// under 5: Fisher's test. With the margins (11, 4; 6, 9) the tables
	// of 2 to 6 fired now have C(11,x)C(4,6-x) = 55, 660, 1980, 1848, 462
	// of 5005 ways; 4 is the likeliest, so p = 1, and q = 1 (the largest
	// p keeps its value). No rule shifted; fit.vp's interval reaches
	// under half (and over double): too few to tell, as for every rule on
	// four reference leads.
	var vp *backtest.RuleDrift
	for i, rd := range d.Rules {
		if rd.ID == "fit.vp" {
			vp = &d.Rules[i]
		}
	}
	require.NotNil(t, vp)
	assert.InDelta(t, 0.06385, val(t, vp.PSI), 1e-5)
	assert.Equal(t, "stable", vp.Band)
	assert.Equal(t, []int{4, 11, 2, 4}, []int{vp.Fired, vp.Leads, vp.ReferenceFired, vp.ReferenceLeads})
	assert.InDelta(t, 8.0/11, val(t, vp.Ratio), 1e-12)
	require.NotNil(t, vp.RatioInterval)
	assert.InDelta(t, 0.20762, vp.RatioInterval.Low, 1e-5)
	assert.InDelta(t, 2.54758, vp.RatioInterval.High, 1e-5)
	assert.Equal(t, "fisher", vp.Test)
	assert.InDelta(t, 1, val(t, vp.P), 1e-12)
	assert.InDelta(t, 1, val(t, vp.Q), 1e-12)
	assert.False(t, vp.Shifted)
	assert.Equal(t, "too few to tell", vp.Verdict)
	for _, rd := range d.Rules {
		assert.False(t, rd.Shifted, rd.ID)
		assert.Equal(t, "too few to tell", rd.Verdict, rd.ID)
	}

	var buf bytes.Buffer
	require.NoError(t, r.WriteJSON(&buf))
	var j struct {
		AUC        float64 `json:"auc"`
		SalesReady struct {
			Leads, Won        int
			Precision, Recall float64
		} `json:"sales_ready"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &j))
	assert.InDelta(t, 10.5/18, j.AUC, 1e-12)
	assert.Equal(t, 2, j.SalesReady.Leads)
	assert.Equal(t, 1, j.SalesReady.Won)
	assert.InDelta(t, 0.5, j.SalesReady.Precision, 1e-12)
	assert.InDelta(t, 1.0/3, j.SalesReady.Recall, 1e-12)
}

func round5(v float64) float64 {
	return float64(int64(v*1e5+copysign(0.5, v))) / 1e5
}

func copysign(a, b float64) float64 {
	if b < 0 {
		return -a
	}
	return a
}
