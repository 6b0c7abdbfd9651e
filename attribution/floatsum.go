package attribution

import (
	"math"
	"math/big"
	"math/bits"
)

// sumLimbs is the size of a floatSum in 64-bit words: every finite float64
// is a whole multiple of 2^-1074 below 2^1024, so 2,098 bits hold any one
// of them; 2,240 bits leave 141 bits for carries (2^140 additions of the
// largest float64 before an overflow) and the sign.
const sumLimbs = 35

// floatSum is the exact sum of float64 values: a fixed-point integer in
// units of 2^-1074 (the smallest float64), two's complement. Sums do not
// depend on the order of the additions, so reports built on shards merge
// to the bit; float rounds the exact sum once, to the nearest float64.
type floatSum [sumLimbs]uint64

// add adds v; v must be finite.
func (s *floatSum) add(v float64) {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	neg := v < 0
	frac, e := math.Frexp(math.Abs(v))
	m := uint64(frac * (1 << 53)) // |v| = m * 2^(e-53), exactly
	off := e - 53 + 1074          // in units of 2^-1074
	if off < 0 {                  // a subnormal: the bits shifted out are zero
		m >>= uint(-off)
		off = 0
	}
	limb, sh := off/64, uint(off%64)
	lo, hi := m<<sh, uint64(0)
	if sh > 0 {
		hi = m >> (64 - sh)
	}
	if neg {
		s.sub(limb, lo, hi)
	} else {
		s.addAt(limb, lo, hi)
	}
}

func (s *floatSum) addAt(limb int, lo, hi uint64) {
	var c uint64
	s[limb], c = bits.Add64(s[limb], lo, 0)
	s[limb+1], c = bits.Add64(s[limb+1], hi, c)
	for i := limb + 2; c != 0 && i < sumLimbs; i++ {
		s[i], c = bits.Add64(s[i], 0, c)
	}
}

func (s *floatSum) sub(limb int, lo, hi uint64) {
	var b uint64
	s[limb], b = bits.Sub64(s[limb], lo, 0)
	s[limb+1], b = bits.Sub64(s[limb+1], hi, b)
	for i := limb + 2; b != 0 && i < sumLimbs; i++ {
		s[i], b = bits.Sub64(s[i], 0, b)
	}
}

// merge adds another sum.
func (s *floatSum) merge(o *floatSum) {
	var c uint64
	for i := range s {
		s[i], c = bits.Add64(s[i], o[i], c)
	}
}

// float returns the sum rounded once to the nearest float64 (halves to
// even); a sum beyond the float64 range is an infinity.
func (s *floatSum) float() float64 {
	if *s == (floatSum{}) {
		return 0
	}
	v := *s
	neg := v[sumLimbs-1]>>63 == 1
	if neg { // two's complement: invert and add one
		var c uint64 = 1
		for i := range v {
			v[i], c = bits.Add64(^v[i], 0, c)
		}
	}
	buf := make([]byte, 8*sumLimbs) // big-endian for SetBytes
	for i, w := range v {
		for k := 0; k < 8; k++ {
			buf[len(buf)-1-8*i-k] = byte(w >> (8 * k))
		}
	}
	n := new(big.Int).SetBytes(buf)
	f := new(big.Float).SetInt(n) // exact: the precision grows to fit
	f.SetMantExp(f, -1074)
	r, _ := f.Float64()
	if neg {
		r = -r
	}
	return r
}
