package stream_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// models are the models the properties are checked on: small ones written
// for decay, windows, limits, gates and lead-dependent conditions, and the
// bundled one.
var models = []string{
	"testdata/decay.yaml",
	"testdata/windows.yaml",
	"testdata/gates.yaml",
	"../../testdata/b2b-saas.yaml",
}

func load(t testing.TB, path string) *scoring.Scorer {
	t.Helper()
	m, err := rules.CompileFile(path)
	require.NoError(t, err)
	return scoring.New(m)
}

var base = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// values are what generated leads and events carry, by field name; a field
// not named here gets a value of its type.
var values = map[string][]any{
	"url":       {"/pricing", "/blog/x", "/pricing/enterprise", "/docs", ""},
	"minutes":   {5.0, 20.0, 45.0},
	"campaign":  {"", "spam", "q3-launch", "webinar-9"},
	"channel":   {"web", "email", "ads"},
	"reason":    {"spam", "abuse", "other"},
	"source":    {"web", "email", "ads"},
	"employees": {10.0, 60.0, 250.0, 1500.0},
	"country":   {"DE", "US", "GB", "XX"},
	"title":     {"VP Marketing", "Engineer", "Student", "Head of Sales", ""},
	"industry":  {"software", "retail", "fintech"},
	"email":     {"ana@acme.com", "bo@gmail.com", "cy@rivalcrm.com"},
}

// gen makes random leads and event streams for a model.
type gen struct {
	r *rand.Rand
	m *rules.Model
}

func newGen(seed uint64, m *rules.Model) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 0x5eed)), m: m}
}

func (g *gen) value(name string, typ dsl.FieldType) any {
	if vs, ok := values[name]; ok {
		return vs[g.r.IntN(len(vs))]
	}
	switch typ {
	case dsl.TypeTime:
		return base.Add(-time.Duration(g.r.IntN(200)) * 24 * time.Hour).Format(time.RFC3339)
	case dsl.TypeInt, dsl.TypeFloat:
		return float64(g.r.IntN(100))
	case dsl.TypeBool:
		return g.r.IntN(8) == 0
	case dsl.TypeList:
		return []any{"salesforce", "jira"}[:g.r.IntN(3)]
	}
	return "x"
}

// lead returns random lead fields, as decoded JSON.
func (g *gen) lead() map[string]any {
	out := map[string]any{}
	for _, f := range g.m.Fields {
		if f.Required || g.r.IntN(6) > 0 {
			out[f.Name] = g.value(f.Name, f.Type)
		}
	}
	return out
}

// types returns the event types the model's rules and aggregates read, and
// one nothing reads.
func (g *gen) types() []string {
	var ts []string
	for _, r := range slices.Concat(g.m.Rules, g.m.Gates) {
		ts = append(ts, r.Events...)
	}
	for _, a := range g.m.EventAggregates() {
		ts = append(ts, a.Type)
	}
	if len(g.m.EventTypes) > 0 {
		ts = append(ts, g.m.EventTypes...)
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}

// events returns n events over about span, in arrival order: mostly in
// time order, with some late by up to a few weeks and a few by months.
func (g *gen) events(n int, span time.Duration) []scoring.Event {
	types := g.types()
	evs := make([]scoring.Event, n)
	for i := range evs {
		at := base.Add(time.Duration(g.r.Int64N(int64(span))))
		if g.r.IntN(5) == 0 {
			at = at.Truncate(24 * time.Hour) // ties
		}
		e := scoring.Event{Type: types[g.r.IntN(len(types))], At: at, Fields: map[string]any{}}
		for _, f := range g.m.EventFields {
			if g.r.IntN(5) > 0 {
				e.Fields[f.Name] = g.value(f.Name, f.Type)
			}
		}
		evs[i] = e
	}
	slices.SortFunc(evs, func(a, b scoring.Event) int { return a.At.Compare(b.At) })
	// Delay some: each moves later in the arrival order.
	for i := 0; i < n/4; i++ {
		from := g.r.IntN(n)
		to := min(n-1, from+1+g.r.IntN(n/3+1))
		e := evs[from]
		copy(evs[from:to], evs[from+1:to+1])
		evs[to] = e
	}
	return evs
}

// after returns a time at or after t: t itself, a nanosecond, minutes, days
// or months later.
func (g *gen) after(t time.Time) time.Time {
	switch g.r.IntN(6) {
	case 0:
		return t
	case 1:
		return t.Add(1)
	case 2:
		return t.Add(time.Duration(g.r.IntN(600)) * time.Minute)
	case 3:
		return t.Add(time.Duration(g.r.IntN(40)) * 24 * time.Hour)
	case 4:
		return t.Add(time.Duration(g.r.IntN(400)) * 24 * time.Hour)
	}
	return t.Add(time.Duration(g.r.Int64N(int64(90 * 24 * time.Hour))))
}

// dispositions returns up to three dispositions over about span, without
// recycles when the model's recycle policy resets events (a state refuses
// those).
func (g *gen) dispositions(span time.Duration) []scoring.Disposition {
	statuses := []scoring.Status{scoring.Accepted, scoring.Rejected, scoring.Recycled}
	if h := g.m.Handoff; h != nil && len(h.ResetTypes) > 0 {
		statuses = statuses[:2]
	}
	var out []scoring.Disposition
	for range g.r.IntN(4) {
		d := scoring.Disposition{At: base.Add(time.Duration(g.r.Int64N(int64(span)))), Status: statuses[g.r.IntN(len(statuses))]}
		if d.Status != scoring.Accepted {
			d.Reason = "no_budget"
		}
		out = append(out, d)
	}
	return out
}

// view is what a result says, for comparing two.
type view struct {
	Total        float64
	Categories   []scoring.CategoryScore
	Fired        []scoring.Fired
	Grade, Stage string
	SalesReady   bool
	Disqualified bool
	Gates        []scoring.Gate
	Blocked      string
	Verdict      *scoring.Verdict
}

func viewOf(r *scoring.Result) view {
	return view{r.Total, r.Categories, r.Fired, r.Grade, r.Stage, r.SalesReady, r.Disqualified, r.Gates, r.Blocked, r.Verdict}
}
