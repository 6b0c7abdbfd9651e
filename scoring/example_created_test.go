package scoring_test

import (
	"fmt"

	"github.com/leadscore/leadscore/scoring"
)

// Lead.Created reads when a lead was created: a time, nothing (absent or
// empty text), or an error for a value that is no time.
func ExampleLead_Created() {
	for _, v := range []any{"2026-09-01T00:00:00Z", "", nil, "soon"} {
		fields := map[string]any{}
		if v != nil {
			fields["created_at"] = v
		}
		t, err := scoring.Lead{ID: "L1", Fields: fields}.Created("created_at")
		fmt.Println(t.IsZero(), t.Format("2006-01-02"), err)
	}
	// Output:
	// false 2026-09-01 <nil>
	// true 0001-01-01 <nil>
	// true 0001-01-01 <nil>
	// true 0001-01-01 created_at is "soon", not a time: it says when the lead was created; write it as 2026-09-29T10:00:00Z (RFC 3339), or leave it out to take the lead's first event
}
