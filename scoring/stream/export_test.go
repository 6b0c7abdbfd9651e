package stream

import (
	"context"
	"time"

	"github.com/leadscore/leadscore/scoring"
)

// Monotone reports whether NextChange searches rather than scans under
// the Scorer's model (see monotone).
func (sc *Scorer) Monotone() bool { return sc.monotone }

// NextChangeScan is NextChangeWithDispositions by the scan of every probe
// time, whatever the model: the reference the search is checked against.
func (st *State) NextChangeScan(ctx context.Context, fields any, dispositions []scoring.Disposition, asOf time.Time) (time.Time, bool, error) {
	return st.nextChangeScan(ctx, fields, dispositions, asOf)
}
