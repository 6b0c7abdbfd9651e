package scoring_test

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// handoffModel: a VP is worth 50 fit; each visit 10 engagement, a demo 30
// (within 30 days); sales-ready at fit 50 and engagement 30. A recycle
// resets the visits (not the demos) and holds the lead for 10 days.
const handoffModel = `leadscore: 1
model: h
fields: {title: string}
scores:
  fit: {min: 0, max: 100}
  engagement: {min: 0, max: 100}
rules:
  - {id: fit.title, score: fit, when: 'title == "VP"', points: 50}
  - {id: eng.visit, score: engagement, event: visit, points: 10}
  - {id: eng.demo, score: engagement, event: demo, points: 30, within: 30d}
stages:
  - {id: mql, when: engagement >= 10}
  - {id: sql, sales_ready: true, when: fit >= 50 && engagement >= 30}
handoff:
  sla: 48h
  reasons:
    - {code: bad_timing, description: Not this quarter}
  recycle: {resets: [eng.visit], hold: 10d}
`

func sep(d int) time.Time { return time.Date(2026, 9, d, 0, 0, 0, 0, time.UTC) }

// handoffLead visited on 1, 2 and 3 September (engagement 30: sales-ready),
// was accepted on the 4th, recycled on the 5th, visited and asked for a
// demo on the 12th (engagement 40 again, but held until the 15th).
func handoffLead() scoring.Lead {
	return scoring.Lead{ID: "H1", Fields: map[string]any{"title": "VP"},
		Events: []scoring.Event{
			{Type: "visit", At: sep(2)}, {Type: "demo", At: sep(12)}, {Type: "visit", At: sep(1)},
			{Type: "visit", At: sep(3)}, {Type: "visit", At: sep(12)},
		},
		Dispositions: []scoring.Disposition{
			{At: sep(5), Status: scoring.Recycled, Reason: "bad_timing", Owner: "sam"},
			{At: sep(4), Status: scoring.Accepted, Owner: "sam"},
		}}
}

func TestRecycleResetsAndHolds(t *testing.T) {
	m, err := rules.CompileBytes("h.yaml", []byte(handoffModel))
	require.NoError(t, err)
	s := scoring.New(m)
	lead := handoffLead()

	// 4 September: three visits, 50 + 30 = 80, sales-ready; accepted that day.
	res, err := s.Score(lead, sep(4))
	require.NoError(t, err)
	assert.Equal(t, 80.0, res.Total)
	assert.True(t, res.SalesReady)
	assert.Equal(t, "accepted", res.Row().Disposition)
	assert.Nil(t, res.Verdict.Recycled)

	// 10 September: the recycle on the 5th reset the 3 visits: 50 + 0; held until the 15th.
	res, err = s.Score(lead, sep(10))
	require.NoError(t, err)
	assert.Equal(t, 50.0, res.Total)
	assert.Equal(t, "", res.Stage)
	assert.Equal(t, 3, res.Verdict.Reset)
	assert.Equal(t, sep(5), *res.Verdict.Recycled)
	assert.Equal(t, sep(15), *res.Verdict.HeldUntil)
	assert.Equal(t, "", res.Verdict.Held, "not sales-ready anyway: the hold stopped nothing")
	assert.Equal(t, "recycled:bad_timing", res.Row().Disposition)

	// 13 September: a visit and a demo on the 12th: 50 + 10 + 30 = 90, which
	// would be sales-ready, but the hold-down keeps the lead on mql.
	res, err = s.Score(lead, sep(13))
	require.NoError(t, err)
	assert.Equal(t, 90.0, res.Total)
	assert.Equal(t, "mql", res.Stage)
	assert.False(t, res.SalesReady)
	assert.Equal(t, "sql", res.Verdict.Held)
	assert.True(t, res.Row().Held)

	// 15 September, the hold over: sales-ready again.
	res, err = s.Score(lead, sep(15))
	require.NoError(t, err)
	assert.True(t, res.SalesReady)
	assert.Nil(t, res.Verdict.HeldUntil)

	x, err := s.Explain(lead, sep(13))
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, x.WriteText(&b, false))
	text := b.String()
	assert.Contains(t, text, "\n  sales: recycled on 2026-09-05T00:00:00Z as bad_timing (Not this quarter) by sam\n"+
		"  recycled on 2026-09-05T00:00:00Z: 3 events of eng.visit (visit) at or before it no longer count\n"+
		"  HELD until 2026-09-15T00:00:00Z by the recycle hold-down, which keeps it from sql\n")
	assert.Contains(t, text, "\nto reach sql:\n  the recycle hold-down would keep it from sql until 2026-09-15T00:00:00Z, whatever it scores\n")
	x, err = s.Explain(lead, sep(10))
	require.NoError(t, err)
	b.Reset()
	require.NoError(t, x.WriteText(&b, false))
	assert.Contains(t, b.String(), "\n  not held: the recycle hold-down runs until 2026-09-15T00:00:00Z, but the lead does not reach sql without it\n")
	x, err = s.Explain(lead, sep(13))
	require.NoError(t, err)
	// The explanation counts what the score counted: one visit, not four.
	for _, re := range x.Rules {
		if re.Rule == "eng.visit" {
			assert.Equal(t, 1, re.Events.Of)
		}
	}

	tl, err := s.Timeline(lead, sep(20))
	require.NoError(t, err)
	type pt struct {
		at     time.Time
		total  float64
		stage  string
		what   string
		salesR bool
	}
	var got []pt
	for _, p := range tl.Points {
		what := "start"
		switch {
		case p.Event != nil:
			what = p.Event.Type
		case p.Disposition != nil:
			what = p.Disposition.String()
		case p.HoldEnded:
			what = "hold ends"
		}
		got = append(got, pt{p.At, p.Total, p.Stage, what, p.SalesReady})
	}
	assert.Equal(t, []pt{
		{sep(1), 50, "", "start", false},
		{sep(1), 60, "mql", "visit", false},
		{sep(2), 70, "mql", "visit", false},
		{sep(3), 80, "sql", "visit", true},
		{sep(4), 80, "sql", "accepted", true},
		{sep(5), 50, "", "recycled:bad_timing", false}, // the three visits out
		{sep(12), 80, "mql", "demo", false},            // 50 + 30, held
		{sep(12), 90, "mql", "visit", false},           // 50 + 30 + 10, held
		{sep(15), 90, "sql", "hold ends", true},
	}, got)
	at, ok := tl.SalesAcceptedAt()
	assert.True(t, ok)
	assert.Equal(t, sep(4), at)
	again, ok := tl.SalesReadyAfter(sep(5))
	assert.True(t, ok)
	assert.Equal(t, sep(15), again.At)

	// Without a handoff section, dispositions are reported but change nothing.
	plain, err := rules.CompileBytes("h.yaml", []byte(handoffModel[:strings.Index(handoffModel, "handoff:")]))
	require.NoError(t, err)
	res, err = scoring.New(plain).Score(lead, sep(13))
	require.NoError(t, err)
	assert.True(t, res.SalesReady)
	assert.Equal(t, 0, res.Verdict.Reset)
	assert.Nil(t, res.Verdict.HeldUntil)
}

// Recycling a lead and then scoring it is scoring it with the reset events
// removed: on random leads of the bundled model (whose recycle resets the
// engagement rules' events) and recycle times, once the hold is over.
func TestRecycleIsScoringWithoutTheResetEvents(t *testing.T) {
	s := bundledScorer(t)
	h := s.Model().Handoff
	require.NotNil(t, h)
	types := map[string]bool{}
	for _, ty := range h.ResetTypes {
		types[ty] = true
	}
	r := rand.New(rand.NewSource(13))
	asOf := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	removedSome := 0
	for trial := 0; trial < 300; trial++ {
		lead := randomLead(r, r.Intn(80))
		lead.Fields = map[string]any{"email": "maria@acme.io", "title": "VP Engineering", "industry": "software", "employees": 250, "country": "US"}
		recycle := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int63n(int64(320 * 24 * time.Hour))))
		if len(lead.Events) > 0 && r.Intn(3) == 0 {
			recycle = lead.Events[r.Intn(len(lead.Events))].At // at the very time of an event
		}
		withRecycle := lead
		withRecycle.Dispositions = []scoring.Disposition{{At: recycle, Status: scoring.Recycled, Reason: "bad_timing"}}
		without := scoring.Lead{ID: lead.ID, Fields: lead.Fields}
		for _, e := range lead.Events {
			if types[e.Type] && !e.At.After(recycle) {
				continue
			}
			without.Events = append(without.Events, e)
		}
		removedSome += len(lead.Events) - len(without.Events)
		got, err := s.Score(withRecycle, asOf)
		require.NoError(t, err)
		want, err := s.Score(without, asOf)
		require.NoError(t, err)
		require.Equal(t, len(lead.Events)-len(without.Events), got.Verdict.Reset)
		got.Verdict = nil
		require.Equal(t, want, got, "trial %d", trial)
	}
	assert.Greater(t, removedSome, 1000, "the trials reset events")
}

// A timeline with dispositions is, at the last point of each moment, the
// score as of that moment with every disposition given: recycles, holds
// and acceptances checked against scoring from scratch.
func TestTimelineWithDispositionsIsScore(t *testing.T) {
	s := bundledScorer(t)
	r := rand.New(rand.NewSource(17))
	statuses := []scoring.Status{scoring.Accepted, scoring.Rejected, scoring.Recycled, scoring.Recycled}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for trial := 0; trial < 80; trial++ {
		lead := randomLead(r, r.Intn(100))
		lead.Fields = map[string]any{"email": "maria@acme.io", "title": "VP Engineering", "industry": "software", "employees": 250, "country": "US"}
		for i := r.Intn(4); i > 0; i-- {
			d := scoring.Disposition{At: start.Add(time.Duration(r.Int63n(int64(300 * 24 * time.Hour)))), Status: statuses[r.Intn(len(statuses))]}
			if d.Status != scoring.Accepted {
				d.Reason = "bad_timing"
			}
			lead.Dispositions = append(lead.Dispositions, d)
		}
		asOf := start.Add(time.Duration(r.Intn(400)) * 24 * time.Hour)
		tl, err := s.Timeline(lead, asOf)
		require.NoError(t, err)
		for i, p := range tl.Points {
			if i+1 < len(tl.Points) && tl.Points[i+1].At.Equal(p.At) {
				continue // mid-moment: later points at the same time count more
			}
			want, err := s.Score(lead, p.At)
			require.NoError(t, err)
			require.Equal(t, want.Total, p.Total, "trial %d point %d", trial, i)
			require.Equal(t, want.Stage, p.Stage, "trial %d point %d", trial, i)
			require.Equal(t, want.Fired, p.Fired, "trial %d point %d", trial, i)
		}
	}
}

// A recycle whose hold-down would end after year 9999 is refused when the
// lead is read, with the date and the hold: a verdict holding it could not
// be written as JSON or RFC 3339.
func TestRecycleHoldPastYear9999IsRefused(t *testing.T) {
	m, err := rules.CompileBytes("h.yaml", []byte(handoffModel))
	require.NoError(t, err)
	s := scoring.New(m)
	lead := handoffLead()
	lead.Dispositions = append(lead.Dispositions, scoring.Disposition{At: time.Date(9999, 12, 25, 0, 0, 0, 0, time.UTC), Status: scoring.Recycled, Reason: "bad_timing"})
	want := "disposition 3: recycled on 9999-12-25T00:00:00Z, so the model's recycle hold-down of 10d would end after year 9999, the last year leadscore reads or writes; check the disposition's date"
	asOf := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	_, err = s.Score(lead, asOf)
	require.Error(t, err)
	assert.Contains(t, err.Error(), want)
	_, err = s.Explain(lead, asOf)
	require.Error(t, err)
	assert.Contains(t, err.Error(), want)
	_, err = s.Timeline(lead, asOf)
	require.Error(t, err)
	assert.Contains(t, err.Error(), want)

	// Ending on the last day of 9999 is fine, and writes as JSON.
	lead.Dispositions[2].At = time.Date(9999, 12, 21, 0, 0, 0, 0, time.UTC)
	res, err := s.Score(lead, asOf.Add(-time.Hour))
	require.NoError(t, err)
	_, err = json.Marshal(res)
	require.NoError(t, err)
	assert.Equal(t, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), *res.Verdict.HeldUntil)
}
