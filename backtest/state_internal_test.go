package backtest

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/attribution"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
)

// stateCases are data sets a backtest's state must carry whole: capacity
// and drift, sales' verdicts, a known truth, and leads with instants that
// do not fit a stamp and times in other zones.
func stateCases(t *testing.T) []struct {
	name     string
	s        *scoring.Scorer
	leads    []scoring.Lead
	outcomes map[string]attribution.Outcome
	opts     Options
	ref      bool
} {
	root := filepath.Join("..", "testdata")
	load := func(model, leads, outcomes, dispositions string) (*scoring.Scorer, []scoring.Lead, map[string]attribution.Outcome) {
		m, err := rules.CompileFile(filepath.Join(root, model))
		require.NoError(t, err)
		s := scoring.New(m)
		disp := ""
		if dispositions != "" {
			disp = filepath.Join(root, dispositions)
		}
		ls := readAll(t, s, filepath.Join(root, leads), disp)
		return s, ls, readOutcomesFile(t, filepath.Join(root, outcomes))
	}
	at, until := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	type tc = struct {
		name     string
		s        *scoring.Scorer
		leads    []scoring.Lead
		outcomes map[string]attribution.Outcome
		opts     Options
		ref      bool
	}
	var cases []tc
	s, leads, outcomes := load("b2b-saas.yaml", "backtest/leads.ndjson", "backtest/outcomes.csv", "")
	cases = append(cases, tc{"bundled, capacity and drift", s, leads, outcomes, Options{At: at, Until: until, Capacity: &Capacity{Leads: 40, Unit: "week"}}, true})
	s, leads, outcomes = load("b2b-saas.yaml", "leads.ndjson", "outcomes.csv", "dispositions.csv")
	cases = append(cases, tc{"verdicts", s, leads, outcomes, Options{At: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), MinWon: 3, Dispositions: true, Capacity: &Capacity{Leads: 10, Unit: "month", On: "engagement"}}, false})
	s, leads, outcomes = load("backtest/truth/truth.yaml", "backtest/truth/leads.ndjson", "backtest/truth/outcomes.csv", "")
	cases = append(cases, tc{"known truth", s, leads, outcomes, Options{At: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}, false})

	// Far and zoned times: some leads' events moved centuries back, some
	// created in +05:45, an outcome in the 2300s.
	s, leads, outcomes = load("b2b-saas.yaml", "backtest/leads.ndjson", "backtest/outcomes.csv", "")
	nepal := time.FixedZone("", 5*3600+45*60)
	far := make([]scoring.Lead, len(leads))
	for i, l := range leads {
		if i%7 == 0 && len(l.Events) > 0 {
			evs := append([]scoring.Event(nil), l.Events...)
			evs[0].At = evs[0].At.AddDate(-800, 0, 0)
			l.Events = evs
		}
		if i%5 == 0 {
			if c := l.TimeField("created_at"); !c.IsZero() {
				fields := map[string]any{}
				for k, v := range l.Fields.(map[string]any) {
					fields[k] = v
				}
				fields["created_at"] = c.In(nepal).Format(time.RFC3339Nano)
				l.Fields = fields
			}
		}
		far[i] = l
	}
	farOutcomes := map[string]attribution.Outcome{}
	for id, o := range outcomes {
		farOutcomes[id] = o
	}
	for id, o := range outcomes {
		o.Lost = time.Date(2301, 1, 1, 0, 0, 0, 0, time.UTC)
		farOutcomes[id] = o
		break
	}
	cases = append(cases, tc{"far and zoned times", s, far, farOutcomes, Options{At: at, Capacity: &Capacity{Leads: 40, Unit: "week", History: 200 * 365 * 24 * time.Hour}}, true})
	return cases
}

func readOutcomesFile(t *testing.T, name string) map[string]attribution.Outcome {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	out, _, err := attribution.ReadOutcomes(f, func(line int, err error) { t.Fatalf("%s:%d: %v", name, line, err) })
	require.NoError(t, err)
	return out
}

// A backtest of shards whose states are merged gives the report of one
// pass to the byte, however the leads are split.
func TestStateMergesIntoOnePass(t *testing.T) {
	ctx := context.Background()
	refAt := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range stateCases(t) {
		t.Run(c.name, func(t *testing.T) {
			whole, err := New(c.s, c.outcomes, c.opts)
			require.NoError(t, err)
			for _, l := range c.leads {
				require.NoError(t, whole.Add(l))
				if c.ref {
					require.NoError(t, whole.AddReference(ctx, l, refAt))
				}
			}
			want := reportJSON(t, whole.Report())
			if c.name == "far and zoned times" {
				wide := 0
				for _, l := range whole.order {
					if l.wide != 0 {
						wide++
					}
				}
				require.Greater(t, wide, 10, "records with instants beyond a stamp")
			}
			for trial := range 3 {
				r := rand.New(rand.NewPCG(uint64(trial), 28))
				shards := make([][]scoring.Lead, 1+r.IntN(5))
				for _, l := range c.leads {
					k := r.IntN(len(shards))
					shards[k] = append(shards[k], l)
				}
				merged, err := New(c.s, c.outcomes, c.opts)
				require.NoError(t, err)
				for _, shard := range shards {
					b, err := New(c.s, c.outcomes, c.opts)
					require.NoError(t, err)
					for _, l := range shard {
						require.NoError(t, b.Add(l))
						if c.ref {
							require.NoError(t, b.AddReference(ctx, l, refAt))
						}
					}
					state, err := b.State()
					require.NoError(t, err)
					require.NoError(t, merged.MergeState(state))
				}
				require.Equal(t, want, reportJSON(t, merged.Report()), "trial %d, %d shards", trial, len(shards))
			}
		})
	}
}

func reportJSON(t *testing.T, r *Report) string {
	t.Helper()
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return string(b)
}

// A state cut short, or with any byte changed, is refused with an error
// or read as some other state; it never panics, and a state of other
// options is refused by name.
func TestStateRefusesWhatItCannotRead(t *testing.T) {
	c := stateCases(t)[0]
	b, err := New(c.s, c.outcomes, c.opts)
	require.NoError(t, err)
	for _, l := range c.leads[:40] {
		require.NoError(t, b.Add(l))
	}
	state, err := b.State()
	require.NoError(t, err)
	for n := 0; n < len(state); n += 1 + n/100 { // every byte of the header, then fewer
		into, err := New(c.s, c.outcomes, c.opts)
		require.NoError(t, err)
		require.Error(t, into.MergeState(state[:n]), "cut at %d of %d bytes", n, len(state))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		bad := append([]byte(nil), state...)
		bad[r.IntN(len(bad))] ^= byte(1 + r.IntN(255))
		into, err := New(c.s, c.outcomes, c.opts)
		require.NoError(t, err)
		require.NotPanics(t, func() {
			if into.MergeState(bad) == nil {
				into.Report() // whatever it took in, it reports
			}
		})
	}
	other := c.opts
	other.BandWidth = 10
	into, err := New(c.s, c.outcomes, other)
	require.NoError(t, err)
	require.ErrorContains(t, into.MergeState(state), "run every shard with the same model and options")
	require.ErrorContains(t, into.MergeState([]byte("not a state")), "not a backtest's state")

	keep := c.opts
	keep.Suggest = true
	kb, err := New(c.s, c.outcomes, keep)
	require.NoError(t, err)
	_, err = kb.State()
	require.ErrorContains(t, err, "cannot be carried as state")
}

func FuzzMergeState(f *testing.F) {
	root := filepath.Join("..", "testdata")
	m, err := rules.CompileFile(filepath.Join(root, "b2b-saas.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	s := scoring.New(m)
	opts := Options{At: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Capacity: &Capacity{Leads: 40, Unit: "week"}}
	b, err := New(s, nil, opts)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{})
	if state, err := b.State(); err == nil {
		f.Add(state)
	}
	outcomes := readOutcomesFile(&testing.T{}, filepath.Join(root, "backtest", "outcomes.csv"))
	withLeads, err := New(s, outcomes, opts)
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range readAll(&testing.T{}, s, filepath.Join(root, "backtest", "leads.ndjson"), "")[:12] {
		if err := withLeads.Add(l); err != nil {
			f.Fatal(err)
		}
	}
	state, err := withLeads.State()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(state)
	f.Fuzz(func(t *testing.T, state []byte) {
		into, err := New(s, outcomes, opts)
		if err != nil {
			t.Fatal(err)
		}
		if into.MergeState(state) == nil {
			into.Report() // whatever it took in, it reports without a panic
		}
	})
}

// Merging takes copies of the other backtest's records: the other reports
// as before, and merges again as before.
func TestMergeLeavesTheOtherAsItWas(t *testing.T) {
	c := stateCases(t)[0]
	half := len(c.leads) / 2
	a, err := New(c.s, c.outcomes, c.opts)
	require.NoError(t, err)
	other, err := New(c.s, c.outcomes, c.opts)
	require.NoError(t, err)
	// a names its grades and stages in another order than other does.
	for i := len(c.leads) - 1; i >= half; i-- {
		require.NoError(t, a.Add(c.leads[i]))
	}
	for _, l := range c.leads[:half] {
		require.NoError(t, other.Add(l))
	}
	before := reportJSON(t, other.Report())
	require.NoError(t, a.Merge(other))
	require.Equal(t, before, reportJSON(t, other.Report()), "the other's own report after a merge")
	again, err := New(c.s, c.outcomes, c.opts)
	require.NoError(t, err)
	require.NoError(t, again.Merge(other))
	require.Equal(t, before, reportJSON(t, again.Report()), "merged twice")
}

// Backtests of another model of the same name, of other outcomes, or
// with reference leads scored at another time do not merge, in memory or
// as state.
func TestMergeRefusesOtherModelsAndOutcomes(t *testing.T) {
	c := stateCases(t)[0]
	base, err := New(c.s, c.outcomes, c.opts)
	require.NoError(t, err)
	for _, l := range c.leads[:50] {
		require.NoError(t, base.Add(l))
	}

	// The bundled model with one rule's points changed, under its name.
	src, err := os.ReadFile(filepath.Join("..", "testdata", "b2b-saas.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	for _, f := range []string{"b2b-saas.yaml"} { // and its includes, below
		changed := strings.Replace(string(src), "points: 40", "points: 5", 1)
		require.NotEqual(t, string(src), changed)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte(changed), 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "common"), 0o755))
	lists, err := os.ReadFile(filepath.Join("..", "testdata", "common", "lists.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "lists.yaml"), lists, 0o644))
	m, err := rules.CompileFile(filepath.Join(dir, "b2b-saas.yaml"))
	require.NoError(t, err)
	require.Equal(t, c.s.Model().Name, m.Name)
	otherModel, err := New(scoring.New(m), c.outcomes, c.opts)
	require.NoError(t, err)
	require.NoError(t, otherModel.Add(c.leads[60]))

	outcomes := map[string]attribution.Outcome{}
	for id, o := range c.outcomes {
		outcomes[id] = o
	}
	for id, o := range outcomes {
		o.Revenue++
		outcomes[id] = o
		break
	}
	otherOutcomes, err := New(c.s, outcomes, c.opts)
	require.NoError(t, err)
	require.NoError(t, otherOutcomes.Add(c.leads[61]))

	for name, o := range map[string]*Backtest{"model": otherModel, "outcomes": otherOutcomes} {
		require.ErrorContains(t, base.Merge(o), "run every shard with the same model, outcomes and options", name)
		state, err := o.State()
		require.NoError(t, err)
		require.ErrorContains(t, base.MergeState(state), "run every shard with the same model and options", name)
	}

	ctx := context.Background()
	r1, err := New(c.s, c.outcomes, c.opts)
	require.NoError(t, err)
	require.NoError(t, r1.AddReference(ctx, c.leads[0], time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)))
	r2, err := New(c.s, c.outcomes, c.opts)
	require.NoError(t, err)
	require.NoError(t, r2.AddReference(ctx, c.leads[1], time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)))
	require.ErrorContains(t, r1.Merge(r2), "run every shard with the same --reference-at")
}

// States a backtest could never write (a lead that existed at T0 without
// units, a total that is not a number or infinite, a reference lead of
// another model's rules) are refused, not reported.
func TestStateRefusesRecordsNoBacktestWrites(t *testing.T) {
	c := stateCases(t)[0]
	b, err := New(c.s, c.outcomes, c.opts)
	require.NoError(t, err)
	var in *leadRec
	for _, l := range c.leads {
		require.NoError(t, b.Add(l))
		if r := b.order[b.ids.Find(l.ID)]; r.exclusion == none && in == nil {
			in = r
		}
	}
	require.NoError(t, b.AddReference(context.Background(), c.leads[0], time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)))
	for name, spoil := range map[string]func(){
		"no units":       func() { in.units = noList },
		"NaN total":      func() { in.total = math.NaN() },
		"infinite total": func() { in.total = math.Inf(1) },
		"NaN unit": func() {
			u := append([]float64(nil), b.lists.list(in.units)...)
			u[0] = math.NaN()
			in.units = b.lists.add(u)
		},
		"short ref": func() { b.ref[0].fired = b.ref[0].fired[:1] },
	} {
		saved, savedRef := *in, b.ref[0]
		spoil()
		state, err := b.State()
		*in, b.ref[0] = saved, savedRef
		require.NoError(t, err)
		into, err := New(c.s, c.outcomes, c.opts)
		require.NoError(t, err)
		require.Error(t, into.MergeState(state), name)
	}
}
