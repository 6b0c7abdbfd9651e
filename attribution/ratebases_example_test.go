package attribution_test

import (
	"fmt"

	"github.com/leadscore/leadscore/attribution"
)

// RateBases words which leads each funnel rate is over, as StepRate.Of
// counts them; with sales' dispositions, acceptance too.
func ExampleRateBases() {
	fmt.Println(attribution.RateBases(false))
	fmt.Println(attribution.RateBases(true))
	// Output:
	// Each funnel rate is over its base: sales-ready over the leads touched (the total's over all leads, (no touch)'s over those with no touch before their conversion), then opportunity over the sales-ready, then won over those opportunities (a won lead counts as an opportunity)
	// Each funnel rate is over its base: sales-ready over the leads touched (the total's over all leads, (no touch)'s over those with no touch before their conversion), accepted by sales over the sales-ready, then opportunity over the sales-ready too (accepted or not), then won over those opportunities (a won lead counts as an opportunity)
}
