package leadgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// Account is a generated account, in the shape of the bundled accounts
// example's accounts file (testdata/accounts/model.yaml).
type Account struct {
	ID         string `json:"id"`
	Domain     string `json:"domain"`
	Industry   string `json:"industry"`
	Employees  int    `json:"employees"`
	Customer   bool   `json:"customer,omitempty"`
	Competitor bool   `json:"competitor,omitempty"`
}

// Person is a generated person of an account, in the shape of the
// bundled accounts example's leads.
type Person struct {
	ID        string  `json:"id"`
	Email     string  `json:"email"`
	AccountID string  `json:"account_id,omitempty"`
	Title     string  `json:"title"`
	Country   string  `json:"country"`
	Events    []Event `json:"events"`
}

// AccountGenerator produces accounts and their buying groups one account
// at a time, deterministically from its seed.
type AccountGenerator struct {
	r *rand.Rand
	n int // accounts so far
	p int // people so far
}

// NewAccounts returns an account generator; the same seed gives the same
// accounts and people.
func NewAccounts(seed uint64) *AccountGenerator {
	return &AccountGenerator{r: rand.New(rand.NewPCG(seed, 0xacc0))}
}

var personTouches = []weighted[string]{{"email_click", 40}, {"page_view", 40}, {"webinar_attended", 12}, {"demo_request", 3}}

// Next returns the next account and its people, 1 to 2×mean-1 of them
// (mean on average). Buying-group behaviour: an account is in market
// or not, and the people of an account in market are active together in
// its recent weeks, a decision maker more likely among them; a few
// people write from a free-mail address with the account's id, a few
// from an address the accounts file does not know (unmatched).
func (g *AccountGenerator) Next(mean int) (Account, []Person) {
	r := g.r
	g.n++
	a := Account{
		ID:        fmt.Sprintf("A%06d", g.n),
		Domain:    fmt.Sprintf("%s%d.%s", companies[r.IntN(len(companies))], g.n, tlds[r.IntN(len(tlds))]),
		Industry:  pick(r, industries),
		Employees: 5 + int(r.ExpFloat64()*400),
	}
	switch x := r.IntN(100); {
	case x < 5:
		a.Customer = true
	case x < 6:
		a.Competitor = true
	}
	inMarket := r.IntN(4) == 0
	n := 1 + r.IntN(max(1, 2*mean-1))
	people := make([]Person, 0, n)
	for range n {
		g.p++
		p := Person{
			ID:      fmt.Sprintf("P%07d", g.p),
			Email:   fmt.Sprintf("person%d@%s", g.p, a.Domain),
			Title:   pick(r, titles),
			Country: pick(r, countries),
		}
		switch x := r.IntN(100); {
		case x < 8:
			p.Email = fmt.Sprintf("person%d@%s", g.p, freeMail[r.IntN(len(freeMail))])
			p.AccountID = a.ID
		case x < 10:
			p.Email = fmt.Sprintf("person%d@%s", g.p, freeMail[r.IntN(len(freeMail))]) // unmatched
		case x < 40:
			p.AccountID = a.ID
		}
		k := r.IntN(4)
		window := 120.0
		if inMarket {
			k += r.IntN(12)
			window = 30
		}
		for range k {
			at := Base.Add(-time.Duration(r.Float64() * window * float64(24*time.Hour))).Truncate(time.Minute)
			e := Event{Type: pick(r, personTouches), At: at.Format(time.RFC3339)}
			switch e.Type {
			case "page_view":
				e.URL = pick(r, pages)
			case "webinar_attended":
				e.Minutes = ptr(float64(5 + r.IntN(55)))
			}
			p.Events = append(p.Events, e)
		}
		if p.Events == nil {
			p.Events = []Event{}
		}
		people = append(people, p)
	}
	return a, people
}

// WriteAccounts writes n accounts to accounts and their people (mean a
// account on average) to leads, both NDJSON; the leads are grouped by
// account, in the accounts' order.
func WriteAccounts(accounts, leads io.Writer, g *AccountGenerator, n, mean int) error {
	aw, lw := bufio.NewWriterSize(accounts, 1<<16), bufio.NewWriterSize(leads, 1<<16)
	ae, le := json.NewEncoder(aw), json.NewEncoder(lw)
	for range n {
		a, people := g.Next(mean)
		if err := ae.Encode(a); err != nil {
			return err
		}
		for _, p := range people {
			if err := le.Encode(p); err != nil {
				return err
			}
		}
	}
	if err := aw.Flush(); err != nil {
		return err
	}
	return lw.Flush()
}
