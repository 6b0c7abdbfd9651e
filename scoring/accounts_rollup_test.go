package scoring_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// rollupModel gives each person eng = the number of their visits, so a
// test says a person's engagement by how many visits it gives them.
const rollupModel = `leadscore: 1
model: m
fields:
  account_id: string
  title: string
event_types: [visit]
scores:
  eng: {max: 1000}
rules:
  - {id: eng.visit, score: eng, event: visit, points: 1}
stages:
  - {id: sql, sales_ready: true, when: eng >= 50}
accounts:
  match: {id_field: account_id}
  fields:
    tier: int
  scores:
    fit: {max: 100}
    eng: {max: 1000}
  roles:
    decision_maker: title == "VP"
    user: title == "Engineer"
  engaged: {when: eng >= 10, within: 30d}
  rules:
    - {id: fit.tier, score: fit, when: tier == 1, points: 40}
    - {id: ROLLUP, score: eng, people: STRATEGY OPTIONS}
  stages:
    - {id: aware, when: engaged() >= 1}
    - {id: buying, sales_ready: true, when: 'engaged() >= 3 && engaged("decision_maker") >= 1'}
`

// person is a lead of account A with title and visits visits, the last
// lastDays days before asOf.
func person(id, title string, visits, lastDays int) scoring.Lead {
	var events []scoring.Event
	for i := range visits {
		events = append(events, scoring.Event{Type: "visit", At: asOf.Add(-time.Duration(lastDays+i) * 24 * time.Hour)})
	}
	return scoring.Lead{ID: id, Fields: map[string]any{"account_id": "A", "title": title}, Events: events}
}

// buyingGroup is an account's people: eng 40, 25, 12, 8 and 0.
var buyingGroup = []scoring.Lead{
	person("vp", "VP", 40, 2),          // engaged decision maker
	person("eng1", "Engineer", 25, 5),  // engaged user
	person("eng2", "Engineer", 12, 45), // eng 12 but last seen 45 days ago: not engaged
	person("an", "Analyst", 8, 1),      // seen lately, eng below 10: not engaged
	person("new", "Engineer", 0, 0),    // no events
}

func scoreRollup(t *testing.T, strategy, options string, leads []scoring.Lead) *scoring.AccountResult {
	t.Helper()
	src := strings.Replace(rollupModel, "ROLLUP", "r."+strategy, 1)
	src = strings.Replace(src, "STRATEGY OPTIONS", strategy+options, 1)
	s := newAccountScorer(t, src)
	out, err := s.Score([]scoring.Account{{ID: "A", Fields: map[string]any{"tier": 1}}}, leads, asOf)
	require.NoError(t, err)
	require.Empty(t, out.Errors)
	return out.Results[0]
}

// Each strategy, worked by hand on buyingGroup.
func TestRollupStrategies(t *testing.T) {
	for _, tc := range []struct {
		strategy, options string
		points            float64
		from              string
	}{
		{"sum", ", of: eng", 85, "vp:40 eng1:25 eng2:12 an:8 new:0"},
		{"sum", ", of: eng, max: 50", 50, "vp:40 eng1:25 eng2:12 an:8 new:0"},              // capped
		{"sum", ", of: eng, when: eng >= 10", 77, "vp:40 eng1:25 eng2:12"},                 // which people
		{"sum", ", of: eng, within: 30d", 73, "vp:40 eng1:25 an:8"},                        // active lately
		{"sum", ", of: eng * 2, when: title == \"Engineer\"", 74, "eng1:50 eng2:24 new:0"}, // any number
		{"max", ", of: eng", 40, "vp:40"},
		{"top", ", of: eng, top: 2", 65, "vp:40 eng1:25"},
		{"top", ", of: eng, top: 3, max: 60", 60, "vp:40 eng1:25 eng2:12"},
		{"top", ", of: eng, top: 9", 85, "vp:40 eng1:25 eng2:12 an:8 new:0"},
		{"count", ", points: 5", 25, "an:5 eng1:5 eng2:5 new:5 vp:5"},
		// distinct engaged people within a window
		{"count", ", points: 10, when: eng >= 10, within: 30d", 20, "eng1:10 vp:10"},
		{"count", ", points: 10, when: eng >= 10, within: 30d, max: 15", 15, "eng1:10 vp:10"},
	} {
		t.Run(tc.strategy+tc.options, func(t *testing.T) {
			r := scoreRollup(t, tc.strategy, tc.options, buyingGroup)
			require.Len(t, r.Rollups, 1)
			rp := r.Rollups[0]
			assert.Equal(t, tc.points, rp.Points)
			var from []string
			for _, p := range rp.From {
				from = append(from, fmt.Sprintf("%s:%v", p.LeadID, p.Value))
			}
			assert.Equal(t, tc.from, strings.Join(from, " "))
			assert.Equal(t, 40+tc.points, r.Total, "fit 40 from the tier, and the roll-up")
			assert.Equal(t, tc.points, r.Score("eng"))
		})
	}
}

// Roles and the buying group: who holds which role, who is engaged, what
// people() and engaged() count in a stage.
func TestBuyingGroupCoverage(t *testing.T) {
	r := scoreRollup(t, "max", ", of: eng", buyingGroup)
	assert.Equal(t, 5, r.People)
	assert.Equal(t, 2, r.Engaged)
	assert.Equal(t, []scoring.RoleCount{{Role: "decision_maker", People: 1, Engaged: 1}, {Role: "user", People: 3, Engaged: 1}}, r.Roles)
	assert.Equal(t, []string{}, r.Missing)
	assert.Equal(t, "aware", r.Stage, "two engaged people of the three the sales-ready stage asks")

	// A third engaged person makes it sales-ready, with a decision maker.
	more := append(append([]scoring.Lead{}, buyingGroup...), person("eng3", "Engineer", 10, 29))
	r = scoreRollup(t, "max", ", of: eng", more)
	assert.Equal(t, 3, r.Engaged)
	assert.Equal(t, "buying", r.Stage)
	assert.True(t, r.SalesReady)

	// Without the decision maker it is not, and the role is missing.
	var noVP []scoring.Lead
	for _, l := range more {
		if l.ID != "vp" {
			noVP = append(noVP, l)
		}
	}
	noVP = append(noVP, person("eng4", "Engineer", 30, 3))
	r = scoreRollup(t, "max", ", of: eng", noVP)
	assert.Equal(t, 3, r.Engaged)
	assert.Equal(t, "aware", r.Stage)
	assert.Equal(t, []string{"decision_maker"}, r.Missing)
}

// loadAccountsExample reads testdata/accounts.
func loadAccountsExample(t testing.TB) (*scoring.AccountScorer, []scoring.Account, []scoring.Lead) {
	t.Helper()
	m, err := rules.CompileFile("../testdata/accounts/model.yaml")
	require.NoError(t, err)
	s, err := scoring.NewAccountScorer(m)
	require.NoError(t, err)
	var leads []scoring.Lead
	for _, line := range readLines(t, "../testdata/accounts/leads.ndjson") {
		var lead scoring.Lead
		require.NoError(t, json.Unmarshal([]byte(line), &lead))
		leads = append(leads, lead)
	}
	var accounts []scoring.Account
	for _, line := range readLines(t, "../testdata/accounts/accounts.ndjson") {
		var obj map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &obj))
		id := obj["id"].(string)
		delete(obj, "id")
		accounts = append(accounts, scoring.Account{ID: id, Fields: obj})
	}
	return s, accounts, leads
}

func readLines(t testing.TB, name string) []string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// The bundled example, worked by hand (as of 2026-10-01).
func TestAccountsExampleByHand(t *testing.T) {
	s, accounts, leads := loadAccountsExample(t)
	out, err := s.Score(accounts, leads, asOf)
	require.NoError(t, err)
	require.Empty(t, out.Errors)
	assert.Equal(t, 14, out.Leads)
	assert.Equal(t, 1, out.ByID)      // L06: a gmail address, but account_id A-GLOBEX
	assert.Equal(t, 10, out.ByDomain) // L07 through the alias initech.co.uk
	assert.Equal(t, []scoring.Unmatched{
		{LeadID: "L12", Reason: "no account_id; gmail.com is a free-mail domain"},
		{LeadID: "L13", Reason: "no account_id; no account has the domain unknown-startup.com"},
		{LeadID: "L14", Reason: "account_id A-NOPE is no account's id; hotmail.com is a free-mail domain"},
	}, out.Unmatched)

	type want struct {
		fit, eng, total float64
		grade, stage    string
		salesReady, dq  bool
		people, engaged int
		missing         []string
	}
	for i, w := range []want{
		// ACME: software (25) and 1,200 employees (25): fit 50.
		// People's engagement: L01 demo 40; L02 two pricing views 20 and a
		// 45-minute webinar 15 = 35; L03 click 3 and pricing 10 = 13; L04
		// a click in June, out of every window = 0. Top three 40+35+13 =
		// 88, capped at 80; breadth: three engaged people × 5 = 15.
		// Engagement 95, total 145; grade A (fit 50); three engaged people
		// with a decision maker (L01): buying-group, sales-ready.
		{50, 95, 145, "A", "buying-group", true, false, 4, 3, []string{}},
		// GLOBEX: fintech, 350 employees: fit 50. L05 webinar 15, L06 a
		// pricing view 10: top 25, breadth 2 × 5 = 10; engagement 35.
		// Two engaged people: aware; no champion.
		{50, 35, 85, "A", "aware", false, false, 2, 2, []string{"champion"}},
		// INITECH: manufacturing, 90 employees: fit 0. L07 a click 30
		// days ago (3), L08 nothing: top 3, nobody engaged. Grade C.
		{0, 3, 3, "C", "", false, false, 2, 0, []string{"champion"}},
		// UMBRELLA: SaaS, 5,000 employees: fit 50. L09 demo 40, L10 and L11
		// a pricing view each (10, 10): top 60, breadth 15: engagement 75.
		// Three engaged with the CTO, but a customer: the gate holds it
		// at aware.
		{50, 75, 125, "A", "aware", false, true, 3, 3, []string{"champion"}},
		// HOOLI: software, 40 employees: fit 25, nobody: every role missing.
		{25, 0, 25, "B", "", false, false, 0, 0, []string{"decision_maker", "champion", "user"}},
	} {
		r := out.Results[i]
		require.NotNil(t, r, accounts[i].ID)
		got := want{r.Score("fit"), r.Score("engagement"), r.Total, r.Grade, r.Stage, r.SalesReady, r.Disqualified, r.People, r.Engaged, r.Missing}
		assert.Equal(t, w, got, accounts[i].ID)
	}
	assert.Equal(t, "buying-group", out.Results[3].Blocked, "UMBRELLA would be sales-ready but for the gate")
	assert.Equal(t, []scoring.Gate{{Rule: "gate.customer", Reason: "Already a customer; the account team owns it"}}, out.Results[3].Gates)
}

// An account's result depends only on its people and its own fields: the
// order of the leads, and other accounts' leads, change nothing.
func TestAccountResultIgnoresOrder(t *testing.T) {
	s, accounts, leads := loadAccountsExample(t)
	base, err := s.Score(accounts, leads, asOf)
	require.NoError(t, err)
	want := resultsJSON(t, base)
	rng := rand.New(rand.NewSource(30))
	for range 50 {
		shuffled := append([]scoring.Lead{}, leads...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		// Each account alone, with only its own people, says the same.
		out, err := s.Score(accounts, shuffled, asOf)
		require.NoError(t, err)
		require.Equal(t, want, resultsJSON(t, out))
		i := rng.Intn(len(accounts))
		var own []scoring.Lead
		for _, l := range shuffled {
			for _, p := range base.Results[i].Members {
				if p.LeadID == l.ID {
					own = append(own, l)
				}
			}
		}
		alone, err := s.Score(accounts[i:i+1], own, asOf)
		require.NoError(t, err)
		assert.Equal(t, accountJSON(t, base.Results[i]), accountJSON(t, alone.Results[0]))
	}
}

func resultsJSON(t *testing.T, out *scoring.AccountsScored) []string {
	var s []string
	for _, r := range out.Results {
		s = append(s, accountJSON(t, r))
	}
	return s
}

func accountJSON(t *testing.T, r *scoring.AccountResult) string {
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var people []string
	for _, p := range r.Members {
		pb, err := json.Marshal(p.Result)
		require.NoError(t, err)
		people = append(people, string(pb))
	}
	return string(b) + strings.Join(people, "\n")
}

// An AccountScorer is safe for concurrent use.
func TestAccountScorerConcurrent(t *testing.T) {
	s, accounts, leads := loadAccountsExample(t)
	base, err := s.Score(accounts, leads, asOf)
	require.NoError(t, err)
	want := resultsJSON(t, base)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := s.Score(accounts, leads, asOf)
			assert.NoError(t, err)
			assert.Equal(t, want, resultsJSON(t, out))
		}()
	}
	wg.Wait()
}

// A person made elsewhere, or nil, is an error, not a panic.
func TestScoreAccountRefusesStrangers(t *testing.T) {
	s, _, _ := loadAccountsExample(t)
	_, err := s.ScoreAccount(scoring.Account{ID: "A"}, []*scoring.Person{nil}, asOf)
	require.Error(t, err)
	assert.Equal(t, "account A: a person was not scored by this AccountScorer (use its Person method)", err.Error())
	_, err = s.ScoreAccount(scoring.Account{ID: "A"}, []*scoring.Person{{LeadID: "x"}}, asOf)
	require.Error(t, err)
	_, err = scoring.NewAccountScorer(nil)
	assert.ErrorIs(t, err, scoring.ErrNoAccounts)
}

// Champion-weighted: a person's value times the highest weight of the
// roles they hold.
func TestRollupWeights(t *testing.T) {
	// vp (decision maker) 40 × 2 = 80, eng1 (user) 25 × 0.5 = 12.5,
	// eng2 (user) 12 × 0.5 = 6, an 8 (no weighted role), new 0.
	r := scoreRollup(t, "sum", ", of: eng, weights: {decision_maker: 2, user: 0.5}", buyingGroup)
	assert.Equal(t, 106.5, r.Rollups[0].Points)
	// count: 10 a person, weighted: vp 20, eng1 5; capped at 22.
	r = scoreRollup(t, "count", ", points: 10, when: eng >= 10, within: 30d, weights: {decision_maker: 2, user: 0.5}, max: 22", buyingGroup)
	assert.Equal(t, 22.0, r.Rollups[0].Points)
	assert.Equal(t, 25.0, r.Rollups[0].Uncapped)
}

// ExplainAccount explains the account's own model part by part, with
// the counts of people named as the rule file writes them.
func TestExplainAccount(t *testing.T) {
	s, accounts, leads := loadAccountsExample(t)
	out, err := s.Score(accounts, leads, asOf)
	require.NoError(t, err)
	x, err := s.ExplainAccount(out.Results[1]) // GLOBEX: two engaged people
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, x.WriteStages(&b))
	assert.Equal(t, `
stages:
  yes  aware
         yes  engaged() >= 1                                 engaged() = 2
  no   buying-group (sales-ready)
         no   and:
           no   engaged() >= 3                               engaged() = 2
           --   engaged("decision_maker") >= 1   (not evaluated)
           --   grade != "C"   (not evaluated)

to reach buying-group:
  needs  engaged() >= 3
`, b.String())
	require.Len(t, x.Rules, 2, "the rules over the account's fields; roll-ups are in Rollups")
	assert.Equal(t, "account.industry", x.Rules[0].Rule)
	assert.Equal(t, 85.0, x.Result.Total, "the roll-ups' points are in the result explained")

	_, err = s.ExplainAccount(&scoring.AccountResult{})
	assert.Error(t, err)
}
