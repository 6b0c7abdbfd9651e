package main

import "hash/maphash"

// leadIDs holds the ids of the leads score --accounts matched, each with
// its account and line, so that a second lead with one of them fails
// rather than count twice. It holds almost no pointers for the garbage
// collector to trace at every collection, as a map[string]accountLead
// did: an id is found by its 64-bit hash (idHash, which the scoring
// workers compute), and its bytes, in chunks of an arena, tell it apart
// from another id of the same hash, which then goes to a small map of
// its own. 40 to 80 bytes a lead (a 32-byte slot of a map 7/16 to 7/8
// full) and its id's length.
type leadIDs struct {
	byHash map[uint64]idEntry
	// collided are the ids whose hash an earlier id has.
	collided map[string]accountLead
	chunks   [][]byte // the arena: no chunk is ever copied to grow
}

// idEntry is one id in leadIDs: where its bytes are in the arena, and
// where the lead was.
type idEntry struct {
	chunk, off, n int32
	account       int32
	line          int
}

// idChunk is the size of the arena's chunks.
const idChunk = 64 << 10

// idSeed is the seed of idHash, one for the process.
var idSeed = maphash.MakeSeed()

// idHash is the hash leadIDs finds an id by.
func idHash(id string) uint64 { return maphash.String(idSeed, id) }

// add adds the id (of hash h) at at, unless it was added already: then
// it returns where, and true.
func (s *leadIDs) add(h uint64, id string, at accountLead) (accountLead, bool) {
	if s.byHash == nil {
		s.byHash = map[uint64]idEntry{}
	}
	if e, ok := s.byHash[h]; ok {
		if string(s.chunks[e.chunk][e.off:e.off+e.n]) == id {
			return accountLead{account: int(e.account), line: e.line}, true
		}
		if first, ok := s.collided[id]; ok {
			return first, true
		}
		if s.collided == nil {
			s.collided = map[string]accountLead{}
		}
		s.collided[id] = at
		return accountLead{}, false
	}
	last := len(s.chunks) - 1
	if last < 0 || len(s.chunks[last])+len(id) > cap(s.chunks[last]) {
		s.chunks = append(s.chunks, make([]byte, 0, max(idChunk, len(id))))
		last++
	}
	c := s.chunks[last]
	s.byHash[h] = idEntry{chunk: int32(last), off: int32(len(c)), n: int32(len(id)), account: int32(at.account), line: at.line}
	s.chunks[last] = append(c, id...)
	return accountLead{}, false
}
