package attribution

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// decimal is an exact sum of non-negative decimal amounts, as written:
// the coefficient divided by 10^scale. The coefficient lives in 128 bits
// while it fits and in a big.Int once it does not, so a sum never
// overflows and never rounds; the scale is the most decimals of any amount
// added. Sums do not depend on the order of the additions, so shards merge
// to the bit. A decimal is a value: no operation changes a big.Int in
// place, so copies share nothing that changes.
type decimal struct {
	hi, lo uint64   // the coefficient while big is nil
	big    *big.Int // the coefficient once it outgrew 128 bits
	scale  int32
}

// maxDecimals bounds the decimals of one amount: beyond, the sums would
// grow without a purpose (1e-1000 is not an amount).
const maxDecimals = 400

var pow10u = [20]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

var pow10f = [23]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal reads a non-negative number as written: digits with an
// optional point and an optional exponent (12, 0.244, 1.5e-7, 3E2). The
// caller checks the range (ParseAmount); this keeps every digit.
func parseDecimal[T string | []byte](s T) (decimal, error) {
	var d decimal
	i, n := 0, len(s)
	if i < n && s[i] == '+' {
		i++
	}
	var coef uint64
	digits, frac, bigDigits := 0, 0, -1 // bigDigits: where the digits outgrew uint64
	seenPoint, any := false, false
	start := i
	for ; i < n; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			any = true
			if seenPoint {
				frac++
			}
			if coef == 0 && c == '0' {
				continue // leading zeros
			}
			if digits < 19 {
				coef = coef*10 + uint64(c-'0')
			} else if bigDigits < 0 {
				bigDigits = digits
			}
			digits++
		case c == '.' && !seenPoint:
			seenPoint = true
		default:
			goto exponent
		}
	}
exponent:
	mantissa := s[start:i]
	if !any {
		return d, fmt.Errorf("want a number, got %q", string(s))
	}
	exp := 0
	if i < n {
		if s[i] != 'e' && s[i] != 'E' {
			return d, fmt.Errorf("want a number, got %q", string(s))
		}
		e, err := strconv.Atoi(string(s[i+1:]))
		if err != nil || e > 1000 || e < -1000 {
			return d, fmt.Errorf("want a number, got %q", string(s))
		}
		exp = e
	}
	scale := frac - exp
	if digits == 0 {
		return decimal{}, nil // zero, however written
	}
	if scale > maxDecimals {
		return d, fmt.Errorf("%s has more than %d decimals; round it", string(s), maxDecimals)
	}
	if bigDigits >= 0 {
		b, _ := new(big.Int).SetString(strings.Replace(string(mantissa), ".", "", 1), 10)
		d.big = b
	} else {
		d.lo = coef
	}
	d.scale = int32(scale)
	if scale < 0 {
		d.scale = 0
		d.mulPow10(-scale)
	}
	return d, nil
}

// decimalOf returns v as the shortest decimal that reads back as v: the
// number as it was most likely written, and as strconv writes it.
func decimalOf(v float64) decimal {
	if v == 0 {
		return decimal{}
	}
	var buf [32]byte
	d, err := parseDecimal(strconv.AppendFloat(buf[:0], v, 'e', -1, 64))
	if err != nil { // NaN, infinities and negatives are refused before
		panic("attribution: decimalOf(" + strconv.FormatFloat(v, 'g', -1, 64) + ")")
	}
	return d
}

func (a *decimal) isZero() bool {
	if a.big != nil {
		return a.big.Sign() == 0
	}
	return a.hi == 0 && a.lo == 0
}

// toBig moves the coefficient to a big.Int.
func (a *decimal) toBig() {
	if a.big != nil {
		return
	}
	b := new(big.Int).SetUint64(a.hi)
	b.Lsh(b, 64)
	a.big = b.Or(b, new(big.Int).SetUint64(a.lo))
	a.hi, a.lo = 0, 0
}

// mulPow10 multiplies the coefficient by 10^k.
func (a *decimal) mulPow10(k int) {
	for k > 0 && a.big == nil {
		step := min(k, 19)
		p := pow10u[step]
		h1, l1 := bits.Mul64(a.lo, p)
		h2, l2 := bits.Mul64(a.hi, p)
		hi, carry := bits.Add64(h1, l2, 0)
		if h2 != 0 || carry != 0 {
			a.toBig()
			break
		}
		a.hi, a.lo = hi, l1
		k -= step
	}
	if k > 0 {
		a.big = new(big.Int).Mul(a.big, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil))
	}
}

// rescale raises the scale to s (s >= a.scale), keeping the value.
func (a *decimal) rescale(s int32) {
	if a.isZero() {
		a.scale = s
		return
	}
	if s > a.scale {
		a.mulPow10(int(s - a.scale))
		a.scale = s
	}
}

// add adds b exactly.
func (a *decimal) add(b decimal) {
	if b.isZero() {
		return
	}
	s := max(a.scale, b.scale)
	a.rescale(s)
	b.rescale(s)
	if a.big == nil && b.big == nil {
		lo, c := bits.Add64(a.lo, b.lo, 0)
		hi, c2 := bits.Add64(a.hi, b.hi, c)
		if c2 == 0 {
			a.hi, a.lo = hi, lo
			return
		}
	}
	a.toBig()
	b.toBig()
	a.big = new(big.Int).Add(a.big, b.big)
}

func (a decimal) coef() *big.Int {
	if a.big != nil {
		return a.big
	}
	a.toBig()
	return a.big
}

// rat returns the exact value.
func (a decimal) rat() *big.Rat {
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(a.scale)), nil)
	return new(big.Rat).SetFrac(a.coef(), den)
}

// float returns the value rounded once to the nearest float64.
func (a decimal) float() float64 {
	if a.big == nil && a.hi == 0 && a.lo <= 1<<53 && a.scale <= 22 {
		return float64(a.lo) / pow10f[a.scale] // both exact: one rounding
	}
	f, _ := a.rat().Float64()
	return f
}

// String writes the exact value in plain decimals, without trailing zeros.
func (a decimal) String() string {
	digits := a.coef().String()
	if a.scale == 0 || digits == "0" {
		return digits
	}
	s := int(a.scale)
	if len(digits) <= s {
		digits = strings.Repeat("0", s-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-s], strings.TrimRight(digits[len(digits)-s:], "0")
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// sub subtracts b exactly; it reports false, leaving a as it was, when b
// is larger than a (amounts are never negative).
func (a *decimal) sub(b decimal) bool {
	if b.isZero() {
		return true
	}
	x, y := *a, b
	s := max(x.scale, y.scale)
	x.rescale(s)
	y.rescale(s)
	if x.big == nil && y.big == nil {
		lo, c := bits.Sub64(x.lo, y.lo, 0)
		hi, c2 := bits.Sub64(x.hi, y.hi, c)
		if c2 != 0 {
			return false
		}
		*a = decimal{hi: hi, lo: lo, scale: s}
		return true
	}
	x.toBig()
	y.toBig()
	d := new(big.Int).Sub(x.big, y.big)
	if d.Sign() < 0 {
		return false
	}
	*a = decimal{big: d, scale: s}
	return true
}

// shareUnit is the resolution of a share: weights become integer
// fractions of 10^16 (the precision of a float64), which add up to exactly
// 10^16.
const (
	shareUnit   = 1e16
	shareDigits = 16
)

// split shares total among weights (at least one positive; they need not
// sum to one), exactly: each weight becomes an integer number q of
// 10^-16ths, a share other than the largest weight's is total * q * 10^-16
// rounded to 15 significant digits (never beyond the units: a share of
// 10^30 keeps all its digits), and the largest weight's share is what the others leave of total.
// So the shares add up to total to the last digit, each is within about
// 10^-15 (relative) of total times its weight, and a share that is a short
// decimal comes out as one: 4197 split three ways is 1399 three times, not
// 1398.9999999999998601 twice and the rest once.
func split(total decimal, w []float64, out []decimal) {
	sum := 0.0
	largest := 0
	for i, x := range w {
		sum += x
		if x > w[largest] {
			largest = i
		}
	}
	if !(sum > 0) { // no weight: equal shares
		w = make([]float64, len(w))
		for i := range w {
			w[i] = 1
		}
		sum, largest = float64(len(w)), 0
	}
	left := total
	for i, x := range w {
		if i == largest {
			continue
		}
		q := uint64(math.Round(x / sum * shareUnit))
		out[i] = total.times(q)
		out[i].roundSignificant(shareSignificant)
		if !left.sub(out[i]) { // rounding cannot take more than is left
			out[i] = left
			left = decimal{}
		}
	}
	out[largest] = left
}

// shareSignificant is the significant digits a share keeps: a float64's
// weight is good to about 16, so the 16th digit of total * q * 10^-16 is
// noise from the weight's rounding.
const shareSignificant = 15

// roundSignificant rounds a to n significant digits, half to even, but not
// beyond the units. The result depends on a's value only, not on how many
// trailing zeros its representation carries.
func (a *decimal) roundSignificant(n int) {
	if a.isZero() {
		return
	}
	drop := a.digits() - n
	if int32(drop) > a.scale {
		drop = int(a.scale)
	}
	if drop <= 0 {
		return
	}
	if a.big == nil && drop <= 19 {
		p := pow10u[drop]
		qhi := a.hi / p
		qlo, r := bits.Div64(a.hi%p, a.lo, p)
		if r > p/2 || (r == p/2 && qlo&1 == 1) {
			var carry uint64
			qlo, carry = bits.Add64(qlo, 1, 0)
			qhi += carry
		}
		*a = decimal{hi: qhi, lo: qlo, scale: a.scale - int32(drop)}
		return
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(drop)), nil)
	q, r := new(big.Int).QuoRem(a.coef(), p, new(big.Int))
	if c := new(big.Int).Lsh(r, 1).Cmp(p); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	*a = decimal{big: q, scale: a.scale - int32(drop)}
}

// digits returns the number of decimal digits of a's coefficient.
func (a decimal) digits() int {
	if a.big == nil {
		if a.hi == 0 {
			return digits64(a.lo)
		}
		if a.hi < pow10u[19] {
			q, _ := bits.Div64(a.hi, a.lo, pow10u[19])
			return 19 + digits64(q)
		}
	}
	return len(a.coef().String())
}

// digits64 returns the number of decimal digits of x (1 for 0).
func digits64(x uint64) int {
	n := 1
	for n < len(pow10u) && x >= pow10u[n] {
		n++
	}
	return n
}

// times returns a * q * 10^-16, exactly.
func (a decimal) times(q uint64) decimal {
	if q == 0 || a.isZero() {
		return decimal{}
	}
	scale := a.scale + shareDigits
	if a.big == nil {
		h1, l1 := bits.Mul64(a.lo, q)
		h2, l2 := bits.Mul64(a.hi, q)
		mid, c := bits.Add64(h1, l2, 0)
		if h2 == 0 && c == 0 {
			return decimal{hi: mid, lo: l1, scale: scale}
		}
	}
	return decimal{big: new(big.Int).Mul(a.coef(), new(big.Int).SetUint64(q)), scale: scale}
}
