package attribution_test

import (
	"fmt"
	"time"

	"github.com/leadscore/leadscore/attribution"
)

// Two workers each attribute their share of the journeys; their reports
// merge into the report of all of them, exactly.
func ExampleReport_Merge() {
	at := func(day int) time.Time { return time.Date(2026, 9, day, 0, 0, 0, 0, time.UTC) }
	journeys := []*attribution.Journey{
		{ID: "A", Touches: []attribution.Touch{{At: at(1), Campaign: "webinar", Channel: "events"}, {At: at(3), Campaign: "search", Channel: "paid"}},
			Converted: true, Revenue: 1000.10},
		{ID: "B", Touches: []attribution.Touch{{At: at(2), Campaign: "search", Channel: "paid"}}, Converted: true, Revenue: 0.20},
		{ID: "C", Touches: []attribution.Touch{{At: at(4), Campaign: "webinar", Channel: "events"}}},
	}
	models := []attribution.Model{attribution.LinearModel{}}
	worker1 := attribution.NewReport(models, attribution.Options{}, nil)
	worker2 := attribution.NewReport(models, attribution.Options{}, nil)
	worker1.Add(journeys[0])
	worker2.Add(journeys[1])
	worker2.Add(journeys[2])

	// On another machine, a worker's report arrives as its State.
	state, err := worker2.State()
	if err != nil {
		fmt.Println(err)
		return
	}
	merged := attribution.NewReport(models, attribution.Options{}, nil)
	if err := merged.Merge(worker1); err != nil {
		fmt.Println(err)
		return
	}
	if err := merged.MergeState(state); err != nil {
		fmt.Println(err)
		return
	}
	merged.Finish()
	for _, row := range merged.Campaigns {
		fmt.Printf("%s: %.2f conversions, revenue %.2f, touched %d\n", row.Name, row.Credit[0].Conversions, row.Credit[0].Revenue, row.Funnel.Touched)
	}
	fmt.Printf("total: %v conversions, revenue %.2f\n", merged.Total.Credit[0].Conversions, merged.Total.Credit[0].Revenue)
	// Output:
	// search: 1.50 conversions, revenue 500.25, touched 2
	// webinar: 0.50 conversions, revenue 500.05, touched 2
	// total: 2 conversions, revenue 1000.30
}
