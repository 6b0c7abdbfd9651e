// Package idset numbers strings (lead ids) without a string or a map entry
// per id: the ids' bytes follow one another in one arena, and an
// open-addressing table of numbers finds them. It holds no pointer per
// id, so the garbage collector neither scans it nor pays for a million
// small objects: a million ids of 8 bytes take about 8 MB of arena, 4 MB
// of offsets and 8 MB of table, where a map[string]int with its strings
// takes over 60 MB in many objects.
package idset

import (
	"bytes"
	"errors"
	"hash/maphash"
	"math"
	"slices"
)

// seed is the seed of every set's hash, one for the process, so that
// Hash can be computed on other goroutines before the id reaches a set.
var seed = maphash.MakeSeed()

// Hash is the hash a set files id by. It is safe to compute on any
// goroutine (the scoring workers, say) and hand to FindHash and AddHash.
func Hash(id string) uint64 { return maphash.String(seed, id) }

// Set numbers ids 0, 1, 2... in the order added. The zero Set is empty
// and ready to use. It is not safe for concurrent use.
type Set struct {
	arena []byte
	// off[i] is where id i starts in the arena; off[len(off)-1] is the
	// arena's length, so id i is arena[off[i]:off[i+1]].
	off []uint32
	// table holds 1 + the number of the id filed in each slot, 0 when
	// empty; its length is a power of two, at least twice the ids'.
	table []uint32
}

// ErrFull is returned by Add when the ids no longer fit the set's 32-bit
// offsets: 4 GB of ids, or 2^31 of them.
var ErrFull = errors.New("the lead ids take more than 4 GB (or there are over two billion leads): split the leads file into parts and run each; backtest and feedback merge the parts (Backtest.State, feedback.Builder.State)")

// Len is how many ids the set holds.
func (s *Set) Len() int {
	if len(s.off) == 0 {
		return 0
	}
	return len(s.off) - 1
}

// ID is the id numbered i.
func (s *Set) ID(i int) string { return string(s.at(i)) }

func (s *Set) at(i int) []byte { return s.arena[s.off[i]:s.off[i+1]] }

// hashAt is id i's hash, without making it a string.
func (s *Set) hashAt(i int) uint64 { return maphash.Bytes(seed, s.at(i)) }

// Find is the number of id, or -1 when the set does not hold it.
func (s *Set) Find(id string) int { return s.FindHash(Hash(id), id) }

// FindHash is Find of an id whose Hash is h.
func (s *Set) FindHash(h uint64, id string) int {
	if len(s.table) == 0 {
		return -1
	}
	mask := uint64(len(s.table) - 1)
	for h &= mask; ; h = (h + 1) & mask {
		e := s.table[h]
		if e == 0 {
			return -1
		}
		if string(s.at(int(e-1))) == id { // compared in place, no allocation
			return int(e - 1)
		}
	}
}

// FindOrAdd is Find, and Add when the set does not hold id: the id's
// number, and whether it was added now. It probes the table once, where
// Find then Add probe it twice.
func (s *Set) FindOrAdd(id string) (int, bool, error) { return s.FindOrAddHash(Hash(id), id) }

// FindOrAddHash is FindOrAdd of an id whose Hash is h.
func (s *Set) FindOrAddHash(h uint64, id string) (int, bool, error) {
	if len(s.table) == 0 {
		n, err := s.AddHash(h, id)
		return n, err == nil, err
	}
	mask := uint64(len(s.table) - 1)
	slot := h & mask
	for ; ; slot = (slot + 1) & mask {
		e := s.table[slot]
		if e == 0 {
			break
		}
		if string(s.at(int(e-1))) == id {
			return int(e - 1), false, nil
		}
	}
	n := s.Len()
	if 2*(n+1) > len(s.table) {
		// The table grows: the id is filed anew, by AddHash.
		n, err := s.AddHash(h, id)
		return n, err == nil, err
	}
	if n >= math.MaxInt32 || uint64(len(s.arena))+uint64(len(id)) > math.MaxUint32 {
		return 0, false, ErrFull
	}
	s.arena = append(s.arena, id...)
	s.off = append(s.off, uint32(len(s.arena)))
	s.table[slot] = uint32(n + 1)
	return n, true, nil
}

// Add numbers id, which the set must not hold yet (see Find), with the
// next number and returns it.
func (s *Set) Add(id string) (int, error) { return s.AddHash(Hash(id), id) }

// AddHash is Add of an id whose Hash is h.
func (s *Set) AddHash(h uint64, id string) (int, error) {
	n := s.Len()
	if n >= math.MaxInt32 || uint64(len(s.arena))+uint64(len(id)) > math.MaxUint32 {
		return 0, ErrFull
	}
	if len(s.off) == 0 {
		s.off = append(s.off, 0)
	}
	if 2*(n+1) > len(s.table) {
		s.grow()
	}
	s.arena = append(s.arena, id...)
	s.off = append(s.off, uint32(len(s.arena)))
	s.put(h, uint32(n+1))
	return n, nil
}

// put files e in the first empty slot from hash h on.
func (s *Set) put(h uint64, e uint32) {
	mask := uint64(len(s.table) - 1)
	h &= mask
	for s.table[h] != 0 {
		h = (h + 1) & mask
	}
	s.table[h] = e
}

// grow doubles the table and files every id again.
func (s *Set) grow() {
	s.table = make([]uint32, max(1024, 2*len(s.table)))
	for i := 0; i < s.Len(); i++ {
		s.put(s.hashAt(i), uint32(i+1))
	}
}

// PopLast takes out the id added last. Clearing its slot is exact: every
// id in the table was filed before it, so none was probed past that slot.
func (s *Set) PopLast() {
	n := s.Len()
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

// Sorted is the ids' numbers in the order of their bytes (the order of
// sort.Strings).
func (s *Set) Sorted() []int32 {
	o := make([]int32, s.Len())
	for i := range o {
		o[i] = int32(i)
	}
	slices.SortFunc(o, func(a, b int32) int { return bytes.Compare(s.at(int(a)), s.at(int(b))) })
	return o
}
