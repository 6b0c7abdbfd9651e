package rules_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
)

// controlByHand is the documented assignment written out independently of
// the package: exact rational arithmetic, no shortcuts.
func controlByHand(seed, id string, share float64) bool {
	sum := sha256.Sum256([]byte(seed + "\x00" + id))
	u := binary.BigEndian.Uint64(sum[:8]) >> 11
	// u / 2^53 < share, compared as exact rationals.
	left := new(big.Rat).SetFrac(new(big.Int).SetUint64(u), new(big.Int).Lsh(big.NewInt(1), 53))
	right := new(big.Rat).SetFloat64(share)
	return left.Cmp(right) < 0
}

func TestHoldoutAssignmentGolden(t *testing.T) {
	// The draws of fixed ids under seed "q3-holdout", as fractions u/2^53
	// (computed with sha256sum and Python: see docs/guide/holdouts.md),
	// and whether each is in a 10% and a 50% control group.
	golden := []struct {
		id         string
		draw       uint64
		in10, in50 bool
	}{
		{"L1", 6394006375574582, false, false},        // 0.709877
		{"L2", 6309056058115721, false, false},        // 0.700446
		{"L3", 1371828252852647, false, true},         // 0.152304
		{"lead-42", 6896916882486918, false, false},   // 0.765712
		{"acme-0007", 7409294448475753, false, false}, // 0.822597
		{"ü-lead", 1015186421314484, false, true},     // 0.112708
		{"", 8810154439140242, false, false},          // 0.978124
		{"L7", 527485150562141, true, true},           // 0.058563
		{"L16", 56344733832303, true, true},           // 0.006256
		{"L44", 167709670453547, true, true},          // 0.018620
	}
	h10 := rules.NewHoldout(0.1, "q3-holdout")
	h50 := rules.NewHoldout(0.5, "q3-holdout")
	for _, g := range golden {
		assert.Equal(t, g.draw, rules.HoldoutDraw("q3-holdout", g.id), g.id)
		assert.Equal(t, g.in10, h10.Control(g.id), "%s at 10%%", g.id)
		assert.Equal(t, g.in50, h50.Control(g.id), "%s at 50%%", g.id)
	}
}

func TestHoldoutAgreesWithTheDocumentedFormula(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, share := range []float64{0.1, 0.5, 0.25, 1.0 / 3, 0.999, 1e-9} {
		h := rules.NewHoldout(share, "s")
		for i := 0; i < 2000; i++ {
			id := fmt.Sprintf("L%d-%x", i, r.Uint32())
			require.Equal(t, controlByHand("s", id, share), h.Control(id), "share %v id %s", share, id)
		}
	}
	// On the boundary: a share that is exactly some lead's draw puts that
	// lead in the treated group (u/2^53 < share is strict) and the share
	// one step above it in the control group.
	u := rules.HoldoutDraw("s", "edge")
	at := math.Ldexp(float64(u), -53)
	assert.False(t, rules.NewHoldout(at, "s").Control("edge"))
	assert.True(t, rules.NewHoldout(math.Nextafter(at, 1), "s").Control("edge"))
}

func TestHoldoutIndependentOfOrderAndRuns(t *testing.T) {
	ids := make([]string, 5000)
	for i := range ids {
		ids[i] = fmt.Sprintf("lead-%05d", i)
	}
	h := rules.NewHoldout(0.2, "seed")
	first := map[string]bool{}
	for _, id := range ids {
		first[id] = h.Control(id)
	}
	r := rand.New(rand.NewPCG(3, 4))
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	again := rules.NewHoldout(0.2, "seed") // a new value, as another run would make
	for _, id := range ids {
		require.Equal(t, first[id], again.Control(id), id)
	}
	// Another seed draws another group.
	other := rules.NewHoldout(0.2, "seed2")
	differ := 0
	for _, id := range ids {
		if other.Control(id) != first[id] {
			differ++
		}
	}
	// Two independent 20% groups differ on 2·0.2·0.8 = 32% of the leads.
	assert.InDelta(t, 0.32, float64(differ)/float64(len(ids)), 0.03)
}

func TestHoldoutShareWithinBinomialBounds(t *testing.T) {
	const n = 100000
	for _, share := range []float64{0.1, 0.5, 0.03} {
		h := rules.NewHoldout(share, "binomial")
		k := 0
		for i := 0; i < n; i++ {
			if h.Control(fmt.Sprintf("%d", i)) {
				k++
			}
		}
		// 4.5 standard deviations: a false alarm once in about 150,000 runs.
		sd := math.Sqrt(n * share * (1 - share))
		assert.InDelta(t, n*share, float64(k), 4.5*sd, "share %v: %d of %d held out", share, k, n)
	}
}

func TestNewHoldoutRefusesSharesOutsideTheOpenInterval(t *testing.T) {
	for _, s := range []float64{0, 1, -0.1, 1.5, math.NaN()} {
		assert.Nil(t, rules.NewHoldout(s, "x"), "share %v", s)
	}
	var none *rules.Holdout
	assert.False(t, none.Control("any"), "without an experiment every lead is treated")
}

// A seed is hashed as the file writes it: leading zeros, a sign, a base
// prefix or digit separators are kept, never read as a number (0052 is not
// 42 in octal, 0x2A not 42), and a quoted seed is its text inside the quotes.
func TestHoldoutSeedIsItsText(t *testing.T) {
	for written, want := range map[string]string{"42": "42", `"42"`: "42", `"0x2A"`: "0x2A", `'007'`: "007", "-42": "-42", "q3-holdout": "q3-holdout", "0": "0"} {
		m, err := rules.CompileBytes("dir/m.yaml", []byte(base+"holdout:\n  share: 0.25\n  seed: "+written+"\n  withhold: handoff\n"))
		require.NoError(t, err, written)
		assert.Equal(t, want, m.Holdout.Seed, written)
		assert.Equal(t, rules.NewHoldout(0.25, want).Control("L1"), m.Holdout.Control("L1"))
	}
}

// A plain seed that YAML reads as a number written another way than in
// plain decimal is refused at its position: readers would hash 42 for it.
func TestHoldoutSeedRefusesNumbersWrittenOtherwise(t *testing.T) {
	for _, written := range []string{"0x2A", "052", "0o52", "00042", "+42", "1_000", "0815", "0b101010"} {
		_, err := rules.CompileBytes("dir/m.yaml", []byte(base+"holdout:\n  share: 0.25\n  seed: "+written+"\n  withhold: handoff\n"))
		require.Error(t, err, written)
		assert.Contains(t, err.Error(), "dir/m.yaml:20:9: seed "+written+" is read as a number, which YAML readers and other systems may write differently", written)
		assert.Contains(t, err.Error(), fmt.Sprintf("quote it (seed: %q)", written))
	}
}

func TestHoldoutCompiles(t *testing.T) {
	m, err := rules.CompileBytes("dir/m.yaml", []byte(base+"holdout:\n  share: 0.25\n  seed: \"0x2A\"\n  withhold: handoff\n"))
	require.NoError(t, err)
	require.NotNil(t, m.Holdout)
	assert.Equal(t, 0.25, m.Holdout.Share)
	assert.Equal(t, "0x2A", m.Holdout.Seed, "a whole-number seed is its text as written")
	assert.True(t, m.Holdout.WithholdsHandoff())
	assert.Equal(t, rules.NewHoldout(0.25, "0x2A").Control("L1"), m.Holdout.Control("L1"))

	m, err = rules.CompileBytes("dir/m.yaml", []byte(base+"holdout:\n  share: 0.5\n  seed: q4\n  withhold: {challenger: v2/challenger.yaml}\n"))
	require.NoError(t, err)
	assert.Equal(t, "challenger", m.Holdout.Withhold)
	assert.False(t, m.Holdout.WithholdsHandoff())
	assert.Equal(t, "v2/challenger.yaml", m.Holdout.Challenger)
	assert.Equal(t, "dir/v2/challenger.yaml", m.Holdout.ChallengerPath)

	m, err = rules.CompileBytes("m.yaml", []byte(base))
	require.NoError(t, err)
	assert.Nil(t, m.Holdout)
}

func TestHoldoutErrors(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{
			name: "a share out of range, a misspelt key, no withhold",
			src:  "holdout:\n  share: 1.5\n  sed: x\n",
			want: `m.yaml:18:1: holdout has no withhold; add withhold: handoff (control leads are not handed to sales) or withhold: {challenger: FILE.yaml}
    holdout:
    ^
m.yaml:19:10: share is the control group's share of the leads, above 0 and below 1 (0.1 holds out one lead in ten), not 1.5
      share: 1.5
             ^
m.yaml:20:3: unknown key "sed" in holdout; did you mean "seed"?
      sed: x
      ^
`,
		},
		{
			name: "a zero share, an empty seed, a misspelt withhold",
			src:  "holdout:\n  share: 0\n  seed: \"\"\n  withhold: handof\n",
			want: `m.yaml:19:10: share is the control group's share of the leads, above 0 and below 1 (0.1 holds out one lead in ten), not 0
      share: 0
             ^
m.yaml:20:9: seed is empty; give a word or number, such as seed: q3-holdout
      seed: ""
            ^
m.yaml:21:13: withhold: unknown "handof"; did you mean "handoff"?
      withhold: handof
                ^
`,
		},
		{
			name: "a share in words, a fractional seed, a challenger without its file",
			src:  "holdout:\n  share: ten\n  seed: 1.5\n  withhold: challenger\n",
			want: `m.yaml:19:10: share must be a number, not "ten"
      share: ten
             ^
m.yaml:20:9: seed 1.5 is read as a number with a fraction, whose text other systems may write differently; quote it (seed: "1.5") or use a word or a whole number
      seed: 1.5
            ^
m.yaml:21:13: withhold: challenger needs the challenger's rule file; write withhold: {challenger: FILE.yaml}
      withhold: challenger
                ^
`,
		},
		{
			name: "a challenger outside the rule directory",
			src:  "holdout:\n  share: 0.1\n  seed: s\n  withhold: {challenger: ../other.yaml}\n",
			want: `m.yaml:21:26: challenger ../other.yaml: the path leads out of that directory (..); name the challenger's rule file relative to this one, such as challenger.yaml
      withhold: {challenger: ../other.yaml}
                             ^
`,
		},
		{
			name: "a misspelt challenger key",
			src:  "holdout:\n  share: 0.1\n  seed: s\n  withhold: {challengr: c.yaml}\n",
			want: `m.yaml:21:14: unknown key "challengr" in withhold; did you mean "challenger"?
      withhold: {challengr: c.yaml}
                 ^
`,
		},
		{
			name: "a challenger that is not a rule file",
			src:  "holdout:\n  share: 0.1\n  seed: s\n  withhold: {challenger: c.txt}\n",
			want: `m.yaml:21:26: challenger c.txt: a rule file is a .yaml or .yml file; name the challenger's rule file relative to this one, such as challenger.yaml
      withhold: {challenger: c.txt}
                             ^
`,
		},
		{
			name: "a misspelt section",
			src:  "holdot:\n  share: 0.1\n",
			want: `m.yaml:18:1: unknown key "holdot" in the rule file; did you mean "holdout"?
    holdot:
    ^
`,
		},
		{
			name: "a share with no section around it",
			src:  "holdout: 0.1\n",
			want: `m.yaml:18:10: holdout must be a mapping of keys to values, not "0.1"
    holdout: 0.1
             ^
`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, render(t, base+c.src))
		})
	}
}

func TestHoldoutLint(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(base+"holdout:\n  share: 0.6\n  seed: s\n  withhold: handoff\n"))
	require.NoError(t, err)
	var found bool
	for _, d := range rules.Lint(m) {
		if d.Pos.Line == 19 {
			found = true
			assert.Contains(t, d.Message, "share 0.6 holds more than half the leads back from sales")
		}
	}
	assert.True(t, found, "a large hand-off holdout is flagged")
}

func TestHoldoutStartsCompiles(t *testing.T) {
	for _, c := range []struct {
		written string
		want    time.Time
		text    string
	}{
		{"2026-09-01", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), "2026-09-01"},
		{"2026-09-01T00:00:00Z", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), "2026-09-01"},
		{"\"2026-09-01\"", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), "2026-09-01"},
		{"2026-09-01T09:30:00+02:00", time.Date(2026, 9, 1, 7, 30, 0, 0, time.UTC), "2026-09-01T09:30:00+02:00"},
		{"2026-09-01T02:00:00+02:00", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), "2026-09-01"}, // midnight UTC, written otherwise
	} {
		m, err := rules.CompileBytes("m.yaml", []byte(base+"holdout:\n  share: 0.1\n  seed: s\n  withhold: handoff\n  starts: "+c.written+"\n"))
		require.NoError(t, err, c.written)
		assert.True(t, c.want.Equal(m.Holdout.Starts), "%s: got %v", c.written, m.Holdout.Starts)
		assert.Equal(t, c.text, m.Holdout.StartsText(), c.written)
	}
	m, err := rules.CompileBytes("m.yaml", []byte(base+"holdout:\n  share: 0.1\n  seed: s\n  withhold: handoff\n"))
	require.NoError(t, err)
	assert.True(t, m.Holdout.Starts.IsZero(), "no starts: no start")
	assert.Equal(t, "", m.Holdout.StartsText())
}

func TestHoldoutStartsErrors(t *testing.T) {
	head := base + "holdout:\n  share: 0.1\n  seed: s\n  withhold: handoff\n"
	for _, c := range []struct{ name, src, want string }{
		{
			name: "a day that does not exist",
			src:  "  starts: 2026-02-30\n",
			want: `m.yaml:22:11: starts "2026-02-30" is not a date or a time; write the day the experiment began as starts: 2026-09-01 (midnight UTC), or a time with its offset as starts: 2026-09-01T09:00:00Z
      starts: 2026-02-30
              ^
`,
		},
		{
			name: "a date written the American way",
			src:  "  starts: 09/01/2026\n",
			want: `m.yaml:22:11: starts "09/01/2026" is not a date or a time; write the day the experiment began as starts: 2026-09-01 (midnight UTC), or a time with its offset as starts: 2026-09-01T09:00:00Z
      starts: 09/01/2026
              ^
`,
		},
		{
			name: "a time without its offset",
			src:  "  starts: 2026-09-01 09:00:00\n",
			want: `m.yaml:22:11: starts "2026-09-01 09:00:00" is not a date or a time; add its offset, such as starts: 2026-09-01T09:00:00Z for UTC, so that every system reads the same moment
      starts: 2026-09-01 09:00:00
              ^
`,
		},
		{
			name: "empty",
			src:  "  starts:\n",
			want: `m.yaml:22:10: starts is empty; give the day the experiment began, such as starts: 2026-09-01, or leave starts out to put every lead in the experiment
      starts:
             ^
`,
		},
		{
			name: "misspelt",
			src:  "  start: 2026-09-01\n",
			want: `m.yaml:22:3: unknown key "start" in holdout; did you mean "starts"?
      start: 2026-09-01
      ^
`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, render(t, head+c.src))
		})
	}
}

// By hand: with starts 2026-09-01, a lead that came a nanosecond before
// midnight is in neither group, one that came at midnight is in the
// experiment, in the group its hash gives (L7 and L16 draw 0.0586 and
// 0.0063: control at 10%; L1 draws 0.7099: treated), and one with no time
// at all is in the experiment too.
func TestHoldoutStartByHand(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(base+"holdout:\n  share: 0.1\n  seed: q3-holdout\n  withhold: handoff\n  starts: 2026-09-01\n"))
	require.NoError(t, err)
	h := m.Holdout
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	before := start.Add(-time.Nanosecond)
	for _, c := range []struct {
		id      string
		came    time.Time
		in, ctl bool
	}{
		{"L7", before, false, false},
		{"L7", start, true, true},
		{"L16", before, false, false},
		{"L16", start.Add(time.Hour), true, true},
		{"L16", time.Date(2026, 9, 1, 1, 59, 0, 0, time.FixedZone("CEST", 2*3600)), false, false}, // 23:59 UTC the day before
		{"L1", before, false, false},
		{"L1", start, true, false},
		{"L7", time.Time{}, true, true},
	} {
		assert.Equal(t, c.in, h.In(c.came), "%s came %v: in the experiment", c.id, c.came)
		assert.Equal(t, c.ctl, h.ControlAt(c.id, c.came), "%s came %v: control", c.id, c.came)
	}
	var none *rules.Holdout
	assert.False(t, none.In(start))
	assert.False(t, none.ControlAt("L7", start))
}

// The start decides only who is in the experiment: a lead in it is in the
// group its hash gives, as without a start (the same assignment), and a
// start before every lead's arrival changes no lead's group.
func TestHoldoutStartKeepsTheAssignment(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	for _, share := range []float64{0.1, 0.5, 0.2} {
		plain := rules.NewHoldout(share, "q3")
		with := rules.NewHoldout(share, "q3")
		with.Starts = start
		early := rules.NewHoldout(share, "q3")
		early.Starts = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 3000; i++ {
			id := fmt.Sprintf("lead-%d-%x", i, r.Uint32())
			came := start.Add(time.Duration(r.Int64N(int64(365*24*time.Hour))) - 180*24*time.Hour)
			require.Equal(t, controlByHand("q3", id, share), plain.ControlAt(id, came), "no start: the hash alone")
			require.Equal(t, plain.ControlAt(id, came), early.ControlAt(id, came), "a start before every lead changes nothing")
			if came.Before(start) {
				require.False(t, with.ControlAt(id, came), "%s came before the start", id)
			} else {
				require.Equal(t, plain.Control(id), with.ControlAt(id, came), "%s in the experiment keeps its group", id)
			}
		}
	}
}
