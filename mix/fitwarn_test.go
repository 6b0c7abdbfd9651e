package mix

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A baseline share a little outside 0 to 100% (within BaselineMargin) is
// the noise of an estimate of a share at its end, not a broken
// decomposition; beyond it the warning prints the share to 0.1%. An R²
// just under MinR2 prints below it, and the fix named fits the period.
func TestFitWarningsMarginsAndDigits(t *testing.T) {
	ok := FitQuality{R2: 0.9}
	for _, b := range []float64{-0.0018, -0.049, 1.03} {
		assert.Empty(t, fitWarnings(&Result{BaselineShare: b, InSample: ok, HeldOut: ok, Period: "week"}), "baseline %v", b)
	}
	ws := fitWarnings(&Result{BaselineShare: -0.0612, InSample: ok, HeldOut: ok, Period: "week"})
	require.Len(t, ws, 1)
	assert.Equal(t, WarnImplausibleBaseline, ws[0].Kind)
	assert.Contains(t, ws[0].Message, "the baseline is -6.1% of the fitted KPI")

	// At the limit's printed digits, more digits: -5.04% is not "-5.0%",
	// 105.03% not "105.0%", a held-out R² of -0.004 not "-0.00".
	ws = fitWarnings(&Result{BaselineShare: -0.0504, InSample: ok, HeldOut: ok, Period: "week"})
	require.Len(t, ws, 1)
	assert.Contains(t, ws[0].Message, "the baseline is -5.04% of the fitted KPI, outside 0 to 100% by more than 5 points")
	ws = fitWarnings(&Result{BaselineShare: 1.050301, InSample: ok, HeldOut: ok, Period: "week"})
	require.Len(t, ws, 1)
	assert.Contains(t, ws[0].Message, "the baseline is 105.03% of the fitted KPI")
	ws = fitWarnings(&Result{BaselineShare: 0.5, InSample: ok, HeldOut: FitQuality{R2: -0.004}, Period: "week"})
	require.Len(t, ws, 1)
	assert.Contains(t, ws[0].Message, "(held-out R² -0.004, below 0)")
	ws = fitWarnings(&Result{BaselineShare: 0.5, InSample: ok, HeldOut: FitQuality{R2: -0.2}, Period: "week"})
	require.Len(t, ws, 1)
	assert.Contains(t, ws[0].Message, "(held-out R² -0.20, below 0)")

	ws = fitWarnings(&Result{BaselineShare: 0.5, InSample: FitQuality{R2: 0.2996}, HeldOut: ok, Period: "week"})
	require.Len(t, ws, 1)
	assert.Contains(t, ws[0].Message, "R² 0.29, below 0.3")
	assert.Contains(t, ws[0].Message, "explains 29%")
	assert.False(t, strings.Contains(ws[0].Message, "weeks for noisy days") || strings.Contains(ws[0].Message, "--period week"), ws[0].Message)
	ws = fitWarnings(&Result{BaselineShare: 0.5, InSample: FitQuality{R2: 0.1}, HeldOut: ok, Period: "day"})
	require.Len(t, ws, 1)
	assert.Contains(t, ws[0].Message, "--period week")
}
