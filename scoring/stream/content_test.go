package stream_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/scoring/stream"
)

// The content sums follow the ids they belong to: through the window's
// trimming, across an old store's ids without sums, and through the JSON a
// store keeps.
func TestApplySumKeepsSumsBesideIDs(t *testing.T) {
	sum := func(v any) uint64 {
		return stream.ContentSum(map[string]any{"type": "page_view", "v": v, "id": "x", "lead_id": "L"})
	}
	require.Equal(t, sum(1.0), stream.ContentSum(map[string]any{"lead_id": "M", "id": "y", "v": 1.0, "type": "page_view"}), "its lead_id and id are not its content")
	require.NotEqual(t, sum(1.0), sum(2.0))

	// A store written before sums were kept: its ids have none, so an id
	// among them is a duplicate whatever it carries.
	var l stream.Lead
	require.NoError(t, json.Unmarshal([]byte(`{"id":"L","applied":["old1","old2"]}`), &l))
	seen, other := l.SeenAs("old1", sum(9.0))
	require.True(t, seen)
	require.False(t, other)
	for i := range 6 {
		l.ApplySum(fmt.Sprintf("e%d", i), sum(float64(i)), 5)
	}
	require.Equal(t, []string{"e1", "e2", "e3", "e4", "e5"}, l.Applied)
	require.Len(t, l.Sums, len(l.Applied))
	b, err := json.Marshal(l)
	require.NoError(t, err)
	var back stream.Lead
	require.NoError(t, json.Unmarshal(b, &back))
	for i := 1; i < 6; i++ {
		id := fmt.Sprintf("e%d", i)
		seen, other := back.SeenAs(id, sum(float64(i)))
		require.True(t, seen && !other, id)
		seen, other = back.SeenAs(id, sum(float64(i)+0.5))
		require.True(t, seen && other, id)
	}
	seen, _ = back.SeenAs("e0", sum(0.0))
	require.False(t, seen, "trimmed out of the window")
	// Apply (no sum) keeps the sums in line with the ids.
	back.Apply("plain", 5)
	require.Len(t, back.Sums, len(back.Applied))
	seen, other = back.SeenAs("plain", sum(1.0))
	require.True(t, seen && !other)
	seen, other = back.SeenAs("e5", sum(7.0))
	require.True(t, seen && other)
}

// A time is the same instant however it is written: in another zone, with
// its fractions of a second, in a disposition's nested at too.
func TestContentSumReadsTimesAsInstants(t *testing.T) {
	sum := func(at string) uint64 {
		return stream.ContentSum(map[string]any{"type": "demo_request", "at": at, "disposition": map[string]any{"at": at}})
	}
	z := sum("2026-09-01T10:00:00Z")
	require.Equal(t, z, sum("2026-09-01T10:00:00.000Z"))
	require.Equal(t, z, sum("2026-09-01T12:00:00+02:00"))
	require.NotEqual(t, z, sum("2026-09-01T10:00:01Z"))
	require.NotEqual(t, z, sum("2026-09-01T10:00:00+02:00"))
}
