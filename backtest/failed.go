package backtest

// LeadFailed notes that the lead with the id failed (could not be read or
// scored, or was given twice): its outcome row is then counted in
// Counts.OutcomesOfFailedLeads, not as a row that names no lead.
func (b *Backtest) LeadFailed(id string) {
	if id == "" {
		return
	}
	if b.failed == nil {
		b.failed = map[string]bool{}
	}
	b.failed[id] = true
}
