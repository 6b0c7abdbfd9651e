package scoring_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A model with every kind of event rule the replay treats differently:
// limits and none, windows and none, decay with and without a limit,
// conditions that read the as-of time or a define, event gates, and event
// aggregates with and without windows.
const replayModel = `leadscore: 1
model: replay
fields:
  email: string
  title: string
events:
  campaign: string
  url: string
  minutes: float
define:
  busy: events("page_view", "7d") >= 3
  demo_lately: events("demo_request", "30d") > 0
scores:
  fit: {min: 0, max: 100}
  engagement: {min: -50, max: 150}
rules:
  - id: fit.vp
    score: fit
    when: title contains "VP"
    points: 40
  - id: e.views
    score: engagement
    event: page_view
    points: 1
  - id: e.pricing
    score: engagement
    event: page_view
    when: event.url contains "/pricing"
    points: 10
    limit: 3
    decay: {half_life: 14d}
  - id: e.docs
    score: engagement
    event: page_view
    when: event.url contains "/docs"
    points: 2
    decay: {half_life: 5d}
  - id: e.recent-click
    score: engagement
    event: email_click
    when: daysSince(event.at) < 10
    points: 4
  - id: e.followup
    score: engagement
    event: email_click
    when: daysSince(event.at) > 3
    points: 2
    limit: 2
  - id: e.webinar
    score: engagement
    event: webinar_attended
    when: event.minutes >= 20
    points: 15
    limit: 2
    within: 90d
  - id: e.clicks
    score: engagement
    event: email_click
    points: 3
    limit: 5
    within: 30d
  - id: e.quiet
    score: engagement
    when: events("email_click") == 0 && daysSinceLast("page_view") > 20
    points: -10
  - id: gate.spam
    disqualify: Marked as spam
    event: spam_report
    within: 60d
stages:
  - id: engaged
    when: engagement >= 10
  - id: mql
    when: engagement >= 30 || demo_lately
  - id: sql
    sales_ready: true
    when: fit >= 40 && engagement >= 45
`

func randomLead(r *rand.Rand, n int) scoring.Lead {
	types := []string{"page_view", "page_view", "page_view", "email_click", "webinar_attended", "demo_request", "spam_report", "email_open"}
	urls := []string{"/", "/pricing", "/docs/start", "/blog"}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Duration(1+r.Intn(300)) * 24 * time.Hour
	lead := scoring.Lead{ID: fmt.Sprint("R", n), Fields: map[string]any{"email": "a@b.io", "title": []string{"VP Sales", "Engineer"}[r.Intn(2)]}}
	for i := 0; i < n; i++ {
		e := scoring.Event{Type: types[r.Intn(len(types))], At: start.Add(time.Duration(r.Int63n(int64(span))))}
		if r.Intn(4) == 0 && i > 0 { // events at the very same time as another
			e.At = lead.Events[r.Intn(i)].At
		}
		if e.Type == "spam_report" && r.Intn(3) > 0 {
			e.Type = "email_open"
		}
		e.Fields = map[string]any{"campaign": "c", "url": urls[r.Intn(len(urls))], "minutes": float64(r.Intn(60))}
		lead.Events = append(lead.Events, e)
	}
	return lead
}

// naiveTimeline is the straightforward replay: every point scored from
// scratch with the events up to it.
func naiveTimeline(t testing.TB, s *scoring.Scorer, lead scoring.Lead, asOf time.Time) []*scoring.Result {
	var events []scoring.Event
	for _, e := range lead.Events {
		if !e.At.After(asOf) {
			events = append(events, e)
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
	start := asOf
	if len(events) > 0 {
		start = events[0].At
	}
	var out []*scoring.Result
	res, err := s.Score(scoring.Lead{ID: lead.ID, Fields: lead.Fields}, start)
	require.NoError(t, err)
	out = append(out, res)
	for i := range events {
		res, err := s.Score(scoring.Lead{ID: lead.ID, Fields: lead.Fields, Events: events[:i+1]}, events[i].At)
		require.NoError(t, err)
		out = append(out, res)
	}
	return out
}

// The timeline's points are, to the bit, what scoring each prefix of the
// events from scratch gives: totals, stages, every rule's points and event
// counts, gates.
func TestTimelineReplayIsScore(t *testing.T) {
	m, err := rules.CompileBytes("replay.yaml", []byte(replayModel))
	require.NoError(t, err)
	r := rand.New(rand.NewSource(11))
	for _, s := range []*scoring.Scorer{scoring.New(m), bundledScorer(t)} {
		for trial := 0; trial < 60; trial++ {
			lead := randomLead(r, r.Intn(120))
			if s != nil && trial%2 == 1 {
				lead.Fields = map[string]any{"email": "maria@acme.io", "title": "VP Engineering", "industry": "software", "employees": 250, "country": "US"}
			}
			asOf := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Intn(400)) * 24 * time.Hour)
			tl, err := s.Timeline(lead, asOf)
			require.NoError(t, err)
			want := naiveTimeline(t, s, lead, asOf)
			require.Len(t, tl.Points, len(want))
			for i, p := range tl.Points {
				w := want[i]
				require.Equal(t, w.Total, p.Total, "trial %d point %d", trial, i)
				require.Equal(t, w.Stage, p.Stage, "trial %d point %d", trial, i)
				require.Equal(t, w.SalesReady, p.SalesReady, "trial %d point %d", trial, i)
				require.Equal(t, w.Fired, p.Fired, "trial %d point %d", trial, i)
			}
		}
	}
}

// busyLead is a lead of the bundled model with n events over 270 days.
func busyLead(n int) scoring.Lead {
	r := rand.New(rand.NewSource(int64(n)))
	types := []string{"email_open", "email_click", "page_view", "content_download", "webinar_attended", "demo_request"}
	urls := []string{"/", "/pricing", "/docs"}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lead := scoring.Lead{ID: "busy", Fields: map[string]any{"email": "vp@acme.io", "title": "VP Sales", "industry": "software",
		"employees": 300, "country": "US", "created_at": "2025-12-01"}}
	for i := 0; i < n; i++ {
		lead.Events = append(lead.Events, scoring.Event{Type: types[r.Intn(len(types))], At: start.Add(time.Duration(r.Int63n(int64(270 * 24 * time.Hour)))),
			Fields: map[string]any{"campaign": "brand", "channel": "email", "url": urls[r.Intn(len(urls))], "minutes": 30.0}})
	}
	return lead
}

// BenchmarkTimeline replays a lead of 2,000 and of 20,000 events (the
// bundled model, events over 270 days): the replay against scoring every
// prefix from scratch, which is quadratic. Run the naive 20,000 with
// -benchtime 1x: one replay takes tens of seconds.
func BenchmarkTimeline(b *testing.B) {
	s := bundledScorer(b)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{2000, 20000} {
		lead := busyLead(n)
		b.Run(fmt.Sprintf("replay/%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Timeline(lead, asOf); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("naive/%d", n), func(b *testing.B) {
			for b.Loop() {
				naiveTimeline(b, s, lead, asOf)
			}
		})
	}
}

// TimelineScore's score as of asOf, taken from the replay that ends the
// timeline, is ScoreContext's (but for the unknown data it leaves out)
// whenever it vouches for it (ok), and its timeline TimelineContext's (or
// TimelineTotals' when lean); it declines every lead ScoreContext fails:
// here, leads over a tight step budget only through the events the replay
// drops (one score meets them all), and under RefuseUnknown leads whose
// undeclared data is on events no rule reads. With the default budget it
// vouches for every lead that scores.
func TestTimelineScoreIsScoreOrDeclines(t *testing.T) {
	ctx := context.Background()
	type scorer struct {
		name      string
		s         *scoring.Scorer
		mustVouch bool
	}
	plain, err := rules.CompileBytes("replay.yaml", []byte(replayModel))
	require.NoError(t, err)
	scorers := []scorer{
		{"replay", scoring.New(plain), true},
		{"bundled", bundledScorer(t), true},
		{"strict", scoring.New(plain, scoring.WithUnknownData(scoring.RefuseUnknown)), false},
	}
	for _, steps := range []int64{120, 250, 500, 1000} {
		m, err := rules.CompileBytes("replay.yaml", []byte(replayModel), rules.WithLimits(rules.Limits{MaxSteps: steps}))
		require.NoError(t, err)
		scorers = append(scorers, scorer{fmt.Sprint("steps ", steps), scoring.New(m), false})
	}
	r := rand.New(rand.NewSource(28))
	var vouched, overBudget, overBudgetTimelineFine, refused, declinedFine int
	for _, sc := range scorers {
		for trial := 0; trial < 150; trial++ {
			lead := randomLead(r, r.Intn(90))
			if trial%2 == 1 {
				lead.Fields = map[string]any{"email": "maria@acme.io", "title": "VP Engineering", "industry": "software", "employees": 250, "country": "US"}
			}
			if trial%5 == 0 { // undeclared data on an event no rule of replayModel reads
				lead.Events = append(lead.Events, scoring.Event{Type: "email_open", At: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Fields: map[string]any{"colour": "red"}})
			}
			asOf := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Intn(400)) * 24 * time.Hour)
			lean := trial%3 == 0
			tl, res, ok := sc.s.TimelineScore(friend.K(), ctx, lead, asOf, lean)
			want, werr := sc.s.ScoreContext(ctx, lead, asOf)
			wantTL, tlErr := sc.s.TimelineContext(ctx, lead, asOf)
			if lean {
				wantTL, tlErr = sc.s.TimelineTotals(ctx, lead, asOf)
			}
			var le *rules.LimitError
			if errors.As(werr, &le) {
				overBudget++
				if tlErr == nil {
					overBudgetTimelineFine++
				}
			}
			var ue *scoring.UnknownDataError
			if errors.As(werr, &ue) {
				refused++
			}
			if !ok {
				if werr == nil && tlErr == nil {
					declinedFine++
					require.False(t, sc.mustVouch, "%s, trial %d: declined a lead that scores", sc.name, trial)
				}
				continue
			}
			vouched++
			require.NoError(t, werr, "%s, trial %d: vouched for a lead ScoreContext fails", sc.name, trial)
			require.NoError(t, tlErr, "%s, trial %d", sc.name, trial)
			want.Unknown = nil // TimelineScore leaves them to Scorer.Unknown
			require.Equal(t, want, res, "%s, trial %d", sc.name, trial)
			require.Equal(t, wantTL, tl, "%s, trial %d", sc.name, trial)
		}
	}
	t.Logf("vouched %d; ScoreContext over the budget %d (timeline fine %d), refused %d; declined though both succeed %d", vouched, overBudget, overBudgetTimelineFine, refused, declinedFine)
	require.Greater(t, overBudgetTimelineFine, 0, "some leads only a whole score takes over the budget")
	require.Greater(t, refused, 0, "some leads refused for undeclared data")
	_, _, ok := scoring.New(plain).TimelineScore(friend.K(), ctx, scoring.Lead{ID: "d", Dispositions: []scoring.Disposition{{At: time.Now(), Status: scoring.Accepted}}}, time.Now(), true)
	require.False(t, ok, "a lead with dispositions is declined")
	_, _, ok = scoring.New(plain).TimelineScore(friend.Key{}, ctx, scoring.Lead{ID: "x"}, time.Now(), true)
	require.False(t, ok, "not a friend")
}

// BenchmarkTimelineScoreInterleaved measures what backtest --capacity
// does per lead, the old way (ScoreContext at T0, then TimelineTotals up
// to it) and through TimelineScore (one replay, with its checks), in
// alternating slices of 100 leads (the bundled and generated ones without
// dispositions), each first in turn, so that both see the same load of a
// shared machine; one-replay/two-calls is the ratio of their times:
//
//	go test ./scoring -run '^$' -bench TimelineScoreInterleaved
func BenchmarkTimelineScoreInterleaved(b *testing.B) {
	var leads []scoring.Lead
	for _, l := range benchLeads(b) {
		if len(l.Dispositions) == 0 { // TimelineScore's leads
			leads = append(leads, l)
		}
	}
	s := bundledScorer(b)
	ctx := context.Background()
	const slice = 100
	var two, one time.Duration
	vouched := 0
	for i := 0; b.Loop(); i++ {
		from := (i * slice) % (len(leads) - slice)
		batch := leads[from : from+slice]
		for k := range 2 {
			start := time.Now()
			if (i+k)%2 == 0 {
				for _, l := range batch {
					if _, err := s.ScoreContext(ctx, l, asOf); err == nil {
						_, _ = s.TimelineTotals(ctx, l, asOf)
					}
				}
				two += time.Since(start)
				continue
			}
			for _, l := range batch {
				if _, _, ok := s.TimelineScore(friend.K(), ctx, l, asOf, true); ok {
					vouched++
				}
			}
			one += time.Since(start)
		}
	}
	perLead := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N*slice) }
	b.ReportMetric(perLead(two), "two-calls-ns/lead")
	b.ReportMetric(perLead(one), "one-replay-ns/lead")
	b.ReportMetric(float64(one)/float64(two), "one-replay/two-calls")
	b.ReportMetric(float64(vouched)/float64(b.N*slice), "vouched/lead")
}

// Replays share one Scorer's pools (replays, evaluations, matchers) from
// many goroutines at once, and give each lead the timeline, score and
// sales-ready span it has alone (run with -race).
func TestReplaysShareAScorer(t *testing.T) {
	s := bundledScorer(t)
	ctx := context.Background()
	r := rand.New(rand.NewSource(29))
	leads := make([]scoring.Lead, 60)
	for i := range leads {
		leads[i] = randomLead(r, r.Intn(40))
	}
	at := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	type alone struct {
		tl   *scoring.Timeline
		res  *scoring.Result
		span scoring.ReadySpan
	}
	// Each lead's results alone come from a Scorer of its own, whose pool
	// no other lead has used: a pooled replay that kept anything of the
	// lead before it (a count, a queue, a match) shows as a difference.
	want := make([]alone, len(leads))
	for i, l := range leads {
		fresh := scoring.New(s.Model())
		tl, res, ok := fresh.TimelineScore(friend.K(), ctx, l, at, i%2 == 0)
		require.True(t, ok)
		span, err := scoring.New(s.Model()).ReadySpan(l, at)
		require.NoError(t, err)
		want[i] = alone{tl, res, span}
	}
	// One goroutine first, each lead in turn on the shared Scorer, so
	// that every replay but the first is a recycled one.
	for k := 0; k < 2*len(leads); k++ {
		i := (k * 11) % len(leads)
		tl, res, ok := s.TimelineScore(friend.K(), ctx, leads[i], at, i%2 == 0)
		span, err := s.ReadySpan(leads[i], at)
		require.True(t, ok)
		require.NoError(t, err)
		require.Equal(t, want[i].tl, tl, "lead %d after lead %d", i, ((k-1)*11+2*len(leads))%len(leads))
		require.Equal(t, want[i].res, res, "lead %d", i)
		require.Equal(t, want[i].span, span, "lead %d", i)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for k := 0; k < 3*len(leads); k++ {
				i := (k*7 + g*13) % len(leads)
				tl, res, ok := s.TimelineScore(friend.K(), ctx, leads[i], at, i%2 == 0)
				span, err := s.ReadySpan(leads[i], at)
				if !ok || err != nil || !reflect.DeepEqual(tl, want[i].tl) || !reflect.DeepEqual(res, want[i].res) || span != want[i].span {
					errs <- fmt.Errorf("goroutine %d, lead %d: not the result it has alone", g, i)
					return
				}
			}
			errs <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		require.NoError(t, <-errs)
	}
}

// A score meets an event out of a rule's window with one step, without
// its condition: the budget the replay counts back for the events it
// dropped must not charge their conditions then, or a lead with a long
// history is declined (and scored twice) far below the budget.
func TestTimelineScoreVouchesForOldEventsWithinTheBudget(t *testing.T) {
	ctx := context.Background()
	var b strings.Builder
	b.WriteString(`leadscore: 1
model: windows
fields:
  title: string
events:
  url: string
event_types: [page_view]
scores:
  engagement: {min: 0, max: 100}
rules:
`)
	for k := 0; k < 10; k++ {
		fmt.Fprintf(&b, `  - id: eng.pv%d
    score: engagement
    owner: marketing
    reason: pricing page %d
    event: page_view
    when: event.url contains "/pricing" && len(event.url) > %d
    points: 1
    limit: 2
    within: 7d
`, k, k, k)
	}
	b.WriteString(`stages:
  - id: sql
    sales_ready: true
    when: engagement >= 5
`)
	src := []byte(b.String())
	at := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	lead := scoring.Lead{ID: "L1", Fields: map[string]any{"title": "VP"}}
	for d := 400; d > 0; d-- {
		url := "/blog"
		if d%50 == 0 {
			url = "/pricing"
		}
		lead.Events = append(lead.Events, scoring.Event{Type: "page_view", At: at.AddDate(0, 0, -d), Fields: map[string]any{"url": url}})
	}
	scorerAt := func(steps int64) *scoring.Scorer {
		m, err := rules.CompileBytes("windows.yaml", src, rules.WithLimits(rules.Limits{MaxSteps: steps}))
		require.NoError(t, err)
		return scoring.New(m)
	}
	// The fewest steps a score of the lead needs, by bisection.
	lo, hi := int64(1), int64(1_000_000)
	_, err := scorerAt(hi).ScoreContext(ctx, lead, at)
	require.NoError(t, err)
	for lo < hi {
		mid := (lo + hi) / 2
		if _, err := scorerAt(mid).ScoreContext(ctx, lead, at); err != nil {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	need := lo
	// 400 events, 10 rules each: at least 4,000 steps; the conditions of
	// the events still in a window add little to that.
	require.GreaterOrEqual(t, need, int64(4000))
	s := scorerAt(need + need/5)
	_, res, ok := s.TimelineScore(friend.K(), ctx, lead, at, true)
	require.True(t, ok, "declined a lead that scores in %d steps, under a budget of %d", need, need+need/5)
	want, err := s.ScoreContext(ctx, lead, at)
	require.NoError(t, err)
	want.Unknown = nil
	require.Equal(t, want, res)
	// Under the fewest steps less one, a score fails, and the replay does
	// not vouch for it.
	_, _, ok = scorerAt(need-1).TimelineScore(friend.K(), ctx, lead, at, true)
	require.False(t, ok)
}
