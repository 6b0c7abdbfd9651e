package scoring

import (
	"context"
	"time"

	"github.com/leadscore/leadscore/internal/scorehook"
)

func init() {
	scorehook.ScoreCounted = func(scorer any, ctx context.Context, lead any, asOf time.Time, counts []int, lasts []time.Time) (any, error) {
		return scorer.(*Scorer).score(ctx, lead.(Lead), asOf, &counted{counts: counts, lasts: lasts})
	}
}
