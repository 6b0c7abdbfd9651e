package scoring

import (
	"time"

	"github.com/leadscore/leadscore/internal/friend"
	"github.com/leadscore/leadscore/rules"
)

// NewPlain is New with every expression run on expr's VM, none on the
// closures compiled for common shapes: the reference of the differential
// tests (fast_test.go).
func NewPlain(m *rules.Model, opts ...Option) *Scorer {
	s := New(m, opts...)
	s.plain = true
	return s
}

// ScoreJSON is Scorer.ScoreJSON, for the tests: one NDJSON line scored
// straight from its bytes, or ok false.
func ScoreJSON(s *Scorer, line []byte, asOf time.Time) (*Result, string, bool, error) {
	return s.ScoreJSON(friend.K(), line, asOf)
}

// FullReplay is s with every person scored again at every moment of a
// replay (FirstSalesReady and the like), as it was before the replay kept
// the people with no moment of their own: the reference of the tests.
func FullReplay(s *AccountScorer) *AccountScorer {
	c := &AccountScorer{am: s.am, leads: s.leads, accounts: s.accounts, exprs: s.exprs, counts: s.counts, full: true}
	return c
}
