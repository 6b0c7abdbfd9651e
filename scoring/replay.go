package scoring

import (
	"context"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/leadscore/leadscore/rules"
)

// replay scores a lead's timeline point by point, each point with the
// events up to it, without rescoring the whole history at every point:
//
//   - the event aggregates that expressions read (events("type", "30d"),
//     daysSinceLast("type")) are counted event by event, and windows
//     expire as time moves on;
//   - an event that can no longer change a later point is dropped: one
//     that left the windows of the rules that count it, one that a rule's
//     condition refused, and one that is older than the `limit` newest
//     events a rule counted (as time only moves on, those newer events
//     stay in every window longer than it). A rule whose condition reads
//     the as-of time or a define (whose value may change from point to
//     point) keeps every event in its window.
//
// Each point is then scored by the ordinary evaluation, on the events
// kept, and gives the very result Score gives for the whole prefix
// (TestTimelineReplayIsScore checks this against scoring every prefix).
type replay struct {
	s    *Scorer
	lead Lead
	// trace, when set, keeps each point's conditions (see trace.go).
	trace *traceWriter

	aggs    []rules.EventAggregate // the Scorer's: read only
	byType  map[string][]int       // aggregate slots by event type; the Scorer's: read only
	counted counted
	queues  [][]time.Time // by slot: times of the events a windowed count holds

	fixed   map[*rules.Rule]bool // conditions that read neither the as-of time nor a define
	matcher evaluator            // the lead's fields bound, to test fixed conditions
	ready   bool                 // matcher bound

	newer map[*rules.Rule]int // prune's, kept between points
	keep  []bool

	kept  []Event
	match [][]int8    // by kept event, by rule of its type: 1 matched, 0 refused, -1 unknown
	costs []eventCost // by kept event: what a score meets it with (see dropped)
	added int         // events of the prefix taken in

	// dropped and pending are at most the steps a score of every event
	// up to a point would spend on the events prune dropped (see
	// droppedSteps): dropped holds a step per rule of each, and the steps
	// a fixed condition of a rule without a window took when take tested
	// it; pending holds the steps of the conditions of windowed rules,
	// until the longest of the event's windows lets it go. A score meets
	// an event out of a rule's window with the one step, without its
	// condition, and a condition take did not test is of a rule whose
	// window the event left (or the event would have been kept).
	dropped int64
	pending []pendingQueue // by window length

	verdicts *verdicts // the lead's dispositions, shared by the replays of one walk

	ev *evaluation // held from point to point (see point); the Scorer's pool's

	leanRes  Result // a lean point's result (see scoreAs)
	matchBuf []int8 // where take cuts each kept event's match from
}

// counted holds the values of a model's event aggregates, by slot.
type counted struct {
	counts []int
	lasts  []time.Time
}

func (s *Scorer) newReplay(lead Lead) *replay {
	if r, ok := s.replays.Get().(*replay); ok {
		r.lead = lead // the rest as release left it: empty, with its room
		return r
	}
	aggs, byType := s.replayAggregates()
	r := &replay{s: s, lead: lead, aggs: aggs, byType: byType, fixed: s.fixedConditions()}
	r.counted = counted{counts: make([]int, len(r.aggs)), lasts: make([]time.Time, len(r.aggs))}
	r.queues = make([][]time.Time, len(r.aggs))
	return r
}

// release gives the replay's matcher and evaluation back to the Scorer,
// and the replay itself, emptied, for the next replay; the replay must
// not be used after. It is not called when a panic stops the walk, so a
// replay in a broken state is dropped.
func (r *replay) release() {
	if r == nil {
		return
	}
	defer r.recycle()
	if r.matcher != nil {
		r.s.matchers.Put(r.matcher)
		r.matcher, r.ready = nil, false
	}
	if r.ev != nil {
		r.ev.fieldsKept = false
		r.s.pool.Put(r.ev)
		r.ev = nil
	}
}

// recycle empties the replay, keeping the room of its lists, and gives
// it to the Scorer's pool.
func (r *replay) recycle() {
	r.lead, r.verdicts = Lead{}, nil
	clear(r.counted.counts)
	clear(r.counted.lasts)
	for k := range r.queues {
		r.queues[k] = r.queues[k][:0]
	}
	clear(r.kept)
	clear(r.match)
	r.kept, r.match, r.costs, r.matchBuf = r.kept[:0], r.match[:0], r.costs[:0], r.matchBuf[:0]
	r.added, r.dropped = 0, 0
	for k := range r.pending {
		r.pending[k].q, r.pending[k].sum = r.pending[k].q[:0], 0
	}
	r.leanRes, r.trace = Result{}, nil
	r.s.replays.Put(r)
}

// replayAggregates lists the model's event aggregates, and their slots by
// event type; worked out once per Scorer, read by every replay.
func (s *Scorer) replayAggregates() ([]rules.EventAggregate, map[string][]int) {
	s.aggsOnce.Do(func() {
		s.aggs, s.aggsByType = s.model.EventAggregates(), map[string][]int{}
		for i, a := range s.aggs {
			s.aggsByType[a.Type] = append(s.aggsByType[a.Type], i)
		}
	})
	return s.aggs, s.aggsByType
}

// fixedConditions says, by event rule, whether its condition reads
// nothing that can change between a timeline's points; worked out once
// per Scorer, read by every replay.
func (s *Scorer) fixedConditions() map[*rules.Rule]bool {
	s.fixedOnce.Do(func() {
		m := s.model
		defines := map[string]bool{}
		for _, d := range m.Defines {
			defines[d.Name] = true
		}
		s.fixed = map[*rules.Rule]bool{}
		for _, rule := range append(append([]*rules.Rule(nil), m.Rules...), m.Gates...) {
			if rule.IsEvent() {
				s.fixed[rule] = rule.When == nil || readsOnlyLeadAndEvent(rule.When.Source, defines)
			}
		}
	})
	return s.fixed
}

// readsOnlyLeadAndEvent reports whether a condition reads nothing that can
// change between the points of a timeline: no function of the as-of time
// or of the events, and no define. When in doubt, it says no.
func readsOnlyLeadAndEvent(src string, defines map[string]bool) bool {
	tree, err := parser.Parse(src)
	if err != nil {
		return false
	}
	v := &fixedVisitor{defines: defines, ok: true}
	ast.Walk(&tree.Node, v)
	return v.ok
}

type fixedVisitor struct {
	defines map[string]bool
	ok      bool
}

func (v *fixedVisitor) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if v.defines[n.Value] || n.Value == "now" {
			v.ok = false
		}
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			switch id.Value {
			case "daysSince", "events", "daysSinceLast", "now":
				v.ok = false
			}
		}
	}
}

// score returns the score as of at with the events of prefix (in time
// order, a longer prefix of the same events than at the last call, with at
// no earlier than then).
func (r *replay) score(ctx context.Context, prefix []Event, at time.Time) (*Result, error) {
	return r.scoreAs(ctx, prefix, at, false)
}

// scoreAs is score; lean leaves the result's Fired, Categories and
// Unknown out (the total, stage, grade and errors are the same), for a
// replay that reads only the stage of each point; a lean result is the
// replay's own, good until the next point.
func (r *replay) scoreAs(ctx context.Context, prefix []Event, at time.Time, lean bool) (res *Result, err error) {
	var into *Result
	if lean {
		into = &r.leanRes
	}
	err = r.point(prefix, at, func(ev *evaluation) (err error, broken bool) {
		ev.lean = lean
		defer func() { ev.lean = false }()
		res, err, broken = r.s.scoreInto(ev, ctx, r.pointLead(), at, &r.counted, r.verdicts, into, func(lead Lead, res *Result) error {
			if r.trace == nil {
				return r.s.evaluate(ev, lead, at, res)
			}
			if err := r.s.conditions(ev, lead, at, res); err != nil {
				return err
			}
			if err := r.trace.keep(ev, res, at); err != nil {
				return err
			}
			return r.s.rank(ev, res, nil)
		})
		return err, broken
	})
	return res, err
}

// point brings the replay to the point as of at with the events of prefix
// (in time order, a longer prefix of the same events than at the last
// call, with at no earlier than then), and has score score it in the
// replay's own evaluation: taken from the Scorer's pool at the first
// point and held to the last (see release), so that the lead's fields are
// bound once (evaluation.fieldsKept). After a panic (broken) the
// evaluation is not used again.
func (r *replay) point(prefix []Event, at time.Time, score func(*evaluation) (err error, broken bool)) error {
	for ; r.added < len(prefix); r.added++ {
		r.take(&prefix[r.added])
	}
	r.expire(at)
	if r.ev == nil {
		r.ev = r.s.pool.Get().(*evaluation)
	}
	ev := r.ev
	err, broken := score(ev)
	if broken {
		r.ev = nil // it may be in a broken state: not for the pool
	}
	ev.fieldsKept = true // the first point bound the fields, or failed, which stops the walk
	if err == nil {
		r.prune(at)
	}
	return err
}

// pointLead is the lead as a point of the replay scores it: its fields,
// and the events kept.
func (r *replay) pointLead() Lead {
	return Lead{ID: r.lead.ID, Fields: r.lead.Fields, Events: r.kept}
}

// take adds an event: to the aggregates of its type, and to the events kept
// with what each of its rules' fixed conditions says of it.
func (r *replay) take(e *Event) {
	for _, k := range r.byType[e.Type] {
		switch a := r.aggs[k]; {
		case a.Last:
			if e.At.After(r.counted.lasts[k]) {
				r.counted.lasts[k] = e.At
			}
		case a.Window > 0:
			r.queues[k] = append(r.queues[k], e.At)
			r.counted.counts[k]++
		default:
			r.counted.counts[k]++
		}
	}
	rs := r.s.model.RulesForEvent(e.Type)
	if len(rs) == 0 {
		return // no rule counts it: the aggregates have it
	}
	// Each kept event's match is cut from matchBuf: when it grows, the
	// matches cut before keep the old array, which nothing writes again.
	n := len(r.matchBuf)
	for range rs {
		r.matchBuf = append(r.matchBuf, 0)
	}
	match := r.matchBuf[n:len(r.matchBuf):len(r.matchBuf)]
	var cost eventCost
	for i, rule := range rs {
		match[i] = -1
		cost.base++
		if r.fixed[rule] {
			var steps int64
			match[i], steps = r.test(rule, e)
			if rule.Within <= 0 {
				cost.base += steps
			} else {
				cost.windowed += steps
				cost.within = max(cost.within, rule.Within)
			}
		}
	}
	r.kept = append(r.kept, *e)
	r.match = append(r.match, match)
	r.costs = append(r.costs, cost)
}

// test evaluates a fixed condition on an event: 1 or 0, or -1 when it fails
// (the point's score reports the failure), and the steps it took.
func (r *replay) test(rule *rules.Rule, e *Event) (int8, int64) {
	if rule.When == nil {
		return 1, 0
	}
	if !r.ready {
		if r.matcher == nil {
			if m, ok := r.s.matchers.Get().(evaluator); ok {
				r.matcher = m
			} else {
				r.matcher = r.s.newEvaluation().env
			}
		}
		if begin(r.matcher, Lead{Fields: r.lead.Fields}, e.At, nil) != nil {
			return -1, 0
		}
		r.ready = true
	}
	if r.matcher.SetEvent(e) != nil {
		return -1, 0
	}
	r.matcher.ResetBudget() // each test has the budget of a whole score
	ok, err := r.matcher.Bool(rule.When)
	steps := r.s.model.Limits().MaxSteps - r.matcher.BudgetLeft()
	switch {
	case err != nil:
		return -1, steps
	case ok:
		return 1, steps
	}
	return 0, steps
}

// expire drops from the windowed counts the events that left their window
// by the time at.
func (r *replay) expire(at time.Time) {
	for k, q := range r.queues {
		w := r.aggs[k].Window
		n := 0
		for n < len(q) && at.Sub(q[n]) >= w {
			n++
		}
		if n > 0 {
			r.queues[k] = q[n:]
			r.counted.counts[k] -= n
		}
	}
}

// prune drops the kept events that can change no point from at on.
func (r *replay) prune(at time.Time) {
	if r.newer == nil {
		r.newer = map[*rules.Rule]int{}
	}
	// Steps of windows the events have left by at: a score from at on
	// meets those events with the one step dropped holds.
	for k := range r.pending {
		pq := &r.pending[k]
		n := 0
		for n < len(pq.q) && !at.Before(pq.q[n].until) {
			pq.sum -= pq.q[n].steps
			n++
		}
		pq.q = pq.q[n:]
	}
	newer := r.newer // matches kept, newer than the event at hand
	clear(newer)
	keep := append(r.keep[:0], make([]bool, len(r.kept))...)
	r.keep = keep
	for i := len(r.kept) - 1; i >= 0; i-- {
		e := &r.kept[i]
		for j, rule := range r.s.model.RulesForEvent(e.Type) {
			if rule.Within > 0 && at.Sub(e.At) >= rule.Within {
				continue // out of the window for good
			}
			m := r.match[i][j]
			if m == 0 {
				continue // refused, for good
			}
			if m == 1 {
				limit := rule.Limit
				if rule.IsGate() {
					limit = 1 // one match disqualifies
				}
				if limit > 0 && newer[rule] >= limit {
					continue // newer matches outrank it
				}
				newer[rule]++
			}
			keep[i] = true
		}
	}
	n := 0
	for i := range r.kept {
		if keep[i] {
			r.kept[n], r.match[n], r.costs[n] = r.kept[i], r.match[i], r.costs[i]
			n++
		} else {
			c := r.costs[i]
			r.dropped += c.base
			if until := r.kept[i].At.Add(c.within); c.windowed > 0 && at.Before(until) {
				r.hold(c.within, until, c.windowed)
			}
		}
	}
	clear(r.kept[n:])
	r.kept, r.match, r.costs = r.kept[:n], r.match[:n], r.costs[:n]
}

// eventCost is at most what a score meets a kept event with: base, a
// step per rule of its type and the steps of the fixed conditions of
// those without a window; windowed, the steps of the fixed conditions of
// those with one, which a score spends only while the longest of their
// windows, within, holds the event.
type eventCost struct {
	base, windowed int64
	within         time.Duration
}

// pendingQueue holds the steps of dropped events' conditions of rules
// of one window length, in order of when the window lets each go, and
// their sum.
type pendingQueue struct {
	within time.Duration
	q      []pendingSteps
	sum    int64
}

// pendingSteps are steps of dropped events' windowed conditions, which a
// score as of a time before until still spends.
type pendingSteps struct {
	until time.Time
	steps int64
}

// hold adds steps that a score spends as of a time before until, of a
// rule whose window is within long. An event dropped after a later one
// is held as long as that one: more steps counted for a while, never
// fewer, and each queue stays in order, so that prune lets go of its
// front.
func (r *replay) hold(within time.Duration, until time.Time, steps int64) {
	k := 0
	for k < len(r.pending) && r.pending[k].within != within {
		k++
	}
	if k == len(r.pending) {
		r.pending = append(r.pending, pendingQueue{within: within})
	}
	pq := &r.pending[k]
	pq.sum += steps
	if n := len(pq.q); n > 0 && !pq.q[n-1].until.Before(until) {
		pq.q[n-1].steps += steps
		return
	}
	pq.q = append(pq.q, pendingSteps{until, steps})
}

// droppedSteps is at most the steps a score as of at (no earlier than
// the replay's last point) spends on the events prune dropped.
func (r *replay) droppedSteps(at time.Time) int64 {
	n := r.dropped
	for _, pq := range r.pending {
		n += pq.sum
		for _, ps := range pq.q {
			if at.Before(ps.until) {
				break
			}
			n -= ps.steps
		}
	}
	return n
}
