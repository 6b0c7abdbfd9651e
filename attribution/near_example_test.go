package attribution_test

import (
	"fmt"

	"github.com/leadscore/leadscore/attribution"
)

// Outcome rows whose account id differs from an account's only in case or
// spaces name that account, most likely; the others name none.
func ExampleNearAccountIDs() {
	outcomeIDs := []string{"a-acme", " A-HOOLI", "A-WAYNE", "A-GLOBEX"}
	accounts := []string{"A-ACME", "A-GLOBEX", "A-HOOLI"}
	for _, n := range attribution.NearAccountIDs(outcomeIDs, accounts) {
		fmt.Printf("%q: did you mean %s?\n", n.ID, n.Account)
	}
	// Output:
	// " A-HOOLI": did you mean A-HOOLI?
	// "a-acme": did you mean A-ACME?
}
