package backtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/stats"
)

func judged(rs ...RuleDrift) []RuleDrift {
	judgeRules(rs)
	return rs
}

// TestCompareRateByHand checks one rule's comparison against numbers
// worked out independently (Python, math and fractions alone).
func TestCompareRateByHand(t *testing.T) {
	// Issue 24's rule alone (so q = p): 21 of 3000 against 57 of 3000.
	// Ratio 21/57 = 0.368421; Katz se = sqrt(1/21 - 1/3000 + 1/57 -
	// 1/3000) = 0.2539611; interval 0.2239610 to 0.6060613; expected
	// counts 39 and more: the pooled z test, z = -4.1029538, p =
	// 4.0790879e-5.
	r := judged(compareRate("demo", 21, 3000, 57, 3000))[0]
	assert.Equal(t, "z", r.Test)
	assert.InDelta(t, 0.368421053, *r.Ratio, 1e-9)
	assert.InDelta(t, 0.2239610, r.RatioInterval.Low, 1e-7)
	assert.InDelta(t, 0.6060613, r.RatioInterval.High, 1e-7)
	assert.InEpsilon(t, 4.0790879e-5, *r.P, 1e-7)
	assert.Equal(t, *r.P, *r.Q)
	assert.True(t, r.Shifted)
	assert.Equal(t, "fell", r.Verdict)

	// 1 of 40 against 6 of 40: expected fired 40 × 7/80 = 3.5, under 5,
	// so Fisher's exact test. With the margins (40, 40; 7, 73), the
	// tables no likelier than 1 fired now: 0, 1, 6 and 7, of probability
	// 0.1084005 together. Ratio 1/6, interval exp(∓1.959964 ×
	// sqrt(1 - 1/40 + 1/6 - 1/40) = 1.0567245): 0.0210070 to 1.3223130.
	// Not shifted; the interval reaches under half (and over double): too
	// few to tell.
	r = judged(compareRate("small", 1, 40, 6, 40))[0]
	assert.Equal(t, "fisher", r.Test)
	assert.InDelta(t, 0.1084005, *r.P, 1e-7)
	assert.InDelta(t, 1.0/6, *r.Ratio, 1e-12)
	assert.InDelta(t, 0.0210070, r.RatioInterval.Low, 1e-7)
	assert.InDelta(t, 1.3223130, r.RatioInterval.High, 1e-7)
	assert.False(t, r.Shifted)
	assert.Empty(t, r.Direction)
	assert.Equal(t, "too few to tell", r.Verdict)

	// Benjamini–Hochberg across rules: p = 0.01, 0.02, 0.03 and 0.04 for
	// four rules give q = 0.04, 0.04, 0.04, 0.04 (each p × 4 / its rank,
	// then the smallest from the rank up); with the band, only ratios
	// beyond 0.8 to 1.25 are shifted.
	rs := []RuleDrift{
		{ID: "a", P: f64p(0.03), Ratio: f64p(1.1), RatioInterval: &Interval{1.01, 1.2}},
		{ID: "b", P: f64p(0.01), Ratio: f64p(0.5), RatioInterval: &Interval{0.3, 0.8}},
		{ID: "c", P: f64p(0.04), Ratio: f64p(1.5), RatioInterval: &Interval{1.02, 2.2}},
		{ID: "d", P: f64p(0.02), Ratio: f64p(1.3), RatioInterval: &Interval{1.05, 1.6}},
		{ID: "e", Verdict: "never fired"},
	}
	judgeRules(rs)
	var ids, verdicts []string
	for _, r := range rs {
		ids, verdicts = append(ids, r.ID), append(verdicts, r.Verdict)
		if r.Q != nil {
			assert.InDelta(t, 0.04, *r.Q, 1e-12, r.ID)
		}
	}
	assert.Equal(t, []string{"b", "c", "d", "a", "e"}, ids, "shifted first, then by q (ties keep their order), untested last")
	assert.Equal(t, []string{"fell", "rose", "rose", "rose a little", "never fired"}, verdicts)
}

func f64p(v float64) *float64 { return &v }

// Tiny samples are not flagged, however large the change looks: Fisher's
// exact test knows how little a handful of leads says.
func TestDriftTinySamplesNotFlagged(t *testing.T) {
	for _, c := range [][4]int{
		{1, 10, 3, 10}, // a third as often
		{0, 5, 2, 5},
		{2, 12, 0, 9},
		{1, 30, 5, 30}, // a fifth as often
		{3, 25, 0, 25},
		{0, 3, 3, 3}, // never, against always, on three leads each
	} {
		rs := judged(compareRate("r", c[0], c[1], c[2], c[3]), compareRate("s", 1, c[1], 1, c[3]))
		for _, r := range rs {
			if r.ID != "r" {
				continue
			}
			assert.Equal(t, "fisher", r.Test, c)
			assert.Greater(t, *r.Q, 0.05, c)
			assert.False(t, r.Shifted, c)
			assert.Equal(t, "too few to tell", r.Verdict, c)
		}
	}
}

// TestDriftFalsePositives simulates 200 pairs of samples in which no rule
// changed (each rule's firings drawn at the same rate now and in the
// reference, for a model of eight rules from rare to common) and counts
// the pairs in which any rule is flagged shifted: after Benjamini–Hochberg
// (which, when nothing changed, holds the chance of any flag to 5%) and
// the band of practical size, at most 5%. The same simulation with the
// issue's fall from 1.9% to 0.7% flags it nearly always.
func TestDriftFalsePositives(t *testing.T) {
	rates := []float64{0.007, 0.019, 0.05, 0.12, 0.3, 0.5, 0.8, 0.97}
	sizes := [][2]int{{3000, 3000}, {1000, 2500}, {400, 400}, {5000, 1500}}
	r := rand.New(rand.NewPCG(24, 7))
	const pairs = 200
	var anyFlag, flags, tests, rawP, caught int
	for pair := 0; pair < pairs; pair++ {
		n := sizes[pair%len(sizes)]
		var rs []RuleDrift
		for i, p := range rates {
			rs = append(rs, compareRate(string(rune('a'+i)), stats.Binomial(r, n[0], p), n[0], stats.Binomial(r, n[1], p), n[1]))
		}
		judgeRules(rs)
		flagged := false
		for _, rd := range rs {
			if rd.P == nil {
				continue
			}
			tests++
			if *rd.P < 0.05 {
				rawP++
			}
			if rd.Shifted {
				flags++
				flagged = true
			}
		}
		if flagged {
			anyFlag++
		}
		// The case, drawn afresh, beside seven unchanged rules.
		rs = rs[:0]
		for i, p := range rates {
			now := p
			if i == 1 {
				now = 0.007
			}
			rs = append(rs, compareRate(string(rune('a'+i)), stats.Binomial(r, 3000, now), 3000, stats.Binomial(r, 3000, p), 3000))
		}
		judgeRules(rs)
		for _, rd := range rs {
			if rd.ID == "b" && rd.Shifted && rd.Direction == "fell" {
				caught++
			}
		}
	}
	t.Logf("no change: %d of %d pairs had a rule flagged shifted; %d of %d rule tests flagged (%d with p < 0.05 before the adjustment and the band); the issue's fall flagged in %d of %d",
		anyFlag, pairs, flags, tests, rawP, caught, pairs)
	assert.LessOrEqual(t, anyFlag, pairs*5/100, "pairs with any false flag")
	assert.LessOrEqual(t, float64(flags), 0.05*float64(tests))
	assert.GreaterOrEqual(t, caught, pairs*90/100, "the issue's fall is seen")
}

// kolmogorovQ against the alternating series summed to 10,000 terms in
// Python, on both sides of where it switches series, and the table's
// critical values (1.36 for 5%, 1.63 for 1%).
func TestKolmogorovQ(t *testing.T) {
	for _, c := range [][2]float64{
		{0.5, 0.9639452436648751}, {0.8, 0.5441424115741981}, {1.0, 0.26999967167735456}, {1.1, 0.17771819260640118},
		{1.2, 0.11224966667072496}, {1.36, 0.049485876755377876}, {1.628, 0.009975522431181053}, {2.0, 0.0006709252557796953},
	} {
		assert.InDelta(t, c[1], kolmogorovQ(c[0]), 1e-12, "Q(%v)", c[0])
	}
	assert.InDelta(t, kolmogorovQ(math.Nextafter(1.18, 0)), kolmogorovQ(1.18), 1e-12, "the two series meet")
	assert.Equal(t, 1.0, kolmogorovQ(0))
	assert.InDelta(t, 1.0, kolmogorovQ(0.2), 1e-12)
}

// TestTotalShiftSimulated: totals drawn from the same points-valued (so
// often tied) distribution in both sets are flagged in at most 5% of 200
// pairs, and their p is under 0.05 in at most 5% (the asymptotic p is
// conservative with ties). Moving 15% of the leads up by 40 points is
// seen by the test nearly always (p < 0.05), and moving 30% is "shifted
// higher" nearly always.
func TestTotalShiftSimulated(t *testing.T) {
	r := rand.New(rand.NewPCG(24, 8))
	draw := func(n int, up float64) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			for _, pts := range []float64{30, 10, 40, 15} {
				if r.Float64() < 0.3 {
					xs[i] += pts
				}
			}
			if r.Float64() < up {
				xs[i] += 40
			}
		}
		return xs
	}
	const pairs = 200
	var flagged, small, tested, seen int
	for pair := 0; pair < pairs; pair++ {
		n, m := 2000, 1500
		if pair%2 == 1 {
			n, m = 300, 500
		}
		s := totalShift(draw(n, 0), draw(m, 0))
		require.NotNil(t, s.P)
		if s.Shifted {
			flagged++
		}
		if *s.P < 0.05 {
			small++
		}
		if s := totalShift(draw(2000, 0.15), draw(1500, 0)); *s.P < 0.05 {
			tested++
		}
		if s := totalShift(draw(2000, 0.3), draw(1500, 0)); s.Shifted && s.Direction == "higher" && s.Verdict == "shifted higher" {
			seen++
		}
	}
	t.Logf("no change: %d of %d flagged, %d with p < 0.05; 15%% moved: p < 0.05 in %d; 30%% moved: shifted in %d", flagged, pairs, small, tested, seen)
	assert.LessOrEqual(t, flagged, pairs*5/100)
	assert.LessOrEqual(t, small, pairs*5/100)
	assert.GreaterOrEqual(t, tested, pairs*90/100)
	assert.GreaterOrEqual(t, seen, pairs*90/100)
}

// The total's test is withheld on fewer than 10 leads a side, and a
// small set that shows no shift is "too few to tell".
func TestTotalShiftThin(t *testing.T) {
	s := totalShift([]float64{0, 10, 40}, []float64{0, 0, 10, 40, 40, 80, 80, 80, 80, 80})
	assert.Nil(t, s.P)
	assert.Equal(t, "too few leads to test", s.Verdict)
	a := make([]float64, 40)
	b := make([]float64, 40)
	for i := range a {
		a[i], b[i] = float64(i%4*10), float64((i+1)%4*10)
	}
	s = totalShift(a, b)
	require.NotNil(t, s.P)
	assert.Equal(t, 0.0, *s.KS)
	assert.Equal(t, "too few to tell", s.Verdict, "40 leads a side could not have shown a gap of 0.10")
	assert.Empty(t, totalShift(nil, b).Direction)
}
