package scoring_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// The evaluator runs the common shapes of expression as Go closures and
// the rest on expr's VM (see rules/fast.go). These tests score the same
// leads with it and with the VM alone, and want the same results, bit for
// bit: scores, fired rules, explanations, timelines and errors.

// diffModels are every bundled model, the shapes model (every shape the
// closures cover, and some they leave to the VM), and the shapes model with
// a budget of steps so small that predicates run out of it.
func diffModels(t testing.TB) map[string]*rules.Model {
	t.Helper()
	out := map[string]*rules.Model{}
	for _, path := range []string{
		"../testdata/b2b-saas.yaml", "../testdata/b2b-saas-v2.yaml", "../testdata/nested/company.yaml",
		"../testdata/backtest/small/tiny.yaml", "../testdata/lint/sloppy.yaml",
		"testdata/shapes.yaml", "testdata/nested-events.yaml", "testdata/division.yaml",
	} {
		m, err := rules.CompileFile(path)
		require.NoError(t, err, path)
		out[filepath.Base(path)] = m
	}
	m, err := rules.CompileFile("testdata/shapes.yaml", rules.WithLimits(rules.Limits{MaxSteps: 16}))
	require.NoError(t, err)
	out["shapes.yaml with 16 steps"] = m
	return out
}

// genLead makes a lead for m's schema: each field missing, null, a value
// of its type (often one that sits on an edge) or of another type, plus
// now and then an unknown key; and events of the model's types and others.
func genLead(r *rand.Rand, m *rules.Model, id int) scoring.Lead {
	fields := map[string]any{}
	for _, f := range m.Fields {
		if r.IntN(8) == 0 {
			continue
		}
		setPath(fields, f.Name, genValue(r, f.Type))
	}
	if r.IntN(10) == 0 {
		fields["Employees"] = 12.0
	}
	var events []scoring.Event
	types := append(append([]string{}, m.EventTypes...), "page_view", "demo_request", "webinar_attended", "odd_type")
	for range r.IntN(7) {
		ef := map[string]any{}
		for _, f := range m.EventFields {
			if r.IntN(3) > 0 {
				setPath(ef, f.Name, genValue(r, f.Type))
			}
		}
		if r.IntN(10) == 0 {
			ef["URL"] = "/x"
		}
		at := asOf.Add(-time.Duration(r.Float64()*200*24) * time.Hour)
		if r.IntN(10) == 0 {
			at = asOf.Add(time.Hour) // after the as-of time
		}
		events = append(events, scoring.Event{Type: types[r.IntN(len(types))], At: at, Fields: ef})
	}
	return scoring.Lead{ID: fmt.Sprint("G", id), Fields: fields, Events: events}
}

// setPath sets a possibly nested field (company.size) in nested maps or,
// half the time, under its flat name.
func setPath(m map[string]any, name string, v any) {
	if len(name) > 0 && name[0] != '.' {
		for i := range len(name) {
			if name[i] == '.' && len(m)%2 == 0 {
				sub, ok := m[name[:i]].(map[string]any)
				if !ok {
					sub = map[string]any{}
					m[name[:i]] = sub
				}
				setPath(sub, name[i+1:], v)
				return
			}
		}
	}
	m[name] = v
}

var (
	genTexts = []string{"", "VP of Sales", "vice president, growth", "Head of Data", "HEAD", "ſtudent intern", "Intern",
		"Kelvin \u212a cto", "vice preſident", "ſtudent", "\u212aelvin intern", "c-level", "the_cto", "cto_", "CTO.", "Directorate", "Engineer", "Senior Manager", "\xff\xfe",
		"gmail.com", "a@gmail.com", "b@XYZ.io ", "saas", "SaaS", "Software", "fintech", "m", "zeta", "hubspot", "x",
		"/pricing", "/pricing/enterprise", "/", "Alpha", "Alpha beta gamma", "Manager", "ab@c@d"}
	genNumbers = []any{0.0, 1.0, 3.0, 7.0, 49.0, 50.0, 999.0, 1000.0, 2500.0, 1e6, -5.0, 2.5, 20.0, 1e300, 5001.0, 1 << 40, math.Inf(1), json.Number("42"), 12}
	genTimes   = []any{"2026-09-20", "2026-06-01T00:00:00Z", "2025-01-01T10:00:00+02:00", "not a time", "2026-10-01T00:00:00Z", time.Time{}, asOf.Add(-48 * time.Hour)}
	genLists   = []any{[]any{}, []any{"hubspot"}, []any{"Salesforce", "HubSpot", "x"}, []any{"x", "z"}, []any{"software", "SAAS"}, []any{1.0}, []string{"hubspot", "x"}, nil,
		[]any{"a", "b", "c", "d", "e", "f", "g", "h"}}
)

func genValue(r *rand.Rand, t dsl.FieldType) any {
	if r.IntN(12) == 0 {
		return nil
	}
	if r.IntN(12) == 0 { // another type's value
		t = []dsl.FieldType{dsl.TypeString, dsl.TypeInt, dsl.TypeBool, dsl.TypeList, dsl.TypeTime}[r.IntN(5)]
	}
	switch t {
	case dsl.TypeString:
		return genTexts[r.IntN(len(genTexts))]
	case dsl.TypeInt, dsl.TypeFloat:
		return genNumbers[r.IntN(len(genNumbers))]
	case dsl.TypeBool:
		return r.IntN(2) == 0
	case dsl.TypeTime:
		return genTimes[r.IntN(len(genTimes))]
	case dsl.TypeList:
		return genLists[r.IntN(len(genLists))]
	}
	return nil
}

// sameOutcome fails unless the fast and plain scorers gave the same result
// or the same error.
func sameOutcome(t testing.TB, what string, fast, plain any, fastErr, plainErr error) bool {
	t.Helper()
	if (fastErr == nil) != (plainErr == nil) {
		t.Errorf("%s: errors differ: fast %v, plain %v", what, fastErr, plainErr)
		return false
	}
	if fastErr != nil {
		if fastErr.Error() != plainErr.Error() || reflect.TypeOf(errors.Unwrap(fastErr)) != reflect.TypeOf(errors.Unwrap(plainErr)) {
			t.Errorf("%s: errors differ:\nfast  %v\nplain %v", what, fastErr, plainErr)
			return false
		}
		var fe, pe *rules.LimitError
		if errors.As(fastErr, &fe) != errors.As(plainErr, &pe) {
			t.Errorf("%s: one error is a LimitError, the other not: %v", what, fastErr)
			return false
		}
		return true
	}
	if !reflect.DeepEqual(fast, plain) {
		t.Errorf("%s: results differ:\nfast  %+v\nplain %+v", what, fast, plain)
		return false
	}
	return true
}

// checkLead scores, explains and (now and then) replays one lead both ways.
func checkLead(t testing.TB, name string, fast, plain *scoring.Scorer, lead scoring.Lead, timeline bool) bool {
	t.Helper()
	what := name + " " + lead.ID
	fr, fe := fast.Score(lead, asOf)
	pr, pe := plain.Score(lead, asOf)
	if !sameOutcome(t, what+" score", fr, pr, fe, pe) {
		return false
	}
	fx, fe := fast.Explain(lead, asOf)
	px, pe := plain.Explain(lead, asOf)
	if !sameOutcome(t, what+" explain", fx, px, fe, pe) {
		return false
	}
	if timeline {
		ft, fe := fast.Timeline(lead, asOf)
		pt, pe := plain.Timeline(lead, asOf)
		return sameOutcome(t, what+" timeline", ft, pt, fe, pe)
	}
	return true
}

func TestFastPathsAgreeWithTheVM(t *testing.T) {
	bundled := benchLeads(t)
	for name, m := range diffModels(t) {
		t.Run(name, func(t *testing.T) {
			fast, plain := scoring.New(m), scoring.NewPlain(m)
			r := rand.New(rand.NewPCG(17, uint64(len(name))))
			n, failed := 0, 0
			for i := range 3000 {
				lead := genLead(r, m, i)
				if _, err := plain.Score(lead, asOf); err != nil {
					failed++
				}
				if !checkLead(t, name, fast, plain, lead, i%10 == 0) {
					return
				}
				n++
			}
			for i, lead := range bundled {
				if i%3 == 0 && !checkLead(t, name, fast, plain, lead, i%30 == 0) {
					return
				}
			}
			// The generated leads reach both outcomes: scored, and refused
			// (bad data, or a budget run out).
			require.Greater(t, failed, 50, "leads refused")
			require.Greater(t, n-failed, 50, "leads scored")
		})
	}
}

// The budget of steps runs out inside closures for some leads of the
// shapes model with 16 steps: the fast path gives up and the VM reports it,
// with the same error.
func TestFastPathsGiveUpLikeTheVM(t *testing.T) {
	m, err := rules.CompileFile("testdata/shapes.yaml", rules.WithLimits(rules.Limits{MaxSteps: 16}))
	require.NoError(t, err)
	fast, plain := scoring.New(m), scoring.NewPlain(m)
	lead := scoring.Lead{ID: "L", Fields: map[string]any{"email": "a@b.io", "tags": []any{"a", "b", "c", "d"}}}
	_, fe := fast.Score(lead, asOf)
	_, pe := plain.Score(lead, asOf)
	require.Error(t, pe)
	var le *rules.LimitError
	require.ErrorAs(t, fe, &le)
	require.Equal(t, "steps", le.Limit)
	require.Equal(t, pe.Error(), fe.Error())
}

// FuzzFastPathsAgreeWithTheVM scores arbitrary JSON leads with every model
// both ways.
func FuzzFastPathsAgreeWithTheVM(f *testing.F) {
	f.Add(`{"email":"a@b.io","title":"VP","employees":250,"tags":["hubspot"],"tech_stack":["hubspot"],"created_at":"2026-01-01"}`,
		`[{"type":"page_view","url":"/pricing","minutes":30,"n":3},{"type":"webinar_attended","minutes":30}]`)
	f.Add(`{"email":null,"employees":"x","unsubscribed":"yes","title":"ſtudent"}`, `[{"type":"demo_request","minutes":"a","n":9}]`)
	f.Add(`{"email":"a@b","title":"Head of \u212a","tags":["x","x","z"],"revenue":1e308}`, `[]`)
	models := diffModels(f)
	type pair struct{ fast, plain *scoring.Scorer }
	var scorers []pair
	var names []string
	for name, m := range models {
		scorers = append(scorers, pair{scoring.New(m), scoring.NewPlain(m)})
		names = append(names, name)
	}
	f.Fuzz(func(t *testing.T, lead, events string) {
		l, ok := fuzzLead(lead, events)
		if !ok {
			return
		}
		for i, p := range scorers {
			checkLead(t, names[i], p.fast, p.plain, l, true)
		}
	})
}
