package scoring_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// SalesMilestones is what SalesReadyAt and SalesAcceptedAt say of the
// whole Timeline, error for error: for every bundled lead, with sales'
// bundled verdicts and made-up recycles, as of several times, counting
// and refusing unknown data, and under a model whose total cannot be
// worked out at some points.
func TestSalesMilestonesAreTheTimelines(t *testing.T) {
	m, err := rules.CompileFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	df, err := os.Open(filepath.Join("..", "testdata", "dispositions.csv"))
	require.NoError(t, err)
	verdicts, _, err := feedback.ReadDispositions(df, m.Handoff, nil)
	df.Close()
	require.NoError(t, err)

	src, err := os.ReadFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "common"), 0o755))
	lists, err := os.ReadFile(filepath.Join("..", "testdata", "common", "lists.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "lists.yaml"), lists, 0o644))
	failing := filepath.Join(dir, "b2b-saas.yaml")
	require.NoError(t, os.WriteFile(failing, append(src, "\ntotal: \"engagement == 3 ? (fit + 1) / (engagement - 3) : fit + engagement\"\n"...), 0o644))
	fm, err := rules.CompileFile(failing)
	require.NoError(t, err)

	scorers := map[string]*scoring.Scorer{
		"counting": scoring.New(m),
		"refusing": scoring.New(m, scoring.WithUnknownData(scoring.RefuseUnknown)),
		"ignoring": scoring.New(m, scoring.WithUnknownData(scoring.IgnoreUnknown)),
		"failing":  scoring.New(fm),
	}
	ctx := context.Background()
	for name, s := range scorers {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "testdata", "leads.ndjson"))
			require.NoError(t, err)
			defer f.Close()
			ready, accepted, failed := 0, 0, 0
			require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: f, InputName: "leads.ndjson"}, func(line int, lead scoring.Lead, err error) error {
				require.NoError(t, err)
				lead.Dispositions = append(lead.Dispositions, verdicts.For(lead.ID)...)
				if line%7 == 0 && len(lead.Events) > 0 { // a recycle, with its reset and hold-down
					lead.Dispositions = append(lead.Dispositions, scoring.Disposition{At: lead.Events[len(lead.Events)/2].At, Status: scoring.Recycled, Reason: "bad_timing"})
				}
				if line == 3 {
					lead.Fields.(map[string]any)["shoe_size"] = 44.0 // unknown data
				}
				for _, at := range []time.Time{asOf, asOf.AddDate(0, -3, 0), asOf.AddDate(1, 0, 0)} {
					got, gotErr := s.SalesMilestones(ctx, lead, at)
					tl, wantErr := s.TimelineContext(ctx, lead, at)
					if wantErr != nil {
						failed++
						require.Error(t, gotErr, "lead %s as of %s", lead.ID, at)
						assert.Equal(t, wantErr.Error(), gotErr.Error(), "lead %s as of %s", lead.ID, at)
						var want, have *scoring.Error
						assert.Equal(t, errors.As(wantErr, &want), errors.As(gotErr, &have))
						continue
					}
					require.NoError(t, gotErr, "lead %s as of %s", lead.ID, at)
					r, ok := tl.SalesReadyAt(s)
					require.Equal(t, ok, got.IsSalesReady, "lead %s as of %s", lead.ID, at)
					if ok {
						ready++
						assert.Equal(t, r.At, got.SalesReady.At, "lead %s as of %s", lead.ID, at)
						assert.Equal(t, r.Stage, got.SalesReady.Stage)
						assert.Equal(t, r.Event == nil, got.SalesReady.Event == nil)
						if r.Event != nil {
							assert.Equal(t, *r.Event, *got.SalesReady.Event)
						}
					}
					a, ok := tl.SalesAcceptedAt()
					require.Equal(t, ok, got.IsAccepted, "lead %s as of %s", lead.ID, at)
					if ok {
						accepted++
						assert.Equal(t, a, got.Accepted, "lead %s as of %s", lead.ID, at)
					}
				}
				return nil
			}))
			assert.Greater(t, ready, 50, "some leads become sales-ready")
			assert.Greater(t, accepted, 20, "some leads are accepted")
			switch name {
			case "failing":
				assert.Greater(t, failed, 100, "the total fails at some points")
			case "refusing":
				assert.Equal(t, 3, failed, "the lead with unknown data fails as of each time")
			default:
				assert.Zero(t, failed)
			}
		})
	}
}
