package scoring_test

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring"
)

// naiveModel gives each person eng = the number of their visits; its
// accounts section has one roll-up of each kind.
const naiveModel = `leadscore: 1
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
  fields: {tier: int, customer: bool}
  scores: {fit: {min: 0, max: 100}, eng: {min: 0, max: 150}}
  roles: {decision_maker: title == "VP", user: title == "Engineer"}
  engaged: {when: eng >= 10, within: 30d}
  rules:
    - {id: fit.tier, score: fit, when: tier == 1, points: 40}
    - {id: r.sum, score: eng, people: sum, of: eng, max: 60}
    - {id: r.top, score: eng, people: top, top: 2, of: eng, weights: {decision_maker: 2}}
    - {id: r.count, score: eng, people: count, points: 5, when: eng >= 10, within: 30d}
    - {id: gate.customer, disqualify: Customer, when: customer}
  grades: [{grade: A, when: fit >= 40}, {grade: B}]
  stages:
    - {id: aware, when: engaged() >= 1}
    - {id: buying, sales_ready: true, when: 'engaged() >= 3 && engaged("decision_maker") >= 1'}
`

// naivePerson is a person as the naive scorer sees it.
type naivePerson struct {
	title            string
	visits, lastDays int
}

// naiveAccount scores an account of naiveModel by hand, in plain Go.
func naiveAccount(tier int, customer bool, people []naivePerson) (total float64, stage string, missing []string) {
	var sum float64
	var weighted []float64
	count, engaged, dmEngaged := 0, 0, 0
	hasRole := map[string]bool{}
	for _, p := range people {
		eng := float64(p.visits)
		sum += eng
		w := 1.0
		if p.title == "VP" {
			w = 2
			hasRole["decision_maker"] = true
		}
		if p.title == "Engineer" {
			hasRole["user"] = true
		}
		weighted = append(weighted, eng*w)
		active := p.visits > 0 && p.lastDays < 30
		if eng >= 10 && active {
			count++
			engaged++
			if p.title == "VP" {
				dmEngaged++
			}
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(weighted)))
	top := 0.0
	for i := 0; i < len(weighted) && i < 2; i++ {
		top += weighted[i]
	}
	eng := math.Min(math.Min(sum, 60)+top+5*float64(count), 150)
	fit := 0.0
	if tier == 1 {
		fit = 40
	}
	switch {
	case engaged >= 3 && dmEngaged >= 1 && !customer:
		stage = "buying"
	case engaged >= 1:
		stage = "aware"
	}
	for _, role := range []string{"decision_maker", "user"} {
		if !hasRole[role] {
			missing = append(missing, role)
		}
	}
	return fit + eng, stage, missing
}

// Account scores equal a naive re-implementation on random accounts.
func TestAccountsAgreeWithNaive(t *testing.T) {
	s := newAccountScorer(t, naiveModel)
	rng := rand.New(rand.NewSource(7))
	titles := []string{"VP", "Engineer", "Analyst"}
	type want struct {
		total   float64
		stage   string
		missing []string
	}
	var accounts []scoring.Account
	var leads []scoring.Lead
	var wants []want
	for i := range 300 {
		id := fmt.Sprintf("A%d", i)
		tier, customer := 1+rng.Intn(2), rng.Intn(8) == 0
		accounts = append(accounts, scoring.Account{ID: id, Fields: map[string]any{"tier": tier, "customer": customer}})
		var people []naivePerson
		for j := range rng.Intn(7) {
			p := naivePerson{title: titles[rng.Intn(3)], visits: rng.Intn(41), lastDays: rng.Intn(60)}
			people = append(people, p)
			var events []scoring.Event
			for k := range p.visits {
				events = append(events, scoring.Event{Type: "visit", At: asOf.Add(-time.Duration(p.lastDays+k)*24*time.Hour - time.Hour)})
			}
			leads = append(leads, scoring.Lead{ID: fmt.Sprintf("%s-%d", id, j), Fields: map[string]any{"account_id": id, "title": p.title}, Events: events})
		}
		total, stage, missing := naiveAccount(tier, customer, people)
		if missing == nil {
			missing = []string{}
		}
		wants = append(wants, want{total, stage, missing})
	}
	rng.Shuffle(len(leads), func(i, j int) { leads[i], leads[j] = leads[j], leads[i] })
	out, err := s.Score(accounts, leads, asOf)
	require.NoError(t, err)
	require.Empty(t, out.Errors)
	require.Equal(t, len(leads), out.ByID)
	stages := map[string]int{}
	for i, r := range out.Results {
		require.NotNil(t, r)
		assert.Equal(t, wants[i], want{r.Total, r.Stage, r.Missing}, accounts[i].ID)
		stages[r.Stage]++
	}
	// The random accounts reach every stage.
	assert.Greater(t, stages["buying"], 5)
	assert.Greater(t, stages["aware"], 5)
	assert.Greater(t, stages[""], 5)
}
