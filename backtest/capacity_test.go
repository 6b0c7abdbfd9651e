package backtest_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// A lead with neither a creation time nor an event has no known arrival:
// it must not count as crossing every threshold at T0 (which would put
// them all in the last week and invent a trend), and the report says so.
func TestCapacityLeavesOutLeadsWithoutArrival(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	var leads []scoring.Lead
	for i := 0; i < 40; i++ {
		fields := map[string]any{"email": fmt.Sprintf("a%d@acme.io", i), "title": "VP"}
		if i%2 == 0 { // half created, one a week over the 13 weeks before T0
			fields["created_at"] = day(6, 1).AddDate(0, 0, -7*(i/2%13)-3).Format("2006-01-02T15:04:05Z")
		}
		leads = append(leads, scoring.Lead{ID: fmt.Sprintf("L%02d", i), Fields: fields})
	}
	r := run(t, s, leads, nil, backtest.Options{At: day(6, 1), Capacity: &backtest.Capacity{Leads: 100, Unit: "week"}}, nil, day(6, 1))
	c := r.Capacity
	require.NotNil(t, c)
	crossed := 0
	for _, w := range c.Weekly {
		crossed += w.Crossed
		assert.LessOrEqual(t, w.Crossed, 2, "week of %s: only leads with a creation time cross, at most two a week", w.From)
	}
	// The 20 created leads (fit 40: VP and a company address) cross at
	// their creation, 3 days into a week; the flows run over the whole
	// weeks since the first of them (87 days before T0: 12 weeks), so 19
	// of them count. The 20 without arrival do not cross at all.
	assert.Equal(t, 12.0, c.Periods)
	assert.Equal(t, 19, crossed)
	assert.Contains(t, fmt.Sprint(r.Warnings), "20 leads have neither a creation time (created_at) nor an event")
}

// Each week's cohorts, worked out here from when each lead crossed and
// when it was won: a lead counts as won for its week when it was won at or
// after the moment it crossed (or became sales-ready) and by the outcome
// window's end; a win before that moment, or after T1, does not.
func TestWeeklyCohortWinRates(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	at, until := day(6, 1), day(8, 1)
	var leads []scoring.Lead
	outcomes := map[string]attribution.Outcome{}
	type lead struct{ created, ready, won time.Time }
	var want []lead
	for i := 0; i < 60; i++ {
		created := at.Add(-time.Duration(i*33+5) * time.Hour) // spread over the 12 weeks before T0
		l := scoring.Lead{ID: fmt.Sprintf("L%02d", i), Fields: map[string]any{"email": fmt.Sprintf("a%d@acme.io", i), "title": "VP", "created_at": created.Format(time.RFC3339)}}
		w := lead{created: created}
		if i%2 == 0 { // a demo two days on: sales-ready then (fit 40, engagement 40)
			w.ready = created.Add(48 * time.Hour)
			if w.ready.After(at) {
				w.ready = time.Time{}
			} else {
				l.Events = []scoring.Event{{Type: "demo_request", At: w.ready}}
			}
		}
		switch i % 5 {
		case 0, 1: // won ten days after creation
			w.won = created.AddDate(0, 0, 10)
		case 2: // won a day after creation: after crossing, before sales-ready
			w.won = created.Add(24 * time.Hour)
		case 3: // won after the window
			w.won = until.AddDate(0, 0, 3)
		}
		if !w.won.IsZero() {
			outcomes[l.ID] = attribution.Outcome{Opportunity: created, Won: w.won, Revenue: 100}
		}
		leads = append(leads, l)
		want = append(want, w)
	}
	r := run(t, s, leads, outcomes, backtest.Options{At: at, Until: until, Capacity: &backtest.Capacity{Leads: 100, Unit: "week"}}, nil, at)
	c := r.Capacity
	require.NotNil(t, c)
	require.NotNil(t, c.Threshold)
	require.LessOrEqual(t, *c.Threshold, 50.0, "every lead crosses at its creation (fit 50)")
	require.NotEmpty(t, c.Weekly)
	counted := func(from, to, moment, won time.Time) (in, wonAfter bool) {
		in = !moment.IsZero() && !moment.Before(from) && moment.Before(to)
		return in, in && !won.IsZero() && !won.Before(moment) && !won.After(until)
	}
	totalCrossed, totalWon, totalReadyWon := 0, 0, 0
	for i, wk := range c.Weekly {
		totalWon, totalReadyWon = totalWon+wk.CrossedWon, totalReadyWon+wk.SalesReadyWon
		var crossed, crossedWon, ready, readyWon int
		for _, l := range want {
			if in, won := counted(wk.From, wk.To, l.created, l.won); in {
				crossed++
				if won {
					crossedWon++
				}
			}
			if in, won := counted(wk.From, wk.To, l.ready, l.won); in {
				ready++
				if won {
					readyWon++
				}
			}
		}
		if i == len(c.Weekly)-1 { // the last week runs up to T0 itself
			for _, l := range want {
				if l.created.Equal(wk.To) {
					crossed++
				}
			}
		}
		totalCrossed += crossed
		assert.Equal(t, []int{crossed, crossedWon, ready, readyWon}, []int{wk.Crossed, wk.CrossedWon, wk.SalesReady, wk.SalesReadyWon}, "week of %s", wk.From.Format("2006-01-02"))
		if crossed == 0 {
			assert.Nil(t, wk.WinRate)
		} else {
			require.NotNil(t, wk.WinRate)
			assert.InDelta(t, float64(crossedWon)/float64(crossed), *wk.WinRate, 1e-12)
			require.NotNil(t, wk.WinRateInterval)
			assert.True(t, wk.WinRateInterval.Low <= *wk.WinRate && *wk.WinRate <= wk.WinRateInterval.High)
		}
		if ready > 0 {
			require.NotNil(t, wk.SalesReadyWinRate)
			assert.InDelta(t, float64(readyWon)/float64(ready), *wk.SalesReadyWinRate, 1e-12)
		}
	}
	assert.Greater(t, totalCrossed, 40, "most leads fall in the weeks drawn")
	assert.Greater(t, totalWon, totalReadyWon, "wins the day after creation count for crossing, not for sales-ready")
	assert.Greater(t, totalReadyWon, 5)
	t.Logf("crossed %d, won after crossing %d, won after sales-ready %d", totalCrossed, totalWon, totalReadyWon)
}

// Scores near the largest number a score can be, far apart (categories
// without a max, points of 1e306 and more), make a span of thresholds that
// overflows: the capacity grid is still 2,001 finite thresholds, and the
// report is written, where it panicked.
func TestCapacityScoresNearTheLargestNumber(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	text := strings.NewReplacer("fit: {min: 0, max: 100}", "fit: {}", "engagement: {min: 0, max: 100}", "engagement: {}").Replace(string(src))
	text = regexp.MustCompile(`points: -?\d+`).ReplaceAllStringFunc(text, func(p string) string {
		n, err := strconv.Atoi(strings.TrimPrefix(p, "points: "))
		require.NoError(t, err)
		return fmt.Sprintf("points: %g", float64(n)*2e306)
	})
	require.NotEqual(t, string(src), text)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "common"), 0o755))
	lists, err := os.ReadFile(filepath.Join("..", "testdata", "common", "lists.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "lists.yaml"), lists, 0o644))
	file := filepath.Join(dir, "huge.yaml")
	require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	m, err := rules.CompileFile(file)
	require.NoError(t, err)
	s := scoring.New(m)
	b, err := backtest.New(s, readOutcomes(t, filepath.Join("..", "testdata", "backtest", "outcomes.csv")), backtest.Options{
		At: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Capacity: &backtest.Capacity{Leads: 40, Unit: "week"}})
	require.NoError(t, err)
	added := 0
	for _, l := range readLeads(t, s, filepath.Join("..", "testdata", "backtest", "leads.ndjson")) {
		if b.Add(l) == nil { // a lead whose total is no number fails alone
			added++
		}
	}
	require.Greater(t, added, 100)
	r := b.Report()
	c := r.Capacity
	require.NotNil(t, c)
	require.Len(t, c.Curve, 2001)
	span := c.Curve[2000].Threshold/2 - c.Curve[0].Threshold/2
	require.True(t, math.IsInf(c.Curve[2000].Threshold-c.Curve[0].Threshold, 1) || span > 1e307, "the scores are far apart: %v to %v", c.Curve[0].Threshold, c.Curve[2000].Threshold)
	for i, p := range c.Curve {
		require.False(t, math.IsInf(p.Threshold, 0) || math.IsNaN(p.Threshold), "threshold %d: %v", i, p.Threshold)
	}
	var out bytes.Buffer
	require.NoError(t, r.WriteJSON(&out))
}
