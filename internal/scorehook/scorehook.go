// Package scorehook lets package scoring/stream score a lead with the event
// aggregates it keeps itself, through the very evaluation Scorer.Score runs,
// without that entry point crowding the public API of scoring: scoring
// registers it here when it is initialised.
package scorehook

import (
	"context"
	"time"
)

// ScoreCounted scores a lead (a scoring.Lead: its id, fields, the events
// event rules see, and dispositions, whose recycles reset no event here)
// as of asOf with a *scoring.Scorer, taking the values of the model's event
// aggregates from counts and lasts (by slot, see
// rules.Model.EventAggregates) instead of counting events. It returns a
// *scoring.Result. Package scoring sets it.
var ScoreCounted func(scorer any, ctx context.Context, lead any, asOf time.Time, counts []int, lasts []time.Time) (any, error)
