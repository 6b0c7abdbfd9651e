package scoring

import (
	"context"
	"sort"
	"time"

	"github.com/leadscore/leadscore/rules"
)

// Timeline is a lead's score replayed event by event: what each event did
// to the score, and when the lead first reached each stage.
type Timeline struct {
	LeadID string `json:"id,omitempty"`
	// Points has a point for the lead before its first event, then one per
	// event at or before the as-of time, in time order.
	Points []TimelinePoint `json:"points"`
	// Reached lists the stages the lead reached, each at the first point
	// where the lead stood on it or higher, bottom of the ladder first.
	Reached []Reached `json:"reached"`
}

// TimelinePoint is the score as of one event, counting it and those before.
type TimelinePoint struct {
	At time.Time `json:"at"`
	// Event is the event of this point; nil for the point before the first.
	Event      *Event  `json:"event,omitempty"`
	Total      float64 `json:"total"`
	Delta      float64 `json:"delta"` // the change of the total from the point before
	Stage      string  `json:"stage,omitempty"`
	SalesReady bool    `json:"sales_ready"`
	Fired      []Fired `json:"-"`
}

// Reached is the moment a lead first reached a stage, and the event that
// pushed it there (nil when its fit alone put it there, before any event).
type Reached struct {
	Stage string    `json:"stage"`
	At    time.Time `json:"at"`
	Event *Event    `json:"event,omitempty"`
}

// Timeline replays a lead's events in time order up to the as-of time. The
// score is taken just after each event; between events a score can still
// fall as decay ages the events, which the points do not show.
//
// Each point is the score of the lead with the events up to it, but the
// replay does not score every point from scratch: it keeps the event
// aggregates (events(), daysSinceLast()) up to date event by event, and
// keeps only the events that can still change a later point (see replay),
// so a lead's timeline takes time linear in its events for the usual
// rules. The points are the very results Score gives.
func (s *Scorer) Timeline(lead Lead, asOf time.Time) (*Timeline, error) {
	return s.TimelineContext(context.Background(), lead, asOf)
}

// TimelineContext is Timeline, stopped when ctx is done: each point is a
// ScoreContext with its own budget (see rules.Limits), and the context is
// also checked between points.
func (s *Scorer) TimelineContext(ctx context.Context, lead Lead, asOf time.Time) (*Timeline, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	events := make([]Event, 0, len(lead.Events))
	for _, e := range lead.Events {
		if !e.At.After(asOf) {
			events = append(events, e)
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
	tl := &Timeline{LeadID: lead.ID}
	m := s.model
	reached := make([]bool, len(m.Stages))
	r := s.newReplay(lead)
	step := func(at time.Time, upTo int, ev *Event) error {
		if err := ctx.Err(); err != nil {
			return &Error{LeadID: lead.ID, Err: rules.Stopped(ctx)}
		}
		res, err := r.score(ctx, events[:upTo], at)
		if err != nil {
			return err
		}
		p := TimelinePoint{At: at, Event: ev, Total: res.Total, Stage: res.Stage, SalesReady: res.SalesReady, Fired: res.Fired}
		if n := len(tl.Points); n > 0 {
			p.Delta = p.Total - tl.Points[n-1].Total
		} else {
			p.Delta = p.Total
		}
		tl.Points = append(tl.Points, p)
		if st := m.Stage(res.Stage); st >= 0 {
			for i := 0; i <= st; i++ {
				if !reached[i] {
					reached[i] = true
					tl.Reached = append(tl.Reached, Reached{Stage: m.Stages[i].ID, At: at, Event: ev})
				}
			}
		}
		return nil
	}
	start := asOf
	if len(events) > 0 {
		start = events[0].At
	}
	if err := step(start, 0, nil); err != nil {
		return nil, err
	}
	for i := range events {
		ev := events[i]
		if err := step(ev.At, i+1, &ev); err != nil {
			return nil, err
		}
	}
	return tl, nil
}

// SalesReadyAt returns when the lead first became sales-ready and the event
// that made it so, or ok=false if it never did by the as-of time.
func (tl *Timeline) SalesReadyAt(s *Scorer) (r Reached, ok bool) {
	id := s.model.Stages[s.model.SalesReady].ID
	for _, x := range tl.Reached {
		if x.Stage == id {
			return x, true
		}
	}
	return Reached{}, false
}
