package stats

import (
	"math"
	"testing"
)

// table2Rows lays out a 2×2 table as rows: x = 1 for the group, y = 1 for
// the property (a: group with, b: group without, c: rest with, d: rest
// without).
func table2Rows(a, b, c, d int) ([][]float64, []float64) {
	var x [][]float64
	var y []float64
	add := func(n int, xv, yv float64) {
		for range n {
			x = append(x, []float64{xv})
			y = append(y, yv)
		}
	}
	add(a, 1, 1)
	add(b, 1, 0)
	add(c, 0, 1)
	add(d, 0, 0)
	return x, y
}

func TestFitLogistic2x2(t *testing.T) {
	// Unpenalised, a 2×2 table has a closed form: the intercept is the log
	// odds of the rest, ln(c/d), with variance 1/c + 1/d; the slope the
	// log odds ratio ln(ad/bc), with variance 1/a + 1/b + 1/c + 1/d; their
	// covariance -(1/c + 1/d).
	for _, c := range [][4]int{{12, 8, 5, 15}, {3, 40, 7, 90}, {1, 1, 1, 1}, {200, 3, 150, 9}} {
		a, b, cc, d := float64(c[0]), float64(c[1]), float64(c[2]), float64(c[3])
		x, y := table2Rows(c[0], c[1], c[2], c[3])
		l, err := FitLogistic(x, y, 0)
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		near(t, "intercept", l.Coef[0], math.Log(cc/d), 1e-9)
		near(t, "log odds ratio", l.Coef[1], math.Log(a*d/(b*cc)), 1e-9)
		nearRel(t, "SE intercept", l.SE(0), math.Sqrt(1/cc+1/d), 1e-8)
		nearRel(t, "SE log odds ratio", l.SE(1), math.Sqrt(1/a+1/b+1/cc+1/d), 1e-8)
		nearRel(t, "covariance", l.Cov[0][1], -(1/cc + 1/d), 1e-8)
		near(t, "covariance symmetric", l.Cov[1][0], l.Cov[0][1], 1e-12)
	}
}

// golden minimises f on [lo, hi] by golden-section search.
func golden(f func(float64) float64, lo, hi float64) float64 {
	g := (math.Sqrt(5) - 1) / 2
	a, b := lo, hi
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := f(c), f(d)
	for b-a > 1e-11 {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = f(d)
		}
	}
	return (a + b) / 2
}

func TestFitLogisticOneVariable(t *testing.T) {
	// A continuous x; the fit checked against a direct minimisation of the
	// penalised negative log-likelihood (golden section on b1 of the
	// minimum over b0), and the covariance against the inverse of its
	// Hessian by central differences.
	r := newRand(40)
	const n = 80
	x, y := make([][]float64, n), make([]float64, n)
	for i := range x {
		v := r.NormFloat64()*1.5 + 0.3
		x[i] = []float64{v}
		if r.Float64() < 1/(1+math.Exp(-(-0.7+0.9*v))) {
			y[i] = 1
		}
	}
	for _, lambda := range []float64{0, 2.5} {
		f := func(b0, b1 float64) float64 {
			s := lambda / 2 * b1 * b1
			for i := range x {
				z := b0 + b1*x[i][0]
				// -[y·z - ln(1+e^z)]
				s += math.Log1p(math.Exp(z)) - y[i]*z
			}
			return s
		}
		inner := func(b1 float64) float64 { return golden(func(b0 float64) float64 { return f(b0, b1) }, -10, 10) }
		b1 := golden(func(b1 float64) float64 { return f(inner(b1), b1) }, -10, 10)
		b0 := inner(b1)

		l, err := FitLogistic(x, y, lambda)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "b0", l.Coef[0], b0, 2e-6)
		near(t, "b1", l.Coef[1], b1, 2e-6)
		// The fit is at least as good as the direct minimum.
		if f(l.Coef[0], l.Coef[1]) > f(b0, b1)+1e-9 {
			t.Errorf("λ = %v: the fit's objective %v above the direct minimum %v", lambda, f(l.Coef[0], l.Coef[1]), f(b0, b1))
		}
		const h = 1e-4
		b0, b1 = l.Coef[0], l.Coef[1]
		h00 := (f(b0+h, b1) - 2*f(b0, b1) + f(b0-h, b1)) / (h * h)
		h11 := (f(b0, b1+h) - 2*f(b0, b1) + f(b0, b1-h)) / (h * h)
		h01 := (f(b0+h, b1+h) - f(b0+h, b1-h) - f(b0-h, b1+h) + f(b0-h, b1-h)) / (4 * h * h)
		det := h00*h11 - h01*h01
		nearRel(t, "Cov[0][0]", l.Cov[0][0], h11/det, 1e-5)
		nearRel(t, "Cov[1][1]", l.Cov[1][1], h00/det, 1e-5)
		nearRel(t, "Cov[0][1]", l.Cov[0][1], -h01/det, 1e-5)
	}
}

func TestFitLogisticScoreEquations(t *testing.T) {
	// Three columns, penalised: at the optimum Σ(y-π) = 0 and
	// Σ(y-π)·x_k = λ·b_k; Cov is the inverse of Σπ(1-π)·x·xᵀ + λ·diag(0,1,1,1).
	r := newRand(41)
	const n, lambda = 150, 0.7
	x, y := make([][]float64, n), make([]float64, n)
	for i := range x {
		x[i] = []float64{r.NormFloat64(), float64(r.IntN(2)), r.Float64() * 3}
		z := 0.2 + 0.8*x[i][0] - 0.5*x[i][1] + 0.3*x[i][2]
		if r.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	l, err := FitLogistic(x, y, lambda)
	if err != nil {
		t.Fatal(err)
	}
	score := make([]float64, 4)
	var info [4][4]float64
	for i := range x {
		row := append([]float64{1}, x[i]...)
		z := 0.0
		for k := range row {
			z += l.Coef[k] * row[k]
		}
		pi := 1 / (1 + math.Exp(-z))
		for k := range row {
			score[k] += (y[i] - pi) * row[k]
			for j := range row {
				info[k][j] += pi * (1 - pi) * row[k] * row[j]
			}
		}
	}
	near(t, "score intercept", score[0], 0, 1e-9)
	for k := 1; k < 4; k++ {
		near(t, "penalised score", score[k], lambda*l.Coef[k], 1e-9)
		info[k][k] += lambda
	}
	for i := range 4 {
		for j := range 4 {
			s := 0.0
			for k := range 4 {
				s += l.Cov[i][k] * info[k][j]
			}
			want := 0.0
			if i == j {
				want = 1
			}
			near(t, "Cov·information", s, want, 1e-9)
		}
	}
}

func TestFitLogisticInvalid(t *testing.T) {
	nan := math.NaN()
	sepX := [][]float64{{0}, {0}, {1}, {1}}
	sepY := []float64{0, 0, 1, 1}
	for _, c := range []struct {
		name   string
		x      [][]float64
		y      []float64
		lambda float64
	}{
		{"no rows", nil, nil, 0},
		{"fewer outcomes", [][]float64{{0}, {1}, {1}}, []float64{0, 1}, 0},
		{"more outcomes", [][]float64{{0}, {1}}, []float64{0, 1, 1}, 0},
		{"ragged rows", [][]float64{{0, 1}, {0}, {1, 2}, {1, 3}}, []float64{0, 1, 1, 0}, 1},
		{"long row", [][]float64{{0}, {0, 5}, {1}, {1}}, []float64{0, 1, 1, 0}, 1},
		{"NaN value", [][]float64{{0}, {nan}, {1}, {1}}, []float64{0, 1, 1, 0}, 1},
		{"infinite value", [][]float64{{0}, {math.Inf(1)}, {1}, {1}}, []float64{0, 1, 1, 0}, 1},
		{"NaN outcome", [][]float64{{0}, {1}, {1}, {0}}, []float64{0, nan, 1, 0}, 1},
		{"outcome above 1", [][]float64{{0}, {1}, {1}, {0}}, []float64{0, 2, 1, 0}, 1},
		{"negative outcome", [][]float64{{0}, {1}, {1}, {0}}, []float64{0, -1, 1, 0}, 1},
		{"negative penalty", [][]float64{{0}, {1}, {1}, {0}}, []float64{0, 1, 1, 0}, -1},
		{"NaN penalty", [][]float64{{0}, {1}, {1}, {0}}, []float64{0, 1, 1, 0}, nan},
		{"separated, unpenalised", sepX, sepY, 0},
		{"constant column, unpenalised", [][]float64{{1}, {1}, {1}, {1}}, []float64{0, 1, 1, 0}, 0},
	} {
		if l, err := FitLogistic(c.x, c.y, c.lambda); err == nil {
			t.Errorf("%s: fitted %+v, want an error", c.name, l)
		}
	}
	// The penalty makes the separated and the constant columns finite.
	for _, c := range []struct {
		x [][]float64
		y []float64
	}{{sepX, sepY}, {[][]float64{{1}, {1}, {1}, {1}}, []float64{0, 1, 1, 0}}} {
		l, err := FitLogistic(c.x, c.y, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range append(l.Coef, l.SE(0), l.SE(1)) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("penalised fit %+v not finite", l)
			}
		}
	}
	// Fractional outcomes (shares) are allowed: 0.25 everywhere gives
	// the log odds of 0.25.
	l, err := FitLogistic([][]float64{{}, {}, {}}, []float64{0.25, 0.25, 0.25}, 0)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "fractional outcome", l.Coef[0], math.Log(1.0/3), 1e-10)
	// Intercept only (rows with no columns): the log odds of y.
	l, err = FitLogistic([][]float64{{}, {}, {}, {}}, []float64{1, 0, 0, 0}, 0)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "intercept only", l.Coef[0], math.Log(1.0/3), 1e-10)
	nearRel(t, "intercept only SE", l.SE(0), math.Sqrt(1.0+1.0/3), 1e-8)
}

// TestFitLogisticCoverage: the Wald interval b ± 1.96·SE from the fitted
// covariance covers the true slope about 95% of the time.
func TestFitLogisticCoverage(t *testing.T) {
	t.Parallel()
	r := newRand(42)
	R := reps(800)
	const n, b0, b1 = 200, -1, 0.8
	x, y := make([][]float64, n), make([]float64, n)
	for i := range x {
		x[i] = []float64{0}
	}
	cover := 0
	for range R {
		for i := range x {
			x[i][0] = r.NormFloat64()
			y[i] = 0
			if r.Float64() < 1/(1+math.Exp(-(b0+b1*x[i][0]))) {
				y[i] = 1
			}
		}
		l, err := FitLogistic(x, y, 0)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(l.Coef[1]-b1) <= Z95*l.SE(1) {
			cover++
		}
	}
	within(t, "logistic Wald coverage of the slope", float64(cover)/float64(R), 0.925, 0.975)
}
