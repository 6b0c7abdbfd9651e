package scoring_test

import (
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// agreeLead feeds every field of testdata/b2b-saas.yaml; a nil pointer or
// slice, or the zero time, is a missing field, as an absent map key is.
type agreeLead struct {
	Email         string    `lead:"email"`
	Title         *string   `lead:"title"`
	Industry      *string   `lead:"industry"`
	Employees     *int      `lead:"employees"`
	AnnualRevenue *float64  `lead:"annual_revenue"`
	Country       *string   `lead:"country"`
	Source        *string   `lead:"source"`
	TechStack     []string  `lead:"tech_stack"`
	CreatedAt     time.Time `lead:"created_at"`
	Unsubscribed  *bool     `lead:"unsubscribed"`
}

// randomLeadShapes returns the same random lead as a map (what decoded JSON or a
// CRM client gives), as a struct, and as JSON.
func randomLeadShapes(r *rand.Rand, i int) (map[string]any, agreeLead, []byte, []scoring.Event) {
	pick := func(xs ...string) string { return xs[r.Intn(len(xs))] }
	m := map[string]any{"email": pick("maria@acme.io", "jo@gmail.com", "x@rival.com", "kim@fintech.co")}
	s := agreeLead{Email: m["email"].(string)}
	if r.Intn(4) > 0 {
		v := pick("VP Engineering", "Head of Growth", "Marketing Manager", "Student", "CEO", "")
		m["title"], s.Title = v, &v
	}
	if r.Intn(4) > 0 {
		v := pick("Software", "saas", "Retail", "fintech")
		m["industry"], s.Industry = v, &v
	}
	if r.Intn(4) > 0 {
		v := r.Intn(3000)
		m["employees"], s.Employees = v, &v
	}
	if r.Intn(3) > 0 {
		v := r.Float64() * 1e8
		m["annual_revenue"], s.AnnualRevenue = v, &v
	}
	if r.Intn(4) > 0 {
		v := pick("US", "GB", "DE", "BR", "CA")
		m["country"], s.Country = v, &v
	}
	if r.Intn(2) > 0 {
		v := pick("webinar", "ads", "partner", "organic")
		m["source"], s.Source = v, &v
	}
	if r.Intn(3) > 0 {
		v := []string{pick("Salesforce", "HubSpot", "Slack"), pick("Jira", "salesforce", "Zendesk")}
		m["tech_stack"], s.TechStack = v, v
	}
	if r.Intn(4) > 0 {
		v := asOf.Add(-time.Duration(r.Intn(200*24)) * time.Hour)
		m["created_at"], s.CreatedAt = v, v
	}
	if r.Intn(3) == 0 {
		v := r.Intn(2) == 0
		m["unsubscribed"], s.Unsubscribed = v, &v
	}
	var events []scoring.Event
	for n := r.Intn(8); n > 0; n-- {
		e := scoring.Event{Type: pick("page_view", "webinar_attended", "demo_request", "email_click", "trial_signup"),
			At: asOf.Add(-time.Duration(r.Intn(120*24)+1) * time.Hour)}
		if r.Intn(2) == 0 {
			e.Fields = map[string]any{"url": pick("/pricing", "/docs", "/blog"), "minutes": float64(r.Intn(60))}
		}
		events = append(events, e)
	}
	withEvents := map[string]any{"id": "R" + string(rune('A'+i%26))}
	for k, v := range m {
		withEvents[k] = v
	}
	withEvents["events"] = events
	data, err := json.Marshal(withEvents)
	if err != nil {
		panic(err)
	}
	return m, s, data, events
}

// The same data as a map, as a struct and as JSON always gives the same
// Result, whichever fields are missing.
func TestMapStructAndJSONAgree(t *testing.T) {
	s := bundledScorer(t)
	r := rand.New(rand.NewSource(7))
	fired := 0
	for i := 0; i < 2000; i++ {
		m, st, data, events := randomLeadShapes(r, i)
		id := "R" + string(rune('A'+i%26))
		fromMap, err := s.Score(scoring.Lead{ID: id, Fields: m, Events: events}, asOf)
		require.NoError(t, err)
		fromStruct, err := s.Score(scoring.Lead{ID: id, Fields: st, Events: events}, asOf)
		require.NoError(t, err)
		var lead scoring.Lead
		require.NoError(t, json.Unmarshal(data, &lead), string(data))
		fromJSON, err := s.Score(lead, asOf)
		require.NoError(t, err)
		require.Equal(t, fromMap, fromStruct, "map vs struct, lead %d: %s", i, data)
		require.Equal(t, fromMap, fromJSON, "map vs JSON, lead %d: %s", i, data)
		back, err := json.Marshal(scoring.Lead{ID: id, Fields: m, Events: events})
		require.NoError(t, err)
		var again scoring.Lead
		require.NoError(t, json.Unmarshal(back, &again))
		fromRoundTrip, err := s.Score(again, asOf)
		require.NoError(t, err)
		require.Equal(t, fromMap, fromRoundTrip, "Lead.MarshalJSON reads back, lead %d", i)
		fired += len(fromMap.Fired)
	}
	require.Greater(t, fired, 2000, "the random leads exercise the rules")
}

// The ladder is listed lowest first, and only its top rung is sales-ready;
// the same stages listed best first are refused, not silently misread.
func TestStageLadderOrder(t *testing.T) {
	model := func(stages string) string {
		return "leadscore: 1\nmodel: ladder\nfields: {n: int}\nscores: {fit: {}}\nrules:\n" +
			"  - {id: r, score: fit, points: 1, when: n > 0}\n  - {id: r2, score: fit, points: 1, when: n > 1}\n" +
			"  - {id: r3, score: fit, points: 1, when: n > 2}\nstages:\n" + stages
	}
	lowestFirst := "  - {id: engaged, when: fit >= 1}\n  - {id: mql, when: fit >= 2}\n  - {id: sql, sales_ready: true, when: fit >= 3}\n"
	m, err := rules.CompileBytes("ladder.yaml", []byte(model(lowestFirst)))
	require.NoError(t, err)
	s := scoring.New(m)
	for n, want := range map[int]struct {
		stage string
		ready bool
	}{0: {"", false}, 1: {"engaged", false}, 2: {"mql", false}, 3: {"sql", true}} {
		res, err := s.Score(scoring.Lead{Fields: map[string]any{"n": n}}, asOf)
		require.NoError(t, err)
		require.Equal(t, want.stage, res.Stage, "n=%d", n)
		require.Equal(t, want.ready, res.SalesReady, "n=%d: sales-ready only on the sales-ready stage", n)
	}

	bestFirst := "  - {id: sql, sales_ready: true, when: fit >= 3}\n  - {id: mql, when: fit >= 2}\n  - {id: engaged, when: fit >= 1}\n"
	_, err = rules.CompileBytes("ladder.yaml", []byte(model(bestFirst)))
	require.EqualError(t, err, "ladder.yaml:10:10: stage sql is sales-ready, but mql, engaged come after it; "+
		"stages are listed from the lowest to the highest (a lead stands on the highest stage that holds), "+
		"so the sales-ready stage comes last: it looks listed best first, as grades are: reverse the list")
}
