package backtest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A proposed set of points that fails on a lead let go for its trace
// (leads from a pipe) gives the error replaying the lead gives, word for
// word: the positions named as the proposal's model names them (CompileAt,
// the model's base name), not as the backtest's own model does (the path
// it was read from). testdata/letgo/m.yaml is included/m.yaml without its
// include, visits at 7 points: the current points never make the total
// divide by zero, the fitted ones do.
func TestSuggestFailureOnLeadLetGoNamesTheProposal(t *testing.T) {
	file := filepath.Join("testdata", "letgo", "m.yaml")
	s, src := modelOf(t, file)
	outcomes := readOutcomes(t, filepath.Join("testdata", "included", "outcomes.csv"))
	leads := readAll(t, s, filepath.Join("testdata", "included", "leads.ndjson"), "")
	var errs []string
	for _, trace := range []bool{false, true} {
		b, err := New(s, outcomes, Options{At: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Suggest: true, Trace: trace, MinWon: 5})
		require.NoError(t, err)
		t.Cleanup(func() { b.Close() })
		for _, l := range leads {
			_ = b.Add(l)
		}
		_, _, err = b.Suggest(context.Background(), file, src, nil)
		require.Error(t, err)
		errs = append(errs, err.Error())
	}
	assert.Contains(t, errs[0], "replaying lead")
	assert.Equal(t, errs[0], errs[1], "the leads kept, then let go for their traces")
}
