package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/stream"
)

// TestConsumerReportsWhatFullRescoresSay runs the consumer over 250 of the
// bundled leads and checks what it reports against scoring each lead with all its
// events up to the moment: every change it reports happened then (the
// lead stood where it says a nanosecond before, and stands where it says
// at that moment), and, for every lead, where the change log puts it at
// each of its events (and at noon every day up to the end, for every fifth
// lead) is where a full
// re-score puts it.
func TestConsumerReportsWhatFullRescoresSay(t *testing.T) {
	scorer, err := leadscore.Load(filepath.Join("..", "..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	f, err := os.Open(filepath.Join("..", "..", "testdata", "leads.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	fields, all, err := readLeads(f)
	require.NoError(t, err)
	var msgs []Message // the events of the first 250 leads, to keep the test short
	for _, m := range all {
		if m.LeadID <= "L0000250" {
			msgs = append(msgs, m)
		}
	}
	end := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)

	in := make(chan Message)
	go func() {
		for _, m := range msgs {
			in <- m
		}
		close(in)
	}()
	c := NewConsumer(stream.New(scorer), func(id string) any { return fields[id] })
	require.NoError(t, c.Run(in, end))
	assert.Equal(t, len(msgs), c.Events)

	events := map[string][]scoring.Event{}
	for _, m := range msgs {
		events[m.LeadID] = append(events[m.LeadID], m.Event)
	}
	full := func(id string, at time.Time) Standing {
		var upTo []scoring.Event
		for _, e := range events[id] {
			if !e.At.After(at) {
				upTo = append(upTo, e)
			}
		}
		res, err := scorer.Score(scoring.Lead{ID: id, Fields: fields[id], Events: upTo}, at)
		require.NoError(t, err)
		return Standing{res.Stage, res.Grade}
	}
	changes := map[string][]Change{}
	for _, ch := range c.Changes {
		assert.Equal(t, ch.From, full(ch.LeadID, ch.At.Add(-1)), "%s", ch)
		assert.Equal(t, ch.To, full(ch.LeadID, ch.At), "%s", ch)
		changes[ch.LeadID] = append(changes[ch.LeadID], ch)
	}
	assert.Greater(t, c.ByRecheck, 25, "re-checks find changes no event brings")

	// Where the log puts a lead at t: its last change at or before t.
	logged := func(id string, t time.Time) Standing {
		chs := changes[id]
		s := full(id, events[id][0].At.Add(-1)) // before its first event
		for _, ch := range chs {
			if ch.At.After(t) {
				break
			}
			s = ch.To
		}
		return s
	}
	checked, n := 0, 0
	for id, evs := range events {
		for _, e := range evs {
			require.Equal(t, full(id, e.At), logged(id, e.At), "lead %s at its event %s", id, e.At)
		}
		if n++; n%5 != 0 {
			continue // every day of every fifth lead
		}
		for d := evs[0].At.Truncate(24 * time.Hour).Add(36 * time.Hour); d.Before(end); d = d.Add(24 * time.Hour) {
			require.Equal(t, full(id, d), logged(id, d), "lead %s at %s", id, d)
			checked++
		}
	}
	t.Logf("%d events, %d changes (%d at re-checks), %d daily points checked, %d bytes of state", c.Events, len(c.Changes), c.ByRecheck, checked, c.StoredBytes())
}
