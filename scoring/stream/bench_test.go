package stream_test

import (
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
