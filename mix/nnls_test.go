package mix

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// The active-set solution is the best of every choice of which constrained
// coefficients are zero, found by trying them all.
func TestSolveNonNegMatchesEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 200; trial++ {
		p := 2 + rng.IntN(5)
		X := mat.NewDense(p+6, p, nil)
		for i := 0; i < p+6; i++ {
			for j := 0; j < p; j++ {
				X.Set(i, j, rng.NormFloat64())
			}
		}
		var G mat.SymDense
		G.SymOuterK(1, X.T())
		c := make([]float64, p)
		for j := range c {
			c[j] = rng.NormFloat64() * 3
		}
		nonNeg := make([]bool, p)
		for j := 1; j < p; j++ {
			nonNeg[j] = rng.IntN(3) > 0
		}
		got, err := solveNonNeg(&G, c, nonNeg)
		require.NoError(t, err)
		obj := func(b []float64) float64 {
			v := 0.0
			for i := range b {
				v -= c[i] * b[i]
				for j := range b {
					v += 0.5 * b[i] * G.At(i, j) * b[j]
				}
			}
			return v
		}
		best := math.Inf(1)
		for mask := 0; mask < 1<<p; mask++ {
			free := make([]bool, p)
			for j := range free {
				free[j] = !nonNeg[j] || mask&(1<<j) != 0
			}
			b, err := solveSubset(&G, c, free)
			require.NoError(t, err)
			ok := true
			for j := range b {
				if nonNeg[j] && b[j] < -1e-12 {
					ok = false
				}
			}
			if ok {
				best = math.Min(best, obj(b))
			}
		}
		for j := range got {
			if nonNeg[j] {
				assert.GreaterOrEqual(t, got[j], 0.0)
			}
		}
		assert.InDelta(t, best, obj(got), 1e-9*(1+math.Abs(best)), "trial %d", trial)
	}
}
