package backtest

// LeadFailed notes one lead row that failed (it could not be read or
// scored, or gave a lead a second time), with the id of its lead ("" when
// the row failed before its id could be read): the report counts the row
// (Counts.Failed), and the lead's outcome row in
// Counts.OutcomesOfFailedLeads, not as a row that names no lead. Call it
// once for each failed row.
func (b *Backtest) LeadFailed(id string) {
	b.failedRows++
	b.markFailed(id)
}

// markFailed notes that the lead with the id failed, without counting a row.
func (b *Backtest) markFailed(id string) {
	if id == "" {
		return
	}
	if b.failed == nil {
		b.failed = map[string]bool{}
	}
	b.failed[id] = true
}
