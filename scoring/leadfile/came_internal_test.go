package leadfile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

const cameModel = `leadscore: 1
model: h
fields:
  employees: int
  note: string
event_types: [visit]
events:
  url: string
scores:
  fit: {}
rules:
  - {id: big, score: fit, when: employees > 100, points: 10}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
holdout:
  share: 0.5
  seed: s
  withhold: handoff
  starts: 2026-09-01
`

// cameRows are NDJSON rows of every shape a lead's arrival takes, plain
// and hostile.
var cameRows = []string{
	`{"id":"A1","employees":500,"created_at":"2026-08-31T23:59:59Z"}`,
	`{"id":"A2","employees":500,"created_at":"2026-09-01T00:00:00Z"}`,
	`{"id":"A3","employees":500,"created_at":"2026-08-31"}`,
	`{"id":"A4","employees":500,"created_at":"2026-09-01T01:00:00+02:00"}`,
	`{"id":"A5","employees":500,"created_at":"  "}`,
	`{"id":"A6","employees":500,"created_at":null}`,
	`{"id":"A7","employees":500,"created_at":12345}`,
	`{"id":"A8","employees":500,"created_at":"yesterday"}`,
	`{"id":"A9","employees":500,"events":[{"type":"visit","at":"2026-09-10T00:00:00Z"},{"type":"visit","url":"/x","at":"2026-08-15T00:00:00Z"}]}`,
	`{"id":"B1","employees":500,"events":[]}`,
	`{"id":"B2","employees":500,"events":5}`,
	`{"id":"B3","employees":500,"events":[{"type":"visit"}]}`,
	`{"id":"B4","employees":500,"events":[{"type":"visit","at":20260901}]}`,
	`{"id":"B5","employees":500,"created_at":"2026-08-01T00:00:00Z","created_at":"2026-10-01T00:00:00Z"}`,
	`{"id":"B6","employees":500,"created\u005fat":"2026-08-01T00:00:00Z"}`,
	`{"id":"B7","employees":500,"note":"a \"quoted\" {not} [json]","events":[{"type":"visit","at":"2026-09-02T00:00:00Z","url":"/a\\b"}]}`,
	"\ufeff" + `{"id":"B8","employees":500,"created_at":"2026-08-01T00:00:00Z"}`,
	`{"id":"B9","employees":500,"created_at":"2026-08-01T00:00:00Z"`,
	`{"id":"C1","employees":500,"created_at":"2026-08-01T00:00:00Z"} x`,
	`{"id":"C2","events":[{"type":"visit","at":"2026-08-02T00:00:00Z"}],"employees":500,"created_at":"2026-09-05T00:00:00Z"}`,
	`{"id":"C3","employees":500,"events":[{"type":"visit","at":"2026-09-02T00:00:00Z"}],"events":[{"type":"visit","at":"2026-08-02T00:00:00Z"}]}`,
	`{"id":"C4","employees":50,"unknown_key":{"a":[1,2,{"b":null}],"c":true},"created_at":"2026-08-01T00:00:00Z"}`,
	`{"id":"C5","employees":500}`,
	`[1,2]`,
	`{"id":"C6","employees":500,"events":[{"type":"visit","at":"2026-08-02T00:00:00Z","at":"2026-09-02T00:00:00Z"}]}`,
	`{"id":"C7","employees":500,"events":[{"type":"visit","at":"2026-02-30T00:00:00Z"}]}`,
	`{"id":"C8","employees":500,"events":[{"type":"visit","at":"2026-08-02T00:00:00Z"},]}`,
}

// scoreCame scores input with the model and returns everything the run
// says: the output, the row errors and the counts.
func scoreCame(t *testing.T, s *scoring.Scorer, input string, out Format) string {
	t.Helper()
	var buf bytes.Buffer
	var rowErrs []string
	sum, err := Score(Options{Scorer: s, AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Input: strings.NewReader(input), InputName: "leads.ndjson",
		Output: &buf, OutputFormat: out, Workers: 2, OnError: func(e RowError) { rowErrs = append(rowErrs, e.Error()) }})
	sum.Elapsed = 0
	return fmt.Sprintf("output:\n%s\nrow errors: %q\nsummary: %+v\nerror: %v", buf.String(), rowErrs, sum, err)
}

// Reading when a lead came from its line's bytes (cameOf), and scoring it
// straight from them, gives what decoding it and Lead.Came give: the same
// bytes, errors and counts, on every shape of arrival and on generated
// leads.
func TestCameOfMatchesTheDecodedLead(t *testing.T) {
	m, err := rules.CompileBytes("h.yaml", []byte(cameModel))
	require.NoError(t, err)
	s := scoring.New(m, scoring.WithCreatedField(""))
	var gen bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&gen, leadgen.New(11), 400))
	defer func() { scanCame = true }()
	for _, input := range []string{strings.Join(cameRows, "\n") + "\n", gen.String()} {
		for _, out := range []Format{NDJSON, CSV} {
			scanCame = false
			want := scoreCame(t, s, input, out)
			scanCame = true
			got := scoreCame(t, s, input, out)
			require.Equal(t, want, got, "%v out", out)
		}
	}
	// The rows it reads, it reads as Lead.Came; the rows it cannot read
	// for sure, it leaves to the decoded lead.
	for _, c := range []struct {
		row  string
		came string // "" for no time; "-" for not read
	}{
		{cameRows[0], "2026-08-31T23:59:59Z"},
		{cameRows[3], "2026-08-31T23:00:00Z"},
		{cameRows[4], ""},
		{cameRows[6], "-"},
		{cameRows[7], "-"},
		{cameRows[8], "2026-08-15T00:00:00Z"},
		{cameRows[9], ""},
		{cameRows[13], "-"},
		{cameRows[15], "2026-09-02T00:00:00Z"},
		{cameRows[17], "-"},
		{cameRows[19], "2026-09-05T00:00:00Z"},
		{cameRows[20], "-"},
		{cameRows[21], "2026-08-01T00:00:00Z"},
		{cameRows[26], "-"},
	} {
		got, ok := cameOf([]byte(c.row), "")
		switch {
		case c.came == "-":
			assert.False(t, ok, c.row)
		case c.came == "":
			assert.True(t, ok, c.row)
			assert.True(t, got.IsZero(), c.row)
		default:
			assert.True(t, ok, c.row)
			assert.Equal(t, c.came, got.UTC().Format(time.RFC3339), c.row)
		}
	}
}
