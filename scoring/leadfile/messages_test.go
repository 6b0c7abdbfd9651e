package leadfile_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/source"
)

// A row nested past encoding/json's depth is told so, not "exceeded max
// depth".
func TestDeepRowIsToldItsDepth(t *testing.T) {
	deep := `{"id":"D","email":"d@corp.com","tags":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "}\n"
	out, errs, sum := run(t, leadfile.Options{Input: strings.NewReader(`{"id":"A","email":"a@corp.com"}` + "\n" + deep), InputName: "l.ndjson"})
	assert.Equal(t, 1, sum.Failed)
	require.Len(t, errs, 1)
	assert.Regexp(t, `^l.ndjson:2: lead D: the row nests lists or objects deeper than 10000 levels \(at byte \d+\); lead data is flat or a few levels deep`, errs[0])
	assert.NotContains(t, out, "exceeded max depth")
}

// Times: an offset without a colon is read (Salesforce's
// 2026-09-29T10:00:00.000+0000), and an epoch time is named as written
// with what to export, from NDJSON and through a source mapping.
func TestTimeShapesFromExports(t *testing.T) {
	in := `{"id":"S","email":"a@corp.com","created_at":"2026-09-29T10:00:00.000+0000","events":[{"type":"demo_request","at":"2026-09-29T12:00:00.000+0200"}]}
{"id":"E1","email":"a@corp.com","created_at":1790000000}
{"id":"E2","email":"a@corp.com","events":[{"type":"demo_request","at":1790000000000}]}
`
	out, errs, sum := run(t, leadfile.Options{Input: strings.NewReader(in), InputName: "l.ndjson"})
	assert.Equal(t, 1, sum.Scored, out)
	assert.Equal(t, []string{
		"l.ndjson:2: lead E1: created_at: want a time like 2026-03-01T09:30:00Z, got the number 1790000000; times written as seconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20Z (what this is as seconds since 1970)",
		"l.ndjson:3: lead E2: event 1 (demo_request): at: want a time like 2026-03-01T09:30:00Z, got the number 1790000000000; times written as milliseconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20Z (what this is as milliseconds since 1970)",
	}, errs)

	mapping, err := source.Parse("m.yaml", []byte(`leadscore: 1
source: test
id: Lead ID
timezone: UTC
fields:
  email: Email
  created_at: {column: Created, layout: "2006-01-02 15:04:05"}
`))
	require.NoError(t, err)
	csv := "Lead ID,Email,Created\nC1,a@corp.com,2026-09-29 10:00:00\nC2,b@corp.com,1790000000\n"
	_, errs, sum = run(t, leadfile.Options{Input: strings.NewReader(csv), InputName: "c.csv", Source: mapping, NoEvents: true})
	assert.Equal(t, 1, sum.Scored)
	assert.Equal(t, []string{
		`c.csv:3: lead C2: column "Created" (created_at): "1790000000" does not match the layout "2006-01-02 15:04:05" (such as "2026-03-01 09:30:00"): times written as seconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20Z (what this is as seconds since 1970), and give the column a layout that reads it (none for ISO 8601)`,
	}, errs)
}
