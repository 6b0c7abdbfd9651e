package backtest

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/leadscore/leadscore/internal/stats"
)

// CapacityReport answers "sales can work N leads a week: where should the
// threshold be?". Flows are from the timeline view: each lead's score is
// replayed event by event up to At, and a lead crosses a threshold at the
// first moment its score reaches it (a score reached on fit alone counts
// from the lead's creation); the flow is such crossings per period over
// the history: the whole periods ending at At, over History
// (DefaultHistory, 13 weeks, unless set), never before the first lead.
// The win rate and the won deals to expect at a threshold are those of the
// same leads, the ones that crossed it in the history: how many of them
// the CRM says won after crossing (by T1). The snapshot columns (leads at
// or above it at At, how many won in the window, recall) are beside them.
// Leads disqualified at At count in neither: a gate keeps them from sales.
type CapacityReport struct {
	Capacity float64 `json:"capacity"` // leads per Unit
	Unit     string  `json:"unit"`     // week or month (30 days)
	On       string  `json:"on"`       // total, or a category
	// The history the flows are measured over, and how many periods it spans.
	From    time.Time `json:"history_from"`
	To      time.Time `json:"history_to"`
	Periods float64   `json:"periods"`
	Weeks   float64   `json:"weeks"`
	// Threshold is the lowest score at which the flow, there and at every
	// higher score, is within capacity; nil when even the highest score
	// sends more. At is the curve's point at the threshold.
	Threshold *float64    `json:"threshold"`
	At        *CurvePoint `json:"at_threshold"`
	// ThresholdInterval spans the thresholds the capacity is consistent
	// with, given the flows' sampling error: from the lowest whose flow is
	// not clearly over capacity (the 95% interval of its flow, and of every
	// higher one's, reaches down to it) to the lowest whose flow is
	// clearly within it (the interval's top is under it).
	ThresholdInterval *Interval `json:"threshold_interval"`
	// LeadsPerWeek is the flow at the threshold per week, with its 95%
	// interval (exact Poisson); ExpectedWonPerWeek the won deals a week
	// from those same leads, with its interval.
	LeadsPerWeek               *float64  `json:"leads_per_week"`
	LeadsPerWeekInterval       *Interval `json:"leads_per_week_interval"`
	ExpectedWonPerWeek         *float64  `json:"expected_won_per_week"`
	ExpectedWonPerWeekInterval *Interval `json:"expected_won_per_week_interval"`
	// EveryLead is set when sales can work every lead: the flow at the
	// lowest score is within capacity.
	EveryLead bool `json:"every_lead"`
	// Current is the sales-ready definition's own volume.
	Current CurvePoint `json:"current"`
	// Weekly is the crossings of each period of the history, at the
	// threshold and of the current definition, oldest first; Trend tests
	// the threshold's series for a trend.
	Weekly []Week        `json:"weekly"`
	Trend  *TrendSummary `json:"trend"`
	// Curve is every threshold from the lowest score to the highest.
	Curve []CurvePoint `json:"curve"`
}

// Week is one period of the history: leads crossing the threshold, and
// leads the current definition made sales-ready, in [From, To).
type Week struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Crossed    int       `json:"crossed"`
	SalesReady int       `json:"sales_ready"`
	// The week's cohorts: of the leads that crossed the threshold (or
	// became sales-ready) in it, those won after that moment and by the
	// outcome window's end, and the share with its 95% interval (Wilson;
	// nil when no lead crossed). Later weeks have had less time to win.
	CrossedWon                int       `json:"crossed_won"`
	WinRate                   *float64  `json:"win_rate"`
	WinRateInterval           *Interval `json:"win_rate_interval"`
	SalesReadyWon             int       `json:"sales_ready_won"`
	SalesReadyWinRate         *float64  `json:"sales_ready_win_rate"`
	SalesReadyWinRateInterval *Interval `json:"sales_ready_win_rate_interval"`
}

// TrendSummary is a log-linear trend of the weekly crossings at the
// threshold (quasi-Poisson, see stats.PoissonTrend).
type TrendSummary struct {
	// PerPeriod is the change per period (1.05: 5% more each period), with
	// its 95% interval; P tests "no trend"; Trending is P < 0.05.
	PerPeriod float64 `json:"change_per_period"`
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	P         float64 `json:"p"`
	Trending  bool    `json:"trending"`
}

// CurvePoint is one threshold: the leads crossing it per period in the
// history, how many of them won after crossing, and how the backtest's
// leads at or above it at At fared.
type CurvePoint struct {
	Threshold float64 `json:"threshold"`
	// Crossed leads crossed it in the history, PerPeriod a period, with
	// its 95% interval; CrossedWon of them won after crossing, WinRate
	// CrossedWon / Crossed (Wilson interval), ExpectedWon CrossedWon a
	// period (exact Poisson interval).
	Crossed             int       `json:"crossed"`
	PerPeriod           *float64  `json:"leads_per_period"`
	PerPeriodInterval   *Interval `json:"leads_per_period_interval"`
	CrossedWon          int       `json:"crossed_won"`
	WinRate             *float64  `json:"win_rate"`
	WinRateInterval     *Interval `json:"win_rate_interval"`
	ExpectedWon         *float64  `json:"expected_won_per_period"`
	ExpectedWonInterval *Interval `json:"expected_won_per_period_interval"`
	// The snapshot view: Leads in the backtest at or above it at At, Won
	// of them in (At, Until], and Recall: Won over all the window's won.
	Leads  int      `json:"leads"`
	Won    int      `json:"won"`
	Recall *float64 `json:"recall"`
}

// history is how long before At the flows are measured over: the
// capacity's History, or DefaultHistory.
func (b *Backtest) history() time.Duration {
	if c := b.opts.Capacity; c != nil && c.History > 0 {
		return c.History
	}
	return DefaultHistory
}

// historyFrom is when the history starts: History before At, never before
// the first lead.
func (b *Backtest) historyFrom() time.Time {
	from := b.opts.At.Add(-b.history())
	if b.first.After(from) {
		from = b.first
	}
	return from
}

// Period is the length of a capacity unit: a week, or a month of 30 days.
func Period(unit string) time.Duration {
	if unit == "month" {
		return 30 * 24 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// poisson caches exact Poisson intervals by count.
type poisson map[int][2]float64

func (p poisson) interval(k int, per float64) *Interval {
	if per <= 0 {
		return nil
	}
	iv, ok := p[k]
	if !ok {
		lo, hi := stats.PoissonInterval(float64(k))
		iv = [2]float64{lo, hi}
		p[k] = iv
	}
	return &Interval{iv[0] / per, iv[1] / per}
}

func (b *Backtest) capacity(in, existing []*leadRec, totalWon int) *CapacityReport {
	c := b.opts.Capacity
	rep := &CapacityReport{Capacity: c.Leads, Unit: c.Unit, On: "total", To: b.opts.At, Weekly: []Week{}}
	if c.On != "" {
		rep.On = c.On
	}
	period := Period(c.Unit)
	from := b.historyFrom()
	if !b.first.IsZero() {
		span := b.opts.At.Sub(from)
		if whole := math.Floor(float64(span) / float64(period)); whole >= 1 {
			rep.Periods = whole
			rep.From = b.opts.At.Add(-time.Duration(whole) * period)
		} else {
			rep.Periods = float64(span) / float64(period)
			rep.From = from
		}
		rep.Weeks = rep.Periods * float64(period) / float64(7*24*time.Hour)
	}
	inWindow := func(t time.Time) bool { return !t.IsZero() && !t.Before(rep.From) && t.Before(rep.To.Add(1)) }
	pois := poisson{}
	score := func(l *leadRec) float64 {
		if b.onCat >= 0 {
			return b.cats(l)[b.onCat]
		}
		return l.total
	}
	wonAfter := func(l *leadRec, t time.Time) bool {
		return !b.wonAt(l).IsZero() && !b.wonAt(l).Before(t) && (b.opts.Until.IsZero() || !b.wonAt(l).After(b.opts.Until))
	}

	// The grid of thresholds.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range existing {
		for _, cl := range b.climbsOf(l) {
			lo, hi = math.Min(lo, cl.level), math.Max(hi, cl.level)
		}
		lo, hi = math.Min(lo, score(l)), math.Max(hi, score(l))
	}
	cur := CurvePoint{}
	for _, l := range existing {
		if inWindow(b.srAt(l)) {
			cur.Crossed++
			if wonAfter(l, b.srAt(l)) {
				cur.CrossedWon++
			}
		}
	}
	for _, l := range in {
		if l.sr {
			cur.Leads++
			if l.won {
				cur.Won++
			}
		}
	}
	b.finishPoint(&cur, rep, totalWon, pois)
	rep.Current = cur
	if math.IsInf(lo, 0) {
		return rep
	}
	lo, hi = math.Floor(lo), math.Ceil(hi)
	step := 1.0
	var k int
	if span := hi - lo; math.IsInf(span, 0) {
		// Scores far apart near the largest number a score can be (the
		// span overflows): the grid's 2,000 steps, reckoned by halves.
		step = math.Ceil(hi/2000 - lo/2000)
		k = 2001
	} else {
		if span > 2000 {
			step = math.Ceil(span / 2000)
		}
		k = int(span/step) + 1
	}
	thresholds := make([]float64, k)
	for i := range thresholds {
		thresholds[i] = lo + float64(i)*step
		if math.IsInf(thresholds[i], 1) { // past the largest number, in a span that overflows
			thresholds[i] = math.MaxFloat64
		}
	}

	// Crossings: thresholds in (previous level, level] are first reached
	// at a climb; those of a lead that won after the climb count as won.
	diff, wonDiff := make([]int, k+1), make([]int, k+1)
	for _, l := range existing {
		if l.disq {
			continue // a gate keeps it from sales, whatever its score
		}
		prev := math.Inf(-1)
		for i, cl := range b.climbsOf(l) {
			from := sort.SearchFloat64s(thresholds, math.Nextafter(prev, math.Inf(1)))
			to := sort.SearchFloat64s(thresholds, math.Nextafter(cl.level, math.Inf(1))) // first threshold above the level
			if at := b.climbAt(l, i); from < to && inWindow(at) {
				diff[from]++
				diff[to]--
				if wonAfter(l, at) {
					wonDiff[from]++
					wonDiff[to]--
				}
			}
			prev = cl.level
		}
	}

	// The backtest's leads at or above each threshold.
	type sw struct {
		s   float64
		won bool
	}
	var scores []sw
	for _, l := range in {
		if !l.disq {
			scores = append(scores, sw{score(l), l.won})
		}
	}
	sort.Slice(scores, func(i, j int) bool { return scores[i].s > scores[j].s })
	j, leads, won := 0, 0, 0
	rep.Curve = make([]CurvePoint, k)
	for i := k - 1; i >= 0; i-- { // from the top, so the leads at or above accumulate
		for ; j < len(scores) && scores[j].s >= thresholds[i]; j++ {
			leads++
			if scores[j].won {
				won++
			}
		}
		rep.Curve[i] = CurvePoint{Threshold: thresholds[i], Leads: leads, Won: won}
	}
	crossing, crossingWon := 0, 0
	for i := range rep.Curve {
		crossing += diff[i]
		crossingWon += wonDiff[i]
		rep.Curve[i].Crossed, rep.Curve[i].CrossedWon = crossing, crossingWon
		b.finishPoint(&rep.Curve[i], rep, totalWon, pois)
	}
	if rep.Periods <= 0 {
		return rep
	}
	// The threshold, and the range the flows' sampling error allows: each
	// the lowest threshold at which its test holds there and at every
	// higher threshold.
	lowest := func(holds func(p *CurvePoint) bool) (*float64, int) {
		var t *float64
		at := -1
		for i := k - 1; i >= 0 && holds(&rep.Curve[i]); i-- {
			t, at = &rep.Curve[i].Threshold, i
		}
		return t, at
	}
	var at int
	if rep.Threshold, at = lowest(func(p *CurvePoint) bool { return *p.PerPeriod <= c.Leads }); rep.Threshold != nil {
		rep.At = &rep.Curve[at]
	}
	notOver, _ := lowest(func(p *CurvePoint) bool { return p.PerPeriodInterval.Low <= c.Leads })
	within, _ := lowest(func(p *CurvePoint) bool { return p.PerPeriodInterval.High <= c.Leads })
	if notOver != nil {
		high := hi + step
		if math.IsInf(high, 0) {
			high = math.MaxFloat64 // above the highest score there can be
		}
		if within != nil {
			high = *within
		}
		rep.ThresholdInterval = &Interval{*notOver, high}
	}
	rep.EveryLead = rep.Threshold != nil && *rep.Threshold == thresholds[0]
	if rep.At != nil {
		weeks := rep.Weeks
		rep.LeadsPerWeek = finite(float64(rep.At.Crossed) / weeks)
		rep.LeadsPerWeekInterval = pois.interval(rep.At.Crossed, weeks)
		rep.ExpectedWonPerWeek = finite(float64(rep.At.CrossedWon) / weeks)
		rep.ExpectedWonPerWeekInterval = pois.interval(rep.At.CrossedWon, weeks)
	}
	b.weekly(rep, existing, period, score, wonAfter)
	return rep
}

// weekly fills the series of crossings per period at the threshold, and
// of the current definition's sales-ready moments, and tests its trend.
func (b *Backtest) weekly(rep *CapacityReport, existing []*leadRec, period time.Duration, score func(*leadRec) float64, wonAfter func(*leadRec, time.Time) bool) {
	n := int(rep.Periods)
	if float64(n) != rep.Periods || n < 1 {
		return // the history is shorter than one period
	}
	rep.Weekly = make([]Week, n)
	for i := range rep.Weekly {
		rep.Weekly[i].From = rep.From.Add(time.Duration(i) * period)
		rep.Weekly[i].To = rep.Weekly[i].From.Add(period)
	}
	slot := func(t time.Time) int {
		if t.IsZero() || t.Before(rep.From) || t.After(rep.To) {
			return -1
		}
		return min(n-1, int(t.Sub(rep.From)/period))
	}
	for _, l := range existing {
		if i := slot(b.srAt(l)); i >= 0 {
			rep.Weekly[i].SalesReady++
			if wonAfter(l, b.srAt(l)) {
				rep.Weekly[i].SalesReadyWon++
			}
		}
		if l.disq || rep.Threshold == nil {
			continue
		}
		for j, cl := range b.climbsOf(l) { // the first climb to reach the threshold is the crossing
			if cl.level >= *rep.Threshold {
				if i := slot(b.climbAt(l, j)); i >= 0 {
					rep.Weekly[i].Crossed++
					if wonAfter(l, b.climbAt(l, j)) {
						rep.Weekly[i].CrossedWon++
					}
				}
				break
			}
		}
	}
	for i := range rep.Weekly {
		w := &rep.Weekly[i]
		w.WinRate, w.WinRateInterval = ratio(float64(w.CrossedWon), float64(w.Crossed)), rateInterval(w.CrossedWon, w.Crossed)
		w.SalesReadyWinRate, w.SalesReadyWinRateInterval = ratio(float64(w.SalesReadyWon), float64(w.SalesReady)), rateInterval(w.SalesReadyWon, w.SalesReady)
	}
	if rep.Threshold == nil {
		return
	}
	counts := make([]float64, n)
	for i, w := range rep.Weekly {
		counts[i] = float64(w.Crossed)
	}
	if t, ok := stats.PoissonTrend(counts); ok {
		rep.Trend = &TrendSummary{PerPeriod: t.PerPeriod, Low: t.Low, High: t.High, P: t.P, Trending: t.P < 0.05}
	}
}

func (b *Backtest) finishPoint(p *CurvePoint, rep *CapacityReport, totalWon int, pois poisson) {
	p.PerPeriod = nil
	if rep.Periods > 0 {
		p.PerPeriod = finite(float64(p.Crossed) / rep.Periods)
		p.PerPeriodInterval = pois.interval(p.Crossed, rep.Periods)
		p.ExpectedWon = finite(float64(p.CrossedWon) / rep.Periods)
		p.ExpectedWonInterval = pois.interval(p.CrossedWon, rep.Periods)
	}
	p.WinRate = ratio(float64(p.CrossedWon), float64(p.Crossed))
	p.WinRateInterval = rateInterval(p.CrossedWon, p.Crossed)
	p.Recall = ratio(float64(p.Won), float64(totalWon))
}

// capacityWarnings name what the capacity answer rests on thinly.
func (b *Backtest) capacityWarnings(c *CapacityReport) []string {
	var w []string
	unknown := 0
	for _, l := range b.order {
		if l.exclusion != notCreated && b.arrival(l).IsZero() {
			unknown++
		}
	}
	if unknown > 0 {
		w = append(w, fmt.Sprintf("%s neither a creation time (%s) nor an event, so when %s arrived is unknown: %s left out of the capacity flows. Give every lead its creation time.",
			pluralHas(unknown), b.opts.CreatedField, pronoun(unknown), pronoun(unknown)+" "+map[bool]string{true: "is", false: "are"}[unknown == 1]))
	}
	asked := b.history()
	if c.Periods > 0 && c.To.Sub(c.From) < asked-7*24*time.Hour && !b.first.IsZero() {
		w = append(w, fmt.Sprintf("The capacity flows cover %.1f %ss only (the leads start on %s), not the %s asked: early weeks, while the stock of leads was filling, may understate today's flow.",
			c.Periods, c.Unit, b.first.Format("2006-01-02"), formatWeeks(asked)))
	}
	if c.Trend != nil && c.Trend.Trending {
		w = append(w, fmt.Sprintf("The weekly crossings at the threshold trend (%+.0f%% a %s, 95%%: %+.0f%% to %+.0f%%, p = %.3f): next quarter's flow will differ from the history's average.",
			100*(c.Trend.PerPeriod-1), c.Unit, 100*(c.Trend.Low-1), 100*(c.Trend.High-1), c.Trend.P))
	}
	if c.At != nil && c.At.CrossedWon < b.opts.MinWon {
		w = append(w, fmt.Sprintf("The won deals to expect at the capacity threshold rest on %s among the leads that crossed it, under %d.", plural(c.At.CrossedWon, "won deal"), b.opts.MinWon))
	}
	return w
}

func formatWeeks(d time.Duration) string {
	w := float64(d) / float64(7*24*time.Hour)
	if w == math.Trunc(w) {
		return plural(int(w), "week")
	}
	return fmt.Sprintf("%.1f weeks", w)
}

func pluralHas(n int) string {
	if n == 1 {
		return "1 lead has"
	}
	return fmt.Sprintf("%d leads have", n)
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "they"
}
