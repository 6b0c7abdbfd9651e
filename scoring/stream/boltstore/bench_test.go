package boltstore_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
	"github.com/leadscore/leadscore/scoring/stream/boltstore"
)

// BenchmarkStoreEvents takes the bundled leads' events, in time order,
// through a Store as a consumer does (per event: get the lead, load its
// state, add the event, score, store the state with the event's id; 100
// events a transaction), in memory and in a bbolt file: events/s, and per
// lead stored the file's bytes (bbolt grows its file in steps and keeps
// freed pages) and the stored value's.
//
//	go test ./scoring/stream/boltstore -run '^$' -bench StoreEvents -benchtime 5x
func BenchmarkStoreEvents(b *testing.B) {
	scorer, err := leadscore.Load("../../../testdata/b2b-saas.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sc := stream.New(scorer)
	type msg struct {
		lead string
		id   string
		e    scoring.Event
	}
	fields := map[string]json.RawMessage{}
	var msgs []msg
	f, err := os.Open("../../../testdata/leads.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	s := bufio.NewScanner(f)
	for s.Scan() {
		var l scoring.Lead
		if err := json.Unmarshal(s.Bytes(), &l); err != nil {
			b.Fatal(err)
		}
		fj, _ := json.Marshal(l.Fields)
		fields[l.ID] = fj
		for i, e := range l.Events {
			msgs = append(msgs, msg{l.ID, fmt.Sprintf("%s-%d", l.ID, i), e})
		}
	}
	f.Close()
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].e.At.Before(msgs[j].e.At) })

	run := func(b *testing.B, store stream.Store) {
		for i := 0; i < len(msgs); i += 100 {
			err := store.Update(func(tx stream.Tx) error {
				for _, m := range msgs[i:min(i+100, len(msgs))] {
					l, ok, err := tx.Lead(m.lead)
					if err != nil {
						return err
					}
					if !ok {
						l = stream.Lead{ID: m.lead, Fields: fields[m.lead]}
					}
					if l.Seen(m.id) {
						continue
					}
					st := sc.NewState(m.lead)
					if l.State != nil {
						if st, err = sc.Load(l.State); err != nil {
							return err
						}
					}
					if err := st.Add(m.e); err != nil {
						return err
					}
					var fm map[string]any
					if err := json.Unmarshal(l.Fields, &fm); err != nil {
						return err
					}
					res, err := st.Score(fm, st.Latest())
					if err != nil {
						return err
					}
					now := stream.StandingOf(res)
					l.Standing = &now
					if l.State, err = st.Marshal(); err != nil {
						return err
					}
					l.Apply(m.id, stream.DefaultWindow)
					if err := tx.Put(l); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	report := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(len(msgs)*b.N)/time.Since(start).Seconds(), "events/s")
	}
	b.Run("memory", func(b *testing.B) {
		start := time.Now()
		for range b.N {
			run(b, stream.NewMemoryStore())
		}
		report(b, start)
	})
	b.Run("bolt", func(b *testing.B) {
		dir := b.TempDir()
		start := time.Now()
		var size, values int64
		leads := 0
		for n := range b.N {
			path := filepath.Join(dir, fmt.Sprintf("state-%d.db", n))
			store, err := boltstore.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			run(b, store)
			values, leads = 0, 0
			store.Each(func(l stream.Lead) error {
				v, _ := json.Marshal(l)
				values += int64(len(v))
				leads++
				return nil
			})
			store.Close()
			fi, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			size = fi.Size()
		}
		report(b, start)
		b.ReportMetric(float64(size)/float64(leads), "file-bytes/lead")
		b.ReportMetric(float64(values)/float64(leads), "value-bytes/lead")
	})
}
