package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The HTML page of the mix report holds every number to the JSON report of
// the same run (its path, its value, the text shown), and has its
// sections: channels, reallocation, the lift tests, the comparison beside
// attribution, the response curves and the weeks.
func TestMixHTML(t *testing.T) {
	args := append(mixCalibratedArgs[:len(mixCalibratedArgs):len(mixCalibratedArgs)], "--bootstrap", "40")
	code, page, errOut := leadscore(t, "", append(args, "--format", "html")...)
	require.Equal(t, exitOK, code, errOut)
	code, js, errOut := leadscore(t, "", append(args, "--format", "json")...)
	require.Equal(t, exitOK, code, errOut)
	checkPage(t, page, js, 1000)
	for _, id := range []string{"summary", "channels", "reallocation", "calibration", "attribution", "response", "decomposition"} {
		assert.Contains(t, page, `<section id="`+id+`"`, id)
	}
	for _, path := range []string{"channels.2.roas.value", "calibration.1.after.low", "calibration.1.weeks_read", "calibration_shift.0.after.high", "comparison.0.mix_share.high", "comparison.1.by_model.1.share.value", "decomposition.155.baseline", "reallocation.effect.value"} {
		assert.Contains(t, page, `data-path="`+path+`"`, path)
	}
	assert.Contains(t, page, "Money is in the data&#39;s own currency")
	assert.Contains(t, page, `(95% <span class="n" data-path="reallocation.effect.low"`, "the effect's interval in the summary's words")
	assert.Equal(t, 0, strings.Count(page, "<script src"), "no script from elsewhere")
}
