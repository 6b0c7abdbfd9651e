package stream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// benchAccountLines are the lines of accounts of size people each under
// testdata/accounts's model: each person's fields, then 6 events over 90
// days, all in time order.
func benchAccountLines(accounts, size int) ([]scoring.Account, []acctLine) {
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	titles := []string{"VP Engineering", "Engineering Manager", "Data Analyst", "Head of IT", "Student"}
	var accs []scoring.Account
	type timed struct {
		at time.Time
		ln acctLine
	}
	var rows []timed
	for i := range accounts {
		domain := fmt.Sprintf("company%d.com", i)
		accs = append(accs, scoring.Account{ID: fmt.Sprintf("A%d", i), Fields: map[string]any{"domain": domain, "industry": "Software", "employees": 1200}})
		for k := range size {
			id := fmt.Sprintf("L%d-%d", i, k)
			rows = append(rows, timed{start, acctLine{lead: id, fields: map[string]any{"email": fmt.Sprintf("p%d@%s", k, domain), "title": titles[r.IntN(len(titles))], "country": "US"}}})
			for e := range 6 {
				at := start.Add(time.Duration(1+r.IntN(90*24)) * time.Hour)
				ev := &scoring.Event{Type: []string{"email_click", "page_view", "webinar_attended", "demo_request"}[r.IntN(4)], At: at,
					Fields: map[string]any{"url": "/pricing", "minutes": 30.0}}
				rows = append(rows, timed{at, acctLine{lead: id, id: fmt.Sprint(e), event: ev}})
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b timed) int { return a.at.Compare(b.at) })
	lines := make([]acctLine, len(rows))
	for i, x := range rows {
		lines[i] = x.ln
	}
	return accs, lines
}

// BenchmarkStreamLine is the cost of a line of a lead stream, in memory,
// without accounts (leads: the lead's state loaded, the line taken, the
// lead scored, its next re-check found and it put) and with them
// (accounts: the same, and its account matched, re-scored with all its
// people and its own next re-check found), for accounts of 5 and of 20
// people. Its ns/op is per line.
func BenchmarkStreamLine(b *testing.B) {
	as := accountScorer(b, accountsModel)
	for _, size := range []int{5, 20} {
		accs, lines := benchAccountLines(10, size)
		a, err := stream.NewAccounts(as, accs)
		if err != nil {
			b.Fatal(err)
		}
		for _, withAccounts := range []bool{false, true} {
			name := fmt.Sprintf("people=%d/leads", size)
			if withAccounts {
				name = fmt.Sprintf("people=%d/accounts", size)
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					store := stream.NewMemoryStore()
					clock := time.Time{}
					for _, ln := range lines {
						if ln.event != nil && ln.event.At.After(clock) {
							clock = ln.event.At
						}
						if err := benchTake(a, store, ln, clock, withAccounts); err != nil {
							b.Fatal(err)
						}
						n++
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/line")
			})
		}
	}
}

func benchTake(a *stream.Accounts, store stream.Store, ln acctLine, clock time.Time, withAccounts bool) error {
	return store.Update(func(tx stream.Tx) error {
		sc := a.Leads()
		l, ok, err := tx.Lead(ln.lead)
		if err != nil {
			return err
		}
		if !ok {
			l = stream.Lead{ID: ln.lead}
		}
		st := sc.NewState(ln.lead)
		if l.State != nil {
			if st, err = sc.Load(l.State); err != nil {
				return err
			}
		}
		cause := "fields"
		if ln.event != nil {
			cause = "event"
			if err := st.Add(*ln.event); err != nil {
				return err
			}
			l.SawEvent(ln.event.At)
			if l.State, err = st.Marshal(); err != nil {
				return err
			}
		} else if l.Fields, err = json.Marshal(ln.fields); err != nil {
			return err
		}
		if clock.IsZero() {
			return tx.Put(l)
		}
		fields := map[string]any{}
		if err := json.Unmarshal(l.Fields, &fields); err != nil {
			return err
		}
		if _, err := st.Score(fields, clock); err != nil {
			return err
		}
		if _, _, err := st.NextChange(fields, clock); err != nil {
			return err
		}
		if withAccounts {
			if _, err := a.Take(context.Background(), tx, &l, st, clock, cause); err != nil {
				return err
			}
		}
		return tx.Put(l)
	})
}
