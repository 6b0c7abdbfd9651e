package scoring_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// withPoints compiles the bundled model with each rule's points replaced.
func withPoints(t *testing.T, points map[string]float64) *scoring.Scorer {
	t.Helper()
	doc, err := dsl.Load(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	for i := range doc.Rules {
		if p, ok := points[doc.Rules[i].ID.Value]; ok && doc.Rules[i].Points != nil {
			doc.Rules[i].Points.Value = p
		}
	}
	m, err := rules.Compile(doc)
	require.NoError(t, err)
	return scoring.New(m)
}

// Each variant is what a model compiled with its points gives, bit for
// bit: the snapshot (total, stage, sales-ready) and the first sales-ready
// moment of the replayed timeline, recycles included.
func TestVariantsAreModelsWithThosePoints(t *testing.T) {
	base := bundledScorer(t)
	m := base.Model()
	rng := rand.New(rand.NewPCG(5, 28))
	var points [][]float64
	var scorers []*scoring.Scorer
	for v := 0; v < 4; v++ {
		p := make([]float64, len(m.Rules))
		byID := map[string]float64{}
		for i, r := range m.Rules {
			p[i] = r.Points
			if v > 0 {
				p[i] = float64(rng.IntN(61) - 10)
			}
			byID[r.ID] = p[i]
		}
		points = append(points, p)
		scorers = append(scorers, withPoints(t, byID))
	}
	ctx := context.Background()
	n, ready := variantsAreModels(t, base, points, scorers)
	assert.Equal(t, 1000, n)
	assert.Greater(t, ready, 100, "the variants make leads sales-ready")

	_, err := base.ScoreVariants(ctx, scoring.Lead{ID: "x"}, asOf, [][]float64{{1, 2}})
	assert.ErrorContains(t, err, "points for 2 rules")
}

// variantsAreModels checks, on every bundled lead (every fifth with a
// recycle), that ScoreVariants and FirstSalesReady under points give what
// the matching scorer gives, bit for bit; it returns the leads checked and
// how many (lead, variant) pairs reached sales-ready.
func variantsAreModels(t *testing.T, base *scoring.Scorer, points [][]float64, scorers []*scoring.Scorer) (n, ready int) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "leads.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	ctx := context.Background()
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: base, Input: f, InputName: "leads.ndjson"}, func(line int, lead scoring.Lead, err error) error {
		require.NoError(t, err)
		if line%5 == 0 && len(lead.Events) > 0 { // a recycle, with its reset and hold-down
			lead.Dispositions = []scoring.Disposition{{At: lead.Events[len(lead.Events)/2].At, Status: scoring.Recycled, Reason: "bad_timing"}}
		}
		got, err := base.ScoreVariants(ctx, lead, asOf, points)
		require.NoError(t, err)
		first, ok, errs, err := base.FirstSalesReady(ctx, lead, asOf, points)
		require.NoError(t, err)
		for v, sc := range scorers {
			want, err := sc.ScoreContext(ctx, lead, asOf)
			require.NoError(t, err)
			require.Equal(t, scoring.Variant{Total: want.Total, Stage: want.Stage, SalesReady: want.SalesReady}, got[v], "lead %s variant %d", lead.ID, v)
			tl, err := sc.TimelineContext(ctx, lead, asOf)
			require.NoError(t, err)
			require.NoError(t, errs[v])
			r, found := tl.SalesReadyAt(sc)
			require.Equal(t, found, ok[v], "lead %s variant %d", lead.ID, v)
			if found {
				ready++
				assert.Equal(t, r.At, first[v].At, "lead %s variant %d", lead.ID, v)
				assert.Equal(t, r.Event == nil, first[v].Event == nil, "lead %s variant %d", lead.ID, v)
			}
		}
		n++
		return nil
	}))
	return n, ready
}

// Sets of points that give a lead the same category scores at a point
// (sets that differ only in a rule that has not fired, duplicates, sets
// beyond a category's max), in an order that ranks other sets between
// them, each give what its own compiled model gives: what a faster
// ranking that places such sets on the ladders once must keep.
func TestVariantsSharingCategoryScores(t *testing.T) {
	base := bundledScorer(t)
	m := base.Model()
	cur := make([]float64, len(m.Rules))
	for i, r := range m.Rules {
		cur[i] = r.Points
	}
	with := func(change map[string]float64) []float64 {
		p := append([]float64(nil), cur...)
		for id, v := range change {
			p[m.Rule(id).Index] = v
		}
		return p
	}
	points := [][]float64{
		cur,
		with(map[string]float64{"fit.industry": 7, "engagement.email-click": 9}), // another set between
		with(map[string]float64{"engagement.demo-request": 41}),                  // the same as cur until a demo request
		cur, // a duplicate
		with(map[string]float64{"engagement.demo-request": 400, "engagement.trial": 300}), // beyond engagement's max of 100
		with(map[string]float64{"engagement.demo-request": 500, "engagement.trial": 600}),
		with(map[string]float64{"fit.industry": 7, "engagement.email-click": 9}), // the second again, last
	}
	var scorers []*scoring.Scorer
	for _, p := range points {
		byID := map[string]float64{}
		for i, r := range m.Rules {
			byID[r.ID] = p[i]
		}
		scorers = append(scorers, withPoints(t, byID))
	}
	n, ready := variantsAreModels(t, base, points, scorers)
	assert.Equal(t, 1000, n)
	assert.Greater(t, ready, 100)
}

// A variant that cannot score a point of the timeline fails as Timeline
// fails under its model, even after the lead became sales-ready, while
// the other variants go on to the end.
func TestFirstSalesReadyFailsAsTheTimelineWould(t *testing.T) {
	src := `leadscore: 1
model: m
fields:
  fit_points: {type: float}
event_types: [ping]
scores:
  fit: {}
  engagement: {}
total: fit + engagement + 100 / (engagement - 20)
rules:
  - {id: fit.base, score: fit, points: 10, when: fit_points >= 0}
  - {id: engagement.ping, score: engagement, points: 10, event: ping}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
`
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	s := scoring.New(m)
	at := func(d int) time.Time { return time.Date(2026, 6, d, 0, 0, 0, 0, time.UTC) }
	lead := scoring.Lead{ID: "z", Fields: map[string]any{"fit_points": 1}, Events: []scoring.Event{{Type: "ping", At: at(2)}, {Type: "ping", At: at(3)}, {Type: "ping", At: at(4)}}}
	// 10 points a ping: the second ping makes engagement 20, a division by
	// zero; 5 points a ping never reaches 20 in three pings.
	first, ok, errs, err := s.FirstSalesReady(context.Background(), lead, at(10), [][]float64{{10, 10}, {10, 5}})
	require.NoError(t, err)
	_, terr := s.Timeline(lead, at(10))
	require.Error(t, terr, "the model's own timeline fails at the second ping")
	require.Error(t, errs[0])
	assert.Equal(t, terr.Error(), errs[0].Error())
	assert.True(t, ok[0], "it was sales-ready before the failing point")
	assert.NoError(t, errs[1])
	assert.True(t, ok[1])
	assert.Equal(t, at(2), first[1].At, "sales-ready at the first ping: fit alone would have it at the start point")
}

// TimelineTotals is TimelineContext without the Fired lists: the same
// points otherwise (times, totals, deltas, stages, verdicts), the same
// stages reached, on every bundled lead, recycles included.
func TestTimelineTotalsIsTheTimeline(t *testing.T) {
	s := bundledScorer(t)
	f, err := os.Open(filepath.Join("..", "testdata", "leads.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	ctx := context.Background()
	n := 0
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: f, InputName: "leads.ndjson"}, func(line int, lead scoring.Lead, err error) error {
		require.NoError(t, err)
		if line%5 == 0 && len(lead.Events) > 0 {
			lead.Dispositions = []scoring.Disposition{{At: lead.Events[len(lead.Events)/2].At, Status: scoring.Recycled, Reason: "bad_timing"}}
		}
		want, err := s.TimelineContext(ctx, lead, asOf)
		require.NoError(t, err)
		got, err := s.TimelineTotals(ctx, lead, asOf)
		require.NoError(t, err)
		for i := range want.Points {
			want.Points[i].Fired = nil
		}
		require.Equal(t, want, got, "lead %s", lead.ID)
		n += len(got.Points)
		return nil
	}))
	assert.Greater(t, n, 2000)
}

// Each set of points ranks with the budget the lead's conditions left, as
// its own model would: a total that costs a fifth of the budget is no
// problem for one model, nor for twenty sets of points at once.
func TestVariantsEachHaveTheBudget(t *testing.T) {
	src := `leadscore: 1
model: m
fields: {a: bool, z: bool}
event_types: [visit]
scores:
  fit: {}
  engagement: {}
total: "fit + engagement + (z && count(1..10000, {# + fit > 0}) + count(1..10000, {# + fit > 1}) + count(1..10000, {# + fit > 2}) + count(1..10000, {# + fit > 3}) + count(1..10000, {# + fit > 4}) + count(1..10000, {# + fit > 5}) < 0 ? 1 : 0)"
rules:
  - {id: fit.a, score: fit, when: a, points: 20}
  - {id: engagement.visit, score: engagement, event: visit, points: 10}
stages:
  - {id: sql, sales_ready: true, when: fit + engagement >= 25}
`
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	s := scoring.New(m)
	at := func(d int) time.Time { return time.Date(2026, 6, d, 0, 0, 0, 0, time.UTC) }
	lead := scoring.Lead{ID: "z", Fields: map[string]any{"a": true, "z": true}, Events: []scoring.Event{{Type: "visit", At: at(2)}, {Type: "visit", At: at(3)}}}
	_, err = s.Timeline(lead, at(10))
	require.NoError(t, err, "one model replays it within its budget")
	points := make([][]float64, 20)
	for v := range points {
		points[v] = []float64{20, float64(v + 1)}
	}
	_, ok, errs, err := s.FirstSalesReady(context.Background(), lead, at(10), points)
	require.NoError(t, err)
	for v := range points {
		assert.NoError(t, errs[v], "set %d", v)
	}
	assert.True(t, ok[19])
	vs, err := s.ScoreVariants(context.Background(), lead, at(10), points)
	require.NoError(t, err)
	assert.Equal(t, 60.0, vs[19].Total)
}
