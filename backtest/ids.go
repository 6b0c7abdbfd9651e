package backtest

import (
	"bytes"
	"errors"
	"hash/maphash"
	"math"
	"slices"
)

// idSet numbers the lead ids a backtest has added, 0, 1, 2... in the order
// added, without a string or a map entry per lead: the ids' bytes follow
// one another in one arena, and an open-addressing table of numbers finds
// them. It holds no pointers per id, so the garbage collector neither
// scans it nor pays for a million small objects; a million ids of 12 bytes
// take about 12 MB of arena, 4 MB of offsets and 8 MB of table, where a
// map[string]*leadRec with its strings took 63 MB.
type idSet struct {
	arena []byte
	// off[i] is where id i starts in the arena; off[len(off)-1] is the
	// arena's length, so id i is arena[off[i]:off[i+1]].
	off []uint32
	// table holds 1 + the number of the id filed in each slot, 0 when
	// empty; its length is a power of two, at least twice the ids'.
	table []uint32
	seed  maphash.Seed
}

// errTooManyIDs is returned when the ids no longer fit the set's 32-bit
// offsets: 4 GB of ids, or 2^31 leads.
var errTooManyIDs = errors.New("the leads' ids take more than 4 GB (or there are over two billion leads); split the leads file and merge the backtests (Backtest.State)")

// len is how many ids the set holds.
func (s *idSet) len() int {
	if len(s.off) == 0 {
		return 0
	}
	return len(s.off) - 1
}

// at is id i's bytes; the caller must not keep or change them.
func (s *idSet) at(i int) []byte { return s.arena[s.off[i]:s.off[i+1]] }

// id is id i.
func (s *idSet) id(i int) string { return string(s.at(i)) }

func (s *idSet) hash(id string) uint64 { return maphash.String(s.seed, id) }

// hashAt is id i's hash, without making it a string.
func (s *idSet) hashAt(i int) uint64 { return maphash.Bytes(s.seed, s.at(i)) }

// find is the number of id, or -1 when the set does not hold it.
func (s *idSet) find(id string) int {
	if len(s.table) == 0 {
		return -1
	}
	mask := uint64(len(s.table) - 1)
	for h := s.hash(id) & mask; ; h = (h + 1) & mask {
		e := s.table[h]
		if e == 0 {
			return -1
		}
		if string(s.at(int(e-1))) == id { // no allocation: the compiler compares in place
			return int(e - 1)
		}
	}
}

// add files id under the next number and returns it; the caller has
// checked with find that the set does not hold it yet.
func (s *idSet) add(id string) (int, error) {
	n := s.len()
	if n >= math.MaxInt32 || uint64(len(s.arena))+uint64(len(id)) > math.MaxUint32 {
		return 0, errTooManyIDs
	}
	if len(s.off) == 0 {
		s.seed = maphash.MakeSeed()
		s.off = append(s.off, 0)
	}
	if 2*(n+1) > len(s.table) {
		s.grow()
	}
	s.arena = append(s.arena, id...)
	s.off = append(s.off, uint32(len(s.arena)))
	s.put(s.hash(id), uint32(n+1))
	return n, nil
}

// put files e in the first empty slot from hash h on.
func (s *idSet) put(h uint64, e uint32) {
	mask := uint64(len(s.table) - 1)
	h &= mask
	for s.table[h] != 0 {
		h = (h + 1) & mask
	}
	s.table[h] = e
}

// grow doubles the table and files every id again, in the order added.
func (s *idSet) grow() {
	s.table = make([]uint32, max(1024, 2*len(s.table)))
	for i := 0; i < s.len(); i++ {
		s.put(s.hashAt(i), uint32(i+1))
	}
}

// popLast takes out the id added last. Clearing its slot is exact: every
// id in the table was filed before it, so none was probed past that slot.
func (s *idSet) popLast() {
	n := s.len()
	if n == 0 {
		return
	}
	mask := uint64(len(s.table) - 1)
	for h := s.hashAt(n-1) & mask; ; h = (h + 1) & mask {
		if s.table[h] == uint32(n) {
			s.table[h] = 0
			break
		}
	}
	s.arena = s.arena[:s.off[n-1]]
	s.off = s.off[:n]
}

// sorted is the ids' numbers in the order of their bytes (the order of
// sort.Strings).
func (s *idSet) sorted() []int32 {
	o := make([]int32, s.len())
	for i := range o {
		o[i] = int32(i)
	}
	slices.SortFunc(o, func(a, b int32) int { return bytes.Compare(s.at(int(a)), s.at(int(b))) })
	return o
}
