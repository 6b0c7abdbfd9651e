package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// date("2026-08-01") is a time, midnight UTC, that a time field compares with.
func TestDateConstant(t *testing.T) {
	src := strings.Replace(newcomer, "when: employees > 10", `when: created_at < date("2026-08-01") && created_at >= date("2026-07-31T12:00:00Z")`, 1)
	m, err := rules.CompileBytes("m.yaml", []byte(src))
	require.NoError(t, err)
	s := scoring.New(m)
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for at, want := range map[string]bool{
		"2026-07-31T23:59:59Z": true,
		"2026-08-01T00:00:00Z": false,
		"2026-07-31T11:59:59Z": false,
	} {
		res, err := s.Score(scoring.Lead{ID: "l", Fields: map[string]any{"created_at": at}}, asOf)
		require.NoError(t, err)
		assert.Equal(t, want, len(res.Fired) == 1, "created_at %s", at)
	}
}
