package main

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// leadIDs answers as a map from id to where the lead first was does, with the
// real hash and with hashes that collide: a constant one (every id in one
// chain) and one of 3 bits.
func TestLeadIDsIsAMap(t *testing.T) {
	hashes := map[string]func(string) uint64{
		"idHash":   idHash,
		"constant": func(string) uint64 { return 7 },
		"3 bits":   func(id string) uint64 { return idHash(id) & 7 },
	}
	for name, hash := range hashes {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			var s leadIDs
			want := map[string]accountLead{}
			for k := 0; k < 3000; k++ {
				// Ids that share prefixes and lengths, the empty one among them.
				id := fmt.Sprintf("P%d", rng.IntN(1500))
				switch rng.IntN(100) {
				case 0:
					id = ""
				case 1: // longer than a chunk of the arena
					id = fmt.Sprintf("%0*d", idChunk+rng.IntN(3), rng.IntN(3))
				}
				at := accountLead{account: rng.IntN(100), line: k + 1}
				got, ok := s.add(hash(id), id, at)
				w, wok := want[id]
				if ok != wok || got != w {
					t.Fatalf("add(%q) = %v, %v; the map has %v, %v", id, got, ok, w, wok)
				}
				if !wok {
					want[id] = at
				}
			}
			if n := len(s.byHash) + len(s.collided); n != len(want) {
				t.Fatalf("%d entries for %d ids", n, len(want))
			}
		})
	}
}
