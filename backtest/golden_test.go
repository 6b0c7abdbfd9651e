package backtest_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestBundledReport pins the Markdown report of the bundled example
// (testdata/backtest, T0 2026-07-01, T1 2026-10-01, 40 leads a week,
// suggested points, the default minimum of won deals) in
// testdata/golden/backtest.md. Its numbers are
// checked elsewhere: by hand on a small file, against brute force and
// against generated data with a known propensity. go test -update
// rewrites it after a deliberate change.
func TestBundledReport(t *testing.T) {
	s := scorerOf(t, bundled("b2b-saas.yaml"))
	r, _ := bundledRunMin(t, readLeads(t, s, bundled("backtest/leads.ndjson")), readOutcomes(t, bundled("backtest/outcomes.csv")), true, 0)
	var buf bytes.Buffer
	require.NoError(t, r.WriteMarkdown(&buf))
	name := bundled("golden/backtest.md")
	if *update {
		require.NoError(t, os.WriteFile(name, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, string(want), buf.String())
}
