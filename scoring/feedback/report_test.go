package feedback_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadscore/leadscore/rules"
	"github.com/leadscore/leadscore/scoring"
	"github.com/leadscore/leadscore/scoring/feedback"
)

// fbModel: a "Head" is worth 50 fit, a company of 50 or more 50 fit, a demo
// 50 engagement; sales-ready at fit 50 and engagement 50. Totals run from 0
// to 200, so score bands are 20 wide.
const fbModel = `leadscore: 1
model: fb
fields: {title: string, employees: int}
events: {campaign: string, channel: string}
scores:
  fit: {min: 0, max: 100}
  engagement: {min: 0, max: 100}
rules:
  - {id: fit.boss, score: fit, when: 'title == "Head"', points: 50}
  - {id: fit.size, score: fit, when: 'employees >= 50', points: 50}
  - {id: eng.demo, score: engagement, event: demo, points: 50}
grades:
  - {grade: A, when: fit >= 100}
  - {grade: B}
stages:
  - {id: sql, sales_ready: true, when: fit >= 50 && engagement >= 50}
handoff:
  sla: 48h
  reasons:
    - {code: not_dm, description: Not a decision maker, contradicts: [fit.boss]}
    - {code: later, description: Not now}
  recycle: {resets: [engagement], hold: 10d}
`

func at(d, h int) time.Time { return time.Date(2026, 9, d, h, 0, 0, 0, time.UTC) }

func demo(t time.Time, campaign, channel string) scoring.Event {
	return scoring.Event{Type: "demo", At: t, Fields: map[string]any{"campaign": campaign, "channel": channel}}
}

func verdict(t time.Time, s scoring.Status, reason, owner string) scoring.Disposition {
	return scoring.Disposition{At: t, Status: s, Reason: reason, Owner: owner}
}

type fbLead struct {
	lead scoring.Lead
	won  time.Time
}

// fbLeads, as of 30 September. Head = fit.boss, 100 employees = fit.size.
func fbLeads() []fbLead {
	lead := func(id, title string, employees int, events []scoring.Event, ds ...scoring.Disposition) scoring.Lead {
		return scoring.Lead{ID: id, Fields: map[string]any{"title": title, "employees": employees}, Events: events, Dispositions: ds}
	}
	return []fbLead{
		// sales-ready 1 Sep 00:00 (50+50 = 100, B); rejected 10h later by ann
		{lead: lead("L1", "Head", 10, []scoring.Event{demo(at(1, 0), "ads", "paid")}, verdict(at(1, 10), scoring.Rejected, "not_dm", "ann"))},
		// sales-ready 2 Sep (150, A); rejected 72h later by bob: late
		{lead: lead("L2", "Head", 100, []scoring.Event{demo(at(2, 0), "ads", "paid")}, verdict(at(5, 0), scoring.Rejected, "not_dm", "bob"))},
		// sales-ready 3 Sep (100, B); accepted 2h later by ann
		{lead: lead("L3", "Clerk", 100, []scoring.Event{demo(at(3, 0), "mail", "email")}, verdict(at(3, 2), scoring.Accepted, "", "ann"))},
		// sales-ready 4 Sep (100, B); accepted 30h later by bob
		{lead: lead("L4", "Clerk", 100, []scoring.Event{demo(at(4, 0), "mail", "email")}, verdict(at(5, 6), scoring.Accepted, "", "bob"))},
		// sales-ready 5 Sep (150, A); recycled 24h later by ann: the demo is
		// reset, held until 16 Sep; a demo on 20 Sep makes it sales-ready
		// again, and it is won on 28 Sep
		{lead: lead("L5", "Head", 100, []scoring.Event{demo(at(5, 0), "mail", "email"), demo(at(20, 0), "ads", "paid")}, verdict(at(6, 0), scoring.Recycled, "later", "ann")),
			won: at(28, 0)},
		// sales-ready 10 Sep (100, B), no verdict by 30 Sep: overdue
		{lead: lead("L6", "Clerk", 100, []scoring.Event{demo(at(10, 0), "ads", "paid")})},
		// sales-ready 29 Sep 12:00 (100, B), no verdict 12h later: still within the SLA
		{lead: lead("L7", "Clerk", 100, []scoring.Event{demo(at(29, 12), "ads", "paid")})},
		// never sales-ready (fit 0), yet rejected: counted apart
		{lead: lead("L8", "Clerk", 10, []scoring.Event{demo(at(8, 0), "ads", "paid")}, verdict(at(9, 0), scoring.Rejected, "later", "bob"))},
		// nothing at all
		{lead: lead("L9", "Clerk", 10, nil)},
		// sales-ready 6 Sep (100, B); rejected 24h later by bob
		{lead: lead("L10", "Head", 10, []scoring.Event{demo(at(6, 0), "ads", "paid")}, verdict(at(7, 0), scoring.Rejected, "not_dm", "bob"))},
	}
}

func fbReport(t *testing.T) *feedback.Report {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	b := feedback.NewBuilder(scoring.New(m), feedback.Options{AsOf: at(30, 0)})
	for _, l := range fbLeads() {
		require.NoError(t, b.Add(l.lead, l.won))
	}
	return b.Report()
}

func f(v float64) *float64 { return &v }

func TestReportByHand(t *testing.T) {
	r := fbReport(t)
	// 10 leads; sales-ready: L1-L7 and L10 = 8; verdicts: L1, L2, L3, L4, L5, L10 = 6;
	// none: L6, L7; L8 has a verdict but was never sales-ready.
	assert.Equal(t, 10, r.Leads)
	assert.Equal(t, 8, r.SalesReady)
	assert.Equal(t, 6, r.Dispositioned)
	assert.Equal(t, 2, r.Accepted) // L3, L4
	assert.Equal(t, 3, r.Rejected) // L1, L2, L10
	assert.Equal(t, 1, r.Recycled) // L5
	assert.Equal(t, 2, r.NeverDispositioned)
	assert.Equal(t, 1, r.NotHandedOff)
	assert.InDelta(t, 2.0/6, *r.AcceptanceRate, 1e-12)
	assert.InDelta(t, 3.0/6, *r.RejectionRate, 1e-12)
	assert.InDelta(t, 1.0/6, *r.RecycleRate, 1e-12)
	// Each headline rate with Wilson's interval, by hand; 6 verdicts are too few.
	for _, c := range []struct {
		k      int
		lo, hi *float64
	}{{2, r.AcceptanceRateLow, r.AcceptanceRateHigh}, {3, r.RejectionRateLow, r.RejectionRateHigh}, {1, r.RecycleRateLow, r.RecycleRateHigh}} {
		lo, hi := wilsonByHand(c.k, 6)
		assert.InDelta(t, lo, *c.lo, 1e-12)
		assert.InDelta(t, hi, *c.hi, 1e-12)
	}
	assert.True(t, r.TooFew)
	assert.Equal(t, []feedback.ReasonCount{{"not_dm", 3}, {"later", 1}}, r.Reasons)
	assert.Equal(t, 20.0, r.BandWidth, "a tenth of 0..200")

	g := func(name string, sr, d, acc, rej, rec int, accRate, rejRate *float64, reasons ...feedback.ReasonCount) feedback.Group {
		if reasons == nil {
			reasons = []feedback.ReasonCount{}
		}
		return byHandRates(feedback.Group{Name: name, SalesReady: sr, Dispositioned: d, Accepted: acc, Rejected: rej, Recycled: rec, AcceptanceRate: accRate, RejectionRate: rejRate, Reasons: reasons})
	}
	// ads: L1, L2, L6, L7, L10 (5), verdicts L1, L2, L10 all rejected as not_dm: 0/3 and 3/3.
	// mail: L3, L4, L5 (3): accepted 2, recycled 1: 2/3 and 0/3.
	assert.Equal(t, roundRates([]feedback.Group{
		g("ads", 5, 3, 0, 3, 0, f(0), f(1), feedback.ReasonCount{"not_dm", 3}),
		g("mail", 3, 3, 2, 0, 1, f(2.0/3), f(0), feedback.ReasonCount{"later", 1}),
	}), roundRates(r.Campaigns))
	assert.Equal(t, []string{"paid", "email"}, []string{r.Channels[0].Name, r.Channels[1].Name})
	// 100-120: L1, L3, L4, L6, L7, L10 (6); verdicts L1 rej, L3 acc, L4 acc, L10 rej: 2/4 and 2/4.
	// 140-160: L2 rej, L5 rec (2): 0/2 and 1/2.
	assert.Equal(t, roundRates([]feedback.Group{
		g("100-120", 6, 4, 2, 2, 0, f(0.5), f(0.5), feedback.ReasonCount{"not_dm", 2}),
		g("140-160", 2, 2, 0, 1, 1, f(0), f(0.5), feedback.ReasonCount{"not_dm", 1}, feedback.ReasonCount{"later", 1}),
	}), roundRates(r.Bands))
	// A: L2, L5; B: the other six.
	assert.Equal(t, roundRates([]feedback.Group{
		g("A", 2, 2, 0, 1, 1, f(0), f(0.5), feedback.ReasonCount{"not_dm", 1}, feedback.ReasonCount{"later", 1}),
		g("B", 6, 4, 2, 2, 0, f(0.5), f(0.5), feedback.ReasonCount{"not_dm", 2}),
	}), roundRates(r.Grades))
	// fit.boss: L1, L2, L5, L10: rejected 3, recycled 1. fit.size: L2-L7: L2 rej, L3 acc, L4 acc, L5 rec.
	// eng.demo: all eight.
	assert.Equal(t, roundRates([]feedback.Group{
		g("fit.boss", 4, 4, 0, 3, 1, f(0), f(0.75), feedback.ReasonCount{"not_dm", 3}, feedback.ReasonCount{"later", 1}),
		g("fit.size", 6, 4, 2, 1, 1, f(0.5), f(0.25), feedback.ReasonCount{"not_dm", 1}, feedback.ReasonCount{"later", 1}),
		g("eng.demo", 8, 6, 2, 3, 1, f(2.0/6), f(0.5), feedback.ReasonCount{"not_dm", 3}, feedback.ReasonCount{"later", 1}),
	}), roundRates(r.Rules))

	// not_dm: L1, L2, L10, on all of which fit.boss fired (3 of 3), against 1
	// of the 3 other leads with a verdict (L3, L4 accepted; L5 recycled as
	// later, with fit.boss): 3 times as often; among the 8 sales-ready
	// leads it fired on 4 (L1, L2, L5, L10): lift 1 / 0.5 = 2. Three leads
	// are too few to judge. Katz's interval of the rate ratio adds half a
	// lead to each count (3 of 3 leaves none without): (3.5/4)/(1.5/4)
	// times exp(±1.96 √(1/3.5 − 1/4 + 1/1.5 − 1/4)). No rule the reason
	// does not name is tested (too few leads), so none is listed.
	require.Len(t, r.Evidence, 1)
	e := r.Evidence[0]
	se := math.Sqrt(1/3.5 - 1/4.0 + 1/1.5 - 1/4.0)
	assert.InDelta(t, 3.5/1.5*math.Exp(-1.959963984540054*se), *e.RateRatioLow, 1e-12)
	assert.InDelta(t, 3.5/1.5*math.Exp(1.959963984540054*se), *e.RateRatioHigh, 1e-12)
	e.RateRatioLow, e.RateRatioHigh = nil, nil
	// Each share with Wilson's interval over its own count, by hand: 3 of
	// 3, 1 of 3, 4 of 8.
	for _, c := range []struct {
		k, n   int
		lo, hi *float64
	}{{3, 3, e.ShareLow, e.ShareHigh}, {1, 3, e.OthersShareLow, e.OthersShareHigh}, {4, 8, e.PopulationShareLow, e.PopulationShareHigh}} {
		lo, hi := wilsonByHand(c.k, c.n)
		require.NotNil(t, c.lo)
		require.NotNil(t, c.hi)
		assert.InDelta(t, lo, *c.lo, 1e-12, "%d of %d", c.k, c.n)
		assert.InDelta(t, hi, *c.hi, 1e-12, "%d of %d", c.k, c.n)
	}
	e.ShareLow, e.ShareHigh, e.OthersShareLow, e.OthersShareHigh, e.PopulationShareLow, e.PopulationShareHigh = nil, nil, nil, nil, nil, nil
	assert.Equal(t, feedback.Evidence{Reason: "not_dm", Rule: "fit.boss", Contradicted: true, Verdict: feedback.VerdictInconclusive,
		Why: "too few leads: 3 leads given the reason, 7 more needed", Leads: 3, Fired: 3, Share: 1, Others: 3, OthersFired: 1, OthersShare: f(1.0 / 3),
		RateRatio: f(3), Direction: "more", Population: 8, PopulationFired: 4, PopulationShare: 0.5, Lift: f(2)}, e)

	// Waits: L1 10h, L2 72h, L3 2h, L4 30h, L5 24h, L10 24h; sorted 2 10 24 24 30 72:
	// median (24+24)/2 = 24, p90 the ceil(5.4) = 6th = 72. Within 48h: 5; late: L2.
	// No verdict: L6 (480h, overdue), L7 (12h, waiting).
	s := r.SLA
	assert.Equal(t, f(48), s.Hours)
	assert.Equal(t, 6, s.Measured)
	assert.Equal(t, f(24), s.MedianHours)
	assert.Equal(t, f(72), s.P90Hours)
	assert.Equal(t, []int{5, 1, 1, 1}, []int{s.Within, s.Breached, s.Overdue, s.Waiting})
	// ann: L1 10h, L3 2h, L5 24h: median 10. bob: L2 72h (late), L4 30h, L10 24h: median 30.
	// Most late first, then by name: "(nobody yet)" sorts before "bob".
	assert.Equal(t, []feedback.OwnerSLA{
		{Owner: feedback.NobodyYet, Verdicts: 0, Breached: 1},
		{Owner: "bob", Verdicts: 3, Breached: 1, MedianHours: f(30)},
		{Owner: "ann", Verdicts: 3, Breached: 0, MedianHours: f(10)},
	}, stripWaits(s.ByOwner))
	// L5: recycled 6 Sep, sales-ready again 20 Sep, won 28 Sep.
	assert.Equal(t, feedback.RecycleOutcome{Leads: 1, SalesReadyAgain: 1, WonLater: 1}, r.Recycle)

	// JSON carries the counts, and no NaN: rates without verdicts are null.
	var buf bytes.Buffer
	require.NoError(t, r.WriteJSON(&buf))
	var back map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, 3.0, back["rejected"])
	assert.NotContains(t, buf.String(), "NaN")
}

// stripWaits drops the unexported waits, for comparison.
func stripWaits(os []feedback.OwnerSLA) []feedback.OwnerSLA {
	out := make([]feedback.OwnerSLA, len(os))
	for i, o := range os {
		out[i] = feedback.OwnerSLA{Owner: o.Owner, Verdicts: o.Verdicts, Breached: o.Breached, MedianHours: o.MedianHours}
	}
	return out
}

// The same numbers, as people read them: text and CSV pinned whole.
func TestReportWritten(t *testing.T) {
	var b strings.Builder
	require.NoError(t, fbReport(t).WriteText(&b))
	assert.Equal(t, `What sales said: fb, as of 2026-09-30T00:00:00Z

10 leads; 8 became sales-ready and went to sales; 6 got a verdict, 2 none yet.
Accepted 2 (33.3%; 95% interval 9.7% to 70.0%), rejected 3 (50.0%; 95% interval 18.8% to 81.2%), recycled 1 (16.7%; 95% interval 3.0% to 56.4%) of the 6 verdicts.
These rates rest on fewer than 10 verdicts: too few to read as findings; read their intervals.
1 more lead has dispositions but never became sales-ready; not in the rates.
Reasons: not_dm 3, later 1.
No rule is judged yet: each reason that contradicts a rule was given to fewer than 10 leads (at most 3); more verdicts are needed.

Rejection reasons against rules

How often each rule fired on the leads given a reason, against the other leads with a verdict. contradicted: significantly more often, so sales' reason says the rule is wrong on such leads; supported: significantly less often, so sales agrees with the rule; inconclusive: see why. Significant: q (Fisher's exact test, adjusted for the number of pairs tested) of 0.05 or less, and still so with each rule that goes with it held fixed in turn. A reason given to fewer than 10 leads judges no rule.

  reason  rule      fired on leads given the reason (95% interval)  fired on the other leads with a verdict (95% interval)  times as often (95% interval)  p  q  verdict       why
  not_dm  fit.boss                3 of 3: 100.0% (43.9% to 100.0%)                           1 of 3: 33.3% (6.1% to 79.2%)            3.00 (0.62 to 8.72)  —  —  inconclusive  too few leads: 3 leads given the reason, 7 more needed

By sourcing campaign (first touch)

In these tables each rate is over the row's verdicts, with its 95% interval (Wilson's). A row with fewer than 10 verdicts is marked too few: its rates are too uncertain to read, or to set against another row's.

  campaign  sales-ready  verdicts  accepted  rejected  recycled  acceptance (95% interval)  rejection (95% interval)  read     reasons
  ads                 5         3         0         3         0       0.0% (0.0% to 56.1%)  100.0% (43.9% to 100.0%)  too few  not_dm 3
  mail                3         3         2         0         1     66.7% (20.8% to 93.9%)      0.0% (0.0% to 56.1%)  too few  later 1

By sourcing channel (first touch)

  channel  sales-ready  verdicts  accepted  rejected  recycled  acceptance (95% interval)  rejection (95% interval)  read     reasons
  paid               5         3         0         3         0       0.0% (0.0% to 56.1%)  100.0% (43.9% to 100.0%)  too few  not_dm 3
  email              3         3         2         0         1     66.7% (20.8% to 93.9%)      0.0% (0.0% to 56.1%)  too few  later 1

By score band at the hand-off (width 20)

  total    sales-ready  verdicts  accepted  rejected  recycled  acceptance (95% interval)  rejection (95% interval)  read     reasons
  100-120            6         4         2         2         0     50.0% (15.0% to 85.0%)    50.0% (15.0% to 85.0%)  too few  not_dm 2
  140-160            2         2         0         1         1       0.0% (0.0% to 65.8%)     50.0% (9.5% to 90.5%)  too few  not_dm 1, later 1

By grade at the hand-off

  grade  sales-ready  verdicts  accepted  rejected  recycled  acceptance (95% interval)  rejection (95% interval)  read     reasons
  A                2         2         0         1         1       0.0% (0.0% to 65.8%)     50.0% (9.5% to 90.5%)  too few  not_dm 1, later 1
  B                6         4         2         2         0     50.0% (15.0% to 85.0%)    50.0% (15.0% to 85.0%)  too few  not_dm 2

By rule fired at the hand-off

  rule      sales-ready  verdicts  accepted  rejected  recycled  acceptance (95% interval)  rejection (95% interval)  read     reasons
  fit.boss            4         4         0         3         1       0.0% (0.0% to 49.0%)    75.0% (30.1% to 95.4%)  too few  not_dm 3, later 1
  fit.size            6         4         2         1         1     50.0% (15.0% to 85.0%)     25.0% (4.6% to 69.9%)  too few  not_dm 1, later 1
  eng.demo            8         6         2         3         1      33.3% (9.7% to 70.0%)    50.0% (18.8% to 81.2%)  too few  not_dm 3, later 1

By week of the hand-off (the seven days up to the as-of time, and each seven before)

  week                sales-ready  verdicts  accepted  rejected  recycled  acceptance (95% interval)  rejection (95% interval)  read        reasons
  week to 2026-09-02            2         2         0         2         0       0.0% (0.0% to 65.8%)  100.0% (34.2% to 100.0%)  too few     not_dm 2
  week to 2026-09-09            4         4         2         1         1     50.0% (15.0% to 85.0%)     25.0% (4.6% to 69.9%)  too few     not_dm 1, later 1
  week to 2026-09-16            1         0         0         0         0                          —                         —  no verdict
  week to 2026-09-23            0         0         0         0         0                          —                         —  no verdict
  week to 2026-09-30            1         0         0         0         0                          —                         —  no verdict

SLA: from sales-ready to the first verdict

SLA 48h; 6 verdicts: median 24.0h, p90 72.0h; 5 within the SLA, 1 late. Without a verdict: 1 overdue, 1 still within the SLA.

  owner         verdicts  late or overdue  median wait
  (nobody yet)         0                1            —
  bob                  3                1        30.0h
  ann                  3                0        10.0h

Recycled leads

1 lead recycled; 1 became sales-ready again; 1 won later.
`, b.String())

	b.Reset()
	require.NoError(t, fbReport(t).WriteCSV(&b))
	assert.Equal(t, `section,name,sales_ready,dispositioned,accepted,rejected,recycled,acceptance_rate,rejection_rate,reasons,acceptance_rate_low,acceptance_rate_high,rejection_rate_low,rejection_rate_high,too_few_verdicts,recycle_rate,recycle_rate_low,recycle_rate_high
total,total,8,6,2,3,1,0.3333333333333333,0.5,not_dm=3;later=1,0.09677141110578041,0.700006684861608,0.1876163064826506,0.8123836935173494,true,0.16666666666666666,0.030053369748306635,0.5635028221864702
campaign,ads,5,3,0,3,0,0,1,not_dm=3,0,0.5614970317550454,0.4385029682449546,1,true,0,0,0.5614970317550454
campaign,mail,3,3,2,0,1,0.6666666666666666,0,later=1,0.2076596008020477,0.9385080552796037,0,0.5614970317550454,true,0.3333333333333333,0.06149194472039621,0.7923403991979522
channel,paid,5,3,0,3,0,0,1,not_dm=3,0,0.5614970317550454,0.4385029682449546,1,true,0,0,0.5614970317550454
channel,email,3,3,2,0,1,0.6666666666666666,0,later=1,0.2076596008020477,0.9385080552796037,0,0.5614970317550454,true,0.3333333333333333,0.06149194472039621,0.7923403991979522
band,100-120,6,4,2,2,0,0.5,0.5,not_dm=2,0.15003898915214947,0.8499610108478506,0.15003898915214947,0.8499610108478506,true,0,0,0.4898908364545973
band,140-160,2,2,0,1,1,0,0.5,not_dm=1;later=1,0,0.6576197724933468,0.09453120573423074,0.9054687942657693,true,0.5,0.09453120573423074,0.9054687942657693
grade,A,2,2,0,1,1,0,0.5,not_dm=1;later=1,0,0.6576197724933468,0.09453120573423074,0.9054687942657693,true,0.5,0.09453120573423074,0.9054687942657693
grade,B,6,4,2,2,0,0.5,0.5,not_dm=2,0.15003898915214947,0.8499610108478506,0.15003898915214947,0.8499610108478506,true,0,0,0.4898908364545973
rule,fit.boss,4,4,0,3,1,0,0.75,not_dm=3;later=1,0,0.4898908364545973,0.30064184258240184,0.9544127391902995,true,0.25,0.04558726080970055,0.6993581574175981
rule,fit.size,6,4,2,1,1,0.5,0.25,not_dm=1;later=1,0.15003898915214947,0.8499610108478506,0.04558726080970055,0.6993581574175981,true,0.25,0.04558726080970055,0.6993581574175981
rule,eng.demo,8,6,2,3,1,0.3333333333333333,0.5,not_dm=3;later=1,0.09677141110578041,0.700006684861608,0.1876163064826506,0.8123836935173494,true,0.16666666666666666,0.030053369748306635,0.5635028221864702
week,week to 2026-09-02,2,2,0,2,0,0,1,not_dm=2,0,0.6576197724933468,0.34238022750665303,1,true,0,0,0.6576197724933468
week,week to 2026-09-09,4,4,2,1,1,0.5,0.25,not_dm=1;later=1,0.15003898915214947,0.8499610108478506,0.04558726080970055,0.6993581574175981,true,0.25,0.04558726080970055,0.6993581574175981
week,week to 2026-09-16,1,0,0,0,0,,,,,,,,true,,,
week,week to 2026-09-23,0,0,0,0,0,,,,,,,,true,,,
week,week to 2026-09-30,1,0,0,0,0,,,,,,,,true,,,

reason,rule,catalogue_contradicts,verdict,why,explained_by,leads,fired,share,others,others_fired,others_share,rate_ratio,rate_ratio_low,rate_ratio_high,direction,p,q,neighbour,neighbour_p,population,population_fired,population_share,lift,share_low,share_high,others_share_low,others_share_high,population_share_low,population_share_high
not_dm,fit.boss,true,inconclusive,"too few leads: 3 leads given the reason, 7 more needed",,3,3,1,3,1,0.3333333333333333,3,0.6244027876775636,8.71944288508832,more,,,,,8,4,0.5,2,0.4385029682449546,1,0.06149194472039621,0.7923403991979522,0.21521606221387757,0.7847839377861224

owner,verdicts,breached,median_hours
(nobody yet),0,1,
bob,3,1,30
ann,3,0,10
`, b.String())
}

// A recycle dated before the lead was ever sales-ready is kept (it resets
// and holds, as scoring says), and is said as a warning naming the lead,
// the recycle's date and the first hand-off, or that there is none.
func TestEarlyRecycleWarned(t *testing.T) {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	b := feedback.NewBuilder(scoring.New(m), feedback.Options{AsOf: at(30, 0)})
	lead := func(id string, events []scoring.Event, ds ...scoring.Disposition) scoring.Lead {
		return scoring.Lead{ID: id, Fields: map[string]any{"title": "Head", "employees": 10}, Events: events, Dispositions: ds}
	}
	// recycled 1 Sep, a demo on 5 Sep: the hold-down delays the hand-off to 11 Sep
	require.NoError(t, b.Add(lead("E1", []scoring.Event{demo(at(5, 0), "ads", "paid")}, verdict(at(1, 0), scoring.Recycled, "later", "ann")), time.Time{}))
	// recycled 2 Sep, no demo: never sales-ready
	require.NoError(t, b.Add(lead("E0", nil, verdict(at(2, 0), scoring.Recycled, "later", "ann")), time.Time{}))
	// sales-ready 4 Sep, recycled 6 Sep: a recycle of a lead sales received
	require.NoError(t, b.Add(lead("OK", []scoring.Event{demo(at(4, 0), "ads", "paid")}, verdict(at(6, 0), scoring.Recycled, "later", "ann")), time.Time{}))
	r := b.Report()
	sr := at(11, 0)
	assert.Equal(t, []feedback.EarlyRecycle{{Lead: "E0", Recycled: at(2, 0)}, {Lead: "E1", Recycled: at(1, 0), SalesReady: &sr}}, r.EarlyRecycles)
	var out strings.Builder
	require.NoError(t, r.WriteText(&out))
	assert.Contains(t, out.String(), `
Warning: lead E0 was recycled on 2026-09-02T00:00:00Z, before it was ever sales-ready (it is not sales-ready by the as-of time); the recycle still resets its events and holds it out for the hold-down: check the recycle's date, or remove it if it belongs to an earlier cycle.
Warning: lead E1 was recycled on 2026-09-01T00:00:00Z, before it was ever sales-ready (it first became sales-ready on 2026-09-11T00:00:00Z); the recycle still resets its events and holds it out for the hold-down: check the recycle's date, or remove it if it belongs to an earlier cycle.
`)
}

// An accept or reject dated before the lead's hand-off judges no hand-off:
// it is left out of every figure and said as a warning naming the lead,
// the verdict and the hand-off, in every format; a verdict after the one
// that counts is counted as superseded. A recycle is neither.
func TestVerdictBeforeHandoffWarned(t *testing.T) {
	m, err := rules.CompileBytes("fb.yaml", []byte(fbModel))
	require.NoError(t, err)
	b := feedback.NewBuilder(scoring.New(m), feedback.Options{AsOf: at(30, 0)})
	lead := func(id string, events []scoring.Event, ds ...scoring.Disposition) scoring.Lead {
		return scoring.Lead{ID: id, Fields: map[string]any{"title": "Head", "employees": 10}, Events: events, Dispositions: ds}
	}
	// sales-ready 4 Sep 10:00; accepted 4 Sep 07:24 (2.6 h before), then
	// rejected 5 Sep: the rejection is the verdict
	require.NoError(t, b.Add(lead("E1", []scoring.Event{demo(at(4, 10), "ads", "paid")},
		verdict(at(4, 7).Add(24*time.Minute), scoring.Accepted, "", "ann"), verdict(at(5, 0), scoring.Rejected, "not_dm", "ann")), time.Time{}))
	// sales-ready 4 Sep; accepted 5 Sep, rejected 6 Sep and 7 Sep, recycled
	// 8 Sep: the acceptance counts, the two rejections are later verdicts
	require.NoError(t, b.Add(lead("E2", []scoring.Event{demo(at(4, 0), "ads", "paid")},
		verdict(at(5, 0), scoring.Accepted, "", "ann"), verdict(at(6, 0), scoring.Rejected, "later", "ann"), verdict(at(7, 0), scoring.Rejected, "later", "ann"),
		verdict(at(8, 0), scoring.Recycled, "later", "ann")), time.Time{}))
	// rejected 1 Sep, sales-ready 4 Sep, no verdict after it
	require.NoError(t, b.Add(lead("E0", []scoring.Event{demo(at(4, 0), "ads", "paid")}, verdict(at(1, 0), scoring.Rejected, "later", "bob")), time.Time{}))
	r := b.Report()
	assert.Equal(t, []feedback.EarlyVerdict{
		{Lead: "E0", Status: scoring.Rejected, At: at(1, 0), Handoff: at(4, 0)},
		{Lead: "E1", Status: scoring.Accepted, At: at(4, 7).Add(24 * time.Minute), Handoff: at(4, 10)},
	}, r.EarlyVerdicts)
	assert.Equal(t, 2, r.LaterVerdicts)
	assert.Equal(t, 3, r.SalesReady)
	assert.Equal(t, 2, r.Dispositioned)
	assert.Equal(t, 1, r.Accepted)
	assert.Equal(t, 1, r.Rejected)
	assert.Equal(t, 1, r.NeverDispositioned)
	want := []string{
		"lead E0 was rejected on 2026-09-01T00:00:00Z, 3 days before its hand-off on 2026-09-04T00:00:00Z, so the verdict is left out of every figure: the verdict was typed before the hand-off, or belongs to an earlier cycle; check its date",
		"lead E1 was accepted on 2026-09-04T07:24:00Z, 2.6 h before its hand-off on 2026-09-04T10:00:00Z, so the verdict is left out of every figure: if the file's times were written without a zone they were read as UTC (write the zone, as in 2026-09-29T08:00:00-04:00), otherwise the verdict was typed before the hand-off; check its time",
		"2 later verdicts of leads that already had one: the first counts, and they are in no figure",
	}
	assert.Equal(t, want, r.Warnings)
	for name, write := range map[string]func(*strings.Builder) error{
		"text": func(o *strings.Builder) error { return r.WriteText(o) }, "markdown": func(o *strings.Builder) error { return r.WriteMarkdown(o) },
		"json": func(o *strings.Builder) error { return r.WriteJSON(o) }, // CSV has no warnings
	} {
		var out strings.Builder
		require.NoError(t, write(&out))
		for _, w := range want {
			assert.Contains(t, out.String(), w, name)
		}
	}
	var js strings.Builder
	require.NoError(t, r.WriteJSON(&js))
	assert.Contains(t, js.String(), `"verdicts_before_handoff": [`)
	assert.Contains(t, js.String(), `"later_verdicts": 2`)
}

// Hand-offs by week, worked out by hand from fbLeads, as of 30 September
// 00:00: each week ends at the as-of time or seven days before the one
// after it, and holds the hand-offs after its start, up to its end.
func TestWeeksByHand(t *testing.T) {
	r := fbReport(t)
	g := func(name string, sr, d, acc, rej, rec int, accRate, rejRate *float64, reasons ...feedback.ReasonCount) feedback.Group {
		if reasons == nil {
			reasons = []feedback.ReasonCount{}
		}
		return byHandRates(feedback.Group{Name: name, SalesReady: sr, Dispositioned: d, Accepted: acc, Rejected: rej, Recycled: rec, AcceptanceRate: accRate, RejectionRate: rejRate, Reasons: reasons})
	}
	assert.Equal(t, roundRates([]feedback.Group{
		// L1 (1 Sep) and L2 (2 Sep 00:00, exactly 28 days before): both rejected as not_dm.
		g("week to 2026-09-02", 2, 2, 0, 2, 0, f(0), f(1), feedback.ReasonCount{"not_dm", 2}),
		// L3, L4 accepted; L5 recycled (later); L10 rejected (not_dm).
		g("week to 2026-09-09", 4, 4, 2, 1, 1, f(0.5), f(0.25), feedback.ReasonCount{"not_dm", 1}, feedback.ReasonCount{"later", 1}),
		// L6, no verdict.
		g("week to 2026-09-16", 1, 0, 0, 0, 0, nil, nil),
		// none: the week is still in the series.
		g("week to 2026-09-23", 0, 0, 0, 0, 0, nil, nil),
		// L7, 29 Sep 12:00, no verdict yet.
		g("week to 2026-09-30", 1, 0, 0, 0, 0, nil, nil),
	}), roundRates(r.Weeks))
}

// wilsonByHand is Wilson's 95% score interval for k of n, written out
// here from its formula (centre (k + z²/2)/(n + z²), half-width
// z·sqrt(k(n-k)/n + z²/4)/(n + z²)) apart from internal/stats.
func wilsonByHand(k, n int) (lo, hi float64) {
	const z = 1.959963984540054
	kf, nf := float64(k), float64(n)
	centre := (kf + z*z/2) / (nf + z*z)
	half := z * math.Sqrt(kf*(nf-kf)/nf+z*z/4) / (nf + z*z)
	return math.Max(0, centre-half), math.Min(1, centre+half)
}

// byHandRates fills a group's rate intervals (Wilson's, by hand) and
// its too-few mark (fewer than 10 verdicts), from its counts.
func byHandRates(g feedback.Group) feedback.Group {
	g.TooFew = g.Dispositioned < 10
	if g.Dispositioned == 0 {
		return g
	}
	lo, hi := wilsonByHand(g.Accepted, g.Dispositioned)
	g.AcceptanceRateLow, g.AcceptanceRateHigh = &lo, &hi
	rlo, rhi := wilsonByHand(g.Rejected, g.Dispositioned)
	g.RejectionRateLow, g.RejectionRateHigh = &rlo, &rhi
	// The recycle rate, over the same verdicts, by hand.
	rec := float64(g.Recycled) / float64(g.Dispositioned)
	clo, chi := wilsonByHand(g.Recycled, g.Dispositioned)
	g.RecycleRate, g.RecycleRateLow, g.RecycleRateHigh = &rec, &clo, &chi
	return g
}

// roundRates rounds a group's intervals to 1e-12, so that groups compare
// equal whichever way of writing Wilson's formula computed them.
func roundRates(gs []feedback.Group) []feedback.Group {
	out := append([]feedback.Group(nil), gs...)
	r := func(v *float64) *float64 {
		if v == nil {
			return nil
		}
		x := math.Round(*v*1e12) / 1e12
		return &x
	}
	for i := range out {
		g := &out[i]
		g.AcceptanceRateLow, g.AcceptanceRateHigh, g.RejectionRateLow, g.RejectionRateHigh = r(g.AcceptanceRateLow), r(g.AcceptanceRateHigh), r(g.RejectionRateLow), r(g.RejectionRateHigh)
		g.RecycleRate, g.RecycleRateLow, g.RecycleRateHigh = r(g.RecycleRate), r(g.RecycleRateLow), r(g.RecycleRateHigh)
	}
	return out
}

// The CSV's total row has every column the group rows have, each the
// report's own figure, as its JSON gives it (the rates and their
// intervals, the recycle rate among them), and a group row's columns are
// its JSON's: no column is left empty on one kind of row alone.
func TestCSVTotalRowIsTheReport(t *testing.T) {
	r := fbReport(t)
	var b bytes.Buffer
	require.NoError(t, r.WriteCSV(&b))
	block := strings.SplitN(b.String(), "\n\n", 2)[0]
	rows, err := csv.NewReader(strings.NewReader(block)).ReadAll()
	require.NoError(t, err)
	head := rows[0]
	js, err := json.Marshal(r)
	require.NoError(t, err)
	var top map[string]any
	require.NoError(t, json.Unmarshal(js, &top))
	groups := map[string][]any{"campaign": top["campaigns"].([]any), "channel": top["channels"].([]any), "band": top["bands"].([]any),
		"grade": top["grades"].([]any), "rule": top["rules"].([]any), "week": top["weeks"].([]any)}
	cell := func(v any) string {
		switch v := v.(type) {
		case nil:
			return ""
		case bool:
			return strconv.FormatBool(v)
		case float64:
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
		return fmt.Sprint(v)
	}
	seen := map[string]int{}
	for _, row := range rows[1:] {
		var want map[string]any
		if row[0] == "total" {
			want = top
		} else {
			want = groups[row[0]][seen[row[0]]].(map[string]any)
			seen[row[0]]++
		}
		for i, h := range head {
			if h == "section" || h == "name" || h == "reasons" {
				continue
			}
			v, ok := want[h]
			require.True(t, ok, "%s row %s: the JSON has no %s", row[0], row[1], h)
			assert.Equal(t, cell(v), row[i], "%s row %s, %s", row[0], row[1], h)
		}
	}
	assert.Contains(t, head, "recycle_rate")
	assert.Equal(t, "0.16666666666666666", rows[1][slices.Index(head, "recycle_rate")], "1 recycled of 6 verdicts")
}
