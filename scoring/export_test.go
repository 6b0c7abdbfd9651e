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
