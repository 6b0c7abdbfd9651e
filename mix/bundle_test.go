package mix

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the bundled example in testdata/mix")

// The bundled example (testdata/mix: spend.csv, kpi.csv, truth.json) is
// exampleSim written out, so the files and their truth cannot drift from
// the simulator: go test ./mix -run TestBundledExample -update rewrites
// them.
func TestBundledExample(t *testing.T) {
	d, truth, err := Simulate(exampleSim)
	require.NoError(t, err)
	var spend, kpi bytes.Buffer
	spend.WriteString("week,channel,spend\n")
	kpi.WriteString("week,revenue\n")
	for i, w := range d.Weeks {
		for _, ch := range d.Channels {
			fmt.Fprintf(&spend, "%s,%s,%.2f\n", day(w), ch.Name, ch.Spend[i])
		}
		fmt.Fprintf(&kpi, "%s,%.2f\n", day(w), d.KPI[i])
	}
	doc := struct {
		Simulation Simulation `json:"simulation"`
		Truth
	}{exampleSim, truth}
	js, err := json.MarshalIndent(doc, "", "  ")
	require.NoError(t, err)
	files := map[string][]byte{"spend.csv": spend.Bytes(), "kpi.csv": kpi.Bytes(), "truth.json": append(js, '\n'), "lifts.csv": bundledLifts(d, truth)}
	dir := filepath.Join("..", "testdata", "mix")
	for name, want := range files {
		path := filepath.Join(dir, name)
		if *update {
			require.NoError(t, os.WriteFile(path, want, 0o644))
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "go test ./mix -run TestBundledExample -update")
		assert.Equal(t, string(want), string(got), "%s is out of date: go test ./mix -run TestBundledExample -update", path)
	}
}

// bundledLifts are two lift tests of the bundled example, as a perfect
// experiment would report them: each result is the channel's true lift
// over the test's weeks (Truth.Lift), its 95% interval that of a test with
// a standard error of 10% of it (tv, 12 weeks) or 12% (social, 10 weeks).
// The simulation tests (calibrate_test.go) draw results with their error;
// the example shows what a right test does.
func bundledLifts(d Data, truth Truth) []byte {
	var b bytes.Buffer
	b.WriteString("channel,start,end,incremental_kpi,low,high\n")
	for _, t := range []struct {
		c, from, to int
		rel         float64
	}{{0, 84, 95, 0.10}, {2, 96, 105, 0.12}} {
		L := truth.Lift(d, t.c, t.from, t.to)
		se := t.rel * L
		fmt.Fprintf(&b, "%s,%s,%s,%.0f,%.0f,%.0f\n", d.Channels[t.c].Name, day(d.Weeks[t.from]), day(d.Weeks[t.to].AddDate(0, 0, 6)), L, L-z95*se, L+z95*se)
	}
	return b.Bytes()
}

// The bundled files read back into the simulated data, to the cent.
func TestReadBundledExample(t *testing.T) {
	d, _, err := Simulate(exampleSim)
	require.NoError(t, err)
	dir := filepath.Join("..", "testdata", "mix")
	f, err := os.Open(filepath.Join(dir, "spend.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, n, err := ReadSpend(f, func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 468, Read: 468}, n)
	g, err := os.Open(filepath.Join(dir, "kpi.csv"))
	require.NoError(t, err)
	defer g.Close()
	kpi, n, err := ReadWeekly(g, "KPI", "", func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 156, Read: 156}, n)
	got, a, err := Assemble(rows, kpi, nil)
	require.NoError(t, err)
	assert.Equal(t, Assembled{}, a)
	assert.Equal(t, d.Weeks, got.Weeks)
	assert.InDeltaSlice(t, d.KPI, got.KPI, 0.005)
	require.Len(t, got.Channels, len(d.Channels))
	for _, want := range d.Channels { // read back in the order of their names
		i := slices.IndexFunc(got.Channels, func(c Channel) bool { return c.Name == want.Name })
		require.GreaterOrEqual(t, i, 0, want.Name)
		assert.InDeltaSlice(t, want.Spend, got.Channels[i].Spend, 0.005)
	}
	assert.True(t, slices.IsSortedFunc(got.Channels, func(x, y Channel) int { return strings.Compare(x.Name, y.Name) }))
}

// The order of the spend file's rows does not matter: shuffled, the rows
// assemble into the same data, channels in the order of their names.
func TestSpendRowOrderDoesNotMatter(t *testing.T) {
	d, _, err := Simulate(exampleSim)
	require.NoError(t, err)
	var rows []SpendRow
	for i, w := range d.Weeks {
		for _, ch := range d.Channels {
			rows = append(rows, SpendRow{Week: w, Channel: ch.Name, Spend: ch.Spend[i]})
		}
	}
	kpi := Series{Weeks: d.Weeks, Names: []string{"revenue"}, Values: [][]float64{d.KPI}}
	want, _, err := Assemble(rows, kpi, nil)
	require.NoError(t, err)
	for seed := int64(1); seed <= 3; seed++ {
		shuffled := slices.Clone(rows)
		rand.New(rand.NewSource(seed)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got, _, err := Assemble(shuffled, kpi, nil)
		require.NoError(t, err)
		assert.Equal(t, want, got, "seed %d", seed)
	}
}

// A channel spelt in two cases is refused, not split into two channels
// each with half its weeks at no spend.
func TestChannelNamesDifferingInCaseAreRefused(t *testing.T) {
	w := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := []SpendRow{{Week: w, Channel: "tv", Spend: 1}, {Week: w.AddDate(0, 0, 7), Channel: "TV", Spend: 2}}
	kpi := Series{Weeks: []time.Time{w, w.AddDate(0, 0, 7)}, Names: []string{"revenue"}, Values: [][]float64{{1, 2}}}
	_, _, err := Assemble(rows, kpi, nil)
	require.Error(t, err)
	assert.Equal(t, `channels "tv" and "TV" differ only in case; write one name for the channel in every row`, err.Error())
}

// The bundled daily example (testdata/mix/daily: spend.csv with a day
// column, kpi.csv with a date column, truth.json) is dailySim written out:
// go test ./mix -run TestBundledDailyExample -update rewrites it.
func TestBundledDailyExample(t *testing.T) {
	d, truth, err := Simulate(dailySim)
	require.NoError(t, err)
	var spend, kpi bytes.Buffer
	spend.WriteString("day,channel,spend\n")
	kpi.WriteString("date,revenue\n")
	for i, w := range d.Weeks {
		for _, ch := range d.Channels {
			fmt.Fprintf(&spend, "%s,%s,%.2f\n", day(w), ch.Name, ch.Spend[i])
		}
		fmt.Fprintf(&kpi, "%s,%.2f\n", day(w), d.KPI[i])
	}
	doc := struct {
		Simulation Simulation `json:"simulation"`
		Truth
	}{dailySim, truth}
	js, err := json.MarshalIndent(doc, "", "  ")
	require.NoError(t, err)
	files := map[string][]byte{"spend.csv": spend.Bytes(), "kpi.csv": kpi.Bytes(), "truth.json": append(js, '\n')}
	dir := filepath.Join("..", "testdata", "mix", "daily")
	if *update {
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	for name, want := range files {
		path := filepath.Join(dir, name)
		if *update {
			require.NoError(t, os.WriteFile(path, want, 0o644))
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "go test ./mix -run TestBundledDailyExample -update")
		assert.Equal(t, string(want), string(got), "%s is out of date: go test ./mix -run TestBundledDailyExample -update", path)
	}
	// They read back into the simulated data, to the cent.
	f, err := os.Open(filepath.Join(dir, "spend.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, n, err := ReadSpendBy(f, Day, func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	assert.Equal(t, Counts{Rows: 3 * 730, Read: 3 * 730}, n)
	g, err := os.Open(filepath.Join(dir, "kpi.csv"))
	require.NoError(t, err)
	defer g.Close()
	s, _, err := ReadSeries(g, Day, "KPI", "", func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	back, _, err := Assemble(rows, s, nil)
	require.NoError(t, err)
	assert.Equal(t, Day, back.Period)
	require.NoError(t, back.Validate())
	for i := range d.KPI {
		assert.InDelta(t, d.KPI[i], back.KPI[i], 0.005)
	}
}
