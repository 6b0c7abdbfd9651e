package attribution_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/internal/leadgen"
	"github.com/stretchr/testify/require"
)

// The merge contract: a report or a set of paths built on shards of the
// input and merged is the report of one pass over the whole input, to the
// bit. Each check below splits real (bundled) and generated data at random
// into shards, merges them in a random order, directly and through
// State / MarshalBinary (what crosses machines), and compares the final
// report's JSON bytes with one pass's.

// allModels are every rule-based model, with settings.
var allModels = []string{"first_touch", "last_touch", "last_non_direct:direct", "linear", "time_decay:3d",
	"position_based:30/50", "w_shaped", "w_shaped:opportunity", "full_path", "custom:first_touch=0.5,sales_ready=0.3,between=0.2"}

func parseModels(t *testing.T, specs []string) []attribution.Model {
	var ms []attribution.Model
	for _, s := range specs {
		m, err := attribution.ParseModel(s)
		require.NoError(t, err)
		ms = append(ms, m)
	}
	return ms
}

// generatedJourneys makes journeys with revenue and conversions that are
// not round (so that credit sums round differently in every order), on
// touches days apart, with milestones.
func generatedJourneys(seed uint64, n int) []*attribution.Journey {
	r := rand.New(rand.NewPCG(seed, 19))
	campaigns := []string{"brand-search", "newsletter", "linkedin-abm", "webinar-q3", "retarget", "partner-tour", "direct"}
	channels := []string{"paid_search", "email", "social", "webinar", "display", "partner", "direct"}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []*attribution.Journey
	for i := 0; i < n; i++ {
		j := &attribution.Journey{ID: fmt.Sprintf("G%05d", i), Milestones: map[string]time.Time{}}
		at := base.Add(time.Duration(r.IntN(200*24)) * time.Hour)
		for k := r.IntN(7); k >= 0; k-- {
			c := r.IntN(len(campaigns))
			j.Touches = append(j.Touches, attribution.Touch{At: at, Campaign: campaigns[c], Channel: channels[(c+r.IntN(2))%len(channels)]})
			at = at.Add(time.Duration(1+r.IntN(30*24)) * time.Hour)
		}
		if r.IntN(2) == 0 {
			j.Milestones[attribution.LeadCreated] = j.Touches[0].At.Add(time.Hour)
		}
		if r.IntN(3) == 0 {
			j.Milestones[attribution.SalesReady] = at.Add(-time.Duration(r.IntN(48)) * time.Hour)
		}
		if r.IntN(4) == 0 {
			j.Milestones[attribution.SalesAccepted] = at
		}
		if r.IntN(3) == 0 {
			j.Milestones[attribution.Opportunity] = at.Add(24 * time.Hour)
		}
		if r.IntN(4) == 0 {
			j.Converted = true
			j.Revenue = r.Float64() * 250000
			if r.IntN(3) == 0 {
				j.Conversions = r.Float64() * 3
			}
			j.Milestones[attribution.Won] = at.Add(72 * time.Hour)
		}
		out = append(out, j)
	}
	return out
}

// split deals the items into 2 to 6 shards at random.
func split[T any](r *rand.Rand, items []T) [][]T {
	shards := make([][]T, 2+r.IntN(5))
	for _, it := range items {
		k := r.IntN(len(shards))
		shards[k] = append(shards[k], it)
	}
	return shards
}

func reportJSON(t *testing.T, rep *attribution.Report) []byte {
	rep.Finish()
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	return b
}

func TestReportMergeIsOnePass(t *testing.T) {
	inputs := map[string][]*attribution.Journey{
		"bundled":   readJourneys(t),
		"generated": generatedJourneys(7, 3000),
	}
	opts := []attribution.Options{{}, {Lookback: 30 * 24 * time.Hour}, {Conversion: attribution.Opportunity}}
	for name, journeys := range inputs {
		for trial := 0; trial < 6; trial++ {
			r := rand.New(rand.NewPCG(uint64(trial), 1))
			o := opts[trial%len(opts)]
			ms := parseModels(t, allModels)
			newReport := func() *attribution.Report { return attribution.NewReport(ms, o, costs(t)) }
			whole := newReport()
			for _, j := range journeys {
				whole.Add(j)
			}
			want := reportJSON(t, whole)

			shards := split(r, journeys)
			parts := make([]*attribution.Report, len(shards))
			for i, shard := range shards {
				parts[i] = newReport()
				for _, j := range shard {
					parts[i].Add(j)
				}
			}
			r.Shuffle(len(parts), func(a, b int) { parts[a], parts[b] = parts[b], parts[a] })
			direct, viaState := newReport(), newReport()
			for _, p := range parts {
				require.NoError(t, direct.Merge(p))
				state, err := p.State()
				require.NoError(t, err)
				require.NoError(t, viaState.MergeState(state))
			}
			require.Equal(t, string(want), string(reportJSON(t, direct)), "%s, trial %d, %d shards", name, trial, len(shards))
			require.Equal(t, string(want), string(reportJSON(t, viaState)), "%s, trial %d, through State", name, trial)
		}
	}
}

// TestReportSumsAreOrderFree shows why the report keeps exact sums: the
// same journeys added in another order give the same bytes.
func TestReportSumsAreOrderFree(t *testing.T) {
	journeys := generatedJourneys(11, 2000)
	ms := parseModels(t, allModels)
	a, b := attribution.NewReport(ms, attribution.Options{}, nil), attribution.NewReport(ms, attribution.Options{}, nil)
	for i := range journeys {
		a.Add(journeys[i])
		b.Add(journeys[len(journeys)-1-i])
	}
	require.Equal(t, string(reportJSON(t, a)), string(reportJSON(t, b)))
}

func TestReportMergeRefusesOtherModels(t *testing.T) {
	a := attribution.NewReport(parseModels(t, []string{"linear"}), attribution.Options{}, nil)
	b := attribution.NewReport(parseModels(t, []string{"first_touch"}), attribution.Options{}, nil)
	require.EqualError(t, a.Merge(b), "cannot merge a report under the models first_touch into one under linear; run every shard with the same --models")
	state, err := b.State()
	require.NoError(t, err)
	require.Error(t, a.MergeState(state))
	require.ErrorContains(t, a.MergeState([]byte(`{"models":["linear"],"total":{"credit":[]}}`)), "credit for 0 models, not 1")
}

// pathSpecs are every model a set of paths runs under.
var pathSpecs = []string{"first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based",
	"markov:1", "markov:2", "markov:3", "markov:2:conv", "shapley"}

func pathsJSON(t *testing.T, p *attribution.Paths) []byte {
	rep, err := attribution.RunPaths(p, pathSpecs, 1)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, rep.WriteJSON(&b))
	return b.Bytes()
}

func TestPathsMergeIsOnePass(t *testing.T) {
	var generated bytes.Buffer
	require.NoError(t, leadgen.WritePaths(&generated, 5000, 3))
	inputs := map[string][]string{
		"PathData.csv": strings.Split(strings.TrimSpace(string(pathData(t))), "\n")[1:],
		"generated":    strings.Split(strings.TrimSpace(generated.String()), "\n")[1:],
	}
	read := func(lines []string) *attribution.Paths {
		p, read, used, err := attribution.ReadPaths(strings.NewReader(strings.Join(lines, "\n")), func(line int, err error) { t.Errorf("line %d: %v", line, err) })
		require.NoError(t, err)
		require.Equal(t, read, used)
		return p
	}
	for name, lines := range inputs {
		want := pathsJSON(t, read(lines))
		for trial := 0; trial < 3; trial++ {
			r := rand.New(rand.NewPCG(uint64(trial), 2))
			shards := split(r, lines)
			direct, viaBinary := attribution.NewPaths(), attribution.NewPaths()
			for _, shard := range shards {
				p := read(shard)
				require.NoError(t, direct.Merge(p))
				data, err := p.MarshalBinary()
				require.NoError(t, err)
				q := attribution.NewPaths()
				require.NoError(t, q.UnmarshalBinary(data))
				require.NoError(t, viaBinary.Merge(q))
			}
			require.Equal(t, string(want), string(pathsJSON(t, direct)), "%s, trial %d, %d shards", name, trial, len(shards))
			require.Equal(t, string(want), string(pathsJSON(t, viaBinary)), "%s, trial %d, through MarshalBinary", name, trial)
		}
	}
}

// TestJourneyPathsMerge: the paths of journeys (what --journeys feeds the
// data-driven models) merge as the aggregated ones do.
func TestJourneyPathsMerge(t *testing.T) {
	journeys := append(readJourneys(t), generatedJourneys(5, 2000)...)
	whole, err := attribution.PathsOf(journeys, attribution.Options{})
	require.NoError(t, err)
	want := pathsJSON(t, whole)
	r := rand.New(rand.NewPCG(9, 9))
	merged := attribution.NewPaths()
	for _, shard := range split(r, journeys) {
		p, err := attribution.PathsOf(shard, attribution.Options{})
		require.NoError(t, err)
		require.NoError(t, merged.Merge(p))
	}
	require.Equal(t, string(want), string(pathsJSON(t, merged)))
}

func TestPathsUnmarshalRefusesBadData(t *testing.T) {
	for data, want := range map[string]string{
		`{"channels":["a","a"],"paths":[]}`:                               `the channel "a" is named twice`,
		`{"channels":["a"],"paths":[{"p":[1],"c":"1","v":"0","n":"0"}]}`:  "channel id 1 of 1 channels",
		`{"channels":["a"],"paths":[{"p":[],"c":"1","v":"0","n":"0"}]}`:   "an empty path",
		`{"channels":["a"],"paths":[{"p":[0],"c":"1x","v":"0","n":"0"}]}`: `want a number, got "1x"`,
		`{"channels":["a"],"paths":[{"p":[0],"c":"-1","v":"0","n":"0"}]}`: `want a number, got "-1"`,
		`[`: "reading paths: unexpected end of JSON input",
	} {
		require.ErrorContains(t, attribution.NewPaths().UnmarshalBinary([]byte(data)), want, data)
	}
}

// CheckConversionReached judges the journeys of every shard: a milestone
// one shard's journeys have is reached once the shards are merged,
// directly or through State, and one none has is refused, naming theirs.
func TestCheckConversionReachedAfterMerge(t *testing.T) {
	ms := parseModels(t, []string{"linear"})
	with := journey()
	without := journey()
	without.ID = "K"
	delete(without.Milestones, "opportunity")
	only := func(j *attribution.Journey) *attribution.Report {
		r := attribution.NewReport(ms, attribution.Options{Conversion: attribution.Opportunity}, nil)
		r.Add(j)
		return r
	}
	empty := attribution.NewReport(ms, attribution.Options{}, nil)
	require.NoError(t, attribution.CheckConversionReached(attribution.Opportunity, empty), "no journey: nothing to judge")
	require.NoError(t, attribution.CheckConversionReached(attribution.Opportunity, only(with)))
	err := attribution.CheckConversionReached(attribution.Opportunity, only(without))
	require.EqualError(t, err, `no journey has the milestone "opportunity", so nothing would convert; theirs are lead_created, sales_ready, won; name one of them, or leave out the flag for won`)
	require.NoError(t, attribution.CheckConversionReached(attribution.Won, only(without)), "won is the journeys' converted flag")

	direct, viaState := only(without), only(without)
	require.NoError(t, direct.Merge(only(with)))
	require.NoError(t, attribution.CheckConversionReached(attribution.Opportunity, direct))
	state, err := only(with).State()
	require.NoError(t, err)
	require.NoError(t, viaState.MergeState(state))
	require.NoError(t, attribution.CheckConversionReached(attribution.Opportunity, viaState))
	// A state of journeys without it merges to the refusal still.
	state, err = only(without).State()
	require.NoError(t, err)
	fromState := attribution.NewReport(ms, attribution.Options{}, nil)
	require.NoError(t, fromState.MergeState(state))
	require.Error(t, attribution.CheckConversionReached(attribution.Opportunity, fromState))
	require.Error(t, fromState.MergeState([]byte(`{"models":["linear"],"total":{"name":"total","funnel":{},"credit":[["0","0"]]},"journeys":-1}`)))
}
