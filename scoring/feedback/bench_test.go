package feedback_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// oneLeadWith is a lead sales-ready from its third hour with n
// dispositions an hour apart from then: acceptances, rejections and
// recycles (a third of them, each within the hold-down of the one before)
// among its events.
func oneLeadWith(n int) scoring.Lead {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	lead := scoring.Lead{ID: "MANY", Fields: map[string]any{"email": "maria@acme.io", "title": "VP Engineering", "industry": "software",
		"employees": 250, "country": "US", "tech_stack": []any{"hubspot"}, "created_at": "2026-01-01"}}
	for d := 0; d < 40; d++ {
		at := start.Add(time.Duration(d) * 3 * 24 * time.Hour)
		lead.Events = append(lead.Events,
			scoring.Event{Type: "email_click", At: at, Fields: map[string]any{"campaign": "nurture", "channel": "email"}},
			scoring.Event{Type: "page_view", At: at.Add(time.Hour), Fields: map[string]any{"url": "/pricing", "channel": "organic"}},
			scoring.Event{Type: "demo_request", At: at.Add(2 * time.Hour), Fields: map[string]any{"channel": "direct"}})
	}
	for i := 0; i < n; i++ {
		d := scoring.Disposition{At: start.Add(time.Duration(3+i) * time.Hour), Owner: "ana"}
		switch i % 3 {
		case 0:
			d.Status = scoring.Accepted
		case 1:
			d.Status, d.Reason = scoring.Rejected, "no_budget"
		default:
			d.Status, d.Reason = scoring.Recycled, "bad_timing"
		}
		lead.Dispositions = append(lead.Dispositions, d)
	}
	return lead
}

// One lead's report costs time linear in its dispositions: ns/disposition
// is about the same at 2,000 and 20,000 (it was ten times higher at 20,000
// when the replay read every disposition at every point).
func BenchmarkFeedbackManyDispositions(b *testing.B) {
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(b, err)
	s := scoring.New(m)
	for _, n := range []int{2000, 20000} {
		lead := oneLeadWith(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				fb := feedback.NewBuilder(s, feedback.Options{AsOf: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
				if err := fb.Add(lead, time.Time{}); err != nil {
					b.Fatal(err)
				}
				if rep := fb.Report(); rep.SalesReady != 1 || rep.Recycle.Leads != 1 {
					b.Fatalf("sales-ready %d, recycled %d: want the lead handed off and recycled", rep.SalesReady, rep.Recycle.Leads)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/disposition")
		})
	}
}
