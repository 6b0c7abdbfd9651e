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
