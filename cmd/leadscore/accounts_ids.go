package main

import "github.com/leadscore/leadscore/internal/idset"

// leadIDs holds the ids of the leads score --accounts matched, each with
// its account and line, so that a second lead with one of them fails
// rather than count twice. The ids sit in an idset.Set, which holds no
// pointer per id for the garbage collector to trace at every collection
// (as a map[string]accountLead did), found by the hash the scoring
// workers compute (idset.Hash); where each lead was is a slice beside it,
// by the id's number. About 30 bytes a lead and its id's length.
type leadIDs struct {
	ids idset.Set
	// at holds where each lead was, by the id's number, in chunks of
	// atChunk: a growing slice would copy them all at each growth.
	at [][]accountLead
	// notYet has a bit set for each lead (by the id's number) created
	// after the as-of time: not yet one of its account's people.
	notYet []uint64
}

const atChunk = 4096

// add adds the id (of hash h, idset.Hash(id)) at at, unless it was added
// already: then it returns where, whether that first lead was not yet
// created (notYet as it was given then), and true. The error is
// idset.ErrFull.
func (s *leadIDs) add(h uint64, id string, at accountLead, notYet bool) (first accountLead, firstNotYet, dup bool, err error) {
	i, added, err := s.ids.FindOrAddHash(h, id) // one probe of the table
	if err != nil {
		return accountLead{}, false, false, err
	}
	if !added {
		return s.at[i/atChunk][i%atChunk], s.notYet[i/64]&(1<<(i%64)) != 0, true, nil
	}
	if i/atChunk >= len(s.at) {
		s.at = append(s.at, make([]accountLead, 0, atChunk))
	}
	s.at[i/atChunk] = append(s.at[i/atChunk], at)
	if i/64 >= len(s.notYet) {
		s.notYet = append(s.notYet, 0)
	}
	if notYet {
		s.notYet[i/64] |= 1 << (i % 64)
	}
	return accountLead{}, false, false, nil
}
