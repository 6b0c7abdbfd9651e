package backtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/leadscore/leadscore/backtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The small file's leads with L3 failing: its outcome row belongs to a
// lead that failed, and is counted so, not as a row that names no lead
// (L99's); the failed row is counted too. The leads still reconcile: 11
// added = 8 in the backtest + 1 not created + 1 decided + 1 open
// opportunity.
func TestOutcomesOfFailedLeads(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	leads := readLeads(t, s, small("leads.ndjson"))
	b, err := backtest.New(s, readOutcomes(t, small("outcomes.csv")), backtest.Options{At: day(6, 1), Until: day(9, 1)})
	require.NoError(t, err)
	for _, l := range leads {
		if l.ID == "L3" {
			b.LeadFailed(l.ID)
			continue
		}
		require.NoError(t, b.Add(l))
	}
	r := b.Report()
	assert.Equal(t, backtest.Counts{Added: 11, Failed: 1, InBacktest: 8, NotCreated: 1, Decided: 1, OpenOpportunity: 1, OutcomesWithoutLead: 1, OutcomesOfFailedLeads: 1}, r.Leads)
}

// Every failed lead row counts, with its id or without one (a row that
// failed before its id could be read), and the count survives Merge and
// State: three shards, two failed rows in one and one in another, give
// the report of the whole, Failed 3. The text and markdown reports say
// it in the sentence that counts the leads and in one warning; the
// rows of the outcomes file that name no lead, or belong to a lead that
// failed, are said once each, in the warnings.
func TestFailedLeadRowsCounted(t *testing.T) {
	s := scorerOf(t, small("tiny.yaml"))
	leads := readLeads(t, s, small("leads.ndjson"))
	outcomes := readOutcomes(t, small("outcomes.csv"))
	opts := backtest.Options{At: day(6, 1), Until: day(9, 1)}
	whole, err := backtest.New(s, outcomes, opts)
	require.NoError(t, err)
	shards := make([]*backtest.Backtest, 3)
	for i := range shards {
		shards[i], err = backtest.New(s, outcomes, opts)
		require.NoError(t, err)
	}
	for i, l := range leads {
		if l.ID == "L3" {
			for _, b := range []*backtest.Backtest{whole, shards[0]} {
				b.LeadFailed(l.ID)
				b.LeadFailed("") // a row before it that could not be read
			}
			continue
		}
		require.NoError(t, whole.Add(l))
		require.NoError(t, shards[i%3].Add(l))
	}
	whole.LeadFailed("")
	shards[2].LeadFailed("")
	want := whole.Report()
	assert.Equal(t, 3, want.Leads.Failed)

	merged, err := backtest.New(s, outcomes, opts)
	require.NoError(t, err)
	require.NoError(t, merged.Merge(shards[0]))
	st, err := shards[1].State()
	require.NoError(t, err)
	require.NoError(t, merged.MergeState(st))
	st, err = shards[2].State()
	require.NoError(t, err)
	require.NoError(t, merged.MergeState(st))
	got := merged.Report()
	assert.Equal(t, want.Leads, got.Leads)
	var a, b bytes.Buffer
	require.NoError(t, want.WriteJSON(&a))
	require.NoError(t, got.WriteJSON(&b))
	assert.Equal(t, a.String(), b.String(), "merged and carried as state, the report of the whole")

	var js struct {
		Leads map[string]int `json:"leads"`
	}
	require.NoError(t, json.Unmarshal(a.Bytes(), &js))
	assert.Equal(t, 3, js.Leads["failed"])

	for _, write := range []func(io.Writer) error{want.WriteText, want.WriteMarkdown} {
		var out bytes.Buffer
		require.NoError(t, write(&out))
		text := out.String()
		assert.Contains(t, text, "11 leads: 8 in the backtest; left out: 1 not created by T0, 1 won or lost by T0, 1 open opportunity at T0; and 3 lead rows failed.")
		assert.Equal(t, 1, strings.Count(text, "Lead rows that failed: 3 of the 14 read"), text)
		assert.Equal(t, 1, strings.Count(text, "names no lead"), text)
		assert.Equal(t, 1, strings.Count(text, "to leads that failed"), text)
	}
	assert.Contains(t, want.Warnings, "Lead rows that failed: 3 of the 14 read (they could not be read or scored, or gave a lead a second time; each is named with its line on stderr): every figure here is over the 11 leads added, not the whole file; fix those rows and run again to count them.")

	// Nothing failed: no sentence, no warning.
	clean, err := backtest.New(s, outcomes, opts)
	require.NoError(t, err)
	for _, l := range leads {
		require.NoError(t, clean.Add(l))
	}
	r := clean.Report()
	assert.Zero(t, r.Leads.Failed)
	var out bytes.Buffer
	require.NoError(t, r.WriteText(&out))
	assert.NotContains(t, out.String(), "lead rows failed")
	assert.NotContains(t, out.String(), "Lead rows that failed")
}
