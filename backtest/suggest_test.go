package backtest_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/backtest"
	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring/review"
)

// TestSuggestChangesOnlyPoints: the proposed file is the original with
// other numbers after "points:", and nothing else; rule for rule, the
// review of the change lists points and only points, each as suggested.
func TestSuggestChangesOnlyPoints(t *testing.T) {
	var proposed []byte
	file := filepath.Join(t.TempDir(), "truth.yaml")
	src := []byte(truthModel)
	require.NoError(t, os.WriteFile(file, src, 0o644))
	s := scorerOf(t, file)
	leads, outcomes := truthLeads(2, 4000)
	bt, err := backtest.New(s, outcomes, backtest.Options{At: truthT0, Suggest: true})
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, bt.Add(l))
	}
	r := bt.Report()
	r.Suggestion, proposed, err = bt.Suggest(context.Background(), file, src, nil)
	require.NoError(t, err)

	was, now := strings.Split(string(src), "\n"), strings.Split(string(proposed), "\n")
	require.Equal(t, len(was), len(now), "no line added or removed")
	changed := 0
	for i := range was {
		if was[i] == now[i] {
			continue
		}
		changed++
		prefix, _, ok := strings.Cut(was[i], "points:")
		require.True(t, ok, "line %d changed but holds no points: %q", i+1, was[i])
		assert.True(t, strings.HasPrefix(now[i], prefix+"points: "), "line %d: only the number changes: %q → %q", i+1, was[i], now[i])
	}

	pm, err := backtest.CompileAt(file, proposed)
	require.NoError(t, err)
	want := map[string]string{}
	for _, p := range r.Suggestion.Rules {
		if p.Suggested != p.Current {
			want[p.Rule] = fmt.Sprintf("points %+g → %+g", p.Current, p.Suggested)
		}
	}
	got := map[string]string{}
	for _, c := range review.Compare(s.Model(), pm) {
		require.Equal(t, "changed", c.Kind, "%+v", c)
		require.Len(t, c.Details, 1, "%+v", c)
		got[c.Name] = c.Details[0]
	}
	assert.Equal(t, want, got)
	assert.Equal(t, len(want), changed, "one line per changed rule")
	assert.NotEmpty(t, want, "the generated outcomes do suggest changes")

	// Honesty: adopt only when the paired interval of the held-out AUC's
	// gain is above zero; keep when it is below.
	sg := r.Suggestion
	h := sg.HeldOut
	require.NotNil(t, h.CurrentAUC)
	require.NotNil(t, h.SuggestedAUC)
	require.NotNil(t, h.DifferenceLow, "the held-out leads have won deals on both sides")
	assert.InDelta(t, *h.SuggestedAUC-*h.CurrentAUC, *h.Difference, 1e-12)
	assert.Less(t, *h.DifferenceLow, *h.Difference)
	assert.Greater(t, *h.DifferenceHigh, *h.Difference)
	switch {
	case *h.DifferenceLow > 0:
		assert.Contains(t, []string{backtest.Adopt, backtest.Inconclusive}, sg.Decision)
	case *h.DifferenceHigh < 0:
		assert.Equal(t, backtest.Keep, sg.Decision)
	default:
		assert.Equal(t, backtest.Inconclusive, sg.Decision, sg.Why)
	}
	assert.Equal(t, sg.TrainLeads+h.Leads, r.Leads.InBacktest)
	// One scale: every changed rule's points are its coefficient times the
	// one scale, rounded.
	require.NotNil(t, sg.Scale)
	for _, p := range sg.Rules {
		if p.Suggested != p.Current {
			require.NotNil(t, p.Coefficient, p.Rule)
			assert.Equal(t, math.Round(*p.Coefficient**sg.Scale), p.Suggested, p.Rule)
		}
	}
}

const inline = `leadscore: 1
model: m
fields: {title: string}
scores: {fit: {min: 0, max: 100}}
rules:
  - {id: a, score: fit, when: title == "VP", points: 10}   # flow style
  - id: b
    score: fit
    when: title == "CEO"
    points:   -5 # spaced
stages:
  - {id: sql, sales_ready: true, when: fit > 5}
`

func TestPatchPoints(t *testing.T) {
	m, err := rules.CompileBytes("m.yaml", []byte(inline))
	require.NoError(t, err)
	out, err := backtest.PatchPoints(m, "m.yaml", []byte(inline), map[string]float64{"a": 12, "b": -40})
	require.NoError(t, err)
	assert.Equal(t, strings.Replace(strings.Replace(inline, "points: 10}", "points: 12}", 1), "points:   -5 #", "points:   -40 #", 1), string(out))

	_, err = backtest.PatchPoints(m, "m.yaml", []byte(strings.Replace(inline, "10}", "11}", 1)), map[string]float64{"a": 12})
	assert.EqualError(t, err, `m.yaml:6:54: rule a: found "11" where the model read its points, 10; is m.yaml the file the model was compiled from?`)
	_, err = backtest.PatchPoints(m, "other.yaml", []byte(inline), map[string]float64{"a": 12})
	assert.EqualError(t, err, "m.yaml:6:54: rule a: its points are in m.yaml (an included file), not in other.yaml; the suggestion writes only other.yaml, so move the rule there or change its points by hand")
	_, err = backtest.PatchPoints(m, "m.yaml", []byte(inline), map[string]float64{"a": 2.5})
	assert.EqualError(t, err, "rule a: suggested points 2.5 are not a whole number of points")
}

func TestSuggestNeedsTheOption(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	b, err := backtest.New(s, nil, backtest.Options{At: day(6, 1)})
	require.NoError(t, err)
	_, _, err = b.Suggest(context.Background(), small("tiny.yaml"), nil, nil)
	assert.EqualError(t, err, "the backtest was not made with Options.Suggest, so it did not keep the leads to score; use SuggestFrom with the leads")
}
