package attribution

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A rate over no leads and a median of no journeys are unknown: "—", and
// null in JSON, never 0.0% or 0.0.
func TestRatesOverNothingAreUnknown(t *testing.T) {
	assert.Equal(t, "—", stepText(stepRate(0, 0)))
	assert.Nil(t, stepRate(0, 0).Rate)
	// 1 of 2 and 0 of 2, Wilson's interval by hand: centre (k + z²/2)/(n + z²),
	// half-width z·sqrt(k(n-k)/n + z²/4)/(n + z²); two leads are too few (†).
	assert.Equal(t, "50.0% (9.5% to 90.5%) †", stepText(stepRate(1, 2)))
	assert.Equal(t, "0.0% (0.0% to 65.8%) †", stepText(stepRate(0, 2)))
	// 10 leads are enough: no mark. 5 of 10: 23.7% to 76.3%.
	assert.Equal(t, "50.0% (23.7% to 76.3%)", stepText(stepRate(5, 10)))
	r := &Report{Velocity: []Velocity{{From: FirstTouch, To: LeadCreated}}}
	var b strings.Builder
	assert.NoError(t, r.WriteJSON(&b))
	assert.Contains(t, b.String(), `"journeys": 0,
      "median_days": null`)
	assert.Nil(t, medianOrNil(nil))
}
