package feedback_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// Every bad row fails alone with its line and what would fix it; the rows
// in are the rows read plus the rows failed.
func TestReadDispositionsRowByRow(t *testing.T) {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	src := `lead_id,at,status,reason,owner
L1,2026-09-01T10:00:00Z,accepted,,ann
L2,2026-09-02,rejected,not_dm,bob
L3,,accepted,,ann
L4,2026-09-02,acepted,,ann
L5,2026-09-02,rejected,,ann
L6,2026-09-02,rejected,not_dn,ann
L7,2026-09-02,accepted,later,ann
L2,2026-09-02,rejected,not_dm,bob
L8,soon,recycled,later,ann
,2026-09-02,accepted,,ann
L9,2026-09-02,Recycled,later,ann,extra
L21,2026-09-03,recycled,later,
L2,2026-09-03,recycled,later,
L12,"2026-09-04,accepted,,ann
L13,2026-09-04,accepted,,ann
`
	var errs []string
	set, n, err := feedback.ReadDispositions(strings.NewReader(src), m.Handoff, func(line int, err error) {
		errs = append(errs, fmt.Sprintf("%d: %v", line, err))
	})
	require.NoError(t, err)
	assert.Equal(t, []string{
		`4: lead L3: at is empty; say when sales gave the verdict, such as 2026-09-14T10:00:00Z`,
		`5: lead L4: unknown status "acepted"; did you mean "accepted"?`,
		`6: lead L5: a rejected lead needs a reason from the model's catalogue: not_dm, later`,
		`7: lead L6: unknown reason "not_dn"; did you mean "not_dm"?`,
		`8: lead L7: an accepted lead takes no reason (this row gives "later"); leave reason empty, or make the status rejected or recycled`,
		`9: lead L2 is already rejected at 2026-09-02T00:00:00Z on line 3; give each verdict one row`,
		`10: lead L8: at: want a time like 2026-03-01 or 2026-03-01T09:30:00Z, got "soon"`,
		`11: lead_id is empty; say which lead the verdict is on`,
		`12: 6 cells where the header has 5 (lead_id, at, status, reason, owner); it has 1 cell too many: a cell that holds the delimiter (a comma, say) must be in quotes`,
		`15: a quote opens a cell on this line and does not close before line 16, so lines 15 to 16 are lost as one broken row; close the quote, and write a quote inside a cell as two ("")`,
	}, errs)
	// 15 rows (lines 2 to 16): L1, L2, L21 and L2's recycle read; 9 single
	// rows failed, and the broken quote took the last 2.
	assert.Equal(t, feedback.Counts{Rows: 15, Read: 4, Failed: 11}, n)
	assert.Equal(t, 4, set.Len())
	assert.Equal(t, []string{"L1", "L2", "L21"}, set.Leads())
	assert.Equal(t, []scoring.Disposition{
		{At: time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC), Status: scoring.Rejected, Reason: "not_dm", Owner: "bob"},
		{At: time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC), Status: scoring.Recycled, Reason: "later"},
	}, set.For("L2"))

	// The leads file has L1 and L2: L21's row fails, with no did-you-mean
	// (L1 is another lead, not a typo of L21).
	seen := map[string]bool{"L1": true, "L2": true}
	un := set.Unmatched(func(id string) bool { return seen[id] }, []string{"L1", "L2"})
	require.Len(t, un, 1)
	assert.Equal(t, `line 13: no lead in the leads file has the id "L21"; check the lead_id, or score the file that holds that lead`, un[0].Error())
	assert.Equal(t, []string{"L1", "L2"}, set.Leads())
	assert.Nil(t, set.For("L21"))
	un = set.Unmatched(func(string) bool { return false }, nil)
	assert.Equal(t, `line 2: no lead in the leads file has the id "L1"; check the lead_id, or score the file that holds that lead`, un[0].Error())
}

func TestReadDispositionsHeader(t *testing.T) {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	for src, want := range map[string]string{
		"":                                 "the dispositions file is empty; it needs a header line with lead_id, at, status, reason",
		"lead_id,at,staus,reasn\n":         `line 1 (the header): the dispositions file needs the columns lead_id, at, status and reason; it lacks status; did you mean "staus"?, reason; did you mean "reasn"? (it has lead_id, at, staus, reasn)`,
		"lead_id,at,status,reason,at\n":    `line 1 (the header): the column "at" appears twice; name each column once`,
		"Lead_ID,At,Status,Reason,Notes\n": "",
	} {
		_, _, err := feedback.ReadDispositions(strings.NewReader(src), m.Handoff, func(int, error) {})
		if want == "" {
			assert.NoError(t, err, src)
		} else {
			assert.EqualError(t, err, want, src)
		}
	}
	// A model without a catalogue: rejections cannot be read, acceptances can.
	plain, err := rules.CompileBytes("fb.yaml", []byte(fbModel[:strings.Index(fbModel, "handoff:")]))
	require.NoError(t, err)
	var errs []string
	_, n, err := feedback.ReadDispositions(strings.NewReader("lead_id,at,status,reason\nL1,2026-09-01,accepted,\nL2,2026-09-01,rejected,\nL3,2026-09-01,rejected,not_dm\n"), plain.Handoff,
		func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	require.NoError(t, err)
	assert.Equal(t, feedback.Counts{Rows: 3, Read: 1, Failed: 2}, n)
	assert.Equal(t, []string{
		"3: lead L2: a rejected lead needs a reason, and the model declares none; add handoff: reasons: to the rule file",
		`4: lead L3: unknown reason "not_dm": the model declares no reasons; add handoff: reasons: to the rule file`,
	}, errs)
}

// A row over the limit fails alone, unread, and the rows after it are read
// with their own lines; a header over it fails the file.
func TestReadDispositionsLongRows(t *testing.T) {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	src := "lead_id,at,status,reason,note\nL1,2026-09-01,accepted,,\nL2,2026-09-01,accepted,," + strings.Repeat("n", 2000) + "\nL3,2026-09-01,accepted,,\n"
	var errs []string
	set, n, err := feedback.ReadDispositionsLimit(strings.NewReader(src), m.Handoff, 1<<10, func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	require.NoError(t, err)
	assert.Equal(t, feedback.Counts{Rows: 3, Read: 2, Failed: 1}, n)
	assert.Equal(t, []string{"L1", "L3"}, set.Leads())
	assert.Equal(t, []string{"3: the row is longer than 1 KiB, the most a row may hold, and was not read whole (raise the limit with --max-row (the maxRow of ReadDispositionsLimit in Go))"}, errs)

	_, _, err = feedback.ReadDispositionsLimit(strings.NewReader("lead_id,at,status,reason,"+strings.Repeat("x", 2000)+"\n"), m.Handoff, 1<<10, func(int, error) {})
	assert.EqualError(t, err, "line 1 (the header): the header line is longer than 1 KiB, the most a row may hold, so its last column names would be lost; check that the file is a CSV with one header line, or raise the limit with --max-row (the maxRow of ReadDispositionsLimit in Go)")
}

func TestLabelIn(t *testing.T) {
	ds := []scoring.Disposition{
		{At: at(10, 0), Status: scoring.Recycled, Reason: "later"},
		{At: at(3, 0), Status: scoring.Accepted},
		{At: at(5, 0), Status: scoring.Rejected, Reason: "not_dm"},
	}
	assert.Equal(t, "accepted", feedback.LabelIn(ds, at(1, 0), at(30, 0)).String(), "the first in the window")
	assert.True(t, feedback.LabelIn(ds, at(1, 0), at(30, 0)).Accepted())
	assert.Equal(t, "rejected:not_dm", feedback.LabelIn(ds, at(3, 0), at(30, 0)).String(), "the window opens after from")
	assert.Equal(t, "rejected:not_dm", feedback.LabelIn(ds, at(4, 0), at(5, 0)).String(), "and closes at to, included")
	assert.Equal(t, feedback.Label{}, feedback.LabelIn(ds, at(5, 0), at(9, 0)))
	assert.Equal(t, "", feedback.LabelIn(nil, at(1, 0), at(30, 0)).String())
	assert.Equal(t, feedback.Label{Status: scoring.Recycled, Reason: "later", At: at(10, 0)}, feedback.LabelIn(ds, at(6, 0), at(30, 0)))
}

// Tallies of shards merge into the tally of the whole, and the evidence
// is worked out by hand.
func TestEvidenceTally(t *testing.T) {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	type lead struct {
		fired []string
		label feedback.Label
	}
	rej := func(reason string) feedback.Label { return feedback.Label{Status: scoring.Rejected, Reason: reason} }
	leads := []lead{
		{[]string{"fit.boss", "eng.demo"}, rej("not_dm")},
		{[]string{"fit.boss", "fit.size", "eng.demo"}, rej("not_dm")},
		{[]string{"fit.boss", "fit.size", "eng.demo", "fit.boss"}, feedback.Label{Status: scoring.Recycled, Reason: "not_dm"}}, // a rule named twice counts once
		{[]string{"fit.size", "eng.demo"}, feedback.Label{Status: scoring.Accepted}},
		{[]string{"fit.size", "eng.demo"}, feedback.Label{}},
		{[]string{"fit.size"}, rej("later")},
	}
	whole, a, b := feedback.NewEvidenceTally(m), feedback.NewEvidenceTally(m), feedback.NewEvidenceTally(m)
	for i, l := range leads {
		whole.Add(l.fired, l.label)
		if i%2 == 0 {
			a.Add(l.fired, l.label)
		} else {
			b.Add(l.fired, l.label)
		}
	}
	a.Merge(b)
	assert.Equal(t, whole.Evidence(), a.Evidence())
	// not_dm: 3 leads, fit.boss on all 3; the other 2 leads with a verdict
	// (accepted, later) it fired on none of: 3 of 3 vs 0 of 2. Among all 6
	// leads it fired on 3: lift 1/0.5 = 2. Too few leads to test: not
	// judged; the rate ratio is infinite (null), its Katz interval (half a
	// lead added to each count) is (3.5/4)/(0.5/3) = 5.25 times
	// exp(±1.96 √(1/3.5 − 1/4 + 1/0.5 − 1/3)). No rule the reason does not
	// name is tested either, so none is listed; later names no rule.
	se := math.Sqrt(1/3.5 - 1/4.0 + 1/0.5 - 1/3.0)
	ev := whole.Evidence()
	require.Len(t, ev, 1)
	require.NotNil(t, ev[0].RateRatioLow)
	assert.InDelta(t, 5.25*math.Exp(-1.959963984540054*se), *ev[0].RateRatioLow, 1e-12)
	assert.InDelta(t, 5.25*math.Exp(1.959963984540054*se), *ev[0].RateRatioHigh, 1e-12)
	ev[0].RateRatioLow, ev[0].RateRatioHigh = nil, nil
	// The shares' Wilson intervals: 3 of 3, 0 of 2, 3 of 6, by hand.
	for _, c := range []struct {
		k, n   int
		lo, hi *float64
	}{{3, 3, ev[0].ShareLow, ev[0].ShareHigh}, {0, 2, ev[0].OthersShareLow, ev[0].OthersShareHigh}, {3, 6, ev[0].PopulationShareLow, ev[0].PopulationShareHigh}} {
		lo, hi := wilsonByHand(c.k, c.n)
		require.NotNil(t, c.lo)
		assert.InDelta(t, lo, *c.lo, 1e-12, "%d of %d", c.k, c.n)
		assert.InDelta(t, hi, *c.hi, 1e-12, "%d of %d", c.k, c.n)
	}
	ev[0].ShareLow, ev[0].ShareHigh, ev[0].OthersShareLow, ev[0].OthersShareHigh, ev[0].PopulationShareLow, ev[0].PopulationShareHigh = nil, nil, nil, nil, nil, nil
	assert.Equal(t, []feedback.Evidence{{Reason: "not_dm", Rule: "fit.boss", Contradicted: true, Verdict: feedback.VerdictInconclusive,
		Why: "too few leads: 3 leads given the reason, 7 more needed", Leads: 3, Fired: 3, Share: 1, Others: 2, OthersFired: 0, OthersShare: f(0),
		Direction: "more", Population: 6, PopulationFired: 3, PopulationShare: 0.5, Lift: f(2)}}, ev)

	// Two not_dm leads only: the same lift, too few to judge the rule.
	few := feedback.NewEvidenceTally(m)
	for _, l := range leads[:2] {
		few.Add(l.fired, l.label)
	}
	few.Add([]string{"fit.size"}, feedback.Label{})
	few.Add([]string{"fit.size"}, feedback.Label{})
	ev = few.Evidence()
	require.Len(t, ev, 1)
	assert.Equal(t, 2.0, *ev[0].Lift) // 2/2 vs 2/4
	assert.Equal(t, feedback.VerdictInconclusive, ev[0].Verdict)
	assert.Equal(t, "too few leads: 2 leads given the reason, 8 more needed", ev[0].Why)
	assert.False(t, ev[0].Suspect)
}

// One verdict written twice, once in UTC and once with the offset of the
// rep's zone, is one instant: the second row is the duplicate.
func TestReadDispositionsSameInstantInTwoZones(t *testing.T) {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	src := "lead_id,at,status,reason,owner\nL1,2026-09-01T10:00:00Z,accepted,,ann\nL1,2026-09-01T12:00:00+02:00,accepted,,ann\n"
	var errs []string
	_, n, err := feedback.ReadDispositions(strings.NewReader(src), m.Handoff, func(line int, err error) { errs = append(errs, fmt.Sprintf("%d: %v", line, err)) })
	require.NoError(t, err)
	assert.Equal(t, []string{"3: lead L1 is already accepted at 2026-09-01T10:00:00Z on line 2; give each verdict one row"}, errs)
	assert.Equal(t, 1, n.Failed)
}
