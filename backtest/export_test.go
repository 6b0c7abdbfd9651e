package backtest

// HoldoutSummary is the holdout's opening lines of the text report, for
// the external tests.
func HoldoutSummary(h *HoldoutReport) []string { return h.summary() }
