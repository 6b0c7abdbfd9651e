package feedback

import (
	"bytes"
	"math"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/leadfile"
)

// stateBuilder is a builder over the bundled leads and dispositions.
func stateBuilder(t testing.TB) (*scoring.Scorer, Options, *Builder) {
	m, err := rules.CompileFile(td("b2b-saas.yaml"))
	require.NoError(t, err)
	s := scoring.New(m)
	opts := Options{AsOf: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	disp, err := os.ReadFile(td("dispositions.csv"))
	require.NoError(t, err)
	set, _, err := ReadDispositions(bytes.NewReader(disp), m.Handoff, func(line int, err error) { t.Errorf("line %d: %v", line, err) })
	require.NoError(t, err)
	leads, err := os.ReadFile(td("leads.ndjson"))
	require.NoError(t, err)
	b := NewBuilder(s, opts)
	require.NoError(t, leadfile.Read(leadfile.Options{Scorer: s, Input: bytes.NewReader(leads), InputName: "leads"}, func(_ int, lead scoring.Lead, err error) error {
		require.NoError(t, err)
		lead.Dispositions = set.For(lead.ID)
		return b.Add(lead, time.Time{})
	}))
	return s, opts, b
}

// A state that no builder could have written, well formed as bytes, is
// refused: each case changes one thing a builder keeps and writes it.
func TestMergeStateRefusesImpossibleRecords(t *testing.T) {
	s, opts, _ := stateBuilder(t)
	cases := map[string]func(b *Builder){
		"a wait that is not a number": func(b *Builder) { b.waits[0] = math.NaN() },
		"an owner's infinite wait": func(b *Builder) {
			for _, o := range b.owners {
				if len(o.waits) > 0 {
					o.waits[0] = math.Inf(1)
					return
				}
			}
		},
		"a negative wait":                 func(b *Builder) { b.waits[1] = -2 },
		"accepted more than counted":      func(b *Builder) { b.rep.Accepted++ },
		"a wait too many":                 func(b *Builder) { b.waits = append(b.waits, 3) },
		"a count beyond any":              func(b *Builder) { b.rep.Leads = 1 << 50 },
		"a reason not in the catalogue":   func(b *Builder) { b.overall["no_such_reason"] = 1 },
		"a group that does not add up":    func(b *Builder) { b.groups[0][firstName(b.groups[0])].Accepted += 5 },
		"campaigns short of the leads":    func(b *Builder) { delete(b.groups[0], firstName(b.groups[0])) },
		"a rule fired on more than all":   func(b *Builder) { b.tally.fired[0] = b.tally.leads + 1 },
		"a firing pattern of other rules": func(b *Builder) { b.tally.verdict["\xff\xff\xff\xff\xff\xff\xff"] = 1 },
		"an owner's verdicts without waits": func(b *Builder) {
			for _, o := range b.owners {
				if len(o.waits) > 0 {
					o.waits = o.waits[1:]
					return
				}
			}
		},
		"a band at no number": func(b *Builder) { b.groups[2][firstName(b.groups[2])].order = math.NaN() },
		"evidence and reasons apart": func(b *Builder) {
			for code := range b.overall {
				b.overall[code]++
				return
			}
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, b := stateBuilder(t)
			st, err := b.State()
			require.NoError(t, err)
			require.NoError(t, NewBuilder(s, opts).MergeState(st), "unchanged, it is taken in")
			change(b)
			st, err = b.State()
			require.NoError(t, err)
			err = NewBuilder(s, opts).MergeState(st)
			require.Error(t, err)
			require.Contains(t, err.Error(), "reading a feedback report's state")
			t.Log(err)
		})
	}
}

func firstName(gs map[string]*Group) string {
	best := ""
	for name := range gs {
		if best == "" || name < best {
			best = name
		}
	}
	return best
}

func FuzzMergeState(f *testing.F) {
	s, opts, b := stateBuilder(f)
	f.Add([]byte{})
	empty, err := NewBuilder(s, opts).State()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(empty)
	st, err := b.State()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(st)
	f.Fuzz(func(t *testing.T, state []byte) {
		into := NewBuilder(s, opts)
		if into.MergeState(state) != nil {
			return
		}
		// Whatever it took in, it reports without a panic, and its state
		// is taken in again.
		again, err := into.State()
		if err != nil {
			t.Fatal(err)
		}
		into.Report()
		if err := NewBuilder(s, opts).MergeState(again); err != nil {
			t.Fatalf("a state taken in, written again, is refused: %v", err)
		}
	})
}
