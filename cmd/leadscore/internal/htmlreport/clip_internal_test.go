package htmlreport

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A clipped label fits its room by the cautious widths (capitals, CJK and
// emoji count wide), ends in an ellipsis, and keeps a whole character; a
// label that fits is left whole.
func TestClipFitsWideCharacters(t *testing.T) {
	for _, s := range []string{strings.Repeat("W", 60), strings.Repeat("營銷活動", 10), strings.Repeat("🚀 launch ", 8), "Q4 ENTERPRISE WEBINAR SERIES — NORTH AMERICA"} {
		for _, width := range []float64{60, 120, 230} {
			got := clip(s, width)
			assert.LessOrEqual(t, textWidth(got), width-12, "%q in %v", got, width)
			assert.True(t, strings.HasSuffix(got, "…"), got)
			assert.True(t, strings.HasPrefix(s, strings.TrimSuffix(got, "…")), got)
		}
	}
	assert.Equal(t, "brand-search", clip("brand-search", 230))
}
