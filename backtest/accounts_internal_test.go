package backtest

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadscore/leadscore/internal/stats"
)

// TestAccountVerdictBySimulation checks the verdict on the sales-ready
// account definition on simulated backtests: with no effect (sales-ready
// accounts win as often as the rest) it calls the definition predictive
// or anti-predictive in at most about 5% of them; with a real one (30%
// against 10%) it finds it in most; and its effect's 95% interval covers
// the true log odds ratio about 95% of the time when the effect is large
// against the penalty (many accounts).
func TestAccountVerdictBySimulation(t *testing.T) {
	b := &Accounts{opts: AccountOptions{MinWon: DefaultMinWon}}
	rng := rand.New(rand.NewPCG(30, 30))
	run := func(n, sr int, pSR, pRest float64) *AccountReport {
		wonSR, wonRest := stats.Binomial(rng, sr, pSR), stats.Binomial(rng, n-sr, pRest)
		r := &AccountReport{Won: wonSR + wonRest, Accounts: AccountCounts{InBacktest: n}, SalesReady: Classifier{Leads: sr, Won: wonSR}}
		r.Verdict, r.Why, r.Effect = b.judge(r)
		return r
	}
	const reps = 2000
	called, judged := 0, 0
	for range reps {
		r := run(300, 80, 0.15, 0.15)
		if r.Verdict != TooLittleData {
			judged++
		}
		if r.Verdict == Predictive || r.Verdict == AntiPredictive {
			called++
		}
	}
	t.Logf("no effect: %d of %d judged, %d called predictive or anti-predictive", judged, reps, called)
	assert.Greater(t, judged, reps/2, "most null backtests of this size are judged")
	assert.LessOrEqual(t, float64(called)/reps, 0.065, "false verdicts under no effect: %d of %d", called, reps)

	found := 0
	for range reps {
		if run(300, 80, 0.30, 0.10).Verdict == Predictive {
			found++
		}
	}
	t.Logf("30%% against 10%%: %d of %d predictive", found, reps)
	assert.Greater(t, float64(found)/reps, 0.9, "power against 30%% vs 10%%: %d of %d", found, reps)

	// Coverage: 20,000 accounts, 30% against 10%: log((0.3/0.7)/(0.1/0.9)).
	truth := 1.3499267169490159
	covered := 0
	const reps2 = 1000
	for range reps2 {
		e := run(20000, 5000, 0.30, 0.10).Effect
		if e != nil && e.Low <= truth && truth <= e.High {
			covered++
		}
	}
	t.Logf("coverage: %d of %d", covered, reps2)
	assert.InDelta(t, 0.95, float64(covered)/reps2, 0.025, "coverage of the effect's 95%% interval: %d of %d", covered, reps2)
}
