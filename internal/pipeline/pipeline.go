// Package pipeline runs work on batches on several goroutines and hands
// the results back in the order the batches were made, in bounded
// memory: what leadscore score and score --accounts read leads with.
package pipeline

import "sync"

// Ordered runs a pipeline in order on every core. fill makes batch after
// batch, saying whether each holds anything to work on
// and whether it is the last; workers goroutines run work on them; use
// gets them back in the order fill made them, on the caller's goroutine.
// Tokens bound the batches in flight to 4 × workers, so a slow batch
// cannot make use wait behind an unbounded number of later ones: memory
// stays flat. After use fails, the batches in flight are drained unused,
// fill is asked for no more, and use's error is returned.
func Ordered[B any](workers int, fill func() (b B, send, last bool), work func(B), use func(B) error) error {
	type job struct {
		seq int
		b   B
	}
	tokens := make(chan struct{}, 4*workers)
	jobs := make(chan job, workers)
	done := make(chan job, 4*workers)
	stop := make(chan struct{}) // closed when use fails
	go func() {
		defer close(jobs)
		for seq := 0; ; {
			select {
			case tokens <- struct{}{}:
			case <-stop:
				return
			}
			b, send, last := fill()
			if send {
				jobs <- job{seq, b}
				seq++
			} else {
				<-tokens // nothing to work on: its token back
			}
			if last {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				work(j.b)
				done <- j
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	pending := map[int]B{}
	next := 0
	var err error
	for j := range done {
		pending[j.seq] = j.b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-tokens
			if err != nil {
				continue // draining after use failed
			}
			if err = use(b); err != nil {
				close(stop)
			}
		}
	}
	return err
}
