package leadfile_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// verdictsFor gives every 7th lead a recycle five days before the as-of
// time (its hold-down in force) and every 11th an acceptance.
func verdictsFor(id string) []scoring.Disposition {
	var n int
	for _, c := range id {
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
		}
	}
	switch {
	case n%7 == 0:
		return []scoring.Disposition{{At: asOf.Add(-5 * 24 * time.Hour), Status: scoring.Recycled, Reason: "bad_timing"}}
	case n%11 == 0:
		return []scoring.Disposition{{At: asOf.Add(-24 * time.Hour), Status: scoring.Accepted, Owner: "ana"}}
	}
	return nil
}

// With dispositions, each NDJSON line is still json.Marshal of the
// library's Row for the lead with its dispositions, and CSV gains the
// disposition and held columns.
func TestScoreWithDispositions(t *testing.T) {
	data, err := os.ReadFile(testdata("leads.ndjson"))
	require.NoError(t, err)
	out, errs, sum := run(t, leadfile.Options{Input: bytes.NewReader(data), InputName: "leads.ndjson", Dispositions: verdictsFor})
	assert.Empty(t, errs)
	s := scorer(t)
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	held, recycled := 0, 0
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		lead, err := leadfile.DecodeJSON([]byte(line))
		require.NoError(t, err)
		lead.Dispositions = verdictsFor(lead.ID)
		res, err := s.Score(lead, asOf)
		require.NoError(t, err)
		want, err := json.Marshal(res.Row())
		require.NoError(t, err)
		require.Equal(t, string(want), got[i], "line %d", i+1)
		if res.Row().Held {
			held++
		}
		if strings.Contains(got[i], `"disposition":"recycled:bad_timing"`) {
			recycled++
		}
	}
	assert.Equal(t, 142, recycled, "L0000007 to L0000994: 142 multiples of 7")
	assert.Greater(t, held, 0, "some recycled leads would have been sales-ready")
	before, _, _ := run(t, leadfile.Options{Input: bytes.NewReader(data), InputName: "leads.ndjson"})
	assert.Less(t, sum.SalesReady, strings.Count(before, `"sales_ready":true`), "recycles and holds take leads out of sales-ready")

	csvOut, _, _ := run(t, leadfile.Options{Input: bytes.NewReader(data), InputName: "leads.ndjson", Dispositions: verdictsFor, OutputFormat: leadfile.CSV})
	lines := strings.Split(csvOut, "\n")
	assert.Equal(t, "id,total,fit,engagement,grade,stage,sales_ready,disqualified,gates,fired,unknown,disposition,held,error", lines[0])
	assert.Equal(t, held, strings.Count(csvOut, ",recycled:bad_timing,true,\n"))
}
