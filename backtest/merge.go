package backtest

import (
	"errors"
	"fmt"
	"time"

	"github.com/leadscore/leadscore/scoring"
)

// Merge adds the leads (and reference leads) other collected into b, as if
// b had been given them with Add and AddReference: backtests of shards of
// the leads, on other cores or machines, merge into the backtest of all of
// them, and its Report is the same to the byte (the report sorts its leads
// by id, so nothing depends on the order they came in). Both must be of
// the same model with the same options; a lead in both is an error, as it
// is for Add.
func (b *Backtest) Merge(other *Backtest) error {
	if other.model != b.model && other.model.Name != b.model.Name {
		return fmt.Errorf("cannot merge a backtest of the model %s into one of %s", other.model.Name, b.model.Name)
	}
	if !other.opts.At.Equal(b.opts.At) || !other.opts.Until.Equal(b.opts.Until) {
		return fmt.Errorf("cannot merge a backtest at %s into one at %s; run every shard with the same --at and --until",
			other.opts.At.Format(time.RFC3339), b.opts.At.Format(time.RFC3339))
	}
	if other.dropped {
		return errors.New("cannot merge a backtest that kept its leads' traces in place of the leads (Options.Trace with Options.Suggest): its leads cannot be suggested from once merged; merge backtests made without Options.Trace")
	}
	if fo, fb := other.fingerprint(), b.fingerprint(); fo != fb {
		return fmt.Errorf("cannot merge a backtest of %s into one of %s; run every shard with the same model, outcomes and options", fo, fb)
	}
	if other.refIDs != nil && b.refIDs != nil && !other.refAt.Equal(b.refAt) {
		return fmt.Errorf("cannot merge reference leads scored at %s into reference leads scored at %s; run every shard with the same --reference-at",
			other.refAt.Format(time.RFC3339), b.refAt.Format(time.RFC3339))
	}
	for _, i := range other.bySeq() { // the first in id order, as a map's would not be
		if id := other.idOf(int(i)); b.ids.Find(id) >= 0 {
			return fmt.Errorf("lead %s appears twice; give each lead one row", id)
		}
	}
	for id := range other.refIDs {
		if b.refIDs[id] {
			return fmt.Errorf("lead %s appears twice in the reference leads; give each lead one row", id)
		}
	}
	// The other backtest's records are copied, not changed: it reports as
	// before, and may be merged again.
	if other.keptLeads != nil && b.keptLeads == nil {
		b.keptLeads = make([]*scoring.Lead, len(b.order), len(b.order)+len(other.order))
	}
	for i, rec := range other.order {
		seq, err := b.ids.Add(other.idOf(i))
		if err != nil {
			return err
		}
		if rec != unborn {
			c := b.slot()
			*c = *rec
			c.seq = int32(seq)
			b.file(c, other.measuredOf(rec))
			rec = c
		}
		if b.keptLeads != nil {
			var l *scoring.Lead
			if other.keptLeads != nil {
				l = other.keptLeads[i]
			}
			b.keptLeads = append(b.keptLeads, l)
		}
		b.order = append(b.order, rec)
	}
	b.sortedSeq = nil
	for id := range other.failed {
		b.markFailed(id)
	}
	b.failedRows += other.failedRows
	if !other.first.IsZero() && (b.first.IsZero() || other.first.Before(b.first)) {
		b.first = other.first
	}
	if other.refIDs != nil {
		if b.refIDs == nil {
			b.refIDs, b.refAt = map[string]bool{}, other.refAt
		}
		for id := range other.refIDs {
			b.refIDs[id] = true
		}
		b.ref = append(b.ref, other.ref...)
	}
	return nil
}
