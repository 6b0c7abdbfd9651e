package main

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadscore/leadscore/internal/idset"
)

// leadIDs answers as a map from id to where the lead first was does, on
// ids that share prefixes and lengths, the empty one and ids of 64 KB
// among them.
func TestLeadIDsIsAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s leadIDs
	want := map[string]accountLead{}
	wantNotYet := map[string]bool{}
	for k := 0; k < 20000; k++ { // about 10,000 ids: over two of leadIDs' chunks
		id := fmt.Sprintf("P%d", rng.IntN(12000))
		switch rng.IntN(100) {
		case 0:
			id = ""
		case 1:
			id = fmt.Sprintf("%0*d", 64<<10+rng.IntN(3), rng.IntN(3))
		}
		at := accountLead{account: rng.IntN(100), line: k + 1}
		notYet := rng.IntN(3) == 0
		got, gotNotYet, ok, err := s.add(idset.Hash(id), id, at, notYet)
		if err != nil {
			t.Fatal(err)
		}
		w, wok := want[id]
		if ok != wok || got != w || gotNotYet != wantNotYet[id] {
			t.Fatalf("add(%q) = %v, %v, %v; the map has %v, %v, %v", id, got, gotNotYet, ok, w, wantNotYet[id], wok)
		}
		if !wok {
			want[id], wantNotYet[id] = at, notYet
		}
	}
	places := 0
	for _, c := range s.at {
		places += len(c)
	}
	if s.ids.Len() != len(want) || places != len(want) || len(want) <= 2*atChunk {
		t.Fatalf("%d ids and %d places for %d ids", s.ids.Len(), places, len(want))
	}
}

// The slices of people handed back for reuse keep none larger than
// maxFreeMembers: a large account's would stay alive to the end of the
// run (256 of them at most, each as large as the largest account).
func TestFreeMembersKeepsNoLargeSlice(t *testing.T) {
	putMembers(make([]member, 10, 1<<16))
	putMembers(make([]member, 3, 8))
	for {
		select {
		case ms := <-freeMembers:
			assert.LessOrEqual(t, cap(ms), maxFreeMembers)
			assert.Empty(t, ms)
			continue
		default:
		}
		break
	}
}
