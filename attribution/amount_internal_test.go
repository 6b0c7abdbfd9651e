package attribution

import (
	"math"
	"math/big"
	"math/rand"
	"testing"
)

// bigMicros is v in millionths, rounded half away from zero, by math/big:
// the independent computation exactOf is checked against.
func bigMicros(v float64) *big.Int {
	r := new(big.Rat).SetFloat64(v)
	r.Mul(r, big.NewRat(1_000_000, 1))
	r.Add(r, big.NewRat(1, 2)) // v >= 0: half away from zero is floor(x + 1/2)
	return new(big.Int).Quo(r.Num(), r.Denom())
}

func (a exact) big() *big.Int {
	n := new(big.Int).SetInt64(a.hi)
	n.Lsh(n, 64)
	return n.Add(n, new(big.Int).SetUint64(a.lo))
}

func TestExactOfAgreesWithMathBig(t *testing.T) {
	values := []float64{0, 5e-324, 4e-7, 5e-7, 6e-7, 0.1, 0.5, 1, 1234.56, 9.2e12, 9.3e12, 1e13, 123456789.123456, 2.5e-6,
		1 << 43, 1<<53 - 1, 1e15, math.Nextafter(1e15, 0), 0.0000015, 1e9 + 0.0000005}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		values = append(values, r.Float64()*math.Pow(10, float64(r.Intn(22)-6)))
	}
	for _, v := range values {
		if v > MaxAmount {
			continue
		}
		if got, want := exactOf(v).big(), bigMicros(v); got.Cmp(want) != 0 {
			t.Fatalf("exactOf(%v) = %v millionths, want %v", v, got, want)
		}
	}
}

func TestExactFloatIsRoundedOnce(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 20000; i++ {
		a := exact{hi: int64(r.Intn(1 << 20)), lo: r.Uint64()}
		if i%2 == 0 {
			a.hi = 0
		}
		want, _ := new(big.Rat).SetFrac(a.big(), big.NewInt(1_000_000)).Float64()
		if got := a.float(); got != want {
			t.Fatalf("%v millionths: float() = %v, want %v", a.big(), got, want)
		}
	}
}
