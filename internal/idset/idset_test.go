package idset_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/internal/idset"
)

// The set agrees with a map on random ids, many of them repeated, some
// empty or prefixes of others, across several growths of its table.
func TestSetAgreesWithMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(28, 1))
	var s idset.Set
	want := map[string]int{}
	var order []string
	assert.Equal(t, -1, s.Find("L1"), "the zero set holds nothing")
	for range 20000 {
		id := fmt.Sprintf("L%d", rng.IntN(6000))
		switch rng.IntN(20) {
		case 0:
			id = ""
		case 1:
			id = id[:len(id)-1] // a prefix of another id, as the arena holds them side by side
		}
		n, ok := want[id]
		got := s.Find(id)
		if !ok {
			require.Equal(t, -1, got, "id %q not added yet", id)
			n, err := s.Add(id)
			require.NoError(t, err)
			require.Equal(t, len(order), n, "numbers follow the order added")
			want[id] = n
			order = append(order, id)
			continue
		}
		require.Equal(t, n, got, "id %q", id)
	}
	require.Equal(t, len(want), s.Len())
	for i, id := range order {
		assert.Equal(t, id, s.ID(i))
		assert.Equal(t, i, s.Find(id))
	}
	assert.Greater(t, len(order), 1024, "enough ids to grow the table more than once")
}

// FindOrAdd agrees with Find then Add (and so with a map) on random ids,
// many repeated, some empty or prefixes of others, across several growths
// of the table, and the two sets number the ids alike.
func TestFindOrAddIsFindThenAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(30, 6))
	var one, two idset.Set
	want := map[string]int{}
	for range 30000 {
		id := fmt.Sprintf("L%d", rng.IntN(8000))
		switch rng.IntN(20) {
		case 0:
			id = ""
		case 1:
			id = id[:len(id)-1]
		}
		n, added, err := one.FindOrAdd(id)
		require.NoError(t, err)
		m, ok := want[id]
		if !ok {
			m = len(want)
			want[id] = m
		}
		require.Equal(t, !ok, added, "id %q added only the first time", id)
		require.Equal(t, m, n, "id %q", id)
		if k := two.Find(id); k >= 0 {
			require.Equal(t, n, k)
		} else {
			k, err := two.Add(id)
			require.NoError(t, err)
			require.Equal(t, n, k)
		}
	}
	require.Equal(t, len(want), one.Len())
	for id, n := range want {
		assert.Equal(t, n, one.Find(id))
		assert.Equal(t, id, one.ID(n))
	}
	assert.Greater(t, len(want), 4096, "enough ids to grow the table more than once")
}

func ExampleSet() {
	var s idset.Set
	for _, id := range []string{"L1", "L2", "L1"} {
		if n := s.Find(id); n >= 0 {
			fmt.Printf("%s again: number %d\n", id, n)
			continue
		}
		n, _ := s.Add(id)
		fmt.Printf("%s: number %d\n", id, n)
	}
	fmt.Println(s.Len(), "ids")
	// Output:
	// L1: number 0
	// L2: number 1
	// L1 again: number 0
	// 2 ids
}

// BenchmarkFindOrAdd files a million lead ids, each seen twice (the
// second time found), in a Set and, as the baseline, in the map a user
// would write: the cost per id, and the heap each holds after.
//
//	go test ./internal/idset -run '^$' -bench FindOrAdd -benchtime 5x
func BenchmarkFindOrAdd(b *testing.B) {
	const n = 1_000_000
	ids := make([]string, 2*n)
	perm := rand.New(rand.NewPCG(30, 1)).Perm(n)
	for i := range n {
		ids[i] = fmt.Sprintf("L%07d", perm[i])
		ids[n+i] = fmt.Sprintf("L%07d", i) // again, another order
	}
	b.Run("set", func(b *testing.B) {
		for range b.N {
			var s idset.Set
			found := 0
			for _, id := range ids {
				if _, added, err := s.FindOrAdd(id); err != nil {
					b.Fatal(err)
				} else if !added {
					found++
				}
			}
			if found != n {
				b.Fatalf("found %d ids again, want %d", found, n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ids)), "ns/id")
	})
	b.Run("map", func(b *testing.B) {
		for range b.N {
			m := map[string]int32{}
			found := 0
			for _, id := range ids {
				if _, ok := m[id]; ok {
					found++
				} else {
					m[id] = int32(len(m))
				}
			}
			if found != n {
				b.Fatalf("found %d ids again, want %d", found, n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ids)), "ns/id")
	})
}
