package stream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// benchEvents returns n events of the bundled model's types, one every 3
// hours in arrival order, every tenth two days late.
func benchEvents(n int) []scoring.Event {
	types := []string{"email_open", "email_click", "page_view", "page_view", "content_download", "webinar_attended", "demo_request", "trial_signup"}
	fields := []map[string]any{
		{"url": "/pricing", "campaign": "q3", "channel": "email", "minutes": 3.0},
		{"url": "/blog/crm", "campaign": "", "channel": "web", "minutes": 30.0},
		{"url": "/docs", "campaign": "webinar-9", "channel": "ads", "minutes": 12.0},
	}
	evs := make([]scoring.Event, n)
	for i := range evs {
		at := base.Add(time.Duration(i) * 3 * time.Hour)
		if i%10 == 9 {
			at = at.Add(-48 * time.Hour)
		}
		evs[i] = scoring.Event{Type: types[i*7%len(types)], At: at, Fields: fields[i%len(fields)]}
	}
	return evs
}

var benchLead = map[string]any{"email": "ana@acme.com", "title": "VP Marketing", "industry": "software", "employees": 250, "country": "US"}

// BenchmarkIncremental measures what a consumer does for each new event of
// a lead that already has history events: Add it to the lead's state and
// Score the state as of the event. BenchmarkFullRescore is the baseline:
// scoring the lead with its whole history.
func BenchmarkIncremental(b *testing.B) {
	s := load(b, "../../testdata/b2b-saas.yaml")
	sc := stream.New(s)
	for _, history := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			evs := benchEvents(history + b.N)
			st := sc.NewState("l")
			for _, e := range evs[:history] {
				if err := st.Add(e); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for _, e := range evs[history:] {
				if err := st.Add(e); err != nil {
					b.Fatal(err)
				}
				if _, err := st.Score(benchLead, st.Latest()); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(st.Kept()), "kept")
		})
	}
}

func BenchmarkFullRescore(b *testing.B) {
	s := load(b, "../../testdata/b2b-saas.yaml")
	for _, history := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			evs := benchEvents(history + 1)
			lead := scoring.Lead{ID: "l", Fields: benchLead, Events: evs}
			at := evs[history-1].At
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := s.Score(lead, at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNextChange measures the re-check a consumer schedules after an
// event: when the lead's stage or grade next changes.
func BenchmarkNextChange(b *testing.B) {
	s := load(b, "../../testdata/b2b-saas.yaml")
	for _, history := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			evs := benchEvents(history)
			st := stream.New(s).NewState("l")
			for _, e := range evs {
				if err := st.Add(e); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, _, err := st.NextChange(benchLead, st.Latest()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNextChangeSearch compares, in alternating slices of one run,
// NextChange under the bundled model (whose stage and grade move one way
// only with time, so it searches) with its baseline, the scan of every
// probe time it replaced, on 200 random leads of 5 to 60 events as of
// their latest event or later; both must give the same time.
func BenchmarkNextChangeSearch(b *testing.B) {
	s := load(b, "../../testdata/b2b-saas.yaml")
	sc := stream.New(s)
	if !sc.Monotone() {
		b.Fatal("the bundled model is not searched")
	}
	type lead struct {
		st     *stream.State
		fields map[string]any
		asOf   time.Time
	}
	var leads []lead
	for seed := uint64(1); seed <= 200; seed++ {
		g := newGen(seed, s.Model())
		st := sc.NewState(fmt.Sprint(seed))
		for _, e := range g.events(5+g.r.IntN(56), time.Duration(10+g.r.IntN(120))*24*time.Hour) {
			if err := st.Add(e); err != nil {
				b.Fatal(err)
			}
		}
		leads = append(leads, lead{st, g.lead(), g.after(st.Latest())})
	}
	ctx := context.Background()
	var scan, search time.Duration
	changes := 0
	for i := 0; b.Loop(); i++ {
		for k := range 2 {
			if (i+k)%2 == 0 {
				start := time.Now()
				for _, l := range leads {
					if _, _, err := l.st.NextChangeScan(ctx, l.fields, nil, l.asOf); err != nil {
						b.Fatal(err)
					}
				}
				scan += time.Since(start)
			} else {
				start := time.Now()
				for _, l := range leads {
					if _, _, err := l.st.NextChangeWithDispositions(ctx, l.fields, nil, l.asOf); err != nil {
						b.Fatal(err)
					}
				}
				search += time.Since(start)
			}
		}
	}
	b.StopTimer()
	for _, l := range leads {
		want, wok, _ := l.st.NextChangeScan(ctx, l.fields, nil, l.asOf)
		got, ok, _ := l.st.NextChangeWithDispositions(ctx, l.fields, nil, l.asOf)
		if ok != wok || !got.Equal(want) {
			b.Fatalf("lead %s as of %s: the scan says %s (%v), the search %s (%v)", l.st.LeadID(), l.asOf, want, wok, got, ok)
		}
		if ok {
			changes++
		}
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N*len(leads)) }
	b.ReportMetric(per(scan), "scan-ns/lead")
	b.ReportMetric(per(search), "search-ns/lead")
	b.ReportMetric(float64(scan)/float64(search), "scan/search")
	b.ReportMetric(float64(changes)/float64(len(leads)), "with-a-change")
}
