package leadfile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// readAll reads every lead of an NDJSON input, with its fields read
// straight into the model's slots (Options.Bound) or into maps.
func readAll(t *testing.T, s *scoring.Scorer, data []byte, bound bool) (leads []scoring.Lead, errs []string) {
	t.Helper()
	opts := leadfile.Options{Scorer: s, Input: bytes.NewReader(data), InputName: "leads.ndjson", Bound: bound}
	require.NoError(t, leadfile.Read(opts, func(line int, lead scoring.Lead, err error) error {
		if err != nil {
			errs = append(errs, fmt.Sprintf("%d: %v", line, err))
			return nil
		}
		leads = append(leads, lead)
		return nil
	}))
	return leads, errs
}

// TestBoundLeadsScoreAsMaps: a lead whose fields were read straight into
// the model's slots (*rules.Fields) scores, replays, explains its unknown
// data and reads its creation time exactly as the same lead decoded into
// a map, on the bundled leads and on generated ones; rows that are not
// plain fall back to maps and fail as they did.
func TestBoundLeadsScoreAsMaps(t *testing.T) {
	gen := new(bytes.Buffer)
	require.NoError(t, leadgen.WriteNDJSON(gen, leadgen.New(3), 150))
	inputs := map[string][]byte{"generated": gen.Bytes()}
	for _, name := range []string{"leads.ndjson", "backtest/leads.ndjson", "bad-leads.ndjson"} {
		data, err := os.ReadFile(testdata(name))
		require.NoError(t, err)
		inputs[name] = data
	}
	// A row that is not plain: a key the schema does not declare, sales'
	// verdicts, a value of another type, a key twice.
	inputs["mixed"] = []byte(`{"id":"a","email":"a@acme.io","title":"VP Sales","employees":250,"created_at":"2026-01-05T00:00:00Z","events":[{"type":"demo_requested","at":"2026-02-01T00:00:00Z"}]}
{"id":"b","title":"CTO","nickname":"bob","events":[{"type":"page_view","at":"2026-02-01T00:00:00Z","url":"/pricing"}]}
{"id":"c","employees":"many"}
{"id":"d","title":"CEO","title":"CFO"}
{"id":"e","title":"Head of Ops","dispositions":[{"at":"2026-03-01T00:00:00Z","status":"accepted"}]}
{"id":"f","email":"f@acme.io","events":[{"type":"page_view","at":"2026-02-01T00:00:00Z","channel":"web","url":"/pricing"}]}
{"id":"g","email":"g@acme.io","events":[{"type":"page_view","at":"2026-02-01T00:00:00Z","channel\u0000\"web\"\u0000url":"/pricing"}]}
{"id":"h","email":"h@acme.io","events":[{"type":"page_view","at":"2026-02-01T00:00:00Z","channel":"web","url":"/pricing"}]}
`)
	for _, model := range []string{"b2b-saas.yaml", "b2b-saas-v2.yaml"} {
		m, err := rules.CompileFile(testdata(model))
		require.NoError(t, err)
		s := scoring.New(m)
		var others []*scoring.Scorer
		for _, o := range []string{model, "b2b-saas.yaml", "b2b-saas-v2.yaml"} {
			om, err := rules.CompileFile(testdata(o))
			require.NoError(t, err)
			others = append(others, scoring.New(om))
		}
		for name, data := range inputs {
			t.Run(model+"/"+name, func(t *testing.T) {
				maps, mapErrs := readAll(t, s, data, false)
				bound, boundErrs := readAll(t, s, data, true)
				require.Equal(t, mapErrs, boundErrs, "the same rows fail, with the same errors")
				require.Len(t, bound, len(maps))
				slots := 0
				for i := range maps {
					ml, bl := maps[i], bound[i]
					if _, ok := bl.Fields.(*rules.Fields); ok {
						slots++
					}
					require.Equal(t, ml.ID, bl.ID)
					require.Equal(t, ml.Events, bl.Events, "lead %s: events", ml.ID)
					assert.Equal(t, s.Unknown(ml), s.Unknown(bl), "lead %s: unknown data", ml.ID)
					for _, f := range m.Fields {
						assert.Equal(t, ml.TimeField(f.Name), bl.TimeField(f.Name), "lead %s: field %s as a time", ml.ID, f.Name)
					}
					// Scored by another Scorer: one of the same schema (a
					// proposal), and one of another (the other model).
					for _, o := range others {
						mr, merr := o.Score(ml, asOf)
						br, berr := o.Score(bl, asOf)
						require.Equal(t, merr, berr, "lead %s, scored by another model", ml.ID)
						require.Equal(t, mr, br, "lead %s, scored by another model", ml.ID)
					}
					for _, at := range []time.Time{asOf, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)} {
						mr, merr := s.Score(ml, at)
						br, berr := s.Score(bl, at)
						require.Equal(t, merr, berr, "lead %s", ml.ID)
						require.Equal(t, mr, br, "lead %s: score as of %s", ml.ID, at)
						mt, merr := s.Timeline(ml, at)
						bt, berr := s.Timeline(bl, at)
						require.Equal(t, merr, berr, "lead %s", ml.ID)
						require.Equal(t, mt, bt, "lead %s: timeline as of %s", ml.ID, at)
						mm, merr := s.SalesMilestones(context.Background(), ml, at)
						bm, berr := s.SalesMilestones(context.Background(), bl, at)
						require.Equal(t, merr, berr)
						require.Equal(t, mm, bm, "lead %s: milestones", ml.ID)
					}
					// Written back as JSON, the lead reads and scores as before.
					raw, err := json.Marshal(bl)
					require.NoError(t, err)
					var again scoring.Lead
					require.NoError(t, json.Unmarshal(raw, &again))
					ar, aerr := s.Score(again, asOf)
					mr, merr := s.Score(ml, asOf)
					require.Equal(t, merr == nil, aerr == nil, "lead %s: %s", ml.ID, raw)
					if merr == nil {
						require.Equal(t, mr, ar, "lead %s: written back as %s", ml.ID, raw)
					}
				}
				if name != "bad-leads.ndjson" && name != "mixed" {
					require.Equal(t, len(maps), slots, "every plain row is read straight into the slots")
				} else {
					require.Greater(t, slots, 0)
					require.Less(t, slots, len(maps)+len(mapErrs), "rows that are not plain take the map path")
				}
			})
		}
	}
}

// TestBoundFieldsShared: one lead's slot-read fields bound by many
// goroutines at once (go test -race), each scoring it as one goroutine does.
func TestBoundFieldsShared(t *testing.T) {
	s := scorer(t)
	gen := new(bytes.Buffer)
	require.NoError(t, leadgen.WriteNDJSON(gen, leadgen.New(5), 40))
	leads, errs := readAll(t, s, gen.Bytes(), true)
	require.Empty(t, errs)
	want := make([]*scoring.Result, len(leads))
	for i, l := range leads {
		require.IsType(t, (*rules.Fields)(nil), l.Fields)
		r, err := s.Score(l, asOf)
		require.NoError(t, err)
		want[i] = r
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, l := range leads {
				r, err := s.Score(l, asOf)
				if assert.NoError(t, err) {
					assert.Equal(t, want[i], r)
				}
				if _, err := s.Timeline(l, asOf); err != nil {
					assert.NoError(t, err)
				}
			}
		}()
	}
	wg.Wait()
}
