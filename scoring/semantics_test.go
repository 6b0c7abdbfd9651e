package scoring_test

import (
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// crmLead is how a Go backend might hold a lead: tags name schema fields,
// untagged fields match by snake_case, pointers are optional.
type crmLead struct {
	Email      string    `lead:"email"`
	JobTitle   string    `lead:"title"`
	Industry   string    // matches "industry"
	Employees  *int      // matches "employees"; nil = missing
	Country    string    `lead:"country"`
	TechStack  []string  // matches "tech_stack"
	CreatedAt  time.Time // matches "created_at"
	Internal   string    `lead:"-"`
	NotInModel float64
}

func TestStructLeadScoresLikeTheMap(t *testing.T) {
	s := bundledScorer(t)
	employees := 250
	lead := crmLead{Email: "maria@acme.io", JobTitle: "VP Engineering", Industry: "Software", Employees: &employees,
		Country: "US", TechStack: []string{"Salesforce", "Slack"}, CreatedAt: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)}
	fromMap, err := s.Score(handCases[0].lead, asOf)
	require.NoError(t, err)
	for _, fields := range []any{lead, &lead} {
		fromStruct, err := s.Score(scoring.Lead{ID: "L1", Fields: fields, Events: handCases[0].lead.Events}, asOf)
		require.NoError(t, err)
		assert.Equal(t, []rules.Unknown{{Kind: rules.UnknownKey, Name: "not_in_model"}}, fromStruct.Unknown,
			"a struct field that feeds nothing is reported, as an unknown map key is")
		fromStruct.Unknown = nil
		assert.Equal(t, fromMap, fromStruct)
	}

	lead.Employees = nil // missing: no size points
	res, err := s.Score(scoring.Lead{Fields: lead}, asOf)
	require.NoError(t, err)
	assert.False(t, res.Fires("fit.mid-market"))
}

func TestBadLeadData(t *testing.T) {
	s := bundledScorer(t)
	tests := []struct {
		name string
		lead scoring.Lead
		want string
	}{
		{"required field missing", scoring.Lead{ID: "a", Fields: map[string]any{"title": "CTO"}},
			"lead a: email: required but missing"},
		{"null counts as missing", scoring.Lead{ID: "b", Fields: map[string]any{"email": nil}},
			"lead b: email: required but missing"},
		{"numbers written as text are refused", scoring.Lead{ID: "c", Fields: map[string]any{"email": "x@y.z", "employees": "250"}},
			`lead c: employees: want a whole number, got the text "250"`},
		{"every problem is listed", scoring.Lead{ID: "d", Fields: map[string]any{"employees": 2.5, "created_at": "yesterday", "tech_stack": []any{"a", 3.0}}},
			`lead d: email: required but missing; employees: want a whole number, got the number 2.5; tech_stack: want a list of texts, but item 2 is the number 3; created_at: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got "yesterday"`},
		{"event fields are checked too", scoring.Lead{ID: "e", Fields: map[string]any{"email": "x@y.z"},
			Events: []scoring.Event{ev("webinar_attended", 1, "minutes", "forty")}},
			`lead e: event webinar_attended at 2026-09-30T00:00:00Z: minutes: want a number, got the text "forty"`},
		{"a struct without the required field", scoring.Lead{ID: "f", Fields: struct{ Title string }{"CTO"}},
			"lead f: email: required but missing"},
		{"neither a map nor a struct", scoring.Lead{ID: "g", Fields: 42},
			"lead g: lead: want a struct or a map, got int"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Score(tc.lead, asOf)
			assert.Nil(t, res)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			var se *scoring.Error
			require.ErrorAs(t, err, &se)
			var le *rules.LeadError
			assert.ErrorAs(t, err, &le)
		})
	}
}

// compile compiles a small model written in a test.
func compile(t *testing.T, src string) *scoring.Scorer {
	t.Helper()
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	return scoring.New(m)
}

func TestRuntimeErrorIsAPositionedErrorNotAPanic(t *testing.T) {
	s := compile(t, `leadscore: 1
model: m
fields:
  employees: int
  teams: int
scores:
  fit: {}
rules:
  - id: r
    score: fit
    points: 1
    when: employees % teams == 0
stages:
  - {id: s, sales_ready: true, when: fit > 0}
`)
	res, err := s.Score(scoring.Lead{ID: "x", Fields: map[string]any{"employees": 10, "teams": 0}}, asOf)
	assert.Nil(t, res)
	require.Error(t, err)
	assert.Equal(t, "lead x: m.yaml:12:21: rule r: evaluating \"employees % teams == 0\": this takes the remainder of a division by zero: teams is 0 here, which gives no number (a number the data lacks reads as 0); test it first, such as teams != 0 && ... in a condition, or (teams != 0 ? ... : 0) in a number", err.Error())
	var ee *rules.EvalError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 12, ee.Pos.Line)
	assert.Equal(t, 21, ee.Pos.Col, "at the operator that failed")

	// The same scorer goes on scoring good leads.
	res, err = s.Score(scoring.Lead{Fields: map[string]any{"employees": 10, "teams": 5}}, asOf)
	require.NoError(t, err)
	assert.Equal(t, 1.0, res.Total)
}

func TestMissingFieldsDefaultsAndHas(t *testing.T) {
	s := compile(t, `leadscore: 1
model: m
fields:
  employees: int
  region: {type: string, default: emea}
  score_override: {type: float, default: 2.5}
  vip: bool
  tags: list
scores:
  fit: {}
rules:
  - {id: known-size, score: fit, points: 1, when: has(employees)}
  - {id: zero-size, score: fit, points: 10, when: employees == 0}
  - {id: emea, score: fit, points: 100, when: region == "emea"}
  - {id: region-given, score: fit, points: 1000, when: has(region)}
  - {id: override, score: fit, points: 10000, when: score_override == 2.5 && !vip && len(tags) == 0}
total: fit * 2
stages:
  - {id: s, sales_ready: true, when: total > 0}
`)
	res, err := s.Score(scoring.Lead{Fields: map[string]any{}}, asOf)
	require.NoError(t, err)
	// Missing: employees reads 0 (zero-size), region its default "emea" but has(region) is false.
	assert.Equal(t, []string{"zero-size", "emea", "override"}, res.RuleIDs())
	assert.Equal(t, 2*10110.0, res.Total, "total: fit * 2")

	res, err = s.Score(scoring.Lead{Fields: map[string]any{"employees": 0, "region": "emea", "vip": true}}, asOf)
	require.NoError(t, err)
	assert.Equal(t, []string{"known-size", "zero-size", "emea", "region-given"}, res.RuleIDs())
}

func TestEventGateAndEventsWithoutLimit(t *testing.T) {
	s := compile(t, `leadscore: 1
model: m
events:
  reason: string
scores:
  engagement: {max: 50}
rules:
  - {id: visits, score: engagement, points: 2, event: [page_view, email_click]}
  - id: gate.bounced
    disqualify: Email bounced
    event: email_bounced
    when: event.reason == "hard"
    within: 30d
stages:
  - {id: mql, when: engagement >= 4}
  - {id: sql, sales_ready: true, when: engagement >= 6}
`)
	events := []scoring.Event{ev("page_view", 1), ev("email_click", 2), ev("page_view", 400), ev("email_bounced", 40, "reason", "hard")}
	res, err := s.Score(scoring.Lead{Fields: map[string]any{}, Events: events}, asOf)
	require.NoError(t, err)
	assert.Equal(t, 6.0, res.Total, "3 events of either type, no limit, no window")
	assert.Equal(t, "sql", res.Stage)
	assert.False(t, res.Disqualified, "the bounce is older than 30 days")

	events = append(events, ev("email_bounced", 3, "reason", "soft"))
	res, err = s.Score(scoring.Lead{Fields: map[string]any{}, Events: events}, asOf)
	require.NoError(t, err)
	assert.False(t, res.Disqualified, "a soft bounce does not pass the gate's when")

	events = append(events, ev("email_bounced", 3, "reason", "hard"))
	res, err = s.Score(scoring.Lead{Fields: map[string]any{}, Events: events}, asOf)
	require.NoError(t, err)
	assert.True(t, res.Disqualified)
	assert.Equal(t, []scoring.Gate{{Rule: "gate.bounced", Reason: "Email bounced"}}, res.Gates)
	assert.Equal(t, "mql", res.Stage)
	assert.Equal(t, "sql", res.Blocked)
}

// generatedLeads makes leads with random fields and events for property tests.
func generatedLeads(n int, seed int64) []scoring.Lead {
	r := rand.New(rand.NewSource(seed))
	titles := []string{"VP Sales", "Student", "Marketing Manager", "CTO", "Analyst", ""}
	industries := []string{"software", "retail", "fintech", "SaaS", "education"}
	types := []string{"email_click", "page_view", "content_download", "webinar_attended", "demo_request", "trial_signup", "email_open"}
	domains := []string{"acme.io", "gmail.com", "rivalcrm.com", "bank.com"}
	leads := make([]scoring.Lead, n)
	for i := range leads {
		fields := map[string]any{
			"email":     fmt.Sprintf("p%d@%s", i, domains[r.Intn(len(domains))]),
			"title":     titles[r.Intn(len(titles))],
			"industry":  industries[r.Intn(len(industries))],
			"employees": float64(r.Intn(3000)),
			"country":   []string{"US", "DE", "BR"}[r.Intn(3)],
		}
		if r.Intn(2) == 0 {
			fields["created_at"] = ago(float64(r.Intn(200))).Format(time.RFC3339)
		}
		var events []scoring.Event
		for j := r.Intn(25); j > 0; j-- {
			events = append(events, ev(types[r.Intn(len(types))], r.Float64()*120-5,
				"url", []string{"/pricing", "/blog"}[r.Intn(2)], "minutes", float64(r.Intn(60))))
		}
		leads[i] = scoring.Lead{ID: fmt.Sprint("g", i), Fields: fields, Events: events}
	}
	return leads
}

func TestSameInputSameOutputWhateverTheOrder(t *testing.T) {
	s := bundledScorer(t)
	leads := generatedLeads(300, 1)
	first := map[string]*scoring.Result{}
	for _, l := range leads {
		res, err := s.Score(l, asOf)
		require.NoError(t, err)
		first[l.ID] = res
	}
	r := rand.New(rand.NewSource(2))
	r.Shuffle(len(leads), func(i, j int) { leads[i], leads[j] = leads[j], leads[i] })
	for _, l := range leads {
		events := append([]scoring.Event(nil), l.Events...)
		r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		l.Events = events
		res, err := s.Score(l, asOf)
		require.NoError(t, err)
		assert.Equal(t, first[l.ID], res, "lead %s scored in another order, with its events shuffled", l.ID)
	}
}

func TestConcurrentScoringMatchesSequential(t *testing.T) {
	s := bundledScorer(t)
	leads := generatedLeads(400, 3)
	want := make([]*scoring.Result, len(leads))
	for i, l := range leads {
		var err error
		want[i], err = s.Score(l, asOf)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(leads); i += 8 {
				got, err := s.Score(leads[i], asOf)
				if err != nil {
					errs <- err
					return
				}
				if !assert.ObjectsAreEqual(want[i], got) {
					errs <- fmt.Errorf("lead %s: concurrent result differs", leads[i].ID)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestScoreErrorUnwraps(t *testing.T) {
	_, err := bundledScorer(t).Score(scoring.Lead{ID: "z", Fields: map[string]any{}}, asOf)
	var le *rules.LeadError
	require.True(t, errors.As(err, &le))
	assert.Equal(t, []rules.FieldProblem{{Field: "email", Message: "required but missing"}}, le.Problems)
}

// An event rule's condition that reads a define reads this lead's value,
// not the previous lead's (the defines are evaluated before the events).
func TestEventRuleReadsThisLeadsDefine(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(`leadscore: 1
model: m
fields: {title: string}
define:
  vp: title matches "VP"
scores: {engagement: {}}
rules:
  - {id: e, score: engagement, event: visit, when: vp, points: 5}
stages:
  - {id: s, sales_ready: true, when: engagement > 0}
`))
	require.NoError(t, err)
	s := scoring.New(m)
	events := []scoring.Event{ev("visit", 1)}
	for round := 0; round < 3; round++ { // the pooled evaluation is reused
		vp, err := s.Score(scoring.Lead{Fields: map[string]any{"title": "VP Sales"}, Events: events}, asOf)
		require.NoError(t, err)
		assert.Equal(t, 5.0, vp.Total)
		eng, err := s.Score(scoring.Lead{Fields: map[string]any{"title": "Engineer"}, Events: events}, asOf)
		require.NoError(t, err)
		assert.Equal(t, 0.0, eng.Total, "round %d: the engineer is not a VP", round)
	}
}
