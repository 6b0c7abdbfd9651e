package attribution

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A rate over no leads and a median of no journeys are unknown: "—", and
// null in JSON, never 0.0% or 0.0.
func TestRatesOverNothingAreUnknown(t *testing.T) {
	assert.Equal(t, "—", ratePct(0, 0))
	assert.Equal(t, "50.0%", ratePct(1, 2))
	assert.Equal(t, "0.0%", ratePct(0, 2))
	r := &Report{Velocity: []Velocity{{From: FirstTouch, To: LeadCreated}}}
	var b strings.Builder
	assert.NoError(t, r.WriteJSON(&b))
	assert.Contains(t, b.String(), `"journeys": 0,
      "median_days": null`)
	assert.Nil(t, medianOrNil(nil))
}
