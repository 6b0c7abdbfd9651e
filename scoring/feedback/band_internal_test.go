package feedback

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadscore/leadscore/rules"
)

// The default band width is round (1, 2 or 5 times a power of ten), near a
// tenth of the total's range: fit 0..120 + engagement 0..100 gives bands
// 20 wide (40-60, 60-80), not 22 (44-66).
func TestDefaultBandWidthIsRound(t *testing.T) {
	model := func(maxes ...float64) *rules.Model {
		m := &rules.Model{}
		for _, x := range maxes {
			m.Categories = append(m.Categories, &rules.Category{Max: x})
		}
		return m
	}
	for _, c := range []struct {
		maxes []float64
		want  float64
	}{
		{[]float64{120, 100}, 20}, {[]float64{100, 100}, 20}, {[]float64{100}, 10}, {[]float64{70, 70}, 10},
		{[]float64{75, 75}, 20}, {[]float64{300, 100}, 50}, {[]float64{5}, 0.5}, {[]float64{math.Inf(1)}, 10},
	} {
		assert.Equal(t, c.want, defaultBandWidth(model(c.maxes...)), "maxes %v", c.maxes)
	}
	assert.Equal(t, "40-60", bandName(math.Floor(55/20.0)*20, 20))
}
