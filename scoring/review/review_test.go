package review_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
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

// The hand-off contract is part of the definition: a changed SLA or
// hold-down (compared by length, shown as written), what a recycle
// resets and the rejection reasons are changes both teams sign off.
func TestCompareHandoff(t *testing.T) {
	src, err := os.ReadFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	compile := func(t *testing.T, edits ...string) *rules.Model {
		t.Helper()
		s := string(src)
		for i := 0; i+1 < len(edits); i += 2 {
			require.Contains(t, s, edits[i])
			s = strings.Replace(s, edits[i], edits[i+1], 1)
		}
		dir := t.TempDir()
		require.NoError(t, os.CopyFS(filepath.Join(dir, "common"), os.DirFS(td("common"))))
		p := filepath.Join(dir, "m.yaml")
		require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
		m, err := rules.CompileFile(p)
		require.NoError(t, err)
		return m
	}
	old := compile(t)
	assert.Empty(t, review.Compare(old, compile(t, "sla: 48h", "sla: 2d", "hold: 30d", "hold: 720h")), "the same lengths, written otherwise")

	changes := review.Compare(old, compile(t, "sla: 48h", "sla: 4d", "hold: 30d", "hold: 10d", "resets: [engagement]", "resets: [engagement.webinar]",
		"description: No budget this year", "description: No budget this year\n      contradicts: [fit.mid-market]",
		"    - code: duplicate\n      description: Already in a sales conversation under another record\n", ""))
	type row struct{ kind, what, name, details string }
	var got []row
	for _, c := range changes {
		got = append(got, row{c.Kind, c.What, c.Name, strings.Join(c.Details, "; ")})
		assert.Equal(t, []string{"marketing", "sales"}, c.Owners, "the whole definition's teams sign it off")
	}
	assert.Equal(t, []row{
		{"changed", "handoff", "sla", "48h → 4d"},
		{"changed", "handoff", "hold", "30d → 10d"},
		{"changed", "handoff", "resets", "engagement → engagement.webinar"},
		{"changed", "reason", "no_budget", "No budget this year → No budget this year (contradicts fit.mid-market)"},
		{"removed", "reason", "duplicate", "was: Already in a sales conversation under another record"},
	}, got)
}

// The holdout experiment is part of the definition: adding or removing
// it, or changing its share, seed or what it withholds, is a change the
// whole definition's teams sign off.
func TestCompareHoldout(t *testing.T) {
	src, err := os.ReadFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	compile := func(t *testing.T, holdout string) *rules.Model {
		t.Helper()
		dir := t.TempDir()
		require.NoError(t, os.CopyFS(filepath.Join(dir, "common"), os.DirFS(td("common"))))
		p := filepath.Join(dir, "m.yaml")
		require.NoError(t, os.WriteFile(p, append(append([]byte{}, src...), holdout...), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "c.yaml"), src, 0o644))
		m, err := rules.CompileFile(p)
		require.NoError(t, err)
		return m
	}
	type row struct{ kind, what, name, details string }
	rows := func(changes []review.Change) []row {
		var got []row
		for _, c := range changes {
			got = append(got, row{c.Kind, c.What, c.Name, strings.Join(c.Details, "; ")})
			assert.Equal(t, []string{"marketing", "sales"}, c.Owners, "the whole definition's teams sign it off")
		}
		return got
	}
	none := compile(t, "")
	h := compile(t, "\nholdout: {share: 0.1, seed: q3, withhold: handoff}\n")
	assert.Empty(t, review.Compare(h, compile(t, "\nholdout: {share: 0.10, seed: \"q3\", withhold: handoff}\n")), "the same experiment, written otherwise")
	assert.Equal(t, []row{{"added", "holdout", "holdout", "share 0.1, seed q3, withhold handoff"}}, rows(review.Compare(none, h)))
	assert.Equal(t, []row{{"removed", "holdout", "holdout", "was: share 0.1, seed q3, withhold handoff"}}, rows(review.Compare(h, none)))
	assert.Equal(t, []row{
		{"changed", "holdout", "share", "0.1 → 0.25 (another control group)"},
		{"changed", "holdout", "seed", "q3 → q4 (another control group)"},
		{"changed", "holdout", "withhold", "handoff → {challenger: c.yaml}"},
	}, rows(review.Compare(h, compile(t, "\nholdout: {share: 0.25, seed: q4, withhold: {challenger: c.yaml}}\n"))))
	started := compile(t, "\nholdout: {share: 0.1, seed: q3, withhold: handoff, starts: 2026-09-01}\n")
	assert.Equal(t, []row{{"changed", "holdout", "starts", "none → 2026-09-01 (other leads in the experiment)"}}, rows(review.Compare(h, started)))
	assert.Empty(t, review.Compare(started, compile(t, "\nholdout: {share: 0.1, seed: q3, withhold: handoff, starts: 2026-09-01T00:00:00Z}\n")), "the same start, written otherwise")
	assert.Equal(t, []row{{"added", "holdout", "holdout", "share 0.1, seed q3, withhold handoff, starts 2026-09-01"}}, rows(review.Compare(none, started)))
}

// AddCause adds to the last lead counted when it changed, and to no other.
func TestAddCause(t *testing.T) {
	im := review.NewImpact([]string{"sql"}, []string{"total"}, nil)
	im.Add(1, &scoring.Result{LeadID: "a", Stage: "sql", SalesReady: true}, &scoring.Result{LeadID: "a"})
	im.AddCause("a", "its people changed")
	im.Add(2, &scoring.Result{LeadID: "b"}, &scoring.Result{LeadID: "b"})
	im.AddCause("b", "not listed: it did not change")
	im.Finish()
	require.Len(t, im.Stopped, 1)
	assert.Equal(t, "its people changed", im.Stopped[0].Moved[len(im.Stopped[0].Moved)-1])
	assert.Empty(t, im.Started)
	assert.NotNil(t, im.Started, "an empty list, [] in JSON")
	empty := review.NewImpact([]string{"sql"}, []string{"total"}, nil)
	empty.Finish()
	assert.Empty(t, empty.Distribution, "no spread of nothing")
}
