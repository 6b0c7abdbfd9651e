package scoring

import (
	"context"
	"time"

	"github.com/leadscore/leadscore/internal/friend"
)

// ScoreCounted is for package scoring/stream (the key closes it to other
// callers; see internal/friend): Score with the values of the model's
// event aggregates taken from counts and lasts (by slot, see
// rules.Model.EventAggregates) instead of counted from the lead's events,
// which are the events event rules see. The lead's recycles reset no event
// here: the stream's state has done so.
func (s *Scorer) ScoreCounted(k friend.Key, ctx context.Context, lead Lead, asOf time.Time, counts []int, lasts []time.Time) (*Result, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	return s.score(ctx, lead, asOf, &counted{counts: counts, lasts: lasts})
}

// PersonCounted is for package scoring/stream (the key closes it to other
// callers; see internal/friend): Person for a lead whose event aggregates'
// values are taken from counts and lasts (as ScoreCounted takes them),
// whose events are those its event rules see, and whose latest event of
// any type is lastActive (the zero time for none; it must not be after
// asOf): the person Person gives for the lead with all its events.
func (s *AccountScorer) PersonCounted(k friend.Key, ctx context.Context, lead Lead, asOf time.Time, counts []int, lasts []time.Time, lastActive time.Time) (*Person, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	p, res, err := s.scorePerson(ctx, lead, asOf, &counted{counts: counts, lasts: lasts})
	if err != nil {
		return nil, err
	}
	if !lastActive.After(asOf) {
		p.LastActive = lastActive
	}
	s.finishPerson(p, res)
	return p, nil
}
