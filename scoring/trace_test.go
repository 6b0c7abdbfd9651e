package scoring_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// traceAgrees checks that ranking lead from its trace under each set of
// points gives what FirstSalesReady and ScoreVariants give from the lead:
// the first sales-ready moment (and whether an event made it), the score
// at asOf, and which sets fail. It reports false when the lead was not
// kept (flagged to be read again).
func traceAgrees(t *testing.T, s *scoring.Scorer, tr *scoring.TraceRanker, lead scoring.Lead, at time.Time, points [][]float64) (kept bool, ready, failed int) {
	t.Helper()
	ctx := context.Background()
	rec, err := s.AppendTrace(friend.K(), ctx, []byte("prefix"), lead, at, true, true)
	require.NoError(t, err)
	require.Equal(t, "prefix", string(rec[:6]), "the trace is appended")
	history, atAsOf, again, err := scoring.TraceParts(rec[6:])
	require.NoError(t, err)
	// The history kept by the timeline's own replay is the same, byte for
	// byte, when it could be kept there.
	if _, _, _, h, ok := s.TimelineScoreTrace(friend.K(), ctx, lead, at, true, nil); ok {
		require.False(t, again, "lead %s", lead.ID)
		of, err := s.AppendTraceOf(friend.K(), ctx, nil, lead, at, h, true)
		require.NoError(t, err)
		require.Equal(t, rec[6:], of, "lead %s", lead.ID)
		timelineKept++
	}
	if again {
		return false, 0, 0
	}
	first, ok, errs, err := s.FirstSalesReady(ctx, lead, at, points)
	require.NoError(t, err)
	n := len(points)
	tAt, tByEvent, tOK, tFailed := make([]time.Time, n), make([]bool, n), make([]bool, n), make([]bool, n)
	require.NoError(t, tr.FirstSalesReady(history, points, tAt, tByEvent, tOK, tFailed))
	for v := range points {
		require.Equal(t, errs[v] != nil, tFailed[v], "lead %s set %d: failed (%v)", lead.ID, v, errs[v])
		why := tr.HistoryError(history, points[v])
		if errs[v] != nil {
			// Why, from the trace, as the replay words it (a trace does
			// not keep why the conditions failed).
			if !errors.Is(why, scoring.ErrConditionsFailed) {
				require.EqualError(t, &scoring.Error{LeadID: lead.ID, Err: why}, errs[v].Error(), "lead %s set %d: why it fails", lead.ID, v)
			}
			failed++
			continue
		}
		require.NoError(t, why, "lead %s set %d", lead.ID, v)
		require.Equal(t, ok[v], tOK[v], "lead %s set %d: sales-ready", lead.ID, v)
		if ok[v] {
			ready++
			require.True(t, first[v].At.Equal(tAt[v]), "lead %s set %d: %v, traced %v", lead.ID, v, first[v].At, tAt[v])
			require.Equal(t, first[v].Event != nil, tByEvent[v], "lead %s set %d", lead.ID, v)
		}
	}
	out, tf := make([]scoring.Variant, n), make([]bool, n)
	require.NoError(t, tr.Variants(atAsOf, points, out, tf))
	for v := range points {
		want, err := s.ScoreVariants(ctx, lead, at, points[v:v+1])
		require.Equal(t, err != nil, tf[v], "lead %s set %d at asOf: failed (%v)", lead.ID, v, err)
		if why := tr.PointError(atAsOf, points[v]); err == nil {
			require.NoError(t, why, "lead %s set %d at asOf", lead.ID, v)
		} else if !errors.Is(why, scoring.ErrConditionsFailed) {
			require.EqualError(t, &scoring.Error{LeadID: lead.ID, Err: why}, err.Error(), "lead %s set %d at asOf: why it fails", lead.ID, v)
		}
		if err == nil {
			require.Equal(t, want[0], out[v], "lead %s set %d at asOf", lead.ID, v)
		}
	}
	return true, ready, failed
}

// traceModel compiles a rule file's text, with a scorer and a ranker.
func traceModel(t *testing.T, src string, opts ...rules.Option) (*scoring.Scorer, *scoring.TraceRanker) {
	t.Helper()
	m, err := rules.CompileBytes("m.yaml", []byte(src), opts...)
	require.NoError(t, err)
	s := scoring.New(m)
	tr, err := s.NewTraceRanker(friend.K())
	require.NoError(t, err)
	return s, tr
}

// timelineKept counts the leads whose history TimelineScoreTrace kept.
var timelineKept int

// randomPoints is the model's own points, then sets drawn at random
// (negative ones included), then one set far beyond any category's max.
func randomPoints(m *rules.Model, rng *rand.Rand, sets int) [][]float64 {
	var points [][]float64
	for v := 0; v < sets; v++ {
		p := make([]float64, len(m.Rules))
		for i, r := range m.Rules {
			p[i] = r.Points
			switch {
			case v == sets-1:
				p[i] = 1e6
			case v > 0:
				p[i] = float64(rng.IntN(81)-20) + float64(rng.IntN(4))/4
			}
		}
		points = append(points, p)
	}
	return points
}

// Ranked from its trace, every bundled lead (every fifth with a recycle,
// its reset and hold-down) gives under 12 sets of points what the lead
// itself gives: the trace keeps the conditions, the budget and the define
// the sales-ready stage reads (recent_demo).
func TestTraceRanksAsTheLead(t *testing.T) {
	timelineKept = 0
	s := bundledScorer(t)
	tr, err := s.NewTraceRanker(friend.K())
	require.NoError(t, err)
	points := randomPoints(s.Model(), rand.New(rand.NewPCG(7, 28)), 12)
	f, err := os.Open(filepath.Join("..", "testdata", "leads.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	n, ready := 0, 0
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: f, InputName: "leads.ndjson"}, func(line int, lead scoring.Lead, err error) error {
		require.NoError(t, err)
		if line%5 == 0 && len(lead.Events) > 0 {
			lead.Dispositions = []scoring.Disposition{{At: lead.Events[len(lead.Events)/2].At, Status: scoring.Recycled, Reason: "bad_timing"}}
		}
		kept, r, _ := traceAgrees(t, s, tr, lead, asOf, points)
		require.True(t, kept, "lead %s", lead.ID)
		n++
		ready += r
		return nil
	}))
	assert.Equal(t, 1000, n)
	assert.Greater(t, ready, 1000, "the sets make leads sales-ready")
	assert.Greater(t, timelineKept, 500, "the timeline's replay kept the history of most leads")
}

// The trace keeps what makes a set of points fail: a total that divides
// by zero at some points, a budget the conditions leave nearly spent, a
// decayed rule's points that overflow; and the ladder's reads of a text
// field, a whole-number define and a number define. A ladder that reads
// the lead's events or presence is not kept: such a lead is read again.
func TestTraceKeepsFailuresAndTheLadder(t *testing.T) {
	const schema = `leadscore: 1
model: m
fields:
  fit_points: {type: float}
  tier: {type: string}
  a: {type: bool}
event_types: [ping, visit]
define:
  pings: events("ping", "30d")
  half: fit_points / 2
scores:
  fit: {}
  engagement: {}
`
	models := map[string]string{
		"division": schema + `total: fit + engagement + 100 / (engagement - 20)
rules:
  - {id: fit.base, score: fit, points: 10, when: fit_points >= 0}
  - {id: engagement.ping, score: engagement, points: 10, event: ping, limit: 4, decay: {half_life: 3d}}
  - {id: engagement.visit, score: engagement, points: 5, event: visit}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10 && (tier == "gold" || pings >= 2 || half > 3)}
`,
		"budget": schema + `total: "fit + engagement + (a && count(1..3000, {# + fit > 0}) + count(1..3000, {# + engagement > 1}) < 0 ? 1 : 0)"
rules:
  - {id: fit.a, score: fit, when: a, points: 20}
  - {id: engagement.visit, score: engagement, event: visit, points: 10, within: 20d}
  - {id: engagement.ping, score: engagement, event: ping, points: 3, decay: {half_life: 5d}}
stages:
  - {id: mql, when: engagement >= 10}
  - {id: sql, sales_ready: true, when: fit + engagement >= 25 && tier != "tin"}
`,
		"frame": schema + `rules:
  - {id: fit.a, score: fit, when: a, points: 20}
  - {id: engagement.visit, score: engagement, event: visit, points: 10}
stages:
  - {id: sql, sales_ready: true, when: fit >= 20 && events("visit") >= 2}
`,
	}
	at := func(d int) time.Time {
		return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(d) * 7 * time.Hour)
	}
	asOf := at(200)
	for name, src := range models {
		t.Run(name, func(t *testing.T) {
			opts := []rules.Option{}
			if name == "budget" {
				opts = append(opts, rules.WithLimits(rules.Limits{MaxSteps: 12000}))
			}
			s, tr := traceModel(t, src, opts...)
			m := s.Model()
			rng := rand.New(rand.NewPCG(3, uint64(len(name))))
			points := randomPoints(m, rng, 10)
			points = append(points, []float64{10, 10, 10}[:len(m.Rules)], []float64{10, 5, 5}[:len(m.Rules)])
			kept, ready, failed := 0, 0, 0
			for i := 0; i < 300; i++ {
				lead := scoring.Lead{ID: fmt.Sprintf("L%03d", i), Fields: map[string]any{
					"fit_points": float64(rng.IntN(20) - 2), "tier": []string{"gold", "tin", "iron"}[rng.IntN(3)], "a": rng.IntN(3) > 0}}
				for e := rng.IntN(12); e > 0; e-- {
					lead.Events = append(lead.Events, scoring.Event{Type: []string{"ping", "visit"}[rng.IntN(2)], At: at(rng.IntN(220))})
				}
				if i%7 == 0 && len(lead.Events) > 0 {
					lead.Dispositions = []scoring.Disposition{{At: lead.Events[0].At, Status: scoring.Recycled, Reason: "bad_timing"}}
				}
				k, r, f := traceAgrees(t, s, tr, lead, asOf, points)
				if k {
					kept++
				}
				ready, failed = ready+r, failed+f
			}
			if name == "frame" {
				assert.Zero(t, kept, "a ladder that reads events() is not kept")
				return
			}
			assert.Equal(t, 300, kept)
			assert.Greater(t, ready, 100)
			assert.Greater(t, failed, 10, "some sets fail some leads")
		})
	}
}

// Points whose conditions are those of the point before are ranked as it
// was only while the budget left covers what ranking took: a lead whose
// every visit costs its conditions steps (a condition that reads a
// define) but changes nothing is sales-ready from its first point, and,
// under a budget that the visits eat into, fails at a later point, as
// FirstSalesReady says.
func TestTraceSamePointsWithLessBudget(t *testing.T) {
	src := `leadscore: 1
model: m
fields: {a: bool}
event_types: [ping, visit]
define:
  pings: events("ping", "30d")
scores:
  fit: {}
  engagement: {}
total: "fit + engagement + (a && count(1..400, {# + fit > 0}) < 0 ? 1 : 0)"
rules:
  - {id: fit.a, score: fit, when: a, points: 20}
  - {id: engagement.visit, score: engagement, event: visit, points: 10, when: pings > 1000}
stages:
  - {id: sql, sales_ready: true, when: fit >= 20}
`
	at := func(d int) time.Time {
		return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(d) * time.Hour)
	}
	lead := scoring.Lead{ID: "z", Fields: map[string]any{"a": true}}
	for i := 1; i <= 60; i++ {
		lead.Events = append(lead.Events, scoring.Event{Type: "visit", At: at(i)})
	}
	failedLater := 0
	for steps := int64(400); steps <= 4000; steps += 40 {
		s, tr := traceModel(t, src, rules.WithLimits(rules.Limits{MaxSteps: steps}))
		points := [][]float64{{20, 10}, {30, 10}}
		kept, _, _ := traceAgrees(t, s, tr, lead, at(100), points)
		require.True(t, kept)
		first, ok, errs, err := s.FirstSalesReady(context.Background(), lead, at(100), points)
		require.NoError(t, err)
		if ok[0] && errs[0] != nil && first[0].Event == nil {
			failedLater++
		}
	}
	assert.Greater(t, failedLater, 3, "budgets under which the lead is sales-ready at first, then fails")
}

// A rule that decays without a limit keeps every event's age at every
// point, which grows as the square of the events: past maxTrace the lead
// is flagged to be read again, and the timeline's own replay still
// scores it.
func TestTraceTooLargeIsReadAgain(t *testing.T) {
	src := `leadscore: 1
model: m
fields: {a: bool}
event_types: [visit]
scores:
  fit: {}
  engagement: {}
rules:
  - {id: fit.a, score: fit, when: a, points: 20}
  - {id: engagement.visit, score: engagement, event: visit, points: 1, decay: {half_life: 30d}}
stages:
  - {id: sql, sales_ready: true, when: fit + engagement >= 40}
`
	s, _ := traceModel(t, src)
	at := func(i int) time.Time {
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	}
	lead := scoring.Lead{ID: "big", Fields: map[string]any{"a": true}}
	for i := 0; i < 3000; i++ {
		lead.Events = append(lead.Events, scoring.Event{Type: "visit", At: at(i)})
	}
	ctx := context.Background()
	rec, err := s.AppendTrace(friend.K(), ctx, nil, lead, at(5000), true, true)
	require.NoError(t, err)
	_, _, again, err := scoring.TraceParts(rec)
	require.NoError(t, err)
	assert.True(t, again)
	assert.Len(t, rec, 1, "nothing kept but the flag")
	tl, res, ok, h, kept := s.TimelineScoreTrace(friend.K(), ctx, lead, at(5000), true, nil)
	assert.False(t, kept)
	assert.Empty(t, h)
	require.True(t, ok, "the timeline and score do not depend on the trace")
	want, err := s.ScoreContext(ctx, lead, at(5000))
	require.NoError(t, err)
	assert.Equal(t, want.Total, res.Total)
	assert.Len(t, tl.Points, 3001)
	// A tenth of the events is kept.
	lead.Events = lead.Events[:300]
	rec, err = s.AppendTrace(friend.K(), ctx, nil, lead, at(5000), true, true)
	require.NoError(t, err)
	_, _, again, err = scoring.TraceParts(rec)
	require.NoError(t, err)
	assert.False(t, again)
}

// BenchmarkSuggestPass is a pass of backtest --suggest over the bench
// leads: each lead's first sales-ready moment under 17 sets of points,
// replayed from the lead (FirstSalesReady, the baseline: what a lead read
// again costs) against ranked from its trace (TraceRanker); one op is one
// lead. The trace's own cost, kept once as the backtest measures the
// lead, is "keep".
func BenchmarkSuggestPass(b *testing.B) {
	s := bundledScorer(b)
	leads := benchLeads(b)
	points := randomPoints(s.Model(), rand.New(rand.NewPCG(17, 28)), 17)
	ctx := context.Background()
	var traces [][]byte
	for _, l := range leads {
		rec, err := s.AppendTrace(friend.K(), ctx, nil, l, asOf, true, true)
		require.NoError(b, err)
		h, _, again, err := scoring.TraceParts(rec)
		require.NoError(b, err)
		require.False(b, again)
		traces = append(traces, h)
	}
	b.Run("replay", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, _, _, err := s.FirstSalesReady(ctx, leads[i%len(leads)], asOf, points)
			require.NoError(b, err)
		}
	})
	b.Run("trace", func(b *testing.B) {
		tr, err := s.NewTraceRanker(friend.K())
		require.NoError(b, err)
		n := len(points)
		at, flags := make([]time.Time, n), make([]bool, 3*n)
		for i := 0; b.Loop(); i++ {
			require.NoError(b, tr.FirstSalesReady(traces[i%len(traces)], points, at, flags[:n], flags[n:2*n], flags[2*n:]))
		}
	})
	b.Run("keep", func(b *testing.B) {
		var buf []byte
		for i := 0; b.Loop(); i++ {
			var err error
			buf, err = s.AppendTrace(friend.K(), ctx, buf[:0], leads[i%len(leads)], asOf, true, true)
			require.NoError(b, err)
		}
	})
}

// A rule without a limit or decay keeps only how many events it counts:
// a count larger than the bytes left of the trace is no damage, and the
// lead ranks as it replays.
func TestTraceManyEventsOfARule(t *testing.T) {
	src := `leadscore: 1
model: m
fields: {a: bool}
event_types: [visit]
scores:
  fit: {}
  engagement: {}
rules:
  - {id: engagement.visit, score: engagement, event: visit, points: 1}
  - {id: fit.a, score: fit, when: a, points: 20}
stages:
  - {id: sql, sales_ready: true, when: fit + engagement >= 150}
`
	s, tr := traceModel(t, src)
	at := func(i int) time.Time {
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	}
	lead := scoring.Lead{ID: "many", Fields: map[string]any{"a": true}}
	for i := 0; i < 400; i++ {
		lead.Events = append(lead.Events, scoring.Event{Type: "visit", At: at(i)})
	}
	kept, ready, failed := traceAgrees(t, s, tr, lead, at(500), [][]float64{{1, 20}, {0.5, 20}, {3, 0}})
	assert.True(t, kept)
	assert.Equal(t, 3, ready, "sales-ready at the 130th, 260th and 50th visit")
	assert.Zero(t, failed)
}

// randomModel writes a model with interleaved lead and event rules over
// several categories, clamps, gates, a recycle policy, and a ladder that
// reads defines and fields of every kind.
func randomModel(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("leadscore: 1\nmodel: m\nfields:\n  a: bool\n  n: int\n  x: float\n  s: string\n  t: string\nevent_types: [ping, visit, demo]\ndefine:\n  d1: n * 2\n  d2: s + t\n  d3: x / 4\n  dp: events(\"ping\", \"30d\")\n  db: a && n > 2\n")
	ncat := 1 + rng.IntN(7)
	b.WriteString("scores:\n")
	for c := 0; c < ncat; c++ {
		fmt.Fprintf(&b, "  c%d: {", c)
		var parts []string
		if rng.IntN(2) == 0 {
			parts = append(parts, fmt.Sprintf("min: %d", rng.IntN(20)-10))
		}
		if rng.IntN(2) == 0 {
			parts = append(parts, fmt.Sprintf("max: %d", 10+rng.IntN(60)))
		}
		b.WriteString(strings.Join(parts, ", "))
		b.WriteString("}\n")
	}
	cats := func() string {
		var s []string
		for c := 0; c < ncat; c++ {
			s = append(s, fmt.Sprintf("c%d", c))
		}
		return strings.Join(s, " + ")
	}
	switch rng.IntN(5) {
	case 0:
		fmt.Fprintf(&b, "total: \"%s + 100 / (c0 - %d)\"\n", cats(), rng.IntN(20))
	case 1:
		fmt.Fprintf(&b, "total: \"%s + (d1 > 4 ? 3 : 0) + (d2 == \\\"ab\\\" ? 7 : 0) + d3\"\n", cats())
	case 2:
		fmt.Fprintf(&b, "total: \"c0 * 1e300 * 1e10 + %s\"\n", cats())
	case 3:
		fmt.Fprintf(&b, "total: \"%s + (a && count(1..%d, {# + c0 > 0}) < 0 ? 1 : 0)\"\n", cats(), 50+rng.IntN(400))
	}
	b.WriteString("rules:\n")
	nr := 2 + rng.IntN(14)
	conds := []string{"a", "n > 2", "x > 1.5", "s == \"a\"", "d2 != \"\"", "db", "dp > 1", "n % 3 == 0", "t startsWith \"b\""}
	events := []string{"ping", "visit", "demo"}
	hasEvent := false
	evCat := ""
	for i := 0; i < nr; i++ {
		c := rng.IntN(ncat)
		pts := []string{"1", "-3", "2.5", "10", "0.1", "1e308", "-1e308", "7"}[rng.IntN(8)]
		if rng.IntN(2) == 0 {
			fmt.Fprintf(&b, "  - {id: c%d.r%d, score: c%d, points: %s, when: '%s'}\n", c, i, c, pts, conds[rng.IntN(len(conds))])
			continue
		}
		hasEvent = true
		evCat = fmt.Sprintf("c%d", c)
		fmt.Fprintf(&b, "  - {id: c%d.r%d, score: c%d, points: %s, event: %s", c, i, c, pts, events[rng.IntN(3)])
		if rng.IntN(2) == 0 {
			fmt.Fprintf(&b, ", limit: %d", 1+rng.IntN(4))
		}
		if rng.IntN(2) == 0 {
			fmt.Fprintf(&b, ", decay: {half_life: %dh}", 1+rng.IntN(200))
		}
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&b, ", within: %dh", 10+rng.IntN(500))
		}
		b.WriteString("}\n")
	}
	if rng.IntN(2) == 0 {
		b.WriteString("  - {id: gate.g, disqualify: nope, when: 'n == 7'}\n")
	}
	if rng.IntN(3) == 0 {
		b.WriteString("  - {id: gate.e, disqualify: demo, event: demo, when: 'n == 1'}\n")
	}
	sc := []string{"c0 >= 5", "total > 3", "total >= 0 && s == \"\"", "d1 >= 4 || t == \"ab\"", "c0 + 0 >= x", "d2 == \"ab\" && total > 1", "db || total > 20", "d3 > 0.5 && total >= 2", "dp >= 1 && total > 0"}
	b.WriteString("stages:\n")
	fmt.Fprintf(&b, "  - {id: mql, when: '%s'}\n", sc[rng.IntN(len(sc))])
	fmt.Fprintf(&b, "  - {id: sql, sales_ready: true, when: '%s'}\n", sc[rng.IntN(len(sc))])
	if hasEvent && rng.IntN(2) == 0 {
		b.WriteString("handoff:\n  reasons:\n    - {code: bad_timing, description: later}\n  recycle:\n    resets: [" + evCat + "]\n    hold: 40h\n")
	}
	return b.String()
}

// Ranked from their traces, leads of random models give what the leads
// give: models of 1 to 7 categories with clamps, lead and event rules
// interleaved, limits, decay and windows, points up to 1e308, gates, a
// recycle with a hold-down, totals that divide by zero, overflow or spend
// steps, small step budgets, and ladders reading defines and fields of
// every kind; one ranker a model, so the ladder's kept outcomes cross
// leads with other budgets left.
func TestTraceRandomModels(t *testing.T) {
	models, leads := 60, 40
	if testing.Short() {
		models, leads = 30, 30
	}
	at := func(h int) time.Time {
		return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
	}
	compiled, nKept, nReady, nFailed := 0, 0, 0, 0
	for seed := 0; seed < models; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 99))
		src := randomModel(rng)
		var opts []rules.Option
		if rng.IntN(3) == 0 {
			opts = append(opts, rules.WithLimits(rules.Limits{MaxSteps: int64(200 + rng.IntN(3000))}))
		}
		m, err := rules.CompileBytes("m.yaml", []byte(src), opts...)
		if err != nil {
			if i := strings.Index(src, "handoff:"); i >= 0 { // without the recycle
				src = src[:i]
				m, err = rules.CompileBytes("m.yaml", []byte(src), opts...)
			}
			if err != nil {
				continue
			}
		}
		compiled++
		s := scoring.New(m)
		tr, err := s.NewTraceRanker(friend.K())
		require.NoError(t, err)
		var points [][]float64
		for v := 0; v < 17; v++ {
			p := make([]float64, len(m.Rules))
			for i, r := range m.Rules {
				p[i] = r.Points
				if v > 0 {
					p[i] = []float64{r.Points, float64(rng.IntN(41) - 10), 0.3, -2.25, 1e308, 1e200, 3}[rng.IntN(7)]
				}
			}
			points = append(points, p)
		}
		strs := []string{"", "a", "ab", "b", "\x00", "a\x00", "bb"}
		for i := 0; i < leads; i++ {
			lead := scoring.Lead{ID: fmt.Sprintf("L%03d", i), Fields: map[string]any{
				"a": rng.IntN(2) == 0, "n": float64(rng.IntN(9)), "x": []float64{0, 0.5, 1, 1.5, 2, 3.5, math.Copysign(0, -1), 7}[rng.IntN(8)],
				"s": strs[rng.IntN(len(strs))], "t": strs[rng.IntN(len(strs))]}}
			for e := rng.IntN(30); e > 0; e-- {
				lead.Events = append(lead.Events, scoring.Event{Type: []string{"ping", "visit", "demo"}[rng.IntN(3)], At: at(rng.IntN(300) / (1 + rng.IntN(3)) * (1 + rng.IntN(2)))})
			}
			if i%5 == 0 && len(lead.Events) > 0 && m.Handoff != nil {
				lead.Dispositions = []scoring.Disposition{{At: lead.Events[rng.IntN(len(lead.Events))].At, Status: scoring.Recycled, Reason: "bad_timing"}}
				if rng.IntN(2) == 0 {
					lead.Dispositions = append(lead.Dispositions, scoring.Disposition{At: at(rng.IntN(300)), Status: scoring.Rejected, Reason: "bad_timing"})
				}
			}
			k, r, f := traceAgrees(t, s, tr, lead, at(310), points)
			if k {
				nKept++
			}
			nReady, nFailed = nReady+r, nFailed+f
		}
	}
	t.Logf("%d models compiled; %d leads kept; %d sales-ready and %d failed (lead, set) pairs", compiled, nKept, nReady, nFailed)
	require.Greater(t, compiled, models/2, "most random models compile")
	assert.Greater(t, nKept, compiled*leads/3, "most leads are kept (a ladder reading events() is not)")
	assert.Greater(t, nReady, compiled*leads, "sets make leads sales-ready")
	assert.Greater(t, nFailed, compiled*leads/4, "sets fail leads")
}
