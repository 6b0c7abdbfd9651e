package calendar

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The instants are worked out apart: 1790000000 s after 1970-01-01 is
// 20717 days (1789948800 s, 2026-09-21 by the civil calendar) and 51200 s
// (14:13:20); date -u -d @1790000000 agrees.
func TestEpoch(t *testing.T) {
	for in, want := range map[string]string{
		"1790000000":     "times written as seconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20Z (what this is as seconds since 1970)",
		" 1790000000.5 ": "times written as seconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20.5Z (what this is as seconds since 1970)",
		"1790000000000":  "times written as milliseconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20Z (what this is as milliseconds since 1970)",
		"1790000000123":  "times written as milliseconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20.123Z (what this is as milliseconds since 1970)",
		"100000000":      "times written as seconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 1973-03-03T09:46:40Z (what this is as seconds since 1970)",
	} {
		assert.Equal(t, want, Epoch(in), in)
	}
	for _, in := range []string{"", "0", "-1", "12345678", "17900000001", "20260929", "2026-09-29", "1790000000x", "99999999999999"} {
		assert.Empty(t, Epoch(in), in)
	}
}
