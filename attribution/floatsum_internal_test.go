package attribution

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestFloatSumIsTheExactSumRoundedOnce checks floatSum against math/big:
// random values over the whole float64 range (subnormals, negatives,
// cancellations), added in two orders and merged from two halves, must
// round to what the exact rational sum rounds to.
func TestFloatSumIsTheExactSumRoundedOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	value := func() float64 {
		switch r.IntN(6) {
		case 0:
			return math.Float64frombits(r.Uint64() &^ (0x7ff << 52)) // subnormal
		case 1:
			return math.Ldexp(r.Float64(), r.IntN(2000)-1000) // any magnitude
		case 2:
			return -r.Float64() * 1e15
		default:
			return r.Float64() * 1e6
		}
	}
	for trial := 0; trial < 300; trial++ {
		n := 1 + r.IntN(200)
		xs := make([]float64, n)
		exact := new(big.Rat)
		for i := range xs {
			xs[i] = value()
			if math.IsInf(xs[i], 0) || math.IsNaN(xs[i]) {
				xs[i] = 1
			}
			exact.Add(exact, new(big.Rat).SetFloat64(xs[i]))
		}
		want, _ := exact.Float64()
		var fwd, back, lo, hi floatSum
		for i, x := range xs {
			fwd.add(x)
			back.add(xs[n-1-i])
			if i < n/2 {
				lo.add(x)
			} else {
				hi.add(x)
			}
		}
		lo.merge(&hi)
		for name, s := range map[string]*floatSum{"forward": &fwd, "backward": &back, "merged": &lo} {
			if got := s.float(); got != want {
				t.Fatalf("trial %d, %s: got %v, want %v (the exact sum rounded once)", trial, name, got, want)
			}
		}
	}
}

func TestFloatSumEdges(t *testing.T) {
	var s floatSum
	if s.float() != 0 {
		t.Fatal("an empty sum is 0")
	}
	s.add(math.MaxFloat64)
	s.add(math.MaxFloat64)
	if !math.IsInf(s.float(), 1) {
		t.Fatalf("2 × MaxFloat64 is beyond float64: want +Inf, got %v", s.float())
	}
	s.add(-math.MaxFloat64)
	if s.float() != math.MaxFloat64 {
		t.Fatalf("got %v, want MaxFloat64", s.float())
	}
	var c floatSum
	c.add(0.1)
	c.add(0.2)
	c.add(-0.3)
	// 0.1 + 0.2 - 0.3, as the binary values they are, is exactly 2^-55; float
	// addition gives 2^-54 (5.55e-17).
	if want := math.Ldexp(1, -55); c.float() != want {
		t.Fatalf("0.1+0.2-0.3: got %g, want %g", c.float(), want)
	}
	var tiny floatSum
	tiny.add(math.SmallestNonzeroFloat64)
	tiny.add(math.SmallestNonzeroFloat64)
	if tiny.float() != 2*math.SmallestNonzeroFloat64 {
		t.Fatalf("two smallest subnormals: got %g", tiny.float())
	}
}

// BenchmarkFloatSum is the cost of an exact addition beside the float64
// addition it replaces in Report (the baseline), on credit-like values.
func BenchmarkFloatSum(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	xs := make([]float64, 4096)
	for i := range xs {
		xs[i] = r.Float64() * 1e5
	}
	b.Run("exact", func(b *testing.B) {
		var s floatSum
		for i := 0; i < b.N; i++ {
			s.add(xs[i%len(xs)])
		}
		sink = s.float()
	})
	b.Run("float64", func(b *testing.B) {
		var s float64
		for i := 0; i < b.N; i++ {
			s += xs[i%len(xs)]
		}
		sink = s
	})
}

var sink float64
