package idset

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomIDs draws n ids from a small alphabet and short lengths, so that
// many repeat (the same lead twice in a file) and many share prefixes;
// the empty id and ids with zero bytes are among them.
func randomIDs(r *rand.Rand, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		b := make([]byte, r.Intn(5))
		for j := range b {
			b[j] = "ab\x00é"[r.Intn(4)]
		}
		ids[i] = string(b)
		if r.Intn(3) == 0 {
			ids[i] = fmt.Sprintf("lead-%d", r.Intn(n))
		}
	}
	return ids
}

// TestSetIsAMap files random ids as the backtest does (find, then add
// when new) beside a map from id to its first row, and checks that every
// id, present or not, is found where the map says, that the first row
// wins, and that the order of the ids is sort.Strings'.
func TestSetIsAMap(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewSource(seed))
		n := 1 + r.Intn(5000)
		var s Set
		ref := map[string]int{}
		var added []string
		for row, id := range randomIDs(r, n) {
			got := s.Find(id)
			if first, dup := ref[id]; dup {
				require.Equal(t, ref[added[got]], first, "seed %d: %q filed at row %d", seed, id, first)
				require.Equal(t, id, s.ID(got))
				continue
			}
			require.Equal(t, -1, got, "seed %d: %q not added yet", seed, id)
			i, err := s.Add(id)
			require.NoError(t, err)
			require.Equal(t, len(added), i, "numbered in the order added")
			ref[id] = row
			added = append(added, id)
		}
		require.Equal(t, len(ref), s.Len())
		for i, id := range added {
			require.Equal(t, i, s.Find(id))
			require.Equal(t, id, s.ID(i))
		}
		for _, id := range randomIDs(r, 200) { // ids never added
			if _, ok := ref[id]; !ok {
				require.Equal(t, -1, s.Find(id))
			}
		}
		want := append([]string(nil), added...)
		sort.Strings(want)
		var got []string
		for _, i := range s.Sorted() {
			got = append(got, s.ID(int(i)))
		}
		require.Equal(t, want, got)
	}
}

// TestSetPopLast takes ids out from the last, as the backtest's stability check does when a
// lead fails at a later snapshot, and checks the set against the map of
// the ids left, including ids that probed past the slot cleared.
func TestSetPopLast(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	var s Set
	var added []string
	seen := map[string]bool{}
	for _, id := range randomIDs(r, 3000) {
		if !seen[id] {
			seen[id] = true
			_, err := s.Add(id)
			require.NoError(t, err)
			added = append(added, id)
		}
	}
	for len(added) > 0 {
		for k := r.Intn(50); k > 0 && len(added) > 0; k-- {
			s.PopLast()
			delete(seen, added[len(added)-1])
			added = added[:len(added)-1]
		}
		require.Equal(t, len(added), s.Len())
		for i, id := range added {
			require.Equal(t, i, s.Find(id), "%q", id)
		}
		for _, id := range randomIDs(r, 50) {
			if !seen[id] {
				require.Equal(t, -1, s.Find(id), "%q was taken out", id)
			}
		}
		// and it takes new ids again where the old ones were
		if r.Intn(2) == 0 {
			id := fmt.Sprintf("again-%d", len(added))
			if !seen[id] {
				i, err := s.Add(id)
				require.NoError(t, err)
				require.Equal(t, len(added), i)
				seen[id] = true
				added = append(added, id)
			}
		}
	}
}

// TestSetHoldsNoPointersPerID checks what the set's doc comment claims:
// its memory is three flat slices, whatever the number of ids.
func TestSetHoldsNoPointersPerID(t *testing.T) {
	var s Set
	for i := 0; i < 100000; i++ {
		_, err := s.Add(fmt.Sprintf("lead-%06d", i))
		require.NoError(t, err)
	}
	require.Equal(t, 100000*11, len(s.arena))
	require.Equal(t, 100001, len(s.off))
	require.Equal(t, 1<<18, len(s.table), "the smallest power of two at least twice the ids")
}
