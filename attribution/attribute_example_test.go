package attribution_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/leadscore/leadscore/attribution"
)

// Credit one won deal's touches under two models side by side; under
// each, the shares sum to one and the revenue credited to the deal's.
func ExampleAttribute() {
	day := func(d int) time.Time { return time.Date(2026, 9, d, 12, 0, 0, 0, time.UTC) }
	j := &attribution.Journey{
		ID: "L-501",
		Touches: []attribution.Touch{
			{At: day(1), Campaign: "brand-search", Channel: "paid_search"},
			{At: day(4), Campaign: "state-of-revops-ebook", Channel: "content"},
			{At: day(10), Campaign: "attribution-live", Channel: "webinar"},
			{At: day(20), Campaign: "nurture-q3", Channel: "email"},
		},
		Milestones: map[string]time.Time{"lead_created": day(4), "sales_ready": day(10), "won": day(28)},
		Converted:  true,
		Revenue:    12000,
	}
	for _, spec := range []string{"position_based", "w_shaped"} {
		m, err := attribution.ParseModel(spec)
		if err != nil {
			log.Fatal(err)
		}
		sum := 0.0
		fmt.Println(m.Name())
		for _, c := range attribution.Attribute(m, j, attribution.Options{}) {
			fmt.Printf("  %d %-22s %4.0f%% %6.0f\n", c.Position, c.Touch.Campaign, c.Share*100, c.Revenue)
			sum += c.Revenue
		}
		fmt.Printf("  %-24s %11.0f\n", "total", sum)
	}
	// Position-based gives 40% each to the first and last touch and shares
	// 20% between the others. W-shaped gives 30% each to the first touch,
	// the lead's creation (the ebook) and its becoming sales-ready (the
	// webinar); with no touch between those, their 10% goes to them too,
	// and the email after sales-ready gets nothing.

	// Output:
	// position_based
	//   1 brand-search             40%   4800
	//   2 state-of-revops-ebook    10%   1200
	//   3 attribution-live         10%   1200
	//   4 nurture-q3               40%   4800
	//   total                          12000
	// w_shaped
	//   1 brand-search             33%   4000
	//   2 state-of-revops-ebook    33%   4000
	//   3 attribution-live         33%   4000
	//   total                          12000
}

// Campaign credit for a quarter from Go: read the journeys (one per lead,
// as `leadscore attribute --journeys` writes them), add each to a report
// under two models, and compare; each model's credit sums to the revenue
// won.
func ExampleNewReport() {
	f, err := os.Open("../testdata/journeys.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var models []attribution.Model
	for _, spec := range []string{"first_touch", "w_shaped"} {
		m, err := attribution.ParseModel(spec)
		if err != nil {
			log.Fatal(err)
		}
		models = append(models, m)
	}
	rep := attribution.NewReport(models, attribution.Options{Lookback: 90 * 24 * time.Hour}, nil)
	won := 0.0
	err = attribution.ReadNDJSON(f, func(line int, j *attribution.Journey, err error) error {
		if err != nil {
			fmt.Printf("journeys.ndjson:%d: %v\n", line, err) // a bad line fails alone
			return nil
		}
		if j.Converted {
			won += j.Revenue
		}
		rep.Add(j)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	rep.Finish() // rows by the first model's revenue, highest first
	fmt.Printf("%-22s %12s %12s\n", "campaign", rep.Models[0], rep.Models[1])
	for _, row := range rep.Campaigns[:4] {
		fmt.Printf("%-22s %12.2f %12.2f\n", row.Name, row.Credit[0].Revenue, row.Credit[1].Revenue)
	}
	fmt.Printf("%-22s %12.2f %12.2f (won: %.2f)\n", "total", rep.Total.Credit[0].Revenue, rep.Total.Credit[1].Revenue, won)
	// Deals with no touch in the 90 days before they were won credit
	// "(no touch)", so that nothing is lost.

	// Output:
	// campaign                first_touch     w_shaped
	// roi-calculator            168900.00    169253.33
	// (no touch)                 56500.00     56500.00
	// attribution-live           33300.00     27470.00
	// nurture-q3                 25800.00     22950.00
	// total                     388600.00    388600.00 (won: 388600.00)
}
