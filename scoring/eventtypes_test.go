package scoring_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// scoreBothWays scores one NDJSON line straight from its bytes and, apart,
// decoded by encoding/json into a map, and requires the two to agree.
func scoreBothWays(t *testing.T, s *scoring.Scorer, line string) *scoring.Result {
	t.Helper()
	straight, _, ok, err := scoring.ScoreJSON(s, []byte(line), asOf)
	require.True(t, ok, line)
	require.NoError(t, err, line)
	var obj map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &obj))
	lead, err := scoring.LeadFromMap(obj)
	require.NoError(t, err)
	res, err := s.Score(lead, asOf)
	require.NoError(t, err)
	require.Equal(t, res, straight, line)
	return res
}

// Event types are found through a table built when the model compiles
// (rules/nametable.go), or a map when there are too many for it or they
// are too alike for its hash: either way, each event counts for its own
// type's rules and aggregates, and for no other, as hand-computed totals say.
func TestEventTypesManyAndAlike(t *testing.T) {
	// 205 types, more than the table takes: points i/7+1 for each event of
	// ev_i when i is a multiple of 7 below 200; 30 for ev_199, and 1,000
	// once the lead has any.
	var doc strings.Builder
	doc.WriteString("leadscore: 1\nmodel: many\nfields:\n  email: string\nevent_types:\n")
	for i := range 205 {
		fmt.Fprintf(&doc, "  - ev_%03d\n", i)
	}
	doc.WriteString("scores:\n  s: {min: 0, max: 100000}\nrules:\n")
	for i := 0; i < 200; i += 7 {
		fmt.Fprintf(&doc, "  - {id: r%d, score: s, points: %d, event: ev_%03d}\n", i, i/7+1, i)
	}
	doc.WriteString("  - {id: r199, score: s, points: 30, event: ev_199}\n")
	doc.WriteString("  - {id: any199, score: s, points: 1000, when: 'events(\"ev_199\", \"365d\") > 0'}\n")
	doc.WriteString("stages:\n  - {id: hot, sales_ready: true, when: 's > 50'}\n")
	m, err := rules.CompileBytes("many.yaml", []byte(doc.String()))
	require.NoError(t, err)
	s := scoring.New(m)
	for i := range 206 { // ev_205 is not declared
		n := 1 + i%3
		var evs []string
		for k := range n {
			evs = append(evs, fmt.Sprintf(`{"type":"ev_%03d","at":"2026-09-%02dT10:00:00Z"}`, i, 1+k))
		}
		res := scoreBothWays(t, s, fmt.Sprintf(`{"id":"L%d","email":"a@b.io","events":[%s]}`, i, strings.Join(evs, ",")))
		want := 0.0
		switch {
		case i == 199:
			want = 30*float64(n) + 1000
		case i < 200 && i%7 == 0:
			want = float64(i/7+1) * float64(n)
		}
		assert.Equal(t, want, res.Total, "ev_%03d", i)
		if i == 205 {
			if assert.Len(t, res.Unknown, 1) {
				assert.Equal(t, rules.UnknownEventType, res.Unknown[0].Kind)
				assert.Equal(t, "ev_205", res.Unknown[0].Name)
			}
		} else {
			assert.Empty(t, res.Unknown, "ev_%03d", i)
		}
	}

	// The bundled model's types, which the table takes, and types that
	// differ from one of them only where the hash does not read, or only
	// in case: each near miss counts for nothing and is reported.
	s = bundledScorer(t)
	for _, tc := range []struct {
		typ     string
		unknown bool
	}{
		{"demo_request", false}, {"demo_reqUest", true}, {"demo_rEquest", true}, {"Demo_request", true},
		{"trial_signup", false}, {"trial_sIgnup", true}, {"email_click", false}, {"email_cliCk", true},
	} {
		line := fmt.Sprintf(`{"id":"L","email":"a@initech.com","events":[{"type":%q,"at":"2026-09-29T10:00:00Z"}]}`, tc.typ)
		res := scoreBothWays(t, s, line)
		if tc.unknown {
			assert.Zero(t, res.Categories[1].Raw, tc.typ)
			if assert.Len(t, res.Unknown, 1, tc.typ) {
				assert.Equal(t, tc.typ, res.Unknown[0].Name)
			}
		} else {
			assert.Positive(t, res.Categories[1].Raw, tc.typ)
			assert.Empty(t, res.Unknown, tc.typ)
		}
	}

	// Types alike in length and in every byte the table's hash reads
	// (first two, middle, last two), and near misses of them.
	m, err = rules.CompileBytes("alike.yaml", []byte(`leadscore: 1
model: alike
fields:
  email: string
event_types: [ab1xdyfgh, ab2xdyfgh, ab3zdqfgh]
scores:
  s: {min: 0, max: 100000}
rules:
  - {id: r1, score: s, points: 1, event: ab1xdyfgh}
  - {id: r2, score: s, points: 20, event: ab2xdyfgh}
  - {id: two3, score: s, points: 300, when: 'events("ab3zdqfgh", "365d") > 1'}
stages:
  - {id: hot, sales_ready: true, when: 's > 50'}
`))
	require.NoError(t, err)
	s = scoring.New(m)
	for _, tc := range []struct {
		types   []string
		total   float64
		unknown string
	}{
		{[]string{"ab1xdyfgh"}, 1, ""},
		{[]string{"ab2xdyfgh", "ab2xdyfgh"}, 40, ""},
		{[]string{"ab3zdqfgh"}, 0, ""},
		{[]string{"ab3zdqfgh", "ab1xdyfgh", "ab3zdqfgh"}, 301, ""},
		{[]string{"ab4xdyfgh"}, 0, "ab4xdyfgh"},
		{[]string{"ab1xdyfgH", "ab2xdyfgh"}, 20, "ab1xdyfgH"},
		{[]string{"ab1xd yfgh"}, 0, "ab1xd yfgh"},
	} {
		var evs []string
		for k, typ := range tc.types {
			evs = append(evs, fmt.Sprintf(`{"type":%q,"at":"2026-09-%02dT10:00:00Z"}`, typ, 1+k))
		}
		res := scoreBothWays(t, s, fmt.Sprintf(`{"id":"L","email":"a@b.io","events":[%s]}`, strings.Join(evs, ",")))
		assert.Equal(t, tc.total, res.Total, tc.types)
		if tc.unknown == "" {
			assert.Empty(t, res.Unknown, tc.types)
		} else if assert.Len(t, res.Unknown, 1, tc.types) {
			assert.Equal(t, tc.unknown, res.Unknown[0].Name)
		}
	}
}
