package stream_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// randomModel writes a random model: windows, decay, limits, events()
// counts, daysSince and daysSinceLast, a gate on an event, with random
// points, windows, half-lives and thresholds. With way "falling" every
// part of the engagement falls as time passes (positive event points, a
// penalty that switches on), with "rising" every part rises (penalties
// that expire, a bonus that switches on, a disqualifying event that leaves
// its window), and with "mixed" the two meet, so the stage can go down
// and up again.
func randomModel(t *testing.T, r *rand.Rand, way string) string {
	t.Helper()
	days := func(lo, hi int) int { return lo + r.IntN(hi-lo+1) }
	sign, bonus := 1, -1 // event points, and the points of the conditions that switch on
	demo, gateWithin := "recent_demo", ""
	switch way {
	case "rising":
		sign, bonus = -1, 1
		demo, gateWithin = "!recent_demo", fmt.Sprintf("\n    within: %dd", days(5, 60))
	case "mixed":
		bonus = 1 // a bonus switching on while event points fall
	}
	src := fmt.Sprintf(`leadscore: 1
model: random-%s
fields:
  employees: int
  created_at: time
  country: string
events:
  url: string
  reason: string
event_types: [page_view, email_click, demo, content, complaint, unsubscribe]
define:
  quiet: events("email_click", "%dd") + events("page_view", "%dd") == 0
  recent_demo: events("demo", "%dd") > 0
scores:
  fit: {}
  engagement: {min: %d, max: 100}
rules:
  - id: fit.size
    score: fit
    when: employees >= 50
    points: 30
  - id: e.pricing
    score: engagement
    event: page_view
    when: event.url contains "/pricing"
    points: %d
    limit: %d
    decay: {half_life: %dd}
  - id: e.click
    score: engagement
    event: email_click
    points: %d
    limit: 5
    within: %dd
  - id: e.content
    score: engagement
    event: content
    points: %d
    within: %dd
    decay: {half_life: %dd}
  - id: l.quiet
    score: engagement
    when: quiet && has(created_at) && daysSince(created_at) > %d
    points: %d
  - id: l.stale
    score: engagement
    when: daysSinceLast("demo") > %d
    points: %d
  - id: gate.complaint
    disqualify: Complained
    event: complaint
    when: event.reason == "spam"%s
  - id: gate.competitor
    disqualify: Competitor
    when: country == "XX"
grades:
  - {grade: A, when: fit >= 30 && engagement >= %d}
  - {grade: B, when: engagement - %d >= 0}
  - {grade: C}
stages:
  - id: warm
    when: engagement >= %d
  - id: hot
    when: total >= %d
  - id: sql
    sales_ready: true
    when: fit >= 30 && (engagement >= %d || %s)
`, way,
		days(5, 60), days(5, 60), days(5, 45),
		[]int{0, -30}[r.IntN(2)],
		sign*days(3, 20), days(1, 4), days(2, 30),
		sign*days(1, 8), days(5, 60),
		sign*days(2, 15), days(10, 90), days(2, 30),
		days(10, 90), bonus*days(5, 20),
		days(5, 40), bonus*days(3, 15),
		gateWithin,
		days(10, 40), days(3, 20),
		days(3, 20), days(20, 60), days(20, 60), demo)
	path := filepath.Join(t.TempDir(), "random.yaml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	return path
}

// TestNextChangeSearchIsScan is the differential test of NextChange's
// search: on random models whose stage and grade move one way only, and
// random leads, it gives what the scan of every probe time gives (the
// time, or that nothing changes, or the error). It checks too, for one
// as-of time a lead, on a three-hourly grid of a year and around every
// window expiry, that the result once changed never comes back, which the
// search relies on, and that a model whose parts move both ways is not
// searched.
func TestNextChangeSearchIsScan(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 6))
	compared, changes := 0, 0
	n := 24
	if testing.Short() {
		n = 6
	}
	for i := range n {
		way := []string{"falling", "rising", "mixed"}[i%3]
		s := load(t, randomModel(t, r, way))
		sc := stream.New(s)
		m := s.Model()
		require.Equal(t, way != "mixed", sc.Monotone(), "model %d (%s)", i, way)
		for seed := uint64(1); seed <= 12; seed++ {
			g := newGen(uint64(i)*100+seed, m)
			span := time.Duration(10+g.r.IntN(150)) * 24 * time.Hour
			evs := g.events(5+g.r.IntN(40), span)
			st := sc.NewState("l")
			fields := g.lead()
			for _, e := range evs {
				require.NoError(t, st.Add(e))
			}
			for k := range 3 {
				asOf := g.after(st.Latest())
				want, wok, werr := st.NextChangeScan(context.Background(), fields, nil, asOf)
				got, ok, err := st.NextChangeWithDispositions(context.Background(), fields, nil, asOf)
				require.Equal(t, werr, err, "model %d (%s), seed %d, as of %s", i, way, seed, asOf)
				require.Equal(t, wok, ok, "model %d (%s), seed %d, as of %s", i, way, seed, asOf)
				require.True(t, want.Equal(got), "model %d (%s), seed %d, as of %s: the scan says %s, the search %s", i, way, seed, asOf, want, got)
				compared++
				if ok {
					changes++
				}
				if !sc.Monotone() || err != nil || k > 0 {
					continue // the result's course is checked once a lead
				}
				standing := func(at time.Time) [2]string {
					res, err := st.Score(fields, at)
					require.NoError(t, err)
					return [2]string{res.Stage, res.Grade}
				}
				now, left := standing(asOf), time.Time{}
				for _, at := range probes(m, evs, nil, asOf, asOf.Add(365*24*time.Hour)) {
					if was := standing(at); was != now && left.IsZero() {
						left = at
					} else if was == now && !left.IsZero() && at.After(left) {
						t.Fatalf("model %d (%s), seed %d: the result left %v at %s and came back at %s", i, way, seed, now, left, at)
					}
				}
			}
		}
	}
	t.Logf("%d next changes compared, %d of them a change", compared, changes)
	assert.Greater(t, changes, compared/4)
}

// TestMonotoneByHand: which models NextChange searches.
func TestMonotoneByHand(t *testing.T) {
	head := `leadscore: 1
model: m
fields:
  employees: int
  created_at: time
events:
  url: string
event_types: [page_view, demo]
scores:
  engagement: {}
`
	for _, c := range []struct {
		name, body string
		want       bool
	}{
		{"windows and decay, positive", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
  - {id: b, score: engagement, event: page_view, points: 5, decay: {half_life: 7d}}
stages:
  - {id: hot, sales_ready: true, when: engagement >= 40}
`, true},
		{"a penalty that expires and a window that closes", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
  - {id: b, score: engagement, event: page_view, points: -5, within: 7d}
stages:
  - {id: hot, sales_ready: true, when: engagement >= 40}
`, false},
		{"a count times a constant that may wrap around 64 bits", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
stages:
  - {id: engaged, when: engagement >= 0}
  - {id: hot, sales_ready: true, when: 'events("demo", "30d") * 4611686018427387904 > 0'}
`, false},
		{"a count times a small constant", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
stages:
  - {id: engaged, when: engagement >= 0}
  - {id: hot, sales_ready: true, when: 'events("demo", "30d") * 4 > 4'}
`, true},
		{"a penalty that switches on", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
  - {id: b, score: engagement, when: daysSince(created_at) > 60, points: -10}
stages:
  - {id: hot, sales_ready: true, when: engagement >= 40}
`, true},
		{"a bonus that switches on", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
  - {id: b, score: engagement, when: daysSince(created_at) > 60, points: 10}
stages:
  - {id: hot, sales_ready: true, when: engagement >= 40}
`, false},
		{"a stage that reads the clock the other way", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
stages:
  - {id: hot, sales_ready: true, when: engagement >= 40 || daysSince(created_at) < 10}
`, true},
		{"a stage that reads the clock the same way", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
stages:
  - {id: hot, sales_ready: true, when: engagement >= 40 || daysSince(created_at) > 10}
`, false},
		{"a ternary on the clock", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
  - {id: b, score: engagement, when: "(daysSince(created_at) > 60 ? 1 : 0) == 1", points: -10}
stages:
  - {id: hot, sales_ready: true, when: engagement >= 40}
`, false},
		{"a count that is not zero", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
  - {id: b, score: engagement, when: 'events("page_view", "7d") == 2', points: -10}
stages:
  - {id: hot, sales_ready: true, when: engagement >= 40}
`, false},
		{"an event condition on the clock", `rules:
  - {id: a, score: engagement, event: demo, points: 40, when: daysSince(event.at) < 30}
stages:
  - {id: hot, sales_ready: true, when: engagement >= 40}
`, false},
		{"a grade and a stage moving apart", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
grades:
  - {grade: A, when: engagement >= 40}
  - {grade: B}
stages:
  - {id: hot, sales_ready: true, when: engagement < 40}
`, true},
		{"a stage reading a moving grade", `rules:
  - {id: a, score: engagement, event: demo, points: 40, within: 30d}
grades:
  - {grade: A, when: engagement >= 40}
  - {grade: B}
stages:
  - {id: hot, sales_ready: true, when: grade == "A"}
`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := rules.CompileBytes("m.yaml", []byte(head+c.body))
			require.NoError(t, err)
			assert.Equal(t, c.want, stream.New(scoring.New(m)).Monotone())
		})
	}
}
