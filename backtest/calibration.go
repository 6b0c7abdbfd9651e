package backtest

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/leadscore/leadscore/internal/stats"
)

// Calibration maps the total to a chance of winning: Platt scaling, a
// logistic fit of won on the total, P(won) = 1 / (1 + exp(-(A + B ×
// total))), which is monotone in the total and has two parameters only,
// so that it holds on few won deals. It is fitted on the leads created
// first (the first FitShare of the backtest, as for suggested points) and
// measured on the later ones, held out: its Brier score (mean squared
// error of the probabilities) and log-loss there, beside those of a
// forecast that gives every lead the fitted leads' win rate. A map that
// does not beat the base rate on held-out leads does not earn its
// probabilities.
type Calibration struct {
	Method string  `json:"method"`
	A      float64 `json:"a"`
	B      float64 `json:"b"` // per point of the total
	// The leads fitted on and the held-out leads it is measured on.
	FitLeads  int `json:"fit_leads"`
	FitWon    int `json:"fit_won"`
	TestLeads int `json:"test_leads"`
	TestWon   int `json:"test_won"`
	// Brier and LogLoss on the held-out leads; BaseBrier and BaseLogLoss
	// of the base-rate forecast. Lower is better.
	Brier       *float64 `json:"brier"`
	BaseBrier   *float64 `json:"base_brier"`
	LogLoss     *float64 `json:"log_loss"`
	BaseLogLoss *float64 `json:"base_log_loss"`
	// Beats is set when both scores are lower than the base rate's.
	Beats bool `json:"beats_base_rate"`
	cov   [][]float64
}

// FitShare is the share of the backtest's leads, earliest created first,
// that suggested points and the calibration map are fitted on; the later
// rest is held out to measure them.
const FitShare = 2.0 / 3

// Probability is the map's chance of winning at a total.
func (c *Calibration) Probability(total float64) float64 {
	return 1 / (1 + math.Exp(-(c.A + c.B*total)))
}

// interval is the 95% interval of the probability at a total (delta
// method on the logit).
func (c *Calibration) interval(total float64) *Interval {
	z := c.A + c.B*total
	v := c.cov[0][0] + 2*total*c.cov[0][1] + total*total*c.cov[1][1]
	if v < 0 || math.IsNaN(v) {
		return nil
	}
	se := math.Sqrt(v)
	f := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	return &Interval{f(z - stats.Z95*se), f(z + stats.Z95*se)}
}

// split orders the leads by creation (then id) and cuts them at FitShare.
// The order is a stable sort's (leads created at the same instant keep
// theirs): each creation time is worked out once, as seconds and
// nanoseconds, and ties go by place.
func (b *Backtest) split(in []*leadRec) (fit, test []*leadRec) {
	type keyed struct {
		sec   int64
		nsec  int32
		place int32
	}
	keys := make([]keyed, len(in))
	for i, l := range in {
		t := b.instant(l, atCreated)
		keys[i] = keyed{t.Unix(), int32(t.Nanosecond()), int32(i)}
	}
	slices.SortFunc(keys, func(x, y keyed) int {
		if c := cmp.Compare(x.sec, y.sec); c != 0 {
			return c
		}
		if c := cmp.Compare(x.nsec, y.nsec); c != 0 {
			return c
		}
		return cmp.Compare(x.place, y.place)
	})
	out := make([]*leadRec, len(in))
	for i, k := range keys {
		out[i] = in[k.place]
	}
	cut := int(math.Floor(float64(len(out)) * FitShare))
	return out[:cut], out[cut:]
}

// calibrate fits the map and writes each band's probability; nil, with a
// warning, when the won deals are too few.
func (b *Backtest) calibrate(r *Report, in []*leadRec, groups ...bandsOf) *Calibration {
	withhold := func(why string) *Calibration {
		r.Warnings = append(r.Warnings, why)
		r.CalibrationWithheld = why
		return nil
	}
	if r.Won < b.opts.MinWon {
		return withhold(fmt.Sprintf("Calibration withheld: the backtest has %s, and a map from score to a chance of winning needs at least %d (--min-won); %s.",
			plural(r.Won, "won deal"), b.opts.MinWon, more(b.opts.MinWon-r.Won)))
	}
	fit, test := b.split(in)
	c := &Calibration{Method: "Platt scaling (logistic fit of won on the total), fitted on the leads created first, measured on the later ones",
		FitLeads: len(fit), TestLeads: len(test)}
	for _, l := range fit {
		if l.won {
			c.FitWon++
		}
	}
	for _, l := range test {
		if l.won {
			c.TestWon++
		}
	}
	if c.FitWon == 0 || c.FitWon == len(fit) {
		return withhold("Calibration withheld: the leads created first have no won deal (or only won deals), so there is nothing to fit.")
	}
	// Fit on the total centred and scaled, for a well-conditioned system.
	var mean, sd float64
	for _, l := range fit {
		mean += l.total
	}
	mean /= float64(len(fit))
	for _, l := range fit {
		sd += (l.total - mean) * (l.total - mean)
	}
	sd = math.Sqrt(sd / float64(len(fit)))
	if sd == 0 {
		return withhold("Calibration withheld: every lead fitted on has the same total.")
	}
	idx := map[float64]int{}
	var x [][]float64
	var k, n []float64
	for _, l := range fit {
		i, ok := idx[l.total]
		if !ok {
			i = len(x)
			idx[l.total] = i
			x, k, n = append(x, []float64{(l.total - mean) / sd}), append(k, 0), append(n, 0)
		}
		n[i]++
		if l.won {
			k[i]++
		}
	}
	lf, err := stats.FitBinomial(x, k, n, 0)
	if err != nil {
		return withhold("Calibration withheld: the fit of the map did not converge (" + err.Error() + ").")
	}
	// Back to points: logit = a' + b' (t - mean)/sd = (a' - b' mean/sd) + (b'/sd) t.
	c.B = lf.Coef[1] / sd
	c.A = lf.Coef[0] - lf.Coef[1]*mean/sd
	// Cov of (A, B) = J Cov(a', b') Jᵀ with J = [[1, -mean/sd], [0, 1/sd]].
	j := [2][2]float64{{1, -mean / sd}, {0, 1 / sd}}
	c.cov = make([][]float64, 2)
	for p := 0; p < 2; p++ {
		c.cov[p] = make([]float64, 2)
		for q := 0; q < 2; q++ {
			for u := 0; u < 2; u++ {
				for v := 0; v < 2; v++ {
					c.cov[p][q] += j[p][u] * lf.Cov[u][v] * j[q][v]
				}
			}
		}
	}
	base := float64(c.FitWon) / float64(len(fit))
	if len(test) > 0 {
		var brier, bbrier, ll, bll float64
		clip := func(p float64) float64 { return math.Min(1-1e-15, math.Max(1e-15, p)) }
		for _, l := range test {
			y := 0.0
			if l.won {
				y = 1
			}
			p := clip(c.Probability(l.total))
			brier += (p - y) * (p - y)
			bbrier += (base - y) * (base - y)
			ll -= y*math.Log(p) + (1-y)*math.Log(1-p)
			bll -= y*math.Log(base) + (1-y)*math.Log(1-base)
		}
		t := float64(len(test))
		c.Brier, c.BaseBrier, c.LogLoss, c.BaseLogLoss = finite(brier/t), finite(bbrier/t), finite(ll/t), finite(bll/t)
		c.Beats = c.Brier != nil && *c.Brier < *c.BaseBrier && *c.LogLoss < *c.BaseLogLoss
	}
	if c.TestWon < b.opts.MinWon {
		r.Warnings = append(r.Warnings, fmt.Sprintf("The calibration's Brier score and log-loss rest on %s held out, under %d.", plural(c.TestWon, "won deal"), b.opts.MinWon))
	}
	if c.B <= 0 {
		r.Warnings = append(r.Warnings, "The calibration map falls as the total rises: on these outcomes a higher total does not mean a better chance of winning.")
	}
	for _, g := range groups {
		c.chances(*g.bands, in, g.of)
	}
	return c
}

// bandsOf is a report's bands of one kind and the slot (Band.slot) each
// lead, by its place among the leads, is in.
type bandsOf struct {
	bands *[]Band
	of    func(i int) int
}

// chances sets each band's calibrated chance: the map's chance averaged
// over the band's leads (what its win rate should come out at, were the
// map right; the map at the band's mean total is not that where the map
// bends), with its 95% interval by the delta method on the logit of the
// average, from the covariance of the map's coefficients.
func (c *Calibration) chances(bs []Band, in []*leadRec, slotOf func(i int) int) {
	if len(bs) == 0 || slotOf == nil {
		return
	}
	type sums struct{ p, g0, g1 float64 } // Σ p, Σ p(1-p), Σ p(1-p) t
	by := map[int]*sums{}
	for i := range bs {
		by[bs[i].slot] = &sums{}
	}
	for i, l := range in {
		s := by[slotOf(i)]
		if s == nil {
			continue
		}
		p := c.Probability(l.total)
		s.p += p
		s.g0 += p * (1 - p)
		s.g1 += p * (1 - p) * l.total
	}
	for i := range bs {
		bd := &bs[i]
		if bd.Leads == 0 {
			continue
		}
		s, n := by[bd.slot], float64(bd.Leads)
		avg := s.p / n
		bd.Calibrated = finite(avg)
		if avg <= 0 || avg >= 1 {
			continue
		}
		// d logit(avg) / d(A, B) = (Σ p(1-p), Σ p(1-p) t) / (n avg (1-avg)).
		d := n * avg * (1 - avg)
		g0, g1 := s.g0/d, s.g1/d
		v := g0*g0*c.cov[0][0] + 2*g0*g1*c.cov[0][1] + g1*g1*c.cov[1][1]
		if v < 0 || math.IsNaN(v) {
			continue
		}
		z, se := math.Log(avg/(1-avg)), math.Sqrt(v)
		f := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
		bd.CalibratedInterval = &Interval{f(z - stats.Z95*se), f(z + stats.Z95*se)}
	}
}

// more says how many more won deals a conclusion needs.
func more(n int) string {
	return fmt.Sprintf("about %s more would let it speak", plural(n, "won deal"))
}
