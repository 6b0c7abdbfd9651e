package main

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// heapMargin and heapSlack set boundHeap's soft limit: the heap live at
// the last collection, an eighth more, and 16 MB for what the decoding
// workers make and drop between collections. (A quarter and 48 MB took
// 2% less CPU on 200,000 generated leads, and 111 to 117 MB against 95
// MB at the peak; 32 MB, on 1,000,000 generated leads, peaked at 279 to
// 298 MB where 16 MB peaked at 275 to 279 MB, in turn, for the same
// time within a run's noise.) heapFloor is the least limit: below it Go's own pacing
// (twice what is live) decides, so a backtest keeping less than 128 MB
// collects no more often than Go would, and a larger one collects often
// only once its heap nears the floor. On 1,000,000 generated leads, where
// the limit at the end is 264 MB, the floor took 15% less CPU (24.9 u to
// 21.1 u, three runs each in turn) for the same peak (272 to 278 MB).
const (
	heapMargin = 16 << 20
	heapSlack  = 8 // an eighth: live + live/heapSlack
	heapFloor  = 256 << 20
)

// heapLimit is the soft memory limit boundHeap sets for a live heap of
// live bytes.
func heapLimit(live uint64) int64 {
	if live > (math.MaxInt64-heapMargin)/(heapSlack+1)*heapSlack {
		return math.MaxInt64
	}
	return max(int64(live+live/heapSlack+heapMargin), heapFloor)
}

// bounding counts the commands running with boundHeap in this process
// (tests run several at once); the first sets the limit going, the last
// puts the limit back.
var bounding struct {
	sync.Mutex
	n    int
	prev int64
	done chan struct{}
	over chan struct{}
}

// boundHeap holds the heap of a long command (backtest) near what is
// live, instead of Go's default of twice it (GOGC=100), once it passes
// heapFloor: every 20 ms it sets the soft memory limit
// (debug.SetMemoryLimit) to heapLimit of the heap live at the last
// collection, so that the heap grows with what the command keeps, not
// with what it drops. The limit is soft: when more is
// live, the heap grows past it (Go then spends at most about half the CPU
// collecting). A GOMEMLIMIT or GOGC in the environment is the user's
// choice and turns it off. The returned stop puts the limit back.
func boundHeap() (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		return func() {}
	}
	bounding.Lock()
	defer bounding.Unlock()
	if bounding.n++; bounding.n == 1 {
		bounding.prev = debug.SetMemoryLimit(-1)
		bounding.done, bounding.over = make(chan struct{}), make(chan struct{})
		go holdHeap(bounding.done, bounding.over)
	}
	return func() {
		bounding.Lock()
		defer bounding.Unlock()
		if bounding.n--; bounding.n == 0 {
			close(bounding.done)
			<-bounding.over
			debug.SetMemoryLimit(bounding.prev)
		}
	}
}

// holdHeap sets the limit from the live heap until done is closed, then
// closes over.
func holdHeap(done, over chan struct{}) {
	defer close(over)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			debug.SetMemoryLimit(heapLimit(sample[0].Value.Uint64()))
		}
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}
