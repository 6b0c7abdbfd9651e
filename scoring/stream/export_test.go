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

// NextChanges returns the account's next change as of asOf from the people
// tx keeps for it, found as Take finds it and by scoring every person
// again at every probe.
func (a *Accounts) NextChanges(tx Tx, accountID string, asOf time.Time) (found, all time.Time, err error) {
	acc, _, err := tx.(AccountTx).Account(accountID)
	if err != nil {
		return
	}
	ms, err := a.members(tx.(AccountTx), &acc, nil)
	if err != nil {
		return
	}
	x := a.accounts[a.byID[accountID]]
	base, err := a.scoreAt(context.Background(), a.as, x, ms, asOf)
	if err != nil {
		return
	}
	if found, _, err = a.nextChangeBy(context.Background(), x, ms, base, asOf, false); err != nil {
		return
	}
	all, _, err = a.nextChangeBy(context.Background(), x, ms, base, asOf, true)
	return
}
