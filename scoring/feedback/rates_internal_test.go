package feedback

import (
	"math/rand"
	"testing"
)

// The intervals a group's rates carry cover the true rate about 95% of
// the time: simulated groups of n verdicts, each accepted with chance p,
// through rateOf as finish uses it. Wilson's interval is known to cover
// a little under or over 95% at small n; 0.92 to 0.985 is the band
// 4,000 draws hold it to (a binomial standard error of 0.35%).
func TestRateIntervalsCover(t *testing.T) {
	rng := rand.New(rand.NewSource(28))
	const draws = 4000
	for _, n := range []int{10, 40, 200} {
		for _, p := range []float64{0.1, 0.3, 0.6} {
			covered := 0
			for range draws {
				k := 0
				for range n {
					if rng.Float64() < p {
						k++
					}
				}
				v, lo, hi := rateOf(k, n)
				if v == nil || *lo > *v || *v > *hi {
					t.Fatalf("%d of %d: the rate %v lies outside its interval %v to %v", k, n, v, lo, hi)
				}
				if *lo <= p && p <= *hi {
					covered++
				}
			}
			if c := float64(covered) / draws; c < 0.92 || c > 0.985 {
				t.Errorf("n %d, p %.1f: the intervals covered the true rate %.1f%% of the time, not about 95%%", n, p, 100*c)
			}
		}
	}
	if v, lo, hi := rateOf(0, 0); v != nil || lo != nil || hi != nil {
		t.Error("a rate over no verdict is unknown: nil, with no interval")
	}
}
