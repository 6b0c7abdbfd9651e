package scoring

import "github.com/leadscore/leadscore/rules"

// NewPlain is New with every expression run on expr's VM, none on the
// closures compiled for common shapes: the reference of the differential
// tests (fast_test.go).
func NewPlain(m *rules.Model, opts ...Option) *Scorer {
	s := New(m, opts...)
	s.plain = true
	return s
}
