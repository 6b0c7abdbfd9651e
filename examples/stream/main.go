// Command stream shows a Go backend that keeps leads' scores current as
// their events arrive, without keeping their histories: a consumer reads
// events from a channel (in production, a Kafka consumer or a webhook),
// keeps each lead's state in a key-value store (here a map of the stored
// bytes), tells when a lead's stage or grade changes, and schedules one
// re-check per lead at the time it will next change with no new event (a
// window expiring, decay taking the score below a threshold).
//
// Here the events are the bundled leads' (testdata/leads.ndjson), sent in
// time order, and the lead fields come from the same file, as a CRM would
// give them:
//
//	go run ./examples/stream -until 2026-12-31
package main

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"time"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

func main() {
	model := flag.String("model", "testdata/b2b-saas.yaml", "rule file")
	leads := flag.String("leads", "testdata/leads.ndjson", "leads with their events, one JSON object a line")
	until := flag.String("until", "2026-12-31", "run the re-checks due up to this time after the last event")
	quiet := flag.Bool("q", false, "print the summary only")
	flag.Parse()

	scorer, err := leadscore.Load(*model)
	if err != nil {
		log.Fatal(err)
	}
	end, err := time.Parse(time.DateOnly, *until)
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(*leads)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	fields, events, err := readLeads(f)
	if err != nil {
		log.Fatal(err)
	}

	in := make(chan Message)
	go func() { // the queue: events in the order they happened
		for _, m := range events {
			in <- m
		}
		close(in)
	}()
	c := NewConsumer(stream.New(scorer), func(id string) any { return fields[id] })
	if !*quiet {
		c.OnChange = func(ch Change) { fmt.Println(ch) }
	}
	if err := c.Run(in, end); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d events of %d leads; %d changes of stage or grade, %d of them at a re-check with no new event; %d re-checks run; %d bytes of state stored\n",
		c.Events, len(c.store), len(c.Changes), c.ByRecheck, c.Rechecks, c.StoredBytes())
}

// Message is one event of one lead, as a queue delivers it.
type Message struct {
	LeadID string
	Event  scoring.Event
}

// Change is a lead's stage or grade changing, at an event or at a re-check.
type Change struct {
	LeadID             string
	At                 time.Time
	From, To           Standing
	FromTotal, ToTotal float64
	Event              string // the event's type; "" at a re-check
	Recheck            bool
}

// Standing is where a lead stands: its stage and grade.
type Standing struct{ Stage, Grade string }

func (s Standing) String() string {
	stage := s.Stage
	if stage == "" {
		stage = "(no stage)"
	}
	return stage + "/" + s.Grade
}

func (c Change) String() string {
	why := "after " + c.Event
	if c.Recheck {
		why = "at a re-check, no new event"
	}
	return fmt.Sprintf("%s %s %s -> %s (total %.1f -> %.1f) %s", c.At.Format(time.RFC3339Nano), c.LeadID, c.From, c.To, c.FromTotal, c.ToTotal, why)
}

// Consumer scores leads as their events arrive. It is one goroutine's: run
// one consumer per partition of the leads.
type Consumer struct {
	sc     *stream.Scorer
	fields func(leadID string) any // the lead's current fields, from the CRM

	store    map[string][]byte   // lead id -> stored state (a key-value store)
	standing map[string]Standing // lead id -> where it stood when last scored
	total    map[string]float64
	queue    rechecks
	due      map[string]time.Time // lead id -> its one scheduled re-check
	now      time.Time            // the latest event time seen

	// OnChange, when set, is called for each change as it happens.
	OnChange func(Change)
	Changes  []Change
	// Events, Rechecks and ByRecheck count the events taken, the re-checks
	// run and the changes found by a re-check.
	Events, Rechecks, ByRecheck int
}

// NewConsumer returns a consumer with empty stores.
func NewConsumer(sc *stream.Scorer, fields func(leadID string) any) *Consumer {
	return &Consumer{sc: sc, fields: fields, store: map[string][]byte{}, standing: map[string]Standing{}, total: map[string]float64{}, due: map[string]time.Time{}}
}

// Run takes the messages until the channel closes, running each re-check
// when its time comes (before a later event), then the re-checks due up to
// until.
func (c *Consumer) Run(in <-chan Message, until time.Time) error {
	for m := range in {
		if m.Event.At.After(c.now) {
			if err := c.recheck(m.Event.At, false); err != nil {
				return err
			}
			c.now = m.Event.At
		}
		if err := c.take(m); err != nil {
			return err
		}
	}
	return c.recheck(until, true)
}

// take adds an event to its lead's state, reports a change, and schedules
// the lead's next re-check.
func (c *Consumer) take(m Message) error {
	st, err := c.load(m.LeadID)
	if err != nil {
		return err
	}
	fields := c.fields(m.LeadID)
	if _, seen := c.standing[m.LeadID]; !seen { // before its first event
		res, err := st.Score(fields, c.now)
		if err != nil {
			return err
		}
		c.standing[m.LeadID], c.total[m.LeadID] = Standing{res.Stage, res.Grade}, res.Total
	}
	if err := st.Add(m.Event); err != nil {
		log.Printf("lead %s: event refused: %v", m.LeadID, err) // a bad event fails alone
		return nil
	}
	c.Events++
	at := c.now // a late event is scored as of now
	if st.Latest().After(at) {
		at = st.Latest()
	}
	if err := c.score(st, at, m.Event.Type); err != nil {
		return err
	}
	return c.save(st)
}

// score scores a lead's state as of at, reports a change, and schedules
// its next re-check.
func (c *Consumer) score(st *stream.State, at time.Time, event string) error {
	id, fields := st.LeadID(), c.fields(st.LeadID())
	res, err := st.Score(fields, at)
	if err != nil {
		return err
	}
	now := Standing{res.Stage, res.Grade}
	if was := c.standing[id]; now != was {
		ch := Change{LeadID: id, At: at, From: was, To: now, Event: event, Recheck: event == "", FromTotal: c.total[id], ToTotal: res.Total}
		c.Changes = append(c.Changes, ch)
		if ch.Recheck {
			c.ByRecheck++
		}
		if c.OnChange != nil {
			c.OnChange(ch)
		}
	}
	c.standing[id], c.total[id] = now, res.Total
	next, ok, err := st.NextChange(fields, at)
	if err != nil {
		return err
	}
	if ok {
		c.due[id] = next
		heap.Push(&c.queue, recheck{at: next, lead: id})
	} else {
		delete(c.due, id)
	}
	return nil
}

// recheck runs the re-checks due before t (at or before t when through).
func (c *Consumer) recheck(t time.Time, through bool) error {
	for len(c.queue) > 0 && (c.queue[0].at.Before(t) || through && c.queue[0].at.Equal(t)) {
		r := heap.Pop(&c.queue).(recheck)
		if due, ok := c.due[r.lead]; !ok || !due.Equal(r.at) {
			continue // a later event replaced it
		}
		c.Rechecks++
		st, err := c.load(r.lead)
		if err != nil {
			return err
		}
		if err := c.score(st, r.at, ""); err != nil {
			return err
		}
	}
	return nil
}

func (c *Consumer) load(id string) (*stream.State, error) {
	data, ok := c.store[id]
	if !ok {
		return c.sc.NewState(id), nil
	}
	return c.sc.Load(data) // errors.Is(err, stream.ErrModelChanged) or stream.ErrDamaged: rebuild from the lead's events
}

func (c *Consumer) save(st *stream.State) error {
	data, err := st.Marshal()
	if err != nil {
		return err
	}
	c.store[st.LeadID()] = data
	return nil
}

// StoredBytes returns the size of all stored states.
func (c *Consumer) StoredBytes() int {
	n := 0
	for _, d := range c.store {
		n += len(d)
	}
	return n
}

type recheck struct {
	at   time.Time
	lead string
}

// rechecks is a min-heap of re-checks by time.
type rechecks []recheck

func (q rechecks) Len() int           { return len(q) }
func (q rechecks) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q rechecks) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *rechecks) Push(x any)        { *q = append(*q, x.(recheck)) }
func (q *rechecks) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// readLeads reads leads in leadscore's JSON shape: their fields by id, and
// all their events in time order.
func readLeads(r io.Reader) (map[string]any, []Message, error) {
	fields := map[string]any{}
	var msgs []Message
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var lead scoring.Lead
		if err := json.Unmarshal(sc.Bytes(), &lead); err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		fields[lead.ID] = lead.Fields
		for _, e := range lead.Events {
			msgs = append(msgs, Message{LeadID: lead.ID, Event: e})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].Event.At.Before(msgs[j].Event.At) })
	return fields, msgs, nil
}
