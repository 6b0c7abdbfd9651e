package backtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
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

const week = 7 * 24 * time.Hour

// stabilityOf runs the stability backtest of the leads, added in order.
func stabilityOf(t testing.TB, s *scoring.Scorer, leads []scoring.Lead, outcomes map[string]attribution.Outcome, opts backtest.Options, snaps []time.Time) *backtest.StabilityReport {
	t.Helper()
	st, err := backtest.NewStability(s, outcomes, opts, snaps)
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, st.Add(l))
	}
	return st.Report()
}

// sameAsSingle checks a snapshot's figures against a backtest run at its
// T0 and T1 alone, on the same leads and outcomes.
func sameAsSingle(t *testing.T, s *scoring.Scorer, leads []scoring.Lead, outcomes map[string]attribution.Outcome, sn backtest.Snapshot, until time.Time) {
	t.Helper()
	single := run(t, s, leads, outcomes, backtest.Options{At: sn.At, Until: until}, nil, time.Time{})
	at := sn.At.Format("2006-01-02")
	assert.Equal(t, single.Leads.InBacktest, sn.Leads, at)
	assert.Equal(t, single.Won, sn.Won, at)
	assert.Equal(t, single.WinRate, sn.WinRate, at)
	assert.Equal(t, single.AUC, sn.AUC, at)
	assert.Equal(t, single.AUCInterval, sn.AUCInterval, at)
	c := single.SalesReady
	assert.Equal(t, c.Leads, sn.SalesReady, at)
	assert.Equal(t, c.Won, sn.SalesReadyWon, at)
	assert.Equal(t, c.Precision, sn.Precision, at)
	assert.Equal(t, c.PrecisionInterval, sn.PrecisionInterval, at)
	assert.Equal(t, c.Recall, sn.Recall, at)
	assert.Equal(t, c.RecallInterval, sn.RecallInterval, at)
	assert.Equal(t, single.Won < single.MinWon, sn.TooFewWon, at)
}

// TestStabilityIsSingleBacktests: the one pass over the leads changes
// nothing: each snapshot's figures are those of a backtest run at that
// snapshot alone, with a window as long as the main one (T1 − T0), so
// the last snapshot is the main backtest; the order of the leads does not
// matter; with no T1, every window runs as long as (T0, the latest
// outcome], and the last snapshot is the main backtest with no end.
func TestStabilityIsSingleBacktests(t *testing.T) {
	s := scorerOf(t, bundled("b2b-saas.yaml"))
	leads := readLeads(t, s, bundled("backtest/leads.ndjson"))
	outcomes := readOutcomes(t, bundled("backtest/outcomes.csv"))
	at, until := day(7, 1), day(10, 1)
	snaps, err := backtest.Snapshots(day(4, 1), at, 4*week)
	require.NoError(t, err)
	require.Equal(t, []time.Time{day(4, 1), day(4, 29), day(5, 27), day(6, 24), day(7, 1)}, snaps)
	opts := backtest.Options{At: at, Until: until}
	r := stabilityOf(t, s, leads, outcomes, opts, snaps)
	require.Len(t, r.Snapshots, len(snaps))
	require.NotNil(t, r.WindowDays)
	assert.Equal(t, 92.0, *r.WindowDays)
	for i, sn := range r.Snapshots {
		assert.Equal(t, snaps[i], sn.At)
		want := snaps[i].Add(until.Sub(at))
		require.NotNil(t, sn.Until)
		assert.Equal(t, want, *sn.Until, "every window as long as the main one")
		assert.False(t, sn.Until.After(until), "no window ends after T1")
		assert.False(t, sn.CutShort)
		sameAsSingle(t, s, leads, outcomes, sn, want)
	}
	main := run(t, s, leads, outcomes, opts, nil, time.Time{})
	last := r.Snapshots[len(r.Snapshots)-1]
	assert.Equal(t, main.AUC, last.AUC, "the last snapshot is the main backtest")
	assert.Equal(t, main.SalesReady.Precision, last.Precision)

	// The order of the leads does not matter, to the byte.
	shuffled := append([]scoring.Lead(nil), leads...)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	assert.Equal(t, stabilityJSON(t, r), stabilityJSON(t, stabilityOf(t, s, shuffled, outcomes, opts, snaps)))

	// No T1: the windows run as long as the data does after T0.
	var latest time.Time
	for _, o := range outcomes {
		for _, d := range []time.Time{o.Opportunity, o.Won, o.Lost} {
			if d.After(latest) {
				latest = d
			}
		}
	}
	open := backtest.Options{At: at}
	r = stabilityOf(t, s, leads, outcomes, open, snaps)
	require.NotNil(t, r.LatestOutcome)
	assert.Equal(t, latest, *r.LatestOutcome)
	for i, sn := range r.Snapshots {
		want := snaps[i].Add(latest.Sub(at))
		require.NotNil(t, sn.Until)
		assert.Equal(t, want, *sn.Until)
		sameAsSingle(t, s, leads, outcomes, sn, want)
	}
	main = run(t, s, leads, outcomes, open, nil, time.Time{})
	last = r.Snapshots[len(r.Snapshots)-1]
	assert.Equal(t, main.Won, last.Won, "the last snapshot is the main backtest with no end")
	assert.Equal(t, main.AUC, last.AUC)
}

func stabilityJSON(t *testing.T, r *backtest.StabilityReport) string {
	t.Helper()
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return string(b)
}

// TestStabilityAddIsAllOrNothing: a lead that cannot be added is in no
// snapshot, and a second row of a lead is refused as Add refuses it.
func TestStabilityAddIsAllOrNothing(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	leads := readLeads(t, s, small("leads.ndjson"))
	outcomes := readOutcomes(t, small("outcomes.csv"))
	snaps := []time.Time{day(5, 1), day(5, 15), day(6, 1)}
	opts := backtest.Options{At: day(6, 1), Until: day(9, 1)}
	st, err := backtest.NewStability(s, outcomes, opts, snaps)
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, st.Add(l))
	}
	err = st.Add(leads[0])
	require.Error(t, err)
	assert.Contains(t, err.Error(), "appears twice")
	r := st.Report()
	for _, sn := range r.Snapshots {
		until := sn.At.Add(opts.Until.Sub(opts.At))
		sameAsSingle(t, s, leads, outcomes, sn, until)
	}
}

// TestStabilityTinySample: ten leads give every snapshot too few won
// deals; the reading says so and draws no conclusion.
func TestStabilityTinySample(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	leads := readLeads(t, s, small("leads.ndjson"))
	outcomes := readOutcomes(t, small("outcomes.csv"))
	snaps, err := backtest.Snapshots(day(5, 1), day(6, 1), week)
	require.NoError(t, err)
	r := stabilityOf(t, s, leads, outcomes, backtest.Options{At: day(6, 1), Until: day(9, 1)}, snaps)
	for _, sn := range r.Snapshots {
		assert.True(t, sn.TooFewWon, sn.At)
		assert.Less(t, sn.Won, backtest.DefaultMinWon)
	}
	assert.Zero(t, r.Compared)
	assert.Nil(t, r.AUCTest)
	assert.False(t, r.AUCMoves)
	assert.False(t, r.PrecisionMoves)
	assert.True(t, strings.HasPrefix(r.Reading, "Too few won deals to compare the snapshots, 0 of the 6 having at least 20 (--min-won)"), r.Reading)
	require.NotEmpty(t, r.Warnings)
	assert.Contains(t, r.Warnings[len(r.Warnings)-1], "rest on fewer than 20 won deals")

	// In the report: a row marked "too few won deals" for each snapshot.
	rep := run(t, s, leads, outcomes, backtest.Options{At: day(6, 1), Until: day(9, 1)}, nil, time.Time{})
	rep.SetStability(r)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteText(&buf))
	text := buf.String()
	assert.Contains(t, text, "STABILITY OVER TIME\n")
	assert.Equal(t, len(snaps), strings.Count(text, "too few won deals\n"))
	assert.Contains(t, text, "Warning: Stability over time: the snapshots at 2026-05-01")
	buf.Reset()
	require.NoError(t, rep.WriteCSV(&buf))
	assert.Contains(t, buf.String(), "Stability over time,header,snapshot (T0),window to (T1),leads,won,AUC")
}

// TestStabilityCutShort: windows that end well after the latest outcome
// are marked, warned about and left out of the reading.
func TestStabilityCutShort(t *testing.T) {
	s := scorerOf(t, bundled("b2b-saas.yaml"))
	leads := readLeads(t, s, bundled("backtest/leads.ndjson"))
	outcomes := readOutcomes(t, bundled("backtest/outcomes.csv"))
	// Outcomes end on 2026-09-30; a window of 153 days from 2026-07-01
	// would end on 2026-12-01.
	snaps, err := backtest.Snapshots(day(3, 1), day(7, 1), 4*week)
	require.NoError(t, err)
	r := stabilityOf(t, s, leads, outcomes, backtest.Options{At: day(7, 1), Until: day(12, 1)}, snaps)
	cut := 0
	for _, sn := range r.Snapshots {
		assert.Equal(t, sn.Until.After(day(10, 7).Add(18*time.Hour+10*time.Minute+23*time.Second)), sn.CutShort, sn.At)
		if sn.CutShort {
			cut++
			assert.Contains(t, r.Warnings[0], sn.At.Format("2006-01-02"))
		}
	}
	assert.Equal(t, 3, cut, "the snapshots from 2026-05-24 on")
	assert.Contains(t, r.Warnings[0], "end more than a week after the latest date in the outcomes file (2026-09-30T18:10:23Z)")
	assert.LessOrEqual(t, r.Compared, len(r.Snapshots)-cut)
}

func TestSnapshots(t *testing.T) {
	got, err := backtest.Snapshots(day(4, 1), day(4, 29), 2*week)
	require.NoError(t, err)
	assert.Equal(t, []time.Time{day(4, 1), day(4, 15), day(4, 29)}, got, "at on the grid: taken once")
	got, err = backtest.Snapshots(day(4, 1), day(4, 1), week)
	require.NoError(t, err)
	assert.Equal(t, []time.Time{day(4, 1)}, got)

	_, err = backtest.Snapshots(day(4, 1), day(3, 1), week)
	assert.EqualError(t, err, "the first snapshot (2026-04-01T00:00:00Z) comes after the last, T0 (2026-03-01T00:00:00Z)")
	_, err = backtest.Snapshots(day(3, 1), day(4, 1), 0)
	assert.EqualError(t, err, "the step between snapshots must be longer than zero")
	_, err = backtest.Snapshots(day(3, 1), day(4, 1), -week)
	assert.Error(t, err)
	_, err = backtest.Snapshots(day(1, 1).AddDate(-2, 0, 0), day(7, 1), week)
	assert.EqualError(t, err, "132 snapshots, more than 52; choose a longer step, such as 3w, or a later start")

	// The count agrees with the list, and the step suggested fits.
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 300; i++ {
		from := day(1, 1).Add(time.Duration(r.Int64N(int64(400 * 24 * time.Hour))))
		at := from.Add(time.Duration(r.Int64N(int64(800 * 24 * time.Hour))))
		every := time.Duration(1+r.Int64N(60)) * 24 * time.Hour
		n := backtest.SnapshotCount(from, at, every)
		got, err := backtest.Snapshots(from, at, every)
		if n > backtest.MaxSnapshots {
			assert.Error(t, err)
		} else {
			require.NoError(t, err)
			assert.Len(t, got, n)
			assert.Equal(t, from, got[0])
			assert.Equal(t, at, got[len(got)-1])
			for k := 1; k < len(got); k++ {
				assert.True(t, got[k].After(got[k-1]))
				assert.LessOrEqual(t, got[k].Sub(got[k-1]), every)
			}
		}
		assert.LessOrEqual(t, backtest.SnapshotCount(from, at, backtest.StepFor(from, at)), backtest.MaxSnapshots)
	}
}

func TestNewStabilityRefuses(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	_, err := backtest.NewStability(s, nil, backtest.Options{At: day(6, 1)}, []time.Time{day(5, 1), day(7, 1)})
	assert.EqualError(t, err, "the snapshot 2026-07-01T00:00:00Z comes after T0 (2026-06-01T00:00:00Z): snapshots run up to T0, so that no window reaches past the main one")
	_, err = backtest.NewStability(s, nil, backtest.Options{At: day(6, 1)}, nil)
	assert.EqualError(t, err, "stability over time needs at least one snapshot")
	many := make([]time.Time, backtest.MaxSnapshots+1)
	for i := range many {
		many[i] = day(6, 1).Add(-time.Duration(i) * time.Hour)
	}
	_, err = backtest.NewStability(s, nil, backtest.Options{At: day(6, 1)}, many)
	assert.EqualError(t, err, "53 snapshots, more than 52; take fewer")
}

// degradeModel scores one trait, a (20 points, sales-ready on its own),
// and one that does nothing, c.
const degradeModel = `leadscore: 1
model: degrade
fields: {a: bool, c: bool, created_at: time}
scores:
  fit: {}
rules:
  - {id: fit.a, score: fit, when: a, points: 20}
  - {id: fit.c, score: fit, when: c, points: 5}
stages:
  - {id: sql, sales_ready: true, when: fit >= 20}
`

// degradeLeads draws n leads created from 2025-09-01 to 2026-07-01, each
// decided 3 to 60 days after its creation: won with a chance that depends
// on trait a when the decision comes before change (38% with a, 8%
// without) and not at all from then on (13% for every lead). The leads
// not won are lost then.
func degradeLeads(seed uint64, n int, change time.Time) ([]scoring.Lead, map[string]attribution.Outcome) {
	r := rand.New(rand.NewPCG(seed, 11))
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC).Sub(start)
	var leads []scoring.Lead
	outcomes := map[string]attribution.Outcome{}
	for i := 0; i < n; i++ {
		created := start.Add(time.Duration(r.Float64() * float64(span)))
		a, c := r.Float64() < 0.3, r.Float64() < 0.5
		decided := created.Add(time.Duration((3 + 57*r.Float64()) * float64(24*time.Hour)))
		z := -1.9
		if decided.Before(change) {
			z = -2.5
			if a {
				z += 2
			}
		}
		id := fmt.Sprintf("D%05d", i)
		leads = append(leads, scoring.Lead{ID: id, Fields: map[string]any{"a": a, "c": c, "created_at": created.Format(time.RFC3339)}})
		if r.Float64() < 1/(1+math.Exp(-z)) {
			outcomes[id] = attribution.Outcome{Opportunity: decided.Add(-24 * time.Hour), Won: decided, Revenue: 1000}
		} else {
			outcomes[id] = attribution.Outcome{Opportunity: decided.Add(-24 * time.Hour), Lost: decided}
		}
	}
	return leads, outcomes
}

func degradeScorer(t *testing.T) *scoring.Scorer {
	t.Helper()
	file := filepath.Join(t.TempDir(), "degrade.yaml")
	require.NoError(t, os.WriteFile(file, []byte(degradeModel), 0o644))
	m, err := rules.CompileFile(file)
	require.NoError(t, err)
	return scoring.New(m)
}

// TestStabilitySeesADefinitionDegrade: on leads whose winning depends on
// the rule's trait until 2026-02-01 and not after, the AUC and the
// hand-off's precision fall across snapshots from 2025-11-01 to
// 2026-05-01, and the reading says so; on the same draw with no change,
// the reading finds none; and over repeated draws with no change, the
// test (conservative, as snapshots share leads) seldom flags one.
func TestStabilitySeesADefinitionDegrade(t *testing.T) {
	if testing.Short() {
		t.Skip("scores generated leads at many snapshots")
	}
	s := degradeScorer(t)
	at, until := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	snaps, err := backtest.Snapshots(time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), at, 4*week)
	require.NoError(t, err)
	opts := backtest.Options{At: at, Until: until}

	leads, outcomes := degradeLeads(1, 6000, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	r := stabilityOf(t, s, leads, outcomes, opts, snaps)
	for _, sn := range r.Snapshots {
		t.Logf("%s  leads %4d  won %3d  AUC %s  precision %d of %d", sn.At.Format("2006-01-02"), sn.Leads, sn.Won, fmtp(sn.AUC), sn.SalesReadyWon, sn.SalesReady)
	}
	t.Log(r.Reading)
	require.NotNil(t, r.AUCTest)
	assert.Equal(t, len(snaps), r.Compared, "every snapshot has enough won deals")
	assert.True(t, r.AUCMoves)
	assert.Less(t, r.AUCTest.P, 0.001)
	assert.Equal(t, "falling", r.AUCDirection)
	assert.True(t, r.PrecisionMoves)
	assert.True(t, strings.HasPrefix(r.Reading, "The AUC moves beyond noise across the 8 snapshots compared (a test of equal AUCs gives p < 0.001)"), r.Reading)
	assert.Contains(t, r.Reading, "It falls over time: the score ranks leads less well than it did.")
	assert.Contains(t, r.Reading, "The sales-ready precision moves beyond noise")
	first, last := r.Snapshots[0], r.Snapshots[len(r.Snapshots)-1]
	assert.Greater(t, first.AUCInterval.Low, last.AUCInterval.High, "the first snapshot ranks better, beyond both intervals")
	assert.InDelta(t, 0.5, *last.AUC, 0.06, "after the change the trait says nothing")

	// No change: the same generator, the trait predictive throughout.
	never := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	flagged := 0
	const draws = 12
	for seed := uint64(1); seed <= draws; seed++ {
		leads, outcomes := degradeLeads(seed, 3000, never)
		r := stabilityOf(t, s, leads, outcomes, opts, snaps)
		require.NotNil(t, r.AUCTest)
		if seed == 1 {
			assert.False(t, r.AUCMoves, r.Reading)
			assert.True(t, strings.HasPrefix(r.Reading, "The AUC stays within noise across the 8 snapshots compared"), r.Reading)
		}
		if r.AUCMoves {
			flagged++
		}
	}
	t.Logf("no change: flagged in %d of %d draws", flagged, draws)
	assert.LessOrEqual(t, flagged, 1, "no change in %d draws, flagged in %d", draws, flagged)
}

func fmtp(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.3f", *v)
}
