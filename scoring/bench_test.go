package scoring_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// benchLeads are the bundled 1,000 leads plus 4,000 more from the generator,
// decoded from JSON as a backend or the CLI would receive them.
func benchLeads(t testing.TB) []scoring.Lead {
	t.Helper()
	var data bytes.Buffer
	src, err := os.ReadFile(filepath.Join("..", "testdata", "leads.ndjson"))
	require.NoError(t, err)
	data.Write(src)
	require.NoError(t, leadgen.WriteNDJSON(&data, leadgen.New(99), 4000))
	var leads []scoring.Lead
	sc := bufio.NewScanner(&data)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lead, err := leadfile.DecodeJSON(sc.Bytes())
		require.NoError(t, err)
		leads = append(leads, lead)
	}
	return leads
}

// The engine, the hand-written Go and the naive expr approach give the
// same result on every lead: the baselines are measured doing the same work,
// and the engine is checked against an independent implementation.
func TestBaselinesAgreeWithTheEngine(t *testing.T) {
	s := bundledScorer(t)
	naive := newNaiveScorer()
	stages := map[string]int{}
	for _, lead := range benchLeads(t) {
		res, err := s.Score(lead, asOf)
		require.NoError(t, err, lead.ID)
		got := fromResult(res)
		for name, want := range map[string]baselineResult{"hand-written": handScore(lead, asOf), "naive": naive.score(lead, asOf)} {
			assert.InDelta(t, want.fit, got.fit, 1e-9, "%s %s fit", name, lead.ID)
			assert.InDelta(t, want.engagement, got.engagement, 1e-9, "%s %s engagement", name, lead.ID)
			assert.InDelta(t, want.total, got.total, 1e-9, "%s %s total", name, lead.ID)
			want.fit, want.engagement, want.total = got.fit, got.engagement, got.total
			if !assert.Equal(t, want, got, "%s %s", name, lead.ID) {
				return
			}
		}
		stages[res.Stage]++
	}
	// The comparison covers every stage, not only leads that score nothing.
	for _, st := range []string{"", "engaged", "mql", "sql"} {
		assert.Greater(t, stages[st], 50, "leads at stage %q", st)
	}
}

// BenchmarkScore scores the same leads three ways; compare the ns/op of the
// sub-benchmarks (one op is one lead).
func BenchmarkScore(b *testing.B) {
	leads := benchLeads(b)
	b.Run("engine", func(b *testing.B) {
		s := bundledScorer(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := s.Score(leads[i%len(leads)], asOf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("engine-ignoring-unknown-data", func(b *testing.B) {
		// What looking for undeclared keys and event types costs: the
		// engine above reports them (the default), this one does not look.
		s := scoring.New(bundledScorer(b).Model(), scoring.WithUnknownData(scoring.IgnoreUnknown))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := s.Score(leads[i%len(leads)], asOf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			handScore(leads[i%len(leads)], asOf)
		}
	})
	b.Run("naive", func(b *testing.B) {
		n := newNaiveScorer()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			n.score(leads[i%len(leads)], asOf)
		}
	})
}

// BenchmarkScoreParallel is the engine scored from all cores at once.
func BenchmarkScoreParallel(b *testing.B) {
	leads := benchLeads(b)
	s := bundledScorer(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if _, err := s.Score(leads[i%len(leads)], asOf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkScoreInterleaved measures the engine (as scoring.New makes it,
// and ignoring unknown data), the hand-written Go and the naive expr
// approach in alternating slices of 100 leads, each first in turn, so
// that all see the same load of a shared machine, and reports the ratios
// of their times: engine/handwritten (the aim: at most 1.3) and
// naive/engine (the aim: at least 5). One op is one slice of leads scored
// each way.
func BenchmarkScoreInterleaved(b *testing.B) {
	leads := benchLeads(b)
	s := bundledScorer(b)
	ignoring := scoring.New(s.Model(), scoring.WithUnknownData(scoring.IgnoreUnknown))
	naive := newNaiveScorer()
	const slice = 100
	var engine, engineIgnoring, hand, nv time.Duration
	for i := 0; b.Loop(); i++ {
		from := (i * slice) % (len(leads) - slice)
		batch := leads[from : from+slice]
		for k := range 4 {
			start := time.Now()
			switch (i + k) % 4 {
			case 0:
				for _, l := range batch {
					if _, err := s.Score(l, asOf); err != nil {
						b.Fatal(err)
					}
				}
				engine += time.Since(start)
			case 1:
				for _, l := range batch {
					if _, err := ignoring.Score(l, asOf); err != nil {
						b.Fatal(err)
					}
				}
				engineIgnoring += time.Since(start)
			case 2:
				for _, l := range batch {
					handScore(l, asOf)
				}
				hand += time.Since(start)
			case 3:
				for _, l := range batch {
					naive.score(l, asOf)
				}
				nv += time.Since(start)
			}
		}
	}
	perLead := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N*slice) }
	b.ReportMetric(perLead(engine), "engine-ns/lead")
	b.ReportMetric(perLead(engineIgnoring), "ignoring-ns/lead")
	b.ReportMetric(perLead(hand), "handwritten-ns/lead")
	b.ReportMetric(perLead(nv), "naive-ns/lead")
	b.ReportMetric(float64(engine)/float64(hand), "engine/handwritten")
	b.ReportMetric(float64(engineIgnoring)/float64(hand), "ignoring/handwritten")
	b.ReportMetric(float64(nv)/float64(engine), "naive/engine")
}
