package leadfile

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Scoring never gives NaN or an infinity, but the encoders do not rely on
// it: what they write is always valid JSON, and never "+Inf" in CSV.
func TestNonFiniteNumbersAreNeverWritten(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		out := appendNumber([]byte(`{"total":`), v)
		out = append(out, '}')
		assert.True(t, json.Valid(out), "%s", out)
		assert.Equal(t, `{"total":null}`, string(out))
		assert.Equal(t, "", formatNumber(v))
	}
	assert.Equal(t, "12.5", string(appendNumber(nil, 12.5)))
	assert.Equal(t, "-3", formatNumber(-3))
}

// A score is written as encoding/json writes the same float64, at every
// magnitude: the NDJSON line is json.Marshal(res.Row()), byte for byte.
func TestNumbersAreWrittenAsEncodingJSONWritesThem(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 1, -1, 12.5, 0.1, 1e-6, 9.99999e-7, 1e-7, -1e-7, 1.5e-300,
		math.SmallestNonzeroFloat64, 1e20, 123456789012345678901, 1e21, -1e21, 1.7976931348623157e308, 1e100, 5e-324}
	for e := -320; e <= 308; e += 7 {
		values = append(values, math.Pow(10, float64(e)), -3.25*math.Pow(10, float64(e)))
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		assert.NoError(t, err)
		assert.Equal(t, string(want), string(appendNumber(nil, v)), "%v", v)
	}
}

func FuzzNumbersAreWrittenAsEncodingJSONWritesThem(f *testing.F) {
	f.Add(1e21)
	f.Add(1e-7)
	f.Add(12.5)
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendNumber(nil, v); string(got) != string(want) {
			t.Fatalf("%v: wrote %s, encoding/json writes %s", v, got, want)
		}
	})
}
