package backtest

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The intervals the backtest computes itself (lift and IV from Jeffreys
// draws, the joint coefficients, the calibration's chance) cover the truth
// about 95% of the time over repeated draws from a known propensity.

func reps(t *testing.T, n int) int {
	if testing.Short() {
		return n / 4
	}
	return n
}

func TestLiftAndIVIntervalsCover(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := reps(t, 300)
	for _, c := range []struct {
		fired, rest int
		r1, r0      float64
	}{{200, 1800, 0.06, 0.02}, {60, 940, 0.10, 0.05}} {
		// The truth: the lift of the leads it fired on, and the IV of the
		// shares it fired on among won and not-won leads, at the expected counts.
		w1, w0 := float64(c.fired)*c.r1, float64(c.rest)*c.r0
		total := float64(c.fired + c.rest)
		trueLift := c.r1 / ((w1 + w0) / total)
		g, b := w1/(w1+w0), (float64(c.fired)-w1)/(total-w1-w0)
		trueIV := (g-b)*math.Log(g/b) + ((1-g)-(1-b))*math.Log((1-g)/(1-b))
		liftIn, ivIn := 0, 0
		for i := 0; i < n; i++ {
			k1, k0 := binomial(r, c.fired, c.r1), binomial(r, c.rest, c.r0)
			won := float64(k1 + k0)
			lift, iv := signalIntervals(rand.New(rand.NewPCG(uint64(i), 9)), float64(k1), float64(c.fired-k1), won, total-won)
			if lift != nil && lift.Low <= trueLift && trueLift <= lift.High {
				liftIn++
			}
			if iv != nil && iv.Low <= trueIV && trueIV <= iv.High {
				ivIn++
			}
		}
		t.Logf("%+v: lift covered %d of %d, IV %d of %d", c, liftIn, n, ivIn, n)
		assert.InDelta(t, 0.95, float64(liftIn)/float64(n), 0.04, "lift interval coverage")
		assert.InDelta(t, 0.95, float64(ivIn)/float64(n), 0.05, "IV interval coverage")
	}
}

func binomial(r *rand.Rand, n int, p float64) int {
	k := 0
	for i := 0; i < n; i++ {
		if r.Float64() < p {
			k++
		}
	}
	return k
}

func TestJointCoefficientIntervalsCover(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := reps(t, 200)
	truth := []float64{-2, 1.0, -0.7, 0, 0.5} // intercept, then four rules' units
	in := 0
	for i := 0; i < n; i++ {
		var leads []*leadRec
		bt := &Backtest{lists: listStore{nu: 4, w: 4}}
		for j := 0; j < 3000; j++ {
			u := []float64{0, 0, 0, 0}
			for k := 0; k < 3; k++ {
				if r.Float64() < 0.4 {
					u[k] = 1
				}
			}
			u[3] = float64(r.IntN(4)) * math.Pow(0.5, r.Float64()*3) // a decayed count
			z := truth[0]
			for k := range u {
				z += truth[k+1] * u[k]
			}
			leads = append(leads, &leadRec{units: bt.lists.add(u), won: r.Float64() < 1/(1+math.Exp(-z))})
		}
		fit, err := bt.grouped(leads, []int{0, 1, 2, 3})
		if err != nil {
			t.Fatal(err)
		}
		for k := 1; k <= 4; k++ {
			c := coefficient(fit, k)
			if c.Low <= truth[k] && truth[k] <= c.High {
				in++
			}
		}
	}
	t.Logf("joint coefficients: %d of %d intervals covered the truth", in, 4*n)
	assert.InDelta(t, 0.95, float64(in)/float64(4*n), 0.03)
}

func TestCalibrationIntervalCovers(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n := reps(t, 200)
	a, b := -4.0, 0.04 // the true map from total to chance
	at := 60.0
	truth := 1 / (1 + math.Exp(-(a + b*at)))
	in := 0
	for i := 0; i < n; i++ {
		bt := &Backtest{opts: Options{MinWon: 1}}
		rep := &Report{}
		var leads []*leadRec
		for j := 0; j < 3000; j++ {
			total := math.Round(r.Float64() * 120)
			won := r.Float64() < 1/(1+math.Exp(-(a+b*total)))
			if won {
				rep.Won++
			}
			l := &leadRec{total: total, won: won}
			l.at[atCreated], _ = stampOf(time.Unix(int64(j), 0))
			leads = append(leads, l)
		}
		c := bt.calibrate(rep, leads)
		if c == nil {
			t.Fatal(rep.Warnings)
		}
		if iv := c.interval(at); iv != nil && iv.Low <= truth && truth <= iv.High {
			in++
		}
	}
	t.Logf("calibrated chance at %v: %d of %d intervals covered %.4f", at, in, n, truth)
	assert.InDelta(t, 0.95, float64(in)/float64(n), 0.04)
}

// A band's calibrated chance is the map's chance averaged over the band's
// leads, and its 95% interval holds the true average about 95% of the
// time (leads of totals 0 to 120, the band 80 to 120, where the map bends:
// there the chance at the mean total is below the average).
func TestCalibratedBandChanceCovers(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	n := reps(t, 200)
	a, b := -4.0, 0.04
	p := func(total float64) float64 { return 1 / (1 + math.Exp(-(a + b*total))) }
	in, atMeanIn := 0, 0
	for i := 0; i < n; i++ {
		bt := &Backtest{opts: Options{MinWon: 1}}
		rep := &Report{}
		var leads []*leadRec
		var truth, mean float64
		count := 0
		for j := 0; j < 3000; j++ {
			total := math.Round(r.Float64() * 120)
			won := r.Float64() < p(total)
			if won {
				rep.Won++
			}
			l := &leadRec{total: total, won: won}
			l.at[atCreated], _ = stampOf(time.Unix(int64(j), 0))
			leads = append(leads, l)
			if total >= 80 {
				truth += p(total)
				mean += total
				count++
			}
		}
		truth /= float64(count)
		mean /= float64(count)
		bands := []Band{{slot: 0, Leads: count}, {slot: 1, Leads: len(leads) - count}}
		c := bt.calibrate(rep, leads, bandsOf{&bands, func(i int) int {
			if leads[i].total >= 80 {
				return 0
			}
			return 1
		}})
		require.NotNil(t, c, rep.Warnings)
		got := bands[0]
		require.NotNil(t, got.Calibrated)
		require.NotNil(t, got.CalibratedInterval)
		var avg float64
		for _, l := range leads {
			if l.total >= 80 {
				avg += c.Probability(l.total)
			}
		}
		require.InDelta(t, avg/float64(count), *got.Calibrated, 1e-12, "the average of the map over the band's leads")
		if iv := got.CalibratedInterval; iv.Low <= truth && truth <= iv.High {
			in++
		}
		if iv := c.interval(mean); iv.Low <= truth && truth <= iv.High {
			atMeanIn++
		}
	}
	t.Logf("band 80-120: %d of %d intervals of the average held the true average; %d the interval at the mean total", in, n, atMeanIn)
	assert.InDelta(t, 0.95, float64(in)/float64(n), 0.04)
}
