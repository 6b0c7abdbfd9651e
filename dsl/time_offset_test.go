package dsl_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/dsl"
)

// An offset written without its colon, as Salesforce exports it, is read;
// the instants are worked out by hand (10:00 at +02:00 is 08:00 UTC,
// 10:00 at -0530 is 15:30 UTC).
func TestParseTimeOffsetWithoutColon(t *testing.T) {
	for in, want := range map[string]string{
		"2026-09-29T10:00:00.000+0000": "2026-09-29T10:00:00Z",
		"2026-09-29T10:00:00+0200":     "2026-09-29T08:00:00Z",
		"2026-09-29T10:00:00.250-0530": "2026-09-29T15:30:00.25Z",
		"2026-09-29T10:00:00+02:00":    "2026-09-29T08:00:00Z",
	} {
		got, err := dsl.ParseTime(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got.UTC().Format(time.RFC3339Nano), in)
	}
	_, err := dsl.ParseTime("2026-09-29T10:00:00+020")
	assert.EqualError(t, err, `want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got "2026-09-29T10:00:00+020"`)
}

// An epoch time is not read, and the message says so with the value as
// written and the instant it likely means (date -u -d @1790000000 gives
// 2026-09-21T14:13:20Z).
func TestEpochTimesAreNamed(t *testing.T) {
	_, err := dsl.ParseTime("1790000000")
	assert.EqualError(t, err, `want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got "1790000000"; times written as seconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20Z (what this is as seconds since 1970)`)
	assert.EqualError(t, dsl.NotATime(1790000000.0, "1.79e+09"), `want a time like 2026-03-01T09:30:00Z, got the number 1790000000; times written as seconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20Z (what this is as seconds since 1970)`)
	assert.EqualError(t, dsl.NotATime(json.Number("1790000000000"), ""), `want a time like 2026-03-01T09:30:00Z, got the number 1790000000000; times written as milliseconds since 1970 (epoch times) are not read: export the time as text in ISO 8601, such as 2026-09-21T14:13:20Z (what this is as milliseconds since 1970)`)
	assert.EqualError(t, dsl.NotATime(-1.0, "-1"), `want a time like 2026-03-01T09:30:00Z, got the number -1`)
	assert.EqualError(t, dsl.NotATime(true, "true"), `want a time like 2026-03-01T09:30:00Z, got true`)
}
