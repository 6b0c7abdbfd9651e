package main

import "hash/maphash"

// leadIDs holds the ids of the leads score --accounts matched, each with
// its account and line, so that a second lead with one of them fails
// rather than count twice. It holds no pointers for the garbage collector
// to trace at every collection, as a map[string]accountLead did (a
// million ids took a tenth of the run's CPU to trace and look up): the ids'
// bytes are in one arena, found by their hash, which the scoring workers
// compute (idHash); ids whose hashes collide are told apart by their
// bytes. About 40 bytes a lead and the id's length.
type leadIDs struct {
	byHash  map[uint64]int32 // an id's hash: its latest entry
	entries []idEntry
	arena   []byte
}

// idEntry is one id in leadIDs: where its bytes are in the arena, where
// the lead was, and the previous entry with the same hash (-1: none).
type idEntry struct {
	off, n  int
	account int32
	next    int32
	line    int
}

// idSeed is the seed of idHash, one for the process.
var idSeed = maphash.MakeSeed()

// idHash is the hash leadIDs finds an id by.
func idHash(id string) uint64 { return maphash.String(idSeed, id) }

// get returns where the lead with id (of hash h) was, if it was added.
func (s *leadIDs) get(h uint64, id string) (accountLead, bool) {
	k, ok := s.byHash[h]
	for ok && k >= 0 {
		e := &s.entries[k]
		if string(s.arena[e.off:e.off+e.n]) == id {
			return accountLead{account: int(e.account), line: e.line}, true
		}
		k = e.next
	}
	return accountLead{}, false
}

// add adds the id (of hash h), which get did not find.
func (s *leadIDs) add(h uint64, id string, at accountLead) {
	if s.byHash == nil {
		s.byHash = map[uint64]int32{}
	}
	next, ok := s.byHash[h]
	if !ok {
		next = -1
	}
	s.byHash[h] = int32(len(s.entries))
	s.entries = append(s.entries, idEntry{off: len(s.arena), n: len(id), account: int32(at.account), next: next, line: at.line})
	s.arena = append(s.arena, id...)
}
