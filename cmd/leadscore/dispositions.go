package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/leadscore/leadscore/internal/numfmt"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// verdicts are the dispositions a scoring run gives its leads, and the
// leads it met, so that rows naming no lead fail after the run.
type verdicts struct {
	set    *feedback.Set
	counts feedback.Counts
	mu     sync.Mutex
	seen   map[string]bool
	ids    []string // the first leads met, for did-you-mean
}

// attachDispositions reads --dispositions (when given) and sets opts to
// give each lead its own. A file that cannot be read is an error, printed.
func attachDispositions(opts *leadfile.Options, name string, m *rules.Model, stderr io.Writer) (*verdicts, error) {
	if name == "" {
		return nil, nil
	}
	set, n, code := readDispositions(name, m, opts.MaxRow, stderr)
	if code != exitOK {
		return nil, fmt.Errorf("cannot read %s", name)
	}
	v := &verdicts{set: set, counts: n, seen: map[string]bool{}}
	opts.Dispositions = func(id string) []scoring.Disposition {
		v.mu.Lock()
		if len(v.ids) <= 50_000 {
			v.ids = append(v.ids, id)
		}
		ds := v.set.For(id)
		if ds != nil {
			v.seen[id] = true
		}
		v.mu.Unlock()
		return ds
	}
	return v, nil
}

// finish fails the rows of leads the run did not meet, prints the counts
// of the dispositions file, and returns how many of its rows failed.
func (v *verdicts) finish(name string, stderr io.Writer, quiet bool) int {
	if v == nil {
		return 0
	}
	ids := v.ids
	if len(ids) > 50_000 {
		ids = nil
	}
	for _, e := range v.set.Unmatched(func(id string) bool { return v.seen[id] }, ids) {
		fmt.Fprintf(stderr, "%s:%d: %v\n", name, e.Line, e.Err)
		v.counts.Read--
		v.counts.Failed++
	}
	if !quiet || v.counts.Failed > 0 {
		fmt.Fprintf(stderr, "%d disposition %s: %d used, %d failed\n", v.counts.Rows, numfmt.Noun(v.counts.Rows, "row"), v.counts.Read, v.counts.Failed)
	}
	return v.counts.Failed
}
