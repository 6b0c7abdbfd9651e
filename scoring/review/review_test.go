package review_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
	"github.com/leadscore/leadscore/scoring/review"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func td(name string) string { return filepath.Join("..", "..", "testdata", name) }

func models(t *testing.T) (*rules.Model, *rules.Model) {
	old, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	new, err := rules.CompileFile(td("b2b-saas-v2.yaml"))
	require.NoError(t, err)
	return old, new
}

func TestCompare(t *testing.T) {
	old, new := models(t)
	changes := review.Compare(old, new)
	type row struct{ kind, what, name, owners string }
	var got []row
	for _, c := range changes {
		o := ""
		for _, x := range c.Owners {
			o += x + " "
		}
		got = append(got, row{c.Kind, c.What, c.Name, o})
	}
	assert.Equal(t, []row{
		{"changed", "rule", "fit.industry", "sales "},
		{"changed", "rule", "engagement.webinar", "marketing "},
		{"added", "rule", "engagement.webinar-registered", "marketing "},
		{"removed", "rule", "fit.uses-crm", "marketing "},
		{"changed", "stage", "sql", "marketing sales "},
	}, got)
	assert.Equal(t, []string{"points +20 → +25", "reviewed — → 2026-11-15"}, changes[0].Details)
	assert.Equal(t, []string{"+5 engagement per webinar_registered event (at most 2, within 60d)"}, changes[2].Details)
	assert.Equal(t, map[string]int{"marketing": 4, "sales": 2}, review.SignOff(changes))
	assert.Empty(t, review.Compare(old, old), "a model against itself")
}

func impact(t *testing.T, old, new *rules.Model) *review.Impact {
	f, err := os.Open(td("leads.ndjson"))
	require.NoError(t, err)
	defer f.Close()
	asOf := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	so, sn := scoring.New(old), scoring.New(new)
	im := review.NewImpact([]string{"engaged", "mql", "sql"}, []string{"total", "fit", "engagement"}, review.ChangedStages(review.Compare(old, new)))
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: sn, Input: f, InputName: "leads"}, func(line int, lead scoring.Lead, err error) error {
		require.NoError(t, err)
		o, err := so.Score(lead, asOf)
		require.NoError(t, err)
		n, err := sn.Score(lead, asOf)
		require.NoError(t, err)
		im.Add(line, o, n)
		return nil
	}))
	im.Finish()
	return im
}

func TestImpactReconciles(t *testing.T) {
	old, new := models(t)
	im := impact(t, old, new)
	moved := 0
	for _, m := range im.Moves {
		moved += m.Leads
	}
	assert.Equal(t, 1000, im.Leads)
	assert.Equal(t, im.Leads, moved, "every lead is in one cell of the move table")
	assert.Equal(t, im.SalesReadyNew-im.SalesReadyOld, len(im.Started)-len(im.Stopped))
	assert.Equal(t, 21, im.SalesReadyOld, "as in the bundled golden scores")
	for _, l := range im.Started {
		assert.Equal(t, "sql", l.NewStage)
		assert.NotEmpty(t, l.Moved, l.ID)
	}

	same := impact(t, old, old)
	assert.Empty(t, same.Started)
	assert.Empty(t, same.Stopped)
	for _, m := range same.Moves {
		assert.Equal(t, m.From, m.To, "against itself no lead moves")
	}
	assert.Equal(t, same.Distribution[0].Old, same.Distribution[0].New)
}

func TestMarkdownGolden(t *testing.T) {
	old, new := models(t)
	changes := review.Compare(old, new)
	rep := &review.Report{Model: new.Name, Old: "b2b-saas.yaml", New: "b2b-saas-v2.yaml", LeadsFile: "leads.ndjson",
		AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Changes: changes, SignOff: review.SignOff(changes), Impact: impact(t, old, new)}
	var b bytes.Buffer
	require.NoError(t, rep.WriteMarkdown(&b, 10))
	golden := td(filepath.Join("golden", "review.md"))
	if *update {
		require.NoError(t, os.WriteFile(golden, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
}
