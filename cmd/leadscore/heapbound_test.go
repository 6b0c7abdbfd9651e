package main

import (
	"math"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// boundHeap sets a limit near the live heap while any command runs with
// it, puts the one before back when the last stops, and leaves the limit
// alone when the environment sets GOGC or GOMEMLIMIT.
func TestBoundHeapPutsTheLimitBack(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	stop1, stop2 := boundHeap(), boundHeap()
	bounded := func() int64 {
		time.Sleep(60 * time.Millisecond) // a few of its 20 ms ticks
		return debug.SetMemoryLimit(-1)
	}
	got := bounded()
	require.GreaterOrEqual(t, got, int64(heapFloor))
	require.Less(t, got, int64(1<<40), "a limit near the live heap")
	stop1()
	require.Less(t, bounded(), int64(1<<40), "still bounded: the other command runs")
	stop2()
	require.Equal(t, before, debug.SetMemoryLimit(-1))

	t.Setenv("GOGC", "50")
	stop := boundHeap()
	require.Equal(t, before, bounded())
	stop()
	require.Equal(t, before, debug.SetMemoryLimit(-1))
}

// heapLimit is the live heap, an eighth more, and the margin, and never
// below the floor.
func TestHeapLimit(t *testing.T) {
	require.Equal(t, int64(heapFloor), heapLimit(0))
	require.Equal(t, int64(heapFloor), heapLimit(199<<20), "199 MB live: 239.9 MB, below the floor")
	require.Equal(t, int64(240<<20+30<<20+heapMargin), heapLimit(240<<20))
	require.Equal(t, int64(400<<20+50<<20+heapMargin), heapLimit(400<<20))
	require.Equal(t, int64(math.MaxInt64), heapLimit(math.MaxUint64-1))
}
