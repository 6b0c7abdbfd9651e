package scoring_test

import (
	"fmt"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A lead that cannot be scored (its title is a number) is none of its
// account's people, but what matching reads of its data still names the
// account it would belong to, so that the account's explanation can list
// it among the failed. An address list matches no account.
func ExampleAccountScorer_MatchKeys() {
	m, err := rules.CompileBytes("accounts.yaml", []byte(`leadscore: 1
model: example
fields: {email: string, title: string}
scores:
  fit: {max: 100}
stages:
  - {id: sql, sales_ready: true, when: fit >= 40}
accounts:
  match: {domain_from: email}
  fields: {domain: string}
  scores:
    fit: {max: 100}
  stages:
    - {id: ready, sales_ready: true, when: people() >= 1}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := scoring.NewAccountScorer(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	matcher, err := s.NewMatcher([]scoring.Account{{ID: "acme", Fields: map[string]any{"domain": "acme.com"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fields := map[string]any{"email": "ana@Acme.com", "title": 42}
	_, err = s.Person(scoring.Lead{ID: "ana", Fields: fields}, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println("ana:", err)
	_, domain := s.MatchKeys(fields)
	i, how, _ := matcher.Match(&scoring.Person{Domain: domain})
	fmt.Println("she would belong to account", i, "by", how)

	p, _ := s.Person(scoring.Lead{ID: "ben", Fields: map[string]any{"email": "ben@acme.com, cy@globex.io", "title": "VP"}}, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	_, _, why := matcher.Match(p)
	fmt.Println("ben:", why)
	// Output:
	// ana: lead ana: title: want text, got the number 42
	// she would belong to account 0 by domain
	// ben: email "ben@acme.com, cy@globex.io" holds several addresses, so it could be more than one company's people; write the person's own address alone
}
