package backtest

import (
	"math"
	"sort"
	"time"
)

// CapacityReport answers "sales can work N leads a week: where should the
// threshold be?". Flows are from the timeline view: each lead's score is
// replayed event by event up to At, and a lead crosses a threshold at the
// first moment its score reaches it (a score reached on fit alone counts
// from the lead's creation); the flow is such crossings per period over the
// history. Win rates and recall at a threshold are from the snapshot view:
// the leads in the backtest with a score at or above it at At. Leads
// disqualified at At count in neither: a gate keeps them from sales.
type CapacityReport struct {
	Capacity float64 `json:"capacity"` // leads per Unit
	Unit     string  `json:"unit"`     // week or month (30 days)
	On       string  `json:"on"`       // total, or a category
	// The history the flows are measured over, and how many periods it spans.
	From    time.Time `json:"history_from"`
	To      time.Time `json:"history_to"`
	Periods float64   `json:"periods"`
	// Threshold is the lowest score at which the flow, there and at every
	// higher score, is within capacity; nil when even the highest score
	// sends more. At is the curve's point at the threshold.
	Threshold *float64    `json:"threshold"`
	At        *CurvePoint `json:"at_threshold"`
	// EveryLead is set when sales can work every lead: the flow at the
	// lowest score is within capacity.
	EveryLead bool `json:"every_lead"`
	// Current is the sales-ready definition's own volume.
	Current CurvePoint `json:"current"`
	// Curve is every threshold from the lowest score to the highest.
	Curve []CurvePoint `json:"curve"`
}

// CurvePoint is one threshold: the leads crossing it per period, and how
// the backtest's leads at or above it at At fared.
type CurvePoint struct {
	Threshold float64  `json:"threshold"`
	PerPeriod *float64 `json:"leads_per_period"`
	Leads     int      `json:"leads"` // in the backtest, at or above the threshold at At
	Won       int      `json:"won"`
	WinRate   *float64 `json:"win_rate"`
	Recall    *float64 `json:"recall"`
	// ExpectedWon is PerPeriod × WinRate: won deals per period to expect.
	ExpectedWon *float64 `json:"expected_won_per_period"`
}

func (b *Backtest) capacity(in, existing []*leadRec, totalWon int) *CapacityReport {
	c := b.opts.Capacity
	rep := &CapacityReport{Capacity: c.Leads, Unit: c.Unit, On: "total", To: b.opts.At, From: b.first}
	if c.On != "" {
		rep.On = c.On
	}
	if c.History > 0 && (rep.From.IsZero() || b.opts.At.Add(-c.History).After(rep.From)) {
		rep.From = b.opts.At.Add(-c.History)
	}
	period := 7 * 24 * time.Hour
	if c.Unit == "month" {
		period = 30 * 24 * time.Hour
	}
	if !rep.From.IsZero() {
		rep.Periods = float64(rep.To.Sub(rep.From)) / float64(period)
	}
	inWindow := func(t time.Time) bool { return !t.IsZero() && !t.Before(rep.From) && !t.After(rep.To) }
	perPeriod := func(n int) *float64 {
		if rep.Periods <= 0 {
			return nil
		}
		return finite(float64(n) / rep.Periods)
	}
	score := func(l *leadRec) float64 {
		if b.onCat >= 0 {
			return l.cats[b.onCat]
		}
		return l.total
	}

	// The grid of thresholds.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range existing {
		for _, cl := range l.climbs {
			lo, hi = math.Min(lo, cl.level), math.Max(hi, cl.level)
		}
		lo, hi = math.Min(lo, score(l)), math.Max(hi, score(l))
	}
	sr := 0
	for _, l := range existing {
		if inWindow(l.srAt) {
			sr++
		}
	}
	rep.Current = CurvePoint{PerPeriod: perPeriod(sr)}
	for _, l := range in {
		if l.sr {
			rep.Current.Leads++
			if l.won {
				rep.Current.Won++
			}
		}
	}
	finishPoint(&rep.Current, totalWon)
	if math.IsInf(lo, 0) {
		return rep
	}
	lo, hi = math.Floor(lo), math.Ceil(hi)
	step := 1.0
	if hi-lo > 2000 {
		step = math.Ceil((hi - lo) / 2000)
	}
	k := int((hi-lo)/step) + 1
	thresholds := make([]float64, k)
	for i := range thresholds {
		thresholds[i] = lo + float64(i)*step
	}

	// Crossings: thresholds in (previous level, level] are first reached at a climb.
	diff := make([]int, k+1)
	for _, l := range existing {
		if l.disq {
			continue // a gate keeps it from sales, whatever its score
		}
		prev := math.Inf(-1)
		for _, cl := range l.climbs {
			from := sort.SearchFloat64s(thresholds, math.Nextafter(prev, math.Inf(1)))
			to := sort.SearchFloat64s(thresholds, math.Nextafter(cl.level, math.Inf(1))) // first threshold above the level
			if from < to && inWindow(cl.at) {
				diff[from]++
				diff[to]--
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
	crossing := 0
	for i := range rep.Curve {
		crossing += diff[i]
		rep.Curve[i].PerPeriod = perPeriod(crossing)
		finishPoint(&rep.Curve[i], totalWon)
	}
	if rep.Periods <= 0 {
		return rep
	}
	for i := k - 1; i >= 0; i-- {
		if *rep.Curve[i].PerPeriod > c.Leads {
			break
		}
		t := rep.Curve[i].Threshold
		rep.Threshold, rep.At = &t, &rep.Curve[i]
	}
	rep.EveryLead = rep.Threshold != nil && *rep.Threshold == thresholds[0]
	return rep
}

func finishPoint(p *CurvePoint, totalWon int) {
	p.WinRate = ratio(float64(p.Won), float64(p.Leads))
	p.Recall = ratio(float64(p.Won), float64(totalWon))
	if p.PerPeriod != nil && p.WinRate != nil {
		p.ExpectedWon = finite(*p.PerPeriod * *p.WinRate)
	}
}
