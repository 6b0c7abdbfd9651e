package feedback_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// Read sales' verdicts from the CRM, give each lead its own, and ask what
// they say about the rules.
func Example() {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel)) // a model with a handoff section
	if err != nil {
		fmt.Println(err)
		return
	}
	csv := `lead_id,at,status,reason,owner
L1,2026-09-01T10:00:00Z,rejected,not_dm,ann
L2,2026-09-02T09:00:00Z,rejected,not_dm,bob
L3,2026-09-03T02:00:00Z,rejected,not_dm,ann
L4,2026-09-04T08:00:00Z,accepted,,bob
L5,2026-09-05T01:00:00Z,rejeted,,bob
`
	set, counts, err := feedback.ReadDispositions(strings.NewReader(csv), m.Handoff, func(line int, err error) {
		fmt.Fprintf(os.Stdout, "dispositions.csv:%d: %v\n", line, err)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d rows: %d read, %d failed\n", counts.Rows, counts.Read, counts.Failed)

	scorer := scoring.New(m)
	b := feedback.NewBuilder(scorer, feedback.Options{AsOf: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)})
	for i, title := range []string{"Head", "Head", "Head", "Clerk", "Head", "Clerk"} {
		id := fmt.Sprintf("L%d", i+1)
		lead := scoring.Lead{ID: id, Fields: map[string]any{"title": title, "employees": 100},
			Events:       []scoring.Event{{Type: "demo", At: time.Date(2026, 9, i+1, 0, 0, 0, 0, time.UTC)}},
			Dispositions: set.For(id)}
		if err := b.Add(lead, time.Time{}); err != nil {
			fmt.Println(err)
		}
	}
	r := b.Report()
	fmt.Printf("sales-ready %d, accepted %d, rejected %d, no verdict %d\n", r.SalesReady, r.Accepted, r.Rejected, r.NeverDispositioned)
	for _, e := range r.Evidence {
		fmt.Printf("%s against %s: %s (%s)\n", e.Reason, e.Rule, e.Verdict, e.Why)
	}
	// Output:
	// dispositions.csv:6: lead L5: unknown status "rejeted"; did you mean "rejected"?
	// 5 rows: 4 read, 1 failed
	// sales-ready 6, accepted 1, rejected 3, no verdict 2
	// not_dm against fit.boss: inconclusive (too few leads: 3 leads given the reason, 7 more needed)
}

// A backtest scores each lead as it stood at T0 and labels it with what
// happened in (T0, T1]: sales' verdict is a label beside won, and the
// rejections are evidence against the rules they contradict.
func ExampleLabelIn() {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := scoring.New(m)
	t0, t1 := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	tally := feedback.NewEvidenceTally(m)
	accepted := 0
	for i, title := range []string{"Head", "Head", "Head", "Clerk"} {
		lead := scoring.Lead{ID: fmt.Sprint("L", i+1), Fields: map[string]any{"title": title, "employees": 100},
			Events: []scoring.Event{{Type: "demo", At: t0.Add(-24 * time.Hour)}}}
		verdicts := []scoring.Disposition{{At: t0.Add(time.Duration(i+1) * 24 * time.Hour), Status: scoring.Rejected, Reason: "not_dm"}}
		if title == "Clerk" {
			verdicts[0] = scoring.Disposition{At: t0.Add(48 * time.Hour), Status: scoring.Accepted}
		}
		res, err := s.Score(lead, t0) // no hindsight: the lead as it stood at T0
		if err != nil {
			fmt.Println(err)
			return
		}
		label := feedback.LabelIn(verdicts, t0, t1)
		if label.Accepted() {
			accepted++
		}
		tally.Add(res.RuleIDs(), label)
		fmt.Printf("%s %s\n", lead.ID, label)
	}
	fmt.Println("accepted:", accepted)
	for _, e := range tally.Evidence() {
		fmt.Printf("%s against %s: %d of %d vs %d of %d other leads with a verdict: %s (%s)\n", e.Reason, e.Rule, e.Fired, e.Leads, e.OthersFired, e.Others, e.Verdict, e.Why)
	}
	// Output:
	// L1 rejected:not_dm
	// L2 rejected:not_dm
	// L3 rejected:not_dm
	// L4 accepted
	// accepted: 1
	// not_dm against fit.boss: 3 of 3 vs 0 of 1 other leads with a verdict: inconclusive (too few leads: 3 leads given the reason, 7 more needed)
}
