package scoring_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// checkJSONLine scores one NDJSON line straight from its bytes and by the
// general path (leadfile.DecodeJSON, then Score): where the straight path
// takes the line, both give the same result or the same error. It reports
// whether the straight path took it.
func checkJSONLine(t testing.TB, name string, s *scoring.Scorer, line []byte) bool {
	t.Helper()
	res, id, ok, err := scoring.ScoreJSON(s, line, asOf)
	if !ok {
		return false
	}
	lead, derr := leadfile.DecodeJSON(line)
	if derr != nil {
		t.Fatalf("%s %q: taken straight, but it does not decode: %v", name, line, derr)
	}
	if id != lead.ID {
		t.Fatalf("%s %q: id %q, decoded %q", name, line, id, lead.ID)
	}
	want, werr := s.Score(lead, asOf)
	sameOutcome(t, name+" "+string(line), res, want, err, werr)
	return true
}

func jsonLines(t testing.TB) [][]byte {
	var lines [][]byte
	for _, name := range []string{"leads.ndjson", "bad-leads.ndjson"} {
		f, err := os.Open(filepath.Join("..", "testdata", name))
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
		f.Close()
	}
	var gen bytes.Buffer
	require.NoError(t, leadgen.WriteNDJSON(&gen, leadgen.New(11), 2000))
	lines = append(lines, bytes.Split(gen.Bytes(), []byte("\n"))...)
	for _, s := range []string{
		`{"id":7,"email":"a@b.io","employees":12.0,"tags":[],"tech_stack":[],"events":[]}`,
		`{"id":null,"email":"a@b.io","title":null,"employees":1e3,"revenue":-0,"unsubscribed":true,"events":null}`,
		`{"email":"a@b.io","employees":12.5}`, `{"email":"a@b.io","Employees":12}`, `{"title":"VP"}`,
		`{"email":"a@b.io","email":"b@c.io"}`, `{"email":"a@b.io","events":[{"type":"page_view"}]}`,
		`{"email":"a@b.io","events":[{"type":"page_view","at":"2026-09-01","url":"/pricing","url":"/"}]}`,
		`{"email":"a@b.io","events":[{"type":"","at":"2026-09-01"}]}`, `{"email":"a@b.io","created_at":"yesterday"}`,
		`{"email":"a@b.io","tech_stack":["a",1]}`, `{"email":"a@b.io","tags":["x","x"],"hint":3,"vip":false}`,
		`{"email":"a@b.io","created_at":"0001-01-01T00:00:00Z","events":[{"type":"odd","at":"2026-09-01T10:00:00+02:00","n":{"deep":[1,2]}}]}`,
		`{"id":"\u004c1","email":"a\u0040b.io","title":"Vice Pre\u017fident"}`, ` {"email":"a@b.io"} `, `{"email":"a@b.io"}x`,
	} {
		lines = append(lines, []byte(s))
	}
	return lines
}

// genLines writes leads generated for m's schema (see genLead) as NDJSON
// lines; a lead JSON cannot hold (an infinite number) is left out.
func genLines(t testing.TB, m *rules.Model, n int) [][]byte {
	r := rand.New(rand.NewPCG(23, uint64(n)))
	var out [][]byte
	for i := range n {
		lead := genLead(r, m, i)
		obj := map[string]any{}
		for k, v := range lead.Fields.(map[string]any) {
			obj[k] = v
		}
		if i%5 > 0 {
			obj["id"] = lead.ID
		}
		var events []map[string]any
		for _, e := range lead.Events {
			ev := map[string]any{"type": e.Type, "at": e.At}
			for k, v := range e.Fields {
				ev[k] = v
			}
			events = append(events, ev)
		}
		if len(events) > 0 || i%3 == 0 {
			obj["events"] = events
		}
		line, err := json.Marshal(obj)
		if err == nil {
			out = append(out, line)
		}
	}
	return out
}

func TestScoreJSONAgreesWithDecodeThenScore(t *testing.T) {
	for name, m := range diffModels(t) {
		t.Run(name, func(t *testing.T) {
			s := scoring.New(m)
			took := 0
			for _, l := range append(jsonLines(t), genLines(t, m, 3000)...) {
				if checkJSONLine(t, name, s, l) {
					took++
				}
			}
			if !strings.Contains(name, "company") { // a model with nested fields takes the general path
				require.Greater(t, took, 500, "lines scored straight from their bytes")
			}
		})
	}
}

// FuzzStraightNDJSONAgreesWithDecodeThenScore checks the straight path on any
// line, with every model.
func FuzzStraightNDJSONAgreesWithDecodeThenScore(f *testing.F) {
	for _, l := range jsonLines(f)[:40] {
		f.Add(l)
	}
	f.Add([]byte(`{"id":"x","email":"a@b.io","tags":["hubspot"],"events":[{"type":"page_view","at":"2026-09-01T00:00:00Z","url":"/pricing","n":3,"minutes":25}]}`))
	var scorers []*scoring.Scorer
	var names []string
	for name, m := range diffModels(f) {
		scorers = append(scorers, scoring.New(m))
		names = append(names, name)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for i, s := range scorers {
			checkJSONLine(t, names[i], s, line)
		}
	})
}
