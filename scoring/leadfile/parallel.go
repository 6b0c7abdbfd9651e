package leadfile

import (
	"runtime"
	"sync"

	"github.com/leadscore/leadscore/scoring"
)

// Map is Read on every core: the rows are decoded, and work is called on
// each, by Options.Workers goroutines at once (one per core when 0); use
// is then called with each row's line and work's result, in input order,
// from a single goroutine. work must be safe to call concurrently; use
// need not be. use's error stops the reading and is returned.
//
// Options.Only, when set, says which rows to decode: a row it refuses is
// skipped unread (neither work nor use sees it), so a second pass over a
// file can visit only the leads the first pass picked.
//
// Memory stays flat as in Score: at most 4 × Workers batches of rows are
// in flight, and a result is handed to use as soon as the rows before it
// have been.
func Map[T any](opts Options, work func(line int, lead scoring.Lead, err error) T, use func(line int, result T) error) error {
	src, err := newSource(opts)
	if err != nil {
		return err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type item struct {
		r   row
		out T
	}
	type chunk struct {
		seq   int
		items []item
	}
	inFlight := 4 * workers
	tokens := make(chan struct{}, inFlight)
	jobs := make(chan *chunk, workers)
	done := make(chan *chunk, inFlight)
	stop := make(chan struct{})
	var readErr error // set before jobs is closed

	go func() { // reader
		defer close(jobs)
		for seq := 0; ; seq++ {
			select {
			case tokens <- struct{}{}:
			case <-stop:
				return
			}
			c := &chunk{seq: seq}
			last, size := false, 0
			for len(c.items) < batchSize && size < batchBytes {
				r, ok, err := src.next()
				if err != nil {
					readErr = err
				}
				if err != nil || !ok {
					last = true
					break
				}
				if opts.Only != nil && !opts.Only(r.line) {
					continue
				}
				c.items = append(c.items, item{r: r})
				size += r.size()
			}
			jobs <- c // an empty chunk still returns its token
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
			for c := range jobs {
				for i := range c.items {
					it := &c.items[i]
					lead, rowErr := decodeRow(src, it.r)
					it.out = work(it.r.line, lead, rowErr)
					it.r = row{line: it.r.line} // let the input go
				}
				done <- c
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	pending := map[int]*chunk{}
	next := 0
	var useErr error
	for c := range done {
		pending[c.seq] = c
		for {
			c, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-tokens
			if useErr != nil {
				continue // draining after use failed
			}
			for i := range c.items {
				if useErr = use(c.items[i].r.line, c.items[i].out); useErr != nil {
					close(stop)
					break
				}
			}
		}
	}
	if useErr != nil {
		return useErr
	}
	if readErr != nil {
		return readErr
	}
	return reportUnmatched(src, opts)
}
