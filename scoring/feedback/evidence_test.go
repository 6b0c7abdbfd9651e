package feedback_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// truthModel: four rules whose firing the tests draw themselves. The
// catalogue says wrong contradicts fit.culprit and fit.neighbour (only the
// first truly causes it), random contradicts fit.other (it is given at
// random), not_dm contradicts fit.dm.
const truthModel = `leadscore: 1
model: truth
fields: {a: bool, b: bool, c: bool, d: bool}
scores: {fit: {}}
rules:
  - {id: fit.culprit, score: fit, when: a, points: 10}
  - {id: fit.neighbour, score: fit, when: b, points: 10}
  - {id: fit.other, score: fit, when: c, points: 10}
  - {id: fit.dm, score: fit, when: d, points: 10}
stages:
  - {id: sql, sales_ready: true, when: fit >= 10}
handoff:
  sla: 48h
  reasons:
    - {code: wrong, description: The culprit rule is wrong, contradicts: [fit.culprit, fit.neighbour]}
    - {code: random, description: Given at random, contradicts: [fit.other]}
    - {code: not_dm, description: Not a decision maker, contradicts: [fit.dm]}
`

// truthLead is one generated lead: the rules that fired and sales' label.
type truthLead struct {
	fired []string
	label feedback.Label
}

// truthLeads draws n leads whose truth is known: fit.culprit fires on 40%
// of them, fit.neighbour on 80% of those and on 10% of the rest (it has no
// effect of its own), fit.other and fit.dm on half, independently. One
// lead in ten gets no verdict; of the others, 8% are given random whatever
// fired, then a lead the culprit fired on is rejected as wrong 45% of the
// time, any lead 6% of the time, and the rest are accepted.
func truthLeads(seed uint64, n int) []truthLead {
	r := rand.New(rand.NewPCG(seed, 24))
	var out []truthLead
	for range n {
		culprit := r.Float64() < 0.4
		neighbour := r.Float64() < 0.1
		if culprit {
			neighbour = r.Float64() < 0.8
		}
		var fired []string
		for id, on := range map[string]bool{"fit.culprit": culprit, "fit.neighbour": neighbour, "fit.other": r.Float64() < 0.5, "fit.dm": r.Float64() < 0.5} {
			if on {
				fired = append(fired, id)
			}
		}
		l := feedback.Label{Status: scoring.Accepted}
		switch {
		case r.Float64() < 0.1:
			l = feedback.Label{}
		case r.Float64() < 0.08:
			l = feedback.Label{Status: scoring.Rejected, Reason: "random"}
		case culprit && r.Float64() < 0.45, r.Float64() < 0.06:
			l = feedback.Label{Status: scoring.Rejected, Reason: "wrong"}
		}
		out = append(out, truthLead{fired, l})
	}
	return out
}

func truthTally(t *testing.T, leads []truthLead) *feedback.EvidenceTally {
	m, err := rules.CompileBytes("truth.yaml", []byte(truthModel))
	require.NoError(t, err)
	tally := feedback.NewEvidenceTally(m)
	for _, l := range leads {
		tally.Add(l.fired, l.label)
	}
	return tally
}

func find(ev []feedback.Evidence, reason, rule string) *feedback.Evidence {
	for i := range ev {
		if ev[i].Reason == reason && ev[i].Rule == rule {
			return &ev[i]
		}
	}
	return nil
}

// The known truth comes out: the culprit is contradicted in every seed;
// the neighbour, which co-fires with it on 80% of its leads and has no
// effect of its own, is not, and when its own difference is significant
// the culprit explains it; the random reason flags no rule in most seeds.
func TestEvidenceKnownTruth(t *testing.T) {
	const seeds = 40
	neighbourBlamed, randomFlags := 0, 0
	for seed := uint64(1); seed <= seeds; seed++ {
		ev := truthTally(t, truthLeads(seed, 1500)).Evidence()
		culprit := find(ev, "wrong", "fit.culprit")
		require.NotNil(t, culprit)
		assert.Equal(t, feedback.VerdictContradicted, culprit.Verdict, "seed %d: %+v", seed, *culprit)
		assert.True(t, culprit.Suspect)
		assert.Less(t, *culprit.Q, 1e-6, "seed %d", seed)
		assert.Greater(t, *culprit.RateRatioLow, 1.0, "seed %d", seed)
		assert.Equal(t, "fit.neighbour", culprit.Neighbour, "seed %d: the rule that goes with it most", seed)
		assert.LessOrEqual(t, *culprit.NeighbourP, feedback.Alpha, "seed %d: still there with the neighbour held fixed", seed)

		nb := find(ev, "wrong", "fit.neighbour")
		require.NotNil(t, nb)
		assert.Less(t, *nb.Q, 1e-6, "seed %d: on its own, the neighbour looks guilty", seed)
		if nb.Verdict == feedback.VerdictContradicted {
			neighbourBlamed++
		} else {
			assert.Equal(t, feedback.VerdictInconclusive, nb.Verdict)
			assert.Equal(t, "fit.culprit", nb.ExplainedBy, "seed %d: %s", seed, nb.Why)
			assert.Contains(t, nb.Why, "fit.culprit explains it")
		}
		for _, e := range ev {
			if e.Reason == "random" && e.Verdict != feedback.VerdictInconclusive {
				randomFlags++
				break
			}
		}
		// Rules the catalogue does not name for wrong (fit.other, fit.dm)
		// have no effect: listed only when over-represented.
		for _, e := range ev {
			if !e.Contradicted {
				assert.Equal(t, feedback.VerdictOverRepresented, e.Verdict, "seed %d: %+v", seed, e)
			}
		}
	}
	// Each check holds at the 5% level: a few seeds in 40 may fail it.
	assert.LessOrEqual(t, neighbourBlamed, 4, "the neighbour was blamed in %d of %d seeds", neighbourBlamed, seeds)
	assert.LessOrEqual(t, randomFlags, 4, "the random reason flagged a rule in %d of %d seeds", randomFlags, seeds)
	t.Logf("neighbour blamed in %d of %d seeds; random reason flagged a rule in %d", neighbourBlamed, seeds, randomFlags)

	ev := truthTally(t, truthLeads(1, 1500)).Evidence()
	for _, e := range ev {
		t.Logf("%s/%s: %s; %d of %d vs %d of %d; ratio %v (%v to %v); p %v q %v; neighbour %s p %v; %s", e.Reason, e.Rule, e.Verdict, e.Fired, e.Leads, e.OthersFired, e.Others,
			deref(e.RateRatio), deref(e.RateRatioLow), deref(e.RateRatioHigh), deref(e.P), deref(e.Q), e.Neighbour, deref(e.NeighbourP), e.Why)
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// The p-values are Fisher's exact test, recomputed here by brute force in
// exact rational arithmetic; q is Benjamini–Hochberg over the catalogue's
// pairs, recomputed by its definition; the neighbour's p is the
// Mantel–Haenszel test recomputed from the leads themselves.
func TestEvidenceAgainstIndependentComputation(t *testing.T) {
	leads := truthLeads(7, 1500)
	ev := truthTally(t, leads).Evidence()
	var named []feedback.Evidence
	for _, e := range ev {
		fired, rest := 0, 0
		for _, l := range leads {
			if l.label.Status == "" {
				continue
			}
			on := false
			for _, id := range l.fired {
				on = on || id == e.Rule
			}
			switch {
			case l.label.Reason == e.Reason && l.label.Status != scoring.Accepted:
				if on {
					fired++
				}
			case on:
				rest++
			}
		}
		assert.Equal(t, [2]int{fired, rest}, [2]int{e.Fired, e.OthersFired}, "%s/%s", e.Reason, e.Rule)
		require.NotNil(t, e.P)
		want := bruteFisher(e.Fired, e.Leads-e.Fired, e.OthersFired, e.Others-e.OthersFired)
		assert.InEpsilon(t, want, *e.P, 1e-9, "%s/%s: p", e.Reason, e.Rule)
		if e.Contradicted {
			named = append(named, e)
		}
	}
	require.Len(t, named, 3, "wrong: 2 rules, random: 1, not_dm: none given")
	for _, e := range named {
		// q = min over the pairs with p at least as large of p·m/rank.
		q := 1.0
		for _, o := range named {
			rank := 0
			for _, r := range named {
				if *r.P <= *o.P {
					rank++
				}
			}
			if *o.P >= *e.P {
				q = math.Min(q, *o.P*float64(len(named))/float64(rank))
			}
		}
		assert.InDelta(t, q, *e.Q, 1e-12, "%s/%s: q", e.Reason, e.Rule)
	}

	// The neighbour held fixed by the culprit, by hand.
	nb := find(ev, "wrong", "fit.neighbour")
	require.NotNil(t, nb)
	require.Equal(t, "fit.culprit", nb.Neighbour)
	var sa, se, sv float64
	for _, stratum := range []bool{true, false} {
		var a, b, c, d float64
		for _, l := range leads {
			if l.label.Status == "" || has(l.fired, "fit.culprit") != stratum {
				continue
			}
			given, on := l.label.Reason == "wrong", has(l.fired, "fit.neighbour")
			switch {
			case given && on:
				a++
			case given:
				b++
			case on:
				c++
			default:
				d++
			}
		}
		n := a + b + c + d
		sa += a
		se += (a + b) * (a + c) / n
		sv += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1))
	}
	z := (math.Abs(sa-se) - 0.5) / math.Sqrt(sv)
	want := math.Erfc(z / math.Sqrt2)
	if sa < se {
		want = 1 // the difference turned the other way
	}
	assert.InDelta(t, want, *nb.NeighbourP, 1e-12)
}

func has(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// bruteFisher is the two-sided p of Fisher's exact test of [[a b] [c d]]:
// the probability, margins fixed, of every table no more likely than the
// one seen, summed in exact rational arithmetic.
func bruteFisher(a, b, c, d int) float64 {
	r1, c1, n := a+b, a+c, a+b+c+d
	prob := func(x int) *big.Rat {
		num := new(big.Int).Mul(new(big.Int).Binomial(int64(r1), int64(x)), new(big.Int).Binomial(int64(n-r1), int64(c1-x)))
		return new(big.Rat).SetFrac(num, new(big.Int).Binomial(int64(n), int64(c1)))
	}
	seen := prob(a)
	sum := new(big.Rat)
	for x := max(0, c1-(n-r1)); x <= min(r1, c1); x++ {
		if p := prob(x); p.Cmp(seen) <= 0 {
			sum.Add(sum, p)
		}
	}
	f, _ := sum.Float64()
	return f
}

// Sales rejected 66 leads as not_dm and fit.dm fired on none of them,
// against 102 of the 134 other leads with a verdict (51% of all 200): sales
// agrees with the rule.
func TestEvidenceSupported(t *testing.T) {
	r := rand.New(rand.NewPCG(66, 51))
	var leads []truthLead
	add := func(n, firing int, l feedback.Label) {
		for i := range n {
			fired := []string{}
			if i < firing {
				fired = append(fired, "fit.dm")
			}
			if r.Float64() < 0.5 {
				fired = append(fired, "fit.other")
			}
			leads = append(leads, truthLead{fired, l})
		}
	}
	add(66, 0, feedback.Label{Status: scoring.Rejected, Reason: "not_dm"})
	add(134, 102, feedback.Label{Status: scoring.Accepted})
	add(30, 15, feedback.Label{}) // no verdict: not compared with
	ev := truthTally(t, leads).Evidence()
	e := find(ev, "not_dm", "fit.dm")
	require.NotNil(t, e)
	assert.Equal(t, feedback.VerdictSupported, e.Verdict, e.Why)
	assert.False(t, e.Suspect)
	assert.Equal(t, [4]int{66, 0, 134, 102}, [4]int{e.Leads, e.Fired, e.Others, e.OthersFired})
	assert.Equal(t, "less", e.Direction)
	assert.InEpsilon(t, bruteFisher(0, 66, 102, 32), *e.P, 1e-9)
	assert.Less(t, *e.P, 1e-25)
	assert.Equal(t, 0.0, *e.RateRatio)
	assert.Less(t, *e.RateRatioHigh, 0.2, "at most a fifth as often")
	assert.Equal(t, "fires less often (q <0.0001); no other rule goes with it", e.Why)
	t.Logf("not_dm/fit.dm: 0 of 66 vs 102 of 134: p %g, q %g, rate ratio %.4f (%.4f to %.4f)", *e.P, *e.Q, *e.RateRatio, *e.RateRatioLow, *e.RateRatioHigh)
}

// Too few leads, a rule that never fires, a difference that could be
// chance: inconclusive, with the reason given.
func TestEvidenceInconclusive(t *testing.T) {
	rej := feedback.Label{Status: scoring.Rejected, Reason: "wrong"}
	acc := feedback.Label{Status: scoring.Accepted}
	var leads []truthLead
	for range 4 {
		leads = append(leads, truthLead{[]string{"fit.culprit"}, rej})
	}
	for i := range 36 {
		fired := []string{"fit.neighbour"}
		if i < 12 {
			fired = append(fired, "fit.culprit")
		}
		leads = append(leads, truthLead{fired, acc})
	}
	ev := truthTally(t, leads).Evidence()
	e := find(ev, "wrong", "fit.culprit")
	require.NotNil(t, e)
	assert.Equal(t, feedback.VerdictInconclusive, e.Verdict)
	assert.Equal(t, "too few leads: 4 leads given the reason, 6 more needed", e.Why)
	assert.Nil(t, e.P, "not tested")
	assert.Nil(t, e.Q)
	assert.InDelta(t, 3.0, *e.RateRatio, 1e-12, "4 of 4 against 12 of 36, shown with its interval")
	// Katz's interval, with half a lead added to each count (one is zero).
	se := math.Sqrt(1/4.5 - 1/5.0 + 1/12.5 - 1/37.0)
	assert.InDelta(t, (4.5/5)/(12.5/37)*math.Exp(-1.959963984540054*se), *e.RateRatioLow, 1e-12)
	assert.InDelta(t, (4.5/5)/(12.5/37)*math.Exp(1.959963984540054*se), *e.RateRatioHigh, 1e-12)

	// Ten leads given the reason: enough to test. fit.culprit fired on 5
	// of them and on 12 of 36 others: could be chance. fit.neighbour on
	// none of them and all others: tested, and clear. fit.other on none.
	leads = leads[4:]
	for i := range 10 {
		fired := []string{}
		if i < 5 {
			fired = append(fired, "fit.culprit")
		}
		leads = append(leads, truthLead{fired, rej})
	}
	ev = truthTally(t, leads).Evidence()
	e = find(ev, "wrong", "fit.culprit")
	assert.Equal(t, feedback.VerdictInconclusive, e.Verdict)
	assert.InEpsilon(t, bruteFisher(5, 5, 12, 24), *e.P, 1e-9)
	assert.Regexp(t, `^no clear difference: it could be chance \(q 0\.\d+, above 0\.05\)$`, e.Why)
	t.Logf("wrong/fit.culprit: 5 of 10 vs 12 of 36: p %g, q %g: %s", *e.P, *e.Q, e.Why)
	n := find(ev, "wrong", "fit.neighbour")
	assert.Equal(t, feedback.VerdictSupported, n.Verdict, n.Why)
	for _, e := range ev {
		assert.NotEqual(t, "fit.other", e.Rule, "a rule that never fires is not listed for a reason that does not name it")
	}

	m, err := rules.CompileBytes("truth.yaml", []byte(truthModel))
	require.NoError(t, err)
	tally := feedback.NewEvidenceTally(m)
	for range 10 {
		tally.Add([]string{"fit.culprit"}, feedback.Label{Status: scoring.Rejected, Reason: "random"})
		tally.Add([]string{"fit.culprit"}, acc)
	}
	e = find(tally.Evidence(), "random", "fit.other")
	assert.Equal(t, "the rule fired on none of the 20 leads with a verdict", e.Why)
	assert.Nil(t, e.RateRatio)
}

// Two rules that always fire together: a significant difference cannot be
// given to either, and the verdict says so.
func TestEvidenceInseparable(t *testing.T) {
	var leads []truthLead
	for i := range 200 {
		fired := []string{}
		if i%2 == 0 {
			fired = []string{"fit.culprit", "fit.neighbour"}
		}
		l := feedback.Label{Status: scoring.Accepted}
		if (i%2 == 0 && i%4 == 0) || i%20 == 1 {
			l = feedback.Label{Status: scoring.Rejected, Reason: "wrong"}
		}
		leads = append(leads, truthLead{fired, l})
	}
	ev := truthTally(t, leads).Evidence()
	for _, rule := range []string{"fit.culprit", "fit.neighbour"} {
		e := find(ev, "wrong", rule)
		assert.Equal(t, feedback.VerdictInconclusive, e.Verdict, rule)
		assert.Less(t, *e.Q, 1e-6)
		assert.Contains(t, e.Why, "the leads cannot tell which of the two the reason is about")
	}
	assert.Equal(t, "fit.neighbour", find(ev, "wrong", "fit.culprit").ExplainedBy)
	assert.Equal(t, "fit.culprit", find(ev, "wrong", "fit.neighbour").ExplainedBy)
}

// Tallies of shards, merged, give the evidence of the whole, to the bit.
func TestEvidenceMergeIsWhole(t *testing.T) {
	leads := truthLeads(3, 1200)
	whole := truthTally(t, leads)
	r := rand.New(rand.NewPCG(3, 1))
	shards := make([][]truthLead, 4)
	for _, l := range leads {
		i := r.IntN(len(shards))
		shards[i] = append(shards[i], l)
	}
	merged := truthTally(t, nil)
	for _, s := range shards {
		merged.Merge(truthTally(t, s))
	}
	assert.Equal(t, whole.Evidence(), merged.Evidence())
	js := func(ev []feedback.Evidence) string {
		b, err := json.Marshal(ev)
		require.NoError(t, err)
		return string(b)
	}
	assert.Equal(t, js(whole.Evidence()), js(merged.Evidence()))
}

// The writers say the verdicts: a finding for each rule contradicted,
// supported or over-represented, with its counts; JSON carries evidence
// with reason, rule and verdict; the CSV's evidence table has a row each.
func TestEvidenceWritten(t *testing.T) {
	leads := truthLeads(1, 1500)
	r := rand.New(rand.NewPCG(1, 2))
	for i, l := range leads {
		switch {
		case has(l.fired, "fit.dm") && l.label.Status == scoring.Accepted && r.Float64() < 0.3:
			// fit.dm, which wrong does not name, causes it too.
			leads[i].label = feedback.Label{Status: scoring.Rejected, Reason: "wrong"}
		case !has(l.fired, "fit.dm") && l.label.Status == scoring.Accepted && r.Float64() < 0.1:
			leads[i].label = feedback.Label{Status: scoring.Rejected, Reason: "not_dm"}
		}
	}
	rep := &feedback.Report{Model: "truth", Evidence: truthTally(t, leads).Evidence()}
	for _, e := range rep.Evidence {
		t.Logf("%s/%s: %s; %d of %d vs %d of %d; p %v q %v; %s", e.Reason, e.Rule, e.Verdict, e.Fired, e.Leads, e.OthersFired, e.Others, deref(e.P), deref(e.Q), e.Why)
	}
	verdicts := map[string]string{}
	for _, e := range rep.Evidence {
		verdicts[e.Reason+"/"+e.Rule] = e.Verdict
	}
	assert.Equal(t, map[string]string{
		"wrong/fit.culprit":   feedback.VerdictContradicted,
		"wrong/fit.neighbour": feedback.VerdictInconclusive,
		"wrong/fit.dm":        feedback.VerdictOverRepresented,
		"random/fit.other":    feedback.VerdictInconclusive,
		"not_dm/fit.dm":       feedback.VerdictSupported,
	}, verdicts)

	findings := rep.Findings()
	require.Len(t, findings, 3)
	for i, want := range []struct {
		e    *feedback.Evidence
		ends string
	}{
		{find(rep.Evidence, "wrong", "fit.culprit"), "sales' reason contradicts the rule; review its condition or its points"},
		{find(rep.Evidence, "wrong", "fit.dm"), "the catalogue does not say wrong contradicts this rule; if it should, add the rule to its contradicts"},
		{find(rep.Evidence, "not_dm", "fit.dm"), "sales agrees with the rule, which left out the leads sales gave this reason"},
	} {
		e := want.e
		assert.True(t, strings.HasPrefix(findings[i], fmt.Sprintf("%s fired on %.1f%% (95%%: %.1f%% to %.1f%%) of leads sales gave %s (%d of %d) vs %.1f%% (95%%: %.1f%% to %.1f%%) of the other leads with a verdict (%d of %d)",
			e.Rule, 100*e.Share, 100**e.ShareLow, 100**e.ShareHigh, e.Reason, e.Fired, e.Leads, 100**e.OthersShare, 100**e.OthersShareLow, 100**e.OthersShareHigh, e.OthersFired, e.Others)), findings[i])
		assert.True(t, strings.HasSuffix(findings[i], want.ends), findings[i])
		assert.Contains(t, findings[i], "q "+feedback.PValue(*e.Q))
	}
	assert.Contains(t, findings[0], fmt.Sprintf("%.2f times as often (95%% interval %.2f to %.2f;", *rep.Evidence[0].RateRatio, *rep.Evidence[0].RateRatioLow, *rep.Evidence[0].RateRatioHigh))

	var text strings.Builder
	require.NoError(t, rep.WriteText(&text))
	count := map[string]int{}
	for _, e := range rep.Evidence {
		if e.Contradicted {
			count[e.Verdict]++
		}
	}
	assert.Contains(t, text.String(), fmt.Sprintf("Rules against the reasons that contradict them: %d contradicted, %d supported, %d inconclusive.\n",
		count[feedback.VerdictContradicted], count[feedback.VerdictSupported], count[feedback.VerdictInconclusive]))
	for _, f := range findings {
		assert.Contains(t, text.String(), "- "+f+".\n")
	}
	var js bytes.Buffer
	require.NoError(t, rep.WriteJSON(&js))
	var back struct {
		Evidence []map[string]any `json:"evidence"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	require.Len(t, back.Evidence, len(rep.Evidence))
	for i, e := range back.Evidence {
		assert.Equal(t, rep.Evidence[i].Verdict, e["verdict"])
		assert.Equal(t, rep.Evidence[i].Reason, e["reason"])
		assert.Equal(t, rep.Evidence[i].Rule, e["rule"])
		assert.Equal(t, float64(rep.Evidence[i].Leads), e["leads"], "every rate with its n")
		assert.NotContains(t, e, "suspect")
	}
	var csvOut bytes.Buffer
	require.NoError(t, rep.WriteCSV(&csvOut))
	parts := strings.Split(csvOut.String(), "\n\n")
	require.Len(t, parts, 3)
	rows, err := csv.NewReader(strings.NewReader(parts[1])).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 1+len(rep.Evidence))
	assert.Equal(t, []string{"reason", "rule", "catalogue_contradicts", "verdict"}, rows[0][:4])
	assert.Equal(t, []string{"wrong", "fit.neighbour", "true", "inconclusive"}, rows[2][:4])
}
