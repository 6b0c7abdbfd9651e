package scoring

import (
	"context"
	"time"

	"github.com/leadscore/leadscore/internal/scorehook"
	"github.com/leadscore/leadscore/rules"
)

func init() {
	scorehook.ScoreCounted = func(scorer any, ctx context.Context, id string, fields any, events []rules.Event, asOf time.Time, counts []int, lasts []time.Time) (any, error) {
		s := scorer.(*Scorer)
		return s.score(ctx, Lead{ID: id, Fields: fields, Events: events}, asOf, &counted{counts: counts, lasts: lasts})
	}
}
