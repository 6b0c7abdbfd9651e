package scoring

import (
	"math/rand"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

func handoffScorer(t testing.TB) *Scorer {
	t.Helper()
	m, err := rules.CompileFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	require.NotNil(t, m.Handoff)
	require.Positive(t, m.Handoff.Hold, "the bundled model holds recycled leads down")
	require.NotEmpty(t, m.Handoff.ResetTypes, "the bundled model's recycle resets events")
	return New(m)
}

// manyDispositions gives n dispositions over a few months, many at the
// same time as another, or just the hold after another, and many recycles
// closer together than the hold.
func manyDispositions(r *rand.Rand, n int, hold time.Duration) []Disposition {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Duration(1+r.Intn(200)) * 24 * time.Hour
	statuses := []Status{Accepted, Rejected, Recycled, Recycled}
	owners := []string{"", "ana", "sam"}
	ds := make([]Disposition, 0, n)
	for i := 0; i < n; i++ {
		d := Disposition{At: start.Add(time.Duration(r.Int63n(int64(span)))), Status: statuses[r.Intn(len(statuses))], Owner: owners[r.Intn(len(owners))]}
		switch {
		case i > 0 && r.Intn(4) == 0:
			d.At = ds[r.Intn(i)].At // the very time of another
		case i > 0 && r.Intn(6) == 0:
			d.At = ds[r.Intn(i)].At.Add(hold) // when another's hold would end
		}
		if d.Status != Accepted {
			d.Reason = []string{"bad_timing", "no_budget", "not_icp"}[r.Intn(3)]
		}
		ds = append(ds, d)
	}
	return ds
}

// verdicts, taking the dispositions in point by point, gives what
// dispositions gives from scratch at every point.
func TestVerdictsAreDispositionsFromScratch(t *testing.T) {
	s := handoffScorer(t)
	r := rand.New(rand.NewSource(5))
	for trial := 0; trial < 200; trial++ {
		lead := Lead{ID: "V", Dispositions: manyDispositions(r, r.Intn(60), s.model.Handoff.Hold)}
		var times []time.Time
		for _, d := range lead.Dispositions {
			times = append(times, d.At, d.At.Add(-time.Minute), d.At.Add(s.model.Handoff.Hold), d.At.Add(s.model.Handoff.Hold-time.Second))
		}
		times = append(times, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		var vs *verdicts
		if len(lead.Dispositions) > 0 {
			vs = s.newVerdicts(lead.Dispositions)
		}
		for _, at := range times {
			_, want, wantHeld := s.dispositions(lead, at, false)
			var got *Verdict
			gotHeld := false
			if vs != nil {
				got, gotHeld = vs.at(at)
			}
			require.Equal(t, want, got, "trial %d at %s", trial, at)
			require.Equal(t, wantHeld, gotHeld, "trial %d at %s", trial, at)
		}
	}
}

// verdictMomentsQuadratic is verdictMoments as it was, looking through
// every later recycle for each recycle: the reference.
func (s *Scorer) verdictMomentsQuadratic(lead Lead, asOf time.Time) []moment {
	var out []moment
	for i := range lead.Dispositions {
		d := lead.Dispositions[i]
		if !d.At.After(asOf) {
			out = append(out, moment{at: d.At, d: &d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	if h := s.model.Handoff; h != nil && h.Hold > 0 {
		n := len(out)
		for i := 0; i < n; i++ {
			if out[i].d.Status != Recycled {
				continue
			}
			end := out[i].at.Add(h.Hold)
			later := false
			for _, o := range out[i+1 : n] {
				later = later || o.d.Status == Recycled && !o.at.After(end)
			}
			if !later && !end.After(asOf) {
				out = append(out, moment{at: end, release: true})
			}
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	}
	return out
}

func TestVerdictMomentsAreTheQuadraticOnes(t *testing.T) {
	s := handoffScorer(t)
	r := rand.New(rand.NewSource(7))
	releases := 0
	for trial := 0; trial < 300; trial++ {
		lead := Lead{ID: "M", Dispositions: manyDispositions(r, r.Intn(80), s.model.Handoff.Hold)}
		asOf := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Intn(300)) * 24 * time.Hour)
		want := s.verdictMomentsQuadratic(lead, asOf)
		got := s.verdictMoments(lead, asOf)
		require.Equal(t, len(want), len(got), "trial %d", trial)
		for i := range want {
			require.Equal(t, want[i].at, got[i].at, "trial %d moment %d", trial, i)
			require.Equal(t, want[i].release, got[i].release, "trial %d moment %d", trial, i)
			require.Equal(t, want[i].d, got[i].d, "trial %d moment %d", trial, i)
			if got[i].release {
				releases++
			}
		}
	}
	require.Greater(t, releases, 100, "the trials end holds")
}

// ReadySpan says what the timeline's points say of the sales-ready stage:
// the first point on it, and whether one comes after any time.
func TestReadySpanIsTheTimelines(t *testing.T) {
	s := handoffScorer(t)
	r := rand.New(rand.NewSource(11))
	types := []string{"page_view", "email_click", "webinar_attended", "demo_request", "content_download", "trial_signup"}
	urls := []string{"/", "/pricing", "/docs"}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ready, again := 0, 0
	for trial := 0; trial < 150; trial++ {
		lead := Lead{ID: "S", Fields: map[string]any{"email": "maria@acme.io", "title": []string{"VP Engineering", "Engineer"}[r.Intn(2)],
			"industry": "software", "employees": 250, "country": "US"}}
		for i := r.Intn(60); i > 0; i-- {
			lead.Events = append(lead.Events, Event{Type: types[r.Intn(len(types))], At: start.Add(time.Duration(r.Int63n(int64(250 * 24 * time.Hour)))),
				Fields: map[string]any{"url": urls[r.Intn(len(urls))], "minutes": 30.0}})
		}
		lead.Dispositions = manyDispositions(r, r.Intn(30), s.model.Handoff.Hold)
		asOf := start.Add(time.Duration(r.Intn(320)) * 24 * time.Hour)
		tl, err := s.Timeline(lead, asOf)
		require.NoError(t, err)
		sp, err := s.ReadySpan(lead, asOf)
		require.NoError(t, err)
		first, ok := tl.SalesReadyAt(s)
		require.Equal(t, ok, sp.SalesReady, "trial %d", trial)
		if ok {
			ready++
			require.Equal(t, first.At, sp.At, "trial %d", trial)
		}
		probes := []time.Time{start, asOf}
		for _, p := range tl.Points {
			probes = append(probes, p.At, p.At.Add(-time.Second))
		}
		for _, p := range probes {
			_, want := tl.SalesReadyAfter(p)
			require.Equal(t, want, sp.SalesReadyAfter(p), "trial %d after %s", trial, p)
			if want && ok && p.After(first.At) {
				again++
			}
		}
	}
	require.Greater(t, ready, 20, "leads became sales-ready")
	require.Greater(t, again, 20, "and again, later")
}
