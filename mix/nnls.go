package mix

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// solveNonNeg minimises ½b'Gb - c'b subject to b[j] >= 0 where nonNeg[j]:
// the ridge normal equations with the channels' coefficients kept
// non-negative, by Lawson and Hanson's active-set method. G must be
// positive definite.
func solveNonNeg(G *mat.SymDense, c []float64, nonNeg []bool) ([]float64, error) {
	p := len(c)
	free := make([]bool, p)
	for j := range free {
		free[j] = !nonNeg[j]
	}
	b := make([]float64, p)
	scale := 0.0
	for _, v := range c {
		scale = math.Max(scale, math.Abs(v))
	}
	if scale == 0 {
		return b, nil
	}
	tol := 1e-12 * scale
	// When the unconstrained optimum already has no negative coefficient
	// it is the constrained one (the problem is convex): one solve.
	all := make([]bool, p)
	for j := range all {
		all[j] = true
	}
	if u, err := solveSubset(G, c, all); err == nil {
		ok := true
		for j, v := range u {
			if nonNeg[j] && v < 0 {
				ok = false
			}
		}
		if ok {
			return u, nil
		}
	}
	if s, err := solveSubset(G, c, free); err != nil {
		return nil, err
	} else {
		b = s
	}
	for iter := 0; iter < 3*p+10; iter++ {
		// Gradient of -objective: c - Gb.
		best, bestW := -1, tol
		for j := 0; j < p; j++ {
			if free[j] || !nonNeg[j] {
				continue
			}
			w := c[j]
			for k := 0; k < p; k++ {
				w -= G.At(j, k) * b[k]
			}
			if w > bestW {
				best, bestW = j, w
			}
		}
		if best < 0 {
			return b, nil
		}
		free[best] = true
		for inner := 0; inner < p+1; inner++ {
			s, err := solveSubset(G, c, free)
			if err != nil {
				return nil, err
			}
			alpha, blocked := 1.0, false
			for j := 0; j < p; j++ {
				if free[j] && nonNeg[j] && s[j] <= 0 {
					if a := b[j] / (b[j] - s[j]); a < alpha {
						alpha = a
					}
					blocked = true
				}
			}
			if !blocked {
				b = s
				break
			}
			for j := range b {
				b[j] += alpha * (s[j] - b[j])
				if free[j] && nonNeg[j] && b[j] <= 1e-14*scale {
					free[j], b[j] = false, 0
				}
			}
		}
	}
	return b, nil
}

// solveSubset solves G[F,F] b[F] = c[F] for the free set F, zero elsewhere,
// by a Cholesky factorisation (LAPACK's dpotrf and dpotrs, as gonum has
// them; mat.Cholesky would also estimate the condition number, which the
// search does not need and which doubled its time).
func solveSubset(G *mat.SymDense, c []float64, free []bool) ([]float64, error) {
	var idx []int
	for j, f := range free {
		if f {
			idx = append(idx, j)
		}
	}
	out := make([]float64, len(c))
	k := len(idx)
	if k == 0 {
		return out, nil
	}
	a := make([]float64, k*k)
	rhs := make([]float64, k)
	for r, i := range idx {
		rhs[r] = c[i]
		for q := r; q < k; q++ {
			a[r*k+q] = G.At(i, idx[q])
		}
	}
	t, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: a})
	if !ok {
		return nil, errors.New("the model's equations have no unique solution")
	}
	lapack64.Potrs(t, blas64.General{Rows: k, Cols: 1, Stride: 1, Data: rhs})
	for r, i := range idx {
		out[i] = rhs[r]
	}
	return out, nil
}
