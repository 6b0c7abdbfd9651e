package attribution

import (
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// randomAmount writes a random amount the ways people and tools do: plain,
// with many decimals, with an exponent, with leading or trailing zeros.
func randomAmount(r *rand.Rand) string {
	switch r.Intn(6) {
	case 0:
		return strconv.Itoa(r.Intn(1000))
	case 1: // up to 40 decimals
		return fmt.Sprintf("%d.%0*d", r.Intn(100000), 1+r.Intn(18), r.Int63n(1e18))
	case 2:
		return fmt.Sprintf("%d.%d%d", r.Intn(10), r.Int63(), r.Int63())
	case 3:
		return strconv.FormatFloat(r.Float64()*math.Pow(10, float64(r.Intn(20)-5)), 'e', -1, 64)
	case 4:
		return fmt.Sprintf("00%d.%d000", r.Intn(1e6), r.Intn(1e6))
	default:
		return fmt.Sprintf("%dE%d", r.Intn(1000), r.Intn(10)-5)
	}
}

// ratOf is math/big's reading of a decimal: the independent reference.
func ratOf(t testing.TB, s string) *big.Rat {
	q, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("big.Rat cannot read %q", s)
	}
	return q
}

func TestDecimalAgreesWithMathBig(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	values := []string{"0", "0.0", "000", "1", "0.244", "3.195", "0.24400000000000001", "1e15", "999999999999999.999999999999999999999",
		"18446744073709551615", "18446744073709551616", "340282366920938463463374607431768211455.5", "5e-324", "1.5E-7", "+2", "12.", ".5"}
	for i := 0; i < 3000; i++ {
		values = append(values, randomAmount(r))
	}
	sum, want := decimal{}, new(big.Rat)
	for i, s := range values {
		d, err := parseDecimal(s)
		if err != nil {
			t.Fatalf("parseDecimal(%q): %v", s, err)
		}
		q := ratOf(t, strings.TrimPrefix(s, "+"))
		if d.rat().Cmp(q) != 0 {
			t.Fatalf("parseDecimal(%q) = %v, want %v", s, d.rat(), q)
		}
		if got := ratOf(t, d.String()); got.Cmp(q) != 0 {
			t.Fatalf("%q written as %q", s, d.String())
		}
		if f, _ := q.Float64(); d.float() != f {
			t.Fatalf("%q: float() = %v, want %v (rounded once)", s, d.float(), f)
		}
		sum.add(d)
		want.Add(want, q)
		if sum.rat().Cmp(want) != 0 {
			t.Fatalf("after %d additions the sum is %v, want %v", i+1, sum.rat(), want)
		}
	}
	if f, _ := want.Float64(); sum.float() != f {
		t.Fatalf("sum rounds to %v, want %v", sum.float(), f)
	}
}

// Sums past 128 bits move to arbitrary precision and stay exact; adding a
// big coefficient does not change the one it came from.
func TestDecimalDoesNotOverflow(t *testing.T) {
	max128 := "340282366920938463463374607431768211455"
	a, _ := parseDecimal(max128)
	b, _ := parseDecimal("1")
	a.add(b)
	if a.String() != "340282366920938463463374607431768211456" {
		t.Fatalf("2^128 = %s", a.String())
	}
	c, _ := parseDecimal("0.1")
	c.add(a)
	c.add(a)
	if c.String() != "680564733841876926926749214863536422912.1" {
		t.Fatalf("2^129 + 0.1 = %s", c.String())
	}
	if a.String() != "340282366920938463463374607431768211456" {
		t.Fatalf("a changed: %s", a.String())
	}
	// 1e15 added 2e24 times exceeds what int128 millionths held.
	d, _ := parseDecimal("1000000000000000.000001")
	e := d
	for i := 0; i < 90; i++ { // doubling: 2^90 * d
		e.add(e)
	}
	want := new(big.Rat).Mul(ratOf(t, "1000000000000000.000001"), new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 90)))
	if e.rat().Cmp(want) != 0 {
		t.Fatalf("2^90 * d = %s", e.String())
	}
}

func TestDecimalOfIsTheShortestDecimal(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 5000; i++ {
		v := r.Float64() * math.Pow(10, float64(r.Intn(30)-12))
		d := decimalOf(v)
		if d.rat().Cmp(ratOf(t, strconv.FormatFloat(v, 'g', -1, 64))) != 0 {
			t.Fatalf("decimalOf(%v) = %s", v, d.String())
		}
		if d.float() != v {
			t.Fatalf("decimalOf(%v) reads back as %v", v, d.float())
		}
	}
}

func TestParseDecimalRefuses(t *testing.T) {
	for _, s := range []string{"", ".", "e5", "1e", "1x", "1.2.3", "0x10", "1e-500"} {
		if _, err := parseDecimal(s); err == nil {
			t.Errorf("parseDecimal(%q) gave no error", s)
		}
	}
}

// A split adds up to its total to the last digit, each share is within
// 2e-15 (relative to the total) of total times its weight, computed with
// math/big, and short decimals stay short.
func TestSplitIsExactAndClean(t *testing.T) {
	d := func(s string) decimal {
		x, err := parseDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, tc := range []struct {
		total string
		w     []float64
		want  []string
	}{
		{"4197", []float64{1, 1, 1}, []string{"1399", "1399", "1399"}},
		{"4197", []float64{0.4, 0.2, 0.4}, []string{"1678.8", "839.4", "1678.8"}},
		{"10", []float64{1, 1, 1}, []string{"3.33333333333334", "3.33333333333333", "3.33333333333333"}},
		{"1e30", []float64{1, 3}, []string{"250000000000000000000000000000", "750000000000000000000000000000"}},
	} {
		out := make([]decimal, len(tc.w))
		split(d(tc.total), tc.w, out)
		for i := range out {
			if got := out[i].String(); got != tc.want[i] {
				t.Errorf("split(%s, %v)[%d] = %s, want %s", tc.total, tc.w, i, got, tc.want[i])
			}
		}
	}
	r := rand.New(rand.NewSource(7))
	for range 5000 {
		total := d(randomAmount(r))
		w := make([]float64, 1+r.Intn(8))
		sumW := 0.0
		for i := range w {
			if r.Intn(5) > 0 {
				w[i] = r.Float64() * math.Pow(10, float64(r.Intn(6)-3))
			}
			sumW += w[i]
		}
		if sumW == 0 {
			w[0], sumW = 1, 1
		}
		out := make([]decimal, len(w))
		split(total, w, out)
		sum := new(big.Rat)
		for i := range out {
			sum.Add(sum, out[i].rat())
			want := new(big.Rat).Mul(total.rat(), new(big.Rat).Quo(new(big.Rat).SetFloat64(w[i]), new(big.Rat).SetFloat64(sumW)))
			diff, _ := new(big.Rat).Sub(out[i].rat(), want).Float64()
			if tot, _ := total.rat().Float64(); math.Abs(diff) > 2e-15*tot {
				t.Fatalf("split(%s, %v)[%d] = %s, off by %g", total, w, i, out[i], diff)
			}
		}
		if sum.Cmp(total.rat()) != 0 {
			t.Fatalf("split(%s, %v) adds up to %s", total, w, sum.FloatString(30))
		}
	}
}

// A split depends on the total's value, not on its representation: 12.5
// and 12.500000 (as a merged or stored sum may carry it) split alike.
func TestSplitDependsOnTheValueOnly(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for range 2000 {
		text := randomAmount(r)
		a, err := parseDecimal(text)
		if err != nil {
			t.Fatal(err)
		}
		b := a
		b.rescale(a.scale + int32(r.Intn(12))) // the same value with more trailing zeros
		if a.rat().Cmp(b.rat()) != 0 {
			t.Fatalf("rescale changed %s to %s", a, b)
		}
		w := []float64{r.Float64(), r.Float64(), 1 + r.Float64()}
		x, y := make([]decimal, 3), make([]decimal, 3)
		split(a, w, x)
		split(b, w, y)
		for i := range x {
			if x[i].rat().Cmp(y[i].rat()) != 0 {
				t.Fatalf("split(%s) and split(%s) differ at %d: %s and %s", a, b, i, x[i], y[i])
			}
		}
	}
}
