package leadfile

import (
	"runtime"

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
	var readErr error // set by the reader before the workers are done
	useErr := ordered(workers, func() ([]item, bool, bool) {
		var items []item
		last, err := fill(src, opts.Only, func(r row) { items = append(items, item{r: r}) })
		if err != nil {
			readErr = err
		}
		return items, len(items) > 0, last
	}, func(items []item) {
		for i := range items {
			it := &items[i]
			if opts.Spot != nil && it.r.raw != nil {
				opts.Spot(it.r.raw)
			}
			lead, rowErr := decodeRow(src, it.r)
			it.out = work(it.r.line, lead, rowErr)
			it.r = row{line: it.r.line} // let the input go
		}
	}, func(items []item) error {
		for i := range items {
			if err := use(items[i].r.line, items[i].out); err != nil {
				return err
			}
		}
		return nil
	})
	if useErr != nil {
		return useErr
	}
	if readErr != nil {
		return readErr
	}
	return reportUnmatched(src, opts)
}
