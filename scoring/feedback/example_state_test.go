package feedback_test

import (
	"fmt"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// Two workers count their own leads; one sends its counts as bytes, and
// the other takes them in: the report is that of all the leads.
func ExampleBuilder_State() {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	if err != nil {
		fmt.Println(err)
		return
	}
	scorer := scoring.New(m)
	opts := feedback.Options{AsOf: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)}
	here, there := feedback.NewBuilder(scorer, opts), feedback.NewBuilder(scorer, opts)
	for i, title := range []string{"Head", "Clerk", "Head", "Head"} {
		day := time.Date(2026, 9, i+1, 0, 0, 0, 0, time.UTC)
		lead := scoring.Lead{ID: fmt.Sprintf("L%d", i+1), Fields: map[string]any{"title": title, "employees": 100},
			Events:       []scoring.Event{{Type: "demo", At: day}},
			Dispositions: []scoring.Disposition{{At: day.Add(30 * time.Hour), Status: scoring.Accepted, Owner: "ann"}}}
		b := here
		if i%2 == 1 {
			b = there
		}
		if err := b.Add(lead, time.Time{}); err != nil {
			fmt.Println(err)
		}
	}
	state, err := there.State() // sent to the other worker
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := here.MergeState(state); err != nil {
		fmt.Println(err)
		return
	}
	r := here.Report()
	fmt.Printf("%d leads, %d accepted, median wait %.0f hours\n", r.Leads, r.Accepted, *r.SLA.MedianHours)

	other := feedback.NewBuilder(scorer, feedback.Options{AsOf: opts.AsOf.AddDate(0, 0, 1)})
	fmt.Println(other.MergeState(state) != nil)
	fmt.Println(here.MergeState(state[:len(state)-1]))
	// Output:
	// 4 leads, 4 accepted, median wait 30 hours
	// true
	// reading a feedback report's state: the state is cut short
}
