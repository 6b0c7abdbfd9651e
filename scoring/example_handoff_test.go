package scoring_test

import (
	"fmt"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// Give the scorer sales' verdicts with the lead: after a recycle, what the
// model's recycle policy resets no longer counts, and the hold-down keeps
// the lead below sales-ready for a while.
func ExampleScorer_Score_dispositions() {
	m, err := rules.CompileBytes("h.yaml", []byte(handoffModel)) // recycle: {resets: [eng.visit], hold: 10d}
	if err != nil {
		fmt.Println(err)
		return
	}
	s := scoring.New(m)
	day := func(d int) time.Time { return time.Date(2026, 9, d, 0, 0, 0, 0, time.UTC) }
	lead := scoring.Lead{ID: "H1", Fields: map[string]any{"title": "VP"},
		Events:       []scoring.Event{{Type: "visit", At: day(1)}, {Type: "visit", At: day(2)}, {Type: "visit", At: day(3)}, {Type: "demo", At: day(8)}},
		Dispositions: []scoring.Disposition{{At: day(5), Status: scoring.Recycled, Reason: "bad_timing", Owner: "sam"}}}
	for _, asOf := range []time.Time{day(4), day(9), day(16)} {
		res, err := s.Score(lead, asOf)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: total %v, sales-ready %v", asOf.Format("Jan 2"), res.Total, res.SalesReady)
		if v := res.Verdict; v != nil {
			fmt.Printf(", %s, %d events reset", v.Latest, v.Reset)
			if v.Held != "" {
				fmt.Printf(", held from %s until %s", v.Held, v.HeldUntil.Format("Jan 2"))
			}
		}
		fmt.Println()
	}
	// Output:
	// Sep 4: total 80, sales-ready true
	// Sep 9: total 80, sales-ready false, recycled:bad_timing, 3 events reset, held from sql until Sep 15
	// Sep 16: total 80, sales-ready true, recycled:bad_timing, 3 events reset
}
