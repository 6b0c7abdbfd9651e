package stream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// A consumer that keeps accounts current takes each line of a lead as it
// does for leads, then gives the lead and its state to Accounts.Take,
// which matches the lead to its account and re-scores the account, in the
// same transaction, before the lead is put.
func ExampleAccounts() {
	m, err := rules.CompileFile("../../testdata/accounts/model.yaml")
	if err != nil {
		log.Fatal(err)
	}
	as, err := scoring.NewAccountScorer(m)
	if err != nil {
		log.Fatal(err)
	}
	acme := scoring.Account{ID: "A-ACME", Fields: map[string]any{"domain": "acme.com", "industry": "Software", "employees": 1200}}
	accounts, err := stream.NewAccounts(as, []scoring.Account{acme})
	if err != nil {
		log.Fatal(err)
	}
	store := stream.NewMemoryStore()
	take := func(leadID string, fields string, e scoring.Event) {
		err := store.Update(func(tx stream.Tx) error {
			l, ok, err := tx.Lead(leadID)
			if err != nil {
				return err
			}
			if !ok {
				l = stream.Lead{ID: leadID, Fields: json.RawMessage(fields)}
			}
			st := accounts.Leads().NewState(leadID)
			if l.State != nil {
				if st, err = accounts.Leads().Load(l.State); err != nil {
					return err
				}
			}
			if err := st.Add(e); err != nil {
				return err
			}
			l.SawEvent(e.At)
			if l.State, err = st.Marshal(); err != nil {
				return err
			}
			changes, err := accounts.Take(context.Background(), tx, &l, st, e.At, "event")
			if err != nil {
				return err
			}
			for _, c := range changes {
				fmt.Printf("%s %s: %q -> %q (score %g), caused by %s\n", c.At.Format("Jan 2"), c.AccountID, stage(c.From), c.To.Stage, c.To.Score, c.LeadID)
			}
			return tx.Put(l)
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	at := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	take("L1", `{"email":"ana@acme.com","title":"VP Engineering"}`, scoring.Event{Type: "demo_request", At: at("2026-09-02")})
	take("L2", `{"email":"ben@acme.com","title":"Engineering Manager"}`, scoring.Event{Type: "page_view", At: at("2026-09-03"), Fields: map[string]any{"url": "/pricing"}})
	take("L3", `{"email":"cy@acme.com","title":"Data Analyst"}`, scoring.Event{Type: "webinar_attended", At: at("2026-09-04"), Fields: map[string]any{"minutes": 45.0}})
	err = store.View(func(tx stream.Tx) error {
		a, _, err := tx.(stream.AccountTx).Account("A-ACME")
		fmt.Println("people:", a.People, "next re-check:", a.Next.Format(time.RFC3339))
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// Sep 2 A-ACME: "(none)" -> "aware" (score 95), caused by L1
	// Sep 4 A-ACME: "aware" -> "buying-group" (score 130), caused by L3
	// people: [L1 L2 L3] next re-check: 2026-10-02T00:00:00Z
}

// At a restart, Edited says which account fields the accounts given now
// hold other values of than those each account was last scored with.
func ExampleAccounts_Edited() {
	m, err := rules.CompileFile("../../testdata/accounts/model.yaml")
	if err != nil {
		log.Fatal(err)
	}
	as, err := scoring.NewAccountScorer(m)
	if err != nil {
		log.Fatal(err)
	}
	store := stream.NewMemoryStore()
	before := scoring.Account{ID: "A-ACME", Fields: map[string]any{"domain": "acme.com", "industry": "Software", "employees": 1200}}
	accounts, err := stream.NewAccounts(as, []scoring.Account{before})
	if err != nil {
		log.Fatal(err)
	}
	// A person of the account is taken: the account is scored and kept.
	err = store.Update(func(tx stream.Tx) error {
		l := stream.Lead{ID: "L1", Fields: json.RawMessage(`{"email":"ana@acme.com","title":"VP Engineering"}`)}
		st := accounts.Leads().NewState("L1")
		if _, err := accounts.Take(context.Background(), tx, &l, st, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), "fields"); err != nil {
			return err
		}
		return tx.Put(l)
	})
	if err != nil {
		log.Fatal(err)
	}
	// The same account, its size edited, read at the restart.
	after := scoring.Account{ID: "A-ACME", Line: 1, Fields: map[string]any{"domain": "acme.com", "industry": "Software", "employees": 150}}
	if accounts, err = stream.NewAccounts(as, []scoring.Account{after}); err != nil {
		log.Fatal(err)
	}
	edits, err := accounts.Edited(store)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range edits {
		fmt.Printf("line %d: account %s: %s %v -> %v\n", e.Line, e.AccountID, e.Field, e.Old, e.New)
	}
	// Output:
	// line 1: account A-ACME: employees 1200 -> 150
}

func stage(s *stream.AccountStanding) string {
	if s == nil {
		return "(none)"
	}
	return s.Stage
}
