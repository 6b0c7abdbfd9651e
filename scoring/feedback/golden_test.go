package feedback_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/feedback.md from the current report")

func td(name string) string { return filepath.Join("..", "..", "testdata", name) }

// The report on the bundled leads, dispositions and outcomes, in Markdown,
// pinned whole: go test ./scoring/feedback -update accepts a deliberate
// change (the CLI's output is checked against the same file).
func TestBundledReportGolden(t *testing.T) {
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	s := scoring.New(m)
	f, err := os.Open(td("dispositions.csv"))
	require.NoError(t, err)
	defer f.Close()
	set, n, err := feedback.ReadDispositions(f, m.Handoff, func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	assert.Equal(t, feedback.Counts{Rows: 40, Read: 40}, n)
	of, err := os.Open(td("outcomes.csv"))
	require.NoError(t, err)
	defer of.Close()
	outcomes, _, err := attribution.ReadOutcomes(of, func(line int, err error) { t.Errorf("outcomes line %d: %v", line, err) })
	require.NoError(t, err)

	b := feedback.NewBuilder(s, feedback.Options{AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)})
	lf, err := os.Open(td("leads.ndjson"))
	require.NoError(t, err)
	defer lf.Close()
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: lf, InputName: "leads.ndjson"}, func(line int, lead scoring.Lead, err error) error {
		require.NoError(t, err)
		lead.Dispositions = set.For(lead.ID)
		return b.Add(lead, outcomes[lead.ID].Won)
	}))
	var md bytes.Buffer
	require.NoError(t, b.Report().WriteMarkdown(&md))
	golden := td(filepath.Join("golden", "feedback.md"))
	if *update {
		require.NoError(t, os.WriteFile(golden, md.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), md.String())
}
