package stream_test

import (
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// A consumer keeps each lead's state in a Store: per event, in one
// transaction, it loads the lead, skips an event it already applied (a
// queue delivers some twice), adds the event, stores the state with the
// event's id, and reports a change of stage or grade only once the
// transaction has committed. boltstore.Open gives the same Store in a file.
func ExampleStore() {
	scorer, err := leadscore.Load("../../testdata/b2b-saas.yaml")
	if err != nil {
		log.Fatal(err)
	}
	sc := stream.New(scorer)
	var store stream.Store = stream.NewMemoryStore() // boltstore.Open("state.db") to survive a restart
	defer store.Close()

	fields := json.RawMessage(`{"email":"ana@acme.com","title":"VP Marketing","industry":"software","employees":250,"country":"US"}`)
	take := func(leadID, eventID string, e scoring.Event) {
		var changed string
		err := store.Update(func(tx stream.Tx) error {
			changed = ""
			l, ok, err := tx.Lead(leadID)
			if err != nil {
				return err
			}
			if !ok {
				l = stream.Lead{ID: leadID, Fields: fields}
			}
			if l.Seen(eventID) {
				fmt.Println(eventID, "already applied")
				return nil
			}
			st := sc.NewState(leadID)
			if l.State != nil {
				if st, err = sc.Load(l.State); err != nil {
					return err // stream.ErrModelChanged: rebuild from the lead's events
				}
			}
			if err := st.Add(e); err != nil {
				return err
			}
			var f map[string]any
			if err := json.Unmarshal(l.Fields, &f); err != nil {
				return err
			}
			res, err := st.Score(f, st.Latest())
			if err != nil {
				return err
			}
			if now := stream.StandingOf(res); l.Standing == nil || *l.Standing != now {
				changed = fmt.Sprintf("%s: %s %s (total %.0f)", leadID, res.Stage, res.Grade, res.Total)
				l.Standing = &now
			}
			if l.State, err = st.Marshal(); err != nil {
				return err
			}
			l.Apply(eventID, stream.DefaultWindow)
			return tx.Put(l)
		})
		if err != nil {
			log.Fatal(err)
		}
		if changed != "" {
			fmt.Println(changed) // after the commit: a crash before it loses nothing
		}
	}
	day := func(d int) time.Time { return time.Date(2026, 9, d, 10, 0, 0, 0, time.UTC) }
	take("L-1", "e1", scoring.Event{Type: "webinar_attended", At: day(3), Fields: map[string]any{"minutes": 45}})
	take("L-1", "e2", scoring.Event{Type: "demo_request", At: day(4)})
	take("L-1", "e2", scoring.Event{Type: "demo_request", At: day(4)}) // delivered again
	take("L-1", "e3", scoring.Event{Type: "email_click", At: day(5)})

	err = store.Each(func(l stream.Lead) error {
		fmt.Printf("%s: %d events applied, standing %+v\n", l.ID, len(l.Applied), *l.Standing)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// L-1: engaged A (total 85)
	// L-1: sql A (total 125)
	// e2 already applied
	// L-1: 3 events applied, standing {Stage:sql Grade:A SalesReady:true}
}
