package scoring_test

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/leadscore/leadscore/scoring"
)

// benchAccounts are 1,000 accounts of naiveModel with 0 to 19 people
// each (about 10,000 leads), with up to 20 visits a person.
func benchAccounts(b *testing.B) (*scoring.AccountScorer, []scoring.Account, []scoring.Lead) {
	s := newAccountScorer(b, naiveModel)
	rng := rand.New(rand.NewSource(1))
	titles := []string{"VP", "Engineer", "Analyst"}
	var accounts []scoring.Account
	var leads []scoring.Lead
	for i := range 1000 {
		id := fmt.Sprintf("A%d", i)
		accounts = append(accounts, scoring.Account{ID: id, Fields: map[string]any{"tier": 1 + rng.Intn(2), "customer": rng.Intn(8) == 0}})
		for j := range rng.Intn(20) {
			var events []scoring.Event
			for k := range rng.Intn(21) {
				events = append(events, scoring.Event{Type: "visit", At: asOf.Add(-time.Duration(rng.Intn(60)+k) * 24 * time.Hour)})
			}
			leads = append(leads, scoring.Lead{ID: fmt.Sprintf("%s-%d", id, j), Fields: map[string]any{"account_id": id, "title": titles[rng.Intn(3)]}, Events: events})
		}
	}
	return s, accounts, leads
}

// BenchmarkAccountsScore scores the leads as the people of their accounts,
// and the accounts; BenchmarkAccountsLeadsAlone scores the same leads
// alone. Their ratio is what accounts cost over lead scoring.
func BenchmarkAccountsScore(b *testing.B) {
	s, accounts, leads := benchAccounts(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Score(accounts, leads, asOf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(leads)*b.N)/b.Elapsed().Seconds(), "leads/s")
}

func BenchmarkAccountsLeadsAlone(b *testing.B) {
	s, _, leads := benchAccounts(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, lead := range leads {
			if _, err := s.Leads().Score(lead, asOf); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(leads)*b.N)/b.Elapsed().Seconds(), "leads/s")
}
