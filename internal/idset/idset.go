// Package idset numbers strings (lead ids) without a string or a map entry
// per id: the ids' bytes follow one another in one arena, and an
// open-addressing table of numbers finds them, each number filed with 32
// bits of its id's hash (an id is compared byte for byte only when they
// agree, and a growing table files the numbers again without reading the
// ids). It holds no pointer per
// id, so the garbage collector neither scans it nor pays for a million
// small objects: a million ids of 8 bytes take about 8 MB of arena, 4 MB
// of offsets and 16 MB of table, where a map[string]int with its strings
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
	// table holds, in each slot, the low 32 bits of the filed id's hash
	// above 1 + its number (entry), 0 when
	// empty; its length is a power of two, at least twice the ids'.
	table []uint64
}

// ErrFull is returned by Add when the ids no longer fit the set's 32-bit
// offsets: 4 GB of ids, or 2^31 of them.
var ErrFull = errors.New("the ids take more than 4 GB (or there are over two billion of them); split the file and merge the reports")

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
	tag := h << 32
	for h &= mask; ; h = (h + 1) & mask {
		e := s.table[h]
		if e == 0 {
			return -1
		}
		if e&^0xffffffff == tag && string(s.at(number(e))) == id { // compared in place, no allocation
			return number(e)
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
	tag := h << 32
	slot := h & mask
	for ; ; slot = (slot + 1) & mask {
		e := s.table[slot]
		if e == 0 {
			break
		}
		if e&^0xffffffff == tag && string(s.at(number(e))) == id {
			return number(e), false, nil
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
	s.table[slot] = entry(h, n)
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
	s.put(entry(h, n))
	return n, nil
}

// entry is what the table holds for id number n of hash h.
func entry(h uint64, n int) uint64 { return h<<32 | uint64(n+1) }

// number is the id number of a table entry.
func number(e uint64) int { return int(uint32(e)) - 1 }

// put files e in the first empty slot from its hash on.
func (s *Set) put(e uint64) {
	mask := uint64(len(s.table) - 1)
	h := e >> 32 & mask
	for s.table[h] != 0 {
		h = (h + 1) & mask
	}
	s.table[h] = e
}

// grow doubles the table and files every id again.
func (s *Set) grow() {
	old := s.table
	s.table = make([]uint64, max(1024, 2*len(s.table)))
	for _, e := range old {
		if e != 0 {
			s.put(e)
		}
	}
}

// PopLast takes out the id added last. Its slot is emptied and the
// entries after it, up to the next empty slot, moved back where their
// probe would otherwise pass the emptied slot (deletion in linear
// probing), so every other id is found as before.
func (s *Set) PopLast() {
	n := s.Len()
	if n == 0 {
		return
	}
	mask := uint64(len(s.table) - 1)
	i := s.hashAt(n-1) & mask
	for number(s.table[i]) != n-1 {
		i = (i + 1) & mask
	}
	for j := (i + 1) & mask; s.table[j] != 0; j = (j + 1) & mask {
		// The entry at j stays when its home slot k is after i, up to j
		// (cyclically); otherwise it moves back to i, emptying j.
		k := s.table[j] >> 32 & mask
		if i <= j && i < k && k <= j || i > j && (i < k || k <= j) {
			continue
		}
		s.table[i] = s.table[j]
		i = j
	}
	s.table[i] = 0
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
