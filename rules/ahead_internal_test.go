package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomValue makes a value of the kinds expressions reach: texts with
// bytes JSON escapes, numbers, booleans, nil, times, lists and maps.
func randomValue(r *rand.Rand, depth int) any {
	k := r.IntN(9)
	if depth > 3 {
		k = r.IntN(6)
	}
	switch k {
	case 0:
		alphabet := []string{"a", "Z", " ", "\"", "\\", "<", ">", "&", "\n", "\x01", "é", "日", "\u2028", "\xff", "%", "["}
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	case 1:
		return r.IntN(1<<40) - 1<<39
	case 2:
		return []float64{-math.MaxFloat64, 1e-300, 2.5, -0.1, 123456789.123}[r.IntN(5)]
	case 3:
		return r.IntN(2) == 0
	case 4:
		return nil
	case 5:
		return time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", -7*3600))
	case 6:
		out := make([]any, r.IntN(6))
		for i := range out {
			out[i] = randomValue(r, depth+1)
		}
		return out
	case 7:
		out := make([]string, r.IntN(6))
		for i := range out {
			out[i], _ = randomValue(r, 99).(string)
		}
		return out
	default:
		out := map[string]any{}
		for range r.IntN(5) {
			key, _ := randomValue(r, 99).(string)
			out[key] = randomValue(r, depth+1)
		}
		return out
	}
}

// The sizes string() and toJSON() are measured at are never less than
// what they make (fmt's %v and expr's indented JSON), for random values.
func TestSizerBoundsFromAbove(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		v := randomValue(r, 0)
		w := sizer{limit: math.MaxInt64}
		made := fmt.Sprintf("%v", v)
		assert.GreaterOrEqual(t, w.size(reflect.ValueOf(v), 0), int64(len(made)), "%d: string(%#v)", i, v)
		w = sizer{json: true, limit: math.MaxInt64}
		b, err := json.MarshalIndent(v, "", "  ")
		require.NoError(t, err)
		assert.GreaterOrEqual(t, w.size(reflect.ValueOf(v), 0), int64(len(b)), "%d: toJSON(%#v)", i, v)
	}
}

// A list far over the limit is not read to its end.
func TestSizerStopsPastTheLimit(t *testing.T) {
	big := make([]any, 1_000_000)
	for i := range big {
		big[i] = strings.Repeat("x", 100)
	}
	for _, json := range []bool{false, true} {
		w := sizer{json: json, limit: 1000}
		assert.Greater(t, w.size(reflect.ValueOf(big), 0), int64(1000))
		assert.Less(t, w.scanned, int64(10_000), "bytes and items read")
	}
}
